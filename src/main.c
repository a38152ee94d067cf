/*
 * main.c - the connectd command: dispatches to a subcommand.
 *
 *   connectd standalone WORKER.properties [CONNECTOR.properties|.json ...] [--override key=value ...]
 *   connectd distributed WORKER.properties [--override key=value ...]   (not implemented yet)
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
#include "cliopt.h"
#include "commands.h"

static const char main_usage[] = "usage: connectd COMMAND [FLAGS]\n"
                                 "\n"
                                 "commands (each has --help):\n"
                                 "  standalone  run a Connect worker (and, without bootstrap.servers, its own broker)\n"
                                 "  distributed run a worker of a Connect cluster (not implemented yet)\n"
                                 "  broker      run a Kafka-protocol broker node (keys as Kafka's server.properties)\n"
                                 "  docs        print a reference generated from the config or API tables";

static const cliopt_t no_opts[] = {{0}};

/* Connectors are plugins loaded into the process, and their configs name
 * files and hosts: whatever a REST client, a plugin or a broker client gets
 * the worker to do, it does with the rights of the user it runs as. */
void cmd_warn_if_root(void)
{
    if (geteuid() == 0) {
        blog_warn("running as root: a connector, a plugin or a client that gets the better of connectd can read "
                  "and change any file on this host; run connectd as an unprivileged user");
    }
}

int main(int argc, char **argv)
{
    cliopt_parser_t p;
    cliopt_parser_init(&p, "connectd", main_usage, argc - 1, argv + 1);
    p.version = "connectd " PACKAGE_VERSION;
    cliopt_parser_add(&p, no_opts);
    const char *cmd;
    int id = cliopt_next(&p, &cmd);
    if (id == CLIOPT_END) {
        cliopt_print_help(&p, stderr);
        return EXIT_USAGE;
    }
    if (id != CLIOPT_POSITIONAL) {
        return id == CLIOPT_ERROR ? EXIT_USAGE : 0;
    }
    if (strcmp(cmd, "version") == 0) {
        printf("connectd %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        cliopt_print_help(&p, stdout);
        return 0;
    }
    if (strcmp(cmd, "standalone") == 0) {
        return cmd_standalone(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "distributed") == 0) {
        return cmd_distributed(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "broker") == 0) {
        return cmd_broker(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "docs") == 0) {
        return cmd_docs(argc - 2, argv + 2);
    }
    fprintf(stderr, "connectd: unknown command '%s'; see connectd --help\n", cmd);
    return EXIT_USAGE;
}
