"""Data through a connectd cluster (issue 18): three `connectd distributed`
workers and a broker; a FileStreamSource and a FileStreamSink (two tasks)
created by writing their connector records to the config topic run on the
workers their leader picks, lines flow file -> topic -> file, and when the
worker running the source task is killed with kill -9 the task runs on
another worker and every line still reaches the sink (at least once), as
during a rolling restart of every worker.  Every task's state is in the
status topic, with the id of the worker that runs it.  Two clusters with
their own group.id and topics on one broker stay apart.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, DistributedWorker, wait_for  # noqa: E402
from test_distributed_assign import spread, statuses, write_config, work_of  # noqa: E402

def sink_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def test_pipeline_survives_kill_9():
    """file -> topic -> file across three workers; kill -9 the source's worker, then the next: nothing lost, in
    order, few duplicates"""
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

    # The source's worker is killed, then the next one's: the task moves twice.
    rest, n = list(workers), 100
    for _ in range(2):
        size = os.path.getsize(source)
        wait_for(lambda: size in committed_positions(b), what="the source's commit of position %d" % size)
        victim = next(w for w, work in placed.items() if ("src", 0) in work)
        victim.kill()
        rest = [w for w in rest if w is not victim]
        placed = spread(rest, work_of("src", 1) | work_of("sink", 2))
        with open(source, "a") as f:
            f.writelines("line %d\n" % i for i in range(n, n + 100))
        n += 100
        expected = {"line %d" % i for i in range(n)}
        wait_for(lambda: set(sink_lines(sink)) >= expected,
                 what="all %d lines in the sink file (missing: %s)"
                 % (n, sorted(expected - set(sink_lines(sink)))[:5]))
        new_owner = next(w for w, work in placed.items() if ("src", 0) in work)
        wait_for(lambda: statuses(b)["status-task-src-0"]["worker_id"] == ids[new_owner],
                 what="the status of src-0 to name its new worker")
    # One partition: the sink writes in the topic's order.  A sink task that
    # moved goes back at most to its last commit, one flush of lines (here
    # at most the 100 appended since); the source sends nothing twice, as
    # each kill came after its commit.
    got = [int(line.split()[1]) for line in sink_lines(sink)]
    assert len(got) - len(set(got)) <= 2 * 100, "%d duplicates" % (len(got) - len(set(got)))
    top = -1
    for i, k in enumerate(got):
        assert k >= top - 100, "line %d after line %d (at %d of the sink file)" % (k, top, i)
        top = max(top, k)
    for w in rest:
        w.stop()


OFFSET_PARTITIONS = 25  # Kafka's default for offset.storage.partitions


def committed_positions(b):
    """The FileStreamSource positions in the offsets topic, every record's."""
    out = []
    with kproto.Conn(b.port) as conn:
        for p in range(OFFSET_PARTITIONS):
            for _, _, _, value, _ in kproto.read_all(conn, "connect-offsets", p):
                if value:
                    out.append(json.loads(value).get("position"))
    return out


def topic_lines(b, topic):
    """The values of the records of (one-partition) `topic`, in order."""
    def line(value):
        value = json.loads(value)
        return value["payload"] if isinstance(value, dict) else value

    with kproto.Conn(b.port) as conn:
        return [line(value) for _, _, _, value, _ in kproto.read_all(conn, topic, 0)]


def test_moved_source_task_goes_on_from_its_last_commit():
    """a source task moved after kill -9 of its worker sends no line its last commit covers again"""
    b = Broker(overrides={"group.min.session.timeout.ms": "1000"}).start()
    workers = [DistributedWorker(b, overrides={"scheduled.rebalance.max.delay.ms": "0",
                                               "offset.flush.interval.ms": "100"}).start() for _ in range(3)]
    spread(workers, set())
    tmp = harness.tmpdir()
    source, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    with open(source, "w") as f:
        f.writelines("line %d\n" % i for i in range(100))
    write_config(b, [
        ("connector-src", {"properties": {"connector.class": "FileStreamSource", "tasks.max": "1",
                                          "file": source, "topic": "lines"}}),
        ("connector-sink", {"properties": {"connector.class": "FileStreamSink", "tasks.max": "2",
                                           "file": sink, "topics": "lines"}}),
    ])
    placed = spread(workers, work_of("src", 1) | work_of("sink", 2))
    wait_for(lambda: len(set(sink_lines(sink))) == 100, what="100 lines in the sink file")
    # Every line read is committed, one flush interval after it was sent.
    size = os.path.getsize(source)
    wait_for(lambda: size in committed_positions(b), what="the source's commit of position %d" % size)
    victim = next(w for w, work in placed.items() if ("src", 0) in work)
    victim.kill()
    rest = [w for w in workers if w is not victim]
    spread(rest, work_of("src", 1) | work_of("sink", 2))
    with open(source, "a") as f:
        f.writelines("line %d\n" % i for i in range(100, 200))
    expected = {"line %d" % i for i in range(200)}
    wait_for(lambda: set(topic_lines(b, "lines")) >= expected, what="all 200 lines in the topic")
    sent = topic_lines(b, "lines")
    again = [line for line in sent if int(line.split()[1]) < 100 and sent.count(line) > 1]
    assert not again, "lines committed before the move sent again: %s" % sorted(set(again))[:5]
    for w in rest:
        w.stop()


def start_pipeline(b, workers, tmp, prefix=""):
    """Writes 100 lines and the two connectors; returns (source, sink) paths."""
    source, sink = os.path.join(tmp, prefix + "in.txt"), os.path.join(tmp, prefix + "out.txt")
    with open(source, "w") as f:
        f.writelines("line %d\n" % i for i in range(100))
    write_config(b, [
        ("connector-src", {"properties": {"connector.class": "FileStreamSource", "tasks.max": "1",
                                          "file": source, "topic": prefix + "lines"}}),
        ("connector-sink", {"properties": {"connector.class": "FileStreamSink", "tasks.max": "2",
                                           "file": sink, "topics": prefix + "lines"}}),
    ], topic=workers[0].overrides.get("config.storage.topic", "connect-configs"))
    return source, sink


def test_rolling_restart_loses_nothing():
    """every worker restarted in turn (SIGTERM, start) while lines are appended: every line arrives"""
    b = Broker(overrides={"group.min.session.timeout.ms": "1000"}).start()
    workers = [DistributedWorker(b, overrides={"scheduled.rebalance.max.delay.ms": "0"}).start() for _ in range(3)]
    spread(workers, set())
    source, sink = start_pipeline(b, workers, harness.tmpdir())
    spread(workers, work_of("src", 1) | work_of("sink", 2))
    n = 100
    for w in workers:
        w.stop()
        with open(source, "a") as f:
            f.writelines("line %d\n" % i for i in range(n, n + 50))
        n += 50
        w.start()
        spread(workers, work_of("src", 1) | work_of("sink", 2))
    expected = {"line %d" % i for i in range(n)}
    wait_for(lambda: set(sink_lines(sink)) >= expected,
             what="all %d lines in the sink file (missing: %s)" % (n, sorted(expected - set(sink_lines(sink)))[:5]))
    for w in workers:
        w.stop()


def test_two_clusters_on_one_broker_stay_apart():
    """group.id and topics of their own: each cluster runs its own connectors only"""
    b = Broker(overrides={"group.min.session.timeout.ms": "1000"}).start()
    topics = {"config.storage.topic": "b-configs", "offset.storage.topic": "b-offsets",
              "status.storage.topic": "b-status", "group.id": "cluster-b"}
    a = [DistributedWorker(b, overrides={"scheduled.rebalance.max.delay.ms": "0"}).start() for _ in range(2)]
    other = [DistributedWorker(b, overrides=dict(topics, **{"scheduled.rebalance.max.delay.ms": "0"})).start()
             for _ in range(2)]
    spread(a, set())
    spread(other, set())
    tmp = harness.tmpdir()
    start_pipeline(b, a, tmp, "a-")
    _, sink_b = start_pipeline(b, other, tmp, "b-")
    spread(a, work_of("src", 1) | work_of("sink", 2))
    spread(other, work_of("src", 1) | work_of("sink", 2))
    wait_for(lambda: len(set(sink_lines(sink_b))) == 100, what="cluster b's 100 lines")
    wait_for(lambda: len(set(sink_lines(os.path.join(tmp, "a-out.txt")))) == 100, what="cluster a's 100 lines")
    for w in a + other:
        w.stop()


if __name__ == "__main__":
    harness.main(globals())
