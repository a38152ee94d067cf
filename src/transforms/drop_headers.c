/*
 * drop_headers.c - Kafka's DropHeaders: removes every header whose name is
 * in `headers`; the others keep their order.
 *
 *   headers=trace-id,debug  on headers [trace-id, a, debug, trace-id]  ->  [a]
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>

static const cd_config_def_t drop_headers_config[] = {
    {.name = "headers", .type = CD_CFG_LIST, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "The name of the headers to be removed.", .validate = smt_validate_non_empty_list},
    {.name = NULL},
};

typedef struct drop_headers {
    smt_list_t headers;
} drop_headers_t;

static void drop_headers_destroy(void *instance)
{
    drop_headers_t *dh = instance;
    if (dh) {
        smt_list_clear(&dh->headers);
        free(dh);
    }
}

static void *drop_headers_create(const properties_t *config, transform_target_t target, char *errstr,
                                 size_t errstr_size)
{
    (void)target;
    drop_headers_t *dh = calloc(1, sizeof(*dh));
    if (!dh) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    smt_list_parse(&dh->headers, smt_config(config, "headers", ""));
    return dh;
}

static int drop_headers_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    drop_headers_t *dh = instance;
    for (size_t i = data_record_header_count(rec); i-- > 0;) {
        if (smt_list_contains(&dh->headers, data_record_header_key(rec, i))) {
            data_record_remove_header(rec, i);
        }
    }
    *out = rec;
    return 0;
}

const transform_def_t transform_drop_headers = {
    .name = "DropHeaders",
    .package = SMT_PACKAGE,
    .doc = "Removes one or more headers from each record.",
    .config = drop_headers_config,
    .create = drop_headers_create,
    .apply = drop_headers_apply,
    .destroy = drop_headers_destroy,
};
