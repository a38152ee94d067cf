/*
 * ctl_produce.c - `connectctl produce`, after kafka-console-producer.sh:
 * every stdin line becomes one record of --topic, read as Kafka's
 * LineMessageReader reads it.  With every parse.* property on, a line is
 *
 *   h1:v1,h2:v2<TAB>key<TAB>value
 *
 * the headers before headers.delimiter (a tab), split at headers.separator
 * (',') and each at headers.key.separator (':'), then the key before key.separator (a tab), then the value.
 * A key, value or header value equal to null.marker is null.  With
 * ignore.error=true a line without key separator is all value and a header
 * without its separator has a null value, as in Kafka.  `--header
 * k=v` adds a header to every record.  Exits non-zero, naming the reason,
 * if any record was not acknowledged (with --sync, at the first one).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define PRODUCE_MAX_PROPS 64

typedef struct produce_args {
    ctl_common_t common;
    const char *topic;
    /* LineMessageReader's properties. */
    bool parse_key, parse_headers, ignore_error;
    const char *key_separator, *headers_delimiter, *headers_separator, *headers_key_separator;
    const char *null_marker; /* NULL: none */
    const char *headers[32];
    int n_headers;
    const char *producer_props[PRODUCE_MAX_PROPS];
    int n_producer_props;
    const char *producer_config;
    const char *acks;
    const char *compression;
    bool sync;
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
    const char *eq = strchr(kv, '=');
    char name[64];
    if (!eq || (size_t)(eq - kv) >= sizeof(name)) {
        fprintf(stderr, "connectctl produce: --property expects key=value, got '%s'\n", kv);
        return false;
    }
    snprintf(name, sizeof(name), "%.*s", (int)(eq - kv), kv);
    const char *value = eq + 1;
    /* Kafka reads the booleans with equalsIgnoreCase("true"). */
    if (strcmp(name, "parse.key") == 0) {
        a->parse_key = strcasecmp(value, "true") == 0;
    } else if (strcmp(name, "parse.headers") == 0) {
        a->parse_headers = strcasecmp(value, "true") == 0;
    } else if (strcmp(name, "ignore.error") == 0) {
        a->ignore_error = strcasecmp(value, "true") == 0;
    } else if (strcmp(name, "null.marker") == 0) {
        a->null_marker = *value ? value : NULL;
    } else {
        static const struct {
            const char *name;
            size_t offset;
        } separators[] = {
            {"key.separator", offsetof(produce_args_t, key_separator)},
            {"headers.delimiter", offsetof(produce_args_t, headers_delimiter)},
            {"headers.separator", offsetof(produce_args_t, headers_separator)},
            {"headers.key.separator", offsetof(produce_args_t, headers_key_separator)},
        };
        for (size_t i = 0; i < sizeof(separators) / sizeof(separators[0]); i++) {
            if (strcmp(separators[i].name, name) == 0) {
                if (!*value) {
                    fprintf(stderr, "connectctl produce: --property %s cannot be empty\n", name);
                    return false;
                }
                *(const char **)((char *)a + separators[i].offset) = value;
                return true;
            }
        }
        fprintf(stderr,
                "connectctl produce: unknown --property '%s' (parse.key, key.separator, parse.headers, "
                "headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error)\n",
                name);
        return false;
    }
    return true;
}

enum {
    OPT_TOPIC = 1,
    OPT_PROPERTY,
    OPT_HEADER,
    OPT_PRODUCER_PROPERTY,
    OPT_PRODUCER_CONFIG,
    OPT_ACKS,
    OPT_COMPRESSION,
    OPT_SYNC,
};

static const cliopt_t produce_opts[] = {
    {OPT_TOPIC, "--topic", 0, "TOPIC", "the topic to write (required)"},
    {OPT_PROPERTY, "--property", 0, "KEY=VALUE", "reader setting: parse.key, key.separator, parse.headers, ..."},
    {OPT_HEADER, "--header", 0, "KEY=VALUE", "a header added to every record (repeatable)"},
    {OPT_PRODUCER_PROPERTY, "--producer-property", 0, "KEY=VALUE", "a producer setting (librdkafka name)"},
    {OPT_PRODUCER_CONFIG, "--producer.config", 0, "FILE", "producer settings from a properties file"},
    {OPT_ACKS, "--request-required-acks", 0, "ACKS", "acks: -1 or all (default), 0, 1"},
    {OPT_COMPRESSION, "--compression-codec", 0, "[CODEC]", "none, gzip (without a value), snappy, lz4, zstd"},
    {OPT_SYNC, "--sync", 0, NULL, "send each record alone and wait for it before reading the next line"},
    {0},
};

static const char produce_usage[] =
    "usage: connectctl produce --topic TOPIC [--property parse.key=true --property key.separator=S ...]\n"
    "                          [--header KEY=VALUE ...] [--producer-property KEY=VALUE ...] [--sync]\n"
    "\n"
    "Writes every line of stdin as one record, as kafka-console-producer.\n"
    "--property: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator,\n"
    "headers.key.separator, null.marker, ignore.error.";

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
        case OPT_PRODUCER_PROPERTY:
            if (a->n_producer_props == PRODUCE_MAX_PROPS) {
                fprintf(stderr, "connectctl produce: at most %d --producer-property flags\n", PRODUCE_MAX_PROPS);
                return CTL_EXIT_USAGE;
            }
            a->producer_props[a->n_producer_props++] = value;
            break;
        case OPT_PRODUCER_CONFIG:
            a->producer_config = value;
            break;
        case OPT_ACKS:
            a->acks = value;
            break;
        case OPT_COMPRESSION:
            a->compression = value ? value : "gzip";
            break;
        case OPT_SYNC:
            a->sync = true;
            break;
        default: {
            int code = ctl_parse_other("produce", &a->common, id, value);
            if (code >= 0) {
                return code;
            }
        }
        }
    }
    if (!a->topic) {
        fprintf(stderr, "connectctl produce: --topic is required\n");
        return CTL_EXIT_USAGE;
    }
    return -1;
}

/* Sets a setting that a flag names; exits with CTL_EXIT_USAGE naming the
 * flag when librdkafka refuses the value. */
static void conf_set_flag(rd_kafka_conf_t *conf, const char *flag, const char *name, const char *value,
                          const char *expected)
{
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "connectctl produce: %s expects %s, got '%s'\n", flag, expected, value);
        exit(CTL_EXIT_USAGE);
    }
}

/* The producer's configuration: the tool's settings, then --producer.config,
 * then every --producer-property, then the flags that name a setting, which
 * win as in Kafka. */
static rd_kafka_conf_t *produce_conf(const produce_args_t *a)
{
    char err[512], timeout[32];
    rd_kafka_conf_t *conf = ctl_conf_new(&a->common);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    snprintf(timeout, sizeof(timeout), "%d", a->common.timeout_ms);
    rd_kafka_conf_set(conf, "message.timeout.ms", timeout, err, sizeof(err));
    if (a->producer_config) {
        ctl_conf_load(conf, "--producer.config", a->producer_config);
    }
    for (int i = 0; i < a->n_producer_props; i++) {
        ctl_conf_set_kv(conf, "--producer-property", a->producer_props[i]);
    }
    if (a->acks) {
        conf_set_flag(conf, "--request-required-acks", "acks", a->acks, "-1, all, 0 or 1");
    }
    if (a->compression) {
        conf_set_flag(conf, "--compression-codec", "compression.codec", a->compression,
                      "none, gzip, snappy, lz4 or zstd");
    }
    return conf;
}

/* A part of a line: text[0..len), or null. */
typedef struct produce_field {
    const char *text; /* NULL: null */
    size_t len;
} produce_field_t;

static produce_field_t field(const produce_args_t *a, const char *text, size_t len)
{
    if (a->null_marker && strlen(a->null_marker) == len && memcmp(text, a->null_marker, len) == 0) {
        return (produce_field_t){NULL, 0};
    }
    return (produce_field_t){text, len};
}

/* Adds the headers of "h1:v1,h2:v2" (headers[0..len)) to hdrs; false after
 * printing why the line cannot be read. */
static bool add_line_headers(const produce_args_t *a, rd_kafka_headers_t *hdrs, const char *headers, size_t len,
                             long line_no)
{
    size_t sep_len = strlen(a->headers_separator), kv_len = strlen(a->headers_key_separator);
    const char *p = headers, *end = headers + len;
    while (len > 0 && p <= end) {
        const char *next = memmem(p, (size_t)(end - p), a->headers_separator, sep_len);
        const char *stop = next ? next : end;
        const char *kv = memmem(p, (size_t)(stop - p), a->headers_key_separator, kv_len);
        if (!kv && !a->ignore_error) {
            ctl_fail("line %ld: header '%.*s' has no headers.key.separator '%s'", line_no, (int)(stop - p), p,
                     a->headers_key_separator);
            return false;
        }
        size_t key_len = (size_t)((kv ? kv : stop) - p);
        if (field(a, p, key_len).text == NULL) {
            ctl_fail("line %ld: a header key cannot be the null.marker '%s'", line_no, a->null_marker);
            return false;
        }
        produce_field_t value = kv ? field(a, kv + kv_len, (size_t)(stop - kv - kv_len)) : (produce_field_t){0};
        rd_kafka_header_add(hdrs, p, (ssize_t)key_len, value.text, value.text ? (ssize_t)value.len : 0);
        if (!next) {
            break;
        }
        p = next + sep_len;
    }
    return true;
}

/* Splits `line` into key, value and headers (added to *hdrs, created
 * here); false after printing why it cannot be read. */
static bool parse_line(const produce_args_t *a, char *line, size_t len, long line_no, produce_field_t *key,
                       produce_field_t *value, rd_kafka_headers_t **hdrs)
{
    const char *p = line, *end = line + len;
    *hdrs = rd_kafka_headers_new((size_t)a->n_headers + 4);
    for (int i = 0; i < a->n_headers; i++) {
        const char *eq = strchr(a->headers[i], '=');
        rd_kafka_header_add(*hdrs, a->headers[i], eq - a->headers[i], eq + 1, -1);
    }
    if (a->parse_headers) {
        const char *delim = memmem(p, len, a->headers_delimiter, strlen(a->headers_delimiter));
        if (!delim) {
            ctl_fail("line %ld has no headers delimiter '%s' (parse.headers=true)", line_no, a->headers_delimiter);
            return false;
        }
        if (!add_line_headers(a, *hdrs, p, (size_t)(delim - p), line_no)) {
            return false;
        }
        p = delim + strlen(a->headers_delimiter);
    }
    *key = (produce_field_t){NULL, 0};
    if (a->parse_key) {
        const char *sep = memmem(p, (size_t)(end - p), a->key_separator, strlen(a->key_separator));
        if (sep) {
            *key = field(a, p, (size_t)(sep - p));
            p = sep + strlen(a->key_separator);
        } else if (!a->ignore_error) {
            ctl_fail("line %ld has no key separator '%s' (parse.key=true)", line_no, a->key_separator);
            return false;
        }
    }
    *value = field(a, p, (size_t)(end - p));
    return true;
}

/* Sends one record (hdrs freed here or by librdkafka); with --sync waits
 * for its acknowledgement.  False after printing the error. */
static bool send_record(rd_kafka_t *rk, const produce_args_t *a, produce_field_t key, produce_field_t value,
                        rd_kafka_headers_t *hdrs)
{
    rd_kafka_resp_err_t perr;
    while ((perr = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(a->topic), RD_KAFKA_V_KEY(key.text, key.len),
                                     RD_KAFKA_V_VALUE((void *)value.text, value.len), RD_KAFKA_V_HEADERS(hdrs),
                                     RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk, 100);
    }
    if (perr) {
        rd_kafka_headers_destroy(hdrs);
        ctl_fail("cannot produce to '%s': %s", a->topic, rd_kafka_err2str(perr));
        return false;
    }
    if (!a->sync) {
        rd_kafka_poll(rk, 0);
        return true;
    }
    rd_kafka_flush(rk, a->common.timeout_ms + 1000);
    if (delivery_failures || rd_kafka_outq_len(rk) > 0) {
        ctl_fail("a record was not acknowledged by %s: %s (--sync: stopping there)", a->common.bootstrap,
                 delivery_failures ? rd_kafka_err2str(first_error) : "timed out");
        return false;
    }
    return true;
}

int ctl_produce(int argc, char **argv)
{
    produce_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 30000},
                        .key_separator = "\t",
                        .headers_delimiter = "\t",
                        .headers_separator = ",",
                        .headers_key_separator = ":"};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        return rc;
    }
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, produce_conf(&a), err, sizeof(err));
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
        produce_field_t key, value;
        rd_kafka_headers_t *hdrs;
        bool ok = parse_line(&a, line, (size_t)len, sent + 1, &key, &value, &hdrs);
        if (!ok) {
            rd_kafka_headers_destroy(hdrs);
        }
        /* send_record owns hdrs from here, whatever it returns. */
        if (!ok || !send_record(rk, &a, key, value, hdrs)) {
            free(line);
            rd_kafka_destroy(rk);
            return CTL_EXIT_FAIL;
        }
        sent++;
    }
    free(line);
    rd_kafka_flush(rk, a.common.timeout_ms + 1000);
    rc = 0;
    if (delivery_failures || rd_kafka_outq_len(rk) > 0) {
        rc = ctl_fail("%d of %ld records were not acknowledged by %s: %s", delivery_failures, sent, a.common.bootstrap,
                      delivery_failures ? rd_kafka_err2str(first_error) : "timed out");
    }
    rd_kafka_destroy(rk);
    return rc;
}
