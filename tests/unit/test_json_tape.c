/*
 * test_json_tape.c - json_tape against jansson, side by side: the tape
 * must accept exactly the documents json_loadb accepts (JSON_DECODE_ANY |
 * JSON_ALLOW_NUL), and read each to the same values, because
 * JsonConverter moved from one to the other and no record's fate may
 * change with it.  Hand-picked edge cases first, then a few hundred
 * thousand random mutations of valid documents.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_tape.h"

/* Whether the tape's node n and jansson's json are the same value. */
static bool same(const json_tape_t *t, const json_tape_node_t *n, const json_t *json)
{
    switch (n->type) {
    case JSON_TAPE_NULL:
        return json_is_null(json);
    case JSON_TAPE_TRUE:
        return json_is_true(json);
    case JSON_TAPE_FALSE:
        return json_is_false(json);
    case JSON_TAPE_INTEGER:
        return json_is_integer(json) && json_integer_value(json) == n->u.i;
    case JSON_TAPE_REAL:
        return json_is_real(json) && json_real_value(json) == n->u.f;
    case JSON_TAPE_STRING:
        return json_is_string(json) && json_string_length(json) == n->count &&
               memcmp(json_string_value(json), n->u.s, n->count) == 0 && n->u.s[n->count] == '\0';
    case JSON_TAPE_ARRAY: {
        if (!json_is_array(json) || json_array_size(json) != n->count) {
            return false;
        }
        size_t i = 0;
        for (const json_tape_node_t *item = n + 1; item < &t->nodes[n->end]; item = json_tape_next(t, item)) {
            if (!same(t, item, json_array_get(json, i++))) {
                return false;
            }
        }
        return i == n->count;
    }
    case JSON_TAPE_OBJECT: {
        if (!json_is_object(json)) {
            return false;
        }
        /* Every member's value as looked up, and jansson's keys in the
         * tape's order of first appearance. */
        size_t distinct = 0;
        void *iter = json_object_iter((json_t *)json);
        for (const json_tape_node_t *key = n + 1; key < &t->nodes[n->end]; key = json_tape_next(t, key + 1)) {
            uint32_t hint = 0;
            const json_tape_node_t *value = json_tape_member(t, n, key->u.s, key->count, &hint);
            const json_t *expected = json_object_getn(json, key->u.s, key->count);
            if (!value || !expected || !same(t, value, expected)) {
                return false;
            }
            bool first = true;
            for (const json_tape_node_t *k = n + 1; k < key; k = json_tape_next(t, k + 1)) {
                first = first && !(k->count == key->count && memcmp(k->u.s, key->u.s, k->count) == 0);
            }
            if (first) {
                if (!iter || strcmp(json_object_iter_key(iter), key->u.s) != 0) {
                    return false;
                }
                iter = json_object_iter_next((json_t *)json, iter);
                distinct++;
            }
        }
        bool dup = n->flags & JSON_TAPE_DUPLICATE_KEYS;
        return !iter && distinct == json_object_size(json) && dup == (distinct != n->count);
    }
    default:
        return false;
    }
}

/* Fails the test when the tape and jansson disagree on doc. */
static void check(json_tape_t *t, const char *doc, size_t len)
{
    json_error_t error;
    json_t *json = json_loadb(doc, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    bool ok = json_tape_parse(t, doc, len);
    if (ok != (json != NULL)) {
        fail_msg("%.*s: tape %s, jansson %s", (int)len, doc, ok ? "accepts" : t->error, json ? "accepts" : error.text);
    }
    if (ok) {
        if (t->nodes[0].end != t->n_nodes || !same(t, &t->nodes[0], json)) {
            fail_msg("%.*s: read differently", (int)len, doc);
        }
    } else if (!t->error[0]) {
        fail_msg("%.*s: refused without a reason", (int)len, doc);
    }
    json_decref(json);
}

static void check_str(json_tape_t *t, const char *doc)
{
    check(t, doc, strlen(doc));
}

static void test_edge_cases(void **state)
{
    static const char *const docs[] = {
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "-1",
        "12",
        "0.5",
        "-0.5e3",
        "1E400",
        "-1e400",
        "1e-400",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "-9223372036854775809",
        "123456789012345678",
        "1234567890123456789",
        "00",
        "01",
        "-",
        "-a",
        "1.",
        ".5",
        "1e",
        "1e+",
        "1e5x",
        "+1",
        "0x10",
        "NaN",
        "Infinity",
        "nul",
        "nullx",
        "null1",
        "truefalse",
        "[true1]",
        "\"\"",
        "\"a\\\"b\"",
        "\"\\/\\b\\f\\n\\r\\t\\\\\"",
        "\"\\u0041\\u00e9\\u20AC\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ude00\"",
        "\"\\ud83dx\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\x\"",
        "\"\\",
        "\"abc",
        "\"tab\there\"",
        "\"\x7f\"",
        "\"\xc3\xa9\"",
        "\"\xc3\"",
        "\"\xc0\x80\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xf0\x9f\x98\x80\"",
        "\xc3\xa9",
        "[]",
        "{}",
        "[ ]",
        "{ }",
        "[1,2,3]",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[[[]]]",
        "[",
        "]",
        "{",
        "}",
        "{\"a\":1}",
        "{\"a\":1,}",
        "{\"a\"}",
        "{\"a\" 1}",
        "{1:2}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"b\":2,\"a\":3}",
        "{\"a\":{\"b\":[1,{\"c\":null}]}}",
        " \t\r\n1 \n",
        "1 2",
        "[1] x",
        "{\"\\u0000\":1}",
        "\"\\u0000\"",
        "[\"a\\u0000b\"]",
        ":",
        ",",
        "\"\\u00",
        "{\"a\":}",
        "{\"a\":1 \"b\":2}",
        "{,}",
        "[1,,2]",
        "tru",
        "fals",
        "[-]",
        "[0.]",
        "[.0]",
        "1.5e+10",
        "1.5E-10",
        "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10,\"k\":11,\"l\":12,"
        "\"m\":13,\"n\":14,\"o\":15,\"p\":16,\"q\":17,\"r\":18,\"e\":19}",
        "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10,\"k\":11,\"l\":12,"
        "\"m\":13,\"n\":14,\"o\":15,\"p\":16,\"q\":17,\"r\":18}",
        "0.1",
        "0.3",
        "123.456",
        "-0.0",
        "1.7976931348623157e308",
        "4.9e-324",
        "2.2250738585072014e-308",
        "900719925474099.3",
        "9007199254740993.0",
        "0.000000000000000000001",
        "1e22",
        "1e23",
        "1.5e-22",
        "123456789012345.6e-7",
        "1234567890123456e0",
        "1e0001",
        "1E-0",
        "0e5",
        "1e-22",
        "1e-23",
    };
    json_tape_t t;
    json_tape_init(&t);
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        check_str(&t, docs[i]);
    }
    /* Bytes jansson's string functions would stop at. */
    check(&t, "\"a\0b\"", 5);
    check(&t, "[1]\0", 4);
    check(&t, "[\"a\"\0]", 6);
    check(&t, "", 0);
    json_tape_free(&t);
}

/* 2048 levels are allowed, a value at level 2049 is not. */
static void test_depth(void **state)
{
    json_tape_t t;
    json_tape_init(&t);
    for (int levels = 2046; levels <= 2049; levels++) {
        for (int with_scalar = 0; with_scalar <= 1; with_scalar++) {
            char *doc = malloc((size_t)levels * 2 + 2);
            size_t n = 0;
            memset(doc, '[', (size_t)levels);
            n = (size_t)levels;
            if (with_scalar) {
                doc[n++] = '1';
            }
            memset(doc + n, ']', (size_t)levels);
            n += (size_t)levels;
            check(&t, doc, n);
            free(doc);
        }
    }
    json_tape_free(&t);
}

/* The error says where: line and column. */
static void test_error_position(void **state)
{
    json_tape_t t;
    json_tape_init(&t);
    assert_false(json_tape_parse(&t, "{\n  \"a\": tru\n}", 14));
    assert_string_equal(t.error, "invalid token at line 2 column 8");
    assert_false(json_tape_parse(&t, "[1,2", 4));
    assert_string_equal(t.error, "']' expected at line 1 column 5");
    json_tape_free(&t);
}

/* A member found from a hint, around the object and back. */
static void test_member(void **state)
{
    json_tape_t t;
    json_tape_init(&t);
    const char *doc = "{\"a\":1,\"b\":[2,3],\"c\":{\"d\":4},\"e\":5}";
    assert_true(json_tape_parse(&t, doc, strlen(doc)));
    const json_tape_node_t *root = t.nodes;
    uint32_t hint = 0;
    assert_int_equal(json_tape_member(&t, root, "c", 1, &hint)->type, JSON_TAPE_OBJECT);
    assert_int_equal(json_tape_member(&t, root, "e", 1, &hint)->u.i, 5);
    assert_int_equal(json_tape_member(&t, root, "a", 1, &hint)->u.i, 1);
    assert_int_equal(json_tape_member(&t, root, "b", 1, &hint)->count, 2);
    assert_null(json_tape_member(&t, root, "d", 1, &hint));
    assert_null(json_tape_member(&t, root, "ab", 2, &hint));
    json_tape_free(&t);
}

/* Random decimals read to the very bits strtod gives. */
static void test_reals(void **state)
{
    json_tape_t t;
    json_tape_init(&t);
    unsigned seed = 42;
    char doc[64];
    for (int round = 0; round < 200000; round++) {
        int digits = 1 + (int)(rand_r(&seed) % 19), point = (int)(rand_r(&seed) % (unsigned)digits);
        size_t n = 0;
        if (rand_r(&seed) % 2) {
            doc[n++] = '-';
        }
        for (int d = 0; d < digits; d++) {
            if (d == point && d > 0) {
                doc[n++] = '.';
            }
            doc[n++] = (char)('0' + (d == 0 && digits > 1 && point != 1 ? 1 + rand_r(&seed) % 9 : rand_r(&seed) % 10));
        }
        if (rand_r(&seed) % 2) {
            n += (size_t)snprintf(doc + n, sizeof(doc) - n, "e%d", (int)(rand_r(&seed) % 61) - 30);
        }
        doc[n] = '\0';
        double expected = strtod(doc, NULL);
        if (!json_tape_parse(&t, doc, n)) {
            /* Only an integer beyond int64_t may fail, as in jansson. */
            assert_true(strpbrk(doc, ".e") == NULL &&
                        strtoll(doc, NULL, 10) == (doc[0] == '-' ? INT64_MIN : INT64_MAX));
            continue;
        }
        /* Without a point or an exponent it is an integer (-0 is 0). */
        bool real = t.nodes[0].type == JSON_TAPE_REAL;
        double got = real ? t.nodes[0].u.f : (double)t.nodes[0].u.i;
        if (real ? memcmp(&got, &expected, sizeof(got)) != 0 : got != expected) {
            fail_msg("%s: %.17g, strtod %.17g", doc, got, expected);
        }
    }
    json_tape_free(&t);
}

/* Random edits of valid documents: most become invalid somewhere new. */
static void test_mutations(void **state)
{
    static const char *const seeds[] = {
        "{\"id\":12,\"customer\":{\"name\":\"Ana \\u00e9\",\"tier\":\"gold\"},\"total\":-1.5e3,\"tags\":[\"a\",null,"
        "true,false,[]],\"note\":\"x\\ny\\\"z\",\"k\":{}}",
        "[0,-0.0,1e10,\"\\ud83d\\ude00\",\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",{\"a\":1,\"a\":[2]}]",
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"field\":\"id\"}]},\"payload\":{\"id\":7}}",
    };
    /* No NUL: jansson skips one right after a number ("[1\0]" reads as
     * [1]), a quirk of its stream reader the tape does not share. */
    static const char alphabet[] = "{}[]\":,\\u0123456789abcdefE+-. \t\nnultrfs\x80\xc3\xed\xf4\x01";
    json_tape_t t;
    json_tape_init(&t);
    unsigned seed = 12345;
    char doc[512];
    for (int round = 0; round < 200000; round++) {
        const char *s = seeds[round % 3];
        size_t len = strlen(s);
        memcpy(doc, s, len);
        int edits = 1 + (int)(rand_r(&seed) % 3);
        for (int e = 0; e < edits && len > 0 && len < sizeof(doc) - 1; e++) {
            size_t at = (size_t)rand_r(&seed) % len;
            char c = alphabet[(size_t)rand_r(&seed) % (sizeof(alphabet) - 1)];
            switch (rand_r(&seed) % 3) {
            case 0:
                doc[at] = c;
                break; /* replace */
            case 1:    /* insert */
                memmove(doc + at + 1, doc + at, len - at);
                doc[at] = c;
                len++;
                break;
            default: /* delete */
                memmove(doc + at, doc + at + 1, len - at - 1);
                len--;
            }
        }
        check(&t, doc, len);
    }
    json_tape_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_cases), cmocka_unit_test(test_depth), cmocka_unit_test(test_error_position),
        cmocka_unit_test(test_member),     cmocka_unit_test(test_reals), cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
