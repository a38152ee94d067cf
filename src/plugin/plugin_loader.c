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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blog.h"
#include "xalloc.h"

/* The 1.0 descriptor ends with stop; later minors append after it, so this
 * is the smallest struct_size a plugin of this major can have. */
#define DESC_SIZE_1_0 (offsetof(cd_plugin_desc_t, stop) + sizeof(((cd_plugin_desc_t *)0)->stop))

typedef const cd_plugin_desc_t *const *(*plugin_entry_fn)(const cd_host_api_t *host);

typedef struct plugin_entry {
    plugin_info_t info; /* points at the three fields below */
    cd_plugin_desc_t desc;
    char *path;
    config_def_t *config;
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

/* ---- config rows ------------------------------------------------------- */

/* The row's validator for a plugin row with validate(): the plugin's one
 * sentence, as the row's. */
static config_def_problem_t plugin_validate(const config_def_t *row, const char *name, const char *value,
                                            const char **canonical, char *why, size_t why_size)
{
    const cd_config_def_t *def = row->validate_arg;
    int rc = def->validate(value, why, why_size);
    why[why_size - 1] = '\0'; /* whatever the plugin wrote there */
    return rc != 0 ? CONFIG_DEF_REFUSED : CONFIG_DEF_OK;
}

/* Row `def` of a plugin's table, `order` its position in its group. */
static config_def_t plugin_row(const cd_config_def_t *def, int order)
{
    static const config_def_type_t types[] = {
        [CD_CFG_STRING] = CONFIG_DEF_STRING, [CD_CFG_INT] = CONFIG_DEF_INT,
        [CD_CFG_LONG] = CONFIG_DEF_LONG,     [CD_CFG_DOUBLE] = CONFIG_DEF_DOUBLE,
        [CD_CFG_BOOLEAN] = CONFIG_DEF_BOOLEAN, [CD_CFG_LIST] = CONFIG_DEF_LIST,
        [CD_CFG_PASSWORD] = CONFIG_DEF_PASSWORD, [CD_CFG_CLASS] = CONFIG_DEF_CLASS,
    };
    /* plugin.h: bounds apply to INT and LONG, when min < max. */
    bool bounded = (def->type == CD_CFG_INT || def->type == CD_CFG_LONG) && def->min < def->max;
    return (config_def_t){
        .name = def->name,
        .type = def->type >= CD_CFG_STRING && def->type <= CD_CFG_CLASS ? types[def->type] : CONFIG_DEF_STRING,
        .default_value = def->default_value,
        .importance = def->importance == CD_IMPORTANCE_HIGH  ? CONFIG_DEF_HIGH
                      : def->importance == CD_IMPORTANCE_LOW ? CONFIG_DEF_LOW
                                                             : CONFIG_DEF_MEDIUM,
        .flags = def->required && !def->default_value ? CONFIG_DEF_REQUIRED : 0,
        .doc = def->doc,
        .group = def->group,
        .order = order,
        .width = CONFIG_DEF_WIDTH_NONE,
        .has_min = bounded,
        .has_max = bounded,
        .min = def->min,
        .max = def->max,
        .choices = def->choices,
        .validate = def->validate ? plugin_validate : NULL,
        .validate_arg = def,
    };
}

config_def_t *plugin_config_rows(const cd_config_def_t *defs)
{
    size_t n = 0;
    while (defs && defs[n].name) {
        n++;
    }
    config_def_t *rows = calloc(n + 1, sizeof(*rows));
    if (!rows) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        int order = -1;
        if (defs[i].group) {
            order = 1;
            for (size_t j = 0; j < i; j++) {
                order += defs[j].group && strcmp(defs[j].group, defs[i].group) == 0;
            }
        }
        rows[i] = plugin_row(&defs[i], order);
    }
    return rows;
}

int plugin_config_check(const cd_config_def_t *def, const char *value, char *errbuf, size_t errlen)
{
    if (def->type < CD_CFG_STRING || def->type > CD_CFG_CLASS) {
        snprintf(errbuf, errlen, "unknown type %d", (int)def->type);
        return -1;
    }
    config_def_t row = plugin_row(def, -1);
    char *shown, detail[256];
    config_def_problem_t problem = config_def_read(&row, def->name, value, &shown, detail, sizeof(detail));
    free(shown);
    int w;
    switch (problem) {
    case CONFIG_DEF_OK:
        return 0;
    case CONFIG_DEF_NOT_OF_TYPE:
        if (def->type == CD_CFG_INT || def->type == CD_CFG_LONG) {
            snprintf(errbuf, errlen, "\"%s\" is not a whole number of type %s", value,
                     def->type == CD_CFG_INT ? "INT (32 bits)" : "LONG (64 bits)");
        } else {
            snprintf(errbuf, errlen, "\"%s\" is not %s", value,
                     def->type == CD_CFG_BOOLEAN ? "true or false" : "a number");
        }
        break;
    case CONFIG_DEF_TOO_SMALL:
    case CONFIG_DEF_TOO_LARGE:
        snprintf(errbuf, errlen, "\"%s\" is outside [%" PRId64 ", %" PRId64 "]", value, def->min, def->max);
        break;
    case CONFIG_DEF_NOT_A_CHOICE:
        w = snprintf(errbuf, errlen, "\"%s\" is not one of ", detail);
        for (size_t i = 0; def->choices[i] && w >= 0 && (size_t)w < errlen; i++) {
            w += snprintf(errbuf + w, errlen - (size_t)w, "%s\"%s\"", i ? ", " : "", def->choices[i]);
        }
        break;
    default: /* the plugin's validate() */
        snprintf(errbuf, errlen, "\"%s\" is invalid: %s", value, detail[0] ? detail : "(no reason given)");
        break;
    }
    return -1;
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
    entry->config = plugin_config_rows(entry->desc.config);
    entry->info.desc = &entry->desc;
    entry->info.path = entry->path;
    entry->info.config = entry->config;
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
        free(reg->entries[i]->config);
        free(reg->entries[i]);
    }
    free(reg->entries);
    for (size_t i = 0; i < reg->ntransforms; i++) {
        free(reg->transforms[i]->path);
        free(reg->transforms[i]->config);
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
