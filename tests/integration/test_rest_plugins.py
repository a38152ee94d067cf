"""/connector-plugins against Kafka Connect's shapes (reference/connect-rest.md
§1.2): PluginInfo lists, ConfigKeyInfo field by field, and
PUT .../config/validate with Kafka's ConfigInfos and error wording, which
must agree with the 400 of POST /connectors.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Worker, http  # noqa: E402

TOP_BUILDDIR = os.environ.get("TOP_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(TOP_BUILDDIR, "tests", "plugins")
# good.so (TestSource, TestSink: every config type) and failing.so, named
# one by one: the directory also holds duplicate.so, which would take
# TestSource's name when the directory is scanned in another order.
PLUGINS = ",".join(os.path.join(FIXTURES, so) for so in ("good.so", "failing.so"))

KEY_INFO_FIELDS = ["name", "type", "required", "default_value", "importance", "documentation", "group", "width",
                   "display_name", "dependents", "order"]

# The framework's keys in Kafka's order (ConnectorConfig, then
# SinkConnectorConfig's for sinks), then connectd's restart.* keys.
COMMON = ["name", "connector.class", "tasks.max", "tasks.max.enforce", "key.converter", "value.converter",
          "header.converter", "transforms", "predicates", "config.action.reload", "errors.retry.timeout",
          "errors.retry.delay.max.ms", "errors.tolerance", "errors.log.enable", "errors.log.include.messages"]
SINK_ONLY = ["topics", "topics.regex"]
# Kafka has a dead letter queue for sinks only; connectd for sources too.
DLQ = ["errors.deadletterqueue.topic.name", "errors.deadletterqueue.topic.replication.factor",
       "errors.deadletterqueue.context.headers.enable"]
RESTART = ["restart.policy", "restart.max.attempts", "restart.backoff.ms", "restart.backoff.max.ms"]
SOURCE_FRAMEWORK = COMMON + DLQ + RESTART
SINK_FRAMEWORK = COMMON + SINK_ONLY + DLQ + RESTART
GROUPS = ["Common", "Transforms", "Predicates", "Error Handling", "Restart Policy"]

TASKS_MAX = {"name": "tasks.max", "type": "INT", "required": False, "default_value": "1", "importance": "HIGH",
             "documentation": "Maximum number of tasks to use for this connector.", "group": "Common",
             "width": "SHORT", "display_name": "Tasks max", "dependents": [], "order": 3}
NAME = {"name": "name", "type": "STRING", "required": True, "default_value": None, "importance": "HIGH",
        "documentation": "Globally unique name to use for this connector.", "group": "Common",
        "width": "MEDIUM", "display_name": "Connector name", "dependents": [], "order": 1}
TOPICS = {"name": "topics", "type": "LIST", "required": False, "default_value": "", "importance": "HIGH",
          "documentation": "List of topics to consume, separated by commas", "group": "Common",
          "width": "LONG", "display_name": "Topics", "dependents": [], "order": 4}

CONVERTERS = ["org.apache.kafka.connect.converters.ByteArrayConverter",
              "org.apache.kafka.connect.json.JsonConverter",
              "org.apache.kafka.connect.storage.StringConverter"]
HEADER_CONVERTERS = ["org.apache.kafka.connect.converters.ByteArrayConverter",
                     "org.apache.kafka.connect.json.JsonConverter",
                     "org.apache.kafka.connect.storage.SimpleHeaderConverter",
                     "org.apache.kafka.connect.storage.StringConverter"]


def validate(w, plugin, config):
    return http(w, "PUT", "/connector-plugins/%s/config/validate" % plugin, config)


def by_name(infos):
    """ConfigInfos' configs by setting name: {name: (definition, value)}."""
    return {c["value"]["name"]: (c["definition"], c["value"]) for c in infos["configs"]}


def errors_of(infos):
    return {name: value["errors"] for name, (_, value) in by_name(infos).items() if value["errors"]}


def test_config_key_info():
    """GET /connector-plugins/{p}/config: the plugin's keys, then the
    framework's, each a ConfigKeyInfo with Kafka's fields in Kafka's order"""
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    status, body = http(w, "GET", "/connector-plugins/FileStreamSource/config")
    assert status == 200, body
    assert [k["name"] for k in body] == ["file", "topic", "batch.size"] + SOURCE_FRAMEWORK, body
    for key in body:
        assert list(key) == KEY_INFO_FIELDS, key
    keys = {k["name"]: k for k in body}
    assert keys["topic"] == {"name": "topic", "type": "STRING", "required": True, "default_value": None,
                             "importance": "HIGH", "documentation": "The topic to publish data to", "group": None,
                             "width": "NONE", "display_name": "topic", "dependents": [], "order": -1}, keys["topic"]
    assert keys["batch.size"]["type"] == "INT" and keys["batch.size"]["default_value"] == "2000"
    assert keys["batch.size"]["importance"] == "LOW" and keys["batch.size"]["required"] is False
    assert keys["tasks.max"] == TASKS_MAX, keys["tasks.max"]
    assert keys["name"] == NAME, keys["name"]
    assert keys["errors.tolerance"]["group"] == "Error Handling" and keys["errors.tolerance"]["order"] == 3
    assert keys["errors.tolerance"]["default_value"] == "none" and keys["errors.tolerance"]["width"] == "SHORT"
    assert keys["key.converter"]["type"] == "CLASS" and keys["key.converter"]["default_value"] is None
    assert keys["key.converter"]["required"] is False
    assert keys["transforms"]["group"] == "Transforms" and keys["transforms"]["order"] == 8
    assert "topics" not in keys

    # A sink adds SinkConnectorConfig's keys; Kafka's class name and the
    # alias find the same plugin.
    for name in ("FileStreamSink", "org.apache.kafka.connect.file.FileStreamSinkConnector",
                 "FileStreamSinkConnector"):
        status, body = http(w, "GET", "/connector-plugins/%s/config" % name)
        assert status == 200 and [k["name"] for k in body] == ["file"] + SINK_FRAMEWORK, body
    keys = {k["name"]: k for k in body}
    assert keys["topics"] == TOPICS, keys["topics"]
    assert keys["errors.deadletterqueue.topic.replication.factor"]["type"] == "SHORT"
    assert keys["errors.deadletterqueue.topic.replication.factor"]["order"] == 7

    # Every type of a plugin's table, with defaults as Kafka writes them back.
    status, body = http(w, "GET", "/connector-plugins/TestSource/config")
    assert status == 200, body
    keys = {k["name"]: k for k in body}
    assert {n: keys[n]["type"] for n in ("batch", "limit", "ratio", "enabled", "modes", "secret", "helper")} == {
        "batch": "INT", "limit": "LONG", "ratio": "DOUBLE", "enabled": "BOOLEAN", "modes": "LIST",
        "secret": "PASSWORD", "helper": "CLASS"}, keys
    assert keys["enabled"]["default_value"] == "true" and keys["modes"]["default_value"] == "fast,safe"
    assert keys["ratio"]["default_value"] == "0.5" and keys["secret"]["default_value"] is None

    # Converters have their ConverterConfig keys.
    status, body = http(w, "GET", "/connector-plugins/org.apache.kafka.connect.json.JsonConverter/config")
    assert status == 200 and [k["name"] for k in body] == [
        "converter.type", "schemas.enable", "schemas.cache.size", "decimal.format",
        "replace.null.with.default"], body
    assert body[1] == {"name": "schemas.enable", "type": "BOOLEAN", "required": False, "default_value": "true",
                       "importance": "HIGH",
                       "documentation": "Include schemas within each of the serialized values and keys.",
                       "group": "Schemas", "width": "MEDIUM", "display_name": "Enable Schemas", "dependents": [],
                       "order": 0}, body[1]
    assert [k["name"] for k in http(w, "GET", "/connector-plugins/StringConverter/config")[1]] == [
        "converter.type", "converter.encoding"]
    assert http(w, "GET", "/connector-plugins/SimpleHeaderConverter/config") == (200, [])

    assert http(w, "GET", "/connector-plugins/Nope/config") == (404, {"error_code": 404,
                                                                       "message": "Unknown plugin Nope."})
    w.stop()


def test_plugin_lists():
    """GET /connector-plugins lists connectors only unless connectorsOnly=false,
    which adds transformations, predicates, converters and header
    converters, in Kafka's order"""
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    status, default = http(w, "GET", "/connector-plugins")
    assert status == 200, default
    assert http(w, "GET", "/connector-plugins?connectorsOnly=true") == (200, default)
    for info in default:
        assert list(info) == ["class", "type", "version"], info
    # Sinks, then sources, each sorted by class.
    sinks = [p["class"] for p in default if p["type"] == "sink"]
    sources = [p["class"] for p in default if p["type"] == "source"]
    assert [p["class"] for p in default] == sinks + sources and sinks == sorted(sinks) and sources == sorted(sources)
    assert {"FileStreamSink", "FailingSink", "TestSink"} <= set(sinks), default
    assert {"FileStreamSource", "FailingSource", "TestSource"} <= set(sources), default
    assert {"class": "TestSink", "type": "sink", "version": "1.2.3"} in default

    status, everything = http(w, "GET", "/connector-plugins?connectorsOnly=false")
    assert status == 200 and everything[:len(default)] == default, everything
    rest = everything[len(default):]
    # Transformations and predicates (test_transforms.py checks which), then
    # the converters.
    smts = [p for p in rest if p["type"] in ("transformation", "predicate")]
    assert rest[:len(smts)] == smts and smts and [p["type"] for p in smts] == sorted(
        (p["type"] for p in smts), key=["transformation", "predicate"].index), smts
    rest = rest[len(smts):]
    assert [(p["class"], p["type"]) for p in rest] == (
        [(c, "converter") for c in CONVERTERS] + [(c, "header_converter") for c in HEADER_CONVERTERS]), rest
    assert all(p["version"] for p in rest), rest
    # Kafka's query parameter is a boolean: anything but "true" is false.
    assert http(w, "GET", "/connector-plugins?connectorsOnly=FALSE")[1] == everything
    w.stop()

    # A plugin without a version has no "version" (Kafka's NoVersionFilter).
    w = Worker(overrides={"plugin.path": os.path.join(FIXTURES, "duplicate.so")}).start()
    status, plugins = http(w, "GET", "/connector-plugins")
    assert status == 200 and {"class": "DupAliasSource", "type": "source"} in plugins, plugins
    w.stop()


def test_validate_valid_config():
    """a valid config: 200, error_count 0, Kafka's groups, every framework
    key with its definition, values as Kafka writes them back"""
    os.environ["CONNECTD_TEST_TASKS"] = "3"  # the worker inherits it: ${env:...}
    w = Worker(overrides={"config.providers": "env"}).start()
    config = {"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "name": "sink",
              "topics": " a, b ", "file": "/tmp/x", "tasks.max": " 2", "errors.log.enable": "TRUE",
              "not.a.setting": "ignored"}
    status, body = validate(w, "FileStreamSink", config)
    assert status == 200, body
    assert list(body) == ["name", "error_count", "groups", "configs"], body
    assert body["name"] == "org.apache.kafka.connect.file.FileStreamSinkConnector"
    assert body["error_count"] == 0 and body["groups"] == GROUPS, body
    names = [c["value"]["name"] for c in body["configs"]]
    # Kafka lists the keys it has definitions for; others are not shown.
    assert names == SINK_FRAMEWORK + ["file"], names
    configs = by_name(body)
    for name in names:
        definition, value = configs[name]
        assert definition is not None and definition["name"] == name, (name, definition)
        assert list(definition) == KEY_INFO_FIELDS
        assert list(value) == ["name", "value", "recommended_values", "errors", "visible"], value
        assert value["errors"] == [] and value["recommended_values"] == [] and value["visible"] is True, value
    assert configs["tasks.max"][0] == TASKS_MAX and configs["topics"][0] == TOPICS
    shown = {name: configs[name][1]["value"] for name in names}
    assert shown["name"] == "sink" and shown["tasks.max"] == "2" and shown["topics"] == "a,b", shown
    assert shown["errors.log.enable"] == "true" and shown["errors.tolerance"] == "none", shown
    assert shown["key.converter"] is None and shown["topics.regex"] == "" and shown["file"] == "/tmp/x"
    assert shown["errors.deadletterqueue.topic.replication.factor"] == "3"

    # Config provider references are resolved before the checks, as the
    # herder does, and shown as written.
    status, body = validate(w, "FileStreamSink", dict(config, **{"tasks.max": "${env:CONNECTD_TEST_TASKS}"}))
    assert status == 200 and body["error_count"] == 0, body
    assert by_name(body)["tasks.max"][1]["value"] == "${env:CONNECTD_TEST_TASKS}", body
    status, body = validate(w, "FileStreamSink", dict(config, **{"tasks.max": "${env:CONNECTD_TEST_UNSET}"}))
    assert status == 200 and body["error_count"] == 1, body
    assert "CONNECTD_TEST_UNSET" in errors_of(body)["tasks.max"][0], body

    # The path may name the plugin by alias, with or without "Connector".
    for path in ("FileStreamSinkConnector", "org.apache.kafka.connect.file.FileStreamSinkConnector"):
        assert validate(w, path, config)[1]["error_count"] == 0
    # A converter set on the connector brings its settings, prefixed.
    status, body = validate(w, "FileStreamSink", dict(config, **{
        "value.converter": "JsonConverter", "value.converter.schemas.enable": "false"}))
    assert status == 200 and body["error_count"] == 0, body
    configs = by_name(body)
    assert configs["value.converter"][1]["value"] == "org.apache.kafka.connect.json.JsonConverter"
    assert configs["value.converter.schemas.enable"][1]["value"] == "false"
    assert configs["value.converter.schemas.enable"][0]["name"] == "value.converter.schemas.enable"
    assert configs["value.converter.converter.type"][1]["value"] == "value"
    assert body["groups"] == GROUPS + ["Schemas", "Serialization"], body["groups"]
    w.stop()


def test_validate_errors():
    """each of Kafka's messages lands on its key's value.errors, error_count
    counts them, and POST /connectors refuses the same config with the same
    messages"""
    w = Worker().start()
    # A required key missing; a number that is not one.
    status, body = validate(w, "FileStreamSource", {
        "connector.class": "FileStreamSource", "name": "src", "tasks.max": "abc"})
    assert status == 200, body
    assert errors_of(body) == {
        "topic": ['Missing required configuration "topic" which has no default value.'],
        "tasks.max": ["Invalid value abc for configuration tasks.max: Not a number of type INT"]}, body
    assert body["error_count"] == 2
    configs = by_name(body)
    assert configs["topic"][1]["value"] is None and configs["tasks.max"][1]["value"] is None
    status, created = http(w, "POST", "/connectors", {"name": "src", "config": {
        "connector.class": "FileStreamSource", "tasks.max": "abc"}})
    assert status == 400, created
    assert created["message"].splitlines() == [
        "Connector configuration is invalid and contains the following 2 error(s):",
        "Invalid value abc for configuration tasks.max: Not a number of type INT",
        'Missing required configuration "topic" which has no default value.',
        "You can also find the above list of errors at the endpoint "
        "`/connector-plugins/{connectorType}/config/validate`"], created

    # Sinks: one of topics / topics.regex, on both keys.
    sink = {"connector.class": "FileStreamSink", "name": "snk"}
    status, body = validate(w, "FileStreamSink", sink)
    assert errors_of(body) == {"topics": ["Must configure one of topics or topics.regex"],
                               "topics.regex": ["Must configure one of topics or topics.regex"]}, body
    assert body["error_count"] == 2
    both = "topics and topics.regex are mutually exclusive options, but both are set."
    status, body = validate(w, "FileStreamSink", dict(sink, topics="a", **{"topics.regex": "b.*"}))
    assert errors_of(body) == {"topics": [both], "topics.regex": [both]} and body["error_count"] == 2, body
    status, created = http(w, "POST", "/connectors", {"name": "snk", "config": dict(sink, topics="a", **{
        "topics.regex": "b.*"})})
    assert status == 400 and created["message"].splitlines()[1:3] == [both, both], created

    # Choices, bounds, booleans, a DLQ among the topics, a null value.
    status, body = validate(w, "FileStreamSink", dict(sink, **{
        "topics": "a,dlq", "errors.tolerance": "some", "tasks.max": "0", "errors.log.enable": "yes",
        "errors.deadletterqueue.topic.name": "dlq", "file": None, "name": ""}))
    assert errors_of(body) == {
        "errors.tolerance": ["Invalid value some for configuration errors.tolerance: String must be one of: "
                             "none, all"],
        "tasks.max": ["Invalid value 0 for configuration tasks.max: Value must be at least 1"],
        "errors.log.enable": ["Invalid value yes for configuration errors.log.enable: Expected value to be "
                              "either true or false"],
        "topics": ["The DLQ topic 'dlq' may not be included in the list of topics ('topics=[a, dlq]') consumed "
                   "by the connector"],
        "file": ["Null value can not be supplied as the configuration value."],
        "name": ["Invalid value  for configuration name: String may not be empty"]}, body
    assert body["error_count"] == 6

    # Transforms: each alias needs a known type; aliases are unique.
    status, body = validate(w, "FileStreamSink", dict(sink, topics="a", transforms="t1,t2", **{
        "transforms.t1.type": "org.example.Nope"}))
    assert errors_of(body) == {
        "transforms.t1.type": ["Invalid value org.example.Nope for configuration transforms.t1.type: Class "
                               "org.example.Nope could not be found."],
        "transforms.t2.type": ['Missing required configuration "transforms.t2.type" which has no default '
                               'value.']}, body
    definition = by_name(body)["transforms.t1.type"][0]
    assert definition["group"] == "Transforms: t1" and definition["type"] == "CLASS", definition
    assert "Transforms: t1" in body["groups"] and "Transforms: t2" in body["groups"]
    status, body = validate(w, "FileStreamSink", dict(sink, topics="a", transforms="t1, t1"))
    assert errors_of(body)["transforms"] == [
        "Invalid value [t1, t1] for configuration transforms: Duplicate alias provided."], body

    # Converters: the class, then its settings, then what the converter refuses.
    status, body = validate(w, "FileStreamSink", dict(sink, topics="a", **{
        "key.converter": "org.example.Nope", "value.converter": "JsonConverter",
        "value.converter.schemas.enable": "maybe", "header.converter": "JsonConverter",
        "header.converter.decimal.format": "NUMERIC"}))
    errors = errors_of(body)
    assert errors["key.converter"] == ["Invalid value org.example.Nope for configuration key.converter: Class "
                                       "org.example.Nope could not be found."], errors
    assert errors["value.converter.schemas.enable"] == [
        "Invalid value maybe for configuration value.converter.schemas.enable: Expected value to be either true "
        "or false"], errors
    assert errors["header.converter.decimal.format"][0].startswith(
        "Invalid value NUMERIC for configuration header.converter.decimal.format:"), errors
    assert body["error_count"] == 3 and "key.converter.schemas.enable" not in by_name(body), body
    status, created = http(w, "POST", "/connectors", {"name": "snk", "config": dict(sink, topics="a", **{
        "key.converter": "org.example.Nope"})})
    assert status == 400 and "Class org.example.Nope could not be found." in created["message"], created
    w.stop()


def test_validate_passwords_and_plugin_validate():
    """PASSWORD values come back as [hidden]; the plugin's validate()
    message lands on connector.class (it names no setting)"""
    w = Worker(overrides={"plugin.path": PLUGINS}).start()
    status, body = validate(w, "FailingSource", {"connector.class": "FailingSource", "name": "f",
                                                 "fail.in": "poll", "fail.password": "s3cr3t"})
    assert status == 200 and body["error_count"] == 0, body
    assert by_name(body)["fail.password"][1]["value"] == "[hidden]"
    assert by_name(body)["fail.password"][0]["type"] == "PASSWORD"
    assert "s3cr3t" not in json.dumps(body)

    status, body = validate(w, "FailingSource", {"connector.class": "FailingSource", "name": "f",
                                                 "fail.in": "validate", "fail.password": "s3cr3t"})
    assert status == 200 and body["error_count"] == 1, body
    assert errors_of(body) == {"connector.class": ["f: injected failure in validate after 0 successful calls"]}
    assert "s3cr3t" not in json.dumps(body)
    status, created = http(w, "POST", "/connectors", {"name": "f", "config": {
        "connector.class": "FailingSource", "fail.in": "validate"}})
    assert status == 400 and "injected failure in validate" in created["message"], created

    # Each type of a plugin's table, checked and written back.
    status, body = validate(w, "TestSource", {"connector.class": "TestSource", "name": "t", "topic": "x",
                                              "batch": "10001", "limit": "9223372036854775808", "ratio": "1",
                                              "modes": "fast , slow", "mode": "fast", "dir": "rel"})
    assert status == 200, body
    assert errors_of(body) == {
        "batch": ["Invalid value 10001 for configuration batch: Value must be no more than 10000"],
        "limit": ["Invalid value 9223372036854775808 for configuration limit: Not a number of type LONG"],
        "modes": ["Invalid value slow for configuration modes: String must be one of: fast, safe"],
        "dir": ["Invalid value rel for configuration dir: must be an absolute path"]}, body
    shown = {name: value["value"] for name, (_, value) in by_name(body).items()}
    assert shown["ratio"] == "1.0" and shown["mode"] == "fast" and shown["enabled"] == "true", shown
    w.stop()


def test_validate_refusals():
    """no connector.class, a class that does not match the path, an unknown
    plugin, and a body that is not a config: 4xx, never 500"""
    w = Worker().start()
    status, body = validate(w, "FileStreamSource", {"name": "x", "topic": "t"})
    assert status == 400 and "contains no connector type" in body["message"], body
    assert body["message"].startswith("Connector config {"), body
    assert validate(w, "FileStreamSource", {"connector.class": "FileStreamSink"}) == (400, {
        "error_code": 400, "message": "Included connector type FileStreamSink does not match request type "
                                      "FileStreamSource"})
    assert validate(w, "Nope", {"connector.class": "Nope"}) == (404, {"error_code": 404,
                                                                       "message": "Unknown plugin Nope."})
    # The path is a known plugin but the class, which ends with it, is not.
    status, body = validate(w, "FileStreamSink", {"connector.class": "org.example.FileStreamSink"})
    assert status == 400 and "Failed to find any class that implements Connector" in body["message"], body
    status, body = http(w, "PUT", "/connector-plugins/FileStreamSink/config/validate", None)
    assert status == 400 and "JSON" in body["message"], body
    status, body = validate(w, "FileStreamSink", ["connector.class", "FileStreamSink"])
    assert status == 400, body
    status, body = validate(w, "FileStreamSink", {"connector.class": "FileStreamSink", "topics": ["a"]})
    assert status == 400, body
    assert http(w, "GET", "/connector-plugins/FileStreamSink/config/validate")[0] == 405
    w.stop()


harness.main(globals())
