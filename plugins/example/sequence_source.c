/*
 * sequence_source.c - SequenceSource, the example connector of
 * docs/plugin-guide.md: a source that counts.
 *
 *   name=numbers
 *   connector.class=SequenceSource
 *   topic=numbers
 *   rate.per.sec=10
 *
 * Every record's value is a struct {seq: int64, at: Timestamp}, e.g. with
 * the JsonConverter and schemas.enable=false:
 *
 *   {"seq": 41, "at": 1763743201123}
 *
 * Each record also says where it came from, the way Kafka Connect sources
 * do: source partition {"generator": "<connector name>"} and source offset
 * {"seq": 41}.  The worker commits that offset once the broker has the
 * record, and a restarted task asks for it (host->offset_read) and goes on
 * with 42: nothing is skipped, and at most the records after the last
 * commit come twice (Connect's at-least-once).
 *
 * Build: see Makefile in this directory (out of tree, with pkg-config), or
 * plugins/sdk.am (inside connectd's tree).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <connectd/plugin.h>

/* The host table, kept by the entry point.  Tasks run in parallel, so this
 * is the only global: everything else lives in the task's state. */
static const cd_host_api_t *host;

typedef struct seq_source {
    const char *topic;     /* borrowed from the config until stop() */
    const char *connector; /* borrowed, as topic */
    int64_t next;          /* the next sequence number to produce */
    int64_t end;           /* the first number not to produce */
    int64_t interval_ns;   /* between two records */
    int64_t due_ns;        /* CLOCK_MONOTONIC time the next record is due */
    cd_schema_t *schema;   /* the value schema; one reference, ours */
} seq_source_t;

static const cd_config_def_t seq_config[] = {
    {.name = "topic",
     .type = CD_CFG_STRING,
     .required = true,
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "The topic to write the records to."},
    {.name = "rate.per.sec",
     .type = CD_CFG_LONG,
     .default_value = "10",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "How many records to produce per second.",
     .min = 1,
     .max = 1000000},
    {.name = "start",
     .type = CD_CFG_LONG,
     .default_value = "0",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The first sequence number, used when no offset was committed yet."},
    {.name = "max.records",
     .type = CD_CFG_LONG,
     .default_value = "-1",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "How many numbers to produce, counting from start; -1 for no end. "
            "After the last one the task stays idle.",
     .min = -1,
     .max = INT64_MAX},
    {.name = NULL},
};

static int64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The worker has checked every value against seq_config before start(), so
 * the numbers parse and lie within their bounds. */
static int64_t config_long(cd_task_t *task, const char *key)
{
    return strtoll(host->config_get(task, key), NULL, 10);
}

/* {"generator": <connector name>}: a new map, the caller's. */
static cd_value_t *seq_partition(seq_source_t *st)
{
    cd_value_t *partition = host->value_map();
    host->value_map_put(partition, host->value_string("generator", 9),
                        host->value_string(st->connector, strlen(st->connector)));
    return partition;
}

/* Where to begin: after the last committed offset, else at `start`. */
static int64_t seq_resume_point(cd_task_t *task, seq_source_t *st)
{
    int64_t next = config_long(task, "start");
    cd_value_t *partition = seq_partition(st);
    cd_value_t *offset = host->offset_read(task, partition); /* ours, or NULL */
    const cd_value_t *seq = offset ? host->value_map_get(offset, "seq") : NULL;
    if (seq && host->value_type(seq) == CD_TYPE_INT64) {
        next = host->value_get_int(seq) + 1;
        host->log(task, CD_LOG_INFO, "resuming after committed sequence number %lld", (long long)(next - 1));
    }
    host->value_free(offset);
    host->value_free(partition);
    return next;
}

/* struct connectd.example.Sequence {seq: int64, at: Timestamp} */
static cd_schema_t *seq_schema(void)
{
    cd_schema_t *at = host->schema_new(CD_TYPE_INT64, false);
    host->schema_set_name(at, "org.apache.kafka.connect.data.Timestamp");
    host->schema_set_version(at, 1);
    cd_schema_t *schema = host->schema_struct(false);
    host->schema_set_name(schema, "connectd.example.Sequence");
    host->schema_add_field(schema, "seq", host->schema_new(CD_TYPE_INT64, false));
    host->schema_add_field(schema, "at", at);
    return schema;
}

static cd_rc_t seq_start(cd_task_t *task, void **state)
{
    seq_source_t *st = calloc(1, sizeof(*st));
    if (!st) {
        host->set_error(task, "out of memory");
        return CD_FATAL;
    }
    st->topic = host->config_get(task, "topic");
    st->connector = host->connector_name(task);
    st->next = seq_resume_point(task, st);
    int64_t start = config_long(task, "start");
    int64_t max = config_long(task, "max.records");
    st->end = max < 0 || start > INT64_MAX - max ? INT64_MAX : start + max;
    st->interval_ns = 1000000000 / config_long(task, "rate.per.sec");
    st->due_ns = clock_ns(CLOCK_MONOTONIC);
    st->schema = seq_schema();
    *state = st;
    return CD_OK;
}

/* One record for st->next; the caller's. */
static cd_record_t *seq_record(cd_task_t *task, seq_source_t *st)
{
    int64_t now_ms = clock_ns(CLOCK_REALTIME) / 1000000;
    cd_value_t *value = host->value_struct(st->schema);
    host->value_struct_set(value, "seq", host->value_int(CD_TYPE_INT64, st->next));
    host->value_struct_set(value, "at", host->value_int(CD_TYPE_INT64, now_ms));

    cd_value_t *offset = host->value_map();
    host->value_map_put(offset, host->value_string("seq", 3), host->value_int(CD_TYPE_INT64, st->next));

    cd_record_t *rec = host->record_new(task);
    host->record_set_topic(rec, st->topic);
    host->record_set_timestamp(rec, now_ms);
    /* record_set_value takes a schema reference, so hand it one of its own. */
    host->record_set_value(rec, host->schema_ref(st->schema), value);
    host->record_set_source(rec, seq_partition(st), offset);
    return rec;
}

static cd_rc_t seq_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n,
                        int timeout_ms)
{
    seq_source_t *st = state;
    int64_t now = clock_ns(CLOCK_MONOTONIC);
    *n = 0;
    /* After a long pause (the task was paused, the broker slow) start
     * afresh instead of catching up with a burst. */
    if (st->due_ns < now - 1000000000) {
        st->due_ns = now;
    }
    if (st->next >= st->end || st->due_ns > now) {
        /* Nothing due: sleep, but never past timeout_ms, so the worker can
         * stop the task promptly (that is why this connector needs no
         * wakeup callback). */
        int64_t wait = st->next >= st->end ? INT64_MAX : st->due_ns - now;
        if (wait > (int64_t)timeout_ms * 1000000) {
            wait = (int64_t)timeout_ms * 1000000;
        }
        struct timespec ts = {.tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000};
        nanosleep(&ts, NULL);
        return CD_OK;
    }
    while (*n < cap && st->next < st->end && st->due_ns <= now) {
        out[(*n)++] = seq_record(task, st);
        st->next++;
        st->due_ns += st->interval_ns;
    }
    return CD_OK; /* the records in out are the host's now */
}

static void seq_stop(cd_task_t *task, void *state)
{
    seq_source_t *st = state;
    host->schema_unref(st->schema);
    free(st);
}

static const char *const seq_aliases[] = {"connectd.example.SequenceSource", NULL};

static const cd_plugin_desc_t seq_source = {
    CD_PLUGIN_DESC_HEADER,
    .name = "SequenceSource",
    .version = "1.0.0",
    .description = "Produces records numbered 0, 1, 2, ... at a steady rate.",
    .kind = CD_KIND_SOURCE,
    .aliases = seq_aliases,
    .config = seq_config,
    /* No task_configs: one task, since two would produce the same numbers. */
    .start = seq_start,
    .poll = seq_poll,
    .stop = seq_stop,
};

static const cd_plugin_desc_t *const connectors[] = {&seq_source, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *h)
{
    host = h;
    return connectors;
}
