/*
 * dbz_event.h - Debezium's change events for PostgreSQL rows.
 *
 * A dbz_context_t holds what every event of a task shares (topic.prefix,
 * the database name, the type settings, the source and transaction block
 * schemas).  From a relation description (what a pgoutput Relation
 * message says, plus what the catalog adds: nullability and the key's
 * order) it builds a dbz_table_t: the topic <prefix>.<schema>.<table>, the
 * key schema <prefix>.<schema>.<table>.Key, the row schema ...Value and
 * the envelope ...Envelope (version 2):
 *
 *   {before: Value?, after: Value?, source: io.debezium.connector.postgresql.Source,
 *    transaction: event.block?, op: string, ts_ms: int64?, ts_us: int64?, ts_ns: int64?}
 *
 * dbz_table_events() turns one change (tuples as pgoutput TupleData:
 * per column 'n' null, 'u' unchanged TOAST or 't' text) into the records
 * Debezium emits for it:
 *
 *   insert / snapshot row   c / r                     key of the new row
 *   update                  u                         key of the new row
 *   update of the key       d (header __debezium.newkey), tombstone, c (__debezium.oldkey)
 *   delete                  d, tombstone              key of the old row
 *   truncate                t                         null key
 *
 * the tombstones only with tombstones.on.delete.  A table without key
 * columns has a null key (and no key schema).  Schema names are not
 * adjusted (Debezium's schema.name.adjustment.mode=none); topic names get
 * '_' for characters Kafka does not allow, as Debezium's topic naming.
 *
 * Differences from Debezium that the plugin ABI forces: schemas carry no
 * default values (Debezium copies column defaults and source.snapshot's
 * default "false" into them), so source.snapshot is always written, and
 * "false" explicitly.
 *
 * Threading: a context and its tables belong to one task thread.
 */
#ifndef CONNECTD_DBZ_EVENT_H
#define CONNECTD_DBZ_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

#include "pg_types.h"

/* What every event of a connector task shares; strings are copied. */
typedef struct dbz_config {
    const char *topic_prefix;  /* topic.prefix: source.name and the names' first part */
    const char *database;      /* database.dbname: source.db */
    const char *version;       /* source.version, e.g. "1.0.0" */
    bool tombstones_on_delete; /* tombstones.on.delete (Debezium: true) */
    pg_types_config_t types;
} dbz_config_t;

typedef struct dbz_context dbz_context_t;

/* NULL with errstr set when out of memory.  `registry` (may be NULL) is
 * borrowed: it must outlive the context and be refilled only between
 * events. */
dbz_context_t *dbz_context_create(const cd_host_api_t *host, const dbz_config_t *cfg,
                                  const pg_type_registry_t *registry, char *errstr, size_t errstr_size);
void dbz_context_destroy(dbz_context_t *ctx); /* NULL is fine; after its tables */

/* ---- relations -------------------------------------------------------------------- */

/* One column of a relation, in the order of the pgoutput Relation message
 * (and so of its TupleData). */
typedef struct dbz_column {
    const char *name;
    uint32_t type_oid;
    int32_t typmod;   /* atttypmod; -1 for none */
    bool optional;    /* nullable: not attnotnull (Debezium reads it from the catalog) */
    int key_position; /* 0: not in the key; else 1, 2, ...: its place in the primary key
                       * (or replica identity index, or message.key.columns) */
    bool excluded;    /* left out of the row by column.include/exclude.list */
} dbz_column_t;

typedef struct dbz_relation {
    const char *schema; /* namespace; "" is pg_catalog */
    const char *table;
    const dbz_column_t *columns; /* borrowed for the call */
    size_t ncolumns;
} dbz_relation_t;

typedef struct dbz_table dbz_table_t;

/* Builds the schemas of `rel` (a new Relation message for the same relid
 * means a new table: destroy the old one).  Columns Debezium cannot map
 * are left out of the row, as it does (pg_types_resolve).  NULL with
 * errstr set when a key column cannot be mapped, or out of memory. */
dbz_table_t *dbz_table_create(dbz_context_t *ctx, const dbz_relation_t *rel, char *errstr, size_t errstr_size);
void dbz_table_destroy(dbz_table_t *table); /* NULL is fine */

const char *dbz_table_topic(const dbz_table_t *table); /* borrowed */
/* The schemas, borrowed (schema_ref to keep one); the key's is NULL
 * without key columns. */
const cd_schema_t *dbz_table_key_schema(const dbz_table_t *table);
const cd_schema_t *dbz_table_value_schema(const dbz_table_t *table);
const cd_schema_t *dbz_table_envelope_schema(const dbz_table_t *table);

/* ---- changes ---------------------------------------------------------------------- */

/* One column of a tuple, as pgoutput's TupleData. */
typedef struct dbz_datum {
    char kind;        /* 'n' null, 'u' unchanged TOASTed value, 't' text */
    const char *data; /* 't': the text (not NUL-terminated), borrowed for the call */
    size_t len;
} dbz_datum_t;

typedef enum dbz_op {
    DBZ_OP_READ = 'r', /* a snapshot row */
    DBZ_OP_CREATE = 'c',
    DBZ_OP_UPDATE = 'u',
    DBZ_OP_DELETE = 'd',
    DBZ_OP_TRUNCATE = 't',
} dbz_op_t;

/* The source block's facts (io.debezium.connector.postgresql.Source). */
typedef struct dbz_source {
    int64_t ts_us;        /* commit time (snapshot: read time), micros since 1970 */
    const char *snapshot; /* "true", "first", "last", ... for snapshot rows; NULL: "false" */
    bool has_txid;
    int64_t txid;
    bool has_lsn;
    uint64_t lsn; /* of the change */
    bool has_last_commit_lsn;
    uint64_t last_commit_lsn; /* of the last transaction committed before; source.sequence */
} dbz_source_t;

/* The transaction block (provide.transaction.metadata), or NULL.  A key
 * change is two events of the transaction: the create's orders are the
 * delete's plus one. */
typedef struct dbz_txn {
    const char *id;                /* Debezium's "<txId>:<lsn>" */
    int64_t total_order;           /* of the event in its transaction, from 1 */
    int64_t data_collection_order; /* of the event among its table's in the transaction */
} dbz_txn_t;

typedef struct dbz_change {
    dbz_op_t op;
    /* Tuples of the relation's ncolumns datums (borrowed): old is the 'K'
     * or 'O' tuple of an update or delete (NULL when pgoutput sent none),
     * new the 'N' tuple of an insert, update or snapshot row. */
    const dbz_datum_t *old_tuple;
    const dbz_datum_t *new_tuple;
    const dbz_source_t *source;
    const dbz_txn_t *txn;
    int64_t now_ns; /* processing time (envelope ts_ms/ts_us/ts_ns), ns since 1970 */
} dbz_change_t;

/* One record to produce.  The caller owns the schemas and values (hands
 * them to record_set_key/value/add_header, which take them, then clears
 * the pointers) and frees what it keeps with dbz_event_clear. */
typedef struct dbz_event {
    const char *topic;       /* borrowed from the table */
    cd_schema_t *key_schema; /* NULL with key NULL: a null key */
    cd_value_t *key;
    cd_schema_t *value_schema; /* NULL with value NULL: a tombstone */
    cd_value_t *value;
    const char *header_key; /* "__debezium.newkey" / "__debezium.oldkey", or NULL */
    cd_schema_t *header_schema;
    cd_value_t *header_value;
} dbz_event_t;

#define DBZ_EVENTS_MAX 4

/*
 * The records for `change` into out[0..*n), in order.  Returns 0, or -1
 * with errstr set (and nothing in out) when a value cannot be read, e.g.
 * NaN in a numeric under decimal.handling.mode=precise, as Debezium fails
 * then too.  An update without an old tuple has before null.
 */
int dbz_table_events(dbz_table_t *table, const dbz_change_t *change, dbz_event_t out[DBZ_EVENTS_MAX], size_t *n,
                     char *errstr, size_t errstr_size);

/* Frees what `ev` still owns and zeroes it. */
void dbz_event_clear(const cd_host_api_t *host, dbz_event_t *ev);

#endif
