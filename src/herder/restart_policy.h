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

#include "properties.h"

typedef struct restart_policy {
    bool on_failure;
    int max_attempts; /* -1: unlimited */
    int64_t backoff_ms;
    int64_t backoff_max_ms;
} restart_policy_t;

/* Reads the settings of `config`, which connector_config_check has
 * accepted (bounds, choices, backoff.max >= backoff are its rows' and its
 * checks); missing ones take their rows' defaults.
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
