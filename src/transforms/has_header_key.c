/*
 * has_header_key.c - Kafka's predicate HasHeaderKey: true for records with
 * at least one header named `name`.
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cd_config_def_t has_header_key_config[] = {
    {.name = "name", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_MEDIUM, .doc = "The header name.",
     .validate = smt_validate_non_empty_string},
    {.name = NULL},
};

typedef struct has_header_key {
    char *name; /* NULL: unset, which no header matches */
} has_header_key_t;

static void has_header_key_destroy(void *instance)
{
    has_header_key_t *hhk = instance;
    if (hhk) {
        free(hhk->name);
        free(hhk);
    }
}

static void *has_header_key_create(const properties_t *config, transform_target_t target, char *errstr,
                                   size_t errstr_size)
{
    (void)target;
    has_header_key_t *hhk = calloc(1, sizeof(*hhk));
    const char *name = smt_config(config, "name", NULL);
    if (hhk && name) {
        while (*name && (unsigned char)*name <= ' ') {
            name++;
        }
        size_t len = strlen(name);
        while (len && (unsigned char)name[len - 1] <= ' ') {
            len--;
        }
        hhk->name = strndup(name, len);
    }
    if (!hhk || (name && !hhk->name)) {
        snprintf(errstr, errstr_size, "out of memory");
        has_header_key_destroy(hhk);
        return NULL;
    }
    return hhk;
}

static bool has_header_key_test(void *instance, const cd_record_t *rec)
{
    has_header_key_t *hhk = instance;
    for (size_t i = 0; hhk->name && i < data_record_header_count(rec); i++) {
        if (strcmp(data_record_header_key(rec, i), hhk->name) == 0) {
            return true;
        }
    }
    return false;
}

const transform_def_t transform_has_header_key = {
    .name = "HasHeaderKey",
    .package = SMT_PACKAGE ".predicates",
    .is_predicate = true,
    .doc = "A predicate which is true for records with at least one header with the configured name.",
    .config = has_header_key_config,
    .create = has_header_key_create,
    .test = has_header_key_test,
    .destroy = has_header_key_destroy,
};
