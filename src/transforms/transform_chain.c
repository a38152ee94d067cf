/*
 * transform_chain.c - the known transforms and a task's chain of them;
 * see transform_chain.h.
 *
 * Known transforms.  A fixed table, filled once with the built-ins (on
 * first use) and then with plugins' (transform_plugins_register, at
 * startup); entries are never moved or removed, so a def pointer handed
 * out stays valid and readers need no lock once an entry is published
 * (the count is atomic and grows after the entry is written).
 *
 * A plugin's transform is wrapped in a transform_def_t of its own entry:
 * its instance is a task context (task_context.h: config_get answers the
 * link's settings with the plugin's defaults) and the state its start()
 * made.  Creating one needs the descriptor, which transform_def_t.create
 * cannot be told, so this file creates every instance itself
 * (instance_create) and leaves create NULL in the wrappers.
 *
 * Records in a chain.  The caller's record goes in; a link may change it
 * in place, replace it with a new record (the link's input is then freed
 * here, unless it is the caller's), or drop it.  The caller's record is
 * never freed here, so it can still read its source offset (a source
 * commits the offsets of dropped records, as Kafka does) or Kafka
 * coordinates.
 */
#include "transform_chain.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "config/config_validate.h"
#include "data/data.h"
#include "plugin/task_context.h"

#define KNOWN_MAX 512 /* built-ins (~40 rows) and plugins' transforms */

typedef struct known {
    const transform_def_t *def;  /* a built-in, or &wrapper */
    transform_def_t wrapper;     /* a plugin's */
    const cd_plugin_desc_t *desc;
    const config_def_t *config;  /* def->config as rows: the registry's for a plugin, else made once */
} known_t;

static known_t known[KNOWN_MAX];
static atomic_size_t n_known;
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t known_once = PTHREAD_ONCE_INIT;

/* ---- plugin transforms ---------------------------------------------------------------- */

typedef struct plugin_instance {
    const cd_plugin_desc_t *desc;
    cd_task_t *ctx;
    void *state;
} plugin_instance_t;

static const char *plugin_error(plugin_instance_t *pi, const char *what)
{
    const char *err = task_context_error(pi->ctx);
    return err && *err ? err : what;
}

/* A plugin's return is a boundary: a code that is no cd_rc_t (positive)
 * is a failure too, and *out is ignored on any failure (ABI: a record the
 * plugin made is then its own to free). */
static int plugin_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    plugin_instance_t *pi = instance;
    *out = rec;
    cd_rc_t rc = pi->desc->transform(pi->ctx, pi->state, rec, out);
    if (rc != CD_OK) {
        snprintf(errstr, errstr_size, "%s", plugin_error(pi, "the transform failed without saying why"));
        task_context_clear_error(pi->ctx);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* transform_def_t.test has no error to return; the chain calls
 * plugin_test_rc for plugins, this is for anyone else. */
static int plugin_test_rc(plugin_instance_t *pi, const cd_record_t *rec, bool *matches, char *errstr,
                          size_t errstr_size)
{
    *matches = false;
    if (pi->desc->test(pi->ctx, pi->state, rec, matches) != CD_OK) {
        snprintf(errstr, errstr_size, "%s", plugin_error(pi, "the predicate failed without saying why"));
        task_context_clear_error(pi->ctx);
        return -1;
    }
    return 0;
}

static bool plugin_test(void *instance, const cd_record_t *rec)
{
    bool matches;
    char err[512];
    if (plugin_test_rc(instance, rec, &matches, err, sizeof(err)) < 0) {
        blog_warn("predicate %s failed: %s", ((plugin_instance_t *)instance)->desc->name, err);
        return false;
    }
    return matches;
}

static void plugin_destroy(void *instance)
{
    plugin_instance_t *pi = instance;
    if (pi) {
        pi->desc->stop(pi->ctx, pi->state);
        task_context_free(pi->ctx);
        free(pi);
    }
}

static void *plugin_create(const cd_plugin_desc_t *desc, const properties_t *settings, const char *connector,
                           int task_id, char *errstr, size_t errstr_size)
{
    plugin_instance_t *pi = calloc(1, sizeof(*pi));
    if (!pi) {
        abort();
    }
    pi->desc = desc;
    pi->ctx = task_context_new(connector ? connector : desc->name, task_id, desc, settings, NULL);
    if (desc->start(pi->ctx, &pi->state) < 0) {
        snprintf(errstr, errstr_size, "%s", plugin_error(pi, "start failed without saying why"));
        task_context_free(pi->ctx);
        free(pi);
        return NULL;
    }
    return pi;
}

/* ---- the known list --------------------------------------------------------------------- */

static void known_publish(const transform_def_t *def, const plugin_info_t *plugin)
{
    const cd_plugin_desc_t *desc = plugin ? plugin->desc : NULL;
    size_t i = atomic_load(&n_known);
    if (i == KNOWN_MAX) {
        blog_warn("too many transforms and predicates (%d); %s is left out", KNOWN_MAX, def ? def->name : desc->name);
        return;
    }
    known[i].desc = desc;
    if (desc) {
        known[i].wrapper = (transform_def_t){
            .name = desc->name,
            .is_predicate = desc->kind == CD_KIND_PREDICATE,
            .doc = desc->description,
            .config = desc->config,
            .apply = desc->kind == CD_KIND_TRANSFORM ? plugin_apply : NULL,
            .test = desc->kind == CD_KIND_PREDICATE ? plugin_test : NULL,
            .destroy = plugin_destroy,
        };
        def = &known[i].wrapper;
    }
    known[i].def = def;
    /* A built-in's rows are made once and kept for the process. */
    known[i].config = plugin ? plugin->config : plugin_config_rows(def->config);
    atomic_store(&n_known, i + 1);
}

static void builtins_init(void)
{
    pthread_mutex_lock(&known_lock);
    for (size_t i = 0; transform_builtins[i]; i++) {
        known_publish(transform_builtins[i], NULL);
    }
    pthread_mutex_unlock(&known_lock);
}

size_t transform_known_count(void)
{
    pthread_once(&known_once, builtins_init);
    return atomic_load(&n_known);
}

const transform_def_t *transform_known_at(size_t i)
{
    return i < transform_known_count() ? known[i].def : NULL;
}

static const known_t *known_of(const transform_def_t *def)
{
    size_t n = transform_known_count();
    for (size_t i = 0; i < n; i++) {
        if (known[i].def == def) {
            return &known[i];
        }
    }
    return NULL;
}

const cd_plugin_desc_t *transform_def_plugin(const transform_def_t *def)
{
    const known_t *k = known_of(def);
    return k ? k->desc : NULL;
}

const config_def_t *transform_config_rows(const transform_def_t *def)
{
    const known_t *k = known_of(def);
    assert(k); /* defs come from the known list */
    return k->config;
}

void transform_class_name(const transform_def_t *def, transform_target_t target, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s", def->package ? def->package : "", def->package ? "." : "", def->name,
             !def->has_variants ? "" : target == TRANSFORM_KEY ? "$Key" : "$Value");
}

void transform_short_name(const transform_def_t *def, transform_target_t target, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", def->name, !def->has_variants ? "" : target == TRANSFORM_KEY ? "$Key" : "$Value");
}

/* Whether `type` names known entry k (as variant *target). */
static bool known_matches(const known_t *k, const char *type, transform_target_t *target)
{
    char buf[512];
    if (k->desc) {
        *target = TRANSFORM_VALUE;
        if (strcmp(k->desc->name, type) == 0) {
            return true;
        }
        for (const char *const *alias = k->desc->aliases; alias && *alias; alias++) {
            if (strcmp(*alias, type) == 0) {
                return true;
            }
        }
        return false;
    }
    for (int t = 0; t < (k->def->has_variants ? 2 : 1); t++) {
        *target = t == 0 ? TRANSFORM_VALUE : TRANSFORM_KEY;
        transform_class_name(k->def, *target, buf, sizeof(buf));
        if (strcmp(buf, type) == 0) {
            return true;
        }
        transform_short_name(k->def, *target, buf, sizeof(buf));
        if (strcmp(buf, type) == 0) {
            return true;
        }
    }
    return false;
}

/* Java's String.trim() of s, into buf. */
static const char *trim_into(const char *s, char *buf, size_t size)
{
    while (*s && (unsigned char)*s <= ' ') {
        s++;
    }
    size_t len = strlen(s);
    while (len > 0 && (unsigned char)s[len - 1] <= ' ') {
        len--;
    }
    snprintf(buf, size, "%.*s", (int)len, s);
    return buf;
}

const transform_def_t *transform_find(const char *type, bool predicate, transform_target_t *target)
{
    char name[512];
    transform_target_t t = TRANSFORM_VALUE;
    if (!type) {
        return NULL;
    }
    trim_into(type, name, sizeof(name));
    size_t n = transform_known_count();
    for (size_t i = 0; i < n; i++) {
        if (known[i].def->is_predicate == predicate && known_matches(&known[i], name, &t)) {
            if (target) {
                *target = t;
            }
            return known[i].def;
        }
    }
    return NULL;
}

void transform_plugins_register(const plugin_registry_t *reg)
{
    transform_known_count(); /* the built-ins come first */
    pthread_mutex_lock(&known_lock);
    for (size_t i = 0; i < plugin_registry_transform_count(reg); i++) {
        const plugin_info_t *plugin = plugin_registry_transform_at(reg, i);
        const cd_plugin_desc_t *desc = plugin->desc;
        bool predicate = desc->kind == CD_KIND_PREDICATE, again = false;
        for (size_t j = 0; j < atomic_load(&n_known); j++) {
            again |= known[j].desc == desc;
        }
        if (again) {
            continue; /* registered by an earlier call */
        }
        bool taken = transform_find(desc->name, predicate, NULL) != NULL;
        for (const char *const *alias = desc->aliases; alias && *alias && !taken; alias++) {
            taken = transform_find(*alias, predicate, NULL) != NULL;
        }
        if (taken) {
            blog_warn("plugin %s %s: its name or an alias is taken by another %s; it is not used",
                      predicate ? "predicate" : "transform", desc->name, predicate ? "predicate" : "transform");
            continue;
        }
        known_publish(NULL, plugin);
    }
    pthread_mutex_unlock(&known_lock);
}

/* ---- settings and instances -------------------------------------------------------------- */

const config_def_t transform_link_defs[] = {
    {.name = "predicate", .type = CONFIG_DEF_STRING, .importance = CONFIG_DEF_MEDIUM,
     .doc = "The alias of a predicate used to determine whether to apply this transformation."},
    {.name = "negate", .type = CONFIG_DEF_BOOLEAN, .default_value = "false", .importance = CONFIG_DEF_MEDIUM,
     .doc = "Whether the configured predicate should be negated."},
    {.name = NULL},
};

/*
 * The settings under `prefix` of config, checked against def's table;
 * returns them with the prefix removed and the table's defaults filled in
 * (values as the checks parsed them: trimmed, lists joined), or NULL with
 * the checks' messages in errstr.
 */
static properties_t *settings_of(const properties_t *config, const char *prefix, const transform_def_t *def,
                                 char *errstr, size_t errstr_size)
{
    cv_result_t *res = cv_result_new();
    cv_validate_keys(res, transform_config_rows(def), config, prefix, NULL);
    if (cv_result_error_count(res) > 0) {
        cv_result_messages(res, errstr, errstr_size);
        cv_result_free(res);
        return NULL;
    }
    properties_t *settings = properties_create();
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i);
        if (strncmp(key, prefix, plen) == 0) {
            properties_set(settings, key + plen, properties_value_at(config, i));
        }
    }
    for (size_t i = 0; i < cv_result_count(res); i++) {
        const cv_entry_t *e = cv_result_at(res, i);
        if (!e->key) {
            continue;
        }
        if (!config_def_sensitive(e->key) && e->value) {
            properties_set(settings, e->key->name, e->value);
        } else if (!properties_get(settings, e->key->name) && e->key->default_value) {
            properties_set(settings, e->key->name, e->key->default_value);
        }
    }
    cv_result_free(res);
    return settings;
}

static void *instance_create(const transform_def_t *def, transform_target_t target, const properties_t *settings,
                             const char *connector, int task_id, char *errstr, size_t errstr_size)
{
    const cd_plugin_desc_t *desc = transform_def_plugin(def);
    errstr[0] = '\0';
    if (desc) {
        return plugin_create(desc, settings, connector, task_id, errstr, errstr_size);
    }
    void *inst = def->create(settings, target, errstr, errstr_size);
    if (!inst && !errstr[0]) {
        snprintf(errstr, errstr_size, "%s could not be configured", def->name);
    }
    return inst;
}

static void instance_destroy(const transform_def_t *def, void *inst)
{
    if (inst && def->destroy) {
        def->destroy(inst);
    }
}

/* ---- chains --------------------------------------------------------------------------------- */

typedef struct link {
    char *alias;
    const transform_def_t *def;
    void *inst;
    const transform_def_t *pred; /* NULL: always applies */
    void *pred_inst;
    bool pred_plugin; /* pred is a plugin's: tested with plugin_test_rc, which can fail */
    bool negate;
} link_t;

struct transform_chain {
    link_t *links;
    size_t n;
};

void transform_chain_destroy(transform_chain_t *chain)
{
    if (!chain) {
        return;
    }
    for (size_t i = 0; i < chain->n; i++) {
        link_t *l = &chain->links[i];
        instance_destroy(l->def, l->inst);
        if (l->pred) {
            instance_destroy(l->pred, l->pred_inst);
        }
        free(l->alias);
    }
    free(chain->links);
    free(chain);
}

size_t transform_chain_length(const transform_chain_t *chain)
{
    return chain ? chain->n : 0;
}

/* Whether `alias` is an item of the comma list `list`. */
static bool list_has(const char *list, const char *alias)
{
    char *copy = strdup(list ? list : ""), *save = NULL, buf[256];
    bool found = false;
    for (char *item = strtok_r(copy, ",", &save); item && !found; item = strtok_r(NULL, ",", &save)) {
        found = strcmp(trim_into(item, buf, sizeof(buf)), alias) == 0;
    }
    free(copy);
    return found;
}

/* Makes the instance `list`.`alias` (list: "transforms" or "predicates")
 * describes: its type looked up, its settings checked. */
static void *alias_create(const properties_t *config, const char *list, const char *alias, const char *connector,
                          int task_id, const transform_def_t **def_out, char *errstr, size_t errstr_size)
{
    bool predicate = strcmp(list, "predicates") == 0;
    char prefix[512], key[600];
    snprintf(prefix, sizeof(prefix), "%s.%s.", list, alias);
    snprintf(key, sizeof(key), "%stype", prefix);
    const char *type = properties_get(config, key);
    char trimmed[512];
    if (!type || !*trim_into(type, trimmed, sizeof(trimmed))) {
        snprintf(errstr, errstr_size, "Missing required configuration \"%s\" which has no default value.", key);
        return NULL;
    }
    transform_target_t target;
    const transform_def_t *def = transform_find(trimmed, predicate, &target);
    if (!def) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration %s: Class %s could not be found.", trimmed,
                 key, trimmed);
        return NULL;
    }
    properties_t *settings = settings_of(config, prefix, def, errstr, errstr_size);
    if (!settings) {
        return NULL;
    }
    char why[1024];
    void *inst = instance_create(def, target, settings, connector, task_id, why, sizeof(why));
    properties_destroy(settings);
    if (!inst) {
        snprintf(errstr, errstr_size, "%s '%s' (%s): %s", predicate ? "predicate" : "transformation", alias, trimmed,
                 why);
        return NULL;
    }
    *def_out = def;
    return inst;
}

/* The link for transform `alias`, or false with errstr. */
static bool link_create(link_t *l, const properties_t *config, const char *alias, const char *connector, int task_id,
                        char *errstr, size_t errstr_size)
{
    char prefix[600], key[700], negate_key[700], buf[256];
    snprintf(prefix, sizeof(prefix), "transforms.%s.", alias);
    snprintf(key, sizeof(key), "%spredicate", prefix);
    snprintf(negate_key, sizeof(negate_key), "%snegate", prefix);
    if (properties_get(config, negate_key) && !properties_get(config, key)) {
        snprintf(errstr, errstr_size,
                 "Config '%s' was provided but there is no config '%s' defining a predicate to be negated.",
                 negate_key, key);
        return false;
    }
    /* predicate and negate, read by their rows. */
    cv_result_t *res = cv_result_new();
    cv_validate_keys(res, transform_link_defs, config, prefix, NULL);
    if (cv_result_error_count(res) > 0) {
        cv_result_messages(res, errstr, errstr_size);
        cv_result_free(res);
        return false;
    }
    l->negate = strcmp(cv_result_find(res, negate_key)->value, "true") == 0;
    const char *pred = cv_result_find(res, key)->value;
    snprintf(buf, sizeof(buf), "%s", pred ? pred : "");
    cv_result_free(res);
    l->alias = strdup(alias);
    l->inst = alias_create(config, "transforms", alias, connector, task_id, &l->def, errstr, errstr_size);
    if (!l->inst) {
        return false;
    }
    if (*buf) {
        if (!list_has(properties_get(config, "predicates"), buf)) {
            snprintf(errstr, errstr_size,
                     "Invalid value %s for configuration %s: the predicate alias is not listed in 'predicates'", buf,
                     key);
            return false;
        }
        l->pred_inst = alias_create(config, "predicates", buf, connector, task_id, &l->pred, errstr, errstr_size);
        if (!l->pred_inst) {
            return false;
        }
        l->pred_plugin = transform_def_plugin(l->pred) != NULL;
    }
    return true;
}

int transform_alias_check(const properties_t *config, const char *list, const char *alias, char *errstr,
                          size_t errstr_size)
{
    const transform_def_t *def = NULL;
    void *inst = alias_create(config, list, alias, NULL, -1, &def, errstr, errstr_size);
    if (!inst) {
        return -1;
    }
    instance_destroy(def, inst);
    return 0;
}

transform_chain_t *transform_chain_create(const properties_t *config, const char *connector, int task_id,
                                          char *errstr, size_t errstr_size)
{
    transform_chain_t *chain = calloc(1, sizeof(*chain));
    if (!chain) {
        abort();
    }
    char *copy = strdup(properties_get(config, "transforms") ? properties_get(config, "transforms") : "");
    char *save = NULL, buf[256];
    size_t cap = 0;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        const char *alias = trim_into(item, buf, sizeof(buf));
        if (!*alias) {
            continue;
        }
        if (chain->n == cap) {
            cap = cap ? 2 * cap : 4;
            chain->links = realloc(chain->links, cap * sizeof(*chain->links));
            if (!chain->links) {
                abort();
            }
        }
        link_t *l = &chain->links[chain->n++];
        *l = (link_t){0};
        if (!link_create(l, config, alias, connector, task_id, errstr, errstr_size)) {
            free(copy);
            transform_chain_destroy(chain);
            return NULL;
        }
    }
    free(copy);
    return chain;
}

/* Whether link l applies to rec: 0 with *applies, or -1 with errstr. */
static int link_applies(const link_t *l, const cd_record_t *rec, bool *applies, char *errstr, size_t errstr_size)
{
    bool matches = true;
    if (l->pred) {
        if (l->pred_plugin) {
            if (plugin_test_rc(l->pred_inst, rec, &matches, errstr, errstr_size) < 0) {
                return -1;
            }
        } else {
            matches = l->pred->test(l->pred_inst, rec);
        }
    }
    *applies = l->negate ? !matches : matches;
    return 0;
}

int transform_chain_apply(transform_chain_t *chain, cd_record_t *rec, cd_record_t **out, char *errstr,
                          size_t errstr_size)
{
    cd_record_t *cur = rec;
    *out = NULL;
    for (size_t i = 0; chain && i < chain->n; i++) {
        link_t *l = &chain->links[i];
        bool applies;
        cd_record_t *next = NULL;
        if (link_applies(l, cur, &applies, errstr, errstr_size) < 0) {
            goto fail;
        }
        if (!applies) {
            continue;
        }
        errstr[0] = '\0';
        if (l->def->apply(l->inst, cur, &next, errstr, errstr_size) < 0) {
            if (!errstr[0]) {
                snprintf(errstr, errstr_size, "transformation '%s' failed", l->alias);
            }
            goto fail;
        }
        if (next != cur && cur != rec) {
            data_record_free(cur); /* an intermediate record of this chain's */
        }
        cur = next;
        if (!cur) {
            return 0; /* dropped */
        }
    }
    *out = cur;
    return 0;
fail:
    if (cur != rec) {
        data_record_free(cur);
    }
    return -1;
}
