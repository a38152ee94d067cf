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

typedef struct pg_repl pg_repl_t;

/* One pgoutput message as the server sent it in an XLogData ('w') frame. */
typedef struct pg_repl_msg {
    uint64_t wal_start;   /* the WAL position of the message (a Commit's end_lsn for a Commit) */
    uint64_t wal_end;     /* the server's WAL end when it sent the frame */
    int64_t send_time_us; /* the server's clock, microseconds since 2000-01-01 */
    const uint8_t *data;  /* the pgoutput message: its type byte first; valid until the next pg_repl_next */
    size_t len;
} pg_repl_msg_t;

/* Opens the replication connection (replication=database).  NULL after
 * errbuf. */
pg_repl_t *pg_repl_open(const pg_config_t *cfg, const char *app, char *errbuf, size_t errlen);

/* Creates the slot (pgoutput, without an exported snapshot) if it does not
 * exist; sets *created and *confirmed, the slot's confirmed_flush_lsn (for
 * a new slot its consistent point).  0, or -1 after errbuf. */
int pg_repl_ensure_slot(pg_repl_t *r, const pg_config_t *cfg, bool *created, uint64_t *confirmed, char *errbuf,
                        size_t errlen);

/* START_REPLICATION at `lsn` (the server starts at the later of it and the
 * slot's confirmed_flush_lsn) with pgoutput protocol 1 and the configured
 * publication.  `confirmed` is where the slot stands: status updates report
 * it as flushed until pg_repl_confirm() moves it.  0, or -1 after errbuf. */
int pg_repl_start(pg_repl_t *r, const pg_config_t *cfg, uint64_t lsn, uint64_t confirmed, char *errbuf, size_t errlen);

/* Waits up to timeout_ms for the next pgoutput message, answering
 * keepalives and sending a status update every status.update.interval.ms
 * meanwhile.  1 with *msg set, 0 when the time is up, -1 after errbuf when
 * the stream broke (the caller closes it and may open a new one). */
int pg_repl_next(pg_repl_t *r, int timeout_ms, pg_repl_msg_t *msg, char *errbuf, size_t errlen);

/* Records that everything up to `lsn` is durable downstream; the next status
 * update confirms it.  A position behind the current one is ignored. */
void pg_repl_confirm(pg_repl_t *r, uint64_t lsn);

/* Ends the stream in order (a last status update, CopyDone, the server's
 * results), drops the slot when `drop_slot`, and closes; always frees r.
 * -1 after errbuf when the slot could not be dropped.  NULL is fine. */
int pg_repl_close(pg_repl_t *r, bool drop_slot, char *errbuf, size_t errlen);

/* The frames of the streaming replication protocol (PostgreSQL's "Streaming
 * Replication Protocol"), pure functions for the unit tests.  Keepalive
 * 'k': walEnd, sendTime, replyRequested.  0, or -1 when `buf` is not one. */
int pg_repl_parse_keepalive(const uint8_t *buf, size_t len, uint64_t *wal_end, int64_t *send_time_us,
                            bool *reply_requested);
/* XLogData 'w': its 25-byte header, msg->data pointing into buf. */
int pg_repl_parse_xlogdata(const uint8_t *buf, size_t len, pg_repl_msg_t *msg);
/* Standby status update 'r', 34 bytes: written, flushed, applied, clock. */
#define PG_REPL_STATUS_LEN 34
void pg_repl_encode_status(uint8_t out[PG_REPL_STATUS_LEN], uint64_t written, uint64_t flushed, uint64_t applied,
                           int64_t now_us, bool reply_requested);

#endif
