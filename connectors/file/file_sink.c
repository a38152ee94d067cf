/*
 * file_sink.c - the FileStreamSink task: each record's value becomes a line
 * of a file (or of standard output), in Java's toString() form
 * (value_format.h), as Kafka's sink println()s it.
 *
 * put() formats a batch into a buffer and writes it with one write() at
 * the end, so lines show up in the file as soon as they are consumed, as
 * with Kafka's println() (and a batch bigger than SINK_WRITE_AT is written
 * in pieces, which bounds memory).  flush() fsync()s, and the worker commits
 * the consumed offsets only after that, so a line whose offset is committed
 * is on disk (Kafka's flush() only reaches the page cache).  Lines written
 * but not yet flushed when the worker dies are delivered again: at least
 * once, as Kafka Connect.
 *
 * The file is opened O_APPEND and the buffer only ever holds whole lines, so
 * several tasks appending to one file do not cut into each other's lines
 * (each write() lands at the end as one piece on local filesystems).
 */
#include "file_plugin.h"
#include "value_format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path_confine.h"

#define SINK_WRITE_AT (1 << 20)

typedef struct file_sink {
    char *path; /* NULL: standard output */
    int fd;
    strbuf_t buf; /* whole lines put since the last write */
} file_sink_t;

static const char *sink_name(const file_sink_t *fsk)
{
    return fsk->path ? fsk->path : "<stdout>";
}

static cd_rc_t sink_write(cd_task_t *task, file_sink_t *fsk)
{
    size_t done = 0;
    while (done < fsk->buf.len) {
        ssize_t w = write(fsk->fd, fsk->buf.data + done, fsk->buf.len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            file_host->set_error(task, "cannot write file '%s': %s", sink_name(fsk), strerror(errno));
            return CD_FATAL;
        }
        done += (size_t)w;
    }
    fsk->buf.len = 0;
    return CD_OK;
}

cd_rc_t file_sink_start(cd_task_t *task, void **state)
{
    const char *path = file_host->config_get(task, "file");
    file_sink_t *fsk = calloc(1, sizeof(*fsk));
    if (fsk == NULL || (path && path[0] && (fsk->path = strdup(path)) == NULL)) {
        free(fsk);
        file_host->set_error(task, "out of memory starting the file sink");
        return CD_FATAL;
    }
    fsk->fd = STDOUT_FILENO;
    /* The worker has judged the path already; judged again here, just
     * before the open, against the directories it hands every task. */
    const char *allowed = file_host->config_get(task, PATH_CONFINE_CONFIG);
    if (fsk->path != NULL && !path_confine_allowed(fsk->path, allowed)) {
        file_host->set_error(task, "file '%s' is outside the worker's " PATH_CONFINE_CONFIG " (%s)", fsk->path,
                             allowed ? allowed : "");
        free(fsk->path);
        free(fsk);
        return CD_FATAL;
    }
    if (fsk->path != NULL) {
        fsk->fd = open(fsk->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        if (fsk->fd < 0) {
            file_host->set_error(task, "couldn't find or create file '%s' for FileStreamSinkTask: %s",
                                 fsk->path, strerror(errno));
            free(fsk->path);
            free(fsk);
            return CD_FATAL;
        }
    }
    file_host->log(task, CD_LOG_INFO, "writing to %s%s%s", fsk->path ? "file '" : "standard output",
                   fsk->path ? fsk->path : "", fsk->path ? "'" : "");
    *state = fsk;
    return CD_OK;
}

cd_rc_t file_sink_put(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n)
{
    file_sink_t *fsk = state;
    for (size_t i = 0; i < n; i++) {
        int rc = value_format_java(file_host, file_host->record_value(recs[i]),
                                   file_host->record_value_schema(recs[i]), &fsk->buf);
        if (rc == -2) {
            file_host->record_reject(task, recs[i], "a struct value without a schema cannot be written: "
                                                    "its field names are unknown");
            continue;
        }
        if (rc != 0 || strbuf_append(&fsk->buf, "\n", 1) != 0) {
            file_host->set_error(task, "out of memory formatting a record for file '%s'", sink_name(fsk));
            return CD_FATAL;
        }
        if (fsk->buf.len >= SINK_WRITE_AT && sink_write(task, fsk) != CD_OK) {
            return CD_FATAL;
        }
    }
    return sink_write(task, fsk);
}

cd_rc_t file_sink_flush(cd_task_t *task, void *state)
{
    file_sink_t *fsk = state;
    if (sink_write(task, fsk) != CD_OK) {
        return CD_FATAL;
    }
    /* EINVAL: a pipe or terminal, which has nothing to sync. */
    if (fsync(fsk->fd) != 0 && errno != EINVAL) {
        file_host->set_error(task, "cannot sync file '%s': %s", sink_name(fsk), strerror(errno));
        return CD_FATAL;
    }
    return CD_OK;
}

void file_sink_stop(cd_task_t *task, void *state)
{
    file_sink_t *fsk = state;
    if (fsk->path != NULL) {
        close(fsk->fd); /* standard output is the process's: never closed */
    }
    free(fsk->buf.data);
    free(fsk->path);
    free(fsk);
}
