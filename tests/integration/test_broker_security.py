"""Broker listener security (docs/security.md): listener.security.protocol.map
as Kafka's, and a listener whose security the broker cannot honour stops
start-up with a message naming the key, never a silent plaintext.
"""

import os
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402


def run_broker(*overrides):
    """Runs a broker that must refuse to start; returns (exit code, stderr)."""
    cmd = [harness.connectd_path(), "broker", harness.sample_properties(),
           "--override", "log.dirs=" + os.path.join(harness.tmpdir(), "data")]
    for o in overrides:
        cmd += ["--override", o]
    res = harness.run(cmd, check=False)
    return res.returncode, res.stderr.decode("utf-8", "replace")


def test_unservable_listeners_stop_start_up():
    """a SASL listener, a second secured listener, or one without a protocol stop start-up"""
    port = harness.free_port()
    rc, err = run_broker("listeners=SASL_PLAINTEXT://127.0.0.1:%d" % port)
    assert rc != 0 and "SASL_PLAINTEXT://127.0.0.1:%d is a SASL_PLAINTEXT listener" % port in err, (rc, err)
    rc, err = run_broker("listeners=PLAINTEXT://127.0.0.1:%d,SASL_SSL://127.0.0.1:%d" % (port, port + 1))
    assert rc != 0 and "would not be served" in err, (rc, err)
    rc, err = run_broker("listeners=CLIENT://127.0.0.1:%d" % port)
    assert rc != 0 and "listener.security.protocol.map: no security protocol for the listener CLIENT" in err, \
        (rc, err)
    rc, err = run_broker("listeners=CLIENT://127.0.0.1:%d" % port, "listener.security.protocol.map=CLIENT:SASL_SSL")
    assert rc != 0 and "CLIENT://127.0.0.1:%d is a SASL_SSL listener" % port in err, (rc, err)
    rc, err = run_broker("listener.security.protocol.map=PLAINTEXT:TLS")
    assert rc != 0 and "listener.security.protocol.map: expected NAME:PROTOCOL" in err, (rc, err)


def test_mapped_plaintext_listener_serves():
    """a listener of any name mapped to PLAINTEXT serves as before"""
    b = Broker()
    b.overrides["listeners"] = "CLIENT://127.0.0.1:%d" % b.port
    b.overrides["listener.security.protocol.map"] = "CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    b.start()
    with kproto.Conn(b.port) as conn:
        assert kproto.api_versions(conn)["error"] == 0
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
