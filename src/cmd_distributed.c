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
#include <stdio.h>
#include <stdlib.h>

#include "cliopt.h"
#include "commands.h"
#include "config/distributed_config.h"
#include "config/worker_config.h"
#include "connectd-build.h"

static const cliopt_t distributed_opts[] = {
    {CMD_OPT_OVERRIDE, "--override", 0, "KEY=VALUE", CMD_OPT_OVERRIDE_HELP},
    {0},
};

static const char distributed_usage[] =
    "usage: connectd distributed WORKER.properties [--override KEY=VALUE ...]\n"
    "\n"
    "Will run a worker of the Connect cluster named by group.id, as connect-distributed. Not implemented\n"
    "yet: for now the file is checked and the command exits with status 1.";

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
    worker_config_free(&wcfg);
    if (!distributed_config_init(&dcfg, props, err, sizeof(err))) {
        fprintf(stderr, "connectd distributed: invalid configuration: %s\n", err);
        goto fail;
    }
    fprintf(stderr,
            "connectd distributed: distributed mode is not implemented yet: %s is a valid distributed worker "
            "configuration (group.id=%s), but this connectd cannot join a Connect cluster. Run `connectd "
            "standalone` for a single worker.\n",
            file, dcfg.group_id);
    distributed_config_free(&dcfg);
    rc = EXIT_RUNTIME;
fail:
    properties_destroy(props);
    free(overrides);
    return rc;
}
