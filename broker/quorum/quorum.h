/*
 * quorum.h - a node's part in a connectd cluster (docs/cluster.md): the
 * metadata quorum on canonical raft when the node is a controller, and
 * the broker's registration and heartbeats to the active controller when
 * it is a broker (process.roles; both on one node is the usual set-up).
 *
 * Controller.  raft (libraft, libuv I/O backend) runs on the broker loop
 * with the transport of quorum_transport.h on the CONTROLLER listener; its
 * data lives in <metadata.log.dir>/__cluster_metadata-0/, the directory
 * Kafka gives its metadata log, and the ids of raft are node.id + 1 (raft
 * reserves 0).  The replicated state machine is the metadata image
 * (metadata/metadata_image.h): each raft entry is one batch of Kafka
 * metadata records, applied in log order on every controller; raft
 * snapshots are the image written as records.  The raft leader is the
 * active controller.  It alone answers BrokerRegistration and
 * BrokerHeartbeat (the others answer NOT_CONTROLLER), writes
 * RegisterBrokerRecord, UnfenceBrokerRecord on a registered broker's first
 * heartbeat, and FenceBrokerRecord for a broker that has not heartbeaten
 * for broker.session.timeout.ms, as Kafka's BrokerHeartbeatManager.
 *
 * Broker.  A broker registers with the active controller (a random
 * incarnation id per start, its inter-broker listener as endpoint) and
 * heartbeats every broker.heartbeat.interval.ms, following NOT_CONTROLLER
 * to another voter.  A registration refused because another live broker
 * holds the node.id for longer than a session, or because the voters or
 * the cluster id disagree, is fatal: the node logs why and stops.
 *
 * Threads.  Everything runs on the broker loop, except the readers marked
 * "any thread".  The image is written on the loop under the quorum's image
 * lock (a rwlock, a leaf of broker.h's lock order: nothing is taken under
 * it), and read elsewhere under it.
 */
#ifndef CONNECTD_QUORUM_H
#define CONNECTD_QUORUM_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "config/broker_config.h"
#include "metadata/metadata_image.h"

typedef struct quorum quorum_t;

/* Called on the loop when the node cannot go on in its cluster (`why` says
 * what to fix); the owner shuts the node down. */
typedef void (*quorum_fatal_cb)(void *arg, const char *why);

typedef struct quorum_config {
    const broker_config_t *cfg; /* borrowed; outlives the quorum */
    const char *cluster_id;
    /* The broker's endpoint to register: the inter-broker listener as
     * advertised (host NULL or "": the loopback address). */
    const char *listener_name;
    const char *host;
    int port;
    quorum_fatal_cb on_fatal;
    /* Called on the loop, with no lock held, after the image changed (an
     * entry applied or a snapshot restored) and after a submission
     * (quorum_submit) finished: the owner brings its local logs in line
     * with the image and wakes the requests waiting on it.  Not called
     * before quorum_create returns (raft restores its snapshot there): the
     * owner looks at the image once then.  May be NULL. */
    void (*on_change)(void *arg);
    void *arg;
} quorum_config_t;

/*
 * Starts the node's cluster roles on `loop`: raft (opening or bootstrapping
 * its data) and the controller listener for a controller, the registration
 * for a broker.  NULL with errstr when it cannot (a data dir it cannot
 * create, a port in use, raft data whose voters are not the configured
 * ones).
 * @locality the broker loop's thread, before the loop runs or on it
 */
quorum_t *quorum_create(uv_loop_t *loop, const quorum_config_t *qcfg, char *errstr, size_t errstr_size);

/* Stops everything and frees the quorum once its handles have closed (run
 * the loop once more).  NULL is fine.
 * @locality the broker loop */
void quorum_destroy(quorum_t *q);

/* The cluster id of a KRaft node whose log dir has none yet: derived from
 * the voters, so every node of a cluster formats alike (22 characters of
 * URL-safe base64, as Kafka's Uuid).  Writes 23 bytes.
 * @locality any thread  @locks none (pure) */
void quorum_cluster_id_derive(const broker_config_t *cfg, char *out);

/* The node id of the active controller as this node knows it, -1 when none.
 * @locality any thread  @locks none (an atomic) */
int32_t quorum_leader_id(const quorum_t *q);

/* Whether this node's broker is fenced, as the active controller last
 * answered its heartbeat (true until then).  A fenced broker leads no
 * partition, even where its image still names it: after a restart, the
 * image it starts with may be older than the cluster's.
 * @locality any thread  @locks none (an atomic) */
bool quorum_is_fenced(const quorum_t *q);

/* Whether this node is the active controller (the raft leader) as of its
 * last tick.
 * @locality any thread  @locks none (an atomic) */
bool quorum_is_active_controller(const quorum_t *q);

/*
 * Records for the active controller to write to the metadata log, from any
 * thread (CreateTopics, DeleteTopics on a network thread): they are
 * encoded now and proposed on the loop as one entry.  The ticket tells when
 * the entry is committed and applied to this node's image, or failed (this
 * node is not, or no longer, the leader); on_change runs then.  Release the
 * ticket once done with it, finished or not.
 * @locality any thread  @locks none held but the caller's own (a mutex, a
 *           leaf, guards the queue)
 */
typedef struct quorum_ticket quorum_ticket_t;
typedef enum quorum_ticket_state {
    QUORUM_TICKET_PENDING,
    QUORUM_TICKET_COMMITTED,
    QUORUM_TICKET_FAILED,
} quorum_ticket_state_t;

quorum_ticket_t *quorum_submit(quorum_t *q, const meta_record_t *recs, size_t n);
quorum_ticket_state_t quorum_ticket_state(const quorum_ticket_t *t);
void quorum_ticket_release(quorum_ticket_t *t);

/* Asks the active controller to make `isr` the partition's ISR
 * (AlterPartition), as the partition's leader does when a follower falls
 * behind or catches up.  Sent on the broker's connection to the
 * controller between heartbeats; the outcome shows in the image (a
 * leader that sees no change asks again).  A newer request for the same
 * partition replaces one not sent yet.  `isr` is copied.
 * @locality the broker loop */
void quorum_alter_partition(quorum_t *q, const kuuid_t *topic_id, int32_t partition, int32_t leader_epoch,
                            int32_t partition_epoch, const int32_t *isr, int32_t n_isr);

/* The port of the controller listener (useful with port 0), -1 without one.
 * @locality the broker loop */
int quorum_controller_port(quorum_t *q);

/* The image lock, for reading the image from any thread: the pointer of
 * quorum_image and everything it gives stay valid until unlock.  Nothing
 * else may be taken while it is held.
 * @locality any thread */
void quorum_read_lock(quorum_t *q);
void quorum_read_unlock(quorum_t *q);
const meta_image_t *quorum_image(const quorum_t *q);

#endif
