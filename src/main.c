/*
 * main.c - the connectd command: dispatches to a subcommand.
 *
 *   connectd standalone WORKER.properties [CONNECTOR.properties|.json ...] [--override key=value ...]
 *   connectd broker BROKER.properties [--override key=value ...]
 *
 * Exit codes (DESIGN §1): 0 clean stop, 1 runtime failure, 2 bad command
 * line or configuration, 3 a command-line connector could not be created.
 */
#include "connectd-build.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blog.h"
#include "commands.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: connectd standalone WORKER.properties [CONNECTOR.properties|.json ...] "
                 "[--override key=value ...]\n"
                 "       connectd broker BROKER.properties [--override key=value ...]\n"
                 "       connectd docs broker-config|broker-apis|configuration\n"
                 "       connectd --version\n"
                 "\n"
                 "  standalone  run a Connect worker (and, without bootstrap.servers, its own broker)\n"
                 "  broker   run a Kafka-protocol broker node (keys as Kafka's server.properties)\n"
                 "  docs     print a reference generated from the config or API tables\n");
}

/* Connectors are plugins loaded into the process, and their configs name
 * files and hosts: whatever a REST client, a plugin or a broker client gets
 * the worker to do, it does with the rights of the user it runs as. */
static void warn_if_root(void)
{
    if (geteuid() == 0) {
        blog_warn("running as root: a connector, a plugin or a client that gets the better of connectd can read "
                  "and change any file on this host; run connectd as an unprivileged user");
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("connectd %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "standalone") == 0) {
        warn_if_root();
        return cmd_standalone(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "broker") == 0) {
        warn_if_root();
        return cmd_broker(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "docs") == 0) {
        return cmd_docs(argc - 2, argv + 2);
    }
    fprintf(stderr, "connectd: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
