/*
 * pg_snapshot.h - the initial snapshot: every row the captured tables hold
 * at the point where streaming starts, as Debezium's read ("r") events.
 *
 * Consistency.  When the slot is created for it, the snapshot reads in the
 * snapshot the slot exports (CREATE_REPLICATION_SLOT ... (SNAPSHOT
 * 'export')), imported on a regular connection of its own
 * (BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION
 * SNAPSHOT), so it sees exactly the transactions committed before the
 * slot's consistent point, and the stream, started there, every one after:
 * no gap, no overlap.  Without an exported snapshot (the slot existed, or
 * the snapshot resumes after a restart) it reads a new REPEATABLE READ
 * transaction's, which sees more than the stream skips: a row changed
 * meanwhile comes as "r" with its latest state and again as its change
 * events (at least once; every row ends in its latest state).
 *
 * Reading.  The captured tables (the schema and table lists, as the stream
 * applies them) in the order of their names, each with a server-side cursor
 * (FETCH of snapshot.fetch.size rows at a time, so memory is bounded
 * whatever a table's size) ordered by its primary key (or replica identity
 * index).  Each record's offset (pg_snapshot_offset.h) says which table and
 * key it was; a snapshot that resumes reads the tables after that one, and
 * that one from the next key on (WHERE (key) > (last)); a table without a
 * key is read again from its beginning.
 *
 * Markers.  source.snapshot is Debezium's: "first", "first_in_data_collection",
 * "true", "last_in_data_collection", "last" (pg_snapshot_marker), so each
 * row is built only once the next one is known; the last record of the
 * snapshot is "last" with last_snapshot_record in its offset, however many
 * empty tables follow it.
 *
 * Progress: in the task's status (ABI 1.3 progress_set, e.g. "snapshot:
 * table 2 of 3 (public.orders), 512000 of ~1000000 rows", the estimate from
 * pg_class.reltuples) and in /metrics (metric_set, Debezium's snapshot
 * metrics), updated once per poll.
 *
 * A pg_snapshot_t belongs to one task thread.
 */
#ifndef CONNECTD_PG_SNAPSHOT_H
#define CONNECTD_PG_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>
#include <libpq-fe.h>

#include "pg_config.h"
#include "pg_snapshot_offset.h"
#include "pg_stream.h"

typedef struct pg_snapshot pg_snapshot_t;

/* On `db` (a regular connection, outside a transaction): the user may
 * SELECT from every captured table, before a slot is created for a
 * snapshot that could not read them.  0, or -1 after errbuf naming the
 * table and the GRANT to run. */
int pg_snapshot_check(PGconn *db, const pg_config_t *cfg, char *errbuf, size_t errlen);

/* Starts a snapshot for `task` (cfg and stream borrowed for its life: the
 * stream describes the tables, as it will when streaming): connects,
 * begins the transaction, imports `exported` (the slot's snapshot; NULL:
 * a new transaction's), and lists the captured tables.  `stream_from` is
 * where streaming will start, written into every offset (0: the server's
 * current position).  `resume` (borrowed for the call; NULL: from the
 * start) is the committed offset of a snapshot to go on with.  NULL after
 * errbuf. */
pg_snapshot_t *pg_snapshot_begin(cd_task_t *task, const pg_config_t *cfg, pg_stream_t *stream, const char *exported,
                                 uint64_t stream_from, const pg_snapshot_position_t *resume, char *errbuf,
                                 size_t errlen);

/* Up to cap records into out (the host's from then on), with their
 * offsets.  1 when the snapshot is complete and all its records were
 * handed out (*n may be > 0 then), 0 when more follow, -1 after errbuf (a
 * table that cannot be read, the connection lost: the task fails, and a
 * restart resumes). */
int pg_snapshot_poll(pg_snapshot_t *snap, cd_record_t **out, size_t cap, size_t *n, char *errbuf, size_t errlen);

/* How many records the snapshot has handed out since it began. */
uint64_t pg_snapshot_records(const pg_snapshot_t *snap);

/* Ends the transaction, closes the connection, frees; NULL is fine. */
void pg_snapshot_destroy(pg_snapshot_t *snap);

#endif
