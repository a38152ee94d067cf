/*
 * client_keys.h - the security keys of Kafka's Java clients that librdkafka
 * lacks, translated, so that a Kafka client properties file (a worker
 * file's, a connector's overrides, connectctl --command-config) works
 * unchanged.  Shared by the worker (client_conf.h) and connectctl.
 */
#ifndef CONNECTD_CLIENT_KEYS_H
#define CONNECTD_CLIENT_KEYS_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

/* rd_kafka_conf_set, with the security keys of Kafka's Java clients that
 * librdkafka lacks translated, so that a Kafka client properties file
 * works unchanged: sasl.jaas.config (PlainLoginModule, ScramLoginModule)
 * gives sasl.username and sasl.password; ssl.truststore.location,
 * ssl.truststore.certificates, ssl.keystore.key and
 * ssl.keystore.certificate.chain are ssl.ca.location, ssl.ca.pem,
 * ssl.key.pem and ssl.certificate.pem; a PEM ssl.keystore.location is both
 * ssl.certificate.location and ssl.key.location (a PKCS#12 one stays
 * librdkafka's ssl.keystore.location); ssl.keystore.type and
 * ssl.truststore.type PEM (or PKCS12 key stores) pass, JKS is refused with
 * how to convert; ssl.enabled.protocols, ssl.protocol and
 * ssl.truststore.password are dropped; an empty
 * ssl.endpoint.identification.algorithm is "none".
 * @locality any thread  @locks none */
rd_kafka_conf_res_t client_keys_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                                         size_t err_size);

#endif
