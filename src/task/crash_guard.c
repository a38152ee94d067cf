/*
 * crash_guard.c - the fatal-signal handler, the exit hook and the crash
 * journal; see crash_guard.h.
 *
 * The handler runs on the thread that crashed, in whatever state the plugin
 * left the heap and its locks: it calls only async-signal-safe functions
 * (write, fsync, sigaction, raise) and backtrace()/backtrace_symbols_fd(),
 * which allocate only the first time backtrace() runs, so install calls it
 * once up front.  Everything it needs is a static: the journal's fd, and
 * the thread-local scope.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* on_exit, dup3 */
#endif
#include "crash_guard.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

#define ENTRY_START "connectd-crash "
#define ENTRY_END "connectd-crash-end\n"
/* A journal this large is not ours or has run away: read its tail only. */
#define JOURNAL_READ_MAX (4 * 1024 * 1024)

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

static __thread crash_scope_t scope;
static atomic_int journal_fd = -1;
static atomic_bool shutting_down;
static atomic_bool crashing;
static char *journal_path;
static pthread_mutex_t journal_lock = PTHREAD_MUTEX_INITIALIZER; /* forget's rewrite against find and itself */

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGILL:
        return "SIGILL";
    case SIGFPE:
        return "SIGFPE";
    case SIGABRT:
        return "SIGABRT";
    }
    return "a fatal signal";
}

/* ---- async-signal-safe writing ------------------------------------------------ */

static void put(int fd, const char *text)
{
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        text += n;
        len -= (size_t)n;
    }
}

/* `value` in decimal, into `buf` (at least 12 bytes); returns buf. */
static const char *decimal(int value, char *buf)
{
    char digits[12];
    int n = 0;
    unsigned int v = value < 0 ? 0u - (unsigned int)value : (unsigned int)value;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    char *p = buf;
    if (value < 0) {
        *p++ = '-';
    }
    while (n > 0) {
        *p++ = digits[--n];
    }
    *p = '\0';
    return buf;
}

/* The log line and the journal entry for `cause` ("SIGSEGV", "exit(3)") on
 * the calling thread.  The connector name is written as it is: names with
 * control characters are refused at creation, so it cannot forge a line. */
static void record(const char *cause, const char *what)
{
    void *frames[CRASH_GUARD_FRAMES];
    int n_frames = backtrace(frames, CRASH_GUARD_FRAMES);
    char num[12];
    crash_scope_t s = scope;
    bool named = s.connector && *s.connector;
    put(STDERR_FILENO, "ERROR ");
    if (named) {
        put(STDERR_FILENO, "connector ");
        put(STDERR_FILENO, s.connector);
        if (s.task_id >= 0) {
            put(STDERR_FILENO, " task ");
            put(STDERR_FILENO, decimal(s.task_id, num));
        }
    } else if (s.connector) {
        put(STDERR_FILENO, "a connector's config validation");
    } else {
        put(STDERR_FILENO, "the worker's own thread");
    }
    put(STDERR_FILENO, " ");
    put(STDERR_FILENO, what);
    put(STDERR_FILENO, "; the worker exits. Backtrace:\n");
    backtrace_symbols_fd(frames, n_frames, STDERR_FILENO);
    int fd = atomic_load(&journal_fd);
    if (!named || fd < 0) {
        return; /* nothing a restart could leave out */
    }
    put(fd, ENTRY_START "task=");
    put(fd, decimal(s.task_id, num));
    put(fd, " cause=");
    put(fd, cause);
    put(fd, " connector=");
    put(fd, s.connector);
    put(fd, "\n");
    backtrace_symbols_fd(frames, n_frames, fd);
    put(fd, ENTRY_END);
    fsync(fd);
    put(STDERR_FILENO, "ERROR the crash is recorded in the crash journal: at the next start this connector is FAILED "
                       "instead of run\n");
}

static void on_fatal_signal(int sig)
{
    /* One thread records; another crashing meanwhile waits for the first
     * to end the process, so their lines do not interleave. */
    if (atomic_exchange(&crashing, true)) {
        for (;;) {
            pause();
        }
    }
    char what[64] = "crashed the worker with ";
    strcat(what, signal_name(sig)); /* async-signal-safe since POSIX.1-2016 */
    record(signal_name(sig), what);
    /* The default action, so the exit status and the core dump stay what
     * they were.  The signal is blocked while this handler runs: the raise
     * is delivered as it returns (a fault would also recur on its own). */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

/* exit() from plugin code: the status goes on, recorded first. */
static void on_exit_hook(int status, void *arg)
{
    (void)arg;
    if (!scope.connector || atomic_load(&shutting_down) || atomic_exchange(&crashing, true)) {
        return;
    }
    char num[12], cause[24] = "exit(", what[48] = "called ";
    strcat(cause, decimal(status, num));
    strcat(cause, ")");
    strcat(what, cause);
    record(cause, what);
}

bool crash_guard_install(const char *path, char *errstr, size_t errstr_size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "cannot open the crash journal %s: %s", path, strerror(errno));
        return false;
    }
    free(journal_path);
    journal_path = strdup(path);
    atomic_store(&journal_fd, fd);
    void *warm[1];
    backtrace(warm, 1); /* loads libgcc now: the handler must not be first */
    struct sigaction sa = {.sa_handler = on_fatal_signal};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
        sigaction(fatal_signals[i], &sa, NULL);
    }
    static bool hooked;
    if (!hooked) {
        on_exit(on_exit_hook, NULL);
        hooked = true;
    }
    return true;
}

void crash_guard_shutdown(void)
{
    atomic_store(&shutting_down, true);
}

void crash_guard_uninstall(void)
{
    pthread_mutex_lock(&journal_lock);
    int fd = atomic_exchange(&journal_fd, -1);
    if (fd >= 0) {
        close(fd);
    }
    free(journal_path);
    journal_path = NULL;
    pthread_mutex_unlock(&journal_lock);
}

crash_scope_t crash_guard_enter(const char *connector, int task_id)
{
    crash_scope_t previous = scope;
    scope = (crash_scope_t){.connector = connector, .task_id = task_id};
    return previous;
}

void crash_guard_leave(crash_scope_t previous)
{
    scope = previous;
}

/* ---- reading the journal -------------------------------------------------------- */

/* @locks journal_lock held.  The journal's text (its last JOURNAL_READ_MAX
 * bytes), NUL-terminated; NULL when there is no journal or it is empty. */
static char *journal_read(void)
{
    if (!journal_path) {
        return NULL;
    }
    FILE *f = fopen(journal_path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long from = size > JOURNAL_READ_MAX ? size - JOURNAL_READ_MAX : 0;
    fseek(f, from, SEEK_SET);
    char *text = size - from > 0 ? malloc((size_t)(size - from) + 1) : NULL;
    size_t len = text ? fread(text, 1, (size_t)(size - from), f) : 0;
    fclose(f);
    if (text) {
        text[len] = '\0';
    }
    return text;
}

/* One entry of a journal text: [start, end) covers it, end marker included. */
typedef struct entry {
    const char *start, *end;
    int task_id;
    char cause[32];
    const char *name; /* up to name_len */
    size_t name_len;
    const char *trace; /* the backtrace lines, up to trace_len */
    size_t trace_len;
} entry_t;

/* The entry starting at or after `p`; false when there is none. */
static bool next_entry(const char *p, entry_t *e)
{
    while (p && *p && strncmp(p, ENTRY_START, strlen(ENTRY_START)) != 0) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p || !*p) {
        return false;
    }
    memset(e, 0, sizeof(*e));
    e->start = p;
    const char *eol = strchr(p, '\n');
    const char *line_end = eol ? eol : p + strlen(p);
    int used = 0;
    const char *name = NULL;
    if (sscanf(p, ENTRY_START "task=%d cause=%31s connector=%n", &e->task_id, e->cause, &used) == 2 && used > 0 &&
        p + used <= line_end) {
        name = p + used;
    }
    e->name = name;
    e->name_len = name ? (size_t)(line_end - name) : 0;
    e->trace = eol ? eol + 1 : line_end;
    const char *stop = strstr(e->trace, "\n" ENTRY_END);
    const char *next = strstr(e->trace, ENTRY_START);
    if (stop && (!next || stop < next)) {
        e->trace_len = (size_t)(stop + 1 - e->trace);
        e->end = stop + 1 + strlen(ENTRY_END);
    } else if (strncmp(e->trace, ENTRY_END, strlen(ENTRY_END)) == 0) {
        e->end = e->trace + strlen(ENTRY_END); /* no backtrace */
    } else {
        /* Torn: the process died while writing it, or the next begins. */
        e->end = next ? next : e->trace + strlen(e->trace);
        e->trace_len = (size_t)(e->end - e->trace);
    }
    return true;
}

static bool names(const entry_t *e, const char *connector)
{
    return e->name && e->name_len == strlen(connector) && strncmp(e->name, connector, e->name_len) == 0;
}

bool crash_guard_find(const char *connector, char *trace, size_t trace_size)
{
    pthread_mutex_lock(&journal_lock);
    char *text = journal_read();
    entry_t e, found;
    bool any = false;
    for (const char *p = text; p && next_entry(p, &e); p = e.end) {
        if (names(&e, connector)) {
            found = e;
            any = true;
        }
        if (e.end == e.start) {
            break;
        }
    }
    if (any) {
        char where[32] = "the connector itself";
        if (found.task_id >= 0) {
            snprintf(where, sizeof(where), "task %d", found.task_id);
        }
        int len = snprintf(trace, trace_size,
                           "The connector's plugin crashed the worker with %s in %s, so this worker did not run it "
                           "again when it restarted (it would crash again). Fix or replace the plugin, then restart "
                           "the connector (POST /connectors/%s/restart), update its config or delete it. "
                           "Backtrace:\n",
                           found.cause, where, connector);
        if (len >= 0 && (size_t)len < trace_size) {
            size_t room = trace_size - (size_t)len - 1;
            size_t n = found.trace_len < room ? found.trace_len : room;
            /* Shown in JSON: bytes that are not printable ASCII (a path in
             * another encoding) become '?', so the status stays a string. */
            for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)found.trace[i];
                trace[(size_t)len + i] = ch == '\n' || (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
            }
            trace[(size_t)len + n] = '\0';
        }
    }
    free(text);
    pthread_mutex_unlock(&journal_lock);
    return any;
}

void crash_guard_forget(const char *connector)
{
    pthread_mutex_lock(&journal_lock);
    char *text = journal_read();
    size_t len = text ? strlen(text) : 0;
    char *kept = malloc(len + 1);
    size_t n_kept = 0;
    bool dropped = false;
    entry_t e;
    for (const char *p = text; p && next_entry(p, &e); p = e.end) {
        if (names(&e, connector)) {
            dropped = true;
        } else {
            memcpy(kept + n_kept, e.start, (size_t)(e.end - e.start));
            n_kept += (size_t)(e.end - e.start);
        }
        if (e.end == e.start) {
            break;
        }
    }
    if (dropped) {
        /* Replaced whole (a crash meanwhile never sees half a file), then
         * the handler's fd moved onto the new file in one dup2. */
        char *dir_copy = strdup(journal_path), *base_copy = strdup(journal_path);
        const char *dir = dirname(dir_copy), *base = basename(base_copy);
        if (fs_write_atomic(dir, base, kept, n_kept) < 0) {
            fprintf(stderr, "cannot rewrite the crash journal %s: %s\n", journal_path, strerror(errno));
        } else {
            int fd = open(journal_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
            int old = atomic_load(&journal_fd);
            if (fd >= 0 && old >= 0) {
                dup3(fd, old, O_CLOEXEC);
            }
            if (fd >= 0) {
                close(fd);
            }
        }
        free(dir_copy);
        free(base_copy);
    }
    free(kept);
    free(text);
    pthread_mutex_unlock(&journal_lock);
}
