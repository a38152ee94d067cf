"""kafkajs (2.2.4, pinned by tests/integration/node/package-lock.json and
installed there by .ci/install-deps) against a real connectd broker: a node
script, node/kafkajs_check.js, makes the admin, producer and consumer-group
calls of a kafkajs application and prints their results as JSON; this test
asserts on them, on the segment files, and on the API versions used.

kafkajs takes, per API, the newest version both it and the broker support.
It implements no flexible version (KIP-482) of any API, so against connectd
it negotiated, as harness.RequestTap saw on the wire (test_kafkajs asserts
it):

    ApiVersions v2, Metadata v6, Produce v7, Fetch v11, ListOffsets v3,
    FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3,
    LeaveGroup v3, OffsetCommit v5, OffsetFetch v4, ListGroups v2,
    DescribeGroups v2, CreateTopics v3, DeleteTopics v1, DescribeConfigs v2,
    AlterConfigs v1

GZIP is the one codec kafkajs carries (snappy, lz4 and zstd are plug-in
packages an application adds), so records go out uncompressed and gzip.
"""

import json
import os
import shutil
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
SCRIPT = os.path.join(NODE_DIR, "kafkajs_check.js")

# Kafka's DescribeConfigs config_source values.
SOURCE_DYNAMIC_TOPIC, SOURCE_DEFAULT = 1, 5

# The versions the module docstring lists, by API key.
NEGOTIATED = {
    kproto.API_VERSIONS: [2], kproto.METADATA: [6], kproto.PRODUCE: [7], kproto.FETCH: [11],
    kproto.LIST_OFFSETS: [3], kproto.FIND_COORDINATOR: [2], kproto.JOIN_GROUP: [5],
    kproto.SYNC_GROUP: [3], kproto.HEARTBEAT: [3], kproto.LEAVE_GROUP: [3], kproto.OFFSET_COMMIT: [5],
    kproto.OFFSET_FETCH: [4], kproto.LIST_GROUPS: [2], kproto.DESCRIBE_GROUPS: [2],
    kproto.CREATE_TOPICS: [3], kproto.DELETE_TOPICS: [1], 32: [2], 33: [1],
}


def run_check(tap, topic, group):
    """Runs kafkajs_check.js against the tap; returns its JSON."""
    node = shutil.which("node")
    assert node, "no node on PATH: kafkajs needs Node.js"
    assert os.path.isdir(os.path.join(NODE_DIR, "node_modules", "kafkajs")), \
        "kafkajs is not installed in %s: run .ci/install-deps" % NODE_DIR
    res = harness.run([node, SCRIPT, tap.bootstrap, topic, group], timeout=120, check=False)
    stderr = res.stderr.decode("utf-8", "replace")
    assert res.returncode == 0, "kafkajs_check.js exited with %d:\n%s" % (res.returncode, stderr[-20000:])
    return json.loads(res.stdout)


def stored_codecs(broker, topic, partition):
    """The codec of every batch in the partition's segment files."""
    codecs = []
    for base in broker.segments(topic, partition):
        with open(broker.segment_path(topic, partition, base), "rb") as f:
            codecs += [b["attributes"] & 7 for b in kproto.parse_batches(f.read(), allow_partial=False)]
    return codecs


def configs(described):
    assert len(described) == 1 and described[0]["errorCode"] == 0, described
    return described[0]["configs"]


def test_kafkajs():
    """kafkajs admin, producer (acks -1, none and gzip) and consumer group against connectd"""
    tap = harness.RequestTap()
    tap.broker.start()
    out = run_check(tap, "js-t", "js-g")

    assert out["created"] is True and out["createdAgain"] is False, (out["created"], out["createdAgain"])
    assert out["metadata"] == [{"name": "js-t", "partitions": [
        {"partitionId": p, "leader": 0, "errorCode": 0} for p in range(3)]}], out["metadata"]

    cfg = configs(out["configsCreated"])
    assert cfg["retention.ms"] == {"value": "123456", "source": SOURCE_DYNAMIC_TOPIC, "isDefault": False}, cfg
    assert cfg["cleanup.policy"] == {"value": "delete", "source": SOURCE_DYNAMIC_TOPIC, "isDefault": False}, cfg
    assert cfg["compression.type"] == {"value": "producer", "source": SOURCE_DEFAULT, "isDefault": True}, cfg
    # AlterConfigs replaced the set: cleanup.policy fell back to its default.
    cfg = configs(out["configsAltered"])
    assert cfg["retention.ms"] == {"value": "654321", "source": SOURCE_DYNAMIC_TOPIC, "isDefault": False}, cfg
    assert cfg["cleanup.policy"] == {"value": "delete", "source": SOURCE_DEFAULT, "isDefault": True}, cfg

    # Five records per partition and codec; each send is one batch per partition.
    assert out["produced"] == [
        {"codec": codec, "metadata": [{"partition": p, "errorCode": 0, "baseOffset": base} for p in range(3)]}
        for codec, base in (("none", "0"), ("gzip", "5"))], out["produced"]
    assert out["offsets"] == [{"partition": p, "low": "0", "high": "10"} for p in range(3)], out["offsets"]
    for part in range(3):
        assert stored_codecs(tap.broker, "js-t", part) == [kproto.CODEC_NONE, kproto.CODEC_GZIP], part

    consumed = out["consumed"]
    assert len(consumed) == 30, len(consumed)
    for part in range(3):
        got = [m for m in consumed if m["partition"] == part]
        want = [(str(o), codec, i) for o, (codec, i) in
                enumerate((codec, i) for codec in ("none", "gzip") for i in range(15) if i % 3 == part)]
        assert [m["offset"] for m in got] == [o for o, _, _ in want], (part, got)
        for m, (_, codec, i) in zip(got, want):
            assert (m["topic"], m["key"], m["value"], m["headers"]) == \
                ("js-t", "k-%s-%d" % (codec, i), "v-%s-%d" % (codec, i), {"codec": codec}), m

    assert out["describeGroupsActive"] == [{
        "groupId": "js-g", "errorCode": 0, "state": "Stable", "protocolType": "consumer",
        "protocol": "RoundRobinAssigner", "members": [{"clientId": "kafkajs-check", "clientHost": "/127.0.0.1"}],
    }], out["describeGroupsActive"]
    assert {"groupId": "js-g", "protocolType": "consumer"} in out["listGroups"], out["listGroups"]
    assert out["fetchOffsets"] == [{"topic": "js-t", "partitions": [
        {"partition": p, "offset": "10"} for p in range(3)]}], out["fetchOffsets"]
    assert out["describeGroupsEmpty"] == [{"groupId": "js-g", "state": "Empty", "members": 0}], \
        out["describeGroupsEmpty"]
    assert "js-t" in out["topicsAfterDelete"] and "js-t-doomed" not in out["topicsAfterDelete"], \
        out["topicsAfterDelete"]
    assert not os.path.exists(tap.broker.partition_dir("js-t-doomed", 0))

    tap.check_versions(NEGOTIATED)
    tap.broker.stop()


harness.main(globals())
