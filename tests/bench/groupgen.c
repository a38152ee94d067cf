/*
 * groupgen.c - consumer-group workloads for tests/bench/run-group-bench.sh.
 *
 *   groupgen consume -b BROKERS -t TOPIC -c COUNT -m MEMBERS [-g GROUP] [-X k=v ...]
 *       MEMBERS high-level consumers (rd_kafka_subscribe) in one group, one
 *       thread each, read COUNT records between them.  Prints msgs_per_s
 *       over the time from the first record to the last, so the join itself
 *       is not counted (that is what "join" measures).
 *   groupgen join -b BROKERS -t TOPIC [-g GROUP] [-X k=v ...]
 *       One member joins and gets every partition; then a second subscribes.
 *       Prints join_ms: from the second member's subscribe until both hold
 *       their share of the partitions, i.e. the group is Stable again.
 *
 * Both use librdkafka's batch queue API, as loadgen's plain consumer does,
 * so the comparison with it measures the group path, not the client API.
 */
#include <librdkafka/rdkafka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"

#define MAX_MEMBERS 8

typedef struct opts {
    const char *mode;
    const char *brokers;
    const char *topic;
    const char *group;
    long count;
    int members;
    const char *props[32];
    int n_props;
} opts_t;

static atomic_long total;
static atomic_int stop;
static _Atomic double first_at, last_at;

static rd_kafka_t *member_new(const opts_t *o)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *base[][2] = {
        {"bootstrap.servers", o->brokers}, {"group.id", o->group},   {"auto.offset.reset", "earliest"},
        {"enable.auto.commit", "true"},    {"enable.partition.eof", "false"},
    };
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        bench_conf_set(conf, base[i][0], base[i][1]);
    }
    bench_conf_props(conf, o->props, o->n_props);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk) {
        die(err);
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static void subscribe(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    if (rd_kafka_subscribe(rk, topics) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        die("subscribe failed");
    }
    rd_kafka_topic_partition_list_destroy(topics);
}

/* ---- consume ---------------------------------------------------------------- */

static void *member_main(void *arg)
{
    const opts_t *o = arg;
    rd_kafka_t *rk = member_new(o);
    subscribe(rk, o->topic);
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *batch[10000];
    while (!atomic_load(&stop)) {
        ssize_t n = rd_kafka_consume_batch_queue(queue, 200, batch, 10000);
        long got = 0;
        for (ssize_t i = 0; i < n; i++) {
            got += !batch[i]->err;
            rd_kafka_message_destroy(batch[i]);
        }
        if (got > 0) {
            double t = now_s(), zero = 0;
            atomic_compare_exchange_strong(&first_at, &zero, t);
            atomic_store(&last_at, t);
            if (atomic_fetch_add(&total, got) + got >= o->count) {
                atomic_store(&stop, 1);
            }
        }
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return NULL;
}

static void run_consume(const opts_t *o)
{
    pthread_t threads[MAX_MEMBERS];
    double deadline = now_s() + 180;
    for (int i = 0; i < o->members; i++) {
        pthread_create(&threads[i], NULL, member_main, (void *)o);
    }
    while (!atomic_load(&stop) && now_s() < deadline) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < o->members; i++) {
        pthread_join(threads[i], NULL);
    }
    double secs = atomic_load(&last_at) - atomic_load(&first_at);
    long msgs = atomic_load(&total);
    printf("mode=group members=%d msgs=%ld secs=%.3f msgs_per_s=%.0f\n", o->members, msgs, secs,
           secs > 0 ? msgs / secs : 0);
}

/* ---- join ----------------------------------------------------------------------- */

static int assigned(rd_kafka_t *rk)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return -1;
    }
    int n = parts->cnt;
    rd_kafka_topic_partition_list_destroy(parts);
    return n;
}

/* Polls both members until `done` holds for their assignment counts. */
static int poll_until(rd_kafka_t *a, rd_kafka_t *b, int want_a, int want_b, double deadline)
{
    while (now_s() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(a, 5);
        if (m) {
            rd_kafka_message_destroy(m);
        }
        if (b && (m = rd_kafka_consumer_poll(b, 5))) {
            rd_kafka_message_destroy(m);
        }
        if (assigned(a) == want_a && (!b || assigned(b) == want_b)) {
            return 1;
        }
    }
    return 0;
}

static void run_join(const opts_t *o)
{
    rd_kafka_t *a = member_new(o);
    const rd_kafka_metadata_t *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(a, o->topic, NULL);
    if (rd_kafka_metadata(a, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1) {
        die("metadata for the topic failed");
    }
    int n_parts = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    subscribe(a, o->topic);
    if (!poll_until(a, NULL, n_parts, 0, now_s() + 60)) {
        die("the first member never got its assignment");
    }
    rd_kafka_t *b = member_new(o);
    double t0 = now_s();
    subscribe(b, o->topic);
    if (!poll_until(a, b, n_parts / 2, n_parts - n_parts / 2, now_s() + 60) &&
        !poll_until(a, b, n_parts - n_parts / 2, n_parts / 2, now_s() + 1)) {
        die("the group did not rebalance to two members");
    }
    printf("mode=join partitions=%d join_ms=%.1f\n", n_parts, (now_s() - t0) * 1000);
    rd_kafka_consumer_close(b);
    rd_kafka_destroy(b);
    rd_kafka_consumer_close(a);
    rd_kafka_destroy(a);
}

int main(int argc, char **argv)
{
    bench_name = "groupgen";
    opts_t o = {.brokers = "127.0.0.1:9092", .topic = "bench", .group = "groupgen", .count = 1000000, .members = 1};
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        die("usage: groupgen consume|join [-b B] [-t T] [-c N] [-m MEMBERS] [-g GROUP] [-X k=v]");
    }
    o.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];
        if (!strcmp(f, "-b")) {
            o.brokers = v;
        } else if (!strcmp(f, "-t")) {
            o.topic = v;
        } else if (!strcmp(f, "-c")) {
            o.count = atol(v);
        } else if (!strcmp(f, "-m")) {
            o.members = atoi(v);
        } else if (!strcmp(f, "-g")) {
            o.group = v;
        } else if (!strcmp(f, "-X") && o.n_props < 30) {
            o.props[o.n_props++] = v;
        } else {
            die("unknown flag");
        }
    }
    if (o.members < 1 || o.members > MAX_MEMBERS) {
        die("-m must be between 1 and 8");
    }
    if (strcmp(o.mode, "consume") == 0) {
        run_consume(&o);
    } else if (strcmp(o.mode, "join") == 0) {
        run_join(&o);
    } else {
        die("mode must be consume or join");
    }
    return 0;
}
