"""Consumer groups against a real connectd broker: kcat -G (librdkafka's
high-level consumer) and confluent-kafka-python in groups, committed offsets
across restarts and kill -9, static membership, and the protocol's errors
for bad group requests (raw requests through kproto).
"""

import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, wait_for  # noqa: E402
from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

SESSION_TIMEOUT_MS = 6000  # group.min.session.timeout.ms: the quickest eviction
# A consumer that dies is evicted after its session timeout; the rebalance
# that follows waits for the survivors' next heartbeat.  The margin is for
# sanitizer builds on a loaded 2-core CI machine.
EVICTION_WAIT_S = SESSION_TIMEOUT_MS / 1000 + 30


def create_topic(broker, name, partitions):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(30)


def produce(broker, topic, values):
    """Produces `values` (keys spread them over partitions); returns the set
    of (partition, offset) the broker acknowledged."""
    acked = set()

    def on_delivery(err, msg):
        assert err is None, err
        acked.add((msg.partition(), msg.offset()))

    p = Producer({"bootstrap.servers": broker.bootstrap})
    for v in values:
        p.produce(topic, key=v, value=v, on_delivery=on_delivery)
    assert p.flush(30) == 0
    assert len(acked) == len(values)
    return acked


class KcatConsumer:
    """`kcat -G`: librdkafka's high-level consumer, printing partition and
    offset of every record and its rebalances on stderr."""

    def __init__(self, broker, group, topic, *extra):
        self.dir = harness.tmpdir("kcat-")
        self.out_path = os.path.join(self.dir, "out")
        self.err_path = os.path.join(self.dir, "err")
        cmd = ["kcat", "-b", broker.bootstrap, "-m", "30", "-G", group, topic, "-u",
               "-f", "%p %o\\n",
               "-X", "auto.offset.reset=earliest",
               "-X", "session.timeout.ms=%d" % SESSION_TIMEOUT_MS,
               "-X", "heartbeat.interval.ms=500"] + list(extra)
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _consumers.append(self)

    def records(self):
        with open(self.out_path) as f:
            return [tuple(int(x) for x in line.split()) for line in f if line.endswith("\n")]

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def assigned(self):
        """Partitions of the latest assignment (empty after a revoke)."""
        current = set()
        for line in self.stderr().splitlines():
            if "rebalanced" in line and "assigned:" in line:
                parts = line.split("assigned:", 1)[1].split(",")
                current = {int(p.strip().split("[")[1].rstrip("]")) for p in parts if "[" in p}
            elif "rebalanced" in line and "revoked:" in line:
                current = set()
        return current

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


_consumers = []


def stop_consumers():
    while _consumers:
        _consumers.pop().stop()


def split_is(consumers, sizes, n_partitions):
    got = [c.assigned() for c in consumers]
    union = set().union(*got)
    return sorted(len(g) for g in got) == sorted(sizes) and len(union) == n_partitions


def seen_by(consumers):
    seen = []
    for c in consumers:
        seen += c.records()
    return seen


def test_kcat_group_splits_rebalances_and_survives_kill():
    """two kcat -G split 6 partitions 3/3 and read every record once; a third
    joins (2/2/2); kill -9 of one moves its partitions to the others"""
    b = Broker().start()
    try:
        create_topic(b, "t6", 6)
        first = produce(b, "t6", [b"a%d" % i for i in range(600)])
        c1, c2 = KcatConsumer(b, "g", "t6"), KcatConsumer(b, "g", "t6")
        wait_for(lambda: split_is([c1, c2], [3, 3], 6) and len(seen_by([c1, c2])) >= 600,
                 what="3/3 split and all 600 records")
        seen = seen_by([c1, c2])
        assert sorted(seen) == sorted(first), "each record exactly once"

        c3 = KcatConsumer(b, "g", "t6")
        wait_for(lambda: split_is([c1, c2, c3], [2, 2, 2], 6), what="2/2/2 split after a third joined")
        second = produce(b, "t6", [b"b%d" % i for i in range(300)])
        wait_for(lambda: second <= set(seen_by([c1, c2, c3])), what="records produced after the rebalance")
        after = [r for r in seen_by([c1, c2, c3]) if r in second]
        assert len(after) == len(second), "records after the rebalance read once each"

        c1.kill()  # kill -9: no LeaveGroup, only the session timeout tells
        wait_for(lambda: split_is([c2, c3], [3, 3], 6), timeout=EVICTION_WAIT_S,
                 what="the dead member's partitions moving to the others")
        third = produce(b, "t6", [b"c%d" % i for i in range(300)])
        wait_for(lambda: third <= set(seen_by([c2, c3])), what="records produced after the eviction")
        after = [r for r in seen_by([c2, c3]) if r in third]
        assert len(after) == len(third)
        stop_consumers()
        b.stop()
    finally:
        stop_consumers()


def consume(consumer, n, timeout=60):
    msgs = []
    wait_for(lambda: msgs.extend(m for m in [consumer.poll(0.2)] if m is not None and not m.error())
             or len(msgs) >= n, timeout=timeout, what="%d records" % n, interval=0)
    return msgs


def group_consumer(broker, group, **conf):
    c = {"bootstrap.servers": broker.bootstrap, "group.id": group, "auto.offset.reset": "earliest",
         "enable.auto.commit": False, "session.timeout.ms": SESSION_TIMEOUT_MS}
    c.update(conf)
    return Consumer(c)


def test_committed_offsets_survive_broker_kill():
    """offsets committed before kill -9 of the broker are where the group resumes"""
    b = Broker().start()
    create_topic(b, "resume", 3)
    produce(b, "resume", [b"old%d" % i for i in range(30)])
    c = group_consumer(b, "resumers")
    c.subscribe(["resume"])
    assert len(consume(c, 30)) == 30
    c.commit(asynchronous=False)
    c.close()

    b.kill()
    b.start()
    produce(b, "resume", [b"new%d" % i for i in range(10)])
    c = group_consumer(b, "resumers")
    c.subscribe(["resume"])
    got = consume(c, 10)
    extra = consume_more(c)
    c.close()
    values = sorted(m.value() for m in got + extra)
    assert values == sorted(b"new%d" % i for i in range(10)), values


def consume_more(consumer, polls=10):
    """What arrives in a few more polls (nothing, when all was read)."""
    out = []
    for _ in range(polls):
        m = consumer.poll(0.2)
        if m is not None and not m.error():
            out.append(m)
    return out


def test_manual_commit_and_seek():
    """confluent-kafka: commit(message), commit(offsets) and seek()"""
    b = Broker().start()
    create_topic(b, "manual", 1)
    p = Producer({"bootstrap.servers": b.bootstrap})
    for i in range(20):
        p.produce("manual", value=b"m%d" % i, partition=0)
    p.flush(30)
    c = group_consumer(b, "manual-group")
    c.subscribe(["manual"])
    msgs = consume(c, 10)
    tenth = [m for m in msgs if m.offset() == 9][0]
    c.commit(message=tenth, asynchronous=False)
    assert c.committed([TopicPartition("manual", 0)], 30)[0].offset == 10
    c.commit(offsets=[TopicPartition("manual", 0, 15)], asynchronous=False)
    assert c.committed([TopicPartition("manual", 0)], 30)[0].offset == 15
    c.seek(TopicPartition("manual", 0, 3))
    m = consume(c, 1)[0]
    assert (m.offset(), m.value()) == (3, b"m3")
    c.close()
    c = group_consumer(b, "manual-group")
    c.subscribe(["manual"])
    m = consume(c, 1)[0]
    assert m.offset() == 15, "a new member starts at the committed offset"
    c.close()


def test_static_membership_keeps_assignment():
    """a static member (group.instance.id) restarting quickly gets its
    partitions back without a rebalance of the others"""
    b = Broker().start()
    create_topic(b, "static", 4)
    revoked = []

    def member(instance):
        return group_consumer(b, "static-group", **{"group.instance.id": instance,
                                                     "session.timeout.ms": 30000,
                                                     "heartbeat.interval.ms": 500})

    a, other = member("a"), member("b")
    a.subscribe(["static"])
    other.subscribe(["static"], on_revoke=lambda c, parts: revoked.append(parts))

    def polled_until(consumers, cond, what):
        def step():
            for c in consumers:
                c.poll(0.05)
            return cond()
        wait_for(step, what=what, interval=0)

    polled_until([a, other], lambda: len(a.assignment()) == 2 and len(other.assignment()) == 2,
                 "a 2/2 split")
    before = sorted(tp.partition for tp in a.assignment())
    revoked.clear()
    a.close()  # a static member sends no LeaveGroup
    a = member("a")
    a.subscribe(["static"])
    polled_until([a, other], lambda: len(a.assignment()) == 2, "the restarted member's assignment")
    consume_more(other, 5)
    assert sorted(tp.partition for tp in a.assignment()) == before
    assert revoked == [], "the other member was not rebalanced: %r" % revoked
    a.close()
    other.close()


def test_cooperative_sticky_assignor():
    """librdkafka's cooperative-sticky assignor (client-side, incremental)
    splits and hands over partitions through the broker's classic protocol"""
    b = Broker().start()
    create_topic(b, "coop", 6)
    conf = {"partition.assignment.strategy": "cooperative-sticky", "heartbeat.interval.ms": 500}
    one, two = group_consumer(b, "coop-group", **conf), group_consumer(b, "coop-group", **conf)
    one.subscribe(["coop"])
    two.subscribe(["coop"])
    seen = []

    def poll_both():
        for c in (one, two):
            m = c.poll(0.05)
            if m is not None and not m.error():
                seen.append((m.partition(), m.offset()))
        return len(one.assignment()) == 3 and len(two.assignment()) == 3
    wait_for(poll_both, what="a 3/3 cooperative split", interval=0)
    acked = produce(b, "coop", [b"k%d" % i for i in range(120)])
    wait_for(lambda: poll_both() and len(seen) >= len(acked), what="every record", interval=0)
    assert sorted(seen) == sorted(acked), "each record once"
    kept = {tp.partition for tp in one.assignment()}
    two.close()
    wait_for(lambda: one.poll(0.05) is None and len(one.assignment()) == 6, interval=0,
             what="the remaining member taking over all six partitions")
    assert kept <= {tp.partition for tp in one.assignment()}, "sticky: it kept its own partitions"
    one.close()


def test_cooperative_second_member_gets_every_round():
    """cooperative-sticky: a second member gets the empty assignment of the
    round where the leader revokes, then its partition in the next, each
    within a heartbeat or two (librdkafka's 0113 b_subscribe_with_cb_test;
    the leader re-joins right after its SyncGroup, and the follower's ready
    JoinGroup or SyncGroup answer used to be lost, leaving it waiting out its
    session timeout)"""
    b = Broker().start()
    for round_ in range(3):
        topic, group = "coop-rounds-%d" % round_, "coop-rounds-group-%d" % round_
        create_topic(b, topic, 2)
        assigned = {"one": [], "two": []}

        def on_assign(name):
            return lambda consumer, partitions: assigned[name].append(sorted(p.partition for p in partitions))
        conf = {"partition.assignment.strategy": "cooperative-sticky", "session.timeout.ms": 45000,
                "heartbeat.interval.ms": 500}
        one, two = group_consumer(b, group, **conf), group_consumer(b, group, **conf)
        one.subscribe([topic], on_assign=on_assign("one"))
        wait_for(lambda: one.poll(0.5) is None and assigned["one"] == [[0, 1]], what="the first member's two")
        two.subscribe([topic], on_assign=on_assign("two"))

        def both_settled():
            one.poll(0.5)
            two.poll(0.5)
            return len(assigned["two"]) == 2
        # Far less than the 45 s session timeout a lost answer would wait out.
        wait_for(both_settled, timeout=20, what="the second member's two rounds", interval=0)
        assert assigned["two"] == [[], [0]] or assigned["two"] == [[], [1]], assigned
        assert len(one.assignment()) == 1 and len(two.assignment()) == 1, (one.assignment(), two.assignment())
        two.close()
        one.close()


def test_connect_protocol_type_is_relayed():
    """the broker is protocol-agnostic: a "connect" group gets its protocol
    chosen and its member metadata and assignment relayed byte for byte"""
    b = Broker().start()
    metadata = bytes(range(256)) * 4
    with kproto.Conn(b.port) as conn:
        protocols = (("sessioned", metadata), ("compatible", b"\x00\x01"))
        me = kproto.join_group(conn, "connect-cluster", protocol_type="connect", protocols=protocols)["member_id"]
        joined = kproto.join_group(conn, "connect-cluster", member_id=me, protocol_type="connect",
                                   protocols=protocols)
        assert joined["error"] == 0 and joined["protocol"] == "sessioned"
        assert joined["members"] == [(me, None, metadata)]
        assignment = b"\x00\x01leader-url\xff" * 100
        assert kproto.sync_group(conn, "connect-cluster", joined["generation"], me,
                                 [(me, assignment)]) == (0, assignment)
        described = kproto.describe_group(conn, "connect-cluster")
        assert described["protocol_type"] == "connect" and described["members"][0][3:] == (metadata, assignment)
        # A consumer cannot join a connect group: no protocol in common.
        assert kproto.join_group(conn, "connect-cluster", member_id="", version=3)["error"] == 23


def test_two_groups_each_read_everything():
    """two groups on one topic each read every record"""
    b = Broker().start()
    try:
        create_topic(b, "shared", 4)
        acked = produce(b, "shared", [b"s%d" % i for i in range(200)])
        g1, g2 = KcatConsumer(b, "one", "shared"), KcatConsumer(b, "two", "shared")
        wait_for(lambda: len(g1.records()) >= 200 and len(g2.records()) >= 200, what="both groups")
        assert sorted(g1.records()) == sorted(acked)
        assert sorted(g2.records()) == sorted(acked)
    finally:
        stop_consumers()


def test_offsets_log_is_rewritten_not_grown():
    """__consumer_offsets does not grow without bound: a partition past
    offsets.topic.segment.bytes is rewritten to its live records, and a
    restart after kill -9 still finds the latest commits"""
    segment = 20000
    b = Broker(overrides={"offsets.topic.segment.bytes": str(segment),
                          "offsets.topic.num.partitions": "1"}).start()
    create_topic(b, "busy", 3)
    log_dir = b.partition_dir("__consumer_offsets", 0)

    def log_bytes():
        return sum(os.path.getsize(os.path.join(log_dir, f)) for f in os.listdir(log_dir) if f.endswith(".log"))
    with kproto.Conn(b.port) as conn:
        for i in range(1500):  # about 350 KB of commit records
            res = kproto.offset_commit(conn, "busy-group",
                                       [("busy", p, i * 10 + p, "meta-%d" % i) for p in range(3)])
            assert set(res.values()) == {0}, res
        wait_for(lambda: kproto.earliest(conn, "__consumer_offsets", 0) > 0 and log_bytes() < 2 * segment,
                 what="the offsets log rewritten to its live records")
    assert "rewrote" in b.stderr()
    b.kill()
    b.start()
    with kproto.Conn(b.port) as conn:
        err, got = kproto.offset_fetch(conn, "busy-group", None)
        assert got == {("busy", p): (14990 + p, "meta-1499", 0) for p in range(3)}, got
    b.stop()  # clean exit (and, in sanitizer builds, no leak)


def test_bad_group_requests_get_protocol_errors():
    """empty protocol list, bad session timeout, wrong generation, unknown
    member, commit to a missing topic, oversized commit metadata: each gets
    Kafka's error and the group keeps working"""
    b = Broker().start()
    create_topic(b, "bad", 2)
    acked = produce(b, "bad", [b"x%d" % i for i in range(40)])
    with kproto.Conn(b.port) as conn:
        assert kproto.join_group(conn, "bg", protocols=())["error"] == 23  # INCONSISTENT_GROUP_PROTOCOL
        assert kproto.join_group(conn, "bg", protocol_type="")["error"] == 23
        assert kproto.join_group(conn, "bg", session_timeout_ms=10)["error"] == 26  # INVALID_SESSION_TIMEOUT
        assert kproto.join_group(conn, "", )["error"] == 24  # INVALID_GROUP_ID
        assert kproto.join_group(conn, "bg", member_id="made-up")["error"] == 25  # UNKNOWN_MEMBER_ID
        first = kproto.join_group(conn, "bg")
        assert first["error"] == 79 and first["member_id"]  # MEMBER_ID_REQUIRED
        me = first["member_id"]
        joined = kproto.join_group(conn, "bg", member_id=me)
        assert joined["error"] == 0 and joined["leader"] == me and joined["generation"] == 1
        assert [m[0] for m in joined["members"]] == [me]
        gen = joined["generation"]
        assert kproto.sync_group(conn, "bg", gen + 5, me)[0] == 22  # ILLEGAL_GENERATION
        assert kproto.sync_group(conn, "bg", gen, "stranger")[0] == 25
        assert kproto.sync_group(conn, "bg", gen, me, [(me, b"plan")]) == (0, b"plan")
        assert kproto.heartbeat(conn, "bg", gen, "stranger") == 25
        assert kproto.heartbeat(conn, "bg", gen + 1, me) == 22
        assert kproto.heartbeat(conn, "bg", gen, me) == 0

        res = kproto.offset_commit(conn, "bg", [("bad", 0, 7, "fine"), ("no-such-topic", 0, 1, None),
                                                ("bad", 1, 3, "m" * 5000)], gen, me)
        assert res == {("bad", 0): 0, ("no-such-topic", 0): 3, ("bad", 1): 12}, res
        assert kproto.offset_commit(conn, "bg", [("bad", 1, 1, None)], gen + 3, me) == {("bad", 1): 22}
        assert kproto.offset_commit(conn, "bg", [("bad", 1, 1, None)], gen, "stranger") == {("bad", 1): 25}
        assert kproto.offset_commit(conn, "bg", [("bad", 1, 1, None)]) == {("bad", 1): 25}, \
            "an admin commit while the group has members"
        err, fetched = kproto.offset_fetch(conn, "bg", [("bad", 0), ("bad", 1), ("nothing", 0)])
        assert err == 0 and fetched == {("bad", 0): (7, "fine", 0), ("bad", 1): (-1, "", 0),
                                        ("nothing", 0): (-1, "", 0)}, fetched
        assert kproto.offset_fetch(conn, "bg", None)[1] == {("bad", 0): (7, "fine", 0)}

        described = kproto.describe_group(conn, "bg")
        assert described["state"] == "Stable" and described["protocol_type"] == "consumer"
        assert described["protocol"] == "range"
        assert [(m[0], m[1], m[2], m[4]) for m in described["members"]] == [(me, "kproto", "/127.0.0.1", b"plan")]
        assert kproto.describe_group(conn, "never-was")["state"] == "Dead"
        assert ("bg", "consumer") in kproto.list_groups(conn)[1]
        assert kproto.delete_groups(conn, ["bg", "never-was"]) == {"bg": 68, "never-was": 69}
        assert kproto.delete_groups(conn, ["bg", "never-was"], version=2) == {"bg": 68, "never-was": 69}
        assert kproto.leave_group(conn, "bg", me) == 0
        assert kproto.leave_group(conn, "bg", me) == 25
        assert kproto.describe_group(conn, "bg")["state"] == "Empty"

        # A static member replaced by a restarted process is fenced (KIP-345).
        old = kproto.join_group(conn, "sg", instance_id="i-1")
        assert old["error"] == 0 and old["generation"] == 1
        assert kproto.sync_group(conn, "sg", 1, old["member_id"], [(old["member_id"], b"")], instance_id="i-1")[0] == 0
        new = kproto.join_group(conn, "sg", instance_id="i-1")
        assert new["error"] == 0 and new["member_id"] != old["member_id"] and new["generation"] == 1
        assert kproto.heartbeat(conn, "sg", 1, old["member_id"], instance_id="i-1") == 82  # FENCED_INSTANCE_ID
        assert kproto.heartbeat(conn, "sg", 1, new["member_id"], instance_id="i-1") == 0

    # The group still works for a real consumer, from the committed offset.
    expected = {(p, o) for p, o in acked if p != 0 or o >= 7}
    c = group_consumer(b, "bg")
    c.subscribe(["bad"])
    seen = set()
    wait_for(lambda: seen.update((m.partition(), m.offset()) for m in [c.poll(0.2)] if m and not m.error())
             or seen >= expected, what="the group's records from its committed offsets", interval=0)
    c.close()
    assert seen == expected, sorted(seen ^ expected)
    with kproto.Conn(b.port) as conn:
        assert kproto.delete_groups(conn, ["bg"], version=2) == {"bg": 0}
        assert kproto.offset_fetch(conn, "bg", None)[1] == {}
        assert ("bg", "consumer") not in kproto.list_groups(conn)[1]
    b.stop()  # still a clean exit (and, in sanitizer builds, no leak)



def test_admin_views_of_a_static_member():
    """librdkafka's group listing shows state; DescribeGroups v5 shows a static
    member's group.instance.id, ListGroups v4 filters by state (KIP-518), and
    OffsetFetch v8 answers several groups, an empty topic list meaning all"""
    b = Broker().start()
    create_topic(b, "views", 2)
    produce(b, "views", [b"v%d" % i for i in range(10)])
    c = group_consumer(b, "views-group", **{"group.instance.id": "inst-a", "heartbeat.interval.ms": 500})
    c.subscribe(["views"])
    wait_for(lambda: c.poll(0.1) is not None and len(c.assignment()) == 2, what="the static member's assignment",
             interval=0)
    # OffsetCommit v7 (GroupInstanceId) and OffsetFetch v7 from librdkafka 2.0.2.
    c.commit(offsets=[TopicPartition("views", 0, 5)], asynchronous=False)
    assert [tp.offset for tp in c.committed([TopicPartition("views", 0)], timeout=10)] == [5]

    listed = AdminClient({"bootstrap.servers": b.bootstrap}).list_groups("views-group", timeout=10)
    assert [(g.id, g.state, g.protocol_type, len(g.members)) for g in listed] == \
        [("views-group", "Stable", "consumer", 1)], listed

    with kproto.Conn(b.port) as conn:
        g = kproto.describe_group_v5(conn, "views-group")
        assert (g["error"], g["state"], g["protocol_type"]) == (0, "Stable", "consumer"), g
        assert [m["instance_id"] for m in g["members"]] == ["inst-a"], g
        assert g["authorized_operations"] == (1 << 3) | (1 << 6) | (1 << 8), g  # READ, DELETE, DESCRIBE
        assert kproto.list_groups_v4(conn, ["stable"]) == (0, [("views-group", "consumer", "Stable")])
        assert kproto.list_groups_v4(conn, ["Empty"]) == (0, [])
        fetched = kproto.offset_fetch_v8(conn, {"views-group": [], "nobody": [("views", 1)]})
        assert fetched == {"views-group": (0, {("views", 0): (5, -1, "", 0)}),
                           "nobody": (0, {("views", 1): (-1, -1, "", 0)})}, fetched
    c.close()
    b.stop()


harness.main(globals())
