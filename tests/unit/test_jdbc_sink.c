/* Unit tests for the JDBC sink's pure parts: Decimals and Dates as the text
 * PostgreSQL reads (connectors/jdbc/jdbc_sink_value.c), and table names
 * from table.name.format as quoted identifiers
 * (connectors/jdbc/jdbc_sink_table.c).  Expected Decimal texts are
 * java.math.BigDecimal's toPlainString() of the same unscaled bytes and
 * scale; dates are java.time.LocalDate.ofEpochDay's (ISO, proleptic). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_text),
        cmocka_unit_test(test_date_text),
        cmocka_unit_test(test_table_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
