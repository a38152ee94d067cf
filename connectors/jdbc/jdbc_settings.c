/*
 * jdbc_settings.c - what the JDBC source's and sink's settings share
 * (jdbc_settings.h).
 */
#include "jdbc_settings.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pgc_tz.h"
#include "xalloc.h"

void jdbc_list_split(const char *text, jdbc_list_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = text ? text : "";
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *s = p, *e = p + len;
        while (s < e && isspace((unsigned char)*s)) {
            s++;
        }
        while (e > s && isspace((unsigned char)e[-1])) {
            e--;
        }
        if (e > s) {
            out->items = xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
            out->items[out->n++] = xstrndup(s, (size_t)(e - s));
        }
        p += len + (p[len] == ',');
    }
}

void jdbc_list_free(jdbc_list_t *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i]);
        if (list->re) {
            regfree(&list->re[i]);
        }
    }
    free(list->items);
    free(list->re);
    memset(list, 0, sizeof(*list));
}

bool jdbc_list_contains(const jdbc_list_t *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++) {
        if (strcmp(list->items[i], name) == 0) {
            return true;
        }
    }
    return false;
}

char *jdbc_trimmed(const char *s)
{
    s = s ? s : "";
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    return xstrndup(s, n);
}

int jdbc_validate_timezone(const char *value, char *errbuf, size_t errlen)
{
    pgc_tz_t *tz = pgc_tz_load(value ? value : "", errbuf, errlen);
    pgc_tz_free(tz);
    return tz == NULL;
}
