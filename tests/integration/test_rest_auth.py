"""REST API access: basic authentication from a file of hashed passwords
(rest.basic.auth.credentials.file) and the address the listener binds
(rest.bind), against a real worker and real sockets.
"""

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, http_response  # noqa: E402

AUTH_KEY = "rest.basic.auth.credentials.file"


def openssl_passwd(*args, password):
    """`openssl passwd ARGS -stdin`: a hash as an operator makes one."""
    res = subprocess.run(["openssl", "passwd"] + list(args) + ["-stdin"], input=password.encode(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return res.stdout.decode().strip()


def users_file(lines):
    path = os.path.join(harness.tmpdir(), "rest-users")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def test_basic_auth():
    """with a credentials file every path needs a user and its password"""
    path = users_file(["# REST users", "",
                       "admin:" + openssl_passwd("-6", password="s3cret-admin"),
                       "ops:" + openssl_passwd("-6", password="pass:with:colons")])
    w = Worker(overrides={AUTH_KEY: path}).start()
    w.wait_stderr("basic authentication required")

    # No credentials: 401 with Kafka's error body and the challenge, on
    # every path, /health included (documented: nothing is exempt).
    for method, p in (("GET", "/"), ("GET", "/health"), ("GET", "/connectors"), ("GET", "/no/such/path"),
                      ("DELETE", "/connectors/x")):
        status, body, headers = http_response(w, method, p)
        assert status == 401, (p, status, body)
        assert body["error_code"] == 401 and "authentication required" in body["message"], body
        assert headers["WWW-Authenticate"] == 'Basic realm="connectd"', headers

    wrong = [(("admin", "guess-1234"), "invalid user name or password"),
             (("admin", ""), "invalid user name or password"),
             (("Admin", "s3cret-admin"), "invalid user name or password"),
             (("nobody", "s3cret-admin"), "invalid user name or password"),
             (("ops", "pass"), "invalid user name or password")]
    for auth, message in wrong:
        status, body, headers = http_response(w, "GET", "/connectors", auth=auth)
        assert status == 401 and body == {"error_code": 401, "message": message}, (auth, status, body)
        assert headers["WWW-Authenticate"] == 'Basic realm="connectd"'
    status, body = http(w, "GET", "/connectors", headers={"Authorization": "Bearer abc"})
    assert status == 401 and "authentication required" in body["message"], body
    status, body = http(w, "GET", "/connectors", headers={"Authorization": "Basic %%%"})
    assert status == 401 and "not basic authentication" in body["message"], body

    # A write without credentials does nothing, whatever its body.
    config = {"connector.class": "FileStreamSource", "file": os.path.join(harness.tmpdir(), "in.txt"),
              "topic": "auth-t"}
    assert http(w, "POST", "/connectors", {"name": "src", "config": config})[0] == 401

    good = ("admin", "s3cret-admin")
    status, body = http(w, "GET", "/", auth=good)
    assert status == 200 and "version" in body, body
    assert http(w, "GET", "/health", auth=good)[0] == 200
    assert http(w, "GET", "/connector-plugins", auth=good)[0] == 200
    assert http(w, "GET", "/connectors", auth=good) == (200, [])
    # The scheme name is case-insensitive (RFC 7617).
    import base64
    token = base64.b64encode(b"ops:pass:with:colons").decode()
    assert http(w, "GET", "/connectors", headers={"Authorization": "basic " + token})[0] == 200

    status, body = http(w, "POST", "/connectors", {"name": "src", "config": config}, auth=good)
    assert status == 201 and body["name"] == "src", body
    assert http(w, "GET", "/connectors", auth=("ops", "pass:with:colons")) == (200, ["src"])
    assert http(w, "GET", "/connectors/src/config")[0] == 401
    assert http(w, "DELETE", "/connectors/src", auth=("admin", "nope"))[0] == 401
    assert http(w, "GET", "/connectors/src", auth=good)[0] == 200

    # Many requests on the same credentials: crypt ran once for them, so
    # they are as quick as unauthenticated ones would be (loose bound:
    # CI runs sanitizer builds).
    import time
    started = time.monotonic()
    for _ in range(50):
        assert http(w, "GET", "/connectors", auth=good)[0] == 200
    assert time.monotonic() - started < 10, "50 authenticated requests took %.1f s" % (time.monotonic() - started)

    # Failures are logged at WARN with the user and never the password.
    err = w.stderr()
    assert "WARN REST authentication failed for user 'nobody' from 127.0.0.1" in err, err
    assert "WARN REST authentication failed for user 'admin'" in err, err
    assert "guess-1234" not in err and "pass:with" not in err and "s3cret" not in err, err
    w.stop()


def test_bad_credentials_file():
    """a credentials file with a clear-text password, an unsupported hash or no file stops start-up"""
    cases = [
        (["# users", "admin:hunter2"],
         "line 2: user 'admin': the password is not a crypt(3) hash (clear text?)"),
        (["admin:" + openssl_passwd("-apr1", password="x")],
         "line 1: user 'admin': unsupported password hash scheme '$apr1$'"),
        (["admin:" + openssl_passwd("-1", password="x")],
         "line 1: user 'admin': the password hash uses the weak legacy scheme '$1$'"),
        (["admin"], "line 1: expected user:hash"),
        (["admin:" + openssl_passwd("-6", password="x")[:40]],
         "line 1: user 'admin': the '$6$' password hash is malformed or truncated"),
    ]
    for lines, message in cases:
        path = users_file(lines)
        w = Worker(overrides={AUTH_KEY: path})
        rc = w.start(expect_exit=True)
        err = w.stderr()
        assert rc == 2, (rc, err)
        assert "invalid configuration: %s: %s: %s" % (AUTH_KEY, path, message) in err, err
        assert "hunter2" not in err, err
    w = Worker(overrides={AUTH_KEY: "/nonexistent/rest-users"})
    assert w.start(expect_exit=True) == 2
    assert "%s: /nonexistent/rest-users: No such file or directory" % AUTH_KEY in w.stderr(), w.stderr()


def listening_addresses(port):
    """The local addresses of LISTEN sockets on `port`, from /proc/net/tcp*,
    as text ("127.0.0.1", "0.0.0.0", "::1", "::")."""
    found = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(table) as f:
                rows = list(f)[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            addr, p = fields[1].rsplit(":", 1)
            if fields[3] != "0A" or int(p, 16) != port:
                continue
            raw = bytes.fromhex(addr)
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.append(socket.inet_ntop(socket.AF_INET6 if v6 else socket.AF_INET, raw))
    return sorted(found)


def connects(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        try:
            s.connect((host, port))
            return True
        except OSError:
            return False


def test_rest_bind_loopback():
    """the sample binds REST to loopback (rest.bind) when listeners names no host; rest.bind can open it"""
    w = Worker()
    # Kafka's default form, no host: rest.bind from the sample decides.
    w.overrides["listeners"] = "http://:%d" % w.rest_port
    w.start()
    assert listening_addresses(w.rest_port) == ["127.0.0.1"], listening_addresses(w.rest_port)
    assert http(w, "GET", "/health")[0] == 200
    # 127.0.0.2 is this host's loopback too: an every-interface listener
    # would accept it, a 127.0.0.1 one refuses.
    assert not connects("127.0.0.2", w.rest_port)
    assert not harness.warnings(w.stderr()), w.stderr()
    w.stop()

    # rest.bind=0.0.0.0 opens it up, and says that nobody is asked for a password.
    w = Worker(overrides={"rest.bind": "0.0.0.0"})
    w.overrides["listeners"] = "http://:%d" % w.rest_port
    w.start()
    assert listening_addresses(w.rest_port) == ["0.0.0.0"], listening_addresses(w.rest_port)
    assert connects("127.0.0.2", w.rest_port)
    assert "reachable from other hosts without authentication" in w.stderr(), w.stderr()
    w.stop()

    # rest.bind replaces a host listeners names, saying so.
    w = Worker(overrides={"rest.bind": "127.0.0.1"})
    w.overrides["listeners"] = "http://0.0.0.0:%d" % w.rest_port
    w.start()
    assert listening_addresses(w.rest_port) == ["127.0.0.1"]
    assert "rest.bind=127.0.0.1 replaces the host of listeners=http://0.0.0.0:" in w.stderr(), w.stderr()
    w.stop()

    # A name that does not resolve stops start-up.
    w = Worker(overrides={"rest.bind": "no-such-host.invalid"})
    assert w.start(expect_exit=True) != 0
    assert "rest.bind: cannot resolve 'no-such-host.invalid'" in w.stderr(), w.stderr()


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_rest_bind_ipv6():
    """rest.bind=::1 (bare or bracketed) and listeners=http://[::1]:port listen on IPv6 loopback only"""
    if not ipv6_loopback():
        print("# no IPv6 loopback here; skipped")
        return
    for overrides in ({"rest.bind": "::1"}, {"rest.bind": "[::1]"}):
        w = Worker(overrides=overrides)
        w.overrides["listeners"] = "http://:%d" % w.rest_port
        w.start()
        assert listening_addresses(w.rest_port) == ["::1"], listening_addresses(w.rest_port)
        with urllib.request.urlopen("http://[::1]:%d/health" % w.rest_port, timeout=30) as resp:
            assert resp.status == 200
        assert not connects("127.0.0.1", w.rest_port)
        w.stop()
    # Kafka's own form, with the sample's rest.bind emptied.
    w = Worker(overrides={"rest.bind": ""})
    w.overrides["listeners"] = "http://[::1]:%d" % w.rest_port
    w.start()
    assert listening_addresses(w.rest_port) == ["::1"], listening_addresses(w.rest_port)
    w.stop()


harness.main(globals())
