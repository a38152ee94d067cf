/* broker_props.c - a broker configuration from properties; see broker_props.h. */
#include "broker_props.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "blog.h"
#include "blog_log4j.h"

broker_config_t *broker_config_from_props(const properties_t *props, const char *prefix, const properties_t *defaults,
                                          char *errstr, size_t errstr_size)
{
    broker_config_t *cfg = broker_config_create();
    size_t plen = strlen(prefix);
    char err[512];
    /* The caller's own defaults are its code, not user input: they are valid. */
    for (size_t i = 0; defaults && i < properties_count(defaults); i++) {
        broker_config_set_result_t rc = broker_config_set(cfg, properties_key_at(defaults, i),
                                                          properties_value_at(defaults, i), err, sizeof(err));
        assert(rc == BROKER_CONFIG_SET_OK);
        (void)rc;
    }
    for (size_t i = 0; i < properties_count(props); i++) {
        const char *key = properties_key_at(props, i);
        /* A `connectd broker` file's log4j keys are the command's
         * (blog_log4j.h), not the broker's. */
        if (strncmp(key, prefix, plen) != 0 || blog_log4j_is_key(key)) {
            continue;
        }
        switch (broker_config_set(cfg, key + plen, properties_value_at(props, i), err, sizeof(err))) {
        case BROKER_CONFIG_SET_OK:
            break;
        case BROKER_CONFIG_SET_UNKNOWN:
            blog_warn("unknown broker config '%s' is ignored (check the spelling against docs/broker.md)", key);
            break;
        case BROKER_CONFIG_SET_INVALID:
            snprintf(errstr, errstr_size, "%s%s", prefix, err);
            broker_config_destroy(cfg);
            return NULL;
        }
    }
    if (!broker_config_finish(cfg, err, sizeof(err))) {
        snprintf(errstr, errstr_size, "%s", err);
        broker_config_destroy(cfg);
        return NULL;
    }
    return cfg;
}
