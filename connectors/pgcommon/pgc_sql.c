/*
 * pgc_sql.c - SQL text with quoted identifiers (pgc_sql.h).
 */
#include "pgc_sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void pgc_sql_init(pgc_sql_t *q)
{
    q->cap = 256;
    q->buf = xmalloc(q->cap);
    q->buf[0] = '\0';
    q->len = 0;
    q->nparams = 0;
}

void pgc_sql_free(pgc_sql_t *q)
{
    free(q->buf);
    q->buf = NULL;
    q->len = q->cap = 0;
}

void pgc_sql_reset(pgc_sql_t *q)
{
    q->len = 0;
    q->buf[0] = '\0';
    q->nparams = 0;
}

const char *pgc_sql_text(const pgc_sql_t *q)
{
    return q->buf;
}

static void reserve(pgc_sql_t *q, size_t more)
{
    if (q->len + more + 1 <= q->cap) {
        return;
    }
    while (q->len + more + 1 > q->cap) {
        q->cap *= 2;
    }
    q->buf = xrealloc(q->buf, q->cap);
}

static void append_n(pgc_sql_t *q, const char *text, size_t n)
{
    reserve(q, n);
    memcpy(q->buf + q->len, text, n);
    q->len += n;
    q->buf[q->len] = '\0';
}

void pgc_sql_append(pgc_sql_t *q, const char *text)
{
    append_n(q, text, strlen(text));
}

void pgc_sql_appendf(pgc_sql_t *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    reserve(q, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(q->buf + q->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    q->len += (size_t)n;
}

void pgc_sql_ident(pgc_sql_t *q, const char *name)
{
    reserve(q, 2 * strlen(name) + 2);
    q->buf[q->len++] = '"';
    for (const char *p = name; *p; p++) {
        if (*p == '"') {
            q->buf[q->len++] = '"';
        }
        q->buf[q->len++] = *p;
    }
    q->buf[q->len++] = '"';
    q->buf[q->len] = '\0';
}

void pgc_sql_ident2(pgc_sql_t *q, const char *schema, const char *name)
{
    if (schema && schema[0]) {
        pgc_sql_ident(q, schema);
        pgc_sql_append(q, ".");
    }
    pgc_sql_ident(q, name);
}

int pgc_sql_param(pgc_sql_t *q)
{
    pgc_sql_appendf(q, "$%d", ++q->nparams);
    return q->nparams;
}

char *pgc_sql_quote_ident(const char *name)
{
    pgc_sql_t q;
    pgc_sql_init(&q);
    pgc_sql_ident(&q, name);
    return q.buf;
}
