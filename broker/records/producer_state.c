/* producer_state.c - sequence checks for idempotent producers; see producer_state.h. */
#include "producer_state.h"

#include <stdbool.h>
#include <stdlib.h>

#define BATCHES_KEPT 5

typedef struct seq_batch {
    int32_t first_seq;
    int32_t last_seq;
    int64_t base_offset;
} seq_batch_t;

typedef struct producer {
    int64_t id;
    int16_t epoch;
    int n_batches;            /* how many of `batches` are valid */
    int newest;               /* index of the newest batch */
    seq_batch_t batches[BATCHES_KEPT];
} producer_t;

/* Open addressing on the producer id; producers per partition are few. */
struct producer_state {
    producer_t *slots;
    size_t cap;
    size_t count;
};

producer_state_t *producer_state_create(void)
{
    producer_state_t *ps = calloc(1, sizeof(*ps));
    if (!ps) {
        abort();
    }
    return ps;
}

void producer_state_destroy(producer_state_t *ps)
{
    if (ps) {
        free(ps->slots);
        free(ps);
    }
}

static size_t slot_of(int64_t id, size_t cap)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

static producer_t *find(const producer_state_t *ps, int64_t id)
{
    if (!ps->cap) {
        return NULL;
    }
    for (size_t i = slot_of(id, ps->cap);; i = (i + 1) & (ps->cap - 1)) {
        if (ps->slots[i].id == id) {
            return &ps->slots[i];
        }
        if (ps->slots[i].id < 0) {
            return NULL;
        }
    }
}

static producer_t *insert(producer_state_t *ps, int64_t id);

static void grow(producer_state_t *ps)
{
    producer_t *old = ps->slots;
    size_t old_cap = ps->cap;
    ps->cap = old_cap ? old_cap * 2 : 8;
    ps->slots = malloc(ps->cap * sizeof(producer_t));
    if (!ps->slots) {
        abort();
    }
    for (size_t i = 0; i < ps->cap; i++) {
        ps->slots[i].id = -1;
    }
    ps->count = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].id >= 0) {
            *insert(ps, old[i].id) = old[i];
        }
    }
    free(old);
}

static producer_t *insert(producer_state_t *ps, int64_t id)
{
    if ((ps->count + 1) * 2 > ps->cap) {
        grow(ps);
    }
    size_t i = slot_of(id, ps->cap);
    while (ps->slots[i].id >= 0) {
        i = (i + 1) & (ps->cap - 1);
    }
    ps->count++;
    producer_t *p = &ps->slots[i];
    p->id = id;
    p->n_batches = 0;
    p->newest = 0;
    return p;
}

static int32_t last_seq_of(const batch_header_t *hdr)
{
    /* Sequences wrap at INT32_MAX (AK DefaultRecordBatch.incrementSequence). */
    int64_t last = (int64_t)hdr->base_sequence + hdr->last_offset_delta;
    return (int32_t)(last > INT32_MAX ? last - INT32_MAX - 1 : last);
}

static int32_t next_seq(int32_t seq)
{
    return seq == INT32_MAX ? 0 : seq + 1;
}

kerr_t producer_state_check(const producer_state_t *ps, const batch_header_t *hdr, int64_t *dup_base_offset)
{
    if (hdr->producer_id < 0) {
        return KERR_NONE;
    }
    const producer_t *p = find(ps, hdr->producer_id);
    if (!p || p->n_batches == 0) {
        return KERR_NONE;
    }
    if (hdr->producer_epoch < p->epoch) {
        return KERR_INVALID_PRODUCER_EPOCH;
    }
    if (hdr->producer_epoch > p->epoch) {
        return hdr->base_sequence == 0 ? KERR_NONE : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    }
    int32_t last = last_seq_of(hdr);
    for (int i = 0; i < p->n_batches; i++) {
        const seq_batch_t *b = &p->batches[i];
        if (b->first_seq == hdr->base_sequence && b->last_seq == last) {
            *dup_base_offset = b->base_offset;
            return KERR_DUPLICATE_SEQUENCE_NUMBER;
        }
    }
    if (hdr->base_sequence != next_seq(p->batches[p->newest].last_seq)) {
        return KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    }
    return KERR_NONE;
}

void producer_state_update(producer_state_t *ps, const batch_header_t *hdr, int64_t base_offset)
{
    if (hdr->producer_id < 0) {
        return;
    }
    producer_t *p = find(ps, hdr->producer_id);
    if (!p) {
        p = insert(ps, hdr->producer_id);
    }
    if (p->n_batches == 0 || hdr->producer_epoch != p->epoch) {
        p->epoch = hdr->producer_epoch;
        p->n_batches = 0;
        p->newest = BATCHES_KEPT - 1;
    }
    p->newest = (p->newest + 1) % BATCHES_KEPT;
    p->batches[p->newest] = (seq_batch_t){hdr->base_sequence, last_seq_of(hdr), base_offset};
    if (p->n_batches < BATCHES_KEPT) {
        p->n_batches++;
    }
}

void producer_state_truncate(producer_state_t *ps, int64_t new_end)
{
    bool emptied = false;
    for (size_t i = 0; i < ps->cap; i++) {
        producer_t *p = &ps->slots[i];
        if (p->id < 0) {
            continue;
        }
        /* Newer batches have higher offsets: drop from the newest back. */
        while (p->n_batches > 0 && p->batches[p->newest].base_offset >= new_end) {
            p->newest = (p->newest + BATCHES_KEPT - 1) % BATCHES_KEPT;
            p->n_batches--;
        }
        emptied |= p->n_batches == 0;
    }
    if (!emptied) {
        return;
    }
    /* Open addressing cannot just clear a slot: insert the others afresh. */
    producer_t *old = ps->slots;
    size_t cap = ps->cap;
    ps->slots = NULL;
    ps->cap = 0;
    ps->count = 0;
    for (size_t i = 0; i < cap; i++) {
        if (old[i].id >= 0 && old[i].n_batches > 0) {
            *insert(ps, old[i].id) = old[i];
        }
    }
    free(old);
}
