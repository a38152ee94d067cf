/*
 * rest_server.h - the worker's REST listener (Kafka Connect's API).
 */
#ifndef CONNECTD_REST_SERVER_H
#define CONNECTD_REST_SERVER_H

#include <stddef.h>

#include "herder/herder.h"
#include "config/worker_config.h"

typedef struct rest_server rest_server_t;

/* Listens on wcfg->listeners ("http://:8083"; port 0 picks one), at the
 * address rest.bind names when set, and with basic authentication when
 * rest.basic.auth.credentials.file is set.  `wcfg` is read during the call
 * only.  NULL with errstr set when the address is malformed or taken, or
 * the credentials file is refused. */
rest_server_t *rest_server_start(const worker_config_t *wcfg, herder_t *herder, const char *cluster_id, char *errstr,
                                 size_t errstr_size);
void rest_server_stop(rest_server_t *srv); /* NULL is fine */

#endif
