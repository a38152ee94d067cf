/*
 * pg_stream.h - the replication stream turned into Debezium's records:
 * each pgoutput message decoded, the relations described (with the
 * catalog's nullability and key order), the changes of the captured tables
 * made into change events, and the records queued until poll() takes them
 * with their source offsets.
 *
 * Transactions.  The records of a transaction are held from its Begin to
 * its Commit, so that its last record can carry the Commit's end LSN: that
 * offset, once committed by the worker, says the whole transaction is
 * delivered.  The memory a large transaction takes is bounded: when
 * max.batch.size records are queued, pg_stream_take(all) hands out the
 * open transaction's records too, with the offset of the transaction
 * before (so a restart delivers the whole transaction again: duplicates,
 * never a loss).
 *
 * Streamed transactions (protocol 2: the server sends a transaction too
 * big for its logical_decoding_work_mem in blocks, before it commits,
 * interleaved with others).  Their data messages are kept as they come,
 * without their xid, in one spool per transaction (pg_spool.h: up to
 * 4 MiB in memory, the rest in a temporary file); a Stream Abort of a
 * subtransaction cuts its spool back to that subtransaction's first
 * change, one of the whole transaction drops it.  Nothing is decoded or
 * made into records before the Stream Commit: then pg_stream_replay()
 * reads the spool back through the same path as a transaction sent whole
 * (its Relation and Type messages included, as PostgreSQL's apply worker
 * applies them), max.batch.size records at a time, so its records come in
 * commit order, end with the commit's end LSN, and are bounded in memory
 * as any transaction's.
 *
 * provide.transaction.metadata: Debezium's BEGIN and END records on
 * <topic.prefix>.transaction (TransactionMetadataKey {id} and
 * TransactionMetadataValue {status, id, event_count, data_collections,
 * ts_ms}) around the records of every transaction read, and the envelope's
 * transaction block {id, total_order, data_collection_order}; the id is
 * "<xid>:<LSN>" with the LSN of the record's own position (the
 * transaction's first change, the change, the commit's end), as
 * PostgresTransactionMonitor writes it.  Tombstones are no events of the
 * transaction; a key change is two.
 *
 * Offsets, as Debezium's (PostgresOffsetContext), under the partition
 * {"server": topic.prefix}:
 *
 *   {"lsn_proc": <end LSN of the last transaction completely delivered>,
 *    "lsn": <LSN of the change>, "txId": <xid>, "ts_usec": <commit time, µs since 1970>}
 *
 * lsn_proc is where a restarted task resumes (pg_stream_create).
 *
 * A pg_stream_t belongs to one task thread.
 */
#ifndef CONNECTD_PG_STREAM_H
#define CONNECTD_PG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>
#include <libpq-fe.h>

#include "dbz_event.h"
#include "pg_config.h"
#include "pgoutput.h"

typedef struct pg_stream pg_stream_t;

/* A stream for `task` (cfg borrowed, for the task's life) that skips the
 * transactions that ended at or before `resume_lsn` (the committed
 * lsn_proc; 0 for none).  NULL after errbuf. */
pg_stream_t *pg_stream_create(cd_task_t *task, const pg_config_t *cfg, uint64_t resume_lsn, char *errbuf,
                              size_t errlen);
void pg_stream_destroy(pg_stream_t *s); /* NULL is fine; frees the records still queued */

/* The source partition {"server": topic.prefix}, the caller's. */
cd_value_t *pg_stream_partition(const pg_stream_t *s);

/* A new replication connection is about to start: the decoder starts
 * over, the open transaction's records not yet taken are dropped, and so
 * are the streamed transactions not yet queued (the server sends them
 * again).  Returns the LSN to START_REPLICATION at: the
 * end of the last transaction read. */
uint64_t pg_stream_reconnect(pg_stream_t *s);

/* One XLogData (borrowed for the call), with the task's regular
 * connection for the catalog.  0; -1 after errbuf when the task cannot go
 * on (a message that does not decode, a key column without a mapping, a
 * value that cannot be read, a spool that cannot be written); -2 after
 * errbuf when the catalog could not be read (the connection broke:
 * reconnect the stream and retry).  Not while pg_stream_replay() has more
 * to do: the messages after a Stream Commit come after its changes. */
int pg_stream_message(pg_stream_t *s, PGconn *db, const pgoutput_copydata_t *msg, char *errbuf, size_t errlen);

/* Queues the changes of a streamed transaction whose Stream Commit came,
 * until `limit` records are queued.  1 while some are left (read nothing
 * from the server meanwhile), 0 when none is (then or already); -1 and -2
 * as pg_stream_message. */
int pg_stream_replay(pg_stream_t *s, PGconn *db, size_t limit, char *errbuf, size_t errlen);

/* The table of `rel` (borrowed for the call) as a Relation message of it
 * would make it, for the snapshot, which reads tables the stream has not
 * described yet and must make the same events of their rows: *table is
 * borrowed until a Relation message of the same relid arrives or the stream
 * is destroyed; NULL when the table is not captured.  Returns as
 * pg_stream_message. */
int pg_stream_describe(pg_stream_t *s, PGconn *db, const pgoutput_relation_t *rel, dbz_table_t **table, char *errbuf,
                       size_t errlen);

/* Queues a heartbeat record (topic <topic.heartbeat.prefix>.<topic.prefix>,
 * Debezium's ServerNameKey and Heartbeat) whose offset says everything up
 * to `server_lsn` (where the server says it is; nothing captured is
 * pending there) is delivered.  Only between transactions: false, and
 * nothing queued, inside one. */
bool pg_stream_heartbeat(pg_stream_t *s, uint64_t server_lsn);

/* Records queued, of finished transactions and of the open one. */
size_t pg_stream_queued(const pg_stream_t *s);
/* Records queued of finished transactions only: what pg_stream_take hands
 * out without `all`. */
size_t pg_stream_ready(const pg_stream_t *s);

/* Moves up to cap queued records into out (the host's from then on) with
 * their source offsets; those of the open transaction only when `all`.
 * Returns how many. */
size_t pg_stream_take(pg_stream_t *s, cd_record_t **out, size_t cap, bool all);

/* The end LSN of the last transaction all of whose records were taken (or
 * that had none): what may be confirmed to the server once the worker has
 * committed the offsets of everything taken. */
uint64_t pg_stream_delivered(const pg_stream_t *s);

#endif
