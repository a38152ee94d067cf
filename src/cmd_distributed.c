/*
 * cmd_distributed.c - `connectd distributed WORKER.properties`, as Kafka's
 * connect-distributed.sh.
 *
 * Distributed mode (issue 18) is being built in increments: the group
 * protocol's formats (distributed/connect_protocol.h), the config topic's
 * records (store/connect_records.h) and the settings
 * (config/distributed_config.h) are in place; membership, assignment and
 * REST forwarding are not.  Until they are, the command reads and checks
 * the worker file as a distributed worker will, so a file can be prepared
 * now, and then says plainly that it cannot run one yet, rather than
 * "unknown command" or, worse, a standalone worker that ignores group.id.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cliopt.h"
#include "blog.h"
#include "blog_log4j.h"
#include "commands.h"
#include "config/distributed_config.h"
#include "config/worker_config.h"
#include "connectd-build.h"
#include "distributed/cluster_work.h"
#include "distributed/config_tail.h"
#include "distributed/connect_member.h"
#include "herder/worker_setup.h"

static const cliopt_t distributed_opts[] = {
    {CMD_OPT_OVERRIDE, "--override", 0, "KEY=VALUE", CMD_OPT_OVERRIDE_HELP},
    {0},
};

static const char distributed_usage[] =
    "usage: connectd distributed WORKER.properties [--override KEY=VALUE ...]\n"
    "\n"
    "Runs a worker of the Connect cluster named by group.id, as connect-distributed: it runs the connectors\n"
    "and tasks its group's leader assigns it. It serves no REST API yet.";

/* The URL other workers reach this one's REST API at, as Kafka's
 * RestServer.advertisedUrl: rest.advertised.listener, .host.name and
 * .port where set, else the listener's scheme, host and port, the host
 * name of the machine when the listener names none. */
static void advertised_url(const worker_config_t *wcfg, const distributed_config_t *dcfg, char *url, size_t size)
{
    const char *listener = wcfg->listeners;
    const char *sep = strstr(listener, "://");
    char scheme[16] = "http", host[256] = "", port[16] = "8083";
    if (sep) {
        snprintf(scheme, sizeof(scheme), "%.*s", (int)(sep - listener), listener);
        listener = sep + 3;
    }
    const char *colon = strrchr(listener, ':');
    if (colon) {
        snprintf(host, sizeof(host), "%.*s", (int)(colon - listener), listener);
        snprintf(port, sizeof(port), "%s", colon + 1);
    } else {
        snprintf(host, sizeof(host), "%s", listener);
    }
    if (dcfg->advertised_listener) {
        snprintf(scheme, sizeof(scheme), "%s", dcfg->advertised_listener);
    }
    if (dcfg->advertised_host) {
        snprintf(host, sizeof(host), "%s", dcfg->advertised_host);
    } else if (!*host || strcmp(host, "0.0.0.0") == 0) {
        gethostname(host, sizeof(host));
    }
    if (dcfg->advertised_port > 0) {
        snprintf(port, sizeof(port), "%d", (int)dcfg->advertised_port);
    }
    snprintf(url, size, "%s://%s:%s/", scheme, host, port);
}

/* The pieces of a running worker, shared with the config topic's reader. */
typedef struct distributed {
    pthread_mutex_t lock; /* guards member: set once started, cleared before it stops */
    connect_member_t *member;
    cluster_work_t *work; /* set before the member starts, cleared after it stopped */
} distributed_t;

/* The config topic's reader: what there is to assign or run changed.
 * @locks takes d->lock, then the member's and the work's own */
static void on_config_changed(void *ctx)
{
    distributed_t *d = ctx;
    pthread_mutex_lock(&d->lock);
    if (d->work) {
        cluster_work_config_changed(d->work);
    }
    if (d->member) {
        connect_member_rejoin(d->member);
    }
    pthread_mutex_unlock(&d->lock);
}

/* The member's thread, after each assignment: the work thread runs it.
 * d->work is set for as long as the member runs, so no lock is needed;
 * none may be taken, as the member's own is held. */
static void on_running(void *ctx, const connect_assignment_t *running, int32_t generation, bool wait)
{
    distributed_t *d = ctx;
    cluster_work_set(d->work, running, generation);
    if (wait) {
        cluster_work_wait(d->work);
    }
}

/* The work thread: what runs matches `generation`'s assignment.
 * @locks takes d->lock, then the member's */
static void on_settled(void *ctx, int32_t generation)
{
    distributed_t *d = ctx;
    pthread_mutex_lock(&d->lock);
    if (d->member) {
        connect_member_work_settled(d->member, generation);
    }
    pthread_mutex_unlock(&d->lock);
}

/* Runs the worker until SIGTERM or SIGINT; the exit code. */
static int run_worker(const worker_config_t *wcfg, const distributed_config_t *dcfg, const properties_t *props,
                      sigset_t *sigs)
{
    char url[512], err[1024];
    advertised_url(wcfg, dcfg, url, sizeof(url));
    /* Kafka's worker_id of the statuses: the advertised host and port. */
    char worker_id[512];
    const char *host = strstr(url, "://");
    snprintf(worker_id, sizeof(worker_id), "%s", host ? host + 3 : url);
    worker_id[strcspn(worker_id, "/")] = '\0';
    /* Kafka's default, as its worker has no broker of its own. */
    const char *bootstrap = wcfg->bootstrap_servers ? wcfg->bootstrap_servers : "localhost:9092";
    plugin_registry_t *plugins = worker_plugins_load(wcfg);
    /* The three topics are made (compacted, with the partition counts
     * configured) or found before the worker reads them.  The workers of a
     * group share their offsets, so a file of one worker's cannot hold them. */
    if (wcfg->offset_file) {
        blog_warn("offset.storage.file.filename=%s is ignored in distributed mode: source offsets are kept in "
                  "offset.storage.topic",
                  wcfg->offset_file);
    }
    worker_stores_t stores;
    if (worker_stores_open_shared(&stores, wcfg, bootstrap, dcfg->offset_partitions, dcfg->status_partitions, err,
                                  sizeof(err)) < 0) {
        fprintf(stderr, "connectd distributed: %s\n", err);
        plugin_registry_destroy(plugins);
        return EXIT_RUNTIME;
    }
    distributed_t d = {0};
    pthread_mutex_init(&d.lock, NULL);
    config_tail_t *tail = config_tail_start(bootstrap, dcfg->config_topic, props, on_config_changed, &d, err,
                                            sizeof(err));
    int rc = EXIT_RUNTIME;
    if (tail) {
        cluster_work_env_t env = {
            .wcfg = wcfg,
            .bootstrap = bootstrap,
            .plugins = plugins,
            .offsets = stores.offsets,
            .configs = stores.configs,
            .statuses = stores.statuses,
            .worker_id = worker_id,
            .tail = tail,
            .on_settled = on_settled,
            .on_settled_ctx = &d,
        };
        d.work = cluster_work_start(&env);
        connect_member_t *member = connect_member_start(dcfg, bootstrap, url, url, tail, on_running, &d, err,
                                                        sizeof(err));
        pthread_mutex_lock(&d.lock);
        d.member = member;
        pthread_mutex_unlock(&d.lock);
        if (member) {
            blog_info("distributed worker %s started: group %s at %s", url, dcfg->group_id, bootstrap);
            int sig;
            sigwait(sigs, &sig);
            blog_info("received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            rc = 0;
        }
        pthread_mutex_lock(&d.lock);
        d.member = NULL;
        pthread_mutex_unlock(&d.lock);
        /* The tasks stop first, flushing and committing, while the member
         * still heartbeats (its assignments are ignored meanwhile), so no
         * other worker runs them before they stopped here; then the member
         * leaves, then the reader stops. */
        cluster_work_drain(d.work);
        connect_member_stop(member);
        pthread_mutex_lock(&d.lock);
        cluster_work_t *work = d.work;
        d.work = NULL;
        pthread_mutex_unlock(&d.lock);
        cluster_work_stop(work);
    }
    if (rc != 0) {
        fprintf(stderr, "connectd distributed: %s\n", err);
    }
    config_tail_stop(tail);
    pthread_mutex_destroy(&d.lock);
    worker_stores_close(&stores);
    plugin_registry_destroy(plugins);
    return rc;
}

int cmd_distributed(int argc, char **argv)
{
    cliopt_parser_t p;
    cliopt_parser_init(&p, "connectd distributed", distributed_usage, argc, argv);
    p.version = "connectd " PACKAGE_VERSION;
    cliopt_parser_add(&p, distributed_opts);
    const char *file = NULL, *value;
    const char **overrides = calloc((size_t)argc + 1, sizeof(char *));
    int n_overrides = 0, id, rc = EXIT_USAGE;
    char err[512];
    properties_t *props = properties_create();
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        if (id == CMD_OPT_OVERRIDE) {
            overrides[n_overrides++] = value;
        } else if (id == CLIOPT_POSITIONAL && !file) {
            file = value;
        } else if (id == CLIOPT_POSITIONAL) {
            fprintf(stderr,
                    "connectd distributed: unexpected argument '%s': connectors are created through the "
                    "REST API in distributed mode\n",
                    value);
            goto fail;
        } else {
            rc = CMD_PARSE_EXIT(id);
            goto fail;
        }
    }
    if (!file) {
        fprintf(stderr, "usage: connectd distributed WORKER.properties [--override KEY=VALUE ...] (a worker "
                        "properties file is required; see connectd distributed --help)\n");
        goto fail;
    }
    if (properties_load_file(props, file, err, sizeof(err)) < 0) {
        fprintf(stderr, "connectd distributed: %s\n", err);
        goto fail;
    }
    for (int i = 0; i < n_overrides; i++) {
        if (properties_set_override(props, overrides[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "connectd distributed: --override %s: %s\n", overrides[i], err);
            goto fail;
        }
    }
    worker_config_t wcfg;
    distributed_config_t dcfg;
    if (!worker_config_init(&wcfg, props, err, sizeof(err))) {
        fprintf(stderr, "connectd distributed: invalid configuration: %s\n", err);
        goto fail;
    }
    if (!distributed_config_init(&dcfg, props, err, sizeof(err))) {
        fprintf(stderr, "connectd distributed: invalid configuration: %s\n", err);
        worker_config_free(&wcfg);
        goto fail;
    }
    blog_log4j_apply(props);
    cmd_warn_if_root();
    /* Only the main thread takes the signals, in sigwait below. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = run_worker(&wcfg, &dcfg, props, &sigs);
    distributed_config_free(&dcfg);
    worker_config_free(&wcfg);
fail:
    properties_destroy(props);
    free(overrides);
    return rc;
}
