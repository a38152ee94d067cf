/*
 * herder_metrics.c - the worker's families for GET /metrics; see
 * herder_metrics.h and docs/metrics.md.
 *
 * Kafka Connect's metric groups become family prefixes, its metric names
 * the rest, in Prometheus' spelling (dashes to underscores, counters ending
 * in _total, times in seconds, averages and maxima as summaries):
 *
 *   source-task-metrics  source-record-poll-total -> connectd_source_task_source_record_poll_total
 *   sink-task-metrics    put-batch-avg-time-ms    -> connectd_sink_task_put_batch_time_seconds
 *   task-error-metrics   total-record-errors      -> connectd_task_error_record_errors_total
 *   connect-worker-metrics task-count             -> connectd_worker_tasks{state}
 *
 * States are one series per possible state, 1 for the current one and 0
 * for the others (kube-state-metrics' style), so a state change never
 * leaves a stale series behind and `== 1` selects by state.
 *
 * One pass over the connectors under h->lock fills every family (the text
 * writer groups samples by family).  Tasks are stopped and freed only
 * under h->lock, so their counters stay valid meanwhile.
 */
#include "herder_metrics.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "herder_internal.h"

/* The states Kafka Connect's status API knows (AbstractStatus.State). */
static const char *const connector_states[] = {"UNASSIGNED", "RUNNING", "PAUSED", "STOPPED", "FAILED", "RESTARTING"};
static const task_state_t task_states[] = {TASK_UNASSIGNED, TASK_RUNNING, TASK_PAUSED, TASK_STOPPED, TASK_FAILED};
#define N_CONNECTOR_STATES (sizeof(connector_states) / sizeof(connector_states[0]))
#define N_TASK_STATES (sizeof(task_states) / sizeof(task_states[0]))

typedef struct families {
    metrics_family_t *connectors, *tasks_by_state;
    metrics_family_t *conn_info, *conn_status, *task_status;
    metrics_family_t *poll_total, *write_total, *poll_time, *poll_size;
    metrics_family_t *read_total, *send_total, *put_time, *put_size;
    metrics_family_t *commits, *commit_failures, *commit_time;
    metrics_family_t *failures, *errors, *retries;
    metrics_family_t *skipped, *logged, *dlq_requests, *dlq_failures;
    metrics_text_t *out; /* for the plugins' own families (plugin_metrics.h) */
} families_t;

/* Declared up front so the families come out in this order. */
static void families_declare(families_t *f, metrics_text_t *out)
{
    f->out = out;
    f->connectors = metrics_text_family(out, "connectd_worker_connectors", METRICS_GAUGE,
                                        "Connectors on this worker (Kafka's connect-worker-metrics connector-count).");
    f->tasks_by_state = metrics_text_family(
        out, "connectd_worker_tasks", METRICS_GAUGE,
        "Tasks on this worker by state (Kafka's connect-worker-metrics task-count and "
        "connector-running-task-count, -paused-, -failed-, ... summed over connectors).");
    f->conn_info = metrics_text_family(out, "connectd_connector_info", METRICS_GAUGE,
                                       "Always 1; the connector's plugin class, type (source or sink) and version "
                                       "(Kafka's connector-metrics connector-class, -type, -version).");
    f->conn_status = metrics_text_family(out, "connectd_connector_status", METRICS_GAUGE,
                                         "1 for the connector's current state, 0 for the others (the state GET "
                                         "/connectors/{name}/status shows).");
    f->task_status = metrics_text_family(out, "connectd_task_status", METRICS_GAUGE,
                                         "1 for the task's current state, 0 for the others (Kafka's "
                                         "connector-task-metrics status).");
    f->poll_total = metrics_text_family(out, "connectd_source_task_source_record_poll_total", METRICS_COUNTER,
                                        "Records the source task's poll() returned (source-record-poll-total).");
    f->write_total = metrics_text_family(out, "connectd_source_task_source_record_write_total", METRICS_COUNTER,
                                         "Records of the source task the broker acknowledged "
                                         "(source-record-write-total).");
    f->poll_time = metrics_text_family(out, "connectd_source_task_poll_batch_time_seconds", METRICS_SUMMARY,
                                       "Time of each poll() that returned records (poll-batch-avg-time-ms, "
                                       "-max-time-ms); quantiles over the last minute.");
    f->poll_size = metrics_text_family(out, "connectd_source_task_poll_batch_size", METRICS_SUMMARY,
                                       "Records in each poll() that returned records (batch-size-avg, -max); "
                                       "quantiles over the last minute.");
    f->read_total = metrics_text_family(out, "connectd_sink_task_sink_record_read_total", METRICS_COUNTER,
                                        "Records the sink task consumed from Kafka (sink-record-read-total).");
    f->send_total = metrics_text_family(out, "connectd_sink_task_sink_record_send_total", METRICS_COUNTER,
                                        "Records the sink task's put() accepted (sink-record-send-total).");
    f->put_time = metrics_text_family(out, "connectd_sink_task_put_batch_time_seconds", METRICS_SUMMARY,
                                      "Time of each put() that succeeded (put-batch-avg-time-ms, -max-time-ms); "
                                      "quantiles over the last minute.");
    f->put_size = metrics_text_family(out, "connectd_sink_task_put_batch_size", METRICS_SUMMARY,
                                      "Records in each put() that succeeded (batch-size-avg, -max); quantiles "
                                      "over the last minute.");
    f->commits = metrics_text_family(out, "connectd_task_offset_commit_success_total", METRICS_COUNTER,
                                     "Offset commits that completed (connector-task-metrics "
                                     "offset-commit-success-percentage as a count; intervals with nothing to "
                                     "commit are skipped).");
    f->commit_failures = metrics_text_family(
        out, "connectd_task_offset_commit_failure_total", METRICS_COUNTER,
        "Offset commits that failed or timed out waiting for acknowledgements or flush() "
        "(offset-commit-failure-percentage as a count).");
    f->commit_time = metrics_text_family(out, "connectd_task_offset_commit_time_seconds", METRICS_SUMMARY,
                                         "Time of each completed offset commit, waiting for the producer or the "
                                         "sink's flush() included (offset-commit-avg-time-ms, -max-time-ms).");
    f->failures = metrics_text_family(out, "connectd_task_error_record_failures_total", METRICS_COUNTER,
                                      "Failed attempts to poll, convert, produce, consume or put records, retried "
                                      "ones included (task-error-metrics total-record-failures).");
    f->errors = metrics_text_family(out, "connectd_task_error_record_errors_total", METRICS_COUNTER,
                                    "Records that failed for good; without errors.tolerance the first fails the "
                                    "task (task-error-metrics total-record-errors).");
    f->retries = metrics_text_family(out, "connectd_task_error_retries_total", METRICS_COUNTER,
                                     "poll() or put() calls retried after the connector asked for a retry "
                                     "(task-error-metrics total-retries).");
    f->skipped = metrics_text_family(out, "connectd_task_error_records_skipped_total", METRICS_COUNTER,
                                     "Records skipped under errors.tolerance=all (task-error-metrics "
                                     "total-records-skipped).");
    f->logged = metrics_text_family(out, "connectd_task_error_errors_logged_total", METRICS_COUNTER,
                                    "Errors logged under errors.log.enable (task-error-metrics total-errors-logged).");
    f->dlq_requests = metrics_text_family(out, "connectd_task_error_deadletterqueue_produce_requests_total",
                                          METRICS_COUNTER,
                                          "Records sent to the dead letter queue (task-error-metrics "
                                          "deadletterqueue-produce-requests).");
    f->dlq_failures = metrics_text_family(out, "connectd_task_error_deadletterqueue_produce_failures_total",
                                          METRICS_COUNTER,
                                          "Records the dead letter queue did not take (task-error-metrics "
                                          "deadletterqueue-produce-failures).");
}

/* As GET /connectors/{name}/status shows it (herder_view.c). */
static void write_task(const families_t *f, connector_t *c, int i, uint64_t *by_state, int64_t now_ms)
{
    char id[16], trace[8];
    snprintf(id, sizeof(id), "%d", i);
    task_state_t state = task_runner_state(c->tasks[i], trace, sizeof(trace));
    by_state[state]++;
    for (size_t s = 0; s < N_TASK_STATES; s++) {
        const char *const labels[] = {"connector", c->name, "task", id, "state", task_state_name(task_states[s]), NULL};
        metrics_family_add_u64(f->task_status, labels, task_states[s] == state);
    }
    const task_metrics_t *m = task_runner_metrics(c->tasks[i]);
    const char *const labels[] = {"connector", c->name, "task", id, NULL};
    if (c->plugin && c->plugin->desc->kind == CD_KIND_SINK) {
        metrics_family_add_u64(f->read_total, labels, metrics_counter_get(&m->records_in));
        metrics_family_add_u64(f->send_total, labels, metrics_counter_get(&m->records_out));
        metrics_family_add_summary(f->put_time, labels, m->batch_time, 1e-9, now_ms);
        metrics_family_add_summary(f->put_size, labels, m->batch_size, 1, now_ms);
    } else {
        metrics_family_add_u64(f->poll_total, labels, metrics_counter_get(&m->records_in));
        metrics_family_add_u64(f->write_total, labels, metrics_counter_get(&m->records_out));
        metrics_family_add_summary(f->poll_time, labels, m->batch_time, 1e-9, now_ms);
        metrics_family_add_summary(f->poll_size, labels, m->batch_size, 1, now_ms);
    }
    metrics_family_add_u64(f->commits, labels, metrics_counter_get(&m->commits));
    metrics_family_add_u64(f->commit_failures, labels, metrics_counter_get(&m->commit_failures));
    metrics_family_add_summary(f->commit_time, labels, m->commit_time, 1e-9, now_ms);
    metrics_family_add_u64(f->failures, labels, metrics_counter_get(&m->record_failures));
    metrics_family_add_u64(f->errors, labels, metrics_counter_get(&m->record_errors));
    metrics_family_add_u64(f->retries, labels, metrics_counter_get(&m->retries));
    metrics_family_add_u64(f->skipped, labels, metrics_counter_get(&m->records_skipped));
    metrics_family_add_u64(f->logged, labels, metrics_counter_get(&m->errors_logged));
    metrics_family_add_u64(f->dlq_requests, labels, metrics_counter_get(&m->dlq_requests));
    metrics_family_add_u64(f->dlq_failures, labels, metrics_counter_get(&m->dlq_failures));
    plugin_metrics_write(task_runner_plugin_metrics(c->tasks[i]), f->out, labels);
}

void herder_metrics_write(herder_t *h, metrics_text_t *out)
{
    families_t f;
    families_declare(&f, out);
    uint64_t by_state[TASK_PAUSED + 1] = {0};
    int64_t now_ms = clock_mono_coarse_ms();
    pthread_mutex_lock(&h->lock);
    for (int k = 0; k < h->n_conns; k++) {
        connector_t *c = h->conns[k];
        const char *cls = c->plugin ? c->plugin->desc->name : properties_get(c->config, "connector.class");
        const char *type = !c->plugin                               ? "unknown"
                           : c->plugin->desc->kind == CD_KIND_SINK ? "sink"
                                                                   : "source";
        const char *version = c->plugin && c->plugin->desc->version ? c->plugin->desc->version : "";
        const char *const info[] = {"connector", c->name, "class", cls ? cls : "", "type", type,
                                    "version", version, NULL};
        metrics_family_add_u64(f.conn_info, info, 1);
        const char *state = herder_connector_state(c);
        for (size_t s = 0; s < N_CONNECTOR_STATES; s++) {
            const char *const labels[] = {"connector", c->name, "state", connector_states[s], NULL};
            metrics_family_add_u64(f.conn_status, labels, strcmp(connector_states[s], state) == 0);
        }
        for (int i = 0; i < c->n_tasks; i++) {
            write_task(&f, c, i, by_state, now_ms);
        }
    }
    int n_conns = h->n_conns;
    pthread_mutex_unlock(&h->lock);
    metrics_family_add_u64(f.connectors, NULL, (uint64_t)n_conns);
    for (size_t s = 0; s < N_TASK_STATES; s++) {
        const char *const labels[] = {"state", task_state_name(task_states[s]), NULL};
        metrics_family_add_u64(f.tasks_by_state, labels, by_state[task_states[s]]);
    }
}
