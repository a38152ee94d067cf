"""Partition replication in a connectd cluster (docs/cluster.md): three
real `connectd broker` nodes on loopback as in test_cluster_quorum.py,
topics with replication factor 3.  Followers fetch from the leader with
their replica id; the high watermark is the ISR's smallest log end, and
consumers see records only up to it.  Outcomes only: the tests compare
logs and what clients read, never how long anything took.
"""

import os
import signal
import sys
import time

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
import confluent_kafka  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402
from test_cluster_quorum import start_cluster, wait_view  # noqa: E402
from test_cluster_topics import consume, create, produce, topic_view, wait_topic  # noqa: E402

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


def log_values(node, topic, partition):
    """The record values in a partition's .log files on `node`, as a set."""
    out = set()
    for data in log_files(node, topic, partition).values():
        for b in kproto.parse_batches(data):
            out.update(r[3] for r in kproto.batch_records(b))
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
    # Acknowledged means on every ISR member: the followers' logs already
    # hold every record, with no waiting.
    for n in nodes:
        assert set(values) <= log_values(n, "safe", 0), n.n
    wait_logs_equal(nodes, "safe", 1, "the acknowledged records on every replica")

    # A follower paused: with min.insync.replicas=3 nothing is acknowledged
    # while it cannot fetch, and everything once it can.
    create_with(nodes[0], "wait", 1, 3, {"min.insync.replicas": "3"})
    wait_topic(nodes, "wait", 1)
    leader = partition_leader(nodes, "wait")
    paused = next(n for n in nodes if n.n != leader)
    p = confluent_kafka.Producer({"bootstrap.servers": nodes[0].bootstrap, "acks": "all", "linger.ms": 5})
    acked, failed = [], []

    def report(err, msg):
        (acked if err is None else failed).append(msg.value() if err is None else err)
    paused.proc.send_signal(signal.SIGSTOP)
    try:
        for i in range(20):
            p.produce("wait", value=b"w%d" % i, on_delivery=report)
        p.flush(2)
        assert not acked and not failed, (acked, failed)
        assert not any(v.startswith(b"w") for v in log_values(paused, "wait", 0))
    finally:
        paused.proc.send_signal(signal.SIGCONT)
    assert p.flush(TIMEOUT) == 0, "records still undelivered"
    assert sorted(acked) == sorted(b"w%d" % i for i in range(20)) and not failed, (acked, failed)
    for n in nodes:
        assert set(acked) <= log_values(n, "wait", 0), n.n
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


def read_values(node, topic, want):
    """The values of `topic` partition 0 read from the start through
    `node` (the consumer finds the leader), until they include `want`."""
    c = confluent_kafka.Consumer({"bootstrap.servers": node.bootstrap, "group.id": "r-%s-%d" % (topic, len(want)),
                                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    got = set()

    def covered():
        msg = c.poll(0.5)
        if msg is not None and not msg.error():
            got.add(msg.value())
        return want <= got
    try:
        harness.wait_for(covered, TIMEOUT, "the acknowledged records of %s" % topic, interval=0)
    finally:
        c.close()
    return got


def partition_leader(nodes, topic):
    """The leader of `topic`'s partition 0 as the live nodes agree on it,
    once it is a live node."""
    live = [n for n in nodes if n.alive()]
    ids = {n.n for n in live}

    def agreed():
        views = [topic_view(n, topic) for n in live]
        if any(v is None for v in views) or any(v != views[0] for v in views):
            return None
        leader = views[0][0][0]
        return leader if leader in ids else None
    return harness.wait_for(agreed, TIMEOUT, "a live leader of %s on every live node" % topic)


def test_failover_without_loss():
    """kill -9 of the partition leader under an acks=all producer: every acknowledged record is read back from the new leader; the killed node restarted holds the same log; with a node down, a min.insync.replicas of 3 gets NOT_ENOUGH_REPLICAS"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    create_with(nodes[0], "keep", 1, 3, {"min.insync.replicas": "2"})
    wait_topic(nodes, "keep", 1)
    first = partition_leader(nodes, "keep")
    victim = next(n for n in nodes if n.n == first)
    others = [n for n in nodes if n is not victim]

    # The producer is bootstrapped on all three and follows the leader by
    # itself; it retries, so a batch may be written twice, but a record it
    # saw acknowledged must never be lost.
    p = confluent_kafka.Producer({"bootstrap.servers": ",".join(n.bootstrap for n in nodes), "acks": "all",
                                  "linger.ms": 5, "message.timeout.ms": 60000})
    acked, failed = set(), []

    def report(err, msg):
        if err is None:
            acked.add(msg.value())
        else:
            failed.append(err)
    sent = 0

    def send(count):
        nonlocal sent
        for _ in range(count):
            p.produce("keep", value=b"k%d" % sent, on_delivery=report)
            sent += 1
            p.poll(0)
    send(500)
    harness.wait_for(lambda: p.poll(0.1) >= 0 and len(acked) >= 200, TIMEOUT, "some records acknowledged before the kill")
    victim.kill()
    send(500)
    assert p.flush(TIMEOUT * 2) == 0, "records still undelivered"
    # Records sent after the kill were acknowledged (by the new leader), and
    # the producer's retries hid the failover: no delivery failed.
    assert any(b"k%d" % i in acked for i in range(500, 1000)), "nothing acknowledged after the kill"
    assert not failed, failed[:10]
    second = partition_leader(nodes, "keep")
    assert second != first
    got = read_values(others[0], "keep", acked)
    assert acked <= got, sorted(acked - got)[:10]

    # The killed node comes back as a follower and catches up.
    victim.start()
    wait_view(nodes, [1, 2, 3], "the killed node back")
    wait_logs_equal(nodes, "keep", 1, "the restarted node's log equal to the others'")
    # Caught up, it is back in the ISR: its leader asked the controller.
    harness.wait_for(lambda: all(topic_view(n, "keep") is not None and sorted(topic_view(n, "keep")[0][2]) == [1, 2, 3]
                                 for n in nodes), TIMEOUT, "the restarted node back in the ISR")

    # A node down: the ISR shrinks to two, fewer than a min.insync.replicas
    # of 3.  (Two of three combined nodes down lose the metadata quorum, so
    # nothing can shrink the ISR then, in Kafka as here.)
    create_with(nodes[0], "all3", 1, 3, {"min.insync.replicas": "3"})
    wait_topic(nodes, "all3", 1)
    leader = partition_leader(nodes, "all3")
    follower = next(n for n in nodes if n.n != leader)
    follower.kill()
    rest = [n for n in nodes if n is not follower]
    harness.wait_for(lambda: all(topic_view(n, "all3") is not None and len(topic_view(n, "all3")[0][2]) == 2
                                 for n in rest), TIMEOUT, "the ISR of all3 down to two")
    acked2, errors = produce_all(rest[0], "all3", [b"late"])
    assert not acked2 and [e.code() for e in errors] == [confluent_kafka.KafkaError.NOT_ENOUGH_REPLICAS], errors
    # Where two of three replicas are left, min.insync.replicas=2 holds.
    acked2, errors = produce_all(rest[0], "keep", [b"fine"])
    assert acked2 == [b"fine"] and not errors, errors
    for n in rest:
        n.stop()


def test_divergent_tail_truncated():
    """a leader that wrote records no follower fetched, then died, comes back as a follower of the new leader: it asks OffsetForLeaderEpoch, cuts its divergent tail, and its log ends equal to the others'"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    create_with(nodes[0], "fork", 1, 3, {"min.insync.replicas": "1"})
    wait_topic(nodes, "fork", 1)
    old = next(n for n in nodes if n.n == partition_leader(nodes, "fork"))
    others = [n for n in nodes if n is not old]
    acked, errors = produce_all(old, "fork", [b"a%d" % i for i in range(100)])
    assert len(acked) == 100 and not errors, errors
    wait_logs_equal(nodes, "fork", 1, "the first records on every replica")

    # The followers are paused: what the leader takes now, only it has.  A
    # fetch each had parked at the leader before the pause is answered
    # with the first record appended after it, which one follower or both
    # may still read; the records after that reach no follower, as no
    # fetch of theirs is left at the leader.
    for n in others:
        n.proc.send_signal(signal.SIGSTOP)
    acked, errors = produce_all(old, "fork", [b"x"], acks="1")
    assert acked == [b"x"] and not errors, errors
    acked, errors = produce_all(old, "fork", [b"b%d" % i for i in range(50)], acks="1")
    assert len(acked) == 50 and not errors, errors
    old.kill()
    for n in others:
        n.proc.send_signal(signal.SIGCONT)
    new = next(n for n in nodes if n.n == partition_leader(nodes, "fork"))
    assert new is not old
    for n in others:
        assert not any(v.startswith(b"b") for v in log_values(n, "fork", 0)), "a b-record reached node %d" % n.n
    acked, errors = produce_all(new, "fork", [b"c%d" % i for i in range(30)], acks="1")
    assert len(acked) == 30 and not errors, errors

    old.start()
    wait_view(nodes, [1, 2, 3], "the old leader back")
    wait_logs_equal(nodes, "fork", 1, "the old leader's log cut and caught up")
    # Cut where the new leader's epoch starts: at 100, or at 101 when the
    # new leader had read x.
    line = old.wait_stderr("truncating the log from 151 to ")
    assert int(line.split(" to ")[1].split(",")[0]) in (100, 101), line
    read_values(new, "fork", {b"a0", b"a99", b"c0", b"c29"})
    for n in nodes:
        n.stop()


def test_fetch_past_the_end_is_no_progress():
    """a follower's Fetch at an offset past the leader's log end is OFFSET_OUT_OF_RANGE and does not count as its progress: the high watermark stays below records the followers do not hold"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    create_with(nodes[0], "ahead", 1, 3, {"min.insync.replicas": "1"})
    wait_topic(nodes, "ahead", 1)
    leader = next(n for n in nodes if n.n == partition_leader(nodes, "ahead"))
    followers = [n for n in nodes if n is not leader]
    # A first record on every replica: the leader has taken its role (it
    # may hear that it is unfenced a heartbeat after the image says so).
    acked, errors = produce_all(leader, "ahead", [b"everywhere"], retries=10)
    assert acked == [b"everywhere"] and not errors, errors
    with kproto.Conn(leader.port) as conn:
        harness.wait_for(lambda: kproto.fetch(conn, "ahead", 0, 0, max_wait_ms=0)["hwm"] == 1, TIMEOUT,
                         "the high watermark at 1")
    # The next record, from the future, only the leader gets.
    future = int(time.time() * 1000) + 3600 * 1000
    for n in followers:
        n.proc.send_signal(signal.SIGSTOP)
    try:
        p = confluent_kafka.Producer({"bootstrap.servers": leader.bootstrap, "acks": "1", "retries": 0})
        reports = []
        p.produce("ahead", value=b"only-on-the-leader", timestamp=future,
                  on_delivery=lambda err, msg: reports.append(err))
        assert p.flush(TIMEOUT) == 0 and reports == [None], reports
        with kproto.Conn(leader.port) as conn:
            for f in followers:
                part = kproto.fetch(conn, "ahead", 0, 1000, max_wait_ms=0, replica_id=f.n)
                assert part["error"] == 1, part  # OFFSET_OUT_OF_RANGE
            part = kproto.fetch(conn, "ahead", 0, 0, max_wait_ms=0)
            assert part["error"] == 0 and part["hwm"] == 1, part
            # Nor do ListOffsets by timestamp and MAX_TIMESTAMP find it.
            assert kproto.list_offsets(conn, "ahead", 0, future - 1000) == (0, -1, -1)
            assert kproto.list_offsets(conn, "ahead", 0, -3) == (0, -1, -1)
    finally:
        for n in followers:
            n.proc.send_signal(signal.SIGCONT)
    wait_logs_equal(nodes, "ahead", 1, "the record on every replica")
    for n in nodes:
        n.stop()


def test_follower_behind_log_start_starts_over():
    """a follower whose log ends before the leader's log start (records deleted while it was down) starts over empty at the leader's log start, catches up and rejoins the ISR"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    create_with(nodes[0], "gone", 1, 3, {"min.insync.replicas": "1"})
    wait_topic(nodes, "gone", 1)
    leader = next(n for n in nodes if n.n == partition_leader(nodes, "gone"))
    behind = next(n for n in nodes if n is not leader)
    acked, errors = produce_all(leader, "gone", [b"early%d" % i for i in range(10)])
    assert len(acked) == 10 and not errors, errors
    wait_logs_equal(nodes, "gone", 1, "the first records on every replica")
    behind.kill()
    rest = [n for n in nodes if n is not behind]
    harness.wait_for(lambda: all(topic_view(n, "gone") is not None and len(topic_view(n, "gone")[0][2]) == 2
                                 for n in rest), TIMEOUT, "the ISR of gone down to two")
    acked, errors = produce_all(leader, "gone", [b"late%d" % i for i in range(50)])
    assert len(acked) == 50 and not errors, errors
    with kproto.Conn(leader.port) as conn:
        assert kproto.delete_records(conn, "gone", 0, 55) == (0, 55)

    behind.start()
    wait_view(nodes, [1, 2, 3], "the follower back")
    behind.wait_stderr("the leader's log starts at 55")
    harness.wait_for(lambda: all(topic_view(n, "gone") is not None and len(topic_view(n, "gone")[0][2]) == 3
                                 for n in nodes), TIMEOUT, "the follower back in the ISR")
    values = log_values(behind, "gone", 0)
    assert {b"late%d" % i for i in range(45, 50)} <= values, sorted(values)
    assert not any(v.startswith(b"early") for v in values), sorted(values)
    for n in nodes:
        n.stop()


if __name__ == "__main__":
    harness.main(globals())
