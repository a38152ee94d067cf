#!/usr/bin/python3
"""Runs Elasticsearch/OpenSearch YAML REST tests against a server.

The YAML REST tests (rest-api-spec/.../test/**/*.yml) are how Elasticsearch
and OpenSearch check their REST layer: each file holds test sections of
`do` (call an API), then assertions on the response.  This runner
implements the part of that DSL the cases yaml-cases.txt lists use,
as rest-api-spec/.../test/README.asciidoc defines it:

    do        an API call by name (bulk, index, indices.create, ...) with its
              parameters; `catch` expects an error (missing, conflict,
              bad_request, unauthorized, forbidden, request, unavailable,
              /regex/), `headers` adds request headers, `ignore` accepts a
              status, `allowed_warnings` is accepted (the server sends none)
    match     equality (numbers compare by value) or /regex/ (Pattern.COMMENTS)
    length, is_true, is_false, set, gt, gte, lt, lte, contains
    skip      by version range (OpenSearch's files name pre-fork
              Elasticsearch versions, which sort before OpenSearch 1.0, as
              OpenSearch's own runner orders them) or by runner feature;
              `requires` (Elasticsearch 8.x files) likewise

Each section runs setup, its steps and teardown, then the server is wiped
(POST /_fault/wipe on es_server.py), which stands for the Java runner's
"delete all indices and templates".  API names become HTTP requests through
API below: the path with the most parts the call supplies, as the clients
choose it from the rest-api-spec/api/*.json files.

    yaml_runner.py --url http://127.0.0.1:9200 [--skip-file F] FILE.yml|DIR ...

prints TAP: one line per test section, skipped sections as `# SKIP`, so a
section nobody ran is never counted as passed.
"""

import argparse
import base64
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

# The routes of the APIs the vendored cases call, from rest-api-spec/api/*.json:
# name -> [(methods, path)], a path's {parts} filled from the call's parameters.
API = {
    "info": [("GET", "/")],
    "ping": [("HEAD", "/")],
    "bulk": [("POST,PUT", "/{index}/_bulk"), ("POST,PUT", "/_bulk")],
    "index": [("PUT,POST", "/{index}/_doc/{id}"), ("POST", "/{index}/_doc")],
    "create": [("PUT,POST", "/{index}/_create/{id}")],
    "update": [("POST", "/{index}/_update/{id}")],
    "delete": [("DELETE", "/{index}/_doc/{id}")],
    "get": [("GET", "/{index}/_doc/{id}")],
    "exists": [("HEAD", "/{index}/_doc/{id}")],
    "get_source": [("GET", "/{index}/_source/{id}")],
    "exists_source": [("HEAD", "/{index}/_source/{id}")],
    "count": [("GET,POST", "/{index}/_count"), ("GET,POST", "/_count")],
    "search": [("GET,POST", "/{index}/_search"), ("GET,POST", "/_search")],
    "cluster.health": [("GET", "/_cluster/health/{index}"), ("GET", "/_cluster/health")],
    "indices.create": [("PUT", "/{index}")],
    "indices.delete": [("DELETE", "/{index}")],
    "indices.exists": [("HEAD", "/{index}")],
    "indices.get": [("GET", "/{index}")],
    "indices.get_mapping": [("GET", "/{index}/_mapping"), ("GET", "/_mapping")],
    "indices.put_mapping": [("PUT,POST", "/{index}/_mapping")],
    "indices.get_settings": [("GET", "/{index}/_settings/{name}"), ("GET", "/{index}/_settings"),
                             ("GET", "/_settings/{name}"), ("GET", "/_settings")],
    "indices.put_settings": [("PUT", "/{index}/_settings"), ("PUT", "/_settings")],
    "indices.refresh": [("POST,GET", "/{index}/_refresh"), ("POST,GET", "/_refresh")],
    "indices.open": [("POST", "/{index}/_open")],
    "indices.close": [("POST", "/{index}/_close")],
    "indices.get_alias": [("GET", "/{index}/_alias/{name}"), ("GET", "/{index}/_alias"), ("GET", "/_alias/{name}"),
                          ("GET", "/_alias")],
    "indices.put_alias": [("PUT,POST", "/{index}/_alias/{name}")],
    "indices.put_index_template": [("PUT,POST", "/_index_template/{name}")],
    "indices.get_index_template": [("GET", "/_index_template/{name}"), ("GET", "/_index_template")],
    "indices.delete_index_template": [("DELETE", "/_index_template/{name}")],
    "indices.create_data_stream": [("PUT", "/_data_stream/{name}")],
    "indices.get_data_stream": [("GET", "/_data_stream/{name}"), ("GET", "/_data_stream")],
    "indices.delete_data_stream": [("DELETE", "/_data_stream/{name}")],
}

CATCH_STATUS = {"bad_request": 400, "unauthorized": 401, "forbidden": 403, "missing": 404, "request_timeout": 408,
                "conflict": 409, "unavailable": 503}

# Runner features (the `features` of a skip section) this runner has.
FEATURES = {"headers", "catch_unauthorized", "stash_in_key", "stash_in_path", "embedded_stash_key",
            "allowed_warnings", "allowed_warnings_regex", "contains", "default_shards", "gte", "lte"}


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def version_key(text, opensearch):
    """A comparable version.  On OpenSearch, versions of 5 and up are the
    Elasticsearch it forked from and sort before its own 1.0."""
    nums = [int(n) for n in re.findall(r"\d+", text.split("-")[0])[:3]]
    nums += [0] * (3 - len(nums))
    legacy = opensearch and nums[0] >= 5
    return (0 if legacy else 1,) + tuple(nums)


def in_range(spec, server_key, opensearch):
    for part in str(spec).split(","):
        part = part.strip()
        if part == "all":
            return True
        low, _, high = part.partition("-")
        low, high = low.strip(), high.strip()
        if (not low or version_key(low, opensearch) <= server_key) and \
                (not high or server_key <= version_key(high, opensearch)):
            return True
    return False


def split_path(path):
    """A dotted response path, "\\." being a literal dot."""
    if path == "":
        return []
    return [p.replace("\0", ".") for p in path.replace("\\.", "\0").split(".")]


def truthy(value):
    return value not in (None, False, "", "false", 0)


def numbers_equal(a, b):
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
        and not isinstance(b, bool) and a == b


def same(actual, expected):
    if numbers_equal(actual, expected):
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and set(actual) == set(expected) and \
            all(same(actual[k], expected[k]) for k in expected)
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and \
            all(same(a, e) for a, e in zip(actual, expected))
    if isinstance(actual, (int, float)) and isinstance(expected, str) and not isinstance(actual, bool):
        return False
    return type(actual) is type(expected) and actual == expected or \
        (isinstance(actual, str) and isinstance(expected, str) and actual == expected)


class Section:
    """One test section run: the stash and the last response."""

    def __init__(self, runner):
        self.runner = runner
        self.stash = {}
        self.response = None
        self.body_text = ""

    # -- stash ----------------------------------------------------------------------------------------

    def resolve(self, value):
        if isinstance(value, str):
            if value.startswith("$") and re.fullmatch(r"\$\{?\w+\}?", value):
                name = value.strip("${}")
                if name == "body":
                    return self.response
                if name not in self.stash:
                    raise Failure("stash has no %r" % name)
                return self.stash[name]
            return re.sub(r"\$\{(\w+)\}", lambda m: str(self.stash[m.group(1)]), value)
        if isinstance(value, dict):
            return {self.resolve(k): self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def lookup(self, path):
        if path == "$body":
            return self.response
        node = self.response
        for part in split_path(path):
            part = self.resolve(part) if part.startswith("$") else re.sub(
                r"\$\{(\w+)\}", lambda m: str(self.stash[m.group(1)]), part)
            if isinstance(node, list):
                try:
                    node = node[int(part)]
                except (ValueError, IndexError):
                    return None
            elif isinstance(node, dict):
                if part not in node:
                    return None
                node = node[part]
            else:
                return None
        return node

    # -- steps -----------------------------------------------------------------------------------------

    def run(self, steps):
        for step in steps or []:
            if not isinstance(step, dict) or len(step) != 1:
                raise Failure("malformed step %r" % (step,))
            kind, arg = next(iter(step.items()))
            if kind in ("skip", "requires"):
                continue
            handler = getattr(self, "step_" + kind, None)
            if handler is None:
                raise Failure("runner does not know the step %r" % kind)
            handler(arg)

    def step_do(self, spec):
        spec = dict(spec)
        catch = spec.pop("catch", None)
        headers = dict(spec.pop("headers", {}) or {})
        if spec.pop("warnings", None) or spec.pop("warnings_regex", None):
            raise Failure("the server sends no Warning headers a `warnings` step could check")
        for key in ("allowed_warnings", "allowed_warnings_regex"):
            spec.pop(key, None)
        if "node_selector" in spec:
            raise Failure("node_selector is not supported")
        if len(spec) != 1:
            raise Failure("do: expected one API call, got %r" % list(spec))
        api, args = next(iter(spec.items()))
        args = self.resolve(dict(args or {}))
        ignore = args.pop("ignore", None)
        ignore = set(ignore if isinstance(ignore, list) else [ignore] if ignore is not None else [])
        status, body = self.runner.call(api, args, headers)
        self.response = body
        if catch is not None:
            text = self.body_text_of(body)
            if catch in CATCH_STATUS:
                if status != CATCH_STATUS[catch]:
                    raise Failure("%s: expected %s (%d), got %d: %s" % (api, catch, CATCH_STATUS[catch], status,
                                                                        text[:500]))
            elif catch == "request":
                if status < 400 or status in CATCH_STATUS.values():
                    raise Failure("%s: expected an other 4xx/5xx error, got %d" % (api, status))
            elif catch == "param":
                raise Failure("catch: param is a client-side check this runner does not make")
            elif catch.startswith("/") and catch.endswith("/"):
                if status < 400:
                    raise Failure("%s: expected an error matching %s, got %d" % (api, catch, status))
                # Unlike match, catch compiles its regex without COMMENTS.
                if not re.search(catch[1:-1], text):
                    raise Failure("%s: error does not match %s: %s" % (api, catch, text[:500]))
            else:
                raise Failure("unknown catch %r" % catch)
        elif status >= 400 and status not in ignore and not (status == 404 and body is False):
            raise Failure("%s: HTTP %d: %s" % (api, status, self.body_text_of(body)[:800]))

    @staticmethod
    def body_text_of(body):
        return body if isinstance(body, str) else json.dumps(body)

    def step_match(self, arg):
        for path, expected in arg.items():
            expected = self.resolve(expected)
            actual = self.lookup(self.resolve(path) if path.startswith("$") and path != "$body" else path)
            if isinstance(expected, str) and len(expected) > 1 and expected.strip().startswith("/") and \
                    expected.strip().endswith("/"):
                text = actual if isinstance(actual, str) else json.dumps(actual)
                if not re.search(expected.strip()[1:-1], text, re.X):
                    raise Failure("match %s: %r does not match %s" % (path, actual, expected.strip()))
            elif not same(actual, expected):
                raise Failure("match %s: expected %r, got %r" % (path or "''", expected, actual))

    def step_length(self, arg):
        for path, expected in arg.items():
            actual = self.lookup(path)
            if actual is None or len(actual) != self.resolve(expected):
                raise Failure("length %s: expected %r, got %r" % (path, expected, actual))

    def step_is_true(self, path):
        value = self.lookup(path or "")
        if not truthy(value):
            raise Failure("is_true %r: got %r" % (path, value))

    def step_is_false(self, path):
        value = self.lookup(path or "")
        if truthy(value):
            raise Failure("is_false %r: got %r" % (path, value))

    def step_set(self, arg):
        for path, name in arg.items():
            self.stash[name] = self.lookup(path)

    def compare(self, arg, op, word):
        for path, limit in arg.items():
            actual = self.lookup(path)
            limit = self.resolve(limit)
            if not isinstance(actual, (int, float)) or not op(actual, limit):
                raise Failure("%s %s: %r vs %r" % (word, path, actual, limit))

    def step_gt(self, arg):
        self.compare(arg, lambda a, b: a > b, "gt")

    def step_gte(self, arg):
        self.compare(arg, lambda a, b: a >= b, "gte")

    def step_lt(self, arg):
        self.compare(arg, lambda a, b: a < b, "lt")

    def step_lte(self, arg):
        self.compare(arg, lambda a, b: a <= b, "lte")

    def step_contains(self, arg):
        for path, expected in arg.items():
            actual = self.lookup(path)
            expected = self.resolve(expected)
            if not isinstance(actual, list) or not any(
                    same(item, expected) or (isinstance(item, dict) and isinstance(expected, dict) and
                                             all(same(item.get(k), v) for k, v in expected.items()))
                    for item in actual):
                raise Failure("contains %s: %r not in %r" % (path, expected, actual))


class Runner:
    def __init__(self, url, skips=None, auth=None):
        self.url = url.rstrip("/")
        self.skips = skips or {}
        self.auth = auth
        info = self.request("GET", "/", None, {})[1]
        self.version = info["version"]["number"]
        self.opensearch = info["version"].get("distribution") == "opensearch"
        self.server_key = version_key(self.version, self.opensearch)

    # -- HTTP --------------------------------------------------------------------------------------------

    def request(self, method, path, body, headers):
        req = urllib.request.Request(self.url + path, data=body, method=method)
        for name, value in headers.items():
            req.add_header(name, str(value))
        if self.auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(self.auth.encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, data, ctype = resp.status, resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        if method == "HEAD":
            return status, 200 <= status < 300
        if "json" in ctype and data:
            return status, json.loads(data)
        return status, data.decode("utf-8", "replace")

    def call(self, api, args, headers):
        """An API call as the clients make it from the spec: the path whose
        parts are all given (the most parts wins), the rest as query
        parameters, the body as JSON or, for bulk, NDJSON."""
        if api not in API:
            raise Failure("API %r is not in the runner's table" % api)
        body = args.pop("body", None)
        chosen = None
        for methods, template in API[api]:
            parts = re.findall(r"\{(\w+)\}", template)
            if all(p in args for p in parts):
                chosen = (methods.split(","), template, parts)
                break
        if chosen is None:
            raise Failure("%s: no path for parameters %r" % (api, sorted(args)))
        methods, template, parts = chosen
        path = template
        for part in parts:
            value = args.pop(part)
            value = ",".join(str(v) for v in value) if isinstance(value, list) else self.param(value)
            path = path.replace("{%s}" % part, urllib.parse.quote(value, safe=",*"))
        query = urllib.parse.urlencode([(k, self.param(v)) for k, v in args.items()])
        if query:
            path += "?" + query
        method = methods[0]
        if body is not None and method == "GET" and "POST" in methods:
            method = "POST"
        headers = dict(headers)
        data = None
        if body is not None:
            if api == "bulk":
                if isinstance(body, list):
                    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in body)
                else:
                    text = body if str(body).endswith("\n") else str(body) + "\n"
                headers.setdefault("Content-Type", "application/x-ndjson")
            else:
                text = body if isinstance(body, str) else json.dumps(body)
                headers.setdefault("Content-Type", "application/json")
            data = text.encode("utf-8")
        return self.request(method, path, data, headers)

    @staticmethod
    def param(value):
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, list):
            return ",".join(Runner.param(v) for v in value)
        return str(value)

    # -- files ---------------------------------------------------------------------------------------------

    def skip_reason(self, steps):
        """Why a section (or a setup) is skipped by its own skip/requires, or None."""
        for step in (steps or [])[:2]:
            if not isinstance(step, dict):
                continue
            spec = step.get("skip") or step.get("requires")
            if spec is None:
                continue
            features = spec.get("features", spec.get("test_runner_features", []))
            features = [features] if isinstance(features, str) else features or []
            missing = [f for f in features if f not in FEATURES]
            if missing:
                return "runner feature %s not supported" % ", ".join(missing)
            if spec.get("cluster_features"):
                return "cluster features %s" % spec["cluster_features"]
            if "version" in spec and in_range(spec["version"], self.server_key, self.opensearch):
                return "version %s: %s" % (spec["version"].strip(), spec.get("reason", ""))
        return None

    def wipe(self):
        self.request("POST", "/_fault/wipe", b"", {})

    def run_file(self, path, name):
        """Yields (section name, "ok" | "fail" | "skip", detail)."""
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        setup, teardown, sections = [], [], []
        for doc in docs:
            for key, steps in doc.items():
                if key == "setup":
                    setup = steps
                elif key == "teardown":
                    teardown = steps
                else:
                    sections.append((key, steps))
        setup_skip = self.skip_reason(setup)
        for title, steps in sections:
            listed = self.skips.get((name, title))
            if listed:
                yield title, "skip", "not supported: " + listed
                continue
            reason = setup_skip or self.skip_reason(steps)
            if reason:
                yield title, "skip", reason
                continue
            section = Section(self)
            try:
                section.run(setup)
                section.run(steps)
                section.run(teardown)
                yield title, "ok", ""
            except Failure as e:
                yield title, "fail", str(e)
            finally:
                self.wipe()


def load_skips(path):
    """The skip file: `file | section | reason` per line, # comments."""
    skips = {}
    if not path:
        return skips
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ")]
            if len(parts) != 3:
                raise ValueError("bad skip line: %r" % line)
            skips[(parts[0], parts[1])] = parts[2]
    return skips


def collect(paths, root):
    """The .yml files under `paths`, with their names relative to `root`."""
    out = []
    for path in paths:
        if os.path.isdir(path):
            for base, _, files in sorted(os.walk(path)):
                for f in sorted(files):
                    if f.endswith(".yml"):
                        full = os.path.join(base, f)
                        out.append((full, os.path.relpath(full, root)))
        else:
            out.append((path, os.path.relpath(path, root)))
    return out


def run_tap(runner, files, out=sys.stdout):
    """Runs the files, printing TAP; returns (passed, failed, skipped)."""
    results = []
    for path, name in files:
        for title, outcome, detail in runner.run_file(path, name):
            results.append((name, title, outcome, detail))
    out.write("1..%d\n" % len(results))
    counts = {"ok": 0, "fail": 0, "skip": 0}
    for i, (name, title, outcome, detail) in enumerate(results, 1):
        label = ("%s: %s" % (name, title)).replace("#", "")
        counts[outcome] += 1
        if outcome == "ok":
            out.write("ok %d - %s\n" % (i, label))
        elif outcome == "skip":
            out.write("ok %d - %s # SKIP %s\n" % (i, label, detail.replace("\n", " ")))
        else:
            out.write("not ok %d - %s\n" % (i, label))
            for line in detail.splitlines():
                out.write("# %s\n" % line)
    out.write("# %s %s: %d passed, %d failed, %d skipped\n" % (
        "OpenSearch" if runner.opensearch else "Elasticsearch", runner.version, counts["ok"], counts["fail"],
        counts["skip"]))
    out.flush()
    return counts["ok"], counts["fail"], counts["skip"]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Runs YAML REST tests against an Elasticsearch-compatible server.")
    ap.add_argument("--url", required=True)
    ap.add_argument("--auth", help="user:password for basic auth")
    ap.add_argument("--skip-file")
    ap.add_argument("--root", help="file names are reported relative to this directory")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args(argv)
    root = args.root or os.path.commonpath([os.path.abspath(p) for p in args.paths])
    runner = Runner(args.url, load_skips(args.skip_file), args.auth)
    _, failed, _ = run_tap(runner, collect(args.paths, root))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
