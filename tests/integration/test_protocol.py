"""Protocol behaviour that the client libraries hide, checked with raw
requests (kproto.py): advertised versions, DeleteRecords, idempotent
sequence checks, long-poll Fetch woken by new data, Fetch edge cases.
"""

import os
import select
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

NONE, OFFSET_OUT_OF_RANGE, UNKNOWN_TOPIC_OR_PARTITION = 0, 1, 3
OUT_OF_ORDER_SEQUENCE_NUMBER = 45
INVALID_TOPIC_EXCEPTION = 17
CORRUPT_MESSAGE, COORDINATOR_NOT_AVAILABLE = 2, 15


def produce_ok(conn, topic, partition, batch, **kw):
    res = kproto.produce(conn, topic, partition, batch, **kw)
    assert res["error"] == NONE, "produce to %s-%d: error %d" % (topic, partition, res["error"])
    return res["base_offset"]


def records(n, prefix=b"r"):
    return [(None, b"%s%d" % (prefix, i)) for i in range(n)]


def answered_within(conn, seconds):
    """Whether a response (or EOF) is readable within `seconds`.  Only used to
    show that a long-poll has NOT been answered yet: a correct broker never
    answers early, so this cannot fail by slowness."""
    return bool(select.select([conn.sock], [], [], seconds)[0])


def test_api_versions_advertised():
    """ApiVersions v0-v3 advertise exactly the ranges in kproto; no JoinGroup, SyncGroup, ... yet"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        for version in (3, 2, 1, 0):
            res = kproto.api_versions(conn, version)
            assert res["error"] == 0, (version, res)
            assert res["apis"] == kproto.EXPECTED_API_RANGES, (version, res["apis"])
    b.stop()


def test_old_produce_versions_converted():
    """Produce v0-v2: magic 0/1 message sets, plain or gzip-wrapped, and v2 batches stored as v2; bad CRC refused

    As Kafka converts them (LogValidator); a message with a bad CRC is
    CORRUPT_MESSAGE and stores nothing."""
    b = Broker().start()
    sent = [(b"k", b"v0"), (None, b"v1")]
    cases = [  # (version, records, timestamps read back)
        (0, kproto.make_message_set(sent, magic=0), [-1, -1]),
        (1, kproto.make_message_set(sent, magic=0, codec=kproto.CODEC_GZIP), [-1, -1]),
        (2, kproto.make_message_set(sent, magic=1, timestamps=[1000, 1005]), [1000, 1005]),
        (2, kproto.make_message_set(sent, magic=1, timestamps=[2000, 2001], codec=kproto.CODEC_GZIP),
         [2000, 2001]),
        (2, kproto.make_batch(sent, timestamps=[3000, 3003]), [3000, 3003]),
    ]
    with kproto.Conn(b.port) as conn:
        for i, (version, records, _) in enumerate(cases):
            body = kproto.produce_body("old", 0, records, version=version)
            res = kproto.decode_produce(conn.request(kproto.PRODUCE, version, body), version)
            assert res["error"] == NONE and res["base_offset"] == 2 * i, (version, res)
        bad = kproto.make_message(0, None, b"bad", magic=1, timestamp=1, bad_crc=True)
        res = kproto.decode_produce(conn.request(kproto.PRODUCE, 2, kproto.produce_body("old", 0, bad, version=2)), 2)
        assert res["error"] == CORRUPT_MESSAGE, res
        got = kproto.read_all(conn, "old", 0)
        assert [(r[0], r[2], r[3]) for r in got] == [(2 * i + j, sent[j][0], sent[j][1])
                                                    for i in range(len(cases)) for j in range(2)], got
        assert [r[1] for r in got] == [ts for _, _, stamps in cases for ts in stamps], got
    b.stop()


def test_old_fetch_versions_down_converted():
    """Fetch v0-v3 answer magic 0 (v0-v1) or 1 (v2-v3) message sets; ListOffsets v0 answers OldStyleOffsets"""
    b = Broker().start()
    sent = [(b"k", b"v0"), (None, b"v1"), (b"k2", None)]
    with kproto.Conn(b.port) as conn:
        produce_ok(conn, "down", 0, kproto.make_batch(sent, timestamps=[1000, 1001, 1002]))
        produce_ok(conn, "down", 0, kproto.make_batch(sent[:1], timestamps=[2000], codec=kproto.CODEC_GZIP))
        for version in range(4):
            body = kproto.i32(-1) + kproto.i32(100) + kproto.i32(1) + (kproto.i32(1 << 20) if version >= 3 else b"") \
                + kproto.array(["down"], lambda t: kproto.string(t) + kproto.array(
                    [0], lambda p: kproto.i32(p) + kproto.i64(1) + kproto.i32(1 << 20)))
            r = conn.request(kproto.FETCH, version, body)
            if version >= 1:
                r.i32()  # throttle_time_ms
            topics = r.array(lambda r: (r.string(), r.array(lambda r: (r.i32(), r.i16(), r.i64(), r.nbytes()))))
            assert r.remaining() == 0, version
            [(_, [(index, error, hwm, records)])] = topics
            assert (index, error, hwm) == (0, NONE, 4), (version, topics)
            magic = 0 if version < 2 else 1
            # The whole first batch comes back (offset 0 too); clients skip it.
            want = [(i, k, v, 1000 + i) for i, (k, v) in enumerate(sent)] + [(3, b"k", b"v0", 2000)]
            assert kproto.parse_messages(records) == \
                [(o, magic, 0, ts if magic else None, k, v) for o, k, v, ts in want], version
        body = kproto.i32(-1) + kproto.array(["down"], lambda t: kproto.string(t) + kproto.array(
            [(-1, 1), (-2, 1), (-1, 0)], lambda p: kproto.i32(0) + kproto.i64(p[0]) + kproto.i32(p[1])))
        r = conn.request(kproto.LIST_OFFSETS, 0, body)
        got = r.array(lambda r: (r.string(), r.array(lambda r: (r.i32(), r.i16(), r.array(lambda r: r.i64())))))
        assert got == [("down", [(0, NONE, [4]), (0, NONE, [0]), (0, NONE, [])])], got
    b.stop()


def test_find_coordinator():
    """FindCoordinator v0-v2 names this node for a group; transactions have no coordinator"""
    b = Broker({"node.id": 4}).start()
    with kproto.Conn(b.port) as conn:
        for version in (0, 1, 2):
            got = kproto.find_coordinator(conn, "group-%d" % version, version)
            assert got == (NONE, 4, "127.0.0.1", b.port), (version, got)
        err = kproto.find_coordinator(conn, "txn", 2, key_type=1)[0]
        assert err == COORDINATOR_NOT_AVAILABLE, err
    b.stop()


def test_metadata_auto_create_flag():
    """Metadata creates an unknown topic only when AllowAutoTopicCreation is set"""
    b = Broker({"num.partitions": 2}).start()
    with kproto.Conn(b.port) as conn:
        md = kproto.metadata(conn, ["md-no"], allow_auto_create=False)
        assert md["topics"]["md-no"]["error"] == UNKNOWN_TOPIC_OR_PARTITION, md
        assert "md-no" not in kproto.metadata(conn, None)["topics"]

        def created():
            t = kproto.metadata(conn, ["md-yes"], allow_auto_create=True)["topics"]["md-yes"]
            # LEADER_NOT_AVAILABLE (5) while it is being created is allowed.
            assert t["error"] in (0, 5), t
            return t if t["error"] == 0 else None
        t = harness.wait_for(created, what="auto-created topic md-yes")
        assert [p["index"] for p in t["partitions"]] == [0, 1], t
        all_md = kproto.metadata(conn, None)
        assert "md-yes" in all_md["topics"]
        assert all_md["controller"] == all_md["brokers"][0][0], all_md
        assert all_md["brokers"][0][1:3] == ("127.0.0.1", b.port), all_md["brokers"]
    b.stop()


def test_delete_records():
    """DeleteRecords moves the log start offset, survives restart, rejects offsets past the end"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        for i in range(10):
            assert produce_ok(conn, "dr", 0, kproto.make_batch(records(10, b"b%d-" % i))) == i * 10
        assert kproto.delete_records(conn, "dr", 0, 35) == (NONE, 35)
        assert kproto.earliest(conn, "dr", 0) == 35
        recs = kproto.read_all(conn, "dr", 0)
        assert [r[0] for r in recs] == list(range(35, 100)), [r[0] for r in recs][:5]
        part = kproto.fetch(conn, "dr", 0, 34)
        assert part["error"] == OFFSET_OUT_OF_RANGE, part
        assert kproto.delete_records(conn, "dr", 0, 101)[0] == OFFSET_OUT_OF_RANGE
        assert kproto.delete_records(conn, "dr", 0, 20) == (NONE, 35), "log start moved back"
        assert kproto.delete_records(conn, "nope", 0, 1)[0] == UNKNOWN_TOPIC_OR_PARTITION
    b.restart()
    with kproto.Conn(b.port) as conn:
        assert kproto.earliest(conn, "dr", 0) == 35, "log start offset lost by restart"
        # -1 means "up to the high watermark".
        assert kproto.delete_records(conn, "dr", 0, -1) == (NONE, 100)
        assert kproto.earliest(conn, "dr", 0) == 100 and kproto.latest(conn, "dr", 0) == 100
        assert produce_ok(conn, "dr", 0, kproto.make_batch(records(1))) == 100
        assert [r[0] for r in kproto.read_all(conn, "dr", 0)] == [100]
    b.stop()


def test_internal_topics_are_kafkas_two():
    """Only __consumer_offsets (and __transaction_state) are internal, as Kafka's Topic.isInternal:
    a client may write other "__" topics (Debezium's __debezium-heartbeat.<prefix>)"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        assert produce_ok(conn, "__debezium-heartbeat.cdc", 0, kproto.make_batch(records(3))) == 0
        assert kproto.produce(conn, "__consumer_offsets", 0, kproto.make_batch(records(1)))["error"] == \
            INVALID_TOPIC_EXCEPTION
        topics = kproto.metadata(conn, ["__debezium-heartbeat.cdc", "__consumer_offsets"])["topics"]
        assert not topics["__debezium-heartbeat.cdc"]["internal"], topics
        assert topics["__consumer_offsets"]["internal"], topics
    b.stop()


def test_idempotent_sequences():
    """a duplicate batch is answered with its first offset and not stored twice; a gap gets error 45"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        err, pid, epoch = kproto.init_producer_id(conn)
        assert err == NONE and pid >= 0 and epoch >= 0, (err, pid, epoch)

        def batch(seq, n, tag):
            return kproto.make_batch(records(n, tag), producer_id=pid, producer_epoch=epoch,
                                     base_sequence=seq)
        first = batch(0, 3, b"a")
        assert produce_ok(conn, "idem", 0, first) == 0
        assert produce_ok(conn, "idem", 0, batch(3, 2, b"b")) == 3
        # A retry of the first batch: success with its original offset.
        assert produce_ok(conn, "idem", 0, first) == 0
        assert kproto.latest(conn, "idem", 0) == 5, "duplicate batch was appended"
        res = kproto.produce(conn, "idem", 0, batch(9, 1, b"gap"))
        assert res["error"] == OUT_OF_ORDER_SEQUENCE_NUMBER, res
        assert kproto.latest(conn, "idem", 0) == 5
        assert produce_ok(conn, "idem", 0, batch(5, 1, b"c")) == 5
        values = [r[3] for r in kproto.read_all(conn, "idem", 0)]
        assert values == [b"a0", b"a1", b"a2", b"b0", b"b1", b"c0"], values
        # A second producer gets a different id.
        err2, pid2, _ = kproto.init_producer_id(conn)
        assert err2 == NONE and pid2 != pid
        # Transactions are not supported: refused with an error, not a crash.
        assert kproto.init_producer_id(conn, "txn-1")[0] != NONE
    b.stop()


def test_timestamp_lookup_inside_gzip_batch():
    """ListOffsets by timestamp finds a record inside a gzip batch, served byte-identical"""
    b = Broker().start()
    t0 = 1500000000000
    with kproto.Conn(b.port) as conn:
        batch = kproto.make_batch(records(10), timestamps=[t0 + i * 100 for i in range(10)],
                                  codec=kproto.CODEC_GZIP)
        assert produce_ok(conn, "gz", 0, batch) == 0
        assert produce_ok(conn, "gz", 0, kproto.make_batch(records(1, b"plain"),
                                                           timestamps=[t0 + 5000])) == 10
        for ts, want in ((t0, (0, t0)), (t0 + 250, (3, t0 + 300)), (t0 + 900, (9, t0 + 900)),
                         (t0 + 901, (10, t0 + 5000)), (t0 + 5001, (-1, -1))):
            err, got_ts, off = kproto.list_offsets(conn, "gz", 0, ts)
            assert err == NONE and (off, got_ts) == want, (ts, err, off, got_ts)
        part = kproto.fetch(conn, "gz", 0, 4)
        served = kproto.parse_batches(part["records"], allow_partial=False)
        assert served[0]["raw"][16:] == batch[16:], "gzip batch not served as produced"
        assert [r[3] for r in kproto.batch_records(served[0])] == [v for _, v in records(10)]
    b.stop()


def test_fetch_long_poll_woken_by_produce():
    """a Fetch waiting on MaxWaitMs/MinBytes is answered when enough data arrives"""
    b = Broker().start()
    with kproto.Conn(b.port) as waiter, kproto.Conn(b.port) as writer:
        produce_ok(writer, "lp", 0, kproto.make_batch(records(1)))
        # MaxWaitMs far beyond the test's deadline: only a wake-up can answer.
        corr = waiter.send(kproto.FETCH, 11, kproto.fetch_body("lp", 0, 1, max_wait_ms=600000,
                                                               min_bytes=1))
        assert not answered_within(waiter, 1.0), "empty long-poll fetch answered at once"
        produce_ok(writer, "lp", 0, kproto.make_batch(records(2, b"late")))
        got, r = waiter.recv()
        assert got == corr
        part = kproto.decode_fetch(r)
        assert part["error"] == NONE and part["hwm"] == 3, part
        recs = [rec for bt in kproto.parse_batches(part["records"]) for rec in kproto.batch_records(bt)]
        assert [(rec[0], rec[3]) for rec in recs] == [(1, b"late0"), (2, b"late1")], recs

        # MinBytes: a small append is not enough, a big one is.
        corr = waiter.send(kproto.FETCH, 11, kproto.fetch_body("lp", 0, 3, max_wait_ms=600000,
                                                               min_bytes=5000))
        produce_ok(writer, "lp", 0, kproto.make_batch(records(1, b"small")))
        assert not answered_within(waiter, 1.0), "fetch answered below MinBytes"
        produce_ok(writer, "lp", 0, kproto.make_batch([(None, b"x" * 6000)]))
        got, r = waiter.recv()
        assert got == corr
        part = kproto.decode_fetch(r)
        assert part["error"] == NONE and part["hwm"] == 5, part
        assert [bt["base_offset"] for bt in kproto.parse_batches(part["records"])] == [3, 4]

        # Nothing arrives: answered after MaxWaitMs with empty records (length 0, not null).
        part = kproto.fetch(waiter, "lp", 0, 5, max_wait_ms=300)
        assert part["error"] == NONE and part["records"] == b"", part
    b.stop()


def test_fetch_edges():
    """Fetch: out of range, unknown partition, KIP-74 oversize first batch, size limits"""
    b = Broker().start()
    with kproto.Conn(b.port) as conn:
        big = [kproto.make_batch([(None, bytes([65 + i]) * 1000)]) for i in range(3)]
        for i, batch in enumerate(big):
            assert produce_ok(conn, "fe", 0, batch) == i
        part = kproto.fetch(conn, "fe", 0, 4)
        assert part["error"] == OFFSET_OUT_OF_RANGE, part
        part = kproto.fetch(conn, "fe", 7, 0)
        assert part["error"] == UNKNOWN_TOPIC_OR_PARTITION, part
        part = kproto.fetch(conn, "no-such-topic", 0, 0)
        assert part["error"] == UNKNOWN_TOPIC_OR_PARTITION, part
        # KIP-74: a limit smaller than the first batch still returns it whole.
        part = kproto.fetch(conn, "fe", 0, 0, partition_max_bytes=10)
        batches = kproto.parse_batches(part["records"], allow_partial=False)
        assert [bt["base_offset"] for bt in batches] == [0], batches
        assert part["preferred_read_replica"] == -1, part
        assert part["hwm"] == 3 and part["lso"] == 3 and part["log_start_offset"] == 0, part
        # Room for one batch and a half: whole batches only.
        part = kproto.fetch(conn, "fe", 0, 1, partition_max_bytes=1500)
        batches = kproto.parse_batches(part["records"], allow_partial=False)
        assert [bt["base_offset"] for bt in batches] == [1], batches
        # Served bytes are the produced bytes; only baseOffset and the leader
        # epoch (bytes 0-7 and 12-15, outside the CRC) may be patched.
        part = kproto.fetch(conn, "fe", 0, 0)
        served = kproto.parse_batches(part["records"], allow_partial=False)
        assert [bt["raw"][8:12] + bt["raw"][16:] for bt in served] == \
            [bt[8:12] + bt[16:] for bt in big]
        assert all(bt["crc_ok"] for bt in served)
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
