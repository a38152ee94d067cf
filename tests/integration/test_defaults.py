"""Safe defaults (issue 13, finding 13): the sample files and the embedded
broker listen on loopback only; a broker listener other hosts can reach is
warned about at start (the broker has no authentication), and so is running
as root.  Each case starts a real process and reads what it logged.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker, Worker, http, kcat_values, run  # noqa: E402

EXPOSED = "the broker is reachable from other hosts without authentication"
ROOT = "running as root"


def assert_serves(broker):
    """A topic written and read back over the loopback address."""
    run(["kcat", "-b", broker.bootstrap, "-P", "-t", "defaults"], input=b"still serving\n")
    assert kcat_values(broker, "defaults", 1) == ["still serving"]


def assert_root_warning(proc):
    """The root warning appears exactly when the test runs as root."""
    if os.geteuid() == 0:
        proc.wait_stderr(ROOT)
    else:
        assert ROOT not in proc.stderr(), proc.stderr()


def test_broker_every_interface_warns():
    """a broker listening on 0.0.0.0 says that other hosts reach it unauthenticated"""
    b = Broker()
    b.overrides["listeners"] = "PLAINTEXT://0.0.0.0:%d" % b.port
    b.start()
    line = b.wait_stderr(EXPOSED)
    assert "port %d" % b.port in line and "listeners=PLAINTEXT://127.0.0.1:%d" % b.port in line, line
    assert_root_warning(b)
    assert_serves(b)
    b.stop()


def test_broker_empty_host_warns():
    """an empty host (every interface, Kafka's default) is warned about too"""
    b = Broker()
    b.overrides["listeners"] = "PLAINTEXT://:%d" % b.port
    b.start()
    b.wait_stderr(EXPOSED)
    assert_serves(b)
    b.stop()


def test_broker_loopback_quiet():
    """a loopback listener (the sample's) gives no such warning"""
    b = Broker().start()
    b.wait_stderr("listening on 127.0.0.1:%d" % b.port)
    assert_serves(b)
    b.stop()
    assert EXPOSED not in b.stderr(), b.stderr()
    assert_root_warning(b)


def test_sample_broker_file_is_loopback():
    """etc/broker.properties binds 127.0.0.1:9092, so the README's kcat -b 127.0.0.1:9092 works"""
    with open(harness.sample_properties()) as f:
        lines = [line.strip() for line in f if line.strip().startswith("listeners=")]
    assert lines == ["listeners=PLAINTEXT://127.0.0.1:9092"], lines


def test_worker_embedded_broker_every_interface_warns():
    """a worker whose embedded broker listens on 0.0.0.0 warns, and still serves"""
    w = Worker()
    w.overrides["broker.listeners"] = "PLAINTEXT://0.0.0.0:%d" % w.port
    w.start()
    w.wait_stderr(EXPOSED)
    assert_root_warning(w)
    assert http(w, "GET", "/connectors") == (200, [])
    assert_serves(w)
    w.stop()


def test_worker_embedded_broker_loopback_quiet():
    """the sample worker file's embedded broker (127.0.0.1) gives no warning"""
    w = Worker().start()
    w.wait_stderr("worker started")
    assert EXPOSED not in w.stderr(), w.stderr()
    w.stop()


class DefaultListenerWorker(Worker):
    """A worker whose file does not set broker.listeners at all."""

    def command(self):
        cmd = super().command()
        i = cmd.index("broker.listeners=PLAINTEXT://127.0.0.1:%d" % self.port)
        del cmd[i - 1:i + 1]
        return cmd


def test_worker_embedded_broker_defaults_to_loopback():
    """without broker.listeners the embedded broker binds 127.0.0.1:9092, not every interface"""
    props = os.path.join(harness.tmpdir(), "worker.properties")
    with open(harness.sample_worker_properties()) as src, open(props, "w") as dst:
        dst.writelines(line for line in src if not line.startswith("broker.listeners="))
    w = DefaultListenerWorker(props=props)
    w.port = 9092
    try:
        w.start()
        started = True
    except AssertionError:
        started = False
    text = w.stderr()
    # 9092 may be taken on a shared machine: then the refusal names the
    # address tried, which shows the default just as well.
    if started:
        assert "listening on 127.0.0.1:9092" in text, text
        assert EXPOSED not in text, text
        w.stop()
    else:
        assert "cannot listen on 127.0.0.1:9092" in text, text


harness.main(globals())
