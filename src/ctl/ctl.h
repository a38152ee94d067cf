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

#define CTL_EXIT_FAIL 1
#define CTL_EXIT_USAGE 2

/* Options every subcommand understands. */
typedef struct ctl_common {
    const char *bootstrap; /* --bootstrap-server, default localhost:9092 */
    bool json;             /* --json */
    int timeout_ms;        /* --timeout-ms for admin calls and waits */
} ctl_common_t;

/* Consumes the common flag at argv[*i] if it is one (advancing *i past its
 * value); returns false for a flag that is not common. */
bool ctl_common_flag(ctl_common_t *common, int argc, char **argv, int *i);

/* A librdkafka configuration with bootstrap.servers set and librdkafka's own
 * logging quietened (connectctl reports errors itself). */
rd_kafka_conf_t *ctl_conf_new(const ctl_common_t *common);

/* Prints "connectctl: <message>" and returns CTL_EXIT_FAIL. */
int ctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks that a broker answers Metadata within the timeout; prints the
 * "no broker reachable" error naming the address when not. */
bool ctl_broker_reachable(rd_kafka_t *rk, const ctl_common_t *common);

/* Writes s as a JSON string literal (with quotes) to stdout. */
void ctl_json_string(const char *s);

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

#endif
