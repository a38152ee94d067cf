/*
 * line_reader.c - the byte-exact line splitter (see line_reader.h).
 *
 * The buffer holds buf[head, tail): bytes fed but not yet returned as a
 * line.  `base` is the stream position of buf[0], so a byte's position is
 * base + its index.  `scan` is where the terminator search resumes, so a
 * long line arriving in many small feeds is scanned once, not once per feed.
 * Space is made by first sliding the unread bytes to the front, then
 * doubling.
 */
#include "line_reader.h"

#include <stdlib.h>
#include <string.h>

#define LINE_READER_MIN_CAP 4096

struct line_reader {
    char *buf;
    size_t cap;
    size_t head, scan, tail;
    int64_t base;
};

line_reader_t *line_reader_create(int64_t pos)
{
    line_reader_t *lr = calloc(1, sizeof(*lr));
    if (lr != NULL) {
        lr->base = pos;
    }
    return lr;
}

void line_reader_destroy(line_reader_t *lr)
{
    if (lr != NULL) {
        free(lr->buf);
        free(lr);
    }
}

int line_reader_feed(line_reader_t *lr, const void *data, size_t len)
{
    if (lr->cap - lr->tail < len && lr->head > 0) {
        memmove(lr->buf, lr->buf + lr->head, lr->tail - lr->head);
        lr->base += (int64_t)lr->head;
        lr->scan -= lr->head;
        lr->tail -= lr->head;
        lr->head = 0;
    }
    if (lr->cap - lr->tail < len) {
        size_t cap = lr->cap ? lr->cap : LINE_READER_MIN_CAP;
        while (cap - lr->tail < len) {
            if (cap > SIZE_MAX / 2) {
                return -1;
            }
            cap *= 2;
        }
        char *buf = realloc(lr->buf, cap);
        if (buf == NULL) {
            return -1;
        }
        lr->buf = buf;
        lr->cap = cap;
    }
    if (len > 0) {
        memcpy(lr->buf + lr->tail, data, len);
        lr->tail += len;
    }
    return 0;
}

bool line_reader_next(line_reader_t *lr, const char **line, size_t *len, int64_t *end)
{
    size_t i = lr->scan;
    size_t term = 0;
    for (; i < lr->tail; i++) {
        if (lr->buf[i] == '\n') {
            term = 1;
            break;
        }
        if (lr->buf[i] == '\r') {
            if (i + 1 == lr->tail) {
                break; /* "\r" or "\r\n": the next byte decides */
            }
            term = lr->buf[i + 1] == '\n' ? 2 : 1;
            break;
        }
    }
    if (term == 0) {
        lr->scan = i;
        return false;
    }
    *line = lr->buf + lr->head;
    *len = i - lr->head;
    lr->head = lr->scan = i + term;
    *end = lr->base + (int64_t)lr->head;
    return true;
}

bool line_reader_finish(line_reader_t *lr, const char **line, size_t *len, int64_t *end)
{
    if (lr->head == lr->tail) {
        return false;
    }
    *line = lr->buf + lr->head;
    *len = lr->tail - lr->head;
    if (lr->buf[lr->tail - 1] == '\r') {
        (*len)--; /* the pending "\r" ends the line after all */
    }
    lr->head = lr->scan = lr->tail;
    *end = lr->base + (int64_t)lr->tail;
    return true;
}

void line_reader_reset(line_reader_t *lr, int64_t pos)
{
    lr->head = lr->scan = lr->tail = 0;
    lr->base = pos;
}

int64_t line_reader_fed_position(const line_reader_t *lr)
{
    return lr->base + (int64_t)lr->tail;
}
