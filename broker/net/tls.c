/*
 * tls.c - the broker's TLS: an SSL_CTX from Kafka's ssl.* keys, and one SSL
 * per connection between two memory BIOs; see tls.h.
 *
 * Kafka's rules kept here (DefaultSslEngineFactory): a PEM key store takes
 * no ssl.keystore.password (only ssl.key.password, for an encrypted key)
 * and a PEM trust store no ssl.truststore.password; the key store is a file
 * or the two inline keys, never both; ssl.client.auth=required needs a
 * trust store to check certificates against.
 */
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "blog.h"

struct tls_server {
    SSL_CTX *ctx;
    bool client_auth_required;
};

struct tls_conn {
    SSL *ssl;
    BIO *in;  /* ciphertext from the peer; owned by ssl */
    BIO *out; /* ciphertext for the peer; owned by ssl */
    char error[256];
    char *principal; /* NULL without a client certificate */
    bool principal_known;
};

/* The reason of the oldest queued OpenSSL error ("bad decrypt"), clearing
 * the queue; `fallback` when there is none. */
static const char *ssl_reason(char *buf, size_t size, const char *fallback)
{
    unsigned long err = ERR_get_error();
    const char *reason = err ? ERR_reason_error_string(err) : NULL;
    if (reason) {
        snprintf(buf, size, "%s", reason);
    } else if (err) {
        ERR_error_string_n(err, buf, size);
    } else {
        snprintf(buf, size, "%s", fallback);
    }
    ERR_clear_error();
    return buf;
}

/* ---- the context ---------------------------------------------------------- */

static int key_password_cb(char *buf, int size, int rwflag, void *u)
{
    const char *password = u;
    if (!password) {
        return -1; /* an encrypted key without ssl.key.password: fails as "bad decrypt" */
    }
    int n = (int)strlen(password);
    if (n > size) {
        return -1;
    }
    memcpy(buf, password, (size_t)n);
    return n;
}

/* The PEM text of a file or an inline key, in a memory BIO. */
static BIO *pem_open(const char *location, const char *inline_text)
{
    return location ? BIO_new_file(location, "r") : BIO_new_mem_buf(inline_text, -1);
}

/* The private key and certificate chain: ssl.keystore.location, or
 * ssl.keystore.key with ssl.keystore.certificate.chain. */
static bool keystore_load(SSL_CTX *ctx, const broker_config_t *cfg, const char *listener, char *errstr,
                          size_t errstr_size)
{
    const char *location = broker_config_listener_text(cfg, listener, "ssl.keystore.location");
    const char *key = broker_config_listener_text(cfg, listener, "ssl.keystore.key");
    const char *chain = broker_config_listener_text(cfg, listener, "ssl.keystore.certificate.chain");
    const char *key_password = broker_config_listener_text(cfg, listener, "ssl.key.password");
    char why[200];
    if (broker_config_listener_text(cfg, listener, "ssl.keystore.password")) {
        snprintf(errstr, errstr_size,
                 "ssl.keystore.password: not used with ssl.keystore.type=PEM (as in Kafka); "
                 "remove it, and give an encrypted key's password as ssl.key.password");
        return false;
    }
    if (location && (key || chain)) {
        snprintf(errstr, errstr_size,
                 "ssl.keystore.location: give either a key store file or ssl.keystore.key "
                 "with ssl.keystore.certificate.chain, not both");
        return false;
    }
    if (!location && (!key || !chain)) {
        snprintf(errstr, errstr_size,
                 "ssl.keystore.location: the %s listener needs a key and certificate: set "
                 "ssl.keystore.location to a PEM file (or ssl.keystore.key and ssl.keystore.certificate.chain)",
                 listener);
        return false;
    }
    const char *what = location ? location : "ssl.keystore.key";
    const char *key_name = location ? "ssl.keystore.location" : "ssl.keystore.key";
    const char *chain_name = location ? "ssl.keystore.location" : "ssl.keystore.certificate.chain";
    BIO *bio = pem_open(location, key);
    if (!bio) {
        snprintf(errstr, errstr_size, "ssl.keystore.location: cannot open %s: %s", location,
                 ssl_reason(why, sizeof(why), "unreadable"));
        return false;
    }
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, key_password_cb, (void *)key_password);
    BIO_free(bio);
    if (!pkey) {
        ssl_reason(why, sizeof(why), "no private key found");
        /* Without a password the callback's refusal reads "interrupted or
         * cancelled"; with a wrong one, "bad decrypt". */
        const char *hint = !key_password && strstr(why, "cancel") ? "the key is encrypted: set ssl.key.password"
                           : strstr(why, "decrypt")               ? "check ssl.key.password"
                                                                  : "it must hold a PEM private key";
        snprintf(errstr, errstr_size, "%s: cannot read the private key of %s: %s; %s", key_name, what, why, hint);
        return false;
    }
    bool ok = SSL_CTX_use_PrivateKey(ctx, pkey) == 1;
    EVP_PKEY_free(pkey);
    bio = pem_open(location, chain);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    if (!ok || !cert) {
        snprintf(errstr, errstr_size,
                 "%s: no certificate in %s: %s; it must hold the PEM certificate chain, the "
                 "listener's certificate first",
                 chain_name, location ? location : chain_name, ssl_reason(why, sizeof(why), "none found"));
        BIO_free(bio);
        return false;
    }
    ok = SSL_CTX_use_certificate(ctx, cert) == 1;
    X509_free(cert);
    while (ok && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
        ok = SSL_CTX_add0_chain_cert(ctx, cert) == 1;
        if (!ok) {
            X509_free(cert);
        }
    }
    BIO_free(bio);
    ERR_clear_error(); /* the chain ends with "no start line" */
    if (!ok || SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(errstr, errstr_size, "%s: the private key does not match the certificate in %s: %s", key_name, what,
                 ssl_reason(why, sizeof(why), "mismatch"));
        return false;
    }
    return true;
}

/* The certificate authorities client certificates are checked against:
 * ssl.truststore.location or ssl.truststore.certificates; false without
 * one (errstr says so only on a real error). */
static bool truststore_load(SSL_CTX *ctx, const broker_config_t *cfg, const char *listener, bool *have, char *errstr,
                            size_t errstr_size)
{
    const char *location = broker_config_listener_text(cfg, listener, "ssl.truststore.location");
    const char *certs = broker_config_listener_text(cfg, listener, "ssl.truststore.certificates");
    char why[200];
    *have = false;
    if (broker_config_listener_text(cfg, listener, "ssl.truststore.password")) {
        snprintf(errstr, errstr_size,
                 "ssl.truststore.password: not used with ssl.truststore.type=PEM (as in "
                 "Kafka); remove it");
        return false;
    }
    if (location && certs) {
        snprintf(errstr, errstr_size,
                 "ssl.truststore.location: give either a trust store file or "
                 "ssl.truststore.certificates, not both");
        return false;
    }
    if (!location && !certs) {
        return true;
    }
    const char *key = location ? "ssl.truststore.location" : "ssl.truststore.certificates";
    BIO *bio = pem_open(location, certs);
    if (!bio) {
        snprintf(errstr, errstr_size, "%s: cannot open %s: %s", key, location,
                 ssl_reason(why, sizeof(why), "unreadable"));
        return false;
    }
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
    size_t n = 0;
    X509 *cert;
    while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
        X509_STORE_add_cert(store, cert);
        X509_NAME *name = X509_NAME_dup(X509_get_subject_name(cert));
        if (name) {
            sk_X509_NAME_push(names, name);
        }
        X509_free(cert);
        n++;
    }
    BIO_free(bio);
    ERR_clear_error();
    if (n == 0) {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        snprintf(errstr, errstr_size, "%s: no PEM certificate in %s", key, location ? location : key);
        return false;
    }
    SSL_CTX_set_client_CA_list(ctx, names); /* told to clients asked for a certificate */
    *have = true;
    return true;
}

/* ssl.enabled.protocols: the versions between the lowest and the highest;
 * none (an empty list) would leave the listener refusing every client. */
static bool protocols_set(SSL_CTX *ctx, const char *list, char *errstr, size_t errstr_size)
{
    bool v12 = strstr(list, "TLSv1.2") != NULL, v13 = strstr(list, "TLSv1.3") != NULL;
    if (!v12 && !v13) {
        snprintf(errstr, errstr_size, "ssl.enabled.protocols: the list is empty; give TLSv1.2, TLSv1.3 or both");
        return false;
    }
    SSL_CTX_set_min_proto_version(ctx, v12 ? TLS1_2_VERSION : TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, v13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    return true;
}

/* ssl.cipher.suites by IANA name, as Java names them: TLSv1.3 suites go to
 * SSL_CTX_set_ciphersuites, the others are found by OpenSSL's standard
 * name and set by OpenSSL's own. */
static bool ciphers_set(SSL_CTX *ctx, const char *list, char *errstr, size_t errstr_size)
{
    char tls12[2048] = "", tls13[512] = "";
    SSL *probe = SSL_new(ctx);
    if (!probe || SSL_set_cipher_list(probe, "ALL:COMPLEMENTOFALL") != 1) {
        SSL_free(probe);
        snprintf(errstr, errstr_size, "ssl.cipher.suites: OpenSSL lists no cipher suites");
        return false;
    }
    STACK_OF(SSL_CIPHER) *all = SSL_get_ciphers(probe);
    bool ok = true;
    for (const char *item = list; ok && *item;) {
        size_t len = strcspn(item, ",");
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)len, item);
        if (strncmp(name, "TLS_AES_", 8) == 0 || strncmp(name, "TLS_CHACHA20_", 13) == 0) {
            snprintf(tls13 + strlen(tls13), sizeof(tls13) - strlen(tls13), "%s%s", tls13[0] ? ":" : "", name);
        } else {
            const char *openssl_name = NULL;
            for (int i = 0; i < sk_SSL_CIPHER_num(all) && !openssl_name; i++) {
                const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
                const char *standard = SSL_CIPHER_standard_name(c);
                if (standard && strcmp(standard, name) == 0) {
                    openssl_name = SSL_CIPHER_get_name(c);
                }
            }
            if (!openssl_name) {
                snprintf(errstr, errstr_size,
                         "ssl.cipher.suites: %s is no cipher suite OpenSSL knows (give IANA "
                         "names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
                         name);
                ok = false;
            } else {
                snprintf(tls12 + strlen(tls12), sizeof(tls12) - strlen(tls12), "%s%s", tls12[0] ? ":" : "",
                         openssl_name);
            }
        }
        item += len + (item[len] == ',');
    }
    SSL_free(probe);
    if (!ok) {
        return false;
    }
    char why[200];
    if (SSL_CTX_set_ciphersuites(ctx, tls13) != 1 || (tls12[0] && SSL_CTX_set_cipher_list(ctx, tls12) != 1)) {
        snprintf(errstr, errstr_size, "ssl.cipher.suites: OpenSSL refuses '%s': %s", list,
                 ssl_reason(why, sizeof(why), "refused"));
        return false;
    }
    if (!tls12[0]) {
        /* Only TLSv1.3 suites: as with Java, TLSv1.2 has none left. */
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    }
    return true;
}

tls_server_t *tls_server_create(const broker_config_t *cfg, const char *listener, char *errstr, size_t errstr_size)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        abort();
    }
    /* No renegotiation (a TLSv1.2 client could otherwise make the server
     * redo handshakes at will), no session tickets to keep keys for, and no
     * session cache: resuming a session would skip the client certificate's
     * check, which OpenSSL refuses without a session id context anyway. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    bool have_trust = false;
    const char *auth = broker_config_listener_text(cfg, listener, "ssl.client.auth");
    const char *suites = broker_config_listener_text(cfg, listener, "ssl.cipher.suites");
    /* An empty ssl.cipher.suites is OpenSSL's defaults, as Kafka's is the JVM's. */
    if (!protocols_set(ctx, broker_config_listener_text(cfg, listener, "ssl.enabled.protocols"), errstr, errstr_size) ||
        !keystore_load(ctx, cfg, listener, errstr, errstr_size) ||
        !truststore_load(ctx, cfg, listener, &have_trust, errstr, errstr_size) ||
        (suites && suites[0] && !ciphers_set(ctx, suites, errstr, errstr_size))) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    bool required = strcmp(auth, "required") == 0;
    if (strcmp(auth, "none") != 0) {
        if (!have_trust) {
            snprintf(errstr, errstr_size,
                     "ssl.client.auth=%s: client certificates need a trust store to be checked "
                     "against; set ssl.truststore.location",
                     auth);
            SSL_CTX_free(ctx);
            return NULL;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), NULL);
    }
    tls_server_t *tls = calloc(1, sizeof(*tls));
    if (!tls) {
        abort();
    }
    tls->ctx = ctx;
    tls->client_auth_required = required;
    return tls;
}

void tls_server_destroy(tls_server_t *tls)
{
    if (!tls) {
        return;
    }
    SSL_CTX_free(tls->ctx);
    free(tls);
}

bool tls_server_client_auth_required(const tls_server_t *tls)
{
    return tls->client_auth_required;
}

/* ---- connections ---------------------------------------------------------- */

tls_conn_t *tls_conn_create(tls_server_t *tls)
{
    tls_conn_t *conn = calloc(1, sizeof(*conn));
    if (!conn || !(conn->ssl = SSL_new(tls->ctx)) || !(conn->in = BIO_new(BIO_s_mem())) ||
        !(conn->out = BIO_new(BIO_s_mem()))) {
        abort();
    }
    /* An empty input BIO means "more to come", not end of file. */
    BIO_set_mem_eof_return(conn->in, -1);
    SSL_set_bio(conn->ssl, conn->in, conn->out);
    SSL_set_accept_state(conn->ssl);
    return conn;
}

void tls_conn_destroy(tls_conn_t *conn)
{
    if (!conn) {
        return;
    }
    SSL_free(conn->ssl);
    free(conn->principal);
    free(conn);
}

void tls_conn_feed(tls_conn_t *conn, const uint8_t *data, size_t len)
{
    if (len > 0 && BIO_write(conn->in, data, (int)len) != (int)len) {
        abort(); /* a memory BIO fails only for want of memory */
    }
}

/* The principal of the peer's certificate, as Kafka's default principal
 * builder: "User:" and X500Principal.getName(), the RFC 2253 subject. */
static void principal_set(tls_conn_t *conn)
{
    conn->principal_known = true;
    X509 *peer = SSL_get1_peer_certificate(conn->ssl);
    if (!peer) {
        return;
    }
    BIO *bio = BIO_new(BIO_s_mem());
    BIO_puts(bio, "User:");
    X509_NAME_print_ex(bio, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *text;
    long n = BIO_get_mem_data(bio, &text);
    conn->principal = strndup(text, (size_t)n);
    BIO_free(bio);
    X509_free(peer);
}

/* Why the session failed, with the certificate check's verdict when that
 * is what failed. */
static void error_set(tls_conn_t *conn, int ssl_error)
{
    char why[200];
    if (ssl_error == SSL_ERROR_SYSCALL) {
        snprintf(why, sizeof(why), "unexpected end of the TLS stream");
        ERR_clear_error();
    } else {
        ssl_reason(why, sizeof(why), "TLS failure");
    }
    long verify = SSL_get_verify_result(conn->ssl);
    if (verify != X509_V_OK) {
        snprintf(conn->error, sizeof(conn->error), "%s (client certificate: %s)", why,
                 X509_verify_cert_error_string(verify));
    } else {
        snprintf(conn->error, sizeof(conn->error), "%s", why);
    }
}

tls_result_t tls_conn_read(tls_conn_t *conn, uint8_t *buf, size_t cap, size_t *n)
{
    ERR_clear_error();
    int rc = SSL_read(conn->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
    if (rc > 0) {
        if (!conn->principal_known) {
            principal_set(conn);
        }
        *n = (size_t)rc;
        return TLS_OK;
    }
    int err = SSL_get_error(conn->ssl, rc);
    if (SSL_is_init_finished(conn->ssl) && !conn->principal_known) {
        principal_set(conn);
    }
    switch (err) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: /* the output BIO grows: never, but harmless */
        return TLS_AGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return TLS_CLOSED;
    default:
        error_set(conn, err);
        return TLS_FAILED;
    }
}

bool tls_conn_write(tls_conn_t *conn, const uint8_t *data, size_t len)
{
    ERR_clear_error();
    while (len > 0) {
        int chunk = len > (1u << 30) ? 1 << 30 : (int)len;
        int rc = SSL_write(conn->ssl, data, chunk);
        if (rc <= 0) {
            error_set(conn, SSL_get_error(conn->ssl, rc));
            return false;
        }
        data += rc;
        len -= (size_t)rc;
    }
    return true;
}

size_t tls_conn_take_output(tls_conn_t *conn, uint8_t **out)
{
    size_t n = BIO_ctrl_pending(conn->out);
    *out = NULL;
    if (n == 0) {
        return 0;
    }
    *out = malloc(n);
    if (!*out || BIO_read(conn->out, *out, (int)n) != (int)n) {
        abort();
    }
    return n;
}

const char *tls_conn_error(const tls_conn_t *conn)
{
    return conn->error;
}

bool tls_conn_established(const tls_conn_t *conn)
{
    return SSL_is_init_finished(conn->ssl);
}

const char *tls_conn_principal(const tls_conn_t *conn)
{
    return conn->principal;
}
