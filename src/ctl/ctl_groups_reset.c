/*
 * ctl_groups_reset.c - `connectctl groups --reset-offsets`, after
 * kafka-consumer-groups.sh --reset-offsets: moves the committed offsets of
 * an inactive group, for the partitions named by --topic T (all of T),
 * --topic T:P[,P...] (some of T) or --all-topics (every partition the
 * group has committed), and prints the plan as Kafka does:
 *
 *   GROUP                          TOPIC                          PARTITION  NEW-OFFSET
 *   billing                        orders                         0          0
 *
 * The new offset of each partition:
 *
 *   --to-earliest     the log start offset (low watermark)
 *   --to-latest       the log end offset (high watermark)
 *   --to-offset N     N
 *   --shift-by N      the committed offset + N (a partition without one is
 *                     an error, as in Kafka)
 *   --to-datetime D   the first offset whose record timestamp is >= D
 *                     (ListOffsets by time), the log end when there is none
 *   --by-duration D   as --to-datetime, at now minus the duration D
 *   --to-current      the committed offset (the log end without one, as Kafka)
 *   --from-file CSV   the offset of the partition's "topic,partition,offset"
 *                     line (the format --dry-run --json can be turned into;
 *                     the file names the partitions, not --topic)
 *
 * and every target is clamped to [log start, log end], as Kafka does.
 *
 * Only a group without members (state Empty, or Dead: one that does not
 * exist yet) may be reset, else its members would overwrite the new
 * offsets; anything else fails with Kafka's message.  Without --execute
 * nothing is written (a dry run); with it the offsets are committed through
 * AlterConsumerGroupOffsets and the table is printed afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_groups.h"

/* Adds the partitions of one --topic value; false after an error. */
static bool add_topic_spec(rd_kafka_t *rk, const groups_args_t *a, const char *spec,
                           rd_kafka_topic_partition_list_t *parts)
{
    char topic[256];
    rd_kafka_topic_partition_list_t *listed = rd_kafka_topic_partition_list_new(4);
    bool ok = groups_topic_spec(spec, topic, sizeof(topic), listed);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int n_parts = ok ? groups_partition_count(rk, a, topic, &err) : 0;
    if (ok && err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        ctl_fail("topic '%s' does not exist; list topics with: connectctl topics --list", topic);
        ok = false;
    } else if (ok && err) {
        ctl_fail("cannot read metadata of '%s': %s", topic, rd_kafka_err2str(err));
        ok = false;
    }
    for (int p = 0; ok && listed->cnt == 0 && p < n_parts; p++) {
        rd_kafka_topic_partition_list_add(parts, topic, p);
    }
    for (int i = 0; ok && i < listed->cnt; i++) {
        int32_t partition = listed->elems[i].partition;
        if (partition >= n_parts) {
            ctl_fail("topic '%s' has no partition %d (it has %d); see connectctl topics --describe --topic %s",
                     topic, (int)partition, n_parts, topic);
            ok = false;
        } else if (!rd_kafka_topic_partition_list_find(parts, topic, partition)) {
            rd_kafka_topic_partition_list_add(parts, topic, partition);
        }
    }
    rd_kafka_topic_partition_list_destroy(listed);
    return ok;
}

/* The "topic,partition,offset" lines of --from-file as a list with
 * offsets, owned by the caller, or NULL after printing what is wrong. */
static rd_kafka_topic_partition_list_t *read_offsets_file(const groups_args_t *a)
{
    FILE *f = fopen(a->from_file, "r");
    if (!f) {
        ctl_fail("--from-file %s: %s", a->from_file, strerror(errno));
        return NULL;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(16);
    char line[1024];
    int line_no = 0;
    while (fgets(line, sizeof(line), f)) {
        line_no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0]) {
            continue;
        }
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL, *end1, *end2;
        long partition = c2 ? strtol(c1 + 1, &end1, 10) : -1;
        long long offset = c2 ? strtoll(c2 + 1, &end2, 10) : -1;
        if (!c2 || c1 == line || end1 != c2 || *end2 || partition < 0 || offset < 0 || c2 + 1 == end2) {
            ctl_fail("--from-file %s: line %d is not topic,partition,offset: '%s'", a->from_file, line_no, line);
            rd_kafka_topic_partition_list_destroy(list);
            fclose(f);
            return NULL;
        }
        *c1 = '\0';
        rd_kafka_topic_partition_list_add(list, line, (int32_t)partition)->offset = offset;
    }
    fclose(f);
    return list;
}

/* The partitions to reset, owned by the caller, or NULL after an error. */
static rd_kafka_topic_partition_list_t *reset_partitions(rd_kafka_t *rk, const groups_args_t *a,
                                                         const rd_kafka_topic_partition_list_t *committed,
                                                         const rd_kafka_topic_partition_list_t *file)
{
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);
    for (int i = 0; a->all_topics && i < committed->cnt; i++) {
        rd_kafka_topic_partition_list_add(parts, committed->elems[i].topic, committed->elems[i].partition);
    }
    for (int i = 0; i < a->n_topics; i++) {
        if (!add_topic_spec(rk, a, a->topics[i], parts)) {
            rd_kafka_topic_partition_list_destroy(parts);
            return NULL;
        }
    }
    for (int i = 0; file && i < file->cnt; i++) {
        char spec[512];
        snprintf(spec, sizeof(spec), "%s:%d", file->elems[i].topic, (int)file->elems[i].partition);
        if (!add_topic_spec(rk, a, spec, parts)) {
            rd_kafka_topic_partition_list_destroy(parts);
            return NULL;
        }
    }
    rd_kafka_topic_partition_list_sort(parts, NULL, NULL);
    return parts;
}

/* Sets the new offset of every partition; false after an error. */
static bool reset_targets(rd_kafka_t *rk, const groups_args_t *a, rd_kafka_topic_partition_list_t *parts,
                          const rd_kafka_topic_partition_list_t *committed,
                          const rd_kafka_topic_partition_list_t *file)
{
    /* Log starts and ends (and times) of all partitions: one lookup each,
     * not a round trip per partition. */
    rd_kafka_topic_partition_list_t *starts = groups_offsets_at(rk, a, parts, GROUPS_EARLIEST);
    rd_kafka_topic_partition_list_t *ends = starts ? groups_offsets_at(rk, a, parts, GROUPS_LATEST) : NULL;
    rd_kafka_topic_partition_list_t *times =
        ends && a->reset_to == RESET_DATETIME ? groups_offsets_at(rk, a, parts, a->reset_value) : NULL;
    bool ok = ends && (a->reset_to != RESET_DATETIME || times);
    for (int i = 0; ok && i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &parts->elems[i];
        int64_t low = starts->elems[i].offset, high = ends->elems[i].offset, target = 0;
        const rd_kafka_topic_partition_t *c =
            rd_kafka_topic_partition_list_find((rd_kafka_topic_partition_list_t *)committed, tp->topic, tp->partition);
        switch (a->reset_to) {
        case RESET_EARLIEST:
            target = low;
            break;
        case RESET_LATEST:
            target = high;
            break;
        case RESET_OFFSET:
            target = a->reset_value;
            break;
        case RESET_SHIFT:
            if (!c) {
                ok = false;
                ctl_fail("cannot shift the offset of %s-%d: group '%s' has no committed offset there; use "
                         "--to-offset, --to-earliest or --to-latest", tp->topic, tp->partition, a->group);
            } else if (__builtin_add_overflow(c->offset, a->reset_value, &target)) {
                target = a->reset_value < 0 ? low : high;
            }
            break;
        case RESET_DATETIME:
            target = times->elems[i].offset >= 0 ? times->elems[i].offset : high;
            break;
        case RESET_CURRENT:
            target = c ? c->offset : high;
            break;
        case RESET_FILE:
            target = rd_kafka_topic_partition_list_find((rd_kafka_topic_partition_list_t *)file, tp->topic,
                                                        tp->partition)->offset;
            break;
        case RESET_NONE:
            break;
        }
        tp->offset = target < low ? low : target > high ? high : target;
    }
    rd_kafka_topic_partition_list_t *lists[] = {starts, ends, times};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        if (lists[i]) {
            rd_kafka_topic_partition_list_destroy(lists[i]);
        }
    }
    return ok;
}

/* Commits the new offsets; returns 0 or CTL_EXIT_FAIL after the error. */
static int reset_execute(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a,
                         const rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(a->group, parts);
    rd_kafka_AdminOptions_t *opts = groups_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, a);
    rd_kafka_AlterConsumerGroupOffsets(rk, &req, 1, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    size_t n;
    const rd_kafka_group_result_t **res =
        rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
    const rd_kafka_error_t *error = n == 1 ? rd_kafka_group_result_error(res[0]) : NULL;
    rd_kafka_resp_err_t err = error ? rd_kafka_error_code(error) : 0;
    const char *msg = error ? rd_kafka_error_string(error) : NULL;
    const rd_kafka_topic_partition_list_t *done = n == 1 ? rd_kafka_group_result_partitions(res[0]) : NULL;
    for (int i = 0; !err && done && i < done->cnt; i++) {
        err = done->elems[i].err;
    }
    int rc = 0;
    if (n != 1) {
        rc = ctl_fail("unexpected answer resetting group '%s': %zu groups", a->group, n);
    } else if (err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
               err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION) {
        rc = ctl_fail("assignments can only be reset if the group '%s' is inactive, but a consumer joined it "
                      "meanwhile; stop its consumers first", a->group);
    } else if (err) {
        rc = groups_fail(a, "offset reset", err, msg);
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

static void print_plan(const groups_args_t *a, const rd_kafka_topic_partition_list_t *parts)
{
    if (a->common.json) {
        printf("[");
        for (int i = 0; i < parts->cnt; i++) {
            printf("%s{\"group\":", i ? "," : "");
            ctl_json_string(a->group);
            printf(",\"topic\":");
            ctl_json_string(parts->elems[i].topic);
            printf(",\"partition\":%d,\"new_offset\":%lld}", parts->elems[i].partition,
                   (long long)parts->elems[i].offset);
        }
        printf("]\n");
        return;
    }
    if (parts->cnt > 0) {
        printf("\n%-30s %-30s %-10s %s\n", "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
    }
    for (int i = 0; i < parts->cnt; i++) {
        printf("%-30s %-30s %-10d %lld\n", a->group, parts->elems[i].topic, parts->elems[i].partition,
               (long long)parts->elems[i].offset);
    }
}

int groups_reset(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a)
{
    rd_kafka_event_t *ev;
    const rd_kafka_ConsumerGroupDescription_t *desc = groups_describe_one(rk, q, a, &ev);
    if (!desc) {
        return CTL_EXIT_FAIL;
    }
    rd_kafka_consumer_group_state_t state = rd_kafka_ConsumerGroupDescription_state(desc);
    rd_kafka_event_destroy(ev);
    if (state != RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY && state != RD_KAFKA_CONSUMER_GROUP_STATE_DEAD) {
        return ctl_fail("assignments can only be reset if the group '%s' is inactive, but the current state is "
                        "%s; stop its consumers first", a->group, rd_kafka_consumer_group_state_name(state));
    }
    rd_kafka_topic_partition_list_t *committed = groups_committed(rk, q, a);
    if (!committed) {
        return CTL_EXIT_FAIL;
    }
    int rc = CTL_EXIT_FAIL;
    rd_kafka_topic_partition_list_t *file = a->reset_to == RESET_FILE ? read_offsets_file(a) : NULL;
    rd_kafka_topic_partition_list_t *parts =
        a->reset_to != RESET_FILE || file ? reset_partitions(rk, a, committed, file) : NULL;
    if (parts && reset_targets(rk, a, parts, committed, file)) {
        rc = a->execute && parts->cnt > 0 ? reset_execute(rk, q, a, parts) : 0;
        if (rc == 0) {
            print_plan(a, parts);
        }
    }
    if (parts) {
        rd_kafka_topic_partition_list_destroy(parts);
    }
    if (file) {
        rd_kafka_topic_partition_list_destroy(file);
    }
    rd_kafka_topic_partition_list_destroy(committed);
    return rc;
}
