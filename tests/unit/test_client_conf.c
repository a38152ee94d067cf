/* Unit tests for client_conf.c: the override policy's names, the deny-list,
 * what each policy lets a connector override, and that a task's client is
 * refused a denied key even when a stored config carries it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "config/client_conf.h"
#include "config/client_keys.h"
#include "properties.h"

static void test_policy_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int policy;
    } cases[] = {
        {NULL, CLIENT_OVERRIDE_ALL}, /* Kafka's default */
        {"All", CLIENT_OVERRIDE_ALL},
        {"none", CLIENT_OVERRIDE_NONE},
        {"PRINCIPAL", CLIENT_OVERRIDE_PRINCIPAL},
        {"org.apache.kafka.connect.connector.policy.NoneConnectorClientConfigOverridePolicy", CLIENT_OVERRIDE_NONE},
        {"PrincipalConnectorClientConfigOverridePolicy", CLIENT_OVERRIDE_PRINCIPAL},
        {"org.apache.kafka.connect.connector.policy.noneconnectorclientconfigoverridepolicy", -1},
        {"Allowlist", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(client_override_policy_parse(cases[i].name), cases[i].policy);
    }
    assert_string_equal(client_override_policy_name(CLIENT_OVERRIDE_PRINCIPAL), "Principal");
}

static void test_allowed_by_policy(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        client_override_policy_t policy;
        bool allowed;
        const char *says; /* part of the message when refused */
    } cases[] = {
        {"acks", CLIENT_OVERRIDE_ALL, true, NULL},
        {"acks", CLIENT_OVERRIDE_NONE, false,
         "The 'None' policy does not allow 'acks' to be overridden in the connector configuration."},
        {"acks", CLIENT_OVERRIDE_PRINCIPAL, false,
         "The 'Principal' policy does not allow 'acks' to be overridden in the connector configuration."},
        {"security.protocol", CLIENT_OVERRIDE_PRINCIPAL, true, NULL},
        {"sasl.mechanism", CLIENT_OVERRIDE_PRINCIPAL, true, NULL},
        {"sasl.jaas.config", CLIENT_OVERRIDE_PRINCIPAL, true, NULL},
        {"sasl.username", CLIENT_OVERRIDE_PRINCIPAL, true, NULL},
        {"security.protocol", CLIENT_OVERRIDE_NONE, false, "'None' policy"},
        {"plugin.library.paths", CLIENT_OVERRIDE_ALL, false, "'plugin.library.paths' may not be overridden"},
        {"sasl.kerberos.kinit.cmd", CLIENT_OVERRIDE_ALL, false, "shell command"},
        {"sasl.kerberos.principal", CLIENT_OVERRIDE_PRINCIPAL, false, "'Principal' policy"},
        {"sasl.kerberos.principal", CLIENT_OVERRIDE_ALL, false, "kinit"},
        {"ssl.ca.location", CLIENT_OVERRIDE_ALL, false, "local file"},
        {"ssl.ca.pem", CLIENT_OVERRIDE_ALL, true, NULL},
        {"topic.offset.store.path", CLIENT_OVERRIDE_ALL, false, "'topic.offset.store.path'"},
        {"sasl.oauthbearer.token.endpoint.url", CLIENT_OVERRIDE_ALL, false, "URL"},
        {"PLUGIN.LIBRARY.PATHS", CLIENT_OVERRIDE_ALL, true, NULL}, /* librdkafka knows no such property */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char why[512] = "";
        bool allowed = client_conf_override_allowed(cases[i].key, cases[i].policy, why, sizeof(why));
        if (allowed != cases[i].allowed) {
            fail_msg("%s under %s: %s", cases[i].key, client_override_policy_name(cases[i].policy), why);
        }
        if (cases[i].says && !strstr(why, cases[i].says)) {
            fail_msg("%s: '%s' does not say '%s'", cases[i].key, why, cases[i].says);
        }
    }
}

static void test_check_marks_the_keys(void **state)
{
    (void)state;
    properties_t *config = properties_create();
    properties_set(config, "connector.class", "FileStreamSink");
    properties_set(config, "producer.override.acks", "1");
    properties_set(config, "consumer.override.plugin.library.paths", "/x.so");
    properties_set(config, "admin.override.ssl.key.location", "/etc/shadow");
    properties_set(config, "producer.overrides.plugin.library.paths", "/x.so"); /* no prefix of ours */
    cv_result_t *res = cv_result_new();
    assert_int_equal(client_conf_check_overrides(res, config, CLIENT_OVERRIDE_ALL), 2);
    cv_entry_t *e = cv_result_find(res, "consumer.override.plugin.library.paths");
    assert_non_null(e);
    assert_int_equal(e->n_errors, 1);
    assert_string_equal(e->value, "/x.so");
    assert_non_null(cv_result_find(res, "admin.override.ssl.key.location"));
    assert_null(cv_result_find(res, "producer.override.acks"));
    cv_result_free(res);
    res = cv_result_new();
    assert_int_equal(client_conf_check_overrides(res, config, CLIENT_OVERRIDE_NONE), 3);
    cv_result_free(res);
    properties_destroy(config);
}

static void test_apply_refuses_before_setting(void **state)
{
    (void)state;
    properties_t *config = properties_create();
    properties_set(config, "producer.override.linger.ms", "7");
    properties_set(config, "producer.override.plugin.library.paths", "/nonexistent/x.so");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512] = "", value[64];
    size_t size = sizeof(value);
    assert_false(client_conf_apply_overrides(conf, config, "producer.override.", CLIENT_OVERRIDE_ALL, "task c-0", err,
                                             sizeof(err)));
    assert_non_null(strstr(err, "producer.override.plugin.library.paths"));
    assert_int_equal(rd_kafka_conf_get(conf, "linger.ms", value, &size), RD_KAFKA_CONF_OK);
    assert_string_not_equal(value, "7");
    properties_destroy(config);
    config = properties_create();
    properties_set(config, "producer.override.linger.ms", "7");
    properties_set(config, "consumer.override.linger.ms", "9");
    assert_true(client_conf_apply_overrides(conf, config, "producer.override.", CLIENT_OVERRIDE_ALL, "task c-0", err,
                                            sizeof(err)));
    size = sizeof(value);
    assert_int_equal(rd_kafka_conf_get(conf, "linger.ms", value, &size), RD_KAFKA_CONF_OK);
    assert_string_equal(value, "7");
    rd_kafka_conf_destroy(conf);
    properties_destroy(config);
}

/* The text of librdkafka property `key` in conf ("" when unset). */
static const char *conf_get(rd_kafka_conf_t *conf, const char *key, char *buf, size_t size)
{
    size_t n = size;
    if (rd_kafka_conf_get(conf, key, buf, &n) != RD_KAFKA_CONF_OK) {
        buf[0] = '\0';
    }
    return buf;
}

/* The worker's own clients take its unprefixed security keys, its tasks'
 * clients only their prefix (as Kafka Connect's); a prefixed key wins. */
static void test_internal_clients_take_security_keys(void **state)
{
    properties_t *props = properties_create();
    properties_set(props, "security.protocol", "SASL_SSL");
    properties_set(props, "sasl.mechanism", "PLAIN");
    properties_set(props, "producer.sasl.mechanism", "SCRAM-SHA-256");
    properties_set(props, "client.id", "mine"); /* not a security key: never passed unprefixed */
    char buf[256];
    rd_kafka_conf_t *internal = client_conf_new_internal("b:9092", props, "producer.", NULL);
    assert_string_equal(conf_get(internal, "security.protocol", buf, sizeof(buf)), "sasl_ssl");
    assert_string_equal(conf_get(internal, "sasl.mechanisms", buf, sizeof(buf)), "SCRAM-SHA-256");
    assert_string_equal(conf_get(internal, "client.id", buf, sizeof(buf)), "rdkafka");
    rd_kafka_conf_t *task = client_conf_new("b:9092", props, "consumer.", NULL);
    assert_string_equal(conf_get(task, "security.protocol", buf, sizeof(buf)), "plaintext");
    rd_kafka_conf_destroy(internal);
    rd_kafka_conf_destroy(task);
    properties_destroy(props);
    assert_true(client_conf_is_security_key("ssl.ca.location"));
    assert_true(client_conf_is_security_key("sasl.jaas.config"));
    assert_false(client_conf_is_security_key("bootstrap.servers"));
}

/* Kafka's Java client keys reach librdkafka under its names. */
static void test_kafka_keys_translated(void **state)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512], buf[256];
    assert_int_equal(client_keys_conf_set(conf, "sasl.jaas.config",
                                          "org.apache.kafka.common.security.plain.PlainLoginModule required "
                                          "username=\"al\\\"ice\" password=\"s;ecret\";",
                                          err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_string_equal(conf_get(conf, "sasl.username", buf, sizeof(buf)), "al\"ice");
    assert_string_equal(conf_get(conf, "sasl.password", buf, sizeof(buf)), "s;ecret");
    assert_int_equal(client_keys_conf_set(conf, "sasl.jaas.config",
                                          "com.sun.security.auth.module.Krb5LoginModule required;", err, sizeof(err)),
                     RD_KAFKA_CONF_INVALID);
    assert_non_null(strstr(err, "PlainLoginModule and ScramLoginModule"));
    assert_int_equal(client_keys_conf_set(conf, "ssl.truststore.location", "/etc/ca.pem", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_string_equal(conf_get(conf, "ssl.ca.location", buf, sizeof(buf)), "/etc/ca.pem");
    assert_int_equal(client_keys_conf_set(conf, "ssl.truststore.type", "PEM", err, sizeof(err)), RD_KAFKA_CONF_OK);
    assert_int_equal(client_keys_conf_set(conf, "ssl.truststore.type", "JKS", err, sizeof(err)), RD_KAFKA_CONF_INVALID);
    assert_non_null(strstr(err, "convert the store to PEM"));
    assert_int_equal(client_keys_conf_set(conf, "ssl.enabled.protocols", "TLSv1.2", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(client_keys_conf_set(conf, "ssl.endpoint.identification.algorithm", "", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_string_equal(conf_get(conf, "ssl.endpoint.identification.algorithm", buf, sizeof(buf)), "none");
    assert_int_equal(client_keys_conf_set(conf, "no.such.key", "1", err, sizeof(err)), RD_KAFKA_CONF_UNKNOWN);
    rd_kafka_conf_destroy(conf);
    /* Kafka's name of ssl.ca.location is on the deny-list too. */
    assert_non_null(client_conf_denied("ssl.truststore.location"));
    assert_null(client_conf_denied("ssl.truststore.certificates"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_names),
        cmocka_unit_test(test_allowed_by_policy),
        cmocka_unit_test(test_check_marks_the_keys),
        cmocka_unit_test(test_apply_refuses_before_setting),
        cmocka_unit_test(test_internal_clients_take_security_keys),
        cmocka_unit_test(test_kafka_keys_translated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
