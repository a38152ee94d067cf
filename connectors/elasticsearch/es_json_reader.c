/*
 * es_json_reader.c - the pull reader of es_json_reader.h (RFC 8259).
 *
 * Separators are checked where they are crossed: es_jr_key and
 * es_jr_element consume the comma before a member and the closing
 * bracket after the last; a value's reader consumes only the value.
 */
#include "es_json_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool fail(es_jr_t *jr)
{
    jr->failed = true;
    jr->p = jr->end;
    return false;
}

static void skip_ws(es_jr_t *jr)
{
    while (jr->p < jr->end && (*jr->p == ' ' || *jr->p == '\t' || *jr->p == '\n' || *jr->p == '\r')) {
        jr->p++;
    }
}

void es_jr_init(es_jr_t *jr, const char *text, size_t len)
{
    memset(jr, 0, sizeof(*jr));
    jr->p = text;
    jr->end = text + len;
}

es_jr_type_t es_jr_peek(es_jr_t *jr)
{
    skip_ws(jr);
    if (jr->failed || jr->p >= jr->end) {
        return ES_JR_END;
    }
    switch (*jr->p) {
    case '{':
        return ES_JR_OBJECT;
    case '[':
        return ES_JR_ARRAY;
    case '"':
        return ES_JR_STRING;
    case 't':
    case 'f':
        return ES_JR_BOOL;
    case 'n':
        return ES_JR_NULL;
    default:
        return (*jr->p == '-' || (*jr->p >= '0' && *jr->p <= '9')) ? ES_JR_NUMBER : ES_JR_END;
    }
}

static bool open_container(es_jr_t *jr, char c)
{
    skip_ws(jr);
    if (jr->failed || jr->p >= jr->end || *jr->p != c) {
        return false;
    }
    if (jr->depth >= ES_JR_MAX_DEPTH) {
        return fail(jr);
    }
    jr->p++;
    jr->had_member[jr->depth++] = false;
    return true;
}

bool es_jr_object(es_jr_t *jr)
{
    return open_container(jr, '{');
}

bool es_jr_array(es_jr_t *jr)
{
    return open_container(jr, '[');
}

/* Before the next member of the innermost container: true if one follows
 * (comma consumed), false after consuming the closing `close`. */
static bool next_member(es_jr_t *jr, char close)
{
    skip_ws(jr);
    if (jr->failed || jr->depth == 0 || jr->p >= jr->end) {
        return jr->failed ? false : fail(jr);
    }
    if (*jr->p == close) {
        jr->p++;
        jr->depth--;
        return false;
    }
    if (jr->had_member[jr->depth - 1]) {
        if (*jr->p != ',') {
            return fail(jr);
        }
        jr->p++;
        skip_ws(jr);
    }
    jr->had_member[jr->depth - 1] = true;
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool read_hex4(es_jr_t *jr, unsigned *cp)
{
    if (jr->end - jr->p < 4) {
        return false;
    }
    *cp = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(jr->p[i]);
        if (d < 0) {
            return false;
        }
        *cp = *cp << 4 | (unsigned)d;
    }
    jr->p += 4;
    return true;
}

/* Where read_string puts a string's text: a growing buffer, or a fixed
 * array that keeps the bytes that fit (a key: no allocation per key, in
 * a response of thousands of items). */
typedef struct jr_text {
    es_buf_t *buf;
    char *fixed;
    size_t cap, len; /* fixed's size (room for a NUL included) and the bytes kept */
} jr_text_t;

static void text_put(jr_text_t *t, const char *data, size_t n)
{
    if (t->buf) {
        es_buf_put(t->buf, data, n);
        return;
    }
    size_t room = t->cap - 1 - t->len;
    size_t k = n < room ? n : room;
    memcpy(t->fixed + t->len, data, k);
    t->len += k;
}

static void put_utf8(jr_text_t *out, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    text_put(out, u, n);
}

/* Reads the string at the position (its opening quote), appending its text
 * to out when out is not NULL. */
static bool read_string(es_jr_t *jr, jr_text_t *out)
{
    if (jr->p >= jr->end || *jr->p != '"') {
        return fail(jr);
    }
    jr->p++;
    const char *run = jr->p;
    while (jr->p < jr->end) {
        char c = *jr->p;
        if (c == '"') {
            if (out) {
                text_put(out, run, (size_t)(jr->p - run));
            }
            jr->p++;
            return true;
        }
        if ((unsigned char)c < 0x20) {
            return fail(jr);
        }
        if (c != '\\') {
            jr->p++;
            continue;
        }
        if (out) {
            text_put(out, run, (size_t)(jr->p - run));
        }
        jr->p++;
        if (jr->p >= jr->end) {
            return fail(jr);
        }
        char e = *jr->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char to[] = "\"\\/\b\f\n\r\t";
            if (out) {
                text_put(out, &to[simple - "\"\\/bfnrt"], 1);
            }
        } else if (e == 'u') {
            unsigned cp, lo;
            if (!read_hex4(jr, &cp)) {
                return fail(jr);
            }
            if (cp >= 0xD800 && cp < 0xDC00 && jr->end - jr->p >= 6 && jr->p[0] == '\\' && jr->p[1] == 'u') {
                jr->p += 2;
                if (!read_hex4(jr, &lo)) {
                    return fail(jr);
                }
                cp = (lo >= 0xDC00 && lo < 0xE000) ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) : 0xFFFD;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD; /* a lone surrogate */
            }
            if (out) {
                put_utf8(out, cp);
            }
        } else {
            return fail(jr);
        }
        run = jr->p;
    }
    return fail(jr);
}

bool es_jr_key(es_jr_t *jr, char *key, size_t keylen)
{
    if (!next_member(jr, '}')) {
        return false;
    }
    bool ok;
    if (key && keylen > 0) {
        jr_text_t text = {.fixed = key, .cap = keylen};
        ok = read_string(jr, &text);
        key[text.len] = '\0';
    } else {
        ok = read_string(jr, NULL); /* the key is not wanted */
    }
    skip_ws(jr);
    if (!ok || jr->p >= jr->end || *jr->p != ':') {
        return fail(jr);
    }
    jr->p++;
    return true;
}

bool es_jr_element(es_jr_t *jr)
{
    return next_member(jr, ']');
}

static bool read_literal(es_jr_t *jr, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(jr->end - jr->p) < n || memcmp(jr->p, word, n) != 0) {
        return fail(jr);
    }
    jr->p += n;
    return true;
}

/* The extent of the number at the position, checked against the grammar. */
static bool read_number(es_jr_t *jr, const char **start, size_t *len)
{
    const char *p = jr->p;
    *start = p;
    if (p < jr->end && *p == '-') {
        p++;
    }
    const char *digits = p;
    while (p < jr->end && *p >= '0' && *p <= '9') {
        p++;
    }
    if (p == digits) {
        return fail(jr);
    }
    if (p < jr->end && *p == '.') {
        const char *frac = ++p;
        while (p < jr->end && *p >= '0' && *p <= '9') {
            p++;
        }
        if (p == frac) {
            return fail(jr);
        }
    }
    if (p < jr->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < jr->end && (*p == '+' || *p == '-')) {
            p++;
        }
        const char *exp = p;
        while (p < jr->end && *p >= '0' && *p <= '9') {
            p++;
        }
        if (p == exp) {
            return fail(jr);
        }
    }
    *len = (size_t)(p - *start);
    jr->p = p;
    return true;
}

bool es_jr_skip(es_jr_t *jr)
{
    const char *s;
    size_t n;
    switch (es_jr_peek(jr)) {
    case ES_JR_OBJECT:
        /* Recursion is bounded: open_container refuses ES_JR_MAX_DEPTH. */
        es_jr_object(jr);
        while (es_jr_key(jr, NULL, 0)) {
            es_jr_skip(jr);
        }
        return !jr->failed;
    case ES_JR_ARRAY:
        es_jr_array(jr);
        while (es_jr_element(jr)) {
            es_jr_skip(jr);
        }
        return !jr->failed;
    case ES_JR_STRING:
        return read_string(jr, NULL);
    case ES_JR_NUMBER:
        return read_number(jr, &s, &n);
    case ES_JR_BOOL:
        return read_literal(jr, *jr->p == 't' ? "true" : "false");
    case ES_JR_NULL:
        return read_literal(jr, "null");
    case ES_JR_END:
        return fail(jr);
    }
    return fail(jr);
}

bool es_jr_string(es_jr_t *jr, es_buf_t *out)
{
    if (es_jr_peek(jr) != ES_JR_STRING) {
        es_jr_skip(jr);
        return false;
    }
    jr_text_t text = {.buf = out};
    return read_string(jr, out ? &text : NULL);
}

bool es_jr_int(es_jr_t *jr, int64_t *v)
{
    const char *s;
    size_t n;
    if (es_jr_peek(jr) != ES_JR_NUMBER) {
        es_jr_skip(jr);
        return false;
    }
    if (!read_number(jr, &s, &n)) {
        return false;
    }
    char text[32];
    if (n >= sizeof(text)) {
        return false;
    }
    memcpy(text, s, n);
    text[n] = '\0';
    char *endp;
    errno = 0;
    *v = strtoll(text, &endp, 10);
    return *endp == '\0' && errno != ERANGE;
}

bool es_jr_bool(es_jr_t *jr, bool *v)
{
    if (es_jr_peek(jr) != ES_JR_BOOL) {
        es_jr_skip(jr);
        return false;
    }
    *v = *jr->p == 't';
    return read_literal(jr, *v ? "true" : "false");
}

bool es_json_path_text(const char *text, size_t len, const char *path, es_buf_t *out)
{
    es_jr_t jr;
    es_jr_init(&jr, text, len);
    const char *seg = path;
    while (seg) {
        const char *dot = strchr(seg, '.');
        size_t seglen = dot ? (size_t)(dot - seg) : strlen(seg);
        if (!es_jr_object(&jr)) {
            return false;
        }
        char key[128];
        bool found = false;
        while (!found && es_jr_key(&jr, key, sizeof(key))) {
            if (strlen(key) == seglen && memcmp(key, seg, seglen) == 0) {
                found = true;
            } else {
                es_jr_skip(&jr);
            }
        }
        if (!found) {
            return false;
        }
        seg = dot ? dot + 1 : NULL;
    }
    const char *s;
    size_t n;
    switch (es_jr_peek(&jr)) {
    case ES_JR_STRING: {
        jr_text_t into = {.buf = out};
        return read_string(&jr, &into);
    }
    case ES_JR_NUMBER:
        if (!read_number(&jr, &s, &n)) {
            return false;
        }
        es_buf_put(out, s, n);
        return true;
    case ES_JR_BOOL:
        es_buf_puts(out, *jr.p == 't' ? "true" : "false");
        return true;
    default:
        return false;
    }
}
