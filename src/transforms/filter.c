/*
 * filter.c - Kafka's Filter: drops every record it is applied to.  Alone
 * it drops everything; with a predicate (`transforms.<alias>.predicate`,
 * optionally `negate=true`) it drops the records that match (or do not).
 *
 *   transforms.drop.type=Filter  transforms.drop.predicate=isTombstone
 */
#include "field_common.h"

static int filter_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    (void)instance;
    (void)rec;
    (void)errstr;
    (void)errstr_size;
    *out = NULL;
    return 0;
}

const transform_def_t transform_filter = {
    .name = "Filter",
    .package = SMT_PACKAGE,
    .doc = "Drops all records, filtering them from subsequent transformations in the chain. This is intended to be "
           "used conditionally to filter out records matching (or not matching) a particular Predicate.",
    .config = NULL,
    .create = smt_create_stateless,
    .apply = filter_apply,
};
