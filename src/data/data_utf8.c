/*
 * data_utf8.c - keeps string values valid UTF-8.
 *
 * Java strings cannot hold ill-formed UTF-8: Kafka's decoders replace each
 * ill-formed part with U+FFFD.  Doing the same when a string value is made
 * means every writer (JSON, StringConverter, logs) may copy strings through
 * unchecked and the output is still valid text, as Kafka's would be.
 */
#include "data.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 character at s, or 0 when it is not
 * one; *bad is then the length of the ill-formed part to replace (the
 * "maximal subpart" of Unicode §3.9, which Java's decoder also replaces by
 * one U+FFFD). */
static size_t utf8_char(const unsigned char *s, size_t len, size_t *bad)
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

/* Length of the well-formed prefix of s.  Text is mostly ASCII, so eight
 * bytes at a time are checked for a high bit before any decoding. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint64_t word;
        if (len - i >= 8 && (memcpy(&word, s + i, 8), (word & 0x8080808080808080ULL) == 0)) {
            i += 8;
            continue;
        }
        size_t bad = 0, ok = utf8_char(s + i, len - i, &bad);
        if (!ok) {
            break;
        }
        i += ok;
    }
    return i;
}

char *data_utf8_repair(const char *s, size_t len, size_t *out_len)
{
    const unsigned char *in = (const unsigned char *)s;
    size_t valid = utf8_valid_prefix(in, len);
    /* Well-formed (the usual case): one exact copy.  Otherwise each replaced
     * byte grows by at most two (1 byte -> 3 of U+FFFD). */
    size_t cap = valid == len ? len + 1 : (len < SIZE_MAX / 3 ? len * 3 + 1 : 0);
    char *out = cap ? malloc(cap) : NULL;
    if (!out) {
        return NULL;
    }
    memcpy(out, in, valid);
    size_t n = valid;
    for (size_t i = valid; i < len;) {
        size_t bad = 0, ok = utf8_char(in + i, len - i, &bad);
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
