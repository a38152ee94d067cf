/*
 * pg_conn.h - libpq connections to the captured database, and the checks
 * that turn a server or role not set up for logical decoding into a message
 * that says what to change.
 *
 * Every function that fails writes one sentence into errbuf that names the
 * connector setting concerned (database.password, slot.name, ...): the
 * worker shows a validate() message on the setting it names, so the wording
 * decides where the user sees it.
 *
 * Connections are used by one thread at a time (the task's, or the REST
 * thread of a validation).
 */
#ifndef CONNECTD_PG_CONN_H
#define CONNECTD_PG_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "pg_config.h"

/* Opens a regular connection to the configured database, or a logical
 * replication one (replication=database: replication commands and simple
 * SQL).  `app` is the application_name the server shows in
 * pg_stat_activity.  NULL after errbuf (pgc_conn_open's sentences, naming
 * the database.* settings). */
PGconn *pg_conn_open(const pg_config_t *cfg, bool replication, const char *app, char *errbuf, size_t errlen);

/* On a regular connection: the server is set up for logical decoding
 * (wal_level, slots, WAL senders); the user may replicate; the slot is not
 * used by another client (waiting up to slot_wait_ms for it to be
 * released: a task that just stopped may still hold it), and was made by
 * pgoutput for this database; the publication exists or may be created;
 * every table.include.list expression matches a table.  A slot streaming to
 * a session named `own_app` (pg_conn_app_name) is not another client's:
 * validating the new config of a running connector finds its own task
 * there.  NULL: every client is another.  0, or -1 after errbuf. */
int pg_conn_check(PGconn *conn, const pg_config_t *cfg, const char *own_app, int slot_wait_ms, char *errbuf,
                  size_t errlen);

/* The slot's confirmed_flush_lsn into *confirmed: 1 when the slot exists,
 * 0 when not, -1 after errbuf. */
int pg_conn_slot_position(PGconn *conn, const pg_config_t *cfg, uint64_t *confirmed, char *errbuf, size_t errlen);

/* The application_name of the connections of a connector's task
 * ("connectd orders-0"), which pg_stat_activity shows. */
void pg_conn_app_name(char *buf, size_t len, const char *connector, int task_id);

/* Creates the publication as publication.autocreate.mode says when it does
 * not exist; an existing one is used as it is.  Sets *created.  0, or -1
 * after errbuf. */
int pg_conn_ensure_publication(PGconn *conn, const pg_config_t *cfg, bool *created, char *errbuf, size_t errlen);

#endif
