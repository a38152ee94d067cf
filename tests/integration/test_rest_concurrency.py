"""The REST API under concurrent requests (issue 5): bursts of 64 requests
at once against one worker, one connection each, mixing reads of several
connectors with creates, pause/resume and deletes.  Every response must be
well-formed, carry the right status code and describe the connector that
was asked for (a reply meant for another request would show up as a
different name), the final connector list must be what the requests made
it, and the worker must stop cleanly (under ASan, a memory error or leak
makes that exit non-zero).  And a request that waits on something slow (a
plugin's validate()) holds up no other request.  No timing is asserted.
"""

import http.client
import json
import os
import sys
import threading
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http as rest  # noqa: E402

TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
PLUGINS = os.path.join(TOP_BUILDDIR, "tests", "plugins")
N_REQUESTS = 64
N_BURSTS = 4
STABLE = ["stable-%d" % i for i in range(4)]
# Generous: a create writes the config topic and starts a task, and a
# sanitizer build on two cores handles 64 of these at once.
REQUEST_TIMEOUT = 120


def source_config(tmp, name):
    path = os.path.join(tmp, name + ".txt")
    open(path, "a").close()
    return {"connector.class": "FileStreamSource", "file": path, "topic": "concurrency"}


def plan_burst(burst, tmp, victims):
    """The burst's 64 requests as (method, path, body, check) tuples, and the
    names it creates.  `victims` (made before the burst) are deleted in it;
    `check(status, body)` raises AssertionError when a reply is wrong."""
    created = ["burst%d-new%d" % (burst, i) for i in range(8)]
    reqs = []

    def expect_named(name, status_codes=(200,)):
        def check(status, body):
            assert status in status_codes, (status, body)
            if status == 404:
                assert body["error_code"] == 404 and name in body["message"], body
            else:
                assert body["name"] == name, ("asked for %s, got" % name, body)
        return check

    def expect_config(name):
        def check(status, body):
            assert status == 200, (status, body)
            assert body["name"] == name and body["connector.class"] == "FileStreamSource", (name, body)
            assert body["file"].endswith("/%s.txt" % name), (name, body)
        return check

    def expect_empty(code):
        def check(status, body):
            assert (status, body) == (code, None), (status, body)
        return check

    def expect_tasks(name):
        def check(status, body):
            assert status == 200 and isinstance(body, list) and body, (status, body)
            assert all(t["id"]["connector"] == name for t in body), (name, body)
        return check

    def expect_list(status, body):
        assert status == 200 and isinstance(body, list) and set(STABLE) <= set(body), (status, body)

    for i in range(16):
        name = STABLE[i % len(STABLE)]
        reqs.append(("GET", "/connectors/%s/status" % name, None, expect_named(name)))
    for i in range(12):
        name = STABLE[(i + 1) % len(STABLE)]
        reqs.append(("GET", "/connectors/%s/config" % name, None, expect_config(name)))
    for i in range(4):
        name = STABLE[(i + 2) % len(STABLE)]
        reqs.append(("GET", "/connectors/%s" % name, None, expect_named(name)))
    for i in range(3):
        name = STABLE[(i + 3) % len(STABLE)]
        reqs.append(("GET", "/connectors/%s/tasks" % name, None, expect_tasks(name)))
    reqs.append(("GET", "/connectors", None, expect_list))
    for name in created:
        reqs.append(("POST", "/connectors", {"name": name, "config": source_config(tmp, name)},
                     expect_named(name, (201,))))
    for i in range(8):
        action = "pause" if i % 2 == 0 else "resume"
        reqs.append(("PUT", "/connectors/%s/%s" % (STABLE[i % len(STABLE)], action), None, expect_empty(202)))
    for name in victims:
        reqs.append(("DELETE", "/connectors/%s" % name, None, expect_empty(204)))
    # Reads that race the deletes: either answer is right, as long as it
    # is about the connector asked for.
    for name in victims[:4]:
        reqs.append(("GET", "/connectors/%s/status" % name, None, expect_named(name, (200, 404))))
    assert len(reqs) == N_REQUESTS, len(reqs)
    return reqs, created


def fire(worker, reqs):
    """Sends every request on its own connection, all released together by
    a barrier; returns one (status, content type, raw body) or exception per
    request, in order."""
    results = [None] * len(reqs)
    conns = [http.client.HTTPConnection("127.0.0.1", worker.rest_port, timeout=REQUEST_TIMEOUT)
             for _ in reqs]
    for conn in conns:
        conn.connect()
    barrier = threading.Barrier(len(reqs))

    def one(i):
        method, path, body, _ = reqs[i]
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if data else {}
            barrier.wait(REQUEST_TIMEOUT)
            conns[i].request(method, path, body=data, headers=headers)
            resp = conns[i].getresponse()
            results[i] = (resp.status, resp.getheader("Content-Type"), resp.read())
        except Exception as e:  # reported with the request below
            results[i] = e
        finally:
            conns[i].close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(reqs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def check_results(reqs, results):
    problems = []
    for (method, path, _, check), res in zip(reqs, results):
        try:
            assert not isinstance(res, Exception), "no response: %r" % res
            status, ctype, raw = res
            if raw:
                assert ctype == "application/json", "Content-Type %r" % ctype
                body = json.loads(raw)  # well-formed, or this raises
            else:
                body = None
            check(status, body)
        except (AssertionError, ValueError) as e:
            problems.append("%s %s: %s" % (method, path, e))
    assert not problems, "%d of %d replies wrong:\n%s" % (len(problems), len(reqs), "\n".join(problems))


def test_bursts_of_mixed_requests():
    """4 bursts of 64 parallel requests: reads, creates, pause/resume, deletes"""
    tmp = harness.tmpdir()
    w = Worker().start()
    for name in STABLE:
        assert rest(w, "POST", "/connectors", {"name": name, "config": source_config(tmp, name)})[0] == 201
    victims = ["first-victim%d" % i for i in range(8)]
    for name in victims:
        assert rest(w, "POST", "/connectors", {"name": name, "config": source_config(tmp, name)})[0] == 201

    for burst in range(N_BURSTS):
        reqs, created = plan_burst(burst, tmp, victims)
        check_results(reqs, fire(w, reqs))
        status, names = rest(w, "GET", "/connectors")
        assert status == 200 and sorted(names) == sorted(STABLE + created), (burst, names)
        # The next burst deletes what this one created.
        victims = created

    # Still serving, every connector intact, and a clean exit.
    assert rest(w, "GET", "/")[0] == 200
    for name in STABLE + victims:
        status, body = rest(w, "GET", "/connectors/%s/status" % name)
        assert status == 200 and body["name"] == name and body["connector"]["state"] in ("RUNNING", "PAUSED"), body
    w.stop()


def test_same_connector_from_all_sides():
    """64 parallel requests at one connector, 8 of them one racing create
    (status, config, pause/resume, restarts; exactly one create wins)"""
    tmp = harness.tmpdir()
    w = Worker().start()
    name = "contested"
    assert rest(w, "POST", "/connectors", {"name": name, "config": source_config(tmp, name)})[0] == 201
    reqs = []
    kinds = [("GET", "/connectors/%s/status" % name, 200),
             ("GET", "/connectors/%s/config" % name, 200),
             ("PUT", "/connectors/%s/pause" % name, 202),
             ("PUT", "/connectors/%s/resume" % name, 202),
             ("POST", "/connectors/%s/restart" % name, 204),
             ("POST", "/connectors/%s/tasks/0/restart" % name, 204),
             ("GET", "/connectors/%s/tasks/0/status" % name, 200),
             ("GET", "/connectors/%s" % name, 200)]

    def expect(method, path, code):
        def check(status, body):
            assert status == code, (status, body)
            if code == 200 and path.endswith("tasks/0/status"):
                assert body["id"] == 0 and body["state"] in ("RUNNING", "PAUSED", "UNASSIGNED"), body
            elif code == 200:
                assert body["name"] == name, body
            else:
                assert body is None, body
        return check

    for i in range(N_REQUESTS - 8):
        method, path, code = kinds[i % len(kinds)]
        reqs.append((method, path, None, expect(method, path, code)))
    # Eight creates of one new name: exactly one wins, the others are told
    # it exists (409), in Kafka's shape.
    twin = "twin"
    outcomes = []

    def expect_create(status, body):
        outcomes.append(status)
        if status == 201:
            assert body["name"] == twin, body
        else:
            assert status == 409 and body["error_code"] == 409 and twin in body["message"], (status, body)

    for _ in range(8):
        reqs.append(("POST", "/connectors", {"name": twin, "config": source_config(tmp, twin)}, expect_create))
    check_results(reqs, fire(w, reqs))
    assert sorted(outcomes) == [201] + [409] * 7, outcomes
    assert sorted(rest(w, "GET", "/connectors")[1]) == [name, twin]
    w.stop()


def test_slow_request_holds_up_no_other():
    """two validate calls stuck in the plugin (until a file appears) while
    status, list, health, metrics, a pause and a create are all answered"""
    tmp = harness.tmpdir()
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    assert rest(w, "POST", "/connectors", {"name": "steady", "config": source_config(tmp, "steady")})[0] == 201
    gate = os.path.join(tmp, "gate")
    slow = {"connector.class": "FailingSource", "name": "slow", "fail.in": "poll", "validate.wait.for": gate}
    answers = []

    def validate():
        answers.append(rest(w, "PUT", "/connector-plugins/FailingSource/config/validate", slow))

    stuck = [threading.Thread(target=validate) for _ in range(2)]
    for t in stuck:
        t.start()
    # Both inside validate(): the worker answers the rest meanwhile.
    waiting = gate + ".waiting"
    harness.wait_for(lambda: os.path.exists(waiting) and len(open(waiting).readlines()) == 2,
                     what="both validate calls inside the plugin")
    assert rest(w, "GET", "/connectors/steady/status")[1]["connector"]["state"] == "RUNNING"
    assert sorted(rest(w, "GET", "/connectors")[1]) == ["steady"]
    assert rest(w, "GET", "/health")[0] == 200
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % w.rest_port, timeout=REQUEST_TIMEOUT) as resp:
        assert resp.status == 200 and b"connectd_" in resp.read()
    assert rest(w, "PUT", "/connectors/steady/pause")[0] == 202
    assert rest(w, "POST", "/connectors", {"name": "second", "config": source_config(tmp, "second")})[0] == 201
    assert not answers and all(t.is_alive() for t in stuck), answers
    open(gate, "w").close()
    for t in stuck:
        t.join(REQUEST_TIMEOUT)
    assert [a[0] for a in answers] == [200, 200], answers
    assert all(a[1]["error_count"] == 0 for a in answers), answers
    w.stop()


harness.main(globals())
