/*
 * connector_config.c - checking a connector config before the connector
 * starts: Kafka Connect's common keys (connector.class, tasks.max, topics
 * or topics.regex for sinks) and the plugin's own config table, whose values
 * plugin_config_check judges by the rules the loader applies to the table's
 * defaults.  All
 * problems are reported at once, in Kafka's wording, so a user fixes them
 * in one go.
 */
#include "connector_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_loader.h"

/* Appends one problem to the message. */
static void problem(char *errstr, size_t errstr_size, int *count, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(char *errstr, size_t errstr_size, int *count, const char *fmt, ...)
{
    size_t len = strlen(errstr);
    if (len + 2 >= errstr_size) {
        return;
    }
    if (*count > 0) {
        errstr[len++] = '\n';
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr + len, errstr_size - len, fmt, ap);
    va_end(ap);
    (*count)++;
}

static bool is_int(const char *v, int64_t min, int64_t max)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    return *v && !*end && !errno && n >= min && n <= max;
}

/* The most tasks one connector may ask for: each is a thread, and a typo
 * (tasks.max=1000000) must be a 400, not a worker brought down. */
#define TASKS_MAX_LIMIT 1000

int connector_config_check(const properties_t *config, const cd_plugin_desc_t *desc, char *errstr,
                           size_t errstr_size)
{
    int count = 0;
    errstr[0] = '\0';
    const char *tasks_max = properties_get(config, "tasks.max");
    if (tasks_max && !is_int(tasks_max, 1, TASKS_MAX_LIMIT)) {
        problem(errstr, errstr_size, &count,
                "Invalid value %s for configuration tasks.max: Value must be between 1 and %d", tasks_max,
                TASKS_MAX_LIMIT);
    }
    if (desc->kind == CD_KIND_SINK) {
        const char *topics = properties_get(config, "topics"), *regex = properties_get(config, "topics.regex");
        bool has_topics = topics && *topics, has_regex = regex && *regex;
        if (has_topics == has_regex) {
            problem(errstr, errstr_size, &count, "%s",
                    has_topics ? "Must configure one of topics or topics.regex, not both"
                               : "Must configure one of topics or topics.regex");
        }
    }
    for (const cd_config_def_t *def = desc->config; def && def->name; def++) {
        const char *v = properties_get(config, def->name);
        if (!v && def->required && !def->default_value) {
            problem(errstr, errstr_size, &count, "Missing required configuration \"%s\" which has no default value.",
                    def->name);
        } else if (v) {
            char why[512];
            if (plugin_config_check(def, v, why, sizeof(why)) != 0) {
                problem(errstr, errstr_size, &count, "Invalid value %s for configuration %s: %s", v, def->name, why);
            }
        }
    }
    return count;
}

int connector_config_tasks_max(const properties_t *config)
{
    const char *v = properties_get(config, "tasks.max");
    return v && is_int(v, 1, TASKS_MAX_LIMIT) ? atoi(v) : 1;
}
