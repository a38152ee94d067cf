"""What the Elasticsearch sink's tests share: a worker and an es_server.py
(tests/es/es_fixture.py), records produced with kcat, the sink created
over REST, and the documents read back from the server."""

import json
import os
import re
import sys
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "es"))
import es_fixture  # noqa: E402
import harness  # noqa: E402
from harness import http, wait_for  # noqa: E402

PLUGIN = "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector"
STRINGS = {"key.converter": "org.apache.kafka.connect.storage.StringConverter",
           "value.converter": "org.apache.kafka.connect.json.JsonConverter",
           "value.converter.schemas.enable": "false"}


def es_server(version="8.11.0", **kw):
    return es_fixture.EsServer(version=version, **kw).start()


def sink_config(es, topics, **settings):
    """The sink of `topics` on es, string keys and schemaless JSON values,
    with `settings` (keys with '_' for '.' when given as keywords)."""
    conf = {"connector.class": PLUGIN, "topics": topics, "connection.url": es.url, "tasks.max": "1",
            "schema.ignore": "true"}
    conf.update(STRINGS)
    conf.update({k.replace("_", "."): v for k, v in settings.items()})
    return conf


def create(w, name, config):
    status, body = http(w, "POST", "/connectors", {"name": name, "config": config})
    assert status == 201, (status, body)


def produce(w, topic, pairs, partition=0, headers=()):
    """(key, value) pairs (str or None each; None: a null) to one partition,
    one kcat run."""
    lines = []
    for key, value in pairs:
        lines.append((key or "") + "\t" + ("" if value is None else value))
    args = ["kcat", "-b", w.bootstrap, "-m", "30", "-P", "-t", topic, "-p", str(partition), "-K", "\t", "-Z"]
    for h in headers:
        args += ["-H", h]
    harness.run(args, input=("\n".join(lines) + "\n").encode())


def task_status(w, name):
    status, body = http(w, "GET", "/connectors/%s/status" % name)
    if status != 200 or not body.get("tasks"):
        return None
    return body["tasks"][0]


def wait_running(w, name):
    return wait_for(lambda: (lambda t: t if t and t["state"] == "RUNNING" else None)(task_status(w, name)),
                    what="%s's task to run" % name)


def wait_failed(w, name, timeout=60):
    return wait_for(lambda: (lambda t: t if t and t["state"] == "FAILED" else None)(task_status(w, name)),
                    timeout=timeout, what="%s's task to fail" % name)


def sources(es, index):
    """{id: _source} of the live documents of an index."""
    try:
        return {i: d["_source"] for i, d in es.docs(index).items()}
    except AssertionError:
        return {}


def wait_docs(es, index, expected, timeout=60):
    """Waits until the index holds exactly `expected` ({id: source})."""
    return wait_for(lambda: sources(es, index) == expected or None, timeout=timeout,
                    what="%s to hold %d documents (has %s)" % (index, len(expected), "…"), interval=0.2)


def metric(w, family, **labels):
    with urllib.request.urlopen(w.rest + "/metrics", timeout=30) as resp:
        text = resp.read().decode()
    for line in text.splitlines():
        m = re.match(r"(%s)\{([^}]*)\} (\S+)$" % re.escape(family), line)
        if m:
            got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            if all(got.get(k) == v for k, v in labels.items()):
                return float(m.group(3))
    return None


def consume(w, topic, count):
    """The first `count` records of partition 0 of topic, as kcat -J dicts."""
    def read():
        res = harness.run(["kcat", "-b", w.bootstrap, "-m", "30", "-C", "-t", topic, "-p", "0", "-o", "beginning",
                           "-e", "-J", "-c", str(count)], check=False)
        recs = [json.loads(line) for line in res.stdout.decode().splitlines() if line.strip()]
        return recs if len(recs) >= count else None
    return wait_for(read, what="%d records in %s" % (count, topic))


def headers_of(rec):
    h = rec.get("headers") or []
    return dict(zip(h[0::2], h[1::2]))


class Proxy:
    """A forward HTTP proxy on loopback for proxy.* (absolute-form requests,
    Basic Proxy-Authorization required when `user` is given); counts what
    it forwarded."""

    def __init__(self, user=None):
        import base64
        import http.client
        import http.server
        import socketserver
        import threading
        proxy = self
        self.forwarded = 0
        self.refused = 0
        expect = "Basic " + base64.b64encode(("%s:%s" % user).encode()).decode() if user else None

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def relay(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if expect and self.headers.get("Proxy-Authorization") != expect:
                    proxy.refused += 1
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = urllib.parse.urlsplit(self.path)
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("proxy-authorization", "proxy-connection", "connection", "host")}
                conn.request(self.command, target.path + ("?" + target.query if target.query else ""), body=body,
                             headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                proxy.forwarded += 1
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = relay

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        import urllib.parse  # noqa: F401  (used by the handler)
        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
