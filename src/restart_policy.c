/* restart_policy.c - automatic restarts of FAILED tasks; see restart_policy.h. */
#include "restart_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The integer setting `key` (default `dflt`) within [min, max]. */
static int get_long(const properties_t *config, const char *key, long long dflt, long long min, long long max,
                    long long *out, char *errstr, size_t errstr_size)
{
    const char *text = properties_get(config, key);
    if (!text) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration %s: Not a number of type LONG", text, key);
        return -1;
    }
    if (v < min || v > max) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration %s: Value must be in [%lld, %lld]", text,
                 key, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int restart_policy_parse(const properties_t *config, restart_policy_t *policy, char *errstr, size_t errstr_size)
{
    const char *name = properties_get(config, "restart.policy");
    if (name && strcmp(name, "none") != 0 && strcmp(name, "on-failure") != 0) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration restart.policy: String must be one of: none, on-failure", name);
        return -1;
    }
    long long max_attempts, backoff, backoff_max;
    if (get_long(config, "restart.max.attempts", 10, -1, 1000000, &max_attempts, errstr, errstr_size) < 0 ||
        get_long(config, "restart.backoff.ms", 1000, 0, 86400000, &backoff, errstr, errstr_size) < 0 ||
        get_long(config, "restart.backoff.max.ms", 60000, 0, 86400000, &backoff_max, errstr, errstr_size) < 0) {
        return -1;
    }
    if (backoff_max < backoff) {
        snprintf(errstr, errstr_size,
                 "Invalid value %lld for configuration restart.backoff.max.ms: must not be less than "
                 "restart.backoff.ms (%lld)",
                 backoff_max, backoff);
        return -1;
    }
    policy->on_failure = name && strcmp(name, "on-failure") == 0;
    policy->max_attempts = (int)max_attempts;
    policy->backoff_ms = backoff;
    policy->backoff_max_ms = backoff_max;
    return 0;
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
