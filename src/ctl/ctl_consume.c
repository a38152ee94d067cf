/*
 * ctl_consume.c - `connectctl consume`, after kafka-console-consumer.sh:
 * prints the records of --topic (or of every topic matching --include), one
 * a line, as Kafka's DefaultMessageFormatter prints them.  It stops after
 * --max-messages records, or when none arrived for --timeout-ms, or on
 * Ctrl-C.
 *
 * Without --group it assigns the partitions itself (every one, or only
 * --partition) and commits nothing; it starts at --offset (earliest, latest
 * or a number; --from-beginning is earliest), otherwise at the end.
 *
 * With --group G (or group.id in --consumer-property/--consumer.config) it
 * joins G as a high-level consumer (rd_kafka_subscribe) and resumes from
 * G's committed offsets; --from-beginning only sets
 * auto.offset.reset=earliest, which matters for partitions without a
 * committed offset, as in Kafka.  Offsets are stored only for records that
 * were printed (a record fetched past --max-messages is not "consumed"),
 * auto-committed while running and committed synchronously before leaving
 * the group, so the next run starts right after the last printed record.
 *
 * The text line of a record, with every print.* on (Kafka's order; each
 * column is followed by key.separator, the last by line.separator):
 *
 *   CreateTime:1700000000000	Partition:0	Offset:5	h1:v1,h2:v2	k	v
 *
 * --json prints one object a line instead:
 *
 *   {"topic":"t","partition":0,"offset":5,"timestamp":1700000000000,
 *    "timestamp_type":"CreateTime","headers":[{"key":"h1","value":"v1"}],
 *    "key":"k","value":"v"}
 *
 * A key, value or header that is not UTF-8 cannot be a JSON string: the
 * record stops the command (exit 1) unless --skip-message-on-error, which
 * reports and skips it, as Kafka's tool does for a record it cannot format.
 */
#include <regex.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "utf8.h"

#define CONSUME_MAX_TOPICS 256
#define CONSUME_MAX_PROPS 64

typedef struct consume_topic {
    char *name; /* owned */
    int n_parts;
} consume_topic_t;

typedef struct consume_args {
    ctl_common_t common;
    const char *topic;
    const char *include; /* --include REGEX, instead of --topic */
    const char *group;   /* NULL: assign partitions directly, commit nothing */
    bool from_beginning;
    long max_messages;  /* -1: unlimited */
    int partition;      /* --partition, -1: all */
    const char *offset; /* --offset earliest|latest|N, NULL: by --from-beginning */
    const char *consumer_props[CONSUME_MAX_PROPS];
    int n_consumer_props;
    const char *consumer_config;
    const char *isolation_level;
    bool skip_on_error;
    /* DefaultMessageFormatter's properties. */
    bool print_key, print_value, print_timestamp, print_partition, print_offset, print_headers;
    const char *key_separator, *line_separator, *headers_separator, *null_literal;
    consume_topic_t topics[CONSUME_MAX_TOPICS];
    int n_topics;
} consume_args_t;

static volatile sig_atomic_t stop;

static void on_sigint(int sig)
{
    stop = 1;
}

enum {
    OPT_TOPIC = 1,
    OPT_INCLUDE,
    OPT_GROUP,
    OPT_FROM_BEGINNING,
    OPT_MAX_MESSAGES,
    OPT_PARTITION,
    OPT_OFFSET,
    OPT_PROPERTY,
    OPT_CONSUMER_PROPERTY,
    OPT_CONSUMER_CONFIG,
    OPT_ISOLATION_LEVEL,
    OPT_SKIP_ON_ERROR,
};

static const cliopt_t consume_opts[] = {
    {OPT_TOPIC, "--topic", 0, "TOPIC", "the topic to read"},
    {OPT_INCLUDE, "--include", 0, "REGEX", "read every topic whose whole name matches (instead of --topic)"},
    {OPT_GROUP, "--group", 0, "GROUP", "consume as a member of this group, from its committed offsets"},
    {OPT_FROM_BEGINNING, "--from-beginning", 0, NULL, "start at the earliest record rather than the latest"},
    {OPT_MAX_MESSAGES, "--max-messages", 0, "N", "exit after N records"},
    {OPT_PARTITION, "--partition", 0, "P", "read only partition P (without --group)"},
    {OPT_OFFSET, "--offset", 0, "OFFSET", "start of --partition: earliest, latest (default) or a number"},
    {OPT_PROPERTY, "--property", 0, "KEY=VALUE", "formatter setting: print.key, print.value, print.timestamp, ..."},
    {OPT_CONSUMER_PROPERTY, "--consumer-property", 0, "KEY=VALUE", "a consumer setting (librdkafka name)"},
    {OPT_CONSUMER_CONFIG, "--consumer.config", 0, "FILE", "consumer settings from a properties file"},
    {OPT_ISOLATION_LEVEL, "--isolation-level", 0, "LEVEL", "read_committed or read_uncommitted (default)"},
    {OPT_SKIP_ON_ERROR, "--skip-message-on-error", 0, NULL, "report and skip a record that cannot be printed"},
    {0},
};

static const char consume_usage[] =
    "usage: connectctl consume (--topic TOPIC | --include REGEX) [--group GROUP] [--from-beginning]\n"
    "                          [--partition P [--offset earliest|latest|N]] [--max-messages N]\n"
    "                          [--property print.key=true ...] [--consumer-property KEY=VALUE ...]\n"
    "\n"
    "Prints the records of a topic to stdout, one a line, as kafka-console-consumer; the count goes to stderr.\n"
    "--property: print.key, print.value, print.timestamp, print.partition, print.offset, print.headers\n"
    "(true/false), key.separator, line.separator, headers.separator, null.literal.";

/* The boolean print.* properties and where they go. */
static bool *print_flag(consume_args_t *a, const char *name)
{
    static const struct {
        const char *name;
        size_t offset;
    } flags[] = {
        {"print.key", offsetof(consume_args_t, print_key)},
        {"print.value", offsetof(consume_args_t, print_value)},
        {"print.timestamp", offsetof(consume_args_t, print_timestamp)},
        {"print.partition", offsetof(consume_args_t, print_partition)},
        {"print.offset", offsetof(consume_args_t, print_offset)},
        {"print.headers", offsetof(consume_args_t, print_headers)},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (strcmp(flags[i].name, name) == 0) {
            return (bool *)((char *)a + flags[i].offset);
        }
    }
    return NULL;
}

static bool parse_property(consume_args_t *a, const char *kv)
{
    const char *eq = strchr(kv, '=');
    char name[64];
    if (!eq || (size_t)(eq - kv) >= sizeof(name)) {
        fprintf(stderr, "connectctl consume: --property expects key=value, got '%s'\n", kv);
        return false;
    }
    snprintf(name, sizeof(name), "%.*s", (int)(eq - kv), kv);
    const char *value = eq + 1;
    bool *flag = print_flag(a, name);
    if (flag) {
        /* Kafka reads these with equalsIgnoreCase("true"). */
        *flag = strcasecmp(value, "true") == 0;
    } else if (strcmp(name, "key.separator") == 0) {
        a->key_separator = value;
    } else if (strcmp(name, "line.separator") == 0) {
        a->line_separator = value;
    } else if (strcmp(name, "headers.separator") == 0) {
        a->headers_separator = value;
    } else if (strcmp(name, "null.literal") == 0) {
        a->null_literal = value;
    } else {
        fprintf(stderr,
                "connectctl consume: unknown --property '%s' (print.key, print.value, print.timestamp, "
                "print.partition, print.offset, print.headers, key.separator, line.separator, "
                "headers.separator, null.literal)\n",
                name);
        return false;
    }
    return true;
}

static bool check_offset(const char *offset)
{
    if (strcmp(offset, "earliest") == 0 || strcmp(offset, "latest") == 0) {
        return true;
    }
    char *end;
    long long n = strtoll(offset, &end, 10);
    return *offset && !*end && n >= 0;
}

/* Compiles --include anchored at both ends (Java's Pattern.matches);
 * returns the regcomp code, 0 when it compiled (then regfree it). */
static int include_compile(const char *include, regex_t *re)
{
    size_t len = strlen(include) + 8;
    char *anchored = malloc(len);
    snprintf(anchored, len, "^(%s)$", include);
    int rc = regcomp(re, anchored, REG_EXTENDED | REG_NOSUB);
    free(anchored);
    return rc;
}

static int check_args(const consume_args_t *a)
{
    regex_t re;
    int re_rc = a->include ? include_compile(a->include, &re) : 0;
    if (re_rc != 0) {
        char msg[256];
        regerror(re_rc, &re, msg, sizeof(msg));
        fprintf(stderr, "connectctl consume: --include '%s' is not a valid regular expression: %s\n", a->include, msg);
        return CTL_EXIT_USAGE;
    }
    if (a->include) {
        regfree(&re);
    }
    const char *error = NULL;
    if (!a->topic == !a->include) {
        error = "give one of --topic and --include";
    } else if (a->partition >= 0 && a->group) {
        error = "--partition reads one partition without a group; it cannot be used with --group";
    } else if (a->partition >= 0 && a->include) {
        error = "--partition needs --topic, not --include";
    } else if (a->offset && a->partition < 0) {
        error = "--offset needs --partition (as Kafka's tool)";
    } else if (a->offset && a->from_beginning) {
        error = "give only one of --offset and --from-beginning";
    } else if (a->offset && !check_offset(a->offset)) {
        fprintf(stderr, "connectctl consume: --offset expects earliest, latest or a number >= 0, got '%s'\n",
                a->offset);
        return CTL_EXIT_USAGE;
    }
    if (error) {
        fprintf(stderr, "connectctl consume: %s\n", error);
        return CTL_EXIT_USAGE;
    }
    return -1;
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
        case OPT_INCLUDE:
            a->include = value;
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
        case OPT_PARTITION:
            a->partition = (int)strtol(value, &end, 10);
            if (!*value || *end || a->partition < 0) {
                fprintf(stderr, "connectctl consume: --partition expects a partition number, got '%s'\n", value);
                return CTL_EXIT_USAGE;
            }
            break;
        case OPT_OFFSET:
            a->offset = value;
            break;
        case OPT_PROPERTY:
            if (!parse_property(a, value)) {
                return CTL_EXIT_USAGE;
            }
            break;
        case OPT_CONSUMER_PROPERTY:
            if (a->n_consumer_props == CONSUME_MAX_PROPS) {
                fprintf(stderr, "connectctl consume: at most %d --consumer-property flags\n", CONSUME_MAX_PROPS);
                return CTL_EXIT_USAGE;
            }
            a->consumer_props[a->n_consumer_props++] = value;
            break;
        case OPT_CONSUMER_CONFIG:
            a->consumer_config = value;
            break;
        case OPT_ISOLATION_LEVEL:
            a->isolation_level = value;
            break;
        case OPT_SKIP_ON_ERROR:
            a->skip_on_error = true;
            break;
        default: {
            int code = ctl_parse_other("consume", &a->common, id, value);
            if (code >= 0) {
                return code;
            }
        }
        }
    }
    return check_args(a);
}

static void print_bytes(const consume_args_t *a, const void *data, size_t len)
{
    if (data) {
        fwrite(data, 1, len, stdout);
    } else {
        fputs(a->null_literal, stdout);
    }
}

enum { COL_TIMESTAMP, COL_PARTITION, COL_OFFSET, COL_HEADERS, COL_KEY, COL_VALUE, COL_COUNT };

static void print_headers(const consume_args_t *a, const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *hdrs = NULL;
    size_t n = 0;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        n = rd_kafka_header_cnt(hdrs);
    }
    for (size_t i = 0; i < n; i++) {
        const char *name;
        const void *value;
        size_t size;
        rd_kafka_header_get_all(hdrs, i, &name, &value, &size);
        printf("%s%s:", i ? a->headers_separator : "", name);
        print_bytes(a, value, size);
    }
    if (n == 0) {
        fputs("NO_HEADERS", stdout);
    }
}

/* Kafka's DefaultMessageFormatter: the columns in its order, each followed
 * by key.separator, the last one by line.separator. */
static void print_text(const consume_args_t *a, const rd_kafka_message_t *m)
{
    const bool cols[COL_COUNT] = {a->print_timestamp, a->print_partition, a->print_offset,
                                  a->print_headers,   a->print_key,       a->print_value};
    int last = -1;
    for (int c = 0; c < COL_COUNT; c++) {
        last = cols[c] ? c : last;
    }
    for (int c = 0; c < COL_COUNT; c++) {
        if (!cols[c]) {
            continue;
        }
        rd_kafka_timestamp_type_t type;
        int64_t ts;
        switch (c) {
        case COL_TIMESTAMP:
            ts = rd_kafka_message_timestamp(m, &type);
            if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
                fputs("NO_TIMESTAMP", stdout);
            } else {
                printf("%s:%lld", type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime",
                       (long long)ts);
            }
            break;
        case COL_PARTITION:
            printf("Partition:%d", (int)m->partition);
            break;
        case COL_OFFSET:
            printf("Offset:%lld", (long long)m->offset);
            break;
        case COL_HEADERS:
            print_headers(a, m);
            break;
        case COL_KEY:
            print_bytes(a, m->key, m->key_len);
            break;
        default:
            print_bytes(a, m->payload, m->len);
            break;
        }
        fputs(c == last ? a->line_separator : a->key_separator, stdout);
    }
}

static void print_json_bytes(const void *data, size_t len)
{
    if (data) {
        ctl_json_bytes(data, len);
    } else {
        fputs("null", stdout);
    }
}

/* NULL when the record can be a JSON line, else what is not UTF-8. */
static const char *json_unprintable(const rd_kafka_message_t *m)
{
    if (m->key && !utf8_is_valid(m->key, m->key_len)) {
        return "key";
    }
    if (m->payload && !utf8_is_valid(m->payload, m->len)) {
        return "value";
    }
    rd_kafka_headers_t *hdrs;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (size_t i = 0; i < rd_kafka_header_cnt(hdrs); i++) {
            const char *name;
            const void *value;
            size_t size;
            rd_kafka_header_get_all(hdrs, i, &name, &value, &size);
            if (!utf8_is_valid(name, strlen(name)) || (value && !utf8_is_valid(value, size))) {
                return "header";
            }
        }
    }
    return NULL;
}

static void print_json(const rd_kafka_message_t *m)
{
    rd_kafka_timestamp_type_t type;
    int64_t ts = rd_kafka_message_timestamp(m, &type);
    printf("{\"topic\":");
    ctl_json_string(rd_kafka_topic_name(m->rkt));
    printf(",\"partition\":%d,\"offset\":%lld,", (int)m->partition, (long long)m->offset);
    if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
        printf("\"timestamp\":null,\"timestamp_type\":null");
    } else {
        printf("\"timestamp\":%lld,\"timestamp_type\":\"%s\"", (long long)ts,
               type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime");
    }
    printf(",\"headers\":[");
    rd_kafka_headers_t *hdrs;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (size_t i = 0; i < rd_kafka_header_cnt(hdrs); i++) {
            const char *name;
            const void *value;
            size_t size;
            rd_kafka_header_get_all(hdrs, i, &name, &value, &size);
            printf("%s{\"key\":", i ? "," : "");
            ctl_json_string(name);
            printf(",\"value\":");
            print_json_bytes(value, size);
            printf("}");
        }
    }
    printf("],\"key\":");
    print_json_bytes(m->key, m->key_len);
    printf(",\"value\":");
    print_json_bytes(m->payload, m->len);
    printf("}\n");
}

/* Prints one record; false when it cannot be printed (after saying why). */
static bool print_record(const consume_args_t *a, const rd_kafka_message_t *m)
{
    if (!a->common.json) {
        print_text(a, m);
        return true;
    }
    const char *bad = json_unprintable(m);
    if (!bad) {
        print_json(m);
        return true;
    }
    fprintf(stderr,
            "connectctl: consume: %s the record at %s-%d offset %lld: its %s is not UTF-8, so not a JSON "
            "string%s\n",
            a->skip_on_error ? "skipping" : "cannot print", rd_kafka_topic_name(m->rkt), (int)m->partition,
            (long long)m->offset, bad, a->skip_on_error ? "" : "; --skip-message-on-error skips such records");
    return false;
}

/* The partition count of `name`, or -1 after printing the error. */
static int partition_count(rd_kafka_t *rk, const consume_args_t *a, const char *name)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, name, NULL);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, a->common.timeout_ms);
    rd_kafka_topic_destroy(rkt);
    int n_parts = -1;
    if (!err) {
        if (md->topic_cnt != 1) {
            err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        } else if (md->topics[0].err) {
            err = md->topics[0].err;
        } else {
            n_parts = md->topics[0].partition_cnt;
        }
        rd_kafka_metadata_destroy(md);
    }
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", name);
    } else if (err) {
        ctl_fail("cannot read metadata of '%s': %s", name, rd_kafka_err2str(err));
    }
    return n_parts;
}

/* Fills a->topics from --topic, or from the topics matching --include (a
 * POSIX extended regex matched against the whole name, as Java's
 * Pattern.matches; internal "__" topics left out, as Kafka's consumer does).
 * False after printing the error. */
static bool resolve_topics(rd_kafka_t *rk, consume_args_t *a)
{
    if (a->topic) {
        int n_parts = partition_count(rk, a, a->topic);
        if (n_parts < 0) {
            return false;
        }
        if (a->partition >= n_parts) {
            ctl_fail("topic '%s' has no partition %d (it has %d)", a->topic, a->partition, n_parts);
            return false;
        }
        a->topics[a->n_topics++] = (consume_topic_t){strdup(a->topic), n_parts};
        return true;
    }
    regex_t re;
    include_compile(a->include, &re);
    const rd_kafka_metadata_t *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, a->common.timeout_ms);
    if (err) {
        regfree(&re);
        ctl_fail("metadata request to %s failed: %s", a->common.bootstrap, rd_kafka_err2str(err));
        return false;
    }
    for (int t = 0; t < md->topic_cnt && a->n_topics < CONSUME_MAX_TOPICS; t++) {
        const rd_kafka_metadata_topic_t *mt = &md->topics[t];
        if (mt->err || strncmp(mt->topic, "__", 2) == 0 || regexec(&re, mt->topic, 0, NULL, 0) != 0) {
            continue;
        }
        a->topics[a->n_topics++] = (consume_topic_t){strdup(mt->topic), mt->partition_cnt};
    }
    rd_kafka_metadata_destroy(md);
    regfree(&re);
    if (a->n_topics == 0) {
        ctl_fail("no topic matches --include '%s'; list topics with: connectctl topics --list", a->include);
        return false;
    }
    return true;
}

/* Prints records until a stop condition.  `queue` is the queue of the
 * directly assigned partitions, or NULL in a group (the consumer queue;
 * printed records get their offsets stored for the next commit).  Returns
 * the count, or -1 after a record that could not be printed. */
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
        } else if (print_record(a, m)) {
            got++;
            if (!queue) {
                rd_kafka_offset_store(m->rkt, m->partition, m->offset);
            }
        } else if (!a->skip_on_error) {
            rd_kafka_message_destroy(m);
            got = -1;
            break;
        }
        rd_kafka_message_destroy(m);
    }
    fflush(stdout);
    return got;
}

/* Where a directly assigned partition starts. */
static int64_t start_offset(const consume_args_t *a)
{
    if (!a->offset) {
        return a->from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    }
    if (strcmp(a->offset, "earliest") == 0) {
        return RD_KAFKA_OFFSET_BEGINNING;
    }
    if (strcmp(a->offset, "latest") == 0) {
        return RD_KAFKA_OFFSET_END;
    }
    return strtoll(a->offset, NULL, 10);
}

/* Consumes every partition of the topics, or --partition, without a group. */
static long consume_assigned(const consume_args_t *a, rd_kafka_t *rk)
{
    rd_kafka_topic_t *rkts[CONSUME_MAX_TOPICS];
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    int64_t start = start_offset(a);
    for (int t = 0; t < a->n_topics; t++) {
        rkts[t] = rd_kafka_topic_new(rk, a->topics[t].name, NULL);
        for (int p = 0; p < a->topics[t].n_parts; p++) {
            if (a->partition < 0 || p == a->partition) {
                rd_kafka_consume_start_queue(rkts[t], p, start, queue);
            }
        }
    }
    long got = consume_loop(a, rk, queue);
    for (int t = 0; t < a->n_topics; t++) {
        for (int p = 0; p < a->topics[t].n_parts; p++) {
            if (a->partition < 0 || p == a->partition) {
                rd_kafka_consume_stop(rkts[t], p);
            }
        }
        rd_kafka_topic_destroy(rkts[t]);
    }
    rd_kafka_queue_destroy(queue);
    return got;
}

/* Consumes as a member of the group; returns -1 after printing an error. */
static long consume_group(const consume_args_t *a, rd_kafka_t *rk, const char *group)
{
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(a->n_topics);
    for (int t = 0; t < a->n_topics; t++) {
        rd_kafka_topic_partition_list_add(topics, a->topics[t].name, RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        ctl_fail("cannot subscribe group '%s' to '%s': %s", group, a->topics[0].name, rd_kafka_err2str(err));
        return -1;
    }
    long got = consume_loop(a, rk, NULL);
    /* Auto-commit runs on a timer; commit what was printed now, before
     * leaving the group.  NO_OFFSET only means nothing new was printed. */
    err = rd_kafka_commit(rk, NULL, 0);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        ctl_fail("group '%s': committing the offsets of printed records failed: %s; the next run may print "
                 "them again",
                 group, rd_kafka_err2str(err));
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

/* The consumer's configuration: the tool's settings, then --consumer.config,
 * then every --consumer-property, then the flags that name a setting
 * (--group, --isolation-level), which win as in Kafka.  `group` receives the
 * group id, from --group or from the properties. */
static rd_kafka_conf_t *consume_conf(const consume_args_t *a, char *group, size_t group_size)
{
    rd_kafka_conf_t *conf = ctl_conf_new(&a->common);
    conf_set(conf, "enable.partition.eof", "false");
    if (a->consumer_config) {
        ctl_conf_load(conf, "--consumer.config", a->consumer_config);
    }
    for (int i = 0; i < a->n_consumer_props; i++) {
        ctl_conf_set_kv(conf, "--consumer-property", a->consumer_props[i]);
    }
    if (a->isolation_level) {
        char err[512];
        if (rd_kafka_conf_set(conf, "isolation.level", a->isolation_level, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
            fprintf(stderr,
                    "connectctl consume: --isolation-level expects read_committed or read_uncommitted, "
                    "got '%s'\n",
                    a->isolation_level);
            exit(CTL_EXIT_USAGE);
        }
    }
    if (a->group) {
        conf_set(conf, "group.id", a->group);
    }
    size_t size = group_size;
    if (rd_kafka_conf_get(conf, "group.id", group, &size) != RD_KAFKA_CONF_OK) {
        group[0] = '\0';
    }
    if (group[0]) {
        conf_set(conf, "auto.offset.reset", a->from_beginning ? "earliest" : "latest");
        conf_set(conf, "enable.auto.commit", "true");
        conf_set(conf, "enable.auto.offset.store", "false");
    }
    return conf;
}

int ctl_consume(int argc, char **argv)
{
    consume_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 10000},
                        .max_messages = -1,
                        .partition = -1,
                        .print_value = true,
                        .key_separator = "\t",
                        .line_separator = "\n",
                        .headers_separator = ",",
                        .null_literal = "null"};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        return rc;
    }
    char err[512], group[256];
    rd_kafka_conf_t *conf = consume_conf(&a, group, sizeof(group));
    if (group[0] && a.partition >= 0) {
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "connectctl consume: --partition reads one partition without a group; group.id is set\n");
        return CTL_EXIT_USAGE;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk) {
        return ctl_fail("%s", err);
    }
    long got = -1;
    if (ctl_broker_reachable(rk, &a.common) && resolve_topics(rk, &a)) {
        signal(SIGINT, on_sigint);
        signal(SIGTERM, on_sigint);
        got = group[0] ? consume_group(&a, rk, group) : consume_assigned(&a, rk);
        if (got >= 0) {
            fprintf(stderr, "Processed a total of %ld messages\n", got);
        }
    }
    rd_kafka_destroy(rk);
    for (int t = 0; t < a.n_topics; t++) {
        free(a.topics[t].name);
    }
    return got < 0 ? CTL_EXIT_FAIL : 0;
}
