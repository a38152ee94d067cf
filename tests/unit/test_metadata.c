/*
 * test_metadata.c - broker/metadata: Kafka's metadata record frames against
 * byte vectors written by hand from Kafka's schemas
 * (clients/src/main/resources/common/metadata/, version 0), every
 * proper prefix of an entry refused, and the image: what each record does,
 * what it refuses, and snapshots that restore to the same image.
 *
 * The vectors are spelled out as byte arrays, not built with buf_write_*, so
 * a wrong width in the encoder cannot cancel itself out in the decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metadata/metadata_image.h"
#include "metadata/metadata_records.h"
#include "protocol/kerr.h"

static const kuuid_t topic_a = {{0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}};
static const kuuid_t incarnation = {{0x11, 0x22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x33}};

/* One entry: count 1, then the frame with its length. */
static const uint8_t topic_entry[] = {
    0x01, 0x16,                                                    /* count 1, length 22 */
    0x01, 0x02, 0x00,                                              /* frame version 1, TopicRecord (2), version 0 */
    0x02, 't',                                                     /* Name: compact string "t" */
    0xaa, 1,    2,    3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, /* TopicId */
    0x00,                                                          /* no tagged fields */
};

static const uint8_t register_frame[] = {
    0x01, 0x00, 0x00,       /* frame 1, RegisterBrokerRecord (0), v0 */
    0x00, 0x00, 0x00, 0x03, /* BrokerId 3 */
    0x11, 0x22, 0,    0,    0,    0,    0,    0,    0,   0,   0, 0, 0, 0, 0, 0x33, /* IncarnationId */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,                                /* BrokerEpoch 42 */
    0x02,                                                                          /* EndPoints: 1 */
    0x0a, 'P',  'L',  'A',  'I',  'N',  'T',  'E',  'X', 'T',                      /* Name */
    0x04, 'h',  'o',  's',                                                         /* Host "hos" */
    0x23, 0x84,                                                                    /* Port 9092 */
    0x00, 0x00,                                                                    /* SecurityProtocol PLAINTEXT */
    0x00,                                                                          /* endpoint tags */
    0x01,                                                                          /* Features: 0 */
    0x00,                                                                          /* Rack: null */
    0x01,                                                                          /* Fenced: true */
    0x00,                                                                          /* tags */
};

static const uint8_t partition_frame[] = {
    0x01, 0x03, 0x00,       /* PartitionRecord v0 */
    0x00, 0x00, 0x00, 0x01, /* PartitionId 1 */
    0xaa, 1,    2,    3,    4, 5, 6, 7, 8, 9, 10, 11, 12,
    13,   14,   15,   0x03, 0, 0, 0, 1, 0, 0, 0,  2, /* Replicas [1, 2] */
    0x02, 0,    0,    0,    2,                       /* Isr [2] */
    0x01,                                            /* RemovingReplicas [] */
    0x01,                                            /* AddingReplicas [] */
    0x00, 0x00, 0x00, 0x02,                          /* Leader 2 */
    0x00, 0x00, 0x00, 0x05,                          /* LeaderEpoch 5 */
    0x00, 0x00, 0x00, 0x07,                          /* PartitionEpoch 7 */
    0x00,
};

/* PartitionChangeRecord with only Leader (tag 1) set: fields, then the
 * tagged-field section with one field of 4 bytes. */
static const uint8_t change_frame[] = {
    0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01, 0xaa, 1,  2,  3,  4,
    5,    6,    7,    8,    9,    10,   11,   12,   13, 14, 15, 0x01, /* one tagged field */
    0x01, 0x04, 0,    0,    0,    1,                                  /* tag 1 (Leader), size 4, leader 1 */
};

static const uint8_t config_frame[] = {
    0x01, 0x04, 0x00, 0x02, /* ConfigRecord v0, ResourceType TOPIC */
    0x02, 't',  0x0f, 'r',  'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.', 'm', 's', '.', 'x', /* "retention.ms.x" */
    0x03, '6',  '0',  0x00,
};

static const uint8_t fence_frame[] = {0x01, 0x11, 0x00, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0x00};

static void encode_one(const meta_record_t *rec, buf_writer_t *w)
{
    buf_writer_init(w, 64);
    meta_record_encode(w, rec);
}

static void test_vectors_encode(void **state)
{
    buf_writer_t w;
    meta_record_t topic = {.type = META_TOPIC, .topic = {.name = "t", .topic_id = topic_a}};
    buf_writer_init(&w, 64);
    meta_records_encode(&w, &topic, 1);
    assert_int_equal(w.len, sizeof(topic_entry));
    assert_memory_equal(w.data, topic_entry, sizeof(topic_entry));
    buf_writer_release(&w);

    meta_endpoint_t ep = {.name = "PLAINTEXT", .host = "hos", .port = 9092};
    meta_record_t reg = {.type = META_REGISTER_BROKER,
                         .register_broker = {.broker_id = 3,
                                             .incarnation_id = incarnation,
                                             .broker_epoch = 42,
                                             .endpoints = &ep,
                                             .n_endpoints = 1,
                                             .fenced = true}};
    encode_one(&reg, &w);
    assert_int_equal(w.len, sizeof(register_frame));
    assert_memory_equal(w.data, register_frame, sizeof(register_frame));
    buf_writer_release(&w);

    int32_t replicas[] = {1, 2}, isr[] = {2};
    meta_record_t part = {.type = META_PARTITION,
                          .partition = {.partition_id = 1,
                                        .topic_id = topic_a,
                                        .replicas = replicas,
                                        .n_replicas = 2,
                                        .isr = isr,
                                        .n_isr = 1,
                                        .leader = 2,
                                        .leader_epoch = 5,
                                        .partition_epoch = 7}};
    encode_one(&part, &w);
    assert_int_equal(w.len, sizeof(partition_frame));
    assert_memory_equal(w.data, partition_frame, sizeof(partition_frame));
    buf_writer_release(&w);

    meta_record_t change = {
        .type = META_PARTITION_CHANGE,
        .partition_change = {.partition_id = 1, .topic_id = topic_a, .n_isr = -1, .leader = 1, .n_replicas = -1}};
    encode_one(&change, &w);
    assert_int_equal(w.len, sizeof(change_frame));
    assert_memory_equal(w.data, change_frame, sizeof(change_frame));
    buf_writer_release(&w);

    meta_record_t config = {
        .type = META_CONFIG,
        .config = {.resource_type = META_CONFIG_TOPIC, .resource_name = "t", .name = "retention.ms.x", .value = "60"}};
    encode_one(&config, &w);
    assert_int_equal(w.len, sizeof(config_frame));
    assert_memory_equal(w.data, config_frame, sizeof(config_frame));
    buf_writer_release(&w);

    meta_record_t fence = {.type = META_FENCE_BROKER, .broker = {.id = 3, .epoch = 42}};
    encode_one(&fence, &w);
    assert_int_equal(w.len, sizeof(fence_frame));
    assert_memory_equal(w.data, fence_frame, sizeof(fence_frame));
    buf_writer_release(&w);
}

/* An entry of the frames above, each with its length. */
static uint8_t *entry_of_frames(size_t *len)
{
    static const struct {
        const uint8_t *p;
        size_t n;
    } frames[] = {
        {topic_entry + 2, sizeof(topic_entry) - 2}, {register_frame, sizeof(register_frame)},
        {partition_frame, sizeof(partition_frame)}, {change_frame, sizeof(change_frame)},
        {config_frame, sizeof(config_frame)},       {fence_frame, sizeof(fence_frame)},
    };
    size_t n = sizeof(frames) / sizeof(frames[0]);
    uint8_t *e = malloc(1024), *p = e;
    *p++ = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        assert_true(frames[i].n < 128);
        *p++ = (uint8_t)frames[i].n;
        memcpy(p, frames[i].p, frames[i].n);
        p += frames[i].n;
    }
    *len = (size_t)(p - e);
    return e;
}

static void test_vectors_decode(void **state)
{
    size_t len;
    uint8_t *entry = entry_of_frames(&len);
    arena_t *arena = arena_create(1024);
    meta_record_t *recs;
    size_t n;
    char err[200];
    if (!meta_records_decode(entry, len, arena, &recs, &n, err, sizeof(err))) {
        fail_msg("%s", err);
    }
    assert_int_equal(n, 6);
    assert_int_equal(recs[0].type, META_TOPIC);
    assert_string_equal(recs[0].topic.name, "t");
    assert_memory_equal(recs[0].topic.topic_id.b, topic_a.b, 16);
    assert_int_equal(recs[1].register_broker.broker_id, 3);
    assert_true(recs[1].register_broker.broker_epoch == 42);
    assert_int_equal(recs[1].register_broker.n_endpoints, 1);
    assert_string_equal(recs[1].register_broker.endpoints[0].host, "hos");
    assert_int_equal(recs[1].register_broker.endpoints[0].port, 9092);
    assert_null(recs[1].register_broker.rack);
    assert_true(recs[1].register_broker.fenced);
    assert_int_equal(recs[2].partition.n_replicas, 2);
    assert_int_equal(recs[2].partition.replicas[1], 2);
    assert_int_equal(recs[2].partition.leader_epoch, 5);
    assert_int_equal(recs[3].partition_change.leader, 1);
    assert_int_equal(recs[3].partition_change.n_isr, -1);
    assert_int_equal(recs[3].partition_change.n_replicas, -1);
    assert_string_equal(recs[4].config.value, "60");
    assert_int_equal(recs[5].type, META_FENCE_BROKER);
    assert_true(recs[5].broker.epoch == 42);
    arena_destroy(arena);

    /* Every proper prefix is refused, from a heap block of exactly its size
     * so AddressSanitizer sees any read past it. */
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        memcpy(prefix, entry, cut);
        arena = arena_create(1024);
        if (meta_records_decode(prefix, cut, arena, &recs, &n, err, sizeof(err))) {
            fail_msg("a prefix of %zu of %zu bytes decoded", cut, len);
        }
        arena_destroy(arena);
        free(prefix);
    }
    free(entry);
}

static void test_decode_refusals(void **state)
{
    static const struct {
        uint8_t bytes[8];
        size_t len;
        const char *message_part;
    } cases[] = {
        {{0x01, 0x03, 0x02, 0x02, 0x00}, 5, "unknown frame version 2"},
        {{0x01, 0x03, 0x01, 0x2c, 0x00}, 5, "unknown record type 44"},
        {{0x01, 0x03, 0x01, 0x02, 0x01}, 5, "TopicRecord version 1 is not supported"},
        {{0x7f, 0x00}, 2, "bad record count"},
        {{0x01, 0x04, 0x01, 0x09, 0x00, 0x00}, 6, "malformed RemoveTopicRecord"},
        {{0x00, 0x00}, 2, "1 bytes after the last record"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        arena_t *arena = arena_create(256);
        meta_record_t *recs;
        size_t n;
        char err[200] = "";
        assert_false(meta_records_decode(cases[i].bytes, cases[i].len, arena, &recs, &n, err, sizeof(err)));
        if (!strstr(err, cases[i].message_part)) {
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].message_part);
        }
        arena_destroy(arena);
    }
}

static void apply_ok(meta_image_t *img, const meta_record_t *rec)
{
    char err[200];
    if (!meta_image_apply(img, rec, err, sizeof(err))) {
        fail_msg("%s refused: %s", meta_record_type_name(rec->type), err);
    }
}

static void apply_refused(meta_image_t *img, const meta_record_t *rec, const char *message_part)
{
    char err[200] = "";
    if (meta_image_apply(img, rec, err, sizeof(err))) {
        fail_msg("%s applied", meta_record_type_name(rec->type));
    }
    if (!strstr(err, message_part)) {
        fail_msg("'%s' lacks '%s'", err, message_part);
    }
}

/* A small cluster: brokers 2 and 1 (registered out of order), a topic of
 * two partitions, a config. */
static meta_image_t *image_sample(void)
{
    meta_image_t *img = meta_image_create();
    meta_endpoint_t ep = {.name = "PLAINTEXT", .host = "127.0.0.1", .port = 9192};
    for (int32_t id = 2; id >= 1; id--) {
        meta_record_t reg = {
            .type = META_REGISTER_BROKER,
            .register_broker = {
                .broker_id = id, .broker_epoch = 10 + id, .endpoints = &ep, .n_endpoints = 1, .fenced = true}};
        apply_ok(img, &reg);
    }
    meta_record_t topic = {.type = META_TOPIC, .topic = {.name = "orders", .topic_id = topic_a}};
    apply_ok(img, &topic);
    int32_t replicas[] = {1, 2};
    for (int32_t p = 0; p < 2; p++) {
        meta_record_t part = {.type = META_PARTITION,
                              .partition = {.partition_id = p,
                                            .topic_id = topic_a,
                                            .replicas = replicas,
                                            .n_replicas = 2,
                                            .isr = replicas,
                                            .n_isr = 2,
                                            .leader = 1 + p}};
        apply_ok(img, &part);
    }
    meta_record_t config = {
        .type = META_CONFIG,
        .config = {
            .resource_type = META_CONFIG_TOPIC, .resource_name = "orders", .name = "retention.ms", .value = "1000"}};
    apply_ok(img, &config);
    return img;
}

static void test_image_apply(void **state)
{
    meta_image_t *img = image_sample();
    assert_int_equal(meta_image_broker_count(img), 2);
    assert_int_equal(meta_image_broker_at(img, 0)->id, 1);
    assert_true(meta_image_broker_find(img, 2)->fenced);

    meta_record_t unfence = {.type = META_UNFENCE_BROKER, .broker = {.id = 2, .epoch = 12}};
    apply_ok(img, &unfence);
    assert_false(meta_image_broker_find(img, 2)->fenced);
    /* A record about an older registration no longer applies. */
    meta_record_t stale = {.type = META_FENCE_BROKER, .broker = {.id = 2, .epoch = 11}};
    apply_refused(img, &stale, "broker 2 has no registration of epoch 11");
    meta_record_t unknown = {.type = META_FENCE_BROKER, .broker = {.id = 9, .epoch = 1}};
    apply_refused(img, &unknown, "broker 9");
    /* A re-registration needs a higher epoch and starts fenced again. */
    meta_endpoint_t ep = {.name = "PLAINTEXT", .host = "h2", .port = 1};
    meta_record_t again = {
        .type = META_REGISTER_BROKER,
        .register_broker = {.broker_id = 2, .broker_epoch = 12, .endpoints = &ep, .n_endpoints = 1, .fenced = true}};
    apply_refused(img, &again, "epoch 12 is not above 12");
    again.register_broker.broker_epoch = 30;
    apply_ok(img, &again);
    assert_true(meta_image_broker_find(img, 2)->fenced);
    assert_string_equal(meta_image_broker_find(img, 2)->endpoints[0].host, "h2");

    /* Partitions: a leader change bumps both epochs, an ISR change only the
     * partition epoch. */
    const meta_topic_t *t = meta_image_topic_find(img, "orders");
    assert_non_null(t);
    assert_int_equal(t->n_parts, 2);
    int32_t isr[] = {2};
    meta_record_t change = {
        .type = META_PARTITION_CHANGE,
        .partition_change = {
            .partition_id = 0, .topic_id = topic_a, .isr = isr, .n_isr = 1, .leader = 2, .n_replicas = -1}};
    apply_ok(img, &change);
    t = meta_image_topic_find(img, "orders");
    assert_int_equal(t->parts[0].leader, 2);
    assert_int_equal(t->parts[0].leader_epoch, 1);
    assert_int_equal(t->parts[0].partition_epoch, 1);
    assert_int_equal(t->parts[0].n_isr, 1);
    change.partition_change.leader = META_LEADER_UNCHANGED;
    change.partition_change.n_isr = -1;
    apply_ok(img, &change);
    assert_int_equal(meta_image_topic_find(img, "orders")->parts[0].leader_epoch, 1);
    assert_int_equal(meta_image_topic_find(img, "orders")->parts[0].partition_epoch, 2);
    change.partition_change.partition_id = 5;
    apply_refused(img, &change, "no partition 5");

    meta_record_t dup = {.type = META_TOPIC, .topic = {.name = "orders", .topic_id = incarnation}};
    apply_refused(img, &dup, "exists already");
    meta_record_t orphan = {.type = META_PARTITION, .partition = {.partition_id = 0, .topic_id = incarnation}};
    apply_refused(img, &orphan, "unknown topic");

    /* Configs: set, replace, delete; a topic's go with it. */
    assert_string_equal(meta_image_config(img, META_CONFIG_TOPIC, "orders", "retention.ms"), "1000");
    meta_record_t del = {
        .type = META_CONFIG,
        .config = {
            .resource_type = META_CONFIG_TOPIC, .resource_name = "orders", .name = "retention.ms", .value = NULL}};
    apply_ok(img, &del);
    assert_null(meta_image_config(img, META_CONFIG_TOPIC, "orders", "retention.ms"));
    del.config.value = "5";
    apply_ok(img, &del);
    meta_record_t remove = {.type = META_REMOVE_TOPIC, .remove_topic = {.topic_id = topic_a}};
    apply_ok(img, &remove);
    assert_null(meta_image_topic_find(img, "orders"));
    assert_null(meta_image_config(img, META_CONFIG_TOPIC, "orders", "retention.ms"));
    apply_refused(img, &remove, "no such topic id");

    meta_record_t unregister = {.type = META_UNREGISTER_BROKER, .broker = {.id = 1, .epoch = 11}};
    apply_ok(img, &unregister);
    assert_int_equal(meta_image_broker_count(img), 1);
    meta_image_destroy(img);
}

/* A snapshot restores to the same image: the same bytes again, and the
 * same answers. */
static void test_image_snapshot(void **state)
{
    meta_image_t *img = image_sample();
    buf_writer_t a, b;
    buf_writer_init(&a, 256);
    meta_image_snapshot(img, &a);

    meta_image_t *copy = meta_image_create();
    char err[200];
    if (!meta_image_restore(copy, a.data, a.len, err, sizeof(err))) {
        fail_msg("%s", err);
    }
    buf_writer_init(&b, 256);
    meta_image_snapshot(copy, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(meta_image_broker_count(copy), 2);
    assert_int_equal(meta_image_topic_find(copy, "orders")->parts[1].leader, 2);
    assert_string_equal(meta_image_config(copy, META_CONFIG_TOPIC, "orders", "retention.ms"), "1000");

    /* A malformed snapshot leaves the image as it was. */
    assert_false(meta_image_restore(copy, a.data, a.len - 1, err, sizeof(err)));
    assert_int_equal(meta_image_broker_count(copy), 2);

    /* An empty image snapshots to an entry of no records. */
    meta_image_t *empty = meta_image_create();
    buf_writer_release(&b);
    buf_writer_init(&b, 16);
    meta_image_snapshot(empty, &b);
    assert_int_equal(b.len, 1);
    assert_int_equal(b.data[0], 0);
    assert_true(meta_image_restore(copy, b.data, b.len, err, sizeof(err)));
    assert_int_equal(meta_image_broker_count(copy), 0);

    buf_writer_release(&a);
    buf_writer_release(&b);
    meta_image_destroy(empty);
    meta_image_destroy(copy);
    meta_image_destroy(img);
}

/* New topics' replicas go round-robin over the unfenced brokers, the leader
 * one broker further with each partition; fenced brokers get none. */
static void test_image_assign(void **state)
{
    meta_image_t *img = meta_image_create();
    meta_endpoint_t ep = {.name = "PLAINTEXT", .host = "h", .port = 1};
    for (int32_t id = 1; id <= 4; id++) {
        meta_record_t reg = {
            .type = META_REGISTER_BROKER,
            .register_broker = {
                .broker_id = id, .broker_epoch = 10 + id, .endpoints = &ep, .n_endpoints = 1, .fenced = true}};
        apply_ok(img, &reg);
        if (id != 3) {
            meta_record_t unfence = {.type = META_UNFENCE_BROKER, .broker = {.id = id, .epoch = 10 + id}};
            apply_ok(img, &unfence);
        }
    }
    int32_t one[6];
    char err[200];
    assert_true(meta_image_assign(img, 6, 1, 0, one, err, sizeof(err)));
    int32_t want_one[] = {1, 2, 4, 1, 2, 4};
    assert_memory_equal(one, want_one, sizeof(one));

    int32_t three[4 * 3];
    assert_true(meta_image_assign(img, 4, 3, 2, three, err, sizeof(err)));
    int32_t want_three[] = {4, 1, 2, 1, 2, 4, 2, 4, 1, 4, 1, 2};
    assert_memory_equal(three, want_three, sizeof(three));

    /* Broker 3 is fenced: three brokers can hold at most three replicas. */
    int32_t four[4];
    assert_false(meta_image_assign(img, 1, 4, 0, four, err, sizeof(err)));
    assert_non_null(
        strstr(err, "The target replication factor of 4 cannot be reached because only 3 broker(s) are registered"));
    assert_false(meta_image_assign(img, 1, 0, 0, four, err, sizeof(err)));

    meta_image_t *none = meta_image_create();
    assert_false(meta_image_assign(none, 1, 1, 0, four, err, sizeof(err)));
    assert_non_null(strstr(err, "only 0 broker(s) are registered"));
    meta_image_destroy(none);
    meta_image_destroy(img);
}

/* Applies the records meta_image_elect gives, and returns their count. */
static size_t elect_apply(meta_image_t *img, const int32_t *gone, size_t n_gone, int32_t back)
{
    arena_t *arena = arena_create(1024);
    meta_record_t *recs;
    size_t n = meta_image_elect(img, gone, n_gone, back, arena, &recs);
    for (size_t i = 0; i < n; i++) {
        apply_ok(img, &recs[i]);
    }
    arena_destroy(arena);
    return n;
}

/* A fenced broker leaves the ISRs and its leaderships go to the next ISR
 * member; the last member of an ISR stays, the partition without leader
 * until it comes back (no unclean election). */
static void test_image_elect(void **state)
{
    (void)state;
    meta_image_t *img = meta_image_create();
    meta_endpoint_t ep = {.name = "PLAINTEXT", .host = "h", .port = 1};
    for (int32_t id = 1; id <= 3; id++) {
        meta_record_t reg = {
            .type = META_REGISTER_BROKER,
            .register_broker = {.broker_id = id, .broker_epoch = id, .endpoints = &ep, .n_endpoints = 1}};
        apply_ok(img, &reg);
    }
    meta_record_t topic = {.type = META_TOPIC, .topic = {.name = "a", .topic_id = topic_a}};
    apply_ok(img, &topic);
    const int32_t reps0[] = {1, 2, 3}, reps1[] = {2, 3, 1};
    meta_record_t p0 = {.type = META_PARTITION,
                        .partition = {.partition_id = 0,
                                      .topic_id = topic_a,
                                      .replicas = reps0,
                                      .n_replicas = 3,
                                      .isr = reps0,
                                      .n_isr = 3,
                                      .leader = 1}};
    meta_record_t p1 = {.type = META_PARTITION,
                        .partition = {.partition_id = 1,
                                      .topic_id = topic_a,
                                      .replicas = reps1,
                                      .n_replicas = 3,
                                      .isr = reps1,
                                      .n_isr = 3,
                                      .leader = 2}};
    apply_ok(img, &p0);
    apply_ok(img, &p1);

    const int32_t one = 1;
    meta_record_t fence = {.type = META_FENCE_BROKER, .broker = {.id = 1, .epoch = 1}};
    apply_ok(img, &fence);
    assert_int_equal(elect_apply(img, &one, 1, -1), 2);
    const meta_topic_t *t = meta_image_topic_find(img, "a");
    assert_int_equal(t->parts[0].leader, 2);
    assert_int_equal(t->parts[0].leader_epoch, 1);
    assert_int_equal(t->parts[0].n_isr, 2);
    assert_int_equal(t->parts[1].leader, 2); /* only its ISR changed */
    assert_int_equal(t->parts[1].leader_epoch, 0);
    assert_int_equal(t->parts[1].n_isr, 2);

    /* Brokers 2 and 3 go at once: the ISRs would be empty, so they stay as
     * they were, and the partitions have no leader. */
    const int32_t both[] = {2, 3};
    assert_int_equal(elect_apply(img, both, 2, -1), 2);
    assert_int_equal(t->parts[0].leader, -1);
    assert_int_equal(t->parts[0].n_isr, 2);

    /* 3 comes back: it is in the ISR, so it leads again; 1 never would. */
    meta_record_t unfence = {.type = META_UNFENCE_BROKER, .broker = {.id = 1, .epoch = 1}};
    apply_ok(img, &unfence);
    assert_int_equal(elect_apply(img, NULL, 0, 1), 0);
    assert_int_equal(elect_apply(img, NULL, 0, 3), 2);
    assert_int_equal(t->parts[0].leader, 3);
    assert_int_equal(t->parts[1].leader, 3);
    meta_image_destroy(img);
}

static int16_t alter_check(const meta_image_t *img, int32_t broker, int64_t broker_epoch, int32_t leader_epoch,
                           const int32_t *isr, int32_t n_isr, int16_t *part_error)
{
    const meta_partition_t *p;
    return meta_image_check_alter_partition(img, broker, broker_epoch, &topic_a, 0, leader_epoch, 0, isr, n_isr,
                                            part_error, &p);
}

static void test_image_check_alter_partition(void **state)
{
    (void)state;
    meta_image_t *img = meta_image_create();
    meta_endpoint_t ep = {.name = "PLAINTEXT", .host = "h", .port = 1};
    for (int32_t id = 1; id <= 3; id++) {
        meta_record_t reg = {
            .type = META_REGISTER_BROKER,
            .register_broker = {.broker_id = id, .broker_epoch = 10 + id, .endpoints = &ep, .n_endpoints = 1}};
        apply_ok(img, &reg);
    }
    meta_record_t topic = {.type = META_TOPIC, .topic = {.name = "a", .topic_id = topic_a}};
    apply_ok(img, &topic);
    const int32_t reps[] = {1, 2, 3};
    meta_record_t p0 = {.type = META_PARTITION,
                        .partition = {.partition_id = 0,
                                      .topic_id = topic_a,
                                      .replicas = reps,
                                      .n_replicas = 3,
                                      .isr = reps,
                                      .n_isr = 3,
                                      .leader = 1}};
    apply_ok(img, &p0);
    int16_t err;
    const int32_t shrink[] = {1, 2};
    assert_int_equal(alter_check(img, 1, 11, 0, shrink, 2, &err), KERR_NONE);
    assert_int_equal(err, KERR_NONE);
    /* -1 is no wildcard for the broker epoch. */
    assert_int_equal(alter_check(img, 1, -1, 0, shrink, 2, &err), KERR_STALE_BROKER_EPOCH);
    assert_int_equal(alter_check(img, 1, 12, 0, shrink, 2, &err), KERR_STALE_BROKER_EPOCH);
    /* A replica named twice would count twice towards min.insync.replicas. */
    const int32_t twice[] = {1, 2, 2};
    assert_int_equal(alter_check(img, 1, 11, 0, twice, 3, &err), KERR_NONE);
    assert_int_equal(err, KERR_INVALID_REQUEST);
    const int32_t no_leader[] = {2, 3};
    assert_int_equal(alter_check(img, 1, 11, 0, no_leader, 2, &err), KERR_NONE);
    assert_int_equal(err, KERR_INVALID_REQUEST);
    const int32_t stranger[] = {1, 4};
    assert_int_equal(alter_check(img, 1, 11, 0, stranger, 2, &err), KERR_NONE);
    assert_int_equal(err, KERR_INELIGIBLE_REPLICA);
    assert_int_equal(alter_check(img, 2, 12, 0, shrink, 2, &err), KERR_NONE);
    assert_int_equal(err, KERR_NOT_LEADER_OR_FOLLOWER);
    assert_int_equal(alter_check(img, 1, 11, 1, shrink, 2, &err), KERR_NONE);
    assert_int_equal(err, KERR_FENCED_LEADER_EPOCH);
    meta_image_destroy(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_encode),  cmocka_unit_test(test_vectors_decode),
        cmocka_unit_test(test_decode_refusals), cmocka_unit_test(test_image_apply),
        cmocka_unit_test(test_image_snapshot),  cmocka_unit_test(test_image_assign),
        cmocka_unit_test(test_image_elect),     cmocka_unit_test(test_image_check_alter_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
