/* Unit tests for connectors/postgres/pg_snapshot_offset.c: what a start of
 * the PostgreSQL source does for each snapshot.mode, committed offset and
 * slot (a table with a row per case), Debezium's snapshot markers, the
 * snapshot's offsets written and read back through the worker's data
 * model, and the key's JSON text, round trip and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "pg_event_fixture.h"
#include "pg_snapshot_offset.h"

#define NONE \
    {        \
        0    \
    }
#define STREAM(lsn)                        \
    {                                      \
        .present = true, .lsn_proc = (lsn) \
    }
#define RUNNING(lsn)                                         \
    {                                                        \
        .present = true, .lsn_proc = (lsn), .snapshot = true \
    }
#define DONE(lsn)                                                               \
    {                                                                           \
        .present = true, .lsn_proc = (lsn), .snapshot = true, .completed = true \
    }

static void test_plan(void **state)
{
    (void)state;
    static const struct {
        pg_snapshot_mode_t mode;
        pg_snapshot_position_t pos;
        bool slot_exists;
        uint64_t confirmed;
        /* expected */
        bool snapshot, resume, export_slot, stream, lost;
        uint64_t from;
    } cases[] = {
        /* no_data: never a snapshot, the offset's position or the slot's. */
        {PG_SNAPSHOT_NO_DATA, NONE, false, 0, false, false, false, true, false, 0},
        {PG_SNAPSHOT_NO_DATA, STREAM(500), true, 400, false, false, false, true, false, 500},
        {PG_SNAPSHOT_NO_DATA, RUNNING(500), true, 500, false, false, false, true, false, 500},
        /* initial: a new slot exports its snapshot; an existing one cannot. */
        {PG_SNAPSHOT_INITIAL, NONE, false, 0, true, false, true, true, false, 0},
        {PG_SNAPSHOT_INITIAL, NONE, true, 300, true, false, false, true, false, 300},
        {PG_SNAPSHOT_INITIAL, STREAM(500), true, 500, false, false, false, true, false, 500},
        {PG_SNAPSHOT_INITIAL, DONE(500), true, 500, false, false, false, true, false, 500},
        {PG_SNAPSHOT_INITIAL, RUNNING(500), true, 500, true, true, false, true, false, 500},
        /* ... the slot gone or confirmed past the offset: no resume. */
        {PG_SNAPSHOT_INITIAL, RUNNING(500), false, 0, true, false, true, true, true, 0},
        {PG_SNAPSHOT_INITIAL, RUNNING(500), true, 600, true, false, false, true, true, 600},
        {PG_SNAPSHOT_INITIAL, STREAM(500), false, 0, false, false, false, true, true, 500},
        /* initial_only: no stream, so nothing is lost and no slot is made. */
        {PG_SNAPSHOT_INITIAL_ONLY, NONE, false, 0, true, false, false, false, false, 0},
        {PG_SNAPSHOT_INITIAL_ONLY, RUNNING(500), false, 0, true, true, false, false, false, 500},
        {PG_SNAPSHOT_INITIAL_ONLY, DONE(500), false, 0, false, false, false, false, false, 500},
        /* always: every start; streaming from the committed offset. */
        {PG_SNAPSHOT_ALWAYS, STREAM(500), true, 450, true, false, false, true, false, 500},
        {PG_SNAPSHOT_ALWAYS, DONE(500), false, 0, true, false, true, true, true, 0},
        {PG_SNAPSHOT_ALWAYS, RUNNING(500), true, 500, true, true, false, true, false, 500},
        /* when_needed: also when the changes after the offset are lost. */
        {PG_SNAPSHOT_WHEN_NEEDED, STREAM(500), true, 500, false, false, false, true, false, 500},
        {PG_SNAPSHOT_WHEN_NEEDED, STREAM(500), true, 700, true, false, false, true, true, 700},
        {PG_SNAPSHOT_WHEN_NEEDED, DONE(500), false, 0, true, false, true, true, true, 0},
        {PG_SNAPSHOT_WHEN_NEEDED, RUNNING(500), true, 500, true, true, false, true, false, 500},
        {PG_SNAPSHOT_WHEN_NEEDED, RUNNING(500), true, 900, true, false, false, true, true, 900},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pg_snapshot_plan_t plan;
        pg_snapshot_plan(cases[i].mode, &cases[i].pos, cases[i].slot_exists, cases[i].confirmed, &plan);
        char what[64];
        snprintf(what, sizeof(what), "case %zu", i);
        if (plan.snapshot != cases[i].snapshot || plan.resume != cases[i].resume ||
            plan.export_slot != cases[i].export_slot || plan.stream != cases[i].stream ||
            plan.changes_lost != cases[i].lost || plan.stream_from != cases[i].from) {
            fail_msg("%s: snapshot %d resume %d export %d stream %d lost %d from %llu", what, plan.snapshot,
                     plan.resume, plan.export_slot, plan.stream, plan.changes_lost,
                     (unsigned long long)plan.stream_from);
        }
        assert_non_null(plan.why);
    }
}

static void test_markers(void **state)
{
    (void)state;
    /* RelationalSnapshotChangeEventSource.setSnapshotMarker: last of the
     * last table wins over first of the first. */
    assert_string_equal(pg_snapshot_marker(true, true, true, true), "last");
    assert_string_equal(pg_snapshot_marker(true, false, true, true), "first");
    assert_string_equal(pg_snapshot_marker(true, false, true, false), "first");
    assert_string_equal(pg_snapshot_marker(false, true, false, true), "last");
    assert_string_equal(pg_snapshot_marker(false, false, false, true), "last_in_data_collection");
    assert_string_equal(pg_snapshot_marker(false, true, true, false), "first_in_data_collection");
    assert_string_equal(pg_snapshot_marker(true, true, false, false), "true");
}

static void test_offset_round_trip(void **state)
{
    (void)state;
    pg_snapshot_record_offset_t off = {.lsn = 23898864,
                                       .txid = 741,
                                       .ts_us = 1767000000000000,
                                       .last = false,
                                       .schema = "public",
                                       .table = "orders",
                                       .table_index = 2,
                                       .last_key = "[\"512000\"]",
                                       .table_rows = 512000};
    cd_value_t *v = pg_snapshot_offset_value(&host, &off);
    char *json = to_json(NULL, v);
    assert_string_equal(
        json, "{\"schema\":null,\"payload\":{\"snapshot\":true,\"last_snapshot_record\":false,\"lsn\":23898864,"
              "\"lsn_proc\":23898864,\"txId\":741,\"ts_usec\":1767000000000000,"
              "\"snapshot_schema\":\"public\",\"snapshot_table\":\"orders\","
              "\"snapshot_table_index\":2,\"snapshot_last_key\":\"[\\\"512000\\\"]\","
              "\"snapshot_table_rows\":512000}}");
    free(json);
    pg_snapshot_position_t pos;
    char err[128];
    assert_int_equal(pg_snapshot_position_read(&host, v, &pos, err, sizeof(err)), 0);
    assert_true(pos.present && pos.snapshot && !pos.completed && pg_snapshot_position_in_progress(&pos));
    assert_int_equal(pos.lsn_proc, 23898864);
    assert_string_equal(pos.schema, "public");
    assert_string_equal(pos.table, "orders");
    assert_string_equal(pos.last_key, "[\"512000\"]");
    assert_int_equal(pos.table_rows, 512000);
    assert_int_equal(pos.table_index, 2);
    pg_snapshot_position_clear(&pos);
    host.value_free(v);

    /* With the key's column names; an offset without them (written before
     * they were kept) reads as not knowing them. */
    off.key_columns = "[\"id\"]";
    v = pg_snapshot_offset_value(&host, &off);
    json = to_json(NULL, v);
    assert_non_null(strstr(json, "\"snapshot_last_key\":\"[\\\"512000\\\"]\",\"snapshot_key_columns\":"
                                 "\"[\\\"id\\\"]\""));
    free(json);
    assert_int_equal(pg_snapshot_position_read(&host, v, &pos, err, sizeof(err)), 0);
    assert_string_equal(pos.key_columns, "[\"id\"]");
    pg_snapshot_position_clear(&pos);
    host.value_free(v);
    off.key_columns = NULL;
    v = pg_snapshot_offset_value(&host, &off);
    assert_int_equal(pg_snapshot_position_read(&host, v, &pos, err, sizeof(err)), 0);
    assert_string_equal(pos.last_key, "[\"512000\"]");
    assert_null(pos.key_columns);
    pg_snapshot_position_clear(&pos);
    host.value_free(v);

    /* A stream offset (pg_stream.h): no snapshot keys. */
    v = host.value_map();
    host.value_map_put(v, host.value_string("lsn_proc", 8), host.value_int(CD_TYPE_INT64, 99));
    host.value_map_put(v, host.value_string("lsn", 3), host.value_int(CD_TYPE_INT64, 90));
    assert_int_equal(pg_snapshot_position_read(&host, v, &pos, err, sizeof(err)), 0);
    assert_true(pos.present && !pos.snapshot && !pg_snapshot_position_in_progress(&pos));
    assert_int_equal(pos.lsn_proc, 99);
    assert_null(pos.table);
    pg_snapshot_position_clear(&pos);
    host.value_free(v);

    /* None, and one that is not ours. */
    assert_int_equal(pg_snapshot_position_read(&host, NULL, &pos, err, sizeof(err)), 0);
    assert_false(pos.present);
    v = host.value_map();
    host.value_map_put(v, host.value_string("position", 8), host.value_int(CD_TYPE_INT64, 1));
    assert_int_equal(pg_snapshot_position_read(&host, v, &pos, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "lsn_proc"));
    host.value_free(v);
}

static void test_key_codec(void **state)
{
    (void)state;
    const char *vals[] = {"42", "a\"b\\c", "tab\there\n", "caf\xc3\xa9", ""};
    size_t lens[] = {2, 5, 9, 5, 0};
    char *json = pg_snapshot_key_encode(vals, lens, 5);
    assert_string_equal(json, "[\"42\",\"a\\\"b\\\\c\",\"tab\\u0009here\\u000a\",\"caf\xc3\xa9\",\"\"]");
    char **back;
    size_t n;
    assert_int_equal(pg_snapshot_key_decode(json, &back, &n), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(back[i], vals[i]);
    }
    pg_snapshot_key_free(back, n);
    free(json);

    /* Other JSON spellings of strings decode too. */
    assert_int_equal(pg_snapshot_key_decode(" [ \"\\u00e9\\ud83d\\ude00\\/\" , \"x\" ] ", &back, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(back[0], "\xc3\xa9\xf0\x9f\x98\x80/");
    pg_snapshot_key_free(back, n);
    assert_int_equal(pg_snapshot_key_decode("[]", &back, &n), 0);
    assert_int_equal(n, 0);
    pg_snapshot_key_free(back, n);

    static const char *const bad[] = {
        "",   "[",           "[\"a\"",    "[\"a\",]",      "[\"a\" \"b\"]", "[1]",    "[\"a\"] x",
        "{}", "[\"\\u00\"]", "[\"\\q\"]", "[\"\\u0000\"]", "[\"a\nb\"]",    "[\"a\"", "[\"a\\",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (pg_snapshot_key_decode(bad[i], &back, &n) != -1) {
            fail_msg("'%s' decoded", bad[i]);
        }
        assert_null(back);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_offset_round_trip),
        cmocka_unit_test(test_key_codec),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
