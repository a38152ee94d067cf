/*
 * pgc_sql.h - SQL text built piece by piece, with identifiers always
 * quoted.  Shared by the connectors that write queries for PostgreSQL
 * (connectors/jdbc/ and connectors/postgres/).
 *
 * Only identifiers are ever written into the text, always through
 * pgc_sql_ident(), which double-quotes them as PostgreSQL reads a quoted
 * identifier (an embedded '"' doubled), so a table named
 * x"; DROP TABLE users; --  is the identifier "x""; DROP TABLE users; --".
 * Values are never written into the text: they go to PQexecParams as
 * parameters ($1, $2, ...; pgc_sql_param() writes the next placeholder).
 *
 *   pgc_sql_t q;
 *   pgc_sql_init(&q);
 *   pgc_sql_append(&q, "SELECT * FROM ");
 *   pgc_sql_ident2(&q, "public", "users");          -> "public"."users"
 *   pgc_sql_append(&q, " WHERE ");
 *   pgc_sql_ident(&q, "id");
 *   pgc_sql_append(&q, " > ");
 *   pgc_sql_param(&q);                              -> $1
 *   ... PQexecParams(conn, pgc_sql_text(&q), q.nparams, ...) ...
 *   pgc_sql_free(&q);
 *
 * Out of memory aborts (as lib/xalloc.h), so a builder has no error path.
 * A builder is one thread's.
 */
#ifndef CONNECTD_PGC_SQL_H
#define CONNECTD_PGC_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include <connectd/plugin.h>

typedef struct pgc_sql {
    char *buf;
    size_t len, cap;
    int nparams; /* the placeholders written so far */
} pgc_sql_t;

void pgc_sql_init(pgc_sql_t *q);
void pgc_sql_free(pgc_sql_t *q); /* the builder's text; the struct is the caller's */
/* Empties the text and the placeholder count, keeping the memory. */
void pgc_sql_reset(pgc_sql_t *q);
/* The text so far, NUL-terminated; borrowed until the next call. */
const char *pgc_sql_text(const pgc_sql_t *q);

/* Appends SQL text the caller wrote (keywords, punctuation): never a name
 * or a value from outside. */
void pgc_sql_append(pgc_sql_t *q, const char *text);
void pgc_sql_appendf(pgc_sql_t *q, const char *fmt, ...) CD_PRINTF(2, 3);
/* Appends `name` as a quoted identifier. */
void pgc_sql_ident(pgc_sql_t *q, const char *name);
/* Appends "schema"."name", or "name" alone when schema is NULL or "". */
void pgc_sql_ident2(pgc_sql_t *q, const char *schema, const char *name);
/* Appends the next parameter's placeholder, $<n>; returns n. */
int pgc_sql_param(pgc_sql_t *q);

/* `name` as a quoted identifier in a new string (malloc; the caller
 * frees). */
char *pgc_sql_quote_ident(const char *name);

#endif
