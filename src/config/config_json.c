/* config_json.c - connector configs as JSON; see config_json.h. */
#include "config_json.h"

#include <stdio.h>
#include <stdlib.h>

properties_t *config_from_json(const json_t *obj, char *errstr, size_t errstr_size)
{
    if (!json_is_object(obj)) {
        snprintf(errstr, errstr_size, "the connector config must be a JSON object of strings");
        return NULL;
    }
    properties_t *props = properties_create();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (json_is_string(v)) {
            properties_set(props, key, json_string_value(v));
        } else if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v)) {
            char *text = json_dumps(v, JSON_ENCODE_ANY);
            properties_set(props, key, text);
            free(text);
        } else if (!json_is_null(v)) {
            snprintf(errstr, errstr_size, "config value of \"%s\" must be a string", key);
            properties_destroy(props);
            return NULL;
        }
    }
    return props;
}

json_t *config_to_json(const properties_t *config)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < properties_count(config); i++) {
        json_object_set_new(obj, properties_key_at(config, i), json_string(properties_value_at(config, i)));
    }
    return obj;
}
