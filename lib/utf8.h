/*
 * utf8.h - well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF.
 */
#ifndef CONNECTD_UTF8_H
#define CONNECTD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the well-formed character at s[0..len), or 0 when it is
 * not one; *bad is then the length of the ill-formed part to replace (the
 * "maximal subpart" of Unicode §3.9, which Java's decoder also replaces by
 * one U+FFFD).  len > 0. */
size_t utf8_char_len(const unsigned char *s, size_t len, size_t *bad);

/* Length of the well-formed prefix of s[0..len). */
size_t utf8_valid_prefix(const unsigned char *s, size_t len);

/* Whether all of s[0..len) is well-formed. */
bool utf8_is_valid(const char *s, size_t len);

/* A malloc'd, NUL-terminated copy of s[0..len) with every ill-formed part
 * replaced by U+FFFD (as Java decodes), its length in *out_len.  NULL only
 * when len is too large to repair (len * 3 overflows). */
char *utf8_repair(const char *s, size_t len, size_t *out_len);

/* Writes the UTF-8 of code point cp (at most U+10FFFF, not a surrogate)
 * into out; returns its length, 1..4. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
