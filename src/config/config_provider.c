/* config_provider.c - ${provider:path:key} references in connector
 * configs; see config_provider.h. */
#include "config_provider.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blog.h"

/* The most a file a provider reads may hold (a ${file:...} properties
 * file, a ${dir:...} secret): secrets, not data sets.  Larger files are
 * refused before anything is read, so /dev/zero-like input cannot grow
 * the worker's memory. */
#define PROVIDER_FILE_MAX (1 << 20)

typedef enum provider_kind {
    PROVIDER_ENV,
    PROVIDER_FILE,
    PROVIDER_DIR,
} provider_kind_t;

static const struct provider_class {
    const char *name;       /* the default provider name */
    const char *java_class; /* Kafka's class; its simple name is accepted too */
    provider_kind_t kind;
} provider_classes[] = {
    {"env", "org.apache.kafka.common.config.provider.EnvVarConfigProvider", PROVIDER_ENV},
    {"file", "org.apache.kafka.common.config.provider.FileConfigProvider", PROVIDER_FILE},
    {"dir", "org.apache.kafka.common.config.provider.DirectoryConfigProvider", PROVIDER_DIR},
};
#define N_CLASSES (sizeof(provider_classes) / sizeof(provider_classes[0]))

typedef struct provider {
    char *name;
    provider_kind_t kind;
    char **allowed_paths; /* file, dir: normalised, absolute; NULL: any */
    char **allowed_real;  /* the same with symlinks resolved (realpath) */
    size_t n_allowed;
    bool has_allowlist; /* env */
    regex_t allowlist;
} provider_t;

struct config_provider {
    provider_t *providers;
    size_t n;
};

/* ---- a growing string -------------------------------------------------------- */

typedef struct strbuf {
    char *p;
    size_t len, cap;
} strbuf_t;

static void sb_append(strbuf_t *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        sb->cap = (sb->len + n + 1) * 2;
        sb->p = realloc(sb->p, sb->cap);
    }
    memcpy(sb->p + sb->len, s, n);
    sb->len += n;
    sb->p[sb->len] = '\0';
}

/* ---- paths --------------------------------------------------------------------- */

/* `path` without "." and ".." components or repeated '/' (Java's
 * Path.normalize: lexical, symlinks untouched).  Malloc'd. */
static char *path_normalise(const char *path)
{
    size_t n = strlen(path);
    char *out = malloc(n + 2);
    size_t o = 0;
    bool absolute = path[0] == '/';
    if (absolute) {
        out[o++] = '/';
    }
    const char *p = path;
    while (*p) {
        while (*p == '/') {
            p++;
        }
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            /* Back one component; above the root stays at the root. */
            size_t root = absolute ? 1 : 0;
            if (o > root) {
                while (o > root && out[o - 1] != '/') {
                    o--;
                }
                if (o > root) {
                    o--;
                }
            } else if (!absolute) {
                memcpy(out + o, o ? "/.." : "..", o ? 3 : 2);
                o += o ? 3 : 2;
            }
        } else {
            if (o > (absolute ? 1u : 0u)) {
                out[o++] = '/';
            }
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
    }
    out[o] = '\0';
    return out;
}

/* Whether normalised `path` is `dir` or below it, component-wise. */
static bool path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (strcmp(dir, "/") == 0) {
        return path[0] == '/';
    }
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool under_any(const char *path, char *const *dirs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (path_under(path, dirs[i])) {
            return true;
        }
    }
    return false;
}

/*
 * Whether `prov` may read `path`: the path is absolute and, with "." and
 * ".." removed, under one of allowed.paths (Kafka's check), and with its
 * symlinks resolved too, so a link inside an allowed directory cannot
 * point out of it.  *open_path (malloc'd) is what to open: the resolved
 * path when allowed.paths is set, else `path` itself.  False with `why`.
 */
static bool path_check(const provider_t *prov, const char *path, char **open_path, char *why, size_t why_size)
{
    if (!prov->allowed_paths) {
        *open_path = strdup(path);
        return true;
    }
    char *norm = path_normalise(path);
    bool lexical = norm[0] == '/' && under_any(norm, prov->allowed_paths, prov->n_allowed);
    free(norm);
    if (!lexical) {
        snprintf(why, why_size, "%s is outside config.providers.%s.param.allowed.paths", path, prov->name);
        return false;
    }
    char *real = realpath(path, NULL);
    if (!real) {
        snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    if (!under_any(real, prov->allowed_real, prov->n_allowed)) {
        snprintf(why, why_size, "%s resolves to %s, outside config.providers.%s.param.allowed.paths", path, real,
                 prov->name);
        free(real);
        return false;
    }
    *open_path = real;
    return true;
}

/* ---- creating ------------------------------------------------------------------- */

static void provider_free(provider_t *prov)
{
    free(prov->name);
    for (size_t i = 0; i < prov->n_allowed; i++) {
        free(prov->allowed_paths[i]);
        free(prov->allowed_real[i]);
    }
    free(prov->allowed_paths);
    free(prov->allowed_real);
    if (prov->has_allowlist) {
        regfree(&prov->allowlist);
    }
}

void config_provider_destroy(config_provider_t *cprov)
{
    if (!cprov) {
        return;
    }
    for (size_t i = 0; i < cprov->n; i++) {
        provider_free(&cprov->providers[i]);
    }
    free(cprov->providers);
    free(cprov);
}

/* Worker key config.providers.<name><rest>; NULL when unset or empty. */
static const char *worker_get(const properties_t *props, const char *name, const char *rest)
{
    char key[512];
    snprintf(key, sizeof(key), "config.providers.%s%s", name, rest);
    const char *v = properties_get(props, key);
    return v && *v ? v : NULL;
}

static const struct provider_class *class_find(const char *cls)
{
    for (size_t i = 0; i < N_CLASSES; i++) {
        const char *simple = strrchr(provider_classes[i].java_class, '.') + 1;
        if (strcmp(cls, provider_classes[i].java_class) == 0 || strcmp(cls, simple) == 0) {
            return &provider_classes[i];
        }
    }
    return NULL;
}

/* An item of a comma list without the blanks around it (cut in place). */
static char *trim_blanks(char *tok)
{
    tok += strspn(tok, " \t");
    size_t len = strlen(tok);
    while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t')) {
        tok[--len] = '\0';
    }
    return tok;
}

/* allowed.paths: absolute, existing, normalised. */
static bool parse_allowed_paths(provider_t *prov, const char *list, char *errstr, size_t errstr_size)
{
    char *copy = strdup(list), *save = NULL;
    bool ok = true;
    for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        tok = trim_blanks(tok);
        if (!*tok) {
            continue;
        }
        char *real = NULL;
        if (tok[0] != '/') {
            snprintf(errstr, errstr_size, "config.providers.%s.param.allowed.paths: '%s' is not an absolute path",
                     prov->name, tok);
            ok = false;
        } else if (!(real = realpath(tok, NULL))) {
            snprintf(errstr, errstr_size, "config.providers.%s.param.allowed.paths: %s: %s", prov->name, tok,
                     strerror(errno));
            ok = false;
        } else {
            prov->allowed_paths = realloc(prov->allowed_paths, (prov->n_allowed + 1) * sizeof(char *));
            prov->allowed_real = realloc(prov->allowed_real, (prov->n_allowed + 1) * sizeof(char *));
            prov->allowed_paths[prov->n_allowed] = path_normalise(tok);
            prov->allowed_real[prov->n_allowed++] = real;
        }
    }
    free(copy);
    if (ok && !prov->allowed_paths) {
        /* Set but empty: nothing is allowed, which is not what anyone
         * writing the key means; Kafka treats it as unset too. */
        blog_warn("config.providers.%s.param.allowed.paths is empty: every path is allowed", prov->name);
    }
    return ok;
}

static bool configure(provider_t *prov, const properties_t *props, char *errstr, size_t errstr_size)
{
    char prefix[300];
    snprintf(prefix, sizeof(prefix), "config.providers.%s.param.", prov->name);
    for (size_t i = 0; i < properties_count(props); i++) {
        const char *key = properties_key_at(props, i);
        if (strncmp(key, prefix, strlen(prefix)) != 0) {
            continue;
        }
        const char *param = key + strlen(prefix), *value = properties_value_at(props, i);
        if (prov->kind != PROVIDER_ENV && strcmp(param, "allowed.paths") == 0) {
            if (!parse_allowed_paths(prov, value, errstr, errstr_size)) {
                return false;
            }
        } else if (prov->kind == PROVIDER_ENV &&
                   (strcmp(param, "allowlist.pattern") == 0 || strcmp(param, "env.var.pattern") == 0)) {
            /* KIP-887 named it allowlist.pattern, Kafka shipped env.var.pattern: either, not both. */
            if (prov->has_allowlist) {
                snprintf(errstr, errstr_size,
                         "%s: config.providers.%s.param.allowlist.pattern and .env.var.pattern are the same "
                         "setting; set one",
                         key, prov->name);
                return false;
            }
            char anchored[1024];
            snprintf(anchored, sizeof(anchored), "^(%s)$", value);
            int rc = regcomp(&prov->allowlist, anchored, REG_EXTENDED | REG_NOSUB);
            if (rc != 0) {
                char why[256];
                regerror(rc, &prov->allowlist, why, sizeof(why));
                snprintf(errstr, errstr_size, "%s: '%s' is not a valid regular expression: %s", key, value, why);
                return false;
            }
            prov->has_allowlist = true;
        } else {
            blog_warn("%s is not a parameter of the %s config provider; ignored", key, prov->name);
        }
    }
    return true;
}

static bool add_provider(config_provider_t *cprov, const properties_t *props, const char *name, char *errstr,
                         size_t errstr_size)
{
    for (size_t i = 0; i < cprov->n; i++) {
        if (strcmp(cprov->providers[i].name, name) == 0) {
            return true;
        }
    }
    const char *cls = worker_get(props, name, ".class");
    const struct provider_class *pc = NULL;
    if (cls) {
        pc = class_find(cls);
        if (!pc) {
            snprintf(errstr, errstr_size,
                     "config.providers.%s.class: unknown config provider class '%s'; connectd has "
                     "EnvVarConfigProvider, FileConfigProvider and DirectoryConfigProvider built in",
                     name, cls);
            return false;
        }
    } else {
        for (size_t i = 0; i < N_CLASSES && !pc; i++) {
            pc = strcmp(provider_classes[i].name, name) == 0 ? &provider_classes[i] : NULL;
        }
        if (!pc) {
            snprintf(errstr, errstr_size,
                     "config.providers lists '%s' but config.providers.%s.class is not set; set it to one of "
                     "EnvVarConfigProvider, FileConfigProvider, DirectoryConfigProvider",
                     name, name);
            return false;
        }
    }
    cprov->providers = realloc(cprov->providers, (cprov->n + 1) * sizeof(provider_t));
    provider_t *prov = &cprov->providers[cprov->n++];
    memset(prov, 0, sizeof(*prov));
    prov->name = strdup(name);
    prov->kind = pc->kind;
    return configure(prov, props, errstr, errstr_size);
}

config_provider_t *config_provider_create(const properties_t *worker_props, char *errstr, size_t errstr_size)
{
    config_provider_t *cprov = calloc(1, sizeof(*cprov));
    const char *list = properties_get(worker_props, "config.providers");
    bool ok = true;
    /* As Kafka: no provider the worker's config does not name. */
    if (list) {
        char *copy = strdup(list), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
            tok = trim_blanks(tok);
            if (*tok) {
                ok = add_provider(cprov, worker_props, tok, errstr, errstr_size);
            }
        }
        free(copy);
    }
    if (!ok) {
        config_provider_destroy(cprov);
        return NULL;
    }
    return cprov;
}

/* ---- resolving -------------------------------------------------------------------- */

/* One reference found in a value: the spans of its parts (not
 * NUL-terminated) and where the whole "${...}" starts and ends. */
typedef struct reference {
    const char *start, *end; /* end: one past the '}' */
    const char *provider, *path, *key;
    size_t provider_len, path_len, key_len;
} reference_t;

/* The first reference at or after `from`, as Kafka's pattern finds it;
 * false when there is none. */
static bool reference_next(const char *from, reference_t *ref)
{
    for (const char *p = strstr(from, "${"); p; p = strstr(p + 1, "${")) {
        const char *close = strchr(p + 2, '}');
        if (!close) {
            return false; /* no later "${" has a '}' after it either */
        }
        const char *c1 = memchr(p + 2, ':', (size_t)(close - (p + 2)));
        if (!c1) {
            continue;
        }
        const char *c2 = memchr(c1 + 1, ':', (size_t)(close - (c1 + 1)));
        ref->start = p;
        ref->end = close + 1;
        ref->provider = p + 2;
        ref->provider_len = (size_t)(c1 - (p + 2));
        ref->path = c1 + 1;
        ref->path_len = c2 ? (size_t)(c2 - (c1 + 1)) : 0;
        ref->key = c2 ? c2 + 1 : c1 + 1;
        ref->key_len = (size_t)(close - ref->key);
        return true;
    }
    return false;
}

bool config_provider_has_reference(const char *value)
{
    reference_t ref;
    return value && reference_next(value, &ref);
}

static const provider_t *provider_find(const config_provider_t *cprov, const reference_t *ref)
{
    for (size_t i = 0; i < cprov->n; i++) {
        const char *name = cprov->providers[i].name;
        if (strlen(name) == ref->provider_len && memcmp(name, ref->provider, ref->provider_len) == 0) {
            return &cprov->providers[i];
        }
    }
    return NULL;
}

/* Properties files read during one resolve call, so a file referenced by
 * several keys is read once (and gives them one consistent view). */
typedef struct file_cache {
    char **paths;
    properties_t **props; /* NULL: could not be read, why in errors[] */
    char **errors;
    size_t n;
} file_cache_t;

static void file_cache_free(file_cache_t *fc)
{
    for (size_t i = 0; i < fc->n; i++) {
        free(fc->paths[i]);
        properties_destroy(fc->props[i]);
        free(fc->errors[i]);
    }
    free(fc->paths);
    free(fc->props);
    free(fc->errors);
}

/*
 * The whole of the regular file `path` (opened as it is; `shown` is the
 * name errors give), at most PROVIDER_FILE_MAX bytes, NUL-terminated, its
 * length in *len.  Nothing here can block: a FIFO, a device or a directory
 * is refused by stat before it is opened and by fstat after (in case it
 * was swapped in between), the open is O_NONBLOCK so a FIFO that slips
 * through returns at once, and the read stops one byte past the limit.
 */
static char *read_bounded(const char *path, const char *shown, size_t *len, char *why, size_t why_size)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(why, why_size, "cannot read %s: %s", shown, strerror(errno));
        return NULL;
    }
    int fd = -1;
    if (S_ISREG(st.st_mode)) {
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) != 0) {
            snprintf(why, why_size, "cannot read %s: %s", shown, strerror(errno));
            if (fd >= 0) {
                close(fd);
            }
            return NULL;
        }
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "%s is not a regular file", shown);
    } else if (st.st_size > PROVIDER_FILE_MAX) {
        snprintf(why, why_size, "%s is larger than 1 MiB, the most a config provider reads", shown);
    }
    if (!S_ISREG(st.st_mode) || st.st_size > PROVIDER_FILE_MAX) {
        if (fd >= 0) {
            close(fd);
        }
        return NULL;
    }
    char *text = malloc(PROVIDER_FILE_MAX + 2);
    size_t got = 0;
    ssize_t n = 0;
    while (got <= PROVIDER_FILE_MAX && (n = read(fd, text + got, PROVIDER_FILE_MAX + 1 - got)) > 0) {
        got += (size_t)n;
    }
    int read_errno = errno;
    close(fd);
    if (n < 0) {
        snprintf(why, why_size, "cannot read %s: %s", shown, strerror(read_errno));
    } else if (got > PROVIDER_FILE_MAX) {
        snprintf(why, why_size, "%s is larger than 1 MiB, the most a config provider reads", shown); /* it grew */
    }
    if (n < 0 || got > PROVIDER_FILE_MAX) {
        free(text);
        return NULL;
    }
    text[got] = '\0';
    *len = got;
    return text;
}

/* The properties file `path` (what to open; `shown` for errors), parsed
 * once per resolve call; NULL with `why` (kept for later references). */
static const properties_t *file_cache_get(file_cache_t *fc, const char *path, const char *shown, const char **why)
{
    for (size_t i = 0; i < fc->n; i++) {
        if (strcmp(fc->paths[i], path) == 0) {
            *why = fc->errors[i];
            return fc->props[i];
        }
    }
    char err[1024];
    size_t len = 0;
    char *text = read_bounded(path, shown, &len, err, sizeof(err));
    properties_t *props = NULL;
    if (text) {
        char perr[512];
        props = properties_create();
        if (properties_parse(props, text, len, perr, sizeof(perr)) < 0) {
            snprintf(err, sizeof(err), "cannot read %s: %s", shown, perr);
            properties_destroy(props);
            props = NULL;
        }
        free(text);
    }
    fc->paths = realloc(fc->paths, (fc->n + 1) * sizeof(char *));
    fc->props = realloc(fc->props, (fc->n + 1) * sizeof(properties_t *));
    fc->errors = realloc(fc->errors, (fc->n + 1) * sizeof(char *));
    fc->paths[fc->n] = strdup(path);
    fc->props[fc->n] = props;
    fc->errors[fc->n] = props ? NULL : strdup(err);
    *why = fc->errors[fc->n];
    return fc->props[fc->n++];
}

/* The whole of a ${dir:...} file as a string: a config value cannot hold
 * a NUL byte. */
static char *read_small_file(const char *path, const char *shown, char *why, size_t why_size)
{
    size_t len = 0;
    char *text = read_bounded(path, shown, &len, why, why_size);
    if (text && strlen(text) != len) {
        snprintf(why, why_size, "%s holds a NUL byte; a config value cannot", shown);
        free(text);
        return NULL;
    }
    return text;
}

/*
 * The value of one reference to an enabled provider: malloc'd, or NULL
 * with `why` saying what is wrong (after "${...}" in the message).
 */
static char *provider_get(const provider_t *prov, const reference_t *ref, file_cache_t *fc, char *why,
                          size_t why_size)
{
    char *path = strndup(ref->path, ref->path_len), *key = strndup(ref->key, ref->key_len);
    char *value = NULL;
    switch (prov->kind) {
    case PROVIDER_ENV: {
        const char *v = getenv(key);
        if (path[0]) {
            snprintf(why, why_size, "the %s provider takes no path: write ${%s:VARIABLE}", prov->name, prov->name);
        } else if (prov->has_allowlist && regexec(&prov->allowlist, key, 0, NULL, 0) != 0) {
            snprintf(why, why_size,
                     "refers to an environment variable that config.providers.%s.param.allowlist.pattern does not "
                     "allow",
                     prov->name);
        } else if (!v) {
            snprintf(why, why_size, "refers to an environment variable that is not set");
        } else {
            value = strdup(v);
        }
        break;
    }
    case PROVIDER_FILE: {
        const char *err = NULL;
        const properties_t *props;
        char *open_path = NULL;
        if (!path[0]) {
            snprintf(why, why_size,
                     "names no key of a file: write ${%s:/path/to/file.properties:key} (${dir:/path:file} reads a "
                     "whole file)",
                     prov->name);
        } else if (!path_check(prov, path, &open_path, why, why_size)) {
            /* why says it */
        } else if (!(props = file_cache_get(fc, open_path, path, &err))) {
            snprintf(why, why_size, "%s", err);
        } else if (!properties_get(props, key)) {
            snprintf(why, why_size, "%s has no key '%s'", path, key);
        } else {
            value = strdup(properties_get(props, key));
        }
        free(open_path);
        break;
    }
    case PROVIDER_DIR: {
        if (!path[0]) {
            snprintf(why, why_size, "names no directory: write ${%s:/path/to/dir:file}", prov->name);
        } else if (!key[0] || strchr(key, '/') || strcmp(key, ".") == 0 || strcmp(key, "..") == 0) {
            snprintf(why, why_size, "'%s' is not the name of a file in %s", key, path);
        } else {
            /* The file itself is checked, so a symlink in the directory cannot lead out of allowed.paths. */
            char *file = malloc(strlen(path) + strlen(key) + 2), *open_path = NULL;
            sprintf(file, "%s/%s", path, key);
            if (path_check(prov, file, &open_path, why, why_size)) {
                value = read_small_file(open_path, file, why, why_size);
            }
            free(open_path);
            free(file);
        }
        break;
    }
    }
    free(path);
    free(key);
    return value;
}

/* `value` with its references replaced (malloc'd), or NULL with errstr. */
static char *resolve_value(const config_provider_t *cprov, const char *key, const char *value, file_cache_t *fc,
                           char *errstr, size_t errstr_size)
{
    strbuf_t out = {0};
    sb_append(&out, "", 0);
    const char *done = value;
    reference_t ref;
    for (const char *from = value; reference_next(from, &ref); from = ref.end) {
        const provider_t *prov = provider_find(cprov, &ref);
        if (!prov) {
            continue; /* Kafka leaves it as written */
        }
        char why[1024];
        char *v = provider_get(prov, &ref, fc, why, sizeof(why));
        if (!v) {
            snprintf(errstr, errstr_size, "%s: %.*s %s", key, (int)(ref.end - ref.start), ref.start, why);
            free(out.p);
            return NULL;
        }
        sb_append(&out, done, (size_t)(ref.start - done));
        sb_append(&out, v, strlen(v));
        free(v);
        done = ref.end;
    }
    sb_append(&out, done, strlen(done));
    return out.p;
}

properties_t *config_provider_resolve(const config_provider_t *cprov, const properties_t *config, char *errstr,
                                      size_t errstr_size)
{
    properties_t *resolved = properties_create();
    file_cache_t fc = {0};
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i), *value = properties_value_at(config, i);
        char *v = resolve_value(cprov, key, value, &fc, errstr, errstr_size);
        if (!v) {
            properties_destroy(resolved);
            resolved = NULL;
            break;
        }
        properties_set(resolved, key, v);
        free(v);
    }
    file_cache_free(&fc);
    return resolved;
}

void config_provider_reverse(const properties_t *raw, const properties_t *resolved, properties_t *task_config)
{
    for (size_t i = 0; i < properties_count(raw); i++) {
        const char *key = properties_key_at(raw, i), *raw_value = properties_value_at(raw, i);
        if (!config_provider_has_reference(raw_value)) {
            continue;
        }
        const char *task_value = properties_get(task_config, key);
        const char *resolved_value = properties_get(resolved, key);
        if (task_value && resolved_value && strcmp(task_value, resolved_value) == 0) {
            properties_set(task_config, key, raw_value);
        }
    }
}
