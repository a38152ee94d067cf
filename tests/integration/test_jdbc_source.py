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


def test_types():
    """Confluent's type mapping, numeric.mapping=best_fit and db.timezone, field by field"""
    sql("CREATE TABLE typed (id serial PRIMARY KEY, b boolean, bits bit(4), i2 smallint, i4 integer, i8 bigint,"
        " r real, d double precision, n numeric(10,2), n0 numeric(5,0), t text, j jsonb, u uuid, by bytea,"
        " dt date, tm time, ts timestamp, tz timestamptz, arr int[], iv interval);"
        "INSERT INTO typed (b, bits, i2, i4, i8, r, d, n, n0, t, j, u, by, dt, tm, ts, tz, arr, iv) VALUES"
        " (true, B'1010', -2, 2147483647, 9007199254740993, 1.5, 0.1, 12.50, 123, 'h\u00e9llo', '{\"a\": 1}',"
        " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\xdeadbeef', '2024-01-15', '13:45:30.123',"
        " '2024-01-15 13:45:30.123456', '2024-01-15 13:45:30.5+02', '{1,2}', '1 day')")
    w = Worker().start()
    create(w, "typed", config(mode="bulk", table_whitelist="typed", topic_prefix="typed-", poll_interval_ms="60000",
                              value_converter_schemas_enable="true"))
    create(w, "fit", config(mode="bulk", table_whitelist="typed", topic_prefix="fit-", poll_interval_ms="60000",
                            numeric_mapping="best_fit", db_timezone="Europe/Paris"))
    rec = read(w, "typed-typed", 1)[0]
    fields = {f["field"]: f for f in rec["schema"]["fields"]}
    assert "arr" not in fields and "iv" not in fields, fields
    types = {k: (f["type"], f.get("name")) for k, f in fields.items()}
    assert types == {"id": ("int32", None), "b": ("boolean", None), "bits": ("int8", None), "i2": ("int16", None),
                     "i4": ("int32", None), "i8": ("int64", None), "r": ("float", None), "d": ("double", None),
                     "n": ("bytes", "org.apache.kafka.connect.data.Decimal"),
                     "n0": ("bytes", "org.apache.kafka.connect.data.Decimal"), "t": ("string", None),
                     "j": ("string", None), "u": ("string", None), "by": ("bytes", None),
                     "dt": ("int32", "org.apache.kafka.connect.data.Date"),
                     "tm": ("int32", "org.apache.kafka.connect.data.Time"),
                     "ts": ("int64", "org.apache.kafka.connect.data.Timestamp"),
                     "tz": ("int64", "org.apache.kafka.connect.data.Timestamp")}, types
    assert rec["payload"] == {"id": 1, "b": True, "bits": 10, "i2": -2, "i4": 2147483647, "i8": 9007199254740993,
                              "r": 1.5, "d": 0.1, "n": "BOI=", "n0": "ew==", "t": "h\u00e9llo", "j": '{"a": 1}',
                              "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "by": "3q2+7w==", "dt": 19737,
                              "tm": 49530123, "ts": 1705326330123, "tz": 1705319130500}, rec["payload"]
    fit = read(w, "fit-typed", 1)[0]
    # best_fit: numeric(10,2) a double, numeric(5,0) an int32; Paris is UTC+1 in January.
    assert (fit["n"], fit["n0"]) == (12.5, 123), fit
    assert (fit["ts"], fit["tm"], fit["tz"]) == (1705326330123 - 3600000, 49530123 - 3600000, 1705319130500), fit
    delete(w, "typed")
    delete(w, "fit")
    w.stop()
    sql("DROP TABLE typed")


def test_late_commit():
    """a row committed late, within timestamp.delay.interval.ms, is read; the one committed before it too"""
    s = server()
    sql("CREATE TABLE late (id serial PRIMARY KEY, kind text, changed timestamptz NOT NULL)")
    w = Worker().start()
    create(w, "late", config(mode="timestamp", table_whitelist="late", timestamp_column_name="changed",
                             timestamp_delay_interval_ms="3000", topic_prefix="late-"))
    wait_for(lambda: status(w, "late")["tasks"] and status(w, "late")["tasks"][0]["state"] == "RUNNING",
             what="the task to run")
    # A transaction takes its timestamp, stays open across several polls,
    # and commits after a row with a later timestamp was committed.
    psql = subprocess.Popen(s.psql_command(DB, USER), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    psql.stdin.write(b"BEGIN; INSERT INTO late (kind, changed) VALUES ('late', clock_timestamp());\n")
    psql.stdin.flush()
    # This session's, not another idle one (the connector's own may be).
    wait_for(lambda: s.value("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                             "AND query LIKE '%VALUES (''late''%'") == "1",
             what="the transaction to be open")
    sql("INSERT INTO late (kind, changed) VALUES ('early', clock_timestamp())")
    time.sleep(1)
    psql.stdin.write(b"COMMIT;\n")
    psql.stdin.close()
    assert psql.wait(timeout=30) == 0, psql.stderr.read()
    rows = read(w, "late-late", 2)
    assert [r["kind"] for r in rows] == ["late", "early"], rows
    time.sleep(1)
    assert len(drain(w, "late-late")) == 2
    delete(w, "late")
    w.stop()


def test_kill_resume():
    """kill -9 mid-copy: the restart resumes right after the committed offset; every row arrives, in order"""
    rows = 20000
    sql("CREATE TABLE big (id bigserial PRIMARY KEY, payload text NOT NULL);"
        "INSERT INTO big (payload) SELECT repeat('x', 100) FROM generate_series(1, %d)" % rows)
    props = os.path.join(harness.tmpdir(), "jdbc-big.properties")
    conf = config(mode="incrementing", table_whitelist="big", incrementing_column_name="id", topic_prefix="kill-",
                  batch_max_rows="100")
    with open(props, "w") as f:
        f.write("name=big\n" + "".join("%s=%s\n" % kv for kv in conf.items()))
    w = Worker(connector_files=[props]).start()
    wait_for(lambda: len(harness.confluent_drain(w, "kill-big")) >= 1000, what="the copy to be under way",
             timeout=120, interval=0.2)
    # The kill must come after a commit, or the restart has nothing to
    # resume after (under load the first one can lag the copy).
    wait_for(lambda: harness.connector_offsets(w, "big")["offsets"], what="a committed offset", interval=0.2)
    w.kill()
    sql("INSERT INTO big (payload) SELECT 'after' FROM generate_series(1, 100)")
    w.start()
    line = w.wait_stderr("resuming after incrementing")
    committed = int(line.split("resuming after incrementing ")[1].split(",")[0])
    # Rows repeated after the restart count too: wait for the last one.
    ids = wait_for(lambda: (lambda got: got if got and got[-1] == rows + 100 else None)(
        [r["id"] for r in drain(w, "kill-big")]), timeout=180, what="the last row", interval=0.5)
    assert sorted(set(ids)) == list(range(1, rows + 101)), len(set(ids))
    # 1..k from the first run, then committed+1..end from the restart:
    # nothing after the committed offset is lost, nothing before it repeated.
    # When the restart repeated nothing (the first run's last row was
    # committed: it can finish the copy before the kill lands), the two
    # runs join without a seam.
    k = next((i for i in range(1, len(ids)) if ids[i] != ids[i - 1] + 1), len(ids))
    assert ids[:k] == list(range(1, k + 1)), ids[:10]
    if k < len(ids):
        assert committed <= k and ids[k:] == list(range(committed + 1, rows + 101)), (k, committed, ids[k:k + 5])
    else:
        assert committed <= rows + 100, (k, committed)
    w.stop()
    sql("DROP TABLE big")


def test_hostile_identifiers():
    """a table and a column whose names are SQL are read as names: nothing runs, nothing is dropped"""
    name = 'x"; DROP TABLE users; --'
    sql('CREATE TABLE "x""; DROP TABLE users; --" (id serial PRIMARY KEY, "we""ird; --" text);'
        'INSERT INTO "x""; DROP TABLE users; --" ("we""ird; --") VALUES (\'one\'), (\'two\')')
    w = Worker().start()
    create(w, "hostile", config(mode="incrementing", table_whitelist=name, incrementing_column_name="id",
                                topic_prefix="h-", transforms="route",
                                transforms_route_type="org.apache.kafka.connect.transforms.RegexRouter",
                                transforms_route_regex=".*", transforms_route_replacement="hostile"))
    assert read(w, "hostile", 2) == [{"id": 1, 'we"ird; --': "one"}, {"id": 2, 'we"ird; --': "two"}]
    assert sql("SELECT count(*) FROM users")[0][0] != "", "users is still there"
    off = wait_for(lambda: offsets(w, "hostile"), what="the committed offset")[0]  # commits lag the records
    assert off["partition"] == {"protocol": "1", "table": "public." + name}, off
    delete(w, "hostile")
    # With quote.sql.identifiers=never the catalog's table name is still
    # quoted: never read as SQL.
    create(w, "hostile-never", config(mode="incrementing", table_whitelist=name, incrementing_column_name="id",
                                      topic_prefix="hn-", quote_sql_identifiers="never", transforms="route",
                                      transforms_route_type="org.apache.kafka.connect.transforms.RegexRouter",
                                      transforms_route_regex=".*", transforms_route_replacement="hostile-never"))
    assert read(w, "hostile-never", 2) == [{"id": 1, 'we"ird; --': "one"}, {"id": 2, 'we"ird; --': "two"}]
    assert sql("SELECT count(*) FROM users")[0][0] != "", "users is still there"
    delete(w, "hostile-never")
    w.stop()
    sql('DROP TABLE "x""; DROP TABLE users; --"')


def test_errors():
    """bad credentials, a missing table, a wrong column type, another database's URL: each one clear sentence"""
    s = server()
    sql("CREATE TABLE gone (id serial PRIMARY KEY, v text); CREATE TABLE retyped (id int NOT NULL, v text)")
    w = Worker().start()
    # Refused before anything runs, on the setting to fix.
    code, body = http(w, "POST", "/connectors", {"name": "bad", "config": config(
        mode="incrementing", table_whitelist="gone", connection_password="wrong")})
    assert code == 400 and "cannot log in" in body["message"] and "connection.password" in body["message"], body
    code, body = http(w, "POST", "/connectors", {"name": "bad", "config": config(
        mode="incrementing", table_whitelist="nosuch")})
    assert code == 400 and "table 'nosuch' does not exist" in body["message"], body
    code, body = http(w, "POST", "/connectors", {"name": "bad", "config": config(
        mode="incrementing", table_whitelist="gone", incrementing_column_name="v")})
    assert code == 400 and 'column "v" of table "public"."gone" is text' in body["message"], body
    code, body = http(w, "POST", "/connectors", {"name": "bad", "config": config(
        mode="incrementing", table_whitelist="gone", connection_url="jdbc:mysql://localhost:3306/db")})
    assert code == 400 and "PostgreSQL" in body["message"] and "mysql" in body["message"], body
    code, body = http(w, "POST", "/connectors", {"name": "bad", "config": config(
        mode="incrementing", table_whitelist="retyped", incrementing_column_name="id",
        validate_non_null="true")})
    assert code == 201, body
    # Broken after the connector was created: the task's trace says what.
    s.create_role("eve", "secret")
    s.sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO eve", db=DB)
    create(w, "creds", config(mode="incrementing", table_whitelist="gone", incrementing_column_name="id",
                              connection_user="eve", connection_password="secret", connection_attempts="1"))
    create(w, "gone", config(mode="incrementing", table_whitelist="gone", incrementing_column_name="id"))
    s.sql("ALTER ROLE eve PASSWORD 'changed'")
    sql("DROP TABLE gone; ALTER TABLE retyped ALTER COLUMN id TYPE text")
    for name in ("creds", "gone", "bad"):
        assert http(w, "POST", "/connectors/%s/tasks/0/restart" % name)[0] in (200, 202, 204)
    trace = failed_trace(w, "creds")
    assert 'cannot log in to PostgreSQL at 127.0.0.1:%d as user "eve"' % s.port in trace, trace
    assert "check connection.user and connection.password" in trace, trace
    trace = failed_trace(w, "gone")
    assert 'relation "public.gone" does not exist' in trace, trace
    trace = failed_trace(w, "bad")
    assert 'incrementing.column.name: column "id" of table "public"."retyped" is text' in trace, trace
    for name in ("creds", "gone", "bad"):
        delete(w, name)
    w.stop()
    sql("DROP TABLE retyped")
    s.sql("DROP OWNED BY eve", db=DB)
    s.sql("DROP ROLE eve")


def test_tasks_spread():
    """tasks.max spreads the tables over tasks in contiguous groups; each task copies its own"""
    sql("CREATE SCHEMA spread;" + "".join(
        "CREATE TABLE spread.t%d (id serial PRIMARY KEY); INSERT INTO spread.t%d DEFAULT VALUES;" % (i, i)
        for i in range(1, 6)))
    w = Worker().start()
    create(w, "spread", config(mode="incrementing", table_include_list="spread[.].*",
                               incrementing_column_mapping="spread[.].*:id", topic_prefix="spread-", tasks_max="2"))
    wait_for(lambda: len(status(w, "spread")["tasks"]) == 2
             and all(t["state"] == "RUNNING" for t in status(w, "spread")["tasks"]), what="two running tasks")
    code, tasks = http(w, "GET", "/connectors/spread/tasks")
    assert code == 200, tasks
    assert [t["config"]["tables"] for t in tasks] == ['"spread"."t1","spread"."t2","spread"."t3"',
                                                      '"spread"."t4","spread"."t5"'], tasks
    for i in range(1, 6):
        assert read(w, "spread-t%d" % i, 1) == [{"id": 1}]
    delete(w, "spread")
    w.stop()


def test_new_tables():
    """with one task, tables created while the connector runs are copied after table.poll.interval.ms; dropped ones let go"""
    sql("CREATE SCHEMA fresh")
    w = Worker().start()
    create(w, "fresh", config(mode="incrementing", table_include_list="fresh[.].*",
                              incrementing_column_mapping="fresh[.].*:id", topic_prefix="fresh-",
                              table_poll_interval_ms="300"))
    wait_for(lambda: status(w, "fresh")["tasks"] and status(w, "fresh")["tasks"][0]["state"] == "RUNNING",
             what="the task to run with no table yet")
    sql("CREATE TABLE fresh.a (id serial PRIMARY KEY, v text); INSERT INTO fresh.a (v) VALUES ('one')")
    assert read(w, "fresh-a", 1) == [{"id": 1, "v": "one"}]
    sql("CREATE TABLE fresh.b (id serial PRIMARY KEY); INSERT INTO fresh.b DEFAULT VALUES; DROP TABLE fresh.a")
    assert read(w, "fresh-b", 1) == [{"id": 1}]
    sql("INSERT INTO fresh.b DEFAULT VALUES")
    assert read(w, "fresh-b", 2)[1] == {"id": 2}
    assert status(w, "fresh")["tasks"][0]["state"] == "RUNNING"
    delete(w, "fresh")
    w.stop()


def test_new_table_not_copyable():
    """a new table that cannot be copied (a column it cannot use, no SELECT) is left out with a warning and tried again; the others go on"""
    s = server()
    sql("CREATE SCHEMA later")
    w = Worker().start()
    create(w, "later", config(mode="incrementing", table_include_list="later[.].*",
                              incrementing_column_mapping="later[.].*:id", topic_prefix="later-",
                              table_poll_interval_ms="300"))
    wait_for(lambda: status(w, "later")["tasks"] and status(w, "later")["tasks"][0]["state"] == "RUNNING",
             what="the task to run with no table yet")
    # An incrementing column of text, and a table of another owner the
    # connector's user may not read.
    sql("CREATE TABLE later.textual (id text PRIMARY KEY); INSERT INTO later.textual VALUES ('1')")
    s.sql("CREATE TABLE later.locked (id serial PRIMARY KEY); INSERT INTO later.locked DEFAULT VALUES", db=DB)
    sql("CREATE TABLE later.fine (id serial PRIMARY KEY); INSERT INTO later.fine DEFAULT VALUES")
    assert read(w, "later-fine", 1) == [{"id": 1}]
    line = w.wait_stderr('new table "later"."textual" is not copied')
    assert "WARN" in line and 'column "id" of table "later"."textual" is text' in line, line
    line = w.wait_stderr('new table "later"."locked" is not copied')
    assert 'GRANT SELECT ON "later"."locked" TO "%s"' % USER in line, line
    assert status(w, "later")["tasks"][0]["state"] == "RUNNING"
    # Fixed, each is copied at a later listing.
    sql("ALTER TABLE later.textual ALTER COLUMN id TYPE int USING id::int")
    s.sql("GRANT SELECT ON later.locked TO %s" % USER, db=DB)
    assert read(w, "later-textual", 1) == [{"id": 1}]
    assert read(w, "later-locked", 1) == [{"id": 1}]
    sql("INSERT INTO later.fine DEFAULT VALUES")
    assert read(w, "later-fine", 2)[1] == {"id": 2}
    delete(w, "later")
    w.stop()
    s.sql("DROP SCHEMA later CASCADE", db=DB)


def test_catalog_error_reported():
    """a failed catalog read of the result's columns fails the task saying so, not later queries of an aborted transaction"""
    s = server()
    sql("CREATE TABLE cat_t (id int NOT NULL, v text); INSERT INTO cat_t VALUES (1, 'one')")
    s.create_role("blind", "blind-pw")
    s.sql("GRANT SELECT ON cat_t TO blind", db=DB)
    w = Worker().start()
    # pg_attribute, where NOT NULL is read from, closed to the connector's user.
    s.sql("REVOKE SELECT ON pg_catalog.pg_attribute FROM PUBLIC", db=DB)
    try:
        create(w, "blind", config(mode="bulk", query="SELECT id, v FROM cat_t", topic_prefix="blind",
                                  connection_user="blind", connection_password="blind-pw"))
        trace = failed_trace(w, "blind")
    finally:
        s.sql("GRANT SELECT ON pg_catalog.pg_attribute TO PUBLIC", db=DB)
    assert "reading the columns of query from the catalog failed" in trace, trace
    assert "permission denied for table pg_attribute" in trace, trace
    delete(w, "blind")
    w.stop()
    sql("DROP TABLE cat_t")
    s.sql("DROP ROLE blind")


harness.main(globals())
