/*
 * tls.h - TLS for the broker's SSL listeners: OpenSSL over memory BIOs, so
 * the libuv loops of server.c move the bytes and nothing blocks or needs a
 * thread of its own.
 *
 * A tls_server_t is the listener's SSL_CTX, built once at start-up from the
 * ssl.* keys (with their listener.name.<name>. overrides), as Kafka's
 * DefaultSslEngineFactory reads them: a PEM keystore (a file, or inline
 * ssl.keystore.key and ssl.keystore.certificate.chain), a PEM truststore,
 * ssl.client.auth, ssl.enabled.protocols and ssl.cipher.suites.  Anything
 * it cannot honour stops start-up with a message naming the key.
 *
 * A tls_conn_t is one connection's TLS state: ciphertext read from the
 * socket goes in with tls_conn_feed, plaintext comes out of tls_conn_read
 * (which drives the handshake), plaintext responses go in with
 * tls_conn_write, and the ciphertext to send (handshake records, alerts,
 * responses) is taken with tls_conn_take_output.
 *
 * Threads: a tls_server_t is read-only once created and is shared by the
 * worker threads; a tls_conn_t belongs to its connection's worker thread.
 */
#ifndef CONNECTD_TLS_H
#define CONNECTD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/broker_config.h"

typedef struct tls_server tls_server_t;
typedef struct tls_conn tls_conn_t;

/* The TLS context of the listener `listener` ("SSL") from cfg's ssl.* keys,
 * or NULL with errstr saying what to fix ("ssl.keystore.location: cannot
 * read the private key of /etc/k.pem: bad decrypt; check ssl.key.password").
 * @locality start-up, before the server runs  @locks none */
tls_server_t *tls_server_create(const broker_config_t *cfg, const char *listener, char *errstr, size_t errstr_size);
/* NULL is fine.  @locality shut-down, after every connection is freed  @locks none */
void tls_server_destroy(tls_server_t *tls);
/* Whether clients must present a certificate (ssl.client.auth=required).
 * @locality any thread  @locks none (read-only) */
bool tls_server_client_auth_required(const tls_server_t *tls);

/* A connection in server mode.  Never NULL (aborts on OOM).
 * @locality the connection's worker thread  @locks none (for every tls_conn_ function) */
tls_conn_t *tls_conn_create(tls_server_t *tls);
void tls_conn_destroy(tls_conn_t *conn);

/* Ciphertext read from the socket. */
void tls_conn_feed(tls_conn_t *conn, const uint8_t *data, size_t len);

typedef enum tls_result {
    TLS_OK,     /* *n bytes of plaintext were read */
    TLS_AGAIN,  /* nothing more until more ciphertext comes (the handshake may have progressed) */
    TLS_CLOSED, /* the peer sent close_notify */
    TLS_FAILED, /* a handshake or record failure: tls_conn_error says what */
} tls_result_t;

/* Reads up to `cap` bytes of plaintext into buf, driving the handshake. */
tls_result_t tls_conn_read(tls_conn_t *conn, uint8_t *buf, size_t cap, size_t *n);
/* Encrypts plaintext for the peer; false (TLS_FAILED's error set) if the
 * session cannot take it. */
bool tls_conn_write(tls_conn_t *conn, const uint8_t *data, size_t len);
/* The ciphertext waiting to be sent, malloc'd into *out (NULL and 0 when
 * there is none); the caller frees it. */
size_t tls_conn_take_output(tls_conn_t *conn, uint8_t **out);
/* Why the last TLS_FAILED happened, for the log ("wrong version number",
 * "peer did not return a certificate"). */
const char *tls_conn_error(const tls_conn_t *conn);
/* Whether the handshake is done. */
bool tls_conn_established(const tls_conn_t *conn);
/* The principal the client's certificate gives, as Kafka's default
 * principal builder ("User:CN=client,O=Example", the subject in RFC 2253
 * order), or NULL without a certificate.  Valid once established. */
const char *tls_conn_principal(const tls_conn_t *conn);

#endif
