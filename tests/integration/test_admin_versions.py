"""The admin APIs at their flexible versions (KIP-482), with raw requests
(kproto.py) because librdkafka 2.0.2 stops below them: CreateTopics v7 and
its topic ids, DeleteTopics v6 by id, DescribeConfigs v4,
IncrementalAlterConfigs v1 with Kafka's checks, AlterConfigs v2,
CreatePartitions v3, DeleteRecords v2, InitProducerId v4.  AlterConfigs at
the version librdkafka speaks is checked with confluent-kafka too.
"""

import os
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from kproto import TAGS, compact_array, compact_string, i8, i16, i32, i64  # noqa: E402
from harness import Broker  # noqa: E402

from confluent_kafka.admin import AdminClient, ConfigResource  # noqa: E402

NONE, UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG, INVALID_REQUEST = 0, 3, 40, 42
UNKNOWN_TOPIC_ID = 100
TOPIC, BROKER = 2, 4
SET, DELETE, APPEND, SUBTRACT = 0, 1, 2, 3
CREATE_TOPICS, DELETE_TOPICS, DESCRIBE_CONFIGS, ALTER_CONFIGS = 19, 20, 32, 33
INCREMENTAL_ALTER_CONFIGS, CREATE_PARTITIONS = 44, 37


def create_topics_v7(conn, name, partitions, configs):
    def config(kv):
        return compact_string(kv[0]) + compact_string(kv[1]) + TAGS

    topic = (compact_string(name) + i32(partitions) + i16(-1) + compact_array([], None)
             + compact_array(sorted(configs.items()), config) + TAGS)
    r = conn.request_flex(CREATE_TOPICS, 7, compact_array([topic], bytes) + i32(30000) + i8(0) + TAGS)
    r.i32()

    def result(r):
        out = {"name": r.cstring(), "id": r.uuid(), "error": r.i16(), "message": r.cstring(),
               "partitions": r.i32(), "rf": r.i16()}

        def entry(r):
            e = (r.cstring(), r.cstring(), r.i8(), r.i8(), r.i8())
            r.tags()
            return e
        out["configs"] = r.carray(entry)
        r.tags()
        return out
    res = r.carray(result)
    r.tags()
    return res[0]


def describe_configs_v4(conn, rtype, name, keys=None):
    res = compact_array([i8(rtype) + compact_string(name) + compact_array(keys, compact_string) + TAGS], bytes)
    r = conn.request_flex(DESCRIBE_CONFIGS, 4, res + i8(0) + i8(1) + TAGS)
    r.i32()

    def entry(r):
        e = {"name": r.cstring(), "value": r.cstring(), "read_only": r.i8(), "source": r.i8(),
             "sensitive": r.i8()}
        r.carray(lambda r: None)
        e["type"], e["doc"] = r.i8(), r.cstring()
        r.tags()
        return e

    def result(r):
        out = {"error": r.i16(), "message": r.cstring(), "type": r.i8(), "name": r.cstring()}
        out["configs"] = {e["name"]: e for e in r.carray(entry)}
        r.tags()
        return out
    res = r.carray(result)
    r.tags()
    return res[0]


def alter(conn, api, version, resources, validate_only=False):
    """resources: [(type, name, [(key, op, value)])]; returns [(error, message)]."""
    flex = version >= (1 if api == INCREMENTAL_ALTER_CONFIGS else 2)
    arr = compact_array if flex else kproto.array
    s = compact_string if flex else kproto.string
    tags = TAGS if flex else b""

    def config(c):
        op = i8(c[1]) if api == INCREMENTAL_ALTER_CONFIGS else b""
        return s(c[0]) + op + s(c[2]) + tags

    def resource(res):
        return i8(res[0]) + s(res[1]) + arr(res[2], config) + tags
    body = arr(resources, resource) + i8(1 if validate_only else 0) + tags
    r = conn.request_flex(api, version, body) if flex else conn.request(api, version, body)
    r.i32()

    def result(r):
        out = (r.i16(), r.cstring() if flex else r.string())
        r.i8()
        r.cstring() if flex else r.string()
        if flex:
            r.tags()
        return out
    return r.carray(result) if flex else r.array(result)


def test_create_topics_v7_ids_and_configs():
    """CreateTopics v7 answers partitions, configs and a topic id that survives restarts; DeleteTopics v6 by id"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        res = create_topics_v7(conn, "ids", 3, {"retention.ms": "123456"})
        assert res["error"] == NONE, res
        assert (res["partitions"], res["rf"]) == (3, 1), res
        assert res["id"] != bytes(16), res
        configs = {c[0]: c for c in res["configs"]}
        assert configs["retention.ms"][1:] == ("123456", 0, 1, 0), configs["retention.ms"]  # DYNAMIC_TOPIC_CONFIG
        again = create_topics_v7(conn, "ids", 3, {})
        assert again["error"] == 36 and again["configs"] is None and again["id"] == bytes(16), again
        other = create_topics_v7(conn, "other", 1, {})
        assert other["id"] not in (bytes(16), res["id"]), other
    b.restart()
    with kproto.Conn(b.port) as conn:
        def delete_v6(name, topic_id):
            topic = compact_string(name) + topic_id + TAGS
            r = conn.request_flex(DELETE_TOPICS, 6, compact_array([topic], bytes) + i32(30000) + TAGS)
            r.i32()

            def result(r):
                out = (r.cstring(), r.uuid(), r.i16(), r.cstring())
                r.tags()
                return out
            return r.carray(result)[0]
        name, topic_id, err, msg = delete_v6(None, res["id"])
        assert (name, topic_id, err, msg) == ("ids", res["id"], NONE, None), (name, err, msg)
        assert delete_v6(None, res["id"])[2] == UNKNOWN_TOPIC_ID
        assert delete_v6("other", other["id"])[2] == INVALID_REQUEST
        assert delete_v6("other", bytes(16))[:3] == ("other", other["id"], NONE)
        assert list(kproto.metadata(conn, None)["topics"]) == []
    b.stop()


def test_incremental_alter_configs_v1():
    """IncrementalAlterConfigs v1: SET, DELETE, APPEND, SUBTRACT, Kafka's errors, persisted; DescribeConfigs v4 shows it"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        assert create_topics_v7(conn, "inc", 1, {"retention.ms": "1000"})["error"] == NONE
        ok = alter(conn, INCREMENTAL_ALTER_CONFIGS, 1, [
            (TOPIC, "inc", [("retention.ms", DELETE, None), ("segment.ms", SET, "600000"),
                            ("cleanup.policy", APPEND, "compact")])])
        assert ok == [(NONE, None)], ok
        refused = alter(conn, INCREMENTAL_ALTER_CONFIGS, 1, [
            (TOPIC, "inc", [("segment.ms", SET, "1"), ("segment.ms", DELETE, None)]),
            (TOPIC, "inc", [("segment.ms", SET, None)]),
            (TOPIC, "inc", [("segment.ms", 7, "1")]),
            (TOPIC, "inc", [("segment.ms", APPEND, "1")]),
            (TOPIC, "inc", [("no.such.key", SET, "1")]),
            (TOPIC, "inc", [("segment.ms", SET, "abc")]),
            (TOPIC, "absent", [("segment.ms", SET, "1")]),
            (BROKER, "", [("num.partitions", SET, "3")]),
        ])
        assert [e for e, _ in refused] == [INVALID_REQUEST, INVALID_REQUEST, INVALID_REQUEST, INVALID_CONFIG,
                                          INVALID_CONFIG, INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION,
                                          INVALID_REQUEST], refused
        assert all(m for _, m in refused), refused
        dry = alter(conn, INCREMENTAL_ALTER_CONFIGS, 1, [(TOPIC, "inc", [("segment.ms", SET, "1")])],
                    validate_only=True)
        assert dry == [(NONE, None)], dry
    b.restart()
    with kproto.Conn(b.port) as conn:
        d = describe_configs_v4(conn, TOPIC, "inc")
        assert d["error"] == NONE, d
        c = d["configs"]
        assert c["segment.ms"]["value"] == "600000" and c["segment.ms"]["source"] == 1, c["segment.ms"]
        assert c["segment.ms"]["type"] == 5 and c["segment.ms"]["doc"], c["segment.ms"]  # LONG
        assert c["retention.ms"]["source"] != 1, c["retention.ms"]
        assert c["cleanup.policy"]["value"] == "delete,compact", c["cleanup.policy"]
        assert c["cleanup.policy"]["type"] == 7, c["cleanup.policy"]  # LIST
        ok = alter(conn, INCREMENTAL_ALTER_CONFIGS, 1, [(TOPIC, "inc", [("cleanup.policy", SUBTRACT, "delete")])])
        assert ok == [(NONE, None)], ok
        assert describe_configs_v4(conn, TOPIC, "inc", ["cleanup.policy"])["configs"]["cleanup.policy"]["value"] \
            == "compact"
    b.stop()


def test_alter_configs_replaces_overrides():
    """AlterConfigs (v2 raw, and confluent-kafka's alter_configs) replaces a topic's whole set of overrides"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        assert create_topics_v7(conn, "alt", 1, {"retention.ms": "1000", "segment.ms": "700000"})["error"] == NONE
        ok = alter(conn, ALTER_CONFIGS, 2, [(TOPIC, "alt", [("retention.ms", SET, "2000")])])
        assert ok == [(NONE, None)], ok
        c = describe_configs_v4(conn, TOPIC, "alt")["configs"]
        assert c["retention.ms"]["value"] == "2000" and c["segment.ms"]["source"] != 1, c
        bad = alter(conn, ALTER_CONFIGS, 0, [(TOPIC, "alt", [("retention.ms", SET, "x")])])
        assert bad[0][0] == INVALID_CONFIG, bad

    client = AdminClient({"bootstrap.servers": b.bootstrap})
    res = ConfigResource(ConfigResource.Type.TOPIC, "alt", set_config={"segment.ms": "800000"})
    client.alter_configs([res], request_timeout=harness.DEFAULT_TIMEOUT)[res].result(
        timeout=harness.DEFAULT_TIMEOUT)
    got = client.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "alt")],
                                  request_timeout=harness.DEFAULT_TIMEOUT)
    cfg = list(got.values())[0].result(timeout=harness.DEFAULT_TIMEOUT)
    assert cfg["segment.ms"].value == "800000", cfg["segment.ms"]
    assert cfg["retention.ms"].value != "2000", cfg["retention.ms"]
    b.stop()


def test_create_partitions_delete_records_init_producer_id_flexible():
    """CreatePartitions v3, DeleteRecords v2 and InitProducerId v4 at their flexible layouts"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        assert create_topics_v7(conn, "flex", 1, {})["error"] == NONE
        topic = compact_string("flex") + i32(2) + compact_array(None, None) + TAGS
        r = conn.request_flex(CREATE_PARTITIONS, 3, compact_array([topic], bytes) + i32(30000) + i8(0) + TAGS)
        r.i32()

        def cp_result(r):
            out = (r.cstring(), r.i16(), r.cstring())
            r.tags()
            return out
        assert r.carray(cp_result) == [("flex", NONE, None)]
        r.tags()

        produce_ok = kproto.produce(conn, "flex", 0, kproto.make_batch([(None, b"a"), (None, b"b")]))
        assert produce_ok["error"] == NONE, produce_ok
        part = i32(0) + i64(1) + TAGS
        topic = compact_string("flex") + compact_array([part], bytes) + TAGS
        r = conn.request_flex(kproto.DELETE_RECORDS, 2, compact_array([topic], bytes) + i32(30000) + TAGS)
        r.i32()

        def dr_part(r):
            out = (r.i32(), r.i64(), r.i16())
            r.tags()
            return out

        def dr_topic(r):
            out = (r.cstring(), r.carray(dr_part))
            r.tags()
            return out
        assert r.carray(dr_topic) == [("flex", [(0, 1, NONE)])]
        r.tags()

        def init_pid(pid, epoch):
            r = conn.request_flex(kproto.INIT_PRODUCER_ID, 4,
                                  compact_string(None) + i32(60000) + i64(pid) + i16(epoch) + TAGS)
            r.i32()
            out = (r.i16(), r.i64(), r.i16())
            r.tags()
            return out
        err, pid, epoch = init_pid(-1, -1)
        assert err == NONE and pid >= 0 and epoch == 0, (err, pid, epoch)
        err, bumped, epoch = init_pid(pid, 0)
        assert err == NONE and bumped != pid and epoch == 0, (err, bumped, epoch)
        assert init_pid(pid, -1)[0] == INVALID_REQUEST
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
