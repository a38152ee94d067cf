/* Unit tests for rest_auth.c: SHA-256 vectors, the credentials file's
 * checks (a table of files and the error each must give), and header
 * verification with its cache.  Hashes are made here with libxcrypt, so
 * the test needs no outside tool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <crypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "rest/rest_auth.h"

static char dir[256];
static char path[300];
static char hash6[CRYPT_OUTPUT_SIZE], hashy[CRYPT_OUTPUT_SIZE], hash2b[CRYPT_OUTPUT_SIZE];

/* crypt(3) of `phrase` with a fresh salt of `prefix`'s scheme. */
static void make_hash(const char *prefix, unsigned long cost, const char *phrase, char *out)
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    assert_non_null(crypt_gensalt_rn(prefix, cost, NULL, 0, setting, sizeof(setting)));
    struct crypt_data data;
    memset(&data, 0, sizeof(data));
    const char *h = crypt_rn(phrase, setting, &data, sizeof(data));
    assert_non_null(h);
    snprintf(out, CRYPT_OUTPUT_SIZE, "%s", h);
}

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/test_rest_auth.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/users", dir);
    make_hash("$6$", 0, "pw-admin", hash6);
    make_hash("$y$", 0, "pw:with:colons", hashy);
    make_hash("$2b$", 4, "pw-ci", hash2b);
    return 0;
}

static int teardown(void **state)
{
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_users(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    /* As an operator should keep it. */
    chmod(path, 0600);
}

static void b64_encode(const char *in, char *out)
{
    base64_encode((const unsigned char *)in, strlen(in), out);
}

/* "Basic base64(user:password)" */
static void basic(const char *user_pass, char *out)
{
    strcpy(out, "Basic ");
    b64_encode(user_pass, out + 6);
}

static void test_sha256(void **state)
{
    static const struct {
        const char *text;
        size_t repeat_a; /* >0: that many 'a' instead of text */
        const char *hex;
    } vectors[] = {
        {"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", 0, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {NULL, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {NULL, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {NULL, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {NULL, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {NULL, 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {NULL, 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {NULL, 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
        {NULL, 1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"},
    };
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        char buf[1001];
        const char *text = vectors[i].text;
        size_t len = text ? strlen(text) : vectors[i].repeat_a;
        if (!text) {
            memset(buf, 'a', len);
            text = buf;
        }
        uint8_t digest[32];
        char hex[65];
        rest_auth_sha256(text, len, digest);
        for (int b = 0; b < 32; b++) {
            sprintf(hex + 2 * b, "%02x", digest[b]);
        }
        if (strcmp(hex, vectors[i].hex) != 0) {
            fail_msg("sha256 of %zu bytes: %s, expected %s", len, hex, vectors[i].hex);
        }
    }
}

/* A file's text, with "H6" standing for a good $6$ hash. */
static const struct {
    const char *what;
    const char *text;
    const char *error; /* substring after "<path>: " */
    const char *secret; /* must not appear in the error */
} load_errors[] = {
    {"clear text", "# users\nbob:hunter2\n", "line 2: user 'bob': the password is not a crypt(3) hash (clear text?)",
     "hunter2"},
    {"no colon", "\n\nbob\n", "line 3: expected user:hash", NULL},
    {"empty user", ":H6\n", "line 1: the user name before ':' is empty", NULL},
    {"no hash", "bob:\n", "line 1: user 'bob': there is no password hash", NULL},
    {"apr1 (htpasswd -m)", "bob:$apr1$a4xivxQ7$MC3vwg3VT/b1diY2ybd1u0\n",
     "line 1: user 'bob': unsupported password hash scheme '$apr1$'", NULL},
    {"{SHA} (htpasswd -s)", "bob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n",
     "line 1: user 'bob': unsupported password hash scheme '{SHA}'", NULL},
    {"md5crypt", "bob:$1$IuO7CHb6$OfgEfsa3mijdOmPhtpCO.1\n",
     "line 1: user 'bob': the password hash uses the weak legacy scheme '$1$'", NULL},
    {"DES looks like clear text", "bob:abJnggxhB/yWI\n", "line 1: user 'bob': the password is not a crypt(3) hash",
     NULL},
    {"truncated", "bob:$6$abcdefgh$ltjgWl6579NluT\n",
     "line 1: user 'bob': the '$6$' password hash is malformed or truncated", NULL},
    {"setting only", "bob:$6$abcdefgh$\n", "line 1: user 'bob': the '$6$' password hash is malformed", NULL},
    {"twice", "bob:H6\nann:H6\nbob:H6\n", "line 3: user 'bob' appears twice", NULL},
    {"no users", "# nobody yet\n\n   \n", "no users", NULL},
    {"empty file", "", "no users", NULL},
    {"control characters are not echoed", "b\x1b[2Job:x\n",
     "line 1: user 'b?[2Job': the password is not a crypt(3) hash", NULL},
};

static void test_load_errors(void **state)
{
    for (size_t i = 0; i < sizeof(load_errors) / sizeof(load_errors[0]); i++) {
        char text[2048] = "";
        for (const char *p = load_errors[i].text; *p; p++) {
            if (p[0] == 'H' && p[1] == '6') {
                strcat(text, hash6);
                p++;
            } else {
                strncat(text, p, 1);
            }
        }
        write_users(text);
        char err[1024] = "", want[1024];
        rest_auth_t *auth = rest_auth_load(path, err, sizeof(err));
        snprintf(want, sizeof(want), "%s: %s", path, load_errors[i].error);
        if (auth || !strstr(err, want)) {
            fail_msg("%s: loaded=%d, error '%s', expected '%s'", load_errors[i].what, auth != NULL, err, want);
        }
        if (load_errors[i].secret && strstr(err, load_errors[i].secret)) {
            fail_msg("%s: the error shows the password: %s", load_errors[i].what, err);
        }
    }
    char err[512];
    assert_null(rest_auth_load("/nonexistent/users", err, sizeof(err)));
    assert_string_equal(err, "/nonexistent/users: No such file or directory");
    rest_auth_destroy(NULL);
}

static rest_auth_t *load_three(void)
{
    char text[2048], err[512];
    snprintf(text, sizeof(text), "# admins\n  admin:%s  \n\nops:%s\r\nci:%s\n", hash6, hashy, hash2b);
    write_users(text);
    rest_auth_t *auth = rest_auth_load(path, err, sizeof(err));
    if (!auth) {
        fail_msg("load: %s", err);
    }
    assert_int_equal(rest_auth_user_count(auth), 3);
    return auth;
}

static void test_check(void **state)
{
    rest_auth_t *auth = load_three();
    char hdr[512], user[64];

    assert_int_equal(rest_auth_check(auth, NULL, user, sizeof(user)), REST_AUTH_MISSING);
    assert_string_equal(user, "");
    assert_int_equal(rest_auth_check(auth, "Bearer abc", user, sizeof(user)), REST_AUTH_MISSING);
    assert_int_equal(rest_auth_check(auth, "Basic", user, sizeof(user)), REST_AUTH_MISSING);
    assert_int_equal(rest_auth_check(auth, "Basic !!!!", user, sizeof(user)), REST_AUTH_MALFORMED);
    assert_int_equal(rest_auth_check(auth, "Basic ", user, sizeof(user)), REST_AUTH_MALFORMED);
    basic("no-colon", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_MALFORMED);
    assert_int_equal(rest_auth_crypt_count(auth), 0);

    /* Each scheme, and a password with ':' in it (split at the first). */
    basic("admin:pw-admin", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    assert_string_equal(user, "admin");
    basic("ops:pw:with:colons", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    assert_string_equal(user, "ops");
    basic("ci:pw-ci", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    assert_int_equal(rest_auth_crypt_count(auth), 3);

    /* Wrong password, unknown user, another user's password: each a
     * crypt, none cached. */
    basic("admin:pw-ci", hdr);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_DENIED);
        assert_string_equal(user, "admin");
    }
    basic("mallory:pw-admin", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_DENIED);
    assert_string_equal(user, "mallory");
    basic("Admin:pw-admin", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_DENIED);
    basic("admin:", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_DENIED);
    basic("admin:pw-admin ", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_DENIED);
    assert_int_equal(rest_auth_crypt_count(auth), 9);

    /* The scheme is case-insensitive and spaces around are fine; the same
     * credentials again are answered from the cache. */
    char b64[256], spaced[300];
    b64_encode("admin:pw-admin", b64);
    snprintf(spaced, sizeof(spaced), "  basic \t%s  ", b64);
    assert_int_equal(rest_auth_check(auth, spaced, user, sizeof(user)), REST_AUTH_OK);
    uint64_t before = rest_auth_crypt_count(auth);
    for (int i = 0; i < 100; i++) {
        basic("admin:pw-admin", hdr);
        assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
        assert_string_equal(user, "admin");
        basic("ops:pw:with:colons", hdr);
        assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    }
    assert_int_equal(rest_auth_crypt_count(auth), before);

    /* A user name longer than the caller's buffer is cut, not overrun. */
    char small[4];
    basic("mallory:x", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, small, sizeof(small)), REST_AUTH_DENIED);
    assert_string_equal(small, "mal");
    /* An oversized header is refused before any work. */
    char *huge = malloc(10000);
    memset(huge, 'A', 9999);
    huge[9999] = '\0';
    memcpy(huge, "Basic ", 6);
    assert_int_equal(rest_auth_check(auth, huge, user, sizeof(user)), REST_AUTH_MALFORMED);
    free(huge);
    rest_auth_destroy(auth);
}

/* Failures are not cached, so guesses do not push good entries out; more
 * distinct good clients than cache slots evict the oldest, which then
 * pay crypt again. */
static void test_cache_eviction(void **state)
{
    enum { N_USERS = 300 };
    size_t cap = N_USERS * 128;
    char *text = calloc(1, cap), err[512], hdr[512], user[64], up[64];
    for (int i = 0; i < N_USERS; i++) {
        char h[CRYPT_OUTPUT_SIZE], pw[16];
        snprintf(pw, sizeof(pw), "p%d", i);
        make_hash("$2b$", 4, pw, h);
        snprintf(text + strlen(text), cap - strlen(text), "u%d:%s\n", i, h);
    }
    write_users(text);
    free(text);
    rest_auth_t *auth = rest_auth_load(path, err, sizeof(err));
    assert_non_null(auth);
    assert_int_equal(rest_auth_user_count(auth), N_USERS);

    basic("u0:p0", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(up, sizeof(up), "u0:wrong%d", i);
        basic(up, hdr);
        assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_DENIED);
    }
    uint64_t before = rest_auth_crypt_count(auth);
    basic("u0:p0", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    assert_int_equal(rest_auth_crypt_count(auth), before);

    for (int i = 1; i < N_USERS; i++) {
        snprintf(up, sizeof(up), "u%d:p%d", i, i);
        basic(up, hdr);
        assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    }
    before = rest_auth_crypt_count(auth);
    snprintf(up, sizeof(up), "u%d:p%d", N_USERS - 1, N_USERS - 1);
    basic(up, hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    assert_int_equal(rest_auth_crypt_count(auth), before);
    basic("u0:p0", hdr);
    assert_int_equal(rest_auth_check(auth, hdr, user, sizeof(user)), REST_AUTH_OK);
    assert_int_equal(rest_auth_crypt_count(auth), before + 1);
    rest_auth_destroy(auth);
}

static rest_auth_t *shared;

static void *check_many(void *arg)
{
    char hdr[512], user[64];
    basic(arg, hdr);
    for (int i = 0; i < 200; i++) {
        if (rest_auth_check(shared, hdr, user, sizeof(user)) != REST_AUTH_OK) {
            return (void *)1;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    shared = load_three();
    pthread_t threads[4];
    const char *creds[] = {"admin:pw-admin", "ops:pw:with:colons", "ci:pw-ci", "admin:pw-admin"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, check_many, (void *)creds[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *res;
        pthread_join(threads[i], &res);
        assert_null(res);
    }
    /* Racing first checks may each run crypt; never more than one per
     * thread. */
    assert_true(rest_auth_crypt_count(shared) <= 4);
    rest_auth_destroy(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),          cmocka_unit_test(test_load_errors), cmocka_unit_test(test_check),
        cmocka_unit_test(test_cache_eviction), cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
