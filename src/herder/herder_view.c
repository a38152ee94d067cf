/*
 * herder_view.c - the JSON documents the REST API shows of connectors and
 * tasks, in Kafka Connect's shapes (reference/connect-rest.md §1.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/config_json.h"
#include "config/config_provider.h"
#include "config/config_validate.h"
#include "config/file_confine.h"
#include "connector_config.h"
#include "herder_internal.h"
#include "plugin_catalog.h"
#include "task/error_handler.h"

static char *dump(json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static const char *type_name(const connector_t *c)
{
    return c->plugin && c->plugin->desc->kind == CD_KIND_SINK ? "sink" : "source";
}

bool herder_is_password(const connector_t *c, const char *key)
{
    const config_def_t *def = c->plugin ? config_def_find(c->plugin->config, key) : NULL;
    return def && config_def_sensitive(def);
}

/* A config as REST shows it: PASSWORD settings as "[hidden]", in every
 * response (Kafka masks them only in some). */
static json_t *shown_config(const connector_t *c, const properties_t *config)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i);
        json_object_set_new(obj, key, json_string(herder_is_password(c, key) ? "[hidden]" : properties_value_at(config, i)));
    }
    return obj;
}

/* ConnectorInfo: {"name","config","tasks":[{"connector","task"}],"type"}. */
static json_t *info_json(const connector_t *c)
{
    json_t *tasks = json_array();
    for (int i = 0; i < c->n_tasks; i++) {
        json_array_append_new(tasks, json_pack("{sssi}", "connector", c->name, "task", i));
    }
    return json_pack("{sssoso ss}", "name", c->name, "config", shown_config(c, c->config), "tasks", tasks, "type",
                     type_name(c));
}

/* Whether the connector opted into error tolerance or a dead letter
 * queue: then its task statuses count the records that went wrong (a
 * member Kafka's status lacks, so only for those who asked). */
static bool handles_errors(const connector_t *c)
{
    error_handler_settings_t settings;
    char err[512];
    bool handles = error_handler_settings_read(c->config, &settings, err, sizeof(err)) &&
                   (settings.tolerance == ERROR_TOLERANCE_ALL || *settings.dlq_topic);
    error_handler_settings_free(&settings);
    return handles;
}

/* TaskState: {"id","state","worker_id","trace"?}, and connectd's own
 * "progress", "auto_restart" and "errors" when they apply. */
static json_t *task_status_json(herder_t *h, connector_t *c, int i)
{
    char trace[4096];
    task_state_t state = task_runner_state(c->tasks[i], trace, sizeof(trace));
    json_t *task = json_pack("{sissss}", "id", i, "state", task_state_name(state), "worker_id", h->worker_id);
    if (state == TASK_FAILED) {
        json_object_set_new(task, "trace", json_string(trace));
    }
    /* ABI 1.3: what a long phase of the plugin (a snapshot) has got to. */
    char *progress = plugin_metrics_progress(task_runner_plugin_metrics(c->tasks[i]));
    if (progress) {
        json_object_set_new(task, "progress", json_string(progress));
        free(progress);
    }
    json_t *auto_restart = herder_auto_restart_json(c, &c->task_restarts[i]);
    if (auto_restart) {
        json_object_set_new(task, "auto_restart", auto_restart);
    }
    if (handles_errors(c)) {
        const task_metrics_t *m = task_runner_metrics(c->tasks[i]);
        json_object_set_new(task, "errors",
                            json_pack("{sIsIsIsI}", "failed", (json_int_t)metrics_counter_get(&m->record_errors),
                                      "skipped", (json_int_t)metrics_counter_get(&m->records_skipped),
                                      "dead_letter_queue", (json_int_t)metrics_counter_get(&m->dlq_requests),
                                      "retries", (json_int_t)metrics_counter_get(&m->retries)));
    }
    return task;
}

/* ConnectorStateInfo: {"name","connector":{"state","worker_id","trace"?},"tasks","type"}. */
static json_t *status_json(herder_t *h, connector_t *c)
{
    const char *state = herder_connector_state(c);
    json_t *conn = json_pack("{ssss}", "state", state, "worker_id", h->worker_id);
    if (c->failed) {
        json_object_set_new(conn, "trace", json_string(c->trace));
    }
    json_t *auto_restart = herder_auto_restart_json(c, &c->restart);
    if (auto_restart) {
        json_object_set_new(conn, "auto_restart", auto_restart);
    }
    json_t *tasks = json_array();
    for (int i = 0; i < c->n_tasks; i++) {
        json_array_append_new(tasks, task_status_json(h, c, i));
    }
    return json_pack("{sssoso ss}", "name", c->name, "connector", conn, "tasks", tasks, "type", type_name(c));
}

char *herder_json_restart_plan(herder_t *h, connector_t *c, bool connector, const bool *tasks)
{
    json_t *doc = status_json(h, c);
    if (connector) {
        json_object_set_new(json_object_get(doc, "connector"), "state", json_string("RESTARTING"));
        json_object_del(json_object_get(doc, "connector"), "trace");
    }
    for (int i = 0; i < c->n_tasks; i++) {
        if (tasks[i]) {
            json_t *task = json_array_get(json_object_get(doc, "tasks"), (size_t)i);
            json_object_set_new(task, "state", json_string("RESTARTING"));
            json_object_del(task, "trace");
        }
    }
    return dump(doc);
}

char *herder_json_connector_names(herder_t *h)
{
    json_t *names = json_array();
    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < h->n_conns; i++) {
        json_array_append_new(names, json_string(h->conns[i]->name));
    }
    pthread_mutex_unlock(&h->lock);
    return dump(names);
}

char *herder_json_connectors_expanded(herder_t *h, bool status, bool info)
{
    json_t *all = json_object();
    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < h->n_conns; i++) {
        json_t *entry = json_object();
        if (status) {
            json_object_set_new(entry, "status", status_json(h, h->conns[i]));
        }
        if (info) {
            json_object_set_new(entry, "info", info_json(h->conns[i]));
        }
        json_object_set_new(all, h->conns[i]->name, entry);
    }
    pthread_mutex_unlock(&h->lock);
    return dump(all);
}

/* The document `make` builds of connector `name` (under the lock). */
static char *view(herder_t *h, const char *name, herder_result_t *result, json_t *(*make)(herder_t *, connector_t *))
{
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    json_t *doc = c ? make(h, c) : NULL;
    pthread_mutex_unlock(&h->lock);
    *result = doc ? HERDER_OK : HERDER_ERR_NOT_FOUND;
    return doc ? dump(doc) : NULL;
}

static json_t *info_of(herder_t *h, connector_t *c)
{
    return info_json(c);
}

static json_t *config_of(herder_t *h, connector_t *c)
{
    return shown_config(c, c->config);
}

static json_t *tasks_of(herder_t *h, connector_t *c)
{
    json_t *tasks = json_array();
    for (int i = 0; i < c->n_tasks; i++) {
        json_t *id = json_pack("{sssi}", "connector", c->name, "task", i);
        json_array_append_new(tasks, json_pack("{soso}", "id", id, "config", shown_config(c, c->task_configs[i])));
    }
    return tasks;
}

static json_t *tasks_config_of(herder_t *h, connector_t *c)
{
    json_t *all = json_object();
    for (int i = 0; i < c->n_tasks; i++) {
        char id[HERDER_NAME_MAX + 16];
        snprintf(id, sizeof(id), "%s-%d", c->name, i); /* ConnectorTaskId.toString() */
        json_object_set_new(all, id, shown_config(c, c->task_configs[i]));
    }
    return all;
}

char *herder_json_tasks_config(herder_t *h, const char *name, herder_result_t *result)
{
    return view(h, name, result, tasks_config_of);
}

char *herder_json_connector_info(herder_t *h, const char *name, herder_result_t *result)
{
    return view(h, name, result, info_of);
}

char *herder_json_connector_config(herder_t *h, const char *name, herder_result_t *result)
{
    return view(h, name, result, config_of);
}

char *herder_json_connector_status(herder_t *h, const char *name, herder_result_t *result)
{
    return view(h, name, result, status_json);
}

char *herder_json_tasks(herder_t *h, const char *name, herder_result_t *result)
{
    return view(h, name, result, tasks_of);
}

char *herder_json_task_status(herder_t *h, const char *name, int task_id, herder_result_t *result)
{
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    json_t *doc = c && task_id >= 0 && task_id < c->n_tasks ? task_status_json(h, c, task_id) : NULL;
    pthread_mutex_unlock(&h->lock);
    *result = doc ? HERDER_OK : HERDER_ERR_NOT_FOUND;
    return doc ? dump(doc) : NULL;
}

/* ---- plugins: GET /connector-plugins[/{p}/config], PUT .../config/validate ---------- */

static int plugin_info_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(x, "class")), json_string_value(json_object_get(y, "class")));
}

/* PluginInfo: {"class","type","version"}, the version left out when the
 * plugin has none (Kafka's NoVersionFilter). */
static json_t *plugin_info(const char *cls, catalog_type_t type, const char *version)
{
    json_t *info = json_pack("{ssss}", "class", cls, "type", catalog_type_name(type));
    if (version && *version) {
        json_object_set_new(info, "version", json_string(version));
    }
    return info;
}

char *herder_json_plugins(herder_t *h, bool connectors_only)
{
    /* Kafka's order: sinks, sources, transformations, predicates,
     * converters, header converters, each sorted by class name. */
    json_t *list = json_array();
    for (int type = CATALOG_SINK; type <= (connectors_only ? CATALOG_SOURCE : CATALOG_HEADER_CONVERTER); type++) {
        size_t n = 0, cap = plugin_registry_count(h->plugins) + catalog_count();
        json_t **infos = calloc(cap + 1, sizeof(*infos));
        for (size_t i = 0; i < plugin_registry_count(h->plugins); i++) {
            const cd_plugin_desc_t *desc = plugin_registry_at(h->plugins, i)->desc;
            if ((desc->kind == CD_KIND_SINK ? CATALOG_SINK : CATALOG_SOURCE) == (catalog_type_t)type) {
                infos[n++] = plugin_info(desc->name, (catalog_type_t)type, desc->version);
            }
        }
        for (size_t i = 0; i < catalog_count(); i++) {
            if (catalog_at(i)->type == (catalog_type_t)type) {
                infos[n++] = plugin_info(catalog_at(i)->class_name, (catalog_type_t)type, catalog_version());
            }
        }
        qsort(infos, n, sizeof(*infos), plugin_info_cmp);
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(list, infos[i]);
        }
        free(infos);
    }
    return dump(list);
}

char *herder_json_plugin_config(herder_t *h, const char *plugin, herder_result_t *result)
{
    /* A connector's own settings, then the framework's it does not
     * redefine (AbstractHerder.connectorPluginConfig); a converter's. */
    const plugin_info_t *info = plugin_registry_find(h->plugins, plugin);
    const catalog_plugin_t *builtin = info ? NULL : catalog_find_any(plugin);
    if (!info && !builtin) {
        *result = HERDER_ERR_NOT_FOUND;
        return NULL;
    }
    json_t *list = json_array();
    const config_def_t *own = info ? info->config : NULL;
    for (const config_def_t *key = info ? own : builtin->config; key && key->name; key++) {
        json_array_append_new(list, cv_key_json(key, NULL));
    }
    for (const config_def_t *key = info ? connector_config_keys(info->desc->kind) : NULL; key && key->name; key++) {
        if (!config_def_find(own, key->name)) {
            json_array_append_new(list, cv_key_json(key, NULL));
        }
    }
    *result = HERDER_OK;
    return dump(list);
}

/* Kafka's normalizedPluginName: a trailing "Connector" goes. */
static size_t normalized_len(const char *name)
{
    size_t len = strlen(name), suffix = strlen("Connector");
    return len > suffix && strcmp(name + len - suffix, "Connector") == 0 ? len - suffix : len;
}

char *herder_json_plugin_validate(herder_t *h, const char *plugin, const json_t *body, herder_result_t *result,
                                  char *errstr, size_t errstr_size)
{
    *result = HERDER_ERR_INVALID;
    if (!json_is_object(body)) {
        snprintf(errstr, errstr_size, "the request body must be a JSON object of connector settings");
        return NULL;
    }
    properties_t *config = config_from_json(body, errstr, errstr_size);
    if (!config) {
        return NULL;
    }
    const char *cls = properties_get(config, "connector.class");
    size_t cls_len = cls ? normalized_len(cls) : 0, plugin_len = normalized_len(plugin);
    if (cls && (cls_len < plugin_len || strncmp(cls + cls_len - plugin_len, plugin, plugin_len) != 0)) {
        snprintf(errstr, errstr_size, "Included connector type %s does not match request type %s", cls, plugin);
        properties_destroy(config);
        return NULL;
    }
    if (!cls) {
        snprintf(errstr, errstr_size, "Connector config {...} contains no connector type: set \"connector.class\"");
        properties_destroy(config);
        return NULL;
    }
    const plugin_info_t *info = plugin_registry_find(h->plugins, cls);
    if (!info) {
        if (!plugin_registry_find(h->plugins, plugin) && !catalog_find_any(plugin)) {
            *result = HERDER_ERR_NOT_FOUND;
            snprintf(errstr, errstr_size, "Unknown plugin %s.", plugin);
        } else {
            herder_no_such_connector_class(h, cls, errstr, errstr_size);
        }
        properties_destroy(config);
        return NULL;
    }
    /* Settings given as null: config_from_json left them out. */
    const char **null_keys = calloc(json_object_size(body) + 1, sizeof(*null_keys));
    size_t n_null = 0;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value)
    {
        if (json_is_null(value)) {
            null_keys[n_null++] = key;
        }
    }
    /* What the herder checks: the config with its ${provider:...}
     * references resolved (herder.c), shown with the references. */
    char why[1024];
    properties_t *resolved = config_provider_resolve(h->cprov, config, why, sizeof(why));
    cv_result_t *res = connector_config_validate(resolved ? resolved : config, info, NULL, null_keys, true);
    client_conf_check_overrides(res, resolved ? resolved : config, herder_override_policy(h));
    file_confine_check(res, resolved ? resolved : config, info->desc->name, h->wcfg->file_allowed_paths);
    if (!resolved) {
        /* "key: ${env:X} refers to ..." goes to that key. */
        char key_name[256] = "";
        size_t len = strcspn(why, ":");
        if (why[len] == ':' && len < sizeof(key_name)) {
            snprintf(key_name, sizeof(key_name), "%.*s", (int)len, why);
        }
        const char *target = properties_get(config, key_name) ? key_name : "connector.class";
        cv_entry_t *e = cv_result_find(res, target);
        if (e && e != cv_result_find(res, "connector.class")) {
            /* Its unresolved text is no value to judge. */
            cv_entry_reset(e);
            cv_entry_set_value(e, properties_get(config, target));
        }
        cv_result_add_error(res, target, NULL, "%s", why);
    }
    for (size_t i = 0; resolved && i < cv_result_count(res); i++) {
        cv_entry_t *e = cv_result_at(res, i);
        const char *raw = properties_get(config, e->name);
        if (raw && config_provider_has_reference(raw) && !(e->key && config_def_sensitive(e->key))) {
            cv_entry_set_value(e, raw);
        }
    }
    properties_destroy(resolved);
    json_t *doc = cv_result_json(res, cls);
    cv_result_free(res);
    free(null_keys);
    properties_destroy(config);
    *result = HERDER_OK;
    return dump(doc);
}
