/*
 * coordinator.c - consumer groups and their committed offsets; see
 * coordinator.h.  Their records in __consumer_offsets are
 * coordinator_log.c's job.
 *
 * Groups are few (tens), so they sit in an array searched linearly.  A
 * group's committed offsets are an array sorted by (topic, partition), so
 * OffsetFetch of a thousand partitions stays a thousand binary searches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "clock.h"
#include "coordinator_internal.h"
#include "xalloc.h"

/* ---- the group table ---------------------------------------------------------- */

group_entry_t *coordinator_entry_find(coordinator_t *coord, const char *id)
{
    for (int i = 0; i < coord->n_groups; i++) {
        if (strcmp(group_name(coord->groups[i].grp), id) == 0) {
            return &coord->groups[i];
        }
    }
    return NULL;
}

group_entry_t *coordinator_entry_get(coordinator_t *coord, const char *id, int64_t now)
{
    group_entry_t *e = coordinator_entry_find(coord, id);
    if (e) {
        return e;
    }
    if (coord->n_groups == coord->cap_groups) {
        coord->cap_groups = coord->cap_groups ? coord->cap_groups * 2 : 16;
        coord->groups = realloc(coord->groups, (size_t)coord->cap_groups * sizeof(group_entry_t));
        if (!coord->groups) {
            abort();
        }
    }
    e = &coord->groups[coord->n_groups++];
    memset(e, 0, sizeof(*e));
    e->grp = group_create(id, coord->cfg->group_initial_rebalance_delay_ms);
    e->empty_since = now;
    e->saved_state = GROUP_EMPTY;
    return e;
}

static void offsets_clear(group_entry_t *e)
{
    for (int i = 0; i < e->n_offsets; i++) {
        free((char *)e->offsets[i].topic);
        free((char *)e->offsets[i].metadata);
    }
    free(e->offsets);
    e->offsets = NULL;
    e->n_offsets = e->cap_offsets = 0;
}

void coordinator_entry_remove(coordinator_t *coord, group_entry_t *e)
{
    offsets_clear(e);
    group_destroy(e->grp);
    *e = coord->groups[--coord->n_groups];
}

/* Index of (topic, partition) in the sorted array, or where it would go. */
int coordinator_offset_search(const group_entry_t *e, const char *topic, int32_t partition, bool *found)
{
    int lo = 0, hi = e->n_offsets;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(e->offsets[mid].topic, topic);
        if (c == 0) {
            c = e->offsets[mid].partition < partition ? -1 : e->offsets[mid].partition > partition;
        }
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = false;
    return lo;
}

void coordinator_offset_set(group_entry_t *e, const committed_offset_t *co)
{
    bool found;
    int at = coordinator_offset_search(e, co->topic, co->partition, &found);
    if (!found) {
        if (e->n_offsets == e->cap_offsets) {
            e->cap_offsets = e->cap_offsets ? e->cap_offsets * 2 : 8;
            e->offsets = realloc(e->offsets, (size_t)e->cap_offsets * sizeof(committed_offset_t));
            if (!e->offsets) {
                abort();
            }
        }
        memmove(&e->offsets[at + 1], &e->offsets[at], (size_t)(e->n_offsets - at) * sizeof(committed_offset_t));
        e->n_offsets++;
        e->offsets[at].topic = xstrdup(co->topic ? co->topic : "");
    } else {
        free((char *)e->offsets[at].metadata);
    }
    committed_offset_t *dst = &e->offsets[at];
    dst->partition = co->partition;
    dst->offset = co->offset;
    dst->leader_epoch = co->leader_epoch;
    dst->metadata = xstrdup(co->metadata ? co->metadata : "");
    dst->commit_timestamp = co->commit_timestamp;
}

void coordinator_offset_remove_at(group_entry_t *e, int at)
{
    free((char *)e->offsets[at].topic);
    free((char *)e->offsets[at].metadata);
    memmove(&e->offsets[at], &e->offsets[at + 1], (size_t)(e->n_offsets - at - 1) * sizeof(committed_offset_t));
    e->n_offsets--;
}

/* ---- public ------------------------------------------------------------------------ */

coordinator_t *coordinator_open(topics_t *topics, const broker_config_t *cfg)
{
    coordinator_t *coord = calloc(1, sizeof(*coord));
    if (!coord) {
        abort();
    }
    pthread_mutex_init(&coord->lock, NULL);
    coord->topics = topics;
    coord->cfg = cfg;
    coord->last_expiry_check = clock_wall_ms();
    coordinator_log_load(coord);
    return coord;
}

void coordinator_close(coordinator_t *coord)
{
    if (!coord) {
        return;
    }
    while (coord->n_groups > 0) {
        coordinator_entry_remove(coord, &coord->groups[0]);
    }
    free(coord->groups);
    free(coord->live_bytes);
    pthread_mutex_destroy(&coord->lock);
    free(coord);
}

void coordinator_lock(coordinator_t *coord)
{
    pthread_mutex_lock(&coord->lock);
}

void coordinator_unlock(coordinator_t *coord)
{
    pthread_mutex_unlock(&coord->lock);
}

group_t *coordinator_group(coordinator_t *coord, const char *id, bool create)
{
    group_entry_t *e = create ? coordinator_entry_get(coord, id, clock_wall_ms()) : coordinator_entry_find(coord, id);
    return e ? e->grp : NULL;
}

static group_entry_t *entry_of(coordinator_t *coord, group_t *grp)
{
    for (int i = 0; i < coord->n_groups; i++) {
        if (coord->groups[i].grp == grp) {
            return &coord->groups[i];
        }
    }
    return NULL;
}

void coordinator_drop_if_unused(coordinator_t *coord, group_t *grp)
{
    group_entry_t *e = entry_of(coord, grp);
    if (e && group_member_count(grp) == 0 && e->n_offsets == 0 && !e->has_metadata) {
        coordinator_entry_remove(coord, e);
    }
}

void coordinator_group_changed(coordinator_t *coord, group_t *grp, int64_t now)
{
    group_entry_t *e = entry_of(coord, grp);
    group_state_t state = group_state(grp);
    if (!e || (state != GROUP_STABLE && state != GROUP_EMPTY)) {
        return;
    }
    if (state == GROUP_EMPTY && e->saved_state != GROUP_EMPTY) {
        e->empty_since = now;
    }
    bool same = e->saved_state == state && e->saved_generation == group_generation(grp);
    if (same || (state == GROUP_EMPTY && !group_protocol_type(grp))) {
        return; /* nothing new, or a group that only ever had offsets */
    }
    batch_builder_t b;
    batch_builder_init(&b, now);
    coordinator_add_group_record(&b, e, now, false);
    if (coordinator_log_append(coord, group_name(grp), &b) == KERR_NONE) {
        e->has_metadata = true;
        e->saved_state = state;
        e->saved_generation = group_generation(grp);
    }
    batch_builder_release(&b);
}

kerr_t coordinator_commit(coordinator_t *coord, const char *id, const committed_offset_t *offsets, int n,
                          int64_t now)
{
    if (n == 0) {
        return KERR_NONE;
    }
    batch_builder_t b;
    batch_builder_init(&b, now);
    for (int i = 0; i < n; i++) {
        coordinator_add_commit_record(&b, id, &offsets[i], false);
    }
    kerr_t err = coordinator_log_append(coord, id, &b);
    batch_builder_release(&b);
    if (err != KERR_NONE) {
        return err;
    }
    group_entry_t *e = coordinator_entry_get(coord, id, now);
    for (int i = 0; i < n; i++) {
        coordinator_offset_set(e, &offsets[i]);
    }
    return KERR_NONE;
}

const committed_offset_t *coordinator_committed(coordinator_t *coord, const char *id, const char *topic,
                                                int32_t partition)
{
    group_entry_t *e = coordinator_entry_find(coord, id);
    bool found = false;
    int at = e ? coordinator_offset_search(e, topic, partition, &found) : 0;
    return found ? &e->offsets[at] : NULL;
}

const committed_offset_t *coordinator_committed_all(coordinator_t *coord, const char *id, int *n)
{
    group_entry_t *e = coordinator_entry_find(coord, id);
    *n = e ? e->n_offsets : 0;
    return e ? e->offsets : NULL;
}

int coordinator_group_count(coordinator_t *coord)
{
    return coord->n_groups;
}

group_t *coordinator_group_at(coordinator_t *coord, int i)
{
    return coord->groups[i].grp;
}

/* Writes tombstones for the offsets of e at the indexes `which` (ascending),
 * and for the group record when `whole_group`, then forgets them. */
static kerr_t entry_delete(coordinator_t *coord, group_entry_t *e, const int *which, int n, bool whole_group,
                           int64_t now)
{
    batch_builder_t b;
    batch_builder_init(&b, now);
    for (int i = 0; i < n; i++) {
        committed_offset_t co = e->offsets[which[i]];
        co.commit_timestamp = now;
        coordinator_add_commit_record(&b, group_name(e->grp), &co, true);
    }
    if (whole_group) {
        coordinator_add_group_record(&b, e, now, true);
    }
    kerr_t err = b.count ? coordinator_log_append(coord, group_name(e->grp), &b) : KERR_NONE;
    batch_builder_release(&b);
    if (err != KERR_NONE) {
        return err;
    }
    for (int i = n - 1; i >= 0; i--) {
        coordinator_offset_remove_at(e, which[i]);
    }
    if (whole_group) {
        coordinator_entry_remove(coord, e);
    }
    return KERR_NONE;
}

kerr_t coordinator_delete_group(coordinator_t *coord, const char *id)
{
    group_entry_t *e = coordinator_entry_find(coord, id);
    if (!e) {
        return KERR_GROUP_ID_NOT_FOUND;
    }
    if (group_member_count(e->grp) > 0) {
        return KERR_NON_EMPTY_GROUP;
    }
    int *all = calloc((size_t)e->n_offsets + 1, sizeof(int));
    if (!all) {
        abort();
    }
    for (int i = 0; i < e->n_offsets; i++) {
        all[i] = i;
    }
    kerr_t err = entry_delete(coord, e, all, e->n_offsets, true, clock_wall_ms());
    free(all);
    return err;
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

kerr_t coordinator_delete_offsets(coordinator_t *coord, const char *id, const offset_ref_t *refs, int n)
{
    group_entry_t *e = coordinator_entry_find(coord, id);
    if (!e || n == 0) {
        return KERR_NONE;
    }
    int *which = calloc((size_t)n + 1, sizeof(int));
    if (!which) {
        abort();
    }
    int found_n = 0;
    for (int i = 0; i < n; i++) {
        bool found;
        int at = coordinator_offset_search(e, refs[i].topic, refs[i].partition, &found);
        if (found) {
            which[found_n++] = at;
        }
    }
    /* entry_delete wants ascending indexes, each once */
    qsort(which, (size_t)found_n, sizeof(int), int_cmp);
    int uniq = 0;
    for (int i = 0; i < found_n; i++) {
        if (uniq == 0 || which[uniq - 1] != which[i]) {
            which[uniq++] = which[i];
        }
    }
    /* GroupMetadataManager.cleanupGroupMetadata: Empty and no offsets left
     * means Dead, and the group record gets its tombstone too. */
    bool whole = uniq == e->n_offsets && group_member_count(e->grp) == 0 && group_state(e->grp) == GROUP_EMPTY;
    kerr_t err = entry_delete(coord, e, which, uniq, whole, clock_wall_ms());
    free(which);
    return err;
}

/*
 * offsets.retention.minutes (KIP-211): the offsets of a group with no
 * members expire that long after the group became empty; those of a group
 * that never had members (a consumer assigning partitions itself) that long
 * after their commit.  A group left with neither members nor offsets goes.
 */
static void expire_offsets(coordinator_t *coord, int64_t now)
{
    int64_t retention = coord->cfg->offsets_retention_ms;
    for (int g = coord->n_groups - 1; g >= 0; g--) {
        group_entry_t *e = &coord->groups[g];
        if (group_member_count(e->grp) > 0 || group_state(e->grp) != GROUP_EMPTY) {
            continue;
        }
        bool standalone = !group_protocol_type(e->grp);
        int *expired = calloc((size_t)e->n_offsets + 1, sizeof(int));
        if (!expired) {
            abort();
        }
        int n = 0;
        for (int i = 0; i < e->n_offsets; i++) {
            int64_t base = standalone ? e->offsets[i].commit_timestamp : e->empty_since;
            if (now - base >= retention) {
                expired[n++] = i;
            }
        }
        bool whole = n == e->n_offsets;
        if (n > 0) {
            blog_info("group '%s': %d committed offsets expired (offsets.retention.minutes)", group_name(e->grp), n);
        }
        if (n > 0 || whole) {
            entry_delete(coord, e, expired, n, whole, now);
        }
        free(expired);
    }
}

void coordinator_maintain(coordinator_t *coord, int64_t now)
{
    coordinator_lock(coord);
    if (now - coord->last_expiry_check >= coord->cfg->offsets_retention_check_interval_ms) {
        coord->last_expiry_check = now;
        expire_offsets(coord, now);
    }
    coordinator_log_compact(coord, now);
    coordinator_unlock(coord);
}

bool coordinator_tick(coordinator_t *coord, int64_t now)
{
    bool changed = false;
    coordinator_lock(coord);
    for (int i = 0; i < coord->n_groups; i++) {
        group_t *grp = coord->groups[i].grp;
        group_state_t before = group_state(grp);
        int32_t gen = group_generation(grp);
        int members = group_member_count(grp);
        group_tick(grp, now);
        if (group_state(grp) != before || group_generation(grp) != gen || group_member_count(grp) != members) {
            changed = true;
            coordinator_group_changed(coord, grp, now);
        }
    }
    coordinator_unlock(coord);
    return changed;
}

