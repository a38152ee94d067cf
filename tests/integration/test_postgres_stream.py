"""The PostgreSQL CDC source streaming against a real PostgreSQL (pg.py):
the issue's example config, and Debezium's change events on
cdc.public.orders field by field (insert, update, delete and its
tombstone, truncate, a column added mid-stream); a worker killed with
kill -9 in the middle of 100,000 rows resumes from its committed offset
with every row there and, by the transactions' end LSNs, only those after
the committed offset repeated; the slot's confirmed_flush_lsn follows the
committed offsets, and heartbeats move it while the captured table is
idle.  Then the rarer row forms (no tombstones, unchanged TOAST, REPLICA
IDENTITY FULL, key changes, columns added, dropped and retyped), protocol
2's streamed transactions with their metadata, and PostgreSQL crashing
under the stream.  Topics are read with confluent-kafka
(harness.confluent_drain).
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg  # noqa: E402
from harness import Worker, connector_offsets, http, wait_for  # noqa: E402

PLUGIN = "io.debezium.connector.postgresql.PostgresConnector"
DB = "shop"


def server():
    s = pg.server({"wal_sender_timeout": "10s"})
    if s.value("SELECT count(*) FROM pg_database WHERE datname = '%s'" % DB) == "0":
        s.create_database(DB)
    return s


def config(**overrides):
    """The issue's example config against the test server, with `overrides`
    (keys with '_' for '.')."""
    conf = {"connector.class": PLUGIN, "topic.prefix": "cdc", "table.include.list": "public.orders",
            "status.update.interval.ms": "300"}
    conf.update(server().connector_config(dbname=DB))
    conf.update({k.replace("_", "."): v for k, v in overrides.items()})
    return conf


def drain(worker, topic, headers=False):
    """Every record of `topic` so far as (key, value) JSON (None for a
    null), with headers=True (key, value, {header: text}), read with
    confluent-kafka from the start to the end of the partition."""
    out = []
    for m in harness.confluent_drain(worker, topic, timeout=120):
        rec = tuple(json.loads(v) if v else None for v in (m.key(), m.value()))
        out.append(rec + ({k: v.decode() for k, v in m.headers() or []},) if headers else rec)
    return out


def read(worker, topic, count, timeout=60, headers=False):
    """The records of `topic` (drain) once there are at least `count`."""
    return wait_for(lambda: (lambda got: got if len(got) >= count else None)(drain(worker, topic, headers)),
                    timeout=timeout, what="%d records in %s" % (count, topic), interval=0.5)


def slot_lsn(name):
    """The slot's confirmed_flush_lsn as a number."""
    text = server().value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '%s'" % name)
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) + int(lo, 16)


def wal_lsn():
    hi, lo = server().value("SELECT pg_current_wal_lsn()").split("/")
    return (int(hi, 16) << 32) + int(lo, 16)


def stream_active(name):
    return server().value("SELECT active FROM pg_replication_slots WHERE slot_name = '%s'" % name) == "t"


def test_change_events():
    """insert, update, delete + tombstone, truncate and a new column arrive as Debezium's envelopes"""
    s = server()
    s.sql("CREATE TABLE public.orders (id int PRIMARY KEY, item text NOT NULL, qty int, price numeric(10,2), "
          "paid boolean, tags text[], meta jsonb)", db=DB)
    w = Worker().start()
    status, body = http(w, "POST", "/connectors",
                        {"name": "postgres-source", "config": config(skipped_operations="none")})
    assert status == 201, (status, body)
    wait_for(lambda: stream_active("debezium"), what="the task to stream")
    before = slot_lsn("debezium")
    txid = s.sql("BEGIN; INSERT INTO public.orders VALUES (1, 'pen', 2, 3.50, true, '{a,b}', '{\"k\": 1}');"
                 "SELECT txid_current(); COMMIT", db=DB)[0][0]
    s.sql("UPDATE public.orders SET qty = 5 WHERE id = 1", db=DB)
    s.sql("DELETE FROM public.orders WHERE id = 1", db=DB)
    s.sql("INSERT INTO public.orders (id, item) VALUES (2, 'ink')", db=DB)
    s.sql("ALTER TABLE public.orders ADD COLUMN note text", db=DB)
    s.sql("INSERT INTO public.orders (id, item, note) VALUES (3, 'cap', 'blue')", db=DB)
    s.sql("TRUNCATE public.orders", db=DB)
    recs = read(w, "cdc.public.orders", 7)
    assert len(recs) == 7, recs
    ops = [v["payload"]["op"] if v else None for k, v in recs]
    assert ops == ["c", "u", "d", None, "c", "c", "t"], ops

    key, value = recs[0]
    assert key["schema"]["name"] == "cdc.public.orders.Key", key
    assert key["schema"]["fields"] == [{"type": "int32", "optional": False, "field": "id"}], key
    assert key["payload"] == {"id": 1}
    assert value["schema"]["name"] == "cdc.public.orders.Envelope"
    p = value["payload"]
    assert p["before"] is None
    assert p["after"] == {"id": 1, "item": "pen", "qty": 2, "price": "AV4=", "paid": True, "tags": ["a", "b"],
                          "meta": '{"k": 1}'}, p["after"]
    src = p["source"]
    assert src["connector"] == "postgresql" and src["name"] == "cdc" and src["db"] == DB, src
    assert src["schema"] == "public" and src["table"] == "orders" and src["snapshot"] == "false", src
    assert src["txId"] == int(txid), (src, txid)
    assert src["lsn"] >= before, (src, before)
    assert isinstance(p["ts_ms"], int) and p["ts_ms"] >= src["ts_ms"], p

    # Update: DEFAULT replica identity sends no old row.
    key, value = recs[1]
    assert key["payload"] == {"id": 1}
    assert value["payload"]["before"] is None and value["payload"]["after"]["qty"] == 5, value["payload"]
    assert value["payload"]["source"]["lsn"] > src["lsn"]
    assert value["payload"]["source"]["txId"] > src["txId"]
    # Delete: the key columns in before (a NOT NULL column the server did
    # not send gets its type's zero, as Debezium), after null; then the
    # tombstone with the same key.
    key, value = recs[2]
    assert key["payload"] == {"id": 1}
    assert value["payload"]["after"] is None
    assert value["payload"]["before"]["id"] == 1 and value["payload"]["before"]["qty"] is None, value["payload"]
    assert recs[3] == (key, None), recs[3]
    # The row schema before and after ALTER TABLE ADD COLUMN.
    fields = lambda v: [f["field"] for f in v["schema"]["fields"][0]["fields"]]  # noqa: E731
    assert "note" not in fields(recs[4][1]) and recs[4][1]["payload"]["after"]["qty"] is None
    assert fields(recs[5][1])[-1] == "note" and recs[5][1]["payload"]["after"]["note"] == "blue", recs[5]
    assert recs[5][0]["payload"] == {"id": 3}
    # Truncate: a null key, no rows.
    key, value = recs[6]
    assert key is None and value["payload"]["before"] is None and value["payload"]["after"] is None, recs[6]
    assert value["payload"]["source"]["table"] == "orders"

    # The offsets are Debezium's, and the slot follows them once committed.
    # The worker commits offsets on its own clock, after the records are
    # in the topic: wait for the one of the last record.
    def committed():
        offsets = connector_offsets(w, "postgres-source")["offsets"]
        last = offsets and offsets[0]["offset"].get("lsn") == value["payload"]["source"]["lsn"]
        return offsets if last else None
    offsets = wait_for(committed, what="the truncate's offset to be committed")
    assert [o["partition"] for o in offsets] == [{"server": "cdc"}], offsets
    off = offsets[0]["offset"]
    assert set(off) == {"lsn_proc", "lsn", "txId", "ts_usec"}, off
    assert off["lsn_proc"] > off["lsn"], off
    wait_for(lambda: slot_lsn("debezium") == off["lsn_proc"], what="the slot to confirm the committed offset")
    status, _ = http(w, "DELETE", "/connectors/postgres-source")
    assert status in (200, 204)
    wait_for(lambda: not stream_active("debezium"), what="the slot to be released")
    s.sql("SELECT pg_drop_replication_slot('debezium'); DROP TABLE public.orders", db=DB)


ROWS = 100000
TXN_ROWS = 1000


def test_kill_resume():
    """kill -9 in a 100,000-row stream: every row arrives, repeated only after the committed offset; heartbeats"""
    s = server()
    s.sql("CREATE TABLE public.bulk (id int PRIMARY KEY, payload text); CREATE TABLE public.other (id int)", db=DB)
    conf = config(topic_prefix="bulkcdc", table_include_list="public.bulk", slot_name="bulk_slot",
                  publication_name="bulk_pub", publication_autocreate_mode="filtered", max_batch_size="500",
                  heartbeat_interval_ms="300", provide_transaction_metadata="true", **SCHEMALESS)
    props = os.path.join(harness.tmpdir(), "postgres-source.properties")
    with open(props, "w") as f:
        f.write("name=bulk\n" + "".join("%s=%s\n" % kv for kv in conf.items()))
    w = Worker(connector_files=[props]).start()
    wait_for(lambda: stream_active("bulk_slot"), what="the task to stream")
    start = slot_lsn("bulk_slot")
    # 100 transactions of 1,000 rows.
    s.sql("".join("BEGIN; INSERT INTO public.bulk SELECT g, repeat('x', 100) FROM generate_series(%d, %d) g; COMMIT;"
                  % (i + 1, i + TXN_ROWS) for i in range(0, ROWS, TXN_ROWS)), db=DB)
    end = wal_lsn()
    wait_for(lambda: high_watermark(w, "bulkcdc.public.bulk") >= 30000, what="the stream to be under way", timeout=120)
    w.kill()
    w.start()
    # The restarted task says where the committed offset let it resume.
    line = w.wait_stderr("resuming after LSN")
    committed = lsn_of(re.search(r"resuming after LSN ([0-9A-F]+/[0-9A-F]+)", line).group(1))
    wait_for(lambda: slot_lsn("bulk_slot") >= end, what="the slot to confirm every row", timeout=240)
    recs = [v for k, v in drain(w, "bulkcdc.public.bulk")]
    ids = [v["after"]["id"] for v in recs]
    assert sorted(set(ids)) == list(range(1, ROWS + 1)), len(set(ids))
    assert all(v["after"]["payload"] == "x" * 100 for v in recs)
    # Topic order: 1..k from the first run, then j..ROWS from the restart,
    # where j <= k + 1: the restart repeats only what came after the last
    # committed offset, and loses nothing.
    k = next((i for i in range(1, len(ids)) if ids[i] != ids[i - 1] + 1), len(ids))
    assert ids[:k] == list(range(1, k + 1)), ids[:10]
    assert ids[k:] == list(range(ids[k] if k < len(ids) else 1, ROWS + 1)), ids[k:][:10]
    # From the offsets: each transaction's END record gives its end LSN;
    # the restart began with the first transaction that ended after the
    # committed lsn_proc, whole, and repeated none that ended before it.
    ends = {}
    for v in (v for k_, v in drain(w, "bulkcdc.transaction")):
        if v["status"] == "END":
            xid, lsn = v["id"].split(":")
            assert v["event_count"] == TXN_ROWS, v
            ends[int(xid)] = int(lsn)
    assert len(ends) == ROWS // TXN_ROWS, len(ends)
    end_of = [ends[v["source"]["txId"]] for v in recs]
    first_after = next(i for i in range(len(recs)) if end_of[i] > committed)
    assert k == len(ids) or ids[k] == ids[first_after], (k, ids[k], first_after, ids[first_after])
    assert (ids[first_after] - 1) % TXN_ROWS == 0, ids[first_after]
    assert all(e > committed for e in end_of[k:]), "a transaction committed before the kill came again"
    assert "resuming after LSN" in w.stderr(), w.stderr()
    # The slot confirms what the worker committed.
    off = connector_offsets(w, "bulk")["offsets"][0]["offset"]
    wait_for(lambda: slot_lsn("bulk_slot") >= off["lsn_proc"] > start, what="the slot to follow the offsets")
    # An uncaptured table is written: only heartbeats move the slot past it.
    s.sql("INSERT INTO public.other SELECT generate_series(1, 1000)", db=DB)
    after = wal_lsn()
    wait_for(lambda: slot_lsn("bulk_slot") >= after, what="a heartbeat to move the slot")
    key, value = read(w, "__debezium-heartbeat.bulkcdc", 1)[0]
    assert key == {"serverName": "bulkcdc"}, key
    assert isinstance(value["ts_ms"], int)
    w.stop()
    wait_for(lambda: not stream_active("bulk_slot"), what="the slot to be released")
    s.sql("SELECT pg_drop_replication_slot('bulk_slot'); DROP TABLE public.bulk, public.other", db=DB)


def start_connector(slot, tables, **overrides):
    """A worker with a connector named after `slot` on its own slot,
    publication (filtered) and topic prefix, streaming `tables`."""
    conf = config(topic_prefix=slot, table_include_list=tables, slot_name=slot, publication_name=slot + "_pub",
                  publication_autocreate_mode="filtered", **overrides)
    w = Worker().start()
    status, body = http(w, "POST", "/connectors", {"name": slot, "config": conf})
    assert status == 201, (status, body)
    wait_for(lambda: stream_active(slot), what="the task to stream")
    return w


def stop_connector(w, slot, drop_sql):
    w.stop()
    wait_for(lambda: not stream_active(slot), what="the slot to be released")
    server().sql("SELECT pg_drop_replication_slot('%s'); DROP PUBLICATION %s_pub; %s" % (slot, slot, drop_sql), db=DB)


def test_row_shapes():
    """tombstones off, unchanged TOAST, REPLICA IDENTITY FULL, a key change, columns added, dropped and retyped"""
    s = server()
    # big is stored out of line and uncompressed: an update that leaves it
    # alone sends it as "unchanged TOAST" ('u').
    s.sql("CREATE TABLE public.shapes (id int PRIMARY KEY, name text, big text, n int);"
          "ALTER TABLE public.shapes ALTER COLUMN big SET STORAGE EXTERNAL", db=DB)
    w = start_connector("shapes", "public.shapes", tombstones_on_delete="false")
    big = "b" * 5000
    s.sql("INSERT INTO public.shapes VALUES (1, 'one', '%s', 10)" % big, db=DB)
    s.sql("UPDATE public.shapes SET name = 'uno' WHERE id = 1", db=DB)
    s.sql("UPDATE public.shapes SET id = 2 WHERE id = 1", db=DB)
    s.sql("DELETE FROM public.shapes WHERE id = 2", db=DB)
    s.sql("INSERT INTO public.shapes VALUES (3, 'three', '%s', 30);"
          "ALTER TABLE public.shapes REPLICA IDENTITY FULL" % big, db=DB)
    s.sql("UPDATE public.shapes SET name = 'tres' WHERE id = 3", db=DB)
    s.sql("ALTER TABLE public.shapes ADD COLUMN extra text DEFAULT 'x'", db=DB)
    s.sql("UPDATE public.shapes SET n = 31 WHERE id = 3", db=DB)
    s.sql("ALTER TABLE public.shapes DROP COLUMN name", db=DB)
    s.sql("UPDATE public.shapes SET n = 32 WHERE id = 3", db=DB)
    s.sql("ALTER TABLE public.shapes ALTER COLUMN n TYPE bigint", db=DB)
    s.sql("UPDATE public.shapes SET n = 5000000000 WHERE id = 3", db=DB)
    recs = read(w, "shapes.public.shapes", 10, headers=True)
    assert len(recs) == 10, [(v or {}).get("payload", {}).get("op") for k, v, h in recs]
    ops = [v["payload"]["op"] if v else None for k, v, h in recs]
    # No tombstone after the deletes (tombstones.on.delete=false), the key
    # change included.
    assert ops == ["c", "u", "d", "c", "d", "c", "u", "u", "u", "u"], ops
    p = [v["payload"] if v else None for k, v, h in recs]
    keys = [k["payload"] if k else None for k, v, h in recs]
    # DEFAULT identity: the unchanged TOASTed value is Debezium's
    # placeholder; before is null.
    assert p[0]["after"] == {"id": 1, "name": "one", "big": big, "n": 10}, p[0]
    assert p[1]["before"] is None
    assert p[1]["after"] == {"id": 1, "name": "uno", "big": "__debezium_unavailable_value", "n": 10}, p[1]
    # The key change: a delete under the old key naming the new one, a
    # create under the new key naming the old one.
    assert keys[2] == {"id": 1} and p[2]["before"]["id"] == 1 and p[2]["after"] is None, (keys[2], p[2])
    # (The header converter, SimpleHeaderConverter, writes the key struct
    # as text.)
    assert list(recs[2][2]) == ["__debezium.newkey"] and re.search(r"\bid\W+2\b", recs[2][2]["__debezium.newkey"]), \
        recs[2][2]
    assert keys[3] == {"id": 2} and p[3]["before"] is None and p[3]["after"]["id"] == 2, (keys[3], p[3])
    assert list(recs[3][2]) == ["__debezium.oldkey"] and re.search(r"\bid\W+1\b", recs[3][2]["__debezium.oldkey"]), \
        recs[3][2]
    assert recs[0][2] == {} and recs[1][2] == {}, recs[:2]
    assert keys[4] == {"id": 2} and p[4]["after"] is None, p[4]
    # REPLICA IDENTITY FULL: the whole old row in before, and the TOASTed
    # value it carries in after as well.
    assert p[6]["before"] == {"id": 3, "name": "three", "big": big, "n": 30}, p[6]
    assert p[6]["after"] == {"id": 3, "name": "tres", "big": big, "n": 30}, p[6]
    # The schema follows the table without a restart: a column added, one
    # dropped, one retyped.
    fields = lambda v: {f["field"]: f["type"] for f in v["schema"]["fields"][1]["fields"]}  # noqa: E731
    assert fields(recs[6][1]) == {"id": "int32", "name": "string", "big": "string", "n": "int32"}
    assert fields(recs[7][1]) == {"id": "int32", "name": "string", "big": "string", "n": "int32", "extra": "string"}
    assert p[7]["after"] == {"id": 3, "name": "tres", "big": big, "n": 31, "extra": "x"}, p[7]
    assert fields(recs[8][1]) == {"id": "int32", "big": "string", "n": "int32", "extra": "string"}
    assert p[8]["after"] == {"id": 3, "big": big, "n": 32, "extra": "x"}, p[8]
    assert fields(recs[9][1]) == {"id": "int32", "big": "string", "n": "int64", "extra": "string"}
    assert p[9]["after"]["n"] == 5000000000, p[9]
    stop_connector(w, "shapes", "DROP TABLE public.shapes")


# JSON without the schema envelope, for tests of many records.
SCHEMALESS = {"key_converter": "org.apache.kafka.connect.json.JsonConverter", "key_converter_schemas_enable": "false",
              "value_converter": "org.apache.kafka.connect.json.JsonConverter",
              "value_converter_schemas_enable": "false"}


def test_streamed_transactions():
    """protocol 2: big transactions streamed interleaved, a savepoint rolled back, one aborted, transaction metadata"""
    s = server()
    # A database of its own whose walsenders stream any transaction over
    # 64 kB (logical_decoding_work_mem), so the others stay unstreamed.
    s.sql("CREATE DATABASE streams")
    s.sql("ALTER DATABASE streams SET logical_decoding_work_mem = '64kB'")
    s.sql("CREATE EXTENSION dblink; CREATE TABLE public.big (id int PRIMARY KEY, who text, pad text)", db="streams")
    w = start_connector("streams", "public.big", database_dbname="streams", provide_transaction_metadata="true",
                        **SCHEMALESS)
    conn = "host=%s port=%d dbname=streams user=postgres" % (s.dir, s.port)
    insert = lambda session, who, first, last: (  # noqa: E731
        "SELECT dblink_exec('%s', 'INSERT INTO big SELECT g, ''%s'', repeat(''p'', 200) "
        "FROM generate_series(%d, %d) g');" % (session, who, first, last))
    # Three transactions streamed at once: a (5 MB: its spool goes to a
    # temporary file) with a savepoint rolled back, b, and c, aborted; a
    # small one commits first (its own connection: psql -c runs its
    # statements in one transaction), then b, then a.
    s.sql("SELECT dblink_connect('a', '%s'); SELECT dblink_connect('b', '%s'); SELECT dblink_connect('c', '%s');"
          % (conn, conn, conn) +
          "SELECT dblink_exec('a', 'BEGIN');" + insert("a", "a", 1, 20000) +
          "SELECT dblink_exec('b', 'BEGIN');" + insert("b", "b", 100001, 101000) +
          "SELECT dblink_exec('a', 'SAVEPOINT s1');" + insert("a", "gone", 20001, 22000) +
          "SELECT dblink_exec('a', 'ROLLBACK TO SAVEPOINT s1');" + insert("a", "a", 22001, 23000) +
          "SELECT dblink_exec('c', 'BEGIN');" + insert("c", "c", 200001, 201000) +
          "SELECT dblink_exec('c', 'ROLLBACK');"
          "SELECT dblink_exec('%s', 'INSERT INTO big VALUES (300001, ''small'', ''d'')');" % conn +
          "SELECT dblink_exec('b', 'COMMIT'); SELECT dblink_exec('a', 'COMMIT');", db="streams")
    # A streamed transaction that changes the table: its Relation message
    # comes inside the stream, and its rows carry the new column.
    s.sql("BEGIN; ALTER TABLE big ADD COLUMN extra int DEFAULT 7;"
          "INSERT INTO big (id, who, pad) SELECT g, 'e', repeat('p', 200) FROM generate_series(400001, 401000) g;"
          "COMMIT", db="streams")
    end = lsn_of(s.value("SELECT pg_current_wal_lsn()", db="streams"))
    wait_for(lambda: slot_lsn("streams") >= end, what="the slot to confirm everything", timeout=120)
    streamed = int(s.value("SELECT stream_txns FROM pg_stat_replication_slots WHERE slot_name = 'streams'"))
    assert streamed >= 3, "only %d transactions were streamed" % streamed
    recs = drain(w, "streams.public.big")
    rows = [v["after"] for k, v in recs]
    # Only what committed, each transaction whole and in commit order.
    expect = ([(300001, "small")] + [(i, "b") for i in range(100001, 101001)] +
              [(i, "a") for i in range(1, 20001)] + [(i, "a") for i in range(22001, 23001)] +
              [(i, "e") for i in range(400001, 401001)])
    got = [(r["id"], r["who"]) for r in rows]
    assert got == expect, first_difference(got, expect)
    assert all("extra" not in r for r in rows[:-1000]) and all(r["extra"] == 7 for r in rows[-1000:]), rows[-1]
    # Debezium's BEGIN and END around each, with the events counted; the
    # change events carry their place in their transaction.
    txns = [v for k, v in drain(w, "streams.transaction")]
    assert [(t["status"], t["event_count"]) for t in txns] == [
        ("BEGIN", None), ("END", 1), ("BEGIN", None), ("END", 1000), ("BEGIN", None), ("END", 21000),
        ("BEGIN", None), ("END", 1000)], [(t["status"], t["event_count"]) for t in txns]
    assert txns[5]["data_collections"] == [{"data_collection": "public.big", "event_count": 21000}], txns[5]
    by_who = {}
    for k, v in recs:
        by_who.setdefault(v["after"]["who"], []).append(v)
    for who, end_rec in (("small", txns[1]), ("b", txns[3]), ("a", txns[5]), ("e", txns[7])):
        events = by_who[who]
        xid = end_rec["id"].split(":")[0]
        assert {str(e["source"]["txId"]) for e in events} == {xid}, who
        assert [e["transaction"]["total_order"] for e in events] == list(range(1, len(events) + 1)), who
        assert all(e["transaction"]["id"] == "%s:%d" % (xid, e["source"]["lsn"]) for e in events), events[0]
    # The committed offset ends where the last transaction does.
    off = connector_offsets(w, "streams")["offsets"][0]["offset"]
    assert off["lsn_proc"] == int(txns[7]["id"].split(":")[1]), (off, txns[7])
    w.stop()
    wait_for(lambda: not stream_active("streams"), what="the slot to be released")
    s.sql("SELECT pg_drop_replication_slot('streams')")
    s.sql("DROP DATABASE streams")


def first_difference(got, expect):
    """Where two lists part, for an assertion's message."""
    i = next((i for i, (a, b) in enumerate(zip(got, expect)) if a != b), min(len(got), len(expect)))
    return "%d and %d items, from index %d: %r ... instead of %r ..." % (len(got), len(expect), i, got[i:i + 3],
                                                                          expect[i:i + 3])


def lsn_of(text):
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) + int(lo, 16)


def high_watermark(worker, topic):
    """The end offset of partition 0 of `topic` (0 while it does not exist)."""
    import confluent_kafka
    c = confluent_kafka.Consumer({"bootstrap.servers": worker.bootstrap, "group.id": "watermark"})
    try:
        return c.get_watermark_offsets(confluent_kafka.TopicPartition(topic, 0), timeout=10)[1]
    except confluent_kafka.KafkaException:
        return 0
    finally:
        c.close()


def task_progress(w, name):
    status, body = http(w, "GET", "/connectors/%s/status" % name)
    return body["tasks"][0].get("progress") if status == 200 and body.get("tasks") else None


def test_postgres_restart():
    """PostgreSQL crashes mid-stream: the task reconnects with backoff, logs the outage once, loses and repeats nothing"""
    s = server()
    s.sql("CREATE TABLE public.restart (id int PRIMARY KEY, v text)", db=DB)
    w = start_connector("restart", "public.restart")
    batches = lambda first, last: "".join(  # noqa: E731
        "INSERT INTO public.restart SELECT g, 'v' || g FROM generate_series(%d, %d) g;" % (i, i + 99)
        for i in range(first, last, 100))
    s.sql(batches(1, 2001), db=DB)
    wait_for(lambda: high_watermark(w, "restart.public.restart") >= 500, what="the stream to be under way")
    s.kill()
    w.wait_stderr('replication stream of slot "restart" broke')
    # While the server is down the attempts fail, back off, and show in
    # the task's status, not in the log.
    wait_for(lambda: (task_progress(w, "restart") or "").startswith("reconnecting to PostgreSQL"),
             what="the outage in the task's status")
    s.start()
    s.sql(batches(2001, 4001), db=DB)
    end = wal_lsn()
    wait_for(lambda: slot_lsn("restart") >= end, what="the slot to confirm everything", timeout=90)
    # Every row exactly as in the table (the crash may have lost the last
    # commits of synchronous_commit=off: the table says what is there),
    # once each, in commit order.
    table = [int(r[0]) for r in s.sql("SELECT id FROM public.restart ORDER BY id", db=DB)]
    assert table[-2000:] == list(range(2001, 4001)), table[-3:]
    recs = drain(w, "restart.public.restart")
    assert [v["payload"]["after"]["id"] for k, v in recs] == table
    assert all(v["payload"]["after"]["v"] == "v%d" % v["payload"]["after"]["id"] for k, v in recs)
    log = w.stderr()
    assert log.count("broke, reconnecting") == 1, harness.warnings(log)
    assert log.count("streaming resumed after") == 1, log[-3000:]
    assert [line for line in harness.warnings(log) if "broke, reconnecting" not in line] == [], harness.warnings(log)
    assert task_progress(w, "restart") is None
    stop_connector(w, "restart", "DROP TABLE public.restart")


harness.main(globals())
