/*
 * json_tape.c - the strict JSON reader of json_tape.h: one pass over the
 * document, no recursion (a stack of the open containers instead, so 2048
 * levels cost no thread stack), strings unescaped as they are read.
 */
#include "json_tape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* An object with more members than this finds duplicate keys by sorting
 * hashes; below, by comparing each pair. */
#define PAIRWISE_MAX 16

typedef struct parser {
    json_tape_t *tape;
    const char *begin, *p, *end;
    char *out; /* the next byte of tape->text */
} parser_t;

void json_tape_init(json_tape_t *tape)
{
    memset(tape, 0, sizeof(*tape));
}

void json_tape_free(json_tape_t *tape)
{
    free(tape->nodes);
    free(tape->text);
    json_tape_init(tape);
}

/* Fails the parse with a message and where it happened (as jansson says
 * it: line and column, both from 1). */
__attribute__((format(printf, 2, 3))) static bool fail(parser_t *ps, const char *fmt, ...)
{
    int line = 1;
    const char *line_start = ps->begin;
    for (const char *c = ps->begin; c < ps->p && c < ps->end; c++) {
        if (*c == '\n') {
            line++;
            line_start = c + 1;
        }
    }
    char what[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(ps->tape->error, sizeof(ps->tape->error), "%s at line %d column %d", what, line,
             (int)(ps->p - line_start) + 1);
    return false;
}

static json_tape_node_t *node_add(parser_t *ps, json_tape_type_t type)
{
    json_tape_t *t = ps->tape;
    if (t->n_nodes == t->cap_nodes) {
        size_t cap = t->cap_nodes ? t->cap_nodes * 2 : 64;
        json_tape_node_t *nodes = realloc(t->nodes, cap * sizeof(*nodes));
        if (!nodes) {
            return NULL;
        }
        t->nodes = nodes;
        t->cap_nodes = cap;
    }
    json_tape_node_t *node = &t->nodes[t->n_nodes++];
    memset(node, 0, sizeof(*node));
    node->type = (uint8_t)type;
    node->end = (uint32_t)t->n_nodes;
    node->src_begin = (uint32_t)(ps->p - ps->begin);
    return node;
}

static void skip_space(parser_t *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
        ps->p++;
    }
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The four hex digits after "\u" at ps->p (which points at the 'u'), or -1. */
static long unicode_escape(const parser_t *ps, const char *u)
{
    if (ps->end - u < 5) {
        return -1;
    }
    long cp = 0;
    for (int i = 1; i <= 4; i++) {
        int h = hex_value(u[i]);
        if (h < 0) {
            return -1;
        }
        cp = cp * 16 + h;
    }
    return cp;
}

/* One escape after a backslash (ps->p at the character after it),
 * written to ps->out. */
static bool read_escape(parser_t *ps)
{
    if (ps->p == ps->end) {
        return fail(ps, "premature end of input");
    }
    char c = *ps->p;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *simple = c ? strchr(from, c) : NULL;
    if (simple) {
        *ps->out++ = to[simple - from];
        ps->p++;
        return true;
    }
    if (c != 'u') {
        return fail(ps, "invalid escape");
    }
    long cp = unicode_escape(ps, ps->p);
    if (cp < 0) {
        return fail(ps, "invalid escape");
    }
    ps->p += 5;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return fail(ps, "invalid Unicode '\\u%04lX'", cp);
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        long low = ps->end - ps->p >= 2 && ps->p[0] == '\\' && ps->p[1] == 'u' ? unicode_escape(ps, ps->p + 1) : -2;
        if (low == -1) {
            return fail(ps, "invalid escape");
        }
        if (low == -2) {
            return fail(ps, "invalid Unicode '\\u%04lX'", cp);
        }
        if (low < 0xDC00 || low > 0xDFFF) {
            return fail(ps, "invalid Unicode '\\u%04lX\\u%04lX'", cp, low);
        }
        ps->p += 6;
        cp = ((cp - 0xD800) << 10) + (low - 0xDC00) + 0x10000;
    }
    ps->out += utf8_encode((uint32_t)cp, ps->out);
    return true;
}

/* A string at ps->p (its opening quote), unescaped into the tape's text. */
static bool read_string(parser_t *ps, json_tape_node_t *node)
{
    ps->p++;
    char *start = ps->out;
    for (;;) {
        /* The run of bytes that need nothing done, copied at once. */
        const char *run = ps->p;
        while (ps->p < ps->end) {
            unsigned char c = (unsigned char)*ps->p;
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) {
                break;
            }
            ps->p++;
        }
        memcpy(ps->out, run, (size_t)(ps->p - run));
        ps->out += ps->p - run;
        if (ps->p == ps->end) {
            return fail(ps, "premature end of input");
        }
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            break;
        }
        if (c == '\\') {
            ps->p++;
            if (!read_escape(ps)) {
                return false;
            }
        } else if (c < 0x20) {
            return fail(ps, "control character 0x%x", c);
        } else {
            size_t bad, n = utf8_char_len((const unsigned char *)ps->p, (size_t)(ps->end - ps->p), &bad);
            if (n == 0) {
                return fail(ps, "unable to decode byte 0x%x", c);
            }
            memcpy(ps->out, ps->p, n);
            ps->out += n;
            ps->p += n;
        }
    }
    ps->p++; /* the closing quote */
    *ps->out++ = '\0';
    node->u.s = start;
    node->count = (uint32_t)(ps->out - start - 1);
    return true;
}

static bool is_digit(const parser_t *ps, const char *c)
{
    return c < ps->end && *c >= '0' && *c <= '9';
}

/* The real of digits [int_begin, int_end) '.' [frac, frac_end) and the
 * exponent at exp (its 'e', or exp == end), when it is sure to be the
 * correctly rounded double strtod would give: the digits fit 2^53 and the
 * power of ten is exact (at most 10^22), so one IEEE multiplication or
 * division rounds once (Clinger's fast path).  Prices and quantities are
 * such reals; others go to strtod. */
static bool exact_real(const char *int_begin, const char *int_end, const char *frac, const char *frac_end,
                       const char *exp, const char *end, double *out)
{
    static const double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if ((int_end - int_begin) + (frac_end - frac) > 15) {
        return false; /* 15 digits are below 2^53 */
    }
    uint64_t mantissa = 0;
    for (const char *d = int_begin; d < int_end; d++) {
        mantissa = mantissa * 10 + (uint64_t)(*d - '0');
    }
    for (const char *d = frac; d < frac_end; d++) {
        mantissa = mantissa * 10 + (uint64_t)(*d - '0');
    }
    int e = 0;
    if (exp < end) {
        const char *d = exp + 1;
        bool minus = *d == '-';
        d += *d == '-' || *d == '+';
        if (end - d > 3) {
            return false;
        }
        for (; d < end; d++) {
            e = e * 10 + (*d - '0');
        }
        e = minus ? -e : e;
    }
    e -= (int)(frac_end - frac);
    if (e < -22 || e > 22) {
        return false;
    }
    *out = e >= 0 ? (double)mantissa * powers[e] : (double)mantissa / powers[-e];
    return true;
}

/* A number at ps->p, in JSON's grammar; integers (no fraction, no
 * exponent) must fit int64_t and reals must be finite, as in jansson. */
static bool read_number(parser_t *ps, json_tape_node_t *node)
{
    const char *start = ps->p, *c = ps->p;
    bool negative = *c == '-', integer = true;
    if (negative) {
        c++;
    }
    if (!is_digit(ps, c)) {
        return fail(ps, "invalid token");
    }
    if (*c == '0') {
        c++;
        if (is_digit(ps, c)) {
            return fail(ps, "invalid token");
        }
    } else {
        while (is_digit(ps, c)) {
            c++;
        }
    }
    const char *int_end = c, *frac = c, *frac_end = c, *exp = c;
    if (c < ps->end && *c == '.') {
        integer = false;
        frac = ++c;
        if (!is_digit(ps, c)) {
            return fail(ps, "invalid token");
        }
        while (is_digit(ps, c)) {
            c++;
        }
        frac_end = exp = c;
    }
    if (c < ps->end && (*c == 'e' || *c == 'E')) {
        integer = false;
        c++;
        if (c < ps->end && (*c == '+' || *c == '-')) {
            c++;
        }
        if (!is_digit(ps, c)) {
            return fail(ps, "invalid token");
        }
        while (is_digit(ps, c)) {
            c++;
        }
    }
    size_t len = (size_t)(c - start);
    if (!integer && exact_real(start + negative, int_end, frac, frac_end, exp, c, &node->u.f)) {
        node->type = JSON_TAPE_REAL;
        node->u.f = negative ? -node->u.f : node->u.f;
        ps->p = c;
        return true;
    }
    if (integer && len - negative <= 18) {
        /* Up to 18 digits cannot overflow: the common case, without strtoll. */
        int64_t v = 0;
        for (const char *d = start + negative; d < c; d++) {
            v = v * 10 + (*d - '0');
        }
        node->type = JSON_TAPE_INTEGER;
        node->u.i = negative ? -v : v;
        ps->p = c;
        return true;
    }
    /* strtoll and strtod want a terminated copy. */
    char small[64], *copy = len < sizeof(small) ? small : malloc(len + 1);
    if (!copy) {
        return fail(ps, "out of memory");
    }
    memcpy(copy, start, len);
    copy[len] = '\0';
    errno = 0;
    bool ok = true;
    if (integer) {
        node->type = JSON_TAPE_INTEGER;
        node->u.i = strtoll(copy, NULL, 10);
        ok = errno != ERANGE;
    } else {
        node->type = JSON_TAPE_REAL;
        node->u.f = strtod(copy, NULL);
        /* Underflow reads as zero or a denormal, as in jansson; overflow fails. */
        ok = !(errno == ERANGE && (node->u.f > 1.0 || node->u.f < -1.0));
    }
    if (copy != small) {
        free(copy);
    }
    if (!ok) {
        return fail(ps, "%s",
                    !integer   ? "real number overflow"
                    : negative ? "too big negative integer"
                               : "too big integer");
    }
    ps->p = c;
    return true;
}

static bool read_literal(parser_t *ps, json_tape_node_t *node)
{
    static const struct {
        const char *word;
        size_t len;
        json_tape_type_t type;
    } words[] = {{"null", 4, JSON_TAPE_NULL}, {"true", 4, JSON_TAPE_TRUE}, {"false", 5, JSON_TAPE_FALSE}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = words[i].len;
        if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i].word, n) == 0) {
            /* jansson reads a whole run of letters as one word: "nullx" is no null. */
            const char *after = ps->p + n;
            if (after < ps->end && ((*after | 0x20) >= 'a' && (*after | 0x20) <= 'z')) {
                break;
            }
            node->type = (uint8_t)words[i].type;
            ps->p = after;
            return true;
        }
    }
    return fail(ps, "invalid token");
}

static bool read_scalar(parser_t *ps, json_tape_node_t *node)
{
    char c = *ps->p;
    if (c == '"') {
        node->type = JSON_TAPE_STRING;
        return read_string(ps, node);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        return read_number(ps, node);
    }
    if (c == 't' || c == 'f' || c == 'n') {
        return read_literal(ps, node);
    }
    return fail(ps, c && strchr("}],:", c) ? "unexpected token" : "invalid token");
}

static bool key_equal(const json_tape_node_t *a, const json_tape_node_t *b)
{
    return a->count == b->count && memcmp(a->u.s, b->u.s, a->count) == 0;
}

typedef struct key_hash {
    uint64_t hash;
    uint32_t node;
} key_hash_t;

static int key_hash_cmp(const void *a, const void *b)
{
    uint64_t x = ((const key_hash_t *)a)->hash, y = ((const key_hash_t *)b)->hash;
    return x < y ? -1 : x > y;
}

/* Whether an object just closed has a key twice: rare, but then which value
 * a key has depends on it. */
static bool has_duplicate_keys(const json_tape_t *t, const json_tape_node_t *object)
{
    const json_tape_node_t *nodes = t->nodes;
    uint32_t first = (uint32_t)(object - nodes) + 1;
    if (object->count <= PAIRWISE_MAX) {
        for (uint32_t a = first; a < object->end; a = nodes[a + 1].end) {
            for (uint32_t b = nodes[a + 1].end; b < object->end; b = nodes[b + 1].end) {
                if (key_equal(&nodes[a], &nodes[b])) {
                    return true;
                }
            }
        }
        return false;
    }
    key_hash_t *keys = malloc(object->count * sizeof(*keys));
    if (!keys) {
        return true; /* the slow, always right, reading */
    }
    size_t n = 0;
    for (uint32_t k = first; k < object->end; k = nodes[k + 1].end) {
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */
        for (uint32_t i = 0; i < nodes[k].count; i++) {
            h = (h ^ (unsigned char)nodes[k].u.s[i]) * 1099511628211ULL;
        }
        keys[n++] = (key_hash_t){h, k};
    }
    qsort(keys, n, sizeof(*keys), key_hash_cmp);
    bool dup = false;
    for (size_t i = 0; i < n && !dup; i++) {
        for (size_t j = i + 1; j < n && keys[j].hash == keys[i].hash && !dup; j++) {
            dup = key_equal(&nodes[keys[i].node], &nodes[keys[j].node]);
        }
    }
    free(keys);
    return dup;
}

bool json_tape_parse(json_tape_t *t, const char *json, size_t len)
{
    parser_t ps = {.tape = t, .begin = json, .p = json, .end = json + len};
    t->n_nodes = 0;
    t->error[0] = '\0';
    if (len >= UINT32_MAX) {
        return fail(&ps, "document too large");
    }
    /* Unescaped, a string (with its NUL) is shorter than it was quoted:
     * the text never outgrows the document. */
    if (t->cap_text < len + 1) {
        char *text = realloc(t->text, len + 1);
        if (!text) {
            return fail(&ps, "out of memory");
        }
        t->text = text;
        t->cap_text = len + 1;
    }
    ps.out = t->text;
    uint32_t open[JSON_TAPE_MAX_DEPTH]; /* the open containers' nodes */
    size_t depth = 0;
    bool want_key = false; /* inside an object, where a member begins */
    for (;;) {
        skip_space(&ps);
        if (want_key) {
            if (ps.p == ps.end || *ps.p != '"') {
                return fail(&ps, "string or '}' expected");
            }
            json_tape_node_t *key = node_add(&ps, JSON_TAPE_STRING);
            if (!key) {
                return fail(&ps, "out of memory");
            }
            if (!read_string(&ps, key)) {
                return false;
            }
            key->src_end = (uint32_t)(ps.p - json);
            if (memchr(key->u.s, '\0', key->count)) {
                return fail(&ps, "NUL byte in object key not supported");
            }
            skip_space(&ps);
            if (ps.p == ps.end || *ps.p != ':') {
                return fail(&ps, "':' expected");
            }
            ps.p++;
            skip_space(&ps);
            want_key = false;
        }
        /* A value. */
        if (ps.p == ps.end) {
            return fail(&ps, "unexpected end of input");
        }
        if (depth + 1 > JSON_TAPE_MAX_DEPTH) {
            return fail(&ps, "maximum parsing depth reached");
        }
        char c = *ps.p;
        json_tape_node_t *node = node_add(&ps, JSON_TAPE_NULL);
        if (!node) {
            return fail(&ps, "out of memory");
        }
        if (c == '{' || c == '[') {
            node->type = c == '{' ? JSON_TAPE_OBJECT : JSON_TAPE_ARRAY;
            open[depth++] = (uint32_t)(t->n_nodes - 1);
            ps.p++;
            skip_space(&ps);
            if (ps.p < ps.end && *ps.p == (c == '{' ? '}' : ']')) {
                /* Empty: closed below, as any container. */
            } else {
                want_key = c == '{';
                continue;
            }
        } else {
            if (!read_scalar(&ps, node)) {
                return false;
            }
            node->src_end = (uint32_t)(ps.p - json);
        }
        /* After a value: a comma, the end of its containers, or of the document. */
        for (;;) {
            skip_space(&ps);
            if (depth == 0) {
                if (ps.p != ps.end) {
                    return fail(&ps, "end of file expected");
                }
                return true;
            }
            json_tape_node_t *top = &t->nodes[open[depth - 1]];
            bool object = top->type == JSON_TAPE_OBJECT;
            if (ps.p < ps.end && *ps.p == (object ? '}' : ']')) {
                ps.p++;
                /* The empty container was counted no member. */
                if (top->end != t->n_nodes || top->count > 0) {
                    top->count++;
                }
                top->end = (uint32_t)t->n_nodes;
                top->src_end = (uint32_t)(ps.p - json);
                if (object && top->count > 1 && has_duplicate_keys(t, top)) {
                    top->flags |= JSON_TAPE_DUPLICATE_KEYS;
                }
                depth--;
                continue;
            }
            if (ps.p < ps.end && *ps.p == ',') {
                ps.p++;
                top->count++;
                want_key = object;
                break;
            }
            return fail(&ps, object ? "'}' expected" : "']' expected");
        }
    }
}

const json_tape_node_t *json_tape_member(const json_tape_t *tape, const json_tape_node_t *object, const char *key,
                                         size_t key_len, uint32_t *hint)
{
    const json_tape_node_t *nodes = tape->nodes;
    uint32_t first = (uint32_t)(object - nodes) + 1, start = *hint > first && *hint < object->end ? *hint : first;
    const json_tape_node_t *found = NULL;
    if (object->flags & JSON_TAPE_DUPLICATE_KEYS) {
        start = first; /* the last of several: the whole object, in order */
    }
    uint32_t k = start;
    do {
        if (k >= object->end) {
            k = first;
            if (k == start) {
                break;
            }
        }
        const json_tape_node_t *value = &nodes[k + 1];
        if (nodes[k].count == key_len && memcmp(nodes[k].u.s, key, key_len) == 0) {
            found = value;
            *hint = value->end;
            if (!(object->flags & JSON_TAPE_DUPLICATE_KEYS)) {
                break;
            }
        }
        k = value->end;
    } while (k != start);
    return found;
}
