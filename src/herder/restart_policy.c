/* restart_policy.c - automatic restarts of FAILED tasks; see restart_policy.h. */
#include "restart_policy.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "connector_config.h"

/* The text of framework setting `key` (the config's, else its row's
 * default in connector_config.c, so the defaults live in one place),
 * without the leading characters validation trimmed (Java's
 * String.trim(): everything up to ' '). */
static const char *setting(const properties_t *config, const char *key)
{
    const char *text = properties_get(config, key);
    if (!text) {
        text = config_def_find(connector_config_keys(CD_KIND_SOURCE), key)->default_value;
    }
    assert(text);
    while (*text && (unsigned char)*text <= ' ') {
        text++;
    }
    return text;
}

void restart_policy_parse(const properties_t *config, restart_policy_t *policy)
{
    const char *name = setting(config, "restart.policy");
    size_t len = strlen("on-failure");
    policy->on_failure = strncmp(name, "on-failure", len) == 0;
    for (const char *rest = name + len; policy->on_failure && *rest; rest++) {
        policy->on_failure = (unsigned char)*rest <= ' '; /* trailing blanks validation trimmed */
    }
    policy->max_attempts = (int)strtol(setting(config, "restart.max.attempts"), NULL, 10);
    policy->backoff_ms = strtoll(setting(config, "restart.backoff.ms"), NULL, 10);
    policy->backoff_max_ms = strtoll(setting(config, "restart.backoff.max.ms"), NULL, 10);
}

int64_t restart_policy_delay(const restart_policy_t *policy, int attempt)
{
    int64_t delay = policy->backoff_ms;
    for (int i = 0; i < attempt && delay < policy->backoff_max_ms; i++) {
        delay *= 2;
    }
    return delay < policy->backoff_max_ms ? delay : policy->backoff_max_ms;
}

bool restart_policy_allows(const restart_policy_t *policy, int attempt)
{
    return policy->on_failure && (policy->max_attempts < 0 || attempt < policy->max_attempts);
}
