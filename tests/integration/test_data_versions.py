"""The data-path and metadata APIs at their newest, flexible versions
(KIP-482), with raw requests (kproto.py) because librdkafka 2.0.2 stops
below them: Produce v9 and its error messages, Fetch v12 by name and v13 by
topic id (an unknown id included), ListOffsets v7's max timestamp,
Metadata v12 by topic id and FindCoordinator v4 with several keys.  kcat
and confluent-kafka, which negotiate the older versions from the same
ranges, are covered by test_kcat and test_client.
"""

import os
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from kproto import TAGS, compact_array, compact_string, i8, i16, i32, i64, uvarint  # noqa: E402
from harness import Broker  # noqa: E402

NONE, CORRUPT_MESSAGE, UNKNOWN_TOPIC_OR_PARTITION = 0, 2, 3
COORDINATOR_NOT_AVAILABLE, UNKNOWN_TOPIC_ID = 15, 100
INT32_MIN = -(1 << 31)
# AclOperation bits of a topic: READ, WRITE, CREATE, DELETE, ALTER,
# DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (no authorizer: all of them).
TOPIC_OPERATIONS = sum(1 << op for op in (3, 4, 5, 6, 7, 8, 10, 11))
UNKNOWN_ID = bytes(range(1, 17))


def compact_bytes(b):
    return uvarint(0) if b is None else uvarint(len(b) + 1) + b


def metadata_v12(conn, topics, allow_auto_create=False):
    """topics: None for all, else [(name or None, id or None)]; returns a
    list of topic dicts in response order."""
    def topic(t):
        return (t[1] or bytes(16)) + compact_string(t[0]) + TAGS
    body = compact_array(topics, topic) + i8(1 if allow_auto_create else 0) + i8(1) + TAGS
    r = conn.request_flex(kproto.METADATA, 12, body)
    r.i32()  # throttle

    def broker(r):
        out = (r.i32(), r.cstring(), r.i32(), r.cstring())
        r.tags()
        return out
    brokers = r.carray(broker)
    r.cstring()  # cluster id
    controller = r.i32()

    def partition(r):
        out = {"error": r.i16(), "index": r.i32(), "leader": r.i32(), "epoch": r.i32(),
               "replicas": r.carray(kproto.Reader.i32), "isr": r.carray(kproto.Reader.i32),
               "offline": r.carray(kproto.Reader.i32)}
        r.tags()
        return out

    def result(r):
        out = {"error": r.i16(), "name": r.cstring(), "id": r.uuid(), "internal": r.i8(),
               "partitions": r.carray(partition), "ops": r.i32()}
        r.tags()
        return out
    res = r.carray(result)
    r.tags()
    assert r.remaining() == 0, "%d bytes after the Metadata v12 response" % r.remaining()
    assert len(brokers) == 1 and controller == brokers[0][0], (brokers, controller)
    return res


def produce_v9(conn, topic, partition, batch, acks=-1):
    part = i32(partition) + compact_bytes(batch) + TAGS
    body = (compact_string(None) + i16(acks) + i32(30000)
            + compact_array([compact_string(topic) + compact_array([part], bytes) + TAGS], bytes) + TAGS)
    r = conn.request_flex(kproto.PRODUCE, 9, body)

    def partition_result(r):
        out = {"index": r.i32(), "error": r.i16(), "base_offset": r.i64(), "log_append_time": r.i64(),
               "log_start_offset": r.i64(),
               "record_errors": r.carray(lambda r: (r.i32(), r.cstring(), r.tags())),
               "message": r.cstring()}
        r.tags()
        return out

    def topic_result(r):
        out = (r.cstring(), r.carray(partition_result))
        r.tags()
        return out
    topics = r.carray(topic_result)
    r.i32()  # throttle, last in Produce
    r.tags()
    assert r.remaining() == 0
    assert len(topics) == 1 and topics[0][0] == topic and len(topics[0][1]) == 1, topics
    return topics[0][1][0]


def fetch_flex(conn, version, topics, max_wait_ms=100):
    """topics: [(name (v12) or id (v13), [(partition, offset)])]; returns
    [(name or id, [partition dicts])]."""
    def partition(p):
        return i32(p[0]) + i32(-1) + i64(p[1]) + i32(-1) + i64(-1) + i32(1 << 20) + TAGS

    def topic(t):
        key = t[0] if version >= 13 else compact_string(t[0])
        return key + compact_array(t[1], partition) + TAGS
    body = (i32(-1) + i32(max_wait_ms) + i32(1) + i32(1 << 20) + i8(0) + i32(0) + i32(-1)
            + compact_array(topics, topic) + compact_array([], None) + compact_string("") + TAGS)
    r = conn.request_flex(kproto.FETCH, version, body)
    r.i32()  # throttle
    assert r.i16() == NONE  # top-level error
    assert r.i32() == 0  # no fetch session

    def partition_result(r):
        out = {"index": r.i32(), "error": r.i16(), "hwm": r.i64(), "lso": r.i64(), "log_start_offset": r.i64(),
               "aborted": r.carray(lambda r: (r.i64(), r.i64(), r.tags())),
               "preferred_read_replica": r.i32(), "records": r.cbytes()}
        # DivergingEpoch, CurrentLeader and SnapshotId would be tagged here.
        assert r.uvarint() == 0, "no tagged fields expected"
        return out

    def topic_result(r):
        out = (r.uuid() if version >= 13 else r.cstring(), r.carray(partition_result))
        r.tags()
        return out
    res = r.carray(topic_result)
    r.tags()
    assert r.remaining() == 0
    return res


def list_offsets_v7(conn, topic, timestamps):
    """timestamps: {partition: timestamp}; returns {partition: (error, timestamp, offset, epoch)}."""
    def partition(p):
        return i32(p[0]) + i32(-1) + i64(p[1]) + TAGS
    body = (i32(-1) + i8(0)
            + compact_array([compact_string(topic) + compact_array(sorted(timestamps.items()), partition) + TAGS],
                            bytes) + TAGS)
    r = conn.request_flex(kproto.LIST_OFFSETS, 7, body)
    r.i32()  # throttle

    def partition_result(r):
        out = (r.i32(), r.i16(), r.i64(), r.i64(), r.i32())
        r.tags()
        return out

    def topic_result(r):
        out = (r.cstring(), r.carray(partition_result))
        r.tags()
        return out
    topics = r.carray(topic_result)
    r.tags()
    assert r.remaining() == 0
    return {p[0]: p[1:] for p in topics[0][1]}


def find_coordinator_v4(conn, keys, key_type=0):
    r = conn.request_flex(kproto.FIND_COORDINATOR, 4, i8(key_type) + compact_array(keys, compact_string) + TAGS)
    r.i32()  # throttle

    def coordinator(r):
        out = {"key": r.cstring(), "node": r.i32(), "host": r.cstring(), "port": r.i32(), "error": r.i16(),
               "message": r.cstring()}
        r.tags()
        return out
    res = r.carray(coordinator)
    r.tags()
    assert r.remaining() == 0
    return res


def test_metadata_v12_by_topic_id():
    """Metadata v12 answers topic ids, finds a topic by id (null name), and an unknown id is UNKNOWN_TOPIC_ID"""
    b = Broker(overrides={"num.partitions": "2"}).start()
    with kproto.Conn(b.port) as conn:
        node = kproto.metadata(conn, [])["brokers"][0][0]
        [created] = metadata_v12(conn, [("orders", None)], allow_auto_create=True)
        assert created["error"] == NONE and created["name"] == "orders", created
        assert created["id"] != bytes(16), created
        assert created["ops"] == TOPIC_OPERATIONS, created
        assert [(p["index"], p["leader"], p["epoch"], p["replicas"], p["isr"], p["offline"])
                for p in created["partitions"]] == [(i, node, 0, [node], [node], []) for i in range(2)], created
        by_id, unknown = metadata_v12(conn, [(None, created["id"]), (None, UNKNOWN_ID)])
        assert (by_id["error"], by_id["name"], by_id["id"]) == (NONE, "orders", created["id"]), by_id
        assert len(by_id["partitions"]) == 2
        assert (unknown["error"], unknown["name"], unknown["id"], unknown["partitions"]) == \
            (UNKNOWN_TOPIC_ID, None, UNKNOWN_ID, []), unknown
        everything = metadata_v12(conn, None)
        assert [(t["name"], t["id"]) for t in everything] == [("orders", created["id"])], everything
        # A name that does not exist and may not be created: by name, as before.
        [missing] = metadata_v12(conn, [("absent", None)])
        assert (missing["error"], missing["id"]) == (UNKNOWN_TOPIC_OR_PARTITION, bytes(16)), missing
    b.restart()
    with kproto.Conn(b.port) as conn:
        [again] = metadata_v12(conn, [(None, created["id"])])
        assert (again["error"], again["name"]) == (NONE, "orders"), "the id must survive a restart"
    b.stop()


def test_produce_v9_errors():
    """Produce v9 appends, and a refused batch says why in ErrorMessage with no RecordErrors"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        ok = produce_v9(conn, "data", 0, kproto.make_batch([(None, b"a"), (None, b"b")]))
        assert (ok["error"], ok["base_offset"], ok["log_start_offset"]) == (NONE, 0, 0), ok
        assert (ok["record_errors"], ok["message"]) == ([], None), ok
        bad = produce_v9(conn, "data", 0, kproto.make_batch([(None, b"c")], bad_crc=True))
        assert (bad["error"], bad["base_offset"], bad["record_errors"]) == (CORRUPT_MESSAGE, -1, []), bad
        assert "CRC" in bad["message"], bad
        null = produce_v9(conn, "data", 0, None)
        assert null["error"] == 87 and null["message"] == "records are null", null  # INVALID_RECORD
        missing = produce_v9(conn, "data", 5, kproto.make_batch([(None, b"d")]))
        assert (missing["error"], missing["message"]) == (UNKNOWN_TOPIC_OR_PARTITION, None), missing
        again = produce_v9(conn, "data", 0, kproto.make_batch([(None, b"e")]))
        assert (again["error"], again["base_offset"]) == (NONE, 2), again
        assert [rec[3] for rec in kproto.read_all(conn, "data", 0)] == [b"a", b"b", b"e"]
    b.stop()


def test_fetch_v13_by_topic_id():
    """Fetch v12 by name and v13 by topic id return the same batches; an unknown id is UNKNOWN_TOPIC_ID per partition"""
    b = Broker(overrides={"num.partitions": "2"}).start()
    with kproto.Conn(b.port) as conn:
        for value in (b"x", b"y", b"z"):
            assert produce_v9(conn, "events", 0, kproto.make_batch([(None, value)]))["error"] == NONE
        topic_id = metadata_v12(conn, [("events", None)])[0]["id"]

        [(name, by_name)] = fetch_flex(conn, 12, [("events", [(0, 1)])])
        [(got_id, by_id)] = fetch_flex(conn, 13, [(topic_id, [(0, 1)])])
        assert name == "events" and got_id == topic_id
        for part in (by_name[0], by_id[0]):
            assert (part["error"], part["hwm"], part["lso"], part["log_start_offset"]) == (NONE, 3, 3, 0), part
            assert (part["aborted"], part["preferred_read_replica"]) == ([], -1), part
        assert by_name[0]["records"] == by_id[0]["records"]
        values = [rec[3] for batch in kproto.parse_batches(by_id[0]["records"]) for rec in kproto.batch_records(batch)
                  if rec[0] >= 1]
        assert values == [b"y", b"z"], values

        res = fetch_flex(conn, 13, [(UNKNOWN_ID, [(0, 0), (1, 0)]), (topic_id, [(1, 0), (7, 0)])])
        (unknown_id, unknown), (known_id, known) = res
        assert unknown_id == UNKNOWN_ID and [(p["index"], p["error"], p["hwm"], p["records"]) for p in unknown] == \
            [(0, UNKNOWN_TOPIC_ID, -1, b""), (1, UNKNOWN_TOPIC_ID, -1, b"")], unknown
        assert known_id == topic_id and [(p["index"], p["error"]) for p in known] == \
            [(1, NONE), (7, UNKNOWN_TOPIC_OR_PARTITION)], known
    b.stop()


def test_list_offsets_v7_max_timestamp():
    """ListOffsets v7: -3 is the first record with the largest timestamp, -1 and -2 as before, leader epoch 0"""
    b = Broker(overrides={"num.partitions": "2"}).start()
    with kproto.Conn(b.port) as conn:
        t0 = 1700000000000
        batches = [[t0 + 1000, t0 + 5000, t0 + 3000], [t0 + 2000], [t0 + 5000, t0 + 4000]]
        for ts in batches:
            batch = kproto.make_batch([(None, b"v")] * len(ts), timestamps=ts)
            assert produce_v9(conn, "clock", 0, batch)["error"] == NONE
        res = list_offsets_v7(conn, "clock", {0: -3})
        assert res[0] == (NONE, t0 + 5000, 1, 0), res
        res = list_offsets_v7(conn, "clock", {0: -1, 1: -3})
        assert res[0] == (NONE, -1, 6, 0), res
        assert res[1] == (NONE, -1, -1, -1), res  # an empty partition has no max
        assert list_offsets_v7(conn, "clock", {0: -2})[0] == (NONE, -1, 0, 0)
        assert list_offsets_v7(conn, "clock", {0: t0 + 4500})[0] == (NONE, t0 + 5000, 1, 0)
        assert list_offsets_v7(conn, "clock", {9: -3})[9] == (UNKNOWN_TOPIC_OR_PARTITION, -1, -1, -1)
    b.stop()


def test_find_coordinator_v4_batched():
    """FindCoordinator v4 answers several group keys at once; transactional keys each get COORDINATOR_NOT_AVAILABLE"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        node = kproto.metadata(conn, [])["brokers"][0][0]
        res = find_coordinator_v4(conn, ["g1", "g2", "g3"])
        assert [(c["key"], c["node"], c["host"], c["port"], c["error"], c["message"]) for c in res] == \
            [(k, node, "127.0.0.1", b.port, NONE, None) for k in ("g1", "g2", "g3")], res
        res = find_coordinator_v4(conn, ["tx-a", "tx-b"], key_type=1)
        assert [(c["key"], c["node"], c["error"]) for c in res] == \
            [("tx-a", -1, COORDINATOR_NOT_AVAILABLE), ("tx-b", -1, COORDINATOR_NOT_AVAILABLE)], res
        assert find_coordinator_v4(conn, []) == []
        # v3: one key, flexible, the pre-v4 layout.
        r = conn.request_flex(kproto.FIND_COORDINATOR, 3, compact_string("g1") + i8(0) + TAGS)
        r.i32()
        assert (r.i16(), r.cstring(), r.i32(), r.cstring(), r.i32()) == (NONE, None, node, "127.0.0.1", b.port)
        r.tags()
        assert r.remaining() == 0
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
