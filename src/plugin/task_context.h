/*
 * task_context.h - cd_task_t, what a plugin callback is told about the
 * connector or task it serves, and the host API table handed to plugins.
 *
 * A context belongs to one connector (id -1) or one task (0..); the worker
 * creates it, passes it to every callback of that instance, and reads back
 * what the plugin reported (set_error, task configs); records a sink
 * rejects are logged.
 */
#ifndef CONNECTD_TASK_CONTEXT_H
#define CONNECTD_TASK_CONTEXT_H

#include <stdbool.h>

#include <connectd/plugin.h>

#include "plugin_metrics.h"
#include "store/offset_store.h"
#include "properties.h"

/* The table plugins get: the data functions (data.h) and the context
 * functions of this file.  Built once; valid for the process. */
const cd_host_api_t *worker_host_api(void);

/* A context for connector `name` (task_id -1) or one of its tasks, with a
 * copy of `config`; `desc` supplies the defaults config_get applies.
 * `offsets` (may be NULL) answers offset_read. */
cd_task_t *task_context_new(const char *name, int task_id, const cd_plugin_desc_t *desc, const properties_t *config,
                            offset_store_t *offsets);
void task_context_free(cd_task_t *task); /* NULL is fine */

/* The message of the plugin's last set_error, or NULL; cleared by the next
 * task_context_clear_error. */
const char *task_context_error(const cd_task_t *task);
void task_context_clear_error(cd_task_t *task);
/* Any thread. */
void task_context_set_stopping(cd_task_t *task);

/* Where the plugin's record_reject goes: a sink task's loop hands it to
 * its error handler (error_handler.h).  Without one, a rejected record is
 * logged and skipped.  Set and called on the task's thread. */
typedef void (*task_reject_fn)(void *opaque, const cd_record_t *rec, const char *reason);
void task_context_set_reject(cd_task_t *task, task_reject_fn fn, void *opaque);

/* What the task's plugin reports of itself (ABI 1.3 metric_set,
 * progress_set); NULL for a connector-level context.  Valid until
 * task_context_free; its functions may be called from any thread. */
plugin_metrics_t *task_context_metrics(cd_task_t *task);

/* Task configs made by the connector's task_configs() callback. */
int task_context_task_config_count(const cd_task_t *conn);
const properties_t *task_context_task_config(const cd_task_t *conn, int i);

#endif
