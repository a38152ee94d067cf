/*
 * herder_view.c - the JSON documents the REST API shows of connectors and
 * tasks, in Kafka Connect's shapes (reference/connect-rest.md §1.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herder_internal.h"

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

/* Whether the connector's config table declares `key` a PASSWORD. */
static bool is_password(const connector_t *c, const char *key)
{
    for (const cd_config_def_t *def = c->plugin ? c->plugin->desc->config : NULL; def && def->name; def++) {
        if (def->type == CD_CFG_PASSWORD && strcmp(def->name, key) == 0) {
            return true;
        }
    }
    return false;
}

/* A config as REST shows it: PASSWORD settings as "[hidden]", in every
 * response (Kafka masks them only in some). */
static json_t *shown_config(const connector_t *c, const properties_t *config)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i);
        json_object_set_new(obj, key, json_string(is_password(c, key) ? "[hidden]" : properties_value_at(config, i)));
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

/* TaskState: {"id","state","worker_id","trace"?}. */
static json_t *task_status_json(herder_t *h, connector_t *c, int i)
{
    char trace[4096];
    task_state_t state = task_runner_state(c->tasks[i], trace, sizeof(trace));
    json_t *task = json_pack("{sissss}", "id", i, "state", task_state_name(state), "worker_id", h->worker_id);
    if (state == TASK_FAILED) {
        json_object_set_new(task, "trace", json_string(trace));
    }
    json_t *auto_restart = herder_auto_restart_json(c, &c->task_restarts[i]);
    if (auto_restart) {
        json_object_set_new(task, "auto_restart", auto_restart);
    }
    return task;
}

/* ConnectorStateInfo: {"name","connector":{"state","worker_id","trace"?},"tasks","type"}. */
static json_t *status_json(herder_t *h, connector_t *c)
{
    const char *state = c->failed                        ? "FAILED"
                        : c->target == HERDER_PAUSED  ? "PAUSED"
                        : c->target == HERDER_STOPPED ? "STOPPED"
                                                      : "RUNNING";
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
    *result = doc ? HERDER_OK : HERDER_NOT_FOUND;
    return doc ? dump(doc) : NULL;
}

static json_t *info_of(herder_t *h, connector_t *c)
{
    return info_json(c);
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
    *result = doc ? HERDER_OK : HERDER_NOT_FOUND;
    return doc ? dump(doc) : NULL;
}

char *herder_json_plugins(herder_t *h)
{
    json_t *list = json_array();
    for (size_t i = 0; i < plugin_registry_count(h->plugins); i++) {
        const cd_plugin_desc_t *desc = plugin_registry_at(h->plugins, i)->desc;
        json_array_append_new(list, json_pack("{ssssss}", "class", desc->name, "type",
                                              desc->kind == CD_KIND_SINK ? "sink" : "source", "version",
                                              desc->version ? desc->version : ""));
    }
    return dump(list);
}

static const char *cfg_type_name(cd_cfg_type_t type)
{
    static const char *const names[] = {"", "STRING", "INT", "LONG", "DOUBLE", "BOOLEAN", "LIST", "PASSWORD",
                                        "CLASS"};
    return type >= CD_CFG_STRING && type <= CD_CFG_CLASS ? names[type] : "STRING";
}

static const char *importance_name(cd_cfg_importance_t imp)
{
    return imp == CD_IMPORTANCE_HIGH ? "HIGH" : imp == CD_IMPORTANCE_LOW ? "LOW" : "MEDIUM";
}

char *herder_json_plugin_config(herder_t *h, const char *plugin, herder_result_t *result)
{
    const plugin_info_t *info = plugin_registry_find(h->plugins, plugin);
    if (!info) {
        *result = HERDER_NOT_FOUND;
        return NULL;
    }
    json_t *list = json_array();
    int order = 0;
    for (const cd_config_def_t *def = info->desc->config; def && def->name; def++) {
        /* Kafka's ConfigKeyInfo, as GET /connector-plugins/{p}/config shows it. */
        json_t *key = json_pack("{sssssbsosssssosisosss[]}", "name", def->name, "type", cfg_type_name(def->type),
                                "required", def->required && !def->default_value, "default_value",
                                def->default_value ? json_string(def->default_value) : json_null(), "importance",
                                importance_name(def->importance), "documentation", def->doc ? def->doc : "",
                                "group", def->group ? json_string(def->group) : json_null(), "order_in_group",
                                ++order, "width", json_string("NONE"), "display_name", def->name, "dependents");
        json_array_append_new(list, key);
    }
    *result = HERDER_OK;
    return dump(list);
}
