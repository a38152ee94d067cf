"""Topic message.timestamp.type and message.timestamp.difference.max.ms, as
Kafka's LogValidator applies them: with LogAppendTime the broker stamps each
batch with its append time (maxTimestamp and the timestamp-type bit, the CRC
computed anew) and Produce answers that time, so confluent-kafka sees
TIMESTAMP_LOG_APPEND_TIME and kcat the broker's time for every record, with
the batch recompressed or not; with CreateTime and a bounded difference a
batch whose record timestamps are too far from the broker's clock is refused
with INVALID_TIMESTAMP.  Also the broker-wide log.message.timestamp.type.
"""

import os
import subprocess
import sys
import time

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

import confluent_kafka  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

T0 = 1500000000000  # long before any test runs: a producer's CreateTime
INVALID_TIMESTAMP = 32
LOG_APPEND_TIME = 0x08


def create_topic(broker, name, configs):
    client = AdminClient({"bootstrap.servers": broker.bootstrap})  # alive until the result is in
    fs = client.create_topics([NewTopic(name, 1, 1, config=configs)], operation_timeout=30)
    fs[name].result(60)


def produce(broker, topic, n, codec):
    p = confluent_kafka.Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 60000,
                                  "compression.codec": codec})
    for i in range(n):
        p.produce(topic, value=b"value %05d " % i * 8, key=b"k%d" % i, partition=0, timestamp=T0 + i)
    assert p.flush(60) == 0


def consume(broker, topic, n):
    out = harness.confluent_read(broker, topic, n, "ts-" + topic)
    assert len(out) == n, (topic, len(out))
    return out


def stored_batches(broker, topic):
    out = []
    for base in broker.segments(topic, 0):
        with open(broker.segment_path(topic, 0, base), "rb") as f:
            out += kproto.parse_batches(f.read(), allow_partial=False)
    return out


def check_log_append_time(broker, topic, n, codec, before, after):
    """Every stored batch is LogAppendTime with an append time in [before,
    after], its CRC intact and its records' deltas kept; consumers see that
    time for every record of the batch."""
    batches = stored_batches(broker, topic)
    append_times = {}
    for b in batches:
        assert b["crc_ok"] and b["attributes"] & LOG_APPEND_TIME, (topic, b)
        assert b["attributes"] & 7 == codec, (topic, b["attributes"], codec)
        assert before <= b["max_timestamp"] <= after, (topic, b["max_timestamp"], before, after)
        assert b["base_timestamp"] == T0 + b["base_offset"], (topic, b)
        for i in range(b["count"]):
            append_times[b["base_offset"] + i] = b["max_timestamp"]
    assert sorted(append_times) == list(range(n)), (topic, sorted(append_times))
    for msg in consume(broker, topic, n):
        assert msg.timestamp() == (confluent_kafka.TIMESTAMP_LOG_APPEND_TIME, append_times[msg.offset()]), \
            (topic, msg.offset(), msg.timestamp())
    res = subprocess.run(["kcat", "-b", broker.bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning",
                          "-e", "-c", str(n), "-f", "%o %T\\n", "-X", "check.crcs=true"],
                         capture_output=True, timeout=120, check=True)
    lines = res.stdout.decode().split()
    assert [(int(o), int(t)) for o, t in zip(lines[::2], lines[1::2])] == sorted(append_times.items()), lines


def test_log_append_time():
    """LogAppendTime: the broker's time for every record, as stored, consumed and answered"""
    b = Broker().start()
    for codec, name in ((kproto.CODEC_NONE, "none"), (kproto.CODEC_GZIP, "gzip")):
        topic = "lat-" + name
        create_topic(b, topic, {"message.timestamp.type": "LogAppendTime"})
        before = int(time.time() * 1000)
        produce(b, topic, 300, name)
        check_log_append_time(b, topic, 300, codec, before, int(time.time() * 1000))
    # Produce answers the append time; CreateTime topics answer -1.
    create_topic(b, "lat-raw", {"message.timestamp.type": "LogAppendTime"})
    create_topic(b, "ct-raw", {})
    batch = kproto.make_batch([(b"a", b"one"), (b"b", b"two")], timestamps=[T0, T0 + 5])
    with kproto.Conn(b.port) as conn:
        before = int(time.time() * 1000)
        res = kproto.produce(conn, "lat-raw", 0, bytes(batch))
        append_time = res["log_append_time"]
        assert res["error"] == 0 and before <= append_time <= int(time.time() * 1000), res
        res = kproto.produce(conn, "ct-raw", 0, bytes(batch))
        assert res["error"] == 0 and res["log_append_time"] == -1, res
    stored = stored_batches(b, "lat-raw")
    assert len(stored) == 1 and stored[0]["max_timestamp"] == append_time, (stored, append_time)
    # The records keep their deltas; the type bit makes readers use maxTimestamp.
    assert [r[1] for r in kproto.batch_records(stored[0])] == [T0, T0 + 5], kproto.batch_records(stored[0])
    assert [m.timestamp()[1] for m in consume(b, "lat-raw", 2)] == [append_time, append_time]
    stored = stored_batches(b, "ct-raw")
    assert stored[0]["raw"][12:] == batch[12:], stored  # CreateTime: stored as sent
    b.stop()


def test_log_append_time_recompressed():
    """LogAppendTime on a topic that also recompresses: the rewritten batch is stamped"""
    b = Broker().start()
    create_topic(b, "lat-lz4", {"message.timestamp.type": "LogAppendTime", "compression.type": "lz4"})
    before = int(time.time() * 1000)
    produce(b, "lat-lz4", 300, "gzip")
    check_log_append_time(b, "lat-lz4", 300, kproto.CODEC_LZ4, before, int(time.time() * 1000))
    b.stop()


def test_broker_default_and_alter():
    """log.message.timestamp.type is the default; AlterConfigs switches a topic back to CreateTime"""
    b = Broker(overrides={"log.message.timestamp.type": "LogAppendTime"}).start()
    create_topic(b, "lat-default", {})
    before = int(time.time() * 1000)
    produce(b, "lat-default", 10, "none")
    check_log_append_time(b, "lat-default", 10, kproto.CODEC_NONE, before, int(time.time() * 1000))
    client = AdminClient({"bootstrap.servers": b.bootstrap})
    res = confluent_kafka.admin.ConfigResource("topic", "lat-default",
                                               set_config={"message.timestamp.type": "CreateTime"})
    client.alter_configs([res])[res].result(60)
    produce(b, "lat-default", 10, "none")
    later = consume(b, "lat-default", 20)[10:]
    assert [m.timestamp() for m in later] == [(confluent_kafka.TIMESTAMP_CREATE_TIME, T0 + i) for i in range(10)], \
        [m.timestamp() for m in later]
    b.stop()


def test_timestamp_difference():
    """message.timestamp.difference.max.ms refuses a CreateTime batch too far from the broker's clock"""
    b = Broker().start()
    create_topic(b, "ts-bounded", {"message.timestamp.difference.max.ms": "3600000"})
    now = int(time.time() * 1000)
    old = kproto.make_batch([(None, b"x"), (None, b"y")], timestamps=[now, T0])
    recent = kproto.make_batch([(None, b"x"), (None, b"y")], timestamps=[now, now - 1000])
    with kproto.Conn(b.port) as conn:
        res = kproto.produce(conn, "ts-bounded", 0, old)
        assert res["error"] == INVALID_TIMESTAMP, res
        res = kproto.produce(conn, "ts-bounded", 0, recent)
        assert res["error"] == 0 and res["base_offset"] == 0, res
    # confluent-kafka's delivery report says why.
    errors = []
    p = confluent_kafka.Producer({"bootstrap.servers": b.bootstrap, "compression.codec": "gzip"})
    p.produce("ts-bounded", value=b"z", partition=0, timestamp=T0, on_delivery=lambda err, msg: errors.append(err))
    p.flush(60)
    assert len(errors) == 1 and errors[0].code() == confluent_kafka.KafkaError.INVALID_TIMESTAMP, errors
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
