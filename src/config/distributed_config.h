/*
 * distributed_config.h - the settings only a distributed worker reads
 * (Kafka's DistributedConfig and the REST advertisement of
 * RestServerConfig), with Kafka's names, defaults and documentation.  A
 * distributed worker reads the worker's rows (worker_config.h) and these;
 * where a key is in both (the three storage topics), this row is the one
 * distributed mode follows: Kafka requires the topics there.  A standalone
 * worker accepts these keys, so Kafka's sample files load, and uses none.
 */
#ifndef CONNECTD_DISTRIBUTED_CONFIG_H
#define CONNECTD_DISTRIBUTED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config_def.h"
#include "properties.h"

typedef struct distributed_config {
    /* Filled by the rows of distributed_config_defs; the strings are owned. */
    char *group_id;
    char *config_topic;
    char *offset_topic;
    char *status_topic;
    int32_t offset_partitions; /* -1: the broker's default */
    int32_t status_partitions;
    int16_t config_replication; /* -1: the broker's default */
    int16_t offset_replication;
    int16_t status_replication;
    int32_t session_timeout_ms;
    int32_t heartbeat_interval_ms;
    int32_t rebalance_timeout_ms;
    int16_t protocol; /* connect.protocol: 0 eager, 1 compatible, 2 sessioned (connect_protocol_t's values) */
    int32_t scheduled_rebalance_max_delay_ms;
    int32_t worker_sync_timeout_ms;
    int32_t worker_unsync_backoff_ms;
    char *advertised_host;     /* NULL: the REST listener's host */
    int32_t advertised_port;   /* 0: the REST listener's port */
    char *advertised_listener; /* "http", "https" or NULL: the REST listener's scheme */
    char *key_generation_algorithm;
    int32_t key_size_bits; /* 0: the algorithm's default */
    int32_t key_ttl_ms;
    char *signature_algorithm;
    char *verification_algorithms; /* a comma-separated list */
} distributed_config_t;

extern const config_def_t distributed_config_defs[];

/* Fills `cfg` from `props` (borrowed for the call) and checks the settings
 * against each other (heartbeat below session timeout, the signature
 * algorithm among the verification algorithms).  False with errstr naming
 * the setting; `cfg` is then already freed. */
bool distributed_config_init(distributed_config_t *cfg, const properties_t *props, char *errstr, size_t errstr_size);

void distributed_config_free(distributed_config_t *cfg);

#endif
