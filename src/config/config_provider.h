/*
 * config_provider.h - Kafka's config providers: connector config values
 * that name a secret instead of holding it.
 *
 *     connection.password=${env:PG_PASSWORD}
 *     connection.user=${file:/etc/connectd/pg.properties:user}
 *     ssl.key=${dir:/run/secrets:pg-key.pem}
 *
 * Syntax and matching are Kafka's ConfigTransformer, pattern
 * \$\{([^}]*?):(([^}]*?):)?([^}]*?)\}: `${provider:path:key}` or
 * `${provider:key}` (empty path), anywhere in a value, any number of times,
 * with text around them; the path ends at the first ':' after the
 * provider, so a key may contain ':' but a path may not.  Each reference
 * is replaced once (a replacement is not searched again), and a reference
 * to a provider that is not configured is left as it is.  There is no
 * escape, as in Kafka.
 *
 * Built in, each Kafka's class of the same role:
 *   env   EnvVarConfigProvider     ${env:VAR}: an environment variable of
 *                                  the worker; param env.var.pattern
 *                                  (Kafka's name) or allowlist.pattern
 *                                  (KIP-887's): a POSIX extended regex the
 *                                  whole name must match (Kafka's matches
 *                                  anywhere in it); default: any
 *   file  FileConfigProvider       ${file:/path:key}: key of the Java
 *                                  properties file /path
 *   dir   DirectoryConfigProvider  ${dir:/path:name}: the whole content of
 *                                  the file /path/name (a Kubernetes
 *                                  secret volume)
 * file and dir take Kafka's param allowed.paths (KIP-993): a comma list of
 * absolute, existing directories (or files) the provider may read; unset:
 * any path.  A path must be under one of them both with "." and ".."
 * removed (as Kafka) and with its symlinks resolved (stricter than Kafka),
 * so a link cannot lead out.  Either reads only regular files of at most
 * 1 MiB, refusing FIFOs, devices and directories without blocking on them.
 *
 * As Kafka, no provider is enabled unless the worker config lists it:
 * `config.providers=env,file` enables those names, each name's class
 * coming from `config.providers.<name>.class` (Kafka's class names, or
 * only the simple name; a listed name env, file or dir needs no class),
 * parameters from `config.providers.<name>.param.<param>`.  Unset or
 * empty: every reference is left as written.
 *
 * Unlike Kafka, which leaves a reference it cannot resolve in place (and
 * the connector then fails on a strange value), an unset variable, a
 * missing file or key, or a path outside allowed.paths is an error that
 * names the config key and the reference.
 *
 * The herder resolves a connector's config when it starts the connector
 * and each task's config when it starts the task; what is stored and what
 * REST shows keeps the references (config_provider_reverse), so secrets
 * never reach the config topic or a GET.
 */
#ifndef CONNECTD_CONFIG_PROVIDER_H
#define CONNECTD_CONFIG_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "properties.h"

typedef struct config_provider config_provider_t;

/* The providers `worker_props` (borrowed for the call) enables.  NULL
 * with errstr naming the key for an unknown class, a name without one, or
 * a bad parameter (allowed.paths not absolute or missing, a pattern that
 * does not compile). */
config_provider_t *config_provider_create(const properties_t *worker_props, char *errstr, size_t errstr_size);
void config_provider_destroy(config_provider_t *cprov); /* NULL is fine */

/* A copy of `config` (borrowed) with every reference replaced, keys in the
 * same order; the caller destroys it.  NULL with errstr like
 * "connection.password: ${env:PG_PASSWORD} refers to an environment
 * variable that is not set" when a reference to an enabled provider
 * cannot be resolved.  Reads files and the environment on every call;
 * thread-safe (cprov is not modified). */
properties_t *config_provider_resolve(const config_provider_t *cprov, const properties_t *config, char *errstr,
                                      size_t errstr_size);

/* Whether `value` holds a reference (any provider name, enabled or not):
 * Kafka's test for "this key came from a config provider". */
bool config_provider_has_reference(const char *value);

/*
 * Kafka's AbstractHerder.reverseTransform: in `task_config` (modified),
 * a key whose value in `raw` (the connector config as the user wrote it)
 * holds a reference, and whose task value equals the value that
 * reference resolved to in `resolved` (what the connector was given), gets
 * the raw value back.  So a task config that is stored or shown carries
 * ${env:...} rather than the secret, and is resolved again when the task
 * starts.  A task value the connector changed is left as the connector
 * made it (Kafka would put the reference back regardless).
 */
void config_provider_reverse(const properties_t *raw, const properties_t *resolved, properties_t *task_config);

#endif
