/*
 * error_handler.h - a task's "retry with tolerance operator" (Kafka
 * Connect's RetryWithToleranceOperator, Stage, LogReporter and
 * DeadLetterQueueReporter in one place): every stage that handles one
 * record -- converters, transforms, a sink's put() rejecting a record, a
 * source's produce -- reports its failures here, and the handler decides:
 *
 *   - a retriable failure (CD_RETRY) is tried again with exponential
 *     backoff, 300 ms doubling up to errors.retry.delay.max.ms, for as long
 *     as errors.retry.timeout allows (0: never, -1: forever);
 *   - then errors.tolerance: `none` fails the task with "Tolerance exceeded
 *     in error handler", the stage and the record (topic, partition,
 *     offset) in its trace; `all` skips the record: counted, logged when
 *     errors.log.enable (key, value and headers with
 *     errors.log.include.messages), and written to the dead letter queue
 *     when errors.deadletterqueue.topic.name is set.
 *
 * The dead letter queue takes, for a sink, the record's bytes as consumed
 * (key, value, headers, timestamp), as Kafka does.  connectd gives sources
 * one too (Kafka does not): the bytes the converters made when they
 * succeeded (a produce failure), otherwise (a transform or converter
 * failure) the record rendered as schemaless JSON, key and value each as
 * JsonConverter with schemas.enable=false would write them, and each
 * header's value the same way.  With
 * errors.deadletterqueue.context.headers.enable the record also carries
 * Kafka's __connect.errors.* headers (DeadLetterQueueReporter), e.g.
 *
 *   __connect.errors.topic                  poison
 *   __connect.errors.partition              0
 *   __connect.errors.offset                 3          (-1 for a source)
 *   __connect.errors.connector.name         file-sink
 *   __connect.errors.task.id                0
 *   __connect.errors.stage                  VALUE_CONVERTER
 *   __connect.errors.class.name             org.apache.kafka.connect.json.JsonConverter
 *   __connect.errors.exception.class.name   org.apache.kafka.connect.errors.DataException
 *   __connect.errors.exception.message      Converting byte[] to Kafka Connect data failed ...
 *   __connect.errors.exception.stacktrace   org.apache.kafka.connect.errors.DataException: ...
 *                                               at VALUE_CONVERTER(org.apache...JsonConverter)
 *
 * The topic is created when missing, with 1 partition and
 * errors.deadletterqueue.topic.replication.factor replicas, or as many as
 * the cluster has brokers when it has fewer (Kafka would fail the task on
 * a 1-broker cluster with the default 3; a logged warning says so).
 *
 * Nothing acknowledged is lost: a task commits the offsets of records it
 * sent to the dead letter queue only after error_handler_flush() said the
 * queue acknowledged them; a record the queue refused fails the task, so
 * the record is consumed (or polled) again after a restart.
 *
 * Thread: a handler belongs to its task's thread, and takes no lock of
 * the task's or the herder's (its producer has librdkafka's own).
 */
#ifndef CONNECTD_ERROR_HANDLER_H
#define CONNECTD_ERROR_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>
#include <librdkafka/rdkafka.h>

#include "config_def.h"
#include "properties.h"
#include "task_runner.h"

/* Kafka's Stage names, in its order. */
typedef enum error_stage {
    ERROR_STAGE_TASK_POLL,
    ERROR_STAGE_TASK_PUT,
    ERROR_STAGE_TRANSFORMATION,
    ERROR_STAGE_KEY_CONVERTER,
    ERROR_STAGE_VALUE_CONVERTER,
    ERROR_STAGE_HEADER_CONVERTER,
    ERROR_STAGE_KAFKA_PRODUCE,
    ERROR_STAGE_KAFKA_CONSUME,
} error_stage_t;

/* "VALUE_CONVERTER".
 * @locality any thread
 * @locks none */
const char *error_stage_name(error_stage_t stage);

/* The class a TRANSFORMATION failure names until the transform chain says
 * which link failed: Kafka's interface of every transform. */
#define TRANSFORMATION_CLASS "org.apache.kafka.connect.transforms.Transformation"

/* What the caller does with the record after a failure. */
typedef enum error_verdict {
    ERROR_OK = 0,    /* the stage succeeded (after retries, maybe) */
    ERROR_SKIP = 1,  /* tolerated: drop the record and go on */
    ERROR_FAIL = -1, /* not tolerated: fail the task with error_handler_trace() */
} error_verdict_t;

/*
 * The record a failure is about; every pointer borrowed for the call.
 * A sink fills the consumed message's coordinates and bytes (key and
 * value NULL for a Kafka null; headers as consumed, may be NULL).  A
 * source sets `rec` (the Connect record) and, when its converters ran, the
 * bytes they made; partition and offset are then -1 unless known.
 */
typedef struct error_record {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp; /* ms; <= 0: none */
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
    const rd_kafka_headers_t *headers;
    bool have_bytes;        /* key/value/headers are the record's bytes */
    const cd_record_t *rec; /* the Connect form, when there is one */
} error_record_t;

typedef struct error_handler error_handler_t;

/* The choices of errors.tolerance, in their order. */
enum error_tolerance {
    ERROR_TOLERANCE_NONE,
    ERROR_TOLERANCE_ALL,
};

/* A connector's errors.* settings, filled by their rows (below). */
typedef struct error_handler_settings {
    int64_t retry_timeout_ms; /* -1: forever */
    int64_t retry_delay_max_ms;
    int32_t tolerance; /* enum error_tolerance */
    bool log_enable, log_messages;
    char *dlq_topic; /* "": no dead letter queue */
    int16_t dlq_replication_factor;
    bool dlq_context_headers;
} error_handler_settings_t;

/* The rows of those settings, Kafka's (ConnectorConfig's error handling,
 * then SinkConnectorConfig's dead letter queue, which connectd gives
 * sources too); connector_config.c lays them out among the framework's,
 * as Kafka orders them.  NULL-name-terminated. */
extern const config_def_t error_handler_defs[];
extern const config_def_t error_handler_dlq_defs[];

/* Reads the errors.* settings of `config` through their rows, missing ones
 * with their defaults; false with Kafka's messages in errstr ("Invalid
 * value some for configuration errors.tolerance: String must be one of:
 * none, all").  error_handler_settings_free releases them either way. */
bool error_handler_settings_read(const properties_t *config, error_handler_settings_t *settings, char *errstr,
                                 size_t errstr_size);
void error_handler_settings_free(error_handler_settings_t *settings);

typedef struct error_handler_env {
    const char *connector;
    int task_id;
    const properties_t *config;       /* the task's config: errors.* */
    const char *bootstrap;            /* for the dead letter queue's producer */
    const properties_t *worker_props; /* its `producer.` settings */
    const char *override_policy;      /* connector.client.config.override.policy; NULL: Kafka's default */
    task_metrics_t *metrics;          /* counted into; the task's */
    /* Whether the task is asked to stop: ends a backoff early.  May be NULL. */
    bool (*stopping)(void *opaque);
    void *opaque;
} error_handler_env_t;

/*
 * A handler from the errors.* settings of env->config; with a dead letter
 * queue, its producer is made and the topic created if missing.  NULL with
 * errstr set when a setting is bad or the topic cannot be had ("could not
 * initialize dead letter queue with topic=x: ...").  env is copied; the
 * strings and properties it points at must outlive the handler.
 * @locality the task's own thread
 * @locks none
 */
error_handler_t *error_handler_create(const error_handler_env_t *env, char *errstr, size_t errstr_size);

/* Waits up to timeout_ms for the dead letter queue's deliveries, then
 * frees.  NULL is fine.
 * @locality the task's own thread
 * @locks none */
void error_handler_destroy(error_handler_t *eh, int timeout_ms);

/* errors.tolerance=all.
 * @locality the task's own thread
 * @locks none */
bool error_handler_tolerates_all(const error_handler_t *eh);

/* A stage operation: 0 when it worked, CD_RETRY when trying again may help,
 * another negative value when it failed, with the reason in errstr. */
typedef int (*error_op_t)(void *arg, char *errstr, size_t errstr_size);

/*
 * Runs `op` as stage `stage` of class `class_name` (Kafka's class name of
 * the converter, transform or connector) for record `rec`, retrying and
 * then tolerating as the settings say.  ERROR_OK, ERROR_SKIP or ERROR_FAIL.
 * @locality the task's own thread
 * @locks none
 */
error_verdict_t error_handler_run(error_handler_t *eh, error_stage_t stage, const char *class_name,
                                  const error_record_t *rec, error_op_t op, void *arg);

/*
 * The stage failed already (once, for good) with `message`: tolerance,
 * log and dead letter queue as error_handler_run after its retries.
 * `exception_class` names Kafka's exception (NULL: the stage's usual one,
 * DataException for converters and transforms, ConnectException else).
 * @locality the task's own thread
 * @locks none
 */
error_verdict_t error_handler_failed(error_handler_t *eh, error_stage_t stage, const char *class_name,
                                     const char *exception_class, const error_record_t *rec, const char *message);

/* After ERROR_FAIL: the task's trace, "Tolerance exceeded in error
 * handler" with the stage, the record and the cause.  Valid until the
 * next call.
 * @locality the task's own thread
 * @locks none */
const char *error_handler_trace(const error_handler_t *eh);

/* Serves the dead letter queue's delivery reports (cheap; call once per
 * batch).
 * @locality the task's own thread
 * @locks none */
void error_handler_poll(error_handler_t *eh);

/*
 * Before a task commits offsets: waits up to timeout_ms until the dead
 * letter queue acknowledged everything sent to it.  0: all acknowledged
 * (or no queue); 1: some still in flight (commit later); -1: the queue
 * refused a record -- the task must fail, with errstr.
 * @locality the task's own thread
 * @locks none
 */
int error_handler_flush(error_handler_t *eh, int timeout_ms, char *errstr, size_t errstr_size);

/* For tests: the delay before retry `attempt` (1..) with the maximum
 * `max_delay_ms`, without the jitter (Kafka's backoff).
 * @locality any thread
 * @locks none */
int64_t error_backoff_ms(int attempt, int64_t max_delay_ms);

#endif
