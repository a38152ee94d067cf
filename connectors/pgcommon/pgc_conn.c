/*
 * pgc_conn.c - opening a libpq connection and classifying its failure
 * (pgc_conn.h).
 */
#include "pgc_conn.h"

#include <stdio.h>
#include <string.h>

/* The most keywords a caller passes, with room for connect_timeout. */
#define PGC_CONN_MAX_KEYS 64

void pgc_conn_one_line(const char *in, char *out, size_t len)
{
    size_t j = 0;
    for (const char *p = in ? in : ""; *p && j + 3 < len; p++) {
        if (*p == '\n') {
            if (p[1]) {
                out[j++] = ';';
                out[j++] = ' ';
            }
        } else {
            out[j++] = *p;
        }
    }
    out[j] = '\0';
}

void pgc_conn_error(PGconn *conn, const PGresult *res, char *out, size_t len)
{
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    pgc_conn_one_line(msg && msg[0] ? msg : PQerrorMessage(conn), out, len);
}

/* The value of keyword `key`, or NULL. */
static const char *keyword(const char *const *keys, const char *const *values, const char *key)
{
    for (size_t i = 0; keys[i]; i++) {
        if (values[i] && strcmp(keys[i], key) == 0) {
            return values[i];
        }
    }
    return NULL;
}

/* The server as the user wrote it, for messages: host:port, or the lists
 * of a multi-host setting; libpq's defaults when unset. */
static void describe_server(const char *const *keys, const char *const *values, char *out, size_t len)
{
    const char *host = keyword(keys, values, "host");
    const char *port = keyword(keys, values, "port");
    snprintf(out, len, "%s:%s", host && host[0] ? host : "localhost", port && port[0] ? port : "5432");
}

PGconn *pgc_conn_open(const char *const *keys, const char *const *values, bool replication,
                      const pgc_conn_settings_t *names, pgc_conn_fail_t *fail, char *errbuf, size_t errlen)
{
    pgc_conn_fail_t ignored;
    fail = fail ? fail : &ignored;
    const char *k[PGC_CONN_MAX_KEYS + 2], *v[PGC_CONN_MAX_KEYS + 2];
    size_t n = 0;
    bool has_timeout = false;
    for (size_t i = 0; keys[i] && n < PGC_CONN_MAX_KEYS; i++) {
        if (!values[i]) {
            continue;
        }
        has_timeout |= strcmp(keys[i], "connect_timeout") == 0;
        k[n] = keys[i];
        v[n++] = values[i];
    }
    char timeout[16];
    if (!has_timeout) {
        snprintf(timeout, sizeof(timeout), "%d", PGC_CONNECT_TIMEOUT_S);
        k[n] = "connect_timeout";
        v[n++] = timeout;
    }
    k[n] = v[n] = NULL;
    PGconn *conn = PQconnectdbParams(k, v, 0);
    if (conn && PQstatus(conn) == CONNECTION_OK) {
        return conn;
    }
    char why[512], server[300];
    pgc_conn_one_line(conn ? PQerrorMessage(conn) : "out of memory", why, sizeof(why));
    describe_server(k, v, server, sizeof(server));
    const char *user = conn && PQuser(conn) ? PQuser(conn) : "";
    const char *db = conn && PQdb(conn) ? PQdb(conn) : "";
    if (strstr(why, "password authentication failed") || strstr(why, "no password supplied") ||
        strstr(why, "authentication failed for user")) {
        *fail = PGC_CONN_LOGIN;
        snprintf(errbuf, errlen, "cannot log in to PostgreSQL at %s as user \"%s\" (%s): check %s", server, user, why,
                 names->login);
    } else if (strstr(why, "does not exist") && strstr(why, "database \"")) {
        *fail = PGC_CONN_NO_DATABASE;
        snprintf(errbuf, errlen, "database \"%s\" does not exist on the PostgreSQL server at %s: check %s (%s)", db,
                 server, names->dbname, why);
    } else if (strstr(why, "must be superuser or replication role")) {
        *fail = PGC_CONN_NOT_ALLOWED;
        snprintf(errbuf, errlen,
                 "user \"%s\" may not open a replication connection: give it the REPLICATION "
                 "attribute (ALTER ROLE %s WITH REPLICATION) or use another %s (%s)",
                 user, user, names->user, why);
    } else if (strstr(why, "pg_hba.conf")) {
        *fail = PGC_CONN_NOT_ALLOWED;
        snprintf(errbuf, errlen,
                 "the PostgreSQL server at %s (%s) refuses the %sconnection of user "
                 "\"%s\": add a line for it to the server's pg_hba.conf (e.g. 'host %s %s <this worker's address>/32 "
                 "scram-sha-256') and reload the server (%s)",
                 server, names->address, replication ? "replication " : "", user, replication ? "replication" : db,
                 user, why);
    } else {
        *fail = PGC_CONN_UNREACHABLE;
        snprintf(errbuf, errlen,
                 "cannot connect to PostgreSQL at %s: check %s, "
                 "and that the server runs and accepts TCP connections from this worker (listen_addresses) (%s)",
                 server, names->address, why);
    }
    PQfinish(conn);
    return NULL;
}
