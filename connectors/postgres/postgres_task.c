/*
 * postgres_task.c - the PostgreSQL source task: at start, the checks of
 * validate() again (the database may have changed since), the publication
 * and the slot created when missing, then the replication stream started
 * where the committed offset says; poll() reads it and returns the change
 * events pg_stream.c makes of it; commit() confirms to the server what the
 * worker has committed.
 *
 * Start-up order matters: pgoutput reads the publication when it decodes,
 * so the publication is made before the slot (as Debezium does), and both
 * before START_REPLICATION.  The task keeps a regular connection besides
 * the replication one, for the catalog (pg_catalog.h) and
 * heartbeat.action.query.
 *
 * Delivery is at least once, nothing lost.  The slot's confirmed_flush_lsn
 * (below which the server may recycle WAL) moves only in commit(), which
 * the worker calls once the offsets of every record polled so far are
 * committed, and only to the end of the last transaction all of whose
 * records were polled.  At start the task resumes at the committed
 * offset's lsn_proc (the slot may be behind it: the confirmation of the
 * last commit may not have reached the server before a crash), so a
 * transaction is delivered again only when its records were not all
 * committed.
 *
 * If the stream breaks (PostgreSQL restarted, network), the next poll
 * connects again, from the end of the last transaction read, so nothing
 * is skipped and only the transaction being read (and its records handed
 * out early, if it was a big one) comes again.  A failed attempt returns
 * CD_RETRY (the worker pauses a second and counts a retry); the attempts
 * after it wait out an exponential backoff, 1 s doubling up to 10 s,
 * inside poll() (which returns no records meanwhile), so a PostgreSQL
 * down for an hour is not asked 3600 times.  An outage is logged once
 * when the stream breaks and once when it is back, with the attempts in
 * between at DEBUG; meanwhile the task's status shows it as "progress".
 * A slot that disappeared is fatal: the changes it held are gone, and the
 * task says so.
 *
 * heartbeat.interval.ms: between transactions, at most that often, a
 * heartbeat record (Debezium's, to <topic.heartbeat.prefix>.<topic.prefix>)
 * whose offset is where the server says it is, so that a database whose
 * captured tables are idle while others are written still has its slot
 * advanced once the heartbeat is committed.
 *
 * The initial snapshot (pg_snapshot.h) comes first when snapshot.mode
 * and the committed offset say so (pg_snapshot_plan): at start the slot is
 * created with an exported snapshot if it does not exist, and the snapshot
 * transaction imports it; poll() then hands out the snapshot's records, and
 * only once its last one is out opens the stream, at the slot's consistent
 * point (or where the offset says).  Until then commit() confirms nothing:
 * the slot never moves before the snapshot is complete.  Under
 * initial_only there is neither slot nor stream: after the snapshot the
 * task stays RUNNING and idle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "pg_config.h"
#include "pg_conn.h"
#include "pg_repl.h"
#include "pg_snapshot.h"
#include "pg_stream.h"
#include "postgres_plugin.h"

/* How long a starting task waits for its slot to be released by a task
 * that has just stopped (its walsender exits after the connection closes). */
#define SLOT_RELEASE_WAIT_MS 10000

/* The pauses between reconnection attempts: doubled after each failure. */
#define RECONNECT_BACKOFF_MIN_MS 1000
#define RECONNECT_BACKOFF_MAX_MS 10000

typedef struct pg_task {
    pg_config_t *cfg;
    pg_repl_t *repl;     /* NULL between a broken stream and the reconnection */
    PGconn *db;          /* the regular connection: catalog, heartbeat.action.query */
    pg_stream_t *stream; /* messages to records */
    pg_snapshot_t *snap; /* the initial snapshot while it runs: the stream waits */
    bool streams;        /* false under initial_only: no slot, no stream */
    bool idle_logged;    /* the idle task said why, once */
    char app[128];       /* application_name: the connector and task, for pg_stat_activity */
    uint64_t messages;   /* pgoutput messages received since start */
    uint64_t committed;  /* the LSN the worker has committed everything up to */
    int64_t next_heartbeat_ms;
    /* An outage: since when the stream is down (0: it is up), the failed
     * attempts since, the pause after the last and when the next is due. */
    int64_t down_since_ms;
    unsigned attempts;
    int64_t backoff_ms;
    int64_t retry_at_ms;
} pg_task_t;

/* Connects the replication stream: slot made when missing, streaming from
 * its confirmed position.  -1 after errbuf. */
static int stream_open(cd_task_t *task, pg_task_t *t, char *errbuf, size_t errlen)
{
    bool created = false;
    uint64_t confirmed = 0;
    if (!t->db || PQstatus(t->db) != CONNECTION_OK) {
        PQfinish(t->db);
        t->db = pg_conn_open(t->cfg, false, t->app, errbuf, errlen);
        if (!t->db) {
            return -1;
        }
    }
    uint64_t from = pg_stream_reconnect(t->stream);
    t->repl = pg_repl_open(t->cfg, t->app, errbuf, errlen);
    if (!t->repl || pg_repl_ensure_slot(t->repl, t->cfg, NULL, 0, &created, &confirmed, errbuf, errlen) < 0 ||
        pg_repl_start(t->repl, t->cfg, from, confirmed, errbuf, errlen) < 0) {
        char ignored[16];
        pg_repl_close(t->repl, false, ignored, sizeof(ignored));
        t->repl = NULL;
        return -1;
    }
    /* What the worker committed and the slot may not have heard of yet. */
    pg_repl_confirm(t->repl, t->committed);
    char pos[PGOUTPUT_LSN_BUFSIZE];
    pgoutput_lsn_format(from > confirmed ? from : confirmed, pos);
    pg_host->log(task, CD_LOG_INFO, "streaming from %sreplication slot \"%s\" at %s, publication \"%s\"",
                 created ? "new " : "", t->cfg->slot_name, pos, t->cfg->publication_name);
    return 0;
}

/* The committed offset into *pos.  -1 after errbuf when it is not one of
 * ours. */
static int committed_position(cd_task_t *task, pg_task_t *t, pg_snapshot_position_t *pos, char *errbuf, size_t errlen)
{
    /* A partition of our own, before the stream exists. */
    cd_value_t *part = pg_host->value_map();
    pg_host->value_map_put(part, pg_host->value_string("server", 6),
                           pg_host->value_string(t->cfg->topic_prefix, strlen(t->cfg->topic_prefix)));
    cd_value_t *off = pg_host->offset_read(task, part);
    pg_host->value_free(part);
    char why[128];
    int rc = pg_snapshot_position_read(pg_host, off, pos, why, sizeof(why));
    pg_host->value_free(off);
    if (rc < 0) {
        snprintf(errbuf, errlen,
                 "the committed offset of server \"%s\" has no LSN in lsn_proc; reset the connector's offsets "
                 "(DELETE /connectors/{name}/offsets) to stream from the slot's position",
                 t->cfg->topic_prefix);
    }
    return rc;
}

/* Decides, from the committed offset and the slot, whether a snapshot
 * comes first and where streaming starts (pg_snapshot_plan), and says so in
 * the log.  -1 after errbuf. */
static int start_plan(cd_task_t *task, pg_task_t *t, pg_snapshot_position_t *pos, pg_snapshot_plan_t *plan,
                      char *errbuf, size_t errlen)
{
    uint64_t confirmed = 0;
    int slot = committed_position(task, t, pos, errbuf, errlen) < 0
                   ? -1
                   : pg_conn_slot_position(t->db, t->cfg, &confirmed, errbuf, errlen);
    if (slot < 0) {
        return -1;
    }
    pg_snapshot_plan(t->cfg->snapshot_mode, pos, slot == 1, confirmed, plan);
    const char *mode = pg_host->config_get(task, "snapshot.mode");
    char at[PGOUTPUT_LSN_BUFSIZE];
    if (plan->snapshot) {
        pg_host->log(task, CD_LOG_INFO, "snapshot.mode %s: %s, so the captured tables are read%s%s", mode, plan->why,
                     plan->resume ? " on from where the snapshot stopped" : "",
                     plan->stream ? ", then changes streamed" : "");
    } else if (plan->changes_lost) {
        pg_host->log(task, CD_LOG_WARN,
                     "replication slot \"%s\" %s: the changes after the committed offset's LSN %s are lost "
                     "(snapshot.mode when_needed would read the tables again in this case)",
                     t->cfg->slot_name, slot ? "has been confirmed past the committed offset" : "does not exist",
                     pgoutput_lsn_format(pos->lsn_proc, at));
    } else if (!t->streams) {
        pg_host->log(task, CD_LOG_INFO, "snapshot.mode %s: %s, so there is no snapshot to take", mode, plan->why);
    }
    if (!plan->snapshot && pos->present) {
        pg_host->log(task, CD_LOG_INFO, "resuming after LSN %s (committed offset)",
                     pgoutput_lsn_format(pos->lsn_proc, at));
    }
    /* What the worker committed and the slot may not have heard of yet;
     * nothing while a snapshot is unfinished. */
    t->committed = pos->present && !pg_snapshot_position_in_progress(pos) ? pos->lsn_proc : 0;
    return 0;
}

/* Starts the snapshot the plan asks for: the slot created with an exported
 * snapshot when it does not exist, imported by the snapshot's transaction
 * before anything else runs on the replication connection.  -1 after
 * errbuf. */
static int start_snapshot(cd_task_t *task, pg_task_t *t, const pg_snapshot_plan_t *plan,
                          const pg_snapshot_position_t *pos, char *errbuf, size_t errlen)
{
    /* A table the user may not read fails now, before a slot exists. */
    if (pg_snapshot_check(t->db, t->cfg, errbuf, errlen) < 0) {
        return -1;
    }
    char exported[128] = "";
    uint64_t from = plan->stream_from;
    pg_repl_t *repl = NULL;
    if (plan->export_slot) {
        bool created = false;
        repl = pg_repl_open(t->cfg, t->app, errbuf, errlen);
        if (!repl ||
            pg_repl_ensure_slot(repl, t->cfg, exported, sizeof(exported), &created, &from, errbuf, errlen) < 0) {
            char ignored[16];
            pg_repl_close(repl, false, ignored, sizeof(ignored));
            return -1;
        }
        char at[PGOUTPUT_LSN_BUFSIZE];
        pg_host->log(task, CD_LOG_INFO, "%s replication slot \"%s\" at %s%s", created ? "created" : "found",
                     t->cfg->slot_name, pgoutput_lsn_format(from, at),
                     exported[0] ? ", with an exported snapshot" : "");
    }
    t->stream = pg_stream_create(task, t->cfg, from, errbuf, errlen);
    t->snap = t->stream ? pg_snapshot_begin(task, t->cfg, t->stream, exported[0] ? exported : NULL, from,
                                            plan->resume ? pos : NULL, errbuf, errlen)
                        : NULL;
    /* The exported snapshot is imported (or will never be): the
     * replication connection has served, and the stream opens its own. */
    char ignored[16];
    pg_repl_close(repl, false, ignored, sizeof(ignored));
    return t->snap ? 0 : -1;
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
    t->streams = cfg->snapshot_mode != PG_SNAPSHOT_INITIAL_ONLY;
    pg_conn_app_name(t->app, sizeof(t->app), pg_host->connector_name(task), pg_host->task_id(task));
    bool created = false;
    PGconn *db = pg_conn_open(cfg, false, t->app, err, sizeof(err));
    /* A previous run of this very task may still hold the slot: wait for
     * it rather than count it as ours. */
    int rc = db ? pg_conn_check(db, cfg, NULL, SLOT_RELEASE_WAIT_MS, err, sizeof(err)) : -1;
    /* Without a stream (initial_only) there is no slot to read a publication. */
    rc = rc == 0 && t->streams ? pg_conn_ensure_publication(db, cfg, &created, err, sizeof(err)) : rc;
    t->db = db;
    if (rc == 0 && created) {
        pg_host->log(task, CD_LOG_INFO, "created publication \"%s\" (publication.autocreate.mode %s)",
                     cfg->publication_name, cfg->autocreate == PG_AUTOCREATE_ALL_TABLES ? "all_tables" : "filtered");
    }
    pg_snapshot_position_t pos = {0};
    pg_snapshot_plan_t plan = {0};
    rc = rc == 0 ? start_plan(task, t, &pos, &plan, err, sizeof(err)) : rc;
    if (rc == 0 && plan.snapshot) {
        rc = start_snapshot(task, t, &plan, &pos, err, sizeof(err));
    } else if (rc == 0) {
        t->stream = pg_stream_create(task, cfg, plan.stream_from, err, sizeof(err));
        rc = t->stream && (!t->streams || stream_open(task, t, err, sizeof(err)) == 0) ? 0 : -1;
    }
    pg_snapshot_position_clear(&pos);
    if (rc < 0) {
        pg_host->set_error(task, "%s", err);
        pg_snapshot_destroy(t->snap);
        pg_stream_destroy(t->stream);
        PQfinish(t->db);
        pg_config_free(cfg);
        free(t);
        return CD_FATAL;
    }
    t->next_heartbeat_ms = clock_mono_ms() + t->cfg->heartbeat_interval_ms;
    *state = t;
    return CD_OK;
}

/* Drops the replication stream after it broke, and the regular
 * connection with it (a restarted server broke both, and libpq only notices
 * at the next query); the next poll connects again. */
static void stream_lost(cd_task_t *task, pg_task_t *t, const char *why)
{
    char ignored[256];
    PQfinish(t->db);
    t->db = NULL;
    pg_host->log(task, CD_LOG_WARN, "replication stream of slot \"%s\" broke, reconnecting: %s", t->cfg->slot_name,
                 why);
    pg_repl_close(t->repl, false, ignored, sizeof(ignored));
    t->repl = NULL;
    t->down_since_ms = clock_mono_ms();
    t->attempts = 0;
    t->backoff_ms = 0;
    t->retry_at_ms = 0;
}

/* Waits until `until` (monotonic ms) or the task is stopping. */
static void pause_until(cd_task_t *task, int64_t until)
{
    for (int64_t now = clock_mono_ms(); now < until && !pg_host->is_stopping(task); now = clock_mono_ms()) {
        int64_t ms = until - now < 100 ? until - now : 100;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000};
        nanosleep(&ts, NULL);
    }
}

/* Connects the stream again after an outage, once its backoff is over.
 * CD_OK when it streams (or must still wait: then nothing is polled),
 * CD_RETRY after a failed attempt, CD_FATAL when the slot is gone. */
static cd_rc_t stream_reconnect(cd_task_t *task, pg_task_t *t, int timeout_ms)
{
    int64_t now = clock_mono_ms();
    if (now < t->retry_at_ms) {
        pause_until(task, t->retry_at_ms < now + timeout_ms ? t->retry_at_ms : now + timeout_ms);
        if (clock_mono_ms() < t->retry_at_ms) {
            return CD_OK;
        }
    }
    char err[1024] = "";
    if (stream_open(task, t, err, sizeof(err)) < 0) {
        /* The slot is gone: what it kept cannot be read any more. */
        if (strstr(err, "does not exist") && strstr(err, "replication slot")) {
            pg_host->set_error(task, "%s; the changes it held are lost: restart the connector to create a new slot",
                               err);
            return CD_FATAL;
        }
        t->attempts++;
        t->backoff_ms = t->backoff_ms ? t->backoff_ms * 2 : RECONNECT_BACKOFF_MIN_MS;
        if (t->backoff_ms > RECONNECT_BACKOFF_MAX_MS) {
            t->backoff_ms = RECONNECT_BACKOFF_MAX_MS;
        }
        t->retry_at_ms = clock_mono_ms() + t->backoff_ms;
        pg_host->log(task, CD_LOG_DEBUG, "reconnection attempt %u failed, next in %lld ms: %s", t->attempts,
                     (long long)t->backoff_ms, err);
        if (CD_HOST_HAS(pg_host, progress_set)) {
            pg_host->progress_set(task, "reconnecting to PostgreSQL: down for %lld s, %u attempts, next in %lld s",
                                  (long long)((clock_mono_ms() - t->down_since_ms) / 1000), t->attempts,
                                  (long long)(t->backoff_ms / 1000));
        }
        return CD_RETRY;
    }
    pg_host->log(task, CD_LOG_INFO, "streaming resumed after %lld ms (%u failed attempts)",
                 (long long)(clock_mono_ms() - t->down_since_ms), t->attempts);
    if (t->attempts > 0 && CD_HOST_HAS(pg_host, progress_set)) {
        pg_host->progress_set(task, NULL);
    }
    t->down_since_ms = 0;
    return CD_OK;
}

/* heartbeat.interval.ms: a heartbeat record when it is time and the
 * stream is between transactions, and heartbeat.action.query run. */
static void heartbeat(cd_task_t *task, pg_task_t *t)
{
    if (t->cfg->heartbeat_interval_ms <= 0 || !t->repl || clock_mono_ms() < t->next_heartbeat_ms ||
        !pg_stream_heartbeat(t->stream, pg_repl_received(t->repl))) {
        return;
    }
    t->next_heartbeat_ms = clock_mono_ms() + t->cfg->heartbeat_interval_ms;
    if (t->cfg->heartbeat_action_query) {
        PGresult *res = PQexec(t->db, t->cfg->heartbeat_action_query);
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            pg_host->log(task, CD_LOG_WARN, "heartbeat.action.query failed: %s", PQresultErrorMessage(res));
        }
        PQclear(res);
    }
}

/* The snapshot's next records; once its last is out, the stream opens
 * (a failure to is an outage: the next polls try again). */
static cd_rc_t snapshot_poll(cd_task_t *task, pg_task_t *t, cd_record_t **out, size_t cap, size_t *n)
{
    char err[1024] = "";
    int rc = pg_snapshot_poll(t->snap, out, cap, n, err, sizeof(err));
    if (rc < 0) {
        pg_host->set_error(task, "%s", err);
        return CD_FATAL;
    }
    if (rc == 1) {
        bool none = pg_snapshot_records(t->snap) == 0;
        pg_snapshot_destroy(t->snap);
        t->snap = NULL;
        /* A snapshot that made no record committed no offset saying it is
         * complete, and a restart would take it again: a heartbeat, when
         * they are on, records it (with where streaming starts). */
        if (none && t->streams && t->cfg->heartbeat_interval_ms > 0) {
            pg_stream_heartbeat(t->stream, 0);
        }
        t->next_heartbeat_ms = clock_mono_ms() + t->cfg->heartbeat_interval_ms;
        if (t->streams && stream_open(task, t, err, sizeof(err)) < 0) {
            pg_host->log(task, CD_LOG_WARN, "cannot start streaming after the snapshot, will retry: %s", err);
            t->down_since_ms = clock_mono_ms();
        }
    }
    return CD_OK;
}

/* initial_only after its snapshot: nothing to do, said once. */
static cd_rc_t idle_poll(cd_task_t *task, pg_task_t *t, int timeout_ms)
{
    if (!t->idle_logged) {
        pg_host->log(task, CD_LOG_INFO,
                     "snapshot.mode is initial_only: the snapshot is complete and changes are not streamed; the task "
                     "stays idle (set snapshot.mode to initial or no_data to stream)");
        t->idle_logged = true;
    }
    int64_t until = clock_mono_ms() + (timeout_ms < t->cfg->poll_interval_ms ? timeout_ms : t->cfg->poll_interval_ms);
    while (clock_mono_ms() < until && !pg_host->is_stopping(task)) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return CD_OK;
}

cd_rc_t postgres_task_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms)
{
    pg_task_t *t = state;
    char err[1024] = "";
    *n = 0;
    size_t limit = cap < (size_t)t->cfg->max_batch_size ? cap : (size_t)t->cfg->max_batch_size;
    if (t->snap) {
        return snapshot_poll(task, t, out, limit, n);
    }
    if (!t->streams) {
        return idle_poll(task, t, timeout_ms);
    }
    if (!t->repl) {
        cd_rc_t rc = stream_reconnect(task, t, timeout_ms);
        if (rc != CD_OK || !t->repl) {
            return rc;
        }
    }
    int wait = timeout_ms < t->cfg->poll_interval_ms ? timeout_ms : (int)t->cfg->poll_interval_ms;
    /* Records that can go out now: only what is already there.  Records
     * of a transaction whose Commit has not come cannot go out, so the
     * read waits for more (it returns as soon as a message arrives):
     * polling again at once spun the task thread some 300,000 times a
     * second under pgbench, and on two busy cores delayed the walsender
     * that was to send the Commit. */
    if (pg_stream_ready(t->stream) > 0) {
        wait = 0;
    }
    pgoutput_copydata_t msg;
    while (pg_stream_queued(t->stream) < limit && !pg_host->is_stopping(task)) {
        /* A streamed transaction whose Stream Commit came is queued
         * before anything the server sent after it. */
        int rc = pg_stream_replay(t->stream, t->db, limit, err, sizeof(err));
        if (rc == 0) {
            int got = pg_repl_next(t->repl, wait, &msg, err, sizeof(err));
            if (got < 0) {
                stream_lost(task, t, err);
                break;
            }
            if (got == 0) {
                break;
            }
            t->messages++;
            rc = pg_stream_message(t->stream, t->db, &msg, err, sizeof(err));
        }
        if (rc == -1) {
            pg_host->set_error(task, "%s", err);
            return CD_FATAL;
        }
        if (rc == -2) {
            /* The Relation message is lost with the stream: read again
             * from the end of the last transaction, after reconnecting. */
            stream_lost(task, t, err);
            break;
        }
        wait = 0; /* only what is already there from now on */
    }
    /* Reading a spool back reads nothing from the server: the status
     * updates that keep the stream must go on all the same. */
    if (t->repl && pg_repl_tick(t->repl, err, sizeof(err)) < 0) {
        stream_lost(task, t, err);
    }
    heartbeat(task, t);
    /* Records of finished transactions go out; those of the open one only
     * when max.batch.size of them wait (the memory bound). */
    *n = pg_stream_take(t->stream, out, cap, pg_stream_queued(t->stream) >= limit);
    return *n > 0 || t->repl ? CD_OK : CD_RETRY;
}

cd_rc_t postgres_task_commit(cd_task_t *task, void *state)
{
    pg_task_t *t = state;
    if (t->snap) {
        return CD_OK; /* nothing is confirmed before the snapshot is complete */
    }
    t->committed = pg_stream_delivered(t->stream);
    if (t->repl) {
        pg_repl_confirm(t->repl, t->committed);
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
    pg_snapshot_destroy(t->snap);
    pg_stream_destroy(t->stream);
    PQfinish(t->db);
    pg_config_free(t->cfg);
    free(t);
}
