/*
 * es_pipeline.c - batching, the I/O thread, retries and delivery
 * (es_pipeline.h).
 */
#include "es_pipeline.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BACKOFF_MS (24LL * 3600 * 1000)
#define WAIT_SLICE_MS 100
/* How long a flush still waits for requests under way once the task is
 * stopping: a clean stop commits what they wrote. */
#define STOPPING_FLUSH_MS 5000

typedef struct es_batch {
    struct es_batch *next;
    es_buf_t body;
    es_item_t *items;
    size_t n, cap;
    int attempt;        /* failed attempts so far */
    int64_t not_before; /* monotonic ms: backoff */
    int64_t created;    /* monotonic ms: its first item (linger.ms) */
} es_batch_t;

typedef struct es_request {
    struct es_request *prev, *next; /* the requests under way, for abandoning them */
    es_batch_t *batch;
    es_http_req_t req;
    int64_t started;
} es_request_t;

typedef struct queue {
    es_batch_t *head, *tail;
} queue_t;

struct es_pipeline {
    const es_config_t *cfg;
    es_http_t *http;
    CURLM *multi;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* to the task thread: delivered items, space, failure */
    /* Under lock. */
    bool stop, woken, flush_now;
    es_batch_t *building;
    queue_t ready, done;
    int in_flight;
    size_t buffered;
    char *error;
    es_pipeline_stats_t stats;
    unsigned seed;
    /* The I/O thread's own. */
    es_request_t *requests;
};

static void queue_push(queue_t *q, es_batch_t *b)
{
    b->next = NULL;
    if (q->tail) {
        q->tail->next = b;
    } else {
        q->head = b;
    }
    q->tail = b;
}

static void queue_push_front(queue_t *q, es_batch_t *b)
{
    b->next = q->head;
    q->head = b;
    if (!q->tail) {
        q->tail = b;
    }
}

static es_batch_t *queue_pop(queue_t *q)
{
    es_batch_t *b = q->head;
    if (b) {
        q->head = b->next;
        if (!q->head) {
            q->tail = NULL;
        }
        b->next = NULL;
    }
    return b;
}

static es_batch_t *batch_new(void)
{
    es_batch_t *b = calloc(1, sizeof(*b));
    if (!b) {
        abort();
    }
    es_buf_init(&b->body);
    return b;
}

static void batch_free(es_batch_t *b)
{
    if (!b) {
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        free(b->items[i].reason);
    }
    free(b->items);
    es_buf_free(&b->body);
    free(b);
}

static void batch_add(es_batch_t *b, const char *lines, size_t len, const es_item_t *item)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->items = realloc(b->items, b->cap * sizeof(*b->items));
        if (!b->items) {
            abort();
        }
    }
    es_item_t *it = &b->items[b->n++];
    *it = *item;
    it->reason = NULL;
    it->cls = ES_ITEM_OK;
    it->tries = item->tries;
    it->off = b->body.len;
    it->len = len;
    es_buf_put(&b->body, lines, len);
}

/* Sets the pipeline's error (the first one wins).  Under lock. */
static void fail_locked(es_pipeline_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_locked(es_pipeline_t *p, const char *fmt, ...)
{
    if (p->error) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&p->error, fmt, ap) < 0) {
        p->error = NULL;
    }
    va_end(ap);
    pthread_cond_broadcast(&p->cond);
}

/* The wait before retry number `attempt` (1 for the first): half of
 * retry.backoff.ms * 2^(attempt-1), plus a random part up to the other
 * half, or the server's Retry-After when longer. */
static int64_t backoff_ms(es_pipeline_t *p, int attempt, long retry_after_ms)
{
    int64_t cap = p->cfg->retry_backoff_ms;
    for (int i = 1; i < attempt && cap < MAX_BACKOFF_MS; i++) {
        cap *= 2;
    }
    if (cap > MAX_BACKOFF_MS) {
        cap = MAX_BACKOFF_MS;
    }
    int64_t wait = cap / 2 + (cap > 1 ? (int64_t)(rand_r(&p->seed) % (cap - cap / 2 + 1)) : cap);
    return retry_after_ms > wait ? retry_after_ms : wait;
}

/* ---- the I/O thread --------------------------------------------------------------- */

static void launch(es_pipeline_t *p, es_batch_t *b)
{
    es_request_t *r = calloc(1, sizeof(*r));
    r->batch = b;
    r->started = es_now_ms();
    es_buf_init(&r->req.res.body);
    if (es_http_prepare(p->http, &r->req, "POST", "/_bulk", b->body.data, b->body.len, "application/x-ndjson") < 0 ||
        curl_multi_add_handle(p->multi, r->req.easy) != CURLM_OK) {
        pthread_mutex_lock(&p->lock);
        p->in_flight--;
        fail_locked(p, "cannot send a bulk request: %s", r->req.res.error);
        pthread_mutex_unlock(&p->lock);
        es_http_req_clean(&r->req);
        es_buf_free(&r->req.res.body);
        batch_free(b);
        free(r);
        return;
    }
    /* The request points at its own record for completion. */
    curl_easy_setopt(r->req.easy, CURLOPT_PRIVATE, r);
    r->next = p->requests;
    if (p->requests) {
        p->requests->prev = r;
    }
    p->requests = r;
}

static void request_unlink(es_pipeline_t *p, es_request_t *r)
{
    if (r->prev) {
        r->prev->next = r->next;
    } else {
        p->requests = r->next;
    }
    if (r->next) {
        r->next->prev = r->prev;
    }
}

/* A whole request failed in a way that may pass (no answer, 429, 5xx):
 * back to the front of the queue after a backoff, or the pipeline fails
 * once max.retries are used.  Under lock. */
static void retry_batch_locked(es_pipeline_t *p, es_batch_t *b, const char *cause, long retry_after_ms)
{
    if (b->attempt >= p->cfg->max_retries) {
        fail_locked(p, "Failed to execute bulk request due to '%s' after %d attempt(s)", cause, b->attempt + 1);
        p->stats.failed += b->n;
        batch_free(b);
        return;
    }
    b->attempt++;
    b->not_before = es_now_ms() + backoff_ms(p, b->attempt, retry_after_ms);
    p->stats.retried += b->n;
    queue_push_front(&p->ready, b);
}

/* The text of a whole-request failure: "HTTP 429: es_rejected_execution_exception: ...". */
static void response_cause(const es_http_result_t *res, const char *url, char *out, size_t outlen)
{
    char env[1024];
    if (res->status == 0 && res->permanent) {
        snprintf(out, outlen, "Could not connect to Elasticsearch at %s. Check your SSL settings and the URL: %s", url,
                 res->error);
    } else if (res->status == 0) {
        snprintf(out, outlen, "Could not connect to Elasticsearch at %s: %s", url, res->error);
    } else if (es_error_envelope_text(res->body.data ? res->body.data : "", res->body.len, env, sizeof(env))) {
        snprintf(out, outlen, "HTTP %ld from %s: %s", res->status, url, env);
    } else {
        snprintf(out, outlen, "HTTP %ld from %s: %.200s", res->status, url, res->body.len ? res->body.data : "");
    }
}

/* What an error status that waiting does not fix means, said so that the
 * user knows what to change. */
static void fail_status_locked(es_pipeline_t *p, const es_http_result_t *res, const char *cause, size_t body_len)
{
    switch (res->status) {
    case 0:
        fail_locked(p, "%s", cause);
        break;
    case 401:
        fail_locked(p,
                    "Could not authenticate the user. Check the 'connection.username' and 'connection.password' "
                    "(or connection.api.key). %s",
                    cause);
        break;
    case 403:
        fail_locked(p,
                    "The user is not allowed to write to Elasticsearch: grant it the index privileges "
                    "'create_index', 'write' and 'view_index_metadata' on the target indices. %s",
                    cause);
        break;
    case 413:
        fail_locked(p,
                    "a bulk request of %zu bytes is larger than the server accepts (http.max_content_length): "
                    "lower bulk.size.bytes or batch.size. %s",
                    body_len, cause);
        break;
    default:
        fail_locked(p, "Elasticsearch refused a bulk request: %s", cause);
        break;
    }
}

static void complete(es_pipeline_t *p, es_request_t *r, CURLcode rc)
{
    es_http_finish(p->http, &r->req, rc);
    es_http_result_t *res = &r->req.res;
    es_batch_t *b = r->batch;
    size_t n_items = b->n;
    int64_t took = es_now_ms() - r->started;
    char cause[2048] = "";
    bool ok_status = res->status >= 200 && res->status < 300;
    if (!ok_status) {
        /* Read from the body only when it is an error's: a bulk answer's
         * items are parsed once, below. */
        response_cause(res, es_http_url(p->http, res->url), cause, sizeof(cause));
    }
    es_item_result_t *results = NULL;
    char perr[256] = "";
    if (ok_status) {
        results = calloc(b->n ? b->n : 1, sizeof(*results));
        if (es_bulk_response_parse(res->body.data ? res->body.data : "", res->body.len, results, b->n, perr,
                                   sizeof(perr)) < 0) {
            es_item_results_free(results, b->n);
            free(results);
            results = NULL;
        }
    }
    pthread_mutex_lock(&p->lock);
    p->in_flight--;
    if (res->status) {
        p->stats.requests++;
        p->stats.latency_ms_sum += (uint64_t)took;
    }
    if (!ok_status) {
        if ((res->status == 0 && !res->permanent) || res->status == 429 || res->status >= 500) {
            retry_batch_locked(p, b, cause, res->retry_after_ms);
        } else {
            fail_status_locked(p, res, cause, b->body.len);
            batch_free(b);
        }
    } else if (!results) {
        fail_locked(p, "%s (from %s)", perr, es_http_url(p->http, res->url));
        batch_free(b);
    } else {
        /* Items answered 429/5xx go again in a batch of their own; the
         * others are finished. */
        es_batch_t *again = NULL;
        long retry_after = res->retry_after_ms;
        for (size_t i = 0; i < b->n; i++) {
            es_item_t *it = &b->items[i];
            it->cls = es_item_classify(&results[i], it->external_version);
            if (it->cls == ES_ITEM_RETRIABLE && it->tries < p->cfg->max_retries) {
                if (!again) {
                    again = batch_new();
                    again->created = b->created;
                }
                it->tries++;
                batch_add(again, b->body.data + it->off, it->len, it);
                if (it->tries > again->attempt) {
                    again->attempt = it->tries;
                }
                continue; /* moved: not delivered from this batch */
            }
            if (it->cls == ES_ITEM_RETRIABLE) {
                it->cls = ES_ITEM_FATAL;
                char *why = NULL;
                if (asprintf(&why, "Failed to index the document after %d attempt(s): %s", it->tries + 1,
                             results[i].error_reason) < 0) {
                    why = NULL;
                }
                it->reason = why;
            } else if (results[i].error_reason) {
                it->reason = results[i].error_reason;
                results[i].error_reason = NULL;
            }
            it->off = SIZE_MAX; /* finished: delivered */
        }
        if (again) {
            again->not_before = es_now_ms() + backoff_ms(p, again->attempt, retry_after);
            /* Its whole-request retries count afresh. */
            again->attempt = 0;
            p->stats.retried += again->n;
            queue_push_front(&p->ready, again);
        }
        queue_push(&p->done, b);
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    es_item_results_free(results, results ? n_items : 0);
    free(results);
    request_unlink(p, r);
    curl_multi_remove_handle(p->multi, r->req.easy);
    es_http_req_clean(&r->req);
    es_buf_free(&r->req.res.body);
    free(r);
}

static void *io_main(void *arg)
{
    es_pipeline_t *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (p->stop) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        int64_t now = es_now_ms();
        long wait = 1000;
        es_batch_t *bb = p->building;
        if (bb && bb->n) {
            int64_t due = bb->created + p->cfg->linger_ms;
            if (p->flush_now || p->cfg->flush_synchronously || due <= now) {
                queue_push(&p->ready, bb);
                p->building = NULL;
            } else if (due - now < wait) {
                wait = (long)(due - now);
            }
        }
        while (!p->error && p->in_flight < p->cfg->max_in_flight && p->ready.head && p->ready.head->not_before <= now) {
            es_batch_t *b = queue_pop(&p->ready);
            p->in_flight++;
            pthread_mutex_unlock(&p->lock);
            launch(p, b);
            pthread_mutex_lock(&p->lock);
        }
        if (p->ready.head && p->in_flight < p->cfg->max_in_flight && p->ready.head->not_before > now &&
            p->ready.head->not_before - now < wait) {
            wait = (long)(p->ready.head->not_before - now);
        }
        pthread_mutex_unlock(&p->lock);
        int running = 0;
        curl_multi_perform(p->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(p->multi, &left)) != NULL) {
            if (msg->msg == CURLMSG_DONE) {
                es_request_t *r = NULL;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
                complete(p, r, msg->data.result);
            }
        }
        curl_multi_poll(p->multi, NULL, 0, wait > 0 ? (int)wait : 0, NULL);
    }
    /* Abandon what is under way. */
    while (p->requests) {
        es_request_t *r = p->requests;
        request_unlink(p, r);
        curl_multi_remove_handle(p->multi, r->req.easy);
        batch_free(r->batch);
        es_http_req_clean(&r->req);
        es_buf_free(&r->req.res.body);
        free(r);
    }
    return NULL;
}

/* ---- the task's side ---------------------------------------------------------------- */

es_pipeline_t *es_pipeline_new(const es_config_t *cfg, es_http_t *http, char *errbuf, size_t errlen)
{
    es_pipeline_t *p = calloc(1, sizeof(*p));
    p->cfg = cfg;
    p->http = http;
    p->seed = (unsigned)es_now_ms() ^ (unsigned)(uintptr_t)p;
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cond, &ca);
    pthread_condattr_destroy(&ca);
    p->multi = curl_multi_init();
    if (!p->multi) {
        snprintf(errbuf, errlen, "cannot make a curl multi handle");
        es_pipeline_free(p);
        return NULL;
    }
    curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->max_in_flight);
    int err = pthread_create(&p->thread, NULL, io_main, p);
    if (err) {
        snprintf(errbuf, errlen, "cannot start the bulk I/O thread: %s", strerror(err));
        es_pipeline_free(p);
        return NULL;
    }
    p->thread_started = true;
    return p;
}

void es_pipeline_free(es_pipeline_t *p)
{
    if (!p) {
        return;
    }
    if (p->thread_started) {
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_mutex_unlock(&p->lock);
        curl_multi_wakeup(p->multi);
        pthread_join(p->thread, NULL);
    }
    batch_free(p->building);
    for (es_batch_t *b; (b = queue_pop(&p->ready)) != NULL;) {
        batch_free(b);
    }
    for (es_batch_t *b; (b = queue_pop(&p->done)) != NULL;) {
        batch_free(b);
    }
    if (p->multi) {
        curl_multi_cleanup(p->multi);
    }
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p->error);
    free(p);
}

/* Hands the finished items to `deliver`, outside the lock. */
void es_pipeline_deliver(es_pipeline_t *p, es_deliver_fn deliver, void *opaque)
{
    pthread_mutex_lock(&p->lock);
    queue_t done = p->done;
    p->done.head = p->done.tail = NULL;
    pthread_mutex_unlock(&p->lock);
    size_t delivered = 0;
    uint64_t indexed = 0, conflicts = 0, failed = 0;
    for (es_batch_t *b; (b = queue_pop(&done)) != NULL;) {
        for (size_t i = 0; i < b->n; i++) {
            const es_item_t *it = &b->items[i];
            if (it->off != SIZE_MAX) {
                continue; /* sent again in another batch */
            }
            indexed += it->cls == ES_ITEM_OK;
            conflicts += it->cls == ES_ITEM_CONFLICT;
            failed += it->cls == ES_ITEM_MALFORMED || it->cls == ES_ITEM_FATAL;
            deliver(opaque, it);
            delivered++;
        }
        batch_free(b);
    }
    if (delivered) {
        pthread_mutex_lock(&p->lock);
        p->buffered -= delivered;
        p->stats.indexed += indexed;
        p->stats.conflicts += conflicts;
        p->stats.failed += failed;
        pthread_mutex_unlock(&p->lock);
    }
}

/* Waits on the condition for at most WAIT_SLICE_MS.  Under lock. */
static void wait_slice_locked(es_pipeline_t *p)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += WAIT_SLICE_MS * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&p->cond, &p->lock, &ts);
}

/* Moves the building batch to the ready queue.  Under lock. */
static void seal_locked(es_pipeline_t *p)
{
    if (p->building && p->building->n) {
        queue_push(&p->ready, p->building);
        p->building = NULL;
    }
}

int es_pipeline_add(es_pipeline_t *p, const char *lines, size_t len, const es_item_t *item, es_deliver_fn deliver,
                    void *opaque, char *errbuf, size_t errlen)
{
    int64_t deadline = es_now_ms() + p->cfg->flush_timeout_ms;
    pthread_mutex_lock(&p->lock);
    while (!p->error && p->buffered >= (size_t)p->cfg->max_buffered) {
        if (p->woken) {
            pthread_mutex_unlock(&p->lock);
            snprintf(errbuf, errlen, "the task is stopping");
            return -1;
        }
        if (es_now_ms() >= deadline) {
            pthread_mutex_unlock(&p->lock);
            snprintf(errbuf, errlen,
                     "Could not make space in the internal buffer fast enough. Consider increasing flush.timeout.ms "
                     "or max.buffered.records.");
            return -1;
        }
        wait_slice_locked(p);
        pthread_mutex_unlock(&p->lock);
        es_pipeline_deliver(p, deliver, opaque);
        pthread_mutex_lock(&p->lock);
    }
    if (p->error) {
        snprintf(errbuf, errlen, "%s", p->error);
        pthread_mutex_unlock(&p->lock);
        return -1;
    }
    bool wake = false;
    es_batch_t *b = p->building;
    if (b && b->n && p->cfg->bulk_size_bytes > 0 && b->body.len + len > (size_t)p->cfg->bulk_size_bytes) {
        seal_locked(p);
        wake = true;
        b = NULL;
    }
    if (!b) {
        b = p->building = batch_new();
    }
    if (!b->n) {
        b->created = es_now_ms();
        wake = true; /* the I/O thread sets its linger timer */
    }
    batch_add(b, lines, len, item);
    p->buffered++;
    if (b->n >= (size_t)p->cfg->batch_size) {
        seal_locked(p);
        wake = true;
    }
    pthread_mutex_unlock(&p->lock);
    if (wake) {
        curl_multi_wakeup(p->multi);
    }
    return 0;
}

int es_pipeline_flush(es_pipeline_t *p, es_deliver_fn deliver, void *opaque, int64_t timeout_ms, char *errbuf,
                      size_t errlen)
{
    int64_t deadline = es_now_ms() + timeout_ms;
    int rc = 0;
    pthread_mutex_lock(&p->lock);
    p->flush_now = true;
    seal_locked(p);
    pthread_mutex_unlock(&p->lock);
    curl_multi_wakeup(p->multi);
    for (;;) {
        es_pipeline_deliver(p, deliver, opaque);
        pthread_mutex_lock(&p->lock);
        if (p->woken && deadline > es_now_ms() + STOPPING_FLUSH_MS) {
            deadline = es_now_ms() + STOPPING_FLUSH_MS;
        }
        if (p->error) {
            snprintf(errbuf, errlen, "%s", p->error);
            rc = -1;
        } else if (p->buffered == 0) {
            rc = 0;
        } else if (es_now_ms() >= deadline) {
            snprintf(errbuf, errlen,
                     "%zu document(s) were not acknowledged by Elasticsearch within %lld ms (flush.timeout.ms)%s",
                     p->buffered, (long long)timeout_ms, p->woken ? " before the task stopped" : "");
            rc = -1;
        } else {
            wait_slice_locked(p);
            pthread_mutex_unlock(&p->lock);
            continue;
        }
        p->flush_now = false;
        pthread_mutex_unlock(&p->lock);
        return rc;
    }
}

const char *es_pipeline_error(es_pipeline_t *p)
{
    pthread_mutex_lock(&p->lock);
    const char *e = p->error;
    pthread_mutex_unlock(&p->lock);
    return e;
}

void es_pipeline_wakeup(es_pipeline_t *p)
{
    pthread_mutex_lock(&p->lock);
    p->woken = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void es_pipeline_stats(es_pipeline_t *p, es_pipeline_stats_t *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->stats;
    out->in_flight = p->in_flight;
    out->buffered = p->buffered;
    pthread_mutex_unlock(&p->lock);
}
