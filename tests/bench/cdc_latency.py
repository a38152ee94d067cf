#!/usr/bin/python3
"""cdc_latency.py - commit-to-arrival latency of a change stream, for
tests/bench/run-postgres-bench.sh.

    kcat -C -u -f '%s\\n' ... | cdc_latency.py debezium
    pg_recvlogical --plugin=pgoutput ... -f - | cdc_latency.py pgoutput

Reads the stream on stdin and stamps each transaction with the wall clock
when its bytes arrive (one read() at a time, so a stamp is never later than
the read that brought the bytes); its commit time comes from the stream
itself: `source.ts_us` of a Debezium change event (JsonConverter, with or
without schemas), or the timestamp of pgoutput's Commit message (protocol
1, as pg_recvlogical writes it: each message followed by a newline).  The
commit timestamp is the one PostgreSQL writes into the commit record, and
both clocks are this host's, so the difference is commit -> consumer.

The table's last text column tells the rows apart: "warm" rows (written
before the measured workload, so connection and topic set-up are not
counted) are skipped, and the first "end" row ends the run.  Prints one
line of key=value pairs: n, p50_ms, p99_ms, max_ms, and the p99 and max of
each WINDOW seconds of commit time (w_p99_ms, w_max_ms, comma-separated),
which show whether the lag stays bounded or grows.
"""

import json
import os
import struct
import sys
import time

WINDOW_S = 5
PG_EPOCH_US = 946684800 * 1000000  # 2000-01-01 in Unix microseconds


def now_us():
    return time.time_ns() // 1000


def chunks():
    """(arrival time, bytes) of each read of stdin until EOF."""
    fd = sys.stdin.buffer.fileno()
    while True:
        data = os.read(fd, 1 << 20)
        if not data:
            return
        yield now_us(), data


def debezium():
    """(commit us, arrival us, marker) of each change event, one JSON value
    a line."""
    pending = b""
    for arrived, data in chunks():
        pending += data
        lines = pending.split(b"\n")
        pending = lines.pop()
        for line in lines:
            if not line.strip():
                continue
            value = json.loads(line)
            if value is None:
                continue
            payload = value.get("payload", value) if "schema" in value else value
            after = payload.get("after") or {}
            marker = after.get("payload")
            yield payload["source"]["ts_us"], arrived, marker


class PgoutputParser:
    """pgoutput protocol 1 messages, each followed by "\\n" (pg_recvlogical's
    output).  Keeps the last text column of the transaction's Insert as its
    marker and yields at each Commit."""

    def __init__(self):
        self.buf = b""
        self.marker = None

    def feed(self, data):
        self.buf += data
        pos = 0
        out = []
        while True:
            end, commit = self._message(pos)
            if end is None:
                break
            if end >= len(self.buf):
                break
            if self.buf[end:end + 1] != b"\n":
                raise ValueError("pgoutput: no newline after the message at byte %d" % pos)
            pos = end + 1
            if commit is not None:
                out.append((commit, self.marker))
                self.marker = None
        self.buf = self.buf[pos:]
        return out

    def _cstring(self, p):
        z = self.buf.find(b"\0", p)
        if z < 0:
            raise IndexError
        return z + 1

    def _tuple(self, p):
        """The end of TupleData at p, and its last text column."""
        (ncols,) = struct.unpack_from(">H", self.buf, p)
        p += 2
        last = None
        for _ in range(ncols):
            kind = self.buf[p:p + 1]
            if not kind:
                raise IndexError
            p += 1
            if kind in (b"t", b"b"):
                (n,) = struct.unpack_from(">I", self.buf, p)
                if p + 4 + n > len(self.buf):
                    raise IndexError
                last = self.buf[p + 4:p + 4 + n].decode("utf-8", "replace")
                p += 4 + n
            elif kind not in (b"n", b"u"):
                raise ValueError("pgoutput: tuple column kind %r" % kind)
        return p, last

    def _message(self, p):
        """(end of the message at p, commit time if it is a Commit), or
        (None, None) while it is incomplete."""
        try:
            kind = self.buf[p:p + 1]
            if not kind:
                return None, None
            q = p + 1
            if kind == b"B":
                return q + 20, None
            if kind == b"C":
                if q + 25 > len(self.buf):
                    return None, None
                (ts,) = struct.unpack_from(">q", self.buf, q + 17)
                return q + 25, ts + PG_EPOCH_US
            if kind == b"O":
                return self._cstring(q + 8), None
            if kind == b"Y":
                return self._cstring(self._cstring(q + 4)), None
            if kind == b"R":
                q = self._cstring(self._cstring(q + 4)) + 1
                (ncols,) = struct.unpack_from(">H", self.buf, q)
                q += 2
                for _ in range(ncols):
                    q = self._cstring(q + 1) + 8
                return q, None
            if kind == b"I":
                q, last = self._tuple(q + 5)
                self.marker = last
                return q, None
            if kind == b"U":
                q += 4
                if self.buf[q:q + 1] in (b"K", b"O"):
                    q, _ = self._tuple(q + 1)
                q, _ = self._tuple(q + 1)
                return q, None
            if kind == b"D":
                q, _ = self._tuple(q + 5)
                return q, None
            if kind == b"T":
                (nrels,) = struct.unpack_from(">I", self.buf, q)
                return q + 5 + 4 * nrels, None
            raise ValueError("pgoutput: message type %r" % kind)
        except (IndexError, struct.error):
            return None, None


def pgoutput():
    parser = PgoutputParser()
    for arrived, data in chunks():
        for commit, marker in parser.feed(data):
            yield commit, arrived, marker


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("debezium", "pgoutput"):
        sys.exit("usage: cdc_latency.py debezium|pgoutput <stream")
    events = debezium() if sys.argv[1] == "debezium" else pgoutput()
    lat = []  # (commit us, latency ms)
    ended = False
    for commit, arrived, marker in events:
        if marker == "warm":
            continue
        if marker == "end":
            ended = True
            break
        lat.append((commit, (arrived - commit) / 1000.0))
    if not lat:
        print("n=0 ended=%d" % ended)
        return
    values = sorted(v for _, v in lat)
    first = lat[0][0]
    windows = {}
    for commit, v in lat:
        windows.setdefault((commit - first) // (WINDOW_S * 1000000), []).append(v)
    w_p99 = ",".join("%.1f" % percentile(sorted(windows[k]), 0.99) for k in sorted(windows))
    w_max = ",".join("%.1f" % max(windows[k]) for k in sorted(windows))
    print("n=%d ended=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f w_p99_ms=%s w_max_ms=%s"
          % (len(values), ended, percentile(values, 0.5), percentile(values, 0.99), values[-1], w_p99, w_max))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
