/*
 * ctl_produce.c - `connectctl produce`, after kafka-console-producer.sh:
 * every stdin line becomes one record of --topic.  With
 * `--property parse.key=true` the text before `key.separator` (default a
 * tab, as Kafka) is the key; `--header k=v` adds a header to every record.
 * Exits non-zero, naming the reason, if any record was not acknowledged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

typedef struct produce_args {
    ctl_common_t common;
    const char *topic;
    bool parse_key;
    const char *key_separator;
    const char *headers[32];
    int n_headers;
} produce_args_t;

static int delivery_failures;
static rd_kafka_resp_err_t first_error;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    if (msg->err) {
        if (!delivery_failures++) {
            first_error = msg->err;
        }
    }
}

static bool parse_property(produce_args_t *a, const char *kv)
{
    if (strcmp(kv, "parse.key=true") == 0) {
        a->parse_key = true;
    } else if (strcmp(kv, "parse.key=false") == 0) {
        a->parse_key = false;
    } else if (strncmp(kv, "key.separator=", 14) == 0 && kv[14]) {
        a->key_separator = kv + 14;
    } else {
        fprintf(stderr, "connectctl produce: unsupported --property '%s' (parse.key, key.separator)\n", kv);
        return false;
    }
    return true;
}

static bool parse_args(int argc, char **argv, produce_args_t *a)
{
    for (int i = 0; i < argc; i++) {
        if (ctl_common_flag(&a->common, argc, argv, &i)) {
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "connectctl produce: unknown flag or missing value: '%s'\n", argv[i]);
            return false;
        }
        const char *flag = argv[i], *value = argv[++i];
        if (strcmp(flag, "--topic") == 0) {
            a->topic = value;
        } else if (strcmp(flag, "--property") == 0) {
            if (!parse_property(a, value)) {
                return false;
            }
        } else if (strcmp(flag, "--header") == 0 && a->n_headers < 32 && strchr(value, '=')) {
            a->headers[a->n_headers++] = value;
        } else {
            fprintf(stderr, "connectctl produce: unknown flag '%s' (or --header without k=v)\n", flag);
            return false;
        }
    }
    if (!a->topic) {
        fprintf(stderr, "connectctl produce: --topic is required\n");
        return false;
    }
    return true;
}

static rd_kafka_headers_t *make_headers(const produce_args_t *a)
{
    if (a->n_headers == 0) {
        return NULL;
    }
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new((size_t)a->n_headers);
    for (int i = 0; i < a->n_headers; i++) {
        const char *eq = strchr(a->headers[i], '=');
        rd_kafka_header_add(hdrs, a->headers[i], eq - a->headers[i], eq + 1, -1);
    }
    return hdrs;
}

int ctl_produce(int argc, char **argv)
{
    produce_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 30000}, .key_separator = "\t"};
    if (!parse_args(argc, argv, &a)) {
        return CTL_EXIT_USAGE;
    }
    char err[512];
    rd_kafka_conf_t *conf = ctl_conf_new(&a.common);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char timeout[32];
    snprintf(timeout, sizeof(timeout), "%d", a.common.timeout_ms);
    rd_kafka_conf_set(conf, "message.timeout.ms", timeout, err, sizeof(err));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        return ctl_fail("%s", err);
    }
    if (!ctl_broker_reachable(rk, &a.common)) {
        rd_kafka_destroy(rk);
        return CTL_EXIT_FAIL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long sent = 0;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') {
            line[--len] = '\0';
        }
        const char *key = NULL, *value = line;
        size_t key_len = 0;
        if (a.parse_key) {
            char *sep = strstr(line, a.key_separator);
            if (!sep) {
                free(line);
                rd_kafka_destroy(rk);
                return ctl_fail("line %ld has no key separator '%s' (parse.key=true)", sent + 1, a.key_separator);
            }
            key = line;
            key_len = (size_t)(sep - line);
            value = sep + strlen(a.key_separator);
        }
        /* librdkafka owns the headers only once producev succeeded. */
        rd_kafka_headers_t *hdrs = make_headers(&a);
        rd_kafka_resp_err_t perr;
        while ((perr = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(a.topic), RD_KAFKA_V_KEY(key, key_len),
                                         RD_KAFKA_V_VALUE((void *)value, strlen(value)), RD_KAFKA_V_HEADERS(hdrs),
                                         RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 100);
        }
        if (perr) {
            if (hdrs) {
                rd_kafka_headers_destroy(hdrs);
            }
            free(line);
            rd_kafka_destroy(rk);
            return ctl_fail("cannot produce to '%s': %s", a.topic, rd_kafka_err2str(perr));
        }
        sent++;
        rd_kafka_poll(rk, 0);
    }
    free(line);
    rd_kafka_flush(rk, a.common.timeout_ms + 1000);
    int rc = 0;
    if (delivery_failures || rd_kafka_outq_len(rk) > 0) {
        rc = ctl_fail("%d of %ld records were not acknowledged by %s: %s", delivery_failures, sent,
                      a.common.bootstrap,
                      delivery_failures ? rd_kafka_err2str(first_error) : "timed out");
    }
    rd_kafka_destroy(rk);
    return rc;
}
