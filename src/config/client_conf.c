/* client_conf.c - librdkafka configurations for the worker; see client_conf.h. */
#include "client_conf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "blog.h"
#include "client_keys.h"

/*
 * The librdkafka properties a connector config may never set, whatever the
 * policy: each one lets a REST client make the worker load code, run a
 * command, touch a local file or fetch a URL from the worker's host, with
 * the worker's privileges.  Derived from librdkafka's CONFIGURATION.md (the
 * global and topic tables, newer releases included: a name the linked
 * librdkafka does not know costs nothing here).  Properties of type "see
 * dedicated API" (callbacks, interceptors) cannot be set from a string at
 * all; ssl_engine_callback_data is listed anyway since it feeds engine code.
 * The *.pem properties, which carry the content rather than a path, stay
 * allowed.  The operator may still set every one of these in the worker
 * file (`producer.`, `consumer.`, `admin.`).  docs/security.md has this
 * table for users; keep the two in step.
 */
static const struct {
    const char *key;
    const char *why;
} denied[] = {
    {"plugin.library.paths", "loads shared libraries into the worker"},
    {"ssl.engine.location", "loads an OpenSSL engine library into the worker"},
    {"ssl.engine.id", "names an OpenSSL engine for OpenSSL to load"},
    {"ssl.providers", "loads OpenSSL providers, which may be named by file path"},
    {"ssl_engine_callback_data", "is handed to OpenSSL engine code"},
    {"sasl.kerberos.kinit.cmd", "is a shell command the worker runs"},
    {"sasl.kerberos.keytab", "is a local file path, and is pasted into the kinit shell command"},
    {"sasl.kerberos.principal", "is pasted unquoted into the kinit shell command"},
    {"ssl.key.location", "names a local file for the worker to read"},
    {"ssl.certificate.location", "names a local file for the worker to read"},
    {"ssl.ca.location", "names a local file or directory for the worker to read"},
    {"ssl.crl.location", "names a local file for the worker to read"},
    {"ssl.keystore.location", "names a local file for the worker to read"},
    {"ssl.truststore.location", "names a local file for the worker to read (Kafka's name of ssl.ca.location)"},
    {"https.ca.location", "names a local file or directory for the worker to read"},
    {"sasl.oauthbearer.assertion.private.key.file", "names a local file for the worker to read"},
    {"sasl.oauthbearer.assertion.file", "names a local file for the worker to read"},
    {"sasl.oauthbearer.assertion.jwt.template.file", "names a local file for the worker to read"},
    {"sasl.oauthbearer.token.endpoint.url", "is a URL the worker fetches (file: URLs read local files)"},
    {"sasl.oauthbearer.metadata.authentication.type", "makes the worker fetch its host's cloud metadata endpoint"},
    {"offset.store.path", "names a local path the worker writes offsets to"},
    {"offset.store.method", "can make the worker write offsets to local files"},
};

/* Kafka's Principal policy allows sasl.jaas.config, sasl.mechanism and
 * security.protocol.  librdkafka has no sasl.jaas.config: what a JAAS
 * config carries for the mechanisms librdkafka has comes as sasl.username
 * and sasl.password (PLAIN, SCRAM), sasl.oauthbearer.config (unsecured
 * JWT) and the OIDC client credentials; those are allowed in its place.
 * sasl.jaas.config itself is allowed as Kafka does (librdkafka ignores it,
 * with a warning); the Kerberos principal and keytab are on the deny-list. */
static const char *const principal_keys[] = {
    "sasl.jaas.config",
    "sasl.mechanism",
    "sasl.mechanisms",
    "security.protocol",
    "sasl.username",
    "sasl.password",
    "sasl.oauthbearer.config",
    "sasl.oauthbearer.client.id",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.client.credentials.client.id",
    "sasl.oauthbearer.client.credentials.client.secret",
    "sasl.oauthbearer.scope",
    "sasl.oauthbearer.extensions",
    NULL,
};

static const char *const override_prefixes[] = {"producer.override.", "consumer.override.", "admin.override.", NULL};

static const char *const policy_names[] = {
    [CLIENT_OVERRIDE_ALL] = "All",
    [CLIENT_OVERRIDE_NONE] = "None",
    [CLIENT_OVERRIDE_PRINCIPAL] = "Principal",
};

int client_override_policy_parse(const char *name)
{
    static const char package[] = "org.apache.kafka.connect.connector.policy.";
    static const char suffix[] = "ConnectorClientConfigOverridePolicy";
    if (!name) {
        return CLIENT_OVERRIDE_ALL;
    }
    for (int p = 0; p < (int)(sizeof(policy_names) / sizeof(policy_names[0])); p++) {
        char cls[160];
        snprintf(cls, sizeof(cls), "%s%s%s", package, policy_names[p], suffix);
        /* Kafka finds a plugin by alias in any case, by class name exactly. */
        if (strcasecmp(name, policy_names[p]) == 0 || strcmp(name, cls) == 0 ||
            strcmp(name, cls + strlen(package)) == 0) {
            return p;
        }
    }
    return -1;
}

const char *client_override_policy_name(client_override_policy_t policy)
{
    return policy_names[policy];
}

const char *client_conf_denied(const char *key)
{
    if (strncmp(key, "topic.", 6) == 0) {
        key += 6;
    }
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
        if (strcmp(key, denied[i].key) == 0) {
            return denied[i].why;
        }
    }
    return NULL;
}

bool client_conf_override_allowed(const char *key, client_override_policy_t policy, char *why, size_t why_size)
{
    bool allowed = policy == CLIENT_OVERRIDE_ALL;
    for (const char *const *k = principal_keys; policy == CLIENT_OVERRIDE_PRINCIPAL && *k; k++) {
        allowed |= strcmp(key, *k) == 0;
    }
    if (!allowed) {
        snprintf(why, why_size, "The '%s' policy does not allow '%s' to be overridden in the connector configuration.",
                 policy_names[policy], key);
        return false;
    }
    const char *reason = client_conf_denied(key);
    if (reason) {
        snprintf(why, why_size,
                 "'%s' may not be overridden in the connector configuration under any policy: it %s. Set it in the "
                 "worker configuration if the worker needs it.",
                 key, reason);
        return false;
    }
    return true;
}

/* The override prefix `key` starts with, or NULL. */
static const char *override_prefix(const char *key)
{
    for (const char *const *p = override_prefixes; *p; p++) {
        if (strncmp(key, *p, strlen(*p)) == 0) {
            return *p;
        }
    }
    return NULL;
}

int client_conf_check_overrides(cv_result_t *res, const properties_t *config, client_override_policy_t policy)
{
    int refused = 0;
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i);
        const char *prefix = override_prefix(key);
        char why[512];
        if (prefix && !client_conf_override_allowed(key + strlen(prefix), policy, why, sizeof(why))) {
            cv_result_add_error(res, key, properties_value_at(config, i), "%s", why);
            refused++;
        }
    }
    return refused;
}

const char *const client_conf_task_producer_defaults[] = {
    "enable.idempotence", "true", "linger.ms", "5", "queue.buffering.max.kbytes", "32768", NULL,
};

bool client_conf_is_security_key(const char *key)
{
    return strcmp(key, "security.protocol") == 0 || strncmp(key, "sasl.", 5) == 0 || strncmp(key, "ssl.", 4) == 0;
}

/* client_conf_new, and with `security` the worker's own unprefixed
 * security keys before the prefixed ones. */
static rd_kafka_conf_t *conf_new(const char *bootstrap, const properties_t *worker_props, const char *prefix,
                                 const char *const *defaults, bool security)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[256];
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err));
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
    for (const char *const *d = defaults; d && d[0]; d += 2) {
        rd_kafka_conf_set(conf, d[0], d[1], err, sizeof(err));
    }
    for (size_t i = 0; security && worker_props && i < properties_count(worker_props); i++) {
        const char *key = properties_key_at(worker_props, i);
        if (client_conf_is_security_key(key) &&
            client_keys_conf_set(conf, key, properties_value_at(worker_props, i), err, sizeof(err)) !=
                RD_KAFKA_CONF_OK) {
            blog_warn("worker config '%s' is not a librdkafka setting and is ignored: %s", key, err);
        }
    }
    size_t plen = strlen(prefix);
    for (size_t i = 0; worker_props && i < properties_count(worker_props); i++) {
        const char *key = properties_key_at(worker_props, i);
        if (strncmp(key, prefix, plen) == 0 &&
            client_keys_conf_set(conf, key + plen, properties_value_at(worker_props, i), err, sizeof(err)) !=
                RD_KAFKA_CONF_OK) {
            blog_warn("worker config '%s' is not a librdkafka setting and is ignored: %s", key, err);
        }
    }
    return conf;
}

rd_kafka_conf_t *client_conf_new(const char *bootstrap, const properties_t *worker_props, const char *prefix,
                                 const char *const *defaults)
{
    return conf_new(bootstrap, worker_props, prefix, defaults, false);
}

rd_kafka_conf_t *client_conf_new_internal(const char *bootstrap, const properties_t *worker_props, const char *prefix,
                                          const char *const *defaults)
{
    return conf_new(bootstrap, worker_props, prefix, defaults, true);
}

bool client_conf_apply_overrides(rd_kafka_conf_t *conf, const properties_t *config, const char *prefix,
                                 client_override_policy_t policy, const char *who, char *errstr, size_t errstr_size)
{
    size_t plen = strlen(prefix);
    /* Judge them all before setting any, so a refusal leaves conf as it was. */
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i);
        char why[512];
        if (strncmp(key, prefix, plen) == 0 && !client_conf_override_allowed(key + plen, policy, why, sizeof(why))) {
            snprintf(errstr, errstr_size, "%s: %s", key, why);
            return false;
        }
    }
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i);
        char err[256];
        if (strncmp(key, prefix, plen) == 0 &&
            client_keys_conf_set(conf, key + plen, properties_value_at(config, i), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
            blog_warn("%s: '%s' is not a librdkafka setting and is ignored: %s", who, key, err);
        }
    }
    return true;
}
