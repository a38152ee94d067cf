/* Unit tests for connect_protocol.c: Kafka Connect's group protocol bytes.
 *
 * How the vectors were derived: from the Schema definitions of Kafka's
 * connect/runtime/.../distributed/ConnectProtocol.java (CONNECT_PROTOCOL_HEADER_SCHEMA,
 * CONFIG_STATE_V0, CONNECTOR_ASSIGNMENT_V0, ASSIGNMENT_V0) and
 * IncrementalCooperativeConnectProtocol.java (ALLOCATION_V1, ASSIGNMENT_V1),
 * writing each field in schema order with the encodings of
 * org.apache.kafka.common.protocol.types.Type: INT16/INT32/INT64 big-endian,
 * STRING = INT16 length + UTF-8, ARRAY = INT32 count + items (ArrayOf.nullable:
 * -1 for null), NULLABLE_BYTES = INT32 length + bytes (-1 for null).
 * serializeMetadata writes the header struct then CONFIG_STATE (then, for
 * version 1/2, ALLOCATION_V1 whose bytes are serializeAssignment's output,
 * header included); serializeAssignment writes the header then ASSIGNMENT_*.
 * Each byte below is annotated with the field it belongs to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "distributed/connect_protocol.h"

#define URL 0x00, 0x0d, 'h', 't', 't', 'p', ':', '/', '/', 'a', ':', '8', '0', '8', '3' /* STRING "http://a:8083" */
#define OFFSET5 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05                          /* INT64 5 */

/* serializeMetadata(WorkerState("http://a:8083", 5)), eager. */
static const uint8_t eager_metadata[] = {
    0x00,
    0x00, /* version 0 */
    URL,
    OFFSET5,
};

/* IncrementalCooperativeConnectProtocol.serializeMetadata(url, 5, empty assignment, sessioned=false):
 * the empty assignment serializes as null, so allocation is null bytes. */
static const uint8_t compatible_metadata_null[] = {
    0x00, 0x01,                            /* version 1 */
    URL,  OFFSET5, 0xff, 0xff, 0xff, 0xff, /* allocation: null */
};

/* serializeAssignment(ExtendedAssignment(version 2, NO_ERROR, "w1", "http://a:8083", 5,
 * connectors [c], tasks [c-0], revoked nothing, delay 0), sessioned=true). */
#define ASSIGNMENT_V2_BODY                                     \
    0x00, 0x02,                 /* version 2 */                \
        0x00, 0x00,             /* error NO_ERROR */           \
        0x00, 0x02, 'w', '1',   /* leader */                   \
        URL,                    /* leader-url */               \
        OFFSET5,                /* config-offset */            \
        0x00, 0x00, 0x00, 0x01, /* assignment: 1 connector */  \
        0x00, 0x01, 'c',        /* connector "c" */            \
        0x00, 0x00, 0x00, 0x02, /* tasks: 2 */                 \
        0xff, 0xff, 0xff, 0xff, /* -1: the connector itself */ \
        0x00, 0x00, 0x00, 0x00, /* task 0 */                   \
        0x00, 0x00, 0x00, 0x00, /* revoked: empty array */     \
        0x00, 0x00, 0x00, 0x00  /* delay 0 */

static const uint8_t assignment_v2[] = {ASSIGNMENT_V2_BODY};

/* IncrementalCooperativeConnectProtocol.serializeMetadata(url, 5, the assignment above, sessioned=true). */
static const uint8_t sessioned_metadata[] = {
    0x00,
    0x02, /* version 2 */
    URL,
    OFFSET5,
    0x00,
    0x00,
    0x00,
    0x3a, /* allocation: 58 bytes */
    ASSIGNMENT_V2_BODY,
};

/* ConnectProtocol.serializeAssignment(Assignment(CONFIG_MISMATCH, "w1", "http://a:8083", 5,
 * connectors [], tasks [c-1, c-2])). */
static const uint8_t assignment_v0[] = {
    0x00,    0x00,             /* version 0 */
    0x00,    0x01,             /* error CONFIG_MISMATCH */
    0x00,    0x02, 'w',  '1',  /* leader */
    URL,                       /* leader-url */
    OFFSET5,                   /* config-offset */
    0x00,    0x00, 0x00, 0x01, /* assignment: 1 connector */
    0x00,    0x01, 'c',        /* "c" */
    0x00,    0x00, 0x00, 0x02, /* tasks: 2 */
    0x00,    0x00, 0x00, 0x01, /* 1 */
    0x00,    0x00, 0x00, 0x02, /* 2 */
};

/* A version 1 assignment that revokes task c-3 and asks for a 3000 ms delay. */
static const uint8_t assignment_v1_revoke[] = {
    0x00,    0x01,             /* version 1 */
    0x00,    0x00,             /* error */
    0x00,    0x02, 'w',  '1',  /* leader */
    URL,                       /* leader-url */
    OFFSET5,                   /* config-offset */
    0x00,    0x00, 0x00, 0x00, /* assignment: empty */
    0x00,    0x00, 0x00, 0x01, /* revoked: 1 connector */
    0x00,    0x01, 'c',        /* "c" */
    0x00,    0x00, 0x00, 0x01, /* tasks: 1 */
    0x00,    0x00, 0x00, 0x03, /* 3 */
    0x00,    0x00, 0x0b, 0xb8, /* delay 3000 */
};

/* `out` and `out_len` are read after `rc`'s call has set them. */
static void assert_encodes(int rc, uint8_t **out, const size_t *out_len, const uint8_t *want, size_t want_len)
{
    assert_int_equal(rc, 0);
    assert_int_equal(*out_len, want_len);
    assert_memory_equal(*out, want, want_len);
    free(*out);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(connect_protocol_name(CONNECT_PROTOCOL_EAGER), "default");
    assert_string_equal(connect_protocol_name(CONNECT_PROTOCOL_COMPATIBLE), "compatible");
    assert_string_equal(connect_protocol_name(CONNECT_PROTOCOL_SESSIONED), "sessioned");
    assert_int_equal(connect_protocol_from_name("default"), CONNECT_PROTOCOL_EAGER);
    assert_int_equal(connect_protocol_from_name("Sessioned"), CONNECT_PROTOCOL_SESSIONED);
    assert_int_equal(connect_protocol_from_name("eager"), -1);
    assert_int_equal(connect_protocol_from_config("eager"), CONNECT_PROTOCOL_EAGER);
    assert_int_equal(connect_protocol_from_config("COMPATIBLE"), CONNECT_PROTOCOL_COMPATIBLE);
    assert_int_equal(connect_protocol_from_config("sessioned"), CONNECT_PROTOCOL_SESSIONED);
    assert_int_equal(connect_protocol_from_config("default"), -1);
}

static void test_eager_metadata(void **state)
{
    (void)state;
    char err[256];
    uint8_t *out;
    size_t len;
    connect_worker_state_t ws = {.version = 0, .url = "http://a:8083", .config_offset = 5};
    assert_encodes(connect_metadata_encode(&ws, &out, &len, err, sizeof(err)), &out, &len, eager_metadata,
                   sizeof(eager_metadata));

    connect_worker_state_t *got = connect_metadata_decode(CONNECT_PROTOCOL_EAGER, eager_metadata,
                                                          sizeof(eager_metadata), err, sizeof(err));
    assert_non_null(got);
    assert_int_equal(got->version, 0);
    assert_string_equal(got->url, "http://a:8083");
    assert_int_equal(got->config_offset, 5);
    assert_null(got->assignment);
    connect_worker_state_destroy(got);

    /* A compatible reader reads eager metadata: no allocation, so none. */
    got = connect_metadata_decode(CONNECT_PROTOCOL_COMPATIBLE, eager_metadata, sizeof(eager_metadata), err,
                                  sizeof(err));
    assert_non_null(got);
    assert_null(got->assignment);
    connect_worker_state_destroy(got);
}

static void test_compatible_metadata_null_allocation(void **state)
{
    (void)state;
    char err[256];
    uint8_t *out;
    size_t len;
    connect_worker_state_t ws = {.version = 1, .url = "http://a:8083", .config_offset = 5};
    assert_encodes(connect_metadata_encode(&ws, &out, &len, err, sizeof(err)), &out, &len, compatible_metadata_null,
                   sizeof(compatible_metadata_null));
    connect_worker_state_t *got = connect_metadata_decode(CONNECT_PROTOCOL_COMPATIBLE, compatible_metadata_null,
                                                          sizeof(compatible_metadata_null), err, sizeof(err));
    assert_non_null(got);
    assert_int_equal(got->version, 1);
    assert_null(got->assignment);
    connect_worker_state_destroy(got);

    /* An eager reader reads it as version 0 and ignores the allocation. */
    got = connect_metadata_decode(CONNECT_PROTOCOL_EAGER, compatible_metadata_null, sizeof(compatible_metadata_null),
                                  err, sizeof(err));
    assert_non_null(got);
    assert_int_equal(got->version, 1);
    assert_string_equal(got->url, "http://a:8083");
    connect_worker_state_destroy(got);
}

static int32_t c_tasks[] = {-1, 0};
static connect_assignment_entry_t c_entry = {.connector = "c", .tasks = c_tasks, .n_tasks = 2};
static connect_assignment_t the_v2 = {.version = 2,
                                      .error = 0,
                                      .leader = "w1",
                                      .leader_url = "http://a:8083",
                                      .config_offset = 5,
                                      .assigned = &c_entry,
                                      .n_assigned = 1};

static void assert_is_the_v2(const connect_assignment_t *as)
{
    assert_non_null(as);
    assert_int_equal(as->version, 2);
    assert_int_equal(as->error, 0);
    assert_string_equal(as->leader, "w1");
    assert_string_equal(as->leader_url, "http://a:8083");
    assert_int_equal(as->config_offset, 5);
    assert_int_equal(as->n_assigned, 1);
    assert_string_equal(as->assigned[0].connector, "c");
    assert_int_equal(as->assigned[0].n_tasks, 2);
    assert_int_equal(as->assigned[0].tasks[0], CONNECT_PROTOCOL_CONNECTOR_TASK);
    assert_int_equal(as->assigned[0].tasks[1], 0);
    assert_int_equal(as->n_revoked, 0);
    assert_int_equal(as->delay_ms, 0);
}

static void test_sessioned_metadata(void **state)
{
    (void)state;
    char err[256];
    uint8_t *out;
    size_t len;
    connect_worker_state_t ws = {.version = 2, .url = "http://a:8083", .config_offset = 5, .assignment = &the_v2};
    assert_encodes(connect_metadata_encode(&ws, &out, &len, err, sizeof(err)), &out, &len, sessioned_metadata,
                   sizeof(sessioned_metadata));
    connect_worker_state_t *got = connect_metadata_decode(CONNECT_PROTOCOL_SESSIONED, sessioned_metadata,
                                                          sizeof(sessioned_metadata), err, sizeof(err));
    assert_non_null(got);
    assert_int_equal(got->version, 2);
    assert_is_the_v2(got->assignment);
    connect_worker_state_destroy(got);
}

static void test_assignment_v2(void **state)
{
    (void)state;
    char err[256];
    uint8_t *out;
    size_t len;
    assert_encodes(connect_assignment_encode(&the_v2, &out, &len, err, sizeof(err)), &out, &len, assignment_v2,
                   sizeof(assignment_v2));
    connect_assignment_t *got = connect_assignment_decode(CONNECT_PROTOCOL_SESSIONED, assignment_v2,
                                                          sizeof(assignment_v2), err, sizeof(err));
    assert_is_the_v2(got);
    connect_assignment_destroy(got);

    /* An eager reader takes the version 0 part and ignores revoked and delay. */
    got = connect_assignment_decode(CONNECT_PROTOCOL_EAGER, assignment_v2, sizeof(assignment_v2), err, sizeof(err));
    assert_is_the_v2(got);
    connect_assignment_destroy(got);
}

static void test_assignment_v0(void **state)
{
    (void)state;
    char err[256];
    uint8_t *out;
    size_t len;
    int32_t tasks[] = {1, 2};
    connect_assignment_entry_t ent = {.connector = "c", .tasks = tasks, .n_tasks = 2};
    connect_assignment_t as = {.version = 0,
                               .error = CONNECT_ASSIGNMENT_CONFIG_MISMATCH,
                               .leader = "w1",
                               .leader_url = "http://a:8083",
                               .config_offset = 5,
                               .assigned = &ent,
                               .n_assigned = 1,
                               /* Not written in version 0. */
                               .delay_ms = 99};
    assert_encodes(connect_assignment_encode(&as, &out, &len, err, sizeof(err)), &out, &len, assignment_v0,
                   sizeof(assignment_v0));
    connect_assignment_t *got = connect_assignment_decode(CONNECT_PROTOCOL_EAGER, assignment_v0, sizeof(assignment_v0),
                                                          err, sizeof(err));
    assert_non_null(got);
    assert_int_equal(got->error, CONNECT_ASSIGNMENT_CONFIG_MISMATCH);
    assert_int_equal(got->n_assigned, 1);
    assert_int_equal(got->assigned[0].tasks[1], 2);
    connect_assignment_destroy(got);

    /* A compatible reader reads a version 0 assignment: revoked and delay take their defaults. */
    got = connect_assignment_decode(CONNECT_PROTOCOL_COMPATIBLE, assignment_v0, sizeof(assignment_v0), err,
                                    sizeof(err));
    assert_non_null(got);
    assert_int_equal(got->n_revoked, 0);
    assert_int_equal(got->delay_ms, 0);
    connect_assignment_destroy(got);
}

static void test_assignment_v1_revoked(void **state)
{
    (void)state;
    char err[256];
    uint8_t *out;
    size_t len;
    int32_t tasks[] = {3};
    connect_assignment_entry_t ent = {.connector = "c", .tasks = tasks, .n_tasks = 1};
    connect_assignment_t as = {.version = 1,
                               .leader = "w1",
                               .leader_url = "http://a:8083",
                               .config_offset = 5,
                               .revoked = &ent,
                               .n_revoked = 1,
                               .delay_ms = 3000};
    assert_encodes(connect_assignment_encode(&as, &out, &len, err, sizeof(err)), &out, &len, assignment_v1_revoke,
                   sizeof(assignment_v1_revoke));
    connect_assignment_t *got = connect_assignment_decode(CONNECT_PROTOCOL_COMPATIBLE, assignment_v1_revoke,
                                                          sizeof(assignment_v1_revoke), err, sizeof(err));
    assert_non_null(got);
    assert_int_equal(got->n_assigned, 0);
    assert_int_equal(got->n_revoked, 1);
    assert_string_equal(got->revoked[0].connector, "c");
    assert_int_equal(got->revoked[0].tasks[0], 3);
    assert_int_equal(got->delay_ms, 3000);

    /* Round trip: what was read writes the same bytes. */
    assert_encodes(connect_assignment_encode(got, &out, &len, err, sizeof(err)), &out, &len, assignment_v1_revoke,
                   sizeof(assignment_v1_revoke));
    connect_assignment_destroy(got);

    /* Null arrays (count -1) read as empty. */
    uint8_t nulls[sizeof(assignment_v1_revoke)];
    memcpy(nulls, assignment_v1_revoke, 31);
    memset(nulls + 31, 0xff, 8); /* assignment null, revoked null */
    memcpy(nulls + 39, assignment_v1_revoke + sizeof(assignment_v1_revoke) - 4, 4);
    got = connect_assignment_decode(CONNECT_PROTOCOL_COMPATIBLE, nulls, 43, err, sizeof(err));
    assert_non_null(got);
    assert_int_equal(got->n_assigned, 0);
    assert_int_equal(got->n_revoked, 0);
    assert_int_equal(got->delay_ms, 3000);
    connect_assignment_destroy(got);
}

/* Every prefix of every vector shorter than what an eager reader needs is
 * refused with a message that names the field; from there on the eager
 * reader takes it and ignores what follows. */
static void test_truncated_refused(void **state)
{
    (void)state;
    char err[256];
    const struct {
        const uint8_t *buf;
        size_t len;
        bool metadata;
        size_t eager_len; /* the end of the version 0 fields */
    } vectors[] = {
        {eager_metadata, sizeof(eager_metadata), true, 25},
        {compatible_metadata_null, sizeof(compatible_metadata_null), true, 25},
        {sessioned_metadata, sizeof(sessioned_metadata), true, 25},
        {assignment_v0, sizeof(assignment_v0), false, 50},
        {assignment_v2, sizeof(assignment_v2), false, 50},
        {assignment_v1_revoke, sizeof(assignment_v1_revoke), false, 35},
    };
    for (size_t v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++) {
        for (size_t n = 0; n <= vectors[v].len; n++) {
            err[0] = '\0';
            void *got;
            if (vectors[v].metadata) {
                got = connect_metadata_decode(CONNECT_PROTOCOL_EAGER, vectors[v].buf, n, err, sizeof(err));
            } else {
                got = connect_assignment_decode(CONNECT_PROTOCOL_EAGER, vectors[v].buf, n, err, sizeof(err));
            }
            if (n < vectors[v].eager_len) {
                assert_null(got);
                assert_non_null(strstr(err, "Error reading field '"));
            } else {
                assert_non_null(got);
            }
            if (vectors[v].metadata) {
                connect_worker_state_destroy(got);
            } else {
                connect_assignment_destroy(got);
            }
        }
    }
    /* The version 1 readers take a body cut at a field boundary after
     * config-offset (Kafka's defaults), and refuse every other cut. */
    for (size_t n = 0; n < sizeof(assignment_v1_revoke); n++) {
        connect_assignment_t *got = connect_assignment_decode(CONNECT_PROTOCOL_COMPATIBLE, assignment_v1_revoke, n, err,
                                                              sizeof(err));
        bool boundary = n == 31 || n == 35 || n == 50;
        if (boundary) {
            assert_non_null(got);
        } else {
            assert_null(got);
            assert_non_null(strstr(err, "Error reading field '"));
        }
        connect_assignment_destroy(got);
    }
    /* Metadata: the allocation may be missing, never cut. */
    for (size_t n = 0; n < sizeof(sessioned_metadata); n++) {
        connect_worker_state_t *got = connect_metadata_decode(CONNECT_PROTOCOL_SESSIONED, sessioned_metadata, n, err,
                                                              sizeof(err));
        if (n == 25) {
            assert_non_null(got);
            assert_null(got->assignment);
        } else {
            assert_null(got);
        }
        connect_worker_state_destroy(got);
    }
    assert_null(connect_metadata_decode(CONNECT_PROTOCOL_SESSIONED, sessioned_metadata, 40, err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'allocation': Error reading bytes of size 58, only 11 bytes "
                             "available");
    assert_null(connect_assignment_decode(CONNECT_PROTOCOL_COMPATIBLE, assignment_v2, 20, err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'leader-url': Error reading string of length 13, only 10 bytes "
                             "available");
    assert_null(connect_assignment_decode(CONNECT_PROTOCOL_COMPATIBLE, assignment_v2, 4, err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'leader': missing value for a field which has no default value");
    assert_null(connect_assignment_decode(CONNECT_PROTOCOL_EAGER, assignment_v2, 30, err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'config-offset': need 8 bytes, only 7 available");
}

static void test_malformed_refused(void **state)
{
    (void)state;
    char err[256];
    uint8_t buf[sizeof(sessioned_metadata)];

    /* A negative version, as Kafka's checkVersionCompatibility refuses it. */
    memcpy(buf, eager_metadata, sizeof(eager_metadata));
    buf[0] = 0xff;
    buf[1] = 0xff;
    assert_null(connect_metadata_decode(CONNECT_PROTOCOL_EAGER, buf, sizeof(eager_metadata), err, sizeof(err)));
    assert_string_equal(err, "Unsupported subscription version: -1");

    /* A negative string length. */
    memcpy(buf, eager_metadata, sizeof(eager_metadata));
    buf[2] = 0x80;
    assert_null(connect_metadata_decode(CONNECT_PROTOCOL_EAGER, buf, sizeof(eager_metadata), err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'url': String length -32755 cannot be negative");

    /* A NUL inside a string. */
    memcpy(buf, eager_metadata, sizeof(eager_metadata));
    buf[5] = 0;
    assert_null(connect_metadata_decode(CONNECT_PROTOCOL_EAGER, buf, sizeof(eager_metadata), err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'url': string holds a NUL byte");

    /* An array count larger than the input. */
    memcpy(buf, assignment_v0, sizeof(assignment_v0));
    buf[34] = 0x7f;
    assert_null(connect_assignment_decode(CONNECT_PROTOCOL_EAGER, buf, sizeof(assignment_v0), err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'assignment': Error reading array of size 127, only 15 bytes "
                             "available");

    /* A null array where version 0 allows none. */
    memset(buf + 31, 0xff, 4);
    assert_null(connect_assignment_decode(CONNECT_PROTOCOL_EAGER, buf, sizeof(assignment_v0), err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'assignment': Array size -1 cannot be negative");

    /* A negative task count. */
    memcpy(buf, assignment_v0, sizeof(assignment_v0));
    buf[38] = 0xff;
    assert_null(connect_assignment_decode(CONNECT_PROTOCOL_EAGER, buf, sizeof(assignment_v0), err, sizeof(err)));
    assert_string_equal(err, "Error reading field 'tasks': Array size -16777214 cannot be negative");

    /* A broken assignment inside the allocation is refused as the allocation. */
    memcpy(buf, sessioned_metadata, sizeof(sessioned_metadata));
    buf[29 + 4] = 0x7f; /* the leader's length, inside the allocation */
    assert_null(connect_metadata_decode(CONNECT_PROTOCOL_SESSIONED, buf, sizeof(sessioned_metadata), err, sizeof(err)));
    assert_non_null(strstr(err, "Error reading field 'allocation': Error reading field 'leader': "));

    /* Bytes after the last field are ignored, as Kafka ignores them. */
    uint8_t longer[sizeof(eager_metadata) + 3];
    memcpy(longer, eager_metadata, sizeof(eager_metadata));
    memset(longer + sizeof(eager_metadata), 0xab, 3);
    connect_worker_state_t *got = connect_metadata_decode(CONNECT_PROTOCOL_EAGER, longer, sizeof(longer), err,
                                                          sizeof(err));
    assert_non_null(got);
    connect_worker_state_destroy(got);
}

static void test_encode_refused(void **state)
{
    (void)state;
    char err[256];
    uint8_t *out = NULL;
    size_t len;
    connect_assignment_t as = {.version = 1, .leader = NULL, .leader_url = "u"};
    assert_int_equal(connect_assignment_encode(&as, &out, &len, err, sizeof(err)), -1);
    assert_string_equal(err, "field 'leader' is a STRING and cannot be null");

    as.leader = "w";
    as.version = 3;
    assert_int_equal(connect_assignment_encode(&as, &out, &len, err, sizeof(err)), -1);
    assert_string_equal(err, "Connect protocol version 3 is not one of 0 (eager), 1 (compatible), 2 (sessioned)");

    char *big = malloc(40000);
    memset(big, 'x', 39999);
    big[39999] = '\0';
    connect_worker_state_t ws = {.version = 0, .url = big};
    assert_int_equal(connect_metadata_encode(&ws, &out, &len, err, sizeof(err)), -1);
    assert_string_equal(err, "field 'url': string length 39999 is larger than the maximum string length");
    free(big);

    /* A bad assignment inside metadata fails the metadata. */
    as.version = 1;
    as.leader = NULL;
    connect_worker_state_t ws2 = {.version = 1, .url = "u", .assignment = &as};
    assert_int_equal(connect_metadata_encode(&ws2, &out, &len, err, sizeof(err)), -1);
    assert_string_equal(err, "field 'leader' is a STRING and cannot be null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_eager_metadata),
        cmocka_unit_test(test_compatible_metadata_null_allocation),
        cmocka_unit_test(test_sessioned_metadata),
        cmocka_unit_test(test_assignment_v2),
        cmocka_unit_test(test_assignment_v0),
        cmocka_unit_test(test_assignment_v1_revoked),
        cmocka_unit_test(test_truncated_refused),
        cmocka_unit_test(test_malformed_refused),
        cmocka_unit_test(test_encode_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
