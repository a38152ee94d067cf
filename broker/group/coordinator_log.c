/*
 * coordinator_log.c - the coordinator's records in __consumer_offsets:
 * writing commits and group metadata, reading them back at start-up, and
 * rewriting a partition that grew (there is no log cleaner yet).  See
 * coordinator.h for the layout and coordinator_internal.h for the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "records/batch.h"
#include "blog.h"
#include "coordinator_internal.h"
#include "offsets_format.h"
#include "records/records.h"

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

/* ---- writing the log ------------------------------------------------------------ */

/* Creates __consumer_offsets (on first use).  No registry lock held. */
static bool offsets_topic_create(coordinator_t *coord)
{
    kstr_t name = {OFFSETS_TOPIC, (int32_t)strlen(OFFSETS_TOPIC)};
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
kerr_t coordinator_log_append(coordinator_t *coord, const char *group_id, batch_builder_t *b)
{
    kstr_t name = {OFFSETS_TOPIC, (int32_t)strlen(OFFSETS_TOPIC)};
    batch_builder_finish(b);
    kerr_t err = KERR_COORDINATOR_NOT_AVAILABLE;
    topics_read_lock(coord->topics);
    topic_t *topic = topics_find(coord->topics, name);
    if (!topic) { /* the first write: create the topic (write lock), then look again */
        topics_read_unlock(coord->topics);
        bool created = offsets_topic_create(coord);
        topics_read_lock(coord->topics);
        topic = created ? topics_find(coord->topics, name) : NULL;
    }
    partition_t *part = topic ? topic_partition(topic, coordinator_partition_for(group_id, topic->n_partitions))
                              : NULL;
    if (part) {
        int64_t base;
        pthread_mutex_lock(&part->lock);
        err = log_append(part->plog, b->out.data, b->out.len, 0, clock_wall_ms(), &base);
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

void coordinator_add_commit_record(batch_builder_t *b, const char *group_id, const committed_offset_t *co,
                              bool tombstone)
{
    buf_writer_t key, value;
    buf_writer_init(&key, 64);
    buf_writer_init(&value, 64);
    offsets_encode_commit_key(&key, group_id, co->topic, co->partition);
    if (!tombstone) {
        offsets_commit_value_t v = {co->offset, co->leader_epoch,
                                    {co->metadata, (int32_t)strlen(co->metadata)}, co->commit_timestamp};
        offsets_encode_commit_value(&value, &v);
    }
    batch_builder_add(b, key.data, key.len, tombstone ? NULL : value.data, value.len, co->commit_timestamp);
    buf_writer_release(&key);
    buf_writer_release(&value);
}

static kstr_t kstr_of(const char *s)
{
    return s ? (kstr_t){s, (int32_t)strlen(s)} : (kstr_t){NULL, -1};
}

/* The group's metadata record (or its tombstone). */
void coordinator_add_group_record(batch_builder_t *b, group_entry_t *e, int64_t now, bool tombstone)
{
    group_t *grp = e->grp;
    buf_writer_t key, value;
    buf_writer_init(&key, 64);
    buf_writer_init(&value, 256);
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
    buf_writer_release(&key);
    buf_writer_release(&value);
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
    char *group_id = buf_kstr_dup(key.group);
    group_entry_t *e = coordinator_entry_get(lc->coord, group_id, lc->now);
    free(group_id);
    if (key.kind == OFFSETS_KEY_COMMIT) {
        char *topic = buf_kstr_dup(key.topic);
        offsets_commit_value_t v;
        if (rec->value.len < 0) {
            bool found;
            int at = coordinator_offset_search(e, topic, key.partition, &found);
            if (found) {
                coordinator_offset_remove_at(e, at);
            }
        } else if (offsets_decode_commit_value((const uint8_t *)rec->value.ptr, (size_t)rec->value.len, &v)) {
            char *metadata = buf_kstr_dup(v.metadata);
            committed_offset_t co = {topic, key.partition, v.offset, v.leader_epoch, metadata, v.commit_timestamp};
            coordinator_offset_set(e, &co);
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
        char *ptype = buf_kstr_dup(gv.protocol_type);
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
    buf_writer_t buf;
    buf_writer_init(&buf, 1 << 20);
    pthread_mutex_lock(&part->lock);
    int64_t offset = log_start_offset(part->plog), end = log_end_offset(part->plog);
    while (offset < end) {
        size_t n = 0;
        buf.len = 0;
        if (log_read(part->plog, offset, end, 1 << 20, true, &buf, &n) != KERR_NONE || n == 0) {
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
    buf_writer_release(&buf);
}

void coordinator_log_load(coordinator_t *coord)
{
    load_ctx_t lc = {coord, clock_wall_ms(), 0};
    topics_read_lock(coord->topics);
    topic_t *topic = topics_find(coord->topics, (kstr_t){OFFSETS_TOPIC, (int32_t)strlen(OFFSETS_TOPIC)});
    for (int32_t p = 0; topic && p < topic->n_partitions; p++) {
        load_partition(&lc, topic_partition(topic, p));
    }
    topics_read_unlock(coord->topics);
    /* A group whose metadata and offsets were all deleted is gone. */
    for (int i = coord->n_groups - 1; i >= 0; i--) {
        if (!coord->groups[i].has_metadata && coord->groups[i].n_offsets == 0) {
            coordinator_entry_remove(coord, &coord->groups[i]);
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

/* ---- rewriting the log ------------------------------------------------------------ */

/* Batches of a rewrite stay around this size, like a producer's. */
#define REWRITE_BATCH_BYTES (512 * 1024)

/* Appends the builder's batch and starts a new one.
 * @locks the partition lock held */
static kerr_t rewrite_flush(log_t *plog, batch_builder_t *b, int64_t now)
{
    kerr_t err = KERR_NONE;
    if (b->count > 0) {
        int64_t base;
        batch_builder_finish(b);
        err = log_append(plog, b->out.data, b->out.len, 0, now, &base);
    }
    batch_builder_release(b);
    batch_builder_init(b, now);
    return err;
}

/* Writes every live record of the groups stored in partition `p` again.
 * Returns the bytes written, or -1.
 * @locks the coordinator lock and the partition lock held */
static int64_t rewrite_live(coordinator_t *coord, log_t *plog, int32_t p, int32_t n_parts, int64_t now)
{
    batch_builder_t b;
    batch_builder_init(&b, now);
    int64_t written = 0;
    kerr_t err = KERR_NONE;
    for (int g = 0; g < coord->n_groups && err == KERR_NONE; g++) {
        group_entry_t *e = &coord->groups[g];
        if (coordinator_partition_for(group_name(e->grp), n_parts) != p) {
            continue;
        }
        if (e->has_metadata) {
            coordinator_add_group_record(&b, e, now, false);
        }
        for (int i = 0; i < e->n_offsets && err == KERR_NONE; i++) {
            coordinator_add_commit_record(&b, group_name(e->grp), &e->offsets[i], false);
            if (b.out.len >= REWRITE_BATCH_BYTES) {
                written += (int64_t)b.out.len;
                err = rewrite_flush(plog, &b, now);
            }
        }
    }
    written += (int64_t)b.out.len;
    if (err == KERR_NONE) {
        err = rewrite_flush(plog, &b, now);
    }
    batch_builder_release(&b);
    return err == KERR_NONE ? written : -1;
}

/*
 * __consumer_offsets has no log cleaner yet.  Instead, when a partition has
 * grown past offsets.topic.segment.bytes and to more than twice what its
 * live records took at the last rewrite, the coordinator rolls a new
 * segment, writes every live record of the partition's groups into it,
 * fsyncs, and moves the log start there, which deletes all older segments.
 * Reading the log from its start still gives the whole state, as it would
 * after compaction; a crash before the log start moves leaves the old
 * records in place and the new ones after them, which reads the same.
 */
void coordinator_log_compact(coordinator_t *coord, int64_t now)
{
    bool moved = false;
    topics_read_lock(coord->topics);
    topic_t *topic = topics_find(coord->topics, (kstr_t){OFFSETS_TOPIC, (int32_t)strlen(OFFSETS_TOPIC)});
    if (topic && coord->n_live_bytes < topic->n_partitions) {
        coord->live_bytes = realloc(coord->live_bytes, sizeof(int64_t) * (size_t)topic->n_partitions);
        if (!coord->live_bytes) {
            abort();
        }
        memset(coord->live_bytes + coord->n_live_bytes, 0,
               sizeof(int64_t) * (size_t)(topic->n_partitions - coord->n_live_bytes));
        coord->n_live_bytes = topic->n_partitions;
    }
    for (int32_t p = 0; topic && p < topic->n_partitions; p++) {
        partition_t *part = topic_partition(topic, p);
        pthread_mutex_lock(&part->lock);
        int64_t size = log_size_bytes(part->plog);
        if (size > coord->cfg->offsets_topic_segment_bytes && size > 2 * coord->live_bytes[p]) {
            int64_t start = log_end_offset(part->plog);
            int64_t live = log_roll(part->plog) == KERR_NONE
                               ? rewrite_live(coord, part->plog, p, topic->n_partitions, now)
                               : -1;
            if (live >= 0 && log_flush(part->plog) == KERR_NONE &&
                log_delete_records_before(part->plog, start) == KERR_NONE) {
                coord->live_bytes[p] = live;
                moved = true;
                blog_info("%s-%d: rewrote %lld bytes of live offsets and group metadata in place of %lld",
                          OFFSETS_TOPIC, p, (long long)live, (long long)size);
            } else {
                blog_error("%s-%d: rewriting the live records failed; the log keeps its old records",
                           OFFSETS_TOPIC, p);
            }
        }
        pthread_mutex_unlock(&part->lock);
    }
    topics_read_unlock(coord->topics);
    if (moved) {
        topics_write_checkpoints(coord->topics); /* a restart starts at the new log start */
    }
}

