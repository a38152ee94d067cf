/*
 * connectd/plugin.h - the one header a connectd connector plugin includes.
 *
 * A plugin is a shared object that exports one function, cd_plugin_entry().
 * The worker dlopen()s it (RTLD_NOW | RTLD_LOCAL), calls the entry with the
 * host API table, and gets back a NULL-terminated array of connector
 * descriptors.  Plugins never link against the daemon: everything they may
 * call is a function pointer in cd_host_api_t.
 *
 *   #include <connectd/plugin.h>
 *
 *   static const cd_host_api_t *host;
 *   static const cd_plugin_desc_t counter = {
 *       CD_PLUGIN_DESC_HEADER,
 *       .name = "Counter", .version = "1.0", .kind = CD_KIND_SOURCE,
 *       .config = counter_config, .start = counter_start, .poll = counter_poll,
 *       .stop = counter_stop,
 *   };
 *   static const cd_plugin_desc_t *const all[] = {&counter, NULL};
 *
 *   CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *h)
 *   {
 *       host = h;
 *       return all;
 *   }
 *
 * docs/plugin-guide.md walks through a whole connector.
 *
 * Compatibility.  CD_ABI_MAJOR changes only for a break; the worker refuses
 * a plugin built for another major.  A minor version only appends: new
 * fields at the end of a struct, new functions at the end of the host table.
 * Both sides carry struct_size, so a plugin built against an older minor
 * header loads (its missing descriptor fields read as NULL), and a plugin
 * checks host->struct_size before calling a function newer than the host.
 *
 * Threading.  Each task runs on its own thread; the callbacks of one task
 * never run concurrently, and every callback except wakeup() runs on that
 * task's thread.  Different tasks of one plugin run in parallel, so a plugin
 * keeps no unprotected global state beyond the host pointer.  Host functions
 * may be called from the calling task's thread; those marked "any thread"
 * from any thread.  A plugin that starts threads joins them in stop().
 *
 * Memory.  Whoever allocates frees, and every function below says who owns
 * what.  "Borrowed" means valid until the callback returns (or as stated);
 * "takes" means ownership moves to the callee, also on failure.
 *
 * Errors.  Callbacks return CD_OK (0) or a negative cd_rc_t, and explain
 * failures with host->set_error().  CD_RETRY asks the worker to call again
 * later (a transient outage); CD_FATAL fails the task, whose status then
 * shows the message.
 *
 * Process-global state belongs to the host: plugins do not install signal
 * handlers, call exit(), fork(), setlocale() or curl_global_init().
 */
#ifndef CONNECTD_PLUGIN_H
#define CONNECTD_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CD_ABI_MAJOR 1
#define CD_ABI_MINOR 3

#if defined(__GNUC__)
#define CD_EXPORT __attribute__((visibility("default")))
#define CD_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CD_EXPORT
#define CD_PRINTF(fmt, args)
#endif

typedef enum cd_rc {
    CD_OK = 0,
    CD_RETRY = -1,  /* transient: the worker calls again after a pause */
    CD_FATAL = -2,  /* the task fails; its status shows set_error()'s text */
    CD_CONFIG = -3, /* the configuration is wrong; the message says what to fix */
} cd_rc_t;

typedef enum cd_kind {
    CD_KIND_SOURCE = 1, /* reads an outside system, produces records */
    CD_KIND_SINK = 2,   /* consumes records, writes an outside system */
    /* ABI 1.1: a single message transform, used in a connector's
     * `transforms=` chain by its name or an alias (docs/plugin-guide.md). */
    CD_KIND_TRANSFORM = 3,
    CD_KIND_PREDICATE = 4, /* ABI 1.1: a predicate guarding a transform */
} cd_kind_t;

typedef enum cd_log_level {
    CD_LOG_ERROR = 1,
    CD_LOG_WARN = 2,
    CD_LOG_INFO = 3,
    CD_LOG_DEBUG = 4,
} cd_log_level_t;

/* ABI 1.3: what a plugin metric is to Prometheus (metric_set). */
typedef enum cd_metric_kind {
    CD_METRIC_GAUGE = 1,   /* a value that goes up and down */
    CD_METRIC_COUNTER = 2, /* a running total that only grows */
} cd_metric_kind_t;

/* ---- configuration ---------------------------------------------------------
 * A connector declares its settings in a table; the worker validates
 * connector configs against it, shows it at GET /connector-plugins/{name}/config
 * and PUT .../config/validate, and generates the reference docs from it.
 * Names and semantics follow Kafka's ConfigDef. */

typedef enum cd_cfg_type {
    CD_CFG_STRING = 1,
    CD_CFG_INT = 2,      /* int32 */
    CD_CFG_LONG = 3,     /* int64 */
    CD_CFG_DOUBLE = 4,
    CD_CFG_BOOLEAN = 5,  /* "true" / "false" */
    CD_CFG_LIST = 6,     /* comma-separated */
    CD_CFG_PASSWORD = 7, /* a string never shown back: "[hidden]" in every response */
    CD_CFG_CLASS = 8,    /* a class (plugin) name */
} cd_cfg_type_t;

typedef enum cd_cfg_importance {
    CD_IMPORTANCE_HIGH = 1,
    CD_IMPORTANCE_MEDIUM = 2,
    CD_IMPORTANCE_LOW = 3,
} cd_cfg_importance_t;

/* One setting; a table ends with an entry whose name is NULL.  Plugins
 * pass arrays of it, so its layout is frozen for ABI major 1: a later minor
 * that needs more per-setting fields adds a second table, never a field. */
typedef struct cd_config_def {
    const char *name;
    cd_cfg_type_t type;
    const char *default_value;  /* text form; NULL: no default */
    bool required;              /* the user must give a value (meaningless with a default) */
    cd_cfg_importance_t importance; /* 0 is read as MEDIUM */
    const char *doc;
    const char *group;          /* may be NULL */
    int64_t min, max;           /* inclusive bounds for INT and LONG when min < max */
    const char *const *choices; /* NULL-terminated allowed values (for LIST: of each item), or NULL */
    /* Optional check of a value the checks above let through; returns 0, or
     * non-zero after writing what is wrong (one sentence) into errbuf. */
    int (*validate)(const char *value, char *errbuf, size_t errlen);
} cd_config_def_t;

/* ---- data ---------------------------------------------------------------------
 * Records carry typed values with optional Connect schemas, as Kafka
 * Connect's data API: the converters (JsonConverter, StringConverter, ...)
 * turn them into bytes and back.  Both are opaque and made and read through
 * the host table. */

typedef enum cd_type {
    CD_TYPE_NULL = 0, /* a value only: null */
    CD_TYPE_INT8 = 1,
    CD_TYPE_INT16 = 2,
    CD_TYPE_INT32 = 3,
    CD_TYPE_INT64 = 4,
    CD_TYPE_FLOAT32 = 5,
    CD_TYPE_FLOAT64 = 6,
    CD_TYPE_BOOLEAN = 7,
    CD_TYPE_STRING = 8,
    CD_TYPE_BYTES = 9,
    CD_TYPE_ARRAY = 10,
    CD_TYPE_MAP = 11,
    CD_TYPE_STRUCT = 12,
} cd_type_t;

/* A schema: immutable once built, reference counted (schema_ref/unref). */
typedef struct cd_schema cd_schema_t;
/* A value: a tree with one owner; freed with value_free. */
typedef struct cd_value cd_value_t;
/* A record: made by the host (record_new) or lent to a sink's put(). */
typedef struct cd_record cd_record_t;
/* The connector or task a callback is about; host-owned. */
typedef struct cd_task cd_task_t;

/* ---- the host API ------------------------------------------------------------
 * Passed to cd_plugin_entry; valid, unchanged, for the life of the process. */

typedef struct cd_host_api {
    uint32_t struct_size; /* sizeof(cd_host_api_t) of the host */
    uint16_t abi_major, abi_minor;

    /* -- context.  Any thread for log (task may be NULL, e.g. in the entry
     * point); the task's thread for the rest. -- */
    void (*log)(cd_task_t *task, cd_log_level_t level, const char *fmt, ...) CD_PRINTF(3, 4);
    /* Sets the message shown with the failure the callback is about to
     * return; copies.  The last call before the return wins. */
    void (*set_error)(cd_task_t *task, const char *fmt, ...) CD_PRINTF(2, 3);
    /* A setting of the connector's (or task's) config, with the table's
     * default applied; NULL when unset and without default.  Borrowed until
     * the task stops. */
    const char *(*config_get)(cd_task_t *task, const char *key);
    const char *(*connector_name)(cd_task_t *task); /* borrowed, as config_get */
    int (*task_id)(cd_task_t *task);                /* 0.. for tasks; -1 for the connector */
    /* Whether the worker is stopping this task; poll() and put() should
     * return soon when true.  Any thread. */
    bool (*is_stopping)(cd_task_t *task);

    /* -- task configs (in task_configs only) -- */
    /* Adds a task config, a copy of the connector's; returns its index. */
    int (*task_config_add)(cd_task_t *conn);
    /* Sets a key of task config `index`; copies both strings. */
    void (*task_config_set)(cd_task_t *conn, int index, const char *key, const char *value);

    /* -- schemas.  Builders take the schemas passed in. -- */
    cd_schema_t *(*schema_new)(cd_type_t type, bool optional); /* a primitive type */
    cd_schema_t *(*schema_array)(cd_schema_t *items, bool optional);
    cd_schema_t *(*schema_map)(cd_schema_t *keys, cd_schema_t *values, bool optional);
    cd_schema_t *(*schema_struct)(bool optional); /* then schema_add_field for each field */
    /* Appends a field to a struct schema under construction. */
    void (*schema_add_field)(cd_schema_t *st, const char *name, cd_schema_t *field);
    /* Optional metadata, set while building (copies): name (logical types
     * use Kafka's, e.g. "org.apache.kafka.connect.data.Timestamp"), version
     * (0 = none), doc, parameters. */
    void (*schema_set_name)(cd_schema_t *schema, const char *name);
    void (*schema_set_version)(cd_schema_t *schema, int32_t version);
    void (*schema_set_doc)(cd_schema_t *schema, const char *doc);
    void (*schema_set_parameter)(cd_schema_t *schema, const char *key, const char *value);
    cd_schema_t *(*schema_ref)(cd_schema_t *schema); /* returns schema; any thread */
    void (*schema_unref)(cd_schema_t *schema);       /* NULL is fine; any thread */
    cd_type_t (*schema_type)(const cd_schema_t *schema);
    bool (*schema_optional)(const cd_schema_t *schema);
    const char *(*schema_name)(const cd_schema_t *schema); /* NULL if none; borrowed */
    int (*schema_field_count)(const cd_schema_t *st);
    const char *(*schema_field_name)(const cd_schema_t *st, int i);        /* borrowed */
    const cd_schema_t *(*schema_field_schema)(const cd_schema_t *st, int i); /* borrowed */
    const cd_schema_t *(*schema_items)(const cd_schema_t *array);  /* element schema; borrowed */
    const cd_schema_t *(*schema_keys)(const cd_schema_t *map);     /* borrowed */
    const cd_schema_t *(*schema_values)(const cd_schema_t *map);   /* borrowed */

    /* -- values.  Constructors return a new value the caller owns. -- */
    cd_value_t *(*value_null)(void);
    cd_value_t *(*value_int)(cd_type_t type, int64_t v);   /* INT8..INT64 */
    cd_value_t *(*value_float)(cd_type_t type, double v);  /* FLOAT32, FLOAT64 */
    cd_value_t *(*value_bool)(bool v);
    /* UTF-8; copies, replacing ill-formed sequences with U+FFFD as Java's
     * decoder does. */
    cd_value_t *(*value_string)(const char *s, size_t len);
    cd_value_t *(*value_bytes)(const void *data, size_t len); /* copies */
    cd_value_t *(*value_array)(void);
    void (*value_array_push)(cd_value_t *array, cd_value_t *item); /* takes item */
    cd_value_t *(*value_map)(void);
    void (*value_map_put)(cd_value_t *map, cd_value_t *key, cd_value_t *val); /* takes both */
    cd_value_t *(*value_struct)(const cd_schema_t *schema); /* fields start null */
    /* Sets a field by name; takes v.  CD_CONFIG if the schema has no such
     * field or v's type does not fit it (v is freed then). */
    cd_rc_t (*value_struct_set)(cd_value_t *st, const char *field, cd_value_t *v);
    void (*value_free)(cd_value_t *v); /* NULL is fine */
    cd_value_t *(*value_copy)(const cd_value_t *v);
    cd_type_t (*value_type)(const cd_value_t *v);
    int64_t (*value_get_int)(const cd_value_t *v);
    double (*value_get_float)(const cd_value_t *v);
    bool (*value_get_bool)(const cd_value_t *v);
    /* STRING and BYTES: the data (borrowed from v) and its length. */
    const char *(*value_get_string)(const cd_value_t *v, size_t *len);
    const void *(*value_get_bytes)(const cd_value_t *v, size_t *len);
    size_t (*value_count)(const cd_value_t *v); /* ARRAY items, MAP entries, STRUCT fields */
    const cd_value_t *(*value_array_at)(const cd_value_t *array, size_t i); /* borrowed */
    const cd_value_t *(*value_map_key_at)(const cd_value_t *map, size_t i);
    const cd_value_t *(*value_map_value_at)(const cd_value_t *map, size_t i);
    /* A map's value for a string key; NULL if absent.  Borrowed. */
    const cd_value_t *(*value_map_get)(const cd_value_t *map, const char *key);
    /* A struct's field by name; NULL if the schema has none.  Borrowed. */
    const cd_value_t *(*value_struct_get)(const cd_value_t *st, const char *field);

    /* -- records -- */
    /* A new empty record for a source task's poll(); it goes to the host
     * with poll()'s output, or back with record_free. */
    cd_record_t *(*record_new)(cd_task_t *task);
    void (*record_free)(cd_record_t *rec);
    void (*record_set_topic)(cd_record_t *rec, const char *topic); /* copies */
    void (*record_set_partition)(cd_record_t *rec, int32_t partition); /* -1: the partitioner's choice */
    /* Key and value with their schemas (either may be NULL: schemaless, or
     * a null key).  Take both. */
    void (*record_set_key)(cd_record_t *rec, cd_schema_t *schema, cd_value_t *key);
    void (*record_set_value)(cd_record_t *rec, cd_schema_t *schema, cd_value_t *value);
    void (*record_set_timestamp)(cd_record_t *rec, int64_t ms); /* default: when poll() returned */
    /* Appends a header; copies key, takes schema and value. */
    void (*record_add_header)(cd_record_t *rec, const char *key, cd_schema_t *schema, cd_value_t *value);
    /* Where in the source this record was read (source partition, e.g.
     * {"filename": ...}) and how far that is (source offset, e.g.
     * {"position": 123}), both maps; takes both.  The worker commits the
     * offset once the broker has the record. */
    void (*record_set_source)(cd_record_t *rec, cd_value_t *partition, cd_value_t *offset);

    /* Getters, for sinks (records lent to put()) and for the record's maker.
     * Everything returned is borrowed from the record. */
    const char *(*record_topic)(const cd_record_t *rec);
    int32_t (*record_partition)(const cd_record_t *rec);
    int64_t (*record_offset)(const cd_record_t *rec); /* the Kafka offset; -1 for a source record */
    int64_t (*record_timestamp)(const cd_record_t *rec);
    const cd_schema_t *(*record_key_schema)(const cd_record_t *rec);
    const cd_value_t *(*record_key)(const cd_record_t *rec);
    const cd_schema_t *(*record_value_schema)(const cd_record_t *rec);
    const cd_value_t *(*record_value)(const cd_record_t *rec);
    size_t (*record_header_count)(const cd_record_t *rec);
    const char *(*record_header_key)(const cd_record_t *rec, size_t i);
    const cd_value_t *(*record_header_value)(const cd_record_t *rec, size_t i);

    /* -- offsets and errors -- */
    /* A source task's last committed offset for a source partition (e.g. a
     * map {"filename": ...}); NULL if none.  The result is the caller's
     * (value_free). */
    cd_value_t *(*offset_read)(cd_task_t *task, const cd_value_t *partition);
    /* A sink's put() refuses one record without failing the batch: the
     * worker applies errors.tolerance to it (log, dead letter queue) and
     * goes on.  Copies the reason.
     * ABI 1.3: a sink built for 1.3 or later may also refuse, in a later
     * put() or in flush(), any record an earlier put() was lent since the
     * last flush() that returned CD_OK (an asynchronous writer learns of a
     * failure when its request completes).  Such a record stays valid for
     * this call only, until that flush: after its put() returned it may be
     * passed here but not read.  The dead letter queue gets its original
     * bytes and headers; a rejection errors.tolerance does not tolerate
     * fails the task before the offsets that flush() covers are
     * committed.  Plugins built for an older minor are unaffected. */
    void (*record_reject)(cd_task_t *task, const cd_record_t *rec, const char *reason);

    /* -- schema metadata and the schemas of values without a record -- */
    int32_t (*schema_version)(const cd_schema_t *schema); /* 0: none */
    const char *(*schema_doc)(const cd_schema_t *schema); /* NULL if none; borrowed */
    /* A parameter (e.g. Decimal's "scale"); NULL if absent.  Borrowed. */
    const char *(*schema_parameter)(const cd_schema_t *schema, const char *key);
    const cd_schema_t *(*value_struct_schema)(const cd_value_t *st); /* borrowed */
    const cd_schema_t *(*record_header_schema)(const cd_record_t *rec, size_t i); /* NULL: schemaless */

    /* -- ABI 1.3: a task's own metrics and progress.  Task thread; called
     * from a connector-level callback (task_id -1) they are ignored. -- */
    /* Sets a metric of the task, exported by GET /metrics as the family
     * connectd_plugin_<name> (counters get "_total" appended) with labels
     * connector and task.  name: [a-z][a-z0-9_]*, at most 64 bytes; help:
     * one sentence, read at the first call.  A name another plugin already
     * declared with another kind, or a task's 65th name, is refused with a
     * warning in the log. */
    void (*metric_set)(cd_task_t *task, const char *name, cd_metric_kind_t kind, const char *help, double value);
    /* A one-line account of a long phase, e.g. "snapshot: table 2 of 3,
     * 512000 of ~1000000 rows", shown as "progress" in the task's entry of
     * GET /connectors/{name}/status until replaced; NULL clears it. */
    void (*progress_set)(cd_task_t *task, const char *fmt, ...) CD_PRINTF(2, 3);

    /* -- ABI 1.1 and later add functions here, never above -- */
} cd_host_api_t;

/* ---- the connector descriptor ------------------------------------------------
 * Defined const by the plugin; the worker copies it into a zeroed struct of
 * its own size, so fields added in later minors read as NULL/0. */

typedef struct cd_plugin_desc {
    uint32_t struct_size; /* sizeof(cd_plugin_desc_t) when the plugin was built */
    uint16_t abi_major, abi_minor;
    const char *name;        /* unique, e.g. "FileStreamSource" */
    const char *version;     /* the connector's own version, e.g. "1.0.0"; NULL shows as "" */
    const char *description; /* one sentence */
    cd_kind_t kind;
    /* Other names the connector answers to in connector.class, e.g. Kafka's
     * "org.apache.kafka.connect.file.FileStreamSourceConnector";
     * NULL-terminated, or NULL. */
    const char *const *aliases;
    const cd_config_def_t *config; /* the settings; may be NULL (none) */

    /* Connector level.  `conn` carries the connector's config. */
    /* Checks a config beyond what the table can say; optional. */
    cd_rc_t (*validate)(cd_task_t *conn, char *errbuf, size_t errlen);
    /* Splits the work into at most max_tasks task configs with
     * host->task_config_add/set.  Optional: NULL means one task with the
     * connector's config. */
    cd_rc_t (*task_configs)(cd_task_t *conn, int max_tasks);

    /* Task level.  `state` is the plugin's, made in start, freed in stop. */
    cd_rc_t (*start)(cd_task_t *task, void **state);
    /* Source: fills out[0..cap) with up to cap new records (host->record_new)
     * and sets *n.  Returns within about timeout_ms when there is nothing;
     * *n = 0 is fine.  Records in out go to the host on CD_OK; on an error
     * the plugin frees what it made. */
    cd_rc_t (*poll)(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms);
    /* Source, optional: the offsets of every record polled so far are
     * committed (the broker has the records). */
    cd_rc_t (*commit)(cd_task_t *task, void *state);
    /* Sink: writes recs[0..n) (borrowed for the call; copy what you keep). */
    cd_rc_t (*put)(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n);
    /* Sink: makes everything put so far durable; the worker commits the
     * consumed offsets only after CD_OK. */
    cd_rc_t (*flush)(cd_task_t *task, void *state);
    /* Optional, any thread: interrupts a blocking poll()/put() so the task
     * can stop; must only interrupt, never free. */
    void (*wakeup)(cd_task_t *task, void *state);
    /* Frees state and everything the task holds; always called after a
     * successful start. */
    void (*stop)(cd_task_t *task, void *state);

    /* ---- ABI 1.1: transforms and predicates.  One instance per link of a
     * task's chain: start() makes its state (config_get reads the link's
     * settings with the "transforms.<alias>." prefix removed, defaults
     * from `config` applied; connector_name and task_id say whose chain it
     * is), stop() frees it.  validate, task_configs, poll, commit, put,
     * flush and wakeup are not used. */

    /* Transform (required for CD_KIND_TRANSFORM): `rec` is the host's,
     * borrowed for the call.  Set *out to the record to pass on: `rec`
     * itself, changed in place with the record_set_* functions or not; a
     * new record from host->record_new (the host then frees `rec`); or NULL
     * to drop the record.  On an error (set_error says why; *out is
     * ignored, a new record made is the plugin's to free) the connector's
     * errors.tolerance decides whether the task fails. */
    cd_rc_t (*transform)(cd_task_t *ctx, void *state, cd_record_t *rec, cd_record_t **out);
    /* Predicate (required for CD_KIND_PREDICATE): sets *matches.  `rec`
     * is borrowed for the call.  An error counts as a transform error of
     * the link the predicate guards. */
    cd_rc_t (*test)(cd_task_t *ctx, void *state, const cd_record_t *rec, bool *matches);

    /* ---- ABI 1.2: offsets a user changes (KIP-875), Kafka's alterOffsets. */

    /* Source and sink connectors, optional: checks the offsets a user is
     * about to write with PATCH /connectors/{name}/offsets, or to clear
     * with DELETE, before the worker writes any of them, so that offsets
     * the connector could not resume from are refused instead of stored.
     * A connector that keeps offsets in its outside system also changes
     * them there.  NULL accepts any offsets (Kafka's default).
     *
     * `conn` carries the connector's config (config_get, with
     * ${provider:...} references resolved); borrowed for the call.
     * `offsets` is borrowed for the call: a MAP from each partition to its
     * new offset, both in the shape GET /connectors/{name}/offsets shows
     * (a source's own maps, JSON numbers as INT64; a sink's
     * {"kafka_topic": STRING, "kafka_partition": INT32} ->
     * {"kafka_offset": INT64}).  An offset that is a NULL value resets its
     * partition; a DELETE passes every partition with an offset, each
     * with NULL (the map is empty when there is none).
     *
     * Returns CD_OK to accept.  CD_CONFIG refuses the offsets: the request
     * answers 400 with errbuf (or set_error's text), written as a sentence
     * that says what the connector expects.  Any other error means the
     * change could not be made now (the outside system is down): 500 with
     * the message.  Either way nothing is written.
     *
     * Called on a REST thread, only while the connector is STOPPED (no
     * task runs) and before start(); the worker holds the connector for
     * the call, so keep it short.  A retried request calls it again with
     * the same offsets: it must be idempotent. */
    cd_rc_t (*alter_offsets)(cd_task_t *conn, const cd_value_t *offsets, char *errbuf, size_t errlen);

    /* -- ABI 1.3 and later add fields here, never above -- */
} cd_plugin_desc_t;

/* The first fields of every descriptor, as the plugin's header had them. */
#define CD_PLUGIN_DESC_HEADER .struct_size = sizeof(cd_plugin_desc_t), .abi_major = CD_ABI_MAJOR, \
                              .abi_minor = CD_ABI_MINOR

/*
 * The entry point every plugin exports (CD_EXPORT, the only exported
 * symbol).  Keep `host` for later calls.  Returns the plugin's connectors,
 * a NULL-terminated array that stays valid while the plugin is loaded
 * (connectd never unloads a plugin), or NULL after logging why it cannot
 * work here.
 */
CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host);

#define CD_PLUGIN_ENTRY_SYMBOL "cd_plugin_entry"

/* Whether the host's table has `fn` (e.g. CD_HOST_HAS(host, metric_set)):
 * a plugin built against a newer minor checks before calling a function
 * an older worker does not have. */
#define CD_HOST_HAS(host, fn) ((host)->struct_size >= offsetof(cd_host_api_t, fn) + sizeof((host)->fn))

#ifdef __cplusplus
}
#endif

#endif
