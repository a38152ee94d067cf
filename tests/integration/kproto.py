"""A small raw Kafka protocol client for tests that real clients cannot
express: malformed frames, hand-made record batches, DeleteRecords (which
confluent-kafka 1.7 has no API for), exact error codes.

Field layouts follow /work/shared/reference/kafka-protocol.md §3 and §4 (the
Apache Kafka JSON schemas).  Only the versions the tests use are encoded.
"""

import gzip
import socket
import struct
import time
import zlib

# API keys
PRODUCE, FETCH, LIST_OFFSETS, METADATA = 0, 1, 2, 3
API_VERSIONS, CREATE_TOPICS, DELETE_TOPICS, DELETE_RECORDS = 18, 19, 20, 21
INIT_PRODUCER_ID, FIND_COORDINATOR = 22, 10
OFFSET_COMMIT, OFFSET_FETCH, JOIN_GROUP, HEARTBEAT = 8, 9, 11, 12
LEAVE_GROUP, SYNC_GROUP, DESCRIBE_GROUPS, LIST_GROUPS, DELETE_GROUPS = 13, 14, 15, 16, 42
OFFSET_DELETE = 47

# The ranges of reference §0, with one departure librdkafka 2.0's feature
# checks force (broker/protocol/api.c): Produce starts at v0 (else gzip, snappy and
# lz4 are turned off).
EXPECTED_API_RANGES = {
    PRODUCE: (0, 9), FETCH: (0, 13), LIST_OFFSETS: (0, 7), METADATA: (0, 12),
    OFFSET_COMMIT: (2, 8), OFFSET_FETCH: (1, 8), FIND_COORDINATOR: (0, 4),
    JOIN_GROUP: (0, 9), HEARTBEAT: (0, 4), LEAVE_GROUP: (0, 5), SYNC_GROUP: (0, 5),
    DESCRIBE_GROUPS: (0, 5), LIST_GROUPS: (0, 4),
    API_VERSIONS: (0, 3), CREATE_TOPICS: (2, 7), DELETE_TOPICS: (0, 6),
    DELETE_RECORDS: (0, 2), INIT_PRODUCER_ID: (0, 4), 23: (0, 3), 32: (1, 4), 33: (0, 2), 37: (0, 3),
    DELETE_GROUPS: (0, 2), 44: (0, 1), OFFSET_DELETE: (0, 0),
}

# ---- CRC-32C (Castagnoli), for hand-made batches -----------------------------

def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283

# ---- primitive encoding -------------------------------------------------------

def i8(v): return struct.pack(">b", v)
def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def nbytes(b):
    return i32(-1) if b is None else i32(len(b)) + b


def array(items, enc):
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(enc(x) for x in items)


def uvarint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def varint(v):
    return uvarint((v << 1) ^ (v >> 63))  # zig-zag


def compact_string(s):
    if s is None:
        return uvarint(0)
    b = s.encode()
    return uvarint(len(b) + 1) + b


def compact_array(items, enc):
    """COMPACT_ARRAY (flexible versions): N + 1, 0 for null."""
    if items is None:
        return uvarint(0)
    return uvarint(len(items) + 1) + b"".join(enc(x) for x in items)


TAGS = b"\x00"  # an empty TAGGED_FIELDS section


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("response truncated at byte %d (need %d more)" % (self.pos, n))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def i8(self): return struct.unpack(">b", self.take(1))[0]
    def i16(self): return struct.unpack(">h", self.take(2))[0]
    def i32(self): return struct.unpack(">i", self.take(4))[0]
    def i64(self): return struct.unpack(">q", self.take(8))[0]
    def u32(self): return struct.unpack(">I", self.take(4))[0]

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode()

    def nbytes(self):
        n = self.i32()
        return None if n < 0 else self.take(n)

    def array(self, dec):
        n = self.i32()
        return None if n < 0 else [dec(self) for _ in range(n)]

    # Compact forms of flexible versions (KIP-482): uvarint length + 1.
    def cstring(self):
        n = self.uvarint() - 1
        return None if n < 0 else self.take(n).decode()

    def cbytes(self):
        n = self.uvarint() - 1
        return None if n < 0 else self.take(n)

    def carray(self, dec):
        n = self.uvarint() - 1
        return None if n < 0 else [dec(self) for _ in range(n)]

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())

    def uuid(self):
        return self.take(16)

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def varint(self):
        u = self.uvarint()
        return (u >> 1) ^ -(u & 1)

    def remaining(self):
        return len(self.data) - self.pos

# ---- record batches (magic 2) -----------------------------------------------

CODEC_NONE, CODEC_GZIP, CODEC_SNAPPY, CODEC_LZ4, CODEC_ZSTD = 0, 1, 2, 3, 4


def encode_record(offset_delta, ts_delta, key, value, headers=()):
    body = i8(0) + varint(ts_delta) + varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(-1) if value is None else varint(len(value)) + value
    body += varint(len(headers))
    for hk, hv in headers:
        hk = hk.encode()
        body += varint(len(hk)) + hk
        body += varint(-1) if hv is None else varint(len(hv)) + hv
    return varint(len(body)) + body


def make_batch(records, timestamps=None, codec=CODEC_NONE, producer_id=-1, producer_epoch=-1,
               base_sequence=-1, attributes=None, magic=2, last_offset_delta=None, count=None,
               bad_crc=False):
    """A RecordBatch v2.  `records` is a list of (key, value) or
    (key, value, headers).  The other arguments exist so tests can build
    batches that break one rule at a time."""
    now = int(time.time() * 1000)
    timestamps = timestamps or [now] * len(records)
    recs = b""
    for i, rec in enumerate(records):
        key, value = rec[0], rec[1]
        headers = rec[2] if len(rec) > 2 else ()
        recs += encode_record(i, timestamps[i] - timestamps[0], key, value, headers)
    if codec == CODEC_GZIP:
        recs = gzip.compress(recs)
    elif codec != CODEC_NONE:
        raise ValueError("only gzip is implemented here")
    attrs = codec if attributes is None else attributes
    n = len(records)
    after_crc = (i16(attrs) + i32(n - 1 if last_offset_delta is None else last_offset_delta)
                 + i64(timestamps[0]) + i64(max(timestamps)) + i64(producer_id)
                 + i16(producer_epoch) + i32(base_sequence) + i32(n if count is None else count)
                 + recs)
    crc = crc32c(after_crc)
    if bad_crc:
        crc ^= 0x5A5A5A5A
    # batchLength counts everything after itself: epoch, magic, crc, rest.
    return i64(0) + i32(4 + 1 + 4 + len(after_crc)) + i32(0) + i8(magic) \
        + struct.pack(">I", crc) + after_crc


def make_message(offset, key, value, magic=1, timestamp=-1, attributes=0, bad_crc=False):
    """One message of the old format (magic 0 or 1, AK LegacyRecord): CRC-32
    (zlib's) over magic..value; a timestamp only in magic 1."""
    body = i8(magic) + i8(attributes) + (i64(timestamp) if magic == 1 else b"") + nbytes(key) + nbytes(value)
    crc = zlib.crc32(body) ^ (0x5A5A5A5A if bad_crc else 0)
    message = struct.pack(">I", crc) + body
    return i64(offset) + i32(len(message)) + message


def make_message_set(records, magic=1, timestamps=None, codec=CODEC_NONE):
    """The message set a client before Kafka 0.11 sends: plain messages, or
    with gzip one wrapper holding them (inner offsets relative, as in magic 1)."""
    timestamps = timestamps or [-1] * len(records)
    plain = b"".join(make_message(i, k, v, magic, timestamps[i]) for i, (k, v) in enumerate(records))
    if codec == CODEC_NONE:
        return plain
    if codec != CODEC_GZIP:
        raise ValueError("only gzip is implemented here")
    return make_message(len(records) - 1, None, gzip.compress(plain), magic, max(timestamps), attributes=codec)


def parse_messages(data):
    """Splits an old-format message set (a Fetch v0-v3 answer) into (offset,
    magic, attributes, timestamp, key, value), checking each CRC.  A trailing
    partial message is dropped, as clients do."""
    out = []
    pos = 0
    while len(data) - pos >= 12:
        offset, size = struct.unpack_from(">qi", data, pos)
        if len(data) - pos - 12 < size:
            break
        msg = data[pos + 12:pos + 12 + size]
        crc, magic, attributes = struct.unpack_from(">Ibb", msg, 0)
        assert crc == zlib.crc32(msg[4:]), "bad CRC in message at offset %d" % offset
        at = 6
        timestamp = None
        if magic == 1:
            timestamp, = struct.unpack_from(">q", msg, at)
            at += 8
        fields = []
        for _ in range(2):
            n, = struct.unpack_from(">i", msg, at)
            at += 4
            fields.append(None if n < 0 else msg[at:at + n])
            at += max(n, 0)
        assert at == len(msg), "message at offset %d has trailing bytes" % offset
        out.append((offset, magic, attributes, timestamp, fields[0], fields[1]))
        pos += 12 + size
    return out


def parse_batches(data, allow_partial=True):
    """Splits concatenated batches (a Fetch's records or a .log file).
    Returns dicts of the header fields, with 'crc_ok' and 'raw'.  A trailing
    partial batch (allowed in Fetch responses) is dropped."""
    out = []
    pos = 0
    while pos + 12 <= len(data):
        base_offset, length = struct.unpack(">qi", data[pos:pos + 12])
        if pos + 12 + length > len(data):
            if allow_partial:
                break
            raise ValueError("partial batch at byte %d" % pos)
        raw = data[pos:pos + 12 + length]
        r = Reader(raw[12:])
        b = {"base_offset": base_offset, "length": length, "raw": raw, "pos": pos}
        b["leader_epoch"] = r.i32()
        b["magic"] = r.i8()
        b["crc"] = r.u32()
        b["crc_ok"] = crc32c(raw[21:]) == b["crc"]
        b["attributes"] = r.i16()
        b["last_offset_delta"] = r.i32()
        b["base_timestamp"] = r.i64()
        b["max_timestamp"] = r.i64()
        b["producer_id"] = r.i64()
        b["producer_epoch"] = r.i16()
        b["base_sequence"] = r.i32()
        b["count"] = r.i32()
        b["records_data"] = raw[61:]
        b["last_offset"] = base_offset + b["last_offset_delta"]
        out.append(b)
        pos += 12 + length
    return out


def batch_records(batch):
    """Records of an uncompressed or gzip batch as (offset, timestamp, key, value, headers)."""
    codec = batch["attributes"] & 7
    data = batch["records_data"]
    if codec == CODEC_GZIP:
        data = gzip.decompress(data)
    elif codec != CODEC_NONE:
        raise ValueError("codec %d not decodable here" % codec)
    r = Reader(data)
    out = []
    for _ in range(batch["count"]):
        r.varint()  # length
        r.i8()
        ts = batch["base_timestamp"] + r.varint()
        off = batch["base_offset"] + r.varint()
        n = r.varint()
        key = None if n < 0 else r.take(n)
        n = r.varint()
        value = None if n < 0 else r.take(n)
        headers = []
        for _ in range(r.varint()):
            hk = r.take(r.varint()).decode()
            n = r.varint()
            headers.append((hk, None if n < 0 else r.take(n)))
        out.append((off, ts, key, value, headers))
    return out

# ---- connection ----------------------------------------------------------------

def request_header(api_key, version, corr, client_id="kproto", flexible=False):
    """Request header v1 (v2 when flexible: the same plus empty tagged fields)."""
    h = i16(api_key) + i16(version) + i32(corr) + string(client_id)
    return h + (b"\x00" if flexible else b"")


class Closed(Exception):
    """The broker closed the connection."""


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=60.0, client_id="kproto"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.client_id = client_id
        self.next_corr = 1

    @property
    def local_port(self):
        return self.sock.getsockname()[1]

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def header(self, api_key, version, corr, flexible=False):
        return request_header(api_key, version, corr, self.client_id, flexible)

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, api_key, version, body, flexible=None):
        """Sends one framed request; returns its correlation id."""
        if flexible is None:
            flexible = api_key == API_VERSIONS and version >= 3
        corr = self.next_corr
        self.next_corr += 1
        frame = self.header(api_key, version, corr, flexible) + body
        self.sock.sendall(i32(len(frame)) + frame)
        return corr

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("connection closed after %d of %d bytes" % (len(buf), n))
            buf += chunk
        return buf

    def recv(self):
        """One response: (correlation id, body Reader).  Raises Closed."""
        size = struct.unpack(">i", self._recv_exact(4))[0]
        data = self._recv_exact(size)
        return struct.unpack(">i", data[:4])[0], Reader(data[4:])

    def request(self, api_key, version, body, flexible=None):
        corr = self.send(api_key, version, body, flexible)
        got, r = self.recv()
        assert got == corr, "correlation id %d, expected %d" % (got, corr)
        return r

    def request_flex(self, api_key, version, body):
        """A flexible version: request header v2, response header v1 (its
        tag section is read here)."""
        corr = self.send(api_key, version, body, flexible=True)
        got, r = self.recv()
        assert got == corr, "correlation id %d, expected %d" % (got, corr)
        r.tags()
        return r

    def closed_by_peer(self, timeout=60.0):
        """True if the broker closes the connection (reads EOF) within
        `timeout`; any bytes it sends first are returned as the second item."""
        self.sock.settimeout(timeout)
        data = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True, data
                data += chunk
        except ConnectionResetError:
            return True, data
        except socket.timeout:
            return False, data

# ---- requests and responses --------------------------------------------------

def api_versions(conn, version=3):
    body = b""
    if version >= 3:
        body = compact_string("kproto") + compact_string("1.0") + b"\x00"
    r = conn.request(API_VERSIONS, version, body)
    return decode_api_versions(r, version)


def decode_api_versions(r, version):
    """{'error': code, 'apis': {key: (min, max)}}.  Versions the broker does
    not know are answered in the v0 layout (KIP-511)."""
    err = r.i16()
    apis = {}
    if version >= 3 and err == 0:
        for _ in range(r.uvarint() - 1):
            key, lo, hi = r.i16(), r.i16(), r.i16()
            r.uvarint()  # tags
            apis[key] = (lo, hi)
    else:
        for _ in range(r.i32()):
            key, lo, hi = r.i16(), r.i16(), r.i16()
            apis[key] = (lo, hi)
    return {"error": err, "apis": apis}


def metadata(conn, topics=None, allow_auto_create=False):
    body = array(topics, string) + i8(1 if allow_auto_create else 0)
    r = conn.request(METADATA, 4, body)
    r.i32()  # throttle
    brokers = r.array(lambda r: (r.i32(), r.string(), r.i32(), r.string()))
    cluster_id = r.string()
    controller = r.i32()

    def partition(r):
        return {"error": r.i16(), "index": r.i32(), "leader": r.i32(),
                "replicas": r.array(Reader.i32), "isr": r.array(Reader.i32)}

    def topic(r):
        return {"error": r.i16(), "name": r.string(), "internal": r.i8() != 0,
                "partitions": r.array(partition)}

    return {"brokers": brokers, "cluster_id": cluster_id, "controller": controller,
            "topics": {t["name"]: t for t in r.array(topic)}}


def produce_body(topic, partition, batch, acks=-1, timeout_ms=30000, transactional_id=None,
                 version=7):
    """TransactionalId exists from v3 on; v0-v7 are otherwise the same."""
    return ((string(transactional_id) if version >= 3 else b"") + i16(acks) + i32(timeout_ms)
            + array([topic], lambda t: string(t)
                    + array([partition], lambda p: i32(p) + nbytes(batch))))


def produce(conn, topic, partition, batch, acks=-1, version=7):
    """Returns the partition result dict (error, base_offset, log_start_offset)."""
    r = conn.request(PRODUCE, version, produce_body(topic, partition, batch, acks))
    return decode_produce(r, version)


def decode_produce(r, version):
    topics = r.array(lambda r: (r.string(), r.array(lambda r: {
        "index": r.i32(), "error": r.i16(), "base_offset": r.i64(),
        "log_append_time": r.i64() if version >= 2 else None,
        "log_start_offset": r.i64() if version >= 5 else None})))
    if version >= 1:
        r.i32()  # throttle, last in Produce
    assert r.remaining() == 0, "%d bytes after the Produce v%d response" % (r.remaining(), version)
    assert len(topics) == 1 and len(topics[0][1]) == 1, "produce response must mirror the request"
    return topics[0][1][0]


def find_coordinator(conn, key, version=2, key_type=0):
    """Returns (error, node_id, host, port)."""
    body = string(key) + (i8(key_type) if version >= 1 else b"")
    r = conn.request(FIND_COORDINATOR, version, body)
    if version >= 1:
        r.i32()  # throttle
    err = r.i16()
    if version >= 1:
        r.string()  # error message
    return err, r.i32(), r.string(), r.i32()


def list_offsets(conn, topic, partition, timestamp):
    """Returns (error, timestamp, offset) for one partition (ListOffsets v2)."""
    body = i32(-1) + i8(0) + array([topic], lambda t: string(t) + array(
        [partition], lambda p: i32(p) + i64(timestamp)))
    r = conn.request(LIST_OFFSETS, 2, body)
    r.i32()
    topics = r.array(lambda r: (r.string(), r.array(
        lambda r: (r.i32(), r.i16(), r.i64(), r.i64()))))
    _, err, ts, off = topics[0][1][0]
    return err, ts, off


def earliest(conn, topic, partition):
    err, _, off = list_offsets(conn, topic, partition, -2)
    assert err == 0, "ListOffsets earliest error %d" % err
    return off


def latest(conn, topic, partition):
    err, _, off = list_offsets(conn, topic, partition, -1)
    assert err == 0, "ListOffsets latest error %d" % err
    return off


def delete_records(conn, topic, partition, offset):
    """Returns (error, low_watermark)."""
    body = array([topic], lambda t: string(t) + array(
        [partition], lambda p: i32(p) + i64(offset))) + i32(30000)
    r = conn.request(DELETE_RECORDS, 1, body)
    r.i32()
    topics = r.array(lambda r: (r.string(), r.array(lambda r: (r.i32(), r.i64(), r.i16()))))
    _, low, err = topics[0][1][0]
    return err, low


def init_producer_id(conn, transactional_id=None):
    """Returns (error, producer_id, epoch)."""
    r = conn.request(INIT_PRODUCER_ID, 1, string(transactional_id) + i32(60000))
    r.i32()
    return r.i16(), r.i64(), r.i16()


def fetch_body(topic, partition, offset, max_wait_ms=500, min_bytes=1, max_bytes=1 << 20,
               partition_max_bytes=1 << 20, replica_id=-1):
    return (i32(replica_id) + i32(max_wait_ms) + i32(min_bytes) + i32(max_bytes) + i8(0)
            + i32(0) + i32(-1)
            + array([topic], lambda t: string(t) + array([partition], lambda p: (
                i32(p) + i32(-1) + i64(offset) + i64(-1) + i32(partition_max_bytes))))
            + array([], None) + string(""))


def decode_fetch(r):
    """Fetch v11 response for one partition: dict with error, hwm, records."""
    r.i32()  # throttle
    top_err = r.i16()
    r.i32()  # session id
    topics = r.array(lambda r: (r.string(), r.array(lambda r: {
        "index": r.i32(), "error": r.i16(), "hwm": r.i64(), "lso": r.i64(),
        "log_start_offset": r.i64(),
        "aborted": r.array(lambda r: (r.i64(), r.i64())),
        "preferred_read_replica": r.i32(), "records": r.nbytes()})))
    part = topics[0][1][0]
    part["top_error"] = top_err
    return part


def fetch(conn, topic, partition, offset, **kw):
    r = conn.request(FETCH, 11, fetch_body(topic, partition, offset, **kw))
    return decode_fetch(r)


def read_all(conn, topic, partition, start=None):
    """Every record from `start` (default: earliest) to the high watermark,
    as (offset, timestamp, key, value, headers), checking every batch's CRC.
    Only for uncompressed/gzip batches."""
    offset = earliest(conn, topic, partition) if start is None else start
    end = latest(conn, topic, partition)
    out = []
    while offset < end:
        part = fetch(conn, topic, partition, offset, max_wait_ms=100)
        assert part["error"] == 0, "fetch error %d at offset %d" % (part["error"], offset)
        batches = parse_batches(part["records"] or b"")
        assert batches, "fetch at %d below the high watermark %d returned nothing" % (offset, end)
        for b in batches:
            assert b["crc_ok"], "batch at offset %d has a bad CRC" % b["base_offset"]
            for rec in batch_records(b):
                if rec[0] >= offset:
                    out.append(rec)
            offset = max(offset, b["last_offset"] + 1)
    return out


# ---- consumer groups (classic protocol) ---------------------------------------

def nstring(s):
    return i16(-1) if s is None else string(s)


def join_group(conn, group, member_id="", protocols=(("range", b"\x00\x00"),), version=5,
               session_timeout_ms=10000, rebalance_timeout_ms=30000, protocol_type="consumer",
               instance_id=None):
    """JoinGroup; returns a dict of the response fields."""
    body = string(group) + i32(session_timeout_ms)
    if version >= 1:
        body += i32(rebalance_timeout_ms)
    body += string(member_id)
    if version >= 5:
        body += nstring(instance_id)
    body += string(protocol_type) + array(protocols, lambda p: string(p[0]) + nbytes(p[1]))
    r = conn.request(JOIN_GROUP, version, body)
    if version >= 2:
        r.i32()  # throttle
    res = {"error": r.i16(), "generation": r.i32(), "protocol": r.string(),
           "leader": r.string(), "member_id": r.string()}
    res["members"] = r.array(lambda r: (r.string(), r.string() if version >= 5 else None, r.nbytes()))
    return res


def sync_group(conn, group, generation, member_id, assignments=(), version=3, instance_id=None):
    """SyncGroup; assignments: [(member_id, bytes)].  Returns (error, assignment)."""
    body = string(group) + i32(generation) + string(member_id)
    if version >= 3:
        body += nstring(instance_id)
    body += array(assignments, lambda a: string(a[0]) + nbytes(a[1]))
    r = conn.request(SYNC_GROUP, version, body)
    if version >= 1:
        r.i32()
    return r.i16(), r.nbytes()


def heartbeat(conn, group, generation, member_id, version=3, instance_id=None):
    body = string(group) + i32(generation) + string(member_id)
    if version >= 3:
        body += nstring(instance_id)
    r = conn.request(HEARTBEAT, version, body)
    if version >= 1:
        r.i32()
    return r.i16()


def leave_group(conn, group, member_id, version=1):
    r = conn.request(LEAVE_GROUP, version, string(group) + string(member_id))
    if version >= 1:
        r.i32()
    return r.i16()


def offset_commit(conn, group, offsets, generation=-1, member_id="", version=5):
    """offsets: [(topic, partition, offset, metadata)].  Returns
    {(topic, partition): error}."""
    topics = {}
    for t, p, o, m in offsets:
        topics.setdefault(t, []).append((p, o, m))
    body = string(group) + i32(generation) + string(member_id)
    if version <= 4:
        body += i64(-1)  # retention time: the broker's
    body += array(list(topics.items()), lambda t: string(t[0]) + array(
        t[1], lambda p: i32(p[0]) + i64(p[1]) + nstring(p[2])))
    r = conn.request(OFFSET_COMMIT, version, body)
    if version >= 3:
        r.i32()
    out = {}
    for name, parts in r.array(lambda r: (r.string(), r.array(lambda r: (r.i32(), r.i16())))):
        for p, err in parts:
            out[(name, p)] = err
    return out


def offset_fetch(conn, group, partitions=None, version=4):
    """partitions: [(topic, partition)] or None for all.  Returns
    (error, {(topic, partition): (offset, metadata, error)})."""
    if partitions is None:
        body = string(group) + i32(-1)
    else:
        topics = {}
        for t, p in partitions:
            topics.setdefault(t, []).append(p)
        body = string(group) + array(list(topics.items()),
                                     lambda t: string(t[0]) + array(t[1], i32))
    r = conn.request(OFFSET_FETCH, version, body)
    if version >= 3:
        r.i32()
    out = {}
    for name, parts in r.array(lambda r: (r.string(), r.array(
            lambda r: (r.i32(), r.i64(), r.string(), r.i16())))):
        for p, off, meta, err in parts:
            out[(name, p)] = (off, meta, err)
    return (r.i16() if version >= 2 else 0), out


def describe_group(conn, group, version=2):
    """Returns a dict: error, state, protocol_type, protocol, members
    [(member_id, client_id, client_host, metadata, assignment)]."""
    r = conn.request(DESCRIBE_GROUPS, version, array([group], string))
    if version >= 1:
        r.i32()
    groups = r.array(lambda r: {
        "error": r.i16(), "group": r.string(), "state": r.string(), "protocol_type": r.string(),
        "protocol": r.string(),
        "members": r.array(lambda r: (r.string(), r.string(), r.string(), r.nbytes(), r.nbytes()))})
    return groups[0]


def carray(items, enc):
    """COMPACT_ARRAY; None writes a null."""
    if items is None:
        return uvarint(0)
    return uvarint(len(items) + 1) + b"".join(enc(x) for x in items)


def describe_group_v5(conn, group):
    """DescribeGroups v5 (flexible); members are dicts with instance_id."""
    r = conn.request(DESCRIBE_GROUPS, 5, carray([group], compact_string) + b"\x01\x00", flexible=True)
    r.tags()  # response header v1
    r.i32()

    def member(r):
        m = {"member_id": r.cstring(), "instance_id": r.cstring(), "client_id": r.cstring(),
             "client_host": r.cstring(), "metadata": r.cbytes(), "assignment": r.cbytes()}
        r.tags()
        return m

    def described(r):
        g = {"error": r.i16(), "group": r.cstring(), "state": r.cstring(), "protocol_type": r.cstring(),
             "protocol": r.cstring(), "members": r.carray(member), "authorized_operations": r.i32()}
        r.tags()
        return g
    groups = r.carray(described)
    r.tags()
    return groups[0]


def list_groups_v4(conn, states=()):
    """ListGroups v4 (KIP-518).  Returns (error, [(group, protocol_type, state)])."""
    r = conn.request(LIST_GROUPS, 4, carray(list(states), compact_string) + b"\x00", flexible=True)
    r.tags()
    r.i32()
    err = r.i16()

    def listed(r):
        g = (r.cstring(), r.cstring(), r.cstring())
        r.tags()
        return g
    groups = r.carray(listed)
    r.tags()
    return err, groups


def offset_fetch_v8(conn, groups):
    """OffsetFetch v8 (KIP-709): groups is {group: [(topic, partition)] or
    None (all)}.  Returns {group: (error, {(topic, partition): (offset,
    leader_epoch, metadata, error)})}."""
    def group(item):
        name, parts = item
        topics = None
        if parts is not None:
            by_topic = {}
            for t, p in parts:
                by_topic.setdefault(t, []).append(p)
            topics = list(by_topic.items())
        return (compact_string(name) + carray(topics, lambda t: compact_string(t[0]) + carray(t[1], i32) + b"\x00")
                + b"\x00")
    body = carray(list(groups.items()), group) + b"\x00" + b"\x00"  # RequireStable false, tags
    r = conn.request(OFFSET_FETCH, 8, body, flexible=True)
    r.tags()
    r.i32()
    out = {}

    def partition(r):
        p = (r.i32(), r.i64(), r.i32(), r.cstring(), r.i16())
        r.tags()
        return p

    def topic(r):
        t = (r.cstring(), r.carray(partition))
        r.tags()
        return t
    for _ in range(r.uvarint() - 1):
        name = r.cstring()
        offsets = {}
        for t, parts in r.carray(topic):
            for p, off, epoch, meta, err in parts:
                offsets[(t, p)] = (off, epoch, meta, err)
        out[name] = (r.i16(), offsets)
        r.tags()
    r.tags()
    return out


def list_groups(conn, version=2):
    """Returns (error, [(group, protocol_type)])."""
    r = conn.request(LIST_GROUPS, version, b"")
    if version >= 1:
        r.i32()
    return r.i16(), r.array(lambda r: (r.string(), r.string()))


def delete_groups(conn, groups, version=1):
    """Returns {group: error}; v2 is flexible (compact forms, tag sections)."""
    if version >= 2:
        r = conn.request_flex(DELETE_GROUPS, version, compact_array(groups, compact_string) + TAGS)
        r.i32()
        return dict(r.carray(lambda r: (r.cstring(), r.i16(), r.tags())[:2]))
    r = conn.request(DELETE_GROUPS, version, array(groups, string))
    r.i32()
    return dict(r.array(lambda r: (r.string(), r.i16())))


def offset_delete(conn, group, topics, version=0):
    """topics: {name: [partition, ...]}.  Returns (error, {(topic, partition): error})."""
    body = string(group) + array(list(topics.items()),
                                 lambda tp: string(tp[0]) + array(tp[1], lambda p: struct.pack(">i", p)))
    r = conn.request(OFFSET_DELETE, version, body)
    err = r.i16()
    r.i32()
    res = {}
    for name, parts in r.array(lambda r: (r.string(), r.array(lambda r: (r.i32(), r.i16())))):
        for p, e in parts:
            res[(name, p)] = e
    return err, res
