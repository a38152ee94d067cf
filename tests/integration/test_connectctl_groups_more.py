"""connectctl groups flags of kafka-consumer-groups beyond the basics,
against a real broker: --describe --state, --members [--verbose],
--offsets, --all-groups, and --reset-offsets --to-current, --by-duration
and --from-file."""

import json
import os
import sys

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


def consume_group(b, topic, group, n):
    ctl(b, "consume", "--topic", topic, "--group", group, "--from-beginning", "--max-messages", str(n),
        "--timeout-ms", "20000")


def plan(out):
    """{(group, topic, partition): offset} of a --reset-offsets table."""
    lines = out.splitlines()
    assert lines[0] == "" and lines[1].split() == ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], out
    return {(g, t, int(p)): int(o) for g, t, p, o in (line.split() for line in lines[2:])}


def test_state_and_members():
    """--state and --members [--verbose] of a group with one active member"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "two", "--partitions", "2")
    member = harness.group_member(b, "g", "two")
    try:
        def stable():
            # Until the member has joined, the group does not exist.
            rc, out, _ = ctl(b, "groups", "--describe", "--group", "g", "--state", "--json", check=False)
            doc = json.loads(out) if rc == 0 else None
            return doc if doc and doc["state"] == "Stable" else None
        doc = harness.wait_for(stable, what="group g to be Stable", interval=0.5)
        assert doc["members"] == 1 and doc["coordinator"]["id"] == 0 and doc["coordinator"]["port"] == b.port, doc
        _, out, _ = ctl(b, "groups", "--describe", "--group", "g", "--state")
        lines = out.splitlines()
        assert lines[0] == "" and lines[1].split() == ["GROUP", "COORDINATOR", "(ID)", "ASSIGNMENT-STRATEGY",
                                                       "STATE", "#MEMBERS"], out
        assert lines[2].split() == ["g", "127.0.0.1:%d" % b.port, "(0)", doc["assignment_strategy"], "Stable",
                                    "1"], out

        def assigned():
            _, out, _ = ctl(b, "groups", "--describe", "--group", "g", "--members", "--verbose")
            lines = out.splitlines()
            return lines if len(lines) == 3 and lines[2].split()[-1] == "two(0,1)" else None
        lines = harness.wait_for(assigned, what="the member to hold both partitions", interval=0.5)
        assert lines[1].split() == ["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT"], lines
        row = lines[2].split()
        assert row[0] == "g" and row[2] == "/127.0.0.1" and row[3] == "member-test" and row[4] == "2", row
        _, out, _ = ctl(b, "groups", "--describe", "--group", "g", "--members")
        assert out.splitlines()[2].split() == row[:5], out
        _, out, _ = ctl(b, "groups", "--describe", "--group", "g", "--members", "--json")
        doc = json.loads(out)
        assert [(m["client_id"], m["partitions"], m["assignment"]) for m in doc] == [
            ("member-test", 2, [{"topic": "two", "partition": 0}, {"topic": "two", "partition": 1}])], doc
        _, out, _ = ctl(b, "groups", "--describe", "--group", "g", "--offsets")
        assert out.splitlines()[1].split()[:3] == ["GROUP", "TOPIC", "PARTITION"], out
    finally:
        member.stdin.close()
        member.wait(30)
    for args, word in ((["--describe", "--group", "g", "--state", "--members"], "only one of --offsets"),
                       (["--list", "--state"], "go with --describe"),
                       (["--describe", "--group", "g", "--verbose"], "--verbose goes with"),
                       (["--describe", "--group", "g", "--all-groups"], "only one of --group and --all-groups"),
                       (["--list", "--all-groups"], "--all-groups goes with")):
        rc, _, err = ctl(b, "groups", *args, check=False)
        assert rc == 2 and word in err and err.count("\n") == 1, (args, err)


def test_all_groups():
    """--describe, --reset-offsets and --delete with --all-groups act on every group"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t")
    produce(b, "t", ["a", "b", "c", "d"])
    consume_group(b, "t", "g1", 1)
    consume_group(b, "t", "g2", 3)
    _, out, _ = ctl(b, "groups", "--describe", "--all-groups")
    rows = [line.split()[:6] for line in out.splitlines() if line.startswith("g")]
    assert rows == [["g1", "t", "0", "1", "4", "3"], ["g2", "t", "0", "3", "4", "1"]], out
    _, out, _ = ctl(b, "groups", "--reset-offsets", "--all-groups", "--all-topics", "--to-earliest", "--execute")
    assert out.count("NEW-OFFSET") == 2, out
    _, out, _ = ctl(b, "groups", "--describe", "--all-groups")
    rows = [line.split()[:4] for line in out.splitlines() if line.startswith("g")]
    assert rows == [["g1", "t", "0", "0"], ["g2", "t", "0", "0"]], out
    _, out, _ = ctl(b, "groups", "--delete", "--all-groups")
    assert out == ("Deletion of requested consumer groups ('g1') was successful.\n"
                   "Deletion of requested consumer groups ('g2') was successful.\n"), out
    _, out, _ = ctl(b, "groups", "--list")
    assert out == "", out


def test_reset_current_duration_file():
    """--to-current, --by-duration and --from-file"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "2")
    import confluent_kafka
    p = confluent_kafka.Producer({"bootstrap.servers": b.bootstrap})
    now_ms = int(harness.time.time() * 1000)
    # Partition 0: an old record (2 h ago) and 3 recent ones; partition 1: 2 recent ones.
    p.produce("t", value=b"old", partition=0, timestamp=now_ms - 2 * 3600 * 1000)
    for i in range(3):
        p.produce("t", value=b"new", partition=0, timestamp=now_ms)
    for i in range(2):
        p.produce("t", value=b"new", partition=1, timestamp=now_ms)
    assert p.flush(30) == 0
    ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t:0", "--to-offset", "2", "--execute")
    _, out, _ = ctl(b, "groups", "--reset-offsets", "--group", "g", "--all-topics", "--to-current", "--dry-run")
    assert plan(out) == {("g", "t", 0): 2}, out
    # A partition without a committed offset goes to its log end, as Kafka.
    _, out, _ = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t", "--to-current", "--dry-run")
    assert plan(out) == {("g", "t", 0): 2, ("g", "t", 1): 2}, out
    _, out, _ = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t", "--by-duration", "PT1H",
                    "--dry-run")
    assert plan(out) == {("g", "t", 0): 1, ("g", "t", 1): 0}, out
    _, out, _ = ctl(b, "groups", "--reset-offsets", "--group", "g", "--topic", "t", "--by-duration", "P1DT0.5S",
                    "--dry-run")
    assert plan(out) == {("g", "t", 0): 0, ("g", "t", 1): 0}, out
    csv = os.path.join(harness.tmpdir(), "offsets.csv")
    with open(csv, "w") as f:
        f.write("t,0,3\nt,1,99\n")
    _, out, _ = ctl(b, "groups", "--reset-offsets", "--group", "g", "--from-file", csv, "--execute")
    assert plan(out) == {("g", "t", 0): 3, ("g", "t", 1): 2}, out  # clamped to the log end
    _, out, _ = ctl(b, "groups", "--describe", "--group", "g", "--json")
    assert [(r["partition"], r["current_offset"]) for r in json.loads(out)] == [(0, 3), (1, 2)], out
    with open(csv, "w") as f:
        f.write("t,0,3\nt;1;2\n")
    rc, _, err = ctl(b, "groups", "--reset-offsets", "--group", "g", "--from-file", csv, check=False)
    assert rc == 1 and err.endswith("line 2 is not topic,partition,offset: 't;1;2'\n"), err
    for args, word in ((["--by-duration", "1h", "--topic", "t"], "--by-duration expects"),
                       (["--from-file", csv, "--topic", "t"], "--from-file names its partitions"),
                       (["--to-current", "--by-duration", "PT1H", "--topic", "t"], "give only one of")):
        rc, _, err = ctl(b, "groups", "--reset-offsets", "--group", "g", *args, check=False)
        assert rc == 2 and word in err and err.count("\n") == 1, (args, err)


harness.main(globals())
