"""tests/es/es_server.py from a test: start it, steer it, look inside.

    sys.path.insert(0, os.path.join(TOP_SRCDIR, "tests", "es"))
    import es_fixture
    es = es_fixture.EsServer(version="8.11.0", users=["elastic:secret"]).start()
    es.url                              # http://127.0.0.1:PORT
    es.request("GET", "/", auth=("elastic", "secret"))   # -> (status, headers, body)
    es.fault(status=429, seconds=30, retry_after=1, path="_bulk")
    es.stats()["bulk_items"]            # what the server saw
    es.docs("orders")                   # documents and tombstones, no refresh needed
    es.stop()                           # SIGTERM; a clean stop exits 0

When the integration harness (tests/integration/harness.py) is loaded, a
server registers with the running test like a broker does: it is stopped
when the test ends and its stderr is shown if the test failed.  Without
the harness, call stop() (an atexit hook kills what is left).

Restarting keeps the port, so a sink sees the same URL go away and come
back; EsServer(port=...) starts on a port chosen beforehand (a sink
configured before the server exists).
"""

import atexit
import base64
import gzip
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "es_server.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

_alive = []


def _kill_all():
    for es in list(_alive):
        es.cleanup()


atexit.register(_kill_all)


def make_cert(directory, name="localhost"):
    """A self-signed certificate for 127.0.0.1 and localhost (openssl):
    returns (cert_path, key_path); the cert is its own CA file."""
    cert = os.path.join(directory, "es-cert.pem")
    key = os.path.join(directory, "es-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=%s" % name, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    return cert, key


class EsServer:
    """One es_server.py process."""

    def __init__(self, version="8.11.0", users=(), api_keys=(), tls=None, port=None, refresh_interval=None,
                 search_idle_after=None, args=()):
        self.version = version
        self.users = list(users)
        self.api_keys = list(api_keys)
        self.tls = tls
        self.port = port or 0
        self.refresh_interval = refresh_interval
        self.search_idle_after = search_idle_after
        self.args = list(args)
        self.proc = None
        self.runs = 0
        harness = sys.modules.get("harness")
        if harness is not None and hasattr(harness, "_current"):
            # The test's own temp dir (removed unless the test failed).
            self.workdir = harness.tmpdir("es-server-")
            harness._current.brokers.append(self)
        else:
            self.workdir = tempfile.mkdtemp(prefix="es-server-")

    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def command(self, port_file):
        cmd = [PYTHON, SERVER, "--port", str(self.port), "--port-file", port_file, "--version", self.version]
        for user in self.users:
            cmd += ["--user", user]
        for key in self.api_keys:
            cmd += ["--api-key", key]
        if self.tls:
            cmd += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        if self.refresh_interval is not None:
            cmd += ["--refresh-interval", str(self.refresh_interval)]
        if self.search_idle_after is not None:
            cmd += ["--search-idle-after", str(self.search_idle_after)]
        return cmd + self.args

    def start(self, timeout=30.0):
        assert self.proc is None, "server already running"
        self.runs += 1
        port_file = os.path.join(self.workdir, "port.%d" % self.runs)
        err = open(os.path.join(self.workdir, "stderr.%d" % self.runs), "wb")
        self.proc = subprocess.Popen(self.command(port_file), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=err)
        err.close()
        _alive.append(self)
        deadline = time.monotonic() + timeout
        while not os.path.exists(port_file):
            rc = self.proc.poll()
            if rc is not None:
                self.proc = None
                raise AssertionError("es_server exited with %d during start-up:\n%s" % (rc, self.stderr()))
            if time.monotonic() > deadline:
                raise AssertionError("es_server did not start within %.0f s" % timeout)
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read())
        return self

    def stop(self, timeout=30.0):
        """SIGTERM; the server must exit 0."""
        assert self.proc is not None, "server not running"
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("es_server did not exit within %.0f s of SIGTERM" % timeout)
        if self in _alive:
            _alive.remove(self)
        if rc != 0:
            raise AssertionError("es_server exited with %d after SIGTERM:\n%s" % (rc, self.stderr()))

    def kill(self):
        assert self.proc is not None, "server not running"
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()
        if self in _alive:
            _alive.remove(self)

    def restart(self, **kw):
        self.stop()
        return self.start(**kw)

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        if self in _alive:
            _alive.remove(self)

    def remove_workdir(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    def stderr(self, run=None):
        run = run or self.runs
        try:
            with open(os.path.join(self.workdir, "stderr.%d" % run), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    # -- HTTP ---------------------------------------------------------------------------------------

    def connection(self, timeout=30.0):
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.tls[0])
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, auth=None, api_key=None, params=None,
                content_type=None, gzip_body=False, timeout=30.0, raw=False):
        """One request on a fresh connection: (status, headers dict with
        lower-case names, body parsed as JSON unless raw or not JSON).
        `body` may be bytes, str, a dict (JSON) or a list (NDJSON lines)."""
        hdrs = dict(headers or {})
        if isinstance(body, list):
            body = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in body)
            content_type = content_type or "application/x-ndjson"
        elif isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None:
            hdrs.setdefault("Content-Type", content_type or "application/json")
            if gzip_body:
                body = gzip.compress(body)
                hdrs["Content-Encoding"] = "gzip"
        if auth is not None:
            hdrs["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
        if api_key is not None:
            hdrs["Authorization"] = "ApiKey " + base64.b64encode(("%s:%s" % api_key).encode()).decode()
        if params:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(params)
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            out_headers = {}
            for name, value in resp.getheaders():
                key = name.lower()
                out_headers[key] = out_headers[key] + ", " + value if key in out_headers else value
            if out_headers.get("content-encoding") == "gzip":
                data = gzip.decompress(data)
            if raw or not data:
                return resp.status, out_headers, data
            if "json" in out_headers.get("content-type", ""):
                return resp.status, out_headers, json.loads(data)
            return resp.status, out_headers, data.decode("utf-8", "replace")
        finally:
            conn.close()

    def ok(self, method, path, body=None, **kw):
        """request() that must answer 2xx; returns the body."""
        status, _, data = self.request(method, path, body, **kw)
        if not 200 <= status < 300:
            raise AssertionError("%s %s: HTTP %d %s" % (method, path, status, data))
        return data

    # -- /_fault ------------------------------------------------------------------------------------

    def admin(self, method, path, body=None):
        status, _, data = self.request(method, "/_fault" + path, body)
        if status != 200:
            raise AssertionError("/_fault%s: HTTP %d %s" % (path, status, data))
        return data

    def fault(self, **spec):
        """Adds a fault rule (see tests/es/README.md); returns its id."""
        return self.admin("POST", "", spec)["ids"][0]

    def clear_faults(self, rule_id=None):
        return self.admin("DELETE", "" if rule_id is None else "/%d" % rule_id)

    def faults(self):
        return self.admin("GET", "")["rules"]

    def stats(self):
        return self.admin("GET", "/stats")

    def reset_stats(self):
        return self.admin("DELETE", "/stats")

    def log(self, n=0):
        return self.admin("GET", "/log" + ("?n=%d" % n if n else ""))["requests"]

    def wipe(self):
        return self.admin("POST", "/wipe")

    def config(self, **kw):
        return self.admin("POST", "/config", kw)

    def docs(self, index, include_deleted=False):
        """{id: {"_version", "_seq_no", "_source"}} of an index, realtime."""
        out = {}
        for doc in self.admin("GET", "/docs/" + urllib.parse.quote(index, safe=""))["docs"]:
            if doc["deleted"] and not include_deleted:
                continue
            out[doc["_id"]] = doc
        return out
