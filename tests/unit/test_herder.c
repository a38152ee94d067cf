/* Unit tests for the herder (src/herder/): connectors created, paused,
 * stopped, restarted and deleted through its API, on real plugins
 * (connectd-file.so, tests/plugins/failing.so) and a broker running inside
 * the test process (worker_fixture.h).  Records go from a source file
 * through the broker to a sink file; what the tests see is what a REST
 * client would: the status documents, the files, the stored offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>

#include "worker_fixture.h"

#define EXPECT_RESULT(call, expected) assert_int_equal((call), (expected))

static int setup(void **state)
{
    worker_fixture_t *f = fixture_create(NULL);
    fixture_herder_start(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_destroy(*state);
    return 0;
}

/* A connector config from key, value, ..., NULL. */
static properties_t *config_of(const char *const *kv)
{
    properties_t *config = properties_create();
    for (size_t i = 0; kv[i]; i += 2) {
        properties_set(config, kv[i], kv[i + 1]);
    }
    return config;
}

/* herder_put_connector; errstr gets the herder's message. */
static herder_result_t put(worker_fixture_t *f, const char *name, const char *const *kv, bool update, char *errstr,
                           size_t errstr_size)
{
    properties_t *config = config_of(kv);
    herder_result_t res = herder_put_connector(f->herder, name, config, update, errstr, errstr_size);
    properties_destroy(config);
    return res;
}

static void create(worker_fixture_t *f, const char *name, const char *const *kv)
{
    char err[2048] = "";
    herder_result_t res = put(f, name, kv, false, err, sizeof(err));
    if (res != HERDER_CREATED) {
        fail_msg("connector %s was not created (%d): %s", name, (int)res, err);
    }
}

static void set_target(worker_fixture_t *f, const char *name, herder_target_t target)
{
    char err[512];
    EXPECT_RESULT(herder_set_target(f->herder, name, target, err, sizeof(err)), HERDER_OK);
}

/* The connector's status document, or NULL when the herder has no such
 * connector. */
static json_t *status_of(worker_fixture_t *f, const char *name)
{
    herder_result_t res;
    char *text = herder_json_connector_status(f->herder, name, &res);
    if (!text) {
        EXPECT_RESULT(res, HERDER_ERR_NOT_FOUND);
        return NULL;
    }
    EXPECT_RESULT(res, HERDER_OK);
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(doc);
    return doc;
}

/* Whether the connector is in `state` with `n_tasks` tasks, each in
 * `task_state`. */
static bool status_is(worker_fixture_t *f, const char *name, const char *state, size_t n_tasks, const char *task_state)
{
    json_t *doc = status_of(f, name);
    json_t *tasks = json_object_get(doc, "tasks");
    bool is = doc &&
              strcmp(json_string_value(json_object_get(json_object_get(doc, "connector"), "state")), state) == 0 &&
              json_array_size(tasks) == n_tasks;
    for (size_t i = 0; is && i < n_tasks; i++) {
        is = strcmp(json_string_value(json_object_get(json_array_get(tasks, i), "state")), task_state) == 0;
    }
    json_decref(doc);
    return is;
}

/* Whether the trace of the connector (task -1) or of task `task` holds
 * `text`. */
static bool trace_has(worker_fixture_t *f, const char *name, int task, const char *text)
{
    json_t *doc = status_of(f, name);
    json_t *of = task < 0 ? json_object_get(doc, "connector")
                          : json_array_get(json_object_get(doc, "tasks"), (size_t)task);
    const char *trace = json_string_value(json_object_get(of, "trace"));
    bool has = trace && strstr(trace, text);
    json_decref(doc);
    return has;
}

#define WAIT_FOR_STATUS(f, name, state, n_tasks, task_state)                   \
    FIXTURE_WAIT_FOR(status_is((f), (name), (state), (n_tasks), (task_state)), \
                     "connector " name " " state " with " #n_tasks " task(s) " task_state)

/* A file source reading <dir>/in.txt into topic "lines" and a file sink
 * writing it to <dir>/out.txt, both running.  `in` and `out` get the paths. */
static void start_pipeline(worker_fixture_t *f, char *in, char *out, size_t size)
{
    fixture_path(f, "in.txt", in, size);
    fixture_path(f, "out.txt", out, size);
    const char *const sink[] = {"connector.class", "FileStreamSink", "topics", "lines", "file", out, NULL};
    const char *const source[] = {"connector.class", "FileStreamSource", "topic", "lines", "file", in, NULL};
    create(f, "sink", sink);
    create(f, "source", source);
    WAIT_FOR_STATUS(f, "sink", "RUNNING", 1, "RUNNING");
    WAIT_FOR_STATUS(f, "source", "RUNNING", 1, "RUNNING");
}

/* Create, the answers to a bad or repeated create, update, stop and
 * resume (the tasks start again where the offsets say), delete. */
static void test_connector_lifecycle(void **state)
{
    worker_fixture_t *f = *state;
    char in[512], out[512], err[2048];
    start_pipeline(f, in, out, sizeof(in));
    fixture_file_append(in, "a\nb\n");
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\n"), "two lines from the source file in the sink file");
    assert_int_equal(herder_connector_count(f->herder), 2);
    assert_true(herder_has_connector(f->herder, "source"));

    const char *const source[] = {"connector.class", "FileStreamSource", "topic", "lines", "file", in, NULL};
    EXPECT_RESULT(put(f, "source", source, false, err, sizeof(err)), HERDER_ERR_CONFLICT);
    assert_string_equal(err, "Connector source already exists");
    EXPECT_RESULT(put(f, "source", source, true, err, sizeof(err)), HERDER_OK); /* the same config: unchanged */
    const char *const unknown[] = {"connector.class", "NoSuchConnector", NULL};
    EXPECT_RESULT(put(f, "other", unknown, false, err, sizeof(err)), HERDER_ERR_INVALID);
    assert_non_null(strstr(err, "Failed to find any class that implements Connector and which name matches "
                                "NoSuchConnector"));
    const char *const no_topic[] = {"connector.class", "FileStreamSource", "file", in, NULL};
    EXPECT_RESULT(put(f, "other", no_topic, false, err, sizeof(err)), HERDER_ERR_INVALID);
    assert_non_null(strstr(err, "topic"));
    assert_false(herder_has_connector(f->herder, "other"));

    /* Stopped: no task at all, the config kept; lines written meanwhile
     * go once it is resumed, and only they. */
    set_target(f, "source", HERDER_STOPPED);
    assert_true(status_is(f, "source", "STOPPED", 0, NULL));
    fixture_file_append(in, "c\n");
    set_target(f, "source", HERDER_STARTED);
    WAIT_FOR_STATUS(f, "source", "RUNNING", 1, "RUNNING");
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\nc\n"), "the line written while the source was stopped");

    EXPECT_RESULT(herder_delete_connector(f->herder, "source", err, sizeof(err)), HERDER_DELETED);
    assert_null(status_of(f, "source"));
    EXPECT_RESULT(herder_delete_connector(f->herder, "source", err, sizeof(err)), HERDER_ERR_NOT_FOUND);
    assert_string_equal(err, "Connector source not found");
    EXPECT_RESULT(herder_set_target(f->herder, "source", HERDER_PAUSED, err, sizeof(err)), HERDER_ERR_NOT_FOUND);
    EXPECT_RESULT(herder_restart_connector(f->herder, "source", true, false, NULL), HERDER_ERR_NOT_FOUND);
    EXPECT_RESULT(herder_restart_task(f->herder, "source", 0), HERDER_ERR_NOT_FOUND);
    EXPECT_RESULT(herder_delete_connector(f->herder, "sink", err, sizeof(err)), HERDER_DELETED);
    assert_int_equal(herder_connector_count(f->herder), 0);
}

/* A sink created PAUSED consumes nothing until resumed; a running source
 * or sink paused and resumed goes on where it was. */
static void test_pause_resume(void **state)
{
    worker_fixture_t *f = *state;
    char in[512], out[512], err[2048];
    fixture_path(f, "in.txt", in, sizeof(in));
    fixture_path(f, "out.txt", out, sizeof(out));
    const char *const sink[] = {"connector.class", "FileStreamSink", "topics", "lines", "file", out, NULL};
    const char *const source[] = {"connector.class", "FileStreamSource", "topic", "lines", "file", in, NULL};
    properties_t *config = config_of(sink);
    EXPECT_RESULT(herder_create_connector(f->herder, "sink", config, HERDER_PAUSED, err, sizeof(err)), HERDER_CREATED);
    properties_destroy(config);
    create(f, "source", source);
    WAIT_FOR_STATUS(f, "sink", "PAUSED", 1, "PAUSED");
    WAIT_FOR_STATUS(f, "source", "RUNNING", 1, "RUNNING");

    fixture_file_append(in, "a\n");
    FIXTURE_WAIT_FOR(fixture_source_offset_is(f->stores.offsets, "source", in, "{\"position\":2}"),
                     "the source to commit its line");
    /* The line is in the topic.  Nothing may reach the file, however long
     * we look; a second is enough to see a sink that consumes anyway, and
     * never fails one that does not. */
    fixture_sleep_ms(1000);
    assert_true(fixture_file_is(out, ""));
    set_target(f, "sink", HERDER_STARTED);
    WAIT_FOR_STATUS(f, "sink", "RUNNING", 1, "RUNNING");
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\n"), "the resumed sink to write the line");

    set_target(f, "source", HERDER_PAUSED);
    assert_true(status_is(f, "source", "PAUSED", 1, "PAUSED"));
    fixture_file_append(in, "b\n");
    set_target(f, "source", HERDER_STARTED);
    assert_true(status_is(f, "source", "RUNNING", 1, "RUNNING"));
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\n"), "the line written while the source was paused");

    set_target(f, "sink", HERDER_PAUSED);
    assert_true(status_is(f, "sink", "PAUSED", 1, "PAUSED"));
    fixture_file_append(in, "c\n");
    FIXTURE_WAIT_FOR(fixture_source_offset_is(f->stores.offsets, "source", in, "{\"position\":6}"),
                     "the source to commit the line written while the sink was paused");
    set_target(f, "sink", HERDER_STARTED);
    assert_true(status_is(f, "sink", "RUNNING", 1, "RUNNING"));
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\nc\n"), "the line written while the sink was paused");
}

/* A task that failed (its file cannot be made) runs once restarted after
 * the cause is gone; a connector restarted with its tasks shows the plan
 * and resumes from its offsets; only_failed restarts nothing healthy. */
static void test_restart_connector_and_task(void **state)
{
    worker_fixture_t *f = *state;
    char in[512], dir[512], out[600];
    fixture_path(f, "in.txt", in, sizeof(in));
    fixture_path(f, "later", dir, sizeof(dir));
    snprintf(out, sizeof(out), "%s/out.txt", dir);
    const char *const sink[] = {"connector.class", "FileStreamSink", "topics", "lines", "file", out, NULL};
    const char *const source[] = {"connector.class", "FileStreamSource", "topic", "lines", "file", in, NULL};
    create(f, "sink", sink);
    create(f, "source", source);
    WAIT_FOR_STATUS(f, "sink", "RUNNING", 1, "FAILED");
    assert_true(trace_has(f, "sink", 0, "couldn't find or create file"));
    assert_false(trace_has(f, "sink", -1, "")); /* the connector itself did not fail */
    WAIT_FOR_STATUS(f, "source", "RUNNING", 1, "RUNNING");
    fixture_file_append(in, "a\n");

    assert_int_equal(mkdir(dir, 0755), 0);
    EXPECT_RESULT(herder_restart_task(f->herder, "sink", 1), HERDER_ERR_NOT_FOUND);
    EXPECT_RESULT(herder_restart_task(f->herder, "sink", 0), HERDER_OK);
    WAIT_FOR_STATUS(f, "sink", "RUNNING", 1, "RUNNING");
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\n"), "the restarted sink task to write the line");

    char *plan = NULL;
    EXPECT_RESULT(herder_restart_connector(f->herder, "source", true, false, &plan), HERDER_OK);
    json_t *doc = json_loads(plan, 0, NULL);
    free(plan);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "connector"), "state")), "RESTARTING");
    assert_int_equal(json_array_size(json_object_get(doc, "tasks")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "tasks"), 0), "state")),
                        "RESTARTING");
    json_decref(doc);
    WAIT_FOR_STATUS(f, "source", "RUNNING", 1, "RUNNING");
    fixture_file_append(in, "b\n");
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\n"), "the restarted source's next line, once");

    /* Nothing failed: only_failed restarts nothing, and the plan says so. */
    EXPECT_RESULT(herder_restart_connector(f->herder, "sink", true, true, &plan), HERDER_OK);
    doc = json_loads(plan, 0, NULL);
    free(plan);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "connector"), "state")), "RUNNING");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "tasks"), 0), "state")),
                        "RUNNING");
    json_decref(doc);
    assert_true(status_is(f, "sink", "RUNNING", 1, "RUNNING"));
}

/* failing.so fails where it is told to: validate() refuses the create,
 * task_configs() fails the connector, start() and poll() fail its task,
 * each with the plugin's message in the trace -- and the worker's other
 * connectors go on. */
static void test_failing_plugin(void **state)
{
    worker_fixture_t *f = *state;
    char in[512], out[512], err[2048];
    start_pipeline(f, in, out, sizeof(in));

    const char *const bad_validate[] = {"connector.class", "FailingSink", "fail.in", "validate", "topics", "x", NULL};
    EXPECT_RESULT(put(f, "failing-validate", bad_validate, false, err, sizeof(err)), HERDER_ERR_INVALID);
    assert_non_null(strstr(err, "failing-validate: injected failure in validate after 0 successful calls"));
    assert_false(herder_has_connector(f->herder, "failing-validate"));

    const char *const bad_configs[] = {"connector.class", "FailingSink", "fail.in", "task_configs",
                                       "topics",          "x",           NULL};
    create(f, "failing-configs", bad_configs);
    assert_true(status_is(f, "failing-configs", "FAILED", 0, NULL));
    assert_true(trace_has(f, "failing-configs", -1,
                          "task_configs failed: failing-configs: injected failure in task_configs after 0 successful "
                          "calls"));

    const char *const bad_start[] = {"connector.class", "FailingSource", "fail.in", "start", NULL};
    create(f, "failing-start", bad_start);
    WAIT_FOR_STATUS(f, "failing-start", "RUNNING", 1, "FAILED");
    assert_true(trace_has(f, "failing-start", 0,
                          "start failed: failing-start: injected failure in start after 0 successful calls"));

    const char *const bad_poll[] = {"connector.class", "FailingSource", "fail.in", "poll", "fail.after", "3", NULL};
    create(f, "failing-poll", bad_poll);
    WAIT_FOR_STATUS(f, "failing-poll", "RUNNING", 1, "FAILED");
    assert_true(trace_has(f, "failing-poll", 0,
                          "poll failed: failing-poll: injected failure in poll after 3 successful calls"));

    fixture_file_append(in, "still flowing\n");
    FIXTURE_WAIT_FOR(fixture_file_is(out, "still flowing\n"), "the pipeline to go on beside the failed connectors");
    assert_true(status_is(f, "source", "RUNNING", 1, "RUNNING"));
    assert_true(status_is(f, "sink", "RUNNING", 1, "RUNNING"));
    EXPECT_RESULT(herder_delete_connector(f->herder, "failing-configs", err, sizeof(err)), HERDER_DELETED);
    EXPECT_RESULT(herder_delete_connector(f->herder, "failing-start", err, sizeof(err)), HERDER_DELETED);
    EXPECT_RESULT(herder_delete_connector(f->herder, "failing-poll", err, sizeof(err)), HERDER_DELETED);
}

/* A worker stopped and started again: its connectors come back from the
 * config topic in their target states, the source resumes from the
 * offsets it committed, the sink from its group's, so every line arrives
 * once. */
static void test_worker_restart_resumes(void **state)
{
    worker_fixture_t *f = *state;
    char in[512], out[512];
    start_pipeline(f, in, out, sizeof(in));
    fixture_file_append(in, "a\nb\n");
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\n"), "two lines in the sink file");
    FIXTURE_WAIT_FOR(fixture_source_offset_is(f->stores.offsets, "source", in, "{\"position\":4}"),
                     "the source to commit both lines");
    set_target(f, "sink", HERDER_PAUSED);

    fixture_worker_down(f);
    fixture_file_append(in, "c\n");
    fixture_worker_up(f);
    /* The offsets were read back from the topic, before any task ran. */
    assert_true(fixture_source_offset_is(f->stores.offsets, "source", in, "{\"position\":4}"));
    fixture_herder_start(f);
    assert_int_equal(herder_connector_count(f->herder), 2);
    WAIT_FOR_STATUS(f, "source", "RUNNING", 1, "RUNNING");
    WAIT_FOR_STATUS(f, "sink", "PAUSED", 1, "PAUSED");
    FIXTURE_WAIT_FOR(fixture_source_offset_is(f->stores.offsets, "source", in, "{\"position\":6}"),
                     "the restored source to commit the line written while the worker was down");
    set_target(f, "sink", HERDER_STARTED);
    FIXTURE_WAIT_FOR(fixture_file_is(out, "a\nb\nc\n"), "the line written while the worker was down, once");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connector_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_connector_and_task, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_plugin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_restart_resumes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
