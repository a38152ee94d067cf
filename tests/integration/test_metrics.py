"""GET /metrics: Prometheus text format 0.0.4, checked by a strict parser
(and by `promtool check metrics` when Prometheus is installed), with the
counts a file pipeline makes knowable: N lines in, N polled, written,
read, put and appended, lag 0 once the sink caught up; a FAILED task in
its state series; label values escaped; the embedded broker's request
counts growing; no broker families when the worker uses another cluster.
"""

import math
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker, Worker, ctl, http, wait_for  # noqa: E402

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = {"counter", "gauge", "summary", "histogram", "untyped"}


class Exposition:
    """A parsed exposition: families by name, each with its type, help and
    samples [(sample name, labels dict, value)]."""

    def __init__(self, families):
        self.families = families

    def samples(self, family, sample=None):
        """A family with no samples is left out of the text: no samples."""
        fam = self.families.get(family, {"samples": []})
        return [(labels, value) for name, labels, value in fam["samples"] if name == (sample or family)]

    def value(self, family, sample=None, **labels):
        """The one sample of `family` whose labels include `labels`."""
        found = [v for l, v in self.samples(family, sample) if all(l.get(k) == v2 for k, v2 in labels.items())]
        assert len(found) == 1, "%s%s: %d samples match" % (family, labels, len(found))
        return found[0]


def parse_labels(text, pos, line):
    """Parses {name="value",...} at text[pos] == '{'; returns (labels, pos after '}')."""
    labels = {}
    pos += 1
    while True:
        if text[pos] == "}" and not labels:
            return labels, pos + 1
        m = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"").match(text, pos)
        assert m, "bad label name at column %d: %r" % (pos, line)
        name = m.group(1)
        assert not name.startswith("__"), "reserved label name %r: %r" % (name, line)
        assert name not in labels, "label %r twice: %r" % (name, line)
        pos = m.end()
        value = []
        while text[pos] != '"':
            c = text[pos]
            assert c != "\n", "raw newline in a label value: %r" % line
            if c == "\\":
                nxt = text[pos + 1]
                assert nxt in '\\"n', "bad escape \\%s in %r" % (nxt, line)
                value.append("\n" if nxt == "n" else nxt)
                pos += 2
            else:
                value.append(c)
                pos += 1
        labels[name] = "".join(value)
        pos += 1
        if text[pos] == ",":
            pos += 1
            assert text[pos] != "}", "trailing comma: %r" % line
            continue
        assert text[pos] == "}", "expected , or } at column %d: %r" % (pos, line)
        return labels, pos + 1


def parse_value(text, line):
    if text in ("NaN", "+Inf", "-Inf"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", text), "bad value %r in %r" % (text, line)
    return float(text)


def family_of(name, families):
    """The family a sample name belongs to: itself, or a summary's _sum/_count."""
    if name in families:
        return name
    for suffix in ("_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and families.get(base, {}).get("type") == "summary":
            return base
    raise AssertionError("sample %s has no # TYPE" % name)


def parse_exposition(text):
    """Text format 0.0.4, strictly: every family has one # HELP and one
    # TYPE before its samples, its samples are together, names and label
    names are legal, label values use only the three escapes, counters end
    in _total and are not negative, summaries have quantiles in [0, 1] and
    a _sum and _count for every label set, no series appears twice, and the
    text ends with a newline."""
    assert text.endswith("\n"), "no trailing newline"
    families, series, closed = {}, set(), set()
    current = None
    for line in text[:-1].split("\n"):
        assert line, "empty line"
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                assert NAME_RE.match(name), "bad family name %r" % name
                assert name not in closed, "family %s continues after another one" % name
                fam = families.setdefault(name, {"type": None, "help": None, "samples": []})
                assert not fam["samples"], "# %s of %s after its samples" % (parts[1], name)
                key = parts[1].lower()
                assert fam[key] is None, "second # %s for %s" % (parts[1], name)
                fam[key] = parts[3] if len(parts) == 4 else ""
                if key == "type":
                    assert fam["type"] in TYPES, line
                    if fam["type"] == "counter":
                        assert name.endswith("_total"), "counter %s does not end in _total" % name
                if current and current != name:
                    closed.add(current)
                current = name
            continue
        m = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*").match(line)
        assert m, "bad sample line %r" % line
        name = m.group(0)
        pos = m.end()
        labels = {}
        if line[pos] == "{":
            labels, pos = parse_labels(line, pos, line)
        assert line[pos] == " ", "expected a space before the value: %r" % line
        rest = line[pos + 1:].split(" ")
        assert 1 <= len(rest) <= 2, "bad value/timestamp in %r" % line
        value = parse_value(rest[0], line)
        fam_name = family_of(name, families)
        fam = families[fam_name]
        assert fam["type"] and fam["help"] is not None, "sample of %s before its # HELP and # TYPE" % fam_name
        assert fam_name not in closed and current == fam_name, "samples of %s are not together" % fam_name
        key = (name, tuple(sorted(labels.items())))
        assert key not in series, "duplicate series %r" % line
        series.add(key)
        if fam["type"] == "counter":
            assert value >= 0 or math.isnan(value), "negative counter %r" % line
        if fam["type"] == "summary" and name == fam_name:
            assert "quantile" in labels and 0 <= float(labels["quantile"]) <= 1, line
        fam["samples"].append((name, labels, value))
    for name, fam in families.items():
        assert fam["type"] and fam["help"] is not None, "%s lacks # HELP or # TYPE" % name
        if fam["type"] == "summary":
            sets = {tuple(sorted((k, v) for k, v in l.items() if k != "quantile"))
                    for n, l, _ in fam["samples"]}
            for s in sets:
                for suffix in ("_sum", "_count"):
                    assert (name + suffix, s) in series, "%s has no %s for %s" % (name, suffix, s)
    return Exposition(families)


def scrape(worker):
    """GET /metrics: checks the Content-Type, parses strictly, and runs
    promtool over the text when it is installed."""
    with urllib.request.urlopen(worker.rest + "/metrics", timeout=30) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == CONTENT_TYPE, resp.headers["Content-Type"]
        text = resp.read().decode("utf-8")
    parsed = parse_exposition(text)
    promtool = shutil.which("promtool")
    if promtool:
        res = subprocess.run([promtool, "check", "metrics"], input=text.encode(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=60)
        assert res.returncode == 0, "promtool check metrics:\n%s" % res.stdout.decode()
    return parsed


def test_parser_is_strict():
    """the test's parser refuses what the format forbids"""
    good = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="q\\"\\\\\\n"} 1\n'
    assert parse_exposition(good).value("a_total", x='q"\\\n') == 1
    bad = [
        good[:-1],                                                    # no trailing newline
        good.replace('# HELP a_total A.\n', ''),                       # no HELP
        good + 'a_total{x="q\\"\\\\\\n"} 2\n',                         # duplicate series
        good.replace("a_total", "a"),                                  # counter without _total
        good.replace('\\n"', '\\t"'),                                  # unknown escape
        good + '# HELP b B.\n# TYPE b gauge\nb 1\na_total 3\n',        # family split
        '# HELP s S.\n# TYPE s summary\ns{quantile="0.5"} 1\ns_count 1\n',  # no _sum
        good.replace("} 1", "} one"),                                  # bad value
    ]
    for text in bad:
        try:
            parse_exposition(text)
        except (AssertionError, IndexError):
            continue
        raise AssertionError("accepted %r" % text)


def lines_of(path):
    return open(path, "rb").read().count(b"\n") if os.path.exists(path) else 0


def test_pipeline_counts():
    """file source -> topic -> file sink: exact record counts, lag 0, and
    request counts per API that grow with traffic"""
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    n = 5000
    payload = ["record number %d" % i for i in range(n)]
    with open(src, "w") as f:
        f.write("".join(line + "\n" for line in payload))
    w = Worker(overrides={"key.converter": "org.apache.kafka.connect.storage.StringConverter",
                          "value.converter": "org.apache.kafka.connect.storage.StringConverter"}).start()
    before = scrape(w)
    assert before.value("connectd_worker_connectors") == 0
    assert "connectd_broker_requests_total" in before.families, "the embedded broker's families"

    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "lines", "batch.size": "700"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "lines"}})[0] == 201
    wait_for(lambda: lines_of(sink) == n, what="the sink to write every line")

    # The broker has the sink's commit (lag 0) a moment before the task
    # hears back and counts it a success, so both are waited for.
    def settled(expected):
        m = scrape(w)
        ok = (m.value("connectd_source_task_source_record_write_total", connector="src") == expected and
              m.value("connectd_sink_task_sink_record_send_total", connector="snk") == expected and
              m.samples("connectd_broker_group_lag") and
              m.value("connectd_broker_group_lag", group="connect-snk", topic="lines", partition="0") == 0 and
              m.value("connectd_task_offset_commit_success_total", connector="snk", task="0") >= 1)
        return m if ok else None
    m = wait_for(lambda: settled(n), what="acknowledgements and the sink's commit")

    task = {"connector": "src", "task": "0"}
    assert m.value("connectd_source_task_source_record_poll_total", **task) == n
    assert m.value("connectd_source_task_poll_batch_size", "connectd_source_task_poll_batch_size_sum", **task) == n
    batches = m.value("connectd_source_task_poll_batch_size", "connectd_source_task_poll_batch_size_count", **task)
    assert batches >= n / 700, batches  # batch.size bounds a poll
    assert m.value("connectd_source_task_poll_batch_size", quantile="0.99", **task) <= 700
    assert m.value("connectd_source_task_poll_batch_time_seconds",
                   "connectd_source_task_poll_batch_time_seconds_count", **task) == batches
    sink_task = {"connector": "snk", "task": "0"}
    assert m.value("connectd_sink_task_sink_record_read_total", **sink_task) == n
    assert m.value("connectd_sink_task_put_batch_size", "connectd_sink_task_put_batch_size_sum", **sink_task) == n
    assert m.value("connectd_task_offset_commit_success_total", **sink_task) >= 1
    for family in ("connectd_task_error_record_failures_total", "connectd_task_error_record_errors_total",
                   "connectd_task_error_retries_total", "connectd_task_offset_commit_failure_total"):
        assert m.value(family, **task) == 0 and m.value(family, **sink_task) == 0, family

    assert m.value("connectd_worker_connectors") == 2
    assert m.value("connectd_worker_tasks", state="RUNNING") == 2
    assert m.value("connectd_worker_tasks", state="FAILED") == 0
    assert m.value("connectd_connector_status", connector="src", state="RUNNING") == 1
    assert sum(v for l, v in m.samples("connectd_connector_status") if l["connector"] == "src") == 1
    assert m.value("connectd_task_status", connector="snk", task="0", state="RUNNING") == 1
    assert m.value("connectd_connector_info", connector="snk") == 1
    info = [l for l, _ in m.samples("connectd_connector_info") if l["connector"] == "snk"][0]
    assert info["type"] == "sink" and info["class"] == "FileStreamSink", info

    topic = {"topic": "lines"}
    assert m.value("connectd_broker_topic_messages_in_total", **topic) == n
    assert m.value("connectd_broker_topic_bytes_in_total", **topic) >= sum(len(p) for p in payload)
    assert m.value("connectd_broker_topic_messages_out_total", **topic) >= n
    assert m.value("connectd_broker_topic_bytes_out_total", **topic) >= m.value(
        "connectd_broker_topic_bytes_in_total", **topic)
    assert m.value("connectd_broker_partition_log_end_offset", topic="lines", partition="0") == n
    assert m.value("connectd_broker_group_committed_offset", group="connect-snk", topic="lines",
                   partition="0") == n
    assert m.value("connectd_broker_group_members", group="connect-snk") == 1
    assert m.value("connectd_broker_groups", state="Stable") >= 1
    assert m.value("connectd_broker_topic_partitions", **topic) == 1
    assert m.value("connectd_broker_partitions") == sum(
        v for _, v in m.samples("connectd_broker_topic_partitions"))
    assert m.value("connectd_broker_under_replicated_partitions") == 0

    def requests(x, api):
        return x.value("connectd_broker_requests_total", api=api)
    for api in ("Produce", "Fetch", "Metadata", "ApiVersions", "OffsetCommit", "JoinGroup"):
        assert requests(m, api) > requests(before, api), api
        assert m.value("connectd_broker_request_latency_seconds", "connectd_broker_request_latency_seconds_count",
                       api=api) >= requests(before, api) + 1, api

    # More lines: every count moves by exactly as many.
    with open(src, "a") as f:
        f.write("".join("more %d\n" % i for i in range(300)))
    wait_for(lambda: lines_of(sink) == n + 300, what="the sink to write the new lines")
    m2 = wait_for(lambda: settled(n + 300), what="the new lines to be acknowledged and committed")
    assert m2.value("connectd_source_task_source_record_poll_total", **task) == n + 300
    assert m2.value("connectd_broker_topic_messages_in_total", **topic) == n + 300

    # A request is counted once its answer is sent, which may be just
    # after the offsets it committed are visible.
    def counted():
        x = scrape(w)
        return (requests(x, "Produce") > requests(m, "Produce") and
                requests(x, "OffsetCommit") > requests(m, "OffsetCommit"))
    wait_for(counted, what="the new Produce and OffsetCommit requests counted")
    w.stop()


def test_failed_task_and_escaping():
    """a sink failing on a record it cannot convert is FAILED in every state
    family, and a connector name with a quote and a backslash comes back
    exactly (a newline in a name is refused since issue 13, test_limits.py;
    tests/unit/test_metrics.c escapes one in a label)"""
    w = Worker().start()
    ctl(w, "produce", "--topic", "garbage", input=b"this is not JSON\n")
    name = 'we"ird\\na me'
    assert http(w, "POST", "/connectors", {"name": name, "config": {
        "connector.class": "FileStreamSink", "file": os.path.join(harness.tmpdir(), "out.txt"),
        "topics": "garbage"}})[0] == 201
    path = "/connectors/%s/tasks/0/status" % urllib.parse.quote(name, safe="")
    wait_for(lambda: http(w, "GET", path)[1]["state"] == "FAILED", what="the sink to fail")
    m = scrape(w)
    task = {"connector": name, "task": "0"}
    assert m.value("connectd_task_status", state="FAILED", **task) == 1
    assert sum(v for l, v in m.samples("connectd_task_status") if l["connector"] == name) == 1
    assert m.value("connectd_worker_tasks", state="FAILED") == 1
    assert m.value("connectd_worker_tasks", state="RUNNING") == 0
    assert m.value("connectd_connector_status", connector=name, state="RUNNING") == 1  # as Kafka: the connector runs
    assert m.value("connectd_task_error_record_errors_total", **task) == 1
    assert m.value("connectd_task_error_record_failures_total", **task) >= 1
    assert m.value("connectd_sink_task_sink_record_read_total", **task) == 1
    assert m.value("connectd_sink_task_sink_record_send_total", **task) == 0
    # The source of the raw text: escaped exactly once, each escape legal.
    raw = urllib.request.urlopen(w.rest + "/metrics", timeout=30).read().decode()
    assert 'connector="we\\"ird\\\\na me"' in raw, raw[:2000]

    # Stopped: no tasks; the connector's state moves, one series per state.
    assert http(w, "PUT", "/connectors/%s/stop" % urllib.parse.quote(name, safe=""))[0] == 204
    m = scrape(w)
    assert m.value("connectd_connector_status", connector=name, state="STOPPED") == 1
    assert m.value("connectd_connector_status", connector=name, state="RUNNING") == 0
    assert not [l for l, _ in m.samples("connectd_task_status") if l["connector"] == name]
    assert m.value("connectd_worker_tasks", state="FAILED") == 0
    w.stop()


def test_external_cluster_has_no_broker_families():
    """a worker on another cluster (bootstrap.servers) shows only its own families"""
    b = Broker().start()
    w = Worker(overrides={"bootstrap.servers": b.bootstrap}).start()
    m = scrape(w)
    assert m.value("connectd_worker_connectors") == 0
    assert not [f for f in m.families if f.startswith("connectd_broker_")], sorted(m.families)
    w.stop()
    b.stop()


harness.main(globals())
