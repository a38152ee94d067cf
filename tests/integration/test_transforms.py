"""Single message transforms in running pipelines (issue 6): the docs'
quick-start chain (HoistField + InsertField on a FileStreamSource), chains
of three transforms on a source and on a sink, Filter guarded by a
predicate with and without negate, a plugin transform (the example
UppercaseValue), the validation errors Kafka gives for transforms and
predicates (validate, POST, PUT), and the listing of every transform and
predicate with their config definitions.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http, wait_for  # noqa: E402

TOP_SRCDIR = os.path.abspath(os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", "..")))
TOP_BUILDDIR = os.path.abspath(os.environ.get("TOP_BUILDDIR", TOP_SRCDIR))
EXAMPLE = os.path.join(TOP_BUILDDIR, "plugins", "example")
T = "org.apache.kafka.connect.transforms."
P = "org.apache.kafka.connect.transforms.predicates."

SCHEMALESS = {"key.converter": "org.apache.kafka.connect.storage.StringConverter",
              "value.converter": "org.apache.kafka.connect.json.JsonConverter",
              "value.converter.schemas.enable": "false"}



def topic_count(worker, topic):
    """How many records a topic holds now (0 when it does not exist)."""
    res = harness.run(["kcat", "-b", worker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                       "-f", "%s\\n"], timeout=60, check=False)
    return len(res.stdout.decode().splitlines()) if res.returncode == 0 else 0


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def file_lines(path, count):
    """The lines of a sink's file once it has `count` of them."""
    def attempt():
        if not os.path.exists(path):
            return None
        with open(path) as f:
            lines = f.read().splitlines()
        return lines if len(lines) >= count else None
    return wait_for(attempt, what="%d lines in %s" % (count, path), interval=0.2)


def create(w, name, config):
    status, body = http(w, "POST", "/connectors", {"name": name, "config": config})
    assert status == 201, body
    return body


def test_quickstart_hoist_and_insert():
    """the docs' example: each line hoisted into {"line": ...} and a static
    field added -> {"line":"foo","data_source":"test-file-source"}"""
    tmp = harness.tmpdir()
    src = os.path.join(tmp, "test.txt")
    write_lines(src, ["foo", "bar"])
    w = Worker(overrides=SCHEMALESS).start()
    create(w, "local-file-source", {
        "connector.class": "FileStreamSource", "tasks.max": "1", "file": src, "topic": "connect-test",
        "transforms": "MakeMap, InsertSource",
        "transforms.MakeMap.type": T + "HoistField$Value", "transforms.MakeMap.field": "line",
        "transforms.InsertSource.type": T + "InsertField$Value",
        "transforms.InsertSource.static.field": "data_source",
        "transforms.InsertSource.static.value": "test-file-source"})
    values = harness.kcat_values(w, "connect-test", 2)
    assert values == ['{"line":"foo","data_source":"test-file-source"}',
                      '{"line":"bar","data_source":"test-file-source"}'], values
    w.stop()


def test_chains_of_three_on_source_and_sink():
    """source: RegexRouter + HoistField + InsertField; sink: ReplaceField
    (rename) + InsertField + ExtractField of the renamed field, in order"""
    tmp = harness.tmpdir()
    src, out = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    write_lines(src, ["alpha", "beta", "gamma"])
    w = Worker(overrides=SCHEMALESS).start()
    create(w, "src", {
        "connector.class": "FileStreamSource", "file": src, "topic": "raw-lines",
        "transforms": "route,hoist,stamp",
        "transforms.route.type": T + "RegexRouter", "transforms.route.regex": "raw-(.*)",
        "transforms.route.replacement": "routed-$1",
        "transforms.hoist.type": "HoistField$Value", "transforms.hoist.field": "line",
        "transforms.stamp.type": T + "InsertField$Value", "transforms.stamp.static.field": "origin",
        "transforms.stamp.static.value": "file"})
    values = [json.loads(v) for v in harness.kcat_values(w, "routed-lines", 3)]
    assert values == [{"line": x, "origin": "file"} for x in ("alpha", "beta", "gamma")], values
    assert topic_count(w, "raw-lines") == 0
    create(w, "sink", {
        "connector.class": "FileStreamSink", "file": out, "topics": "routed-lines",
        "transforms": "rename,tag,extract",
        "transforms.rename.type": T + "ReplaceField$Value", "transforms.rename.renames": "line:text",
        "transforms.tag.type": T + "InsertField$Value", "transforms.tag.topic.field": "from",
        "transforms.extract.type": T + "ExtractField$Value", "transforms.extract.field": "text"})
    assert file_lines(out, 3) == ["alpha", "beta", "gamma"]
    w.stop()


def test_filter_with_predicates_and_negate():
    """Filter guarded by TopicNameMatches: with negate only the matching
    topic's records pass; without, they are the ones dropped.  A source
    that drops every record still commits its source offsets."""
    tmp = harness.tmpdir()
    foo, bar = os.path.join(tmp, "foo.txt"), os.path.join(tmp, "bar.txt")
    keep, drop = os.path.join(tmp, "keep.txt"), os.path.join(tmp, "drop.txt")
    write_lines(foo, ["f1", "f2"])
    write_lines(bar, ["b1", "b2", "b3"])
    w = Worker(overrides={"key.converter": "StringConverter", "value.converter": "StringConverter"}).start()
    create(w, "foo", {"connector.class": "FileStreamSource", "file": foo, "topic": "foo-topic"})
    create(w, "bar", {"connector.class": "FileStreamSource", "file": bar, "topic": "bar-topic"})
    harness.kcat_values(w, "foo-topic", 2)  # both topics exist before the sinks subscribe
    harness.kcat_values(w, "bar-topic", 3)
    predicates = {"predicates": "IsFoo", "predicates.IsFoo.type": P + "TopicNameMatches",
                  "predicates.IsFoo.pattern": "foo.*"}
    create(w, "keep-foo", dict(predicates, **{
        "connector.class": "FileStreamSink", "file": keep, "topics": "foo-topic,bar-topic",
        "transforms": "dropOthers", "transforms.dropOthers.type": T + "Filter",
        "transforms.dropOthers.predicate": "IsFoo", "transforms.dropOthers.negate": "true"}))
    create(w, "drop-foo", dict(predicates, **{
        "connector.class": "FileStreamSink", "file": drop, "topics": "foo-topic,bar-topic",
        "transforms": "dropFoo", "transforms.dropFoo.type": "Filter", "transforms.dropFoo.predicate": "IsFoo"}))
    assert sorted(file_lines(keep, 2)) == ["f1", "f2"]
    assert sorted(file_lines(drop, 3)) == ["b1", "b2", "b3"]

    # Everything filtered on a source: nothing produced, offsets committed.
    gone = os.path.join(tmp, "gone.txt")
    write_lines(gone, ["x", "y", "z"])
    create(w, "filtered", {"connector.class": "FileStreamSource", "file": gone, "topic": "never",
                           "transforms": "all", "transforms.all.type": T + "Filter"})

    def committed():
        status, body = http(w, "GET", "/connectors/filtered/offsets")
        offsets = body.get("offsets") if status == 200 else None
        return offsets if offsets and offsets[0]["offset"].get("position") == 6 else None
    offsets = wait_for(committed, what="the filtered source's offsets")
    assert offsets[0]["partition"] == {"filename": gone}, offsets
    assert topic_count(w, "never") == 0
    w.stop()


def test_plugin_transform():
    """the example UppercaseValue transform (plugins/example, ABI 1.1) runs
    in a chain after a built-in, by its name and by its alias"""
    tmp = harness.tmpdir()
    src = os.path.join(tmp, "in.txt")
    write_lines(src, ["hello", "World 42"])
    w = Worker(overrides=dict(SCHEMALESS, **{"plugin.path": EXAMPLE})).start()
    create(w, "shout", {"connector.class": "FileStreamSource", "file": src, "topic": "loud",
                        "transforms": "up", "transforms.up.type": "UppercaseValue"})
    assert harness.kcat_values(w, "loud", 2) == ['"HELLO"', '"WORLD 42"']
    create(w, "shout-field", {"connector.class": "FileStreamSource", "file": src, "topic": "loud-map",
                              "transforms": "hoist,up", "transforms.hoist.type": T + "HoistField$Value",
                              "transforms.hoist.field": "line",
                              "transforms.up.type": "org.example.connectd.UppercaseValue",
                              "transforms.up.field": "line"})
    assert harness.kcat_values(w, "loud-map", 2) == ['{"line":"HELLO"}', '{"line":"WORLD 42"}']
    status, plugins = http(w, "GET", "/connector-plugins?connectorsOnly=false")
    assert {"class": "UppercaseValue", "type": "transformation"} in \
        [{k: p[k] for k in ("class", "type")} for p in plugins], plugins
    status, config = http(w, "GET", "/connector-plugins/UppercaseValue/config")
    assert status == 200 and [c["name"] for c in config] == ["field"], config
    # A plugin transform's failure fails the task, with the plugin's words.
    status, body = http(w, "POST", "/connectors", {"name": "bad", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "t", "value.converter": "JsonConverter",
        "transforms": "hoist,up", "transforms.hoist.type": T + "HoistField$Value", "transforms.hoist.field": "x",
        "transforms.up.type": "UppercaseValue"}})
    assert status == 201, body

    def failed():
        body = http(w, "GET", "/connectors/bad/status")[1]
        return body["tasks"] and body["tasks"][0]["state"] == "FAILED" and body["tasks"][0]["trace"]
    assert "needs a string value" in wait_for(failed, what="the bad chain to fail")
    w.stop()


def errors_of(result):
    """{setting: [errors]} of a ConfigInfos answer, settings with errors only."""
    return {c["value"]["name"]: c["value"]["errors"] for c in result["configs"] if c["value"]["errors"]}


def test_validation_errors():
    """Kafka's messages for transforms and predicates, in validate (with the
    groups and prefixed keys) and as 400 from POST and PUT"""
    w = Worker(overrides={"plugin.path": EXAMPLE}).start()
    base = {"name": "c", "connector.class": "FileStreamSource", "topic": "t", "file": "/dev/null"}
    path = "/connector-plugins/FileStreamSource/config/validate"
    cases = [
        ({"transforms": "a"},
         {"transforms.a.type": ['Missing required configuration "transforms.a.type" which has no default value.']}),
        ({"transforms": "a", "transforms.a.type": "x"},
         {"transforms.a.type": ["Invalid value x for configuration transforms.a.type: Class x could not be "
                                "found."]}),
        ({"transforms": "a", "transforms.a.type": T + "Filter", "transforms.a.negate": "true"},
         {"transforms.a.type": ["Config 'transforms.a.negate' was provided but there is no config "
                                "'transforms.a.predicate' defining a predicate to be negated."]}),
        ({"transforms": "a", "transforms.a.type": T + "Filter", "transforms.a.predicate": "p"},
         {"transforms.a.predicate": ["Invalid value p for configuration transforms.a.predicate: the predicate "
                                     "alias is not listed in 'predicates'"]}),
        ({"predicates": "p"},
         {"predicates.p.type": ['Missing required configuration "predicates.p.type" which has no default '
                                'value.']}),
        ({"predicates": "p", "predicates.p.type": T + "Filter"},
         {"predicates.p.type": ["Invalid value %sFilter for configuration predicates.p.type: Class %sFilter "
                                "could not be found." % (T, T)]}),
        ({"transforms": "a", "transforms.a.type": "Filter", "transforms.a.predicate": "p", "predicates": "p",
          "predicates.p.type": P + "TopicNameMatches"},
         {"predicates.p.pattern": ['Missing required configuration "predicates.p.pattern" which has no default '
                                   'value.']}),
    ]
    for extra, expected in cases:
        config = dict(base, **extra)
        status, result = http(w, "PUT", path, config)
        assert status == 200 and errors_of(result) == expected, (extra, errors_of(result))
        status, body = http(w, "POST", "/connectors", {"name": "c", "config": config})
        message = next(iter(expected.values()))[0]
        assert status == 400 and message in body["message"], (extra, body)
        status, body = http(w, "PUT", "/connectors/c/config", config)
        assert status == 400 and message in body["message"], (extra, body)

    # A good chain: groups per alias, the transform's own keys prefixed.
    config = dict(base, **{"transforms": "up,drop", "transforms.up.type": "UppercaseValue",
                           "transforms.up.field": "line", "transforms.drop.type": T + "Filter",
                           "transforms.drop.predicate": "big", "predicates": "big",
                           "predicates.big.type": P + "TopicNameMatches", "predicates.big.pattern": "b.*"})
    status, result = http(w, "PUT", path, config)
    assert status == 200 and result["error_count"] == 0, errors_of(result)
    assert {"Transforms: up", "Transforms: drop", "Predicates: big"} <= set(result["groups"]), result["groups"]
    values = {c["value"]["name"]: c["value"]["value"] for c in result["configs"]}
    assert values["transforms.up.type"] == "UppercaseValue", values
    assert values["transforms.up.field"] == "line" and values["transforms.up.negate"] == "false", values
    assert values["transforms.drop.type"] == T + "Filter", values
    assert values["predicates.big.type"] == P + "TopicNameMatches" and values["predicates.big.pattern"] == "b.*"
    definitions = {c["definition"]["name"]: c["definition"] for c in result["configs"] if c["definition"]}
    assert definitions["transforms.up.field"]["group"] == "Transforms: up", definitions["transforms.up.field"]
    status, body = http(w, "POST", "/connectors", {"name": "c", "config": config})
    assert status == 201, body
    w.stop()


KAFKA_TRANSFORMS = ["Cast", "DropHeaders", "ExtractField", "Filter", "Flatten", "HeaderFrom", "HoistField",
                    "InsertField", "InsertHeader", "MaskField", "RegexRouter", "ReplaceField", "SetSchemaMetadata",
                    "TimestampConverter", "TimestampRouter", "ValueToKey"]
VARIANTS = {"Cast", "ExtractField", "Flatten", "HeaderFrom", "HoistField", "InsertField", "MaskField",
            "ReplaceField", "SetSchemaMetadata", "TimestampConverter"}
KAFKA_PREDICATES = ["HasHeaderKey", "RecordIsTombstone", "TopicNameMatches"]


def test_listing():
    """connectorsOnly=false lists every transformation and predicate with
    Kafka's class names, after the connectors, each with its config"""
    w = Worker().start()
    status, plugins = http(w, "GET", "/connector-plugins?connectorsOnly=false")
    assert status == 200, plugins
    types = [p["type"] for p in plugins]
    order = ["sink", "source", "transformation", "predicate", "converter", "header_converter"]
    assert types == sorted(types, key=order.index), types
    listed = {p["class"]: p["type"] for p in plugins}
    expected = {}
    for name in KAFKA_TRANSFORMS:
        for suffix in (("$Key", "$Value") if name in VARIANTS else ("",)):
            expected[T + name + suffix] = "transformation"
    for name in KAFKA_PREDICATES:
        expected[P + name] = "predicate"
    missing = sorted(c for c in expected if c not in listed)
    assert not missing, "not listed: %s" % missing
    assert all(listed[c] == t for c, t in expected.items())
    status, plugins = http(w, "GET", "/connector-plugins")
    assert {p["type"] for p in plugins} <= {"source", "sink"}, plugins
    status, config = http(w, "GET", "/connector-plugins/%sInsertField$Value/config" % T)
    assert status == 200 and "static.field" in [c["name"] for c in config], config
    status, config = http(w, "GET", "/connector-plugins/%sTopicNameMatches/config" % P)
    assert status == 200 and [c["name"] for c in config] == ["pattern"], config
    assert config[0]["required"] is True, config
    w.stop()


harness.main(globals())
