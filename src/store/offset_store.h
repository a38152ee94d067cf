/*
 * offset_store.h - source connectors' committed offsets.
 *
 * Kafka Connect's format: key = JSON ["<connector>", {<source partition>}],
 * value = JSON {<source offset>} (a null value resets), e.g.
 * ["local-file-source",{"filename":"test.txt"}] -> {"position":30}.
 * Stored in the offsets topic (offset.storage.topic, compacted) or, when
 * offset.storage.file.filename is set, in that file, which is rewritten
 * atomically on each commit.  Kafka's file holds Java-serialised bytes no C
 * program can share; connectd's holds the same keys and values as one JSON
 * object per line ({"key":..., "value":...}), readable by people.
 *
 * Thread-safe: source tasks commit from their own threads.
 */
#ifndef CONNECTD_OFFSET_STORE_H
#define CONNECTD_OFFSET_STORE_H

#include <stddef.h>

#include "kvtopic.h"

typedef struct offset_store offset_store_t;

/* Loads the file (missing is fine: no offsets yet).  NULL with errstr set
 * when it cannot be read or does not parse. */
offset_store_t *offset_store_open_file(const char *path, char *errstr, size_t errstr_size);
/* Reads the whole topic; takes `kv`.  NULL with errstr set on failure. */
offset_store_t *offset_store_open_topic(kvtopic_t *kv, char *errstr, size_t errstr_size);
void offset_store_close(offset_store_t *store); /* NULL is fine */

/* Reads the topic again to its end, so offsets other workers committed
 * since the store opened are in force here, as Kafka's
 * KafkaOffsetBackingStore.get reads to the end first.  A distributed worker
 * calls it before a task starts: a task that moved from a worker that died
 * goes on from its last commit, not from what the topic held when this
 * worker started.  A file store has nothing to read: 0.  -1 with errstr set
 * when the topic cannot be read (the offsets in memory stay). */
int offset_store_refresh(offset_store_t *store, char *errstr, size_t errstr_size);

/* From now on the topic's keys name connector c as "<scope><c>"
 * (["host:8083/local-file-source",{...}]), so standalone workers sharing
 * the offsets topic keep apart the offsets of connectors of the same name
 * (herder.c says which scope).  The callers still pass and get plain
 * connector names.  A file store ignores it: the file is one worker's.
 * `scope` is copied.  Call before any other thread uses the store. */
void offset_store_scope(offset_store_t *store, const char *scope);

/* The committed offset (JSON text, malloc'd, caller frees) of a
 * connector's source partition (JSON text), or NULL. */
char *offset_store_get(offset_store_t *store, const char *connector, const char *partition_json);

/* Commits offsets for `n` source partitions at once; durable on return.
 * A NULL offset resets the partition.  -1 with errstr set on failure
 * (nothing is applied). */
int offset_store_put(offset_store_t *store, const char *connector, const char *const *partition_jsons,
                     const char *const *offset_jsons, int n, char *errstr, size_t errstr_size);

/* Every source partition `connector` has an offset for, in no particular
 * order: sets *partition_jsons and *offset_jsons to n JSON texts each
 * (compact, malloc'd; free both with offset_store_list_free) and returns n.
 * Keys that are not ["<connector>", {...}] are skipped, as Kafka skips them. */
int offset_store_list(offset_store_t *store, const char *connector, char ***partition_jsons, char ***offset_jsons);
void offset_store_list_free(char **partition_jsons, char **offset_jsons, int n);

#endif
