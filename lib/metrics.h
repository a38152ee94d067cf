/*
 * metrics.h - counters, summaries and the Prometheus text they are shown
 * in, shared by the broker and the worker (GET /metrics).
 *
 * Counters are one relaxed atomic add: cheap enough for any hot path, but
 * callers that handle records in batches add once per batch.  Summaries
 * keep _count and _sum since creation and estimate quantiles over the last
 * minute (see metrics.c for the buckets and the window); observing is a
 * handful of relaxed atomic operations and takes no lock.
 *
 * The text writer (metrics_text_t) groups samples by family whatever order
 * they are added in, so a writer walking connectors once can add to many
 * families, and the output still has each family's # HELP and # TYPE once,
 * followed by all of its samples (exposition format 0.0.4).
 */
#ifndef CONNECTD_METRICS_H
#define CONNECTD_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct metrics_counter {
    _Atomic uint64_t value;
} metrics_counter_t;

/* Any thread; a zeroed counter is a valid counter at 0. */
static inline void metrics_counter_add(metrics_counter_t *counter, uint64_t n)
{
    atomic_fetch_add_explicit(&counter->value, n, memory_order_relaxed);
}

static inline uint64_t metrics_counter_get(const metrics_counter_t *counter)
{
    return atomic_load_explicit(&counter->value, memory_order_relaxed);
}

/* ---- summaries ------------------------------------------------------------- */

typedef struct metrics_summary metrics_summary_t;

/* How long the quantile window is, and in how many slots it moves. */
#define METRICS_WINDOW_SLOTS 6
#define METRICS_SLOT_MS 10000

metrics_summary_t *metrics_summary_create(void); /* aborts on OOM */
void metrics_summary_destroy(metrics_summary_t *sum); /* NULL is fine */

/* Records one value (a duration in ns, a batch size).  Any thread, no lock;
 * concurrent observers may lose an observation when a slot of the window is
 * recycled (once every METRICS_SLOT_MS), which an estimate can afford. */
void metrics_summary_observe(metrics_summary_t *sum, uint64_t value);
/* The same at a given time (METRICS_SLOT_MS slots); for tests. */
void metrics_summary_observe_at(metrics_summary_t *sum, uint64_t value, int64_t now_ms);

uint64_t metrics_summary_count(const metrics_summary_t *sum); /* since creation */
uint64_t metrics_summary_sum(const metrics_summary_t *sum);   /* since creation */

/* The q-quantiles (0 <= q <= 1) of the values observed in the window
 * ending at `now_ms`, each within 1/16 of the true value (exact below 16,
 * and never outside the smallest and largest value in the window); NaN
 * when the window is empty.  Any thread. */
void metrics_summary_quantiles(const metrics_summary_t *sum, int64_t now_ms, const double *q, double *out, size_t n);

/* ---- the text format ----------------------------------------------------- */

typedef enum metrics_type {
    METRICS_COUNTER,
    METRICS_GAUGE,
    METRICS_SUMMARY,
} metrics_type_t;

typedef struct metrics_text metrics_text_t;
typedef struct metrics_family metrics_family_t;

/* One exposition being built; not thread-safe (one per scrape). */
metrics_text_t *metrics_text_create(void);
void metrics_text_destroy(metrics_text_t *text); /* NULL is fine */

/*
 * The family `name` ([a-zA-Z_:][a-zA-Z0-9_:]*, counters ending in _total),
 * declared on first use; later calls with the same name return it (type
 * and help must match).  `name` and `help` are borrowed: static strings.
 * A family that never gets a sample is left out of the text.
 */
metrics_family_t *metrics_text_family(metrics_text_t *text, const char *name, metrics_type_t type, const char *help);

/*
 * Adds a sample.  `labels` is a NULL-terminated list of name, value pairs
 * (NULL for none), borrowed for the call; values are escaped here.  The
 * caller keeps series unique (the same label values twice in one family
 * is a caller bug the text would show as a duplicate).
 */
void metrics_family_add(metrics_family_t *fam, const char *const *labels, double value);
/* The same for integer values, printed exactly (above 2^53 too). */
void metrics_family_add_u64(metrics_family_t *fam, const char *const *labels, uint64_t value);
void metrics_family_add_i64(metrics_family_t *fam, const char *const *labels, int64_t value);
/* A summary: {quantile="0.5"} and {quantile="0.99"} over the window at
 * `now_ms`, then _sum (times `scale`, e.g. 1e-9 for ns as seconds) and
 * _count. */
void metrics_family_add_summary(metrics_family_t *fam, const char *const *labels, const metrics_summary_t *sum,
                                double scale, int64_t now_ms);

/* The exposition, malloc'd and NUL-terminated, families in the order they
 * were declared; `*len` gets its length.  Frees `text`. */
char *metrics_text_finish(metrics_text_t *text, size_t *len);

/* ---- collectors ---------------------------------------------------------- */

/*
 * Parts of the process that are not reachable from the REST handler (the
 * embedded broker) register a collector, which GET /metrics calls after
 * the worker's own families, as Prometheus client libraries' default
 * registry does.  The registry's mutex is held while collectors run, so
 * metrics_collector_remove() returns only once no scrape uses `opaque`.
 */
typedef void metrics_collect_fn(void *opaque, metrics_text_t *out);

void metrics_collector_add(metrics_collect_fn *fn, void *opaque);
void metrics_collector_remove(metrics_collect_fn *fn, void *opaque);
/* Runs every registered collector into `out`. */
void metrics_collect_all(metrics_text_t *out);

#endif
