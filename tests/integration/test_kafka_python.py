"""kafka-python (Debian's python3-kafka 2.0.2, pure Python) against a real
connectd broker: KafkaProducer with acks=all and every codec, KafkaConsumer
in a group (subscribe, commit, committed offsets, seek, a rebalance between
two members), KafkaAdminClient (topics, configs, groups, group offsets).

kafka-python does not pick versions from the broker's ApiVersions ranges
alone: it infers a broker release from them (the newest of its probes the
broker supports: connectd lacks DescribeAcls, so Produce v8 makes it 2.4)
and then takes the versions its own tables give that release; only the
admin client intersects ranges.  What it negotiated with connectd, seen on
the wire by harness.RequestTap (test_negotiated_versions asserts it):

    ApiVersions v0, Metadata v0 (probe), v1 and v5, Produce v7, Fetch v4,
    ListOffsets v1, FindCoordinator v0, JoinGroup v2, SyncGroup v1,
    Heartbeat v1, LeaveGroup v1, OffsetCommit v2, OffsetFetch v1 (consumer)
    and v3 (admin: all partitions of a group), ListGroups v1,
    DescribeGroups v3, CreateTopics v3, DeleteTopics v3, DescribeConfigs v2,
    AlterConfigs v1

All four codecs are tested: python3-lz4, python3-snappy and
python3-zstandard are installed by .ci/install-deps (gzip is the standard
library's); test_codecs fails, naming it, if kafka-python finds one missing.
"""

import os
import sys
import threading
import traceback

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402

import kafka.codec  # noqa: E402
from kafka import (ConsumerRebalanceListener, KafkaAdminClient, KafkaConsumer,  # noqa: E402
                   KafkaProducer, OffsetAndMetadata, TopicPartition)
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic  # noqa: E402
from kafka.errors import TopicAlreadyExistsError  # noqa: E402

TIMEOUT = harness.DEFAULT_TIMEOUT
TIMEOUT_MS = int(TIMEOUT * 1000)

# Kafka's DescribeConfigs config_source values.
SOURCE_DYNAMIC_TOPIC, SOURCE_STATIC_BROKER, SOURCE_DEFAULT = 1, 4, 5


def start(overrides=None):
    """A broker behind a RequestTap, started; returns the tap (its bootstrap
    is what clients are given, its .broker the broker)."""
    tap = harness.RequestTap(overrides)
    tap.broker.start()
    return tap


def admin(tap):
    return KafkaAdminClient(bootstrap_servers=tap.bootstrap, request_timeout_ms=TIMEOUT_MS)


def producer(tap, **conf):
    return KafkaProducer(bootstrap_servers=tap.bootstrap, acks="all", request_timeout_ms=TIMEOUT_MS, **conf)


def create_topic(adm, name, partitions, configs=None):
    res = adm.create_topics([NewTopic(name, partitions, 1, topic_configs=configs or {})],
                            timeout_ms=TIMEOUT_MS)
    assert [tuple(t)[:2] for t in res.topic_errors] == [(name, 0)], res


def produce(tap, topic, records, **conf):
    """Sends (partition, key, value, headers) tuples, acks=all; returns the
    RecordMetadata of each, in order."""
    p = producer(tap, **conf)
    try:
        futs = [p.send(topic, key=key, value=value, headers=headers, partition=part)
                for part, key, value, headers in records]
        p.flush(TIMEOUT)
        return [f.get(TIMEOUT) for f in futs]
    finally:
        p.close(TIMEOUT)


def poll_until(consumer, count, what):
    """Polls `consumer` until it returned `count` records; returns them."""
    got = []

    def step():
        for msgs in consumer.poll(200).values():
            got.extend(msgs)
        assert len(got) <= count, "%s: %d records, expected %d" % (what, len(got), count)
        return len(got) == count
    harness.wait_for(step, what=what, interval=0)
    return got


def describe_topic_configs(adm, topic):
    """{name: (value, config_source)} of a topic's DescribeConfigs entries."""
    res = adm.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    assert len(res) == 1 and len(res[0].resources) == 1, res
    error_code, _, _, name, entries = res[0].resources[0]
    assert error_code == 0 and name == topic, res
    return {entry[0]: (entry[1], entry[3]) for entry in entries}


def stored_codecs(broker, topic, partition):
    """The codec of every batch in the partition's segment files."""
    codecs = []
    for base in broker.segments(topic, partition):
        with open(broker.segment_path(topic, partition, base), "rb") as f:
            codecs += [b["attributes"] & 7 for b in kproto.parse_batches(f.read(), allow_partial=False)]
    return codecs


def test_codecs():
    """KafkaProducer acks=all with no codec, gzip, snappy, lz4, zstd: offsets, bytes, storage"""
    codecs = [(None, kproto.CODEC_NONE, True), ("gzip", kproto.CODEC_GZIP, kafka.codec.has_gzip()),
              ("snappy", kproto.CODEC_SNAPPY, kafka.codec.has_snappy()),
              ("lz4", kproto.CODEC_LZ4, kafka.codec.has_lz4()),
              ("zstd", kproto.CODEC_ZSTD, kafka.codec.has_zstd())]
    missing = [name for name, _, present in codecs if not present]
    assert not missing, "kafka-python finds no library for %s: run .ci/install-deps" % missing
    tap = start()
    adm = admin(tap)
    for name, codec_id, _ in codecs:
        topic = "codec-%s" % (name or "none")
        create_topic(adm, topic, 1)
        # Values that compress, and bytes of every value, so a codec that
        # garbles or a broker that rewrites would show.
        records = [(0, b"key-%d" % i, bytes(range(256)) * (i % 5) + b"value-%d" % i,
                    [("h", b"%d" % i), ("empty", b"")]) for i in range(50)]
        metas = produce(tap, topic, records, compression_type=name, linger_ms=50)
        assert [m.offset for m in metas] == list(range(50)), (name, [m.offset for m in metas])
        assert all(m.topic == topic and m.partition == 0 for m in metas), name

        c = KafkaConsumer(bootstrap_servers=tap.bootstrap, group_id=None, check_crcs=True,
                          request_timeout_ms=TIMEOUT_MS + 5000)
        try:
            tp = TopicPartition(topic, 0)
            c.assign([tp])
            c.seek_to_beginning(tp)
            got = poll_until(c, 50, "50 records of %s" % topic)
        finally:
            c.close()
        assert [m.offset for m in got] == list(range(50)), name
        for msg, (_, key, value, headers) in zip(got, records):
            assert (msg.key, msg.value, list(msg.headers)) == (key, value, headers), (name, msg)
        # compression.type=producer: stored as the producer compressed it.
        stored = stored_codecs(tap.broker, topic, 0)
        assert stored and all(c == codec_id for c in stored), (name, stored)
    adm.close()
    tap.broker.stop()


def test_subscribe_commit_seek():
    """KafkaConsumer in a group: subscribe, commit, committed, seek, resume from committed offsets"""
    tap = start()
    adm = admin(tap)
    create_topic(adm, "sub", 2)
    adm.close()
    produce(tap, "sub", [(i % 2, None, b"v%d" % i, []) for i in range(20)])
    tp0, tp1 = TopicPartition("sub", 0), TopicPartition("sub", 1)

    c = KafkaConsumer(bootstrap_servers=tap.bootstrap, group_id="g-sub", enable_auto_commit=False,
                      auto_offset_reset="earliest", request_timeout_ms=TIMEOUT_MS + 5000)
    c.subscribe(["sub"])
    got = poll_until(c, 20, "20 records of sub")
    assert sorted((m.partition, m.offset) for m in got) == [(p, o) for p in (0, 1) for o in range(10)]
    assert c.assignment() == {tp0, tp1}, c.assignment()
    assert c.committed(tp0) is None and c.committed(tp1) is None
    c.commit()
    assert (c.committed(tp0), c.committed(tp1)) == (10, 10)
    # Explicit offsets, with metadata, replace what was committed.
    c.commit({tp0: OffsetAndMetadata(4, "half")})
    assert (c.committed(tp0), c.committed(tp1)) == (4, 10)

    c.seek(tp1, 3)
    got = poll_until(c, 7, "offsets 3-9 of partition 1 after seek")
    assert [(m.partition, m.offset) for m in got] == [(1, o) for o in range(3, 10)], got
    c.seek_to_beginning(tp0)
    assert c.position(tp0) == 0
    got = poll_until(c, 10, "partition 0 again after seek_to_beginning")
    assert [(m.partition, m.offset) for m in got] == [(0, o) for o in range(10)], got
    assert c.end_offsets([tp0, tp1]) == {tp0: 10, tp1: 10}
    assert c.beginning_offsets([tp0, tp1]) == {tp0: 0, tp1: 0}
    c.close()

    # A new member of the group starts from the committed offsets.
    c = KafkaConsumer("sub", bootstrap_servers=tap.bootstrap, group_id="g-sub", enable_auto_commit=False,
                      auto_offset_reset="earliest", request_timeout_ms=TIMEOUT_MS + 5000)
    got = poll_until(c, 6, "partition 0 from committed offset 4")
    assert [(m.partition, m.offset) for m in got] == [(0, o) for o in range(4, 10)], got
    assert c.poll(1000) == {}, "partition 1 was committed at its end"
    c.close()
    tap.broker.stop()


class Member:
    """A KafkaConsumer in a group, on its own thread (a KafkaConsumer is not
    thread-safe, so only that thread touches it; in one thread, one member's
    JoinGroup would wait on a member that cannot poll).  It commits after
    every poll that returned records, records its assignments through a
    ConsumerRebalanceListener, and leaves the group on stop()."""

    def __init__(self, tap, group, topic, name):
        self.name = name
        self.assignments = []
        self.records = []
        self.error = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._args = (tap, group, topic)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        tap, group, topic = self._args
        member = self

        class Listener(ConsumerRebalanceListener):
            def on_partitions_revoked(self, revoked):
                pass

            def on_partitions_assigned(self, assigned):
                with member._lock:
                    member.assignments.append(sorted(tp.partition for tp in assigned))

        try:
            c = KafkaConsumer(bootstrap_servers=tap.bootstrap, group_id=group, client_id=self.name,
                              enable_auto_commit=False, auto_offset_reset="earliest",
                              heartbeat_interval_ms=500, request_timeout_ms=TIMEOUT_MS + 5000)
            try:
                c.subscribe([topic], listener=Listener())
                while not self._stop.is_set():
                    batch = c.poll(100)
                    if batch:
                        with self._lock:
                            self.records += [(m.partition, m.offset) for msgs in batch.values() for m in msgs]
                        c.commit()
            finally:
                c.close()
        except Exception:
            self.error = traceback.format_exc()

    def assignment(self):
        with self._lock:
            return self.assignments[-1] if self.assignments else None

    def consumed(self):
        with self._lock:
            return list(self.records)

    def stop(self):
        self._stop.set()
        self._thread.join(TIMEOUT)
        assert not self._thread.is_alive(), "%s did not close within %.0f s" % (self.name, TIMEOUT)
        assert self.error is None, "%s failed:\n%s" % (self.name, self.error)


def test_rebalance():
    """Two KafkaConsumers in a group: the partitions split on join, return on leave, nothing read twice"""
    tap = start()
    adm = admin(tap)
    create_topic(adm, "rb", 4)
    produce(tap, "rb", [(i % 4, None, b"a%d" % i, []) for i in range(20)])
    every = [0, 1, 2, 3]

    a = Member(tap, "g-rb", "rb", "member-a")
    b = None
    try:
        harness.wait_for(lambda: a.error or (a.assignment() == every and len(a.consumed()) == 20),
                         what="member-a to own every partition and read 20 records")
        assert a.error is None, a.error

        b = Member(tap, "g-rb", "rb", "member-b")

        def split():
            assert a.error is None and b.error is None, (a.error, b.error)
            pa, pb = a.assignment(), b.assignment()
            return pb and pa and not set(pa) & set(pb) and sorted(pa + pb) == every
        harness.wait_for(split, what="the partitions to split between the two members")
        # The range assignor: two partitions each.
        assert (a.assignment(), b.assignment()) == ([0, 1], [2, 3]), (a.assignments, b.assignments)

        groups = adm.describe_consumer_groups(["g-rb"])
        assert len(groups) == 1 and groups[0].error_code == 0 and groups[0].state == "Stable", groups
        members = {m.client_id: sorted(p for t in m.member_assignment.assignment for p in t[1])
                   for m in groups[0].members}
        assert members == {"member-a": [0, 1], "member-b": [2, 3]}, groups

        produce(tap, "rb", [(i % 4, None, b"b%d" % i, []) for i in range(20)])
        harness.wait_for(lambda: len(a.consumed()) + len(b.consumed()) >= 40, what="the 20 new records")
        new_a = sorted(r for r in a.consumed()[20:])
        new_b = sorted(b.consumed())
        assert new_a == [(p, o) for p in (0, 1) for o in range(5, 10)], new_a
        assert new_b == [(p, o) for p in (2, 3) for o in range(5, 10)], new_b

        def committed():
            return {tp.partition: om.offset for tp, om in adm.list_consumer_group_offsets("g-rb").items()}
        harness.wait_for(lambda: committed() == {p: 10 for p in every}, what="offsets 10 committed")

        b.stop()
        b = None
        harness.wait_for(lambda: a.error or a.assignment() == every,
                         what="member-a to own every partition again after member-b left")
        assert a.error is None, a.error
        produce(tap, "rb", [(p, None, b"c%d" % p, []) for p in every])
        harness.wait_for(lambda: len(a.consumed()) == 34, what="member-a to read the 4 newest records")
        assert sorted(a.consumed()[30:]) == [(p, 10) for p in every], a.consumed()[30:]
        a.stop()
        # Every record read once: the commits after each poll left nothing to read again.
        assert len(set(a.consumed())) == len(a.consumed())
    finally:
        for m in (a, b):
            if m is not None and m._thread.is_alive():
                m.stop()
    adm.close()
    tap.broker.stop()


def test_admin():
    """KafkaAdminClient: create/describe/alter/delete topics, list and describe groups, group offsets"""
    # node.id=1: kafka-python sends a BROKER resource's DescribeConfigs to
    # the node the name gives, and waits for ever for a node that does not exist.
    tap = start({"node.id": 1, "log.retention.bytes": 777777})
    adm = admin(tap)
    create_topic(adm, "adm", 3, {"retention.ms": "123456", "cleanup.policy": "delete"})
    try:
        adm.create_topics([NewTopic("adm", 1, 1)], timeout_ms=TIMEOUT_MS)
        raise AssertionError("a second CreateTopics of adm succeeded")
    except TopicAlreadyExistsError:
        pass
    res = adm.create_topics([NewTopic("dry", 1, 1)], timeout_ms=TIMEOUT_MS, validate_only=True)
    assert [tuple(t)[:2] for t in res.topic_errors] == [("dry", 0)], res
    assert "adm" in adm.list_topics() and "dry" not in adm.list_topics(), adm.list_topics()

    cfg = describe_topic_configs(adm, "adm")
    assert cfg["retention.ms"] == ("123456", SOURCE_DYNAMIC_TOPIC), cfg["retention.ms"]
    assert cfg["cleanup.policy"] == ("delete", SOURCE_DYNAMIC_TOPIC), cfg["cleanup.policy"]
    assert cfg["retention.bytes"] == ("777777", SOURCE_STATIC_BROKER), cfg["retention.bytes"]
    assert cfg["compression.type"] == ("producer", SOURCE_DEFAULT), cfg["compression.type"]

    # AlterConfigs replaces the topic's whole set: cleanup.policy, left
    # out, falls back to its default.
    res = adm.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "adm", configs={"retention.ms": "654321"})])
    assert [tuple(r)[0] for r in res.resources] == [0], res
    cfg = describe_topic_configs(adm, "adm")
    assert cfg["retention.ms"] == ("654321", SOURCE_DYNAMIC_TOPIC), cfg["retention.ms"]
    assert cfg["cleanup.policy"] == ("delete", SOURCE_DEFAULT), cfg["cleanup.policy"]

    res = adm.describe_configs([ConfigResource(ConfigResourceType.BROKER, "1")])
    entries = {e[0]: (e[1], e[3]) for e in res[0].resources[0][4]}
    assert entries["log.retention.bytes"] == ("777777", SOURCE_STATIC_BROKER), entries["log.retention.bytes"]
    assert entries["log.dirs"][0] == tap.broker.data_dir, entries["log.dirs"]

    produce(tap, "adm", [(p, None, b"x", []) for p in (0, 1, 2, 2)])
    c = KafkaConsumer("adm", bootstrap_servers=tap.bootstrap, group_id="g-adm", client_id="adm-member",
                      enable_auto_commit=False, auto_offset_reset="earliest", request_timeout_ms=TIMEOUT_MS + 5000)
    poll_until(c, 4, "the 4 records of adm")
    c.commit()
    assert ("g-adm", "consumer") in adm.list_consumer_groups(), adm.list_consumer_groups()
    groups = adm.describe_consumer_groups(["g-adm"])
    assert len(groups) == 1, groups
    grp = groups[0]
    assert (grp.error_code, grp.group, grp.state, grp.protocol_type, grp.protocol) == \
        (0, "g-adm", "Stable", "consumer", "range"), grp
    assert [m.client_id for m in grp.members] == ["adm-member"], grp.members
    assert grp.members[0].member_metadata.subscription == ["adm"], grp.members[0]
    offsets = adm.list_consumer_group_offsets("g-adm")
    assert {tp.partition: om.offset for tp, om in offsets.items()} == {0: 1, 1: 1, 2: 2}, offsets
    assert {tp.topic for tp in offsets} == {"adm"}, offsets
    c.close()
    # After the member left: an empty group that keeps its offsets.
    grp = adm.describe_consumer_groups(["g-adm"])[0]
    assert (grp.state, grp.members) == ("Empty", []), grp
    assert len(adm.list_consumer_group_offsets("g-adm")) == 3

    res = adm.delete_topics(["adm"], timeout_ms=TIMEOUT_MS)
    assert [tuple(t) for t in res.topic_error_codes] == [("adm", 0)], res
    harness.wait_for(lambda: "adm" not in adm.list_topics(), what="adm to leave the topic list")
    adm.close()
    tap.broker.stop()


# The versions the module docstring lists, by API key.
NEGOTIATED = {
    kproto.API_VERSIONS: [0], kproto.METADATA: [0, 1, 5], kproto.PRODUCE: [7], kproto.FETCH: [4],
    kproto.LIST_OFFSETS: [1], kproto.FIND_COORDINATOR: [0], kproto.JOIN_GROUP: [2],
    kproto.SYNC_GROUP: [1], kproto.HEARTBEAT: [1], kproto.LEAVE_GROUP: [1], kproto.OFFSET_COMMIT: [2],
    kproto.OFFSET_FETCH: [1, 3], kproto.LIST_GROUPS: [1], kproto.DESCRIBE_GROUPS: [3],
    kproto.CREATE_TOPICS: [3], kproto.DELETE_TOPICS: [3], 32: [2], 33: [1],
}


def test_negotiated_versions():
    """The API versions kafka-python 2.0.2 negotiates with connectd, each within the broker's range"""
    tap = start()
    adm = admin(tap)
    assert adm.config["api_version"] == (2, 4, 0), adm.config["api_version"]
    create_topic(adm, "ver", 1, {"retention.ms": "60000"})
    describe_topic_configs(adm, "ver")
    adm.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "ver", configs={"retention.ms": "70000"})])
    produce(tap, "ver", [(0, None, b"v", [])], compression_type="gzip")
    c = KafkaConsumer("ver", bootstrap_servers=tap.bootstrap, group_id="g-ver", enable_auto_commit=False,
                      auto_offset_reset="earliest", heartbeat_interval_ms=100,
                      request_timeout_ms=TIMEOUT_MS + 5000)
    assert c.config["api_version"] == (2, 4, 0), c.config["api_version"]
    poll_until(c, 1, "the record of ver")
    c.commit()
    assert c.committed(TopicPartition("ver", 0)) == 1
    assert c.end_offsets([TopicPartition("ver", 0)]) == {TopicPartition("ver", 0): 1}
    harness.wait_for(lambda: kproto.HEARTBEAT in tap.versions(), what="a heartbeat")
    adm.list_consumer_groups()
    adm.describe_consumer_groups(["g-ver"])
    adm.list_consumer_group_offsets("g-ver")
    c.close()
    adm.delete_topics(["ver"], timeout_ms=TIMEOUT_MS)
    adm.close()

    tap.check_versions(NEGOTIATED)
    tap.broker.stop()


harness.main(globals())
