/* Unit tests for connect_records.c: the config and status topic records.
 *
 * How the expected bytes were derived: Kafka's KafkaConfigBackingStore and
 * KafkaStatusBackingStore build each value as a Struct of the schemas they
 * declare (CONNECTOR_CONFIGURATION_V0, CONNECTOR_TASKS_COMMIT_V0,
 * TARGET_STATE_V1, SESSION_KEY_V0, RESTART_REQUEST_V0, STATUS_SCHEMA_V0) and
 * serialise it with the worker's internal JsonConverter, schemas.enable=false:
 * JsonConverter.convertToJson writes a Struct as an object of its fields in
 * schema order (an unset optional field as null), a map of strings as an
 * object, INT32/INT64 as JSON numbers; Jackson's ObjectMapper writes that
 * compact.  The keys are the strings TARGET_STATE_KEY, CONNECTOR_KEY,
 * TASK_KEY ("task-" + connector + "-" + task), COMMIT_TASKS_KEY,
 * SESSION_KEY_KEY, RESTART_KEY and the status store's prefixes build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/connect_records.h"

static void assert_key(const char *key, connect_record_kind_t kind, const char *name, int task)
{
    connect_record_key_t k;
    connect_record_key_parse(key, strlen(key), &k);
    assert_int_equal(k.kind, kind);
    if (name) {
        assert_non_null(k.name);
        assert_string_equal(k.name, name);
    } else {
        assert_null(k.name);
    }
    assert_int_equal(k.task, task);
    if (kind != CONNECT_RECORD_UNKNOWN) {
        char *again = connect_record_key(kind, name, task);
        assert_string_equal(again, key);
        free(again);
    }
    connect_record_key_clear(&k);
}

static void test_keys(void **state)
{
    (void)state;
    assert_key("connector-local-file-source", CONNECT_RECORD_CONNECTOR, "local-file-source", -1);
    assert_key("task-local-file-source-0", CONNECT_RECORD_TASK, "local-file-source", 0);
    assert_key("task-a-b-12", CONNECT_RECORD_TASK, "a-b", 12);
    assert_key("commit-local-file-source", CONNECT_RECORD_COMMIT, "local-file-source", -1);
    assert_key("target-state-local-file-source", CONNECT_RECORD_TARGET_STATE, "local-file-source", -1);
    assert_key("session-key", CONNECT_RECORD_SESSION_KEY, NULL, -1);
    assert_key("restart-connector-s", CONNECT_RECORD_RESTART, "s", -1);
    assert_key("tasks-fencing-s", CONNECT_RECORD_TASK_COUNT, "s", -1);
    assert_key("logger-cluster-org.apache", CONNECT_RECORD_LOGGER, "org.apache", -1);
    assert_key("status-connector-s", CONNECT_RECORD_STATUS_CONNECTOR, "s", -1);
    assert_key("status-task-s-3", CONNECT_RECORD_STATUS_TASK, "s", 3);
    /* Not Kafka's: skipped as Kafka skips them. */
    assert_key("task-s-x", CONNECT_RECORD_UNKNOWN, NULL, -1);
    assert_key("task-s", CONNECT_RECORD_UNKNOWN, NULL, -1);
    assert_key("task-s-", CONNECT_RECORD_UNKNOWN, NULL, -1);
    assert_key("task--1", CONNECT_RECORD_UNKNOWN, NULL, -1);
    assert_key("task-s-99999999999", CONNECT_RECORD_UNKNOWN, NULL, -1);
    assert_key("connector-", CONNECT_RECORD_UNKNOWN, NULL, -1);
    assert_key("session-keys", CONNECT_RECORD_UNKNOWN, NULL, -1);
    assert_key("worker", CONNECT_RECORD_UNKNOWN, NULL, -1);
}

/* A key is bytes from the topic: one holding a NUL is not another key cut
 * short at it (Kafka's String keeps the NUL, so it names no connector here). */
static void test_keys_with_nul(void **state)
{
    (void)state;
    static const char *const keys[] = {"connector-a\0b", "task-s-1\0x", "task-s\0-1", "status-task-s-3\0",
                                       "target-state-a\0"};
    static const size_t lens[] = {13, 10, 9, 16, 15};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        connect_record_key_t k;
        connect_record_key_parse(keys[i], lens[i], &k);
        assert_int_equal(k.kind, CONNECT_RECORD_UNKNOWN);
        assert_null(k.name);
        assert_int_equal(k.task, -1);
        connect_record_key_clear(&k);
    }
}

static void test_config(void **state)
{
    (void)state;
    char err[256];
    properties_t *p = properties_create();
    properties_set(p, "connector.class", "FileStreamSource");
    properties_set(p, "file", "/tmp/in \"1\".txt");
    char *text = connect_record_config(p);
    assert_string_equal(text, "{\"properties\":{\"connector.class\":\"FileStreamSource\",\"file\":\"/tmp/in "
                              "\\\"1\\\".txt\"}}");
    free(text);
    properties_destroy(p);

    /* Kafka's bytes, with the map in another order and a null value
     * (OPTIONAL_STRING values), which is left out. */
    const char *kafka = "{\"properties\":{\"tasks.max\":\"1\",\"name\":\"s\",\"topic\":null}}";
    p = connect_record_config_read(kafka, strlen(kafka), err, sizeof(err));
    assert_non_null(p);
    assert_int_equal(properties_count(p), 2);
    assert_string_equal(properties_get(p, "tasks.max"), "1");
    assert_string_equal(properties_get(p, "name"), "s");
    properties_destroy(p);

    assert_null(connect_record_config_read("{\"tasks\":1}", 11, err, sizeof(err)));
    assert_string_equal(err, "config record has no \"properties\" object");
    assert_null(connect_record_config_read("[1]", 3, err, sizeof(err)));
    assert_string_equal(err, "config record is not a JSON object");
    assert_null(connect_record_config_read("{\"prop", 6, err, sizeof(err)));
    assert_non_null(strstr(err, "config record is not JSON: "));
}

static void test_commit(void **state)
{
    (void)state;
    char err[256];
    char *text = connect_record_commit(3);
    assert_string_equal(text, "{\"tasks\":3}");
    free(text);
    int n = -1;
    assert_int_equal(connect_record_commit_read("{\"tasks\":0}", 11, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 0);
    assert_int_equal(connect_record_commit_read("{\"tasks\":\"3\"}", 13, &n, err, sizeof(err)), -1);
    assert_string_equal(err, "commit record's \"tasks\" is not a task count");
}

static void test_target_state(void **state)
{
    (void)state;
    char err[256];
    const char *want[] = {
        "{\"state\":\"STARTED\",\"state.v2\":\"STARTED\"}",
        "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}",
        "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}",
    };
    for (int s = CONNECT_TARGET_STARTED; s <= CONNECT_TARGET_STOPPED; s++) {
        char *text = connect_record_target_state((connect_target_state_t)s);
        assert_string_equal(text, want[s]);
        free(text);
        connect_target_state_t got;
        assert_int_equal(connect_record_target_state_read(want[s], strlen(want[s]), &got, err, sizeof(err)), 0);
        assert_int_equal(got, s);
    }
    /* TARGET_STATE_V0, as Kafka before 3.5 wrote it. */
    connect_target_state_t got;
    const char *v0 = "{\"state\":\"PAUSED\"}";
    assert_int_equal(connect_record_target_state_read(v0, strlen(v0), &got, err, sizeof(err)), 0);
    assert_int_equal(got, CONNECT_TARGET_PAUSED);
    const char *bad = "{\"state\":\"RUNNING\"}";
    assert_int_equal(connect_record_target_state_read(bad, strlen(bad), &got, err, sizeof(err)), -1);
    assert_string_equal(err, "target state record names no state Kafka knows (STARTED, PAUSED, STOPPED)");
}

static void test_session_key(void **state)
{
    (void)state;
    char err[256];
    unsigned char key[] = "Hello";
    connect_session_key_t sk = {.key = key, .key_len = 5, .algorithm = "HmacSHA256", .creation_ms = 1700000000000};
    char *text = connect_record_session_key(&sk);
    const char *kafka = "{\"key\":\"SGVsbG8=\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1700000000000}";
    assert_string_equal(text, kafka);
    free(text);
    connect_session_key_t got;
    assert_int_equal(connect_record_session_key_read(kafka, strlen(kafka), &got, err, sizeof(err)), 0);
    assert_int_equal(got.key_len, 5);
    assert_memory_equal(got.key, "Hello", 5);
    assert_string_equal(got.algorithm, "HmacSHA256");
    assert_true(got.creation_ms == 1700000000000);
    connect_session_key_clear(&got);

    const char *bad = "{\"key\":\"SGVsbG8\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1}";
    assert_int_equal(connect_record_session_key_read(bad, strlen(bad), &got, err, sizeof(err)), -1);
    assert_string_equal(err, "session key record's \"key\" is not base64");
    const char *missing = "{\"key\":\"SGVsbG8=\",\"algorithm\":\"HmacSHA256\"}";
    assert_int_equal(connect_record_session_key_read(missing, strlen(missing), &got, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "creation-timestamp"));
}

static void test_restart(void **state)
{
    (void)state;
    char err[256];
    char *text = connect_record_restart(true, false);
    assert_string_equal(text, "{\"include-tasks\":true,\"only-failed\":false}");
    free(text);
    bool tasks = false, failed = true;
    const char *kafka = "{\"include-tasks\":true,\"only-failed\":true}";
    assert_int_equal(connect_record_restart_read(kafka, strlen(kafka), &tasks, &failed, err, sizeof(err)), 0);
    assert_true(tasks && failed);
    /* Missing fields are false, as Kafka's defaults. */
    assert_int_equal(connect_record_restart_read("{}", 2, &tasks, &failed, err, sizeof(err)), 0);
    assert_false(tasks || failed);
}

static void test_status(void **state)
{
    (void)state;
    char err[256];
    char *text = connect_record_status("RUNNING", NULL, "10.0.0.1:8083", 3);
    const char *kafka = "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"10.0.0.1:8083\",\"generation\":3}";
    assert_string_equal(text, kafka);
    free(text);
    text = connect_record_status("FAILED", "java.lang.Error: x\n\tat Foo", "w", 0);
    assert_string_equal(text, "{\"state\":\"FAILED\",\"trace\":\"java.lang.Error: x\\n\\tat Foo\",\"worker_id\":"
                              "\"w\",\"generation\":0}");
    connect_status_t st;
    assert_int_equal(connect_record_status_read(text, strlen(text), &st, err, sizeof(err)), 0);
    assert_string_equal(st.state, "FAILED");
    assert_string_equal(st.trace, "java.lang.Error: x\n\tat Foo");
    assert_string_equal(st.worker_id, "w");
    assert_int_equal(st.generation, 0);
    connect_status_clear(&st);
    free(text);

    assert_int_equal(connect_record_status_read(kafka, strlen(kafka), &st, err, sizeof(err)), 0);
    assert_null(st.trace);
    assert_int_equal(st.generation, 3);
    connect_status_clear(&st);

    const char *bad = "{\"state\":\"RUNNING\",\"worker_id\":\"w\"}";
    assert_int_equal(connect_record_status_read(bad, strlen(bad), &st, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "status record needs"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),    cmocka_unit_test(test_keys_with_nul), cmocka_unit_test(test_config),
        cmocka_unit_test(test_commit),  cmocka_unit_test(test_target_state),  cmocka_unit_test(test_session_key),
        cmocka_unit_test(test_restart), cmocka_unit_test(test_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
