/*
 * blog_log4j.h - logger levels from the log4j keys of a properties file.
 *
 * Kafka sets its loggers' levels in a log4j.properties file; connectd's
 * commands take the same keys in their own properties file (the worker
 * file, a `connectd broker` file), so an operator's lines carry over:
 *
 *   log4j.rootLogger=WARN, stdout
 *   log4j.logger.connectd.broker.coordinator=DEBUG
 *
 * The level comes first; log4j's appender names after a comma are ignored,
 * stderr being connectd's one appender.  Any logger name blog takes goes.
 */
#ifndef CONNECTD_BLOG_LOG4J_H
#define CONNECTD_BLOG_LOG4J_H

#include <stdbool.h>
#include <stddef.h>

#include "blog.h"
#include "properties.h"

#define BLOG_LOG4J_ROOT_KEY "log4j.rootLogger"
#define BLOG_LOG4J_LOGGER_PREFIX "log4j.logger."

/* Whether `key` is log4j.rootLogger or a log4j.logger.<name> key. */
bool blog_log4j_is_key(const char *key);

/* The level of a log4j setting ("DEBUG" or "DEBUG, stdout"), its upper-case
 * form into `canonical`; false when it is not a level. */
bool blog_log4j_level(const char *value, char canonical[BLOG_LEVEL_NAME_MAX]);

/* Checks every log4j key of `props`: a level each, and a logger name blog
 * takes after log4j.logger.  False with errstr naming the key
 * ("log4j.logger.connectd.worker: 'LOUD' is not a level: ..."). */
bool blog_log4j_check(const properties_t *props, char *errstr, size_t errstr_size);

/* Gives the loggers the levels of `props`' log4j keys (checked by
 * blog_log4j_check) as a log4j file does: root first, then parents before
 * their children whatever the order in the file, so a parent's level never
 * covers a child's own.  Call once, at start. */
void blog_log4j_apply(const properties_t *props);

#endif
