"""errors.* (error_handler.h): a poison record for a JsonConverter sink
fails the task with a trace naming the stage, topic, partition and offset
(errors.tolerance=none), or (all) lands in the dead letter queue with its
raw bytes and Kafka's __connect.errors.* headers while every good record
before and after it reaches the sink; errors.log.enable lines; a record a
sink's put() rejects (record_reject) goes the same way with stage
TASK_PUT; a source record its converter cannot write is skipped into the
source's dead letter queue (connectd's addition); /metrics counts it all.
"""

import json
import os
import re
import sys
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
PLUGINS = os.path.join(TOP_BUILDDIR, "tests", "plugins")

SCHEMALESS = {"key.converter": "org.apache.kafka.connect.json.JsonConverter",
              "key.converter.schemas.enable": "false",
              "value.converter": "org.apache.kafka.connect.json.JsonConverter",
              "value.converter.schemas.enable": "false"}
STRINGS = {"key.converter": "org.apache.kafka.connect.storage.StringConverter",
           "value.converter": "org.apache.kafka.connect.storage.StringConverter"}


def kcat(w, *args, input=None):
    return harness.run(["kcat", "-b", w.bootstrap, "-m", "30"] + list(args), input=input)


def produce(w, topic, values, headers=()):
    """One kcat run per call: values (bytes, one per line) to partition 0."""
    args = ["-P", "-t", topic, "-p", "0"]
    for h in headers:
        args += ["-H", h]
    kcat(w, *args, input=b"".join(v + b"\n" for v in values))


def consume(w, topic, count):
    """The first `count` records of topic partition 0 as kcat -J dicts."""
    def read():
        res = harness.run(["kcat", "-b", w.bootstrap, "-m", "30", "-C", "-t", topic, "-p", "0", "-o", "beginning",
                           "-e", "-J", "-c", str(count)], check=False)
        recs = [json.loads(line) for line in res.stdout.decode().splitlines() if line.strip()]
        return recs if len(recs) >= count else None
    return wait_for(read, what="%d records in %s" % (count, topic))


def headers_of(rec):
    h = rec.get("headers") or []
    return dict(zip(h[0::2], h[1::2]))


def task_status(w, name):
    status, body = http(w, "GET", "/connectors/%s/status" % name)
    if status != 200 or not body.get("tasks"):
        return None
    return body["tasks"][0]


def lines_of(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def metric(w, family, **labels):
    with urllib.request.urlopen(w.rest + "/metrics", timeout=30) as resp:
        text = resp.read().decode()
    found = []
    for line in text.splitlines():
        m = re.match(r"(%s)\{([^}]*)\} (\S+)$" % re.escape(family), line)
        if m:
            got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            if all(got.get(k) == v for k, v in labels.items()):
                found.append(float(m.group(3)))
    assert len(found) == 1, "%s%s: %r" % (family, labels, found)
    return found[0]


def create(w, name, config):
    status, body = http(w, "POST", "/connectors", {"name": name, "config": config})
    assert status == 201, (status, body)


# ---- tests ---------------------------------------------------------------------


def test_poison_record_fails_the_task_without_tolerance():
    """tolerance none: FAILED, trace with "Tolerance exceeded in error
    handler", the stage, the converter and the record's coordinates"""
    tmp = harness.tmpdir()
    w = Worker().start()
    produce(w, "poison-none", [b'"good-0"', b'"good-1"', b"{not json", b'"good-3"'])
    create(w, "sink-none", dict(SCHEMALESS, **{"connector.class": "FileStreamSink", "topics": "poison-none",
                                                "file": os.path.join(tmp, "out.txt")}))
    task = wait_for(lambda: (lambda t: t if t and t["state"] == "FAILED" else None)(task_status(w, "sink-none")),
                    what="the task to fail")
    trace = task["trace"]
    for part in ("Tolerance exceeded in error handler", "VALUE_CONVERTER",
                 "org.apache.kafka.connect.json.JsonConverter", "topic='poison-none'", "partition=0", "offset=2",
                 "org.apache.kafka.connect.errors.DataException"):
        assert part in trace, "%r not in the trace %r" % (part, trace)
    assert metric(w, "connectd_task_error_record_errors_total", connector="sink-none", task="0") == 1
    w.stop()


def test_poison_record_to_the_dead_letter_queue():
    """tolerance all + DLQ + context headers: the poison record's raw bytes
    and headers in the DLQ, every header of Kafka's with its value, every
    good record in the sink file in order, the error logged with the
    record, the offset committed past it"""
    tmp = harness.tmpdir()
    out = os.path.join(tmp, "out.txt")
    w = Worker().start()
    good_before = [b'"before-%d"' % i for i in range(5)]
    good_after = [b'"after-%d"' % i for i in range(5)]
    produce(w, "poison-all", good_before)
    produce(w, "poison-all", [b"{not json"], headers=["trace-id=abc123"])
    produce(w, "poison-all", good_after)
    create(w, "sink-all", dict(SCHEMALESS, **{
        "connector.class": "FileStreamSink", "topics": "poison-all", "file": out,
        "errors.tolerance": "all", "errors.log.enable": "true", "errors.log.include.messages": "true",
        "errors.deadletterqueue.topic.name": "poison-dlq",
        "errors.deadletterqueue.context.headers.enable": "true"}))
    expected = [v.decode().strip('"') for v in good_before + good_after]
    wait_for(lambda: lines_of(out) == expected, what="every good record in the sink file")
    assert task_status(w, "sink-all")["state"] == "RUNNING"

    (dlq,) = consume(w, "poison-dlq", 1)
    assert dlq["payload"] == "{not json" and dlq["key"] is None, dlq
    h = headers_of(dlq)
    assert h.pop("trace-id") == "abc123", "the record's own header kept"
    assert h.pop("__connect.errors.exception.message").strip(), "a message"
    trace = h.pop("__connect.errors.exception.stacktrace")
    assert trace.startswith("org.apache.kafka.connect.errors.DataException: "), trace
    assert h == {"__connect.errors.topic": "poison-all", "__connect.errors.partition": "0",
                 "__connect.errors.offset": "5", "__connect.errors.connector.name": "sink-all",
                 "__connect.errors.task.id": "0", "__connect.errors.stage": "VALUE_CONVERTER",
                 "__connect.errors.class.name": "org.apache.kafka.connect.json.JsonConverter",
                 "__connect.errors.exception.class.name": "org.apache.kafka.connect.errors.DataException"}, h

    w.wait_stderr("Error encountered in task sink-all-0. Executing stage 'VALUE_CONVERTER'")
    log = w.stderr()
    assert "topic='poison-all', partition=0, offset=5" in log and "value='{not json'" in log, log[-3000:]

    labels = {"connector": "sink-all", "task": "0"}
    wait_for(lambda: metric(w, "connectd_task_error_record_errors_total", **labels) == 1, what="the error count")
    assert metric(w, "connectd_task_error_record_failures_total", **labels) == 1
    assert metric(w, "connectd_sink_task_sink_record_read_total", **labels) == 11
    assert metric(w, "connectd_task_error_records_skipped_total", **labels) == 1
    assert metric(w, "connectd_task_error_errors_logged_total", **labels) == 1
    assert metric(w, "connectd_task_error_deadletterqueue_produce_requests_total", **labels) == 1
    assert metric(w, "connectd_task_error_deadletterqueue_produce_failures_total", **labels) == 0
    # The status counts them too, for a connector that tolerates errors.
    assert task_status(w, "sink-all")["errors"] == {"failed": 1, "skipped": 1, "dead_letter_queue": 1,
                                                   "retries": 0}, task_status(w, "sink-all")
    # The consumer group committed past the poison record (after the DLQ
    # acknowledged it): a restart reads nothing again.
    wait_for(lambda: metric(w, "connectd_task_offset_commit_success_total", **labels) >= 1, what="a commit")
    w.stop()
    w.start()
    wait_for(lambda: (task_status(w, "sink-all") or {}).get("state") == "RUNNING", what="the task after restart")
    produce(w, "poison-all", [b'"last"'])
    wait_for(lambda: lines_of(out) == expected + ["last"], what="the record after the restart, and nothing again")
    assert len(consume(w, "poison-dlq", 1)) == 1
    w.stop()


def test_poison_records_in_a_backlog():
    """A backlog of 20,000 records, one in a thousand poison, consumed in
    batches: every good record in the sink file in order, every poison one
    in the DLQ in order with its offset"""
    tmp = harness.tmpdir()
    out = os.path.join(tmp, "out.txt")
    w = Worker().start()
    values = [b"{poison %d" % i if i % 1000 == 999 else b'"v-%d"' % i for i in range(20000)]
    produce(w, "backlog", values)
    create(w, "sink-backlog", dict(SCHEMALESS, **{
        "connector.class": "FileStreamSink", "topics": "backlog", "file": out,
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "backlog-dlq",
        "errors.deadletterqueue.context.headers.enable": "true"}))
    expected = ["v-%d" % i for i in range(20000) if i % 1000 != 999]
    wait_for(lambda: len(lines_of(out)) >= len(expected), what="every good record in the sink file")
    assert lines_of(out) == expected
    assert task_status(w, "sink-backlog")["state"] == "RUNNING"
    dlq = consume(w, "backlog-dlq", 20)
    assert [r["payload"] for r in dlq] == ["{poison %d" % i for i in range(999, 20000, 1000)], dlq
    assert [headers_of(r)["__connect.errors.offset"] for r in dlq] == [str(i) for i in range(999, 20000, 1000)]
    labels = {"connector": "sink-backlog", "task": "0"}
    assert metric(w, "connectd_sink_task_sink_record_read_total", **labels) == 20000
    assert metric(w, "connectd_task_error_records_skipped_total", **labels) == 20
    w.stop()


def test_sink_rejected_record():
    """put() hands one record to record_reject: with tolerance all it goes
    to the DLQ with stage TASK_PUT and the task runs on; without, the task
    FAILS naming the stage and the record"""
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    produce(w, "rej", [b"r-%d" % i for i in range(5)])
    create(w, "rej-all", dict(STRINGS, **{
        "connector.class": "FailingSink", "fail.in": "reject", "fail.after": "2", "topics": "rej",
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "rej-dlq",
        "errors.deadletterqueue.context.headers.enable": "true"}))
    create(w, "rej-none", dict(STRINGS, **{
        "connector.class": "FailingSink", "fail.in": "reject", "fail.after": "2", "topics": "rej"}))
    (dlq,) = consume(w, "rej-dlq", 1)
    assert dlq["payload"] == "r-2", dlq
    h = headers_of(dlq)
    assert h["__connect.errors.stage"] == "TASK_PUT" and h["__connect.errors.offset"] == "2", h
    assert h["__connect.errors.exception.message"] == "injected rejection of this record", h
    assert h["__connect.errors.exception.class.name"] == "org.apache.kafka.connect.errors.ConnectException", h
    task = wait_for(lambda: (lambda t: t if t and t["state"] == "FAILED" else None)(task_status(w, "rej-none")),
                    what="rej-none to fail")
    assert "Tolerance exceeded in error handler" in task["trace"] and "TASK_PUT" in task["trace"], task
    assert "topic='rej', partition=0, offset=2" in task["trace"], task
    assert task_status(w, "rej-all")["state"] == "RUNNING"
    assert metric(w, "connectd_task_error_record_errors_total", connector="rej-all", task="0") == 1
    w.stop()


def test_sink_late_rejected_record():
    """ABI 1.3: flush() hands a record of an earlier put() to record_reject:
    with tolerance all it reaches the DLQ with its original bytes and
    headers; without, the task FAILS before the offsets that flush covered
    are committed, so a restart delivers the record again"""
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    produce(w, "late", [b"l-%d" % i for i in range(5)], headers=["trace=late-3"])
    create(w, "late-all", dict(STRINGS, **{
        "connector.class": "FailingSink", "fail.in": "reject_late", "fail.after": "3", "topics": "late",
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "late-dlq",
        "errors.deadletterqueue.context.headers.enable": "true"}))
    create(w, "late-none", dict(STRINGS, **{
        "connector.class": "FailingSink", "fail.in": "reject_late", "fail.after": "3", "topics": "late"}))
    (dlq,) = consume(w, "late-dlq", 1)
    assert dlq["payload"] == "l-3", dlq
    h = headers_of(dlq)
    assert h["trace"] == "late-3", h
    assert h["__connect.errors.stage"] == "TASK_PUT" and h["__connect.errors.offset"] == "3", h
    assert h["__connect.errors.exception.message"] == "injected late rejection of this record", h
    task = wait_for(lambda: (lambda t: t if t and t["state"] == "FAILED" else None)(task_status(w, "late-none")),
                    what="late-none to fail")
    assert "Tolerance exceeded in error handler" in task["trace"], task
    assert "topic='late', partition=0, offset=3" in task["trace"], task
    assert task_status(w, "late-all")["state"] == "RUNNING"
    # The failing flush committed nothing past the rejected record.
    committed = [e["offset"]["kafka_offset"] for e in harness.connector_offsets(w, "late-none")["offsets"]]
    assert all(o <= 3 for o in committed), committed
    w.stop()


def test_source_conversion_failure_skipped_to_its_dlq():
    """A source record whose value does not fit its schema: skipped, the
    others produced, the record in the source's DLQ rendered as JSON"""
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    create(w, "src-conv", {
        "connector.class": "FailingSource", "fail.in": "convert", "fail.records": "6", "fail.after": "2",
        "fail.topic": "src-out", "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "src-dlq",
        "errors.deadletterqueue.context.headers.enable": "true",
        "key.converter": "org.apache.kafka.connect.json.JsonConverter", "key.converter.schemas.enable": "false",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"})
    got = consume(w, "src-out", 5)
    assert [r["payload"] for r in got] == ['"record-%d"' % i for i in (0, 1, 3, 4, 5)], got
    (dlq,) = consume(w, "src-dlq", 1)
    assert dlq["key"] == '"2"' and dlq["payload"] == '"record-2"', dlq
    h = headers_of(dlq)
    assert h["__connect.errors.stage"] == "VALUE_CONVERTER", h
    assert h["__connect.errors.topic"] == "src-out" and h["__connect.errors.offset"] == "-1", h
    assert h["__connect.errors.class.name"] == "org.apache.kafka.connect.json.JsonConverter", h
    assert task_status(w, "src-conv")["state"] == "RUNNING"
    labels = {"connector": "src-conv", "task": "0"}
    assert metric(w, "connectd_task_error_record_errors_total", **labels) == 1
    assert metric(w, "connectd_task_error_record_failures_total", **labels) == 1
    w.stop()


def test_dlq_may_not_be_a_consumed_topic():
    """Kafka's validation error for a sink whose DLQ is one of its topics"""
    w = Worker().start()
    status, body = http(w, "POST", "/connectors", {"name": "loop", "config": {
        "connector.class": "FileStreamSink", "topics": "a,b", "file": "/dev/null",
        "errors.deadletterqueue.topic.name": "b"}})
    assert status == 400 and "The DLQ topic 'b' may not be included in the list of topics" in body["message"], body
    w.stop()


if __name__ == "__main__":
    harness.main(globals())
