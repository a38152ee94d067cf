"""`connectd distributed` before distributed mode exists (issue 18, first
increment): the sample file is checked and the command says plainly that it
cannot run a cluster worker yet; a bad file exits 2 naming the key; and a
standalone worker given a distributed file warns that it ignores group.id.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http  # noqa: E402

EXIT_RUNTIME, EXIT_USAGE = 1, 2
TOP_SRCDIR = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.abspath(os.path.join(TOP_SRCDIR, "etc", "connect-distributed.properties"))


def run_distributed(*args):
    res = harness.run([harness.connectd_path(), "distributed"] + list(args), check=False)
    return res.returncode, res.stderr.decode("utf-8", "replace")


def test_sample_file_is_checked_then_not_implemented():
    """the sample file is valid; the command exits 1 saying distributed mode is not implemented yet"""
    rc, err = run_distributed(SAMPLE)
    assert rc == EXIT_RUNTIME, (rc, err)
    assert "distributed mode is not implemented yet" in err, err
    assert "group.id=connect-cluster" in err, err
    assert not harness.warnings(err), err


def test_bad_distributed_files_exit_2():
    """a missing group.id, a bad connect.protocol, a heartbeat not below the session timeout: exit 2 naming it"""
    for override, word in [("group.id=", "group.id"),
                           ("connect.protocol=cooperative", "connect.protocol"),
                           ("heartbeat.interval.ms=20000", "heartbeat.interval.ms"),
                           ("config.storage.replication.factor=0", "Replication factor must be positive")]:
        rc, err = run_distributed(SAMPLE, "--override", override)
        assert rc == EXIT_USAGE, (override, rc, err)
        assert "invalid configuration" in err and word in err, (override, err)
    rc, err = run_distributed()
    assert rc == EXIT_USAGE and "a worker properties file is required" in err, err
    rc, err = run_distributed(SAMPLE, "connector.properties")
    assert rc == EXIT_USAGE and "REST API" in err, err


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
