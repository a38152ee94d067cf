/*
 * herder.h - the worker's connectors and their tasks (DESIGN §5): create,
 * validate, start, stop, delete, and what REST shows of them.
 *
 * Standalone is a one-worker cluster.  Connector configs and target
 * states are written to the config topic (config.storage.topic) in Kafka
 * Connect's record format -- "connector-<name>" -> {"properties":{...}},
 * "target-state-<name>" -> {"state":"STARTED","state.v2":"STARTED"}, a
 * tombstone for both on delete -- and read back at start-up, so a
 * connector created over REST survives a restart (Kafka's standalone mode
 * keeps them in memory only).  Statuses go to the status topic
 * (status.storage.topic) as Kafka writes them: "status-connector-<name>" and
 * "status-task-<name>-<n>" -> {"state","trace","worker_id","generation"},
 * tombstones when a connector is deleted.
 *
 * Thread-safe: the main thread and REST threads call in, never a task's
 * own thread (a thread holding the herder's lock may be waiting for that
 * task to stop).  herder_internal.h lists the locks, what each guards and
 * their order; each function says which threads may call it (@locality)
 * and which locks it takes or needs held (@locks).
 */
#ifndef CONNECTD_HERDER_H
#define CONNECTD_HERDER_H

#include "store/kvtopic.h"
#include "store/offset_store.h"
#include "plugin/plugin_loader.h"
#include "properties.h"
#include "config/worker_config.h"

typedef struct herder herder_t;

/* The longest connector name: it is part of internal topic keys and of
 * REST paths. */
#define HERDER_NAME_MAX 255

/* What the user asked a connector to be (Kafka's target states). */
typedef enum herder_target {
    HERDER_STARTED,
    HERDER_PAUSED,  /* tasks run but do not poll or consume */
    HERDER_STOPPED, /* no tasks at all; the config stays */
} herder_target_t;

/* What a herder call came to.  Success is >= 0, failure < 0; the REST
 * layer decides what each means on the wire (rest_http_status). */
typedef enum herder_result {
    HERDER_OK = 0,             /* done */
    HERDER_CREATED = 1,        /* done, and the connector is new */
    HERDER_ACCEPTED = 2,       /* scheduled: part of it happens after the call returns (topics reset) */
    HERDER_DELETED = 3,        /* done, and nothing is left to show */
    HERDER_ERR_INVALID = -1,   /* the request or config is wrong, or the connector's state (offsets of
                                * a connector not STOPPED, as Kafka has it): the message says what to fix */
    HERDER_ERR_FORBIDDEN = -2, /* not allowed by the worker's config (topic tracking off) */
    HERDER_ERR_NOT_FOUND = -3, /* no such connector, task or plugin */
    HERDER_ERR_CONFLICT = -4,  /* the connector exists already */
    HERDER_ERR_INTERNAL = -5,  /* the worker's own failure (storage), not the client's */
} herder_result_t;

/* The enumerator's name without "HERDER_" ("ERR_NOT_FOUND"), for logs and
 * tests; "UNKNOWN" for a value that is none of them.
 * @locality any thread
 * @locks none */
const char *herder_result_name(herder_result_t res);

/* `configs` and `statuses` (each may be NULL: nothing persists) are taken.
 * Starts the restart supervisor's thread.
 * @locality main thread
 * @locks none */
herder_t *herder_create(const worker_config_t *wcfg, const char *bootstrap, const plugin_registry_t *plugins,
                        offset_store_t *offsets, kvtopic_t *configs, kvtopic_t *statuses, const char *worker_id);

/* A connector config the operator gave at start-up (standalone's command
 * line), which wins over the one stored under its name. */
typedef struct herder_given {
    const char *source;         /* where it was read from, for the log: "conf/a.properties" */
    const properties_t *config; /* with "name"; borrowed for the call */
} herder_given_t;

/* Starts the connectors this worker stored in the config topic (those of
 * other workers sharing the topic are left alone: herder.c, "the records
 * of one worker").  A stored connector that no longer starts (plugin gone,
 * bad config) is FAILED, not fatal.  -1 with errstr, and nothing started,
 * when another running worker on this host has the same worker.id.
 *
 * A stored connector that one of `given` (n_given of them) names starts
 * with the given config when the two differ, in its stored target state,
 * and the given config is stored: edited since it was saved, the file is
 * what the operator wants run, and the stored one never runs, not even
 * for the moment it would take to replace it.  A given config that is
 * invalid starts nothing under that name; the caller, which creates every
 * given connector after this (herder_put_connector), reports why.
 * @locality main thread, before the REST server starts (it reads both
 *           topics without their locks)
 * @locks takes topics_lock, then write_lock and h->lock once per connector */
int herder_restore(herder_t *h, const herder_given_t *given, int n_given, char *errstr, size_t errstr_size);

/* Stops every task (flushing and committing) and frees.  Every task is
 * asked at once and waited for against one deadline,
 * task.shutdown.graceful.timeout.ms away; those still running then are
 * abandoned (task_runner.h), and herder_abandoned_tasks counts them.
 * NULL is fine.
 * @locality main thread, after the REST server has stopped
 * @locks takes h->lock to stop the supervisor, then none: nothing else
 *        calls in any more */
void herder_destroy(herder_t *h);

/* How many tasks were abandoned (they did not stop within
 * task.shutdown.graceful.timeout.ms) and still run, with their names
 * ("connector-N", comma-separated) in `names` (may be NULL).  Worker-wide.
 * @locality any thread
 * @locks none of the herder's */
int herder_abandoned_tasks(char *names, size_t names_size);

/*
 * Creates connector `name` with `config` (its "name" key, if any, must
 * match), or with `update` replaces the config of an existing one
 * (restarting it, unless the config is the same).  CREATED / OK,
 * ERR_CONFLICT (exists and not update), ERR_INVALID with errstr saying
 * what to fix, ERR_INTERNAL (config topic write).
 * @locality any thread but a task's (REST; the main thread for the
 *           connector files of the command line)
 * @locks takes write_lock, then h->lock (released while the old tasks stop)
 */
herder_result_t herder_put_connector(herder_t *h, const char *name, const properties_t *config, bool update,
                                     char *errstr, size_t errstr_size);

/* POST /connectors with initial_state: a new connector (ERR_CONFLICT if it
 * exists) that starts in target state `initial` (STOPPED: no task ever
 * runs).  Results as herder_put_connector.
 * @locality any thread but a task's
 * @locks takes write_lock, then h->lock */
herder_result_t herder_create_connector(herder_t *h, const char *name, const properties_t *config,
                                        herder_target_t initial, char *errstr, size_t errstr_size);

/* PATCH /connectors/{c}/config (KIP-477): the stored config with the keys
 * of `set` set and the keys of `removed` (values ignored) removed, then as
 * an update by herder_put_connector.  ERR_NOT_FOUND for an unknown connector.
 * @locality any thread but a task's
 * @locks takes write_lock, then h->lock (twice: to read, to replace) */
herder_result_t herder_patch_connector(herder_t *h, const char *name, const properties_t *set,
                                       const properties_t *removed, char *errstr, size_t errstr_size);

/* DELETED or ERR_NOT_FOUND (or ERR_INTERNAL when the tombstone cannot be written).
 * @locality any thread but a task's
 * @locks takes write_lock, then h->lock (released while the tasks stop) */
herder_result_t herder_delete_connector(herder_t *h, const char *name, char *errstr, size_t errstr_size);

/* PUT /connectors/{c}/pause, resume, stop: sets and stores the target
 * state and applies it (resume from STOPPED starts the tasks again).  OK or
 * ERR_NOT_FOUND (ERR_INTERNAL if the config topic cannot be written).
 * @locality any thread but a task's
 * @locks takes write_lock, then h->lock (released while the tasks stop) */
herder_result_t herder_set_target(herder_t *h, const char *name, herder_target_t target, char *errstr,
                                  size_t errstr_size);

/* POST /connectors/{c}/restart (KIP-745): the connector (when failed, or
 * always unless only_failed) and with include_tasks its tasks (the failed
 * ones with only_failed).  OK or ERR_NOT_FOUND.  With `plan`, *plan is the
 * status as it was, every instance about to restart RESTARTING (malloc'd).
 * @locality any thread but a task's
 * @locks takes write_lock, then h->lock (released while the tasks stop) */
herder_result_t herder_restart_connector(herder_t *h, const char *name, bool include_tasks, bool only_failed,
                                         char **plan);
/* POST /connectors/{c}/tasks/{t}/restart.  OK or ERR_NOT_FOUND.
 * @locality any thread but a task's
 * @locks takes write_lock, then h->lock (released while the task stops) */
herder_result_t herder_restart_task(herder_t *h, const char *name, int task_id);

/* JSON documents for REST, malloc'd; those of one connector are NULL with
 * *result = ERR_NOT_FOUND when it does not exist. */
/* GET /connectors: ["<c>", ...].
 * @locality any thread but a task's
 * @locks takes h->lock */
char *herder_json_connector_names(herder_t *h);
/* GET /connectors/{c}: Kafka's ConnectorInfo.
 * @locality any thread but a task's
 * @locks takes h->lock */
char *herder_json_connector_info(herder_t *h, const char *name, herder_result_t *result);
/* GET /connectors/{c}/status: Kafka's ConnectorStateInfo.
 * @locality any thread but a task's
 * @locks takes h->lock, then each task's lock */
char *herder_json_connector_status(herder_t *h, const char *name, herder_result_t *result);
/* GET /connectors/{c}/config: the "config" member of the info document.
 * @locality any thread but a task's
 * @locks takes h->lock */
char *herder_json_connector_config(herder_t *h, const char *name, herder_result_t *result);
/* GET /connector-plugins: [{"class","type","version"}], connectors only
 * or every plugin (converters, ...).
 * @locality any thread
 * @locks takes the plugin catalog's lock (a leaf) */
char *herder_json_plugins(herder_t *h, bool connectors_only);
/* GET /connectors?expand=status&expand=info: {name: {"status":..., "info":...}}.
 * @locality any thread but a task's
 * @locks takes h->lock, then each task's lock */
char *herder_json_connectors_expanded(herder_t *h, bool status, bool info);
/* GET /connectors/{c}/tasks: [{"id":{"connector","task"},"config":{...}}].
 * @locality any thread but a task's
 * @locks takes h->lock */
char *herder_json_tasks(herder_t *h, const char *name, herder_result_t *result);
/* GET /connectors/{c}/tasks-config (deprecated in Kafka, still used by
 * tools): {"<c>-<t>": {task config}}.
 * @locality any thread but a task's
 * @locks takes h->lock */
char *herder_json_tasks_config(herder_t *h, const char *name, herder_result_t *result);
/* GET /connectors/{c}/tasks/{t}/status.
 * @locality any thread but a task's
 * @locks takes h->lock, then the task's lock */
char *herder_json_task_status(herder_t *h, const char *name, int task_id, herder_result_t *result);
/* GET /connector-plugins/{p}/config: Kafka's ConfigKeyInfo list of a
 * connector's settings followed by the framework's, or of a converter's;
 * ERR_NOT_FOUND for an unknown plugin.
 * @locality any thread
 * @locks takes the plugin catalog's lock (a leaf) */
char *herder_json_plugin_config(herder_t *h, const char *plugin, herder_result_t *result);
/* PUT /connector-plugins/{p}/config/validate: Kafka's ConfigInfos for the
 * settings in `body` (a JSON object), OK even when they have errors;
 * ERR_INVALID or ERR_NOT_FOUND (unknown plugin) with errstr.
 * @locality any thread (runs the plugin's validate())
 * @locks takes the plugin catalog's lock (a leaf) */
struct json_t;
char *herder_json_plugin_validate(herder_t *h, const char *plugin, const struct json_t *body, herder_result_t *result,
                                  char *errstr, size_t errstr_size);

/* GET /connectors/{c}/topics (KIP-558): {"<c>":{"topics":[sorted names]}};
 * NULL with *result ERR_NOT_FOUND, or ERR_FORBIDDEN when
 * topic.tracking.enable is false, and errstr set.
 * @locality any thread but a task's
 * @locks takes h->lock, releases it, then takes topics_lock */
char *herder_json_topics(herder_t *h, const char *name, herder_result_t *result, char *errstr, size_t errstr_size);
/* PUT /connectors/{c}/topics/reset: forgets the connector's active topics.
 * ACCEPTED (the tasks report topics anew as they use them), ERR_NOT_FOUND or
 * ERR_FORBIDDEN (tracking or its reset disabled).
 * @locality any thread but a task's
 * @locks takes h->lock, and under it topics_lock, then status_lock */
herder_result_t herder_topics_reset(herder_t *h, const char *name, char *errstr, size_t errstr_size);

/* How many connectors exist (for the start-up log).
 * @locality any thread but a task's
 * @locks takes h->lock */
int herder_connector_count(herder_t *h);
/* Whether connector `name` exists.
 * @locality any thread but a task's
 * @locks takes h->lock */
bool herder_has_connector(herder_t *h, const char *name);

/* ---- offsets (KIP-875; herder_offsets.c) ---------------------------------------- */

struct json_t;

/* GET /connectors/{c}/offsets, in any state:
 * {"offsets":[{"partition":{...},"offset":{...}}]} (malloc'd), or NULL with
 * *result ERR_NOT_FOUND or ERR_INTERNAL (the group cannot be read) and
 * errstr set.
 * @locality any thread but a task's
 * @locks takes h->lock to find the connector; reads a sink's group without it */
char *herder_offsets_get(herder_t *h, const char *name, herder_result_t *result, char *errstr, size_t errstr_size);

/* PATCH: writes `offsets` (borrowed: the request's non-empty "offsets"
 * array, each entry an object whose "partition" and "offset" are objects or
 * null, as rest_offsets.c checked) durably; a null offset resets that
 * partition.  OK, ERR_NOT_FOUND, ERR_INVALID (not STOPPED, or an entry that
 * does not fit the connector's type), ERR_INTERNAL (storage), errstr set.
 * @locality any thread but a task's
 * @locks takes h->lock (held while the offsets are written, the broker's
 *        answers included) */
herder_result_t herder_offsets_alter(herder_t *h, const char *name, const struct json_t *offsets, char *errstr,
                                     size_t errstr_size);

/* DELETE: resets every partition (a sink's consumer group is deleted).
 * Results as herder_offsets_alter.
 * @locality any thread but a task's
 * @locks takes h->lock (as herder_offsets_alter) */
herder_result_t herder_offsets_reset(herder_t *h, const char *name, char *errstr, size_t errstr_size);

#endif
