"""GET, PATCH and DELETE /connectors/{c}/offsets (KIP-875) on a standalone
worker, against Kafka Connect's shapes, messages and status codes
(reference/connect-rest.md §1.2 ConnectorOffsets): a FileStreamSource ->
topic -> FileStreamSink pipeline driven through REST, offsets read while it
runs, changed while it is stopped, and the resumed tasks starting from them.
"""

import json
import os
import sys
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, ctl, connector_offsets, file_source_offsets, http, wait_for  # noqa: E402

TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
PLUGINS = os.path.join(TOP_BUILDDIR, "tests", "plugins")

NOT_STOPPED = ("Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
               "for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint")
ALTERED = {"message": "The offsets for this connector have been altered successfully"}
RESET = {"message": "The offsets for this connector have been reset successfully"}
EMPTY = "Partitions / offsets need to be provided for an alter offsets request"


def raw(w, method, path, data):
    """A REST call with `data` (bytes) as the body, sent as it is."""
    req = urllib.request.Request(w.rest + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def sink_offsets(*entries):
    """(topic, partition, offset) triples in Kafka's fixed sink shape."""
    return {"offsets": [{"partition": {"kafka_topic": t, "kafka_partition": p}, "offset": {"kafka_offset": o}}
                        for t, p, o in entries]}


def state(w, name):
    body = http(w, "GET", "/connectors/%s/status" % name)[1]
    return body["connector"]["state"], [t["state"] for t in body["tasks"]]


def error(status, message):
    """Kafka's error body."""
    return status, {"error_code": status, "message": message}


def pipeline(w, tmp, lines):
    """A source reading in.txt into topic "lines" and a sink writing it to
    out.txt, both running; returns (source file, sink file, reader of the sink)."""
    src, out = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    with open(src, "wb") as f:
        f.write(lines)
    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "lines"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": out, "topics": "lines"}})[0] == 201

    def read():
        return open(out, "rb").read() if os.path.exists(out) else b""
    return src, out, read


def test_lifecycle():
    """GET while running (exact values, field by field), 400 unless STOPPED,
    PATCH a source back and it re-reads from there, DELETE and PATCH a sink
    and it re-reads from where they say"""
    tmp = harness.tmpdir()
    w = Worker().start()
    src, out, read = pipeline(w, tmp, b"a\nbb\nccc\n")
    wait_for(lambda: read() == b"a\nbb\nccc\n", what="the three lines in the sink file")

    # The source's position is the bytes it consumed (2 + 3 + 4), the sink's
    # kafka_offset the records it consumed; both are committed on the flush
    # interval, so they are waited for.
    wait_for(lambda: connector_offsets(w, "src") == file_source_offsets(src, 9), what="source offset 9")
    wait_for(lambda: connector_offsets(w, "snk") == sink_offsets(("lines", 0, 3)), what="sink offset 3")
    body = connector_offsets(w, "src")
    assert list(body) == ["offsets"] and len(body["offsets"]) == 1, body
    entry = body["offsets"][0]
    assert set(entry) == {"partition", "offset"}, entry
    assert entry["partition"] == {"filename": src} and entry["offset"] == {"position": 9}, entry
    assert isinstance(entry["offset"]["position"], int), entry
    entry = connector_offsets(w, "snk")["offsets"][0]
    assert set(entry["partition"]) == {"kafka_topic", "kafka_partition"}, entry
    assert entry["partition"]["kafka_topic"] == "lines" and entry["partition"]["kafka_partition"] == 0, entry
    assert entry["offset"] == {"kafka_offset": 3} and isinstance(entry["offset"]["kafka_offset"], int), entry

    # Changes need STOPPED: not RUNNING, not PAUSED.
    assert http(w, "PATCH", "/connectors/src/offsets", file_source_offsets(src, 2)) == error(400, NOT_STOPPED % "src")
    assert http(w, "DELETE", "/connectors/snk/offsets") == error(400, NOT_STOPPED % "snk")
    assert http(w, "PUT", "/connectors/src/pause") == (202, None)
    assert http(w, "PATCH", "/connectors/src/offsets", file_source_offsets(src, 2)) == error(400, NOT_STOPPED % "src")
    assert connector_offsets(w, "src") == file_source_offsets(src, 9), "a refused change changes nothing"

    # The source goes back to byte 2 (after "a\n"): on resume it reads
    # "bb" and "ccc" again, and the sink writes them again.
    assert http(w, "PUT", "/connectors/src/stop") == (204, None)
    assert http(w, "PATCH", "/connectors/src/offsets", file_source_offsets(src, 2)) == (200, ALTERED)
    assert connector_offsets(w, "src") == file_source_offsets(src, 2)
    assert http(w, "PUT", "/connectors/src/resume") == (202, None)
    wait_for(lambda: read() == b"a\nbb\nccc\nbb\nccc\n", what="the lines after byte 2 again")
    wait_for(lambda: connector_offsets(w, "src") == file_source_offsets(src, 9), what="source offset 9 again")
    wait_for(lambda: connector_offsets(w, "snk") == sink_offsets(("lines", 0, 5)), what="sink offset 5")

    # DELETE of a stopped sink's offsets deletes its group: no offsets, and
    # on resume it reads the topic from the start (auto.offset.reset=earliest).
    assert http(w, "PUT", "/connectors/snk/stop") == (204, None)
    assert http(w, "DELETE", "/connectors/snk/offsets") == (200, RESET)
    assert connector_offsets(w, "snk") == {"offsets": []}
    assert http(w, "DELETE", "/connectors/snk/offsets") == (200, RESET), "a reset can be repeated"
    assert http(w, "PUT", "/connectors/snk/resume") == (202, None)
    all_five = b"a\nbb\nccc\nbb\nccc\n"
    wait_for(lambda: read() == all_five * 2, what="the whole topic again in the sink file")
    wait_for(lambda: connector_offsets(w, "snk") == sink_offsets(("lines", 0, 5)), what="sink offset 5 after the reset")

    # PATCH to offset 3: the sink goes on from the fourth record.
    assert http(w, "PUT", "/connectors/snk/stop") == (204, None)
    assert http(w, "PATCH", "/connectors/snk/offsets", sink_offsets(("lines", 0, 3))) == (200, ALTERED)
    assert connector_offsets(w, "snk") == sink_offsets(("lines", 0, 3))
    assert http(w, "PUT", "/connectors/snk/resume") == (202, None)
    wait_for(lambda: read() == all_five * 2 + b"bb\nccc\n", what="records 3 and 4 again")
    wait_for(lambda: connector_offsets(w, "snk") == sink_offsets(("lines", 0, 5)), what="sink offset 5 after the alter")

    # offset null resets that partition: the sink starts it over.
    assert http(w, "PUT", "/connectors/snk/stop") == (204, None)
    assert http(w, "PATCH", "/connectors/snk/offsets", {"offsets": [
        {"partition": {"kafka_topic": "lines", "kafka_partition": 0}, "offset": None}]}) == (200, ALTERED)
    assert connector_offsets(w, "snk") == {"offsets": []}
    assert http(w, "PUT", "/connectors/snk/resume") == (202, None)
    so_far = all_five * 2 + b"bb\nccc\n" + all_five
    wait_for(lambda: read() == so_far, what="the whole topic a third time")

    # DELETE of a source's offsets: it starts the file over on resume.
    assert http(w, "PUT", "/connectors/src/stop") == (204, None)
    assert http(w, "DELETE", "/connectors/src/offsets") == (200, RESET)
    assert connector_offsets(w, "src") == {"offsets": []}
    assert http(w, "PUT", "/connectors/src/resume") == (202, None)
    wait_for(lambda: read() == so_far + b"a\nbb\nccc\n", what="the whole file again")
    w.stop()


def test_partial_changes_and_durability():
    """PATCH leaves unnamed partitions alone; offset null removes one; a
    partition with its fields in another order is the same partition;
    changes survive a worker restart (offsets topic).  The source is one
    without alter_offsets, which takes any partition maps (FileStreamSource
    refuses what it cannot read: test_offsets_validation.py)"""
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    ctl(w, "topics", "--create", "--topic", "two", "--partitions", "2")
    assert http(w, "POST", "/connectors", {"name": "s", "initial_state": "STOPPED", "config": {
        "connector.class": "FailingSource", "fail.in": "poll", "fail.after": "1000000"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "k", "initial_state": "STOPPED", "config": {
        "connector.class": "FileStreamSink", "file": "/nonexistent/out.txt", "topics": "two"}})[0] == 201
    assert connector_offsets(w, "s") == {"offsets": []} and connector_offsets(w, "k") == {"offsets": []}, "nothing committed yet"

    # Source: any partition maps the connector's offsets may hold.
    a, b = {"filename": "a.txt"}, {"db": "x", "table": "y"}
    assert http(w, "PATCH", "/connectors/s/offsets", {"offsets": [
        {"partition": a, "offset": {"position": 5}}, {"partition": b, "offset": {"lsn": 7}}]}) == (200, ALTERED)
    got = sorted(connector_offsets(w, "s")["offsets"], key=json.dumps)
    assert got == sorted([{"partition": a, "offset": {"position": 5}},
                          {"partition": b, "offset": {"lsn": 7}}], key=json.dumps), got
    assert http(w, "PATCH", "/connectors/s/offsets", {"offsets": [
        {"partition": {"table": "y", "db": "x"}, "offset": {"lsn": 8}}]}) == (200, ALTERED)
    assert http(w, "PATCH", "/connectors/s/offsets", {"offsets": [
        {"partition": a, "offset": None}]}) == (200, ALTERED)
    assert connector_offsets(w, "s") == {"offsets": [{"partition": b, "offset": {"lsn": 8}}]}

    # Sink: numbers as strings are taken, as Kafka takes them; null removes
    # one partition's offset and keeps the other's.
    assert http(w, "PATCH", "/connectors/k/offsets", {"offsets": [
        {"partition": {"kafka_topic": "two", "kafka_partition": 0}, "offset": {"kafka_offset": 4}},
        {"partition": {"kafka_topic": "two", "kafka_partition": "1"}, "offset": {"kafka_offset": "6"}}]}) == \
        (200, ALTERED)
    assert connector_offsets(w, "k") == sink_offsets(("two", 0, 4), ("two", 1, 6))
    assert http(w, "PATCH", "/connectors/k/offsets", {"offsets": [
        {"partition": {"kafka_topic": "two", "kafka_partition": 0}, "offset": None}]}) == (200, ALTERED)
    assert connector_offsets(w, "k") == sink_offsets(("two", 1, 6))
    status, body = http(w, "PATCH", "/connectors/k/offsets", sink_offsets(("two", 2, 1)))
    assert (status, body["message"]) == (400, "Failed to alter consumer group offsets for connector k: topic 'two' "
                                               "has no partition 2"), body
    assert connector_offsets(w, "k") == sink_offsets(("two", 1, 6)), "a refused change changes nothing"

    w.stop()
    w.start()
    assert connector_offsets(w, "s") == {"offsets": [{"partition": b, "offset": {"lsn": 8}}]}
    assert connector_offsets(w, "k") == sink_offsets(("two", 1, 6))
    assert http(w, "DELETE", "/connectors/s/offsets") == (200, RESET)
    assert http(w, "DELETE", "/connectors/k/offsets") == (200, RESET)
    w.stop()
    w.start()
    assert connector_offsets(w, "s") == {"offsets": []} and connector_offsets(w, "k") == {"offsets": []}
    w.stop()


def test_offset_file():
    """With offset.storage.file.filename the changes are in the file before
    the answer and survive a restart"""
    tmp = harness.tmpdir()
    path = os.path.join(tmp, "connect.offsets")
    w = Worker(overrides={"offset.storage.file.filename": path}).start()
    assert http(w, "POST", "/connectors", {"name": "s", "initial_state": "STOPPED", "config": {
        "connector.class": "FileStreamSource", "file": "/nonexistent/in.txt", "topic": "t"}})[0] == 201
    assert http(w, "PATCH", "/connectors/s/offsets", file_source_offsets("in.txt", 30)) == (200, ALTERED)
    lines = [json.loads(line) for line in open(path)]
    assert lines == [{"key": ["s", {"filename": "in.txt"}], "value": {"position": 30}}], lines
    w.stop()
    w.start()
    assert connector_offsets(w, "s") == file_source_offsets("in.txt", 30)
    assert http(w, "DELETE", "/connectors/s/offsets") == (200, RESET)
    assert open(path).read() == ""
    w.stop()


def test_bad_requests():
    """404 for unknown connectors, and every malformed body a 400 saying
    what to fix (Kafka's messages where Kafka has one)"""
    w = Worker().start()
    for method in ("GET", "PATCH", "DELETE"):
        body = file_source_offsets("x", 1) if method == "PATCH" else None
        assert http(w, method, "/connectors/nope/offsets", body) == error(404, "Connector nope not found"), method
    assert http(w, "POST", "/connectors", {"name": "s", "initial_state": "STOPPED", "config": {
        "connector.class": "FileStreamSource", "file": "/nonexistent/in.txt", "topic": "t"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "k", "initial_state": "STOPPED", "config": {
        "connector.class": "FileStreamSink", "file": "/nonexistent/out.txt", "topics": "t"}})[0] == 201

    def patch(name, data):
        return raw(w, "PATCH", "/connectors/%s/offsets" % name, data if isinstance(data, bytes)
                   else json.dumps(data).encode())

    # The body's shape, whatever the connector.
    status, body = patch("s", b"{")
    assert status == 400 and body["message"].startswith("the request body is not valid JSON"), body
    shape = {
        b"": EMPTY,
        b"{}": EMPTY,
        b'{"offsets": []}': EMPTY,
        b'{"offsets": null}': EMPTY,
        b"[]": 'The request body must be a JSON object {"offsets": [{"partition": {...}, "offset": {...}}, ...]}',
        b'{"key": []}': 'Unrecognized field "key" in the request body: it has only "offsets"',
        b'{"offsets": {}}': '"offsets" must be an array of {"partition": {...}, "offset": {...}} entries',
        b'{"offsets": [123]}': 'offsets[0] must be an object {"partition": {...}, "offset": {...}}',
        b'{"offsets": [{"partition": {}, "offset": null}, {"key": "val"}]}':
            'Unrecognized field "key" in offsets[1]: an entry has only "partition" and "offset"',
        b'{"offsets": [{"partition": [], "offset": null}]}':
            'The partition of offsets[0] must be a JSON object, e.g. {"filename": "test.txt"} for a file source '
            'or {"kafka_topic": "t", "kafka_partition": 0} for a sink',
        b'{"offsets": [{"partition": {"filename": "x"}, "offset": 5}]}':
            'The offset of offsets[0] must be a JSON object, e.g. {"position": 30} or {"kafka_offset": 5}, '
            'or null to reset the partition',
    }
    for data, message in shape.items():
        assert patch("s", data) == error(400, message), data

    # A source's entries.
    no_offset = 'An offsets entry needs an "offset": the new offset as an object, or null to reset the partition'
    source = [
        ([{"partition": None, "offset": None}], "The partition for a source connector offset cannot be null or missing"),
        ([{"offset": {"position": 1}}], "The partition for a source connector offset cannot be null or missing"),
        ([{"partition": {"filename": "x"}}], no_offset),
        ([{"partition": {"filename": {"a": 1}}, "offset": None}],
         "Offsets may only contain primitive types as values, but field filename contains MAP"),
        ([{"partition": {"filename": "x"}, "offset": {"position": [1]}}],
         "Offsets may only contain primitive types as values, but field position contains ARRAY"),
    ]
    for entries, message in source:
        assert patch("s", {"offsets": entries}) == error(400, message), entries

    # A sink's entries, Kafka's SinkUtils messages.
    def part(topic, partition):
        return {"kafka_topic": topic, "kafka_partition": partition}
    sink = [
        ([{}], "The partition for a sink connector offset cannot be null or missing"),
        ([{"partition": None, "offset": None}], "The partition for a sink connector offset cannot be null or missing"),
        ([{"partition": {}, "offset": None}],
         "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"),
        ([{"partition": {"kafka_topic": "t"}, "offset": None}],
         "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"),
        ([{"partition": part(None, 0), "offset": None}], "Kafka topic names must be valid strings and may not be null"),
        ([{"partition": part(5, 0), "offset": None}], "Kafka topic names must be valid strings and may not be null"),
        ([{"partition": part("t", None), "offset": None}], "Kafka partitions must be valid numbers and may not be null"),
        ([{"partition": part("t", "not a number"), "offset": None}],
         "Failed to parse the following Kafka partition value in the provided offsets: 'not a number'. "
         "Partition values for sink connectors need to be integers."),
        ([{"partition": part("t", 1.5), "offset": None}],
         "Failed to parse the following Kafka partition value in the provided offsets: '1.5'. "
         "Partition values for sink connectors need to be integers."),
        ([{"partition": part("t", -1), "offset": None}],
         "Kafka partitions are numbered from 0, but the provided offsets name partition -1 of topic 't'"),
        ([{"partition": part("t", 0)}], no_offset),
        ([{"partition": part("t", 0), "offset": {}}],
         "The offset for a sink connector should either be null or contain the key 'kafka_offset'"),
        ([{"partition": part("t", 0), "offset": {"kafka_offset": "not a number"}}],
         "Failed to parse the following Kafka offset value in the provided offsets: 'not a number'. "
         "Offset values for sink connectors need to be integers."),
        ([{"partition": part("t", 0), "offset": {"kafka_offset": None}}],
         "Failed to parse the following Kafka offset value in the provided offsets: 'null'. "
         "Offset values for sink connectors need to be integers."),
        ([{"partition": part("t", 0), "offset": {"kafka_offset": -5}}],
         "Kafka offsets start at 0, but the provided offsets give -5 for t-0"),
        # One bad entry refuses the whole request.
        ([{"partition": part("t", 0), "offset": {"kafka_offset": 1}}, {"partition": {}, "offset": None}],
         "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"),
    ]
    for entries, message in sink:
        assert patch("k", {"offsets": entries}) == error(400, message), entries
    assert connector_offsets(w, "k") == {"offsets": []} and connector_offsets(w, "s") == {"offsets": []}, "nothing was written"

    # Kafka's order: a connector that is not STOPPED hears that first,
    # whatever its entries say.
    assert http(w, "PUT", "/connectors/k/resume") == (202, None)
    assert patch("k", {"offsets": [{"partition": {}, "offset": None}]}) == error(400, NOT_STOPPED % "k")
    w.stop()


harness.main(globals())
