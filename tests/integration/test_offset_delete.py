"""OffsetDelete (KIP-496) against a real broker, through
`connectctl groups --delete-offsets` and raw frames: an empty group loses
only the named partitions' offsets, durably; an unknown group or topic is
reported per partition; a live consumer group keeps the offsets of the
topics it subscribes to; a Connect group with members is refused whole; a
malformed frame closes the connection and nothing else."""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, ctl  # noqa: E402


def committed(b, group, topic="t"):
    """{partition: CURRENT-OFFSET} of one topic from --json describe."""
    _, out, _ = ctl(b, "groups", "--describe", "--group", group, "--json")
    return {r["partition"]: r["current_offset"] for r in json.loads(out)
            if r["topic"] == topic and r["current_offset"] is not None}


def group_state(b, group):
    """The group's state as `groups --list --json` reports it, None if not listed."""
    _, out, _ = ctl(b, "groups", "--list", "--json")
    return {g["group"]: g["state"] for g in json.loads(out)}.get(group)


def started():
    b = Broker()
    b.start()
    return b


def commit_earliest(b, group, *topics):
    for t in topics:
        ctl(b, "groups", "--reset-offsets", "--group", group, "--topic", t, "--to-earliest", "--execute")


def delete_offsets(b, group, *topics, expect_rc=0):
    """Runs --delete-offsets; returns ({(topic, partition): status}, stderr)."""
    args = []
    for t in topics:
        args += ["--topic", t]
    rc, out, err = ctl(b, "groups", "--delete-offsets", "--group", group, *args, check=False)
    assert rc == expect_rc, (rc, out, err)
    lines = out.splitlines()
    assert lines[0] == "" and lines[1].split() == ["TOPIC", "PARTITION", "STATUS"], out
    rows = {}
    for line in lines[2:]:
        topic, rest = line[:30].strip(), line[31:]
        partition, status = rest[:15].strip(), rest[16:]
        rows[(topic, int(partition) if partition != "Not Provided" else None)] = status
    return rows, err


def test_empty_group_partial_delete_survives_restart():
    """an empty group loses only the named offsets, also after a restart; deleting the rest deletes the group"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "3")
    ctl(b, "topics", "--create", "--topic", "u", "--partitions", "1")
    commit_earliest(b, "g", "t", "u")
    assert committed(b, "g") == {0: 0, 1: 0, 2: 0}
    rows, _ = delete_offsets(b, "g", "t:1")
    assert rows == {("t", 1): "Successful"}, rows
    assert committed(b, "g") == {0: 0, 2: 0}
    assert committed(b, "g", "u") == {0: 0}
    # A partition without an offset is "deleted" too, as in Kafka.
    rows, _ = delete_offsets(b, "g", "t:1")
    assert rows == {("t", 1): "Successful"}, rows
    b.restart()
    assert committed(b, "g") == {0: 0, 2: 0}
    assert committed(b, "g", "u") == {0: 0}
    # The whole topic: its every partition.
    rows, _ = delete_offsets(b, "g", "t")
    assert rows == {("t", 0): "Successful", ("t", 1): "Successful", ("t", 2): "Successful"}, rows
    assert committed(b, "g") == {} and committed(b, "g", "u") == {0: 0}
    assert group_state(b, "g") == "Empty"
    # An empty group left without offsets is gone (Kafka marks it Dead).
    delete_offsets(b, "g", "u")
    assert group_state(b, "g") is None
    b.restart()
    assert group_state(b, "g") is None
    with kproto.Conn(b.port) as conn:
        assert kproto.offset_fetch(conn, "g", None)[1] == {}


def test_unknown_group_and_topic():
    """GROUP_ID_NOT_FOUND for every partition of a missing group; UNKNOWN_TOPIC_OR_PARTITION per partition"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "2")
    rows, err = delete_offsets(b, "nope", "t", expect_rc=1)
    assert set(rows) == {("t", 0), ("t", 1)}, rows
    assert all(s.startswith("Error: GROUP_ID_NOT_FOUND") for s in rows.values()), rows
    assert "GROUP_ID_NOT_FOUND" in err and "'nope' does not exist" in err, err
    commit_earliest(b, "g", "t")
    rows, err = delete_offsets(b, "g", "t:0", "t:5", "nosuch", "gone:0", expect_rc=1)
    assert rows[("t", 0)] == "Successful", rows
    assert rows[("t", 5)].startswith("Error: UNKNOWN_TOPIC_OR_PART"), rows
    assert rows[("nosuch", None)].startswith("Error: UNKNOWN_TOPIC_OR_PART"), rows
    assert rows[("gone", 0)].startswith("Error: UNKNOWN_TOPIC_OR_PART"), rows
    assert len(rows) == 4, rows
    assert committed(b, "g") == {1: 0}
    _, out, _ = ctl(b, "groups", "--delete-offsets", "--group", "g", "--topic", "t:1", "--json")
    assert json.loads(out) == [{"topic": "t", "partition": 1, "error": None}], out
    # Usage mistakes.
    rc, _, err = ctl(b, "groups", "--delete-offsets", "--group", "g", check=False)
    assert rc == 2 and "--delete-offsets takes" in err, (rc, err)
    rc, _, err = ctl(b, "groups", "--delete-offsets", "--group", "g", "--all-topics", check=False)
    assert rc == 2 and "--delete-offsets takes" in err, (rc, err)


def test_live_consumer_group_keeps_subscribed_topics():
    """a member subscribed to A: A's offsets stay (GROUP_SUBSCRIBED_TO_TOPIC), B's go"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "a", "--partitions", "2")
    ctl(b, "topics", "--create", "--topic", "b", "--partitions", "2")
    commit_earliest(b, "live", "a", "b")
    member = harness.group_member(b, "live", "a")
    try:
        harness.wait_for(lambda: group_state(b, "live") == "Stable", what="the member to join", interval=0.5)
        rows, _ = delete_offsets(b, "live", "a", "b", expect_rc=1)
        assert rows[("b", 0)] == rows[("b", 1)] == "Successful", rows
        assert rows[("a", 0)].startswith("Error: GROUP_SUBSCRIBED_TO_TOPIC"), rows
        assert rows[("a", 1)].startswith("Error: GROUP_SUBSCRIBED_TO_TOPIC"), rows
        assert committed(b, "live", "a") == {0: 0, 1: 0}
        assert committed(b, "live", "b") == {}
    finally:
        member.stdin.close()
        member.wait(timeout=30)
    # Once the member has left, A's offsets can go as well.
    harness.wait_for(lambda: group_state(b, "live") == "Empty", what="the member to leave", interval=0.5)
    rows, _ = delete_offsets(b, "live", "a:0")
    assert rows == {("a", 0): "Successful"}, rows
    assert committed(b, "live", "a") == {1: 0}


def join(conn, group, **kw):
    """JoinGroup v5, again with the member id MEMBER_ID_REQUIRED hands out."""
    first = kproto.join_group(conn, group, **kw)
    assert first["error"] == 79, first
    return kproto.join_group(conn, group, member_id=first["member_id"], **kw)


def subscription(*topics):
    """ConsumerProtocol subscription v0: version, topics, null user data."""
    return kproto.i16(0) + kproto.array(list(topics), kproto.string) + kproto.i32(-1)


def test_raw_frames():
    """INVALID_GROUP_ID, NON_EMPTY_GROUP for a Connect group, subscriptions from member metadata, bad frames"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "a", "--partitions", "1")
    ctl(b, "topics", "--create", "--topic", "b", "--partitions", "1")
    with kproto.Conn(b.port) as conn:
        assert kproto.offset_delete(conn, "", {"a": [0]}) == (24, {})
        assert kproto.offset_delete(conn, "never-was", {"a": [0]}) == (69, {})
        for g in ("wk", "cg", "bad"):
            assert set(kproto.offset_commit(conn, g, [("a", 0, 1, ""), ("b", 0, 2, "")]).values()) == {0}
        # A Connect worker group with a member: refused whole.
        wk = join(conn, "wk", protocol_type="connect", protocols=(("sessioned", b"x"),))
        assert wk["error"] == 0, wk
        assert kproto.offset_delete(conn, "wk", {"a": [0], "b": [0]}) == (68, {})
        # A consumer member subscribed to a: b's offset goes, a's stays.
        cg = join(conn, "cg", protocols=(("range", subscription("a", "zz")),))
        assert cg["error"] == 0, cg
        assert kproto.offset_delete(conn, "cg", {"a": [0], "b": [0], "nosuch": [0]}) == \
            (0, {("a", 0): 86, ("b", 0): 0, ("nosuch", 0): 3})
        assert kproto.offset_fetch(conn, "cg", [("a", 0), ("b", 0)])[1] == \
            {("a", 0): (1, "", 0), ("b", 0): (-1, "", 0)}
        # Metadata that does not parse: subscriptions unknown, nothing counts as subscribed (Kafka).
        bad = join(conn, "bad", protocols=(("range", b"\x00\x00\x00\x00\x00\x05"),))
        assert bad["error"] == 0, bad
        assert kproto.offset_delete(conn, "bad", {"a": [0]}) == (0, {("a", 0): 0})
    # A frame that does not parse closes that connection only.
    hostile = [
        kproto.string("g") + kproto.i32(1 << 30),
        kproto.string("g") + kproto.i32(1) + kproto.string("a") + kproto.i32(-3),
        kproto.string("g") + kproto.i32(1) + kproto.string("a") + kproto.i32(2) + kproto.i32(0),
        kproto.i16(-1) + kproto.i32(0),
        b"\x00",
    ]
    for body in hostile:
        with kproto.Conn(b.port) as conn:
            conn.send(kproto.OFFSET_DELETE, 0, body)
            closed, data = conn.closed_by_peer(timeout=10)
            assert closed and data == b"", (body, data)
    with kproto.Conn(b.port) as conn:
        assert kproto.offset_delete(conn, "cg", {"a": [0]})[0] == 0
    b.stop()  # a clean exit (and, in sanitizer builds, no leak)


harness.main(globals())
