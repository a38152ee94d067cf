"""The Elasticsearch sink against each server generation it speaks and
each way of reaching one, through a real worker and broker and
tests/es/es_server.py: Elasticsearch 8.x and 7.x and OpenSearch 2.x
(typeless), 6.x (_doc) and 5.x (type.name), each with a mapping from the
record's schema, an update and a delete; then TLS with a CA file, basic
authentication, an API key and a proxy with credentials.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from es_sink import (Proxy, create, es_server, produce, sink_config, task_status, wait_docs,  # noqa: E402
                     wait_failed)
import es_fixture  # noqa: E402  (es_sink puts tests/es on the path)
from harness import Worker  # noqa: E402

SCHEMA = {"type": "struct", "name": "item", "fields": [{"field": "id", "type": "int32", "optional": False},
                                                        {"field": "name", "type": "string", "optional": True}]}


def rows(*pairs):
    """(key, name or None) as (key, JsonConverter value with schema)."""
    out = []
    for key, name in pairs:
        value = None if name is None else json.dumps({"schema": SCHEMA, "payload": {"id": int(key), "name": name}})
        out.append((key, value))
    return out


def test_every_generation():
    """8.11, 7.17, OpenSearch 2.11, 6.8 and 5.6 each end with the live rows
    as documents, the mapping from the schema in place (under the index's
    type before 7) and the deleted row gone"""
    servers = [("8.11.0", [], {}), ("7.17.9", [], {}), ("2.11.0", ["--distribution", "opensearch"], {}),
               ("6.8.23", [], {}), ("5.6.16", [], {"type.name": "kafka-connect"})]
    w = Worker().start()
    running = []
    for n, (version, args, extra) in enumerate(servers):
        es = es_fixture.EsServer(version=version, args=args).start()
        running.append(es)
        topic = "gen%d" % n
        produce(w, topic, rows(("1", "a"), ("2", "b"), ("1", "a2"), ("3", "c"), ("2", None)))
        conf = sink_config(es, topic, schema_ignore="false", behavior_on_null_values="delete",
                           value_converter_schemas_enable="true")
        conf.update(extra)
        create(w, topic, conf)
    for n, (version, args, extra) in enumerate(servers):
        es, topic = running[n], "gen%d" % n
        wait_docs(es, topic, {"1": {"id": 1, "name": "a2"}, "3": {"id": 3, "name": "c"}})
        mappings = es.ok("GET", "/%s/_mapping" % topic)[topic]["mappings"]
        if "type.name" in extra:
            mappings = mappings["kafka-connect"]
        elif version.startswith("6."):
            mappings = mappings["_doc"]
        assert mappings["properties"]["id"] == {"type": "integer"}, (version, mappings)
        assert task_status(w, topic)["state"] == "RUNNING"
    # 5.x without type.name: the task says what to set.
    produce(w, "untyped", rows(("1", "a")))
    create(w, "untyped", sink_config(running[4], "untyped"))
    task = wait_failed(w, "untyped")
    assert "set type.name" in task["trace"] and "5.6.16" in task["trace"], task
    w.stop()
    for es in running:
        es.stop()


def test_tls_with_a_ca_file():
    """https with elastic.https.ssl.truststore.location naming the server's
    CA: documents arrive; without the CA the task FAILS saying to check the
    SSL settings"""
    tmp = harness.tmpdir()
    cert, key = es_fixture.make_cert(tmp)
    es = es_server(tls=(cert, key))
    w = Worker().start()
    produce(w, "secure", [("1", '{"n":1}')])
    create(w, "tls", sink_config(es, "secure", elastic_security_protocol="SSL",
                                 elastic_https_ssl_truststore_location=cert))
    wait_docs(es, "secure", {"1": {"n": 1}})
    produce(w, "secure2", [("1", '{"n":1}')])
    create(w, "no-ca", sink_config(es, "secure2"))
    task = wait_failed(w, "no-ca")
    assert "Check your SSL settings" in task["trace"], task
    w.stop()
    es.stop()


def test_basic_auth_api_key_and_proxy():
    """connection.username/password, connection.api.key (id:key, encoded by
    the sink) and proxy.host/port/username/password each reach a server
    that requires credentials"""
    es = es_server(users=["elastic:secret"], api_keys=["kid:kval"])
    proxy = Proxy(user=("pu", "pp"))
    w = Worker().start()
    produce(w, "basic", [("1", '{"n":1}')])
    produce(w, "keyed", [("1", '{"n":2}')])
    produce(w, "proxied", [("1", '{"n":3}')])
    create(w, "basic", sink_config(es, "basic", connection_username="elastic", connection_password="secret"))
    create(w, "keyed", sink_config(es, "keyed", connection_api_key="kid:kval"))
    create(w, "proxied", sink_config(es, "proxied", connection_username="elastic", connection_password="secret",
                                     proxy_host="127.0.0.1", proxy_port=str(proxy.port), proxy_username="pu",
                                     proxy_password="pp"))
    wait_docs(es, "basic", {"1": {"n": 1}})
    wait_docs(es, "keyed", {"1": {"n": 2}})
    wait_docs(es, "proxied", {"1": {"n": 3}})
    assert proxy.forwarded >= 3, proxy.forwarded
    w.stop()
    proxy.stop()
    es.stop()


harness.main(globals())
