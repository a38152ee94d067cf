/*
 * pg_spool.h - where the changes of one streamed transaction wait for its
 * Stream Commit (pgoutput protocol 2): an append-only list of entries, each
 * an LSN and the bytes of one pgoutput message, that can be cut back to an
 * earlier length (a subtransaction rolled back) and read from the start
 * once the transaction committed.
 *
 * Memory is bounded: the first `mem_limit` bytes stay in memory; past them
 * the whole spool moves to a temporary file (in $TMPDIR, or /tmp), unlinked
 * as soon as it is made, so nothing is left behind by a crash and the space
 * is the kernel's to free when the spool is destroyed.  An entry takes its
 * message's length plus 12 bytes.
 *
 * Entries, in memory and in the file alike:
 *
 *   Int64 lsn, Int32 len, Byte[len]          (big-endian, as pgoutput)
 *
 * A pg_spool_t belongs to one thread.
 */
#ifndef CONNECTD_PG_SPOOL_H
#define CONNECTD_PG_SPOOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct pg_spool pg_spool_t;

/* An empty spool that keeps up to mem_limit bytes in memory. */
pg_spool_t *pg_spool_create(size_t mem_limit);
void pg_spool_destroy(pg_spool_t *sp); /* NULL is fine */

/* Appends one entry: `lsn`, then the bytes a[0..alen) and b[0..blen)
 * (two parts, so a message can be stored without a piece of it).  0, or
 * -1 after errbuf when the temporary file cannot be made or written. */
int pg_spool_append(pg_spool_t *sp, uint64_t lsn, const void *a, size_t alen, const void *b, size_t blen, char *errbuf,
                    size_t errlen);

/* The bytes appended so far (entries included): a length to cut back to. */
uint64_t pg_spool_length(const pg_spool_t *sp);

/* Whether the spool has moved to its temporary file. */
int pg_spool_spilled(const pg_spool_t *sp);

/* Cuts the spool back to `length` (a value pg_spool_length returned),
 * dropping the entries appended since.  0, or -1 after errbuf. */
int pg_spool_truncate(pg_spool_t *sp, uint64_t length, char *errbuf, size_t errlen);

/* Reading, from the first entry (appending or cutting back meanwhile is
 * allowed; read again from pg_spool_rewind).  pg_spool_next: 1 with the
 * next entry (*data valid until the next call), 0 at the end, -1 after
 * errbuf (a read error). */
void pg_spool_rewind(pg_spool_t *sp);
int pg_spool_next(pg_spool_t *sp, uint64_t *lsn, const uint8_t **data, size_t *len, char *errbuf, size_t errlen);

#endif
