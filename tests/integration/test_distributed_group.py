"""`connectd distributed` workers as members of their Connect group (issue 18,
group membership): against a `connectd broker`, workers with one group.id
join with protocol type "connect", offering Kafka Connect's protocols with
their metadata (version, advertised REST URL, config offset); the leader
hands every member an assignment naming the leader's URL; a worker stopped
with SIGTERM leaves at once; one killed with kill -9 leaves after its
session timeout, and the others carry on in a new generation.
"""

import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
from harness import Broker, DistributedWorker, wait_for  # noqa: E402
from test_distributed_assign import connector_records, spread, work_of, write_config  # noqa: E402

GROUP = "connect-cluster"


def start_broker():
    return Broker(overrides={"group.min.session.timeout.ms": "1000"}).start()


def describe(broker):
    with kproto.Conn(broker.port) as conn:
        return kproto.describe_group(conn, GROUP, version=0)


def connect_metadata(data):
    """(version, url, config offset) of a worker's JoinGroup metadata."""
    r = kproto.Reader(data)
    return r.i16(), r.string(), r.i64()


def stable_members(broker, n):
    """Waits until the group is Stable with n members; returns the description."""
    seen = {}

    def check():
        seen["d"] = describe(broker)
        return seen["d"]["state"] == "Stable" and len(seen["d"]["members"]) == n
    wait_for(check, what="the group to be Stable with %d members (last: %s)" % (n, seen.get("d")))
    return seen["d"]


def test_three_workers_join_one_group():
    """three workers join as one Connect group under the sessioned protocol; each has the same leader URL"""
    b = start_broker()
    workers = [DistributedWorker(b).start() for _ in range(3)]
    d = stable_members(b, 3)
    assert d["protocol_type"] == "connect" and d["protocol"] == "sessioned", d
    urls = set()
    for member_id, client_id, _, metadata, _ in d["members"]:
        version, url, offset = connect_metadata(metadata)
        assert version == 2 and offset == -1, (version, url, offset)
        urls.add(url)
    assert urls == {w.url for w in workers}, urls
    # Every worker's last assignment names the same leader, one of the three.
    wait_for(lambda: all(w.generations() for w in workers), what="every worker to get an assignment")
    last = [w.generations()[-1] for w in workers]
    wait_for(lambda: len({w.generations()[-1] for w in workers}) == 1,
             what="the workers to agree on a generation and its leader (%s)" % last)
    assert workers[0].generations()[-1][1] in urls
    for w in workers:
        w.stop()
        assert "left the group" in w.stderr(), w.stderr()
    d = describe(b)
    assert d["state"] == "Empty" and not d["members"], d


def test_eager_worker_makes_the_group_eager():
    """with one worker on connect.protocol=eager, the coordinator picks "default", the one all offer"""
    b = start_broker()
    DistributedWorker(b).start()
    DistributedWorker(b, overrides={"connect.protocol": "eager"}).start()
    d = stable_members(b, 2)
    assert d["protocol"] == "default", d
    for member in d["members"]:
        assert connect_metadata(member[3])[0] == 0, member


def test_sigterm_leaves_kill_9_expires():
    """SIGTERM: the worker leaves at once; kill -9: the group drops it after the session timeout"""
    b = start_broker()
    a, c, k = DistributedWorker(b).start(), DistributedWorker(b).start(), DistributedWorker(b).start()
    stable_members(b, 3)
    c.stop(sig=signal.SIGTERM)
    assert "left the group" in c.stderr(), c.stderr()
    stable_members(b, 2)
    before = len(a.generations())
    k.kill()
    d = stable_members(b, 1)
    assert connect_metadata(d["members"][0][3])[1] == a.url, d
    wait_for(lambda: len(a.generations()) > before, what="the survivor to get a new generation")
    assert a.generations()[-1][1] == a.url, a.generations()
    a.stop()


def test_coordinator_restart_is_survived():
    """the broker restarts: the worker finds the coordinator again and joins again"""
    b = start_broker()
    w = DistributedWorker(b).start()
    stable_members(b, 1)
    b.restart()
    stable_members(b, 1)
    w.stop()


def test_unreachable_coordinator_fences_the_worker():
    """no answer from the coordinator for session.timeout.ms: the worker stops its work itself, and runs it again
    once it is back in the group"""
    b = start_broker()
    w = DistributedWorker(b, overrides={"scheduled.rebalance.max.delay.ms": "0"}).start()
    spread([w], set())
    write_config(b, connector_records("fenced", 1))
    spread([w], work_of("fenced", 1))
    wait_for(lambda: "task fenced-0: starting" in w.stderr(), what="the task to start")
    b.proc.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: "lost its place" in w.stderr(), what="the worker to count itself out of the group")
    finally:
        b.proc.send_signal(signal.SIGCONT)
    wait_for(lambda: w.stderr().count("task fenced-0: starting") == 2, what="the task to run again")
    w.stop()


def test_refused_session_timeout_is_named_once():
    """a session.timeout.ms the broker refuses: the worker says so once, naming the setting, and keeps trying"""
    b = Broker().start()  # group.min.session.timeout.ms is 6000
    w = DistributedWorker(b).start()
    w.wait_stderr("INVALID_SESSION_TIMEOUT: session.timeout.ms")
    # Several retries (every retry.backoff, 250 ms) go by before the count:
    # a message repeated on each would show by then.
    time.sleep(2)
    d = describe(b)
    assert not d["members"], d
    assert w.stderr().count("INVALID_SESSION_TIMEOUT") == 1, w.stderr()
    w.stop()


if __name__ == "__main__":
    harness.main(globals())
