/*
 * docs_config.c - `connectd docs configuration`: docs/configuration.md,
 * the reference of every setting a user writes, printed from the tables
 * the code reads:
 *
 *   worker keys            worker_config.c (worker_config_defs)
 *   distributed keys       distributed_config.c (distributed_config_defs)
 *   connector keys         connector_config.c (connector_config_keys)
 *   each built-in connector its descriptor's table, from the .so files in
 *                          plugin_builtin_dir(), as the worker loads them
 *   converters             plugin_catalog.c
 *
 * `make docs` writes the file; tests/integration/test_docs.sh fails when
 * the committed one differs from this output, so it cannot go stale.
 * The output depends on nothing but the tables (no paths, no versions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config_def.h"
#include "herder/connector_config.h"
#include "docs_config.h"
#include "herder/plugin_catalog.h"
#include "plugin/plugin_loader.h"
#include "plugin/task_context.h"
#include "config/distributed_config.h"
#include "config/worker_config.h"

/* Text for a Markdown table cell: '|', '<' and '>' escaped (Kafka's
 * documentation strings hold HTML: <code>x</code> becomes `x`), newlines
 * as spaces. */
static void cell(const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (strncmp(p, "<code>", 6) == 0 || strncmp(p, "</code>", 7) == 0) {
            putchar('`');
            p += p[1] == '/' ? 6 : 5;
        } else if (*p == '<') {
            fputs("&lt;", stdout);
        } else if (*p == '>') {
            fputs("&gt;", stdout);
        } else if (*p == '|') {
            fputs("\\|", stdout);
        } else if (*p == '\n') {
            putchar(' ');
        } else {
            putchar(*p);
        }
    }
}

/* Kafka's validator descriptions: Range "[1,...,1000]", ValidString
 * "[none, all]". */
static void valid_values(const config_def_t *key)
{
    if (key->has_min || key->has_max) {
        if (key->has_min && key->has_max) {
            printf("[%lld,...,%lld]", (long long)key->min, (long long)key->max);
        } else if (key->has_min) {
            printf("[%lld,...]", (long long)key->min);
        } else {
            printf("[...,%lld]", (long long)key->max);
        }
    } else if (key->choices) {
        putchar('[');
        for (const char *const *c = key->choices; *c; c++) {
            printf("%s%s", c == key->choices ? "" : ", ", *c);
        }
        putchar(']');
        if (key->flags & CONFIG_DEF_NOCASE) {
            fputs(" (any case)", stdout);
        }
    }
}

static void key_table(const config_def_t *keys, const char *prefix, const config_def_t *skip)
{
    printf("| key | type | default | valid values | importance | description |\n"
           "|---|---|---|---|---|---|\n");
    for (const config_def_t *key = keys; key && key->name; key++) {
        if (config_def_find(skip, key->name)) {
            continue;
        }
        printf("| `%s%s` | %s | ", prefix ? prefix : "", key->name, config_def_type_name(key->type));
        if (key->flags & CONFIG_DEF_REQUIRED) {
            fputs("required", stdout);
        } else if (!key->default_value) {
            fputs("null", stdout);
        } else if (!*key->default_value) {
            fputs("\"\"", stdout);
        } else {
            putchar('`');
            cell(key->default_value);
            putchar('`');
        }
        fputs(" | ", stdout);
        valid_values(key);
        printf(" | %s | ", key->importance == CONFIG_DEF_HIGH  ? "high"
                           : key->importance == CONFIG_DEF_LOW ? "low"
                                                               : "medium");
        cell(key->doc);
        fputs(" |\n", stdout);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const plugin_info_t *const *)a)->desc->name, (*(const plugin_info_t *const *)b)->desc->name);
}

static void worker_section(void)
{
    printf("## Worker\n\n"
           "The keys of the worker properties file (`connectd standalone WORKER.properties`, as Kafka's\n"
           "`connect-standalone.properties`), each also settable with `--override key=value`.  Keys\n"
           "starting with `broker.` configure the embedded broker (docs/broker.md); `producer.`,\n"
           "`consumer.` and `admin.` pass settings to the worker's Kafka clients; `key.converter.`,\n"
           "`value.converter.` and `header.converter.` to the converters (see Converters below).\n\n"
           "| key | default | description |\n|---|---|---|\n");
    for (const config_def_t *key = worker_config_defs; key->name; key++) {
        printf("| `%s` | ", key->name);
        if (key->default_value) {
            putchar('`');
            cell(key->default_value);
            putchar('`');
        } else {
            fputs("null", stdout);
        }
        fputs(" | ", stdout);
        cell(key->doc);
        fputs(" |\n", stdout);
    }
}

static void distributed_section(void)
{
    printf("\n## Distributed worker\n\n"
           "`connectd distributed WORKER.properties` (as Kafka's `connect-distributed.properties`;\n"
           "`etc/connect-distributed.properties` is Kafka's sample) reads the Worker keys above and\n"
           "these, with Kafka's defaults.  Where a key is in both, a distributed worker follows this\n"
           "row: the three storage topics have no default, as in Kafka.  A standalone worker accepts\n"
           "these keys and uses none of them; it warns that it ignores `group.id`.  Distributed mode\n"
           "is being built: what works so far is in [distributed.md](distributed.md).\n\n");
    key_table(distributed_config_defs, "", NULL);
}

static void connector_section(void)
{
    printf("\n## Connectors: the framework's keys\n\n"
           "Every connector config (`POST /connectors`, a connector file) takes these keys besides its\n"
           "plugin's own, with Kafka Connect's names, defaults and checks; `PUT\n"
           "/connector-plugins/{plugin}/config/validate` reports on each of them.  Each alias in\n"
           "`transforms` or `predicates` adds `transforms.<alias>.type` (and the transformation's own\n"
           "keys under `transforms.<alias>.`), likewise for predicates.\n\n");
    key_table(connector_config_keys(CD_KIND_SOURCE), NULL, NULL);
    printf("\nSink connectors also take:\n\n");
    key_table(connector_config_keys(CD_KIND_SINK), NULL, connector_config_keys(CD_KIND_SOURCE));
}

static void plugins_section(void)
{
    printf("\n## Built-in connectors\n\n"
           "The connectors shipped with connectd, each with the keys of its own config table (after the\n"
           "framework's above).  `connector.class` takes the name or any alias.\n");
    plugin_registry_t *reg = plugin_registry_load(plugin_builtin_dir(), worker_host_api());
    size_t n = plugin_registry_count(reg);
    const plugin_info_t **sorted = calloc(n + 1, sizeof(*sorted));
    for (size_t i = 0; i < n; i++) {
        sorted[i] = plugin_registry_at(reg, i);
    }
    qsort(sorted, n, sizeof(*sorted), by_name);
    for (size_t i = 0; i < n; i++) {
        const cd_plugin_desc_t *desc = sorted[i]->desc;
        printf("\n### %s (%s)\n\n", desc->name, desc->kind == CD_KIND_SINK ? "sink" : "source");
        if (desc->description) {
            printf("%s\n\n", desc->description);
        }
        if (desc->aliases && desc->aliases[0]) {
            fputs("Aliases:", stdout);
            for (const char *const *a = desc->aliases; *a; a++) {
                printf("%s `%s`", a == desc->aliases ? "" : ",", *a);
            }
            fputs(".\n\n", stdout);
        }
        if (sorted[i]->config[0].name) {
            key_table(sorted[i]->config, NULL, NULL);
        } else {
            printf("No keys of its own.\n");
        }
    }
    free(sorted);
    plugin_registry_destroy(reg);
}

static void catalog_section(catalog_type_t type, const char *title, const char *intro)
{
    bool any = false;
    for (size_t i = 0; i < catalog_count(); i++) {
        const catalog_plugin_t *plugin = catalog_at(i);
        if (plugin->type != type) {
            continue;
        }
        if (!any) {
            printf("\n## %s\n\n%s\n", title, intro);
            any = true;
        }
        printf("\n### %s\n\n`%s`\n\n", plugin->alias, plugin->class_name);
        if (plugin->config && plugin->config[0].name) {
            key_table(plugin->config, NULL, NULL);
        } else {
            printf("No keys of its own.\n");
        }
    }
}

int docs_config_print(void)
{
    printf("# Configuration reference\n\n"
           "<!-- Generated from the config tables by `make docs` (`connectd docs configuration`); do not\n"
           "edit: tests/integration/test_docs.sh fails when this file differs from the tables. -->\n\n"
           "Types, defaults, valid values and importance are Kafka's ConfigDef terms: a `required` key has\n"
           "no default; `[1,...]` is a lower bound; `[a, b]` the allowed values.\n\n");
    worker_section();
    distributed_section();
    connector_section();
    plugins_section();
    catalog_section(CATALOG_TRANSFORMATION, "Transformations",
                    "Set per alias as `transforms.<alias>.type`, with the keys below under `transforms.<alias>.`.");
    catalog_section(CATALOG_PREDICATE, "Predicates",
                    "Set per alias as `predicates.<alias>.type`, with the keys below under `predicates.<alias>.`.");
    catalog_section(CATALOG_CONVERTER, "Converters",
                    "Set as `key.converter` / `value.converter` (worker or connector), with the keys below\n"
                    "under `key.converter.` / `value.converter.`; `converter.type` is set by the worker.");
    catalog_section(CATALOG_HEADER_CONVERTER, "Header converters",
                    "Set as `header.converter`, with the keys below under `header.converter.`.");
    return 0;
}
