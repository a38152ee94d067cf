/*
 * crash_guard.h - what the worker leaves behind when a plugin takes the
 * whole process down, so the next start does not run it again.
 *
 * A plugin is a shared object in the worker's address space: a NULL
 * dereference, abort() or exit() in its poll() or put() ends the worker and
 * its embedded broker, and nothing in C can contain that as the JVM contains
 * an exception.  What the worker can do is say who did it and remember it:
 *
 *  - every thread that calls into a plugin names the connector and task it
 *    calls for (crash_guard_enter/leave; a task's thread for its lifetime,
 *    REST and herder threads around task_configs(), validate() and
 *    alter_offsets());
 *  - a handler of SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT, and a hook
 *    on exit(), log that name with the signal (or exit status) and a
 *    backtrace, and append an entry to the crash journal; the signal is then
 *    raised again with its default action, so the exit status and the core
 *    dump are what they would have been;
 *  - at the next start the herder looks the connectors it restores up in the
 *    journal (crash_guard_find) and starts a journaled one FAILED instead of
 *    running its plugin; restarting, reconfiguring or deleting it through
 *    REST removes its entries (crash_guard_forget).
 *
 * The journal is text, one entry per crash, appended by the handler with
 * write(2) only (nothing else is safe in a signal handler), e.g.:
 *
 *   connectd-crash task=0 cause=SIGSEGV connector=orders-source
 *   /usr/lib/connectd/plugins/orders.so(+0x1139)[0x7f1c2a0b1139]
 *   ./connectd(+0x8a2f1)[0x55e0c08a22f1]
 *   connectd-crash-end
 *
 * task=-1 is the connector itself (task_configs(), validate(), ...); cause
 * is a signal name or exit(N); the backtrace is at most CRASH_GUARD_FRAMES
 * lines.  A torn last entry (the process died while writing it) still
 * counts: its first line is what matters.
 */
#ifndef CONNECTD_CRASH_GUARD_H
#define CONNECTD_CRASH_GUARD_H

#include <stdbool.h>
#include <stddef.h>

/* The most frames of a backtrace, in the log and in a journal entry. */
#define CRASH_GUARD_FRAMES 32

/* Which connector and task the calling thread is running plugin code for.
 * `connector` is borrowed: it must stay valid until the matching leave. */
typedef struct crash_scope {
    const char *connector; /* NULL: the worker's own code */
    int task_id;           /* -1: the connector, not one of its tasks */
} crash_scope_t;

/* Opens (creates, appends to) the journal at `path` and installs the
 * signal handlers and the exit hook.  Returns false with errstr naming the
 * file when it cannot be opened; nothing is installed then.
 * @locality main thread, once, before any plugin runs */
bool crash_guard_install(const char *path, char *errstr, size_t errstr_size);

/* Normal shutdown has begun: from now on exit() is not a plugin's doing.
 * @locality main thread */
void crash_guard_shutdown(void);

/* Closes the journal; the handlers stay but record nothing more.
 * @locality main thread, last */
void crash_guard_uninstall(void);

/* Marks the calling thread as running plugin code for `connector` (task
 * `task_id`, or -1); returns the previous marking for crash_guard_leave.
 * @locality any thread; a thread-local, no lock */
crash_scope_t crash_guard_enter(const char *connector, int task_id);
void crash_guard_leave(crash_scope_t previous);

/* The latest journal entry naming `connector`: writes the status trace a
 * restored connector shows ("... crashed the worker with SIGSEGV in task
 * 0 ...", with the backtrace) to `trace` and returns true; false when the
 * journal has none or no journal is open.
 * @locality any thread
 * @locks takes the journal's lock */
bool crash_guard_find(const char *connector, char *trace, size_t trace_size);

/* Removes every journal entry naming `connector` (the operator restarted,
 * reconfigured or deleted it).  A no-op when there is none.
 * @locality any thread
 * @locks takes the journal's lock */
void crash_guard_forget(const char *connector);

#endif
