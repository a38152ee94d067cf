/*
 * jdbc_url.c - pgJDBC's URL grammar to libpq keywords (jdbc_url.h).
 *
 * The URL is read as pgJDBC's Driver.parseURL reads it: after
 * "jdbc:postgresql:", either "//" and a comma-separated host list up to
 * '/', or the database alone; then '?' and '&'-separated properties.  A
 * host list becomes libpq's own lists (host=a,b port=1,2), which libpq
 * tries in order as pgJDBC does.
 */
#include "jdbc_url.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

#define JDBC_URL_PREFIX "jdbc:postgresql:"

/* Sets keyword `key` (replacing an earlier value); takes value. */
static void set_key(jdbc_url_t *u, const char *key, char *value)
{
    for (size_t i = 0; i < u->n; i++) {
        if (strcmp(u->keys[i], key) == 0) {
            free(u->values[i]);
            u->values[i] = value;
            return;
        }
    }
    u->keys = xrealloc(u->keys, (u->n + 2) * sizeof(*u->keys));
    u->values = xrealloc(u->values, (u->n + 2) * sizeof(*u->values));
    u->keys[u->n] = xstrdup(key);
    u->values[u->n] = value;
    u->n++;
    u->keys[u->n] = u->values[u->n] = NULL;
}

const char *jdbc_url_get(const jdbc_url_t *u, const char *key)
{
    for (size_t i = 0; i < u->n; i++) {
        if (strcmp(u->keys[i], key) == 0) {
            return u->values[i];
        }
    }
    return NULL;
}

void jdbc_url_free(jdbc_url_t *u)
{
    if (!u) {
        return;
    }
    for (size_t i = 0; i < u->n; i++) {
        free(u->keys[i]);
        free(u->values[i]);
    }
    free(u->keys);
    free(u->values);
    free(u->ignored);
    free(u);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The first n bytes of s URL-decoded as pgJDBC decodes (java.net.URLDecoder:
 * %XX is a byte, '+' a space); NULL for a '%' not followed by two hex
 * digits. */
static char *decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] != '%') {
            out[j++] = s[i];
        } else if (i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
            out[j++] = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else {
            free(out);
            return NULL;
        }
    }
    out[j] = '\0';
    return out;
}

/* pgJDBC's connection properties that libpq has under another name (or
 * the same), for the URL's properties. */
static const struct {
    const char *jdbc, *libpq;
} renames[] = {
    {"user", "user"},
    {"password", "password"},
    {"sslmode", "sslmode"},
    {"sslcert", "sslcert"},
    {"sslkey", "sslkey"},
    {"sslrootcert", "sslrootcert"},
    {"sslpassword", "sslpassword"},
    {"ApplicationName", "application_name"},
    {"connectTimeout", "connect_timeout"},
    {"loginTimeout", "connect_timeout"},
    {"gssEncMode", "gssencmode"},
    {"options", "options"},
};

/* targetServerType in pgJDBC's words and libpq's target_session_attrs. */
static const struct {
    const char *jdbc, *libpq;
} server_types[] = {
    {"any", "any"},
    {"primary", "read-write"},
    {"master", "read-write"},
    {"secondary", "standby"},
    {"slave", "standby"},
    {"preferSecondary", "prefer-standby"},
    {"preferSlave", "prefer-standby"},
    {"preferPrimary", "any"},
};

/* Appends `text` to an options value, spaces and backslashes escaped as
 * libpq's options keyword wants them. */
static void options_append(jdbc_url_t *u, const char *text)
{
    const char *old = jdbc_url_get(u, "options");
    size_t olen = old ? strlen(old) : 0;
    char *out = xmalloc(olen + 2 * strlen(text) + 2);
    size_t j = 0;
    if (olen) {
        memcpy(out, old, olen);
        j = olen;
        out[j++] = ' ';
    }
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\\') {
            out[j++] = '\\';
        }
        out[j++] = *p;
    }
    out[j] = '\0';
    set_key(u, "options", out);
}

static void note_ignored(jdbc_url_t *u, const char *name)
{
    size_t len = u->ignored ? strlen(u->ignored) : 0;
    u->ignored = xrealloc(u->ignored, len + strlen(name) + 3);
    snprintf(u->ignored + len, strlen(name) + 3, "%s%s", len ? ", " : "", name);
}

/* One property of the URL's query part, decoded. */
static int set_property(jdbc_url_t *u, const char *name, char *value, char *errbuf, size_t errlen)
{
    for (size_t i = 0; i < sizeof(renames) / sizeof(renames[0]); i++) {
        if (strcmp(name, renames[i].jdbc) == 0) {
            if (strcmp(renames[i].libpq, "options") == 0) {
                options_append(u, value);
                free(value);
            } else {
                set_key(u, renames[i].libpq, value);
            }
            return 0;
        }
    }
    if (strcmp(name, "currentSchema") == 0) {
        size_t len = strlen("-c search_path=") + strlen(value) + 1;
        char *opt = xmalloc(len);
        snprintf(opt, len, "-c search_path=%s", value);
        options_append(u, opt);
        free(opt);
        free(value);
        return 0;
    }
    if (strcmp(name, "ssl") == 0) {
        /* pgJDBC's ssl=true verifies the certificate and the host name. */
        if (strcasecmp(value, "true") == 0 && !jdbc_url_get(u, "sslmode")) {
            set_key(u, "sslmode", xstrdup("verify-full"));
        }
        free(value);
        return 0;
    }
    if (strcmp(name, "tcpKeepAlive") == 0) {
        set_key(u, "keepalives", xstrdup(strcasecmp(value, "true") == 0 ? "1" : "0"));
        free(value);
        return 0;
    }
    if (strcmp(name, "targetServerType") == 0) {
        for (size_t i = 0; i < sizeof(server_types) / sizeof(server_types[0]); i++) {
            if (strcmp(value, server_types[i].jdbc) == 0) {
                set_key(u, "target_session_attrs", xstrdup(server_types[i].libpq));
                free(value);
                return 0;
            }
        }
        snprintf(errbuf, errlen,
                 "connection.url has targetServerType=%s, which is none of any, primary, secondary, "
                 "preferSecondary, preferPrimary",
                 value);
        free(value);
        return -1;
    }
    note_ignored(u, name);
    free(value);
    return 0;
}

/* The query part: name=value pairs joined by '&'. */
static int parse_properties(jdbc_url_t *u, const char *q, char *errbuf, size_t errlen)
{
    while (*q) {
        size_t len = strcspn(q, "&");
        const char *eq = memchr(q, '=', len);
        size_t nlen = eq ? (size_t)(eq - q) : len;
        if (nlen > 0) {
            char *name = decode(q, nlen);
            char *value = eq ? decode(eq + 1, len - nlen - 1) : xstrdup("");
            if (!name || !value) {
                snprintf(errbuf, errlen,
                         "connection.url has a property with a malformed %%-escape (a %% must be followed by two hex "
                         "digits)");
                free(name);
                free(value);
                return -1;
            }
            int rc = set_property(u, name, value, errbuf, errlen);
            free(name);
            if (rc != 0) {
                return -1;
            }
        }
        q += len + (q[len] == '&');
    }
    return 0;
}

/* The host list between "//" and the database: host[:port] items, an IPv6
 * address in brackets, into libpq's host and port lists. */
static int parse_hosts(jdbc_url_t *u, const char *s, size_t n, char *errbuf, size_t errlen)
{
    char *hosts = xmalloc(n + 16 * (n + 1) + 1), *ports = xmalloc(8 * (n + 1) + 1);
    size_t hl = 0, pl = 0;
    const char *end = s + n;
    for (const char *p = s; p <= end;) {
        const char *item_end = memchr(p, ',', (size_t)(end - p));
        if (!item_end) {
            item_end = end;
        }
        const char *host = p, *host_end, *colon = NULL;
        if (p < item_end && *p == '[') {
            host_end = memchr(p, ']', (size_t)(item_end - p));
            if (!host_end) {
                snprintf(errbuf, errlen, "connection.url has an IPv6 address without its closing ']'");
                goto fail;
            }
            host = p + 1;
            colon = host_end + 1 < item_end && host_end[1] == ':' ? host_end + 1 : NULL;
            if (!colon && host_end + 1 != item_end) {
                snprintf(errbuf, errlen, "connection.url has text after an IPv6 address that is not ':port'");
                goto fail;
            }
        } else {
            colon = memchr(p, ':', (size_t)(item_end - p));
            host_end = colon ? colon : item_end;
        }
        const char *port = colon ? colon + 1 : NULL;
        size_t port_len = port ? (size_t)(item_end - port) : 0;
        if (port && (port_len == 0 || port_len > 5 || strspn(port, "0123456789") < port_len || atoi(port) < 1 ||
                     atoi(port) > 65535)) {
            snprintf(errbuf, errlen, "connection.url has a port that is not a number from 1 to 65535: '%.*s'",
                     (int)port_len, port);
            goto fail;
        }
        if (hl) {
            hosts[hl++] = ',';
            ports[pl++] = ',';
        }
        if (host_end == host) {
            memcpy(hosts + hl, "localhost", 9);
            hl += 9;
        } else {
            memcpy(hosts + hl, host, (size_t)(host_end - host));
            hl += (size_t)(host_end - host);
        }
        if (port) {
            memcpy(ports + pl, port, port_len);
            pl += port_len;
        } else {
            memcpy(ports + pl, "5432", 4);
            pl += 4;
        }
        p = item_end + 1;
    }
    hosts[hl] = ports[pl] = '\0';
    set_key(u, "host", hosts);
    set_key(u, "port", ports);
    return 0;
fail:
    free(hosts);
    free(ports);
    return -1;
}

/* A URL that is not PostgreSQL's: named by its subprotocol (the URL itself
 * may carry a password, so it is not repeated). */
static void refuse(const char *url, char *errbuf, size_t errlen)
{
    if (strncmp(url, "jdbc:", 5) == 0) {
        size_t len = strcspn(url + 5, ":/;?");
        snprintf(errbuf, errlen,
                 "connection.url is a JDBC URL of the '%.*s' dialect, and this connector supports only the "
                 "dialects of " JDBC_URL_DIALECTS,
                 (int)(len > 40 ? 40 : len), url + 5);
    } else {
        snprintf(errbuf, errlen,
                 "connection.url is not a JDBC URL (it does not start with 'jdbc:'): this connector supports "
                 "only " JDBC_URL_DIALECTS);
    }
}

jdbc_url_t *jdbc_url_parse(const char *url, const char *user, const char *password, char *errbuf, size_t errlen)
{
    if (!url || strncmp(url, JDBC_URL_PREFIX, strlen(JDBC_URL_PREFIX)) != 0) {
        refuse(url ? url : "", errbuf, errlen);
        return NULL;
    }
    jdbc_url_t *u = xcalloc(1, sizeof(*u));
    u->keys = xcalloc(1, sizeof(*u->keys));
    u->values = xcalloc(1, sizeof(*u->values));
    const char *rest = url + strlen(JDBC_URL_PREFIX);
    const char *query = strchr(rest, '?');
    size_t main_len = query ? (size_t)(query - rest) : strlen(rest);
    const char *db = rest;
    size_t db_len = main_len;
    if (strncmp(rest, "//", 2) == 0) {
        const char *hosts = rest + 2;
        const char *slash = memchr(hosts, '/', main_len - 2);
        size_t hosts_len = slash ? (size_t)(slash - hosts) : main_len - 2;
        if (parse_hosts(u, hosts, hosts_len, errbuf, errlen) != 0) {
            goto fail;
        }
        db = slash ? slash + 1 : rest + main_len;
        db_len = slash ? main_len - 2 - hosts_len - 1 : 0;
    } else {
        set_key(u, "host", xstrdup("localhost"));
        set_key(u, "port", xstrdup("5432"));
        if (db_len && db[0] == '/') {
            db++;
            db_len--;
        }
    }
    if (db_len) {
        char *name = decode(db, db_len);
        if (!name) {
            snprintf(errbuf, errlen,
                     "connection.url has a database name with a malformed %%-escape (a %% must be followed by two "
                     "hex digits)");
            goto fail;
        }
        set_key(u, "dbname", name);
    }
    if (query && parse_properties(u, query + 1, errbuf, errlen) != 0) {
        goto fail;
    }
    if (user && user[0]) {
        set_key(u, "user", xstrdup(user));
    }
    if (password && password[0]) {
        set_key(u, "password", xstrdup(password));
    }
    return u;
fail:
    jdbc_url_free(u);
    return NULL;
}
