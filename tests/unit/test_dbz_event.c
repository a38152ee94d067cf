/* Unit tests for connectors/postgres/dbz_event.c: the records Debezium's
 * PostgreSQL connector produces for each kind of change, written by the
 * worker's JsonConverter and compared byte for byte with Debezium's.
 *
 * The reference is a record Debezium 3.1.3.Final produced for the
 * tutorial's inventory.customers table (REPLICA IDENTITY FULL, pgoutput,
 * topic.prefix dbserver1), as kafka-console-consumer printed it in a
 * public walkthrough of the debezium-examples tutorial (an UPDATE of row
 * 1006's email).  Two things of it the plugin ABI cannot express are
 * taken out, and only those: the schema default values ("default":0 of
 * the serial id, "default":"false" of source.snapshot).  The other
 * events of the table are that record with what Debezium's
 * Envelope.create/delete/truncate and RelationalChangeRecordEmitter change
 * (documentation/modules/ROOT/pages/connectors/postgresql.adoc, "Data
 * change events"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "dbz_event.h"
#include "pg_event_fixture.h"

/* Debezium 3.1.3's value schema of inventory.customers, defaults removed. */
#define CUSTOMERS_ROW(field)                                                                     \
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}," \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"first_name\"},"                         \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"last_name\"},"                          \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"email\"}],\"optional\":true,"           \
    "\"name\":\"dbserver1.inventory.customers.Value\",\"field\":\"" field "\"}"
#define SOURCE_SCHEMA                                                                                         \
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"version\"},"        \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"                                       \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"                                            \
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"                                            \
    "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,\"parameters\":" \
    "{\"allowed\":\"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental\"},"   \
    "\"field\":\"snapshot\"},"                                                                                \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"                                              \
    "{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"},"                                         \
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"                                             \
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"},"                                             \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"schema\"},"                                          \
    "{\"type\":\"string\",\"optional\":false,\"field\":\"table\"},"                                           \
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"txId\"},"                                              \
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"},"                                               \
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"xmin\"}],"                                             \
    "\"optional\":false,\"name\":\"io.debezium.connector.postgresql.Source\",\"version\":1,\"field\":\"source\"}"
#define CUSTOMERS_ENVELOPE                                                                                     \
    "{\"type\":\"struct\",\"fields\":[" CUSTOMERS_ROW("before") "," CUSTOMERS_ROW(                             \
        "after") "," SOURCE_SCHEMA ","                                                                         \
                 "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"id\"}," \
                 "{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"},"                          \
                 "{\"type\":\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}],"               \
                 "\"optional\":true,\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"},"        \
                 "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"                                  \
                 "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},"                                 \
                 "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"                                 \
                 "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}],"                                \
                 "\"optional\":false,\"name\":\"dbserver1.inventory.customers.Envelope\",\"version\":2}"
#define CUSTOMERS_KEY(id)                                                                                     \
    "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}]," \
    "\"optional\":false,\"name\":\"dbserver1.inventory.customers.Key\"},\"payload\":{\"id\":" id "}}"
/* The capture's source block. */
#define SOURCE_779                                                                                 \
    "\"source\":{\"version\":\"3.1.3.Final\",\"connector\":\"postgresql\",\"name\":\"dbserver1\"," \
    "\"ts_ms\":1766925059528,\"snapshot\":\"false\",\"db\":\"postgres\","                          \
    "\"sequence\":\"[\\\"34389280\\\",\\\"34389336\\\"]\",\"ts_us\":1766925059528750,"             \
    "\"ts_ns\":1766925059528750000,\"schema\":\"inventory\",\"table\":\"customers\",\"txId\":779," \
    "\"lsn\":34389336,\"xmin\":null}"
#define TAIL(op) "\"op\":\"" op "\",\"ts_ms\":1766925059873,\"ts_us\":1766925059873428,\"ts_ns\":1766925059873428925}}"

/* The record as kafka-console-consumer printed it, defaults removed. */
static const char update_full_json[] =
    "{\"schema\":" CUSTOMERS_ENVELOPE ",\"payload\":"
    "{\"before\":{\"id\":1006,\"first_name\":\"Liam\",\"last_name\":\"Han\",\"email\":\"liam2@example.com\"},"
    "\"after\":{\"id\":1006,\"first_name\":\"Liam\",\"last_name\":\"Han\",\"email\":\"liam3@example.com\"}," SOURCE_779
    ",\"transaction\":null," TAIL("u");

static dbz_context_t *ctx;
static dbz_table_t *customers;

/* CREATE TABLE inventory.customers (id SERIAL NOT NULL PRIMARY KEY,
 * first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL,
 * email VARCHAR(255) NOT NULL UNIQUE) */
static const dbz_column_t customers_columns[] = {
    {.name = "id", .type_oid = 23, .typmod = -1, .key_position = 1},
    {.name = "first_name", .type_oid = 1043, .typmod = 259},
    {.name = "last_name", .type_oid = 1043, .typmod = 259},
    {.name = "email", .type_oid = 1043, .typmod = 259},
};

static dbz_config_t config(bool tombstones)
{
    dbz_config_t cfg = {.topic_prefix = "dbserver1",
                        .database = "postgres",
                        .version = "3.1.3.Final",
                        .tombstones_on_delete = tombstones};
    pg_types_config_init(&cfg.types);
    return cfg;
}

static int setup(void **state)
{
    if (fixture_setup(state) != 0) {
        return -1;
    }
    dbz_config_t cfg = config(true);
    char err[256];
    ctx = dbz_context_create(&host, &cfg, NULL, err, sizeof(err));
    dbz_relation_t rel = {"inventory", "customers", customers_columns, 4};
    customers = ctx ? dbz_table_create(ctx, &rel, err, sizeof(err)) : NULL;
    return customers ? 0 : -1;
}

static int teardown(void **state)
{
    dbz_table_destroy(customers);
    dbz_context_destroy(ctx);
    return fixture_teardown(state);
}

#define T(s)                  \
    {                         \
        't', s, sizeof(s) - 1 \
    }
#define N            \
    {                \
        'n', NULL, 0 \
    }
#define U            \
    {                \
        'u', NULL, 0 \
    }

static const dbz_source_t source_779 = {.ts_us = INT64_C(1766925059528750),
                                        .has_txid = true,
                                        .txid = 779,
                                        .has_lsn = true,
                                        .lsn = 34389336,
                                        .has_last_commit_lsn = true,
                                        .last_commit_lsn = 34389280};
#define NOW_NS INT64_C(1766925059873428925)

/* Checks event i: topic, key (NULL: a null key), value (NULL: a
 * tombstone), header (NULL: none, else "name=<json of the key>"). */
static void check_event(dbz_event_t *ev, const char *key, const char *value, const char *header)
{
    assert_string_equal(ev->topic, "dbserver1.inventory.customers");
    char *text = to_json(ev->key_schema, ev->key);
    if (key == NULL) {
        assert_null(text);
    } else {
        assert_non_null(text);
        assert_string_equal(text, key);
    }
    free(text);
    text = to_json(ev->value_schema, ev->value);
    if (value == NULL) {
        assert_null(text);
    } else {
        assert_non_null(text);
        assert_string_equal(text, value);
    }
    free(text);
    if (header == NULL) {
        assert_null(ev->header_key);
    } else {
        assert_non_null(ev->header_key);
        text = to_json(ev->header_schema, ev->header_value);
        char got[512];
        snprintf(got, sizeof(got), "%s=%s", ev->header_key, text);
        assert_string_equal(got, header);
        free(text);
    }
    dbz_event_clear(&host, ev);
}

static void run(dbz_table_t *t, dbz_op_t op, const dbz_datum_t *old_tuple, const dbz_datum_t *new_tuple,
                const dbz_source_t *src, const dbz_txn_t *txn, dbz_event_t *out, size_t want)
{
    dbz_change_t ch = {op, old_tuple, new_tuple, src, txn, NOW_NS};
    size_t n = 99;
    char err[256] = "";
    if (dbz_table_events(t, &ch, out, &n, err, sizeof(err)) != 0) {
        fail_msg("dbz_table_events: %s", err);
    }
    assert_int_equal(n, want);
}

/* The reference record itself: an update under REPLICA IDENTITY FULL. */
static void test_update_full(void **state)
{
    (void)state;
    const dbz_datum_t old_row[] = {T("1006"), T("Liam"), T("Han"), T("liam2@example.com")};
    const dbz_datum_t new_row[] = {T("1006"), T("Liam"), T("Han"), T("liam3@example.com")};
    dbz_event_t out[DBZ_EVENTS_MAX];
    run(customers, DBZ_OP_UPDATE, old_row, new_row, &source_779, NULL, out, 1);
    check_event(&out[0], CUSTOMERS_KEY("1006"), update_full_json, NULL);
}

/* Under REPLICA IDENTITY DEFAULT an update that keeps the key has no old
 * tuple (before is null), and an unchanged TOASTed column carries the
 * placeholder. */
static void test_update_default_toast(void **state)
{
    (void)state;
    const dbz_datum_t new_row[] = {T("1006"), T("Liam"), U, T("liam3@example.com")};
    dbz_event_t out[DBZ_EVENTS_MAX];
    run(customers, DBZ_OP_UPDATE, NULL, new_row, &source_779, NULL, out, 1);
    check_event(&out[0], CUSTOMERS_KEY("1006"),
                "{\"schema\":" CUSTOMERS_ENVELOPE ",\"payload\":{\"before\":null,"
                "\"after\":{\"id\":1006,\"first_name\":\"Liam\",\"last_name\":\"__debezium_unavailable_value\","
                "\"email\":\"liam3@example.com\"}," SOURCE_779 ",\"transaction\":null," TAIL("u"),
                NULL);
}

/* Envelope.create: before null, op c; a snapshot row is the same with op
 * r and source.snapshot set. */
static void test_create_and_read(void **state)
{
    (void)state;
    const dbz_datum_t row[] = {T("1"), T("Anne"), T("Kretchmar"), T("annek@noanswer.org")};
    dbz_event_t out[DBZ_EVENTS_MAX];
    run(customers, DBZ_OP_CREATE, NULL, row, &source_779, NULL, out, 1);
    check_event(&out[0], CUSTOMERS_KEY("1"),
                "{\"schema\":" CUSTOMERS_ENVELOPE ",\"payload\":{\"before\":null,"
                "\"after\":{\"id\":1,\"first_name\":\"Anne\",\"last_name\":\"Kretchmar\","
                "\"email\":\"annek@noanswer.org\"}," SOURCE_779 ",\"transaction\":null," TAIL("c"),
                NULL);

    dbz_source_t snap = {.ts_us = INT64_C(1559033904863123),
                         .snapshot = "last",
                         .has_txid = true,
                         .txid = 555,
                         .has_lsn = true,
                         .lsn = 24023128};
    run(customers, DBZ_OP_READ, NULL, row, &snap, NULL, out, 1);
    check_event(&out[0], CUSTOMERS_KEY("1"),
                "{\"schema\":" CUSTOMERS_ENVELOPE ",\"payload\":{\"before\":null,"
                "\"after\":{\"id\":1,\"first_name\":\"Anne\",\"last_name\":\"Kretchmar\","
                "\"email\":\"annek@noanswer.org\"},"
                "\"source\":{\"version\":\"3.1.3.Final\",\"connector\":\"postgresql\",\"name\":\"dbserver1\","
                "\"ts_ms\":1559033904863,\"snapshot\":\"last\",\"db\":\"postgres\","
                "\"sequence\":\"[null,\\\"24023128\\\"]\",\"ts_us\":1559033904863123,"
                "\"ts_ns\":1559033904863123000,\"schema\":\"inventory\",\"table\":\"customers\",\"txId\":555,"
                "\"lsn\":24023128,\"xmin\":null},\"transaction\":null," TAIL("r"),
                NULL);
}

/* Envelope.delete under REPLICA IDENTITY DEFAULT: the 'K' tuple has the
 * key, the NOT NULL columns get their fallback; then a tombstone with the
 * same key. */
static void test_delete_and_tombstone(void **state)
{
    (void)state;
    const dbz_datum_t old_key[] = {T("1006"), N, N, N};
    dbz_event_t out[DBZ_EVENTS_MAX];
    run(customers, DBZ_OP_DELETE, old_key, NULL, &source_779, NULL, out, 2);
    check_event(&out[0], CUSTOMERS_KEY("1006"),
                "{\"schema\":" CUSTOMERS_ENVELOPE ",\"payload\":{\"before\":{\"id\":1006,\"first_name\":\"\","
                "\"last_name\":\"\",\"email\":\"\"},\"after\":null," SOURCE_779 ",\"transaction\":null," TAIL("d"),
                NULL);
    check_event(&out[1], CUSTOMERS_KEY("1006"), NULL, NULL);

    /* tombstones.on.delete=false: the delete alone. */
    dbz_config_t cfg = config(false);
    char err[256];
    dbz_context_t *quiet = dbz_context_create(&host, &cfg, NULL, err, sizeof(err));
    dbz_relation_t rel = {"inventory", "customers", customers_columns, 4};
    dbz_table_t *t = dbz_table_create(quiet, &rel, err, sizeof(err));
    run(t, DBZ_OP_DELETE, old_key, NULL, &source_779, NULL, out, 1);
    assert_non_null(out[0].value);
    dbz_event_clear(&host, &out[0]);
    dbz_table_destroy(t);
    dbz_context_destroy(quiet);
}

/* An update of the key: a delete under the old key naming the new one,
 * its tombstone, and a create under the new key naming the old one. */
static void test_key_change(void **state)
{
    (void)state;
    const dbz_datum_t old_key[] = {T("1006"), N, N, N};
    const dbz_datum_t new_row[] = {T("2006"), T("Liam"), T("Han"), T("liam3@example.com")};
    dbz_event_t out[DBZ_EVENTS_MAX];
    run(customers, DBZ_OP_UPDATE, old_key, new_row, &source_779, NULL, out, 3);
    check_event(&out[0], CUSTOMERS_KEY("1006"),
                "{\"schema\":" CUSTOMERS_ENVELOPE ",\"payload\":{\"before\":{\"id\":1006,\"first_name\":\"\","
                "\"last_name\":\"\",\"email\":\"\"},\"after\":null," SOURCE_779 ",\"transaction\":null," TAIL("d"),
                "__debezium.newkey=" CUSTOMERS_KEY("2006"));
    check_event(&out[1], CUSTOMERS_KEY("1006"), NULL, "__debezium.newkey=" CUSTOMERS_KEY("2006"));
    check_event(&out[2], CUSTOMERS_KEY("2006"),
                "{\"schema\":" CUSTOMERS_ENVELOPE ",\"payload\":{\"before\":null,"
                "\"after\":{\"id\":2006,\"first_name\":\"Liam\",\"last_name\":\"Han\","
                "\"email\":\"liam3@example.com\"}," SOURCE_779 ",\"transaction\":null," TAIL("c"),
                "__debezium.oldkey=" CUSTOMERS_KEY("1006"));
}

/* Envelope.truncate: a null key, no rows; and the transaction block of
 * provide.transaction.metadata. */
static void test_truncate_and_transaction(void **state)
{
    (void)state;
    dbz_event_t out[DBZ_EVENTS_MAX];
    run(customers, DBZ_OP_TRUNCATE, NULL, NULL, &source_779, NULL, out, 1);
    check_event(&out[0], NULL,
                "{\"schema\":" CUSTOMERS_ENVELOPE ",\"payload\":{\"before\":null,\"after\":null," SOURCE_779
                ",\"transaction\":null," TAIL("t"),
                NULL);

    const dbz_datum_t row[] = {T("1"), T("Anne"), T("Kretchmar"), T("annek@noanswer.org")};
    dbz_txn_t txn = {"779:34389336", 3, 2};
    run(customers, DBZ_OP_CREATE, NULL, row, &source_779, &txn, out, 1);
    char *text = to_json(out[0].value_schema, out[0].value);
    assert_non_null(strstr(text, ",\"transaction\":{\"id\":\"779:34389336\",\"total_order\":3,"
                                 "\"data_collection_order\":2},\"op\":\"c\","));
    free(text);
    dbz_event_clear(&host, &out[0]);
    /* A key change is two events: the create counts one after the delete. */
    const dbz_datum_t old_key[] = {T("1"), N, N, N};
    const dbz_datum_t new_row[] = {T("2"), T("Anne"), T("Kretchmar"), T("annek@noanswer.org")};
    run(customers, DBZ_OP_UPDATE, old_key, new_row, &source_779, &txn, out, 3);
    text = to_json(out[0].value_schema, out[0].value);
    assert_non_null(strstr(text, ",\"transaction\":{\"id\":\"779:34389336\",\"total_order\":3,"
                                 "\"data_collection_order\":2},\"op\":\"d\","));
    free(text);
    text = to_json(out[2].value_schema, out[2].value);
    assert_non_null(strstr(text, ",\"transaction\":{\"id\":\"779:34389336\",\"total_order\":4,"
                                 "\"data_collection_order\":3},\"op\":\"c\","));
    free(text);
    for (int i = 0; i < 3; i++) {
        dbz_event_clear(&host, &out[i]);
    }
}

/* Keys follow key_position (the primary key's order, or
 * message.key.columns), not the column order; a table without key
 * columns has null keys; excluded and unmappable columns are left out of
 * the row; the topic gets '_' for characters Kafka does not allow. */
static void test_keys_and_columns(void **state)
{
    (void)state;
    const dbz_column_t cols[] = {
        {.name = "a", .type_oid = 25, .typmod = -1, .key_position = 2},
        {.name = "lsn", .type_oid = 3220, .typmod = -1, .optional = true}, /* pg_lsn: no mapping */
        {.name = "b", .type_oid = 20, .typmod = -1, .key_position = 1},
        {.name = "secret", .type_oid = 25, .typmod = -1, .optional = true, .excluded = true},
    };
    char err[256] = "";
    dbz_relation_t rel = {"my schema", "t$1", cols, 4};
    dbz_table_t *t = dbz_table_create(ctx, &rel, err, sizeof(err));
    assert_non_null(t);
    assert_string_equal(dbz_table_topic(t), "dbserver1.my_schema.t_1");
    assert_string_equal(host.schema_name(dbz_table_key_schema(t)), "dbserver1.my schema.t$1.Key");
    const dbz_datum_t row[] = {T("x"), T("0/1"), T("7"), T("hidden")};
    dbz_event_t out[DBZ_EVENTS_MAX];
    run(t, DBZ_OP_CREATE, NULL, row, &source_779, NULL, out, 1);
    char *key = to_json(out[0].key_schema, out[0].key);
    assert_string_equal(key, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,"
                             "\"field\":\"b\"},{\"type\":\"string\",\"optional\":false,\"field\":\"a\"}],"
                             "\"optional\":false,\"name\":\"dbserver1.my schema.t$1.Key\"},"
                             "\"payload\":{\"b\":7,\"a\":\"x\"}}");
    free(key);
    char *value = to_json(out[0].value_schema, out[0].value);
    assert_non_null(strstr(value, "\"after\":{\"a\":\"x\",\"b\":7},"));
    free(value);
    dbz_event_clear(&host, &out[0]);
    dbz_table_destroy(t);

    const dbz_column_t nokey[] = {{.name = "v", .type_oid = 25, .typmod = -1, .optional = true}};
    dbz_relation_t rel2 = {"public", "log", nokey, 1};
    t = dbz_table_create(ctx, &rel2, err, sizeof(err));
    assert_null(dbz_table_key_schema(t));
    const dbz_datum_t one[] = {T("hello")};
    run(t, DBZ_OP_CREATE, NULL, one, &source_779, NULL, out, 1);
    assert_null(out[0].key);
    assert_null(out[0].key_schema);
    dbz_event_clear(&host, &out[0]);
    dbz_table_destroy(t);

    /* A key column Debezium cannot map is a configuration error. */
    const dbz_column_t badkey[] = {{.name = "p", .type_oid = 600, .typmod = -1, .key_position = 1}};
    dbz_relation_t rel3 = {"public", "points", badkey, 1};
    assert_null(dbz_table_create(ctx, &rel3, err, sizeof(err)));
    assert_string_equal(err, "key column p of public.points has type 600, which has no mapping to Connect; set "
                             "include.unknown.datatypes=true or message.key.columns");
}

/* A value that cannot be read fails the change, naming the column, and
 * leaves nothing to free. */
static void test_bad_value(void **state)
{
    (void)state;
    const dbz_datum_t row[] = {T("x1"), T("Anne"), T("K"), T("a@b")};
    dbz_change_t ch = {DBZ_OP_CREATE, NULL, row, &source_779, NULL, NOW_NS};
    dbz_event_t out[DBZ_EVENTS_MAX];
    size_t n = 99;
    char err[256] = "";
    assert_int_equal(dbz_table_events(customers, &ch, out, &n, err, sizeof(err)), -1);
    assert_int_equal(n, 0);
    assert_string_equal(err, "column id of inventory.customers: cannot read 'x1' as int4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_full),      cmocka_unit_test(test_update_default_toast),
        cmocka_unit_test(test_create_and_read),  cmocka_unit_test(test_delete_and_tombstone),
        cmocka_unit_test(test_key_change),       cmocka_unit_test(test_truncate_and_transaction),
        cmocka_unit_test(test_keys_and_columns), cmocka_unit_test(test_bad_value),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
