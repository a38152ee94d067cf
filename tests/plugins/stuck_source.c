/*
 * stuck_source.so - a source whose poll() never returns, for the worker's
 * tests of task.shutdown.graceful.timeout.ms: a task that ignores its stop
 * flag and its wakeup() must be abandoned after the timeout, and neither
 * REST nor SIGTERM may wait for it.
 *
 *   connector.class=StuckSource
 *   stuck.after.records=N     poll() first returns N records, one per call,
 *                             to stuck.topic (key "<i>", value "record-<i>",
 *                             STRING), then never returns
 *   stuck.release.file=PATH   the endless poll() returns once PATH exists
 *                             (checked every 10 ms): the unit test lets its
 *                             abandoned thread end before the test ends
 *
 * A wakeup() is provided, and ignored, so the worker's wakeup path runs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <connectd/plugin.h>

static const cd_host_api_t *host;

typedef struct stuck {
    long long after;   /* records before poll() hangs */
    long long records; /* made so far */
    const char *topic; /* borrowed from the task config, valid until stop */
    const char *release;
} stuck_t;

static cd_rc_t stuck_task_configs(cd_task_t *conn, int max_tasks)
{
    host->task_config_add(conn);
    return CD_OK;
}

static cd_rc_t stuck_start(cd_task_t *task, void **state)
{
    stuck_t *st = calloc(1, sizeof(*st));
    if (!st) {
        host->set_error(task, "out of memory");
        return CD_FATAL;
    }
    st->after = strtoll(host->config_get(task, "stuck.after.records"), NULL, 10);
    st->topic = host->config_get(task, "stuck.topic");
    st->release = host->config_get(task, "stuck.release.file");
    *state = st;
    return CD_OK;
}

static cd_rc_t stuck_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms)
{
    stuck_t *st = state;
    *n = 0;
    if (st->records < st->after && cap > 0) {
        long long i = st->records++;
        char text[64];
        cd_record_t *rec = host->record_new(task);
        host->record_set_topic(rec, st->topic);
        int len = snprintf(text, sizeof(text), "%lld", i);
        host->record_set_key(rec, host->schema_new(CD_TYPE_STRING, false), host->value_string(text, (size_t)len));
        len = snprintf(text, sizeof(text), "record-%lld", i);
        host->record_set_value(rec, host->schema_new(CD_TYPE_STRING, false), host->value_string(text, (size_t)len));
        cd_value_t *part = host->value_map(), *off = host->value_map();
        host->value_map_put(part, host->value_string("source", 6), host->value_string("stuck", 5));
        host->value_map_put(off, host->value_string("i", 1), host->value_int(CD_TYPE_INT64, i));
        host->record_set_source(rec, part, off);
        out[(*n)++] = rec;
        return CD_OK;
    }
    /* The bug on purpose: deaf to is_stopping() and to wakeup(). */
    while (!*st->release || access(st->release, F_OK) != 0) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 10000000L};
        nanosleep(&ts, NULL);
    }
    return CD_OK;
}

static void stuck_wakeup(cd_task_t *task, void *state)
{
}

static void stuck_stop(cd_task_t *task, void *state)
{
    free(state);
}

static const cd_config_def_t config[] = {
    {.name = "stuck.after.records",
     .type = CD_CFG_LONG,
     .default_value = "0",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "How many records poll() returns before it never returns.",
     .min = 0,
     .max = INT64_MAX},
    {.name = "stuck.topic",
     .type = CD_CFG_STRING,
     .default_value = "stuck",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The topic of those records."},
    {.name = "stuck.release.file",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The endless poll() returns once this file exists (empty: never)."},
    {.name = NULL},
};

static const cd_plugin_desc_t source = {
    CD_PLUGIN_DESC_HEADER,
    .name = "StuckSource",
    .version = "1.0.0",
    .description = "A source whose poll() never returns, deaf to stop and wakeup.",
    .kind = CD_KIND_SOURCE,
    .config = config,
    .task_configs = stuck_task_configs,
    .start = stuck_start,
    .poll = stuck_poll,
    .wakeup = stuck_wakeup,
    .stop = stuck_stop,
};

static const cd_plugin_desc_t *const all[] = {&source, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *h)
{
    host = h;
    return all;
}
