/*
 * topics.h - the broker's topics and partitions, and where they live on disk.
 *
 *   <log.dir>/<topic>-<partition>/      one log_t per partition (log.h)
 *   <log.dir>/recovery-point-offset-checkpoint   Kafka's checkpoint files
 *   <log.dir>/log-start-offset-checkpoint
 *   <first log.dir>/__connectd_topics/<topic>.properties
 *       partitions=6
 *       topic.id=8f1e0c4a9b2d4e6f8a7b6c5d4e3f2a1b   (16 bytes in hex)
 *       retention.ms=60000          (only the topic's config overrides)
 *
 * Kafka keeps topic metadata in ZooKeeper or the KRaft log; a single node
 * needs only this small file per topic, written atomically (temp file,
 * fsync, rename).  Partition directories found without a metadata file (a
 * data directory copied from elsewhere) are adopted as topics with default
 * configs.  Each topic has a random id (KIP-516's Uuid, answered by
 * CreateTopics v7 and accepted by DeleteTopics v6), made when it is created,
 * or when a file from before ids (or an adopted topic) is loaded, and then
 * written to its file so it survives restarts.  A deleted topic's directories are renamed to
 * "<topic>-<p>.deleting" before they are removed, so a crash half-way never
 * resurrects it.
 *
 * New partitions (CreateTopics, CreatePartitions) are built in
 *
 *   <log.dir>/~creating/<topic>-<partition>/
 *
 * and renamed into place only once every one of them is built and the
 * metadata file is written; a create that fails is undone, and topics_open
 * removes a "~creating" directory a crash left behind.  '~' cannot be in a
 * topic name, so the staging dir can never be taken for a topic's; it is a
 * directory rather than a suffix because "<249-character topic>-<p>" already
 * fills a file name.  A create whose partitions could hold more file
 * descriptors than RLIMIT_NOFILE leaves free is refused up front.
 *
 * Locking: the registry has one reader-writer lock.  Whoever uses a topic or
 * partition holds it for reading; create, delete and add-partitions take it
 * for writing, so a partition cannot disappear under a reader.  Each
 * partition has its own mutex around its log and producer state.  What each
 * lock guards and the order they nest in with the broker's other locks are
 * in broker.h.
 */
#ifndef CONNECTD_TOPICS_H
#define CONNECTD_TOPICS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/buf.h"
#include "config/topic_config.h"
#include "storage/log.h"
#include "metrics.h"
#include "records/producer_state.h"
#include "replica_state.h"

typedef struct topic topic_t;

typedef struct partition {
    pthread_mutex_t lock; /* the partition lock: guards plog, pstate, last_flush_ms and repl */
    topic_t *topic;
    int32_t index;
    int dir;              /* index into the broker's log dirs */
    log_t *plog;
    producer_state_t *pstate;
    int64_t last_flush_ms;
    replica_state_t repl; /* its role in replication and its high watermark */
} partition_t;

/* Set when the topic is created and read-only after, except the partition
 * array (grown under the registry write lock) and the counters (atomic). */
struct topic {
    char *name;
    kuuid_t id;                /* never all zero */
    int32_t n_partitions;
    partition_t **partitions;
    topic_config_kv_t *overrides;
    size_t n_overrides;
    topic_config_t cfg;       /* resolved from overrides + broker defaults */
    bool internal;             /* __consumer_offsets or __transaction_state, as Kafka's */
    /* Kafka's BrokerTopicMetrics, for GET /metrics: what Produce appended
     * and what Fetch answered (whole batches, as sent). */
    metrics_counter_t bytes_in, messages_in, bytes_out, messages_out;
};

typedef struct topics topics_t;

/* A random topic id as Kafka's Uuid.randomUuid makes one: never all zero,
 * nor the reserved metadata topic id (0...01), nor one whose text form
 * starts with '-', which command-line tools would take for an option.
 * @locality any thread  @locks none */
void topics_new_topic_id(kuuid_t *id);

/* Loads every topic from the log dirs, recovering each partition's log.
 * NULL with errstr set when a log dir cannot be used.
 * @locality start-up only (broker_create)  @locks none (nothing is shared yet) */
topics_t *topics_open(const broker_config_t *cfg, char *errstr, size_t errstr_size);

/* Flushes every log, writes the checkpoints and frees.  NULL is fine.
 * @locality shut-down only, once no other thread uses the topics (the
 *           network threads joined, the coordinator closed)
 * @locks takes the checkpoint lock and partition locks to write the
 *        checkpoints */
void topics_close(topics_t *topics);

/* The registry read lock, around every use of a topic_t or partition_t.
 * @locality any thread
 * @locks takes / releases the registry read lock; call lock without holding
 *        it already (it does not nest, see broker.h), nor the checkpoint or
 *        a partition lock */
void topics_read_lock(topics_t *topics);
void topics_read_unlock(topics_t *topics);

/* NULL if there is no such topic; the topic is valid while the lock is held.
 * @locality any thread  @locks the registry lock held (read or write) */
topic_t *topics_find(topics_t *topics, kstr_t name);
/* Iteration in creation order.
 * @locality any thread  @locks the registry lock held (read or write) */
size_t topics_count(topics_t *topics);
topic_t *topics_at(topics_t *topics, size_t i);
/* NULL if out of range; the partition is valid while the lock is held.
 * @locality any thread  @locks the registry lock held (read or write) */
partition_t *topic_partition(topic_t *topic, int32_t index);

/*
 * The topic's compression.type applied to a producer's batch (`len` bytes,
 * checked by batch_validate into `hdr`), as Kafka's LogValidator does: a
 * batch whose codec the topic keeps (compression.type producer, or the same
 * codec) is stored as it came and `out` stays untouched; any other is
 * rewritten with the topic's codec and level (batch_recompress) into `out`,
 * which must be zeroed and is then initialised: the caller appends out->data
 * when out->len > 0 and releases `out` either way.  Errors, with errstr:
 * those of batch_recompress, and MESSAGE_TOO_LARGE when the rewritten batch
 * exceeds max.message.bytes.
 * @locality any thread  @locks the registry lock held (read or write); no
 *           partition lock needed, so callers rewrite before taking it
 */
kerr_t topic_batch_recompress(const topic_t *topic, const uint8_t *batch, size_t len, const batch_header_t *hdr,
                              buf_writer_t *out, char *errstr, size_t errstr_size);

/*
 * The topic's message.timestamp.type and message.timestamp.difference.max.ms
 * applied to the batch about to be stored (`len` bytes, after
 * topic_batch_recompress), as Kafka's LogValidator does with `now_ms` its
 * clock: LogAppendTime marks the batch so (batch_set_log_append_time, in
 * place) and sets *log_append_time to now_ms, what Produce answers;
 * CreateTime leaves the batch as it is, *log_append_time -1, and answers
 * INVALID_TIMESTAMP (with errstr) when a record's timestamp is further than
 * message.timestamp.difference.max.ms from now_ms; only then are the records
 * read (and decompressed).
 * @locality any thread  @locks the registry lock held (read or write); no
 *           partition lock needed
 */
kerr_t topic_batch_timestamps(const topic_t *topic, uint8_t *batch, size_t len, int64_t now_ms,
                              int64_t *log_append_time, char *errstr, size_t errstr_size);

/* Whether `name` is a legal topic name; errstr says why not.
 * @locality any thread  @locks none (pure) */
bool topics_name_valid(kstr_t name, char *errstr, size_t errstr_size);

/*
 * Creates a topic with `n_partitions` (-1: num.partitions) and config
 * overrides, all or nothing.  Errors: TOPIC_ALREADY_EXISTS,
 * INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_CONFIG,
 * POLICY_VIOLATION (its partitions would not fit the open-files limit),
 * KAFKA_STORAGE_ERROR, each with errstr.  With validate_only nothing changes.
 * @locality any thread
 * @locks takes the registry write lock; call without the registry lock (in
 *        either mode), the checkpoint lock or a partition lock; the
 *        coordinator lock may be held
 */
kerr_t topics_create(topics_t *topics, kstr_t name, int32_t n_partitions,
                     const topic_config_kv_t *overrides, size_t n_overrides, bool validate_only,
                     char *errstr, size_t errstr_size);

/* topics_create with the topic id `id` (NULL: a new random one), as a
 * cluster node creates the logs of a topic the metadata image holds; with
 * an id its partitions start offline, until the image gives them a role.
 * @locality any thread  @locks as topics_create */
kerr_t topics_create_as(topics_t *topics, kstr_t name, const kuuid_t *id, int32_t n_partitions,
                        const topic_config_kv_t *overrides, size_t n_overrides, bool validate_only, char *errstr,
                        size_t errstr_size);

/* Deletes a topic and its data.  UNKNOWN_TOPIC_OR_PARTITION if absent.
 * @locality any thread
 * @locks takes the registry write lock, and under it the checkpoint lock and
 *        partition locks to rewrite the checkpoints; call without the
 *        registry lock, the checkpoint lock or a partition lock */
kerr_t topics_delete(topics_t *topics, kstr_t name);

/* NULL if no topic has id `id`; valid while the lock is held.
 * @locality any thread  @locks the registry lock held (read or write) */
topic_t *topics_find_by_id(topics_t *topics, const kuuid_t *id);

/* One change to a topic's config overrides, as IncrementalAlterConfigs'
 * OpType (whose ids these are). */
typedef enum topic_config_op {
    TOPIC_CONFIG_SET = 0,
    TOPIC_CONFIG_DELETE = 1,
    TOPIC_CONFIG_APPEND = 2,   /* LIST keys only: add the items not there yet */
    TOPIC_CONFIG_SUBTRACT = 3, /* LIST keys only: remove the items given */
} topic_config_op_t;

typedef struct topic_config_change {
    const char *key;
    topic_config_op_t op;
    const char *value; /* NULL for DELETE */
} topic_config_change_t;

/*
 * Changes a topic's config overrides, all or nothing, applies them to its
 * partitions' logs and writes its metadata file.  With `replace` the changes
 * apply to an empty set (AlterConfigs: what is not given returns to its
 * default), else to the current overrides (IncrementalAlterConfigs).
 * APPEND and SUBTRACT start from the override, or the key's default when
 * there is none, as Kafka does.  Errors: UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_CONFIG (unknown key, APPEND or SUBTRACT on a key that is not a
 * list, a value its row refuses), KAFKA_STORAGE_ERROR, each with errstr.
 * With validate_only nothing changes.
 * @locality any thread
 * @locks takes the registry write lock and under it each partition lock in
 *        turn; call without the registry lock, the checkpoint lock or a
 *        partition lock
 */
kerr_t topics_alter_configs(topics_t *topics, kstr_t name, const topic_config_change_t *changes, size_t n_changes,
                            bool replace, bool validate_only, char *errstr, size_t errstr_size);

/* The overrides topics_alter_configs would leave the topic with (its
 * errors, without changing anything), in a list to free with
 * topics_config_list_free: what a cluster's controller writes as
 * ConfigRecords.
 * @locality any thread  @locks takes the registry read lock; call without
 *        any registry, checkpoint or partition lock */
kerr_t topics_config_preview(topics_t *topics, kstr_t name, const topic_config_change_t *changes, size_t n_changes,
                             bool replace, topic_config_kv_t **overrides, size_t *n_overrides, char *errstr,
                             size_t errstr_size);
void topics_config_list_free(topic_config_kv_t *overrides, size_t n);

/* Grows a topic to `count` partitions, all or nothing (INVALID_PARTITIONS if
 * not larger, POLICY_VIOLATION as topics_create).
 * @locality any thread
 * @locks takes the registry write lock; call without the registry lock, the
 *        checkpoint lock or a partition lock */
kerr_t topics_add_partitions(topics_t *topics, kstr_t name, int32_t count, bool validate_only,
                             char *errstr, size_t errstr_size);

/* Periodic upkeep from the broker's timer: segment.ms rolls, retention (when
 * `retention_due`), time-based flushes, checkpoints (when `checkpoint_due`).
 * @locality the broker loop's upkeep timer
 * @locks takes the registry read lock, each partition lock in turn under it,
 *        then the checkpoint lock (with partition locks under it) when
 *        `checkpoint_due`; call with none of them held */
void topics_maintain(topics_t *topics, int64_t now_ms, bool retention_due, bool checkpoint_due);

/* Writes the recovery-point and log-start checkpoints now (after
 * DeleteRecords, so a restart keeps the new log start).
 * @locality any thread
 * @locks takes the registry read lock, under it the checkpoint lock, and
 *        under that partition locks one at a time; call without the registry
 *        lock, the checkpoint lock or a partition lock; the coordinator lock
 *        may be held */
void topics_write_checkpoints(topics_t *topics);

/* Allocates a new idempotent producer id, unique across restarts (ids are
 * reserved in blocks recorded in <first log.dir>/producer-id-block).
 * -1 on a storage error.
 * @locality any thread  @locks takes the producer-id lock (a leaf) */
int64_t topics_next_producer_id(topics_t *topics);

#endif
