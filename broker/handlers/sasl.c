/*
 * sasl.c - SASL authentication and the SCRAM credential store; see sasl.h.
 *
 * A connection's session (server_conn_session) moves through Kafka's
 * states: HANDSHAKE (SaslHandshake expected), AUTHENTICATE (the chosen
 * mechanism's tokens in SaslAuthenticate), then AUTHENTICATED, when other
 * requests pass until the session's lifetime ends.  A new SaslHandshake on
 * an authenticated connection starts a re-authentication (KIP-368), which
 * must name the same mechanism and principal, as Kafka requires.
 *
 * SCRAM credentials are kept as RFC 5802 wants them kept, never the
 * password: salt, iterations, StoredKey and ServerKey, derived from the
 * SaltedPassword an AlterUserScramCredentials upsertion carries.  The file
 * (scram-credentials in the first log dir; one line per user and
 * mechanism, every field but the numbers in base64) is rewritten
 * atomically on each change and read at start-up.
 */
#include "sasl.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base64.h"
#include "blog.h"
#include "clock.h"
#include "fsutil.h"
#include "protocol/api.h"
#include "protocol/kerr.h"

#define KERR_UNSUPPORTED_SASL_MECHANISM 33
#define KERR_ILLEGAL_SASL_STATE 34
#define KERR_SASL_AUTHENTICATION_FAILED 58
#define KERR_RESOURCE_NOT_FOUND 91
#define KERR_DUPLICATE_RESOURCE 92
#define KERR_UNACCEPTABLE_CREDENTIAL 93

#define SCRAM_FILE "scram-credentials"
/* Kafka's bounds on SCRAM iterations (ScramMechanism.minIterations, and
 * AlterUserScramCredentials' maximum). */
#define SCRAM_MIN_ITERATIONS 4096
#define SCRAM_MAX_ITERATIONS 16384
#define SCRAM_MAX_KEY 64   /* SHA-512 */
#define SCRAM_MAX_USER 255 /* bytes of a user name, as the credentials file reads them */

/* ---- mechanisms ----------------------------------------------------------- */

typedef enum mech {
    MECH_PLAIN,
    MECH_SCRAM_SHA_256, /* AlterUserScramCredentials' mechanism 1 */
    MECH_SCRAM_SHA_512, /* and 2 */
    N_MECHS,
} mech_t;

static const char *const mech_names[N_MECHS] = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};

static const EVP_MD *mech_md(mech_t m)
{
    return m == MECH_SCRAM_SHA_256 ? EVP_sha256() : EVP_sha512();
}

/* ---- the server ----------------------------------------------------------- */

typedef struct plain_user {
    char *name;
    char *password;
} plain_user_t;

typedef struct scram_cred {
    char *user;
    mech_t mech;
    int32_t iterations;
    uint8_t salt[128];
    size_t salt_len;
    uint8_t stored_key[SCRAM_MAX_KEY];
    uint8_t server_key[SCRAM_MAX_KEY];
} scram_cred_t;

struct sasl_server {
    bool enabled[N_MECHS];
    char *listener;
    plain_user_t *users;
    size_t n_users;
    int64_t reauth_ms;    /* connections.max.reauth.ms; 0: sessions never end */
    char *dir;            /* where SCRAM_FILE is */
    pthread_mutex_t lock; /* creds */
    scram_cred_t *creds;
    size_t n_creds;
};

/* Reads one JAAS value at *p: "quoted" (with \" and \\) or a bare word;
 * malloc'd, or NULL when malformed. */
static char *jaas_value(const char **p)
{
    const char *s = *p;
    if (*s != '"') {
        size_t n = strcspn(s, " \t\r\n;");
        *p = s + n;
        return n ? strndup(s, n) : NULL;
    }
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out) {
        abort();
    }
    for (s++; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1]) {
            s++;
        }
        *o++ = *s;
    }
    if (*s != '"') {
        free(out);
        return NULL;
    }
    *o = '\0';
    *p = s + 1;
    return out;
}

/* PLAIN's users from Kafka's JAAS config: "<PlainLoginModule class>
 * required username=.. password=.. user_alice="secret" ...;". */
static bool jaas_plain_parse(sasl_server_t *sasl, const char *key, const char *text, char *errstr, size_t errstr_size)
{
    static const char module[] = "org.apache.kafka.common.security.plain.PlainLoginModule";
    const char *p = text + strspn(text, " \t\r\n");
    if (strncmp(p, module, strlen(module)) != 0) {
        snprintf(errstr, errstr_size, "%s: expected %s required user_<name>=\"<password>\" ...;", key, module);
        return false;
    }
    p += strlen(module);
    p += strspn(p, " \t\r\n");
    size_t flag = strcspn(p, " \t\r\n;");
    if (!((flag == 8 && strncmp(p, "required", 8) == 0) || (flag == 9 && strncmp(p, "requisite", 9) == 0) ||
          (flag == 10 && strncmp(p, "sufficient", 10) == 0) || (flag == 8 && strncmp(p, "optional", 8) == 0))) {
        snprintf(errstr, errstr_size, "%s: expected a control flag (required) after the login module", key);
        return false;
    }
    p += flag;
    for (;;) {
        p += strspn(p, " \t\r\n");
        if (*p == ';') {
            p++;
            break;
        }
        size_t klen = strcspn(p, "= \t\r\n;");
        if (klen == 0 || p[klen] != '=') {
            snprintf(errstr, errstr_size, "%s: expected name=\"value\" options ending with ';'", key);
            return false;
        }
        const char *name = p;
        p += klen + 1;
        char *value = jaas_value(&p);
        if (!value) {
            snprintf(errstr, errstr_size, "%s: the value of %.*s is malformed (quote it: \"...\")", key, (int)klen,
                     name);
            return false;
        }
        if (klen > 5 && strncmp(name, "user_", 5) == 0) {
            sasl->users = realloc(sasl->users, (sasl->n_users + 1) * sizeof(*sasl->users));
            if (!sasl->users) {
                abort();
            }
            sasl->users[sasl->n_users++] = (plain_user_t){strndup(name + 5, klen - 5), value};
        } else {
            free(value); /* username/password: the broker's own login, for inter-broker clients */
        }
    }
    if (p[strspn(p, " \t\r\n")]) {
        snprintf(errstr, errstr_size, "%s: one login module is supported; nothing may follow its ';'", key);
        return false;
    }
    return true;
}

/* ---- SCRAM store ---------------------------------------------------------- */

static void cred_free(scram_cred_t *c)
{
    free(c->user);
    OPENSSL_cleanse(c->stored_key, sizeof(c->stored_key));
    OPENSSL_cleanse(c->server_key, sizeof(c->server_key));
}

/* @locks sasl->lock held */
static scram_cred_t *cred_find(sasl_server_t *sasl, const char *user, mech_t mech)
{
    for (size_t i = 0; i < sasl->n_creds; i++) {
        if (sasl->creds[i].mech == mech && strcmp(sasl->creds[i].user, user) == 0) {
            return &sasl->creds[i];
        }
    }
    return NULL;
}

static size_t b64(const uint8_t *data, size_t len, char *out)
{
    return base64_encode(data, len, out);
}

/* Rewrites the file from the store.  @locks sasl->lock held */
static bool store_save(sasl_server_t *sasl)
{
    size_t cap = 64, len = 0;
    for (size_t i = 0; i < sasl->n_creds; i++) {
        cap += 64 + base64_encoded_len(strlen(sasl->creds[i].user)) + base64_encoded_len(128) +
               4 * base64_encoded_len(SCRAM_MAX_KEY);
    }
    char *text = malloc(cap);
    if (!text) {
        abort();
    }
    len += (size_t)snprintf(text, cap, "# SCRAM credentials, written by connectd; do not edit.\n");
    for (size_t i = 0; i < sasl->n_creds; i++) {
        const scram_cred_t *c = &sasl->creds[i];
        size_t key_len = (size_t)EVP_MD_get_size(mech_md(c->mech));
        len += b64((const uint8_t *)c->user, strlen(c->user), text + len);
        len += (size_t)snprintf(text + len, cap - len, " %s %" PRId32 " ", mech_names[c->mech], c->iterations);
        len += b64(c->salt, c->salt_len, text + len);
        text[len++] = ' ';
        len += b64(c->stored_key, key_len, text + len);
        text[len++] = ' ';
        len += b64(c->server_key, key_len, text + len);
        text[len++] = '\n';
    }
    int rc = fs_write_atomic_mode(sasl->dir, SCRAM_FILE, text, len, 0600); /* keys to log in with */
    OPENSSL_cleanse(text, len);
    free(text);
    if (rc < 0) {
        blog_error("cannot write %s/%s: %s; the change of SCRAM credentials is not kept", sasl->dir, SCRAM_FILE,
                   strerror(errno));
        return false;
    }
    return true;
}

/* Decodes one base64 field of at most `cap` bytes; -1 when malformed. */
static long field_b64(const char *text, size_t len, uint8_t *out, size_t cap)
{
    if (len / 4 * 3 > cap + 2) {
        return -1;
    }
    uint8_t tmp[512];
    if (len / 4 * 3 > sizeof(tmp)) {
        return -1;
    }
    long n = base64_decode(text, len, tmp);
    if (n < 0 || (size_t)n > cap) {
        return -1;
    }
    memcpy(out, tmp, (size_t)n);
    return n;
}

static bool store_load(sasl_server_t *sasl, char *errstr, size_t errstr_size)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", sasl->dir, SCRAM_FILE);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) {
            return true;
        }
        snprintf(errstr, errstr_size, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t line_cap = 0;
    int lineno = 0;
    bool ok = true;
    while (ok && getline(&line, &line_cap, f) >= 0) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || !line[0]) {
            continue;
        }
        char *fields[6];
        int n = 0;
        for (char *save = NULL, *tok = strtok_r(line, " ", &save); tok && n < 6; tok = strtok_r(NULL, " ", &save)) {
            fields[n++] = tok;
        }
        scram_cred_t c = {0};
        uint8_t user[SCRAM_MAX_USER + 1];
        long user_len = n == 6 ? field_b64(fields[0], strlen(fields[0]), user, SCRAM_MAX_USER) : -1;
        c.mech = n == 6 && strcmp(fields[1], "SCRAM-SHA-256") == 0   ? MECH_SCRAM_SHA_256
                 : n == 6 && strcmp(fields[1], "SCRAM-SHA-512") == 0 ? MECH_SCRAM_SHA_512
                                                                     : MECH_PLAIN;
        size_t key_len = c.mech == MECH_PLAIN ? 0 : (size_t)EVP_MD_get_size(mech_md(c.mech));
        long salt_len = n == 6 ? field_b64(fields[3], strlen(fields[3]), c.salt, sizeof(c.salt)) : -1;
        c.iterations = n == 6 ? (int32_t)strtol(fields[2], NULL, 10) : 0;
        if (user_len <= 0 || c.mech == MECH_PLAIN || salt_len <= 0 || c.iterations <= 0 ||
            field_b64(fields[4], strlen(fields[4]), c.stored_key, key_len) != (long)key_len ||
            field_b64(fields[5], strlen(fields[5]), c.server_key, key_len) != (long)key_len) {
            snprintf(errstr, errstr_size, "%s:%d: not a SCRAM credential line; restore the file or remove the line",
                     path, lineno);
            ok = false;
            break;
        }
        c.salt_len = (size_t)salt_len;
        c.user = strndup((const char *)user, (size_t)user_len);
        sasl->creds = realloc(sasl->creds, (sasl->n_creds + 1) * sizeof(*sasl->creds));
        if (!sasl->creds) {
            abort();
        }
        sasl->creds[sasl->n_creds++] = c;
    }
    if (line) {
        OPENSSL_cleanse(line, line_cap);
    }
    free(line);
    fclose(f);
    return ok;
}

/* ---- life cycle ----------------------------------------------------------- */

sasl_server_t *sasl_server_create(const broker_config_t *cfg, const char *listener, const char *data_dir, char *errstr,
                                  size_t errstr_size)
{
    sasl_server_t *sasl = calloc(1, sizeof(*sasl));
    if (!sasl) {
        abort();
    }
    pthread_mutex_init(&sasl->lock, NULL);
    sasl->listener = strdup(listener);
    sasl->dir = strdup(data_dir);
    const char *mechs = broker_config_listener_text(cfg, listener, "sasl.enabled.mechanisms");
    bool any = false;
    for (const char *item = mechs ? mechs : ""; *item;) {
        size_t len = strcspn(item, ",");
        int found = -1;
        for (int m = 0; m < N_MECHS; m++) {
            if (strlen(mech_names[m]) == len && strncmp(mech_names[m], item, len) == 0) {
                found = m;
            }
        }
        if (found < 0) {
            snprintf(errstr, errstr_size,
                     "sasl.enabled.mechanisms: %.*s is not supported on the %s listener; use "
                     "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
                     (int)len, item, listener);
            goto fail;
        }
        sasl->enabled[found] = any = true;
        item += len + (item[len] == ',');
    }
    if (!any) {
        snprintf(errstr, errstr_size,
                 "sasl.enabled.mechanisms: the %s listener needs PLAIN, SCRAM-SHA-256 or "
                 "SCRAM-SHA-512",
                 listener);
        goto fail;
    }
    if (sasl->enabled[MECH_PLAIN]) {
        char key[256];
        snprintf(key, sizeof(key), "listener.name.%s.plain.sasl.jaas.config", listener);
        for (char *c = key; *c; c++) {
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        }
        const char *jaas = broker_config_listener_text(cfg, listener, "plain.sasl.jaas.config");
        if (!jaas) {
            snprintf(errstr, errstr_size,
                     "%s: PLAIN needs its users, as in Kafka: %s=org.apache.kafka.common."
                     "security.plain.PlainLoginModule required user_alice=\"alice-secret\";",
                     key, key);
            goto fail;
        }
        if (!jaas_plain_parse(sasl, key, jaas, errstr, errstr_size)) {
            goto fail;
        }
    }
    const char *reauth = broker_config_listener_text(cfg, listener, "connections.max.reauth.ms");
    sasl->reauth_ms = reauth ? strtoll(reauth, NULL, 10) : 0;
    if (!store_load(sasl, errstr, errstr_size)) {
        goto fail;
    }
    return sasl;
fail:
    sasl_server_destroy(sasl);
    return NULL;
}

void sasl_server_destroy(sasl_server_t *sasl)
{
    if (!sasl) {
        return;
    }
    for (size_t i = 0; i < sasl->n_users; i++) {
        free(sasl->users[i].name);
        OPENSSL_cleanse(sasl->users[i].password, strlen(sasl->users[i].password));
        free(sasl->users[i].password);
    }
    free(sasl->users);
    for (size_t i = 0; i < sasl->n_creds; i++) {
        cred_free(&sasl->creds[i]);
    }
    free(sasl->creds);
    pthread_mutex_destroy(&sasl->lock);
    free(sasl->listener);
    free(sasl->dir);
    free(sasl);
}

/* ---- sessions ------------------------------------------------------------- */

typedef enum session_state {
    STATE_HANDSHAKE,
    STATE_AUTHENTICATE,
    STATE_SCRAM_FINAL, /* the server-first-message is sent */
    STATE_AUTHENTICATED,
} session_state_t;

typedef struct session {
    session_state_t state;
    mech_t mech;
    char *principal;    /* "User:alice", once authenticated */
    bool reauth;        /* the handshake in progress re-authenticates `principal` */
    mech_t reauth_mech; /* the mechanism of the first authentication */
    int64_t expires_ms; /* clock_mono_ms when the session ends; 0: never */
    /* SCRAM between its two messages */
    char *scram_user;
    char *client_first_bare;
    char *server_first;
    scram_cred_t cred; /* a copy, so the store's lock is not held across messages */
} session_t;

static void scram_clear(session_t *s)
{
    free(s->scram_user);
    free(s->client_first_bare);
    free(s->server_first);
    s->scram_user = s->client_first_bare = s->server_first = NULL;
    OPENSSL_cleanse(&s->cred, sizeof(s->cred));
}

static void session_free(void *opaque)
{
    session_t *s = opaque;
    scram_clear(s);
    free(s->principal);
    free(s);
}

static session_t *session_of(kreq_t *req)
{
    session_t *s = server_conn_session(req->conn);
    if (!s) {
        s = calloc(1, sizeof(*s));
        if (!s) {
            abort();
        }
        server_conn_set_session(req->conn, s, session_free);
    }
    return s;
}

/* ---- SaslHandshake -------------------------------------------------------- */

static req_result_t handle_handshake(sasl_server_t *sasl, kreq_t *req, session_t *s)
{
    kstr_t mech = buf_read_str(&req->body, false);
    if (req->body.err) {
        return handler_bad_request(req);
    }
    int16_t error = 0;
    int found = -1;
    for (int m = 0; m < N_MECHS; m++) {
        if (sasl->enabled[m] && (int32_t)strlen(mech_names[m]) == mech.len &&
            memcmp(mech_names[m], mech.ptr, (size_t)mech.len) == 0) {
            found = m;
        }
    }
    bool reauth = s->state == STATE_AUTHENTICATED;
    if (req->hdr.api_version == 0) {
        /* v0 would be followed by raw SASL tokens outside any request. */
        error = KERR_UNSUPPORTED_VERSION;
    } else if (s->state != STATE_HANDSHAKE && !reauth) {
        error = KERR_ILLEGAL_SASL_STATE;
    } else if (found < 0 || (reauth && (mech_t)found != s->mech)) {
        /* KIP-368: a re-authentication keeps the mechanism. */
        error = KERR_UNSUPPORTED_SASL_MECHANISM;
    }
    buf_write_i16(&req->resp, error);
    int n = 0;
    for (int m = 0; m < N_MECHS; m++) {
        n += sasl->enabled[m];
    }
    buf_write_array_len(&req->resp, n, false);
    for (int m = 0; m < N_MECHS; m++) {
        if (sasl->enabled[m]) {
            buf_write_str(&req->resp, mech_names[m], false);
        }
    }
    if (error) {
        blog_info("closing connection from %s: SaslHandshake for '%.*s': %s", server_conn_peer(req->conn),
                  (int)(mech.len > 64 ? 64 : mech.len), mech.ptr ? mech.ptr : "",
                  error == KERR_UNSUPPORTED_VERSION  ? "v0 (raw tokens) is not supported; clients use v1"
                  : error == KERR_ILLEGAL_SASL_STATE ? "not expected now"
                  : reauth                           ? "a re-authentication must keep the mechanism"
                                                     : "mechanism not enabled on this listener");
        return REQ_DONE_CLOSE;
    }
    s->reauth = reauth;
    s->reauth_mech = s->mech;
    s->mech = (mech_t)found;
    s->state = STATE_AUTHENTICATE;
    return REQ_DONE;
}

/* ---- SaslAuthenticate ----------------------------------------------------- */

/* Writes a SaslAuthenticate response body. */
static void auth_response(kreq_t *req, int16_t error, const char *message, const void *bytes, size_t len,
                          int64_t lifetime_ms)
{
    bool flexible = req->hdr.api_version >= 2;
    buf_write_i16(&req->resp, error);
    if (message) {
        buf_write_str(&req->resp, message, flexible);
    } else {
        buf_write_kstr(&req->resp, (kstr_t){NULL, -1}, flexible);
    }
    buf_write_nbytes(&req->resp, bytes ? bytes : "", (int32_t)len, flexible);
    if (req->hdr.api_version >= 1) {
        buf_write_i64(&req->resp, lifetime_ms);
    }
    if (flexible) {
        buf_write_empty_tags(&req->resp);
    }
}

/* Answers a failed authentication as Kafka does, logs it and closes. */
static req_result_t auth_failed(kreq_t *req, session_t *s, const char *message, const char *why)
{
    blog_info("closing connection from %s: SASL/%s authentication failed: %s", server_conn_peer(req->conn),
              mech_names[s->mech], why);
    auth_response(req, KERR_SASL_AUTHENTICATION_FAILED, message, NULL, 0, 0);
    scram_clear(s);
    return REQ_DONE_CLOSE;
}

/* The authentication succeeded as `principal`: the session starts (or, on
 * re-authentication, goes on) with its lifetime. */
static req_result_t auth_done(sasl_server_t *sasl, kreq_t *req, session_t *s, const char *user, const void *bytes,
                              size_t len)
{
    char principal[600];
    snprintf(principal, sizeof(principal), "User:%s", user);
    if (s->reauth && (strcmp(principal, s->principal) != 0 || s->mech != s->reauth_mech)) {
        return auth_failed(req, s, "Cannot change principals during re-authentication",
                           "re-authentication as another principal");
    }
    if (!s->reauth) {
        free(s->principal);
        s->principal = strdup(principal);
        blog_debug("connection from %s authenticated as %s (SASL/%s)", server_conn_peer(req->conn), principal,
                   mech_names[s->mech]);
    }
    s->state = STATE_AUTHENTICATED;
    s->reauth = false;
    scram_clear(s);
    s->expires_ms = sasl->reauth_ms > 0 ? clock_mono_ms() + sasl->reauth_ms : 0;
    server_conn_set_authenticated(req->conn);
    /* KIP-368: the lifetime is told only to a client that can re-authenticate (v1+). */
    auth_response(req, 0, NULL, bytes, len, sasl->reauth_ms);
    return REQ_DONE;
}

static req_result_t plain_step(sasl_server_t *sasl, kreq_t *req, session_t *s, kstr_t token)
{
    /* [authzid] NUL authcid NUL passwd (RFC 4616) */
    const char *p = token.ptr, *end = token.ptr + token.len;
    const char *nul1 = memchr(p, '\0', (size_t)(end - p));
    const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1)) : NULL;
    if (!nul2 || memchr(nul2 + 1, '\0', (size_t)(end - nul2 - 1))) {
        return auth_failed(req, s, "Authentication failed: Invalid SASL/PLAIN response",
                           "the token is not authzid NUL user NUL password");
    }
    char *authzid = strndup(p, (size_t)(nul1 - p));
    char *user = strndup(nul1 + 1, (size_t)(nul2 - nul1 - 1));
    size_t pass_len = (size_t)(end - nul2 - 1);
    const plain_user_t *u = NULL;
    for (size_t i = 0; i < sasl->n_users && !u; i++) {
        u = strcmp(sasl->users[i].name, user) == 0 ? &sasl->users[i] : NULL;
    }
    req_result_t rc;
    if (authzid[0] && strcmp(authzid, user) != 0) {
        rc = auth_failed(req, s,
                         "Authentication failed: Client requested an authorization id that is different "
                         "from username",
                         "authorization id differs from the user name");
    } else if (!u || strlen(u->password) != pass_len || CRYPTO_memcmp(u->password, nul2 + 1, pass_len) != 0) {
        char why[300];
        snprintf(why, sizeof(why), "invalid password for user '%.64s'%s", user, u ? "" : " (no such user)");
        rc = auth_failed(req, s, "Authentication failed: Invalid username or password", why);
    } else {
        rc = auth_done(sasl, req, s, user, NULL, 0);
    }
    free(authzid);
    free(user);
    return rc;
}

/* The value of attribute `name` ("r") in a SCRAM message, malloc'd; NULL if absent. */
static char *scram_attr(const char *msg, char name)
{
    for (const char *p = msg; p && *p;) {
        if (p[0] == name && p[1] == '=') {
            return strndup(p + 2, strcspn(p + 2, ","));
        }
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    return NULL;
}

/* A saslname (RFC 5802: "=2C" is ',', "=3D" is '='); NULL when malformed. */
static char *scram_name_decode(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out) {
        abort();
    }
    for (; *s; s++) {
        if (*s == '=') {
            if (strncmp(s, "=2C", 3) == 0) {
                *o++ = ',';
            } else if (strncmp(s, "=3D", 3) == 0) {
                *o++ = '=';
            } else {
                free(out);
                return NULL;
            }
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static const char scram_failed[] = "Authentication failed during authentication due to invalid credentials with "
                                   "SASL mechanism ";

static req_result_t scram_failure(kreq_t *req, session_t *s, const char *why)
{
    char message[200];
    snprintf(message, sizeof(message), "%s%s", scram_failed, mech_names[s->mech]);
    return auth_failed(req, s, message, why);
}

/* client-first-message: gs2-header client-first-message-bare. */
static req_result_t scram_first(sasl_server_t *sasl, kreq_t *req, session_t *s, const char *msg)
{
    if (strncmp(msg, "n,", 2) != 0 && strncmp(msg, "y,", 2) != 0) {
        return scram_failure(req, s, "channel binding is not supported (gs2 header must be n,, or y,,)");
    }
    const char *comma = strchr(msg + 2, ',');
    if (!comma || comma != msg + 2) {
        return scram_failure(req, s, "an authorization identity is not supported");
    }
    const char *bare = comma + 1;
    char *name = scram_attr(bare, 'n');
    char *nonce = scram_attr(bare, 'r');
    char *user = name ? scram_name_decode(name) : NULL;
    free(name);
    if (!user || !nonce || !nonce[0] || strncmp(bare, "n=", 2) != 0) {
        free(user);
        free(nonce);
        return scram_failure(req, s, "malformed client-first-message");
    }
    pthread_mutex_lock(&sasl->lock);
    const scram_cred_t *c = cred_find(sasl, user, s->mech);
    if (c) {
        s->cred = *c;
        s->cred.user = NULL;
    }
    pthread_mutex_unlock(&sasl->lock);
    if (!c) {
        char why[300];
        snprintf(why, sizeof(why), "no %s credentials for user '%.64s'", mech_names[s->mech], user);
        free(user);
        free(nonce);
        return scram_failure(req, s, why);
    }
    uint8_t raw[18];
    char snonce[32], salt[200];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        abort();
    }
    base64_encode(raw, sizeof(raw), snonce);
    base64_encode(s->cred.salt, s->cred.salt_len, salt);
    size_t len = strlen(nonce) + strlen(snonce) + strlen(salt) + 40;
    s->server_first = malloc(len);
    if (!s->server_first) {
        abort();
    }
    snprintf(s->server_first, len, "r=%s%s,s=%s,i=%" PRId32, nonce, snonce, salt, s->cred.iterations);
    s->client_first_bare = strdup(bare);
    s->scram_user = user;
    free(nonce);
    s->state = STATE_SCRAM_FINAL;
    auth_response(req, 0, NULL, s->server_first, strlen(s->server_first), 0);
    return REQ_DONE;
}

/* client-final-message: c=biws,r=<nonce>,p=<proof>. */
static req_result_t scram_final(sasl_server_t *sasl, kreq_t *req, session_t *s, const char *msg)
{
    const EVP_MD *md = mech_md(s->mech);
    size_t key_len = (size_t)EVP_MD_get_size(md);
    const char *proof_at = strstr(msg, ",p=");
    char *nonce = scram_attr(msg, 'r');
    char *binding = scram_attr(msg, 'c');
    char *expected_nonce = scram_attr(s->server_first, 'r');
    /* The nonce must end with the server-first-message's, as Kafka checks
     * it (endsWith, not equals): librdkafka sends its client nonce again in
     * front of the combined one. */
    size_t nonce_len = nonce ? strlen(nonce) : 0, expected_len = expected_nonce ? strlen(expected_nonce) : 0;
    bool ok = proof_at && nonce && binding && expected_nonce && nonce_len >= expected_len &&
              strcmp(nonce + nonce_len - expected_len, expected_nonce) == 0 &&
              (strcmp(binding, "biws") == 0 || strcmp(binding, "eSws") == 0);
    free(nonce);
    free(binding);
    free(expected_nonce);
    uint8_t proof[SCRAM_MAX_KEY];
    if (!ok || field_b64(proof_at + 3, strlen(proof_at + 3), proof, sizeof(proof)) != (long)key_len) {
        return scram_failure(req, s, "malformed client-final-message (nonce, channel binding or proof)");
    }
    /* AuthMessage = client-first-message-bare "," server-first-message ","
     * client-final-message-without-proof */
    size_t auth_len = strlen(s->client_first_bare) + strlen(s->server_first) + (size_t)(proof_at - msg) + 2;
    char *auth = malloc(auth_len + 1);
    if (!auth) {
        abort();
    }
    snprintf(auth, auth_len + 1, "%s,%s,%.*s", s->client_first_bare, s->server_first, (int)(proof_at - msg), msg);
    uint8_t client_sig[SCRAM_MAX_KEY], client_key[SCRAM_MAX_KEY], stored[SCRAM_MAX_KEY], server_sig[SCRAM_MAX_KEY];
    unsigned n = 0;
    HMAC(md, s->cred.stored_key, (int)key_len, (const uint8_t *)auth, auth_len, client_sig, &n);
    for (size_t i = 0; i < key_len; i++) {
        client_key[i] = proof[i] ^ client_sig[i];
    }
    EVP_Digest(client_key, key_len, stored, &n, md, NULL);
    HMAC(md, s->cred.server_key, (int)key_len, (const uint8_t *)auth, auth_len, server_sig, &n);
    free(auth);
    OPENSSL_cleanse(client_key, sizeof(client_key));
    if (CRYPTO_memcmp(stored, s->cred.stored_key, key_len) != 0) {
        char why[300];
        snprintf(why, sizeof(why), "invalid proof for user '%.64s'", s->scram_user);
        return scram_failure(req, s, why);
    }
    char final[SCRAM_MAX_KEY * 2 + 8] = "v=";
    base64_encode(server_sig, key_len, final + 2);
    char *user = strdup(s->scram_user);
    req_result_t rc = auth_done(sasl, req, s, user, final, strlen(final));
    free(user);
    return rc;
}

static req_result_t handle_authenticate(sasl_server_t *sasl, kreq_t *req, session_t *s)
{
    bool flexible = req->hdr.api_version >= 2;
    kstr_t token = buf_read_nbytes(&req->body, flexible);
    if (flexible) {
        buf_skip_tags(&req->body);
    }
    if (req->body.err || token.len < 0) {
        return handler_bad_request(req);
    }
    if (s->state != STATE_AUTHENTICATE && s->state != STATE_SCRAM_FINAL) {
        blog_info("closing connection from %s: SaslAuthenticate without a SaslHandshake before it",
                  server_conn_peer(req->conn));
        auth_response(req, KERR_ILLEGAL_SASL_STATE, "Unexpected SaslAuthenticate request", NULL, 0, 0);
        return REQ_DONE_CLOSE;
    }
    if (s->mech == MECH_PLAIN) {
        return plain_step(sasl, req, s, token);
    }
    /* SCRAM messages are text: one without a NUL, bounded, is all we read. */
    if (token.len > 4096 || memchr(token.ptr, '\0', (size_t)token.len)) {
        return scram_failure(req, s, "malformed SCRAM message");
    }
    char *msg = strndup(token.ptr, (size_t)token.len);
    req_result_t rc = s->state == STATE_AUTHENTICATE ? scram_first(sasl, req, s, msg) : scram_final(sasl, req, s, msg);
    free(msg);
    return rc;
}

/* ---- SCRAM credential APIs ------------------------------------------------ */

static int cred_ptr_cmp(const void *a, const void *b)
{
    const scram_cred_t *x = *(const scram_cred_t *const *)a, *y = *(const scram_cred_t *const *)b;
    int c = strcmp(x->user, y->user);
    return c ? c : (int)x->mech - (int)y->mech;
}

typedef struct described {
    const char *user;
    int32_t pos; /* in the request */
    bool duplicate;
} described_t;

static int described_cmp(const void *a, const void *b)
{
    const described_t *x = *(const described_t *const *)a, *y = *(const described_t *const *)b;
    int c = strcmp(x->user, y->user);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The index of the first of `n` sorted credentials of `user`, or n. */
static size_t creds_lower_bound(scram_cred_t *const *sorted, size_t n, const char *user)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(sorted[mid]->user, user) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static req_result_t handle_describe_scram(sasl_server_t *sasl, kreq_t *req)
{
    buf_reader_t *r = &req->body;
    int32_t n = buf_read_array_len(r, true, 2);
    described_t *names = n > 0 ? arena_alloc(req->arena, sizeof(*names) * (size_t)n) : NULL;
    for (int32_t i = 0; i < n && !r->err; i++) {
        names[i].user = handler_cstr(req, buf_read_str(r, true));
        names[i].pos = i;
        buf_skip_tags(r);
    }
    buf_skip_tags(r);
    if (r->err) {
        return handler_bad_request(req);
    }
    /* Sorting (names, and the credentials by user) keeps the work O(n log n)
     * under the lock whatever the size of the request or of the store. */
    if (n > 0) {
        described_t **by_name = arena_alloc(req->arena, sizeof(*by_name) * (size_t)n);
        for (int32_t i = 0; i < n; i++) {
            by_name[i] = &names[i];
        }
        qsort(by_name, (size_t)n, sizeof(*by_name), described_cmp);
        for (int32_t i = 1; i < n; i++) {
            by_name[i]->duplicate = strcmp(by_name[i - 1]->user, by_name[i]->user) == 0;
        }
    }
    buf_writer_t *w = &req->resp;
    buf_write_i32(w, 0); /* throttle */
    buf_write_i16(w, 0);
    buf_write_kstr(w, (kstr_t){NULL, -1}, true);
    pthread_mutex_lock(&sasl->lock);
    size_t n_creds = sasl->n_creds;
    scram_cred_t **sorted = n_creds ? arena_alloc(req->arena, sizeof(*sorted) * n_creds) : NULL;
    for (size_t i = 0; i < n_creds; i++) {
        sorted[i] = &sasl->creds[i];
    }
    if (n_creds) {
        qsort(sorted, n_creds, sizeof(*sorted), cred_ptr_cmp);
    }
    /* Null or empty: every user with credentials, each once. */
    if (n <= 0) {
        int32_t users = 0;
        for (size_t i = 0; i < n_creds; i++) {
            users += i == 0 || strcmp(sorted[i - 1]->user, sorted[i]->user) != 0;
        }
        buf_write_array_len(w, users, true);
    } else {
        buf_write_array_len(w, n, true);
    }
    size_t count = n <= 0 ? n_creds : (size_t)n;
    for (size_t k = 0; k < count; k++) {
        const char *user;
        bool duplicate = false;
        if (n <= 0) {
            if (k > 0 && strcmp(sorted[k - 1]->user, sorted[k]->user) == 0) {
                continue;
            }
            user = sorted[k]->user;
        } else {
            user = names[k].user;
            duplicate = names[k].duplicate;
        }
        size_t from = creds_lower_bound(sorted, n_creds, user), to = from;
        while (to < n_creds && strcmp(sorted[to]->user, user) == 0) {
            to++;
        }
        int infos = (int)(to - from);
        buf_write_str(w, user, true);
        if (duplicate) {
            buf_write_i16(w, KERR_DUPLICATE_RESOURCE);
            buf_write_str(w, "Cannot describe SCRAM credentials for the same user twice in a single request", true);
            infos = 0;
        } else if (infos == 0) {
            char message[300];
            snprintf(message, sizeof(message), "Attempt to describe a user credential that does not exist: %.200s",
                     user);
            buf_write_i16(w, KERR_RESOURCE_NOT_FOUND);
            buf_write_str(w, message, true);
        } else {
            buf_write_i16(w, 0);
            buf_write_kstr(w, (kstr_t){NULL, -1}, true);
        }
        buf_write_array_len(w, infos, true);
        for (size_t i = from; i < to && infos > 0; i++) {
            buf_write_i8(w, (int8_t)sorted[i]->mech);
            buf_write_i32(w, sorted[i]->iterations);
            buf_write_empty_tags(w);
        }
        buf_write_empty_tags(w);
    }
    pthread_mutex_unlock(&sasl->lock);
    buf_write_empty_tags(w);
    return REQ_DONE;
}

typedef struct alteration {
    const char *user;
    int8_t mech;
    bool upsert;
    int32_t iterations;
    kstr_t salt, salted_password;
    int32_t pos;         /* in the request */
    bool first;          /* the user's first alteration in the request: the one answered */
    int16_t error;       /* the user's answer, on its first alteration */
    const char *message; /* and its message */
} alteration_t;

static int alteration_cmp(const void *a, const void *b)
{
    const alteration_t *x = *(const alteration_t *const *)a, *y = *(const alteration_t *const *)b;
    int c = strcmp(x->user, y->user);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* A deep copy of n credentials; NULL when n is 0. */
static scram_cred_t *creds_copy(const scram_cred_t *creds, size_t n)
{
    if (!n) {
        return NULL;
    }
    scram_cred_t *copy = malloc(n * sizeof(*copy));
    if (!copy) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        copy[i] = creds[i];
        copy[i].user = strdup(creds[i].user);
        if (!copy[i].user) {
            abort();
        }
    }
    return copy;
}

static void creds_free(scram_cred_t *creds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cred_free(&creds[i]);
    }
    free(creds);
}

/* One alteration's error, or 0; applies it to the store when fine.
 * @locks sasl->lock held */
static int16_t alteration_apply(sasl_server_t *sasl, const alteration_t *a, const char **message)
{
    if (!a->user[0]) {
        *message = "Username must not be empty";
        return KERR_UNACCEPTABLE_CREDENTIAL;
    }
    if (strlen(a->user) > SCRAM_MAX_USER) {
        /* The file keeps names up to this length; a longer one would be
         * answered fine and then stop the broker's next start. */
        *message = "Username must not be longer than 255 bytes";
        return KERR_UNACCEPTABLE_CREDENTIAL;
    }
    if (a->mech != MECH_SCRAM_SHA_256 && a->mech != MECH_SCRAM_SHA_512) {
        *message = "Unknown SCRAM mechanism";
        return KERR_UNSUPPORTED_SASL_MECHANISM;
    }
    mech_t mech = (mech_t)a->mech;
    scram_cred_t *c = cred_find(sasl, a->user, mech);
    if (!a->upsert) {
        if (!c) {
            *message = "Attempt to delete a user credential that does not exist";
            return KERR_RESOURCE_NOT_FOUND;
        }
        cred_free(c);
        *c = sasl->creds[--sasl->n_creds];
        return 0;
    }
    const EVP_MD *md = mech_md(mech);
    size_t key_len = (size_t)EVP_MD_get_size(md);
    if (a->iterations < SCRAM_MIN_ITERATIONS || a->iterations > SCRAM_MAX_ITERATIONS) {
        *message = a->iterations < SCRAM_MIN_ITERATIONS ? "Too few iterations" : "Too many iterations";
        return KERR_UNACCEPTABLE_CREDENTIAL;
    }
    if (a->salt.len <= 0 || (size_t)a->salt.len > sizeof(c->salt) || (size_t)a->salted_password.len != key_len) {
        *message = "Salt and salted password must be given, the salted password of the mechanism's hash length";
        return KERR_UNACCEPTABLE_CREDENTIAL;
    }
    if (!c) {
        sasl->creds = realloc(sasl->creds, (sasl->n_creds + 1) * sizeof(*sasl->creds));
        if (!sasl->creds) {
            abort();
        }
        c = &sasl->creds[sasl->n_creds++];
        *c = (scram_cred_t){.user = strdup(a->user), .mech = mech};
    }
    c->iterations = a->iterations;
    memcpy(c->salt, a->salt.ptr, (size_t)a->salt.len);
    c->salt_len = (size_t)a->salt.len;
    uint8_t client_key[SCRAM_MAX_KEY];
    unsigned n = 0;
    HMAC(md, a->salted_password.ptr, (int)key_len, (const uint8_t *)"Client Key", 10, client_key, &n);
    EVP_Digest(client_key, key_len, c->stored_key, &n, md, NULL);
    HMAC(md, a->salted_password.ptr, (int)key_len, (const uint8_t *)"Server Key", 10, c->server_key, &n);
    OPENSSL_cleanse(client_key, sizeof(client_key));
    return 0;
}

static req_result_t handle_alter_scram(sasl_server_t *sasl, kreq_t *req)
{
    buf_reader_t *r = &req->body;
    int32_t n_del = buf_read_count(r, true, 3);
    alteration_t *alts = NULL;
    int32_t n = 0;
    if (n_del > 0) {
        alts = arena_alloc(req->arena, sizeof(*alts) * (size_t)n_del);
    }
    for (int32_t i = 0; i < n_del && !r->err; i++) {
        alts[n].user = handler_cstr(req, buf_read_str(r, true));
        alts[n].mech = buf_read_i8(r);
        alts[n].upsert = false;
        buf_skip_tags(r);
        n++;
    }
    int32_t n_up = r->err ? 0 : buf_read_count(r, true, 12);
    if (n_up > 0) {
        alteration_t *more = arena_alloc(req->arena, sizeof(*alts) * (size_t)(n + n_up));
        if (n) {
            memcpy(more, alts, sizeof(*alts) * (size_t)n);
        }
        alts = more;
    }
    for (int32_t i = 0; i < n_up && !r->err; i++) {
        alteration_t *a = &alts[n++];
        a->user = handler_cstr(req, buf_read_str(r, true));
        a->mech = buf_read_i8(r);
        a->iterations = buf_read_i32(r);
        a->salt = buf_read_nbytes(r, true);
        a->salted_password = buf_read_nbytes(r, true);
        a->upsert = true;
        buf_skip_tags(r);
    }
    buf_skip_tags(r);
    if (r->err) {
        return handler_bad_request(req);
    }
    for (int32_t i = 0; i < n; i++) {
        alts[i].pos = i;
    }
    /* Sorted by user, then by position: each user's alterations are
     * neighbours, so a request of any size is checked in O(n log n) rather
     * than by comparing every pair under the lock. */
    alteration_t **sorted = n ? arena_alloc(req->arena, sizeof(*sorted) * (size_t)n) : NULL;
    for (int32_t i = 0; i < n; i++) {
        sorted[i] = &alts[i];
    }
    if (n) {
        qsort(sorted, (size_t)n, sizeof(*sorted), alteration_cmp);
    }
    pthread_mutex_lock(&sasl->lock);
    /* The store as it was, put back when the file cannot be written: an
     * answered success must survive a restart. */
    scram_cred_t *before = NULL;
    size_t n_before = sasl->n_creds;
    if (n) {
        before = creds_copy(sasl->creds, sasl->n_creds);
    }
    bool changed = false;
    for (int32_t g = 0, end; g < n; g = end) {
        /* Kafka answers once per user; a user altered twice for one mechanism
         * in one request fails whole (DUPLICATE_RESOURCE). */
        bool seen[256] = {false};
        alteration_t *first = sorted[g];
        first->first = true;
        for (end = g; end < n && strcmp(sorted[end]->user, first->user) == 0; end++) {
            if (seen[(uint8_t)sorted[end]->mech]) {
                first->error = KERR_DUPLICATE_RESOURCE;
                first->message = "A user credential cannot be altered twice in the same request";
            }
            seen[(uint8_t)sorted[end]->mech] = true;
        }
        for (int32_t j = g; j < end && !first->error; j++) {
            first->error = alteration_apply(sasl, sorted[j], &first->message);
            changed |= first->error == 0;
        }
    }
    bool saved = !changed || store_save(sasl);
    if (!saved) {
        creds_free(sasl->creds, sasl->n_creds);
        sasl->creds = before;
        sasl->n_creds = n_before;
    } else {
        creds_free(before, before ? n_before : 0);
    }
    pthread_mutex_unlock(&sasl->lock);
    buf_writer_t *w = &req->resp;
    buf_write_i32(w, 0); /* throttle */
    int32_t users = 0;
    for (int32_t i = 0; i < n; i++) {
        users += alts[i].first;
    }
    buf_write_array_len(w, users, true);
    for (int32_t i = 0; i < n; i++) {
        alteration_t *a = &alts[i];
        if (!a->first) {
            continue;
        }
        if (!a->error && !saved) {
            a->error = KERR_KAFKA_STORAGE_ERROR;
            a->message = "The SCRAM credentials could not be written to disk; nothing was changed";
        }
        buf_write_str(w, a->user, true);
        buf_write_i16(w, a->error);
        if (a->message && a->error) {
            buf_write_str(w, a->message, true);
        } else {
            buf_write_kstr(w, (kstr_t){NULL, -1}, true);
        }
        buf_write_empty_tags(w);
        if (!a->error) {
            blog_info("SCRAM credentials of user '%.64s' changed by %s", a->user, server_conn_peer(req->conn));
        }
    }
    buf_write_empty_tags(w);
    return REQ_DONE;
}

/* ---- dispatch ------------------------------------------------------------- */

bool sasl_dispatch(broker_ctx_t *ctx, kreq_t *req, req_result_t *result)
{
    sasl_server_t *sasl = ctx->sasl;
    session_t *s = session_of(req);
    int16_t key = req->hdr.api_key, v = req->hdr.api_version;
    const api_t *api = api_find_sasl(key);
    if (api && (v < api->min || v > api->max)) {
        blog_info("closing connection from %s: %s v%d is not supported", server_conn_peer(req->conn), api->name, v);
        *result = REQ_CLOSE;
        return true;
    }
    if (s->expires_ms && clock_mono_ms() >= s->expires_ms) {
        /* KIP-368: past connections.max.reauth.ms without re-authenticating;
         * as Kafka, any request closes it, a SaslHandshake starting a late
         * re-authentication too. */
        blog_info("closing connection from %s: its SASL session of %s expired (connections.max.reauth.ms) without "
                  "re-authentication",
                  server_conn_peer(req->conn), s->principal);
        *result = REQ_CLOSE;
        return true;
    }
    if (key == API_SASL_HANDSHAKE) {
        *result = handle_handshake(sasl, req, s);
        return true;
    }
    if (key == API_SASL_AUTHENTICATE) {
        *result = handle_authenticate(sasl, req, s);
        return true;
    }
    bool authenticated = s->state == STATE_AUTHENTICATED || (s->reauth && s->principal);
    if (key == API_API_VERSIONS && !authenticated) {
        return false; /* before authentication, as Kafka allows */
    }
    if (!authenticated) {
        blog_info("closing connection from %s: %s request before SASL authentication", server_conn_peer(req->conn),
                  api_name(key));
        *result = REQ_CLOSE;
        return true;
    }
    if (key == API_DESCRIBE_USER_SCRAM_CREDENTIALS) {
        *result = handle_describe_scram(sasl, req);
        return true;
    }
    if (key == API_ALTER_USER_SCRAM_CREDENTIALS) {
        *result = handle_alter_scram(sasl, req);
        return true;
    }
    return false;
}
