/*
 * es_server.c - the server's version and what it implies (es_server.h).
 */
#include "es_server.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_buf.h"
#include "es_json_reader.h"

/* One dotted part of a version ("8" of "8.11.0"): digits, then the end, a
 * '.' or a '-' ("8.0.0-SNAPSHOT"); *text is left after it.  False for
 * anything else, and for a number no server has (sscanf's %d would be
 * undefined past INT_MAX). */
static bool version_part(const char **text, int *out)
{
    const char *p = *text;
    long n = 0;
    if (*p < '0' || *p > '9') {
        return false;
    }
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (*p++ - '0');
        if (n > 100000) {
            return false;
        }
    }
    if (*p != '\0' && *p != '.' && *p != '-') {
        return false;
    }
    *out = (int)n;
    *text = *p == '.' ? p + 1 : p;
    return true;
}

int es_server_parse(const char *body, size_t len, es_server_t *out, char *errbuf, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    es_buf_t number, dist;
    es_buf_init(&number);
    es_buf_init(&dist);
    bool ok = es_json_path_text(body, len, "version.number", &number) && number.len > 0;
    es_json_path_text(body, len, "version.distribution", &dist);
    const char *v = ok ? number.data : "";
    if (!ok || !version_part(&v, &out->major) || (*v && *v != '-' && !version_part(&v, &out->minor))) {
        snprintf(errbuf, errlen,
                 "the answer to GET / has no version.number of the form MAJOR.MINOR.PATCH%s%s: is this Elasticsearch "
                 "or OpenSearch?",
                 ok ? ", but " : "", ok ? number.data : "");
        es_buf_free(&number);
        es_buf_free(&dist);
        return -1;
    }
    snprintf(out->number, sizeof(out->number), "%s", number.data);
    out->opensearch = dist.len && strcmp(dist.data, "opensearch") == 0;
    es_buf_free(&number);
    es_buf_free(&dist);
    if (out->opensearch || out->major >= 7) {
        out->api = ES_API_TYPELESS;
    } else if (out->major == 6) {
        out->api = ES_API_DOC_TYPE;
    } else {
        out->api = ES_API_TYPED;
    }
    out->data_streams = out->opensearch || out->major > 7 || (out->major == 7 && out->minor >= 9);
    return 0;
}

void es_server_describe(const es_server_t *srv, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s %s", srv->opensearch ? "OpenSearch" : "Elasticsearch", srv->number);
}
