/*
 * jdbc_plugin.h - what the parts of connectd-jdbc.so share: the host
 * table and the connectors' descriptors, which jdbc_plugin.c lists.
 */
#ifndef CONNECTD_JDBC_PLUGIN_H
#define CONNECTD_JDBC_PLUGIN_H

#include <connectd/plugin.h>

#ifndef JDBC_PLUGIN_VERSION
#define JDBC_PLUGIN_VERSION "0.0.0"
#endif

/* Set once by cd_plugin_entry before any callback runs; read-only after. */
extern const cd_host_api_t *jdbc_host;

/* io.confluent.connect.jdbc.JdbcSourceConnector (jdbc_source.c) */
extern const cd_plugin_desc_t jdbc_source_desc;
/* io.confluent.connect.jdbc.JdbcSinkConnector (jdbc_sink.c) */
extern const cd_plugin_desc_t jdbc_sink_desc;

#endif
