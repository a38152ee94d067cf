/*
 * herder_restarts.c - connectors' restart policies (restart_policy.h):
 * one thread looks at every instance ten times a second and restarts the
 * FAILED ones whose backoff has passed.  Looking is cheap (a state read
 * per task under the herder lock); a restart is what a manual one is,
 * made after the lock is released (its old task may take
 * task.shutdown.graceful.timeout.ms to stop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blog.h"
#include "clock.h"
#include "herder_internal.h"

#define TICK_MS 100

/* What to do about one instance: true when it is due for a restart now.
 * Plans the restart when it first shows up FAILED, and forgets old
 * attempts once it has run backoff.max.ms without failing. */
static bool due(const restart_policy_t *policy, auto_restart_t *r, bool failed, int64_t now)
{
    if (!failed) {
        if (r->attempts > 0 && now - r->started_ms >= policy->backoff_max_ms) {
            r->attempts = 0;
        }
        r->next_at_ms = 0;
        return false;
    }
    if (r->next_at_ms == 0) {
        if (!restart_policy_allows(policy, r->attempts)) {
            return false; /* given up: stays FAILED until restarted by hand */
        }
        r->next_at_ms = now + restart_policy_delay(policy, r->attempts);
    }
    if (now < r->next_at_ms) {
        return false;
    }
    r->attempts++;
    r->next_at_ms = 0;
    r->started_ms = now;
    return true;
}

/* A restart chosen under h->lock and made after it is released. */
typedef struct due_restart {
    char *name;
    int task_id; /* -1: the connector */
} due_restart_t;

/* @locks h->lock.  Adds c's instances due for a restart now to `due`. */
static void supervise(connector_t *c, int64_t now, due_restart_t **due_list, int *n_due)
{
    /* A connector whose plugin crashed the worker or is not installed
     * waits for the operator: restarting it would not help. */
    if (c->policy.when != RESTART_POLICY_ON_FAILURE || c->target == HERDER_STOPPED || !c->plugin || c->crash) {
        return;
    }
    if (due(&c->policy, &c->restart, c->failed, now)) {
        blog_info("connector %s failed; automatic restart %d (restart.policy=on-failure)", c->name,
                  c->restart.attempts);
        *due_list = realloc(*due_list, sizeof(**due_list) * (size_t)(*n_due + 1));
        (*due_list)[(*n_due)++] = (due_restart_t){.name = strdup(c->name), .task_id = -1};
        return;
    }
    for (int i = 0; i < c->n_tasks; i++) {
        char trace[8];
        bool failed = task_runner_state(c->tasks[i], trace, sizeof(trace)) == TASK_FAILED;
        if (due(&c->policy, &c->task_restarts[i], failed, now)) {
            blog_info("task %s-%d failed; automatic restart %d (restart.policy=on-failure)", c->name, i,
                      c->task_restarts[i].attempts);
            *due_list = realloc(*due_list, sizeof(**due_list) * (size_t)(*n_due + 1));
            (*due_list)[(*n_due)++] = (due_restart_t){.name = strdup(c->name), .task_id = i};
        }
    }
}

static void *supervisor_main(void *arg)
{
    herder_t *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->stopping) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_nsec += TICK_MS * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&h->wake, &h->lock, &deadline);
        int64_t now = clock_mono_ms();
        due_restart_t *due_list = NULL;
        int n_due = 0;
        for (int i = 0; !h->stopping && i < h->n_conns; i++) {
            supervise(h->conns[i], now, &due_list, &n_due);
        }
        /* Made without h->lock, as a restart by hand: stopping the old
         * task may take up to task.shutdown.graceful.timeout.ms and reads
         * must not wait for it. */
        pthread_mutex_unlock(&h->lock);
        for (int i = 0; i < n_due; i++) {
            herder_auto_restart(h, due_list[i].name, due_list[i].task_id);
            free(due_list[i].name);
        }
        free(due_list);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

void herder_supervisor_start(herder_t *h)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&h->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_create(&h->supervisor, NULL, supervisor_main, h);
}

void herder_supervisor_stop(herder_t *h)
{
    pthread_mutex_lock(&h->lock);
    h->stopping = true;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->supervisor, NULL);
    pthread_cond_destroy(&h->wake);
}

json_t *herder_auto_restart_json(const connector_t *c, const auto_restart_t *r)
{
    if (c->policy.when != RESTART_POLICY_ON_FAILURE) {
        return NULL;
    }
    json_t *next = json_null();
    if (r->next_at_ms) {
        /* Shown as wall-clock milliseconds, as Kafka shows times. */
        next = json_integer(clock_wall_ms() + (r->next_at_ms - clock_mono_ms()));
    }
    return json_pack("{sisiso}", "attempts", r->attempts, "max_attempts", c->policy.max_attempts,
                     "next_attempt_ms", next);
}
