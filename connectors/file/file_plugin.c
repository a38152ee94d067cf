/*
 * file_plugin.c - connectd-file.so: FileStreamSource and FileStreamSink,
 * Kafka's demo file connectors, built on the public plugin ABI alone (this
 * directory includes <connectd/plugin.h> and libc, nothing of the daemon),
 * so it doubles as the reference a plugin author can copy.
 *
 * Names, aliases and settings are Kafka's (connect/file), so Kafka's
 * connect-file-source.properties and connect-file-sink.properties work
 * unchanged.  The sink's `topics` / `topics.regex` are not listed here:
 * they are worker settings, the worker subscribes.
 */
#include "file_plugin.h"

#include <stddef.h>
#include <stdio.h>

#ifndef FILE_PLUGIN_VERSION
#define FILE_PLUGIN_VERSION "0.0.0"
#endif

const cd_host_api_t *file_host;

static int validate_non_empty(const char *value, char *errbuf, size_t errlen)
{
    if (value == NULL || value[0] == '\0') {
        snprintf(errbuf, errlen, "String must be non-empty");
        return 1;
    }
    return 0;
}

static const cd_config_def_t source_config[] = {
    {.name = "file", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Source filename. If not specified, the standard input will be used"},
    {.name = "topic", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "The topic to publish data to", .validate = validate_non_empty},
    {.name = "batch.size", .type = CD_CFG_INT, .default_value = "2000", .importance = CD_IMPORTANCE_LOW,
     .doc = "The maximum number of records the source task can read from the file each time it is polled",
     .min = 1, .max = INT32_MAX},
    {.name = NULL},
};

static const cd_config_def_t sink_config[] = {
    {.name = "file", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Destination filename. If not specified, the standard output will be used"},
    {.name = NULL},
};

/* A file has one reader: Kafka's source makes one task whatever tasks.max
 * says. */
static cd_rc_t source_task_configs(cd_task_t *conn, int max_tasks)
{
    file_host->task_config_add(conn);
    return CD_OK;
}

/* The sink keeps no offsets of its own: whatever the consumer group is set
 * to is where it goes on (Kafka's FileStreamSinkConnector.alterOffsets
 * returns true). */
static cd_rc_t sink_alter_offsets(cd_task_t *conn, const cd_value_t *offsets, char *errbuf, size_t errlen)
{
    return CD_OK;
}

/* Every sink task appends whole lines to the same file (O_APPEND). */
static cd_rc_t sink_task_configs(cd_task_t *conn, int max_tasks)
{
    for (int i = 0; i < max_tasks; i++) {
        file_host->task_config_add(conn);
    }
    return CD_OK;
}

static const char *const source_aliases[] = {
    "org.apache.kafka.connect.file.FileStreamSourceConnector",
    "FileStreamSourceConnector",
    NULL,
};

static const char *const sink_aliases[] = {
    "org.apache.kafka.connect.file.FileStreamSinkConnector",
    "FileStreamSinkConnector",
    NULL,
};

static const cd_plugin_desc_t file_source = {
    CD_PLUGIN_DESC_HEADER,
    .name = "FileStreamSource",
    .version = FILE_PLUGIN_VERSION,
    .description = "Reads the lines of a file (followed as it grows) or of standard input into a topic.",
    .kind = CD_KIND_SOURCE,
    .aliases = source_aliases,
    .config = source_config,
    .task_configs = source_task_configs,
    .start = file_source_start,
    .poll = file_source_poll,
    .stop = file_source_stop,
    .alter_offsets = file_source_alter_offsets,
};

static const cd_plugin_desc_t file_sink = {
    CD_PLUGIN_DESC_HEADER,
    .name = "FileStreamSink",
    .version = FILE_PLUGIN_VERSION,
    .description = "Appends each record's value as a line to a file or standard output.",
    .kind = CD_KIND_SINK,
    .aliases = sink_aliases,
    .config = sink_config,
    .task_configs = sink_task_configs,
    .start = file_sink_start,
    .put = file_sink_put,
    .flush = file_sink_flush,
    .stop = file_sink_stop,
    .alter_offsets = sink_alter_offsets,
};

static const cd_plugin_desc_t *const file_connectors[] = {&file_source, &file_sink, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    /* Every function used here is in ABI 1.0 (record_reject is its last);
     * a shorter table is not a host we can work with.  The loader logs the
     * refusal of a NULL result: log() needs a task we do not have here. */
    size_t needed = offsetof(cd_host_api_t, record_reject) + sizeof(host->record_reject);
    if (host->abi_major != CD_ABI_MAJOR || host->struct_size < needed) {
        return NULL;
    }
    file_host = host;
    return file_connectors;
}
