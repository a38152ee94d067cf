"""Client overrides in connector configs (docs/security.md): a REST client
may not make the worker load a library (plugin.library.paths), run a shell
command (sasl.kerberos.kinit.cmd, or a principal pasted into kinit's) or
read a local file through producer.override.*, consumer.override.*,
admin.override.* or the dead letter queue's producer: a 400 naming the key,
nothing run, and the worker still serving and moving the quick start's
lines.  connector.client.config.override.policy is Kafka's: None refuses
every override, Principal all but the client's identity, All (the default)
anything but the deny-list.
"""

import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, read_or_empty, wait_for  # noqa: E402

TOP_SRCDIR = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
POLICY = "connector.client.config.override.policy"

# A library whose constructor leaves a marker: what an attacker's .so would do.
MARKER_SO = r"""
#include <stdio.h>
__attribute__((constructor)) static void planted(void)
{
    FILE *f = fopen(MARKER, "w");
    if (f) {
        fputs("loaded\n", f);
        fclose(f);
    }
}
"""


def build_marker_library(tmp):
    """A real .so that writes tmp/so-loaded when loaded, checked to do so."""
    src, lib, marker = (os.path.join(tmp, n) for n in ("planted.c", "planted.so", "so-loaded"))
    with open(src, "w") as f:
        f.write(MARKER_SO)
    harness.run(["cc", "-shared", "-fPIC", "-DMARKER=\"%s\"" % marker, "-o", lib, src])
    # The library does what the attack needs when anything loads it.
    subprocess.run([sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", lib], check=True)
    assert os.path.exists(marker)
    os.unlink(marker)
    return lib, marker


def source(tmp, name, **extra):
    config = {"connector.class": "FileStreamSource", "file": os.path.join(tmp, name + ".in"), "topic": name}
    config.update(extra)
    return {"name": name, "config": config}


def sink(tmp, name, **extra):
    config = {"connector.class": "FileStreamSink", "file": os.path.join(tmp, name + ".out"), "topics": name}
    config.update(extra)
    return {"name": name, "config": config}


def refused(w, body, key, *words):
    """POST body: a 400 whose message names key (and words); nothing created."""
    status, answer = http(w, "POST", "/connectors", body)
    assert status == 400, (status, answer)
    for word in (key,) + words:
        assert word in answer["message"], (word, answer)
    assert http(w, "GET", "/connectors/" + body["name"])[0] == 404


def quickstart_worker(tmp, overrides=None):
    """A worker running the README's file source and sink, from etc/'s
    sample files with their files moved into tmp."""
    src, out = os.path.join(tmp, "test.txt"), os.path.join(tmp, "test.sink.txt")
    open(src, "wb").close()
    files = []
    for sample, key, path in (("connect-file-source.properties", "file", src),
                              ("connect-file-sink.properties", "file", out)):
        with open(os.path.join(TOP_SRCDIR, "etc", sample)) as f:
            lines = [line for line in f if line.split("=", 1)[0].strip() != key]
        files.append(os.path.join(tmp, sample))
        with open(files[-1], "w") as f:
            f.writelines(lines + ["%s=%s\n" % (key, path)])
    return Worker(files, overrides=overrides).start(), src, out


def assert_still_serves(w, src, out, line):
    """REST answers and the quick start's pipeline still moves a line."""
    status, names = http(w, "GET", "/connectors")
    assert status == 200 and {"local-file-source", "local-file-sink"} <= set(names), (status, names)
    with open(src, "ab") as f:
        f.write(line + b"\n")
    wait_for(lambda: line in read_or_empty(out), what="the quick start's line in the sink file")
    assert w.alive()


def test_library_and_command_refused_on_every_prefix():
    """plugin.library.paths and kinit through producer., consumer. and admin.
    overrides and a DLQ sink: 400 naming the key, no marker, worker serving"""
    tmp = harness.tmpdir()
    lib, so_marker = build_marker_library(tmp)
    cmd_marker = os.path.join(tmp, "kinit-ran")
    kinit = {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "GSSAPI",
             "sasl.kerberos.kinit.cmd": "touch " + cmd_marker}
    w, src, out = quickstart_worker(tmp)
    for prefix, make in (("producer.override.", source), ("consumer.override.", sink), ("admin.override.", sink)):
        refused(w, make(tmp, "lib", **{prefix + "plugin.library.paths": lib}), "plugin.library.paths")
        refused(w, make(tmp, "kinit", **{prefix + k: v for k, v in kinit.items()}), "sasl.kerberos.kinit.cmd")
        # The default kinit command pastes the principal in unquoted.
        refused(w, make(tmp, "principal", **{prefix + "security.protocol": "SASL_PLAINTEXT",
                                              prefix + "sasl.mechanisms": "GSSAPI",
                                              prefix + "sasl.kerberos.principal": "x; touch " + cmd_marker}),
                "sasl.kerberos.principal")
        refused(w, make(tmp, "file", **{prefix + "ssl.ca.location": "/etc/shadow"}), "ssl.ca.location")
        # librdkafka's "topic." reaches the default topic config: looked through.
        refused(w, make(tmp, "topicconf", **{prefix + "topic.offset.store.path": tmp}), "offset.store.path")
    # A sink with a dead letter queue: its producer takes producer.override.*.
    dlq = {"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "dlq",
           "errors.deadletterqueue.topic.replication.factor": "1"}
    refused(w, sink(tmp, "dlq", **dlq, **{"producer.override.plugin.library.paths": lib}), "plugin.library.paths")
    refused(w, sink(tmp, "dlq", **dlq, **{"producer.override." + k: v for k, v in kinit.items()}),
            "sasl.kerberos.kinit.cmd")
    # Updating a running connector's config is judged alike.
    status, answer = http(w, "PUT", "/connectors/local-file-sink/config",
                          dict(sink(tmp, "x")["config"], name="local-file-sink",
                               **{"consumer.override.plugin.library.paths": lib}))
    assert status == 400 and "plugin.library.paths" in answer["message"], (status, answer)
    assert not os.path.exists(so_marker) and not os.path.exists(cmd_marker)
    assert_still_serves(w, src, out, b"after the attacks")
    assert not os.path.exists(so_marker) and not os.path.exists(cmd_marker)
    w.stop()


def test_validate_shows_the_error_on_the_key():
    """PUT .../config/validate: the refused override is an entry with its error"""
    tmp = harness.tmpdir()
    w = Worker().start()
    key = "consumer.override.plugin.library.paths"
    status, body = http(w, "PUT", "/connector-plugins/FileStreamSink/config/validate",
                        dict(sink(tmp, "v")["config"], name="v", **{key: "/tmp/x.so"}))
    assert status == 200 and body["error_count"] == 1, body
    entry = [c["value"] for c in body["configs"] if c["value"]["name"] == key]
    assert len(entry) == 1 and entry[0]["value"] == "/tmp/x.so", body
    assert len(entry[0]["errors"]) == 1 and "'plugin.library.paths'" in entry[0]["errors"][0], entry
    # An allowed override is no error.
    status, body = http(w, "PUT", "/connector-plugins/FileStreamSink/config/validate",
                        dict(sink(tmp, "v")["config"], name="v", **{"consumer.override.fetch.min.bytes": "1"}))
    assert status == 200 and body["error_count"] == 0, body
    assert http(w, "GET", "/connectors")[0] == 200
    w.stop()


def test_policy_none_refuses_every_override():
    """None: even acks is refused, in Kafka's words; no override is fine"""
    tmp = harness.tmpdir()
    w, src, out = quickstart_worker(tmp, {POLICY: "None"})
    for prefix, make in (("producer.override.", source), ("consumer.override.", sink), ("admin.override.", sink)):
        status, answer = http(w, "POST", "/connectors", make(tmp, "n", **{prefix + "acks": "1"}))
        assert status == 400, (status, answer)
        assert ("The 'None' policy does not allow 'acks' to be overridden in the connector configuration."
                in answer["message"]), answer
    assert http(w, "POST", "/connectors", source(tmp, "plain"))[0] == 201
    assert_still_serves(w, src, out, b"under None")
    w.stop()


def test_policy_principal_allows_only_identity():
    """Principal: security.protocol and sasl.mechanism pass, acks does not"""
    tmp = harness.tmpdir()
    policy = "org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy"
    w, src, out = quickstart_worker(tmp, {POLICY: policy})
    status, answer = http(w, "POST", "/connectors", source(tmp, "acks", **{"producer.override.acks": "1"}))
    assert status == 400, (status, answer)
    assert ("The 'Principal' policy does not allow 'acks' to be overridden in the connector configuration."
            in answer["message"]), answer
    # Principal does not open the deny-list.
    refused(w, source(tmp, "keytab", **{"producer.override.sasl.kerberos.keytab": "/etc/krb5.keytab"}),
            "sasl.kerberos.keytab")
    ok = source(tmp, "ident", **{"producer.override.security.protocol": "PLAINTEXT",
                                 "producer.override.sasl.mechanism": "PLAIN"})
    assert http(w, "POST", "/connectors", ok)[0] == 201
    # The override reaches the task's producer, which runs with it.
    with open(ok["config"]["file"], "wb") as f:
        f.write(b"identity\n")
    wait_for(lambda: (http(w, "GET", "/connectors/ident/status")[1] or {}).get("tasks", [{}])[0].get("state")
             == "RUNNING", what="the ident task to run")
    assert_still_serves(w, src, out, b"under Principal")
    w.stop()


def test_policy_all_allows_acks_but_not_the_deny_list():
    """All (the default): acks passes and reaches the producer; the deny-list holds"""
    tmp = harness.tmpdir()
    w, src, out = quickstart_worker(tmp, {POLICY: "All"})
    ok = source(tmp, "acks", **{"producer.override.acks": "all", "producer.override.linger.ms": "1"})
    assert http(w, "POST", "/connectors", ok)[0] == 201
    wait_for(lambda: (http(w, "GET", "/connectors/acks/status")[1] or {}).get("tasks", [{}])[0].get("state")
             == "RUNNING", what="the acks task to run")
    refused(w, source(tmp, "engine", **{"producer.override.ssl.engine.location": "/tmp/engine.so"}),
            "ssl.engine.location")
    assert_still_serves(w, src, out, b"under All")
    w.stop()


def test_unknown_policy_stops_start_up():
    """a policy that is none of Kafka's is a configuration error naming the setting"""
    w = Worker(overrides={POLICY: "Everything"})
    assert w.start(expect_exit=True) != 0
    assert POLICY in w.stderr(), w.stderr()


if __name__ == "__main__":
    harness.main(globals())
