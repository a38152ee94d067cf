/*
 * fuzz_properties.c - libFuzzer target for properties_parse: any bytes either
 * parse or fail with a message naming a line, never crash; after a parse
 * every entry is found again by its key, and a failed parse changes nothing
 * (properties.h promises both).  Built by
 * tests/fuzz/run-fuzz.sh, or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       tests/fuzz/fuzz_properties.c lib/properties.c -o /tmp/fp
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "properties.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    properties_t *props = properties_create();
    properties_set(props, "sentinel", "kept");
    char err[256] = "";
    int rc = properties_parse(props, (const char *)data, size, err, sizeof(err));
    if (rc < 0) {
        /* A failed parse names a line and leaves props as it was. */
        if (strncmp(err, "line ", 5) != 0 || properties_count(props) != 1) {
            abort();
        }
    } else {
        for (size_t i = 0; i < properties_count(props); i++) {
            const char *key = properties_key_at(props, i);
            if (properties_get(props, key) != properties_value_at(props, i)) {
                abort();
            }
        }
        if (!properties_get(props, "sentinel")) {
            abort();
        }
    }
    properties_destroy(props);
    return 0;
}
