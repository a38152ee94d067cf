/*
 * jdbc_settings.h - what the JDBC source's and sink's settings share:
 * comma-separated lists, table.types as PostgreSQL relkinds, db.timezone's
 * check, a trimmed copy.
 */
#ifndef CONNECTD_JDBC_SETTINGS_H
#define CONNECTD_JDBC_SETTINGS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* table.types, as PostgreSQL's relkinds and schemas (pgJDBC's names). */
enum {
    JDBC_TABLE_TYPE_TABLE = 1 << 0,             /* TABLE: r outside the system schemas */
    JDBC_TABLE_TYPE_VIEW = 1 << 1,              /* VIEW: v */
    JDBC_TABLE_TYPE_MATERIALIZED_VIEW = 1 << 2, /* MATERIALIZED VIEW: m */
    JDBC_TABLE_TYPE_FOREIGN_TABLE = 1 << 3,     /* FOREIGN TABLE: f */
    JDBC_TABLE_TYPE_PARTITIONED_TABLE = 1 << 4, /* PARTITIONED TABLE: p */
    JDBC_TABLE_TYPE_SYSTEM_TABLE = 1 << 5,      /* SYSTEM TABLE: r in pg_catalog, information_schema */
    JDBC_TABLE_TYPE_SYSTEM_VIEW = 1 << 6,       /* SYSTEM VIEW: v there */
};

/* A comma-separated setting, items trimmed, empty ones dropped; or a list
 * of regular expressions (each anchored at both ends, as Java's
 * Pattern.matches) once the source compiled it. */
typedef struct jdbc_list {
    size_t n;
    char **items;
    regex_t *re; /* NULL unless a regex list */
} jdbc_list_t;

/* Fills out (overwritten) with the items of `text` (NULL: none). */
void jdbc_list_split(const char *text, jdbc_list_t *out);
/* Frees the items (and expressions) and empties the list. */
void jdbc_list_free(jdbc_list_t *list);
/* Whether `name` is one of the list's items. */
bool jdbc_list_contains(const jdbc_list_t *list, const char *name);

/* A copy of s (NULL: "") without leading and trailing white space. */
char *jdbc_trimmed(const char *s);

/* A config validator: 0 when db.timezone's `value` names a zone Java
 * knows, else 1 and why in errbuf. */
int jdbc_validate_timezone(const char *value, char *errbuf, size_t errlen);

#endif
