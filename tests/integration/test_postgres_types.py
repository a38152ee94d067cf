"""Every type of the mapping table in docs/connectors/postgres.md through
a real PostgreSQL (pg.py) and the worker's JsonConverter: a row of each
inserted, updated, deleted and truncated, and every field of the change
events compared with the value inserted, converted here as Debezium
documents each type (the expected values are computed from the inserted
ones by the helpers below, not copied from the connector's output).

The table has REPLICA IDENTITY FULL, so updates and deletes carry the
whole old row and "before" is checked field by field too.
"""

import base64
import datetime
import decimal
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

PLUGIN = "io.debezium.connector.postgresql.PostgresConnector"
DB = "types"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
decimal.getcontext().prec = 100  # numerics of any size, exactly


def java_bytes(n):
    """BigInteger.toByteArray(n): two's complement, big-endian, fewest bytes."""
    return n.to_bytes(((n if n >= 0 else ~n).bit_length() + 8) // 8, "big", signed=True)


def b64(data):
    return base64.b64encode(data).decode()


def decimal_payload(text, scale):
    """Kafka's Decimal: the unscaled value's bytes."""
    return b64(java_bytes(int(decimal.Decimal(text).scaleb(scale))))


def variable_scale(text):
    """io.debezium.data.VariableScaleDecimal: the value with its trailing
    zeros stripped, never a negative scale."""
    d = decimal.Decimal(text).normalize()
    scale = max(0, -d.as_tuple().exponent)
    return {"scale": scale, "value": b64(java_bytes(int(d.scaleb(scale))))}


def days(text):
    return (datetime.date.fromisoformat(text) - datetime.date(1970, 1, 1)).days


def micros_of_day(text):
    t = datetime.time.fromisoformat(text)
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1000000 + t.microsecond


def timestamp_micros(text):
    dt = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)
    return (dt - EPOCH) // datetime.timedelta(microseconds=1)


def zoned_timestamp(text):
    """io.debezium.time.ZonedTimestamp of a timestamptz without typmod: UTC,
    six fraction digits."""
    return datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def zoned_time(text, offset_hours):
    """io.debezium.time.ZonedTime: the time moved to UTC, its fraction as written."""
    clock, _, frac = text.partition(".")
    t = datetime.datetime.combine(datetime.date(2000, 1, 1), datetime.time.fromisoformat(clock))
    utc = t - datetime.timedelta(hours=offset_hours)
    return utc.strftime("%H:%M:%S") + ("." + frac if frac else "") + "Z"


def micro_duration(years, months, days_, hours, minutes, seconds, micros):
    """io.debezium.time.MicroDuration, in doubles as Debezium computes it
    (a month is 365.25 / 12 days)."""
    n_days = (years * 12 + months) * (365.25 / 12) + days_
    n_seconds = ((n_days * 24 + hours) * 60 + minutes) * 60 + seconds
    return int(n_seconds * 1e6 + micros)


def named(kind, name, **params):
    return {"type": kind, "name": name, "parameters": {k.replace("_", "."): v for k, v in params.items()} or None}


def plain(kind):
    return {"type": kind, "name": None, "parameters": None}


# column, SQL type, the literal inserted, then updated; the field's schema;
# the expected payload of each literal.
COLUMNS = [
    ("c_int2", "smallint", "-32768", "7", plain("int16"), -32768, 7),
    ("c_int4", "integer", "2147483647", "-1", plain("int32"), 2147483647, -1),
    ("c_int8", "bigint", "-9223372036854775808", "42", plain("int64"), -9223372036854775808, 42),
    ("c_num_scale", "numeric(10,2)", "12345.67", "-0.05",
     named("bytes", "org.apache.kafka.connect.data.Decimal", scale="2", connect_decimal_precision="10"),
     decimal_payload("12345.67", 2), decimal_payload("-0.05", 2)),
    ("c_num", "numeric", "3.10", "-123456789012345678901234567890.5",
     dict(named("struct", "io.debezium.data.VariableScaleDecimal"), fields=["scale", "value"]),
     variable_scale("3.10"), variable_scale("-123456789012345678901234567890.5")),
    ("c_float4", "real", "1.5", "-0.25", plain("float"), 1.5, -0.25),
    ("c_float8", "double precision", "2.5e100", "-1.125", plain("double"), 2.5e100, -1.125),
    ("c_bool", "boolean", "true", "false", plain("boolean"), True, False),
    ("c_text", "text", "'h\u00e9llo \"w\" ''q'''", "''", plain("string"), 'h\u00e9llo "w" \'q\'', ""),
    ("c_varchar", "varchar(20)", "'abc'", "'abcdefghij'", plain("string"), "abc", "abcdefghij"),
    ("c_char", "char(5)", "'ab'", "'abcde'", plain("string"), "ab   ", "abcde"),
    ("c_bytea", "bytea", "'\\x0102ff'", "'\\x'", plain("bytes"), b64(b"\x01\x02\xff"), ""),
    ("c_date", "date", "'2018-06-20'", "'1969-12-31'", named("int32", "io.debezium.time.Date"),
     days("2018-06-20"), days("1969-12-31")),
    ("c_time", "time", "'10:15:30.123456'", "'00:00:01'", named("int64", "io.debezium.time.MicroTime"),
     micros_of_day("10:15:30.123456"), micros_of_day("00:00:01")),
    ("c_time3", "time(3)", "'10:15:30.123'", "'23:59:59.999'", named("int32", "io.debezium.time.Time"),
     micros_of_day("10:15:30.123") // 1000, micros_of_day("23:59:59.999") // 1000),
    ("c_timetz", "timetz", "'04:05:06.789-08'", "'23:30:00+02'", named("string", "io.debezium.time.ZonedTime"),
     zoned_time("04:05:06.789", -8), zoned_time("23:30:00", 2)),
    ("c_ts", "timestamp", "'2018-06-20 15:13:16.945104'", "'1969-12-31 23:59:59.999999'",
     named("int64", "io.debezium.time.MicroTimestamp"),
     timestamp_micros("2018-06-20 15:13:16.945104"), timestamp_micros("1969-12-31 23:59:59.999999")),
    ("c_ts3", "timestamp(3)", "'2018-06-20 15:13:16.945'", "'2000-01-01 00:00:00'",
     named("int64", "io.debezium.time.Timestamp"),
     timestamp_micros("2018-06-20 15:13:16.945") // 1000, timestamp_micros("2000-01-01 00:00:00") // 1000),
    ("c_tstz", "timestamptz", "'2018-06-20 15:13:16.945104+02'", "'2018-06-20 15:13:16+05:30'",
     named("string", "io.debezium.time.ZonedTimestamp"),
     zoned_timestamp("2018-06-20 15:13:16.945104+02:00"), zoned_timestamp("2018-06-20 15:13:16+05:30")),
    ("c_interval", "interval", "'1 year 2 mons 3 days 04:05:06.789'", "'-00:00:01.5'",
     named("int64", "io.debezium.time.MicroDuration"),
     micro_duration(1, 2, 3, 4, 5, 6, 789000), micro_duration(0, 0, 0, 0, 0, -1, -500000)),
    ("c_uuid", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'",
     named("string", "io.debezium.data.Uuid"),
     "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000"),
    ("c_json", "json", "'{\"a\": [1, 2], \"z\": null}'", "'[]'", named("string", "io.debezium.data.Json"),
     {"a": [1, 2], "z": None}, []),
    ("c_jsonb", "jsonb", "'{\"b\": 1, \"a\": \"x\"}'", "'\"s\"'", named("string", "io.debezium.data.Json"),
     {"a": "x", "b": 1}, "s"),
    ("c_int_array", "int[]", "'{1,NULL,3}'", "'{}'", dict(plain("array"), items="int32"), [1, None, 3], []),
    ("c_text_array", "text[]", "'{a,\"b c\",NULL,\"\"}'", "'{\"NULL\"}'", dict(plain("array"), items="string"),
     ["a", "b c", None, ""], ["NULL"]),
    ("c_enum", "mood", "'happy'", "'sad'", named("string", "io.debezium.data.Enum", allowed="sad,ok,happy"),
     "happy", "sad"),
    ("c_enum_array", "mood[]", "'{sad,ok}'", "'{happy}'", dict(plain("array"), items="string"),
     ["sad", "ok"], ["happy"]),
    ("c_price", "price", "12.50", "0.01",
     named("bytes", "org.apache.kafka.connect.data.Decimal", scale="2", connect_decimal_precision="7"),
     decimal_payload("12.50", 2), decimal_payload("0.01", 2)),
    ("c_posint", "posint", "7", "8", plain("int32"), 7, 8),
]
JSON_COLUMNS = {"c_json", "c_jsonb"}


def server():
    s = pg.server()
    if s.value("SELECT count(*) FROM pg_database WHERE datname = '%s'" % DB) == "0":
        s.create_database(DB)
    return s


def stream_active(name):
    return server().value("SELECT active FROM pg_replication_slots WHERE slot_name = '%s'" % name) == "t"


def drain(worker, topic):
    return [tuple(json.loads(v) if v else None for v in (m.key(), m.value()))
            for m in harness.confluent_drain(worker, topic)]


def row(which):
    """The expected row of the insert (1) or the update (2)."""
    out = {"id": 1}
    for col in COLUMNS:
        out[col[0]] = col[5] if which == 1 else col[6]
    return out


def check_row(got, want, what):
    assert got is not None, what
    assert set(got) == set(want), (what, set(got) ^ set(want))
    for name, value in want.items():
        actual = json.loads(got[name]) if name in JSON_COLUMNS and got[name] is not None else got[name]
        assert actual == value, "%s: %s is %r, expected %r" % (what, name, actual, value)


def check_schema(value):
    """The row schema of an envelope: each field's type, logical name and
    parameters as the mapping says, all optional but the key."""
    after = next(f for f in value["schema"]["fields"] if f["field"] == "after")
    fields = {f["field"]: f for f in after["fields"]}
    assert fields["id"] == {"type": "int32", "optional": False, "field": "id"}, fields["id"]
    for name, _, _, _, schema, _, _ in COLUMNS:
        f = fields[name]
        assert f["type"] == schema["type"] and f["optional"], (name, f)
        assert f.get("name") == schema["name"], (name, f)
        assert f.get("parameters") == schema["parameters"], (name, f)
        if "items" in schema:
            assert f["items"]["type"] == schema["items"], (name, f)
        if "fields" in schema:
            assert [x["field"] for x in f["fields"]] == schema["fields"], (name, f)


def test_every_type():
    """insert, update, delete and truncate of a row of every mapped type, field by field"""
    s = server()
    s.sql("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');"
          "CREATE DOMAIN price AS numeric(7,2); CREATE DOMAIN posint AS int CHECK (VALUE > 0);"
          "CREATE TABLE public.every (id int PRIMARY KEY, %s);"
          "ALTER TABLE public.every REPLICA IDENTITY FULL"
          % ", ".join("%s %s" % (c[0], c[1]) for c in COLUMNS), db=DB)
    conf = {"connector.class": PLUGIN, "topic.prefix": "types", "table.include.list": "public.every",
            "slot.name": "types", "publication.name": "types_pub", "publication.autocreate.mode": "filtered",
            "skipped.operations": "none", "status.update.interval.ms": "300"}
    conf.update(s.connector_config(dbname=DB))
    w = Worker().start()
    status, body = http(w, "POST", "/connectors", {"name": "types", "config": conf})
    assert status == 201, (status, body)
    wait_for(lambda: stream_active("types"), what="the task to stream")
    s.sql("INSERT INTO public.every VALUES (1, %s)" % ", ".join(c[2] for c in COLUMNS), db=DB)
    s.sql("UPDATE public.every SET %s WHERE id = 1" % ", ".join("%s = %s" % (c[0], c[3]) for c in COLUMNS), db=DB)
    s.sql("DELETE FROM public.every WHERE id = 1", db=DB)
    s.sql("INSERT INTO public.every (id) VALUES (2)", db=DB)
    s.sql("TRUNCATE public.every", db=DB)
    recs = wait_for(lambda: (lambda got: got if len(got) >= 6 else None)(drain(w, "types.public.every")),
                    what="six records")
    assert [v["payload"]["op"] if v else None for k, v in recs] == ["c", "u", "d", None, "c", "t"], recs
    for k, v in recs[:3] + recs[4:5]:
        check_schema(v)
    insert, update, delete, tomb, nulls, trunc = [v["payload"] if v else None for k, v in recs]
    assert insert["before"] is None
    check_row(insert["after"], row(1), "insert")
    check_row(update["before"], row(1), "update before")
    check_row(update["after"], row(2), "update after")
    check_row(delete["before"], row(2), "delete before")
    assert delete["after"] is None
    assert recs[3] == (recs[2][0], None), recs[3]
    assert recs[0][0]["payload"] == {"id": 1} and recs[4][0]["payload"] == {"id": 2}
    check_row(nulls["after"], dict({c[0]: None for c in COLUMNS}, id=2), "a row of nulls")
    assert recs[5][0] is None and trunc["before"] is None and trunc["after"] is None, recs[5]
    w.stop()
    wait_for(lambda: not stream_active("types"), what="the slot to be released")
    s.sql("SELECT pg_drop_replication_slot('types'); DROP TABLE public.every", db=DB)


harness.main(globals())
