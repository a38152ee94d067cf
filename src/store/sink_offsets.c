/*
 * sink_offsets.c - a sink connector's consumer group offsets; see
 * sink_offsets.h.
 *
 * Resetting some partitions (offset: null) removes their committed offsets
 * with OffsetDelete (KIP-496), as Kafka's Worker does: one request, so the
 * group's other partitions are never touched.  The broker refuses it per
 * partition (GROUP_SUBSCRIBED_TO_TOPIC) while a task still consumes the
 * topic, and librdkafka's DeleteConsumerGroupOffsets needs a broker that
 * has the API (connectd's own broker has; librdkafka 2.0 to 2.x aborts the
 * process on one that does not, so a sink pointed at a Kafka older than 2.4
 * must not reset single partitions).  Resetting the whole connector
 * deletes its group (DeleteGroups), as Kafka does.
 */
#include "sink_offsets.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/client_conf.h"

/* Kafka gives these requests the REST timeout (90 s); ours answer within
 * the patience of an HTTP client. */
#define ADMIN_TIMEOUT_MS 20000

typedef struct admin {
    const sink_offsets_target_t *t;
    const char *verb; /* "alter" or "reset", for messages */
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    char group[300];
} admin_t;

void sink_offsets_group_id(const char *connector, char *buf, size_t buf_size)
{
    snprintf(buf, buf_size, "connect-%s", connector);
}

/* ---- the admin client ---------------------------------------------------------- */

static bool admin_open(admin_t *a, const sink_offsets_target_t *t, const char *verb, char *errstr,
                       size_t errstr_size)
{
    memset(a, 0, sizeof(*a));
    a->t = t;
    a->verb = verb;
    sink_offsets_group_id(t->connector, a->group, sizeof(a->group));
    rd_kafka_conf_t *conf = client_conf_new_internal(t->bootstrap, t->worker_props, "admin.", NULL);
    char err[256];
    a->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!a->rk) {
        snprintf(errstr, errstr_size, "cannot create an admin client for %s: %s", t->bootstrap, err);
        return false;
    }
    a->q = rd_kafka_queue_new(a->rk);
    return true;
}

static void admin_close(admin_t *a)
{
    if (a->q) {
        rd_kafka_queue_destroy(a->q);
    }
    if (a->rk) {
        rd_kafka_destroy(a->rk);
    }
}

static rd_kafka_AdminOptions_t *admin_options(admin_t *a, rd_kafka_admin_op_t op)
{
    char err[256];
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(a->rk, op);
    rd_kafka_AdminOptions_set_request_timeout(opts, ADMIN_TIMEOUT_MS, err, sizeof(err));
    return opts;
}

/* The result event of the request just sent (caller destroys), or NULL
 * with errstr set when none came. */
static rd_kafka_event_t *admin_await(admin_t *a, char *errstr, size_t errstr_size)
{
    /* librdkafka times the request out itself; the margin only keeps a
     * lost answer from hanging a REST thread. */
    rd_kafka_event_t *ev = rd_kafka_queue_poll(a->q, ADMIN_TIMEOUT_MS + 5000);
    if (!ev) {
        snprintf(errstr, errstr_size, "no answer from %s within %d ms", a->t->bootstrap, ADMIN_TIMEOUT_MS);
    }
    return ev;
}

/* The group's result in a result event (whose `res` has `n` groups), or
 * NULL with *code and errstr set from the request's or the group's error. */
static const rd_kafka_group_result_t *group_result(rd_kafka_event_t *ev, const rd_kafka_group_result_t **res,
                                                   size_t n, rd_kafka_resp_err_t *code, char *errstr,
                                                   size_t errstr_size)
{
    const rd_kafka_error_t *error = n == 1 ? rd_kafka_group_result_error(res[0]) : NULL;
    if ((*code = rd_kafka_event_error(ev))) {
        snprintf(errstr, errstr_size, "%s", rd_kafka_event_error_string(ev));
    } else if (n != 1) {
        *code = RD_KAFKA_RESP_ERR__BAD_MSG;
        snprintf(errstr, errstr_size, "the broker answered for %zu groups instead of one", n);
    } else if (error) {
        *code = rd_kafka_error_code(error);
        snprintf(errstr, errstr_size, "%s", rd_kafka_error_string(error));
    }
    return *code ? NULL : res[0];
}

/* Kafka's words for a failed change.  A group with members means the tasks
 * have not let go yet, or the connector was resumed meanwhile. */
static int change_failed(admin_t *a, rd_kafka_resp_err_t code, const char *why, char *errstr, size_t errstr_size)
{
    if (code == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || code == RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC ||
        code == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP) {
        snprintf(errstr, errstr_size,
                 "Failed to %s consumer group offsets for connector %s either because its tasks haven't stopped "
                 "completely yet or the connector was resumed before the request to %s its offsets could be "
                 "successfully completed. If the connector is in a stopped state, this operation can be safely "
                 "retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid "
                 "of the zombie sink tasks.",
                 a->verb, a->t->connector, a->verb);
    } else {
        snprintf(errstr, errstr_size, "Failed to %s consumer group offsets for %sconnector %s: %s", a->verb,
                 strcmp(a->verb, "reset") == 0 ? "sink " : "", a->t->connector, why);
    }
    return SINK_OFFSETS_ERROR;
}

/* ---- reading ------------------------------------------------------------------- */

/* Every partition of every topic, to ask the group's offsets for: librdkafka
 * before 2.1.0 asks brokers below OffsetFetch v6 for "all partitions" with
 * an empty list instead of a null one, and gets nothing back. */
static rd_kafka_topic_partition_list_t *all_partitions(admin_t *a, char *errstr, size_t errstr_size)
{
    const rd_kafka_metadata_t *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(a->rk, 1, NULL, &md, ADMIN_TIMEOUT_MS);
    if (err) {
        snprintf(errstr, errstr_size, "metadata request to %s failed: %s", a->t->bootstrap, rd_kafka_err2str(err));
        return NULL;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(64);
    for (int i = 0; i < md->topic_cnt; i++) {
        for (int p = 0; !md->topics[i].err && p < md->topics[i].partition_cnt; p++) {
            rd_kafka_topic_partition_list_add(parts, md->topics[i].topic, md->topics[i].partitions[p].id);
        }
    }
    rd_kafka_metadata_destroy(md);
    return parts;
}

/* The group's committed offsets (ListConsumerGroupOffsets), sorted, or
 * NULL with errstr set. */
static rd_kafka_topic_partition_list_t *committed(admin_t *a, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *all = all_partitions(a, errstr, errstr_size);
    if (!all || all->cnt == 0) {
        return all;
    }
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(a->group, all);
    rd_kafka_topic_partition_list_destroy(all);
    rd_kafka_AdminOptions_t *opts = admin_options(a, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_ListConsumerGroupOffsets(a->rk, &req, 1, opts, a->q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_event_t *ev = admin_await(a, errstr, errstr_size);
    if (!ev) {
        return NULL;
    }
    size_t n = 0;
    const rd_kafka_ListConsumerGroupOffsets_result_t *result = rd_kafka_event_ListConsumerGroupOffsets_result(ev);
    const rd_kafka_group_result_t **res = result ? rd_kafka_ListConsumerGroupOffsets_result_groups(result, &n) : NULL;
    rd_kafka_resp_err_t code;
    const rd_kafka_group_result_t *grp = group_result(ev, res, n, &code, errstr, errstr_size);
    rd_kafka_topic_partition_list_t *out = NULL;
    if (grp) {
        const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(grp);
        out = rd_kafka_topic_partition_list_new(parts ? parts->cnt : 0);
        for (int i = 0; parts && i < parts->cnt; i++) {
            /* A partition without a committed offset comes back as -1. */
            if (!parts->elems[i].err && parts->elems[i].offset >= 0) {
                rd_kafka_topic_partition_list_add(out, parts->elems[i].topic, parts->elems[i].partition)->offset =
                    parts->elems[i].offset;
            }
        }
        rd_kafka_topic_partition_list_sort(out, NULL, NULL);
    }
    rd_kafka_event_destroy(ev);
    return out;
}

rd_kafka_topic_partition_list_t *sink_offsets_list(const sink_offsets_target_t *t, char *errstr, size_t errstr_size)
{
    admin_t a;
    char why[512];
    rd_kafka_topic_partition_list_t *out = admin_open(&a, t, "list", why, sizeof(why)) ? committed(&a, why, sizeof(why))
                                                                                         : NULL;
    if (!out) {
        snprintf(errstr, errstr_size, "Failed to retrieve consumer group offsets for sink connector %s: %s",
                 t->connector, why);
    }
    admin_close(&a);
    return out;
}

/* ---- changing ------------------------------------------------------------------ */

/* The first per-partition error of a group result: a partition that does
 * not exist is the request's mistake (a 400), anything else the worker's. */
static int partition_errors(admin_t *a, const rd_kafka_topic_partition_list_t *parts, char *errstr,
                            size_t errstr_size)
{
    for (int i = 0; parts && i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *part = &parts->elems[i];
        if (part->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            snprintf(errstr, errstr_size,
                     "Failed to %s consumer group offsets for connector %s: topic '%s' has no partition %d",
                     a->verb, a->t->connector, part->topic, (int)part->partition);
            return SINK_OFFSETS_BAD_REQUEST;
        }
        if (part->err) {
            char why[512];
            snprintf(why, sizeof(why), "partition %s-%d: %s", part->topic, (int)part->partition,
                     rd_kafka_err2str(part->err));
            return change_failed(a, part->err, why, errstr, errstr_size);
        }
    }
    return 0;
}

/* How a group change ends: `ev` is the admin call's result event (NULL:
 * none came, `why` says so) and `res` its n group results.  A group that
 * does not exist counts as done when `missing_is_done` (Kafka's Worker
 * treats it so, and a reset can then be repeated); the per-partition
 * errors count when `partitions`.  Destroys ev. */
static int settle(admin_t *a, rd_kafka_event_t *ev, const rd_kafka_group_result_t **res, size_t n,
                  bool missing_is_done, bool partitions, char *why, size_t why_size, char *errstr,
                  size_t errstr_size)
{
    if (!ev) {
        return change_failed(a, RD_KAFKA_RESP_ERR__TIMED_OUT, why, errstr, errstr_size);
    }
    rd_kafka_resp_err_t code;
    const rd_kafka_group_result_t *grp = group_result(ev, res, n, &code, why, why_size);
    int rc = grp || (missing_is_done && code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
                 ? 0
                 : change_failed(a, code, why, errstr, errstr_size);
    if (rc == 0 && grp && partitions) {
        rc = partition_errors(a, rd_kafka_group_result_partitions(grp), errstr, errstr_size);
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

/* Commits `offsets` (all >= 0) for the group (AlterConsumerGroupOffsets). */
static int commit(admin_t *a, const rd_kafka_topic_partition_list_t *offsets, char *errstr, size_t errstr_size)
{
    rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(a->group, offsets);
    rd_kafka_AdminOptions_t *opts = admin_options(a, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    rd_kafka_AlterConsumerGroupOffsets(a->rk, &req, 1, opts, a->q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    char why[512];
    rd_kafka_event_t *ev = admin_await(a, why, sizeof(why));
    size_t n = 0;
    const rd_kafka_AlterConsumerGroupOffsets_result_t *result =
        ev ? rd_kafka_event_AlterConsumerGroupOffsets_result(ev) : NULL;
    const rd_kafka_group_result_t **res = result ? rd_kafka_AlterConsumerGroupOffsets_result_groups(result, &n) : NULL;
    return settle(a, ev, res, n, false, true, why, sizeof(why), errstr, errstr_size);
}

/* Deletes the group; one that does not exist is fine. */
static int delete_group(admin_t *a, char *errstr, size_t errstr_size)
{
    rd_kafka_DeleteGroup_t *del = rd_kafka_DeleteGroup_new(a->group);
    rd_kafka_AdminOptions_t *opts = admin_options(a, RD_KAFKA_ADMIN_OP_DELETEGROUPS);
    rd_kafka_DeleteGroups(a->rk, &del, 1, opts, a->q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_DeleteGroup_destroy(del);
    char why[512];
    rd_kafka_event_t *ev = admin_await(a, why, sizeof(why));
    size_t n = 0;
    const rd_kafka_DeleteGroups_result_t *result = ev ? rd_kafka_event_DeleteGroups_result(ev) : NULL;
    const rd_kafka_group_result_t **res = result ? rd_kafka_DeleteGroups_result_groups(result, &n) : NULL;
    return settle(a, ev, res, n, true, false, why, sizeof(why), errstr, errstr_size);
}

/* Removes the committed offsets of `resets` (OffsetDelete); a group that
 * does not exist has none to remove. */
static int remove_offsets(admin_t *a, const rd_kafka_topic_partition_list_t *resets, char *errstr,
                          size_t errstr_size)
{
    rd_kafka_DeleteConsumerGroupOffsets_t *req = rd_kafka_DeleteConsumerGroupOffsets_new(a->group, resets);
    rd_kafka_AdminOptions_t *opts = admin_options(a, RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS);
    rd_kafka_DeleteConsumerGroupOffsets(a->rk, &req, 1, opts, a->q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
    char why[512];
    rd_kafka_event_t *ev = admin_await(a, why, sizeof(why));
    size_t n = 0;
    const rd_kafka_DeleteConsumerGroupOffsets_result_t *result =
        ev ? rd_kafka_event_DeleteConsumerGroupOffsets_result(ev) : NULL;
    const rd_kafka_group_result_t **res =
        result ? rd_kafka_DeleteConsumerGroupOffsets_result_groups(result, &n) : NULL;
    return settle(a, ev, res, n, true, true, why, sizeof(why), errstr, errstr_size);
}

int sink_offsets_alter(const sink_offsets_target_t *t, const rd_kafka_topic_partition_list_t *offsets,
                       char *errstr, size_t errstr_size)
{
    admin_t a;
    if (!admin_open(&a, t, "alter", errstr, errstr_size)) {
        admin_close(&a);
        return SINK_OFFSETS_ERROR;
    }
    rd_kafka_topic_partition_list_t *commits = rd_kafka_topic_partition_list_new(offsets->cnt);
    rd_kafka_topic_partition_list_t *resets = rd_kafka_topic_partition_list_new(offsets->cnt);
    for (int i = 0; i < offsets->cnt; i++) {
        const rd_kafka_topic_partition_t *part = &offsets->elems[i];
        rd_kafka_topic_partition_list_add(part->offset == SINK_OFFSET_RESET ? resets : commits, part->topic,
                                          part->partition)
            ->offset = part->offset;
    }
    int rc = commits->cnt > 0 ? commit(&a, commits, errstr, errstr_size) : 0;
    if (rc == 0 && resets->cnt > 0) {
        rc = remove_offsets(&a, resets, errstr, errstr_size);
    }
    rd_kafka_topic_partition_list_destroy(commits);
    rd_kafka_topic_partition_list_destroy(resets);
    admin_close(&a);
    return rc;
}

int sink_offsets_reset(const sink_offsets_target_t *t, char *errstr, size_t errstr_size)
{
    admin_t a;
    int rc = admin_open(&a, t, "reset", errstr, errstr_size) ? delete_group(&a, errstr, errstr_size)
                                                             : SINK_OFFSETS_ERROR;
    admin_close(&a);
    return rc;
}
