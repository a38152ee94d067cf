"""/admin/loggers (KIP-495): named loggers whose levels change while the
worker runs, with Kafka's JSON, status codes and messages
(reference/connect-rest.md §1.2 "Loggers"), checked against what the
worker actually writes to stderr.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

VALIDATE = "/connector-plugins/FileStreamSource/config/validate"
DEBUG_LINE = "DEBUG validating a config of connector plugin FileStreamSource"


def now_ms():
    return int(time.time() * 1000)


def test_list_and_get():
    """only root has a level at first; a known logger shows its inherited
    level with last_modified null; an unknown one is a 404"""
    w = Worker().start()
    assert http(w, "GET", "/admin/loggers") == (200, {"root": {"level": "INFO", "last_modified": None}})
    for name in ("root", "ROOT", "connectd.worker.plugin_loader", "connectd.worker", "connectd"):
        assert http(w, "GET", "/admin/loggers/" + name) == (200, {"level": "INFO", "last_modified": None}), name
    assert http(w, "GET", "/admin/loggers/no.such.logger") == (404, {
        "error_code": 404, "message": "Logger no.such.logger not found."})
    # A prefix of a name is not its ancestor.
    assert http(w, "GET", "/admin/loggers/connectd.work")[0] == 404
    w.stop()


def test_debug_lines_appear():
    """DEBUG on a logger makes its debug lines appear, from the next line on;
    GET shows the level set and when"""
    w = Worker().start()
    assert http(w, "PUT", VALIDATE, {"connector.class": "FileStreamSource"})[0] == 200
    assert DEBUG_LINE not in w.stderr()

    before = now_ms()
    assert http(w, "PUT", "/admin/loggers/connectd.worker.rest_plugins", {"level": "debug"}) == (
        200, ["connectd.worker.rest_plugins"])
    after = now_ms()
    assert http(w, "PUT", VALIDATE, {"connector.class": "FileStreamSource"})[0] == 200
    assert DEBUG_LINE in w.stderr(), w.stderr()

    status, levels = http(w, "GET", "/admin/loggers")
    assert status == 200 and list(levels) == sorted(levels), levels
    assert set(levels) == {"connectd.worker.rest_plugins", "root"}, levels
    entry = levels["connectd.worker.rest_plugins"]
    assert entry["level"] == "DEBUG" and before <= entry["last_modified"] <= after, entry
    assert levels["root"] == {"level": "INFO", "last_modified": None}
    assert http(w, "GET", "/admin/loggers/connectd.worker.rest_plugins") == (200, entry)

    # The same level again changes nothing, not even the time (log4j).
    time.sleep(0.01)
    assert http(w, "PUT", "/admin/loggers/connectd.worker.rest_plugins", {"level": "DEBUG"})[0] == 200
    assert http(w, "GET", "/admin/loggers/connectd.worker.rest_plugins") == (200, entry)
    # TRACE logs what DEBUG does and is reported as set.
    assert http(w, "PUT", "/admin/loggers/connectd.worker.rest_plugins", {"level": "TRACE"})[0] == 200
    assert http(w, "GET", "/admin/loggers/connectd.worker.rest_plugins")[1]["level"] == "TRACE"
    # INFO hides the debug line again.
    assert http(w, "PUT", "/admin/loggers/connectd.worker.rest_plugins", {"level": "INFO"})[0] == 200
    count = w.stderr().count(DEBUG_LINE)
    assert http(w, "PUT", VALIDATE, {"connector.class": "FileStreamSource"})[0] == 200
    assert w.stderr().count(DEBUG_LINE) == count
    w.stop()


def test_hierarchy():
    """a level set on a parent applies to the known loggers below it and to
    those seen later; a child's own level wins; ERROR hides INFO lines;
    plugins log as connectd.connector.<plugin>.<connector>"""
    tmp = harness.tmpdir()
    w = Worker().start()
    status, affected = http(w, "PUT", "/admin/loggers/connectd.worker", {"level": "ERROR"})
    assert status == 200 and affected == sorted(affected) and "connectd.worker" in affected, affected
    assert "connectd.worker.plugin_loader" in affected, affected
    assert all(n == "connectd.worker" or n.startswith("connectd.worker.") for n in affected), affected
    levels = http(w, "GET", "/admin/loggers")[1]
    assert {n for n in levels if levels[n]["level"] == "ERROR"} == set(affected), levels

    # Below connectd.worker: the herder's INFO line is gone.  The plugin's
    # own INFO line (connectd.connector...) still shows.
    src = os.path.join(tmp, "in.txt")
    open(src, "w").close()
    assert http(w, "POST", "/connectors", {"name": "first", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    wait_for(lambda: "[first-0] reading file" in w.stderr(), what="the source's INFO line")
    assert "connector first (FileStreamSource) started" not in w.stderr(), w.stderr()
    # connectd.worker.herder was first seen after the change: it inherits.
    assert http(w, "GET", "/admin/loggers/connectd.worker.herder") == (200, {"level": "ERROR",
                                                                              "last_modified": None})
    assert http(w, "GET", "/admin/loggers/connectd.connector.FileStreamSource.first") == (
        200, {"level": "INFO", "last_modified": None})

    # WARN on every connector, but INFO on one of them by name.
    assert http(w, "PUT", "/admin/loggers/connectd.connector", {"level": "WARN"})[0] == 200
    assert http(w, "PUT", "/admin/loggers/connectd.connector.FileStreamSource.loud", {"level": "INFO"}) == (
        200, ["connectd.connector.FileStreamSource.loud"])
    for name in ("quiet", "loud"):
        assert http(w, "POST", "/connectors", {"name": name, "config": {
            "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    wait_for(lambda: "[loud-0] reading file" in w.stderr(), what="the loud source's INFO line")
    wait_for(lambda: http(w, "GET", "/connectors/quiet/status")[1]["tasks"][0]["state"] == "RUNNING",
             what="the quiet source running")
    time.sleep(0.5)
    assert "[quiet-0] reading file" not in w.stderr(), w.stderr()
    assert http(w, "GET", "/admin/loggers/connectd.connector.FileStreamSource.quiet")[1]["level"] == "WARN"

    # root: every logger, and root itself.
    status, affected = http(w, "PUT", "/admin/loggers/root", {"level": "OFF"})
    assert status == 200 and "root" in affected and "connectd.connector.FileStreamSource.loud" in affected
    levels = http(w, "GET", "/admin/loggers")[1]
    assert levels["root"]["level"] == "OFF" and levels["root"]["last_modified"] >= 0, levels
    assert {entry["level"] for entry in levels.values()} == {"OFF"}, levels
    w.stop()


def test_refusals_and_scope():
    """Kafka's 400 for no level, its 404 for a bad one; scope=cluster is 204
    (a standalone worker is the cluster), an unknown scope means worker"""
    w = Worker().start()
    for body in ({}, {"level": None}, {"lvl": "DEBUG"}):
        assert http(w, "PUT", "/admin/loggers/connectd", body) == (400, {
            "error_code": 400, "message": "Desired 'level' parameter was not specified in request."}), body
    assert http(w, "PUT", "/admin/loggers/connectd", {"level": "LOUD"}) == (404, {
        "error_code": 404, "message": "invalid log level 'LOUD'."})
    status, body = http(w, "PUT", "/admin/loggers/connectd", None)
    assert status == 400 and "JSON" in body["message"], body

    assert http(w, "PUT", "/admin/loggers/connectd.broker?scope=cluster", {"level": "WARN"}) == (204, None)
    assert http(w, "GET", "/admin/loggers/connectd.broker")[1]["level"] == "WARN"
    status, affected = http(w, "PUT", "/admin/loggers/connectd.broker?scope=nonsense", {"level": "FATAL"})
    assert status == 200 and "connectd.broker" in affected, affected
    assert http(w, "GET", "/admin/loggers/connectd.broker")[1]["level"] == "FATAL"
    # A name nobody logs as yet can be set, and is then known.
    assert http(w, "PUT", "/admin/loggers/my.own", {"level": "DEBUG"}) == (200, ["my.own"])
    assert http(w, "GET", "/admin/loggers/my.own")[1]["level"] == "DEBUG"
    w.stop()


def test_lines_name_their_logger():
    """every line ends with its logger's name in parentheses, as Kafka's
    "[%d] %p %m (%c)" pattern: the worker's and a plugin's"""
    tmp = harness.tmpdir()
    src = os.path.join(tmp, "in.txt")
    open(src, "w").close()
    w = Worker().start()
    assert http(w, "POST", "/connectors", {"name": "named", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t"}})[0] == 201
    line = w.wait_stderr("[named-0] reading file")
    assert line.endswith(" (connectd.connector.FileStreamSource.named)"), line
    line = w.wait_stderr("connector named (FileStreamSource) started")
    assert line.endswith(" (connectd.worker.herder)"), line
    w.stop()


def test_levels_from_the_worker_file():
    """log4j.rootLogger and log4j.logger.<name> in the worker file are the
    levels /admin/loggers shows at start (last_modified null, as Kafka shows
    its log4j file's) and the lines obey them; REST changes them after"""
    w = Worker(overrides={"log4j.rootLogger": "WARN, stdout",
                          "log4j.logger.connectd.worker.rest_plugins": "debug",
                          "log4j.logger.connectd.worker.rest_plugins.below": "ERROR"}).start()
    assert http(w, "GET", "/admin/loggers") == (200, {
        "connectd.worker.rest_plugins": {"level": "DEBUG", "last_modified": None},
        "connectd.worker.rest_plugins.below": {"level": "ERROR", "last_modified": None},
        "root": {"level": "WARN", "last_modified": None}})
    # Its "worker started" line was filtered out, its logger is known all the same.
    assert http(w, "GET", "/admin/loggers/connectd.worker.cmd_standalone") == (200, {"level": "WARN",
                                                                                      "last_modified": None})
    assert http(w, "PUT", VALIDATE, {"connector.class": "FileStreamSource"})[0] == 200
    assert DEBUG_LINE in w.stderr(), w.stderr()
    # Root at WARN: no INFO line from anyone.
    assert "REST API listening" not in w.stderr() and " INFO " not in w.stderr(), w.stderr()
    assert http(w, "PUT", "/admin/loggers/connectd.worker.rest_plugins", {"level": "INFO"})[0] == 200
    status, levels = http(w, "GET", "/admin/loggers")
    assert levels["connectd.worker.rest_plugins"]["level"] == "INFO", levels
    assert levels["connectd.worker.rest_plugins"]["last_modified"] is not None, levels
    count = w.stderr().count(DEBUG_LINE)
    assert http(w, "PUT", VALIDATE, {"connector.class": "FileStreamSource"})[0] == 200
    assert w.stderr().count(DEBUG_LINE) == count
    w.stop()

    # A bad level or logger name in the file is a configuration error (exit 2).
    for key, value, message in (
            ("log4j.logger.connectd.worker", "LOUD", "log4j.logger.connectd.worker: 'LOUD' is not a level"),
            ("log4j.rootLogger", "LOUD, stdout", "log4j.rootLogger"),
            ("log4j.logger.connectd..worker", "DEBUG", "a logger name has no empty part between dots")):
        w = Worker(overrides={key: value})
        assert w.start(expect_exit=True) == 2, (key, value)
        assert message in w.stderr(), w.stderr()



def test_levels_from_a_broker_file():
    """`connectd broker` takes the same log4j keys in its properties file as
    the worker file: the lines obey them, the keys are no unknown broker
    configs, and a bad level or name is a configuration error (exit 2)"""
    b = harness.Broker(overrides={"log4j.rootLogger": "WARN, stdout",
                                  "log4j.logger.connectd.broker.topics": "DEBUG"}).start()
    harness.ctl(b, "topics", "--create", "--topic", "logged")
    line = b.wait_stderr("created topic logged")
    assert " INFO created topic logged with 1 partitions (connectd.broker.topics)" in line, line
    # Root at WARN: the other loggers' INFO lines are filtered out.
    assert "listening on" not in b.stderr() and "unknown broker config" not in b.stderr(), b.stderr()
    assert all(" INFO " not in line or line.endswith("(connectd.broker.topics)")
               for line in b.stderr().splitlines()), b.stderr()
    b.stop()

    for key, value, message in (
            ("log4j.logger.connectd.broker", "LOUD", "log4j.logger.connectd.broker: 'LOUD' is not a level"),
            ("log4j.rootLogger", "LOUD, stdout", "log4j.rootLogger: 'LOUD, stdout' is not a level"),
            ("log4j.logger.connectd..broker", "DEBUG",
             "log4j.logger.<name>: a logger name has no empty part between dots")):
        b = harness.Broker(overrides={key: value})
        res = harness.run(b.command(), check=False)
        assert res.returncode == 2, (key, value, res.returncode)
        assert ("connectd broker: invalid configuration: " + message) in res.stderr.decode(), res.stderr

def test_logger_names_checked():
    """PUT takes any logger name (log4j makes a logger of any name) but one
    that would forge log lines or cannot be a logger's: 400, nothing set"""
    w = Worker().start()
    for name in ("a..b", ".a", "a.", "line%0Aforged", "tab%09name", "a" * 512):
        status, body = http(w, "PUT", "/admin/loggers/" + name, {"level": "DEBUG"})
        assert status == 400 and body["message"].startswith("Invalid logger name: "), (name, status, body)
    assert http(w, "GET", "/admin/loggers") == (200, {"root": {"level": "INFO", "last_modified": None}})
    assert "forged" not in w.stderr(), w.stderr()
    assert http(w, "PUT", "/admin/loggers/" + "a" * 511, {"level": "DEBUG"}) == (200, ["a" * 511])
    w.stop()


harness.main(globals())
