/*
 * properties.h - Java .properties files, as Kafka and Kafka Connect read them.
 *
 * Syntax (java.util.Properties.load): one `key=value`, `key: value` or
 * `key value` per logical line; `#` or `!` starts a comment line; a line
 * ending in an odd number of backslashes continues on the next line (leading
 * whitespace of the continuation is dropped); escapes \t \n \r \f \\ \uXXXX
 * (written out as UTF-8) and `\x` = `x` otherwise; whitespace around the
 * separator is ignored; a later duplicate key replaces the earlier value.
 *
 * Unlike Java, a malformed \u escape is an error with its line number rather
 * than an exception, and the file must be valid UTF-8 / ASCII text.
 */
#ifndef CONNECTD_PROPERTIES_H
#define CONNECTD_PROPERTIES_H

#include <stddef.h>

typedef struct properties properties_t;

properties_t *properties_create(void);
void properties_destroy(properties_t *props); /* NULL is fine */

/* Parses `text` (len bytes, need not be NUL-terminated) into props.  On a
 * syntax error returns -1 with errstr like "line 7: invalid \\u escape". */
int properties_parse(properties_t *props, const char *text, size_t len, char *errstr,
                     size_t errstr_size);

/* Reads and parses a file; errors name the path ("etc/x.properties: line 3: ..."
 * or "etc/x.properties: No such file or directory"). */
int properties_load_file(properties_t *props, const char *path, char *errstr, size_t errstr_size);

/* Sets or replaces a key (copies both strings). */
void properties_set(properties_t *props, const char *key, const char *value);

/* Parses a "key=value" command-line override (--override); -1 if there is no '='. */
int properties_set_override(properties_t *props, const char *kv, char *errstr, size_t errstr_size);

/* Borrowed until the key is replaced or props destroyed; NULL if absent. */
const char *properties_get(const properties_t *props, const char *key);

/* Iteration in insertion order (a replaced key keeps its first position). */
size_t properties_count(const properties_t *props);
const char *properties_key_at(const properties_t *props, size_t i);
const char *properties_value_at(const properties_t *props, size_t i);

#endif
