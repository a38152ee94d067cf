/* rest_auth.c - basic authentication for the REST API; see rest_auth.h. */
#include "rest_auth.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "base64.h"
#include "data/data.h"

/* Remembered successful checks; a worker has a handful of clients. */
#define CACHE_SLOTS 256
/* A longer Authorization header is not one we issued users. */
#define MAX_HEADER 4096

typedef struct auth_user {
    char *name;
    uint8_t name_digest[32];
    char *hash;
} auth_user_t;

typedef struct cache_slot {
    uint8_t key[32]; /* SHA-256(salt || header value) */
    int user;        /* index into users; -1: empty */
} cache_slot_t;

struct rest_auth {
    auth_user_t *users;
    size_t n_users;
    uint8_t salt[32];
    pthread_mutex_t lock; /* the cache and the counter */
    cache_slot_t cache[CACHE_SLOTS];
    size_t next_slot; /* round-robin replacement */
    uint64_t crypt_count;
};

/* ---- SHA-256 --------------------------------------------------------------- */

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void rest_auth_sha256(const void *data, size_t len, uint8_t out[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const uint8_t *p = data;
    size_t left = len;
    for (; left >= 64; p += 64, left -= 64) {
        sha256_block(h, p);
    }
    /* The tail, the 0x80 marker and the bit length: one or two blocks. */
    uint8_t last[128] = {0};
    memcpy(last, p, left);
    last[left] = 0x80;
    size_t n = left < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) {
        last[n - 1 - i] = (uint8_t)(bits >> (8 * i));
    }
    sha256_block(h, last);
    if (n == 128) {
        sha256_block(h, last + 64);
    }
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

/* ---- helpers ---------------------------------------------------------------- */

/* Equal bytes, in a time that depends on n only. */
static bool ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++) {
        diff |= x[i] ^ y[i];
    }
    return diff == 0;
}

/* A name fit for a log line: printable ASCII, bounded. */
static void copy_printable(char *dst, size_t dst_size, const char *src, size_t len)
{
    if (!dst_size) {
        return;
    }
    size_t n = len < dst_size - 1 ? len : dst_size - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    dst[n] = '\0';
}

/* crypt(3) of `phrase` with the setting of `hash`; the output is
 * NUL-terminated in out (CRYPT_OUTPUT_SIZE), false when libxcrypt refuses. */
static bool run_crypt(const char *phrase, const char *hash, char *out)
{
    struct crypt_data *data = calloc(1, sizeof(*data));
    const char *res = crypt_rn(phrase, hash, data, sizeof(*data));
    bool ok = res && res[0] != '*';
    if (ok) {
        snprintf(out, CRYPT_OUTPUT_SIZE, "%s", res);
    }
    explicit_bzero(data, sizeof(*data));
    free(data);
    return ok;
}

/* The "$id$" a hash starts with, for messages. */
static void scheme_of(const char *hash, char *out, size_t out_size)
{
    const char *end = hash[0] == '$' ? strchr(hash + 1, '$') : NULL;
    if (end && end - hash < 12) {
        snprintf(out, out_size, "%.*s", (int)(end - hash + 1), hash);
    } else if (hash[0] == '{' && strchr(hash, '}') && strchr(hash, '}') - hash < 12) {
        snprintf(out, out_size, "%.*s", (int)(strchr(hash, '}') - hash + 1), hash);
    } else {
        snprintf(out, out_size, "%s", "");
    }
}

#define HASH_HINT "make one with `openssl passwd -6` or `htpasswd -nB USER`"

/* Whether `hash` is a complete hash of a scheme we accept; else why not. */
static bool hash_check(const char *hash, char *why, size_t why_size)
{
    char scheme[16];
    scheme_of(hash, scheme, sizeof(scheme));
    if (!hash[0]) {
        snprintf(why, why_size, "there is no password hash after the ':'; " HASH_HINT);
        return false;
    }
    if (!scheme[0]) {
        snprintf(why, why_size, "the password is not a crypt(3) hash (clear text?); " HASH_HINT);
        return false;
    }
    switch (crypt_checksalt(hash)) {
    case CRYPT_SALT_OK:
        break;
    case CRYPT_SALT_METHOD_LEGACY:
        snprintf(why, why_size, "the password hash uses the weak legacy scheme '%s'; " HASH_HINT, scheme);
        return false;
    default:
        snprintf(why, why_size,
                 "unsupported password hash scheme '%s' (use $6$ SHA-512, $y$ yescrypt or $2b$/$2y$ bcrypt); "
                 HASH_HINT, scheme);
        return false;
    }
    /* crypt_checksalt looks at the setting only: hashing a dummy phrase
     * with it proves the rest is there and well-formed (same length, same
     * setting up to the last '$'). */
    char out[CRYPT_OUTPUT_SIZE];
    const char *last = strrchr(hash, '$');
    if (!run_crypt("", hash, out) || strlen(out) != strlen(hash) || strncmp(out, hash, (size_t)(last - hash)) != 0) {
        snprintf(why, why_size, "the '%s' password hash is malformed or truncated; " HASH_HINT, scheme);
        return false;
    }
    return true;
}

/* ---- loading ------------------------------------------------------------------ */

void rest_auth_destroy(rest_auth_t *auth)
{
    if (!auth) {
        return;
    }
    for (size_t i = 0; i < auth->n_users; i++) {
        free(auth->users[i].name);
        free(auth->users[i].hash);
    }
    free(auth->users);
    pthread_mutex_destroy(&auth->lock);
    explicit_bzero(auth, sizeof(*auth));
    free(auth);
}

static bool add_user(rest_auth_t *auth, const char *path, int lineno, char *line, char *errstr, size_t errstr_size)
{
    char *colon = strchr(line, ':');
    if (!colon) {
        snprintf(errstr, errstr_size, "%s: line %d: expected user:hash (an htpasswd line)", path, lineno);
        return false;
    }
    *colon = '\0';
    const char *name = line, *hash = colon + 1;
    char shown[64];
    copy_printable(shown, sizeof(shown), name, strlen(name));
    if (!name[0]) {
        snprintf(errstr, errstr_size, "%s: line %d: the user name before ':' is empty", path, lineno);
        return false;
    }
    for (size_t i = 0; i < auth->n_users; i++) {
        if (strcmp(auth->users[i].name, name) == 0) {
            snprintf(errstr, errstr_size, "%s: line %d: user '%s' appears twice", path, lineno, shown);
            return false;
        }
    }
    char why[256];
    if (!hash_check(hash, why, sizeof(why))) {
        snprintf(errstr, errstr_size, "%s: line %d: user '%s': %s", path, lineno, shown, why);
        return false;
    }
    auth->users = realloc(auth->users, (auth->n_users + 1) * sizeof(*auth->users));
    auth_user_t *u = &auth->users[auth->n_users++];
    u->name = strdup(name);
    u->hash = strdup(hash);
    rest_auth_sha256(name, strlen(name), u->name_digest);
    return true;
}

rest_auth_t *rest_auth_load(const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    rest_auth_t *auth = calloc(1, sizeof(*auth));
    pthread_mutex_init(&auth->lock, NULL);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        auth->cache[i].user = -1;
    }
    /* The salt keeps the cache keys from being plain hashes of
     * credentials; should getrandom fail, they are still correct keys. */
    if (getrandom(auth->salt, sizeof(auth->salt), 0) != (ssize_t)sizeof(auth->salt)) {
        memset(auth->salt, 0, sizeof(auth->salt));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    bool ok = true;
    while (ok && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && isspace((unsigned char)line[n - 1])) {
            line[--n] = '\0';
        }
        char *start = line;
        while (isspace((unsigned char)*start)) {
            start++;
        }
        if (*start && *start != '#') {
            ok = add_user(auth, path, lineno, start, errstr, errstr_size);
        }
    }
    if (ok && ferror(f)) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        ok = false;
    }
    if (ok && auth->n_users == 0) {
        snprintf(errstr, errstr_size, "%s: no users (expected user:hash lines); " HASH_HINT, path);
        ok = false;
    }
    if (line) {
        explicit_bzero(line, cap);
    }
    free(line);
    fclose(f);
    if (!ok) {
        rest_auth_destroy(auth);
        return NULL;
    }
    return auth;
}

size_t rest_auth_user_count(const rest_auth_t *auth)
{
    return auth->n_users;
}

uint64_t rest_auth_crypt_count(rest_auth_t *auth)
{
    pthread_mutex_lock(&auth->lock);
    uint64_t n = auth->crypt_count;
    pthread_mutex_unlock(&auth->lock);
    return n;
}

/* ---- checking ------------------------------------------------------------------ */

static void cache_key(const rest_auth_t *auth, const char *value, size_t len, uint8_t key[32])
{
    char buf[sizeof(auth->salt) + MAX_HEADER];
    memcpy(buf, auth->salt, sizeof(auth->salt));
    memcpy(buf + sizeof(auth->salt), value, len);
    rest_auth_sha256(buf, sizeof(auth->salt) + len, key);
    explicit_bzero(buf, sizeof(auth->salt) + len);
}

/* The user a cached key proved, or -1.  Every slot is compared. */
static int cache_find(rest_auth_t *auth, const uint8_t key[32])
{
    int found = -1;
    pthread_mutex_lock(&auth->lock);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        if (ct_equal(auth->cache[i].key, key, 32) && auth->cache[i].user >= 0) {
            found = auth->cache[i].user;
        }
    }
    pthread_mutex_unlock(&auth->lock);
    return found;
}

static void cache_store(rest_auth_t *auth, const uint8_t key[32], int user)
{
    pthread_mutex_lock(&auth->lock);
    cache_slot_t *slot = &auth->cache[auth->next_slot];
    auth->next_slot = (auth->next_slot + 1) % CACHE_SLOTS;
    memcpy(slot->key, key, 32);
    slot->user = user;
    pthread_mutex_unlock(&auth->lock);
}

/* The index of the user whose name hashes to `digest`, or -1, looking at
 * every user and selecting without a data-dependent branch. */
static int user_find(const rest_auth_t *auth, const uint8_t digest[32])
{
    int found = -1;
    for (size_t i = 0; i < auth->n_users; i++) {
        int mask = -(int)ct_equal(auth->users[i].name_digest, digest, 32);
        found = (found & ~mask) | ((int)i & mask);
    }
    return found;
}

rest_auth_result_t rest_auth_check(rest_auth_t *auth, const char *header, char *user, size_t user_size)
{
    if (user_size) {
        user[0] = '\0';
    }
    if (!header) {
        return REST_AUTH_MISSING;
    }
    while (*header == ' ' || *header == '\t') {
        header++;
    }
    if (strncasecmp(header, "Basic", 5) != 0 || (header[5] != ' ' && header[5] != '\t')) {
        return REST_AUTH_MISSING;
    }
    const char *b64 = header + 6;
    while (*b64 == ' ' || *b64 == '\t') {
        b64++;
    }
    size_t len = strlen(b64);
    while (len > 0 && (b64[len - 1] == ' ' || b64[len - 1] == '\t')) {
        len--;
    }
    if (len == 0 || len > MAX_HEADER) {
        return REST_AUTH_MALFORMED;
    }
    uint8_t key[32];
    cache_key(auth, b64, len, key);
    int cached = cache_find(auth, key);
    if (cached >= 0) {
        copy_printable(user, user_size, auth->users[cached].name, strlen(auth->users[cached].name));
        return REST_AUTH_OK;
    }

    char plain[MAX_HEADER];
    long plain_len = base64_decode(b64, len, (unsigned char *)plain);
    if (plain_len >= 0) {
        plain[plain_len] = '\0';
    }
    char *colon = plain_len > 0 ? memchr(plain, ':', (size_t)plain_len) : NULL;
    if (!colon || memchr(plain, '\0', (size_t)plain_len)) {
        explicit_bzero(plain, sizeof(plain));
        return REST_AUTH_MALFORMED;
    }
    *colon = '\0';
    const char *password = colon + 1;
    copy_printable(user, user_size, plain, strlen(plain));

    uint8_t digest[32];
    rest_auth_sha256(plain, strlen(plain), digest);
    int found = user_find(auth, digest);
    /* An unknown user costs the same crypt as a known one. */
    const char *hash = auth->users[found >= 0 ? found : 0].hash;
    char out[CRYPT_OUTPUT_SIZE];
    bool ok = run_crypt(password, hash, out);
    ok = ok && strlen(out) == strlen(hash) && ct_equal(out, hash, strlen(hash)) && found >= 0;
    explicit_bzero(plain, sizeof(plain));
    explicit_bzero(out, sizeof(out));
    pthread_mutex_lock(&auth->lock);
    auth->crypt_count++;
    pthread_mutex_unlock(&auth->lock);
    if (!ok) {
        return REST_AUTH_DENIED;
    }
    cache_store(auth, key, found);
    return REST_AUTH_OK;
}
