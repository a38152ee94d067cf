/*
 * producer_state.h - idempotent-producer bookkeeping of one partition.
 *
 * For each producer id the partition remembers the epoch and the last five
 * batches appended (first/last sequence and base offset), as Kafka does
 * (ProducerStateManager; librdkafka keeps at most 5 requests in flight with
 * idempotence).  A batch is then:
 *   - a duplicate of one of those five: not appended again, and answered
 *     with the original base offset (Kafka answers NONE, not 46);
 *   - the next in sequence: appended;
 *   - from an older epoch: INVALID_PRODUCER_EPOCH (47);
 *   - from a newer epoch: must start at sequence 0 (else 45), resets state;
 *   - anything else: OUT_OF_ORDER_SEQUENCE_NUMBER (45).
 * A producer the partition has never seen may start at any sequence, like
 * Kafka after its state was lost to retention; this also keeps a producer
 * working across a broker restart, whose state is rebuilt only from the
 * batches recovery re-reads.
 *
 * Not locked: the owning partition's lock covers it (broker.h).
 */
#ifndef CONNECTD_PRODUCER_STATE_H
#define CONNECTD_PRODUCER_STATE_H

#include <stdint.h>

#include "batch.h"
#include "protocol/kerr.h"

typedef struct producer_state producer_state_t;

/* Destroy accepts NULL.
 * @locality any thread  @locks none: the state is not shared yet (partition
 *           being opened) or any more (partition unpublished or shut-down) */
producer_state_t *producer_state_create(void);
void producer_state_destroy(producer_state_t *ps);

/* Checks a batch before append.  KERR_NONE: append it.
 * KERR_DUPLICATE_SEQUENCE_NUMBER: already appended at *dup_base_offset.
 * @locality any thread  @locks the partition lock held */
kerr_t producer_state_check(const producer_state_t *ps, const batch_header_t *hdr, int64_t *dup_base_offset);

/* Records a batch appended at base_offset (also used by recovery, through
 * log_open's on_batch, before the partition is published).
 * @locality any thread  @locks the partition lock held (none during recovery) */
void producer_state_update(producer_state_t *ps, const batch_header_t *hdr, int64_t base_offset);

/* After the log was cut at `new_end` (a follower's divergent tail): forgets
 * the batches at or past it, and the producers left with none, so that a
 * retry of a batch that was cut is appended again rather than answered as
 * a duplicate at an offset the log no longer holds.
 * @locality any thread  @locks the partition lock held */
void producer_state_truncate(producer_state_t *ps, int64_t new_end);

#endif
