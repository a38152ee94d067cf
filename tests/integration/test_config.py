"""`connectd broker` configuration: the sample file, --override, unknown keys
(warning, still starts) and malformed values (exit code 2 naming the key).
"""

import os
import socket
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

EXIT_RUNTIME, EXIT_USAGE = 1, 2


def run_broker(*args, timeout=harness.DEFAULT_TIMEOUT):
    """Runs a broker command line that must exit by itself; returns
    (exit code, stderr text)."""
    res = harness.run([harness.connectd_path(), "broker"] + list(args), timeout=timeout,
                      check=False)
    return res.returncode, res.stderr.decode("utf-8", "replace")


def write_props(text):
    path = os.path.join(harness.tmpdir(), "broker.properties")
    with open(path, "w") as f:
        f.write(text)
    return path


def base_overrides():
    return ["--override", "listeners=PLAINTEXT://127.0.0.1:%d" % harness.free_port(),
            "--override", "log.dirs=" + os.path.join(harness.tmpdir(), "data")]


def test_sample_file_starts_without_warnings():
    """etc/broker.properties starts cleanly and every key in it is known"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        assert kproto.api_versions(conn)["error"] == 0
    b.stop()
    assert not harness.warnings(b.stderr()), b.stderr()


def test_unknown_key_warns_and_starts():
    """an unknown key (file or override) is named in a warning; the broker still starts"""
    props = write_props("listeners=PLAINTEXT://:9092\nlog.dirs=/tmp/unused\n"
                        "no.such.key=1\n")
    b = Broker({"another.unknown.key": "x"}, props=props).start()
    b.wait_stderr("no.such.key")
    b.wait_stderr("another.unknown.key")
    with kproto.Conn(b.port) as conn:
        assert kproto.api_versions(conn)["error"] == 0
    b.stop()


def test_malformed_values_exit_2():
    """malformed values stop start-up with exit code 2 and a message naming the key"""
    cases = [("num.partitions", "abc"), ("num.partitions", "0"),
             ("log.segment.bytes", "ten"), ("auto.create.topics.enable", "maybe"),
             ("socket.request.max.bytes", "99999999999999"), ("log.retention.ms", "1.5"),
             ("node.id", "-"), ("num.network.threads", "0"), ("listeners", "nonsense")]
    for key, value in cases:
        rc, err = run_broker(harness.sample_properties(), *base_overrides(),
                             "--override", "%s=%s" % (key, value))
        assert rc == EXIT_USAGE, "%s=%s: exit code %d, expected 2\n%s" % (key, value, rc, err)
        assert key in err, "%s=%s: message does not name the key: %s" % (key, value, err)
    # The same from the file rather than an override.
    props = write_props("num.partitions=abc\n")
    rc, err = run_broker(props, *base_overrides())
    assert rc == EXIT_USAGE and "num.partitions" in err, (rc, err)


def test_command_line_errors_exit_2():
    """missing file, no file, bad option, override without '=' all exit with code 2"""
    missing = os.path.join(harness.tmpdir(), "nope.properties")
    rc, err = run_broker(missing)
    assert rc == EXIT_USAGE and "nope.properties" in err, (rc, err)
    rc, err = run_broker()
    assert rc == EXIT_USAGE and "usage" in err.lower(), (rc, err)
    rc, err = run_broker(harness.sample_properties(), "--no-such-option")
    assert rc == EXIT_USAGE and "--no-such-option" in err, (rc, err)
    rc, err = run_broker(harness.sample_properties(), "--override", "num.partitions")
    assert rc == EXIT_USAGE and "num.partitions" in err, (rc, err)
    rc, err = run_broker(harness.sample_properties(), "--override")
    assert rc == EXIT_USAGE, (rc, err)


def test_runtime_failures_exit_1():
    """a port in use or an unusable log dir exit with code 1 and say why"""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        rc, err = run_broker(harness.sample_properties(),
                             "--override", "listeners=PLAINTEXT://127.0.0.1:%d" % port,
                             "--override", "log.dirs=" + os.path.join(harness.tmpdir(), "d"))
        assert rc == EXIT_RUNTIME and str(port) in err, (rc, err)
    not_a_dir = os.path.join(harness.tmpdir(), "file")
    open(not_a_dir, "w").close()
    rc, err = run_broker(harness.sample_properties(),
                         "--override", "listeners=PLAINTEXT://127.0.0.1:%d" % harness.free_port(),
                         "--override", "log.dirs=" + not_a_dir)
    assert rc == EXIT_RUNTIME and not_a_dir in err, (rc, err)


def test_override_wins_and_broker_id_synonym():
    """--override beats the file wherever it appears; broker.id sets the node id"""
    port = harness.free_port()
    props = write_props("num.partitions=2\nbroker.id=5\n")
    b = Broker(props=props, port=port)
    # Put the override before the file name, to show position does not matter.
    cmd = b.command()
    b.command = lambda: cmd[:2] + ["--override", "num.partitions=4"] + cmd[2:]
    b.start()
    with kproto.Conn(b.port) as conn:
        md = harness.wait_for(lambda: (lambda m: m if m["topics"]["ov"]["error"] == 0 else None)(
            kproto.metadata(conn, ["ov"], allow_auto_create=True)), what="topic ov")
    assert len(md["topics"]["ov"]["partitions"]) == 4, md["topics"]["ov"]
    assert md["brokers"][0][0] == 5 and md["controller"] == 5, md
    b.stop()


def test_sigint_stops_cleanly():
    """SIGINT, like SIGTERM, stops with exit code 0 and data persists"""
    import signal
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        assert kproto.produce(conn, "s", 0, kproto.make_batch([(None, b"v")]))["error"] == 0
    b.stop(sig=signal.SIGINT)
    b.start()
    with kproto.Conn(b.port) as conn:
        assert [r[3] for r in kproto.read_all(conn, "s", 0)] == [b"v"]
    b.stop()


def test_bad_topic_metadata_file():
    """a damaged topic metadata file stops start-up (exit 1) naming the file and line"""
    data = os.path.join(harness.tmpdir(), "data")
    os.makedirs(os.path.join(data, "__connectd_topics"))
    with open(os.path.join(data, "__connectd_topics", "orders.properties"), "w") as f:
        f.write("retention.ms=1000\npartitions=-5\n")
    rc, err = run_broker(harness.sample_properties(),
                         "--override", "listeners=PLAINTEXT://127.0.0.1:%d" % harness.free_port(),
                         "--override", "log.dirs=" + data)
    assert rc == EXIT_RUNTIME, (rc, err)
    assert "orders.properties: line 2: partitions must be a number" in err, err


if __name__ == "__main__":
    harness.main(globals())
