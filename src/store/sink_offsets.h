/*
 * sink_offsets.h - a sink connector's offsets: the committed offsets of its
 * consumer group, connect-<connector> (Kafka's SinkUtils.consumerGroupId),
 * read and changed through librdkafka's admin API the way Kafka Connect's
 * Worker does it (listConsumerGroupOffsets, alterConsumerGroupOffsets,
 * deleteConsumerGroupOffsets for single partitions, deleteConsumerGroups).
 * Works against the embedded broker, a connectd cluster or Apache Kafka
 * 2.4 and later (OffsetDelete; see sink_offsets.c).
 *
 * Every call makes its own admin client from the worker's `admin.`
 * settings and waits for the answer: offsets change rarely and by hand, so
 * a client kept for them would only hold connections.  Changes need a
 * group without members (the connector STOPPED); the caller makes sure.
 *
 * Thread-safe: nothing is shared between calls.
 */
#ifndef CONNECTD_SINK_OFFSETS_H
#define CONNECTD_SINK_OFFSETS_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "properties.h"

/* Where the group lives and which connector it belongs to (for messages).
 * All borrowed for the call. */
typedef struct sink_offsets_target {
    const char *bootstrap;
    const properties_t *worker_props;
    const char *connector;
} sink_offsets_target_t;

/* What a failed call means for the REST answer. */
#define SINK_OFFSETS_ERROR (-1)       /* the broker or the network: 500 */
#define SINK_OFFSETS_BAD_REQUEST (-2) /* the request named a partition that does not exist: 400 */

/* An offset in sink_offsets_alter's list that resets the partition:
 * its committed offset is removed (offset: null in REST). */
#define SINK_OFFSET_RESET RD_KAFKA_OFFSET_INVALID

/* Writes the connector's group id ("connect-<connector>") into buf. */
void sink_offsets_group_id(const char *connector, char *buf, size_t buf_size);

/* The group's committed offsets, sorted by topic and partition (caller
 * destroys), or NULL with errstr set. */
rd_kafka_topic_partition_list_t *sink_offsets_list(const sink_offsets_target_t *t, char *errstr,
                                                   size_t errstr_size);

/* Commits `offsets` (borrowed) for the group; elements whose offset is
 * SINK_OFFSET_RESET lose their committed offset instead.  Partitions not
 * named keep theirs.  0, or SINK_OFFSETS_ERROR / _BAD_REQUEST with errstr. */
int sink_offsets_alter(const sink_offsets_target_t *t, const rd_kafka_topic_partition_list_t *offsets,
                       char *errstr, size_t errstr_size);

/* Deletes the group with all its offsets, as Kafka's reset does; a group
 * that does not exist is already reset.  0 or SINK_OFFSETS_ERROR. */
int sink_offsets_reset(const sink_offsets_target_t *t, char *errstr, size_t errstr_size);

#endif
