/*
 * blog.h - the broker's log lines, on stderr:
 *   [2026-11-21 17:40:01,123] INFO closing connection from 127.0.0.1:5344: ...
 * The format follows Kafka's log4j pattern so operators' habits carry over.
 * Thread-safe (one fprintf per line).
 */
#ifndef CONNECTD_BLOG_H
#define CONNECTD_BLOG_H

#include <stdio.h>

typedef enum blog_level {
    BLOG_DEBUG,
    BLOG_INFO,
    BLOG_WARN,
    BLOG_ERROR,
} blog_level_t;

void blog_set_level(blog_level_t level);
/* Sends the lines to `out` instead (NULL: back to stderr), so a test can
 * read them while sanitizer reports still reach stderr.  Call it while no
 * other thread logs. */
void blog_set_output(FILE *out);
void blog_write(blog_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define blog_debug(...) blog_write(BLOG_DEBUG, __VA_ARGS__)
#define blog_info(...) blog_write(BLOG_INFO, __VA_ARGS__)
#define blog_warn(...) blog_write(BLOG_WARN, __VA_ARGS__)
#define blog_error(...) blog_write(BLOG_ERROR, __VA_ARGS__)

#endif
