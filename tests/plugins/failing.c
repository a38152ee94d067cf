/*
 * failing.so - a source and a sink that fail on purpose, for the worker's
 * tests: a failed callback must leave the task FAILED with the plugin's
 * message in its trace, and never take the worker down.
 *
 *   connector.class=FailingSource   (or FailingSink)
 *   fail.in=poll                    the callback that fails with CD_FATAL
 *   fail.after=3                    calls of it that succeed first
 *
 * Otherwise the connectors do nothing: no records, every call CD_OK.
 *
 * Two modes feed errors.tolerance instead of failing a callback:
 *   fail.in=convert  (source) poll() returns fail.records records, one per
 *                    call, to topic fail.topic: key "<i>", value "record-<i>"
 *                    (STRING), except record number fail.after, whose value
 *                    claims an INT32 schema: the converter cannot write it
 *   fail.in=reject   (sink) put() accepts every record but number
 *                    fail.after (counted from 0 over all put() calls),
 *                    which it hands to record_reject
 *   fail.in=reject_late  (sink) as reject, but the record goes to
 *                    record_reject only in the next flush(), after its
 *                    put() returned (plugin ABI 1.3), as an asynchronous
 *                    writer learns of a failure
 *
 * And one slow callback, for the REST server's tests:
 *   validate.wait.for=PATH          validate() appends a line to
 *                                   PATH.waiting, then answers only once
 *                                   PATH exists (polling; at most 60 s)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <connectd/plugin.h>

static const cd_host_api_t *host;

typedef struct failing {
    const char *fail_in; /* borrowed from the task config, valid until stop */
    long long after;
    long long calls;
    long long records; /* convert: records made; reject: records seen */
    const cd_record_t *late; /* reject_late: the record flush() rejects */
} failing_t;

static bool fail_now(cd_task_t *task, failing_t *st, const char *callback)
{
    const char *fail_in = st ? st->fail_in : host->config_get(task, "fail.in");
    if (strcmp(fail_in, callback) != 0) {
        return false;
    }
    long long after = st ? st->after : 0;
    if (st && st->calls++ < after) {
        return false;
    }
    host->set_error(task, "%s: injected failure in %s after %lld successful calls",
                    host->connector_name(task), callback, after);
    return true;
}

static cd_rc_t failing_validate(cd_task_t *conn, char *errbuf, size_t errlen)
{
    const char *wait_for = host->config_get(conn, "validate.wait.for");
    if (wait_for && *wait_for) {
        char waiting[4096];
        snprintf(waiting, sizeof(waiting), "%s.waiting", wait_for);
        FILE *f = fopen(waiting, "a");
        if (f) {
            fputs("waiting\n", f);
            fclose(f);
        }
    }
    for (int i = 0; wait_for && *wait_for && i < 6000; i++) {
        FILE *f = fopen(wait_for, "r");
        if (f) {
            fclose(f);
            break;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 10000000L};
        nanosleep(&ts, NULL);
    }
    return fail_now(conn, NULL, "validate") ? CD_FATAL : CD_OK;
}

static cd_rc_t failing_task_configs(cd_task_t *conn, int max_tasks)
{
    if (fail_now(conn, NULL, "task_configs")) {
        return CD_FATAL;
    }
    host->task_config_add(conn);
    return CD_OK;
}

static cd_rc_t failing_start(cd_task_t *task, void **state)
{
    failing_t *st = calloc(1, sizeof(*st));
    if (!st) {
        host->set_error(task, "out of memory");
        return CD_FATAL;
    }
    st->fail_in = host->config_get(task, "fail.in");
    st->after = strtoll(host->config_get(task, "fail.after"), NULL, 10);
    if (fail_now(task, st, "start")) {
        free(st); /* stop() is only called after a successful start */
        return CD_FATAL;
    }
    *state = st;
    return CD_OK;
}

static cd_rc_t failing_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n,
                            int timeout_ms)
{
    *n = 0;
    if (fail_now(task, state, "poll")) {
        return CD_FATAL;
    }
    failing_t *st = state;
    if (strcmp(st->fail_in, "convert") == 0 &&
        st->records < strtoll(host->config_get(task, "fail.records"), NULL, 10) && cap > 0) {
        long long i = st->records++;
        char text[64];
        cd_record_t *rec = host->record_new(task);
        host->record_set_topic(rec, host->config_get(task, "fail.topic"));
        int len = snprintf(text, sizeof(text), "%lld", i);
        host->record_set_key(rec, host->schema_new(CD_TYPE_STRING, false), host->value_string(text, (size_t)len));
        len = snprintf(text, sizeof(text), "record-%lld", i);
        host->record_set_value(rec, host->schema_new(i == st->after ? CD_TYPE_INT32 : CD_TYPE_STRING, false),
                               host->value_string(text, (size_t)len));
        cd_value_t *part = host->value_map(), *off = host->value_map();
        host->value_map_put(part, host->value_string("source", 6), host->value_string("failing", 7));
        host->value_map_put(off, host->value_string("i", 1), host->value_int(CD_TYPE_INT64, i));
        host->record_set_source(rec, part, off);
        out[(*n)++] = rec;
        return CD_OK;
    }
    /* Nothing to produce: wait as the contract asks, so the worker does not spin. */
    int ms = timeout_ms < 100 ? timeout_ms : 100;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
    nanosleep(&ts, NULL);
    return CD_OK;
}

static cd_rc_t failing_commit(cd_task_t *task, void *state)
{
    return fail_now(task, state, "commit") ? CD_FATAL : CD_OK;
}

static cd_rc_t failing_put(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n)
{
    failing_t *st = state;
    bool late = strcmp(st->fail_in, "reject_late") == 0;
    for (size_t i = 0; i < n && (late || strcmp(st->fail_in, "reject") == 0); i++) {
        if (st->records++ != st->after) {
            continue;
        }
        if (late) {
            st->late = recs[i];
        } else {
            host->record_reject(task, recs[i], "injected rejection of this record");
        }
    }
    return fail_now(task, state, "put") ? CD_FATAL : CD_OK;
}

static cd_rc_t failing_flush(cd_task_t *task, void *state)
{
    failing_t *st = state;
    if (st->late) {
        host->record_reject(task, st->late, "injected late rejection of this record");
        st->late = NULL;
    }
    return fail_now(task, state, "flush") ? CD_FATAL : CD_OK;
}

static void failing_stop(cd_task_t *task, void *state)
{
    free(state);
}

static const char *const source_callbacks[] = {"validate", "task_configs", "start", "poll", "commit", "convert", NULL};
static const char *const sink_callbacks[] = {"validate", "task_configs", "start",       "put",
                                             "flush",    "reject",       "reject_late", NULL};

/* Source and sink differ only in which callbacks fail.in may name. */
#define FAILING_CONFIG(callbacks)                                                    \
    {                                                                                \
        {.name = "fail.in",                                                          \
         .type = CD_CFG_STRING,                                                      \
         .required = true,                                                           \
         .importance = CD_IMPORTANCE_HIGH,                                           \
         .doc = "The callback that fails with CD_FATAL.",                            \
         .choices = callbacks},                                                      \
        {.name = "fail.after",                                                       \
         .type = CD_CFG_LONG,                                                        \
         .default_value = "0",                                                       \
         .importance = CD_IMPORTANCE_MEDIUM,                                         \
         .doc = "How many calls of that callback succeed before it fails.",          \
         .min = 0,                                                                   \
         .max = INT64_MAX},                                                          \
        {.name = "fail.records",                                                     \
         .type = CD_CFG_LONG,                                                        \
         .default_value = "0",                                                       \
         .importance = CD_IMPORTANCE_LOW,                                            \
         .doc = "fail.in=convert: how many records poll() returns in all.",          \
         .min = 0,                                                                   \
         .max = INT64_MAX},                                                          \
        {.name = "fail.topic",                                                       \
         .type = CD_CFG_STRING,                                                      \
         .default_value = "failing",                                                 \
         .importance = CD_IMPORTANCE_LOW,                                            \
         .doc = "fail.in=convert: the topic of the records."},                       \
        {.name = "fail.password",                                                    \
         .type = CD_CFG_PASSWORD,                                                    \
         .importance = CD_IMPORTANCE_LOW,                                            \
         .doc = "Unused: a secret the worker must never show back."},                \
        {.name = "validate.wait.for",                                                \
         .type = CD_CFG_STRING,                                                      \
         .default_value = "",                                                        \
         .importance = CD_IMPORTANCE_LOW,                                            \
         .doc = "validate() answers once this file exists: a slow plugin."},         \
        {.name = NULL},                                                              \
    }

static const cd_config_def_t source_config[] = FAILING_CONFIG(source_callbacks);
static const cd_config_def_t sink_config[] = FAILING_CONFIG(sink_callbacks);

static const cd_plugin_desc_t source = {
    CD_PLUGIN_DESC_HEADER,
    .name = "FailingSource",
    .version = "1.0.0",
    .description = "A source that fails in the callback named by fail.in.",
    .kind = CD_KIND_SOURCE,
    .config = source_config,
    .validate = failing_validate,
    .task_configs = failing_task_configs,
    .start = failing_start,
    .poll = failing_poll,
    .commit = failing_commit,
    .stop = failing_stop,
};

static const cd_plugin_desc_t sink = {
    CD_PLUGIN_DESC_HEADER,
    .name = "FailingSink",
    .version = "1.0.0",
    .description = "A sink that fails in the callback named by fail.in.",
    .kind = CD_KIND_SINK,
    .config = sink_config,
    .validate = failing_validate,
    .task_configs = failing_task_configs,
    .start = failing_start,
    .put = failing_put,
    .flush = failing_flush,
    .stop = failing_stop,
};

static const cd_plugin_desc_t *const all[] = {&source, &sink, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *h)
{
    host = h;
    return all;
}
