/*
 * metrics.c - counters, summaries and the Prometheus text format; see
 * metrics.h.
 *
 * Summaries.  A value falls in one of a fixed set of log-linear buckets:
 * values below 16 have a bucket each, and every power of two above is cut
 * into 8 equal buckets, so a bucket is at most 1/8 of its lower bound wide
 * and its midpoint is within 1/16 of any value in it (HdrHistogram's idea
 * with 3 significant bits).  Values of 2^48 and more (78 hours in ns) share
 * the last bucket.
 *
 *   value 1000 -> 2^9 = 512 <= 1000 < 1024, cut in 8 buckets of 64
 *              -> bucket [960, 1024), estimate 991.5
 *
 * The window is METRICS_WINDOW_SLOTS slots of METRICS_SLOT_MS each; a slot
 * holds the bucket counts of one period (its epoch: now / METRICS_SLOT_MS)
 * and the smallest and largest value seen in it.  The first observer of a
 * new period claims the slot of the oldest one with a compare-and-swap on
 * its epoch and clears it; everyone else only adds.  A quantile merges the
 * slots of the last METRICS_WINDOW_SLOTS periods (the last 50 to 60
 * seconds), finds the bucket holding the wanted rank and reports its
 * midpoint, clamped to the window's smallest and largest values, so a
 * constant series (every batch 2000 records) reads back exactly.  Like the
 * summaries of Prometheus client libraries, _count and _sum cover the whole
 * life of the summary, the quantiles only the window.
 *
 * Text.  Each family keeps its samples in its own buffer; finishing
 * concatenates "# HELP", "# TYPE" and the samples family by family.
 */
#include "metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* ---- summaries ------------------------------------------------------------- */

#define SUB_BITS 3
#define SUB (1u << SUB_BITS)
#define MAX_EXP 47
#define N_BUCKETS (2 * SUB + (MAX_EXP - SUB_BITS) * SUB)
#define SLOT_UNUSED (-1)
#define SLOT_BUSY (-2) /* being cleared for a new period */

typedef struct slot {
    _Atomic int64_t epoch;
    _Atomic uint64_t min, max;
    _Atomic uint32_t buckets[N_BUCKETS];
} slot_t;

struct metrics_summary {
    _Atomic uint64_t count;
    _Atomic uint64_t sum;
    slot_t slots[METRICS_WINDOW_SLOTS];
};

static unsigned bucket_of(uint64_t v)
{
    if (v < 2 * SUB) {
        return (unsigned)v;
    }
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* 2^e <= v < 2^(e+1), e >= 4 */
    if (e > MAX_EXP) {
        return N_BUCKETS - 1;
    }
    unsigned m = (unsigned)(v >> (e - SUB_BITS)) & (SUB - 1);
    return 2 * SUB + (e - SUB_BITS - 1) * SUB + m;
}

/* The midpoint of the values that fall in bucket `idx`. */
static double bucket_mid(unsigned idx)
{
    if (idx < 2 * SUB) {
        return idx;
    }
    unsigned e = (idx - 2 * SUB) / SUB + SUB_BITS + 1, m = (idx - 2 * SUB) % SUB;
    uint64_t lo = (uint64_t)(SUB + m) << (e - SUB_BITS);
    uint64_t width = 1ull << (e - SUB_BITS);
    return (double)lo + (double)(width - 1) / 2.0;
}

metrics_summary_t *metrics_summary_create(void)
{
    metrics_summary_t *sum = calloc(1, sizeof(*sum));
    if (!sum) {
        abort();
    }
    for (int i = 0; i < METRICS_WINDOW_SLOTS; i++) {
        atomic_init(&sum->slots[i].epoch, SLOT_UNUSED);
    }
    return sum;
}

void metrics_summary_destroy(metrics_summary_t *sum)
{
    free(sum);
}

void metrics_summary_observe_at(metrics_summary_t *sum, uint64_t value, int64_t now_ms)
{
    atomic_fetch_add_explicit(&sum->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum->sum, value, memory_order_relaxed);
    int64_t epoch = (now_ms > 0 ? now_ms : 0) / METRICS_SLOT_MS;
    slot_t *slot = &sum->slots[epoch % METRICS_WINDOW_SLOTS];
    int64_t seen = atomic_load_explicit(&slot->epoch, memory_order_acquire);
    if (seen != epoch) {
        /* A new period: claim the slot and clear it.  Whoever loses the
         * race (or runs on a clock behind the slot's) leaves the window
         * alone; the totals above have the value. */
        if (seen == SLOT_BUSY || seen > epoch ||
            !atomic_compare_exchange_strong_explicit(&slot->epoch, &seen, SLOT_BUSY, memory_order_acq_rel,
                                                     memory_order_relaxed)) {
            return;
        }
        for (unsigned i = 0; i < N_BUCKETS; i++) {
            atomic_store_explicit(&slot->buckets[i], 0, memory_order_relaxed);
        }
        atomic_store_explicit(&slot->min, UINT64_MAX, memory_order_relaxed);
        atomic_store_explicit(&slot->max, 0, memory_order_relaxed);
        atomic_store_explicit(&slot->epoch, epoch, memory_order_release);
    }
    atomic_fetch_add_explicit(&slot->buckets[bucket_of(value)], 1, memory_order_relaxed);
    uint64_t cur = atomic_load_explicit(&slot->max, memory_order_relaxed);
    while (value > cur &&
           !atomic_compare_exchange_weak_explicit(&slot->max, &cur, value, memory_order_relaxed, memory_order_relaxed)) {
    }
    cur = atomic_load_explicit(&slot->min, memory_order_relaxed);
    while (value < cur &&
           !atomic_compare_exchange_weak_explicit(&slot->min, &cur, value, memory_order_relaxed, memory_order_relaxed)) {
    }
}

void metrics_summary_observe(metrics_summary_t *sum, uint64_t value)
{
    metrics_summary_observe_at(sum, value, clock_mono_coarse_ms());
}

uint64_t metrics_summary_count(const metrics_summary_t *sum)
{
    return atomic_load_explicit(&sum->count, memory_order_relaxed);
}

uint64_t metrics_summary_sum(const metrics_summary_t *sum)
{
    return atomic_load_explicit(&sum->sum, memory_order_relaxed);
}

void metrics_summary_quantiles(const metrics_summary_t *sum, int64_t now_ms, const double *q, double *out, size_t n)
{
    uint64_t counts[N_BUCKETS] = {0};
    uint64_t total = 0, min = UINT64_MAX, max = 0;
    int64_t epoch = (now_ms > 0 ? now_ms : 0) / METRICS_SLOT_MS;
    for (int s = 0; s < METRICS_WINDOW_SLOTS; s++) {
        const slot_t *slot = &sum->slots[s];
        int64_t e = atomic_load_explicit(&slot->epoch, memory_order_acquire);
        if (e < 0 || e > epoch || e <= epoch - METRICS_WINDOW_SLOTS) {
            continue;
        }
        for (unsigned i = 0; i < N_BUCKETS; i++) {
            uint32_t c = atomic_load_explicit(&slot->buckets[i], memory_order_relaxed);
            counts[i] += c;
            total += c;
        }
        uint64_t lo = atomic_load_explicit(&slot->min, memory_order_relaxed);
        uint64_t hi = atomic_load_explicit(&slot->max, memory_order_relaxed);
        min = lo < min ? lo : min;
        max = hi > max ? hi : max;
    }
    for (size_t k = 0; k < n; k++) {
        if (total == 0) {
            out[k] = NAN;
            continue;
        }
        double want = ceil(q[k] * (double)total);
        uint64_t rank = want < 1 ? 1 : want > (double)total ? total : (uint64_t)want;
        uint64_t seen = 0;
        unsigned i = 0;
        for (; i < N_BUCKETS - 1; i++) {
            seen += counts[i];
            if (seen >= rank) {
                break;
            }
        }
        double est = bucket_mid(i);
        if (min <= max) { /* a racing slot clear can leave them crossed */
            est = est < (double)min ? (double)min : est > (double)max ? (double)max : est;
        }
        out[k] = est;
    }
}

/* ---- the text format ------------------------------------------------------- */

typedef struct strbuf {
    char *data;
    size_t len, cap;
} strbuf_t;

static void sb_reserve(strbuf_t *sb, size_t more)
{
    if (sb->len + more + 1 <= sb->cap) {
        return;
    }
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + more + 1) {
        cap *= 2;
    }
    char *data = realloc(sb->data, cap);
    if (!data) {
        abort();
    }
    sb->data = data;
    sb->cap = cap;
}

static void sb_put(strbuf_t *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

static void sb_puts(strbuf_t *sb, const char *s)
{
    sb_put(sb, s, strlen(s));
}

static void sb_printf(strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[128];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n >= 0) {
        sb_put(sb, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
    }
}

/* A label value or HELP text: backslash and newline escaped, and in label
 * values the double quote too. */
static void sb_escaped(strbuf_t *sb, const char *s, bool quote)
{
    for (; *s; s++) {
        if (*s == '\\') {
            sb_put(sb, "\\\\", 2);
        } else if (*s == '\n') {
            sb_put(sb, "\\n", 2);
        } else if (*s == '"' && quote) {
            sb_put(sb, "\\\"", 2);
        } else {
            sb_put(sb, s, 1);
        }
    }
}

struct metrics_family {
    const char *name;
    const char *help;
    metrics_type_t type;
    strbuf_t samples;
    metrics_family_t *next;
};

struct metrics_text {
    metrics_family_t *first, *last;
};

metrics_text_t *metrics_text_create(void)
{
    metrics_text_t *text = calloc(1, sizeof(*text));
    if (!text) {
        abort();
    }
    return text;
}

void metrics_text_destroy(metrics_text_t *text)
{
    if (!text) {
        return;
    }
    for (metrics_family_t *fam = text->first, *next; fam; fam = next) {
        next = fam->next;
        free(fam->samples.data);
        free(fam);
    }
    free(text);
}

metrics_family_t *metrics_text_family(metrics_text_t *text, const char *name, metrics_type_t type, const char *help)
{
    for (metrics_family_t *fam = text->first; fam; fam = fam->next) {
        if (strcmp(fam->name, name) == 0) {
            return fam;
        }
    }
    metrics_family_t *fam = calloc(1, sizeof(*fam));
    if (!fam) {
        abort();
    }
    fam->name = name;
    fam->help = help;
    fam->type = type;
    if (text->last) {
        text->last->next = fam;
    } else {
        text->first = fam;
    }
    text->last = fam;
    return fam;
}

/* "name{a="x",b="y"} " with an optional extra label (the quantile). */
static void sample_start(metrics_family_t *fam, const char *suffix, const char *const *labels, const char *extra_name,
                         const char *extra_value)
{
    strbuf_t *sb = &fam->samples;
    sb_puts(sb, fam->name);
    if (suffix) {
        sb_puts(sb, suffix);
    }
    bool any = false;
    for (const char *const *l = labels; l && l[0]; l += 2) {
        sb_puts(sb, any ? "," : "{");
        sb_puts(sb, l[0]);
        sb_puts(sb, "=\"");
        sb_escaped(sb, l[1] ? l[1] : "", true);
        sb_puts(sb, "\"");
        any = true;
    }
    if (extra_name) {
        sb_puts(sb, any ? "," : "{");
        sb_printf(sb, "%s=\"%s\"", extra_name, extra_value);
        any = true;
    }
    sb_puts(sb, any ? "} " : " ");
}

static void put_double(strbuf_t *sb, double value)
{
    if (isnan(value)) {
        sb_puts(sb, "NaN\n");
    } else if (isinf(value)) {
        sb_puts(sb, value > 0 ? "+Inf\n" : "-Inf\n");
    } else {
        sb_printf(sb, "%.15g\n", value);
    }
}

void metrics_family_add(metrics_family_t *fam, const char *const *labels, double value)
{
    sample_start(fam, NULL, labels, NULL, NULL);
    put_double(&fam->samples, value);
}

void metrics_family_add_u64(metrics_family_t *fam, const char *const *labels, uint64_t value)
{
    sample_start(fam, NULL, labels, NULL, NULL);
    sb_printf(&fam->samples, "%llu\n", (unsigned long long)value);
}

void metrics_family_add_i64(metrics_family_t *fam, const char *const *labels, int64_t value)
{
    sample_start(fam, NULL, labels, NULL, NULL);
    sb_printf(&fam->samples, "%lld\n", (long long)value);
}

void metrics_family_add_summary(metrics_family_t *fam, const char *const *labels, const metrics_summary_t *sum,
                                double scale, int64_t now_ms)
{
    static const double qs[] = {0.5, 0.99};
    static const char *const qnames[] = {"0.5", "0.99"};
    double est[2];
    /* Not one snapshot: an observer racing the scrape may show in one
     * of count, sum and window and not yet in the others. */
    uint64_t count = metrics_summary_count(sum);
    uint64_t total = metrics_summary_sum(sum);
    metrics_summary_quantiles(sum, now_ms, qs, est, 2);
    for (int i = 0; i < 2; i++) {
        sample_start(fam, NULL, labels, "quantile", qnames[i]);
        put_double(&fam->samples, est[i] * scale);
    }
    sample_start(fam, "_sum", labels, NULL, NULL);
    put_double(&fam->samples, (double)total * scale);
    sample_start(fam, "_count", labels, NULL, NULL);
    sb_printf(&fam->samples, "%llu\n", (unsigned long long)count);
}

char *metrics_text_finish(metrics_text_t *text, size_t *len)
{
    static const char *const type_names[] = {"counter", "gauge", "summary"};
    strbuf_t out = {0};
    sb_reserve(&out, 0);
    out.data[0] = '\0';
    for (metrics_family_t *fam = text->first; fam; fam = fam->next) {
        if (fam->samples.len == 0) {
            continue;
        }
        sb_puts(&out, "# HELP ");
        sb_puts(&out, fam->name);
        sb_puts(&out, " ");
        sb_escaped(&out, fam->help, false);
        sb_puts(&out, "\n# TYPE ");
        sb_puts(&out, fam->name);
        sb_puts(&out, " ");
        sb_puts(&out, type_names[fam->type]);
        sb_puts(&out, "\n");
        sb_put(&out, fam->samples.data, fam->samples.len);
    }
    metrics_text_destroy(text);
    *len = out.len;
    return out.data;
}

/* ---- collectors ------------------------------------------------------------ */

typedef struct collector {
    metrics_collect_fn *fn;
    void *opaque;
} collector_t;

#define MAX_COLLECTORS 8

static pthread_mutex_t collectors_lock = PTHREAD_MUTEX_INITIALIZER;
static collector_t collectors[MAX_COLLECTORS];
static int n_collectors;

void metrics_collector_add(metrics_collect_fn *fn, void *opaque)
{
    pthread_mutex_lock(&collectors_lock);
    if (n_collectors == MAX_COLLECTORS) {
        abort(); /* a handful of subsystems register; more is a bug */
    }
    collectors[n_collectors++] = (collector_t){fn, opaque};
    pthread_mutex_unlock(&collectors_lock);
}

void metrics_collector_remove(metrics_collect_fn *fn, void *opaque)
{
    pthread_mutex_lock(&collectors_lock);
    for (int i = 0; i < n_collectors; i++) {
        if (collectors[i].fn == fn && collectors[i].opaque == opaque) {
            collectors[i] = collectors[--n_collectors];
            break;
        }
    }
    pthread_mutex_unlock(&collectors_lock);
}

void metrics_collect_all(metrics_text_t *out)
{
    pthread_mutex_lock(&collectors_lock);
    for (int i = 0; i < n_collectors; i++) {
        collectors[i].fn(collectors[i].opaque, out);
    }
    pthread_mutex_unlock(&collectors_lock);
}
