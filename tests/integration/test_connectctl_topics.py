"""connectctl topics as kafka-topics, against a real broker: overridden
configs in --describe (--topics-with-overrides, --json), the partition
filters, --exclude-internal, --if-exists/--if-not-exists, --topic as a
regular expression, and errors that say things once."""

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


def test_describe_overrides():
    """--describe --json and --topics-with-overrides show the configs that differ from the defaults"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "orders", "--partitions", "2", "--config", "retention.ms=60000",
        "--config", "cleanup.policy=compact")
    ctl(b, "topics", "--create", "--topic", "plain")
    _, out, _ = ctl(b, "topics", "--describe", "--topics-with-overrides")
    assert out == ("Topic: orders\tPartitionCount: 2\tReplicationFactor: 1\t"
                   "Configs: cleanup.policy=compact,retention.ms=60000\n"), out
    _, out, _ = ctl(b, "topics", "--describe", "--json")
    doc = json.loads(out)
    assert [(t["topic"], t["configs"]) for t in doc] == [
        ("orders", {"cleanup.policy": "compact", "retention.ms": "60000"}), ("plain", {})], doc
    # The plain text --describe ends each topic line with its configs, as
    # kafka-topics does: "Configs: " and nothing for a topic without any.
    _, out, _ = ctl(b, "topics", "--describe", "--topic", "plain")
    assert out == ("Topic: plain\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: \n"
                   "\tTopic: plain\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\n"), out
    _, out, _ = ctl(b, "topics", "--describe", "--topic", "orders")
    assert out == ("Topic: orders\tPartitionCount: 2\tReplicationFactor: 1\t"
                   "Configs: cleanup.policy=compact,retention.ms=60000\n"
                   "\tTopic: orders\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\n"
                   "\tTopic: orders\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0\n"), out


def test_partition_filters_and_internal():
    """--under-replicated-partitions and --unavailable-partitions list none on a healthy broker;
    --exclude-internal leaves out __consumer_offsets"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "orders", "--partitions", "3")
    ctl(b, "produce", "--topic", "orders", input=b"a\n")
    ctl(b, "consume", "--topic", "orders", "--group", "g", "--from-beginning", "--max-messages", "1",
        "--timeout-ms", "20000")
    _, out, _ = ctl(b, "topics", "--list")
    assert out == "__consumer_offsets\norders\n", out
    _, out, _ = ctl(b, "topics", "--list", "--exclude-internal")
    assert out == "orders\n", out
    _, out, _ = ctl(b, "topics", "--describe", "--exclude-internal")
    assert out.splitlines()[0] == "Topic: orders\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: ", out
    assert "__consumer_offsets" not in out, out
    for flag in ("--under-replicated-partitions", "--unavailable-partitions"):
        _, out, _ = ctl(b, "topics", "--describe", flag)
        assert out == "", (flag, out)
        _, out, _ = ctl(b, "topics", "--describe", flag, "--topic", "orders", "--json")
        assert json.loads(out)[0]["partitions"] == [], (flag, out)
    rc, _, err = ctl(b, "topics", "--list", "--unavailable-partitions", check=False)
    assert rc == 2 and "go with --describe" in err, err


def test_if_exists_and_if_not_exists():
    """--if-not-exists makes creating an existing topic a no-op; --if-exists a missing one for alter/delete/describe"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t")
    rc, out, err = ctl(b, "topics", "--create", "--topic", "t", check=False)
    assert rc == 1 and err == "connectctl: topic 't' already exists\n", err
    rc, out, err = ctl(b, "topics", "--create", "--topic", "t", "--if-not-exists")
    assert rc == 0 and out == "" and err == "", (out, err)
    for action in (["--delete"], ["--alter", "--partitions", "4"], ["--describe"]):
        rc, _, err = ctl(b, "topics", *action, "--topic", "missing", check=False)
        assert rc == 1 and err == ("connectctl: topic 'missing' does not exist; list topics with: "
                                   "connectctl topics --list\n"), (action, err)
        rc, out, err = ctl(b, "topics", *action, "--topic", "missing", "--if-exists")
        assert rc == 0 and out == "" and err == "", (action, out, err)
    rc, _, err = ctl(b, "topics", "--create", "--topic", "x", "--if-exists", check=False)
    assert rc == 2 and err == "connectctl topics: --if-exists goes with --alter, --delete or --describe\n", err


def test_regex_topics():
    """--topic is a regular expression (whole name) for list, describe, alter and delete"""
    b = started()
    for topic in ("orders-eu", "orders-us", "refunds", "xorders-eu"):
        ctl(b, "topics", "--create", "--topic", topic)
    _, out, _ = ctl(b, "topics", "--list", "--topic", "orders-.*")
    assert out == "orders-eu\norders-us\n", out
    _, out, _ = ctl(b, "topics", "--alter", "--topic", "orders-(eu|us)", "--partitions", "2")
    assert out == "Added partitions to topic orders-eu.\nAdded partitions to topic orders-us.\n", out
    _, out, _ = ctl(b, "topics", "--describe", "--topic", "orders-.*")
    assert [line for line in out.splitlines() if line.startswith("Topic:")] == [
        "Topic: orders-eu\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: ",
        "Topic: orders-us\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: "], out
    # Errors name each topic once, one line each.
    rc, _, err = ctl(b, "topics", "--alter", "--topic", "orders-.*", "--partitions", "2", check=False)
    assert rc == 1 and err == (
        "connectctl: topic 'orders-eu': topic currently has 2 partitions, which is higher than or equal to the "
        "requested 2; partitions can only be added\n"
        "connectctl: topic 'orders-us': topic currently has 2 partitions, which is higher than or equal to the "
        "requested 2; partitions can only be added\n"), err
    _, out, _ = ctl(b, "topics", "--delete", "--topic", ".*s")
    assert out == "Deleted topic orders-us.\nDeleted topic refunds.\n", out
    _, out, _ = ctl(b, "topics", "--list")
    assert out == "orders-eu\nxorders-eu\n", out
    rc, _, err = ctl(b, "topics", "--list", "--topic", "(", check=False)
    assert rc == 2 and "--topic '(' is not a valid regular expression" in err, err


harness.main(globals())
