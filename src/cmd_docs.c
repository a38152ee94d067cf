/*
 * cmd_docs.c - `connectd docs broker-config`: the configuration reference of
 * docs/broker.md, printed from the config tables themselves
 * (broker_config.h, topic_config.h), so the documentation cannot drift
 * from the code.  tests/integration/test_docs.sh checks that the
 * committed docs match this output.
 *
 * `connectd docs broker-apis` prints the first three columns (API, key,
 * versions) of docs/broker.md's protocol coverage table from the API table
 * (protocol/api.h); the notes column stays prose, and test_docs.sh checks
 * the rest of each row against this.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "connectd-build.h"
#include "config/broker_config.h"
#include "config/topic_config.h"
#include "docs_config.h"
#include "protocol/api.h"

/* Kafka's type name in lower case, as the broker reference writes it ("int"). */
static void print_type(config_def_type_t type)
{
    for (const char *c = config_def_type_name(type); *c; c++) {
        putchar(tolower((unsigned char)*c));
    }
}

static void print_table(const config_def_t *defs)
{
    printf("| key | type | default | valid values | description |\n|---|---|---|---|---|\n");
    for (const config_def_t *def = defs; def->name; def++) {
        char valid[256] = "";
        if (def->choices) {
            size_t len = 0;
            for (const char *const *c = def->choices; *c && len < sizeof(valid) - 1; c++) {
                len += (size_t)snprintf(valid + len, sizeof(valid) - len, "%s%s", c == def->choices ? "" : ", ", *c);
            }
        } else if (def->has_min && def->has_max && def->min < def->max) {
            snprintf(valid, sizeof(valid), "%lld … %lld", (long long)def->min, (long long)def->max);
        }
        printf("| `%s` | ", def->name);
        print_type(def->type);
        printf(" | %s | %s | %s |\n", def->default_value ? def->default_value : "null", valid,
               def->doc ? def->doc : "");
    }
}

/* "| Produce | 0 | 0–7 |", one line per row, in the table's (key) order. */
static int print_apis(void)
{
    int n;
    const api_t *apis = api_supported(&n);
    for (int i = 0; i < n; i++) {
        if (apis[i].min == apis[i].max) {
            printf("| %s | %d | %d |\n", apis[i].name, apis[i].key, apis[i].min);
        } else {
            printf("| %s | %d | %d–%d |\n", apis[i].name, apis[i].key, apis[i].min, apis[i].max);
        }
    }
    return 0;
}

static const cliopt_t docs_opts[] = {{0}};

static const char docs_usage[] = "usage: connectd docs broker-config|broker-apis|configuration\n"
                                 "\n"
                                 "Prints a reference generated from the config or API tables (Markdown):\n"
                                 "  broker-config   the broker and topic keys\n"
                                 "  broker-apis     the Kafka APIs and versions the broker serves\n"
                                 "  configuration   the worker and connector settings";

int cmd_docs(int argc, char **argv)
{
    cliopt_parser_t p;
    cliopt_parser_init(&p, "connectd docs", docs_usage, argc, argv);
    p.version = "connectd " PACKAGE_VERSION;
    cliopt_parser_add(&p, docs_opts);
    const char *subject = NULL, *value;
    int id;
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        if (id != CLIOPT_POSITIONAL) {
            return CMD_PARSE_EXIT(id);
        }
        if (subject) {
            fprintf(stderr, "connectd docs: give one subject, got '%s' and '%s'\n", subject, value);
            return EXIT_USAGE;
        }
        subject = value;
    }
    if (subject && strcmp(subject, "configuration") == 0) {
        return docs_config_print(); /* docs/configuration.md */
    }
    if (subject && strcmp(subject, "broker-apis") == 0) {
        return print_apis();
    }
    if (!subject || strcmp(subject, "broker-config") != 0) {
        fprintf(stderr, "connectd docs: give one of broker-config, broker-apis, configuration\n");
        return EXIT_USAGE;
    }
    printf("### Broker keys\n\n");
    print_table(broker_config_defs);
    printf("\n### Topic keys\n\n"
           "Set per topic with CreateTopics (`--config k=v`) and changed with AlterConfigs or\n"
           "IncrementalAlterConfigs (`kafka-configs --alter`); a topic without an override\n"
           "follows the broker key in parentheses in its description.\n\n");
    print_table(topic_config_defs);
    return 0;
}
