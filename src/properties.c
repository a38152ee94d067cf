/*
 * properties.c - Java .properties parsing (java.util.Properties.load
 * semantics); see properties.h.
 *
 * The parser works on logical lines: physical lines joined where a line ends
 * in an odd number of backslashes.  Each logical line is split into key and
 * value at the first unescaped '=', ':' or whitespace; whitespace after the
 * key, one '=' or ':' and whitespace after that are skipped.  Escapes are
 * decoded in both key and value.  Trailing whitespace of a value is kept, as
 * in Java.
 */
#include "properties.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct prop {
    char *key;
    char *value;
} prop_t;

struct properties {
    prop_t *items;
    size_t count, cap;
};

/* A growable string for decoding. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
} sbuf_t;

static void sbuf_putc(sbuf_t *s, char c)
{
    if (s->len + 2 > s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->data = realloc(s->data, s->cap);
        if (!s->data) {
            abort();
        }
    }
    s->data[s->len++] = c;
    s->data[s->len] = '\0';
}

static char *sbuf_take(sbuf_t *s)
{
    if (!s->data) {
        sbuf_putc(s, 'x');
        s->len = 0;
        s->data[0] = '\0';
    }
    char *d = s->data;
    s->data = NULL;
    s->len = s->cap = 0;
    return d;
}

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
    free(props);
}

/* Takes ownership of key and value. */
static void set_owned(properties_t *props, char *key, char *value)
{
    for (size_t i = 0; i < props->count; i++) {
        if (strcmp(props->items[i].key, key) == 0) {
            free(key);
            free(props->items[i].value);
            props->items[i].value = value;
            return;
        }
    }
    if (props->count == props->cap) {
        props->cap = props->cap ? props->cap * 2 : 16;
        props->items = realloc(props->items, props->cap * sizeof(prop_t));
        if (!props->items) {
            abort();
        }
    }
    props->items[props->count++] = (prop_t){key, value};
}

void properties_set(properties_t *props, const char *key, const char *value)
{
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        abort();
    }
    set_owned(props, k, v);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

static void put_utf8(sbuf_t *s, unsigned cp)
{
    if (cp < 0x80) {
        sbuf_putc(s, (char)cp);
    } else if (cp < 0x800) {
        sbuf_putc(s, (char)(0xC0 | (cp >> 6)));
        sbuf_putc(s, (char)(0x80 | (cp & 0x3F)));
    } else {
        sbuf_putc(s, (char)(0xE0 | (cp >> 12)));
        sbuf_putc(s, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sbuf_putc(s, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Decodes one escape at text[*i] (just after the backslash) into out. */
static bool decode_escape(const char *text, size_t len, size_t *i, sbuf_t *out)
{
    char c = text[*i];
    (*i)++;
    switch (c) {
    case 't':
        sbuf_putc(out, '\t');
        return true;
    case 'n':
        sbuf_putc(out, '\n');
        return true;
    case 'r':
        sbuf_putc(out, '\r');
        return true;
    case 'f':
        sbuf_putc(out, '\f');
        return true;
    case 'u': {
        if (*i + 4 > len) {
            return false;
        }
        unsigned cp = 0;
        for (int k = 0; k < 4; k++) {
            char h = text[*i + (size_t)k];
            int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                                   : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (d < 0) {
                return false;
            }
            cp = cp * 16 + (unsigned)d;
        }
        *i += 4;
        put_utf8(out, cp);
        return true;
    }
    default:
        sbuf_putc(out, c);
        return true;
    }
}

/* Parses one logical line (continuations already joined, escapes intact). */
static int parse_line(properties_t *props, const char *line, size_t len, int lineno, char *errstr,
                      size_t errstr_size)
{
    size_t i = 0;
    while (i < len && is_ws(line[i])) {
        i++;
    }
    if (i == len || line[i] == '#' || line[i] == '!') {
        return 0;
    }
    sbuf_t key = {0}, value = {0};
    while (i < len && line[i] != '=' && line[i] != ':' && !is_ws(line[i])) {
        if (line[i] == '\\' && i + 1 < len) {
            i++;
            if (!decode_escape(line, len, &i, &key)) {
                goto bad_escape;
            }
        } else {
            sbuf_putc(&key, line[i++]);
        }
    }
    while (i < len && is_ws(line[i])) {
        i++;
    }
    if (i < len && (line[i] == '=' || line[i] == ':')) {
        i++;
    }
    while (i < len && is_ws(line[i])) {
        i++;
    }
    while (i < len) {
        if (line[i] == '\\' && i + 1 < len) {
            i++;
            if (!decode_escape(line, len, &i, &value)) {
                goto bad_escape;
            }
        } else {
            sbuf_putc(&value, line[i++]);
        }
    }
    set_owned(props, sbuf_take(&key), sbuf_take(&value));
    return 0;
bad_escape:
    free(key.data);
    free(value.data);
    snprintf(errstr, errstr_size, "line %d: invalid \\u escape (expected four hex digits)", lineno);
    return -1;
}

/* Whether a physical line ends in an odd number of backslashes. */
static bool continues(const char *line, size_t len)
{
    size_t n = 0;
    while (n < len && line[len - 1 - n] == '\\') {
        n++;
    }
    return n % 2 == 1;
}

int properties_parse(properties_t *props, const char *text, size_t len, char *errstr, size_t errstr_size)
{
    sbuf_t logical = {0};
    int lineno = 0, start_line = 0;
    bool joining = false;
    size_t pos = 0;
    int rc = 0;
    while (pos < len && rc == 0) {
        size_t end = pos;
        while (end < len && text[end] != '\n' && text[end] != '\r') {
            end++;
        }
        lineno++;
        const char *line = text + pos;
        size_t n = end - pos;
        /* One line break: \n, \r or \r\n. */
        pos = end < len && text[end] == '\r' && end + 1 < len && text[end + 1] == '\n' ? end + 2 : end + 1;
        if (memchr(line, '\0', n)) {
            snprintf(errstr, errstr_size, "line %d: contains a NUL byte; is this a text file?", lineno);
            rc = -1;
            break;
        }
        size_t skip = 0;
        if (joining) {
            while (skip < n && is_ws(line[skip])) {
                skip++; /* leading whitespace of a continuation is dropped */
            }
        } else {
            start_line = lineno;
            /* A comment line never continues, even if it ends in '\'. */
            size_t k = 0;
            while (k < n && is_ws(line[k])) {
                k++;
            }
            if (k < n && (line[k] == '#' || line[k] == '!')) {
                continue;
            }
        }
        bool more = continues(line + skip, n - skip);
        for (size_t k = skip; k < n - (more ? 1 : 0); k++) {
            sbuf_putc(&logical, line[k]);
        }
        joining = more;
        if (!more) {
            rc = parse_line(props, logical.data ? logical.data : "", logical.len, start_line, errstr,
                            errstr_size);
            logical.len = 0;
        }
    }
    if (rc == 0 && joining) {
        rc = parse_line(props, logical.data ? logical.data : "", logical.len, start_line, errstr, errstr_size);
    }
    free(logical.data);
    return rc;
}

int properties_load_file(properties_t *props, const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    sbuf_t text = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            sbuf_putc(&text, chunk[i]);
        }
    }
    bool read_error = ferror(f);
    fclose(f);
    if (read_error) {
        free(text.data);
        snprintf(errstr, errstr_size, "%s: read error", path);
        return -1;
    }
    char err[256];
    int rc = properties_parse(props, text.data ? text.data : "", text.len, err, sizeof(err));
    free(text.data);
    if (rc < 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, err);
    }
    return rc;
}

int properties_set_override(properties_t *props, const char *kv, char *errstr, size_t errstr_size)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        snprintf(errstr, errstr_size, "expected key=value, got '%s'", kv);
        return -1;
    }
    char *key = strndup(kv, (size_t)(eq - kv));
    char *value = strdup(eq + 1);
    if (!key || !value) {
        abort();
    }
    set_owned(props, key, value);
    return 0;
}

const char *properties_get(const properties_t *props, const char *key)
{
    for (size_t i = 0; i < props->count; i++) {
        if (strcmp(props->items[i].key, key) == 0) {
            return props->items[i].value;
        }
    }
    return NULL;
}

size_t properties_count(const properties_t *props)
{
    return props->count;
}

const char *properties_key_at(const properties_t *props, size_t i)
{
    return props->items[i].key;
}

const char *properties_value_at(const properties_t *props, size_t i)
{
    return props->items[i].value;
}
