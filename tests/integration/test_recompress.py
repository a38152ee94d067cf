"""Topic compression.type (Kafka's broker-side recompression): topics created
with each codec through confluent-kafka's AdminClient, fed by a producer
using another codec, store every batch with the topic's codec (read back
from the segment files) while consumers (confluent-kafka with CRC checks,
kcat) see every record unchanged: offsets, timestamps, keys, values,
headers.  Also the producer fields of an idempotent producer, AlterConfigs
switching the codec for later batches, the broker-level default, the
KIP-390 levels, and a batch that no longer fits max.message.bytes once
rewritten.
"""

import json
import os
import subprocess
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker  # noqa: E402

import confluent_kafka  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic  # noqa: E402

CODECS = {"uncompressed": kproto.CODEC_NONE, "gzip": kproto.CODEC_GZIP, "snappy": kproto.CODEC_SNAPPY,
          "lz4": kproto.CODEC_LZ4, "zstd": kproto.CODEC_ZSTD}
# The producer's codec for each topic codec: always another one.
PRODUCER_CODEC = {"uncompressed": "zstd", "gzip": "lz4", "snappy": "gzip", "lz4": "zstd", "zstd": "lz4"}
T0 = 1700000000000
MESSAGE_TOO_LARGE = 10


def admin(broker):
    return AdminClient({"bootstrap.servers": broker.bootstrap})


def create_topic(broker, name, configs):
    client = admin(broker)  # alive until the result is in
    fs = client.create_topics([NewTopic(name, 1, 1, config=configs)], operation_timeout=30)
    fs[name].result(60)


def messages(tag, n):
    """Compressible records (librdkafka sends a batch plain when its codec
    would not shrink it) with keys, headers and distinct timestamps, some
    keys and values null."""
    out = []
    for i in range(n):
        key = None if i % 11 == 0 else b"key-%d" % i
        value = None if i % 13 == 5 else (b"%s value %05d " % (tag.encode(), i)) * 6
        headers = [("h%d" % j, b"x%d" % (i * j)) for j in range(i % 3)]
        out.append((key, value, headers, T0 + i * 7 - (30 if i % 5 == 4 else 0)))
    return out


def produce(broker, topic, msgs, codec, **conf):
    # A linger far longer than the test: flush() sends at once, so batches are
    # as large as batch.size allows, and compressed.
    p = confluent_kafka.Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 60000,
                                  "compression.codec": codec, **conf})
    for key, value, headers, ts in msgs:
        p.produce(topic, value=value, key=key, headers=headers, partition=0, timestamp=ts)
    assert p.flush(60) == 0


def consume(broker, topic, n):
    return harness.confluent_read(broker, topic, n, "recompress-" + topic)


def check_consumed(broker, topic, msgs, first_offset=0):
    got = consume(broker, topic, first_offset + len(msgs))[first_offset:]
    assert len(got) == len(msgs), "%s: %d records, want %d" % (topic, len(got), len(msgs))
    for i, (m, (key, value, headers, ts)) in enumerate(zip(got, msgs)):
        assert m.offset() == first_offset + i, (topic, i, m.offset())
        assert m.key() == key and m.value() == value, (topic, i, m.key(), m.value())
        assert (m.headers() or []) == headers, (topic, i, m.headers(), headers)
        assert m.timestamp() == (confluent_kafka.TIMESTAMP_CREATE_TIME, ts), (topic, i, m.timestamp(), ts)


def check_kcat(broker, topic, msgs):
    """kcat (its own librdkafka consumer, CRC-checked) reads the same records."""
    res = subprocess.run(["kcat", "-b", broker.bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning",
                          "-e", "-J", "-X", "check.crcs=true", "-c", str(len(msgs))],
                         capture_output=True, timeout=120, check=True)
    lines = [json.loads(line) for line in res.stdout.decode().splitlines() if line.strip()]
    assert len(lines) == len(msgs), (topic, len(lines))
    for i, (rec, (key, value, headers, ts)) in enumerate(zip(lines, msgs)):
        assert rec["offset"] == i and rec["ts"] == ts, (topic, rec)
        assert rec["key"] == (key.decode() if key is not None else None), (topic, rec)
        assert rec["payload"] == (value.decode() if value is not None else None), (topic, rec)
        flat = [x for h in headers for x in (h[0], h[1].decode())]
        assert (rec.get("headers") or []) == flat, (topic, rec.get("headers"), flat)


def stored_batches(broker, topic):
    out = []
    for base in broker.segments(topic, 0):
        with open(broker.segment_path(topic, 0, base), "rb") as f:
            out += kproto.parse_batches(f.read(), allow_partial=False)
    return out


def check_stored(broker, topic, codec, n, first_offset=0):
    """The segment's batches of offsets [first_offset, n) are all of `codec`,
    CRC intact, contiguous, lastOffsetDelta matching their counts."""
    batches = [b for b in stored_batches(broker, topic) if first_offset <= b["base_offset"] < n]
    assert batches, topic
    expect = first_offset
    for b in batches:
        assert b["crc_ok"], (topic, b["base_offset"])
        assert b["magic"] == 2
        assert b["attributes"] & 7 in (codec if isinstance(codec, tuple) else (codec,)), (
            topic, b["base_offset"], b["attributes"] & 7, codec)
        assert b["base_offset"] == expect, (topic, b["base_offset"], expect)
        assert b["last_offset_delta"] == b["count"] - 1
        expect += b["count"]
    assert expect == n, (topic, expect, n)
    return batches


def test_every_topic_codec():
    """each compression.type stores the topic's codec whatever the producer's, records unchanged"""
    b = Broker().start()
    for name, codec in CODECS.items():
        topic = "rc-" + name
        create_topic(b, topic, {"compression.type": name})
        msgs = messages(name, 400)
        produce(b, topic, msgs, PRODUCER_CODEC[name])
        batches = check_stored(b, topic, codec, len(msgs))
        for batch in batches:
            ts = [m[3] for m in msgs[batch["base_offset"]:batch["base_offset"] + batch["count"]]]
            assert batch["base_timestamp"] == ts[0] and batch["max_timestamp"] == max(ts), (topic, batch)
        check_consumed(b, topic, msgs)
        check_kcat(b, topic, msgs)
    b.stop()


def test_same_codec_kept():
    """a batch already in the topic's codec is stored byte for byte as sent"""
    b = Broker().start()
    create_topic(b, "rc-same", {"compression.type": "gzip"})
    batch = kproto.make_batch([(b"k", b"v" * 300, [("h", b"1")])], codec=kproto.CODEC_GZIP)
    with kproto.Conn(b.port) as conn:
        res = kproto.produce(conn, "rc-same", 0, batch)
    assert res["error"] == 0, res
    stored = stored_batches(b, "rc-same")
    assert len(stored) == 1 and stored[0]["raw"][12:] == batch[12:], stored
    b.stop()


def test_raw_batch_rebuilt():
    """a plain batch into a gzip topic: same records, timestamps and headers, new CRC"""
    b = Broker().start()
    create_topic(b, "rc-raw", {"compression.type": "gzip", "compression.gzip.level": "1"})
    recs = [(b"a", b"one" * 50, [("h1", b"x"), ("h2", None)]), (None, b"two" * 50), (b"c", None, [("z", b"")])]
    times = [T0 + 100, T0 + 50, T0 + 400]
    batch = kproto.make_batch(recs, timestamps=times, producer_id=77, producer_epoch=3, base_sequence=0)
    with kproto.Conn(b.port) as conn:
        res = kproto.produce(conn, "rc-raw", 0, batch)
        assert res["error"] == 0 and res["base_offset"] == 0, res
        # The same producer's next batch: sequence checks run on the original header.
        res = kproto.produce(conn, "rc-raw", 0, kproto.make_batch([(None, b"three" * 40)], producer_id=77,
                                                                  producer_epoch=3, base_sequence=3))
        assert res["error"] == 0 and res["base_offset"] == 3, res
    stored = check_stored(b, "rc-raw", kproto.CODEC_GZIP, 4)
    first = stored[0]
    assert (first["producer_id"], first["producer_epoch"], first["base_sequence"]) == (77, 3, 0), first
    assert first["base_timestamp"] == T0 + 100 and first["max_timestamp"] == T0 + 400, first
    want = [(0, T0 + 100, b"a", b"one" * 50, [("h1", b"x"), ("h2", None)]),
            (1, T0 + 50, None, b"two" * 50, []),
            (2, T0 + 400, b"c", None, [("z", b"")])]
    assert kproto.batch_records(first) == want, kproto.batch_records(first)
    assert stored[1]["base_sequence"] == 3 and stored[1]["producer_id"] == 77, stored[1]
    b.stop()


def test_idempotent_producer_fields():
    """an idempotent producer's id, epoch and sequences survive recompression"""
    b = Broker().start()
    create_topic(b, "rc-idem", {"compression.type": "zstd"})
    msgs = messages("idem", 1500)
    produce(b, "rc-idem", msgs, "lz4", **{"enable.idempotence": True, "batch.size": 16384})
    batches = check_stored(b, "rc-idem", kproto.CODEC_ZSTD, len(msgs))
    assert len(batches) > 1, len(batches)
    seq = 0
    for batch in batches:
        assert batch["producer_id"] >= 0 and batch["producer_epoch"] >= 0, batch
        assert batch["base_sequence"] == seq, (batch["base_sequence"], seq)
        seq += batch["count"]
    assert len({batch["producer_id"] for batch in batches}) == 1
    check_consumed(b, "rc-idem", msgs)
    b.stop()


def test_alter_configs_applies_to_later_batches():
    """AlterConfigs compression.type=gzip: earlier batches stay as they were, later ones are gzip"""
    b = Broker().start()
    create_topic(b, "rc-alter", {})
    first = messages("before", 200)
    produce(b, "rc-alter", first, "lz4")
    check_stored(b, "rc-alter", kproto.CODEC_LZ4, 200)
    res = ConfigResource(ConfigResource.Type.TOPIC, "rc-alter", set_config={"compression.type": "gzip"})
    client = admin(b)
    client.alter_configs([res])[res].result(60)
    described = client.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "rc-alter")])
    cfg = list(described.values())[0].result(60)
    assert cfg["compression.type"].value == "gzip", cfg["compression.type"]
    second = messages("after", 200)
    produce(b, "rc-alter", second, "lz4")
    check_stored(b, "rc-alter", kproto.CODEC_LZ4, 200)
    check_stored(b, "rc-alter", kproto.CODEC_GZIP, 400, first_offset=200)
    check_consumed(b, "rc-alter", first + second)
    # After a restart the override still applies.
    b.restart()
    third = messages("restart", 100)
    produce(b, "rc-alter", third, "snappy")
    check_stored(b, "rc-alter", kproto.CODEC_GZIP, 500, first_offset=200)
    b.stop()


def test_broker_default_and_levels():
    """broker compression.type is the topics' default; levels are checked and shown"""
    b = Broker({"compression.type": "snappy", "compression.zstd.level": "9"}).start()
    create_topic(b, "rc-default", {})
    msgs = messages("default", 300)
    produce(b, "rc-default", msgs, "gzip")
    check_stored(b, "rc-default", kproto.CODEC_SNAPPY, 300)
    check_consumed(b, "rc-default", msgs)
    client = admin(b)
    described = client.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "rc-default")])
    cfg = list(described.values())[0].result(60)
    assert cfg["compression.type"].value == "snappy", cfg["compression.type"]
    assert cfg["compression.zstd.level"].value == "9", cfg["compression.zstd.level"]
    assert cfg["compression.lz4.level"].value == "9" and cfg["compression.gzip.level"].value == "-1"
    # A topic of its own keeps producer compression.
    create_topic(b, "rc-producer", {"compression.type": "producer"})
    produce(b, "rc-producer", messages("p", 100), "lz4")
    # As the producer sent them: lz4, not the broker's snappy.  librdkafka
    # sends a batch uncompressed when lz4 would not make it smaller, which
    # under load a small first batch can be.
    stored = check_stored(b, "rc-producer", (kproto.CODEC_LZ4, kproto.CODEC_NONE), 100)
    assert any(x["attributes"] & 7 == kproto.CODEC_LZ4 for x in stored), stored
    for key, value in (("compression.gzip.level", "0"), ("compression.lz4.level", "18"),
                       ("compression.zstd.level", "23"), ("compression.type", "brotli")):
        fs = client.create_topics([NewTopic("rc-bad", 1, 1, config={key: value})], operation_timeout=30)
        try:
            fs["rc-bad"].result(60)
            raise AssertionError("%s=%s accepted" % (key, value))
        except confluent_kafka.KafkaException as e:
            assert e.args[0].code() == confluent_kafka.KafkaError.INVALID_CONFIG, (key, e)
    b.stop()


def test_too_large_once_rewritten():
    """a gzip batch that fits max.message.bytes but not once uncompressed is refused"""
    b = Broker().start()
    create_topic(b, "rc-large", {"compression.type": "uncompressed", "max.message.bytes": "4000"})
    batch = kproto.make_batch([(None, b"z" * 20000)], codec=kproto.CODEC_GZIP)
    assert len(batch) < 4000
    with kproto.Conn(b.port) as conn:
        res = kproto.produce(conn, "rc-large", 0, batch)
        assert res["error"] == MESSAGE_TOO_LARGE, res
        res = kproto.produce(conn, "rc-large", 0, kproto.make_batch([(None, b"z" * 200)], codec=kproto.CODEC_GZIP))
        assert res["error"] == 0 and res["base_offset"] == 0, res
    check_stored(b, "rc-large", kproto.CODEC_NONE, 1)
    b.stop()


if __name__ == "__main__":
    harness.main(globals())
