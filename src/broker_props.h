/*
 * broker_props.h - a broker configuration from properties: the keys of a
 * `connectd broker` file, or the `broker.`-prefixed keys of a standalone
 * worker's file (DESIGN §1), checked against the broker's config table.
 */
#ifndef CONNECTD_BROKER_PROPS_H
#define CONNECTD_BROKER_PROPS_H

#include "config/broker_config.h"
#include "properties.h"

/*
 * Applies every key of `props` that starts with `prefix` ("" for all), with
 * the prefix removed, to a fresh broker config.  `defaults` (borrowed for
 * the call; NULL for none) holds unprefixed keys that replace their rows'
 * defaults: `props` wins where it sets the same key.  Unknown broker keys are
 * logged and ignored, as Kafka does.  NULL with errstr set ("log.segment.bytes:
 * expected an integer ...", with the prefix) when a value is malformed.
 */
broker_config_t *broker_config_from_props(const properties_t *props, const char *prefix, const properties_t *defaults,
                                          char *errstr, size_t errstr_size);

#endif
