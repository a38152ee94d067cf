/*
 * pgoutput.h - decodes what a PostgreSQL walsender sends over a logical
 * replication connection with the built-in pgoutput plugin, and encodes the
 * one message the client sends back.
 *
 * Two layers, matching the protocol's (PostgreSQL 15 docs §55.4 "Streaming
 * Replication Protocol" and §55.9 "Logical Replication Message Formats"):
 *
 *   CopyData payload   'w' XLogData: Int64 walStart, Int64 walEnd, Int64
 *                      sendTime, then exactly one pgoutput message;
 *                      'k' primary keepalive: Int64 walEnd, Int64 sendTime,
 *                      Byte1 replyRequested.  pgoutput_copydata_decode().
 *   pgoutput message   Begin, Commit, Origin, Relation, Type, Insert, Update,
 *                      Delete, Truncate, Message, and in protocol v2 Stream
 *                      Start/Stop/Commit/Abort.  pgoutput_decode(), which
 *                      needs a decoder: it caches Relation and Type messages,
 *                      and knows whether it is inside a streamed block, where
 *                      data messages carry an Int32 xid after the type byte.
 *
 * Integers are big-endian; LSNs are uint64_t; times are microseconds since
 * 2000-01-01 00:00 UTC (PostgreSQL's epoch; pgoutput_time_to_unix_us()).
 * Strings are NUL-terminated on the wire.
 *
 * Example: an Insert into relation 16384 of (1, NULL, 'hi') after its
 * Relation message, as the XLogData the walsender sends:
 *
 *   77                           'w'
 *   00 00 00 00 01 53 E2 20      walStart 0/153E220
 *   00 00 00 00 01 53 E2 88      walEnd
 *   00 02 8F 5C 2B 1E 90 00      sendTime
 *   49 00 00 40 00 4E            'I', relid 16384, 'N'
 *   00 03                        3 values
 *   74 00 00 00 01 31            't' length 1 "1"
 *   6E                           'n' NULL
 *   74 00 00 00 02 68 69         't' length 2 "hi"
 *
 * Every length and count is checked against the bytes it is read from, so
 * no input reads out of bounds or makes the decoder allocate more than a
 * small multiple of the input's size.  Malformed input returns an error
 * code, with a message in errstr naming the message, what was wrong and the
 * byte offset (from the start of the buffer given) where it was found; the
 * decoder never aborts.  A Relation message is applied whole or not at all.
 *
 * Memory.  Decoded messages borrow: strings, text and binary values point
 * into the caller's buffer and are valid as long as it is (text values are
 * not NUL-terminated: use their length).  The arrays of tuple values and of
 * truncated relations belong to the decoder and are valid until the next
 * pgoutput_decode() on it.  Relations and types belong to the decoder's
 * caches: a pgoutput_relation_t is valid until a Relation message with the
 * same id is decoded (that replaces it: a schema change) or the decoder is
 * destroyed; a pgoutput_type_t likewise.
 *
 * Threading.  Pure: no I/O, no globals, no libpq.  A decoder is used by one
 * thread at a time (the task thread that owns the replication connection).
 * A decoder belongs to one replication connection: after an error, or on
 * reconnecting, the caller starts over with a new one (the walsender re-sends
 * the Relation messages a new connection needs).
 */
#ifndef CONNECTD_POSTGRES_PGOUTPUT_H
#define CONNECTD_POSTGRES_PGOUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Results: 0 is success, negative values say what kind of input failed. */
#define PGOUTPUT_ERR_MAP(X)                                          \
    X(OK, 0, "success")                                              \
    X(TRUNCATED, -1, "message ends early")                           \
    X(MALFORMED, -2, "malformed message")                            \
    X(UNKNOWN_MESSAGE, -3, "unknown message type")                   \
    X(UNKNOWN_RELATION, -4, "relation id not in the relation cache") \
    X(SEQUENCE, -5, "message out of sequence")                       \
    X(NOMEM, -6, "out of memory")

typedef enum pgoutput_err {
#define PGOUTPUT_ERR_ENUM(name, code, text) PGOUTPUT_ERR_##name = code,
    PGOUTPUT_ERR_MAP(PGOUTPUT_ERR_ENUM)
#undef PGOUTPUT_ERR_ENUM
} pgoutput_err_t;

/* "TRUNCATED", "message ends early"; "UNKNOWN" and "unknown error" for a
 * code not in the map.  Static strings. */
const char *pgoutput_err2name(pgoutput_err_t err);
const char *pgoutput_err2str(pgoutput_err_t err);

/* ---- LSNs and times ---------------------------------------------------- */

/* "FFFFFFFF/FFFFFFFF" and its NUL. */
#define PGOUTPUT_LSN_BUFSIZE 18

/* Writes `lsn` as PostgreSQL prints a pg_lsn ("%X/%X": "0/153CC58") into
 * buf; returns buf.  `buf` has PGOUTPUT_LSN_BUFSIZE bytes. */
char *pgoutput_lsn_format(uint64_t lsn, char buf[PGOUTPUT_LSN_BUFSIZE]);

/* Parses pg_lsn text: 1 to 8 hex digits, '/', 1 to 8 hex digits, nothing
 * else (pg_lsn_in's rule).  Returns false, leaving *lsn alone, otherwise. */
bool pgoutput_lsn_parse(const char *text, uint64_t *lsn);

/* Microseconds since 2000-01-01 (commit timestamps, sendTime) to and from
 * microseconds since 1970-01-01. */
int64_t pgoutput_time_to_unix_us(int64_t pg_us);
int64_t pgoutput_time_from_unix_us(int64_t unix_us);

/* ---- CopyData: XLogData, keepalive, standby status update --------------- */

typedef struct pgoutput_copydata {
    char type;            /* 'w' XLogData or 'k' keepalive */
    uint64_t wal_start;   /* 'w': the LSN of the data; 0 for 'k' */
    uint64_t wal_end;     /* the server's current end of WAL */
    int64_t send_time;    /* server clock, µs since 2000-01-01 */
    bool reply_requested; /* 'k': answer with a status update now */
    const uint8_t *data;  /* 'w': the pgoutput message, into buf; NULL for 'k' */
    size_t len;           /* its length (may be 0: pgoutput_decode then fails) */
} pgoutput_copydata_t;

/* Decodes one CopyData payload (what PQgetCopyData returned, type byte
 * first).  Any other type byte is PGOUTPUT_ERR_UNKNOWN_MESSAGE.  *cd
 * borrows buf. */
pgoutput_err_t pgoutput_copydata_decode(const uint8_t *buf, size_t len, pgoutput_copydata_t *cd, char *errstr,
                                        size_t errstr_size);

/* 'r', three LSNs, the clock and the reply flag. */
#define PGOUTPUT_STANDBY_STATUS_SIZE 34

/* Writes the standby status update ('r': Int64 written, flushed, applied
 * LSNs, Int64 clock in µs since 2000-01-01, Byte1 replyRequested) into out,
 * to be sent with PQputCopyData.  For a logical slot the server keeps
 * `flush_lsn` as its confirmed_flush_lsn: WAL before it may be recycled, so
 * it must only cover changes whose records are committed.  Returns
 * PGOUTPUT_STANDBY_STATUS_SIZE. */
size_t pgoutput_standby_status_encode(uint8_t out[PGOUTPUT_STANDBY_STATUS_SIZE], uint64_t write_lsn, uint64_t flush_lsn,
                                      uint64_t apply_lsn, int64_t clock, bool reply_requested);

/* ---- pgoutput messages -------------------------------------------------- */

/* The message types, valued as their type byte. */
typedef enum pgoutput_msg_type {
    PGOUTPUT_MSG_BEGIN = 'B',
    PGOUTPUT_MSG_COMMIT = 'C',
    PGOUTPUT_MSG_ORIGIN = 'O',
    PGOUTPUT_MSG_RELATION = 'R',
    PGOUTPUT_MSG_TYPE = 'Y',
    PGOUTPUT_MSG_INSERT = 'I',
    PGOUTPUT_MSG_UPDATE = 'U',
    PGOUTPUT_MSG_DELETE = 'D',
    PGOUTPUT_MSG_TRUNCATE = 'T',
    PGOUTPUT_MSG_MESSAGE = 'M',
    PGOUTPUT_MSG_STREAM_START = 'S',  /* v2 */
    PGOUTPUT_MSG_STREAM_STOP = 'E',   /* v2 */
    PGOUTPUT_MSG_STREAM_COMMIT = 'c', /* v2 */
    PGOUTPUT_MSG_STREAM_ABORT = 'A',  /* v2 */
} pgoutput_msg_type_t;

/* "Begin", "Stream Commit", ...: the docs' names; "unknown" otherwise. */
const char *pgoutput_msg_type_name(pgoutput_msg_type_t type);

/* One column of a Relation message. */
typedef struct pgoutput_column {
    const char *name; /* owned by the relation */
    uint32_t type_oid;
    int32_t typmod; /* atttypmod: -1 when the type has none */
    bool key;       /* flag 1: part of the replica identity */
} pgoutput_column_t;

/* A cached Relation message: the table's columns as the following tuples
 * carry them (dropped and generated columns are not sent). */
typedef struct pgoutput_relation {
    uint32_t relid;
    /* Bumped, decoder-wide, by every Relation message: a relation whose
     * version differs from the one a schema was built for has changed. */
    uint32_t version;
    const char *nspname; /* "pg_catalog" where the wire says "" */
    const char *relname;
    char replident; /* pg_class.relreplident: 'd' default, 'n' nothing, 'f' full, 'i' index */
    uint16_t ncols;
    const pgoutput_column_t *cols;
} pgoutput_relation_t;

/* A cached Type message: a non-built-in type named by OID. */
typedef struct pgoutput_type {
    uint32_t oid;
    const char *nspname; /* "pg_catalog" where the wire says "" */
    const char *name;
} pgoutput_type_t;

typedef enum pgoutput_datum_kind {
    PGOUTPUT_DATUM_NULL = 'n',
    PGOUTPUT_DATUM_UNCHANGED = 'u', /* an unchanged TOASTed value, not sent */
    PGOUTPUT_DATUM_TEXT = 't',      /* the type's text output */
    PGOUTPUT_DATUM_BINARY = 'b',    /* the type's send format (option binary) */
} pgoutput_datum_kind_t;

/* One value of a TupleData: vals[i] belongs to the relation's cols[i]. */
typedef struct pgoutput_datum {
    pgoutput_datum_kind_t kind;
    uint32_t len;        /* text and binary: the length; 0 otherwise */
    const uint8_t *data; /* text and binary: into the input, not NUL-terminated; NULL otherwise */
} pgoutput_datum_t;

typedef struct pgoutput_tuple {
    uint16_t ncols; /* always the relation's ncols */
    const pgoutput_datum_t *vals;
} pgoutput_tuple_t;

typedef struct pgoutput_msg {
    pgoutput_msg_type_t type;
    /* Relation, Type, Insert, Update, Delete, Truncate and Message inside a
     * streamed block (v2): the xid of the (sub)transaction they belong to;
     * 0 outside one. */
    uint32_t xid;
    union {
        struct {
            uint64_t final_lsn; /* the LSN of the commit record */
            int64_t commit_ts;
            uint32_t xid;
        } begin;
        struct {
            uint8_t flags;       /* unused, 0 */
            uint64_t commit_lsn; /* the LSN of the commit record */
            uint64_t end_lsn;    /* the end of it: the LSN to confirm once this transaction is delivered */
            int64_t commit_ts;
        } commit;
        struct {
            uint64_t commit_lsn; /* the commit's LSN on the origin server */
            const char *name;
        } origin;
        struct {
            const pgoutput_relation_t *rel; /* the new cache entry */
        } relation;
        struct {
            const pgoutput_type_t *type; /* the new cache entry */
        } type;
        /* Insert, Update and Delete. */
        struct {
            const pgoutput_relation_t *rel;
            /* The old row: 0 when not sent; 'K' the replica identity's
             * columns (others NULL) when they changed or on delete; 'O' the
             * whole row (REPLICA IDENTITY FULL). */
            char old_kind;
            pgoutput_tuple_t oldtup; /* when old_kind is not 0 */
            pgoutput_tuple_t newtup; /* Insert and Update */
        } change;
        struct {
            uint8_t options;       /* as sent: bits 1 and 2, and any others */
            bool cascade;          /* option 1 */
            bool restart_identity; /* option 2 */
            uint32_t nrels;
            const pgoutput_relation_t *const *rels;
        } truncate;
        struct {
            uint8_t flags;
            bool transactional; /* flag 1; else sent at once, outside any transaction */
            uint64_t lsn;
            const char *prefix;
            uint32_t len;
            const uint8_t *content; /* into the input */
        } message;
        struct {
            uint32_t xid;
            bool first_segment; /* the first block of this transaction */
        } stream_start;
        struct {
            uint32_t xid;
            uint8_t flags; /* unused, 0 */
            uint64_t commit_lsn;
            uint64_t end_lsn;
            int64_t commit_ts;
        } stream_commit;
        struct {
            uint32_t xid;
            uint32_t subxid; /* equal to xid when the whole transaction aborted */
        } stream_abort;
    } u;
} pgoutput_msg_t;

typedef struct pgoutput_decoder pgoutput_decoder_t;

/* A decoder for pgoutput protocol version 1 or 2 (START_REPLICATION's
 * proto_version); NULL with a message in errstr for another version or when
 * out of memory. */
pgoutput_decoder_t *pgoutput_decoder_create(int proto_version, char *errstr, size_t errstr_size);
void pgoutput_decoder_destroy(pgoutput_decoder_t *dec); /* NULL is fine */

/* Decodes one pgoutput message (the data of an XLogData) into *msg, which
 * borrows as "Memory." above says.  Relation and Type messages update the
 * caches; Stream Start and Stop move in and out of a streamed block.
 * Insert, Update, Delete and Truncate need their relations in the cache
 * (PGOUTPUT_ERR_UNKNOWN_RELATION otherwise), and their tuples must carry as
 * many values as the relation has columns.  Stream messages under v1,
 * Begin, Commit, Stream Start and Stream Commit/Abort inside a streamed
 * block and Stream Stop outside one are errors.  Bytes left over after the
 * message are an error: nothing is skipped unread.  On failure *msg is
 * zeroed and the decoder's state is as before (the caches unchanged). */
pgoutput_err_t pgoutput_decode(pgoutput_decoder_t *dec, const uint8_t *buf, size_t len, pgoutput_msg_t *msg,
                               char *errstr, size_t errstr_size);

/* The cached relation or type with that id, or NULL.  Borrowed as above. */
const pgoutput_relation_t *pgoutput_decoder_relation(const pgoutput_decoder_t *dec, uint32_t relid);
const pgoutput_type_t *pgoutput_decoder_type(const pgoutput_decoder_t *dec, uint32_t oid);

/* True between a Stream Start and its Stream Stop. */
bool pgoutput_decoder_in_stream(const pgoutput_decoder_t *dec);

/* Inside a streamed block, whether buf is a data message (Relation, Type,
 * Insert, Update, Delete, Truncate, Message): true with *xid set to the
 * xid of its (sub)transaction, the Int32 after its type byte.  The rest of
 * the message is what it would be outside a stream, so a client that keeps
 * a streamed transaction until its Stream Commit keeps the type byte and
 * buf[5..], and decodes them with pgoutput_decode() once the transaction
 * committed, outside any block, where no xid is read (PostgreSQL's own
 * subscriber applies a streamed Relation message only at the commit, too).
 * False for any other message, and for one too short for its xid, which
 * pgoutput_decode() then rejects with the reason.  Reads nothing else. */
bool pgoutput_stream_xid(const pgoutput_decoder_t *dec, const uint8_t *buf, size_t len, uint32_t *xid);

#endif
