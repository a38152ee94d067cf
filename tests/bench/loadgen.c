/*
 * loadgen.c - a librdkafka load generator for tests/bench/run-bench.sh.
 *
 *   loadgen produce  -b BROKERS -t TOPIC -s SIZE -c COUNT [-a ACKS] [-p x|text] [-X k=v ...]
 *   loadgen consume  -b BROKERS -t TOPIC -c COUNT [-X k=v ...]
 *   loadgen latency  -b BROKERS -t TOPIC -s SIZE -r RATE -d SECONDS [-a ACKS]
 *   loadgen mock ...  same modes against librdkafka's in-process mock cluster
 *
 * Each run prints one line of key=value pairs (msgs, bytes, secs, msgs_per_s,
 * mb_per_s, or p50_ms/p99_ms/max_ms) for the script to parse.
 *
 * "mock" creates a one-broker rd_kafka_mock cluster in this process and runs
 * the same produce (then consume) against it: the client-bound ceiling that
 * issue 2 asks our broker to be compared with.  Produce and consume against
 * the mock happen in one process because a mock cluster lives only as long
 * as the client instance that created it.
 *
 * Payloads are SIZE bytes of 'x' by default; -p text makes each record a
 * different window of word-like text, which compresses about as well as
 * JSON does, for the compression workloads (a run of 'x' costs a codec
 * next to nothing).
 *
 * Latency mode sends at a fixed rate and measures produce latency, from the
 * scheduled send time to the delivery report, so a stall shows up in the
 * numbers (no coordinated omission).
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

typedef struct opts {
    const char *mode;
    const char *brokers;
    const char *topic;
    int size;
    long count;
    const char *acks;
    int rate;
    int seconds;
    const char *props[32];
    int n_props;
    int mock;
    int text; /* -p text */
} opts_t;

#define TEXT_WINDOWS 4096

/* SIZE + TEXT_WINDOWS bytes of words picked by a fixed LCG; record i is the
 * SIZE bytes from (i * 97) % TEXT_WINDOWS. */
static char *text_new(size_t size)
{
    static const char *words[] = {"{\"id\": ", "\"name\": ", "\"kafka\", ", "record ", "offset ",
                                  "connect ", "12345, ", "true}, ", "batch ", "topic "};
    size_t len = size + TEXT_WINDOWS, pos = 0;
    char *text = malloc(len);
    uint32_t seed = 12345;
    while (pos < len) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))];
        for (size_t i = 0; w[i] && pos < len; i++) {
            text[pos++] = w[i];
        }
    }
    return text;
}

static rd_kafka_conf_t *conf_new(const opts_t *o)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    bench_conf_set(conf, "bootstrap.servers", o->brokers);
    bench_conf_props(conf, o->props, o->n_props);
    return conf;
}

/* ---- produce -------------------------------------------------------------- */

static long delivered, failed;
static double *latencies;
static long n_latencies;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    if (msg->err) {
        failed++;
        return;
    }
    delivered++;
    if (latencies && msg->_private) {
        double sent = *(double *)msg->_private;
        latencies[n_latencies++] = (now_s() - sent) * 1000.0;
        free(msg->_private);
    }
}

static rd_kafka_t *producer_new(const opts_t *o)
{
    char err[512];
    rd_kafka_conf_t *conf = conf_new(o);
    rd_kafka_conf_set(conf, "acks", o->acks, err, sizeof(err));
    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof(err));
    rd_kafka_conf_set(conf, "queue.buffering.max.messages", "1000000", err, sizeof(err));
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    for (int i = 0; i < o->n_props; i++) { /* user -X wins over the defaults above */
        char kv[512];
        snprintf(kv, sizeof(kv), "%s", o->props[i]);
        *strchr(kv, '=') = '\0';
        rd_kafka_conf_set(conf, kv, strchr(o->props[i], '=') + 1, err, sizeof(err));
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        die(err);
    }
    return rk;
}

static void run_produce(const opts_t *o)
{
    rd_kafka_t *rk = producer_new(o);
    char *payload;
    if (o->text) {
        payload = text_new((size_t)o->size);
    } else {
        payload = malloc((size_t)o->size);
        memset(payload, 'x', (size_t)o->size);
    }
    delivered = failed = 0;
    double t0 = now_s();
    for (long i = 0; i < o->count; i++) {
        const char *value = o->text ? payload + (i * 97) % TEXT_WINDOWS : payload;
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_VALUE((void *)value, (size_t)o->size),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 10);
        }
        if ((i & 1023) == 0) {
            rd_kafka_poll(rk, 0);
        }
    }
    rd_kafka_flush(rk, 600000);
    double secs = now_s() - t0;
    printf("mode=produce msgs=%ld failed=%ld bytes=%ld secs=%.3f msgs_per_s=%.0f mb_per_s=%.2f\n", delivered,
           failed, delivered * o->size, secs, delivered / secs, delivered * (double)o->size / secs / 1e6);
    free(payload);
    rd_kafka_destroy(rk);
}

/* ---- consume -------------------------------------------------------------- */

/* The simple (non-group) consumer with a batch queue: librdkafka's fastest
 * read path, so the number measures the broker, not the client API. */
static void run_consume(const opts_t *o)
{
    char err[512];
    rd_kafka_conf_t *conf = conf_new(o);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk) {
        die(err);
    }
    const rd_kafka_metadata_t *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1) {
        die("metadata for the topic failed");
    }
    int n_parts = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    for (int p = 0; p < n_parts; p++) {
        rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, queue);
    }
    rd_kafka_message_t *batch[10000];
    long msgs = 0, bytes = 0;
    /* The mock cluster keeps only its newest messages, so "done" is also
     * two idle seconds after the last message; the rate covers the time
     * up to that last message. */
    double t0 = now_s(), last = t0, deadline = t0 + 120;
    while (msgs < o->count && now_s() < deadline && !(msgs > 0 && now_s() - last > 2)) {
        ssize_t n = rd_kafka_consume_batch_queue(queue, 200, batch, 10000);
        if (n > 0) {
            last = now_s();
        }
        for (ssize_t i = 0; i < n; i++) {
            if (!batch[i]->err) {
                msgs++;
                bytes += (long)batch[i]->len;
            } else if (getenv("LOADGEN_DEBUG")) {
                fprintf(stderr, "loadgen: consume: %s\n", rd_kafka_message_errstr(batch[i]));
            }
            rd_kafka_message_destroy(batch[i]);
        }
    }
    double secs = last - t0;
    printf("mode=consume msgs=%ld bytes=%ld secs=%.3f msgs_per_s=%.0f mb_per_s=%.2f\n", msgs, bytes, secs,
           msgs / secs, bytes / secs / 1e6);
    for (int p = 0; p < n_parts; p++) {
        rd_kafka_consume_stop(rkt, p);
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
}

/* ---- latency -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run_latency(const opts_t *o)
{
    opts_t lo = *o;
    lo.props[lo.n_props++] = "linger.ms=0";
    rd_kafka_t *rk = producer_new(&lo);
    long total = (long)o->rate * o->seconds;
    latencies = calloc((size_t)total + 1, sizeof(double));
    n_latencies = 0;
    char *payload = calloc(1, (size_t)o->size);
    double t0 = now_s();
    for (long i = 0; i < total; i++) {
        double due = t0 + (double)i / o->rate;
        while (now_s() < due) {
            rd_kafka_poll(rk, 0);
            double left = due - now_s();
            if (left > 0.0002) {
                usleep((useconds_t)(left * 1e6 / 2));
            }
        }
        double *sent = malloc(sizeof(double));
        *sent = due; /* the scheduled time: stalls count against us */
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_VALUE(payload, (size_t)o->size),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(sent), RD_KAFKA_V_END);
    }
    rd_kafka_flush(rk, 60000);
    qsort(latencies, (size_t)n_latencies, sizeof(double), cmp_double);
    if (n_latencies == 0) {
        die("no message was delivered");
    }
    printf("mode=latency msgs=%ld rate=%d p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n", n_latencies,
           o->rate, latencies[n_latencies / 2], latencies[n_latencies * 99 / 100],
           latencies[n_latencies * 999 / 1000], latencies[n_latencies - 1]);
    free(payload);
    free(latencies);
    latencies = NULL;
    rd_kafka_destroy(rk);
}

/* ---- main ----------------------------------------------------------------- */

static void run(const opts_t *o)
{
    if (strcmp(o->mode, "produce") == 0) {
        run_produce(o);
    } else if (strcmp(o->mode, "consume") == 0) {
        run_consume(o);
    } else if (strcmp(o->mode, "latency") == 0) {
        run_latency(o);
    } else {
        die("mode must be produce, consume or latency");
    }
}

int main(int argc, char **argv)
{
    bench_name = "loadgen";
    opts_t o = {.brokers = "127.0.0.1:9092", .topic = "bench", .size = 100, .count = 1000000, .acks = "1",
                .rate = 10000, .seconds = 5};
    setvbuf(stdout, NULL, _IOLBF, 0);
    int i = 1;
    if (i < argc && strcmp(argv[i], "mock") == 0) {
        o.mock = 1;
        i++;
    }
    if (i >= argc) {
        die("usage: loadgen [mock] produce|consume|latency [-b B] [-t T] [-s SIZE] [-c N] [-a ACKS] "
            "[-r RATE] [-d SECS] [-p x|text] [-X k=v]");
    }
    o.mode = argv[i++];
    for (; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];
        if (!strcmp(f, "-b")) {
            o.brokers = v;
        } else if (!strcmp(f, "-t")) {
            o.topic = v;
        } else if (!strcmp(f, "-s")) {
            o.size = atoi(v);
        } else if (!strcmp(f, "-c")) {
            o.count = atol(v);
        } else if (!strcmp(f, "-a")) {
            o.acks = v;
        } else if (!strcmp(f, "-r")) {
            o.rate = atoi(v);
        } else if (!strcmp(f, "-d")) {
            o.seconds = atoi(v);
        } else if (!strcmp(f, "-p")) {
            o.text = !strcmp(v, "text");
        } else if (!strcmp(f, "-X") && o.n_props < 30) {
            o.props[o.n_props++] = v;
        } else {
            die("unknown flag");
        }
    }
    if (!o.mock) {
        run(&o);
        return 0;
    }
    /* A mock cluster owned by a throwaway client instance, shared by the
     * produce and consume runs below through its bootstrap address. */
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(owner, 1);
    rd_kafka_mock_topic_create(mc, o.topic, 1, 1);
    o.brokers = rd_kafka_mock_cluster_bootstraps(mc);
    run(&o);
    if (strcmp(o.mode, "produce") == 0) {
        o.mode = "consume";
        run(&o);
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(owner);
    return 0;
}
