"""A task whose poll() never returns (tests/plugins/stuck_source.so, deaf to
its stop flag and its wakeup()) must not wedge the worker: DELETE, restart,
stop and SIGTERM give up on it after task.shutdown.graceful.timeout.ms and
abandon it, as Kafka Connect does; no other REST request waits for it
meanwhile; GET /health answers 503 unhealthy naming it while its thread
runs; the other connectors go on moving data; and SIGTERM exits with the
embedded broker flushed, nothing it acknowledged lost.
"""

import os
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, kcat_values, wait_for  # noqa: E402

TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
PLUGINS = os.path.join(TOP_BUILDDIR, "tests", "plugins")
STRINGS = {"key.converter": "org.apache.kafka.connect.storage.StringConverter",
           "value.converter": "org.apache.kafka.connect.storage.StringConverter"}
# Long enough that the reads below surely happen while a stop waits it out;
# never asserted as a duration.
GRACE_MS = 2000
# Every call gets a socket timeout: a hang fails the test, nothing is timed.
QUICK = 10   # a request that must never wait for a task
GUARD = 60   # one that may wait out the graceful timeout


def stuck_config(after="2"):
    return {"connector.class": "StuckSource", "stuck.after.records": after, "stuck.topic": "stuck-out"}


def append(path, lines):
    with open(path, "a") as f:
        f.write("".join(line + "\n" for line in lines))


def task_state(w, name):
    status, body = http(w, "GET", "/connectors/%s/status" % name, timeout=QUICK)
    return body["tasks"][0]["state"] if status == 200 and body.get("tasks") else None


def in_background(w, method, path):
    """Starts a REST call on a thread; returns (thread, result list)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(http(w, method, path, timeout=GUARD)), daemon=True)
    thread.start()
    return thread, result


def reads_answer_while(w, thread):
    """GET /connectors, a file connector's status and config, and /health
    answer (short timeouts) while `thread`'s request waits for a stuck
    task; returns how many rounds of them completed while it still waited."""
    rounds = 0
    while thread.is_alive():
        status, names = http(w, "GET", "/connectors", timeout=QUICK)
        assert status == 200 and "lines" in names, (status, names)
        status, body = http(w, "GET", "/connectors/lines/status", timeout=QUICK)
        assert status == 200 and body["tasks"][0]["state"] == "RUNNING", body
        assert http(w, "GET", "/connectors/lines/config", timeout=QUICK)[0] == 200
        assert http(w, "GET", "/health", timeout=QUICK)[0] in (200, 503)
        rounds += thread.is_alive()
    thread.join(GUARD)
    return rounds


def health(w):
    status, body = http(w, "GET", "/health", timeout=QUICK)
    return status, body


def test_stuck_task_is_abandoned():
    """DELETE, restart and stop of a stuck connector complete, reads answer
    meanwhile, /health says which task is stuck, SIGTERM exits and the
    broker kept every record acknowledged before"""
    tmp = harness.tmpdir()
    src = os.path.join(tmp, "in.txt")
    append(src, ["line-%d" % i for i in range(5)])
    w = Worker(overrides=dict(STRINGS, **{"plugin.path": PLUGINS,
                                          "task.shutdown.graceful.timeout.ms": str(GRACE_MS)})).start()
    status, body = http(w, "POST", "/connectors", {"name": "lines", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "lines"}}, timeout=QUICK)
    assert status == 201, body
    assert kcat_values(w, "lines", 5) == ["line-%d" % i for i in range(5)]
    assert health(w)[0] == 200

    status, body = http(w, "POST", "/connectors", {"name": "stuck", "config": stuck_config()}, timeout=QUICK)
    assert status == 201, body
    # Its two records are out: poll() is now in its endless loop.
    assert kcat_values(w, "stuck-out", 2) == ["record-0", "record-1"]
    wait_for(lambda: task_state(w, "stuck") == "RUNNING", what="the stuck task to run")

    # DELETE waits out the graceful timeout, and nothing else waits with it.
    thread, result = in_background(w, "DELETE", "/connectors/stuck")
    assert reads_answer_while(w, thread) >= 1, "no read answered while the DELETE waited for the stuck task"
    assert result and result[0][0] == 204, result
    status, names = http(w, "GET", "/connectors", timeout=QUICK)
    assert status == 200 and names == ["lines"], names
    assert http(w, "GET", "/connectors/stuck", timeout=QUICK)[0] == 404
    assert "Graceful stop of task stuck-0 failed" in w.stderr()

    # The abandoned thread still runs: unhealthy, naming it (KIP-1017's shape).
    status, body = health(w)
    assert status == 503 and body["status"] == "unhealthy" and "stuck-0" in body["message"], (status, body)

    # The other connector still moves data.
    append(src, ["line-5", "line-6", "line-7"])
    assert kcat_values(w, "lines", 8) == ["line-%d" % i for i in range(8)]

    # Created again under the same name, stuck again, then restarted with its
    # tasks: the restart completes, abandoning the second instance.
    status, body = http(w, "POST", "/connectors", {"name": "stuck", "config": stuck_config("0")}, timeout=QUICK)
    assert status == 201, body
    wait_for(lambda: task_state(w, "stuck") == "RUNNING", what="the new stuck task to run")
    thread, result = in_background(w, "POST", "/connectors/stuck/restart?includeTasks=true")
    reads_answer_while(w, thread)
    assert result and result[0][0] in (200, 202), result
    wait_for(lambda: task_state(w, "stuck") == "RUNNING", what="the restarted stuck task to run")
    status, body = health(w)
    assert status == 503 and body["message"].startswith("2 tasks"), body

    # PUT .../stop too.
    thread, result = in_background(w, "PUT", "/connectors/stuck/stop")
    reads_answer_while(w, thread)
    assert result and result[0][0] == 204, result
    status, body = http(w, "GET", "/connectors/stuck/status", timeout=QUICK)
    assert status == 200 and body["connector"]["state"] == "STOPPED" and body["tasks"] == [], body
    assert health(w)[1]["message"].startswith("3 tasks")

    # Resumed (stuck once more), then SIGTERM: the worker exits although
    # three abandoned threads and one more stuck task still run (w.stop
    # fails the test unless it exits, with code 0, within GUARD s).
    assert http(w, "PUT", "/connectors/stuck/resume", timeout=QUICK)[0] == 202
    wait_for(lambda: task_state(w, "stuck") == "RUNNING", what="the resumed stuck task to run")
    w.stop(timeout=GUARD)
    assert "did not stop and" in w.stderr(), w.stderr()

    # Every record the broker acknowledged before is there after the restart.
    w.start()
    assert kcat_values(w, "lines", 8) == ["line-%d" % i for i in range(8)]
    assert sorted(http(w, "GET", "/connectors", timeout=QUICK)[1]) == ["lines", "stuck"]
    assert http(w, "DELETE", "/connectors/stuck", timeout=GUARD)[0] == 204
    w.stop(timeout=GUARD)


harness.main(globals())
