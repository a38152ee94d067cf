"""connectctl connectors, a worker's REST API from the command line as
kcctl: every action and flag against a real `connectd standalone`, its
output checked and the worker's state checked through REST; each action's
error case (the worker's error message, exit 1); basic authentication
required, wrong and right, as --user and in the URL."""

import json
import os
import re
import socket
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, connectctl_path, http, run, wait_for  # noqa: E402

TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
PLUGINS = os.path.join(TOP_BUILDDIR, "tests", "plugins")


def cc(w, *args, url=None, input=None, env=None):
    """`connectctl connectors ARGS --url <worker>`: (exit code, stdout, stderr)."""
    cmd = [connectctl_path(), "connectors"] + list(args)
    if w is not None:
        cmd += ["--url", url or w.rest]
    res = subprocess.run(cmd, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                         env=dict(os.environ, **(env or {})))
    return res.returncode, res.stdout.decode("utf-8"), res.stderr.decode("utf-8")


def ok(w, *args, **kw):
    rc, out, err = cc(w, *args, **kw)
    assert rc == 0 and err == "", (args, rc, out, err)
    return out


def fails(w, *args, message, rc=1, **kw):
    """Runs an action that must fail with exit `rc` and `message` on stderr,
    printing nothing on stdout."""
    code, out, err = cc(w, *args, **kw)
    assert code == rc and message in err and out == "", (args, code, out, err)
    return err


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def table(out):
    """The rows of a table as lists of cells (split on two or more spaces),
    after checking that every column starts at the same place in each line."""
    lines = out.splitlines()
    starts = [m.start(1) for m in re.finditer(r"(?:^|  )(\S)", lines[0])]
    for line in lines[1:]:
        for s in starts[1:]:
            assert line[s - 2:s] == "  " and line[s] != " ", (line, lines[0])
    return [re.split(r"  +", line.strip()) for line in lines]


def state(w, name):
    status, body = http(w, "GET", "/connectors/%s/status" % name)
    return body["connector"]["state"] if status == 200 else None


def task_states(w, name):
    status, body = http(w, "GET", "/connectors/%s/status" % name)
    return [t["state"] for t in body["tasks"]] if status == 200 else None


def test_apply_list_describe():
    """apply -f creates then updates from a properties file, a JSON
    {name, config} and a bare JSON config; list and describe show them
    as tables and blocks, --json the worker's answers"""
    tmp = harness.tmpdir()
    src, sink = write(os.path.join(tmp, "in.txt"), "a\nb\n"), os.path.join(tmp, "out.txt")
    w = Worker().start()
    assert ok(w, "list") == "NAME  TYPE  STATE  TASKS\n"
    assert ok(w, "list", "--json") == "{}\n"

    props = write(os.path.join(tmp, "src.properties"),
                  "# a connector file as `connectd standalone` takes\nname=src\n"
                  "connector.class=FileStreamSource\nfile=%s\ntopic=t\n" % src)
    assert ok(w, "apply", "-f", props) == "Created connector src\n"
    assert http(w, "GET", "/connectors/src/config")[1]["topic"] == "t"
    write(props, "name=src\nconnector.class=FileStreamSource\nfile=%s\ntopic=t2\n" % src)
    assert ok(w, "apply", "--file", props) == "Updated connector src\n"
    assert http(w, "GET", "/connectors/src/config")[1]["topic"] == "t2"

    # The source may have read its file before the update moved it to t2.
    wrapped = write(os.path.join(tmp, "sink.json"), json.dumps(
        {"name": "sink", "config": {"connector.class": "FileStreamSink", "file": sink, "topics": "t,t2"}}))
    assert ok(w, "apply", "-f", wrapped) == "Created connector sink\n"
    bare = {"name": "sink2", "connector.class": "FileStreamSink", "file": os.path.join(tmp, "out2.txt"),
            "topics": "t2", "tasks.max": "2"}
    # "-" is standard input; --json prints the worker's answer, the
    # connector's info.
    out = ok(w, "apply", "-f", "-", "--json", input=json.dumps(bare).encode())
    assert json.loads(out)["name"] == "sink2" and json.loads(out)["config"]["tasks.max"] == "2", out
    wait_for(lambda: sorted(harness.read_or_empty(sink).split()) == [b"a", b"b"], what="the sink file")
    wait_for(lambda: task_states(w, "sink2") == ["RUNNING", "RUNNING"], what="sink2's tasks")

    rows = table(ok(w, "list"))
    assert rows == [["NAME", "TYPE", "STATE", "TASKS"],
                    ["sink", "sink", "RUNNING", "0: RUNNING"],
                    ["sink2", "sink", "RUNNING", "0: RUNNING, 1: RUNNING"],
                    ["src", "source", "RUNNING", "0: RUNNING"]], rows
    listed = json.loads(ok(w, "list", "--json"))
    assert listed == http(w, "GET", "/connectors?expand=status&expand=info")[1], listed

    out = ok(w, "describe", "src")
    topics = "".join("  %s\n" % t for t in http(w, "GET", "/connectors/src/topics")[1]["src"]["topics"])
    assert topics in ("  t\n", "  t2\n", "  t\n  t2\n"), topics
    worker_id = http(w, "GET", "/connectors/src/status")[1]["connector"]["worker_id"]
    assert out == ("Name:       src\n"
                   "Type:       source\n"
                   "State:      RUNNING\n"
                   "Worker ID:  %s\n"
                   "Config:\n"
                   "  connector.class:  FileStreamSource\n"
                   "  file:             %s\n"
                   "  name:             src\n"
                   "  topic:            t2\n"
                   "Tasks:\n"
                   "  0:\n"
                   "    State:      RUNNING\n"
                   "    Worker ID:  %s\n"
                   "Topics:\n"
                   "%s" % (worker_id, src, worker_id, topics)), out
    described = json.loads(ok(w, "describe", "sink2", "--json"))
    assert described["info"] == http(w, "GET", "/connectors/sink2")[1], described
    assert described["status"] == http(w, "GET", "/connectors/sink2/status")[1], described
    assert described["topics"] == http(w, "GET", "/connectors/sink2/topics")[1]["sink2"]["topics"], described

    fails(w, "describe", "nope", message="connectctl: Connector nope not found (HTTP 404)")
    fails(w, "apply", "-f", os.path.join(tmp, "missing.properties"), message="missing.properties: No such file")
    fails(w, "apply", "-f", write(os.path.join(tmp, "anon.properties"), "connector.class=FileStreamSink\n"),
          message="anon.properties: the connector needs a name")
    fails(w, "apply", "-f", write(os.path.join(tmp, "bad.json"), '{"name": "x", "config": '),
          message="bad.json: line 1:")
    fails(w, "apply", "-f", write(os.path.join(tmp, "list.json"), '{"name": "x", "config": []}'),
          message='list.json: "config" must be an object')
    # The worker's refusal: its message, the connector not created.
    err = fails(w, "apply", "-f", write(os.path.join(tmp, "unknown.properties"),
                                        "name=u\nconnector.class=NoSuchConnector\n"),
                message="NoSuchConnector")
    assert "(HTTP 400)" in err or "(HTTP 404)" in err, err
    assert http(w, "GET", "/connectors/u")[0] == 404



def test_describe_without_topic_tracking():
    """a worker with topic.tracking.enable=false refuses /topics: describe
    goes without them, in text and in JSON"""
    tmp = harness.tmpdir()
    src = write(os.path.join(tmp, "in.txt"), "a\n")
    w = Worker(overrides={"topic.tracking.enable": "false"}).start()
    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    assert http(w, "GET", "/connectors/src/topics")[0] == 403
    wait_for(lambda: task_states(w, "src") == ["RUNNING"], what="src to run")
    out = ok(w, "describe", "src")
    assert out.startswith("Name:       src\n") and "Topics:" not in out and out.endswith(
        "  topic:            t\nTasks:\n  0:\n    State:      RUNNING\n    Worker ID:  %s\n"
        % http(w, "GET", "/connectors/src/status")[1]["tasks"][0]["worker_id"]), out
    described = json.loads(ok(w, "describe", "src", "--json"))
    assert set(described) == {"info", "status"}, described

def test_pause_resume_stop_restart_delete():
    """each lifecycle action changes the worker's state and says so; restart's
    --include-tasks and --only-failed print Kafka's plan; an unknown
    connector is the worker's message and exit 1"""
    tmp = harness.tmpdir()
    src = write(os.path.join(tmp, "in.txt"), "a\n")
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    for name in ("one", "two"):
        assert http(w, "POST", "/connectors", {"name": name, "config": {
            "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
        wait_for(lambda: task_states(w, name) == ["RUNNING"], what=name + " to run")

    assert ok(w, "pause", "one", "two") == "Paused connector one\nPaused connector two\n"
    wait_for(lambda: state(w, "one") == "PAUSED" and state(w, "two") == "PAUSED", what="the pause")
    assert ok(w, "resume", "one") == "Resumed connector one\n"
    wait_for(lambda: state(w, "one") == "RUNNING", what="the resume")
    assert state(w, "two") == "PAUSED"
    assert ok(w, "stop", "two") == "Stopped connector two\n"
    wait_for(lambda: state(w, "two") == "STOPPED", what="the stop")
    assert ok(w, "resume", "two") == "Resumed connector two\n"
    wait_for(lambda: task_states(w, "two") == ["RUNNING"], what="two to run again")

    # Without flags Kafka restarts the connector alone and answers nothing.
    assert ok(w, "restart", "one") == "Restarted connector one\n"
    assert ok(w, "restart", "one", "--json") == ""
    out = ok(w, "restart", "one", "--include-tasks")
    assert out.splitlines()[0] == "Restarted connector one", out
    assert table("\n".join(out.splitlines()[1:])) == [["INSTANCE", "STATE"], ["connector", "RESTARTING"],
                                                      ["task 0", "RESTARTING"]], out
    wait_for(lambda: task_states(w, "one") == ["RUNNING"], what="one to run after its restart")

    # --only-failed: a healthy connector with a failed task restarts the
    # task alone.
    assert http(w, "POST", "/connectors", {"name": "flaky", "config": {
        "connector.class": "FailingSource", "fail.in": "poll", "fail.after": "0"}})[0] == 201
    wait_for(lambda: task_states(w, "flaky") == ["FAILED"], what="flaky's task to fail")
    out = ok(w, "describe", "flaky")
    assert re.search(r"^    State:      FAILED\n    Worker ID:  \S+\n    Trace:      .*injected failure in poll",
                     out, re.M), out
    plan = json.loads(ok(w, "restart", "flaky", "--include-tasks", "--only-failed", "--json"))
    assert plan["connector"]["state"] == "RUNNING" and [t["state"] for t in plan["tasks"]] == ["RESTARTING"], plan
    out = ok(w, "restart", "flaky", "--only-failed", "--include-tasks")
    assert table("\n".join(out.splitlines()[1:]))[1:] == [["connector", "RUNNING"], ["task 0", "RESTARTING"]], out

    assert ok(w, "delete", "flaky", "two") == "Deleted connector flaky\nDeleted connector two\n"
    assert http(w, "GET", "/connectors")[1] == ["one"]

    fails(w, "pause", "nope", message="connectctl: Unknown connector nope (HTTP 404)")
    fails(w, "resume", "nope", message="connectctl: Unknown connector nope (HTTP 404)")
    fails(w, "stop", "nope", message="connectctl: Connector nope not found (HTTP 404)")
    fails(w, "restart", "nope", message="connectctl: Connector nope not found (HTTP 404)")
    fails(w, "restart", "nope", "--include-tasks", message="Connector nope not found (HTTP 404)")
    fails(w, "delete", "nope", message="connectctl: Connector nope not found (HTTP 404)")
    # A failure among several names: the others are still done, exit 1.
    rc, out, err = cc(w, "pause", "nope", "one")
    assert rc == 1 and out == "Paused connector one\n" and "Unknown connector nope" in err, (rc, out, err)
    wait_for(lambda: state(w, "one") == "PAUSED", what="one to pause")


def test_offsets():
    """offsets get as a table and as JSON, alter from Kafka's PATCH body in a
    file, reset; the worker's refusal of a running connector's offsets"""
    tmp = harness.tmpdir()
    src = write(os.path.join(tmp, "in.txt"), "a\nbb\n")
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    wait_for(lambda: harness.connector_offsets(w, "src")["offsets"], what="src's first offsets")
    wait_for(lambda: harness.connector_offsets(w, "src")["offsets"][0]["offset"]["position"] == 5,
             what="src to read the whole file")

    assert table(ok(w, "offsets", "get", "src")) == [
        ["PARTITION", "OFFSET"], ['{"filename":"%s"}' % src, '{"position":5}']]
    assert json.loads(ok(w, "offsets", "get", "src", "--json")) == harness.file_source_offsets(src, 5)

    patch = write(os.path.join(tmp, "offsets.json"), json.dumps(harness.file_source_offsets(src, 2)))
    fails(w, "offsets", "alter", "src", "-f", patch, message="must be in the STOPPED state")
    fails(w, "offsets", "reset", "src", message="must be in the STOPPED state")
    assert ok(w, "stop", "src") == "Stopped connector src\n"
    wait_for(lambda: state(w, "src") == "STOPPED", what="the stop")
    assert ok(w, "offsets", "alter", "src", "-f", patch) == \
        "The offsets for this connector have been altered successfully\n"
    assert harness.connector_offsets(w, "src") == harness.file_source_offsets(src, 2)
    assert json.loads(ok(w, "offsets", "reset", "src", "--json")) == \
        {"message": "The offsets for this connector have been reset successfully"}
    assert harness.connector_offsets(w, "src") == {"offsets": []}
    assert ok(w, "offsets", "get", "src") == "PARTITION  OFFSET\n"

    fails(w, "offsets", "get", "nope", message="nope")
    fails(w, "offsets", "alter", "src", "-f", write(os.path.join(tmp, "empty.json"), "{}"),
          message="Partitions / offsets need to be provided")
    fails(w, "offsets", "alter", "src", "-f", write(os.path.join(tmp, "bad.json"), "{"), message="bad.json: line")
    fails(w, "offsets", "move", "src", message="offsets takes get, alter or reset, got 'move'", rc=2)


def test_plugins_and_validate():
    """plugins lists the connector plugins (--all: the others too); validate
    prints each error by key and exits 1 when there is one"""
    tmp = harness.tmpdir()
    w = Worker().start()
    rows = table(ok(w, "plugins"))
    assert rows[0] == ["CLASS", "TYPE", "VERSION"], rows
    assert ["FileStreamSource", "source"] in [r[:2] for r in rows] and \
        ["FileStreamSink", "sink"] in [r[:2] for r in rows], rows
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:]), rows
    assert {r[1] for r in rows[1:]} == {"source", "sink"}, rows
    everything = table(ok(w, "plugins", "--all"))
    assert {"converter", "transformation"} <= {r[1] for r in everything[1:]}, everything
    assert json.loads(ok(w, "plugins", "--all", "--json")) == \
        http(w, "GET", "/connector-plugins?connectorsOnly=false")[1]

    good = write(os.path.join(tmp, "good.properties"),
                 "name=s\nconnector.class=FileStreamSink\ntopics=t\nfile=%s\n" % os.path.join(tmp, "o"))
    assert ok(w, "validate", "-f", good) == "FileStreamSink: the config is valid\n"
    bad = write(os.path.join(tmp, "bad.json"), json.dumps({"name": "s", "config": {
        "connector.class": "FileStreamSink", "tasks.max": "abc"}}))
    rc, out, err = cc(w, "validate", "-f", bad)
    assert rc == 1 and err == "", (rc, out, err)
    lines = out.splitlines()
    assert "tasks.max: Invalid value abc for configuration tasks.max: Not a number of type INT" in lines, out
    assert any(line.startswith("topics") for line in lines), out
    count = http(w, "PUT", "/connector-plugins/FileStreamSink/config/validate",
                 {"name": "s", "connector.class": "FileStreamSink", "tasks.max": "abc"})[1]["error_count"]
    assert lines[-1] == "FileStreamSink: %d errors" % count and len(lines) == count + 1, out
    rc, out, err = cc(w, "validate", "-f", bad, "--json")
    assert rc == 1 and json.loads(out)["error_count"] == count, (rc, out, err)
    assert http(w, "GET", "/connectors")[1] == []

    fails(w, "validate", "-f", write(os.path.join(tmp, "u.properties"), "name=u\nconnector.class=Nope\n"),
          message="connectctl: Unknown plugin")
    fails(w, "validate", "-f", write(os.path.join(tmp, "nc.properties"), "name=u\n"),
          message="nc.properties: the connector needs connector.class")


def test_basic_auth_and_url():
    """a worker that requires basic authentication: none and a wrong password
    are its 401 message and exit 1; --user or credentials in the URL work,
    and no message prints the password; CONNECT_URL names the worker when
    --url does not"""
    tmp = harness.tmpdir()
    pw_hash = run(["openssl", "passwd", "-6", "-stdin"], input=b"s3cret").stdout.decode().strip()
    users = write(os.path.join(tmp, "users"), "admin:%s\n" % pw_hash)
    os.chmod(users, 0o600)
    w = Worker(overrides={"rest.basic.auth.credentials.file": users}).start()
    err = fails(w, "list", message="connectctl: authentication required")
    assert err.endswith("(HTTP 401; give --user USER:PASSWORD)\n"), err
    fails(w, "list", "--user", "admin:guess", message="connectctl: invalid user name or password (HTTP 401")
    authed = w.rest.replace("http://", "http://admin:s3cret@")
    fails(w, "plugins", url=w.rest.replace("http://", "http://admin:nope@"),
          message="invalid user name or password")
    assert ok(w, "list", "--user", "admin:s3cret") == "NAME  TYPE  STATE  TASKS\n"
    assert ok(w, "list", url=authed) == "NAME  TYPE  STATE  TASKS\n"
    assert ok(None, "list", "--json", env={"CONNECT_URL": authed}) == "{}\n"
    # With no worker there, the message names the URL without the password.
    w.stop()
    err = fails(w, "list", url=authed, message="connectctl: no answer from the worker at http://admin@127.0.0.1:")
    assert "s3cret" not in err, err
    fails(w, "list", url="localhost:8083", message="--url expects http://HOST:PORT", rc=2)


def test_timeout():
    """--timeout-ms bounds a request to a worker that never answers"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        # Listening, never accepting: the connection is made, no answer comes.
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = "http://127.0.0.1:%d" % silent.getsockname()[1]
        rc, out, err = cc(None, "list", "--url", url, "--timeout-ms", "300")
        assert rc == 1 and out == "", (rc, out, err)
        assert err.startswith("connectctl: no answer from the worker at %s/ (" % url) and "timed out" in err, err


def test_usage():
    """--help lists every flag; an unknown action names the closest one; an
    action with a wrong argument or flag is a usage error (exit 2)"""
    res = run([connectctl_path(), "connectors", "--help"])
    out = res.stdout.decode()
    for flag in ("--url", "--user", "--file", "--include-tasks", "--only-failed", "--all", "--json",
                 "--timeout-ms", "--help", "--version"):
        assert re.search(r"^  (-\w, |    )%s\b" % flag, out, re.M), (flag, out)
    assert "connectors" in run([connectctl_path(), "--help"]).stdout.decode()
    cases = [(["lst"], "unknown action 'lst'; did you mean 'list'?"),
             ([], "usage: connectctl connectors"),
             (["describe"], "describe takes one connector name"),
             (["describe", "a", "b"], "describe takes one connector name"),
             (["apply"], "apply needs -f FILE"),
             (["list", "x"], "list takes no arguments"),
             (["pause"], "pause takes one or more connector names"),
             (["pause", "a", "--include-tasks"], "pause takes no --include-tasks"),
             (["list", "--all"], "list takes no --all"),
             (["offsets", "get"], "offsets takes get, alter or reset and a connector name"),
             (["offsets", "alter", "a"], "alter needs -f FILE"),
             (["offsets", "get", "a", "-f", "x"], "takes -f FILE only with alter"),
             (["describe", "a", "-f", "x"], "describe takes no -f FILE"),
             (["list", "--user", "nocolon"], "--user expects USER:PASSWORD"),
             (["list", "--timeout-ms", "0"], "--timeout-ms expects milliseconds"),
             (["list", "--bootstrap-server", "x"], "unknown flag '--bootstrap-server'")]
    for args, message in cases:
        rc, out, err = cc(None, *args)
        assert rc == 2 and message in err and out == "", (args, rc, out, err)


if __name__ == "__main__":
    harness.main(globals())
