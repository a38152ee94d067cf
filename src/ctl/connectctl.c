/*
 * connectctl.c - the command-line client's entry point and shared helpers.
 *
 *   connectctl topics  ...   create, list, describe, alter, delete topics
 *   connectctl produce ...   lines from stdin to a topic
 *   connectctl consume ...   records of a topic to stdout, alone or in a group
 *   connectctl groups  ...   list, describe (lag), reset or delete offsets of, delete groups
 *   connectctl configs ...   show and change the configs of topics and brokers
 *   connectctl connectors .. list, describe, apply, pause, restart... connectors (a worker's REST API)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectd-build.h"
#include "config/client_keys.h"
#include "ctl.h"
#include "properties.h"

const cliopt_t ctl_common_opts[] = {
    {CTL_OPT_BOOTSTRAP, "--bootstrap-server", 0, "HOST:PORT", "the broker(s) to connect to (default localhost:9092)"},
    {CTL_OPT_COMMAND_CONFIG, "--command-config", 0, "FILE", "client properties (security...) for every client"},
    {CTL_OPT_TIMEOUT, "--timeout-ms", 0, "MS", "how long to wait for the broker (consume: for the next record)"},
    {CTL_OPT_JSON, "--json", 0, NULL, "print JSON instead of text"},
    {0},
};

void ctl_parser_init(cliopt_parser_t *p, const char *name, const char *usage, const cliopt_t *opts, int argc,
                     char **argv)
{
    static char prog[64];
    snprintf(prog, sizeof(prog), "connectctl %s", name);
    cliopt_parser_init(p, prog, usage, argc, argv);
    p->version = "connectctl " PACKAGE_VERSION;
    cliopt_parser_add(p, opts);
    cliopt_parser_add(p, ctl_common_opts);
}

bool ctl_common_apply(ctl_common_t *common, int id, const char *value)
{
    switch (id) {
    case CTL_OPT_BOOTSTRAP:
        common->bootstrap = value;
        return true;
    case CTL_OPT_COMMAND_CONFIG:
        common->command_config = value;
        return true;
    case CTL_OPT_JSON:
        common->json = true;
        return true;
    case CTL_OPT_TIMEOUT: {
        char *end;
        long ms = strtol(value, &end, 10);
        if (!*value || *end || ms < 0 || ms > 3600000) {
            fprintf(stderr, "connectctl: --timeout-ms expects milliseconds (0 to 3600000), got '%s'\n", value);
            exit(CTL_EXIT_USAGE);
        }
        common->timeout_ms = (int)ms;
        common->has_timeout = true;
        return true;
    }
    default:
        return false;
    }
}

int ctl_parse_exit(int id)
{
    return id == CLIOPT_HELP || id == CLIOPT_VERSION ? 0 : CTL_EXIT_USAGE;
}

int ctl_parse_other(const char *name, ctl_common_t *common, int id, const char *value)
{
    if (id == CLIOPT_POSITIONAL) {
        fprintf(stderr, "connectctl %s: unexpected argument '%s'\n", name, value);
        return CTL_EXIT_USAGE;
    }
    if (id < 0) {
        return ctl_parse_exit(id);
    }
    ctl_common_apply(common, id, value);
    return -1;
}

void ctl_conf_set_kv(rd_kafka_conf_t *conf, const char *flag, const char *kv)
{
    const char *eq = strchr(kv, '=');
    char err[512], key[256];
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
        fprintf(stderr, "connectctl: %s expects key=value, got '%s'\n", flag, kv);
        exit(CTL_EXIT_USAGE);
    }
    snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
    if (rd_kafka_conf_set(conf, key, eq + 1, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "connectctl: %s %s: %s\n", flag, kv, err);
        exit(CTL_EXIT_USAGE);
    }
}

void ctl_conf_load(rd_kafka_conf_t *conf, const char *flag, const char *file)
{
    char err[512];
    properties_t *props = properties_create();
    if (properties_load_file(props, file, err, sizeof(err)) < 0) {
        fprintf(stderr, "connectctl: %s: %s\n", flag, err);
        exit(CTL_EXIT_USAGE);
    }
    for (size_t i = 0; i < properties_count(props); i++) {
        const char *key = properties_key_at(props, i);
        if (client_keys_conf_set(conf, key, properties_value_at(props, i), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
            fprintf(stderr, "connectctl: %s %s: %s: %s\n", flag, file, key, err);
            exit(CTL_EXIT_USAGE);
        }
    }
    properties_destroy(props);
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
    if (common->command_config) {
        ctl_conf_load(conf, "--command-config", common->command_config);
    }
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
        ctl_fail("no broker reachable at %s (%s); check --bootstrap-server and that the broker runs", common->bootstrap,
                 rd_kafka_err2str(err));
        return false;
    }
    rd_kafka_metadata_destroy(md);
    return true;
}

void ctl_json_bytes(const void *data, size_t len)
{
    putchar('"');
    for (const unsigned char *p = data, *end = p + len; p < end; p++) {
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

void ctl_json_string(const char *s)
{
    ctl_json_bytes(s, strlen(s));
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

static const char main_usage[] =
    "usage: connectctl [GLOBAL FLAGS] COMMAND [FLAGS]\n"
    "\n"
    "commands (each has --help):\n"
    "  topics      create, list, describe, alter, delete topics (as kafka-topics)\n"
    "  produce     lines from stdin to a topic (as kafka-console-producer)\n"
    "  consume     records of a topic to stdout, alone or in a group (as kafka-console-consumer)\n"
    "  groups      list, describe, reset offsets of, delete consumer groups (as kafka-consumer-groups)\n"
    "  configs     show and change the configs of topics and brokers (as kafka-configs)\n"
    "  connectors  list, describe, apply, pause, restart... the connectors of a worker (as kcctl)\n"
    "\n"
    "global flags go before or after the command";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"topics", ctl_topics}, {"produce", ctl_produce}, {"consume", ctl_consume},
    {"groups", ctl_groups}, {"configs", ctl_configs}, {"connectors", ctl_connectors},
};

/* The command named `name`, or NULL after printing the closest one. */
static int (*find_command(const char *name))(int, char **)
{
    const char *closest = NULL;
    size_t best = 3; /* more edits than 2 is another word, not a typo */
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return commands[i].run;
        }
        size_t d = cliopt_distance(name, commands[i].name);
        if (d < best) {
            best = d;
            closest = commands[i].name;
        }
    }
    if (closest) {
        fprintf(stderr, "connectctl: unknown command '%s'; did you mean '%s'?\n", name, closest);
    } else {
        fprintf(stderr, "connectctl: unknown command '%s'; see connectctl --help\n", name);
    }
    return NULL;
}

/* Global flags may come before the command ("connectctl --bootstrap-server X
 * topics --list"): they are checked here, then moved after the command's
 * own arguments, where every command reads them as its own. */
int main(int argc, char **argv)
{
    cliopt_parser_t p;
    cliopt_parser_init(&p, "connectctl", main_usage, argc - 1, argv + 1);
    p.version = "connectctl " PACKAGE_VERSION;
    cliopt_parser_add(&p, ctl_common_opts);
    const char *value;
    int id;
    while ((id = cliopt_next(&p, &value)) > 0) {
    }
    if (id == CLIOPT_END) {
        cliopt_print_help(&p, stderr);
        return CTL_EXIT_USAGE;
    }
    if (id != CLIOPT_POSITIONAL) {
        return ctl_parse_exit(id);
    }
    int (*run)(int, char **) = find_command(value);
    if (!run) {
        return CTL_EXIT_USAGE;
    }
    /* argv[p.i] is the command's name (the parser ran on argv + 1). */
    char **args = calloc((size_t)argc, sizeof(char *));
    int n = 0;
    for (int i = p.i + 1; i < argc; i++) {
        args[n++] = argv[i];
    }
    for (int i = 1; i < p.i; i++) {
        args[n++] = argv[i];
    }
    int rc = run(n, args);
    free(args);
    return rc;
}
