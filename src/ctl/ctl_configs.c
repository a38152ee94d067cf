/*
 * ctl_configs.c - `connectctl configs`, after kafka-configs.sh: shows and
 * changes the configs of topics and brokers.
 *
 *   --entity-type topics|brokers (--entity-name N | --entity-default) --describe [--all]
 *   --entity-type topics|brokers --entity-name N --alter [--add-config k=v,k2=[a,b]] [--delete-config k,k2]
 *   --topic N and --broker N are short for --entity-type ... --entity-name N
 *
 * --describe prints, as Kafka does, the configs set on the resource (with
 * --all every config) with their source:
 *
 *   Dynamic configs for topic orders are:
 *     retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000}
 *
 * Without --entity-name, every topic (or the broker answering) is described.
 *
 * --alter reads the resource's current overrides (DescribeConfigs), applies
 * --add-config and --delete-config to them and writes the whole set back
 * with AlterConfigs: the librdkafka this builds against has no
 * IncrementalAlterConfigs.  Read-modify-write is what kafka-configs did
 * before KIP-339; a change made by someone else between the two requests
 * is lost.  A broker's settings are static (read from its properties file),
 * so the broker refuses changes to them, and connectctl prints its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define CONFIGS_MAX 128

typedef struct configs_args {
    ctl_common_t common;
    bool describe, alter, all, entity_default;
    const char *entity_type; /* "topics" or "brokers" */
    const char *entity_name;
    char *add[CONFIGS_MAX]; /* "k=v", owned */
    int n_add;
    char *del[CONFIGS_MAX]; /* "k", owned */
    int n_del;
} configs_args_t;

enum {
    OPT_DESCRIBE = 1,
    OPT_ALTER,
    OPT_ALL,
    OPT_ENTITY_TYPE,
    OPT_ENTITY_NAME,
    OPT_ENTITY_DEFAULT,
    OPT_TOPIC,
    OPT_BROKER,
    OPT_ADD_CONFIG,
    OPT_DELETE_CONFIG,
};

static const cliopt_t configs_opts[] = {
    {OPT_DESCRIBE, "--describe", 0, NULL, "show the configs set on the entity"},
    {OPT_ALTER, "--alter", 0, NULL, "change the entity's configs (--add-config, --delete-config)"},
    {OPT_ALL, "--all", 0, NULL, "--describe every config, set or not"},
    {OPT_ENTITY_TYPE, "--entity-type", 0, "TYPE", "topics or brokers"},
    {OPT_ENTITY_NAME, "--entity-name", 0, "NAME", "the topic name or broker id"},
    {OPT_ENTITY_DEFAULT, "--entity-default", 0, NULL, "the brokers' defaults (--entity-type brokers)"},
    {OPT_TOPIC, "--topic", 0, "TOPIC", "short for --entity-type topics --entity-name TOPIC"},
    {OPT_BROKER, "--broker", 0, "ID", "short for --entity-type brokers --entity-name ID"},
    {OPT_ADD_CONFIG, "--add-config", 0, "K=V,...", "configs to set; a list value in brackets: k=[a,b]"},
    {OPT_DELETE_CONFIG, "--delete-config", 0, "K,...", "configs to return to their defaults"},
    {0},
};

static const char configs_usage[] =
    "usage: connectctl configs (--entity-type topics|brokers --entity-name N | --topic T | --broker ID)\n"
    "                          (--describe [--all] | --alter [--add-config K=V,...] [--delete-config K,...])\n"
    "\n"
    "Shows and changes the configs of topics and brokers, as kafka-configs.";

/* Splits "a=1,b=[x,y],c=3" at the commas outside brackets into out (malloc'd
 * copies, brackets removed).  False after printing what is wrong. */
static bool split_list(const char *flag, const char *list, bool pairs, char **out, int *n)
{
    const char *p = list;
    while (*p) {
        char item[1024];
        size_t len = 0;
        int depth = 0;
        for (; *p && (depth > 0 || *p != ','); p++) {
            if (*p == '[' || *p == ']') {
                depth += *p == '[' ? 1 : -1;
                continue;
            }
            if (len + 1 < sizeof(item)) {
                item[len++] = *p;
            }
        }
        item[len] = '\0';
        if (*p == ',') {
            p++;
        }
        char *eq = strchr(item, '=');
        if (!len || depth != 0 || (pairs && (!eq || eq == item)) || (!pairs && eq)) {
            fprintf(stderr, "connectctl configs: %s expects %s, got '%s'\n", flag,
                    pairs ? "k=v[,k=v...] (a list value in brackets: k=[a,b])" : "k[,k...]", list);
            return false;
        }
        if (*n == CONFIGS_MAX) {
            fprintf(stderr, "connectctl configs: at most %d configs in %s\n", CONFIGS_MAX, flag);
            return false;
        }
        out[(*n)++] = strdup(item);
    }
    return true;
}

static bool set_entity(configs_args_t *a, const char *type, const char *name)
{
    if (a->entity_type && strcmp(a->entity_type, type) != 0) {
        fprintf(stderr, "connectctl configs: give one entity type (topics or brokers)\n");
        return false;
    }
    a->entity_type = type;
    if (name) {
        a->entity_name = name;
    }
    return true;
}

static int check_args(const configs_args_t *a)
{
    const char *error = NULL;
    if (a->describe == a->alter) {
        error = "give one of --describe and --alter";
    } else if (!a->entity_type) {
        error = "give --entity-type topics|brokers (or --topic T, --broker ID)";
    } else if (strcmp(a->entity_type, "topics") != 0 && strcmp(a->entity_type, "brokers") != 0) {
        error = "--entity-type is topics or brokers";
    } else if (a->alter && !a->entity_name && !a->entity_default) {
        error = "--alter needs --entity-name";
    } else if (a->alter && a->n_add + a->n_del == 0) {
        error = "--alter needs --add-config or --delete-config";
    } else if (a->describe && a->n_add + a->n_del > 0) {
        error = "--add-config and --delete-config go with --alter";
    } else if (a->all && !a->describe) {
        error = "--all goes with --describe";
    } else if (a->entity_default && (a->entity_name || strcmp(a->entity_type, "brokers") != 0)) {
        error = "--entity-default is for --entity-type brokers, without --entity-name";
    }
    if (error) {
        fprintf(stderr, "connectctl configs: %s\n", error);
        return CTL_EXIT_USAGE;
    }
    return -1;
}

/* Returns -1 when the arguments are good, else the exit code. */
static int parse_args(int argc, char **argv, configs_args_t *a)
{
    cliopt_parser_t p;
    ctl_parser_init(&p, "configs", configs_usage, configs_opts, argc, argv);
    const char *value;
    int id;
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        bool ok = true;
        switch (id) {
        case OPT_DESCRIBE:
            a->describe = true;
            break;
        case OPT_ALTER:
            a->alter = true;
            break;
        case OPT_ALL:
            a->all = true;
            break;
        case OPT_ENTITY_TYPE:
            ok = set_entity(a, value, NULL);
            break;
        case OPT_ENTITY_NAME:
            a->entity_name = value;
            break;
        case OPT_ENTITY_DEFAULT:
            a->entity_default = true;
            break;
        case OPT_TOPIC:
            ok = set_entity(a, "topics", value);
            break;
        case OPT_BROKER:
            ok = set_entity(a, "brokers", value);
            break;
        case OPT_ADD_CONFIG:
            ok = split_list("--add-config", value, true, a->add, &a->n_add);
            break;
        case OPT_DELETE_CONFIG:
            ok = split_list("--delete-config", value, false, a->del, &a->n_del);
            break;
        default: {
            int code = ctl_parse_other("configs", &a->common, id, value);
            if (code >= 0) {
                return code;
            }
        }
        }
        if (!ok) {
            return CTL_EXIT_USAGE;
        }
    }
    return check_args(a);
}

static bool is_topic(const configs_args_t *a)
{
    return strcmp(a->entity_type, "topics") == 0;
}

static rd_kafka_ResourceType_t configs_resource_type(const configs_args_t *a)
{
    return is_topic(a) ? RD_KAFKA_RESOURCE_TOPIC : RD_KAFKA_RESOURCE_BROKER;
}

/* Describes `names` (n of them); the result event (caller destroys) or NULL
 * after printing the error. */
static rd_kafka_event_t *describe(rd_kafka_t *rk, rd_kafka_queue_t *q, const configs_args_t *a,
                                  const char *const *names, int n)
{
    rd_kafka_ConfigResource_t **res = calloc((size_t)n, sizeof(*res));
    for (int i = 0; i < n; i++) {
        res[i] = rd_kafka_ConfigResource_new(configs_resource_type(a), names[i]);
    }
    rd_kafka_DescribeConfigs(rk, res, (size_t)n, NULL, q);
    rd_kafka_ConfigResource_destroy_array(res, (size_t)n);
    free(res);
    return ctl_admin_await(q, &a->common);
}

/* A resource's error as one line; CTL_EXIT_FAIL. */
static int resource_fail(const configs_args_t *a, const rd_kafka_ConfigResource_t *res)
{
    const char *name = rd_kafka_ConfigResource_name(res);
    rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(res);
    const char *msg = rd_kafka_ConfigResource_error_string(res);
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        return ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", name);
    }
    return ctl_fail("%s %s: %s", is_topic(a) ? "topic" : "broker", name, msg && *msg ? msg : rd_kafka_err2str(err));
}

/* Whether describe shows `entry` without --all: the configs set on the
 * resource itself. */
static bool entry_is_dynamic(const rd_kafka_ConfigEntry_t *entry)
{
    rd_kafka_ConfigSource_t source = rd_kafka_ConfigEntry_source(entry);
    return source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG ||
           source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG ||
           source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG;
}

static const char *entry_value(const rd_kafka_ConfigEntry_t *entry)
{
    const char *value = rd_kafka_ConfigEntry_value(entry);
    return rd_kafka_ConfigEntry_is_sensitive(entry) || !value ? "null" : value;
}

static void print_entry_text(const rd_kafka_ConfigEntry_t *entry)
{
    printf("  %s=%s sensitive=%s synonyms={", rd_kafka_ConfigEntry_name(entry), entry_value(entry),
           rd_kafka_ConfigEntry_is_sensitive(entry) ? "true" : "false");
    size_t n_syn;
    const rd_kafka_ConfigEntry_t **syn = rd_kafka_ConfigEntry_synonyms(entry, &n_syn);
    if (n_syn == 0) {
        /* A broker that sends no synonyms: the entry is its own first one, as Kafka lists it. */
        syn = &entry;
        n_syn = 1;
    }
    for (size_t i = 0; i < n_syn; i++) {
        printf("%s%s:%s=%s", i ? ", " : "", rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(syn[i])),
               rd_kafka_ConfigEntry_name(syn[i]), entry_value(syn[i]));
    }
    printf("}\n");
}

static void print_entry_json(const rd_kafka_ConfigEntry_t *entry, bool first)
{
    printf("%s{\"name\":", first ? "" : ",");
    ctl_json_string(rd_kafka_ConfigEntry_name(entry));
    printf(",\"value\":");
    const char *value = rd_kafka_ConfigEntry_value(entry);
    if (rd_kafka_ConfigEntry_is_sensitive(entry) || !value) {
        printf("null");
    } else {
        ctl_json_string(value);
    }
    printf(",\"source\":\"%s\",\"sensitive\":%s,\"read_only\":%s}",
           rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(entry)),
           rd_kafka_ConfigEntry_is_sensitive(entry) ? "true" : "false",
           rd_kafka_ConfigEntry_is_read_only(entry) ? "true" : "false");
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The names to describe: --entity-name, "" for the broker defaults, or
 * every topic / the broker answering Metadata.  NULL after printing why. */
static char **describe_names(rd_kafka_t *rk, const configs_args_t *a, int *n)
{
    char **names;
    if (a->entity_name || a->entity_default) {
        names = calloc(1, sizeof(char *));
        names[0] = strdup(a->entity_default ? "" : a->entity_name);
        *n = 1;
        return names;
    }
    const rd_kafka_metadata_t *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, a->common.timeout_ms);
    if (err) {
        ctl_fail("metadata request to %s failed: %s", a->common.bootstrap, rd_kafka_err2str(err));
        return NULL;
    }
    int count = is_topic(a) ? md->topic_cnt : md->broker_cnt;
    names = calloc((size_t)count + 1, sizeof(char *));
    *n = 0;
    for (int i = 0; i < count; i++) {
        if (is_topic(a)) {
            names[(*n)++] = strdup(md->topics[i].topic);
        } else {
            char id[16];
            snprintf(id, sizeof(id), "%d", (int)md->brokers[i].id);
            names[(*n)++] = strdup(id);
        }
    }
    rd_kafka_metadata_destroy(md);
    qsort(names, (size_t)*n, sizeof(char *), cmp_str);
    return names;
}

static int do_describe(rd_kafka_t *rk, rd_kafka_queue_t *q, const configs_args_t *a)
{
    int n = 0;
    char **names = describe_names(rk, a, &n);
    if (!names) {
        return CTL_EXIT_FAIL;
    }
    int rc = 0;
    rd_kafka_event_t *ev = n ? describe(rk, q, a, (const char *const *)names, n) : NULL;
    if (n && !ev) {
        rc = CTL_EXIT_FAIL;
    }
    size_t n_res = 0;
    const rd_kafka_ConfigResource_t **res = ev ? rd_kafka_DescribeConfigs_result_resources(
                                                     rd_kafka_event_DescribeConfigs_result(ev), &n_res)
                                               : NULL;
    if (a->common.json) {
        printf("[");
    }
    for (size_t r = 0; r < n_res; r++) {
        const char *name = rd_kafka_ConfigResource_name(res[r]);
        if (rd_kafka_ConfigResource_error(res[r])) {
            rc = resource_fail(a, res[r]);
            continue;
        }
        size_t n_entries;
        const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(res[r], &n_entries);
        if (a->common.json) {
            printf("%s{\"entity_type\":\"%s\",\"entity_name\":", r ? "," : "", a->entity_type);
            ctl_json_string(name);
            printf(",\"configs\":[");
        } else {
            printf("%s configs for %s %s are:\n", a->all ? "All" : "Dynamic", is_topic(a) ? "topic" : "broker",
                   *name ? name : "default");
        }
        bool first = true;
        for (size_t e = 0; e < n_entries; e++) {
            if (!a->all && !entry_is_dynamic(entries[e])) {
                continue;
            }
            if (a->common.json) {
                print_entry_json(entries[e], first);
            } else {
                print_entry_text(entries[e]);
            }
            first = false;
        }
        if (a->common.json) {
            printf("]}");
        }
    }
    if (a->common.json) {
        printf("]\n");
    }
    if (ev) {
        rd_kafka_event_destroy(ev);
    }
    for (int i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return rc;
}

static bool deleted(const configs_args_t *a, const char *key)
{
    for (int i = 0; i < a->n_del; i++) {
        if (strcmp(a->del[i], key) == 0) {
            return true;
        }
    }
    for (int i = 0; i < a->n_add; i++) {
        size_t len = strcspn(a->add[i], "=");
        if (strlen(key) == len && strncmp(a->add[i], key, len) == 0) {
            return true; /* replaced by --add-config */
        }
    }
    return false;
}

static int do_alter(rd_kafka_t *rk, rd_kafka_queue_t *q, const configs_args_t *a)
{
    const char *name = a->entity_default ? "" : a->entity_name;
    rd_kafka_event_t *ev = describe(rk, q, a, &name, 1);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    size_t n_res;
    const rd_kafka_ConfigResource_t **res = rd_kafka_DescribeConfigs_result_resources(
        rd_kafka_event_DescribeConfigs_result(ev), &n_res);
    if (n_res != 1 || rd_kafka_ConfigResource_error(res[0])) {
        int rc = n_res == 1 ? resource_fail(a, res[0]) : ctl_fail("unexpected answer: %zu resources", n_res);
        rd_kafka_event_destroy(ev);
        return rc;
    }
    for (int i = 0; i < a->n_del; i++) {
        size_t n_entries;
        const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(res[0], &n_entries);
        bool known = false;
        for (size_t e = 0; e < n_entries && !known; e++) {
            known = strcmp(rd_kafka_ConfigEntry_name(entries[e]), a->del[i]) == 0;
        }
        if (!known) {
            rd_kafka_event_destroy(ev);
            return ctl_fail("%s %s has no config '%s' to delete", is_topic(a) ? "topic" : "broker",
                            *name ? name : "default", a->del[i]);
        }
    }
    /* AlterConfigs replaces the whole set: the overrides that stay, then
     * the new ones. */
    rd_kafka_ConfigResource_t *alter = rd_kafka_ConfigResource_new(configs_resource_type(a), name);
    size_t n_entries;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(res[0], &n_entries);
    for (size_t e = 0; e < n_entries; e++) {
        if (entry_is_dynamic(entries[e]) && !deleted(a, rd_kafka_ConfigEntry_name(entries[e]))) {
            rd_kafka_ConfigResource_set_config(alter, rd_kafka_ConfigEntry_name(entries[e]),
                                               rd_kafka_ConfigEntry_value(entries[e]));
        }
    }
    rd_kafka_event_destroy(ev);
    for (int i = 0; i < a->n_add; i++) {
        char *eq = strchr(a->add[i], '=');
        *eq = '\0';
        rd_kafka_ConfigResource_set_config(alter, a->add[i], eq + 1);
        *eq = '=';
    }
    rd_kafka_AlterConfigs(rk, &alter, 1, NULL, q);
    rd_kafka_ConfigResource_destroy(alter);
    ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    res = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n_res);
    int rc = 0;
    if (n_res != 1) {
        rc = ctl_fail("unexpected answer: %zu resources", n_res);
    } else if (rd_kafka_ConfigResource_error(res[0])) {
        rc = resource_fail(a, res[0]);
    } else if (a->common.json) {
        printf("{\"entity_type\":\"%s\",\"entity_name\":", a->entity_type);
        ctl_json_string(name);
        printf(",\"ok\":true}\n");
    } else {
        printf("Completed updating config for %s %s.\n", is_topic(a) ? "topic" : "broker", *name ? name : "default");
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

int ctl_configs(int argc, char **argv)
{
    configs_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 10000}};
    int rc = parse_args(argc, argv, &a);
    if (rc < 0) {
        rc = CTL_EXIT_FAIL;
        rd_kafka_t *rk = ctl_admin_new(&a.common, &rc);
        if (rk) {
            rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
            rc = a.describe ? do_describe(rk, q, &a) : do_alter(rk, q, &a);
            rd_kafka_queue_destroy(q);
            rd_kafka_destroy(rk);
        }
    }
    for (int i = 0; i < a.n_add; i++) {
        free(a.add[i]);
    }
    for (int i = 0; i < a.n_del; i++) {
        free(a.del[i]);
    }
    return rc;
}
