/* Tests for connectd-file.so (connectors/file), loaded the way the worker
 * loads it: dlopen() the built shared object, call cd_plugin_entry with a
 * host table holding the real data model (data_fill_host_api) and a small
 * task context of our own, then drive the callbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "data/data.h"

/* The context a callback gets: config from a key/value array, errors and
 * logs captured, a committed offset to hand back. */
struct cd_task {
    const cd_plugin_desc_t *desc;
    const char *const *config; /* key, value, ..., NULL */
    char error[1024];
    char logs[8192];
    int warnings, tasks, rejected;
    bool stopping;
    cd_value_t *offset;    /* what offset_read returns a copy of; NULL: none */
    cd_value_t *asked_for; /* a copy of the partition offset_read was asked for */
};

static void t_log(cd_task_t *t, cd_log_level_t level, const char *fmt, ...)
{
    size_t used = strlen(t->logs);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->logs + used, sizeof(t->logs) - used, fmt, ap);
    va_end(ap);
    strncat(t->logs, "\n", sizeof(t->logs) - strlen(t->logs) - 1);
    t->warnings += level == CD_LOG_WARN;
}

static void t_set_error(cd_task_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->error, sizeof(t->error), fmt, ap);
    va_end(ap);
}

/* The directories the test host, as the worker, hands every task under
 * file.connectors.allowed.paths (load() fills it): the test's directory
 * and /dev, whose full and null devices the sink tests write to. */
static char allowed[300];

/* The given value, else the table's default, as the worker does; the
 * worker's directories unless the config says otherwise. */
static const char *t_config_get(cd_task_t *t, const char *key)
{
    for (size_t i = 0; t->config[i] != NULL; i += 2) {
        if (strcmp(t->config[i], key) == 0) {
            return t->config[i + 1];
        }
    }
    if (strcmp(key, "file.connectors.allowed.paths") == 0) {
        return allowed;
    }
    for (const cd_config_def_t *def = t->desc->config; def->name != NULL; def++) {
        if (strcmp(def->name, key) == 0) {
            return def->default_value;
        }
    }
    return NULL;
}

static const char *t_connector_name(cd_task_t *t) { return "file-test"; }
static int t_task_id(cd_task_t *t) { return 0; }
static bool t_is_stopping(cd_task_t *t) { return t->stopping; }
static int t_task_config_add(cd_task_t *t) { return t->tasks++; }
static void t_task_config_set(cd_task_t *t, int index, const char *key, const char *value) {}
static void t_record_reject(cd_task_t *t, const cd_record_t *rec, const char *reason) { t->rejected++; }

static cd_value_t *t_offset_read(cd_task_t *t, const cd_value_t *partition)
{
    data_value_free(t->asked_for);
    t->asked_for = data_value_copy(partition);
    return t->offset ? data_value_copy(t->offset) : NULL;
}

static cd_host_api_t host;
static void *dl;
static const cd_plugin_desc_t *source, *sink;
static char dir[] = "/tmp/test_file_connectors_XXXXXX";
static char path[256];

static int load(void **state)
{
    host.struct_size = sizeof(host);
    host.abi_major = CD_ABI_MAJOR;
    host.abi_minor = CD_ABI_MINOR;
    host.log = t_log;
    host.set_error = t_set_error;
    host.config_get = t_config_get;
    host.connector_name = t_connector_name;
    host.task_id = t_task_id;
    host.is_stopping = t_is_stopping;
    host.task_config_add = t_task_config_add;
    host.task_config_set = t_task_config_set;
    host.offset_read = t_offset_read;
    host.record_reject = t_record_reject;
    data_fill_host_api(&host);

    const char *top = getenv("TOP_BUILDDIR");
    char so[512];
    snprintf(so, sizeof(so), "%s/connectors/file/connectd-file.so", top ? top : ".");
    dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        fprintf(stderr, "# cannot load %s: %s\n", so, dlerror());
        return -1;
    }
    const cd_plugin_desc_t *const *(*entry)(const cd_host_api_t *) =
        (const cd_plugin_desc_t *const *(*)(const cd_host_api_t *))dlsym(dl, CD_PLUGIN_ENTRY_SYMBOL);
    const cd_plugin_desc_t *const *all = entry ? entry(&host) : NULL;
    for (size_t i = 0; all && all[i]; i++) {
        if (strcmp(all[i]->name, "FileStreamSource") == 0) {
            source = all[i];
        } else if (strcmp(all[i]->name, "FileStreamSink") == 0) {
            sink = all[i];
        }
    }
    if (source == NULL || sink == NULL || mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(path, sizeof(path), "%s/data.txt", dir);
    snprintf(allowed, sizeof(allowed), "%s,/dev", dir);
    return 0;
}

static int unload(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    dlclose(dl);
    return system(cmd) == 0 ? 0 : -1;
}

static int cleanup(void **state)
{
    unlink(path);
    return 0;
}

static void write_file(const char *p, const char *text, int flags)
{
    int fd = open(p, O_WRONLY | O_CREAT | flags, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_descriptors(void **state)
{
    assert_int_equal(source->kind, CD_KIND_SOURCE);
    assert_int_equal(sink->kind, CD_KIND_SINK);
    assert_string_equal(source->aliases[0], "org.apache.kafka.connect.file.FileStreamSourceConnector");
    assert_string_equal(sink->aliases[0], "org.apache.kafka.connect.file.FileStreamSinkConnector");
    const char *none[] = {NULL};
    cd_task_t conn = {.desc = source, .config = none};
    assert_null(t_config_get(&conn, "file"));
    assert_string_equal(t_config_get(&conn, "batch.size"), "2000");
    char err[128];
    assert_int_not_equal(source->config[1].validate("", err, sizeof(err)), 0); /* topic */
    assert_int_equal(source->task_configs(&conn, 5), CD_OK);
    assert_int_equal(conn.tasks, 1); /* one reader per file, whatever tasks.max */
    cd_task_t sconn = {.desc = sink, .config = none};
    assert_int_equal(sink->task_configs(&sconn, 3), CD_OK);
    assert_int_equal(sconn.tasks, 3);
}

/* Polls once and checks the lines, and the end position the last one
 * carries. */
static void expect_lines(cd_task_t *t, void *st, int timeout_ms, const char *const *lines, const int64_t *ends)
{
    cd_record_t *out[16];
    size_t n = 99, want = 0;
    while (lines[want] != NULL) {
        want++;
    }
    assert_int_equal(source->poll(t, st, out, 16, &n, timeout_ms), CD_OK);
    assert_int_equal(n, want);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *s = host.value_get_string(host.record_value(out[i]), &len);
        if (len != strlen(lines[i]) || memcmp(s, lines[i], len) != 0) {
            fail_msg("line %zu is '%.*s', want '%s'", i, (int)len, s, lines[i]);
        }
        assert_int_equal(host.schema_type(host.record_value_schema(out[i])), CD_TYPE_STRING);
        assert_false(host.schema_optional(host.record_value_schema(out[i])));
        assert_null(host.record_key(out[i]));
        assert_string_equal(host.record_topic(out[i]), "lines");
        assert_true(host.record_timestamp(out[i]) > 1600000000000LL);
        if (i + 1 < n) {
            /* Only a poll's last record carries the source offset: it covers the rest. */
            assert_null(data_record_source_partition(out[i]));
        } else {
            const cd_value_t *fname = host.value_map_get(data_record_source_partition(out[i]), "filename");
            assert_string_equal(host.value_get_string(fname, &len), path);
            const cd_value_t *pos = host.value_map_get(data_record_source_offset(out[i]), "position");
            assert_int_equal(host.value_get_int(pos), ends[i]);
        }
        host.record_free(out[i]);
    }
}

#define LINES(...) (const char *const[]){__VA_ARGS__, NULL}
#define ENDS(...) (const int64_t[]){__VA_ARGS__}
#define NONE (const char *const[]){NULL}

static void start_source(cd_task_t *t, void **st, const char *const *config)
{
    t->desc = source;
    t->config = config;
    assert_int_equal(source->start(t, st), CD_OK);
}

static void test_source_follows_file(void **state)
{
    const char *config[] = {"file", path, "topic", "lines", NULL};
    cd_task_t t = {0};
    void *st;
    write_file(path, "first\nsecond\r\nthi", O_TRUNC);
    start_source(&t, &st, config);
    expect_lines(&t, st, 100, LINES("first", "second"), ENDS(6, 14));
    size_t len; /* the committed offset asked for is this file's */
    assert_int_equal(host.value_count(t.asked_for), 1);
    assert_string_equal(host.value_get_string(host.value_map_get(t.asked_for, "filename"), &len), path);
    write_file(path, "rd\r", O_APPEND); /* the "\r" may still become "\r\n" */
    expect_lines(&t, st, 0, NONE, NULL);
    write_file(path, "\n", O_APPEND);
    expect_lines(&t, st, 0, LINES("third"), ENDS(21));
    int64_t t0 = clock_mono_ms();
    expect_lines(&t, st, 300, NONE, NULL); /* waits for the whole timeout, no longer */
    int64_t took = clock_mono_ms() - t0;
    assert_true(took >= 290 && took < 600);
    t.stopping = true;
    t0 = clock_mono_ms();
    expect_lines(&t, st, 5000, NONE, NULL);
    assert_true(clock_mono_ms() - t0 < 300);
    source->stop(&t, st);
    host.value_free(t.asked_for);
}

/* é is two bytes, 日本語 nine: a committed position is a byte count, and
 * resuming there starts exactly at the next line. */
static void test_source_resumes_multibyte(void **state)
{
    const char *config[] = {"file", path, "topic", "lines", NULL};
    cd_task_t t = {0};
    void *st;
    write_file(path, "h\xc3\xa9llo\n\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\nend\n", O_TRUNC);
    t.offset = host.value_map();
    host.value_map_put(t.offset, host.value_string("position", 8), host.value_int(CD_TYPE_INT64, 7));
    start_source(&t, &st, config);
    expect_lines(&t, st, 100, LINES("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "end"), ENDS(17, 21));
    source->stop(&t, st);
    /* Invalid UTF-8 becomes U+FFFD, as Java decodes it; positions stay bytes. */
    write_file(path, "a\xff" "b\n", O_APPEND);
    host.value_free(t.offset);
    t.offset = host.value_map();
    host.value_map_put(t.offset, host.value_string("position", 8), host.value_int(CD_TYPE_INT64, 21));
    start_source(&t, &st, config);
    expect_lines(&t, st, 100, LINES("a\xef\xbf\xbd" "b"), ENDS(25));
    source->stop(&t, st);
    /* A committed position past the end: the file was replaced while we
     * were stopped, so it is read from the start. */
    write_file(path, "new\n", O_TRUNC);
    start_source(&t, &st, config);
    expect_lines(&t, st, 100, LINES("new"), ENDS(4));
    assert_non_null(strstr(t.logs, "reading it from the start"));
    source->stop(&t, st);
    host.value_free(t.offset);
    host.value_free(t.asked_for);
}

static void test_source_batch_size(void **state)
{
    const char *config[] = {"file", path, "topic", "lines", "batch.size", "2", NULL};
    cd_task_t t = {0};
    void *st;
    write_file(path, "1\n2\n3\n4\n5\n", O_TRUNC);
    start_source(&t, &st, config);
    expect_lines(&t, st, 100, LINES("1", "2"), ENDS(2, 4));
    expect_lines(&t, st, 100, LINES("3", "4"), ENDS(6, 8));
    expect_lines(&t, st, 100, LINES("5"), ENDS(10));
    source->stop(&t, st);
    host.value_free(t.asked_for);
}

static void test_source_truncation_and_rotation(void **state)
{
    const char *config[] = {"file", path, "topic", "lines", NULL};
    char old[300];
    cd_task_t t = {0};
    void *st;
    write_file(path, "aaa\nbbb\n", O_TRUNC);
    start_source(&t, &st, config);
    expect_lines(&t, st, 100, LINES("aaa", "bbb"), ENDS(4, 8));
    write_file(path, "c\n", O_TRUNC); /* shorter than what was read: from the start */
    expect_lines(&t, st, 100, LINES("c"), ENDS(2));
    assert_non_null(strstr(t.logs, "truncated"));

    write_file(path, "one\ntwo", O_APPEND);
    expect_lines(&t, st, 100, LINES("one"), ENDS(6));
    snprintf(old, sizeof(old), "%s.1", path);
    assert_int_equal(rename(path, old), 0);
    expect_lines(&t, st, 50, NONE, NULL); /* moved away: the old file is kept */
    write_file(old, "-more", O_APPEND); /* the writer has not reopened yet */
    write_file(path, "new\n", O_TRUNC);
    /* The old file's unterminated last line, then the new file from 0. */
    expect_lines(&t, st, 100, LINES("two-more", "new"), ENDS(14, 4));
    assert_non_null(strstr(t.logs, "rotated"));
    source->stop(&t, st);
    unlink(old);
    host.value_free(t.asked_for);
}

static void test_source_missing_file(void **state)
{
    const char *config[] = {"file", path, "topic", "lines", NULL};
    cd_task_t t = {0};
    void *st;
    start_source(&t, &st, config);
    int64_t t0 = clock_mono_ms();
    expect_lines(&t, st, 150, NONE, NULL);
    expect_lines(&t, st, 150, NONE, NULL);
    assert_true(clock_mono_ms() - t0 >= 290);
    assert_int_equal(t.warnings, 1); /* warned once, not every poll */
    assert_non_null(strstr(t.logs, "waiting for it to be created"));
    write_file(path, "x\n", O_TRUNC);
    expect_lines(&t, st, 150, LINES("x"), ENDS(2));
    source->stop(&t, st);
    host.value_free(t.asked_for);
}

static void test_source_errors(void **state)
{
    const char *no_topic[] = {"file", path, NULL};
    const char *config[] = {"file", path, "topic", "lines", NULL};
    cd_task_t t = {.desc = source, .config = no_topic};
    void *st;
    assert_int_equal(source->start(&t, &st), CD_CONFIG);
    assert_non_null(strstr(t.error, "topic"));

    write_file(path, "a\n", O_TRUNC);
    t.offset = host.value_map();
    host.value_map_put(t.offset, host.value_string("position", 8), host.value_string("x", 1));
    start_source(&t, &st, config);
    cd_record_t *out[4];
    size_t n;
    assert_int_equal(source->poll(&t, st, out, 4, &n, 100), CD_FATAL);
    assert_int_equal(n, 0);
    assert_non_null(strstr(t.error, path));
    source->stop(&t, st);
    host.value_free(t.offset);
    host.value_free(t.asked_for);
}

/* Standard input: lines without offsets; at its end the last unterminated
 * line is sent, since nothing can end it; never closed. */
static void test_source_stdin(void **state)
{
    const char *config[] = {"topic", "lines", NULL};
    cd_task_t t = {0};
    void *st;
    int fds[2], saved = dup(STDIN_FILENO);
    assert_int_equal(pipe(fds), 0);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    start_source(&t, &st, config);
    cd_record_t *out[4];
    size_t n, len;
    assert_int_equal(source->poll(&t, st, out, 4, &n, 50), CD_OK); /* nothing yet: no blocking read */
    assert_int_equal(n, 0);
    assert_int_equal(write(fds[1], "a\r\nb", 4), 4);
    close(fds[1]);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(source->poll(&t, st, out, 4, &n, 100), CD_OK);
        assert_int_equal(n, 1);
        assert_string_equal(host.value_get_string(host.record_value(out[0]), &len), round ? "b" : "a");
        assert_null(data_record_source_partition(out[0]));
        host.record_free(out[0]);
    }
    assert_int_equal(source->poll(&t, st, out, 4, &n, 50), CD_OK);
    assert_int_equal(n, 0);
    source->stop(&t, st);
    assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);
    dup2(saved, STDIN_FILENO);
    close(saved);
    assert_null(t.asked_for);
}

static cd_record_t *sink_record(cd_schema_t *schema, cd_value_t *value)
{
    cd_record_t *rec = data_record_new();
    data_record_set_kafka(rec, "lines", 0, 7, 1000);
    host.record_set_value(rec, schema, value);
    return rec;
}

static void test_sink_writes_values(void **state)
{
    const char *config[] = {"file", path, NULL};
    cd_task_t t = {.desc = sink, .config = config};
    void *st;
    write_file(path, "kept\n", O_TRUNC);
    assert_int_equal(sink->start(&t, &st), CD_OK);

    cd_value_t *map = host.value_map();
    host.value_map_put(map, host.value_string("line", 4), host.value_string("foo", 3));
    host.value_map_put(map, host.value_string("n", 1), host.value_int(CD_TYPE_INT64, 1));
    cd_value_t *arr = host.value_array();
    host.value_array_push(arr, host.value_int(CD_TYPE_INT32, 1));
    host.value_array_push(arr, host.value_string("a", 1));
    host.value_array_push(arr, host.value_null());
    host.value_array_push(arr, host.value_bytes("hi", 2));
    cd_schema_t *sch = host.schema_struct(false);
    host.schema_add_field(sch, "id", host.schema_new(CD_TYPE_INT32, false));
    host.schema_add_field(sch, "name", host.schema_new(CD_TYPE_STRING, true));
    host.schema_add_field(sch, "note", host.schema_new(CD_TYPE_STRING, true));
    cd_value_t *st_val = host.value_struct(sch);
    host.value_struct_set(st_val, "id", host.value_int(CD_TYPE_INT32, 1));
    host.value_struct_set(st_val, "name", host.value_string("a", 1));
    cd_record_t *recs[] = {
        sink_record(NULL, host.value_string("h\xc3\xa9llo", 6)),
        sink_record(NULL, NULL),
        sink_record(NULL, host.value_int(CD_TYPE_INT32, -42)),
        sink_record(NULL, host.value_bool(true)),
        sink_record(NULL, host.value_float(CD_TYPE_FLOAT64, 1e10)),
        sink_record(NULL, host.value_float(CD_TYPE_FLOAT64, 0.1)),
        sink_record(NULL, host.value_float(CD_TYPE_FLOAT64, 1.0 / 3)),
        sink_record(NULL, host.value_float(CD_TYPE_FLOAT64, 1234567.0)),
        sink_record(NULL, host.value_float(CD_TYPE_FLOAT64, -1e-4)),
        sink_record(NULL, host.value_float(CD_TYPE_FLOAT32, 0.1f)),
        sink_record(NULL, map),
        sink_record(NULL, arr),
        sink_record(sch, st_val),
        sink_record(NULL, host.value_bytes("raw\x01", 4)),
    };
    size_t n = sizeof(recs) / sizeof(recs[0]);
    assert_int_equal(sink->put(&t, st, recs, n), CD_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 5); /* written by put, as Kafka's println */
    assert_int_equal(sink->flush(&t, st), CD_OK);

    /* A struct whose schema is unknown cannot be printed: rejected, not fatal. */
    cd_schema_t *sch2 = host.schema_ref(sch);
    cd_record_t *bad = sink_record(NULL, host.value_struct(sch2));
    assert_int_equal(sink->put(&t, st, &bad, 1), CD_OK);
    assert_int_equal(t.rejected, 1);
    assert_int_equal(sink->flush(&t, st), CD_OK);
    sink->stop(&t, st);
    host.record_free(bad);
    host.schema_unref(sch2);
    for (size_t i = 0; i < n; i++) {
        host.record_free(recs[i]);
    }

    const char want[] = "kept\nh\xc3\xa9llo\nnull\n-42\ntrue\n1.0E10\n0.1\n0.3333333333333333\n1234567.0\n"
                        "-1.0E-4\n0.1\n{line=foo, n=1}\n[1, a, null, aGk=]\nStruct{id=1,name=a}\nraw\x01\n";
    char got[512] = "";
    int fd = open(path, O_RDONLY);
    ssize_t len = read(fd, got, sizeof(got) - 1);
    close(fd);
    assert_int_equal(len, (ssize_t)strlen(want));
    assert_string_equal(got, want);
}

static void test_sink_errors(void **state)
{
    char bad[300];
    snprintf(bad, sizeof(bad), "%s/no/such/dir/out.txt", dir);
    const char *config[] = {"file", bad, NULL};
    cd_task_t t = {.desc = sink, .config = config};
    void *st;
    assert_int_equal(sink->start(&t, &st), CD_FATAL);
    assert_non_null(strstr(t.error, "couldn't find or create file"));
    assert_non_null(strstr(t.error, bad));

    /* A full disk fails the write, naming the file. */
    const char *full[] = {"file", "/dev/full", NULL};
    cd_task_t f = {.desc = sink, .config = full};
    assert_int_equal(sink->start(&f, &st), CD_OK);
    cd_record_t *rec = sink_record(NULL, host.value_string("x", 1));
    assert_int_equal(sink->put(&f, st, &rec, 1), CD_FATAL);
    assert_non_null(strstr(f.error, "/dev/full"));
    sink->stop(&f, st);

    /* Something that cannot be synced (here /dev/null) is not an error. */
    const char *null_dev[] = {"file", "/dev/null", NULL};
    cd_task_t z = {.desc = sink, .config = null_dev};
    assert_int_equal(sink->start(&z, &st), CD_OK);
    assert_int_equal(sink->put(&z, st, &rec, 1), CD_OK);
    assert_int_equal(sink->flush(&z, st), CD_OK);
    sink->stop(&z, st);
    host.record_free(rec);
}

/* The plugin judges the path again, against the directories the worker
 * hands it, before it opens anything: a file outside, a link out of the
 * directory (to an existing file or to one O_CREAT would make), ".." out,
 * and no directories at all are refused at start; a source whose file
 * becomes a link out while it waits for it is refused at that open. */
static void test_confined(void **state)
{
    char outside[300], link[320], escape[320], made[320];
    snprintf(outside, sizeof(outside), "%s.outside", dir);
    assert_int_equal(mkdir(outside, 0700), 0);
    snprintf(made, sizeof(made), "%s/made.txt", outside);
    void *st;
    const char *cron[] = {"file", "/etc/cron.d/connectd-test", NULL};
    cd_task_t t = {.desc = sink, .config = cron};
    assert_int_equal(sink->start(&t, &st), CD_FATAL);
    assert_non_null(strstr(t.error, "outside the worker's file.connectors.allowed.paths"));
    assert_int_equal(access("/etc/cron.d/connectd-test", F_OK), -1);

    const char *passwd[] = {"file", "/etc/passwd", "topic", "lines", NULL};
    cd_task_t p = {.desc = source, .config = passwd};
    assert_int_equal(source->start(&p, &st), CD_FATAL);
    assert_non_null(strstr(p.error, "/etc/passwd"));

    snprintf(link, sizeof(link), "%s/dangling", dir);
    assert_int_equal(symlink(made, link), 0);
    const char *dangling[] = {"file", link, NULL};
    cd_task_t d = {.desc = sink, .config = dangling};
    assert_int_equal(sink->start(&d, &st), CD_FATAL);
    assert_int_equal(access(made, F_OK), -1);
    unlink(link);

    snprintf(escape, sizeof(escape), "%s/../%s/made.txt", dir, strrchr(outside, '/') + 1);
    const char *dotdot[] = {"file", escape, NULL};
    cd_task_t e = {.desc = sink, .config = dotdot};
    assert_int_equal(sink->start(&e, &st), CD_FATAL);
    assert_int_equal(access(made, F_OK), -1);

    const char *none[] = {"file", path, "file.connectors.allowed.paths", "", NULL};
    cd_task_t n = {.desc = sink, .config = none};
    assert_int_equal(sink->start(&n, &st), CD_FATAL);

    /* Waiting for a missing file that then appears as a link out. */
    const char *config[] = {"file", path, "topic", "lines", NULL};
    cd_task_t w = {.desc = source, .config = config};
    start_source(&w, &st, config);
    cd_record_t *out[4];
    size_t got;
    assert_int_equal(source->poll(&w, st, out, 4, &got, 50), CD_OK);
    assert_int_equal(got, 0);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    assert_int_equal(source->poll(&w, st, out, 4, &got, 50), CD_FATAL);
    assert_int_equal(got, 0);
    assert_non_null(strstr(w.error, "outside the worker's file.connectors.allowed.paths"));
    source->stop(&w, st);
    host.value_free(w.asked_for);
    rmdir(outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptors),
        cmocka_unit_test_teardown(test_source_follows_file, cleanup),
        cmocka_unit_test_teardown(test_source_resumes_multibyte, cleanup),
        cmocka_unit_test_teardown(test_source_batch_size, cleanup),
        cmocka_unit_test_teardown(test_source_truncation_and_rotation, cleanup),
        cmocka_unit_test_teardown(test_source_missing_file, cleanup),
        cmocka_unit_test_teardown(test_source_errors, cleanup),
        cmocka_unit_test(test_source_stdin),
        cmocka_unit_test_teardown(test_sink_writes_values, cleanup),
        cmocka_unit_test(test_sink_errors),
        cmocka_unit_test_teardown(test_confined, cleanup),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
