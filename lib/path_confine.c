/* path_confine.c - confining a path to directories; see path_confine.h. */
#include "path_confine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *path_confine_resolve(const char *path)
{
    char *real = realpath(path, NULL);
    if (real || errno != ENOENT) {
        return real;
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        /* It exists now.  Either it was made since realpath looked (a
         * source's file written just after the connector was created), so
         * look again; or it is a link to a missing file, refused. */
        real = realpath(path, NULL);
        if (real || errno != ENOENT) {
            return real;
        }
        if (S_ISLNK(st.st_mode)) {
            errno = ELOOP;
            return NULL;
        }
        /* Gone again: judged as missing, below. */
    }
    /* Split off the last name, trailing slashes aside. */
    char *dir = strdup(path);
    if (!dir) {
        return NULL;
    }
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') {
        dir[--len] = '\0';
    }
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : dir;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        /* What ".." means under a directory that does not exist is not
         * for us to guess. */
        free(dir);
        errno = EINVAL;
        return NULL;
    }
    char *base_copy = strdup(base);
    if (slash == dir) {
        dir[1] = '\0'; /* "/name" */
    } else if (slash) {
        *slash = '\0';
    } else {
        strcpy(dir, ".");
    }
    char *parent = base_copy ? path_confine_resolve(dir) : NULL;
    char *joined = NULL;
    if (parent) {
        size_t size = strlen(parent) + strlen(base_copy) + 2;
        joined = malloc(size);
        if (joined) {
            snprintf(joined, size, "%s%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/", base_copy);
        }
    }
    int saved = errno;
    free(parent);
    free(base_copy);
    free(dir);
    errno = saved;
    return joined;
}

/* Whether resolved `real` is strictly inside resolved directory `top`. */
static bool inside(const char *real, const char *top)
{
    size_t len = strlen(top);
    if (strcmp(top, "/") == 0) {
        return strcmp(real, "/") != 0;
    }
    return strncmp(real, top, len) == 0 && real[len] == '/';
}

bool path_confine_allowed(const char *path, const char *allowed)
{
    if (!path || !allowed) {
        return false;
    }
    char *real = path_confine_resolve(path);
    char *list = real ? strdup(allowed) : NULL;
    bool ok = false;
    char *save = NULL;
    for (char *item = list ? strtok_r(list, ",", &save) : NULL; item && !ok; item = strtok_r(NULL, ",", &save)) {
        item += strspn(item, " \t");
        size_t len = strlen(item);
        while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t')) {
            item[--len] = '\0';
        }
        if (!*item) {
            continue;
        }
        char *top = path_confine_resolve(item);
        ok = top && inside(real, top);
        free(top);
    }
    free(list);
    free(real);
    return ok;
}
