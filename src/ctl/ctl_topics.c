/*
 * ctl_topics.c - `connectctl topics`, after kafka-topics.sh:
 *
 *   --create --topic T [--partitions N] [--replication-factor R] [--config k=v ...] [--if-not-exists]
 *   --list [--topic REGEX] [--exclude-internal]
 *   --describe [--topic REGEX] [--topics-with-overrides | --under-replicated-partitions
 *              | --unavailable-partitions] [--exclude-internal] [--if-exists]
 *   --alter --topic REGEX --partitions N [--if-exists]
 *   --delete --topic REGEX [--if-exists]
 *
 * As in Kafka, --topic is a regular expression (POSIX extended, matched
 * against the whole name) for every action but --create, and internal
 * topics are those whose name starts with "__".  Output mirrors
 * kafka-topics ("Created topic T.", the Topic:/Partition: lines of
 * --describe, each Topic: line ending with "Configs:" and the settings that
 * differ from the broker's defaults; with --topics-with-overrides only the
 * topic lines; with --under-replicated-partitions or
 * --unavailable-partitions only those partition lines); --json prints one JSON document instead, the overridden
 * configs of each described topic under "configs".
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

typedef enum { OP_NONE, OP_CREATE, OP_LIST, OP_DESCRIBE, OP_ALTER, OP_DELETE } topics_op_t;

typedef struct topics_args {
    ctl_common_t common;
    topics_op_t op;
    const char *topic;
    int partitions;
    int replication_factor;
    const char *configs[64];
    int n_configs;
    bool with_overrides, under_replicated, unavailable, exclude_internal, if_exists, if_not_exists;
} topics_args_t;

/* The topics an action applies to, sorted by name: the names are borrowed
 * from the metadata, valid until it is destroyed. */
typedef struct topics_selection {
    const rd_kafka_metadata_t *md;
    const rd_kafka_metadata_topic_t **topics;
    int n;
} topics_selection_t;

static int parse_int_flag(const char *flag, const char *value, int min)
{
    char *end;
    long v = strtol(value, &end, 10);
    if (*end || v < min || v > 1000000) {
        fprintf(stderr, "connectctl topics: %s expects a number >= %d, got '%s'\n", flag, min, value);
        exit(CTL_EXIT_USAGE);
    }
    return (int)v;
}

enum {
    OPT_CREATE = 1,
    OPT_LIST,
    OPT_DESCRIBE,
    OPT_ALTER,
    OPT_DELETE,
    OPT_TOPIC,
    OPT_PARTITIONS,
    OPT_RF,
    OPT_CONFIG,
    OPT_WITH_OVERRIDES,
    OPT_UNDER_REPLICATED,
    OPT_UNAVAILABLE,
    OPT_EXCLUDE_INTERNAL,
    OPT_IF_EXISTS,
    OPT_IF_NOT_EXISTS,
};

static const cliopt_t topics_opts[] = {
    {OPT_CREATE, "--create", 0, NULL, "create --topic"},
    {OPT_LIST, "--list", 0, NULL, "list the topics"},
    {OPT_DESCRIBE, "--describe", 0, NULL, "describe --topic, or every topic"},
    {OPT_ALTER, "--alter", 0, NULL, "raise the partition count of --topic to --partitions"},
    {OPT_DELETE, "--delete", 0, NULL, "delete --topic"},
    {OPT_TOPIC, "--topic", 0, "TOPIC", "the topic to act on; a regular expression but for --create"},
    {OPT_PARTITIONS, "--partitions", 0, "N", "partition count (--create, --alter)"},
    {OPT_RF, "--replication-factor", 0, "R", "replicas of each partition (--create)"},
    {OPT_CONFIG, "--config", 0, "KEY=VALUE", "a topic config for --create (repeatable)"},
    {OPT_WITH_OVERRIDES, "--topics-with-overrides", 0, NULL, "describe only topics with overridden configs"},
    {OPT_UNDER_REPLICATED, "--under-replicated-partitions", 0, NULL, "describe only partitions short of replicas"},
    {OPT_UNAVAILABLE, "--unavailable-partitions", 0, NULL, "describe only partitions without a leader"},
    {OPT_EXCLUDE_INTERNAL, "--exclude-internal", 0, NULL, "leave out internal topics (__consumer_offsets...)"},
    {OPT_IF_EXISTS, "--if-exists", 0, NULL, "--alter, --delete, --describe: nothing to do is no error"},
    {OPT_IF_NOT_EXISTS, "--if-not-exists", 0, NULL, "--create: a topic that exists is no error"},
    {0},
};

static const char topics_usage[] =
    "usage: connectctl topics --create --topic T [--partitions N] [--replication-factor R] [--config k=v ...]\n"
    "                       | --list [--topic REGEX] | --describe [--topic REGEX] [--topics-with-overrides]\n"
    "                       | --alter --topic REGEX --partitions N | --delete --topic REGEX\n"
    "\n"
    "Manages topics, as kafka-topics.";

/* Compiles --topic anchored at both ends (Java's Pattern.matches); returns
 * the regcomp code, 0 when it compiled (then regfree it). */
static int topics_regcomp(const char *topic, regex_t *re)
{
    size_t len = strlen(topic) + 8;
    char *anchored = malloc(len);
    snprintf(anchored, len, "^(%s)$", topic);
    int rc = regcomp(re, anchored, REG_EXTENDED | REG_NOSUB);
    free(anchored);
    return rc;
}

/* Returns -1 when the arguments are good, else the exit code. */
static int parse_args(int argc, char **argv, topics_args_t *a)
{
    cliopt_parser_t p;
    ctl_parser_init(&p, "topics", topics_usage, topics_opts, argc, argv);
    const char *value;
    int id;
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        switch (id) {
        case OPT_CREATE:
        case OPT_LIST:
        case OPT_DESCRIBE:
        case OPT_ALTER:
        case OPT_DELETE:
            if (a->op != OP_NONE) {
                fprintf(stderr,
                        "connectctl topics: give only one of --create, --list, --describe, --alter, --delete\n");
                return CTL_EXIT_USAGE;
            }
            a->op = (topics_op_t)(OP_CREATE + (id - OPT_CREATE));
            break;
        case OPT_TOPIC:
            a->topic = value;
            break;
        case OPT_PARTITIONS:
            a->partitions = parse_int_flag("--partitions", value, 1);
            break;
        case OPT_RF:
            a->replication_factor = parse_int_flag("--replication-factor", value, 1);
            break;
        case OPT_CONFIG:
            if (!strchr(value, '=') || a->n_configs == 64) {
                fprintf(stderr, "connectctl topics: --config expects key=value (at most 64), got '%s'\n", value);
                return CTL_EXIT_USAGE;
            }
            a->configs[a->n_configs++] = value;
            break;
        case OPT_WITH_OVERRIDES:
            a->with_overrides = true;
            break;
        case OPT_UNDER_REPLICATED:
            a->under_replicated = true;
            break;
        case OPT_UNAVAILABLE:
            a->unavailable = true;
            break;
        case OPT_EXCLUDE_INTERNAL:
            a->exclude_internal = true;
            break;
        case OPT_IF_EXISTS:
            a->if_exists = true;
            break;
        case OPT_IF_NOT_EXISTS:
            a->if_not_exists = true;
            break;
        default: {
            int code = ctl_parse_other("topics", &a->common, id, value);
            if (code >= 0) {
                return code;
            }
        }
        }
    }
    if (a->op == OP_NONE) {
        fprintf(stderr, "connectctl topics: give one of --create, --list, --describe, --alter, --delete\n");
        return CTL_EXIT_USAGE;
    }
    if ((a->op == OP_CREATE || a->op == OP_ALTER || a->op == OP_DELETE) && !a->topic) {
        fprintf(stderr, "connectctl topics: this action needs --topic\n");
        return CTL_EXIT_USAGE;
    }
    if (a->op == OP_ALTER && a->partitions <= 0) {
        fprintf(stderr, "connectctl topics: --alter needs --partitions (the new total)\n");
        return CTL_EXIT_USAGE;
    }
    const char *error = NULL;
    if (a->with_overrides + a->under_replicated + a->unavailable > 1) {
        error = "give only one of --topics-with-overrides, --under-replicated-partitions, --unavailable-partitions";
    } else if ((a->with_overrides || a->under_replicated || a->unavailable) && a->op != OP_DESCRIBE) {
        error = "--topics-with-overrides, --under-replicated-partitions and --unavailable-partitions go with "
                "--describe";
    } else if (a->if_exists && (a->op == OP_CREATE || a->op == OP_LIST)) {
        error = "--if-exists goes with --alter, --delete or --describe";
    } else if (a->if_not_exists && a->op != OP_CREATE) {
        error = "--if-not-exists goes with --create";
    } else if (a->exclude_internal && a->op != OP_LIST && a->op != OP_DESCRIBE) {
        error = "--exclude-internal goes with --list or --describe";
    }
    regex_t re;
    int re_rc = a->topic && a->op != OP_CREATE ? topics_regcomp(a->topic, &re) : 0;
    if (re_rc != 0) {
        char msg[256];
        regerror(re_rc, &re, msg, sizeof(msg));
        fprintf(stderr, "connectctl topics: --topic '%s' is not a valid regular expression: %s\n", a->topic, msg);
        return CTL_EXIT_USAGE;
    }
    if (a->topic && a->op != OP_CREATE) {
        regfree(&re);
    }
    if (error) {
        fprintf(stderr, "connectctl topics: %s\n", error);
        return CTL_EXIT_USAGE;
    }
    return -1;
}

/* The error of one topic result as a line: the broker's message alone when
 * it names the topic already, else prefixed with the topic. */
static int topic_fail(const rd_kafka_topic_result_t *res)
{
    const char *name = rd_kafka_topic_result_name(res);
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res);
    const char *msg = rd_kafka_topic_result_error_string(res);
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        return ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", name);
    }
    if (!msg || !*msg) {
        msg = rd_kafka_err2str(err);
    }
    char quoted[512];
    snprintf(quoted, sizeof(quoted), "'%s'", name);
    if (strstr(msg, quoted)) {
        return ctl_fail("%s", msg);
    }
    return ctl_fail("topic '%s': %s", name, msg);
}

/* Reports the topic results of a create/alter/delete: one line each (with
 * --json one object each). */
static int topic_results(const rd_kafka_topic_result_t **res, size_t n, const char *verb, const topics_args_t *a)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res[i]);
        const char *name = rd_kafka_topic_result_name(res[i]);
        bool quiet = (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS && a->if_not_exists) ||
                     (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && a->if_exists);
        if (err && !quiet) {
            rc = topic_fail(res[i]);
        }
        if (a->common.json) {
            printf("{\"topic\":");
            ctl_json_string(name);
            printf(",\"ok\":%s}\n", err ? "false" : "true");
        } else if (!err) {
            printf("%s topic %s.\n", verb, name);
        }
    }
    return rc;
}

static int do_create(rd_kafka_t *rk, rd_kafka_queue_t *q, const topics_args_t *a)
{
    char err[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(a->topic, a->partitions > 0 ? a->partitions : -1,
                                                    a->replication_factor > 0 ? a->replication_factor : -1,
                                                    err, sizeof(err));
    if (!nt) {
        return ctl_fail("%s", err);
    }
    for (int i = 0; i < a->n_configs; i++) {
        char kv[512];
        snprintf(kv, sizeof(kv), "%s", a->configs[i]);
        char *eq = strchr(kv, '=');
        *eq = '\0';
        rd_kafka_NewTopic_set_config(nt, kv, eq + 1);
    }
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    size_t n;
    const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    int rc = topic_results(res, n, "Created", a);
    rd_kafka_event_destroy(ev);
    return rc;
}

static int do_alter(rd_kafka_t *rk, rd_kafka_queue_t *q, const topics_args_t *a, const topics_selection_t *sel)
{
    char err[512];
    rd_kafka_NewPartitions_t **nps = calloc((size_t)sel->n, sizeof(*nps));
    for (int i = 0; i < sel->n; i++) {
        nps[i] = rd_kafka_NewPartitions_new(sel->topics[i]->topic, (size_t)a->partitions, err, sizeof(err));
    }
    rd_kafka_CreatePartitions(rk, nps, (size_t)sel->n, NULL, q);
    rd_kafka_NewPartitions_destroy_array(nps, (size_t)sel->n);
    free(nps);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    size_t n;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
    int rc = topic_results(res, n, "Added partitions to", a);
    rd_kafka_event_destroy(ev);
    return rc;
}

static int do_delete(rd_kafka_t *rk, rd_kafka_queue_t *q, const topics_args_t *a, const topics_selection_t *sel)
{
    rd_kafka_DeleteTopic_t **dts = calloc((size_t)sel->n, sizeof(*dts));
    for (int i = 0; i < sel->n; i++) {
        dts[i] = rd_kafka_DeleteTopic_new(sel->topics[i]->topic);
    }
    rd_kafka_DeleteTopics(rk, dts, (size_t)sel->n, NULL, q);
    rd_kafka_DeleteTopic_destroy_array(dts, (size_t)sel->n);
    free(dts);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    size_t n;
    const rd_kafka_topic_result_t **res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    int rc = topic_results(res, n, "Deleted", a);
    rd_kafka_event_destroy(ev);
    return rc;
}

static int cmp_topic(const void *x, const void *y)
{
    return strcmp((*(const rd_kafka_metadata_topic_t *const *)x)->topic,
                  (*(const rd_kafka_metadata_topic_t *const *)y)->topic);
}

/* The topics --topic matches (all without it), sorted, in sel; false after
 * printing the error (for none matching: unless --if-exists, which leaves
 * sel empty). */
static bool topics_select(rd_kafka_t *rk, const topics_args_t *a, topics_selection_t *sel, int *rc)
{
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &sel->md, a->common.timeout_ms);
    if (err) {
        sel->md = NULL;
        *rc = ctl_fail("metadata request to %s failed: %s", a->common.bootstrap, rd_kafka_err2str(err));
        return false;
    }
    regex_t re;
    if (a->topic) {
        topics_regcomp(a->topic, &re);
    }
    sel->topics = calloc((size_t)sel->md->topic_cnt + 1, sizeof(*sel->topics));
    for (int t = 0; t < sel->md->topic_cnt; t++) {
        const rd_kafka_metadata_topic_t *mt = &sel->md->topics[t];
        if (mt->err || (a->topic && regexec(&re, mt->topic, 0, NULL, 0) != 0) ||
            (a->exclude_internal && strncmp(mt->topic, "__", 2) == 0)) {
            continue;
        }
        sel->topics[sel->n++] = mt;
    }
    if (a->topic) {
        regfree(&re);
    }
    qsort(sel->topics, (size_t)sel->n, sizeof(*sel->topics), cmp_topic);
    if (sel->n == 0 && a->topic && !a->if_exists) {
        *rc = ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", a->topic);
        return false;
    }
    return true;
}

static void topics_selection_free(topics_selection_t *sel)
{
    free(sel->topics);
    if (sel->md) {
        rd_kafka_metadata_destroy(sel->md);
    }
}

/* The configs of each selected topic that differ from the defaults, as
 * "k=v,k=v" (malloc'd, "" for none) in overrides[i]; false after printing
 * the error. */
static bool topics_overrides(rd_kafka_t *rk, rd_kafka_queue_t *q, const topics_args_t *a,
                             const topics_selection_t *sel, char **overrides)
{
    for (int i = 0; i < sel->n; i++) {
        overrides[i] = NULL;
    }
    if (sel->n == 0) {
        return true;
    }
    rd_kafka_ConfigResource_t **resources = calloc((size_t)sel->n, sizeof(*resources));
    for (int i = 0; i < sel->n; i++) {
        resources[i] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, sel->topics[i]->topic);
    }
    rd_kafka_DescribeConfigs(rk, resources, (size_t)sel->n, NULL, q);
    rd_kafka_ConfigResource_destroy_array(resources, (size_t)sel->n);
    free(resources);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return false;
    }
    size_t n;
    const rd_kafka_ConfigResource_t **res =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    bool ok = true;
    for (size_t r = 0; r < n; r++) {
        const char *name = rd_kafka_ConfigResource_name(res[r]);
        if (rd_kafka_ConfigResource_error(res[r])) {
            ctl_fail("cannot describe the configs of '%s': %s", name, rd_kafka_ConfigResource_error_string(res[r]));
            ok = false;
            continue;
        }
        int i = 0;
        while (i < sel->n && strcmp(sel->topics[i]->topic, name) != 0) {
            i++;
        }
        if (i == sel->n) {
            continue;
        }
        size_t n_entries, len = 0;
        const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(res[r], &n_entries);
        char *text = calloc(1, 1);
        for (size_t e = 0; e < n_entries; e++) {
            if (rd_kafka_ConfigEntry_source(entries[e]) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) {
                continue;
            }
            const char *value = rd_kafka_ConfigEntry_value(entries[e]);
            const char *key = rd_kafka_ConfigEntry_name(entries[e]);
            size_t add = strlen(key) + (value ? strlen(value) : 4) + 3;
            text = realloc(text, len + add);
            len += (size_t)snprintf(text + len, add, "%s%s=%s", len ? "," : "", key, value ? value : "null");
        }
        free(overrides[i]);
        overrides[i] = text;
    }
    rd_kafka_event_destroy(ev);
    return ok;
}

static void print_int_list(const int32_t *v, int n)
{
    for (int i = 0; i < n; i++) {
        printf("%s%d", i ? "," : "", v[i]);
    }
}

/* Whether partition `mp` is shown by --describe with its filters. */
static bool partition_shown(const topics_args_t *a, const rd_kafka_metadata_partition_t *mp)
{
    if (a->under_replicated) {
        return mp->isr_cnt < mp->replica_cnt;
    }
    if (a->unavailable) {
        return mp->leader < 0;
    }
    return true;
}

static void print_json_topic(const topics_args_t *a, const rd_kafka_metadata_topic_t *mt, const char *overrides,
                             bool first)
{
    printf("%s{\"topic\":", first ? "" : ",");
    ctl_json_string(mt->topic);
    if (a->op == OP_DESCRIBE) {
        printf(",\"configs\":{");
        /* overrides is "k=v,k=v"; a value with ',' is not possible in a topic config. */
        const char *p = overrides && *overrides ? overrides : NULL;
        for (bool first_kv = true; p; first_kv = false) {
            const char *comma = strchr(p, ','), *eq = strchr(p, '=');
            size_t end = comma ? (size_t)(comma - p) : strlen(p);
            printf("%s", first_kv ? "" : ",");
            ctl_json_bytes(p, (size_t)(eq - p));
            putchar(':');
            ctl_json_bytes(eq + 1, end - (size_t)(eq + 1 - p));
            p = comma ? comma + 1 : NULL;
        }
        printf("},\"partitions\":[");
        bool first_part = true;
        for (int part = 0; part < mt->partition_cnt; part++) {
            const rd_kafka_metadata_partition_t *mp = &mt->partitions[part];
            if (!partition_shown(a, mp)) {
                continue;
            }
            printf("%s{\"partition\":%d,\"leader\":%d,\"replicas\":[", first_part ? "" : ",", mp->id, mp->leader);
            print_int_list(mp->replicas, mp->replica_cnt);
            printf("],\"isr\":[");
            print_int_list(mp->isrs, mp->isr_cnt);
            printf("]}");
            first_part = false;
        }
        printf("]");
    }
    printf("}");
}

static void print_text_topic(const topics_args_t *a, const rd_kafka_metadata_topic_t *mt, const char *overrides)
{
    if (a->op == OP_LIST) {
        printf("%s\n", mt->topic);
        return;
    }
    bool filtered = a->under_replicated || a->unavailable;
    if (!filtered) {
        /* As kafka-topics, "Configs: " even when there are none. */
        printf("Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s\n", mt->topic, mt->partition_cnt,
               mt->partition_cnt ? mt->partitions[0].replica_cnt : 0, overrides);
        if (a->with_overrides) {
            /* Kafka's --topics-with-overrides: the topic line only. */
            return;
        }
    }
    for (int p = 0; p < mt->partition_cnt; p++) {
        const rd_kafka_metadata_partition_t *mp = &mt->partitions[p];
        if (!partition_shown(a, mp)) {
            continue;
        }
        printf("\tTopic: %s\tPartition: %d\tLeader: %d\tReplicas: ", mt->topic, mp->id, mp->leader);
        print_int_list(mp->replicas, mp->replica_cnt);
        printf("\tIsr: ");
        print_int_list(mp->isrs, mp->isr_cnt);
        printf("\n");
    }
}

static int do_list_describe(rd_kafka_t *rk, rd_kafka_queue_t *q, const topics_args_t *a,
                            const topics_selection_t *sel)
{
    char **overrides = calloc((size_t)sel->n + 1, sizeof(char *));
    if (a->op == OP_DESCRIBE && !topics_overrides(rk, q, a, sel, overrides)) {
        for (int t = 0; t < sel->n; t++) {
            free(overrides[t]);
        }
        free(overrides);
        return CTL_EXIT_FAIL;
    }
    if (a->common.json) {
        printf("[");
    }
    bool first = true;
    for (int t = 0; t < sel->n; t++) {
        const rd_kafka_metadata_topic_t *mt = sel->topics[t];
        if (a->with_overrides && !(overrides[t] && *overrides[t])) {
            continue;
        }
        if (a->common.json) {
            print_json_topic(a, mt, overrides[t], first);
        } else {
            print_text_topic(a, mt, overrides[t] ? overrides[t] : "");
        }
        first = false;
    }
    if (a->common.json) {
        printf("]\n");
    }
    for (int t = 0; t < sel->n; t++) {
        free(overrides[t]);
    }
    free(overrides);
    return 0;
}

int ctl_topics(int argc, char **argv)
{
    topics_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 10000}};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        return rc;
    }
    rc = CTL_EXIT_FAIL;
    rd_kafka_t *rk = ctl_admin_new(&a.common, &rc);
    if (rk) {
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        switch (a.op) {
        case OP_CREATE:
            rc = do_create(rk, q, &a);
            break;
        case OP_ALTER:
        case OP_DELETE:
        case OP_LIST:
        case OP_DESCRIBE: {
            topics_selection_t sel = {0};
            if (topics_select(rk, &a, &sel, &rc)) {
                if (sel.n == 0 && (a.op == OP_ALTER || a.op == OP_DELETE)) {
                    rc = 0; /* --if-exists */
                } else if (a.op == OP_ALTER) {
                    rc = do_alter(rk, q, &a, &sel);
                } else if (a.op == OP_DELETE) {
                    rc = do_delete(rk, q, &a, &sel);
                } else {
                    rc = do_list_describe(rk, q, &a, &sel);
                }
            }
            topics_selection_free(&sel);
            break;
        }
        case OP_NONE:
            break;
        }
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
    }
    return rc;
}
