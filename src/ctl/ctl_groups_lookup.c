/*
 * ctl_groups_lookup.c - the look-ups of one consumer group that
 * `connectctl groups --describe` and `--reset-offsets` share: the group's
 * description (state, members, assignments; DescribeConsumerGroups) and its
 * committed offsets (ListConsumerGroupOffsets), plus the admin options,
 * error wording and --topic parsing all group actions use.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_groups.h"

bool groups_topic_spec(const char *spec, char *topic, size_t topic_size, rd_kafka_topic_partition_list_t *listed)
{
    /* Kafka topic names cannot contain ':', so the last one starts the list. */
    const char *colon = strrchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (len == 0 || len >= topic_size) {
        ctl_fail("--topic expects T or T:P[,P...], got '%s'", spec);
        return false;
    }
    memcpy(topic, spec, len);
    topic[len] = '\0';
    for (const char *p = colon ? colon + 1 : NULL; p;) {
        char *end;
        long partition = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || partition < 0 || partition > INT32_MAX) {
            ctl_fail("--topic expects T or T:P[,P...] with partition numbers, got '%s'", spec);
            return false;
        }
        if (!rd_kafka_topic_partition_list_find(listed, topic, (int32_t)partition)) {
            rd_kafka_topic_partition_list_add(listed, topic, (int32_t)partition);
        }
        p = *end ? end + 1 : NULL;
    }
    return true;
}

int groups_partition_count(rd_kafka_t *rk, const groups_args_t *a, const char *topic, rd_kafka_resp_err_t *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    *err = rd_kafka_metadata(rk, 0, rkt, &md, a->common.timeout_ms);
    rd_kafka_topic_destroy(rkt);
    int n = -1;
    if (!*err) {
        *err = md->topic_cnt != 1 ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : md->topics[0].err;
        n = *err ? -1 : md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
    }
    return n;
}

rd_kafka_AdminOptions_t *groups_options(rd_kafka_t *rk, rd_kafka_admin_op_t op, const groups_args_t *a)
{
    char err[512];
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, op);
    rd_kafka_AdminOptions_set_request_timeout(opts, a->common.timeout_ms, err, sizeof(err));
    return opts;
}

int groups_fail(const groups_args_t *a, const char *what, rd_kafka_resp_err_t err, const char *msg)
{
    char subject[300];
    if (a->group) {
        snprintf(subject, sizeof(subject), "%s of group '%s'", what, a->group);
    } else {
        snprintf(subject, sizeof(subject), "%s of consumer groups", what);
    }
    if (err == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND && a->group) {
        return ctl_fail("consumer group '%s' does not exist; list groups with: connectctl groups --list", a->group);
    }
    if (err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION || err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) {
        return ctl_fail("%s failed: the broker at %s does not support consumer groups (%s)", subject,
                        a->common.bootstrap, rd_kafka_err2str(err));
    }
    return ctl_fail("%s failed: %s", subject, msg && *msg ? msg : rd_kafka_err2str(err));
}

const rd_kafka_ConsumerGroupDescription_t *groups_describe_one(rd_kafka_t *rk, rd_kafka_queue_t *q,
                                                               const groups_args_t *a, rd_kafka_event_t **evp)
{
    rd_kafka_AdminOptions_t *opts = groups_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, a);
    const char *group = a->group;
    rd_kafka_DescribeConsumerGroups(rk, &group, 1, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    *evp = ctl_admin_await(q, &a->common);
    if (!*evp) {
        return NULL;
    }
    size_t n;
    const rd_kafka_ConsumerGroupDescription_t **descs =
        rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(*evp), &n);
    const rd_kafka_error_t *error = n == 1 ? rd_kafka_ConsumerGroupDescription_error(descs[0]) : NULL;
    if (n != 1 || error) {
        if (n != 1) {
            ctl_fail("unexpected answer describing group '%s': %zu groups", a->group, n);
        } else {
            groups_fail(a, "description", rd_kafka_error_code(error), rd_kafka_error_string(error));
        }
        rd_kafka_event_destroy(*evp);
        *evp = NULL;
        return NULL;
    }
    return descs[0];
}

/* Every partition of every topic, or NULL after an error.  The committed
 * offsets are asked for these rather than for "all" (a null list):
 * librdkafka before 2.1.0 sends an empty list instead of a null one to
 * brokers with OffsetFetch below v6, and gets nothing back. */
static rd_kafka_topic_partition_list_t *all_partitions(rd_kafka_t *rk, const groups_args_t *a)
{
    const rd_kafka_metadata_t *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, a->common.timeout_ms);
    if (err) {
        ctl_fail("metadata request to %s failed: %s", a->common.bootstrap, rd_kafka_err2str(err));
        return NULL;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(64);
    for (int t = 0; t < md->topic_cnt; t++) {
        for (int p = 0; !md->topics[t].err && p < md->topics[t].partition_cnt; p++) {
            rd_kafka_topic_partition_list_add(parts, md->topics[t].topic, md->topics[t].partitions[p].id);
        }
    }
    rd_kafka_metadata_destroy(md);
    return parts;
}

rd_kafka_topic_partition_list_t *groups_committed(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a)
{
    rd_kafka_topic_partition_list_t *all = all_partitions(rk, a);
    if (!all || all->cnt == 0) {
        return all;
    }
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(a->group, all);
    rd_kafka_topic_partition_list_destroy(all);
    rd_kafka_AdminOptions_t *opts = groups_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, a);
    rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return NULL;
    }
    size_t n;
    const rd_kafka_group_result_t **res =
        rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
    const rd_kafka_error_t *error = n == 1 ? rd_kafka_group_result_error(res[0]) : NULL;
    rd_kafka_topic_partition_list_t *committed = NULL;
    if (n != 1) {
        ctl_fail("unexpected answer listing the offsets of group '%s': %zu groups", a->group, n);
    } else if (error) {
        groups_fail(a, "listing the committed offsets", rd_kafka_error_code(error), rd_kafka_error_string(error));
    } else {
        const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(res[0]);
        committed = rd_kafka_topic_partition_list_new(parts ? parts->cnt : 0);
        for (int i = 0; parts && i < parts->cnt; i++) {
            if (!parts->elems[i].err && parts->elems[i].offset >= 0) {
                rd_kafka_topic_partition_list_add(committed, parts->elems[i].topic, parts->elems[i].partition)
                    ->offset = parts->elems[i].offset;
            }
        }
    }
    rd_kafka_event_destroy(ev);
    return committed;
}

rd_kafka_topic_partition_list_t *groups_offsets_at(rd_kafka_t *rk, const groups_args_t *a,
                                                   const rd_kafka_topic_partition_list_t *parts, int64_t timestamp)
{
    rd_kafka_topic_partition_list_t *out = rd_kafka_topic_partition_list_copy(parts);
    for (int i = 0; i < out->cnt; i++) {
        out->elems[i].offset = timestamp; /* ListOffsets reads -1 and -2 as latest and earliest */
    }
    rd_kafka_resp_err_t err = out->cnt ? rd_kafka_offsets_for_times(rk, out, a->common.timeout_ms) : 0;
    for (int i = 0; !err && i < out->cnt; i++) {
        err = out->elems[i].err;
    }
    if (err) {
        ctl_fail("cannot look up the partitions' offsets: %s", rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(out);
        return NULL;
    }
    return out;
}
