/*
 * jdbc_conn.h - what the JDBC source and sink share: the connection
 * settings of Confluent's JdbcSourceConnectorConfig and JdbcSinkConfig
 * (connection.url, .user, .password, .attempts, .backoff.ms, dialect.name),
 * and opening the connection they describe.
 *
 * The URL is pgJDBC's (jdbc_url.h); the connection is libpq's, opened by
 * the shared pgc_conn_open(), so a wrong password, an unreachable server
 * and a missing database read as they do for the CDC connector, naming
 * connection.url, connection.user and connection.password.
 */
#ifndef CONNECTD_JDBC_CONN_H
#define CONNECTD_JDBC_CONN_H

#include <stddef.h>

#include <connectd/plugin.h>
#include <libpq-fe.h>

/* The one dialect: dialect.name's allowed values ("" picks it from the URL). */
#define JDBC_DIALECT_NAME "PostgreSqlDatabaseDialect"

int jdbc_conn_validate_dialect(const char *value, char *errbuf, size_t errlen);

/* The rows of the connection settings, for the config tables of both
 * connectors (Confluent puts them first, in the group "Database"). */
#define JDBC_CONN_CONFIG_DEFS                                                                                          \
    {.name = "connection.url",                                                                                         \
     .type = CD_CFG_STRING,                                                                                            \
     .required = true,                                                                                                 \
     .importance = CD_IMPORTANCE_HIGH,                                                                                 \
     .doc = "JDBC connection URL. For example: ``jdbc:postgresql://localhost:5432/mydb``; only PostgreSQL's URLs "     \
            "are supported, with pgJDBC's properties (user, password, sslmode, ApplicationName, currentSchema, ...).", \
     .group = "Database"},                                                                                             \
        {.name = "connection.user",                                                                                    \
         .type = CD_CFG_STRING,                                                                                        \
         .importance = CD_IMPORTANCE_HIGH,                                                                             \
         .doc = "JDBC connection user.",                                                                               \
         .group = "Database"},                                                                                         \
        {.name = "connection.password",                                                                                \
         .type = CD_CFG_PASSWORD,                                                                                      \
         .importance = CD_IMPORTANCE_HIGH,                                                                             \
         .doc = "JDBC connection password.",                                                                           \
         .group = "Database"},                                                                                         \
        {.name = "connection.attempts",                                                                                \
         .type = CD_CFG_INT,                                                                                           \
         .default_value = "3",                                                                                         \
         .importance = CD_IMPORTANCE_LOW,                                                                              \
         .doc = "Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer.",         \
         .group = "Database",                                                                                          \
         .min = 1,                                                                                                     \
         .max = INT32_MAX},                                                                                            \
        {.name = "connection.backoff.ms",                                                                              \
         .type = CD_CFG_LONG,                                                                                          \
         .default_value = "10000",                                                                                     \
         .importance = CD_IMPORTANCE_LOW,                                                                              \
         .doc = "Backoff time in milliseconds between connection attempts.",                                           \
         .group = "Database",                                                                                          \
         .min = 0,                                                                                                     \
         .max = INT64_MAX},                                                                                            \
    {                                                                                                                  \
        .name = "dialect.name", .type = CD_CFG_STRING, .default_value = "", .importance = CD_IMPORTANCE_LOW,           \
        .doc = "The name of the database dialect that should be used for this connector. By default this is "          \
               "empty, and the connector automatically determines the dialect based upon the JDBC connection URL. "    \
               "Only PostgreSqlDatabaseDialect is supported.",                                                         \
        .group = "Database", .validate = jdbc_conn_validate_dialect                                                    \
    }

/*
 * Opens a connection as the connector's settings say, with
 * application_name `app` (the URL's ApplicationName wins).  A task passes
 * retry = true: an unreachable server is tried connection.attempts times,
 * connection.backoff.ms apart (returning early when the worker stops the
 * task), as Confluent's CachedConnectionProvider does; a wrong password or
 * a missing database is not retried.  A validation passes false (one
 * attempt: the REST request waits for it).  NULL after one sentence in
 * errbuf naming the setting to fix.
 */
PGconn *jdbc_conn_open(const cd_host_api_t *host, cd_task_t *task, const char *app, bool retry, char *errbuf,
                       size_t errlen);

#endif
