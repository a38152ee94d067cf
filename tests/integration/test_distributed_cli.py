"""`connectd distributed`'s command line (issue 18): the sample file starts a
worker that joins its group and stops cleanly on SIGTERM; a bad file exits 2
naming the key; and a standalone worker given a distributed file warns that
it ignores group.id.  test_distributed_group.py tests the group itself.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, DistributedWorker, Worker, http  # noqa: E402

EXIT_USAGE = 2
TOP_SRCDIR = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.abspath(os.path.join(TOP_SRCDIR, "etc", "connect-distributed.properties"))


def run_distributed(*args):
    res = harness.run([harness.connectd_path(), "distributed"] + list(args), check=False)
    return res.returncode, res.stderr.decode("utf-8", "replace")


def test_sample_file_starts_a_worker():
    """the sample file is valid: the worker joins group connect-cluster, then exits 0 on SIGTERM"""
    b = Broker(overrides={"group.min.session.timeout.ms": "1000"}).start()
    w = DistributedWorker(b, props=SAMPLE).start()
    w.wait_stderr("joined generation")
    assert "group connect-cluster" in w.stderr(), w.stderr()
    w.stop()
    assert not harness.warnings(w.stderr()), w.stderr()


def test_bad_distributed_files_exit_2():
    """a missing group.id, a bad connect.protocol, a heartbeat not below the session timeout, TLS or SASL: exit 2
    naming it"""
    for override, word in [("group.id=", "group.id"),
                           ("connect.protocol=cooperative", "connect.protocol"),
                           ("heartbeat.interval.ms=20000", "heartbeat.interval.ms"),
                           ("config.storage.replication.factor=0", "Replication factor must be positive"),
                           ("security.protocol=SASL_SSL", "security.protocol=SASL_SSL"),
                           ("sasl.mechanism=PLAIN", "sasl.mechanism"),
                           ("ssl.truststore.location=/tmp/x", "ssl.truststore.location")]:
        rc, err = run_distributed(SAMPLE, "--override", override)
        assert rc == EXIT_USAGE, (override, rc, err)
        assert "invalid configuration" in err and word in err, (override, err)
    rc, err = run_distributed()
    assert rc == EXIT_USAGE and "a worker properties file is required" in err, err
    rc, err = run_distributed(SAMPLE, "connector.properties")
    assert rc == EXIT_USAGE and "REST API" in err, err


def test_storage_settings_of_a_distributed_worker():
    """offset.storage.partitions and status.storage.partitions make the topics; offset.storage.file.filename is
    ignored, with a warning"""
    b = Broker(overrides={"group.min.session.timeout.ms": "1000"}).start()
    offsets_file = os.path.join(harness.tmpdir(), "offsets.txt")
    w = DistributedWorker(b, overrides={"offset.storage.partitions": "3", "status.storage.partitions": "2",
                                        "offset.storage.file.filename": offsets_file}).start()
    w.wait_stderr("joined generation")
    assert "offset.storage.file.filename=%s is ignored in distributed mode" % offsets_file in w.stderr(), w.stderr()
    with kproto.Conn(b.port) as conn:
        topics = kproto.metadata(conn, ["connect-offsets", "connect-status"])["topics"]
    assert len(topics["connect-offsets"]["partitions"]) == 3, topics
    assert len(topics["connect-status"]["partitions"]) == 2, topics
    w.stop()


def test_standalone_warns_that_group_id_is_ignored():
    """a standalone worker given group.id (and the other distributed keys) runs, warning once about group.id"""
    w = Worker(overrides={"group.id": "connect-cluster", "connect.protocol": "eager",
                          "status.storage.partitions": "5"}).start()
    status, _ = http(w, "GET", "/connectors")
    assert status == 200
    w.wait_stderr("group.id=connect-cluster is ignored in standalone mode")
    w.stop()
    assert "unknown worker config" not in w.stderr(), w.stderr()


if __name__ == "__main__":
    harness.main(globals())
