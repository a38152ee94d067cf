"""The PostgreSQL source's initial snapshot against a real PostgreSQL
(pg.py): read events equal, field for field, to the stream's events of
the same rows for every mapped type; changes made while the snapshot runs
come exactly once after it; each snapshot.mode; kill -9 in the middle of a
1,000,000-row snapshot resumes where the committed offset says, with the
progress in the task's status and /metrics meanwhile; a table the user
may not read, a table dropped during the snapshot, and no free slot.
"""

import json
import os
import re
import subprocess
import sys
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg  # noqa: E402
from harness import Worker, connector_offsets, http, wait_for  # noqa: E402

PLUGIN = "io.debezium.connector.postgresql.PostgresConnector"
DB = "snap"

_worker = (None, None)


def server():
    s = pg.server()
    if s.value("SELECT count(*) FROM pg_database WHERE datname = '%s'" % DB) == "0":
        s.create_database(DB)
    return s


def worker():
    """The current test's worker, started on first use (the harness stops
    it when the test ends, and shows its stderr if the test failed)."""
    global _worker
    if _worker[0] is not harness._current:
        _worker = (harness._current, Worker().start())
    return _worker[1]


def config(**overrides):
    """A connector of the test server's DB database (keys with '_' for '.')."""
    conf = {"connector.class": PLUGIN, "status.update.interval.ms": "300"}
    conf.update(server().connector_config(dbname=DB))
    conf.update({k.replace("_", "."): v for k, v in overrides.items()})
    return conf


def create(name, **overrides):
    status, body = http(worker(), "POST", "/connectors", {"name": name, "config": config(**overrides)})
    assert status == 201, (status, body)


def delete(name, slot=None):
    """Deletes the connector, then its slot once the task let it go."""
    assert http(worker(), "DELETE", "/connectors/" + name)[0] in (200, 204)
    if slot:
        wait_for(lambda: server().value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '%s' AND "
                                        "active" % slot, db=DB) == "0", what="slot %s to be released" % slot)
        server().sql("SELECT pg_drop_replication_slot('%s')" % slot, db=DB)


def task_status(name):
    status, body = http(worker(), "GET", "/connectors/%s/status" % name)
    return body["tasks"][0] if status == 200 and body.get("tasks") else None


def wait_task(name, state):
    return wait_for(lambda: (lambda t: t if t and t["state"] == state else None)(task_status(name)),
                    what="task of %s to be %s" % (name, state))


def drain(topic, fmt=None):
    """Every record of `topic` so far: (key, value) parsed as JSON (None for
    a null), or with `fmt` kcat's -f lines."""
    args = ["kcat", "-b", worker().bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q"]
    res = harness.run(args + (["-f", fmt] if fmt else ["-J"]), timeout=300, check=False)
    if res.returncode != 0:
        return []
    lines = res.stdout.decode().splitlines()
    if fmt:
        return lines
    out = []
    for line in lines:
        m = json.loads(line)
        out.append(tuple(json.loads(m[f]) if m[f] else None for f in ("key", "payload")))
    return out


def read(topic, count, timeout=120):
    return wait_for(lambda: (lambda got: got if len(got) >= count else None)(drain(topic)), timeout=timeout,
                    what="%d records in %s" % (count, topic), interval=0.3)


def slot_exists(name):
    return server().value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '%s'" % name, db=DB) == "1"


def slot_lsn(name):
    """The slot's confirmed_flush_lsn as a number."""
    hi, lo = server().value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '%s'" % name,
                            db=DB).split("/")
    return (int(hi, 16) << 32) + int(lo, 16)


def metrics():
    with urllib.request.urlopen(worker().rest + "/metrics", timeout=30) as resp:
        return resp.read().decode()


def metric(text, name, connector):
    """The value of connectd_plugin_<name>{connector=...} in a scrape, or None."""
    m = re.search(r'^connectd_plugin_%s\{connector="%s",task="0"\} (\S+)$' % (name, re.escape(connector)), text,
                  re.M)
    return float(m.group(1)) if m else None


def op(rec):
    return rec[1]["payload"]["op"] if rec[1] else None


TYPES = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE public.types (
  id int PRIMARY KEY, i2 smallint, i8 bigint NOT NULL, n numeric(10,2), nv numeric, f4 real, f8 double precision,
  b boolean, t text, vc varchar(20), c char(5), ba bytea, d date, tm time, tm3 time(3), ttz timetz,
  ts timestamp, ts3 timestamp(3), tstz timestamptz, iv interval, u uuid, j json, jb jsonb,
  ia int[], ta text[], m mood, ma mood[], dm posint, ip inet, cn cidr, mac macaddr, bt bit(3), vb varbit(8),
  x xml, tsv tsvector, mo money, r int4range, ch "char", nm name, o oid, tsa timestamptz[], na numeric[],
  g int GENERATED ALWAYS AS (id * 2) STORED)
"""

ROWS = """
INSERT INTO public.types (id, i2, i8, n, nv, f4, f8, b, t, vc, c, ba, d, tm, tm3, ttz, ts, ts3, tstz, iv, u, j, jb,
  ia, ta, m, ma, dm, ip, cn, mac, bt, vb, x, tsv, mo, r, ch, nm, o, tsa, na) VALUES
 (1, -32768, 9223372036854775807, 12345678.90, 3.14159265358979323846, 1.5e-7, -2.2250738585072014e-308, true,
  'caf\u00e9 \u263a "q" \\ back', 'varchar', 'ab', '\\xdeadbeef00', '2024-02-29', '23:59:59.999999', '12:34:56.789',
  '10:00:00+05:30', '1999-12-31 23:59:59.123456', '2000-01-01 00:00:00.5', '2018-06-20 15:13:16.945104+02',
  '1 year 2 mons 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2]}', '{"b": 1, "a": 2}',
  '{1,NULL,3}', '{"x,y","",NULL}', 'happy', '{sad,ok}', 7, '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
  B'101', B'1100', '<a>1</a>', 'fat cat:2', 12.34, '[1,5)', 'z', 'a name', 4294967295,
  '{"2020-01-01 00:00:00+00","1970-01-01 00:00:00.000001+00"}', '{1.5,-2,NULL}'),
 (2, 0, 0, -0.01, -0.5, 'Infinity', 'NaN', false, '', '', '', '', '0001-01-01', '00:00:00', '00:00:00', '00:00:00+00',
  '1970-01-01 00:00:00', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', '-1 days -00:00:01', NULL, 'null',
  '[]', '{}', '{}', 'sad', '{}', 1, '::1', '::/0', '00:00:00:00:00:00', B'000', B'', '<r/>', '', -1.00, 'empty',
  ' ', '', 0, '{}', '{}'),
 (3, NULL, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL)
"""


def test_read_events_equal_stream_events():
    """every mapped type: a snapshot's read event is the stream's insert event of the same row, field for field"""
    s = server()
    s.sql(TYPES, db=DB)
    # The stream's events first (no_data: no snapshot), then a second
    # connector with the same topic.prefix reads the same rows in its
    # snapshot: both land in one topic, under the same schema names.
    create("types-stream", topic_prefix="ty", table_include_list="public.types", snapshot_mode="no_data",
           slot_name="types_stream", publication_name="types_pub")
    wait_for(lambda: s.value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'types_stream' AND active",
                             db=DB) == "1", what="the stream")
    s.sql(ROWS, db=DB)
    read("ty.public.types", 3)
    create("types-snap", topic_prefix="ty", table_include_list="public.types", slot_name="types_snap",
           publication_name="types_pub")
    recs = read("ty.public.types", 6)
    assert [op(r) for r in recs] == ["c", "c", "c", "r", "r", "r"], [op(r) for r in recs]
    for c, r in zip(recs[:3], recs[3:]):
        assert c[0] == r[0], (c[0], r[0])  # key: schema and payload
        assert c[1]["schema"] == r[1]["schema"], (c[1]["schema"], r[1]["schema"])
        cp, rp = c[1]["payload"], r[1]["payload"]
        assert rp["after"] == cp["after"] and rp["before"] is None and cp["before"] is None, (cp, rp)
        for field in ("version", "connector", "name", "db", "schema", "table"):
            assert cp["source"][field] == rp["source"][field], field
        assert cp["source"]["snapshot"] == "false"
    after = recs[3][1]["payload"]["after"]
    assert after["id"] == 1 and after["t"] == 'caf\u00e9 \u263a "q" \\ back' and after["ia"] == [1, None, 3], after
    assert "g" not in after, "a generated column is not in pgoutput's rows"
    assert [r[1]["payload"]["source"]["snapshot"] for r in recs[3:]] == ["first", "true", "last"]
    src = recs[3][1]["payload"]["source"]
    assert src["sequence"] == '[null,"%d"]' % src["lsn"], src
    # The snapshot's offset: Debezium's keys and the resume position.
    off = connector_offsets(worker(), "types-snap")["offsets"][0]["offset"]
    assert off["snapshot"] is True and off["last_snapshot_record"] is True, off
    assert off["lsn_proc"] == off["lsn"] == src["lsn"] and off["snapshot_last_key"] == '["3"]', off
    assert (off["snapshot_schema"], off["snapshot_table"], off["snapshot_table_index"]) == ("public", "types", 1)
    delete("types-stream", "types_stream")
    delete("types-snap", "types_snap")
    s.sql("DROP TABLE public.types; DROP TYPE mood; DROP DOMAIN posint; DROP PUBLICATION types_pub", db=DB)


class Session:
    """A psql session of its own, fed statements one at a time (to hold a
    lock while the test looks elsewhere)."""

    def __init__(self):
        self.proc = subprocess.Popen(server().psql_command(DB) + ["-A", "-t"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def send(self, sql):
        self.proc.stdin.write((sql + "\n").encode())
        self.proc.stdin.flush()

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(60) == 0, self.proc.stderr.read().decode()


def test_changes_during_snapshot_exactly_once():
    """rows inserted, updated and deleted while the snapshot runs come exactly once, after it: no gap, no overlap"""
    s = server()
    s.sql("CREATE TABLE public.a_fill (id int PRIMARY KEY, v text);"
          "INSERT INTO public.a_fill SELECT g, 'f' FROM generate_series(1, 5000) g;"
          "CREATE TABLE public.b_orders (id int PRIMARY KEY, v text);"
          "INSERT INTO public.b_orders SELECT g, 'orig' FROM generate_series(1, 1000) g", db=DB)
    create("gap", topic_prefix="gap", table_include_list="public.a_fill,public.b_orders", slot_name="gap_slot",
           publication_name="gap_pub", snapshot_fetch_size="50", max_batch_size="50", skipped_operations="none")
    # Once the slot (and its snapshot) exists, lock b_orders before the
    # snapshot reaches it (a_fill comes first) and change it in that
    # transaction, committed only once the snapshot waits for the lock:
    # the changes are certainly made while the snapshot runs.
    wait_for(lambda: slot_exists("gap_slot"), what="the slot")
    lock = Session()
    lock.send("BEGIN; LOCK TABLE public.b_orders IN ACCESS EXCLUSIVE MODE;")
    lock.send("INSERT INTO public.b_orders SELECT g, 'new' FROM generate_series(1001, 1050) g;")
    lock.send("UPDATE public.b_orders SET v = 'upd' WHERE id <= 50;")
    lock.send("DELETE FROM public.b_orders WHERE id BETWEEN 101 AND 150;")
    wait_for(lambda: s.value("SELECT count(*) FROM pg_locks WHERE relation = 'public.b_orders'::regclass AND NOT "
                             "granted", db=DB) != "0", what="the snapshot to wait for b_orders")
    lock.send("COMMIT;")
    lock.close()
    # And once more after the snapshot read the table, in a transaction of its own.
    s.sql("UPDATE public.b_orders SET v = 'late' WHERE id = 1000", db=DB)
    recs = read("gap.public.b_orders", 1000 + 50 + 50 + 100 + 1)
    ops = [op(r) for r in recs]
    ids = [(r[0] or {}).get("payload", {}).get("id") for r in recs]
    reads = [(i, r[1]["payload"]["after"]["v"]) for i, r in zip(ids, recs) if op(r) == "r"]
    assert reads == [(i, "orig") for i in range(1, 1001)], reads[:5]
    assert ops.index("r") == 0 and len(ops) - ops[::-1].index("r") == 1000, "the snapshot's reads come first"
    rest = list(zip(ops[1000:], ids[1000:]))
    assert sorted(i for o, i in rest if o == "c") == list(range(1001, 1051)), rest
    assert sorted(i for o, i in rest if o == "u") == list(range(1, 51)) + [1000], rest
    assert sorted(i for o, i in rest if o == "d") == list(range(101, 151)), rest
    assert sorted(i for o, i in rest if o is None) == list(range(101, 151)), "a tombstone after each delete"
    assert len(rest) == 50 + 51 + 50 + 50, len(rest)
    markers = [r[1]["payload"]["source"]["snapshot"] for r in recs[:1000]]
    assert markers[0] == "first_in_data_collection" and markers[-1] == "last" and set(markers[1:-1]) == {"true"}
    fill = [r[1]["payload"]["source"]["snapshot"] for r in read("gap.public.a_fill", 5000)]
    assert fill[0] == "first" and fill[-1] == "last_in_data_collection" and set(fill[1:-1]) == {"true"}, fill[:2]
    # The slot moves on once what follows the snapshot is committed; a
    # restart of an initial connector whose snapshot completed does not
    # take another.
    off = wait_for(lambda: (lambda o: o if "snapshot" not in o else None)(
        connector_offsets(worker(), "gap")["offsets"][0]["offset"]), what="the stream's offset to be committed")
    wait_for(lambda: slot_lsn("gap_slot") >= off["lsn_proc"] > recs[0][1]["payload"]["source"]["lsn"],
             what="the slot to confirm the stream's offset")
    assert http(worker(), "POST", "/connectors/gap/restart?includeTasks=true")[0] in (202, 204)
    s.sql("INSERT INTO public.b_orders VALUES (2000, 'after restart')", db=DB)
    recs = wait_for(lambda: (lambda got: got if got and got[-1][0]["payload"]["id"] == 2000 else None)(
        drain("gap.public.b_orders")), what="the insert after the restart")
    assert [op(r) for r in recs].count("r") == 1000, "no second snapshot"
    delete("gap", "gap_slot")
    s.sql("DROP TABLE public.a_fill, public.b_orders; DROP PUBLICATION gap_pub", db=DB)


def mode_table(name, rows=3):
    server().sql("CREATE TABLE public.%s (id int PRIMARY KEY, v text);"
                 "INSERT INTO public.%s SELECT g, 'v' || g FROM generate_series(1, %d) g" % (name, name, rows), db=DB)


def ids_ops(topic):
    return [(r[0]["payload"]["id"], op(r)) for r in drain(topic) if r[1]]


def until_ops(topic, want):
    seen = []

    def check():
        seen[:] = ids_ops(topic)
        return seen == want

    try:
        wait_for(check, what="%s to hold %s" % (topic, want))
    except AssertionError as e:
        raise AssertionError("%s; it holds %s" % (e, seen))


def test_snapshot_modes():
    """never (no_data), initial_only, always and when_needed do what Debezium's snapshot.mode says"""
    s = server()
    # never, the old name of no_data: no reads, changes only.
    mode_table("m_never")
    create("m-never", topic_prefix="mn", table_include_list="public.m_never", snapshot_mode="never",
           slot_name="m_never", publication_name="m_pub", publication_autocreate_mode="all_tables")
    wait_for(lambda: slot_exists("m_never"), what="the slot")
    wait_task("m-never", "RUNNING")
    s.sql("INSERT INTO public.m_never VALUES (4, 'v4')", db=DB)
    until_ops("mn.public.m_never", [(4, "c")])

    # initial_only: reads, and neither slot nor stream; the task idles.
    mode_table("m_only")
    create("m-only", topic_prefix="mo", table_include_list="public.m_only", snapshot_mode="initial_only",
           slot_name="m_only", publication_name="m_pub")
    until_ops("mo.public.m_only", [(1, "r"), (2, "r"), (3, "r")])
    worker().wait_stderr("[m-only-0] snapshot.mode is initial_only: the snapshot is complete and changes are not "
                         "streamed")
    assert task_status("m-only")["state"] == "RUNNING"
    assert not slot_exists("m_only"), "initial_only makes no slot"

    # always: a snapshot at every start, then the stream.
    mode_table("m_always")
    create("m-always", topic_prefix="ma", table_include_list="public.m_always", snapshot_mode="always",
           slot_name="m_always", publication_name="m_pub")
    until_ops("ma.public.m_always", [(1, "r"), (2, "r"), (3, "r")])
    wait_for(lambda: s.value("SELECT active FROM pg_replication_slots WHERE slot_name = 'm_always'", db=DB) == "t",
             what="the stream")
    s.sql("INSERT INTO public.m_always VALUES (4, 'v4')", db=DB)
    until_ops("ma.public.m_always", [(1, "r"), (2, "r"), (3, "r"), (4, "c")])
    wait_for(lambda: "snapshot" not in connector_offsets(worker(), "m-always")["offsets"][0]["offset"],
             what="the stream's offset to be committed")
    assert http(worker(), "POST", "/connectors/m-always/restart?includeTasks=true")[0] in (202, 204)
    s.sql("INSERT INTO public.m_always VALUES (5, 'v5')", db=DB)
    got = wait_for(lambda: (lambda g: g if (5, "c") in g and g.count((4, "r")) else None)(
        ids_ops("ma.public.m_always")), what="the second snapshot and the stream after it")
    assert got[:4] == [(1, "r"), (2, "r"), (3, "r"), (4, "c")], got
    second = got[4:]
    assert [x for x in second if x[1] == "r"][:4] == [(1, "r"), (2, "r"), (3, "r"), (4, "r")], second
    assert second.count((5, "c")) == 1, second

    # when_needed: a snapshot again once the changes after the offset are
    # lost (the slot confirmed past it while the connector was stopped).
    mode_table("m_needed")
    create("m-needed", topic_prefix="mw", table_include_list="public.m_needed", snapshot_mode="when_needed",
           slot_name="m_needed", publication_name="m_pub")
    until_ops("mw.public.m_needed", [(1, "r"), (2, "r"), (3, "r")])
    wait_for(lambda: connector_offsets(worker(), "m-needed")["offsets"][0]["offset"].get("last_snapshot_record"),
             what="the snapshot's offset to be committed")
    assert http(worker(), "PUT", "/connectors/m-needed/stop")[0] in (202, 204)
    wait_task("m-needed", "STOPPED") if task_status("m-needed") else None
    wait_for(lambda: s.value("SELECT active FROM pg_replication_slots WHERE slot_name = 'm_needed'", db=DB) == "f",
             what="the slot to be released")
    # (Flushed at commit: a slot is not advanced past the flushed WAL.)
    s.sql("SET synchronous_commit = on; INSERT INTO public.m_needed VALUES (4, 'v4')", db=DB)
    s.sql("SELECT pg_replication_slot_advance('m_needed', pg_current_wal_lsn())", db=DB)
    assert http(worker(), "PUT", "/connectors/m-needed/resume")[0] in (202, 204)
    until_ops("mw.public.m_needed", [(1, "r"), (2, "r"), (3, "r"), (1, "r"), (2, "r"), (3, "r"), (4, "r")])
    worker().wait_stderr("[m-needed-0] snapshot.mode when_needed: the changes after the committed offset are no "
                         "longer in the replication slot")

    for name, slot in (("m-never", "m_never"), ("m-only", None), ("m-always", "m_always"), ("m-needed", "m_needed")):
        delete(name, slot)
    s.sql("DROP TABLE public.m_never, public.m_only, public.m_always, public.m_needed; DROP PUBLICATION m_pub", db=DB)


BIG = 1000000


def test_kill_resume_million_rows():
    """kill -9 in a 1,000,000-row snapshot: the restart resumes after the committed key, every row arrives, progress shows"""
    s = server()
    s.sql("CREATE TABLE public.big (id int PRIMARY KEY, v bytea);"
          "INSERT INTO public.big SELECT g, convert_to('row-' || g, 'UTF8') FROM generate_series(1, %d) g;"
          "ANALYZE public.big" % BIG, db=DB)
    # A million records through the converters dominate the test's time, so
    # each record is cut down to its key {"id": n} and the row's bytes (the
    # worker's transforms); what the snapshot reads and resumes is the same.
    create("big", topic_prefix="big", table_include_list="public.big", slot_name="big_slot",
           publication_name="big_pub", key_converter="org.apache.kafka.connect.json.JsonConverter",
           key_converter_schemas_enable="false",
           value_converter="org.apache.kafka.connect.converters.ByteArrayConverter",
           transforms="after,v", transforms_after_type="org.apache.kafka.connect.transforms.ExtractField$Value",
           transforms_after_field="after", transforms_v_type="org.apache.kafka.connect.transforms.ExtractField$Value",
           transforms_v_field="v")
    # Progress, while it runs, in the status and /metrics.
    progress = wait_for(lambda: (lambda t: t.get("progress") if t and re.search(r", [1-9]\d* of", t.get("progress") or "")
                                 else None)(task_status("big")), what="the snapshot's progress")
    assert re.fullmatch(r"snapshot: table 1 of 1 \(public\.big\), \d+ of ~\d+ rows", progress), progress
    text = metrics()
    assert metric(text, "snapshot_running", "big") == 1 and metric(text, "snapshot_completed", "big") == 0, text
    assert metric(text, "snapshot_tables_total", "big") == 1 and metric(text, "snapshot_tables_remaining", "big") == 1
    assert metric(text, "snapshot_rows_scanned_total", "big") > 0
    assert abs(metric(text, "snapshot_rows_estimated", "big") - BIG) < BIG / 10, text
    # kill -9 once an offset in the middle of the table is committed.
    committed = wait_for(lambda: (lambda o: o if o.get("snapshot_table_rows", 0) >= 100000 else None)(
        (connector_offsets(worker(), "big")["offsets"] or [{"offset": {}}])[0]["offset"]), timeout=120,
        what="an offset in the middle of the snapshot")
    assert committed["snapshot"] is True and committed["last_snapshot_record"] is False, committed
    worker().kill()
    worker().start()
    line = worker().wait_stderr("[big-0] resuming the snapshot at table public.big")
    resumed = int(re.search(r"after (\d+) of its rows", line).group(1))
    assert resumed >= committed["snapshot_table_rows"], (line, committed)
    # A bound, not a measure: a sanitizer build on a loaded 2-core machine
    # reads some 4,000 rows a second.
    worker().wait_stderr("[big-0] snapshot complete", timeout=900)

    def last_id():
        res = harness.run(["kcat", "-b", worker().bootstrap, "-C", "-t", "big.public.big", "-o", "-1", "-e", "-q",
                           "-f", "%k\\n"], check=False)
        return res.returncode == 0 and res.stdout and json.loads(res.stdout.decode().split("\n")[0])["id"]
    wait_for(lambda: last_id() == BIG, timeout=120, what="the last row in the topic")
    ids = []
    for line in drain("big.public.big", "%k %s\\n"):
        key, value = line.split(" ", 1)
        n = json.loads(key)["id"]
        assert value == "row-%d" % n, line
        ids.append(n)
    # Topic order: 1..k from the first run, then resumed+1..BIG from the
    # second (k >= resumed): every row, and duplicates only of the rows
    # after the committed key.
    k = len(ids) - (BIG - resumed)
    assert k >= resumed, (k, resumed)
    assert ids[:k] == list(range(1, k + 1)), ids[:5]
    assert ids[k:] == list(range(resumed + 1, BIG + 1)), (ids[k:k + 3], resumed)
    # Then the progress line is gone and the metrics say complete.
    wait_for(lambda: "progress" not in task_status("big"), what="the progress line to clear")
    text = metrics()
    assert metric(text, "snapshot_running", "big") == 0 and metric(text, "snapshot_completed", "big") == 1, text
    assert metric(text, "snapshot_tables_remaining", "big") == 0
    assert metric(text, "snapshot_rows_scanned_total", "big") == BIG - resumed
    delete("big", "big_slot")
    s.sql("DROP TABLE public.big; DROP PUBLICATION big_pub", db=DB)


def resume_at(name, slot, last_key, key_columns=None, **overrides):
    """Creates connector `name` stopped, with a committed offset in the
    middle of its snapshot of public.<name> (the slot's position, 2 rows
    read, `last_key` and, unless None, `key_columns` as the offset has them),
    then resumes it."""
    lsn = slot_lsn(slot)
    offset = {"snapshot": True, "last_snapshot_record": False, "lsn": lsn, "lsn_proc": lsn, "txId": 1,
              "ts_usec": 1767000000000000, "snapshot_schema": "public", "snapshot_table": name,
              "snapshot_table_index": 1, "snapshot_last_key": json.dumps(last_key), "snapshot_table_rows": 2}
    if key_columns is not None:
        offset["snapshot_key_columns"] = json.dumps(key_columns)
    body = {"name": name, "initial_state": "STOPPED",
            "config": config(topic_prefix=name, table_include_list="public." + name, slot_name=slot,
                             publication_name=name + "_pub", **overrides)}
    status, res = http(worker(), "POST", "/connectors", body)
    assert status == 201, (status, res)
    status, res = http(worker(), "PATCH", "/connectors/%s/offsets" % name,
                       {"offsets": [{"partition": {"server": name}, "offset": offset}]})
    assert status == 200, (status, res)
    assert http(worker(), "PUT", "/connectors/%s/resume" % name)[0] == 202


def test_resume_key_of_another_type():
    """a committed last key the key column's type no longer reads restarts that table from its start, with a warning"""
    s = server()
    s.sql("CREATE TABLE public.kty (id int PRIMARY KEY, v text);"
          "INSERT INTO public.kty SELECT g, 'v' || g FROM generate_series(1, 5) g;"
          "CREATE PUBLICATION kty_pub FOR TABLE public.kty", db=DB)
    s.sql("SELECT pg_create_logical_replication_slot('kty_slot', 'pgoutput')", db=DB)
    # The offset was written while id was text.
    resume_at("kty", "kty_slot", ["k-0002"])
    line = worker().wait_stderr("[kty-0] the committed snapshot offset's last key does not fit the key of table "
                                "public.kty")
    assert "WARN" in line and "invalid input syntax for type integer" in line, line
    worker().wait_stderr("[kty-0] snapshot complete")
    recs = read("kty.public.kty", 5)
    assert sorted(r[0]["payload"]["id"] for r in recs) == [1, 2, 3, 4, 5], recs
    assert {op(r) for r in recs} == {"r"}
    assert task_status("kty")["state"] == "RUNNING"
    delete("kty", "kty_slot")
    s.sql("DROP TABLE public.kty; DROP PUBLICATION kty_pub", db=DB)


def test_resume_key_columns_changed():
    """a committed last key of other key columns (as many) restarts that table from its start, with a warning"""
    s = server()
    s.sql("CREATE TABLE public.kcol (a int PRIMARY KEY, b int NOT NULL);"
          "INSERT INTO public.kcol SELECT g, 10 - g FROM generate_series(1, 5) g;"
          "CREATE PUBLICATION kcol_pub FOR TABLE public.kcol", db=DB)
    s.sql("SELECT pg_create_logical_replication_slot('kcol_slot', 'pgoutput')", db=DB)
    # The offset was written while b was the key; applied to a, it would
    # skip the rows with a <= 3.
    resume_at("kcol", "kcol_slot", ["3"], ["b"])
    line = worker().wait_stderr("[kcol-0] table public.kcol has another key than the committed offset's")
    assert "WARN" in line and '["a"]' in line, line
    worker().wait_stderr("[kcol-0] snapshot complete")
    recs = read("kcol.public.kcol", 5)
    assert sorted(r[0]["payload"]["a"] for r in recs) == [1, 2, 3, 4, 5], recs
    # The offsets say which columns the key is of.
    offset = connector_offsets(worker(), "kcol")["offsets"][0]["offset"]
    assert offset["snapshot_key_columns"] == '["a"]', offset
    delete("kcol", "kcol_slot")
    s.sql("DROP TABLE public.kcol; DROP PUBLICATION kcol_pub", db=DB)


def test_resume_offset_without_key_columns():
    """an offset written before the key's column names were kept still resumes after its key"""
    s = server()
    s.sql("CREATE TABLE public.kold (a int PRIMARY KEY);"
          "INSERT INTO public.kold SELECT g FROM generate_series(1, 5) g;"
          "CREATE PUBLICATION kold_pub FOR TABLE public.kold", db=DB)
    s.sql("SELECT pg_create_logical_replication_slot('kold_slot', 'pgoutput')", db=DB)
    resume_at("kold", "kold_slot", ["3"])
    worker().wait_stderr("[kold-0] snapshot complete")
    recs = read("kold.public.kold", 2)
    assert sorted(r[0]["payload"]["a"] for r in recs) == [4, 5], recs
    delete("kold", "kold_slot")
    s.sql("DROP TABLE public.kold; DROP PUBLICATION kold_pub", db=DB)


def test_permission_denied():
    """a table the user may not SELECT fails the task, naming the table and the GRANT, before a slot is made"""
    s = server()
    s.sql("CREATE TABLE public.secret (id int PRIMARY KEY); CREATE PUBLICATION secret_pub FOR TABLE public.secret",
          db=DB)
    s.create_role("snapper", "snap-pw", replication=True)
    conf = dict(topic_prefix="sec", table_include_list="public.secret", slot_name="secret_slot",
                publication_name="secret_pub", publication_autocreate_mode="disabled")
    conf.update({k.replace(".", "_"): v for k, v in s.connector_config(DB, "snapper", "snap-pw").items()})
    create("secret", **conf)
    failed = wait_task("secret", "FAILED")
    assert 'GRANT SELECT ON public.secret TO "snapper"' in failed["trace"], failed["trace"]
    assert "permission denied to read table public.secret" in failed["trace"], failed["trace"]
    assert not slot_exists("secret_slot")
    delete("secret")
    s.sql("DROP TABLE public.secret; DROP PUBLICATION secret_pub; DROP ROLE snapper", db=DB)


def test_table_dropped_during_snapshot():
    """a table dropped after the snapshot listed it is skipped with a warning naming it"""
    s = server()
    s.sql("CREATE TABLE public.d_first (id int PRIMARY KEY); INSERT INTO public.d_first VALUES (1);"
          "CREATE TABLE public.d_second (id int PRIMARY KEY); INSERT INTO public.d_second VALUES (1);"
          "CREATE PUBLICATION d_pub FOR ALL TABLES", db=DB)
    s.sql("SELECT pg_create_logical_replication_slot('d_slot', 'pgoutput')", db=DB)
    # The slot exists, so the snapshot reads a new transaction's data; a
    # lock on d_first holds it there while d_second is dropped.
    lock = Session()
    lock.send("BEGIN; LOCK TABLE public.d_first IN ACCESS EXCLUSIVE MODE;")
    create("dropped", topic_prefix="dr", table_include_list="public.d_first,public.d_second", slot_name="d_slot",
           publication_name="d_pub")
    wait_for(lambda: s.value("SELECT count(*) FROM pg_locks WHERE relation = 'public.d_first'::regclass AND NOT "
                             "granted", db=DB) != "0", what="the snapshot to wait for d_first")
    s.sql("DROP TABLE public.d_second", db=DB)
    lock.send("COMMIT;")
    lock.close()
    worker().wait_stderr("[dropped-0] table public.d_second was dropped before the snapshot read it: skipped")
    worker().wait_stderr("[dropped-0] snapshot complete")
    assert [op(r) for r in read("dr.public.d_first", 1)] == ["r"]
    wait_for(lambda: s.value("SELECT active FROM pg_replication_slots WHERE slot_name = 'd_slot'", db=DB) == "t",
             what="the stream after the snapshot")
    assert task_status("dropped")["state"] == "RUNNING"
    delete("dropped", "d_slot")
    s.sql("DROP TABLE public.d_first; DROP PUBLICATION d_pub", db=DB)


def test_no_free_slot():
    """a server whose replication slots are all taken fails the task with what to drop or raise"""
    s = server()
    s.sql("CREATE TABLE public.full_t (id int PRIMARY KEY)", db=DB)
    free = int(s.value("SELECT current_setting('max_replication_slots')::int - count(*) FROM pg_replication_slots"))
    fill = ["fill_%d" % i for i in range(free)]
    for name in fill:
        s.sql("SELECT pg_create_logical_replication_slot('%s', 'pgoutput')" % name, db=DB)
    create("full", topic_prefix="full", table_include_list="public.full_t", slot_name="full_slot",
           publication_name="full_pub")
    failed = wait_task("full", "FAILED")
    assert "creating replication slot \"full_slot\"" in failed["trace"], failed["trace"]
    assert "raise max_replication_slots" in failed["trace"] and "pg_drop_replication_slot" in failed["trace"]
    delete("full")
    for name in fill:
        s.sql("SELECT pg_drop_replication_slot('%s')" % name, db=DB)
    s.sql("DROP TABLE public.full_t; DROP PUBLICATION IF EXISTS full_pub", db=DB)


harness.main(globals())
