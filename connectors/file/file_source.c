/*
 * file_source.c - the FileStreamSource task: every line of a file (or of
 * standard input) becomes a record with a STRING value.
 *
 * Source partition {"filename": "/var/log/app.log"}, source offset
 * {"position": 1234}: the byte just after the line's terminator.  Kafka
 * counts characters there but resumes by skipping bytes, so it resumes in
 * the wrong place after multi-byte text; we count bytes, and a restart
 * lseek()s to exactly the next line.
 *
 * The file is followed like `tail -F`:
 *   - it grows: poll() returns what is there and finds more next time;
 *   - it is missing: one warning, then it is looked for again every slice
 *     (Kafka waits and retries too);
 *   - it gets shorter than what we read (truncated, or a copytruncate
 *     rotation): read again from byte 0;
 *   - the name points to another inode (rename-and-create rotation): read
 *     the old file to its end, then the new one from byte 0.  A last line
 *     of the old file without terminator is sent as it is, since nothing
 *     will ever end it.
 * Each of these is logged.  A file that was replaced while the task was
 * stopped is only noticed if it is shorter than the committed position: the
 * offset names the file, not the inode (Kafka's offset format).
 *
 * Standard input has no offsets (Kafka's behaviour; it cannot be reread),
 * is polled rather than read blocking, and is never closed.
 *
 * poll() never blocks longer than timeout_ms: it waits in slices of at most
 * WAIT_SLICE_MS and checks host->is_stopping between them.
 */
#include "file_plugin.h"
#include "line_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "path_confine.h"

#define WAIT_SLICE_MS 100
#define READ_CHUNK 65536

typedef struct file_source {
    char *path; /* NULL: standard input */
    char *topic;
    int batch_size;
    int fd;            /* -1 until the file is found */
    dev_t dev;         /* identity of the open file, to notice rotation */
    ino_t ino;
    bool warned_missing;
    bool stdin_eof;
    line_reader_t *lr;
    cd_schema_t *schema; /* STRING, not optional; one reference per record */
    int64_t read_up_to;  /* position after the last line emitted, in the open file */
    int64_t now_ms;      /* the records' timestamp: when this poll began */
} file_source_t;

/* Waits one slice (less if the deadline is nearer); false when the
 * deadline has passed or the task is stopping.  On standard input the wait
 * ends early when input arrives. */
static bool wait_slice(cd_task_t *task, file_source_t *fs, int64_t deadline)
{
    int64_t left = deadline - clock_mono_ms();
    if (left <= 0 || file_host->is_stopping(task)) {
        return false;
    }
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    bool on_stdin = fs->path == NULL && !fs->stdin_eof;
    poll(on_stdin ? &pfd : NULL, on_stdin ? 1 : 0, (int)(left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS));
    return !file_host->is_stopping(task);
}

static cd_value_t *source_partition(const file_source_t *fs)
{
    cd_value_t *map = file_host->value_map();
    file_host->value_map_put(map, file_host->value_string("filename", 8),
                             file_host->value_string(fs->path, strlen(fs->path)));
    return map;
}

/* The committed position for this file: 0 if none; -1 after set_error
 * when the stored offset is not a non-negative integer. */
static int64_t committed_position(cd_task_t *task, const file_source_t *fs)
{
    cd_value_t *part = source_partition(fs);
    cd_value_t *off = file_host->offset_read(task, part);
    file_host->value_free(part);
    int64_t pos = 0;
    cd_type_t kind = off ? file_host->value_type(off) : CD_TYPE_NULL;
    if (kind == CD_TYPE_MAP) {
        const cd_value_t *p = file_host->value_map_get(off, "position");
        cd_type_t t = p ? file_host->value_type(p) : CD_TYPE_NULL;
        if (t != CD_TYPE_NULL) {
            pos = t >= CD_TYPE_INT8 && t <= CD_TYPE_INT64 ? file_host->value_get_int(p) : -1;
        }
    } else if (kind != CD_TYPE_NULL) {
        pos = -1;
    }
    if (pos < 0) {
        file_host->set_error(task,
                             "the committed offset of file '%s' is not {\"position\": <bytes >= 0>}; "
                             "stop the connector and reset its offsets (DELETE /connectors/{name}/offsets)",
                             fs->path);
    }
    file_host->value_free(off);
    return pos;
}

/* One altered entry (the offset not null) as file_source_alter_offsets
 * checks it; CD_CONFIG with errbuf saying what is expected.  `path` is the
 * connector's file, for the messages. */
static cd_rc_t alter_entry_check(const char *path, const cd_value_t *part, const cd_value_t *off, char *errbuf,
                                 size_t errlen)
{
    bool map = file_host->value_type(part) == CD_TYPE_MAP;
    const cd_value_t *name = map ? file_host->value_map_get(part, "filename") : NULL;
    const cd_value_t *pos = file_host->value_type(off) == CD_TYPE_MAP ? file_host->value_map_get(off, "position")
                                                                      : NULL;
    cd_type_t t = pos ? file_host->value_type(pos) : CD_TYPE_NULL;
    if (!name) {
        snprintf(errbuf, errlen, "Partition objects should contain the key 'filename': this connector's partition is "
                 "{\"filename\": \"%s\"}", path);
    } else if (file_host->value_type(name) != CD_TYPE_STRING || file_host->value_count(part) != 1) {
        /* The task looks its offset up by exactly this map: anything else
         * would be stored and never read. */
        snprintf(errbuf, errlen, "Partition objects should be {\"filename\": \"<the file>\"} and nothing else, "
                 "as this connector's own: {\"filename\": \"%s\"}", path);
    } else if (!pos) {
        snprintf(errbuf, errlen, "Offset objects should either be null or contain the key 'position': "
                 "{\"position\": <the byte to resume reading at>}");
    } else if (t < CD_TYPE_INT8 || t > CD_TYPE_INT64) {
        snprintf(errbuf, errlen, "The value for the 'position' key in the offset is expected to be a Long value: "
                 "a JSON integer, the byte to resume reading at");
    } else if (file_host->value_get_int(pos) < 0) {
        snprintf(errbuf, errlen, "The value for the 'position' key in the offset should be a non-negative value: "
                 "the byte to resume reading at");
    } else {
        return CD_OK;
    }
    return CD_CONFIG;
}

/* Kafka's FileStreamSourceConnector.alterOffsets, stricter: an offset the
 * task would not find, or would misread as "no offset" and so read the file
 * again from byte 0, is refused here rather than stored.  Null offsets
 * (resets) are always fine: the task then starts at byte 0, which is what a
 * reset asks for.  As in Kafka the partition may name another file than
 * `file` (offsets set before the config is changed to read that file), and
 * a position past the end of the file is left to the task, which logs it
 * and reads from byte 0: the file may grow before the task starts. */
cd_rc_t file_source_alter_offsets(cd_task_t *conn, const cd_value_t *offsets, char *errbuf, size_t errlen)
{
    const char *path = file_host->config_get(conn, "file");
    for (size_t i = 0; i < file_host->value_count(offsets); i++) {
        const cd_value_t *part = file_host->value_map_key_at(offsets, i);
        const cd_value_t *off = file_host->value_map_value_at(offsets, i);
        if (file_host->value_type(off) == CD_TYPE_NULL) {
            continue;
        }
        if (!path || !path[0]) {
            snprintf(errbuf, errlen, "This connector reads standard input (no 'file' is set), which has no offsets "
                     "to alter; only null offsets (resets) are accepted");
            return CD_CONFIG;
        }
        if (alter_entry_check(path, part, off, errbuf, errlen) != CD_OK) {
            return CD_CONFIG;
        }
    }
    return CD_OK;
}

/* Opens fs->path; resumes at the committed position when `resume`, else
 * starts at byte 0 (a new file after rotation).  A missing file is not an
 * error: fs->fd stays -1. */
/* Whether fs->path is under the directories the worker hands the task;
 * false after set_error.  Judged before every open, since the name may
 * have become a link to elsewhere since the last. */
static bool source_confined(cd_task_t *task, const char *path)
{
    const char *allowed = file_host->config_get(task, PATH_CONFINE_CONFIG);
    if (path_confine_allowed(path, allowed)) {
        return true;
    }
    file_host->set_error(task, "file '%s' is outside the worker's " PATH_CONFINE_CONFIG " (%s)", path,
                         allowed ? allowed : "");
    return false;
}

static cd_rc_t source_open(cd_task_t *task, file_source_t *fs, bool resume)
{
    if (!source_confined(task, fs->path)) {
        return CD_FATAL;
    }
    int fd = open(fs->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            if (!fs->warned_missing) {
                file_host->log(task, CD_LOG_WARN, "couldn't find file '%s', waiting for it to be created",
                               fs->path);
                fs->warned_missing = true;
            }
            return CD_OK;
        }
        file_host->set_error(task, "cannot open file '%s': %s", fs->path, strerror(errno));
        return CD_FATAL;
    }
    struct stat st;
    int64_t pos = resume ? committed_position(task, fs) : 0;
    if (pos < 0 || fstat(fd, &st) != 0) {
        if (pos >= 0) {
            file_host->set_error(task, "cannot stat file '%s': %s", fs->path, strerror(errno));
        }
        close(fd);
        return CD_FATAL;
    }
    if (S_ISREG(st.st_mode) && st.st_size < pos) {
        file_host->log(task, CD_LOG_WARN,
                       "file '%s' has %lld bytes, fewer than the committed position %lld: it was "
                       "truncated or replaced, reading it from the start",
                       fs->path, (long long)st.st_size, (long long)pos);
        pos = 0;
    }
    if (pos > 0 && lseek(fd, pos, SEEK_SET) < 0) {
        file_host->set_error(task, "cannot seek to byte %lld of file '%s': %s", (long long)pos, fs->path,
                             strerror(errno));
        close(fd);
        return CD_FATAL;
    }
    fs->fd = fd;
    fs->dev = st.st_dev;
    fs->ino = st.st_ino;
    fs->warned_missing = false;
    line_reader_reset(fs->lr, pos);
    fs->read_up_to = pos;
    file_host->log(task, CD_LOG_INFO, "reading file '%s' from byte %lld", fs->path, (long long)pos);
    return CD_OK;
}

/* Makes out[*n] a record of one line ending at stream position `end`.
 * The source offset goes only on the last record of a poll (attach_offset):
 * the worker commits offsets only once every record before them is
 * acknowledged, so the last one says all, and the others need not carry
 * two maps each. */
static cd_rc_t emit(cd_task_t *task, file_source_t *fs, const char *line, size_t len, int64_t end,
                    cd_record_t **out, size_t *n)
{
    /* value_string replaces ill-formed UTF-8 with U+FFFD, as Java's decoder
     * does; positions stay in bytes of the file. */
    cd_value_t *value = file_host->value_string(line, len);
    cd_record_t *rec = value ? file_host->record_new(task) : NULL;
    if (!rec) {
        file_host->value_free(value);
        file_host->set_error(task, "out of memory reading file '%s'", fs->path ? fs->path : "<stdin>");
        return CD_FATAL;
    }
    file_host->record_set_topic(rec, fs->topic);
    file_host->record_set_partition(rec, -1);
    file_host->record_set_value(rec, file_host->schema_ref(fs->schema), value);
    file_host->record_set_timestamp(rec, fs->now_ms);
    fs->read_up_to = end;
    out[(*n)++] = rec;
    return CD_OK;
}

/* {"filename": ...} -> {"position": <bytes read>} on the poll's last record. */
static void attach_offset(file_source_t *fs, cd_record_t **out, size_t n)
{
    if (fs->path == NULL || n == 0) {
        return; /* standard input has no offsets */
    }
    cd_value_t *off = file_host->value_map();
    file_host->value_map_put(off, file_host->value_string("position", 8),
                             file_host->value_int(CD_TYPE_INT64, fs->read_up_to));
    file_host->record_set_source(out[n - 1], source_partition(fs), off);
}

/* Reads what is there into the line reader: 1 if bytes came, 0 if none
 * (end of file, or nothing on stdin yet), CD_FATAL after set_error. */
static int read_more(cd_task_t *task, file_source_t *fs)
{
    char buf[READ_CHUNK];
    if (fs->path == NULL) {
        struct pollfd pfd = {.fd = fs->fd, .events = POLLIN};
        if (fs->stdin_eof || poll(&pfd, 1, 0) <= 0) {
            return 0;
        }
    }
    ssize_t r;
    do {
        r = read(fs->fd, buf, sizeof(buf));
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        file_host->set_error(task, "cannot read file '%s': %s", fs->path ? fs->path : "<stdin>",
                             strerror(errno));
        return CD_FATAL;
    }
    if (r > 0 && line_reader_feed(fs->lr, buf, (size_t)r) != 0) {
        file_host->set_error(task, "out of memory buffering a line of file '%s'", fs->path ? fs->path : "<stdin>");
        return CD_FATAL;
    }
    if (r == 0 && fs->path == NULL) {
        file_host->log(task, CD_LOG_INFO, "end of standard input");
        fs->stdin_eof = true;
    }
    return r > 0;
}

/* At end of file, no record made yet: looks for truncation and rotation.
 * Returns 1 if reading should go on at once, 0 to wait, or CD_FATAL. */
static int check_file(cd_task_t *task, file_source_t *fs, cd_record_t **out, size_t *n)
{
    const char *line;
    size_t len;
    int64_t end;
    struct stat st;
    if (fs->path == NULL) {
        if (fs->stdin_eof && line_reader_finish(fs->lr, &line, &len, &end)) {
            return emit(task, fs, line, len, end, out, n) == CD_OK ? 1 : CD_FATAL;
        }
        return 0;
    }
    int64_t fed = line_reader_fed_position(fs->lr);
    if (fstat(fs->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < fed) {
        file_host->log(task, CD_LOG_WARN, "file '%s' was truncated to %lld bytes (read up to %lld), "
                       "reading it again from the start", fs->path, (long long)st.st_size, (long long)fed);
        lseek(fs->fd, 0, SEEK_SET);
        line_reader_reset(fs->lr, 0);
        return 1;
    }
    /* A missing name is a rotation half done: a writer may still append to
     * the file we have open, so keep it until a new file takes the name. */
    if (stat(fs->path, &st) != 0 || (st.st_dev == fs->dev && st.st_ino == fs->ino)) {
        return 0;
    }
    file_host->log(task, CD_LOG_INFO, "file '%s' was rotated (inode %llu, now %llu), reading the new file "
                   "from the start", fs->path, (unsigned long long)fs->ino, (unsigned long long)st.st_ino);
    if (line_reader_finish(fs->lr, &line, &len, &end) && emit(task, fs, line, len, end, out, n) != CD_OK) {
        return CD_FATAL;
    }
    close(fs->fd);
    fs->fd = -1;
    return source_open(task, fs, false) == CD_OK ? 1 : CD_FATAL;
}

static cd_rc_t source_poll(cd_task_t *task, file_source_t *fs, cd_record_t **out, size_t limit, size_t *n,
                           int timeout_ms)
{
    int64_t deadline = clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    const char *line;
    size_t len;
    int64_t end;
    while (*n < limit && !file_host->is_stopping(task)) {
        if (fs->fd < 0 && source_open(task, fs, true) != CD_OK) {
            return CD_FATAL;
        }
        if (fs->fd < 0) {
            if (*n > 0 || !wait_slice(task, fs, deadline)) {
                break;
            }
            continue;
        }
        while (*n < limit && line_reader_next(fs->lr, &line, &len, &end)) {
            if (emit(task, fs, line, len, end, out, n) != CD_OK) {
                return CD_FATAL;
            }
        }
        if (*n == limit) {
            break;
        }
        int got = read_more(task, fs);
        if (got == 0 && *n == 0) {
            got = check_file(task, fs, out, n);
        }
        if (got < 0) {
            return CD_FATAL;
        }
        /* Nothing new: hand over what we have, or wait for the file. */
        if (got == 0 && (*n > 0 || !wait_slice(task, fs, deadline))) {
            break;
        }
    }
    return CD_OK;
}

cd_rc_t file_source_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms)
{
    file_source_t *fs = state;
    size_t limit = cap < (size_t)fs->batch_size ? cap : (size_t)fs->batch_size;
    *n = 0;
    fs->now_ms = clock_wall_ms();
    if (source_poll(task, fs, out, limit, n, timeout_ms) != CD_OK) {
        for (size_t i = 0; i < *n; i++) {
            file_host->record_free(out[i]);
        }
        *n = 0;
        return CD_FATAL;
    }
    attach_offset(fs, out, *n);
    return CD_OK;
}

cd_rc_t file_source_start(cd_task_t *task, void **state)
{
    const char *path = file_host->config_get(task, "file");
    const char *topic = file_host->config_get(task, "topic");
    const char *batch = file_host->config_get(task, "batch.size");
    char *endp = NULL;
    long batch_size = batch ? strtol(batch, &endp, 10) : 0;
    if (topic == NULL || topic[0] == '\0') {
        file_host->set_error(task, "'topic' is required: the topic to publish the lines to");
        return CD_CONFIG;
    }
    if (batch == NULL || *endp != '\0' || batch_size < 1 || batch_size > INT32_MAX) {
        file_host->set_error(task, "'batch.size' must be a positive integer, not '%s'", batch ? batch : "");
        return CD_CONFIG;
    }
    if (path && path[0] && !source_confined(task, path)) {
        return CD_FATAL;
    }
    file_source_t *fs = calloc(1, sizeof(*fs));
    if (fs == NULL) {
        goto fail;
    }
    fs->fd = -1;
    fs->batch_size = (int)batch_size;
    fs->path = path && path[0] ? strdup(path) : NULL;
    fs->topic = strdup(topic);
    fs->lr = line_reader_create(0);
    if ((path && path[0] && fs->path == NULL) || fs->topic == NULL || fs->lr == NULL) {
        goto fail;
    }
    if (fs->path == NULL) {
        fs->fd = STDIN_FILENO;
        file_host->log(task, CD_LOG_INFO, "reading standard input; its offsets are not tracked");
    }
    fs->schema = file_host->schema_new(CD_TYPE_STRING, false);
    *state = fs;
    return CD_OK;
fail:
    file_host->set_error(task, "out of memory starting the file source");
    file_source_stop(task, fs);
    return CD_FATAL;
}

void file_source_stop(cd_task_t *task, void *state)
{
    file_source_t *fs = state;
    if (fs == NULL) {
        return;
    }
    if (fs->path != NULL && fs->fd >= 0) {
        close(fs->fd); /* standard input is the process's: never closed */
    }
    file_host->schema_unref(fs->schema);
    line_reader_destroy(fs->lr);
    free(fs->path);
    free(fs->topic);
    free(fs);
}
