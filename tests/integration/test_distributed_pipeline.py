"""Data through a connectd cluster (issue 18): three `connectd distributed`
workers and a broker; a FileStreamSource and a FileStreamSink (two tasks)
created by writing their connector records to the config topic run on the
workers their leader picks, lines flow file -> topic -> file, and when the
worker running the source task is killed with kill -9 the task runs on
another worker and every line still reaches the sink (at least once).
Every task's state is in the status topic, with the id of the worker that
runs it.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, DistributedWorker, wait_for  # noqa: E402
from test_distributed_assign import runs, spread, write_config, work_of  # noqa: E402

STATUS_PARTITIONS = 5


def statuses(broker):
    """{key: value} of the status topic, the latest record of each key."""
    out = {}
    with kproto.Conn(broker.port) as conn:
        for p in range(STATUS_PARTITIONS):
            for _, _, key, value, _ in kproto.read_all(conn, "connect-status", p):
                out[key.decode()] = json.loads(value) if value else None
    return out


def sink_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def test_pipeline_survives_kill_9():
    """file -> topic -> file across three workers; kill -9 the source's worker: nothing lost"""
    b = Broker(overrides={"group.min.session.timeout.ms": "1000"}).start()
    workers = [DistributedWorker(b, overrides={"scheduled.rebalance.max.delay.ms": "0"}).start() for _ in range(3)]
    spread(workers, set())
    tmp = harness.tmpdir()
    source, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    with open(source, "w") as f:
        f.writelines("line %d\n" % i for i in range(100))
    write_config(b, [
        ("connector-src", {"properties": {"connector.class": "FileStreamSource", "tasks.max": "2",
                                          "file": source, "topic": "lines"}}),
        ("connector-sink", {"properties": {"connector.class": "FileStreamSink", "tasks.max": "2",
                                           "file": sink, "topics": "lines"}}),
    ])
    # The source makes one task whatever tasks.max says, the sink two.
    placed = spread(workers, work_of("src", 1) | work_of("sink", 2))
    assert all(len([p for p in work if p[1] >= 0]) == 1 for work in placed.values()), placed
    wait_for(lambda: len(set(sink_lines(sink))) == 100, what="100 lines in the sink file")
    ids = {w: "127.0.0.1:%d" % w.rest_port for w in workers}
    st = statuses(b)
    for task in ("src-0", "sink-0", "sink-1"):
        owner = next(w for w, work in placed.items() if (task.split("-")[0], int(task.split("-")[1])) in work)
        assert st["status-task-" + task]["state"] == "RUNNING", st
        assert st["status-task-" + task]["worker_id"] == ids[owner], (task, st)

    victim = next(w for w, work in placed.items() if ("src", 0) in work)
    victim.kill()
    rest = [w for w in workers if w is not victim]
    placed = spread(rest, work_of("src", 1) | work_of("sink", 2))
    with open(source, "a") as f:
        f.writelines("line %d\n" % i for i in range(100, 200))
    expected = {"line %d" % i for i in range(200)}
    wait_for(lambda: set(sink_lines(sink)) >= expected,
             what="all 200 lines in the sink file (missing: %s)"
             % sorted(expected - set(sink_lines(sink)))[:5])
    new_owner = next(w for w, work in placed.items() if ("src", 0) in work)
    wait_for(lambda: statuses(b)["status-task-src-0"]["worker_id"] == ids[new_owner],
             what="the status of src-0 to name its new worker")
    for w in rest:
        w.stop()


if __name__ == "__main__":
    harness.main(globals())
