/*
 * connect_assignor.c - the leader's assignment of connectors and tasks
 * (connect_assignor.h).
 *
 * Work is a (connector, task) pair, task -1 standing for the connector
 * itself.  A round of the incremental cooperative assignor, for members
 * sorted by id:
 *
 *   1. running: what each member reports, less work no longer in the
 *      config (revoked) and work another member reports first (revoked);
 *   2. unassigned: the config's work nobody runs;
 *   3. lost: unassigned work the leader handed out before (or held
 *      before); held while the delay runs, unless a new member, or one
 *      that runs nothing, can take it;
 *   4. the rest of unassigned goes, connectors and tasks apart, each to a
 *      member running the fewest of its kind;
 *   5. if the counts of a kind then differ by more than one, and the last
 *      round revoked nothing for balance (so two rounds never ping-pong),
 *      the members above their fair share give up the excess.
 *
 * Example: connector c with 2 tasks on member a alone, then b joins.
 * Round 1: a runs c, c-0, c-1; b nothing.  Connectors 1 over 2 members is
 * fair; tasks 2 against 0 is not: a keeps c and c-0, revokes c-1.  Round 2
 * (a rejoins at once): c-1 is unassigned, b runs the fewest tasks, b gets
 * c-1.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "connect_assignor.h"
#include "xalloc.h"

typedef struct work {
    const char *connector; /* borrowed from the config snapshot or a member's metadata */
    int32_t task;
} work_t;

typedef struct worklist {
    work_t *w;
    size_t n, cap;
} worklist_t;

/* What the leader remembers between rounds: the strings are owned. */
typedef struct remembered {
    char *member_id; /* NULL for held lost work */
    char *connector;
    int32_t task;
} remembered_t;

struct connect_assignor {
    int32_t max_delay_ms;
    remembered_t *memory; /* what the last round handed out, and the lost work held */
    size_t n_memory;
    int64_t lost_deadline_ms; /* 0: no lost work held */
    bool revoked_for_balance; /* the last round did */
};

static void worklist_add(worklist_t *l, const char *connector, int32_t task)
{
    if (l->n == l->cap) {
        l->cap = l->cap * 2 + 8;
        l->w = xrealloc(l->w, l->cap * sizeof(*l->w));
    }
    l->w[l->n++] = (work_t){connector, task};
}

static bool worklist_has(const worklist_t *l, const char *connector, int32_t task)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->w[i].task == task && strcmp(l->w[i].connector, connector) == 0) {
            return true;
        }
    }
    return false;
}

static void worklist_remove_at(worklist_t *l, size_t i)
{
    memmove(&l->w[i], &l->w[i + 1], (l->n - i - 1) * sizeof(*l->w));
    l->n--;
}

static size_t worklist_count(const worklist_t *l, bool connectors)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        n += (l->w[i].task == CONNECT_PROTOCOL_CONNECTOR_TASK) == connectors;
    }
    return n;
}

/* The config snapshot's name for `connector`, or NULL when it is not in
 * the config (or `task` is past its task count). */
static const char *config_work(const connect_assignor_connector_t *connectors, size_t n, const char *connector,
                               int32_t task)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(connectors[i].name, connector) == 0) {
            return task < connectors[i].n_tasks ? connectors[i].name : NULL;
        }
    }
    return NULL;
}

static int compare_connectors(const void *a, const void *b)
{
    return strcmp(((const connect_assignor_connector_t *)a)->name, ((const connect_assignor_connector_t *)b)->name);
}

/* Every piece of work of the config, connectors first, each kind sorted. */
static void config_all(const connect_assignor_connector_t *connectors, size_t n, worklist_t *out)
{
    connect_assignor_connector_t *sorted = xmemdup(connectors, (n ? n : 1) * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), compare_connectors);
    for (size_t i = 0; i < n; i++) {
        worklist_add(out, sorted[i].name, CONNECT_PROTOCOL_CONNECTOR_TASK);
    }
    for (size_t i = 0; i < n; i++) {
        for (int32_t t = 0; t < sorted[i].n_tasks; t++) {
            worklist_add(out, sorted[i].name, t);
        }
    }
    free(sorted);
}

/* The assignment entries of `l`, grouped by connector in first-seen order. */
static void entries_of(const worklist_t *l, connect_assignment_entry_t **entries, size_t *n)
{
    *entries = NULL;
    *n = 0;
    for (size_t i = 0; i < l->n; i++) {
        connect_assignment_entry_t *e = NULL;
        for (size_t k = 0; k < *n && !e; k++) {
            e = strcmp((*entries)[k].connector, l->w[i].connector) == 0 ? &(*entries)[k] : NULL;
        }
        if (!e) {
            *entries = xrealloc(*entries, (*n + 1) * sizeof(**entries));
            e = &(*entries)[(*n)++];
            *e = (connect_assignment_entry_t){.connector = xstrdup(l->w[i].connector)};
        }
        e->tasks = xrealloc(e->tasks, (e->n_tasks + 1) * sizeof(int32_t));
        e->tasks[e->n_tasks++] = l->w[i].task;
    }
}

static connect_assignment_t *assignment_of(const connect_assignor_round_t *round, const worklist_t *assigned,
                                           const worklist_t *revoked, int32_t delay_ms)
{
    connect_assignment_t *as = xcalloc(1, sizeof(*as));
    as->version = (int16_t)round->protocol;
    as->error = CONNECT_ASSIGNMENT_NO_ERROR;
    as->leader = xstrdup(round->leader_id);
    as->leader_url = xstrdup(round->leader_url);
    as->config_offset = round->config_offset;
    entries_of(assigned, &as->assigned, &as->n_assigned);
    if (revoked) {
        entries_of(revoked, &as->revoked, &as->n_revoked);
    }
    as->delay_ms = delay_ms;
    return as;
}

static int compare_member_ids(const void *a, const void *b, void *members)
{
    const connect_assignor_member_t *m = members;
    return strcmp(m[*(const size_t *)a].member_id, m[*(const size_t *)b].member_id);
}

/* Kafka's EagerAssignor: connectors, then tasks, dealt round-robin over the
 * members sorted by id, one iterator for both. */
static connect_assignment_t **assign_eager(const connect_assignor_round_t *round, const size_t *order, size_t n,
                                           const worklist_t *all)
{
    worklist_t *target = xcalloc(n, sizeof(*target));
    for (size_t i = 0; i < all->n; i++) {
        worklist_add(&target[order[i % n]], all->w[i].connector, all->w[i].task);
    }
    connect_assignment_t **out = xcalloc(n, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        out[i] = assignment_of(round, &target[i], NULL, 0);
        free(target[i].w);
    }
    free(target);
    return out;
}

static void memory_clear(connect_assignor_t *asg)
{
    for (size_t i = 0; i < asg->n_memory; i++) {
        free(asg->memory[i].member_id);
        free(asg->memory[i].connector);
    }
    free(asg->memory);
    asg->memory = NULL;
    asg->n_memory = 0;
}

static void memory_add(connect_assignor_t *asg, const char *member_id, const work_t *w)
{
    asg->memory = xrealloc(asg->memory, (asg->n_memory + 1) * sizeof(*asg->memory));
    asg->memory[asg->n_memory++] = (remembered_t){member_id ? xstrdup(member_id) : NULL, xstrdup(w->connector),
                                                  w->task};
}

static bool memory_has_member(const connect_assignor_t *asg, const char *member_id)
{
    for (size_t i = 0; i < asg->n_memory; i++) {
        if (asg->memory[i].member_id && strcmp(asg->memory[i].member_id, member_id) == 0) {
            return true;
        }
    }
    return false;
}

static bool memory_has_work(const connect_assignor_t *asg, const work_t *w)
{
    for (size_t i = 0; i < asg->n_memory; i++) {
        if (asg->memory[i].task == w->task && strcmp(asg->memory[i].connector, w->connector) == 0) {
            return true;
        }
    }
    return false;
}

/* Gives each piece of `work` to the member of `eligible` (indexes into
 * target, n_eligible of them, in member order) running the fewest of its
 * kind. */
static void spread(const worklist_t *work, worklist_t *target, const size_t *eligible, size_t n_eligible)
{
    for (size_t i = 0; i < work->n && n_eligible > 0; i++) {
        bool connector = work->w[i].task == CONNECT_PROTOCOL_CONNECTOR_TASK;
        size_t best = eligible[0];
        for (size_t k = 1; k < n_eligible; k++) {
            if (worklist_count(&target[eligible[k]], connector) < worklist_count(&target[best], connector)) {
                best = eligible[k];
            }
        }
        worklist_add(&target[best], work->w[i].connector, work->w[i].task);
    }
}

/* Moves from target to revoked what members hold above their fair share
 * of one kind; true when anything moved. */
static bool balance(worklist_t *target, worklist_t *revoked, const size_t *order, size_t n, bool connectors)
{
    size_t total = 0, max = 0, min = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t c = worklist_count(&target[i], connectors);
        total += c;
        max = c > max ? c : max;
        min = c < min ? c : min;
    }
    if (n == 0 || max - min <= 1) {
        return false;
    }
    /* As many members as the remainder keep one more than the floor:
     * those above it already, in id order, so that as little as possible
     * moves. */
    size_t fair = total / n, extra = total % n;
    bool moved = false;
    for (size_t k = 0; k < n; k++) {
        worklist_t *t = &target[order[k]];
        size_t allowed = fair + (extra > 0 && worklist_count(t, connectors) > fair ? 1 : 0);
        if (allowed > fair) {
            extra--;
        }
        for (size_t i = t->n; i-- > 0 && worklist_count(t, connectors) > allowed;) {
            if ((t->w[i].task == CONNECT_PROTOCOL_CONNECTOR_TASK) == connectors) {
                worklist_add(&revoked[order[k]], t->w[i].connector, t->w[i].task);
                worklist_remove_at(t, i);
                moved = true;
            }
        }
    }
    return moved;
}

static connect_assignment_t **assign_incremental(connect_assignor_t *asg, const connect_assignor_round_t *round,
                                                 const connect_assignor_member_t *members, const size_t *order,
                                                 size_t n, const connect_assignor_connector_t *connectors,
                                                 size_t n_connectors, const worklist_t *all)
{
    worklist_t *target = xcalloc(n, sizeof(*target));
    worklist_t *revoked = xcalloc(n, sizeof(*revoked));
    worklist_t unassigned = {0}, lost = {0};
    /* 1. What each member runs and may keep. */
    for (size_t k = 0; k < n; k++) {
        size_t m = order[k];
        const connect_assignment_t *run = members[m].running;
        for (size_t e = 0; run && e < run->n_assigned; e++) {
            for (size_t t = 0; t < run->assigned[e].n_tasks; t++) {
                const char *connector = run->assigned[e].connector;
                int32_t task = run->assigned[e].tasks[t];
                const char *name = config_work(connectors, n_connectors, connector, task);
                bool taken = false;
                for (size_t j = 0; j < k && name && !taken; j++) {
                    taken = worklist_has(&target[order[j]], name, task);
                }
                if (name && !taken) {
                    worklist_add(&target[m], name, task);
                } else {
                    worklist_add(&revoked[m], connector, task); /* borrowed from the member's metadata */
                }
            }
        }
    }
    /* 2 and 3. Nobody runs it: new, or lost. */
    for (size_t i = 0; i < all->n; i++) {
        bool runs = false;
        for (size_t m = 0; m < n && !runs; m++) {
            runs = worklist_has(&target[m], all->w[i].connector, all->w[i].task);
        }
        if (!runs) {
            worklist_add(memory_has_work(asg, &all->w[i]) ? &lost : &unassigned, all->w[i].connector, all->w[i].task);
        }
    }
    int32_t delay = 0;
    size_t *fresh = xcalloc(n + 1, sizeof(size_t)), n_fresh = 0;
    for (size_t k = 0; k < n; k++) {
        /* New to the leader, or running nothing (it lost its place and
         * stopped its work): as Kafka's candidate workers, it takes lost
         * work at once, since holding it would leave it run by nobody. */
        const connect_assignment_t *run = members[order[k]].running;
        bool idle = true;
        for (size_t e = 0; run && e < run->n_assigned && idle; e++) {
            idle = run->assigned[e].n_tasks == 0;
        }
        if (asg->n_memory > 0 && (idle || !memory_has_member(asg, members[order[k]].member_id))) {
            fresh[n_fresh++] = order[k];
        }
    }
    worklist_t held = {0};
    if (lost.n > 0 && asg->max_delay_ms > 0) {
        if (asg->lost_deadline_ms == 0) {
            asg->lost_deadline_ms = round->now_ms + asg->max_delay_ms;
        }
        if (n_fresh > 0) {
            /* A new worker, perhaps the departed one back: it takes the
             * lost work now rather than when the delay ends. */
            spread(&lost, target, fresh, n_fresh);
            asg->lost_deadline_ms = 0;
        } else if (round->now_ms < asg->lost_deadline_ms) {
            held = lost;
            lost = (worklist_t){0};
            delay = (int32_t)(asg->lost_deadline_ms - round->now_ms);
        } else {
            asg->lost_deadline_ms = 0;
            spread(&lost, target, order, n);
        }
    } else {
        asg->lost_deadline_ms = 0;
        spread(&lost, target, order, n);
    }
    /* 4. New work to the least loaded. */
    spread(&unassigned, target, order, n);
    /* 5. Balance, unless the last round did or lost work is held. */
    bool moved = false;
    if (!asg->revoked_for_balance && held.n == 0) {
        moved = balance(target, revoked, order, n, true);
        moved = balance(target, revoked, order, n, false) || moved;
    }
    asg->revoked_for_balance = moved;
    /* Remembered: what each member runs after this round, and what is held. */
    memory_clear(asg);
    for (size_t m = 0; m < n; m++) {
        for (size_t i = 0; i < target[m].n; i++) {
            memory_add(asg, members[m].member_id, &target[m].w[i]);
        }
    }
    for (size_t i = 0; i < held.n; i++) {
        memory_add(asg, NULL, &held.w[i]);
    }
    connect_assignment_t **out = xcalloc(n, sizeof(*out));
    for (size_t m = 0; m < n; m++) {
        /* Assigned: what the member starts, so what it does not run yet. */
        worklist_t start = {0};
        const connect_assignment_t *run = members[m].running;
        for (size_t i = 0; i < target[m].n; i++) {
            bool runs = false;
            for (size_t e = 0; run && e < run->n_assigned && !runs; e++) {
                for (size_t t = 0; t < run->assigned[e].n_tasks && !runs; t++) {
                    runs = run->assigned[e].tasks[t] == target[m].w[i].task &&
                           strcmp(run->assigned[e].connector, target[m].w[i].connector) == 0;
                }
            }
            if (!runs) {
                worklist_add(&start, target[m].w[i].connector, target[m].w[i].task);
            }
        }
        out[m] = assignment_of(round, &start, &revoked[m], delay);
        free(start.w);
    }
    for (size_t m = 0; m < n; m++) {
        free(target[m].w);
        free(revoked[m].w);
    }
    free(target);
    free(revoked);
    free(unassigned.w);
    free(lost.w);
    free(held.w);
    free(fresh);
    return out;
}

connect_assignor_t *connect_assignor_create(int32_t max_delay_ms)
{
    connect_assignor_t *asg = xcalloc(1, sizeof(*asg));
    asg->max_delay_ms = max_delay_ms;
    return asg;
}

void connect_assignor_destroy(connect_assignor_t *asg)
{
    if (!asg) {
        return;
    }
    memory_clear(asg);
    free(asg);
}

connect_assignment_t **connect_assignor_assign(connect_assignor_t *asg, const connect_assignor_round_t *round,
                                               const connect_assignor_member_t *members, size_t n,
                                               const connect_assignor_connector_t *connectors, size_t n_connectors)
{
    if (n == 0) {
        return xcalloc(1, sizeof(connect_assignment_t *)); /* nobody to deal to (and no division by zero) */
    }
    size_t *order = xcalloc(n + 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
    }
    qsort_r(order, n, sizeof(size_t), compare_member_ids, (void *)members);
    worklist_t all = {0};
    config_all(connectors, n_connectors, &all);
    connect_assignment_t **out = round->protocol == CONNECT_PROTOCOL_EAGER
                                     ? assign_eager(round, order, n, &all)
                                     : assign_incremental(asg, round, members, order, n, connectors, n_connectors,
                                                          &all);
    free(all.w);
    free(order);
    return out;
}
