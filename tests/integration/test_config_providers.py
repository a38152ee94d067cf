"""Config providers as Kafka has them: none unless the worker's
config.providers lists it, file and dir confined to allowed.paths (symlinks
and ".." resolved), only regular files of at most 1 MiB, read without
blocking.  Each attack is refused with a 400 naming the key and why, and
the worker goes on serving and stops on SIGTERM.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

T = "org.apache.kafka.connect.transforms."
SCHEMALESS = {"key.converter": "org.apache.kafka.connect.storage.StringConverter",
              "value.converter": "org.apache.kafka.connect.json.JsonConverter",
              "value.converter.schemas.enable": "false"}
PROVIDERS = "org.apache.kafka.common.config.provider."


def timed(w, method, path, body=None):
    """http(), failing the test if the worker does not answer within 10 s
    (a socket timeout: a hang fails it, nothing is timed)."""
    return http(w, method, path, body, timeout=10)


def serves(w):
    """The worker still answers REST, and can still create a connector."""
    assert timed(w, "GET", "/")[0] == 200
    name = "plain-%d" % time.monotonic_ns()
    status, body = timed(w, "POST", "/connectors", {"name": name, "config": {
        "connector.class": "FileStreamSink", "file": os.path.join(harness.tmpdir(), "out.txt"), "topics": "t"}})
    assert status == 201, body
    assert timed(w, "DELETE", "/connectors/" + name)[0] == 204


def test_no_provider_unless_listed():
    """a worker without config.providers leaves ${env:HOME} as written: the
    worker's environment reaches neither records nor topic names"""
    tmp = harness.tmpdir()
    src = os.path.join(tmp, "in.txt")
    with open(src, "w") as f:
        f.write("line\n")
    os.environ["CONNECTD_TEST_SECRET"] = "do-not-leak"
    w = Worker(overrides=SCHEMALESS).start()
    del os.environ["CONNECTD_TEST_SECRET"]
    reference = "${env:HOME}|${env:CONNECTD_TEST_SECRET}"
    status, body = timed(w, "POST", "/connectors", {"name": "leak", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "leak",
        "transforms": "hoist,stamp",
        "transforms.hoist.type": T + "HoistField$Value", "transforms.hoist.field": "line",
        "transforms.stamp.type": T + "InsertField$Value", "transforms.stamp.static.field": "env",
        "transforms.stamp.static.value": reference}})
    assert status == 201, body
    values = harness.kcat_values(w, "leak", 1)
    assert values == ['{"line":"line","env":"%s"}' % reference], values
    assert "do-not-leak" not in values[0] and os.environ["HOME"] not in values[0], values
    # Validation judges the text as written too: tasks.max is no number.
    status, body = timed(w, "PUT", "/connector-plugins/FileStreamSink/config/validate", {
        "name": "v", "connector.class": "FileStreamSink", "topics": "t", "tasks.max": "${env:CONNECTD_TEST_SECRET}"})
    assert status == 200 and body["error_count"] == 1 and "do-not-leak" not in str(body), body
    serves(w)
    w.stop(timeout=10)


def test_file_provider_confined():
    """with file and dir enabled and allowed.paths set: /etc/passwd,
    /dev/zero, a FIFO, a symlink out, "..", an oversized file are each a
    400 naming the key, answered at once; the worker serves and stops"""
    tmp = harness.tmpdir()
    secrets = os.path.join(tmp, "secrets")
    os.mkdir(secrets)
    with open(os.path.join(secrets, "ok.properties"), "w") as f:
        f.write("topic=provided-topic\n")
    with open(os.path.join(secrets, "big.properties"), "w") as f:
        f.write("k=v\n" + "#" * (1 << 20) + "\n")
    with open(os.path.join(tmp, "outside.properties"), "w") as f:
        f.write("topic=outside\n")
    os.mkfifo(os.path.join(secrets, "fifo"))
    os.symlink("/etc/passwd", os.path.join(secrets, "passwd"))
    w = Worker(overrides={
        "config.providers": "file,dir",
        "config.providers.file.class": PROVIDERS + "FileConfigProvider",
        "config.providers.file.param.allowed.paths": secrets,
        "config.providers.dir.class": PROVIDERS + "DirectoryConfigProvider",
        "config.providers.dir.param.allowed.paths": "%s,/dev" % secrets}).start()

    attacks = (
        ("${file:/etc/passwd:root}", "/etc/passwd is outside config.providers.file.param.allowed.paths"),
        ("${file:/dev/zero:k}", "/dev/zero is outside config.providers.file.param.allowed.paths"),
        ("${dir:/dev:zero}", "/dev/zero is not a regular file"),
        ("${file:%s/fifo:k}" % secrets, "%s/fifo is not a regular file" % secrets),
        ("${dir:%s:fifo}" % secrets, "%s/fifo is not a regular file" % secrets),
        ("${file:%s/passwd:root}" % secrets,
         "%s/passwd resolves to /etc/passwd, outside config.providers.file.param.allowed.paths" % secrets),
        ("${file:%s/../outside.properties:topic}" % secrets,
         "%s/../outside.properties is outside config.providers.file.param.allowed.paths" % secrets),
        ("${file:%s/big.properties:k}" % secrets,
         "%s/big.properties is larger than 1 MiB, the most a config provider reads" % secrets),
    )
    for reference, why in attacks:
        status, body = timed(w, "POST", "/connectors", {"name": "attack", "config": {
            "connector.class": "FileStreamSource", "file": "/tmp/x", "topic": reference}})
        assert status == 400 and "topic: %s %s" % (reference, why) in body["message"], (reference, body)
        status, body = timed(w, "PUT", "/connector-plugins/FileStreamSource/config/validate", {
            "name": "v", "connector.class": "FileStreamSource", "file": "/tmp/x", "topic": reference})
        assert status == 200 and body["error_count"] == 1 and why in str(body), (reference, body)
    assert timed(w, "GET", "/connectors")[1] == []

    # Inside allowed.paths, a regular file resolves; what is shown keeps the reference.
    reference = "${file:%s/ok.properties:topic}" % secrets
    status, body = timed(w, "POST", "/connectors", {"name": "ok", "config": {
        "connector.class": "FileStreamSource", "file": os.path.join(tmp, "in.txt"), "topic": reference}})
    assert status == 201 and body["config"]["topic"] == reference, body
    # The file turned into a FIFO: the restart fails the connector, saying why, and does not hang.
    os.remove(os.path.join(secrets, "ok.properties"))
    os.mkfifo(os.path.join(secrets, "ok.properties"))
    assert timed(w, "POST", "/connectors/ok/restart?includeTasks=true")[0] == 202
    status = wait_for(lambda: (lambda s: s["connector"]["state"] == "FAILED" and s)(
        http(w, "GET", "/connectors/ok/status")[1]), what="the connector to fail on the FIFO")
    assert "ok.properties is not a regular file" in status["connector"]["trace"], status
    serves(w)
    w.stop(timeout=10)


harness.main(globals())
