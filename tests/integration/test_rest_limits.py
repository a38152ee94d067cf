"""REST connection limits: idle connections are closed after
rest.connections.max.idle.ms, a request past rest.max.connections is answered
503 (not left hanging), a connection past rest.max.connections.per.ip is
closed at once, and in every case the worker serves again once the idle
connections are gone.  The limits are tiny so the attack takes a few sockets.
"""

import os
import socket
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

# Long enough that a slow machine never takes a hang for an answer.
ANSWER_TIMEOUT = 20.0


def idle_connections(w, n):
    """n connected sockets that send nothing, each confirmed accepted by the
    worker (the kernel completes the handshake before MHD accepts)."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", w.rest_port), timeout=ANSWER_TIMEOUT)
        socks.append(s)
    return socks


def raw_get(w, path="/", timeout=ANSWER_TIMEOUT):
    """GET over a fresh connection: (status, response bytes), status None when
    the worker closed the connection without an answer.  A hang raises
    socket.timeout, failing the test."""
    with socket.create_connection(("127.0.0.1", w.rest_port), timeout=timeout) as s:
        try:
            s.sendall(b"GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path.encode())
        except (BrokenPipeError, ConnectionResetError):
            return None, b""
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data and b"Connection: close" not in data and b"connection: close" not in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
        if not data:
            return None, b""
        return int(data.split(b" ", 2)[1]), data


def closed_by_worker(s, timeout=ANSWER_TIMEOUT):
    """Whether the worker closed `s` (EOF or reset) within timeout."""
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def close_all(socks):
    for s in socks:
        s.close()


def test_total_limit_answers_503_then_serves():
    """past rest.max.connections a request gets 503 at once, not a hang; 200 again when the idle ones close"""
    w = Worker(overrides={"rest.max.connections": "8", "rest.max.connections.per.ip": "1000",
                          "rest.connections.max.idle.ms": "600000"}).start()
    assert http(w, "GET", "/")[0] == 200
    idle = idle_connections(w, 8)
    # MHD accepts asynchronously: wait until the worker holds all 8, which
    # shows as the next request being refused.
    status, data = wait_for(lambda: (lambda r: r if r[0] == 503 else None)(raw_get(w)),
                            what="a 503 with 8 idle connections open")
    assert b"rest.max.connections=8" in data, data
    assert b"Connection: close" in data or b"connection: close" in data, data
    # Past the slots kept for 503 answers, new connections are closed at once.
    more = idle_connections(w, 32)
    assert sum(closed_by_worker(s, 5.0) for s in more) >= 32 - 16, "connections past the 503 slots were kept open"
    close_all(more)
    close_all(idle)
    wait_for(lambda: raw_get(w)[0] == 200, what="200 once the idle connections closed")
    assert http(w, "GET", "/connectors")[0] == 200
    assert "REST connection limit reached" in w.stderr()
    w.stop()


def test_idle_connections_time_out():
    """an idle connection is closed after rest.connections.max.idle.ms, freeing its slot"""
    w = Worker(overrides={"rest.max.connections": "4", "rest.connections.max.idle.ms": "1000"}).start()
    idle = idle_connections(w, 4)
    for s in idle:
        assert closed_by_worker(s), "an idle connection outlived rest.connections.max.idle.ms"
    close_all(idle)
    status, _ = raw_get(w)
    assert status == 200, status
    w.stop()


def test_per_ip_limit_closes_at_once():
    """past rest.max.connections.per.ip a connection is closed at once; the address is served again after"""
    w = Worker(overrides={"rest.max.connections.per.ip": "4", "rest.connections.max.idle.ms": "600000"}).start()
    idle = idle_connections(w, 4)
    extra = wait_for(lambda: (lambda s: s if closed_by_worker(s, 2.0) else s.close())(
        socket.create_connection(("127.0.0.1", w.rest_port), timeout=ANSWER_TIMEOUT)),
        what="a fifth connection from 127.0.0.1 to be closed at once")
    extra.close()
    status, _ = raw_get(w)
    assert status is None, "a connection past the per-IP limit was answered %s" % status
    # Hammering the limit does not flood the log: refusals are logged at most once per 10 s.
    for _ in range(200):
        socket.create_connection(("127.0.0.1", w.rest_port), timeout=ANSWER_TIMEOUT).close()
    assert http_after_close(w, idle) == 200
    limit_lines = [line for line in w.stderr().splitlines() if "connection limit" in line]
    assert 1 <= len(limit_lines) <= 3, limit_lines
    assert http(w, "GET", "/connectors")[0] == 200
    w.stop()


def http_after_close(w, socks):
    close_all(socks)
    return wait_for(lambda: raw_get(w)[0] == 200 and 200, what="200 once the idle connections closed")


def test_limits_are_validated():
    """a limit out of range stops start-up naming the key"""
    w = Worker(overrides={"rest.max.connections": "0"})
    assert w.start(expect_exit=True) == 2
    assert "rest.max.connections" in w.stderr(), w.stderr()


harness.main(globals())
