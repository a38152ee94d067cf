/* Unit tests for connectors/pgcommon/pg_types.c: every PostgreSQL type of
 * Debezium's mapping tables, from the text pgoutput sends to the bytes the
 * worker's JsonConverter writes, under each decimal.handling.mode,
 * time.precision.mode and binary.handling.mode.
 *
 * The expected values are Debezium's, taken from its documentation
 * ("Data type mappings" in documentation/modules/ROOT/pages/connectors/
 * postgresql.adoc, e.g. TIMESTAMP '2018-06-20 15:13:16.945104' ->
 * 1529507596945104, infinity -> 9223372036825200000) and otherwise
 * computed with the JDK classes Debezium's converters use (java.time
 * formatters, BigDecimal/BigInteger.toByteArray, Float.toString) on
 * OpenJDK 17, not with this module's helpers: e.g. LocalDate.parse
 * ("-5877611-06-21").toEpochDay() = -2147472692 for date 'infinity'. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "pg_event_fixture.h"
#include "pg_types.h"
#include "pgc_tz.h"

static pg_type_registry_t *registry;

/* Types a test database defines, as pg_type reads them. */
enum {
    OID_MOOD = 16400,       /* CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy') */
    OID_MOOD_ARRAY = 16399, /* _mood */
    OID_PRICE = 16410,      /* CREATE DOMAIN price AS numeric(7,2) */
    OID_POSINT = 16411,     /* CREATE DOMAIN posint AS int4 CHECK (VALUE > 0) */
    OID_CITEXT = 16420,     /* CREATE EXTENSION citext */
    OID_COMPOSITE = 16430,  /* CREATE TYPE pair AS (a int, b int) */
};

static int setup(void **state)
{
    if (fixture_setup(state) != 0) {
        return -1;
    }
    registry = pg_type_registry_create();
    const pg_type_desc_t types[] = {
        {.oid = OID_MOOD,
         .name = "mood",
         .typtype = 'e',
         .category = 'E',
         .base_typmod = -1,
         .enum_labels = "sad,ok,happy"},
        {.oid = OID_MOOD_ARRAY,
         .name = "_mood",
         .typtype = 'b',
         .category = 'A',
         .base_typmod = -1,
         .elem_oid = OID_MOOD},
        {.oid = OID_PRICE,
         .name = "price",
         .typtype = 'd',
         .category = 'N',
         .base_oid = 1700,
         .base_typmod = (7 << 16 | 2) + 4},
        {.oid = OID_POSINT, .name = "posint", .typtype = 'd', .category = 'N', .base_oid = 23, .base_typmod = -1},
        {.oid = OID_CITEXT, .name = "citext", .typtype = 'b', .category = 'S', .base_typmod = -1},
        {.oid = OID_COMPOSITE, .name = "pair", .typtype = 'c', .category = 'C', .base_typmod = -1},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (pg_type_registry_add(registry, &types[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

static int teardown(void **state)
{
    pg_type_registry_destroy(registry);
    return fixture_teardown(state);
}

/* numeric(p,s)'s atttypmod */
#define NUMERIC_TYPMOD(p, s) (((p) << 16 | (s)) + 4)

typedef struct type_case {
    const char *modes; /* "decimal,time,binary", each empty for the default */
    uint32_t oid;
    int32_t typmod;
    const char *text;
    const char *json; /* JsonConverter's {"schema":...,"payload":...} of an optional column */
} type_case_t;

#define S(type) "{\"schema\":{\"type\":\"" type "\",\"optional\":true},\"payload\":"
#define NAMED(type, name) \
    "{\"schema\":{\"type\":\"" type "\",\"optional\":true,\"name\":\"" name "\",\"version\":1},\"payload\":"
#define DECIMAL(scale, precision)                                                                              \
    "{\"schema\":{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\","    \
    "\"version\":1,\"parameters\":{\"scale\":\"" scale "\",\"connect.decimal.precision\":\"" precision "\"}}," \
    "\"payload\":"
#define VSD                                                                                                     \
    "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"scale\"}," \
    "{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}],\"optional\":true,"                           \
    "\"name\":\"io.debezium.data.VariableScaleDecimal\",\"version\":1,\"doc\":\"Variable scaled decimal\"},"    \
    "\"payload\":"

static const type_case_t cases[] = {
    /* Basic types. */
    {"", 16, -1, "t", S("boolean") "true}"},
    {"", 21, -1, "-32768", S("int16") "-32768}"},
    {"", 23, -1, "42", S("int32") "42}"},
    {"", 20, -1, "9223372036854775807", S("int64") "9223372036854775807}"},
    {"", 26, -1, "4000000000", S("int64") "4000000000}"}, /* oid */
    {"", 700, -1, "3.14", S("float") "3.14}"},
    {"", 701, -1, "1e+100", S("double") "1.0E100}"},
    {"", 701, -1, "NaN", S("double") "\"NaN\"}"},
    {"", 25, -1, "h\xc3\xa9llo \"w\"", S("string") "\"h\xc3\xa9llo \\\"w\\\"\"}"},
    {"", 1043, 259, "abc", S("string") "\"abc\"}"},        /* varchar(255) */
    {"", 1042, 9, "ab   ", S("string") "\"ab   \"}"},      /* char(5) keeps its padding */
    {"", 19, -1, "pg_class", S("string") "\"pg_class\"}"}, /* name */
    {"", 869, -1, "192.168.0.1/24", S("string") "\"192.168.0.1/24\"}"},
    {"", 650, -1, "10.0.0.0/8", S("string") "\"10.0.0.0/8\"}"},
    {"", 829, -1, "08:00:2b:01:02:03", S("string") "\"08:00:2b:01:02:03\"}"},
    {"", 3904, -1, "[1,10)", S("string") "\"[1,10)\"}"},
    {"", 114, -1, "{\"a\": [1, 2]}", NAMED("string", "io.debezium.data.Json") "\"{\\\"a\\\": [1, 2]}\"}"},
    {"", 3802, -1, "{\"a\": 1}", NAMED("string", "io.debezium.data.Json") "\"{\\\"a\\\": 1}\"}"},
    {"", 142, -1, "<a>1</a>", NAMED("string", "io.debezium.data.Xml") "\"<a>1</a>\"}"},
    {"", 2950, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     NAMED("string", "io.debezium.data.Uuid") "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"}"},
    {"", 3614, -1, "'a':1 'b':2", NAMED("string", "io.debezium.data.Tsvector") "\"'a':1 'b':2\"}"},

    /* numeric and money under each decimal.handling.mode; the bytes are
     * BigInteger.toByteArray of the unscaled value (310 -> 01 36). */
    {"", 1700, NUMERIC_TYPMOD(5, 2), "3.10", DECIMAL("2", "5") "\"ATY=\"}"},
    {"", 1700, NUMERIC_TYPMOD(10, 0), "-1", DECIMAL("0", "10") "\"/w==\"}"},
    {"", 1700, NUMERIC_TYPMOD(10, 0), "128", DECIMAL("0", "10") "\"AIA=\"}"},
    {"", 1700, -1, "3.10", VSD "{\"scale\":1,\"value\":\"Hw==\"}}"}, /* trailing zeros stripped */
    {"", 1700, -1, "100", VSD "{\"scale\":0,\"value\":\"ZA==\"}}"},  /* never a negative scale */
    {"", 1700, -1, "-0.00100", VSD "{\"scale\":3,\"value\":\"/w==\"}}"},
    {"", 1700, -1, "0.000", VSD "{\"scale\":0,\"value\":\"AA==\"}}"},
    {"double,,", 1700, NUMERIC_TYPMOD(5, 2), "3.10", S("double") "3.1}"},
    {"double,,", 1700, -1, "NaN", S("double") "\"NaN\"}"},
    {"double,,", 1700, -1, "-Infinity", S("double") "\"-Infinity\"}"},
    {"string,,", 1700, NUMERIC_TYPMOD(5, 2), "3.10", S("string") "\"3.10\"}"},
    {"string,,", 1700, -1, "1.500", S("string") "\"1.500\"}"},
    {"string,,", 1700, -1, "NaN", S("string") "\"NAN\"}"},
    {"string,,", 1700, -1, "Infinity", S("string") "\"POSITIVE_INFINITY\"}"},
    {"", 790, -1, "$1,234.56",
     "{\"schema\":{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\","
     "\"version\":1,\"parameters\":{\"scale\":\"2\"}},\"payload\":\"AeJA\"}"},
    {"", 790, -1, "-$1.50",
     "{\"schema\":{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\","
     "\"version\":1,\"parameters\":{\"scale\":\"2\"}},\"payload\":\"/2o=\"}"},
    {"double,,", 790, -1, "$1,234.56", S("double") "1234.56}"},
    {"string,,", 790, -1, "-$1,234.56", S("string") "\"-1234.56\"}"},

    /* bytea under each binary.handling.mode (hex text output). */
    {"", 17, -1, "\\x0102ff", S("bytes") "\"AQL/\"}"},
    {",,base64", 17, -1, "\\x0102ff", S("string") "\"AQL/\"}"},
    {",,base64-url-safe", 17, -1, "\\x0102ff", S("string") "\"AQL_\"}"},
    {",,hex", 17, -1, "\\x0102ff", S("string") "\"0102ff\"}"},
    {"", 17, -1, "\\x", S("bytes") "\"\"}"},

    /* Bit strings: bit(1) is a boolean; longer ones little-endian bytes of
     * java.util.BitSet, sized by the highest set bit. */
    {"", 1560, 1, "1", S("boolean") "true}"},
    {"", 1560, 3, "101",
     "{\"schema\":{\"type\":\"bytes\",\"optional\":true,\"name\":\"io.debezium.data.Bits\",\"version\":1,"
     "\"parameters\":{\"length\":\"3\"}},\"payload\":\"BQ==\"}"},
    {"", 1562, -1, "1000000001",
     "{\"schema\":{\"type\":\"bytes\",\"optional\":true,\"name\":\"io.debezium.data.Bits\",\"version\":1,"
     "\"parameters\":{\"length\":\"2147483647\"}},\"payload\":\"AQI=\"}"},

    /* Temporal types, time.precision.mode=adaptive (the default). */
    {"", 1082, -1, "2018-06-20", NAMED("int32", "io.debezium.time.Date") "17702}"},
    {"", 1082, -1, "0044-03-15 BC", NAMED("int32", "io.debezium.time.Date") "-735160}"},
    {"", 1082, -1, "infinity", NAMED("int32", "io.debezium.time.Date") "-2147472692}"},
    {"", 1082, -1, "-infinity", NAMED("int32", "io.debezium.time.Date") "-2147472691}"},
    {"", 1083, -1, "10:15:30.123456", NAMED("int64", "io.debezium.time.MicroTime") "36930123456}"},
    {"", 1083, 3, "10:15:30.123", NAMED("int32", "io.debezium.time.Time") "36930123}"},
    {"", 1083, -1, "24:00:00", NAMED("int64", "io.debezium.time.MicroTime") "86400000000}"},
    {"", 1114, -1, "2018-06-20 15:13:16.945104", NAMED("int64", "io.debezium.time.MicroTimestamp") "1529507596945104}"},
    {"", 1114, 3, "2018-06-20 15:13:16.945", NAMED("int64", "io.debezium.time.Timestamp") "1529507596945}"},
    {"", 1114, -1, "infinity", NAMED("int64", "io.debezium.time.MicroTimestamp") "9223372036825200000}"},
    {"", 1114, -1, "-infinity", NAMED("int64", "io.debezium.time.MicroTimestamp") "-9223372036832400000}"},
    {"", 1114, 6, "1969-12-31 23:59:59.999999", NAMED("int64", "io.debezium.time.MicroTimestamp") "-1}"},
    {"", 1184, -1, "2018-06-20 15:13:16.945104+02",
     NAMED("string", "io.debezium.time.ZonedTimestamp") "\"2018-06-20T13:13:16.945104Z\"}"},
    {"", 1184, -1, "2018-06-20 15:13:16+05:30",
     NAMED("string", "io.debezium.time.ZonedTimestamp") "\"2018-06-20T09:43:16.000000Z\"}"},
    {"", 1184, 0, "2018-06-20 15:13:16+00",
     NAMED("string", "io.debezium.time.ZonedTimestamp") "\"2018-06-20T15:13:16Z\"}"},
    {"", 1184, 3, "2018-06-20 15:13:16.5-01",
     NAMED("string", "io.debezium.time.ZonedTimestamp") "\"2018-06-20T16:13:16.500Z\"}"},
    {"", 1184, 0, "0044-03-15 12:00:00+00 BC",
     NAMED("string", "io.debezium.time.ZonedTimestamp") "\"-0043-03-15T12:00:00Z\"}"},
    {"", 1184, 0, "10000-01-01 00:00:00+00",
     NAMED("string", "io.debezium.time.ZonedTimestamp") "\"+10000-01-01T00:00:00Z\"}"},
    {"", 1184, -1, "infinity", NAMED("string", "io.debezium.time.ZonedTimestamp") "\"infinity\"}"},
    {"", 1266, -1, "04:05:06.789-08", NAMED("string", "io.debezium.time.ZonedTime") "\"12:05:06.789Z\"}"},
    {"", 1266, -1, "04:05:00-08", NAMED("string", "io.debezium.time.ZonedTime") "\"12:05:00Z\"}"},
    {"", 1266, -1, "24:00:00+00", NAMED("string", "io.debezium.time.ZonedTime") "\"24:00:00Z\"}"},
    /* MicroDuration: ((1*12+2) * 365.25/12 + 3) days ... in doubles. */
    {"", 1186, -1, "1 year 2 mons 3 days 04:05:06.789",
     NAMED("int64", "io.debezium.time.MicroDuration") "37091106789000}"},
    {"", 1186, -1, "-00:00:01.5", NAMED("int64", "io.debezium.time.MicroDuration") "-1500000}"},
    {"", 1186, -1, "00:00:00", NAMED("int64", "io.debezium.time.MicroDuration") "0}"},

    /* The other time.precision.modes. */
    {",adaptive_time_microseconds,", 1083, 3, "10:15:30.123",
     NAMED("int64", "io.debezium.time.MicroTime") "36930123000}"},
    {",adaptive_time_microseconds,", 1114, 3, "2018-06-20 15:13:16.945",
     NAMED("int64", "io.debezium.time.Timestamp") "1529507596945}"},
    {",connect,", 1082, -1, "2018-06-20", NAMED("int32", "org.apache.kafka.connect.data.Date") "17702}"},
    {",connect,", 1083, -1, "10:15:30.123456", NAMED("int32", "org.apache.kafka.connect.data.Time") "36930123}"},
    {",connect,", 1114, -1, "2018-06-20 15:13:16.945104",
     NAMED("int64", "org.apache.kafka.connect.data.Timestamp") "1529507596945}"},

    /* Arrays: text syntax with quotes, escapes and NULL. */
    {"", 1007, -1, "{1,NULL,3}",
     "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":true},\"optional\":true},"
     "\"payload\":[1,null,3]}"},
    {"", 1009, -1, "{a,\"b c\",\"d\\\"e\\\\\",NULL,\"NULL\",\"\"}",
     "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":true},\"optional\":true},"
     "\"payload\":[\"a\",\"b c\",\"d\\\"e\\\\\",null,\"NULL\",\"\"]}"},
    {"", 1009, -1, "{}",
     "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":true},\"optional\":true},"
     "\"payload\":[]}"},
    {"", 1007, -1, "[0:1]={5,6}",
     "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":true},\"optional\":true},"
     "\"payload\":[5,6]}"},
    {"", 1231, NUMERIC_TYPMOD(5, 2), "{1.50,-0.01}",
     "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"bytes\",\"optional\":true,"
     "\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
     "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"5\"}},\"optional\":true},"
     "\"payload\":[\"AJY=\",\"/w==\"]}"},
    {"", 1185, -1, "{\"2018-06-20 15:13:16.945104+02\"}",
     "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":true,"
     "\"name\":\"io.debezium.time.ZonedTimestamp\",\"version\":1},\"optional\":true},"
     "\"payload\":[\"2018-06-20T13:13:16.945104Z\"]}"},
    {"", 1001, -1, "{\"\\\\x0102\"}",
     "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"bytes\",\"optional\":true},\"optional\":true},"
     "\"payload\":[\"AQI=\"]}"},

    /* Types the database defines: enums (labels in enumsortorder), their
     * arrays, domains as their base type (with the domain's typmod),
     * citext as a string. */
    {"", OID_MOOD, -1, "happy",
     "{\"schema\":{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
     "\"parameters\":{\"allowed\":\"sad,ok,happy\"}},\"payload\":\"happy\"}"},
    {"", OID_MOOD_ARRAY, -1, "{sad,ok}",
     "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":false,"
     "\"name\":\"io.debezium.data.Enum\",\"version\":1,\"parameters\":{\"allowed\":\"sad,ok,happy\"}},"
     "\"optional\":true},\"payload\":[\"sad\",\"ok\"]}"},
    {"", OID_PRICE, -1, "12.50", DECIMAL("2", "7") "\"BOI=\"}"},
    {"", OID_POSINT, -1, "7", S("int32") "7}"},
    {"", OID_CITEXT, -1, "MiXeD", S("string") "\"MiXeD\"}"},

    /* include.unknown.datatypes: the text's bytes as binary.handling.mode
     * says (pg_lsn). */
    {"unknown", 3220, -1, "0/16B3748", S("bytes") "\"MC8xNkIzNzQ4\"}"},
    {"unknown,,hex", 3220, -1, "0/1", S("string") "\"302f31\"}"},
};

/* Applies "decimal,time,binary" (and "unknown" for include.unknown.datatypes). */
static void config_for(const char *modes, pg_types_config_t *cfg)
{
    pg_types_config_init(cfg);
    if (strcmp(modes, "unknown") == 0 || strncmp(modes, "unknown,", 8) == 0) {
        cfg->include_unknown = true;
        modes = strchr(modes, ',') ? strchr(modes, ',') : "";
    }
    char decimal[32] = "", time[32] = "", binary[32] = "";
    sscanf(modes, "%31[^,]", decimal);
    const char *p = strchr(modes, ',');
    if (p) {
        sscanf(p + 1, "%31[^,]", time);
        p = strchr(p + 1, ',');
        if (p) {
            sscanf(p + 1, "%31[^,]", binary);
        }
    }
    char err[256];
    assert_int_equal(pg_types_config_set(cfg, decimal[0] ? decimal : NULL, time[0] ? time : NULL,
                                         binary[0] ? binary : NULL, err, sizeof(err)),
                     0);
}

static void test_mapping_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const type_case_t *c = &cases[i];
        pg_types_config_t cfg;
        config_for(c->modes, &cfg);
        pg_type_t type;
        if (pg_types_resolve(&cfg, registry, c->oid, c->typmod, &type) != 0) {
            fail_msg("case %zu: type %u does not resolve", i, c->oid);
        }
        cd_schema_t *schema = pg_types_schema(&host, &cfg, &type, true);
        char err[256] = "";
        cd_value_t *value = pg_types_value(&host, &cfg, &type, schema, c->text, strlen(c->text), err, sizeof(err));
        if (value == NULL) {
            fail_msg("case %zu (%s): %s", i, c->text, err);
        }
        char *text = to_json(schema, value);
        if (strcmp(text, c->json) != 0) {
            fail_msg("case %zu (%s):\n got  %s\n want %s", i, c->text, text, c->json);
        }
        free(text);
        host.value_free(value);
        host.schema_unref(schema);
    }
}

/* The types Debezium leaves out of its events unless
 * include.unknown.datatypes: ones it has no mapping for, and the arrays its
 * PostgresValueConverter returns no schema for. */
static void test_unmapped_types(void **state)
{
    (void)state;
    const uint32_t unmapped[] = {3220 /* pg_lsn */, 600 /* point */,     791 /* money[] */, 1187 /* interval[] */,
                                 143 /* xml[] */,   1563 /* varbit[] */, OID_COMPOSITE,     99999 /* unknown oid */};
    pg_types_config_t cfg;
    pg_types_config_init(&cfg);
    for (size_t i = 0; i < sizeof(unmapped) / sizeof(unmapped[0]); i++) {
        pg_type_t type;
        if (pg_types_resolve(&cfg, registry, unmapped[i], -1, &type) != -1) {
            fail_msg("type %u maps, but Debezium leaves it out", unmapped[i]);
        }
    }
}

/* Text a type never prints is an error naming the value, and so is NaN
 * in a numeric under "precise" (Debezium fails the connector then). */
static void test_bad_text(void **state)
{
    (void)state;
    const struct {
        uint32_t oid;
        const char *text, *message;
    } bad[] = {
        {23, "12x", "cannot read '12x' as int4"},
        {21, "40000", "cannot read '40000' as int2"},
        {16, "true", "cannot read 'true' as boolean"},
        {1082, "2018-13-01", "cannot read '2018-13-01' as date"},
        {1184, "2018-06-20 15:13:16", "cannot read '2018-06-20 15:13:16' as timestamptz"},
        {17, "\\001", "cannot read bytea value '\\001': only bytea_output=hex is supported"},
        {1007, "{{1,2},{3,4}}", "cannot map the multi-dimensional array '{{1,2},{3,4}}' to a Connect array"},
        {1007, "{1,2", "cannot read '{1,2' as array"},
        {1700, "NaN",
         "numeric value 'NaN' cannot be written under decimal.handling.mode=precise; set it to 'string' or 'double' "
         "to capture NaN and infinities"},
    };
    pg_types_config_t cfg;
    pg_types_config_init(&cfg);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pg_type_t type;
        assert_int_equal(pg_types_resolve(&cfg, registry, bad[i].oid, -1, &type), 0);
        cd_schema_t *schema = pg_types_schema(&host, &cfg, &type, true);
        char err[256] = "";
        cd_value_t *v = pg_types_value(&host, &cfg, &type, schema, bad[i].text, strlen(bad[i].text), err, sizeof(err));
        assert_null(v);
        assert_string_equal(err, bad[i].message);
        host.schema_unref(schema);
    }
}

/* Unchanged TOASTed values: Debezium's UnchangedToastedPlaceholder. */
static void test_placeholder(void **state)
{
    (void)state;
    const struct {
        const char *modes;
        uint32_t oid;
        const char *payload;
    } cases_ph[] = {
        {"", 25, "\"__debezium_unavailable_value\""},
        {"", 3802, "\"__debezium_unavailable_value\""},
        {"", 17, "\"X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==\""}, /* the placeholder's bytes */
        {",,hex", 17, "\"__debezium_unavailable_value\""},
        {"", 1009, "[\"__debezium_unavailable_value\"]"},
        {"", 1007,
         "[95,95,100,101,98,101,122,105,117,109,95,117,110,97,118,97,105,108,97,98,108,101,95,118,97,"
         "108,117,101]"},
        {",,base64", 1001, "[\"__debezium_unavailable_value\"]"},
    };
    for (size_t i = 0; i < sizeof(cases_ph) / sizeof(cases_ph[0]); i++) {
        pg_types_config_t cfg;
        config_for(cases_ph[i].modes, &cfg);
        pg_type_t type;
        assert_int_equal(pg_types_resolve(&cfg, registry, cases_ph[i].oid, -1, &type), 0);
        cd_schema_t *schema = pg_types_schema(&host, &cfg, &type, true);
        char err[256] = "";
        cd_value_t *v = pg_types_placeholder(&host, &cfg, &type, err, sizeof(err));
        assert_non_null(v);
        char *text = to_json(schema, v);
        const char *payload = strstr(text, "\"payload\":") + strlen("\"payload\":");
        char want[512];
        snprintf(want, sizeof(want), "%s}", cases_ph[i].payload);
        assert_string_equal(payload, want);
        free(text);
        host.value_free(v);
        host.schema_unref(schema);
    }

    /* A "hex:" placeholder is the bytes it spells; types without a
     * placeholder say so. */
    pg_types_config_t cfg;
    pg_types_config_init(&cfg);
    char err[256] = "";
    assert_int_equal(pg_types_config_placeholder(&cfg, "hex:00ff", err, sizeof(err)), 0);
    assert_int_equal(cfg.placeholder_len, 2);
    assert_int_equal(cfg.placeholder[1], 0xff);
    assert_int_equal(pg_types_config_placeholder(&cfg, "hex:0g", err, sizeof(err)), -1);
    assert_string_equal(err, "unavailable.value.placeholder 'hex:0g' has a character that is not a hex digit");
    pg_type_t type;
    assert_int_equal(pg_types_resolve(&cfg, registry, 1700, -1, &type), 0);
    assert_null(pg_types_placeholder(&host, &cfg, &type, err, sizeof(err)));
    assert_string_equal(err, "an unchanged TOASTed value of type 1700 has no placeholder in Debezium's format");
    assert_int_equal(pg_types_resolve(&cfg, registry, 2951, -1, &type), 0); /* uuid[] */
    assert_null(pg_types_placeholder(&host, &cfg, &type, err, sizeof(err)));
    assert_int_equal(pg_types_resolve(&cfg, registry, 3905, -1, &type), 0); /* int4range[] */
    assert_null(pg_types_placeholder(&host, &cfg, &type, err, sizeof(err)));
}

/* A null in a NOT NULL column (the old row of a DEFAULT replica identity
 * has only the key) becomes the type's zero, as convertValue's fallback. */
static void test_fallback(void **state)
{
    (void)state;
    const struct {
        uint32_t oid;
        int32_t typmod;
        const char *payload;
    } zero[] = {
        {23, -1, "0"},
        {16, -1, "false"},
        {25, -1, "\"\""},
        {1700, NUMERIC_TYPMOD(5, 2), "\"AA==\""},
        {1700, -1, "{\"scale\":0,\"value\":\"AA==\"}"},
        {1184, -1, "\"1970-01-01T00:00:00Z\""},
        {1266, -1, "\"00:00:00Z\""},
        {1114, -1, "0"},
        {17, -1, "\"\""},
        {1007, -1, "[]"},
    };
    pg_types_config_t cfg;
    pg_types_config_init(&cfg);
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
        pg_type_t type;
        assert_int_equal(pg_types_resolve(&cfg, registry, zero[i].oid, zero[i].typmod, &type), 0);
        cd_schema_t *schema = pg_types_schema(&host, &cfg, &type, false);
        cd_value_t *v = pg_types_fallback(&host, &cfg, &type, schema);
        char *text = to_json(schema, v);
        char want[256];
        snprintf(want, sizeof(want), "%s}", zero[i].payload);
        assert_string_equal(strstr(text, "\"payload\":") + strlen("\"payload\":"), want);
        free(text);
        host.value_free(v);
        host.schema_unref(schema);
    }
}

static void test_config(void **state)
{
    (void)state;
    pg_types_config_t cfg;
    pg_types_config_init(&cfg);
    char err[256] = "";
    assert_int_equal(pg_types_config_set(&cfg, "STRING", "Connect", "base64-url-safe", err, sizeof(err)), 0);
    assert_int_equal(cfg.decimal_mode, PG_DECIMAL_STRING);
    assert_int_equal(cfg.time_mode, PG_TIME_CONNECT);
    assert_int_equal(cfg.binary_mode, PG_BINARY_BASE64_URL_SAFE);
    assert_int_equal(pg_types_config_set(&cfg, NULL, "isostring", NULL, err, sizeof(err)), -1);
    assert_string_equal(err, "time.precision.mode 'isostring' is not one this connector knows");
    assert_int_equal(cfg.time_mode, PG_TIME_CONNECT);
}

/* ---- Confluent's flavour (the JDBC source) ------------------------------------- */

#define CDECIMAL(scale)                                                                                     \
    "{\"schema\":{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\"," \
    "\"version\":1,\"parameters\":{\"scale\":\"" scale "\"}},\"payload\":"

typedef struct confluent_case {
    const char *mode; /* numeric.mapping, or a timestamp.granularity; "" for the defaults */
    const char *zone; /* db.timezone; NULL: UTC */
    uint32_t oid;
    int32_t typmod;
    const char *text;
    const char *json;
} confluent_case_t;

/* Values computed with java.time and BigDecimal as Confluent's converters
 * use them, e.g. LocalDateTime.parse("2024-01-15T13:45:30.123456")
 * .atZone(ZoneId.of("Europe/Paris")).toInstant().toEpochMilli() =
 * 1705322730123. */
static const confluent_case_t confluent_cases[] = {
    {"", NULL, 16, -1, "t", S("boolean") "true}"},
    {"", NULL, 1560, 1, "1", S("boolean") "true}"},
    {"", NULL, 1560, 4, "1010", S("int8") "10}"},
    {"", NULL, 21, -1, "-2", S("int16") "-2}"},
    {"", NULL, 26, -1, "4000000000", S("int64") "4000000000}"},
    {"", NULL, 700, -1, "1.5", S("float") "1.5}"},
    {"", NULL, 790, -1, "$1,234.50", S("double") "1234.5}"},
    {"", NULL, 1700, NUMERIC_TYPMOD(10, 2), "12.5", CDECIMAL("2") "\"BOI=\"}"},
    {"", NULL, 1700, -1, "123", CDECIMAL("0") "\"ew==\"}"},
    {"precision_only", NULL, 1700, NUMERIC_TYPMOD(5, 0), "123", S("int32") "123}"},
    {"precision_only", NULL, 1700, NUMERIC_TYPMOD(2, 0), "-12", S("int8") "-12}"},
    {"precision_only", NULL, 1700, NUMERIC_TYPMOD(10, 2), "12.5", CDECIMAL("2") "\"BOI=\"}"},
    {"best_fit", NULL, 1700, NUMERIC_TYPMOD(18, 0), "123456789012345678", S("int64") "123456789012345678}"},
    {"best_fit", NULL, 1700, NUMERIC_TYPMOD(10, 2), "12.50", S("double") "12.5}"},
    {"best_fit", NULL, 1700, NUMERIC_TYPMOD(20, 0), "1", CDECIMAL("0") "\"AQ==\"}"},
    {"best_fit", NULL, 1700, -1, "1.25", S("double") "1.25}"},
    {"best_fit_eager_double", NULL, 1700, NUMERIC_TYPMOD(30, 2), "1.25", S("double") "1.25}"},
    {"", NULL, 3802, -1, "{\"a\": 1}", S("string") "\"{\\\"a\\\": 1}\"}"},
    {"", NULL, 2950, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     S("string") "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"}"},
    {"", NULL, OID_MOOD, -1, "ok", S("string") "\"ok\"}"},
    {"", NULL, OID_PRICE, -1, "7.25", CDECIMAL("2") "\"AtU=\"}"},
    {"", NULL, 17, -1, "\\xdeadbeef", S("bytes") "\"3q2+7w==\"}"},
    {"", NULL, 1082, -1, "2024-01-15", NAMED("int32", "org.apache.kafka.connect.data.Date") "19737}"},
    {"", NULL, 1083, -1, "13:45:30.123", NAMED("int32", "org.apache.kafka.connect.data.Time") "49530123}"},
    {"", NULL, 1266, -1, "13:45:30.123+02", NAMED("int32", "org.apache.kafka.connect.data.Time") "42330123}"},
    {"", NULL, 1114, -1, "2024-01-15 13:45:30.123456",
     NAMED("int64", "org.apache.kafka.connect.data.Timestamp") "1705326330123}"},
    {"", "Europe/Paris", 1114, -1, "2024-01-15 13:45:30.123456",
     NAMED("int64", "org.apache.kafka.connect.data.Timestamp") "1705322730123}"},
    {"", "Europe/Paris", 1083, -1, "13:45:30.123", NAMED("int32", "org.apache.kafka.connect.data.Time") "45930123}"},
    {"", NULL, 1184, -1, "2024-01-15 13:45:30.5+02",
     NAMED("int64", "org.apache.kafka.connect.data.Timestamp") "1705319130500}"},
    {"", NULL, 1114, -1, "1969-12-31 23:59:59.9995", NAMED("int64", "org.apache.kafka.connect.data.Timestamp") "-1}"},
    {"micros_long", NULL, 1114, -1, "2024-01-15 13:45:30.123456", S("int64") "1705326330123456}"},
    {"nanos_string", NULL, 1184, -1, "2024-01-15 13:45:30.123456+00", S("string") "\"1705326330123456000\"}"},
    {"micros_iso_datetime_string", "Europe/Paris", 1184, -1, "2024-01-15 12:45:30.123456+00",
     S("string") "\"2024-01-15T13:45:30.123456\"}"},
};

static void test_confluent(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(confluent_cases) / sizeof(confluent_cases[0]); i++) {
        const confluent_case_t *c = &confluent_cases[i];
        pg_types_config_t cfg;
        pg_types_config_init(&cfg);
        cfg.flavour = PG_TYPES_CONFLUENT;
        for (int m = 0; pg_numeric_mapping_names[m]; m++) {
            if (strcmp(c->mode, pg_numeric_mapping_names[m]) == 0) {
                cfg.numeric_mapping = (pg_numeric_mapping_t)m;
            }
        }
        for (int g = 0; pg_ts_granularity_names[g]; g++) {
            if (strcmp(c->mode, pg_ts_granularity_names[g]) == 0) {
                cfg.ts_granularity = (pg_ts_granularity_t)g;
            }
        }
        char err[256] = "";
        pgc_tz_t *zone = c->zone ? pgc_tz_load(c->zone, err, sizeof(err)) : NULL;
        if (c->zone && !zone) {
            fail_msg("case %zu: %s", i, err);
        }
        cfg.zone = zone;
        pg_type_t type;
        if (pg_types_resolve(&cfg, registry, c->oid, c->typmod, &type) != 0) {
            fail_msg("case %zu: type %u does not resolve", i, c->oid);
        }
        cd_schema_t *schema = pg_types_schema(&host, &cfg, &type, true);
        cd_value_t *value = pg_types_value(&host, &cfg, &type, schema, c->text, strlen(c->text), err, sizeof(err));
        if (value == NULL) {
            fail_msg("case %zu (%s): %s", i, c->text, err);
        }
        char *text = to_json(schema, value);
        if (strcmp(text, c->json) != 0) {
            fail_msg("case %zu (%s):\n got  %s\n want %s", i, c->text, text, c->json);
        }
        free(text);
        host.value_free(value);
        host.schema_unref(schema);
        pgc_tz_free(zone);
    }
}

/* What Confluent's dialect leaves out, and what cannot be written. */
static void test_confluent_refused(void **state)
{
    (void)state;
    pg_types_config_t cfg;
    pg_types_config_init(&cfg);
    cfg.flavour = PG_TYPES_CONFLUENT;
    const uint32_t left_out[] = {1007 /* int4[] */,
                                 1186 /* interval */,
                                 869 /* inet */,
                                 3904 /* int4range */,
                                 3614 /* tsvector */,
                                 OID_MOOD_ARRAY,
                                 3220 /* pg_lsn */};
    pg_type_t type;
    for (size_t i = 0; i < sizeof(left_out) / sizeof(left_out[0]); i++) {
        if (pg_types_resolve(&cfg, registry, left_out[i], -1, &type) != -1) {
            fail_msg("type %u maps, but Confluent's JDBC source leaves it out", left_out[i]);
        }
    }
    char err[256] = "";
    assert_int_equal(pg_types_resolve(&cfg, registry, 1700, -1, &type), 0);
    assert_null(pg_types_value(&host, &cfg, &type, NULL, "1.5", 3, err, sizeof(err)));
    assert_non_null(strstr(err, "numeric.mapping=best_fit"));
    assert_null(pg_types_value(&host, &cfg, &type, NULL, "NaN", 3, err, sizeof(err)));
    /* The timestamp criteria: an instant, and its parameter text. */
    int64_t micros;
    assert_int_equal(pg_types_resolve(&cfg, registry, 1114, -1, &type), 0);
    assert_int_equal(pg_types_instant(&cfg, &type, "2024-01-15 13:45:30.123456", 26, &micros, err, sizeof(err)), 0);
    assert_int_equal(micros, INT64_C(1705326330123456));
    char text[64];
    pg_types_instant_text(&cfg, micros, text, sizeof(text));
    assert_string_equal(text, "2024-01-15 13:45:30.123456+00:00:00");
    pgc_tz_t *paris = pgc_tz_load("Europe/Paris", err, sizeof(err));
    cfg.zone = paris;
    pg_types_instant_text(&cfg, micros, text, sizeof(text));
    assert_string_equal(text, "2024-01-15 14:45:30.123456+01:00:00");
    assert_int_equal(pg_types_instant(&cfg, &type, "2024-01-15 14:45:30.123456", 26, &micros, err, sizeof(err)), 0);
    assert_int_equal(micros, INT64_C(1705326330123456));
    assert_int_equal(pg_types_instant(&cfg, &type, "infinity", 8, &micros, err, sizeof(err)), -1);
    pgc_tz_free(paris);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapping_table), cmocka_unit_test(test_unmapped_types),    cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_placeholder),   cmocka_unit_test(test_fallback),          cmocka_unit_test(test_config),
        cmocka_unit_test(test_confluent),     cmocka_unit_test(test_confluent_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
