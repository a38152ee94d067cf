#!/usr/bin/python3
"""An in-memory Elasticsearch-compatible HTTP/1.1 server for the tests.

No Elasticsearch can be installed on the machines the tests run on, so the
Elasticsearch sink is tested against this server.  It answers what a sink
(ours, Confluent's, a client library) sends, the way Elasticsearch answers
it: the same paths, status codes, error types and reasons, response fields
in the same order, and the same semantics where they matter to a sink:

    GET /                  {"name", "cluster_name", "cluster_uuid", "version": {"number", ...}, "tagline"}
    PUT /orders            {"acknowledged":true,"shards_acknowledged":true,"index":"orders"}
    POST /_bulk            {"index":{"_index":"orders","_id":"1","version":7,"version_type":"external"}}
                           {"id":1,"total":12.5}
                        -> {"took":1,"errors":false,"items":[{"index":{"_index":"orders","_id":"1",
                            "_version":7,"result":"created","_shards":{"total":2,"successful":1,"failed":0},
                            "_seq_no":0,"_primary_term":1,"status":201}}]}

The server speaks one generation at a time, chosen at start (--version):
Elasticsearch 8.x and 7.x and OpenSearch 1.x/2.x are typeless (7.x and
OpenSearch 1.x still print "_type":"_doc"), 6.x wants the single type of an
index (`_doc` or a name of the client's choosing) and 5.x allows several.

What it keeps: indices (settings, mappings with dynamic mapping, documents
with version, seq_no and primary term, tombstones of deleted documents so an
external version keeps conflicting after a delete), index templates and data
streams.  Search is near-real-time as in Elasticsearch: a write is visible
to GET by id at once, to _search and _count only after a refresh (explicit,
?refresh, or the periodic one every index.refresh_interval, 1 s by default,
skipped while the index is search-idle as Elasticsearch 7+ does).

Tests steer it through /_fault (see tests/es/README.md): whole-request
errors (429 with Retry-After, 503) for the next N requests or T seconds,
per-item rejections in _bulk, slow answers, dropped connections, and
counters of what it saw.  Those admin paths never need credentials.

One lock guards all the state: requests are handled on one thread per
connection, each takes the lock for the time it reads or changes indices, so
a bulk request is applied as a whole before the next one starts, which is
what the tests need to reason about order (Elasticsearch gives no more).

Run: es_server.py --port 0 --version 8.11.0 --port-file F   (stdlib only; /usr/bin/python3)
"""

import argparse
import base64
import datetime
import difflib
import fnmatch
import gzip
import hashlib
import http.server
import ipaddress
import json
import math
import os
import random
import re
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
import zlib

# ---- versions ------------------------------------------------------------------------------------

# Lucene releases as Elasticsearch and OpenSearch report them in GET /, by
# (distribution, major, minor); the closest lower entry is used.
LUCENE = {
    ("elasticsearch", 5, 0): "6.2.0", ("elasticsearch", 5, 6): "6.6.1",
    ("elasticsearch", 6, 0): "7.0.1", ("elasticsearch", 6, 8): "7.7.3",
    ("elasticsearch", 7, 0): "8.0.0", ("elasticsearch", 7, 10): "8.7.0", ("elasticsearch", 7, 17): "8.11.3",
    ("elasticsearch", 8, 0): "9.0.0", ("elasticsearch", 8, 5): "9.4.1", ("elasticsearch", 8, 8): "9.6.0",
    ("elasticsearch", 8, 11): "9.8.0", ("elasticsearch", 8, 13): "9.10.0", ("elasticsearch", 8, 15): "9.11.1",
    ("elasticsearch", 9, 0): "10.1.0",
    ("opensearch", 1, 0): "8.8.2", ("opensearch", 1, 3): "8.10.1",
    ("opensearch", 2, 0): "9.1.0", ("opensearch", 2, 11): "9.7.0", ("opensearch", 2, 17): "9.11.1",
    ("opensearch", 3, 0): "10.1.0",
}

# minimum_wire_compatibility_version / minimum_index_compatibility_version by major.
COMPAT = {
    ("elasticsearch", 6): ("5.6.0", "5.0.0"), ("elasticsearch", 7): ("6.8.0", "6.0.0-beta1"),
    ("elasticsearch", 8): ("7.17.0", "7.0.0"), ("elasticsearch", 9): ("8.18.0", "8.0.0"),
    ("opensearch", 1): ("6.8.0", "6.0.0-beta1"), ("opensearch", 2): ("7.10.0", "7.0.0"),
    ("opensearch", 3): ("2.19.0", "2.0.0"),
}


def parse_version(text):
    """(major, minor, patch) of "8.11.0", "7.17.3-SNAPSHOT" or "6.0.0-beta1"."""
    nums = re.findall(r"\d+", text.split("-")[0])
    nums = [int(n) for n in nums[:3]] + [0] * (3 - len(nums[:3]))
    return tuple(nums)


class Flavor:
    """The server generation being imitated, and every behaviour that
    depends on it, named, so handlers ask `flavor.typed` rather than compare
    version numbers."""

    def __init__(self, number, distribution="elasticsearch"):
        self.distribution = distribution
        self.number = number
        self.v = parse_version(number)
        self.major = self.v[0]
        es = distribution == "elasticsearch"
        self.opensearch = not es
        # Types: 5.x any number per index, 6.x exactly one, 7+ typeless.
        self.typed = es and self.major < 7
        self.multi_type = es and self.major < 6
        # "_type" still printed by 7.x (always "_doc") and OpenSearch 1.x.
        self.prints_type = (es and self.major < 8) or (not es and self.major < 2)
        self.typed_paths = es and self.major < 8
        self.seq_no = not (es and self.major < 6)
        self.total_hits_object = not (es and self.major < 7)
        self.default_shards = 5 if es and self.major < 7 else 1
        self.colon_forbidden = not (es and self.major < 7)
        self.content_type_required = not (es and self.major < 6)
        self.data_streams = (not es) or self.v >= (7, 9, 0)
        self.dated_backing_indices = es and self.v >= (7, 11, 0)
        self.builtin_ds_templates = es and self.v >= (7, 9, 0)
        self.composable_templates = (not es) or self.v >= (7, 8, 0)
        # 8.8 renamed the per-document parsing error and put the source
        # position in front of its reason.
        self.parsing_error = ("document_parsing_exception" if es and self.v >= (8, 8, 0)
                              else "mapper_parsing_exception")
        self.parsing_location = es and self.v >= (8, 8, 0)
        # OpenSearch strips its own name from exception class names.
        self.rejected_type = "rejected_execution_exception" if self.opensearch else "es_rejected_execution_exception"
        self.product_header = es and self.v >= (7, 14, 0)
        self.bulk_type_param = (es and self.major < 8) or (not es and self.major < 2)
        self.created_flag = es and self.major < 6

    def conflict_prefix(self, doc_type, doc_id):
        if self.typed:
            return "[%s][%s]: " % (doc_type, doc_id)
        return "[%s]: " % doc_id

    def lucene_version(self):
        best = None
        for (dist, major, minor), lucene in LUCENE.items():
            if dist == self.distribution and (major, minor) <= self.v[:2]:
                if best is None or (major, minor) > best[0]:
                    best = ((major, minor), lucene)
        return best[1] if best else "8.0.0"

    def info(self, node_name, cluster_name, cluster_uuid):
        """The body of GET /, field for field as the real server of this
        version prints it."""
        v = {}
        if self.opensearch:
            v["distribution"] = "opensearch"
        v["number"] = self.number
        if not self.opensearch and self.v >= (6, 3, 0):
            v["build_flavor"] = "default"
        if self.opensearch or self.v >= (6, 3, 0):
            v["build_type"] = "tar"
        v["build_hash"] = hashlib.sha1(("%s-%s" % (self.distribution, self.number)).encode()).hexdigest()
        v["build_date"] = "2023-11-04T10:04:57.184859352Z"
        v["build_snapshot"] = False
        v["lucene_version"] = self.lucene_version()
        compat = COMPAT.get((self.distribution, self.major))
        if compat:
            v["minimum_wire_compatibility_version"] = compat[0]
            v["minimum_index_compatibility_version"] = compat[1]
        tagline = ("The OpenSearch Project: https://opensearch.org/" if self.opensearch
                   else "You Know, for Search")
        return {"name": node_name, "cluster_name": cluster_name, "cluster_uuid": cluster_uuid,
                "version": v, "tagline": tagline}


# ---- errors --------------------------------------------------------------------------------------

class EsError(Exception):
    """An Elasticsearch exception: rendered as {"error": {...}, "status": N}
    for a whole request, or as an item's "error" object in _bulk.

    `meta` are the extra fields Elasticsearch prints after type and reason
    (index_uuid, shard, index, resource.type, ...), in order.  `cause` is the
    exception it wraps; `es_cause` says whether that one is an Elasticsearch
    exception itself, which decides the root cause exactly as
    ElasticsearchException.guessRootCauses() does (a wrapped
    IllegalArgumentException is printed as caused_by but is never the root)."""

    def __init__(self, status, etype, reason, meta=None, cause=None, headers=None):
        super().__init__(reason)
        self.status = status
        self.etype = etype
        self.reason = reason
        self.meta = list(meta or [])
        self.cause = cause
        self.headers = headers or []

    def es_chain(self):
        err = self
        while err.cause is not None and getattr(err.cause, "is_es", True):
            err = err.cause
        return err

    def body(self, with_cause=True):
        out = {"type": self.etype, "reason": self.reason}
        for key, value in self.meta:
            out[key] = value
        if with_cause and self.cause is not None:
            out["caused_by"] = self.cause.body()
        return out

    def envelope(self):
        root = self.es_chain().body(with_cause=False)
        error = {"root_cause": [root]}
        error.update(self.body())
        return {"error": error, "status": self.status}


class Cause(EsError):
    """A wrapped exception that is not an Elasticsearch one (a Java
    IllegalArgumentException, a Jackson parse error): printed as caused_by,
    never chosen as the root cause."""
    is_es = False

    def __init__(self, etype, reason, cause=None):
        super().__init__(0, etype, reason, cause=cause)


class PlainError(Exception):
    """The errors Elasticsearch prints as a bare string: {"error":"...","status":N}."""

    def __init__(self, status, text, headers=None):
        super().__init__(text)
        self.status = status
        self.text = text
        self.headers = headers or []


def index_meta(index_name, index_uuid="_na_"):
    return [("index_uuid", index_uuid), ("index", index_name)]


def shard_meta(idx, shard=0):
    return [("index_uuid", idx.uuid), ("shard", str(shard)), ("index", idx.name)]


def bad_request(reason, etype="illegal_argument_exception", cause=None):
    return EsError(400, etype, reason, cause=cause)


def validation_error(messages):
    """ActionRequestValidationException: every problem numbered, each ending in ';'."""
    text = "Validation Failed: " + "".join("%d: %s;" % (i + 1, m) for i, m in enumerate(messages))
    return EsError(400, "action_request_validation_exception", text)


def index_not_found(name):
    return EsError(404, "index_not_found_exception", "no such index [%s]" % name,
                   [("resource.type", "index_or_alias"), ("resource.id", name)] + index_meta(name))


def index_closed(idx):
    return EsError(400, "index_closed_exception", "closed", index_meta(idx.name, idx.uuid))


# ---- JSON ----------------------------------------------------------------------------------------

class Raw:
    """JSON text sent as it was received: Elasticsearch returns a document's
    _source byte for byte (key order, spacing, 1.0 vs 1), never re-encoded."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


_RAW_MARK = re.compile(r'"\\u0000raw(\d+)\\u0000"')


def dumps(obj, pretty=False):
    """Compact JSON as Elasticsearch prints it (or its ?pretty form), with
    Raw values spliced in unchanged."""
    raws = []

    def default(o):
        if isinstance(o, Raw):
            if pretty:
                return json.loads(o.text)
            raws.append(o.text)
            return "\x00raw%d\x00" % (len(raws) - 1)
        raise TypeError("not JSON: %r" % (o,))

    if pretty:
        text = json.dumps(obj, default=default, indent=2, ensure_ascii=False,
                          separators=(",", " : "))
        return text + "\n"
    text = json.dumps(obj, default=default, separators=(",", ":"), ensure_ascii=False)
    if raws:
        text = _RAW_MARK.sub(lambda m: raws[int(m.group(1))], text)
    return text


class JsonError(Exception):
    def __init__(self, message, line=1, col=1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def _no_duplicates(pairs):
    # Elasticsearch 6+ parses with strict duplicate detection.
    out = {}
    for key, value in pairs:
        if key in out:
            raise JsonError("Duplicate field '%s'" % key)
        out[key] = value
    return out


def _no_constant(name):
    raise JsonError("Non-standard token '%s': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow" % name)


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def loads(text):
    """Strict JSON as Elasticsearch's parser reads it; JsonError on anything else."""
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise JsonError("Unexpected character or end of input: %s" % e.msg, e.lineno, e.colno)


def parse_error(err, what="byte[]"):
    """The 400 Elasticsearch answers for a body that is not JSON (Jackson's
    message and position)."""
    return EsError(400, "json_parse_exception", "%s\n at [Source: (%s); line: %d, column: %d]"
                   % (err.message, what, err.line, err.col))


def java_repr(value):
    """A value as Java's toString prints it: the "Preview of field's value"
    in mapping errors ({a=1}, [1, 2], true)."""
    if isinstance(value, dict):
        return "{" + ", ".join("%s=%s" % (k, java_repr(v)) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_repr(v) for v in value) + "]"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def token_name(value):
    """The Jackson token a JSON value starts with, as parse errors name it."""
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, str):
        return "VALUE_STRING"
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, int):
        return "VALUE_NUMBER_INT"
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT"
    return "VALUE_NULL"


def now_ms():
    return int(time.time() * 1000)


def parse_time_value(text, setting):
    """Seconds of an Elasticsearch time value ("1s", "500ms", "2m"); None for -1."""
    text = str(text).strip()
    if text == "-1":
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)", text)
    if not m:
        raise bad_request("failed to parse setting [%s] with value [%s] as a time value: unit is missing or "
                          "unrecognized" % (setting, text))
    scale = {"nanos": 1e-9, "micros": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}
    return float(m.group(1)) * scale[m.group(2)]


def parse_bool_param(value, name):
    """A boolean request parameter: "" and "true" are true (a bare ?pretty)."""
    if value in ("", "true"):
        return True
    if value == "false":
        return False
    raise bad_request("Failed to parse value [%s] as only [true] or [false] are allowed." % value)


# ---- index names ---------------------------------------------------------------------------------

# Strings.INVALID_FILENAME_CHARS as Elasticsearch prints it (a HashSet's order).
INVALID_FILENAME_TEXT = '[ , ", *, \\, <, |, ,, >, /, ?]'


def check_index_name(name, flavor, alias=False):
    """MetadataCreateIndexService.validateIndexName: the rules in the order
    Elasticsearch applies them, so the first broken rule is the one named.
    Alias names follow the same rules but the lowercase one."""
    reason = None
    if name == "":
        reason = "must not be empty"
    elif any(c in '\\/*?"<>| ,' for c in name):
        reason = "must not contain the following characters " + INVALID_FILENAME_TEXT
    elif "#" in name:
        reason = "must not contain '#'"
    elif flavor.colon_forbidden and ":" in name:
        reason = "must not contain ':'"
    elif name[0] in "_-+":
        reason = "must not start with '_', '-', or '+'"
    elif len(name.encode("utf-8")) > 255:
        reason = "index name is too long, (%d > 255)" % len(name.encode("utf-8"))
    elif name in (".", ".."):
        reason = "must not be '.' or '..'"
    elif name.lower() != name and not alias:
        reason = "must be lowercase"
    if reason:
        what = "alias" if alias else "index"
        raise EsError(400, "invalid_%s_name_exception" % what, "Invalid %s name [%s], %s" % (what, name, reason),
                      index_meta(name))


def check_type_name(doc_type):
    if doc_type.startswith("_") and doc_type != "_doc":
        raise EsError(400, "invalid_type_name_exception",
                      "mapping type name [%s] can't start with '_' unless it is called [_doc]" % doc_type)


# ---- mappings ------------------------------------------------------------------------------------

INTEGER_RANGES = {
    "long": (-2 ** 63, 2 ** 63 - 1), "integer": (-2 ** 31, 2 ** 31 - 1),
    "short": (-2 ** 15, 2 ** 15 - 1), "byte": (-2 ** 7, 2 ** 7 - 1), "unsigned_long": (0, 2 ** 64 - 1),
}
FLOAT_TYPES = {"double", "float", "half_float", "scaled_float"}
OBJECT_TYPES = {"object", "nested"}
STRING_TYPES = {"text", "keyword", "wildcard", "constant_keyword", "match_only_text", "search_as_you_type",
                "version", "completion"}
DATE_TYPES = {"date", "date_nanos"}
OTHER_TYPES = {
    "boolean", "binary", "ip", "flattened", "flat_object", "geo_point", "geo_shape", "point", "shape",
    "integer_range", "long_range", "float_range", "double_range", "date_range", "ip_range", "alias",
    "dense_vector", "sparse_vector", "knn_vector", "rank_feature", "rank_features", "histogram",
    "percolator", "join", "token_count", "murmur3", "aggregate_metric_double", "semantic_text",
}
FIELD_TYPES = set(INTEGER_RANGES) | FLOAT_TYPES | OBJECT_TYPES | STRING_TYPES | DATE_TYPES | OTHER_TYPES
ROOT_MAPPING_KEYS = {
    "properties", "dynamic", "_source", "_meta", "date_detection", "numeric_detection", "dynamic_templates",
    "dynamic_date_formats", "_routing", "runtime", "enabled", "_field_names", "_data_stream_timestamp",
    "subobjects", "_all",
}
METADATA_FIELDS = {
    "_id", "_index", "_routing", "_seq_no", "_primary_term", "_version", "_source", "_field_names",
    "_ignored", "_nested_path", "_data_stream_timestamp", "_feature", "_tier", "_type", "_tsid",
}
# Parameters a PUT _mapping may change on an existing field; any other
# change is a conflict, as in Elasticsearch's FieldMapper merge.
UPDATABLE_PARAMS = {
    "meta", "ignore_above", "search_analyzer", "search_quote_analyzer", "dynamic", "ignore_malformed",
    "eager_global_ordinals", "fielddata", "copy_to", "fields", "properties", "boost",
}
DEFAULT_DATE_FORMAT = "strict_date_optional_time||epoch_millis"

_DATE_OPTIONAL_TIME = re.compile(
    r"\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?")
_DATE_SLASHES = re.compile(r"\d{4}/\d{2}/\d{2}(?: \d{2}:\d{2}:\d{2})?(?: [+-]\d{4})?")


def field_type(fmap):
    """A field mapping's type; objects are written without one."""
    if "type" in fmap:
        return fmap["type"]
    return "object"


def date_millis(value, fmt=DEFAULT_DATE_FORMAT):
    """Epoch milliseconds of a date value, or None when the format rejects it."""
    if isinstance(value, bool):
        return None
    formats = fmt.split("||")
    if isinstance(value, (int, float)):
        return int(value) if ("epoch_millis" in formats or "epoch_second" in formats) else None
    if not isinstance(value, str):
        return None
    for f in formats:
        if f in ("epoch_millis", "epoch_second") and re.fullmatch(r"-?\d+(\.\d+)?", value):
            n = float(value)
            return int(n * 1000) if f == "epoch_second" else int(n)
        if f in ("strict_date_optional_time", "date_optional_time", "strict_date_optional_time_nanos",
                 "date_time", "strict_date_time") and _DATE_OPTIONAL_TIME.fullmatch(value):
            return _iso_millis(value)
        if f in ("yyyy/MM/dd HH:mm:ss Z", "yyyy/MM/dd Z") and _DATE_SLASHES.fullmatch(value):
            return 0
        if f in ("strict_date", "date", "yyyy-MM-dd") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return _iso_millis(value)
    return None


def _iso_millis(text):
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
                     r"(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?", text)
    if not m:
        return None
    year, month, day, hour, minute, sec, frac, zone = m.groups()
    try:
        dt = datetime.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                               int(sec or 0), int((frac or "0").ljust(6, "0")[:6]),
                               tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        dt -= datetime.timedelta(minutes=sign * offset)
    return int(dt.timestamp() * 1000)


def mapping_error(reason, cause=None):
    return EsError(400, "mapper_parsing_exception", reason, cause=cause)


def normalize_properties(props, flavor, path=""):
    """A "properties" object of a mapping as Elasticsearch stores it: dotted
    names become objects, every field is checked for a known type."""
    if not isinstance(props, dict):
        raise mapping_error("Expected map for property [properties] on field [%s] but got a class java.lang.%s"
                            % (path or "_doc", "String" if isinstance(props, str) else "Object"))
    out = {}
    for name, fmap in props.items():
        if name == "":
            raise mapping_error("Failed to parse mapping: field name cannot be an empty string",
                                Cause("illegal_argument_exception", "field name cannot be an empty string"))
        if "." in name.strip("."):
            head, rest = name.split(".", 1)
            fmap = {"properties": {rest: fmap}}
            name = head
        full = path + "." + name if path else name
        if not isinstance(fmap, dict):
            raise mapping_error("Expected map for property [fields] on field [%s] but got a class java.lang.String"
                                % full)
        fmap = dict(fmap)
        ftype = fmap.get("type")
        if ftype is not None and ftype not in FIELD_TYPES:
            raise mapping_error("No handler for type [%s] declared on field [%s]" % (ftype, name))
        if ftype is None or ftype in OBJECT_TYPES:
            if "properties" in fmap:
                fmap["properties"] = normalize_properties(fmap["properties"], flavor, full)
        if "fields" in fmap:
            fmap["fields"] = normalize_properties(fmap["fields"], flavor, full)
        if name in out and field_type(out[name]) in OBJECT_TYPES and field_type(fmap) in OBJECT_TYPES:
            merged = dict(out[name])
            merged.setdefault("properties", {}).update(fmap.get("properties", {}))
            fmap = merged
        out[name] = fmap
    return out


def normalize_mapping(body, flavor):
    """A typeless mapping definition (the inside of "mappings"), checked."""
    if not isinstance(body, dict):
        raise mapping_error("Failed to parse mapping: Expected map for mapping definition")
    unknown = [k for k in body if k not in ROOT_MAPPING_KEYS]
    if unknown:
        raise mapping_error("Root mapping definition has unsupported parameters:  "
                            + " ".join("[%s : %s]" % (k, java_repr(body[k])) for k in unknown))
    out = dict(body)
    if "properties" in out:
        out["properties"] = normalize_properties(out["properties"], flavor)
    if "dynamic" in out and str(out["dynamic"]).lower() not in ("true", "false", "strict", "runtime"):
        raise mapping_error("Could not convert [dynamic] to boolean")
    return out


def merge_properties(old, new, path=""):
    """PUT _mapping on top of an existing mapping: new fields are added,
    existing ones may change only what Elasticsearch lets change."""
    out = dict(old)
    for name, nf in new.items():
        full = path + "." + name if path else name
        if name not in old:
            out[name] = nf
            continue
        of = old[name]
        otype, ntype = field_type(of), field_type(nf)
        if (otype in OBJECT_TYPES) != (ntype in OBJECT_TYPES):
            if otype in OBJECT_TYPES:
                raise bad_request("can't merge a non object mapping [%s] with an object mapping" % full)
            raise bad_request("can't merge a non object mapping [%s] with an object mapping" % full)
        if otype != ntype:
            if otype in OBJECT_TYPES:
                raise bad_request("can't merge a nested mapping [%s] with a non-nested mapping" % full)
            raise bad_request("mapper [%s] cannot be changed from type [%s] to [%s]" % (full, otype, ntype))
        merged = dict(of)
        conflicts = []
        for key, value in nf.items():
            if key == "properties":
                merged["properties"] = merge_properties(of.get("properties", {}), value, full)
            elif key == "fields":
                merged["fields"] = merge_properties(of.get("fields", {}), value, full)
            elif key in UPDATABLE_PARAMS or key == "type" or of.get(key) == value:
                merged[key] = value
            else:
                conflicts.append("Cannot update parameter [%s] from [%s] to [%s]"
                                 % (key, java_repr(of.get(key, "default")), java_repr(value)))
        if conflicts:
            raise bad_request("Mapper for [%s] conflicts with existing mapper:\n\t%s" % (full, "\n\t".join(conflicts)))
        out[name] = merged
    return out


def merge_mapping(old, new):
    out = dict(old)
    for key, value in new.items():
        if key == "properties":
            out["properties"] = merge_properties(old.get("properties", {}), value)
        else:
            out[key] = value
    return out


def count_fields(props):
    n = 0
    for fmap in props.values():
        n += 1
        n += count_fields(fmap.get("properties", {}))
        n += count_fields(fmap.get("fields", {}))
    return n


def dynamic_of(value, inherited):
    if value is None:
        return inherited
    text = str(value).lower()
    return {"true": True, "false": False}.get(text, text)


class DocumentParser:
    """Checks a document against an index's mapping the way Elasticsearch's
    DocumentParser does, and works out the dynamic mapping update a new field
    makes.  The update is only installed when the whole document parsed, so a
    rejected document leaves the mapping as it was."""

    def __init__(self, flavor, mapping, doc_id, raw, doc_type):
        self.flavor = flavor
        self.mapping = mapping
        self.doc_id = doc_id
        self.raw = raw
        self.doc_type = doc_type
        self.pending = {}
        self.added = False

    def parse(self, source):
        if not isinstance(source, dict):
            raise self.error("failed to parse", None, Cause("not_x_content_exception",
                             "Compressor detection can only be called on some xcontent bytes or compressed "
                             "xcontent bytes"))
        root_dynamic = dynamic_of(self.mapping.get("dynamic"), True)
        for name in source:
            if name in METADATA_FIELDS:
                raise self.error("Field [%s] is a metadata field and cannot be added inside a document. Use the "
                                 "index API request parameters." % name, name)
        self.parse_object(source, self.mapping.get("properties", {}), self.pending, "", root_dynamic)
        if not self.added:
            return None
        update = merge_mapping(self.mapping, {"properties": self.pending})
        return update

    def location(self, name):
        """Where Elasticsearch 8.8+ says a parsing error happened: the value
        token of the field, found in the source text (line:column, 1-based)."""
        if name is None or self.raw is None:
            return (1, 1)
        m = re.search(r'"%s"\s*:\s*' % re.escape(name), self.raw)
        pos = m.end() if m else 0
        line = self.raw.count("\n", 0, pos) + 1
        col = pos - (self.raw.rfind("\n", 0, pos) + 1) + 1
        return (line, col)

    def error(self, reason, name, cause=None, etype=None):
        if self.flavor.parsing_location:
            reason = "[%d:%d] %s" % (self.location(name) + (reason,))
        return EsError(400, etype or self.flavor.parsing_error, reason, cause=cause)

    def field_error(self, path, name, ftype, value, cause):
        if self.flavor.major >= 7 or self.flavor.opensearch:
            reason = ("failed to parse field [%s] of type [%s] in document with id '%s'. Preview of field's "
                      "value: '%s'" % (path, ftype, self.doc_id, java_repr(value)))
        elif self.flavor.major == 6:
            reason = "failed to parse field [%s] of type [%s]" % (path, ftype)
        else:
            reason = "failed to parse [%s]" % path
        return self.error(reason, name, cause)

    def parse_object(self, obj, props, pending, path, dynamic):
        for name, value in obj.items():
            if name == "":
                raise self.error("field name cannot be an empty string", name)
            if "." in name and name.strip("."):
                head, rest = name.split(".", 1)
                value = {rest: value}
                name = head
            full = path + "." + name if path else name
            fmap = props.get(name) if props is not None else None
            if fmap is None:
                fmap = pending.get(name)
            if fmap is None:
                self.dynamic_field(name, full, value, pending, dynamic, path)
                continue
            self.parse_field(name, full, fmap, value, pending, dynamic, props is not None and name in props)

    def dynamic_field(self, name, full, value, pending, dynamic, parent):
        inferred = self.infer(value)
        if inferred is None:
            return
        if dynamic == "strict":
            raise self.error("mapping set to strict, dynamic introduction of [%s] within [%s] is not allowed"
                             % (name, parent or self.doc_type), name, etype="strict_dynamic_mapping_exception")
        if dynamic is False or dynamic == "runtime":
            return
        pending[name] = inferred
        self.added = True
        if "properties" in inferred:
            for item in (value if isinstance(value, list) else [value]):
                if isinstance(item, dict):
                    self.parse_object(item, None, inferred["properties"], full, dynamic)

    def infer(self, value):
        """Elasticsearch's dynamic mapping of a JSON value."""
        if isinstance(value, list):
            for item in value:
                inferred = self.infer(item)
                if inferred is not None:
                    return inferred
            return None
        if value is None:
            return None
        if isinstance(value, bool):
            return {"type": "boolean"}
        if isinstance(value, int):
            return {"type": "long"}
        if isinstance(value, float):
            return {"type": "float"}
        if isinstance(value, dict):
            return {"properties": {}}
        if self.mapping.get("date_detection", True) not in (False, "false") and _DATE_OPTIONAL_TIME.fullmatch(value):
            return {"type": "date"}
        if self.mapping.get("numeric_detection") in (True, "true"):
            if re.fullmatch(r"-?\d+", value):
                return {"type": "long"}
            if re.fullmatch(r"-?\d+\.\d*|-?\.\d+", value):
                return {"type": "float"}
        return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}

    def parse_field(self, name, full, fmap, value, pending, dynamic, mapped):
        ftype = field_type(fmap)
        if ftype in OBJECT_TYPES:
            if fmap.get("enabled", True) in (False, "false"):
                return
            sub_dynamic = dynamic_of(fmap.get("dynamic"), dynamic)
            items = value if isinstance(value, list) else [value]
            for item in items:
                if item is None:
                    continue
                if not isinstance(item, dict):
                    raise self.error("object mapping for [%s] tried to parse field [%s] as object, but found a "
                                     "concrete value" % (full, name), name)
                # A mapped object gets a placeholder of its own type in the
                # update, which merge_mapping() folds into the existing one.
                placeholder = {"type": fmap["type"]} if "type" in fmap else {}
                placeholder["properties"] = {}
                sub_pending = pending.setdefault(name, placeholder) if mapped else fmap
                if mapped:
                    self.parse_object(item, fmap.get("properties", {}), sub_pending["properties"], full, sub_dynamic)
                else:
                    self.parse_object(item, None, fmap.setdefault("properties", {}), full, sub_dynamic)
            if mapped and name in pending and not pending[name]["properties"]:
                del pending[name]
            return
        if isinstance(value, list):
            for item in value:
                self.parse_field(name, full, fmap, item, pending, dynamic, mapped)
            return
        self.check_value(name, full, ftype, fmap, value)

    def check_value(self, name, full, ftype, fmap, value):
        if value is None:
            return
        fail = None
        if ftype in INTEGER_RANGES or ftype in FLOAT_TYPES or ftype == "token_count":
            fail = self.check_number(ftype, fmap, value)
        elif ftype == "boolean":
            if not (isinstance(value, bool) or value in ("true", "false", "")):
                fail = Cause("illegal_argument_exception", "Failed to parse value [%s] as only [true] or [false] "
                             "are allowed." % java_repr(value))
        elif ftype in DATE_TYPES:
            fmt = fmap.get("format", DEFAULT_DATE_FORMAT)
            if date_millis(value, fmt) is None:
                if isinstance(value, (dict, bool)):
                    fail = Cause("illegal_state_exception", "Can't get text on a %s" % token_name(value))
                else:
                    fail = Cause("illegal_argument_exception", "failed to parse date field [%s] with format [%s]"
                                 % (java_repr(value), fmt))
        elif ftype in STRING_TYPES:
            if isinstance(value, dict):
                fail = Cause("illegal_state_exception", "Can't get text on a START_OBJECT")
        elif ftype == "ip":
            try:
                if isinstance(value, dict):
                    raise ValueError
                ipaddress.ip_address(str(value))
            except ValueError:
                fail = Cause("illegal_argument_exception", "'%s' is not an IP string literal." % java_repr(value))
        elif ftype == "binary":
            try:
                base64.b64decode(str(value), validate=True)
                if isinstance(value, (dict, bool, int, float)):
                    raise ValueError
            except ValueError:
                fail = Cause("illegal_argument_exception", "Failed to decode value for field [%s]" % full)
        if fail is not None:
            if fmap.get("ignore_malformed") in (True, "true"):
                return
            raise self.field_error(full, name, ftype, value, fail)

    def check_number(self, ftype, fmap, value):
        if isinstance(value, (bool, dict)):
            return Cause("illegal_argument_exception" if isinstance(value, bool) else "illegal_state_exception",
                         "Current token (%s) not numeric, can not use numeric value accessors" % token_name(value))
        number = value
        if isinstance(value, str):
            text = value.strip()
            try:
                number = int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    return Cause("number_format_exception" if ftype in FLOAT_TYPES else "illegal_argument_exception",
                                 'For input string: "%s"' % value)
        if isinstance(number, float):
            if not math.isfinite(number):
                return Cause("illegal_argument_exception", "[%s] supports only finite values, but got [%s]"
                             % (ftype, value))
            if ftype in INTEGER_RANGES:
                if fmap.get("coerce", True) in (False, "false") and number != int(number):
                    return Cause("illegal_argument_exception", "Value [%s] has a decimal part" % value)
                number = int(number)
        if ftype in INTEGER_RANGES:
            low, high = INTEGER_RANGES[ftype]
            if not low <= number <= high:
                return Cause("illegal_argument_exception", "Value [%s] is out of range for %s %s"
                             % (value, "an" if ftype == "integer" else "a", ftype))
        return None


# ---- settings ------------------------------------------------------------------------------------

# Index settings a user may set (prefixes end in '.'); anything else is
# refused as Elasticsearch refuses it.
KNOWN_SETTINGS = (
    "index.number_of_shards", "index.number_of_replicas", "index.refresh_interval",
    "index.number_of_routing_shards", "index.max_result_window", "index.codec", "index.hidden",
    "index.auto_expand_replicas", "index.max_refresh_listeners", "index.gc_deletes", "index.default_pipeline",
    "index.final_pipeline", "index.priority", "index.format", "index.mode", "index.search.idle.after",
    "index.mapping.", "index.analysis.", "index.blocks.", "index.soft_deletes.", "index.routing.",
    "index.search.", "index.write.", "index.lifecycle.", "index.translog.", "index.merge.", "index.sort.",
    "index.query.", "index.similarity.", "index.max_", "index.unassigned.", "index.shard.", "index.store.",
    "index.indexing.", "index.requests.", "index.knn", "index.replication.", "index.plugins.",
    "index.opendistro.", "index.look_", "index.time_series.", "index.routing_path", "index.load_fixed_",
)
STATIC_SETTINGS = ("index.number_of_shards", "index.number_of_routing_shards", "index.codec", "index.sort.",
                   "index.soft_deletes.enabled", "index.mode")


def flatten_settings(obj, prefix=""):
    out = {}
    for key, value in obj.items():
        full = prefix + key
        if isinstance(value, dict):
            out.update(flatten_settings(value, full + "."))
        else:
            out[full] = value
    return out


def setting_text(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return [setting_text(v) for v in value]
    if value is None:
        return None
    return str(value)


def normalize_settings(body):
    """Index settings from a request body ({"index": {...}}, {"index.x": ..},
    or bare names) as Elasticsearch stores them: flat "index.*" keys with
    string values."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_request("malformed settings section, should include an inner object")
    out = {}
    for key, value in flatten_settings(body).items():
        full = key if key.startswith("index.") else "index." + key
        if not any(full == k or (k.endswith(".") and full.startswith(k)) or
                   (k.endswith("_") and full.startswith(k)) for k in KNOWN_SETTINGS):
            raise bad_request("unknown setting [%s] please check that any required plugins are installed, or check "
                              "the breaking changes documentation for removed settings" % full)
        out[full] = setting_text(value)
    for key, low in (("index.number_of_shards", 1), ("index.number_of_replicas", 0)):
        if key in out:
            try:
                n = int(out[key])
            except ValueError:
                raise bad_request("Failed to parse value [%s] for setting [%s]" % (out[key], key))
            if n < low:
                raise bad_request("Failed to parse value [%d] for setting [%s] must be >= %d" % (n, key, low))
    for key in ("index.refresh_interval", "index.gc_deletes", "index.search.idle.after"):
        if key in out:
            parse_time_value(out[key], key)
    return out


def nest_settings(flat):
    out = {}
    for key, value in flat.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                nxt = node[part] = {}
            node = nxt
        node[parts[-1]] = value
    return out


# ---- storage -------------------------------------------------------------------------------------

def murmur3_32(data, seed=0):
    """Murmur3 x86 32-bit, as Elasticsearch routes a document to a shard."""
    c1, c2, mask = 0xcc9e2d51, 0x1b873593, 0xffffffff
    h = seed
    rounded = len(data) & ~3
    for i in range(0, rounded, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        h ^= (k * c2) & mask
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xe6546b64) & mask
    k = 0
    tail = len(data) & 3
    if tail == 3:
        k ^= data[rounded + 2] << 16
    if tail >= 2:
        k ^= data[rounded + 1] << 8
    if tail >= 1:
        k ^= data[rounded]
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        h ^= (k * c2) & mask
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85ebca6b) & mask
    h ^= h >> 13
    h = (h * 0xc2b2ae35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def es_uuid():
    """A 22-character URL-safe id as Elasticsearch prints index and cluster uuids."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def auto_id():
    """A 20-character id like Elasticsearch's time-based ones."""
    raw = struct.pack(">Q", time.time_ns() // 1000)[2:] + os.urandom(9)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")[:20]


class Doc:
    """One version of a document.  A delete leaves a Doc with deleted=True:
    the tombstone whose version external versioning keeps comparing against
    (for index.gc_deletes, as Elasticsearch's version map does)."""
    __slots__ = ("doc_id", "doc_type", "version", "seq_no", "raw", "source", "deleted", "deleted_at", "shard")

    def __init__(self, doc_id, doc_type, version, seq_no, raw, source, shard, deleted=False):
        self.doc_id = doc_id
        self.doc_type = doc_type
        self.version = version
        self.seq_no = seq_no
        self.raw = raw
        self.source = source
        self.shard = shard
        self.deleted = deleted
        self.deleted_at = time.monotonic() if deleted else None


class Index:
    """One index: its settings and mappings, the live documents (what GET
    by id sees) and the searchable ones (what the last refresh published).

    `mappings` maps a type name to its mapping; typeless versions keep one
    entry, "_doc".  `pending` holds the keys written since the last refresh,
    so a refresh costs what changed, not the index size."""

    def __init__(self, store, name, settings, mappings, data_stream=None):
        flavor = store.flavor
        self.store = store
        self.name = name
        self.uuid = es_uuid()
        self.created = now_ms()
        self.settings = {
            "index.number_of_shards": str(flavor.default_shards),
            "index.number_of_replicas": "1",
        }
        self.settings.update(settings)
        self.settings["index.provided_name"] = name
        self.settings["index.creation_date"] = str(self.created)
        self.settings["index.uuid"] = self.uuid
        self.settings["index.version.created"] = "%d%02d%02d99" % flavor.v
        self.mappings = mappings
        self.aliases = {}
        self.docs = {}
        self.searchable = {}
        self.pending = set()
        self.closed = False
        self.data_stream = data_stream
        self.shards = int(self.settings["index.number_of_shards"])
        self.replicas = int(self.settings["index.number_of_replicas"])
        self.seq = [-1] * self.shards
        self.refresh_gen = 0
        self.last_refresh = time.monotonic()
        self.last_search = time.monotonic()
        self.waiters = 0
        if flavor.major >= 7 or flavor.opensearch:
            log2 = (self.shards - 1).bit_length()
            self.routing_shards = self.shards << max(1, 10 - log2)
        else:
            self.routing_shards = self.shards
        if "index.number_of_routing_shards" in self.settings:
            self.routing_shards = int(self.settings["index.number_of_routing_shards"])

    @property
    def hidden(self):
        return self.settings.get("index.hidden") == "true" or self.data_stream is not None

    def refresh_interval(self):
        """Seconds between periodic refreshes (None: never), and whether the
        index set it itself (only then does search-idleness not apply)."""
        if "index.refresh_interval" in self.settings:
            return parse_time_value(self.settings["index.refresh_interval"], "index.refresh_interval"), True
        return self.store.config.refresh_interval, False

    def gc_deletes(self):
        return parse_time_value(self.settings.get("index.gc_deletes", "60s"), "index.gc_deletes") or 0

    def key(self, doc_type, doc_id):
        return (doc_type, doc_id) if self.store.flavor.multi_type else doc_id

    def shard_of(self, routing):
        if self.shards == 1:
            return 0
        # Java hashes the UTF-16 code units of the routing string.
        data = routing.encode("utf-16-le")
        factor = self.routing_shards // self.shards
        return (murmur3_32(data) % self.routing_shards) // factor

    def current(self, key):
        """The document or tombstone at `key`; a tombstone older than
        index.gc_deletes is forgotten, as Elasticsearch prunes its version map."""
        doc = self.docs.get(key)
        if doc is not None and doc.deleted and time.monotonic() - doc.deleted_at > self.gc_deletes():
            del self.docs[key]
            return None
        return doc

    def next_seq(self, shard):
        self.seq[shard] += 1
        return self.seq[shard]

    def put(self, key, doc):
        self.docs[key] = doc
        self.pending.add(key)

    def refresh(self, shards=None):
        """Publishes the pending writes of some shards (None: all) to search.
        A write's ?refresh=true refreshes only the shard it went to, as in
        Elasticsearch, so a pending write on another shard stays unseen."""
        done = []
        for key in self.pending:
            doc = self.docs.get(key)
            if shards is not None and (doc is None or doc.shard not in shards):
                continue
            if doc is None or doc.deleted:
                self.searchable.pop(key, None)
            else:
                self.searchable[key] = doc
            done.append(key)
        self.pending.difference_update(done)
        self.refresh_gen += 1
        self.last_refresh = time.monotonic()

    def mapping(self, doc_type="_doc"):
        return self.mappings.get(doc_type, {})

    def single_type(self):
        return next(iter(self.mappings), None)

    def shards_header(self):
        return {"total": 1 + self.replicas, "successful": 1, "failed": 0}

    def health(self):
        return "green" if self.replicas == 0 or self.closed else "yellow"


# ---- writes --------------------------------------------------------------------------------------

class WriteOp:
    """One index/create/update/delete, from _bulk or a single-document API."""

    def __init__(self, action):
        self.action = action
        self.index = None
        self.doc_type = None
        self.doc_id = None
        self.raw = None
        self.source = None
        self.update = None
        self.version = None
        self.version_type = None
        self.if_seq_no = None
        self.if_primary_term = None
        self.routing = None
        self.source_filter = None
        self.require_alias = False
        self.shard = None

    def problems(self, flavor):
        """What ActionRequest.validate() says of this request: in _bulk the
        whole request fails with all of them, before anything is written."""
        out = []
        if not self.index:
            out.append("index is missing")
        if flavor.typed and not self.doc_type:
            out.append("type is missing")
        if self.action in ("index", "create") and self.source is None and self.raw is None:
            out.append("source is missing")
        if self.doc_id is not None and len(self.doc_id.encode("utf-8")) > 512:
            out.append("id [%s] is too long, must be no longer than 512 bytes but was: %d"
                       % (self.doc_id, len(self.doc_id.encode("utf-8"))))
        vt = self.version_type or "internal"
        if self.action == "create":
            if vt != "internal":
                out.append("create operations only support internal versioning. use index instead")
            elif self.version is not None:
                out.append("create operations do not support explicit versions. use index instead")
        elif self.action == "update":
            if vt != "internal":
                out.append("version type [%s] is not supported by the update API" % vt.upper())
            elif self.version is not None:
                out.append("internal versioning can not be used for optimistic concurrency control. "
                           "Please use `if_seq_no` and `if_primary_term` instead")
        elif self.version is not None:
            if vt == "internal" and (flavor.major >= 7 or flavor.opensearch):
                out.append("internal versioning can not be used for optimistic concurrency control. "
                           "Please use `if_seq_no` and `if_primary_term` instead")
            if vt in ("external", "external_gte") and self.version < 0:
                out.append("illegal version value [%d] for version type [%s]" % (self.version, vt.upper()))
        if self.if_seq_no is not None:
            if self.version is not None:
                out.append("compare and write operations can not use versioning")
            if self.if_primary_term is None or self.if_primary_term <= 0:
                out.append("ifSeqNo is set, but primary term is [%d]" % (self.if_primary_term or 0))
        elif self.if_primary_term:
            out.append("ifSeqNo is unassigned, but primary term is [%d]" % self.if_primary_term)
        return out


def deep_merge(old, changes):
    """XContentHelper.update(): maps merged key by key, anything else replaced."""
    out = dict(old)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def filter_source(source, spec):
    """_source filtering: True/False, a pattern or list, or includes/excludes."""
    if spec is None or spec is True:
        return source
    if spec is False:
        return None
    if isinstance(spec, (str, list)):
        includes, excludes = spec, []
    else:
        includes = spec.get("includes", spec.get("include", []))
        excludes = spec.get("excludes", spec.get("exclude", []))
    includes = [includes] if isinstance(includes, str) else list(includes)
    excludes = [excludes] if isinstance(excludes, str) else list(excludes)

    def walk(obj, prefix):
        out = {}
        for key, value in obj.items():
            path = prefix + key
            if any(fnmatch.fnmatchcase(path, p) for p in excludes):
                continue
            if not includes or any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(path, p + ".*")
                                   for p in includes):
                out[key] = value
            elif isinstance(value, dict) and any(p.startswith(path + ".") or fnmatch.fnmatchcase(path, p.split(".")[0])
                                                 for p in includes):
                sub = walk(value, path + ".")
                if sub:
                    out[key] = sub
        return out

    return walk(source, "")


BUILTIN_TEMPLATES = {
    name: {"index_patterns": [name + "-*-*"], "priority": 100, "data_stream": {"hidden": False},
           "composed_of": [], "_meta": {"managed": True, "description": "default %s template" % name},
           "template": {"settings": {"index": {"number_of_replicas": "0"}},
                        "mappings": {"properties": {"@timestamp": {"type": "date"}}}},
           "version": 1}
    for name in ("logs", "metrics", "synthetics")
}


class Store:
    """Everything the server holds.  All of it is guarded by `lock`
    (through `cond`, on which refresh=wait_for sleeps)."""

    def __init__(self, config):
        self.config = config
        self.flavor = config.flavor
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.cluster_uuid = es_uuid()
        self.wipe()

    def wipe(self):
        with self.lock:
            self.indices = {}
            self.data_streams = {}
            self.templates = dict(BUILTIN_TEMPLATES) if self.flavor.builtin_ds_templates else {}
            self.component_templates = {}
            self.legacy_templates = {}
            self.cond.notify_all()

    # -- names and templates ------------------------------------------------------------------

    def matching_template(self, name):
        best = None
        for tname, tmpl in self.templates.items():
            patterns = tmpl.get("index_patterns", [])
            patterns = [patterns] if isinstance(patterns, str) else patterns
            if any(fnmatch.fnmatchcase(name, p) for p in patterns):
                prio = tmpl.get("priority", 0) or 0
                if best is None or prio > best[0]:
                    best = (prio, tname, tmpl)
        return (best[1], best[2]) if best else (None, None)

    def template_parts(self, name):
        """Settings and mappings the templates give a new index `name`:
        the best composable template (its component templates first), or
        else every legacy template by ascending order."""
        tname, tmpl = self.matching_template(name)
        settings, mapping = {}, {}
        parts = []
        if tmpl is not None:
            for comp in tmpl.get("composed_of", []):
                if comp in self.component_templates:
                    parts.append(self.component_templates[comp].get("template", {}))
            parts.append(tmpl.get("template", {}))
        else:
            legacy = []
            for lt in self.legacy_templates.values():
                patterns = lt.get("index_patterns", lt.get("template", []))
                patterns = [patterns] if isinstance(patterns, str) else patterns
                if any(fnmatch.fnmatchcase(name, p) for p in patterns):
                    legacy.append(lt)
            for lt in sorted(legacy, key=lambda t: t.get("order", 0)):
                mappings = lt.get("mappings", {})
                if self.flavor.typed or (len(mappings) == 1 and "_doc" in mappings):
                    mappings = next(iter(mappings.values()), {}) if mappings else {}
                parts.append({"settings": lt.get("settings", {}), "mappings": mappings})
        for part in parts:
            settings.update(normalize_settings(part.get("settings")))
            if part.get("mappings"):
                mapping = merge_mapping(mapping, normalize_mapping(part["mappings"], self.flavor))
        return tname, tmpl, settings, mapping

    # -- index life cycle ---------------------------------------------------------------------

    def create_index(self, name, body, auto=False, doc_type=None):
        """PUT /{index}, or the auto-creation of a first write."""
        flavor = self.flavor
        check_index_name(name, flavor)
        if name in self.indices:
            idx = self.indices[name]
            raise EsError(400, "resource_already_exists_exception", "index [%s/%s] already exists"
                          % (name, idx.uuid), index_meta(name, idx.uuid))
        if name in self.data_streams:
            raise EsError(400, "resource_already_exists_exception", "data stream [%s] already exists" % name,
                          index_meta(name))
        body = body or {}
        if not isinstance(body, dict):
            raise bad_request("request body is required")
        unknown = [k for k in body if k not in ("settings", "mappings", "aliases")]
        if unknown:
            raise EsError(400, "parse_exception", "unknown key [%s] for create index" % unknown[0])
        if self.alias_targets(name):
            raise EsError(400, "invalid_index_name_exception", "Invalid index name [%s], already exists as alias"
                          % name, index_meta(name))
        aliases = {}
        for alias, meta in (body.get("aliases") or {}).items():
            aliases[alias] = self.alias_meta(alias, meta)
        tname, tmpl, settings, tmpl_mapping = self.template_parts(name)
        if tmpl is not None and "data_stream" in tmpl and not name.startswith(".ds-"):
            raise bad_request("cannot create index with name [%s], because it matches with template [%s] that "
                              "creates data streams only, use create data stream api instead" % (name, tname))
        settings.update(normalize_settings(body.get("settings")))
        mappings = self.mappings_from_body(body.get("mappings"), tmpl_mapping)
        if flavor.typed and doc_type and not mappings:
            mappings = {doc_type: {}}
        idx = Index(self, name, settings, mappings)
        idx.aliases = aliases
        self.indices[name] = idx
        return idx

    # -- aliases --------------------------------------------------------------------------------

    def alias_targets(self, name):
        """[(index, alias metadata)] of the indices an alias points to."""
        return [(idx, idx.aliases[name]) for idx in self.indices.values() if name in idx.aliases]

    def alias_meta(self, alias, meta):
        """AliasMetadata as Elasticsearch prints it: routing split into its
        index and search halves, fields in its order."""
        meta = meta or {}
        if not isinstance(meta, dict):
            raise bad_request("alias [%s] must be an object" % alias)
        check_index_name(alias, self.flavor, alias=True)
        if alias in self.indices or alias in self.data_streams:
            raise EsError(400, "invalid_alias_name_exception", "Invalid alias name [%s]: an index or data stream "
                          "exists with the same name as the alias" % alias, index_meta(alias))
        unknown = [k for k in meta if k not in ("filter", "routing", "index_routing", "search_routing",
                                                "is_write_index", "is_hidden", "must_exist")]
        if unknown:
            raise bad_request("Unknown field [%s] in alias [%s]" % (unknown[0], alias))
        out = {}
        if meta.get("filter"):
            out["filter"] = meta["filter"]
        if meta.get("routing") is not None or meta.get("index_routing") is not None:
            out["index_routing"] = str(meta.get("index_routing", meta.get("routing")))
        if meta.get("routing") is not None or meta.get("search_routing") is not None:
            out["search_routing"] = str(meta.get("search_routing", meta.get("routing")))
        if meta.get("is_write_index") is not None:
            out["is_write_index"] = meta["is_write_index"] in (True, "true")
        if meta.get("is_hidden") is not None:
            out["is_hidden"] = meta["is_hidden"] in (True, "true")
        return out

    def alias_write_index(self, name):
        """The index a write through an alias goes to: its only index unless
        that one opted out, else the one marked is_write_index."""
        targets = self.alias_targets(name)
        if len(targets) == 1 and targets[0][1].get("is_write_index") is not False:
            return targets[0][0]
        writers = [idx for idx, meta in targets if meta.get("is_write_index") is True]
        if len(writers) == 1:
            return writers[0]
        raise bad_request("no write index is defined for alias [%s]. The write index may be explicitly disabled "
                          "using is_write_index=false or the alias points to multiple indices without one being "
                          "designated as a write index" % name)

    def mappings_from_body(self, body, base):
        """The per-type mappings of a create-index body."""
        flavor = self.flavor
        if body is None or body == {}:
            return {"_doc": base} if (base or not flavor.typed) else {}
        if not isinstance(body, dict):
            raise mapping_error("Failed to parse mapping: Expected map for mappings")
        if flavor.typed:
            if flavor.major == 6 and len(body) > 1:
                raise bad_request("Rejecting mapping update to [%s] as the final mapping would have more than 1 "
                                  "type: %s" % ("index", "[" + ", ".join(body) + "]"))
            out = {}
            for tname, tmap in body.items():
                check_type_name(tname)
                out[tname] = merge_mapping(base, normalize_mapping(tmap, flavor))
            return out
        if len(body) == 1 and "_doc" in body and isinstance(body["_doc"], dict) and "properties" not in body:
            if flavor.major < 8 or flavor.opensearch:
                raise bad_request("The mapping definition cannot be nested under a type [_doc] unless "
                                  "include_type_name is set to true.")
            body = body["_doc"]
        try:
            mapping = normalize_mapping(body, flavor)
        except EsError as e:
            if e.reason.startswith("Failed to parse mapping"):
                raise
            raise mapping_error("Failed to parse mapping [_doc]: " + e.reason, e.cause or Cause(
                "illegal_argument_exception", e.reason))
        return {"_doc": merge_mapping(base, mapping)}

    def delete_index(self, idx):
        if idx.data_stream is not None:
            ds = self.data_streams.get(idx.data_stream)
            if ds is not None and ds["indices"][-1] == idx.name:
                raise bad_request("index [%s] is the write index for data stream [%s] and cannot be deleted"
                                  % (idx.name, idx.data_stream))
            if ds is not None:
                ds["indices"].remove(idx.name)
        del self.indices[idx.name]
        self.cond.notify_all()

    def create_data_stream(self, name):
        check_index_name(name, self.flavor)
        if name in self.data_streams:
            raise EsError(400, "resource_already_exists_exception", "data_stream [%s] already exists" % name)
        if name in self.indices:
            raise bad_request("data stream [%s] conflicts with index" % name)
        tname, tmpl = self.matching_template(name)
        if tmpl is None or "data_stream" not in tmpl:
            raise bad_request("no matching index template found for data stream [%s]" % name)
        if self.flavor.dated_backing_indices:
            backing = ".ds-%s-%s-000001" % (name, datetime.datetime.utcnow().strftime("%Y.%m.%d"))
        else:
            backing = ".ds-%s-000001" % name
        _, _, settings, mapping = self.template_parts(name)
        props = mapping.setdefault("properties", {})
        props.setdefault("@timestamp", {"type": "date"})
        settings.setdefault("index.hidden", "true")
        idx = Index(self, backing, settings, {"_doc": mapping}, data_stream=name)
        self.indices[backing] = idx
        self.data_streams[name] = {"name": name, "indices": [backing], "generation": 1, "template": tname,
                                   "hidden": bool(tmpl["data_stream"].get("hidden", False))}
        return idx

    def data_stream_body(self, ds):
        out = {"name": ds["name"], "timestamp_field": {"name": "@timestamp"},
               "indices": [{"index_name": n, "index_uuid": self.indices[n].uuid} for n in ds["indices"]
                           if n in self.indices],
               "generation": ds["generation"], "status": "GREEN", "template": ds["template"],
               "hidden": ds["hidden"], "system": False}
        if not self.flavor.opensearch:
            out["allow_custom_routing"] = False
            out["replicated"] = False
        return out

    # -- resolution -----------------------------------------------------------------------------

    def resolve(self, expression, ignore_unavailable=False, allow_no_indices=True, expand="open",
                closed_error=True):
        """The concrete indices an index expression names, as
        IndexNameExpressionResolver does for reads: wildcards, _all,
        exclusions, data streams (their backing indices)."""
        parts = [p for p in (expression or "_all").split(",") if p != ""]
        if not parts:
            parts = ["*"]
        expand = set((expand or "open").split(","))
        if "all" in expand:
            expand = {"open", "closed", "hidden"}
        out = []
        for part in parts:
            if part == "_all":
                part = "*"
            if part.startswith("-") and out:
                pattern = part[1:]
                out = [i for i in out if not fnmatch.fnmatchcase(i.name, pattern)
                       and not (i.data_stream and fnmatch.fnmatchcase(i.data_stream, pattern))]
                continue
            if "*" in part:
                for name, idx in self.indices.items():
                    if not fnmatch.fnmatchcase(name, part):
                        continue
                    if idx.hidden and "hidden" not in expand and not part.startswith("."):
                        continue
                    if idx.closed and "closed" not in expand:
                        continue
                    if idx not in out:
                        out.append(idx)
                for idx in list(self.indices.values()):
                    for alias in idx.aliases:
                        if fnmatch.fnmatchcase(alias, part) and idx not in out and \
                                (not idx.closed or "closed" in expand):
                            out.append(idx)
                for name, ds in self.data_streams.items():
                    if fnmatch.fnmatchcase(name, part) and (not ds["hidden"] or "hidden" in expand):
                        for n in ds["indices"]:
                            if n in self.indices and self.indices[n] not in out:
                                out.append(self.indices[n])
                continue
            if part in self.indices:
                idx = self.indices[part]
                if idx.closed and closed_error:
                    if ignore_unavailable:
                        continue
                    raise index_closed(idx)
                if idx not in out:
                    out.append(idx)
            elif part in self.data_streams:
                for n in self.data_streams[part]["indices"]:
                    if n in self.indices and self.indices[n] not in out:
                        out.append(self.indices[n])
            elif self.alias_targets(part):
                for idx, _ in self.alias_targets(part):
                    if idx.closed and closed_error and not ignore_unavailable:
                        raise index_closed(idx)
                    if idx not in out and not idx.closed:
                        out.append(idx)
            elif not ignore_unavailable:
                raise index_not_found(part)
        if not out and not allow_no_indices:
            raise index_not_found(parts[0] if len(parts) == 1 else "_all")
        return out

    def write_target(self, op, user=None):
        """The index a write goes to, auto-creating it (or its data stream)
        as TransportBulkAction does; item-level errors raise EsError."""
        name = op.index
        flavor = self.flavor
        is_alias = bool(self.alias_targets(name))
        if op.require_alias and not is_alias:
            raise EsError(404, "index_not_found_exception",
                          "no such index [%s] and [require_alias] request flag is [true] and [%s] is not an alias"
                          % (name, name), [("resource.type", "index_or_alias"), ("resource.id", name)]
                          + index_meta(name))
        if is_alias:
            idx = self.alias_write_index(name)
            if idx.closed:
                raise index_closed(idx)
            return idx
        if name in self.data_streams:
            if op.action != "create":
                raise bad_request("only write ops with an op_type of create are allowed in data streams")
            return self.indices[self.data_streams[name]["indices"][-1]]
        if name in self.indices:
            idx = self.indices[name]
            if idx.data_stream is not None and op.action in ("index", "create") and op.if_seq_no is None:
                raise bad_request("index request with op_type=%s %stargeting backing indices is disallowed, target "
                                  "corresponding data stream [%s] instead"
                                  % (op.action, "and no if_primary_term and if_seq_no set " if op.action == "index"
                                     else "", idx.data_stream))
            if idx.closed:
                raise index_closed(idx)
            return idx
        check_index_name(name, flavor)
        creates = op.action != "delete" or (op.version_type or "internal") != "internal"
        if not creates:
            raise index_not_found(name)
        if not self.config.auto_create_index:
            raise EsError(404, "index_not_found_exception",
                          "no such index [%s] and [action.auto_create_index] is [false]" % name,
                          [("resource.type", "index_expression"), ("resource.id", name)] + index_meta(name))
        if user is not None:
            self.config.auth.require(user, "manage", "indices:admin/auto_create", name)
        tname, tmpl = self.matching_template(name)
        if tmpl is not None and "data_stream" in tmpl and flavor.data_streams:
            if op.action != "create":
                raise bad_request("only write ops with an op_type of create are allowed in data streams")
            return self.create_data_stream(name)
        return self.create_index(name, None, auto=True, doc_type=op.doc_type)

    # -- the four write operations ----------------------------------------------------------------

    def conflict(self, idx, op, shard, explanation):
        return EsError(409, "version_conflict_engine_exception",
                       self.flavor.conflict_prefix(op.doc_type or "_doc", op.doc_id) + "version conflict, "
                       + explanation, shard_meta(idx, shard))

    def check_cas(self, idx, op, shard, cur):
        if op.if_seq_no is None:
            return
        if cur is None or cur.deleted:
            raise self.conflict(idx, op, shard, "required seqNo [%d], primary term [%d]. but no document was found"
                                % (op.if_seq_no, op.if_primary_term))
        if cur.seq_no != op.if_seq_no or op.if_primary_term != 1:
            raise self.conflict(idx, op, shard, "required seqNo [%d], primary term [%d]. current document has "
                                "seqNo [%d] and primary term [%d]" % (op.if_seq_no, op.if_primary_term,
                                                                      cur.seq_no, 1))

    def next_version(self, idx, op, shard, cur):
        """VersionType.isVersionConflictForWrites and updateVersion: the
        version a write gets, or the conflict it makes.  A tombstone counts
        as the current version: that is what keeps a replayed write of an
        older offset out after a delete."""
        vt = op.version_type or "internal"
        if vt == "internal":
            if op.version is not None and (cur is None or cur.deleted or cur.version != op.version):
                current = "-1" if cur is None or cur.deleted else str(cur.version)
                raise self.conflict(idx, op, shard, "current version [%s] is different than the one provided [%d]"
                                    % (current, op.version))
            return cur.version + 1 if cur is not None else 1
        if vt == "external":
            if cur is not None and cur.version >= op.version:
                raise self.conflict(idx, op, shard, "current version [%d] is higher or equal to the one provided "
                                    "[%d]" % (cur.version, op.version))
            return op.version
        if vt == "external_gte":
            if cur is not None and cur.version > op.version:
                raise self.conflict(idx, op, shard, "current version [%d] is higher than the one provided [%d]"
                                    % (cur.version, op.version))
            return op.version
        if vt == "force":
            return op.version
        raise bad_request("No version type match [%s]" % vt)

    def check_type(self, idx, op):
        """6.x: one type per index.  Typeless versions still accept "_doc"
        (7.x and OpenSearch 1.x, as a deprecated type)."""
        flavor = self.flavor
        doc_type = op.doc_type or "_doc"
        if flavor.typed:
            check_type_name(doc_type)
        if not flavor.multi_type:
            existing = idx.single_type()
            if existing is not None and existing != doc_type:
                raise bad_request("Rejecting mapping update to [%s] as the final mapping would have more than 1 "
                                  "type: [%s, %s]" % (idx.name, existing, doc_type))
        return doc_type

    def parse_document(self, idx, doc_type, doc_id, source, raw):
        """Checks a document against the mapping; installs the dynamic
        mapping update it makes.  Returns nothing; raises the item's error."""
        mapping = idx.mapping(doc_type)
        parser = DocumentParser(self.flavor, mapping, doc_id, raw, doc_type)
        update = parser.parse(source)
        if idx.data_stream is not None and "@timestamp" not in source:
            raise parser.error("data stream timestamp field [@timestamp] is missing", None)
        if update is not None:
            limit = int(idx.settings.get("index.mapping.total_fields.limit", "1000"))
            if count_fields(update.get("properties", {})) > limit:
                raise bad_request("Limit of total fields [%d] has been exceeded" % limit)
            idx.mappings[doc_type] = update
        elif doc_type not in idx.mappings:
            idx.mappings[doc_type] = mapping

    def load_source(self, op):
        if op.source is None and op.raw is not None:
            try:
                op.source = loads(op.raw)
            except JsonError as e:
                raise EsError(400, self.flavor.parsing_error, "failed to parse",
                              cause=Cause("json_parse_exception", "%s\n at [Source: (byte[])\"%s\"; line: %d, "
                                          "column: %d]" % (e.message, op.raw[:250], e.line, e.col)))
        return op.source

    def write(self, op, user=None):
        """Applies one write; returns (status, response fields, index) or
        raises the item's EsError."""
        idx = self.write_target(op, user)
        doc_type = self.check_type(idx, op)
        if op.doc_id == "":
            raise bad_request("if _id is specified it must not be empty")
        if op.doc_id is None:
            if op.action in ("update", "delete"):
                raise validation_error(["id is missing"])
            op.doc_id = auto_id()
        shard = op.shard = idx.shard_of(op.routing or op.doc_id)
        key = idx.key(doc_type, op.doc_id)
        cur = idx.current(key)
        live = cur is not None and not cur.deleted
        if op.action in ("index", "create"):
            source = self.load_source(op)
            if op.action == "create" and live:
                raise self.conflict(idx, op, shard, "document already exists (current version [%d])" % cur.version)
            self.check_cas(idx, op, shard, cur)
            version = self.next_version(idx, op, shard, cur)
            self.parse_document(idx, doc_type, op.doc_id, source, op.raw)
            seq = idx.next_seq(shard)
            idx.put(key, Doc(op.doc_id, doc_type, version, seq, op.raw, source, shard))
            result = "updated" if live else "created"
            return (200 if live else 201), self.doc_response(idx, doc_type, op.doc_id, version, result, seq), idx
        if op.action == "delete":
            self.check_cas(idx, op, shard, cur)
            version = self.next_version(idx, op, shard, cur)
            seq = idx.next_seq(shard)
            idx.put(key, Doc(op.doc_id, doc_type, version, seq, None, None, shard, deleted=True))
            result = "deleted" if live else "not_found"
            return (200 if live else 404), self.doc_response(idx, doc_type, op.doc_id, version, result, seq), idx
        return self.write_update(op, idx, doc_type, shard, key, cur, live)

    def write_update(self, op, idx, doc_type, shard, key, cur, live):
        body = op.update
        if "script" in body:
            raise bad_request("scripted updates are not supported by the test server")
        source_spec = body.get("_source", op.source_filter)
        if not live:
            if body.get("upsert") is None and not body.get("doc_as_upsert"):
                raise EsError(404, "document_missing_exception",
                              self.flavor.conflict_prefix(doc_type, op.doc_id) + "document missing",
                              shard_meta(idx, shard))
            source = body["upsert"] if body.get("upsert") is not None else body.get("doc", {})
            raw = dumps(source)
            version = cur.version + 1 if cur is not None else 1
            self.parse_document(idx, doc_type, op.doc_id, source, raw)
            seq = idx.next_seq(shard)
            doc = Doc(op.doc_id, doc_type, version, seq, raw, source, shard)
            idx.put(key, doc)
            resp = self.doc_response(idx, doc_type, op.doc_id, version, "created", seq)
            self.add_get(resp, doc, source_spec)
            return 201, resp, idx
        self.check_cas(idx, op, shard, cur)
        merged = deep_merge(cur.source, body.get("doc") or {})
        if body.get("detect_noop", True) is not False and merged == cur.source:
            resp = self.doc_response(idx, doc_type, op.doc_id, cur.version, "noop", cur.seq_no)
            resp["_shards"] = {"total": 0, "successful": 0, "failed": 0}
            self.add_get(resp, cur, source_spec)
            return 200, resp, idx
        raw = dumps(merged)
        version = cur.version + 1
        self.parse_document(idx, doc_type, op.doc_id, merged, raw)
        seq = idx.next_seq(shard)
        doc = Doc(op.doc_id, doc_type, version, seq, raw, merged, shard)
        idx.put(key, doc)
        resp = self.doc_response(idx, doc_type, op.doc_id, version, "updated", seq)
        self.add_get(resp, doc, source_spec)
        return 200, resp, idx

    def add_get(self, resp, doc, spec):
        if spec is None or spec is False or spec == "false":
            return
        if spec == "true":
            spec = True
        get = {}
        if self.flavor.seq_no:
            get["_seq_no"] = doc.seq_no
            get["_primary_term"] = 1
        get["found"] = True
        get["_source"] = filter_source(doc.source, spec)
        resp["get"] = get

    def doc_response(self, idx, doc_type, doc_id, version, result, seq):
        """DocWriteResponse.innerToXContent, field for field."""
        out = {}
        if self.flavor.created_flag and result in ("deleted", "not_found"):
            out["found"] = result == "deleted"
        out["_index"] = idx.name
        if self.flavor.prints_type:
            out["_type"] = doc_type
        out["_id"] = doc_id
        out["_version"] = version
        out["result"] = result
        out["_shards"] = idx.shards_header()
        if self.flavor.seq_no:
            out["_seq_no"] = seq
            out["_primary_term"] = 1
        if self.flavor.created_flag and result in ("created", "updated"):
            out["created"] = result == "created"
        return out

    # -- refresh ------------------------------------------------------------------------------------

    def refresh(self, indices, shards=None):
        """Refreshes whole indices, or only the (index, shard) pairs in
        `shards` when it is given."""
        for idx in indices:
            idx.refresh(None if shards is None else {s for i, s in shards if i is idx})
        self.cond.notify_all()

    def wait_refreshed(self, targets):
        """refresh=wait_for: sleeps until a refresh has published every
        index's writes, periodic or explicit (with refresh_interval -1 that
        is only an explicit one, as in Elasticsearch)."""
        wanted = {idx: idx.refresh_gen + 1 for idx in targets if idx.pending}
        for idx in wanted:
            idx.waiters += 1
        try:
            self.cond.wait_for(lambda: all(idx.refresh_gen >= gen or idx.name not in self.indices
                                           for idx, gen in wanted.items()))
        finally:
            for idx in wanted:
                idx.waiters -= 1

    def periodic_refresh(self):
        """One pass of the scheduled refresh.  Like IndexShard.scheduledRefresh
        in Elasticsearch 7+, an index that did not set refresh_interval and
        has not been searched for index.search.idle.after is left alone
        unless a wait_for request waits; its next search refreshes it."""
        now = time.monotonic()
        refreshed = False
        for idx in list(self.indices.values()):
            if not idx.pending or idx.closed:
                continue
            interval, explicit = idx.refresh_interval()
            if interval is None or now - idx.last_refresh < interval:
                continue
            if not explicit and idx.waiters == 0 and self.search_idle(idx, now):
                continue
            idx.refresh()
            refreshed = True
        if refreshed:
            self.cond.notify_all()

    def search_idle(self, idx, now):
        after = parse_time_value(idx.settings.get("index.search.idle.after", self.config.search_idle_after),
                                 "index.search.idle.after")
        return after is not None and now - idx.last_search >= after

    def before_search(self, indices):
        now = time.monotonic()
        for idx in indices:
            interval, explicit = idx.refresh_interval()
            if idx.pending and not explicit and interval is not None and self.search_idle(idx, now):
                idx.refresh()
            idx.last_search = now


# ---- search --------------------------------------------------------------------------------------

def analyze(text, analyzer="standard"):
    """Tokens of a text field: the standard analyzer's words, lowercased
    (an approximation of Unicode word segmentation), or the whitespace,
    simple and keyword analyzers."""
    text = java_repr(text) if not isinstance(text, str) else text
    if analyzer == "keyword":
        return [text]
    if analyzer == "whitespace":
        return text.split()
    if analyzer == "simple":
        return re.findall(r"[^\W\d_]+", text.lower())
    return re.findall(r"\w+", text.lower())


def source_values(source, parts):
    """The values at a dotted path of a source, through arrays and through
    keys that themselves hold dots ({"a.b": 1})."""
    out = []
    if not parts:
        if isinstance(source, list):
            for item in source:
                out.extend(source_values(item, parts))
        elif source is not None:
            out.append(source)
        return out
    if isinstance(source, list):
        for item in source:
            out.extend(source_values(item, parts))
        return out
    if not isinstance(source, dict):
        return out
    for i in range(1, len(parts) + 1):
        key = ".".join(parts[:i])
        if key in source:
            out.extend(source_values(source[key], parts[i:]))
    return out


def keyword_text(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else java_repr(value)


class Searcher:
    """Evaluates the query DSL subset the tests and sinks use against the
    searchable documents of some indices.  Scores are constant (1.0): what
    is checked is which documents match, and how many."""

    QUERIES = ("match_all", "match_none", "term", "terms", "ids", "match", "match_phrase", "multi_match", "bool",
               "range", "exists", "prefix", "wildcard", "query_string", "simple_query_string", "constant_score")

    def __init__(self, store):
        self.store = store
        self.flavor = store.flavor

    def field(self, idx, doc, name):
        """(type, mapping, values) of a field for one document; type None
        for a field the mapping does not have (which nothing matches)."""
        if name == "_id":
            return "keyword", {}, [doc.doc_id]
        if name == "_index":
            return "keyword", {}, [idx.name]
        if name == "_type":
            return "keyword", {}, [doc.doc_type]
        parts = name.split(".")
        props = idx.mapping(doc.doc_type).get("properties", {})
        fmap = None
        i = 0
        while i < len(parts):
            fmap = props.get(parts[i])
            if fmap is None:
                return None, None, []
            i += 1
            if i < len(parts):
                if "properties" in fmap:
                    props = fmap["properties"]
                elif "fields" in fmap and parts[i] in fmap["fields"]:
                    sub = fmap["fields"][parts[i]]
                    values = source_values(doc.source, parts[:i])
                    return field_type(sub), sub, values
                else:
                    return None, None, []
        ftype = field_type(fmap)
        if ftype in OBJECT_TYPES:
            return ftype, fmap, source_values(doc.source, parts)
        return ftype, fmap, source_values(doc.source, parts)

    def terms_of(self, ftype, fmap, values):
        """The indexed terms of a field's values, comparable with coerce()."""
        out = []
        for v in values:
            if isinstance(v, dict):
                continue
            if ftype in ("text", "match_only_text", "search_as_you_type"):
                out.extend(analyze(v, fmap.get("analyzer", "standard")))
            elif ftype in INTEGER_RANGES or ftype in FLOAT_TYPES:
                try:
                    out.append(float(v))
                except (TypeError, ValueError):
                    pass
            elif ftype in DATE_TYPES:
                ms = date_millis(v, fmap.get("format", DEFAULT_DATE_FORMAT))
                if ms is not None:
                    out.append(ms)
            elif ftype == "boolean":
                out.append(v in (True, "true"))
            else:
                text = keyword_text(v)
                if "ignore_above" in fmap and len(text) > int(fmap["ignore_above"]):
                    continue
                out.append(text)
        return out

    def coerce(self, ftype, fmap, value, name):
        """A query value in the form terms_of() produces for the field."""
        if ftype in INTEGER_RANGES or ftype in FLOAT_TYPES:
            try:
                return float(value)
            except (TypeError, ValueError):
                raise EsError(400, "query_shard_exception", "failed to create query: For input string: \"%s\""
                              % java_repr(value), [("index_uuid", "_na_"), ("index", "_na_")],
                              cause=Cause("number_format_exception", 'For input string: "%s"' % java_repr(value)))
        if ftype in DATE_TYPES:
            ms = date_millis(value, fmap.get("format", DEFAULT_DATE_FORMAT) if fmap else DEFAULT_DATE_FORMAT)
            if ms is None:
                raise EsError(400, "parse_exception", "failed to parse date field [%s] with format [%s]"
                              % (java_repr(value), DEFAULT_DATE_FORMAT))
            return ms
        if ftype == "boolean":
            return value in (True, "true")
        return keyword_text(value)

    @staticmethod
    def one_field(body, qname):
        if not isinstance(body, dict) or len([k for k in body if k not in ("boost", "_name")]) != 1:
            raise EsError(400, "parsing_exception", "[%s] query doesn't support multiple fields, found [%s]"
                          % (qname, "] and [".join(body)) if isinstance(body, dict) else
                          "[%s] query malformed, no start_object after query name" % qname)
        name = next(k for k in body if k not in ("boost", "_name"))
        return name, body[name]

    def unknown_query(self, name):
        if self.flavor.major >= 8 or self.flavor.opensearch:
            return EsError(400, "parsing_exception", "unknown query [%s]" % name)
        return EsError(400, "parsing_exception", "no [query] registered for [%s]" % name)

    def matcher(self, query):
        """Compiles a query into a predicate f(idx, doc)."""
        if not isinstance(query, dict) or len(query) != 1:
            raise EsError(400, "parsing_exception", "[_na] query malformed, must start with start_object")
        qname, body = next(iter(query.items()))
        if qname not in self.QUERIES:
            raise self.unknown_query(qname)
        return getattr(self, "q_" + qname)(body)

    def q_match_all(self, body):
        return lambda idx, doc: True

    def q_match_none(self, body):
        return lambda idx, doc: False

    def q_constant_score(self, body):
        return self.matcher(body.get("filter", {"match_all": {}}))

    def q_ids(self, body):
        values = set(str(v) for v in body.get("values", []))
        return lambda idx, doc: doc.doc_id in values

    def q_term(self, body):
        name, spec = self.one_field(body, "term")
        value = spec.get("value") if isinstance(spec, dict) else spec
        insensitive = isinstance(spec, dict) and spec.get("case_insensitive") is True
        return self.term_matcher(name, [value], insensitive)

    def q_terms(self, body):
        name, values = self.one_field(body, "terms")
        if not isinstance(values, list):
            raise EsError(400, "parsing_exception", "[terms] query does not support [%s]" % name)
        return self.term_matcher(name, values, False)

    def term_matcher(self, name, values, insensitive):
        def match(idx, doc):
            ftype, fmap, found = self.field(idx, doc, name)
            if ftype is None or ftype in OBJECT_TYPES:
                return False
            terms = self.terms_of(ftype, fmap, found)
            wanted = [self.coerce(ftype, fmap, v, name) for v in values]
            if insensitive:
                terms = [t.lower() if isinstance(t, str) else t for t in terms]
                wanted = [w.lower() if isinstance(w, str) else w for w in wanted]
            return any(w in terms for w in wanted)
        return match

    def q_match(self, body, phrase=False):
        name, spec = self.one_field(body, "match_phrase" if phrase else "match")
        if isinstance(spec, dict):
            text = spec.get("query")
            operator = str(spec.get("operator", "or")).lower()
            lenient = spec.get("lenient", False)
        else:
            text, operator, lenient = spec, "or", False
        return self.match_matcher(name, text, operator, lenient, phrase)

    def q_match_phrase(self, body):
        return self.q_match(body, phrase=True)

    def match_matcher(self, name, text, operator, lenient, phrase):
        def match(idx, doc):
            ftype, fmap, found = self.field(idx, doc, name)
            if ftype is None or ftype in OBJECT_TYPES:
                return False
            if ftype in ("text", "match_only_text", "search_as_you_type"):
                analyzer = fmap.get("search_analyzer", fmap.get("analyzer", "standard"))
                wanted = analyze(text, analyzer)
                if not wanted:
                    return False
                if phrase:
                    for value in found:
                        tokens = analyze(value, fmap.get("analyzer", "standard"))
                        for i in range(len(tokens) - len(wanted) + 1):
                            if tokens[i:i + len(wanted)] == wanted:
                                return True
                    return False
                terms = set(self.terms_of(ftype, fmap, found))
                hits = [w in terms for w in wanted]
                return all(hits) if operator == "and" else any(hits)
            try:
                wanted = self.coerce(ftype, fmap, text, name)
            except EsError:
                if lenient:
                    return False
                raise
            return wanted in self.terms_of(ftype, fmap, found)
        return match

    def q_multi_match(self, body):
        fields = body.get("fields", ["*"])
        text = body.get("query")
        operator = str(body.get("operator", "or")).lower()

        def match(idx, doc):
            names = fields
            if names == ["*"]:
                names = self.all_fields(idx, doc)
            return any(self.match_matcher(n.split("^")[0], text, operator, True, body.get("type") == "phrase")(idx, doc)
                       for n in names)
        return match

    def all_fields(self, idx, doc):
        out = []

        def walk(props, prefix):
            for name, fmap in props.items():
                if "properties" in fmap:
                    walk(fmap["properties"], prefix + name + ".")
                elif field_type(fmap) in STRING_TYPES or field_type(fmap) in INTEGER_RANGES:
                    out.append(prefix + name)
        walk(idx.mapping(doc.doc_type).get("properties", {}), "")
        return out

    def q_bool(self, body):
        def clauses(key):
            value = body.get(key, [])
            return [self.matcher(q) for q in (value if isinstance(value, list) else [value])]
        unknown = [k for k in body if k not in ("must", "filter", "should", "must_not", "minimum_should_match",
                                                "boost", "_name", "adjust_pure_negative")]
        if unknown:
            raise EsError(400, "parsing_exception", "[bool] query does not support [%s]" % unknown[0])
        must = clauses("must") + clauses("filter")
        should = clauses("should")
        must_not = clauses("must_not")
        msm = body.get("minimum_should_match")
        needed = int(msm) if msm is not None and str(msm).lstrip("-").isdigit() else (0 if must else 1)
        if not should:
            needed = 0

        def match(idx, doc):
            if not all(m(idx, doc) for m in must):
                return False
            if any(m(idx, doc) for m in must_not):
                return False
            return sum(1 for m in should if m(idx, doc)) >= needed
        return match

    def q_range(self, body):
        name, spec = self.one_field(body, "range")
        bounds = []
        for key, op in (("gt", lambda a, b: a > b), ("gte", lambda a, b: a >= b),
                        ("lt", lambda a, b: a < b), ("lte", lambda a, b: a <= b)):
            if spec.get(key) is not None:
                bounds.append((spec[key], op))
        if spec.get("from") is not None:
            bounds.append((spec["from"], (lambda a, b: a >= b) if spec.get("include_lower", True) else
                           (lambda a, b: a > b)))
        if spec.get("to") is not None:
            bounds.append((spec["to"], (lambda a, b: a <= b) if spec.get("include_upper", True) else
                           (lambda a, b: a < b)))

        def match(idx, doc):
            ftype, fmap, found = self.field(idx, doc, name)
            if ftype is None or ftype in OBJECT_TYPES or ftype in ("text",):
                return False
            terms = self.terms_of(ftype, fmap, found)
            limits = [(self.coerce(ftype, dict(fmap, format=spec.get("format", fmap.get("format",
                                                                                           DEFAULT_DATE_FORMAT))),
                                   v, name), op) for v, op in bounds]
            return any(all(op(t, lim) for lim, op in limits) for t in terms)
        return match

    def q_exists(self, body):
        name = body.get("field")

        def match(idx, doc):
            ftype, fmap, found = self.field(idx, doc, name)
            return ftype is not None and any(v is not None for v in found)
        return match

    def q_prefix(self, body):
        name, spec = self.one_field(body, "prefix")
        value = spec.get("value") if isinstance(spec, dict) else spec
        return self.pattern_matcher(name, lambda t: isinstance(t, str) and t.startswith(str(value)))

    def q_wildcard(self, body):
        name, spec = self.one_field(body, "wildcard")
        value = spec.get("value", spec.get("wildcard")) if isinstance(spec, dict) else spec
        return self.pattern_matcher(name, lambda t: isinstance(t, str) and fnmatch.fnmatchcase(t, str(value)))

    def pattern_matcher(self, name, test):
        def match(idx, doc):
            ftype, fmap, found = self.field(idx, doc, name)
            if ftype is None:
                return False
            return any(test(t) for t in self.terms_of(ftype, fmap, found))
        return match

    def q_query_string(self, body):
        text = body.get("query", "") if isinstance(body, dict) else str(body)
        return self.query_string(text, body.get("default_field") if isinstance(body, dict) else None,
                                 str(body.get("default_operator", "or")).lower() if isinstance(body, dict) else "or")

    def q_simple_query_string(self, body):
        return self.q_query_string(body)

    def query_string(self, text, default_field=None, default_operator="or"):
        """Lucene query syntax, the common part: "*", field:value terms,
        AND / OR / NOT between them."""
        text = text.strip()
        if text in ("", "*", "*:*"):
            return lambda idx, doc: True
        tokens = re.findall(r'(?:[^\s":]+:)?"[^"]*"|\S+', text)
        clauses, op, negate = [], default_operator, False
        for tok in tokens:
            if tok in ("AND", "&&"):
                op = "and"
                continue
            if tok in ("OR", "||"):
                op = "or"
                continue
            if tok in ("NOT", "!"):
                negate = True
                continue
            if ":" in tok and not tok.startswith('"'):
                name, value = tok.split(":", 1)
            else:
                name, value = default_field, tok
            value = value.strip('"')
            if name and name != "*":
                m = self.match_matcher(name, value, "and", True, False) if value != "*" else self.q_exists(
                    {"field": name})
            else:
                m = self.q_multi_match({"query": value, "fields": ["*"]})
            clauses.append((op, negate, m))
            negate = False
        conj = any(o == "and" for o, _, _ in clauses[1:])

        def match(idx, doc):
            results = [(not m(idx, doc)) if neg else m(idx, doc) for _, neg, m in clauses]
            return all(results) if conj else any(results)
        return match

    SEARCH_KEYS = {
        "query", "size", "from", "sort", "_source", "track_total_hits", "seq_no_primary_term", "version",
        "stored_fields", "explain", "timeout", "terminate_after", "search_after", "post_filter", "highlight",
        "min_score", "track_scores", "docvalue_fields", "fields", "runtime_mappings", "aggs", "aggregations",
        "collapse", "indices_boost", "profile", "rescore", "script_fields", "slice", "stats", "suggest", "pit",
        "ext", "knn",
    }

    def parse_body(self, body):
        body = body or {}
        if not isinstance(body, dict):
            raise EsError(400, "parsing_exception", "Expected [START_OBJECT] but found [%s]" % token_name(body))
        for key, value in body.items():
            if key not in self.SEARCH_KEYS:
                raise EsError(400, "parsing_exception", "Unknown key for a %s in [%s]." % (token_name(value), key))
        if "aggs" in body or "aggregations" in body:
            raise bad_request("aggregations are not supported by the test server")
        return body

    def query_of(self, body, params):
        if "q" in params:
            return self.query_string(params["q"], params.get("df"), params.get("default_operator", "or").lower())
        if body.get("query") is not None:
            return self.matcher(body["query"])
        return lambda idx, doc: True

    def matching(self, indices, match):
        out = []
        for idx in indices:
            for doc in list(idx.searchable.values()):
                if match(idx, doc):
                    out.append((idx, doc))
        return out

    def count(self, indices, body, params):
        body = body or {}
        if not isinstance(body, dict) or any(k not in ("query",) for k in body):
            bad = next(k for k in body if k != "query") if isinstance(body, dict) else "?"
            raise EsError(400, "parsing_exception", "request does not support [%s]" % bad)
        match = self.query_of(body, params)
        self.store.before_search(indices)
        n = len(self.matching(indices, match))
        return {"count": n, "_shards": self.shards(indices)}

    def shards(self, indices):
        total = sum(idx.shards for idx in indices)
        out = {"total": total, "successful": total}
        if self.flavor.major >= 6 or self.flavor.opensearch:
            out["skipped"] = 0
        out["failed"] = 0
        return out

    def sort_spec(self, body, params):
        spec = body.get("sort")
        if "sort" in params:
            spec = []
            for part in params["sort"].split(","):
                name, _, order = part.partition(":")
                spec.append({name: order or "asc"})
        if spec is None:
            return None
        if not isinstance(spec, list):
            spec = [spec]
        out = []
        for item in spec:
            if isinstance(item, str):
                out.append((item, "desc" if item == "_score" else "asc", {}))
            elif isinstance(item, dict):
                for name, opts in item.items():
                    if isinstance(opts, str):
                        out.append((name, opts.lower(), {}))
                    else:
                        out.append((name, str(opts.get("order", "desc" if name == "_score" else "asc")).lower(),
                                    opts))
        return out

    def sort_key(self, idx, doc, name, order, opts):
        if name == "_doc":
            return doc.seq_no
        if name == "_score":
            return 1.0
        ftype, fmap, found = self.field(idx, doc, name)
        if ftype is None:
            if "unmapped_type" in opts:
                return None
            raise EsError(400, "query_shard_exception", "No mapping found for [%s] in order to sort on" % name,
                          [("index_uuid", idx.uuid), ("index", idx.name)])
        if ftype == "text" and fmap.get("fielddata") not in (True, "true"):
            raise bad_request("Text fields are not optimised for operations that require per-document field data "
                              "like aggregations and sorting, so these operations are disabled by default. Please "
                              "use a keyword field instead. Alternatively, set fielddata=true on [%s] in order to "
                              "load field data by uninverting the inverted index. Note that this can use significant "
                              "memory." % name)
        terms = self.terms_of(ftype, fmap, found)
        if not terms:
            return None
        return max(terms) if order == "desc" else min(terms)

    def search(self, indices, body, params):
        body = self.parse_body(body)
        flavor = self.flavor
        match = self.query_of(body, params)
        size = int(params.get("size", body.get("size", 10)))
        start = int(params.get("from", body.get("from", 0)))
        window = min((int(i.settings.get("index.max_result_window", 10000)) for i in indices), default=10000)
        if start + size > window:
            raise bad_request("Result window is too large, from + size must be less than or equal to: [%d] but was "
                              "[%d]. See the scroll api for a more efficient way to request large data sets. This "
                              "limit can be set by changing the [index.max_result_window] index level setting."
                              % (window, start + size))
        as_int = parse_bool_param(params["rest_total_hits_as_int"], "rest_total_hits_as_int") \
            if "rest_total_hits_as_int" in params else False
        track = params.get("track_total_hits", body.get("track_total_hits"))
        if isinstance(track, str):
            track = True if track in ("", "true") else False if track == "false" else int(track)
        if track is None:
            track = True if as_int else 10000
        if track is True:
            up_to = None
        elif track is False:
            up_to = -1
        else:
            up_to = int(track)
            if up_to < -1:
                raise bad_request("[track_total_hits] parameter must be positive or equals to -1, got %d" % up_to)
            if up_to == 2 ** 31 - 1:
                up_to = None
        if as_int and up_to not in (None, -1):
            raise bad_request("[rest_total_hits_as_int] cannot be used if the tracking of total hits is not "
                              "accurate, got %d" % up_to)
        sort = self.sort_spec(body, params)
        self.store.before_search(indices)
        hits = self.matching(indices, match)
        if sort:
            for name, order, opts in reversed(sort):
                keyed = [(self.sort_key(idx, doc, name, order, opts), (idx, doc)) for idx, doc in hits]
                present = [k for k in keyed if k[0] is not None]
                missing = [k for k in keyed if k[0] is None]
                present.sort(key=lambda k: k[0], reverse=order == "desc")
                hits = [h for _, h in present] + [h for _, h in missing]
        total = len(hits)
        page = hits[start:start + size]
        spec = body.get("_source")
        if "_source" in params:
            spec = params["_source"]
            spec = True if spec in ("", "true") else False if spec == "false" else spec.split(",")
        if "_source_includes" in params or "_source_excludes" in params:
            spec = {"includes": [p for p in params.get("_source_includes", "").split(",") if p],
                    "excludes": [p for p in params.get("_source_excludes", "").split(",") if p]}
        scored = not sort or body.get("track_scores") is True
        out_hits = []
        for idx, doc in page:
            hit = {"_index": idx.name}
            if flavor.prints_type:
                hit["_type"] = doc.doc_type
            hit["_id"] = doc.doc_id
            if body.get("version") is True or params.get("version") in ("", "true"):
                hit["_version"] = doc.version
            if body.get("seq_no_primary_term") is True or params.get("seq_no_primary_term") in ("", "true"):
                hit["_seq_no"] = doc.seq_no
                hit["_primary_term"] = 1
            hit["_score"] = 1.0 if scored else None
            if spec is None or spec is True:
                hit["_source"] = Raw(doc.raw)
            elif spec is not False:
                hit["_source"] = filter_source(doc.source, spec)
            if sort:
                values = []
                for name, order, opts in sort:
                    v = self.sort_key(idx, doc, name, order, opts)
                    if isinstance(v, float) and v.is_integer():
                        ftype = self.field(idx, doc, name)[0] if name not in ("_score", "_doc") else None
                        if ftype in INTEGER_RANGES or ftype in DATE_TYPES:
                            v = int(v)
                    values.append(v)
                hit["sort"] = values
            out_hits.append(hit)
        hits_obj = {}
        if not flavor.total_hits_object:
            hits_obj["total"] = total
        elif as_int:
            hits_obj["total"] = -1 if up_to == -1 else total
        elif up_to != -1:
            if up_to is not None and total > up_to:
                hits_obj["total"] = {"value": up_to, "relation": "gte"}
            else:
                hits_obj["total"] = {"value": total, "relation": "eq"}
        hits_obj["max_score"] = 1.0 if (scored and page) else None
        hits_obj["hits"] = out_hits
        return {"took": 1, "timed_out": False, "_shards": self.shards(indices), "hits": hits_obj}


# ---- security ------------------------------------------------------------------------------------

ROLES = {
    "superuser": {"monitor", "read", "write", "manage"},
    "writer": {"monitor", "read", "write", "manage"},
    "indexer": {"monitor", "read", "write"},
    "reader": {"monitor", "read"},
    "monitor": {"monitor"},
    "none": set(),
}
GRANTED_BY = {
    "monitor": "cluster privileges [monitor,manage,all]",
    "read": "index privileges [read,all]",
    "write": "index privileges [create_doc,create,delete,index,write,all]",
    "manage": "index privileges [create_index,manage,all]",
}


class User:
    def __init__(self, name, role):
        self.name = name
        self.role = role
        self.privileges = ROLES[role]


class Auth:
    """Basic and ApiKey authentication, and roles that allow a category of
    actions (monitor, read, write, manage).  With no users and no keys
    configured, security is off, as on a cluster without it."""

    def __init__(self, flavor):
        self.flavor = flavor
        self.users = {}
        self.api_keys = {}

    @property
    def enabled(self):
        return bool(self.users or self.api_keys)

    def add_user(self, spec):
        name, _, rest = spec.partition(":")
        password, _, role = rest.partition(":")
        role = role or "superuser"
        if role not in ROLES:
            raise ValueError("unknown role %r (one of %s)" % (role, ", ".join(ROLES)))
        self.users[name] = (password, role)

    def add_api_key(self, spec):
        key_id, _, rest = spec.partition(":")
        key, _, role = rest.partition(":")
        role = role or "superuser"
        if role not in ROLES:
            raise ValueError("unknown role %r (one of %s)" % (role, ", ".join(ROLES)))
        self.api_keys[key_id] = (key, role)

    def challenge(self):
        if self.flavor.opensearch:
            return ['Basic realm="OpenSearch Security"']
        values = ['Basic realm="security" charset="UTF-8"']
        if self.flavor.major >= 8:
            values.append('Bearer realm="security"')
        if self.flavor.v >= (6, 7, 0):
            values.append("ApiKey")
        return values

    def unauthorized(self, reason):
        headers = [("WWW-Authenticate", v) for v in self.challenge()]
        if self.flavor.opensearch:
            raise RawResponse(401, b"Unauthorized", "text/plain; charset=UTF-8", headers)
        raise EsError(401, "security_exception", reason, [("header", {"WWW-Authenticate": self.challenge()})],
                      headers=headers)

    def authenticate(self, header, uri):
        if not self.enabled:
            return None
        if not header:
            self.unauthorized("missing authentication credentials for REST request [%s]" % uri)
        scheme, _, cred = header.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            try:
                name, _, password = base64.b64decode(cred.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                self.unauthorized("missing authentication credentials for REST request [%s]" % uri)
            if name in self.users and self.users[name][0] == password:
                return User(name, self.users[name][1])
            self.unauthorized("unable to authenticate user [%s] for REST request [%s]" % (name, uri))
        if scheme == "apikey":
            try:
                key_id, _, key = base64.b64decode(cred.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                key_id, key = "", ""
            if key_id in self.api_keys and self.api_keys[key_id][0] == key:
                return User(key_id, self.api_keys[key_id][1])
            self.unauthorized("unable to authenticate with provided credentials and anonymous access is not "
                              "allowed for this request")
        self.unauthorized("unable to authenticate with provided credentials and anonymous access is not allowed "
                          "for this request")

    def require(self, user, category, action, index=None):
        if user is None or category in user.privileges:
            return
        if self.flavor.opensearch:
            reason = "no permissions for [%s] and User [name=%s, backend_roles=[], requestedTenant=null]" % (
                action, user.name)
        elif self.flavor.major >= 8:
            reason = "action [%s] is unauthorized for user [%s] with effective roles [%s]%s, this action is granted " \
                     "by the %s" % (action, user.name, user.role, " on indices [%s]" % index if index else "",
                                    GRANTED_BY[category])
        else:
            reason = "action [%s] is unauthorized for user [%s]" % (action, user.name)
        raise EsError(403, "security_exception", reason)


class RawResponse(Exception):
    """A response that is not Elasticsearch JSON (OpenSearch's security
    plugin answers 401 with plain text)."""

    def __init__(self, status, body, content_type, headers=()):
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers)


# ---- faults and counters -------------------------------------------------------------------------

FAULT_FIELDS = {"path", "method", "status", "error_type", "reason", "retry_after", "count", "seconds", "delay_ms",
                "drop", "item_status", "fraction", "seed"}


class FaultRule:
    """One injected misbehaviour.  It applies to requests whose method and
    path match, for `count` requests (or items), for `seconds`, or until
    removed; see tests/es/README.md for the fields."""

    def __init__(self, rule_id, spec):
        unknown = [k for k in spec if k not in FAULT_FIELDS]
        if unknown:
            raise ValueError("unknown fault field(s): %s" % ", ".join(unknown))
        kinds = [k for k in ("status", "delay_ms", "drop", "item_status") if k in spec]
        if not kinds:
            raise ValueError("a fault needs one of status, delay_ms, drop or item_status")
        if "item_status" in spec and ("status" in spec or "drop" in spec):
            raise ValueError("item_status cannot be combined with status or drop")
        if spec.get("drop") not in (None, "before", "after", "reset"):
            raise ValueError("drop is one of before, after, reset")
        self.id = rule_id
        self.spec = dict(spec)
        self.path = re.compile(spec.get("path", ""))
        self.method = spec.get("method")
        self.remaining = spec.get("count")
        self.until = time.monotonic() + float(spec["seconds"]) if "seconds" in spec else None
        self.fraction = float(spec.get("fraction", 1.0))
        self.rng = random.Random(spec.get("seed", rule_id))
        self.applied = 0

    def live(self):
        if self.remaining is not None and self.remaining <= 0:
            return False
        return self.until is None or time.monotonic() < self.until

    def matches(self, method, path):
        return (self.live() and (self.method is None or self.method.upper() == method)
                and self.path.search(path) is not None)

    def consume(self):
        self.applied += 1
        if self.remaining is not None:
            self.remaining -= 1

    def describe(self):
        out = dict(self.spec)
        out["id"] = self.id
        out["applied"] = self.applied
        out["active"] = self.live()
        if self.remaining is not None:
            out["remaining"] = self.remaining
        return out


class Faults:
    """The rules the tests set through /_fault, and the counters they read."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.next_id = 1
        self.log = []
        self.reset_stats()

    def reset_stats(self):
        with self.lock:
            self.stats = {
                "requests": 0, "requests_by_api": {}, "requests_by_status": {}, "bulk_requests": 0,
                "bulk_items": 0, "bulk_items_by_action": {}, "bulk_items_by_status": {}, "bulk_items_by_result": {},
                "faults": {"status": 0, "delay": 0, "drop": 0, "item_status": 0}, "gzip_requests": 0,
                "bytes_received": 0,
            }
            self.log = []

    def add(self, spec):
        with self.lock:
            rule = FaultRule(self.next_id, spec)
            self.next_id += 1
            self.rules.append(rule)
            return rule.id

    def clear(self, rule_id=None):
        with self.lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if rule_id is not None and r.id != rule_id]
            return before - len(self.rules)

    def for_request(self, method, path):
        """The whole-request rules that apply to this request (each one
        consumed once), in the order they were added."""
        with self.lock:
            out = []
            for rule in self.rules:
                if "item_status" in rule.spec or not rule.matches(method, path):
                    continue
                rule.consume()
                out.append(rule)
            return out

    def item_rejections(self, method, path, n):
        """For each of `n` bulk items, the rule that rejects it (or None)."""
        with self.lock:
            out = [None] * n
            for rule in self.rules:
                if "item_status" not in rule.spec or not rule.matches(method, path):
                    continue
                for i in range(n):
                    if out[i] is None and rule.live() and rule.rng.random() < rule.fraction:
                        out[i] = rule
                        rule.consume()
            return out

    def count(self, key, sub=None, n=1):
        with self.lock:
            if sub is None:
                self.stats[key] += n
            else:
                bucket = self.stats[key]
                bucket[sub] = bucket.get(sub, 0) + n

    def add_bulk(self, n_items, n_rejected, tally):
        with self.lock:
            self.stats["bulk_requests"] += 1
            self.stats["bulk_items"] += n_items
            self.stats["faults"]["item_status"] += n_rejected
            for bucket, counts in tally.items():
                for key, n in counts.items():
                    self.stats[bucket][key] = self.stats[bucket].get(key, 0) + n

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if len(self.log) > 10000:
                del self.log[:1000]

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.stats))

    def describe(self):
        with self.lock:
            return [r.describe() for r in self.rules]


def fault_error(rule, flavor, what="coordinating"):
    """The error a status rule (or an item rule) answers with: what a
    loaded Elasticsearch says for that status, unless the rule names one."""
    status = rule.spec.get("item_status", rule.spec.get("status"))
    defaults = {
        429: (flavor.rejected_type,
              "rejected execution of %s operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, "
              "coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=107374182]" % what),
        503: ("cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];")
        if what == "coordinating" else
        ("unavailable_shards_exception", "primary shard is not active Timeout: [1m]"),
        500: ("exception", "injected failure"),
        408: ("timeout_exception", "injected timeout"),
    }
    etype, reason = defaults.get(status, ("exception", "injected failure"))
    headers = []
    if "retry_after" in rule.spec:
        headers.append(("Retry-After", str(rule.spec["retry_after"])))
    return EsError(int(status), rule.spec.get("error_type", etype), rule.spec.get("reason", reason), headers=headers)


# ---- REST API ------------------------------------------------------------------------------------

class Request:
    def __init__(self, method, path, params, headers, body, user, route_vars, uri):
        self.method = method
        self.path = path
        self.params = params
        self.headers = headers
        self.body = body
        self.user = user
        self.p = route_vars
        self.uri = uri

    def json(self, required=False):
        if not self.body or not self.body.strip():
            if required:
                raise EsError(400, "parse_exception", "request body is required")
            return None
        try:
            return loads(self.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise EsError(400, "not_x_content_exception", "Compressor detection can only be called on some xcontent "
                                                          "bytes or compressed xcontent bytes")
        except JsonError as e:
            raise parse_error(e)

    def flag(self, name, default=False):
        if name not in self.params:
            return default
        return parse_bool_param(self.params[name], name)

    def param_long(self, name, default=None):
        """A parameter read as RestRequest.paramAsLong does (Long.parseLong:
        an optional sign and decimal digits, within a Java long), else 400."""
        if name not in self.params:
            return default
        text = self.params[name]
        number = int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None
        if number is None or not -2 ** 63 <= number < 2 ** 63:
            raise bad_request("Failed to parse long parameter [%s] with value [%s]" % (name, text))
        return number

    def refresh_mode(self):
        value = self.params.get("refresh", "false")
        if value in ("", "true"):
            return "true"
        if value in ("false", "wait_for"):
            return value
        raise bad_request("Unknown value for refresh: [%s]." % value)


WRITE_PARAMS = {"refresh", "routing", "timeout", "wait_for_active_shards", "pipeline", "require_alias",
                "include_source_on_error", "version", "version_type", "if_seq_no", "if_primary_term", "op_type",
                "parent", "require_data_stream"}
READ_PARAMS = {"realtime", "refresh", "routing", "preference", "stored_fields", "_source", "_source_includes",
               "_source_excludes", "_source_include", "_source_exclude", "version", "version_type", "parent"}
SEARCH_PARAMS = {"q", "size", "from", "sort", "_source", "_source_includes", "_source_excludes", "track_total_hits",
                 "rest_total_hits_as_int", "timeout", "ignore_unavailable", "allow_no_indices", "expand_wildcards",
                 "seq_no_primary_term", "version", "df", "default_operator", "analyzer", "lenient", "preference",
                 "routing", "search_type", "request_cache", "typed_keys", "scroll", "terminate_after", "stats",
                 "stored_fields", "docvalue_fields", "explain", "track_scores", "batched_reduce_size",
                 "max_concurrent_shard_requests", "pre_filter_shard_size", "allow_partial_search_results",
                 "ccs_minimize_roundtrips", "ignore_throttled", "analyze_wildcard", "type"}
COUNT_PARAMS = {"q", "ignore_unavailable", "allow_no_indices", "expand_wildcards", "df", "default_operator",
                "analyzer", "lenient", "min_score", "preference", "routing", "terminate_after", "ignore_throttled",
                "analyze_wildcard"}
INDICES_PARAMS = {"ignore_unavailable", "allow_no_indices", "expand_wildcards", "master_timeout",
                  "cluster_manager_timeout", "timeout", "local", "flat_settings", "include_defaults",
                  "include_type_name", "wait_for_active_shards", "features", "write_index_only", "preserve_existing",
                  "reopen", "name"}
GLOBAL_PARAMS = {"pretty", "human", "error_trace", "filter_path", "source", "source_content_type"}


class Api:
    """The endpoints.  Each handler returns (status, body[, headers]) or
    raises EsError; the HTTP layer does the rest."""

    def __init__(self, config, store, faults):
        self.config = config
        self.flavor = config.flavor
        self.store = store
        self.faults = faults
        self.searcher = Searcher(store)
        self.routes = self.build_routes()

    def build_routes(self):
        f = self.flavor
        routes = []

        def add(methods, path, api, handler, params=(), category="read", action=""):
            routes.append((tuple(methods.split(",")), path.strip("/").split("/") if path != "/" else [],
                           api, handler, set(params), category, action))

        add("GET,HEAD", "/", "info", self.info, (), "monitor", "cluster:monitor/main")
        add("GET", "/_cluster/health", "cluster.health", self.health, INDICES_PARAMS | {
            "level", "wait_for_status", "wait_for_nodes", "wait_for_events", "wait_for_no_relocating_shards",
            "wait_for_no_initializing_shards", "awareness_attribute"}, "monitor", "cluster:monitor/health")
        add("GET", "/_cluster/health/{index}", "cluster.health", self.health, INDICES_PARAMS | {
            "level", "wait_for_status", "wait_for_nodes", "wait_for_events", "wait_for_no_relocating_shards",
            "wait_for_no_initializing_shards", "awareness_attribute"}, "monitor", "cluster:monitor/health")
        bulk_params = WRITE_PARAMS | {"_source", "_source_includes", "_source_excludes", "_source_include",
                                      "_source_exclude", "type", "list_executed_pipelines"}
        add("POST,PUT", "/_bulk", "bulk", self.bulk, bulk_params, "write", "indices:data/write/bulk")
        add("POST,PUT", "/{index}/_bulk", "bulk", self.bulk, bulk_params, "write", "indices:data/write/bulk")
        add("GET,POST", "/_search", "search", self.search, SEARCH_PARAMS, "read", "indices:data/read/search")
        add("GET,POST", "/{index}/_search", "search", self.search, SEARCH_PARAMS, "read", "indices:data/read/search")
        add("GET,POST", "/_count", "count", self.count, COUNT_PARAMS, "read", "indices:data/read/search")
        add("GET,POST", "/{index}/_count", "count", self.count, COUNT_PARAMS, "read", "indices:data/read/search")
        add("POST,GET", "/_refresh", "indices.refresh", self.refresh, INDICES_PARAMS, "manage",
            "indices:admin/refresh")
        add("POST,GET", "/{index}/_refresh", "indices.refresh", self.refresh, INDICES_PARAMS, "manage",
            "indices:admin/refresh")
        add("GET", "/_mapping", "indices.get_mapping", self.get_mapping, INDICES_PARAMS, "read",
            "indices:admin/mappings/get")
        add("GET", "/{index}/_mapping", "indices.get_mapping", self.get_mapping, INDICES_PARAMS, "read",
            "indices:admin/mappings/get")
        add("PUT,POST", "/{index}/_mapping", "indices.put_mapping", self.put_mapping, INDICES_PARAMS, "manage",
            "indices:admin/mapping/put")
        add("GET", "/_settings", "indices.get_settings", self.get_settings, INDICES_PARAMS, "read",
            "indices:monitor/settings/get")
        add("GET", "/{index}/_settings", "indices.get_settings", self.get_settings, INDICES_PARAMS, "read",
            "indices:monitor/settings/get")
        add("GET", "/{index}/_settings/{name}", "indices.get_settings", self.get_settings, INDICES_PARAMS, "read",
            "indices:monitor/settings/get")
        add("PUT", "/{index}/_settings", "indices.put_settings", self.put_settings, INDICES_PARAMS, "manage",
            "indices:admin/settings/update")
        add("POST", "/{index}/_open", "indices.open", self.open_index, INDICES_PARAMS, "manage", "indices:admin/open")
        add("POST", "/{index}/_close", "indices.close", self.close_index, INDICES_PARAMS, "manage",
            "indices:admin/close")
        alias_params = {"timeout", "master_timeout", "cluster_manager_timeout", "ignore_unavailable",
                        "allow_no_indices", "expand_wildcards", "local"}
        for path in ("/{index}/_alias/{name}", "/{index}/_aliases/{name}"):
            add("PUT,POST", path, "indices.put_alias", self.put_alias, alias_params, "manage",
                "indices:admin/aliases")
            add("DELETE", path, "indices.delete_alias", self.delete_alias, alias_params, "manage",
                "indices:admin/aliases")
        add("POST", "/_aliases", "indices.update_aliases", self.update_aliases, alias_params, "manage",
            "indices:admin/aliases")
        for path in ("/_alias", "/_alias/{name}", "/{index}/_alias", "/{index}/_alias/{name}"):
            add("GET,HEAD", path, "indices.get_alias", self.get_alias, alias_params, "read",
                "indices:admin/aliases/get")
        add("GET", "/_cat/indices", "cat.indices", self.cat_indices, {"v", "h", "format", "s", "health", "bytes",
                                                                      "pri", "expand_wildcards", "help"},
            "monitor", "indices:monitor/stats")
        add("GET", "/_cat/indices/{index}", "cat.indices", self.cat_indices, {"v", "h", "format", "s", "health",
                                                                              "bytes", "pri", "expand_wildcards",
                                                                              "help"},
            "monitor", "indices:monitor/stats")
        tmpl_params = {"create", "cause", "master_timeout", "cluster_manager_timeout", "flat_settings", "local",
                       "order", "timeout", "include_type_name"}
        if f.composable_templates:
            add("PUT,POST", "/_index_template/{name}", "indices.put_index_template", self.put_template, tmpl_params,
                "manage", "indices:admin/index_template/put")
            add("GET", "/_index_template", "indices.get_index_template", self.get_template, tmpl_params, "read",
                "indices:admin/index_template/get")
            add("GET", "/_index_template/{name}", "indices.get_index_template", self.get_template, tmpl_params,
                "read", "indices:admin/index_template/get")
            add("HEAD", "/_index_template/{name}", "indices.exists_index_template", self.get_template, tmpl_params,
                "read", "indices:admin/index_template/get")
            add("DELETE", "/_index_template/{name}", "indices.delete_index_template", self.delete_template,
                tmpl_params, "manage", "indices:admin/index_template/delete")
            add("PUT,POST", "/_component_template/{name}", "cluster.put_component_template",
                self.put_component_template, tmpl_params, "manage", "cluster:admin/component_template/put")
        add("PUT,POST", "/_template/{name}", "indices.put_template", self.put_legacy_template, tmpl_params, "manage",
            "indices:admin/template/put")
        add("GET", "/_template/{name}", "indices.get_template", self.get_legacy_template, tmpl_params, "read",
            "indices:admin/template/get")
        add("DELETE", "/_template/{name}", "indices.delete_template", self.delete_legacy_template, tmpl_params,
            "manage", "indices:admin/template/delete")
        if f.data_streams:
            add("PUT", "/_data_stream/{name}", "indices.create_data_stream", self.create_data_stream, tmpl_params,
                "manage", "indices:admin/data_stream/create")
            add("GET", "/_data_stream", "indices.get_data_stream", self.get_data_stream,
                tmpl_params | {"expand_wildcards", "include_defaults"}, "read", "indices:admin/data_stream/get")
            add("GET", "/_data_stream/{name}", "indices.get_data_stream", self.get_data_stream,
                tmpl_params | {"expand_wildcards", "include_defaults"}, "read", "indices:admin/data_stream/get")
            add("DELETE", "/_data_stream/{name}", "indices.delete_data_stream", self.delete_data_stream,
                tmpl_params | {"expand_wildcards"}, "manage", "indices:admin/data_stream/delete")
        if not f.typed:
            add("PUT,POST", "/{index}/_doc/{id}", "index", self.index_doc, WRITE_PARAMS, "write",
                "indices:data/write/index")
            add("POST", "/{index}/_doc", "index", self.index_doc, WRITE_PARAMS, "write", "indices:data/write/index")
            add("PUT,POST", "/{index}/_create/{id}", "create", self.create_doc, WRITE_PARAMS, "write",
                "indices:data/write/index")
            add("POST", "/{index}/_update/{id}", "update", self.update_doc, WRITE_PARAMS | {
                "retry_on_conflict", "_source", "_source_includes", "_source_excludes", "lang"}, "write",
                "indices:data/write/update")
            add("GET,HEAD", "/{index}/_doc/{id}", "get", self.get_doc, READ_PARAMS, "read", "indices:data/read/get")
            add("DELETE", "/{index}/_doc/{id}", "delete", self.delete_doc, WRITE_PARAMS, "write",
                "indices:data/write/delete")
            add("GET,HEAD", "/{index}/_source/{id}", "get_source", self.get_source, READ_PARAMS, "read",
                "indices:data/read/get")
        if f.typed_paths:
            add("PUT,POST", "/{index}/{type}/{id}", "index", self.index_doc, WRITE_PARAMS, "write",
                "indices:data/write/index")
            add("POST", "/{index}/{type}", "index", self.index_doc, WRITE_PARAMS, "write", "indices:data/write/index")
            add("PUT,POST", "/{index}/{type}/{id}/_create", "create", self.create_doc, WRITE_PARAMS, "write",
                "indices:data/write/index")
            add("POST", "/{index}/{type}/{id}/_update", "update", self.update_doc, WRITE_PARAMS | {
                "retry_on_conflict", "_source", "_source_includes", "_source_excludes", "fields", "lang"}, "write",
                "indices:data/write/update")
            add("GET,HEAD", "/{index}/{type}/{id}", "get", self.get_doc, READ_PARAMS, "read", "indices:data/read/get")
            add("DELETE", "/{index}/{type}/{id}", "delete", self.delete_doc, WRITE_PARAMS, "write",
                "indices:data/write/delete")
            add("GET,HEAD", "/{index}/{type}/{id}/_source", "get_source", self.get_source, READ_PARAMS, "read",
                "indices:data/read/get")
            add("POST,PUT", "/{index}/{type}/_bulk", "bulk", self.bulk, bulk_params, "write",
                "indices:data/write/bulk")
            add("GET,POST", "/{index}/{type}/_search", "search", self.search, SEARCH_PARAMS, "read",
                "indices:data/read/search")
            add("GET,POST", "/{index}/{type}/_count", "count", self.count, COUNT_PARAMS, "read",
                "indices:data/read/search")
            add("PUT,POST", "/{index}/_mapping/{type}", "indices.put_mapping", self.put_mapping, INDICES_PARAMS,
                "manage", "indices:admin/mapping/put")
            add("PUT,POST", "/{index}/{type}/_mapping", "indices.put_mapping", self.put_mapping, INDICES_PARAMS,
                "manage", "indices:admin/mapping/put")
            add("GET", "/{index}/_mapping/{type}", "indices.get_mapping", self.get_mapping, INDICES_PARAMS, "read",
                "indices:admin/mappings/get")
        add("PUT", "/{index}", "indices.create", self.create_index, INDICES_PARAMS, "manage", "indices:admin/create")
        add("HEAD", "/{index}", "indices.exists", self.index_exists, INDICES_PARAMS, "read", "indices:admin/get")
        add("GET", "/{index}", "indices.get", self.get_index, INDICES_PARAMS, "read", "indices:admin/get")
        add("DELETE", "/{index}", "indices.delete", self.delete_index, INDICES_PARAMS, "manage",
            "indices:admin/delete")
        return routes

    def route(self, method, segments):
        """RestController's choice: the most specific path first (literal
        segments before variables); the first that has the method wins;
        a path that exists without the method is a 405."""
        candidates = []
        for route in self.routes:
            pattern = route[1]
            if len(pattern) != len(segments):
                continue
            bound = {}
            ok = True
            for pat, seg in zip(pattern, segments):
                if pat.startswith("{"):
                    if seg == "":
                        ok = False
                        break
                    bound[pat[1:-1]] = seg
                elif pat != seg:
                    ok = False
                    break
            if ok:
                candidates.append((tuple(1 if p.startswith("{") else 0 for p in pattern), route, bound))
        candidates.sort(key=lambda c: c[0])
        allowed = []
        for _, route, bound in candidates:
            if method in route[0]:
                return route, bound
            allowed.extend(m for m in route[0] if m not in allowed)
        if allowed:
            order = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"]
            allowed.sort(key=order.index)
            raise MethodNotAllowed(allowed)
        return None, None

    # -- cluster ------------------------------------------------------------------------------------

    def info(self, req):
        return 200, self.flavor.info(self.config.node_name, self.config.cluster_name, self.store.cluster_uuid)

    def health(self, req):
        with self.store.lock:
            indices = (self.store.resolve(req.p["index"], expand="open,closed") if "index" in req.p
                       else list(self.store.indices.values()))
            status = "green"
            for idx in indices:
                if idx.health() == "yellow":
                    status = "yellow"
            primaries = sum(i.shards for i in indices if not i.closed)
            unassigned = sum(i.shards * i.replicas for i in indices if not i.closed)
            active = primaries
        wanted = req.params.get("wait_for_status")
        rank = {"green": 0, "yellow": 1, "red": 2}
        timed_out = wanted is not None and rank[status] > rank.get(wanted, 2)
        total = active + unassigned
        body = {"cluster_name": self.config.cluster_name, "status": status, "timed_out": timed_out,
                "number_of_nodes": 1, "number_of_data_nodes": 1, "active_primary_shards": primaries,
                "active_shards": active, "relocating_shards": 0, "initializing_shards": 0,
                "unassigned_shards": unassigned, "delayed_unassigned_shards": 0, "number_of_pending_tasks": 0,
                "number_of_in_flight_fetch": 0, "task_max_waiting_in_queue_millis": 0,
                "active_shards_percent_as_number": 100.0 * active / total if total else 100.0}
        return (408 if timed_out else 200), body

    # -- documents ----------------------------------------------------------------------------------

    def doc_type(self, req):
        return req.p.get("type") or ("_doc" if not self.flavor.typed else None)

    def op_from_request(self, req, action):
        op = WriteOp(action)
        op.index = req.p["index"]
        op.doc_type = self.doc_type(req)
        op.doc_id = req.p.get("id")
        op.routing = req.params.get("routing")
        op.require_alias = req.flag("require_alias")
        op.version_type = req.params.get("version_type")
        if op.version_type is not None and op.version_type not in ("internal", "external", "external_gte", "force"):
            raise bad_request("No version type match [%s]" % op.version_type)
        for name in ("version", "if_seq_no", "if_primary_term"):
            setattr(op, name, req.param_long(name, getattr(op, name)))
        if self.flavor.typed and op.doc_type:
            check_type_name(op.doc_type)
        return op

    def write_one(self, req, op):
        self.config.auth.require(req.user, "write", "indices:data/write/" + ("update" if op.action == "update"
                                                                             else "delete" if op.action == "delete"
                                                                             else "index"), op.index)
        problems = op.problems(self.flavor)
        if problems:
            raise validation_error(problems)
        mode = req.refresh_mode()
        with self.store.lock:
            status, resp, idx = self.store.write(op, req.user)
            if mode == "true":
                self.store.refresh([idx], {(idx, op.shard)})
                resp = self.with_forced_refresh(resp)
            elif mode == "wait_for":
                self.store.wait_refreshed([idx])
        headers = []
        if status == 201:
            headers.append(("Location", "/%s/%s/%s" % (urllib.parse.quote(idx.name), op.doc_type or "_doc",
                                                       urllib.parse.quote(op.doc_id, safe=""))))
        return status, resp, headers

    @staticmethod
    def with_forced_refresh(resp):
        out = {}
        for key, value in resp.items():
            if key == "_shards":
                out["forced_refresh"] = True
            out[key] = value
        return out

    def index_doc(self, req, action="index"):
        op = self.op_from_request(req, action)
        op_type = req.params.get("op_type")
        if op_type is not None:
            if op_type not in ("index", "create"):
                raise bad_request("opType must be 'create' or 'index', found: [%s]" % op_type)
            op.action = op_type
        if not req.body or not req.body.strip():
            raise EsError(400, "parse_exception", "request body is required")
        try:
            op.raw = req.body.decode("utf-8")
        except UnicodeDecodeError:
            raise EsError(400, "not_x_content_exception", "Compressor detection can only be called on some xcontent "
                                                          "bytes or compressed xcontent bytes")
        try:
            op.source = loads(op.raw)
        except JsonError as e:
            raise EsError(400, self.flavor.parsing_error, "failed to parse",
                          cause=Cause("json_parse_exception", e.message))
        return self.write_one(req, op)

    def create_doc(self, req):
        return self.index_doc(req, "create")

    def delete_doc(self, req):
        op = self.op_from_request(req, "delete")
        return self.write_one(req, op)

    def update_doc(self, req):
        op = self.op_from_request(req, "update")
        try:
            int(req.params.get("retry_on_conflict", 0))
        except ValueError:
            raise bad_request("Failed to parse int parameter [retry_on_conflict] with value [%s]"
                              % req.params["retry_on_conflict"])
        body = req.json(required=True)
        op.update = self.update_body(body, req.body.decode("utf-8", "replace"))
        op.source_filter = self.source_param(req)
        return self.write_one(req, op)

    UPDATE_FIELDS = ("doc", "upsert", "doc_as_upsert", "detect_noop", "scripted_upsert", "script", "_source",
                     "lang", "params", "fields")

    def update_body(self, body, raw):
        if not isinstance(body, dict):
            raise EsError(400, "x_content_parse_exception", "[1:1] [UpdateRequest] Expected START_OBJECT but was: %s"
                          % token_name(body))
        for key, value in body.items():
            if key not in self.UPDATE_FIELDS:
                close = difflib.get_close_matches(key, self.UPDATE_FIELDS, n=1, cutoff=0.6)
                pos = raw.find('"%s"' % key)
                raise EsError(400, "x_content_parse_exception", "[1:%d] [UpdateRequest] unknown field [%s]%s"
                              % (pos + 2 if pos >= 0 else 2, key, " did you mean [%s]?" % close[0] if close else ""))
            if key in ("doc", "upsert") and value is not None and not isinstance(value, dict):
                raise EsError(400, "x_content_parse_exception", "[1:%d] [UpdateRequest] failed to parse field [%s]"
                              % (raw.find('"%s"' % key) + 2, key))
        return body

    def source_param(self, req):
        if "_source" in req.params:
            v = req.params["_source"]
            return True if v in ("", "true") else False if v == "false" else v.split(",")
        inc = req.params.get("_source_includes", req.params.get("_source_include"))
        exc = req.params.get("_source_excludes", req.params.get("_source_exclude"))
        if inc is not None or exc is not None:
            return {"includes": (inc or "").split(",") if inc else [], "excludes": (exc or "").split(",") if exc else []}
        return None

    def read_index(self, name):
        """The index a read by id goes to (a data stream reads its write index)."""
        if name in self.store.data_streams:
            name = self.store.data_streams[name]["indices"][-1]
        targets = self.store.alias_targets(name)
        if len(targets) > 1:
            raise bad_request("alias [%s] has more than one index associated with it [%s], can't execute a single "
                              "index op" % (name, ", ".join(sorted(i.name for i, _ in targets))))
        if targets:
            name = targets[0][0].name
        if name not in self.store.indices:
            raise index_not_found(name)
        idx = self.store.indices[name]
        if idx.closed:
            raise index_closed(idx)
        return idx

    def find_doc(self, req):
        # Parsed before the document is looked for, as RestGetAction does.
        wanted = req.param_long("version")
        with self.store.lock:
            idx = self.read_index(req.p["index"])
            doc_type = self.doc_type(req)
            if req.flag("refresh"):
                self.store.refresh([idx])
            realtime = req.flag("realtime", True)
            key = idx.key(doc_type, req.p["id"]) if doc_type not in (None, "_all") else req.p["id"]
            doc = (idx.current(key) if realtime else idx.searchable.get(key))
            if doc is not None and doc.deleted:
                doc = None
            if doc is not None and doc_type not in (None, "_all", doc.doc_type):
                doc = None
            if doc is not None and wanted is not None:
                if doc.version != wanted:
                    # VersionType.isVersionConflictForReads: any type, any difference.
                    raise EsError(409, "version_conflict_engine_exception",
                                  self.flavor.conflict_prefix(doc.doc_type, doc.doc_id)
                                  + "version conflict, current version [%d] is different than the one provided [%d]"
                                  % (doc.version, wanted), shard_meta(idx, doc.shard))
            return idx, doc_type, doc

    def get_doc(self, req):
        idx, doc_type, doc = self.find_doc(req)
        out = {"_index": idx.name}
        if self.flavor.prints_type:
            out["_type"] = doc.doc_type if doc else (doc_type or "_doc")
        out["_id"] = req.p["id"]
        if doc is None:
            out["found"] = False
            return 404, out
        out["_version"] = doc.version
        if self.flavor.seq_no:
            out["_seq_no"] = doc.seq_no
            out["_primary_term"] = 1
        out["found"] = True
        spec = self.source_param(req)
        if spec is None or spec is True:
            out["_source"] = Raw(doc.raw)
        elif spec is not False:
            out["_source"] = filter_source(doc.source, spec)
        return 200, out

    def get_source(self, req):
        idx, doc_type, doc = self.find_doc(req)
        if doc is None:
            raise EsError(404, "resource_not_found_exception", "Document not found [%s]/[%s]/[%s]"
                          % (idx.name, doc_type or "_doc", req.p["id"]))
        spec = self.source_param(req)
        if spec is None or spec is True:
            return 200, Raw(doc.raw)
        return 200, filter_source(doc.source, spec)

    # -- bulk ----------------------------------------------------------------------------------------

    def bulk_meta_fields(self):
        f = self.flavor
        fields = {"_index", "_id", "routing", "op_type", "version", "version_type", "if_seq_no", "if_primary_term",
                  "retry_on_conflict", "pipeline", "_source", "require_alias"}
        if f.bulk_type_param:
            fields.add("_type")
        if not f.opensearch and f.major < 7:
            fields |= {"_routing", "_version", "_version_type", "_retry_on_conflict", "parent", "_parent"}
        if not f.opensearch and f.v >= (7, 13, 0):
            fields.add("dynamic_templates")
        if not f.opensearch and f.v >= (8, 13, 0):
            fields |= {"require_data_stream", "list_executed_pipelines"}
        return fields

    def parse_bulk(self, req):
        """BulkRequestParser: the NDJSON body as operations, with its errors
        (all of them 400 for the whole request)."""
        body = req.body or b""
        if not body.strip():
            raise validation_error(["no requests added"])
        if not body.endswith(b"\n"):
            raise bad_request("The bulk request must be terminated by a newline [\\n]")
        lines = body.split(b"\n")[:-1]
        default_index = req.p.get("index")
        default_type = req.p.get("type") or req.params.get("type")
        default_source = self.source_param(req)
        default_routing = req.params.get("routing")
        default_require_alias = req.flag("require_alias")
        meta_fields = self.bulk_meta_fields()
        ops = []
        i = 0
        while i < len(lines):
            line_no = i + 1
            line = lines[i]
            i += 1
            if not line.strip():
                continue
            try:
                action = loads(line.decode("utf-8"))
            except (JsonError, UnicodeDecodeError) as e:
                raise parse_error(e if isinstance(e, JsonError) else JsonError("Invalid UTF-8"))
            if not isinstance(action, dict):
                raise bad_request("Malformed action/metadata line [%d], expected START_OBJECT or END_OBJECT but "
                                  "found [%s]" % (line_no, token_name(action)))
            if not action:
                raise bad_request("Malformed action/metadata line [%d], expected FIELD_NAME but found [END_OBJECT]"
                                  % line_no)
            name, meta = next(iter(action.items()))
            if name not in ("index", "create", "update", "delete"):
                raise bad_request("Malformed action/metadata line [%d], expected field [create], [delete], [index] or "
                                  "[update] but found [%s]" % (line_no, name))
            if not isinstance(meta, dict):
                raise bad_request("Malformed action/metadata line [%d], expected START_OBJECT but found [%s]"
                                  % (line_no, token_name(meta)))
            if len(action) > 1:
                raise bad_request("Malformed action/metadata line [%d], expected END_OBJECT but found [FIELD_NAME]"
                                  % line_no)
            op = WriteOp(name)
            op.index = default_index
            op.doc_type = default_type or ("_doc" if not self.flavor.typed else None)
            op.routing = default_routing
            op.require_alias = default_require_alias
            op.source_filter = default_source
            for key, value in meta.items():
                if key not in meta_fields:
                    raise bad_request("Action/metadata line [%d] contains an unknown parameter [%s]" % (line_no, key))
                if isinstance(value, (dict, list)) and key not in ("_source", "dynamic_templates"):
                    raise bad_request("Malformed action/metadata line [%d], expected a simple value for field [%s] "
                                      "but found [%s]" % (line_no, key, token_name(value)))
                key = key.lstrip("_") if key in ("_routing", "_version", "_version_type", "_retry_on_conflict",
                                                 "_parent") else key
                if key == "_index":
                    op.index = str(value) if value is not None else None
                elif key == "_type":
                    op.doc_type = str(value)
                elif key == "_id":
                    op.doc_id = None if value is None else (value if isinstance(value, str) else java_repr(value))
                elif key == "routing":
                    op.routing = None if value is None else str(value)
                elif key == "op_type":
                    if value not in ("index", "create"):
                        raise bad_request("opType must be 'create' or 'index', found: [%s]" % value)
                    if op.action == "index" and value == "create":
                        op.action = "create"
                elif key in ("version", "if_seq_no", "if_primary_term", "retry_on_conflict"):
                    # Writes are applied one at a time, so retry_on_conflict
                    # never has a conflict to retry; it is only checked.
                    try:
                        number = int(value)
                    except (TypeError, ValueError):
                        raise bad_request("Failed to parse value [%s] for [%s]" % (value, key))
                    if key != "retry_on_conflict":
                        setattr(op, key, number)
                elif key == "version_type":
                    if value not in ("internal", "external", "external_gte", "force"):
                        raise bad_request("No version type match [%s]" % value)
                    op.version_type = value
                elif key == "_source":
                    op.source_filter = value
                elif key == "require_alias":
                    op.require_alias = value in (True, "true")
            if op.action != "delete":
                if i >= len(lines):
                    break
                source_line = lines[i]
                i += 1
                try:
                    text = source_line.decode("utf-8")
                except UnicodeDecodeError:
                    text = source_line.decode("utf-8", "replace")
                if op.action == "update":
                    try:
                        body = loads(text)
                    except JsonError as e:
                        raise parse_error(e)
                    op.update = self.update_body(body, text)
                    if "_source" in body:
                        op.source_filter = body["_source"]
                else:
                    op.raw = text
            ops.append(op)
        if not ops:
            raise validation_error(["no requests added"])
        problems = []
        for op in ops:
            problems.extend(op.problems(self.flavor))
        if problems:
            raise validation_error(problems)
        return ops

    def bulk(self, req):
        started = time.monotonic()
        ops = self.parse_bulk(req)
        mode = req.refresh_mode()
        rejections = self.faults.item_rejections(req.method, req.path, len(ops))
        # Counted here, and added to the shared counters once per request.
        tally = {"bulk_items_by_action": {}, "bulk_items_by_result": {}, "bulk_items_by_status": {}}

        def count(bucket, key):
            tally[bucket][key] = tally[bucket].get(key, 0) + 1

        items = []
        errors = False
        touched = []
        shards = set()
        with self.store.lock:
            for op, rejected in zip(ops, rejections):
                count("bulk_items_by_action", op.action)
                try:
                    if rejected is not None:
                        raise fault_error(rejected, self.flavor, "primary")
                    status, resp, idx = self.store.write(op, req.user)
                    if idx not in touched:
                        touched.append(idx)
                    shards.add((idx, op.shard))
                    resp["status"] = status
                    item = {op.action: resp}
                    count("bulk_items_by_result", resp["result"])
                except EsError as e:
                    errors = True
                    status = e.status
                    failure = {"_index": op.index}
                    if self.flavor.prints_type:
                        failure["_type"] = op.doc_type or "_doc"
                    failure["_id"] = op.doc_id
                    failure["status"] = status
                    failure["error"] = e.body()
                    item = {op.action: failure}
                    count("bulk_items_by_result", "error:" + e.etype)
                count("bulk_items_by_status", str(status))
                items.append(item)
            if mode == "true":
                self.store.refresh(touched, shards)
                for item in items:
                    resp = next(iter(item.values()))
                    if "error" not in resp and resp.get("result") != "noop":
                        item[next(iter(item))] = self.with_forced_refresh(resp)
            elif mode == "wait_for":
                self.store.wait_refreshed(touched)
        self.faults.add_bulk(len(ops), sum(r is not None for r in rejections), tally)
        took = int((time.monotonic() - started) * 1000)
        return 200, {"took": took, "errors": errors, "items": items}

    # -- search --------------------------------------------------------------------------------------

    def read_indices(self, req, key="index"):
        expr = req.p.get(key)
        return self.store.resolve(expr, ignore_unavailable=req.flag("ignore_unavailable"),
                                  allow_no_indices=req.flag("allow_no_indices", True),
                                  expand=req.params.get("expand_wildcards", "open"))

    def search(self, req):
        body = req.json()
        with self.store.lock:
            indices = self.read_indices(req)
            return 200, self.searcher.search(indices, body, req.params)

    def count(self, req):
        body = req.json()
        with self.store.lock:
            indices = self.read_indices(req)
            return 200, self.searcher.count(indices, body, req.params)

    # -- indices -------------------------------------------------------------------------------------

    def create_index(self, req):
        body = req.json()
        if req.params.get("include_type_name") in ("", "true") and body and "mappings" in body and not self.flavor.typed:
            mappings = body["mappings"]
            if len(mappings) == 1:
                body = dict(body, mappings=next(iter(mappings.values())))
        with self.store.lock:
            if req.p["index"] in self.store.indices:
                idx = self.store.indices[req.p["index"]]
                raise EsError(400, "resource_already_exists_exception", "index [%s/%s] already exists"
                              % (idx.name, idx.uuid), index_meta(idx.name, idx.uuid))
            idx = self.store.create_index(req.p["index"], body)
        out = {"acknowledged": True, "shards_acknowledged": True}
        if self.flavor.major >= 6 or self.flavor.opensearch:
            out["index"] = idx.name
        return 200, out

    def index_exists(self, req):
        with self.store.lock:
            try:
                self.store.resolve(req.p["index"], ignore_unavailable=req.flag("ignore_unavailable"),
                                   allow_no_indices=req.flag("allow_no_indices", False),
                                   expand=req.params.get("expand_wildcards", "open"), closed_error=False)
            except EsError:
                return 404, None
        return 200, None

    def get_index(self, req):
        with self.store.lock:
            indices = self.store.resolve(req.p["index"], ignore_unavailable=req.flag("ignore_unavailable"),
                                         allow_no_indices=req.flag("allow_no_indices", False),
                                         expand=req.params.get("expand_wildcards", "open"), closed_error=False)
            out = {}
            for idx in indices:
                entry = {"aliases": dict(idx.aliases), "mappings": self.mapping_body(idx)}
                entry["settings"] = nest_settings(dict(idx.settings))
                if idx.data_stream:
                    entry["data_stream"] = idx.data_stream
                out[idx.name] = entry
        return 200, out

    def delete_index(self, req):
        expr = req.p["index"]
        if (any(c in expr for c in "*") or expr == "_all") and self.flavor.major >= 8 and not self.flavor.opensearch:
            raise bad_request("Wildcard expressions or all indices are not allowed")
        with self.store.lock:
            for part in expr.split(","):
                if part in self.store.data_streams:
                    raise bad_request("index [%s] is a data stream; use the delete data stream API" % part)
            indices = self.store.resolve(expr, ignore_unavailable=req.flag("ignore_unavailable"),
                                         allow_no_indices=req.flag("allow_no_indices", True),
                                         expand=req.params.get("expand_wildcards", "open,closed"),
                                         closed_error=False)
            for idx in indices:
                self.store.delete_index(idx)
        return 200, {"acknowledged": True}

    def mapping_body(self, idx):
        if self.flavor.typed:
            return {t: m for t, m in idx.mappings.items()}
        return idx.mappings.get("_doc", {})

    def get_mapping(self, req):
        with self.store.lock:
            indices = self.store.resolve(req.p.get("index"), ignore_unavailable=req.flag("ignore_unavailable"),
                                         allow_no_indices=req.flag("allow_no_indices", True),
                                         expand=req.params.get("expand_wildcards", "open"), closed_error=False)
            out = {}
            for idx in indices:
                body = self.mapping_body(idx)
                if self.flavor.typed and "type" in req.p:
                    body = {t: m for t, m in body.items() if fnmatch.fnmatchcase(t, req.p["type"])}
                if req.params.get("include_type_name") in ("", "true") and not self.flavor.typed:
                    body = {"_doc": body} if body else {}
                out[idx.name] = {"mappings": body}
        return 200, out

    def put_mapping(self, req):
        body = req.json(required=True)
        flavor = self.flavor
        doc_type = req.p.get("type")
        if not flavor.typed and isinstance(body, dict) and len(body) == 1:
            key, value = next(iter(body.items()))
            if key not in ROOT_MAPPING_KEYS and isinstance(value, dict) and "properties" in value:
                if flavor.opensearch and flavor.major >= 2:
                    raise bad_request("Types cannot be provided in put mapping requests")
                if flavor.major < 8 or flavor.opensearch:
                    raise bad_request("Types cannot be provided in put mapping requests, unless the include_type_name "
                                      "parameter is set to true.")
        if flavor.typed and doc_type is None:
            raise validation_error(["mapping type is missing"])
        if flavor.typed:
            check_type_name(doc_type)
        doc_type = doc_type or "_doc"
        try:
            mapping = normalize_mapping(body, flavor)
        except EsError as e:
            raise e
        with self.store.lock:
            indices = self.store.resolve(req.p["index"], ignore_unavailable=req.flag("ignore_unavailable"),
                                         allow_no_indices=req.flag("allow_no_indices", False),
                                         expand=req.params.get("expand_wildcards", "open"))
            updates = []
            for idx in indices:
                if flavor.typed and not flavor.multi_type:
                    existing = idx.single_type()
                    if existing is not None and existing != doc_type:
                        raise bad_request("Rejecting mapping update to [%s] as the final mapping would have more than "
                                          "1 type: [%s, %s]" % (idx.name, existing, doc_type))
                merged = merge_mapping(idx.mapping(doc_type), mapping)
                limit = int(idx.settings.get("index.mapping.total_fields.limit", "1000"))
                if count_fields(merged.get("properties", {})) > limit:
                    raise bad_request("Limit of total fields [%d] has been exceeded" % limit)
                updates.append((idx, merged))
            for idx, merged in updates:
                idx.mappings[doc_type] = merged
        return 200, {"acknowledged": True}

    def get_settings(self, req):
        with self.store.lock:
            indices = self.store.resolve(req.p.get("index"), ignore_unavailable=req.flag("ignore_unavailable"),
                                         allow_no_indices=req.flag("allow_no_indices", True),
                                         expand=req.params.get("expand_wildcards", "open"), closed_error=False)
            out = {}
            for idx in indices:
                flat = dict(idx.settings)
                if "name" in req.p:
                    patterns = req.p["name"].split(",")
                    flat = {k: v for k, v in flat.items() if any(fnmatch.fnmatchcase(k, p) for p in patterns)}
                out[idx.name] = {"settings": flat if req.flag("flat_settings") else nest_settings(flat)}
        return 200, out

    def put_settings(self, req):
        body = req.json(required=True)
        if isinstance(body, dict) and "settings" in body and len(body) == 1:
            body = body["settings"]
        settings = normalize_settings(body)
        with self.store.lock:
            indices = self.store.resolve(req.p["index"], expand=req.params.get("expand_wildcards", "open"),
                                         closed_error=False)
            for idx in indices:
                static = [k for k in settings if any(k == s or k.startswith(s) for s in STATIC_SETTINGS)
                          and settings[k] != idx.settings.get(k)]
                if static and not idx.closed:
                    raise bad_request("Can't update non dynamic settings [[%s]] for open indices [[%s/%s]]"
                                      % (", ".join(static), idx.name, idx.uuid))
            for idx in indices:
                for key, value in settings.items():
                    if value is None:
                        idx.settings.pop(key, None)
                    else:
                        idx.settings[key] = value
                idx.replicas = int(idx.settings.get("index.number_of_replicas", "1"))
        return 200, {"acknowledged": True}

    def refresh(self, req):
        with self.store.lock:
            indices = self.read_indices(req)
            self.store.refresh(indices)
            total = sum(i.shards * (1 + i.replicas) for i in indices)
            ok = sum(i.shards for i in indices)
        return 200, {"_shards": {"total": total, "successful": ok, "failed": 0}}

    def close_index(self, req):
        with self.store.lock:
            indices = self.store.resolve(req.p["index"], ignore_unavailable=req.flag("ignore_unavailable"),
                                         allow_no_indices=req.flag("allow_no_indices", True),
                                         expand=req.params.get("expand_wildcards", "open"), closed_error=False)
            for idx in indices:
                if idx.data_stream and self.store.data_streams[idx.data_stream]["indices"][-1] == idx.name:
                    raise bad_request("cannot close the write index [%s] of data stream [%s]"
                                      % (idx.name, idx.data_stream))
            for idx in indices:
                idx.closed = True
            self.store.cond.notify_all()
        out = {"acknowledged": True, "shards_acknowledged": True}
        if self.flavor.v >= (7, 3, 0) or self.flavor.opensearch:
            out["indices"] = {idx.name: {"closed": True} for idx in indices}
        return 200, out

    def open_index(self, req):
        with self.store.lock:
            indices = self.store.resolve(req.p["index"], ignore_unavailable=req.flag("ignore_unavailable"),
                                         allow_no_indices=req.flag("allow_no_indices", True),
                                         expand=req.params.get("expand_wildcards", "closed"), closed_error=False)
            for idx in indices:
                idx.closed = False
        return 200, {"acknowledged": True, "shards_acknowledged": True}

    def cat_indices(self, req):
        with self.store.lock:
            indices = self.store.resolve(req.p.get("index"), expand="open,closed")
            rows = []
            for idx in sorted(indices, key=lambda i: i.name):
                live = sum(1 for d in idx.searchable.values())
                rows.append({"health": idx.health() if not idx.closed else "", "status":
                             "close" if idx.closed else "open", "index": idx.name, "uuid": idx.uuid,
                             "pri": str(idx.shards), "rep": str(idx.replicas),
                             "docs.count": str(live) if not idx.closed else "", "docs.deleted": "0",
                             "store.size": "%db" % sum(len(d.raw or "") for d in idx.searchable.values()),
                             "pri.store.size": "%db" % sum(len(d.raw or "") for d in idx.searchable.values())})
        if req.params.get("format") == "json":
            return 200, rows
        cols = list(rows[0]) if rows else ["health", "status", "index", "uuid", "pri", "rep", "docs.count",
                                           "docs.deleted", "store.size", "pri.store.size"]
        table = ([cols] if "v" in req.params else []) + [[r[c] for c in cols] for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(cols))] if table else []
        text = "".join(" ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n" for row in table)
        raise RawResponse(200, text.encode(), "text/plain; charset=UTF-8")

    # -- aliases ---------------------------------------------------------------------------------------

    def put_alias(self, req):
        body = req.json() or {}
        with self.store.lock:
            indices = self.store.resolve(req.p["index"], closed_error=False)
            meta = self.store.alias_meta(req.p["name"], body)
            for idx in indices:
                idx.aliases[req.p["name"]] = dict(meta)
        return 200, {"acknowledged": True}

    def delete_alias(self, req):
        with self.store.lock:
            indices = self.store.resolve(req.p["index"], closed_error=False)
            removed = 0
            for idx in indices:
                for alias in [a for a in idx.aliases if any(fnmatch.fnmatchcase(a, p)
                                                             for p in req.p["name"].split(","))]:
                    del idx.aliases[alias]
                    removed += 1
            if not removed:
                raise EsError(404, "aliases_not_found_exception", "aliases [%s] missing" % req.p["name"],
                              [("resource.type", "aliases"), ("resource.id", req.p["name"])])
        return 200, {"acknowledged": True}

    def update_aliases(self, req):
        body = req.json(required=True)
        actions = body.get("actions") if isinstance(body, dict) else None
        if not isinstance(actions, list):
            raise validation_error(["no actions specified"])
        with self.store.lock:
            for action in actions:
                kind, spec = next(iter(action.items()))
                names = spec.get("indices", [spec.get("index")])
                indices = [i for n in names if n for i in self.store.resolve(n, closed_error=False)]
                if kind == "add":
                    meta = {k: v for k, v in spec.items() if k not in ("index", "indices", "alias", "aliases")}
                    for alias in spec.get("aliases", [spec.get("alias")]):
                        m = self.store.alias_meta(alias, meta)
                        for idx in indices:
                            idx.aliases[alias] = dict(m)
                elif kind == "remove":
                    for alias in spec.get("aliases", [spec.get("alias")]):
                        for idx in indices:
                            idx.aliases.pop(alias, None)
                elif kind == "remove_index":
                    for idx in indices:
                        self.store.delete_index(idx)
                else:
                    raise bad_request("[aliases] unknown field [%s]" % kind)
        return 200, {"acknowledged": True, "errors": False} if self.flavor.v >= (8, 14, 0) else \
            {"acknowledged": True}

    def get_alias(self, req):
        with self.store.lock:
            indices = self.store.resolve(req.p.get("index"), ignore_unavailable=req.flag("ignore_unavailable"),
                                         closed_error=False)
            patterns = req.p.get("name", "*").split(",")
            out = {}
            found = False
            for idx in indices:
                aliases = {a: m for a, m in idx.aliases.items()
                           if any(fnmatch.fnmatchcase(a, p) for p in patterns)}
                found = found or bool(aliases)
                if aliases or "name" not in req.p:
                    out[idx.name] = {"aliases": aliases}
        if "name" in req.p and not found:
            if req.method == "HEAD":
                return 404, None
            return 404, {"error": "alias [%s] missing" % req.p["name"], "status": 404}
        return 200, out

    # -- templates and data streams --------------------------------------------------------------------

    def put_template(self, req):
        body = req.json(required=True)
        if not isinstance(body, dict) or "index_patterns" not in body:
            raise validation_error(["index patterns are missing"])
        unknown = [k for k in body if k not in ("index_patterns", "template", "priority", "data_stream",
                                                  "composed_of", "version", "_meta", "allow_auto_create",
                                                  "ignore_missing_component_templates", "deprecated")]
        if unknown:
            raise EsError(400, "x_content_parse_exception", "[1:2] [index_template] unknown field [%s]" % unknown[0])
        template = body.get("template", {})
        normalize_settings(template.get("settings"))
        if template.get("mappings"):
            normalize_mapping(template["mappings"], self.flavor)
        with self.store.lock:
            if req.flag("create") and req.p["name"] in self.store.templates:
                raise bad_request("index template [%s] already exists" % req.p["name"])
            self.store.templates[req.p["name"]] = body
        return 200, {"acknowledged": True}

    def put_component_template(self, req):
        body = req.json(required=True)
        if not isinstance(body, dict) or "template" not in body:
            raise validation_error(["template is missing"])
        with self.store.lock:
            self.store.component_templates[req.p["name"]] = body
        return 200, {"acknowledged": True}

    def get_template(self, req):
        with self.store.lock:
            name = req.p.get("name", "*")
            found = [{"name": n, "index_template": t} for n, t in sorted(self.store.templates.items())
                     if any(fnmatch.fnmatchcase(n, p) for p in name.split(","))]
        if not found and "name" in req.p and "*" not in name:
            raise EsError(404, "resource_not_found_exception", "index template matching [%s] not found" % name)
        if req.method == "HEAD":
            return 200, None
        return 200, {"index_templates": found}

    def delete_template(self, req):
        with self.store.lock:
            if req.p["name"] not in self.store.templates:
                raise EsError(404, "index_template_missing_exception", "index_template [%s] missing" % req.p["name"])
            del self.store.templates[req.p["name"]]
        return 200, {"acknowledged": True}

    def put_legacy_template(self, req):
        body = req.json(required=True)
        with self.store.lock:
            self.store.legacy_templates[req.p["name"]] = body
        return 200, {"acknowledged": True}

    def get_legacy_template(self, req):
        with self.store.lock:
            found = {n: t for n, t in self.store.legacy_templates.items()
                     if any(fnmatch.fnmatchcase(n, p) for p in req.p["name"].split(","))}
        if not found:
            return 404, {}
        return 200, found

    def delete_legacy_template(self, req):
        with self.store.lock:
            if req.p["name"] not in self.store.legacy_templates:
                raise EsError(404, "index_template_missing_exception", "index_template [%s] missing" % req.p["name"])
            del self.store.legacy_templates[req.p["name"]]
        return 200, {"acknowledged": True}

    def create_data_stream(self, req):
        with self.store.lock:
            self.store.create_data_stream(req.p["name"])
        return 200, {"acknowledged": True}

    def get_data_stream(self, req):
        with self.store.lock:
            name = req.p.get("name", "*")
            found = [self.store.data_stream_body(ds) for n, ds in sorted(self.store.data_streams.items())
                     if any(fnmatch.fnmatchcase(n, p) for p in name.split(","))]
            if not found and "*" not in name:
                raise index_not_found(name)
        return 200, {"data_streams": found}

    def delete_data_stream(self, req):
        with self.store.lock:
            names = [n for n in self.store.data_streams if any(fnmatch.fnmatchcase(n, p)
                                                               for p in req.p["name"].split(","))]
            if not names:
                raise index_not_found(req.p["name"])
            for n in names:
                for backing in self.store.data_streams[n]["indices"]:
                    self.store.indices.pop(backing, None)
                del self.store.data_streams[n]
            self.store.cond.notify_all()
        return 200, {"acknowledged": True}


class MethodNotAllowed(Exception):
    def __init__(self, allowed):
        super().__init__(allowed)
        self.allowed = allowed


# ---- HTTP ----------------------------------------------------------------------------------------

class Config:
    def __init__(self, flavor):
        self.flavor = flavor
        self.refresh_interval = 1.0
        self.search_idle_after = "30s"
        self.auto_create_index = True
        self.auth = Auth(flavor)
        self.node_name = "es-test-node"
        self.cluster_name = "opensearch" if flavor.opensearch else "elasticsearch"
        self.max_content_length = 100 * 1024 * 1024
        self.compression = True
        self.tls = False
        self.verbose = False


def filter_path(obj, spec):
    """?filter_path: dotted patterns with * and ** wildcards, a leading '-'
    to exclude; arrays are walked through."""
    includes = [p.split(".") for p in spec.split(",") if p and not p.startswith("-")]
    excludes = [p[1:].split(".") for p in spec.split(",") if p.startswith("-")]

    def keep(value, patterns, exclude):
        if isinstance(value, list):
            out = []
            for item in value:
                kept = keep(item, patterns, exclude)
                if kept is not _DROP:
                    out.append(kept)
            return out if out or exclude else _DROP
        if not isinstance(value, dict):
            return _DROP if not exclude else value
        out = {}
        for key, sub in value.items():
            nexts = []
            whole = False
            for pat in patterns:
                head = pat[0]
                if head == "**":
                    nexts.append(pat)
                    if len(pat) > 1 and fnmatch.fnmatchcase(key, pat[1]):
                        if len(pat) == 2:
                            whole = True
                        else:
                            nexts.append(pat[2:])
                elif fnmatch.fnmatchcase(key, head):
                    if len(pat) == 1:
                        whole = True
                    else:
                        nexts.append(pat[1:])
            if exclude:
                if whole:
                    continue
                out[key] = keep(sub, nexts, True) if nexts else sub
            else:
                if whole:
                    out[key] = sub
                elif nexts:
                    kept = keep(sub, nexts, False)
                    if kept is not _DROP:
                        out[key] = kept
        if not out and not exclude:
            return _DROP
        return out

    result = obj
    if includes:
        result = keep(obj, includes, False)
        if result is _DROP:
            result = {}
    if excludes:
        result = keep(result, excludes, True)
    return result


_DROP = object()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, config, tls_context=None):
        self.config = config
        self.store = Store(config)
        self.faults = Faults()
        self.api = Api(config, self.store, self.faults)
        self.tls_context = tls_context
        self.stopping = threading.Event()
        super().__init__(address, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls_context is not None:
            # The handshake runs on the connection's own thread (on its
            # first read), so one slow client does not stall accept().
            sock = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        # A client that goes away mid-request, or speaks plain HTTP to the
        # TLS port, is the client's business; anything else is a bug here.
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, socket.timeout)) and \
                not self.config.verbose:
            return
        super().handle_error(request, client_address)

    def refresher(self):
        while not self.stopping.wait(0.05):
            with self.store.lock:
                self.store.periodic_refresh()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Elasticsearch keeps idle HTTP connections open; so does this server,
    # until the client closes them.
    timeout = None

    def log_message(self, fmt, *args):
        if self.server.config.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_OPTIONS(self):
        self.dispatch("OPTIONS")

    # -- reading -------------------------------------------------------------------------------------

    def read_body(self):
        """The request body, de-chunked and decompressed; None when it is
        larger than http.max_content_length (a 413 was sent)."""
        limit = self.server.config.max_content_length
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, total = [], 0
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > limit:
                    self.send_plain(413, b"", close=True)
                    return None
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
            body = b"".join(parts)
        else:
            length = int(self.headers.get("Content-Length", "0") or 0)
            if length > limit:
                self.send_plain(413, b"", close=True)
                return None
            body = self.rfile.read(length) if length else b""
        self.server.faults.count("bytes_received", n=len(body))
        encoding = self.headers.get("Content-Encoding", "").lower().strip()
        if body and encoding in ("gzip", "x-gzip", "deflate"):
            self.server.faults.count("gzip_requests")
            try:
                if encoding == "deflate":
                    body = zlib.decompress(body)
                else:
                    body = gzip.decompress(body)
            except (OSError, zlib.error, EOFError):
                raise EsError(400, "illegal_argument_exception", "request body is not valid %s content" % encoding)
        return body

    # -- writing -------------------------------------------------------------------------------------

    def send_plain(self, status, body, content_type=None, headers=(), close=False):
        self.send_response_only(status)
        if content_type:
            self.send_header("content-type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if self.server.config.flavor.product_header:
            self.send_header("X-elastic-product", "Elasticsearch")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        if body and self.wants_gzip() and not close:
            body = gzip.compress(body, 3)
            self.send_header("content-encoding", "gzip")
        self.send_header("content-length", str(len(body)) if self.command != "HEAD" else "0")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        self.wfile.flush()

    def wants_gzip(self):
        cfg = self.server.config
        return (cfg.compression and not cfg.tls
                and "gzip" in self.headers.get("Accept-Encoding", "").lower())

    def content_type(self):
        accept = self.headers.get("Accept", "") + " " + self.headers.get("Content-Type", "")
        m = re.search(r"application/vnd\.elasticsearch\+json;\s*compatible-with=(\d+)", accept)
        if m:
            return "application/vnd.elasticsearch+json;compatible-with=%s" % m.group(1)
        return "application/json; charset=UTF-8" if self.server.config.flavor.major < 8 else "application/json"

    def send_json(self, status, obj, params, headers=()):
        if obj is None:
            self.send_plain(status, b"", None if self.command == "HEAD" else self.content_type(), headers)
            return
        if "filter_path" in params and isinstance(obj, (dict, list)):
            obj = filter_path(obj, params["filter_path"])
        pretty = "pretty" in params and params["pretty"] != "false"
        self.send_plain(status, dumps(obj, pretty).encode("utf-8"), self.content_type(), headers)

    def drop(self, reset=False):
        """Closes the connection without an answer (a crashed or killed node)."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- the request ----------------------------------------------------------------------------------

    def dispatch(self, method):
        server = self.server
        url = urllib.parse.urlsplit(self.path)
        raw_segments = url.path.split("/")[1:]
        if raw_segments and raw_segments[-1] == "" and len(raw_segments) > 1:
            raw_segments = raw_segments[:-1]
        segments = [urllib.parse.unquote(s) for s in raw_segments if s != "" or len(raw_segments) > 1]
        params = {}
        for key, value in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            params[key] = value
        if segments[:1] == ["_fault"]:
            self.admin(method, segments[1:], params)
            return
        started = time.time()
        entry = {"time": started, "method": method, "path": url.path, "query": url.query, "status": None,
                 "content_type": self.headers.get("Content-Type"),
                 "content_encoding": self.headers.get("Content-Encoding"),
                 "content_length": int(self.headers.get("Content-Length") or 0),
                 "authorization": (self.headers.get("Authorization") or "").split(" ")[0] or None}
        server.faults.count("requests")
        drop_after = None
        try:
            for rule in server.faults.for_request(method, url.path):
                if "delay_ms" in rule.spec:
                    server.faults.count("faults", "delay")
                    time.sleep(float(rule.spec["delay_ms"]) / 1000.0)
                if rule.spec.get("drop") in ("before", "reset"):
                    server.faults.count("faults", "drop")
                    entry["fault"] = "drop"
                    server.faults.record(entry)
                    self.drop(reset=rule.spec["drop"] == "reset")
                    return
                if rule.spec.get("drop") == "after":
                    drop_after = rule
                if "status" in rule.spec:
                    self.read_body()
                    server.faults.count("faults", "status")
                    entry["fault"] = "status"
                    raise fault_error(rule, server.config.flavor)
            status, body, headers = self.serve_api(method, segments, url, params, entry)
            if drop_after is not None:
                server.faults.count("faults", "drop")
                entry["fault"] = "drop"
                entry["status"] = status
                server.faults.record(entry)
                self.drop()
                return
            entry["status"] = status
            self.send_json(status, body, params, headers)
        except EsError as e:
            entry["status"] = e.status
            self.send_json(e.status, e.envelope(), params, e.headers)
        except PlainError as e:
            entry["status"] = e.status
            self.send_json(e.status, {"error": e.text, "status": e.status}, params, e.headers)
        except MethodNotAllowed as e:
            entry["status"] = 405
            self.send_json(405, {"error": "Incorrect HTTP method for uri [%s] and method [%s], allowed: [%s]"
                                 % (self.path, method, ", ".join(e.allowed)), "status": 405}, params,
                           [("Allow", ",".join(e.allowed))])
        except RawResponse as e:
            entry["status"] = e.status
            self.send_plain(e.status, e.body, e.content_type, e.headers)
        except BodyTooLarge:
            entry["status"] = 413
        except (ConnectionError, ssl.SSLError, socket.timeout):
            raise
        except Exception:
            # A bug of this server, not an Elasticsearch answer: say so
            # loudly (stderr, and a 500 no sink should take for ES's).
            traceback.print_exc()
            entry["status"] = 500
            self.send_plain(500, json.dumps({"error": "es_server internal error (a bug of the test server, see its "
                                                      "stderr)", "status": 500}).encode(), "application/json",
                            close=True)
        server.faults.count("requests_by_status", str(entry["status"]))
        server.faults.record(entry)

    def serve_api(self, method, segments, url, params, entry):
        server = self.server
        api = server.api
        flavor = server.config.flavor
        route, bound = api.route(method, segments)
        uri = url.path + ("?" + url.query if url.query else "")
        if route is None:
            body = self.read_body()
            if body is None:
                raise BodyTooLarge()
            raise PlainError(400, "no handler found for uri [%s] and method [%s]" % (uri, method))
        methods, pattern, api_name, handler, allowed, category, action = route
        entry["api"] = api_name
        server.faults.count("requests_by_api", api_name)
        body = self.read_body()
        if body is None:
            raise BodyTooLarge()
        if body:
            # Elasticsearch 6+ wants to know what a body is; 5.x guessed.
            ctype = self.headers.get("Content-Type")
            if ctype is None:
                if flavor.content_type_required:
                    raise PlainError(406, "Content-Type header is missing")
            else:
                base = ctype.split(";")[0].strip().lower()
                ok = {"application/json", "application/x-ndjson", "application/vnd.elasticsearch+json",
                      "application/vnd.elasticsearch+x-ndjson"}
                if not flavor.content_type_required:
                    ok |= {"text/plain", "application/x-www-form-urlencoded"}
                if base not in ok:
                    raise PlainError(406, "Content-Type header [%s] is not supported" % ctype)
        unknown = [p for p in params if p not in allowed and p not in GLOBAL_PARAMS]
        if unknown:
            def hint(p):
                close = difflib.get_close_matches(p, sorted(allowed), n=1, cutoff=0.75)
                return "[%s]%s" % (p, " -> did you mean [%s]?" % close[0] if close else "")
            if len(unknown) == 1:
                raise bad_request("request [%s] contains unrecognized parameter: %s" % (url.path, hint(unknown[0])))
            raise bad_request("request [%s] contains unrecognized parameters: %s"
                              % (url.path, ", ".join(hint(p) for p in unknown)))
        user = server.config.auth.authenticate(self.headers.get("Authorization"), uri)
        if user is not None:
            entry["user"] = user.name
        index = bound.get("index") or bound.get("name")
        server.config.auth.require(user, category, action, index)
        req = Request(method, url.path, params, self.headers, body, user, bound, uri)
        result = handler(req)
        status, out = result[0], result[1]
        headers = result[2] if len(result) > 2 else []
        if method == "HEAD":
            out = None
        return status, out, headers

    # -- /_fault --------------------------------------------------------------------------------------

    def admin(self, method, rest, params):
        """The test-only endpoints; see tests/es/README.md."""
        server = self.server
        faults = server.faults
        try:
            body = self.read_body()
            if body is None:
                return
            data = json.loads(body) if body and body.strip() else None
            key = (method, "/".join(rest))
            if key == ("GET", ""):
                out = {"rules": faults.describe(), "stats": faults.snapshot()}
            elif key == ("POST", ""):
                specs = data.get("rules", [data]) if isinstance(data, dict) else data
                if not isinstance(specs, list) or not specs:
                    raise ValueError("a fault rule (object) or {\"rules\": [...]} is required")
                out = {"ids": [faults.add(spec) for spec in specs]}
            elif key == ("DELETE", ""):
                out = {"removed": faults.clear()}
            elif method == "DELETE" and len(rest) == 1 and rest[0].isdigit():
                out = {"removed": faults.clear(int(rest[0]))}
            elif key == ("GET", "stats"):
                out = faults.snapshot()
            elif key in (("DELETE", "stats"), ("POST", "stats/reset")):
                faults.reset_stats()
                out = {"acknowledged": True}
            elif key == ("GET", "log"):
                with faults.lock:
                    log = list(faults.log)
                n = int(params.get("n", len(log)))
                out = {"requests": log[-n:] if n else []}
            elif key == ("POST", "wipe"):
                server.store.wipe()
                faults.clear()
                faults.reset_stats()
                out = {"acknowledged": True}
            elif key == ("POST", "config"):
                out = self.admin_config(data or {})
            elif method == "GET" and len(rest) == 2 and rest[0] == "docs":
                out = self.admin_docs(urllib.parse.unquote(rest[1]))
            else:
                self.send_plain(404, json.dumps({"error": "unknown admin endpoint %s /_fault/%s"
                                                 % (method, "/".join(rest))}).encode(), "application/json")
                return
            self.send_plain(200, json.dumps(out).encode(), "application/json")
        except (ValueError, TypeError, KeyError) as e:
            self.send_plain(400, json.dumps({"error": str(e)}).encode(), "application/json")

    def admin_config(self, data):
        cfg = self.server.config
        with self.server.store.lock:
            for key, value in data.items():
                if key == "refresh_interval":
                    cfg.refresh_interval = parse_time_value(value, "refresh_interval")
                elif key == "search_idle_after":
                    parse_time_value(value, "search_idle_after")
                    cfg.search_idle_after = str(value)
                elif key == "auto_create_index":
                    cfg.auto_create_index = bool(value)
                else:
                    raise ValueError("unknown config key %r" % key)
        return {"acknowledged": True}

    def admin_docs(self, name):
        """Every document and tombstone of an index as GET by id sees them
        (realtime, no refresh needed), for assertions on versions."""
        store = self.server.store
        with store.lock:
            targets = [store.indices[n] for n in store.data_streams[name]["indices"]] \
                if name in store.data_streams else [store.indices[name]] if name in store.indices else None
            if targets is None:
                raise KeyError("no such index [%s]" % name)
            docs = []
            for idx in targets:
                for doc in idx.docs.values():
                    docs.append({"_index": idx.name, "_id": doc.doc_id, "_version": doc.version,
                                 "_seq_no": doc.seq_no, "deleted": doc.deleted,
                                 "_source": None if doc.deleted else doc.source})
        return {"docs": docs}


class BodyTooLarge(Exception):
    pass


# ---- main ----------------------------------------------------------------------------------------

def parse_flavor(version, distribution):
    """--version 8.11.0, or opensearch:2.11.0 / os2.11.0 for OpenSearch."""
    m = re.fullmatch(r"(?:(opensearch|os|elasticsearch|es)[:-]?)?(\d+(?:\.\d+){0,2}(?:-[\w.]+)?)", version)
    if not m:
        raise ValueError("bad --version %r" % version)
    dist = {"opensearch": "opensearch", "os": "opensearch"}.get(m.group(1) or "", distribution)
    number = m.group(2)
    while number.split("-")[0].count(".") < 2:
        number = number.replace("-", ".0-", 1) if "-" in number else number + ".0"
    return Flavor(number, dist)


def main(argv=None):
    ap = argparse.ArgumentParser(description="In-memory Elasticsearch-compatible server for tests "
                                             "(see tests/es/README.md).")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=9200, help="port; 0 picks a free one (default 9200)")
    ap.add_argument("--port-file", help="write the chosen port to this file once listening")
    ap.add_argument("--version", default="8.11.0", help="version to imitate: 8.11.0, 7.17.0, 6.8.0, 5.6.16, "
                                                       "opensearch:2.11.0 (default 8.11.0)")
    ap.add_argument("--distribution", default="elasticsearch", choices=["elasticsearch", "opensearch"])
    ap.add_argument("--cluster-name")
    ap.add_argument("--node-name", default="es-test-node")
    ap.add_argument("--refresh-interval", default="1s", help="default index.refresh_interval (-1: never)")
    ap.add_argument("--search-idle-after", default="30s",
                    help="default index.search.idle.after (-1: never idle)")
    ap.add_argument("--no-auto-create-index", action="store_true", help="action.auto_create_index=false")
    ap.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD[:ROLE]",
                    help="a user (roles: %s; default superuser); any user or key turns security on" % ", ".join(ROLES))
    ap.add_argument("--api-key", action="append", default=[], metavar="ID:KEY[:ROLE]",
                    help="an API key, sent as Authorization: ApiKey base64(ID:KEY)")
    ap.add_argument("--tls-cert", help="PEM certificate (chain): serve HTTPS")
    ap.add_argument("--tls-key", help="PEM private key of --tls-cert")
    ap.add_argument("--max-content-length", type=int, default=100 * 1024 * 1024,
                    help="http.max_content_length in bytes (default 100 MiB)")
    ap.add_argument("--no-compression", action="store_true", help="never gzip responses")
    ap.add_argument("--verbose", action="store_true", help="log each request on stderr")
    args = ap.parse_args(argv)

    flavor = parse_flavor(args.version, args.distribution)
    config = Config(flavor)
    config.refresh_interval = parse_time_value(args.refresh_interval, "--refresh-interval")
    parse_time_value(args.search_idle_after, "--search-idle-after")
    config.search_idle_after = args.search_idle_after
    config.auto_create_index = not args.no_auto_create_index
    config.node_name = args.node_name
    if args.cluster_name:
        config.cluster_name = args.cluster_name
    config.max_content_length = args.max_content_length
    config.compression = not args.no_compression
    config.verbose = args.verbose
    for spec in args.user:
        config.auth.add_user(spec)
    for spec in args.api_key:
        config.auth.add_api_key(spec)
    tls_context = None
    if args.tls_cert:
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)
        config.tls = True

    server = Server((args.host, args.port), config, tls_context)
    port = server.server_address[1]
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
               threading.Thread(target=server.refresher, daemon=True)]
    for t in threads:
        t.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    print(port, flush=True)
    sys.stderr.write("es_server: %s %s listening on %s://%s:%d\n" % (
        flavor.distribution, flavor.number, "https" if tls_context else "http", args.host, port))
    sys.stderr.flush()
    while not stop.wait(0.5):
        pass
    server.stopping.set()
    server.shutdown()
    server.server_close()
    for t in threads:
        t.join(5)
    sys.stderr.write("es_server: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
