"""A plugin that crashes the process (crash_guard.h): a NULL dereference,
abort() or exit() in a source's poll() ends the worker and its embedded
broker, which nothing in C can prevent; the worker names the connector and
task with a backtrace, journals it, and at the next start restores that
connector FAILED (its trace says why) instead of crashing again, while the
other connectors run and their data flows; it stays FAILED across further
restarts until the operator restarts, reconfigures or deletes it.  A stored
connector whose plugin is no longer installed is listed FAILED and can be
deleted.  CrashingSource is tests/plugins/crashing.so.

Under the sanitizer build the worker's handler replaces ASan's SIGSEGV
handler (ASan allows that by default) and ASan does not handle SIGABRT, so
what these tests see is what a release build does.  The runs that end in
exit() run with detect_leaks=0: LeakSanitizer's report at exit would change
the exit status the test checks, and what leaks in a process killed by its
plugin is not the worker's bug.
"""

import http.client as http_client
import os
import signal
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, kcat_values, tmpdir, wait_for  # noqa: E402

TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
CRASHING = os.path.join(TOP_BUILDDIR, "tests", "plugins", "crashing.so")
EXIT_CODE = 42  # crashing.c's exit()
CAUSES = {"segv": "SIGSEGV", "abort": "SIGABRT", "exit": "exit(%d)" % EXIT_CODE}
STRINGS = {"key.converter": "org.apache.kafka.connect.storage.StringConverter",
           "value.converter": "org.apache.kafka.connect.storage.StringConverter"}


def status(w, name):
    code, body = http(w, "GET", "/connectors/%s/status" % name)
    assert code == 200, (code, body)
    return body


def append(path, data):
    with open(path, "ab") as f:
        f.write(data)


def start_flow(w, src):
    """An ordinary FileStreamSource, src -> topic "flow", with one line."""
    append(src, b"line-1\n")
    code, body = http(w, "POST", "/connectors", {"name": "flow", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "flow"}})
    assert code == 201, (code, body)
    assert kcat_values(w, "flow", 1) == ["line-1"]


def flows(w, src, n):
    """The flow connector is RUNNING and line-n written now reaches Kafka
    (after the last line; a line read again after the crash, whose offset
    was not committed yet, is at-least-once as Kafka Connect's)."""
    body = status(w, "flow")
    assert body["connector"]["state"] == "RUNNING" and body["tasks"][0]["state"] == "RUNNING", body
    append(src, b"line-%d\n" % n)

    def last_line():
        res = harness.run(["kcat", "-b", w.bootstrap, "-C", "-t", "flow", "-o", "beginning", "-e", "-q"],
                          check=False)
        lines = res.stdout.decode().splitlines()
        return lines and lines[-1] == "line-%d" % n and lines
    lines = wait_for(last_line, what="line-%d in topic flow" % n, interval=0.5)
    assert set(lines) == {"line-%d" % i for i in range(1, n + 1)}, lines


def wait_death(w, timeout=harness.DEFAULT_TIMEOUT):
    """Waits for the worker to die on its own; returns its exit status
    (negative: the signal that ended it)."""
    proc, w.proc = w.proc, None
    return proc.wait(timeout)


def crash_and_check(w, mode, create=True):
    """Creates (or restarts) connector "crasher" in crash.mode `mode` and
    checks that the worker dies of it, saying who and why."""
    leaks = os.environ.get("ASAN_OPTIONS")
    if mode == "exit":
        os.environ["ASAN_OPTIONS"] = (leaks + ":" if leaks else "") + "detect_leaks=0"
    try:
        if mode == "exit":
            w.stop()
            w.start()  # with the environment above
        try:
            code, body = (http(w, "POST", "/connectors", {"name": "crasher", "config": {
                "connector.class": "CrashingSource", "crash.mode": mode}}) if create
                else http(w, "POST", "/connectors/crasher/restart"))
            assert code in (201, 204), (code, body)
        except (http_client.RemoteDisconnected, ConnectionResetError):
            pass  # the task's first poll() ended the worker before its answer was written
        rc = wait_death(w)
    finally:
        if leaks is None:
            os.environ.pop("ASAN_OPTIONS", None)
        else:
            os.environ["ASAN_OPTIONS"] = leaks
    log = w.stderr()
    expected = {"segv": -signal.SIGSEGV, "abort": -signal.SIGABRT, "exit": EXIT_CODE}[mode]
    assert rc == expected, (rc, log)
    cause = {"segv": "crashed the worker with SIGSEGV", "abort": "crashed the worker with SIGABRT",
             "exit": "called exit(%d)" % EXIT_CODE}[mode]
    assert "ERROR connector crasher task 0 %s; the worker exits. Backtrace:" % cause in log, log
    assert "crashing.so(" in log, log  # the plugin's frames are in the backtrace
    assert "the crash is recorded in the crash journal" in log, log
    journal = open(os.path.join(w.data_dir, "connectd-crash.journal")).read()
    assert "task=0 cause=%s connector=crasher\n" % CAUSES[mode] in journal, journal


def restored_failed(w, mode):
    """Right after a start: crasher is FAILED, saying why, with no task."""
    cause = CAUSES[mode]
    body = status(w, "crasher")
    assert body["connector"]["state"] == "FAILED" and body["tasks"] == [], body
    trace = body["connector"]["trace"]
    assert "crashed the worker with %s in task 0" % cause in trace, trace
    assert "POST /connectors/crasher/restart" in trace and "Backtrace:\n" in trace, trace
    assert "crashing.so(" in trace, trace
    code, names = http(w, "GET", "/connectors")
    assert code == 200 and sorted(names) == ["crasher", "flow"], (code, names)


def run_mode(mode):
    """Crash, restart twice without running it again; returns the worker."""
    src = os.path.join(tmpdir(), "in.txt")
    w = Worker(overrides=dict(STRINGS, **{"plugin.path": CRASHING})).start()
    start_flow(w, src)
    crash_and_check(w, mode)
    w.start()
    restored_failed(w, mode)
    flows(w, src, 2)
    w.stop()
    w.start()  # a further restart: still FAILED, the plugin not run
    restored_failed(w, mode)
    flows(w, src, 3)
    assert w.alive() and "the worker exits" not in w.stderr(), w.stderr()
    return w, src


def test_segv_restored_failed_until_reconfigured():
    """poll() dereferences NULL: logged with a backtrace, FAILED after two
    restarts, the other connector flowing; a new config clears it"""
    w, src = run_mode("segv")
    code, body = http(w, "PUT", "/connectors/crasher/config", {
        "connector.class": "CrashingSource", "crash.mode": "none"})
    assert code == 200, (code, body)
    wait_for(lambda: status(w, "crasher")["tasks"] and status(w, "crasher")["tasks"][0]["state"] == "RUNNING",
             what="crasher to run with its new config")
    w.stop()
    w.start()
    body = status(w, "crasher")
    assert body["connector"]["state"] == "RUNNING", body
    flows(w, src, 4)
    w.stop()


def test_abort_restored_failed_until_restarted():
    """poll() calls abort(): FAILED after two restarts; POST restart runs
    it again, and it crashes again"""
    w, src = run_mode("abort")
    crash_and_check(w, "abort", create=False)
    w.start()
    restored_failed(w, "abort")
    flows(w, src, 4)
    w.stop()


def test_exit_restored_failed_until_deleted():
    """poll() calls exit(42): the status goes on; FAILED after two restarts;
    DELETE removes it for good"""
    w, src = run_mode("exit")
    code, body = http(w, "DELETE", "/connectors/crasher")
    assert code == 204, (code, body)
    w.stop()
    w.start()
    assert http(w, "GET", "/connectors/crasher/status")[0] == 404
    assert "crasher" not in open(os.path.join(w.data_dir, "connectd-crash.journal")).read()
    flows(w, src, 4)
    w.stop()


def test_missing_plugin_listed_failed_and_deletable():
    """A stored connector whose plugin left plugin.path: listed, FAILED
    saying the class is not installed, its config shown, DELETE 204, gone
    after another restart"""
    w = Worker(overrides={"plugin.path": CRASHING}).start()
    code, body = http(w, "POST", "/connectors", {"name": "orphan", "config": {
        "connector.class": "CrashingSource", "crash.mode": "none"}})
    assert code == 201, (code, body)
    wait_for(lambda: status(w, "orphan")["tasks"] and status(w, "orphan")["tasks"][0]["state"] == "RUNNING",
             what="orphan to run")
    w.stop()
    w.overrides["plugin.path"] = tmpdir()  # the plugin is gone
    w.start()
    code, names = http(w, "GET", "/connectors")
    assert code == 200 and names == ["orphan"], (code, names)
    body = status(w, "orphan")
    trace = body["connector"]["trace"]
    assert body["connector"]["state"] == "FAILED" and body["tasks"] == [], body
    assert ("Failed to find any class that implements Connector and which name matches CrashingSource" in trace
            and "not installed" in trace), trace
    code, body = http(w, "GET", "/connectors/orphan/config")
    assert code == 200 and body["connector.class"] == "CrashingSource", (code, body)
    code, body = http(w, "POST", "/connectors/orphan/restart")
    assert code == 204 and status(w, "orphan")["connector"]["state"] == "FAILED", (code, body)
    code, body = http(w, "DELETE", "/connectors/orphan")
    assert code == 204, (code, body)
    assert http(w, "GET", "/connectors/orphan")[0] == 404
    w.stop()
    w.overrides["plugin.path"] = CRASHING  # back: the deletion was stored, nothing comes back
    w.start()
    assert http(w, "GET", "/connectors") == (200, [])
    w.stop()


harness.main(globals())
