/*
 * rest_offsets.c - /connectors/{c}/offsets (KIP-875): read a connector's
 * offsets in any state, alter (PATCH) or reset (DELETE) them while it is
 * STOPPED.  The herder does the work (herder_offsets.c); this file checks
 * the shape of a ConnectorOffsets body and answers with Kafka's messages.
 *
 * Kafka's Jackson binding answers a body of the wrong shape with a 500
 * ("Cannot deserialize value", "Unrecognized field"); a wrong body is the
 * client's mistake, so here it is a 400 saying what to fix.
 */
#include <stdio.h>
#include <string.h>

#include "rest_routes.h"

#define ENTRY_SHAPE "{\"partition\": {...}, \"offset\": {...}}"

/* Kafka's Message entity: {"message": ...}. */
static rest_result_t reply_message(rest_request_t *r, const char *message)
{
    json_t *doc = json_pack("{ss}", "message", message);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return rest_send_json(r, 200, text);
}

/* Entry i of "offsets": an object with "partition" and "offset", each an
 * object or null when present (a missing one is for the herder to name,
 * per connector type, after its 404 and STOPPED checks, as Kafka orders
 * them). */
static bool entry_check(const json_t *entry, size_t i, char *errstr, size_t errstr_size)
{
    if (!json_is_object(entry)) {
        snprintf(errstr, errstr_size, "offsets[%zu] must be an object " ENTRY_SHAPE, i);
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)entry, key, value)
    {
        if (strcmp(key, "partition") != 0 && strcmp(key, "offset") != 0) {
            snprintf(errstr, errstr_size,
                     "Unrecognized field \"%s\" in offsets[%zu]: an entry has only \"partition\" and \"offset\"", key,
                     i);
            return false;
        }
    }
    const json_t *partition = json_object_get(entry, "partition"), *offset = json_object_get(entry, "offset");
    if (partition && !json_is_object(partition) && !json_is_null(partition)) {
        snprintf(errstr, errstr_size,
                 "The partition of offsets[%zu] must be a JSON object, e.g. {\"filename\": \"test.txt\"} for a "
                 "file source or {\"kafka_topic\": \"t\", \"kafka_partition\": 0} for a sink",
                 i);
        return false;
    }
    if (offset && !json_is_object(offset) && !json_is_null(offset)) {
        snprintf(errstr, errstr_size,
                 "The offset of offsets[%zu] must be a JSON object, e.g. {\"position\": 30} or {\"kafka_offset\": 5}, "
                 "or null to reset the partition",
                 i);
        return false;
    }
    return true;
}

/* The body's "offsets" array if the body is ConnectorOffsets with at least
 * one well-formed entry, else NULL with errstr set. */
static json_t *body_offsets(json_t *doc, char *errstr, size_t errstr_size)
{
    if (!json_is_object(doc)) {
        snprintf(errstr, errstr_size, "The request body must be a JSON object {\"offsets\": [" ENTRY_SHAPE ", ...]}");
        return NULL;
    }
    const char *key;
    json_t *value;
    json_object_foreach(doc, key, value)
    {
        if (strcmp(key, "offsets") != 0) {
            snprintf(errstr, errstr_size, "Unrecognized field \"%s\" in the request body: it has only \"offsets\"",
                     key);
            return NULL;
        }
    }
    json_t *offsets = json_object_get(doc, "offsets");
    if (offsets && !json_is_array(offsets) && !json_is_null(offsets)) {
        snprintf(errstr, errstr_size, "\"offsets\" must be an array of " ENTRY_SHAPE " entries");
        return NULL;
    }
    if (json_array_size(offsets) == 0) {
        snprintf(errstr, errstr_size, "Partitions / offsets need to be provided for an alter offsets request");
        return NULL;
    }
    for (size_t i = 0; i < json_array_size(offsets); i++) {
        if (!entry_check(json_array_get(offsets, i), i, errstr, errstr_size)) {
            return NULL;
        }
    }
    return offsets;
}

rest_result_t rest_offsets_get(rest_request_t *r)
{
    herder_result_t res = HERDER_OK;
    char err[1024];
    char *json = herder_offsets_get(r->herder, r->params[0], &res, err, sizeof(err));
    return rest_reply(r, res, err, json);
}

rest_result_t rest_offsets_alter(rest_request_t *r)
{
    if (r->body_len == 0) {
        return rest_send_error(r, 400, "Partitions / offsets need to be provided for an alter offsets request");
    }
    rest_result_t ret;
    json_t *doc = rest_parse_body(r, &ret);
    if (!doc) {
        return ret;
    }
    char err[1024];
    json_t *offsets = body_offsets(doc, err, sizeof(err));
    herder_result_t res =
        offsets ? herder_offsets_alter(r->herder, r->params[0], offsets, err, sizeof(err)) : HERDER_ERR_INVALID;
    json_decref(doc);
    return res == HERDER_OK ? reply_message(r, "The offsets for this connector have been altered successfully")
                            : rest_reply(r, res, err, NULL);
}

rest_result_t rest_offsets_reset(rest_request_t *r)
{
    char err[1024];
    herder_result_t res = herder_offsets_reset(r->herder, r->params[0], err, sizeof(err));
    return res == HERDER_OK ? reply_message(r, "The offsets for this connector have been reset successfully")
                            : rest_reply(r, res, err, NULL);
}
