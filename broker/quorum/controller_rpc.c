/*
 * controller_rpc.c - the BrokerRegistration and BrokerHeartbeat codecs;
 * the formats are in controller_rpc.h.
 */
#include "controller_rpc.h"

#include <stdio.h>
#include <string.h>

/* Request header v2 and the frame's size, patched once the body is in. */
static size_t frame_begin(buf_writer_t *w, int16_t api_key, int32_t correlation_id, const char *client_id)
{
    size_t start = w->len;
    buf_write_i32(w, 0);
    buf_write_i16(w, api_key);
    buf_write_i16(w, api_key == CTRL_RPC_ALTER_PARTITION ? CTRL_RPC_ALTER_PARTITION_VERSION : 0);
    buf_write_i32(w, correlation_id);
    buf_write_str(w, client_id, false);
    buf_write_empty_tags(w);
    return start;
}

static void frame_end(buf_writer_t *w, size_t start)
{
    buf_put_i32(w->data + start, (int32_t)(w->len - start - 4));
}

void ctrl_rpc_encode_registration(buf_writer_t *w, int32_t correlation_id, const char *client_id,
                                  const ctrl_registration_t *reg)
{
    size_t start = frame_begin(w, CTRL_RPC_BROKER_REGISTRATION, correlation_id, client_id);
    buf_write_i32(w, reg->broker_id);
    buf_write_str(w, reg->cluster_id, true);
    buf_write_uuid(w, &reg->incarnation_id);
    buf_write_array_len(w, reg->n_listeners, true);
    for (int32_t i = 0; i < reg->n_listeners; i++) {
        buf_write_str(w, reg->listeners[i].name, true);
        buf_write_str(w, reg->listeners[i].host, true);
        buf_write_i16(w, (int16_t)reg->listeners[i].port);
        buf_write_i16(w, reg->listeners[i].security_protocol);
        buf_write_empty_tags(w);
    }
    buf_write_array_len(w, 0, true); /* Features */
    buf_write_str(w, reg->rack, true);
    if (reg->voters) {
        buf_writer_t val;
        buf_writer_init(&val, 64);
        buf_write_str(&val, reg->voters, true);
        buf_write_uvarint(w, 1);
        buf_write_uvarint(w, CTRL_RPC_TAG_VOTERS);
        buf_write_uvarint(w, (uint32_t)val.len);
        buf_write_raw(w, val.data, val.len);
        buf_writer_release(&val);
    } else {
        buf_write_empty_tags(w);
    }
    frame_end(w, start);
}

void ctrl_rpc_encode_heartbeat(buf_writer_t *w, int32_t correlation_id, const char *client_id,
                               const ctrl_heartbeat_t *hb)
{
    size_t start = frame_begin(w, CTRL_RPC_BROKER_HEARTBEAT, correlation_id, client_id);
    buf_write_i32(w, hb->broker_id);
    buf_write_i64(w, hb->broker_epoch);
    buf_write_i64(w, hb->current_metadata_offset);
    buf_write_bool(w, hb->want_fence);
    buf_write_bool(w, hb->want_shut_down);
    buf_write_empty_tags(w);
    frame_end(w, start);
}

static void write_ids(buf_writer_t *w, const int32_t *ids, int32_t n)
{
    buf_write_array_len(w, n, true);
    for (int32_t i = 0; i < n; i++) {
        buf_write_i32(w, ids[i]);
    }
}

static int32_t *read_ids(buf_reader_t *r, arena_t *arena, int32_t *n)
{
    *n = buf_read_array_len(r, true, 4);
    int32_t *ids = arena_alloc(arena, sizeof(int32_t) * (size_t)(*n > 0 ? *n + 1 : 1));
    for (int32_t i = 0; i < *n && !r->err; i++) {
        ids[i] = buf_read_i32(r);
    }
    if (*n < 0) {
        r->err = true;
    }
    return ids;
}

void ctrl_rpc_encode_alter_partition(buf_writer_t *w, int32_t correlation_id, const char *client_id,
                                     const ctrl_alter_partition_t *ap)
{
    size_t start = frame_begin(w, CTRL_RPC_ALTER_PARTITION, correlation_id, client_id);
    buf_write_i32(w, ap->broker_id);
    buf_write_i64(w, ap->broker_epoch);
    buf_write_array_len(w, 1, true);
    buf_write_uuid(w, &ap->topic_id);
    buf_write_array_len(w, 1, true);
    buf_write_i32(w, ap->partition);
    buf_write_i32(w, ap->leader_epoch);
    write_ids(w, ap->new_isr, ap->n_new_isr);
    buf_write_i8(w, 0); /* LeaderRecoveryState: recovered */
    buf_write_i32(w, ap->partition_epoch);
    buf_write_empty_tags(w); /* the partition */
    buf_write_empty_tags(w); /* the topic */
    buf_write_empty_tags(w);
    frame_end(w, start);
}

static void decode_alter_partition(buf_reader_t *r, arena_t *arena, ctrl_alter_partition_t *ap)
{
    ap->broker_id = buf_read_i32(r);
    ap->broker_epoch = buf_read_i64(r);
    if (buf_read_array_len(r, true, 1) != 1) {
        r->err = true;
        return;
    }
    ap->topic_id = buf_read_uuid(r);
    if (buf_read_array_len(r, true, 1) != 1) {
        r->err = true;
        return;
    }
    ap->partition = buf_read_i32(r);
    ap->leader_epoch = buf_read_i32(r);
    ap->new_isr = read_ids(r, arena, &ap->n_new_isr);
    (void)buf_read_i8(r);
    ap->partition_epoch = buf_read_i32(r);
    buf_skip_tags(r);
    buf_skip_tags(r);
    buf_skip_tags(r);
}

/* The registration's tagged fields: connectd's voters, others skipped. */
static void read_registration_tags(buf_reader_t *r, arena_t *arena, ctrl_registration_t *reg)
{
    uint32_t n = buf_read_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        uint32_t tag = buf_read_uvarint(r);
        uint32_t size = buf_read_uvarint(r);
        if (r->err || size > buf_remaining(r)) {
            r->err = true;
            return;
        }
        if (tag == CTRL_RPC_TAG_VOTERS) {
            buf_reader_t val;
            buf_reader_init(&val, r->p, size);
            reg->voters = meta_read_cstr(&val, arena, false);
            if (val.err || buf_remaining(&val) != 0) {
                r->err = true;
            }
        }
        buf_skip(r, size);
    }
}

bool ctrl_rpc_decode_request(const void *data, size_t len, arena_t *arena, ctrl_request_t *req, char *errstr,
                             size_t errstr_size)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    memset(req, 0, sizeof(*req));
    req->api_key = buf_read_i16(&r);
    req->api_version = buf_read_i16(&r);
    req->correlation_id = buf_read_i32(&r);
    (void)buf_read_nstr(&r, false); /* client id */
    buf_skip_tags(&r);
    if (r.err) {
        snprintf(errstr, errstr_size, "truncated request header");
        return false;
    }
    bool served = req->api_key == CTRL_RPC_ALTER_PARTITION
                      ? req->api_version == CTRL_RPC_ALTER_PARTITION_VERSION
                      : (req->api_key == CTRL_RPC_BROKER_REGISTRATION || req->api_key == CTRL_RPC_BROKER_HEARTBEAT) &&
                            req->api_version == 0;
    if (!served) {
        snprintf(errstr, errstr_size,
                 "API key %d v%d is not served on the controller listener (only "
                 "BrokerRegistration and BrokerHeartbeat v0, AlterPartition v2)",
                 req->api_key, req->api_version);
        return false;
    }
    if (req->api_key == CTRL_RPC_ALTER_PARTITION) {
        decode_alter_partition(&r, arena, &req->alter_partition);
    } else if (req->api_key == CTRL_RPC_BROKER_REGISTRATION) {
        ctrl_registration_t *reg = &req->registration;
        reg->broker_id = buf_read_i32(&r);
        reg->cluster_id = meta_read_cstr(&r, arena, false);
        reg->incarnation_id = buf_read_uuid(&r);
        int32_t n;
        reg->listeners = meta_read_endpoints(&r, arena, &n);
        reg->n_listeners = n;
        meta_skip_features(&r);
        reg->rack = meta_read_cstr(&r, arena, true);
        read_registration_tags(&r, arena, reg);
    } else {
        ctrl_heartbeat_t *hb = &req->heartbeat;
        hb->broker_id = buf_read_i32(&r);
        hb->broker_epoch = buf_read_i64(&r);
        hb->current_metadata_offset = buf_read_i64(&r);
        hb->want_fence = buf_read_bool(&r);
        hb->want_shut_down = buf_read_bool(&r);
        buf_skip_tags(&r);
    }
    if (r.err || buf_remaining(&r) != 0) {
        snprintf(errstr, errstr_size, "malformed %s request",
                 req->api_key == CTRL_RPC_BROKER_REGISTRATION ? "BrokerRegistration"
                 : req->api_key == CTRL_RPC_BROKER_HEARTBEAT  ? "BrokerHeartbeat"
                                                              : "AlterPartition (one partition)");
        return false;
    }
    return true;
}

static size_t response_begin(buf_writer_t *w, int32_t correlation_id)
{
    size_t start = w->len;
    buf_write_i32(w, 0);
    buf_write_i32(w, correlation_id);
    buf_write_empty_tags(w);
    buf_write_i32(w, 0); /* ThrottleTimeMs */
    return start;
}

void ctrl_rpc_encode_registration_result(buf_writer_t *w, int32_t correlation_id, const ctrl_registration_result_t *res)
{
    size_t start = response_begin(w, correlation_id);
    buf_write_i16(w, res->error_code);
    buf_write_i64(w, res->broker_epoch);
    buf_write_empty_tags(w);
    frame_end(w, start);
}

void ctrl_rpc_encode_heartbeat_result(buf_writer_t *w, int32_t correlation_id, const ctrl_heartbeat_result_t *res)
{
    size_t start = response_begin(w, correlation_id);
    buf_write_i16(w, res->error_code);
    buf_write_bool(w, res->is_caught_up);
    buf_write_bool(w, res->is_fenced);
    buf_write_bool(w, res->should_shut_down);
    buf_write_empty_tags(w);
    frame_end(w, start);
}

void ctrl_rpc_encode_alter_partition_result(buf_writer_t *w, int32_t correlation_id,
                                            const ctrl_alter_partition_result_t *res)
{
    size_t start = response_begin(w, correlation_id);
    buf_write_i16(w, res->error_code);
    buf_write_array_len(w, 1, true);
    buf_write_uuid(w, &res->topic_id);
    buf_write_array_len(w, 1, true);
    buf_write_i32(w, res->partition);
    buf_write_i16(w, res->partition_error_code);
    buf_write_i32(w, res->leader_id);
    buf_write_i32(w, res->leader_epoch);
    write_ids(w, res->isr, res->n_isr);
    buf_write_i8(w, 0);
    buf_write_i32(w, res->partition_epoch);
    buf_write_empty_tags(w);
    buf_write_empty_tags(w);
    buf_write_empty_tags(w);
    frame_end(w, start);
}

static void response_header(buf_reader_t *r, int32_t *correlation_id)
{
    *correlation_id = buf_read_i32(r);
    buf_skip_tags(r);
    (void)buf_read_i32(r); /* ThrottleTimeMs */
}

bool ctrl_rpc_decode_registration_result(const void *data, size_t len, int32_t *correlation_id,
                                         ctrl_registration_result_t *res)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    response_header(&r, correlation_id);
    res->error_code = buf_read_i16(&r);
    res->broker_epoch = buf_read_i64(&r);
    buf_skip_tags(&r);
    return !r.err && buf_remaining(&r) == 0;
}

bool ctrl_rpc_decode_heartbeat_result(const void *data, size_t len, int32_t *correlation_id,
                                      ctrl_heartbeat_result_t *res)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    response_header(&r, correlation_id);
    res->error_code = buf_read_i16(&r);
    res->is_caught_up = buf_read_bool(&r);
    res->is_fenced = buf_read_bool(&r);
    res->should_shut_down = buf_read_bool(&r);
    buf_skip_tags(&r);
    return !r.err && buf_remaining(&r) == 0;
}

bool ctrl_rpc_decode_alter_partition_result(const void *data, size_t len, arena_t *arena, int32_t *correlation_id,
                                            ctrl_alter_partition_result_t *res)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    memset(res, 0, sizeof(*res));
    response_header(&r, correlation_id);
    res->error_code = buf_read_i16(&r);
    int32_t n_topics = buf_read_array_len(&r, true, 1);
    for (int32_t t = 0; t < n_topics && !r.err; t++) {
        res->topic_id = buf_read_uuid(&r);
        int32_t n_parts = buf_read_array_len(&r, true, 1);
        for (int32_t p = 0; p < n_parts && !r.err; p++) {
            res->partition = buf_read_i32(&r);
            res->partition_error_code = buf_read_i16(&r);
            res->leader_id = buf_read_i32(&r);
            res->leader_epoch = buf_read_i32(&r);
            res->isr = read_ids(&r, arena, &res->n_isr);
            (void)buf_read_i8(&r);
            res->partition_epoch = buf_read_i32(&r);
            buf_skip_tags(&r);
        }
        buf_skip_tags(&r);
    }
    buf_skip_tags(&r);
    return !r.err && buf_remaining(&r) == 0;
}
