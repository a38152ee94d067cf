"""Docs that cannot drift from what connectd does: the example outputs of
docs/rest-api.md and docs/cli.md marked <!-- docs-examples --> against a real run
(build-aux/docs-examples, which `make docs` runs to rewrite them), and
docs/metrics.md against the families a real worker's GET /metrics serves.
"""

import glob
import os
import re
import subprocess
import sys
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, read_or_empty, wait_for  # noqa: E402

TOP_SRCDIR = os.path.abspath(os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", "..")))


def test_marked_examples_are_what_a_real_run_prints():
    """every marked console block of docs/ is what its commands print against
    a fresh worker now (else: regenerate with 'make docs')"""
    env = dict(os.environ, CONNECTD=harness.connectd_path(), TOP_SRCDIR=TOP_SRCDIR)
    res = subprocess.run(["/usr/bin/python3", os.path.join(TOP_SRCDIR, "build-aux", "docs-examples"), "--check"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    assert res.returncode == 0, "docs are stale, run 'make docs':\n" + res.stdout.decode()
    with open(os.path.join(TOP_SRCDIR, "docs", "rest-api.md")) as f:
        text = f.read()
    # rest-api.md says all but five of its console blocks are generated.
    marked = text.count("<!-- docs-examples -->\n```console\n")
    assert marked >= 36 and text.count("```console\n") - marked <= 5, marked
    with open(os.path.join(TOP_SRCDIR, "docs", "cli.md")) as f:
        assert f.read().count("<!-- docs-examples -->\n```console\n") >= 14


def documented_families(path):
    """{family: type} of the tables of a doc whose rows start with
    | `connectd_...` | type |."""
    with open(path) as f:
        return dict(re.findall(r"^\| `(connectd_[a-z0-9_]+)` \| (counter|gauge|summary) \|", f.read(), re.M))


def served_families(worker):
    with urllib.request.urlopen(worker.rest + "/metrics", timeout=30) as res:
        text = res.read().decode()
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))


def test_metrics_doc_lists_every_family_served():
    """the worker's and the embedded broker's families, a source's, a sink's
    and a consumer group's included, are those docs/metrics.md lists, with
    the same types; a plugin's families (metric_set in connectors/) are in
    docs/metrics.md or the connector's page"""
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    with open(src, "w") as f:
        f.write("a\nb\n")
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "snk", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "t"}})[0] == 201
    wait_for(lambda: read_or_empty(sink) == b"a\nb\n", what="the sink file")
    # The group's families appear once the sink committed its offsets.
    served = wait_for(lambda: (lambda fams: fams if "connectd_broker_group_lag" in fams else None)(
        served_families(w)), what="the sink group's offsets in /metrics")
    w.stop()
    documented = documented_families(os.path.join(TOP_SRCDIR, "docs", "metrics.md"))
    core = {name: kind for name, kind in documented.items() if not name.startswith("connectd_plugin_")}
    assert served == core, "served, not documented: %s; documented, not served: %s" % (
        sorted(set(served.items()) - set(core.items())), sorted(set(core.items()) - set(served.items())))

    pages = dict(documented)
    for page in glob.glob(os.path.join(TOP_SRCDIR, "docs", "connectors", "*.md")):
        with open(page) as f:
            pages.update(re.findall(r"^\| `(connectd_plugin_[a-z0-9_]+)` \| (counter|gauge) \|", f.read(), re.M))
    plugin = {}
    for source in glob.glob(os.path.join(TOP_SRCDIR, "connectors", "*", "*.c")):
        with open(source) as f:
            for name, kind in re.findall(r'"([a-z0-9_]+)",\s*CD_METRIC_(GAUGE|COUNTER)', f.read()):
                family = "connectd_plugin_" + name + ("_total" if kind == "COUNTER" else "")
                plugin[family] = kind.lower()
    assert len(plugin) >= 10, plugin
    missing = {f: k for f, k in plugin.items() if pages.get(f) != k}
    assert not missing, "plugin families not documented with their type: %s" % missing


harness.main(globals())
