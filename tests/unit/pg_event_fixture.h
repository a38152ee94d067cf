/* What test_pg_types and test_dbz_event share: the worker's data model
 * behind a plugin host table (as the worker hands it to connectd-postgres.so),
 * and the worker's JsonConverter to turn what the module builds into the
 * bytes a Kafka consumer would read. */
#ifndef CONNECTD_PG_EVENT_FIXTURE_H
#define CONNECTD_PG_EVENT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "convert/converter.h"
#include "data/data.h"

static cd_host_api_t host;
static converter_t *json;

static int fixture_setup(void **state)
{
    (void)state;
    host.struct_size = sizeof(host);
    host.abi_major = CD_ABI_MAJOR;
    host.abi_minor = CD_ABI_MINOR;
    data_fill_host_api(&host);
    char err[256];
    json = converter_create("JsonConverter", false, NULL, err, sizeof(err));
    return json ? 0 : -1;
}

static int fixture_teardown(void **state)
{
    (void)state;
    converter_destroy(json);
    return 0;
}

/* JsonConverter's bytes (schemas.enable=true) of schema and value
 * (borrowed), as a string the caller frees; NULL for a Kafka null. */
static char *to_json(const cd_schema_t *schema, const cd_value_t *value)
{
    unsigned char *out = NULL;
    size_t len = 0;
    char err[512] = "";
    if (converter_from_connect(json, "t", schema, value, &out, &len, err, sizeof(err)) != 0) {
        fail_msg("JsonConverter refused the value: %s", err);
    }
    if (out == NULL) {
        return NULL;
    }
    char *text = strndup((char *)out, len);
    free(out);
    return text;
}

#endif
