/*
 * pg_catalog.c - the catalog queries of pg_catalog.h.  Both are one round
 * trip each, with the relation or nothing as parameter, e.g. for
 * public.orders (id int PRIMARY KEY, item text NOT NULL, note text):
 *
 *   attname  attnotnull  pk
 *   id       t           1
 *   item     t           0
 *   note     f           0
 */
#include "pg_catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void query_error(PGconn *conn, const PGresult *res, const char *what, char *errbuf, size_t errlen)
{
    const char *why = res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    size_t n = strlen(why);
    while (n > 0 && why[n - 1] == '\n') {
        n--;
    }
    snprintf(errbuf, errlen, "%s failed: %.*s", what, (int)n, why);
}

static const char COLUMNS_SQL[] =
    "SELECT a.attname, a.attnotnull, "
    "       COALESCE((SELECT k.pos FROM pg_catalog.pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) "
    "                 WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.attnum = a.attnum), 0) "
    "FROM pg_catalog.pg_attribute a "
    "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

int pg_catalog_columns(PGconn *conn, uint32_t relid, pg_catalog_column_t **cols, size_t *n, char *errbuf, size_t errlen)
{
    char oid[16];
    snprintf(oid, sizeof(oid), "%u", relid);
    const char *params[] = {oid};
    PGresult *res = PQexecParams(conn, COLUMNS_SQL, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        query_error(conn, res, "reading the columns of a captured table", errbuf, errlen);
        PQclear(res);
        return -1;
    }
    *n = (size_t)PQntuples(res);
    *cols = calloc(*n ? *n : 1, sizeof(**cols));
    for (size_t i = 0; i < *n; i++) {
        (*cols)[i].name = strdup(PQgetvalue(res, (int)i, 0));
        (*cols)[i].not_null = PQgetvalue(res, (int)i, 1)[0] == 't';
        (*cols)[i].pk_position = atoi(PQgetvalue(res, (int)i, 2));
    }
    PQclear(res);
    return 0;
}

void pg_catalog_columns_free(pg_catalog_column_t *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cols[i].name);
    }
    free(cols);
}

static const char TYPES_SQL[] =
    "SELECT t.oid, t.typname, t.typtype, t.typcategory, t.typbasetype, t.typtypmod, t.typelem, "
    "       (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e "
    "        WHERE e.enumtypid = t.oid) "
    "FROM pg_catalog.pg_type t WHERE t.oid >= 16384";

int pg_catalog_types(PGconn *conn, pg_type_registry_t *reg, char *errbuf, size_t errlen)
{
    PGresult *res = PQexec(conn, TYPES_SQL);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        query_error(conn, res, "reading the types the database defines", errbuf, errlen);
        PQclear(res);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        pg_type_desc_t desc = {
            .oid = (uint32_t)strtoul(PQgetvalue(res, i, 0), NULL, 10),
            .name = PQgetvalue(res, i, 1),
            .typtype = PQgetvalue(res, i, 2)[0],
            .category = PQgetvalue(res, i, 3)[0],
            .base_oid = (uint32_t)strtoul(PQgetvalue(res, i, 4), NULL, 10),
            .base_typmod = atoi(PQgetvalue(res, i, 5)),
            .elem_oid = (uint32_t)strtoul(PQgetvalue(res, i, 6), NULL, 10),
            .enum_labels = PQgetisnull(res, i, 7) ? NULL : PQgetvalue(res, i, 7),
        };
        if (pg_type_registry_add(reg, &desc) < 0) {
            snprintf(errbuf, errlen, "out of memory reading the types the database defines");
            rc = -1;
        }
    }
    PQclear(res);
    return rc;
}
