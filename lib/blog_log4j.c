/* blog_log4j.c - logger levels from log4j keys; see blog_log4j.h. */
#include "blog_log4j.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static bool is_logger_key(const char *key)
{
    return strncmp(key, BLOG_LOG4J_LOGGER_PREFIX, strlen(BLOG_LOG4J_LOGGER_PREFIX)) == 0;
}

bool blog_log4j_is_key(const char *key)
{
    return strcmp(key, BLOG_LOG4J_ROOT_KEY) == 0 || is_logger_key(key);
}

bool blog_log4j_level(const char *value, char canonical[BLOG_LEVEL_NAME_MAX])
{
    size_t len = strcspn(value, ",");
    char level[32];
    snprintf(level, sizeof(level), "%.*s", (int)(len < sizeof(level) ? len : sizeof(level) - 1), value);
    char *start = level + strspn(level, " \t");
    for (char *end = start + strlen(start); end > start && (end[-1] == ' ' || end[-1] == '\t'); end--) {
        end[-1] = '\0';
    }
    return blog_level_parse(start, canonical) >= 0;
}

bool blog_log4j_check(const properties_t *props, char *errstr, size_t errstr_size)
{
    char why[128], canonical[BLOG_LEVEL_NAME_MAX];
    for (size_t i = 0; i < properties_count(props); i++) {
        const char *key = properties_key_at(props, i), *value = properties_value_at(props, i);
        if (!blog_log4j_is_key(key)) {
            continue;
        }
        if (is_logger_key(key) && !blog_logger_name_check(key + strlen(BLOG_LOG4J_LOGGER_PREFIX), why, sizeof(why))) {
            snprintf(errstr, errstr_size, "%s<name>: %s", BLOG_LOG4J_LOGGER_PREFIX, why);
            return false;
        }
        if (!blog_log4j_level(value, canonical)) {
            snprintf(errstr, errstr_size,
                     "%s: '%s' is not a level: use TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF or ALL", key, value);
            return false;
        }
    }
    return true;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void blog_log4j_apply(const properties_t *props)
{
    const char *root = properties_get(props, BLOG_LOG4J_ROOT_KEY);
    char level[BLOG_LEVEL_NAME_MAX];
    if (root && *root && blog_log4j_level(root, level)) {
        blog_logger_configure(BLOG_ROOT, level);
    }
    /* "a" sorts before "a.b": sorting the keys puts parents first. */
    const char **keys = xcalloc(properties_count(props) + 1, sizeof(*keys));
    size_t n = 0;
    for (size_t i = 0; i < properties_count(props); i++) {
        if (is_logger_key(properties_key_at(props, i))) {
            keys[n++] = properties_key_at(props, i);
        }
    }
    qsort(keys, n, sizeof(*keys), by_key);
    for (size_t i = 0; i < n; i++) {
        if (blog_log4j_level(properties_get(props, keys[i]), level)) {
            blog_logger_configure(keys[i] + strlen(BLOG_LOG4J_LOGGER_PREFIX), level);
        }
    }
    free(keys);
}
