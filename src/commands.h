/* commands.h - the subcommands of `connectd`, one file each. */
#ifndef CONNECTD_COMMANDS_H
#define CONNECTD_COMMANDS_H

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* `connectd broker FILE [--override k=v ...]`; argv excludes "broker". */
int cmd_broker(int argc, char **argv);

/* `connectd standalone WORKER.properties [CONNECTOR ...]`; argv excludes
 * "standalone". */
int cmd_standalone(int argc, char **argv);

/* `connectd docs broker-config|broker-apis|configuration`: the references
 * generated from the config and API tables. */
int cmd_docs(int argc, char **argv);

#endif
