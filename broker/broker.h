/*
 * broker.h - a Kafka-protocol broker node: storage, network server and
 * periodic upkeep, driven by a libuv loop the caller runs.
 *
 * `connectd broker` runs one on its main loop; a standalone worker given no
 * bootstrap.servers embeds one and runs its loop on a thread of its own
 * (src/embedded_broker.c).
 */
#ifndef CONNECTD_BROKER_H
#define CONNECTD_BROKER_H

#include <stddef.h>

#include <uv.h>

#include "config/config.h"
#include "metrics.h"

typedef struct broker broker_t;

/*
 * Opens the log dirs (recovering every partition), binds the listener and
 * starts the network threads, and the upkeep and group timers on `loop`.
 * `cfg` is owned by the broker from here on, also on failure.  NULL with
 * errstr set when the broker cannot start (unusable log dir, port in use,
 * bad listener).
 */
broker_t *broker_create(uv_loop_t *loop, broker_config_t *cfg, char *errstr, size_t errstr_size);

/* The port the listener is bound to (useful with port 0). */
int broker_port(const broker_t *broker);

/* Appends the broker's metric families (docs/metrics.md) to `out`.  Any
 * thread, while the broker lives; takes the broker's locks briefly. */
void broker_write_metrics(broker_t *broker, metrics_text_t *out);

/* Stops accepting, closes connections, flushes every log, writes the
 * checkpoints and frees.  Handles are closed on `loop`; run it once more to
 * let them finish.  NULL is fine. */
void broker_destroy(broker_t *broker);

#endif
