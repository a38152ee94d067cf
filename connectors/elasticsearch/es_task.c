/*
 * es_task.c - the Elasticsearch sink task.
 *
 * put() turns each record into a bulk action (es_doc.c) and hands it to
 * the pipeline (es_pipeline.c), which sends it from its own thread; the
 * outcome of each document comes back to this thread in a later put() or
 * in flush(), where it is applied: written, a replay (an external version
 * conflict), malformed (behavior.on.malformed.documents; the record goes to
 * the worker's dead letter queue through record_reject, ABI 1.3), or
 * fatal.  flush() waits until Elasticsearch answered for every document
 * put so far, so the offsets the worker then commits are only ever those
 * of acknowledged records: after a crash the records since the last
 * commit come again, and their external versions make the replay change
 * nothing.
 *
 * Before the first document the task reads the server's version (GET /)
 * and before the first document of each index makes sure the index (or
 * data stream) exists, with a mapping from the record's schema unless the
 * topic's schema is ignored.  While the server cannot be reached for
 * these, put() asks the worker to try again later (CD_RETRY) before it has
 * taken any record, and the task's status shows why as its progress.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_buf.h"
#include "es_bulk_response.h"
#include "es_config.h"
#include "es_doc.h"
#include "es_http.h"
#include "es_mapping.h"
#include "es_pipeline.h"
#include "es_plugin.h"
#include "es_server.h"

#define ERR_LEN 2048

/* An index (or data stream) this task made sure of, and a topic's names. */
typedef struct es_name {
    struct es_name *next;
    char *name;  /* topic, or index */
    char *index; /* for a topic: its index */
} es_name_t;

typedef struct es_task {
    cd_task_t *task;
    es_config_t *cfg;
    es_http_t *http;
    es_pipeline_t *pipe;
    bool server_known;
    es_server_t server;
    es_doc_ctx_t doc;
    es_name_t *topics;  /* topic -> index, and the topic names items borrow */
    es_name_t *indices; /* indices known to exist */
    bool reporter;      /* the worker has a dead letter queue or error log for record_reject */
    char *failure;      /* why the task cannot go on, found while delivering */
    bool waiting_shown; /* the status shows a progress line saying what the task waits for */
    es_buf_t scratch;
    es_buf_t id_buf; /* doc.id_buf */
    uint64_t malformed, dropped;
} es_task_t;

/* ---- ABI 1.3 metrics and progress --------------------------------------------------- */

static void metric(es_task_t *st, const char *name, cd_metric_kind_t kind, const char *help, double value)
{
    if (CD_HOST_HAS(es_host, metric_set)) {
        es_host->metric_set(st->task, name, kind, help, value);
    }
}

/* The status's progress line: what the task waits for, or (NULL) cleared,
 * once, when it showed one. */
static void progress(es_task_t *st, const char *text)
{
    if (!CD_HOST_HAS(es_host, progress_set) || (!text && !st->waiting_shown)) {
        return;
    }
    if (text) {
        es_host->progress_set(st->task, "%s", text);
    } else {
        es_host->progress_set(st->task, NULL);
    }
    st->waiting_shown = text != NULL;
}

static void publish_metrics(es_task_t *st)
{
    es_pipeline_stats_t s;
    es_pipeline_stats(st->pipe, &s);
    metric(st, "elasticsearch_documents_indexed", CD_METRIC_COUNTER,
           "Documents Elasticsearch acknowledged as written or deleted.", (double)s.indexed);
    metric(st, "elasticsearch_documents_failed", CD_METRIC_COUNTER,
           "Documents Elasticsearch refused (malformed or a fatal item error).", (double)s.failed);
    metric(st, "elasticsearch_documents_retried", CD_METRIC_COUNTER,
           "Documents sent again after a failed request or a 429/5xx item.", (double)s.retried);
    metric(st, "elasticsearch_version_conflicts", CD_METRIC_COUNTER,
           "Documents refused as an older or equal external version: replays, ignored.", (double)s.conflicts);
    metric(st, "elasticsearch_bulk_requests", CD_METRIC_COUNTER, "Bulk requests Elasticsearch answered.",
           (double)s.requests);
    metric(st, "elasticsearch_bulk_latency_seconds", CD_METRIC_COUNTER,
           "Time from sending to answer, summed over the bulk requests answered.", (double)s.latency_ms_sum / 1000.0);
    metric(st, "elasticsearch_requests_in_flight", CD_METRIC_GAUGE, "Bulk requests under way now.",
           (double)s.in_flight);
    metric(st, "elasticsearch_documents_buffered", CD_METRIC_GAUGE,
           "Documents taken by put() and not yet acknowledged.", (double)s.buffered);
}

/* ---- outcomes ------------------------------------------------------------------------- */

static void fail(es_task_t *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(es_task_t *st, const char *fmt, ...)
{
    if (st->failure) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&st->failure, fmt, ap) < 0) {
        st->failure = NULL;
    }
    va_end(ap);
}

/* What a fatal item error needs the user to do. */
static const char *fatal_hint(const char *reason)
{
    if (strstr(reason, "index_closed_exception")) {
        return "; the index is closed: open it (POST /<index>/_open) and restart the task";
    }
    if (strstr(reason, "index_not_found_exception")) {
        return "; the index does not exist and the server does not create it (action.auto_create_index): create it "
               "and restart the task";
    }
    if (strstr(reason, "cluster_block_exception")) {
        return "; the index is read-only (index.blocks.*, or the flood-stage disk watermark was reached): free "
               "the block and restart the task";
    }
    return "";
}

static void deliver(void *opaque, const es_item_t *it)
{
    es_task_t *st = opaque;
    char where[512];
    snprintf(where, sizeof(where), "record from topic=%s partition=%d offset=%lld", it->topic, (int)it->partition,
             (long long)it->offset);
    switch (it->cls) {
    case ES_ITEM_OK:
    case ES_ITEM_RETRIABLE:
        return;
    case ES_ITEM_CONFLICT:
        es_host->log(st->task, CD_LOG_DEBUG, "Ignoring EXTERNAL version conflict for %s: %s", where, it->reason);
        return;
    case ES_ITEM_MALFORMED:
        st->malformed++;
        if (st->reporter) {
            es_host->record_reject(st->task, it->rec, it->reason);
        }
        switch (st->cfg->on_malformed) {
        case ES_MALFORMED_IGNORE:
            es_host->log(st->task, CD_LOG_DEBUG,
                         "Encountered an illegal document error for %s. Ignoring and will "
                         "not index record. Error was %s",
                         where, it->reason);
            return;
        case ES_MALFORMED_WARN:
            es_host->log(st->task, CD_LOG_WARN,
                         "Encountered an illegal document error for %s. Ignoring and will "
                         "not index record. Error was %s",
                         where, it->reason);
            return;
        case ES_MALFORMED_FAIL:
            fail(st,
                 "Indexing %s failed: %s. To ignore documents like this one set "
                 "behavior.on.malformed.documents to warn or ignore",
                 where, it->reason);
            return;
        }
        return;
    case ES_ITEM_FATAL:
        fail(st, "Indexing %s failed: %s%s", where, it->reason ? it->reason : "unknown error",
             fatal_hint(it->reason ? it->reason : ""));
        return;
    }
}

/* Delivers what finished; CD_FATAL with the task's error when something
 * failed. */
static cd_rc_t settle(es_task_t *st)
{
    es_pipeline_deliver(st->pipe, deliver, st);
    publish_metrics(st);
    const char *perr = es_pipeline_error(st->pipe);
    if (!st->failure && perr) {
        fail(st, "%s", perr);
    }
    if (st->failure) {
        es_host->set_error(st->task, "%s", st->failure);
        return CD_FATAL;
    }
    return CD_OK;
}

/* ---- the server and its indices ------------------------------------------------------ */

/* A failed call as text, and whether waiting may help (no answer, 429, 5xx). */
static bool call_failed(es_task_t *st, const es_http_result_t *res, const char *what, char *out, size_t outlen)
{
    const char *url = es_http_url(st->http, res->url);
    char env[1024] = "";
    if (res->status == 0 && res->permanent) {
        snprintf(out, outlen, "Could not connect to Elasticsearch at %s (%s). Check your SSL settings and the URL: %s",
                 url, what, res->error);
        return false;
    }
    if (res->status == 0) {
        snprintf(out, outlen, "Could not connect to Elasticsearch at %s (%s): %s", url, what, res->error);
        return true;
    }
    if (!es_error_envelope_text(res->body.data ? res->body.data : "", res->body.len, env, sizeof(env))) {
        snprintf(env, sizeof(env), "%.200s", res->body.len ? res->body.data : "");
    }
    if (res->status == 401) {
        snprintf(out, outlen,
                 "Could not authenticate the user. Check the 'connection.username' and 'connection.password' (or "
                 "connection.api.key). %s answered %s with 401: %s",
                 url, what, env);
    } else if (res->status == 403) {
        snprintf(out, outlen, "The user may not %s on %s (403): %s; grant the privileges it needs", what, url, env);
    } else {
        snprintf(out, outlen, "%s failed on %s with HTTP %ld: %s", what, url, res->status, env);
    }
    return res->status == 429 || res->status >= 500;
}

/* GET /, once.  CD_RETRY while the server cannot be reached. */
static cd_rc_t learn_server(es_task_t *st)
{
    if (st->server_known) {
        return CD_OK;
    }
    es_http_result_t res;
    es_http_call(st->http, "GET", "/", NULL, 0, &res);
    char err[ERR_LEN];
    cd_rc_t rc = CD_OK;
    if (res.status != 200) {
        bool retry = call_failed(st, &res, "GET /", err, sizeof(err));
        rc = retry ? CD_RETRY : CD_FATAL;
    } else if (es_server_parse(res.body.data, res.body.len, &st->server, err, sizeof(err)) < 0) {
        rc = CD_FATAL;
    }
    es_buf_free(&res.body);
    if (rc != CD_OK) {
        char line[ERR_LEN + 64];
        snprintf(line, sizeof(line), "waiting for Elasticsearch: %s", err);
        progress(st, rc == CD_RETRY ? line : NULL);
        if (rc == CD_RETRY) {
            es_host->log(st->task, CD_LOG_WARN, "%s; trying again", err);
        }
        es_host->set_error(st->task, "%s", err);
        return rc;
    }
    char desc[64];
    es_server_describe(&st->server, desc, sizeof(desc));
    if (st->cfg->data_stream_type && !st->server.data_streams) {
        es_host->set_error(st->task,
                           "%s is not compatible with data streams. Elasticsearch version must be at least 7.9.0 "
                           "(or OpenSearch 1.0); unset data.stream.type and data.stream.dataset to write to indices",
                           desc);
        return CD_CONFIG;
    }
    st->doc.api = st->server.api;
    st->doc.type = NULL;
    if (st->server.api == ES_API_DOC_TYPE) {
        st->doc.type = st->cfg->type_name ? st->cfg->type_name : "_doc";
    } else if (st->server.api == ES_API_TYPED) {
        if (!st->cfg->type_name) {
            es_host->set_error(st->task,
                               "%s has mapping types: set type.name (e.g. type.name=kafka-connect), the type of the "
                               "documents, as Confluent's connector before 11.0 required",
                               desc);
            return CD_CONFIG;
        }
        st->doc.type = st->cfg->type_name;
    }
    st->server_known = true;
    progress(st, NULL);
    es_host->log(st->task, CD_LOG_INFO, "connected to %s at %s", desc, es_http_url(st->http, res.url));
    return CD_OK;
}

static es_name_t *name_find(es_name_t *list, const char *name)
{
    for (es_name_t *n = list; n; n = n->next) {
        if (strcmp(n->name, name) == 0) {
            return n;
        }
    }
    return NULL;
}

static es_name_t *name_add(es_name_t **list, const char *name, const char *index)
{
    es_name_t *n = calloc(1, sizeof(*n));
    n->name = strdup(name);
    n->index = index ? strdup(index) : NULL;
    n->next = *list;
    *list = n;
    return n;
}

/* The mapping path of an index, by API generation. */
static void mapping_path(const es_task_t *st, const char *index, char *out, size_t outlen)
{
    if (st->doc.type) {
        snprintf(out, outlen, "/%s/_mapping/%s", index, st->doc.type);
    } else {
        snprintf(out, outlen, "/%s/_mapping", index);
    }
}

/* Makes sure `index` exists (created as an index or a data stream) and,
 * unless the topic's schema is ignored, has a mapping.  CD_RETRY when the
 * server cannot be reached. */
static cd_rc_t ensure_index(es_task_t *st, const char *index, const cd_record_t *rec)
{
    if (name_find(st->indices, index)) {
        return CD_OK;
    }
    char path[600], err[ERR_LEN], what[700];
    es_http_result_t res;
    snprintf(path, sizeof(path), "/%s", index);
    es_http_call(st->http, "HEAD", path, NULL, 0, &res);
    bool exists = res.status == 200;
    cd_rc_t rc = CD_OK;
    if (res.status != 200 && res.status != 404) {
        snprintf(what, sizeof(what), "check if index %s exists", index);
        rc = call_failed(st, &res, what, err, sizeof(err)) ? CD_RETRY : CD_FATAL;
    }
    es_buf_free(&res.body);
    if (rc == CD_OK && !exists) {
        bool stream = st->cfg->data_stream_type != NULL;
        if (stream) {
            snprintf(path, sizeof(path), "/_data_stream/%s", index);
        }
        es_host->log(st->task, CD_LOG_INFO, "Creating %s %s.", stream ? "data stream" : "index", index);
        es_http_call(st->http, "PUT", path, NULL, 0, &res);
        bool already = res.status == 400 && res.body.data && strstr(res.body.data, "resource_already_exists_exception");
        if ((res.status < 200 || res.status >= 300) && !already) {
            snprintf(what, sizeof(what), "create %s %s", stream ? "data stream" : "index", index);
            rc = call_failed(st, &res, what, err, sizeof(err)) ? CD_RETRY : CD_FATAL;
        }
        es_buf_free(&res.body);
    }
    const char *topic = es_host->record_topic(rec);
    if (rc == CD_OK && !es_config_schema_ignored(st->cfg, topic)) {
        /* Confluent puts a mapping when the index has none. */
        mapping_path(st, index, path, sizeof(path));
        bool has_mapping = false;
        if (exists) {
            es_http_call(st->http, "GET", path, NULL, 0, &res);
            has_mapping = res.status == 200 && res.body.data && strstr(res.body.data, "\"properties\"");
            es_buf_free(&res.body);
        }
        if (!has_mapping) {
            es_buf_t body;
            es_buf_init(&body);
            if (es_mapping_build(es_host, es_host->record_value_schema(rec), &body, err, sizeof(err)) < 0) {
                size_t used = strlen(err);
                snprintf(err + used, sizeof(err) - used,
                         " (topic %.200s): set schema.ignore=true (or list the topic "
                         "in topic.schema.ignore) for records without schemas",
                         topic);
                rc = CD_FATAL;
            } else {
                es_http_call(st->http, "PUT", path, body.data, body.len, &res);
                if (res.status < 200 || res.status >= 300) {
                    snprintf(what, sizeof(what), "put the mapping of index %s", index);
                    rc = call_failed(st, &res, what, err, sizeof(err)) ? CD_RETRY : CD_FATAL;
                }
                es_buf_free(&res.body);
            }
            es_buf_free(&body);
        }
    }
    if (rc != CD_OK) {
        es_host->set_error(st->task, "%s", err);
        if (rc == CD_RETRY) {
            char line[ERR_LEN + 32];
            snprintf(line, sizeof(line), "waiting for Elasticsearch: %s", err);
            progress(st, line);
            es_host->log(st->task, CD_LOG_WARN, "%s; trying again", err);
        }
        return rc;
    }
    name_add(&st->indices, index, NULL);
    return CD_OK;
}

/* The topic's entry (its index), made at its first record. */
static es_name_t *topic_entry(es_task_t *st, const char *topic)
{
    es_name_t *t = name_find(st->topics, topic);
    if (!t) {
        char index[512];
        es_doc_index_name(st->cfg, topic, index, sizeof(index));
        t = name_add(&st->topics, topic, index);
    }
    return t;
}

/* ---- callbacks ------------------------------------------------------------------------- */

static bool config_true(cd_task_t *task, const char *key)
{
    const char *v = es_host->config_get(task, key);
    return v && strcmp(v, "true") == 0;
}

cd_rc_t es_task_start(cd_task_t *task, void **state)
{
    char err[ERR_LEN];
    es_task_t *st = calloc(1, sizeof(*st));
    st->task = task;
    es_buf_init(&st->scratch);
    es_buf_init(&st->id_buf);
    st->cfg = es_config_read(es_host, task, err, sizeof(err));
    if (!st->cfg) {
        es_host->set_error(task, "%s", err);
        free(st);
        return CD_CONFIG;
    }
    st->http = es_http_new(st->cfg, err, sizeof(err));
    st->pipe = st->http ? es_pipeline_new(st->cfg, st->http, err, sizeof(err)) : NULL;
    if (!st->pipe) {
        es_host->set_error(task, "%s", err);
        es_http_free(st->http);
        es_config_free(st->cfg);
        free(st);
        return CD_FATAL;
    }
    st->doc.host = es_host;
    st->doc.cfg = st->cfg;
    st->doc.api = ES_API_TYPELESS;
    st->doc.id_buf = &st->id_buf;
    /* record_reject goes somewhere only with a dead letter queue or the
     * error log, as Kafka gives a sink an errant record reporter only then. */
    const char *dlq = es_host->config_get(task, "errors.deadletterqueue.topic.name");
    st->reporter = (dlq && dlq[0]) || config_true(task, "errors.log.enable");
    *state = st;
    /* Not fatal: put() tries again until the server answers. */
    if (learn_server(st) == CD_CONFIG) {
        es_task_stop(task, st);
        *state = NULL;
        return CD_CONFIG;
    }
    publish_metrics(st);
    return CD_OK;
}

cd_rc_t es_task_put(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n)
{
    es_task_t *st = state;
    char err[ERR_LEN];
    cd_rc_t rc = settle(st);
    if (rc != CD_OK) {
        return rc;
    }
    /* Everything that may ask for a retry comes before any record is taken,
     * so that the worker's second put() of the same records is the first. */
    if ((rc = learn_server(st)) != CD_OK) {
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        es_name_t *t = topic_entry(st, es_host->record_topic(recs[i]));
        const cd_value_t *v = es_host->record_value(recs[i]);
        bool tombstone = !v || es_host->value_type(v) == CD_TYPE_NULL;
        /* A tombstone makes no index (and its null value no mapping). */
        if (!tombstone && (rc = ensure_index(st, t->index, recs[i])) != CD_OK) {
            return rc;
        }
    }
    progress(st, NULL);
    for (size_t i = 0; i < n; i++) {
        const cd_record_t *rec = recs[i];
        es_name_t *t = topic_entry(st, es_host->record_topic(rec));
        es_doc_meta_t meta = {0};
        es_buf_reset(&st->scratch);
        es_doc_rc_t drc = es_doc_append(&st->doc, rec, t->index, &st->scratch, &meta, err, sizeof(err));
        if (drc == ES_DOC_SKIP) {
            continue;
        }
        if (drc == ES_DOC_INVALID) {
            if (!st->cfg->drop_invalid) {
                es_host->set_error(task, "%s; to skip records like this one set drop.invalid.message=true", err);
                return CD_FATAL;
            }
            st->dropped++;
            if (st->reporter) {
                es_host->record_reject(task, rec, err);
            }
            es_host->log(task, CD_LOG_ERROR, "Can't convert record from topic=%s partition=%d offset=%lld: %s", t->name,
                         (int)es_host->record_partition(rec), (long long)es_host->record_offset(rec), err);
            continue;
        }
        if (drc == ES_DOC_FATAL) {
            es_host->set_error(task, "%s", err);
            return CD_FATAL;
        }
        es_item_t item = {.rec = rec,
                          .topic = t->name,
                          .partition = es_host->record_partition(rec),
                          .offset = es_host->record_offset(rec),
                          .external_version = meta.external_version,
                          .is_delete = meta.is_delete};
        if (es_pipeline_add(st->pipe, st->scratch.data, st->scratch.len, &item, deliver, st, err, sizeof(err)) < 0) {
            if (!st->failure) {
                fail(st, "%s", err);
            }
            es_host->set_error(task, "%s", st->failure);
            return CD_FATAL;
        }
    }
    return settle(st);
}

cd_rc_t es_task_flush(cd_task_t *task, void *state)
{
    es_task_t *st = state;
    char err[ERR_LEN];
    if (es_pipeline_flush(st->pipe, deliver, st, st->cfg->flush_timeout_ms, err, sizeof(err)) < 0 && !st->failure) {
        fail(st, "%s", err);
    }
    return settle(st);
}

void es_task_wakeup(cd_task_t *task, void *state)
{
    es_task_t *st = state;
    if (st) {
        es_pipeline_wakeup(st->pipe);
    }
}

static void names_free(es_name_t *n)
{
    while (n) {
        es_name_t *next = n->next;
        free(n->name);
        free(n->index);
        free(n);
        n = next;
    }
}

void es_task_stop(cd_task_t *task, void *state)
{
    es_task_t *st = state;
    if (!st) {
        return;
    }
    es_pipeline_free(st->pipe); /* first: its items borrow the topic names */
    es_http_free(st->http);
    es_config_free(st->cfg);
    names_free(st->topics);
    names_free(st->indices);
    es_buf_free(&st->scratch);
    es_buf_free(&st->id_buf);
    free(st->failure);
    free(st);
}
