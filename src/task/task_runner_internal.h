/*
 * task_runner_internal.h - what task_runner.c shares with the two task
 * loops, task_source.c and task_sink.c.
 *
 * The functions below run on the task's own thread.  The runner's `lock`
 * guards state and trace (read by the herder's threads) and keeps
 * task_runner_stop's wakeup() from overlapping the plugin's stop(); it is
 * never held over a callback or another lock, only over wakeup(); and,
 * with `ended_cond`, tells the stopper that the thread ended.  The
 * abandoned list's lock (task_runner.c) is taken under it, never the
 * other way round.
 *
 * `report_lock` is held by the task's thread over each report to the
 * herder (on_state, on_topic) and each offset commit, and by the stopper to
 * set `cancelled` when it abandons the task: once that returns, no report
 * or commit is under way and none follows.  It is held over the herder's
 * callbacks, which take only leaf locks (status_lock, topics_lock) and
 * never wait for a task.
 */
#ifndef CONNECTD_TASK_RUNNER_INTERNAL_H
#define CONNECTD_TASK_RUNNER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config/client_conf.h"
#include "convert/converter.h"
#include "error_handler.h"
#include "plugin/task_context.h"
#include "task_runner.h"

struct task_runner {
    task_env_t env;            /* config and connector point at the copies below */
    properties_t *config;
    char *connector;
    char *config_error; /* env.config_error, copied */
    cd_task_t *ctx;
    void *plugin_state;
    atomic_bool started;       /* start() succeeded and stop() not called: cleared under lock */
    atomic_bool paused;        /* the connector's target state is PAUSED */
    pthread_t thread;
    pthread_mutex_t lock;      /* guards state and trace, ended and abandoned, and wakeup() against stop() */
    pthread_cond_t ended_cond; /* signalled, under lock, when the thread ends */
    bool ended;                /* the thread is done with the runner (under lock) */
    bool abandoned;            /* the stopper gave up waiting (under lock); on the abandoned list until ended */
    int64_t abandoned_at_ms;   /* when, for the log line once the thread ends */
    atomic_int refs;           /* the owner's and the thread's; the last one out frees the runner */
    pthread_mutex_t report_lock; /* see the top */
    atomic_bool cancelled;       /* abandoned: reports and commits are skipped (set under report_lock) */
    task_state_t state;
    task_metrics_t metrics;    /* updated by the task's thread */
    char **topics_seen;        /* reported to env.on_topic; the task's thread only */
    int n_topics_seen;
    atomic_bool forget_topics; /* set by task_runner_forget_topics */
    char trace[4096];
    char scratch[4096];
};

/* Begins a report to the herder or an offset commit: takes report_lock
 * and returns whether the task still counts (not abandoned).  Whatever
 * the answer, runner_report_end follows.
 * @locality the task's own thread
 * @locks takes report_lock */
bool runner_report_begin(task_runner_t *r);
/* @locks releases report_lock */
void runner_report_end(task_runner_t *r);
/* Sets the state, then tells env.on_state.
 * @locality the task's own thread
 * @locks takes r->lock, then calls on_state without it */
void runner_set_state(task_runner_t *r, task_state_t state);
/* FAILED, with the message as the trace (and a log line).
 * @locality the task's own thread
 * @locks as runner_set_state */
void runner_fail(task_runner_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "<what>: <the plugin's set_error text>", in a buffer of r's.
 * @locality the task's own thread
 * @locks none */
const char *runner_plugin_error(task_runner_t *r, const char *what);
/* The task's key, value and header converters (connector settings over the
 * worker's); false with errstr set.
 * @locality the task's own thread
 * @locks none */
bool runner_converters(task_runner_t *r, converter_t **key, converter_t **value, converter_t **header, char *errstr,
                       size_t errstr_size);
/* The task's errors.* handler (error_handler_create with the task's
 * config, worker and metrics); NULL with errstr set.
 * @locality the task's own thread
 * @locks none */
error_handler_t *runner_error_handler(task_runner_t *r, char *errstr, size_t errstr_size);
/* The connector's client overrides starting with `prefix`
 * ("producer.override.") set on `conf`, as Kafka's Worker applies them;
 * false with errstr naming the key when the worker's override policy or
 * the deny-list refuses one (a config stored before either said so).
 * @locality the task's own thread
 * @locks none */
bool runner_client_overrides(task_runner_t *r, rd_kafka_conf_t *conf, const char *prefix, char *errstr,
                             size_t errstr_size);
/* Before a commit: waits up to offset.flush.timeout.ms for the dead letter
 * queue's acknowledgements, so offsets of records sent there are committed
 * only once they are durable.  0: commit; 1: still in flight, commit at the
 * next interval (warned and counted); -1: the queue refused a record and
 * the task failed.
 * @locality the task's own thread
 * @locks as runner_fail */
int runner_dlq_flush(task_runner_t *r, error_handler_t *eh);
/* The plugin's start(): RUNNING, or FAILED with its error.  Returns
 * whether it started.
 * @locality the task's own thread
 * @locks as runner_set_state */
bool runner_start_plugin(task_runner_t *r);
/* The plugin's stop(), once no wakeup() can be under way or follow.
 * @locality the task's own thread
 * @locks takes r->lock (to clear `started`), then calls stop() without it */
void runner_stop_plugin(task_runner_t *r);

/* Reports `topic` to env.on_topic unless it was reported already (a
 * compare per topic the task uses: a handful).
 * @locality the task's own thread
 * @locks none held while on_topic runs */
void runner_topic_used(task_runner_t *r, const char *topic);

/* A source task's thread, from start to stop (task_source.c).
 * @locality the task's own thread
 * @locks none held on entry */
void source_task_run(task_runner_t *r);
/* A sink task's thread, from start to stop (task_sink.c).
 * @locality the task's own thread
 * @locks none held on entry */
void sink_task_run(task_runner_t *r);

#endif
