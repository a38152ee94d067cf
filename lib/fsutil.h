/*
 * fsutil.h - the few file-system and clock helpers the broker's storage
 * files share, so each is written (and fixed) once.
 */
#ifndef CONNECTD_FSUTIL_H
#define CONNECTD_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* mkdir -p; 0 or -1 with errno. */
int fs_mkdir_p(const char *path);

/* rm -rf; 0, or -1 with errno from the first failure (ENOENT is success). */
int fs_rm_rf(const char *path);

/* Replaces dir/name with `len` bytes atomically: a temp file in the same
 * directory, fsync, rename, fsync of the directory.  0 or -1 with errno;
 * on failure the old file is untouched. */
int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len);

/* fs_write_atomic with the file's mode: 0600 for secrets such as SCRAM
 * credentials (fs_write_atomic's files are 0644). */
int fs_write_atomic_mode(const char *dir, const char *name, const void *data, size_t len, mode_t mode);

/* Writes `len` bytes at `pos`, retrying short writes and EINTR; false with
 * errno set on failure (EIO for a write that makes no progress).  Segments
 * and index files write through it. */
bool fs_write_at(int fd, const uint8_t *data, size_t len, int64_t pos);

#endif
