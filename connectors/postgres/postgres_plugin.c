/*
 * postgres_plugin.c - connectd-postgres.so: a PostgreSQL change data capture
 * source that answers to Debezium's class name and settings, so a Debezium
 * connector config, POSTed as it is, works here and its change events reach
 * the topics Debezium's consumers read.  Built on the public plugin ABI
 * alone plus libpq (docs/connectors/postgres.md).
 *
 * The parts:
 *   pg_config.c   the settings table and its parsed form
 *   pg_conn.c     connections and the checks of the server, role, slot,
 *                 publication and tables, with messages that say what to fix
 *   pg_repl.c     the replication stream: slot, START_REPLICATION, keepalives
 *   pgoutput.c    the frames and messages of the stream, decoded
 *   pg_catalog.c  what the catalog adds: nullability, key order, user types
 *   pg_types.c    PostgreSQL types as Debezium maps them
 *   dbz_event.c   Debezium's change events
 *   pg_stream.c   the stream's messages to records with their offsets
 *   postgres_task.c   the task: connect, ensure publication and slot, stream,
 *                 confirm what the worker committed
 *
 * One task per connector, as Debezium: a slot streams to one client.
 */
#include "postgres_plugin.h"

#include <stddef.h>
#include <stdio.h>

#include "pg_config.h"
#include "pg_conn.h"

#ifndef POSTGRES_PLUGIN_VERSION
#define POSTGRES_PLUGIN_VERSION "0.0.0"
#endif

const cd_host_api_t *pg_host;

/* Debezium's validateConnection, and more: everything a task's start would
 * trip over is tried now, on a regular and a replication connection, so that
 * POST /connectors answers 400 with what to fix instead of creating a
 * connector whose task fails.  Nothing is created here. */
static cd_rc_t postgres_validate(cd_task_t *conn, char *errbuf, size_t errlen)
{
    pg_config_warn_unsupported(pg_host, conn);
    pg_config_t *cfg = pg_config_read(pg_host, conn, errbuf, errlen);
    if (!cfg) {
        return CD_CONFIG;
    }
    /* The connector's one task, if it runs, holds the slot: not a conflict. */
    char own_app[128];
    pg_conn_app_name(own_app, sizeof(own_app), pg_host->connector_name(conn), 0);
    cd_rc_t rc = CD_CONFIG;
    PGconn *db = pg_conn_open(cfg, false, "connectd validation", errbuf, errlen);
    if (db && pg_conn_check(db, cfg, own_app, 0, errbuf, errlen) == 0) {
        /* pg_hba.conf may allow the database and not replication. */
        PGconn *repl = pg_conn_open(cfg, true, "connectd validation", errbuf, errlen);
        rc = repl ? CD_OK : CD_CONFIG;
        PQfinish(repl);
    }
    PQfinish(db);
    pg_config_free(cfg);
    return rc;
}

/* A slot streams to one client: one task whatever tasks.max says. */
static cd_rc_t postgres_task_configs(cd_task_t *conn, int max_tasks)
{
    pg_host->task_config_add(conn);
    return CD_OK;
}

static const char *const postgres_aliases[] = {
    "PostgresConnector",
    NULL,
};

static const cd_plugin_desc_t postgres_source = {
    CD_PLUGIN_DESC_HEADER,
    .name = "io.debezium.connector.postgresql.PostgresConnector",
    .version = POSTGRES_PLUGIN_VERSION,
    .description = "Captures the row changes of PostgreSQL tables through logical replication (pgoutput), "
                   "with Debezium's settings.",
    .kind = CD_KIND_SOURCE,
    .aliases = postgres_aliases,
    .config = pg_config_defs,
    .validate = postgres_validate,
    .task_configs = postgres_task_configs,
    .start = postgres_task_start,
    .poll = postgres_task_poll,
    .commit = postgres_task_commit,
    .stop = postgres_task_stop,
};

static const cd_plugin_desc_t *const postgres_connectors[] = {&postgres_source, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    /* Every function used is in ABI 1.0 (record_reject is its last). */
    size_t needed = offsetof(cd_host_api_t, record_reject) + sizeof(host->record_reject);
    if (host->abi_major != CD_ABI_MAJOR || host->struct_size < needed) {
        return NULL;
    }
    pg_host = host;
    return postgres_connectors;
}
