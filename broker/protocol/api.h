/*
 * api.h - which Kafka APIs and versions this broker speaks.
 *
 * The ranges are exactly those of reference/kafka-protocol.md §0: clients
 * pick min(their max, our max), and librdkafka enables features (MsgVer2,
 * ZSTD, idempotence) only when specific versions fall inside our ranges, so
 * the minimums matter as much as the maximums.  A version outside a range
 * makes the connection close, as Kafka does.
 */
#ifndef CONNECTD_API_H
#define CONNECTD_API_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

/* The advertised table, sorted by key; `*n` receives its length. */
const api_range_t *api_supported(int *n);

/* The range of one API, or NULL if it is not offered. */
const api_range_t *api_find(int16_t key);

/* Whether (key, version) uses the flexible encoding (header v2). */
bool api_is_flexible(int16_t key, int16_t version);

/* "Produce", "Fetch", ... or "Unknown" (for log lines). */
const char *api_name(int16_t key);

#endif
