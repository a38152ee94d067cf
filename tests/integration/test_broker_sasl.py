"""SASL on the broker's listeners (docs/security.md): SaslHandshake and
SaslAuthenticate as Kafka's, PLAIN with users from the listener's JAAS
config, SCRAM-SHA-256/512 with credentials made by AlterUserScramCredentials
(kept across restarts), SASL_SSL, re-authentication within
connections.max.reauth.ms, and the refusals: a wrong password, garbage in
the exchange, a request before authentication.  Clients: kcat,
confluent-kafka and raw frames (kproto).
"""

import base64
import hashlib
import hmac
import os
import sys
import time

# No __pycache__ in the source tree (it may be read-only, as in distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kproto  # noqa: E402
import tls_certs  # noqa: E402
from harness import Broker  # noqa: E402

SASL_HANDSHAKE, SASL_AUTHENTICATE = 17, 36
DESCRIBE_SCRAM, ALTER_SCRAM = 50, 51
SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM, RESOURCE_NOT_FOUND = 58, 33, 91
KAFKA_STORAGE_ERROR, DUPLICATE_RESOURCE, UNACCEPTABLE_CREDENTIAL = 56, 92, 93
JAAS = ('org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" '
        'password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";')


def sasl_broker(mechanisms="PLAIN", protocol="SASL_PLAINTEXT", **overrides):
    b = Broker()
    b.overrides["listeners"] = "%s://127.0.0.1:%d" % (protocol, b.port)
    b.overrides["sasl.enabled.mechanisms"] = mechanisms
    b.overrides["listener.name.%s.plain.sasl.jaas.config" % protocol.lower()] = JAAS
    b.overrides.update(overrides)
    return b


def client_conf(b, mechanism, user, password, protocol="SASL_PLAINTEXT"):
    return {"bootstrap.servers": b.bootstrap, "security.protocol": protocol, "sasl.mechanism": mechanism,
            "sasl.username": user, "sasl.password": password}


def kcat(b, conf, *args, input=None, extra=()):
    cmd = ["kcat", "-b", b.bootstrap, "-m", "10"]
    for k, v in conf.items():
        if k != "bootstrap.servers":
            cmd += ["-X", "%s=%s" % (k, v)]
    return harness.run(cmd + list(extra) + list(args), input=input, timeout=60, check=False)


def roundtrip(b, conf, topic, values, extra=()):
    res = kcat(b, conf, "-P", "-t", topic, input="\n".join(values).encode() + b"\n", extra=extra)
    assert res.returncode == 0, res.stderr.decode()
    res = kcat(b, conf, "-C", "-t", topic, "-o", "beginning", "-c", str(len(values)), "-e", "-q", "-f", "%s\\n",
               extra=extra)
    assert res.returncode == 0 and res.stdout.decode().splitlines() == values, (res.stdout, res.stderr)


def confluent_roundtrip(conf, topic, n):
    import confluent_kafka
    p = confluent_kafka.Producer(conf)
    for i in range(n):
        p.produce(topic, ("m%d" % i).encode())
    assert p.flush(30) == 0
    del p
    c = confluent_kafka.Consumer(dict(conf, **{"group.id": "g-" + topic, "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    got = []
    deadline = time.monotonic() + harness.DEFAULT_TIMEOUT
    while len(got) < n and time.monotonic() < deadline:
        m = c.poll(1.0)
        if m is not None:
            assert not m.error(), m.error()
            got.append(m.value())
    c.close()
    assert got == [("m%d" % i).encode() for i in range(n)], got


def refused(conf):
    """Whether a client with `conf` fails to get metadata because its authentication was refused: the client
    reports an authentication error, not any failure (a broker that is down, a timeout)."""
    import confluent_kafka
    import confluent_kafka.admin
    errors = []
    a = confluent_kafka.admin.AdminClient(dict(conf, **{"socket.timeout.ms": 5000, "error_cb": errors.append}))
    try:
        a.list_topics(timeout=8)
    except confluent_kafka.KafkaException as e:
        errors.append(e.args[0])
    else:
        return False
    a.poll(0)  # serves error_cb
    auth = (confluent_kafka.KafkaError._AUTHENTICATION, confluent_kafka.KafkaError.SASL_AUTHENTICATION_FAILED)
    assert any(e.code() in auth for e in errors), errors
    return True


def handshake(conn, mechanism):
    r = conn.request(SASL_HANDSHAKE, 1, kproto.string(mechanism))
    return r.i16(), r.array(lambda r: r.string())


def authenticate(conn, token, version=1):
    """SaslAuthenticate: (error, message, bytes, session lifetime)."""
    if version >= 2:
        body = kproto.uvarint(len(token) + 1) + token + kproto.TAGS
        r = conn.request_flex(SASL_AUTHENTICATE, version, body)
        return r.i16(), r.cstring(), r.cbytes(), r.i64()
    r = conn.request(SASL_AUTHENTICATE, version, kproto.nbytes(token))
    err, msg, data = r.i16(), r.string(), r.nbytes()
    return err, msg, data, (r.i64() if version >= 1 else None)


def plain_login(conn, user, password, version=1):
    err, mechs = handshake(conn, "PLAIN")
    assert err == 0, (err, mechs)
    return authenticate(conn, b"\0" + user.encode() + b"\0" + password.encode(), version)


def alter_scram(conn, deletions=(), upsertions=()):
    """AlterUserScramCredentials v0: {user: (error, message)}."""
    def dele(d):
        return kproto.compact_string(d[0]) + kproto.i8(d[1]) + kproto.TAGS

    def ups(u):
        name, mech, iterations, salt, salted = u
        return (kproto.compact_string(name) + kproto.i8(mech) + kproto.i32(iterations) +
                kproto.uvarint(len(salt) + 1) + salt + kproto.uvarint(len(salted) + 1) + salted + kproto.TAGS)
    body = kproto.compact_array(list(deletions), dele) + kproto.compact_array(list(upsertions), ups) + kproto.TAGS
    r = conn.request_flex(ALTER_SCRAM, 0, body)
    r.i32()
    out = {}
    for _ in range(r.uvarint() - 1):
        user, err, msg = r.cstring(), r.i16(), r.cstring()
        r.tags()
        out[user] = (err, msg)
    return out


def describe_scram(conn, users=None):
    body = kproto.compact_array(users, lambda u: kproto.compact_string(u) + kproto.TAGS) + kproto.TAGS
    r = conn.request_flex(DESCRIBE_SCRAM, 0, body)
    r.i32()
    assert r.i16() == 0
    r.cstring()
    out = {}
    for _ in range(r.uvarint() - 1):
        user, err, _msg = r.cstring(), r.i16(), r.cstring()
        infos = []
        for _ in range(r.uvarint() - 1):
            infos.append((r.i8(), r.i32()))
            r.tags()
        r.tags()
        out[user] = (err, sorted(infos))
    return out


def scram_upsertion(user, password, mech, iterations=4096):
    """What a client sends: the salt and SaltedPassword = Hi(password, salt, i)."""
    salt = os.urandom(16)
    name = "sha256" if mech == 1 else "sha512"
    return (user, mech, iterations, salt, hashlib.pbkdf2_hmac(name, password.encode(), salt, iterations))


def test_plain_kcat_confluent_and_refusals():
    """SASL_PLAINTEXT with PLAIN: good password served, bad password and unknown user refused and logged"""
    b = sasl_broker().start()
    conf = client_conf(b, "PLAIN", "alice", "alice-secret")
    roundtrip(b, conf, "sasl-kcat", ["1", "2", "3"])
    confluent_roundtrip(conf, "sasl-confluent", 20)
    assert refused(client_conf(b, "PLAIN", "alice", "wrong"))
    b.wait_stderr("SASL/PLAIN authentication failed: invalid password for user 'alice'")
    assert refused(client_conf(b, "PLAIN", "mallory", "x"))
    b.wait_stderr("invalid password for user 'mallory' (no such user)")
    with kproto.Conn(b.port) as conn:
        # ApiVersions before authentication lists the SASL APIs.
        apis = kproto.api_versions(conn)["apis"]
        assert apis[SASL_HANDSHAKE] == (0, 1) and apis[SASL_AUTHENTICATE] == (0, 2), apis
        assert apis[DESCRIBE_SCRAM] == (0, 0) and apis[ALTER_SCRAM] == (0, 0), apis
        err, msg, _, _ = plain_login(conn, "alice", "nope")
        assert err == SASL_AUTHENTICATION_FAILED and msg == "Authentication failed: Invalid username or password", \
            (err, msg)
        assert conn.closed_by_peer()[0]
    for version in (0, 1, 2):
        with kproto.Conn(b.port) as conn:
            err, msg, _, lifetime = plain_login(conn, "admin", "admin-secret", version)
            assert err == 0 and msg is None and lifetime in (None, 0), (version, err, msg, lifetime)
            assert kproto.metadata(conn) is not None
    b.stop()


def test_requests_before_authentication_and_garbage():
    """a request before authentication, an unknown mechanism and garbage tokens close the connection, logged"""
    b = sasl_broker("PLAIN,SCRAM-SHA-256").start()
    with kproto.Conn(b.port) as conn:
        conn.send(kproto.METADATA, 1, kproto.i32(-1))
        assert conn.closed_by_peer()[0]
    b.wait_stderr("Metadata request before SASL authentication")
    with kproto.Conn(b.port) as conn:
        err, mechs = handshake(conn, "GSSAPI")
        assert err == UNSUPPORTED_SASL_MECHANISM and sorted(mechs) == ["PLAIN", "SCRAM-SHA-256"], (err, mechs)
        assert conn.closed_by_peer()[0]
    with kproto.Conn(b.port) as conn:
        conn.send(SASL_AUTHENTICATE, 1, kproto.nbytes(b"\0admin\0admin-secret"))
        assert conn.closed_by_peer()[0]
    for mech, token in (("PLAIN", b"no-nuls-at-all"), ("PLAIN", b"\0a\0b\0c"), ("SCRAM-SHA-256", os.urandom(300)),
                        ("SCRAM-SHA-256", b"n,,n=alice"), ("SCRAM-SHA-256", b"p=tls-unique,,n=a,r=x")):
        with kproto.Conn(b.port) as conn:
            assert handshake(conn, mech)[0] == 0
            err, msg, _, _ = authenticate(conn, token)
            assert err == SASL_AUTHENTICATION_FAILED and msg, (mech, token, err, msg)
            assert conn.closed_by_peer()[0]
    b.wait_stderr("SASL/SCRAM-SHA-256 authentication failed")
    # Random frames at the port: logged closes, the broker lives on.
    for _ in range(20):
        with kproto.Conn(b.port) as conn:
            conn.send_raw(kproto.i32(64) + os.urandom(64))
            conn.closed_by_peer(10)
    with kproto.Conn(b.port) as conn:
        assert plain_login(conn, "admin", "admin-secret")[0] == 0
    b.stop()


def test_frames_before_authentication_are_capped():
    """before SASL authentication a frame over sasl.server.max.receive.size is a logged close; after, it is served"""
    b = sasl_broker().start()
    with kproto.Conn(b.port) as conn:
        conn.sock.sendall(kproto.i32(100 * 1024 * 1024))
        assert conn.closed_by_peer()[0]
    b.wait_stderr("request size 104857600 before SASL authentication is over 524288 (sasl.server.max.receive.size)")
    roundtrip(b, client_conf(b, "PLAIN", "alice", "alice-secret"), "big", ["x" * 600000, "y"])
    b.stop()


def test_scram_credentials_and_clients():
    """SCRAM-SHA-256/512 users made with AlterUserScramCredentials serve confluent-kafka and kcat, and persist"""
    b = sasl_broker("PLAIN,SCRAM-SHA-256,SCRAM-SHA-512").start()
    with kproto.Conn(b.port) as conn:
        assert plain_login(conn, "admin", "admin-secret")[0] == 0
        res = alter_scram(conn, upsertions=[scram_upsertion("alice", "alice-scram", 1),
                                            scram_upsertion("bob", "bob-scram", 2, 8192),
                                            scram_upsertion("bob", "bob-scram", 1)])
        assert res == {"alice": (0, None), "bob": (0, None)}, res
        assert describe_scram(conn) == {"alice": (0, [(1, 4096)]), "bob": (0, [(1, 4096), (2, 8192)])}
        got = describe_scram(conn, ["bob", "nobody"])
        assert got["bob"] == (0, [(1, 4096), (2, 8192)]) and got["nobody"][0] == RESOURCE_NOT_FOUND, got
        res = alter_scram(conn, upsertions=[scram_upsertion("carol", "c", 1, 100)])
        assert res["carol"][0] == 93, res  # UNACCEPTABLE_CREDENTIAL: too few iterations
    confluent_roundtrip(client_conf(b, "SCRAM-SHA-256", "alice", "alice-scram"), "scram256", 10)
    roundtrip(b, client_conf(b, "SCRAM-SHA-512", "bob", "bob-scram"), "scram512", ["p", "q"])
    assert refused(client_conf(b, "SCRAM-SHA-256", "alice", "wrong"))
    b.wait_stderr("SASL/SCRAM-SHA-256 authentication failed: invalid proof for user 'alice'")
    assert refused(client_conf(b, "SCRAM-SHA-512", "alice", "alice-scram"))  # alice has no SHA-512 credential
    # The credentials are kept across a restart; a deletion takes effect.
    b.restart()
    roundtrip(b, client_conf(b, "SCRAM-SHA-512", "bob", "bob-scram"), "scram512", ["p", "q"])
    with kproto.Conn(b.port) as conn:
        assert plain_login(conn, "admin", "admin-secret")[0] == 0
        assert alter_scram(conn, deletions=[("alice", 1)]) == {"alice": (0, None)}
        assert alter_scram(conn, deletions=[("alice", 1)])["alice"][0] == RESOURCE_NOT_FOUND
    assert refused(client_conf(b, "SCRAM-SHA-256", "alice", "alice-scram"))
    assert os.stat(os.path.join(b.data_dir, "scram-credentials")).st_mode & 0o777 == 0o600
    with open(os.path.join(b.data_dir, "scram-credentials")) as f:
        text = f.read()
    assert "bob-scram" not in text and "alice" not in text, text
    b.stop()


def test_scram_alteration_unsaved_is_not_answered_success():
    """A change of SCRAM credentials that cannot be written is undone and answered KAFKA_STORAGE_ERROR"""
    b = sasl_broker("PLAIN,SCRAM-SHA-256").start()
    tmp = os.path.join(b.data_dir, "scram-credentials.tmp")
    with kproto.Conn(b.port) as conn:
        assert plain_login(conn, "admin", "admin-secret")[0] == 0
        assert alter_scram(conn, upsertions=[scram_upsertion("alice", "pw", 1)])["alice"][0] == 0
        os.mkdir(tmp)  # the file cannot be written, as on a full disk
        res = alter_scram(conn, deletions=[("alice", 1)], upsertions=[scram_upsertion("bob", "pw", 1)])
        assert res["alice"][0] == KAFKA_STORAGE_ERROR and res["bob"][0] == KAFKA_STORAGE_ERROR, res
        b.wait_stderr("the change of SCRAM credentials is not kept")
        assert describe_scram(conn) == {"alice": (0, [(1, 4096)])}
        os.rmdir(tmp)
    b.restart()
    with kproto.Conn(b.port) as conn:
        assert scram_login(conn, "alice", "pw")[0] == 0
    b.stop()


def test_scram_big_requests_are_answered():
    """Alter and Describe requests of thousands of users are answered; other clients are served meanwhile"""
    b = sasl_broker("PLAIN,SCRAM-SHA-256").start()
    n = 20000
    with kproto.Conn(b.port) as conn, kproto.Conn(b.port) as other:
        assert plain_login(conn, "admin", "admin-secret")[0] == 0
        assert plain_login(other, "admin", "admin-secret")[0] == 0
        res = alter_scram(conn, deletions=[("u%d" % i, 1) for i in range(n)])
        assert len(res) == n and all(e == RESOURCE_NOT_FOUND for e, _ in res.values())
        same = scram_upsertion("dup", "pw", 1)
        res = alter_scram(conn, upsertions=[same] * n)
        assert res == {"dup": (DUPLICATE_RESOURCE, "A user credential cannot be altered twice in the same request")}
        got = describe_scram(conn, ["u%d" % (i % (n // 2)) for i in range(n)])
        assert len(got) == n // 2 and all(e == DUPLICATE_RESOURCE for e, _ in got.values())
        kproto.metadata(other)
    b.stop()


def test_scram_user_names_over_255_bytes_are_refused():
    """A user name the credentials file cannot keep is refused; the broker restarts with the others"""
    b = sasl_broker("PLAIN,SCRAM-SHA-256").start()
    with kproto.Conn(b.port) as conn:
        assert plain_login(conn, "admin", "admin-secret")[0] == 0
        res = alter_scram(conn, upsertions=[scram_upsertion("x" * 256, "pw", 1), scram_upsertion("y" * 255, "pw", 1)])
        assert res["x" * 256] == (UNACCEPTABLE_CREDENTIAL, "Username must not be longer than 255 bytes"), res
        assert res["y" * 255] == (0, None), res
    b.restart()
    with kproto.Conn(b.port) as conn:
        assert scram_login(conn, "y" * 255, "pw")[0] == 0
    b.stop()


def scram_login(conn, user, password, mech="SCRAM-SHA-256"):
    """A SCRAM exchange by hand (RFC 5802); returns the last SaslAuthenticate answer."""
    name = "sha256" if mech == "SCRAM-SHA-256" else "sha512"
    assert handshake(conn, mech)[0] == 0
    cnonce = base64.b64encode(os.urandom(12)).decode()
    first_bare = "n=%s,r=%s" % (user, cnonce)
    err, msg, server_first, _ = authenticate(conn, ("n,," + first_bare).encode())
    assert err == 0, (err, msg)
    attrs = dict(kv.split("=", 1) for kv in server_first.decode().split(","))
    salted = hashlib.pbkdf2_hmac(name, password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    final_wo_proof = "c=biws,r=" + attrs["r"]
    auth = ",".join([first_bare, server_first.decode(), final_wo_proof]).encode()
    client_key = hmac.new(salted, b"Client Key", name).digest()
    stored = hashlib.new(name, client_key).digest()
    sig = hmac.new(stored, auth, name).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, sig))
    res = authenticate(conn, (final_wo_proof + ",p=" + base64.b64encode(proof).decode()).encode())
    if res[0] == 0:
        server_key = hmac.new(salted, b"Server Key", name).digest()
        expected = "v=" + base64.b64encode(hmac.new(server_key, auth, name).digest()).decode()
        assert res[2].decode() == expected, (res, expected)
    return res


def test_reauthentication_and_session_lifetime():
    """connections.max.reauth.ms: told as the session lifetime; re-authentication renews, expiry closes"""
    b = sasl_broker("PLAIN,SCRAM-SHA-256", **{"connections.max.reauth.ms": "3000"}).start()
    with kproto.Conn(b.port) as conn:
        assert plain_login(conn, "admin", "admin-secret")[0] == 0
        assert alter_scram(conn, upsertions=[scram_upsertion("alice", "pw", 1)])["alice"][0] == 0
    with kproto.Conn(b.port) as conn:
        err, _, _, lifetime = scram_login(conn, "alice", "pw")
        assert err == 0 and lifetime == 3000, (err, lifetime)
        kproto.metadata(conn)
        # Re-authentication (KIP-368) on the same connection, same principal.
        err, _, _, lifetime = scram_login(conn, "alice", "pw")
        assert err == 0 and lifetime == 3000
        kproto.metadata(conn)
        time.sleep(3.5)  # past the session's end, whatever the machine's speed
        conn.send(kproto.METADATA, 1, kproto.i32(-1))
        assert conn.closed_by_peer()[0]
    b.wait_stderr("SASL session of User:alice expired")
    with kproto.Conn(b.port) as conn:
        # A late re-authentication: its SaslHandshake closes the expired session too.
        assert scram_login(conn, "alice", "pw")[0] == 0
        time.sleep(3.5)
        conn.send(SASL_HANDSHAKE, 1, kproto.string("SCRAM-SHA-256"))
        assert conn.closed_by_peer()[0]
    harness.wait_for(lambda: b.stderr().count("SASL session of User:alice expired") == 2, what="second expiry log")
    with kproto.Conn(b.port) as conn:
        assert scram_login(conn, "alice", "pw")[0] == 0
        # A re-authentication keeps its mechanism (KIP-368).
        err, mechs = handshake(conn, "PLAIN")
        assert err == UNSUPPORTED_SASL_MECHANISM, (err, mechs)
        assert conn.closed_by_peer()[0]
    with kproto.Conn(b.port) as conn:
        # SaslHandshake v0 (raw tokens after it) is refused, not half-served.
        r = conn.request(SASL_HANDSHAKE, 0, kproto.string("PLAIN"))
        assert r.i16() == 35
        assert conn.closed_by_peer()[0]
    b.stop()


def test_sasl_ssl():
    """SASL_SSL: PLAIN over TLS with kcat and confluent-kafka"""
    certs = tls_certs.Certs(harness.tmpdir())
    b = sasl_broker(protocol="SASL_SSL", **{"ssl.keystore.location": certs.server_keystore}).start()
    conf = dict(client_conf(b, "PLAIN", "alice", "alice-secret", "SASL_SSL"), **{"ssl.ca.location": certs.ca})
    roundtrip(b, conf, "sasl-ssl", ["s1", "s2"])
    confluent_roundtrip(conf, "sasl-ssl-c", 5)
    assert refused(dict(conf, **{"sasl.password": "wrong"}))
    b.wait_stderr("SASL/PLAIN authentication failed: invalid password for user 'alice'")
    b.stop()


def test_worker_file_connectors_over_sasl_ssl():
    """a standalone worker against an external SASL_SSL broker: internal topics and file connectors end to end"""
    certs = tls_certs.Certs(harness.tmpdir())
    b = sasl_broker("PLAIN,SCRAM-SHA-512", protocol="SASL_SSL",
                    **{"ssl.keystore.location": certs.server_keystore}).start()
    with kproto.Conn(b.port) as conn:
        conn.sock = tls_context(certs).wrap_socket(conn.sock, server_hostname="127.0.0.1")
        assert plain_login(conn, "admin", "admin-secret")[0] == 0
        assert alter_scram(conn, upsertions=[scram_upsertion("connect", "connect-pw", 2)])["connect"][0] == 0
    tmp = harness.tmpdir()
    src, sink = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
    open(src, "w").close()
    files = []
    for name, conf in (("source", "connector.class=FileStreamSource\nfile=%s\ntopic=secured\n" % src),
                       ("sink", "connector.class=FileStreamSink\nfile=%s\ntopics=secured\n" % sink)):
        path = os.path.join(tmp, name + ".properties")
        with open(path, "w") as f:
            f.write("name=file-%s\ntasks.max=1\n%s" % (name, conf))
        files.append(path)
    librdkafka_keys = {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
                       "sasl.username": "connect", "sasl.password": "connect-pw", "ssl.ca.location": certs.ca}
    # A Kafka Connect worker file's keys, as Java clients name them.
    kafka_keys = {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
                  "sasl.jaas.config": 'org.apache.kafka.common.security.scram.ScramLoginModule required '
                                      'username="connect" password="connect-pw";',
                  "ssl.truststore.type": "PEM", "ssl.truststore.location": certs.ca}
    overrides = {"bootstrap.servers": b.bootstrap}
    # The worker's own clients take the unprefixed keys, its tasks' the prefixed ones, as Kafka Connect's.
    overrides.update(kafka_keys)
    overrides.update({"producer." + k: v for k, v in librdkafka_keys.items()})
    overrides.update({"consumer." + k: v for k, v in kafka_keys.items()})
    w = harness.Worker(files, overrides=overrides).start()
    with open(src, "a") as f:
        f.write("over\nTLS\nand SCRAM\n")
    harness.wait_for(lambda: harness.read_or_empty(sink) == b"over\nTLS\nand SCRAM\n", what="the file pipeline")
    assert "unknown worker config" not in w.stderr() and "is ignored" not in w.stderr(), w.stderr()
    # A REST client cannot make the worker read a file through Kafka's
    # name of ssl.ca.location either.
    status, answer = harness.http(w, "POST", "/connectors", {"name": "steal", "config": {
        "connector.class": "FileStreamSource", "file": src, "topic": "x",
        "producer.override.ssl.truststore.location": "/etc/shadow"}})
    assert status == 400 and "ssl.truststore.location" in answer["message"], (status, answer)
    assert harness.http(w, "GET", "/connectors/steal")[0] == 404
    w.stop()
    # connectctl --command-config takes the same Kafka client file as Kafka's tools.
    command_config = os.path.join(tmp, "client.properties")
    with open(command_config, "w") as f:
        f.write("".join("%s=%s\n" % kv for kv in kafka_keys.items()))
    rc, out, err = harness.ctl(b, "topics", "--list", "--command-config", command_config)
    assert rc == 0 and "secured" in out.split(), (rc, out, err)
    with open(command_config, "a") as f:
        f.write("ssl.keystore.type=JKS\n")
    rc, out, err = harness.ctl(b, "topics", "--list", "--command-config", command_config, check=False)
    assert rc != 0 and "ssl.keystore.type=JKS cannot be read by librdkafka" in err, (rc, out, err)
    b.stop()


def tls_context(certs):
    import ssl
    return ssl.create_default_context(cafile=certs.ca)


def test_bad_sasl_settings_stop_start_up():
    """no PLAIN users, an unsupported mechanism, a malformed JAAS config: start-up stops naming the key"""
    port = harness.free_port()
    listener = "listeners=SASL_PLAINTEXT://127.0.0.1:%d" % port
    cases = [
        ([listener, "sasl.enabled.mechanisms=PLAIN"], "listener.name.sasl_plaintext.plain.sasl.jaas.config: PLAIN "
         "needs its users"),
        ([listener, "sasl.enabled.mechanisms=OAUTHBEARER"], "sasl.enabled.mechanisms: OAUTHBEARER is not supported"),
        ([listener, "sasl.enabled.mechanisms=PLAIN",
          "listener.name.sasl_plaintext.plain.sasl.jaas.config=com.example.Other required;"],
         "expected org.apache.kafka.common.security.plain.PlainLoginModule"),
        ([listener, "sasl.enabled.mechanisms=PLAIN",
          "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain."
          "PlainLoginModule required user_a=\"unterminated;"], "the value of user_a is malformed"),
    ]
    for overrides, message in cases:
        cmd = [harness.connectd_path(), "broker", harness.sample_properties(),
               "--override", "log.dirs=" + os.path.join(harness.tmpdir(), "data")]
        for o in overrides:
            cmd += ["--override", o]
        res = harness.run(cmd, check=False)
        err = res.stderr.decode("utf-8", "replace")
        assert res.returncode != 0 and message in err, (overrides, res.returncode, err)


if __name__ == "__main__":
    harness.main(globals())
