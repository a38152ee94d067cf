/* Unit tests for the task runner (src/task/): one task at a time on its own
 * thread, with real plugins (connectd-file.so, tests/plugins/failing.so)
 * against a broker running inside the test process (worker_fixture.h).
 * What a source commits is checked against what the broker acknowledged,
 * what a sink commits against what it wrote; a task started again resumes
 * from there; a callback that fails leaves its task FAILED with the
 * plugin's message, and nothing else broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>

#include "task/task_runner.h"
#include "worker_fixture.h"

/* A JsonConverter envelope of a string, as the worker's default converter
 * writes one (schemas.enable=true). */
#define JSON_STRING(s) "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"" s "\"}"

/* What on_state told: every state, in order, and the FAILED trace. */
typedef struct reports {
    pthread_mutex_t lock;
    task_state_t states[64];
    int n;
    char trace[4096];
} reports_t;

static void on_state(void *opaque, const char *connector, int task_id, task_state_t state, const char *trace)
{
    reports_t *rep = opaque;
    pthread_mutex_lock(&rep->lock);
    if (rep->n < (int)(sizeof(rep->states) / sizeof(rep->states[0]))) {
        rep->states[rep->n++] = state;
    }
    if (state == TASK_FAILED) {
        snprintf(rep->trace, sizeof(rep->trace), "%s", trace ? trace : "(no trace)");
    }
    pthread_mutex_unlock(&rep->lock);
}

static task_state_t last_report(reports_t *rep)
{
    pthread_mutex_lock(&rep->lock);
    task_state_t state = rep->n > 0 ? rep->states[rep->n - 1] : TASK_UNASSIGNED;
    pthread_mutex_unlock(&rep->lock);
    return state;
}

static bool reported(reports_t *rep, task_state_t state)
{
    pthread_mutex_lock(&rep->lock);
    bool seen = false;
    for (int i = 0; i < rep->n; i++) {
        seen |= rep->states[i] == state;
    }
    pthread_mutex_unlock(&rep->lock);
    return seen;
}

typedef struct test_ctx {
    worker_fixture_t *f;
    reports_t rep;
} test_ctx_t;

static int setup(void **state)
{
    test_ctx_t *t = calloc(1, sizeof(*t));
    pthread_mutex_init(&t->rep.lock, NULL);
    t->f = fixture_create(NULL);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    test_ctx_t *t = *state;
    fixture_destroy(t->f);
    pthread_mutex_destroy(&t->rep.lock);
    free(t);
    return 0;
}

/* Task 0 of `connector` with plugin `cls` and the settings `kv` (key,
 * value, ..., NULL), reporting to `rep` (cleared); with `config_error`, as
 * the herder starts a task whose config did not resolve. */
static task_runner_t *start_task_reporting(test_ctx_t *t, reports_t *rep, const char *connector, const char *cls,
                                           const char *const *kv, bool paused, const char *config_error)
{
    const plugin_info_t *plugin = plugin_registry_find(t->f->plugins, cls);
    assert_non_null(plugin);
    properties_t *config = properties_create();
    properties_set(config, "name", connector);
    properties_set(config, "connector.class", cls);
    for (size_t i = 0; kv[i]; i += 2) {
        properties_set(config, kv[i], kv[i + 1]);
    }
    pthread_mutex_lock(&rep->lock);
    rep->n = 0;
    rep->trace[0] = '\0';
    pthread_mutex_unlock(&rep->lock);
    task_env_t env = {
        .wcfg = &t->f->wcfg,
        .bootstrap = t->f->bootstrap,
        .offsets = t->f->stores.offsets,
        .plugin = plugin,
        .connector = connector,
        .task_id = 0,
        .config = config,
        .config_error = config_error,
        .on_state = on_state,
        .on_state_opaque = rep,
    };
    task_runner_t *r = task_runner_start(&env, paused);
    properties_destroy(config); /* the runner has its copy */
    return r;
}

static task_runner_t *start_task(test_ctx_t *t, const char *connector, const char *cls, const char *const *kv,
                                 bool paused)
{
    return start_task_reporting(t, &t->rep, connector, cls, kv, paused, NULL);
}

static bool state_is(task_runner_t *r, task_state_t state)
{
    char trace[4096];
    return task_runner_state(r, trace, sizeof(trace)) == state;
}

static uint64_t records_in(task_runner_t *r)
{
    return metrics_counter_get(&task_runner_metrics(r)->records_in);
}

/* A source commits the offset of a record only once the broker has
 * acknowledged it, durably, and commits again at a clean stop; started
 * again, it resumes there: nothing is produced twice. */
static void test_source_offsets_after_acknowledgement(void **state)
{
    test_ctx_t *t = *state;
    char in[512];
    fixture_path(t->f, "in.txt", in, sizeof(in));
    fixture_file_append(in, "one\ntwo\nthree\n");
    const char *const kv[] = {"file", in, "topic", "lines", NULL};
    task_runner_t *r = start_task(t, "file-source", "FileStreamSource", kv, false);

    FIXTURE_WAIT_FOR(fixture_source_offset_is(t->f->stores.offsets, "file-source", in, "{\"position\":14}"),
                     "the source offset of three lines");
    assert_int_equal(fixture_topic_end(t->f, "lines"), 3);
    assert_int_equal(metrics_counter_get(&task_runner_metrics(r)->records_out), 3);
    assert_true(state_is(r, TASK_RUNNING));

    /* Durable: a store that reads the offsets topic afresh has it too. */
    char err[512];
    kvtopic_t *kv_offsets = kvtopic_open(t->f->bootstrap, t->f->wcfg.offset_topic, 1, t->f->props, err, sizeof(err));
    assert_non_null(kv_offsets);
    offset_store_t *reread = offset_store_open_topic(kv_offsets, err, sizeof(err));
    assert_non_null(reread);
    assert_true(fixture_source_offset_is(reread, "file-source", in, "{\"position\":14}"));
    offset_store_close(reread);

    task_runner_stop(r);
    assert_int_equal(last_report(&t->rep), TASK_STOPPED);

    /* Lines written while no task ran, then the task again: only they go. */
    fixture_file_append(in, "four\nfive\n");
    r = start_task(t, "file-source", "FileStreamSource", kv, false);
    FIXTURE_WAIT_FOR(fixture_source_offset_is(t->f->stores.offsets, "file-source", in, "{\"position\":24}"),
                     "the source offset of five lines");
    assert_int_equal(fixture_topic_end(t->f, "lines"), 5);
    task_runner_stop(r);
    assert_int_equal(last_report(&t->rep), TASK_STOPPED);
}

/* A sink writes what it consumes, commits the group's offsets after its
 * flush(), and started again consumes only what came after. */
static void test_sink_commits_after_flush(void **state)
{
    test_ctx_t *t = *state;
    char out[512];
    fixture_path(t->f, "out.txt", out, sizeof(out));
    fixture_produce(t->f, "events", JSON_STRING("a"));
    fixture_produce(t->f, "events", JSON_STRING("b"));
    fixture_produce(t->f, "events", JSON_STRING("c"));
    const char *const kv[] = {"file", out, "topics", "events", NULL};
    task_runner_t *r = start_task(t, "file-sink", "FileStreamSink", kv, false);

    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\nc\n"), "the sink to write three lines");
    FIXTURE_WAIT_FOR(fixture_group_offset(t->f, "connect-file-sink", "events") == 3, "the sink to commit offset 3");
    assert_int_equal(records_in(r), 3);
    task_runner_stop(r);
    assert_int_equal(last_report(&t->rep), TASK_STOPPED);

    fixture_produce(t->f, "events", JSON_STRING("d"));
    r = start_task(t, "file-sink", "FileStreamSink", kv, false);
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\nc\nd\n"), "the sink to write the fourth line");
    FIXTURE_WAIT_FOR(fixture_group_offset(t->f, "connect-file-sink", "events") == 4, "the sink to commit offset 4");
    assert_int_equal(records_in(r), 1);
    task_runner_stop(r);
    assert_int_equal(last_report(&t->rep), TASK_STOPPED);
}

/* Started paused, a task neither polls nor consumes; resumed, it does.
 * Paused while running and resumed, it goes on where it was. */
static void test_pause_resume(void **state)
{
    test_ctx_t *t = *state;
    char in[512], out[512];
    fixture_path(t->f, "in.txt", in, sizeof(in));
    fixture_path(t->f, "out.txt", out, sizeof(out));
    fixture_file_append(in, "x\n");
    const char *const source_kv[] = {"file", in, "topic", "lines", NULL};
    task_runner_t *r = start_task(t, "paused-source", "FileStreamSource", source_kv, true);
    FIXTURE_WAIT_FOR(state_is(r, TASK_PAUSED), "the source task to start paused");
    /* Nothing may happen, however long we look; a second is enough to see
     * a task that polls anyway, and never fails one that does not. */
    fixture_sleep_ms(1000);
    assert_int_equal(records_in(r), 0);
    assert_null(fixture_source_offset(t->f->stores.offsets, "paused-source", in));

    task_runner_set_paused(r, false);
    assert_true(state_is(r, TASK_RUNNING));
    FIXTURE_WAIT_FOR(fixture_source_offset_is(t->f->stores.offsets, "paused-source", in, "{\"position\":2}"),
                     "the resumed source to commit its line");
    assert_int_equal(fixture_topic_end(t->f, "lines"), 1);

    task_runner_set_paused(r, true);
    assert_true(state_is(r, TASK_PAUSED));
    assert_int_equal(last_report(&t->rep), TASK_PAUSED);
    fixture_file_append(in, "y\n");
    task_runner_set_paused(r, false);
    assert_int_equal(last_report(&t->rep), TASK_RUNNING);
    FIXTURE_WAIT_FOR(fixture_source_offset_is(t->f->stores.offsets, "paused-source", in, "{\"position\":4}"),
                     "the source to commit the line written while it was paused");
    assert_int_equal(fixture_topic_end(t->f, "lines"), 2);
    task_runner_stop(r);

    const char *const sink_kv[] = {"file", out, "topics", "lines", NULL};
    r = start_task(t, "paused-sink", "FileStreamSink", sink_kv, true);
    FIXTURE_WAIT_FOR(state_is(r, TASK_PAUSED), "the sink task to start paused");
    fixture_sleep_ms(1000);
    assert_int_equal(records_in(r), 0);
    assert_true(fixture_file_is(out, ""));
    task_runner_set_paused(r, false);
    assert_true(state_is(r, TASK_RUNNING));
    FIXTURE_WAIT_FOR(fixture_file_is(out, "x\ny\n"), "the resumed sink to write both lines");
    task_runner_stop(r);
    assert_int_equal(last_report(&t->rep), TASK_STOPPED);
}

/* A sink resumed before its group assigned it any partition: the
 * assignment arrives unpaused, and nothing may resume it again --
 * librdkafka (2.0) fetches a partition that was resumed without being
 * paused again from where the assignment began, so each record would be
 * written twice. */
static void test_sink_resumed_before_assignment(void **state)
{
    test_ctx_t *t = *state;
    char out[512];
    fixture_path(t->f, "out.txt", out, sizeof(out));
    fixture_produce(t->f, "events", JSON_STRING("a"));
    const char *const kv[] = {"file", out, "topics", "events", NULL};
    task_runner_t *r = start_task(t, "early-resume", "FileStreamSink", kv, true);
    /* Started and paused: the group join is still under way (the first
     * group of a broker makes its offsets topic first). */
    FIXTURE_WAIT_FOR(state_is(r, TASK_PAUSED), "the sink task to start paused");
    task_runner_set_paused(r, false);
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\n"), "the sink to write the record");
    FIXTURE_WAIT_FOR(fixture_group_offset(t->f, "connect-early-resume", "events") == 1, "the sink to commit offset 1");
    fixture_produce(t->f, "events", JSON_STRING("b"));
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\n"), "the next record, and each once");
    task_runner_stop(r);
}

/* failing.so in each callback it can fail in (and a task whose config
 * did not resolve): FAILED, with the plugin's message in the trace, told
 * to on_state and kept by the runner. */
typedef struct failing_case {
    const char *cls;
    const char *fail_in;
    const char *after;        /* fail.after */
    const char *config_error; /* instead of a plugin failure */
} failing_case_t;

static const failing_case_t failing_cases[] = {
    {"FailingSource", "start", "0", NULL},
    {"FailingSource", "poll", "2", NULL},
    {"FailingSource", "commit", "1", NULL},
    {"FailingSink", "start", "0", NULL},
    {"FailingSink", "put", "0", NULL},
    {"FailingSink", "flush", "1", NULL},
    {"FailingSource", "poll", "0", "Could not read properties from file /nonexistent"},
};

/* The other tasks of the worker go on: a file source runs beside each
 * failing task and still commits once they all failed. */
static void test_failing_callbacks(void **state)
{
    test_ctx_t *t = *state;
    char in[512];
    fixture_path(t->f, "in.txt", in, sizeof(in));
    fixture_file_append(in, "before\n");
    reports_t healthy_rep = {.lock = PTHREAD_MUTEX_INITIALIZER};
    const char *const healthy_kv[] = {"file", in, "topic", "lines", NULL};
    task_runner_t *healthy = start_task_reporting(t, &healthy_rep, "healthy", "FileStreamSource", healthy_kv, false,
                                                  NULL);
    FIXTURE_WAIT_FOR(fixture_source_offset_is(t->f->stores.offsets, "healthy", in, "{\"position\":7}"),
                     "the healthy source to commit");
    /* The failing sink's put() needs a record to be handed. */
    fixture_produce(t->f, "failing-input", JSON_STRING("r"));

    for (size_t i = 0; i < sizeof(failing_cases) / sizeof(failing_cases[0]); i++) {
        const failing_case_t *c = &failing_cases[i];
        char name[128], expected[512], trace[4096];
        snprintf(name, sizeof(name), "failing-%zu-%s", i, c->fail_in);
        if (c->config_error) {
            snprintf(expected, sizeof(expected), "%s", c->config_error);
        } else {
            snprintf(expected, sizeof(expected), "%s failed: %s: injected failure in %s after %s successful calls",
                     c->fail_in, name, c->fail_in, c->after);
        }
        const char *const kv[] = {"fail.in", c->fail_in, "fail.after", c->after, "topics", "failing-input", NULL};
        task_runner_t *r = start_task_reporting(t, &t->rep, name, c->cls, kv, false, c->config_error);
        FIXTURE_WAIT_FOR(state_is(r, TASK_FAILED), expected);
        assert_int_equal(task_runner_state(r, trace, sizeof(trace)), TASK_FAILED);
        assert_string_equal(trace, expected);
        FIXTURE_WAIT_FOR(last_report(&t->rep) == TASK_FAILED, "on_state to be told FAILED");
        pthread_mutex_lock(&t->rep.lock);
        assert_string_equal(t->rep.trace, expected);
        pthread_mutex_unlock(&t->rep.lock);
        assert_false(reported(&t->rep, TASK_STOPPED));
        task_runner_stop(r); /* a failed task is stopped like any other */
        assert_int_equal(last_report(&t->rep), TASK_FAILED);
    }

    assert_true(state_is(healthy, TASK_RUNNING));
    fixture_file_append(in, "after\n");
    FIXTURE_WAIT_FOR(fixture_source_offset_is(t->f->stores.offsets, "healthy", in, "{\"position\":13}"),
                     "the healthy source to commit the line written after the failures");
    assert_int_equal(fixture_topic_end(t->f, "lines"), 2);
    task_runner_stop(healthy);
    assert_int_equal(last_report(&healthy_rep), TASK_STOPPED);
}

/* A worker whose plugin.path has stuck_source.so too, and a short
 * task.shutdown.graceful.timeout.ms. */
static int setup_stuck(void **state)
{
    test_ctx_t *t = calloc(1, sizeof(*t));
    pthread_mutex_init(&t->rep.lock, NULL);
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/plugins/failing.so,%s/tests/plugins/stuck_source.so", fixture_top_builddir(),
             fixture_top_builddir());
    const char *const overrides[] = {"plugin.path", path, "task.shutdown.graceful.timeout.ms", "300", NULL};
    t->f = fixture_create(overrides);
    *state = t;
    return 0;
}

static int reports_count(reports_t *rep)
{
    pthread_mutex_lock(&rep->lock);
    int n = rep->n;
    pthread_mutex_unlock(&rep->lock);
    return n;
}

/* A poll() deaf to stop and wakeup: the stop gives up after
 * task.shutdown.graceful.timeout.ms, the task is listed as abandoned, and
 * what its thread does once poll() returns at last (the final commit, the
 * STOPPED report) has no effect; the thread frees the runner as it ends. */
static void test_stuck_task_abandoned(void **state)
{
    test_ctx_t *t = *state;
    char release[512];
    fixture_path(t->f, "release", release, sizeof(release));
    const char *const kv[] = {"stuck.after.records", "3", "stuck.topic", "stuck", "stuck.release.file", release, NULL};
    task_runner_t *r = start_task_reporting(t, &t->rep, "stuck", "StuckSource", kv, false, NULL);
    FIXTURE_WAIT_FOR(fixture_topic_end(t->f, "stuck") == 3, "the stuck source's 3 records");
    assert_true(state_is(r, TASK_RUNNING));
    assert_int_equal(task_runner_abandoned(NULL, 0), 0);

    task_runner_stop_begin(r);
    assert_false(task_runner_stop_wait(r, fixture_now_ms() + t->f->wcfg.task_shutdown_timeout_ms));
    char names[256];
    assert_int_equal(task_runner_abandoned(names, sizeof(names)), 1);
    assert_string_equal(names, "stuck-0");
    assert_true(state_is(r, TASK_UNASSIGNED)); /* readable until released: being stopped */
    int reports = reports_count(&t->rep);
    char *offset_before = offset_store_get(t->f->stores.offsets, "stuck", "{\"source\":\"stuck\"}");
    task_runner_release(r); /* the thread has the last reference now */

    fixture_file_append(release, "");
    FIXTURE_WAIT_FOR(task_runner_abandoned(NULL, 0) == 0, "the abandoned thread to end once released");
    assert_int_equal(reports_count(&t->rep), reports);
    assert_false(reported(&t->rep, TASK_STOPPED));
    char *offset_after = offset_store_get(t->f->stores.offsets, "stuck", "{\"source\":\"stuck\"}");
    if (offset_before) {
        assert_non_null(offset_after);
        assert_string_equal(offset_after, offset_before);
    } else {
        assert_null(offset_after);
    }
    free(offset_before);
    free(offset_after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_source_offsets_after_acknowledgement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_commits_after_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_resumed_before_assignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_callbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stuck_task_abandoned, setup_stuck, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
