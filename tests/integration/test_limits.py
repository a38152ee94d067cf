"""Limits and names (issue 13, finding 11): a worker-wide task cap
(tasks.max.per.worker) refuses a connector whose tasks would exceed it,
counting the task configs the connector actually makes; connector names with
control characters are refused as Kafka refuses them, so a name cannot forge
log lines.  Each attack runs against a real worker, which serves afterwards.
"""

import os
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

CAP_KEY = "tasks.max.per.worker"


def sink(tasks_max, name):
    """FileStreamSink makes tasks.max tasks: it honours what it is asked."""
    return {"connector.class": "FileStreamSink", "topics": "limits", "tasks.max": str(tasks_max),
            "file": os.path.join(harness.tmpdir(), name + ".txt")}


def source(tasks_max, name):
    """FileStreamSource makes one task whatever tasks.max says."""
    path = os.path.join(harness.tmpdir(), name + ".in")
    open(path, "w").close()
    return {"connector.class": "FileStreamSource", "topic": "limits", "tasks.max": str(tasks_max), "file": path}


def create(w, name, config):
    return http(w, "POST", "/connectors", {"name": name, "config": config})


def n_tasks(w, name):
    return len(http(w, "GET", "/connectors/%s/tasks" % name)[1])


def test_thousand_tasks_refused():
    """tasks.max=1000 from a connector that honours it is a 400 naming the cap; the worker serves and stops"""
    w = Worker().start()
    status, body = create(w, "many", sink(1000, "many"))
    assert status == 400, (status, body)
    msg = body["message"]
    assert "tasks.max.per.worker=256" in msg and "would start 1000 tasks" in msg and "runs 0" in msg, msg
    assert "lower the connector's tasks.max" in msg, msg
    # Nothing was stored or started.
    assert http(w, "GET", "/connectors") == (200, [])
    assert http(w, "GET", "/connectors/many")[0] == 404

    # tasks.max is a maximum: a connector making one task fits whatever it asks.
    assert create(w, "one", source(1000, "one"))[0] == 201
    assert n_tasks(w, "one") == 1
    # A sink within the cap still starts.
    assert create(w, "few", sink(3, "few"))[0] == 201
    wait_for(lambda: http(w, "GET", "/connectors/few/status")[1]["tasks"] and
             all(t["state"] == "RUNNING" for t in http(w, "GET", "/connectors/few/status")[1]["tasks"]),
             what="few's tasks RUNNING")
    assert n_tasks(w, "few") == 3
    w.stop()  # a clean exit with 0; the harness fails it if SIGTERM is not obeyed


def test_cap_counts_every_connector():
    """the cap is the sum over connectors: create, update and resume are refused past it"""
    w = Worker(overrides={CAP_KEY: "5"}).start()
    assert create(w, "a", sink(2, "a"))[0] == 201
    assert create(w, "b", sink(2, "b"))[0] == 201
    status, body = create(w, "c", sink(2, "c"))
    assert status == 400 and "would start 2 tasks and this worker runs 4, more than tasks.max.per.worker=5" \
        in body["message"], (status, body)

    # An update counts the connector's new tasks, not its old ones as well.
    assert http(w, "PUT", "/connectors/a/config", sink(3, "a"))[0] == 200
    assert n_tasks(w, "a") == 3
    status, body = http(w, "PUT", "/connectors/a/config", sink(4, "a"))
    assert status == 400 and "would start 4 tasks and this worker runs 2" in body["message"], (status, body)
    assert n_tasks(w, "a") == 3, "a refused update leaves the running connector alone"

    # A stopped connector runs no task; resuming it must fit again.
    assert http(w, "PUT", "/connectors/b/stop")[0] == 204
    assert create(w, "c", sink(2, "c"))[0] == 201
    status, body = http(w, "PUT", "/connectors/b/resume")
    assert status == 400 and "would start 2 tasks and this worker runs 5" in body["message"], (status, body)
    assert http(w, "GET", "/connectors/b/status")[1]["connector"]["state"] == "STOPPED"
    assert http(w, "DELETE", "/connectors/c")[0] == 204
    assert http(w, "PUT", "/connectors/b/resume")[0] == 202
    wait_for(lambda: n_tasks(w, "b") == 2, what="b's two tasks")

    # A stored connector that no longer fits after a restart with a lower
    # cap is not lost: it is listed FAILED, saying why.
    w.stop()
    w.overrides[CAP_KEY] = "3"
    w.start()
    states = {name: http(w, "GET", "/connectors/%s/status" % name)[1]["connector"] for name in ("a", "b")}
    failed = [s for s in states.values() if s["state"] == "FAILED"]
    assert len(failed) == 1 and "tasks.max.per.worker=3" in failed[0]["trace"], states
    assert http(w, "GET", "/health")[0] == 200
    w.stop()


def test_control_characters_in_names_refused():
    """names with control characters are a 400 as in Kafka, by POST and by PUT, and forge no log line"""
    w = Worker().start()
    forged = "[2026-01-01 00:00:00,000] ERROR forged line"
    for name, codes in (("a\nb", "10"), ("bell\u0007", "7"), ("x\n" + forged, "10"), ("cr\r\tlf", "13, 9"),
                        ("del\u007f", "127"), ("c1\u0085", "133")):
        status, body = create(w, name, source(1, "names"))
        assert status == 400, (name, status, body)
        assert body["message"] == ("Invalid value for configuration name: String may not contain control "
                                   "sequences but had the following ASCII chars: " + codes), (name, body)
        path = "/connectors/%s/config" % urllib.parse.quote(name, safe="")
        status, body = http(w, "PUT", path, source(1, "names"))
        assert status == 400 and "control sequences" in body["message"], (name, status, body)

    assert http(w, "GET", "/connectors") == (200, [])
    # Printable names, non-ASCII ones included, are still fine.
    assert create(w, "tab-free ünïcode name", source(1, "ok"))[0] == 201
    assert http(w, "GET", "/connectors")[1] == ["tab-free ünïcode name"]
    w.stop()
    for line in w.stderr().splitlines():
        assert not line.startswith(forged[:26]) and "forged line" not in line, line


harness.main(globals())
