/*
 * pg_catalog.h - what a change event needs from the catalog that the
 * replication stream does not say: which columns may be null, the order of
 * the primary key, and the types a database defines (enums, domains, their
 * arrays).  Debezium reads the same from the catalog (its schema refresh).
 *
 * The queries run on the task's regular connection, never on the
 * replication one (which is inside its COPY while streaming).  They read
 * the catalog as it is now, which may be newer than the Relation message
 * being described: columns are matched by name, and a column the catalog
 * no longer has is taken as nullable and not in the key.
 */
#ifndef CONNECTD_PG_CATALOG_H
#define CONNECTD_PG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "pg_types.h"
#include "pgoutput.h"

/* One column as the catalog has it. */
typedef struct pg_catalog_column {
    char *name;
    bool not_null;   /* attnotnull */
    int pk_position; /* 1, 2, ...: its place in the primary key; 0 when not in it */
} pg_catalog_column_t;

/* The live columns of relation `relid` into *cols (n of them; free with
 * pg_catalog_columns_free).  0, or -1 after errbuf. */
int pg_catalog_columns(PGconn *conn, uint32_t relid, pg_catalog_column_t **cols, size_t *n, char *errbuf,
                       size_t errlen);
void pg_catalog_columns_free(pg_catalog_column_t *cols, size_t n);

/* Adds every type the database defines (OID >= 16384) to `reg`, as
 * pg_types.h's query reads them.  0, or -1 after errbuf. */
int pg_catalog_types(PGconn *conn, pg_type_registry_t *reg, char *errbuf, size_t errlen);

#endif
