/* Unit tests for config.c: every row's default passes its own validator,
 * bounds and messages, synonyms, Kafka's retention precedence, and the
 * topic-over-broker resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"

static void test_defaults_are_valid(void **state)
{
    broker_config_t *cfg = broker_config_create();
    char err[256];
    for (const cfg_def_t *def = broker_config_defs; def->name; def++) {
        assert_non_null(def->doc);
        if (def->default_value &&
            broker_config_set(cfg, def->name, def->default_value, err, sizeof(err)) != CFG_SET_OK) {
            fail_msg("default of %s is rejected: %s", def->name, err);
        }
    }
    for (const cfg_def_t *def = topic_config_defs; def->name; def++) {
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
    cfg_set_result_t want;
    const char *message_part;
} set_cases[] = {
    {"num.partitions", "abc", CFG_SET_INVALID, "num.partitions: expected an integer"},
    {"num.partitions", "0", CFG_SET_INVALID, "between 1 and"},
    {"num.partitions", "12x", CFG_SET_INVALID, "got '12x'"},
    {"log.segment.bytes", "99999999999", CFG_SET_INVALID, "log.segment.bytes"},
    {"auto.create.topics.enable", "yes", CFG_SET_INVALID, "expected true or false"},
    {"auto.create.topics.enable", "FALSE", CFG_SET_OK, NULL},
    {"listeners", "localhost:9092", CFG_SET_INVALID, "expected PLAINTEXT://host:port"},
    {"listeners", "PLAINTEXT://:99999", CFG_SET_INVALID, "listeners"},
    {"listeners", "PLAINTEXT://127.0.0.1:0", CFG_SET_OK, NULL},
    {"compression.type", "brotli", CFG_SET_INVALID, "expected one of producer"},
    {"broker.id", "7", CFG_SET_OK, NULL},
    {"log.dir", "/tmp/x", CFG_SET_OK, NULL},
    {"no.such.key", "1", CFG_SET_UNKNOWN, NULL},
    {"zookeeper.connect", "localhost:2181", CFG_SET_OK, NULL},
};

static void test_set_validation(void **state)
{
    for (size_t i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
        broker_config_t *cfg = broker_config_create();
        char err[256] = "";
        cfg_set_result_t got = broker_config_set(cfg, set_cases[i].key, set_cases[i].value, err, sizeof(err));
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
    assert_int_equal(broker_config_set(cfg, "broker.id", "7", err, sizeof(err)), CFG_SET_OK);
    assert_int_equal(broker_config_set(cfg, "log.dirs", "/a,/b", err, sizeof(err)), CFG_SET_OK);
    assert_int_equal(broker_config_set(cfg, "log.dir", "/c", err, sizeof(err)), CFG_SET_OK); /* loses */
    assert_true(broker_config_finish(cfg, err, sizeof(err)));
    assert_int_equal(cfg->node_id, 7);
    assert_string_equal(cfg->log_dirs, "/a,/b");
    const cfg_def_t *def = cfg_def_find(broker_config_defs, "node.id");
    assert_int_equal(broker_config_source(cfg, def), CFG_SOURCE_STATIC_BROKER);
    def = cfg_def_find(broker_config_defs, "num.partitions");
    assert_int_equal(broker_config_source(cfg, def), CFG_SOURCE_DEFAULT);
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
    plog_config_t plc;
    topic_config_resolve(cfg, overrides, 2, &plc);
    assert_true(plc.segment_bytes == 1000000);
    assert_true(plc.retention_ms == 600000);
    assert_true(plc.retention_bytes == 5000);
    assert_true(plc.segment_ms == 60000);
    assert_int_equal(topic_config_max_message_bytes(cfg, overrides, 2), 1048588);
    cfg_source_t source;
    const cfg_def_t *def = cfg_def_find(topic_config_defs, "retention.bytes");
    assert_string_equal(topic_config_value(cfg, overrides, 2, def, buf, sizeof(buf), &source), "5000");
    assert_int_equal(source, CFG_SOURCE_DYNAMIC_TOPIC);
    def = cfg_def_find(topic_config_defs, "segment.bytes");
    assert_string_equal(topic_config_value(cfg, overrides, 2, def, buf, sizeof(buf), &source), "1000000");
    assert_int_equal(source, CFG_SOURCE_STATIC_BROKER);
    def = cfg_def_find(topic_config_defs, "max.message.bytes");
    topic_config_value(cfg, overrides, 2, def, buf, sizeof(buf), &source);
    assert_int_equal(source, CFG_SOURCE_DEFAULT);
    assert_false(topic_config_validate("compression.type", "gzip", err, sizeof(err)));
    assert_non_null(strstr(err, "only 'producer'"));
    assert_false(topic_config_validate("retention.ms", "soon", err, sizeof(err)));
    assert_false(topic_config_validate("no.such", "1", err, sizeof(err)));
    assert_true(topic_config_validate("cleanup.policy", "compact", err, sizeof(err)));
    broker_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_valid),   cmocka_unit_test(test_set_validation),
        cmocka_unit_test(test_synonyms),             cmocka_unit_test(test_retention_precedence),
        cmocka_unit_test(test_topic_resolution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
