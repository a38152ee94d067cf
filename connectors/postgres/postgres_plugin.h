/*
 * postgres_plugin.h - what the parts of connectd-postgres.so share: the
 * host table and the task callbacks, which postgres_plugin.c puts into the
 * descriptor.
 */
#ifndef CONNECTD_POSTGRES_PLUGIN_H
#define CONNECTD_POSTGRES_PLUGIN_H

#include <connectd/plugin.h>

/* Set once by cd_plugin_entry before any callback runs; read-only after. */
extern const cd_host_api_t *pg_host;

/* postgres_task.c */
cd_rc_t postgres_task_start(cd_task_t *task, void **state);
cd_rc_t postgres_task_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms);
cd_rc_t postgres_task_commit(cd_task_t *task, void *state);
void postgres_task_stop(cd_task_t *task, void *state);

#endif
