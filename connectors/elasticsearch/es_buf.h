/*
 * es_buf.h - a growable byte buffer that writes JSON text directly: the
 * bulk request bodies, mappings and every other request body of the
 * Elasticsearch sink are appended here token by token, never built as a
 * tree first (no JSON library round trip per record).
 *
 * Allocation failure aborts, as everywhere in connectd: a sink that cannot
 * grow a request buffer cannot go on.
 */
#ifndef CONNECTD_ES_BUF_H
#define CONNECTD_ES_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct es_buf {
    char *data; /* NUL-terminated after every append */
    size_t len, cap;
} es_buf_t;

void es_buf_init(es_buf_t *b);
void es_buf_free(es_buf_t *b);  /* frees the data; the buffer may be reused after es_buf_init */
void es_buf_reset(es_buf_t *b); /* empties, keeping the allocation */
/* Gives the data to the caller (free()) and empties the buffer. */
char *es_buf_steal(es_buf_t *b, size_t *len);

void es_buf_put(es_buf_t *b, const void *data, size_t len);
void es_buf_puts(es_buf_t *b, const char *s);
void es_buf_putc(es_buf_t *b, char c);
void es_buf_printf(es_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* JSON tokens. */
void es_buf_json_string(es_buf_t *b, const char *s, size_t len); /* quoted, escaped per RFC 8259 */
void es_buf_json_int(es_buf_t *b, int64_t v);
/* The shortest decimal that reads back as v (Jackson writes doubles so);
 * NaN and the infinities, which JSON lacks, as the strings Java prints. */
void es_buf_json_double(es_buf_t *b, double v);
void es_buf_json_float(es_buf_t *b, float v);                       /* the shortest that reads back as the float */
void es_buf_json_base64(es_buf_t *b, const void *data, size_t len); /* a quoted base64 string */

#endif
