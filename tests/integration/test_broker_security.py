"""Broker listener security (docs/security.md): listener.security.protocol.map
as Kafka's, and a listener whose security the broker cannot honour stops
start-up with a message naming the key, never a silent plaintext; SSL
listeners (server certificates, mutual TLS, protocols and cipher suites)
with kcat, confluent-kafka and Python's ssl module as clients, certificates
made by the test with the openssl CLI.
"""

import os
import socket
import ssl
import sys

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
import tls_certs  # noqa: E402
from harness import Broker  # noqa: E402


def run_broker(*overrides):
    """Runs a broker that must refuse to start; returns (exit code, stderr)."""
    cmd = [harness.connectd_path(), "broker", harness.sample_properties(),
           "--override", "log.dirs=" + os.path.join(harness.tmpdir(), "data")]
    for o in overrides:
        cmd += ["--override", o]
    res = harness.run(cmd, check=False)
    return res.returncode, res.stderr.decode("utf-8", "replace")


def test_unservable_listeners_stop_start_up():
    """a SASL listener without mechanisms, a second secured listener, or one without a protocol stop start-up"""
    port = harness.free_port()
    rc, err = run_broker("listeners=SASL_PLAINTEXT://127.0.0.1:%d" % port)
    assert rc != 0 and "sasl.enabled.mechanisms: GSSAPI is not supported" in err, (rc, err)
    rc, err = run_broker("listeners=PLAINTEXT://127.0.0.1:%d,SASL_SSL://127.0.0.1:%d" % (port, port + 1))
    assert rc != 0 and "would not be served" in err, (rc, err)
    rc, err = run_broker("listeners=CLIENT://127.0.0.1:%d" % port)
    assert rc != 0 and "listener.security.protocol.map: no security protocol for the listener CLIENT" in err, \
        (rc, err)
    rc, err = run_broker("listeners=CLIENT://127.0.0.1:%d" % port, "listener.security.protocol.map=CLIENT:SASL_SSL")
    assert rc != 0 and "ssl.keystore.location: the CLIENT listener needs a key and certificate" in err, (rc, err)
    rc, err = run_broker("listener.security.protocol.map=PLAINTEXT:TLS")
    assert rc != 0 and "listener.security.protocol.map: expected NAME:PROTOCOL" in err, (rc, err)


def test_served_listener_does_not_depend_on_order():
    """PLAINTEXT is found by its whole name, not inside SASL_PLAINTEXT: either order gives the same outcome"""
    port = harness.free_port()
    plain, sasl = "PLAINTEXT://127.0.0.1:%d" % port, "SASL_PLAINTEXT://127.0.0.1:%d" % (port + 1)
    for listeners in (plain + "," + sasl, sasl + "," + plain):
        rc, err = run_broker("listeners=" + listeners, "sasl.enabled.mechanisms=PLAIN")
        assert rc != 0 and "would not be served" in err, (listeners, rc, err)


def test_mapped_plaintext_listener_serves():
    """a listener of any name mapped to PLAINTEXT serves as before"""
    b = Broker()
    b.overrides["listeners"] = "CLIENT://127.0.0.1:%d" % b.port
    b.overrides["listener.security.protocol.map"] = "CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    b.start()
    with kproto.Conn(b.port) as conn:
        assert kproto.api_versions(conn)["error"] == 0
    b.stop()


def ssl_broker(certs, **overrides):
    """A broker whose one listener is SSL, with the server key store file."""
    b = Broker()
    b.overrides["listeners"] = "SSL://127.0.0.1:%d" % b.port
    b.overrides["ssl.keystore.location"] = certs.server_keystore
    b.overrides.update(overrides)
    return b


def kcat_ssl(b, certs, *args, client_cert=True, input=None):
    cmd = ["kcat", "-b", b.bootstrap, "-X", "security.protocol=ssl", "-X", "ssl.ca.location=" + certs.ca,
           "-X", "socket.timeout.ms=10000", "-m", "10"]
    if client_cert:
        cmd += ["-X", "ssl.certificate.location=" + certs.client_cert, "-X", "ssl.key.location=" + certs.client_key]
    return harness.run(cmd + list(args), input=input, timeout=60, check=False)


def kcat_roundtrip(b, certs, topic, values, client_cert=False):
    res = kcat_ssl(b, certs, "-P", "-t", topic, client_cert=client_cert, input="\n".join(values).encode() + b"\n")
    assert res.returncode == 0, res.stderr.decode()
    res = kcat_ssl(b, certs, "-C", "-t", topic, "-o", "beginning", "-c", str(len(values)), "-e", "-q",
                   "-f", "%s\\n", client_cert=client_cert)
    assert res.returncode == 0 and res.stdout.decode().splitlines() == values, (res.stdout, res.stderr)


def tls_context(certs, client_cert=True, version=None):
    ctx = ssl.create_default_context(cafile=certs.ca)
    if client_cert:
        ctx.load_cert_chain(certs.client_cert, certs.client_key)
    if version:
        ctx.minimum_version = ctx.maximum_version = version
    return ctx


def tls_api_versions(b, ctx):
    """ApiVersions over a TLS connection made with `ctx`; raises on a refused handshake."""
    conn = kproto.Conn(b.port)
    try:
        conn.sock = ctx.wrap_socket(conn.sock, server_hostname="127.0.0.1")
        return kproto.api_versions(conn)["error"]
    finally:
        conn.close()


def refused(fn):
    """Whether fn() fails as a refused TLS handshake or a closed connection does."""
    try:
        fn()
    except (ssl.SSLError, OSError, kproto.Closed):
        return True
    return False


def test_ssl_listener_kcat_and_confluent():
    """an SSL listener serves kcat and confluent-kafka; plaintext to it is a logged close"""
    certs = tls_certs.Certs(harness.tmpdir())
    b = ssl_broker(certs).start()
    kcat_roundtrip(b, certs, "tls-kcat", ["a", "b", "c"])
    import confluent_kafka
    conf = {"bootstrap.servers": b.bootstrap, "security.protocol": "SSL", "ssl.ca.location": certs.ca}
    p = confluent_kafka.Producer(conf)
    for i in range(50):
        p.produce("tls-confluent", ("v%d" % i).encode())
    # A record much larger than a TLS record (16 KB) spans many of them.
    big = os.urandom(900 * 1024)
    p.produce("tls-big", big)
    assert p.flush(30) == 0
    del p
    c = confluent_kafka.Consumer(dict(conf, **{"group.id": "g-tls", "auto.offset.reset": "earliest"}))
    c.subscribe(["tls-confluent"])
    got = []
    harness.wait_for(lambda: (lambda m: got.append(m.value()) if m and not m.error() else None)(c.poll(1.0))
                     or len(got) >= 50, what="50 records over TLS")
    c.close()
    assert got == [("v%d" % i).encode() for i in range(50)], got
    c = confluent_kafka.Consumer(dict(conf, **{"group.id": "g-big", "auto.offset.reset": "earliest",
                                               "fetch.max.bytes": 4 << 20}))
    c.subscribe(["tls-big"])
    msg = harness.wait_for(lambda: (lambda m: m if m and not m.error() else None)(c.poll(1.0)),
                           what="the large record over TLS")
    c.close()
    assert msg.value() == big
    # Plaintext Kafka to the TLS port: the handshake fails, the broker logs
    # the close and goes on serving.
    with kproto.Conn(b.port, timeout=10) as conn:
        assert refused(lambda: kproto.api_versions(conn))
    b.wait_stderr("TLS handshake failed")
    with socket.create_connection(("127.0.0.1", b.port), timeout=10) as s:
        s.sendall(os.urandom(5000))
    assert tls_api_versions(b, tls_context(certs, client_cert=False)) == 0
    b.stop()


def test_inline_keystore_and_listener_prefix():
    """ssl.keystore.key/certificate.chain inline, and listener.name.<name>.ssl.* over ssl.*"""
    certs = tls_certs.Certs(harness.tmpdir())
    b = Broker()
    b.overrides["listeners"] = "SSL://127.0.0.1:%d" % b.port
    b.overrides["ssl.keystore.key"] = certs.read(certs.server_key)
    b.overrides["ssl.keystore.certificate.chain"] = certs.read(certs.server_cert)
    b.start()
    assert tls_api_versions(b, tls_context(certs, client_cert=False)) == 0
    b.stop()
    b = Broker()
    b.overrides["listeners"] = "CLIENT://127.0.0.1:%d" % b.port
    b.overrides["listener.security.protocol.map"] = "CLIENT:SSL"
    b.overrides["ssl.keystore.location"] = "/nonexistent/keystore.pem"  # the prefixed key wins
    b.overrides["listener.name.client.ssl.keystore.location"] = certs.server_keystore_enc
    b.overrides["listener.name.client.ssl.key.password"] = certs.key_password
    b.start()
    assert tls_api_versions(b, tls_context(certs, client_cert=False)) == 0
    b.stop()


def test_mutual_tls():
    """ssl.client.auth=required refuses a client without a trusted certificate; requested lets it in"""
    certs = tls_certs.Certs(harness.tmpdir())
    b = ssl_broker(certs, **{"ssl.client.auth": "required", "ssl.truststore.location": certs.ca,
                             "log4j.logger.connectd.broker": "DEBUG"}).start()
    kcat_roundtrip(b, certs, "mtls", ["x", "y"], client_cert=True)
    res = kcat_ssl(b, certs, "-L", client_cert=False)
    assert res.returncode != 0, res.stdout
    assert refused(lambda: tls_api_versions(b, tls_context(certs, client_cert=False)))
    stranger = tls_context(certs, client_cert=False)
    stranger.load_cert_chain(certs.stranger_cert, certs.stranger_key)
    assert refused(lambda: tls_api_versions(b, stranger))
    b.wait_stderr("client certificate: ")
    assert tls_api_versions(b, tls_context(certs)) == 0
    b.wait_stderr("as User:CN=client,O=connectd-test")
    b.stop()
    b = ssl_broker(certs, **{"ssl.client.auth": "requested", "ssl.truststore.location": certs.ca}).start()
    assert tls_api_versions(b, tls_context(certs, client_cert=False)) == 0
    assert tls_api_versions(b, tls_context(certs)) == 0
    b.stop()


def test_mutual_tls_session_resumption():
    """a TLSv1.2 client with a certificate that offers its previous session is served, twice"""
    certs = tls_certs.Certs(harness.tmpdir())
    b = ssl_broker(certs, **{"ssl.client.auth": "required", "ssl.truststore.location": certs.ca}).start()
    session = os.path.join(harness.tmpdir(), "tls-session.pem")
    cmd = ["openssl", "s_client", "-tls1_2", "-connect", "127.0.0.1:%d" % b.port, "-CAfile", certs.ca,
           "-cert", certs.client_cert, "-key", certs.client_key]
    for i in range(3):
        # The broker may give no session to resume (s_client then writes none).
        sess = ["-sess_out", session] if i == 0 else ["-sess_in", session] if os.path.exists(session) else []
        res = harness.run(cmd + sess, input=b"", timeout=60, check=False)
        out = res.stdout.decode("utf-8", "replace") + res.stderr.decode("utf-8", "replace")
        assert res.returncode == 0 and "alert" not in out, out
    b.stop()


def test_protocols_and_cipher_suites():
    """ssl.enabled.protocols and ssl.cipher.suites (IANA names) limit what a client may use"""
    certs = tls_certs.Certs(harness.tmpdir())
    b = ssl_broker(certs, **{"ssl.enabled.protocols": "TLSv1.3"}).start()
    assert tls_api_versions(b, tls_context(certs, False, ssl.TLSVersion.TLSv1_3)) == 0
    assert refused(lambda: tls_api_versions(b, tls_context(certs, False, ssl.TLSVersion.TLSv1_2)))
    b.stop()
    b = ssl_broker(certs, **{"ssl.enabled.protocols": "TLSv1.2",
                             "ssl.cipher.suites": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}).start()
    ctx = tls_context(certs, False, ssl.TLSVersion.TLSv1_2)
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
    assert refused(lambda: tls_api_versions(b, ctx))
    ctx = tls_context(certs, False, ssl.TLSVersion.TLSv1_2)
    ctx.set_ciphers("ECDHE-RSA-AES256-GCM-SHA384")
    assert tls_api_versions(b, ctx) == 0
    b.stop()


def test_empty_cipher_suites_and_protocols():
    """an empty ssl.cipher.suites means the defaults; an empty ssl.enabled.protocols stops start-up"""
    certs = tls_certs.Certs(harness.tmpdir())
    b = ssl_broker(certs, **{"ssl.cipher.suites": ""}).start()
    assert tls_api_versions(b, tls_context(certs, False, ssl.TLSVersion.TLSv1_2)) == 0
    assert tls_api_versions(b, tls_context(certs, False, ssl.TLSVersion.TLSv1_3)) == 0
    b.stop()
    rc, err = run_broker("listeners=SSL://127.0.0.1:%d" % harness.free_port(),
                         "ssl.keystore.location=" + certs.server_keystore, "ssl.enabled.protocols=")
    assert rc != 0 and "ssl.enabled.protocols: the list is empty" in err, (rc, err)


def test_bad_ssl_settings_stop_start_up():
    """a wrong key password, a missing key store, a PEM store password or client auth without a trust store"""
    certs = tls_certs.Certs(harness.tmpdir())
    port = harness.free_port()
    listener = "listeners=SSL://127.0.0.1:%d" % port
    cases = [
        ([listener], "ssl.keystore.location: the SSL listener needs a key and certificate"),
        ([listener, "ssl.keystore.location=" + certs.server_keystore_enc, "ssl.key.password=wrong"],
         "check ssl.key.password"),
        ([listener, "ssl.keystore.location=" + certs.server_keystore_enc],
         "the key is encrypted: set ssl.key.password"),
        ([listener, "ssl.keystore.location=/nonexistent.pem"], "ssl.keystore.location: cannot open /nonexistent.pem"),
        ([listener, "ssl.keystore.location=" + certs.ca], "cannot read the private key"),
        ([listener, "ssl.keystore.location=" + certs.server_keystore, "ssl.keystore.password=x"],
         "ssl.keystore.password: not used with ssl.keystore.type=PEM"),
        ([listener, "ssl.keystore.location=" + certs.server_keystore, "ssl.client.auth=required"],
         "ssl.client.auth=required: client certificates need a trust store"),
        ([listener, "ssl.keystore.location=" + certs.server_keystore, "ssl.cipher.suites=TLS_NO_SUCH_SUITE"],
         "ssl.cipher.suites: TLS_NO_SUCH_SUITE is no cipher suite"),
        ([listener, "ssl.keystore.location=" + certs.server_keystore, "ssl.keystore.type=JKS"],
         "ssl.keystore.type"),
        ([listener, "ssl.keystore.location=" + certs.server_keystore, "ssl.enabled.protocols=TLSv1.1"],
         "ssl.enabled.protocols"),
        (["listeners=SSL://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d" % (port, port + 1),
          "ssl.keystore.location=" + certs.server_keystore, "process.roles=broker,controller", "node.id=1",
          "controller.listener.names=CONTROLLER", "inter.broker.listener.name=SSL",
          "controller.quorum.voters=1@127.0.0.1:%d" % (port + 1)],
         "speak only PLAINTEXT between themselves"),
    ]
    for overrides, message in cases:
        rc, err = run_broker(*overrides)
        assert rc != 0 and message in err, (overrides, rc, err)


if __name__ == "__main__":
    harness.main(globals())
