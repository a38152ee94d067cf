/* plugin_metrics.c - a task's own metrics and progress; see plugin_metrics.h. */
#include "plugin_metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/*
 * Families are process-wide: two tasks of one connector, or two connectors
 * of one plugin, report the same name into one family, with their labels
 * telling them apart.  metrics_text_family() borrows the name and help
 * for the life of a scrape, which may outlast the task, so a family, once
 * declared, lives as long as the process.  The table is bounded so a
 * plugin inventing names cannot grow it without end.
 */
#define FAMILIES_MAX 1024

typedef struct family {
    char *name; /* connectd_plugin_<name>, "_total" appended for counters */
    char *help;
    cd_metric_kind_t kind;
    char short_name[PLUGIN_METRIC_NAME_MAX + 1]; /* as the plugin said it */
} family_t;

static family_t *families[FAMILIES_MAX];
static size_t n_families;
static pthread_mutex_t families_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct sample {
    const family_t *family;
    double value;
} sample_t;

struct plugin_metrics {
    pthread_mutex_t lock;
    sample_t samples[PLUGIN_METRICS_MAX];
    size_t n;
    char *progress;
};

plugin_metrics_t *plugin_metrics_new(void)
{
    plugin_metrics_t *pm = xcalloc(1, sizeof(*pm));
    pthread_mutex_init(&pm->lock, NULL);
    return pm;
}

void plugin_metrics_free(plugin_metrics_t *pm)
{
    if (!pm) {
        return;
    }
    pthread_mutex_destroy(&pm->lock);
    free(pm->progress);
    free(pm);
}

static bool name_valid(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > PLUGIN_METRIC_NAME_MAX || name[0] < 'a' || name[0] > 'z') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

/* The family of `name`, declared on first use.  NULL after errbuf. */
static const family_t *family_get(const char *name, cd_metric_kind_t kind, const char *help, char *errbuf,
                                  size_t errlen)
{
    size_t len = strlen(name);
    bool add_total = kind == CD_METRIC_COUNTER && !(len >= 6 && strcmp(name + len - 6, "_total") == 0);
    char full[sizeof("connectd_plugin_") + PLUGIN_METRIC_NAME_MAX + sizeof("_total")];
    snprintf(full, sizeof(full), "connectd_plugin_%s%s", name, add_total ? "_total" : "");
    const family_t *found = NULL;
    pthread_mutex_lock(&families_lock);
    for (size_t i = 0; i < n_families && !found; i++) {
        bool same = strcmp(families[i]->name, full) == 0 || strcmp(families[i]->short_name, name) == 0;
        found = same ? families[i] : NULL;
    }
    if (found && (found->kind != kind || strcmp(found->short_name, name) != 0)) {
        /* One name has one kind; and a counter "x" and a gauge "x_total"
         * would share one family. */
        snprintf(errbuf, errlen, "metric \"%s\" clashes with the %s \"%s\" a plugin declared (family %s)", name,
                 found->kind == CD_METRIC_COUNTER ? "counter" : "gauge", found->short_name, full);
        found = NULL;
    } else if (!found && n_families == FAMILIES_MAX) {
        snprintf(errbuf, errlen, "metric \"%s\" refused: plugins declared %d metric names already", name, FAMILIES_MAX);
    } else if (!found) {
        family_t *f = xcalloc(1, sizeof(*f));
        snprintf(f->short_name, sizeof(f->short_name), "%s", name);
        f->kind = kind;
        f->help = xstrdup(help && *help ? help : "A metric of the connector's plugin.");
        f->name = xstrdup(full);
        families[n_families++] = f;
        found = f;
    }
    pthread_mutex_unlock(&families_lock);
    return found;
}

int plugin_metrics_set(plugin_metrics_t *pm, const char *name, cd_metric_kind_t kind, const char *help, double value,
                       char *errbuf, size_t errlen)
{
    if (!name_valid(name)) {
        snprintf(errbuf, errlen, "metric name \"%.80s\" is not [a-z][a-z0-9_]* of at most %d bytes",
                 name ? name : "(null)", PLUGIN_METRIC_NAME_MAX);
        return -1;
    }
    if (kind != CD_METRIC_GAUGE && kind != CD_METRIC_COUNTER) {
        snprintf(errbuf, errlen, "metric \"%s\" has kind %d: use CD_METRIC_GAUGE or CD_METRIC_COUNTER", name,
                 (int)kind);
        return -1;
    }
    int rc = 0;
    pthread_mutex_lock(&pm->lock);
    sample_t *s = NULL;
    for (size_t i = 0; i < pm->n && !s; i++) {
        s = strcmp(pm->samples[i].family->short_name, name) == 0 ? &pm->samples[i] : NULL;
    }
    if (s && s->family->kind != kind) {
        snprintf(errbuf, errlen, "metric \"%s\" is already a %s; one name has one kind", name,
                 s->family->kind == CD_METRIC_COUNTER ? "counter" : "gauge");
        rc = -1;
    } else if (!s && pm->n == PLUGIN_METRICS_MAX) {
        snprintf(errbuf, errlen, "metric \"%s\" refused: a task keeps at most %d metrics", name, PLUGIN_METRICS_MAX);
        rc = -1;
    } else if (!s) {
        const family_t *f = family_get(name, kind, help, errbuf, errlen);
        if (f) {
            s = &pm->samples[pm->n++];
            s->family = f;
        } else {
            rc = -1;
        }
    }
    if (s && rc == 0) {
        s->value = value;
    }
    pthread_mutex_unlock(&pm->lock);
    return rc;
}

void plugin_metrics_set_progress(plugin_metrics_t *pm, const char *text)
{
    char *copy = text ? xstrdup(text) : NULL;
    pthread_mutex_lock(&pm->lock);
    free(pm->progress);
    pm->progress = copy;
    pthread_mutex_unlock(&pm->lock);
}

char *plugin_metrics_progress(plugin_metrics_t *pm)
{
    pthread_mutex_lock(&pm->lock);
    char *copy = pm->progress ? xstrdup(pm->progress) : NULL;
    pthread_mutex_unlock(&pm->lock);
    return copy;
}

void plugin_metrics_write(plugin_metrics_t *pm, metrics_text_t *out, const char *const *labels)
{
    pthread_mutex_lock(&pm->lock);
    for (size_t i = 0; i < pm->n; i++) {
        const family_t *f = pm->samples[i].family;
        metrics_family_t *fam = metrics_text_family(
            out, f->name, f->kind == CD_METRIC_COUNTER ? METRICS_COUNTER : METRICS_GAUGE, f->help);
        metrics_family_add(fam, labels, pm->samples[i].value);
    }
    pthread_mutex_unlock(&pm->lock);
}
