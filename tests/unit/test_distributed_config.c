/* test_distributed_config.c - a distributed worker's rows
 * (distributed_config.c): the table is sound, Kafka's defaults, the
 * required keys, each validator in Kafka's words, and the checks across
 * settings.  The sample etc/connect-distributed.properties must pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/distributed_config.h"
#include "config/worker_config.h"

static properties_t *minimal(void)
{
    properties_t *props = properties_create();
    properties_set(props, "group.id", "connect-cluster");
    properties_set(props, "config.storage.topic", "connect-configs");
    properties_set(props, "offset.storage.topic", "connect-offsets");
    properties_set(props, "status.storage.topic", "connect-status");
    return props;
}

static void test_rows_are_sound(void **state)
{
    (void)state;
    char err[256];
    if (!config_def_table_check(distributed_config_defs, err, sizeof(err))) {
        fail_msg("%s", err);
    }
}

static void test_kafka_defaults(void **state)
{
    (void)state;
    properties_t *props = minimal();
    distributed_config_t cfg;
    char err[256];
    assert_true(distributed_config_init(&cfg, props, err, sizeof(err)));
    assert_string_equal(cfg.group_id, "connect-cluster");
    assert_int_equal(cfg.offset_partitions, 25);
    assert_int_equal(cfg.status_partitions, 5);
    assert_int_equal(cfg.config_replication, 3);
    assert_int_equal(cfg.offset_replication, 3);
    assert_int_equal(cfg.status_replication, 3);
    assert_int_equal(cfg.session_timeout_ms, 10000);
    assert_int_equal(cfg.heartbeat_interval_ms, 3000);
    assert_int_equal(cfg.rebalance_timeout_ms, 60000);
    assert_int_equal(cfg.protocol, 2);                         /* sessioned */
    assert_int_equal(cfg.scheduled_rebalance_max_delay_ms, 0); /* issue 18: Kafka's is 300000 */
    assert_int_equal(cfg.worker_sync_timeout_ms, 3000);
    assert_int_equal(cfg.worker_unsync_backoff_ms, 300000);
    assert_null(cfg.advertised_host);
    assert_int_equal(cfg.advertised_port, 0);
    assert_null(cfg.advertised_listener);
    assert_string_equal(cfg.key_generation_algorithm, "HmacSHA256");
    assert_int_equal(cfg.key_size_bits, 0);
    assert_int_equal(cfg.key_ttl_ms, 3600000);
    assert_string_equal(cfg.signature_algorithm, "HmacSHA256");
    assert_string_equal(cfg.verification_algorithms, "HmacSHA256");
    distributed_config_free(&cfg);

    properties_set(props, "connect.protocol", "EAGER");
    properties_set(props, "rest.advertised.listener", "https");
    properties_set(props, "offset.storage.replication.factor", "-1");
    assert_true(distributed_config_init(&cfg, props, err, sizeof(err)));
    assert_int_equal(cfg.protocol, 0);
    assert_int_equal(cfg.offset_replication, -1);
    distributed_config_free(&cfg);
    properties_destroy(props);
}

static void assert_refused(const char *key, const char *value, const char *want)
{
    properties_t *props = minimal();
    if (value) {
        properties_set(props, key, value);
    } else {
        properties_set(props, key, "");
    }
    distributed_config_t cfg;
    char err[512];
    assert_false(distributed_config_init(&cfg, props, err, sizeof(err)));
    if (!strstr(err, want)) {
        fail_msg("%s=%s: '%s' does not say '%s'", key, value ? value : "", err, want);
    }
    properties_destroy(props);
}

static void test_refused(void **state)
{
    (void)state;
    assert_refused("group.id", NULL, "group.id");
    assert_refused("config.storage.topic", NULL, "config.storage.topic");
    assert_refused("status.storage.topic", NULL, "status.storage.topic");
    assert_refused("connect.protocol", "cooperative", "connect.protocol");
    assert_refused("config.storage.replication.factor", "0",
                   "Replication factor must be positive and not larger than the number of brokers in the Kafka "
                   "cluster, or -1 to use the broker's default");
    assert_refused("status.storage.replication.factor", "-2", "Replication factor must be positive");
    assert_refused("offset.storage.partitions", "0",
                   "Number of partitions must be positive, or -1 to use the broker's default");
    assert_refused("session.timeout.ms", "abc", "session.timeout.ms");
    assert_refused("scheduled.rebalance.max.delay.ms", "-1", "scheduled.rebalance.max.delay.ms");
    assert_refused("rest.advertised.port", "70000", "rest.advertised.port");
    assert_refused("rest.advertised.listener", "ftp", "rest.advertised.listener");
    assert_refused("inter.worker.key.generation.algorithm", "MD5", "inter.worker.key.generation.algorithm");
    assert_refused("inter.worker.verification.algorithms", "HmacSHA256,SHA1withRSA",
                   "inter.worker.verification.algorithms");
    assert_refused("heartbeat.interval.ms", "10000",
                   "heartbeat.interval.ms (10000) must be lower than session.timeout.ms (10000)");
    assert_refused("inter.worker.signature.algorithm", "HmacSHA512",
                   "Invalid value HmacSHA512 for configuration inter.worker.signature.algorithm: Signature algorithm "
                   "must be present in inter.worker.verification.algorithms list");
}

static void test_verification_list(void **state)
{
    (void)state;
    properties_t *props = minimal();
    properties_set(props, "inter.worker.signature.algorithm", "HmacSHA512");
    properties_set(props, "inter.worker.verification.algorithms", "HmacSHA256, HmacSHA512");
    distributed_config_t cfg;
    char err[256];
    assert_true(distributed_config_init(&cfg, props, err, sizeof(err)));
    distributed_config_free(&cfg);
    properties_destroy(props);
}

/* Kafka's sample file, as shipped in etc/: a valid distributed worker
 * file, and a worker file with nothing unknown in it. */
static void test_sample_file(void **state)
{
    (void)state;
    char path[1024], err[512];
    const char *top = getenv("TOP_SRCDIR");
    snprintf(path, sizeof(path), "%s/etc/connect-distributed.properties", top ? top : ".");
    properties_t *props = properties_create();
    assert_int_equal(properties_load_file(props, path, err, sizeof(err)), 0);
    distributed_config_t cfg;
    assert_true(distributed_config_init(&cfg, props, err, sizeof(err)));
    assert_string_equal(cfg.group_id, "connect-cluster");
    assert_int_equal(cfg.config_replication, 1);
    distributed_config_free(&cfg);
    worker_config_t wcfg;
    assert_true(worker_config_init(&wcfg, props, err, sizeof(err)));
    worker_config_free(&wcfg);
    properties_destroy(props);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_are_sound),    cmocka_unit_test(test_kafka_defaults), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_verification_list), cmocka_unit_test(test_sample_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
