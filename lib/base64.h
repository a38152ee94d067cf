/*
 * base64.h - RFC 4648 base64 (the standard alphabet, padded), the one
 * variant connectd reads: Kafka Connect's JsonConverter writes BYTES so,
 * Jackson reads it so, and HTTP Basic credentials (RFC 7617) come so.
 * Kafka's ids (cluster id, topic ids shown as text) are the URL-safe
 * alphabet without padding (RFC 4648 §5), which is written only.
 */
#ifndef CONNECTD_BASE64_H
#define CONNECTD_BASE64_H

#include <stddef.h>

/* The length of the encoding of `len` bytes, without a terminating NUL. */
size_t base64_encoded_len(size_t len);

/* Writes the encoding of `data` and a NUL into `out`, which holds at least
 * base64_encoded_len(len) + 1 bytes; returns the length written (without
 * the NUL). */
size_t base64_encode(const unsigned char *data, size_t len, char *out);

/* The same with the URL-safe alphabet ('-' and '_') and no padding, as
 * Kafka writes a Uuid: 16 bytes give 22 characters.  `out` holds at least
 * (len * 4 + 2) / 3 + 1 bytes. */
size_t base64url_encode(const unsigned char *data, size_t len, char *out);

/* Decodes `len` characters of strict padded base64 into `out`, which holds
 * at least len / 4 * 3 bytes; returns the number of bytes, or -1 when the
 * text is not that (wrong length, a character outside the alphabet,
 * padding other than at the end). */
long base64_decode(const char *text, size_t len, unsigned char *out);

#endif
