/* distributed_config.c - a distributed worker's own settings; see distributed_config.h. */
#include "distributed_config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define FIELD(member) CONFIG_DEF_FIELD(distributed_config_t, member)

/* Kafka's TopicCreationConfig validators, in its words. */
static config_def_problem_t check_replication(const config_def_t *key, const char *name, const char *value,
                                              const char **shown, char *why, size_t why_size)
{
    if (strcmp(value, "0") == 0 || (value[0] == '-' && strcmp(value, "-1") != 0)) {
        snprintf(why, why_size,
                 "Replication factor must be positive and not larger than the number of brokers in "
                 "the Kafka cluster, or -1 to use the broker's default");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

static config_def_problem_t check_partitions(const config_def_t *key, const char *name, const char *value,
                                             const char **shown, char *why, size_t why_size)
{
    if (strcmp(value, "0") == 0 || (value[0] == '-' && strcmp(value, "-1") != 0)) {
        snprintf(why, why_size, "Number of partitions must be positive, or -1 to use the broker's default");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

/* The order of connect_protocol_t: a choice's index is its version. */
static const char *const protocols[] = {"eager", "compatible", "sessioned", NULL};

/* Kafka takes any algorithm the JVM has; connectd signs with OpenSSL's
 * HMACs, under the JVM's names. */
static const char *const hmacs[] = {"HmacSHA1", "HmacSHA224", "HmacSHA256", "HmacSHA384", "HmacSHA512", NULL};

static const char *const listeners[] = {"http", "https", NULL};

const config_def_t distributed_config_defs[] = {
    {.name = "group.id",
     .type = CONFIG_DEF_STRING,
     .importance = CONFIG_DEF_HIGH,
     .flags = CONFIG_DEF_REQUIRED,
     .doc = "A unique string that identifies the Connect cluster group this worker belongs to.",
     FIELD(group_id)},
    {.name = "config.storage.topic",
     .type = CONFIG_DEF_STRING,
     .importance = CONFIG_DEF_HIGH,
     .flags = CONFIG_DEF_REQUIRED,
     .doc = "The name of the Kafka topic where connector configurations are stored",
     FIELD(config_topic)},
    {.name = "config.storage.replication.factor",
     .type = CONFIG_DEF_SHORT,
     .default_value = "3",
     .importance = CONFIG_DEF_LOW,
     .validate = check_replication,
     .doc = "Replication factor used when creating the configuration storage topic",
     FIELD(config_replication)},
    {.name = "offset.storage.topic",
     .type = CONFIG_DEF_STRING,
     .importance = CONFIG_DEF_HIGH,
     .flags = CONFIG_DEF_REQUIRED,
     .doc = "The name of the Kafka topic where source connector offsets are stored",
     FIELD(offset_topic)},
    {.name = "offset.storage.partitions",
     .type = CONFIG_DEF_INT,
     .default_value = "25",
     .importance = CONFIG_DEF_LOW,
     .validate = check_partitions,
     .doc = "The number of partitions used when creating the offset storage topic",
     FIELD(offset_partitions)},
    {.name = "offset.storage.replication.factor",
     .type = CONFIG_DEF_SHORT,
     .default_value = "3",
     .importance = CONFIG_DEF_LOW,
     .validate = check_replication,
     .doc = "Replication factor used when creating the offset storage topic",
     FIELD(offset_replication)},
    {.name = "status.storage.topic",
     .type = CONFIG_DEF_STRING,
     .importance = CONFIG_DEF_HIGH,
     .flags = CONFIG_DEF_REQUIRED,
     .doc = "The name of the Kafka topic where connector and task status are stored",
     FIELD(status_topic)},
    {.name = "status.storage.partitions",
     .type = CONFIG_DEF_INT,
     .default_value = "5",
     .importance = CONFIG_DEF_LOW,
     .validate = check_partitions,
     .doc = "The number of partitions used when creating the status storage topic",
     FIELD(status_partitions)},
    {.name = "status.storage.replication.factor",
     .type = CONFIG_DEF_SHORT,
     .default_value = "3",
     .importance = CONFIG_DEF_LOW,
     .validate = check_replication,
     .doc = "Replication factor used when creating the status storage topic",
     FIELD(status_replication)},
    {.name = "session.timeout.ms",
     .type = CONFIG_DEF_INT,
     .default_value = "10000",
     .importance = CONFIG_DEF_HIGH,
     CONFIG_DEF_AT_LEAST(1),
     .doc = "The timeout used to detect worker failures. The worker sends periodic heartbeats to indicate its "
            "liveness to the broker. If no heartbeats are received by the broker before the expiration of this "
            "session timeout, then the broker will remove the worker from the group and initiate a rebalance. Note "
            "that the value must be in the allowable range as configured in the broker configuration by "
            "<code>group.min.session.timeout.ms</code> and <code>group.max.session.timeout.ms</code>.",
     FIELD(session_timeout_ms)},
    {.name = "rebalance.timeout.ms",
     .type = CONFIG_DEF_INT,
     .default_value = "60000",
     .importance = CONFIG_DEF_HIGH,
     CONFIG_DEF_AT_LEAST(1),
     .doc = "The maximum allowed time for each worker to join the group once a rebalance has begun. This is "
            "basically a limit on the amount of time needed for all tasks to flush any pending data and commit "
            "offsets. If the timeout is exceeded, then the worker will be removed from the group, which will cause "
            "offset commit failures.",
     FIELD(rebalance_timeout_ms)},
    {.name = "heartbeat.interval.ms",
     .type = CONFIG_DEF_INT,
     .default_value = "3000",
     .importance = CONFIG_DEF_HIGH,
     CONFIG_DEF_AT_LEAST(1),
     .doc = "The expected time between heartbeats to the group coordinator when using Kafka's group management "
            "facilities. Heartbeats are used to ensure that the worker's session stays active and to facilitate "
            "rebalancing when new members join or leave the group. The value must be set lower than "
            "<code>session.timeout.ms</code>, but typically should be set no higher than 1/3 of that value. It can "
            "be adjusted even lower to control the expected time for normal rebalances.",
     FIELD(heartbeat_interval_ms)},
    {.name = "connect.protocol",
     .type = CONFIG_DEF_STRING,
     .default_value = "sessioned",
     .importance = CONFIG_DEF_LOW,
     .flags = CONFIG_DEF_NOCASE,
     .choices = protocols,
     .doc = "Compatibility mode for Kafka Connect Protocol: 'eager' (every rebalance stops everything), "
            "'compatible' (incremental cooperative: only what moves is stopped) or 'sessioned' (compatible, and "
            "internal requests between workers are signed with a session key).",
     FIELD(protocol)},
    {.name = "scheduled.rebalance.max.delay.ms",
     .type = CONFIG_DEF_INT,
     .default_value = "0",
     .importance = CONFIG_DEF_LOW,
     CONFIG_DEF_RANGE(0, INT32_MAX),
     .doc = "The maximum delay that is scheduled in order to wait for the return of one or more departed workers "
            "before rebalancing and reassigning their connectors and tasks to the group. During this period the "
            "connectors and tasks of the departed workers remain unassigned. connectd's default is 0 (the work of "
            "a departed worker moves as soon as its session expires); Kafka's is 300000",
     FIELD(scheduled_rebalance_max_delay_ms)},
    {.name = "worker.sync.timeout.ms",
     .type = CONFIG_DEF_INT,
     .default_value = "3000",
     .importance = CONFIG_DEF_MEDIUM,
     CONFIG_DEF_AT_LEAST(0),
     .doc = "When the worker is out of sync with other workers and needs to resynchronize configurations, wait up "
            "to this amount of time before giving up, leaving the group, and waiting a backoff period before "
            "rejoining.",
     FIELD(worker_sync_timeout_ms)},
    {.name = "worker.unsync.backoff.ms",
     .type = CONFIG_DEF_INT,
     .default_value = "300000",
     .importance = CONFIG_DEF_MEDIUM,
     CONFIG_DEF_AT_LEAST(0),
     .doc = "When the worker is out of sync with other workers and fails to catch up within "
            "worker.sync.timeout.ms, leave the Connect cluster for this long before rejoining.",
     FIELD(worker_unsync_backoff_ms)},
    {.name = "rest.advertised.host.name",
     .type = CONFIG_DEF_STRING,
     .importance = CONFIG_DEF_LOW,
     .doc = "If this is set, this is the hostname that will be given out to other workers to connect to.",
     FIELD(advertised_host)},
    {.name = "rest.advertised.port",
     .type = CONFIG_DEF_INT,
     .importance = CONFIG_DEF_LOW,
     CONFIG_DEF_RANGE(1, 65535),
     .doc = "If this is set, this is the port that will be given out to other workers to connect to.",
     FIELD(advertised_port)},
    {.name = "rest.advertised.listener",
     .type = CONFIG_DEF_STRING,
     .importance = CONFIG_DEF_LOW,
     .flags = CONFIG_DEF_NOCASE,
     .choices = listeners,
     .doc = "Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use.",
     FIELD(advertised_listener)},
    {.name = "inter.worker.key.generation.algorithm",
     .type = CONFIG_DEF_STRING,
     .default_value = "HmacSHA256",
     .importance = CONFIG_DEF_LOW,
     .choices = hmacs,
     .doc = "The algorithm to use for generating internal request keys. The algorithm 'HmacSHA256' will be used as "
            "a default.",
     FIELD(key_generation_algorithm)},
    {.name = "inter.worker.key.size",
     .type = CONFIG_DEF_INT,
     .importance = CONFIG_DEF_LOW,
     CONFIG_DEF_RANGE(8, 8192),
     .doc = "The size of the key to use for signing internal requests, in bits. If null, the default key size for "
            "the key generation algorithm will be used.",
     FIELD(key_size_bits)},
    {.name = "inter.worker.key.ttl.ms",
     .type = CONFIG_DEF_INT,
     .default_value = "3600000",
     .importance = CONFIG_DEF_LOW,
     CONFIG_DEF_RANGE(0, INT32_MAX),
     .doc = "The TTL of generated session keys used for internal request validation (in milliseconds)",
     FIELD(key_ttl_ms)},
    {.name = "inter.worker.signature.algorithm",
     .type = CONFIG_DEF_STRING,
     .default_value = "HmacSHA256",
     .importance = CONFIG_DEF_LOW,
     .choices = hmacs,
     .doc = "The algorithm used to sign internal requests. The algorithm 'HmacSHA256' will be used as a default.",
     FIELD(signature_algorithm)},
    {.name = "inter.worker.verification.algorithms",
     .type = CONFIG_DEF_LIST,
     .default_value = "HmacSHA256",
     .importance = CONFIG_DEF_LOW,
     .choices = hmacs,
     .doc = "A list of permitted algorithms for verifying internal requests, which must include the algorithm used "
            "for the inter.worker.signature.algorithm property. The algorithm(s) '[HmacSHA256]' will be used as a "
            "default.",
     FIELD(verification_algorithms)},
    {.name = NULL},
};

/* Whether the comma-separated `list` holds `item`, spaces around items
 * ignored as Kafka's LIST parsing ignores them. */
static bool list_has(const char *list, const char *item)
{
    size_t len = strlen(item);
    for (const char *p = list; *p;) {
        while (*p == ' ') {
            p++;
        }
        size_t n = strcspn(p, ",");
        size_t m = n;
        while (m > 0 && p[m - 1] == ' ') {
            m--;
        }
        if (m == len && strncmp(p, item, len) == 0) {
            return true;
        }
        p += n + (p[n] == ',');
    }
    return false;
}

bool distributed_config_init(distributed_config_t *cfg, const properties_t *props, char *errstr, size_t errstr_size)
{
    memset(cfg, 0, sizeof(*cfg));
    if (!config_def_fill(distributed_config_defs, cfg, props, CONFIG_DEF_EMPTY_IS_UNSET, errstr, errstr_size)) {
        distributed_config_free(cfg);
        return false;
    }
    /* Kafka leaves these to the group coordinator, which refuses the join
     * with a message about neither; said here, before anything starts. */
    if (cfg->heartbeat_interval_ms >= cfg->session_timeout_ms) {
        snprintf(errstr, errstr_size,
                 "heartbeat.interval.ms (%d) must be lower than session.timeout.ms (%d), typically no more than a "
                 "third of it",
                 cfg->heartbeat_interval_ms, cfg->session_timeout_ms);
        distributed_config_free(cfg);
        return false;
    }
    /* The worker's own group client (distributed/group_member.c) speaks
     * PLAINTEXT only: a worker asking for TLS or SASL would otherwise join
     * its group in the clear, or fail to, with no word of why. */
    const char *protocol = properties_get(props, "security.protocol");
    if (protocol && *protocol && strcasecmp(protocol, "PLAINTEXT") != 0) {
        snprintf(errstr, errstr_size,
                 "security.protocol=%s: a distributed worker's group membership speaks PLAINTEXT only (TLS and SASL "
                 "to the group coordinator are not supported yet)",
                 protocol);
        distributed_config_free(cfg);
        return false;
    }
    for (size_t i = 0; i < properties_count(props); i++) {
        const char *key = properties_key_at(props, i);
        if (strncmp(key, "sasl.", 5) == 0 || strncmp(key, "ssl.", 4) == 0) {
            snprintf(errstr, errstr_size,
                     "%s: a distributed worker's group membership speaks PLAINTEXT only (TLS and SASL to the group "
                     "coordinator are not supported yet)",
                     key);
            distributed_config_free(cfg);
            return false;
        }
    }
    if (!list_has(cfg->verification_algorithms, cfg->signature_algorithm)) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration inter.worker.signature.algorithm: Signature algorithm must be "
                 "present in inter.worker.verification.algorithms list",
                 cfg->signature_algorithm);
        distributed_config_free(cfg);
        return false;
    }
    return true;
}

void distributed_config_free(distributed_config_t *cfg)
{
    config_def_free(distributed_config_defs, cfg);
}
