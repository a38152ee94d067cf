/*
 * timestamp_router.c - Kafka's TimestampRouter: the topic becomes
 * `topic.format` with ${topic} replaced by the topic and ${timestamp} by
 * the record's timestamp in `timestamp.format` (SimpleDateFormat, UTC).
 * Mostly for sinks, where the topic names the table or index.
 *
 *   topic "foo", timestamp 2017-03-09T00:00Z, defaults  ->  "foo-20170309"
 *
 * Like Kafka, ${topic} is replaced first and ${timestamp} then everywhere
 * in the result, so a topic containing "${timestamp}" gets it replaced too.
 * A record without a timestamp (-1 here, null in Kafka) fails.
 */
#include "field_common.h"
#include "java_date.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int timestamp_format_validate(const char *value, char *errbuf, size_t errlen)
{
    java_date_t *fmt = java_date_compile(value, errbuf, errlen);
    java_date_free(fmt);
    return fmt ? 0 : -1;
}

static const cd_config_def_t timestamp_router_config[] = {
    {.name = "topic.format", .type = CD_CFG_STRING, .default_value = "${topic}-${timestamp}",
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders "
            "for the topic and timestamp, respectively."},
    {.name = "timestamp.format", .type = CD_CFG_STRING, .default_value = "yyyyMMdd", .importance = CD_IMPORTANCE_HIGH,
     .doc = "Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.",
     .validate = timestamp_format_validate},
    {.name = NULL},
};

typedef struct timestamp_router {
    char *topic_format;
    java_date_t *timestamp_format;
} timestamp_router_t;

static void timestamp_router_destroy(void *instance)
{
    timestamp_router_t *tr = instance;
    if (tr) {
        free(tr->topic_format);
        java_date_free(tr->timestamp_format);
        free(tr);
    }
}

static void *timestamp_router_create(const properties_t *config, transform_target_t target, char *errstr,
                                     size_t errstr_size)
{
    (void)target;
    timestamp_router_t *tr = calloc(1, sizeof(*tr));
    char *format = smt_trimmed_copy(smt_config(config, "timestamp.format", "yyyyMMdd"));
    char *topic_format = smt_trimmed_copy(smt_config(config, "topic.format", "${topic}-${timestamp}"));
    if (tr) {
        tr->topic_format = topic_format;
    } else {
        free(topic_format);
    }
    if (!tr || !format || !topic_format) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    char why[256];
    tr->timestamp_format = java_date_compile(format, why, sizeof(why));
    if (!tr->timestamp_format) {
        /* Kafka compiles the pattern lazily and fails on the first record. */
        snprintf(errstr, errstr_size, "Invalid value %s for configuration timestamp.format: %s", format, why);
        goto fail;
    }
    free(format);
    return tr;
fail:
    free(format);
    timestamp_router_destroy(tr);
    return NULL;
}

/* Every occurrence of `what` in `text` replaced by `with`; malloc'd. */
static char *replace_all(const char *text, const char *what, const char *with)
{
    size_t wlen = strlen(what), rlen = strlen(with), n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + wlen, what)) {
        n++;
    }
    char *out = malloc(strlen(text) + n * rlen + 1);
    if (!out) {
        return NULL;
    }
    char *o = out;
    const char *p = text;
    for (const char *hit = strstr(p, what); hit; hit = strstr(p, what)) {
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        memcpy(o, with, rlen);
        o += rlen;
        p = hit + wlen;
    }
    strcpy(o, p);
    return out;
}

static int timestamp_router_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr,
                                  size_t errstr_size)
{
    timestamp_router_t *tr = instance;
    int64_t ts = data_record_timestamp(rec);
    const char *topic = data_record_topic(rec);
    if (ts < 0) {
        snprintf(errstr, errstr_size, "Timestamp missing on record: topic %s, partition %" PRId32,
                 topic ? topic : "null", data_record_partition(rec));
        return -1;
    }
    char *stamp = java_date_format(tr->timestamp_format, ts);
    char *with_topic = stamp ? replace_all(tr->topic_format, "${topic}", topic ? topic : "null") : NULL;
    char *updated = with_topic ? replace_all(with_topic, "${timestamp}", stamp) : NULL;
    free(stamp);
    free(with_topic);
    if (!updated) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    data_record_set_topic(rec, updated);
    free(updated);
    *out = rec;
    return 0;
}

const transform_def_t transform_timestamp_router = {
    .name = "TimestampRouter",
    .package = SMT_PACKAGE,
    .doc = "Update the record's topic field as a function of the original topic value and the record timestamp."
           "<p/>This is mainly useful for sink connectors, since the topic field is often used to determine the "
           "equivalent entity name in the destination system(e.g. database table or search index name).",
    .config = timestamp_router_config,
    .create = timestamp_router_create,
    .apply = timestamp_router_apply,
    .destroy = timestamp_router_destroy,
};
