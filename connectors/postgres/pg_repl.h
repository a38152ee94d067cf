/*
 * pg_repl.h - one logical replication stream from a pgoutput slot: the
 * replication connection, the slot, START_REPLICATION, and the CopyData
 * loop that hands over each pgoutput message and answers the server's
 * keepalives with standby status updates.
 *
 * What the stream confirms to the server (the slot's confirmed_flush_lsn,
 * below which WAL may be recycled) only ever moves when the caller says so
 * with pg_repl_confirm(): a position is confirmed once the records up to
 * it are committed by the worker, never because they were received.
 *
 * A pg_repl_t belongs to one task and is used by its thread only.
 */
#ifndef CONNECTD_PG_REPL_H
#define CONNECTD_PG_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pg_config.h"
#include "pgoutput.h"

typedef struct pg_repl pg_repl_t;

/* Opens the replication connection (replication=database).  NULL after
 * errbuf. */
pg_repl_t *pg_repl_open(const pg_config_t *cfg, const char *app, char *errbuf, size_t errlen);

/* Creates the slot (pgoutput) if it does not exist; sets *created and
 * *confirmed, the slot's confirmed_flush_lsn (for a new slot its consistent
 * point).  With `snapshot` (NULL: none) a slot created here exports its
 * snapshot, whose name goes into snapshot[snaplen] ("" when the slot
 * existed): the connection must then run nothing else until the snapshot
 * is imported (pg_snapshot_begin), after which it may be closed.  0, or
 * -1 after errbuf. */
int pg_repl_ensure_slot(pg_repl_t *r, const pg_config_t *cfg, char *snapshot, size_t snaplen, bool *created,
                        uint64_t *confirmed, char *errbuf, size_t errlen);

/* START_REPLICATION at `lsn` (the server starts at the later of it and the
 * slot's confirmed_flush_lsn) with the configured publication: pgoutput
 * protocol 1, or on PostgreSQL 14 and later protocol 2 with streaming on,
 * so the stream may carry Stream Start/Stop/Commit/Abort.  `confirmed` is
 * where the slot stands: status updates report it as flushed until
 * pg_repl_confirm() moves it.  0, or -1 after errbuf. */
int pg_repl_start(pg_repl_t *r, const pg_config_t *cfg, uint64_t lsn, uint64_t confirmed, char *errbuf, size_t errlen);

/* Waits up to timeout_ms for the next XLogData, answering keepalives and
 * sending a status update every status.update.interval.ms meanwhile.  1
 * with *msg set (type 'w'; msg->data, the pgoutput message for
 * pgoutput_decode, valid until the next call), 0 when the time is up, -1
 * after errbuf when the stream broke (the caller closes it and may open a
 * new one). */
int pg_repl_next(pg_repl_t *r, int timeout_ms, pgoutput_copydata_t *msg, char *errbuf, size_t errlen);

/* Sends the periodic status update if it is due, without reading: for a
 * caller busy with what it already received (a committed streamed
 * transaction read back from its spool), so the server, which ends a
 * stream silent for wal_sender_timeout, keeps it.  0, or -1 after errbuf
 * when the stream broke. */
int pg_repl_tick(pg_repl_t *r, char *errbuf, size_t errlen);

/* Records that everything up to `lsn` is durable downstream; the next status
 * update confirms it.  A position behind the current one is ignored. */
void pg_repl_confirm(pg_repl_t *r, uint64_t lsn);

/* How far the server says it has sent: the largest walEnd of its messages
 * and keepalives.  Between transactions everything before it was
 * received, so it is what a heartbeat may confirm. */
uint64_t pg_repl_received(const pg_repl_t *r);

/* Ends the stream in order (a last status update, CopyDone, the server's
 * results), drops the slot when `drop_slot`, and closes; always frees r.
 * -1 after errbuf when the slot could not be dropped.  NULL is fine. */
int pg_repl_close(pg_repl_t *r, bool drop_slot, char *errbuf, size_t errlen);

#endif
