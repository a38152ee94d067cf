/*
 * ctl.h - shared pieces of connectctl, the command-line client.
 *
 * connectctl talks to brokers only through librdkafka, so it works against
 * connectd, a connectd cluster or Apache Kafka alike.  Flags follow Kafka's
 * tools (kafka-topics, kafka-console-producer/consumer,
 * kafka-consumer-groups); output is a
 * human-readable table unless --json is given.  Every error is one line on
 * stderr naming what went wrong and what to do, with a non-zero exit.
 */
#ifndef CONNECTD_CTL_H
#define CONNECTD_CTL_H

#include <stdbool.h>

#include <librdkafka/rdkafka.h>

#include "cliopt.h"

#define CTL_EXIT_FAIL 1
#define CTL_EXIT_USAGE 2

/* Options every subcommand understands, before or after its name. */
typedef struct ctl_common {
    const char *bootstrap;      /* --bootstrap-server, default localhost:9092 */
    const char *command_config; /* --command-config: client properties file, or NULL */
    bool json;                  /* --json */
    int timeout_ms;             /* --timeout-ms for admin calls and waits */
    bool has_timeout;           /* --timeout-ms was given */
} ctl_common_t;

/* The ids of the common flags; a subcommand's own ids start at 1. */
enum { CTL_OPT_BOOTSTRAP = 1000, CTL_OPT_COMMAND_CONFIG, CTL_OPT_TIMEOUT, CTL_OPT_JSON };

/* The rows of the common flags (cliopt.h). */
extern const cliopt_t ctl_common_opts[];

/* A parser for subcommand `name` ("consume") with its own rows and the
 * common ones, --help printing `usage` first. */
void ctl_parser_init(cliopt_parser_t *p, const char *name, const char *usage, const cliopt_t *opts, int argc,
                     char **argv);

/* Applies common flag `id` with `value`; false for an id that is not a
 * common flag.  Exits with CTL_EXIT_USAGE on a bad value. */
bool ctl_common_apply(ctl_common_t *common, int id, const char *value);

/* The exit code for a cliopt_next code that ended parsing early: 0 after
 * --help/--version, CTL_EXIT_USAGE after an error. */
int ctl_parse_exit(int id);

/* What subcommand `name` does with a cliopt_next code none of its own
 * flags took: a common flag is applied (-1: parse on); a positional
 * argument is refused and --help, --version or an error end parsing (the
 * exit code). */
int ctl_parse_other(const char *name, ctl_common_t *common, int id, const char *value);

/* Sets every property of `file` (a Java properties file, "--consumer.config"
 * and the like) on `conf`; exits with CTL_EXIT_USAGE naming the file and key
 * of an unreadable file or a property librdkafka refuses. */
void ctl_conf_load(rd_kafka_conf_t *conf, const char *flag, const char *file);

/* Sets one "key=value" (--consumer-property and the like) on `conf`; exits
 * with CTL_EXIT_USAGE when it is not key=value or librdkafka refuses it. */
void ctl_conf_set_kv(rd_kafka_conf_t *conf, const char *flag, const char *kv);

/* A librdkafka configuration with bootstrap.servers and --command-config
 * set and librdkafka's own logging quietened (connectctl reports errors
 * itself). */
rd_kafka_conf_t *ctl_conf_new(const ctl_common_t *common);

/* Prints "connectctl: <message>" and returns CTL_EXIT_FAIL. */
int ctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks that a broker answers Metadata within the timeout; prints the
 * "no broker reachable" error naming the address when not. */
bool ctl_broker_reachable(rd_kafka_t *rk, const ctl_common_t *common);

/* Writes s as a JSON string literal (with quotes) to stdout. */
void ctl_json_string(const char *s);

/* Writes data[0..len), UTF-8 text, as a JSON string literal to stdout. */
void ctl_json_bytes(const void *data, size_t len);

/* Waits for the admin result event on `queue`.  Returns it (owned by the
 * caller: rd_kafka_event_destroy) or NULL after printing the timeout or the
 * request-level error. */
rd_kafka_event_t *ctl_admin_await(rd_kafka_queue_t *queue, const ctl_common_t *common);

/* An admin client (a producer handle that never produces) whose metadata
 * lookups never create topics, after checking that a broker answers.
 * NULL after printing why (then *rc is the exit code). */
rd_kafka_t *ctl_admin_new(const ctl_common_t *common, int *rc);

int ctl_topics(int argc, char **argv);
int ctl_produce(int argc, char **argv);
int ctl_consume(int argc, char **argv);
int ctl_groups(int argc, char **argv);
int ctl_configs(int argc, char **argv);
int ctl_connectors(int argc, char **argv);

#endif
