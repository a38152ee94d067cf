/*
 * java_regex.c - Java regex syntax translated to POSIX ERE (java_regex.h).
 *
 * The translator is a single left-to-right pass that copies what the two
 * dialects share and rewrites the rest.  Groups are the subtle part: ERE
 * has no non-capturing groups, so (?:...) becomes a capturing group, and a
 * table maps each Java group number to its ERE number (shifted by one more
 * for the ^(...)$ wrapper) so $n in a replacement still finds Java's group.
 */
#include "java_regex.h"

#include <ctype.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 64

struct java_regex {
    regex_t compiled;
    size_t java_groups;             /* Java's groupCount() */
    size_t posix_groups;            /* ERE groups, the wrapper included */
    size_t group_map[MAX_GROUPS + 1]; /* Java group -> ERE group; [0] = the wrapper */
    char *names[MAX_GROUPS + 1];    /* named groups, by Java number */
};

typedef struct ere_buf {
    char *data;
    size_t len, cap;
    int failed;
} ere_buf_t;

static void put(ere_buf_t *b, const char *s, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void puts_(ere_buf_t *b, const char *s)
{
    put(b, s, strlen(s));
}

/* One literal byte, escaped when ERE gives it a meaning. */
static void put_literal(ere_buf_t *b, unsigned char c)
{
    char two[2] = {'\\', (char)c};
    if (strchr(".[]()*+?{}|^$\\", c) && c) {
        put(b, two, 2);
    } else {
        put(b, two + 1, 1);
    }
}

/* A code point as UTF-8 literal bytes. */
static void put_codepoint(ere_buf_t *b, uint32_t cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    for (size_t i = 0; i < n; i++) {
        put_literal(b, u[i]);
    }
}

static int hex_value(const char *s, int digits, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isxdigit((unsigned char)s[i])) {
            return -1;
        }
        v = v * 16 + (uint32_t)(isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10);
    }
    *out = v;
    return 0;
}

/* The single character an escape like \t or \x41 stands for; the number
 * of pattern bytes after the backslash it used, or 0 if it is not one. */
static size_t escape_char(const char *p, uint32_t *cp)
{
    switch (*p) {
    case 't':
        *cp = '\t';
        return 1;
    case 'n':
        *cp = '\n';
        return 1;
    case 'r':
        *cp = '\r';
        return 1;
    case 'f':
        *cp = '\f';
        return 1;
    case 'a':
        *cp = 7;
        return 1;
    case 'e':
        *cp = 27;
        return 1;
    case 'x':
        return hex_value(p + 1, 2, cp) == 0 ? 3 : 0;
    case 'u':
        return hex_value(p + 1, 4, cp) == 0 ? 5 : 0;
    default:
        return 0;
    }
}

typedef struct translate {
    java_regex_t *re;
    ere_buf_t out;
    char *errstr;
    size_t errstr_size;
    int cflags;
} translate_t;

static int refuse(translate_t *t, const char *what)
{
    snprintf(t->errstr, t->errstr_size, "%s is not supported (Java regex translated to POSIX ERE)", what);
    return -1;
}

/* A [...] class from just after '['; returns the pattern after ']'. */
static const char *translate_class(translate_t *t, const char *p)
{
    ere_buf_t body = {0};
    int negate = 0, lit_close = 0, lit_dash = 0, lit_caret = 0, lit_open = 0;
    if (*p == '^') {
        negate = 1;
        p++;
    }
    int first = 1;
    while (*p && (*p != ']' || first)) {
        first = 0;
        uint32_t c;
        if (*p == '[') {
            if (p[1] == ':' || p[1] == '.' || p[1] == '=') {
                lit_open = 1;
                p++;
                continue;
            }
            refuse(t, "a nested character class");
            goto fail;
        }
        if (p[0] == '&' && p[1] == '&') {
            refuse(t, "character class intersection (&&)");
            goto fail;
        }
        if (*p == '\\') {
            p++;
            size_t used = escape_char(p, &c);
            if (used) {
                p += used;
            } else if (*p == 'd') {
                puts_(&body, "[:digit:]");
                p++;
                continue;
            } else if (*p == 'w') {
                puts_(&body, "[:alnum:]_");
                p++;
                continue;
            } else if (*p == 's') {
                puts_(&body, "[:space:]");
                p++;
                continue;
            } else if (*p && !isalnum((unsigned char)*p)) {
                c = (unsigned char)*p++;
            } else {
                char what[64];
                snprintf(what, sizeof(what), "the escape \\%c inside a character class", *p ? *p : ' ');
                refuse(t, what);
                goto fail;
            }
        } else {
            c = (unsigned char)*p++;
        }
        if (*p == '-' && p[1] && p[1] != ']') {
            /* A range: both ends plain characters. */
            uint32_t hi;
            const char *q = p + 1;
            if (*q == '\\') {
                size_t used = escape_char(q + 1, &hi);
                if (!used) {
                    if (!q[1] || isalnum((unsigned char)q[1])) {
                        refuse(t, "a class shorthand as a range end");
                        goto fail;
                    }
                    hi = (unsigned char)q[1];
                    used = 1;
                }
                q += 1 + used;
            } else {
                hi = (unsigned char)*q++;
            }
            if (c == ']' || c == '-' || c == '^' || hi == ']' || hi == '-' || hi == '^' || c > 0x7f || hi > 0x7f) {
                refuse(t, "a range with ']', '-', '^' or non-ASCII ends");
                goto fail;
            }
            char range[3] = {(char)c, '-', (char)hi};
            put(&body, range, 3);
            p = q;
            continue;
        }
        if (c == ']') {
            lit_close = 1;
        } else if (c == '-') {
            lit_dash = 1;
        } else if (c == '^') {
            lit_caret = 1;
        } else if (c == '[') {
            lit_open = 1;
        } else if (c < 0x80) {
            char one = (char)c;
            put(&body, &one, 1);
        } else {
            refuse(t, "a non-ASCII character in a character class");
            goto fail;
        }
    }
    if (*p != ']') {
        snprintf(t->errstr, t->errstr_size, "Unclosed character class");
        goto fail;
    }
    p++;
    /* ERE has no escapes in brackets: ']' goes first, '^' anywhere but
     * first, '-' last. */
    puts_(&t->out, negate ? "[^" : "[");
    if (lit_close) {
        puts_(&t->out, "]");
    }
    if (body.len) {
        put(&t->out, body.data, body.len);
    }
    if (lit_open) {
        puts_(&t->out, "[");
    }
    if (lit_caret) {
        puts_(&t->out, (body.len || lit_close || lit_open) ? "^" : "\\^");
    }
    if (lit_dash) {
        puts_(&t->out, "-");
    }
    puts_(&t->out, "]");
    free(body.data);
    return p;
fail:
    free(body.data);
    return NULL;
}

static int open_group(translate_t *t, const char *name, size_t name_len, int capturing)
{
    java_regex_t *re = t->re;
    re->posix_groups++;
    if (capturing) {
        if (re->java_groups >= MAX_GROUPS) {
            return refuse(t, "more than 64 groups");
        }
        re->java_groups++;
        re->group_map[re->java_groups] = re->posix_groups;
        if (name) {
            re->names[re->java_groups] = strndup(name, name_len);
        }
    }
    puts_(&t->out, "(");
    return 0;
}

static int translate(translate_t *t, const char *p)
{
    if (strncmp(p, "(?i)", 4) == 0) {
        t->cflags |= REG_ICASE;
        p += 4;
    }
    while (*p) {
        char c = *p;
        if (c == '\\') {
            p++;
            uint32_t cp;
            size_t used = escape_char(p, &cp);
            if (used) {
                put_codepoint(&t->out, cp);
                p += used;
                continue;
            }
            switch (*p) {
            case 'd':
                puts_(&t->out, "[0-9]");
                break;
            case 'D':
                puts_(&t->out, "[^0-9]");
                break;
            case 'w':
                puts_(&t->out, "[A-Za-z0-9_]");
                break;
            case 'W':
                puts_(&t->out, "[^A-Za-z0-9_]");
                break;
            case 's':
                puts_(&t->out, "[[:space:]]");
                break;
            case 'S':
                puts_(&t->out, "[^[:space:]]");
                break;
            case 'b':
                puts_(&t->out, "\\b");
                break;
            case 'B':
                puts_(&t->out, "\\B");
                break;
            case 'A':
                puts_(&t->out, "^");
                break;
            case 'z':
            case 'Z':
                puts_(&t->out, "$");
                break;
            case 'Q': {
                const char *end = strstr(p + 1, "\\E");
                size_t n = end ? (size_t)(end - (p + 1)) : strlen(p + 1);
                for (size_t i = 0; i < n; i++) {
                    put_literal(&t->out, (unsigned char)p[1 + i]);
                }
                p += 1 + n + (end ? 2 : 0);
                continue;
            }
            case '\0':
                snprintf(t->errstr, t->errstr_size, "Unexpected internal error");
                return -1;
            default:
                if (isdigit((unsigned char)*p) && *p != '0') {
                    size_t g = (size_t)(*p - '0');
                    if (g > t->re->java_groups || t->re->group_map[g] > 9) {
                        return refuse(t, "a back-reference to a later or tenth group");
                    }
                    char ref[3] = {'\\', (char)('0' + t->re->group_map[g]), 0};
                    puts_(&t->out, ref);
                } else if (!isalnum((unsigned char)*p)) {
                    put_literal(&t->out, (unsigned char)*p);
                } else {
                    char what[32];
                    snprintf(what, sizeof(what), "the escape \\%c", *p);
                    return refuse(t, what);
                }
            }
            p++;
            continue;
        }
        if (c == '[') {
            p = translate_class(t, p + 1);
            if (!p) {
                return -1;
            }
            continue;
        }
        if (c == '(') {
            if (p[1] != '?') {
                if (open_group(t, NULL, 0, 1) < 0) {
                    return -1;
                }
                p++;
                continue;
            }
            if (p[2] == ':') {
                if (open_group(t, NULL, 0, 0) < 0) {
                    return -1;
                }
                p += 3;
                continue;
            }
            if (p[2] == '<' && isalpha((unsigned char)p[3])) {
                const char *name = p + 3;
                size_t n = 0;
                while (isalnum((unsigned char)name[n])) {
                    n++;
                }
                if (name[n] != '>') {
                    snprintf(t->errstr, t->errstr_size, "named capturing group is missing trailing '>'");
                    return -1;
                }
                if (open_group(t, name, n, 1) < 0) {
                    return -1;
                }
                p = name + n + 1;
                continue;
            }
            if (p[2] == '=' || p[2] == '!' || p[2] == '<') {
                return refuse(t, "lookaround");
            }
            if (p[2] == '>') {
                return refuse(t, "an atomic group");
            }
            return refuse(t, "an inline flag other than a leading (?i)");
        }
        if (c == '*' || c == '+' || c == '?' || c == '}') {
            put(&t->out, &c, 1);
            p++;
            if (*p == '?') {
                return refuse(t, "a lazy quantifier");
            }
            if (*p == '+') {
                return refuse(t, "a possessive quantifier");
            }
            continue;
        }
        put(&t->out, &c, 1);
        p++;
    }
    return 0;
}

java_regex_t *java_regex_compile(const char *pattern, char *errstr, size_t errstr_size)
{
    java_regex_t *re = calloc(1, sizeof(*re));
    translate_t t = {.re = re, .errstr = errstr, .errstr_size = errstr_size, .cflags = REG_EXTENDED};
    if (!re) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    re->posix_groups = 1; /* the ^(...)$ wrapper */
    re->group_map[0] = 1;
    puts_(&t.out, "^(");
    if (translate(&t, pattern) < 0) {
        goto fail;
    }
    puts_(&t.out, ")$");
    if (t.out.failed) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    int rc = regcomp(&re->compiled, t.out.data, t.cflags);
    if (rc != 0) {
        regerror(rc, &re->compiled, errstr, errstr_size);
        goto fail;
    }
    free(t.out.data);
    return re;
fail:
    free(t.out.data);
    for (size_t i = 0; i <= MAX_GROUPS; i++) {
        free(re->names[i]);
    }
    free(re);
    return NULL;
}

void java_regex_free(java_regex_t *re)
{
    if (!re) {
        return;
    }
    regfree(&re->compiled);
    for (size_t i = 0; i <= MAX_GROUPS; i++) {
        free(re->names[i]);
    }
    free(re);
}

bool java_regex_matches(const java_regex_t *re, const char *text)
{
    return regexec(&re->compiled, text, 0, NULL, 0) == 0;
}

static void append_group(ere_buf_t *out, const char *text, const regmatch_t *m)
{
    if (m->rm_so >= 0) {
        put(out, text + m->rm_so, (size_t)(m->rm_eo - m->rm_so));
    }
}

/* Matcher.appendReplacement's reading of the replacement string. */
int java_regex_replace(const java_regex_t *re, const char *text, const char *replacement, char **out,
                       char *errstr, size_t errstr_size)
{
    regmatch_t m[MAX_GROUPS + 2];
    size_t nmatch = re->posix_groups + 1;
    if (nmatch > sizeof(m) / sizeof(*m)) {
        nmatch = sizeof(m) / sizeof(*m);
    }
    if (regexec(&re->compiled, text, nmatch, m, 0) != 0) {
        return 0;
    }
    ere_buf_t res = {0};
    puts_(&res, "");
    for (const char *p = replacement; *p;) {
        if (*p == '\\') {
            if (!p[1]) {
                snprintf(errstr, errstr_size, "character to be escaped is missing");
                goto fail;
            }
            put(&res, p + 1, 1);
            p += 2;
            continue;
        }
        if (*p != '$') {
            put(&res, p, 1);
            p++;
            continue;
        }
        p++;
        size_t group;
        if (!*p) {
            snprintf(errstr, errstr_size, "Illegal group reference: group index is missing");
            goto fail;
        }
        if (*p == '{') {
            const char *name = ++p;
            size_t n = 0;
            while (isalnum((unsigned char)name[n])) {
                n++;
            }
            if (n == 0 || !isalpha((unsigned char)name[0])) {
                snprintf(errstr, errstr_size, "named capturing group has 0 length name");
                goto fail;
            }
            if (name[n] != '}') {
                snprintf(errstr, errstr_size, "named capturing group is missing trailing '}'");
                goto fail;
            }
            group = 0;
            for (size_t g = 1; g <= re->java_groups; g++) {
                if (re->names[g] && strlen(re->names[g]) == n && strncmp(re->names[g], name, n) == 0) {
                    group = g;
                }
            }
            if (!group) {
                snprintf(errstr, errstr_size, "No group with name {%.*s}", (int)n, name);
                goto fail;
            }
            p = name + n + 1;
        } else {
            if (!isdigit((unsigned char)*p)) {
                snprintf(errstr, errstr_size, "Illegal group reference");
                goto fail;
            }
            group = (size_t)(*p++ - '0');
            if (group > re->java_groups) {
                snprintf(errstr, errstr_size, "No group %zu", group);
                goto fail;
            }
            /* Further digits belong to the number while it names a group. */
            while (isdigit((unsigned char)*p)) {
                size_t longer = group * 10 + (size_t)(*p - '0');
                if (longer > re->java_groups) {
                    break;
                }
                group = longer;
                p++;
            }
        }
        if (re->group_map[group] < nmatch) {
            append_group(&res, text, &m[re->group_map[group]]);
        }
    }
    if (res.failed) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    *out = res.data;
    return 1;
fail:
    free(res.data);
    return -1;
}

int java_regex_validate(const char *value, char *errbuf, size_t errlen)
{
    char why[256] = "";
    java_regex_t *re = java_regex_compile(value, why, sizeof(why));
    if (!re) {
        snprintf(errbuf, errlen, "Invalid regex: %s", why);
        return -1;
    }
    java_regex_free(re);
    return 0;
}
