/*
 * herder_topics.c - connectors' active topics (Kafka's KIP-558): the
 * topics each connector's tasks have produced to or consumed from, kept
 * in the status topic as Kafka keeps them --
 *   "status-topic-<topic>:connector-<c>" ->
 *       {"topic":{"name":t,"connector":c,"task":n,"discoverTimestamp":ms}}
 * -- so the set outlives restarts until it is reset or the connector is
 * deleted.  Tasks report a topic from their own threads (the first time
 * they use it), so the set has its own lock, not the herder's: a REST
 * thread holding h->lock may be waiting for that very task to stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "clock.h"
#include "herder_internal.h"

struct active_topic {
    char *connector;
    char *topic;
};

/* @locks h->topics_lock.  The entry's index, or -1. */
static int find(herder_t *h, const char *connector, const char *topic)
{
    for (int i = 0; i < h->n_topics; i++) {
        if (strcmp(h->topics[i].connector, connector) == 0 && strcmp(h->topics[i].topic, topic) == 0) {
            return i;
        }
    }
    return -1;
}

/* @locks h->topics_lock. */
static void add(herder_t *h, const char *connector, const char *topic)
{
    if (find(h, connector, topic) >= 0) {
        return;
    }
    h->topics = realloc(h->topics, sizeof(*h->topics) * (size_t)(h->n_topics + 1));
    h->topics[h->n_topics].connector = strdup(connector);
    h->topics[h->n_topics].topic = strdup(topic);
    h->n_topics++;
}

/* @locks h->topics_lock. */
static void remove_at(herder_t *h, int i)
{
    free(h->topics[i].connector);
    free(h->topics[i].topic);
    h->topics[i] = h->topics[--h->n_topics];
}

/* The status record of one active topic; a NULL value is its tombstone. */
static void store(herder_t *h, const char *connector, const char *topic, const char *value)
{
    if (!h->statuses) {
        return;
    }
    char key[1024], err[512];
    herder_key(h, key, sizeof(key), "status-topic-%s:connector-%s", topic, connector);
    pthread_mutex_lock(&h->status_lock);
    if (kvtopic_write(h->statuses, key, strlen(key), value, value ? strlen(value) : 0, err, sizeof(err)) < 0) {
        blog_warn("cannot record active topic %s of connector %s: %s", topic, connector, err);
    }
    pthread_mutex_unlock(&h->status_lock);
}

void herder_topic_used(void *opaque, const char *connector, int task_id, const char *topic)
{
    herder_t *h = opaque;
    if (!h->wcfg->topic_tracking) {
        return;
    }
    pthread_mutex_lock(&h->topics_lock);
    bool known = find(h, connector, topic) >= 0;
    if (!known) {
        add(h, connector, topic);
    }
    pthread_mutex_unlock(&h->topics_lock);
    if (known) {
        return;
    }
    json_t *doc = json_pack("{s{sssssisI}}", "topic", "name", topic, "connector", connector, "task", task_id,
                            "discoverTimestamp", (json_int_t)clock_wall_ms());
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    store(h, connector, topic, text);
    free(text);
}

static void on_status_record(void *opaque, const char *key, size_t key_len, const char *value, size_t value_len)
{
    herder_t *h = opaque;
    /* This worker's records only (herder.c, "the records of one worker"):
     * another worker's start with its worker.id and a '/'. */
    size_t scope_len = strlen(h->scope);
    if (key_len <= scope_len + 13 || memcmp(key, h->scope, scope_len) != 0 ||
        strncmp(key + scope_len, "status-topic-", 13) != 0) {
        return;
    }
    key += scope_len;
    key_len -= scope_len;
    /* The names are in the value; the key only says which record it is. */
    char *k = strndup(key, key_len);
    const char *sep = strstr(k, ":connector-");
    json_t *doc = value ? json_loadb(value, value_len, 0, NULL) : NULL;
    json_t *t = json_object_get(doc, "topic");
    const char *topic = json_string_value(json_object_get(t, "name"));
    const char *connector = json_string_value(json_object_get(t, "connector"));
    if (value && (!topic || !connector)) {
        blog_warn("status topic record %s is not an active-topic record and is skipped", k);
    } else if (topic) {
        add(h, connector, topic);
    } else if (sep) {
        /* A tombstone: forget that pair. */
        char *name = strndup(k + 13, (size_t)(sep - k - 13));
        int i = find(h, sep + 11, name);
        if (i >= 0) {
            remove_at(h, i);
        }
        free(name);
    }
    json_decref(doc);
    free(k);
}

void herder_topics_restore(herder_t *h)
{
    if (!h->statuses || !h->wcfg->topic_tracking) {
        return;
    }
    char err[512];
    pthread_mutex_lock(&h->topics_lock);
    if (kvtopic_read_all(h->statuses, on_status_record, h, err, sizeof(err)) < 0) {
        blog_error("cannot read the active topics from %s: %s", h->wcfg->status_topic, err);
    }
    pthread_mutex_unlock(&h->topics_lock);
}

void herder_topics_drop(herder_t *h, const char *connector)
{
    pthread_mutex_lock(&h->topics_lock);
    char **gone = NULL;
    int n_gone = 0;
    for (int i = h->n_topics - 1; i >= 0; i--) {
        if (strcmp(h->topics[i].connector, connector) == 0) {
            gone = realloc(gone, sizeof(char *) * (size_t)(n_gone + 1));
            gone[n_gone++] = strdup(h->topics[i].topic);
            remove_at(h, i);
        }
    }
    pthread_mutex_unlock(&h->topics_lock);
    for (int i = 0; i < n_gone; i++) {
        store(h, connector, gone[i], NULL);
        free(gone[i]);
    }
    free(gone);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *herder_json_topics(herder_t *h, const char *name, herder_result_t *result, char *errstr, size_t errstr_size)
{
    if (!h->wcfg->topic_tracking) {
        *result = HERDER_ERR_FORBIDDEN;
        snprintf(errstr, errstr_size, "Topic tracking is disabled.");
        return NULL;
    }
    if (!herder_has_connector(h, name)) {
        *result = herder_not_found(name, errstr, errstr_size);
        return NULL;
    }
    pthread_mutex_lock(&h->topics_lock);
    const char **names = malloc(sizeof(char *) * (size_t)(h->n_topics + 1));
    int n = 0;
    for (int i = 0; i < h->n_topics; i++) {
        if (strcmp(h->topics[i].connector, name) == 0) {
            names[n++] = h->topics[i].topic;
        }
    }
    qsort(names, (size_t)n, sizeof(char *), compare_names);
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(list, json_string(names[i]));
    }
    pthread_mutex_unlock(&h->topics_lock);
    free(names);
    json_t *doc = json_pack("{s{so}}", name, "topics", list);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    *result = HERDER_OK;
    return text;
}

herder_result_t herder_topics_reset(herder_t *h, const char *name, char *errstr, size_t errstr_size)
{
    if (!h->wcfg->topic_tracking) {
        snprintf(errstr, errstr_size, "Topic tracking is disabled.");
        return HERDER_ERR_FORBIDDEN;
    }
    if (!h->wcfg->topic_tracking_reset) {
        snprintf(errstr, errstr_size, "Topic tracking reset is disabled.");
        return HERDER_ERR_FORBIDDEN;
    }
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    if (!c) {
        pthread_mutex_unlock(&h->lock);
        return herder_not_found(name, errstr, errstr_size);
    }
    herder_topics_drop(h, name);
    /* After the drop, so a topic a task reports meanwhile is not lost:
     * the tasks report what they use next, again. */
    for (int i = 0; i < c->n_tasks; i++) {
        task_runner_forget_topics(c->tasks[i]);
    }
    pthread_mutex_unlock(&h->lock);
    return HERDER_ACCEPTED;
}

void herder_topics_free(herder_t *h)
{
    while (h->n_topics > 0) {
        remove_at(h, h->n_topics - 1);
    }
    free(h->topics);
}
