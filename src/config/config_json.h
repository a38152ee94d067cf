/*
 * config_json.h - connector configs as JSON objects, the form REST bodies,
 * JSON connector files and the config topic use.
 */
#ifndef CONNECTD_CONFIG_JSON_H
#define CONNECTD_CONFIG_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "properties.h"

/* A JSON object of settings as properties.  Strings as they are; numbers
 * and booleans as their JSON text (Kafka accepts them too); nulls are
 * left out.  NULL with errstr set when `obj` is not an object or a value
 * is an array or an object. */
properties_t *config_from_json(const json_t *obj, char *errstr, size_t errstr_size);

/* Properties as a new JSON object of strings. */
json_t *config_to_json(const properties_t *config);

#endif
