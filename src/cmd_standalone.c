/*
 * cmd_standalone.c - `connectd standalone WORKER.properties [CONNECTOR ...]`,
 * as Kafka's connect-standalone.sh (reference/connect-rest.md §5.1).
 *
 * Start-up: the worker file (plus --override), the embedded broker unless
 * bootstrap.servers is set, the plugins, the offset store (file or topic),
 * the connector files named on the command line (read, not yet created),
 * the stored connectors (a file edited since its connector was stored
 * replaces the stored config before it runs), the REST API, then the
 * connectors of the files.  Each connector file is read as Kafka reads it: a JSON
 * object of string settings with "name", or {"name", "config"}, or a
 * properties file.  One that cannot be created stops the worker with exit
 * code 3, as Kafka's "Stopping after connector error".
 *
 * SIGTERM / SIGINT stop cleanly: REST closes, every task flushes and
 * commits, the broker writes its checkpoints.  A task that does not stop
 * within task.shutdown.graceful.timeout.ms (all waited for at once) is
 * abandoned and the process exits without it.
 *
 * A plugin that crashes the process (a fatal signal, or exit()) is logged
 * and journaled by task/crash_guard.h, installed before any plugin loads,
 * so the next start restores its connector FAILED rather than crash again.
 */
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "blog.h"
#include "blog_log4j.h"
#include "cliopt.h"
#include "commands.h"
#include "connectd-build.h"
#include "config/config_json.h"
#include "embedded_broker.h"
#include "herder/herder.h"
#include "herder/worker_setup.h"
#include "rest/rest_auth.h"
#include "rest/rest_server.h"
#include "config/worker_config.h"
#include "task/crash_guard.h"

#define CRASH_JOURNAL_NAME "connectd-crash.journal"

#define EXIT_CONNECTOR 3

typedef struct standalone {
    properties_t *props;
    worker_config_t wcfg;
    embedded_broker_t *broker;
    char bootstrap[512];
    plugin_registry_t *plugins;
    offset_store_t *offsets;
    herder_t *herder;
    rest_server_t *rest;
    const char **connector_files;
    int n_connector_files;
    properties_t **connector_configs; /* read from connector_files[i] */
    herder_given_t *given;            /* connector_files[i] with connector_configs[i] */
} standalone_t;

static const cliopt_t standalone_opts[] = {
    {CMD_OPT_OVERRIDE, "--override", 0, "KEY=VALUE", CMD_OPT_OVERRIDE_HELP},
    {0},
};

static const char standalone_usage[] =
    "usage: connectd standalone WORKER.properties [CONNECTOR.properties|.json ...] [--override KEY=VALUE ...]\n"
    "\n"
    "Runs a Connect worker in the foreground, as connect-standalone; without bootstrap.servers it runs\n"
    "its own broker too.";

/* Returns -1 when the command line and the worker file are good, else the
 * exit code (after printing why, or the help). */
static int read_command_line(standalone_t *s, int argc, char **argv)
{
    const char *file = NULL;
    char err[512];
    s->connector_files = calloc((size_t)argc + 1, sizeof(char *));
    cliopt_parser_t p;
    cliopt_parser_init(&p, "connectd standalone", standalone_usage, argc, argv);
    p.version = "connectd " PACKAGE_VERSION;
    cliopt_parser_add(&p, standalone_opts);
    const char *value;
    int id;
    const char **overrides = calloc((size_t)argc + 1, sizeof(char *));
    int n_overrides = 0;
    /* Overrides are applied after the file, wherever they appear. */
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        if (id == CMD_OPT_OVERRIDE) {
            overrides[n_overrides++] = value;
        } else if (id == CLIOPT_POSITIONAL && !file) {
            file = value;
        } else if (id == CLIOPT_POSITIONAL) {
            s->connector_files[s->n_connector_files++] = value;
        } else {
            free(overrides);
            return CMD_PARSE_EXIT(id);
        }
    }
    if (!file) {
        fprintf(stderr, "usage: connectd standalone WORKER.properties [CONNECTOR.properties|.json ...] [--override "
                        "KEY=VALUE ...] (a worker properties file is required; see connectd standalone --help)\n");
        free(overrides);
        return EXIT_USAGE;
    }
    s->props = properties_create();
    if (properties_load_file(s->props, file, err, sizeof(err)) < 0) {
        fprintf(stderr, "connectd standalone: %s\n", err);
        free(overrides);
        return EXIT_USAGE;
    }
    for (int i = 0; i < n_overrides; i++) {
        if (properties_set_override(s->props, overrides[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "connectd standalone: --override %s: %s\n", overrides[i], err);
            free(overrides);
            return EXIT_USAGE;
        }
    }
    free(overrides);
    if (!worker_config_init(&s->wcfg, s->props, err, sizeof(err))) {
        fprintf(stderr, "connectd standalone: invalid configuration: %s\n", err);
        return EXIT_USAGE;
    }
    blog_log4j_apply(s->props);
    /* Kafka's standalone worker drops group.id without a word; a file
     * meant for a cluster should not start a lone worker silently. */
    const char *group = properties_get(s->props, "group.id");
    if (group && *group) {
        blog_warn("group.id=%s is ignored in standalone mode: this worker runs its connectors alone and joins no "
                  "group (connectd distributed is the mode that does)",
                  group);
    }
    /* Loaded once to be checked, so a bad file is a configuration error
     * before anything starts; the REST server loads its own. */
    if (s->wcfg.rest_auth_file) {
        rest_auth_t *auth = rest_auth_load(s->wcfg.rest_auth_file, err, sizeof(err));
        if (!auth) {
            fprintf(stderr, "connectd standalone: invalid configuration: rest.basic.auth.credentials.file: %s\n", err);
            return EXIT_USAGE;
        }
        rest_auth_destroy(auth);
    }
    return -1;
}

/* A connector file: JSON (flat config, or {"name","config"}) or properties. */
static properties_t *read_connector_file(const char *path, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    properties_t *props;
    if (doc) {
        json_t *config = json_object_get(doc, "config");
        char why[512];
        props = config_from_json(json_is_object(config) ? config : doc, why, sizeof(why));
        if (props && json_is_string(json_object_get(doc, "name"))) {
            properties_set(props, "name", json_string_value(json_object_get(doc, "name")));
        }
        json_decref(doc);
        if (!props) {
            snprintf(errstr, errstr_size, "%s: %s", path, why);
            return NULL;
        }
    } else {
        props = properties_create();
        if (properties_load_file(props, path, errstr, errstr_size) < 0) {
            properties_destroy(props);
            return NULL;
        }
    }
    if (!properties_get(props, "name")) {
        snprintf(errstr, errstr_size, "%s: the connector config has no \"name\"", path);
        properties_destroy(props);
        return NULL;
    }
    return props;
}

/* Read before the stored connectors are restored, so that a file edited
 * since its connector was stored is what runs (herder_restore). */
static bool read_command_line_connectors(standalone_t *s)
{
    s->connector_configs = calloc((size_t)s->n_connector_files + 1, sizeof(*s->connector_configs));
    s->given = calloc((size_t)s->n_connector_files + 1, sizeof(*s->given));
    for (int i = 0; i < s->n_connector_files; i++) {
        char err[4096];
        properties_t *config = read_connector_file(s->connector_files[i], err, sizeof(err));
        if (!config) {
            blog_error("connector %s: %s", s->connector_files[i], err);
            blog_error("Stopping after connector error");
            return false;
        }
        s->connector_configs[i] = config;
        s->given[i] = (herder_given_t){.source = s->connector_files[i], .config = config};
    }
    return true;
}

static bool create_command_line_connectors(standalone_t *s)
{
    for (int i = 0; i < s->n_connector_files; i++) {
        char err[4096];
        const properties_t *config = s->given[i].config;
        if (herder_put_connector(s->herder, properties_get(config, "name"), config, true, err, sizeof(err)) < 0) {
            blog_error("connector %s: %s", s->connector_files[i], err);
            blog_error("Stopping after connector error");
            return false;
        }
    }
    return true;
}

static void connector_configs_free(standalone_t *s)
{
    for (int i = 0; s->connector_configs && i < s->n_connector_files; i++) {
        properties_destroy(s->connector_configs[i]);
    }
    free(s->connector_configs);
    free(s->given);
}

/* Where the crash journal lives unless crash.journal.file says: with the
 * stored connectors it names.  Those live in the config topic, so in the
 * embedded broker's first log dir when there is one (the quick start's
 * /tmp/connectd-standalone/broker, no edit needed); with an external Kafka
 * the worker's only local state is the offsets file, if any; else the
 * working directory.  Returns whether the operator chose the file. */
static bool crash_journal_path(const standalone_t *s, char *path, size_t size)
{
    if (s->wcfg.crash_journal_file) {
        snprintf(path, size, "%s", s->wcfg.crash_journal_file);
        return true;
    }
    if (s->broker) {
        snprintf(path, size, "%s/%s", embedded_broker_data_dir(s->broker), CRASH_JOURNAL_NAME);
    } else if (s->wcfg.offset_file) {
        char *copy = strdup(s->wcfg.offset_file);
        snprintf(path, size, "%s/%s", dirname(copy), CRASH_JOURNAL_NAME);
        free(copy);
    } else {
        snprintf(path, size, "%s", CRASH_JOURNAL_NAME);
    }
    return false;
}

static int start(standalone_t *s)
{
    char err[1024];
    if (!s->wcfg.bootstrap_servers) {
        int usage = 0;
        s->broker = embedded_broker_start(s->props, s->bootstrap, sizeof(s->bootstrap), &usage, err, sizeof(err));
        if (!s->broker) {
            fprintf(stderr, "connectd standalone: %s%s\n", usage ? "invalid configuration: " : "", err);
            return usage ? EXIT_USAGE : EXIT_RUNTIME;
        }
    } else {
        snprintf(s->bootstrap, sizeof(s->bootstrap), "%s", s->wcfg.bootstrap_servers);
    }
    char journal[4096];
    bool chosen = crash_journal_path(s, journal, sizeof(journal));
    if (!crash_guard_install(journal, err, sizeof(err))) {
        if (chosen) {
            fprintf(stderr, "connectd standalone: crash.journal.file: %s\n", err);
            return EXIT_RUNTIME;
        }
        /* The default place may be read-only (a working directory of /):
         * the worker runs, without protection from a crash loop. */
        blog_warn("%s; a plugin that crashes the worker will run again at the next start: set crash.journal.file",
                  err);
    }
    s->plugins = worker_plugins_load(&s->wcfg);
    worker_stores_t stores;
    if (worker_stores_open(&stores, &s->wcfg, s->bootstrap, err, sizeof(err)) < 0) {
        fprintf(stderr, "connectd standalone: %s\n", err);
        return EXIT_RUNTIME;
    }
    s->offsets = stores.offsets;
    char *cid = kvtopic_cluster_id(stores.configs);
    /* Kafka's worker_id of the statuses: the REST host and port; also the
     * default worker.id with bootstrap.servers (herder.c). */
    char worker_id[300], host[256] = "localhost";
    gethostname(host, sizeof(host));
    const char *port = strrchr(s->wcfg.listeners, ':');
    snprintf(worker_id, sizeof(worker_id), "%s:%s", host, port ? port + 1 : "8083");
    s->herder = herder_create(&s->wcfg, s->bootstrap, s->plugins, s->offsets, stores.configs, stores.statuses,
                              worker_id);
    if (!read_command_line_connectors(s)) {
        free(cid);
        return EXIT_CONNECTOR;
    }
    if (herder_restore(s->herder, s->given, s->n_connector_files, err, sizeof(err)) < 0) {
        free(cid);
        fprintf(stderr, "connectd standalone: invalid configuration: %s\n", err);
        return EXIT_USAGE;
    }
    s->rest = rest_server_start(&s->wcfg, s->herder, cid, err, sizeof(err));
    free(cid);
    if (!s->rest) {
        fprintf(stderr, "connectd standalone: %s\n", err);
        return EXIT_RUNTIME;
    }
    if (!create_command_line_connectors(s)) {
        return EXIT_CONNECTOR;
    }
    blog_info("worker started: %d connectors, Kafka at %s%s", herder_connector_count(s->herder), s->bootstrap,
              s->broker ? " (embedded broker)" : "");
    return 0;
}

/* Returns whether tasks were abandoned (their threads still run). */
static bool stop(standalone_t *s)
{
    crash_guard_shutdown();
    rest_server_stop(s->rest);
    /* At most task.shutdown.graceful.timeout.ms, however many tasks are
     * stuck: they are all asked at once and then abandoned together. */
    herder_destroy(s->herder);
    char names[1024];
    int stuck = herder_abandoned_tasks(names, sizeof(names));
    if (stuck > 0) {
        /* An abandoned thread may still call into its plugin (so no
         * dlclose), read the worker config, and through its task context
         * the offset store (written through on every commit, so nothing is
         * lost by not closing it).  Those stay; the broker still stops
         * cleanly below, its logs flushed, so nothing acknowledged is lost. */
        blog_warn("%d task%s did not stop and %s left running: %s", stuck, stuck == 1 ? "" : "s",
                  stuck == 1 ? "is" : "are", names);
        embedded_broker_stop(s->broker);
        return true;
    }
    offset_store_close(s->offsets);
    plugin_registry_destroy(s->plugins);
    embedded_broker_stop(s->broker);
    worker_config_free(&s->wcfg);
    properties_destroy(s->props);
    connector_configs_free(s);
    free(s->connector_files);
    crash_guard_uninstall();
    return false;
}

int cmd_standalone(int argc, char **argv)
{
    /* glibc allows 8 malloc arenas per core; a worker has more busy threads
     * than that on a small machine, and a REST thread sharing an arena with
     * a pipeline thread waited up to 50 ms for its lock (docs/benchmarks.md,
     * issue 5).  An arena per thread, as far as glibc goes. */
    mallopt(M_ARENA_MAX, 64);
    standalone_t s = {0};
    int parse_rc = read_command_line(&s, argc, argv);
    if (parse_rc >= 0) {
        worker_config_free(&s.wcfg);
        properties_destroy(s.props);
        free(s.connector_files);
        return parse_rc;
    }
    cmd_warn_if_root();
    /* Every thread started from here on inherits the blocked signals; only
     * the main thread takes them, in sigwait below. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = start(&s);
    if (rc == 0) {
        int sig;
        sigwait(&sigs, &sig);
        blog_info("received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    if (stop(&s)) {
        /* Threads of abandoned tasks still run.  exit() would run atexit
         * handlers and library destructors (librdkafka's and OpenSSL's, the
         * sanitizers' leak check) under them, freeing what they use: a
         * crash on the way out, or a leak report for what was left to them
         * on purpose.  Everything worth keeping is on disk already (the
         * broker stopped, offsets are written through), so only stdio is
         * flushed and the process ends here. */
        fflush(NULL);
        _exit(rc);
    }
    return rc;
}
