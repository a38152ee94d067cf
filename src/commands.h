/* commands.h - the subcommands of `connectd`, one file each. */
#ifndef CONNECTD_COMMANDS_H
#define CONNECTD_COMMANDS_H

#include "cliopt.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* --override, which standalone and broker share: its id and help line. */
#define CMD_OPT_OVERRIDE 1
#define CMD_OPT_OVERRIDE_HELP "a setting that wins over the file (repeatable)"

/* The exit code for a cliopt_next code that ended parsing early: 0 after
 * --help or --version, EXIT_USAGE after an error. */
#define CMD_PARSE_EXIT(id) ((id) == CLIOPT_ERROR ? EXIT_USAGE : 0)

/* Warns when running as root; the commands that run plugins or serve
 * clients call it once their command line is read, so --help stays quiet. */
void cmd_warn_if_root(void);

/* `connectd broker FILE [--override k=v ...]`; argv excludes "broker". */
int cmd_broker(int argc, char **argv);

/* `connectd standalone WORKER.properties [CONNECTOR ...]`; argv excludes
 * "standalone". */
int cmd_standalone(int argc, char **argv);

/* `connectd distributed WORKER.properties`; argv excludes "distributed".
 * Checks the file and exits 1: distributed mode is not implemented yet. */
int cmd_distributed(int argc, char **argv);

/* `connectd docs broker-config|broker-apis|configuration`: the references
 * generated from the config and API tables. */
int cmd_docs(int argc, char **argv);

#endif
