/*
 * es_plugin.c - connectd-elasticsearch.so: an Elasticsearch (and
 * OpenSearch) sink that answers to Confluent's class name and settings, so
 * a Confluent connector config, POSTed as it is, writes the same documents.
 * Built on the public plugin ABI (1.3: it rejects malformed documents after
 * put(), when their bulk request completes) plus libcurl
 * (docs/connectors/elasticsearch.md).
 *
 * The parts:
 *   es_config.c         the settings table and its parsed form
 *   es_http.c           libcurl: URLs and failover, auth, TLS, proxy, timeouts
 *   es_server.c         the server's version and API generation (GET /)
 *   es_buf.c            the buffer JSON text is written into
 *   es_doc.c            records as bulk actions, straight from the data API
 *   es_mapping.c        index mappings from Connect schemas
 *   es_json_reader.c    a pull reader for what comes back
 *   es_bulk_response.c  a bulk response's items and what each means
 *   es_pipeline.c       batching, requests in flight, retries (its own thread)
 *   es_task.c           the task: indices, put, flush, outcomes, metrics
 */
#include "es_plugin.h"

#include <curl/curl.h>
#include <stddef.h>
#include <stdio.h>

#include "es_config.h"

#ifndef ES_PLUGIN_VERSION
#define ES_PLUGIN_VERSION "0.0.0"
#endif

const cd_host_api_t *es_host;

/* Every check that spans settings (Confluent's Validator), so that POST
 * /connectors answers 400 with what to fix.  The server is not contacted:
 * a sink created while Elasticsearch is down starts once it is back. */
static cd_rc_t es_validate(cd_task_t *conn, char *errbuf, size_t errlen)
{
    es_config_t *cfg = es_config_read(es_host, conn, errbuf, errlen);
    if (!cfg) {
        return CD_CONFIG;
    }
    es_config_free(cfg);
    return CD_OK;
}

/* Every task writes whatever partitions it is given: tasks.max of them. */
static cd_rc_t es_task_configs(cd_task_t *conn, int max_tasks)
{
    for (int i = 0; i < max_tasks; i++) {
        es_host->task_config_add(conn);
    }
    return CD_OK;
}

static const char *const es_aliases[] = {
    "ElasticsearchSinkConnector",
    NULL,
};

static const cd_plugin_desc_t es_sink = {
    CD_PLUGIN_DESC_HEADER,
    .name = "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
    .version = ES_PLUGIN_VERSION,
    .description = "Writes records to Elasticsearch or OpenSearch indices with the bulk API, with Confluent's "
                   "settings.",
    .kind = CD_KIND_SINK,
    .aliases = es_aliases,
    .config = es_config_defs,
    .validate = es_validate,
    .task_configs = es_task_configs,
    .start = es_task_start,
    .put = es_task_put,
    .flush = es_task_flush,
    .wakeup = es_task_wakeup,
    .stop = es_task_stop,
};

static const cd_plugin_desc_t *const es_connectors[] = {&es_sink, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    /* Everything used but metric_set and progress_set (checked at each
     * call) is in ABI 1.0; rejecting after put() needs a 1.3 worker. */
    if (host->abi_major != CD_ABI_MAJOR || !CD_HOST_HAS(host, record_header_schema)) {
        return NULL;
    }
    if (host->abi_minor < 3) {
        host->log(NULL, CD_LOG_ERROR,
                  "the Elasticsearch sink needs plugin ABI 1.3 (it rejects documents after put()); this worker "
                  "speaks %u.%u",
                  host->abi_major, host->abi_minor);
        return NULL;
    }
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    if (info->version_num < 0x074400) { /* curl_multi_wakeup and curl_multi_poll: 7.68 */
        host->log(NULL, CD_LOG_ERROR, "the Elasticsearch sink needs libcurl 7.68 or later; this one is %s",
                  info->version);
        return NULL;
    }
    es_host = host;
    return es_connectors;
}
