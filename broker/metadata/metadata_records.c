/*
 * metadata_records.c - Kafka's metadata record frames, version 0 of each
 * schema; the format is in metadata_records.h.
 *
 * The field order of every record is Kafka's
 * (clients/src/main/resources/common/metadata/, one JSON file per record), so a frame written
 * here is what Kafka's MetadataRecordSerde reads and the other way round.
 */
#include "metadata_records.h"

#include <stdio.h>
#include <string.h>

#define FRAME_VERSION 1
#define RECORD_VERSION 0

const char *meta_record_type_name(meta_record_type_t type)
{
    switch (type) {
    case META_REGISTER_BROKER:
        return "RegisterBrokerRecord";
    case META_UNREGISTER_BROKER:
        return "UnregisterBrokerRecord";
    case META_TOPIC:
        return "TopicRecord";
    case META_PARTITION:
        return "PartitionRecord";
    case META_CONFIG:
        return "ConfigRecord";
    case META_PARTITION_CHANGE:
        return "PartitionChangeRecord";
    case META_REMOVE_TOPIC:
        return "RemoveTopicRecord";
    case META_FENCE_BROKER:
        return "FenceBrokerRecord";
    case META_UNFENCE_BROKER:
        return "UnfenceBrokerRecord";
    }
    return "unknown";
}

static void write_i32_array(buf_writer_t *w, const int32_t *v, int32_t n)
{
    buf_write_array_len(w, n, true);
    for (int32_t i = 0; i < n; i++) {
        buf_write_i32(w, v[i]);
    }
}

/* One tagged field whose value is already encoded in `val`. */
static void write_tag(buf_writer_t *w, uint32_t tag, const buf_writer_t *val)
{
    buf_write_uvarint(w, tag);
    buf_write_uvarint(w, (uint32_t)val->len);
    buf_write_raw(w, val->data, val->len);
}

static void write_partition_change(buf_writer_t *w, const meta_record_t *rec)
{
    buf_write_i32(w, rec->partition_change.partition_id);
    buf_write_uuid(w, &rec->partition_change.topic_id);
    /* Tagged fields, in increasing tag order as Kafka writes them. */
    uint32_t n_tags = (rec->partition_change.n_isr >= 0) + (rec->partition_change.leader != META_LEADER_UNCHANGED) +
                      (rec->partition_change.n_replicas >= 0);
    buf_write_uvarint(w, n_tags);
    buf_writer_t val;
    buf_writer_init(&val, 64);
    if (rec->partition_change.n_isr >= 0) {
        write_i32_array(&val, rec->partition_change.isr, rec->partition_change.n_isr);
        write_tag(w, 0, &val);
        val.len = 0;
    }
    if (rec->partition_change.leader != META_LEADER_UNCHANGED) {
        buf_write_i32(&val, rec->partition_change.leader);
        write_tag(w, 1, &val);
        val.len = 0;
    }
    if (rec->partition_change.n_replicas >= 0) {
        write_i32_array(&val, rec->partition_change.replicas, rec->partition_change.n_replicas);
        write_tag(w, 2, &val);
    }
    buf_writer_release(&val);
}

void meta_record_encode(buf_writer_t *w, const meta_record_t *rec)
{
    buf_write_uvarint(w, FRAME_VERSION);
    buf_write_uvarint(w, (uint32_t)rec->type);
    buf_write_uvarint(w, RECORD_VERSION);
    switch (rec->type) {
    case META_REGISTER_BROKER:
        buf_write_i32(w, rec->register_broker.broker_id);
        buf_write_uuid(w, &rec->register_broker.incarnation_id);
        buf_write_i64(w, rec->register_broker.broker_epoch);
        buf_write_array_len(w, rec->register_broker.n_endpoints, true);
        for (int32_t i = 0; i < rec->register_broker.n_endpoints; i++) {
            const meta_endpoint_t *ep = &rec->register_broker.endpoints[i];
            buf_write_str(w, ep->name, true);
            buf_write_str(w, ep->host, true);
            buf_write_i16(w, (int16_t)ep->port); /* uint16 on the wire: the same two bytes */
            buf_write_i16(w, ep->security_protocol);
            buf_write_empty_tags(w);
        }
        buf_write_array_len(w, 0, true); /* Features */
        buf_write_str(w, rec->register_broker.rack, true);
        buf_write_bool(w, rec->register_broker.fenced);
        break;
    case META_UNREGISTER_BROKER:
    case META_FENCE_BROKER:
    case META_UNFENCE_BROKER:
        buf_write_i32(w, rec->broker.id);
        buf_write_i64(w, rec->broker.epoch);
        break;
    case META_TOPIC:
        buf_write_str(w, rec->topic.name, true);
        buf_write_uuid(w, &rec->topic.topic_id);
        break;
    case META_REMOVE_TOPIC:
        buf_write_uuid(w, &rec->remove_topic.topic_id);
        break;
    case META_PARTITION:
        buf_write_i32(w, rec->partition.partition_id);
        buf_write_uuid(w, &rec->partition.topic_id);
        write_i32_array(w, rec->partition.replicas, rec->partition.n_replicas);
        write_i32_array(w, rec->partition.isr, rec->partition.n_isr);
        write_i32_array(w, NULL, 0); /* RemovingReplicas */
        write_i32_array(w, NULL, 0); /* AddingReplicas */
        buf_write_i32(w, rec->partition.leader);
        buf_write_i32(w, rec->partition.leader_epoch);
        buf_write_i32(w, rec->partition.partition_epoch);
        break;
    case META_PARTITION_CHANGE:
        write_partition_change(w, rec);
        return; /* it wrote its own tagged fields */
    case META_CONFIG:
        buf_write_i8(w, rec->config.resource_type);
        buf_write_str(w, rec->config.resource_name, true);
        buf_write_str(w, rec->config.name, true);
        buf_write_str(w, rec->config.value, true);
        break;
    }
    buf_write_empty_tags(w);
}

void meta_records_encode(buf_writer_t *w, const meta_record_t *recs, size_t n)
{
    buf_write_uvarint(w, (uint32_t)n);
    buf_writer_t one;
    buf_writer_init(&one, 128);
    for (size_t i = 0; i < n; i++) {
        one.len = 0;
        meta_record_encode(&one, &recs[i]);
        buf_write_uvarint(w, (uint32_t)one.len);
        buf_write_raw(w, one.data, one.len);
    }
    buf_writer_release(&one);
}

/* ---- decoding -------------------------------------------------------------- */

const char *meta_read_cstr(buf_reader_t *r, arena_t *arena, bool nullable)
{
    kstr_t s = nullable ? buf_read_nstr(r, true) : buf_read_str(r, true);
    if (r->err || s.len < 0) {
        return NULL;
    }
    /* Held as a C string, one with a NUL would be read as the shorter one
     * before it: a cluster id or voter list that is not this cluster's
     * would compare equal to it. */
    if (memchr(s.ptr, '\0', (size_t)s.len)) {
        r->err = true;
        return NULL;
    }
    return arena_strndup(arena, s.ptr, (size_t)s.len);
}

meta_endpoint_t *meta_read_endpoints(buf_reader_t *r, arena_t *arena, int32_t *n)
{
    /* Each entry is at least 7 bytes: two compact strings, two int16s, tags. */
    *n = buf_read_count(r, true, 7);
    meta_endpoint_t *eps = *n > 0 ? arena_alloc(arena, (size_t)*n * sizeof(*eps)) : NULL;
    for (int32_t i = 0; i < *n && !r->err; i++) {
        eps[i].name = meta_read_cstr(r, arena, false);
        eps[i].host = meta_read_cstr(r, arena, false);
        eps[i].port = (uint16_t)buf_read_i16(r);
        eps[i].security_protocol = buf_read_i16(r);
        buf_skip_tags(r);
    }
    return eps;
}

void meta_skip_features(buf_reader_t *r)
{
    int32_t n = buf_read_count(r, true, 6);
    for (int32_t i = 0; i < n && !r->err; i++) {
        (void)buf_read_str(r, true);
        (void)buf_read_i16(r);
        (void)buf_read_i16(r);
        buf_skip_tags(r);
    }
}

/* A compact int32 array; null is allowed only where `nullable` (n = -1). */
static int32_t *read_i32_array(buf_reader_t *r, arena_t *arena, bool nullable, int32_t *n)
{
    *n = nullable ? buf_read_array_len(r, true, 4) : buf_read_count(r, true, 4);
    if (r->err || *n <= 0) {
        return NULL;
    }
    int32_t *v = arena_alloc(arena, (size_t)*n * sizeof(*v));
    for (int32_t i = 0; i < *n; i++) {
        v[i] = buf_read_i32(r);
    }
    return v;
}

/* PartitionChangeRecord's tagged fields: Isr, Leader and Replicas are
 * read, others skipped. */
static void read_change_tags(buf_reader_t *r, arena_t *arena, meta_record_t *rec)
{
    rec->partition_change.n_isr = -1;
    rec->partition_change.n_replicas = -1;
    rec->partition_change.leader = META_LEADER_UNCHANGED;
    uint32_t n = buf_read_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        uint32_t tag = buf_read_uvarint(r);
        uint32_t size = buf_read_uvarint(r);
        if (r->err || size > buf_remaining(r)) {
            r->err = true;
            return;
        }
        buf_reader_t val;
        buf_reader_init(&val, r->p, size);
        buf_skip(r, size);
        switch (tag) {
        case 0:
            rec->partition_change.isr = read_i32_array(&val, arena, true, &rec->partition_change.n_isr);
            break;
        case 1:
            rec->partition_change.leader = buf_read_i32(&val);
            break;
        case 2:
            rec->partition_change.replicas = read_i32_array(&val, arena, true, &rec->partition_change.n_replicas);
            break;
        default:
            continue;
        }
        if (val.err || buf_remaining(&val) != 0) {
            r->err = true;
        }
    }
}

/* One frame, the whole of [data, data + len). */
static bool record_decode(const uint8_t *data, size_t len, arena_t *arena, meta_record_t *rec, char *errstr,
                          size_t errstr_size)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    uint32_t frame = buf_read_uvarint(&r);
    uint32_t type = buf_read_uvarint(&r);
    uint32_t version = buf_read_uvarint(&r);
    if (r.err) {
        snprintf(errstr, errstr_size, "truncated frame header");
        return false;
    }
    if (frame != FRAME_VERSION) {
        snprintf(errstr, errstr_size, "unknown frame version %u", frame);
        return false;
    }
    if (version != RECORD_VERSION) {
        snprintf(errstr, errstr_size, "%s version %u is not supported (only 0)",
                 meta_record_type_name((meta_record_type_t)type), version);
        return false;
    }
    memset(rec, 0, sizeof(*rec));
    rec->type = (meta_record_type_t)type;
    switch (type) {
    case META_REGISTER_BROKER: {
        rec->register_broker.broker_id = buf_read_i32(&r);
        rec->register_broker.incarnation_id = buf_read_uuid(&r);
        rec->register_broker.broker_epoch = buf_read_i64(&r);
        int32_t n;
        rec->register_broker.endpoints = meta_read_endpoints(&r, arena, &n);
        rec->register_broker.n_endpoints = n;
        meta_skip_features(&r);
        rec->register_broker.rack = meta_read_cstr(&r, arena, true);
        rec->register_broker.fenced = buf_read_bool(&r);
        break;
    }
    case META_UNREGISTER_BROKER:
    case META_FENCE_BROKER:
    case META_UNFENCE_BROKER:
        rec->broker.id = buf_read_i32(&r);
        rec->broker.epoch = buf_read_i64(&r);
        break;
    case META_TOPIC:
        rec->topic.name = meta_read_cstr(&r, arena, false);
        rec->topic.topic_id = buf_read_uuid(&r);
        break;
    case META_REMOVE_TOPIC:
        rec->remove_topic.topic_id = buf_read_uuid(&r);
        break;
    case META_PARTITION: {
        int32_t n_skip;
        rec->partition.partition_id = buf_read_i32(&r);
        rec->partition.topic_id = buf_read_uuid(&r);
        rec->partition.replicas = read_i32_array(&r, arena, false, &rec->partition.n_replicas);
        rec->partition.isr = read_i32_array(&r, arena, false, &rec->partition.n_isr);
        (void)read_i32_array(&r, arena, false, &n_skip);
        (void)read_i32_array(&r, arena, false, &n_skip);
        rec->partition.leader = buf_read_i32(&r);
        rec->partition.leader_epoch = buf_read_i32(&r);
        rec->partition.partition_epoch = buf_read_i32(&r);
        break;
    }
    case META_PARTITION_CHANGE:
        rec->partition_change.partition_id = buf_read_i32(&r);
        rec->partition_change.topic_id = buf_read_uuid(&r);
        read_change_tags(&r, arena, rec);
        if (!r.err && buf_remaining(&r) != 0) {
            snprintf(errstr, errstr_size, "%zu bytes after the end of PartitionChangeRecord", buf_remaining(&r));
            return false;
        }
        if (r.err) {
            snprintf(errstr, errstr_size, "malformed PartitionChangeRecord");
            return false;
        }
        return true;
    case META_CONFIG:
        rec->config.resource_type = buf_read_i8(&r);
        rec->config.resource_name = meta_read_cstr(&r, arena, false);
        rec->config.name = meta_read_cstr(&r, arena, false);
        rec->config.value = meta_read_cstr(&r, arena, true);
        break;
    default:
        snprintf(errstr, errstr_size, "unknown record type %u", type);
        return false;
    }
    buf_skip_tags(&r);
    if (r.err) {
        snprintf(errstr, errstr_size, "malformed %s", meta_record_type_name(rec->type));
        return false;
    }
    if (buf_remaining(&r) != 0) {
        snprintf(errstr, errstr_size, "%zu bytes after the end of %s", buf_remaining(&r),
                 meta_record_type_name(rec->type));
        return false;
    }
    return true;
}

bool meta_records_decode(const void *data, size_t len, arena_t *arena, meta_record_t **recs, size_t *n, char *errstr,
                         size_t errstr_size)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    uint32_t count = buf_read_uvarint(&r);
    /* Each record takes at least two bytes (its length and a frame byte),
     * so a hostile count cannot ask for more memory than the entry's size. */
    if (r.err || count > buf_remaining(&r) / 2) {
        snprintf(errstr, errstr_size, "bad record count");
        return false;
    }
    meta_record_t *out = count ? arena_alloc(arena, count * sizeof(*out)) : NULL;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t rec_len = buf_read_uvarint(&r);
        if (r.err || rec_len > buf_remaining(&r)) {
            snprintf(errstr, errstr_size, "record %u of %u: truncated", i + 1, count);
            return false;
        }
        char why[160];
        if (!record_decode(r.p, rec_len, arena, &out[i], why, sizeof(why))) {
            snprintf(errstr, errstr_size, "record %u of %u: %s", i + 1, count, why);
            return false;
        }
        buf_skip(&r, rec_len);
    }
    if (buf_remaining(&r) != 0) {
        snprintf(errstr, errstr_size, "%zu bytes after the last record", buf_remaining(&r));
        return false;
    }
    *recs = out;
    *n = count;
    return true;
}
