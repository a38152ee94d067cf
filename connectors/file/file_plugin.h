/*
 * file_plugin.h - what the parts of connectd-file.so share: the host table
 * and the task callbacks of FileStreamSource and FileStreamSink, which
 * file_plugin.c puts into the descriptors.
 */
#ifndef CONNECTD_FILE_PLUGIN_H
#define CONNECTD_FILE_PLUGIN_H

#include <connectd/plugin.h>

/* Set once by cd_plugin_entry before any callback runs; read-only after. */
extern const cd_host_api_t *file_host;

/* file_source.c */
cd_rc_t file_source_start(cd_task_t *task, void **state);
cd_rc_t file_source_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms);
void file_source_stop(cd_task_t *task, void *state);
/* alter_offsets: partitions {"filename": "..."}, offsets {"position": n >= 0} or null. */
cd_rc_t file_source_alter_offsets(cd_task_t *conn, const cd_value_t *offsets, char *errbuf, size_t errlen);

/* file_sink.c */
cd_rc_t file_sink_start(cd_task_t *task, void **state);
cd_rc_t file_sink_put(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n);
cd_rc_t file_sink_flush(cd_task_t *task, void *state);
void file_sink_stop(cd_task_t *task, void *state);

#endif
