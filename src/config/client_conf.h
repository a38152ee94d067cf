/*
 * client_conf.h - the librdkafka configuration of every client the worker
 * makes (internal topics, task producers and consumers), so that the
 * worker's `producer.` and `consumer.` settings reach all of them the same
 * way, and what a connector may add to them with `producer.override.`,
 * `consumer.override.` and `admin.override.`.
 *
 * The worker file is the operator's and reaches librdkafka whole.  A
 * connector config comes from whoever can reach REST, so its overrides go
 * through two gates, in the manner of Kafka Connect:
 *   - the worker's connector.client.config.override.policy (Kafka's None,
 *     Principal, All; All by default, as Kafka since 3.0);
 *   - whatever the policy, a fixed deny-list of librdkafka properties that
 *     load code, run commands, read local files or fetch URLs from the
 *     worker's host (client_conf_denied; docs/security.md has the table).
 * Both are judged when a connector config is validated (a 400 naming the
 * key) and again when a client is made, since a stored config may predate
 * the rules or come from the config topic rather than REST.
 */
#ifndef CONNECTD_CLIENT_CONF_H
#define CONNECTD_CLIENT_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "config_validate.h"
#include "properties.h"

/* The worker setting naming the policy. */
#define CLIENT_OVERRIDE_POLICY_CONFIG "connector.client.config.override.policy"

/* Kafka's ConnectorClientConfigOverridePolicy implementations. */
typedef enum client_override_policy {
    CLIENT_OVERRIDE_ALL,       /* any key but the deny-list */
    CLIENT_OVERRIDE_NONE,      /* no override at all */
    CLIENT_OVERRIDE_PRINCIPAL, /* only the keys that say who the client is */
} client_override_policy_t;

/* The policy `name` names: Kafka's alias ("All", "None", "Principal") or
 * class name (org.apache.kafka.connect.connector.policy.AllConnectorClient
 * ConfigOverridePolicy, ...); NULL is Kafka's default, All.  -1: none.
 * @locality any thread
 * @locks none */
int client_override_policy_parse(const char *name);
/* Kafka's alias of `policy`, as its messages show it ("Principal"). */
const char *client_override_policy_name(client_override_policy_t policy);

/* Why librdkafka property `key` (a connector override with its prefix
 * removed) may never come from a connector config, or NULL when it may.
 * A leading "topic." (librdkafka's way to reach the default topic config)
 * is looked through. */
const char *client_conf_denied(const char *key);

/* Whether the override `key` (prefix removed) is allowed under `policy`
 * and the deny-list; when not, `why` holds the message for the key
 * (Kafka's "The 'None' policy does not allow 'acks' to be overridden in
 * the connector configuration."). */
bool client_conf_override_allowed(const char *key, client_override_policy_t policy, char *why, size_t why_size);

/* Adds an error to `res` for each `producer.override.`, `consumer.override.`
 * or `admin.override.` key of `config` that `policy` or the deny-list
 * refuses, on the key as written; returns how many. */
int client_conf_check_overrides(cv_result_t *res, const properties_t *config, client_override_policy_t policy);

/* The defaults of a task's producers (a source task's and its dead letter
 * queue's), for client_conf_new: idempotence, as Kafka Connect's producers;
 * a 5 ms linger; and at most 32 MiB of records waiting to be sent, Kafka's
 * buffer.memory, where librdkafka would queue up to 1 GiB per producer (a
 * CDC drain peaked at 290 MB of worker RSS with it, 108 MB without). */
extern const char *const client_conf_task_producer_defaults[];

/* bootstrap.servers, quiet librdkafka logs, then `defaults` (key, value
 * pairs ending in NULL; may be NULL), then the worker's keys starting with
 * `prefix` (prefix removed), which win.  A key librdkafka does not know is
 * logged and ignored. */
rd_kafka_conf_t *client_conf_new(const char *bootstrap, const properties_t *worker_props, const char *prefix,
                                 const char *const *defaults);

/* client_conf_new for the worker's own clients (its internal topics and
 * their admin): the worker file's unprefixed security keys
 * (client_conf_is_security_key) come before the prefixed ones, as Kafka
 * Connect gives its internal clients the worker's security.protocol,
 * sasl.* and ssl.*.  Tasks' clients take only their prefix, as Kafka's. */
rd_kafka_conf_t *client_conf_new_internal(const char *bootstrap, const properties_t *worker_props, const char *prefix,
                                          const char *const *defaults);
/* Whether a worker-file key is one of those: security.protocol, sasl.*, ssl.*. */
bool client_conf_is_security_key(const char *key);

/* Sets the keys of connector config `config` starting with `prefix`
 * ("producer.override."), prefix removed, on `conf`; `who` names the task
 * in logs.  A key librdkafka does not know is logged and ignored.  Returns
 * false with errstr naming the first key `policy` or the deny-list refuses,
 * having set none. */
bool client_conf_apply_overrides(rd_kafka_conf_t *conf, const properties_t *config, const char *prefix,
                                 client_override_policy_t policy, const char *who, char *errstr, size_t errstr_size);

#endif
