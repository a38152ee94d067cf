/*
 * es_config.c - the settings of the Elasticsearch sink, under Confluent's
 * names and with Confluent's defaults and validation messages
 * (ElasticsearchSinkConnectorConfig and Validator), so a Confluent
 * connector config works unchanged.  Where we differ, the row's doc says
 * so, and docs/connectors/elasticsearch.md lists every difference:
 *
 *   connection.api.key      ours: API-key authentication;
 *   type.name               Confluent's releases before 11 had it; here it
 *                           names the mapping type for servers before 7;
 *   elastic.https.ssl.*     PEM files and PKCS#12 key stores (libcurl with
 *                           OpenSSL); Java's JKS is refused with a hint;
 *   kerberos.*, external.resource.usage
 *                           not implemented: refused when set, never
 *                           silently ignored, since both change where or
 *                           how documents are written.
 */
#include "es_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- row validators ------------------------------------------------------------ */

/* Kafka's CaseInsensitiveValidString, for Confluent's enum settings. */
static int one_of(const char *value, const char *const *names, char *errbuf, size_t errlen)
{
    for (const char *const *n = names; *n; n++) {
        if (value && strcasecmp(value, *n) == 0) {
            return 0;
        }
    }
    size_t len = (size_t)snprintf(errbuf, errlen, "String must be one of (case insensitive): ");
    for (const char *const *n = names; *n && len < errlen; n++) {
        len += (size_t)snprintf(errbuf + len, errlen - len, "%s%s", n == names ? "" : ", ", *n);
    }
    return 1;
}

static const char *const null_names[] = {"IGNORE", "DELETE", "FAIL", NULL};
static const char *const malformed_names[] = {"IGNORE", "WARN", "FAIL", NULL};
static const char *const write_names[] = {"INSERT", "UPSERT", NULL};
static const char *const stream_names[] = {"LOGS", "METRICS", "NONE", NULL};
static const char *const protocol_names[] = {"PLAINTEXT", "SSL", NULL};
static const char *const resource_names[] = {"INDEX",    "DATASTREAM", "ALIAS_INDEX", "ALIAS_DATASTREAM",
                                             "DISABLED", NULL};
static const char *const store_names[] = {"PEM", "PKCS12", "JKS", NULL};

#define ENUM_VALIDATOR(fn, names)                                 \
    static int fn(const char *value, char *errbuf, size_t errlen) \
    {                                                             \
        return one_of(value, names, errbuf, errlen);              \
    }
ENUM_VALIDATOR(validate_null, null_names)
ENUM_VALIDATOR(validate_malformed, malformed_names)
ENUM_VALIDATOR(validate_write, write_names)
ENUM_VALIDATOR(validate_stream_type, stream_names)
ENUM_VALIDATOR(validate_protocol, protocol_names)
ENUM_VALIDATOR(validate_resource, resource_names)

static int validate_store_type(const char *value, char *errbuf, size_t errlen)
{
    return value && value[0] ? one_of(value, store_names, errbuf, errlen) : 0;
}

/* Splits a comma-separated list, items trimmed, empty items dropped. */
static size_t list_split(const char *value, char ***items)
{
    *items = NULL;
    size_t n = 0;
    char *copy = strdup(value ? value : "");
    for (char *save = NULL, *it = strtok_r(copy, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*it)) {
            it++;
        }
        size_t len = strlen(it);
        while (len > 0 && isspace((unsigned char)it[len - 1])) {
            it[--len] = '\0';
        }
        if (len) {
            *items = realloc(*items, (n + 1) * sizeof(**items));
            (*items)[n++] = strdup(it);
        }
    }
    free(copy);
    return n;
}

static void list_free(size_t n, char **items)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i]);
    }
    free(items);
}

/* One URL: [http[s]://]host[:port][/path], as java.net.URI would take it;
 * returns it with its scheme and without a trailing '/', or NULL. */
static char *url_normalize(const char *url)
{
    const char *rest = url;
    const char *scheme = "http://";
    if (strncasecmp(url, "http://", 7) == 0) {
        rest = url + 7;
    } else if (strncasecmp(url, "https://", 8) == 0) {
        rest = url + 8;
        scheme = "https://";
    } else if (strstr(url, "://")) {
        return NULL; /* another scheme */
    }
    if (!rest[0] || rest[0] == '/' || rest[0] == ':') {
        return NULL;
    }
    for (const char *p = rest; *p; p++) {
        if (isspace((unsigned char)*p) || *p == '"' || *p == '<' || *p == '>' || *p == '\\' || *p == '`') {
            return NULL;
        }
    }
    size_t len = strlen(scheme) + strlen(rest);
    char *out = malloc(len + 1);
    snprintf(out, len + 1, "%s%s", scheme, rest);
    while (len > strlen(scheme) && out[len - 1] == '/') {
        out[--len] = '\0';
    }
    return out;
}

static int validate_urls(const char *value, char *errbuf, size_t errlen)
{
    char **urls;
    size_t n = list_split(value, &urls);
    int rc = 0;
    if (n == 0) {
        snprintf(errbuf, errlen, "The config must be provided and non-null.");
        rc = 1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *u = url_normalize(urls[i]);
        if (!u) {
            snprintf(errbuf, errlen, "The provided url '%s' is not a valid url.", urls[i]);
            rc = 1;
        }
        free(u);
    }
    list_free(n, urls);
    return rc;
}

/* Confluent's DataStreamDatasetValidator and DataStreamNamespaceValidator. */
static int stream_part(const char *what, const char *value, char *errbuf, size_t errlen)
{
    if (!value) {
        return 0;
    }
    if (strlen(value) > 100) {
        snprintf(errbuf, errlen, "The specified %s must be no longer than 100 characters.", what);
        return 1;
    }
    for (const char *p = value; *p; p++) {
        if (isupper((unsigned char)*p)) {
            snprintf(errbuf, errlen, "The specified %s must be in all lowercase.", what);
            return 1;
        }
    }
    if (strpbrk(value, "\\/*?\"<>| ,#-:")) {
        snprintf(errbuf, errlen,
                 "The specified %s must not contain any spaces or invalid characters \\/*?\"<>|,#-:", what);
        return 1;
    }
    return 0;
}

static int validate_dataset(const char *value, char *errbuf, size_t errlen)
{
    return stream_part("dataset", value, errbuf, errlen);
}

static int validate_namespace(const char *value, char *errbuf, size_t errlen)
{
    /* ${topic} stands for the (lowercased) topic, checked when it is known. */
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", value ? value : "");
    char *t;
    while ((t = strstr(buf, "${topic}")) != NULL) {
        memmove(t + 1, t + 8, strlen(t + 8) + 1);
        *t = 't';
    }
    return stream_part("namespace", buf, errbuf, errlen);
}

/* ---- the table ------------------------------------------------------------------ */

#define G_CONN "Connector"
#define G_CONV "Data Conversion"
#define G_PROXY "Proxy"
#define G_SSL "Security"

const cd_config_def_t es_config_defs[] = {
    {.name = "connection.url",
     .type = CD_CFG_LIST,
     .required = true,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_CONN,
     .validate = validate_urls,
     .doc = "The comma-separated list of one or more Elasticsearch URLs, such as http://eshost1:9200,"
            "http://eshost2:9200 or https://eshost3:9200. HTTPS is used for all connections if any of the URLs "
            "starts with https:. A URL without a protocol is treated as http. Requests go to the URLs in turn; one "
            "that cannot be reached is skipped until it answers again."},
    {.name = "connection.username",
     .type = CD_CFG_STRING,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .doc = "The username used to authenticate with Elasticsearch. The default is the null, and authentication "
            "will only be performed if both the username and password are non-null."},
    {.name = "connection.password",
     .type = CD_CFG_PASSWORD,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .doc = "The password used to authenticate with Elasticsearch. The default is the null, and authentication "
            "will only be performed if both the username and password are non-null."},
    {.name = "connection.api.key",
     .type = CD_CFG_PASSWORD,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .doc = "An Elasticsearch API key, sent as 'Authorization: ApiKey <key>': the 'encoded' value the create API "
            "key API returns (base64 of id:api_key), or id:api_key, which is encoded here. Not with "
            "connection.username and connection.password. A connectd addition; Confluent's connector has none."},
    {.name = "batch.size",
     .type = CD_CFG_INT,
     .default_value = "2000",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .min = 1,
     .max = 1000000,
     .doc = "The number of records to process as a batch when writing to Elasticsearch."},
    {.name = "bulk.size.bytes",
     .type = CD_CFG_LONG,
     .default_value = "5242880",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = -1,
     .max = INT32_MAX,
     .doc = "The maximum size (in bytes) to be process as a batch when writing records to Elasticsearch. Setting "
            "to '-1' will disable this configuration. If the condition set by 'batch.size' is met first, it will be "
            "used instead."},
    {.name = "max.in.flight.requests",
     .type = CD_CFG_INT,
     .default_value = "5",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .min = 1,
     .max = 1000,
     .doc = "The maximum number of indexing requests that can be in-flight to Elasticsearch before blocking "
            "further requests."},
    {.name = "max.buffered.records",
     .type = CD_CFG_INT,
     .default_value = "20000",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = 1,
     .max = INT32_MAX,
     .doc = "The maximum number of records each task will buffer before blocking acceptance of more records. This "
            "config can be used to limit the memory usage for each task."},
    {.name = "linger.ms",
     .type = CD_CFG_LONG,
     .default_value = "1",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = 0,
     .max = 604800000,
     .doc = "Linger time in milliseconds for batching. Records that arrive in between request transmissions are "
            "batched into a single bulk indexing request, based on the batch.size configuration. Normally this only "
            "occurs under load when records arrive faster than they can be sent out. However it may be desirable to "
            "reduce the number of requests even under light load and benefit from bulk indexing. This setting helps "
            "accomplish that - when a pending batch is not full, rather than immediately sending it out the task "
            "will wait up to the given delay to allow other records to be added so that they can be batched into a "
            "single request."},
    {.name = "flush.timeout.ms",
     .type = CD_CFG_LONG,
     .default_value = "180000",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = 1000,
     .max = 604800000,
     .doc = "The timeout in milliseconds to use for periodic flushing, and when waiting for buffer space to be made "
            "available by completed requests as records are added. If this timeout is exceeded the task will fail."},
    {.name = "flush.synchronously",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .doc = "True if flushes should wait for background processing to finish. This has a throughput penalty and "
            "makes the connector less responsive but allows for topic-mutating SMTs (e.g. RegexRouter or "
            "TimestampRouter). Here every flush waits for the requests in flight, because the worker commits all "
            "the offsets a flush covers; true also sends a partial batch at once instead of after linger.ms."},
    {.name = "max.retries",
     .type = CD_CFG_INT,
     .default_value = "5",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = 0,
     .max = INT32_MAX,
     .doc = "The maximum number of retries that are allowed for failed indexing requests. If the retry attempts "
            "are exhausted the task will fail."},
    {.name = "retry.backoff.ms",
     .type = CD_CFG_LONG,
     .default_value = "100",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = 0,
     .max = 86400000,
     .doc = "How long to wait in milliseconds before attempting the first retry of a failed indexing request. Upon "
            "a failure, this connector may wait up to twice as long as the previous wait, up to the maximum number "
            "of retries. This avoids retrying in a tight loop under failure scenarios. A Retry-After header of the "
            "server's answer is honoured when it asks for longer."},
    {.name = "connection.compression",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .doc = "Whether to use GZip compression on HTTP connection to ElasticSearch. Valid options are true and false. "
            "Default is false. To make this setting to work the http.compression setting also needs to be enabled "
            "at the Elasticsearch nodes or the load-balancer before using it."},
    {.name = "max.connection.idle.time.ms",
     .type = CD_CFG_INT,
     .default_value = "60000",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = -1,
     .max = 86400000,
     .doc = "How long to wait in milliseconds before dropping an idle connection to prevent a read timeout."},
    {.name = "connection.timeout.ms",
     .type = CD_CFG_INT,
     .default_value = "1000",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = 0,
     .max = 43200000,
     .doc = "How long to wait in milliseconds when establishing a connection to the Elasticsearch server. The task "
            "fails if the client fails to connect to the server in this interval, and will need to be restarted. "
            "Here a connection that cannot be made is retried as any failed request (max.retries)."},
    {.name = "read.timeout.ms",
     .type = CD_CFG_INT,
     .default_value = "3000",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .min = 0,
     .max = 604800000,
     .doc = "How long to wait in milliseconds for the Elasticsearch server to send a response. The task fails if "
            "any read operation times out, and will need to be restarted to resume further operations. Here a "
            "request that times out is retried as any failed request (max.retries)."},
    {.name = "data.stream.type",
     .type = CD_CFG_STRING,
     .default_value = "NONE",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .validate = validate_stream_type,
     .doc = "Generic type describing the data to be written to data stream. The default is NONE which indicates "
            "the connector will write to regular indices instead. If set, this configuration will be used alongside "
            "data.stream.dataset and data.stream.namespace to construct the data stream name in the form of "
            "{data.stream.type}-{data.stream.dataset}-{data.stream.namespace}. Custom index templates defined in "
            "the destination cluster are supported. One of LOGS, METRICS, NONE (case insensitive)."},
    {.name = "data.stream.dataset",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .validate = validate_dataset,
     .doc = "Generic name describing data ingested and its structure to be written to a data stream. Can be any "
            "arbitrary string that is no longer than 100 characters, is in all lowercase, and does not contain "
            "spaces or any of these special characters /\\*\"<>|,#:-. Otherwise, no value indicates the connector "
            "will write to regular indices instead. If set, this configuration will be used alongside "
            "data.stream.type and data.stream.namespace to construct the data stream name in the form of "
            "{data.stream.type}-{data.stream.dataset}-{data.stream.namespace}."},
    {.name = "data.stream.namespace",
     .type = CD_CFG_STRING,
     .default_value = "${topic}",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .validate = validate_namespace,
     .doc = "Generic name describing user-configurable arbitrary grouping to be written to a data stream. Can be "
            "any arbitrary string that is no longer than 100 characters, is in all lowercase, and does not contain "
            "spaces or any of these special characters /\\*\"<>|,#:-. If set, this configuration will be used "
            "alongside data.stream.type and data.stream.dataset to construct the data stream name in the form of "
            "{data.stream.type}-{data.stream.dataset}-{data.stream.namespace}. Defaut value is ${topic}, that is to "
            "say the topic name."},
    {.name = "data.stream.timestamp.field",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .doc = "The Kafka record field to use as the timestamp for the @timestamp field in documents sent to a data "
            "stream. All documents sent to a data stream needs an @timestamp field with values of type date or "
            "data_nanos. Otherwise, the document will not be sent. If multiple fields are provided, the first field "
            "listed that also appears in the record will be used. If this configuration is left empty, all of the "
            "documents will use the Kafka record timestamp as the @timestamp field value. Note that @timestamp "
            "still needs to be explicitly listed if records already contain this field. This configuration can "
            "only be set if data.stream.type and data.stream.dataset are set."},
    {.name = "external.resource.usage",
     .type = CD_CFG_STRING,
     .default_value = "DISABLED",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONN,
     .validate = validate_resource,
     .doc = "Confluent's writes to pre-existing indices, data streams or aliases. Not implemented here: only "
            "DISABLED (the default) is accepted; name the index with the RegexRouter transform instead."},
    {.name = "key.ignore",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_CONV,
     .doc = "Whether to ignore the record key for the purpose of forming the Elasticsearch document ID. When this "
            "is set to true, document IDs will be generated as the record's topic+partition+offset. Note that this "
            "is a global config that applies to all topics, use topic.key.ignore to override as true for specific "
            "topics."},
    {.name = "schema.ignore",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .doc = "Whether to ignore schemas during indexing. When this is set to true, the record schema will be ignored "
            "for the purpose of registering an Elasticsearch mapping. Elasticsearch will infer the mapping from the "
            "data (dynamic mapping needs to be enabled by the user). Note that this is a global config that applies "
            "to all topics, use topic.schema.ignore to override as true for specific topics."},
    {.name = "compact.map.entries",
     .type = CD_CFG_BOOLEAN,
     .default_value = "true",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .doc = "Defines how map entries with string keys within record values should be written to JSON. When this is "
            "set to true, these entries are written compactly as \"entryKey\": \"entryValue\". Otherwise, map "
            "entries with string keys are written as a nested document {\"key\": \"entryKey\", \"value\": "
            "\"entryValue\"}. All map entries with non-string keys are always written as nested documents. Prior to "
            "3.3.0, this connector always wrote map entries as nested documents, so set this to false to use that "
            "older behavior."},
    {.name = "topic.key.ignore",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .doc = "List of topics for which key.ignore should be true."},
    {.name = "topic.schema.ignore",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .doc = "List of topics for which schema.ignore should be true."},
    {.name = "drop.invalid.message",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .doc = "Whether to drop kafka message when it cannot be converted to output message."},
    {.name = "behavior.on.null.values",
     .type = CD_CFG_STRING,
     .default_value = "FAIL",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .validate = validate_null,
     .doc = "How to handle records with a non-null key and a null value (i.e. Kafka tombstone records). Valid "
            "options are 'ignore', 'delete', and 'fail'."},
    {.name = "behavior.on.malformed.documents",
     .type = CD_CFG_STRING,
     .default_value = "FAIL",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .validate = validate_malformed,
     .doc = "How to handle records that Elasticsearch rejects due to some malformation of the document itself, such "
            "as an index mapping conflict, a field name containing illegal characters, or a record with a missing "
            "id. Valid options are 'ignore', 'warn', and 'fail'."},
    {.name = "external.version.header",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .doc = "Header name to pull value for external versioning, defaults to using the kafka record offset.  Must "
            "have a numeric value."},
    {.name = "write.method",
     .type = CD_CFG_STRING,
     .default_value = "INSERT",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .validate = validate_write,
     .doc = "Method used for writing data to Elasticsearch, and one of INSERT or UPSERT. The default method is "
            "INSERT, in which the connector constructs a document from the record value and inserts that document "
            "into Elasticsearch, completely replacing any existing document with the same ID; this matches previous "
            "behavior. The UPSERT method will create a new document if one with the specified ID does not yet "
            "exist, or will update an existing document with the same ID by adding/replacing only those fields "
            "present in the record value. The UPSERT method may require additional time and resources of "
            "Elasticsearch, so consider increasing the read.timeout.ms and decreasing the batch.size configuration "
            "properties."},
    {.name = "use.autogenerated.ids",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_CONV,
     .doc = "Whether to use auto-generated Elasticsearch document IDs for insertion requests. Note that this setting "
            "removes exactly once guarantees and message delivery will be at least once. Only applies if "
            "write.method is set to INSERT. When this is set to true, key.ignore option will also be ignored when "
            "sending data to Elasticsearch"},
    {.name = "type.name",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_CONV,
     .doc = "The mapping type of the documents on servers that still have types, as Confluent's releases before 11 "
            "required it: Elasticsearch 5.x needs it (e.g. type.name=kafka-connect); on 6.x it defaults to _doc; "
            "Elasticsearch 7 and later and OpenSearch are typeless and ignore it."},
    {.name = "proxy.host",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_PROXY,
     .doc = "The address of the proxy host to connect through. Supports the basic authentication scheme only."},
    {.name = "proxy.port",
     .type = CD_CFG_INT,
     .default_value = "8080",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_PROXY,
     .min = 1,
     .max = 65535,
     .doc = "The port of the proxy host to connect through."},
    {.name = "proxy.username",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_PROXY,
     .doc = "The username for the proxy host."},
    {.name = "proxy.password",
     .type = CD_CFG_PASSWORD,
     .importance = CD_IMPORTANCE_LOW,
     .group = G_PROXY,
     .doc = "The password for the proxy host."},
    {.name = "elastic.security.protocol",
     .type = CD_CFG_STRING,
     .default_value = "PLAINTEXT",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_SSL,
     .validate = validate_protocol,
     .doc = "The security protocol to use when connecting to Elasticsearch. Values can be `PLAINTEXT` or `SSL`. If "
            "`PLAINTEXT` is passed, all configs prefixed by elastic.https. will be ignored."},
    {.name = "elastic.https.ssl.truststore.location",
     .type = CD_CFG_STRING,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_SSL,
     .doc = "The location of the trust store file: here a PEM file of the CA certificates that sign the servers' "
            "certificates (a JKS trust store is refused: convert it with keytool -exportcert -rfc). Unset: the "
            "system's CA certificates."},
    {.name = "elastic.https.ssl.truststore.type",
     .type = CD_CFG_STRING,
     .default_value = "PEM",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_SSL,
     .validate = validate_store_type,
     .doc = "The file format of the trust store file: PEM (JKS and PKCS12 trust stores are refused)."},
    {.name = "elastic.https.ssl.truststore.password",
     .type = CD_CFG_PASSWORD,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_SSL,
     .doc = "The password for the trust store file; a PEM trust store needs none, so it is not used."},
    {.name = "elastic.https.ssl.truststore.certificates",
     .type = CD_CFG_PASSWORD,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_SSL,
     .doc = "Trusted certificates in the format specified by 'ssl.truststore.type': PEM text of CA certificates, "
            "instead of a file."},
    {.name = "elastic.https.ssl.keystore.location",
     .type = CD_CFG_STRING,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_SSL,
     .doc = "The location of the key store file, for client certificate authentication: a PEM file with the "
            "certificate and its private key, or a PKCS12 file."},
    {.name = "elastic.https.ssl.keystore.type",
     .type = CD_CFG_STRING,
     .default_value = "PEM",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_SSL,
     .validate = validate_store_type,
     .doc = "The file format of the key store file: PEM or PKCS12 (JKS is refused)."},
    {.name = "elastic.https.ssl.keystore.password",
     .type = CD_CFG_PASSWORD,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_SSL,
     .doc = "The store password for the key store file (PKCS12)."},
    {.name = "elastic.https.ssl.key.password",
     .type = CD_CFG_PASSWORD,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_SSL,
     .doc = "The password of the private key in the key store file."},
    {.name = "elastic.https.ssl.endpoint.identification.algorithm",
     .type = CD_CFG_STRING,
     .default_value = "https",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_SSL,
     .doc = "The endpoint identification algorithm to validate server hostname using server certificate: https "
            "checks that the certificate names the host; empty disables that check (the chain is still verified)."},
    {.name = NULL},
};

/* ---- reading ------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    return s && s[0] ? strdup(s) : NULL;
}

static int index_of(const char *const *names, const char *value)
{
    for (int i = 0; names[i]; i++) {
        if (value && strcasecmp(names[i], value) == 0) {
            return i;
        }
    }
    return 0;
}

static bool is_true(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

static bool has_value(const cd_host_api_t *host, cd_task_t *task, const char *key)
{
    const char *v = host->config_get(task, key);
    return v && v[0];
}

/* Settings this connector refuses when set (see the top comment). */
static const char *const refused_keys[] = {"kerberos.user.principal", "kerberos.keytab.path", "topic.index.map", NULL};

/* Confluent's Validator checks that span settings; -1 after writing the
 * first failed one into errbuf. */
static int check_combinations(const cd_host_api_t *host, cd_task_t *task, const es_config_t *cfg, char *errbuf,
                              size_t errlen)
{
    for (const char *const *k = refused_keys; *k; k++) {
        if (has_value(host, task, *k)) {
            snprintf(errbuf, errlen, "%s is not supported by this connector: %s", *k,
                     strncmp(*k, "kerberos", 8) == 0 ? "use connection.username/password or connection.api.key"
                                                     : "use the RegexRouter transform to map topics to indices");
            return -1;
        }
    }
    if (strcasecmp(host->config_get(task, "external.resource.usage"), "DISABLED") != 0 ||
        has_value(host, task, "topic.to.external.resource.mapping")) {
        snprintf(errbuf, errlen,
                 "external.resource.usage is not supported by this connector: only DISABLED is; use "
                 "the RegexRouter transform to name the index of a topic");
        return -1;
    }
    if (!cfg->username != !cfg->password) {
        snprintf(errbuf, errlen, "Both 'connection.username' and 'connection.password' must be set.");
        return -1;
    }
    if (cfg->api_key && cfg->username) {
        snprintf(errbuf, errlen,
                 "Either connection.api.key or 'connection.username' and 'connection.password' may "
                 "be set, not both.");
        return -1;
    }
    bool stream_type = cfg->data_stream_type != NULL, dataset = cfg->data_stream_dataset != NULL;
    if (stream_type != dataset) {
        snprintf(errbuf, errlen, "Either both or neither 'data.stream.dataset' and 'data.stream.type' must be set.");
        return -1;
    }
    if (!stream_type && cfg->n_timestamp_fields) {
        snprintf(errbuf, errlen,
                 "Mapping a field to the '@timestamp' field is only necessary when working with data "
                 "streams. 'data.stream.timestamp.field' must not be set when not using data streams.");
        return -1;
    }
    if (stream_type && cfg->write_method == ES_WRITE_UPSERT) {
        snprintf(errbuf, errlen,
                 "Upserts are not supported with data streams. write.method must not be UPSERT when "
                 "using data streams.");
        return -1;
    }
    if (stream_type && cfg->on_null == ES_NULL_DELETE) {
        snprintf(errbuf, errlen,
                 "Deletes are not supported with data streams. behavior.on.null.values must not be "
                 "DELETE when using data streams.");
        return -1;
    }
    if (cfg->key_ignore && cfg->n_key_ignore_topics) {
        snprintf(errbuf, errlen, "'topic.key.ignore' can not be set if 'key.ignore' is true.");
        return -1;
    }
    if (cfg->schema_ignore && cfg->n_schema_ignore_topics) {
        snprintf(errbuf, errlen, "'topic.schema.ignore' can not be set if 'schema.ignore' is true.");
        return -1;
    }
    if (cfg->linger_ms > cfg->flush_timeout_ms) {
        snprintf(errbuf, errlen, "'linger.ms' (%ld) can not be larger than 'flush.timeout.ms' (%ld).", cfg->linger_ms,
                 cfg->flush_timeout_ms);
        return -1;
    }
    if ((int64_t)cfg->max_buffered < (int64_t)cfg->batch_size * cfg->max_in_flight) {
        snprintf(errbuf, errlen,
                 "'max.buffered.records' (%d) must be larger than or equal to 'batch.size' (%d) x "
                 "max.in.flight.requests (%d).",
                 cfg->max_buffered, cfg->batch_size, cfg->max_in_flight);
        return -1;
    }
    if (!cfg->proxy_host && (cfg->proxy_username || cfg->proxy_password)) {
        snprintf(errbuf, errlen, "'proxy.host' must be set to use '%s'.",
                 cfg->proxy_username ? "proxy.username" : "proxy.password");
        return -1;
    }
    if (cfg->proxy_host && !cfg->proxy_username != !cfg->proxy_password) {
        snprintf(errbuf, errlen, "Either both or neither 'proxy.username' and 'proxy.password' can be set.");
        return -1;
    }
    bool any_ssl = false;
    static const char *const ssl_keys[] = {"elastic.https.ssl.truststore.location",
                                           "elastic.https.ssl.truststore.password",
                                           "elastic.https.ssl.truststore.certificates",
                                           "elastic.https.ssl.keystore.location",
                                           "elastic.https.ssl.keystore.password",
                                           "elastic.https.ssl.key.password",
                                           NULL};
    for (const char *const *k = ssl_keys; *k; k++) {
        any_ssl = any_ssl || has_value(host, task, *k);
    }
    if (!cfg->ssl && any_ssl) {
        snprintf(errbuf, errlen, "'elastic.security.protocol' must be set to 'SSL' to use SSL configs.");
        return -1;
    }
    const char *ts_type = host->config_get(task, "elastic.https.ssl.truststore.type");
    if (cfg->ssl && ts_type && strcasecmp(ts_type, "PEM") != 0) {
        snprintf(errbuf, errlen,
                 "elastic.https.ssl.truststore.type %s is not supported: give the CA certificates as "
                 "a PEM file (keytool -exportcert -rfc writes one) and set elastic.https.ssl.truststore.type=PEM",
                 ts_type);
        return -1;
    }
    const char *ks_type = host->config_get(task, "elastic.https.ssl.keystore.type");
    if (cfg->ssl && ks_type && strcasecmp(ks_type, "JKS") == 0 && cfg->client_cert) {
        snprintf(errbuf, errlen,
                 "elastic.https.ssl.keystore.type JKS is not supported: convert the key store to "
                 "PKCS12 (keytool -importkeystore -deststoretype pkcs12) or PEM");
        return -1;
    }
    return 0;
}

es_config_t *es_config_read(const cd_host_api_t *host, cd_task_t *task, char *errbuf, size_t errlen)
{
    es_config_t *cfg = calloc(1, sizeof(*cfg));
    char **raw;
    size_t n = list_split(host->config_get(task, "connection.url"), &raw);
    bool any_https = false;
    cfg->urls = calloc(n ? n : 1, sizeof(*cfg->urls));
    for (size_t i = 0; i < n; i++) {
        char *u = url_normalize(raw[i]);
        if (!u) {
            snprintf(errbuf, errlen, "The provided url '%s' is not a valid url.", raw[i]);
            list_free(n, raw);
            es_config_free(cfg);
            return NULL;
        }
        any_https = any_https || strncmp(u, "https://", 8) == 0;
        cfg->urls[cfg->n_urls++] = u;
    }
    list_free(n, raw);
    /* Confluent: HTTPS for all connections if any URL asks for it. */
    for (size_t i = 0; any_https && i < cfg->n_urls; i++) {
        if (strncmp(cfg->urls[i], "http://", 7) == 0) {
            size_t len = strlen(cfg->urls[i]) + 2;
            char *u = malloc(len);
            snprintf(u, len, "https://%s", cfg->urls[i] + 7);
            free(cfg->urls[i]);
            cfg->urls[i] = u;
        }
    }
    cfg->username = dup_or_null(host->config_get(task, "connection.username"));
    cfg->password = dup_or_null(host->config_get(task, "connection.password"));
    cfg->api_key = dup_or_null(host->config_get(task, "connection.api.key"));
    cfg->connect_timeout_ms = atol(host->config_get(task, "connection.timeout.ms"));
    cfg->read_timeout_ms = atol(host->config_get(task, "read.timeout.ms"));
    cfg->max_idle_ms = atol(host->config_get(task, "max.connection.idle.time.ms"));
    cfg->compression = is_true(host->config_get(task, "connection.compression"));
    cfg->ssl = strcasecmp(host->config_get(task, "elastic.security.protocol"), "SSL") == 0;
    if (cfg->ssl) {
        cfg->ca_file = dup_or_null(host->config_get(task, "elastic.https.ssl.truststore.location"));
        cfg->ca_pem = dup_or_null(host->config_get(task, "elastic.https.ssl.truststore.certificates"));
        cfg->client_cert = dup_or_null(host->config_get(task, "elastic.https.ssl.keystore.location"));
        const char *ks = host->config_get(task, "elastic.https.ssl.keystore.type");
        cfg->client_cert_type = strdup(ks && strcasecmp(ks, "PKCS12") == 0 ? "P12" : "PEM");
        const char *kp = host->config_get(task, "elastic.https.ssl.key.password");
        if (!kp || !kp[0]) {
            kp = host->config_get(task, "elastic.https.ssl.keystore.password");
        }
        cfg->client_key_password = dup_or_null(kp);
        const char *alg = host->config_get(task, "elastic.https.ssl.endpoint.identification.algorithm");
        cfg->verify_host = alg && alg[0];
    }
    cfg->proxy_host = dup_or_null(host->config_get(task, "proxy.host"));
    cfg->proxy_port = atoi(host->config_get(task, "proxy.port"));
    cfg->proxy_username = dup_or_null(host->config_get(task, "proxy.username"));
    cfg->proxy_password = dup_or_null(host->config_get(task, "proxy.password"));
    cfg->batch_size = atoi(host->config_get(task, "batch.size"));
    cfg->bulk_size_bytes = atol(host->config_get(task, "bulk.size.bytes"));
    cfg->max_in_flight = atoi(host->config_get(task, "max.in.flight.requests"));
    cfg->max_buffered = atoi(host->config_get(task, "max.buffered.records"));
    cfg->linger_ms = atol(host->config_get(task, "linger.ms"));
    cfg->flush_timeout_ms = atol(host->config_get(task, "flush.timeout.ms"));
    cfg->flush_synchronously = is_true(host->config_get(task, "flush.synchronously"));
    cfg->max_retries = atoi(host->config_get(task, "max.retries"));
    cfg->retry_backoff_ms = atol(host->config_get(task, "retry.backoff.ms"));
    cfg->key_ignore = is_true(host->config_get(task, "key.ignore"));
    cfg->schema_ignore = is_true(host->config_get(task, "schema.ignore"));
    cfg->compact_map_entries = is_true(host->config_get(task, "compact.map.entries"));
    cfg->drop_invalid = is_true(host->config_get(task, "drop.invalid.message"));
    cfg->n_key_ignore_topics = list_split(host->config_get(task, "topic.key.ignore"), &cfg->key_ignore_topics);
    cfg->n_schema_ignore_topics = list_split(host->config_get(task, "topic.schema.ignore"), &cfg->schema_ignore_topics);
    cfg->on_null = (es_null_behavior_t)index_of(null_names, host->config_get(task, "behavior.on.null.values"));
    cfg->on_malformed = (es_malformed_behavior_t)index_of(malformed_names,
                                                          host->config_get(task, "behavior.on.malformed.documents"));
    cfg->write_method = (es_write_method_t)index_of(write_names, host->config_get(task, "write.method"));
    cfg->autogenerated_ids = is_true(host->config_get(task, "use.autogenerated.ids"));
    cfg->version_header = dup_or_null(host->config_get(task, "external.version.header"));
    cfg->type_name = dup_or_null(host->config_get(task, "type.name"));
    const char *st = host->config_get(task, "data.stream.type");
    if (st && strcasecmp(st, "NONE") != 0) {
        cfg->data_stream_type = strdup(st);
        for (char *p = cfg->data_stream_type; *p; p++) {
            *p = (char)tolower((unsigned char)*p);
        }
    }
    cfg->data_stream_dataset = dup_or_null(host->config_get(task, "data.stream.dataset"));
    cfg->data_stream_namespace = dup_or_null(host->config_get(task, "data.stream.namespace"));
    cfg->n_timestamp_fields = list_split(host->config_get(task, "data.stream.timestamp.field"), &cfg->timestamp_fields);
    if (check_combinations(host, task, cfg, errbuf, errlen) < 0) {
        es_config_free(cfg);
        return NULL;
    }
    return cfg;
}

void es_config_free(es_config_t *cfg)
{
    if (!cfg) {
        return;
    }
    list_free(cfg->n_urls, cfg->urls);
    free(cfg->username);
    free(cfg->password);
    free(cfg->api_key);
    free(cfg->ca_file);
    free(cfg->ca_pem);
    free(cfg->client_cert);
    free(cfg->client_cert_type);
    free(cfg->client_key_password);
    free(cfg->proxy_host);
    free(cfg->proxy_username);
    free(cfg->proxy_password);
    list_free(cfg->n_key_ignore_topics, cfg->key_ignore_topics);
    list_free(cfg->n_schema_ignore_topics, cfg->schema_ignore_topics);
    free(cfg->version_header);
    free(cfg->type_name);
    free(cfg->data_stream_type);
    free(cfg->data_stream_dataset);
    free(cfg->data_stream_namespace);
    list_free(cfg->n_timestamp_fields, cfg->timestamp_fields);
    free(cfg);
}

static bool in_list(size_t n, char *const *items, const char *topic)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i], topic) == 0) {
            return true;
        }
    }
    return false;
}

bool es_config_key_ignored(const es_config_t *cfg, const char *topic)
{
    return cfg->key_ignore || in_list(cfg->n_key_ignore_topics, cfg->key_ignore_topics, topic);
}

bool es_config_schema_ignored(const es_config_t *cfg, const char *topic)
{
    return cfg->schema_ignore || in_list(cfg->n_schema_ignore_topics, cfg->schema_ignore_topics, topic);
}
