/*
 * sasl.h - SASL on SASL_PLAINTEXT and SASL_SSL listeners, as Kafka's
 * SaslServerAuthenticator: SaslHandshake (v1) and SaslAuthenticate (v0-2),
 * the mechanisms PLAIN (users from the listener's PlainLoginModule JAAS
 * config) and SCRAM-SHA-256/512 (RFC 5802/7677; credentials managed with
 * AlterUserScramCredentials and DescribeUserScramCredentials, kept in a
 * file of the first log dir), and re-authentication (KIP-368) within
 * connections.max.reauth.ms.
 *
 * Until a connection has authenticated, the only requests it may send are
 * ApiVersions, SaslHandshake and SaslAuthenticate; any other closes it, as
 * Kafka does.  A failed authentication is answered with
 * SASL_AUTHENTICATION_FAILED and Kafka's message, logged, and closed.
 *
 * The SASL APIs and the SCRAM credential APIs are advertised in ApiVersions
 * on a SASL listener only: a PLAINTEXT or SSL listener answers exactly as
 * it did before SASL existed.
 *
 * Threads: a sasl_server_t is shared by the network threads; its SCRAM
 * store is under its own lock (taken briefly, never with another held).
 * A connection's session lives on its worker thread.
 */
#ifndef CONNECTD_SASL_H
#define CONNECTD_SASL_H

#include <stdbool.h>

#include "handlers.h"

typedef struct sasl_server sasl_server_t;

/* The SASL side of the listener `listener` ("SASL_SSL") from cfg: its
 * mechanisms, PLAIN's users and the SCRAM store in `data_dir`; NULL with
 * errstr naming the key to fix.
 * @locality start-up  @locks none */
sasl_server_t *sasl_server_create(const broker_config_t *cfg, const char *listener, const char *data_dir, char *errstr,
                                  size_t errstr_size);
/* NULL is fine.  @locality shut-down, after the network threads  @locks none */
void sasl_server_destroy(sasl_server_t *sasl);

/* Handles `req` when it is SASL's business: a SASL or SCRAM credential API,
 * or any request of a connection that has not authenticated (or whose
 * session expired), which closes it.  True with *result set when it did;
 * false to dispatch as usual.
 * @locality the request's worker thread  @locks takes the store lock briefly */
bool sasl_dispatch(broker_ctx_t *ctx, kreq_t *req, req_result_t *result);

#endif
