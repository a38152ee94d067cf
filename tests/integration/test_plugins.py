"""Connector plugins in a running worker: the example connector built out
of tree against the installed SDK (pkg-config), exactly as
docs/plugin-guide.md says; a plugin that fails in each callback leaves its
task FAILED with the plugin's message while the worker and other
connectors go on; plugins that are not valid are refused by name.
"""

import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

TOP_SRCDIR = os.path.abspath(os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", TOP_SRCDIR))



def test_example_built_out_of_tree_runs():
    """make install, then the example's own Makefile with pkg-config builds
    a plugin the worker loads from plugin.path and runs"""
    tmp = harness.tmpdir()
    dest = os.path.join(tmp, "root")
    harness.run(["make", "-C", TOP_BUILDDIR, "install", "DESTDIR=" + dest], timeout=300)
    pcdirs = [os.path.join(r, d) for r, ds, _ in os.walk(dest) for d in ds if d == "pkgconfig"]
    assert pcdirs, "make install wrote no pkgconfig directory"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    env.update(PKG_CONFIG_PATH=pcdirs[0], PKG_CONFIG_SYSROOT_DIR=dest)
    # Only what a plugin author has: the source and its Makefile (an in-tree
    # build leaves objects next to them, which must not stand in for a build).
    src = os.path.join(tmp, "example")
    os.mkdir(src)
    for name in ("Makefile", "sequence_source.c", "uppercase_value.c"):
        shutil.copy(os.path.join(TOP_SRCDIR, "plugins", "example", name), src)
    build = subprocess.run(["make", "-C", src], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert build.returncode == 0, build.stdout.decode()
    assert os.path.exists(os.path.join(src, "sequence-source.so"))
    assert os.path.exists(os.path.join(src, "uppercase-value.so"))

    words = os.path.join(tmp, "words.txt")
    with open(words, "w") as f:
        f.write("hello\nplugin\n")
    w = Worker(overrides={"plugin.path": src, "key.converter": "StringConverter",
                          "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                          "value.converter.schemas.enable": "false"}).start()
    status, plugins = http(w, "GET", "/connector-plugins")
    assert "SequenceSource" in [p["class"] for p in plugins], plugins
    status, body = http(w, "POST", "/connectors", {"name": "seq", "config": {
        "connector.class": "SequenceSource", "topic": "numbers", "rate.per.sec": "1000", "max.records": "20"}})
    assert status == 201, body
    values = [json.loads(v) for v in harness.kcat_values(w, "numbers", 20)]
    assert [v["seq"] for v in values] == list(range(20)), values
    # The example transform (ABI 1.1) in a pipeline: lines upper-cased.
    status, body = http(w, "POST", "/connectors", {"name": "words", "config": {
        "connector.class": "FileStreamSource", "file": words, "topic": "words",
        "transforms": "up", "transforms.up.type": "UppercaseValue"}})
    assert status == 201, body
    assert harness.kcat_values(w, "words", 2) == ['"HELLO"', '"PLUGIN"']
    w.stop()


def test_example_built_from_the_build_tree_runs():
    """before any install, PKG_CONFIG_PATH=<build>/plugins is all the
    example's own Makefile needs (connectd-plugin-uninstalled.pc): the
    plugin it builds loads in a worker and runs"""
    tmp = harness.tmpdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    # Nothing installed anywhere can stand in: pkg-config's default
    # directories are replaced by an empty one.
    env.update(PKG_CONFIG_PATH=os.path.join(TOP_BUILDDIR, "plugins"), PKG_CONFIG_LIBDIR=tmp)
    env.pop("PKG_CONFIG_DISABLE_UNINSTALLED", None)
    cflags = subprocess.run(["pkg-config", "--cflags", "connectd-plugin"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    assert cflags.returncode == 0, cflags.stdout.decode()
    assert cflags.stdout.decode().split() == ["-I" + os.path.join(TOP_SRCDIR, "plugins", "include")], cflags.stdout
    src = os.path.join(tmp, "example")
    os.mkdir(src)
    for name in ("Makefile", "sequence_source.c"):
        shutil.copy(os.path.join(TOP_SRCDIR, "plugins", "example", name), src)
    build = subprocess.run(["make", "-C", src, "sequence-source.so"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    assert build.returncode == 0, build.stdout.decode()
    w = Worker(overrides={"plugin.path": src, "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                          "value.converter.schemas.enable": "false"}).start()
    assert "SequenceSource" in [p["class"] for p in http(w, "GET", "/connector-plugins")[1]]
    status, body = http(w, "POST", "/connectors", {"name": "seq", "config": {
        "connector.class": "SequenceSource", "topic": "numbers", "rate.per.sec": "1000", "max.records": "5"}})
    assert status == 201, body
    assert [json.loads(v)["seq"] for v in harness.kcat_values(w, "numbers", 5)] == list(range(5))
    w.stop()


def test_failing_plugin_fails_only_its_task():
    """a task whose start, poll, put or flush fails is FAILED with the
    plugin's message; the worker and the other connectors keep running"""
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    with open(src, "w") as f:
        f.write("a\nb\n")
    w = Worker(overrides={"plugin.path": os.path.join(TOP_BUILDDIR, "tests", "plugins")}).start()
    # The fixtures that are not valid plugins are refused, each by name.
    for name in ("bad_major.so", "missing_callback.so", "short_struct.so", "bad_config.so"):
        assert name in w.stderr(), name
    assert http(w, "POST", "/connectors", {"name": "healthy", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "fine"}})[0] == 201
    assert http(w, "POST", "/connectors", {"name": "copy", "config": {
        "connector.class": "FileStreamSink", "file": sink, "topics": "fine"}})[0] == 201
    cases = {"start": "FailingSource", "poll": "FailingSource", "put": "FailingSink", "flush": "FailingSink"}
    for callback, cls in cases.items():
        config = {"connector.class": cls, "fail.in": callback, "fail.after": "0"}
        if cls == "FailingSink":
            config["topics"] = "fine"
        status, body = http(w, "POST", "/connectors", {"name": "fail-" + callback, "config": config})
        assert status == 201, body

    def failed(name):
        status, body = http(w, "GET", "/connectors/%s/status" % name)
        return body["tasks"] and body["tasks"][0]["state"] == "FAILED" and body["tasks"][0]

    for callback in cases:
        task = wait_for(lambda: failed("fail-" + callback), what="fail-%s to fail" % callback)
        assert "injected failure in %s" % callback in task["trace"], task
    # PASSWORD settings are masked in every response that shows a config.
    status, body = http(w, "POST", "/connectors", {"name": "secretive", "config": {
        "connector.class": "FailingSink", "fail.in": "flush", "fail.after": "1000000", "topics": "fine",
        "fail.password": "hunter2"}})
    assert status == 201 and body["config"]["fail.password"] == "[hidden]", body
    for path in ("/connectors/secretive", "/connectors/secretive/config", "/connectors/secretive/tasks",
                 "/connectors?expand=info"):
        text = json.dumps(http(w, "GET", path)[1])
        assert "hunter2" not in text and "[hidden]" in text, (path, text)
    # Connector-level callbacks: validate refuses the config (400, as Kafka's
    # config validation), task_configs fails the connector.
    status, body = http(w, "POST", "/connectors", {"name": "fail-validate", "config": {
        "connector.class": "FailingSource", "fail.in": "validate"}})
    assert status == 400 and "injected failure in validate" in body["message"], body
    status, body = http(w, "POST", "/connectors", {"name": "fail-task-configs", "config": {
        "connector.class": "FailingSource", "fail.in": "task_configs"}})
    assert status == 201, body
    conn = http(w, "GET", "/connectors/fail-task-configs/status")[1]["connector"]
    assert conn["state"] == "FAILED" and "injected failure in task_configs" in conn["trace"], conn
    wait_for(lambda: open(sink, "rb").read() == b"a\nb\n" if os.path.exists(sink) else False,
             what="the healthy pipeline")
    for name in ("healthy", "copy"):
        assert http(w, "GET", "/connectors/%s/status" % name)[1]["tasks"][0]["state"] == "RUNNING"
    w.stop()


harness.main(globals())
