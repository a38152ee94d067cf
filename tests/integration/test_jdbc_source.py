"""Confluent's JDBC source (io.confluent.connect.jdbc.JdbcSourceConnector)
against a real PostgreSQL (pg.py): the issue's configuration as it is
written; every mode with rows inserted while the connector runs; rows
committed late within timestamp.delay.interval.ms; kill -9 and a restart
that resumes after the committed offset; a table whose name is SQL; the
errors a user makes, each a sentence in the status trace; tables spread
over tasks.

Topics are read with confluent-kafka from their start (harness.confluent_drain).
"""

import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

PLUGIN = "io.confluent.connect.jdbc.JdbcSourceConnector"
DB = "mydb"
USER, PASSWORD = "myuser", "mypassword"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The issue's example, byte for byte (etc/connect-jdbc-source.properties
# holds it with comments).
ISSUE_CONFIG = """name=jdbc-source
connector.class=io.confluent.connect.jdbc.JdbcSourceConnector
tasks.max=1
connection.url=jdbc:postgresql://localhost:5432/mydb
connection.user=myuser
connection.password=mypassword
table.whitelist=users,orders
mode=incrementing
incrementing.column.name=id
topic.prefix=postgres-
"""


def server():
    s = pg.server()
    if s.value("SELECT count(*) FROM pg_database WHERE datname = '%s'" % DB) == "0":
        s.create_role(USER, PASSWORD)
        s.sql('CREATE DATABASE "%s" OWNER "%s"' % (DB, USER))
        s.sql("CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email varchar(64));"
              "CREATE TABLE orders (id bigserial PRIMARY KEY, user_id int NOT NULL, amount numeric(10,2),"
              " placed date, note text)", db=DB, user=USER)
    return s


def sql(query):
    return server().sql(query, db=DB, user=USER)


def url():
    return "jdbc:postgresql://127.0.0.1:%d/%s" % (server().port, DB)


def config(**overrides):
    """A source on the test database with `overrides` (keys with '_' for '.')."""
    conf = {"connector.class": PLUGIN, "connection.url": url(), "connection.user": USER,
            "connection.password": PASSWORD, "poll.interval.ms": "200", "status.update.interval.ms": "300",
            "value.converter.schemas.enable": "false", "value.converter": "org.apache.kafka.connect.json.JsonConverter"}
    conf.update({k.replace("_", "."): v for k, v in overrides.items()})
    return conf


def create(w, name, conf):
    status, body = http(w, "POST", "/connectors", {"name": name, "config": conf})
    assert status == 201, (status, body)


def delete(w, name):
    assert http(w, "DELETE", "/connectors/%s" % name)[0] == 204
    wait_for(lambda: http(w, "GET", "/connectors/%s" % name)[0] == 404, what="%s to be deleted" % name)


def drain(w, topic):
    return [json.loads(m.value()) if m.value() else None for m in harness.confluent_drain(w, topic, timeout=120)]


def read(w, topic, count, timeout=60):
    """The values of `topic` once there are at least `count`."""
    return wait_for(lambda: (lambda got: got if len(got) >= count else None)(drain(w, topic)),
                    timeout=timeout, what="%d records in %s" % (count, topic), interval=0.3)


def status(w, name):
    code, body = http(w, "GET", "/connectors/%s/status" % name)
    assert code == 200, (code, body)
    return body


def failed_trace(w, name):
    """The trace of the connector's failed task."""
    def failed():
        tasks = status(w, name)["tasks"]
        return tasks and tasks[0]["state"] == "FAILED" and tasks[0]
    return wait_for(failed, what="the task of %s to fail" % name)["trace"]


def offsets(w, name):
    return harness.connector_offsets(w, name)["offsets"]


def test_issue_config():
    """the issue's configuration, as it is written, copies users and orders to postgres-users and postgres-orders"""
    s = server()
    with open(os.path.join(ROOT, "etc", "connect-jdbc-source.properties")) as f:
        etc = [line for line in f.read().splitlines(True) if not line.startswith("#")]
    assert "".join(etc) == ISSUE_CONFIG, "".join(etc)
    sql("INSERT INTO users (name, email) VALUES ('ann', 'ann@example.com'), ('bob', NULL);"
        "INSERT INTO orders (user_id, amount, placed, note) VALUES (1, 12.50, '2024-01-15', 'first')")
    # The server listens on a test port: only the port of the URL changes.
    props = os.path.join(harness.tmpdir(), "connect-jdbc-source.properties")
    with open(props, "w") as f:
        f.write(ISSUE_CONFIG.replace("localhost:5432", "localhost:%d" % s.port))
    w = Worker(connector_files=[props]).start()
    users = read(w, "postgres-users", 2)
    assert [u["payload"] for u in users] == [{"id": 1, "name": "ann", "email": "ann@example.com"},
                                             {"id": 2, "name": "bob", "email": None}], users
    schema = users[0]["schema"]
    assert schema["name"] == "users" and schema["type"] == "struct" and not schema["optional"], schema
    assert [(f["field"], f["type"], f["optional"]) for f in schema["fields"]] == [
        ("id", "int32", False), ("name", "string", False), ("email", "string", True)], schema
    order = read(w, "postgres-orders", 1)[0]
    amount = next(f for f in order["schema"]["fields"] if f["field"] == "amount")
    assert amount["name"] == "org.apache.kafka.connect.data.Decimal" and amount["parameters"] == {"scale": "2"}, amount
    placed = next(f for f in order["schema"]["fields"] if f["field"] == "placed")
    assert placed["name"] == "org.apache.kafka.connect.data.Date", placed
    # 12.50 as Decimal(scale 2): unscaled 1250 = 0x04E2; 2024-01-15 is day 19737.
    assert order["payload"] == {"id": 1, "user_id": 1, "amount": "BOI=", "placed": 19737, "note": "first"}, order
    # Rows inserted while it runs arrive, and the offsets are Confluent's.
    sql("INSERT INTO users (name) VALUES ('cy')")
    assert read(w, "postgres-users", 3)[2]["payload"]["name"] == "cy"
    wait_for(lambda: {json.dumps(o["partition"], sort_keys=True): o["offset"] for o in offsets(w, "jdbc-source")}
             .get('{"protocol": "1", "table": "public.users"}') == {"incrementing": 3},
             what="the offset of users to be committed")
    got = {json.dumps(o["partition"], sort_keys=True): o["offset"] for o in offsets(w, "jdbc-source")}
    assert got['{"protocol": "1", "table": "public.orders"}'] == {"incrementing": 1}, got
    w.stop()


def test_modes():
    """bulk, incrementing, timestamp, timestamp+incrementing and query each copy what Confluent's do, live inserts too"""
    server()
    sql("CREATE TABLE events (id serial PRIMARY KEY, kind text, changed timestamp NOT NULL DEFAULT now(),"
        " created timestamptz, modified timestamptz);"
        "INSERT INTO events (kind, changed, modified) VALUES ('a', '2024-01-01 10:00:00', NULL),"
        " ('b', '2024-01-01 10:00:00', '2024-01-02 00:00:00.000001+00'), ('c', '2024-01-01 11:00:00.5', NULL)")
    w = Worker().start()
    create(w, "bulk", config(mode="bulk", table_whitelist="events", topic_prefix="bulk-", poll_interval_ms="500"))
    create(w, "inc", config(mode="incrementing", table_whitelist="events", incrementing_column_name="id",
                            topic_prefix="inc-"))
    create(w, "ts", config(mode="timestamp", table_whitelist="events", timestamp_column_name="changed",
                           topic_prefix="ts-"))
    create(w, "tsinc", config(mode="timestamp+incrementing", table_whitelist="events",
                              timestamp_column_name="modified,changed", incrementing_column_name="id",
                              topic_prefix="tsinc-"))
    create(w, "query", config(mode="incrementing", incrementing_column_name="id", topic_prefix="query-events",
                              query="SELECT id, upper(kind) AS kind FROM events"))
    # bulk: the whole table at every poll.
    bulk = read(w, "bulk-events", 6)
    assert [r["kind"] for r in bulk[:6]] == ["a", "b", "c", "a", "b", "c"], bulk
    assert read(w, "inc-events", 3)[:3] == bulk[:3]
    # timestamp: ordered by the timestamp; a Timestamp is milliseconds.
    ts = read(w, "ts-events", 3)
    assert [r["kind"] for r in ts] == ["a", "b", "c"] and ts[2]["changed"] == 1704106800500, ts
    # timestamp+incrementing: COALESCE(modified, changed), then id.
    assert [r["kind"] for r in read(w, "tsinc-events", 3)] == ["a", "c", "b"]
    assert [r for r in read(w, "query-events", 3)] == [{"id": 1, "kind": "A"}, {"id": 2, "kind": "B"},
                                                       {"id": 3, "kind": "C"}]
    # Live: an insert, and an update that moves the timestamp.
    sql("INSERT INTO events (kind, changed) VALUES ('d', '2024-01-03 00:00:00');"
        "UPDATE events SET kind = 'a2', changed = '2024-01-04 00:00:00' WHERE id = 1")
    assert [r["kind"] for r in read(w, "inc-events", 4)] == ["a", "b", "c", "d"]
    assert [r["kind"] for r in read(w, "ts-events", 5)] == ["a", "b", "c", "d", "a2"]
    assert [r["kind"] for r in read(w, "tsinc-events", 5)] == ["a", "c", "b", "d", "a2"]
    assert read(w, "query-events", 4)[3] == {"id": 4, "kind": "D"}
    time.sleep(1)
    assert len(drain(w, "inc-events")) == 4 and len(drain(w, "ts-events")) == 5, "a row came twice"
    # The offsets, in Confluent's shape.
    ts_off = offsets(w, "ts")[0]
    assert ts_off["partition"] == {"protocol": "1", "table": "public.events"}, ts_off
    assert ts_off["offset"] == {"timestamp": 1704326400000, "timestamp_nanos": 0}, ts_off
    tsinc = offsets(w, "tsinc")[0]["offset"]
    assert tsinc == {"timestamp": 1704326400000, "timestamp_nanos": 0, "incrementing": 1}, tsinc
    assert offsets(w, "query")[0] == {"partition": {"query": "query"}, "offset": {"incrementing": 4}}
    assert offsets(w, "bulk") == [] or all(o["offset"] in (None, {}) for o in offsets(w, "bulk"))
    for name in ("bulk", "inc", "ts", "tsinc", "query"):
        delete(w, name)
    w.stop()
    sql("DROP TABLE events")


harness.main(globals())
