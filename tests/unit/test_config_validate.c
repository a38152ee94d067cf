/* test_config_validate.c - settings against their rows (config_validate.h)
 * and whole connector configs (connector_config.h), with Kafka's values
 * and messages, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config_validate.h"
#include "herder/connector_config.h"
#include "herder/restart_policy.h"
#include "task/error_handler.h"
#include "transforms/transform_chain.h"

static const char *const modes[] = {"fast", "safe", NULL};
static const char *const formats[] = {"BASE64", "NUMERIC", NULL};

static config_def_problem_t not_tmp(const config_def_t *def, const char *name, const char *value,
                                    const char **canonical, char *why, size_t why_size)
{
    if (strcmp(value, "/tmp") == 0) {
        snprintf(why, why_size, "may not be /tmp");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

static const config_def_t rows[] = {
    {.name = "i", .type = CONFIG_DEF_INT, .default_value = "1", .has_min = true, .min = 1, .has_max = true, .max = 10},
    {.name = "s", .type = CONFIG_DEF_SHORT},
    {.name = "l", .type = CONFIG_DEF_LONG, .default_value = "-1"},
    {.name = "d", .type = CONFIG_DEF_DOUBLE, .default_value = "0.5"},
    {.name = "b", .type = CONFIG_DEF_BOOLEAN, .default_value = "TRUE"},
    {.name = "list", .type = CONFIG_DEF_LIST, .default_value = "", .choices = modes},
    {.name = "mode", .type = CONFIG_DEF_STRING, .default_value = "safe", .choices = modes},
    {.name = "fmt", .type = CONFIG_DEF_STRING, .default_value = "BASE64", .choices = formats,
     .flags = CONFIG_DEF_NOCASE},
    {.name = "secret", .type = CONFIG_DEF_PASSWORD},
    {.name = "req", .type = CONFIG_DEF_STRING, .flags = CONFIG_DEF_REQUIRED},
    {.name = "dir", .type = CONFIG_DEF_STRING, .validate = not_tmp},
    {.name = "pw", .type = CONFIG_DEF_PASSWORD, .validate = not_tmp},
    {.name = NULL},
};

typedef struct {
    const char *key, *value; /* the setting given (value NULL: not given) */
    const char *shown;       /* the value shown; NULL: null */
    const char *error;       /* the one error, or NULL */
} row_case_t;

static void test_rows(void **state)
{
    static const row_case_t cases[] = {
        /* Defaults, written back as Kafka would. */
        {"i", NULL, "1", NULL},
        {"l", NULL, "-1", NULL},
        {"d", NULL, "0.5", NULL},
        {"b", NULL, "true", NULL},
        {"list", NULL, "", NULL},
        {"s", NULL, NULL, NULL},
        {"secret", NULL, NULL, NULL},
        {"req", NULL, NULL, "Missing required configuration \"req\" which has no default value."},
        /* Values, trimmed and parsed. */
        {"i", " 7 ", "7", NULL},
        {"i", "+3", "3", NULL},
        {"i", "abc", NULL, "Invalid value abc for configuration i: Not a number of type INT"},
        {"i", "2147483648", NULL, "Invalid value 2147483648 for configuration i: Not a number of type INT"},
        {"i", "0", "0", "Invalid value 0 for configuration i: Value must be at least 1"},
        {"i", "11", "11", "Invalid value 11 for configuration i: Value must be no more than 10"},
        {"s", "32768", NULL, "Invalid value 32768 for configuration s: Not a number of type SHORT"},
        {"s", "-5", "-5", NULL},
        {"l", "9223372036854775807", "9223372036854775807", NULL},
        {"l", "1.5", NULL, "Invalid value 1.5 for configuration l: Not a number of type LONG"},
        {"d", "2", "2.0", NULL},
        {"d", "1e3", "1000.0", NULL},
        {"d", "-0.00125", "-0.00125", NULL},
        {"d", "12345678.5", "1.23456785E7", NULL},
        {"d", "1e-5", "1.0E-5", NULL},
        {"d", "0.1", "0.1", NULL},
        {"d", "2.50", "2.5", NULL},
        {"d", "x", NULL, "Invalid value x for configuration d: Not a number of type DOUBLE"},
        {"b", "False", "false", NULL},
        {"b", "yes", NULL, "Invalid value yes for configuration b: Expected value to be either true or false"},
        {"list", " fast ,safe ", "fast,safe", NULL},
        {"list", "fast,slow", "fast,slow", "Invalid value slow for configuration list: String must be one of: fast, "
                                           "safe"},
        {"mode", "Fast", "Fast", "Invalid value Fast for configuration mode: String must be one of: fast, safe"},
        {"fmt", "numeric", "numeric", NULL},
        {"fmt", "hex", "hex", "Invalid value hex for configuration fmt: String must be one of (case insensitive): "
                              "BASE64, NUMERIC"},
        {"secret", "hunter2", "[hidden]", NULL},
        {"req", "", "", NULL},
        {"dir", "/tmp", "/tmp", "Invalid value /tmp for configuration dir: may not be /tmp"},
        /* A password never shows, not even in a message. */
        {"pw", "/tmp", "[hidden]", "Invalid value [hidden] for configuration pw: may not be /tmp"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const row_case_t *c = &cases[i];
        properties_t *config = properties_create();
        if (c->value) {
            properties_set(config, c->key, c->value);
        }
        cv_result_t *res = cv_result_new();
        cv_validate_keys(res, rows, config, NULL, NULL);
        cv_entry_t *e = cv_result_find(res, c->key);
        assert_non_null(e);
        if (c->shown) {
            if (!e->value || strcmp(e->value, c->shown) != 0) {
                fail_msg("case %zu (%s=%s): shown %s, want %s", i, c->key, c->value, e->value, c->shown);
            }
        } else if (e->value) {
            fail_msg("case %zu (%s=%s): shown %s, want null", i, c->key, c->value, e->value);
        }
        assert_int_equal(e->n_errors, c->error ? 1 : 0);
        if (c->error) {
            assert_string_equal(e->errors[0], c->error);
        }
        /* "req" is missing in every case that does not set it. */
        assert_int_equal(cv_result_error_count(res),
                         (c->error ? 1 : 0) + (strcmp(c->key, "req") != 0 ? 1 : 0));
        cv_result_free(res);
        properties_destroy(config);
    }
}

static void test_prefix_defaults_and_json(void **state)
{
    properties_t *config = properties_create(), *defaults = properties_create();
    properties_set(config, "x.i", "5");
    properties_set(defaults, "x.req", "given");
    cv_result_t *res = cv_result_new();
    cv_validate_keys(res, rows, config, "x.", defaults);
    assert_int_equal(cv_result_error_count(res), 0);
    assert_string_equal(cv_result_find(res, "x.i")->value, "5");
    assert_string_equal(cv_result_find(res, "x.req")->value, "given");
    cv_result_add_error(res, "undefined", "v", "problem %d", 1);
    cv_result_undefined_first(res);
    assert_string_equal(cv_result_at(res, 0)->name, "undefined");
    assert_null(cv_result_at(res, 0)->key);

    json_t *doc = cv_result_json(res, "Cls");
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "Cls");
    assert_int_equal(json_integer_value(json_object_get(doc, "error_count")), 1);
    json_t *first = json_array_get(json_object_get(doc, "configs"), 0);
    assert_true(json_is_null(json_object_get(first, "definition")));
    json_t *second = json_array_get(json_object_get(doc, "configs"), 1);
    json_t *definition = json_object_get(second, "definition");
    assert_string_equal(json_string_value(json_object_get(definition, "name")), "x.i");
    assert_string_equal(json_string_value(json_object_get(definition, "display_name")), "i");
    assert_int_equal(json_integer_value(json_object_get(definition, "order")), 0);
    json_decref(doc);
    cv_result_free(res);
    properties_destroy(config);
    properties_destroy(defaults);
}

/* ---- whole connector configs ---------------------------------------------------- */

static const cd_config_def_t sink_table[] = {
    {.name = "path", .type = CD_CFG_STRING, .required = true, .group = "Files"},
    {.name = "batch", .type = CD_CFG_INT, .default_value = "10", .min = 1, .max = 100, .group = "Files"},
    {.name = "token", .type = CD_CFG_PASSWORD},
    {.name = NULL},
};

static cd_rc_t sink_validate(cd_task_t *conn, char *errbuf, size_t errlen)
{
    snprintf(errbuf, errlen, "path and batch do not agree");
    return CD_CONFIG;
}

static const cd_plugin_desc_t sink = {
    CD_PLUGIN_DESC_HEADER, .name = "TestSink", .kind = CD_KIND_SINK, .config = sink_table,
    .validate = sink_validate,
};

static void test_plugin_rows(void **state)
{
    config_def_t *keys = plugin_config_rows(sink_table);
    assert_string_equal(keys[0].name, "path");
    assert_true(keys[0].flags & CONFIG_DEF_REQUIRED);
    assert_int_equal(keys[0].order, 1);
    assert_int_equal(keys[1].order, 2);
    assert_int_equal(keys[2].order, -1);
    assert_true(keys[1].has_min && keys[1].min == 1 && keys[1].max == 100);
    assert_int_equal(keys[2].type, CONFIG_DEF_PASSWORD);
    assert_null(keys[3].name);
    free(keys);
}

static void test_connector_configs(void **state)
{
    /* The plugin as the registry holds a loaded one: with its rows. */
    config_def_t *sink_rows = plugin_config_rows(sink_table);
    const plugin_info_t plugin = {.desc = &sink, .config = sink_rows};
    properties_t *config = properties_create();
    properties_set(config, "connector.class", "TestSink");
    properties_set(config, "tasks.max", "abc");
    char errstr[2048];
    /* The name is the caller's; topics, path and tasks.max are not. */
    assert_int_equal(connector_config_check(config, &plugin, errstr, sizeof(errstr)), 4);
    assert_string_equal(errstr, "Invalid value abc for configuration tasks.max: Not a number of type INT\n"
                                "Must configure one of topics or topics.regex\n"
                                "Must configure one of topics or topics.regex\n"
                                "Missing required configuration \"path\" which has no default value.");
    cv_result_t *res = connector_config_validate(config, &plugin, NULL, NULL, true);
    assert_int_equal(cv_result_error_count(res), 5); /* and the missing name */
    assert_int_equal(cv_result_find(res, "name")->n_errors, 1);
    cv_result_free(res);

    /* Valid as far as the rows go: the plugin's validate() runs, and its
     * message lands on the longest setting it names. */
    properties_set(config, "tasks.max", "2");
    properties_set(config, "topics", "a");
    properties_set(config, "path", "/x");
    properties_set(config, "name", "n");
    assert_int_equal(connector_config_check(config, &plugin, errstr, sizeof(errstr)), 0);
    const char *nulls[] = {NULL};
    res = connector_config_validate(config, &plugin, NULL, nulls, true);
    assert_int_equal(cv_result_error_count(res), 1);
    cv_entry_t *e = cv_result_find(res, "batch");
    assert_int_equal(e->n_errors, 1);
    assert_string_equal(e->errors[0], "path and batch do not agree");
    cv_result_free(res);

    /* A null setting: its own error, no other. */
    const char *null_path[] = {"path", NULL};
    properties_t *without = properties_create();
    for (size_t i = 0; i < properties_count(config); i++) {
        if (strcmp(properties_key_at(config, i), "path") != 0) {
            properties_set(without, properties_key_at(config, i), properties_value_at(config, i));
        }
    }
    res = connector_config_validate(without, &plugin, NULL, null_path, true);
    e = cv_result_find(res, "path");
    assert_int_equal(e->n_errors, 1);
    assert_string_equal(e->errors[0], "Null value can not be supplied as the configuration value.");
    assert_int_equal(cv_result_error_count(res), 1);
    cv_result_free(res);
    properties_destroy(without);

    /* tasks.max as the worker reads it. */
    assert_int_equal(connector_config_tasks_max(config), 2);
    properties_set(config, "tasks.max", " 5 ");
    assert_int_equal(connector_config_tasks_max(config), 5);
    properties_set(config, "tasks.max", "5000");
    assert_int_equal(connector_config_tasks_max(config), 1);
    properties_destroy(config);
    free(sink_rows);
}

/* Every table of connector settings holds to config_def_table_check, and
 * the parts that fill structs read a config's values through their rows. */
static void test_tables(void **state)
{
    const config_def_t *tables[] = {
        connector_config_keys(CD_KIND_SOURCE), connector_config_keys(CD_KIND_SINK), error_handler_defs,
        error_handler_dlq_defs, restart_policy_defs, transform_link_defs,
    };
    char err[512];
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (!config_def_table_check(tables[i], err, sizeof(err))) {
            fail_msg("table %zu: %s", i, err);
        }
    }
    properties_t *config = properties_create();
    properties_set(config, "restart.policy", "on-failure");
    properties_set(config, "restart.backoff.ms", " 250");
    properties_set(config, "errors.tolerance", "all");
    properties_set(config, "errors.deadletterqueue.topic.name", " dlq ");
    restart_policy_t policy;
    restart_policy_parse(config, &policy);
    assert_int_equal(policy.when, RESTART_POLICY_ON_FAILURE);
    assert_int_equal(policy.max_attempts, 10);
    assert_true(policy.backoff_ms == 250 && policy.backoff_max_ms == 60000);
    error_handler_settings_t settings;
    assert_true(error_handler_settings_read(config, &settings, err, sizeof(err)));
    assert_int_equal(settings.tolerance, ERROR_TOLERANCE_ALL);
    assert_string_equal(settings.dlq_topic, "dlq");
    assert_int_equal(settings.dlq_replication_factor, 3);
    assert_false(settings.log_enable);
    error_handler_settings_free(&settings);
    properties_set(config, "errors.retry.timeout", "soon");
    assert_false(error_handler_settings_read(config, &settings, err, sizeof(err)));
    assert_string_equal(err, "Invalid value soon for configuration errors.retry.timeout: Not a number of type LONG");
    error_handler_settings_free(&settings);
    properties_destroy(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_prefix_defaults_and_json),
        cmocka_unit_test(test_plugin_rows),
        cmocka_unit_test(test_connector_configs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
