/* test_worker_config.c - the worker's rows (worker_config.c): the table is
 * sound, values are read through it with their defaults, an empty value
 * takes the default, and a malformed one stops start-up naming the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/worker_config.h"

static void test_rows_are_sound(void **state)
{
    char err[256];
    if (!config_def_table_check(worker_config_defs, err, sizeof(err))) {
        fail_msg("%s", err);
    }
}

static void test_defaults_and_values(void **state)
{
    properties_t *props = properties_create();
    worker_config_t cfg;
    char err[256];
    assert_true(worker_config_init(&cfg, props, err, sizeof(err)));
    assert_null(cfg.bootstrap_servers);
    assert_string_equal(cfg.key_converter, "org.apache.kafka.connect.json.JsonConverter");
    assert_string_equal(cfg.listeners, "http://:8083");
    assert_true(cfg.topic_tracking && cfg.topic_tracking_reset);
    assert_true(cfg.offset_flush_interval_ms == 60000);
    assert_true(cfg.task_shutdown_timeout_ms == 5000);
    worker_config_free(&cfg);

    properties_set(props, "bootstrap.servers", "a:1 , b:2");
    properties_set(props, "offset.flush.interval.ms", " 500");
    properties_set(props, "topic.tracking.enable", "FALSE");
    properties_set(props, "listeners", ""); /* empty: the default */
    assert_true(worker_config_init(&cfg, props, err, sizeof(err)));
    assert_string_equal(cfg.bootstrap_servers, "a:1,b:2");
    assert_true(cfg.offset_flush_interval_ms == 500);
    assert_false(cfg.topic_tracking);
    assert_string_equal(cfg.listeners, "http://:8083");
    worker_config_free(&cfg);
    properties_destroy(props);
}

static void test_malformed_values(void **state)
{
    static const struct {
        const char *key, *value, *message;
    } cases[] = {
        {"offset.flush.interval.ms", "soon",
         "offset.flush.interval.ms: expected an integer between 0 and 9223372036854775807, got 'soon'"},
        {"offset.flush.timeout.ms", "-1",
         "offset.flush.timeout.ms: expected an integer between 0 and 9223372036854775807, got '-1'"},
        {"topic.tracking.allow.reset", "maybe", "topic.tracking.allow.reset: expected true or false, got 'maybe'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        properties_t *props = properties_create();
        properties_set(props, cases[i].key, cases[i].value);
        worker_config_t cfg;
        char err[256] = "";
        assert_false(worker_config_init(&cfg, props, err, sizeof(err)));
        assert_string_equal(err, cases[i].message);
        assert_null(cfg.key_converter); /* init freed what it filled */
        properties_destroy(props);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_are_sound),
        cmocka_unit_test(test_defaults_and_values),
        cmocka_unit_test(test_malformed_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
