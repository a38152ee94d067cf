"""Partition replication in a connectd cluster (docs/cluster.md): three
real `connectd broker` nodes on loopback as in test_cluster_quorum.py,
topics with replication factor 3.  Followers fetch from the leader with
their replica id; the high watermark is the ISR's smallest log end, and
consumers see records only up to it.  Outcomes only: the tests compare
logs and what clients read, never how long anything took.
"""

import os
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import confluent_kafka  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402
from test_cluster_quorum import start_cluster, wait_view  # noqa: E402
from test_cluster_topics import consume, create, produce, wait_topic  # noqa: E402

TIMEOUT = harness.DEFAULT_TIMEOUT


def log_files(node, topic, partition):
    """{segment name: bytes} of a partition's .log files on `node`."""
    d = node.partition_dir(topic, partition)
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".log"):
            with open(os.path.join(d, name), "rb") as f:
                out[name] = f.read()
    return out


def wait_logs_equal(nodes, topic, partitions, what):
    """Waits until every node's logs of `topic` hold the same non-empty
    bytes, partition by partition."""
    def same():
        for p in range(partitions):
            logs = [log_files(n, topic, p) for n in nodes]
            if not any(logs[0].values()) or any(log != logs[0] for log in logs):
                return False
        return True
    harness.wait_for(same, TIMEOUT, what, interval=0.2)


def test_followers_replicate_the_leader():
    """RF=3: every replica is in the ISR, the followers' logs hold the leader's batches byte for byte, and consumers read every record"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    assert create(nodes[0], "repl", 3, replication_factor=3) is None
    view = wait_topic(nodes, "repl", 3)
    for leader, replicas, isrs in view.values():
        assert sorted(replicas) == [1, 2, 3] and sorted(isrs) == [1, 2, 3], view
        assert replicas[0] == leader, view
    assert sorted({leader for leader, _, _ in view.values()}) == [1, 2, 3], view
    produce(nodes[1], "repl", 300, 3)
    wait_logs_equal(nodes, "repl", 3, "the three replicas' logs equal")
    assert consume(nodes[2], "repl", 300) == sorted(b"v%d" % i for i in range(300))
    for n in nodes:
        n.wait_stderr("replica fetcher: fetching from broker")
        assert "ERROR" not in n.stderr(), n.stderr()
    for n in nodes:
        n.stop()
    # The high watermark is checkpointed as Kafka's, per log dir.
    with open(os.path.join(nodes[0].data_dir, "replication-offset-checkpoint")) as f:
        lines = f.read().split("\n")
    assert lines[0] == "0" and any(line.startswith("repl 0 ") for line in lines), lines


def create_with(node, topic, partitions, replication_factor, config):
    admin = AdminClient({"bootstrap.servers": node.bootstrap})
    fut = admin.create_topics([NewTopic(topic, partitions, replication_factor, config=config)],
                              request_timeout=30)[topic]
    fut.result(timeout=TIMEOUT)


def produce_all(node, topic, values, **conf):
    """Produces `values` with acks=all; returns (acknowledged values, errors)."""
    p = confluent_kafka.Producer(dict({"bootstrap.servers": node.bootstrap, "acks": "all", "linger.ms": 5,
                                       "retries": 0}, **conf))
    acked, errors = [], []

    def report(err, msg):
        if err is None:
            acked.append(msg.value())
        else:
            errors.append(err)
    for v in values:
        p.produce(topic, value=v, on_delivery=report)
        p.poll(0)
    p.flush(TIMEOUT)
    return acked, errors


def test_acks_all():
    """acks=all is answered once every ISR member has the batch; a partition whose ISR is smaller than min.insync.replicas refuses it with NOT_ENOUGH_REPLICAS"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    create_with(nodes[0], "safe", 1, 3, {"min.insync.replicas": "2"})
    wait_topic(nodes, "safe", 1)
    values = [b"s%d" % i for i in range(200)]
    acked, errors = produce_all(nodes[2], "safe", values)
    assert not errors and sorted(acked) == sorted(values), errors
    wait_logs_equal(nodes, "safe", 1, "the acknowledged records on every replica")
    assert consume(nodes[1], "safe", 200) == sorted(values)

    # Three replicas can never satisfy min.insync.replicas=4.
    create_with(nodes[0], "strict", 1, 3, {"min.insync.replicas": "4"})
    wait_topic(nodes, "strict", 1)
    acked, errors = produce_all(nodes[0], "strict", [b"x"])
    assert not acked and [e.code() for e in errors] == [confluent_kafka.KafkaError.NOT_ENOUGH_REPLICAS], errors
    # acks=1 does not look at the ISR.
    acked, errors = produce_all(nodes[0], "strict", [b"y"], acks="1")
    assert acked == [b"y"] and not errors, errors
    for n in nodes:
        n.stop()


if __name__ == "__main__":
    harness.main(globals())
