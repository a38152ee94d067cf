/*
 * connect_records.c - Kafka Connect's config and status topic records.
 *
 * Kafka keys the records with ad hoc strings (KafkaConfigBackingStore:
 * "so that keys remain precisely the same" across converter changes) and
 * writes the values as Structs through its internal JsonConverter with
 * schemas.enable=false, which gives compact JSON with the fields in schema
 * order and a null for an optional field that is not set.  Jackson and
 * jansson's compact output agree byte for byte on everything these records
 * hold (no spaces, '/' and non-ASCII unescaped, \b \f \n \r \t and \u00XX
 * for other control characters), so building the same fields in the same
 * order gives Kafka's bytes.  The one exception is the order of the
 * "properties" map, which Kafka takes from a HashMap: any order is read.
 *
 *     connector-local-file-source  {"properties":{"connector.class":"FileStreamSource","tasks.max":"1"}}
 *     task-local-file-source-0     {"properties":{"connector.class":"FileStreamSource","file":"in.txt"}}
 *     commit-local-file-source     {"tasks":1}
 *     target-state-local-file-source  {"state":"PAUSED","state.v2":"STOPPED"}
 *     session-key                  {"key":"SGVsbG8=","algorithm":"HmacSHA256","creation-timestamp":1700000000000}
 *     restart-connector-local-file-source  {"include-tasks":true,"only-failed":false}
 *     status-task-local-file-source-0  {"state":"RUNNING","trace":null,"worker_id":"10.0.0.1:8083","generation":3}
 *
 * Reading follows KafkaConfigBackingStore's checks: the value must be a
 * JSON object, "properties" an object, "tasks" an integer, a target state
 * one Kafka knows; anything else is refused (Kafka logs and skips it).
 */
#include "connect_records.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base64.h"
#include "config/config_json.h"
#include "xalloc.h"

/* Key prefixes, longest first where one is a prefix of another
 * ("status-" keys are the status topic's, never the config topic's). */
static const struct {
    const char *prefix;
    connect_record_kind_t kind;
} key_prefixes[] = {
    {"connector-", CONNECT_RECORD_CONNECTOR},
    {"tasks-fencing-", CONNECT_RECORD_TASK_COUNT},
    {"task-", CONNECT_RECORD_TASK},
    {"commit-", CONNECT_RECORD_COMMIT},
    {"target-state-", CONNECT_RECORD_TARGET_STATE},
    {"restart-connector-", CONNECT_RECORD_RESTART},
    {"logger-cluster-", CONNECT_RECORD_LOGGER},
    {"status-connector-", CONNECT_RECORD_STATUS_CONNECTOR},
    {"status-task-", CONNECT_RECORD_STATUS_TASK},
};

static const char *key_prefix(connect_record_kind_t kind)
{
    for (size_t i = 0; i < sizeof(key_prefixes) / sizeof(key_prefixes[0]); i++) {
        if (key_prefixes[i].kind == kind) {
            return key_prefixes[i].prefix;
        }
    }
    return NULL;
}

void connect_record_key_parse(const char *key, size_t len, connect_record_key_t *out)
{
    *out = (connect_record_key_t){.kind = CONNECT_RECORD_UNKNOWN, .task = -1};
    /* The name is kept as a C string: a key holding a NUL would read as the
     * shorter key before it ("connector-a\0b" as connector a, "task-s-1\0x"
     * as task 1), so a record of another key would act on that one. */
    if (memchr(key, '\0', len)) {
        return;
    }
    if (len == strlen("session-key") && memcmp(key, "session-key", len) == 0) {
        out->kind = CONNECT_RECORD_SESSION_KEY;
        return;
    }
    for (size_t i = 0; i < sizeof(key_prefixes) / sizeof(key_prefixes[0]); i++) {
        size_t plen = strlen(key_prefixes[i].prefix);
        if (len <= plen || memcmp(key, key_prefixes[i].prefix, plen) != 0) {
            continue;
        }
        const char *rest = key + plen;
        size_t rest_len = len - plen;
        connect_record_kind_t kind = key_prefixes[i].kind;
        if (kind == CONNECT_RECORD_TASK || kind == CONNECT_RECORD_STATUS_TASK) {
            /* <connector>-<n>, split at the last '-'. */
            const char *dash = NULL;
            for (size_t j = rest_len; j > 0; j--) {
                if (rest[j - 1] == '-') {
                    dash = rest + j - 1;
                    break;
                }
            }
            if (!dash || dash == rest || dash + 1 == rest + rest_len) {
                return;
            }
            char num[16];
            size_t num_len = (size_t)(rest + rest_len - dash - 1);
            if (num_len >= sizeof(num)) {
                return;
            }
            memcpy(num, dash + 1, num_len);
            num[num_len] = '\0';
            char *end;
            errno = 0;
            long task = strtol(num, &end, 10);
            if (*end != '\0' || errno != 0 || task < 0 || task > INT32_MAX || num[0] == '+' || num[0] == '-' ||
                num[0] == ' ') {
                return;
            }
            out->task = (int)task;
            rest_len = (size_t)(dash - rest);
        }
        out->kind = kind;
        out->name = xstrndup(rest, rest_len);
        return;
    }
}

void connect_record_key_clear(connect_record_key_t *key)
{
    free(key->name);
    key->name = NULL;
}

char *connect_record_key(connect_record_kind_t kind, const char *name, int task)
{
    if (kind == CONNECT_RECORD_SESSION_KEY) {
        return xstrdup("session-key");
    }
    const char *prefix = key_prefix(kind);
    assert(prefix); /* CONNECT_RECORD_UNKNOWN names no key */
    size_t size = strlen(prefix) + strlen(name) + 16;
    char *key = xmalloc(size);
    if (kind == CONNECT_RECORD_TASK || kind == CONNECT_RECORD_STATUS_TASK) {
        snprintf(key, size, "%s%s-%d", prefix, name, task);
    } else {
        snprintf(key, size, "%s%s", prefix, name);
    }
    return key;
}

/* ---- values ----------------------------------------------------------------------- */

/* Dumps and frees `doc`. */
static char *dump(json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text) {
        abort(); /* jansson fails only when out of memory */
    }
    return text;
}

/* The value as a JSON object, or NULL with errstr. */
static json_t *load_object(const char *value, size_t len, const char *what, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *doc = json_loadb(value, len, 0, &jerr);
    if (!doc) {
        snprintf(errstr, errstr_size, "%s record is not JSON: %s", what, jerr.text);
        return NULL;
    }
    if (!json_is_object(doc)) {
        snprintf(errstr, errstr_size, "%s record is not a JSON object", what);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

char *connect_record_config(const properties_t *config)
{
    return dump(json_pack("{so}", "properties", config_to_json(config)));
}

properties_t *connect_record_config_read(const char *value, size_t len, char *errstr, size_t errstr_size)
{
    json_t *doc = load_object(value, len, "config", errstr, errstr_size);
    if (!doc) {
        return NULL;
    }
    json_t *props = json_object_get(doc, "properties");
    properties_t *config = NULL;
    if (!json_is_object(props)) {
        snprintf(errstr, errstr_size, "config record has no \"properties\" object");
    } else {
        config = config_from_json(props, errstr, errstr_size);
    }
    json_decref(doc);
    return config;
}

char *connect_record_commit(int tasks)
{
    return dump(json_pack("{si}", "tasks", tasks));
}

int connect_record_commit_read(const char *value, size_t len, int *tasks, char *errstr, size_t errstr_size)
{
    json_t *doc = load_object(value, len, "commit", errstr, errstr_size);
    if (!doc) {
        return -1;
    }
    json_t *n = json_object_get(doc, "tasks");
    int rc = -1;
    if (!json_is_integer(n) || json_integer_value(n) < 0 || json_integer_value(n) > INT32_MAX) {
        snprintf(errstr, errstr_size, "commit record's \"tasks\" is not a task count");
    } else {
        *tasks = (int)json_integer_value(n);
        rc = 0;
    }
    json_decref(doc);
    return rc;
}

static const char *const target_names[] = {"STARTED", "PAUSED", "STOPPED"}; /* connect_target_state_t */

char *connect_record_target_state(connect_target_state_t state)
{
    const char *v1 = state == CONNECT_TARGET_STOPPED ? "PAUSED" : target_names[state];
    return dump(json_pack("{ssss}", "state", v1, "state.v2", target_names[state]));
}

int connect_record_target_state_read(const char *value, size_t len, connect_target_state_t *state, char *errstr,
                                     size_t errstr_size)
{
    json_t *doc = load_object(value, len, "target state", errstr, errstr_size);
    if (!doc) {
        return -1;
    }
    const char *name = json_string_value(json_object_get(doc, "state.v2"));
    if (!name) {
        name = json_string_value(json_object_get(doc, "state"));
    }
    int rc = -1;
    for (int i = 0; name && i < 3; i++) {
        if (strcmp(name, target_names[i]) == 0) {
            *state = (connect_target_state_t)i;
            rc = 0;
        }
    }
    if (rc < 0) {
        snprintf(errstr, errstr_size, "target state record names no state Kafka knows (STARTED, PAUSED, STOPPED)");
    }
    json_decref(doc);
    return rc;
}

char *connect_record_session_key(const connect_session_key_t *sk)
{
    char *b64 = xmalloc(base64_encoded_len(sk->key_len) + 1);
    base64_encode(sk->key, sk->key_len, b64);
    char *text = dump(json_pack("{sssssI}", "key", b64, "algorithm", sk->algorithm, "creation-timestamp",
                                (json_int_t)sk->creation_ms));
    free(b64);
    return text;
}

int connect_record_session_key_read(const char *value, size_t len, connect_session_key_t *sk, char *errstr,
                                    size_t errstr_size)
{
    *sk = (connect_session_key_t){0};
    json_t *doc = load_object(value, len, "session key", errstr, errstr_size);
    if (!doc) {
        return -1;
    }
    const char *b64 = json_string_value(json_object_get(doc, "key"));
    const char *algorithm = json_string_value(json_object_get(doc, "algorithm"));
    json_t *ts = json_object_get(doc, "creation-timestamp");
    int rc = -1;
    if (!b64 || !algorithm || !json_is_integer(ts)) {
        snprintf(errstr, errstr_size, "session key record needs \"key\", \"algorithm\" and \"creation-timestamp\"");
    } else {
        size_t b64_len = strlen(b64);
        unsigned char *key = xmalloc(b64_len / 4 * 3 + 1);
        long n = base64_decode(b64, b64_len, key);
        if (n < 0) {
            snprintf(errstr, errstr_size, "session key record's \"key\" is not base64");
            free(key);
        } else {
            sk->key = key;
            sk->key_len = (size_t)n;
            sk->algorithm = xstrdup(algorithm);
            sk->creation_ms = json_integer_value(ts);
            rc = 0;
        }
    }
    json_decref(doc);
    return rc;
}

void connect_session_key_clear(connect_session_key_t *sk)
{
    free(sk->key);
    free(sk->algorithm);
    *sk = (connect_session_key_t){0};
}

char *connect_record_restart(bool include_tasks, bool only_failed)
{
    return dump(json_pack("{sbsb}", "include-tasks", include_tasks, "only-failed", only_failed));
}

int connect_record_restart_read(const char *value, size_t len, bool *include_tasks, bool *only_failed, char *errstr,
                                size_t errstr_size)
{
    json_t *doc = load_object(value, len, "restart request", errstr, errstr_size);
    if (!doc) {
        return -1;
    }
    *include_tasks = json_is_true(json_object_get(doc, "include-tasks"));
    *only_failed = json_is_true(json_object_get(doc, "only-failed"));
    json_decref(doc);
    return 0;
}

char *connect_record_status(const char *state, const char *trace, const char *worker_id, int32_t generation)
{
    return dump(json_pack("{sssosssi}", "state", state, "trace", trace ? json_string(trace) : json_null(), "worker_id",
                          worker_id, "generation", (int)generation));
}

int connect_record_status_read(const char *value, size_t len, connect_status_t *st, char *errstr, size_t errstr_size)
{
    *st = (connect_status_t){0};
    json_t *doc = load_object(value, len, "status", errstr, errstr_size);
    if (!doc) {
        return -1;
    }
    const char *state = json_string_value(json_object_get(doc, "state"));
    json_t *trace = json_object_get(doc, "trace");
    const char *worker_id = json_string_value(json_object_get(doc, "worker_id"));
    json_t *generation = json_object_get(doc, "generation");
    int rc = -1;
    if (!state || !worker_id || !json_is_integer(generation) ||
        (trace && !json_is_null(trace) && !json_is_string(trace))) {
        snprintf(errstr, errstr_size,
                 "status record needs \"state\", \"worker_id\", \"generation\" and a string "
                 "or null \"trace\"");
    } else {
        st->state = xstrdup(state);
        st->trace = xstrdup(json_string_value(trace));
        st->worker_id = xstrdup(worker_id);
        st->generation = (int32_t)json_integer_value(generation);
        rc = 0;
    }
    json_decref(doc);
    return rc;
}

void connect_status_clear(connect_status_t *st)
{
    free(st->state);
    free(st->trace);
    free(st->worker_id);
    *st = (connect_status_t){0};
}
