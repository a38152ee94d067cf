"""offsets.retention.minutes: the committed offsets of a group that has no
members expire (KIP-211), persistently, while an active group keeps its own.

Kafka's smallest retention is one minute, so this file waits about that
long; it is separate from test_groups.py so the two run side by side.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, wait_for  # noqa: E402

RETENTION_S = 60


def test_offsets_of_empty_groups_expire():
    """offsets of an empty group and of a member-less commit expire after
    offsets.retention.minutes; an active group's do not; a restart keeps the
    expiry"""
    b = Broker(overrides={"offsets.retention.minutes": "1",
                          "offsets.retention.check.interval.ms": "500"}).start()
    with kproto.Conn(b.port) as conn:
        kproto.metadata(conn, ["kept"], allow_auto_create=True)
        assert kproto.offset_commit(conn, "standalone", [("kept", 0, 5, None)]) == {("kept", 0): 0}
        # A group that had a member, who left: Empty, with a protocol type.
        me = kproto.join_group(conn, "left", version=3)["member_id"]
        assert kproto.sync_group(conn, "left", 1, me, [(me, b"")], version=2)[0] == 0
        assert kproto.offset_commit(conn, "left", [("kept", 0, 9, None)], 1, me) == {("kept", 0): 0}
        assert kproto.leave_group(conn, "left", me) == 0

    # An active member keeps its group's offsets, however long it stays.
    with kproto.Conn(b.port) as member:
        active = kproto.join_group(member, "active", version=3, session_timeout_ms=30000)["member_id"]
        assert kproto.sync_group(member, "active", 1, active, [(active, b"")], version=2)[0] == 0
        assert kproto.offset_commit(member, "active", [("kept", 0, 3, None)], 1, active) == {("kept", 0): 0}

        def expired():
            assert kproto.heartbeat(member, "active", 1, active) == 0
            with kproto.Conn(b.port) as conn:
                groups = [g for g, _ in kproto.list_groups(conn)[1]]
                return "standalone" not in groups and "left" not in groups
        assert "active" in [g for g, _ in kproto.list_groups(member)[1]]
        wait_for(expired, timeout=RETENTION_S + 60, what="the empty groups' offsets to expire", interval=1)
        with kproto.Conn(b.port) as conn:
            assert kproto.offset_fetch(conn, "left", [("kept", 0)])[1] == {("kept", 0): (-1, "", 0)}
            assert kproto.offset_fetch(conn, "active", [("kept", 0)])[1] == {("kept", 0): (3, "", 0)}

    b.kill()
    b.start()
    with kproto.Conn(b.port) as conn:
        assert kproto.offset_fetch(conn, "standalone", [("kept", 0)])[1] == {("kept", 0): (-1, "", 0)}
        assert kproto.offset_fetch(conn, "left", [("kept", 0)])[1] == {("kept", 0): (-1, "", 0)}
        assert kproto.offset_fetch(conn, "active", [("kept", 0)])[1] == {("kept", 0): (3, "", 0)}


harness.main(globals())
