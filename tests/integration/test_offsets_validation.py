"""Offsets a connector cannot use are refused (issue 13, finding 12).

PATCH /connectors/{c}/offsets used to store any partition and offset maps.
A FileStreamSource given {"pos": "x"} found no "position" on resume and
read its whole file again: every line a second time in the topic.  The
connector's alter_offsets (plugin ABI 1.2, Kafka's alterOffsets) now sees
the offsets first, and a refusal is a 400 with its message that writes
nothing."""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, connector_offsets, file_source_offsets, http, wait_for  # noqa: E402

ALTERED = {"message": "The offsets for this connector have been altered successfully"}
RESET = {"message": "The offsets for this connector have been reset successfully"}
LINES = b"one\ntwo\nthree\n"


def error(status, message):
    return status, {"error_code": status, "message": message}


def test_file_source_refuses_offsets_it_cannot_read():
    """{"pos": "x"} and every other offset FileStreamSource could not resume
    from: 400 naming what it expects, offsets unchanged, and on resume the
    source goes on where it was instead of re-reading the file; a valid
    position: 200 and the source resumes there; the worker serves on"""
    tmp = harness.tmpdir()
    src, out = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    with open(src, "wb") as f:
        f.write(LINES)
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "lines"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": out, "topics": "lines"}})[0] == 201

    def read():
        return open(out, "rb").read() if os.path.exists(out) else b""
    wait_for(lambda: read() == LINES, what="the three lines in the sink file")
    wait_for(lambda: connector_offsets(w, "src") == file_source_offsets(src, len(LINES)), what="source offset %d" % len(LINES))
    assert http(w, "PUT", "/connectors/src/stop") == (204, None)

    expect_position = ("Offset objects should either be null or contain the key 'position': "
                       "{\"position\": <the byte to resume reading at>}")
    not_long = ("The value for the 'position' key in the offset is expected to be a Long value: "
                "a JSON integer, the byte to resume reading at")
    cases = [
        # The finding itself.
        ({"filename": src}, {"pos": "x"}, expect_position),
        ({"filename": src}, {}, expect_position),
        ({"filename": src}, {"position": "x"}, not_long),
        ({"filename": src}, {"position": "4"}, not_long),
        ({"filename": src}, {"position": 4.5}, not_long),
        ({"filename": src}, {"position": True}, not_long),
        ({"filename": src}, {"position": None}, not_long),
        ({"filename": src}, {"position": -1},
         "The value for the 'position' key in the offset should be a non-negative value: the byte to resume "
         "reading at"),
        ({"file": src}, {"position": 4},
         "Partition objects should contain the key 'filename': this connector's partition is "
         "{\"filename\": \"%s\"}" % src),
        ({"filename": src, "extra": 1}, {"position": 4},
         "Partition objects should be {\"filename\": \"<the file>\"} and nothing else, as this connector's own: "
         "{\"filename\": \"%s\"}" % src),
        ({"filename": 7}, {"position": 4},
         "Partition objects should be {\"filename\": \"<the file>\"} and nothing else, as this connector's own: "
         "{\"filename\": \"%s\"}" % src),
    ]
    for partition, offset, message in cases:
        body = {"offsets": [{"partition": partition, "offset": offset}]}
        assert http(w, "PATCH", "/connectors/src/offsets", body) == error(400, message), (partition, offset)
    # One bad entry refuses the request: the good one beside it is not written.
    body = {"offsets": [{"partition": {"filename": src}, "offset": {"position": 0}},
                        {"partition": {"filename": src}, "offset": {"pos": "x"}}]}
    assert http(w, "PATCH", "/connectors/src/offsets", body) == error(400, expect_position)
    assert connector_offsets(w, "src") == file_source_offsets(src, len(LINES)), "a refused change changes nothing"

    # Resumed, the source goes on from where it was: only the new line
    # reaches the sink, never the file a second time.
    assert http(w, "PUT", "/connectors/src/resume") == (202, None)
    with open(src, "ab") as f:
        f.write(b"four\n")
    wait_for(lambda: read() == LINES + b"four\n", what="the appended line")
    wait_for(lambda: connector_offsets(w, "src") == file_source_offsets(src, len(LINES) + 5), what="the offset after 'four'")
    assert read() == LINES + b"four\n", read()

    # A valid position (after "one\n"): 200, and the source resumes there.
    assert http(w, "PUT", "/connectors/src/stop") == (204, None)
    assert http(w, "PATCH", "/connectors/src/offsets", file_source_offsets(src, 4)) == (200, ALTERED)
    assert connector_offsets(w, "src") == file_source_offsets(src, 4)
    assert http(w, "PUT", "/connectors/src/resume") == (202, None)
    wait_for(lambda: read() == LINES + b"four\n" + b"two\nthree\nfour\n", what="the lines after byte 4 again")

    # Resets (null offsets) are always fine, and so are a sink's offsets
    # (FileStreamSink keeps none of its own, as Kafka's accepts them).
    assert http(w, "PUT", "/connectors/src/stop") == (204, None)
    assert http(w, "PATCH", "/connectors/src/offsets", {"offsets": [
        {"partition": {"filename": src}, "offset": None}]}) == (200, ALTERED)
    assert connector_offsets(w, "src") == {"offsets": []}
    assert http(w, "DELETE", "/connectors/src/offsets") == (200, RESET)
    assert http(w, "PUT", "/connectors/snk/stop") == (204, None)
    assert http(w, "PATCH", "/connectors/snk/offsets", {"offsets": [
        {"partition": {"kafka_topic": "lines", "kafka_partition": 0}, "offset": {"kafka_offset": 1}}]}) == \
        (200, ALTERED)
    assert http(w, "DELETE", "/connectors/snk/offsets") == (200, RESET)

    # The worker serves on.
    status, body = http(w, "GET", "/connectors")
    assert status == 200 and sorted(body) == ["snk", "src"], (status, body)
    assert http(w, "GET", "/connectors/src/status")[0] == 200
    w.stop()


def test_standard_input_has_no_offsets():
    """A FileStreamSource on standard input (no file) has nothing to resume
    from: any offset but null is refused"""
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "in", "initial_state": "STOPPED", "config": {
        "connector.class": "FileStreamSource", "topic": "t"}})[0] == 201
    message = ("This connector reads standard input (no 'file' is set), which has no offsets to alter; only null "
               "offsets (resets) are accepted")
    assert http(w, "PATCH", "/connectors/in/offsets", file_source_offsets("/dev/stdin", 3)) == error(400, message)
    assert connector_offsets(w, "in") == {"offsets": []}
    assert http(w, "PATCH", "/connectors/in/offsets", {"offsets": [
        {"partition": {"filename": "/dev/stdin"}, "offset": None}]}) == (200, ALTERED)
    assert http(w, "GET", "/connectors")[0] == 200
    w.stop()


harness.main(globals())
