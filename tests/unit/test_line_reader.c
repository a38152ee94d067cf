/* Unit tests for connectors/file/line_reader.c: Kafka's line terminators,
 * byte positions, input split anywhere, long lines.  (Ill-formed UTF-8 is
 * repaired by the host's value_string, tested in test_data.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line_reader.h"

typedef struct {
    const char *text;
    int64_t end;
} want_line_t;

static const struct {
    const char *what;
    int64_t start;
    const char *chunks[4]; /* fed in order, NULL-terminated */
    want_line_t lines[6];  /* every line returned, text NULL-terminated */
    want_line_t finish;    /* what line_reader_finish returns; text NULL: nothing */
} cases[] = {
    {"LF", 0, {"a\nbc\n"}, {{"a", 2}, {"bc", 5}}, {NULL, 0}},
    {"CRLF", 0, {"a\r\nbc\r\n"}, {{"a", 3}, {"bc", 7}}, {NULL, 0}},
    {"lone CR", 0, {"a\rbc\rd"}, {{"a", 2}, {"bc", 5}}, {"d", 6}},
    {"mixed", 0, {"a\nb\r\nc\rd\n"}, {{"a", 2}, {"b", 5}, {"c", 7}, {"d", 9}}, {NULL, 0}},
    {"empty lines", 0, {"\n\r\n\r\r\n"}, {{"", 1}, {"", 3}, {"", 4}, {"", 6}}, {NULL, 0}},
    {"CR then CRLF", 0, {"a\r\r\nb\n"}, {{"a", 2}, {"", 4}, {"b", 6}}, {NULL, 0}},
    {"CRLF split after CR", 0, {"a\r", "\nb\n"}, {{"a", 3}, {"b", 5}}, {NULL, 0}},
    {"CR at the end of a feed, then a letter", 0, {"a\r", "b\n"}, {{"a", 2}, {"b", 4}}, {NULL, 0}},
    {"CR at the end waits", 0, {"a\nb\r"}, {{"a", 2}}, {"b", 4}},
    {"lone CR at the end waits", 0, {"\r"}, {{NULL, 0}}, {"", 1}},
    {"partial line waits", 0, {"hel", "lo", " world\nnext"}, {{"hello world", 12}}, {"next", 16}},
    {"no input", 0, {""}, {{NULL, 0}}, {NULL, 0}},
    {"start position", 1000, {"x\ny\r\n"}, {{"x", 1002}, {"y", 1005}}, {NULL, 0}},
    /* é is 2 bytes, 日 and 本 3 each: positions count bytes, not characters. */
    {"multi-byte UTF-8", 0, {"h\xc3\xa9llo\n\xe6\x97\xa5\xe6\x9c\xac\n"},
     {{"h\xc3\xa9llo", 7}, {"\xe6\x97\xa5\xe6\x9c\xac", 14}}, {NULL, 0}},
    {"UTF-8 split across feeds", 40, {"h\xc3", "\xa9\n\xf0\x9f", "\x98\x80\r\n"},
     {{"h\xc3\xa9", 44}, {"\xf0\x9f\x98\x80", 50}}, {NULL, 0}},
};

static void test_table(void **state)
{
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        line_reader_t *lr = line_reader_create(cases[c].start);
        assert_non_null(lr);
        size_t got = 0;
        int64_t fed = cases[c].start;
        for (size_t k = 0; cases[c].chunks[k] != NULL; k++) {
            size_t clen = strlen(cases[c].chunks[k]);
            assert_int_equal(line_reader_feed(lr, cases[c].chunks[k], clen), 0);
            fed += (int64_t)clen;
            assert_int_equal(line_reader_fed_position(lr), fed);
            const char *line;
            size_t len;
            int64_t end;
            while (line_reader_next(lr, &line, &len, &end)) {
                const want_line_t *w = &cases[c].lines[got++];
                if (w->text == NULL || len != strlen(w->text) || memcmp(line, w->text, len) != 0 || end != w->end) {
                    fail_msg("%s: line %zu is '%.*s' ending at %lld, want '%s' at %lld", cases[c].what, got,
                             (int)len, line, (long long)end, w->text ? w->text : "(none)", (long long)w->end);
                }
            }
        }
        if (cases[c].lines[got].text != NULL) {
            fail_msg("%s: %zu lines, want more ('%s' next)", cases[c].what, got, cases[c].lines[got].text);
        }
        const char *line;
        size_t len;
        int64_t end;
        bool fin = line_reader_finish(lr, &line, &len, &end);
        const want_line_t *w = &cases[c].finish;
        if (fin != (w->text != NULL) ||
            (fin && (len != strlen(w->text) || memcmp(line, w->text, len) != 0 || end != w->end))) {
            fail_msg("%s: finish gave %s '%.*s' at %lld", cases[c].what, fin ? "line" : "nothing",
                     fin ? (int)len : 0, fin ? line : "", fin ? (long long)end : 0LL);
        }
        assert_false(line_reader_finish(lr, &line, &len, &end)); /* finish empties the reader */
        line_reader_destroy(lr);
    }
}

/* The text as lines with end positions, one per output line ("text@end\n"). */
static char *split(const char *text, size_t len, size_t step)
{
    line_reader_t *lr = line_reader_create(0);
    char *out = calloc(1, len * 8 + 64);
    size_t o = 0;
    for (size_t i = 0; i < len; i += step) {
        size_t n = len - i < step ? len - i : step;
        assert_int_equal(line_reader_feed(lr, text + i, n), 0);
        const char *line;
        size_t llen;
        int64_t end;
        while (line_reader_next(lr, &line, &llen, &end)) {
            o += (size_t)sprintf(out + o, "%.*s@%lld|", (int)llen, line, (long long)end);
        }
    }
    line_reader_destroy(lr);
    return out;
}

/* Wherever the input is cut, the lines and positions are the same. */
static void test_any_split(void **state)
{
    const char text[] = "ab\r\ncd\re\n\n\r\rf\r\n\xc3\xa9t\xc3\xa9\r\r\n\nlast\r";
    size_t len = sizeof(text) - 1;
    char *whole = split(text, len, len);
    assert_string_equal(whole, "ab@4|cd@7|e@9|@10|@11|@12|f@15|\xc3\xa9t\xc3\xa9@21|@23|@24|");
    for (size_t step = 1; step < len; step++) {
        char *part = split(text, len, step);
        if (strcmp(part, whole) != 0) {
            fail_msg("fed %zu bytes at a time: %s", step, part);
        }
        free(part);
    }
    free(whole);
}

/* A line far longer than the initial buffer, arriving in small pieces,
 * then many lines that make the buffer slide its contents. */
static void test_long_lines(void **state)
{
    size_t big = 3 * 1024 * 1024 + 17;
    char *text = malloc(big + 1);
    for (size_t i = 0; i < big; i++) {
        text[i] = (char)('a' + i % 26);
    }
    text[big] = '\n';
    line_reader_t *lr = line_reader_create(5);
    const char *line;
    size_t len;
    int64_t end;
    for (size_t i = 0; i <= big; i += 1000) {
        assert_false(line_reader_next(lr, &line, &len, &end));
        assert_int_equal(line_reader_feed(lr, text + i, big + 1 - i < 1000 ? big + 1 - i : 1000), 0);
    }
    assert_true(line_reader_next(lr, &line, &len, &end));
    assert_int_equal(len, big);
    assert_memory_equal(line, text, big);
    assert_int_equal(end, 5 + (int64_t)big + 1);
    assert_false(line_reader_next(lr, &line, &len, &end));
    free(text);

    /* Lines of growing length, fed in odd-sized chunks. */
    char chunk[777];
    size_t fill = 0, next_len = 0, want_len = 0;
    int64_t pos = end, want_end = end;
    size_t lines = 0;
    for (int i = 0; i < 2000; i++) {
        for (size_t k = 0; k <= next_len; k++) {
            chunk[fill++] = k == next_len ? '\n' : 'x';
            if (fill == sizeof(chunk)) {
                assert_int_equal(line_reader_feed(lr, chunk, fill), 0);
                fill = 0;
            }
        }
        next_len = (next_len + 7) % 5000;
        while (line_reader_next(lr, &line, &len, &end)) {
            want_end += (int64_t)want_len + 1;
            assert_int_equal(len, want_len);
            assert_int_equal(end, want_end);
            want_len = (want_len + 7) % 5000;
            lines++;
        }
    }
    assert_int_equal(line_reader_feed(lr, chunk, fill), 0);
    while (line_reader_next(lr, &line, &len, &end)) {
        lines++;
        pos = end;
    }
    assert_int_equal(lines, 2000);
    assert_int_equal(pos, line_reader_fed_position(lr));
    line_reader_destroy(lr);
}

static void test_reset_and_nul(void **state)
{
    line_reader_t *lr = line_reader_create(0);
    const char *line;
    size_t len;
    int64_t end;
    assert_int_equal(line_reader_feed(lr, "abc\ndef", 7), 0);
    line_reader_reset(lr, 0); /* a truncated file: read again from byte 0 */
    assert_int_equal(line_reader_fed_position(lr), 0);
    assert_false(line_reader_next(lr, &line, &len, &end));
    assert_int_equal(line_reader_feed(lr, "a\0b\n", 4), 0); /* a NUL is just a byte */
    assert_true(line_reader_next(lr, &line, &len, &end));
    assert_int_equal(len, 3);
    assert_memory_equal(line, "a\0b", 3);
    assert_int_equal(end, 4);
    line_reader_destroy(lr);
    line_reader_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_any_split),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_reset_and_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
