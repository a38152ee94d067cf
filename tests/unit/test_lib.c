/* test_lib.c - lib/'s small helpers: base64 (RFC 4648 vectors), UTF-8
 * (RFC 3629's limits and Unicode's maximal-subpart repair), the clocks,
 * and the allocation wrappers' edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "clock.h"
#include "utf8.h"
#include "xalloc.h"

/* RFC 4648 §10. */
static const char *const rfc4648[][2] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_base64_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        const char *plain = rfc4648[i][0], *coded = rfc4648[i][1];
        char out[16];
        assert_int_equal(base64_encoded_len(strlen(plain)), strlen(coded));
        assert_int_equal(base64_encode((const unsigned char *)plain, strlen(plain), out), strlen(coded));
        assert_string_equal(out, coded);
        unsigned char back[16];
        assert_int_equal(base64_decode(coded, strlen(coded), back), (long)strlen(plain));
        assert_memory_equal(back, plain, strlen(plain));
    }
}

static void test_base64_refuses(void **state)
{
    (void)state;
    unsigned char out[16];
    const char *bad[] = {"Zg", "Zg=", "Z===", "Zm9v!A==", "Zm 9v", "Zg==Zg=="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(base64_decode(bad[i], strlen(bad[i]), out), -1);
    }
    /* All 256 byte values survive the round trip. */
    unsigned char all[256], back[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (unsigned char)i;
    }
    char coded[400];
    size_t n = base64_encode(all, sizeof all, coded);
    assert_int_equal(base64_decode(coded, n, back), 256);
    assert_memory_equal(back, all, 256);
}

static void test_base64url(void **state)
{
    (void)state;
    /* Kafka's Uuid.toString(): URL-safe, unpadded, 22 characters. */
    unsigned char uuid[16];
    memset(uuid, 0xfb, sizeof uuid);
    char out[32];
    assert_int_equal(base64url_encode(uuid, sizeof uuid, out), 22);
    assert_string_equal(out, "-_v7-_v7-_v7-_v7-_v7-w");
    assert_int_equal(base64url_encode((const unsigned char *)"f", 1, out), 2);
    assert_string_equal(out, "Zg");
}

static void test_utf8_limits(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool valid;
    } cases[] = {
        {"plain ascii", true},
        {"\xC3\xA9", true},          /* é */
        {"\xE2\x82\xAC", true},      /* € */
        {"\xF0\x9F\x98\x80", true},  /* U+1F600 */
        {"\xF4\x8F\xBF\xBF", true},  /* U+10FFFF, the last */
        {"\xC0\xAF", false},         /* overlong '/' */
        {"\xE0\x80\xAF", false},     /* overlong */
        {"\xED\xA0\x80", false},     /* a surrogate */
        {"\xF4\x90\x80\x80", false}, /* above U+10FFFF */
        {"\xE2\x82", false},         /* truncated */
        {"\x80", false},             /* a lone continuation byte */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(utf8_is_valid(cases[i].text, strlen(cases[i].text)), cases[i].valid);
    }
}

static void test_utf8_repair_and_encode(void **state)
{
    (void)state;
    /* Each maximal ill-formed subpart is one U+FFFD, as Java decodes. */
    size_t len;
    char *fixed = utf8_repair("a\xE2\x82z\x80", 5, &len);
    assert_string_equal(fixed, "a\xEF\xBF\xBDz\xEF\xBF\xBD");
    assert_int_equal(len, strlen(fixed));
    free(fixed);

    static const struct {
        uint32_t cp;
        const char *utf8;
    } enc[] = {{0x41, "A"}, {0xE9, "\xC3\xA9"}, {0x20AC, "\xE2\x82\xAC"}, {0x1F600, "\xF0\x9F\x98\x80"}};
    for (size_t i = 0; i < sizeof enc / sizeof enc[0]; i++) {
        char out[4];
        size_t n = utf8_encode(enc[i].cp, out);
        assert_int_equal(n, strlen(enc[i].utf8));
        assert_memory_equal(out, enc[i].utf8, n);
    }
}

static void test_clocks(void **state)
{
    (void)state;
    int64_t a = clock_mono_ns(), b = clock_mono_ns();
    assert_true(b >= a);
    assert_true(clock_mono_ms() >= a / 1000000);
    /* The wall clock is after 2020-01-01 on any machine this runs on. */
    assert_true(clock_wall_ms() > INT64_C(1577836800000));
    assert_true(clock_mono_coarse_ms() > 0);
}

static void test_xalloc_edges(void **state)
{
    (void)state;
    assert_null(xstrdup(NULL));
    char *s = xstrndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    void *empty = xmemdup("", 0); /* still a pointer to free */
    assert_non_null(empty);
    free(empty);
    free(xmalloc(0));
    free(xcalloc(0, 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_base64_refuses),
        cmocka_unit_test(test_base64url),
        cmocka_unit_test(test_utf8_limits),
        cmocka_unit_test(test_utf8_repair_and_encode),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_xalloc_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
