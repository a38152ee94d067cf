/* Unit tests for the JDBC sink's pure parts: Decimals and Dates as the text
 * PostgreSQL reads (connectors/jdbc/jdbc_sink_value.c), and table names
 * from table.name.format as quoted identifiers
 * (connectors/jdbc/jdbc_sink_table.c).  Expected Decimal texts are
 * java.math.BigDecimal's toPlainString() of the same unscaled bytes and
 * scale; dates are java.time.LocalDate.ofEpochDay's (ISO, proleptic).
 * And COPY's data sent in pieces PQputCopyData's int length can hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jdbc_sink_table.h"
#include "jdbc_sink_value.h"

static const char *decimal(const unsigned char *bytes, size_t len, int32_t scale)
{
    static jdbc_buf_t b;
    jdbc_buf_reset(&b);
    jdbc_decimal_text(bytes, len, scale, &b);
    static char out[256];
    memcpy(out, b.data, b.len);
    out[b.len] = '\0';
    return out;
}

static void test_decimal_text(void **state)
{
    (void)state;
    assert_string_equal(decimal((const unsigned char *)"\x01\x5e", 2, 2), "3.50");
    assert_string_equal(decimal((const unsigned char *)"\xfe\xa2", 2, 2), "-3.50");
    assert_string_equal(decimal((const unsigned char *)"\x00", 1, 3), "0.000");
    assert_string_equal(decimal((const unsigned char *)"", 0, 0), "0");
    assert_string_equal(decimal((const unsigned char *)"\x07", 1, 4), "0.0007");
    assert_string_equal(decimal((const unsigned char *)"\x80", 1, 0), "-128");
    assert_string_equal(decimal((const unsigned char *)"\x0c", 1, -2), "1200");
    /* 2^64 and -2^64, past any C integer type. */
    assert_string_equal(decimal((const unsigned char *)"\x01\x00\x00\x00\x00\x00\x00\x00\x00", 9, 0),
                        "18446744073709551616");
    assert_string_equal(decimal((const unsigned char *)"\xff\x00\x00\x00\x00\x00\x00\x00\x00", 9, 5),
                        "-184467440737095.51616");
    /* 10^18 exactly (a carry across the base-10^9 limbs). */
    assert_string_equal(decimal((const unsigned char *)"\x0d\xe0\xb6\xb3\xa7\x64\x00\x00", 8, 0),
                        "1000000000000000000");
}

static const char *date(int64_t days)
{
    static jdbc_buf_t b;
    jdbc_buf_reset(&b);
    jdbc_date_text(days, &b);
    static char out[64];
    memcpy(out, b.data, b.len);
    out[b.len] = '\0';
    return out;
}

static void test_date_text(void **state)
{
    (void)state;
    assert_string_equal(date(0), "1970-01-01");
    assert_string_equal(date(19000), "2022-01-08");
    assert_string_equal(date(-1), "1969-12-31");
    assert_string_equal(date(11016), "2000-02-29");
    assert_string_equal(date(-141427), "1582-10-15");
    assert_string_equal(date(2932896), "9999-12-31");
    /* Year 0 is 1 BC in PostgreSQL's reading. */
    assert_string_equal(date(-719528), "0001-01-01 BC");
    assert_string_equal(date(-719162), "0001-01-01");
}

static void check_table(const char *format, bool fold, const char *schema, const char *name, const char *quoted)
{
    jdbc_sink_table_t *t = jdbc_sink_table_new(format, fold);
    if (schema) {
        assert_non_null(t->schema);
        assert_string_equal(t->schema, schema);
    } else {
        assert_null(t->schema);
    }
    assert_string_equal(t->name, name);
    assert_string_equal(t->quoted, quoted);
    jdbc_sink_table_free(t);
}

static void test_table_names(void **state)
{
    (void)state;
    check_table("orders", false, NULL, "orders", "\"orders\"");
    check_table("Orders", false, NULL, "Orders", "\"Orders\"");
    check_table("Orders", true, NULL, "orders", "\"orders\"");
    check_table("sales.orders", false, "sales", "orders", "\"sales\".\"orders\"");
    check_table("mydb.sales.orders", false, "sales", "orders", "\"sales\".\"orders\"");
    check_table("\"my.schema\".\"Or.ders\"", true, "my.schema", "Or.ders", "\"my.schema\".\"Or.ders\"");
    check_table("\"a\"\"b\".c", false, "a\"b", "c", "\"a\"\"b\".\"c\"");
    /* A name that is SQL stays one name, its quote doubled. */
    check_table("x\"; DROP TABLE users; --", false, NULL, "x\"; DROP TABLE users; --",
                "\"x\"\"; DROP TABLE users; --\"");
    /* An unterminated quote is part of the name. */
    check_table("\"abc", false, NULL, "\"abc", "\"\"\"abc\"");
}

/* What copy_put_record received: the bytes, each piece's size, and after
 * how many pieces it fails (0: never). */
typedef struct copy_sink {
    char data[256];
    size_t len;
    int pieces, fail_at, max_piece;
} copy_sink_t;

static int copy_put_record(void *arg, const char *data, int len)
{
    copy_sink_t *sink = arg;
    sink->pieces++;
    if (sink->fail_at && sink->pieces == sink->fail_at) {
        return -1;
    }
    assert_true(len > 0 && sink->len + (size_t)len <= sizeof(sink->data));
    memcpy(sink->data + sink->len, data, (size_t)len);
    sink->len += (size_t)len;
    sink->max_piece = len > sink->max_piece ? len : sink->max_piece;
    return 1;
}

static void test_copy_send(void **state)
{
    (void)state;
    char data[100];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (char)('a' + i % 26);
    }
    /* Pieces of at most max bytes, every byte once, in order. */
    copy_sink_t sink = {0};
    assert_int_equal(jdbc_copy_send(data, sizeof(data), 7, copy_put_record, &sink), 0);
    assert_int_equal(sink.len, sizeof(data));
    assert_memory_equal(sink.data, data, sizeof(data));
    assert_int_equal(sink.pieces, 15);
    assert_int_equal(sink.max_piece, 7);
    /* Less than a piece: one put; nothing: none. */
    memset(&sink, 0, sizeof(sink));
    assert_int_equal(jdbc_copy_send(data, 10, JDBC_COPY_CHUNK, copy_put_record, &sink), 0);
    assert_int_equal(sink.pieces, 1);
    assert_int_equal(sink.len, 10);
    memset(&sink, 0, sizeof(sink));
    assert_int_equal(jdbc_copy_send(data, 0, 7, copy_put_record, &sink), 0);
    assert_int_equal(sink.pieces, 0);
    /* A failed put stops the sending. */
    memset(&sink, 0, sizeof(sink));
    sink.fail_at = 2;
    assert_int_equal(jdbc_copy_send(data, sizeof(data), 7, copy_put_record, &sink), -1);
    assert_int_equal(sink.pieces, 2);
    assert_int_equal(sink.len, 7);
    /* The piece size fits PQputCopyData's int. */
    assert_true(JDBC_COPY_CHUNK <= (size_t)INT_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_text),
        cmocka_unit_test(test_date_text),
        cmocka_unit_test(test_table_names),
        cmocka_unit_test(test_copy_send),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
