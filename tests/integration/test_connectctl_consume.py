"""connectctl consume as kafka-console-consumer, against a real broker: the
DefaultMessageFormatter properties (print.*, separators, null.literal),
--partition/--offset, --consumer-property/--consumer.config,
--isolation-level, --include, --json and --skip-message-on-error."""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker, ctl  # noqa: E402

TS = 1700000000000


def started():
    b = Broker()
    b.start()
    return b


def produce(b, topic, records):
    """records: (partition, key, value, headers) with timestamps TS, TS+1, ...,
    through confluent-kafka, which sets timestamps and null headers."""
    import confluent_kafka
    p = confluent_kafka.Producer({"bootstrap.servers": b.bootstrap})
    errors = []
    for i, (part, key, value, headers) in enumerate(records):
        p.produce(topic, key=key, value=value, partition=part, headers=headers, timestamp=TS + i,
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
    assert p.flush(30) == 0 and not errors, errors


def setup_topic(b):
    ctl(b, "topics", "--create", "--topic", "t", "--partitions", "2")
    produce(b, "t", [(0, b"k", b"v", [("h1", b"v1"), ("h2", b"v2")]),
                     (0, None, b"v2", None),
                     (0, b"k3", None, [("h3", None)]),
                     (1, b"p1", b"on partition one", None)])


def consume(b, *args, check=True):
    return ctl(b, "consume", "--topic", "t", *args, check=check)


def test_formatter_properties():
    """print.timestamp/partition/offset/headers/key/value and the separators, as Kafka prints them"""
    b = started()
    setup_topic(b)
    props = ["print.timestamp=true", "print.partition=true", "print.offset=true", "print.headers=true",
             "print.key=true"]
    args = ["--partition", "0", "--offset", "earliest", "--max-messages", "3"]
    for p in props:
        args += ["--property", p]
    _, out, err = consume(b, *args)
    assert out == ("CreateTime:%d\tPartition:0\tOffset:0\th1:v1,h2:v2\tk\tv\n"
                   "CreateTime:%d\tPartition:0\tOffset:1\tNO_HEADERS\tnull\tv2\n"
                   "CreateTime:%d\tPartition:0\tOffset:2\th3:null\tk3\tnull\n") % (TS, TS + 1, TS + 2), out
    assert err == "Processed a total of 3 messages\n", err
    _, out, _ = consume(b, *args, "--property", "key.separator= | ", "--property", "line.separator=;\n",
                        "--property", "headers.separator=&", "--property", "null.literal=<null>",
                        "--property", "print.value=false", "--property", "print.timestamp=false")
    assert out == ("Partition:0 | Offset:0 | h1:v1&h2:v2 | k;\n"
                   "Partition:0 | Offset:1 | NO_HEADERS | <null>;\n"
                   "Partition:0 | Offset:2 | h3:<null> | k3;\n"), out
    rc, _, err = consume(b, "--property", "print.keys=true", check=False)
    assert rc == 2 and err.startswith("connectctl consume: unknown --property 'print.keys'"), err


def test_partition_and_offset():
    """--partition alone, with --offset N/earliest/latest, and their mistakes"""
    b = started()
    setup_topic(b)
    _, out, _ = consume(b, "--partition", "1", "--from-beginning", "--max-messages", "1")
    assert out == "on partition one\n", out
    _, out, _ = consume(b, "--partition", "0", "--offset", "1", "--max-messages", "2", "--property",
                        "print.offset=true")
    assert out == "Offset:1\tv2\nOffset:2\tnull\n", out
    _, out, err = consume(b, "--partition", "0", "--offset", "latest", "--timeout-ms", "2000")
    assert out == "" and err == "Processed a total of 0 messages\n", (out, err)
    rc, _, err = consume(b, "--partition", "5", check=False)
    assert rc == 1 and err == "connectctl: topic 't' has no partition 5 (it has 2)\n", err
    for args, word in ((["--offset", "1"], "--offset needs --partition"),
                       (["--partition", "0", "--offset", "-1"], "--offset expects earliest, latest or a number"),
                       (["--partition", "0", "--offset", "first"], "--offset expects"),
                       (["--partition", "0", "--offset", "1", "--from-beginning"], "only one of --offset"),
                       (["--partition", "0", "--group", "g"], "cannot be used with --group"),
                       (["--partition", "x"], "--partition expects")):
        rc, _, err = consume(b, *args, check=False)
        assert rc == 2 and word in err and err.count("\n") == 1, (args, err)


def test_consumer_properties_and_config():
    """--consumer-property and --consumer.config reach the consumer (a group.id makes it a group member)"""
    b = started()
    setup_topic(b)
    _, out, _ = consume(b, "--consumer-property", "group.id=g1", "--from-beginning", "--max-messages", "2",
                        "--timeout-ms", "20000", "--property", "print.partition=true")
    first = out.splitlines()
    # --from-beginning only matters for a partition the first run printed nothing from.
    _, out, _ = consume(b, "--consumer-property", "group.id=g1", "--from-beginning", "--max-messages", "2",
                        "--timeout-ms", "20000", "--property", "print.partition=true")
    # The group resumes where the first run stopped: together, every record once.
    assert sorted(first + out.splitlines()) == ["Partition:0\tnull", "Partition:0\tv", "Partition:0\tv2",
                                                "Partition:1\ton partition one"], (first, out)
    _, out, _ = ctl(b, "groups", "--list")
    assert out.split() == ["g1"], out
    conf = os.path.join(harness.tmpdir(), "consumer.properties")
    with open(conf, "w") as f:
        f.write("group.id=g2\nclient.id=from-file\n")
    _, out, _ = consume(b, "--consumer.config", conf, "--from-beginning", "--max-messages", "4",
                        "--timeout-ms", "20000")
    assert sorted(out.splitlines()) == ["null", "on partition one", "v", "v2"], out
    _, out, _ = ctl(b, "groups", "--list")
    assert sorted(out.split()) == ["g1", "g2"], out
    rc, _, err = consume(b, "--consumer-property", "no.such.thing=1", check=False)
    assert rc == 2 and err.startswith("connectctl: --consumer-property no.such.thing=1: No such configuration"), err
    rc, _, err = consume(b, "--consumer-property", "novalue", check=False)
    assert rc == 2 and err == "connectctl: --consumer-property expects key=value, got 'novalue'\n", err
    rc, _, err = consume(b, "--consumer.config", conf + ".missing", check=False)
    assert rc == 2 and err == "connectctl: --consumer.config: %s.missing: No such file or directory\n" % conf, err


def test_isolation_level():
    """read_committed and read_uncommitted both see records written outside transactions; other values are refused"""
    b = started()
    setup_topic(b)
    for level in ("read_committed", "read_uncommitted"):
        _, out, _ = consume(b, "--isolation-level", level, "--partition", "0", "--from-beginning",
                            "--max-messages", "3")
        assert out == "v\nv2\nnull\n", (level, out)
    rc, _, err = consume(b, "--isolation-level", "committed", check=False)
    assert rc == 2 and err == ("connectctl consume: --isolation-level expects read_committed or read_uncommitted, "
                               "got 'committed'\n"), err


def test_include_regex():
    """--include reads every topic whose whole name matches"""
    b = started()
    for topic in ("orders-eu", "orders-us", "refunds", "old-orders-eu"):
        ctl(b, "topics", "--create", "--topic", topic)
        produce(b, topic, [(0, None, topic.encode(), None)])
    _, out, err = ctl(b, "consume", "--include", "orders-(eu|us)", "--from-beginning", "--max-messages", "2",
                      "--timeout-ms", "20000")
    assert sorted(out.splitlines()) == ["orders-eu", "orders-us"], out
    _, out, _ = ctl(b, "consume", "--include", "orders-.*", "--from-beginning", "--timeout-ms", "3000",
                    "--group", "regex")
    assert sorted(out.splitlines()) == ["orders-eu", "orders-us"], out
    rc, _, err = ctl(b, "consume", "--include", "nothing.*", check=False)
    assert rc == 1 and err == ("connectctl: no topic matches --include 'nothing.*'; list topics with: "
                               "connectctl topics --list\n"), err
    rc, _, err = ctl(b, "consume", "--include", "orders-(", check=False)
    assert rc == 2 and "--include 'orders-(' is not a valid regular expression" in err, err
    rc, _, err = ctl(b, "consume", "--include", "x", "--topic", "y", check=False)
    assert rc == 2 and err == "connectctl consume: give one of --topic and --include\n", err


def test_json_and_skip_message_on_error():
    """--json prints one object a line; a non-UTF-8 record stops it unless --skip-message-on-error"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t")
    produce(b, "t", [(0, b"k", b"caf\xc3\xa9 \"q\"", [("h", b"1"), ("n", None)]),
                     (0, None, b"\xff\xfe", None),
                     (0, b"k3", None, None)])
    _, out, _ = consume(b, "--json", "--from-beginning", "--max-messages", "1")
    assert json.loads(out) == {"topic": "t", "partition": 0, "offset": 0, "timestamp": TS,
                               "timestamp_type": "CreateTime", "headers": [{"key": "h", "value": "1"},
                                                                           {"key": "n", "value": None}],
                               "key": "k", "value": "caf\u00e9 \"q\""}, out
    rc, out, err = consume(b, "--json", "--from-beginning", "--max-messages", "3", check=False)
    assert rc == 1 and len(out.splitlines()) == 1, (rc, out)
    assert err == ("connectctl: consume: cannot print the record at t-0 offset 1: its value is not UTF-8, so not "
                   "a JSON string; --skip-message-on-error skips such records\n"), err
    _, out, err = consume(b, "--json", "--from-beginning", "--max-messages", "2", "--skip-message-on-error")
    docs = [json.loads(line) for line in out.splitlines()]
    assert [(d["offset"], d["key"], d["value"]) for d in docs] == [(0, "k", "caf\u00e9 \"q\""), (2, "k3", None)], out
    assert err == ("connectctl: consume: skipping the record at t-0 offset 1: its value is not UTF-8, so not a "
                   "JSON string\nProcessed a total of 2 messages\n"), err


harness.main(globals())
