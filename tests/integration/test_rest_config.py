"""Changing connectors over REST: PATCH config (KIP-477), tasks-config,
Location on 201, PUT of an unchanged config restarting nothing, and the
opt-in restart policy (restart.policy=on-failure) with its backoff shown in
the status.
"""

import http.client as httpclient
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
PLUGINS = os.path.join(TOP_BUILDDIR, "tests", "plugins")


def raw(w, method, path, body=None):
    """(status, headers, parsed body) of one request."""
    conn = httpclient.HTTPConnection("127.0.0.1", w.rest_port, timeout=30)
    conn.request(method, path, json.dumps(body) if body is not None else None,
                 {"Content-Type": "application/json"})
    resp = conn.getresponse()
    text = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), json.loads(text) if text else None


def starts(w, name):
    """How many times connector `name` has started its tasks so far."""
    return w.stderr().count("connector %s (" % name)


def test_patch_config_and_tasks_config():
    """PATCH merges, a null removes a key, the name must match; tasks-config
    is {"<c>-<t>": config}; 201 answers carry Location"""
    tmp = harness.tmpdir()
    src = os.path.join(tmp, "in.txt")
    open(src, "w").close()
    w = Worker().start()
    status, headers, body = raw(w, "POST", "/connectors", {"name": "my src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t", "batch.size": "10"}})
    assert status == 201 and headers["Location"] == "/connectors/my%20src", headers
    status, headers, body = raw(w, "PUT", "/connectors/other/config", {
        "connector.class": "FileStreamSource", "file": src, "topic": "u"})
    assert status == 201 and headers["Location"] == "/connectors/other", headers
    status, headers, body = raw(w, "PUT", "/connectors/other/config", {
        "connector.class": "FileStreamSource", "file": src, "topic": "v"})
    assert status == 200 and "Location" not in headers and body["config"]["topic"] == "v", (headers, body)

    status, body = http(w, "PATCH", "/connectors/my%20src/config", {"topic": "t2", "batch.size": None})
    assert status == 200 and body["name"] == "my src" and body["type"] == "source", body
    assert body["config"] == {"connector.class": "FileStreamSource", "file": src, "topic": "t2",
                              "name": "my src"}, body
    assert http(w, "GET", "/connectors/my%20src/config")[1]["topic"] == "t2"
    wait_for(lambda: http(w, "GET", "/connectors/my%20src/tasks")[1], what="the patched connector's tasks")
    status, body = http(w, "GET", "/connectors/my%20src/tasks-config")
    assert status == 200 and list(body) == ["my src-0"], body
    assert body["my src-0"]["topic"] == "t2" and body["my src-0"]["file"] == src, body

    # Outside a PATCH a null is refused, as Kafka does.
    for method, path, body in (("POST", "/connectors", {"name": "n", "config": {
            "connector.class": "FileStreamSource", "topic": "t", "file": None}}),
            ("PUT", "/connectors/other/config", {"connector.class": "FileStreamSource", "topic": None})):
        status, reply = http(w, method, path, body)
        assert status == 400 and "Null value can not be supplied as the configuration value." in reply["message"], \
            reply
    status, body = http(w, "PATCH", "/connectors/nope/config", {"topic": "x"})
    assert status == 404 and body == {"error_code": 404, "message": "Connector nope not found"}, body
    assert http(w, "GET", "/connectors/nope/tasks-config")[0] == 404
    status, body = http(w, "PATCH", "/connectors/other/config", {"name": "renamed"})
    assert status == 400 and "doesn't match connector name in the URL" in body["message"], body
    status, body = http(w, "PATCH", "/connectors/other/config", {"topic": None})
    assert status == 400 and 'Missing required configuration "topic"' in body["message"], body
    status, body = http(w, "PATCH", "/connectors/other/config", {"topic": ["a"]})
    assert status == 400 and "must be a string" in body["message"], body
    status, body = http(w, "PATCH", "/connectors/other/config", [1])
    assert status == 400 and body["error_code"] == 400, body
    assert http(w, "GET", "/connectors/other/config")[1]["topic"] == "v", "a refused PATCH changes nothing"
    w.stop()


def test_unchanged_put_restarts_nothing():
    """a PUT (or PATCH) of the config a connector already has answers 200
    and leaves the connector and its tasks running as they are"""
    tmp = harness.tmpdir()
    src = os.path.join(tmp, "in.txt")
    open(src, "w").close()
    w = Worker().start()
    config = {"connector.class": "FileStreamSource", "file": src, "topic": "t"}
    assert http(w, "PUT", "/connectors/s/config", config)[0] == 201
    wait_for(lambda: starts(w, "s") == 1, what="the connector to start")
    for _ in range(3):
        status, body = http(w, "PUT", "/connectors/s/config", config)
        assert status == 200 and body["config"]["topic"] == "t", body
    status, body = http(w, "PATCH", "/connectors/s/config", {"topic": "t"})
    assert status == 200, body
    assert http(w, "PUT", "/connectors/s/config", dict(config, name="s"))[0] == 200
    assert starts(w, "s") == 1, w.stderr()
    assert http(w, "PUT", "/connectors/s/config", dict(config, topic="t2"))[0] == 200
    wait_for(lambda: starts(w, "s") == 2, what="a changed config to restart the connector")
    w.stop()


def test_restart_policy():
    """restart.policy=on-failure restarts a FAILED task with growing waits
    up to restart.max.attempts, shows the attempts in the status, and a
    manual restart starts the count over; without it nothing restarts"""
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    policy = {"restart.policy": "on-failure", "restart.max.attempts": "3", "restart.backoff.ms": "50",
              "restart.backoff.max.ms": "400"}
    assert http(w, "POST", "/connectors", {"name": "flaky", "config": dict(
        policy, **{"connector.class": "FailingSource", "fail.in": "poll", "fail.after": "2"})})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "plain", "config": {
        "connector.class": "FailingSource", "fail.in": "poll", "fail.after": "2"}})[0] == 201

    def task(name):
        return http(w, "GET", "/connectors/%s/status" % name)[1]["tasks"][0]

    def exhausted():
        t = task("flaky")
        return t["state"] == "FAILED" and t["auto_restart"]["attempts"] == 3 and t
    t = wait_for(exhausted, what="three automatic restarts, then giving up")
    assert t["auto_restart"] == {"attempts": 3, "max_attempts": 3, "next_attempt_ms": None}, t
    assert "injected failure in poll" in t["trace"], t
    assert w.stderr().count("task flaky-0 failed; automatic restart") == 3, w.stderr()
    status = http(w, "GET", "/connectors/flaky/status")[1]
    assert status["connector"]["auto_restart"]["attempts"] == 0, status

    plain = wait_for(lambda: task("plain")["state"] == "FAILED" and task("plain"), what="plain to fail")
    assert "auto_restart" not in plain, plain
    assert "task plain-0 failed; automatic restart" not in w.stderr()

    # By hand: the count starts over and the policy works again.
    assert http(w, "POST", "/connectors/flaky/tasks/0/restart")[0] == 204
    wait_for(lambda: w.stderr().count("task flaky-0 failed; automatic restart") == 6,
             what="the policy to apply again after a manual restart")
    wait_for(exhausted, what="giving up again")

    # A connector whose task_configs fails is restarted as a whole.
    assert http(w, "POST", "/connectors", {"name": "broken", "config": dict(
        policy, **{"connector.class": "FailingSource", "fail.in": "task_configs"})})[0] == 201
    wait_for(lambda: w.stderr().count("connector broken failed; automatic restart") == 3,
             what="three connector restarts")
    status = wait_for(lambda: (lambda s: s["connector"]["state"] == "FAILED" and
                               s["connector"]["auto_restart"]["next_attempt_ms"] is None and s)(
        http(w, "GET", "/connectors/broken/status")[1]), what="the connector to stay FAILED")
    assert status["connector"]["auto_restart"]["attempts"] == 3, status

    for bad, why in ((("restart.policy", "always"), "String must be one of: none, on-failure"),
                     (("restart.max.attempts", "many"), "Not a number"),
                     (("restart.backoff.ms", "-5"), "Invalid value -5 for configuration restart.backoff.ms"),
                     (("restart.backoff.max.ms", "10"), "must not be less than restart.backoff.ms")):
        config = {"connector.class": "FailingSource", "fail.in": "poll", "restart.backoff.ms": "50", bad[0]: bad[1]}
        status, body = http(w, "POST", "/connectors", {"name": "bad", "config": config})
        assert status == 400 and why in body["message"] and bad[0] in body["message"], (bad, body)
    w.stop()


def test_config_providers():
    """${env:VAR} and ${file:/path:key} are resolved when the connector and
    its tasks start, never shown resolved; an unresolvable one is a 400"""
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    secrets = os.path.join(tmp, "secrets.properties")
    with open(secrets, "w") as f:
        f.write("source.file=%s\n" % src)
    with open(src, "w") as f:
        f.write("one\ntwo\n")
    os.environ["CONNECTD_TEST_TOPIC"] = "resolved-topic"
    # None is on unless the worker lists it (test_config_providers_confined).
    w = Worker(overrides={"config.providers": "env,file"}).start()
    del os.environ["CONNECTD_TEST_TOPIC"]
    raw_config = {"connector.class": "FileStreamSource", "topic": "${env:CONNECTD_TEST_TOPIC}",
                  "file": "${file:%s:source.file}" % secrets}
    status, body = http(w, "POST", "/connectors", {"name": "secret-src", "config": raw_config})
    assert status == 201 and body["config"] == dict(raw_config, name="secret-src"), body
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "resolved-topic"}})[0] == 201
    wait_for(lambda: os.path.exists(sink) and open(sink).read() == "one\ntwo\n", what="lines via the resolved topic")
    for path in ("/connectors/secret-src", "/connectors/secret-src/config", "/connectors/secret-src/tasks",
                 "/connectors/secret-src/tasks-config", "/connectors?expand=info"):
        body = http(w, "GET", path)[1]
        text = json.dumps(body["secret-src"] if path.endswith("info") else body)
        assert "resolved-topic" not in text and src not in text and "${env:CONNECTD_TEST_TOPIC}" in text, (path, text)

    status, body = http(w, "POST", "/connectors", {"name": "unset", "config": {
        "connector.class": "FileStreamSource", "topic": "${env:CONNECTD_NOT_SET_ANYWHERE}"}})
    assert status == 400 and "topic: ${env:CONNECTD_NOT_SET_ANYWHERE} refers to an environment variable that is " \
        "not set" in body["message"], body
    status, body = http(w, "POST", "/connectors", {"name": "nofile", "config": {
        "connector.class": "FileStreamSource", "topic": "t", "file": "${file:%s:missing.key}" % secrets}})
    assert status == 400 and "missing.key" in body["message"], body
    # A reference that stops resolving after creation fails the task, saying why.
    os.remove(secrets)
    assert http(w, "POST", "/connectors/secret-src/restart?includeTasks=true")[0] == 202
    status = wait_for(lambda: (lambda s: s["connector"]["state"] == "FAILED" and s)(
        http(w, "GET", "/connectors/secret-src/status")[1]), what="the connector to fail without its secrets")
    assert secrets in status["connector"]["trace"], status
    w.stop()


def test_active_topics():
    """GET /connectors/{c}/topics lists the topics a connector used (KIP-558),
    kept across a restart; reset (202) empties it until the tasks use a topic
    again; delete forgets it; tracking can be disabled (403)"""
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    with open(src, "w") as f:
        f.write("a\n")
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "used"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "used,never-written"}})[0] == 201

    def topics(name):
        status, body = http(w, "GET", "/connectors/%s/topics" % name)
        assert status == 200 and list(body) == [name] and list(body[name]) == ["topics"], body
        return body[name]["topics"]
    wait_for(lambda: topics("src") == ["used"] and topics("snk") == ["used"], what="both to list topic 'used'")
    assert http(w, "GET", "/connectors/nope/topics") == (404, {"error_code": 404, "message": "Connector nope not found"})
    assert http(w, "PUT", "/connectors/nope/topics/reset")[0] == 404

    w.restart()
    assert topics("src") == ["used"] and topics("snk") == ["used"], "kept in the status topic"
    assert http(w, "PUT", "/connectors/src/topics/reset") == (202, None)
    assert topics("src") == [] and topics("snk") == ["used"]
    with open(src, "a") as f:
        f.write("b\n")
    wait_for(lambda: topics("src") == ["used"], what="the source to use its topic again")
    assert http(w, "DELETE", "/connectors/snk")[0] == 204
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "never-written"}})[0] == 201
    assert topics("snk") == [], "deleting a connector forgets its topics"
    w.stop()

    w = Worker(overrides={"topic.tracking.allow.reset": "false"}).start()
    assert http(w, "POST", "/connectors", {"name": "s", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    assert http(w, "PUT", "/connectors/s/topics/reset") == (
        403, {"error_code": 403, "message": "Topic tracking reset is disabled."})
    w.stop()
    w = Worker(overrides={"topic.tracking.enable": "false"}).start()
    assert http(w, "POST", "/connectors", {"name": "s", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    assert http(w, "GET", "/connectors/s/topics") == (
        403, {"error_code": 403, "message": "Topic tracking is disabled."})
    w.stop()


harness.main(globals())
