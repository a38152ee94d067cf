"""confluent-kafka-python (librdkafka 2.0.2) against a real connectd broker:
admin create/describe/delete topics and create partitions, idempotent
producer delivery reports, offsets_for_times, assign()-based consumption of
several partitions, long-poll fetch.
"""

import os
import random
import sys
import threading

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

from confluent_kafka import (Consumer, KafkaError, KafkaException, Producer,  # noqa: E402
                             TopicPartition, OFFSET_BEGINNING)
from confluent_kafka.admin import (AdminClient, ConfigResource, ConfigSource,  # noqa: E402
                                   NewPartitions, NewTopic)

TIMEOUT = harness.DEFAULT_TIMEOUT


def admin(b):
    """One AdminClient per broker, kept alive with it: a destroyed client
    fails its pending futures."""
    if not hasattr(b, "admin_client"):
        b.admin_client = AdminClient({"bootstrap.servers": b.bootstrap})
    return b.admin_client


def producer(b, **conf):
    return Producer(dict({"bootstrap.servers": b.bootstrap}, **conf))


def consumer(b, **conf):
    # group.id is mandatory for the client; the group is never joined
    # (partitions are assigned explicitly, nothing is committed).
    return Consumer(dict({"bootstrap.servers": b.bootstrap, "group.id": "tests",
                          "enable.auto.commit": False, "check.crcs": True,
                          "enable.partition.eof": True}, **conf))


def wait_future(fut):
    """The result of an admin future; a broker error is raised as KafkaException."""
    return fut.result(timeout=TIMEOUT)


def error_code(fut):
    """The error code an admin future fails with (None if it succeeds)."""
    try:
        fut.result(timeout=TIMEOUT)
    except KafkaException as e:
        return e.args[0].code()
    return None


def create(b, *topics, validate_only=False):
    futs = admin(b).create_topics(list(topics), operation_timeout=30, request_timeout=TIMEOUT,
                                  validate_only=validate_only)
    return futs


def list_topics(b):
    return admin(b).list_topics(timeout=TIMEOUT).topics


def describe(b, rtype, name):
    res = ConfigResource(rtype, name)
    entries = wait_future(admin(b).describe_configs([res], request_timeout=TIMEOUT)[res])
    return entries


def source(entry):
    return ConfigSource(entry.source) if isinstance(entry.source, int) else entry.source


def consume(b, assignments, expected, **conf):
    """Polls until `expected` records arrived and every partition reported
    EOF; returns the messages.  assignments: list of TopicPartition."""
    c = consumer(b, **conf)
    try:
        c.assign(assignments)
        got = []
        at_eof = set()
        want_eof = {(tp.topic, tp.partition) for tp in assignments}

        def step():
            msg = c.poll(0.5)
            if msg is None:
                return None
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_eof.add((msg.topic(), msg.partition()))
                    return len(got) >= expected and at_eof >= want_eof
                raise AssertionError("consumer error: %s" % msg.error())
            got.append(msg)
            # A record after EOF means the partition grew; wait for EOF again.
            at_eof.discard((msg.topic(), msg.partition()))
            return None
        harness.wait_for(step, what="%d records and EOF on every partition" % expected,
                         interval=0)
        return got
    finally:
        c.close()


def test_create_topics_with_configs():
    """CreateTopics with configs; list_topics and DescribeConfigs see them, also after restart"""
    b = Broker({"log.retention.bytes": 777777}).start()
    futs = create(b, NewTopic("cfg-t", num_partitions=4, replication_factor=1,
                              config={"retention.ms": "123456", "cleanup.policy": "delete",
                                      "segment.bytes": "1048576"}))
    wait_future(futs["cfg-t"])
    for run in ("before", "after"):
        topics = list_topics(b)
        assert "cfg-t" in topics, (run, topics.keys())
        assert sorted(topics["cfg-t"].partitions) == [0, 1, 2, 3], run
        cfg = describe(b, ConfigResource.Type.TOPIC, "cfg-t")
        assert cfg["retention.ms"].value == "123456", (run, cfg["retention.ms"])
        assert source(cfg["retention.ms"]) == ConfigSource.DYNAMIC_TOPIC_CONFIG, run
        assert cfg["segment.bytes"].value == "1048576", run
        assert cfg["cleanup.policy"].value == "delete", run
        # Not set on the topic: inherited from the broker's log.retention.bytes.
        assert cfg["retention.bytes"].value == "777777", (run, cfg["retention.bytes"])
        assert source(cfg["retention.bytes"]) == ConfigSource.STATIC_BROKER_CONFIG, run
        assert cfg["compression.type"].value == "producer", run
        assert source(cfg["compression.type"]) == ConfigSource.DEFAULT_CONFIG, run
        assert "max.message.bytes" in cfg and "segment.ms" in cfg, sorted(cfg)
        if run == "before":
            b.restart()
    b.stop()


def test_create_topic_errors():
    """CreateTopics answers Kafka's errors and validate_only creates nothing"""
    b = Broker().start()
    wait_future(create(b, NewTopic("exists", 1, 1))["exists"])
    cases = [
        (NewTopic("exists", 1, 1), KafkaError.TOPIC_ALREADY_EXISTS),
        (NewTopic("bad-value", 1, 1, config={"retention.ms": "abc"}), KafkaError.INVALID_CONFIG),
        (NewTopic("bad-key", 1, 1, config={"no.such.config": "1"}), KafkaError.INVALID_CONFIG),
        (NewTopic("bad-rf", 1, 3), KafkaError.INVALID_REPLICATION_FACTOR),
        (NewTopic("bad/name", 1, 1), KafkaError.TOPIC_EXCEPTION),
        (NewTopic("." , 1, 1), KafkaError.TOPIC_EXCEPTION),
    ]
    for topic, code in cases:
        got = error_code(create(b, topic)[topic.topic])
        assert got == code, "%s: got %s, expected %s" % (topic.topic, got, code)
    assert error_code(create(b, NewTopic("dry", 2, 1), validate_only=True)["dry"]) is None
    topics = list_topics(b)
    for name in ("bad-value", "bad-key", "bad-rf", "bad/name", "dry"):
        assert name not in topics, name
    assert not os.path.exists(b.partition_dir("dry", 0))
    b.stop()


def test_describe_broker_configs():
    """DescribeConfigs of the broker: explicit keys are STATIC_BROKER_CONFIG, the rest DEFAULT_CONFIG"""
    b = Broker({"node.id": 1, "log.retention.check.interval.ms": 4321}).start()
    cfg = describe(b, ConfigResource.Type.BROKER, "1")
    entry = cfg["log.retention.check.interval.ms"]
    assert entry.value == "4321" and source(entry) == ConfigSource.STATIC_BROKER_CONFIG, entry
    entry = cfg["log.segment.bytes"]
    assert entry.value == "1073741824", entry
    # Commented out in etc/broker.properties, so Kafka's default.
    entry = cfg["log.retention.bytes"]
    assert entry.value == "-1" and source(entry) == ConfigSource.DEFAULT_CONFIG, entry
    for key in ("num.partitions", "log.dirs", "auto.create.topics.enable", "message.max.bytes",
                "socket.request.max.bytes", "log.retention.bytes"):
        assert key in cfg, (key, sorted(cfg))
    assert cfg["log.dirs"].value == b.data_dir, cfg["log.dirs"]
    b.stop()


def test_create_partitions():
    """CreatePartitions grows a topic, keeps its data, refuses to shrink"""
    b = Broker().start()
    wait_future(create(b, NewTopic("grow", 2, 1))["grow"])
    p = producer(b)
    for part in range(2):
        p.produce("grow", b"old-%d" % part, partition=part)
    assert p.flush(TIMEOUT) == 0
    wait_future(admin(b).create_partitions([NewPartitions("grow", 5)],
                                           request_timeout=TIMEOUT)["grow"])
    assert sorted(list_topics(b)["grow"].partitions) == [0, 1, 2, 3, 4]
    shrink = admin(b).create_partitions([NewPartitions("grow", 3)], request_timeout=TIMEOUT)
    assert error_code(shrink["grow"]) == KafkaError.INVALID_PARTITIONS
    same = admin(b).create_partitions([NewPartitions("grow", 5)], request_timeout=TIMEOUT)
    assert error_code(same["grow"]) == KafkaError.INVALID_PARTITIONS
    missing = admin(b).create_partitions([NewPartitions("nope", 5)], request_timeout=TIMEOUT)
    assert error_code(missing["nope"]) == KafkaError.UNKNOWN_TOPIC_OR_PART

    # A new producer sees 5 partitions and can write to the new ones.
    p = producer(b)
    p.produce("grow", b"new-4", partition=4)
    assert p.flush(TIMEOUT) == 0
    b.restart()
    assert sorted(list_topics(b)["grow"].partitions) == [0, 1, 2, 3, 4]
    msgs = consume(b, [TopicPartition("grow", i, OFFSET_BEGINNING) for i in range(5)], 3)
    assert sorted((m.partition(), m.value()) for m in msgs) == \
        [(0, b"old-0"), (1, b"old-1"), (4, b"new-4")]
    b.stop()


def test_delete_topics():
    """DeleteTopics removes the topic and its files; the name can be reused"""
    b = Broker().start()
    wait_future(create(b, NewTopic("doomed", 3, 1))["doomed"])
    p = producer(b)
    for i in range(30):
        p.produce("doomed", b"x%d" % i, partition=i % 3)
    assert p.flush(TIMEOUT) == 0
    wait_future(admin(b).delete_topics(["doomed"], operation_timeout=30,
                                       request_timeout=TIMEOUT)["doomed"])
    assert "doomed" not in list_topics(b)
    harness.wait_for(lambda: not any(n.startswith("doomed-") for n in os.listdir(b.data_dir)),
                     what="the partition directories of the deleted topic to go")
    missing = admin(b).delete_topics(["never-was"], request_timeout=TIMEOUT)
    assert error_code(missing["never-was"]) == KafkaError.UNKNOWN_TOPIC_OR_PART

    b.restart()
    assert "doomed" not in list_topics(b), "deleted topic came back after restart"
    wait_future(create(b, NewTopic("doomed", 1, 1))["doomed"])
    c = consumer(b)
    try:
        low, high = c.get_watermark_offsets(TopicPartition("doomed", 0), timeout=TIMEOUT)
    finally:
        c.close()
    assert (low, high) == (0, 0), "recreated topic is not empty: %s" % ((low, high),)
    b.stop()


def test_idempotent_producer_delivery_reports():
    """idempotent producer: every delivery report OK, each record at its reported offset"""
    b = Broker({"num.partitions": 3}).start()
    reports = {}
    errors = []

    def on_delivery(err, msg):
        if err:
            errors.append(err)
        else:
            reports[msg.value()] = (msg.partition(), msg.offset())

    p = producer(b, **{"enable.idempotence": True, "linger.ms": 5})
    values = [b"idem-%05d" % i for i in range(3000)]
    for i, v in enumerate(values):
        p.produce("idem", v, key=b"k%d" % (i % 17), on_delivery=on_delivery)
        p.poll(0)
    assert p.flush(TIMEOUT) == 0
    assert not errors, errors[:5]
    assert len(reports) == len(values)
    by_part = {}
    for part, off in reports.values():
        by_part.setdefault(part, []).append(off)
    for part, offs in by_part.items():
        assert sorted(offs) == list(range(len(offs))), "partition %d offsets not dense" % part
    msgs = consume(b, [TopicPartition("idem", i, OFFSET_BEGINNING) for i in range(3)], len(values))
    got = {m.value(): (m.partition(), m.offset()) for m in msgs}
    assert len(msgs) == len(values), "%d records for %d produced" % (len(msgs), len(values))
    assert got == reports, "records are not where the delivery reports said"
    b.stop()


def test_offsets_for_times():
    """Consumer.offsets_for_times over several partitions and compressed batches"""
    b = Broker({"num.partitions": 3}).start()
    t0 = 1600000000000
    # zstd: the codec librdkafka 2.0.2 does compress against this broker.
    p = producer(b, **{"linger.ms": 100, "compression.codec": "zstd"})
    for part in range(3):
        for i in range(50):
            p.produce("times", b"%d-%d " % (part, i) + b"y" * 100, partition=part,
                      timestamp=t0 + i * 10)
    assert p.flush(TIMEOUT) == 0
    with open(b.segment_path("times", 0, 0), "rb") as f:
        codecs = {bt["attributes"] & 7 for bt in kproto.parse_batches(f.read())}
    assert codecs == {kproto.CODEC_ZSTD}, "batches not zstd-compressed: %s" % codecs
    c = consumer(b)
    try:
        query = [TopicPartition("times", 0, t0 + 125), TopicPartition("times", 1, t0),
                 TopicPartition("times", 2, t0 + 490), TopicPartition("times", 0, t0 + 10 ** 9)]
        for tp in query:
            res = c.offsets_for_times([tp], timeout=TIMEOUT)[0]
            assert res.error is None, res
            ts = tp.offset
            want = -1 if ts > t0 + 490 else (ts - t0 + 9) // 10
            assert res.offset == want, "partition %d ts %d: offset %d, expected %d" % (
                tp.partition, ts, res.offset, want)
    finally:
        c.close()
    b.stop()


def test_assign_consume_exactly_once():
    """assign() over 6 partitions: every record exactly once, per-partition order"""
    b = Broker({"num.partitions": 6}).start()
    rng = random.Random(6)
    p = producer(b, **{"linger.ms": 2, "compression.codec": "zstd"})
    sent = []
    for i in range(5000):
        key = b"key-%d" % rng.randrange(100)
        value = b"%06d:" % i + bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        sent.append((key, value))
        p.produce("spread", value, key=key)
        p.poll(0)
    assert p.flush(TIMEOUT) == 0
    msgs = consume(b, [TopicPartition("spread", i, OFFSET_BEGINNING) for i in range(6)], len(sent))
    positions = [(m.partition(), m.offset()) for m in msgs]
    assert len(positions) == len(set(positions)), "some records were delivered twice"
    assert sorted((m.key(), m.value()) for m in msgs) == sorted(sent), "records differ"
    for part in range(6):
        seqs = [int(m.value()[:6]) for m in msgs if m.partition() == part]
        assert seqs == sorted(seqs), "partition %d out of order" % part
    assert len({m.partition() for m in msgs}) == 6
    b.stop()


def test_long_poll_receives_later_record():
    """a consumer waiting with a long fetch.wait.max.ms receives a record produced later"""
    b = Broker().start()
    p = producer(b)
    p.produce("lp", b"first", partition=0)
    assert p.flush(TIMEOUT) == 0
    c = consumer(b, **{"fetch.wait.max.ms": 20000, "enable.partition.eof": False})
    try:
        # Start at the current end, explicitly, so the later record cannot be
        # skipped by an end offset resolved after it was written.
        c.assign([TopicPartition("lp", 0, 1)])
        assert c.poll(1.0) is None
        got = []
        done = threading.Event()

        def consume_loop():
            while not done.is_set() and not got:
                msg = c.poll(0.2)
                if msg is not None:
                    got.append(msg)
            done.set()

        t = threading.Thread(target=consume_loop)
        t.start()
        try:
            p.produce("lp", b"later", partition=0)
            assert p.flush(TIMEOUT) == 0
            harness.wait_for(lambda: done.is_set(), what="the consumer to get the record")
        finally:
            done.set()
            t.join()
        assert not got[0].error(), got[0].error()
        assert (got[0].offset(), got[0].value()) == (1, b"later")
    finally:
        c.close()
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
