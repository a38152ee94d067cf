"""The Elasticsearch sink when things go wrong, through a real worker and
broker against tests/es/es_server.py: a worker killed with kill -9
mid-stream, a server that answers 429 for 30 s (the issue's number) and
rejects single items, a server down at the sink's start that comes back,
failover between two URLs, and clear errors in the status trace for an
unreachable server, bad credentials, a user without the privilege, a
closed index and each timeout.

"Every document present exactly once by id and version": every key's
document holds its last value at the external version of its last offset,
and there is no other document.
"""

import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from es_sink import (create, es_server, metric, produce, sink_config, sources, task_status, wait_failed,  # noqa: E402
                     wait_running)
import es_fixture  # noqa: E402  (es_sink puts tests/es on the path)
from harness import Worker, wait_for  # noqa: E402

KEYS = 400
ROUNDS = 5


def stream(w, topic, rounds=ROUNDS, keys=KEYS):
    """`rounds` values of each of `keys` keys, round after round, to one
    partition: offset r*keys + k holds round r of key k."""
    for r in range(rounds):
        produce(w, topic, [("k%d" % k, '{"k":%d,"r":%d}' % (k, r)) for k in range(keys)])


def expected(rounds=ROUNDS, keys=KEYS):
    """{id: (source, version)} once every record is written."""
    last = rounds - 1
    return {"k%d" % k: ({"k": k, "r": last}, last * keys + k) for k in range(keys)}


def exactly(es, index, want):
    """Whether the index holds `want` and nothing else."""
    try:
        docs = es.docs(index)
    except AssertionError:
        return False
    got = {i: (d["_source"], d["_version"]) for i, d in docs.items()}
    return got == want


def wait_exactly(es, index, want, timeout=120):
    wait_for(lambda: exactly(es, index, want) or None, timeout=timeout, interval=0.5,
             what="%s to hold exactly the %d expected documents" % (index, len(want)))


def test_kill_9_mid_stream():
    """kill -9 of the worker while it writes: after the restart every key's
    document is its last value at the version of its last offset, once;
    the records replayed after the restart changed nothing"""
    es = es_server()
    w = Worker().start()
    stream(w, "orders", rounds=2)
    create(w, "es-sink", sink_config(es, "orders", batch_size="50", max_in_flight_requests="2",
                                     max_buffered_records="100"))
    wait_for(lambda: es.stats()["bulk_items"] >= 300 or None, what="some documents written")
    w.kill()
    w.start()
    stream(w, "orders", rounds=ROUNDS)  # appended after the first two rounds
    want = {"k%d" % k: ({"k": k, "r": ROUNDS - 1}, (2 + ROUNDS - 1) * KEYS + k) for k in range(KEYS)}
    wait_exactly(es, "orders", want)
    wait_running(w, "es-sink")
    stats = es.stats()
    assert stats["bulk_items"] >= (2 + ROUNDS) * KEYS, stats
    w.stop()
    es.stop()


def test_429_for_30_seconds_and_rejected_items():
    """The server answers every bulk request 429 (with Retry-After) for 30 s
    and then rejects a third of the items with 429 for a while: the sink
    backs off and retries, the task stays RUNNING, and every document ends
    present exactly once with its version"""
    es = es_server()
    w = Worker().start()
    stream(w, "busy")
    es.fault(status=429, seconds=30, retry_after=1, path="_bulk")
    create(w, "busy-sink", sink_config(es, "busy", max_retries="12", retry_backoff_ms="100", batch_size="100",
                                       max_buffered_records="1000"))
    wait_for(lambda: es.stats()["faults"]["status"] >= 3 or None, what="429 answers")
    assert task_status(w, "busy-sink")["state"] == "RUNNING"
    es.fault(item_status=429, fraction=0.3, count=300, path="_bulk")
    wait_exactly(es, "busy", expected(), timeout=180)
    assert task_status(w, "busy-sink")["state"] == "RUNNING"
    stats = es.stats()
    assert stats["faults"]["item_status"] > 0, stats
    retried = metric(w, "connectd_plugin_elasticsearch_documents_retried_total", connector="busy-sink")
    assert retried and retried >= stats["faults"]["item_status"], (retried, stats)
    assert metric(w, "connectd_plugin_elasticsearch_bulk_latency_seconds_total", connector="busy-sink") > 0
    assert metric(w, "connectd_plugin_elasticsearch_requests_in_flight", connector="busy-sink") is not None
    w.stop()
    es.stop()


def test_server_down_at_start_comes_back():
    """The sink starts while nothing listens on its URL: the task runs,
    says what it waits for as its progress, and writes everything once the
    server is there"""
    port = harness.free_port()
    w = Worker().start()
    stream(w, "later", rounds=2, keys=50)
    conf = {"connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector", "topics": "later",
            "connection.url": "http://127.0.0.1:%d" % port, "schema.ignore": "true"}
    conf.update({"key.converter": "org.apache.kafka.connect.storage.StringConverter",
                 "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                 "value.converter.schemas.enable": "false"})
    create(w, "later-sink", conf)
    task = wait_for(lambda: (lambda t: t if t and "waiting for Elasticsearch" in t.get("progress", "") else None)(
        task_status(w, "later-sink")), what="the task to say it waits")
    assert task["state"] == "RUNNING" and "127.0.0.1:%d" % port in task["progress"], task
    es = es_fixture.EsServer(port=port).start()
    wait_exactly(es, "later", expected(rounds=2, keys=50))
    wait_for(lambda: "progress" not in task_status(w, "later-sink") or None, what="the progress line cleared")
    w.stop()
    es.stop()


def test_failover_between_urls():
    """connection.url names a dead node first: requests go to the live one"""
    es = es_server()
    dead = "http://127.0.0.1:%d" % harness.free_port()
    w = Worker().start()
    stream(w, "two", rounds=1, keys=100)
    create(w, "two-sink", sink_config(es, "two", connection_url="%s,%s" % (dead, es.url)))
    wait_exactly(es, "two", expected(rounds=1, keys=100))
    w.stop()
    es.stop()


def test_timeouts():
    """read.timeout.ms gives up on a silent server and retries; a server
    that stays silent past max.retries fails the task saying so;
    flush.timeout.ms fails the task when a flush cannot end in time;
    connection.timeout.ms gives up on a connect nobody accepts"""
    es = es_server()
    w = Worker().start()
    stream(w, "slow", rounds=1, keys=100)
    es.fault(delay_ms=3000, count=2, path="_bulk")
    create(w, "slow-sink", sink_config(es, "slow", read_timeout_ms="500", max_retries="5", retry_backoff_ms="50"))
    wait_exactly(es, "slow", expected(rounds=1, keys=100))
    assert es.stats()["faults"]["delay"] >= 1, es.stats()
    assert task_status(w, "slow-sink")["state"] == "RUNNING"

    es.fault(delay_ms=3000, path="_bulk")
    stream(w, "silent", rounds=1, keys=10)
    create(w, "silent-sink", sink_config(es, "silent", read_timeout_ms="500", max_retries="1",
                                         retry_backoff_ms="50"))
    task = wait_failed(w, "silent-sink")
    assert "after 2 attempt(s)" in task["trace"], task["trace"]
    assert "Read timed out: no answer for 500 ms (read.timeout.ms)" in task["trace"], task["trace"]

    stream(w, "stuck", rounds=1, keys=10)
    create(w, "stuck-sink", sink_config(es, "stuck", read_timeout_ms="60000", flush_timeout_ms="1000",
                                        linger_ms="0"))
    task = wait_failed(w, "stuck-sink")
    assert "not acknowledged by Elasticsearch within 1000 ms (flush.timeout.ms)" in task["trace"], task["trace"]
    es.clear_faults()

    # A listening socket whose accept queue is full: the kernel drops
    # further SYNs, so a connect neither succeeds nor is refused.
    import socket
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    port = full.getsockname()[1]
    queued = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        queued.append(c)
    conf = sink_config(es, "slow", connection_url="http://127.0.0.1:%d" % port, connection_timeout_ms="300")
    create(w, "unaccepted", conf)
    task = wait_for(lambda: (lambda t: t if t and "Timeout was reached" in t.get("progress", "") else None)(
        task_status(w, "unaccepted")), what="the task to say its connect timed out")
    assert task["state"] == "RUNNING", task
    assert re.search(r"Failed to connect to 127\.0\.0\.1 port %d after 3\d\d ms" % port, task["progress"]), task
    for c in queued:
        c.close()
    full.close()
    w.stop()
    es.stop()


def test_errors_in_the_status_trace():
    """An unreachable server once documents are under way (after
    max.retries), bad credentials and a closed index each FAIL the task with
    a trace that says what is wrong"""
    es = es_server(users=["elastic:secret"])
    w = Worker().start()
    produce(w, "auth", [("1", '{"n":1}')])
    create(w, "bad-auth", sink_config(es, "auth", connection_username="elastic", connection_password="wrong"))
    task = wait_failed(w, "bad-auth")
    assert "Could not authenticate the user" in task["trace"] and "401" in task["trace"], task
    es.ok("PUT", "/shut", auth=("elastic", "secret"))
    es.ok("POST", "/shut/_close", auth=("elastic", "secret"))
    produce(w, "shut", [("1", '{"n":1}')])
    create(w, "closed", sink_config(es, "shut", connection_username="elastic", connection_password="secret"))
    task = wait_failed(w, "closed")
    assert "index_closed_exception" in task["trace"] and "_open" in task["trace"], task
    produce(w, "gone", [("1", '{"n":1}')])
    create(w, "gone-sink", sink_config(es, "gone", connection_username="elastic", connection_password="secret",
                                       max_retries="2", retry_backoff_ms="50"))
    wait_running(w, "gone-sink")
    wait_for(lambda: "1" in sources(es, "gone") or None, what="the first document")
    es.kill()
    produce(w, "gone", [("2", '{"n":2}')])
    task = wait_failed(w, "gone-sink")
    assert "Could not connect to Elasticsearch at %s" % es.url in task["trace"], task
    assert "after 3 attempt(s)" in task["trace"], task
    w.stop()

    es = es_server(users=["elastic:secret", "viewer:secret:reader"])
    w = Worker().start()
    produce(w, "ro", [("1", '{"n":1}')])
    es.ok("PUT", "/ro", auth=("elastic", "secret"))
    create(w, "read-only", sink_config(es, "ro", connection_username="viewer", connection_password="secret"))
    task = wait_failed(w, "read-only")
    assert "HTTP 403" in task["trace"] and "grant it the index privileges" in task["trace"], task["trace"]
    w.stop()
    es.stop()


harness.main(globals())
