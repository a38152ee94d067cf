"""The leader of a Connect group assigns what the config topic holds (issue 18,
assignment): a connector written to config.storage.topic (a connector-
record; the worker that gets the connector writes its task configs and
commit record) is spread over the workers, each task on exactly one; a worker
killed with kill -9 has its work moved to the others once its session
expires; a deleted connector is revoked everywhere.  What each worker runs is
read from its log ("runs {c[-1,0] ...}").
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, DistributedWorker, wait_for  # noqa: E402

CONFIG_TOPIC = "connect-configs"

STATUS_PARTITIONS = 5  # Kafka's default for status.storage.partitions


def statuses(broker):
    """{key: value} of the status topic, the latest record of each key."""
    out = {}
    with kproto.Conn(broker.port) as conn:
        for p in range(STATUS_PARTITIONS):
            for _, _, key, value, _ in kproto.read_all(conn, "connect-status", p):
                out[key.decode()] = json.loads(value) if value else None
    return out


def runs(w):
    """(generation, {(connector, task)}) of the worker's last assignment, or None."""
    found = re.findall(r"generation (\d+): assignment from leader .* runs \{([^}]*)\}", w.stderr())
    if not found:
        return None
    generation, text = found[-1]
    return int(generation), set(runs_from_text(text))


def spread(workers, expected):
    """Waits until the workers agree on a generation and together run `expected`, each piece once;
    returns {worker: its work}."""
    seen = {}

    def check():
        got = [runs(w) for w in workers]
        seen["last"] = got
        if any(g is None for g in got) or len({g for g, _ in got}) != 1:
            return False
        pieces = [p for _, work in got for p in work]
        return len(pieces) == len(set(pieces)) and set(pieces) == expected
    wait_for(check, what="the workers to run %s between them (last: %s)" % (sorted(expected), seen.get("last")))
    return {w: runs(w)[1] for w in workers}


def write_config(broker, records, topic=CONFIG_TOPIC):
    """Writes (key, value-or-None) records to the config topic, as a Kafka Connect leader does."""
    batch = kproto.make_batch([(k.encode(), None if v is None else json.dumps(v, separators=(",", ":")).encode())
                               for k, v in records])
    with kproto.Conn(broker.port) as conn:
        res = kproto.produce(conn, topic, 0, batch)
    assert res["error"] == 0, res


def connector_records(name, n_tasks):
    """A FileStreamSink making n_tasks tasks (it makes tasks.max), writing to /dev/null."""
    config = {"connector.class": "FileStreamSink", "tasks.max": str(n_tasks), "file": "/dev/null",
              "topics": "t-" + name}
    return [("connector-" + name, {"properties": config})]


def work_of(name, n_tasks):
    return {(name, -1)} | {(name, i) for i in range(n_tasks)}


def start_cluster(n, **overrides):
    b = Broker(overrides={"group.min.session.timeout.ms": "1000"}).start()
    workers = [DistributedWorker(b, overrides=dict({"scheduled.rebalance.max.delay.ms": "0"}, **overrides)).start()
               for _ in range(n)]
    spread(workers, set())
    return b, workers


def test_tasks_spread_and_move_on_kill_9():
    """three tasks on three workers, one each; kill -9 one: its work moves; delete: revoked everywhere"""
    b, workers = start_cluster(3)
    write_config(b, connector_records("src", 3))
    placed = spread(workers, work_of("src", 3))
    for w, work in placed.items():
        assert len([p for p in work if p[1] >= 0]) == 1, placed
    victim = next(w for w, work in placed.items() if ("src", 0) in work)
    victim.kill()
    rest = [w for w in workers if w is not victim]
    placed = spread(rest, work_of("src", 3))
    # A second connector: the leader keeps tasks even (counts differ by at most one).
    write_config(b, connector_records("more", 1))
    placed = spread(rest, work_of("src", 3) | work_of("more", 1))
    counts = sorted(len([p for p in work if p[1] >= 0]) for work in placed.values())
    assert counts == [2, 2], placed
    write_config(b, [("connector-src", None), ("connector-more", None)])
    spread(rest, set())
    # The workers that ran them clear their states.
    gone = ["status-connector-src", "status-task-src-0", "status-task-src-1", "status-task-src-2",
            "status-connector-more", "status-task-more-0"]
    wait_for(lambda: all(statuses(b).get(k, "absent") is None for k in gone),
             what="tombstones for every state of the deleted connectors (%s)"
             % {k: statuses(b).get(k, "absent") for k in gone})
    for w in rest:
        w.stop()


def test_sigterm_stops_tasks_before_leaving():
    """SIGTERM: the worker's tasks stop while it is still a member; it leaves the group after, so no other worker
    runs them before they stopped"""
    b, workers = start_cluster(2)
    write_config(b, connector_records("quit", 2))
    placed = spread(workers, work_of("quit", 2))
    leaving = next(w for w, work in placed.items() if any(p[1] >= 0 for p in work))
    task = next(p[1] for p in placed[leaving] if p[1] >= 0)
    leaving.stop()
    log = leaving.stderr()
    stopped, left = log.find("task quit-%d: stopping" % task), log.find("left the group")
    assert 0 <= stopped < left, log[-3000:]
    for w in workers:
        if w is not leaving:
            w.stop()


def test_departed_work_is_held_for_the_scheduled_delay():
    """scheduled.rebalance.max.delay.ms above 0: a killed worker's work is held, then moved when the delay ends"""
    b, workers = start_cluster(2, **{"scheduled.rebalance.max.delay.ms": "4000"})
    write_config(b, connector_records("held", 2))
    placed = spread(workers, work_of("held", 2))
    # The follower: a new leader remembers nothing and, as Kafka's, assigns
    # whatever nobody runs at once.
    leader_url = workers[0].generations()[-1][1]
    victim = next(w for w in workers if w.url != leader_url)
    survivor = next(w for w in workers if w is not victim)
    kept = placed[survivor]
    victim.kill()
    pattern = r"runs \{([^}]*)\}, \d+ connectors revoked, delay ([1-9]\d*) ms"
    wait_for(lambda: re.search(pattern, survivor.stderr()), what="an assignment with a delay")
    held = re.findall(pattern, survivor.stderr())
    # While held, the survivor runs only what it ran.
    assert set(runs_from_text(held[0][0])) == kept, (held, kept)
    spread([survivor], work_of("held", 2))
    survivor.stop()


def runs_from_text(text):
    """[(connector, task)] of a log's "c[-1,0] d[1]"."""
    return [(c, int(t)) for c, tasks in re.findall(r"(\S+)\[([-0-9,]+)\]", text) for t in tasks.split(",")]


def test_pause_stop_resume_through_target_states():
    """target-state records: paused tasks report PAUSED; stopped, the tasks go and the connector is STOPPED"""
    b, workers = start_cluster(2)
    write_config(b, connector_records("t", 2))
    spread(workers, work_of("t", 2))

    def states():
        st = statuses(b)
        return tuple((st.get(k) or {}).get("state") for k in
                     ("status-connector-t", "status-task-t-0", "status-task-t-1"))
    wait_for(lambda: states() == ("RUNNING", "RUNNING", "RUNNING"), what="t running (%s)" % (states(),))
    write_config(b, [("target-state-t", {"state": "PAUSED", "state.v2": "PAUSED"})])
    wait_for(lambda: states() == ("PAUSED", "PAUSED", "PAUSED"), what="t paused (%s)" % (states(),))
    write_config(b, [("target-state-t", {"state": "PAUSED", "state.v2": "STOPPED"})])
    spread(workers, work_of("t", 0))
    wait_for(lambda: states()[0] == "STOPPED", what="t stopped (%s)" % (states(),))
    write_config(b, [("target-state-t", {"state": "STARTED", "state.v2": "STARTED"})])
    spread(workers, work_of("t", 2))
    wait_for(lambda: states() == ("RUNNING", "RUNNING", "RUNNING"), what="t running again (%s)" % (states(),))
    for w in workers:
        w.stop()


def test_records_before_their_connector_record_count():
    """after compaction a connector's target state and task configs may come before its connector- record: they
    count all the same"""
    b, workers = start_cluster(2)
    (_, value), = connector_records("early", 1)
    write_config(b, [("target-state-early", {"state": "PAUSED", "state.v2": "PAUSED"}),
                     ("task-early-0", value), ("commit-early", {"tasks": 1}),
                     ("connector-early", value)])
    spread(workers, work_of("early", 1))

    def states():
        st = statuses(b)
        return tuple((st.get(k) or {}).get("state") for k in ("status-connector-early", "status-task-early-0"))
    wait_for(lambda: states() == ("PAUSED", "PAUSED"), what="early paused (%s)" % (states(),))
    for w in workers:
        w.stop()


def test_eager_assigns_everything_each_time():
    """eager: round-robin over the sorted members, the whole share each generation"""
    b, workers = start_cluster(2, **{"connect.protocol": "eager"})
    write_config(b, connector_records("e", 3))
    placed = spread(workers, work_of("e", 3))
    assert sorted(len(work) for work in placed.values()) == [2, 2], placed


def test_config_offset_is_in_the_metadata():
    """every worker reads the config topic before it joins: its metadata carries the offset read"""
    b, workers = start_cluster(2)
    write_config(b, connector_records("c", 1))
    spread(workers, work_of("c", 1))

    def offsets():
        with kproto.Conn(b.port) as conn:
            d = kproto.describe_group(conn, "connect-cluster", version=0)
        return [config_offset(m[3]) for m in d["members"]]
    wait_for(lambda: offsets() == [3, 3], what="both workers to report config offset 3 (last: %s)" % offsets())


def config_offset(metadata):
    """The config offset of a worker's JoinGroup metadata."""
    r = kproto.Reader(metadata)
    r.i16()
    r.string()
    return r.i64()


if __name__ == "__main__":
    harness.main(globals())
