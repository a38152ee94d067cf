/*
 * es_json_reader.h - a small pull reader of JSON text, enough for what the
 * Elasticsearch sink reads back: bulk responses (es_bulk_response.c), the
 * version in GET /, and error envelopes.  It walks the text in place and
 * builds no tree: the caller asks for the next key, element or scalar and
 * skips what it does not need, so a bulk response of thousands of items
 * costs one pass and no allocation per item (keys are read into the
 * caller's array).
 *
 *   es_jr_t jr;
 *   es_jr_init(&jr, body, len);
 *   char key[64];
 *   if (es_jr_object(&jr)) {
 *       while (es_jr_key(&jr, key, sizeof(key))) {
 *           if (strcmp(key, "took") == 0) es_jr_int(&jr, &took); else es_jr_skip(&jr);
 *       }
 *   }
 *   if (jr.failed) ... the text is not JSON
 *
 * Every function returns false and sets `failed` on text that is not JSON
 * (or is nested deeper than ES_JR_MAX_DEPTH), and does nothing once failed.
 */
#ifndef CONNECTD_ES_JSON_READER_H
#define CONNECTD_ES_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "es_buf.h"

#define ES_JR_MAX_DEPTH 64

typedef struct es_jr {
    const char *p, *end;
    bool failed;
    /* Per open container: whether a member was read, so the next needs a comma. */
    int depth;
    bool had_member[ES_JR_MAX_DEPTH];
} es_jr_t;

typedef enum es_jr_type {
    ES_JR_END = 0, /* no more input (or failed) */
    ES_JR_OBJECT,
    ES_JR_ARRAY,
    ES_JR_STRING,
    ES_JR_NUMBER,
    ES_JR_BOOL,
    ES_JR_NULL,
} es_jr_type_t;

void es_jr_init(es_jr_t *jr, const char *text, size_t len);

/* The type of the value at the reading position. */
es_jr_type_t es_jr_peek(es_jr_t *jr);

/* Enters the object (array) at the position; false if the value is not one. */
bool es_jr_object(es_jr_t *jr);
bool es_jr_array(es_jr_t *jr);
/* In an object: reads the next key into key (NUL-terminated, cut to keylen - 1
 * bytes; key NULL: not kept) and its colon, leaving the position at its
 * value; false after the closing brace (consumed). */
bool es_jr_key(es_jr_t *jr, char *key, size_t keylen);
/* In an array: true when an element follows (the position is at it); false
 * after the closing bracket (consumed). */
bool es_jr_element(es_jr_t *jr);

/* Scalars; each consumes the value.  A value of another type is skipped
 * and false returned, without failing the reader. */
bool es_jr_string(es_jr_t *jr, es_buf_t *out); /* appends the unescaped text to out */
bool es_jr_int(es_jr_t *jr, int64_t *v);
bool es_jr_bool(es_jr_t *jr, bool *v);
/* Skips the value at the position, whatever it is. */
bool es_jr_skip(es_jr_t *jr);

/* Convenience for small documents: the string or number at a dotted path
 * of object keys ("version.number", "error.type") as text, appended to
 * out; false if absent or not a scalar. */
bool es_json_path_text(const char *text, size_t len, const char *path, es_buf_t *out);

#endif
