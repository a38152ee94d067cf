/*
 * checkpoint.c - Kafka's offset checkpoint file format; see checkpoint.h.
 *
 * Reading follows Kafka's CheckpointFile: an empty file is an empty
 * checkpoint, the version must be 0, the entry count must match the lines
 * that follow, and fields are separated by whitespace.  Anything else is an
 * error rather than a guess, because a wrong recovery point would make
 * recovery trust unflushed data; the message tells the operator that
 * deleting the file is safe (recovery then re-reads every log).
 */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

#define CHECKPOINT_VERSION 0

void checkpoint_add(checkpoint_t *ckpt, const char *topic, int32_t partition, int64_t offset)
{
    if (ckpt->count == ckpt->cap) {
        ckpt->cap = ckpt->cap ? ckpt->cap * 2 : 16;
        ckpt->entries = realloc(ckpt->entries, ckpt->cap * sizeof(*ckpt->entries));
        if (!ckpt->entries) {
            abort();
        }
    }
    char *copy = strdup(topic);
    if (!copy) {
        abort();
    }
    ckpt->entries[ckpt->count++] = (checkpoint_entry_t){copy, partition, offset};
}

int64_t checkpoint_get(const checkpoint_t *ckpt, const char *topic, int32_t partition,
                       int64_t fallback)
{
    for (size_t i = 0; i < ckpt->count; i++) {
        if (ckpt->entries[i].partition == partition && strcmp(ckpt->entries[i].topic, topic) == 0) {
            return ckpt->entries[i].offset;
        }
    }
    return fallback;
}

void checkpoint_free(checkpoint_t *ckpt)
{
    for (size_t i = 0; i < ckpt->count; i++) {
        free(ckpt->entries[i].topic);
    }
    free(ckpt->entries);
    ckpt->entries = NULL;
    ckpt->count = ckpt->cap = 0;
}

/* ---- reading -------------------------------------------------------------- */

static bool parse_i64(const char *s, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0) {
        return false;
    }
    *v = x;
    return true;
}

/* Splits a line (modified in place) into exactly `n` whitespace-separated
 * fields. */
static bool split_fields(char *line, char **fields, size_t n)
{
    char *save = NULL;
    char *tok = strtok_r(line, " \t", &save);
    for (size_t i = 0; i < n; i++) {
        if (!tok) {
            return false;
        }
        fields[i] = tok;
        tok = strtok_r(NULL, " \t", &save);
    }
    return tok == NULL;
}

/* Parses one line; `line` is modified. */
static bool parse_line(char *line, int lineno, int64_t *expected, checkpoint_t *ckpt)
{
    char *f[3];
    int64_t partition, offset;
    switch (lineno) {
    case 1:
        return split_fields(line, f, 1) && parse_i64(f[0], &offset) && offset == CHECKPOINT_VERSION;
    case 2:
        return split_fields(line, f, 1) && parse_i64(f[0], expected) && *expected >= 0;
    default:
        if (!split_fields(line, f, 3) || !parse_i64(f[1], &partition) || partition < 0 ||
            partition > INT32_MAX || !parse_i64(f[2], &offset)) {
            return false;
        }
        checkpoint_add(ckpt, f[0], (int32_t)partition, offset);
        return true;
    }
}

/* Reads every line of `f` into `ckpt`; -1 with errstr at the first bad one. */
static int read_lines(FILE *f, const char *path, checkpoint_t *ckpt, char *errstr,
                      size_t errstr_size)
{
    char *line = NULL, *copy = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;
    int64_t expected = 0;
    ssize_t len;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        free(copy);
        copy = strdup(line); /* parse_line cuts `line` up; the message quotes it whole */
        if (!copy) {
            abort();
        }
        if (!parse_line(line, lineno, &expected, ckpt)) {
            snprintf(errstr, errstr_size, "%s: line %d is malformed ('%.80s'); expected %s. Delete "
                     "the file to make recovery re-read every log", path, lineno, copy,
                     lineno == 1 ? "version 0" : lineno == 2 ? "an entry count"
                                                             : "'<topic> <partition> <offset>'");
            rc = -1;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(errstr, errstr_size, "cannot read %s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && lineno > 0 && expected != (int64_t)ckpt->count) {
        snprintf(errstr, errstr_size, "%s: says %" PRId64 " entries but has %zu. Delete the file to "
                 "make recovery re-read every log", path, expected, ckpt->count);
        rc = -1;
    }
    free(copy);
    free(line);
    return rc;
}

int checkpoint_read(const char *path, checkpoint_t *ckpt, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT) {
            return 0;
        }
        snprintf(errstr, errstr_size, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = read_lines(f, path, ckpt, errstr, errstr_size);
    fclose(f);
    if (rc < 0) {
        checkpoint_free(ckpt);
    }
    return rc;
}

/* ---- writing -------------------------------------------------------------- */

int checkpoint_write(const char *path, const checkpoint_t *ckpt, char *errstr, size_t errstr_size)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        abort();
    }
    fprintf(f, "%d\n%zu\n", CHECKPOINT_VERSION, ckpt->count);
    for (size_t i = 0; i < ckpt->count; i++) {
        fprintf(f, "%s %" PRId32 " %" PRId64 "\n", ckpt->entries[i].topic, ckpt->entries[i].partition,
                ckpt->entries[i].offset);
    }
    fclose(f);
    /* Split path into directory and file name for the atomic replace. */
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    int rc = fs_write_atomic(dir, slash ? slash + 1 : path, text, len);
    if (rc < 0) {
        snprintf(errstr, errstr_size, "cannot write %s: %s; check free space in the log dir", path,
                 strerror(errno));
    }
    free(text);
    return rc;
}
