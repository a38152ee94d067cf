"""Topic creation under a low open-files limit (issue 13, finding 10): a
CreateTopics whose partitions would not fit the broker's descriptors is
refused up front with POLICY_VIOLATION, leaves nothing on disk, the broker
keeps serving, and the topic does not come back at the next start.  A
staging directory a crashed create left behind is removed at start-up.
"""

import os
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

from confluent_kafka import KafkaError, KafkaException  # noqa: E402
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic  # noqa: E402

TIMEOUT = harness.DEFAULT_TIMEOUT
NOFILE = 256


class LimitedBroker(Broker):
    """A broker started under `prlimit --nofile=N:N`: the hard limit too, so
    the broker cannot raise its soft limit past N.  prlimit execs the broker,
    so the pid the harness checks is the broker's."""

    def command(self):
        return ["prlimit", "--nofile=%d:%d" % (NOFILE, NOFILE), "--"] + super().command()


def admin(b):
    if not hasattr(b, "admin_client"):
        b.admin_client = AdminClient({"bootstrap.servers": b.bootstrap})
    return b.admin_client


def create_error(b, topic):
    """The KafkaError a CreateTopics fails with, or None."""
    fut = admin(b).create_topics([topic], operation_timeout=30, request_timeout=TIMEOUT)[topic.topic]
    try:
        fut.result(timeout=TIMEOUT)
    except KafkaException as e:
        return e.args[0]
    return None


def partition_entries(b, topic):
    return [n for n in os.listdir(b.data_dir) if n.startswith(topic + "-")]


def topic_names(b):
    with kproto.Conn(b.port) as conn:
        return set(kproto.metadata(conn)["topics"])


def assert_serves(b, topic):
    """Metadata answers and a produce to `topic` is stored and read back."""
    with kproto.Conn(b.port) as conn:
        md = kproto.metadata(conn, [topic])
        assert md["topics"][topic]["error"] == 0, md
        res = kproto.produce(conn, topic, 0, kproto.make_batch([(b"k", b"still serving")]))
        assert res["error"] == 0, res
        records = kproto.read_all(conn, topic, 0)
        assert records[-1][3] == b"still serving", records


def test_create_beyond_fd_limit_is_refused():
    """1000 partitions under nofile=256: POLICY_VIOLATION up front, nothing on disk, broker serves"""
    b = LimitedBroker().start()
    assert create_error(b, NewTopic("small", 1, 1)) is None
    err = create_error(b, NewTopic("big", 1000, 1))
    assert err is not None and err.code() == KafkaError.POLICY_VIOLATION, err
    msg = err.str()
    assert "1000 partitions need up to 3000 file descriptors" in msg, msg
    assert "limit of %d open files" % NOFILE in msg and "raise the limit" in msg, msg
    assert partition_entries(b, "big") == [], partition_entries(b, "big")
    assert not os.path.exists(os.path.join(b.data_dir, "~creating"))
    assert not os.path.exists(os.path.join(b.data_dir, "__connectd_topics", "big.properties"))
    assert "big" not in topic_names(b)
    assert b.alive()
    assert_serves(b, "small")

    # CreatePartitions is held to the same limit, and the topic stays as it was.
    fut = admin(b).create_partitions([NewPartitions("small", 1000)], request_timeout=TIMEOUT)["small"]
    try:
        fut.result(timeout=TIMEOUT)
        raise AssertionError("CreatePartitions to 1000 was accepted under nofile=%d" % NOFILE)
    except KafkaException as e:
        assert e.args[0].code() == KafkaError.POLICY_VIOLATION, e
    assert partition_entries(b, "small") == ["small-0"], partition_entries(b, "small")

    b.restart()
    names = topic_names(b)
    assert "big" not in names and "small" in names, names
    assert partition_entries(b, "big") == []
    assert "adopting" not in b.stderr(), b.stderr()
    assert_serves(b, "small")
    b.stop()


def test_staging_leftovers_removed_at_start():
    """partitions a crashed create left in ~creating are removed at start and never become a topic"""
    b = LimitedBroker()
    staged = os.path.join(b.data_dir, "~creating", "ghost-0")
    os.makedirs(staged)
    with open(os.path.join(staged, "00000000000000000000.log"), "wb"):
        pass
    b.start()
    line = b.wait_stderr("partitions of a topic creation that did not finish")
    assert "~creating" in line, line
    assert not os.path.exists(os.path.join(b.data_dir, "~creating"))
    assert "ghost" not in topic_names(b)
    assert create_error(b, NewTopic("after", 1, 1)) is None
    assert_serves(b, "after")
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
