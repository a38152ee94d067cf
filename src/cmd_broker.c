/*
 * cmd_broker.c - `connectd broker`: a broker node in the foreground.
 *
 * Configuration: the properties file, then every --override (which wins,
 * wherever it appears on the line).  Unknown keys are reported and ignored,
 * as Kafka does; a malformed value stops start-up with exit code 2 and a
 * message naming the key.  log4j.rootLogger and log4j.logger.<name> set
 * the levels of the loggers, as in a worker file (blog_log4j.h), before the
 * first line is logged.  SIGTERM and SIGINT stop cleanly: connections
 * close, every log is flushed and the checkpoints are written.
 */
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "blog.h"
#include "blog_log4j.h"
#include "broker.h"
#include "broker_props.h"
#include "cliopt.h"
#include "commands.h"
#include "connectd-build.h"
#include "properties.h"

static broker_t *running;
static uv_signal_t sigterm_handle, sigint_handle;
static uv_timer_t fatal_timer;
static int exit_code;

static void shut_down(void)
{
    broker_destroy(running);
    running = NULL;
    /* Every handle goes, so the loop runs out of work and uv_run returns. */
    uv_close((uv_handle_t *)&sigterm_handle, NULL);
    uv_close((uv_handle_t *)&sigint_handle, NULL);
    uv_close((uv_handle_t *)&fatal_timer, NULL);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    blog_info("received %s, shutting down", signum == SIGTERM ? "SIGTERM" : "SIGINT");
    shut_down();
}

static void on_fatal_timer(uv_timer_t *timer)
{
    shut_down();
}

/* The broker cannot go on in its cluster: it has logged why.  The shut-down
 * runs from a timer, outside the broker's callback that reported it. */
static void on_fatal(void *arg, const char *why)
{
    fprintf(stderr, "connectd broker: %s\n", why);
    exit_code = EXIT_RUNTIME;
    uv_timer_start(&fatal_timer, on_fatal_timer, 0, 0);
}

static const cliopt_t broker_opts[] = {
    {CMD_OPT_OVERRIDE, "--override", 0, "KEY=VALUE", CMD_OPT_OVERRIDE_HELP},
    {0},
};

static const char broker_usage[] =
    "usage: connectd broker BROKER.properties [--override KEY=VALUE ...]\n"
    "\n"
    "Runs a Kafka-protocol broker node in the foreground; keys as Kafka's server.properties.";

/* Parses the command line into `props`.  Returns -1 when it is good, else
 * the exit code (after printing why, or the help). */
static int read_command_line(int argc, char **argv, properties_t *props)
{
    const char *file = NULL;
    char err[512];
    cliopt_parser_t p;
    cliopt_parser_init(&p, "connectd broker", broker_usage, argc, argv);
    p.version = "connectd " PACKAGE_VERSION;
    cliopt_parser_add(&p, broker_opts);
    const char *value;
    int id;
    /* Overrides are applied after the file, wherever they appear: a first
     * pass finds the file. */
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        if (id == CLIOPT_POSITIONAL && !file) {
            file = value;
        } else if (id == CLIOPT_POSITIONAL) {
            fprintf(stderr, "connectd broker: only one properties file is accepted, got '%s' too\n", value);
            return EXIT_USAGE;
        } else if (id < 0) {
            return CMD_PARSE_EXIT(id);
        }
    }
    if (!file) {
        fprintf(stderr, "usage: connectd broker BROKER.properties [--override KEY=VALUE ...] "
                        "(a properties file is required; see connectd broker --help)\n");
        return EXIT_USAGE;
    }
    if (properties_load_file(props, file, err, sizeof(err)) < 0) {
        fprintf(stderr, "connectd broker: %s\n", err);
        return EXIT_USAGE;
    }
    cliopt_parser_init(&p, "connectd broker", broker_usage, argc, argv);
    cliopt_parser_add(&p, broker_opts);
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        if (id == CMD_OPT_OVERRIDE && properties_set_override(props, value, err, sizeof(err)) < 0) {
            fprintf(stderr, "connectd broker: --override %s: %s\n", value, err);
            return EXIT_USAGE;
        }
    }
    return -1;
}

/* Each partition keeps its segments' files open, so a broker with thousands
 * of partitions needs more descriptors than the usual soft limit of 1024;
 * raise it to the hard limit, as Kafka's docs tell operators to. */
static void raise_fd_limit(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

int cmd_broker(int argc, char **argv)
{
    properties_t *props = properties_create();
    char err[512];
    int rc = read_command_line(argc, argv, props);
    if (rc >= 0) {
        properties_destroy(props);
        return rc;
    }
    if (!blog_log4j_check(props, err, sizeof(err))) {
        fprintf(stderr, "connectd broker: invalid configuration: %s\n", err);
        properties_destroy(props);
        return EXIT_USAGE;
    }
    blog_log4j_apply(props);
    cmd_warn_if_root();
    broker_config_t *cfg = broker_config_from_props(props, "", NULL, err, sizeof(err));
    properties_destroy(props);
    if (!cfg) {
        fprintf(stderr, "connectd broker: invalid configuration: %s\n", err);
        return EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    uv_loop_t *loop = uv_default_loop();
    running = broker_create(loop, cfg, err, sizeof(err));
    if (!running) {
        fprintf(stderr, "connectd broker: %s\n", err);
        return EXIT_RUNTIME;
    }
    uv_signal_init(loop, &sigterm_handle);
    uv_signal_init(loop, &sigint_handle);
    uv_timer_init(loop, &fatal_timer);
    uv_signal_start(&sigterm_handle, on_signal, SIGTERM);
    uv_signal_start(&sigint_handle, on_signal, SIGINT);
    broker_on_fatal(running, on_fatal, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    return exit_code;
}
