/*
 * pg_conn.c - connecting to PostgreSQL, and checking that the server, the
 * user, the slot, the publication and the tables are what logical decoding
 * with pgoutput needs, before a task depends on it.
 *
 * Opening a connection, and telling why one failed, is pgc_conn_open's
 * (connectors/pgcommon/), shared with the JDBC connectors.  Queries run with
 * PQexecParams where values are user-given, never pasted into SQL.
 */
#include "pg_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgc_conn.h"
#include "pgoutput.h"

/* The server keeps NAMEDATALEN - 1 bytes of an application_name. */
#define APP_NAME_MAX 63

/* ---- connecting ------------------------------------------------------------------ */

PGconn *pg_conn_open(const pg_config_t *cfg, bool replication, const char *app, char *errbuf, size_t errlen)
{
    static const pgc_conn_settings_t names = {
        .address = "database.hostname and database.port",
        .login = "database.user and database.password",
        .dbname = "database.dbname",
        .user = "database.user",
    };
    char port[16];
    snprintf(port, sizeof(port), "%d", cfg->port);
    const char *keys[] = {"host",        "port", "dbname", "user", "password", "sslmode", "application_name",
                          "replication", NULL};
    const char *values[] = {cfg->hostname,
                            port,
                            cfg->dbname,
                            cfg->user,
                            cfg->password ? cfg->password : "",
                            cfg->sslmode,
                            app,
                            replication ? "database" : NULL,
                            NULL};
    return pgc_conn_open(keys, values, replication, &names, NULL, errbuf, errlen);
}

/* ---- queries ----------------------------------------------------------------------- */

/* A query with text parameters; the result, or NULL after errbuf (the
 * result freed).  `what` says what the query is for, in messages. */
static PGresult *query(PGconn *conn, const char *sql, int n, const char *const *params, const char *what, char *errbuf,
                       size_t errlen)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        return res;
    }
    char why[512];
    pgc_conn_error(conn, res, why, sizeof(why));
    snprintf(errbuf, errlen, "%s failed: %s", what, why);
    PQclear(res);
    return NULL;
}

static bool is_true(const PGresult *res, int row, int col)
{
    return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

/* ---- the checks --------------------------------------------------------------------- */

/* wal_level, slots, WAL senders, and the role: what Debezium's documentation
 * asks the user to set up, each failure with what to do. */
static int check_server(PGconn *conn, const pg_config_t *cfg, char *errbuf, size_t errlen)
{
    /* On Amazon RDS the role gets replication through rds_replication (or
     * one of the admin roles), not the REPLICATION attribute. */
    PGresult *res = query(conn,
                          "SELECT current_setting('wal_level'), current_setting('max_replication_slots')::int, "
                          "current_setting('max_wal_senders')::int, r.rolsuper, r.rolreplication, "
                          "EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles b "
                          "ON m.roleid = b.oid WHERE m.member = r.oid AND b.rolname IN "
                          "('rds_replication', 'rds_superuser', 'rdsadmin', 'rdsrepladmin')) "
                          "FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
                          0, NULL, "reading the server's replication settings", errbuf, errlen);
    if (!res) {
        return -1;
    }
    int rc = -1;
    const char *wal_level = PQgetvalue(res, 0, 0);
    if (PQntuples(res) != 1) {
        snprintf(errbuf, errlen, "cannot find the role of database.user \"%s\" in pg_roles", cfg->user);
    } else if (strcmp(wal_level, "logical") != 0) {
        snprintf(errbuf, errlen,
                 "the PostgreSQL server at %s:%d (database.hostname) has wal_level = %s, and logical "
                 "decoding needs wal_level = logical: set it in postgresql.conf (or run ALTER SYSTEM SET wal_level "
                 "= logical) and restart PostgreSQL; a reload is not enough",
                 cfg->hostname, cfg->port, wal_level);
    } else if (atoi(PQgetvalue(res, 0, 1)) < 1 || atoi(PQgetvalue(res, 0, 2)) < 1) {
        snprintf(errbuf, errlen,
                 "the PostgreSQL server at %s:%d (database.hostname) has max_replication_slots = %s "
                 "and max_wal_senders = %s; each must be at least 1 (10 is PostgreSQL's default): set them in "
                 "postgresql.conf and restart PostgreSQL",
                 cfg->hostname, cfg->port, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
    } else if (!is_true(res, 0, 3) && !is_true(res, 0, 4) && !is_true(res, 0, 5)) {
        snprintf(errbuf, errlen,
                 "user \"%s\" (database.user) has neither the REPLICATION attribute nor superuser, "
                 "so it cannot stream changes: run ALTER ROLE \"%s\" WITH REPLICATION (on Amazon RDS: GRANT "
                 "rds_replication TO \"%s\"), or use another user",
                 cfg->user, cfg->user, cfg->user);
    } else {
        rc = 0;
    }
    PQclear(res);
    return rc;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The slot, if it exists, is free (or streams to own_app), pgoutput's,
 * and this database's. */
static int check_slot(PGconn *conn, const pg_config_t *cfg, const char *own_app, int wait_ms, char *errbuf,
                      size_t errlen)
{
    const char *params[] = {cfg->slot_name};
    for (int waited = 0;; waited += 100) {
        PGresult *res = query(
            conn,
            "SELECT s.plugin, s.slot_type, s.database, s.active, s.active_pid, a.application_name "
            "FROM pg_catalog.pg_replication_slots s LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = s.active_pid "
            "WHERE s.slot_name = $1",
            1, params, "reading the replication slot", errbuf, errlen);
        if (!res) {
            return -1;
        }
        int rc = 0;
        if (PQntuples(res) == 0) {
            rc = 0; /* the task creates it */
        } else if (strcmp(PQgetvalue(res, 0, 1), "logical") != 0 || strcmp(PQgetvalue(res, 0, 0), "pgoutput") != 0) {
            snprintf(errbuf, errlen,
                     "replication slot \"%s\" exists but is a %s slot of plugin '%s', not a logical "
                     "slot of pgoutput: choose another slot.name, or drop that slot "
                     "(SELECT pg_drop_replication_slot('%s')) if nothing uses it",
                     cfg->slot_name, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0), cfg->slot_name);
            rc = -1;
        } else if (strcmp(PQgetvalue(res, 0, 2), cfg->dbname) != 0) {
            snprintf(errbuf, errlen,
                     "replication slot \"%s\" belongs to database \"%s\", not to \"%s\": a slot "
                     "decodes one database; choose another slot.name",
                     cfg->slot_name, PQgetvalue(res, 0, 2), cfg->dbname);
            rc = -1;
        } else if (is_true(res, 0, 3) && !(own_app && strncmp(PQgetvalue(res, 0, 5), own_app, APP_NAME_MAX) == 0)) {
            snprintf(errbuf, errlen,
                     "replication slot \"%s\" is in use by another client (server process %s): a slot "
                     "streams to one client at a time; stop that client (SELECT pg_terminate_backend(%s)), or give "
                     "this connector its own slot.name",
                     cfg->slot_name, PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 4));
            rc = waited < wait_ms ? 1 : -1;
        }
        PQclear(res);
        if (rc <= 0) {
            return rc;
        }
        sleep_ms(100);
    }
}

/* The publication exists, or this connector may create it. */
static int check_publication(PGconn *conn, const pg_config_t *cfg, char *errbuf, size_t errlen)
{
    const char *params[] = {cfg->publication_name};
    PGresult *res = query(conn,
                          "SELECT (SELECT count(*) FROM pg_catalog.pg_publication WHERE pubname = $1), "
                          "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)",
                          1, params, "reading the publication", errbuf, errlen);
    if (!res) {
        return -1;
    }
    bool exists = atoi(PQgetvalue(res, 0, 0)) > 0, super = is_true(res, 0, 1);
    PQclear(res);
    if (exists) {
        return 0;
    }
    if (cfg->autocreate == PG_AUTOCREATE_DISABLED) {
        snprintf(errbuf, errlen,
                 "publication \"%s\" (publication.name) does not exist in database \"%s\", and "
                 "publication.autocreate.mode is disabled: create it (CREATE PUBLICATION \"%s\" FOR ALL TABLES, or "
                 "FOR TABLE the captured tables), or set publication.autocreate.mode to all_tables or filtered",
                 cfg->publication_name, cfg->dbname, cfg->publication_name);
        return -1;
    }
    if (cfg->autocreate == PG_AUTOCREATE_ALL_TABLES && !super) {
        snprintf(errbuf, errlen,
                 "publication \"%s\" does not exist, and creating it FOR ALL TABLES "
                 "(publication.autocreate.mode all_tables) needs a superuser, which \"%s\" is not: have a superuser "
                 "create it, or set publication.autocreate.mode to filtered (the user must own the captured tables)",
                 cfg->publication_name, cfg->user);
        return -1;
    }
    return 0;
}

/* The user's tables of the database, one row each: schema, table, and
 * "schema"."table" quoted for SQL; NULL after errbuf. */
static PGresult *user_tables(PGconn *conn, char *errbuf, size_t errlen)
{
    /* Debezium's system tables: the catalogs, TOAST and temporary schemas. */
    return query(conn,
                 "SELECT n.nspname, c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                 "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                 "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' ORDER BY 1, 2",
                 0, NULL, "listing the database's tables", errbuf, errlen);
}

/* Every table.include.list expression matches at least one table: a
 * misspelt name would otherwise capture nothing, silently. */
static int check_tables(PGconn *conn, const pg_config_t *cfg, char *errbuf, size_t errlen)
{
    if (cfg->table_include.n == 0 && cfg->autocreate != PG_AUTOCREATE_FILTERED) {
        return 0;
    }
    PGresult *res = user_tables(conn, errbuf, errlen);
    if (!res) {
        return -1;
    }
    int rc = 0, captured = 0;
    for (size_t i = 0; i < cfg->table_include.n && rc == 0; i++) {
        bool found = false;
        for (int row = 0; row < PQntuples(res) && !found; row++) {
            char name[256];
            snprintf(name, sizeof(name), "%s.%s", PQgetvalue(res, row, 0), PQgetvalue(res, row, 1));
            found = regexec(&cfg->table_include.re[i], name, 0, NULL, 0) == 0;
        }
        if (!found) {
            snprintf(errbuf, errlen,
                     "no table of database \"%s\" matches '%s' of table.include.list: tables are "
                     "matched by their schema-qualified name, e.g. public.orders (check the spelling, the schema, "
                     "and that the table exists)",
                     cfg->dbname, cfg->table_include.text[i]);
            rc = -1;
        }
    }
    for (int row = 0; row < PQntuples(res); row++) {
        captured += pg_config_table_included(cfg, PQgetvalue(res, row, 0), PQgetvalue(res, row, 1));
    }
    if (rc == 0 && captured == 0 && cfg->autocreate == PG_AUTOCREATE_FILTERED) {
        snprintf(errbuf, errlen,
                 "publication.autocreate.mode is filtered, but the schema and table lists capture no "
                 "table of database \"%s\", and a publication FOR TABLE needs at least one",
                 cfg->dbname);
        rc = -1;
    }
    PQclear(res);
    return rc;
}

int pg_conn_check(PGconn *conn, const pg_config_t *cfg, const char *own_app, int slot_wait_ms, char *errbuf,
                  size_t errlen)
{
    if (check_server(conn, cfg, errbuf, errlen) < 0 ||
        check_slot(conn, cfg, own_app, slot_wait_ms, errbuf, errlen) < 0 ||
        check_publication(conn, cfg, errbuf, errlen) < 0 || check_tables(conn, cfg, errbuf, errlen) < 0) {
        return -1;
    }
    return 0;
}

int pg_conn_ensure_publication(PGconn *conn, const pg_config_t *cfg, bool *created, char *errbuf, size_t errlen)
{
    *created = false;
    const char *params[] = {cfg->publication_name};
    PGresult *res = query(conn, "SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1", 1, params,
                          "reading the publication", errbuf, errlen);
    if (!res) {
        return -1;
    }
    bool exists = PQntuples(res) > 0;
    PQclear(res);
    if (exists) {
        return 0;
    }
    if (cfg->autocreate == PG_AUTOCREATE_DISABLED) {
        return check_publication(conn, cfg, errbuf, errlen);
    }
    char *pub = PQescapeIdentifier(conn, cfg->publication_name, strlen(cfg->publication_name));
    size_t cap = strlen(pub) + 64, len = 0;
    char *sql = malloc(cap);
    len = (size_t)snprintf(sql, cap, "CREATE PUBLICATION %s FOR %s", pub,
                           cfg->autocreate == PG_AUTOCREATE_ALL_TABLES ? "ALL TABLES" : "TABLE ");
    PQfreemem(pub);
    int n = 0;
    if (cfg->autocreate == PG_AUTOCREATE_FILTERED) {
        PGresult *tables = user_tables(conn, errbuf, errlen);
        if (!tables) {
            free(sql);
            return -1;
        }
        for (int row = 0; row < PQntuples(tables); row++) {
            if (!pg_config_table_included(cfg, PQgetvalue(tables, row, 0), PQgetvalue(tables, row, 1))) {
                continue;
            }
            const char *quoted = PQgetvalue(tables, row, 2);
            cap += strlen(quoted) + 2;
            sql = realloc(sql, cap);
            len += (size_t)snprintf(sql + len, cap - len, "%s%s", n++ ? ", " : "", quoted);
        }
        PQclear(tables);
        if (n == 0) {
            free(sql);
            return check_tables(conn, cfg, errbuf, errlen) < 0 ? -1 : 0;
        }
    }
    char what[160];
    snprintf(what, sizeof(what), "creating publication \"%s\" (publication.name)", cfg->publication_name);
    res = query(conn, sql, 0, NULL, what, errbuf, errlen);
    free(sql);
    if (!res) {
        return -1;
    }
    PQclear(res);
    *created = true;
    return 0;
}

int pg_conn_slot_position(PGconn *conn, const pg_config_t *cfg, uint64_t *confirmed, char *errbuf, size_t errlen)
{
    const char *params[] = {cfg->slot_name};
    PGresult *res = query(conn, "SELECT confirmed_flush_lsn FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
                          1, params, "reading the replication slot", errbuf, errlen);
    if (!res) {
        return -1;
    }
    int found = PQntuples(res) > 0;
    *confirmed = 0;
    if (found && !PQgetisnull(res, 0, 0)) {
        pgoutput_lsn_parse(PQgetvalue(res, 0, 0), confirmed);
    }
    PQclear(res);
    return found;
}

void pg_conn_app_name(char *buf, size_t len, const char *connector, int task_id)
{
    snprintf(buf, len, "connectd %s-%d", connector, task_id);
}
