"""`connectd standalone` with the embedded broker: the file quick start end
to end, restarts (kill -9 and clean), connectors created over REST
surviving a restart, and bad input on the command line.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker, Worker, http, read_or_empty, wait_for  # noqa: E402

TOP_SRCDIR = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def connector_file(tmp, name, sample, **changes):
    """A copy of an etc/ sample connector file with some keys changed."""
    lines = []
    with open(os.path.join(TOP_SRCDIR, "etc", sample)) as f:
        for line in f:
            key = line.split("=", 1)[0].strip()
            if key in changes:
                continue
            lines.append(line)
    lines += ["%s=%s\n" % kv for kv in changes.items()]
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def quickstart(tmp, topic="connect-test"):
    src, sink = os.path.join(tmp, "test.txt"), os.path.join(tmp, "test.sink.txt")
    open(src, "wb").close()
    files = [connector_file(tmp, "source.properties", "connect-file-source.properties", file=src, topic=topic),
             connector_file(tmp, "sink.properties", "connect-file-sink.properties", file=sink, topics=topic)]
    return src, sink, files


def append(path, data):
    with open(path, "ab") as f:
        f.write(data)


LINES = [b"hello", "caf\u00e9 \u00fcber \u65e5\u672c\u8a9e \U0001f600".encode(), b"x" * 200000, b"", b"last line"]


def test_quickstart_file_to_file():
    """lines appended to the source file appear in the sink file, in order,
    byte for byte (multi-byte UTF-8, a 200 KB line, an empty line)"""
    tmp = harness.tmpdir()
    src, sink, files = quickstart(tmp)
    w = Worker(files).start()
    data = b"".join(line + b"\n" for line in LINES)
    append(src, data)
    wait_for(lambda: len(read_or_empty(sink)) >= len(data), what="the sink file to catch up")
    assert read_or_empty(sink) == data
    more = b"".join(b"line %d\n" % i for i in range(1000))
    append(src, more)
    wait_for(lambda: len(read_or_empty(sink)) >= len(data + more), what="appended lines")
    assert read_or_empty(sink) == data + more
    status, body = http(w, "GET", "/connectors/local-file-source/status")
    assert status == 200 and body["connector"]["state"] == "RUNNING", body
    assert [t["state"] for t in body["tasks"]] == ["RUNNING"], body
    w.stop()


def in_order_at_least_once(expected, got):
    """Every expected line appears in `got`, in order; repeats (replays
    after a crash) of earlier lines are allowed."""
    i = 0
    seen = set()
    for line in got:
        if i < len(expected) and line == expected[i]:
            seen.add(line)
            i += 1
        elif line not in seen:
            return False
    return i == len(expected)


def test_restart_after_kill_and_clean_stop():
    """kill -9 mid-stream then restart: every line at least once and in
    order; a clean stop and start duplicates nothing"""
    tmp = harness.tmpdir()
    src, sink, files = quickstart(tmp)
    w = Worker(files).start()
    first = [b"first %d" % i for i in range(2000)]
    append(src, b"".join(line + b"\n" for line in first))
    wait_for(lambda: read_or_empty(sink).count(b"\n") >= 500, what="some lines through")
    w.kill()
    w.start()
    second = [b"second %d" % i for i in range(500)]
    append(src, b"".join(line + b"\n" for line in second))
    expected = first + second
    wait_for(lambda: in_order_at_least_once(expected, read_or_empty(sink).split(b"\n")[:-1]),
             what="every line after the restart")
    w.stop()  # clean: flushes and commits
    before = read_or_empty(sink)
    w.start()
    third = [b"third %d" % i for i in range(100)]
    append(src, b"".join(line + b"\n" for line in third))
    wait_for(lambda: read_or_empty(sink).endswith(b"third 99\n"), what="lines after a clean restart")
    assert read_or_empty(sink) == before + b"".join(line + b"\n" for line in third), "nothing duplicated"
    w.stop()


def test_rest_connector_survives_restart():
    """a connector created over REST is still there, running, after a restart"""
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    open(src, "wb").close()
    w = Worker().start()
    # Converters set per connector win over the worker's JsonConverter.
    plain = {"value.converter": "org.apache.kafka.connect.storage.StringConverter"}
    status, body = http(w, "POST", "/connectors", {"name": "rest-source", "config": dict(plain, **{
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "file": src, "topic": "rest-topic"})})
    assert status == 201, body
    assert body["name"] == "rest-source" and body["type"] == "source" and body["tasks"] == [
        {"connector": "rest-source", "task": 0}], body
    assert http(w, "POST", "/connectors", {"name": "rest-source", "config": {
        "connector.class": "FileStreamSource", "topic": "t"}})[0] == 409
    status, body = http(w, "PUT", "/connectors/rest-sink/config", dict(plain, **{
        "connector.class": "FileStreamSink", "file": sink, "topics": "rest-topic"}))
    assert status == 201, body
    append(src, b"one\ntwo\n")
    wait_for(lambda: read_or_empty(sink) == b"one\ntwo\n", what="the REST pipeline")
    res = harness.run(["kcat", "-b", w.bootstrap, "-C", "-t", "rest-topic", "-o", "beginning", "-e", "-q"])
    assert res.stdout == b"one\ntwo\n", res.stdout  # plain text, not a JSON envelope
    # Statuses are in the status topic, in Kafka Connect's record format.
    res = harness.run(["kcat", "-b", w.bootstrap, "-C", "-t", "connect-status", "-o", "beginning", "-e", "-q",
                       "-f", "%k\t%s\n"])
    latest = dict(line.split("\t", 1) for line in res.stdout.decode().splitlines())
    assert json.loads(latest["status-connector-rest-source"])["state"] == "RUNNING", latest
    task = json.loads(latest["status-task-rest-sink-0"])
    assert task["state"] == "RUNNING" and task["trace"] is None and ":" in task["worker_id"], task
    w.stop()
    w.start()
    status, names = http(w, "GET", "/connectors")
    assert status == 200 and sorted(names) == ["rest-sink", "rest-source"], names
    append(src, b"three\n")
    wait_for(lambda: read_or_empty(sink) == b"one\ntwo\nthree\n", what="the restored pipeline")
    assert http(w, "DELETE", "/connectors/rest-sink")[0] == 204
    assert http(w, "DELETE", "/connectors/rest-sink")[0] == 404
    w.stop()
    w.start()
    assert http(w, "GET", "/connectors")[1] == ["rest-source"]
    # A record in the config topic that is not Kafka Connect's format is
    # skipped at start-up, not taken for a deletion.
    harness.run(["kcat", "-b", w.bootstrap, "-P", "-t", "connect-configs", "-K", ":"],
                input=b"connector-rest-source:not json\n")
    w.stop()
    w.start()
    assert http(w, "GET", "/connectors")[1] == ["rest-source"]
    assert "connector-rest-source is not" in w.stderr()
    w.stop()


def test_external_broker_and_offset_file():
    """with bootstrap.servers the worker uses that cluster (no embedded
    broker); offset.storage.file.filename keeps source offsets in a file,
    so a restart resumes exactly where the source was"""
    tmp = harness.tmpdir()
    broker = Broker().start()
    src, sink, files = quickstart(tmp, topic="external")
    offsets = os.path.join(tmp, "connect.offsets")
    w = Worker(files, overrides={"bootstrap.servers": broker.bootstrap, "offset.storage.file.filename": offsets})
    w.start()
    assert "embedded broker" not in w.stderr()
    append(src, "\u00e9t\u00e9\nhiver\n".encode())
    wait_for(lambda: read_or_empty(sink) == "\u00e9t\u00e9\nhiver\n".encode(), what="the pipeline through the external broker")
    w.stop()
    with open(offsets) as f:
        lines = [json.loads(line) for line in f]
    assert lines == [{"key": ["local-file-source", {"filename": src}], "value": {"position": 12}}], lines  # bytes, not characters
    w.start()
    append(src, b"printemps\n")
    wait_for(lambda: read_or_empty(sink).endswith(b"printemps\n"), what="the line after the restart")
    assert read_or_empty(sink) == "\u00e9t\u00e9\nhiver\nprintemps\n".encode(), "resumed exactly, nothing repeated"
    w.stop()
    broker.stop()


def test_bad_input():
    """a properties file with a syntax error, a connector missing a required
    key, an unknown connector class, a plugin file that is not a plugin:
    clear messages; exit 2 or 3 as Kafka, or the worker stays up"""
    tmp = harness.tmpdir()
    bad_props = os.path.join(tmp, "bad.properties")
    with open(bad_props, "w") as f:
        f.write("name=x\nfile=\\u12G4\n")
    w = Worker([bad_props])
    assert w.start(expect_exit=True) == 3
    assert "line 2" in w.stderr() and "Stopping after connector error" in w.stderr()

    missing = os.path.join(tmp, "missing.properties")
    with open(missing, "w") as f:
        f.write("name=no-topic\nconnector.class=FileStreamSource\nfile=%s\n" % os.path.join(tmp, "f"))
    w = Worker([missing])
    assert w.start(expect_exit=True) == 3
    assert 'Missing required configuration "topic" which has no default value.' in w.stderr(), w.stderr()

    unknown = os.path.join(tmp, "unknown.json")
    with open(unknown, "w") as f:
        json.dump({"name": "u", "config": {"connector.class": "com.example.Nope"}}, f)
    w = Worker([unknown])
    assert w.start(expect_exit=True) == 3
    assert "com.example.Nope" in w.stderr() and "FileStreamSource" in w.stderr(), w.stderr()

    nested = os.path.join(tmp, "nested.json")
    with open(nested, "w") as f:
        json.dump({"name": "n", "config": {"connector.class": "FileStreamSource", "topic": ["a", "b"]}}, f)
    w = Worker([nested])
    assert w.start(expect_exit=True) == 3
    assert 'nested.json: config value of "topic" must be a string' in w.stderr(), w.stderr()

    plugins = os.path.join(tmp, "plugins")
    os.mkdir(plugins)
    with open(os.path.join(plugins, "not-a-plugin.so"), "w") as f:
        f.write("this is text\n")
    w = Worker(overrides={"plugin.path": plugins}).start()
    assert "not-a-plugin.so" in w.stderr(), w.stderr()
    status, body = http(w, "GET", "/connector-plugins")
    assert status == 200 and {"FileStreamSource", "FileStreamSink"} <= {p["class"] for p in body}, body
    status, body = http(w, "POST", "/connectors", {"name": "x", "config": {"connector.class": "Nope"}})
    assert status == 400 and body["error_code"] == 400 and "Nope" in body["message"], body
    status, body = http(w, "POST", "/connectors", None)
    assert status == 400 and "JSON" in body["message"], body
    w.stop()

    w = Worker(overrides={"offset.flush.interval.ms": "soon"})
    assert w.start(expect_exit=True) == 2
    assert "offset.flush.interval.ms" in w.stderr()


def test_edited_connector_file_runs_before_the_stored_config():
    """a connector file edited while the worker was down is what runs at the
    next start, from the start: the stored config never runs (the old topic
    gets none of the lines appended meanwhile), a log line says so, and the
    connector starts once, not once stored and once edited"""
    tmp = harness.tmpdir()
    src = os.path.join(tmp, "in.txt")
    append(src, b"one\ntwo\n")
    conn = connector_file(tmp, "source.properties", "connect-file-source.properties", file=src, topic="before")
    w = Worker([conn], overrides={"value.converter": "org.apache.kafka.connect.storage.StringConverter"}).start()
    assert harness.kcat_values(w, "before", 2) == ["one", "two"]
    w.stop()
    append(src, b"three\nfour\n")
    connector_file(tmp, "source.properties", "connect-file-source.properties", file=src, topic="after")
    w.start()
    assert harness.kcat_values(w, "after", 2) == ["three", "four"]
    assert [m.value() for m in harness.confluent_drain(w, "before")] == [b"one", b"two"]
    log = w.stderr()
    assert "connector local-file-source: %s was edited since the connector was stored in connect-configs; " \
        "starting it with the file's config" % conn in log, log
    assert log.count("connector local-file-source (FileStreamSource) started") == 1, log
    assert "restoring connector local-file-source" not in log, log
    w.stop()
    # Unchanged, it is restored as stored, and not stored again.
    w.start()
    append(src, b"five\n")
    assert harness.kcat_values(w, "after", 3) == ["three", "four", "five"]
    log = w.stderr()
    assert "restoring connector local-file-source" in log and "was edited" not in log, log
    assert log.count("connector local-file-source (FileStreamSource) started") == 1, log
    w.stop()


harness.main(globals())
