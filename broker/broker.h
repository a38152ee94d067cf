/*
 * broker.h - a Kafka-protocol broker node: storage, network server and
 * periodic upkeep, driven by a libuv loop the caller runs.
 *
 * `connectd broker` runs one on its main loop; a standalone worker given no
 * bootstrap.servers embeds one and runs its loop on a thread of its own
 * (src/embedded_broker.c).
 *
 * Threads.
 * - The broker loop: the loop given to broker_create, on whichever thread
 *   runs it.  It accepts connections and deals them to the network threads
 *   (net/server.h), and runs two timers: upkeep every second
 *   (topics_maintain, coordinator_maintain) and the group tick every 50 ms
 *   (coordinator_tick).  broker_destroy runs on it too.
 * - num.network.threads network threads, each running a libuv loop of its
 *   own.  A connection lives on one of them: its requests are decoded,
 *   handled (handlers/handlers.h), parked, rechecked and answered there.  A
 *   request that must wait (long-poll Fetch, JoinGroup, SyncGroup) is parked
 *   on a timer and rechecked after each server_wake_all(), so a network
 *   thread waits for other threads only to take the locks below, never for
 *   an event.
 * - Any thread: broker_write_metrics (the worker's GET /metrics).
 *
 * Locks.  This is the one list of the broker's locks and of their order;
 * other headers point here.  A thread holding a lock takes only locks below
 * it in the list:
 *
 *   1. the coordinator lock (coordinator_t.lock, group/coordinator.h; mutex):
 *      every consumer group - the group table, each group_t, the committed
 *      offsets, the rewrite bookkeeping of __consumer_offsets.  It comes
 *      before the registry because the coordinator appends its records to
 *      __consumer_offsets while holding it (and creates that topic, with the
 *      registry write lock, on first use).
 *   2. the registry lock (topics_t.lock, topics/topics.h; rwlock, writers
 *      preferred): the list of topics and each topic's partition array, so
 *      the life of every topic_t and partition_t.  Held for reading to look
 *      up and use any of them, which stay valid only while it is held; for
 *      writing by topic creation, deletion and CreatePartitions.  Never
 *      taken twice by one thread, not even for reading: with a writer
 *      waiting, the second read lock blocks and the thread deadlocks.
 *      topics_create and friends therefore run without it (Metadata and
 *      Produce drop it to auto-create a topic).
 *   3. the checkpoint lock (topics_t.checkpoint_lock, topics.c; mutex): the
 *      recovery-point and log-start checkpoint files, whose writers share
 *      temp-file names.  Taken with the registry lock held in either mode
 *      (or at shut-down, when nothing else runs).
 *   4. a partition lock (partition_t.lock, topics.h; mutex): one
 *      partition's log_t with its segments and indexes, its
 *      producer_state_t and last_flush_ms.  Taken with the registry lock
 *      held, and one at a time: never two partition locks at once.
 *
 *   Leaves, under which nothing else is taken (today they are also taken
 *   with no other lock held, except the image lock):
 *   - the producer-id lock (topics_t.pid_lock, topics.c; mutex): the next
 *     producer id, its reserved block and the producer-id-block file;
 *   - each network thread's fd lock (worker_t.fd_lock, net/server.c;
 *     mutex): the accepted descriptors the broker loop hands that thread;
 *   - in a cluster, the metadata image lock (quorum.c; rwlock): the
 *     cluster metadata image, written by the broker loop as raft applies
 *     entries, read by the handlers on the network threads (Produce and
 *     Fetch with the registry read lock held, to check leadership) and
 *     by the loop before it brings the logs in line (broker.c).  The
 *     quorum's submission queue lock (quorum.c; mutex) is a leaf too.
 *
 *   Shared without a lock:
 *   - each network thread's n_parked (net/server.c; atomic int): how many
 *     requests it has parked, written by that thread and read by
 *     server_wake_all() on any thread to skip idle ones.  A handler parks
 *     before it looks at the data once more, so a wake-up in between is
 *     not lost;
 *   - the topics' traffic counters and the per-API latency summaries
 *     (atomics of lib/metrics.h);
 *   - the CRC-32C table (records/crc32c.c), built once by pthread_once.
 *
 *   Outside the broker: the worker holds lib/metrics.c's collector lock
 *   while it calls broker_write_metrics, so that lock comes before all of
 *   these; lib/blog.c's logger-table lock is a leaf below all of them.
 */
#ifndef CONNECTD_BROKER_H
#define CONNECTD_BROKER_H

#include <stddef.h>

#include <uv.h>

#include "config/broker_config.h"
#include "metrics.h"

typedef struct broker broker_t;

/*
 * Opens the log dirs (recovering every partition), binds the listener and
 * starts the network threads, and the upkeep and group timers on `loop`.
 * With process.roles it also starts the node's cluster roles
 * (quorum/quorum.h): the metadata quorum on the controller listener, the
 * registration with the active controller.
 * `cfg` is owned by the broker from here on, also on failure.  NULL with
 * errstr set when the broker cannot start (unusable log dir, port in use,
 * bad listener).
 * @locality start-up: the thread that runs `loop`, or any thread before
 *           `loop` first runs (the embedded broker creates it on the
 *           worker's main thread, then runs the loop on its own)
 * @locks none (no request is served before it returns)
 */
broker_t *broker_create(uv_loop_t *loop, broker_config_t *cfg, char *errstr, size_t errstr_size);

/* Called on the broker loop when the node cannot go on (in a cluster: its
 * node.id in use by a live broker, voters that disagree with the
 * quorum's); `why` says what to fix.  The owner shuts the broker down from
 * a later loop callback, never from inside this one.
 * @locality start-up, before the loop runs */
typedef void (*broker_fatal_cb)(void *arg, const char *why);
void broker_on_fatal(broker_t *broker, broker_fatal_cb cb, void *arg);

/* The port the listener is bound to (useful with port 0).
 * @locality any thread, while the broker lives  @locks none (set once by
 * broker_create) */
int broker_port(const broker_t *broker);

/* Appends the broker's metric families (docs/metrics.md) to `out`.
 * @locality any thread, while the broker lives
 * @locks takes the registry read lock with partition locks under it, then
 *        the coordinator lock with those under it (broker_metrics_write);
 *        call with none of them held */
void broker_write_metrics(broker_t *broker, metrics_text_t *out);

/* Stops accepting, closes connections, flushes every log, writes the
 * checkpoints and frees.  Handles are closed on `loop`; run it once more to
 * let them finish.  NULL is fine.
 * @locality shut-down: the thread running `loop` (from one of its callbacks),
 *           once no other thread calls broker_write_metrics; it joins the
 *           network threads before it frees what they use
 * @locks none held (it waits for the handlers still running, which may
 *        need any broker lock); takes the checkpoint lock and partition
 *        locks while it writes the checkpoints */
void broker_destroy(broker_t *broker);

#endif
