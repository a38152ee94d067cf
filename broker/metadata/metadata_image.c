/*
 * metadata_image.c - records applied to an in-memory image; see
 * metadata_image.h.
 *
 * Plain sorted arrays: a cluster has a handful of brokers and its topics
 * number in the hundreds, and an image changes only when a record is
 * applied, so lookups by binary search or a scan are all it needs.
 */
#include "metadata_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/kerr.h"
#include "xalloc.h"

typedef struct meta_config {
    int8_t type;
    char *resource;
    char *name;
    char *value;
} meta_config_t;

struct meta_image {
    meta_broker_t *brokers; /* by id */
    size_t n_brokers;
    meta_topic_t *topics; /* by name */
    size_t n_topics;
    meta_config_t *configs; /* by (type, resource, name) */
    size_t n_configs;
};

meta_image_t *meta_image_create(void)
{
    return xcalloc(1, sizeof(meta_image_t));
}

static void broker_free(meta_broker_t *b)
{
    for (int32_t i = 0; i < b->n_endpoints; i++) {
        free((char *)b->endpoints[i].name);
        free((char *)b->endpoints[i].host);
    }
    free(b->endpoints);
    free(b->rack);
}

static void partition_free(meta_partition_t *p)
{
    free(p->replicas);
    free(p->isr);
}

static void topic_free(meta_topic_t *t)
{
    for (int32_t i = 0; i < t->n_parts; i++) {
        partition_free(&t->parts[i]);
    }
    free(t->parts);
    free(t->name);
}

static void image_clear(meta_image_t *img)
{
    for (size_t i = 0; i < img->n_brokers; i++) {
        broker_free(&img->brokers[i]);
    }
    for (size_t i = 0; i < img->n_topics; i++) {
        topic_free(&img->topics[i]);
    }
    for (size_t i = 0; i < img->n_configs; i++) {
        free(img->configs[i].resource);
        free(img->configs[i].name);
        free(img->configs[i].value);
    }
    free(img->brokers);
    free(img->topics);
    free(img->configs);
    memset(img, 0, sizeof(*img));
}

void meta_image_destroy(meta_image_t *img)
{
    if (!img) {
        return;
    }
    image_clear(img);
    free(img);
}

/* ---- lookups ---------------------------------------------------------------- */

/* Where broker `id` is, or where it would be inserted (*found false). */
static size_t broker_slot(const meta_image_t *img, int32_t id, bool *found)
{
    size_t lo = 0, hi = img->n_brokers;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (img->brokers[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < img->n_brokers && img->brokers[lo].id == id;
    return lo;
}

static size_t topic_slot(const meta_image_t *img, const char *name, bool *found)
{
    size_t lo = 0, hi = img->n_topics;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(img->topics[mid].name, name) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < img->n_topics && strcmp(img->topics[lo].name, name) == 0;
    return lo;
}

static meta_topic_t *topic_by_id(const meta_image_t *img, const kuuid_t *id)
{
    for (size_t i = 0; i < img->n_topics; i++) {
        if (memcmp(img->topics[i].id.b, id->b, sizeof(id->b)) == 0) {
            return &img->topics[i];
        }
    }
    return NULL;
}

static int config_cmp(const meta_config_t *c, int8_t type, const char *resource, const char *name)
{
    if (c->type != type) {
        return c->type < type ? -1 : 1;
    }
    int d = strcmp(c->resource, resource);
    return d ? d : strcmp(c->name, name);
}

static size_t config_slot(const meta_image_t *img, int8_t type, const char *resource, const char *name, bool *found)
{
    size_t lo = 0, hi = img->n_configs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (config_cmp(&img->configs[mid], type, resource, name) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < img->n_configs && config_cmp(&img->configs[lo], type, resource, name) == 0;
    return lo;
}

/* Opens a hole at `slot` in an array of `n` elements of `size` bytes. */
static void *array_insert(void *array, size_t n, size_t size, size_t slot)
{
    char *a = xrealloc(array, (n + 1) * size);
    memmove(a + (slot + 1) * size, a + slot * size, (n - slot) * size);
    return a;
}

static void array_remove(void *array, size_t n, size_t size, size_t slot)
{
    char *a = array;
    memmove(a + slot * size, a + (slot + 1) * size, (n - slot - 1) * size);
}

static int32_t *ints_dup(const int32_t *v, int32_t n)
{
    if (n <= 0) {
        return NULL;
    }
    int32_t *c = xmalloc((size_t)n * sizeof(*c));
    memcpy(c, v, (size_t)n * sizeof(*c));
    return c;
}

static bool uuid_is_zero(const kuuid_t *u)
{
    static const kuuid_t zero;
    return memcmp(u->b, zero.b, sizeof(u->b)) == 0;
}

/* ---- apply ------------------------------------------------------------------- */

/* A registration replaces the broker's previous one (a restart gives a new
 * incarnation and epoch), as in Kafka's ClusterControlManager. */
static bool apply_register(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size)
{
    const typeof(rec->register_broker) *r = &rec->register_broker;
    bool found;
    size_t slot = broker_slot(img, r->broker_id, &found);
    if (found) {
        if (r->broker_epoch <= img->brokers[slot].epoch) {
            snprintf(errstr, errstr_size, "RegisterBrokerRecord of broker %d: epoch %lld is not above %lld",
                     r->broker_id, (long long)r->broker_epoch, (long long)img->brokers[slot].epoch);
            return false;
        }
        broker_free(&img->brokers[slot]);
    } else {
        img->brokers = array_insert(img->brokers, img->n_brokers++, sizeof(*img->brokers), slot);
    }
    meta_broker_t *b = &img->brokers[slot];
    memset(b, 0, sizeof(*b));
    b->id = r->broker_id;
    b->incarnation_id = r->incarnation_id;
    b->epoch = r->broker_epoch;
    b->fenced = r->fenced;
    b->rack = r->rack ? xstrdup(r->rack) : NULL;
    b->n_endpoints = r->n_endpoints;
    b->endpoints = r->n_endpoints ? xcalloc((size_t)r->n_endpoints, sizeof(*b->endpoints)) : NULL;
    for (int32_t i = 0; i < r->n_endpoints; i++) {
        b->endpoints[i] = r->endpoints[i];
        b->endpoints[i].name = xstrdup(r->endpoints[i].name);
        b->endpoints[i].host = xstrdup(r->endpoints[i].host);
    }
    return true;
}

/* Unregister, fence and unfence name the broker's current epoch: a record
 * about an older registration no longer applies. */
static bool apply_broker_state(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size)
{
    bool found;
    size_t slot = broker_slot(img, rec->broker.id, &found);
    if (!found || img->brokers[slot].epoch != rec->broker.epoch) {
        snprintf(errstr, errstr_size, "%s: broker %d has no registration of epoch %lld",
                 meta_record_type_name(rec->type), rec->broker.id, (long long)rec->broker.epoch);
        return false;
    }
    if (rec->type == META_UNREGISTER_BROKER) {
        broker_free(&img->brokers[slot]);
        array_remove(img->brokers, img->n_brokers--, sizeof(*img->brokers), slot);
    } else {
        img->brokers[slot].fenced = rec->type == META_FENCE_BROKER;
    }
    return true;
}

static bool apply_topic(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size)
{
    bool found;
    size_t slot = topic_slot(img, rec->topic.name, &found);
    if (found || uuid_is_zero(&rec->topic.topic_id) || topic_by_id(img, &rec->topic.topic_id)) {
        snprintf(errstr, errstr_size, "TopicRecord: topic '%s' or its id exists already, or the id is zero",
                 rec->topic.name);
        return false;
    }
    img->topics = array_insert(img->topics, img->n_topics++, sizeof(*img->topics), slot);
    meta_topic_t *t = &img->topics[slot];
    memset(t, 0, sizeof(*t));
    t->name = xstrdup(rec->topic.name);
    t->id = rec->topic.topic_id;
    return true;
}

static bool apply_remove_topic(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size)
{
    meta_topic_t *t = topic_by_id(img, &rec->remove_topic.topic_id);
    if (!t) {
        snprintf(errstr, errstr_size, "RemoveTopicRecord: no such topic id");
        return false;
    }
    /* A topic's configs go with it, as Kafka's ConfigurationControlManager
     * deletes them. */
    for (size_t i = img->n_configs; i-- > 0;) {
        meta_config_t *c = &img->configs[i];
        if (c->type == META_CONFIG_TOPIC && strcmp(c->resource, t->name) == 0) {
            free(c->resource);
            free(c->name);
            free(c->value);
            array_remove(img->configs, img->n_configs--, sizeof(*img->configs), i);
        }
    }
    size_t slot = (size_t)(t - img->topics);
    topic_free(t);
    array_remove(img->topics, img->n_topics--, sizeof(*img->topics), slot);
    return true;
}

static bool apply_partition(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size)
{
    const typeof(rec->partition) *r = &rec->partition;
    meta_topic_t *t = topic_by_id(img, &r->topic_id);
    if (!t || r->partition_id < 0 || r->partition_id > 1000000 || r->n_replicas <= 0) {
        snprintf(errstr, errstr_size, "PartitionRecord: partition %d of an unknown topic, or without replicas",
                 r->partition_id);
        return false;
    }
    if (r->partition_id >= t->n_parts) {
        t->parts = xrealloc(t->parts, (size_t)(r->partition_id + 1) * sizeof(*t->parts));
        memset(&t->parts[t->n_parts], 0, (size_t)(r->partition_id + 1 - t->n_parts) * sizeof(*t->parts));
        t->n_parts = r->partition_id + 1;
    }
    meta_partition_t *p = &t->parts[r->partition_id];
    partition_free(p);
    p->replicas = ints_dup(r->replicas, r->n_replicas);
    p->n_replicas = r->n_replicas;
    p->isr = ints_dup(r->isr, r->n_isr);
    p->n_isr = r->n_isr;
    p->leader = r->leader;
    p->leader_epoch = r->leader_epoch;
    p->partition_epoch = r->partition_epoch;
    return true;
}

/* A change bumps the partition epoch, and the leader epoch when the leader
 * changes, as Kafka's PartitionChangeBuilder. */
static bool apply_partition_change(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size)
{
    const typeof(rec->partition_change) *r = &rec->partition_change;
    meta_topic_t *t = topic_by_id(img, &r->topic_id);
    if (!t || r->partition_id < 0 || r->partition_id >= t->n_parts || t->parts[r->partition_id].n_replicas == 0 ||
        r->n_replicas == 0) {
        snprintf(errstr, errstr_size, "PartitionChangeRecord: no partition %d of that topic id", r->partition_id);
        return false;
    }
    meta_partition_t *p = &t->parts[r->partition_id];
    if (r->n_isr >= 0) {
        free(p->isr);
        p->isr = ints_dup(r->isr, r->n_isr);
        p->n_isr = r->n_isr;
    }
    if (r->n_replicas > 0) {
        free(p->replicas);
        p->replicas = ints_dup(r->replicas, r->n_replicas);
        p->n_replicas = r->n_replicas;
    }
    if (r->leader != META_LEADER_UNCHANGED && r->leader != p->leader) {
        p->leader = r->leader;
        p->leader_epoch++;
    }
    p->partition_epoch++;
    return true;
}

static bool apply_config(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size)
{
    const typeof(rec->config) *r = &rec->config;
    bool found;
    size_t slot = config_slot(img, r->resource_type, r->resource_name, r->name, &found);
    if (found) {
        free(img->configs[slot].value);
        if (!r->value) {
            free(img->configs[slot].resource);
            free(img->configs[slot].name);
            array_remove(img->configs, img->n_configs--, sizeof(*img->configs), slot);
            return true;
        }
        img->configs[slot].value = xstrdup(r->value);
        return true;
    }
    if (!r->value) {
        return true; /* deleting what is not set: nothing to do, as in Kafka */
    }
    img->configs = array_insert(img->configs, img->n_configs++, sizeof(*img->configs), slot);
    img->configs[slot] = (meta_config_t){
        .type = r->resource_type,
        .resource = xstrdup(r->resource_name),
        .name = xstrdup(r->name),
        .value = xstrdup(r->value),
    };
    return true;
}

bool meta_image_apply(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size)
{
    switch (rec->type) {
    case META_REGISTER_BROKER:
        return apply_register(img, rec, errstr, errstr_size);
    case META_UNREGISTER_BROKER:
    case META_FENCE_BROKER:
    case META_UNFENCE_BROKER:
        return apply_broker_state(img, rec, errstr, errstr_size);
    case META_TOPIC:
        return apply_topic(img, rec, errstr, errstr_size);
    case META_REMOVE_TOPIC:
        return apply_remove_topic(img, rec, errstr, errstr_size);
    case META_PARTITION:
        return apply_partition(img, rec, errstr, errstr_size);
    case META_PARTITION_CHANGE:
        return apply_partition_change(img, rec, errstr, errstr_size);
    case META_CONFIG:
        return apply_config(img, rec, errstr, errstr_size);
    }
    snprintf(errstr, errstr_size, "unknown record type %d", (int)rec->type);
    return false;
}

bool meta_image_apply_entry(meta_image_t *img, const void *data, size_t len, char *errstr, size_t errstr_size)
{
    arena_t *arena = arena_create(4096);
    meta_record_t *recs;
    size_t n;
    bool ok = meta_records_decode(data, len, arena, &recs, &n, errstr, errstr_size);
    for (size_t i = 0; ok && i < n; i++) {
        ok = meta_image_apply(img, &recs[i], errstr, errstr_size);
    }
    arena_destroy(arena);
    return ok;
}

/* ---- snapshots ------------------------------------------------------------------ */

void meta_image_snapshot(const meta_image_t *img, buf_writer_t *w)
{
    size_t n = img->n_brokers + img->n_topics + img->n_configs;
    for (size_t i = 0; i < img->n_topics; i++) {
        for (int32_t p = 0; p < img->topics[i].n_parts; p++) {
            n += img->topics[i].parts[p].n_replicas > 0;
        }
    }
    meta_record_t *recs = n ? xcalloc(n, sizeof(*recs)) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < img->n_brokers; i++) {
        const meta_broker_t *b = &img->brokers[i];
        recs[k].type = META_REGISTER_BROKER;
        recs[k].register_broker.broker_id = b->id;
        recs[k].register_broker.incarnation_id = b->incarnation_id;
        recs[k].register_broker.broker_epoch = b->epoch;
        recs[k].register_broker.endpoints = b->endpoints;
        recs[k].register_broker.n_endpoints = b->n_endpoints;
        recs[k].register_broker.rack = b->rack;
        recs[k++].register_broker.fenced = b->fenced;
    }
    for (size_t i = 0; i < img->n_topics; i++) {
        const meta_topic_t *t = &img->topics[i];
        recs[k].type = META_TOPIC;
        recs[k].topic.name = t->name;
        recs[k++].topic.topic_id = t->id;
        for (int32_t p = 0; p < t->n_parts; p++) {
            const meta_partition_t *part = &t->parts[p];
            if (part->n_replicas == 0) {
                continue;
            }
            recs[k].type = META_PARTITION;
            recs[k].partition.partition_id = p;
            recs[k].partition.topic_id = t->id;
            recs[k].partition.replicas = part->replicas;
            recs[k].partition.n_replicas = part->n_replicas;
            recs[k].partition.isr = part->isr;
            recs[k].partition.n_isr = part->n_isr;
            recs[k].partition.leader = part->leader;
            recs[k].partition.leader_epoch = part->leader_epoch;
            recs[k++].partition.partition_epoch = part->partition_epoch;
        }
    }
    for (size_t i = 0; i < img->n_configs; i++) {
        recs[k].type = META_CONFIG;
        recs[k].config.resource_type = img->configs[i].type;
        recs[k].config.resource_name = img->configs[i].resource;
        recs[k].config.name = img->configs[i].name;
        recs[k++].config.value = img->configs[i].value;
    }
    meta_records_encode(w, recs, k);
    free(recs);
}

bool meta_image_restore(meta_image_t *img, const void *data, size_t len, char *errstr, size_t errstr_size)
{
    meta_image_t *fresh = meta_image_create();
    if (!meta_image_apply_entry(fresh, data, len, errstr, errstr_size)) {
        meta_image_destroy(fresh);
        return false;
    }
    image_clear(img);
    *img = *fresh;
    free(fresh);
    return true;
}

/* ---- readers ---------------------------------------------------------------------- */

size_t meta_image_broker_count(const meta_image_t *img)
{
    return img->n_brokers;
}

const meta_broker_t *meta_image_broker_at(const meta_image_t *img, size_t i)
{
    return i < img->n_brokers ? &img->brokers[i] : NULL;
}

const meta_broker_t *meta_image_broker_find(const meta_image_t *img, int32_t id)
{
    bool found;
    size_t slot = broker_slot(img, id, &found);
    return found ? &img->brokers[slot] : NULL;
}

size_t meta_image_topic_count(const meta_image_t *img)
{
    return img->n_topics;
}

const meta_topic_t *meta_image_topic_at(const meta_image_t *img, size_t i)
{
    return i < img->n_topics ? &img->topics[i] : NULL;
}

const meta_topic_t *meta_image_topic_find(const meta_image_t *img, const char *name)
{
    bool found;
    size_t slot = topic_slot(img, name, &found);
    return found ? &img->topics[slot] : NULL;
}

const char *meta_image_config(const meta_image_t *img, int8_t resource_type, const char *resource_name,
                              const char *name)
{
    bool found;
    size_t slot = config_slot(img, resource_type, resource_name, name, &found);
    return found ? img->configs[slot].value : NULL;
}

size_t meta_image_configs_of(const meta_image_t *img, int8_t resource_type, const char *resource_name,
                             const char ***names, const char ***values)
{
    bool found;
    size_t first = config_slot(img, resource_type, resource_name, "", &found);
    size_t n = 0;
    while (first + n < img->n_configs && img->configs[first + n].type == resource_type &&
           strcmp(img->configs[first + n].resource, resource_name) == 0) {
        n++;
    }
    *names = xcalloc(n + 1, sizeof(**names));
    *values = xcalloc(n + 1, sizeof(**values));
    for (size_t i = 0; i < n; i++) {
        (*names)[i] = img->configs[first + i].name;
        (*values)[i] = img->configs[first + i].value;
    }
    return n;
}

bool meta_image_assign(const meta_image_t *img, int32_t n_partitions, int32_t replication_factor, int32_t start,
                       int32_t *replicas, char *errstr, size_t errstr_size)
{
    int32_t live[1024];
    int32_t n_live = 0;
    for (size_t i = 0; i < img->n_brokers && n_live < (int32_t)(sizeof(live) / sizeof(live[0])); i++) {
        if (!img->brokers[i].fenced) {
            live[n_live++] = img->brokers[i].id;
        }
    }
    if (replication_factor < 1 || replication_factor > n_live) {
        /* Kafka's words (ReplicaPlacer), so that tools' users recognise them. */
        snprintf(errstr, errstr_size,
                 "Unable to replicate the partition %d time(s): The target replication factor of %d cannot be "
                 "reached because only %d broker(s) are registered.",
                 replication_factor, replication_factor, n_live);
        return false;
    }
    for (int32_t p = 0; p < n_partitions; p++) {
        for (int32_t r = 0; r < replication_factor; r++) {
            replicas[p * replication_factor + r] = live[((int64_t)start + p + r) % n_live];
        }
    }
    return true;
}

static bool ids_hold(const int32_t *ids, size_t n, int32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    return false;
}

static bool broker_usable(const meta_image_t *img, int32_t id, const int32_t *gone, size_t n_gone)
{
    const meta_broker_t *b = meta_image_broker_find(img, id);
    return b && !b->fenced && !ids_hold(gone, n_gone, id);
}

size_t meta_image_elect(const meta_image_t *img, const int32_t *gone, size_t n_gone, int32_t back, arena_t *arena,
                        meta_record_t **recs)
{
    size_t n = 0, cap = 0;
    meta_record_t *out = NULL;
    for (size_t t = 0; t < img->n_topics; t++) {
        const meta_topic_t *topic = &img->topics[t];
        for (int32_t pi = 0; pi < topic->n_parts; pi++) {
            const meta_partition_t *p = &topic->parts[pi];
            if (p->n_replicas == 0) {
                continue;
            }
            int32_t *isr = arena_alloc(arena, sizeof(int32_t) * ((size_t)p->n_isr + 1));
            int32_t n_isr = 0;
            for (int32_t i = 0; i < p->n_isr; i++) {
                if (!ids_hold(gone, n_gone, p->isr[i])) {
                    isr[n_isr++] = p->isr[i];
                }
            }
            if (n_isr == 0) {
                memcpy(isr, p->isr, sizeof(int32_t) * (size_t)p->n_isr);
                n_isr = p->n_isr;
            }
            int32_t leader = p->leader;
            if (leader >= 0 && ids_hold(gone, n_gone, leader)) {
                leader = -1;
                for (int32_t r = 0; r < p->n_replicas && leader < 0; r++) {
                    int32_t id = p->replicas[r];
                    if (ids_hold(isr, (size_t)n_isr, id) && broker_usable(img, id, gone, n_gone)) {
                        leader = id;
                    }
                }
            } else if (leader < 0 && back >= 0 && ids_hold(isr, (size_t)n_isr, back)) {
                leader = back;
            }
            if (leader == p->leader && n_isr == p->n_isr) {
                continue;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                meta_record_t *grown = arena_alloc(arena, sizeof(*grown) * cap);
                if (n) {
                    memcpy(grown, out, sizeof(*grown) * n);
                }
                out = grown;
            }
            out[n++] = (meta_record_t){
                .type = META_PARTITION_CHANGE,
                .partition_change = {.partition_id = pi,
                                     .topic_id = topic->id,
                                     .isr = isr,
                                     .n_isr = n_isr,
                                     .leader = leader == p->leader ? META_LEADER_UNCHANGED : leader,
                                     .replicas = NULL,
                                     .n_replicas = -1}};
        }
    }
    *recs = out;
    return n;
}

int16_t meta_image_check_alter_partition(const meta_image_t *img, int32_t broker_id, int64_t broker_epoch,
                                         const kuuid_t *topic_id, int32_t partition, int32_t leader_epoch,
                                         int32_t partition_epoch, const int32_t *new_isr, int32_t n_new_isr,
                                         int16_t *part_error, const meta_partition_t **part)
{
    *part_error = KERR_NONE;
    *part = NULL;
    const meta_broker_t *b = meta_image_broker_find(img, broker_id);
    if (!b || b->epoch != broker_epoch) {
        return KERR_STALE_BROKER_EPOCH;
    }
    const meta_partition_t *p = NULL;
    for (size_t i = 0; i < meta_image_topic_count(img); i++) {
        const meta_topic_t *t = meta_image_topic_at(img, i);
        if (memcmp(t->id.b, topic_id->b, sizeof(t->id.b)) == 0 && partition >= 0 && partition < t->n_parts &&
            t->parts[partition].n_replicas > 0) {
            p = &t->parts[partition];
        }
    }
    *part = p;
    if (!p) {
        *part_error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
    } else if (p->leader != broker_id) {
        *part_error = KERR_NOT_LEADER_OR_FOLLOWER;
    } else if (p->leader_epoch != leader_epoch) {
        *part_error = KERR_FENCED_LEADER_EPOCH;
    } else if (p->partition_epoch != partition_epoch) {
        *part_error = KERR_INVALID_UPDATE_VERSION;
    }
    for (int32_t i = 0; *part_error == KERR_NONE && i < n_new_isr; i++) {
        int32_t id = new_isr[i];
        const meta_broker_t *rb = meta_image_broker_find(img, id);
        if (ids_hold(new_isr, (size_t)i, id)) {
            *part_error = KERR_INVALID_REQUEST; /* a replica named twice would count twice towards min.insync */
        } else if (!ids_hold(p->replicas, (size_t)p->n_replicas, id) ||
                   (!ids_hold(p->isr, (size_t)p->n_isr, id) && (!rb || rb->fenced))) {
            *part_error = KERR_INELIGIBLE_REPLICA;
        }
    }
    if (*part_error == KERR_NONE && !ids_hold(new_isr, (size_t)n_new_isr, p->leader)) {
        *part_error = KERR_INVALID_REQUEST;
    }
    return KERR_NONE;
}
