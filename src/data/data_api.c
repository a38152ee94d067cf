/*
 * data_api.c - hands the data model to plugins: data_fill_host_api() puts
 * every schema, value and record function of data_*.c into a host table.
 * The entries are the data_* functions themselves, so a plugin and the
 * worker's own code run exactly the same code.
 */
#include "data.h"

/* record_new takes the task for a future per-task allocator; the data
 * model does not need it. */
static cd_record_t *record_new(cd_task_t *task)
{
    (void)task;
    return data_record_new();
}

void data_fill_host_api(cd_host_api_t *api)
{
    api->schema_new = data_schema_new;
    api->schema_array = data_schema_array;
    api->schema_map = data_schema_map;
    api->schema_struct = data_schema_struct;
    api->schema_add_field = data_schema_add_field;
    api->schema_set_name = data_schema_set_name;
    api->schema_set_version = data_schema_set_version;
    api->schema_set_doc = data_schema_set_doc;
    api->schema_set_parameter = data_schema_set_parameter;
    api->schema_ref = data_schema_ref;
    api->schema_unref = data_schema_unref;
    api->schema_type = data_schema_type;
    api->schema_optional = data_schema_optional;
    api->schema_name = data_schema_name;
    api->schema_field_count = data_schema_field_count;
    api->schema_field_name = data_schema_field_name;
    api->schema_field_schema = data_schema_field_schema;
    api->schema_items = data_schema_items;
    api->schema_keys = data_schema_keys;
    api->schema_values = data_schema_values;

    api->value_null = data_value_null;
    api->value_int = data_value_int;
    api->value_float = data_value_float;
    api->value_bool = data_value_bool;
    api->value_string = data_value_string;
    api->value_bytes = data_value_bytes;
    api->value_array = data_value_array;
    api->value_array_push = data_value_array_push;
    api->value_map = data_value_map;
    api->value_map_put = data_value_map_put;
    api->value_struct = data_value_struct;
    api->value_struct_set = data_value_struct_set;
    api->value_free = data_value_free;
    api->value_copy = data_value_copy;
    api->value_type = data_value_type;
    api->value_get_int = data_value_get_int;
    api->value_get_float = data_value_get_float;
    api->value_get_bool = data_value_get_bool;
    api->value_get_string = data_value_get_string;
    api->value_get_bytes = data_value_get_bytes;
    api->value_count = data_value_count;
    api->value_array_at = data_value_array_at;
    api->value_map_key_at = data_value_map_key_at;
    api->value_map_value_at = data_value_map_value_at;
    api->value_map_get = data_value_map_get;
    api->value_struct_get = data_value_struct_get;

    api->record_new = record_new;
    api->record_free = data_record_free;
    api->record_set_topic = data_record_set_topic;
    api->record_set_partition = data_record_set_partition;
    api->record_set_key = data_record_set_key;
    api->record_set_value = data_record_set_value;
    api->record_set_timestamp = data_record_set_timestamp;
    api->record_add_header = data_record_add_header;
    api->record_set_source = data_record_set_source;
    api->record_topic = data_record_topic;
    api->record_partition = data_record_partition;
    api->record_offset = data_record_offset;
    api->record_timestamp = data_record_timestamp;
    api->record_key_schema = data_record_key_schema;
    api->record_key = data_record_key;
    api->record_value_schema = data_record_value_schema;
    api->record_value = data_record_value;
    api->record_header_count = data_record_header_count;
    api->record_header_key = data_record_header_key;
    api->record_header_value = data_record_header_value;
    api->schema_version = data_schema_version;
    api->schema_doc = data_schema_doc;
    api->schema_parameter = data_schema_parameter;
    api->value_struct_schema = data_value_struct_schema;
    api->record_header_schema = data_record_header_schema;
}
