"""kcat (librdkafka 2.0.2) against a real connectd broker: metadata,
keys/headers/partitions, byte exactness, every codec, acks, idempotence,
offsets by timestamp, auto-create.

Consumers run with check.crcs=true so every batch the broker serves is
verified, and the segment files are inspected to show batches are stored as
the producer compressed them.
"""

import json
import os
import random
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

# Delimiters that the generated keys and values never contain, so values can
# hold any other byte, NUL and newline included.
KEY_DELIM = b"\x1f\x1f"
MSG_DELIM = b"\x1e\x1d\x1e"
KCAT_KEY_DELIM = "\\x1f\\x1f"
KCAT_MSG_DELIM = "\\x1e\\x1d\\x1e"
# Lengths first, so keys and values are read back byte for byte.
FORMAT = "%p %o %T %K %S\\t%h\\t%k%s\\n"


def kcat(broker, *args, input=None, check=True, timeout=120):
    # -m: metadata wait; the default 5 s is short for a sanitizer build on CI.
    return harness.run(["kcat", "-b", broker.bootstrap, "-m", "30"] + list(args),
                       input=input, check=check, timeout=timeout)


def produce(broker, topic, messages, *args, partition=None):
    """messages: list of (key, value) bytes; key None = no key.  Sent in one
    kcat run (so librdkafka batches them)."""
    keyed = any(k is not None for k, _ in messages)
    data = MSG_DELIM.join((k + KEY_DELIM if k is not None else b"") + v for k, v in messages)
    cmd = ["-P", "-t", topic, "-D", KCAT_MSG_DELIM] + list(args)
    if keyed:
        cmd += ["-K", KCAT_KEY_DELIM]
    if partition is not None:
        cmd += ["-p", str(partition)]
    res = kcat(broker, *cmd, input=data)
    assert b"ERROR" not in res.stderr, res.stderr.decode("utf-8", "replace")


def parse_consumed(out):
    """Parses FORMAT output into dicts (key/value None for NULL)."""
    recs = []
    pos = 0
    while pos < len(out):
        tab = out.index(b"\t", pos)
        p, o, ts, klen, vlen = (int(x) for x in out[pos:tab].split())
        tab2 = out.index(b"\t", tab + 1)
        headers = out[tab + 1:tab2].decode()
        pos = tab2 + 1
        key = None if klen < 0 else out[pos:pos + klen]
        pos += max(klen, 0)
        value = None if vlen < 0 else out[pos:pos + vlen]
        pos += max(vlen, 0)
        assert out[pos:pos + 1] == b"\n", "kcat output out of step at byte %d" % pos
        pos += 1
        recs.append({"partition": p, "offset": o, "timestamp": ts, "key": key,
                     "value": value, "headers": headers})
    return recs


def consume(broker, topic, partition, *args, offset="beginning"):
    """Everything in one partition from `offset` to the end, CRC-checked."""
    res = kcat(broker, "-C", "-t", topic, "-p", str(partition), "-o", str(offset), "-e",
               "-X", "check.crcs=true", "-f", FORMAT, *args)
    assert b"ERROR" not in res.stderr, res.stderr.decode("utf-8", "replace")
    return parse_consumed(res.stdout)


def metadata(broker, topic=None):
    args = ["-L", "-J"] + (["-t", topic] if topic else [])
    return json.loads(kcat(broker, *args).stdout)


def stored_batches(broker, topic, partition):
    """Every batch in the partition's segment files, in order."""
    out = []
    for base in broker.segments(topic, partition):
        with open(broker.segment_path(topic, partition, base), "rb") as f:
            out += kproto.parse_batches(f.read(), allow_partial=False)
    return out


def test_metadata():
    """kcat -L lists the broker (as controller), topics and partitions"""
    b = Broker({"node.id": 3, "num.partitions": 3}).start()
    produce(b, "meta-a", [(None, b"x")])
    md = metadata(b)
    assert md["brokers"] == [{"id": 3, "name": b.bootstrap}], md["brokers"]
    assert md["controllerid"] == 3, md
    topics = {t["topic"]: t for t in md["topics"]}
    assert "meta-a" in topics, topics.keys()
    parts = sorted(topics["meta-a"]["partitions"], key=lambda p: p["partition"])
    assert [p["partition"] for p in parts] == [0, 1, 2], parts
    for p in parts:
        assert p["leader"] == 3 and p["replicas"] == [{"id": 3}] and p["isrs"] == [{"id": 3}], p
        assert "error" not in p, p
    one = metadata(b, "meta-a")
    assert [t["topic"] for t in one["topics"]] == ["meta-a"], one
    text = kcat(b, "-L").stdout.decode()
    assert "broker 3 at %s (controller)" % b.bootstrap in text, text
    assert 'topic "meta-a" with 3 partitions' in text, text
    b.stop()


def test_keys_headers_partitions_byte_exact():
    """keyed records with headers over 4 partitions: per-key order, exact bytes"""
    b = Broker({"num.partitions": 4}).start()
    rng = random.Random(2)
    # Every byte value except the delimiters, multi-byte UTF-8, a NUL, a newline.
    alphabet = bytes(x for x in range(256) if x not in (0x1d, 0x1e, 0x1f))
    keys = [("key-%02d-ü✓" % i).encode() for i in range(20)]
    order = [key for key in keys for _ in range(25)]
    rng.shuffle(order)
    counters = {}
    messages = []
    for key in order:
        seq = counters[key] = counters.get(key, -1) + 1
        tail = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        messages.append((key, b"%s#%d|" % (key, seq) + "Grüße, 世界 🚀\n\0".encode() + tail))
    produce(b, "keyed", messages, "-H", "h1=x", "-H", "h2=välue ✓")

    got = []
    for p in range(4):
        recs = consume(b, "keyed", p)
        assert [r["offset"] for r in recs] == list(range(len(recs))), "offsets of partition %d" % p
        got += recs
    assert sorted((r["key"], r["value"]) for r in got) == sorted(messages), "records differ"
    assert len({r["partition"] for r in got}) > 1, "all keys landed in one partition"
    by_key = {}
    for r in sorted(got, key=lambda r: (r["partition"], r["offset"])):
        assert r["headers"] == "h1=x,h2=välue ✓", r["headers"]
        by_key.setdefault(r["key"], []).append(r)
    for key, recs in by_key.items():
        assert len({r["partition"] for r in recs}) == 1, "key %r in several partitions" % key
        seqs = [int(r["value"].split(b"#", 1)[1].split(b"|")[0]) for r in recs]
        assert seqs == list(range(25)), "key %r out of order: %s" % (key, seqs)
    b.stop()


def test_null_and_empty():
    """NULL value (-Z), empty value, empty key and NULL key stay distinct"""
    b = Broker().start()
    produce(b, "nulls", [(b"tomb", b"")], "-Z", partition=0)
    produce(b, "nulls", [(b"empty", b""), (b"", b"emptykey")], partition=0)
    produce(b, "nulls", [(None, b"nokey")], partition=0)
    recs = [(r["key"], r["value"]) for r in consume(b, "nulls", 0)]
    assert recs == [(b"tomb", None), (b"empty", b""), (b"", b"emptykey"), (None, b"nokey")], recs
    b.stop()


def check_codec(name, args, codec):
    """Produces compressible records with a codec, consumes them CRC-checked,
    and checks the segment file holds batches compressed with that codec."""
    b = Broker().start()
    topic = "codec-" + name
    # Repetitive values so every codec really shrinks them.
    messages = [(b"k%d" % i, b"%s value %05d " % (name.encode(), i) * 8) for i in range(500)]
    data = MSG_DELIM.join(k + KEY_DELIM + v for k, v in messages)
    # -d msg: librdkafka says so when it decides not to compress.
    res = kcat(b, "-P", "-t", topic, "-p", "0", "-D", KCAT_MSG_DELIM, "-K", KCAT_KEY_DELIM,
               "-d", "msg", *args, input=data)
    refused = [line for line in res.stderr.decode("utf-8", "replace").splitlines()
               if "does not support compression" in line]
    recs = consume(b, topic, 0)
    assert [(r["key"], r["value"]) for r in recs] == messages, "%s: records differ" % name
    batches = stored_batches(b, topic, 0)
    assert batches and batches[-1]["last_offset"] == 499, batches[-1:]
    for batch in batches:
        assert batch["crc_ok"], "%s: stored batch CRC does not match" % name
        assert batch["attributes"] & 7 == codec, (
            "%s: stored batch at offset %d has codec %d; librdkafka said: %s"
            % (name, batch["base_offset"], batch["attributes"] & 7, refused or "nothing"))
    b.stop()


def test_codec_gzip():
    """gzip batches are stored as produced and consumed CRC-checked"""
    check_codec("gzip", ["-z", "gzip"], kproto.CODEC_GZIP)


def test_codec_snappy():
    """snappy batches are stored as produced and consumed CRC-checked"""
    check_codec("snappy", ["-z", "snappy"], kproto.CODEC_SNAPPY)


def test_codec_lz4():
    """lz4 batches are stored as produced and consumed CRC-checked"""
    check_codec("lz4", ["-z", "lz4"], kproto.CODEC_LZ4)


def test_codec_zstd():
    """zstd batches are stored as produced and consumed CRC-checked"""
    check_codec("zstd", ["-X", "compression.codec=zstd"], kproto.CODEC_ZSTD)


def test_acks():
    """acks 0, 1 and all each deliver every record"""
    b = Broker().start()
    for acks in ("0", "1", "all"):
        topic = "acks-" + acks
        messages = [(None, b"acks=%s %d" % (acks.encode(), i)) for i in range(300)]
        produce(b, topic, messages, "-X", "acks=" + acks, partition=0)
        # acks=0 returns before the broker has appended: poll until it has.
        recs = harness.wait_for(lambda: (lambda r: r if len(r) >= 300 else None)(
            consume(b, topic, 0)), what="300 records in " + topic)
        assert [r["value"] for r in recs] == [v for _, v in messages], topic
    b.stop()


def test_idempotent_producer():
    """enable.idempotence=true: exactly once, in order, sequences stored"""
    b = Broker({"num.partitions": 2}).start()
    messages = [(None, b"idem %05d" % i) for i in range(2000)]
    produce(b, "idem", messages, "-X", "enable.idempotence=true", "-p", "-1")
    got = []
    for p in range(2):
        recs = consume(b, "idem", p)
        values = [r["value"] for r in recs]
        assert values == sorted(values), "partition %d out of order" % p
        got += values
        seq = 0
        pids = set()
        for batch in stored_batches(b, "idem", p):
            assert batch["producer_id"] >= 0, batch["producer_id"]
            assert batch["base_sequence"] == seq, (batch["base_sequence"], seq)
            pids.add(batch["producer_id"])
            seq += batch["count"]
        assert len(pids) <= 1, pids
    assert sorted(got) == [v for _, v in messages], "records lost or duplicated"
    b.stop()


def test_offsets_by_timestamp():
    """kcat -Q and -o s@ts find offsets by timestamp, also inside a compressed batch"""
    import confluent_kafka
    b = Broker().start()
    t0 = 1700000000000
    # A linger far longer than the test: flush() sends at once (librdkafka
    # >= 1.7 ignores linger.ms while flushing), so the batches are cut by the
    # flushes alone, however slowly a loaded machine runs this loop.
    p = confluent_kafka.Producer({"bootstrap.servers": b.bootstrap, "linger.ms": 60000,
                                  "compression.codec": "zstd"})
    # Ten records in one zstd batch, then ten more in batches of their own.
    # Compressible values: librdkafka sends a batch plain if zstd would not shrink it.
    for i in range(10):
        p.produce("ts", b"v%d " % i + b"x" * 200, partition=0, timestamp=t0 + i * 1000)
    assert p.flush(60) == 0
    for i in range(10, 20):
        p.produce("ts", b"v%d " % i + b"x" * 200, partition=0, timestamp=t0 + i * 1000)
        assert p.flush(60) == 0
    del p  # closes its connections before the broker stops
    first = stored_batches(b, "ts", 0)[0]
    assert first["count"] == 10 and first["attributes"] & 7 == kproto.CODEC_ZSTD, first

    def query(ts):
        out = json.loads(kcat(b, "-Q", "-J", "-t", "ts:0:%d" % ts).stdout)
        return out["ts"]["0"]["offset"]

    assert query(t0) == 0
    assert query(t0 + 4500) == 5          # inside the compressed batch
    assert query(t0 + 5000) == 5
    assert query(t0 + 12500) == 13
    assert query(t0 + 19000) == 19
    assert query(t0 + 100000) == -1       # later than every record
    assert query(-1) == 20 and query(-2) == 0
    recs = consume(b, "ts", 0, offset="s@%d" % (t0 + 4500))
    assert [(r["offset"], r["timestamp"]) for r in recs] == \
        [(i, t0 + i * 1000) for i in range(5, 20)], recs
    b.stop()


def test_offsets_inside_batches():
    """-o N and -o -N start inside a batch; the client skips earlier records"""
    b = Broker().start()
    messages = [(None, b"m%03d" % i) for i in range(100)]
    produce(b, "mid", messages, partition=0)
    assert [r["offset"] for r in consume(b, "mid", 0, offset="-5")] == [95, 96, 97, 98, 99]
    recs = consume(b, "mid", 0, offset="37")
    assert [r["value"] for r in recs] == [v for _, v in messages[37:]]
    b.stop()


OLD_BROKERS = ("0.9.0", "0.10.0")  # magic 0 (Produce v1) and magic 1 (Produce v2) message sets


def old_client_args(fallback):
    """librdkafka told it talks to a broker without ApiVersions."""
    return ["-X", "api.version.request=false", "-X", "broker.version.fallback=" + fallback]


def test_old_message_formats_produce():
    """kcat and confluent-kafka with broker.version.fallback 0.9.0/0.10.0: old message sets stored as v2 batches"""
    import confluent_kafka
    b = Broker().start()
    for fallback in OLD_BROKERS:
        for codec in ("none", "gzip"):
            topic = "old-%s-%s" % (fallback.replace(".", "-"), codec)
            messages = [(b"k%d" % i if i % 3 else None, b"old %s %d " % (codec.encode(), i) + b"x" * 50)
                        for i in range(200)]
            produce(b, topic, messages, "-z", codec, *old_client_args(fallback), partition=0)
            recs = consume(b, topic, 0)
            assert [(r["key"], r["value"]) for r in recs] == messages, topic
            # Magic 0 has no timestamps; magic 1 keeps the producer's CreateTime.
            assert all((r["timestamp"] == -1) == (fallback == "0.9.0") for r in recs), (topic, recs[0])
            batches = stored_batches(b, topic, 0)
            assert all(batch["attributes"] & 7 == (kproto.CODEC_GZIP if codec == "gzip" else 0)
                       for batch in batches), (topic, batches)
            assert sum(batch["count"] for batch in batches) == 200
        p = confluent_kafka.Producer({"bootstrap.servers": b.bootstrap, "api.version.request": False,
                                      "broker.version.fallback": fallback, "compression.codec": "gzip"})
        for i in range(20):
            p.produce("old-ck", b"ck %s %d" % (fallback.encode(), i), partition=0)
        assert p.flush(60) == 0
        del p
    assert [r["value"] for r in consume(b, "old-ck", 0)] == \
        [b"ck %s %d" % (f.encode(), i) for f in OLD_BROKERS for i in range(20)]
    b.stop()


def test_old_message_formats_consume():
    """kcat with broker.version.fallback 0.9.0/0.10.0 reads v2 batches down-converted to magic 0/1 (Fetch v0-v3)"""
    b = Broker().start()
    messages = [(b"k%d" % i if i % 3 else None, b"new %d " % i + b"y" * 40) for i in range(300)]
    produce(b, "new", messages[:150], partition=0)
    produce(b, "new", messages[150:], "-z", "gzip", partition=0)
    modern = consume(b, "new", 0)
    for fallback in OLD_BROKERS:
        recs = consume(b, "new", 0, *old_client_args(fallback))
        assert [(r["offset"], r["key"], r["value"]) for r in recs] == \
            [(i, k, v) for i, (k, v) in enumerate(messages)], fallback
        # Magic 0 (Fetch v0-v1) carries no timestamps, which kcat prints as
        # 0; magic 1 (v2-v3) carries the producer's.
        assert [r["timestamp"] for r in recs] == \
            ([0] * 300 if fallback == "0.9.0" else [r["timestamp"] for r in modern]), \
            (fallback, recs[0], modern[0])
        tail = consume(b, "new", 0, *old_client_args(fallback), offset="-5")
        assert [r["offset"] for r in tail] == [295, 296, 297, 298, 299], (fallback, tail)
    b.stop()


def test_auto_create():
    """producing to an unknown topic creates it with num.partitions; not when disabled"""
    b = Broker({"num.partitions": 2}).start()
    produce(b, "auto-x", [(None, b"hello")], partition=1)
    md = metadata(b, "auto-x")
    assert len(md["topics"][0]["partitions"]) == 2, md
    assert [r["value"] for r in consume(b, "auto-x", 1)] == [b"hello"]
    assert os.path.isdir(b.partition_dir("auto-x", 0))
    b.stop()

    off = Broker({"auto.create.topics.enable": "false"}).start()
    res = kcat(off, "-P", "-t", "auto-y", "-p", "0", "-X", "topic.metadata.propagation.max.ms=1000",
               "-X", "message.timeout.ms=10000", input=b"nope", check=False)
    assert res.returncode != 0 or b"nknown topic" in res.stderr, \
        "produce to a missing topic succeeded: %r" % res.stderr
    with kproto.Conn(off.port) as conn:
        md = kproto.metadata(conn, None)
    assert "auto-y" not in md["topics"], md["topics"].keys()
    assert not os.path.exists(off.partition_dir("auto-y", 0))
    off.stop()


if __name__ == "__main__":
    harness.main(globals())
