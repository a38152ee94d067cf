/*
 * record_is_tombstone.c - Kafka's predicate RecordIsTombstone: true for
 * records whose value is null (a delete on a compacted topic), whatever
 * the value schema says.
 */
#include "field_common.h"

static bool record_is_tombstone_test(void *instance, const cd_record_t *rec)
{
    (void)instance;
    return smt_is_null(data_record_value(rec));
}

const transform_def_t transform_record_is_tombstone = {
    .name = "RecordIsTombstone",
    .package = SMT_PACKAGE ".predicates",
    .is_predicate = true,
    .doc = "A predicate which is true for records which are tombstones (i.e. have null value).",
    .config = NULL,
    .create = smt_create_stateless,
    .test = record_is_tombstone_test,
};
