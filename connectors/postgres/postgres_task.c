/*
 * postgres_task.c - the PostgreSQL source task: at start, the checks of
 * validate() again (the database may have changed since), the publication
 * and the slot created when missing, then the replication stream started;
 * poll() reads it.
 *
 * Start-up order matters: pgoutput reads the publication when it decodes,
 * so the publication is made before the slot (as Debezium does), and both
 * before START_REPLICATION.  The replication connection is the task's only
 * connection while it streams.
 *
 * If the stream breaks (PostgreSQL restarted, network), poll() returns
 * CD_RETRY and the next poll connects again, from the slot's confirmed
 * position, so nothing confirmed is skipped and nothing unconfirmed lost;
 * the worker pauses between retries.  A slot that disappeared is fatal:
 * the changes it held are gone, and the task says so.
 *
 * What is not here yet: the decoding of the pgoutput messages into change
 * events (pgoutput_decode, then pg_types.h and dbz_event.h), the snapshot,
 * offsets and heartbeats.
 * Each message the stream delivers goes to pg_task_message(), which counts
 * it; no record is produced and no position confirmed, so the slot keeps
 * every change for the code that will turn them into events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_config.h"
#include "pg_conn.h"
#include "pg_repl.h"
#include "postgres_plugin.h"

/* How long a starting task waits for its slot to be released by a task
 * that has just stopped (its walsender exits after the connection closes). */
#define SLOT_RELEASE_WAIT_MS 10000

typedef struct pg_task {
    pg_config_t *cfg;
    pg_repl_t *repl;   /* NULL between a broken stream and the reconnection */
    char app[128];     /* application_name: the connector and task, for pg_stat_activity */
    uint64_t messages; /* pgoutput messages received since start */
    bool retrying;     /* the last reconnection failed: log the next success */
} pg_task_t;

/* Connects the replication stream: slot made when missing, streaming from
 * its confirmed position.  -1 after errbuf. */
static int stream_open(cd_task_t *task, pg_task_t *t, char *errbuf, size_t errlen)
{
    bool created = false;
    uint64_t confirmed = 0;
    t->repl = pg_repl_open(t->cfg, t->app, errbuf, errlen);
    if (!t->repl || pg_repl_ensure_slot(t->repl, t->cfg, &created, &confirmed, errbuf, errlen) < 0 ||
        pg_repl_start(t->repl, t->cfg, 0, confirmed, errbuf, errlen) < 0) {
        char ignored[16];
        pg_repl_close(t->repl, false, ignored, sizeof(ignored));
        t->repl = NULL;
        return -1;
    }
    char pos[PGOUTPUT_LSN_BUFSIZE];
    pgoutput_lsn_format(confirmed, pos);
    pg_host->log(task, CD_LOG_INFO, "streaming from %sreplication slot \"%s\" at %s, publication \"%s\"",
                 created ? "new " : "", t->cfg->slot_name, pos, t->cfg->publication_name);
    return 0;
}

cd_rc_t postgres_task_start(cd_task_t *task, void **state)
{
    char err[1024] = "";
    pg_config_warn_unsupported(pg_host, task);
    pg_config_t *cfg = pg_config_read(pg_host, task, err, sizeof(err));
    if (!cfg) {
        pg_host->set_error(task, "%s", err);
        return CD_FATAL;
    }
    pg_task_t *t = calloc(1, sizeof(*t));
    t->cfg = cfg;
    pg_conn_app_name(t->app, sizeof(t->app), pg_host->connector_name(task), pg_host->task_id(task));
    bool created = false;
    PGconn *db = pg_conn_open(cfg, false, t->app, err, sizeof(err));
    /* A previous run of this very task may still hold the slot: wait for
     * it rather than count it as ours. */
    int rc = db ? pg_conn_check(db, cfg, NULL, SLOT_RELEASE_WAIT_MS, err, sizeof(err)) : -1;
    rc = rc == 0 ? pg_conn_ensure_publication(db, cfg, &created, err, sizeof(err)) : rc;
    PQfinish(db);
    if (rc == 0 && created) {
        pg_host->log(task, CD_LOG_INFO, "created publication \"%s\" (publication.autocreate.mode %s)",
                     cfg->publication_name, cfg->autocreate == PG_AUTOCREATE_ALL_TABLES ? "all_tables" : "filtered");
    }
    if (rc < 0 || stream_open(task, t, err, sizeof(err)) < 0) {
        pg_host->set_error(task, "%s", err);
        pg_config_free(cfg);
        free(t);
        return CD_FATAL;
    }
    *state = t;
    return CD_OK;
}

/* One XLogData from the stream, borrowed for the call: msg->data is the
 * pgoutput message for pgoutput_decode.  The decoder and the change events
 * are wired in here; until then the message is only counted. */
static cd_rc_t pg_task_message(cd_task_t *task, pg_task_t *t, const pgoutput_copydata_t *msg, cd_record_t **out,
                               size_t cap, size_t *n)
{
    t->messages++;
    return CD_OK;
}

cd_rc_t postgres_task_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms)
{
    pg_task_t *t = state;
    char err[1024] = "";
    *n = 0;
    if (!t->repl) {
        if (stream_open(task, t, err, sizeof(err)) < 0) {
            /* The slot is gone: what it kept cannot be read any more. */
            if (strstr(err, "does not exist") && strstr(err, "replication slot")) {
                pg_host->set_error(task,
                                   "%s; the changes it held are lost: restart the connector to create a new "
                                   "slot",
                                   err);
                return CD_FATAL;
            }
            pg_host->log(task, CD_LOG_WARN, "cannot resume streaming, will retry: %s", err);
            t->retrying = true;
            return CD_RETRY;
        }
        if (t->retrying) {
            pg_host->log(task, CD_LOG_INFO, "streaming resumed");
            t->retrying = false;
        }
    }
    int wait = timeout_ms < t->cfg->poll_interval_ms ? timeout_ms : (int)t->cfg->poll_interval_ms;
    size_t limit = cap < (size_t)t->cfg->max_batch_size ? cap : (size_t)t->cfg->max_batch_size;
    pgoutput_copydata_t msg;
    while (*n < limit && !pg_host->is_stopping(task)) {
        int got = pg_repl_next(t->repl, wait, &msg, err, sizeof(err));
        if (got < 0) {
            pg_host->log(task, CD_LOG_WARN, "replication stream of slot \"%s\" broke, reconnecting: %s",
                         t->cfg->slot_name, err);
            pg_repl_close(t->repl, false, err, sizeof(err));
            t->repl = NULL;
            /* Records already made go out; the next poll reconnects. */
            return *n > 0 ? CD_OK : CD_RETRY;
        }
        if (got == 0) {
            break;
        }
        cd_rc_t rc = pg_task_message(task, t, &msg, out, limit, n);
        if (rc != CD_OK) {
            return rc;
        }
        wait = 0; /* only what is already there from now on */
    }
    return CD_OK;
}

void postgres_task_stop(cd_task_t *task, void *state)
{
    pg_task_t *t = state;
    char err[512];
    bool streaming = t->repl != NULL;
    if (pg_repl_close(t->repl, t->cfg->drop_slot_on_stop, err, sizeof(err)) < 0) {
        pg_host->log(task, CD_LOG_WARN, "%s", err);
    } else if (streaming && t->cfg->drop_slot_on_stop) {
        pg_host->log(task, CD_LOG_INFO, "dropped replication slot \"%s\" (slot.drop.on.stop)", t->cfg->slot_name);
    }
    pg_host->log(task, CD_LOG_DEBUG, "stopped after %llu pgoutput messages", (unsigned long long)t->messages);
    pg_config_free(t->cfg);
    free(t);
}
