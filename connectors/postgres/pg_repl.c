/*
 * pg_repl.c - the replication connection of a task: slot, START_REPLICATION
 * and the CopyBoth stream, after pg_recvlogical's StreamLog().
 *
 * Inside the COPY, every CopyData message starts with a type byte
 * (integers big-endian, times in microseconds since 2000-01-01; decoded
 * and encoded by pgoutput.c):
 *
 *   server 'w' XLogData   Int64 dataStart, Int64 walEnd, Int64 sendTime, then
 *                         exactly one pgoutput message
 *   server 'k' keepalive  Int64 walEnd, Int64 sendTime, Byte1 replyRequested
 *   client 'r' status     Int64 written, Int64 flushed, Int64 applied,
 *                         Int64 clock, Byte1 replyRequested
 *
 * e.g. the keepalive  6b 00000000 0153cc58 0002b8a1 7ad2c3e4 01  asks for a
 * status update at once; the server ends a stream that stays silent longer
 * than wal_sender_timeout (60 s), so one is also sent every
 * status.update.interval.ms (10 s), from inside pg_repl_next().
 *
 * For a logical slot the server keeps `flushed` as the slot's
 * confirmed_flush_lsn, so we send a position there once, in the first
 * update after pg_repl_confirm() moved it, and 0 ("invalid": the slot stays
 * where it is) in every other: an answer to a keepalive never moves the slot
 * past records the worker has not committed, nor back (PostgreSQL 15 would
 * take a smaller value as it is).  0 also lets the server shut down: a
 * stopping walsender waits until the client reports, as flushed or, when
 * that is invalid, as written, everything it sent (WalSndDone), and we
 * cannot confirm what we have not delivered.  `written` is what we received,
 * up to the end of WAL a keepalive says was sent, as pg_recvlogical reports
 * it; for a logical slot it moves nothing.
 */
#include "pg_repl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "clock.h"
#include "pg_conn.h"
#include "pgoutput.h"

struct pg_repl {
    PGconn *conn;
    char *slot_name;
    bool streaming;          /* inside the COPY of START_REPLICATION */
    uint64_t received;       /* how far the server sent: our "written" */
    uint64_t flushed;        /* confirmed downstream (pg_repl_confirm) */
    uint64_t flush_sent;     /* the last position sent as "flushed": the slot's */
    int64_t status_every_ms; /* status.update.interval.ms */
    int64_t next_status_ms;  /* monotonic time of the next periodic status update */
    char *copybuf;           /* the last frame, freed at the next read */
};

/* ---- the connection --------------------------------------------------------------------- */

static void conn_error(PGconn *conn, const PGresult *res, const char *what, char *errbuf, size_t errlen)
{
    const char *why = res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    size_t n = strlen(why);
    while (n > 0 && why[n - 1] == '\n') {
        n--;
    }
    snprintf(errbuf, errlen, "%s failed: %.*s", what, (int)n, why);
}

pg_repl_t *pg_repl_open(const pg_config_t *cfg, const char *app, char *errbuf, size_t errlen)
{
    PGconn *conn = pg_conn_open(cfg, true, app, errbuf, errlen);
    if (!conn) {
        return NULL;
    }
    pg_repl_t *r = calloc(1, sizeof(*r));
    r->conn = conn;
    r->slot_name = strdup(cfg->slot_name);
    r->status_every_ms = cfg->status_update_interval_ms;
    return r;
}

/* The slot's confirmed_flush_lsn; 1 if it exists, 0 if not, -1 after errbuf.
 * Simple query protocol only: a walsender takes no parameters. */
static int slot_position(pg_repl_t *r, uint64_t *confirmed, char *errbuf, size_t errlen)
{
    char *lit = PQescapeLiteral(r->conn, r->slot_name, strlen(r->slot_name));
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT confirmed_flush_lsn FROM pg_catalog.pg_replication_slots WHERE slot_name = %s",
             lit);
    PQfreemem(lit);
    PGresult *res = PQexec(r->conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        conn_error(r->conn, res, "reading the replication slot", errbuf, errlen);
        PQclear(res);
        return -1;
    }
    int found = PQntuples(res) > 0;
    if (found && !pgoutput_lsn_parse(PQgetvalue(res, 0, 0), confirmed)) {
        *confirmed = 0;
    }
    PQclear(res);
    return found;
}

int pg_repl_ensure_slot(pg_repl_t *r, const pg_config_t *cfg, char *snapshot, size_t snaplen, bool *created,
                        uint64_t *confirmed, char *errbuf, size_t errlen)
{
    *created = false;
    if (snapshot) {
        snapshot[0] = '\0';
    }
    int found = slot_position(r, confirmed, errbuf, errlen);
    if (found != 0) {
        return found < 0 ? -1 : 0;
    }
    /* The slot name is [a-z0-9_] (the table's validator): no quoting
     * needed, but quoted all the same.  PostgreSQL 15 spells the options
     * in parentheses; before, as keywords. */
    bool v15 = PQserverVersion(r->conn) >= 150000;
    char sql[256];
    snprintf(sql, sizeof(sql), "CREATE_REPLICATION_SLOT \"%s\" LOGICAL \"pgoutput\" %s", r->slot_name,
             snapshot ? (v15 ? "(SNAPSHOT 'export')" : "EXPORT_SNAPSHOT")
                      : (v15 ? "(SNAPSHOT 'nothing')" : "NOEXPORT_SNAPSHOT"));
    PGresult *res = PQexec(r->conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state && strcmp(state, "42710") == 0) { /* duplicate_object: made meanwhile by another */
            PQclear(res);
            return slot_position(r, confirmed, errbuf, errlen) < 0 ? -1 : 0;
        }
        char what[160];
        snprintf(what, sizeof(what), "creating replication slot \"%s\" (slot.name)%s", r->slot_name,
                 snapshot ? " with an exported snapshot" : "");
        conn_error(r->conn, res, what, errbuf, errlen);
        if (state && strcmp(state, "53400") == 0) { /* configuration_limit_exceeded: all slots in use */
            size_t len = strlen(errbuf);
            snprintf(errbuf + len, errlen - len,
                     "; every slot the server allows is taken: drop one no longer used (SELECT "
                     "pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active), or raise "
                     "max_replication_slots and restart PostgreSQL");
        }
        PQclear(res);
        return -1;
    }
    if (!pgoutput_lsn_parse(PQgetvalue(res, 0, 1), confirmed)) {
        *confirmed = 0;
    }
    if (snapshot && !PQgetisnull(res, 0, 2)) {
        snprintf(snapshot, snaplen, "%s", PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    *created = true;
    return 0;
}

int pg_repl_start(pg_repl_t *r, const pg_config_t *cfg, uint64_t lsn, uint64_t confirmed, char *errbuf, size_t errlen)
{
    /* publication_names is a list of identifiers inside a string literal:
     * the name is double-quoted for the list, then the literal escaped. */
    size_t plen = strlen(cfg->publication_name);
    char *ident = malloc(2 * plen + 3), *q = ident;
    *q++ = '"';
    for (const char *p = cfg->publication_name; *p; p++) {
        if (*p == '"') {
            *q++ = '"';
        }
        *q++ = *p;
    }
    *q++ = '"';
    *q = '\0';
    char *lit = PQescapeLiteral(r->conn, ident, strlen(ident));
    free(ident);
    char pos[PGOUTPUT_LSN_BUFSIZE];
    pgoutput_lsn_format(lsn, pos);
    size_t cap = strlen(lit) + 256;
    char *sql = malloc(cap);
    /* PostgreSQL 14 and later stream a transaction too large for their
     * logical_decoding_work_mem before it commits (protocol 2), rather
     * than spill it to their own disk and send it all at the commit. */
    bool streaming = PQserverVersion(r->conn) >= 140000;
    snprintf(sql, cap, "START_REPLICATION SLOT \"%s\" LOGICAL %s (\"proto_version\" '%d', %s\"publication_names\" %s)",
             r->slot_name, pos, streaming ? 2 : 1, streaming ? "\"streaming\" 'on', " : "", lit);
    PQfreemem(lit);
    PGresult *res = PQexec(r->conn, sql);
    free(sql);
    if (PQresultStatus(res) != PGRES_COPY_BOTH) {
        char what[160];
        snprintf(what, sizeof(what), "starting replication from slot \"%s\" (slot.name)", r->slot_name);
        conn_error(r->conn, res, what, errbuf, errlen);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    r->streaming = true;
    r->received = lsn > confirmed ? lsn : confirmed;
    r->flushed = confirmed;
    r->flush_sent = confirmed;
    r->next_status_ms = clock_mono_ms() + r->status_every_ms;
    return 0;
}

void pg_repl_confirm(pg_repl_t *r, uint64_t lsn)
{
    if (lsn > r->flushed) {
        r->flushed = lsn;
    }
}

uint64_t pg_repl_received(const pg_repl_t *r)
{
    return r->received;
}

static int send_status(pg_repl_t *r, char *errbuf, size_t errlen)
{
    uint8_t buf[PGOUTPUT_STANDBY_STATUS_SIZE];
    int64_t now = pgoutput_time_from_unix_us(clock_wall_ms() * 1000);
    uint64_t flush = r->flushed > r->flush_sent ? r->flushed : 0;
    pgoutput_standby_status_encode(buf, r->received, flush, flush, now, false);
    if (PQputCopyData(r->conn, (const char *)buf, sizeof(buf)) <= 0 || PQflush(r->conn) != 0) {
        conn_error(r->conn, NULL, "sending a standby status update", errbuf, errlen);
        return -1;
    }
    if (flush) {
        r->flush_sent = flush;
    }
    r->next_status_ms = clock_mono_ms() + r->status_every_ms;
    return 0;
}

/* The end of a COPY the server closed: its error, in errbuf. */
static void stream_ended(pg_repl_t *r, char *errbuf, size_t errlen)
{
    PGresult *res = PQgetResult(r->conn);
    if (res && PQresultStatus(res) != PGRES_COMMAND_OK) {
        conn_error(r->conn, res, "replication stream", errbuf, errlen);
    } else {
        snprintf(errbuf, errlen, "the server ended the replication stream of slot \"%s\"", r->slot_name);
    }
    PQclear(res);
    r->streaming = false;
}

int pg_repl_tick(pg_repl_t *r, char *errbuf, size_t errlen)
{
    return clock_mono_ms() >= r->next_status_ms ? send_status(r, errbuf, errlen) : 0;
}

int pg_repl_next(pg_repl_t *r, int timeout_ms, pgoutput_copydata_t *msg, char *errbuf, size_t errlen)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;
    for (;;) {
        if (clock_mono_ms() >= r->next_status_ms && send_status(r, errbuf, errlen) < 0) {
            return -1;
        }
        PQfreemem(r->copybuf);
        r->copybuf = NULL;
        int n = PQgetCopyData(r->conn, &r->copybuf, 1);
        if (n > 0) {
            char why[256];
            if (pgoutput_copydata_decode((const uint8_t *)r->copybuf, (size_t)n, msg, why, sizeof(why)) !=
                PGOUTPUT_ERR_OK) {
                snprintf(errbuf, errlen, "in the replication stream of slot \"%s\": %s", r->slot_name, why);
                return -1;
            }
            if (msg->wal_end > r->received) {
                r->received = msg->wal_end;
            }
            if (msg->type == 'w') {
                return 1;
            }
            if (msg->reply_requested && send_status(r, errbuf, errlen) < 0) {
                return -1;
            }
            continue;
        }
        if (n == -1) {
            stream_ended(r, errbuf, errlen);
            return -1;
        }
        if (n < -1) {
            conn_error(r->conn, NULL, "reading the replication stream", errbuf, errlen);
            return -1;
        }
        /* Nothing buffered: wait for the socket until the deadline or the
         * next status update, whichever is first.  The socket is read
         * even when the time is up (timeout 0): what the server sent is
         * only buffered by PQconsumeInput, so a caller that never waits
         * would otherwise never see it. */
        int64_t now = clock_mono_ms();
        int64_t until = deadline < r->next_status_ms ? deadline : r->next_status_ms;
        struct pollfd pfd = {.fd = PQsocket(r->conn), .events = POLLIN};
        int rc = poll(&pfd, 1, (int)(until > now ? until - now : 0));
        if (rc < 0 && errno != EINTR) {
            snprintf(errbuf, errlen, "waiting for the replication stream: %s", strerror(errno));
            return -1;
        }
        if (rc > 0 && !PQconsumeInput(r->conn)) {
            conn_error(r->conn, NULL, "reading the replication stream", errbuf, errlen);
            return -1;
        }
        if (rc <= 0 && clock_mono_ms() >= deadline) {
            return 0;
        }
    }
}

int pg_repl_close(pg_repl_t *r, bool drop_slot, char *errbuf, size_t errlen)
{
    if (!r) {
        return 0;
    }
    PQfreemem(r->copybuf);
    if (r->streaming && PQstatus(r->conn) == CONNECTION_OK) {
        /* A last status update, CopyDone, then the rest of the COPY must be
         * read before PQgetResult() leaves COPY state (it would return
         * PGRES_COPY_OUT forever otherwise). */
        char ignored[256];
        if (send_status(r, ignored, sizeof(ignored)) == 0 && PQputCopyEnd(r->conn, NULL) > 0 && PQflush(r->conn) == 0) {
            char *buf = NULL;
            while (PQgetCopyData(r->conn, &buf, 0) >= 0) {
                PQfreemem(buf);
                buf = NULL;
            }
            PGresult *res;
            while ((res = PQgetResult(r->conn)) != NULL) {
                PQclear(res);
            }
        }
    }
    int rc = 0;
    if (drop_slot) {
        char sql[160];
        snprintf(sql, sizeof(sql), "DROP_REPLICATION_SLOT \"%s\" WAIT", r->slot_name);
        PGresult *res = PQexec(r->conn, sql);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            snprintf(sql, sizeof(sql), "dropping replication slot \"%s\" (slot.drop.on.stop)", r->slot_name);
            conn_error(r->conn, res, sql, errbuf, errlen);
            rc = -1;
        }
        PQclear(res);
    }
    PQfinish(r->conn);
    free(r->slot_name);
    free(r);
    return rc;
}
