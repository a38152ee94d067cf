"""connectctl against a real broker: the topics / produce / consume round trip
with Kafka-tool flags, --json output, and one-line errors with a non-zero exit
for the mistakes users make (unknown topic, no broker, bad flags)."""

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


def test_topics_round_trip():
    """create with configs, list, describe (text and --json), alter, delete"""
    b = started()
    _, out, _ = ctl(b, "topics", "--create", "--topic", "orders", "--partitions", "3",
                    "--replication-factor", "1", "--config", "retention.ms=60000")
    assert out == "Created topic orders.\n", out
    _, out, _ = ctl(b, "topics", "--list")
    assert out.split() == ["orders"], out
    _, out, _ = ctl(b, "topics", "--describe", "--topic", "orders")
    lines = out.splitlines()
    assert lines[0] == "Topic: orders\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=60000", lines
    assert lines[1] == "\tTopic: orders\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0", lines
    assert len(lines) == 4, lines
    ctl(b, "topics", "--alter", "--topic", "orders", "--partitions", "5")
    _, out, _ = ctl(b, "topics", "--describe", "--topic", "orders", "--json")
    doc = json.loads(out)
    assert [p["partition"] for p in doc[0]["partitions"]] == [0, 1, 2, 3, 4], doc
    rc, _, err = ctl(b, "topics", "--alter", "--topic", "orders", "--partitions", "2", check=False)
    assert rc == 1 and "orders" in err and err.count("\n") == 1, err
    _, out, _ = ctl(b, "topics", "--delete", "--topic", "orders")
    assert out == "Deleted topic orders.\n", out
    rc, _, err = ctl(b, "topics", "--describe", "--topic", "orders", check=False)
    assert rc == 1 and "does not exist" in err, err


def test_produce_consume_keys_and_headers():
    """produce lines with keys, consume them back from the beginning with print.key"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "lines", "--partitions", "1")
    lines = ["k%d:value %d \u00e9" % (i, i) for i in range(20)]
    ctl(b, "produce", "--topic", "lines", "--property", "parse.key=true",
        "--property", "key.separator=:", "--header", "source=test",
        input=("\n".join(lines) + "\n").encode("utf-8"))
    _, out, err = ctl(b, "consume", "--topic", "lines", "--from-beginning", "--max-messages", "20",
                      "--property", "print.key=true", "--property", "key.separator=:")
    assert out.splitlines() == lines, out
    assert "Processed a total of 20 messages" in err, err
    # Without keys, and stopping on --timeout-ms when the topic runs dry.
    _, out, _ = ctl(b, "consume", "--topic", "lines", "--from-beginning", "--timeout-ms", "3000")
    assert out.splitlines() == [line.split(":", 1)[1] for line in lines], out


def test_errors_are_one_line():
    """unknown topic, unreachable broker, bad flags: one line, non-zero exit"""
    b = started()
    rc, _, err = ctl(b, "consume", "--topic", "missing", check=False)
    assert rc == 1 and "topic 'missing' does not exist" in err and err.count("\n") == 1, err
    rc, _, err = ctl(None, "topics", "--list", "--bootstrap-server", "127.0.0.1:%d" % harness.free_port(),
                     "--timeout-ms", "2000", check=False)
    assert rc == 1 and "no broker reachable at 127.0.0.1:" in err and err.count("\n") == 1, err
    rc, _, err = ctl(b, "topics", "--create", check=False)
    assert rc == 2 and "--topic" in err, err
    rc, _, err = ctl(b, "produce", "--topic", "x", "--property", "parse.key=true", input=b"no-separator\n",
                     check=False)
    assert rc == 1 and "no key separator" in err, err
    rc, _, err = ctl(b, "consume", "--topic", "x", "--group", "", check=False)
    assert rc == 2 and "--group" in err, err


harness.main(globals())
