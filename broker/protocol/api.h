/*
 * api.h - the one table of the Kafka APIs this broker speaks.
 *
 * One row per API: key, name, version range and first flexible version.
 * ApiVersions advertises the ranges, the request header decoder asks the
 * flexible column, log lines and metrics take the names, and the dispatch
 * table of handlers/ adds the handler of each row (test_handlers checks that
 * it covers exactly these keys).  Adding an API is adding its key and codec
 * to proto.h, a row here, and its handler with its row in handlers.c.
 *
 * The ranges start where reference/kafka-protocol.md §0 says clients need
 * them and reach the newest versions librdkafka 2.x, the Java clients 3.x
 * and kafkajs use (issue 21): clients pick min(their max, our max), and
 * librdkafka enables features (MsgVer2, ZSTD, idempotence) only when
 * specific versions fall inside our ranges, so the minimums matter as much
 * as the maximums.  A version outside a range
 * makes the connection close, as Kafka does.
 *
 * Pure functions over a constant table: @locality any thread, @locks none.
 */
#ifndef CONNECTD_API_H
#define CONNECTD_API_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

/* The table, sorted by key; `*n` receives its length.  Static. */
const api_t *api_supported(int *n);

/* The row of one API, or NULL if it is not offered. */
const api_t *api_find(int16_t key);

/* The APIs of SASL listeners only (SaslHandshake, SaslAuthenticate and the
 * SCRAM credential APIs), and the row of one of them or NULL.  Static. */
const api_t *api_sasl_supported(int *n);
const api_t *api_find_sasl(int16_t key);

/* Whether (key, version) uses the flexible encoding (header v2), for any
 * version, in range or not; false for a key in neither table. */
bool api_is_flexible(int16_t key, int16_t version);

/* "Produce", "Fetch", ... or "Unknown" (for log lines). */
const char *api_name(int16_t key);

#endif
