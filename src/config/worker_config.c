/* worker_config.c - a Connect worker's settings; see worker_config.h. */
#include "worker_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "blog_log4j.h"
#include "client_conf.h"
#include "config_provider.h"
#include "distributed_config.h"
#include "path_confine.h"

#define FIELD(member) CONFIG_DEF_FIELD(worker_config_t, member)

/* Kafka finds the policy by alias or class name (client_conf.h). */
static config_def_problem_t check_override_policy(const config_def_t *key, const char *name, const char *value,
                                                  const char **shown, char *why, size_t why_size)
{
    if (client_override_policy_parse(value) < 0) {
        snprintf(why, why_size, "must be one of All, None, Principal (or Kafka's class name of one)");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

/* Absolute directories only: a relative one would depend on where the
 * worker was started. */
static config_def_problem_t check_allowed_dirs(const config_def_t *key, const char *name, const char *value,
                                               const char **shown, char *why, size_t why_size)
{
    for (const char *item = value; *item; item += strcspn(item, ",") + (item[strcspn(item, ",")] == ',')) {
        size_t len = strcspn(item, ",");
        if (len > 0 && item[0] != '/') {
            snprintf(why, why_size, "'%.*s' is not an absolute directory", (int)len, item);
            return CONFIG_DEF_REFUSED;
        }
    }
    return CONFIG_DEF_OK;
}

/* A worker.id is the prefix of this worker's keys in the shared topics
 * ("<id>/connector-<name>"), so it may not hold '/', which ends it, nor
 * control characters, which would forge log lines. */
static config_def_problem_t check_worker_id(const config_def_t *key, const char *name, const char *value,
                                            const char **shown, char *why, size_t why_size)
{
    if (strlen(value) > 200) {
        snprintf(why, why_size, "must be at most 200 bytes");
        return CONFIG_DEF_REFUSED;
    }
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p == '/' || *p < 0x20 || *p == 0x7f) {
            snprintf(why, why_size, "may not contain '/' or control characters");
            return CONFIG_DEF_REFUSED;
        }
    }
    return CONFIG_DEF_OK;
}

static config_def_problem_t check_log_level(const config_def_t *key, const char *name, const char *value,
                                            const char **shown, char *why, size_t why_size)
{
    char canonical[BLOG_LEVEL_NAME_MAX];
    if (!blog_log4j_level(value, canonical)) {
        snprintf(why, why_size, "must be a level: TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF or ALL");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

/* The worker keys, with Kafka's types, importance and defaults where
 * connectd has the concept. */
const config_def_t worker_config_defs[] = {
    {.name = "bootstrap.servers", .type = CONFIG_DEF_LIST, .importance = CONFIG_DEF_HIGH, FIELD(bootstrap_servers),
     .doc = "The Kafka cluster the worker uses, as host:port pairs separated by commas. Unset: the worker starts "
            "its embedded broker (broker.* keys) and uses it."},
    {.name = "key.converter", .type = CONFIG_DEF_CLASS, .default_value = "org.apache.kafka.connect.json.JsonConverter",
     .importance = CONFIG_DEF_HIGH, FIELD(key_converter),
     .doc = "Converter class used to convert between Kafka Connect format and the serialized form that is written "
            "to Kafka. This controls the format of the keys in messages written to or read from Kafka; a "
            "connector may set its own."},
    {.name = "value.converter", .type = CONFIG_DEF_CLASS,
     .default_value = "org.apache.kafka.connect.json.JsonConverter", .importance = CONFIG_DEF_HIGH,
     FIELD(value_converter),
     .doc = "Converter class used to convert between Kafka Connect format and the serialized form that is written "
            "to Kafka. This controls the format of the values in messages written to or read from Kafka; a "
            "connector may set its own."},
    {.name = "header.converter", .type = CONFIG_DEF_CLASS,
     .default_value = "org.apache.kafka.connect.storage.SimpleHeaderConverter", .importance = CONFIG_DEF_LOW,
     FIELD(header_converter),
     .doc = "HeaderConverter class used to convert between Kafka Connect format and the serialized form of header "
            "values written to or read from Kafka; a connector may set its own."},
    {.name = "offset.storage.file.filename", .type = CONFIG_DEF_STRING, .importance = CONFIG_DEF_HIGH,
     FIELD(offset_file),
     .doc = "The file to store source connector offsets in (Kafka's standalone mode). Unset: offsets go to "
            "offset.storage.topic."},
    {.name = "offset.storage.topic", .type = CONFIG_DEF_STRING, .default_value = "connect-offsets",
     .importance = CONFIG_DEF_HIGH, FIELD(offset_topic),
     .doc = "The name of the Kafka topic where source connector offsets are stored."},
    {.name = "config.storage.topic", .type = CONFIG_DEF_STRING, .default_value = "connect-configs",
     .importance = CONFIG_DEF_HIGH, FIELD(config_topic),
     .doc = "The name of the Kafka topic where connector configurations are stored."},
    {.name = "status.storage.topic", .type = CONFIG_DEF_STRING, .default_value = "connect-status",
     .importance = CONFIG_DEF_HIGH, FIELD(status_topic),
     .doc = "The name of the Kafka topic where connector and task status are stored."},
    /* connectd's: Kafka keeps a standalone worker's connectors in memory
     * and has no such key; ours are in the topics above, so a worker that
     * shares a cluster names its own records with this (herder.c). */
    {.name = "worker.id", .type = CONFIG_DEF_STRING, .importance = CONFIG_DEF_MEDIUM, FIELD(worker_id),
     .validate = check_worker_id,
     .doc = "connectd's: the name of this worker's records in config.storage.topic, status.storage.topic and "
            "offset.storage.topic, so standalone workers sharing a Kafka cluster each restore and run only the "
            "connectors they created, and connectors of the same name on two workers do not collide. Unset: "
            "with the embedded broker, none (the records have Kafka Connect's keys: the broker is this "
            "worker's); with bootstrap.servers, <host name>:<REST port>, as the worker_id of its statuses. Two "
            "running workers may not share one. No '/' or control characters. See docs/security.md."},
    {.name = "plugin.path", .type = CONFIG_DEF_LIST, .importance = CONFIG_DEF_LOW, FIELD(plugin_path),
     .doc = "Directories (or .so files) holding connector plugins, separated by commas; each directory is "
            "searched one level of subdirectories deep. The built-in connectors load in any case."},
    {.name = "listeners", .type = CONFIG_DEF_LIST, .default_value = "http://:8083", .importance = CONFIG_DEF_LOW,
     FIELD(listeners), .doc = "The REST API's listener, http://host:port; an empty host means every interface."},
    /* connectd's own: the REST address (overrides the host of listeners)
     * and basic authentication from a file of hashed passwords. */
    {.name = "rest.bind", .type = CONFIG_DEF_STRING, .importance = CONFIG_DEF_LOW, FIELD(rest_bind),
     .doc = "connectd's: the address the REST API binds to, replacing the host of listeners."},
    {.name = "rest.basic.auth.credentials.file", .type = CONFIG_DEF_STRING, .importance = CONFIG_DEF_MEDIUM,
     FIELD(rest_auth_file),
     .doc = "connectd's: a file of users and hashed passwords; when set, every REST request needs HTTP basic "
            "authentication."},
    /* connectd's: REST connection limits.  Kafka Connect's Jetty closes
     * idle connections after 30 s and sets no connection limits; the names
     * follow the broker's connections.max.idle.ms, max.connections and
     * max.connections.per.ip, with rest. in front, since Kafka Connect has
     * no keys of its own for these. */
    {.name = "rest.connections.max.idle.ms", .type = CONFIG_DEF_LONG, .default_value = "30000",
     CONFIG_DEF_RANGE(1000, 86400000), .importance = CONFIG_DEF_LOW, FIELD(rest_idle_ms),
     .doc = "connectd's: a REST connection with no traffic for this long is closed (rounded up to whole seconds), "
            "so idle connections cannot hold the server's connection slots. A request that is running does not "
            "count as idle. The default is Jetty's idle timeout, which Kafka Connect's REST server uses."},
    {.name = "rest.max.connections", .type = CONFIG_DEF_INT, .default_value = "256", CONFIG_DEF_RANGE(1, 100000),
     .importance = CONFIG_DEF_LOW, FIELD(rest_max_connections),
     .doc = "connectd's: the most REST connections open at once. A request on a connection beyond this is "
            "answered 503 and its connection closed; beyond this plus 16 (the slots kept for those answers) a new "
            "connection is closed at once."},
    {.name = "rest.max.connections.per.ip", .type = CONFIG_DEF_INT, .default_value = "128",
     CONFIG_DEF_RANGE(1, 100000), .importance = CONFIG_DEF_LOW, FIELD(rest_max_connections_ip),
     .doc = "connectd's: the most REST connections open at once from one client address; a connection beyond "
            "this is closed at once, without an answer. A proxy in front of the worker counts as one address."},
    /* Kafka's list of config providers; unset: none.  Read by
     * config_provider.c with its .class and .param.* keys. */
    {.name = "config.providers", .type = CONFIG_DEF_LIST, .importance = CONFIG_DEF_LOW,
     .doc = "Names of the config providers that resolve ${provider:path:key} references in connector configs, "
            "separated by commas, each configured by config.providers.<name>.class and .param.* keys "
            "(allowed.paths for file and dir, env.var.pattern for env). Unset: none, references are left as "
            "written."},
    {.name = "offset.flush.interval.ms", .type = CONFIG_DEF_LONG, .default_value = "60000", CONFIG_DEF_AT_LEAST(0),
     .importance = CONFIG_DEF_LOW, FIELD(offset_flush_interval_ms),
     .doc = "Interval at which to try committing offsets for tasks."},
    {.name = "offset.flush.timeout.ms", .type = CONFIG_DEF_LONG, .default_value = "5000", CONFIG_DEF_AT_LEAST(0),
     .importance = CONFIG_DEF_LOW, FIELD(offset_flush_timeout_ms),
     .doc = "Maximum number of milliseconds to wait for records to flush and partition offset data to be "
            "committed to offset storage before cancelling the process and restoring the offset data to be "
            "committed in a future attempt."},
    {.name = "task.shutdown.graceful.timeout.ms", .type = CONFIG_DEF_LONG, .default_value = "5000",
     CONFIG_DEF_AT_LEAST(0), .importance = CONFIG_DEF_LOW, FIELD(task_shutdown_timeout_ms),
     .doc = "Amount of time to wait for tasks to shutdown gracefully. This is the total amount of time, not per "
            "task."},
    /* connectd's: Kafka has no such cap.  A task here is a thread plus its
     * librdkafka client's threads, about five: 256 tasks are ~1,300 threads,
     * which a small machine still stops within seconds. */
    {.name = "tasks.max.per.worker", .type = CONFIG_DEF_INT, .default_value = "256", CONFIG_DEF_RANGE(1, 100000),
     .importance = CONFIG_DEF_MEDIUM, FIELD(tasks_max_per_worker),
     .doc = "connectd's: the most tasks this worker runs, summed over its connectors. Creating, updating or "
            "resuming a connector whose tasks would exceed it is refused (400), and a stored connector that "
            "would exceed it at start is FAILED; a connector counts the task configs it actually makes, at most "
            "its tasks.max."},
    {.name = "topic.tracking.enable", .type = CONFIG_DEF_BOOLEAN, .default_value = "true",
     .importance = CONFIG_DEF_LOW, FIELD(topic_tracking),
     .doc = "Enable tracking the set of active topics per connector during runtime."},
    {.name = "topic.tracking.allow.reset", .type = CONFIG_DEF_BOOLEAN, .default_value = "true",
     .importance = CONFIG_DEF_LOW, FIELD(topic_tracking_reset),
     .doc = "If set to true, it allows user requests to reset the set of active topics per connector."},
    /* Kafka's, with its default (All since Kafka 3.0): the deny-list of
     * client_conf.c guards every policy, so All cannot reach code, commands
     * or files, and a deployment that used producer.override.* keeps working. */
    {.name = CLIENT_OVERRIDE_POLICY_CONFIG, .type = CONFIG_DEF_CLASS, .default_value = "All",
     .importance = CONFIG_DEF_MEDIUM, FIELD(override_policy), .validate = check_override_policy,
     .doc = "Class name or alias of implementation of ConnectorClientConfigOverridePolicy. Defines what client "
            "configurations can be overridden by the connector. The default implementation is `All`, meaning "
            "connector configurations can override all client properties. The other possible policies in the "
            "framework include `None` to disallow connectors from overriding client properties, and `Principal` "
            "to allow connectors to override only client principals (with librdkafka: security.protocol, "
            "sasl.mechanism, sasl.username, sasl.password, sasl.oauthbearer.config and the OIDC client "
            "credentials). Whatever the policy, properties that load code, run commands, read local files or "
            "fetch URLs (plugin.library.paths, sasl.kerberos.kinit.cmd, ssl.*.location, ...) are refused in "
            "connector configs; see docs/security.md."},
    /* connectd's: Kafka's file connectors open any path they are given;
     * these are confined (file_confine.h). */
    {.name = PATH_CONFINE_CONFIG, .type = CONFIG_DEF_LIST, .importance = CONFIG_DEF_MEDIUM,
     FIELD(file_allowed_paths), .validate = check_allowed_dirs,
     .doc = "connectd's: the directories FileStreamSource may read and FileStreamSink may write files in, "
            "absolute, separated by commas; a connector's file must resolve (symbolic links and '..' followed) to "
            "a name under one of them, or the connector is refused with a 400 and a task of one stored earlier "
            "fails. \"/\" allows every file. Unset: the file connectors may use standard input and output only. "
            "See docs/security.md."},
    /* connectd's: Kafka Connect has no such file, since an exception in a
     * Java plugin does not end the JVM; a crash in a C plugin ends the
     * process (crash_guard.h). */
    {.name = "crash.journal.file", .type = CONFIG_DEF_STRING, .importance = CONFIG_DEF_LOW,
     FIELD(crash_journal_file),
     .doc = "connectd's: the file where the worker records which connector's plugin crashed the process (a fatal "
            "signal such as SIGSEGV or SIGABRT, or exit() called by the plugin), with a backtrace. At the next start "
            "that connector is restored FAILED, its status trace saying why, instead of being run again, until it "
            "is restarted, reconfigured or deleted through REST. Unset: connectd-crash.journal in the embedded "
            "broker's first log directory, where the stored connector configs live; with bootstrap.servers, next "
            "to offset.storage.file.filename when that is set, else in the working directory. See "
            "docs/security.md."},
    /* Kafka keeps these in connect-log4j.properties; a standalone worker
     * has one file, so they live here, with log4j's names (the
     * log4j.logger.<name> keys are not rows: any logger name goes). */
    {.name = BLOG_LOG4J_ROOT_KEY, .type = CONFIG_DEF_STRING, .default_value = "INFO", .importance = CONFIG_DEF_LOW,
     .validate = check_log_level,
     .doc = "The level of the root logger, which every logger without a level of its own inherits: TRACE, DEBUG, "
            "INFO, WARN, ERROR, FATAL, OFF or ALL, optionally followed by log4j's appender names, which are "
            "ignored (\"INFO, stdout\"). A logger's own level is set with log4j.logger.<name>=<level>, as in "
            "Kafka's connect-log4j.properties: log4j.logger.connectd.worker.herder=DEBUG. Both are what "
            "/admin/loggers shows at start, and it changes them while the worker runs."},
    {.name = NULL},
};

static const char *const passed_prefixes[] = {
    "broker.", "producer.", "consumer.", "admin.", "key.converter.", "value.converter.", "header.converter.",
    "config.providers.", NULL,
};

/* A distributed worker's keys are known too: Kafka's sample files hold
 * them, and cmd_standalone.c says which it ignores. */
static bool known(const char *key)
{
    if (config_def_find(worker_config_defs, key) || config_def_find(distributed_config_defs, key) ||
        blog_log4j_is_key(key) || client_conf_is_security_key(key)) {
        return true;
    }
    for (const char *const *p = passed_prefixes; *p; p++) {
        if (strncmp(key, *p, strlen(*p)) == 0) {
            return true;
        }
    }
    return false;
}

/* The config providers' settings, loaded once to be checked (the herder
 * loads its own).  The REST credentials file is checked by the command
 * that starts the REST server: configuration does not reach into REST. */
static bool check_files(const worker_config_t *cfg, char *errstr, size_t errstr_size)
{
    config_provider_t *cprov = config_provider_create(cfg->props, errstr, errstr_size);
    config_provider_destroy(cprov);
    return cprov != NULL;
}

bool worker_config_init(worker_config_t *cfg, const properties_t *props, char *errstr, size_t errstr_size)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->props = props;
    for (size_t i = 0; i < properties_count(props); i++) {
        const char *key = properties_key_at(props, i);
        if (!known(key)) {
            blog_warn("unknown worker config '%s' is ignored", key);
        }
    }
    if (!blog_log4j_check(props, errstr, errstr_size)) {
        return false;
    }
    if (!config_def_fill(worker_config_defs, cfg, props, CONFIG_DEF_EMPTY_IS_UNSET, errstr, errstr_size) ||
        !check_files(cfg, errstr, errstr_size)) {
        worker_config_free(cfg);
        return false;
    }
    return true;
}

void worker_config_free(worker_config_t *cfg)
{
    config_def_free(worker_config_defs, cfg);
}
