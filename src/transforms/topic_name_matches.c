/*
 * topic_name_matches.c - Kafka's predicate TopicNameMatches: true for
 * records whose whole topic name matches the Java regex `pattern` (run as
 * POSIX ERE, see java_regex.h).
 *
 *   pattern=foo-.*  on "foo-bar" -> true, on "xfoo-bar" -> false
 */
#include "field_common.h"
#include "java_regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREDICATE_PACKAGE SMT_PACKAGE ".predicates"

/* CompositeValidator.of(NonEmptyString, RegexValidator). */
static int pattern_validate(const char *value, char *errbuf, size_t errlen)
{
    if (smt_validate_non_empty_string(value, errbuf, errlen) != 0) {
        return -1;
    }
    return java_regex_validate(value, errbuf, errlen);
}

static const cd_config_def_t topic_name_matches_config[] = {
    {.name = "pattern", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "A Java regular expression for matching against the name of a record's topic.",
     .validate = pattern_validate},
    {.name = NULL},
};

static void topic_name_matches_destroy(void *instance)
{
    java_regex_free(instance);
}

static void *topic_name_matches_create(const properties_t *config, transform_target_t target, char *errstr,
                                       size_t errstr_size)
{
    (void)target;
    const char *value = smt_config(config, "pattern", "");
    while (*value && (unsigned char)*value <= ' ') {
        value++;
    }
    size_t len = strlen(value);
    while (len && (unsigned char)value[len - 1] <= ' ') {
        len--;
    }
    char *pattern = strndup(value, len);
    if (!pattern) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    char why[256];
    java_regex_t *re = java_regex_compile(pattern, why, sizeof(why));
    if (!re) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration pattern: entry must be a Java-compatible regular expression: %s",
                 pattern, why);
    }
    free(pattern);
    return re;
}

static bool topic_name_matches_test(void *instance, const cd_record_t *rec)
{
    const char *topic = data_record_topic(rec);
    return topic && java_regex_matches(instance, topic);
}

const transform_def_t transform_topic_name_matches = {
    .name = "TopicNameMatches",
    .package = PREDICATE_PACKAGE,
    .is_predicate = true,
    .doc = "A predicate which is true for records with a topic name that matches the configured regular expression.",
    .config = topic_name_matches_config,
    .create = topic_name_matches_create,
    .test = topic_name_matches_test,
    .destroy = topic_name_matches_destroy,
};
