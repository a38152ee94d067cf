"""The Elasticsearch sink (connectors/elasticsearch) through a real worker
and broker against tests/es/es_server.py: the issue's example config,
inserts, updates and tombstones by key; documents ids from keys and from
topic+partition+offset; upserts; schemas as mappings; malformed documents
to the dead letter queue; failures in the status trace.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from es_sink import (consume, create, es_server, headers_of, metric, produce, sink_config, sources,  # noqa: E402
                     task_status, wait_docs, wait_failed, wait_running)
from harness import Worker, http, wait_for  # noqa: E402


def test_issue_example_updates_and_tombstones():
    """key.ignore=false, schema.ignore=true, behavior.on.null.values=delete:
    the index holds the latest value of every key, deleted keys gone, each
    at the external version of its last offset"""
    es = es_server()
    w = Worker().start()
    produce(w, "cdc.public.orders", [("1", '{"id":1,"total":10}'), ("2", '{"id":2,"total":20}'),
                                     ("1", '{"id":1,"total":11}'), ("3", '{"id":3,"total":30}'),
                                     ("2", None)])
    create(w, "es-sink", sink_config(es, "cdc.public.orders", key_ignore="false",
                                      behavior_on_null_values="delete"))
    wait_docs(es, "cdc.public.orders", {"1": {"id": 1, "total": 11}, "3": {"id": 3, "total": 30}})
    docs = es.docs("cdc.public.orders")
    assert docs["1"]["_version"] == 2 and docs["3"]["_version"] == 3, docs
    produce(w, "cdc.public.orders", [("3", None), ("2", '{"id":2,"total":22}')])
    wait_docs(es, "cdc.public.orders", {"1": {"id": 1, "total": 11}, "2": {"id": 2, "total": 22}})
    assert task_status(w, "es-sink")["state"] == "RUNNING"
    wait_for(lambda: (metric(w, "connectd_plugin_elasticsearch_documents_indexed_total", connector="es-sink") or 0)
             >= 7, what="the indexed documents metric")
    w.stop()
    es.stop()


def envelope(table_id, before, after, op):
    """A Debezium change event of table t(id INT32, name STRING) as the
    JsonConverter writes it with schemas (value), and its key."""
    row = {"type": "struct", "optional": True, "name": "cdc.public.t.Value",
           "fields": [{"field": "id", "type": "int32", "optional": False},
                      {"field": "name", "type": "string", "optional": True}]}
    schema = {"type": "struct", "name": "cdc.public.t.Envelope", "optional": False,
              "fields": [dict(row, field="before"), dict(row, field="after"),
                         {"field": "op", "type": "string", "optional": False}]}
    key = {"schema": {"type": "struct", "name": "cdc.public.t.Key", "optional": False,
                      "fields": [{"field": "id", "type": "int32", "optional": False}]},
           "payload": {"id": table_id}}
    return json.dumps(key), json.dumps({"schema": schema, "payload": {"before": before, "after": after, "op": op}})


def cdc_events():
    """Inserts, an update, a delete and its tombstone of three rows."""
    out = [envelope(1, None, {"id": 1, "name": "a"}, "c"), envelope(2, None, {"id": 2, "name": "b"}, "c"),
           envelope(3, None, {"id": 3, "name": "c"}, "c"),
           envelope(1, {"id": 1, "name": "a"}, {"id": 1, "name": "a2"}, "u"),
           envelope(2, {"id": 2, "name": "b"}, None, "d")]
    out.append((out[-1][0], None))
    return out


CDC_CONVERTERS = {"key.converter": "org.apache.kafka.connect.json.JsonConverter",
                  "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                  "key.converter.schemas.enable": "true", "value.converter.schemas.enable": "true"}


def test_cdc_topic_flattened_and_as_envelopes():
    """Debezium's struct keys and envelopes: flattened to the row (ExtractField
    on "after", mapping from its schema) the index holds the live rows; with
    the issue's config as it is, the latest envelope of each live row"""
    es = es_server()
    w = Worker().start()
    produce(w, "cdc.public.t", cdc_events())
    produce(w, "cdc.public.raw", cdc_events())
    flat = sink_config(es, "cdc.public.t", schema_ignore="false", behavior_on_null_values="delete",
                       transforms="after", transforms_after_type="org.apache.kafka.connect.transforms.ExtractField$Value",
                       transforms_after_field="after")
    flat.update(CDC_CONVERTERS)
    create(w, "cdc-flat", flat)
    raw = sink_config(es, "cdc.public.raw", behavior_on_null_values="delete")
    raw.update(CDC_CONVERTERS)
    create(w, "cdc-raw", raw)
    wait_docs(es, "cdc.public.t", {"1": {"id": 1, "name": "a2"}, "3": {"id": 3, "name": "c"}})
    mapping = es.ok("GET", "/cdc.public.t/_mapping")["cdc.public.t"]["mappings"]["properties"]
    assert mapping["id"] == {"type": "integer"} and mapping["name"]["type"] == "text", mapping
    got = wait_docs(es, "cdc.public.raw", {
        "1": {"before": {"id": 1, "name": "a"}, "after": {"id": 1, "name": "a2"}, "op": "u"},
        "3": {"before": None, "after": {"id": 3, "name": "c"}, "op": "c"}})
    assert got
    assert es.docs("cdc.public.t")["1"]["_version"] == 3
    w.stop()
    es.stop()


def test_ids_upserts_and_null_values():
    """key.ignore / topic.key.ignore make topic+partition+offset ids without
    versions; write.method=upsert merges fields (doc_as_upsert); null values
    are ignored, or fail the task naming the record; drop.invalid.message
    skips a record whose key cannot be an id"""
    es = es_server()
    w = Worker().start()
    produce(w, "logs", [("a", '{"n":1}'), ("a", '{"n":2}')])
    produce(w, "keyed", [("k", '{"n":1}'), ("k", None), ("k", '{"m":2}')])
    produce(w, "merge", [("k", '{"a":1,"b":1}'), ("k", '{"b":2,"c":3}')])
    produce(w, "nulls", [("k", '{"n":1}'), ("k", None)])
    produce(w, "badkey", [(None, '{"n":1}'), ("ok", '{"n":2}')])
    create(w, "ids", sink_config(es, "logs,keyed", topic_key_ignore="logs", behavior_on_null_values="ignore"))
    create(w, "ups", sink_config(es, "merge", write_method="upsert"))
    create(w, "fails", sink_config(es, "nulls"))
    create(w, "drops", sink_config(es, "badkey", drop_invalid_message="true"))
    wait_docs(es, "logs", {"logs+0+0": {"n": 1}, "logs+0+1": {"n": 2}})
    assert all(d["_version"] == 1 for d in es.docs("logs").values())
    wait_docs(es, "keyed", {"k": {"m": 2}})
    wait_docs(es, "merge", {"k": {"a": 1, "b": 2, "c": 3}})
    wait_docs(es, "badkey", {"ok": {"n": 2}})
    task = wait_failed(w, "fails")
    assert "record from topic=nulls partition=0 offset=1 has a null value" in task["trace"], task
    assert "behavior.on.null.values" in task["trace"], task
    w.stop()
    es.stop()


def test_malformed_documents_to_the_dead_letter_queue():
    """A document whose field contradicts the index mapping: with
    behavior.on.malformed.documents=warn it goes to the dead letter queue
    with its original bytes and the server's error in the headers, counted
    as failed, and the task runs on; with ignore it is dropped; with fail
    the task FAILS naming the error"""
    es = es_server()
    es.ok("PUT", "/strict", {"mappings": {"properties": {"n": {"type": "long"}}}})
    es.ok("PUT", "/strict2", {"mappings": {"properties": {"n": {"type": "long"}}}})
    w = Worker().start()
    produce(w, "strict", [("1", '{"n":1}'), ("2", '{"n":"not a number"}'), ("3", '{"n":3}')],
            headers=["trace=abc"])
    produce(w, "strict2", [("1", '{"n":1}'), ("2", '{"n":"not a number"}')])
    es.ok("PUT", "/strict3", {"mappings": {"properties": {"n": {"type": "long"}}}})
    produce(w, "strict3", [("1", '{"n":1}'), ("2", '{"n":"not a number"}'), ("3", '{"n":3}')])
    create(w, "ignores", sink_config(es, "strict3", behavior_on_malformed_documents="ignore"))
    create(w, "warns", sink_config(es, "strict", behavior_on_malformed_documents="warn", errors_tolerance="all",
                                   errors_deadletterqueue_topic_name="strict-dlq",
                                   errors_deadletterqueue_context_headers_enable="true"))
    create(w, "fails", sink_config(es, "strict2"))
    wait_docs(es, "strict", {"1": {"n": 1}, "3": {"n": 3}})
    (dlq,) = consume(w, "strict-dlq", 1)
    assert dlq["key"] == "2" and json.loads(dlq["payload"]) == {"n": "not a number"}, dlq
    h = headers_of(dlq)
    assert h["trace"] == "abc", h
    assert h["__connect.errors.topic"] == "strict" and h["__connect.errors.offset"] == "1", h
    assert "parsing_exception" in h["__connect.errors.exception.message"], h
    assert task_status(w, "warns")["state"] == "RUNNING"
    assert metric(w, "connectd_plugin_elasticsearch_documents_failed_total", connector="warns") == 1
    wait_docs(es, "strict3", {"1": {"n": 1}, "3": {"n": 3}})
    assert task_status(w, "ignores")["state"] == "RUNNING"
    task = wait_failed(w, "fails")
    assert "parsing_exception" in task["trace"] and "behavior.on.malformed.documents" in task["trace"], task
    assert "record from topic=strict2 partition=0 offset=1" in task["trace"], task
    w.stop()
    es.stop()


def test_schemas_make_mappings_and_data_streams():
    """schema.ignore=false puts the mapping Confluent derives from the value
    schema before the first document; data.stream.type/dataset write to
    logs-<dataset>-<topic> with @timestamp from the record"""
    es = es_server()
    w = Worker().start()
    schema = {"type": "struct", "name": "s", "fields": [
        {"field": "id", "type": "int64", "optional": False},
        {"field": "at", "type": "int64", "optional": False, "name": "org.apache.kafka.connect.data.Timestamp"},
        {"field": "tags", "type": "map", "keys": {"type": "string"}, "values": {"type": "int32"},
         "optional": True}]}
    value = json.dumps({"schema": schema, "payload": {"id": 5, "at": 1700000000000, "tags": {"x": 1}}})
    produce(w, "typed", [("5", value)])
    produce(w, "events", [("e1", '{"msg":"hello"}')])
    conf = sink_config(es, "typed", schema_ignore="false", compact_map_entries="false")
    conf["value.converter.schemas.enable"] = "true"
    create(w, "mapped", conf)
    create(w, "stream", sink_config(es, "events", data_stream_type="LOGS", data_stream_dataset="app"))
    wait_docs(es, "typed", {"5": {"id": 5, "at": 1700000000000, "tags": [{"key": "x", "value": 1}]}})
    props = es.ok("GET", "/typed/_mapping")["typed"]["mappings"]["properties"]
    assert props["at"] == {"type": "date"} and props["id"] == {"type": "long"}, props
    assert props["tags"]["properties"]["value"] == {"type": "integer"}, props
    def hits():
        status, _, body = es.request("GET", "/logs-app-events/_search?q=msg:hello")
        return body["hits"]["hits"] if status == 200 else None  # 404 until the sink made the data stream
    got = wait_for(lambda: hits() or None,
                   what="the document in the data stream")
    assert "@timestamp" in got[0]["_source"], got
    w.stop()
    es.stop()


def test_batching_settings():
    """batch.size caps the actions of a bulk request, linger.ms gathers a
    partial batch, connection.compression gzips the bodies, and
    max.in.flight.requests=1 sends one request at a time"""
    es = es_server()
    w = Worker().start()
    produce(w, "many", [("k%d" % i, '{"i":%d}' % i) for i in range(500)])
    create(w, "batches", sink_config(es, "many", batch_size="100", max_in_flight_requests="1",
                                     max_buffered_records="1000", linger_ms="200", connection_compression="true"))
    wait_docs(es, "many", {"k%d" % i: {"i": i} for i in range(500)})
    stats = es.stats()
    assert stats["bulk_items"] == 500, stats
    assert stats["bulk_requests"] >= 5, stats
    assert stats["gzip_requests"] >= stats["bulk_requests"], stats
    log = [e for e in es.log() if e["path"] == "/_bulk"]
    assert log, log
    w.stop()
    es.stop()


def test_bulk_bytes_and_topic_schema_ignore():
    """bulk.size.bytes caps a bulk request's body below batch.size's count;
    topic.schema.ignore exempts one topic from schema.ignore=false: the
    other topic's index gets its mapping, that one's none from the sink"""
    es = es_server()
    w = Worker().start()
    produce(w, "sized", [("k%d" % i, json.dumps({"i": i, "pad": "x" * 60})) for i in range(300)])
    create(w, "sized-sink", sink_config(es, "sized", bulk_size_bytes="2000", batch_size="1000",
                                        max_buffered_records="5000", linger_ms="1000"))
    wait_docs(es, "sized", {"k%d" % i: {"i": i, "pad": "x" * 60} for i in range(300)})
    bulks = [e for e in es.log() if e["path"] == "/_bulk"]
    assert len(bulks) >= 300 * 100 // 2000, [e["content_length"] for e in bulks]
    assert all(0 < e["content_length"] <= 2000 for e in bulks), [e["content_length"] for e in bulks]

    schema = {"type": "struct", "name": "s", "fields": [{"field": "id", "type": "int64", "optional": False}]}
    value = json.dumps({"schema": schema, "payload": {"id": 7}})
    produce(w, "typed", [("7", value)])
    produce(w, "loose", [("7", value)])
    conf = sink_config(es, "typed,loose", schema_ignore="false", topic_schema_ignore="loose")
    conf["value.converter.schemas.enable"] = "true"
    create(w, "some-schemas", conf)
    wait_docs(es, "typed", {"7": {"id": 7}})
    wait_docs(es, "loose", {"7": {"id": 7}})
    puts = [e["path"] for e in es.log() if e["method"] == "PUT" and e["path"].endswith("/_mapping")]
    assert puts == ["/typed/_mapping"], puts
    w.stop()
    es.stop()


def test_flush_synchronously_sends_partial_batches():
    """flush.synchronously=true sends a partial batch at once: with
    linger.ms at 5 minutes and the worker committing offsets every 10, the
    documents still arrive"""
    es = es_server()
    w = Worker(overrides={"offset.flush.interval.ms": "600000"}).start()
    produce(w, "eager", [("k%d" % i, '{"i":%d}' % i) for i in range(20)])
    create(w, "eager-sink", sink_config(es, "eager", flush_synchronously="true", linger_ms="300000",
                                        flush_timeout_ms="600000"))
    wait_docs(es, "eager", {"k%d" % i: {"i": i} for i in range(20)})
    w.stop()
    es.stop()


def test_validation_messages():
    """PUT .../config/validate answers Confluent's messages for settings
    that contradict each other, and POST /connectors refuses them with 400"""
    es = es_server()
    w = Worker().start()
    conf = sink_config(es, "t", batch_size="5000", name="v")
    status, body = http(w, "PUT", "/connector-plugins/ElasticsearchSinkConnector/config/validate", conf)
    errors = [e for c in body["configs"] for e in c["value"]["errors"]]
    assert status == 200 and body["error_count"] >= 1, errors
    assert any("'max.buffered.records' (20000) must be larger than or equal to 'batch.size' (5000)" in e
               for e in errors), errors
    status, body = http(w, "POST", "/connectors", {"name": "bad", "config": sink_config(
        es, "t", behavior_on_null_values="drop")})
    assert status == 400 and "String must be one of (case insensitive): IGNORE, DELETE, FAIL" in body["message"], body
    w.stop()
    es.stop()


harness.main(globals())
