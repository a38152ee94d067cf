"""The PostgreSQL CDC source against a real PostgreSQL (pg.py): each
configuration a user gets wrong is refused by PUT
/connector-plugins/{plugin}/config/validate on the right setting, and by
POST /connectors with a 400 carrying the same message; a good config makes
the slot and the publication, and the task streams and answers keepalives.

One PostgreSQL serves every test of the file (each test its own worker);
the tests clean up the slots, publications and roles they make.
"""

import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

PLUGIN = "io.debezium.connector.postgresql.PostgresConnector"
DB = "orders"

_worker = (None, None)


def worker():
    """The current test's worker, started on first use (the harness stops
    it when the test ends, and shows its stderr if the test failed)."""
    global _worker
    if _worker[0] is not harness._current:
        _worker = (harness._current, Worker().start())
    return _worker[1]


def server():
    s = pg.server({"wal_sender_timeout": "3s"})
    if s.value("SELECT count(*) FROM pg_database WHERE datname = '%s'" % DB) == "0":
        s.create_database(DB)
        s.sql("CREATE TABLE public.orders (id int PRIMARY KEY, item text);"
              "CREATE TABLE public.customers (id int PRIMARY KEY, name text);"
              "CREATE SCHEMA inventory; CREATE TABLE inventory.stock (id int PRIMARY KEY, qty int)", db=DB)
    return s


def config(**overrides):
    """The issue's example config against the test server, with `overrides`
    (keys with '_' for '.'; a None value removes the key)."""
    conf = {"connector.class": PLUGIN, "topic.prefix": "cdc", "table.include.list": "public.orders"}
    conf.update(server().connector_config(dbname=DB))
    for key, value in overrides.items():
        key = key.replace("_", ".")
        if value is None:
            conf.pop(key, None)
        else:
            conf[key] = value
    return conf


def validate_errors(conf):
    """PUT .../config/validate: {setting: [errors]} of the settings with errors."""
    status, body = http(worker(), "PUT", "/connector-plugins/%s/config/validate" % PLUGIN, dict(conf, name="pg"))
    assert status == 200, (status, body)
    errors = {c["value"]["name"]: c["value"]["errors"] for c in body["configs"] if c["value"]["errors"]}
    assert body["error_count"] == sum(len(e) for e in errors.values()), body
    return errors


def refused(conf, setting, *words):
    """The config is refused on `setting` alone, with a message holding
    every one of `words`, by validate and by POST /connectors (400, the same
    message); returns the message."""
    errors = validate_errors(conf)
    assert list(errors) == [setting] and len(errors[setting]) == 1, errors
    message = errors[setting][0]
    for word in words:
        assert word in message, (word, message)
    status, body = http(worker(), "POST", "/connectors", {"name": "refused", "config": conf})
    assert status == 400, (status, body)
    assert message in body["message"], (message, body)
    assert http(worker(), "GET", "/connectors/refused")[0] == 404
    return message


def task_state(name):
    status, body = http(worker(), "GET", "/connectors/%s/status" % name)
    assert status == 200, (status, body)
    return body["tasks"][0] if body["tasks"] else None


def wait_task(name, state):
    return wait_for(lambda: (task_state(name) or {}).get("state") == state and task_state(name),
                    what="task of %s to be %s" % (name, state))


def delete(name):
    assert http(worker(), "DELETE", "/connectors/%s" % name)[0] == 204
    wait_for(lambda: http(worker(), "GET", "/connectors/%s" % name)[0] == 404, what="%s to be deleted" % name)


def slot(name):
    """(plugin, active) of a replication slot, or None."""
    rows = server().sql("SELECT plugin, active FROM pg_replication_slots WHERE slot_name = '%s'" % name)
    return tuple(rows[0]) if rows else None


def test_plugin_listed():
    """the connector answers to Debezium's class name and the short alias"""
    status, plugins = http(worker(), "GET", "/connector-plugins")
    assert status == 200
    assert {"class": PLUGIN, "type": "source"}.items() <= next(p for p in plugins if p["class"] == PLUGIN).items()
    status, defs = http(worker(), "GET", "/connector-plugins/PostgresConnector/config")
    assert status == 200, defs
    byname = {d["name"]: d for d in defs}
    assert byname["database.port"]["default_value"] == "5432"
    assert byname["database.password"]["type"] == "PASSWORD"
    assert byname["slot.name"]["default_value"] == "debezium"
    assert byname["publication.name"]["default_value"] == "dbz_publication"
    assert byname["snapshot.mode"]["default_value"] == "initial"
    assert byname["topic.prefix"]["required"] is True


def test_good_config_validates():
    """the issue's example config validates without an error and creates nothing"""
    server()
    assert validate_errors(config()) == {}
    assert slot("debezium") is None
    assert server().value("SELECT count(*) FROM pg_publication", db=DB) == "0"


def test_table_level_errors():
    """bad values are refused on their setting before anything connects"""
    refused(config(plugin_name="decoderbufs"), "plugin.name", "decoderbufs is not supported", "pgoutput")
    refused(config(slot_name="My-Slot"), "slot.name", "lowercase")
    refused(config(topic_prefix="cdc/x"), "topic.prefix", "'/'")
    refused(config(**{"table_include_list": "public.(orders"}), "table.include.list", "regular expression")
    refused(config(**{"table_exclude_list": "public.customers"}), "table.exclude.list", "include list")
    errors = validate_errors(config(**{"topic_prefix": None}))
    assert list(errors) == ["topic.prefix"], errors


def test_wrong_password():
    """a wrong password is reported on database.password"""
    refused(config(database_password="nope"), "database.password", "password authentication failed",
            'as user "postgres"')


def test_unreachable():
    """a port nobody listens on is reported on database.hostname"""
    refused(config(database_port=str(harness.free_port())), "database.hostname", "cannot connect",
            "database.port")


def test_missing_database():
    """a database that does not exist is reported on database.dbname"""
    refused(config(database_dbname="nosuchdb"), "database.dbname", '"nosuchdb" does not exist')


def test_user_without_replication():
    """a user without REPLICATION (and not superuser) is reported on database.user"""
    s = server()
    s.create_role("app", "app-pw")
    s.sql('GRANT CONNECT ON DATABASE "%s" TO app' % DB)
    refused(config(database_user="app", database_password="app-pw"), "database.user",
            "neither the REPLICATION attribute nor superuser", "ALTER ROLE")
    s.sql("ALTER ROLE app REPLICATION")
    # With REPLICATION it may replicate, but not create a publication FOR
    # ALL TABLES: that needs a superuser.
    refused(config(database_user="app", database_password="app-pw"), "publication.autocreate.mode",
            "needs a superuser")
    s.sql('REVOKE CONNECT ON DATABASE "%s" FROM app; DROP ROLE app' % DB)


def test_wal_level_not_logical():
    """wal_level=replica is reported on database.hostname, saying a restart is needed"""
    s = server()
    s.restart({"wal_level": "replica"})
    try:
        refused(config(), "database.hostname", "wal_level = replica", "wal_level = logical", "restart")
    finally:
        s.restart({"wal_level": "logical"})


def test_slot_in_use():
    """a slot streaming to another client is reported on slot.name with that client's pid"""
    s = server()
    s.sql("SELECT pg_create_logical_replication_slot('busy', 'pgoutput')", db=DB)
    s.sql("CREATE PUBLICATION busy_pub FOR ALL TABLES", db=DB)
    proc = subprocess.Popen([os.path.join(s.bindir, "pg_recvlogical"), "-h", s.dir, "-p", str(s.port),
                             "-U", "postgres", "-d", DB, "--slot", "busy", "--start", "-o", "proto_version=1",
                             "-o", "publication_names=busy_pub", "-f", "/dev/null"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: slot("busy") == ("pgoutput", "t"), what="pg_recvlogical to hold the slot")
        pid = s.value("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'busy'")
        refused(config(slot_name="busy"), "slot.name", "in use by another client", "server process %s" % pid)
    finally:
        proc.terminate()
        proc.wait()
    wait_for(lambda: slot("busy") == ("pgoutput", "f"), what="the slot to be released")
    s.sql("SELECT pg_drop_replication_slot('busy'); DROP PUBLICATION busy_pub", db=DB)


def test_publication_missing():
    """a missing publication with autocreate disabled is refused, saying how to create it"""
    refused(config(publication_autocreate_mode="disabled", publication_name="nopub"), "publication.autocreate.mode",
            '"nopub"', "does not exist", "CREATE PUBLICATION")


def test_table_not_found():
    """a table.include.list expression that matches no table is reported on table.include.list"""
    refused(config(table_include_list="public.orders,public.ordrs"), "table.include.list", "'public.ordrs'")
    # A schema-qualified regex that matches is fine, and so is an exclude list.
    assert validate_errors(config(table_include_list="inventory\\..*")) == {}
    assert validate_errors(config(table_include_list=None, table_exclude_list="public.customers")) == {}


def test_create_streams():
    """a good config creates the publication FOR ALL TABLES and the slot, and the task streams"""
    s = server()
    status, body = http(worker(), "POST", "/connectors", {"name": "pgsrc", "config": config()})
    assert status == 201, (status, body)
    wait_task("pgsrc", "RUNNING")
    assert s.value("SELECT puballtables FROM pg_publication WHERE pubname = 'dbz_publication'", db=DB) == "t"
    wait_for(lambda: slot("debezium") == ("pgoutput", "t"), what="the task to stream from the slot")
    # Changes flow and keepalives are answered: wal_sender_timeout is 3 s,
    # so a task that did not answer would be cut off well within this.
    before = s.value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'debezium'")
    s.sql("INSERT INTO public.orders VALUES (1, 'pen'), (2, 'ink')", db=DB)
    pid = s.value("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'debezium'")
    time.sleep(8)
    assert slot("debezium") == ("pgoutput", "t")
    assert s.value("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'debezium'") == pid, \
        "the stream was cut and reconnected: keepalives unanswered"
    assert task_state("pgsrc")["state"] == "RUNNING"
    # The two rows are produced and their offsets committed: the slot
    # moves past them (test_postgres_stream.py checks it follows the
    # committed offsets exactly).
    wait_for(lambda: s.value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'debezium'")
             != before, what="the slot to confirm the committed rows")
    assert "replication stream" not in worker().stderr(), worker().stderr()
    # A new config for the running connector is validated while its own
    # task holds the slot: that is not "another client".
    status, body = http(worker(), "PUT", "/connectors/pgsrc/config", config(max_batch_size="100"))
    assert status == 200, (status, body)
    wait_for(lambda: worker().stderr().count('replication slot "debezium" at ') == 2,
             what="the task to restart with the new config")
    wait_for(lambda: slot("debezium") == ("pgoutput", "t"), what="the restarted task to stream")
    assert task_state("pgsrc")["state"] == "RUNNING"
    delete("pgsrc")
    # The slot stays (slot.drop.on.stop=false), released.
    wait_for(lambda: slot("debezium") == ("pgoutput", "f"), what="the slot to be released")


def test_restart_resumes():
    """the task reconnects by itself after PostgreSQL restarts"""
    s = server()
    status, body = http(worker(), "POST", "/connectors", {"name": "pgre", "config": config()})
    assert status == 201, (status, body)
    wait_for(lambda: slot("debezium") == ("pgoutput", "t"), what="the task to stream")
    s.restart()
    wait_for(lambda: slot("debezium") == ("pgoutput", "t"), what="the task to stream again")
    assert task_state("pgre")["state"] == "RUNNING"
    assert 'replication stream of slot "debezium" broke' in worker().stderr()
    assert worker().stderr().count('replication slot "debezium" at ') == 2, worker().stderr()
    delete("pgre")


def test_filtered_publication_and_drop_slot():
    """filtered mode publishes the included tables only; slot.drop.on.stop drops the slot"""
    s = server()
    conf = config(slot_name="filtered_slot", publication_name="filtered_pub",
                  publication_autocreate_mode="filtered", slot_drop_on_stop="true",
                  table_include_list="public.orders,inventory\\..*")
    status, body = http(worker(), "POST", "/connectors", {"name": "pgfilt", "config": conf})
    assert status == 201, (status, body)
    wait_task("pgfilt", "RUNNING")
    tables = s.sql("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = 'filtered_pub' "
                   "ORDER BY 1", db=DB)
    assert tables == [["inventory.stock"], ["public.orders"]], tables
    wait_for(lambda: slot("filtered_slot") == ("pgoutput", "t"), what="the task to stream")
    delete("pgfilt")
    wait_for(lambda: slot("filtered_slot") is None, what="the slot to be dropped")
    worker().wait_stderr('dropped replication slot "filtered_slot"')


def test_task_fails_with_trace():
    """a publication dropped while autocreate is disabled fails the task at start, with the reason in its trace"""
    s = server()
    s.sql("CREATE PUBLICATION manual_pub FOR TABLE public.orders", db=DB)
    conf = config(slot_name="manual_slot", publication_name="manual_pub", publication_autocreate_mode="disabled")
    status, body = http(worker(), "POST", "/connectors", {"name": "pgman", "config": conf})
    assert status == 201, (status, body)
    wait_task("pgman", "RUNNING")
    s.sql("DROP PUBLICATION manual_pub", db=DB)
    assert http(worker(), "POST", "/connectors/pgman/restart?includeTasks=true")[0] in (202, 204)
    failed = wait_task("pgman", "FAILED")
    assert '"manual_pub"' in failed["trace"] and "does not exist" in failed["trace"], failed
    delete("pgman")
    s.sql("SELECT pg_drop_replication_slot('manual_slot')", db=DB)


def test_unknown_debezium_keys_warned():
    """Debezium settings this connector does not implement are accepted, and named in a warning"""
    conf = config(**{"snapshot_max_threads": "2", "interval_handling_mode": "string"})
    assert validate_errors(conf) == {}
    line = worker().wait_stderr("accepted but not implemented")
    assert "snapshot.max.threads" in line and "interval.handling.mode" in line, line


harness.main(globals())
