/*
 * quorum_transport.h - canonical raft's transport (struct
 * raft_uv_transport) on the controller listener, shared with the
 * controller's Kafka-protocol requests.
 *
 * raft's own TCP transport (raft_uv_tcp) would want a port to itself, but
 * Kafka puts the quorum and the brokers' BrokerRegistration/Heartbeat
 * requests on one controller listener, and so do we: this transport
 * accepts every connection on it and tells them apart by their first eight
 * bytes.  A raft peer opens with the magic "CDRAFT\0\1"; anything else is
 * the start of a Kafka request frame (its size and API key: a frame that
 * began with these bytes would be over 1 GB, far beyond
 * socket.request.max.bytes) and goes to the controller's request handler.
 *
 * A raft peer's handshake, then the acceptor's answer:
 *
 *   "CDRAFT\0\1"  id uint64  address_len uint16  voters_len uint16
 *   address  voters                            (big-endian; no NULs)
 *   answer: 0x00 (accepted), or 0x01, message_len uint16, message
 *
 * `voters` is the peer's controller.quorum.voters in canonical form
 * (sorted by id); a peer whose list is not this node's is refused with a
 * message that shows both, and the refused side is told (refused_cb), so a
 * misconfigured node learns it from the others.  After the answer the
 * stream is raft's (accepted: raft's accept callback; connected: the
 * connect callback), as with raft_uv_tcp.
 *
 * Streams are allocated with raft_malloc, as raft frees those it is given.
 *
 * Threads: everything runs on the loop given to quorum_transport_init (the
 * broker loop), as raft does.
 */
#ifndef CONNECTD_QUORUM_TRANSPORT_H
#define CONNECTD_QUORUM_TRANSPORT_H

#include <stdint.h>

#include <raft.h>
#include <raft/uv.h>
#include <uv.h>

/* A connection that is not a raft peer: `head` holds the first 8 bytes it
 * sent (the start of a Kafka frame).  The callee owns `tcp` (raft_malloc'd;
 * its close callback must raft_free it) and its reading is stopped. */
typedef void (*quorum_transport_rpc_cb)(void *arg, uv_tcp_t *tcp, const uint8_t head[8]);

/* A peer refused this node's handshake (`peer` is its raft id), or this
 * node refused a peer's (`peer` 0); `why` is the refusal's message. */
typedef void (*quorum_transport_refused_cb)(void *arg, raft_id peer, const char *why);

typedef struct quorum_transport_config {
    const char *bind_host; /* "" or NULL: every interface */
    int bind_port;
    const char *voters; /* canonical controller.quorum.voters */
    quorum_transport_rpc_cb on_rpc;
    quorum_transport_refused_cb on_refused;
    void *arg;
} quorum_transport_config_t;

/* Sets up `t` (its init, listen, connect and close); strings are copied.
 * 0, or a raft error code with t->errmsg set. */
int quorum_transport_init(struct raft_uv_transport *t, uv_loop_t *loop, const quorum_transport_config_t *cfg);

/* Frees what quorum_transport_init allocated; call after raft has closed
 * the transport (its close callback ran). */
void quorum_transport_release(struct raft_uv_transport *t);

/* The port listened on (after listen; useful with port 0). */
int quorum_transport_port(struct raft_uv_transport *t);

#endif
