/*
 * restart_policy.h - a connector's opt-in automatic restart of its FAILED
 * tasks (and of itself), with exponential backoff (reference
 * connect-rest.md §7.1: Kafka Connect never restarts anything on its own).
 *
 * Connector settings:
 *   restart.policy          none (default: Kafka's behaviour) | on-failure
 *   restart.max.attempts    restarts in a row before giving up; -1: no
 *                           limit (default 10)
 *   restart.backoff.ms      the wait before the first restart (default 1000)
 *   restart.backoff.max.ms  the longest wait; each attempt doubles the
 *                           previous one up to this (default 60000)
 * A task that has run restart.backoff.max.ms without failing starts
 * counting from zero again, as does a manual restart or a config change.
 */
#ifndef CONNECTD_RESTART_POLICY_H
#define CONNECTD_RESTART_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config_def.h"
#include "properties.h"

/* The choices of restart.policy, in their order. */
enum restart_policy_when {
    RESTART_POLICY_NONE,
    RESTART_POLICY_ON_FAILURE,
};

typedef struct restart_policy {
    int32_t when;     /* enum restart_policy_when */
    int max_attempts; /* -1: unlimited */
    int64_t backoff_ms;
    int64_t backoff_max_ms;
} restart_policy_t;

/* The rows of the settings above, which connector_config.c lists after
 * the framework's; NULL-name-terminated. */
extern const config_def_t restart_policy_defs[];

/* Reads the settings of `config` through their rows; `config` is one
 * connector_config_check has accepted (bounds, choices, backoff.max >=
 * backoff are those rows' and its checks), and missing ones take their
 * rows' defaults.
 * @locality any thread
 * @locks none */
void restart_policy_parse(const properties_t *config, restart_policy_t *policy);

/* The wait before restart number `attempt` (0-based).
 * @locality any thread
 * @locks none */
int64_t restart_policy_delay(const restart_policy_t *policy, int attempt);

/* Whether restart number `attempt` (0-based) may happen.
 * @locality any thread
 * @locks none */
bool restart_policy_allows(const restart_policy_t *policy, int attempt);

#endif
