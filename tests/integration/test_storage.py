"""Storage: segment roll, retention by size and time, indexes, crash
recovery and torn tails.  Limits are tiny so the effects show in seconds;
everything is checked on disk (segment files) and over the protocol.
"""

import os
import struct
import sys
import threading
import time

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

TIMEOUT = harness.DEFAULT_TIMEOUT
HOUR_MS = 3600 * 1000


def create_topic(b, name, partitions=1, **config):
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    futs = admin.create_topics(
        [NewTopic(name, partitions, 1, config={k.replace("_", "."): str(v)
                                               for k, v in config.items()})],
        request_timeout=TIMEOUT)
    futs[name].result(timeout=TIMEOUT)


def batch_of(i, size=150, timestamp=None):
    """One single-record batch, about size + 70 bytes on disk."""
    value = (b"%06d:" % i).ljust(size, b"v")
    ts = [timestamp] if timestamp is not None else None
    return kproto.make_batch([(b"k%d" % i, value)], timestamps=ts)


def produce_batches(b, topic, first, count, **kw):
    with kproto.Conn(b.port) as conn:
        for i in range(first, first + count):
            res = kproto.produce(conn, topic, 0, batch_of(i, **kw))
            assert res["error"] == 0 and res["base_offset"] == i, res


def read_values(b, topic):
    """(offset, value) of every readable record, CRC-checked."""
    with kproto.Conn(b.port) as conn:
        return [(r[0], r[3]) for r in kproto.read_all(conn, topic, 0)]


def offsets(b, topic):
    with kproto.Conn(b.port) as conn:
        return kproto.earliest(conn, topic, 0), kproto.latest(conn, topic, 0)


def segment_batches(b, topic, base):
    with open(b.segment_path(topic, 0, base), "rb") as f:
        return kproto.parse_batches(f.read(), allow_partial=False)


def log_sizes(b, topic):
    return {base: os.path.getsize(b.segment_path(topic, 0, base)) for base in b.segments(topic, 0)}


def tolerate_deletion(check):
    """Retention may delete a file between listing and reading it; that only
    means the state is still changing."""
    def wrapped():
        try:
            return check()
        except FileNotFoundError:
            return None
    return wrapped


def test_segment_roll_and_indexes():
    """segment.bytes rolls segments named by base offset, with indexes; all survive restart"""
    # Index entries every 256 bytes, so 1 KB segments get some.
    b = Broker({"log.index.interval.bytes": 256}).start()
    create_topic(b, "roll", segment_bytes=1024)
    produce_batches(b, "roll", 0, 60)
    bases = b.segments("roll", 0)
    assert len(bases) >= 10, "only %d segments for ~13 KB with segment.bytes=1024" % len(bases)
    for i, base in enumerate(bases):
        batches = segment_batches(b, "roll", base)
        assert batches and batches[0]["base_offset"] == base, "segment %d starts elsewhere" % base
        if i + 1 < len(bases):
            assert batches[-1]["last_offset"] + 1 == bases[i + 1], "gap after segment %d" % base
            assert os.path.getsize(b.segment_path("roll", 0, base)) <= 1024
    b.stop()

    # After a clean stop every segment has its offset and time index, holding
    # whole entries that point inside the segment.
    entries = 0
    for base in bases:
        log_size = os.path.getsize(b.segment_path("roll", 0, base))
        stem = b.segment_path("roll", 0, base)[:-4]
        with open(stem + ".index", "rb") as f:
            index = f.read()
        assert os.path.exists(stem + ".timeindex"), stem
        assert len(index) % 8 == 0, "%s.index is %d bytes" % (stem, len(index))
        for at in range(0, len(index), 8):
            rel, pos = struct.unpack(">ii", index[at:at + 8])
            assert 0 <= pos < log_size and rel >= 0, (stem, rel, pos)
        entries += len(index) // 8
        assert os.path.getsize(stem + ".timeindex") % 12 == 0, stem
    assert entries > 0, "no offset index entries at all"

    b.start()
    assert b.segments("roll", 0) == bases
    assert [o for o, _ in read_values(b, "roll")] == list(range(60))
    produce_batches(b, "roll", 60, 5)
    # Index files are an accelerator: without them the broker rebuilds them.
    b.stop()
    for name in os.listdir(b.partition_dir("roll", 0)):
        if name.endswith(".index") or name.endswith(".timeindex"):
            os.unlink(os.path.join(b.partition_dir("roll", 0), name))
    b.start()
    values = read_values(b, "roll")
    assert [o for o, _ in values] == list(range(65))
    assert all(v.startswith(b"%06d:" % o) for o, v in values)
    with kproto.Conn(b.port) as conn:
        err, _, off = kproto.list_offsets(conn, "roll", 0, 0)
        assert (err, off) == (0, 0)
    b.stop()


def test_segment_roll_by_time():
    """segment.ms rolls a segment once it is older than the limit"""
    b = Broker().start()
    create_topic(b, "rollt", segment_ms=500)
    produce_batches(b, "rollt", 0, 1)
    start = time.monotonic()
    # Waiting for the clock, not asserting on it: the roll is due afterwards.
    harness.wait_for(lambda: time.monotonic() - start > 1.5, what="segment.ms to pass")
    produce_batches(b, "rollt", 1, 1)
    bases = b.segments("rollt", 0)
    assert len(bases) >= 2 and bases[-1] == 1, bases
    assert [o for o, _ in read_values(b, "rollt")] == [0, 1]
    b.stop()


def test_retention_by_size():
    """retention.bytes deletes the oldest segments and moves the log start"""
    b = Broker({"log.retention.check.interval.ms": 500}).start()
    create_topic(b, "rsize", segment_bytes=1024, retention_bytes=4096)
    produce_batches(b, "rsize", 0, 60)

    @tolerate_deletion
    def settled():
        sizes = log_sizes(b, "rsize")
        oldest = sizes[min(sizes)]
        # Kafka's rule: drop the oldest while the rest is still >= retention.bytes.
        return sum(sizes.values()) - oldest < 4096
    harness.wait_for(settled, what="retention.bytes to delete old segments")
    sizes = log_sizes(b, "rsize")
    assert sum(sizes.values()) >= 4096, "deleted too much: %s" % sizes
    first = min(sizes)
    assert first > 0
    names = os.listdir(b.partition_dir("rsize", 0))
    assert not [n for n in names if n.split(".")[0].isdigit() and int(n.split(".")[0]) < first], \
        "files of deleted segments are left: %s" % sorted(names)
    assert offsets(b, "rsize") == (first, 60)
    assert [o for o, _ in read_values(b, "rsize")] == list(range(first, 60))
    with kproto.Conn(b.port) as conn:
        assert kproto.fetch(conn, "rsize", 0, first - 1)["error"] == 1  # OFFSET_OUT_OF_RANGE
    b.wait_stderr("retention deleted")
    b.stop()


def test_retention_by_time():
    """retention.ms deletes segments whose newest record is too old, and only those"""
    b = Broker({"log.retention.check.interval.ms": 500}).start()
    create_topic(b, "rtime", segment_bytes=1024, retention_ms=HOUR_MS)
    old = int(time.time() * 1000) - 2 * HOUR_MS
    produce_batches(b, "rtime", 0, 30, timestamp=old)
    produce_batches(b, "rtime", 30, 30)

    @tolerate_deletion
    def settled():
        return offsets(b, "rtime")[0] > 0 and all(
            max((bt["max_timestamp"] for bt in segment_batches(b, "rtime", base)), default=0) > old
            for base in b.segments("rtime", 0))
    harness.wait_for(settled, what="retention.ms to delete the old segments")
    first, end = offsets(b, "rtime")
    assert first <= 30 and end == 60, (first, end)
    assert b.segments("rtime", 0)[0] == first
    assert [o for o, _ in read_values(b, "rtime")] == list(range(first, 60))

    # Everything expired: the active segment is rolled and deleted too.
    create_topic(b, "rtime-all", segment_bytes=1024, retention_ms=HOUR_MS)
    produce_batches(b, "rtime-all", 0, 10, timestamp=old)
    harness.wait_for(lambda: offsets(b, "rtime-all") == (10, 10),
                     what="every expired segment of rtime-all to go")
    for base in b.segments("rtime-all", 0):
        assert base == 10 and not segment_batches(b, "rtime-all", base), base
    produce_batches(b, "rtime-all", 10, 1)
    assert [o for o, _ in read_values(b, "rtime-all")] == [10]
    b.stop()


def test_kill9_keeps_acknowledged_records():
    """kill -9 during acks=all production: every acknowledged record survives, in order"""
    b = Broker().start()
    create_topic(b, "crash")
    acked = []
    # Small batches and a short local queue: the producer runs as fast as the
    # broker acknowledges, with several requests in flight at any time.
    # Once the broker is dead, production goes on only as queued records
    # time out, which librdkafka notices when it wakes up to reconnect: a
    # short message timeout and reconnect backoff keep that to seconds.
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 2,
                  "batch.num.messages": 100, "queue.buffering.max.messages": 2000,
                  "message.timeout.ms": 3000, "retry.backoff.ms": 100, "reconnect.backoff.max.ms": 1000})

    def on_delivery(err, msg):
        if err is None:
            acked.append(int(msg.value()))
    seq = 0

    def burst(n):
        nonlocal seq
        for _ in range(n):
            while True:
                try:
                    p.produce("crash", b"%08d" % seq, partition=0, on_delivery=on_delivery)
                    break
                except BufferError:
                    p.poll(0.01)  # local queue full: wait for acknowledgements
            seq += 1
        p.poll(0)

    # A thread produces continuously; the broker is killed under it once
    # plenty is acknowledged, so requests are in flight at that moment.
    stop = threading.Event()

    def produce_loop():
        while not stop.is_set():
            burst(50)
    t = threading.Thread(target=produce_loop)
    t.start()
    try:
        harness.wait_for(lambda: len(acked) >= 3000, what="3000 acknowledgements")
        b.kill()
        at_kill = seq
        harness.wait_for(lambda: seq >= at_kill + 500, what="production after the kill")
    finally:
        stop.set()
        t.join()
    # Nothing queued can be acknowledged while the broker is down: fail it
    # now (unacknowledged, as a timeout would) instead of waiting it out.
    p.purge()
    p.flush(TIMEOUT)

    b.start()
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "crash", "check.crcs": True,
                  "enable.auto.commit": False, "enable.partition.eof": True})
    try:
        c.assign([TopicPartition("crash", 0, 0)])
        values = []

        def step():
            msg = c.poll(0.5)
            if msg is None:
                return False
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    return True
                raise AssertionError("consumer error: %s" % msg.error())
            values.append(int(msg.value()))
            return False
        harness.wait_for(step, what="the recovered log to be read to the end", interval=0)
    finally:
        c.close()
    print("# %d produced, %d acknowledged, %d in the log after the restart"
          % (seq, len(acked), len(values)))
    first_pos = {}
    for pos, v in enumerate(values):
        first_pos.setdefault(v, pos)
    missing = [v for v in acked if v not in first_pos]
    assert not missing, "%d acknowledged records lost, e.g. %s" % (len(missing), missing[:5])
    positions = [first_pos[v] for v in sorted(acked)]
    assert positions == sorted(positions), "acknowledged records out of order"

    # The recovered log takes new writes after the old ones.
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all"})
    reports = []
    p.produce("crash", b"after", partition=0, on_delivery=lambda err, msg: reports.append(
        (err, msg.offset())))
    assert p.flush(TIMEOUT) == 0
    assert reports[0][0] is None and reports[0][1] == len(values), reports
    assert read_values(b, "crash")[-1] == (len(values), b"after")
    b.stop()


def cut_and_restart(b, topic, how, expected_end, stop):
    """Stops the broker (SIGTERM or kill -9), damages the last batch of the
    last segment as `how` says, restarts; returns the restart's stderr line
    about the truncation."""
    stop()
    path = b.segment_path(topic, 0, b.segments(topic, 0)[-1])
    last = segment_batches(b, topic, b.segments(topic, 0)[-1])[-1]
    size = os.path.getsize(path)
    if how == "cut":
        os.truncate(path, size - 7)
    elif how == "half":
        os.truncate(path, last["pos"] + last["length"] // 2)
    elif how == "flip":
        with open(path, "r+b") as f:
            f.seek(last["pos"] + 70)
            byte = f.read(1)
            f.seek(last["pos"] + 70)
            f.write(bytes([byte[0] ^ 0xFF]))
    b.start()
    # Recovery runs before the listener opens, so the line is already there.
    line = None
    for text in b.stderr().splitlines():
        if "%s-0" % topic in text and "truncat" in text.lower():
            line = text
    assert line, "no log line about truncating %s-0:\n%s" % (topic, b.stderr())
    assert offsets(b, topic) == (0, expected_end)
    values = read_values(b, topic)
    assert [o for o, _ in values] == list(range(expected_end))
    assert all(v.startswith(b"%06d:" % o) for o, v in values)
    # The damaged bytes are gone from disk and new writes follow the good ones.
    produce_batches(b, topic, expected_end, 1)
    assert [o for o, _ in read_values(b, topic)] == list(range(expected_end + 1))
    for base in b.segments(topic, 0):
        assert all(bt["crc_ok"] for bt in segment_batches(b, topic, base))
    return line


def test_torn_tail_after_clean_stop():
    """a last segment cut mid-batch after a clean stop is truncated to the last whole batch"""
    b = Broker().start()
    create_topic(b, "torn")
    produce_batches(b, "torn", 0, 20)
    cut_and_restart(b, "torn", "cut", 19, b.stop)
    b.restart()
    assert [o for o, _ in read_values(b, "torn")] == list(range(20))
    b.stop()


def test_torn_tail_after_kill9():
    """after kill -9, a half-written or corrupt last batch is truncated by recovery"""
    b = Broker().start()
    create_topic(b, "torn-half")
    create_topic(b, "torn-crc")
    produce_batches(b, "torn-half", 0, 20)
    produce_batches(b, "torn-crc", 0, 20)
    cut_and_restart(b, "torn-half", "half", 19, b.kill)
    cut_and_restart(b, "torn-crc", "flip", 19, b.kill)
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
