/*
 * connector_config.c - checking a connector config before the connector
 * starts: Kafka Connect's common keys (connector.class, tasks.max, topics
 * or topics.regex for sinks) and the plugin's own config table.  All
 * problems are reported at once, in Kafka's wording, so a user fixes them
 * in one go.
 */
#include "connector_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* One value against its row of the plugin's table. */
static void check_value(const cd_config_def_t *def, const char *v, char *errstr, size_t errstr_size, int *count)
{
    char why[512] = "";
    bool bounded = def->min < def->max;
    switch (def->type) {
    case CD_CFG_INT:
        if (!is_int(v, bounded ? def->min : INT32_MIN, bounded ? def->max : INT32_MAX)) {
            problem(errstr, errstr_size, count, "Invalid value %s for configuration %s: Not a number of type INT or out of range", v, def->name);
            return;
        }
        break;
    case CD_CFG_LONG:
        if (!is_int(v, bounded ? def->min : INT64_MIN, bounded ? def->max : INT64_MAX)) {
            problem(errstr, errstr_size, count, "Invalid value %s for configuration %s: Not a number of type LONG or out of range", v, def->name);
            return;
        }
        break;
    case CD_CFG_BOOLEAN:
        if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0) {
            problem(errstr, errstr_size, count, "Invalid value %s for configuration %s: Expected value to be either true or false", v, def->name);
            return;
        }
        break;
    default:
        break;
    }
    if (def->choices) {
        bool found = false;
        for (const char *const *c = def->choices; *c && !found; c++) {
            found = strcmp(*c, v) == 0;
        }
        if (!found) {
            problem(errstr, errstr_size, count, "Invalid value %s for configuration %s: not one of the allowed values", v, def->name);
            return;
        }
    }
    if (def->validate && def->validate(v, why, sizeof(why)) != 0) {
        problem(errstr, errstr_size, count, "Invalid value %s for configuration %s: %s", v, def->name, why);
    }
}

int connector_config_check(const properties_t *config, const cd_plugin_desc_t *desc, char *errstr,
                           size_t errstr_size)
{
    int count = 0;
    errstr[0] = '\0';
    const char *tasks_max = properties_get(config, "tasks.max");
    if (tasks_max && !is_int(tasks_max, 1, INT32_MAX)) {
        problem(errstr, errstr_size, &count, "Invalid value %s for configuration %s: Value must be at least 1", tasks_max, "tasks.max");
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
            check_value(def, v, errstr, errstr_size, &count);
        }
    }
    return count;
}

int connector_config_tasks_max(const properties_t *config)
{
    const char *v = properties_get(config, "tasks.max");
    return v && is_int(v, 1, INT32_MAX) ? atoi(v) : 1;
}
