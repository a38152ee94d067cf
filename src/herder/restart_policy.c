/* restart_policy.c - automatic restarts of FAILED tasks; see restart_policy.h. */
#include "restart_policy.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(member) CONFIG_DEF_FIELD(restart_policy_t, member)

static const char *const restart_policies[] = {"none", "on-failure", NULL}; /* enum restart_policy_when */

/* connectd's own, not Kafka's. */
const config_def_t restart_policy_defs[] = {
    {.name = "restart.policy", .type = CONFIG_DEF_STRING, .default_value = "none",
     .importance = CONFIG_DEF_MEDIUM,
     .doc = "Whether connectd restarts a FAILED connector or task by itself: 'none' (the default) leaves it "
            "FAILED until restarted over REST, as Kafka Connect does; 'on-failure' restarts it after a "
            "backoff.",
     .group = "Restart Policy", .order = 1, .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Restart Policy",
     .choices = restart_policies, FIELD(when)},
    {.name = "restart.max.attempts", .type = CONFIG_DEF_INT, .default_value = "10", .importance = CONFIG_DEF_LOW,
     .doc = "Restarts in a row before giving up; -1 means no limit.", .group = "Restart Policy", .order = 2,
     .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Maximum Restart Attempts", .has_min = true, .min = -1,
     .has_max = true, .max = 1000000, FIELD(max_attempts)},
    {.name = "restart.backoff.ms", .type = CONFIG_DEF_LONG, .default_value = "1000", .importance = CONFIG_DEF_LOW,
     .doc = "The wait in milliseconds before the first restart; each further attempt waits twice as long.",
     .group = "Restart Policy", .order = 3, .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Restart Backoff",
     .has_min = true, .min = 0, .has_max = true, .max = 86400000, FIELD(backoff_ms)},
    {.name = "restart.backoff.max.ms", .type = CONFIG_DEF_LONG, .default_value = "60000",
     .importance = CONFIG_DEF_LOW,
     .doc = "The longest wait in milliseconds between restarts. A task that has run this long without failing "
            "starts counting its attempts from zero again.",
     .group = "Restart Policy", .order = 4, .width = CONFIG_DEF_WIDTH_MEDIUM,
     .display_name = "Maximum Restart Backoff",
     .has_min = true, .min = 0, .has_max = true, .max = 86400000, FIELD(backoff_max_ms)},
    {.name = NULL},
};

void restart_policy_parse(const properties_t *config, restart_policy_t *policy)
{
    char err[512];
    bool ok = config_def_fill(restart_policy_defs, policy, config, 0, err, sizeof(err));
    assert(ok); /* connector_config_check has accepted these values, by the same rows */
    (void)ok;
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
    return policy->when == RESTART_POLICY_ON_FAILURE && (policy->max_attempts < 0 || attempt < policy->max_attempts);
}
