/*
 * es_mapping.h - an index mapping from a Connect schema, as Confluent's
 * Mapping.buildMapping writes it for schema.ignore=false: a struct's
 * fields as "properties", arrays as their element, maps as
 * {"properties":{"key":..,"value":..}}, strings as text with a keyword
 * sub-field, Date/Time/Timestamp as date, Decimal as double:
 *
 *   {"properties":{"id":{"type":"long"},"name":{"type":"text","fields":{"keyword":
 *     {"type":"keyword","ignore_above":256}}},"at":{"type":"date"}}}
 */
#ifndef CONNECTD_ES_MAPPING_H
#define CONNECTD_ES_MAPPING_H

#include <stddef.h>

#include <connectd/plugin.h>

#include "es_buf.h"

/* Appends the mapping of `schema` to out; -1 after writing Confluent's
 * message into errbuf when there is no schema to infer it from. */
int es_mapping_build(const cd_host_api_t *host, const cd_schema_t *schema, es_buf_t *out, char *errbuf, size_t errlen);

#endif
