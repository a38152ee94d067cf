/*
 * rest_auth.h - HTTP basic authentication for the REST API, from a file of
 * hashed passwords (worker key rest.basic.auth.credentials.file).
 *
 * Kafka's answer is BasicAuthSecurityRestExtension with a JAAS file of
 * clear-text passwords; connectd reads an htpasswd-style file of crypt(3)
 * hashes instead, verified with libxcrypt:
 *
 *     # user:hash, one per line; '#' comments and blank lines are fine
 *     admin:$6$Kp0.../...          <- openssl passwd -6
 *     ci:$2y$05$Hx...              <- htpasswd -nB ci
 *     ops:$y$j9T$...               <- mkpasswd -m yescrypt
 *
 * Any scheme libxcrypt rates as current is accepted ($6$ SHA-512, $y$
 * yescrypt, $gy$, $7$ scrypt, $2b$/$2y$/$2a$ bcrypt).  A line without a
 * hash, a clear-text password, a scheme libxcrypt calls legacy (DES, $1$
 * MD5, $5$ SHA-256 in Debian's build) or one it does not know ($apr1$,
 * {SHA}) is refused when the file is loaded, naming the line, never
 * echoing what follows the ':'.  The file is read once, at start-up:
 * changing it needs a restart.
 *
 * Verification is slow by design (that is what the hash is for), so a
 * successful check is remembered: the cache holds a salted SHA-256 of the
 * whole Authorization header value and the user it proved, never the
 * password.  A client that sends the same header on every request pays
 * crypt once.  Failures are not cached, so each wrong guess costs a crypt.
 * The user lookup does not branch on which user matched, and an unknown
 * user still costs one crypt (with the first user's hash), so the time to
 * answer does not tell a guesser whether a user exists.
 */
#ifndef CONNECTD_REST_AUTH_H
#define CONNECTD_REST_AUTH_H

#include <stddef.h>
#include <stdint.h>

typedef struct rest_auth rest_auth_t;

typedef enum rest_auth_result {
    REST_AUTH_OK,
    REST_AUTH_MISSING,   /* no Authorization header, or not "Basic" */
    REST_AUTH_MALFORMED, /* "Basic" but not base64 of "user:password" */
    REST_AUTH_DENIED,    /* unknown user or wrong password */
} rest_auth_result_t;

/* Reads and checks the credentials file.  NULL with errstr like
 * "/etc/connectd/users: line 3: user 'bob': the password is not hashed
 * (clear text?); ..." when it cannot be read or any line is refused.
 * Costs one crypt per user (it proves each hash is complete). */
rest_auth_t *rest_auth_load(const char *path, char *errstr, size_t errstr_size);
void rest_auth_destroy(rest_auth_t *auth); /* NULL is fine */

size_t rest_auth_user_count(const rest_auth_t *auth);

/* Checks the value of a request's Authorization header (NULL: none).  The
 * user it names is copied to `user` (empty when there is none; truncated
 * to user_size, control characters replaced by '?'), so a caller can log
 * a failure without the password.  Any thread. */
rest_auth_result_t rest_auth_check(rest_auth_t *auth, const char *header, char *user, size_t user_size);

/* How many crypt verifications rest_auth_check has run: the unit test's
 * proof that the cache works. */
uint64_t rest_auth_crypt_count(rest_auth_t *auth);

/* SHA-256 (FIPS 180-4), here for the cache keys; exposed for its test. */
void rest_auth_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
