/* Unit tests for properties.c: java.util.Properties.load semantics, as a table
 * of inputs and the key/value pairs Java would produce. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "properties.h"

static const struct {
    const char *what;
    const char *text;
    const char *key;
    const char *value; /* NULL: key must be absent */
} cases[] = {
    {"equals", "a=b\n", "a", "b"},
    {"colon", "a: b\n", "a", "b"},
    {"space separator", "key value with spaces\n", "key", "value with spaces"},
    {"spaces around =", "  a   =   b\n", "a", "b"},
    {"trailing spaces kept", "a=b  \n", "a", "b  "},
    {"escaped separator in key", "a\\:b=c\n", "a:b", "c"},
    {"escaped space in key", "a\\ b=c\n", "a b", "c"},
    {"empty value", "key=\n", "key", ""},
    {"key only", "lonely\n", "lonely", ""},
    {"hash comment", "# a=b\n", "a", NULL},
    {"bang comment", "! a=b\n", "a", NULL},
    {"continuation", "a=one \\\n    two\n", "a", "one two"},
    {"double backslash is not continuation", "a=x\\\\\nb=y\n", "a", "x\\"},
    {"unicode escape", "name=caf\\u00e9\n", "name", "caf\xc3\xa9"},
    {"tab escape", "a=x\\ty\n", "a", "x\ty"},
    {"CRLF", "a=b\r\nc=d\r\n", "c", "d"},
    {"no final newline", "a=b", "a", "b"},
    {"later wins", "a=1\na=2\n", "a", "2"},
    {"= in value", "url=http://x?a=b\n", "url", "http://x?a=b"},
    {"comment ending in backslash does not continue", "# x\\\na=b\n", "a", "b"},
};

static void test_java_semantics(void **state)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        properties_t *props = properties_create();
        char err[256] = "";
        if (properties_parse(props, cases[i].text, strlen(cases[i].text), err, sizeof(err)) != 0) {
            fail_msg("%s: parse failed: %s", cases[i].what, err);
        }
        const char *got = properties_get(props, cases[i].key);
        if (cases[i].value == NULL ? got != NULL : got == NULL || strcmp(got, cases[i].value) != 0) {
            fail_msg("%s: key '%s' = '%s', want '%s'", cases[i].what, cases[i].key, got ? got : "(absent)",
                     cases[i].value ? cases[i].value : "(absent)");
        }
        properties_destroy(props);
    }
}

static void test_bad_unicode_escape_names_line(void **state)
{
    properties_t *props = properties_create();
    char err[256] = "";
    const char *text = "a=1\n\nb=\\u12x4\n";
    assert_int_equal(properties_parse(props, text, strlen(text), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "line 3"));
    properties_destroy(props);
}

static void test_order_and_overrides(void **state)
{
    properties_t *props = properties_create();
    char err[256];
    const char *text = "b=1\na=2\nb=3\n";
    assert_int_equal(properties_parse(props, text, strlen(text), err, sizeof(err)), 0);
    assert_int_equal(properties_count(props), 2);
    assert_string_equal(properties_key_at(props, 0), "b");
    assert_string_equal(properties_value_at(props, 0), "3");
    assert_int_equal(properties_set_override(props, "a=x=y", err, sizeof(err)), 0);
    assert_string_equal(properties_get(props, "a"), "x=y");
    assert_int_equal(properties_set_override(props, "novalue", err, sizeof(err)), -1);
    assert_int_equal(properties_set_override(props, "=v", err, sizeof(err)), -1);
    properties_destroy(props);
}

static void test_missing_file_names_path(void **state)
{
    properties_t *props = properties_create();
    char err[256] = "";
    assert_int_equal(properties_load_file(props, "/nonexistent/x.properties", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/x.properties"));
    properties_destroy(props);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_java_semantics),
        cmocka_unit_test(test_bad_unicode_escape_names_line),
        cmocka_unit_test(test_order_and_overrides),
        cmocka_unit_test(test_missing_file_names_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
