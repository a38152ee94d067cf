/*
 * plugin_metrics.h - what a task's plugin reports about itself (ABI 1.3):
 * metrics, which GET /metrics exports as connectd_plugin_<name>, and a
 * one-line progress text, which the task's status shows.
 *
 * The task's thread writes (host->metric_set, host->progress_set); REST
 * threads read while scraping or answering a status, so every function
 * takes the object's own lock.
 */
#ifndef CONNECTD_PLUGIN_METRICS_H
#define CONNECTD_PLUGIN_METRICS_H

#include <stddef.h>

#include <connectd/plugin.h>

#include "metrics.h"

/* A task keeps at most this many metrics: the cost of a scrape stays
 * bounded whatever a plugin does. */
#define PLUGIN_METRICS_MAX 64
#define PLUGIN_METRIC_NAME_MAX 64

typedef struct plugin_metrics plugin_metrics_t;

plugin_metrics_t *plugin_metrics_new(void);
void plugin_metrics_free(plugin_metrics_t *pm); /* NULL is fine */

/* Sets metric `name` to `value`.  0; -1 after errbuf when the name is not
 * [a-z][a-z0-9_]* of at most PLUGIN_METRIC_NAME_MAX bytes, the kind is
 * unknown or differs from the one the name was first declared with (by any
 * task: one family per name), or the task has PLUGIN_METRICS_MAX others. */
int plugin_metrics_set(plugin_metrics_t *pm, const char *name, cd_metric_kind_t kind, const char *help, double value,
                       char *errbuf, size_t errlen);

/* Replaces the progress text (copied; NULL clears it). */
void plugin_metrics_set_progress(plugin_metrics_t *pm, const char *text);
/* A copy of the progress text (free() it), or NULL when there is none. */
char *plugin_metrics_progress(plugin_metrics_t *pm);

/* Adds every metric to `out`, each with `labels` (NULL-terminated name,
 * value pairs, borrowed for the call). */
void plugin_metrics_write(plugin_metrics_t *pm, metrics_text_t *out, const char *const *labels);

#endif
