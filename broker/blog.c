/* blog.c - timestamped log lines on stderr; see blog.h. */
#include "blog.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static blog_level_t min_level = BLOG_INFO;
static FILE *output; /* NULL: stderr */

void blog_set_level(blog_level_t level)
{
    min_level = level;
}

void blog_set_output(FILE *out)
{
    output = out;
}

void blog_write(blog_level_t level, const char *fmt, ...)
{
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (level < min_level) {
        return;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(output ? output : stderr, "[%s,%03d] %s %s\n", stamp, (int)(tv.tv_usec / 1000), names[level], msg);
}
