"""Topics in the metadata log of a connectd cluster (docs/cluster.md):
three real `connectd broker` nodes on loopback, as in
test_cluster_quorum.py.  Topics are created and deleted by the active
controller through the quorum, every node serves Metadata from the image,
and real clients (confluent-kafka, kcat) follow each partition's leader.
"""

import os
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_cluster_quorum import start_cluster, wait_view  # noqa: E402

import kproto  # noqa: E402
from test_admin_versions import (ALTER_CONFIGS, APPEND, DELETE, INCREMENTAL_ALTER_CONFIGS, SET, TOPIC,  # noqa: E402
                                 alter, create_topics_v7, describe_configs_v4)

import confluent_kafka  # noqa: E402
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic  # noqa: E402

NOT_CONTROLLER = 41

TIMEOUT = harness.DEFAULT_TIMEOUT


def topic_view(node, topic):
    """{partition: (leader, replicas, isrs)} of `topic` as a client of
    `node` sees it, or None while the node does not list it."""
    md = AdminClient({"bootstrap.servers": node.bootstrap}).list_topics(timeout=10)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        return None
    return {p.id: (p.leader, list(p.replicas), list(p.isrs)) for p in t.partitions.values()}


def wait_topic(nodes, topic, partitions):
    """Waits until every node lists `topic` with `partitions` partitions,
    each led by a live broker; returns the view they agree on."""
    def agree():
        views = [topic_view(n, topic) for n in nodes]
        first = views[0]
        if first is None or len(first) != partitions or any(v != first for v in views):
            return None
        if any(leader < 1 for leader, _, _ in first.values()):
            return None
        return first
    return harness.wait_for(agree, TIMEOUT, "every node listing %s with %d partitions" % (topic, partitions))


def wait_gone(nodes, topic):
    harness.wait_for(lambda: all(topic_view(n, topic) is None for n in nodes), TIMEOUT,
                     "%s gone from every node's Metadata" % topic)


def create(node, topic, partitions, replication_factor=1):
    """CreateTopics through `node` (the admin client sends it to the
    controller Metadata names); returns the exception, None on success."""
    admin = AdminClient({"bootstrap.servers": node.bootstrap})
    fut = admin.create_topics([NewTopic(topic, partitions, replication_factor)], request_timeout=30)[topic]
    try:
        fut.result(timeout=TIMEOUT)
        return None
    except confluent_kafka.KafkaException as e:
        return e.args[0]


def produce(node, topic, count, partitions):
    """`count` records through a producer bootstrapped on `node`, record i
    to partition i % partitions; every delivery must succeed."""
    p = confluent_kafka.Producer({"bootstrap.servers": node.bootstrap, "acks": "1", "linger.ms": 5})
    errors = []

    def report(err, msg):
        if err is not None:
            errors.append(err)
    for i in range(count):
        p.produce(topic, value=b"v%d" % i, partition=i % partitions, on_delivery=report)
        p.poll(0)
    assert p.flush(TIMEOUT) == 0, "records still undelivered"
    assert not errors, errors


def consume(node, topic, count):
    """Every record of `topic` through a group consumer bootstrapped on
    `node`, as a sorted list of values."""
    c = confluent_kafka.Consumer({"bootstrap.servers": node.bootstrap, "group.id": "g-" + topic,
                                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    values = []

    def drained():
        msg = c.poll(0.5)
        if msg is not None:
            assert not msg.error(), msg.error()
            values.append(msg.value())
        return len(values) >= count
    harness.wait_for(drained, TIMEOUT, "%d records from %s" % (count, topic), interval=0)
    c.close()
    return sorted(values)


def log_bytes(node, topic, partition):
    d = node.partition_dir(topic, partition)
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.endswith(".log"))


def test_topic_lifecycle_across_nodes():
    """a topic created on node 1 is listed by every node with leaders spread over the three; clients reach each leader; delete removes it everywhere"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    assert create(nodes[0], "orders", 6) is None
    view = wait_topic(nodes, "orders", 6)
    assert sorted({leader for leader, _, _ in view.values()}) == [1, 2, 3], view
    for leader, replicas, isrs in view.values():
        assert replicas == [leader] and isrs == [leader], view

    # Bootstrapped on node 2, the producer writes each partition on its
    # leader (the others answer NOT_LEADER_OR_FOLLOWER); a consumer
    # bootstrapped on node 3 reads them all back.
    produce(nodes[1], "orders", 60, 6)
    assert consume(nodes[2], "orders", 60) == sorted(b"v%d" % i for i in range(60))
    by_id = {n.n: n for n in nodes}
    for p, (leader, _, _) in view.items():
        assert log_bytes(by_id[leader], "orders", p) > 0, (p, leader)
        for n in nodes:
            if n.n != leader:
                assert log_bytes(n, "orders", p) == 0, (p, leader, n.n)
    # kcat, bootstrapped on node 1, reads every partition from its leader.
    assert sorted(harness.kcat_values(nodes[0], "orders", 60)) == sorted("v%d" % i for i in range(60))

    # Deleted through node 3: gone from every node's Metadata and disk.
    admin = AdminClient({"bootstrap.servers": nodes[2].bootstrap})
    admin.delete_topics(["orders"], request_timeout=30)["orders"].result(timeout=TIMEOUT)
    wait_gone(nodes, "orders")
    for n in nodes:
        harness.wait_for(lambda: not os.path.exists(n.partition_dir("orders", 0)), TIMEOUT,
                         "node %d's logs of orders removed" % n.n)
    for n in nodes:
        assert "ERROR" not in n.stderr(), n.stderr()
        n.stop()


def test_topics_survive_restart():
    """a restarted node gets its topics back from the metadata log, and auto-creation goes through the controller"""
    nodes = start_cluster()
    controller = wait_view(nodes, [1, 2, 3], "the cluster up")
    assert create(nodes[2], "kept", 3) is None
    before = wait_topic(nodes, "kept", 3)
    produce(nodes[0], "kept", 30, 3)
    for n in nodes:
        n.restart()
    wait_view(nodes, [1, 2, 3], "the cluster up again")
    assert wait_topic(nodes, "kept", 3) == before
    assert consume(nodes[1], "kept", 30) == sorted(b"v%d" % i for i in range(30))

    # A producer on the active controller auto-creates a topic through the
    # quorum; every node then lists it.
    controller = wait_view(nodes, [1, 2, 3], "an active controller")
    leader = next(n for n in nodes if n.n == controller)
    produce(leader, "auto", 5, 1)
    wait_topic(nodes, "auto", 1)
    # The internal topics stay each node's own: a producer's Metadata for
    # __consumer_offsets (auto-creation allowed) does not put it in the image.
    p = confluent_kafka.Producer({"bootstrap.servers": leader.bootstrap})
    p.list_topics(topic="__consumer_offsets", timeout=10)
    p.list_topics(topic="auto", timeout=10)  # a later request: the first one's records would be in
    for n in nodes:
        listed = AdminClient({"bootstrap.servers": n.bootstrap}).list_topics(timeout=10).topics
        assert "auto" in listed and "__consumer_offsets" not in listed, sorted(listed)
    for n in nodes:
        n.stop()


def test_refusals():
    """a replication factor above the brokers is refused as Kafka does; a second create of a name is TOPIC_ALREADY_EXISTS; CreatePartitions is refused"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    err = create(nodes[0], "wide", 3, replication_factor=4)
    assert err is not None and err.code() == confluent_kafka.KafkaError.INVALID_REPLICATION_FACTOR, err
    assert "only 3 broker(s) are registered" in err.str(), err.str()
    assert create(nodes[1], "once", 2) is None
    err = create(nodes[2], "once", 2)
    assert err is not None and err.code() == confluent_kafka.KafkaError.TOPIC_ALREADY_EXISTS, err
    # Adding partitions is not a local change in a cluster: refused on every
    # node until the controller writes it.
    admin = AdminClient({"bootstrap.servers": nodes[0].bootstrap})
    fut = admin.create_partitions([NewPartitions("once", 4)], request_timeout=30)["once"]
    try:
        fut.result(timeout=TIMEOUT)
        assert False, "CreatePartitions succeeded"
    except confluent_kafka.KafkaException as e:
        assert e.args[0].code() == confluent_kafka.KafkaError.INVALID_REQUEST, e
    assert wait_topic(nodes, "once", 2)
    for n in nodes:
        n.stop()


def test_topic_configs_through_controller():
    """topic configs are ConfigRecords: given at creation or changed on the controller, every node's logs get them; other nodes answer NOT_CONTROLLER"""
    nodes = start_cluster()
    controller = wait_view(nodes, [1, 2, 3], "the cluster up")
    leader = next(n for n in nodes if n.n == controller)
    other = next(n for n in nodes if n.n != controller)
    with kproto.Conn(other.port) as conn:
        assert create_topics_v7(conn, "cfg", 2, {})["error"] == NOT_CONTROLLER
        refused = alter(conn, INCREMENTAL_ALTER_CONFIGS, 1, [(TOPIC, "cfg", [("segment.ms", SET, "1")])])
        assert refused[0][0] == NOT_CONTROLLER and refused[0][1], refused
    with kproto.Conn(leader.port) as conn:
        assert create_topics_v7(conn, "cfg", 2, {"retention.ms": "1000"})["error"] == 0

    def configs_everywhere(want, what):
        def check():
            for n in nodes:
                with kproto.Conn(n.port) as conn:
                    d = describe_configs_v4(conn, TOPIC, "cfg")
                if d["error"] != 0:
                    return None
                for key, (value, overridden) in want.items():
                    c = d["configs"][key]
                    if (c["source"] == 1) != overridden or (overridden and c["value"] != value):
                        return None
            return True
        harness.wait_for(check, TIMEOUT, what)

    configs_everywhere({"retention.ms": ("1000", True)}, "the creation's config on every node")
    with kproto.Conn(leader.port) as conn:
        ok = alter(conn, INCREMENTAL_ALTER_CONFIGS, 1, [
            (TOPIC, "cfg", [("retention.ms", DELETE, None), ("segment.ms", SET, "600000"),
                            ("cleanup.policy", APPEND, "compact")])])
        assert ok == [(0, None)], ok
    configs_everywhere({"retention.ms": (None, False), "segment.ms": ("600000", True),
                        "cleanup.policy": ("delete,compact", True)}, "the incremental change on every node")
    with kproto.Conn(other.port) as conn:
        refused = alter(conn, INCREMENTAL_ALTER_CONFIGS, 1, [(TOPIC, "cfg", [("segment.ms", SET, "1")])])
        assert refused[0][0] == NOT_CONTROLLER and refused[0][1], refused
    with kproto.Conn(leader.port) as conn:
        ok = alter(conn, ALTER_CONFIGS, 2, [(TOPIC, "cfg", [("retention.ms", SET, "2000")])])
        assert ok == [(0, None)], ok
    replaced = {"retention.ms": ("2000", True), "segment.ms": (None, False), "cleanup.policy": (None, False)}
    configs_everywhere(replaced, "AlterConfigs' whole set on every node")
    other.restart()
    wait_view(nodes, [1, 2, 3], "the cluster up again")
    configs_everywhere(replaced, "the configs kept across a restart")
    for n in nodes:
        n.stop()


if __name__ == "__main__":
    harness.main(globals())
