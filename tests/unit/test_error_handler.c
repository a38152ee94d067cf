/* Unit tests for error_handler.c without a dead letter queue: Kafka's
 * backoff, retries within errors.retry.timeout, tolerance none and all,
 * the trace, and what the task metrics count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "task/error_handler.h"

typedef struct op_state {
    int calls;
    int retries_before_ok; /* CD_RETRY this many times, then 0; -1: fail for good */
} op_state_t;

static int op(void *arg, char *errstr, size_t errstr_size)
{
    op_state_t *st = arg;
    st->calls++;
    if (st->retries_before_ok < 0) {
        snprintf(errstr, errstr_size, "broken for good");
        return CD_FATAL;
    }
    if (st->calls <= st->retries_before_ok) {
        snprintf(errstr, errstr_size, "try again");
        return CD_RETRY;
    }
    return 0;
}

static error_handler_t *handler(task_metrics_t *m, properties_t *config)
{
    error_handler_env_t env = {.connector = "c", .task_id = 3, .config = config, .metrics = m};
    char err[256];
    error_handler_t *eh = error_handler_create(&env, err, sizeof(err));
    assert_non_null(eh);
    return eh;
}

static void test_backoff(void **state)
{
    static const struct {
        int attempt;
        int64_t max, want;
    } cases[] = {{1, 60000, 300}, {2, 60000, 600}, {3, 60000, 1200}, {8, 60000, 38400},
                 {9, 60000, 60000}, {40, 60000, 60000}, {1, 100, 100}, {3, 1000, 1000}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(error_backoff_ms(cases[i].attempt, cases[i].max), cases[i].want);
    }
}

static void test_retry_then_ok(void **state)
{
    task_metrics_t m = {0};
    properties_t *config = properties_create();
    properties_set(config, "errors.retry.timeout", "5000");
    properties_set(config, "errors.retry.delay.max.ms", "10");
    error_handler_t *eh = handler(&m, config);
    op_state_t st = {.retries_before_ok = 2};
    error_record_t rec = {.topic = "t", .partition = 0, .offset = 7};
    assert_int_equal(error_handler_run(eh, ERROR_STAGE_TRANSFORMATION, "X", &rec, op, &st), ERROR_OK);
    assert_int_equal(st.calls, 3);
    assert_int_equal(metrics_counter_get(&m.record_failures), 2);
    assert_int_equal(metrics_counter_get(&m.retries), 2);
    assert_int_equal(metrics_counter_get(&m.record_errors), 0);
    error_handler_destroy(eh, 0);
    properties_destroy(config);
}

static void test_no_retry_by_default_and_none_fails(void **state)
{
    task_metrics_t m = {0};
    properties_t *config = properties_create();
    error_handler_t *eh = handler(&m, config);
    assert_false(error_handler_tolerates_all(eh));
    op_state_t st = {.retries_before_ok = 5};
    error_record_t rec = {.topic = "orders", .partition = 2, .offset = 41};
    assert_int_equal(error_handler_run(eh, ERROR_STAGE_VALUE_CONVERTER, "org.apache.kafka.connect.json.JsonConverter",
                                       &rec, op, &st),
                     ERROR_FAIL);
    assert_int_equal(st.calls, 1); /* errors.retry.timeout=0: no retry */
    const char *trace = error_handler_trace(eh);
    assert_non_null(strstr(trace, "Tolerance exceeded in error handler"));
    assert_non_null(strstr(trace, "Executing stage 'VALUE_CONVERTER' with class "
                                  "'org.apache.kafka.connect.json.JsonConverter'"));
    assert_non_null(strstr(trace, "{topic='orders', partition=2, offset=41}"));
    assert_non_null(strstr(trace, "Caused by: org.apache.kafka.connect.errors.DataException: try again"));
    assert_int_equal(metrics_counter_get(&m.record_errors), 1);
    assert_int_equal(metrics_counter_get(&m.records_skipped), 0);
    error_handler_destroy(eh, 0);
    properties_destroy(config);
}

static void test_all_skips_and_logs(void **state)
{
    task_metrics_t m = {0};
    properties_t *config = properties_create();
    properties_set(config, "errors.tolerance", "all");
    properties_set(config, "errors.log.enable", "true");
    error_handler_t *eh = handler(&m, config);
    op_state_t st = {.retries_before_ok = -1};
    error_record_t rec = {.topic = "t", .partition = 0, .offset = 1};
    assert_int_equal(error_handler_run(eh, ERROR_STAGE_TRANSFORMATION, "X", &rec, op, &st), ERROR_SKIP);
    assert_int_equal(error_handler_failed(eh, ERROR_STAGE_TASK_PUT, "S", NULL, &rec, "rejected"), ERROR_SKIP);
    assert_int_equal(metrics_counter_get(&m.record_failures), 2);
    assert_int_equal(metrics_counter_get(&m.record_errors), 2);
    assert_int_equal(metrics_counter_get(&m.records_skipped), 2);
    assert_int_equal(metrics_counter_get(&m.errors_logged), 2);
    char err[64];
    assert_int_equal(error_handler_flush(eh, 0, err, sizeof(err)), 0); /* no queue: nothing to wait for */
    error_handler_destroy(eh, 0);
    properties_destroy(config);
}

static void test_bad_tolerance(void **state)
{
    task_metrics_t m = {0};
    properties_t *config = properties_create();
    properties_set(config, "errors.tolerance", "some");
    error_handler_env_t env = {.connector = "c", .config = config, .metrics = &m};
    char err[256];
    assert_null(error_handler_create(&env, err, sizeof(err)));
    assert_string_equal(err, "Invalid value some for configuration errors.tolerance: String must be one of: none, all");
    properties_destroy(config);
    assert_string_equal(error_stage_name(ERROR_STAGE_KAFKA_PRODUCE), "KAFKA_PRODUCE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_retry_then_ok),
        cmocka_unit_test(test_no_retry_by_default_and_none_fails),
        cmocka_unit_test(test_all_skips_and_logs),
        cmocka_unit_test(test_bad_tolerance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
