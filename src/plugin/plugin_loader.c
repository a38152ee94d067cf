/*
 * plugin_loader.c - plugin.path scanning, dlopen, and the checks a
 * descriptor must pass before the worker may call it.
 *
 * The ABI's promise (plugins/include/connectd/plugin.h) is kept here:
 *
 *   1. dlopen(RTLD_NOW | RTLD_LOCAL): an unresolved symbol fails now, at
 *      startup, not in the middle of a task; LOCAL keeps two plugins that
 *      bundle different versions of one library from seeing each other's.
 *   2. dlsym(cd_plugin_entry) - one fixed name, never derived from the file
 *      name - called once with the host table.
 *   3. Each descriptor: only its first 8 bytes (struct_size, abi_major,
 *      abi_minor) are frozen across majors, so abi_major is checked before
 *      anything else is read; then struct_size against the 1.0 layout.
 *   4. The descriptor is copied into a zeroed host-sized struct,
 *      min(struct_size, sizeof) bytes: fields newer than the plugin read as
 *      NULL, fields newer than the host are never looked at.
 *   5. The copy is checked (kind, required callbacks, config table, unique
 *      name and aliases) so a broken plugin fails at load time, with one log
 *      line naming the file, rather than when a connector first runs.
 *
 * A refusal concerns one descriptor (or one file when it has no usable
 * entry); everything else on plugin.path still loads.  Handles are never
 * dlclose()d once the entry ran: descriptors, config tables and callbacks
 * point into the plugin.
 *
 * A registry is built by one thread and read-only afterwards, so find, at
 * and count may be called from any thread.
 */
#include "plugin_loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blog.h"
#include "xalloc.h"

/* The 1.0 descriptor ends with stop; later minors append after it, so this
 * is the smallest struct_size a plugin of this major can have. */
#define DESC_SIZE_1_0 (offsetof(cd_plugin_desc_t, stop) + sizeof(((cd_plugin_desc_t *)0)->stop))

typedef const cd_plugin_desc_t *const *(*plugin_entry_fn)(const cd_host_api_t *host);

typedef struct plugin_entry {
    plugin_info_t info; /* points at the two fields below */
    cd_plugin_desc_t desc;
    char *path;
} plugin_entry_t;

struct plugin_registry {
    const cd_host_api_t *api;
    plugin_entry_t **entries; /* connectors */
    size_t count, cap;
    plugin_entry_t **transforms; /* transforms and predicates (ABI 1.1) */
    size_t ntransforms, tcap;
    void **handles; /* every file whose entry ran; kept, never closed */
    size_t nhandles;
};

/* The one log line a refusal gets. */
static void refuse(blog_level_t level, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void refuse(blog_level_t level, const char *path, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    blog_write(level, "refused plugin %s: %s", path, why);
}

/* dlerror() text without the "path: " it usually starts with, since the
 * log line names the file already. */
static const char *dl_reason(const char *path)
{
    const char *err = dlerror();
    size_t len = strlen(path);
    if (!err) {
        return "unknown dlopen error";
    }
    if (strncmp(err, path, len) == 0 && err[len] == ':' && err[len + 1] == ' ') {
        return err + len + 2;
    }
    return err;
}

/* ---- config values ----------------------------------------------------- */

static bool parse_int64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static bool in_choices(const char *const *choices, const char *s, size_t len)
{
    for (size_t i = 0; choices[i]; i++) {
        if (strlen(choices[i]) == len && strncmp(choices[i], s, len) == 0) {
            return true;
        }
    }
    return false;
}

/* Whether `value` (or, for a LIST, each of its comma-separated items) is one
 * of def->choices, as Kafka's ValidString and ValidList. */
static int check_choices(const cd_config_def_t *def, const char *value, char *errbuf, size_t errlen)
{
    const char *item = value;
    while (*item) {
        size_t len = def->type == CD_CFG_LIST ? strcspn(item, ",") : strlen(item);
        const char *s = item;
        size_t n = len;
        while (n > 0 && (*s == ' ' || *s == '\t')) {
            s++, n--;
        }
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
            n--;
        }
        if (!in_choices(def->choices, s, n)) {
            int w = snprintf(errbuf, errlen, "\"%.*s\" is not one of ", (int)n, s);
            for (size_t i = 0; def->choices[i] && w >= 0 && (size_t)w < errlen; i++) {
                w += snprintf(errbuf + w, errlen - (size_t)w, "%s\"%s\"", i ? ", " : "", def->choices[i]);
            }
            return -1;
        }
        item += len + (item[len] == ',');
    }
    return 0;
}

int plugin_config_check(const cd_config_def_t *def, const char *value, char *errbuf, size_t errlen)
{
    int64_t n;
    double d;
    char *end;
    switch (def->type) {
    case CD_CFG_INT:
    case CD_CFG_LONG:
        if (!parse_int64(value, &n) || (def->type == CD_CFG_INT && (n < INT32_MIN || n > INT32_MAX))) {
            snprintf(errbuf, errlen, "\"%s\" is not a whole number of type %s", value,
                     def->type == CD_CFG_INT ? "INT (32 bits)" : "LONG (64 bits)");
            return -1;
        }
        if (def->min < def->max && (n < def->min || n > def->max)) {
            snprintf(errbuf, errlen, "\"%s\" is outside [%" PRId64 ", %" PRId64 "]", value, def->min,
                     def->max);
            return -1;
        }
        break;
    case CD_CFG_DOUBLE:
        errno = 0;
        d = strtod(value, &end);
        if (errno != 0 || end == value || *end != '\0' || !isfinite(d)) {
            snprintf(errbuf, errlen, "\"%s\" is not a number", value);
            return -1;
        }
        break;
    case CD_CFG_BOOLEAN:
        if (strcasecmp(value, "true") != 0 && strcasecmp(value, "false") != 0) {
            snprintf(errbuf, errlen, "\"%s\" is not true or false", value);
            return -1;
        }
        break;
    case CD_CFG_STRING:
    case CD_CFG_LIST:
    case CD_CFG_PASSWORD:
    case CD_CFG_CLASS:
        break;
    default:
        snprintf(errbuf, errlen, "unknown type %d", (int)def->type);
        return -1;
    }
    if (def->choices && check_choices(def, value, errbuf, errlen) != 0) {
        return -1;
    }
    if (def->validate) {
        char why[256] = "";
        int rc = def->validate(value, why, sizeof(why));
        why[sizeof(why) - 1] = '\0'; /* whatever the plugin wrote there */
        if (rc != 0) {
            snprintf(errbuf, errlen, "\"%s\" is invalid: %s", value, why[0] ? why : "(no reason given)");
            return -1;
        }
    }
    return 0;
}

/* ---- descriptor checks --------------------------------------------------- */

static bool config_table_ok(const cd_plugin_desc_t *desc, char *why, size_t len)
{
    for (const cd_config_def_t *def = desc->config; def && def->name; def++) {
        char detail[384];
        if (def->name[0] == '\0') {
            snprintf(why, len, "connector \"%s\": a config entry has an empty name", desc->name);
            return false;
        }
        for (const cd_config_def_t *prev = desc->config; prev != def; prev++) {
            if (strcmp(prev->name, def->name) == 0) {
                snprintf(why, len, "connector \"%s\": config \"%s\" is declared twice", desc->name,
                         def->name);
                return false;
            }
        }
        if (def->type < CD_CFG_STRING || def->type > CD_CFG_CLASS) {
            snprintf(why, len, "connector \"%s\": config \"%s\" has unknown type %d", desc->name,
                     def->name, (int)def->type);
            return false;
        }
        if (def->default_value && plugin_config_check(def, def->default_value, detail, sizeof(detail)) != 0) {
            snprintf(why, len, "connector \"%s\": config \"%s\": default %s", desc->name, def->name, detail);
            return false;
        }
    }
    return true;
}

static bool callbacks_ok(const cd_plugin_desc_t *desc, char *why, size_t len)
{
    if (desc->kind == CD_KIND_TRANSFORM || desc->kind == CD_KIND_PREDICATE) {
        const bool transform = desc->kind == CD_KIND_TRANSFORM;
        const char *missing = !desc->start                 ? "start"
                              : transform && !desc->transform ? "transform"
                              : !transform && !desc->test  ? "test"
                              : !desc->stop                ? "stop"
                                                           : NULL;
        if (missing) {
            snprintf(why, len, "%s \"%s\" lacks the required callback %s (a %s needs start, %s and stop)",
                     transform ? "transform" : "predicate", desc->name, missing,
                     transform ? "transform" : "predicate", transform ? "transform" : "test");
            return false;
        }
        return true;
    }
    const bool source = desc->kind == CD_KIND_SOURCE;
    const char *missing = !desc->start                ? "start"
                          : source && !desc->poll     ? "poll"
                          : !source && !desc->put     ? "put"
                          : !source && !desc->flush   ? "flush"
                          : !desc->stop               ? "stop"
                                                      : NULL;
    if (missing) {
        snprintf(why, len, "connector \"%s\" lacks the required callback %s (a %s needs %s)", desc->name,
                 missing, source ? "source" : "sink",
                 source ? "start, poll and stop" : "start, put, flush and stop");
        return false;
    }
    return true;
}

static const plugin_entry_t *list_lookup(plugin_entry_t *const *entries, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        const cd_plugin_desc_t *desc = &entries[i]->desc;
        if (strcmp(desc->name, name) == 0) {
            return entries[i];
        }
        for (const char *const *alias = desc->aliases; alias && *alias; alias++) {
            if (strcmp(*alias, name) == 0) {
                return entries[i];
            }
        }
    }
    return NULL;
}

/* The loaded connector called `name` or with alias `name`, if any. */
static const plugin_entry_t *registry_lookup(const plugin_registry_t *reg, const char *name)
{
    return list_lookup(reg->entries, reg->count, name);
}

/* The same over connectors, transforms and predicates: one namespace, as
 * Kafka's class names are. */
static const plugin_entry_t *any_lookup(const plugin_registry_t *reg, const char *name)
{
    const plugin_entry_t *entry = registry_lookup(reg, name);
    return entry ? entry : list_lookup(reg->transforms, reg->ntransforms, name);
}

static bool names_free(const plugin_registry_t *reg, const cd_plugin_desc_t *desc, char *why, size_t len)
{
    const plugin_entry_t *other = any_lookup(reg, desc->name);
    if (other) {
        snprintf(why, len, "connector \"%s\" is already loaded from %s (as \"%s\")", desc->name,
                 other->path, other->desc.name);
        return false;
    }
    for (const char *const *alias = desc->aliases; alias && *alias; alias++) {
        other = any_lookup(reg, *alias);
        if (other) {
            snprintf(why, len, "alias \"%s\" of connector \"%s\" is already taken by \"%s\" from %s",
                     *alias, desc->name, other->desc.name, other->path);
            return false;
        }
    }
    return true;
}

static bool desc_ok(const plugin_registry_t *reg, const cd_plugin_desc_t *desc, char *why, size_t len)
{
    if (!desc->name || desc->name[0] == '\0') {
        snprintf(why, len, "a connector has no name");
        return false;
    }
    if (desc->kind < CD_KIND_SOURCE || desc->kind > CD_KIND_PREDICATE) {
        snprintf(why, len, "connector \"%s\" has unknown kind %d (1 = source, 2 = sink, 3 = transform, 4 = predicate)",
                 desc->name, (int)desc->kind);
        return false;
    }
    if ((desc->kind == CD_KIND_TRANSFORM || desc->kind == CD_KIND_PREDICATE) && desc->abi_minor < 1) {
        snprintf(why, len, "\"%s\" is a %s, which needs plugin ABI 1.1 or later; it was built for %u.%u",
                 desc->name, desc->kind == CD_KIND_TRANSFORM ? "transform" : "predicate",
                 (unsigned)desc->abi_major, (unsigned)desc->abi_minor);
        return false;
    }
    return callbacks_ok(desc, why, len) && config_table_ok(desc, why, len) && names_free(reg, desc, why, len);
}

/* ---- loading --------------------------------------------------------------- */

static void registry_add(plugin_registry_t *reg, const char *path, const cd_plugin_desc_t *src)
{
    if (src->abi_major != CD_ABI_MAJOR) {
        refuse(BLOG_WARN, path, "built for plugin ABI %u.%u, this connectd speaks %d.%d; rebuild it against this "
                     "connectd's connectd/plugin.h",
               (unsigned)src->abi_major, (unsigned)src->abi_minor, CD_ABI_MAJOR, CD_ABI_MINOR);
        return;
    }
    if (src->struct_size < DESC_SIZE_1_0) {
        refuse(BLOG_WARN, path, "descriptor struct_size %" PRIu32 " is smaller than the plugin ABI %d.0 descriptor (%zu "
                     "bytes); set it with CD_PLUGIN_DESC_HEADER",
               src->struct_size, CD_ABI_MAJOR, DESC_SIZE_1_0);
        return;
    }
    plugin_entry_t *entry = calloc(1, sizeof(*entry));
    if (!entry) {
        abort();
    }
    size_t n = src->struct_size < sizeof(entry->desc) ? src->struct_size : sizeof(entry->desc);
    memcpy(&entry->desc, src, n);
    char why[512];
    if (!desc_ok(reg, &entry->desc, why, sizeof(why))) {
        refuse(BLOG_WARN, path, "%s", why);
        free(entry);
        return;
    }
    entry->path = strdup(path);
    if (!entry->path) {
        abort();
    }
    entry->info.desc = &entry->desc;
    entry->info.path = entry->path;
    static const char *const kinds[] = {"", "source", "sink", "transform", "predicate"};
    bool connector = entry->desc.kind == CD_KIND_SOURCE || entry->desc.kind == CD_KIND_SINK;
    plugin_entry_t ***list = connector ? &reg->entries : &reg->transforms;
    size_t *count = connector ? &reg->count : &reg->ntransforms, *cap = connector ? &reg->cap : &reg->tcap;
    if (*count == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        *list = xrealloc(*list, *cap * sizeof(**list));
    }
    (*list)[(*count)++] = entry;
    blog_info("loaded %s %s %s (%s, plugin ABI %u.%u) from %s", connector ? "connector" : kinds[entry->desc.kind],
              entry->desc.name, entry->desc.version ? entry->desc.version : "(no version)", kinds[entry->desc.kind],
              (unsigned)entry->desc.abi_major, (unsigned)entry->desc.abi_minor, path);
}

static void registry_load_file(plugin_registry_t *reg, const char *path)
{
    dlerror();
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        refuse(BLOG_WARN, path, "not a plugin: %s", dl_reason(path));
        return;
    }
    /* The same file reached twice (listed directly and through its
     * directory, or via a symlink): dlopen returned the same handle. */
    for (size_t i = 0; i < reg->nhandles; i++) {
        if (reg->handles[i] == dl) {
            dlclose(dl); /* only drops the extra reference */
            return;
        }
    }
    plugin_entry_fn entry = (plugin_entry_fn)dlsym(dl, CD_PLUGIN_ENTRY_SYMBOL);
    if (!entry) {
        /* INFO, not WARN: a plugin's directory may hold the libraries it
         * depends on.  None of its code ran, so it can be closed. */
        refuse(BLOG_INFO, path, "not a plugin: %s", dl_reason(path));
        dlclose(dl);
        return;
    }
    reg->handles = xrealloc(reg->handles, (reg->nhandles + 1) * sizeof(*reg->handles));
    reg->handles[reg->nhandles++] = dl;
    const cd_plugin_desc_t *const *descs = entry(reg->api);
    if (!descs || !descs[0]) {
        refuse(BLOG_WARN, path, "%s returned %s", CD_PLUGIN_ENTRY_SYMBOL, descs ? "no connectors" : "NULL");
        return;
    }
    for (size_t i = 0; descs[i]; i++) {
        registry_add(reg, path, descs[i]);
    }
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A directory's *.so, and (depth 0 only) those of its subdirectories, in
 * name order so that which of two same-named plugins wins is predictable. */
static void registry_scan_dir(plugin_registry_t *reg, const char *dir, int depth)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        blog_warn("plugin.path: cannot read directory %s: %s", dir, strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char path[PATH_MAX];
        struct stat st;
        if (name[0] != '.' && snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path) &&
            stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth == 0) {
                registry_scan_dir(reg, path, 1);
            } else if (S_ISREG(st.st_mode) && has_suffix(name, ".so")) {
                registry_load_file(reg, path);
            }
        }
        free(names[i]);
    }
    free(names);
}

plugin_registry_t *plugin_registry_load(const char *plugin_path, const cd_host_api_t *api)
{
    plugin_registry_t *reg = calloc(1, sizeof(*reg));
    char *list = strdup(plugin_path ? plugin_path : "");
    if (!reg || !list) {
        abort();
    }
    reg->api = api;
    char *save = NULL;
    for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        item += strspn(item, " \t");
        size_t len = strlen(item);
        while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t')) {
            item[--len] = '\0';
        }
        struct stat st;
        if (len == 0) {
            continue;
        }
        if (stat(item, &st) != 0) {
            blog_warn("plugin.path: %s: %s", item, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            registry_scan_dir(reg, item, 0);
        } else {
            registry_load_file(reg, item);
        }
    }
    free(list);
    return reg;
}

void plugin_registry_destroy(plugin_registry_t *reg)
{
    if (!reg) {
        return;
    }
    for (size_t i = 0; i < reg->count; i++) {
        free(reg->entries[i]->path);
        free(reg->entries[i]);
    }
    free(reg->entries);
    for (size_t i = 0; i < reg->ntransforms; i++) {
        free(reg->transforms[i]->path);
        free(reg->transforms[i]);
    }
    free(reg->transforms);
    free(reg->handles);
    free(reg);
}

const plugin_info_t *plugin_registry_find(const plugin_registry_t *reg, const char *class_name)
{
    const plugin_entry_t *entry = registry_lookup(reg, class_name);
    return entry ? &entry->info : NULL;
}

size_t plugin_registry_count(const plugin_registry_t *reg)
{
    return reg->count;
}

const plugin_info_t *plugin_registry_at(const plugin_registry_t *reg, size_t i)
{
    return i < reg->count ? &reg->entries[i]->info : NULL;
}

size_t plugin_registry_transform_count(const plugin_registry_t *reg)
{
    return reg->ntransforms;
}

const plugin_info_t *plugin_registry_transform_at(const plugin_registry_t *reg, size_t i)
{
    return i < reg->ntransforms ? &reg->transforms[i]->info : NULL;
}

const char *plugin_builtin_dir(void)
{
    /* Running from the build tree (make check, ./src/connectd): use the
     * connectors built next to it, not whatever an older install left. */
    char exe[PATH_MAX], build[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0 && realpath(CONNECTD_BUILD_DIR, build)) {
        size_t len = strlen(build);
        exe[n] = '\0';
        if (strncmp(exe, build, len) == 0 && exe[len] == '/') {
            return CONNECTD_BUILD_DIR "/connectors";
        }
    }
    return CONNECTD_INSTALL_CONNECTORS_DIR;
}
