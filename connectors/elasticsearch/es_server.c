/*
 * es_server.c - the server's version and what it implies (es_server.h).
 */
#include "es_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_buf.h"
#include "es_json_reader.h"

int es_server_parse(const char *body, size_t len, es_server_t *out, char *errbuf, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    es_buf_t number, dist;
    es_buf_init(&number);
    es_buf_init(&dist);
    bool ok = es_json_path_text(body, len, "version.number", &number) && number.len > 0;
    es_json_path_text(body, len, "version.distribution", &dist);
    if (!ok || sscanf(number.data, "%d.%d", &out->major, &out->minor) < 1) {
        snprintf(errbuf, errlen, "the answer to GET / has no version.number: is this Elasticsearch or OpenSearch?");
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
