"""The worker's REST API, endpoint by endpoint, against Kafka Connect's
shapes and status codes (reference/connect-rest.md §1): what exists so far
(issue 5 completes it).
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402


def test_root_health_and_plugins():
    """GET /, /health, /connector-plugins and a plugin's config definition"""
    w = Worker().start()
    status, body = http(w, "GET", "/")
    assert status == 200 and set(body) == {"version", "commit", "kafka_cluster_id"} and body["kafka_cluster_id"], body
    assert http(w, "GET", "/health") == (200, {
        "status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
    status, body = http(w, "GET", "/connector-plugins/FileStreamSource/config")
    assert status == 200
    keys = {k["name"]: k for k in body}
    # The plugin's own keys first, then the framework's (Kafka's order).
    assert [k["name"] for k in body][:3] == ["file", "topic", "batch.size"] and "tasks.max" in keys, keys
    assert keys["topic"]["type"] == "STRING" and keys["topic"]["required"] is True, keys["topic"]
    assert keys["batch.size"]["type"] == "INT" and keys["batch.size"]["default_value"] == "2000"
    assert set(keys["file"]) >= {"name", "type", "required", "default_value", "importance", "documentation",
                                 "group", "order", "width", "display_name", "dependents"}, keys["file"]
    # Kafka's class name finds the same plugin; an unknown one is a 404 saying so.
    assert http(w, "GET", "/connector-plugins/org.apache.kafka.connect.file.FileStreamSourceConnector/config")[0] == 200
    status, body = http(w, "GET", "/connector-plugins/Nope/config")
    assert status == 404 and body["error_code"] == 404 and "Nope" in body["message"], body
    assert http(w, "GET", "/no/such/path")[0] == 404
    # Names and task counts the worker could not honour are refused, saying why.
    status, body = http(w, "POST", "/connectors", {"name": "n" * 300, "config": {
        "connector.class": "FileStreamSource", "topic": "t"}})
    assert status == 400 and "at most 255 bytes" in body["message"], body
    assert http(w, "GET", "/connectors/" + "n" * 600)[0] == 404
    status, body = http(w, "POST", "/connectors", {"name": "greedy", "config": {
        "connector.class": "FileStreamSink", "topics": "t", "tasks.max": "1000000"}})
    assert status == 400 and "tasks.max" in body["message"], body
    assert http(w, "DELETE", "/connectors")[0] == 405
    w.stop()


def test_tasks_expand_and_restarts():
    """expand=status/info, tasks, task status, and restarts with Kafka's 204/202"""
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    open(src, "w").close()
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "t", "tasks.max": "2"}})[0] == 201

    status, body = http(w, "GET", "/connectors?expand=status&expand=info")
    assert status == 200 and set(body) == {"src", "snk"}, body
    assert body["snk"]["info"]["type"] == "sink" and len(body["snk"]["info"]["tasks"]) == 2
    assert body["src"]["status"]["connector"]["state"] == "RUNNING"
    assert set(http(w, "GET", "/connectors?expand=info")[1]["src"]) == {"info"}

    status, tasks = http(w, "GET", "/connectors/snk/tasks")
    assert status == 200 and [t["id"] for t in tasks] == [{"connector": "snk", "task": 0},
                                                         {"connector": "snk", "task": 1}], tasks
    assert tasks[0]["config"]["file"] == sink and tasks[0]["config"]["topics"] == "t"
    wait_for(lambda: http(w, "GET", "/connectors/snk/tasks/1/status")[1]["state"] == "RUNNING",
             what="task 1 running")
    status, body = http(w, "GET", "/connectors/snk/tasks/1/status")
    assert status == 200 and set(body) == {"id", "state", "worker_id"} and body["id"] == 1, body
    assert http(w, "GET", "/connectors/snk/tasks/7/status")[0] == 404
    assert http(w, "GET", "/connectors/nope/tasks")[0] == 404

    assert http(w, "POST", "/connectors/snk/restart") == (204, None)
    assert http(w, "POST", "/connectors/snk/tasks/0/restart") == (204, None)
    assert http(w, "POST", "/connectors/snk/tasks/9/restart")[0] == 404
    assert http(w, "POST", "/connectors/nope/restart")[0] == 404
    status, body = http(w, "POST", "/connectors/snk/restart?includeTasks=true")
    assert status == 202 and body["name"] == "snk" and len(body["tasks"]) == 2, body

    # A failed task comes back RUNNING after a restart of the failed ones:
    # a sink whose directory is missing fails at start; once it exists, the
    # restart succeeds.
    later = os.path.join(tmp, "later")
    assert http(w, "POST", "/connectors", {"name": "late", "config": {
        "connector.class": "FileStreamSink", "file": os.path.join(later, "out.txt"), "topics": "t"}})[0] == 201
    wait_for(lambda: http(w, "GET", "/connectors/late/tasks/0/status")[1]["state"] == "FAILED",
             what="the sink without a directory to fail")
    assert "couldn't find or create file" in http(w, "GET", "/connectors/late/tasks/0/status")[1]["trace"]
    os.mkdir(later)
    status, body = http(w, "POST", "/connectors/late/restart?includeTasks=true&onlyFailed=true")
    assert status == 202 and body["name"] == "late", body
    wait_for(lambda: http(w, "GET", "/connectors/late/tasks/0/status")[1]["state"] == "RUNNING",
             what="the restarted task to run")
    assert http(w, "GET", "/connectors/src/tasks/0/status")[1]["state"] == "RUNNING", "others untouched"
    w.stop()


def test_pause_resume_stop_survive_restart():
    """pause (202) stops the flow, resume (202) restarts it, stop (204)
    removes the tasks; target states are stored and survive a restart;
    initial_state on create"""
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    open(src, "w").close()
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "p"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "p"}})[0] == 201

    def read():
        return open(sink, "rb").read() if os.path.exists(sink) else b""

    def states(name):
        body = http(w, "GET", "/connectors/%s/status" % name)[1]
        return body["connector"]["state"], [t["state"] for t in body["tasks"]]

    with open(src, "ab") as f:
        f.write(b"one\n")
    wait_for(lambda: read() == b"one\n", what="the first line")
    assert http(w, "PUT", "/connectors/snk/pause") == (202, None)
    wait_for(lambda: states("snk") == ("PAUSED", ["PAUSED"]), what="the sink paused")
    with open(src, "ab") as f:
        f.write(b"two\n")
    assert http(w, "PUT", "/connectors/src/stop") == (204, None)
    assert states("src") == ("STOPPED", []), states("src")
    assert read() == b"one\n", "a paused sink writes nothing"

    w.stop()
    w.start()
    assert states("src") == ("STOPPED", []) and states("snk")[0] == "PAUSED", (states("src"), states("snk"))
    assert http(w, "PUT", "/connectors/src/resume") == (202, None)
    assert http(w, "PUT", "/connectors/snk/resume") == (202, None)
    wait_for(lambda: read() == b"one\ntwo\n", what="the flow after resume")
    assert states("src") == ("RUNNING", ["RUNNING"]) and states("snk") == ("RUNNING", ["RUNNING"])
    assert http(w, "PUT", "/connectors/nope/pause")[0] == 404

    status, body = http(w, "POST", "/connectors", {"name": "later", "initial_state": "STOPPED", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "p"}})
    assert status == 201 and states("later") == ("STOPPED", []), body
    status, body = http(w, "POST", "/connectors", {"name": "odd", "initial_state": "SLEEPING", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "p"}})
    assert status == 400 and "initial_state" in body["message"], body
    w.stop()


def test_bodies_and_names_at_the_boundary():
    """bodies of the wrong JSON type and names that are not UTF-8 get a 4xx with a message, never a crash"""
    w = Worker().start()
    source = {"connector.class": "FileStreamSource", "topic": "t"}
    for method, path, body in (("POST", "/connectors", []), ("POST", "/connectors", "x"),
                               ("POST", "/connectors", {"name": ["a"], "config": {}}),
                               ("POST", "/connectors", {"name": "a", "config": []}),
                               ("PUT", "/connectors/a/config", []), ("PATCH", "/connectors/a/config", [1]),
                               ("PUT", "/connector-plugins/FileStreamSource/config/validate", [])):
        status, reply = http(w, method, path, body)
        assert status == 400 and reply["error_code"] == 400 and reply["message"], (method, path, body, reply)
    # A name from the URL that is not UTF-8 is refused, and quoted in a
    # valid JSON message.
    status, reply = http(w, "PUT", "/connectors/%FF/config", source)
    assert status == 400 and "must be valid UTF-8" in reply["message"], reply
    status, reply = http(w, "GET", "/connectors/%FF%FE/status")
    assert status == 404 and "No status found for connector" in reply["message"], reply
    assert http(w, "GET", "/connectors") == (200, [])
    # Restarting a task: which of connector and task is missing.
    assert http(w, "PUT", "/connectors/good/config", source)[0] == 201
    status, reply = http(w, "POST", "/connectors/nope/tasks/0/restart")
    assert status == 404 and reply["message"] == "Unknown connector: nope", reply
    for task in ("7", "-1", "99999999999999999999", "abc"):
        status, reply = http(w, "POST", "/connectors/good/tasks/%s/restart" % task)
        assert status == 404 and reply["message"] == "Unknown task: good-" + task, reply
    assert http(w, "GET", "/connectors/good/config") == (200, dict(source, name="good"))
    assert w.alive()
    w.stop()


harness.main(globals())
