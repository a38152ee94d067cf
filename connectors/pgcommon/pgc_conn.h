/*
 * pgc_conn.h - opening a libpq connection, with a failure told as one
 * sentence that says which connector setting to fix.  Shared by the
 * PostgreSQL CDC source (connectors/postgres/) and the JDBC connectors
 * (connectors/jdbc/), which name their settings differently: the caller
 * passes the names (pgc_conn_settings_t) and the messages use them.
 *
 * A failed connection only has libpq's text (no SQLSTATE before the session
 * exists), so the cases a user fixes differently are told apart by the
 * server's and libpq's stable wording: authentication failed, the database
 * does not exist, the role may not replicate, pg_hba.conf refuses, and
 * anything else is "not reachable".
 *
 * A connection is used by one thread at a time.
 */
#ifndef CONNECTD_PGC_CONN_H
#define CONNECTD_PGC_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

/* How long a connection attempt may take (libpq's connect_timeout) unless
 * the caller's keywords say otherwise, so a validation against a host that
 * drops packets answers in time. */
#define PGC_CONNECT_TIMEOUT_S 10

/* The connector's settings that hold each part of the connection, as the
 * messages name them, e.g. "database.hostname and database.port" or
 * "connection.url". */
typedef struct pgc_conn_settings {
    const char *address; /* host and port */
    const char *login;   /* user and password */
    const char *dbname;  /* the database */
    const char *user;    /* the user alone */
} pgc_conn_settings_t;

/* Why a connection failed: only an unreachable server may be there on a
 * later try. */
typedef enum pgc_conn_fail {
    PGC_CONN_UNREACHABLE = 1, /* no answer, refused, a timeout, a server starting or stopping */
    PGC_CONN_LOGIN,           /* wrong user or password */
    PGC_CONN_NO_DATABASE,     /* the database does not exist */
    PGC_CONN_NOT_ALLOWED,     /* pg_hba.conf, or a role without REPLICATION */
} pgc_conn_fail_t;

/*
 * Connects with libpq's keywords and values (NULL-terminated, as
 * PQconnectdbParams; a NULL value is skipped; expand_dbname is off, so a
 * database name with '=' stays a name).  connect_timeout is added when the
 * keywords have none.  `replication` says that the keywords ask for a
 * replication connection, for the wording of a refusal.  Returns the
 * connection, or NULL after one sentence in errbuf naming the settings and
 * with *fail set (fail may be NULL).
 */
PGconn *pgc_conn_open(const char *const *keys, const char *const *values, bool replication,
                      const pgc_conn_settings_t *names, pgc_conn_fail_t *fail, char *errbuf, size_t errlen);

/* libpq's (multi-line) message on one line, "; " between its lines, without
 * the trailing newline; `in` may be NULL. */
void pgc_conn_one_line(const char *in, char *out, size_t len);

/* A query's error on one line: the result's message, else the
 * connection's. */
void pgc_conn_error(PGconn *conn, const PGresult *res, char *out, size_t len);

#endif
