/* client_keys.c - Kafka's Java client security keys for librdkafka; see client_keys.h. */
#include "client_keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The user name and password of a Kafka JAAS config for PLAIN or SCRAM
 * ("org.apache.kafka.common.security.plain.PlainLoginModule required
 * username=\"alice\" password=\"secret\";"), into the two buffers; false
 * when it is another login module or does not parse. */
static bool jaas_credentials(const char *jaas, char *user, size_t user_size, char *password, size_t password_size)
{
    static const char *const modules[] = {"org.apache.kafka.common.security.plain.PlainLoginModule",
                                          "org.apache.kafka.common.security.scram.ScramLoginModule", NULL};
    const char *p = jaas + strspn(jaas, " \t\r\n");
    bool known = false;
    for (const char *const *m = modules; *m && !known; m++) {
        known = strncmp(p, *m, strlen(*m)) == 0;
        if (known) {
            p += strlen(*m);
        }
    }
    user[0] = password[0] = '\0';
    while (known && *p && *p != ';') {
        p += strspn(p, " \t\r\n");
        size_t klen = strcspn(p, "= \t\r\n;");
        if (p[klen] != '=') {
            p += klen; /* the control flag */
            continue;
        }
        const char *name = p;
        p += klen + 1;
        char value[512];
        size_t n = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                p += *p == '\\' && p[1];
                if (n + 1 < sizeof(value)) {
                    value[n++] = *p;
                }
            }
            if (*p != '"') {
                return false;
            }
            p++;
        } else {
            for (; *p && !strchr(" \t\r\n;", *p); p++) {
                if (n + 1 < sizeof(value)) {
                    value[n++] = *p;
                }
            }
        }
        value[n] = '\0';
        if (klen == 8 && strncmp(name, "username", 8) == 0) {
            snprintf(user, user_size, "%s", value);
        } else if (klen == 8 && strncmp(name, "password", 8) == 0) {
            snprintf(password, password_size, "%s", value);
        }
    }
    return known && *p == ';' && user[0];
}

rd_kafka_conf_res_t client_keys_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                                         size_t err_size)
{
    /* Kafka's PEM key store is key and certificate chain in one file:
     * librdkafka reads both from it; anything else is its PKCS#12 store. */
    if (strcmp(key, "ssl.keystore.location") == 0) {
        FILE *f = fopen(value, "r");
        char head[64] = "";
        if (f) {
            size_t n = fread(head, 1, sizeof(head) - 1, f);
            head[n] = '\0';
            fclose(f);
        }
        if (strstr(head, "-----BEGIN")) {
            rd_kafka_conf_res_t rc = rd_kafka_conf_set(conf, "ssl.certificate.location", value, err, err_size);
            return rc != RD_KAFKA_CONF_OK ? rc : rd_kafka_conf_set(conf, "ssl.key.location", value, err, err_size);
        }
        return rd_kafka_conf_set(conf, key, value, err, err_size);
    }
    static const struct {
        const char *kafka, *librdkafka; /* librdkafka NULL: nothing to set */
    } renamed[] = {
        {"ssl.truststore.location", "ssl.ca.location"},
        {"ssl.truststore.certificates", "ssl.ca.pem"},
        {"ssl.keystore.key", "ssl.key.pem"},
        {"ssl.keystore.certificate.chain", "ssl.certificate.pem"},
        /* librdkafka negotiates TLSv1.2 and TLSv1.3 itself; a PEM trust
         * store has no password. */
        {"ssl.enabled.protocols", NULL},
        {"ssl.protocol", NULL},
        {"ssl.truststore.password", NULL},
    };
    for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++) {
        if (strcmp(key, renamed[i].kafka) == 0) {
            return renamed[i].librdkafka ? rd_kafka_conf_set(conf, renamed[i].librdkafka, value, err, err_size)
                                         : RD_KAFKA_CONF_OK;
        }
    }
    if (strcmp(key, "ssl.keystore.type") == 0 || strcmp(key, "ssl.truststore.type") == 0) {
        if (strcasecmp(value, "PEM") == 0 || (strcasecmp(value, "PKCS12") == 0 && key[4] == 'k')) {
            return RD_KAFKA_CONF_OK; /* the location says which (see above) */
        }
        snprintf(err, err_size,
                 "%s=%s cannot be read by librdkafka: convert the store to PEM (keytool "
                 "-importkeystore to PKCS12, then openssl pkcs12 -nodes)",
                 key, value);
        return RD_KAFKA_CONF_INVALID;
    }
    if (strcmp(key, "ssl.endpoint.identification.algorithm") == 0 && !value[0]) {
        return rd_kafka_conf_set(conf, key, "none", err, err_size); /* Kafka's empty value turns it off */
    }
    if (strcmp(key, "sasl.jaas.config") == 0) {
        char user[512], password[512];
        if (!jaas_credentials(value, user, sizeof(user), password, sizeof(password))) {
            snprintf(err, err_size,
                     "only PlainLoginModule and ScramLoginModule configs with username=\"...\" "
                     "password=\"...\"; are understood (librdkafka takes sasl.username and sasl.password)");
            return RD_KAFKA_CONF_INVALID;
        }
        rd_kafka_conf_res_t rc = rd_kafka_conf_set(conf, "sasl.username", user, err, err_size);
        if (rc == RD_KAFKA_CONF_OK) {
            rc = rd_kafka_conf_set(conf, "sasl.password", password, err, err_size);
        }
        memset(password, 0, sizeof(password));
        return rc;
    }
    return rd_kafka_conf_set(conf, key, value, err, err_size);
}
