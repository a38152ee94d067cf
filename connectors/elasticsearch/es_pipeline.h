/*
 * es_pipeline.h - the bulk pipeline: documents the task hands over are
 * batched (batch.size, bulk.size.bytes, linger.ms) and sent as _bulk
 * requests, up to max.in.flight.requests at once, by one I/O thread that
 * drives a curl multi handle; each item's outcome comes back to the task's
 * thread, where the task decides what it means for its record.
 *
 *   task thread                          I/O thread
 *   es_pipeline_add ──> building batch ──> ready ──> in flight ──> done ──> es_pipeline_deliver
 *        (blocks while max.buffered.records     │  429/5xx/no answer: back to ready
 *         are not yet delivered)                │  after a backoff (per item for a 429 item)
 *
 * Retries: a request that gets no answer, a 429 or a 5xx is sent again
 * (to the next live URL) after an exponential backoff with jitter,
 * retry.backoff.ms doubled each attempt (at most 24 h), or longer when the
 * server's Retry-After asks; items answered 429 or 5xx in a 200 response
 * go again by themselves, each up to max.retries times, their backoff
 * counted from their own tries (the server answered, so the outage of the
 * whole requests is over).  After max.retries the pipeline fails.  Any
 * other error status fails it at once (401, 403, 413, a malformed
 * request): those do not get better by waiting.
 *
 * Locking: one mutex guards the queues and counters; the I/O thread holds
 * it only to move batches, never during I/O or parsing, and the task
 * thread never during delivery callbacks.
 */
#ifndef CONNECTD_ES_PIPELINE_H
#define CONNECTD_ES_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

#include "es_bulk_response.h"
#include "es_config.h"
#include "es_http.h"

typedef struct es_pipeline es_pipeline_t;

/* One document in the pipeline, as the task described it. */
typedef struct es_item {
    const cd_record_t *rec; /* the record it came from (ABI 1.3: valid until the flush that covers it) */
    const char *topic;      /* borrowed: the task keeps its topic names until the pipeline is freed */
    int32_t partition;
    int64_t offset;
    bool external_version, is_delete;
    /* Set by the pipeline for delivery. */
    es_item_class_t cls;
    char *reason;    /* the item's error ("type: reason"), NULL when OK */
    size_t off, len; /* its lines in the batch body */
    int tries;       /* times it was sent again alone after a 429/5xx of its own */
} es_item_t;

/* Called on the task's thread for each finished item; item is borrowed
 * for the call. */
typedef void (*es_deliver_fn)(void *opaque, const es_item_t *item);

typedef struct es_pipeline_stats {
    uint64_t indexed, conflicts, failed, retried, requests;
    uint64_t latency_ms_sum; /* of the requests answered */
    int in_flight;           /* requests under way now */
    size_t buffered;         /* documents not yet delivered */
} es_pipeline_stats_t;

/* Starts the I/O thread.  cfg and http are borrowed until es_pipeline_free;
 * `path` is "/_bulk".  NULL after writing why into errbuf. */
es_pipeline_t *es_pipeline_new(const es_config_t *cfg, es_http_t *http, char *errbuf, size_t errlen);
/* Stops the I/O thread at once (requests under way are abandoned) and
 * frees everything.  NULL is fine. */
void es_pipeline_free(es_pipeline_t *p);

/* Adds one action (its action and document lines, copied) for item
 * (copied).  Blocks while max.buffered.records documents are not yet
 * delivered, delivering meanwhile; returns 0, or -1 after writing why into
 * errbuf: the pipeline failed, no space came within flush.timeout.ms, or
 * the task is stopping (es_pipeline_wakeup). */
int es_pipeline_add(es_pipeline_t *p, const char *lines, size_t len, const es_item_t *item, es_deliver_fn deliver,
                    void *opaque, char *errbuf, size_t errlen);

/* Delivers the items finished so far without waiting. */
void es_pipeline_deliver(es_pipeline_t *p, es_deliver_fn deliver, void *opaque);

/* Sends what is batched at once and waits until every document added is
 * delivered: 0, or -1 after writing why into errbuf (the pipeline failed,
 * timeout_ms passed, or the task is stopping). */
int es_pipeline_flush(es_pipeline_t *p, es_deliver_fn deliver, void *opaque, int64_t timeout_ms, char *errbuf,
                      size_t errlen);

/* The error that failed the pipeline, or NULL; borrowed until free. */
const char *es_pipeline_error(es_pipeline_t *p);

/* Interrupts a blocked es_pipeline_add or es_pipeline_flush, which then
 * fail; any thread. */
void es_pipeline_wakeup(es_pipeline_t *p);

void es_pipeline_stats(es_pipeline_t *p, es_pipeline_stats_t *out);

#endif
