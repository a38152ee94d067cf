/*
 * es_plugin.h - what the parts of connectd-elasticsearch.so share: the
 * host table and the task callbacks, which es_plugin.c puts into the
 * descriptor.
 */
#ifndef CONNECTD_ES_PLUGIN_H
#define CONNECTD_ES_PLUGIN_H

#include <connectd/plugin.h>

/* Set once by cd_plugin_entry before any callback runs; read-only after. */
extern const cd_host_api_t *es_host;

/* es_task.c */
cd_rc_t es_task_start(cd_task_t *task, void **state);
cd_rc_t es_task_put(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n);
cd_rc_t es_task_flush(cd_task_t *task, void *state);
void es_task_wakeup(cd_task_t *task, void *state);
void es_task_stop(cd_task_t *task, void *state);

#endif
