/*
 * path_confine.h - whether a path, as open() would follow it, stays inside
 * a list of directories.  The worker judges the file connectors' `file`
 * setting with it, and the file plugin (which compiles this file into
 * itself) judges the same path again before it opens it, so a connector
 * config stored before the worker was confined cannot reach outside either.
 *
 * The path is resolved first: every symbolic link and ".." followed
 * (realpath).  A file that does not exist yet (a sink's, or a source's
 * waiting to be created) is judged by its deepest existing directory,
 * resolved, with the rest of the name appended; the rest may hold no "."
 * or "..", and a symbolic link whose target does not exist is refused,
 * since open(O_CREAT) would create that target wherever it points.
 */
#ifndef CONNECTD_PATH_CONFINE_H
#define CONNECTD_PATH_CONFINE_H

#include <stdbool.h>
#include <stddef.h>

/* The worker setting listing the directories, and the key under which the
 * worker hands its value to the file connectors' tasks (a task config key
 * the worker sets itself; a connector config may not set it). */
#define PATH_CONFINE_CONFIG "file.connectors.allowed.paths"

/* `path` resolved as above, malloc()ed; NULL with errno set when it cannot
 * be (EINVAL: "." or ".." after a missing directory; ELOOP: a symbolic link
 * to a missing file; else realpath's errno). */
char *path_confine_resolve(const char *path);

/* Whether `path` resolves to a name strictly inside one of the directories
 * of `allowed`, a comma-separated list (blanks around items ignored; each
 * directory resolved the same way, so it may be a symbolic link or not
 * exist yet; "/" allows every path).  NULL or an empty list allows none.
 * Borrowed for the call.
 * @locality any thread
 * @locks none */
bool path_confine_allowed(const char *path, const char *allowed);

#endif
