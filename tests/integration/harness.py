"""Integration-test harness: real `connectd broker` processes and TAP output.

A test file defines functions named test_* and ends with
`harness.main(globals())`; they run in definition order, each one becomes one
TAP line.  An exception makes the test `not ok`, with its traceback and the
stderr of every broker it started as `# ` diagnostics.

Brokers listen on random loopback ports and keep their data in a temporary
directory.  Every process a test starts is stopped when the test ends, also
when it failed, so nothing outlives the test run.
"""

import atexit
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import shutil
import threading
import time
import traceback

# Generous: CI has two cores and runs sanitizer builds.
DEFAULT_TIMEOUT = 60.0


def connectd_path():
    path = os.environ.get("CONNECTD")
    if not path:
        top = os.environ.get("TOP_BUILDDIR",
                             os.path.join(os.path.dirname(__file__), "..", ".."))
        path = os.path.join(top, "src", "connectd")
    return os.path.abspath(path)


def sample_properties():
    """etc/broker.properties from the source tree: the tests start from the
    sample users start from, so a key the broker rejects shows up here."""
    top = os.environ.get("TOP_SRCDIR",
                         os.path.join(os.path.dirname(__file__), "..", ".."))
    return os.path.abspath(os.path.join(top, "etc", "broker.properties"))


def free_port():
    """A loopback port nobody listens on right now.  Another process could
    take it before the broker binds; the OS picks from a large range, so a
    collision is rare, and it shows as a failed start, never a wrong result."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listens_on(pid, port):
    """Whether process `pid` has a TCP socket listening on `port` (Linux:
    match the LISTEN sockets of /proc/net/tcp* against the process's fds)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                for line in list(f)[1:]:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add("socket:[%s]" % fields[9])
        except FileNotFoundError:
            pass
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except FileNotFoundError:
        return False
    for fd in fds:
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) in inodes:
                return True
        except OSError:
            pass
    return False


def warnings(text):
    """The WARN and ERROR lines of a process's stderr, but the one saying it
    runs as root: that one depends on who runs the tests (CI: root), not on
    what a test checks (test_defaults.py checks it)."""
    return [line for line in text.splitlines()
            if ("WARN" in line or "ERROR" in line) and "WARN running as root:" not in line]


def wait_for(predicate, timeout=DEFAULT_TIMEOUT, what="condition", interval=0.05):
    """Polls `predicate` until it returns a true value, which is returned.
    Raises AssertionError naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def read_or_empty(path):
    """The bytes of the file at `path`; b"" while it does not exist yet (a
    sink file before its first record)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def tmpdir(prefix="connectd-test-"):
    """A temporary directory removed when the current test ends (kept, and
    named in the diagnostics, if it failed)."""
    path = tempfile.mkdtemp(prefix=prefix)
    _current.tmpdirs.append(path)
    return path


class Broker:
    """One `connectd broker` process.  The port and data directory stay the
    same across restarts, as they would for an operator restarting a node."""

    def __init__(self, overrides=None, props=None, port=None, data_dir=None):
        self.port_was_free = port is None
        self.port = port or free_port()
        self.workdir = tmpdir("connectd-broker-")
        self.data_dir = data_dir or os.path.join(self.workdir, "data")
        self.props = props or sample_properties()
        self.overrides = dict(overrides or {})
        self.proc = None
        self.runs = 0
        self.stderr_path = None
        _current.brokers.append(self)

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    def command(self):
        cmd = [connectd_path(), "broker", self.props,
               "--override", "listeners=PLAINTEXT://127.0.0.1:%d" % self.port,
               "--override", "log.dirs=%s" % self.data_dir]
        for key, value in self.overrides.items():
            cmd += ["--override", "%s=%s" % (key, value)]
        return cmd

    def start(self, timeout=DEFAULT_TIMEOUT):
        """Starts the broker and waits until it listens on its port."""
        assert self.proc is None, "broker already running"
        self.runs += 1
        # One stderr file per run, so a test can look at what one start said.
        self.stderr_path = os.path.join(self.workdir, "stderr.%d" % self.runs)
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                         stdout=err, stderr=err)
        deadline = time.monotonic() + timeout
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self.proc = None
                if self.runs == 1 and self.port_was_free and "in use" in self.stderr():
                    # Someone took the port free_port() found; pick another.
                    self.runs = 0
                    self.port = free_port()
                    return self.start(timeout)
                raise AssertionError("broker exited with code %d during start-up:\n%s"
                                     % (rc, self.stderr()))
            # Check that the listener is ours, not another process's that
            # happens to hold the port.
            if _listens_on(self.proc.pid, self.port):
                return self
            if time.monotonic() > deadline:
                raise AssertionError("broker did not listen on port %d within %.0f s"
                                     % (self.port, timeout))
            time.sleep(0.05)

    def stop(self, timeout=DEFAULT_TIMEOUT, sig=signal.SIGTERM):
        """SIGTERM (or `sig`); a clean stop must exit with 0 (under ASan a leak
        or a memory error makes the exit code non-zero, so this checks those too)."""
        assert self.proc is not None, "broker not running"
        proc, self.proc = self.proc, None
        name = signal.Signals(sig).name
        proc.send_signal(sig)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("broker did not exit within %.0f s of %s" % (timeout, name))
        if rc != 0:
            raise AssertionError("broker exited with code %d after %s (expected 0):\n%s"
                                 % (rc, name, self.stderr()))

    def kill(self):
        """kill -9: no chance to flush or write checkpoints."""
        assert self.proc is not None, "broker not running"
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()

    def restart(self, **kw):
        self.stop()
        return self.start(**kw)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr(self, run=None):
        """Text the broker wrote to stderr in run `run` (default: the latest)."""
        path = os.path.join(self.workdir, "stderr.%d" % (run or self.runs))
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def wait_stderr(self, text, timeout=DEFAULT_TIMEOUT):
        """Waits until the latest run's stderr contains `text`; returns the line."""
        def find():
            for line in self.stderr().splitlines():
                if text in line:
                    return line
            return None
        return wait_for(find, timeout, "broker stderr to contain %r" % text)

    def partition_dir(self, topic, partition):
        return os.path.join(self.data_dir, "%s-%d" % (topic, partition))

    def segments(self, topic, partition):
        """Base offsets of the partition's .log files, sorted."""
        names = os.listdir(self.partition_dir(topic, partition))
        return sorted(int(n[:-4]) for n in names if n.endswith(".log"))

    def segment_path(self, topic, partition, base_offset):
        return os.path.join(self.partition_dir(topic, partition), "%020d.log" % base_offset)

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


class RequestTap:
    """A TCP proxy in front of one broker that records the API key and
    version of every request clients send, so a test can tell which versions
    a client negotiated (no client logs them all, and the broker logs none).
    The broker advertises the tap's port (advertised.listeners): every
    connection a client opens, bootstrap, leader or coordinator, goes
    through it.  Threads and sockets end with the test."""

    def __init__(self, overrides=None):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.broker = Broker(dict(overrides or {},
                                  **{"advertised.listeners": "PLAINTEXT://127.0.0.1:%d" % self.port}))
        self._lock = threading.Lock()
        self._requests = []
        self._socks = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()
        _current.taps.append(self)

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    def requests(self):
        """(api_key, api_version) of each request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def versions(self):
        """{api_key: sorted list of the versions used}."""
        out = {}
        for key, version in self.requests():
            out.setdefault(key, set()).add(version)
        return {key: sorted(v) for key, v in out.items()}

    def check_versions(self, negotiated):
        """Every version the client sent is inside the broker's advertised
        range (kproto.EXPECTED_API_RANGES), and the set is `negotiated`."""
        import kproto
        used = self.versions()
        for key, versions in used.items():
            low, high = kproto.EXPECTED_API_RANGES[key]
            assert all(low <= v <= high for v in versions), (key, versions, (low, high))
        assert used == negotiated, "negotiated %s, the docstring says %s" % (used, negotiated)

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.broker.port))
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._closed:
                    client.close()
                    upstream.close()
                    return
                self._socks += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src, dst, requests):
        """Copies src to dst until either end closes; on the client's side
        also reads each frame's header (size, api_key, api_version)."""
        pending = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if requests:
                    pending += data
                    while len(pending) >= 8:
                        size = int.from_bytes(pending[:4], "big", signed=True)
                        key = int.from_bytes(pending[4:6], "big", signed=True)
                        version = int.from_bytes(pending[6:8], "big", signed=True)
                        if len(pending) < 4 + size:
                            break
                        with self._lock:
                            self._requests.append((key, version))
                        pending = pending[4 + size:]
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        with self._lock:
            self._closed = True
            socks, self._socks = self._socks, []
        self._listener.close()
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


class Worker(Broker):
    """One `connectd standalone` process with its embedded broker: the
    worker file is etc/connect-standalone.properties, with the broker, REST
    and data locations moved to this test's ports and temp dir.  Connector
    files are passed on the command line.  Restarts keep ports and data."""

    def __init__(self, connector_files=(), overrides=None, props=None):
        self.rest_port = free_port()
        super().__init__(overrides=overrides, props=props or sample_worker_properties())
        self.connector_files = list(connector_files)

    @property
    def rest(self):
        return "http://127.0.0.1:%d" % self.rest_port

    def command(self):
        cmd = [connectd_path(), "standalone", self.props] + self.connector_files
        base = {"broker.listeners": "PLAINTEXT://127.0.0.1:%d" % self.port,
                "broker.log.dirs": self.data_dir,
                "listeners": "http://127.0.0.1:%d" % self.rest_port,
                "offset.flush.interval.ms": "500",
                # Every path: the file connectors of the tests use temporary
                # directories, /dev/null, relative and missing paths, and
                # what they assert is not about confinement; the tests of
                # the confinement (test_file_confine.py) set their own.
                "file.connectors.allowed.paths": "/",
                # Kafka's 5 s is too short for a sanitizer build on a loaded
                # machine to close a sink's consumer, and an abandoned task
                # commits nothing: a test that is not about abandoning
                # (test_stuck_task.py sets its own) must never see one.
                "task.shutdown.graceful.timeout.ms": "60000"}
        base.update(self.overrides)
        for key, value in base.items():
            cmd += ["--override", "%s=%s" % (key, value)]
        return cmd

    @property
    def bootstrap(self):
        return self.overrides.get("bootstrap.servers") or "127.0.0.1:%d" % self.port

    def start(self, timeout=DEFAULT_TIMEOUT, expect_exit=False):
        """Starts the worker and waits until its REST API (and its embedded
        broker, if it runs one) listens; with expect_exit, waits for it to
        exit and returns the exit code."""
        assert self.proc is None, "worker already running"
        self.runs += 1
        self.stderr_path = os.path.join(self.workdir, "stderr.%d" % self.runs)
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        if expect_exit:
            proc, self.proc = self.proc, None
            try:
                return proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise AssertionError("worker did not exit within %.0f s:\n%s" % (timeout, self.stderr()))
        ports = [self.rest_port] + ([] if "bootstrap.servers" in self.overrides else [self.port])
        wait_for(lambda: self.proc.poll() is not None or all(_listens_on(self.proc.pid, p) for p in ports),
                 timeout, "the worker to listen on ports %s" % ports)
        if self.proc.poll() is not None:
            rc, self.proc = self.proc.returncode, None
            raise AssertionError("worker exited with %d during start-up:\n%s" % (rc, self.stderr()))
        return self


class DistributedWorker(Broker):
    """One `connectd distributed` process of etc/connect-distributed.properties,
    its REST port its own, bootstrap.servers the test's broker (a Broker),
    session.timeout.ms short so that a test of a lost worker is quick."""

    def __init__(self, broker, overrides=None, props=None):
        self.rest_port = free_port()
        self.broker = broker
        super().__init__(overrides=overrides, props=props or sample_distributed_properties())

    @property
    def url(self):
        return "http://127.0.0.1:%d/" % self.rest_port

    def command(self):
        # As Worker's: every path for the file connectors, quick offset
        # flushes, and room for a sanitizer build to stop its tasks.
        base = {"bootstrap.servers": self.broker.bootstrap,
                "listeners": "http://127.0.0.1:%d" % self.rest_port,
                "session.timeout.ms": "3000", "heartbeat.interval.ms": "500",
                "file.connectors.allowed.paths": "/", "offset.flush.interval.ms": "500",
                "task.shutdown.graceful.timeout.ms": "60000"}
        base.update(self.overrides)
        cmd = [connectd_path(), "distributed", self.props]
        for key, value in base.items():
            cmd += ["--override", "%s=%s" % (key, value)]
        return cmd

    def start(self, timeout=DEFAULT_TIMEOUT):
        """Starts the worker; it joins its group in the background."""
        assert self.proc is None, "worker already running"
        self.runs += 1
        self.stderr_path = os.path.join(self.workdir, "stderr.%d" % self.runs)
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        return self

    def generations(self):
        """The generations this worker received an assignment in, with the leader URL each named."""
        return [(int(g), url) for g, url in
                re.findall(r"generation (\d+): assignment from leader \S+ \((\S+)\)", self.stderr())]


def sample_distributed_properties():
    top = os.environ.get("TOP_SRCDIR",
                         os.path.join(os.path.dirname(__file__), "..", ".."))
    return os.path.abspath(os.path.join(top, "etc", "connect-distributed.properties"))


def sample_worker_properties():
    top = os.environ.get("TOP_SRCDIR",
                         os.path.join(os.path.dirname(__file__), "..", ".."))
    return os.path.abspath(os.path.join(top, "etc", "connect-standalone.properties"))


def run(cmd, input=None, timeout=DEFAULT_TIMEOUT, check=True):
    """Runs a client command; returns CompletedProcess with bytes stdout/stderr."""
    try:
        res = subprocess.run(cmd, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s timed out after %.0f s; stderr:\n%s"
                             % (" ".join(cmd), timeout, (e.stderr or b"").decode("utf-8", "replace")))
    if check and res.returncode != 0:
        raise AssertionError("%s exited with %d; stderr:\n%s"
                             % (" ".join(cmd), res.returncode, res.stderr.decode("utf-8", "replace")))
    return res


def connectctl_path():
    path = os.environ.get("CONNECTCTL")
    if not path:
        top = os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
        path = os.path.join(top, "src", "connectctl")
    return os.path.abspath(path)


def ctl(broker, *args, input=None, check=True):
    """Runs connectctl against `broker` (None: no --bootstrap-server);
    returns (exit code, stdout, stderr) as text."""
    cmd = [connectctl_path()] + list(args)
    if broker is not None:
        cmd += ["--bootstrap-server", broker.bootstrap]
    res = run(cmd, input=input, check=check)
    return res.returncode, res.stdout.decode("utf-8"), res.stderr.decode("utf-8")


def kcat_values(broker, topic, count):
    """The values of the first `count` records of a topic (kcat, from the
    beginning), once it has that many."""
    def attempt():
        res = run(["kcat", "-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-c", str(count),
                   "-e", "-q", "-f", "%s\\n"], timeout=60, check=False)
        lines = res.stdout.decode().splitlines()
        return lines if res.returncode == 0 and len(lines) == count else None
    return wait_for(attempt, what="%d records in %s" % (count, topic), interval=0.5)


def confluent_read(broker, topic, n, group):
    """The first `n` messages of partition 0 of `topic`, read from its
    beginning by a confluent-kafka consumer (CRCs checked), or fewer once
    DEFAULT_TIMEOUT has passed; an error message fails the test."""
    import confluent_kafka
    c = confluent_kafka.Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group,
                                  "enable.auto.commit": False, "check.crcs": True})
    c.assign([confluent_kafka.TopicPartition(topic, 0, confluent_kafka.OFFSET_BEGINNING)])
    out = []
    deadline = time.monotonic() + DEFAULT_TIMEOUT
    while len(out) < n and time.monotonic() < deadline:
        msg = c.poll(1.0)
        if msg is None:
            continue
        assert not msg.error(), msg.error()
        out.append(msg)
    c.close()
    return out


def confluent_drain(broker, topic, partition=0, timeout=DEFAULT_TIMEOUT):
    """Every message of one partition of `topic` from its log start to its
    end as the broker answers it now (the high watermark), read by a
    confluent-kafka consumer that commits nothing, so each call reads the
    whole partition again ([] while the topic does not exist).  CRCs are
    checked; an error message fails the test."""
    import confluent_kafka
    c = confluent_kafka.Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "harness-drain",
                                  "enable.auto.commit": False, "check.crcs": True})
    try:
        meta = c.list_topics(topic, timeout=timeout)
        if topic not in meta.topics or meta.topics[topic].error is not None:
            return []
        part = confluent_kafka.TopicPartition(topic, partition)
        low, high = c.get_watermark_offsets(part, timeout=timeout)
        if high <= low:
            return []
        c.assign([confluent_kafka.TopicPartition(topic, partition, low)])
        out = []
        deadline = time.monotonic() + timeout
        while not out or out[-1].offset() < high - 1:
            if time.monotonic() > deadline:
                raise AssertionError("read %d of the %d messages of %s [%d] in %.0f s"
                                     % (len(out), high - low, topic, partition, timeout))
            msg = c.poll(1.0)
            if msg is None:
                continue
            assert not msg.error(), msg.error()
            out.append(msg)
        return out
    finally:
        c.close()


# A confluent-kafka consumer that stays in a group until its stdin closes,
# then leaves cleanly.
_GROUP_MEMBER = """
import sys, threading
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': sys.argv[2], 'client.id': 'member-test'})
c.subscribe([sys.argv[3]])
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
while not done.is_set():
    c.poll(0.2)
c.close()
"""


def group_member(broker, group, topic):
    """A consumer (a subprocess.Popen) in `group` subscribed to `topic`; it
    leaves the group when its stdin is closed."""
    return subprocess.Popen(["/usr/bin/python3", "-c", _GROUP_MEMBER, broker.bootstrap, group, topic],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def http(worker, method, path, body=None, auth=None, headers=None, timeout=30):
    """A REST call to a Worker; returns (status, parsed JSON or None).
    `auth` is a (user, password) pair sent as HTTP basic authentication;
    `headers` adds or replaces request headers; a call not answered within
    `timeout` seconds raises (socket timeout), so a hang fails the test
    without the test timing anything."""
    status, parsed, _ = http_response(worker, method, path, body, auth, headers, timeout)
    return status, parsed


def connector_offsets(worker, name):
    """GET /connectors/{name}/offsets, which must answer 200."""
    status, body = http(worker, "GET", "/connectors/%s/offsets" % name)
    assert status == 200, (status, body)
    return body


def file_source_offsets(path, position):
    """A PATCH body setting a FileStreamSource's position in `path`."""
    return {"offsets": [{"partition": {"filename": path}, "offset": {"position": position}}]}


def http_response(worker, method, path, body=None, auth=None, headers=None, timeout=30):
    """As http(), plus the response headers (an http.client.HTTPMessage,
    case-insensitive): (status, parsed JSON or None, headers)."""
    import base64
    import json
    import urllib.error
    import urllib.request
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json"}
    if auth is not None:
        token = base64.b64encode(("%s:%s" % auth).encode()).decode()
        all_headers["Authorization"] = "Basic " + token
    all_headers.update(headers or {})
    req = urllib.request.Request(worker.rest + path, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read()
            return resp.status, json.loads(text) if text else None, resp.headers
    except urllib.error.HTTPError as e:
        text = e.read()
        return e.code, json.loads(text) if text else None, e.headers


# ---- TAP ---------------------------------------------------------------------

class _TestState:
    def __init__(self):
        self.brokers = []
        self.taps = []
        self.tmpdirs = []


_current = _TestState()


def _diag(text):
    for line in text.rstrip("\n").splitlines():
        print("# " + line)


def _finish_test(failed):
    """Stops what the test left running, and removes its temp dirs unless it
    failed (then they are named so a developer can look)."""
    global _current
    state, _current = _current, _TestState()
    for tap in state.taps:
        tap.close()
    for b in state.brokers:
        b.cleanup()
        for run in range(1, b.runs + 1) if failed else ():
            _diag("--- stderr of broker on port %d, run %d ---" % (b.port, run))
            _diag(b.stderr(run)[-20000:] or "(empty)")
    for path in state.tmpdirs:
        if failed:
            _diag("kept temp dir %s" % path)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _cleanup_at_exit():
    for b in _current.brokers:
        b.cleanup()


def main(namespace):
    """Runs every test_* function of `namespace` in definition order."""
    # Whatever ends this process, no broker it started outlives it.
    atexit.register(_cleanup_at_exit)
    tests = [(name, fn) for name, fn in namespace.items()
             if name.startswith("test_") and callable(fn)]
    # The TAP driver may stop us with SIGTERM; exit through the normal path
    # so the brokers of the running test are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    print("1..%d" % len(tests))
    sys.stdout.flush()
    n_failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        doc = (fn.__doc__ or "").strip().splitlines()
        # '#' would start a TAP directive (SKIP/TODO) in the description.
        label = (name[5:] + (": " + doc[0] if doc else "")).replace("#", "")
        try:
            fn()
        except Exception:
            n_failed += 1
            print("not ok %d - %s" % (i, label))
            _diag(traceback.format_exc())
            _finish_test(True)
        except BaseException:
            _finish_test(True)
            raise
        else:
            print("ok %d - %s" % (i, label))
            _finish_test(False)
        sys.stdout.flush()
    sys.exit(1 if n_failed else 0)
