/*
 * value_format.h - a record value as the text FileStreamSink writes for it.
 *
 * Kafka's sink does println(record.value()), so the line is Java's
 * toString() of the converted value; we print the same text:
 *
 *   STRING "héllo"                      héllo
 *   null                                null
 *   INT32 42, BOOLEAN true              42, true
 *   FLOAT64 1e10, 0.1, FLOAT32 1.5      1.0E10, 0.1, 1.5   (Double/Float.toString)
 *   MAP {"line": "foo", "n": 1}         {line=foo, n=1}    (AbstractMap.toString)
 *   ARRAY [1, "a", null]                [1, a, null]       (AbstractCollection.toString)
 *   STRUCT id=1, name="a", note=null    Struct{id=1,name=a} (null fields left out)
 *
 * Where Java prints nothing useful we choose: a BYTES value is written
 * raw (Java prints "[B@1b6d3586"), so ByteArrayConverter data passes
 * through unchanged; BYTES inside a map, array or struct are base64, as
 * JsonConverter shows them, so they cannot break the line.
 */
#ifndef CONNECTD_FILE_VALUE_FORMAT_H
#define CONNECTD_FILE_VALUE_FORMAT_H

#include <stddef.h>

#include <connectd/plugin.h>

/* A growable byte string; zero-initialise, free(data) when done. */
typedef struct strbuf {
    char *data;
    size_t len, cap;
} strbuf_t;

/* Appends len bytes; 0, or -1 if out of memory. */
int strbuf_append(strbuf_t *sb, const void *data, size_t len);

/* Appends the text of `value` (NULL is null) with its schema (NULL when
 * schemaless) to `out`.  Returns 0; -1 if out of memory; -2 if the value
 * cannot be printed (a struct without a schema: its field names are only
 * in the schema).  On an error `out` is as it was. */
int value_format_java(const cd_host_api_t *host, const cd_value_t *value, const cd_schema_t *schema,
                      strbuf_t *out);

#endif
