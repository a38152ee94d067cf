/*
 * blog.h - log lines on stderr, each from a named logger whose level can
 * be changed while the process runs (Kafka Connect's /admin/loggers,
 * KIP-495):
 *   [2026-11-21 17:40:01,123] INFO closing connection from 127.0.0.1:5344: ... (connectd.broker.server)
 * The format follows Kafka's log4j pattern, "[%d] %p %m (%c)%n", so operators'
 * habits carry over; the logger's name (below) closes each line.
 * Thread-safe (one fprintf per line).
 *
 * Logger names.  A blog_info() call belongs to the logger named after its
 * source file, as a Java class's lines belong to the class's logger:
 * broker/group/coordinator.c logs as "connectd.broker.coordinator",
 * src/herder/herder.c (the worker) as "connectd.worker.herder".  Plugins log through
 * the host API as "connectd.connector.<plugin>.<connector>", e.g.
 * "connectd.connector.FileStreamSource.local-file-source".
 *
 * Levels.  A logger without a level of its own has its closest ancestor's
 * ("connectd.broker" for "connectd.broker.coordinator", then "connectd"),
 * and finally the root logger's (INFO unless blog_set_level changes it).
 * blog_logger_set() is log4j's as Kafka drives it: the named logger and
 * every known logger below it get the level, and loggers first seen later
 * inherit it.
 *
 * Cost.  Each call site keeps its logger's effective level together with
 * the generation of the level table it was computed from; a line filtered
 * out costs one atomic load and two compares.  Changing a level bumps the
 * generation, and every site looks its level up again on its next call.
 */
#ifndef CONNECTD_BLOG_H
#define CONNECTD_BLOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum blog_level {
    BLOG_DEBUG,
    BLOG_INFO,
    BLOG_WARN,
    BLOG_ERROR,
    BLOG_OFF, /* a logger level only: nothing is logged */
} blog_level_t;

/* Sets the root logger's level (the default for every logger without one
 * of its own).  Any thread. */
void blog_set_level(blog_level_t level);
/* Sends the lines to `out` instead (NULL: back to stderr), so a test can
 * read them while sanitizer reports still reach stderr.  Call it while no
 * other thread logs. */
void blog_set_output(FILE *out);

/* ---- call sites ------------------------------------------------------------
 * What the blog_* macros expand to; not called directly. */

typedef struct blog_site {
    const char *file;             /* __FILE__ of the call site */
    const char *logger;           /* its logger's name, once known (interned) */
    _Atomic uint64_t cached;      /* generation << 8 | effective level; 0: never looked up */
} blog_site_t;

/* The generation of the level table; starts at 1 and grows with every change. */
extern _Atomic uint64_t blog_generation;

/* The slow path of blog_site_enabled: looks the site's level up again. */
bool blog_site_refresh(blog_site_t *site, blog_level_t level);
void blog_site_write(blog_site_t *site, blog_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline bool blog_site_enabled(blog_site_t *site, blog_level_t level)
{
    uint64_t cached = atomic_load_explicit(&site->cached, memory_order_acquire);
    if (cached >> 8 == atomic_load_explicit(&blog_generation, memory_order_relaxed)) {
        return (int)level >= (int)(cached & 0xff);
    }
    return blog_site_refresh(site, level);
}

#define blog_write(level, ...)                                                                                  \
    do {                                                                                                       \
        static blog_site_t blog_site_ = {.file = __FILE__};                                                   \
        blog_level_t blog_level_ = (level);                                                                    \
        if (blog_site_enabled(&blog_site_, blog_level_)) {                                                    \
            blog_site_write(&blog_site_, blog_level_, __VA_ARGS__);                                           \
        }                                                                                                      \
    } while (0)

#define blog_debug(...) blog_write(BLOG_DEBUG, __VA_ARGS__)
#define blog_info(...) blog_write(BLOG_INFO, __VA_ARGS__)
#define blog_warn(...) blog_write(BLOG_WARN, __VA_ARGS__)
#define blog_error(...) blog_write(BLOG_ERROR, __VA_ARGS__)

/* ---- loggers named at run time (plugins) ----------------------------------- */

/* Whether logger `name` passes `level` now.  Cheap when the same thread
 * asks about the same name again (a one-entry cache per thread). */
bool blog_named_enabled(const char *name, blog_level_t level);
/* Writes a line as logger `name`, if its level lets it through. */
void blog_named_write(const char *name, blog_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the level table, for /admin/loggers ------------------------------------ */

/* The longest level name ("ERROR") plus its NUL. */
#define BLOG_LEVEL_NAME_MAX 8

/* One logger as /admin/loggers shows it. */
typedef struct blog_logger_info {
    char *name;
    char level[BLOG_LEVEL_NAME_MAX]; /* as set: "TRACE" stays "TRACE" */
    int64_t last_modified;           /* ms since the epoch; -1: never set */
} blog_logger_info_t;

/* The root logger's name ("root", any case, as log4j). */
#define BLOG_ROOT "root"

/*
 * Reads a level name, case-insensitively: TRACE DEBUG INFO WARN ERROR FATAL
 * OFF ALL (log4j's).  Writes its upper-case form to `canonical` and returns
 * the level lines are filtered by (TRACE and ALL log as DEBUG, FATAL as
 * ERROR), or -1 for anything else.
 */
int blog_level_parse(const char *text, char canonical[BLOG_LEVEL_NAME_MAX]);

/* The loggers with a level of their own, plus the root logger, sorted by
 * name; *out is malloc'd, free it with blog_logger_infos_free.  Returns
 * the count. */
size_t blog_loggers_set(blog_logger_info_t **out);
void blog_logger_infos_free(blog_logger_info_t *infos, size_t n);

/* Logger `name`'s level, its own or inherited (last_modified is -1 unless
 * it has its own).  False when no such logger is known: no call site of it
 * (or below it) has run and nobody set its level. */
bool blog_logger_get(const char *name, blog_logger_info_t *out);

/* The longest logger name: a plugin's, "connectd.connector.<plugin>.<connector>", fits. */
#define BLOG_NAME_MAX 511

/*
 * Whether `name` can name a logger: 1 to BLOG_NAME_MAX bytes of UTF-8, no
 * control character (the name ends every line of its logger: a newline in
 * it would forge lines), no empty part between dots ("a..b", ".a", "a.").
 * Any such name, known or not, is accepted, as log4j makes a logger of any
 * name.  If not, why says what is wrong (the name itself is not quoted).
 */
bool blog_logger_name_check(const char *name, char *why, size_t why_size);

/*
 * Gives logger `name` (blog_logger_name_check'ed; "root": the root
 * logger) a level of its own as a configuration file does (Kafka's
 * log4j.properties, the worker file's log4j.logger.* keys): loggers below
 * it inherit it unless they have their own, and last_modified stays -1,
 * as Kafka shows levels from its log4j file.  False when the level is not
 * a level.
 */
bool blog_logger_configure(const char *name, const char *level);

/*
 * Sets the level (a name blog_level_parse accepts) of logger `name` and of
 * every known logger below it; "root" sets every logger's.  Returns the
 * names it applied to, sorted, as a malloc'd array of malloc'd strings
 * (*n of them; free each and the array), or NULL with *n = 0 when the
 * level is not a level.
 */
char **blog_logger_set(const char *name, const char *level, size_t *n);

#endif
