/* base64.c - RFC 4648 base64, padded (base64.h). */
#include "base64.h"

#include <stdbool.h>
#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64_encoded_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

/* Each group of three bytes as four characters; a short last group gets
 * '=' for each missing byte when `pad`, nothing otherwise. */
static size_t encode(const char *abc, bool pad, const unsigned char *data, size_t len, char *out)
{
    char *p = out;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t n = (uint32_t)data[i] << 16;
        n |= i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0;
        n |= i + 2 < len ? data[i + 2] : 0;
        *p++ = abc[n >> 18];
        *p++ = abc[(n >> 12) & 63];
        if (i + 1 < len || pad) {
            *p++ = i + 1 < len ? abc[(n >> 6) & 63] : '=';
        }
        if (i + 2 < len || pad) {
            *p++ = i + 2 < len ? abc[n & 63] : '=';
        }
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t base64_encode(const unsigned char *data, size_t len, char *out)
{
    return encode(alphabet, true, data, len, out);
}

size_t base64url_encode(const unsigned char *data, size_t len, char *out)
{
    return encode(url_alphabet, false, data, len, out);
}

static int digit(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

long base64_decode(const char *text, size_t len, unsigned char *out)
{
    if (len % 4 != 0) {
        return -1;
    }
    size_t pad = len >= 4 && text[len - 1] == '=' ? (text[len - 2] == '=' ? 2 : 1) : 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t group = 0;
        for (size_t j = 0; j < 4; j++) {
            int d = i + j < len - pad ? digit(text[i + j]) : 0;
            if (d < 0) {
                return -1;
            }
            group = group << 6 | (uint32_t)d;
        }
        size_t keep = i + 4 == len ? 3 - pad : 3;
        for (size_t j = 0; j < keep; j++) {
            out[n++] = (unsigned char)(group >> (16 - 8 * j));
        }
    }
    return (long)n;
}
