/*
 * ctl_groups_delete_offsets.c - `connectctl groups --delete-offsets`, after
 * kafka-consumer-groups.sh --delete-offsets: removes the committed offsets
 * of a group for --topic T (every partition of T) or --topic T:P[,P...]
 * with one OffsetDelete (KIP-496), and prints the broker's verdict per
 * partition as Kafka does:
 *
 *   TOPIC                          PARTITION       STATUS
 *   orders                         0               Successful
 *   orders                         1               Error: GROUP_SUBSCRIBED_TO_TOPIC: ...
 *
 * The broker decides, not this tool: a group with members keeps the
 * offsets of topics they subscribe to (GROUP_SUBSCRIBED_TO_TOPIC), a
 * partition that does not exist is UNKNOWN_TOPIC_OR_PARTITION, and a group
 * error (no such group, a non-consumer group with members) fails every
 * partition.  A --topic T without partitions that does not exist is
 * reported on a "Not Provided" row, as Kafka does, and not sent.  The exit
 * status is 1 when any row is an error (Kafka's tool exits 0 regardless;
 * a script needs to know).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_groups.h"

/* Adds the partitions of one --topic value to `parts`; a topic that does
 * not exist goes to `missing` (partition -1, its error in .err).  False
 * after printing an error. */
static bool add_spec(rd_kafka_t *rk, const groups_args_t *a, const char *spec, rd_kafka_topic_partition_list_t *parts,
                     rd_kafka_topic_partition_list_t *missing)
{
    char topic[256];
    rd_kafka_topic_partition_list_t *listed = rd_kafka_topic_partition_list_new(4);
    bool ok = groups_topic_spec(spec, topic, sizeof(topic), listed);
    if (ok && listed->cnt > 0) {
        /* Named partitions go to the broker as given: it says which exist. */
        for (int i = 0; i < listed->cnt; i++) {
            if (!rd_kafka_topic_partition_list_find(parts, topic, listed->elems[i].partition)) {
                rd_kafka_topic_partition_list_add(parts, topic, listed->elems[i].partition);
            }
        }
    } else if (ok) {
        rd_kafka_resp_err_t err;
        int n = groups_partition_count(rk, a, topic, &err);
        if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            rd_kafka_topic_partition_list_add(missing, topic, -1)->err = err;
        } else if (err) {
            ctl_fail("cannot read metadata of '%s': %s", topic, rd_kafka_err2str(err));
            ok = false;
        }
        for (int p = 0; p < n; p++) {
            rd_kafka_topic_partition_list_add(parts, topic, p);
        }
    }
    rd_kafka_topic_partition_list_destroy(listed);
    return ok;
}

/* One row of the table (or of the --json array). */
static void print_row(const groups_args_t *a, bool first, const rd_kafka_topic_partition_t *tp)
{
    if (a->common.json) {
        printf("%s{\"topic\":", first ? "" : ",");
        ctl_json_string(tp->topic);
        if (tp->partition >= 0) {
            printf(",\"partition\":%d,\"error\":", tp->partition);
        } else {
            printf(",\"partition\":null,\"error\":");
        }
        if (tp->err) {
            ctl_json_string(rd_kafka_err2name(tp->err));
        } else {
            printf("null");
        }
        printf("}");
        return;
    }
    char partition[16] = "Not Provided";
    if (tp->partition >= 0) {
        snprintf(partition, sizeof(partition), "%d", tp->partition);
    }
    if (tp->err) {
        printf("%-30s %-15s Error: %s: %s\n", tp->topic, partition, rd_kafka_err2name(tp->err),
               rd_kafka_err2str(tp->err));
    } else {
        printf("%-30s %-15s %s\n", tp->topic, partition, "Successful");
    }
}

/* Sends the OffsetDelete; fills the .err of every partition of `parts`
 * (the group's error on all when the group is refused).  Returns the group
 * error, or -1 after printing that no usable answer came. */
static int send_delete(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a,
                       rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_DeleteConsumerGroupOffsets_t *req = rd_kafka_DeleteConsumerGroupOffsets_new(a->group, parts);
    rd_kafka_AdminOptions_t *opts = groups_options(rk, RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS, a);
    rd_kafka_DeleteConsumerGroupOffsets(rk, &req, 1, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
    /* Not ctl_admin_await: librdkafka reports a group-level error of
     * OffsetDelete as the event's error, which is a verdict to print per
     * partition here, not a failed request. */
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, a->common.timeout_ms + 1000);
    if (!ev) {
        ctl_fail("no answer from %s within %d ms (--timeout-ms)", a->common.bootstrap, a->common.timeout_ms);
        return -1;
    }
    size_t n = 0;
    const rd_kafka_DeleteConsumerGroupOffsets_result_t *result = rd_kafka_event_DeleteConsumerGroupOffsets_result(ev);
    const rd_kafka_group_result_t **res = result ? rd_kafka_DeleteConsumerGroupOffsets_result_groups(result, &n) : NULL;
    rd_kafka_resp_err_t group_err = rd_kafka_event_error(ev);
    if (group_err == RD_KAFKA_RESP_ERR__TIMED_OUT || group_err == RD_KAFKA_RESP_ERR__TRANSPORT) {
        ctl_fail("%s", rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return -1;
    }
    if (!group_err && n != 1) {
        rd_kafka_event_destroy(ev);
        ctl_fail("unexpected answer deleting offsets of group '%s': %zu groups", a->group, n);
        return -1;
    }
    const rd_kafka_error_t *error = group_err ? NULL : rd_kafka_group_result_error(res[0]);
    if (error) {
        group_err = rd_kafka_error_code(error);
    }
    const rd_kafka_topic_partition_list_t *done = group_err ? NULL : rd_kafka_group_result_partitions(res[0]);
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &parts->elems[i];
        const rd_kafka_topic_partition_t *d =
            done ? rd_kafka_topic_partition_list_find((rd_kafka_topic_partition_list_t *)done, tp->topic,
                                                      tp->partition)
                 : NULL;
        tp->err = group_err ? group_err : d ? d->err : RD_KAFKA_RESP_ERR__BAD_MSG;
    }
    rd_kafka_event_destroy(ev);
    return group_err;
}

/* Kafka's line for a group-level error, on stderr. */
static void print_group_error(const groups_args_t *a, rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR_INVALID_GROUP_ID:
        ctl_fail("'%s' is not valid (INVALID_GROUP_ID)", a->group);
        break;
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
        ctl_fail("consumer group '%s' does not exist (GROUP_ID_NOT_FOUND); list groups with: connectctl groups --list",
                 a->group);
        break;
    case RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP:
        ctl_fail("deleting offsets of a consumer group '%s' is forbidden if the group is not empty "
                 "(NON_EMPTY_GROUP); stop its members first", a->group);
        break;
    default:
        groups_fail(a, "offset deletion", err, rd_kafka_err2str(err));
        break;
    }
}

int groups_delete_offsets(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a)
{
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);
    rd_kafka_topic_partition_list_t *missing = rd_kafka_topic_partition_list_new(4);
    int rc = CTL_EXIT_FAIL;
    bool ok = true;
    for (int i = 0; ok && i < a->n_topics; i++) {
        ok = add_spec(rk, a, a->topics[i], parts, missing);
    }
    int group_err = 0;
    if (ok && parts->cnt > 0) {
        group_err = send_delete(rk, q, a, parts);
        ok = group_err >= 0;
    }
    if (ok) {
        if (group_err > 0) {
            print_group_error(a, (rd_kafka_resp_err_t)group_err);
        }
        for (int i = 0; i < missing->cnt; i++) {
            rd_kafka_topic_partition_list_add(parts, missing->elems[i].topic, -1)->err = missing->elems[i].err;
        }
        rd_kafka_topic_partition_list_sort(parts, NULL, NULL);
        bool any_error = false;
        if (a->common.json) {
            printf("[");
        } else {
            printf("\n%-30s %-15s %s\n", "TOPIC", "PARTITION", "STATUS");
        }
        for (int i = 0; i < parts->cnt; i++) {
            print_row(a, i == 0, &parts->elems[i]);
            any_error = any_error || parts->elems[i].err;
        }
        if (a->common.json) {
            printf("]\n");
        }
        rc = any_error ? CTL_EXIT_FAIL : 0;
    }
    rd_kafka_topic_partition_list_destroy(missing);
    rd_kafka_topic_partition_list_destroy(parts);
    return rc;
}
