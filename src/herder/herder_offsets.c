/*
 * herder_offsets.c - a connector's offsets as REST reads and changes them
 * (KIP-875: GET, PATCH and DELETE /connectors/{c}/offsets).
 *
 * ConnectorOffsets is the one shape for reading and for altering:
 *
 *   {"offsets":[{"partition":{"filename":"test.txt"},"offset":{"position":30}}]}
 *
 * A source connector's entries are its source partitions and offsets in
 * the offset store (offset_store.h).  A sink connector's are the committed
 * offsets of its consumer group connect-<name> (sink_offsets.h), in Kafka's
 * fixed shape (SinkUtils):
 *
 *   {"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":5}}
 *
 * "offset": null resets one partition; PATCH leaves partitions it does not
 * name alone; DELETE resets them all (a sink's group is deleted, as Kafka
 * does).
 *
 * Changes need the connector STOPPED -- target STOPPED and no tasks -- so
 * no task writes offsets meanwhile.  The state is checked and the offsets
 * written under h->lock: a resume arriving meanwhile waits, then starts
 * from the new offsets, which are durable before the answer.  Reads take
 * the lock only to look the connector up.
 *
 * The checks come in Kafka's order: unknown connector (ERR_NOT_FOUND), not
 * STOPPED (ERR_INVALID), then the entries against the connector's type
 * (ERR_INVALID, with Kafka's messages), then the connector's own
 * alter_offsets (plugin.h, ABI 1.2; Kafka's alterOffsets), which sees
 * every partition about to change - a reset's with null offsets - and
 * refuses what it could not resume from (ERR_INVALID with its message, as
 * Kafka passes a ConnectException's message on).  Without that last check
 * a FileStreamSource given {"pos": "x"} found no "position" and read its
 * file again from the start.  rest_offsets.c has checked the body's shape
 * before.
 *
 * The callback runs under h->lock, as the writes after it, so the
 * connector cannot be resumed or reconfigured between its answer and the
 * write; a sink's alter already holds the lock across broker round trips.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "blog.h"
#include "herder_internal.h"
#include "data/data.h"
#include "plugin/task_context.h"
#include "store/sink_offsets.h"
#include "task/crash_guard.h"

static bool is_sink(const connector_t *c)
{
    return c->plugin && c->plugin->desc->kind == CD_KIND_SINK;
}

static sink_offsets_target_t sink_target(herder_t *h, const char *name)
{
    return (sink_offsets_target_t){h->bootstrap, h->wcfg->props, name};
}

/* ---- GET ----------------------------------------------------------------------- */

/* A source connector's entries, from the offset store. */
static json_t *source_entries(herder_t *h, const char *name)
{
    json_t *entries = json_array();
    char **partitions = NULL, **offsets = NULL;
    int n = h->offsets ? offset_store_list(h->offsets, name, &partitions, &offsets) : 0;
    for (int i = 0; i < n; i++) {
        json_t *partition = json_loads(partitions[i], 0, NULL);
        json_t *offset = json_loads(offsets[i], JSON_DECODE_ANY, NULL);
        json_array_append_new(entries, json_pack("{soso}", "partition", partition, "offset",
                                                 offset ? offset : json_null()));
    }
    if (h->offsets) {
        offset_store_list_free(partitions, offsets, n);
    }
    return entries;
}

/* A sink connector's entries, from its consumer group; NULL with errstr. */
static json_t *sink_entries(herder_t *h, const char *name, char *errstr, size_t errstr_size)
{
    sink_offsets_target_t target = sink_target(h, name);
    rd_kafka_topic_partition_list_t *committed = sink_offsets_list(&target, errstr, errstr_size);
    if (!committed) {
        return NULL;
    }
    json_t *entries = json_array();
    for (int i = 0; i < committed->cnt; i++) {
        const rd_kafka_topic_partition_t *part = &committed->elems[i];
        json_t *partition =
            json_pack("{sssi}", "kafka_topic", part->topic, "kafka_partition", (int)part->partition);
        json_t *offset = json_pack("{sI}", "kafka_offset", (json_int_t)part->offset);
        json_array_append_new(entries, json_pack("{soso}", "partition", partition, "offset", offset));
    }
    rd_kafka_topic_partition_list_destroy(committed);
    return entries;
}

char *herder_offsets_get(herder_t *h, const char *name, herder_result_t *result, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    bool found = c != NULL, sink = c && is_sink(c);
    pthread_mutex_unlock(&h->lock);
    if (!found) {
        *result = herder_not_found(name, errstr, errstr_size);
        return NULL;
    }
    /* The group is read without the lock: a network round trip must not
     * hold up the rest of the REST API. */
    json_t *entries = sink ? sink_entries(h, name, errstr, errstr_size) : source_entries(h, name);
    if (!entries) {
        *result = HERDER_ERR_INTERNAL;
        return NULL;
    }
    *result = HERDER_OK;
    json_t *doc = json_pack("{so}", "offsets", entries);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* ---- checking a change ------------------------------------------------------------ */

/* @locks h->lock.  The connector if it exists and is STOPPED, else NULL
 * with *result and errstr set (Kafka's words). */
static connector_t *stopped_connector(herder_t *h, const char *name, herder_result_t *result, char *errstr,
                                      size_t errstr_size)
{
    connector_t *c = herder_find(h, name);
    if (!c) {
        *result = herder_not_found(name, errstr, errstr_size);
        return NULL;
    }
    if (c->target != HERDER_STOPPED || c->n_tasks > 0) {
        snprintf(errstr, errstr_size,
                 "Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
                 "for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint",
                 name);
        *result = HERDER_ERR_INVALID;
        return NULL;
    }
    return c;
}

/* A value as Java's String.valueOf shows it in Kafka's messages: a string
 * as it is, anything else as JSON. */
static void value_text(const json_t *v, char *buf, size_t buf_size)
{
    if (json_is_string(v)) {
        snprintf(buf, buf_size, "%s", json_string_value(v));
        return;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    snprintf(buf, buf_size, "%s", text ? text : "null");
    free(text);
}

/* A JSON integer, or a string that is one: Kafka accepts both 10 and "10". */
static bool long_value(const json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    const char *s = json_string_value(v);
    if (!s || !*s || isspace((unsigned char)*s)) {
        return false;
    }
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return *end == '\0' && errno == 0;
}

/* Kafka's OffsetUtils.validateFormat: source partitions and offsets hold
 * primitive values only (what the offsets topic's JSON can give back). */
static bool primitive_fields(const json_t *map, char *errstr, size_t errstr_size)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)map, key, value)
    {
        if (json_is_object(value) || json_is_array(value)) {
            snprintf(errstr, errstr_size,
                     "Offsets may only contain primitive types as values, but field %s contains %s", key,
                     json_is_object(value) ? "MAP" : "ARRAY");
            return false;
        }
    }
    return true;
}

/* Kafka reads an entry without "offset" as offset null, which resets the
 * partition; a forgotten field should not do that silently. */
static bool has_offset(const json_t *entry, char *errstr, size_t errstr_size)
{
    if (!json_object_get(entry, "offset")) {
        snprintf(errstr, errstr_size,
                 "An offsets entry needs an \"offset\": the new offset as an object, or null to reset the partition");
        return false;
    }
    return true;
}

/* One source entry; false with errstr saying what to fix. */
static bool source_entry_check(const json_t *entry, char *errstr, size_t errstr_size)
{
    const json_t *partition = json_object_get(entry, "partition"), *offset = json_object_get(entry, "offset");
    if (!json_is_object(partition)) {
        snprintf(errstr, errstr_size, "The partition for a source connector offset cannot be null or missing");
        return false;
    }
    return primitive_fields(partition, errstr, errstr_size) && has_offset(entry, errstr, errstr_size) &&
           (json_is_null(offset) || primitive_fields(offset, errstr, errstr_size));
}

/* A sink entry's partition, checked as Kafka's
 * SinkUtils.parseSinkConnectorOffsets does, and refusing negative numbers
 * too; false with errstr saying what to fix. */
static bool sink_partition_parse(const json_t *part, const char **topic, int32_t *partition, char *errstr,
                                 size_t errstr_size)
{
    const json_t *t = json_object_get(part, "kafka_topic"), *p = json_object_get(part, "kafka_partition");
    char shown[256];
    long long n;
    if (!json_is_object(part)) {
        snprintf(errstr, errstr_size, "The partition for a sink connector offset cannot be null or missing");
    } else if (!t || !p) {
        snprintf(errstr, errstr_size,
                 "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
    } else if (!json_is_string(t) || !*json_string_value(t)) {
        snprintf(errstr, errstr_size, "Kafka topic names must be valid strings and may not be null");
    } else if (json_is_null(p)) {
        snprintf(errstr, errstr_size, "Kafka partitions must be valid numbers and may not be null");
    } else if (!long_value(p, &n) || n > INT32_MAX || n < INT32_MIN) {
        value_text(p, shown, sizeof(shown));
        snprintf(errstr, errstr_size,
                 "Failed to parse the following Kafka partition value in the provided offsets: '%s'. Partition "
                 "values for sink connectors need to be integers.",
                 shown);
    } else if (n < 0) {
        snprintf(errstr, errstr_size,
                 "Kafka partitions are numbered from 0, but the provided offsets name partition %lld of topic '%s'",
                 n, json_string_value(t));
    } else {
        *topic = json_string_value(t);
        *partition = (int32_t)n;
        return true;
    }
    return false;
}

/* A sink entry's offset (SINK_OFFSET_RESET for null), checked as above. */
static bool sink_offset_parse(const json_t *entry, const char *topic, int32_t partition, int64_t *offset,
                              char *errstr, size_t errstr_size)
{
    const json_t *off = json_object_get(entry, "offset"), *o = json_object_get(off, "kafka_offset");
    char shown[256];
    long long n;
    if (!has_offset(entry, errstr, errstr_size)) {
        return false;
    }
    if (json_is_null(off)) {
        *offset = SINK_OFFSET_RESET;
        return true;
    }
    if (!o) {
        snprintf(errstr, errstr_size,
                 "The offset for a sink connector should either be null or contain the key 'kafka_offset'");
    } else if (!long_value(o, &n)) {
        value_text(o, shown, sizeof(shown));
        snprintf(errstr, errstr_size,
                 "Failed to parse the following Kafka offset value in the provided offsets: '%s'. Offset values "
                 "for sink connectors need to be integers.",
                 shown);
    } else if (n < 0) {
        snprintf(errstr, errstr_size, "Kafka offsets start at 0, but the provided offsets give %lld for %s-%d", n,
                 topic, (int)partition);
    } else {
        *offset = n;
        return true;
    }
    return false;
}

/* ---- the connector's say ------------------------------------------------------------ */

/* @locks h->lock.  Whether connector `c`'s alter_offsets accepts `offsets`
 * (a MAP from partition to offset or null, taken); HERDER_OK without a
 * callback, as Kafka's default alterOffsets.  A refusal (CD_CONFIG) is the
 * client's to fix: ERR_INVALID with the connector's message as it is; any
 * other error is the connector's trouble: ERR_INTERNAL. */
static herder_result_t connector_accepts(herder_t *h, const connector_t *c, cd_value_t *offsets, char *errstr,
                                         size_t errstr_size)
{
    const cd_plugin_desc_t *desc = c->plugin ? c->plugin->desc : NULL;
    if (!desc || !desc->alter_offsets) {
        data_value_free(offsets);
        return HERDER_OK;
    }
    char why[1024] = "";
    /* The connector sees its config as start() and validate() do. */
    properties_t *resolved = config_provider_resolve(h->cprov, c->config, why, sizeof(why));
    if (!resolved) {
        snprintf(errstr, errstr_size, "Failed to modify offsets for connector %s: %s", c->name, why);
        data_value_free(offsets);
        return HERDER_ERR_INVALID;
    }
    cd_task_t *conn = task_context_new(c->name, -1, desc, resolved, NULL);
    crash_scope_t outer = crash_guard_enter(c->name, -1);
    cd_rc_t rc = desc->alter_offsets(conn, offsets, why, sizeof(why));
    crash_guard_leave(outer);
    why[sizeof(why) - 1] = '\0'; /* whatever the plugin wrote there */
    herder_result_t res = HERDER_OK;
    if (rc != CD_OK) {
        const char *msg = why[0] ? why : task_context_error(conn);
        if (rc == CD_CONFIG) {
            snprintf(errstr, errstr_size, "%s",
                     msg && *msg ? msg : "The connector refused these offsets without saying why");
            res = HERDER_ERR_INVALID;
        } else {
            snprintf(errstr, errstr_size, "Failed to modify offsets for connector %s: %s", c->name,
                     msg && *msg ? msg : "its alter_offsets callback failed without saying why");
            res = HERDER_ERR_INTERNAL;
        }
        blog_warn("connector %s: offsets not changed: %s", c->name, errstr);
    }
    task_context_free(conn);
    properties_destroy(resolved);
    data_value_free(offsets);
    return res;
}

/* A schemaless value from a REST body's JSON, through its text: offsets
 * are few and small, and values have one JSON reader. */
static cd_value_t *value_from_jansson(const json_t *json, char *errstr, size_t errstr_size)
{
    char *text = json_dumps(json, JSON_ENCODE_ANY | JSON_COMPACT);
    cd_value_t *v = text ? data_value_from_json(text, strlen(text), errstr, errstr_size) : NULL;
    if (!text) {
        snprintf(errstr, errstr_size, "out of memory");
    }
    free(text);
    return v;
}

/* A source entry's partition and offset (JSON null: a null value) into
 * `map`; false with errstr if either is not a value (rest_offsets.c and
 * source_entry_check have made that impossible). */
static bool source_value_put(cd_value_t *map, const json_t *partition, const json_t *offset, char *errstr,
                             size_t errstr_size)
{
    cd_value_t *key = value_from_jansson(partition, errstr, errstr_size);
    cd_value_t *val = key ? value_from_jansson(offset, errstr, errstr_size) : NULL;
    if (!val) {
        data_value_free(key);
        return false;
    }
    data_value_map_put(map, key, val);
    return true;
}

/* A sink partition in the shape GET shows: {"kafka_topic", "kafka_partition"}
 * -> {"kafka_offset"} or null for SINK_OFFSET_RESET. */
static void sink_value_put(cd_value_t *map, const char *topic, int32_t partition, int64_t offset)
{
    cd_value_t *key = data_value_map();
    data_value_map_put(key, data_value_string("kafka_topic", 11), data_value_string(topic, strlen(topic)));
    data_value_map_put(key, data_value_string("kafka_partition", 15), data_value_int(CD_TYPE_INT32, partition));
    cd_value_t *val = data_value_null();
    if (offset != SINK_OFFSET_RESET) {
        data_value_free(val);
        val = data_value_map();
        data_value_map_put(val, data_value_string("kafka_offset", 12), data_value_int(CD_TYPE_INT64, offset));
    }
    data_value_map_put(map, key, val);
}

/* ---- applying a change ------------------------------------------------------------- */

/* @locks h->lock.  Writes source offsets (NULL texts reset) to the store. */
static herder_result_t source_write(herder_t *h, const char *name, const char *const *partitions,
                                    const char *const *offsets, int n, char *errstr, size_t errstr_size)
{
    char why[512];
    if (!h->offsets) {
        snprintf(errstr, errstr_size, "Failed to modify offsets for source connector %s: this worker has no offset store",
                 name);
        return HERDER_ERR_INTERNAL;
    }
    if (n > 0 && offset_store_put(h->offsets, name, partitions, offsets, n, why, sizeof(why)) < 0) {
        snprintf(errstr, errstr_size, "Failed to modify offsets for source connector %s: %s", name, why);
        return HERDER_ERR_INTERNAL;
    }
    return HERDER_OK;
}

/* @locks h->lock. */
static herder_result_t source_alter(herder_t *h, const connector_t *c, const json_t *entries, char *errstr,
                                    size_t errstr_size)
{
    const char *name = c->name;
    size_t n = json_array_size(entries);
    char **partitions = calloc(n + 1, sizeof(char *)), **offsets = calloc(n + 1, sizeof(char *));
    if (!partitions || !offsets) {
        abort();
    }
    herder_result_t res = HERDER_OK;
    for (size_t i = 0; i < n && res == HERDER_OK; i++) {
        const json_t *entry = json_array_get(entries, i);
        if (!source_entry_check(entry, errstr, errstr_size)) {
            res = HERDER_ERR_INVALID;
        }
    }
    cd_value_t *asked = data_value_map();
    for (size_t i = 0; i < n && res == HERDER_OK; i++) {
        const json_t *entry = json_array_get(entries, i), *offset = json_object_get(entry, "offset");
        if (!source_value_put(asked, json_object_get(entry, "partition"), offset, errstr, errstr_size)) {
            res = HERDER_ERR_INVALID;
        }
    }
    if (res == HERDER_OK) {
        res = connector_accepts(h, c, asked, errstr, errstr_size); /* takes asked */
    } else {
        data_value_free(asked);
    }
    for (size_t i = 0; i < n && res == HERDER_OK; i++) {
        const json_t *entry = json_array_get(entries, i), *offset = json_object_get(entry, "offset");
        partitions[i] = json_dumps(json_object_get(entry, "partition"), JSON_COMPACT);
        offsets[i] = json_is_null(offset) ? NULL : json_dumps(offset, JSON_COMPACT);
    }
    if (res == HERDER_OK) {
        res = source_write(h, name, (const char *const *)partitions, (const char *const *)offsets, (int)n, errstr,
                           errstr_size);
    }
    for (size_t i = 0; i < n; i++) {
        free(partitions[i]);
        free(offsets[i]);
    }
    free(partitions);
    free(offsets);
    return res;
}

/* @locks h->lock.  Every source partition of the connector gets a
 * tombstone, once the connector has seen them all with null offsets. */
static herder_result_t source_reset(herder_t *h, const connector_t *c, char *errstr, size_t errstr_size)
{
    const char *name = c->name;
    char **partitions = NULL, **offsets = NULL;
    int n = h->offsets ? offset_store_list(h->offsets, name, &partitions, &offsets) : 0;
    char **none = calloc((size_t)n + 1, sizeof(char *));
    if (!none) {
        abort();
    }
    cd_value_t *asked = data_value_map();
    for (int i = 0; i < n; i++) {
        char why[256];
        cd_value_t *key = data_value_from_json(partitions[i], strlen(partitions[i]), why, sizeof(why));
        if (key) { /* the store only holds JSON objects; a torn one is not the connector's to judge */
            data_value_map_put(asked, key, data_value_null());
        }
    }
    herder_result_t res = connector_accepts(h, c, asked, errstr, errstr_size);
    if (res == HERDER_OK) {
        res = source_write(h, name, (const char *const *)partitions, (const char *const *)none, n, errstr,
                           errstr_size);
    }
    free(none);
    if (h->offsets) {
        offset_store_list_free(partitions, offsets, n);
    }
    return res;
}

static herder_result_t sink_result(int rc)
{
    return rc == 0 ? HERDER_OK : rc == SINK_OFFSETS_BAD_REQUEST ? HERDER_ERR_INVALID : HERDER_ERR_INTERNAL;
}

/* @locks h->lock.  The group's offsets change while the lock keeps the
 * connector from starting tasks that would join it. */
static herder_result_t sink_alter(herder_t *h, const connector_t *c, const json_t *entries, char *errstr,
                                  size_t errstr_size)
{
    const char *name = c->name;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new((int)json_array_size(entries));
    herder_result_t res = HERDER_OK;
    for (size_t i = 0; i < json_array_size(entries) && res == HERDER_OK; i++) {
        const char *topic;
        int32_t partition;
        int64_t offset;
        const json_t *entry = json_array_get(entries, i);
        if (!sink_partition_parse(json_object_get(entry, "partition"), &topic, &partition, errstr, errstr_size) ||
            !sink_offset_parse(entry, topic, partition, &offset, errstr, errstr_size)) {
            res = HERDER_ERR_INVALID;
            break;
        }
        /* A partition named twice: the last entry wins, as in Kafka's map. */
        rd_kafka_topic_partition_t *part = rd_kafka_topic_partition_list_find(parts, topic, partition);
        (part ? part : rd_kafka_topic_partition_list_add(parts, topic, partition))->offset = offset;
    }
    if (res == HERDER_OK) {
        cd_value_t *asked = data_value_map();
        for (int i = 0; i < parts->cnt; i++) {
            sink_value_put(asked, parts->elems[i].topic, parts->elems[i].partition, parts->elems[i].offset);
        }
        res = connector_accepts(h, c, asked, errstr, errstr_size);
    }
    if (res == HERDER_OK) {
        sink_offsets_target_t target = sink_target(h, name);
        res = sink_result(sink_offsets_alter(&target, parts, errstr, errstr_size));
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return res;
}

/* @locks h->lock.  The group goes, as Kafka deletes it; a connector with
 * alter_offsets first sees its committed partitions with null offsets
 * (Kafka lists them for alterOffsets the same way). */
static herder_result_t sink_reset(herder_t *h, const connector_t *c, char *errstr, size_t errstr_size)
{
    sink_offsets_target_t target = sink_target(h, c->name);
    if (c->plugin && c->plugin->desc->alter_offsets) {
        char why[512];
        rd_kafka_topic_partition_list_t *committed = sink_offsets_list(&target, why, sizeof(why));
        if (!committed) {
            snprintf(errstr, errstr_size, "Failed to list offsets prior to resetting offsets for sink connector %s: %s",
                     c->name, why);
            return HERDER_ERR_INTERNAL;
        }
        cd_value_t *asked = data_value_map();
        for (int i = 0; i < committed->cnt; i++) {
            sink_value_put(asked, committed->elems[i].topic, committed->elems[i].partition, SINK_OFFSET_RESET);
        }
        rd_kafka_topic_partition_list_destroy(committed);
        herder_result_t res = connector_accepts(h, c, asked, errstr, errstr_size);
        if (res != HERDER_OK) {
            return res;
        }
    }
    return sink_result(sink_offsets_reset(&target, errstr, errstr_size));
}

herder_result_t herder_offsets_alter(herder_t *h, const char *name, const struct json_t *offsets, char *errstr,
                                     size_t errstr_size)
{
    herder_result_t res = HERDER_OK;
    pthread_mutex_lock(&h->lock);
    connector_t *c = stopped_connector(h, name, &res, errstr, errstr_size);
    if (c) {
        res = is_sink(c) ? sink_alter(h, c, offsets, errstr, errstr_size)
                         : source_alter(h, c, offsets, errstr, errstr_size);
    }
    pthread_mutex_unlock(&h->lock);
    if (res == HERDER_OK) {
        blog_info("connector %s: offsets of %zu partition%s altered", name, json_array_size(offsets),
                  json_array_size(offsets) == 1 ? "" : "s");
    }
    return res;
}

herder_result_t herder_offsets_reset(herder_t *h, const char *name, char *errstr, size_t errstr_size)
{
    herder_result_t res = HERDER_OK;
    pthread_mutex_lock(&h->lock);
    connector_t *c = stopped_connector(h, name, &res, errstr, errstr_size);
    if (c && is_sink(c)) {
        res = sink_reset(h, c, errstr, errstr_size);
    } else if (c) {
        res = source_reset(h, c, errstr, errstr_size);
    }
    pthread_mutex_unlock(&h->lock);
    if (res == HERDER_OK) {
        blog_info("connector %s: offsets reset", name);
    }
    return res;
}
