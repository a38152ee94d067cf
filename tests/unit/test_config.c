/* Unit tests for broker/config (broker_config.c, topic_config.c): every row's default passes its own validator,
 * bounds and messages, synonyms, Kafka's retention precedence, and the
 * topic-over-broker resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/broker_config.h"
#include "config/topic_config.h"
#include "records/batch.h"

static void test_defaults_are_valid(void **state)
{
    broker_config_t *cfg = broker_config_create();
    char err[256];
    for (const config_def_t *def = broker_config_defs; def->name; def++) {
        assert_non_null(def->doc);
        if (def->default_value &&
            broker_config_set(cfg, def->name, def->default_value, err, sizeof(err)) != BROKER_CONFIG_SET_OK) {
            fail_msg("default of %s is rejected: %s", def->name, err);
        }
    }
    for (const config_def_t *def = topic_config_defs; def->name; def++) {
        if (!topic_config_validate(def->name, def->default_value, err, sizeof(err))) {
            fail_msg("default of topic key %s is rejected: %s", def->name, err);
        }
    }
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_int_equal(cfg->num_network_threads, 3);
    assert_true(cfg->log_retention_ms == 168LL * 3600000);
    assert_string_equal(cfg->listeners, "PLAINTEXT://:9092");
    broker_config_destroy(cfg);
}

static const struct {
    const char *key;
    const char *value;
    broker_config_set_result_t want;
    const char *message_part;
} set_cases[] = {
    {"num.partitions", "abc", BROKER_CONFIG_SET_INVALID, "num.partitions: expected an integer"},
    {"num.partitions", "0", BROKER_CONFIG_SET_INVALID, "between 1 and"},
    {"num.partitions", "12x", BROKER_CONFIG_SET_INVALID, "got '12x'"},
    {"log.segment.bytes", "99999999999", BROKER_CONFIG_SET_INVALID, "log.segment.bytes"},
    {"auto.create.topics.enable", "yes", BROKER_CONFIG_SET_INVALID, "expected true or false"},
    {"auto.create.topics.enable", "FALSE", BROKER_CONFIG_SET_OK, NULL},
    {"listeners", "localhost:9092", BROKER_CONFIG_SET_INVALID, "expected PLAINTEXT://host:port"},
    {"listeners", "PLAINTEXT://:99999", BROKER_CONFIG_SET_INVALID, "listeners"},
    {"listeners", "PLAINTEXT://127.0.0.1:0", BROKER_CONFIG_SET_OK, NULL},
    {"compression.type", "brotli", BROKER_CONFIG_SET_INVALID, "expected one of producer"},
    {"broker.id", "7", BROKER_CONFIG_SET_OK, NULL},
    {"log.dir", "/tmp/x", BROKER_CONFIG_SET_OK, NULL},
    {"no.such.key", "1", BROKER_CONFIG_SET_UNKNOWN, NULL},
    {"zookeeper.connect", "localhost:2181", BROKER_CONFIG_SET_OK, NULL},
    /* The properties parser keeps trailing whitespace (as Java); values are
     * trimmed here, as Kafka's ConfigDef does. */
    {"num.partitions", " 3 \t", BROKER_CONFIG_SET_OK, NULL},
    {"auto.create.topics.enable", "true ", BROKER_CONFIG_SET_OK, NULL},
    {"listeners", "PLAINTEXT://:9092 , CONTROLLER://:9093", BROKER_CONFIG_SET_OK, NULL},
    {"listeners", "PLAINTEXT://[::1]:9092", BROKER_CONFIG_SET_OK, NULL},
    {"listeners", "PLAINTEXT://my-host.example.com:9092", BROKER_CONFIG_SET_OK, NULL},
    {"listeners", "PLAINTEXT://:9092,", BROKER_CONFIG_SET_INVALID, "listeners: expected PLAINTEXT://host:port"},
    {"listeners", "PLAINTEXT://a b:9092", BROKER_CONFIG_SET_INVALID, "got 'PLAINTEXT://a b:9092'"},
    {"listeners", "PLAINTEXT://:65536", BROKER_CONFIG_SET_INVALID, "listeners"},
    {"listeners", "PLAINTEXT://:", BROKER_CONFIG_SET_INVALID, "listeners"},
    {"listeners", "://:9092", BROKER_CONFIG_SET_INVALID, "listeners"},
    {"listeners", "PLAINTEXT://:+1", BROKER_CONFIG_SET_INVALID, "listeners"},
    {"listeners", "", BROKER_CONFIG_SET_INVALID, "listeners"},
    {"advertised.listeners", "PLAINTEXT://host", BROKER_CONFIG_SET_INVALID, "advertised.listeners: expected"},
    {"node.id", "-", BROKER_CONFIG_SET_INVALID, "node.id: expected an integer between 0 and 2147483647, got '-'"},
    {"socket.request.max.bytes", "99999999999999", BROKER_CONFIG_SET_INVALID, "socket.request.max.bytes"},
    {"log.retention.ms", "1.5", BROKER_CONFIG_SET_INVALID, "log.retention.ms"},
    {"log.retention.ms", "99999999999999999999", BROKER_CONFIG_SET_INVALID, "log.retention.ms"},
    {"log.retention.ms", "-2", BROKER_CONFIG_SET_INVALID, "between -1 and"},
    {"num.network.threads", "0", BROKER_CONFIG_SET_INVALID, "between 1 and 64"},
    {"num.network.threads", "64", BROKER_CONFIG_SET_OK, NULL},
    {"num.network.threads", "65", BROKER_CONFIG_SET_INVALID, "num.network.threads"},
    {"log.segment.bytes", "13", BROKER_CONFIG_SET_INVALID, "between 14 and 2147483647"},
    {"log.dirs", " , ", BROKER_CONFIG_SET_INVALID, "log.dirs"},
    {"compression.type", "zstd", BROKER_CONFIG_SET_OK, NULL},
};

static void test_set_validation(void **state)
{
    for (size_t i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
        broker_config_t *cfg = broker_config_create();
        char err[256] = "";
        broker_config_set_result_t got = broker_config_set(cfg, set_cases[i].key, set_cases[i].value, err, sizeof(err));
        if (got != set_cases[i].want) {
            fail_msg("%s=%s: got %d, want %d (%s)", set_cases[i].key, set_cases[i].value, got, set_cases[i].want,
                     err);
        }
        if (set_cases[i].message_part && !strstr(err, set_cases[i].message_part)) {
            fail_msg("%s=%s: message '%s' lacks '%s'", set_cases[i].key, set_cases[i].value, err,
                     set_cases[i].message_part);
        }
        broker_config_destroy(cfg);
    }
}

static void test_synonyms(void **state)
{
    broker_config_t *cfg = broker_config_create();
    char err[256];
    assert_int_equal(broker_config_set(cfg, "broker.id", "7", err, sizeof(err)), BROKER_CONFIG_SET_OK);
    assert_int_equal(broker_config_set(cfg, "log.dirs", "/a,/b", err, sizeof(err)), BROKER_CONFIG_SET_OK);
    assert_int_equal(broker_config_set(cfg, "log.dir", "/c", err, sizeof(err)), BROKER_CONFIG_SET_OK); /* loses */
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_int_equal(cfg->node_id, 7);
    assert_string_equal(cfg->log_dirs, "/a,/b");
    const config_def_t *def = config_def_find(broker_config_defs, "node.id");
    assert_int_equal(broker_config_source(cfg, def), BROKER_CONFIG_SOURCE_STATIC_BROKER);
    def = config_def_find(broker_config_defs, "num.partitions");
    assert_int_equal(broker_config_source(cfg, def), BROKER_CONFIG_SOURCE_DEFAULT);
    broker_config_destroy(cfg);
}

/* What DescribeConfigs shows: the canonical form of what was set. */
static void test_values_are_canonical(void **state)
{
    static const struct {
        const char *key, *value, *shown;
    } cases[] = {
        {"num.partitions", "+007", "7"},
        {"delete.topic.enable", " FALSE", "false"},
        {"log.dirs", " /a , /b c ", "/a,/b c"},
        {"zookeeper.connect", "zk:2181 ", "zk:2181"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        broker_config_t *cfg = broker_config_create();
        char err[256], buf[64];
        assert_int_equal(broker_config_set(cfg, cases[i].key, cases[i].value, err, sizeof(err)), BROKER_CONFIG_SET_OK);
        assert_true(broker_config_finish(cfg, err, sizeof(err)));
        const config_def_t *def = config_def_find(broker_config_defs, cases[i].key);
        assert_string_equal(broker_config_value(cfg, def, buf, sizeof(buf)), cases[i].shown);
        broker_config_destroy(cfg);
    }
}

static void test_synonym_last_wins(void **state)
{
    /* An --override comes after the file's keys, so the later of the two
     * synonyms is the one the user meant. */
    broker_config_t *cfg = broker_config_create();
    char err[256];
    broker_config_set(cfg, "node.id", "6", err, sizeof(err));
    broker_config_set(cfg, "broker.id", "5", err, sizeof(err));
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_int_equal(cfg->node_id, 5);
    /* log.dir only counts while log.dirs is unset, in either order (Kafka). */
    broker_config_set(cfg, "log.dir", "/one", err, sizeof(err));
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_string_equal(cfg->log_dirs, "/one");
    broker_config_set(cfg, "log.dirs", "/two", err, sizeof(err));
    broker_config_set(cfg, "log.dir", "/three", err, sizeof(err));
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_string_equal(cfg->log_dirs, "/two");
    broker_config_destroy(cfg);
}

static void test_rows_are_consistent(void **state)
{
    for (const config_def_t *def = broker_config_defs; def->name; def++) {
        assert_true(config_def_find(broker_config_defs, def->name) == def); /* no duplicate names */
        assert_true(def->min <= def->max);
        if (def->type == CONFIG_DEF_INT) {
            assert_true(def->min >= INT32_MIN && def->max <= INT32_MAX);
        }
    }
    char err[256];
    if (!config_def_table_check(broker_config_defs, err, sizeof(err)) ||
        !config_def_table_check(topic_config_defs, err, sizeof(err))) {
        fail_msg("%s", err);
    }
    for (const config_def_t *def = topic_config_defs; def->name; def++) {
        assert_true(config_def_find(topic_config_defs, def->name) == def);
        assert_non_null(def->default_value);
        assert_non_null(def->doc);
    }
}

/* Derived keys show their effective value and count as set when a synonym is. */
static void test_derived_value_and_source(void **state)
{
    broker_config_t *cfg = broker_config_create();
    char err[256], buf[64];
    const config_def_t *ms = config_def_find(broker_config_defs, "log.retention.ms");
    const config_def_t *roll = config_def_find(broker_config_defs, "log.roll.ms");
    const config_def_t *flush = config_def_find(broker_config_defs, "log.flush.interval.ms");
    assert_string_equal(broker_config_value(cfg, ms, buf, sizeof(buf)), "604800000");
    assert_int_equal(broker_config_source(cfg, ms), BROKER_CONFIG_SOURCE_DEFAULT);
    assert_string_equal(broker_config_value(cfg, roll, buf, sizeof(buf)), "604800000");
    assert_null(broker_config_value(cfg, flush, buf, sizeof(buf)));
    broker_config_set(cfg, "log.retention.hours", "1", err, sizeof(err));
    broker_config_set(cfg, "log.roll.hours", "2", err, sizeof(err));
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_string_equal(broker_config_value(cfg, ms, buf, sizeof(buf)), "3600000");
    assert_int_equal(broker_config_source(cfg, ms), BROKER_CONFIG_SOURCE_STATIC_BROKER);
    assert_string_equal(broker_config_value(cfg, roll, buf, sizeof(buf)), "7200000");
    assert_int_equal(broker_config_source(cfg, roll), BROKER_CONFIG_SOURCE_STATIC_BROKER);
    broker_config_destroy(cfg);
}

static void test_retention_precedence(void **state)
{
    struct {
        const char *hours, *minutes, *ms;
        int64_t want;
    } cases[] = {
        {NULL, NULL, NULL, 168LL * 3600000}, {"1", NULL, NULL, 3600000},
        {"1", "2", NULL, 120000},            {"1", "2", "5", 5},
        {"-1", NULL, NULL, -1},              {NULL, NULL, "-1", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        broker_config_t *cfg = broker_config_create();
        char err[256];
        if (cases[i].hours) {
            broker_config_set(cfg, "log.retention.hours", cases[i].hours, err, sizeof(err));
        }
        if (cases[i].minutes) {
            broker_config_set(cfg, "log.retention.minutes", cases[i].minutes, err, sizeof(err));
        }
        if (cases[i].ms) {
            broker_config_set(cfg, "log.retention.ms", cases[i].ms, err, sizeof(err));
        }
        assert_true(broker_config_finish(cfg, err, sizeof(err)));
        assert_true(cfg->log_retention_ms == cases[i].want);
        broker_config_destroy(cfg);
    }
}

static void test_topic_resolution(void **state)
{
    broker_config_t *cfg = broker_config_create();
    char err[256], buf[64];
    broker_config_set(cfg, "log.segment.bytes", "1000000", err, sizeof(err));
    broker_config_set(cfg, "log.retention.minutes", "10", err, sizeof(err));
    broker_config_finish(cfg, err, sizeof(err));
    topic_config_kv_t overrides[] = {{"retention.bytes", "5000"}, {"segment.ms", "60000"}};
    topic_config_t tc;
    topic_config_resolve(cfg, overrides, 2, &tc);
    assert_true(tc.log.segment_bytes == 1000000);
    assert_true(tc.log.retention_ms == 600000);
    assert_true(tc.log.retention_bytes == 5000);
    assert_true(tc.log.segment_ms == 60000);
    assert_int_equal(tc.max_message_bytes, 1048588);
    broker_config_source_t source;
    const config_def_t *def = config_def_find(topic_config_defs, "retention.bytes");
    assert_string_equal(topic_config_value(cfg, overrides, 2, def, buf, sizeof(buf), &source), "5000");
    assert_int_equal(source, BROKER_CONFIG_SOURCE_DYNAMIC_TOPIC);
    def = config_def_find(topic_config_defs, "segment.bytes");
    assert_string_equal(topic_config_value(cfg, overrides, 2, def, buf, sizeof(buf), &source), "1000000");
    assert_int_equal(source, BROKER_CONFIG_SOURCE_STATIC_BROKER);
    def = config_def_find(topic_config_defs, "max.message.bytes");
    topic_config_value(cfg, overrides, 2, def, buf, sizeof(buf), &source);
    assert_int_equal(source, BROKER_CONFIG_SOURCE_DEFAULT);
    assert_true(topic_config_validate("compression.type", "gzip", err, sizeof(err)));
    assert_false(topic_config_validate("retention.ms", "soon", err, sizeof(err)));
    assert_false(topic_config_validate("no.such", "1", err, sizeof(err)));
    assert_true(topic_config_validate("cleanup.policy", "compact", err, sizeof(err)));
    broker_config_destroy(cfg);
}

/* message.timestamp.* fall back to the broker's log.message.timestamp.*. */
static void test_topic_timestamp_keys(void **state)
{
    broker_config_t *cfg = broker_config_create();
    char err[256];
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    topic_config_t tc;
    topic_config_resolve(cfg, NULL, 0, &tc);
    assert_int_equal(tc.message_timestamp_type, TOPIC_TIMESTAMP_CREATE_TIME);
    assert_true(tc.message_timestamp_difference_max_ms == INT64_MAX);
    broker_config_destroy(cfg);

    cfg = broker_config_create();
    broker_config_set(cfg, "log.message.timestamp.type", "LogAppendTime", err, sizeof(err));
    broker_config_set(cfg, "log.message.timestamp.difference.max.ms", "60000", err, sizeof(err));
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    topic_config_resolve(cfg, NULL, 0, &tc);
    assert_int_equal(tc.message_timestamp_type, TOPIC_TIMESTAMP_LOG_APPEND_TIME);
    assert_true(tc.message_timestamp_difference_max_ms == 60000);
    topic_config_kv_t overrides[] = {{"message.timestamp.type", "CreateTime"}};
    topic_config_resolve(cfg, overrides, 1, &tc);
    assert_int_equal(tc.message_timestamp_type, TOPIC_TIMESTAMP_CREATE_TIME);
    broker_config_destroy(cfg);
}

static const struct {
    const char *key, *value;
    bool ok;
    const char *message_part;
} topic_cases[] = {
    {"retention.ms", " 1000 ", true, NULL},
    {"retention.ms", "-1", true, NULL},
    {"retention.ms", "-2", false, "retention.ms: expected an integer between -1 and"},
    {"segment.bytes", "13", false, "between 14 and"},
    {"segment.ms", "0", false, "segment.ms"},
    {"cleanup.policy", "compact, delete", true, NULL},
    {"cleanup.policy", "delete,compact", true, NULL},
    {"cleanup.policy", "shred", false, "expected one of delete, compact"},
    {"compression.type", "producer", true, NULL},
    {"compression.type", "zstd", true, NULL},
    {"compression.type", "uncompressed", true, NULL},
    {"compression.gzip.level", "-1", true, NULL},
    {"compression.gzip.level", "9", true, NULL},
    {"compression.gzip.level", "0", false, "expected -1 (zlib's default) or a level between 1 and 9"},
    {"compression.gzip.level", "10", false, "compression.gzip.level: expected an integer between -1 and 9"},
    {"compression.lz4.level", "17", true, NULL},
    {"compression.lz4.level", "0", false, "between 1 and 17"},
    {"compression.zstd.level", "-131072", true, NULL},
    {"compression.zstd.level", "23", false, "between -131072 and 22"},
    {"compression.type", "brotli", false, "expected one of producer"},
    {"message.timestamp.type", "CreateTime", true, NULL},
    {"message.timestamp.type", "LogAppendTime", true, NULL},
    {"message.timestamp.type", "AppendTime", false, "expected one of CreateTime, LogAppendTime"},
    {"message.timestamp.difference.max.ms", "0", true, NULL},
    {"message.timestamp.difference.max.ms", "-1", false, "message.timestamp.difference.max.ms"},
    {"max.message.bytes", "12x", false, "got '12x'"},
    /* Kafka's compaction and message-format keys, accepted as tools set them. */
    {"delete.retention.ms", "900", true, NULL},
    {"delete.retention.ms", "-1", false, "delete.retention.ms"},
    {"min.cleanable.dirty.ratio", "0.01", true, NULL},
    {"min.cleanable.dirty.ratio", "1.5", false, "min.cleanable.dirty.ratio"},
    {"max.compaction.lag.ms", "100", true, NULL},
    {"message.format.version", "0.10.0.0", true, NULL},
    {"message.format.version", "2.4-IV1", true, NULL},
    {"message.format.version", "0.10", true, NULL},
    {"message.format.version", "10", false, "expected a Kafka version"},
    {"message.format.version", "0.10.x", false, "expected a Kafka version"},
    {"message.format.version", "2.4-IV", false, "expected a Kafka version"},
    {"no.such", "1", false, "no.such"},
};

static void test_topic_validation(void **state)
{
    for (size_t i = 0; i < sizeof(topic_cases) / sizeof(topic_cases[0]); i++) {
        char err[256] = "";
        if (topic_config_validate(topic_cases[i].key, topic_cases[i].value, err, sizeof(err)) != topic_cases[i].ok) {
            fail_msg("%s=%s: want %s (%s)", topic_cases[i].key, topic_cases[i].value,
                     topic_cases[i].ok ? "valid" : "invalid", err);
        }
        if (topic_cases[i].message_part && !strstr(err, topic_cases[i].message_part)) {
            fail_msg("%s=%s: message '%s' lacks '%s'", topic_cases[i].key, topic_cases[i].value, err,
                     topic_cases[i].message_part);
        }
    }
}

static void test_topic_fallbacks(void **state)
{
    broker_config_t *cfg = broker_config_create();
    char err[256], buf[64];
    broker_config_source_t source;
    const config_def_t *retention = config_def_find(topic_config_defs, "retention.ms");
    const config_def_t *flush = config_def_find(topic_config_defs, "flush.ms");
    /* Nothing set: Kafka's defaults, from the broker's defaults. */
    assert_string_equal(topic_config_value(cfg, NULL, 0, retention, buf, sizeof(buf), &source), "604800000");
    assert_int_equal(source, BROKER_CONFIG_SOURCE_DEFAULT);
    assert_string_equal(topic_config_value(cfg, NULL, 0, flush, buf, sizeof(buf), &source), "9223372036854775807");
    assert_int_equal(source, BROKER_CONFIG_SOURCE_DEFAULT);
    /* A broker key set through a synonym is the topic's static default. */
    broker_config_set(cfg, "log.retention.hours", "-1", err, sizeof(err));
    broker_config_set(cfg, "log.flush.interval.ms", "1000", err, sizeof(err));
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_string_equal(topic_config_value(cfg, NULL, 0, retention, buf, sizeof(buf), &source), "-1");
    assert_int_equal(source, BROKER_CONFIG_SOURCE_STATIC_BROKER);
    assert_string_equal(topic_config_value(cfg, NULL, 0, flush, buf, sizeof(buf), &source), "1000");
    assert_int_equal(source, BROKER_CONFIG_SOURCE_STATIC_BROKER);
    /* The last of two overrides wins, shown trimmed. */
    topic_config_kv_t overrides[] = {{"segment.bytes", "5000"}, {"segment.bytes", " 6000 "}};
    const config_def_t *segment = config_def_find(topic_config_defs, "segment.bytes");
    assert_string_equal(topic_config_value(cfg, overrides, 2, segment, buf, sizeof(buf), &source), "6000");
    topic_config_t tc;
    topic_config_resolve(cfg, overrides, 2, &tc);
    assert_true(tc.log.segment_bytes == 6000);
    assert_true(tc.log.retention_ms == -1);
    assert_true(tc.log.retention_bytes == -1);
    assert_true(tc.log.index_interval_bytes == 4096);
    assert_true(tc.log.flush_interval_messages == INT64_MAX);
    broker_config_destroy(cfg);
}

/* compression.type falls back to the broker's, and each value names its
 * codec with the level of that codec's own key. */
static void test_topic_compression(void **state)
{
    static const struct {
        const char *type;
        int codec, level;
    } cases[] = {
        {"producer", -1, 0},           {"uncompressed", BATCH_CODEC_NONE, 0}, {"gzip", BATCH_CODEC_GZIP, 4},
        {"snappy", BATCH_CODEC_SNAPPY, 0}, {"lz4", BATCH_CODEC_LZ4, 9},       {"zstd", BATCH_CODEC_ZSTD, -7},
    };
    broker_config_t *cfg = broker_config_create();
    char err[256], buf[64];
    broker_config_set(cfg, "compression.type", "lz4", err, sizeof(err));
    broker_config_set(cfg, "compression.zstd.level", "-7", err, sizeof(err));
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    const config_def_t *type = config_def_find(topic_config_defs, "compression.type");
    broker_config_source_t source;
    assert_string_equal(topic_config_value(cfg, NULL, 0, type, buf, sizeof(buf), &source), "lz4");
    assert_int_equal(source, BROKER_CONFIG_SOURCE_STATIC_BROKER);
    topic_config_t tc;
    int level;
    topic_config_resolve(cfg, NULL, 0, &tc);
    assert_int_equal(topic_config_codec(&tc, &level), BATCH_CODEC_LZ4);
    assert_int_equal(level, 9);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        topic_config_kv_t overrides[] = {{"compression.type", (char *)cases[i].type},
                                         {"compression.gzip.level", "4"}};
        topic_config_resolve(cfg, overrides, 2, &tc);
        assert_int_equal(topic_config_codec(&tc, &level), cases[i].codec);
        assert_int_equal(level, cases[i].level);
    }
    broker_config_destroy(cfg);
}

/* KRaft mode's cross-checks, each refused with a message that names what
 * to fix; a sample node of etc/cluster/ passes. */
static void test_kraft_rules(void **state)
{
    static const char *const base[] = {
        "process.roles", "broker,controller",
        "node.id", "2",
        "listeners", "PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193",
        "controller.listener.names", "CONTROLLER",
        "controller.quorum.voters", "1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293",
        NULL,
    };
    static const struct {
        const char *key, *value; /* over base; value NULL removes the key */
        const char *message_part; /* NULL: finish succeeds */
    } cases[] = {
        {"num.partitions", "1", NULL},
        {"process.roles", "broker", "node.id 2 is a voter, but process.roles is only broker"},
        {"process.roles", "controller", "controller-only node is not supported yet"},
        {"node.id", NULL, "node.id: required with process.roles"},
        {"node.id", "4", "node.id 4 is not among the voters"},
        {"controller.quorum.voters", "1@127.0.0.1:9093,2@127.0.0.1:9193,2@127.0.0.1:9293",
         "voter id 2 is given twice"},
        {"controller.quorum.voters", "1@127.0.0.1:9193,2@127.0.0.1:9193", "share the address 127.0.0.1:9193"},
        {"controller.quorum.voters", "1@127.0.0.1:9093,2@127.0.0.1:9194", "this node's CONTROLLER listener is at port 9193"},
        {"controller.quorum.voters", NULL, "controller.quorum.voters: required on a controller"},
        {"controller.listener.names", "CTRL", "the controller listener CTRL is not in listeners"},
        {"controller.listener.names", NULL, "controller.listener.names: required"},
        {"listeners", "PLAINTEXT://:9192,PLAINTEXT://:9193", "the listener name PLAINTEXT is used twice"},
        {"inter.broker.listener.name", "CONTROLLER", "CONTROLLER is a controller listener"},
        {"inter.broker.listener.name", "INTERNAL", "the listener INTERNAL is not in listeners"},
        {"broker.heartbeat.interval.ms", "9000", "must be below broker.session.timeout.ms"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        broker_config_t *cfg = broker_config_create();
        char err[512] = "";
        for (size_t k = 0; base[k]; k += 2) {
            if (strcmp(base[k], cases[i].key) != 0) {
                assert_int_equal(broker_config_set(cfg, base[k], base[k + 1], err, sizeof(err)), BROKER_CONFIG_SET_OK);
            }
        }
        if (cases[i].value) {
            assert_int_equal(broker_config_set(cfg, cases[i].key, cases[i].value, err, sizeof(err)),
                             BROKER_CONFIG_SET_OK);
        }
        bool ok = broker_config_finish(cfg, err, sizeof(err));
        if (!cases[i].message_part) {
            if (!ok) {
                fail_msg("case %zu: %s", i, err);
            }
            assert_int_equal(cfg->roles, BROKER_ROLE_BROKER | BROKER_ROLE_CONTROLLER);
            assert_int_equal(cfg->n_voters, 3);
            assert_int_equal(cfg->voters[1].id, 2);
            assert_string_equal(cfg->voters[1].host, "127.0.0.1");
            assert_int_equal(cfg->voters[1].port, 9193);
        } else if (ok || !strstr(err, cases[i].message_part)) {
            fail_msg("case %zu (%s=%s): got '%s', want '%s'", i, cases[i].key, cases[i].value ? cases[i].value : "-",
                     ok ? "success" : err, cases[i].message_part);
        }
        broker_config_destroy(cfg);
    }
    /* A broker-only node: no vote, no controller listener; it needs the
     * voters (the quorum is static). */
    static const char *const broker_only[] = {
        "process.roles", "broker", "node.id", "7", "listeners", "PLAINTEXT://127.0.0.1:9392",
        "controller.listener.names", "CONTROLLER", "controller.quorum.bootstrap.servers", "127.0.0.1:9093", NULL,
    };
    for (int with_voters = 0; with_voters < 2; with_voters++) {
        broker_config_t *cfg = broker_config_create();
        char err[512] = "";
        for (size_t k = 0; broker_only[k]; k += 2) {
            assert_int_equal(broker_config_set(cfg, broker_only[k], broker_only[k + 1], err, sizeof(err)),
                             BROKER_CONFIG_SET_OK);
        }
        if (with_voters) {
            assert_int_equal(broker_config_set(cfg, "controller.quorum.voters", "1@127.0.0.1:9093", err, sizeof(err)),
                             BROKER_CONFIG_SET_OK);
            if (!broker_config_finish(cfg, err, sizeof(err))) {
                fail_msg("broker-only node refused: %s", err);
            }
            assert_int_equal(cfg->roles, BROKER_ROLE_BROKER);
        } else {
            assert_false(broker_config_finish(cfg, err, sizeof(err)));
            assert_non_null(strstr(err, "bootstrap.servers alone is not supported yet"));
        }
        broker_config_destroy(cfg);
    }
    /* Without process.roles nothing of this applies: today's single node. */
    broker_config_t *cfg = broker_config_create();
    char err[256];
    assert_int_equal(broker_config_set(cfg, "controller.quorum.voters", "1@h:1", err, sizeof(err)), BROKER_CONFIG_SET_OK);
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_int_equal(cfg->roles, 0);
    assert_int_equal(cfg->n_voters, 0);
    broker_config_destroy(cfg);
}

static void test_kraft_values(void **state)
{
    static const struct {
        const char *key, *value;
        broker_config_set_result_t want;
    } cases[] = {
        {"process.roles", "broker, controller", BROKER_CONFIG_SET_OK},
        {"process.roles", "zookeeper", BROKER_CONFIG_SET_INVALID},
        {"controller.quorum.voters", "1@[::1]:9093", BROKER_CONFIG_SET_OK},
        {"controller.quorum.voters", "1@host", BROKER_CONFIG_SET_INVALID},
        {"controller.quorum.voters", "x@host:1", BROKER_CONFIG_SET_INVALID},
        {"controller.quorum.voters", "1@:9093", BROKER_CONFIG_SET_INVALID},
        {"controller.quorum.voters", "99999999999@h:1", BROKER_CONFIG_SET_INVALID},
        {"controller.quorum.bootstrap.servers", "a:1,b:2", BROKER_CONFIG_SET_OK},
        {"controller.quorum.bootstrap.servers", "a", BROKER_CONFIG_SET_INVALID},
        {"controller.listener.names", "CONTROLLER", BROKER_CONFIG_SET_OK},
        {"controller.listener.names", "CONT ROLLER", BROKER_CONFIG_SET_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        broker_config_t *cfg = broker_config_create();
        char err[256] = "";
        broker_config_set_result_t got = broker_config_set(cfg, cases[i].key, cases[i].value, err, sizeof(err));
        if (got != cases[i].want) {
            fail_msg("%s=%s: got %d, want %d (%s)", cases[i].key, cases[i].value, got, cases[i].want, err);
        }
        broker_config_destroy(cfg);
    }
}

/* listener.security.protocol.map as Kafka's: the default map names the four
 * protocols after themselves (and controller listeners PLAINTEXT), an
 * explicit map replaces it, a listener without a protocol is refused, and
 * advertised listeners must be listeners. */
static void test_listener_security(void **state)
{
    static const struct {
        const char *listeners, *map, *controller, *advertised;
        const char *name;                    /* a listener to look up */
        broker_security_protocol_t want;     /* its protocol */
        const char *message_part;            /* NULL: finish succeeds */
    } cases[] = {
        {"PLAINTEXT://:9092", NULL, NULL, NULL, "PLAINTEXT", BROKER_SECURITY_PLAINTEXT, NULL},
        {"SSL://:9093", NULL, NULL, NULL, "SSL", BROKER_SECURITY_SSL, NULL},
        {"SASL_SSL://:9093", NULL, NULL, NULL, "SASL_SSL", BROKER_SECURITY_SASL_SSL, NULL},
        {"SASL_PLAINTEXT://:9093", NULL, NULL, NULL, "SASL_PLAINTEXT", BROKER_SECURITY_SASL_PLAINTEXT, NULL},
        {"PLAINTEXT://:9092,CONTROLLER://:9093", NULL, "CONTROLLER", NULL, "CONTROLLER", BROKER_SECURITY_PLAINTEXT,
         NULL},
        {"CLIENT://:9092", "CLIENT:ssl", NULL, NULL, "client", BROKER_SECURITY_SSL, NULL},
        {"CLIENT://:9092", NULL, NULL, NULL, NULL, 0,
         "listener.security.protocol.map: no security protocol for the listener CLIENT"},
        {"PLAINTEXT://:9092,CONTROLLER://:9093", NULL, NULL, NULL, NULL, 0, "add CONTROLLER:PLAINTEXT"},
        {"SSL://:9092", "PLAINTEXT:PLAINTEXT", NULL, NULL, NULL, 0, "no security protocol for the listener SSL"},
        {"PLAINTEXT://:9092", NULL, NULL, "EXTERNAL://h:9092", NULL, 0,
         "advertised.listeners: the listener EXTERNAL is not in listeners"},
        {"PLAINTEXT://:9092", NULL, NULL, "PLAINTEXT://h:9092", "PLAINTEXT", BROKER_SECURITY_PLAINTEXT, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        broker_config_t *cfg = broker_config_create();
        char err[512] = "";
        assert_int_equal(broker_config_set(cfg, "listeners", cases[i].listeners, err, sizeof(err)),
                         BROKER_CONFIG_SET_OK);
        if (cases[i].map) {
            assert_int_equal(broker_config_set(cfg, "listener.security.protocol.map", cases[i].map, err, sizeof(err)),
                             BROKER_CONFIG_SET_OK);
        }
        if (cases[i].controller) {
            assert_int_equal(broker_config_set(cfg, "controller.listener.names", cases[i].controller, err,
                                               sizeof(err)), BROKER_CONFIG_SET_OK);
        }
        if (cases[i].advertised) {
            assert_int_equal(broker_config_set(cfg, "advertised.listeners", cases[i].advertised, err, sizeof(err)),
                             BROKER_CONFIG_SET_OK);
        }
        bool ok = broker_config_finish(cfg, err, sizeof(err));
        if (cases[i].message_part) {
            if (ok || !strstr(err, cases[i].message_part)) {
                fail_msg("case %zu: got '%s', want '%s'", i, ok ? "success" : err, cases[i].message_part);
            }
        } else {
            if (!ok) {
                fail_msg("case %zu: %s", i, err);
            }
            broker_security_protocol_t proto;
            assert_true(broker_config_listener_protocol(cfg, cases[i].name, strlen(cases[i].name), &proto));
            assert_int_equal(proto, cases[i].want);
        }
        broker_config_destroy(cfg);
    }
    static const char *const bad_maps[] = {"PLAINTEXT", "PLAINTEXT:TLS", ":SSL", "A B:SSL", "X:SSL,", NULL};
    for (size_t i = 0; bad_maps[i]; i++) {
        broker_config_t *cfg = broker_config_create();
        char err[512] = "";
        assert_int_equal(broker_config_set(cfg, "listener.security.protocol.map", bad_maps[i], err, sizeof(err)),
                         BROKER_CONFIG_SET_INVALID);
        assert_non_null(strstr(err, "listener.security.protocol.map: expected NAME:PROTOCOL"));
        broker_config_destroy(cfg);
    }
    assert_string_equal(broker_security_protocol_name(BROKER_SECURITY_SASL_SSL), "SASL_SSL");
}

/* An ssl.* key may be given for one listener (listener.name.<name>.ssl.*,
 * checked as the key it ends with) and wins over the plain key for that
 * listener only. */
static void test_listener_prefixed_ssl_keys(void **state)
{
    broker_config_t *cfg = broker_config_create();
    char err[512] = "";
    assert_int_equal(broker_config_set(cfg, "ssl.client.auth", "requested", err, sizeof(err)), BROKER_CONFIG_SET_OK);
    assert_int_equal(broker_config_set(cfg, "listener.name.client.ssl.client.auth", "required", err, sizeof(err)),
                     BROKER_CONFIG_SET_OK);
    assert_int_equal(broker_config_set(cfg, "listener.name.client.ssl.client.auth", "always", err, sizeof(err)),
                     BROKER_CONFIG_SET_INVALID);
    assert_non_null(strstr(err, "listener.name.client.ssl.client.auth"));
    assert_int_equal(broker_config_set(cfg, "listener.name.client.no.such.key", "1", err, sizeof(err)),
                     BROKER_CONFIG_SET_UNKNOWN);
    assert_int_equal(broker_config_set(cfg, "listener.name.client.num.partitions", "1", err, sizeof(err)),
                     BROKER_CONFIG_SET_UNKNOWN);
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_string_equal(broker_config_listener_text(cfg, "CLIENT", "ssl.client.auth"), "required");
    assert_string_equal(broker_config_listener_text(cfg, "SSL", "ssl.client.auth"), "requested");
    assert_string_equal(broker_config_listener_text(cfg, "SSL", "ssl.enabled.protocols"), "TLSv1.2,TLSv1.3");
    assert_null(broker_config_listener_text(cfg, "SSL", "ssl.keystore.location"));
    broker_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_valid),   cmocka_unit_test(test_set_validation),
        cmocka_unit_test(test_synonyms),             cmocka_unit_test(test_synonym_last_wins),
        cmocka_unit_test(test_values_are_canonical), cmocka_unit_test(test_rows_are_consistent),
        cmocka_unit_test(test_derived_value_and_source), cmocka_unit_test(test_retention_precedence),
        cmocka_unit_test(test_topic_resolution),     cmocka_unit_test(test_topic_validation),
        cmocka_unit_test(test_topic_fallbacks),      cmocka_unit_test(test_topic_compression),
        cmocka_unit_test(test_topic_timestamp_keys),
        cmocka_unit_test(test_listener_security),
        cmocka_unit_test(test_listener_prefixed_ssl_keys),
        cmocka_unit_test(test_kraft_rules),          cmocka_unit_test(test_kraft_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
