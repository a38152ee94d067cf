/*
 * error_handler.c - retries, tolerance, the error log and the dead letter
 * queue of one task; see error_handler.h for the contract.
 *
 * Kafka's RetryWithToleranceOperator, reduced to what C needs: an
 * operation is a function returning 0, CD_RETRY or a failure; retriable
 * failures are retried (each attempt a record failure, each retry a
 * retry), a failure that stays is a record error, and then errors.tolerance
 * decides between failing the task and skipping the record.  A skipped
 * record is reported: to the log (LogReporter's "Error encountered in task
 * ...") and to the dead letter queue (DeadLetterQueueReporter), whose
 * deliveries the task waits for before it commits offsets.
 */
#include "error_handler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "blog.h"
#include "clock.h"
#include "config/client_conf.h"
#include "config/config_validate.h"
#include "data/data.h"

#define RETRY_DELAY_MIN_MS 300 /* Kafka's RETRIES_DELAY_MIN_MS */
#define DLQ_PARTITIONS 1       /* Kafka's DLQ_NUM_DESIRED_PARTITIONS */
#define DLQ_SETUP_TIMEOUT_MS 30000
#define BACKOFF_SLICE_MS 100 /* how soon a backoff notices a stop */
#define LOG_BYTES_MAX 1024   /* of a key or value shown in the error log */

#define DATA_EXCEPTION "org.apache.kafka.connect.errors.DataException"
#define CONNECT_EXCEPTION "org.apache.kafka.connect.errors.ConnectException"
#define HEADER_PREFIX "__connect.errors."

struct error_handler {
    error_handler_env_t env;
    error_handler_settings_t settings;
    rd_kafka_t *dlq;
    uint64_t dlq_failed;      /* deliveries refused, from dlq_on_delivery */
    char dlq_error[512];      /* the first refusal */
    char trace[4096];
};

static const char *const stage_names[] = {
    "TASK_POLL", "TASK_PUT", "TRANSFORMATION", "KEY_CONVERTER", "VALUE_CONVERTER", "HEADER_CONVERTER",
    "KAFKA_PRODUCE", "KAFKA_CONSUME",
};

const char *error_stage_name(error_stage_t stage)
{
    return stage_names[stage];
}

/* ---- settings ------------------------------------------------------------------------ */

#define FIELD(member) CONFIG_DEF_FIELD(error_handler_settings_t, member)

static const char *const tolerances[] = {"none", "all", NULL}; /* enum error_tolerance */

const config_def_t error_handler_defs[] = {
    {.name = "errors.retry.timeout", .type = CONFIG_DEF_LONG, .default_value = "0",
     .importance = CONFIG_DEF_MEDIUM,
     .doc = "The maximum duration in milliseconds that a failed operation will be reattempted. The default is "
            "0, which means no retries will be attempted. Use -1 for infinite retries.",
     .group = "Error Handling", .order = 1, .width = CONFIG_DEF_WIDTH_MEDIUM,
     .display_name = "Retry Timeout for Errors", FIELD(retry_timeout_ms)},
    {.name = "errors.retry.delay.max.ms", .type = CONFIG_DEF_LONG, .default_value = "60000",
     .importance = CONFIG_DEF_MEDIUM,
     .doc = "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to "
            "the delay once this limit is reached to prevent thundering herd issues.",
     .group = "Error Handling", .order = 2, .width = CONFIG_DEF_WIDTH_MEDIUM,
     .display_name = "Maximum Delay Between Retries for Errors", FIELD(retry_delay_max_ms)},
    {.name = "errors.tolerance", .type = CONFIG_DEF_STRING, .default_value = "none",
     .importance = CONFIG_DEF_MEDIUM,
     .doc = "Behavior for tolerating errors during connector operation. 'none' is the default value and "
            "signals that any error will result in an immediate connector task failure; 'all' changes the "
            "behavior to skip over problematic records.",
     .group = "Error Handling", .order = 3, .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Error Tolerance",
     .choices = tolerances, FIELD(tolerance)},
    {.name = "errors.log.enable", .type = CONFIG_DEF_BOOLEAN, .default_value = "false",
     .importance = CONFIG_DEF_MEDIUM,
     .doc = "If true, write each error and the details of the failed operation and problematic record to the "
            "Connect application log. This is 'false' by default, so that only errors that are not tolerated "
            "are reported.",
     .group = "Error Handling", .order = 4, .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Log Errors",
     FIELD(log_enable)},
    {.name = "errors.log.include.messages", .type = CONFIG_DEF_BOOLEAN, .default_value = "false",
     .importance = CONFIG_DEF_MEDIUM,
     .doc = "Whether to include in the log the Connect record that resulted in a failure. For sink records, "
            "the topic, partition, offset, and timestamp will be logged. For source records, the key and value "
            "(and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source "
            "partition, and source offset will be logged. This is 'false' by default, which will prevent "
            "record keys, values, and headers from being written to log files.",
     .group = "Error Handling", .order = 5, .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Log Error Details",
     FIELD(log_messages)},
    {.name = NULL},
};

const config_def_t error_handler_dlq_defs[] = {
    {.name = "errors.deadletterqueue.topic.name", .type = CONFIG_DEF_STRING, .default_value = "",
     .importance = CONFIG_DEF_MEDIUM,
     .doc = "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an "
            "error when processed by this connector, or its transformations or converters. The topic "
            "name is blank by default, which means that no messages are to be recorded in the DLQ.",
     .group = "Error Handling", .order = 6, .width = CONFIG_DEF_WIDTH_MEDIUM,
     .display_name = "Dead Letter Queue Topic Name", FIELD(dlq_topic)},
    {.name = "errors.deadletterqueue.topic.replication.factor", .type = CONFIG_DEF_SHORT, .default_value = "3",
     .importance = CONFIG_DEF_MEDIUM,
     .doc = "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
     .group = "Error Handling", .order = 7, .width = CONFIG_DEF_WIDTH_MEDIUM,
     .display_name = "Dead Letter Queue Topic Replication Factor", FIELD(dlq_replication_factor)},
    {.name = "errors.deadletterqueue.context.headers.enable", .type = CONFIG_DEF_BOOLEAN,
     .default_value = "false", .importance = CONFIG_DEF_MEDIUM,
     .doc = "If true, add headers containing error context to the messages written to the dead letter queue. "
            "To avoid clashing with headers from the original record, all error context header keys, all "
            "error context header keys will start with <code>__connect.errors.</code>",
     .group = "Error Handling", .order = 8, .width = CONFIG_DEF_WIDTH_MEDIUM,
     .display_name = "Enable Error Context Headers", FIELD(dlq_context_headers)},
    {.name = NULL},
};

bool error_handler_settings_read(const properties_t *config, error_handler_settings_t *settings, char *errstr,
                                 size_t errstr_size)
{
    memset(settings, 0, sizeof(*settings));
    return cv_fill(error_handler_defs, settings, config, errstr, errstr_size) &&
           cv_fill(error_handler_dlq_defs, settings, config, errstr, errstr_size);
}

void error_handler_settings_free(error_handler_settings_t *settings)
{
    config_def_free(error_handler_defs, settings);
    config_def_free(error_handler_dlq_defs, settings);
}

/* ---- the dead letter queue ---------------------------------------------------------- */

/* Delivery reports of the queue's producer, served by rd_kafka_poll/flush
 * on the task's thread. */
static void dlq_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    error_handler_t *eh = opaque;
    if (!msg->err) {
        return;
    }
    metrics_counter_add(&eh->env.metrics->dlq_failures, 1);
    if (eh->dlq_failed++ == 0) {
        snprintf(eh->dlq_error, sizeof(eh->dlq_error), "%s", rd_kafka_err2str(msg->err));
    }
    blog_error("task %s-%d: could not produce message to dead letter queue. topic=%s: %s", eh->env.connector,
               eh->env.task_id, eh->settings.dlq_topic, rd_kafka_err2str(msg->err));
}

/* The topic exists, or is created with 1 partition and min(rf, brokers)
 * replicas.  Returns false with errstr. */
static bool dlq_topic_ensure(error_handler_t *eh, int rf, char *errstr, size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(eh->dlq, 1, NULL, &md, DLQ_SETUP_TIMEOUT_MS);
    if (e) {
        snprintf(errstr, errstr_size, "cannot read the cluster's metadata: %s", rd_kafka_err2str(e));
        return false;
    }
    bool exists = false;
    for (int i = 0; i < md->topic_cnt; i++) {
        exists |= strcmp(md->topics[i].topic, eh->settings.dlq_topic) == 0 && !md->topics[i].err;
    }
    int brokers = md->broker_cnt;
    rd_kafka_metadata_destroy(md);
    if (exists) {
        return true;
    }
    if (brokers > 0 && rf > brokers) {
        blog_warn("task %s-%d: the dead letter queue topic %s is created with replication factor %d, not "
                  "errors.deadletterqueue.topic.replication.factor=%d: the cluster has %d broker%s (Kafka would "
                  "fail to create it)",
                  eh->env.connector, eh->env.task_id, eh->settings.dlq_topic, brokers, rf, brokers,
                  brokers == 1 ? "" : "s");
        rf = brokers;
    }
    blog_info("task %s-%d: topic %s doesn't exist; creating it for the dead letter queue", eh->env.connector,
              eh->env.task_id, eh->settings.dlq_topic);
    char e2[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(eh->settings.dlq_topic, DLQ_PARTITIONS, rf, e2, sizeof(e2));
    if (!nt) {
        snprintf(errstr, errstr_size, "%s", e2);
        return false;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(eh->dlq);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(eh->dlq, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opts, DLQ_SETUP_TIMEOUT_MS, e2, sizeof(e2));
    rd_kafka_CreateTopics(eh->dlq, &nt, 1, opts, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, DLQ_SETUP_TIMEOUT_MS + 5000);
    bool ok = false;
    if (!ev) {
        snprintf(errstr, errstr_size, "timed out creating the topic");
    } else if (rd_kafka_event_error(ev)) {
        snprintf(errstr, errstr_size, "%s", rd_kafka_event_error_string(ev));
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rd_kafka_resp_err_t te = n > 0 ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        ok = !te || te == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
        if (!ok) {
            const char *msg = rd_kafka_topic_result_error_string(res[0]);
            snprintf(errstr, errstr_size, "%s", msg ? msg : rd_kafka_err2str(te));
        }
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return ok;
}

static bool dlq_open(error_handler_t *eh, char *errstr, size_t errstr_size)
{
    int rf = eh->settings.dlq_replication_factor;
    /* The worker's producer settings, as for a source task's producer; the
     * connector's producer.override.* on top, as Kafka's DLQ producer. */
    rd_kafka_conf_t *conf =
        client_conf_new(eh->env.bootstrap, eh->env.worker_props, "producer.", client_conf_task_producer_defaults);
    char e[256], who[300];
    snprintf(who, sizeof(who), "task %s-%d", eh->env.connector, eh->env.task_id);
    int policy = client_override_policy_parse(eh->env.override_policy);
    if (!client_conf_apply_overrides(conf, eh->env.config, "producer.override.",
                                     policy < 0 ? CLIENT_OVERRIDE_NONE : (client_override_policy_t)policy, who, e,
                                     sizeof(e))) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "could not initialize dead letter queue with topic=%s: %s",
                 eh->settings.dlq_topic, e);
        return false;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, dlq_on_delivery);
    rd_kafka_conf_set_opaque(conf, eh);
    eh->dlq = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof(e));
    if (!eh->dlq) {
        snprintf(errstr, errstr_size, "could not initialize dead letter queue with topic=%s: %s",
                 eh->settings.dlq_topic, e);
        return false;
    }
    char why[512];
    if (!dlq_topic_ensure(eh, rf > 0 ? (int)rf : 1, why, sizeof(why))) {
        snprintf(errstr, errstr_size, "could not initialize dead letter queue with topic=%s: %s",
                 eh->settings.dlq_topic, why);
        return false;
    }
    return true;
}

/* Kafka writes header values as UTF-8 strings. */
static void header_add(rd_kafka_headers_t *hdrs, const char *name, const char *value)
{
    char full[128];
    snprintf(full, sizeof(full), HEADER_PREFIX "%s", name);
    const void *found;
    size_t len;
    if (rd_kafka_header_get_last(hdrs, full, &found, &len) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        blog_error("Header already contains the '%s' key.", full); /* Kafka keeps the record's own */
        return;
    }
    rd_kafka_header_add(hdrs, full, -1, value, -1);
}

/* A Connect value as a source's dead letter record carries it: schemaless
 * JSON, NULL for a null. */
static char *json_of(const cd_value_t *v, size_t *len)
{
    if (!v) {
        *len = 0;
        return NULL;
    }
    char *text = data_value_to_json(v);
    *len = text ? strlen(text) : 0;
    return text;
}

static void dlq_send(error_handler_t *eh, error_stage_t stage, const char *class_name, const char *exception,
                     const error_record_t *rec, const char *message)
{
    metrics_counter_add(&eh->env.metrics->dlq_requests, 1);
    const void *key = rec->key, *value = rec->value;
    size_t key_len = rec->key_len, value_len = rec->value_len;
    char *key_json = NULL, *value_json = NULL;
    rd_kafka_headers_t *hdrs;
    if (rec->have_bytes || !rec->rec) {
        hdrs = rec->headers ? rd_kafka_headers_copy(rec->headers) : rd_kafka_headers_new(12);
    } else {
        key = key_json = json_of(data_record_key(rec->rec), &key_len);
        value = value_json = json_of(data_record_value(rec->rec), &value_len);
        size_t n = data_record_header_count(rec->rec);
        hdrs = rd_kafka_headers_new(n + 12);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            char *hv = json_of(data_record_header_value(rec->rec, i), &len);
            rd_kafka_header_add(hdrs, data_record_header_key(rec->rec, i), -1, hv, hv ? (ssize_t)len : 0);
            free(hv);
        }
    }
    if (eh->settings.dlq_context_headers) {
        char num[32];
        header_add(hdrs, "topic", rec->topic ? rec->topic : "");
        snprintf(num, sizeof(num), "%d", (int)rec->partition);
        header_add(hdrs, "partition", num);
        snprintf(num, sizeof(num), "%lld", (long long)rec->offset);
        header_add(hdrs, "offset", num);
        header_add(hdrs, "connector.name", eh->env.connector);
        snprintf(num, sizeof(num), "%d", eh->env.task_id);
        header_add(hdrs, "task.id", num);
        header_add(hdrs, "stage", error_stage_name(stage));
        header_add(hdrs, "class.name", class_name ? class_name : "null");
        header_add(hdrs, "exception.class.name", exception);
        header_add(hdrs, "exception.message", message);
        /* Java's printStackTrace has frames; ours is the one frame that
         * matters: the stage and the class that failed. */
        size_t tlen = strlen(exception) + strlen(message) + strlen(class_name ? class_name : "") + 64;
        char *st = malloc(tlen);
        if (!st) {
            abort();
        }
        snprintf(st, tlen, "%s: %s\n\tat %s(%s)\n", exception, message, error_stage_name(stage),
                 class_name ? class_name : "null");
        header_add(hdrs, "exception.stacktrace", st);
        free(st);
    }
    rd_kafka_resp_err_t e;
    do {
        e = rd_kafka_producev(eh->dlq, RD_KAFKA_V_TOPIC(eh->settings.dlq_topic), RD_KAFKA_V_KEY(key, key_len),
                              RD_KAFKA_V_VALUE((void *)value, value_len),
                              RD_KAFKA_V_TIMESTAMP(rec->timestamp > 0 ? rec->timestamp : 0),
                              RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(eh->dlq, 100);
        }
    } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL);
    if (e) {
        rd_kafka_headers_destroy(hdrs);
        metrics_counter_add(&eh->env.metrics->dlq_failures, 1);
        if (eh->dlq_failed++ == 0) {
            snprintf(eh->dlq_error, sizeof(eh->dlq_error), "%s", rd_kafka_err2str(e));
        }
        blog_error("task %s-%d: could not produce message to dead letter queue. topic=%s: %s", eh->env.connector,
                   eh->env.task_id, eh->settings.dlq_topic, rd_kafka_err2str(e));
    }
    free(key_json);
    free(value_json);
}

/* ---- context, log and trace ----------------------------------------------------------- */

/* Kafka's ProcessingContext.toString: "Executing stage 'X' with class 'Y',
 * where consumed record is {topic='t', partition=0, offset=3, ...}." --
 * the record's coordinates always (they name no data), its contents only
 * when `messages`. */
static size_t context_describe(const error_handler_t *eh, error_stage_t stage, const char *class_name,
                               const error_record_t *rec, bool messages, char *out, size_t size);

static size_t append(char *out, size_t size, size_t used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static size_t append(char *out, size_t size, size_t used, const char *fmt, ...)
{
    if (used >= size) {
        return used;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + used, size - used, fmt, ap);
    va_end(ap);
    return n < 0 ? used : used + (size_t)n;
}

/* Bytes as printable text: \xNN for the rest, cut at LOG_BYTES_MAX. */
static size_t append_bytes(char *out, size_t size, size_t used, const void *data, size_t len)
{
    if (!data) {
        return append(out, size, used, "null");
    }
    const unsigned char *p = data;
    used = append(out, size, used, "'");
    for (size_t i = 0; i < len && i < LOG_BYTES_MAX; i++) {
        used = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'' && p[i] != '\\' ? append(out, size, used, "%c", p[i])
                                                                             : append(out, size, used, "\\x%02x", p[i]);
    }
    return append(out, size, used, "%s'", len > LOG_BYTES_MAX ? "..." : "");
}

static size_t append_json(char *out, size_t size, size_t used, const cd_value_t *v)
{
    char *text = v ? data_value_to_json(v) : NULL;
    used = append(out, size, used, "%s", text ? text : "null");
    free(text);
    return used;
}

static size_t context_describe(const error_handler_t *eh, error_stage_t stage, const char *class_name,
                               const error_record_t *rec, bool messages, char *out, size_t size)
{
    size_t used = append(out, size, 0, "Executing stage '%s' with class '%s'", error_stage_name(stage),
                         class_name ? class_name : "null");
    if (!rec) {
        return append(out, size, used, ".");
    }
    bool consumed = rec->offset >= 0;
    used = append(out, size, used, ", where %s record is {topic='%s', partition=%d", consumed ? "consumed" : "source",
                  rec->topic ? rec->topic : "", (int)rec->partition);
    if (consumed) {
        used = append(out, size, used, ", offset=%lld", (long long)rec->offset);
    }
    if (rec->timestamp > 0) {
        used = append(out, size, used, ", timestamp=%lld", (long long)rec->timestamp);
    }
    if (!consumed && rec->rec) {
        used = append(out, size, used, ", sourcePartition=");
        used = append_json(out, size, used, data_record_source_partition(rec->rec));
        used = append(out, size, used, ", sourceOffset=");
        used = append_json(out, size, used, data_record_source_offset(rec->rec));
    }
    if (messages) {
        if (rec->have_bytes || !rec->rec) {
            used = append(out, size, used, ", key=");
            used = append_bytes(out, size, used, rec->key, rec->key_len);
            used = append(out, size, used, ", value=");
            used = append_bytes(out, size, used, rec->value, rec->value_len);
            used = append(out, size, used, ", headers=[");
            const char *name;
            const void *data;
            size_t len;
            for (size_t i = 0; rec->headers &&
                               rd_kafka_header_get_all(rec->headers, i, &name, &data, &len) == RD_KAFKA_RESP_ERR_NO_ERROR;
                 i++) {
                used = append(out, size, used, "%s%s=", i ? ", " : "", name);
                used = append_bytes(out, size, used, data, len);
            }
            used = append(out, size, used, "]");
        } else {
            used = append(out, size, used, ", key=");
            used = append_json(out, size, used, data_record_key(rec->rec));
            used = append(out, size, used, ", value=");
            used = append_json(out, size, used, data_record_value(rec->rec));
            used = append(out, size, used, ", headers=[");
            for (size_t i = 0; i < data_record_header_count(rec->rec); i++) {
                used = append(out, size, used, "%s%s=", i ? ", " : "", data_record_header_key(rec->rec, i));
                used = append_json(out, size, used, data_record_header_value(rec->rec, i));
            }
            used = append(out, size, used, "]");
        }
    }
    (void)eh;
    return append(out, size, used, "}.");
}

static const char *default_exception(error_stage_t stage)
{
    switch (stage) {
    case ERROR_STAGE_TRANSFORMATION:
    case ERROR_STAGE_KEY_CONVERTER:
    case ERROR_STAGE_VALUE_CONVERTER:
    case ERROR_STAGE_HEADER_CONVERTER:
        return DATA_EXCEPTION;
    default:
        return CONNECT_EXCEPTION;
    }
}

/* A failure that stays: fail the task or skip and report the record. */
static error_verdict_t tolerate(error_handler_t *eh, error_stage_t stage, const char *class_name,
                                const char *exception, const error_record_t *rec, const char *message)
{
    task_metrics_t *m = eh->env.metrics;
    metrics_counter_add(&m->record_errors, 1);
    if (!exception) {
        exception = default_exception(stage);
    }
    if (!message || !*message) {
        message = "no reason given";
    }
    char context[2048];
    if (eh->settings.tolerance != ERROR_TOLERANCE_ALL) {
        context_describe(eh, stage, class_name, rec, false, context, sizeof(context));
        snprintf(eh->trace, sizeof(eh->trace), "Tolerance exceeded in error handler\n%s\nCaused by: %s: %s", context,
                 exception, message);
        return ERROR_FAIL;
    }
    metrics_counter_add(&m->records_skipped, 1);
    if (eh->settings.log_enable) {
        context_describe(eh, stage, class_name, rec, eh->settings.log_messages, context, sizeof(context));
        blog_error("Error encountered in task %s-%d. %s Caused by: %s: %s", eh->env.connector, eh->env.task_id,
                   context, exception, message);
        metrics_counter_add(&m->errors_logged, 1);
    }
    if (eh->dlq && rec) {
        dlq_send(eh, stage, class_name, exception, rec, message);
    }
    return ERROR_SKIP;
}

/* ---- the operator -------------------------------------------------------------------- */

error_handler_t *error_handler_create(const error_handler_env_t *env, char *errstr, size_t errstr_size)
{
    error_handler_t *eh = calloc(1, sizeof(*eh));
    if (!eh) {
        abort();
    }
    eh->env = *env;
    if (!error_handler_settings_read(env->config, &eh->settings, errstr, errstr_size)) {
        goto fail;
    }
    if (*eh->settings.dlq_topic && !dlq_open(eh, errstr, errstr_size)) {
        goto fail;
    }
    return eh;
fail:
    error_handler_destroy(eh, 0);
    return NULL;
}

void error_handler_destroy(error_handler_t *eh, int timeout_ms)
{
    if (!eh) {
        return;
    }
    if (eh->dlq) {
        rd_kafka_flush(eh->dlq, timeout_ms);
        rd_kafka_destroy(eh->dlq);
    }
    error_handler_settings_free(&eh->settings);
    free(eh);
}

bool error_handler_tolerates_all(const error_handler_t *eh)
{
    return eh->settings.tolerance == ERROR_TOLERANCE_ALL;
}

int64_t error_backoff_ms(int attempt, int64_t max_delay_ms)
{
    int64_t delay = RETRY_DELAY_MIN_MS;
    for (int i = 1; i < attempt && delay < max_delay_ms; i++) {
        delay *= 2;
    }
    return delay > max_delay_ms ? max_delay_ms : delay;
}

/* Waits before retry `attempt`, never past the deadline; false when the
 * task is asked to stop meanwhile. */
static bool backoff(error_handler_t *eh, int attempt, int64_t deadline)
{
    int64_t delay = error_backoff_ms(attempt, eh->settings.retry_delay_max_ms);
    int64_t uncapped = (int64_t)RETRY_DELAY_MIN_MS << (attempt < 30 ? attempt - 1 : 29);
    if (uncapped > eh->settings.retry_delay_max_ms && eh->settings.retry_delay_max_ms > 0) {
        /* Past the cap, Kafka waits a random time up to it (jitter against
         * a thundering herd). */
        delay = (int64_t)(random() % eh->settings.retry_delay_max_ms);
    }
    int64_t until = clock_mono_ms() + delay;
    if (until > deadline) {
        until = deadline;
    }
    for (int64_t t = clock_mono_ms(); t < until; t = clock_mono_ms()) {
        if (eh->env.stopping && eh->env.stopping(eh->env.opaque)) {
            return false;
        }
        int64_t slice = until - t < BACKOFF_SLICE_MS ? until - t : BACKOFF_SLICE_MS;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)slice * 1000000L};
        nanosleep(&ts, NULL);
    }
    return true;
}

error_verdict_t error_handler_run(error_handler_t *eh, error_stage_t stage, const char *class_name,
                                  const error_record_t *rec, error_op_t op, void *arg)
{
    task_metrics_t *m = eh->env.metrics;
    int64_t start = clock_mono_ms();
    int64_t deadline = eh->settings.retry_timeout_ms < 0 ? INT64_MAX : start + eh->settings.retry_timeout_ms;
    char err[1024];
    for (int attempt = 1;; attempt++) {
        err[0] = '\0';
        int rc = op(arg, err, sizeof(err));
        if (rc == 0) {
            return ERROR_OK;
        }
        metrics_counter_add(&m->record_failures, 1);
        if (rc == CD_RETRY && clock_mono_ms() < deadline && backoff(eh, attempt, deadline)) {
            metrics_counter_add(&m->retries, 1);
            continue;
        }
        return tolerate(eh, stage, class_name, NULL, rec, err);
    }
}

error_verdict_t error_handler_failed(error_handler_t *eh, error_stage_t stage, const char *class_name,
                                     const char *exception_class, const error_record_t *rec, const char *message)
{
    metrics_counter_add(&eh->env.metrics->record_failures, 1);
    return tolerate(eh, stage, class_name, exception_class, rec, message);
}

const char *error_handler_trace(const error_handler_t *eh)
{
    return eh->trace;
}

void error_handler_poll(error_handler_t *eh)
{
    if (eh->dlq) {
        rd_kafka_poll(eh->dlq, 0);
    }
}

int error_handler_flush(error_handler_t *eh, int timeout_ms, char *errstr, size_t errstr_size)
{
    if (!eh->dlq) {
        return 0;
    }
    rd_kafka_resp_err_t e = rd_kafka_flush(eh->dlq, timeout_ms);
    if (eh->dlq_failed) {
        snprintf(errstr, errstr_size,
                 "the dead letter queue topic %s refused %llu record%s (%s); their offsets are not committed, so "
                 "they are processed again after a restart",
                 eh->settings.dlq_topic, (unsigned long long)eh->dlq_failed, eh->dlq_failed == 1 ? "" : "s",
                 eh->dlq_error);
        return -1;
    }
    return e == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : 1;
}
