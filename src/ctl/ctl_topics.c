/*
 * ctl_topics.c - `connectctl topics`, after kafka-topics.sh:
 *
 *   --create --topic T [--partitions N] [--replication-factor R] [--config k=v ...]
 *   --list
 *   --describe [--topic T]
 *   --alter --topic T --partitions N
 *   --delete --topic T
 *
 * Output mirrors kafka-topics ("Created topic T.", the Topic:/Partition:
 * lines of --describe); --json prints one JSON document instead.
 */
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
} topics_args_t;

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

enum { OPT_CREATE = 1, OPT_LIST, OPT_DESCRIBE, OPT_ALTER, OPT_DELETE, OPT_TOPIC, OPT_PARTITIONS, OPT_RF,
       OPT_CONFIG };

static const cliopt_t topics_opts[] = {
    {OPT_CREATE, "--create", 0, NULL, "create --topic"},
    {OPT_LIST, "--list", 0, NULL, "list the topics"},
    {OPT_DESCRIBE, "--describe", 0, NULL, "describe --topic, or every topic"},
    {OPT_ALTER, "--alter", 0, NULL, "raise the partition count of --topic to --partitions"},
    {OPT_DELETE, "--delete", 0, NULL, "delete --topic"},
    {OPT_TOPIC, "--topic", 0, "TOPIC", "the topic to act on"},
    {OPT_PARTITIONS, "--partitions", 0, "N", "partition count (--create, --alter)"},
    {OPT_RF, "--replication-factor", 0, "R", "replicas of each partition (--create)"},
    {OPT_CONFIG, "--config", 0, "KEY=VALUE", "a topic config for --create (repeatable)"},
    {0},
};

static const char topics_usage[] =
    "usage: connectctl topics --create --topic T [--partitions N] [--replication-factor R] [--config k=v ...]\n"
    "                       | --list | --describe [--topic T] | --alter --topic T --partitions N\n"
    "                       | --delete --topic T\n"
    "\n"
    "Manages topics, as kafka-topics.";

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
                fprintf(stderr, "connectctl topics: give only one of --create, --list, --describe, --alter, --delete\n");
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
        case CLIOPT_POSITIONAL:
            fprintf(stderr, "connectctl topics: unexpected argument '%s'\n", value);
            return CTL_EXIT_USAGE;
        default:
            if (id < 0) {
                return ctl_parse_exit(id);
            }
            ctl_common_apply(&a->common, id, value);
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
    return -1;
}

/* Reports the single topic result of a create/alter/delete. */
static int topic_result(const rd_kafka_topic_result_t **res, size_t n, const char *verb,
                        const topics_args_t *a)
{
    if (n != 1) {
        return ctl_fail("unexpected answer: %zu topic results", n);
    }
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res[0]);
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        return ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", a->topic);
    }
    if (err) {
        const char *msg = rd_kafka_topic_result_error_string(res[0]);
        return ctl_fail("topic '%s': %s", a->topic, msg && *msg ? msg : rd_kafka_err2str(err));
    }
    if (a->common.json) {
        printf("{\"topic\":");
        ctl_json_string(a->topic);
        printf(",\"ok\":true}\n");
    } else {
        printf("%s topic %s.\n", verb, a->topic);
    }
    return 0;
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
    int rc = topic_result(res, n, "Created", a);
    rd_kafka_event_destroy(ev);
    return rc;
}

static int do_alter(rd_kafka_t *rk, rd_kafka_queue_t *q, const topics_args_t *a)
{
    char err[512];
    rd_kafka_NewPartitions_t *np = rd_kafka_NewPartitions_new(a->topic, (size_t)a->partitions, err, sizeof(err));
    if (!np) {
        return ctl_fail("%s", err);
    }
    rd_kafka_CreatePartitions(rk, &np, 1, NULL, q);
    rd_kafka_NewPartitions_destroy(np);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    size_t n;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
    int rc = topic_result(res, n, "Added partitions to", a);
    rd_kafka_event_destroy(ev);
    return rc;
}

static int do_delete(rd_kafka_t *rk, rd_kafka_queue_t *q, const topics_args_t *a)
{
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(a->topic);
    rd_kafka_DeleteTopics(rk, &dt, 1, NULL, q);
    rd_kafka_DeleteTopic_destroy(dt);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    size_t n;
    const rd_kafka_topic_result_t **res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    int rc = topic_result(res, n, "Deleted", a);
    rd_kafka_event_destroy(ev);
    return rc;
}

static int cmp_topic(const void *x, const void *y)
{
    return strcmp(((const rd_kafka_metadata_topic_t *)x)->topic, ((const rd_kafka_metadata_topic_t *)y)->topic);
}

static void print_int_list(const int32_t *v, int n)
{
    for (int i = 0; i < n; i++) {
        printf("%s%d", i ? "," : "", v[i]);
    }
}

static int do_list_describe(rd_kafka_t *rk, const topics_args_t *a)
{
    const rd_kafka_metadata_t *md;
    rd_kafka_topic_t *rkt = a->topic ? rd_kafka_topic_new(rk, a->topic, NULL) : NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, rkt == NULL, rkt, &md, a->common.timeout_ms);
    if (rkt) {
        rd_kafka_topic_destroy(rkt);
    }
    if (err) {
        return ctl_fail("metadata request to %s failed: %s", a->common.bootstrap, rd_kafka_err2str(err));
    }
    rd_kafka_metadata_topic_t *topics = malloc(sizeof(*topics) * (size_t)(md->topic_cnt + 1));
    memcpy(topics, md->topics, sizeof(*topics) * (size_t)md->topic_cnt);
    qsort(topics, (size_t)md->topic_cnt, sizeof(*topics), cmp_topic);
    int rc = 0;
    if (a->common.json) {
        printf("[");
    }
    for (int t = 0; t < md->topic_cnt; t++) {
        const rd_kafka_metadata_topic_t *mt = &topics[t];
        if (mt->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            rc = ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", mt->topic);
            continue;
        }
        if (a->common.json) {
            printf("%s{\"topic\":", t ? "," : "");
            ctl_json_string(mt->topic);
            if (a->op == OP_DESCRIBE) {
                printf(",\"partitions\":[");
                for (int p = 0; p < mt->partition_cnt; p++) {
                    const rd_kafka_metadata_partition_t *mp = &mt->partitions[p];
                    printf("%s{\"partition\":%d,\"leader\":%d,\"replicas\":[", p ? "," : "", mp->id, mp->leader);
                    print_int_list(mp->replicas, mp->replica_cnt);
                    printf("],\"isr\":[");
                    print_int_list(mp->isrs, mp->isr_cnt);
                    printf("]}");
                }
                printf("]");
            }
            printf("}");
        } else if (a->op == OP_LIST) {
            printf("%s\n", mt->topic);
        } else {
            printf("Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\n", mt->topic, mt->partition_cnt,
                   mt->partition_cnt ? mt->partitions[0].replica_cnt : 0);
            for (int p = 0; p < mt->partition_cnt; p++) {
                const rd_kafka_metadata_partition_t *mp = &mt->partitions[p];
                printf("\tTopic: %s\tPartition: %d\tLeader: %d\tReplicas: ", mt->topic, mp->id, mp->leader);
                print_int_list(mp->replicas, mp->replica_cnt);
                printf("\tIsr: ");
                print_int_list(mp->isrs, mp->isr_cnt);
                printf("\n");
            }
        }
    }
    if (a->common.json) {
        printf("]\n");
    }
    free(topics);
    rd_kafka_metadata_destroy(md);
    return rc;
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
            rc = do_alter(rk, q, &a);
            break;
        case OP_DELETE:
            rc = do_delete(rk, q, &a);
            break;
        case OP_LIST:
        case OP_DESCRIBE:
            rc = do_list_describe(rk, &a);
            break;
        case OP_NONE:
            break;
        }
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
    }
    return rc;
}
