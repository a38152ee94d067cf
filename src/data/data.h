/*
 * data.h - the worker's side of the plugin data API: Connect schemas,
 * values and records (plugins/include/connectd/plugin.h), implemented once
 * and handed to plugins, converters and transforms through cd_host_api_t.
 *
 * Everything in the header's "schemas", "values" and "records" sections is
 * implemented here; data_fill_host_api() puts those functions into a host
 * table (the worker fills the task-context functions: log, set_error,
 * config_get, ... in its own file).  Worker code may also call the data_*
 * functions below directly.
 *
 * Thread-safety: a value or record belongs to one thread at a time; schema
 * reference counts are atomic, so a schema may be shared between tasks.
 */
#ifndef CONNECTD_DATA_H
#define CONNECTD_DATA_H

#include <connectd/plugin.h>

#include "json_tape.h"

/* Fills every schema, value and record function of `api`; leaves the other
 * fields as they are. */
void data_fill_host_api(cd_host_api_t *api);

/* The same functions, for the worker's own code (converters, the task
 * loops).  Semantics as documented in plugin.h. */
cd_record_t *data_record_new(void);
void data_record_free(cd_record_t *rec);
/* For a record a sink consumed: its Kafka coordinates (also readable
 * through record_topic/partition/offset). */
void data_record_set_kafka(cd_record_t *rec, const char *topic, int32_t partition, int64_t offset,
                           int64_t timestamp);
/* The source partition and offset a source record carries (NULL if none);
 * borrowed from the record. */
const cd_value_t *data_record_source_partition(const cd_record_t *rec);
const cd_value_t *data_record_source_offset(const cd_record_t *rec);
/* A value as JSON text (schemaless: maps as objects, bytes base64), for
 * source partitions and offsets in the offsets topic and for log lines.
 * Returns a malloc'd string. */
char *data_value_to_json(const cd_value_t *v);
/* The reverse: JSON text to a schemaless value (objects become maps with
 * string keys, integers INT64, other numbers FLOAT64).  NULL with errstr
 * set on malformed JSON. */
cd_value_t *data_value_from_json(const char *json, size_t len, char *errstr, size_t errstr_size);

/* ---- additions for the worker's own code --------------------------------- */


/* Every schema, value and record function of plugin.h under its data_
 * name (schema_new is data_schema_new, ...), for the worker's code;
 * semantics and ownership exactly as plugin.h states them. */
cd_schema_t *data_schema_new(cd_type_t type, bool optional);
cd_schema_t *data_schema_array(cd_schema_t *items, bool optional);
cd_schema_t *data_schema_map(cd_schema_t *keys, cd_schema_t *values, bool optional);
cd_schema_t *data_schema_struct(bool optional);
void data_schema_add_field(cd_schema_t *st, const char *name, cd_schema_t *field);
void data_schema_set_name(cd_schema_t *schema, const char *name);
void data_schema_set_version(cd_schema_t *schema, int32_t version);
void data_schema_set_doc(cd_schema_t *schema, const char *doc);
void data_schema_set_parameter(cd_schema_t *schema, const char *key, const char *value);
cd_schema_t *data_schema_ref(cd_schema_t *schema);
void data_schema_unref(cd_schema_t *schema);
cd_type_t data_schema_type(const cd_schema_t *schema);
bool data_schema_optional(const cd_schema_t *schema);
const char *data_schema_name(const cd_schema_t *schema);
int data_schema_field_count(const cd_schema_t *st);
const char *data_schema_field_name(const cd_schema_t *st, int i);
const cd_schema_t *data_schema_field_schema(const cd_schema_t *st, int i);
const cd_schema_t *data_schema_items(const cd_schema_t *array);
const cd_schema_t *data_schema_keys(const cd_schema_t *map);
const cd_schema_t *data_schema_values(const cd_schema_t *map);

/* String values are always valid UTF-8: value_string replaces an invalid
 * sequence with U+FFFD, as Java's decoder does. */
cd_value_t *data_value_null(void);
cd_value_t *data_value_int(cd_type_t type, int64_t v);
cd_value_t *data_value_float(cd_type_t type, double v);
cd_value_t *data_value_bool(bool v);
cd_value_t *data_value_string(const char *s, size_t len);
cd_value_t *data_value_bytes(const void *data, size_t len);
/* value_string for text the caller has already checked is well-formed
 * UTF-8 (json_tape's strings): the same value without a second check. */
cd_value_t *data_value_string_utf8(const char *s, size_t len);
cd_value_t *data_value_array(void);
void data_value_array_push(cd_value_t *array, cd_value_t *item);
cd_value_t *data_value_map(void);
void data_value_map_put(cd_value_t *map, cd_value_t *key, cd_value_t *val);
/* data_value_map_put of a key the map does not hold (the caller knows:
 * e.g. the members of a parsed JSON object), without looking for it: a
 * put of every key is quadratic in the map's size. */
void data_value_map_append(cd_value_t *map, cd_value_t *key, cd_value_t *val);
cd_value_t *data_value_struct(const cd_schema_t *schema);
cd_rc_t data_value_struct_set(cd_value_t *st, const char *field, cd_value_t *v);
/* data_value_struct_set of field i of the struct's schema (CD_CONFIG when
 * out of range), without the lookup by name. */
cd_rc_t data_value_struct_set_at(cd_value_t *st, int i, cd_value_t *v);
void data_value_free(cd_value_t *v);
cd_value_t *data_value_copy(const cd_value_t *v);
cd_type_t data_value_type(const cd_value_t *v);
int64_t data_value_get_int(const cd_value_t *v);
double data_value_get_float(const cd_value_t *v);
bool data_value_get_bool(const cd_value_t *v);
const char *data_value_get_string(const cd_value_t *v, size_t *len);
const void *data_value_get_bytes(const cd_value_t *v, size_t *len);
size_t data_value_count(const cd_value_t *v);
const cd_value_t *data_value_array_at(const cd_value_t *array, size_t i);
const cd_value_t *data_value_map_key_at(const cd_value_t *map, size_t i);
const cd_value_t *data_value_map_value_at(const cd_value_t *map, size_t i);
const cd_value_t *data_value_map_get(const cd_value_t *map, const char *key);
const cd_value_t *data_value_struct_get(const cd_value_t *st, const char *field);
/* Field i of its schema's order (NULL when unset or out of range), without
 * the lookup by name. */
const cd_value_t *data_value_struct_at(const cd_value_t *st, size_t i);

void data_record_set_topic(cd_record_t *rec, const char *topic);
void data_record_set_partition(cd_record_t *rec, int32_t partition);
void data_record_set_key(cd_record_t *rec, cd_schema_t *schema, cd_value_t *key);
void data_record_set_value(cd_record_t *rec, cd_schema_t *schema, cd_value_t *value);
void data_record_set_timestamp(cd_record_t *rec, int64_t ms);
void data_record_add_header(cd_record_t *rec, const char *key, cd_schema_t *schema, cd_value_t *value);
void data_record_set_source(cd_record_t *rec, cd_value_t *partition, cd_value_t *offset);
const char *data_record_topic(const cd_record_t *rec);
int32_t data_record_partition(const cd_record_t *rec);
int64_t data_record_offset(const cd_record_t *rec);
/* -1 until set: the worker stamps records whose maker set none. */
int64_t data_record_timestamp(const cd_record_t *rec);
const cd_schema_t *data_record_key_schema(const cd_record_t *rec);
const cd_value_t *data_record_key(const cd_record_t *rec);
const cd_schema_t *data_record_value_schema(const cd_record_t *rec);
const cd_value_t *data_record_value(const cd_record_t *rec);
size_t data_record_header_count(const cd_record_t *rec);
const char *data_record_header_key(const cd_record_t *rec, size_t i);
const cd_value_t *data_record_header_value(const cd_record_t *rec, size_t i);

/* Kafka's Schema.Type name of a type ("INT32", "STRUCT"; "NULL" for the
 * null value type), for error messages. */
const char *data_type_name(cd_type_t type);

/* Schema metadata plugin.h has no getter for (0 / NULL when absent);
 * borrowed from the schema.  Parameters keep the order they were set in. */
int32_t data_schema_version(const cd_schema_t *schema);
const char *data_schema_doc(const cd_schema_t *schema);
size_t data_schema_parameter_count(const cd_schema_t *schema);
const char *data_schema_parameter_key(const cd_schema_t *schema, size_t i);
const char *data_schema_parameter_value(const cd_schema_t *schema, size_t i);
const char *data_schema_parameter(const cd_schema_t *schema, const char *key);
/* Whether two schemas are the same in every part (Kafka's
 * ConnectSchema.equals); NULL equals only NULL. */
bool data_schema_equal(const cd_schema_t *a, const cd_schema_t *b);

/* The schema a struct value was made with; borrowed. NULL for others. */
const cd_schema_t *data_value_struct_schema(const cd_value_t *st);
/* Deep equality of two values, types (with integer widths) included. */
bool data_value_equal(const cd_value_t *a, const cd_value_t *b);

/* A header's schema (plugin.h has value and key getters only); borrowed. */
const cd_schema_t *data_record_header_schema(const cd_record_t *rec, size_t i);
/* Removes header i (frees its key, schema and value); later headers move
 * down one place, keeping their order.  Out of range does nothing. */
void data_record_remove_header(cd_record_t *rec, size_t i);

/*
 * The Connect JSON form of schemas and values, as Kafka's JsonConverter
 * writes and reads it (data_json*.c).  Text is compact and byte-exact with
 * Kafka's Jackson output: object keys in Kafka's order, numbers as Java
 * prints them (1.0, 1.0E10), bytes base64.
 */
/* A schema's JSON object ({"type":"int32","optional":false}); malloc'd. */
char *data_schema_to_json(const cd_schema_t *schema);
/* A value as JSON, checked against `schema` when not NULL (required fields
 * present, types matching).  A NULL value writes null.  malloc'd text with
 * *len bytes (no NUL inside), or NULL with errstr set. */
char *data_value_to_json_checked(const cd_schema_t *schema, const cd_value_t *v, size_t *len, char *errstr,
                                 size_t errstr_size);

/* The same mapping read back.  A schema from its JSON object, parsed by
 * jansson (struct json_t, so this header does not pull in jansson), or
 * NULL with errstr set; a JSON null gives NULL with errstr empty. */
struct json_t;
cd_schema_t *data_schema_from_jansson(const struct json_t *json, char *errstr, size_t errstr_size);
/* A value read from a parsed document's node as `schema` says (NULL
 * schema: inferred as data_value_from_json does; NULL node: a member that
 * is not there).  NULL with errstr set when the JSON does not fit the
 * schema. */
cd_value_t *data_value_from_tape(const cd_schema_t *schema, const json_tape_t *tape, const json_tape_node_t *node,
                                 char *errstr, size_t errstr_size);

#endif
