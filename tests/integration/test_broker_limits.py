"""Broker resource limits, as Kafka's: max.connections.per.ip and
max.connections close connections past them while the others keep working,
connections.max.idle.ms closes idle connections, queued.max.request.bytes
bounds the memory of frames being received, and running out of descriptors
neither spins nor floods the log.  Each test ends with the broker serving.
"""

import os
import socket
import struct
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, wait_for  # noqa: E402

MB = 1 << 20


def serves(b):
    """A Metadata request on a new connection is answered.  False while the
    broker still closes new connections: it may not have seen a client's
    close yet when the client has already made its next connection."""
    try:
        with kproto.Conn(b.port) as conn:
            return kproto.metadata(conn)["brokers"] != []
    except (kproto.Closed, ConnectionError):
        return False


def assert_answers(conns):
    for conn in conns:
        kproto.api_versions(conn)


def vm_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def test_max_connections_per_ip():
    """a connection past max.connections.per.ip is closed; the existing ones keep working"""
    b = Broker(overrides={"max.connections.per.ip": "3"}).start()
    conns = [kproto.Conn(b.port) for _ in range(3)]
    assert_answers(conns)
    for _ in range(20):
        extra = kproto.Conn(b.port)
        assert extra.closed_by_peer()[0], "a connection past max.connections.per.ip was kept"
        extra.close()
    assert_answers(conns)
    lines = [line for line in b.stderr().splitlines() if "max.connections.per.ip reached" in line]
    assert 1 <= len(lines) <= 2, lines  # once per 10 s, not once per refusal
    for conn in conns:
        conn.close()
    wait_for(lambda: serves(b), what="Metadata once the connections closed")
    b.stop()


def test_max_connections():
    """a connection past max.connections is closed; the existing ones keep working"""
    b = Broker(overrides={"max.connections": "2"}).start()
    conns = [kproto.Conn(b.port) for _ in range(2)]
    assert_answers(conns)
    extra = kproto.Conn(b.port)
    assert extra.closed_by_peer()[0], "a connection past max.connections was kept"
    extra.close()
    assert_answers(conns)
    conns.pop().close()
    wait_for(lambda: serves(b), what="Metadata once a slot freed")
    conns[0].close()
    b.stop()


def test_idle_connection_closed():
    """a connection idle for connections.max.idle.ms is closed; a busy one is not"""
    b = Broker(overrides={"connections.max.idle.ms": "1500"}).start()
    idle = kproto.Conn(b.port)
    kproto.api_versions(idle)
    busy = kproto.Conn(b.port)
    done = threading.Event()
    errors = []

    def keep_busy():
        try:
            while not done.is_set():
                kproto.api_versions(busy)
                done.wait(0.2)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    t = threading.Thread(target=keep_busy)
    t.start()
    try:
        assert idle.closed_by_peer()[0], "an idle connection outlived connections.max.idle.ms"
    finally:
        done.set()
        t.join()
    assert not errors, errors
    kproto.api_versions(busy)
    busy.close()
    idle.close()
    assert serves(b)
    b.stop()


def test_queued_request_bytes_bound_memory():
    """ten connections sending the start of a huge frame do not grow RSS past queued.max.request.bytes"""
    cap = 16 * MB
    b = Broker(overrides={"queued.max.request.bytes": str(cap)}).start()
    assert serves(b)
    before = vm_rss_kb(b.proc.pid)
    socks = []

    def send_part(s):
        # 99 MB announced, 12 MB sent: ten of them would pin 120 MB unbounded.
        s.settimeout(3.0)
        try:
            s.sendall(struct.pack(">i", 99 * MB) + b"\x01" * (12 * MB))
        except (socket.timeout, OSError):
            pass  # muted: the broker stopped reading, the kernel buffers are full
    for _ in range(10):
        socks.append(socket.create_connection(("127.0.0.1", b.port)))
    threads = [threading.Thread(target=send_part, args=(s,)) for s in socks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grown_kb = vm_rss_kb(b.proc.pid) - before
    # The cap, plus room for the 64 KiB read buffers and allocator slack;
    # without the cap this is 120 MB.
    assert grown_kb < (cap + 24 * MB) // 1024, "RSS grew by %d KiB with a %d KiB cap" % (grown_kb, cap // 1024)
    for s in socks:
        s.close()
    wait_for(lambda: serves(b), what="Metadata once the huge frames' connections closed")
    b.stop()


class LimitedBroker(Broker):
    """A broker started under `prlimit --nofile=N`."""

    def __init__(self, nofile, **kw):
        super().__init__(**kw)
        self.nofile = nofile

    def command(self):
        return ["prlimit", "--nofile=%d:%d" % (self.nofile, self.nofile), "--"] + super().command()


def test_out_of_descriptors_backs_off():
    """with fds exhausted accept backs off: the log does not flood, and Metadata is answered once connections close"""
    b = LimitedBroker(64).start()
    socks = []
    for _ in range(120):
        socks.append(socket.create_connection(("127.0.0.1", b.port), timeout=30))
    # The broker ran out of descriptors and said so.
    b.wait_stderr("accept failed")
    # Let it sit out of descriptors for a few backoff intervals: without
    # the backoff this is tens of thousands of lines.
    threading.Event().wait(3.0)
    lines = [line for line in b.stderr().splitlines() if "accept failed" in line]
    assert 1 <= len(lines) <= 2, "%d 'accept failed' lines" % len(lines)
    assert len(b.stderr().splitlines()) < 100, "the log grew to %d lines" % len(b.stderr().splitlines())
    for s in socks:
        s.close()
    wait_for(lambda: serves(b), what="Metadata once the connections closed")
    assert b.alive()
    b.stop()


harness.main(globals())
