/*
 * ctl_groups.h - the parts of `connectctl groups` its files share:
 * ctl_groups.c (flags, --list, --delete), ctl_groups_lookup.c (a group's
 * description and committed offsets), ctl_groups_describe.c (--describe)
 * ctl_groups_reset.c (--reset-offsets) and ctl_groups_delete_offsets.c
 * (--delete-offsets).
 *
 * Every function here runs on connectctl's only thread; a function that
 * returns NULL or false has already printed the one-line error.
 */
#ifndef CONNECTD_CTL_GROUPS_H
#define CONNECTD_CTL_GROUPS_H

#include <stdint.h>

#include "ctl.h"

typedef enum {
    GROUPS_NONE,
    GROUPS_LIST,
    GROUPS_DESCRIBE,
    GROUPS_RESET,
    GROUPS_DELETE,
    GROUPS_DELETE_OFFSETS
} groups_op_t;

/* The target of --reset-offsets. */
typedef enum {
    RESET_NONE,
    RESET_EARLIEST, /* --to-earliest */
    RESET_LATEST,   /* --to-latest */
    RESET_OFFSET,   /* --to-offset N: reset_value = N */
    RESET_SHIFT,    /* --shift-by N: reset_value = N (may be negative) */
    RESET_DATETIME, /* --to-datetime, --by-duration: reset_value = ms since the epoch */
    RESET_CURRENT,  /* --to-current: the committed offset (the log end without one) */
    RESET_FILE      /* --from-file: the offsets of from_file's lines */
} groups_reset_to_t;

#define GROUPS_MAX_TOPICS 64

typedef struct groups_args {
    ctl_common_t common;
    groups_op_t op;
    const char *group;
    const char *topics[GROUPS_MAX_TOPICS]; /* --topic T or T:P[,P...], borrowed from argv */
    int n_topics;
    bool all_topics;
    groups_reset_to_t reset_to;
    int64_t reset_value;
    bool execute;                 /* --execute; otherwise a dry run */
    const char *from_file;        /* --from-file CSV: topic,partition,offset lines */
    bool all_groups;              /* --all-groups: --describe, --reset-offsets, --delete of every group */
    bool members, state, verbose; /* --describe views: --members [--verbose], --state; else --offsets */
} groups_args_t;

/* Admin options with the request timeout set to --timeout-ms; the caller
 * destroys them after the call that uses them. */
rd_kafka_AdminOptions_t *groups_options(rd_kafka_t *rk, rd_kafka_admin_op_t op, const groups_args_t *a);

/* Splits a --topic value, "T" or "T:P[,P...]": the topic into `topic`,
 * the partitions it lists into `listed` (none for "T": all of them are
 * meant).  False after printing what is wrong. */
bool groups_topic_spec(const char *spec, char *topic, size_t topic_size, rd_kafka_topic_partition_list_t *listed);

/* How many partitions `topic` has (Metadata): >= 0, or -1 with *err. */
int groups_partition_count(rd_kafka_t *rk, const groups_args_t *a, const char *topic, rd_kafka_resp_err_t *err);

/* Prints the error `err` (with the broker's `msg`, may be NULL) of `what`
 * (e.g. "deletion") on --group, or on all groups without one, naming a
 * missing group or a broker without group support plainly; returns
 * CTL_EXIT_FAIL. */
int groups_fail(const groups_args_t *a, const char *what, rd_kafka_resp_err_t err, const char *msg);

/* Describes --group.  Returns the description, valid until *evp is
 * destroyed (the caller destroys it), or NULL.  A group that does not exist
 * is returned in state DEAD, as Kafka reports it; callers decide. */
const rd_kafka_ConsumerGroupDescription_t *groups_describe_one(rd_kafka_t *rk, rd_kafka_queue_t *q,
                                                               const groups_args_t *a, rd_kafka_event_t **evp);

/* The committed offsets of --group (only partitions with an offset >= 0),
 * owned by the caller (rd_kafka_topic_partition_list_destroy), or NULL. */
rd_kafka_topic_partition_list_t *groups_committed(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a);

#define GROUPS_LATEST (-1)   /* ListOffsets' "latest": the log end */
#define GROUPS_EARLIEST (-2) /* ListOffsets' "earliest": the log start */

/* For each partition of `parts` (a copy, in the same order) the offset at
 * `timestamp`: the first record at or after that time (the log end if
 * none), or GROUPS_LATEST / GROUPS_EARLIEST.  One batched lookup, not a
 * round trip per partition.  NULL after printing the error.  The caller
 * destroys the list. */
rd_kafka_topic_partition_list_t *groups_offsets_at(rd_kafka_t *rk, const groups_args_t *a,
                                                   const rd_kafka_topic_partition_list_t *parts, int64_t timestamp);

int groups_describe(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a);
int groups_reset(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a);
int groups_delete_offsets(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a);

#endif
