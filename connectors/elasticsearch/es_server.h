/*
 * es_server.h - which server the sink talks to, from GET /:
 *
 *   {"name":"node-1","cluster_name":"es","version":{"number":"8.11.0",...},"tagline":"You Know, for Search"}
 *   {... "version":{"distribution":"opensearch","number":"2.11.0",...}, "tagline":"The OpenSearch Project: ..."}
 *
 * and what follows from it: the API generation (es_doc.h es_api_t) and
 * whether it has data streams (Elasticsearch 7.9, OpenSearch 1.0).
 */
#ifndef CONNECTD_ES_SERVER_H
#define CONNECTD_ES_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "es_doc.h"

typedef struct es_server {
    char number[32]; /* "8.11.0" */
    bool opensearch;
    int major, minor;
    es_api_t api;
    bool data_streams;
} es_server_t;

/* Reads a GET / answer; -1 after writing why into errbuf. */
int es_server_parse(const char *body, size_t len, es_server_t *out, char *errbuf, size_t errlen);

/* "Elasticsearch 8.11.0" or "OpenSearch 2.11.0", for messages. */
void es_server_describe(const es_server_t *srv, char *out, size_t outlen);

#endif
