"""The metadata quorum of a connectd cluster (docs/cluster.md): three real
`connectd broker` nodes on loopback, each a broker and a voter
(etc/cluster/server-{1,2,3}.properties with ports and log dirs of the
test's own), observed only as clients observe a cluster: Metadata's brokers
and controller id (confluent-kafka), and the nodes' logs and exit codes.

Timeouts are shortened by --override (a 2 s broker session) so fencing shows
in seconds; the tests never assert how long anything took.
"""

import os
import re
import socket
import struct
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker  # noqa: E402

from confluent_kafka.admin import AdminClient  # noqa: E402

TIMEOUT = harness.DEFAULT_TIMEOUT
FAST = {
    "broker.session.timeout.ms": "2000",
    "broker.heartbeat.interval.ms": "300",
    "controller.quorum.election.timeout.ms": "500",
    # Snapshots every few entries, so a restarted node catches up from one.
    "metadata.snapshot.interval.entries": "4",
}


def sample(n):
    top = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    return os.path.abspath(os.path.join(top, "etc", "cluster", "server-%d.properties" % n))


class Node(Broker):
    """One node of the sample cluster: its sample file with the test's ports
    (PLAINTEXT on self.port, CONTROLLER on self.cport) and log dir."""

    def __init__(self, n, voters, cport, overrides=None, props=None):
        super().__init__(overrides=dict(FAST, **(overrides or {})), props=props or sample(n))
        self.n = n
        self.cport = cport
        self.voters = voters

    def command(self):
        cmd = [harness.connectd_path(), "broker", self.props,
               "--override", "listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d"
               % (self.port, self.cport),
               "--override", "controller.quorum.voters=%s" % self.voters,
               "--override", "log.dirs=%s" % self.data_dir]
        for key, value in self.overrides.items():
            cmd += ["--override", "%s=%s" % (key, value)]
        return cmd


class BrokerOnly(Node):
    """A node with process.roles=broker: no controller listener, no vote."""

    def __init__(self, voters, node_id):
        super().__init__(1, voters, 0, overrides={"process.roles": "broker", "node.id": str(node_id)})

    def command(self):
        cmd = Node.command(self)
        i = cmd.index("listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:0" % self.port)
        cmd[i] = "listeners=PLAINTEXT://127.0.0.1:%d" % self.port
        return cmd


def voters_of(cports):
    return ",".join("%d@127.0.0.1:%d" % (i + 1, p) for i, p in enumerate(cports))


def start_cluster():
    cports = [harness.free_port() for _ in range(3)]
    voters = voters_of(cports)
    nodes = [Node(i + 1, voters, cports[i]) for i in range(3)]
    for node in nodes:
        node.start()
    return nodes


def run_to_exit(node):
    """Starts a node expected to stop by itself; returns its exit code (it
    may stop before or after it listens)."""
    try:
        node.start()
    except AssertionError as e:
        m = re.search(r"exited with code (\d+) during start-up", str(e))
        assert m, str(e)
        return int(m.group(1))
    rc = node.proc.wait(TIMEOUT)
    node.proc = None
    return rc


def metadata(node):
    """(sorted broker ids, controller id) as a client of `node` sees them."""
    admin = AdminClient({"bootstrap.servers": node.bootstrap})
    md = admin.list_topics(timeout=10)
    return sorted(md.brokers), md.controller_id


def wait_view(nodes, brokers, what, controller=None):
    """Waits until every node lists exactly `brokers` and names the same
    active controller (`controller` if given); returns that controller."""
    def agree():
        views = [metadata(n) for n in nodes]
        ids = {c for _, c in views}
        if all(b == brokers for b, _ in views) and len(ids) == 1:
            c = ids.pop()
            if c >= 1 and (controller is None or c == controller):
                return c
        return None
    return harness.wait_for(agree, TIMEOUT, what)


def leader_node(nodes, controller):
    return next(n for n in nodes if n.n == controller)


def test_leader_elected_and_brokers_registered():
    """three nodes elect an active controller; each registers, and every node's Metadata lists all three"""
    nodes = start_cluster()
    controller = wait_view(nodes, [1, 2, 3], "all three brokers registered and unfenced on every node")
    leader = leader_node(nodes, controller)
    leader.wait_stderr("is the active controller")
    for node in nodes:
        node.wait_stderr("registered with the active controller %d" % controller)
        assert "ERROR" not in node.stderr(), node.stderr()
    # The raft log lives where Kafka keeps its metadata log, not among the
    # topics: a restart does not adopt it as a partition.
    assert os.path.isdir(os.path.join(nodes[0].data_dir, "__cluster_metadata-0"))
    for node in nodes:
        node.stop()


def test_leader_kill9_failover():
    """kill -9 of the active controller: the others elect a new one, keep the registrations, and fence the dead broker"""
    nodes = start_cluster()
    old = wait_view(nodes, [1, 2, 3], "a first active controller")
    dead = leader_node(nodes, old)
    dead.kill()
    survivors = [n for n in nodes if n is not dead]
    # The new controller's FenceBrokerRecord, applied on both survivors,
    # takes the silent broker out of their Metadata.
    survivors_ids = sorted(n.n for n in survivors)
    new = wait_view(survivors, survivors_ids, "a new active controller and the dead broker fenced")
    assert new != old
    new_leader = leader_node(nodes, new)
    new_leader.wait_stderr("fencing broker %d: no heartbeat" % old)
    # The dead node comes back: it registers anew once its old session is
    # over, and every node lists it again.
    dead.start()
    wait_view(nodes, [1, 2, 3], "the restarted broker registered again", controller=new)
    for node in nodes:
        node.stop()


def test_restarted_node_catches_up_from_snapshot():
    """a node stopped while the metadata log moves on (snapshotted and truncated meanwhile) catches up when it restarts"""
    nodes = start_cluster()
    controller = wait_view(nodes, [1, 2, 3], "the cluster up")
    # Stop a follower, then make the log move on with the two others (a
    # quorum): a broker-only node comes and goes twice (registered,
    # unfenced, fenced each time), more entries than
    # metadata.snapshot.interval.entries, so the leader snapshots and drops
    # the entries the stopped node lacks.
    away = next(n for n in nodes if n.n != controller)
    away.stop()
    others = [n for n in nodes if n is not away]
    live = sorted(n.n for n in others)
    for _ in range(2):
        visitor = BrokerOnly(nodes[0].voters, 7)
        visitor.start()
        wait_view(others, sorted(live + [7]), "broker-only node 7 registered")
        visitor.stop()
        wait_view(others, live, "node 7 fenced once its session is over")
    away.start()
    wait_view(nodes, [1, 2, 3], "the restarted node caught up", controller=controller)
    # The leader's snapshot (InstallSnapshot): it holds broker 7, which the
    # node never saw, fenced; its own older snapshot had three brokers.
    away.wait_stderr("metadata image restored from a snapshot: 4 brokers")
    for node in nodes:
        node.stop()


def test_node_id_in_use():
    """a second broker with a node.id another live broker holds is refused, and stops with a clear error"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    first = BrokerOnly(nodes[0].voters, 7)
    first.start()
    wait_view(nodes, [1, 2, 3, 7], "broker-only node 7 registered")
    second = BrokerOnly(nodes[0].voters, 7)
    rc = run_to_exit(second)
    assert rc == 1, rc
    assert "node.id 7 is in use" in second.stderr(), second.stderr()
    # The first one is still registered, untouched.
    wait_view(nodes, [1, 2, 3, 7], "node 7 still registered")
    first.stop()
    for node in nodes:
        node.stop()


def test_voters_disagree():
    """a node whose controller.quorum.voters disagrees is refused by the others and stops; raft data keeps its voters"""
    nodes = start_cluster()
    wait_view(nodes, [1, 2, 3], "the cluster up")
    # A fourth process calling itself node 3, with node 3 at a port of its
    # own: nodes 1 and 2 refuse its handshake, showing both lists.
    cport = harness.free_port()
    other = voters_of([nodes[0].cport, nodes[1].cport, cport])
    stray = Node(3, other, cport)
    rc = run_to_exit(stray)
    assert rc == 1, rc
    # Refused in the quorum (raft's handshake) or as a broker (its
    # registration), whichever comes first; both say what to fix.
    err = stray.stderr()
    assert re.search(r"refused this (node|broker).*controller.quorum.voters '[^']+' is not .*every node of the "
                     r"cluster must list the same voters", err), err
    wait_view(nodes, [1, 2, 3], "the cluster unharmed")
    # A node restarted with other voters than its raft data holds does not start.
    node3 = nodes[2]
    node3.stop()
    node3.voters = voters_of([harness.free_port(), nodes[1].cport, node3.cport])
    rc = run_to_exit(node3)
    assert rc == 1, rc
    assert "is not the quorum's stored in" in node3.stderr(), node3.stderr()
    for node in nodes[:2]:
        node.stop()


def test_handshake_voters_with_nul():
    """a raft handshake whose voters are this node's list, a NUL and more is refused, not taken for that list"""
    cport = harness.free_port()
    voters = voters_of([cport])
    node = Node(1, voters, cport)
    node.start()
    address = b"127.0.0.1:1"
    theirs = voters.encode() + b"\0x"
    hello = (b"CDRAFT\0\1" + struct.pack(">QHH", 3, len(address), len(theirs)) + address + theirs)

    def connected():
        # The broker's own port answers before the controller listener may.
        try:
            return socket.create_connection(("127.0.0.1", cport), timeout=TIMEOUT)
        except ConnectionRefusedError:
            return None
    with harness.wait_for(connected, TIMEOUT, "the controller listener") as s:
        s.sendall(hello)
        answer = s.recv(1)
    assert answer == b"\x01", answer
    node.wait_stderr("every node of the cluster must list the same voters")
    node.stop()


if __name__ == "__main__":
    harness.main(globals())
