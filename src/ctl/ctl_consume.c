/*
 * ctl_consume.c - `connectctl consume`, after kafka-console-consumer.sh:
 * prints the values (and with `--property print.key=true` the keys) of
 * --topic, one record per line, from every partition.  It stops after
 * --max-messages records, or when none arrived for --timeout-ms, or on
 * Ctrl-C.
 *
 * Without --group it assigns every partition itself and commits nothing;
 * --from-beginning starts at the log start, otherwise at the end.
 *
 * With --group G it joins G as a high-level consumer (rd_kafka_subscribe)
 * and resumes from G's committed offsets; --from-beginning only sets
 * auto.offset.reset=earliest, which matters for partitions without a
 * committed offset, as in Kafka.  Offsets are stored only for records
 * that were printed (a record fetched past --max-messages is not
 * "consumed"), auto-committed while running and committed synchronously
 * before leaving the group, so the next run starts right after the last
 * printed record.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

typedef struct consume_args {
    ctl_common_t common;
    const char *topic;
    const char *group; /* NULL: assign partitions directly, commit nothing */
    bool from_beginning;
    long max_messages; /* -1: unlimited */
    bool print_key;
    const char *key_separator;
} consume_args_t;

static volatile sig_atomic_t stop;

static void on_sigint(int sig)
{
    stop = 1;
}

enum { OPT_TOPIC = 1, OPT_GROUP, OPT_FROM_BEGINNING, OPT_MAX_MESSAGES, OPT_PROPERTY };

static const cliopt_t consume_opts[] = {
    {OPT_TOPIC, "--topic", 0, "TOPIC", "the topic to read (required)"},
    {OPT_GROUP, "--group", 0, "GROUP", "consume as a member of this group, from its committed offsets"},
    {OPT_FROM_BEGINNING, "--from-beginning", 0, NULL, "start at the earliest record rather than the latest"},
    {OPT_MAX_MESSAGES, "--max-messages", 0, "N", "exit after N records"},
    {OPT_PROPERTY, "--property", 0, "KEY=VALUE", "formatter setting: print.key, key.separator"},
    {0},
};

static const char consume_usage[] =
    "usage: connectctl consume --topic TOPIC [--group GROUP] [--from-beginning] [--max-messages N]\n"
    "                          [--property print.key=true] [--property key.separator=S]\n"
    "\n"
    "Prints the records of a topic to stdout, one a line, as kafka-console-consumer; the count goes to stderr.";

static bool parse_property(consume_args_t *a, const char *kv)
{
    if (strcmp(kv, "print.key=true") == 0) {
        a->print_key = true;
    } else if (strcmp(kv, "print.key=false") == 0) {
        a->print_key = false;
    } else if (strncmp(kv, "key.separator=", 14) == 0) {
        a->key_separator = kv + 14;
    } else {
        fprintf(stderr, "connectctl consume: unknown --property '%s'\n", kv);
        return false;
    }
    return true;
}

/* Returns -1 when the arguments are good, else the exit code. */
static int parse_args(int argc, char **argv, consume_args_t *a)
{
    cliopt_parser_t p;
    ctl_parser_init(&p, "consume", consume_usage, consume_opts, argc, argv);
    const char *value;
    int id;
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        char *end;
        switch (id) {
        case OPT_TOPIC:
            a->topic = value;
            break;
        case OPT_GROUP:
            if (!*value) {
                fprintf(stderr, "connectctl consume: --group expects a group id\n");
                return CTL_EXIT_USAGE;
            }
            a->group = value;
            break;
        case OPT_FROM_BEGINNING:
            a->from_beginning = true;
            break;
        case OPT_MAX_MESSAGES:
            a->max_messages = strtol(value, &end, 10);
            if (*end || a->max_messages < 1) {
                fprintf(stderr, "connectctl consume: --max-messages expects a positive number, got '%s'\n", value);
                return CTL_EXIT_USAGE;
            }
            break;
        case OPT_PROPERTY:
            if (!parse_property(a, value)) {
                return CTL_EXIT_USAGE;
            }
            break;
        case CLIOPT_POSITIONAL:
            fprintf(stderr, "connectctl consume: unexpected argument '%s'\n", value);
            return CTL_EXIT_USAGE;
        default:
            if (id < 0) {
                return ctl_parse_exit(id);
            }
            ctl_common_apply(&a->common, id, value);
        }
    }
    if (!a->topic) {
        fprintf(stderr, "connectctl consume: --topic is required\n");
        return CTL_EXIT_USAGE;
    }
    return -1;
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

/* Whether --topic exists; prints the error when not. */
static bool topic_exists(rd_kafka_t *rk, const consume_args_t *a, int *n_parts)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, a->topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, a->common.timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (!err) {
        if (md->topic_cnt != 1) {
            err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        } else if (md->topics[0].err) {
            err = md->topics[0].err;
        } else {
            *n_parts = md->topics[0].partition_cnt;
        }
        rd_kafka_metadata_destroy(md);
    }
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", a->topic);
    } else if (err) {
        ctl_fail("cannot read metadata of '%s': %s", a->topic, rd_kafka_err2str(err));
    }
    return !err;
}

/* Prints records until a stop condition.  `queue` is the queue of the
 * directly assigned partitions, or NULL in a group (the consumer queue;
 * printed records get their offsets stored for the next commit). */
static long consume_loop(const consume_args_t *a, rd_kafka_t *rk, rd_kafka_queue_t *queue)
{
    long got = 0;
    int idle_ms = 0;
    while (!stop && (a->max_messages < 0 || got < a->max_messages)) {
        rd_kafka_message_t *m = queue ? rd_kafka_consume_queue(queue, 200) : rd_kafka_consumer_poll(rk, 200);
        if (!m) {
            idle_ms += 200;
            if (a->common.has_timeout && idle_ms >= a->common.timeout_ms) {
                break;
            }
            continue;
        }
        idle_ms = 0;
        if (m->err) {
            fprintf(stderr, "connectctl: consume: %s\n", rd_kafka_message_errstr(m));
        } else {
            print_record(a, m);
            got++;
            if (!queue) {
                rd_kafka_offset_store(m->rkt, m->partition, m->offset);
            }
        }
        rd_kafka_message_destroy(m);
    }
    fflush(stdout);
    return got;
}

/* Consumes every partition of the topic without a group. */
static long consume_assigned(const consume_args_t *a, rd_kafka_t *rk, int n_parts)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, a->topic, NULL);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    int64_t start = a->from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    for (int p = 0; p < n_parts; p++) {
        rd_kafka_consume_start_queue(rkt, p, start, queue);
    }
    long got = consume_loop(a, rk, queue);
    for (int p = 0; p < n_parts; p++) {
        rd_kafka_consume_stop(rkt, p);
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_topic_destroy(rkt);
    return got;
}

/* Consumes as a member of --group; returns -1 after printing an error. */
static long consume_group(const consume_args_t *a, rd_kafka_t *rk)
{
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, a->topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        ctl_fail("cannot subscribe group '%s' to '%s': %s", a->group, a->topic, rd_kafka_err2str(err));
        return -1;
    }
    long got = consume_loop(a, rk, NULL);
    /* Auto-commit runs on a timer; commit what was printed now, before
     * leaving the group.  NO_OFFSET only means nothing new was printed. */
    err = rd_kafka_commit(rk, NULL, 0);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        ctl_fail("group '%s': committing the offsets of printed records failed: %s; the next run may print "
                 "them again", a->group, rd_kafka_err2str(err));
        got = -1;
    }
    rd_kafka_consumer_close(rk);
    return got;
}

/* Sets a configuration property whose name and value are known to be valid. */
static void conf_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "connectctl: %s\n", err);
        exit(CTL_EXIT_USAGE);
    }
}

int ctl_consume(int argc, char **argv)
{
    consume_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 10000},
                        .max_messages = -1, .key_separator = "\t"};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        return rc;
    }
    char err[512];
    rd_kafka_conf_t *conf = ctl_conf_new(&a.common);
    conf_set(conf, "enable.partition.eof", "false");
    if (a.group) {
        conf_set(conf, "group.id", a.group);
        conf_set(conf, "auto.offset.reset", a.from_beginning ? "earliest" : "latest");
        conf_set(conf, "enable.auto.commit", "true");
        conf_set(conf, "enable.auto.offset.store", "false");
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk) {
        return ctl_fail("%s", err);
    }
    int n_parts = 0;
    if (!ctl_broker_reachable(rk, &a.common) || !topic_exists(rk, &a, &n_parts)) {
        rd_kafka_destroy(rk);
        return CTL_EXIT_FAIL;
    }
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    long got = a.group ? consume_group(&a, rk) : consume_assigned(&a, rk, n_parts);
    if (got >= 0) {
        fprintf(stderr, "Processed a total of %ld messages\n", got);
    }
    rd_kafka_destroy(rk);
    return got < 0 ? CTL_EXIT_FAIL : 0;
}
