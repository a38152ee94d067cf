/*
 * pg_snapshot_offset.h - what the source offset says about the initial
 * snapshot, and what a starting task does with it.
 *
 * The offsets of snapshot records are Debezium's (PostgresOffsetContext
 * while a snapshot runs) plus keys of ours that let a snapshot resume where
 * it stopped instead of starting over, e.g. under the partition
 * {"server": "cdc"}:
 *
 *   {"snapshot": true, "last_snapshot_record": false,
 *    "lsn": 23898864, "lsn_proc": 23898864, "txId": 741, "ts_usec": 1767000000000000,
 *    "snapshot_schema": "public", "snapshot_table": "orders", "snapshot_table_index": 2,
 *    "snapshot_last_key": "[\"512000\"]", "snapshot_key_columns": "[\"id\"]",
 *    "snapshot_table_rows": 512000}
 *
 * lsn and lsn_proc are where streaming starts once the snapshot is
 * complete (the slot's consistent point); txId and ts_usec the snapshot
 * transaction's.  snapshot_schema/snapshot_table name the table the record
 * was read from (tables are read in the order of their names),
 * snapshot_table_index its place among the captured tables (from 1),
 * snapshot_last_key the text forms of the record's key columns as a JSON
 * array (absent for a table read without a key), snapshot_key_columns the
 * names of those columns, in the same form (absent with snapshot_last_key,
 * and in offsets written before it was kept), snapshot_table_rows how
 * many rows of that table were read up to it.  The last record of the
 * snapshot has last_snapshot_record true: the snapshot is complete.
 * Stream offsets (pg_stream.h) have no "snapshot" key.
 *
 * Pure functions over the plugin ABI's data API: the unit tests run them
 * against the worker's data model.
 */
#ifndef CONNECTD_PG_SNAPSHOT_OFFSET_H
#define CONNECTD_PG_SNAPSHOT_OFFSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

#include "pg_config.h"

/* A committed offset as a start reads it. */
typedef struct pg_snapshot_position {
    bool present;      /* an offset was committed */
    uint64_t lsn_proc; /* where streaming resumes (present only) */
    bool snapshot;     /* written by a snapshot record */
    bool completed;    /* ... the last one (last_snapshot_record) */
    /* A snapshot record's progress; NULL/0 when absent. */
    char *schema, *table;
    int64_t table_index;
    char *last_key;    /* JSON array of text values */
    char *key_columns; /* JSON array of the key's column names; NULL: not known */
    int64_t table_rows;
} pg_snapshot_position_t;

/* Whether the offset is that of a snapshot that did not complete. */
bool pg_snapshot_position_in_progress(const pg_snapshot_position_t *pos);

/* Reads `offset` (borrowed; NULL or a null value: none committed) into
 * *pos (zeroed first; free with pg_snapshot_position_clear).  -1 after
 * errbuf when it is not an offset of ours: no lsn_proc. */
int pg_snapshot_position_read(const cd_host_api_t *host, const cd_value_t *offset, pg_snapshot_position_t *pos,
                              char *errbuf, size_t errlen);
void pg_snapshot_position_clear(pg_snapshot_position_t *pos);

/* The offset of a snapshot record (the caller's), as the comment above. */
typedef struct pg_snapshot_record_offset {
    uint64_t lsn; /* lsn and lsn_proc */
    int64_t txid, ts_us;
    bool last;
    const char *schema, *table;
    int64_t table_index;
    const char *last_key;    /* NULL: none */
    const char *key_columns; /* with last_key */
    int64_t table_rows;
} pg_snapshot_record_offset_t;

cd_value_t *pg_snapshot_offset_value(const cd_host_api_t *host, const pg_snapshot_record_offset_t *off);

/* ---- what a start does ------------------------------------------------------------- */

typedef struct pg_snapshot_plan {
    bool snapshot;    /* read the captured tables */
    bool resume;      /* ... from where the committed offset's snapshot stopped */
    bool export_slot; /* create the slot, with its exported snapshot (it does not exist) */
    bool stream;      /* stream from the slot (after the snapshot, if any) */
    /* Where streaming starts: 0 for where the slot is (or, without a
     * stream, the server's current position); the new slot's consistent
     * point replaces it with export_slot. */
    uint64_t stream_from;
    bool changes_lost; /* the offset's position is no longer in the slot */
    const char *why;   /* a clause for the log: "there is no committed offset", ... */
} pg_snapshot_plan_t;

/*
 * What a start does under snapshot.mode `mode`, given the committed offset
 * and the slot (whether it exists and its confirmed_flush_lsn), after
 * Debezium's snapshotters:
 *
 *   no_data       never a snapshot
 *   initial       a snapshot when there is no offset
 *   initial_only  as initial, and never a stream (nor a slot)
 *   always        a snapshot at every start
 *   when_needed   as initial, and when the changes after the offset are
 *                 lost: the slot is gone, or has been confirmed past it
 *
 * and, in every mode that snapshots, a snapshot the offset says did not
 * complete resumes where it stopped, unless the changes after its
 * position are lost (then it starts over).  A snapshot reads the slot's
 * exported snapshot when the slot is created for it; with an existing
 * slot it reads a new transaction's and streaming starts from the slot
 * (or the offset), so changes made meanwhile may come twice.
 */
void pg_snapshot_plan(pg_snapshot_mode_t mode, const pg_snapshot_position_t *pos, bool slot_exists,
                      uint64_t slot_confirmed, pg_snapshot_plan_t *plan);

/* ---- snapshot records ---------------------------------------------------------------- */

/* Debezium's source.snapshot of a snapshot record
 * (RelationalSnapshotChangeEventSource.setSnapshotMarker): "last",
 * "first", "last_in_data_collection", "first_in_data_collection" or
 * "true".  Static strings. */
const char *pg_snapshot_marker(bool first_table, bool last_table, bool first_in_table, bool last_in_table);

/* The JSON array of the n strings vals[i] (lens[i] bytes each), e.g.
 * ["42","a\"b"]; malloc'd, the caller's. */
char *pg_snapshot_key_encode(const char *const *vals, const size_t *lens, size_t n);

/* Parses what pg_snapshot_key_encode wrote (any JSON array of strings)
 * into *vals (n NUL-terminated strings; free with pg_snapshot_key_free).
 * -1 when it is not one. */
int pg_snapshot_key_decode(const char *json, char ***vals, size_t *n);
void pg_snapshot_key_free(char **vals, size_t n);

#endif
