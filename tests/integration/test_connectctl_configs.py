"""connectctl configs as kafka-configs, against a real broker: --describe
(dynamic and --all) of topics and brokers, --alter with --add-config
(list values in brackets) and --delete-config, a broker's static settings
refused with the broker's reason, and one-line errors."""

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


def test_topic_describe_and_alter():
    """describe a topic's overrides, add and delete configs, describe again"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "orders", "--config", "retention.ms=60000")
    _, out, _ = ctl(b, "configs", "--entity-type", "topics", "--entity-name", "orders", "--describe")
    assert out == ("Dynamic configs for topic orders are:\n"
                   "  retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000}\n"), out
    _, out, _ = ctl(b, "configs", "--topic", "orders", "--alter", "--add-config",
                    "cleanup.policy=[compact,delete],segment.bytes=1048576", "--delete-config", "retention.ms")
    assert out == "Completed updating config for topic orders.\n", out
    _, out, _ = ctl(b, "configs", "--topic", "orders", "--describe")
    assert out == ("Dynamic configs for topic orders are:\n"
                   "  cleanup.policy=compact,delete sensitive=false "
                   "synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete}\n"
                   "  segment.bytes=1048576 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.bytes=1048576}\n"), out
    # The change is the topic's: kafka-topics sees it too.
    _, out, _ = ctl(b, "topics", "--describe", "--topics-with-overrides")
    assert out.endswith("Configs: cleanup.policy=compact,delete,segment.bytes=1048576\n"), out
    _, out, _ = ctl(b, "configs", "--topic", "orders", "--describe", "--all")
    lines = out.splitlines()
    assert lines[0] == "All configs for topic orders are:", out
    assert "  retention.ms=604800000 sensitive=false synonyms={STATIC_BROKER_CONFIG:retention.ms=604800000}" \
        in lines, out
    _, out, _ = ctl(b, "configs", "--topic", "orders", "--describe", "--json")
    doc = json.loads(out)
    assert [(c["name"], c["value"], c["source"]) for c in doc[0]["configs"]] == [
        ("cleanup.policy", "compact,delete", "DYNAMIC_TOPIC_CONFIG"),
        ("segment.bytes", "1048576", "DYNAMIC_TOPIC_CONFIG")], doc
    ctl(b, "topics", "--create", "--topic", "plain")
    _, out, _ = ctl(b, "configs", "--entity-type", "topics", "--describe")
    assert out.count("Dynamic configs for topic") == 2 and "Dynamic configs for topic plain are:\n" in out, out


def test_brokers():
    """a broker's settings can be described; changing them is refused with the broker's reason"""
    b = started()
    _, out, _ = ctl(b, "configs", "--entity-type", "brokers", "--entity-name", "0", "--describe")
    assert out == "Dynamic configs for broker 0 are:\n", out
    _, out, _ = ctl(b, "configs", "--broker", "0", "--describe", "--all")
    assert out.startswith("All configs for broker 0 are:\n"), out
    assert "  node.id=0 sensitive=false synonyms={STATIC_BROKER_CONFIG:node.id=0}\n" in out, out
    _, out, _ = ctl(b, "configs", "--entity-type", "brokers", "--describe")
    assert out == "Dynamic configs for broker 0 are:\n", out
    rc, _, err = ctl(b, "configs", "--broker", "0", "--alter", "--add-config", "log.retention.ms=1000", check=False)
    assert rc == 1 and err.startswith("connectctl: broker 0: Cannot update these configs dynamically") \
        and err.count("\n") == 1, err


def test_errors():
    """unknown topic, unknown config, nothing to delete, bad flags: one line each"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t")
    for args, code, want in (
            (["--topic", "missing", "--describe"], 1,
             "connectctl: topic 'missing' does not exist; list topics with: connectctl topics --list\n"),
            (["--topic", "t", "--alter", "--add-config", "nosuch=1"], 1,
             "connectctl: topic t: Unknown topic config name: nosuch\n"),
            (["--topic", "t", "--alter", "--delete-config", "nosuch"], 1,
             "connectctl: topic t has no config 'nosuch' to delete\n"),
            (["--topic", "t", "--alter"], 2, "connectctl configs: --alter needs --add-config or --delete-config\n"),
            (["--topic", "t"], 2, "connectctl configs: give one of --describe and --alter\n"),
            (["--describe"], 2, "connectctl configs: give --entity-type topics|brokers (or --topic T, --broker ID)\n"),
            (["--topic", "t", "--alter", "--add-config", "novalue"], 2,
             "connectctl configs: --add-config expects k=v[,k=v...] (a list value in brackets: k=[a,b]), "
             "got 'novalue'\n")):
        rc, _, err = ctl(b, "configs", *args, check=False)
        assert rc == code and err == want, (args, err)


harness.main(globals())
