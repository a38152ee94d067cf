/*
 * utf8.c - well-formed UTF-8 (RFC 3629, Unicode §3.9): checking it,
 * repairing it as Java does, and encoding code points.
 *
 * Java strings cannot hold ill-formed UTF-8: Kafka's decoders replace each
 * ill-formed part with U+FFFD.  Doing the same when a string value is made
 * means every writer (JSON, StringConverter, logs) may copy strings through
 * unchecked and the output is still valid text, as Kafka's would be.
 */
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

size_t utf8_char_len(const unsigned char *s, size_t len, size_t *bad)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        bool ok = i < len && s[i] >= (i == 1 ? lo : 0x80) && s[i] <= (i == 1 ? hi : 0xBF);
        if (!ok) {
            *bad = i;
            return 0;
        }
    }
    return need;
}

/* Text is mostly ASCII, so eight bytes at a time are checked for a high
 * bit before any decoding. */
size_t utf8_valid_prefix(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint64_t word;
        if (len - i >= 8 && (memcpy(&word, s + i, 8), (word & 0x8080808080808080ULL) == 0)) {
            i += 8;
            continue;
        }
        size_t bad = 0, ok = utf8_char_len(s + i, len - i, &bad);
        if (!ok) {
            break;
        }
        i += ok;
    }
    return i;
}

char *utf8_repair(const char *s, size_t len, size_t *out_len)
{
    const unsigned char *in = (const unsigned char *)s;
    size_t valid = utf8_valid_prefix(in, len);
    /* Well-formed (the usual case): one exact copy.  Otherwise each replaced
     * byte grows by at most two (1 byte -> 3 of U+FFFD). */
    size_t cap = valid == len ? len + 1 : (len < SIZE_MAX / 3 ? len * 3 + 1 : 0);
    char *out = cap ? xmalloc(cap) : NULL;
    if (!out) {
        return NULL;
    }
    memcpy(out, in, valid);
    size_t n = valid;
    for (size_t i = valid; i < len;) {
        size_t bad = 0, ok = utf8_char_len(in + i, len - i, &bad);
        if (ok) {
            memcpy(out + n, in + i, ok);
            n += ok;
            i += ok;
        } else {
            memcpy(out + n, "\xEF\xBF\xBD", 3);
            n += 3;
            i += bad;
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

bool utf8_is_valid(const char *s, size_t len)
{
    return utf8_valid_prefix((const unsigned char *)s, len) == len;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}
