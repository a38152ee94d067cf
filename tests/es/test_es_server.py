"""The Elasticsearch test server (es_server.py) over HTTP: the semantics a
sink relies on, checked as Elasticsearch documents them and as the YAML
REST tests cannot (several server versions, security, faults, TLS,
near-real-time visibility with time passing).

Each test starts its own server on a random loopback port (es_fixture.py,
stopped by the harness when the test ends).  Nothing here asserts how long
anything took: a delay is checked by the server's counters, visibility by
polling until it happens.
"""

import http.client
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import es_fixture  # noqa: E402
from harness import wait_for  # noqa: E402

JSON = {"Content-Type": "application/json"}


def server(version="8.11.0", **kw):
    return es_fixture.EsServer(version=version, **kw).start()


def bulk(es, lines, params=None, **kw):
    return es.request("POST", "/_bulk", lines, params=params, **kw)


def items(body):
    return [next(iter(item.items())) for item in body["items"]]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(actual, expected, what=""):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


# ---- GET / ---------------------------------------------------------------------------------------

def test_info_per_version():
    """GET / prints the version, tagline and fields of each generation"""
    cases = [
        ("8.11.0", {"number": "8.11.0", "build_flavor": "default", "lucene_version": "9.8.0",
                    "minimum_wire_compatibility_version": "7.17.0"}, "You Know, for Search", True),
        ("7.17.0", {"number": "7.17.0", "build_flavor": "default",
                    "minimum_index_compatibility_version": "6.0.0-beta1"}, "You Know, for Search", True),
        ("6.8.0", {"number": "6.8.0", "minimum_wire_compatibility_version": "5.6.0"}, "You Know, for Search", False),
        ("5.6.16", {"number": "5.6.16", "lucene_version": "6.6.1"}, "You Know, for Search", False),
        ("opensearch:2.11.0", {"distribution": "opensearch", "number": "2.11.0", "lucene_version": "9.7.0"},
         "The OpenSearch Project: https://opensearch.org/", False),
        ("opensearch:1.3.0", {"distribution": "opensearch", "number": "1.3.0"},
         "The OpenSearch Project: https://opensearch.org/", False),
    ]
    for version, fields, tagline, product in cases:
        es = server(version)
        status, headers, body = es.request("GET", "/")
        eq(status, 200, version)
        eq(list(body), ["name", "cluster_name", "cluster_uuid", "version", "tagline"], version + " keys")
        eq(body["tagline"], tagline, version)
        for key, value in fields.items():
            eq(body["version"].get(key), value, "%s version.%s" % (version, key))
        if version.startswith("5."):
            check("build_flavor" not in body["version"] and "minimum_wire_compatibility_version" not in
                  body["version"], "5.x has no build_flavor nor compatibility versions")
        eq(headers.get("x-elastic-product") == "Elasticsearch", product, version + " X-elastic-product")
        eq(es.request("HEAD", "/")[0], 200, version + " HEAD /")
        es.stop()


def test_sigterm_exits_cleanly():
    """SIGTERM stops the server with exit code 0, keep-alive connections open"""
    es = server()
    conn = http.client.HTTPConnection("127.0.0.1", es.port)
    conn.request("GET", "/")
    conn.getresponse().read()
    es.stop()
    conn.close()


# ---- index names and index APIs ---------------------------------------------------------------

def test_index_name_rules():
    """PUT /{index} refuses names as Elasticsearch does, with its reasons"""
    es = server()
    bad = [
        ("Orders", "must be lowercase"),
        ("a*b", 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]'),
        ("a#b", "must not contain '#'"),
        ("a:b", "must not contain ':'"),
        ("_a", "must not start with '_', '-', or '+'"),
        ("-a", "must not start with '_', '-', or '+'"),
        ("+a", "must not start with '_', '-', or '+'"),
        ("..", "must not be '.' or '..'"),
        ("a" * 256, "index name is too long, (256 > 255)"),
    ]
    for name, reason in bad:
        status, _, body = es.request("PUT", "/" + urllib.request.quote(name, safe=""))
        eq(status, 400, name)
        eq(body["error"]["type"], "invalid_index_name_exception", name)
        eq(body["error"]["reason"], "Invalid index name [%s], %s" % (name, reason), name)
        eq(body["error"]["index"], name, name)
        eq(body["error"]["root_cause"][0]["type"], "invalid_index_name_exception", name)
        eq(body["status"], 400, name)
    for name in ("orders", "cdc.public.orders", "a-b_c+d", ".hidden", "x" * 255):
        eq(es.request("PUT", "/" + name)[0], 200, name)
    status, _, body = es.request("PUT", "/orders")
    eq(status, 400)
    eq(body["error"]["type"], "resource_already_exists_exception")
    check(body["error"]["reason"].startswith("index [orders/") and body["error"]["reason"].endswith("] already exists"),
          body["error"]["reason"])
    eq(es.request("HEAD", "/orders")[0], 200)
    eq(es.request("HEAD", "/nope")[0], 404)
    status, _, body = es.request("DELETE", "/nope")
    eq(status, 404)
    eq(body["error"]["type"], "index_not_found_exception")
    eq(body["error"]["reason"], "no such index [nope]")
    eq(es.ok("DELETE", "/orders"), {"acknowledged": True})
    eq(es.request("HEAD", "/orders")[0], 404)


def test_bulk_auto_create_bad_name():
    """A bulk item to an invalid index name fails alone with invalid_index_name_exception"""
    es = server()
    status, _, body = bulk(es, [{"index": {"_index": "Bad", "_id": "1"}}, {"a": 1},
                                {"index": {"_index": "good", "_id": "1"}}, {"a": 1}])
    eq(status, 200)
    eq(body["errors"], True)
    (op0, it0), (op1, it1) = items(body)
    eq((op0, it0["status"], it0["error"]["type"]), ("index", 400, "invalid_index_name_exception"))
    eq((op1, it1["status"], it1["result"]), ("index", 201, "created"))


# ---- versions --------------------------------------------------------------------------------------

def test_external_versions():
    """external: a version must be higher; a delete keeps its version for conflicts"""
    es = server()

    def put(version, vtype="external", doc=None):
        return bulk(es, [{"index": {"_index": "t", "_id": "1", "version": version, "version_type": vtype}},
                         doc or {"v": version}])[2]["items"][0]["index"]

    eq((put(5)["status"], put(5)["status"]), (201, 409))
    item = put(4)
    eq(item["status"], 409)
    eq(item["error"]["type"], "version_conflict_engine_exception")
    eq(item["error"]["reason"], "[1]: version conflict, current version [5] is higher or equal to the one provided [4]")
    eq([k for k in item["error"]], ["type", "reason", "index_uuid", "shard", "index"])
    eq(item["error"]["shard"], "0")
    eq(list(item), ["_index", "_id", "status", "error"])
    item = put(7)
    eq((item["status"], item["result"], item["_version"]), (200, "updated", 7))
    eq(es.docs("t")["1"]["_source"], {"v": 7})
    # A delete with a higher version leaves a tombstone at that version...
    _, _, body = bulk(es, [{"delete": {"_index": "t", "_id": "1", "version": 9, "version_type": "external"}}])
    item = body["items"][0]["delete"]
    eq((item["status"], item["result"], item["_version"]), (200, "deleted", 9))
    # ...so a replay of an older write conflicts instead of resurrecting the document.
    item = put(8)
    eq(item["status"], 409)
    eq(item["error"]["reason"], "[1]: version conflict, current version [9] is higher or equal to the one provided [8]")
    eq(es.docs("t"), {})
    item = put(10)
    eq((item["status"], item["result"]), (201, "created"))
    # external_gte accepts the same version, refuses a lower one.
    eq(put(10, "external_gte")["status"], 200)
    item = put(9, "external_gte")
    eq(item["error"]["reason"], "[1]: version conflict, current version [10] is higher than the one provided [9]")
    # A delete of a missing document is not an error: 404, not_found, no "error".
    _, _, body = bulk(es, [{"delete": {"_index": "t", "_id": "nope"}}])
    item = body["items"][0]["delete"]
    eq((item["status"], item["result"], "error" in item, body["errors"]), (404, "not_found", False, False))


def test_create_and_cas_conflicts():
    """op_type create and if_seq_no conflicts say what Elasticsearch says"""
    es = server()
    status, _, body = es.request("PUT", "/t/_create/1", {"a": 1})
    eq((status, body["result"], body["_seq_no"]), (201, "created", 0))
    status, _, body = es.request("PUT", "/t/_create/1", {"a": 2})
    eq(status, 409)
    eq(body["error"]["reason"], "[1]: version conflict, document already exists (current version [1])")
    status, _, body = es.request("PUT", "/t/_doc/1", {"a": 3}, params={"if_seq_no": 5, "if_primary_term": 1})
    eq(status, 409)
    eq(body["error"]["reason"], "[1]: version conflict, required seqNo [5], primary term [1]. current document has "
                                "seqNo [0] and primary term [1]")
    status, _, body = es.request("PUT", "/t/_doc/1", {"a": 3}, params={"if_seq_no": 0, "if_primary_term": 1})
    eq((status, body["result"], body["_version"], body["_seq_no"]), (200, "updated", 2, 1))
    status, _, body = es.request("PUT", "/t/_doc/1", {"a": 3}, params={"version": 2})
    eq(status, 400)
    eq(body["error"]["type"], "action_request_validation_exception")
    eq(body["error"]["reason"], "Validation Failed: 1: internal versioning can not be used for optimistic concurrency "
                                "control. Please use `if_seq_no` and `if_primary_term` instead;")


# ---- _bulk -----------------------------------------------------------------------------------------

def test_bulk_items_shape():
    """items follow the actions in order, with ES's fields, results and statuses"""
    es = server()
    _, _, body = bulk(es, [
        {"index": {"_index": "b", "_id": "1"}}, {"n": 1},
        {"create": {"_index": "b"}}, {"n": 2},
        {"index": {"_index": "b", "_id": ""}}, {"n": 3},
        {"update": {"_index": "b", "_id": "1"}}, {"doc": {"m": 1}},
        {"update": {"_index": "b", "_id": "2"}}, {"doc": {"m": 1}},
        {"update": {"_index": "b", "_id": "3"}}, {"doc": {"m": 1}, "doc_as_upsert": True},
        {"update": {"_index": "b", "_id": "4"}}, {"doc": {"m": 1}, "upsert": {"u": 1}},
        {"update": {"_index": "b", "_id": "1"}}, {"doc": {"m": 1}},
        {"delete": {"_index": "b", "_id": "1"}},
    ])
    check(isinstance(body["took"], int), "took is an int")
    eq(body["errors"], True)
    got = items(body)
    eq([op for op, _ in got], ["index", "create", "index", "update", "update", "update", "update", "update",
                               "delete"])
    eq([it["status"] for _, it in got], [201, 201, 400, 200, 404, 201, 201, 200, 200])
    eq([it.get("result") for _, it in got], ["created", "created", None, "updated", None, "created", "created",
                                             "noop", "deleted"])
    eq(list(got[0][1]), ["_index", "_id", "_version", "result", "_shards", "_seq_no", "_primary_term", "status"])
    eq(got[0][1]["_shards"], {"total": 2, "successful": 1, "failed": 0})
    eq(len(got[1][1]["_id"]), 20)
    eq(got[2][1]["error"], {"type": "illegal_argument_exception", "reason": "if _id is specified it must not be empty"})
    eq(got[4][1]["error"]["type"], "document_missing_exception")
    eq(got[4][1]["error"]["reason"], "[2]: document missing")
    eq(got[7][1]["_shards"], {"total": 0, "successful": 0, "failed": 0})
    eq([it.get("_seq_no") for _, it in got], [0, 1, None, 2, None, 3, 4, 2, 5])
    docs = es.docs("b")
    eq(docs["3"]["_source"], {"m": 1})
    eq(docs["4"]["_source"], {"u": 1})
    check("1" not in docs, "document 1 deleted")


def test_bulk_request_errors():
    """malformed bulk bodies fail the whole request with ES's 400s"""
    es = server()
    cases = [
        (b'{"index":{"_index":"a"}}\n{"a":1}', "illegal_argument_exception",
         "The bulk request must be terminated by a newline [\\n]"),
        (b'{"index":{"_index":"a","_id":"1"}}\n{"a":1}\n{}\n', "illegal_argument_exception",
         "Malformed action/metadata line [3], expected FIELD_NAME but found [END_OBJECT]"),
        (b'{"upsert":{"_index":"a"}}\n{"a":1}\n', "illegal_argument_exception",
         "Malformed action/metadata line [1], expected field [create], [delete], [index] or [update] but found "
         "[upsert]"),
        (b'{"index":{"_index":"a","colour":"red"}}\n{"a":1}\n', "illegal_argument_exception",
         "Action/metadata line [1] contains an unknown parameter [colour]"),
        (b'{"index":{"_index":"a","_type":"_doc"}}\n{"a":1}\n', "illegal_argument_exception",
         "Action/metadata line [1] contains an unknown parameter [_type]"),
        (b'\n', "action_request_validation_exception", "Validation Failed: 1: no requests added;"),
        (b'{"index":{"_id":"1"}}\n{"a":1}\n', "action_request_validation_exception",
         "Validation Failed: 1: index is missing;"),
        (b'{"create":{"_index":"a","version":3,"version_type":"external"}}\n{"a":1}\n',
         "action_request_validation_exception",
         "Validation Failed: 1: create operations only support internal versioning. use index instead;"),
    ]
    for data, etype, reason in cases:
        status, _, body = es.request("POST", "/_bulk", data, content_type="application/x-ndjson")
        eq(status, 400, data)
        eq((body["error"]["type"], body["error"]["reason"]), (etype, reason), data)
    eq(es.stats()["bulk_items"], 0)


def test_bad_long_parameters():
    """a version (or if_seq_no) parameter that is not a long is ES's 400, on a read as on a write"""
    es = server()
    eq(es.request("PUT", "/t/_doc/1", {"v": 1}, params={"refresh": "true"})[0], 201)
    for path in ("/t/_doc/1", "/t/_doc/missing", "/t/_source/1"):
        for value in ("abc", "1.5", "", " 7", "1_000", "9223372036854775808"):
            status, _, body = es.request("GET", path, params={"version": value})
            eq(status, 400, (path, value))
            eq((body["error"]["type"], body["error"]["reason"]),
               ("illegal_argument_exception", "Failed to parse long parameter [version] with value [%s]" % value),
               (path, value))
    # A well-formed one still reads, or conflicts.
    eq(es.request("GET", "/t/_doc/1", params={"version": "1"})[0], 200)
    eq(es.request("GET", "/t/_doc/1", params={"version": "-9223372036854775808"})[0], 409)
    status, _, body = es.request("PUT", "/t/_doc/1", {"v": 2}, params={"if_seq_no": "x", "if_primary_term": "1"})
    eq((status, body["error"]["reason"]), (400, "Failed to parse long parameter [if_seq_no] with value [x]"))


def test_mappings():
    """mappings from create-index and PUT _mapping, dynamic mapping, per-item mapping errors"""
    es = server()
    es.ok("PUT", "/m", {"mappings": {"properties": {"n": {"type": "long"}, "d": {"type": "date"}}}})
    _, _, body = bulk(es, [
        {"index": {"_index": "m", "_id": "1"}},
        {"n": 1, "d": "2024-01-02T03:04:05Z", "s": "hello", "f": 1.5, "b": True, "o": {"x": 1}, "when": "2024-05-01"},
        {"index": {"_index": "m", "_id": "2"}}, {"n": "not a number"},
        {"index": {"_index": "m", "_id": "3"}}, {"d": "yesterday"},
        {"index": {"_index": "m", "_id": "4"}}, {"o": 5},
        {"index": {"_index": "m", "_id": "5"}}, {"n": "42", "b": "false"},
    ])
    got = items(body)
    eq([it["status"] for _, it in got], [201, 400, 400, 400, 201])
    err = got[1][1]["error"]
    eq(err["type"], "document_parsing_exception")
    eq(err["reason"], "[1:7] failed to parse field [n] of type [long] in document with id '2'. Preview of field's "
                      "value: 'not a number'")
    eq(err["caused_by"], {"type": "illegal_argument_exception", "reason": 'For input string: "not a number"'})
    eq(got[2][1]["error"]["caused_by"]["reason"],
       "failed to parse date field [yesterday] with format [strict_date_optional_time||epoch_millis]")
    eq(got[3][1]["error"]["reason"], "[1:7] object mapping for [o] tried to parse field [o] as object, but found a "
                                     "concrete value")
    props = es.ok("GET", "/m/_mapping")["m"]["mappings"]["properties"]
    eq(props["s"], {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}})
    eq((props["f"], props["b"], props["when"]), ({"type": "float"}, {"type": "boolean"}, {"type": "date"}))
    eq(props["o"], {"properties": {"x": {"type": "long"}}})
    status, _, body = es.request("PUT", "/m/_mapping", {"properties": {"n": {"type": "text"}}})
    eq(status, 400)
    eq(body["error"]["reason"], "mapper [n] cannot be changed from type [long] to [text]")
    es.ok("PUT", "/m/_mapping", {"properties": {"extra": {"type": "keyword"}}})
    check("extra" in es.ok("GET", "/m/_mapping")["m"]["mappings"]["properties"], "mapping merged")
    # Elasticsearch before 8.8 and OpenSearch name the error mapper_parsing_exception.
    for version in ("7.17.0", "opensearch:2.11.0"):
        old = server(version)
        old.ok("PUT", "/m", {"mappings": {"properties": {"n": {"type": "long"}}}})
        _, _, body = bulk(old, [{"index": {"_index": "m", "_id": "1"}}, {"n": "x"}])
        err = body["items"][0]["index"]["error"]
        eq(err["type"], "mapper_parsing_exception", version)
        eq(err["reason"], "failed to parse field [n] of type [long] in document with id '1'. Preview of field's "
                          "value: 'x'", version)
    # dynamic: strict refuses a new field.
    es.ok("PUT", "/strict", {"mappings": {"dynamic": "strict", "properties": {"a": {"type": "long"}}}})
    _, _, body = bulk(es, [{"index": {"_index": "strict", "_id": "1"}}, {"a": 1, "b": 2}])
    err = body["items"][0]["index"]["error"]
    eq(err["type"], "strict_dynamic_mapping_exception")
    eq(err["reason"], "[1:15] mapping set to strict, dynamic introduction of [b] within [_doc] is not allowed")


# ---- near-real-time ---------------------------------------------------------------------------------

def count(es, index):
    return es.ok("GET", "/%s/_count" % index)["count"]


def test_refresh_visibility():
    """writes reach _search/_count only after a refresh; GET by id is realtime"""
    es = server()
    es.ok("PUT", "/r", {"settings": {"index": {"refresh_interval": "-1"}}})
    es.ok("PUT", "/r/_doc/1", {"a": 1})
    eq(count(es, "r"), 0)
    eq(es.ok("GET", "/r/_search")["hits"]["total"], {"value": 0, "relation": "eq"})
    eq(es.ok("GET", "/r/_doc/1")["found"], True)
    eq(es.request("GET", "/r/_doc/1", params={"realtime": "false"})[0], 404)
    eq(es.ok("POST", "/r/_refresh")["_shards"], {"total": 2, "successful": 1, "failed": 0})
    eq(count(es, "r"), 1)
    # ?refresh=true refreshes before answering, and says so.
    body = es.ok("PUT", "/r/_doc/2", {"a": 2}, params={"refresh": "true"})
    eq(body["forced_refresh"], True)
    eq(count(es, "r"), 2)
    # A delete is invisible to search until a refresh too.
    es.ok("DELETE", "/r/_doc/1")
    eq(count(es, "r"), 2)
    _, _, body = bulk(es, [{"index": {"_index": "r", "_id": "3"}}, {"a": 3}], params={"refresh": "true"})
    eq(body["items"][0]["index"]["forced_refresh"], True)
    eq(count(es, "r"), 2)


def test_periodic_refresh_and_wait_for():
    """the refresh interval publishes writes; refresh=wait_for returns once they are visible"""
    es = server()
    es.ok("PUT", "/p", {"settings": {"index.refresh_interval": "200ms"}})
    es.ok("PUT", "/p/_doc/1", {"a": 1})
    wait_for(lambda: count(es, "p") == 1, what="periodic refresh")
    body = es.ok("PUT", "/p/_doc/2", {"a": 2}, params={"refresh": "wait_for"})
    check("forced_refresh" not in body, "wait_for does not force a refresh")
    eq(count(es, "p"), 2)
    _, _, body = bulk(es, [{"index": {"_index": "p", "_id": "3"}}, {"a": 3}], params={"refresh": "wait_for"})
    eq(count(es, "p"), 3)


def test_search_idle():
    """an index not searched for search.idle.after is refreshed by its next search, not by the clock"""
    es = server(refresh_interval="1h")
    es.ok("PUT", "/idle", {"settings": {"index.search.idle.after": "100ms"}})
    es.ok("PUT", "/idle/_doc/1", {"a": 1})
    time.sleep(0.2)
    eq(count(es, "idle"), 1)
    # Now active again: the next write waits for the (hour-long) interval.
    es.ok("PUT", "/idle/_doc/2", {"a": 2})
    eq(count(es, "idle"), 1)


def test_search_queries():
    """match_all, term, terms, ids, match, bool, range, size/from, sort, total hits"""
    es = server()
    docs = [{"name": "Alice Smith", "tag": "x", "n": 1}, {"name": "Bob Smith", "tag": "y", "n": 2},
            {"name": "Carol", "tag": "x", "n": 3}]
    lines = []
    for i, doc in enumerate(docs, 1):
        lines += [{"index": {"_index": "s", "_id": str(i)}}, doc]
    bulk(es, lines, params={"refresh": "true"})

    def ids(query, **params):
        body = es.ok("POST", "/s/_search", {"query": query, "sort": [{"n": "asc"}]}, params=params)
        return [h["_id"] for h in body["hits"]["hits"]]

    eq(ids({"match_all": {}}), ["1", "2", "3"])
    eq(ids({"term": {"tag.keyword": "x"}}), ["1", "3"])
    eq(ids({"term": {"name": "smith"}}), ["1", "2"])
    eq(ids({"term": {"name": "Smith"}}), [])
    eq(ids({"terms": {"n": [1, 3]}}), ["1", "3"])
    eq(ids({"ids": {"values": ["2", "3", "9"]}}), ["2", "3"])
    eq(ids({"match": {"name": "alice carol"}}), ["1", "3"])
    eq(ids({"bool": {"must": [{"match": {"name": "smith"}}], "must_not": [{"term": {"n": 1}}]}}), ["2"])
    eq(ids({"range": {"n": {"gte": 2}}}), ["2", "3"])
    eq(ids({"match_all": {}}, size=1, **{"from": 1}), ["2"])
    body = es.ok("POST", "/s/_search", {"sort": [{"n": "desc"}], "size": 1})
    eq(body["hits"]["hits"][0]["sort"], [3])
    eq(body["hits"]["max_score"], None)
    body = es.ok("POST", "/s/_search", {"track_total_hits": 2, "size": 0})
    eq(body["hits"]["total"], {"value": 2, "relation": "gte"})
    body = es.ok("GET", "/s/_search", params={"q": "tag:x", "rest_total_hits_as_int": "true"})
    eq(body["hits"]["total"], 2)
    eq(es.ok("POST", "/s/_count", {"query": {"term": {"tag.keyword": "y"}}})["count"], 1)
    status, _, body = es.request("POST", "/s/_search", {"query": {"fuzzy_thing": {}}})
    eq((status, body["error"]["type"], body["error"]["reason"]), (400, "parsing_exception", "unknown query [fuzzy_thing]"))
    status, _, body = es.request("POST", "/s/_search", {"match": {"tag": "x"}})
    eq((status, body["error"]["reason"]), (400, "Unknown key for a START_OBJECT in [match]."))
    status, _, body = es.request("GET", "/missing/_search")
    eq((status, body["error"]["type"]), (404, "index_not_found_exception"))


# ---- closed indices ---------------------------------------------------------------------------------

def test_closed_index():
    """writes, reads and searches on a closed index fail with index_closed_exception"""
    es = server()
    es.ok("PUT", "/c")
    body = es.ok("POST", "/c/_close")
    eq(body, {"acknowledged": True, "shards_acknowledged": True, "indices": {"c": {"closed": True}}})
    status, _, body = es.request("PUT", "/c/_doc/1", {"a": 1})
    eq((status, body["error"]["type"], body["error"]["reason"]), (400, "index_closed_exception", "closed"))
    _, _, body = bulk(es, [{"index": {"_index": "c", "_id": "1"}}, {"a": 1}])
    item = body["items"][0]["index"]
    eq((item["status"], item["error"]["type"]), (400, "index_closed_exception"))
    eq(es.request("GET", "/c/_search")[0], 400)
    eq(es.request("GET", "/c/_doc/1")[0], 400)
    es.ok("POST", "/c/_open")
    eq(es.request("PUT", "/c/_doc/1", {"a": 1})[0], 201)


# ---- security -----------------------------------------------------------------------------------------

def test_basic_and_api_key_auth():
    """401 with WWW-Authenticate without good credentials, 403 for a role without the right"""
    es = server(users=["elastic:secret", "reader:rpw:reader", "indexer:ipw:indexer"],
                api_keys=["k1:topsecret:writer"])
    status, headers, body = es.request("GET", "/")
    eq(status, 401)
    eq(headers["www-authenticate"], 'Basic realm="security" charset="UTF-8", Bearer realm="security", ApiKey')
    eq(body["error"]["type"], "security_exception")
    eq(body["error"]["reason"], "missing authentication credentials for REST request [/]")
    status, _, body = es.request("GET", "/", auth=("elastic", "wrong"))
    eq((status, body["error"]["reason"]), (401, "unable to authenticate user [elastic] for REST request [/]"))
    eq(es.request("GET", "/", auth=("elastic", "secret"))[0], 200)
    eq(es.request("GET", "/", api_key=("k1", "topsecret"))[0], 200)
    eq(es.request("GET", "/", api_key=("k1", "nope"))[0], 401)
    eq(es.request("GET", "/", auth=("reader", "rpw"))[0], 200)
    status, _, body = bulk(es, [{"index": {"_index": "a", "_id": "1"}}, {"a": 1}], auth=("reader", "rpw"))
    eq(status, 403)
    check(body["error"]["reason"].startswith("action [indices:data/write/bulk] is unauthorized for user [reader]"),
          body["error"]["reason"])
    # An indexer may write but not create an index: an auto-create fails per item.
    status, _, body = bulk(es, [{"index": {"_index": "a", "_id": "1"}}, {"a": 1}], auth=("indexer", "ipw"))
    eq(status, 200)
    item = body["items"][0]["index"]
    eq((item["status"], item["error"]["type"]), (403, "security_exception"))
    eq(es.request("PUT", "/a", auth=("indexer", "ipw"))[0], 403)
    eq(es.request("PUT", "/a", api_key=("k1", "topsecret"))[0], 200)
    _, _, body = bulk(es, [{"index": {"_index": "a", "_id": "1"}}, {"a": 1}], auth=("indexer", "ipw"))
    eq(body["items"][0]["index"]["status"], 201)
    # The admin endpoint needs no credentials.
    eq(es.stats()["requests_by_status"]["401"], 3)
    # OpenSearch's security plugin answers 401 in plain text.
    osrv = server("opensearch:2.11.0", users=["admin:admin"])
    status, headers, body = osrv.request("GET", "/")
    eq((status, body, headers["www-authenticate"]), (401, "Unauthorized", 'Basic realm="OpenSearch Security"'))


def test_tls():
    """--tls-cert serves HTTPS; a client trusting the certificate talks to it"""
    directory = harness.tmpdir()
    cert, key = es_fixture.make_cert(directory)
    es = server(tls=(cert, key))
    eq(es.url.startswith("https://"), True)
    eq(es.ok("GET", "/")["version"]["number"], "8.11.0")
    raw = socket.create_connection(("127.0.0.1", es.port))
    raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    raw.settimeout(10)
    try:
        reply = raw.recv(100)
    except (ConnectionError, socket.timeout):
        reply = b""
    raw.close()
    check(not reply.startswith(b"HTTP/1.1 200"), "plain HTTP is not answered on the TLS port")


# ---- HTTP details ---------------------------------------------------------------------------------------

def test_http_details():
    """gzip bodies both ways, keep-alive, 406/405/400/413 as Elasticsearch answers them"""
    es = server(args=["--max-content-length", "100000"])
    status, _, body = bulk(es, [{"index": {"_index": "g", "_id": "1"}}, {"a": 1}], gzip_body=True)
    eq((status, body["errors"]), (200, False))
    eq(es.stats()["gzip_requests"], 1)
    status, headers, body = es.request("GET", "/", headers={"Accept-Encoding": "gzip"})
    eq((status, headers.get("content-encoding")), (200, "gzip"))
    conn = http.client.HTTPConnection("127.0.0.1", es.port)
    for _ in range(3):
        conn.request("GET", "/g/_doc/1")
        resp = conn.getresponse()
        eq(resp.status, 200)
        resp.read()
    conn.close()
    status, _, body = es.request("PUT", "/g/_doc/2", b'{"a":1}', headers={"Content-Type": "text/plain"})
    eq((status, body), (406, {"error": "Content-Type header [text/plain] is not supported", "status": 406}))
    status, _, body = es.request("GET", "/g/_bulk")
    eq(status, 405)
    eq(body["error"], "Incorrect HTTP method for uri [/g/_bulk] and method [GET], allowed: [POST, PUT]")
    status, _, body = es.request("GET", "/a/b/c/d/e")
    eq((status, body["error"]), (400, "no handler found for uri [/a/b/c/d/e] and method [GET]"))
    status, _, body = es.request("POST", "/_bulk", [{"index": {"_index": "g"}}, {"a": 1}], params={"refersh": "true"})
    eq(status, 400)
    eq(body["error"]["reason"], "request [/_bulk] contains unrecognized parameter: [refersh] -> did you mean "
                                "[refresh]?")
    status, _, _ = es.request("POST", "/_bulk", [{"index": {"_index": "g"}}, {"a": "x" * 200000}])
    eq(status, 413)


def test_urllib_client():
    """a plain urllib client sees the same answers (JSON content type, status codes)"""
    es = server()
    with urllib.request.urlopen(es.url + "/") as resp:
        eq(resp.headers["Content-Type"], "application/json")
        eq(json.load(resp)["tagline"], "You Know, for Search")
    req = urllib.request.Request(es.url + "/u/_doc/1", data=b'{"a":1}', method="PUT", headers=JSON)
    with urllib.request.urlopen(req) as resp:
        eq(resp.status, 201)
        eq(resp.headers["Location"], "/u/_doc/1")
    try:
        urllib.request.urlopen(es.url + "/u/_doc/2")
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as e:
        eq(e.code, 404)
        eq(json.load(e), {"_index": "u", "_id": "2", "found": False})


# ---- faults --------------------------------------------------------------------------------------------

def test_fault_whole_request_status():
    """a status fault answers N requests (or T seconds) with 429 + Retry-After or 503, applying nothing"""
    es = server()
    es.fault(status=429, count=2, retry_after=3, path="_bulk")
    lines = [{"index": {"_index": "f", "_id": "1"}}, {"a": 1}]
    for _ in range(2):
        status, headers, body = bulk(es, lines)
        eq(status, 429)
        eq(headers["retry-after"], "3")
        eq(body["error"]["type"], "es_rejected_execution_exception")
        eq(body["status"], 429)
    eq(es.request("GET", "/")[0], 200)
    eq(bulk(es, lines)[0], 200)
    eq(es.docs("f")["1"]["_version"], 1)
    es.fault(status=503, seconds=3600)
    status, _, body = es.request("GET", "/")
    eq((status, body["error"]["type"]), (503, "cluster_block_exception"))
    es.clear_faults()
    eq(es.request("GET", "/")[0], 200)
    stats = es.stats()
    eq(stats["faults"]["status"], 3)
    eq(stats["bulk_requests"], 1)
    # The OpenSearch flavour names its rejection without the "es_".
    osrv = server("opensearch:2.11.0")
    osrv.fault(status=429, count=1)
    eq(osrv.request("GET", "/")[2]["error"]["type"], "rejected_execution_exception")


def test_fault_item_rejections():
    """an item fault rejects items with 429 es_rejected_execution_exception and does not apply them"""
    es = server()
    es.fault(item_status=429, count=2)
    lines = []
    for i in range(4):
        lines += [{"index": {"_index": "i", "_id": str(i)}}, {"n": i}]
    _, _, body = bulk(es, lines)
    eq(body["errors"], True)
    got = items(body)
    eq([it["status"] for _, it in got], [429, 429, 201, 201])
    eq(got[0][1]["error"]["type"], "es_rejected_execution_exception")
    eq(sorted(es.docs("i")), ["2", "3"])
    _, _, body = bulk(es, lines)
    eq([it["status"] for _, it in items(body)], [201, 201, 200, 200])
    es.fault(item_status=429, fraction=0.5, seed=7)
    _, _, body = bulk(es, lines * 10)
    statuses = [it["status"] for _, it in items(body)]
    check(0 < statuses.count(429) < len(statuses), "a fraction of items rejected: %r" % statuses)
    eq(es.stats()["faults"]["item_status"], 2 + statuses.count(429))


def test_fault_delay_and_drop():
    """delays are counted; a dropped connection gets no answer, before or after applying the request"""
    es = server()
    es.fault(delay_ms=50, count=1)
    eq(es.request("GET", "/")[0], 200)
    eq(es.stats()["faults"]["delay"], 1)
    es.fault(drop="before", count=1, path="_bulk")
    lines = [{"index": {"_index": "d", "_id": "1"}}, {"a": 1}]
    try:
        bulk(es, lines)
        raise AssertionError("expected the connection to be dropped")
    except (http.client.RemoteDisconnected, ConnectionError):
        pass
    eq(es.request("HEAD", "/d")[0], 404)
    es.fault(drop="after", count=1, path="_bulk")
    try:
        bulk(es, lines)
        raise AssertionError("expected the connection to be dropped")
    except (http.client.RemoteDisconnected, ConnectionError):
        pass
    # Applied although the client never heard back: a retry must be idempotent.
    eq(es.docs("d")["1"]["_version"], 1)
    eq(es.stats()["faults"]["drop"], 2)
    eq(bulk(es, lines)[0], 200)


def test_fault_admin_errors():
    """/_fault refuses rules it cannot apply"""
    es = server()
    for spec in ({"colour": "red"}, {"count": 1}, {"drop": "sideways"}, {"status": 429, "item_status": 429}):
        status, _, body = es.request("POST", "/_fault", spec)
        eq(status, 400, spec)
    eq(es.faults(), [])


# ---- older and other servers ------------------------------------------------------------------------------

def test_typed_6x():
    """6.x: one type per index, _type in bulk metadata and in every answer"""
    es = server("6.8.0")
    status, _, body = es.request("PUT", "/t/_doc/1", {"a": 1})
    eq((status, body["_type"], body["result"]), (201, "_doc", "created"))
    _, _, body = bulk(es, [{"index": {"_index": "t", "_type": "_doc", "_id": "2"}}, {"a": 2},
                           {"index": {"_index": "t", "_type": "other", "_id": "3"}}, {"a": 3}])
    got = items(body)
    eq((got[0][1]["status"], got[0][1]["_type"]), (201, "_doc"))
    eq(got[1][1]["status"], 400)
    eq(got[1][1]["error"]["reason"], "Rejecting mapping update to [t] as the final mapping would have more than 1 type: "
                                     "[_doc, other]")
    status, _, body = es.request("POST", "/_bulk", [{"index": {"_index": "t", "_id": "4"}}, {"a": 4}])
    eq((status, body["error"]["reason"]), (400, "Validation Failed: 1: type is missing;"))
    mapping = es.ok("GET", "/t/_mapping")
    eq(list(mapping["t"]["mappings"]), ["_doc"])
    _, _, body = bulk(es, [{"index": {"_index": "t", "_type": "_doc", "_id": "1", "version": 1,
                                      "version_type": "external"}}, {"a": 1}])
    eq(body["items"][0]["index"]["error"]["reason"],
       "[_doc][1]: version conflict, current version [1] is higher or equal to the one provided [1]")
    eq(es.ok("GET", "/t/_doc/1")["_type"], "_doc")
    body = es.ok("GET", "/t/_search")
    check(isinstance(body["hits"]["total"], int), "6.x prints hits.total as a number")


def test_typed_5x_custom_types():
    """5.x: the client's own type names (Confluent's type.name), several per index"""
    es = server("5.6.16")
    _, _, body = bulk(es, [{"index": {"_index": "t", "_type": "kafka-connect", "_id": "1"}}, {"a": 1},
                           {"index": {"_index": "t", "_type": "other", "_id": "1"}}, {"a": 2}])
    got = items(body)
    eq([it["status"] for _, it in got], [201, 201])
    eq(got[0][1]["created"], True)
    check("_seq_no" not in got[0][1], "5.x has no seq_no")
    eq(es.ok("GET", "/t/kafka-connect/1")["_source"], {"a": 1})
    eq(es.ok("GET", "/t/other/1")["_source"], {"a": 2})
    eq(sorted(es.ok("GET", "/t/_mapping")["t"]["mappings"]), ["kafka-connect", "other"])


def test_7x_prints_type():
    """7.x accepts _type _doc in bulk and prints "_type":"_doc"; OpenSearch 2 prints no _type"""
    es = server("7.17.0")
    _, _, body = bulk(es, [{"index": {"_index": "t", "_id": "1"}}, {"a": 1}])
    eq(body["items"][0]["index"]["_type"], "_doc")
    osrv = server("opensearch:2.11.0")
    _, _, body = bulk(osrv, [{"index": {"_index": "t", "_id": "1"}}, {"a": 1}])
    check("_type" not in body["items"][0]["index"], "OpenSearch 2 prints no _type")


def test_data_streams():
    """8.x data streams: create op only, @timestamp required, .ds- backing indices"""
    es = server()
    _, _, body = bulk(es, [
        {"create": {"_index": "logs-app-default"}}, {"@timestamp": "2024-01-01T00:00:00Z", "msg": "a"},
        {"index": {"_index": "logs-app-default"}}, {"@timestamp": "2024-01-01T00:00:00Z", "msg": "b"},
        {"create": {"_index": "logs-app-default"}}, {"msg": "c"},
    ])
    got = items(body)
    eq([it["status"] for _, it in got], [201, 400, 400])
    check(got[0][1]["_index"].startswith(".ds-logs-app-default-") and got[0][1]["_index"].endswith("-000001"),
          got[0][1]["_index"])
    eq(got[1][1]["error"]["reason"], "only write ops with an op_type of create are allowed in data streams")
    eq(got[2][1]["error"]["type"], "document_parsing_exception")
    check("data stream timestamp field [@timestamp] is missing" in got[2][1]["error"]["reason"],
          got[2][1]["error"]["reason"])
    streams = es.ok("GET", "/_data_stream/logs-app-default")["data_streams"]
    eq([s["name"] for s in streams], ["logs-app-default"])
    eq(streams[0]["indices"][0]["index_name"], got[0][1]["_index"])
    es.ok("POST", "/logs-app-default/_refresh")
    eq(es.ok("GET", "/logs-app-default/_count")["count"], 1)
    status, _, body = es.request("PUT", "/logs-x-y")
    eq(status, 400)
    check("creates data streams only" in body["error"]["reason"], body["error"]["reason"])
    # A template of one's own makes data streams of other names.
    es.ok("PUT", "/_index_template/events", {"index_patterns": ["events-*"], "data_stream": {}, "priority": 200})
    _, _, body = bulk(es, [{"create": {"_index": "events-x"}}, {"@timestamp": 1700000000000}])
    eq(body["items"][0]["create"]["status"], 201)
    # 7.10 names backing indices without a date.
    old = server("7.10.2")
    _, _, body = bulk(old, [{"create": {"_index": "logs-a-b"}}, {"@timestamp": "2024-01-01"}])
    eq(body["items"][0]["create"]["_index"], ".ds-logs-a-b-000001")


def test_filter_path_and_pretty():
    """?filter_path keeps what the patterns name; ?pretty indents"""
    es = server()
    _, _, body = bulk(es, [{"index": {"_index": "x", "_id": "1"}}, {"a": 1}],
                      params={"filter_path": "errors,items.*.status"})
    eq(body, {"errors": False, "items": [{"index": {"status": 201}}]})
    status, _, raw = es.request("GET", "/", params={"pretty": ""}, raw=True)
    check(raw.startswith(b"{\n  \"name\" : "), raw[:40])


def test_sink_like_session():
    """what Confluent's sink does, end to end: GET /, HEAD/PUT index, mapping, external-version bulk replayed"""
    es = server(users=["elastic:secret"])
    auth = ("elastic", "secret")
    eq(es.request("GET", "/", auth=auth)[2]["version"]["number"], "8.11.0")
    eq(es.request("HEAD", "/cdc.public.orders", auth=auth)[0], 404)
    es.ok("PUT", "/cdc.public.orders", {"mappings": {"properties": {"id": {"type": "long"},
                                                                    "total": {"type": "double"}}}}, auth=auth)
    batch = []
    for offset in range(5):
        batch += [{"index": {"_index": "cdc.public.orders", "_id": str(offset % 2), "version": offset,
                             "version_type": "external"}}, {"id": offset % 2, "total": offset * 1.5}]
    batch += [{"delete": {"_index": "cdc.public.orders", "_id": "1", "version": 5, "version_type": "external"}}]
    _, _, first = bulk(es, batch, auth=auth)
    eq(first["errors"], False)
    # The replay after a restart: every item a version conflict, nothing changes.
    _, _, replay = bulk(es, batch, auth=auth)
    eq([it["status"] for _, it in items(replay)], [409] * 6)
    docs = es.docs("cdc.public.orders")
    eq(sorted(docs), ["0"])
    eq((docs["0"]["_version"], docs["0"]["_source"]), (4, {"id": 0, "total": 6.0}))
    log = es.log()
    eq([e["authorization"] for e in log if e["path"] == "/_bulk"], ["Basic", "Basic"])


if __name__ == "__main__":
    harness.main(globals())
