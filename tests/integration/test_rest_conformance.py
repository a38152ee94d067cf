"""REST conformance: every route of src/rest/rest_routes.c, walked against a
running worker and checked against Kafka Connect's REST API
(reference/connect-rest.md §1-§2): status codes, Content-Type, exact key
sets (and Kafka's key order where Jackson fixes it), value types and
Kafka's error bodies and messages.

The route table is read from src/rest/rest_routes.c, and the last test fails
when a route was never answered by its handler here: a new endpoint needs
conformance coverage before it can land.

Every response goes through call(), which checks what holds for every
endpoint: an error is exactly {"error_code": <the status>, "message":
<non-empty string>} as application/json, a body is application/json (the
one exception, /metrics, is Prometheus text), 204 has no body.  Checks
are soft within a test (one TAP line lists every difference found, not
just the first); what later steps depend on is asserted hard.

Where connectd deliberately differs from Kafka, the test says so: a
client's mistake is a 400 where Kafka answers 500 (malformed JSON, an
unknown connector class), PASSWORD settings show as "[hidden]", and
GET /connectors/{c}/topics of an unknown connector is a 404.

Each test starts its own worker (a FileStreamSource -> connect-test ->
FileStreamSink pipeline where it needs one, with tests/plugins on
plugin.path for FailingSource/FailingSink: FAILED states and a PASSWORD
key, fail.password), so one failure cannot cascade into the next test.
"""

import functools
import http.client
import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, ctl, wait_for  # noqa: E402

TOP_SRCDIR = os.path.abspath(os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
PLUGINS = os.path.join(TOP_BUILDDIR, "tests", "plugins")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SECRET = "s3cret-Pa55"

# Kafka's Jackson key orders (reference §1.2, §2).
CONNECTOR_INFO_KEYS = ["name", "config", "tasks", "type"]
STATUS_KEYS = ["name", "connector", "tasks", "type"]
KEY_INFO_KEYS = ["name", "type", "required", "default_value", "importance", "documentation", "group", "width",
                 "display_name", "dependents", "order"]
CONFIG_VALUE_KEYS = ["name", "value", "recommended_values", "errors", "visible"]
CONFIG_TYPES = {"BOOLEAN", "STRING", "INT", "SHORT", "LONG", "DOUBLE", "LIST", "CLASS", "PASSWORD"}
IMPORTANCES = {"HIGH", "MEDIUM", "LOW"}
WIDTHS = {"NONE", "SHORT", "MEDIUM", "LONG"}
STATES = {"UNASSIGNED", "RUNNING", "PAUSED", "STOPPED", "FAILED", "RESTARTING"}
PLUGIN_TYPES = {"source", "sink", "converter", "header_converter", "transformation", "predicate"}

NOT_STOPPED = ("Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
               "for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint")
INVALID = ("Connector configuration is invalid and contains the following %d error(s):\n%s\n"
           "You can also find the above list of errors at the endpoint "
           "`/connector-plugins/{connectorType}/config/validate`")


# ---- the route table -----------------------------------------------------------

def read_routes():
    """[(method, pattern)] of the routes[] table in src/rest/rest_routes.c, in
    table order.  Every line of the table must parse, so a reformatted
    table fails here instead of silently shrinking the list."""
    with open(os.path.join(TOP_SRCDIR, "src", "rest", "rest_routes.c")) as f:
        text = f.read()
    table = re.search(r"static const rest_route_t routes\[\] = \{\n(.*?)\n\};", text, re.S)
    assert table, "no routes[] table in src/rest/rest_routes.c"
    routes = []
    for line in table.group(1).splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r'\s*\{"([A-Z]+)", "(/[^"]*)", rest_[a-z_]+, (FAST|BLOCKS)\},', line)
        assert m, "cannot parse this line of the route table: %r" % line
        routes.append((m.group(1), m.group(2)))
    return routes


ROUTES = read_routes()
ROUTE_RES = [(method, pattern, re.compile("^" + re.escape(pattern).replace(r"\{\}", "[^/]+") + "$"))
             for method, pattern in ROUTES]
EXERCISED = set()


def concrete(pattern):
    """A path for `pattern` with its {} filled in by position."""
    fills = {"connectors": "local-file-source", "tasks": "0", "connector-plugins": "FileStreamSource",
             "loggers": "root"}
    segs = pattern.split("/")
    return "/".join(fills[segs[i - 1]] if s == "{}" else s for i, s in enumerate(segs))


# ---- soft checks ---------------------------------------------------------------

PROBLEMS = []


def check(cond, what):
    """Records a difference from the reference unless `cond`; returns cond."""
    if not cond:
        PROBLEMS.append(what)
    return cond


def conformance(fn):
    """Runs a test and fails it, listing every difference check() recorded."""
    @functools.wraps(fn)
    def run():
        del PROBLEMS[:]
        try:
            fn()
        except Exception as e:
            if PROBLEMS:
                raise AssertionError("%s\nafter %d difference(s) from the reference:\n- %s"
                                     % (e, len(PROBLEMS), "\n- ".join(PROBLEMS))) from e
            raise
        if PROBLEMS:
            raise AssertionError("%d difference(s) from the reference:\n- %s"
                                 % (len(PROBLEMS), "\n- ".join(PROBLEMS)))
    return run


# ---- requests ------------------------------------------------------------------

class Resp:
    def __init__(self, method, path, status, headers, raw):
        self.method, self.path, self.status, self.headers, self.raw = method, path, status, headers, raw
        self.body = None
        self.json_error = None
        if raw:
            try:
                self.body = json.loads(raw)
            except ValueError as e:
                self.json_error = str(e)

    @property
    def where(self):
        return "%s %s" % (self.method, self.path)

    def __repr__(self):
        return "%s -> %d %r" % (self.where, self.status, self.raw[:600])


GENERIC = ({"error_code": 404, "message": "HTTP 404 Not Found"},
           {"error_code": 405, "message": "HTTP 405 Method Not Allowed"})


def call(w, method, path, body=None, data=None, content_type="application/json"):
    """One request (`body` as JSON, or `data` as bytes); checks what holds
    for every response and notes which route answered."""
    if body is not None:
        data = json.dumps(body).encode()
    headers = {"Content-Type": content_type} if data is not None else {}
    conn = http.client.HTTPConnection("127.0.0.1", w.rest_port, timeout=60)
    conn.request(method, path, data, headers)
    res = conn.getresponse()
    r = Resp(method, path, res.status, res.headers, res.read())
    conn.close()

    ctype = r.headers.get("Content-Type") or ""
    bare = path.split("?")[0]
    if r.status >= 400:
        check(ctype.startswith("application/json"), "%s: error without Content-Type application/json: %r"
              % (r.where, ctype))
        b = r.body
        check(isinstance(b, dict) and list(b) == ["error_code", "message"] and type(b["error_code"]) is int
              and b["error_code"] == r.status and isinstance(b["message"], str) and b["message"] != "",
              "%s: error body is not exactly {\"error_code\": %d, \"message\": \"...\"}: %r"
              % (r.where, r.status, r.raw[:300]))
    elif r.status == 204:
        check(r.raw == b"", "%s: 204 with a body: %r" % (r.where, r.raw[:300]))
    elif r.raw and bare != "/metrics":
        check(ctype.startswith("application/json"), "%s: body without Content-Type application/json: %r"
              % (r.where, ctype))
        check(r.json_error is None, "%s: body is not JSON (%s): %r" % (r.where, r.json_error, r.raw[:300]))
    if r.body not in GENERIC:
        for m, pattern, rx in ROUTE_RES:
            if m == method and rx.match(bare):
                EXERCISED.add((m, pattern))
    return r


def expect(r, status):
    """Whether `r` has `status`; a difference otherwise."""
    return check(r.status == status, "%s: status %d, expected %d; body %r" % (r.where, r.status, status, r.raw[:400]))


def expect_error(r, status, message=None, prefix=None):
    """`status` with Kafka's error body; `message` exact, or starting with `prefix`."""
    if not expect(r, status) or not isinstance(r.body, dict):
        return
    got = r.body.get("message")
    if message is not None:
        check(got == message, "%s: message %r, expected %r" % (r.where, got, message))
    if prefix is not None:
        check(isinstance(got, str) and got.startswith(prefix), "%s: message %r, expected it to start with %r"
              % (r.where, got, prefix))


def expect_empty(r, status):
    """`status` and no body (pause, resume: 202; stop, delete, restart: 204)."""
    if expect(r, status):
        check(r.raw == b"", "%s: %d should have no body, has %r" % (r.where, status, r.raw[:300]))


def need(r, status):
    """A hard precondition: the rest of the test depends on it."""
    assert r.status == status, "%s: status %d, expected %d: %r" % (r.where, r.status, status, r.raw[:600])
    return r.body


# ---- shapes --------------------------------------------------------------------

def keys(obj, expected, where, optional=(), ordered=True):
    """`obj` is an object with exactly the keys `expected` (plus any of
    `optional`, which come after them), in that order if `ordered`."""
    if not check(isinstance(obj, dict), "%s: expected an object, got %r" % (where, obj)):
        return False
    got = list(obj)
    want = [k for k in list(expected) + list(optional) if k in got]
    if not check(set(got) == set(want) and set(expected) <= set(got),
                 "%s: keys %s, expected %s%s" % (where, got, list(expected),
                                                 " and optionally %s" % list(optional) if optional else "")):
        return False
    if ordered:
        return check(got == want, "%s: key order %s, expected %s" % (where, got, want))
    return True


def is_str_map(obj, where):
    return check(isinstance(obj, dict) and all(isinstance(v, str) for v in obj.values()),
                 "%s: expected an object of strings, got %r" % (where, obj))


def connector_info(body, name, ctype, where):
    """ConnectorInfo: {"name", "config", "tasks": [{"connector", "task"}], "type"}."""
    if not keys(body, CONNECTOR_INFO_KEYS, where):
        return
    check(body["name"] == name, "%s: name %r, expected %r" % (where, body["name"], name))
    if is_str_map(body["config"], where + " config"):
        check(body["config"].get("name") == name, "%s: config.name %r" % (where, body["config"].get("name")))
    check(isinstance(body["tasks"], list), "%s: tasks not a list" % where)
    for i, t in enumerate(body["tasks"] if isinstance(body["tasks"], list) else []):
        if keys(t, ["connector", "task"], "%s tasks[%d]" % (where, i)):
            check(t["connector"] == name and type(t["task"]) is int and t["task"] == i,
                  "%s tasks[%d]: %r" % (where, i, t))
    check(body["type"] == ctype, "%s: type %r, expected %r" % (where, body["type"], ctype))


def instance_state(obj, where, task_id=None):
    """A connector's state {"state", "worker_id", "trace"?} or a task's
    {"id", "state", "worker_id", "trace"?}; connectd appends "auto_restart"
    under restart.policy.  Returns the state."""
    expected = (["id"] if task_id is not None else []) + ["state", "worker_id"]
    if not keys(obj, expected, where, optional=("trace", "auto_restart")):
        return None
    if task_id is not None:
        check(type(obj["id"]) is int and obj["id"] == task_id, "%s: id %r, expected %d" % (where, obj["id"], task_id))
    check(obj["state"] in STATES, "%s: state %r is not one of Kafka's" % (where, obj["state"]))
    check(isinstance(obj["worker_id"], str) and re.fullmatch(r".+:\d+", obj["worker_id"]) is not None,
          "%s: worker_id %r is not host:port" % (where, obj["worker_id"]))
    if "trace" in obj:
        # Kafka leaves an empty trace out (@JsonInclude(NON_EMPTY)).
        check(isinstance(obj["trace"], str) and obj["trace"] != "", "%s: trace %r" % (where, obj["trace"]))
    return obj["state"]


def connector_status(body, name, ctype, where):
    """ConnectorStateInfo in Kafka's order; returns (connector state, [task states])."""
    if not keys(body, STATUS_KEYS, where):
        return None, []
    check(body["name"] == name and body["type"] == ctype, "%s: name/type %r/%r" % (where, body["name"], body["type"]))
    state = instance_state(body["connector"], where + " connector")
    tasks = body["tasks"] if isinstance(body["tasks"], list) else []
    check(isinstance(body["tasks"], list), "%s: tasks not a list" % where)
    return state, [instance_state(t, "%s tasks[%d]" % (where, i), task_id=i) for i, t in enumerate(tasks)]


def config_key_info(k, where):
    """ConfigKeyInfo, field by field."""
    if not keys(k, KEY_INFO_KEYS, where):
        return
    where = "%s %s" % (where, k["name"])
    check(isinstance(k["name"], str) and k["name"], where + ": name")
    check(k["type"] in CONFIG_TYPES, "%s: type %r" % (where, k["type"]))
    check(type(k["required"]) is bool, "%s: required %r" % (where, k["required"]))
    check(k["default_value"] is None or isinstance(k["default_value"], str), "%s: default_value %r"
          % (where, k["default_value"]))
    check(not k["required"] or k["default_value"] is None, "%s: required with a default" % where)
    check(k["importance"] in IMPORTANCES, "%s: importance %r" % (where, k["importance"]))
    check(k["documentation"] is None or isinstance(k["documentation"], str), where + ": documentation")
    check(k["group"] is None or isinstance(k["group"], str), where + ": group")
    check(k["width"] in WIDTHS, "%s: width %r" % (where, k["width"]))
    check(isinstance(k["display_name"], str), where + ": display_name")
    check(isinstance(k["dependents"], list) and all(isinstance(d, str) for d in k["dependents"]),
          where + ": dependents")
    check(type(k["order"]) is int, "%s: order %r" % (where, k["order"]))


def config_infos(body, where):
    """ConfigInfos {"name", "error_count", "groups", "configs"}: every config
    {"definition": ConfigKeyInfo or null, "value": ConfigValueInfo}.
    Returns {setting: value info}."""
    values = {}
    if not keys(body, ["name", "error_count", "groups", "configs"], where):
        return values
    check(isinstance(body["name"], str) and type(body["error_count"]) is int, where + ": name/error_count types")
    check(isinstance(body["groups"], list) and all(isinstance(g, str) for g in body["groups"]), where + ": groups")
    n_errors = 0
    for i, c in enumerate(body["configs"]):
        w = "%s configs[%d]" % (where, i)
        if not keys(c, ["definition", "value"], w):
            continue
        if c["definition"] is not None:
            config_key_info(c["definition"], w + " definition")
        v = c["value"]
        if v is None:
            continue
        if keys(v, CONFIG_VALUE_KEYS, w + " value"):
            check(isinstance(v["name"], str), w + ": value.name")
            check(v["value"] is None or isinstance(v["value"], str), "%s: value.value %r" % (w, v["value"]))
            check(isinstance(v["recommended_values"], list), w + ": recommended_values")
            check(isinstance(v["errors"], list) and all(isinstance(e, str) for e in v["errors"]), w + ": errors")
            check(type(v["visible"]) is bool, w + ": visible")
            check(c["definition"] is None or c["definition"]["name"] == v["name"], w + ": definition/value names")
            n_errors += len(v["errors"]) if isinstance(v["errors"], list) else 0
            values[v["name"]] = v
    check(body["error_count"] == n_errors, "%s: error_count %r, but the configs list %d error(s)"
          % (where, body["error_count"], n_errors))
    return values


def state_of(w, name):
    r = call(w, "GET", "/connectors/%s/status" % name)
    if r.status != 200 or not isinstance(r.body, dict):
        return None, []
    return r.body["connector"]["state"], [t["state"] for t in r.body["tasks"]]


# ---- fixtures ------------------------------------------------------------------

class Pipeline:
    """Kafka's quick start: local-file-source reads test.txt into
    connect-test, local-file-sink writes it to test.sink.txt."""

    def __init__(self, w, lines=b"foo\nbar\n"):
        tmp = harness.tmpdir()
        self.w = w
        self.src, self.out = os.path.join(tmp, "test.txt"), os.path.join(tmp, "test.sink.txt")
        with open(self.src, "wb") as f:
            f.write(lines)
        self.source_config = {"connector.class": "FileStreamSource", "tasks.max": "1", "file": self.src,
                              "topic": "connect-test"}
        self.sink_config = {"connector.class": "FileStreamSink", "tasks.max": "1", "file": self.out,
                            "topics": "connect-test"}
        self.source = call(w, "POST", "/connectors", {"name": "local-file-source", "config": self.source_config})
        need(self.source, 201)
        self.sink = call(w, "POST", "/connectors", {"name": "local-file-sink", "config": self.sink_config})
        need(self.sink, 201)

    def read(self):
        return open(self.out, "rb").read() if os.path.exists(self.out) else b""

    def wait_output(self, data, what):
        wait_for(lambda: self.read() == data, what=what)

    def wait_running(self, name, n_tasks=1):
        wait_for(lambda: state_of(self.w, name) == ("RUNNING", ["RUNNING"] * n_tasks), what=name + " RUNNING")


def worker():
    return Worker(overrides={"plugin.path": PLUGINS}).start()


# ---- the tests -----------------------------------------------------------------

@conformance
def test_unknown_paths_and_methods():
    """every route's path with a method it does not have is Kafka's 405;
    paths no route has are Kafka's 404"""
    assert len(ROUTES) >= 30 and len(set(ROUTES)) == len(ROUTES), ROUTES
    w = worker()
    allowed = {}
    for method, pattern in ROUTES:
        allowed.setdefault(pattern, set()).add(method)
    for pattern, methods in allowed.items():
        for method in METHODS:
            if method not in methods:
                r = call(w, method, concrete(pattern), {} if method in ("POST", "PUT", "PATCH") else None)
                expect_error(r, 405, "HTTP 405 Method Not Allowed")
    for path in ("/nope", "/connectors/local-file-source/nope", "/connectors/local-file-source/tasks/0",
                 "/connectors/local-file-source/tasks/0/nope", "/connector-plugins/FileStreamSource",
                 "/connector-plugins/FileStreamSource/config/validate/more", "/admin", "/admin/loggers/a/b",
                 "/metrics/more", "/health/more"):
        for method in ("GET", "PUT", "POST"):
            expect_error(call(w, method, path, {} if method != "GET" else None), 404, "HTTP 404 Not Found")
    w.stop()


@conformance
def test_worker_endpoints():
    """GET / (ServerInfo), /health (WorkerStatus), /metrics (Prometheus
    text 0.0.4) and /admin/loggers (LoggerLevel, the affected-loggers list,
    204 for scope=cluster, Kafka's 400 and odd 404 for a bad level)"""
    w = worker()
    r = call(w, "GET", "/")
    if expect(r, 200) and keys(r.body, ["version", "commit", "kafka_cluster_id"], "GET /"):
        check(isinstance(r.body["version"], str) and r.body["version"], "GET /: version %r" % r.body["version"])
        check(isinstance(r.body["commit"], str), "GET /: commit %r" % r.body["commit"])
        check(isinstance(r.body["kafka_cluster_id"], str) and r.body["kafka_cluster_id"],
              "GET /: kafka_cluster_id %r (the worker has a cluster)" % r.body["kafka_cluster_id"])

    r = call(w, "GET", "/health")
    if expect(r, 200):
        check(r.body == {"status": "healthy",
                         "message": "Worker has completed startup and is ready to handle requests."},
              "GET /health: %r" % r.body)
        keys(r.body, ["status", "message"], "GET /health")

    r = call(w, "GET", "/metrics")
    if expect(r, 200):
        check((r.headers.get("Content-Type") or "").startswith("text/plain; version=0.0.4"),
              "GET /metrics: Content-Type %r" % r.headers.get("Content-Type"))
        text = r.raw.decode("utf-8")
        check("# TYPE " in text and "# HELP " in text and text.endswith("\n"), "GET /metrics: %r" % text[:300])

    def logger_level(body, where):
        if keys(body, ["level", "last_modified"], where):
            check(body["level"] in ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"),
                  "%s: level %r" % (where, body["level"]))
            check(body["last_modified"] is None or type(body["last_modified"]) is int,
                  "%s: last_modified %r" % (where, body["last_modified"]))

    r = call(w, "GET", "/admin/loggers")
    if expect(r, 200):
        check(r.body == {"root": {"level": "INFO", "last_modified": None}}, "GET /admin/loggers: %r" % r.body)
    r = call(w, "GET", "/admin/loggers/root")
    if expect(r, 200):
        logger_level(r.body, "GET /admin/loggers/root")
    expect_error(call(w, "GET", "/admin/loggers/no.such.logger"), 404, "Logger no.such.logger not found.")

    ns = "org.example.conformance"
    r = call(w, "PUT", "/admin/loggers/" + ns, {"level": "DEBUG"})
    if expect(r, 200):
        check(isinstance(r.body, list) and ns in r.body and r.body == sorted(r.body)
              and all(isinstance(n, str) for n in r.body), "PUT logger: %r, expected a sorted list with %s"
              % (r.body, ns))
    r = call(w, "GET", "/admin/loggers/" + ns)
    if expect(r, 200):
        logger_level(r.body, "GET logger " + ns)
        check(r.body["level"] == "DEBUG" and type(r.body["last_modified"]) is int, "GET logger: %r" % r.body)
    r = call(w, "GET", "/admin/loggers")
    if expect(r, 200) and check(isinstance(r.body, dict), "GET /admin/loggers: %r" % r.body):
        check(list(r.body) == sorted(r.body) and {ns, "root"} <= set(r.body), "GET /admin/loggers: %r" % r.body)
        for name, level in r.body.items():
            logger_level(level, "GET /admin/loggers " + name)
    expect_empty(call(w, "PUT", "/admin/loggers/%s?scope=cluster" % ns, {"level": "INFO"}), 204)
    expect_error(call(w, "PUT", "/admin/loggers/" + ns, {}), 400,
                 "Desired 'level' parameter was not specified in request.")
    expect_error(call(w, "PUT", "/admin/loggers/" + ns, {"level": "LOUD"}), 404, "invalid log level 'LOUD'.")
    expect_error(call(w, "PUT", "/admin/loggers/" + ns, data=b"{"), 400)
    w.stop()


@conformance
def test_connector_plugins():
    """PluginInfo lists (connectorsOnly true by default, false adds
    converters), every plugin's ConfigKeyInfo list field by field, and
    validate's ConfigInfos with Kafka's 400s"""
    w = worker()
    r = call(w, "GET", "/connector-plugins")
    plugins = r.body if expect(r, 200) and isinstance(r.body, list) else []
    for p in plugins:
        if keys(p, ["class", "type"], "PluginInfo", optional=("version",)):
            check(isinstance(p["class"], str) and p["class"], "PluginInfo class %r" % p)
            check(p["type"] in ("source", "sink"), "connectorsOnly (default true) lists %r" % p)
            check("version" not in p or (isinstance(p["version"], str) and p["version"]), "PluginInfo %r" % p)
    classes = {p.get("class") for p in plugins}
    check({"FileStreamSource", "FileStreamSink", "FailingSource", "FailingSink"} <= classes,
          "GET /connector-plugins: %r" % sorted(classes))
    r = call(w, "GET", "/connector-plugins?connectorsOnly=true")
    check(r.status == 200 and r.body == plugins, "connectorsOnly=true differs from the default: %r" % r)
    r = call(w, "GET", "/connector-plugins?connectorsOnly=false")
    if expect(r, 200) and isinstance(r.body, list):
        check(r.body[:len(plugins)] == plugins, "connectorsOnly=false does not start with the connectors")
        for p in r.body:
            keys(p, ["class", "type"], "PluginInfo", optional=("version",))
            check(p.get("type") in PLUGIN_TYPES, "PluginInfo type %r" % p)
        check({"converter", "header_converter"} <= {p.get("type") for p in r.body},
              "connectorsOnly=false: %r" % {p.get("type") for p in r.body})

    # Every plugin's definitions; the FailingSource ones exactly.
    for cls in sorted(c for c in classes if isinstance(c, str)):
        r = call(w, "GET", "/connector-plugins/%s/config" % cls)
        if expect(r, 200) and check(isinstance(r.body, list) and r.body, "%s: %r" % (r.where, r.body)):
            for k in r.body:
                config_key_info(k, r.where)
            names = [k.get("name") for k in r.body]
            check(len(names) == len(set(names)) and {"name", "connector.class", "tasks.max"} <= set(names),
                  "%s: keys %r" % (r.where, names))
    r = call(w, "GET", "/connector-plugins/FailingSource/config")
    if expect(r, 200):
        password = [k for k in r.body if k["name"] == "fail.password"]
        check(password == [{"name": "fail.password", "type": "PASSWORD", "required": False, "default_value": None,
                            "importance": "LOW",
                            "documentation": "Unused: a secret the worker must never show back.", "group": None,
                            "width": "NONE", "display_name": "fail.password", "dependents": [], "order": -1}],
              "FailingSource fail.password: %r" % password)
    r = call(w, "GET", "/connector-plugins/org.apache.kafka.connect.json.JsonConverter/config")
    if expect(r, 200):
        for k in r.body:
            config_key_info(k, r.where)
    expect_error(call(w, "GET", "/connector-plugins/NoSuchPlugin/config"), 404, "Unknown plugin NoSuchPlugin.")

    # Validate: 200 with ConfigInfos whether the config is valid or not.
    validate = "/connector-plugins/FileStreamSink/config/validate"
    r = call(w, "PUT", validate, {"connector.class": "FileStreamSink", "name": "local-file-sink",
                                  "topics": "connect-test", "file": "test.sink.txt"})
    if expect(r, 200):
        values = config_infos(r.body, "validate (valid)")
        check(r.body["error_count"] == 0 and r.body["name"] == "FileStreamSink", "validate (valid): %r"
              % {k: r.body[k] for k in ("name", "error_count")})
        check(r.body["groups"][:4] == ["Common", "Transforms", "Predicates", "Error Handling"],
              "validate groups %r" % r.body["groups"])
        check(values.get("topics", {}).get("value") == "connect-test", "validate topics %r" % values.get("topics"))
    r = call(w, "PUT", validate, {"connector.class": "FileStreamSink", "tasks.max": "abc"})
    if expect(r, 200):
        values = config_infos(r.body, "validate (invalid)")
        check(r.body["error_count"] >= 3, "validate (invalid): error_count %r" % r.body["error_count"])
        check(values.get("tasks.max", {}).get("errors") == [
            "Invalid value abc for configuration tasks.max: Not a number of type INT"],
            "validate tasks.max: %r" % values.get("tasks.max"))
        check(values.get("name", {}).get("errors") == [
            'Missing required configuration "name" which has no default value.'],
            "validate name (the path does not fill it in): %r" % values.get("name"))
        check(values.get("topics", {}).get("errors") == ["Must configure one of topics or topics.regex"],
              "validate topics: %r" % values.get("topics"))
    r = call(w, "PUT", "/connector-plugins/FailingSource/config/validate", {
        "connector.class": "FailingSource", "name": "x", "fail.in": "poll", "fail.password": SECRET})
    if expect(r, 200):
        values = config_infos(r.body, "validate FailingSource")
        check(values.get("fail.password", {}).get("value") == "[hidden]", "validate shows a PASSWORD: %r"
              % values.get("fail.password"))
        check(SECRET not in r.raw.decode(), "validate shows the secret somewhere: %r" % r.raw)

    # Kafka's 400s (the path's plugin is not filled in as connector.class).
    expect_error(call(w, "PUT", validate, {"topics": "connect-test"}), 400, prefix="Connector config ")
    check(" contains no connector type" in (call(w, "PUT", validate, {"topics": "t"}).body or {}).get("message", ""),
          "validate without connector.class: Kafka's \"... contains no connector type\"")
    expect_error(call(w, "PUT", validate, {"connector.class": "FileStreamSource", "topic": "t"}), 400,
                 "Included connector type FileStreamSource does not match request type FileStreamSink")
    expect_error(call(w, "PUT", validate, data=b"{not json"), 400)  # Kafka: 500
    expect_error(call(w, "PUT", validate, ["connector.class"]), 400)
    r = call(w, "PUT", "/connector-plugins/NoSuchPlugin/config/validate", {"connector.class": "NoSuchPlugin"})
    check(r.status in (400, 404), "validate of an unknown plugin: %r (a client error, not 500)" % r)
    w.stop()


@conformance
def test_connectors_shapes_and_errors():
    """create (201, Location, ConnectorInfo), list and expand, info, config,
    PUT/PATCH config, status in Kafka's key order with FAILED traces,
    tasks, tasks-config, task status; every {connector} route's 404; 409;
    Kafka's 400 messages (where Kafka answers 500, connectd says 400)"""
    w = worker()
    p = Pipeline(w)
    for r, name, ctype, cfg in ((p.source, "local-file-source", "source", p.source_config),
                                (p.sink, "local-file-sink", "sink", p.sink_config)):
        connector_info(r.body, name, ctype, r.where)
        check(r.headers.get("Location") == "/connectors/" + name, "%s: Location %r" % (r.where, r.headers.get(
            "Location")))
        check(r.body["config"] == dict(cfg, name=name), "%s: config %r" % (r.where, r.body["config"]))
    p.wait_running("local-file-source")
    p.wait_running("local-file-sink")
    p.wait_output(b"foo\nbar\n", "the pipeline to copy the file")

    # FAILED instances: a task that fails in poll, a connector that fails
    # in task_configs.
    need(call(w, "POST", "/connectors", {"name": "failing-task", "config": {
        "connector.class": "FailingSource", "fail.in": "poll"}}), 201)
    need(call(w, "POST", "/connectors", {"name": "failing-connector", "config": {
        "connector.class": "FailingSink", "fail.in": "task_configs", "topics": "connect-test"}}), 201)
    wait_for(lambda: state_of(w, "failing-task") == ("RUNNING", ["FAILED"]), what="failing-task's task FAILED")
    wait_for(lambda: state_of(w, "failing-connector")[0] == "FAILED", what="failing-connector FAILED")
    names = {"local-file-source": "source", "local-file-sink": "sink", "failing-task": "source",
             "failing-connector": "sink"}

    r = call(w, "GET", "/connectors")
    if expect(r, 200):
        check(isinstance(r.body, list) and sorted(r.body) == sorted(names), "GET /connectors: %r" % r.body)
    for query, parts in (("expand=status", ["status"]), ("expand=info", ["info"]),
                         ("expand=status&expand=info", ["status", "info"]), ("expand=info&expand=bogus", ["info"]),
                         ("expand=bogus", [])):
        r = call(w, "GET", "/connectors?" + query)
        if not expect(r, 200) or not check(isinstance(r.body, dict) and set(r.body) == set(names),
                                           "%s: expected an object keyed by connector, got %r" % (r.where, r.raw)):
            continue
        for name, ctype in names.items():
            entry = r.body[name]
            keys(entry, parts, "%s [%s]" % (r.where, name), ordered=False)
            if "status" in entry:
                connector_status(entry["status"], name, ctype, "%s [%s] status" % (r.where, name))
            if "info" in entry:
                connector_info(entry["info"], name, ctype, "%s [%s] info" % (r.where, name))

    for name, ctype in names.items():
        info, status, tasks = {"config": {}, "tasks": []}, {"tasks": []}, []
        r = call(w, "GET", "/connectors/" + name)
        if expect(r, 200):
            connector_info(r.body, name, ctype, r.where)
            info = r.body
        r = call(w, "GET", "/connectors/%s/config" % name)
        if expect(r, 200) and is_str_map(r.body, r.where):
            check(r.body == info["config"], "%s differs from the info's config" % r.where)
        r = call(w, "GET", "/connectors/%s/status" % name)
        if expect(r, 200):
            connector_status(r.body, name, ctype, r.where)
            status = r.body
        r = call(w, "GET", "/connectors/%s/tasks" % name)
        if expect(r, 200) and check(isinstance(r.body, list), "%s: %r" % (r.where, r.body)):
            check([t.get("id") for t in r.body] == info["tasks"], "%s ids %r, info says %r"
                  % (r.where, r.body, info["tasks"]))
            for i, t in enumerate(r.body):
                if keys(t, ["id", "config"], "%s [%d]" % (r.where, i)) and is_str_map(t["config"], r.where):
                    # Kafka adds task.class; the sink's topics are copied in.
                    check(set(info["config"].items()) <= set(t["config"].items()),
                          "%s [%d]: the task config lacks connector settings: %r" % (r.where, i, t["config"]))
            tasks = r.body
        r = call(w, "GET", "/connectors/%s/tasks-config" % name)
        if expect(r, 200):
            check(r.body == {"%s-%d" % (name, t["id"]["task"]): t["config"] for t in tasks},
                  "%s: %r, expected {\"<connector>-<task>\": config} of /tasks" % (r.where, r.body))
        for t in status["tasks"]:
            r = call(w, "GET", "/connectors/%s/tasks/%d/status" % (name, t["id"]))
            if expect(r, 200):
                instance_state(r.body, r.where, task_id=t["id"])
                check(r.body == t, "%s: %r, the connector status says %r" % (r.where, r.body, t))
    fs = state_of(w, "failing-task")
    check(fs == ("RUNNING", ["FAILED"]), "failing-task: %r" % (fs,))
    r = call(w, "GET", "/connectors/failing-task/tasks/0/status")
    check("injected failure in poll" in (r.body or {}).get("trace", ""), "failed task trace: %r" % r.body)
    r = call(w, "GET", "/connectors/failing-connector/status")
    check("injected failure in task_configs" in (r.body or {}).get("connector", {}).get("trace", ""),
          "failed connector trace: %r" % r.body)

    # PUT config: 201 + Location to create, 200 to update; PATCH merges.
    cfg = dict(p.sink_config, file=p.out + ".2")
    r = call(w, "PUT", "/connectors/second-sink/config", cfg)
    if expect(r, 201):
        connector_info(r.body, "second-sink", "sink", r.where)
        check(r.headers.get("Location") == "/connectors/second-sink", "%s: Location %r"
              % (r.where, r.headers.get("Location")))
    r = call(w, "PUT", "/connectors/second-sink/config", dict(cfg, **{"tasks.max": "2"}))
    if expect(r, 200):
        connector_info(r.body, "second-sink", "sink", r.where)
        check(r.body["config"]["tasks.max"] == "2" and "Location" not in r.headers, "%r" % r)
    r = call(w, "PATCH", "/connectors/second-sink/config", {"tasks.max": None, "file": p.out + ".3"})
    if expect(r, 200):
        connector_info(r.body, "second-sink", "sink", r.where)
        want = {k: v for k, v in cfg.items() if k != "tasks.max"}
        want.update(name="second-sink", file=p.out + ".3")
        check(r.body["config"] == want, "PATCH: %r, expected %r" % (r.body["config"], want))
    expect_empty(call(w, "DELETE", "/connectors/second-sink"), 204)

    # Every route about one connector: 404 for an unknown one, with
    # Kafka's messages.
    for method, pattern in ROUTES:
        if not pattern.startswith("/connectors/{}") or pattern.endswith("/topics") or \
                pattern.endswith("/topics/reset"):
            continue
        path = pattern.replace("{}", "nope", 1).replace("{}", "0")
        body = {"offsets": [{"partition": {"filename": "x"}, "offset": None}]} if pattern.endswith("offsets") else {}
        r = call(w, method, path, body if method in ("POST", "PUT", "PATCH") else None)
        if method == "PUT" and pattern.endswith("/config"):
            expect_error(r, 400)  # creates "nope": the empty config lacks connector.class
            continue
        expect_error(r, 404)
        check("nope" in (r.body or {}).get("message", ""), "%s: the message does not name the connector: %r"
              % (r.where, r.body))
    missing = "Connector nope not found"
    for path in ("/connectors/nope", "/connectors/nope/config", "/connectors/nope/tasks",
                 "/connectors/nope/tasks-config"):
        expect_error(call(w, "GET", path), 404, missing)
    expect_error(call(w, "DELETE", "/connectors/nope"), 404, missing)
    expect_error(call(w, "PATCH", "/connectors/nope/config", {"tasks.max": "1"}), 404, missing)
    expect_error(call(w, "GET", "/connectors/nope/status"), 404, "No status found for connector nope")
    expect_error(call(w, "GET", "/connectors/nope/tasks/0/status"), 404, "No status found for task nope-0")
    expect_error(call(w, "GET", "/connectors/local-file-sink/tasks/7/status"), 404,
                 "No status found for task local-file-sink-7")
    expect_error(call(w, "PUT", "/connectors/nope/pause"), 404, "Unknown connector nope")
    expect_error(call(w, "PUT", "/connectors/nope/resume"), 404, "Unknown connector nope")
    expect_error(call(w, "POST", "/connectors/nope/tasks/0/restart"), 404, "Unknown connector: nope")
    expect_error(call(w, "POST", "/connectors/local-file-sink/tasks/5/restart"), 404,
                 "Unknown task: local-file-sink-5")

    # Creation errors.
    expect_error(call(w, "POST", "/connectors", {"name": "local-file-sink", "config": p.sink_config}), 409,
                 "Connector local-file-sink already exists")
    expect_error(call(w, "POST", "/connectors", data=b"{\"name\": "), 400)  # Kafka: 500
    expect_error(call(w, "POST", "/connectors", data=b""), 400)
    expect_error(call(w, "POST", "/connectors", {"name": "x", "config": {"topics": "t"}}), 400,
                 prefix="Connector config ")
    expect_error(call(w, "POST", "/connectors", {"name": "x", "config": {"connector.class": "NoSuchConnector"}}),
                 400, prefix="Failed to find any class that implements Connector and which name matches "
                             "NoSuchConnector")  # Kafka: 500
    expect_error(call(w, "POST", "/connectors", {"name": "x", "config": {"connector.class": "FileStreamSource"}}),
                 400, INVALID % (1, 'Missing required configuration "topic" which has no default value.'))
    expect_error(call(w, "POST", "/connectors", {"name": "x", "config": {
        "connector.class": "FileStreamSource", "topic": "t", "name": "y"}}), 400,
        "Connector name configuration (y) doesn't match connector name in the URL (x)")
    expect_error(call(w, "PUT", "/connectors/x/config", {"connector.class": "FileStreamSource", "topic": "t",
                                                         "name": "y"}), 400,
                 "Connector name configuration (y) doesn't match connector name in the URL (x)")
    expect_error(call(w, "PUT", "/connectors/local-file-sink/config", data=b"[}"), 400)
    expect_error(call(w, "PATCH", "/connectors/local-file-sink/config", data=b"nope"), 400)
    r = call(w, "GET", "/connectors")
    check(sorted(r.body or []) == sorted(names), "refused requests created something: %r" % r.body)
    w.stop()


@conformance
def test_password_masking():
    """a PASSWORD setting is "[hidden]" in every response that shows a
    config (create, PUT, PATCH, info, config, tasks, tasks-config,
    expand=info, validate), in no error message and not in the log"""
    w = worker()
    cfg = {"connector.class": "FailingSource", "fail.in": "commit", "fail.after": "1000000",
           "fail.password": SECRET}
    responses = [call(w, "POST", "/connectors", {"name": "secretive", "config": cfg}),
                 call(w, "PUT", "/connectors/secretive/config", dict(cfg, **{"fail.after": "999999"})),
                 call(w, "PATCH", "/connectors/secretive/config", {"fail.after": "1000000"})]
    wait_for(lambda: call(w, "GET", "/connectors/secretive/tasks").body, what="secretive's tasks")
    responses += [call(w, "GET", path) for path in (
        "/connectors/secretive", "/connectors/secretive/config", "/connectors/secretive/tasks",
        "/connectors/secretive/tasks-config", "/connectors?expand=info", "/connectors?expand=status&expand=info")]
    responses.append(call(w, "PUT", "/connector-plugins/FailingSource/config/validate", dict(cfg, name="secretive")))
    for r in responses:
        if not expect(r, 201 if r.method == "POST" else 200):
            continue
        text = r.raw.decode()
        compact = text.replace(" ", "")
        check(SECRET not in text and ('"fail.password":"[hidden]"' in compact or '"value":"[hidden]"' in compact),
              "%s shows the secret or no \"[hidden]\": %s" % (r.where, text[:500]))
    # A refused request does not echo it either.
    r = call(w, "POST", "/connectors", {"name": "refused", "config": dict(cfg, **{"fail.in": "nowhere"})})
    expect_error(r, 400)
    check(SECRET not in r.raw.decode(), "the 400 echoes the secret: %r" % r.raw)
    r = call(w, "PUT", "/connector-plugins/FailingSource/config/validate", dict(cfg, **{"fail.in": "nowhere"}))
    if expect(r, 200):
        check(SECRET not in r.raw.decode(), "validate with errors shows the secret: %r" % r.raw)
    check(SECRET not in w.stderr(), "the worker log shows the secret")
    w.stop()


@conformance
def test_masked_password_round_trip():
    """GET config then PUT it back unchanged (the usual edit cycle) keeps
    the stored secret and restarts nothing: "[hidden]" is not a password"""
    w = worker()
    cfg = {"connector.class": "FailingSource", "fail.in": "commit", "fail.after": "1000000",
           "fail.password": SECRET}
    need(call(w, "POST", "/connectors", {"name": "secretive", "config": cfg}), 201)
    wait_for(lambda: w.stderr().count("connector secretive (") == 1, what="secretive to start")
    shown = need(call(w, "GET", "/connectors/secretive/config"), 200)
    assert shown["fail.password"] == "[hidden]", shown
    r = call(w, "PUT", "/connectors/secretive/config", shown)
    expect(r, 200)
    r = call(w, "PATCH", "/connectors/secretive/config", {"fail.password": "[hidden]"})
    expect(r, 200)
    stored = [line for line in ctl(w, "consume", "--topic", "connect-configs", "--from-beginning",
                                   "--property", "print.key=true", "--timeout-ms", "3000")[1].splitlines()
              if line.startswith("connector-secretive\t")]
    check(stored and json.loads(stored[-1].split("\t", 1)[1])["properties"].get("fail.password") == SECRET,
          "PUT/PATCH of the masked config replaced the stored secret with \"[hidden]\": %r" % stored[-1:])
    check(w.stderr().count("connector secretive (") == 1,
          "PUT of the unchanged (masked) config restarted the connector")
    w.stop()


@conformance
def test_lifecycle():
    """pause and resume (202, no body), stop (204, no tasks), offsets 400
    unless STOPPED, alter offsets and resume from them, reset, restarts
    (204 without flags, 202 with a ConnectorStateInfo), task restart 204,
    delete 204 and then 404"""
    w = worker()
    p = Pipeline(w)
    p.wait_output(b"foo\nbar\n", "the pipeline to copy the file")
    p.wait_running("local-file-source")

    expect_empty(call(w, "PUT", "/connectors/local-file-sink/pause"), 202)
    wait_for(lambda: state_of(w, "local-file-sink") == ("PAUSED", ["PAUSED"]), what="the sink PAUSED")
    expect_empty(call(w, "PUT", "/connectors/local-file-sink/pause"), 202)  # idempotent
    expect_empty(call(w, "PUT", "/connectors/local-file-sink/resume"), 202)
    p.wait_running("local-file-sink")

    # Offsets: readable in any state, changeable only when STOPPED.  The
    # source commits its position every offset.flush.interval.ms, which can
    # be after the sink has written the lines, so it is waited for.
    wait_for(lambda: call(w, "GET", "/connectors/local-file-source/offsets").body == {
        "offsets": [{"partition": {"filename": p.src}, "offset": {"position": 8}}]},
        what="the source's committed offsets")
    r = call(w, "GET", "/connectors/local-file-source/offsets")
    if expect(r, 200) and keys(r.body, ["offsets"], r.where):
        check(r.body == {"offsets": [{"partition": {"filename": p.src}, "offset": {"position": 8}}]},
              "%s: %r" % (r.where, r.body))
        keys(r.body["offsets"][0], ["partition", "offset"], r.where + " offsets[0]")
    sink_offsets = {"offsets": [{"partition": {"kafka_topic": "connect-test", "kafka_partition": 0},
                                 "offset": {"kafka_offset": 2}}]}
    wait_for(lambda: call(w, "GET", "/connectors/local-file-sink/offsets").body == sink_offsets,
             what="the sink's committed offsets")
    alter = {"offsets": [{"partition": {"filename": p.src}, "offset": {"position": 4}}]}
    for method, body in (("PATCH", alter), ("DELETE", None)):
        expect_error(call(w, method, "/connectors/local-file-source/offsets", body), 400,
                     NOT_STOPPED % "local-file-source")

    expect_empty(call(w, "PUT", "/connectors/local-file-source/stop"), 204)
    check(state_of(w, "local-file-source") == ("STOPPED", []), "stopped: %r" % (state_of(w, "local-file-source"),))
    r = call(w, "GET", "/connectors/local-file-source/tasks")
    check(r.status == 200 and r.body == [], "a STOPPED connector's tasks: %r" % r)
    r = call(w, "GET", "/connectors/local-file-source")
    check(r.status == 200 and r.body["tasks"] == [], "a STOPPED connector's info: %r" % r)
    expect_error(call(w, "PATCH", "/connectors/local-file-source/offsets", {"offsets": []}), 400,
                 "Partitions / offsets need to be provided for an alter offsets request")
    r = call(w, "PATCH", "/connectors/local-file-source/offsets", alter)
    if expect(r, 200):
        check(r.body == {"message": "The offsets for this connector have been altered successfully"}, "%r" % r)
    check(call(w, "GET", "/connectors/local-file-source/offsets").body == alter, "the altered offsets")
    expect_empty(call(w, "PUT", "/connectors/local-file-source/resume"), 202)
    p.wait_output(b"foo\nbar\nbar\n", "the source to resume from position 4")

    expect_empty(call(w, "PUT", "/connectors/local-file-source/stop"), 204)
    r = call(w, "DELETE", "/connectors/local-file-source/offsets")
    if expect(r, 200):
        check(r.body == {"message": "The offsets for this connector have been reset successfully"}, "%r" % r)
    check(call(w, "GET", "/connectors/local-file-source/offsets").body == {"offsets": []}, "offsets after a reset")
    expect_empty(call(w, "PUT", "/connectors/local-file-source/resume"), 202)
    p.wait_output(b"foo\nbar\nbar\nfoo\nbar\n", "the source to start over after the reset")

    # Restarts.
    expect_empty(call(w, "POST", "/connectors/local-file-sink/restart"), 204)
    expect_empty(call(w, "POST", "/connectors/local-file-sink/restart?includeTasks=false&onlyFailed=false"), 204)
    for query in ("includeTasks=true", "onlyFailed=true", "includeTasks=true&onlyFailed=true"):
        r = call(w, "POST", "/connectors/local-file-sink/restart?" + query)
        if expect(r, 202):
            connector_status(r.body, "local-file-sink", "sink", r.where)
        p.wait_running("local-file-sink")
    expect_empty(call(w, "POST", "/connectors/local-file-sink/tasks/0/restart"), 204)
    p.wait_running("local-file-sink")
    with open(p.src, "ab") as f:
        f.write(b"baz\n")
    p.wait_output(b"foo\nbar\nbar\nfoo\nbar\nbaz\n", "the pipeline to work after the restarts")

    expect_empty(call(w, "DELETE", "/connectors/local-file-sink"), 204)
    expect_error(call(w, "GET", "/connectors/local-file-sink"), 404, "Connector local-file-sink not found")
    expect_error(call(w, "DELETE", "/connectors/local-file-sink"), 404, "Connector local-file-sink not found")
    r = call(w, "GET", "/connectors")
    check(r.body == ["local-file-source"], "GET /connectors after the delete: %r" % r.body)
    w.stop()


@conformance
def test_restart_plan():
    """the 202 of a restart with flags shows every instance planned for
    restart as RESTARTING (Kafka's RestartPlan): the connector unless
    onlyFailed and it is not FAILED, a task if includeTasks and (not
    onlyFailed or it is FAILED); the others keep their state"""
    w = worker()
    p = Pipeline(w)
    p.wait_running("local-file-sink")
    need(call(w, "POST", "/connectors", {"name": "failing-task", "config": {
        "connector.class": "FailingSource", "fail.in": "poll"}}), 201)
    wait_for(lambda: state_of(w, "failing-task") == ("RUNNING", ["FAILED"]), what="failing-task's task FAILED")

    for name, query, want in (
            ("local-file-sink", "includeTasks=true", ("RESTARTING", ["RESTARTING"])),
            ("local-file-sink", "onlyFailed=true", ("RUNNING", ["RUNNING"])),
            ("local-file-sink", "includeTasks=true&onlyFailed=true", ("RUNNING", ["RUNNING"])),
            ("failing-task", "includeTasks=true&onlyFailed=true", ("RUNNING", ["RESTARTING"]))):
        r = call(w, "POST", "/connectors/%s/restart?%s" % (name, query))
        if expect(r, 202):
            got = connector_status(r.body, name, "sink" if name.endswith("sink") else "source", r.where)
            check(got == want, "%s: states %r, expected %r" % (r.where, got, want))
        if name == "local-file-sink":
            p.wait_running(name)
    w.stop()


@conformance
def test_active_topics():
    """GET /connectors/{c}/topics: {"<c>": {"topics": [sorted names]}}
    of the topics the connector produced to or consumed from; PUT
    .../topics/reset: 202 without a body, then []; an unknown connector is
    a 404 (Kafka answers 200 with []); Kafka's 403s when tracking or its
    reset is disabled"""
    w = worker()
    p = Pipeline(w)
    p.wait_output(b"foo\nbar\n", "the pipeline to copy the file")
    for name in ("local-file-source", "local-file-sink"):
        want = {name: {"topics": ["connect-test"]}}
        r = call(w, "GET", "/connectors/%s/topics" % name)
        if expect(r, 200):
            wait_for(lambda: call(w, "GET", "/connectors/%s/topics" % name).body == want,
                     what="%s's active topics" % name)
            keys(r.body, [name], r.where)
    # A second topic, to see them sorted; it exists before the sink
    # subscribes to it.
    need(call(w, "POST", "/connectors", {"name": "other-source", "config": dict(
        p.source_config, topic="a-first")}), 201)
    wait_for(lambda: call(w, "GET", "/connectors/other-source/offsets").body == {"offsets": [{
        "partition": {"filename": p.src}, "offset": {"position": 8}}]}, what="other-source to copy the file")
    need(call(w, "PATCH", "/connectors/local-file-sink/config", {"topics": "connect-test,a-first"}), 200)
    want = {"local-file-sink": {"topics": ["a-first", "connect-test"]}}
    r = call(w, "GET", "/connectors/local-file-sink/topics")
    if expect(r, 200):
        wait_for(lambda: call(w, "GET", "/connectors/local-file-sink/topics").body == want,
                 what="the sink's two topics, sorted")
    expect_empty(call(w, "PUT", "/connectors/local-file-sink/topics/reset"), 202)
    r = call(w, "GET", "/connectors/local-file-sink/topics")
    if expect(r, 200):
        check(r.body == {"local-file-sink": {"topics": []}}, "%s after a reset: %r" % (r.where, r.body))
    # Deleting a connector drops its active topics but keeps its offsets
    # (Kafka): re-created, it resumes where it was and has used no topic yet.
    expect_empty(call(w, "DELETE", "/connectors/other-source"), 204)
    need(call(w, "POST", "/connectors", {"name": "other-source", "config": dict(
        p.source_config, topic="a-first")}), 201)
    r = call(w, "GET", "/connectors/other-source/topics")
    if expect(r, 200):
        check(r.body == {"other-source": {"topics": []}}, "%s after delete and create: %r" % (r.where, r.body))
    r = call(w, "GET", "/connectors/other-source/offsets")
    check(r.body == {"offsets": [{"partition": {"filename": p.src}, "offset": {"position": 8}}]},
          "a re-created connector lost its offsets: %r" % r)
    expect_error(call(w, "GET", "/connectors/nope/topics"), 404, "Connector nope not found")
    expect_error(call(w, "PUT", "/connectors/nope/topics/reset"), 404, "Connector nope not found")
    w.stop()

    # Kafka's 403s, checked before the connector is looked up.
    w = Worker(overrides={"topic.tracking.allow.reset": "false"}).start()
    expect_error(call(w, "PUT", "/connectors/nope/topics/reset"), 403, "Topic tracking reset is disabled.")
    w.stop()
    w = Worker(overrides={"topic.tracking.enable": "false"}).start()
    expect_error(call(w, "GET", "/connectors/nope/topics"), 403, "Topic tracking is disabled.")
    expect_error(call(w, "PUT", "/connectors/nope/topics/reset"), 403, "Topic tracking is disabled.")
    w.stop()


def test_every_route_exercised():
    """every route of src/rest/rest_routes.c was answered by its handler in
    this file: a new route needs conformance coverage here"""
    missing = [(m, p) for m, p in ROUTES if (m, p) not in EXERCISED]
    assert not missing, "routes never exercised: %s" % ", ".join("%s %s" % r for r in missing)


harness.main(globals())
