"""Standalone workers sharing one cluster (issue 13, finding 9): each
restores and runs only the connectors it created, connectors of the same
name on two workers keep their own configs, statuses and offsets, two
running workers with one worker.id are refused, and records stored with
Kafka's keys (the quick start's, from before worker.id) are still restored
by the worker with the embedded broker.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker, Worker, http, wait_for  # noqa: E402

STRING = "org.apache.kafka.connect.storage.StringConverter"


def source(path, topic):
    return {"connector.class": "FileStreamSource", "file": path, "topic": topic, "value.converter": STRING}


def append(path, lines):
    with open(path, "ab") as f:
        f.write(b"".join(line + b"\n" for line in lines))


def topic_values(bootstrap, topic):
    """Every value in `topic`, from the beginning to its current end."""
    res = harness.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n"],
                      check=False)
    return res.stdout.decode().splitlines() if res.returncode == 0 else []


def wait_values(bootstrap, topic, last):
    """The values of `topic` once its last one is `last`."""
    return wait_for(lambda: (lambda v: v if v and v[-1] == last else None)(topic_values(bootstrap, topic)),
                    what="%r in %s" % (last, topic), interval=0.3)


def test_two_workers_one_broker():
    """two standalone workers on one broker, each with its own connector and
    one of the same name: after a restart each lists and runs only its own,
    the same-named ones keep their configs, and every line is in its topic
    exactly once (before: each ran the other's too, duplicating payloads)"""
    tmp = harness.tmpdir()
    broker = Broker().start()
    workers, files = {}, {}
    for me in ("a", "b"):
        workers[me] = Worker(overrides={"bootstrap.servers": broker.bootstrap}).start()
        for name in ("own-" + me, "same"):
            path = files[(me, name)] = os.path.join(tmp, "%s-%s.txt" % (me, name))
            open(path, "wb").close()
            status, body = http(workers[me], "POST", "/connectors",
                                {"name": name, "config": source(path, "%s-%s" % (me, name))})
            assert status == 201, body
    first = [b"x line %d" % i for i in range(50)]
    for (me, name), path in files.items():
        append(path, [b"%s %s" % (me.encode(), line) for line in first])
    for (me, name) in files:
        wait_values(broker.bootstrap, "%s-%s" % (me, name), "%s x line 49" % me)
    for w in workers.values():
        w.stop()
    for w in workers.values():
        w.start()
    for (me, name), path in files.items():
        append(path, [b"%s after restart" % me.encode()])
    for me, w in workers.items():
        status, names = http(w, "GET", "/connectors")
        assert status == 200 and sorted(names) == ["own-" + me, "same"], (me, names)
        status, config = http(w, "GET", "/connectors/same/config")
        assert status == 200 and config["file"] == files[(me, "same")], (me, config)
        status, body = http(w, "GET", "/connectors/same/status")
        assert status == 200 and body["connector"]["state"] == "RUNNING", body
        assert "ignoring 2 connector configs stored by other workers" in w.stderr(), w.stderr()
        assert http(w, "GET", "/connectors/own-%s" % ("b" if me == "a" else "a"))[0] == 404
    for (me, name) in files:
        topic = "%s-%s" % (me, name)
        values = wait_values(broker.bootstrap, topic, "%s after restart" % me)
        expected = ["%s x line %d" % (me, i) for i in range(50)] + ["%s after restart" % me]
        assert values == expected, (topic, len(values), [v for v in values if values.count(v) > 1][:5])
    # Same-named connectors' statuses do not overwrite each other: each
    # worker's is under its own key, with its own worker_id.
    res = harness.run(["kcat", "-b", broker.bootstrap, "-C", "-t", "connect-status", "-o", "beginning", "-e", "-q",
                       "-f", "%k\t%s\n"])
    latest = dict(line.split("\t", 1) for line in res.stdout.decode().splitlines())
    owners = sorted(k.split("/", 1)[0] for k in latest if k.endswith("/status-connector-same"))
    assert len(owners) == 2 and owners[0] != owners[1], latest.keys()
    for w in workers.values():
        w.stop()
    broker.stop()


def test_same_worker_id_refused():
    """a second worker started with the worker.id of a running one on the
    same cluster is refused with a clear message; the first keeps serving,
    and once it stops cleanly the id is free"""
    tmp = harness.tmpdir()
    broker = Broker().start()
    overrides = {"bootstrap.servers": broker.bootstrap, "worker.id": "shared-id"}
    first = Worker(overrides=overrides).start()
    path = os.path.join(tmp, "in.txt")
    open(path, "wb").close()
    assert http(first, "POST", "/connectors", {"name": "mine", "config": source(path, "mine")})[0] == 201
    second = Worker(overrides=overrides)
    assert second.start(expect_exit=True) == 2
    assert "worker.id shared-id is in use by another worker on this host" in second.stderr(), second.stderr()
    assert "restoring connector mine" not in second.stderr()
    append(path, [b"still served"])
    assert wait_values(broker.bootstrap, "mine", "still served") == ["still served"]
    assert http(first, "GET", "/connectors")[1] == ["mine"]
    first.stop()
    second.start()
    assert http(second, "GET", "/connectors")[1] == ["mine"]
    second.stop()
    broker.stop()


def test_kill_then_restart_takes_over():
    """a worker killed with -9 leaves its claim behind; its restart on the
    same host takes it over instead of refusing itself"""
    broker = Broker().start()
    w = Worker(overrides={"bootstrap.servers": broker.bootstrap}).start()
    w.kill()
    w.start()
    assert "did not stop cleanly; taking over" in w.stderr(), w.stderr()
    assert http(w, "GET", "/connectors") == (200, [])
    w.stop()
    broker.stop()


def test_old_records_restored_with_embedded_broker():
    """records with Kafka's keys (written before worker.id) are restored by
    the worker with the embedded broker, which keeps Kafka's keys; records
    another worker stored there under its worker.id are left alone"""
    tmp = harness.tmpdir()
    path = os.path.join(tmp, "old.txt")
    with open(path, "wb") as f:
        f.write(b"old one\nold two\n")
    w = Worker().start()
    old = json.dumps({"properties": dict(source(path, "old-topic"), name="old")})
    other = json.dumps({"properties": dict(source(path, "other-topic"), name="theirs")})
    harness.run(["kcat", "-b", w.bootstrap, "-P", "-t", "connect-configs", "-K", "\t"],
                input=("connector-old\t%s\ntarget-state-old\t%s\nelsewhere:8083/connector-theirs\t%s\n"
                       % (old, json.dumps({"state": "STARTED"}), other)).encode())
    w.stop()
    w.start()
    assert http(w, "GET", "/connectors") == (200, ["old"])
    assert "ignoring 1 connector config stored by other workers" in w.stderr(), w.stderr()
    assert wait_values(w.bootstrap, "old-topic", "old two") == ["old one", "old two"]
    # A worker on bootstrap.servers sharing this broker sees neither.
    other_worker = Worker(overrides={"bootstrap.servers": w.bootstrap}).start()
    assert http(other_worker, "GET", "/connectors") == (200, [])
    other_worker.stop()
    w.stop()
    w.start()
    assert http(w, "GET", "/connectors") == (200, ["old"])
    w.stop()


def test_config_key_with_nul_names_no_connector():
    """a tombstone in the config topic keyed connector-<name>, a NUL byte and
    more is no tombstone of that connector: it survives a restart"""
    from confluent_kafka import Producer
    tmp = harness.tmpdir()
    path = os.path.join(tmp, "in.txt")
    with open(path, "wb") as f:
        f.write(b"one\n")
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "kept", "config": source(path, "kept-topic")})[0] == 201
    p = Producer({"bootstrap.servers": w.bootstrap})
    p.produce("connect-configs", key=b"connector-kept\x00x", value=None)
    assert p.flush(30) == 0
    w.stop()
    w.start()
    assert http(w, "GET", "/connectors") == (200, ["kept"])
    assert "whose key holds a NUL byte" in w.stderr(), w.stderr()
    w.stop()


harness.main(globals())
