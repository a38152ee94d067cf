"""connectctl produce as kafka-console-producer, against a real broker: the
LineMessageReader properties (parse.key, key.separator, parse.headers,
headers.delimiter, headers.separator, headers.key.separator, null.marker),
--producer-property/--producer.config, --request-required-acks,
--compression-codec (checked in the stored batch) and --sync (one Produce
request per line, seen on the wire)."""

import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker, ctl  # noqa: E402

PRODUCE_API = 0


def started():
    b = Broker()
    b.start()
    return b


def produce(b, lines, *args, check=True):
    return ctl(b, "produce", "--topic", "t", *args, input="".join(line + "\n" for line in lines).encode(),
               check=check)


def read_back(b, n, topic="t"):
    """(headers, key, value) of the first n records, through confluent-kafka."""
    import confluent_kafka
    c = confluent_kafka.Consumer({"bootstrap.servers": b.bootstrap, "group.id": "read-back-%s" % topic,
                                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    out = []
    try:
        def attempt():
            m = c.poll(1.0)
            if m is not None:
                assert m.error() is None, m.error()
                out.append((m.headers() or [], m.key(), m.value()))
            return len(out) >= n
        harness.wait_for(attempt, what="%d records" % n)
    finally:
        c.close()
    return out


def test_line_reader_properties():
    """headers, key and value from one line, with every separator and the null marker"""
    b = started()
    ctl(b, "topics", "--create", "--topic", "t")
    produce(b, ["h1:v1,h2:v2\tk1\tvalue one", "\tk2\tvalue two", "h3:NULL\tNULL\tNULL"],
            "--property", "parse.headers=true", "--property", "parse.key=true", "--property", "null.marker=NULL")
    assert read_back(b, 3) == [([("h1", b"v1"), ("h2", b"v2")], b"k1", b"value one"),
                               ([], b"k2", b"value two"),
                               ([("h3", None)], None, None)]
    ctl(b, "topics", "--create", "--topic", "t2")
    ctl(b, "produce", "--topic", "t2", "--property", "parse.headers=true", "--property", "parse.key=true",
        "--property", "headers.delimiter=|", "--property", "headers.separator=;", "--property",
        "headers.key.separator==", "--property", "key.separator=::", "--header", "fixed=1",
        input=b"a=1;b=2|key::val::ue\n")
    assert read_back(b, 1, "t2") == [([("fixed", b"1"), ("a", b"1"), ("b", b"2")], b"key", b"val::ue")]
    for lines, props, want in (
            (["no-delimiter"], ["parse.headers=true"],
             "connectctl: line 1 has no headers delimiter '\t' (parse.headers=true)\n"),
            (["h1\tv"], ["parse.headers=true"], "connectctl: line 1: header 'h1' has no headers.key.separator ':'\n"),
            (["N:x\tv"], ["parse.headers=true", "null.marker=N"],
             "connectctl: line 1: a header key cannot be the null.marker 'N'\n"),
            (["ok\tv", "no-separator"], ["parse.key=true"],
             "connectctl: line 2 has no key separator '\t' (parse.key=true)\n")):
        args = []
        for p in props:
            args += ["--property", p]
        rc, _, err = produce(b, lines, *args, check=False)
        assert rc == 1 and err == want, (lines, err)
    produce(b, ["no-separator"], "--property", "parse.key=true", "--property", "ignore.error=true")
    rc, _, err = produce(b, ["x"], "--property", "parse.keys=true", check=False)
    assert rc == 2 and err.startswith("connectctl produce: unknown --property 'parse.keys'"), err


def stored_codec(b, topic):
    """The compression codec (attributes & 7) of the first batch in the topic's log."""
    def attempt():
        with open(b.segment_path(topic, 0, 0), "rb") as f:
            head = f.read(23)
        return head if len(head) == 23 else None
    head = harness.wait_for(attempt, what="a batch in %s" % topic)
    assert head[16] == 2, head  # magic
    return struct.unpack(">h", head[21:23])[0] & 7


def test_acks_compression_and_config():
    """--request-required-acks, --compression-codec, --producer-property, --producer.config"""
    b = started()
    for acks in ("0", "1", "all", "-1"):
        topic = "acks" + acks
        ctl(b, "topics", "--create", "--topic", topic)
        ctl(b, "produce", "--topic", topic, "--request-required-acks", acks, input=b"a\nb\n")
        assert [r[2] for r in read_back(b, 2, topic)] == [b"a", b"b"], acks
    rc, _, err = produce(b, ["x"], "--request-required-acks", "some", check=False)
    assert rc == 2 and err == "connectctl produce: --request-required-acks expects -1, all, 0 or 1, got 'some'\n", err
    for codec, number in (("none", 0), ("gzip", 1), ("snappy", 2), ("lz4", 3), ("zstd", 4), (None, 1)):
        topic = "codec-%s" % codec
        ctl(b, "topics", "--create", "--topic", topic)
        args = ["--compression-codec"] + ([codec] if codec else [])
        ctl(b, "produce", "--topic", topic, *args, input=b"compressible " * 20 + b"\n")
        assert stored_codec(b, topic) == number, codec
    rc, _, err = produce(b, ["x"], "--compression-codec", "brotli", check=False)
    assert rc == 2 and "--compression-codec expects none, gzip, snappy, lz4 or zstd, got 'brotli'" in err, err
    conf = os.path.join(harness.tmpdir(), "producer.properties")
    with open(conf, "w") as f:
        f.write("compression.codec=lz4\n")
    ctl(b, "topics", "--create", "--topic", "from-file")
    # librdkafka sends a batch uncompressed when compressing does not shrink it.
    compressible = b"compressible " * 20 + b"\n"
    ctl(b, "produce", "--topic", "from-file", "--producer.config", conf, input=compressible)
    assert stored_codec(b, "from-file") == 3
    ctl(b, "topics", "--create", "--topic", "from-flag")
    ctl(b, "produce", "--topic", "from-flag", "--producer.config", conf, "--producer-property",
        "compression.codec=snappy", input=compressible)
    assert stored_codec(b, "from-flag") == 2
    rc, _, err = produce(b, ["x"], "--producer-property", "nonsense=1", check=False)
    assert rc == 2 and err.startswith("connectctl: --producer-property nonsense=1: No such configuration"), err


def test_sync():
    """--sync sends one Produce request per line; without it, lines are batched"""
    tap = harness.RequestTap()
    tap.broker.start()
    ctl(tap, "topics", "--create", "--topic", "t")
    before = len([r for r in tap.requests() if r[0] == PRODUCE_API])
    ctl(tap, "produce", "--topic", "t", "--producer-property", "linger.ms=1000", input=b"1\n2\n3\n4\n5\n")
    batched = len([r for r in tap.requests() if r[0] == PRODUCE_API]) - before
    assert batched == 1, batched
    ctl(tap, "produce", "--topic", "t", "--sync", "--producer-property", "linger.ms=1000",
        input=b"6\n7\n8\n9\n10\n")
    synced = len([r for r in tap.requests() if r[0] == PRODUCE_API]) - before - batched
    assert synced == 5, synced
    assert [r[2] for r in read_back(tap, 10)] == [str(i).encode() for i in range(1, 11)]


harness.main(globals())
