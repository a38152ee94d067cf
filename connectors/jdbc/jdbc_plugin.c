/*
 * jdbc_plugin.c - connectd-jdbc.so: Confluent's JDBC source and sink
 * connectors for PostgreSQL, answering to Confluent's class names and
 * settings, so a kafka-connect-jdbc config, POSTed as it is, works here
 * (docs/connectors/jdbc.md).  Built on the public plugin ABI and libpq.
 *
 * The parts:
 *   jdbc_url.c      pgJDBC's connection URL read as libpq keywords
 *   jdbc_conn.c     the connection settings both connectors share
 *   jdbc_source*.c  JdbcSourceConnector: tables or a query polled by mode
 *   jdbc_sink*.c    JdbcSinkConnector: topics written into tables
 * and, shared with the CDC connector, connectors/pgcommon/: connecting
 * (pgc_conn.c), SQL with quoted identifiers (pgc_sql.c) and the mapping of
 * PostgreSQL types to Connect.
 */
#include "jdbc_plugin.h"

#include <stddef.h>

const cd_host_api_t *jdbc_host;

/* One line each, added with its connector's files. */
static const cd_plugin_desc_t *const jdbc_connectors[] = {
    /* JdbcSourceConnector (jdbc_source.c) */
    &jdbc_source_desc,
    /* JdbcSinkConnector (jdbc_sink.c) */
    &jdbc_sink_desc,

    NULL,
};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    /* Every function used is in ABI 1.0 (record_reject is its last); the
     * ABI 1.3 ones (progress_set, metric_set) are checked where called. */
    size_t needed = offsetof(cd_host_api_t, record_reject) + sizeof(host->record_reject);
    if (host->abi_major != CD_ABI_MAJOR || host->struct_size < needed) {
        return NULL;
    }
    jdbc_host = host;
    return jdbc_connectors;
}
