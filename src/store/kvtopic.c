/* kvtopic.c - a compacted topic as a key-value log; see kvtopic.h. */
#include "kvtopic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "blog.h"
#include "config/client_conf.h"

#define TIMEOUT_MS 30000

struct kvtopic {
    char *topic;
    rd_kafka_t *producer;
    rd_kafka_topic_t *rkt; /* the producer's handle for `topic` */
    const char *bootstrap;
    const properties_t *client_props;
    rd_kafka_resp_err_t failure; /* the first failed delivery of the current write */
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    kvtopic_t *kv = opaque;
    if (msg->err && !kv->failure) {
        kv->failure = msg->err;
    }
}

/* Creates the topic unless it exists; TOPIC_ALREADY_EXISTS is success. */
static int ensure_topic(kvtopic_t *kv, int partitions, char *errstr, size_t errstr_size)
{
    char err[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(kv->topic, partitions, -1, err, sizeof(err));
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_queue_t *q = rd_kafka_queue_new(kv->producer);
    rd_kafka_CreateTopics(kv->producer, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS);
    int rc = -1;
    if (!ev) {
        snprintf(errstr, errstr_size, "no broker at %s answered within %d s", kv->bootstrap, TIMEOUT_MS / 1000);
    } else if (rd_kafka_event_error(ev)) {
        snprintf(errstr, errstr_size, "cannot create topic %s: %s", kv->topic, rd_kafka_event_error_string(ev));
    } else {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rd_kafka_resp_err_t e = n == 1 ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_UNKNOWN;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            rc = 0;
        } else {
            snprintf(errstr, errstr_size, "cannot create topic %s: %s", kv->topic, rd_kafka_err2str(e));
        }
    }
    if (ev) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

kvtopic_t *kvtopic_open(const char *bootstrap, const char *topic, int partitions, const properties_t *client_props,
                        char *errstr, size_t errstr_size)
{
    kvtopic_t *kv = calloc(1, sizeof(*kv));
    if (!kv) {
        abort();
    }
    kv->topic = strdup(topic);
    kv->bootstrap = bootstrap;
    kv->client_props = client_props;
    /* Idempotent, so a retried write is never stored twice; no linger:
     * every write is waited for. */
    static const char *const defaults[] = {"enable.idempotence", "true", "linger.ms", "0", NULL};
    rd_kafka_conf_t *conf = client_conf_new_internal(bootstrap, client_props, "producer.", defaults);
    char err[256];
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, kv);
    kv->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!kv->producer) {
        snprintf(errstr, errstr_size, "cannot create a producer for %s: %s", topic, err);
        kvtopic_close(kv);
        return NULL;
    }
    if (ensure_topic(kv, partitions, errstr, errstr_size) < 0) {
        kvtopic_close(kv);
        return NULL;
    }
    /* The producer learns the topic's partitions now: a write to a topic it
     * has no metadata for waits for librdkafka's once-a-second refresh of
     * unknown topics, and the first status write of every start paid that
     * second.  If this fails, that write waits as it did. */
    kv->rkt = rd_kafka_topic_new(kv->producer, topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    if (rd_kafka_metadata(kv->producer, 0, kv->rkt, &md, TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(md);
    }
    return kv;
}

void kvtopic_close(kvtopic_t *kv)
{
    if (!kv) {
        return;
    }
    if (kv->rkt) {
        rd_kafka_topic_destroy(kv->rkt);
    }
    if (kv->producer) {
        rd_kafka_flush(kv->producer, TIMEOUT_MS);
        rd_kafka_destroy(kv->producer);
    }
    free(kv->topic);
    free(kv);
}

int kvtopic_write_many(kvtopic_t *kv, const kvtopic_record_t *recs, size_t n, char *errstr, size_t errstr_size)
{
    kv->failure = RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; i < n && !err; i++) {
        err = rd_kafka_producev(kv->producer, RD_KAFKA_V_RKT(kv->rkt), RD_KAFKA_V_KEY(recs[i].key, recs[i].key_len),
                                RD_KAFKA_V_VALUE((void *)recs[i].value, recs[i].value ? recs[i].value_len : 0),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    /* One wait for all of them; flush serves the delivery reports too. */
    if (rd_kafka_flush(kv->producer, TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR && !err) {
        err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    }
    if (!err) {
        err = kv->failure;
    }
    if (err) {
        snprintf(errstr, errstr_size, "cannot write to topic %s: %s", kv->topic, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

int kvtopic_write(kvtopic_t *kv, const char *key, size_t key_len, const char *value, size_t value_len,
                  char *errstr, size_t errstr_size)
{
    kvtopic_record_t rec = {key, key_len, value, value_len};
    return kvtopic_write_many(kv, &rec, 1, errstr, errstr_size);
}

char *kvtopic_cluster_id(kvtopic_t *kv)
{
    char *id = rd_kafka_clusterid(kv->producer, TIMEOUT_MS);
    char *copy = id ? strdup(id) : NULL;
    if (id) {
        rd_kafka_mem_free(kv->producer, id);
    }
    return copy;
}

int kvtopic_read_all(kvtopic_t *kv, kvtopic_cb *cb, void *opaque, char *errstr, size_t errstr_size)
{
    char err[256];
    /* librdkafka's consumer queue wants a group even for assign(); this one
     * never joins or commits. */
    static const char *const defaults[] = {"group.id", "connectd-internal-reader", "enable.auto.commit", "false",
                                           NULL};
    rd_kafka_conf_t *conf = client_conf_new_internal(kv->bootstrap, kv->client_props, "consumer.", defaults);
    /* Reading stops at each partition's end: not for a user to turn off.
     * The end shows only in the answer to a fetch made there, which the
     * broker holds for fetch.wait.max.ms (500 ms by default) waiting for
     * records that will not come; every read at start-up paid that wait,
     * so this reader's fetches wait 10 ms at most. */
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof(err));
    rd_kafka_conf_set(conf, "fetch.wait.max.ms", "10", err, sizeof(err));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk) {
        snprintf(errstr, errstr_size, "cannot create a consumer for %s: %s", kv->topic, err);
        return -1;
    }
    int rc = -1;
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, kv->topic, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 ||
        md->topics[0].err) {
        snprintf(errstr, errstr_size, "cannot read topic %s: no metadata", kv->topic);
        goto out;
    }
    int n_parts = md->topics[0].partition_cnt, open_parts = 0;
    rd_kafka_topic_partition_list_t *assign = rd_kafka_topic_partition_list_new(n_parts);
    for (int p = 0; p < n_parts; p++) {
        int64_t low, high;
        if (rd_kafka_query_watermark_offsets(rk, kv->topic, p, &low, &high, TIMEOUT_MS) != 0) {
            snprintf(errstr, errstr_size, "cannot read topic %s: no offsets for partition %d", kv->topic, p);
            rd_kafka_topic_partition_list_destroy(assign);
            goto out;
        }
        if (high > low) {
            rd_kafka_topic_partition_list_add(assign, kv->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
            open_parts++;
        }
    }
    rd_kafka_assign(rk, assign);
    rd_kafka_topic_partition_list_destroy(assign);
    rc = 0;
    while (open_parts > 0) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, TIMEOUT_MS);
        if (!msg) {
            snprintf(errstr, errstr_size, "reading topic %s timed out", kv->topic);
            rc = -1;
            break;
        }
        if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            open_parts--;
        } else if (msg->err) {
            snprintf(errstr, errstr_size, "cannot read topic %s: %s", kv->topic, rd_kafka_message_errstr(msg));
            rc = -1;
            open_parts = 0;
        } else if (msg->key) {
            cb(opaque, msg->key, msg->key_len, msg->payload, msg->len);
        }
        rd_kafka_message_destroy(msg);
    }
out:
    if (md) {
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}
