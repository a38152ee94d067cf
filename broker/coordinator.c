/*
 * coordinator.c - consumer groups, committed offsets and their log; see
 * coordinator.h.
 *
 * Groups are few (tens), so they sit in an array searched linearly.  A
 * group's committed offsets are an array sorted by (topic, partition), so
 * OffsetFetch of a thousand partitions stays a thousand binary searches.
 */
#include "coordinator.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "batch_build.h"
#include "blog.h"
#include "fsutil.h"
#include "offsets_format.h"
#include "records.h"

typedef struct group_entry {
    group_t *grp;
    committed_offset_t *offsets; /* sorted by topic, partition; strings owned */
    int n_offsets, cap_offsets;
    int64_t empty_since;   /* when the group last became Empty */
    bool has_metadata;     /* a group metadata record is in the log */
    int32_t saved_generation; /* what the last metadata record said */
    group_state_t saved_state;
} group_entry_t;

struct coordinator {
    pthread_mutex_t lock;
    topics_t *topics;
    const broker_config_t *cfg;
    group_entry_t *groups;
    int n_groups, cap_groups;
    int64_t last_expiry_check;
};

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        abort();
    }
    return d;
}

static char *xstrndup(kstr_t s)
{
    char *d = strndup(s.len > 0 ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
    if (!d) {
        abort();
    }
    return d;
}

/* ---- partition choice ------------------------------------------------------- */

/* Java's String.hashCode over the UTF-16 code units of a UTF-8 string. */
static int32_t java_string_hash(const char *s)
{
    uint32_t h = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        int extra;
        if (*p < 0x80) {
            cp = *p, extra = 0;
        } else if ((*p & 0xe0) == 0xc0) {
            cp = *p & 0x1f, extra = 1;
        } else if ((*p & 0xf0) == 0xe0) {
            cp = *p & 0x0f, extra = 2;
        } else {
            cp = *p & 0x07, extra = 3;
        }
        p++;
        for (; extra > 0 && (*p & 0xc0) == 0x80; extra--) {
            cp = cp << 6 | (*p++ & 0x3f);
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xd800 + (cp >> 10));
            h = 31 * h + (0xdc00 + (cp & 0x3ff));
        } else {
            h = 31 * h + cp;
        }
    }
    return (int32_t)h;
}

int32_t coordinator_partition_for(const char *id, int32_t n_partitions)
{
    int32_t h = java_string_hash(id);
    int32_t abs_h = h == INT32_MIN ? 0 : (h < 0 ? -h : h); /* Kafka's Utils.abs */
    return abs_h % n_partitions;
}

/* ---- the group table ---------------------------------------------------------- */

static group_entry_t *entry_find(coordinator_t *coord, const char *id)
{
    for (int i = 0; i < coord->n_groups; i++) {
        if (strcmp(group_name(coord->groups[i].grp), id) == 0) {
            return &coord->groups[i];
        }
    }
    return NULL;
}

static group_entry_t *entry_get(coordinator_t *coord, const char *id, int64_t now)
{
    group_entry_t *e = entry_find(coord, id);
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

static void entry_remove(coordinator_t *coord, group_entry_t *e)
{
    offsets_clear(e);
    group_destroy(e->grp);
    *e = coord->groups[--coord->n_groups];
}

/* Index of (topic, partition) in the sorted array, or where it would go. */
static int offset_search(const group_entry_t *e, const char *topic, int32_t partition, bool *found)
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

static void offset_set(group_entry_t *e, const committed_offset_t *co)
{
    bool found;
    int at = offset_search(e, co->topic, co->partition, &found);
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
        e->offsets[at].topic = xstrdup(co->topic);
    } else {
        free((char *)e->offsets[at].metadata);
    }
    committed_offset_t *dst = &e->offsets[at];
    dst->partition = co->partition;
    dst->offset = co->offset;
    dst->leader_epoch = co->leader_epoch;
    dst->metadata = xstrdup(co->metadata);
    dst->commit_timestamp = co->commit_timestamp;
}

static void offset_remove_at(group_entry_t *e, int at)
{
    free((char *)e->offsets[at].topic);
    free((char *)e->offsets[at].metadata);
    memmove(&e->offsets[at], &e->offsets[at + 1], (size_t)(e->n_offsets - at - 1) * sizeof(committed_offset_t));
    e->n_offsets--;
}

/* ---- writing the log ------------------------------------------------------------ */

/* Creates __consumer_offsets if it is missing.  No registry lock held. */
static bool offsets_topic_ensure(coordinator_t *coord)
{
    kstr_t name = {OFFSETS_TOPIC, (int32_t)strlen(OFFSETS_TOPIC)};
    topics_read_lock(coord->topics);
    bool exists = topics_find(coord->topics, name) != NULL;
    topics_read_unlock(coord->topics);
    if (exists) {
        return true;
    }
    char segment_bytes[32], errstr[256];
    snprintf(segment_bytes, sizeof(segment_bytes), "%d", coord->cfg->offsets_topic_segment_bytes);
    /* Offsets are kept until a group is deleted or expires, never by age.
     * compact is what Kafka sets; connectd does not compact yet. */
    topic_config_kv_t overrides[] = {
        {"cleanup.policy", "compact"},
        {"retention.ms", "-1"},
        {"segment.bytes", segment_bytes},
    };
    kerr_t err = topics_create(coord->topics, name, coord->cfg->offsets_topic_num_partitions, overrides, 3, false,
                               errstr, sizeof(errstr));
    if (err != KERR_NONE && err != KERR_TOPIC_ALREADY_EXISTS) {
        blog_error("cannot create %s: %s", OFFSETS_TOPIC, errstr);
        return false;
    }
    return true;
}

/* Appends the finished batch to the group's partition. */
static kerr_t log_append(coordinator_t *coord, const char *group_id, batch_builder_t *b)
{
    if (!offsets_topic_ensure(coord)) {
        return KERR_COORDINATOR_NOT_AVAILABLE;
    }
    batch_builder_finish(b);
    kerr_t err = KERR_COORDINATOR_NOT_AVAILABLE;
    topics_read_lock(coord->topics);
    topic_t *topic = topics_find(coord->topics, (kstr_t){OFFSETS_TOPIC, (int32_t)strlen(OFFSETS_TOPIC)});
    partition_t *part = topic ? topic_partition(topic, coordinator_partition_for(group_id, topic->n_partitions))
                              : NULL;
    if (part) {
        int64_t base;
        pthread_mutex_lock(&part->lock);
        err = plog_append(part->plog, b->out.data, b->out.len, 0, fs_now_ms(), &base);
        pthread_mutex_unlock(&part->lock);
        if (err != KERR_NONE) {
            blog_error("cannot write group '%s' to %s-%d: %s", group_id, OFFSETS_TOPIC, part->index,
                       kerr_name(err));
            err = KERR_COORDINATOR_NOT_AVAILABLE;
        }
    }
    topics_read_unlock(coord->topics);
    return err;
}

static void add_commit_record(batch_builder_t *b, const char *group_id, const committed_offset_t *co,
                              bool tombstone)
{
    kbuf_writer_t key, value;
    kbuf_writer_init(&key, 64);
    kbuf_writer_init(&value, 64);
    offsets_encode_commit_key(&key, group_id, co->topic, co->partition);
    if (!tombstone) {
        offsets_commit_value_t v = {co->offset, co->leader_epoch,
                                    {co->metadata, (int32_t)strlen(co->metadata)}, co->commit_timestamp};
        offsets_encode_commit_value(&value, &v);
    }
    batch_builder_add(b, key.data, key.len, tombstone ? NULL : value.data, value.len, co->commit_timestamp);
    kbuf_writer_release(&key);
    kbuf_writer_release(&value);
}

static kstr_t kstr_of(const char *s)
{
    return s ? (kstr_t){s, (int32_t)strlen(s)} : (kstr_t){NULL, -1};
}

/* The group's metadata record (or its tombstone). */
static void add_group_record(batch_builder_t *b, group_entry_t *e, int64_t now, bool tombstone)
{
    group_t *grp = e->grp;
    kbuf_writer_t key, value;
    kbuf_writer_init(&key, 64);
    kbuf_writer_init(&value, 256);
    offsets_encode_group_key(&key, group_name(grp));
    if (!tombstone) {
        int n = group_member_count(grp);
        offsets_group_member_t *members = calloc((size_t)n + 1, sizeof(*members));
        if (!members) {
            abort();
        }
        for (int i = 0; i < n; i++) {
            group_member_info_t info;
            group_member_info(grp, i, &info);
            members[i] = (offsets_group_member_t){info.member_id, info.instance_id, info.client_id,
                                                  info.client_host, info.rebalance_timeout_ms,
                                                  info.session_timeout_ms, info.metadata, info.metadata_len,
                                                  info.assignment, info.assignment_len};
        }
        const char *ptype = group_protocol_type(grp);
        offsets_group_value_t v = {kstr_of(ptype ? ptype : ""), group_generation(grp),
                                   kstr_of(n ? group_protocol(grp) : NULL), kstr_of(n ? group_leader(grp) : NULL),
                                   now, n};
        offsets_encode_group_value(&value, &v, members);
        free(members);
    }
    batch_builder_add(b, key.data, key.len, tombstone ? NULL : value.data, value.len, now);
    kbuf_writer_release(&key);
    kbuf_writer_release(&value);
}

/* ---- loading --------------------------------------------------------------------- */

typedef struct load_ctx {
    coordinator_t *coord;
    int64_t now;
    long skipped;
} load_ctx_t;

static int load_record(void *opaque, const record_t *rec)
{
    load_ctx_t *lc = opaque;
    offsets_key_t key;
    if (rec->key.len < 0 || !offsets_decode_key((const uint8_t *)rec->key.ptr, (size_t)rec->key.len, &key)) {
        lc->skipped++;
        return 0;
    }
    char *group_id = xstrndup(key.group);
    group_entry_t *e = entry_get(lc->coord, group_id, lc->now);
    free(group_id);
    if (key.kind == OFFSETS_KEY_COMMIT) {
        char *topic = xstrndup(key.topic);
        offsets_commit_value_t v;
        if (rec->value.len < 0) {
            bool found;
            int at = offset_search(e, topic, key.partition, &found);
            if (found) {
                offset_remove_at(e, at);
            }
        } else if (offsets_decode_commit_value((const uint8_t *)rec->value.ptr, (size_t)rec->value.len, &v)) {
            char *metadata = xstrndup(v.metadata);
            committed_offset_t co = {topic, key.partition, v.offset, v.leader_epoch, metadata, v.commit_timestamp};
            offset_set(e, &co);
            free(metadata);
        } else {
            lc->skipped++;
        }
        free(topic);
        return 0;
    }
    offsets_group_value_t gv;
    if (rec->value.len < 0) {
        e->has_metadata = false;
        group_restore(e->grp, NULL, 0);
    } else if (offsets_decode_group_value((const uint8_t *)rec->value.ptr, (size_t)rec->value.len, &gv)) {
        char *ptype = xstrndup(gv.protocol_type);
        group_restore(e->grp, ptype, gv.generation);
        free(ptype);
        e->has_metadata = true;
        e->saved_generation = gv.generation;
        e->saved_state = GROUP_EMPTY;
        e->empty_since = gv.n_members == 0 && gv.current_state_timestamp >= 0 ? gv.current_state_timestamp : lc->now;
    } else {
        lc->skipped++;
    }
    return 0;
}

static void load_partition(load_ctx_t *lc, partition_t *part)
{
    kbuf_writer_t buf;
    kbuf_writer_init(&buf, 1 << 20);
    pthread_mutex_lock(&part->lock);
    int64_t offset = plog_start_offset(part->plog), end = plog_end_offset(part->plog);
    while (offset < end) {
        size_t n = 0;
        buf.len = 0;
        if (plog_read(part->plog, offset, end, 1 << 20, true, &buf, &n) != KERR_NONE || n == 0) {
            break;
        }
        size_t at = 0;
        while (at + BATCH_HEADER_SIZE <= n) {
            batch_header_t hdr;
            batch_header_decode(buf.data + at, &hdr);
            size_t size = batch_total_size(hdr.length);
            if (size > n - at) {
                break;
            }
            if (records_foreach(buf.data + at, size, load_record, lc) != KERR_NONE) {
                lc->skipped++;
            }
            offset = hdr.base_offset + hdr.last_offset_delta + 1;
            at += size;
        }
    }
    pthread_mutex_unlock(&part->lock);
    kbuf_writer_release(&buf);
}

static void load_all(coordinator_t *coord)
{
    load_ctx_t lc = {coord, fs_now_ms(), 0};
    topics_read_lock(coord->topics);
    topic_t *topic = topics_find(coord->topics, (kstr_t){OFFSETS_TOPIC, (int32_t)strlen(OFFSETS_TOPIC)});
    for (int32_t p = 0; topic && p < topic->n_partitions; p++) {
        load_partition(&lc, topic_partition(topic, p));
    }
    topics_read_unlock(coord->topics);
    /* A group whose metadata and offsets were all deleted is gone. */
    for (int i = coord->n_groups - 1; i >= 0; i--) {
        if (!coord->groups[i].has_metadata && coord->groups[i].n_offsets == 0) {
            entry_remove(coord, &coord->groups[i]);
        }
    }
    if (topic) {
        blog_info("loaded %d consumer groups from %s%s", coord->n_groups, OFFSETS_TOPIC,
                  lc.skipped ? " (some records did not decode and were skipped)" : "");
    }
    if (lc.skipped) {
        blog_warn("%s: skipped %ld records that are not Kafka group metadata or offsets", OFFSETS_TOPIC,
                  lc.skipped);
    }
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
    coord->last_expiry_check = fs_now_ms();
    load_all(coord);
    return coord;
}

void coordinator_close(coordinator_t *coord)
{
    if (!coord) {
        return;
    }
    while (coord->n_groups > 0) {
        entry_remove(coord, &coord->groups[0]);
    }
    free(coord->groups);
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
    group_entry_t *e = create ? entry_get(coord, id, fs_now_ms()) : entry_find(coord, id);
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
        entry_remove(coord, e);
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
    add_group_record(&b, e, now, false);
    if (log_append(coord, group_name(grp), &b) == KERR_NONE) {
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
        add_commit_record(&b, id, &offsets[i], false);
    }
    kerr_t err = log_append(coord, id, &b);
    batch_builder_release(&b);
    if (err != KERR_NONE) {
        return err;
    }
    group_entry_t *e = entry_get(coord, id, now);
    for (int i = 0; i < n; i++) {
        offset_set(e, &offsets[i]);
    }
    return KERR_NONE;
}

const committed_offset_t *coordinator_committed(coordinator_t *coord, const char *id, const char *topic,
                                                int32_t partition)
{
    group_entry_t *e = entry_find(coord, id);
    bool found = false;
    int at = e ? offset_search(e, topic, partition, &found) : 0;
    return found ? &e->offsets[at] : NULL;
}

const committed_offset_t *coordinator_committed_all(coordinator_t *coord, const char *id, int *n)
{
    group_entry_t *e = entry_find(coord, id);
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
        add_commit_record(&b, group_name(e->grp), &co, true);
    }
    if (whole_group) {
        add_group_record(&b, e, now, true);
    }
    kerr_t err = b.count ? log_append(coord, group_name(e->grp), &b) : KERR_NONE;
    batch_builder_release(&b);
    if (err != KERR_NONE) {
        return err;
    }
    for (int i = n - 1; i >= 0; i--) {
        offset_remove_at(e, which[i]);
    }
    if (whole_group) {
        entry_remove(coord, e);
    }
    return KERR_NONE;
}

kerr_t coordinator_delete_group(coordinator_t *coord, const char *id)
{
    group_entry_t *e = entry_find(coord, id);
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
    kerr_t err = entry_delete(coord, e, all, e->n_offsets, true, fs_now_ms());
    free(all);
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
    if (now - coord->last_expiry_check >= coord->cfg->offsets_retention_check_interval_ms) {
        coord->last_expiry_check = now;
        expire_offsets(coord, now);
    }
    coordinator_unlock(coord);
    return changed;
}
