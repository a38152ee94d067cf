/*
 * test_controller_rpc.c - BrokerRegistration and BrokerHeartbeat v0
 * (broker/quorum/controller_rpc.c) against frames written by hand from
 * Kafka's BrokerRegistrationRequest.json and BrokerHeartbeatRequest.json:
 * the encoder writes exactly them, the decoder reads them back, every
 * proper prefix is refused, and other APIs or versions are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quorum/controller_rpc.h"

static const uint8_t heartbeat_frame[] = {
    0x00, 0x00, 0x00, 0x23,                         /* size 35 */
    0x00, 0x3f, 0x00, 0x00,                         /* BrokerHeartbeat (63) v0 */
    0x00, 0x00, 0x00, 0x07,                         /* correlation id 7 */
    0x00, 0x01, 'c',                                /* client id "c" (int16 length: header v2) */
    0x00,                                           /* header tags */
    0x00, 0x00, 0x00, 0x02,                         /* BrokerId 2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, /* BrokerEpoch 9 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, /* CurrentMetadataOffset 12 */
    0x00, 0x00,                                     /* WantFence, WantShutDown */
    0x00,                                           /* tags */
};

static const uint8_t registration_frame[] = {
    0x00, 0x00, 0x00, 0x36,                         /* size 54 */
    0x00, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* BrokerRegistration (62) v0, correlation 1 */
    0xff, 0xff, 0x00,                               /* client id null, header tags */
    0x00, 0x00, 0x00, 0x02,                         /* BrokerId 2 */
    0x03, 'c',  'i',                                /* ClusterId "ci" */
    1,    2,    3,    4,    5,    6,    7,    8,    9,    10, 11, 12, 13, 14, 15, 16, /* IncarnationId */
    0x02,                                                                             /* Listeners: 1 */
    0x02, 'P',  0x02, 'h',  0x23, 0x84, 0x00, 0x00, 0x00, /* "P", "h", 9092, PLAINTEXT, tags */
    0x01,                                                 /* Features: 0 */
    0x00,                                                 /* Rack null */
    0x01,                                                 /* one tagged field */
    0x90, 0x4e, 0x04, 0x04, '1',  '@',  'h',              /* tag 10000 (uvarint), size 4, Voters "1@h" */
};

static void test_heartbeat(void **state)
{
    ctrl_heartbeat_t hb = {.broker_id = 2, .broker_epoch = 9, .current_metadata_offset = 12};
    buf_writer_t w;
    buf_writer_init(&w, 64);
    ctrl_rpc_encode_heartbeat(&w, 7, "c", &hb);
    assert_int_equal(w.len, sizeof(heartbeat_frame));
    assert_memory_equal(w.data, heartbeat_frame, sizeof(heartbeat_frame));
    buf_writer_release(&w);

    arena_t *arena = arena_create(256);
    ctrl_request_t req;
    char err[256];
    assert_true(
        ctrl_rpc_decode_request(heartbeat_frame + 4, sizeof(heartbeat_frame) - 4, arena, &req, err, sizeof(err)));
    assert_int_equal(req.api_key, CTRL_RPC_BROKER_HEARTBEAT);
    assert_int_equal(req.correlation_id, 7);
    assert_int_equal(req.heartbeat.broker_id, 2);
    assert_true(req.heartbeat.broker_epoch == 9);
    assert_true(req.heartbeat.current_metadata_offset == 12);
    arena_destroy(arena);

    ctrl_heartbeat_result_t res = {.error_code = 77, .is_caught_up = true, .is_fenced = false}, back;
    buf_writer_init(&w, 64);
    ctrl_rpc_encode_heartbeat_result(&w, 7, &res);
    static const uint8_t want[] = {0, 0, 0, 0x0f, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 77, 1, 0, 0, 0};
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(w.data, want, sizeof(want));
    int32_t corr;
    assert_true(ctrl_rpc_decode_heartbeat_result(w.data + 4, w.len - 4, &corr, &back));
    assert_int_equal(corr, 7);
    assert_int_equal(back.error_code, 77);
    assert_true(back.is_caught_up);
    assert_false(back.is_fenced);
    assert_false(ctrl_rpc_decode_heartbeat_result(w.data + 4, w.len - 5, &corr, &back));
    buf_writer_release(&w);
}

static void test_registration(void **state)
{
    meta_endpoint_t ep = {.name = "P", .host = "h", .port = 9092};
    ctrl_registration_t reg = {.broker_id = 2, .cluster_id = "ci", .listeners = &ep, .n_listeners = 1, .voters = "1@h"};
    for (int i = 0; i < 16; i++) {
        reg.incarnation_id.b[i] = (uint8_t)(i + 1);
    }
    buf_writer_t w;
    buf_writer_init(&w, 64);
    ctrl_rpc_encode_registration(&w, 1, NULL, &reg);
    assert_int_equal(w.len, sizeof(registration_frame));
    assert_memory_equal(w.data, registration_frame, sizeof(registration_frame));
    buf_writer_release(&w);

    arena_t *arena = arena_create(256);
    ctrl_request_t req;
    char err[256];
    if (!ctrl_rpc_decode_request(registration_frame + 4, sizeof(registration_frame) - 4, arena, &req, err,
                                 sizeof(err))) {
        fail_msg("%s", err);
    }
    assert_int_equal(req.api_key, CTRL_RPC_BROKER_REGISTRATION);
    assert_string_equal(req.registration.cluster_id, "ci");
    assert_int_equal(req.registration.n_listeners, 1);
    assert_int_equal(req.registration.listeners[0].port, 9092);
    assert_string_equal(req.registration.listeners[0].host, "h");
    assert_string_equal(req.registration.voters, "1@h");
    assert_null(req.registration.rack);
    assert_int_equal(req.registration.incarnation_id.b[15], 16);
    arena_destroy(arena);

    ctrl_registration_result_t res = {.error_code = 0, .broker_epoch = 42}, back;
    buf_writer_init(&w, 64);
    ctrl_rpc_encode_registration_result(&w, 1, &res);
    int32_t corr;
    assert_true(ctrl_rpc_decode_registration_result(w.data + 4, w.len - 4, &corr, &back));
    assert_true(back.broker_epoch == 42);
    assert_int_equal(w.len, 4 + 4 + 1 + 4 + 2 + 8 + 1);
    buf_writer_release(&w);
}

static void test_prefixes_and_refusals(void **state)
{
    static const struct {
        const uint8_t *frame;
        size_t len;
    } frames[] = {{heartbeat_frame, sizeof(heartbeat_frame)}, {registration_frame, sizeof(registration_frame)}};
    for (size_t f = 0; f < 2; f++) {
        for (size_t cut = 0; cut < frames[f].len - 4; cut++) {
            uint8_t *prefix = malloc(cut ? cut : 1);
            memcpy(prefix, frames[f].frame + 4, cut);
            arena_t *arena = arena_create(256);
            ctrl_request_t req;
            char err[256];
            if (ctrl_rpc_decode_request(prefix, cut, arena, &req, err, sizeof(err))) {
                fail_msg("frame %zu: a prefix of %zu bytes decoded", f, cut);
            }
            arena_destroy(arena);
            free(prefix);
        }
    }
    /* Another API, or another version, is not served there. */
    uint8_t other[sizeof(heartbeat_frame)];
    memcpy(other, heartbeat_frame, sizeof(other));
    other[7] = 1; /* v1 */
    arena_t *arena = arena_create(256);
    ctrl_request_t req;
    char err[256];
    assert_false(ctrl_rpc_decode_request(other + 4, sizeof(other) - 4, arena, &req, err, sizeof(err)));
    assert_non_null(strstr(err, "API key 63 v1 is not served"));
    other[7] = 0;
    other[5] = 3; /* Metadata */
    assert_false(ctrl_rpc_decode_request(other + 4, sizeof(other) - 4, arena, &req, err, sizeof(err)));
    arena_destroy(arena);
}

/* A string holding a NUL would pass for the shorter one before it (a
 * cluster id "ci\0x" for "ci", voters "1@h\0x" for "1@h"): refused. */
static void test_strings_with_nul(void **state)
{
    static const size_t at[] = {21, sizeof(registration_frame) - 1}; /* the last byte of ClusterId, of Voters */
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        uint8_t frame[sizeof(registration_frame)];
        memcpy(frame, registration_frame, sizeof(frame));
        frame[at[i]] = '\0';
        arena_t *arena = arena_create(256);
        ctrl_request_t req;
        char err[256];
        if (ctrl_rpc_decode_request(frame + 4, sizeof(frame) - 4, arena, &req, err, sizeof(err))) {
            fail_msg("a NUL at byte %zu decoded", at[i]);
        }
        arena_destroy(arena);
    }
}

/* AlterPartition v2 for one partition, against bytes written by hand from
 * Kafka's AlterPartitionRequest.json; the result round-trips. */
static void test_alter_partition(void **state)
{
    (void)state;
    static const uint8_t frame[] = {
        0,    0,  0, 0x43,                           /* size */
        0,    56, 0, 2,    0, 0, 0, 5, 0, 1, 'c', 0, /* header v2: AlterPartition v2, correlation 5, client "c" */
        0,    0,  0, 1,                              /* BrokerId */
        0,    0,  0, 0,    0, 0, 0, 9,               /* BrokerEpoch */
        2,                                           /* one topic */
        0xaa, 1,  2, 3,    4, 5, 6, 7, 8, 9, 10,  11, 12, 13, 14, 15, 2, /* one partition */
        0,    0,  0, 3,                                                  /* PartitionIndex */
        0,    0,  0, 4,                                                  /* LeaderEpoch */
        3,    0,  0, 0,    1, 0, 0, 0, 2,                                /* NewIsr [1, 2] */
        0,                                                               /* LeaderRecoveryState */
        0,    0,  0, 6,                                                  /* PartitionEpoch */
        0,    0,  0,                                                     /* tags: partition, topic, request */
    };
    const int32_t isr[] = {1, 2};
    ctrl_alter_partition_t ap = {.broker_id = 1,
                                 .broker_epoch = 9,
                                 .topic_id = {{0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
                                 .partition = 3,
                                 .leader_epoch = 4,
                                 .new_isr = isr,
                                 .n_new_isr = 2,
                                 .partition_epoch = 6};
    buf_writer_t w;
    buf_writer_init(&w, 64);
    ctrl_rpc_encode_alter_partition(&w, 5, "c", &ap);
    assert_int_equal(w.len, sizeof(frame));
    assert_memory_equal(w.data, frame, sizeof(frame));
    buf_writer_release(&w);

    arena_t *arena = arena_create(256);
    ctrl_request_t req;
    char err[256];
    assert_true(ctrl_rpc_decode_request(frame + 4, sizeof(frame) - 4, arena, &req, err, sizeof(err)));
    assert_int_equal(req.api_key, CTRL_RPC_ALTER_PARTITION);
    assert_int_equal(req.alter_partition.partition, 3);
    assert_int_equal(req.alter_partition.leader_epoch, 4);
    assert_int_equal(req.alter_partition.n_new_isr, 2);
    assert_int_equal(req.alter_partition.new_isr[1], 2);
    assert_int_equal(req.alter_partition.partition_epoch, 6);

    ctrl_alter_partition_result_t res = {.topic_id = ap.topic_id,
                                         .partition = 3,
                                         .partition_error_code = 74,
                                         .leader_id = 1,
                                         .leader_epoch = 5,
                                         .isr = isr,
                                         .n_isr = 2,
                                         .partition_epoch = 7},
                                  back;
    buf_writer_init(&w, 64);
    ctrl_rpc_encode_alter_partition_result(&w, 5, &res);
    int32_t corr;
    assert_true(ctrl_rpc_decode_alter_partition_result(w.data + 4, w.len - 4, arena, &corr, &back));
    assert_int_equal(corr, 5);
    assert_int_equal(back.partition_error_code, 74);
    assert_int_equal(back.leader_epoch, 5);
    assert_int_equal(back.n_isr, 2);
    assert_int_equal(back.partition_epoch, 7);
    buf_writer_release(&w);
    arena_destroy(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heartbeat),
        cmocka_unit_test(test_registration),
        cmocka_unit_test(test_prefixes_and_refusals),
        cmocka_unit_test(test_strings_with_nul),
        cmocka_unit_test(test_alter_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
