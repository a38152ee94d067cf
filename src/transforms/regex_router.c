/*
 * regex_router.c - Kafka's RegexRouter: when the whole topic matches
 * `regex`, the topic becomes Matcher.replaceFirst(`replacement`), where $1
 * is a group of the match; other records pass unchanged.
 *
 *   regex=(.*)-(.*)  replacement=$2  on topic "foo-bar"  ->  "bar"
 *
 * The Java regex runs as POSIX ERE; java_regex.h lists what translates and
 * where the two dialects still differ.  A bad replacement ("$3" with two
 * groups) fails the record, as Kafka's IndexOutOfBoundsException does.
 */
#include "field_common.h"
#include "java_regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cd_config_def_t regex_router_config[] = {
    {.name = "regex", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Regular expression to use for matching.", .validate = java_regex_validate},
    {.name = "replacement", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Replacement string."},
    {.name = NULL},
};

typedef struct regex_router {
    java_regex_t *regex;
    char *replacement;
} regex_router_t;

static void regex_router_destroy(void *instance)
{
    regex_router_t *rr = instance;
    if (rr) {
        java_regex_free(rr->regex);
        free(rr->replacement);
        free(rr);
    }
}

static void *regex_router_create(const properties_t *config, transform_target_t target, char *errstr,
                                 size_t errstr_size)
{
    (void)target;
    regex_router_t *rr = calloc(1, sizeof(*rr));
    char *regex = smt_trimmed_copy(smt_config(config, "regex", ""));
    if (!rr || !regex || !(rr->replacement = smt_trimmed_copy(smt_config(config, "replacement", "")))) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    char why[256];
    rr->regex = java_regex_compile(regex, why, sizeof(why));
    if (!rr->regex) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration regex: Invalid regex: %s", regex, why);
        goto fail;
    }
    free(regex);
    return rr;
fail:
    free(regex);
    regex_router_destroy(rr);
    return NULL;
}

static int regex_router_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    regex_router_t *rr = instance;
    const char *topic = data_record_topic(rec);
    char *updated = NULL;
    int rc = topic ? java_regex_replace(rr->regex, topic, rr->replacement, &updated, errstr, errstr_size) : 0;
    if (rc < 0) {
        return -1;
    }
    if (rc > 0) {
        data_record_set_topic(rec, updated);
        free(updated);
    }
    *out = rec;
    return 0;
}

const transform_def_t transform_regex_router = {
    .name = "RegexRouter",
    .package = SMT_PACKAGE,
    .doc = "Update the record topic using the configured regular expression and replacement string."
           "<p/>Under the hood, the "
           "regex is compiled to a <code>java.util.regex.Pattern</code>. If the pattern matches the input topic, "
           "<code>java.util.regex.Matcher#replaceFirst()</code> is used with the replacement string to obtain the "
           "new topic.",
    .config = regex_router_config,
    .create = regex_router_create,
    .apply = regex_router_apply,
    .destroy = regex_router_destroy,
};
