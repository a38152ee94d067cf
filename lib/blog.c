/*
 * blog.c - log lines and the logger level table; see blog.h.
 *
 * The table is a list of every logger name seen (a call site's, on its
 * first call, or one whose level was set), each with the level set on it,
 * if any.  It only grows: a process has a few dozen loggers.  Lookups walk
 * the name's ancestors ("a.b.c", "a.b", "a", root) until one has a level.
 * All of it runs under one mutex, but only on a slow path: when a call
 * site's cached level is from an older generation of the table, or for
 * /admin/loggers.
 */
#include "blog.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "clock.h"
#include "utf8.h"

_Atomic uint64_t blog_generation = 1;

static FILE *output; /* NULL: stderr */

typedef struct logger {
    char *name;
    bool has_level;
    blog_level_t level;
    char level_name[BLOG_LEVEL_NAME_MAX];
    int64_t last_modified; /* -1: never set */
} logger_t;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static logger_t root = {.name = BLOG_ROOT, .has_level = true, .level = BLOG_INFO, .level_name = "INFO",
                        .last_modified = -1};
static logger_t *loggers;
static size_t n_loggers, cap_loggers;

static void bump_generation(void)
{
    atomic_fetch_add_explicit(&blog_generation, 1, memory_order_release);
}

void blog_set_level(blog_level_t level)
{
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR", "OFF"};
    pthread_mutex_lock(&table_lock);
    root.level = level;
    snprintf(root.level_name, sizeof(root.level_name), "%s", names[level]);
    bump_generation();
    pthread_mutex_unlock(&table_lock);
}

void blog_set_output(FILE *out)
{
    output = out;
}

int blog_level_parse(const char *text, char canonical[BLOG_LEVEL_NAME_MAX])
{
    static const struct {
        const char *name;
        blog_level_t level;
    } levels[] = {
        {"TRACE", BLOG_DEBUG}, {"DEBUG", BLOG_DEBUG}, {"INFO", BLOG_INFO}, {"WARN", BLOG_WARN},
        {"ERROR", BLOG_ERROR}, {"FATAL", BLOG_ERROR}, {"OFF", BLOG_OFF},   {"ALL", BLOG_DEBUG},
    };
    for (size_t i = 0; text && i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (strcasecmp(text, levels[i].name) == 0) {
            snprintf(canonical, BLOG_LEVEL_NAME_MAX, "%s", levels[i].name);
            return (int)levels[i].level;
        }
    }
    return -1;
}

/* ---- the table (under table_lock) ------------------------------------------------ */

static bool is_root(const char *name)
{
    return strcasecmp(name, BLOG_ROOT) == 0;
}

static logger_t *find(const char *name)
{
    if (is_root(name)) {
        return &root;
    }
    for (size_t i = 0; i < n_loggers; i++) {
        if (strcmp(loggers[i].name, name) == 0) {
            return &loggers[i];
        }
    }
    return NULL;
}

/* The logger called `name`, added if new.  NULL only when out of memory. */
static logger_t *intern(const char *name)
{
    logger_t *lg = find(name);
    if (lg) {
        return lg;
    }
    if (n_loggers == cap_loggers) {
        size_t cap = cap_loggers ? cap_loggers * 2 : 64;
        logger_t *grown = realloc(loggers, cap * sizeof(*grown));
        if (!grown) {
            return NULL;
        }
        loggers = grown;
        cap_loggers = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        return NULL;
    }
    loggers[n_loggers] = (logger_t){.name = copy, .last_modified = -1};
    return &loggers[n_loggers++];
}

/* Whether `name` is `ancestor` or below it ("a.b" is below "a", not "a.bc"). */
static bool is_under(const char *name, const char *ancestor)
{
    size_t len = strlen(ancestor);
    return strncmp(name, ancestor, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

/* The logger that decides `name`'s level: itself if it has a level, else
 * its closest ancestor with one, else root. */
static const logger_t *effective(const char *name)
{
    if (is_root(name)) {
        return &root;
    }
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", name);
    for (;;) {
        const logger_t *lg = find(buf);
        if (lg && lg->has_level) {
            return lg;
        }
        char *dot = strrchr(buf, '.');
        if (!dot) {
            return &root;
        }
        *dot = '\0';
    }
}

/* ---- call sites ---------------------------------------------------------------------- */

/* "…/broker/group/coordinator.c" -> "connectd.broker.coordinator": the
 * tree's top folder (the last of broker/, src/, lib/ or connectors/ in the
 * path) and the file's name, so loggers keep their names whichever
 * subsystem folder a file lives in.  The worker's folder, src/, is
 * "worker".  Elsewhere, the file's own folder names it. */
static void name_from_file(const char *file, char *out, size_t size)
{
    static const char *const roots[][2] = {
        {"src", "worker"}, {"broker", "broker"}, {"lib", "lib"}, {"connectors", "connectors"},
        {"tests", NULL}, /* a test's own folder names it, wherever the tree is */
    };
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t base_len = strcspn(base, ".");
    const char *top = NULL;
    for (const char *part = file; part < base; part = strchr(part, '/') + 1) {
        size_t len = strcspn(part, "/");
        for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
            if (strlen(roots[i][0]) == len && strncmp(part, roots[i][0], len) == 0) {
                top = roots[i][1];
            }
        }
    }
    if (top) {
        snprintf(out, size, "connectd.%s.%.*s", top, (int)base_len, base);
        return;
    }
    /* Elsewhere (tests/unit/...), the file's own folder. */
    const char *dir = base > file + 1 ? base - 1 : NULL;
    while (dir && dir > file && dir[-1] != '/') {
        dir--;
    }
    size_t dir_len = dir ? (size_t)(base - 1 - dir) : 0;
    if (dir_len > 0 && !(dir_len == 1 && dir[0] == '.') && !(dir_len == 2 && strncmp(dir, "..", 2) == 0)) {
        snprintf(out, size, "connectd.%.*s.%.*s", (int)dir_len, dir, (int)base_len, base);
    } else {
        snprintf(out, size, "connectd.%.*s", (int)base_len, base);
    }
}

/* @locks table_lock.  The cache word for `name` now. */
static uint64_t lookup_locked(const char *name)
{
    uint64_t gen = atomic_load_explicit(&blog_generation, memory_order_acquire);
    return gen << 8 | (uint64_t)effective(name)->level;
}

bool blog_site_refresh(blog_site_t *site, blog_level_t level)
{
    pthread_mutex_lock(&table_lock);
    if (!site->logger) {
        char name[256];
        name_from_file(site->file, name, sizeof(name));
        logger_t *lg = intern(name);
        site->logger = lg ? lg->name : "connectd";
    }
    uint64_t cached = lookup_locked(site->logger);
    atomic_store_explicit(&site->cached, cached, memory_order_release);
    pthread_mutex_unlock(&table_lock);
    return (int)level >= (int)(cached & 0xff);
}

/* Kafka's connect-log4j.properties pattern, "[%d] %p %m (%c)%n": the
 * logger's name closes the line, so a line says which logger to quiet or
 * raise (/admin/loggers, log4j.logger.* in the worker file). */
static void write_line(const char *logger, blog_level_t level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void write_line(const char *logger, blog_level_t level, const char *fmt, va_list ap)
{
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR", "OFF"};
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    fprintf(output ? output : stderr, "[%s,%03d] %s %s (%s)\n", stamp, (int)(tv.tv_usec / 1000), names[level], msg,
            logger);
}

void blog_site_write(blog_site_t *site, blog_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* Named by the first blog_site_refresh, which ran before any
     * blog_site_enabled said yes (its release store publishes it). */
    write_line(site->logger, level, fmt, ap);
    va_end(ap);
}

/* ---- loggers named at run time --------------------------------------------------- */

/* The last name this thread asked about, and its cache word. */
static __thread char named_last[256];
static __thread uint64_t named_cached;

bool blog_named_enabled(const char *name, blog_level_t level)
{
    uint64_t gen = atomic_load_explicit(&blog_generation, memory_order_relaxed);
    if (named_cached >> 8 != gen || strcmp(named_last, name) != 0) {
        pthread_mutex_lock(&table_lock);
        intern(name);
        named_cached = lookup_locked(name);
        pthread_mutex_unlock(&table_lock);
        snprintf(named_last, sizeof(named_last), "%s", name);
    }
    return (int)level >= (int)(named_cached & 0xff);
}

void blog_named_write(const char *name, blog_level_t level, const char *fmt, ...)
{
    if (!blog_named_enabled(name, level)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    write_line(name, level, fmt, ap);
    va_end(ap);
}

/* ---- /admin/loggers ------------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
    return strcmp(((const blog_logger_info_t *)a)->name, ((const blog_logger_info_t *)b)->name);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t blog_loggers_set(blog_logger_info_t **out)
{
    pthread_mutex_lock(&table_lock);
    blog_logger_info_t *infos = calloc(n_loggers + 1, sizeof(*infos));
    size_t n = 0;
    for (size_t i = 0; infos && i <= n_loggers; i++) {
        const logger_t *lg = i < n_loggers ? &loggers[i] : &root;
        if (!lg->has_level) {
            continue;
        }
        infos[n].name = strdup(lg->name);
        memcpy(infos[n].level, lg->level_name, sizeof(infos[n].level));
        infos[n].last_modified = lg->last_modified;
        n++;
    }
    pthread_mutex_unlock(&table_lock);
    if (infos) {
        qsort(infos, n, sizeof(*infos), by_name);
    }
    *out = infos;
    return n;
}

void blog_logger_infos_free(blog_logger_info_t *infos, size_t n)
{
    for (size_t i = 0; infos && i < n; i++) {
        free(infos[i].name);
    }
    free(infos);
}

/* @locks table_lock.  Whether `name` is a logger or an ancestor of one. */
static bool known(const char *name)
{
    if (is_root(name)) {
        return true;
    }
    for (size_t i = 0; i < n_loggers; i++) {
        if (is_under(loggers[i].name, name)) {
            return true;
        }
    }
    return false;
}

bool blog_logger_get(const char *name, blog_logger_info_t *out)
{
    pthread_mutex_lock(&table_lock);
    bool found = known(name);
    if (found) {
        const logger_t *own = find(name), *eff = effective(name);
        out->name = NULL;
        memcpy(out->level, eff->level_name, sizeof(out->level));
        out->last_modified = own && own->has_level ? own->last_modified : -1;
    }
    pthread_mutex_unlock(&table_lock);
    return found;
}

bool blog_logger_name_check(const char *name, char *why, size_t why_size)
{
    size_t len = strlen(name);
    if (len == 0 || len > BLOG_NAME_MAX) {
        snprintf(why, why_size, "a logger name has 1 to %d bytes", BLOG_NAME_MAX);
        return false;
    }
    if (!utf8_is_valid(name, len)) {
        snprintf(why, why_size, "a logger name is UTF-8");
        return false;
    }
    /* U+0080..U+009F, C1 controls, are C2 80..9F in UTF-8. */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
            snprintf(why, why_size, "a logger name has no control characters");
            return false;
        }
    }
    if (name[0] == '.' || name[len - 1] == '.' || strstr(name, "..")) {
        snprintf(why, why_size, "a logger name has no empty part between dots");
        return false;
    }
    return true;
}

bool blog_logger_configure(const char *name, const char *level_text)
{
    char level_name[BLOG_LEVEL_NAME_MAX];
    int level = blog_level_parse(level_text, level_name);
    if (level < 0) {
        return false;
    }
    pthread_mutex_lock(&table_lock);
    logger_t *lg = is_root(name) ? &root : intern(name);
    if (lg) {
        lg->has_level = true;
        lg->level = (blog_level_t)level;
        memcpy(lg->level_name, level_name, sizeof(lg->level_name));
        lg->last_modified = -1;
    }
    bump_generation();
    pthread_mutex_unlock(&table_lock);
    return true;
}

/* @locks table_lock.  log4j's Logger.setLevel as Kafka's Loggers calls it:
 * nothing changes (not even the time) when the level is already that. */
static void set_one(logger_t *lg, blog_level_t level, const char *level_name, int64_t now)
{
    const logger_t *current = lg->has_level ? lg : effective(lg->name);
    if (strcmp(current->level_name, level_name) == 0) {
        return;
    }
    lg->has_level = true;
    lg->level = level;
    memcpy(lg->level_name, level_name, sizeof(lg->level_name));
    lg->last_modified = now;
}

char **blog_logger_set(const char *name, const char *level_text, size_t *n)
{
    char level_name[BLOG_LEVEL_NAME_MAX];
    int level = blog_level_parse(level_text, level_name);
    *n = 0;
    if (level < 0) {
        return NULL;
    }
    pthread_mutex_lock(&table_lock);
    bool all = is_root(name);
    if (!all) {
        intern(name);
    }
    char **names = calloc(n_loggers + 1, sizeof(*names));
    int64_t now = clock_wall_ms();
    size_t count = 0;
    /* Descendants first: set_one compares with the effective level, which
     * for a descendant without its own may come from `name` itself. */
    for (size_t pass = 0; names && pass < 2; pass++) {
        for (size_t i = 0; i < n_loggers; i++) {
            bool self = strcmp(loggers[i].name, name) == 0;
            if ((pass == 0 && !self && (all || is_under(loggers[i].name, name))) || (pass == 1 && self)) {
                set_one(&loggers[i], (blog_level_t)level, level_name, now);
                names[count++] = strdup(loggers[i].name);
            }
        }
    }
    if (all && names) {
        set_one(&root, (blog_level_t)level, level_name, now);
        names[count++] = strdup(BLOG_ROOT);
    }
    bump_generation();
    pthread_mutex_unlock(&table_lock);
    if (names) {
        qsort(names, count, sizeof(*names), by_string);
    }
    *n = count;
    return names;
}
