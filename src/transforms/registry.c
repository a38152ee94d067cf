/* registry.c - the built-in transforms and predicates (transform.h): one
 * row per transform_def_t of src/transforms/. */
#include "transform.h"

/* Field transforms (field_common.h). */
extern const transform_def_t transform_insert_field, transform_replace_field, transform_mask_field,
    transform_value_to_key, transform_extract_field, transform_hoist_field, transform_cast, transform_flatten;

/* Routing, metadata and header transforms, and the predicates. */
extern const transform_def_t transform_timestamp_converter, transform_timestamp_router, transform_regex_router,
    transform_set_schema_metadata, transform_filter, transform_header_from, transform_insert_header,
    transform_drop_headers, transform_topic_name_matches, transform_has_header_key, transform_record_is_tombstone;

const transform_def_t *const transform_builtins[] = {
    &transform_insert_field, &transform_replace_field, &transform_mask_field, &transform_value_to_key,
    &transform_extract_field, &transform_hoist_field, &transform_cast, &transform_flatten,
    &transform_timestamp_converter, &transform_timestamp_router, &transform_regex_router,
    &transform_set_schema_metadata, &transform_filter, &transform_header_from, &transform_insert_header,
    &transform_drop_headers, &transform_topic_name_matches, &transform_has_header_key,
    &transform_record_is_tombstone,
    NULL,
};
