"""Bad input on the Kafka listener: bad frame sizes, truncated requests,
unknown APIs, unsupported versions, garbage bodies, corrupt and invalid
batches.  Each gets the protocol's error or a closed connection with a log
line naming the client's address, and afterwards the broker still serves
kcat on another connection with the data written before intact.
"""

import os
import random
import socket
import struct
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

MAX_REQUEST = 102400
MAX_MESSAGE = 20000
BASELINE = [b"before-%d \xe2\x9c\x93" % i for i in range(50)]

CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, INVALID_REQUIRED_ACKS = 2, 10, 21
UNKNOWN_TOPIC_OR_PARTITION, UNSUPPORTED_VERSION = 3, 35
UNSUPPORTED_COMPRESSION_TYPE, INVALID_RECORD = 76, 87


def victim():
    """A broker with small limits and some data written by kcat."""
    b = Broker({"socket.request.max.bytes": MAX_REQUEST,
                "message.max.bytes": MAX_MESSAGE}).start()
    harness.run(["kcat", "-b", b.bootstrap, "-m", "30", "-P", "-t", "intact", "-p", "0"],
                input=b"\n".join(BASELINE))
    return b


def check_still_serving(b):
    """kcat on new connections: the old data is intact and new data flows.
    Then a clean stop (exit code 0, so no sanitizer report either)."""
    assert b.alive(), "broker died:\n" + b.stderr()
    harness.run(["kcat", "-b", b.bootstrap, "-m", "30", "-P", "-t", "intact", "-p", "0"],
                input=b"after")
    res = harness.run(["kcat", "-b", b.bootstrap, "-m", "30", "-C", "-t", "intact", "-p", "0",
                       "-o", "beginning", "-e", "-X", "check.crcs=true", "-D", "\\n"])
    assert res.stdout.split(b"\n")[:-1] == BASELINE + [b"after"], res.stdout[-500:]
    b.stop()


def expect_closed(b, conn, what):
    """The broker closes `conn` without answering and logs a line naming it."""
    closed, data = conn.closed_by_peer(timeout=harness.DEFAULT_TIMEOUT)
    assert closed, "%s: connection not closed" % what
    assert data == b"", "%s: broker answered %r before closing" % (what, data[:64])
    peer = "127.0.0.1:%d" % conn.local_port
    b.wait_stderr(peer, timeout=30)
    conn.close()


def fresh(b):
    return kproto.Conn(b.port)


def test_bad_frame_sizes():
    """negative, too small and oversized (over socket.request.max.bytes) frame sizes"""
    b = victim()
    for size in (-1, -2, -0x80000000, 0, 3, 7, MAX_REQUEST + 1, 0x7FFFFFFF):
        conn = fresh(b)
        # A few bytes after the size, as a real client would send the frame.
        conn.send_raw(struct.pack(">i", size) + b"\x00\x03\x00\x04\x00\x00\x00\x01")
        expect_closed(b, conn, "frame size %d" % size)
    # A frame of exactly socket.request.max.bytes is read: this Produce gets
    # its answer (MESSAGE_TOO_LARGE, its batch exceeds message.max.bytes).
    with fresh(b) as conn:
        def frame(n):
            body = kproto.produce_body("intact", 0, kproto.make_batch([(None, b"x" * n)]))
            return conn.header(kproto.PRODUCE, 7, 1) + body
        n = MAX_REQUEST - (len(frame(MAX_REQUEST)) - MAX_REQUEST)
        assert len(frame(n)) == MAX_REQUEST
        conn.send_raw(struct.pack(">i", MAX_REQUEST) + frame(n))
        corr, r = conn.recv()
        assert corr == 1
        assert kproto.decode_produce(r, 7)["error"] == MESSAGE_TOO_LARGE
    check_still_serving(b)


def test_truncated_requests():
    """headers and bodies shorter than their fields say"""
    b = victim()
    cases = {
        "header cut after the correlation id": b"\x00\x03\x00\x04\x00\x00\x00\x01",
        "client id longer than the frame": b"\x00\x03\x00\x04\x00\x00\x00\x01\x00\x40abc",
        "metadata topics array of 3 with one name":
            kproto.request_header(kproto.METADATA, 4, 1) + kproto.i32(3) + kproto.string("t"),
        "produce records longer than the frame":
            kproto.request_header(kproto.PRODUCE, 7, 1)
            + kproto.produce_body("intact", 0, kproto.make_batch([(None, b"x" * 500)]))[:-300],
        "fetch cut in the partition list":
            kproto.request_header(kproto.FETCH, 11, 1)
            + kproto.fetch_body("intact", 0, 0)[:-30],
    }
    for what, frame in cases.items():
        conn = fresh(b)
        conn.send_raw(struct.pack(">i", len(frame)) + frame)
        expect_closed(b, conn, what)
    # ApiVersions may answer a body it cannot parse with an error instead.
    with fresh(b) as conn:
        frame = kproto.request_header(kproto.API_VERSIONS, 3, 1, flexible=True) + b"\x40abc"
        conn.send_raw(struct.pack(">i", len(frame)) + frame)
        try:
            corr, r = conn.recv()
        except kproto.Closed:
            b.wait_stderr("127.0.0.1:%d" % conn.local_port, timeout=30)
        else:
            assert corr == 1 and r.i16() != 0, "truncated ApiVersions v3 accepted"
    # A frame whose body never arrives: the client gives up, the broker must not mind.
    for _ in range(5):
        conn = fresh(b)
        conn.send_raw(struct.pack(">i", 1000) + b"\x00\x03\x00\x04")
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()  # RST mid-frame
    check_still_serving(b)


def test_unknown_api_keys():
    """unknown and not-advertised API keys close the connection with a log line"""
    b = victim()
    for key in (999, -1, 0x7FFF, 24, 50, 67):
        conn = fresh(b)
        conn.send(key, 0, b"\x00" * 16)
        expect_closed(b, conn, "API key %d" % key)
    check_still_serving(b)


def test_unsupported_versions():
    """versions outside the advertised ranges close the connection with a log line"""
    b = victim()
    for key, version in ((kproto.PRODUCE, 10), (kproto.PRODUCE, 11),
                         (kproto.FETCH, -1), (kproto.FETCH, 14), (kproto.METADATA, 13),
                         (kproto.LIST_OFFSETS, 8), (kproto.CREATE_TOPICS, 8),
                         (kproto.PRODUCE, -1)):
        conn = fresh(b)
        body = kproto.produce_body("intact", 0, kproto.make_batch([(None, b"v")]))
        conn.send(key, version, body)
        expect_closed(b, conn, "API %d v%d" % (key, version))
    with fresh(b) as conn:
        assert kproto.latest(conn, "intact", 0) == len(BASELINE), "a refused produce was stored"
    check_still_serving(b)


def test_api_versions_too_new():
    """ApiVersions v9 gets UNSUPPORTED_VERSION (35) with a v0 body; the connection stays usable"""
    b = victim()
    with fresh(b) as conn:
        corr = conn.send(kproto.API_VERSIONS, 9,
                         kproto.compact_string("x") + kproto.compact_string("1") + b"\x00")
        got, r = conn.recv()
        assert got == corr
        res = kproto.decode_api_versions(r, 0)
        assert res["error"] == UNSUPPORTED_VERSION, res
        assert res["apis"].get(kproto.API_VERSIONS) == (0, 3), res
        assert r.remaining() == 0, "v0 body has %d extra bytes" % r.remaining()
        # What librdkafka does next: retry with v3 on the same connection.
        assert kproto.api_versions(conn, 3)["error"] == 0
    check_still_serving(b)


def test_garbage_bodies():
    """random bytes after valid headers: a protocol answer or a logged close, never a crash"""
    b = victim()
    rng = random.Random(42)
    apis = [(0, 0), (0, 3), (0, 7), (10, 0), (10, 2), (1, 4), (1, 11), (2, 2), (3, 0), (3, 4), (18, 3), (19, 4), (20, 1),
            (21, 1), (22, 1), (32, 1), (37, 0)]
    closed = answered = 0
    for key, version in apis:
        for n in (1, 2, 5, 17, 64, 300):
            garbage = bytes(rng.randrange(256) for _ in range(n))
            conn = kproto.Conn(b.port, timeout=30)
            corr = conn.send(key, version, garbage)
            try:
                got, _ = conn.recv()
            except kproto.Closed:
                b.wait_stderr("127.0.0.1:%d" % conn.local_port, timeout=30)
                closed += 1
            except socket.timeout:
                # Only an acks=0 Produce may go unanswered.
                assert key == kproto.PRODUCE, "API %d v%d: no answer, no close" % (key, version)
            else:
                assert got == corr, "API %d v%d: response to another request" % (key, version)
                answered += 1
            conn.close()
    print("# garbage bodies: %d refused by closing, %d answered" % (closed, answered))
    assert closed > 0, "no garbage request was refused"
    assert b.alive()
    with fresh(b) as conn:
        assert kproto.latest(conn, "intact", 0) == len(BASELINE), "garbage was stored"
    check_still_serving(b)


def test_bad_crc():
    """a batch with a bad CRC gets CORRUPT_MESSAGE (2), is not stored, and is logged"""
    b = victim()
    with fresh(b) as conn:
        bad = kproto.make_batch([(b"k", b"corrupt me")], bad_crc=True)
        res = kproto.produce(conn, "intact", 0, bad)
        assert res["error"] == CORRUPT_MESSAGE, res
        b.wait_stderr("127.0.0.1:%d" % conn.local_port)
        # Flip a payload byte after computing a correct CRC: same verdict.
        good = bytearray(kproto.make_batch([(b"k", b"corrupt me too")]))
        good[-3] ^= 0x01
        assert kproto.produce(conn, "intact", 0, bytes(good))["error"] == CORRUPT_MESSAGE
        assert kproto.latest(conn, "intact", 0) == len(BASELINE)
        # The same connection still works for a good batch.
        ok = kproto.produce(conn, "other", 0, kproto.make_batch([(None, b"good")]))
        assert ok["error"] == 0 and ok["base_offset"] == 0, ok
    check_still_serving(b)


def test_invalid_batches():
    """invalid batches and produce requests get Kafka's per-partition errors"""
    b = victim()
    rec = [(None, b"v")]
    batch = kproto.make_batch
    two = batch(rec) + batch(rec)
    magic1 = bytearray(batch(rec))
    magic1[16] = 1  # magic is outside the CRC
    cases = [
        ("magic 1", bytes(magic1), {}, 7, INVALID_RECORD),
        ("two batches", two, {}, 7, INVALID_RECORD),
        ("count mismatch", batch(rec * 2, count=3), {}, 7, INVALID_RECORD),
        ("lastOffsetDelta mismatch", batch(rec * 2, last_offset_delta=5), {}, 7, INVALID_RECORD),
        ("control batch", batch(rec, attributes=0x20), {}, 7, INVALID_RECORD),
        ("null records", None, {}, 7, INVALID_RECORD),
        ("batch over message.max.bytes", batch([(None, b"x" * (MAX_MESSAGE + 100))]), {}, 7,
         MESSAGE_TOO_LARGE),
        ("zstd below Produce v7", batch(rec, attributes=kproto.CODEC_ZSTD), {}, 6,
         UNSUPPORTED_COMPRESSION_TYPE),
        ("acks=2", batch(rec), {"acks": 2}, 7, INVALID_REQUIRED_ACKS),
        ("partition 99", batch(rec), {"partition": 99}, 7, UNKNOWN_TOPIC_OR_PARTITION),
    ]
    with fresh(b) as conn:
        for what, records, kw, version, code in cases:
            body = kproto.produce_body("intact", kw.get("partition", 0), records,
                                       acks=kw.get("acks", -1))
            res = kproto.decode_produce(conn.request(kproto.PRODUCE, version, body), version)
            assert res["error"] == code, "%s: error %d, expected %d" % (what, res["error"], code)
            assert res["base_offset"] == -1, (what, res)
        assert kproto.latest(conn, "intact", 0) == len(BASELINE), "an invalid batch was stored"
    check_still_serving(b)


def test_failed_acks0_produce_closes():
    """a failing acks=0 produce closes the connection (the only signal acks=0 allows)"""
    b = victim()
    conn = fresh(b)
    conn.send(kproto.PRODUCE, 7, kproto.produce_body(
        "intact", 0, kproto.make_batch([(None, b"x")], bad_crc=True), acks=0))
    expect_closed(b, conn, "acks=0 produce with a bad CRC")
    check_still_serving(b)


def test_stalled_client_does_not_block_others():
    """a client stuck mid-frame and one pipelining requests do not hold up others"""
    b = victim()
    stalled = fresh(b)
    stalled.send_raw(struct.pack(">i", 5000) + b"\x00\x00\x00\x07")
    with fresh(b) as conn:
        # Pipelining: three requests before reading; answers come in order.
        corrs = [conn.send(kproto.METADATA, 4, kproto.i32(-1) + kproto.i8(0)) for _ in range(3)]
        assert [conn.recv()[0] for _ in corrs] == corrs
    check_still_serving(b)
    stalled.close()


if __name__ == "__main__":
    harness.main(globals())
