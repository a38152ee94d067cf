"""connectctl and consumer groups against a real broker: `consume --group`
commits what it printed, `groups --list/--describe` show the group with exact
offsets and lag, `--reset-offsets` moves them (earliest, latest, offset,
shift, datetime; dry run changes nothing; an active group is refused),
`--delete` removes an empty group, and mistakes give one-line errors."""

import datetime
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker, ctl  # noqa: E402


def started():
    b = Broker()
    b.start()
    return b


def produce(b, topic, lines):
    ctl(b, "produce", "--topic", topic, input=("\n".join(lines) + "\n").encode("utf-8"))


def consume_group(b, topic, group, n, *extra):
    """Exactly n records through the group, in order (one partition)."""
    _, out, err = ctl(b, "consume", "--topic", topic, "--group", group, "--max-messages", str(n),
                      "--timeout-ms", "20000", *extra)
    assert "Processed a total of %d messages" % n in err, err
    return out.splitlines()


def describe_rows(b, group):
    """The rows of `groups --describe` as lists of columns, after checking the header."""
    _, out, _ = ctl(b, "groups", "--describe", "--group", group)
    lines = out.splitlines()
    assert lines[0] == "", out
    assert lines[1].split() == ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                                "CONSUMER-ID", "HOST", "CLIENT-ID"], out
    return [line.split() for line in lines[2:]]


def reset(b, group, *args):
    """Runs --reset-offsets; returns {(topic, partition): new offset} from its table."""
    _, out, _ = ctl(b, "groups", "--reset-offsets", "--group", group, *args)
    lines = out.splitlines()
    assert lines[0] == "" and lines[1].split() == ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], out
    plan = {}
    for line in lines[2:]:
        g, topic, part, offset = line.split()
        assert g == group, line
        plan[(topic, int(part))] = int(offset)
    return plan


def committed(b, group, topic="t"):
    """{partition: CURRENT-OFFSET} of one topic from --json describe."""
    _, out, _ = ctl(b, "groups", "--describe", "--group", group, "--json")
    return {r["partition"]: r["current_offset"] for r in json.loads(out) if r["topic"] == topic}


def group_state(b, group):
    """The group's state as `groups --list --json` reports it, None if not listed."""
    _, out, _ = ctl(b, "groups", "--list", "--json")
    return {g["group"]: g["state"] for g in json.loads(out)}.get(group)


def iso_utc(t):
    return datetime.datetime.utcfromtimestamp(t).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (int(t * 1000) % 1000)




def test_consume_describe_lag():
    """consume --group commits what it printed; --list and --describe show exact offsets and lag"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "1")
    produce(b, "t", ["line %d" % i for i in range(10)])
    assert consume_group(b, "t", "billing", 6, "--from-beginning") == ["line %d" % i for i in range(6)]
    # The next run resumes after the last printed record, not at the end.
    assert consume_group(b, "t", "billing", 2) == ["line 6", "line 7"]
    produce(b, "t", ["more %d" % i for i in range(5)])
    _, out, _ = ctl(b, "groups", "--list")
    assert out == "billing\n", out
    _, out, _ = ctl(b, "groups", "--list", "--json")
    assert json.loads(out) == [{"group": "billing", "state": "Empty", "members": 0}], out
    _, out, err = ctl(b, "groups", "--describe", "--group", "billing")
    assert "Consumer group 'billing' has no active members." in err, err
    rows = describe_rows(b, "billing")
    assert rows == [["billing", "t", "0", "8", "15", "7", "-", "-", "-"]], rows
    _, out, _ = ctl(b, "groups", "--describe", "--group", "billing", "--json")
    assert json.loads(out) == [{"group": "billing", "topic": "t", "partition": 0, "current_offset": 8,
                                "log_end_offset": 15, "lag": 7, "consumer_id": None, "host": None,
                                "client_id": None}], out
    # Without --from-beginning a new group starts at the end: only what is
    # produced once it has joined arrives.
    late = subprocess.Popen([harness.connectctl_path(), "consume", "--topic", "t", "--group", "latecomer",
                             "--max-messages", "1", "--bootstrap-server", b.bootstrap],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        harness.wait_for(lambda: group_state(b, "latecomer") == "Stable", what="the latecomer to join",
                         interval=0.5)
        time.sleep(1)  # for its position (the end) to be looked up
        produce(b, "t", ["late"])
        out, _ = late.communicate(timeout=30)
        assert out == b"late\n", out
    finally:
        if late.poll() is None:
            late.kill()
            late.wait()


def test_describe_unassigned_partition_and_member():
    """a partition without a commit shows '-' for CURRENT-OFFSET and LAG; an active member is shown"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "two", "--partitions", "2")
    produce(b, "two", ["a", "b", "c"])
    ctl(b, "groups", "--reset-offsets", "--group", "g2", "--topic", "two:1", "--to-earliest", "--execute")
    rows = describe_rows(b, "g2")
    assert rows == [["g2", "two", "1", "0", rows[0][4], rows[0][4], "-", "-", "-"]], rows
    member = harness.group_member(b, "g2", "two")
    try:
        def member_rows():
            rows = describe_rows(b, "g2")
            return rows if len(rows) == 2 and all(r[6] != "-" for r in rows) else None
        rows = harness.wait_for(member_rows, what="the member to be assigned both partitions", interval=0.5)
        assert [r[:3] for r in rows] == [["g2", "two", "0"], ["g2", "two", "1"]], rows
        assert rows[0][3] == "-" and rows[0][5] == "-", rows
        assert rows[1][3] == "0", rows
        assert rows[0][8] == "member-test" and rows[0][7] == "/127.0.0.1", rows
    finally:
        member.stdin.close()
        member.wait(30)


def test_reset_offsets():
    """--to-earliest, --to-latest, --to-offset, --shift-by (clamped), --dry-run and the default dry run"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "1")
    lines = ["line %d" % i for i in range(15)]
    produce(b, "t", lines)
    consume_group(b, "t", "g", 6, "--from-beginning")
    assert committed(b, "g") == {0: 6}
    # Dry run, explicit and by default (with a warning): plan printed, nothing changed.
    assert reset(b, "g", "--topic", "t", "--to-earliest", "--dry-run") == {("t", 0): 0}
    _, out, err = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t", "--to-latest")
    assert out.split()[-1] == "15" and "--execute is missing" in err and err.count("\n") == 1, (out, err)
    assert committed(b, "g") == {0: 6}
    # Executed: everything is consumed again.
    assert reset(b, "g", "--topic", "t", "--to-earliest", "--execute") == {("t", 0): 0}
    assert committed(b, "g") == {0: 0}
    assert consume_group(b, "t", "g", 15) == lines
    assert committed(b, "g") == {0: 15}
    assert reset(b, "g", "--topic", "t", "--shift-by", "-5", "--execute") == {("t", 0): 10}
    assert consume_group(b, "t", "g", 5) == lines[10:]
    assert reset(b, "g", "--topic", "t", "--shift-by", "100", "--execute") == {("t", 0): 15}
    assert reset(b, "g", "--topic", "t", "--shift-by", "-100", "--execute") == {("t", 0): 0}
    assert reset(b, "g", "--topic", "t:0", "--to-offset", "3", "--execute") == {("t", 0): 3}
    assert consume_group(b, "t", "g", 2) == lines[3:5]
    assert reset(b, "g", "--topic", "t", "--to-offset", "1000", "--execute") == {("t", 0): 15}
    assert reset(b, "g", "--all-topics", "--to-earliest", "--execute") == {("t", 0): 0}
    assert reset(b, "g", "--topic", "t", "--to-latest", "--execute") == {("t", 0): 15}
    _, out, _ = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t", "--to-offset", "4",
                    "--dry-run", "--json")
    assert json.loads(out) == [{"group": "g", "topic": "t", "partition": 0, "new_offset": 4}], out
    assert committed(b, "g") == {0: 15}
    # Only the named partitions of a topic move.
    ctl(b, "topics", "--create", "--topic", "two", "--partitions", "2")
    assert reset(b, "g", "--topic", "two:1", "--to-earliest", "--execute") == {("two", 1): 0}
    assert committed(b, "g", "two") == {1: 0}


def test_reset_to_datetime():
    """--to-datetime finds the first record at or after the time, in UTC or with an offset"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "1")
    produce(b, "t", ["old %d" % i for i in range(3)])
    time.sleep(1.2)
    t = time.time()
    time.sleep(1.2)
    produce(b, "t", ["new %d" % i for i in range(2)])
    consume_group(b, "t", "g", 5, "--from-beginning")
    assert reset(b, "g", "--topic", "t", "--to-datetime", iso_utc(t), "--execute") == {("t", 0): 3}
    assert consume_group(b, "t", "g", 2) == ["new 0", "new 1"]
    # The same instant two hours east of UTC.
    east = datetime.datetime.utcfromtimestamp(t) + datetime.timedelta(hours=2)
    stamp = east.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+02:00" % (int(t * 1000) % 1000)
    assert reset(b, "g", "--topic", "t", "--to-datetime", stamp, "--execute") == {("t", 0): 3}
    # Before every record: the log start; after every record: the log end.
    assert reset(b, "g", "--topic", "t", "--to-datetime", "2000-01-01T00:00:00.000Z", "--execute") == {("t", 0): 0}
    assert reset(b, "g", "--topic", "t", "--to-datetime", iso_utc(time.time() + 3600), "--execute") == {("t", 0): 5}
    rc, _, err = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t", "--to-datetime", "yesterday",
                     check=False)
    assert rc == 2 and "YYYY-MM-DDTHH:mm:SS.sss" in err, err


def test_active_group_and_delete():
    """reset and delete of a group with a member fail; delete of the empty group works"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "1")
    produce(b, "t", ["a", "b"])
    consume_group(b, "t", "g", 2, "--from-beginning")
    member = harness.group_member(b, "g", "t")
    try:
        harness.wait_for(lambda: any(r[6] != "-" for r in describe_rows(b, "g")),
                         what="the member to join", interval=0.5)
        rc, out, err = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t", "--to-earliest",
                           "--execute", check=False)
        assert rc == 1 and out == "" and err.count("\n") == 1, (out, err)
        assert "can only be reset if the group 'g' is inactive, but the current state is Stable" in err, err
        rc, _, err = ctl(b, "groups", "--delete", "--group", "g", check=False)
        assert rc == 1 and "group 'g' is not empty: stop its consumers first" in err, err
        assert err.count("\n") == 1, err
        assert committed(b, "g") == {0: 2}
    finally:
        member.stdin.close()
        member.wait(30)
    harness.wait_for(lambda: group_state(b, "g") == "Empty", what="the group to become empty", interval=0.5)
    _, out, _ = ctl(b, "groups", "--delete", "--group", "g")
    assert out == "Deletion of requested consumer groups ('g') was successful.\n", out
    rc, _, err = ctl(b, "groups", "--describe", "--group", "g", check=False)
    assert rc == 1 and "consumer group 'g' does not exist" in err and err.count("\n") == 1, err
    _, out, _ = ctl(b, "groups", "--list")
    assert out == "", out


def test_errors_are_one_line():
    """unknown group, unknown topic or partition, unreachable broker, bad flags"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "1")
    for args in (["--describe", "--group", "nope"], ["--delete", "--group", "nope"]):
        rc, _, err = ctl(b, "groups", *args, check=False)
        assert rc == 1 and err == ("connectctl: consumer group 'nope' does not exist; list groups with: "
                                   "connectctl groups --list\n"), err
    rc, _, err = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "missing", "--to-earliest",
                     "--execute", check=False)
    assert rc == 1 and "topic 'missing' does not exist" in err and err.count("\n") == 1, err
    rc, _, err = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t:3", "--to-earliest",
                     "--execute", check=False)
    assert rc == 1 and "topic 't' has no partition 3" in err and err.count("\n") == 1, err
    rc, _, err = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t", "--shift-by", "1",
                     "--execute", check=False)
    assert rc == 1 and "no committed offset" in err and err.count("\n") == 1, err
    rc, _, err = ctl(b, "consume", "--topic", "missing", "--group", "g", check=False)
    assert rc == 1 and "topic 'missing' does not exist" in err and err.count("\n") == 1, err
    rc, _, err = ctl(None, "groups", "--list", "--bootstrap-server", "127.0.0.1:%d" % harness.free_port(),
                     "--timeout-ms", "2000", check=False)
    assert rc == 1 and "no broker reachable at 127.0.0.1:" in err and err.count("\n") == 1, err
    for args, word in ((["--describe"], "--group"), ([], "--list"), (["--list", "--to-earliest"], "--reset-offsets"),
                       (["--reset-offsets", "--group", "g", "--topic", "t"], "--to-earliest"),
                       (["--reset-offsets", "--group", "g", "--to-latest"], "--all-topics"),
                       (["--reset-offsets", "--group", "g", "--topic", "t", "--to-latest", "--to-earliest"], "only one"),
                       (["--reset-offsets", "--group", "g", "--topic", "t", "--to-offset", "-1"], "--to-offset"),
                       (["--reset-offsets", "--group", "g", "--topic", "t", "--to-latest", "--dry-run", "--execute"],
                        "--dry-run")):
        rc, _, err = ctl(b, "groups", *args, check=False)
        assert rc == 2 and word in err and err.count("\n") == 1, (args, err)


harness.main(globals())
