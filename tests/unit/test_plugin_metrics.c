/* Unit tests for ABI 1.3's metric_set and progress_set, called as a plugin
 * calls them (through the host table on a task context) and read back as
 * GET /metrics and the task status read them (plugin_metrics.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugin/plugin_metrics.h"
#include "plugin/task_context.h"

static const cd_plugin_desc_t desc = {CD_PLUGIN_DESC_HEADER, .name = "MetricsTestSource", .kind = CD_KIND_SOURCE};

/* The exposition of one task's plugin metrics, labelled as the herder does. */
static char *scrape(cd_task_t *task)
{
    metrics_text_t *out = metrics_text_create();
    const char *const labels[] = {"connector", "orders", "task", "0", NULL};
    plugin_metrics_write(task_context_metrics(task), out, labels);
    size_t len;
    return metrics_text_finish(out, &len);
}

static void test_gauge_and_counter_exported(void **state)
{
    const cd_host_api_t *host = worker_host_api();
    assert_true(CD_HOST_HAS(host, metric_set));
    assert_true(CD_HOST_HAS(host, progress_set));
    cd_task_t *task = task_context_new("orders", 0, &desc, NULL, NULL);
    host->metric_set(task, "snapshot_running", CD_METRIC_GAUGE, "1 while the snapshot runs.", 1);
    host->metric_set(task, "rows_scanned", CD_METRIC_COUNTER, "Rows read.", 10);
    host->metric_set(task, "rows_scanned", CD_METRIC_COUNTER, "Rows read.", 2500);
    char *text = scrape(task);
    assert_non_null(strstr(text, "# HELP connectd_plugin_snapshot_running 1 while the snapshot runs.\n"
                                 "# TYPE connectd_plugin_snapshot_running gauge\n"
                                 "connectd_plugin_snapshot_running{connector=\"orders\",task=\"0\"} 1\n"));
    /* Counters end in _total, as Prometheus names them; the last value wins. */
    assert_non_null(strstr(text, "# TYPE connectd_plugin_rows_scanned_total counter\n"
                                 "connectd_plugin_rows_scanned_total{connector=\"orders\",task=\"0\"} 2500\n"));
    free(text);
    task_context_free(task);
}

static void test_bad_names_and_kinds_refused(void **state)
{
    const cd_host_api_t *host = worker_host_api();
    cd_task_t *task = task_context_new("orders", 1, &desc, NULL, NULL);
    host->metric_set(task, "Rows", CD_METRIC_GAUGE, "upper case", 1);
    host->metric_set(task, "rows-read", CD_METRIC_GAUGE, "a dash", 1);
    host->metric_set(task, "", CD_METRIC_GAUGE, "empty", 1);
    host->metric_set(task, NULL, CD_METRIC_GAUGE, "null", 1);
    host->metric_set(task, "ok_name", (cd_metric_kind_t)7, "unknown kind", 1);
    char *text = scrape(task);
    assert_string_equal(text, "");
    free(text);

    char err[256];
    plugin_metrics_t *pm = task_context_metrics(task);
    assert_int_equal(plugin_metrics_set(pm, "lag", CD_METRIC_GAUGE, "Lag.", 3, err, sizeof(err)), 0);
    /* One name has one kind, in this task and across tasks... */
    assert_int_equal(plugin_metrics_set(pm, "lag", CD_METRIC_COUNTER, "Lag.", 3, err, sizeof(err)), -1);
    plugin_metrics_t *other = plugin_metrics_new();
    assert_int_equal(plugin_metrics_set(other, "lag", CD_METRIC_COUNTER, "Lag.", 3, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "lag"));
    /* ...and a counter "x" and a gauge "x_total" would be one family. */
    assert_int_equal(plugin_metrics_set(other, "sent", CD_METRIC_COUNTER, "Sent.", 1, err, sizeof(err)), 0);
    assert_int_equal(plugin_metrics_set(other, "sent_total", CD_METRIC_GAUGE, "Sent.", 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "connectd_plugin_sent_total"));
    plugin_metrics_free(other);
    task_context_free(task);
}

static void test_task_keeps_a_bounded_number(void **state)
{
    plugin_metrics_t *pm = plugin_metrics_new();
    char name[32], err[256];
    for (int i = 0; i < PLUGIN_METRICS_MAX; i++) {
        snprintf(name, sizeof(name), "bounded_%d", i);
        assert_int_equal(plugin_metrics_set(pm, name, CD_METRIC_GAUGE, "One of many.", i, err, sizeof(err)), 0);
    }
    assert_int_equal(plugin_metrics_set(pm, "one_too_many", CD_METRIC_GAUGE, "No.", 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "at most 64"));
    /* Those it has still update. */
    assert_int_equal(plugin_metrics_set(pm, "bounded_0", CD_METRIC_GAUGE, "One of many.", 42, err, sizeof(err)), 0);
    plugin_metrics_free(pm);
}

static void test_progress_one_line_and_cleared(void **state)
{
    const cd_host_api_t *host = worker_host_api();
    cd_task_t *task = task_context_new("orders", 0, &desc, NULL, NULL);
    plugin_metrics_t *pm = task_context_metrics(task);
    assert_null(plugin_metrics_progress(pm));
    host->progress_set(task, "snapshot: table %d of %d,\n%d rows", 2, 3, 512000);
    char *text = plugin_metrics_progress(pm);
    assert_string_equal(text, "snapshot: table 2 of 3, 512000 rows");
    free(text);
    host->progress_set(task, NULL);
    assert_null(plugin_metrics_progress(pm));
    task_context_free(task);
}

static void test_connector_context_ignored(void **state)
{
    const cd_host_api_t *host = worker_host_api();
    cd_task_t *conn = task_context_new("orders", -1, &desc, NULL, NULL);
    host->metric_set(conn, "ignored", CD_METRIC_GAUGE, "Not a task.", 1);
    host->progress_set(conn, "ignored");
    assert_null(task_context_metrics(conn));
    task_context_free(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gauge_and_counter_exported),  cmocka_unit_test(test_bad_names_and_kinds_refused),
        cmocka_unit_test(test_task_keeps_a_bounded_number), cmocka_unit_test(test_progress_one_line_and_cleared),
        cmocka_unit_test(test_connector_context_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
