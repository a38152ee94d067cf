/* offset_store.c - source offsets in a topic or a file; see offset_store.h. */
#include "offset_store.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fsutil.h"

typedef struct entry {
    char *key;   /* ["connector",{...}] */
    char *value; /* {...} */
} entry_t;

struct offset_store {
    pthread_mutex_t lock;
    entry_t *entries; /* few: one per source partition */
    size_t n, cap;
    kvtopic_t *kv;    /* topic backend, or */
    char *path;       /* file backend */
    char *scope;      /* offset_store_scope: put before connector names in the topic's keys; NULL: none */
};

static offset_store_t *store_new(void)
{
    offset_store_t *store = calloc(1, sizeof(*store));
    if (!store) {
        abort();
    }
    pthread_mutex_init(&store->lock, NULL);
    return store;
}

/* Whether two keys name the same source partition.  Keys the worker made
 * match byte for byte; a partition typed by hand (PATCH .../offsets) may
 * list its fields in another order, which gives a key of the same length
 * that is equal as JSON (Kafka compares the maps, not their bytes). */
static bool key_equal(const char *a, const char *b)
{
    if (strcmp(a, b) == 0) {
        return true;
    }
    if (strlen(a) != strlen(b)) {
        return false;
    }
    json_t *ja = json_loads(a, 0, NULL), *jb = json_loads(b, 0, NULL);
    bool equal = ja && jb && json_equal(ja, jb);
    json_decref(ja);
    json_decref(jb);
    return equal;
}

static entry_t *find(offset_store_t *store, const char *key)
{
    for (size_t i = 0; i < store->n; i++) {
        if (key_equal(store->entries[i].key, key)) {
            return &store->entries[i];
        }
    }
    return NULL;
}

static void set(offset_store_t *store, const char *key, size_t key_len, const char *value, size_t value_len)
{
    char *k = strndup(key, key_len);
    entry_t *e = find(store, k);
    if (!value) {
        if (e) {
            free(e->key);
            free(e->value);
            *e = store->entries[--store->n];
        }
        free(k);
        return;
    }
    if (!e) {
        if (store->n == store->cap) {
            store->cap = store->cap ? store->cap * 2 : 16;
            store->entries = realloc(store->entries, store->cap * sizeof(entry_t));
            if (!store->entries) {
                abort();
            }
        }
        e = &store->entries[store->n++];
        e->key = k;
    } else {
        free(k);
        free(e->value);
    }
    e->value = strndup(value, value_len);
}

/* The name a connector has in the keys: with the scope in front, if any
 * (malloc'd). */
static char *key_owner(const offset_store_t *store, const char *connector)
{
    size_t len = (store->scope ? strlen(store->scope) : 0) + strlen(connector) + 1;
    char *owner = malloc(len);
    if (!owner) {
        abort();
    }
    snprintf(owner, len, "%s%s", store->scope ? store->scope : "", connector);
    return owner;
}

/* The key of a connector's source partition, in Kafka's compact JSON. */
static char *make_key(const offset_store_t *store, const char *connector, const char *partition_json)
{
    char *owner = key_owner(store, connector);
    json_t *partition = json_loads(partition_json, JSON_DECODE_ANY, NULL);
    json_t *key = json_pack("[so]", owner, partition ? partition : json_null());
    char *text = json_dumps(key, JSON_COMPACT);
    json_decref(key);
    free(owner);
    return text;
}

static void on_record(void *opaque, const char *key, size_t key_len, const char *value, size_t value_len)
{
    set(opaque, key, key_len, value, value_len);
}

offset_store_t *offset_store_open_topic(kvtopic_t *kv, char *errstr, size_t errstr_size)
{
    offset_store_t *store = store_new();
    store->kv = kv;
    if (kvtopic_read_all(kv, on_record, store, errstr, errstr_size) < 0) {
        offset_store_close(store);
        return NULL;
    }
    return store;
}

offset_store_t *offset_store_open_file(const char *path, char *errstr, size_t errstr_size)
{
    offset_store_t *store = store_new();
    store->path = strdup(path);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) {
            return store;
        }
        snprintf(errstr, errstr_size, "offset.storage.file.filename %s: %s", path, strerror(errno));
        offset_store_close(store);
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        json_t *obj = json_loads(line, 0, NULL);
        json_t *key = json_object_get(obj, "key"), *value = json_object_get(obj, "value");
        if (!json_is_array(key) || !value) {
            snprintf(errstr, errstr_size, "offset.storage.file.filename %s: line %d is not {\"key\":[...],\"value\":...}",
                     path, lineno);
            json_decref(obj);
            free(line);
            fclose(f);
            offset_store_close(store);
            return NULL;
        }
        char *k = json_dumps(key, JSON_COMPACT), *v = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        set(store, k, strlen(k), json_is_null(value) ? NULL : v, strlen(v));
        free(k);
        free(v);
        json_decref(obj);
    }
    free(line);
    fclose(f);
    return store;
}

int offset_store_refresh(offset_store_t *store, char *errstr, size_t errstr_size)
{
    if (!store->kv) {
        return 0;
    }
    /* Read whole into a table of its own, so a read cut short leaves the
     * offsets in memory as they were; the lock is held meanwhile, as a
     * commit of this worker's made during the read could be missing from
     * it and would be lost in the swap. */
    offset_store_t *fresh = store_new();
    pthread_mutex_lock(&store->lock);
    int rc = kvtopic_read_all(store->kv, on_record, fresh, errstr, errstr_size);
    if (rc == 0) {
        entry_t *entries = store->entries;
        size_t n = store->n, cap = store->cap;
        store->entries = fresh->entries;
        store->n = fresh->n;
        store->cap = fresh->cap;
        fresh->entries = entries;
        fresh->n = n;
        fresh->cap = cap;
    }
    pthread_mutex_unlock(&store->lock);
    offset_store_close(fresh);
    return rc;
}

void offset_store_close(offset_store_t *store)
{
    if (!store) {
        return;
    }
    for (size_t i = 0; i < store->n; i++) {
        free(store->entries[i].key);
        free(store->entries[i].value);
    }
    free(store->entries);
    kvtopic_close(store->kv);
    free(store->path);
    free(store->scope);
    pthread_mutex_destroy(&store->lock);
    free(store);
}

void offset_store_scope(offset_store_t *store, const char *scope)
{
    if (store->kv) {
        free(store->scope);
        store->scope = strdup(scope);
    }
}

char *offset_store_get(offset_store_t *store, const char *connector, const char *partition_json)
{
    char *key = make_key(store, connector, partition_json);
    pthread_mutex_lock(&store->lock);
    entry_t *e = find(store, key);
    char *value = e ? strdup(e->value) : NULL;
    pthread_mutex_unlock(&store->lock);
    free(key);
    return value;
}

/* Rewrites the whole file atomically (temp file, fsync, rename). */
static int write_file(offset_store_t *store, char *errstr, size_t errstr_size)
{
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    for (size_t i = 0; i < store->n; i++) {
        size_t need = strlen(store->entries[i].key) + strlen(store->entries[i].value) + 32;
        if (len + need > cap) {
            cap = (len + need) * 2;
            text = realloc(text, cap);
        }
        len += (size_t)sprintf(text + len, "{\"key\":%s,\"value\":%s}\n", store->entries[i].key, store->entries[i].value);
    }
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", store->path);
    char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : store->path;
    if (slash) {
        *slash = '\0';
    }
    int rc = fs_write_atomic(slash ? (dir[0] ? dir : "/") : ".", name, text, len);
    free(text);
    if (rc < 0) {
        snprintf(errstr, errstr_size, "cannot write %s: %s", store->path, strerror(errno));
    }
    return rc;
}

/* @locks store->lock.  The current value of each key (NULL: none), malloc'd. */
static char **previous_values(offset_store_t *store, char *const *keys, int n)
{
    char **values = calloc((size_t)n + 1, sizeof(char *));
    if (!values) {
        abort();
    }
    for (int i = 0; i < n; i++) {
        entry_t *e = find(store, keys[i]);
        values[i] = e ? strdup(e->value) : NULL;
    }
    return values;
}

/* @locks store->lock.  `key` (taken), or the text the store already has
 * for the same partition.  A partition must keep one byte form: in the
 * offsets topic a tombstone or a newer offset only replaces the record
 * with the same key bytes, so a second form would outlive them there and
 * come back at the next start. */
static char *stored_key(offset_store_t *store, char *key)
{
    entry_t *e = find(store, key);
    if (!e || strcmp(e->key, key) == 0) {
        return key;
    }
    free(key);
    return strdup(e->key);
}

int offset_store_put(offset_store_t *store, const char *connector, const char *const *partition_jsons,
                     const char *const *offset_jsons, int n, char *errstr, size_t errstr_size)
{
    char **keys = calloc((size_t)n + 1, sizeof(char *));
    kvtopic_record_t *recs = calloc((size_t)n + 1, sizeof(*recs));
    if (!keys || !recs) {
        abort();
    }
    pthread_mutex_lock(&store->lock);
    for (int i = 0; i < n; i++) {
        keys[i] = stored_key(store, make_key(store, connector, partition_jsons[i]));
        recs[i] = (kvtopic_record_t){keys[i], strlen(keys[i]), offset_jsons[i],
                                     offset_jsons[i] ? strlen(offset_jsons[i]) : 0};
    }
    /* The topic first, memory after: a failed commit leaves the previous
     * offsets in force.  The file backend writes memory out whole, so it
     * applies first and puts the previous values back if the write fails. */
    int rc = store->kv ? kvtopic_write_many(store->kv, recs, (size_t)n, errstr, errstr_size) : 0;
    char **before = store->path ? previous_values(store, keys, n) : NULL;
    if (rc == 0) {
        for (int i = 0; i < n; i++) {
            set(store, recs[i].key, recs[i].key_len, recs[i].value, recs[i].value_len);
        }
        if (store->path && (rc = write_file(store, errstr, errstr_size)) < 0) {
            /* Backwards, so a partition named twice ends at its first value. */
            for (int i = n - 1; i >= 0; i--) {
                set(store, keys[i], strlen(keys[i]), before[i], before[i] ? strlen(before[i]) : 0);
            }
        }
    }
    pthread_mutex_unlock(&store->lock);
    for (int i = 0; i < n; i++) {
        free(keys[i]);
        free(before ? before[i] : NULL);
    }
    free(before);
    free(keys);
    free(recs);
    return rc;
}

int offset_store_list(offset_store_t *store, const char *connector, char ***partition_jsons, char ***offset_jsons)
{
    pthread_mutex_lock(&store->lock);
    char **parts = calloc(store->n + 1, sizeof(char *)), **offs = calloc(store->n + 1, sizeof(char *));
    if (!parts || !offs) {
        abort();
    }
    int n = 0;
    char *wanted = key_owner(store, connector);
    for (size_t i = 0; i < store->n; i++) {
        json_t *key = json_loads(store->entries[i].key, 0, NULL);
        json_t *partition = json_array_get(key, 1);
        const char *owner = json_string_value(json_array_get(key, 0));
        /* Kafka's OffsetUtils.processPartitionKey: anything but
         * ["<connector>", {...}] is someone else's record. */
        if (json_array_size(key) == 2 && owner && strcmp(owner, wanted) == 0 && json_is_object(partition)) {
            parts[n] = json_dumps(partition, JSON_COMPACT);
            offs[n++] = strdup(store->entries[i].value);
        }
        json_decref(key);
    }
    free(wanted);
    pthread_mutex_unlock(&store->lock);
    *partition_jsons = parts;
    *offset_jsons = offs;
    return n;
}

void offset_store_list_free(char **partition_jsons, char **offset_jsons, int n)
{
    for (int i = 0; i < n; i++) {
        free(partition_jsons[i]);
        free(offset_jsons[i]);
    }
    free(partition_jsons);
    free(offset_jsons);
}
