/* Unit tests for metrics.c: summary quantiles and window, the text format,
 * collectors, and counting from several threads at once. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static const double q_mid_high[] = {0.5, 0.99};

/* Quantiles of known series: exact where the window's bounds pin them. */
static const struct {
    const char *what;
    uint64_t first, step, count; /* first, first+step, ... */
    double p50, p99;             /* expected */
    double tolerance;            /* relative */
} series[] = {
    {"constant batch size", 2000, 0, 100, 2000, 2000, 0},
    {"small values are exact", 1, 1, 10, 5, 10, 0},
    {"1..100", 1, 1, 100, 50, 99, 1.0 / 16},
    {"milliseconds in ns", 1000000, 1000000, 1000, 500e6, 990e6, 1.0 / 16},
    {"one huge value", UINT64_C(1) << 60, 0, 1, 1152921504606846976.0, 1152921504606846976.0, 0},
    {"zeros", 0, 0, 5, 0, 0, 0},
};

static void test_quantiles_of_series(void **state)
{
    for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
        metrics_summary_t *sum = metrics_summary_create();
        uint64_t total = 0;
        for (uint64_t k = 0; k < series[i].count; k++) {
            uint64_t v = series[i].first + k * series[i].step;
            metrics_summary_observe_at(sum, v, 1000);
            total += v;
        }
        double out[2];
        metrics_summary_quantiles(sum, 1000, q_mid_high, out, 2);
        print_message("%s: p50 %g p99 %g\n", series[i].what, out[0], out[1]);
        assert_true(fabs(out[0] - series[i].p50) <= series[i].p50 * series[i].tolerance);
        assert_true(fabs(out[1] - series[i].p99) <= series[i].p99 * series[i].tolerance);
        assert_int_equal(metrics_summary_count(sum), series[i].count);
        assert_int_equal(metrics_summary_sum(sum), total);
        metrics_summary_destroy(sum);
    }
}

/* Every value, once between a smaller and a larger one, reads back as
 * its median within 1/16: the bucket bound, not the clamp, is tested. */
static void test_bucket_precision(void **state)
{
    uint64_t v = 1;
    for (int i = 0; i < 400; i++) {
        metrics_summary_t *sum = metrics_summary_create();
        metrics_summary_observe_at(sum, 0, 0);
        metrics_summary_observe_at(sum, v, 0);
        metrics_summary_observe_at(sum, UINT64_C(1) << 50, 0);
        const double half = 0.5;
        double est;
        metrics_summary_quantiles(sum, 0, &half, &est, 1);
        if (fabs(est - (double)v) > (double)v / 16) {
            fail_msg("value %llu read back as %g", (unsigned long long)v, est);
        }
        metrics_summary_destroy(sum);
        v = v * 9 / 7 + (uint64_t)i; /* irregular steps through 48 bits */
        if (v >= UINT64_C(1) << 48) {
            break;
        }
    }
}

static void test_window_slides(void **state)
{
    metrics_summary_t *sum = metrics_summary_create();
    double out[2];
    metrics_summary_quantiles(sum, 0, q_mid_high, out, 2);
    assert_true(isnan(out[0]) && isnan(out[1])); /* nothing observed yet */
    for (int i = 0; i < 10; i++) {
        metrics_summary_observe_at(sum, 1000, 5);
    }
    int64_t last_in = (int64_t)METRICS_WINDOW_SLOTS * METRICS_SLOT_MS - 1;
    metrics_summary_quantiles(sum, last_in, q_mid_high, out, 2);
    assert_true(out[0] == 1000 && out[1] == 1000);
    metrics_summary_quantiles(sum, last_in + 1, q_mid_high, out, 2);
    assert_true(isnan(out[0])); /* slid out of the window */
    /* The next observation recycles the old slot; the totals keep all. */
    metrics_summary_observe_at(sum, 7, last_in + 1);
    metrics_summary_quantiles(sum, last_in + 1, q_mid_high, out, 2);
    assert_true(out[0] == 7 && out[1] == 7);
    assert_int_equal(metrics_summary_count(sum), 11);
    assert_int_equal(metrics_summary_sum(sum), 10007);
    /* Two slots in the window merge. */
    metrics_summary_observe_at(sum, 9, last_in + 1 + METRICS_SLOT_MS);
    const double top = 1.0;
    metrics_summary_quantiles(sum, last_in + 1 + METRICS_SLOT_MS, &top, out, 1);
    assert_true(out[0] == 9);
    metrics_summary_destroy(sum);
}

static void test_text_format(void **state)
{
    metrics_text_t *text = metrics_text_create();
    metrics_family_t *a = metrics_text_family(text, "t_requests_total", METRICS_COUNTER, "Requests.\nBy \\ API.");
    metrics_family_t *empty = metrics_text_family(text, "t_unused", METRICS_GAUGE, "Never sampled.");
    metrics_family_t *g = metrics_text_family(text, "t_gauge", METRICS_GAUGE, "A gauge.");
    metrics_family_t *s = metrics_text_family(text, "t_latency_seconds", METRICS_SUMMARY, "Latency.");
    assert_ptr_equal(metrics_text_family(text, "t_requests_total", METRICS_COUNTER, "Requests."), a);
    assert_non_null(empty);
    const char *const quoted[] = {"name", "a\"b\\c\nd", "x", "", NULL};
    metrics_family_add_u64(a, quoted, UINT64_MAX);
    metrics_family_add_i64(g, NULL, -3);
    const char *const plain[] = {"api", "Produce", NULL};
    metrics_family_add_u64(a, plain, 1); /* after another family: still grouped */
    metrics_family_add(g, plain, 0.25);
    metrics_family_add(g, quoted, NAN);
    metrics_summary_t *sum = metrics_summary_create();
    metrics_family_add_summary(s, plain, sum, 1e-9, 0);
    metrics_summary_observe_at(sum, 2000000000, 0);
    metrics_family_add_summary(s, NULL, sum, 1e-9, 0);
    metrics_summary_destroy(sum);
    size_t len;
    char *out = metrics_text_finish(text, &len);
    const char *want = "# HELP t_requests_total Requests.\\nBy \\\\ API.\n"
                       "# TYPE t_requests_total counter\n"
                       "t_requests_total{name=\"a\\\"b\\\\c\\nd\",x=\"\"} 18446744073709551615\n"
                       "t_requests_total{api=\"Produce\"} 1\n"
                       "# HELP t_gauge A gauge.\n"
                       "# TYPE t_gauge gauge\n"
                       "t_gauge -3\n"
                       "t_gauge{api=\"Produce\"} 0.25\n"
                       "t_gauge{name=\"a\\\"b\\\\c\\nd\",x=\"\"} NaN\n"
                       "# HELP t_latency_seconds Latency.\n"
                       "# TYPE t_latency_seconds summary\n"
                       "t_latency_seconds{api=\"Produce\",quantile=\"0.5\"} NaN\n"
                       "t_latency_seconds{api=\"Produce\",quantile=\"0.99\"} NaN\n"
                       "t_latency_seconds_sum{api=\"Produce\"} 0\n"
                       "t_latency_seconds_count{api=\"Produce\"} 0\n"
                       "t_latency_seconds{quantile=\"0.5\"} 2\n"
                       "t_latency_seconds{quantile=\"0.99\"} 2\n"
                       "t_latency_seconds_sum 2\n"
                       "t_latency_seconds_count 1\n";
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    free(out);
}

static void test_empty_text(void **state)
{
    size_t len = 99;
    char *out = metrics_text_finish(metrics_text_create(), &len);
    assert_int_equal(len, 0);
    assert_string_equal(out, "");
    free(out);
    metrics_text_destroy(NULL);
    metrics_summary_destroy(NULL);
}

static void collect_a(void *opaque, metrics_text_t *out)
{
    metrics_family_add_u64(metrics_text_family(out, "t_a", METRICS_GAUGE, "A."), NULL, *(uint64_t *)opaque);
}

static void collect_b(void *opaque, metrics_text_t *out)
{
    metrics_family_add_u64(metrics_text_family(out, "t_b", METRICS_GAUGE, "B."), NULL, *(uint64_t *)opaque);
}

static void test_collectors(void **state)
{
    uint64_t one = 1, two = 2;
    metrics_collector_add(collect_a, &one);
    metrics_collector_add(collect_b, &two);
    metrics_text_t *text = metrics_text_create();
    metrics_collect_all(text);
    size_t len;
    char *out = metrics_text_finish(text, &len);
    assert_string_equal(out, "# HELP t_a A.\n# TYPE t_a gauge\nt_a 1\n# HELP t_b B.\n# TYPE t_b gauge\nt_b 2\n");
    free(out);
    metrics_collector_remove(collect_a, &one);
    text = metrics_text_create();
    metrics_collect_all(text);
    out = metrics_text_finish(text, &len);
    assert_string_equal(out, "# HELP t_b B.\n# TYPE t_b gauge\nt_b 2\n");
    free(out);
    metrics_collector_remove(collect_b, &two);
    metrics_collector_remove(collect_b, &two); /* absent: nothing happens */
}

#define THREADS 4
#define PER_THREAD 100000

typedef struct shared {
    metrics_counter_t counter;
    metrics_summary_t *sum;
} shared_t;

static void *hammer(void *arg)
{
    shared_t *sh = arg;
    for (uint64_t i = 0; i < PER_THREAD; i++) {
        metrics_counter_add(&sh->counter, 2);
        /* Every thread crosses slot boundaries, racing for the clear. */
        metrics_summary_observe_at(sh->sum, 100, (int64_t)(i / 1000) * METRICS_SLOT_MS);
    }
    return NULL;
}

static void test_threads(void **state)
{
    shared_t sh = {.sum = metrics_summary_create()};
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        pthread_create(&threads[i], NULL, hammer, &sh);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    assert_int_equal(metrics_counter_get(&sh.counter), 2 * THREADS * PER_THREAD);
    assert_int_equal(metrics_summary_count(sh.sum), THREADS * PER_THREAD);
    assert_int_equal(metrics_summary_sum(sh.sum), 100 * THREADS * PER_THREAD);
    double out[2];
    metrics_summary_quantiles(sh.sum, (int64_t)(PER_THREAD / 1000 - 1) * METRICS_SLOT_MS, q_mid_high, out, 2);
    assert_true(out[0] == 100 && out[1] == 100);
    metrics_summary_destroy(sh.sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_of_series), cmocka_unit_test(test_bucket_precision),
        cmocka_unit_test(test_window_slides),       cmocka_unit_test(test_text_format),
        cmocka_unit_test(test_empty_text),          cmocka_unit_test(test_collectors),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
