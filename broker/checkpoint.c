/* checkpoint.c - Kafka's offset checkpoint file format; see checkpoint.h. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void checkpoint_add(checkpoint_t *ckpt, const char *topic, int32_t partition, int64_t offset)
{
    if (ckpt->count == ckpt->cap) {
        ckpt->cap = ckpt->cap ? ckpt->cap * 2 : 16;
        ckpt->entries = realloc(ckpt->entries, ckpt->cap * sizeof(checkpoint_entry_t));
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

int64_t checkpoint_get(const checkpoint_t *ckpt, const char *topic, int32_t partition, int64_t fallback)
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

int checkpoint_read(const char *path, checkpoint_t *ckpt, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) {
            return 0;
        }
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0;
    long long expected = -1;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char topic[256], extra;
        int partition;
        long long offset;
        bool ok;
        if (lineno == 1) {
            ok = strcmp(line, "0") == 0;
        } else if (lineno == 2) {
            ok = sscanf(line, "%lld%c", &expected, &extra) == 1 && expected >= 0;
        } else {
            ok = sscanf(line, "%255s %d %lld%c", topic, &partition, &offset, &extra) == 3 && partition >= 0;
            if (ok) {
                checkpoint_add(ckpt, topic, partition, offset);
            }
        }
        if (!ok) {
            fclose(f);
            snprintf(errstr, errstr_size,
                     "%s: line %d is malformed ('%s'); remove the file to make recovery re-read every log",
                     path, lineno, line);
            return -1;
        }
    }
    fclose(f);
    if (lineno > 0 && expected != (long long)ckpt->count) {
        snprintf(errstr, errstr_size, "%s: says %lld entries but has %zu; remove the file to make recovery "
                 "re-read every log", path, expected, ckpt->count);
        return -1;
    }
    return 0;
}

int checkpoint_write(const char *path, const checkpoint_t *ckpt, char *errstr, size_t errstr_size)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(errstr, errstr_size, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    fprintf(f, "0\n%zu\n", ckpt->count);
    for (size_t i = 0; i < ckpt->count; i++) {
        fprintf(f, "%s %d %lld\n", ckpt->entries[i].topic, ckpt->entries[i].partition,
                (long long)ckpt->entries[i].offset);
    }
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) < 0) {
        snprintf(errstr, errstr_size, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s", path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}
