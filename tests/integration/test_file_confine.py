"""The file connectors confined to the worker's file.connectors.allowed.paths:
a REST client may not make FileStreamSink write a cron line into /etc/cron.d
nor FileStreamSource read /etc/passwd.  Paths are resolved (symbolic links,
"..") before they are judged; refusals are a 400 naming `file` and the
allowed directories, nothing is read or written, a config stored before the
worker was confined fails its task instead of opening its file, and the
worker goes on serving.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

KEY = "file.connectors.allowed.paths"
STRINGS = {"key.converter": "org.apache.kafka.connect.storage.StringConverter",
           "value.converter": "org.apache.kafka.connect.storage.StringConverter"}


def dirs():
    """An allowed directory and one beside it that is not."""
    tmp = harness.tmpdir()
    allowed, outside = os.path.join(tmp, "allowed"), os.path.join(tmp, "outside")
    os.mkdir(allowed)
    os.mkdir(outside)
    return allowed, outside


def timed(w, method, path, body=None):
    """http(), failing the test if the worker does not answer within 10 s
    (a socket timeout: a hang fails it, nothing is timed)."""
    return http(w, method, path, body, timeout=10)


def sink(name, path):
    return {"name": name, "config": {"connector.class": "FileStreamSink", "file": path, "topics": "t"}}


def source(name, path, topic="stolen"):
    return {"name": name, "config": {"connector.class": "FileStreamSource", "file": path, "topic": topic}}


def refused(w, body, allowed):
    """POST /connectors answers 400 naming file and the allowed directory,
    and creates nothing."""
    status, answer = timed(w, "POST", "/connectors", body)
    assert status == 400, (body, status, answer)
    message = answer["message"]
    assert "for configuration file:" in message and KEY in message and allowed in message, message
    assert body["name"] not in timed(w, "GET", "/connectors")[1], body


def serves(w, allowed):
    """The worker answers REST and still runs a file connector inside."""
    assert timed(w, "GET", "/")[0] == 200
    name = "plain-%d" % time.monotonic_ns()
    status, body = timed(w, "POST", "/connectors", sink(name, os.path.join(allowed, name + ".txt")))
    assert status == 201, body
    assert timed(w, "DELETE", "/connectors/" + name)[0] == 204


def test_outside_paths_refused():
    """a sink into /etc/cron.d, a source of /etc/passwd, a symlink to it, a
    dangling symlink out, ".." escapes, a connector setting the worker's
    key: each a 400 at create, update and validate, nothing read or
    written; a file inside works"""
    allowed, outside = dirs()
    w = Worker(overrides=dict(STRINGS, **{KEY: allowed})).start()
    cron = "/etc/cron.d/connectd-test-%d" % os.getpid()
    refused(w, sink("cron", cron), allowed)
    assert not os.path.exists(cron)
    refused(w, source("passwd", "/etc/passwd"), allowed)
    # A link inside the directory to a file outside it.
    os.symlink("/etc/passwd", os.path.join(allowed, "passwd-link"))
    refused(w, source("linked", os.path.join(allowed, "passwd-link")), allowed)
    # A link to a file that does not exist yet: O_CREAT would create it outside.
    target = os.path.join(outside, "created.txt")
    os.symlink(target, os.path.join(allowed, "dangling"))
    refused(w, sink("dangling", os.path.join(allowed, "dangling")), allowed)
    assert not os.path.exists(target)
    # A linked directory inside pointing out.
    os.symlink(outside, os.path.join(allowed, "out-dir"))
    refused(w, sink("via-dir", os.path.join(allowed, "out-dir", "x.txt")), allowed)
    # ".." out of the directory, through one that exists and one that does not.
    refused(w, sink("dotdot", os.path.join(allowed, "..", "outside", "x.txt")), allowed)
    refused(w, source("dotdot-missing", os.path.join(allowed, "nope", "..", "..", "..", "etc", "passwd")), allowed)
    # A relative path resolves against the worker's directory, not the allowed one.
    refused(w, source("relative", "../../../../../../../../etc/passwd"), allowed)
    assert os.listdir(outside) == [], os.listdir(outside)
    # A connector may not hand itself the directories.
    body = sink("own-key", os.path.join(allowed, "x.txt"))
    body["config"][KEY] = "/"
    status, answer = timed(w, "POST", "/connectors", body)
    assert status == 400 and KEY in answer["message"] and "worker setting" in answer["message"], answer
    # Validation shows the refusal on `file`, as Kafka shows a bad value (200, error_count).
    status, answer = timed(w, "PUT", "/connector-plugins/FileStreamSource/config/validate",
                           dict(source("v", "/etc/passwd")["config"], name="v"))
    assert status == 200 and answer["error_count"] == 1, answer
    errors = {c["value"]["name"]: c["value"]["errors"] for c in answer["configs"]}
    assert len(errors["file"]) == 1 and KEY in errors["file"][0] and allowed in errors["file"][0], errors
    # A file inside, given with "..", works, and lines flow source -> topic -> sink.
    src = os.path.join(allowed, "in.txt")
    with open(src, "w") as f:
        f.write("one\ntwo\n")
    os.mkdir(os.path.join(allowed, "sub"))
    out = os.path.join(allowed, "sub", "..", "out.txt")
    assert timed(w, "POST", "/connectors", source("in", src, "lines"))[0] == 201
    body = sink("out", out)
    body["config"]["topics"] = "lines"
    assert timed(w, "POST", "/connectors", body)[0] == 201
    wait_for(lambda: os.path.exists(os.path.join(allowed, "out.txt")) and
             open(os.path.join(allowed, "out.txt")).read() == "one\ntwo\n", what="the lines in out.txt")
    # Updating a running connector to a file outside is refused; it keeps its config.
    status, answer = timed(w, "PUT", "/connectors/in/config", source("in", "/etc/passwd", "lines")["config"])
    assert status == 400 and "for configuration file:" in answer["message"], answer
    assert timed(w, "GET", "/connectors/in/config")[1]["file"] == src
    assert timed(w, "GET", "/connectors/in/status")[1]["tasks"][0]["state"] == "RUNNING"
    assert not os.path.exists(cron) and os.listdir(outside) == []
    serves(w, allowed)
    w.stop(timeout=10)


def test_stored_config_fails_its_task():
    """a sink stored while the worker allowed every path ("/") is still
    listed after the worker is confined, but its task fails saying why and
    the file outside is not created again"""
    allowed, outside = dirs()
    w = Worker(overrides=dict(STRINGS, **{KEY: "/"})).start()
    target = os.path.join(outside, "x.txt")
    assert timed(w, "POST", "/connectors", sink("old", target))[0] == 201
    wait_for(lambda: os.path.exists(target), what="the sink to create its file")
    w.stop(timeout=10)
    os.unlink(target)
    w.overrides[KEY] = allowed
    w.start()
    status = wait_for(lambda: (lambda s: s.get("tasks") and s["tasks"][0]["state"] == "FAILED" and s)(
        http(w, "GET", "/connectors/old/status")[1]), what="the stored sink's task to fail")
    trace = status["tasks"][0]["trace"]
    assert KEY in trace and target in trace and allowed in trace, trace
    assert not os.path.exists(target)
    # Restarting it changes nothing; deleting it works.
    assert timed(w, "POST", "/connectors/old/restart?includeTasks=true")[0] == 202
    time.sleep(0.5)
    assert not os.path.exists(target)
    assert timed(w, "DELETE", "/connectors/old")[0] == 204
    serves(w, allowed)
    w.stop(timeout=10)


def test_unset_allows_standard_streams_only():
    """without the setting no file is allowed, with a message saying what to
    set; standard output still is"""
    allowed, _ = dirs()
    w = Worker(overrides=dict(STRINGS, **{KEY: ""})).start()
    status, answer = timed(w, "POST", "/connectors", sink("nowhere", os.path.join(allowed, "x.txt")))
    assert status == 400 and KEY + " is not set on this worker" in answer["message"], answer
    assert not os.path.exists(os.path.join(allowed, "x.txt"))
    status, answer = timed(w, "POST", "/connectors", {"name": "stdout", "config": {
        "connector.class": "FileStreamSink", "topics": "t"}})
    assert status == 201, answer
    assert timed(w, "GET", "/")[0] == 200
    w.stop(timeout=10)


harness.main(globals())
