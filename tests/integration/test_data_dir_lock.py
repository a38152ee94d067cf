"""One data directory, one process: every log dir is locked (<dir>/.lock, as
Kafka's LogManager does) for the broker's life, so a second broker on the same
log.dirs, standalone or embedded, exits with code 1 and a message naming the
dir, and the first one goes on serving.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, Worker, http  # noqa: E402

EXIT_RUNTIME = 1


def assert_serves(b, topic):
    """The broker answers Metadata and keeps what was produced to it."""
    with kproto.Conn(b.port) as conn:
        md = kproto.metadata(conn, [topic], allow_auto_create=True)
        assert md["topics"][topic]["error"] == 0, md
        res = kproto.produce(conn, topic, 0, kproto.make_batch([(b"k", b"still mine")]))
        assert res["error"] == 0, res
        assert [r[3] for r in kproto.read_all(conn, topic, 0)][-1] == b"still mine"


def assert_refused(rc, text, data_dir):
    assert rc == EXIT_RUNTIME, (rc, text)
    assert "failed to acquire lock on file .lock in %s" % data_dir in text, text
    assert "another process" in text, text


def test_second_broker_on_same_dirs_exits():
    """a second `connectd broker` on the same log.dirs exits 1 naming the dir; the first still serves"""
    first = Broker().start()
    assert os.path.exists(os.path.join(first.data_dir, ".lock"))
    second = Broker(data_dir=first.data_dir)
    res = harness.run(second.command(), check=False)
    assert_refused(res.returncode, res.stderr.decode("utf-8", "replace"), first.data_dir)
    assert first.alive()
    assert_serves(first, "locked-topic")
    # The lock goes with the process: once the first stops, a new broker takes the dir and its data.
    first.stop()
    third = Broker(data_dir=first.data_dir).start()
    with kproto.Conn(third.port) as conn:
        assert [r[3] for r in kproto.read_all(conn, "locked-topic", 0)] == [b"still mine"]
    third.stop()


def test_lock_released_by_kill():
    """kill -9 leaves no stale lock: the kernel drops it with the process"""
    first = Broker().start()
    first.kill()
    Broker(data_dir=first.data_dir).start().stop()


def test_second_dir_of_a_list_is_locked_too():
    """the lock covers every dir of log.dirs, not only the first"""
    first = Broker().start()
    other = os.path.join(harness.tmpdir(), "other")
    second = Broker(data_dir="%s,%s" % (other, first.data_dir))
    res = harness.run(second.command(), check=False)
    assert_refused(res.returncode, res.stderr.decode("utf-8", "replace"), first.data_dir)
    assert_serves(first, "second-dir")
    first.stop()


def test_standalone_embedded_broker_is_refused():
    """`connectd standalone` whose embedded broker would share a broker's log.dirs exits 1; the broker serves"""
    b = Broker().start()
    w = Worker()
    w.data_dir = b.data_dir
    rc = w.start(expect_exit=True)
    assert_refused(rc, w.stderr(), b.data_dir)
    assert_serves(b, "embedded")
    b.stop()


def test_two_standalone_workers_on_one_dir():
    """a second standalone worker on the first's broker.log.dirs exits 1; the first's REST and broker serve"""
    first = Worker().start()
    second = Worker()
    second.data_dir = first.data_dir
    rc = second.start(expect_exit=True)
    assert_refused(rc, second.stderr(), first.data_dir)
    status, body = http(first, "GET", "/connectors")
    assert status == 200 and body == [], (status, body)
    assert_serves(first, "worker-topic")
    first.stop()


harness.main(globals())
