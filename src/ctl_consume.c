/*
 * ctl_consume.c - `connectctl consume`, after kafka-console-consumer.sh:
 * prints the values (and with `--property print.key=true` the keys) of
 * --topic, one record per line, from every partition.  Without
 * --from-beginning it starts at the end and waits for new records.  It stops
 * after --max-messages records, or when none arrived for --timeout-ms, or on
 * Ctrl-C.  Consumer groups (--group) arrive with the group coordinator.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

typedef struct consume_args {
    ctl_common_t common;
    const char *topic;
    bool from_beginning;
    long max_messages; /* -1: unlimited */
    bool print_key;
    const char *key_separator;
    bool has_timeout;
} consume_args_t;

static volatile sig_atomic_t stop;

static void on_sigint(int sig)
{
    stop = 1;
}

static bool parse_args(int argc, char **argv, consume_args_t *a)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--timeout-ms") == 0) {
            a->has_timeout = true;
        }
        if (ctl_common_flag(&a->common, argc, argv, &i)) {
            continue;
        }
        if (strcmp(argv[i], "--from-beginning") == 0) {
            a->from_beginning = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "connectctl consume: unknown flag or missing value: '%s'\n", argv[i]);
            return false;
        }
        const char *flag = argv[i], *value = argv[++i];
        if (strcmp(flag, "--topic") == 0) {
            a->topic = value;
        } else if (strcmp(flag, "--max-messages") == 0) {
            char *end;
            a->max_messages = strtol(value, &end, 10);
            if (*end || a->max_messages < 1) {
                fprintf(stderr, "connectctl consume: --max-messages expects a positive number, got '%s'\n", value);
                return false;
            }
        } else if (strcmp(flag, "--property") == 0 && strcmp(value, "print.key=true") == 0) {
            a->print_key = true;
        } else if (strcmp(flag, "--property") == 0 && strcmp(value, "print.key=false") == 0) {
            a->print_key = false;
        } else if (strcmp(flag, "--property") == 0 && strncmp(value, "key.separator=", 14) == 0) {
            a->key_separator = value + 14;
        } else if (strcmp(flag, "--group") == 0) {
            fprintf(stderr, "connectctl consume: --group is not supported yet: connectd's broker has no group "
                            "coordinator so far; consume without --group\n");
            return false;
        } else {
            fprintf(stderr, "connectctl consume: unknown flag '%s'\n", flag);
            return false;
        }
    }
    if (!a->topic) {
        fprintf(stderr, "connectctl consume: --topic is required\n");
        return false;
    }
    return true;
}

static void print_record(const consume_args_t *a, const rd_kafka_message_t *m)
{
    if (a->print_key) {
        if (m->key) {
            fwrite(m->key, 1, m->key_len, stdout);
        } else {
            fputs("null", stdout);
        }
        fputs(a->key_separator, stdout);
    }
    if (m->payload) {
        fwrite(m->payload, 1, m->len, stdout);
    } else {
        fputs("null", stdout);
    }
    putchar('\n');
}

int ctl_consume(int argc, char **argv)
{
    consume_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 10000},
                        .max_messages = -1, .key_separator = "\t"};
    if (!parse_args(argc, argv, &a)) {
        return CTL_EXIT_USAGE;
    }
    char err[512];
    rd_kafka_conf_t *conf = ctl_conf_new(&a.common);
    rd_kafka_conf_set(conf, "enable.partition.eof", "false", err, sizeof(err));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk) {
        return ctl_fail("%s", err);
    }
    if (!ctl_broker_reachable(rk, &a.common)) {
        rd_kafka_destroy(rk);
        return CTL_EXIT_FAIL;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, a.topic, NULL);
    const rd_kafka_metadata_t *md;
    rd_kafka_resp_err_t merr = rd_kafka_metadata(rk, 0, rkt, &md, a.common.timeout_ms);
    if (merr || md->topic_cnt != 1 || md->topics[0].err) {
        rd_kafka_resp_err_t e = merr ? merr : md->topics[0].err;
        if (!merr) {
            rd_kafka_metadata_destroy(md);
        }
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(rk);
        if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            return ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", a.topic);
        }
        return ctl_fail("cannot read metadata of '%s': %s", a.topic, rd_kafka_err2str(e));
    }
    int n_parts = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    int64_t start = a.from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    for (int p = 0; p < n_parts; p++) {
        rd_kafka_consume_start_queue(rkt, p, start, queue);
    }
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    long got = 0;
    int idle_ms = 0;
    while (!stop && (a.max_messages < 0 || got < a.max_messages)) {
        rd_kafka_message_t *m = rd_kafka_consume_queue(queue, 200);
        if (!m) {
            idle_ms += 200;
            if (a.has_timeout && idle_ms >= a.common.timeout_ms) {
                break;
            }
            continue;
        }
        idle_ms = 0;
        if (m->err) {
            fprintf(stderr, "connectctl: consume: %s\n", rd_kafka_message_errstr(m));
        } else {
            print_record(&a, m);
            got++;
        }
        rd_kafka_message_destroy(m);
    }
    fflush(stdout);
    fprintf(stderr, "Processed a total of %ld messages\n", got);
    for (int p = 0; p < n_parts; p++) {
        rd_kafka_consume_stop(rkt, p);
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return 0;
}
