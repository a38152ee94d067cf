/*
 * connect_records.h - the records of Kafka Connect's config and status
 * topics, as Kafka's KafkaConfigBackingStore and KafkaStatusBackingStore
 * write them: keys are plain strings, values the JSON that Kafka's
 * internal JsonConverter (schemas.enable=false) makes of their Structs,
 * fields in schema order, compact.  One module builds and reads them for
 * standalone and distributed workers alike, so a connectd worker and a
 * Kafka Connect worker can read each other's topics.
 *
 * Pure functions, no I/O; any thread.
 */
#ifndef CONNECTD_CONNECT_RECORDS_H
#define CONNECTD_CONNECT_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "properties.h"

/* What a key names. */
typedef enum connect_record_kind {
    CONNECT_RECORD_UNKNOWN,          /* none of Kafka's keys */
    CONNECT_RECORD_CONNECTOR,        /* connector-<name>: {"properties":{...}} */
    CONNECT_RECORD_TASK,             /* task-<name>-<n>: {"properties":{...}} */
    CONNECT_RECORD_COMMIT,           /* commit-<name>: {"tasks":N} */
    CONNECT_RECORD_TARGET_STATE,     /* target-state-<name>: {"state":...,"state.v2":...} */
    CONNECT_RECORD_SESSION_KEY,      /* session-key: {"key":...,"algorithm":...,"creation-timestamp":...} */
    CONNECT_RECORD_RESTART,          /* restart-connector-<name>: {"include-tasks":b,"only-failed":b} */
    CONNECT_RECORD_TASK_COUNT,       /* tasks-fencing-<name>: {"task-count":N} */
    CONNECT_RECORD_LOGGER,           /* logger-cluster-<namespace>: {"level":...} */
    CONNECT_RECORD_STATUS_CONNECTOR, /* status-connector-<name> (status topic) */
    CONNECT_RECORD_STATUS_TASK,      /* status-task-<name>-<n> (status topic) */
} connect_record_kind_t;

/* A key taken apart.  `name` is the connector (or the logger namespace),
 * malloc'd (free with connect_record_key_clear), NULL for session-key and
 * unknown keys; `task` the task number of task and status-task keys, else -1. */
typedef struct connect_record_key {
    connect_record_kind_t kind;
    char *name;
    int task;
} connect_record_key_t;

/* Parses `key` (`len` bytes, not NUL-terminated).  A task key whose number
 * is not a number is CONNECT_RECORD_UNKNOWN, as Kafka logs and skips it;
 * so is a key holding a NUL byte, whose name a C string cannot hold.
 * The connector name of a task key ends at its last '-', as Kafka's
 * parseTaskId splits it. */
void connect_record_key_parse(const char *key, size_t len, connect_record_key_t *out);
void connect_record_key_clear(connect_record_key_t *key);

/* The key of `kind` for connector `name` (task `task` where it has one),
 * malloc'd. */
char *connect_record_key(connect_record_kind_t kind, const char *name, int task);

/* Values.  The builders return malloc'd compact JSON (caller frees); the
 * readers take `value` (`len` bytes, borrowed) and return -1 (or NULL)
 * with errstr when it is not the record Kafka writes. */

/* connector-<name> and task-<name>-<n>. */
char *connect_record_config(const properties_t *config);
properties_t *connect_record_config_read(const char *value, size_t len, char *errstr, size_t errstr_size);

/* commit-<name>: how many task configs of the connector the preceding
 * task records hold. */
char *connect_record_commit(int tasks);
int connect_record_commit_read(const char *value, size_t len, int *tasks, char *errstr, size_t errstr_size);

typedef enum connect_target_state {
    CONNECT_TARGET_STARTED,
    CONNECT_TARGET_PAUSED,
    CONNECT_TARGET_STOPPED,
} connect_target_state_t;

/* target-state-<name>.  Kafka writes "state" PAUSED for STOPPED, so that
 * workers older than STOPPED (which read only "state") do not start the
 * connector, and the real state in "state.v2"; a reader prefers state.v2. */
char *connect_record_target_state(connect_target_state_t state);
int connect_record_target_state_read(const char *value, size_t len, connect_target_state_t *state, char *errstr,
                                     size_t errstr_size);

/* session-key: the key that signs internal requests in the sessioned
 * protocol, base64 in the record. */
typedef struct connect_session_key {
    unsigned char *key; /* malloc'd */
    size_t key_len;
    char *algorithm;     /* malloc'd, e.g. "HmacSHA256" */
    int64_t creation_ms; /* creation-timestamp */
} connect_session_key_t;
char *connect_record_session_key(const connect_session_key_t *sk);
int connect_record_session_key_read(const char *value, size_t len, connect_session_key_t *sk, char *errstr,
                                    size_t errstr_size);
void connect_session_key_clear(connect_session_key_t *sk);

/* restart-connector-<name>.  Kafka reads a missing or mistyped field as
 * false; so does this. */
char *connect_record_restart(bool include_tasks, bool only_failed);
int connect_record_restart_read(const char *value, size_t len, bool *include_tasks, bool *only_failed, char *errstr,
                                size_t errstr_size);

/* status-connector-<name> and status-task-<name>-<n>: {"state","trace"
 * (null when none),"worker_id","generation"}. */
typedef struct connect_status {
    char *state;     /* malloc'd: RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, RESTARTING, DESTROYED */
    char *trace;     /* malloc'd or NULL */
    char *worker_id; /* malloc'd */
    int32_t generation;
} connect_status_t;
char *connect_record_status(const char *state, const char *trace, const char *worker_id, int32_t generation);
int connect_record_status_read(const char *value, size_t len, connect_status_t *st, char *errstr, size_t errstr_size);
void connect_status_clear(connect_status_t *st);

#endif
