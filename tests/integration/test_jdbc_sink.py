"""Confluent's JDBC sink (io.confluent.connect.jdbc.JdbcSinkConnector)
against a real PostgreSQL (pg.py): upsert, insert, update and delete
round trips with the tables auto-created and auto-evolved; fed by a topic
shaped as the JDBC source writes it (no key, the row as a Struct value)
and by the PostgreSQL CDC connector's topic (Debezium's envelope, its
"after" taken with ExtractField$Value); a worker killed with kill -9
mid-stream that leaves, after a restart, the table exactly as produced;
names that are SQL (x"; DROP TABLE users; --) written as names; and the
errors a user meets (bad credentials, a missing table, a wrong column
type) each told in the task's status trace.  Records are produced with
kcat as JsonConverter's envelopes ({"schema": ..., "payload": ...}).
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

SINK = "io.confluent.connect.jdbc.JdbcSinkConnector"
DB = "sinkdb"


def server():
    s = pg.server()
    if s.value("SELECT count(*) FROM pg_database WHERE datname = '%s'" % DB) == "0":
        s.create_database(DB)
    return s


def sql(query):
    return server().sql(query, db=DB)


def config(**overrides):
    """A sink of the test server's database, with `overrides` (keys with '_'
    for '.')."""
    s = server()
    conf = {"connector.class": SINK, "tasks.max": "1",
            "connection.url": "jdbc:postgresql://127.0.0.1:%d/%s" % (s.port, DB),
            "connection.user": pg.SUPERUSER, "connection.password": pg.PASSWORD}
    conf.update({k.replace("_", "."): v for k, v in overrides.items()})
    return conf


def field(fname, type_, optional=False, **extra):
    f = {"field": fname, "type": type_, "optional": optional}
    f.update(extra)
    return f


def envelope(fields, payload, name=None):
    """JsonConverter's form of a Struct with these fields (None: null)."""
    if payload is None:
        return None
    schema = {"type": "struct", "fields": fields, "optional": False}
    if name:
        schema["name"] = name
    return {"schema": schema, "payload": payload}


ID_KEY = [field("id", "int32")]


def produce(w, topic, records):
    """(key, value) pairs, each a JSON-able object or None, to partition 0
    of `topic`, in order, with one kcat run."""
    lines = []
    for key, value in records:
        k = json.dumps(key) if key is not None else ""
        v = json.dumps(value) if value is not None else ""
        lines.append(("%s\t%s" % (k, v)).encode())
    # -Z: an empty key or value is a null (a tombstone), not an empty string.
    harness.run(["kcat", "-b", w.bootstrap, "-m", "30", "-P", "-t", topic, "-p", "0", "-K", "\t", "-Z"],
                input=b"\n".join(lines) + b"\n")


def start(w, name, conf):
    status, body = http(w, "POST", "/connectors", {"name": name, "config": conf})
    assert status == 201, (status, body)


def task(w, name):
    status, body = http(w, "GET", "/connectors/%s/status" % name)
    if status != 200 or not body.get("tasks"):
        return None
    return body["tasks"][0]


def failed_trace(w, name):
    t = wait_for(lambda: (lambda t: t if t and t["state"] == "FAILED" else None)(task(w, name)),
                 what="task of %s to fail" % name, timeout=60)
    return t["trace"]


def rows(table, columns="*", order="1"):
    return sql('SELECT %s FROM %s ORDER BY %s' % (columns, table, order))


def wait_rows(table, expected, columns="*", order="1", timeout=60):
    """Waits until the table's rows (as pg.sql gives them) are `expected`."""
    def check():
        rc, got, _ = server().sql('SELECT %s FROM %s ORDER BY %s' % (columns, table, order), db=DB, check=False)
        return got if rc == 0 and got == expected else None
    try:
        return wait_for(check, timeout=timeout, what="rows of %s" % table, interval=0.3)
    except AssertionError:
        rc, got, err = server().sql('SELECT %s FROM %s ORDER BY %s' % (columns, table, order), db=DB, check=False)
        raise AssertionError("table %s: expected %r, have %r %s" % (table, expected, got, err))


def count(table):
    """The table's rows, 0 while it does not exist."""
    rc, got, _ = server().sql("SELECT count(*) FROM %s" % table, db=DB, check=False)
    return int(got[0][0]) if rc == 0 else 0


def column_types(table):
    return sql("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
               "WHERE table_name = '%s' ORDER BY ordinal_position" % table)


def primary_key(table):
    return [r[0] for r in sql("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                              "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '%s'::regclass AND i.indisprimary "
                              "ORDER BY a.attnum" % table)]


ITEM = [field("id", "int32"), field("name", "string"), field("qty", "int64", True),
        field("price", "bytes", True, name="org.apache.kafka.connect.data.Decimal", parameters={"scale": "2"}),
        field("day", "int32", True, name="org.apache.kafka.connect.data.Date"),
        field("at", "int64", True, name="org.apache.kafka.connect.data.Timestamp"),
        field("ok", "boolean", True), field("tags", "array", True, items={"type": "string", "optional": True})]


def item(i, name, qty=None):
    return envelope(ITEM, {"id": i, "name": name, "qty": qty, "price": "AV4=", "day": 19000,
                           "at": 1529507596945, "ok": True, "tags": ["a", "b\"c"]})


def validate(w, conf):
    """PUT .../config/validate: {setting: [errors]} of the settings with errors."""
    status, body = http(w, "PUT", "/connector-plugins/%s/config/validate" % SINK, conf)
    assert status == 200, (status, body)
    return {c["value"]["name"]: c["value"]["errors"] for c in body["configs"] if c["value"]["errors"]}


def test_example_and_validation():
    """etc/connect-jdbc-sink.properties validates as it is; settings that cannot work together are refused"""
    w = Worker().start()
    path = os.path.join(os.environ.get("TOP_SRCDIR", "."), "etc", "connect-jdbc-sink.properties")
    with open(path) as f:
        conf = dict(line.rstrip("\n").split("=", 1) for line in f if line.strip() and not line.startswith("#"))
    assert validate(w, conf) == {}, validate(w, conf)
    bad = validate(w, dict(conf, **{"pk.mode": "record_value"}))
    assert any("Deletes are only supported for pk.mode record_key" in e for errs in bad.values() for e in errs), bad
    bad = validate(w, dict(conf, **{"connection.url": "jdbc:mysql://localhost/db"}))
    assert any("PostgreSQL" in e for errs in bad.values() for e in errs), bad
    bad = validate(w, dict(conf, **{"insert.mode": "merge"}))
    assert "insert.mode" in bad, bad
    bad = validate(w, dict(conf, **{"db.timezone": "Mars/Olympus"}))
    assert "db.timezone" in bad, bad


def test_upsert_delete_round_trip():
    """upsert by record_key with auto.create: Confluent's column types, updates in place, tombstones delete"""
    w = Worker().start()
    start(w, "sink-upsert", config(topics="items", insert_mode="upsert", pk_mode="record_key",
                                   delete_enabled="true", auto_create="true"))
    key = lambda i: envelope(ID_KEY, {"id": i})  # noqa: E731
    produce(w, "items", [(key(1), item(1, "pen", 2)), (key(2), item(2, "ink")), (key(1), item(1, "pen", 5)),
                         (key(3), item(3, "cap")), (key(2), None), (key(4), item(4, "nib")), (key(4), None),
                         (key(4), item(4, "nib", 7))])
    wait_rows("items", [["1", "pen", "5"], ["3", "cap", None], ["4", "nib", "7"]], columns="id, name, qty")
    assert rows("items", "price, day, at, ok, tags", "id")[0] == \
        ["3.50", "2022-01-08", "2018-06-20 15:13:16.945", "t", '{a,"b\\"c"}'], rows("items")
    assert column_types("items") == [
        ["id", "integer", "NO"], ["name", "text", "NO"], ["qty", "bigint", "YES"], ["price", "numeric", "YES"],
        ["day", "date", "YES"], ["at", "timestamp without time zone", "YES"], ["ok", "boolean", "YES"],
        ["tags", "ARRAY", "YES"]], column_types("items")
    assert primary_key("items") == ["id"]


def test_db_timezone():
    """db.timezone=Europe/Paris: Timestamp, Time (and Date) as Paris wall clocks, timestamptz keeps the instant"""
    w = Worker().start()
    sql("CREATE TABLE clocks (id int PRIMARY KEY, ts timestamp, tstz timestamptz, d date, t time)")
    start(w, "sink-tz", config(topics="clocks", db_timezone="Europe/Paris", insert_mode="upsert",
                               pk_mode="record_value", pk_fields="id"))
    cols = [field("id", "int32"), field("ts", "int64", name="org.apache.kafka.connect.data.Timestamp"),
            field("tstz", "int64", name="org.apache.kafka.connect.data.Timestamp"),
            field("d", "int32", name="org.apache.kafka.connect.data.Date"),
            field("t", "int32", name="org.apache.kafka.connect.data.Time")]
    produce(w, "clocks", [(None, envelope(cols, {"id": 1, "ts": 1529507596945, "tstz": 1529507596945,
                                                 "d": 19000, "t": 45296789}))])
    wait_rows("clocks", [["2018-06-20 17:13:16.945", "2018-06-20 15:13:16.945", "2022-01-08", "13:34:56.789"]],
              columns="ts, tstz AT TIME ZONE 'UTC', d, t")


def test_insert_and_update_modes():
    """insert with pk.mode=kafka (the coordinates as key) and none; update changes only rows that are there"""
    w = Worker().start()
    sql("CREATE TABLE stock (id int PRIMARY KEY, name text NOT NULL, qty bigint)")
    sql("INSERT INTO stock VALUES (1, 'pen', 1), (2, 'ink', 1)")
    start(w, "sink-kafka", config(topics="log", pk_mode="kafka", auto_create="true"))
    start(w, "sink-none", config(topics="log", table_name_format="log_${topic}_all", auto_create="true"))
    start(w, "sink-update", config(topics="stock", insert_mode="update", pk_mode="record_value",
                                   pk_fields="id"))
    value = lambda i, name, qty: envelope([field("id", "int32"), field("name", "string"),  # noqa: E731
                                           field("qty", "int64", True)], {"id": i, "name": name, "qty": qty})
    produce(w, "log", [(None, value(1, "a", 1)), (None, value(1, "a", 1)), (None, value(2, "b", None))])
    produce(w, "stock", [(None, value(1, "pen", 9)), (None, value(3, "cap", 9)), (None, value(2, "ink", 4))])
    wait_rows("log", [["log", "0", "0", "1", "a", "1"], ["log", "0", "1", "1", "a", "1"],
                      ["log", "0", "2", "2", "b", None]], order="3")
    assert primary_key("log") == ["__connect_topic", "__connect_partition", "__connect_offset"]
    wait_rows("log_log_all", [["1", "a", "1"], ["1", "a", "1"], ["2", "b", None]], order="1, 2")
    assert primary_key("log_log_all") == []
    wait_rows("stock", [["1", "pen", "9"], ["2", "ink", "4"]])

    # A view (table.types=VIEW) takes the inserts COPY cannot write.
    sql("CREATE TABLE base (id int, name text, qty bigint); CREATE VIEW viewed AS SELECT * FROM base")
    start(w, "sink-view", config(topics="viewed", table_types="VIEW"))
    produce(w, "viewed", [(None, value(1, "a", 2)), (None, value(2, "b", None))])
    wait_rows("base", [["1", "a", "2"], ["2", "b", None]])


def test_insert_texts_as_written():
    """plain inserts (COPY): tabs, newlines, backslashes, quotes, bytes, arrays and nulls arrive as produced"""
    w = Worker().start()
    start(w, "sink-texts", config(topics="texts", auto_create="true"))
    cols = [field("id", "int32"), field("s", "string", True), field("b", "bytes", True),
            field("a", "array", True, items={"type": "string", "optional": True}),
            field("f", "double", True)]
    odd = 't\tn\nr\rb\\q"\\N'
    produce(w, "texts", [(None, envelope(cols, {"id": 1, "s": odd, "b": "AAEC/w==", "a": ["x,y", "q\"", "b\\", None],
                                                "f": 0.1})),
                         (None, envelope(cols, {"id": 2, "s": "\\N", "b": None, "a": None, "f": None})),
                         (None, envelope(cols, {"id": 3, "s": None, "b": "", "a": [], "f": -1e300}))])
    wait_for(lambda: count("texts") == 3, what="3 rows in texts")
    assert sql("SELECT id FROM texts WHERE s = E't\\tn\\nr\\rb\\\\q\"\\\\N' AND b = '\\x000102ff'::bytea "
               "AND a = ARRAY['x,y', 'q\"', 'b\\', NULL] AND f = 0.1") == [["1"]], rows("texts")
    assert sql("SELECT id FROM texts WHERE s = E'\\\\N' AND b IS NULL AND a IS NULL AND f IS NULL") == [["2"]]
    assert sql("SELECT id FROM texts WHERE s IS NULL AND b = ''::bytea AND a = '{}' AND f = -1e300") == [["3"]]


def test_insert_copy_in_pieces():
    """plain inserts of more than one COPY piece (1 MiB): every row arrives whole"""
    w = Worker().start()
    start(w, "sink-wide", config(topics="wide", auto_create="true"))
    cols = [field("id", "int32"), field("s", "string")]
    produce(w, "wide", [(None, envelope(cols, {"id": i, "s": ("%05d" % i) * 4000})) for i in range(300)])
    wait_for(lambda: count("wide") == 300, what="300 rows in wide")
    assert sql("SELECT count(*) FROM wide WHERE s = repeat(lpad(id::text, 5, '0'), 4000)") == [["300"]]


def test_auto_evolve():
    """a new optional field adds a column; without auto.evolve, or for a required field, a clear error"""
    w = Worker().start()
    start(w, "sink-evolve", config(topics="evolving", insert_mode="upsert", pk_mode="record_value",
                                   pk_fields="id", auto_create="true", auto_evolve="true"))
    v1 = [field("id", "int64"), field("name", "string")]
    v2 = v1 + [field("note", "string", True), field("score", "double", True)]
    produce(w, "evolving", [(None, envelope(v1, {"id": 1, "name": "a"})),
                            (None, envelope(v2, {"id": 2, "name": "b", "note": "n", "score": 0.5})),
                            (None, envelope(v1, {"id": 3, "name": "c"}))])
    wait_rows("evolving", [["1", "a", None, None], ["2", "b", "n", "0.5"], ["3", "c", None, None]])
    assert column_types("evolving")[2:] == [["note", "text", "YES"], ["score", "double precision", "YES"]]

    # A required field cannot be added to rows that are there.
    produce(w, "evolving", [(None, envelope(v1 + [field("must", "int32")], {"id": 4, "name": "d", "must": 1}))])
    trace = failed_trace(w, "sink-evolve")
    assert 'Cannot ALTER TABLE "evolving" to add missing field must' in trace, trace
    assert "offset 3" in trace and "topic 'evolving'" in trace, trace

    # auto.evolve=false: the missing column is named.
    sql("CREATE TABLE fixed (id bigint PRIMARY KEY, name text)")
    start(w, "sink-fixed", config(topics="fixed", insert_mode="upsert", pk_mode="record_value", pk_fields="id"))
    produce(w, "fixed", [(None, envelope(v2, {"id": 1, "name": "a", "note": "x", "score": 1.0}))])
    trace = failed_trace(w, "sink-fixed")
    assert 'Table "fixed" is missing fields ("note", "score") and auto-evolution is disabled' in trace, trace


def test_fed_by_jdbc_source_topic():
    """a topic as the JDBC source writes it (null key, the row as a Struct) upserted by record_value"""
    w = Worker().start()
    # JdbcSourceConnector's records: no key, a value Struct named after the
    # table, the columns with Confluent's types (numeric as Decimal).
    cols = [field("id", "int32"), field("email", "string", True),
            field("balance", "bytes", True, name="org.apache.kafka.connect.data.Decimal",
                  parameters={"scale": "2", "connect.decimal.precision": "10"}),
            field("created", "int64", False, name="org.apache.kafka.connect.data.Timestamp")]
    row = lambda i, email, cents: envelope(cols, {"id": i, "email": email,  # noqa: E731
                                                  "balance": cents, "created": 1700000000000 + i}, name="users")
    start(w, "sink-copy", config(topics="postgres-users", table_name_format="users_copy", insert_mode="upsert",
                                 pk_mode="record_value", pk_fields="id", auto_create="true"))
    produce(w, "postgres-users", [(None, row(1, "a@x", "AV4=")), (None, row(2, None, None)),
                                  (None, row(1, "a@y", "/qI="))])
    wait_rows("users_copy", [["1", "a@y", "-3.50", "2023-11-14 22:13:20.001"],
                             ["2", None, None, "2023-11-14 22:13:20.002"]])
    assert primary_key("users_copy") == ["id"]


def test_fed_by_cdc_topic():
    """the CDC connector's topic, its envelope's "after" (ExtractField$Value), kept equal to the source table"""
    s = server()
    sql("CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, qty int, price numeric(10,2))")
    w = Worker().start()
    cdc = {"connector.class": "io.debezium.connector.postgresql.PostgresConnector", "topic.prefix": "cdc",
           "table.include.list": "public.orders", "slot.name": "jdbcsink", "publication.name": "jdbcsink",
           "decimal.handling.mode": "precise"}
    cdc.update(s.connector_config(dbname=DB))
    start(w, "cdc", cdc)
    start(w, "sink-cdc", config(topics="cdc.public.orders", table_name_format="orders_copy",
                                insert_mode="upsert", pk_mode="record_key", delete_enabled="true",
                                auto_create="true", transforms="after",
                                **{"transforms.after.type": "org.apache.kafka.connect.transforms.ExtractField$Value",
                                   "transforms.after.field": "after"}))
    wait_for(lambda: s.value("SELECT active FROM pg_replication_slots WHERE slot_name = 'jdbcsink'") == "t",
             what="the CDC task to stream")
    sql("INSERT INTO orders VALUES (1, 'pen', 2, 3.50), (2, 'ink', 1, 1.25), (3, 'cap', NULL, NULL)")
    sql("UPDATE orders SET qty = 7 WHERE id = 1")
    sql("DELETE FROM orders WHERE id = 2")
    sql("INSERT INTO orders VALUES (4, 'nib', 4, 0.10)")
    expected = rows("orders")
    wait_rows("orders_copy", expected)
    assert primary_key("orders_copy") == ["id"]


def test_kill9_and_restart():
    """kill -9 mid-stream, restart: the table is exactly what was produced, no duplicates (upsert)"""
    w = Worker().start()
    start(w, "sink-crash", config(topics="crash", insert_mode="upsert", pk_mode="record_key",
                                  auto_create="true", batch_size="500"))
    key = lambda i: envelope(ID_KEY, {"id": i})  # noqa: E731
    val = [field("id", "int32"), field("n", "int64")]
    n = 20000
    # Each key written twice: first n, then n + 1, so a replay of the first
    # write after the second would show.
    produce(w, "crash", [(key(i), envelope(val, {"id": i, "n": i})) for i in range(n)])
    wait_for(lambda: count("crash") > 0, what="the sink to start writing", interval=0.05)
    produce(w, "crash", [(key(i), envelope(val, {"id": i, "n": i + 1})) for i in range(n)])
    w.kill()
    w.start()
    wait_for(lambda: sql("SELECT count(*), sum(n) FROM crash") == [[str(n), str(sum(range(n)) + n)]],
             timeout=120, what="every row with its last value", interval=0.5)
    assert sql("SELECT count(DISTINCT id) FROM crash") == [[str(n)]]


def test_retries_across_a_server_restart():
    """PostgreSQL stopped under the sink: the batch is retried (max.retries) and lands once it is back"""
    s = server()
    w = Worker().start()
    start(w, "sink-retry", config(topics="retry", insert_mode="upsert", pk_mode="record_key", auto_create="true",
                                  max_retries="60", retry_backoff_ms="500", connection_attempts="1"))
    key = lambda i: envelope(ID_KEY, {"id": i})  # noqa: E731
    val = [field("id", "int32"), field("n", "int64")]
    produce(w, "retry", [(key(i), envelope(val, {"id": i, "n": i})) for i in range(100)])
    wait_for(lambda: count("retry") == 100, what="the first rows")
    s.stop()
    produce(w, "retry", [(key(i), envelope(val, {"id": i, "n": i + 1})) for i in range(100, 200)])
    w.wait_stderr("retry 1 of 60 (max.retries)")
    s.start()
    wait_for(lambda: count("retry") == 200, what="the rows written after the restart", timeout=60)
    assert sql("SELECT sum(n) FROM retry") == [[str(sum(range(200)) + 100)]]
    assert task(w, "sink-retry")["state"] == "RUNNING"


HOSTILE = 'x"; DROP TABLE users; --'


def test_hostile_identifiers():
    """a table and a field named x"; DROP TABLE users; -- are a table and a column of that name"""
    sql("CREATE TABLE users (id int)")
    w = Worker().start()
    start(w, "sink-hostile", config(topics="hostile", table_name_format=HOSTILE, insert_mode="upsert",
                                    pk_mode="record_value", pk_fields=HOSTILE, auto_create="true",
                                    auto_evolve="true"))
    cols = [field(HOSTILE, "string"), field("v'); DROP TABLE users; --", "string", True)]
    produce(w, "hostile", [(None, envelope(cols, {HOSTILE: "k'; DROP TABLE users; --",
                                                  "v'); DROP TABLE users; --": "$1"}))])
    quoted = '"%s"' % HOSTILE.replace('"', '""')
    wait_rows(quoted, [["k'; DROP TABLE users; --", "$1"]])
    assert sql("SELECT count(*) FROM users") == [["0"]]
    assert primary_key(quoted.replace("'", "''")) == [HOSTILE]


def test_errors_in_status():
    """bad credentials, a missing table without auto.create, a wrong column type: each a clear trace"""
    w = Worker().start()
    start(w, "sink-badpw", config(topics="e1", connection_password="wrong"))
    trace = failed_trace(w, "sink-badpw")
    assert "cannot log in to PostgreSQL" in trace and "connection.user and connection.password" in trace, trace

    start(w, "sink-missing", config(topics="nosuch"))
    produce(w, "nosuch", [(None, envelope([field("id", "int32")], {"id": 1}))])
    trace = failed_trace(w, "sink-missing")
    assert 'Table "nosuch" is missing and auto-creation is disabled' in trace, trace
    assert "topic 'nosuch', partition 0, offset 0" in trace, trace

    sql("CREATE TABLE typed (id int PRIMARY KEY, qty int)")
    start(w, "sink-typed", config(topics="typed"))
    value = lambda i, qty: envelope([field("id", "int32"), field("qty", "string")], {"id": i, "qty": qty})  # noqa
    produce(w, "typed", [(None, value(1, "1")), (None, value(2, "two")), (None, value(3, "3"))])
    trace = failed_trace(w, "sink-typed")
    assert "topic 'typed', partition 0, offset 1" in trace, trace
    assert 'invalid input syntax for type integer: "two"' in trace, trace
    # Nothing of the batch is committed.
    assert sql("SELECT count(*) FROM typed") == [["0"]]

    # errors.tolerance=all: the refused record is rejected, the others written.
    sql("CREATE TABLE typed2 (id int PRIMARY KEY, qty int)")
    start(w, "sink-tolerant", config(topics="typed2", errors_tolerance="all", errors_log_enable="true"))
    produce(w, "typed2", [(None, value(1, "1")), (None, value(2, "two")), (None, value(3, "3"))])
    wait_rows("typed2", [["1", "1"], ["3", "3"]])


if __name__ == "__main__":
    harness.main(globals())
