/*
 * fuzz_json.c - libFuzzer target for JsonConverter's converter_to_connect,
 * with schemas.enable true and false: any bytes either read or fail with a
 * message, never crash or leak.  What was read must also write back (a
 * value read under a schema fits it) as text jansson can parse, so the
 * reader and writer agree on what valid data is.  Built by
 * tests/fuzz/run-fuzz.sh, or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc -Iplugins/include \
 *       tests/fuzz/fuzz_json.c src/data_*.c src/convert*.c lib/properties.c -ljansson -o /tmp/fj
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert/converter.h"
#include "data/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_then_write(const char *schemas_enable, const uint8_t *data, size_t size)
{
    properties_t *config = properties_create();
    properties_set(config, "schemas.enable", schemas_enable);
    char err[512] = "";
    converter_t *conv = converter_create("JsonConverter", false, config, err, sizeof(err));
    properties_destroy(config);
    if (!conv) {
        abort();
    }
    cd_schema_t *schema = NULL;
    cd_value_t *value = NULL;
    if (converter_to_connect(conv, "t", data, size, &schema, &value, err, sizeof(err)) < 0) {
        if (!err[0] || schema || value) {
            abort();
        }
    } else {
        unsigned char *out = NULL;
        size_t len = 0;
        if (converter_from_connect(conv, "t", schema, value, &out, &len, err, sizeof(err)) < 0) {
            abort();
        }
        json_error_t error;
        json_t *parsed = out ? json_loadb((const char *)out, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error) : NULL;
        if (out && !parsed) {
            abort();
        }
        json_decref(parsed);
        free(out);
    }
    data_schema_unref(schema);
    data_value_free(value);
    converter_destroy(conv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_then_write("true", data, size);
    read_then_write("false", data, size);
    return 0;
}
