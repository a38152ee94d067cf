/*
 * jdbc_conn.c - the JDBC connectors' connection (jdbc_conn.h).
 */
#include "jdbc_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jdbc_url.h"
#include "pgc_conn.h"

/* How the messages of pgc_conn_open() name the settings. */
static const pgc_conn_settings_t jdbc_conn_settings = {
    .address = "the host and port of connection.url",
    .login = "connection.user and connection.password",
    .dbname = "the database of connection.url",
    .user = "connection.user",
};

int jdbc_conn_validate_dialect(const char *value, char *errbuf, size_t errlen)
{
    if (!value || !value[0] || strcmp(value, JDBC_DIALECT_NAME) == 0) {
        return 0;
    }
    snprintf(errbuf, errlen,
             "dialect '%s' is not supported: this connector supports only " JDBC_DIALECT_NAME
             " (or leave dialect.name empty)",
             value);
    return -1;
}

/* Sleeps up to ms, in short steps so that a stopping task returns soon. */
static void backoff(const cd_host_api_t *host, cd_task_t *task, int64_t ms)
{
    for (int64_t slept = 0; slept < ms && !host->is_stopping(task); slept += 100) {
        int64_t step = ms - slept < 100 ? ms - slept : 100;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
    }
}

PGconn *jdbc_conn_open(const cd_host_api_t *host, cd_task_t *task, const char *app, bool retry, char *errbuf,
                       size_t errlen)
{
    jdbc_url_t *url = jdbc_url_parse(host->config_get(task, "connection.url"),
                                     host->config_get(task, "connection.user"),
                                     host->config_get(task, "connection.password"), errbuf, errlen);
    if (!url) {
        return NULL;
    }
    if (url->ignored) {
        host->log(task, CD_LOG_WARN, "connection.url: the properties %s have no meaning for libpq and are ignored",
                  url->ignored);
    }
    /* The URL's ApplicationName wins; pg_stat_activity shows ours otherwise. */
    size_t n = url->n;
    const char **keys = calloc(n + 2, sizeof(*keys)), **values = calloc(n + 2, sizeof(*values));
    if (!keys || !values) {
        free(keys);
        free(values);
        jdbc_url_free(url);
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        keys[i] = url->keys[i];
        values[i] = url->values[i];
    }
    if (!jdbc_url_get(url, "application_name")) {
        keys[n] = "application_name";
        values[n++] = app;
    }
    const char *s = host->config_get(task, "connection.attempts");
    int attempts = retry && s ? atoi(s) : 1;
    s = host->config_get(task, "connection.backoff.ms");
    int64_t backoff_ms = s ? strtoll(s, NULL, 10) : 10000;
    PGconn *conn = NULL;
    for (int attempt = 1;; attempt++) {
        pgc_conn_fail_t fail = 0;
        conn = pgc_conn_open(keys, values, false, &jdbc_conn_settings, &fail, errbuf, errlen);
        if (conn || fail != PGC_CONN_UNREACHABLE || attempt >= attempts || host->is_stopping(task)) {
            break;
        }
        host->log(task, CD_LOG_WARN, "attempt %d of %d (connection.attempts) failed, next in %lld ms: %s", attempt,
                  attempts, (long long)backoff_ms, errbuf);
        backoff(host, task, backoff_ms);
    }
    free(keys);
    free(values);
    jdbc_url_free(url);
    return conn;
}
