/*
 * test_es_sink.c - the Elasticsearch sink's pure parts against the worker's
 * real data model: the bulk actions and documents (compared with what
 * Confluent's connector writes for the same records), ids and external
 * versions, index names, mappings, the bulk response reader and the
 * classification of its items, the version of GET /, and the settings'
 * cross checks with Confluent's messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/data.h"
#include "es_buf.h"
#include "es_bulk_response.h"
#include "es_config.h"
#include "es_doc.h"
#include "es_json_reader.h"
#include "es_mapping.h"
#include "es_server.h"

static cd_host_api_t host;

/* Allocations counted: the binary is linked with --wrap=malloc and
 * --wrap=realloc (elasticsearch.am), so every call of the code under test
 * comes through here. */
static size_t allocations;
void *__real_malloc(size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_realloc(void *ptr, size_t size);

void *__wrap_malloc(size_t size)
{
    allocations++;
    return __real_malloc(size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
    allocations++;
    return __real_realloc(ptr, size);
}

/* The settings config_get answers with: pairs, then the table's defaults. */
static const char *const *settings;

static const char *test_config_get(cd_task_t *task, const char *key)
{
    (void)task;
    for (size_t i = 0; settings && settings[i]; i += 2) {
        if (strcmp(settings[i], key) == 0) {
            return settings[i + 1];
        }
    }
    for (const cd_config_def_t *d = es_config_defs; d->name; d++) {
        if (strcmp(d->name, key) == 0) {
            return d->default_value;
        }
    }
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    host.struct_size = sizeof(host);
    host.abi_major = CD_ABI_MAJOR;
    host.abi_minor = CD_ABI_MINOR;
    data_fill_host_api(&host);
    host.config_get = test_config_get;
    return 0;
}

static es_config_t *config_of(const char *const *pairs, char *err, size_t errlen)
{
    settings = pairs;
    return es_config_read(&host, NULL, err, errlen);
}

/* A sink record as the worker lends it to put(). */
static cd_record_t *record(const char *topic, int32_t partition, int64_t offset, cd_schema_t *ks, cd_value_t *key,
                           cd_schema_t *vs, cd_value_t *value)
{
    cd_record_t *rec = data_record_new();
    data_record_set_kafka(rec, topic, partition, offset, 1700000000000LL);
    host.record_set_key(rec, ks, key);
    host.record_set_value(rec, vs, value);
    return rec;
}

static cd_value_t *str(const char *s)
{
    return host.value_string(s, strlen(s));
}

/* {"id": INT64, "name": STRING, "price": Decimal(scale 2), "tags": map<string,int32>} */
static cd_schema_t *order_schema(void)
{
    cd_schema_t *st = host.schema_struct(false);
    host.schema_set_name(st, "shop.Order");
    host.schema_add_field(st, "id", host.schema_new(CD_TYPE_INT64, false));
    host.schema_add_field(st, "name", host.schema_new(CD_TYPE_STRING, true));
    cd_schema_t *dec = host.schema_new(CD_TYPE_BYTES, false);
    host.schema_set_name(dec, "org.apache.kafka.connect.data.Decimal");
    host.schema_set_parameter(dec, "scale", "2");
    host.schema_add_field(st, "price", dec);
    host.schema_add_field(
        st, "tags",
        host.schema_map(host.schema_new(CD_TYPE_STRING, false), host.schema_new(CD_TYPE_INT32, false), true));
    return st;
}

static cd_value_t *order_value(const cd_schema_t *st, int64_t id, const char *name)
{
    cd_value_t *v = host.value_struct(st);
    host.value_struct_set(v, "id", host.value_int(CD_TYPE_INT64, id));
    host.value_struct_set(v, "name", name ? str(name) : host.value_null());
    static const unsigned char unscaled[] = {0x04, 0xd2}; /* 1234 -> 12.34 */
    host.value_struct_set(v, "price", host.value_bytes(unscaled, sizeof(unscaled)));
    cd_value_t *tags = host.value_map();
    host.value_map_put(tags, str("a\"b"), host.value_int(CD_TYPE_INT32, 1));
    host.value_struct_set(v, "tags", tags);
    return v;
}

static char *append(const char *const *pairs, es_api_t api, const char *type, const cd_record_t *rec, es_doc_rc_t want)
{
    char err[512] = "";
    es_config_t *cfg = config_of(pairs, err, sizeof(err));
    assert_non_null(cfg);
    es_buf_t body, id;
    es_buf_init(&body);
    es_buf_init(&id);
    es_doc_ctx_t ctx = {.host = &host, .cfg = cfg, .api = api, .type = type, .id_buf = &id};
    es_doc_meta_t meta;
    char index[512];
    es_doc_index_name(cfg, host.record_topic(rec), index, sizeof(index));
    es_doc_rc_t rc = es_doc_append(&ctx, rec, index, &body, &meta, err, sizeof(err));
    if (rc != want) {
        fail_msg("es_doc_append returned %d, not %d: %s", rc, want, err);
    }
    es_config_free(cfg);
    es_buf_free(&id);
    if (rc != ES_DOC_OK) {
        es_buf_free(&body);
        return strdup(err);
    }
    return es_buf_steal(&body, NULL);
}

static const char *const BASE[] = {"connection.url", "localhost:9200", NULL};

static void test_index_action_with_schema(void **state)
{
    (void)state;
    cd_schema_t *st = order_schema();
    cd_record_t *rec = record("Shop.Orders", 3, 17, host.schema_new(CD_TYPE_INT64, false),
                              host.value_int(CD_TYPE_INT64, 42), st, order_value(st, 42, "tab\there"));
    char *got = append(BASE, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_string_equal(got, "{\"index\":{\"_index\":\"shop.orders\",\"_id\":\"42\",\"version\":17,"
                             "\"version_type\":\"external\"}}\n"
                             "{\"id\":42,\"name\":\"tab\\there\",\"price\":12.34,\"tags\":{\"a\\\"b\":1}}\n");
    free(got);
    /* compact.map.entries=false: Confluent's {"key","value"} entries. */
    const char *const loose[] = {"connection.url", "localhost:9200", "compact.map.entries", "false", NULL};
    got = append(loose, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_non_null(strstr(got, "\"tags\":[{\"key\":\"a\\\"b\",\"value\":1}]"));
    free(got);
    /* schema.ignore=true: JsonConverter alone, a Decimal as base64. */
    const char *const ignore[] = {"connection.url", "localhost:9200", "schema.ignore", "true", NULL};
    got = append(ignore, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_non_null(strstr(got, "\"price\":\"BNI=\""));
    free(got);
    data_record_free(rec);
}

static void test_ids_versions_and_types(void **state)
{
    (void)state;
    /* A Debezium key {"id": 7}: its one field is the id. */
    cd_schema_t *ks = host.schema_struct(false);
    host.schema_add_field(ks, "id", host.schema_new(CD_TYPE_INT32, false));
    cd_value_t *key = host.value_struct(ks);
    host.value_struct_set(key, "id", host.value_int(CD_TYPE_INT32, 7));
    cd_record_t *rec = record("t", 0, 5, ks, key, NULL, str("v"));
    char *got = append(BASE, ES_API_DOC_TYPE, "_doc", rec, ES_DOC_OK);
    assert_string_equal(got, "{\"index\":{\"_index\":\"t\",\"_type\":\"_doc\",\"_id\":\"7\",\"version\":5,"
                             "\"version_type\":\"external\"}}\n\"v\"\n");
    free(got);
    data_record_free(rec);
    /* Two fields: the key's JSON. */
    ks = host.schema_struct(false);
    host.schema_add_field(ks, "a", host.schema_new(CD_TYPE_INT32, false));
    host.schema_add_field(ks, "b", host.schema_new(CD_TYPE_STRING, false));
    key = host.value_struct(ks);
    host.value_struct_set(key, "a", host.value_int(CD_TYPE_INT32, 1));
    host.value_struct_set(key, "b", str("x"));
    rec = record("t", 0, 6, ks, key, NULL, str("v"));
    got = append(BASE, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_non_null(strstr(got, "\"_id\":\"{\\\"a\\\":1,\\\"b\\\":\\\"x\\\"}\""));
    free(got);
    data_record_free(rec);
    /* key.ignore: topic+partition+offset, no version. */
    const char *const ki[] = {"connection.url", "localhost:9200", "key.ignore", "true", NULL};
    rec = record("t", 2, 9, NULL, NULL, NULL, str("v"));
    got = append(ki, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_string_equal(got, "{\"index\":{\"_index\":\"t\",\"_id\":\"t+2+9\"}}\n\"v\"\n");
    free(got);
    /* A null key is not an id. */
    got = append(BASE, ES_API_TYPELESS, NULL, rec, ES_DOC_INVALID);
    assert_string_equal(got, "Key is used as document id and can not be null.");
    free(got);
    data_record_free(rec);
    /* A float key is not one either, as in Confluent. */
    rec = record("t", 0, 1, NULL, host.value_float(CD_TYPE_FLOAT64, 1.5), NULL, str("v"));
    got = append(BASE, ES_API_TYPELESS, NULL, rec, ES_DOC_INVALID);
    assert_string_equal(got, "FLOAT64 is not supported as the document id.");
    free(got);
    data_record_free(rec);
    /* The version from a header. */
    const char *const vh[] = {"connection.url", "localhost:9200", "external.version.header", "v", NULL};
    rec = record("t", 0, 3, NULL, str("k"), NULL, str("x"));
    host.record_add_header(rec, "v", NULL, str("99"));
    got = append(vh, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_non_null(strstr(got, "\"version\":99,"));
    free(got);
    data_record_free(rec);
    rec = record("t", 0, 3, NULL, str("k"), NULL, str("x"));
    host.record_add_header(rec, "v", NULL, str("nine"));
    got = append(vh, ES_API_TYPELESS, NULL, rec, ES_DOC_FATAL);
    assert_string_equal(got, "Error converting external version header 'v' to long for record from topic=t "
                             "partition=0 offset=3");
    free(got);
    data_record_free(rec);
}

/* Once the task's buffers have grown, a record with a string key and a
 * struct value is appended without allocating. */
static void test_append_allocations(void **state)
{
    (void)state;
    char err[512] = "";
    es_config_t *cfg = config_of(BASE, err, sizeof(err));
    assert_non_null(cfg);
    es_buf_t body, id;
    es_buf_init(&body);
    es_buf_init(&id);
    es_doc_ctx_t ctx = {.host = &host, .cfg = cfg, .api = ES_API_TYPELESS, .id_buf = &id};
    cd_schema_t *st = order_schema();
    enum { N = 100 };
    cd_record_t *recs[N];
    for (int i = 0; i < N; i++) {
        char k[32];
        snprintf(k, sizeof(k), "order-%04d", i);
        recs[i] = record("orders", 0, i, NULL, str(k), host.schema_ref(st), order_value(st, i, "widget"));
    }
    es_doc_meta_t meta;
    for (int round = 0; round < 2; round++) {
        allocations = 0;
        for (int i = 0; i < N; i++) {
            es_buf_reset(&body);
            assert_int_equal(es_doc_append(&ctx, recs[i], "orders", &body, &meta, err, sizeof(err)), ES_DOC_OK);
        }
    }
    assert_int_equal(allocations, 0);
    assert_non_null(strstr(body.data, "\"_id\":\"order-0099\""));
    for (int i = 0; i < N; i++) {
        data_record_free(recs[i]);
    }
    host.schema_unref(st);
    es_buf_free(&body);
    es_buf_free(&id);
    es_config_free(cfg);
}

static void test_tombstones_and_upserts(void **state)
{
    (void)state;
    cd_record_t *rec = record("t", 0, 4, NULL, str("k1"), NULL, NULL);
    char *got = append(BASE, ES_API_TYPELESS, NULL, rec, ES_DOC_INVALID); /* behavior.on.null.values=FAIL */
    assert_non_null(strstr(got, "record from topic=t partition=0 offset=4 has a null value"));
    free(got);
    const char *const del[] = {"connection.url", "localhost:9200", "behavior.on.null.values", "delete", NULL};
    got = append(del, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_string_equal(got,
                        "{\"delete\":{\"_index\":\"t\",\"_id\":\"k1\",\"version\":4,\"version_type\":\"external\"}}\n");
    free(got);
    const char *const ign[] = {"connection.url", "localhost:9200", "behavior.on.null.values", "IGNORE", NULL};
    got = append(ign, ES_API_TYPELESS, NULL, rec, ES_DOC_SKIP);
    free(got);
    data_record_free(rec);
    const char *const up[] = {
        "connection.url", "localhost:9200", "write.method", "upsert", "max.buffered.records", "20000", NULL};
    cd_value_t *m = host.value_map();
    host.value_map_put(m, str("n"), host.value_int(CD_TYPE_INT64, 1));
    rec = record("t", 0, 8, NULL, str("k2"), NULL, m);
    got = append(up, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_string_equal(got, "{\"update\":{\"_index\":\"t\",\"_id\":\"k2\",\"retry_on_conflict\":5}}\n"
                             "{\"doc\":{\"n\":1},\"doc_as_upsert\":true}\n");
    free(got);
    data_record_free(rec);
}

static void test_data_streams_and_index_names(void **state)
{
    (void)state;
    const char *const ds[] = {
        "connection.url", "localhost:9200", "data.stream.type", "logs", "data.stream.dataset", "app", NULL};
    cd_value_t *m = host.value_map();
    host.value_map_put(m, str("msg"), str("hi"));
    cd_record_t *rec = record("Web-Logs", 0, 1, NULL, str("k"), NULL, m);
    char *got = append(ds, ES_API_TYPELESS, NULL, rec, ES_DOC_OK);
    assert_string_equal(got, "{\"create\":{\"_index\":\"logs-app-web-logs\",\"_id\":\"k\"}}\n"
                             "{\"msg\":\"hi\",\"@timestamp\":1700000000000}\n");
    free(got);
    data_record_free(rec);
    rec = record("t", 0, 1, NULL, str("k"), NULL, str("not an object"));
    got = append(ds, ES_API_TYPELESS, NULL, rec, ES_DOC_INVALID);
    assert_string_equal(got, "Top level payload contains data of Json type STRING. Required Json object.");
    free(got);
    data_record_free(rec);
    char err[256];
    es_config_t *cfg = config_of(BASE, err, sizeof(err));
    char index[512];
    static const char *const cases[][2] = {{"Orders", "orders"}, {"_private", "private"}, {"-x", "x"},
                                           {".", "dot"},         {"..", "dotdot"},        {"a.b", "a.b"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        es_doc_index_name(cfg, cases[i][0], index, sizeof(index));
        assert_string_equal(index, cases[i][1]);
    }
    char longer[400];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    es_doc_index_name(cfg, longer, index, sizeof(index));
    assert_int_equal(strlen(index), 255);
    es_config_free(cfg);
}

static void test_mapping(void **state)
{
    (void)state;
    cd_schema_t *st = order_schema();
    es_buf_t b;
    es_buf_init(&b);
    char err[256];
    assert_int_equal(es_mapping_build(&host, st, &b, err, sizeof(err)), 0);
    assert_string_equal(b.data, "{\"properties\":{\"id\":{\"type\":\"long\"},\"name\":{\"type\":\"text\",\"fields\":"
                                "{\"keyword\":{\"type\":\"keyword\",\"ignore_above\":256}}},\"price\":{\"type\":"
                                "\"double\"},\"tags\":{\"properties\":{\"key\":{\"type\":\"text\",\"fields\":{"
                                "\"keyword\":{\"type\":\"keyword\",\"ignore_above\":256}}},\"value\":{\"type\":"
                                "\"integer\"}}}}}");
    es_buf_reset(&b);
    assert_int_equal(es_mapping_build(&host, NULL, &b, err, sizeof(err)), -1);
    assert_string_equal(err, "Cannot infer mapping without schema.");
    es_buf_free(&b);
    host.schema_unref(st);
}

static void test_bulk_response(void **state)
{
    (void)state;
    static const char body[] =
        "{\"took\":3,\"errors\":true,\"items\":["
        "{\"index\":{\"_index\":\"o\",\"_id\":\"1\",\"_version\":7,\"result\":\"created\",\"status\":201}},"
        "{\"index\":{\"_index\":\"o\",\"_id\":\"2\",\"status\":409,\"error\":{\"type\":"
        "\"version_conflict_engine_exception\",\"reason\":\"[2]: version conflict\"}}},"
        "{\"delete\":{\"_index\":\"o\",\"_id\":\"3\",\"result\":\"not_found\",\"status\":404}},"
        "{\"index\":{\"_index\":\"o\",\"_id\":\"4\",\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\","
        "\"reason\":\"failed to parse field [n]\",\"caused_by\":{\"type\":\"number_format_exception\",\"reason\":"
        "\"For input string: \\\"x\\u00e9\\\"\"}}}},"
        "{\"create\":{\"_index\":\"o\",\"_id\":\"5\",\"status\":429,\"error\":{\"type\":"
        "\"es_rejected_execution_exception\",\"reason\":\"rejected\"}}},"
        "{\"index\":{\"_index\":\"o\",\"_id\":\"6\",\"status\":400,\"error\":{\"type\":\"index_closed_exception\","
        "\"reason\":\"closed\"}}},"
        "{\"update\":{\"_index\":\"o\",\"_id\":\"7\",\"status\":400,\"error\":{\"type\":\"illegal_argument_exception\","
        "\"reason\":\"x\"}}}]}";
    es_item_result_t items[7] = {0};
    char err[256];
    assert_int_equal(es_bulk_response_parse(body, strlen(body), items, 7, err, sizeof(err)), 0);
    assert_int_equal(es_item_classify(&items[0], true), ES_ITEM_OK);
    assert_int_equal(es_item_classify(&items[1], true), ES_ITEM_CONFLICT);
    assert_int_equal(es_item_classify(&items[1], false), ES_ITEM_MALFORMED);
    assert_int_equal(es_item_classify(&items[2], true), ES_ITEM_OK);
    assert_int_equal(es_item_classify(&items[3], true), ES_ITEM_MALFORMED);
    assert_string_equal(items[3].error_reason, "mapper_parsing_exception: failed to parse field [n] (caused by: "
                                               "number_format_exception: For input string: \"x\xc3\xa9\")");
    assert_int_equal(es_item_classify(&items[4], true), ES_ITEM_RETRIABLE);
    assert_int_equal(es_item_classify(&items[5], true), ES_ITEM_FATAL);
    assert_int_equal(es_item_classify(&items[6], true), ES_ITEM_MALFORMED);
    es_item_results_free(items, 7);
    /* Another count of items, or not JSON, is refused whole. */
    es_item_result_t few[8] = {0};
    assert_int_equal(es_bulk_response_parse(body, strlen(body), few, 8, err, sizeof(err)), -1);
    assert_string_equal(err, "the bulk response has 7 items for the 8 actions sent");
    es_item_results_free(few, 8);
    /* A status that is no HTTP status is never taken for success: 2^32 +
     * 200 (an int cast would make it 200) is an item's fatal failure, one
     * past int64 makes the response unreadable. */
    static const char odd[] = "{\"items\":[{\"index\":{\"_id\":\"1\",\"status\":4294967496}}]}";
    es_item_result_t odd_items[1] = {0};
    assert_int_equal(es_bulk_response_parse(odd, strlen(odd), odd_items, 1, err, sizeof(err)), 0);
    assert_int_equal(es_item_classify(&odd_items[0], true), ES_ITEM_FATAL);
    es_item_results_free(odd_items, 1);
    static const char huge[] = "{\"items\":[{\"index\":{\"_id\":\"2\",\"status\":99999999999999999999}}]}";
    assert_int_equal(es_bulk_response_parse(huge, strlen(huge), odd_items, 1, err, sizeof(err)), -1);
    es_item_results_free(odd_items, 1);
    for (size_t cut = 0; cut < strlen(body); cut += 7) {
        es_item_result_t part[7] = {0};
        assert_int_equal(es_bulk_response_parse(body, cut, part, 7, err, sizeof(err)), -1);
        es_item_results_free(part, 7);
    }
    char text[256];
    static const char envelope[] = "{\"error\":{\"root_cause\":[{\"type\":\"x\"}],\"type\":\"security_exception\","
                                   "\"reason\":\"missing authentication credentials\"},\"status\":401}";
    assert_true(es_error_envelope_text(envelope, strlen(envelope), text, sizeof(text)));
    assert_string_equal(text, "security_exception: missing authentication credentials");
}

/* A bulk response of successful items is read without allocating: the
 * keys go into the caller's arrays. */
static void test_bulk_response_allocations(void **state)
{
    (void)state;
    enum { N = 1000 };
    es_buf_t body;
    es_buf_init(&body);
    es_buf_puts(&body, "{\"took\":30,\"errors\":false,\"items\":[");
    for (int i = 0; i < N; i++) {
        es_buf_printf(&body,
                      "%s{\"index\":{\"_index\":\"orders\",\"_id\":\"k%d\",\"_version\":1,\"result\":"
                      "\"created\",\"_shards\":{\"total\":2,\"successful\":1,\"failed\":0},\"_seq_no\":%d,"
                      "\"_primary_term\":1,\"st\\u0061tus\":201}}",
                      i ? "," : "", i, i);
    }
    es_buf_puts(&body, "]}");
    es_item_result_t *items = calloc(N, sizeof(*items));
    char err[256];
    allocations = 0;
    assert_int_equal(es_bulk_response_parse(body.data, body.len, items, N, err, sizeof(err)), 0);
    assert_int_equal(allocations, 0);
    /* The escaped key was read as "status". */
    assert_int_equal(items[0].status, 201);
    assert_int_equal(items[N - 1].status, 201);
    free(items);
    es_buf_free(&body);
}

static void test_server_versions(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        es_api_t api;
        bool streams;
    } cases[] = {
        {"{\"name\":\"n\",\"version\":{\"number\":\"8.11.0\",\"build_flavor\":\"default\"},\"tagline\":\"t\"}",
         ES_API_TYPELESS, true},
        {"{\"version\":{\"number\":\"7.8.1\"}}", ES_API_TYPELESS, false},
        {"{\"version\":{\"distribution\":\"opensearch\",\"number\":\"2.11.0\"}}", ES_API_TYPELESS, true},
        {"{\"version\":{\"number\":\"6.8.23\"}}", ES_API_DOC_TYPE, false},
        {"{\"version\":{\"number\":\"5.6.16\"}}", ES_API_TYPED, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        es_server_t srv;
        char err[256];
        assert_int_equal(es_server_parse(cases[i].body, strlen(cases[i].body), &srv, err, sizeof(err)), 0);
        assert_int_equal(srv.api, cases[i].api);
        assert_int_equal(srv.data_streams, cases[i].streams);
    }
    es_server_t srv;
    char err[256];
    assert_int_equal(es_server_parse("{\"ok\":true}", 11, &srv, err, sizeof(err)), -1);
    /* A version that is no version: refused, not half read. */
    static const char *const bad[] = {"8abc", "99999999999999999999.1", "", "x.1", "8.x", "-8.1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[128];
        int n = snprintf(body, sizeof(body), "{\"version\":{\"number\":\"%s\"}}", bad[i]);
        assert_int_equal(es_server_parse(body, (size_t)n, &srv, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "version.number"));
    }
    /* A snapshot build's version reads as its numbers. */
    const char *snapshot = "{\"version\":{\"number\":\"8.0.0-SNAPSHOT\"}}";
    assert_int_equal(es_server_parse(snapshot, strlen(snapshot), &srv, err, sizeof(err)), 0);
    assert_int_equal(srv.major, 8);
}

static void test_config_checks(void **state)
{
    (void)state;
    static const struct {
        const char *const pairs[12];
        const char *error;
    } cases[] = {
        {{"connection.url", "h:9200", "connection.username", "u", NULL},
         "Both 'connection.username' and 'connection.password' must be set."},
        {{"connection.url", "h:9200", "batch.size", "5000", NULL},
         "'max.buffered.records' (20000) must be larger than or equal to 'batch.size' (5000) x "
         "max.in.flight.requests (5)."},
        {{"connection.url", "h:9200", "data.stream.type", "logs", NULL},
         "Either both or neither 'data.stream.dataset' and 'data.stream.type' must be set."},
        {{"connection.url", "h:9200", "data.stream.type", "logs", "data.stream.dataset", "a", "write.method", "upsert",
          NULL},
         "Upserts are not supported with data streams. write.method must not be UPSERT when using data streams."},
        {{"connection.url", "h:9200", "key.ignore", "true", "topic.key.ignore", "a", NULL},
         "'topic.key.ignore' can not be set if 'key.ignore' is true."},
        {{"connection.url", "h:9200", "linger.ms", "200000", NULL},
         "'linger.ms' (200000) can not be larger than 'flush.timeout.ms' (180000)."},
        {{"connection.url", "h:9200", "proxy.username", "u", NULL},
         "'proxy.host' must be set to use 'proxy.username'."},
        {{"connection.url", "h:9200", "elastic.https.ssl.truststore.location", "/ca.pem", NULL},
         "'elastic.security.protocol' must be set to 'SSL' to use SSL configs."},
        {{"connection.url", "h:9200", "kerberos.user.principal", "p", NULL},
         "kerberos.user.principal is not supported by this connector: use connection.username/password or "
         "connection.api.key"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[512] = "";
        es_config_t *cfg = config_of(cases[i].pairs, err, sizeof(err));
        assert_null(cfg);
        assert_string_equal(err, cases[i].error);
    }
    /* https anywhere: https everywhere; no scheme: http. */
    const char *const urls[] = {"connection.url", "h1:9200, https://h2:9200/", NULL};
    char err[256];
    es_config_t *cfg = config_of(urls, err, sizeof(err));
    assert_non_null(cfg);
    assert_int_equal(cfg->n_urls, 2);
    assert_string_equal(cfg->urls[0], "https://h1:9200");
    assert_string_equal(cfg->urls[1], "https://h2:9200");
    es_config_free(cfg);
    /* The enum settings take any case, as Confluent's. */
    char why[256];
    for (const cd_config_def_t *d = es_config_defs; d->name; d++) {
        if (strcmp(d->name, "behavior.on.null.values") == 0) {
            assert_int_equal(d->validate("Delete", why, sizeof(why)), 0);
            assert_int_equal(d->validate("drop", why, sizeof(why)), 1);
            assert_string_equal(why, "String must be one of (case insensitive): IGNORE, DELETE, FAIL");
        }
    }
}

static void test_json_reader(void **state)
{
    (void)state;
    es_buf_t out;
    es_buf_init(&out);
    static const char doc[] =
        " {\"a\" : [1, {\"b\":null}, \"x\\ud83d\\ude00\"], \"version\": {\"number\": \"7.17.9\"}} ";
    assert_true(es_json_path_text(doc, strlen(doc), "version.number", &out));
    assert_string_equal(out.data, "7.17.9");
    es_buf_reset(&out);
    assert_false(es_json_path_text(doc, strlen(doc), "version.missing", &out));
    es_jr_t jr;
    static const char deep[] =
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]"
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
    es_jr_init(&jr, deep, strlen(deep));
    es_jr_skip(&jr);
    assert_true(jr.failed);
    es_buf_free(&out);
}

/* es_buf_json_double before its printf-free path: %.15g, more digits
 * only when they are needed to read back the same double, ".0" on a whole
 * number. */
static void reference_double(char *out, size_t size, double v)
{
    char text[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(text, sizeof(text), "%.*g", prec, v);
        if (strtod(text, NULL) == v) {
            break;
        }
    }
    snprintf(out, size, "%s%s", text, strpbrk(text, ".eEn") ? "" : ".0");
}

/* Numbers are written without printf where that gives the same text:
 * integers always, doubles that are short decimals. */
static void test_numbers(void **state)
{
    (void)state;
    es_buf_t b;
    es_buf_init(&b);
    const int64_t ints[] = {0, 1, -1, 9, 10, -10, 1234567890, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        char expected[32];
        snprintf(expected, sizeof(expected), "%lld", (long long)ints[i]);
        es_buf_reset(&b);
        es_buf_json_int(&b, ints[i]);
        assert_string_equal(b.data, expected);
    }
    const double edges[] = {0.0,
                            -0.0,
                            1.0,
                            -1.0,
                            0.5,
                            0.1,
                            0.3,
                            1e-4,
                            9.9999e-5,
                            1.5e-4,
                            123.45,
                            -123.45,
                            1e14,
                            999999999999999.0,
                            999999999999999.9,
                            1e15,
                            1e16,
                            0.1 + 0.2,
                            1.0 / 3,
                            2.5e-300,
                            1.7976931348623157e308,
                            4.9e-324,
                            100.0,
                            1e5,
                            12345678901234.5};
    unsigned seed = 7;
    for (int round = 0; round < 300000; round++) {
        double v;
        if (round < (int)(sizeof(edges) / sizeof(edges[0]))) {
            v = edges[round];
        } else if (round % 3 == 0) {
            uint64_t bits = ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^ (uint64_t)rand_r(&seed);
            memcpy(&v, &bits, sizeof(v));
            if (v != v) {
                continue; /* NaN: put_non_finite's, unchanged */
            }
        } else {
            /* A decimal of up to 17 digits with up to 10 after the point. */
            int64_t m = ((int64_t)rand_r(&seed) << 31 | rand_r(&seed)) % 100000000000000000LL;
            static const double tens[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
            v = (double)(m >> (rand_r(&seed) % 40)) / tens[rand_r(&seed) % 11] * (rand_r(&seed) % 2 ? 1 : -1);
        }
        char expected[48];
        reference_double(expected, sizeof(expected), v);
        es_buf_reset(&b);
        es_buf_json_double(&b, v);
        if (strcmp(b.data, expected) != 0) {
            fail_msg("%.17g: wrote %s, printf %s", v, b.data, expected);
        }
    }
    es_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_action_with_schema),
        cmocka_unit_test(test_ids_versions_and_types),
        cmocka_unit_test(test_append_allocations),
        cmocka_unit_test(test_tombstones_and_upserts),
        cmocka_unit_test(test_data_streams_and_index_names),
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_bulk_response),
        cmocka_unit_test(test_bulk_response_allocations),
        cmocka_unit_test(test_server_versions),
        cmocka_unit_test(test_config_checks),
        cmocka_unit_test(test_json_reader),
        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
