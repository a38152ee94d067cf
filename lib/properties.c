/*
 * properties.c - Java .properties files, parsed as java.util.Properties.load
 * parses them (see properties.h for the syntax).
 *
 * The parser is a port of the JDK's two steps, kept apart so each one can be
 * compared with its Java original:
 *
 *   1. read_line() is Properties.LineReader.readLine: it joins natural lines
 *      into one logical line, dropping comment lines, blank lines, the
 *      backslash of a continuation and the leading whitespace of every
 *      natural line.  Escapes are left in place.
 *   2. parse_line() is the loop in Properties.load0 plus loadConvert: it finds
 *      the first unescaped '=', ':' or whitespace, skips whitespace and one
 *      separator, and decodes the escapes of key and value.
 *
 * Where Java and C differ, C gets an error instead of a surprise: the text
 * must be UTF-8 (Java's InputStream overload reads ISO-8859-1, which turns
 * UTF-8 into mojibake anyway), and NUL, either as a byte or as \u0000, cannot
 * live in a C string.  A \u escape must be four hex digits, and a UTF-16
 * surrogate must be paired (\ud83d\ude00 is one code point, written out as
 * four bytes of UTF-8).  A UTF-8 byte order mark at the very start is skipped,
 * since editors add it and a key that starts with one can never match.
 *
 * Trailing whitespace of a value is kept, as in Java; trimming is a decision
 * of whoever interprets the value (Kafka's ConfigDef trims, so does
 * config_def.c).
 *
 * Every error names the natural line (1-based) it is on, so a logical line
 * remembers which offset came from which natural line.  A parse either
 * applies every entry of the text or none, so a caller can keep using props
 * after an error.
 *
 * Storage: entries in insertion order plus an open-addressing hash index of
 * entry numbers, so a file with many keys stays linear.
 */
#include "properties.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

typedef struct prop_entry {
    char *key;
    char *value;
} prop_entry_t;

struct properties {
    prop_entry_t *items; /* insertion order */
    size_t count, cap;
    size_t *index;    /* entry number + 1 per slot, 0 = empty; index_cap is a power of two */
    size_t index_cap; /* kept at least twice count */
};

/* ---- the table ------------------------------------------------------------ */

properties_t *properties_create(void)
{
    properties_t *props = calloc(1, sizeof(*props));
    if (!props) {
        abort();
    }
    return props;
}

void properties_destroy(properties_t *props)
{
    if (!props) {
        return;
    }
    for (size_t i = 0; i < props->count; i++) {
        free(props->items[i].key);
        free(props->items[i].value);
    }
    free(props->items);
    free(props->index);
    free(props);
}

/* FNV-1a: short keys, no adversary worth a keyed hash (the file is trusted
 * as much as the command line). */
static size_t key_hash(const char *key)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return (size_t)h;
}

/* The slot holding `key`, or the empty slot where it would go. */
static size_t index_slot(const properties_t *props, const char *key)
{
    size_t mask = props->index_cap - 1;
    size_t slot = key_hash(key) & mask;
    while (props->index[slot] && strcmp(props->items[props->index[slot] - 1].key, key) != 0) {
        slot = (slot + 1) & mask;
    }
    return slot;
}

static void index_grow(properties_t *props)
{
    free(props->index);
    props->index_cap = props->index_cap ? props->index_cap * 2 : 16;
    props->index = calloc(props->index_cap, sizeof(*props->index));
    if (!props->index) {
        abort();
    }
    for (size_t i = 0; i < props->count; i++) {
        props->index[index_slot(props, props->items[i].key)] = i + 1;
    }
}

/* Takes ownership of key and value. */
static void props_put(properties_t *props, char *key, char *value)
{
    if ((props->count + 1) * 2 > props->index_cap) {
        index_grow(props);
    }
    size_t slot = index_slot(props, key);
    if (props->index[slot]) {
        prop_entry_t *e = &props->items[props->index[slot] - 1];
        free(key);
        free(e->value);
        e->value = value;
        return;
    }
    if (props->count == props->cap) {
        props->cap = props->cap ? props->cap * 2 : 16;
        props->items = xrealloc(props->items, props->cap * sizeof(*props->items));
    }
    props->items[props->count] = (prop_entry_t){key, value};
    props->index[slot] = ++props->count;
}

void properties_set(properties_t *props, const char *key, const char *value)
{
    props_put(props, xstrdup(key), xstrdup(value));
}

const char *properties_get(const properties_t *props, const char *key)
{
    if (props->count == 0) {
        return NULL;
    }
    size_t slot = index_slot(props, key);
    return props->index[slot] ? props->items[props->index[slot] - 1].value : NULL;
}

size_t properties_count(const properties_t *props)
{
    return props->count;
}

const char *properties_key_at(const properties_t *props, size_t i)
{
    assert(i < props->count);
    return props->items[i].key;
}

const char *properties_value_at(const properties_t *props, size_t i)
{
    assert(i < props->count);
    return props->items[i].value;
}

int properties_set_override(properties_t *props, const char *kv, char *errstr, size_t errstr_size)
{
    /* As Kafka's --override: split at the first '=', no escapes, no trimming. */
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        snprintf(errstr, errstr_size, "expected key=value");
        return -1;
    }
    char *key = strndup(kv, (size_t)(eq - kv));
    if (!key) {
        abort();
    }
    props_put(props, key, xstrdup(eq + 1));
    return 0;
}

/* ---- growable byte buffer ------------------------------------------------- */

typedef struct bytes {
    char *data;
    size_t len, cap;
} bytes_t;

static void bytes_push(bytes_t *b, char c)
{
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 128;
        b->data = xrealloc(b->data, b->cap);
    }
    b->data[b->len++] = c;
}

/* ---- input checks --------------------------------------------------------- */

/* Checks the whole text before any of it is interpreted, so the line reader
 * only ever sees well-formed UTF-8 without NUL. */
static bool text_check(const char *text, size_t len, char *errstr, size_t errstr_size)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    unsigned line = 1;
    while (p < end) {
        if (*p == '\0') {
            snprintf(errstr, errstr_size, "line %u: NUL byte (the file must be text)", line);
            return false;
        }
        /* Natural line ends as in Java: \n, \r\n or a lone \r. */
        if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] != '\n'))) {
            line++;
        }
        size_t bad, n = utf8_char_len(p, (size_t)(end - p), &bad);
        if (n == 0) {
            snprintf(errstr, errstr_size, "line %u: invalid UTF-8 (save the file as UTF-8)", line);
            return false;
        }
        p += n;
    }
    return true;
}

/* ---- step 1: logical lines (Properties.LineReader) ------------------------ */

/* Where a natural line's content starts within the logical line. */
typedef struct line_break {
    size_t offset;
    unsigned line;
} line_break_t;

typedef struct reader {
    const char *p, *end;
    unsigned line; /* natural line of *p */
    bytes_t buf;   /* the logical line, escapes still in place */
    line_break_t *breaks;
    size_t n_breaks, cap_breaks;
} reader_t;

static void reader_mark(reader_t *r)
{
    if (r->n_breaks == r->cap_breaks) {
        r->cap_breaks = r->cap_breaks ? r->cap_breaks * 2 : 8;
        r->breaks = xrealloc(r->breaks, r->cap_breaks * sizeof(*r->breaks));
    }
    r->breaks[r->n_breaks++] = (line_break_t){r->buf.len, r->line};
}

/* The natural line that byte `offset` of the logical line came from. */
static unsigned reader_line_of(const reader_t *r, size_t offset)
{
    unsigned line = r->breaks[0].line;
    for (size_t i = 0; i < r->n_breaks && r->breaks[i].offset <= offset; i++) {
        line = r->breaks[i].line;
    }
    return line;
}

/* Consumes the terminator c (already read) and, for \r\n, its \n. */
static void reader_eol(reader_t *r, char c)
{
    if (c == '\r' && r->p < r->end && *r->p == '\n') {
        r->p++;
    }
    r->line++;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/*
 * Reads the next logical line into r->buf.  Returns false at the end of the
 * text.  The flags mirror the JDK's: skip_ws drops leading whitespace of a
 * natural line; after a continuation, `appended` stops a blank line from
 * being skipped, so it ends the logical line instead.
 */
static bool read_line(reader_t *r)
{
    bool skip_ws = true, appended = false, backslash = false;
    r->buf.len = 0;
    r->n_breaks = 0;
    for (;;) {
        if (r->p >= r->end) {
            if (r->buf.len == 0) {
                return false;
            }
            r->buf.len -= backslash;
            return true;
        }
        char c = *r->p++;
        if (skip_ws) {
            if (is_ws(c)) {
                continue;
            }
            if (!appended && (c == '\r' || c == '\n')) {
                reader_eol(r, c);
                continue;
            }
            skip_ws = false;
            appended = false;
        }
        if (r->buf.len == 0 && (c == '#' || c == '!')) {
            /* A comment line never continues, whatever it ends with. */
            while (c != '\n' && c != '\r' && r->p < r->end) {
                c = *r->p++;
            }
            if (c == '\n' || c == '\r') {
                reader_eol(r, c);
            }
            skip_ws = true;
            continue;
        }
        if (c != '\n' && c != '\r') {
            if (r->n_breaks == 0) {
                reader_mark(r);
            }
            bytes_push(&r->buf, c);
            backslash = c == '\\' ? !backslash : false;
            continue;
        }
        reader_eol(r, c);
        if (r->buf.len == 0) {
            skip_ws = true;
            continue;
        }
        if (r->p >= r->end) {
            /* As the JDK: a line ending the text ends here, even when its
             * backslash asked for more. */
            r->buf.len -= backslash;
            return true;
        }
        if (!backslash) {
            return true;
        }
        r->buf.len--;
        skip_ws = true;
        appended = true;
        backslash = false;
        reader_mark(r);
    }
}

/* ---- step 2: key, separator, value (Properties.load0, loadConvert) ------- */

static int hex_value(char c)
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

/* The UTF-16 code unit of "\uXXXX" at in[i] (i at the backslash), or -1. */
static long read_u_escape(const char *in, size_t i, size_t end)
{
    if (end - i < 6 || in[i] != '\\' || in[i + 1] != 'u') {
        return -1;
    }
    long unit = 0;
    for (size_t k = i + 2; k < i + 6; k++) {
        int h = hex_value(in[k]);
        if (h < 0) {
            return -1;
        }
        unit = unit << 4 | h;
    }
    return unit;
}

/* Decodes the escapes of r->buf[start, end) into a new NUL-terminated
 * string; NULL with errstr set on a bad \u escape. */
static char *unescape(const reader_t *r, size_t start, size_t end, char *errstr,
                      size_t errstr_size)
{
    const char *in = r->buf.data;
    bytes_t out = {0};
    size_t i = start;
    while (i < end) {
        char c = in[i];
        if (c != '\\') {
            bytes_push(&out, c);
            i++;
            continue;
        }
        /* The line reader drops a backslash that ends a line, and a key ends
         * only at an unescaped separator, so an escape always has its char. */
        assert(i + 1 < end);
        c = in[i + 1];
        if (c != 'u') {
            bytes_push(&out, c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c);
            i += 2;
            continue;
        }
        const char *why = NULL;
        long unit = read_u_escape(in, i, end);
        uint32_t cp = (uint32_t)unit;
        size_t used = 6;
        if (unit < 0) {
            why = "expected four hex digits after \\u";
        } else if (unit >= 0xd800 && unit <= 0xdbff) {
            long low = read_u_escape(in, i + 6, end);
            if (low < 0xdc00 || low > 0xdfff) {
                why = "a high surrogate must be followed by a \\u escape of a low surrogate";
            } else {
                cp = 0x10000 + ((uint32_t)(unit - 0xd800) << 10) + (uint32_t)(low - 0xdc00);
                used = 12;
            }
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            why = "a low surrogate without a high surrogate before it";
        } else if (unit == 0) {
            why = "\\u0000 cannot be stored in a C string";
        }
        if (why) {
            snprintf(errstr, errstr_size, "line %u: invalid \\u escape (%s)", reader_line_of(r, i),
                     why);
            free(out.data);
            return NULL;
        }
        char utf8[4];
        size_t n = utf8_encode(cp, utf8);
        for (size_t k = 0; k < n; k++) {
            bytes_push(&out, utf8[k]);
        }
        i += used;
    }
    bytes_push(&out, '\0');
    return out.data;
}

/* Splits and decodes the logical line in r->buf and stores it in props. */
static bool parse_line(const reader_t *r, properties_t *props, char *errstr, size_t errstr_size)
{
    const char *line = r->buf.data;
    size_t limit = r->buf.len, key_len = 0, value_start = limit;
    bool has_sep = false, backslash = false;
    while (key_len < limit) {
        char c = line[key_len];
        if ((c == '=' || c == ':') && !backslash) {
            value_start = key_len + 1;
            has_sep = true;
            break;
        }
        if (is_ws(c) && !backslash) {
            value_start = key_len + 1;
            break;
        }
        backslash = c == '\\' ? !backslash : false;
        key_len++;
    }
    /* Whitespace, then at most one '=' or ':' if none was seen yet, then
     * whitespace: "key = value", "key value" and "key :value" all work. */
    while (value_start < limit) {
        char c = line[value_start];
        if (!is_ws(c)) {
            if (has_sep || (c != '=' && c != ':')) {
                break;
            }
            has_sep = true;
        }
        value_start++;
    }
    char *key = unescape(r, 0, key_len, errstr, errstr_size);
    if (!key) {
        return false;
    }
    char *value = unescape(r, value_start, limit, errstr, errstr_size);
    if (!value) {
        free(key);
        return false;
    }
    props_put(props, key, value);
    return true;
}

int properties_parse(properties_t *props, const char *text, size_t len, char *errstr,
                     size_t errstr_size)
{
    if (!text_check(text, len, errstr, errstr_size)) {
        return -1;
    }
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    /* Parsed into a scratch table first so an error leaves props untouched. */
    properties_t *parsed = properties_create();
    reader_t r = {.p = text, .end = text + len, .line = 1};
    int rc = 0;
    while (read_line(&r)) {
        if (!parse_line(&r, parsed, errstr, errstr_size)) {
            rc = -1;
            break;
        }
    }
    if (rc == 0) {
        for (size_t i = 0; i < parsed->count; i++) {
            props_put(props, parsed->items[i].key, parsed->items[i].value);
        }
        parsed->count = 0; /* the strings now belong to props */
    }
    free(r.buf.data);
    free(r.breaks);
    properties_destroy(parsed);
    return rc;
}

int properties_load_file(properties_t *props, const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* Read to the end rather than trusting a size from stat, so pipes and
     * /dev/stdin work too. */
    bytes_t text = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            bytes_push(&text, chunk[i]);
        }
    }
    int rc = 0;
    if (ferror(f)) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        rc = -1;
    } else {
        char err[512];
        if (properties_parse(props, text.data ? text.data : "", text.len, err, sizeof(err)) < 0) {
            snprintf(errstr, errstr_size, "%s: %s", path, err);
            rc = -1;
        }
    }
    fclose(f);
    free(text.data);
    return rc;
}
