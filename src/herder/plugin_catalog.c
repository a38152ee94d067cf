/*
 * plugin_catalog.c - the built-in converters (and later transformations
 * and predicates) with their settings, as Kafka defines them
 * (ConverterConfig, JsonConverterConfig, StringConverterConfig); see
 * plugin_catalog.h.
 *
 * The converters themselves (convert_*.c) read these settings when a task
 * starts; connector validation also tries converter_create() with them,
 * so a value a converter refuses is reported before the connector is
 * created even where these rows are more lenient than the converter.
 *
 * Transformations and predicates are rows too, made from the known
 * transforms of transform_chain.h (the built-ins of transforms/registry.c
 * and plugins' transforms): one row per variant ($Key, $Value), with the
 * settings of the transform's cd_config_def_t table.  They are made when
 * first asked for and again when plugins have added transforms since, in
 * a table that never moves, so rows handed out stay valid.
 */
#include "plugin_catalog.h"

#include "connectd-build.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/converter.h"
#include "transforms/transform_chain.h"
#include "xalloc.h"

static const config_def_t no_keys[] = {{.name = NULL}};

/* Kafka's ConverterConfig's converter.type, then the class's own (in
 * convert/): made once, before the first row is read (catalog_count). */
#define CONVERTER_KEYS_MAX 16
static config_def_t json_keys[CONVERTER_KEYS_MAX], string_keys[CONVERTER_KEYS_MAX];
static pthread_once_t converter_keys_once = PTHREAD_ONCE_INIT;

static void converter_keys_init(void)
{
    config_def_append(json_keys, CONVERTER_KEYS_MAX, converter_type_defs);
    config_def_append(json_keys, CONVERTER_KEYS_MAX, convert_json_defs);
    config_def_append(string_keys, CONVERTER_KEYS_MAX, converter_type_defs);
    config_def_append(string_keys, CONVERTER_KEYS_MAX, convert_string_defs);
}

#define JSON "org.apache.kafka.connect.json.JsonConverter"
#define STRING "org.apache.kafka.connect.storage.StringConverter"
#define BYTES "org.apache.kafka.connect.converters.ByteArrayConverter"
#define SIMPLE "org.apache.kafka.connect.storage.SimpleHeaderConverter"

static const catalog_plugin_t plugins[] = {
    {BYTES, "ByteArrayConverter", CATALOG_CONVERTER, converter_type_defs},
    {JSON, "JsonConverter", CATALOG_CONVERTER, json_keys},
    {STRING, "StringConverter", CATALOG_CONVERTER, string_keys},
    {BYTES, "ByteArrayConverter", CATALOG_HEADER_CONVERTER, converter_type_defs},
    {JSON, "JsonConverter", CATALOG_HEADER_CONVERTER, json_keys},
    {SIMPLE, "SimpleHeaderConverter", CATALOG_HEADER_CONVERTER, no_keys},
    {STRING, "StringConverter", CATALOG_HEADER_CONVERTER, string_keys},
};

const char *catalog_type_name(catalog_type_t type)
{
    static const char *const names[] = {"sink", "source", "transformation", "predicate", "converter",
                                        "header_converter"};
    return type <= CATALOG_HEADER_CONVERTER ? names[type] : "unknown";
}

#define N_STATIC (sizeof(plugins) / sizeof(plugins[0]))
#define TRANSFORM_ROWS_MAX 1024

static catalog_plugin_t transform_rows[TRANSFORM_ROWS_MAX];
static atomic_size_t n_transform_rows;
static atomic_size_t known_done; /* known transforms turned into rows */
static pthread_mutex_t rows_lock = PTHREAD_MUTEX_INITIALIZER;

/* Rows for the known transforms that have none yet. */
static void transform_rows_sync(void)
{
    size_t known = transform_known_count();
    if (atomic_load(&known_done) == known) {
        return;
    }
    pthread_mutex_lock(&rows_lock);
    for (size_t i = atomic_load(&known_done); i < known; i++) {
        const transform_def_t *def = transform_known_at(i);
        const config_def_t *keys = transform_config_rows(def);
        for (int t = 0; t < (def->has_variants ? 2 : 1); t++) {
            size_t n = atomic_load(&n_transform_rows);
            if (n == TRANSFORM_ROWS_MAX) {
                break;
            }
            transform_target_t target = t == 0 ? TRANSFORM_KEY : TRANSFORM_VALUE;
            char buf[512];
            transform_class_name(def, def->has_variants ? target : TRANSFORM_VALUE, buf, sizeof(buf));
            transform_rows[n].class_name = xstrdup(buf);
            transform_short_name(def, def->has_variants ? target : TRANSFORM_VALUE, buf, sizeof(buf));
            transform_rows[n].alias = xstrdup(buf);
            transform_rows[n].type = def->is_predicate ? CATALOG_PREDICATE : CATALOG_TRANSFORMATION;
            transform_rows[n].config = keys;
            atomic_store(&n_transform_rows, n + 1);
        }
        atomic_store(&known_done, i + 1);
    }
    pthread_mutex_unlock(&rows_lock);
}

size_t catalog_count(void)
{
    pthread_once(&converter_keys_once, converter_keys_init);
    transform_rows_sync();
    return N_STATIC + atomic_load(&n_transform_rows);
}

const catalog_plugin_t *catalog_at(size_t i)
{
    size_t n = catalog_count();
    return i >= n ? NULL : i < N_STATIC ? &plugins[i] : &transform_rows[i - N_STATIC];
}

static bool row_is(const catalog_plugin_t *row, const char *name)
{
    return strcmp(row->class_name, name) == 0 || strcmp(row->alias, name) == 0;
}

const catalog_plugin_t *catalog_find(const char *name, catalog_type_t type)
{
    size_t n = catalog_count();
    for (size_t i = 0; name && i < n; i++) {
        const catalog_plugin_t *row = catalog_at(i);
        if (row->type == type && row_is(row, name)) {
            return row;
        }
    }
    /* A plugin transform's other aliases: by its canonical name. */
    transform_target_t target;
    const transform_def_t *def = NULL;
    if (name && (type == CATALOG_TRANSFORMATION || type == CATALOG_PREDICATE)) {
        def = transform_find(name, type == CATALOG_PREDICATE, &target);
    }
    if (def) {
        char buf[512];
        transform_class_name(def, target, buf, sizeof(buf));
        if (strcmp(buf, name) != 0) {
            return catalog_find(buf, type);
        }
    }
    return NULL;
}

const catalog_plugin_t *catalog_find_any(const char *name)
{
    size_t n = catalog_count();
    for (size_t i = 0; name && i < n; i++) {
        if (row_is(catalog_at(i), name)) {
            return catalog_at(i);
        }
    }
    return NULL;
}

const char *catalog_version(void)
{
    return PACKAGE_VERSION;
}
