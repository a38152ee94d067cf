/*
 * line_reader.h - splits a byte stream into lines and says, for each line,
 * the byte position just after its terminator.
 *
 * Pure: no I/O, no host calls, so every edge is unit-testable
 * (tests/unit/test_line_reader.c).  The file source feeds it what read()
 * returned and turns each line into a record whose source offset is the
 * line's end position; resuming at that position with lseek() continues
 * exactly at the next line, whatever the text's encoding.
 *
 * Terminators are Kafka's (BufferedReader.readLine): "\n", "\r\n" or a lone
 * "\r".  A "\r" that is the last byte fed so far is not yet a terminator:
 * it waits for the next byte to tell "\r" from "\r\n".  Bytes after the last
 * terminator are kept until their terminator arrives.  Lines may be of any
 * length; the buffer grows.
 *
 * Example, fed "ab\r" then "\ncd\re":
 *   after the first feed:  nothing (the "\r" may start "\r\n")
 *   after the second feed: "ab" ending at 4, "cd" ending at 7; "e" waits.
 */
#ifndef CONNECTD_FILE_LINE_READER_H
#define CONNECTD_FILE_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct line_reader line_reader_t;

/* A reader whose first byte is at stream position `pos`; NULL if out of
 * memory. */
line_reader_t *line_reader_create(int64_t pos);
void line_reader_destroy(line_reader_t *lr); /* NULL is fine */

/* Appends `len` bytes (copied).  Returns 0, or -1 if out of memory (the
 * reader is unchanged). */
int line_reader_feed(line_reader_t *lr, const void *data, size_t len);

/* The next complete line, without its terminator: *line (borrowed until the
 * next feed, reset or destroy; not NUL-terminated), *len, and *end, the
 * position after the terminator.  False when no complete line is buffered. */
bool line_reader_next(line_reader_t *lr, const char **line, size_t *len, int64_t *end);

/* The buffered bytes that do not form a complete line yet, as a last line
 * for a stream that will not grow (stdin at EOF, a rotated-away file): a
 * pending "\r" counts as its terminator.  False if nothing is buffered.
 * Borrowed as line_reader_next; the reader is empty afterwards. */
bool line_reader_finish(line_reader_t *lr, const char **line, size_t *len, int64_t *end);

/* Drops everything buffered and starts again at stream position `pos`. */
void line_reader_reset(line_reader_t *lr, int64_t pos);

/* The position after the last byte fed: where the next read starts. */
int64_t line_reader_fed_position(const line_reader_t *lr);

#endif
