/*
 * cmd_broker.c - `connectd broker`: a broker node in the foreground.
 *
 * Configuration: the properties file, then every --override (which wins,
 * wherever it appears on the line).  Unknown keys are reported and ignored,
 * as Kafka does; a malformed value stops start-up with exit code 2 and a
 * message naming the key.  SIGTERM and SIGINT stop cleanly: connections
 * close, every log is flushed and the checkpoints are written.
 */
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "blog.h"
#include "broker.h"
#include "broker_props.h"
#include "commands.h"
#include "properties.h"

static broker_t *running;
static uv_signal_t sigterm_handle, sigint_handle;

static void on_signal(uv_signal_t *sig, int signum)
{
    blog_info("received %s, shutting down", signum == SIGTERM ? "SIGTERM" : "SIGINT");
    broker_destroy(running);
    running = NULL;
    /* Both handles go, so the loop runs out of work and uv_run returns. */
    uv_close((uv_handle_t *)&sigterm_handle, NULL);
    uv_close((uv_handle_t *)&sigint_handle, NULL);
}

/* Parses the command line into `props`.  Returns false after printing why. */
static bool read_command_line(int argc, char **argv, properties_t *props)
{
    const char *file = NULL;
    char err[512];
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--override") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "connectd broker: --override needs a key=value argument\n");
                return false;
            }
            i++; /* applied after the file, below */
        } else if (strncmp(argv[i], "--", 2) == 0) {
            fprintf(stderr, "connectd broker: unknown option '%s'\n", argv[i]);
            return false;
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "connectd broker: only one properties file is accepted, got '%s' too\n",
                    argv[i]);
            return false;
        }
    }
    if (!file) {
        fprintf(stderr, "usage: connectd broker BROKER.properties [--override key=value ...]\n");
        return false;
    }
    if (properties_load_file(props, file, err, sizeof(err)) < 0) {
        fprintf(stderr, "connectd broker: %s\n", err);
        return false;
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--override") == 0 &&
            properties_set_override(props, argv[++i], err, sizeof(err)) < 0) {
            fprintf(stderr, "connectd broker: --override %s: %s\n", argv[i], err);
            return false;
        }
    }
    return true;
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
    if (!read_command_line(argc, argv, props)) {
        properties_destroy(props);
        return EXIT_USAGE;
    }
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
    uv_signal_start(&sigterm_handle, on_signal, SIGTERM);
    uv_signal_start(&sigint_handle, on_signal, SIGINT);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    return 0;
}
