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

enum { OPT_TOPIC = 1, OPT_PROPERTY, OPT_HEADER };

static const cliopt_t produce_opts[] = {
    {OPT_TOPIC, "--topic", 0, "TOPIC", "the topic to write (required)"},
    {OPT_PROPERTY, "--property", 0, "KEY=VALUE", "reader setting: parse.key, key.separator"},
    {OPT_HEADER, "--header", 0, "KEY=VALUE", "a header added to every record (repeatable)"},
    {0},
};

static const char produce_usage[] =
    "usage: connectctl produce --topic TOPIC [--property parse.key=true --property key.separator=S]\n"
    "                          [--header KEY=VALUE ...]\n"
    "\n"
    "Writes every line of stdin as one record, as kafka-console-producer.";

/* Returns -1 when the arguments are good, else the exit code. */
static int parse_args(int argc, char **argv, produce_args_t *a)
{
    cliopt_parser_t p;
    ctl_parser_init(&p, "produce", produce_usage, produce_opts, argc, argv);
    const char *value;
    int id;
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        switch (id) {
        case OPT_TOPIC:
            a->topic = value;
            break;
        case OPT_PROPERTY:
            if (!parse_property(a, value)) {
                return CTL_EXIT_USAGE;
            }
            break;
        case OPT_HEADER:
            if (a->n_headers == 32 || !strchr(value, '=')) {
                fprintf(stderr, "connectctl produce: --header expects key=value (at most 32), got '%s'\n", value);
                return CTL_EXIT_USAGE;
            }
            a->headers[a->n_headers++] = value;
            break;
        case CLIOPT_POSITIONAL:
            fprintf(stderr, "connectctl produce: unexpected argument '%s'\n", value);
            return CTL_EXIT_USAGE;
        default:
            if (id < 0) {
                return ctl_parse_exit(id);
            }
            ctl_common_apply(&a->common, id, value);
        }
    }
    if (!a->topic) {
        fprintf(stderr, "connectctl produce: --topic is required\n");
        return CTL_EXIT_USAGE;
    }
    return -1;
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
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        return rc;
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
    rc = 0;
    if (delivery_failures || rd_kafka_outq_len(rk) > 0) {
        rc = ctl_fail("%d of %ld records were not acknowledged by %s: %s", delivery_failures, sent,
                      a.common.bootstrap,
                      delivery_failures ? rd_kafka_err2str(first_error) : "timed out");
    }
    rd_kafka_destroy(rk);
    return rc;
}
