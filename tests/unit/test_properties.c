/* Unit tests for properties.c: java.util.Properties.load semantics, as a table
 * of inputs and the key/value pairs Java would produce. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

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
    {"escaped = in key", "a\\=b=c\n", "a=b", "c"},
    {"colon then equals: second is value", "a:=b\n", "a", "=b"},
    {"only one separator is skipped", "a = = b\n", "a", "= b"},
    {"whitespace then colon", "key  :  value\n", "key", "value"},
    {"form feed is whitespace", "\fa\f=\fb\n", "a", "b"},
    {"unknown escape is the char", "a=\\q\\#\n", "a", "q#"},
    {"unicode escape in key", "caf\\u00E9=1\n", "caf\xc3\xa9", "1"},
    {"surrogate pair is one code point", "e=\\ud83d\\ude00\n", "e", "\xf0\x9f\x98\x80"},
    {"raw UTF-8 passes through", "e=caf\xc3\xa9\n", "e", "caf\xc3\xa9"},
    {"CR line ends", "a=1\rb=2\r", "b", "2"},
    {"continuation over CRLF", "a=x\\\r\n  y\r\n", "a", "xy"},
    {"continuation line keeps # as text", "a=x\\\n#y\n", "a", "x#y"},
    {"blank line ends a continuation", "a=x\\\n\nb=y\n", "a", "x"},
    {"after a blank continuation", "a=x\\\n\nb=y\n", "b", "y"},
    {"backslash at end of text is dropped", "a=b\\", "a", "b"},
    {"indented comment", "   # a=b\n", "a", NULL},
    {"byte order mark is skipped", "\xef\xbb\xbf" "a=b\n", "a", "b"},
    /* Java's LineReader quirk: a lone backslash line that ends the text is
     * an empty logical line, stored as an empty key. */
    {"lone backslash at end of text", "\\\n", "", ""},
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

static const struct {
    const char *what;
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *error;
} bad_cases[] = {
    {"bad hex digit", "a=1\n\nb=\\u12x4\n", 0, "line 3: invalid \\u escape"},
    {"short escape at end", "a=\\u12", 0, "line 1: invalid \\u escape"},
    {"line of the escape, not of the key", "a=1\\\n  2\\\n  \\u12\n", 0, "line 3: invalid \\u escape"},
    {"CR counts as a line end", "a=1\rb=2\r\\uZZZZ\r", 0, "line 3: invalid \\u escape"},
    {"lone high surrogate", "a=\\ud83d!\n", 0, "line 1: invalid \\u escape"},
    {"lone low surrogate", "a=\\ude00\n", 0, "line 1: invalid \\u escape"},
    {"NUL escape", "a=\\u0000\n", 0, "line 1: invalid \\u escape"},
    {"ISO-8859-1 byte", "a=1\nb=caf\xe9\n", 0, "line 2: invalid UTF-8"},
    {"NUL byte", "a=1\nb\0=2\n", 9, "line 2: NUL byte"},
};

static void test_errors_name_the_line(void **state)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        properties_t *props = properties_create();
        char err[256] = "";
        size_t len = bad_cases[i].len ? bad_cases[i].len : strlen(bad_cases[i].text);
        if (properties_parse(props, bad_cases[i].text, len, err, sizeof(err)) != -1) {
            fail_msg("%s: parsed without error", bad_cases[i].what);
        }
        if (!strstr(err, bad_cases[i].error)) {
            fail_msg("%s: error '%s' lacks '%s'", bad_cases[i].what, err, bad_cases[i].error);
        }
        properties_destroy(props);
    }
}

static void test_failed_parse_changes_nothing(void **state)
{
    properties_t *props = properties_create();
    char err[256];
    properties_set(props, "kept", "1");
    const char *text = "kept=2\nnew=3\nbad=\\uZZZZ\n";
    assert_int_equal(properties_parse(props, text, strlen(text), err, sizeof(err)), -1);
    assert_int_equal(properties_count(props), 1);
    assert_string_equal(properties_get(props, "kept"), "1");
    properties_destroy(props);
}

static void test_many_keys(void **state)
{
    properties_t *props = properties_create();
    char key[32], value[32];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 10000; i++) {
            snprintf(key, sizeof(key), "key.%d", i);
            snprintf(value, sizeof(value), "%d", i + round);
            properties_set(props, key, value);
        }
    }
    assert_int_equal(properties_count(props), 10000);
    assert_string_equal(properties_key_at(props, 1234), "key.1234");
    assert_string_equal(properties_get(props, "key.9999"), "10000");
    assert_null(properties_get(props, "key.10000"));
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
    assert_string_equal(err, "expected key=value");
    /* Like Kafka's --override: no escapes, no trimming. */
    assert_int_equal(properties_set_override(props, " k = v\\n", err, sizeof(err)), 0);
    assert_string_equal(properties_get(props, " k "), " v\\n");
    assert_int_equal(properties_set_override(props, "=v", err, sizeof(err)), -1);
    properties_destroy(props);
}

static void test_missing_file_names_path(void **state)
{
    properties_t *props = properties_create();
    char err[256] = "";
    assert_int_equal(properties_load_file(props, "/nonexistent/x.properties", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/x.properties"));
    assert_int_equal(properties_load_file(props, "/", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/: "));
    assert_null(properties_get(props, "anything"));
    properties_destroy(props);
}

static void test_load_file(void **state)
{
    char path[] = "/tmp/test_properties_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "# broker\nnode.id=3\nlog.dirs = /a,\\\n    /b\nbad=\\u00\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);
    properties_t *props = properties_create();
    char err[256] = "";
    assert_int_equal(properties_load_file(props, path, err, sizeof(err)), -1);
    /* The path, then the line: the bad escape is on the fifth line. */
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "line 5: invalid \\u escape"));
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    size_t good = (size_t)(strstr(text, "bad=") - text); /* everything before the bad line */
    assert_int_equal(write(fd, text, good), (ssize_t)good);
    close(fd);
    assert_int_equal(properties_load_file(props, path, err, sizeof(err)), 0);
    assert_string_equal(properties_get(props, "node.id"), "3");
    assert_string_equal(properties_get(props, "log.dirs"), "/a,/b");
    unlink(path);
    properties_destroy(props);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_java_semantics),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_failed_parse_changes_nothing),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_order_and_overrides),
        cmocka_unit_test(test_missing_file_names_path),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
