/*
 * connectctl.c - the command-line client's entry point and shared helpers.
 *
 *   connectctl topics  ...   create, list, describe, alter, delete topics
 *   connectctl produce ...   lines from stdin to a topic
 *   connectctl consume ...   records of a topic to stdout, alone or in a group
 *   connectctl groups  ...   list, describe (lag), reset or delete offsets of, delete groups
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

bool ctl_common_flag(ctl_common_t *common, int argc, char **argv, int *i)
{
    const char *flag = argv[*i];
    if (strcmp(flag, "--json") == 0) {
        common->json = true;
        return true;
    }
    bool takes_value = strcmp(flag, "--bootstrap-server") == 0 || strcmp(flag, "--timeout-ms") == 0;
    if (!takes_value) {
        return false;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "connectctl: %s needs a value\n", flag);
        exit(CTL_EXIT_USAGE);
    }
    const char *value = argv[++*i];
    if (strcmp(flag, "--bootstrap-server") == 0) {
        common->bootstrap = value;
    } else {
        char *end;
        long ms = strtol(value, &end, 10);
        if (*end || ms < 0 || ms > 3600000) {
            fprintf(stderr, "connectctl: --timeout-ms expects milliseconds (0 to 3600000), got '%s'\n", value);
            exit(CTL_EXIT_USAGE);
        }
        common->timeout_ms = (int)ms;
    }
    return true;
}

static void quiet_logger(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    /* Connection noise is reported once, by ctl_broker_reachable. */
}

rd_kafka_conf_t *ctl_conf_new(const ctl_common_t *common)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", common->bootstrap, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "connectctl: --bootstrap-server: %s\n", err);
        exit(CTL_EXIT_USAGE);
    }
    rd_kafka_conf_set_log_cb(conf, quiet_logger);
    return conf;
}

int ctl_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("connectctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CTL_EXIT_FAIL;
}

bool ctl_broker_reachable(rd_kafka_t *rk, const ctl_common_t *common)
{
    const rd_kafka_metadata_t *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, NULL, &md, common->timeout_ms);
    if (err) {
        ctl_fail("no broker reachable at %s (%s); check --bootstrap-server and that the broker runs",
                 common->bootstrap, rd_kafka_err2str(err));
        return false;
    }
    rd_kafka_metadata_destroy(md);
    return true;
}

void ctl_json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            printf("\\%c", *p);
        } else if (*p < 0x20) {
            printf("\\u%04x", *p);
        } else {
            putchar(*p);
        }
    }
    putchar('"');
}

rd_kafka_event_t *ctl_admin_await(rd_kafka_queue_t *queue, const ctl_common_t *common)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, common->timeout_ms + 1000);
    if (!ev) {
        ctl_fail("no answer from %s within %d ms (--timeout-ms)", common->bootstrap, common->timeout_ms);
    } else if (rd_kafka_event_error(ev)) {
        ctl_fail("%s", rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        ev = NULL;
    }
    return ev;
}

rd_kafka_t *ctl_admin_new(const ctl_common_t *common, int *rc)
{
    rd_kafka_conf_t *conf = ctl_conf_new(common);
    char err[512];
    /* Metadata lookups must not create the topics they look at. */
    rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", err, sizeof(err));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        *rc = ctl_fail("%s", err);
        return NULL;
    }
    if (!ctl_broker_reachable(rk, common)) {
        rd_kafka_destroy(rk);
        *rc = CTL_EXIT_FAIL;
        return NULL;
    }
    return rk;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: connectctl topics  --create --topic T [--partitions N] [--replication-factor R] [--config k=v ...]\n"
            "                          | --list | --describe [--topic T] | --alter --topic T --partitions N\n"
            "                          | --delete --topic T\n"
            "       connectctl produce --topic T [--property parse.key=true --property key.separator=:]\n"
            "                          [--header k=v ...]            (lines from stdin)\n"
            "       connectctl consume --topic T [--group G] [--from-beginning] [--max-messages N]\n"
            "                          [--property print.key=true] [--property key.separator=S]\n"
            "       connectctl groups  --list | --describe --group G | --delete --group G\n"
            "                          | --reset-offsets --group G (--topic T[:P,...] | --all-topics)\n"
            "                            (--to-earliest | --to-latest | --to-offset N | --shift-by N\n"
            "                             | --to-datetime YYYY-MM-DDTHH:mm:SS.sss[Z|+hh:mm])\n"
            "                            [--dry-run | --execute]\n"
            "                          | --delete-offsets --group G --topic T[:P,...] [--topic ...]\n"
            "common: --bootstrap-server HOST:PORT (default localhost:9092), --timeout-ms MS, --json\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CTL_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "topics") == 0) {
        return ctl_topics(argc - 2, argv + 2);
    }
    if (strcmp(argv[1], "produce") == 0) {
        return ctl_produce(argc - 2, argv + 2);
    }
    if (strcmp(argv[1], "consume") == 0) {
        return ctl_consume(argc - 2, argv + 2);
    }
    if (strcmp(argv[1], "groups") == 0) {
        return ctl_groups(argc - 2, argv + 2);
    }
    fprintf(stderr, "connectctl: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CTL_EXIT_USAGE;
}
