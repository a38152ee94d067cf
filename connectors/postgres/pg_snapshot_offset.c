/*
 * pg_snapshot_offset.c - the snapshot's source offsets and the decision a
 * start makes from them (pg_snapshot_offset.h).
 *
 * The decision, for the two facts besides the mode that change it (an
 * offset in the middle of a snapshot; the changes after the offset lost,
 * because the slot is gone or was confirmed past it):
 *
 *   mode          no offset      snapshot unfinished   stream offset    ... changes lost
 *   no_data       stream         stream                stream           stream
 *   initial       snapshot       resume                stream           (resume: starts over)
 *   initial_only  snapshot       resume                idle             -
 *   always        snapshot       resume                snapshot         snapshot
 *   when_needed   snapshot       resume                stream           snapshot
 */
#include "pg_snapshot_offset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pg_snapshot_position_in_progress(const pg_snapshot_position_t *pos)
{
    return pos->present && pos->snapshot && !pos->completed;
}

static const cd_value_t *get(const cd_host_api_t *host, const cd_value_t *map, const char *key, cd_type_t want)
{
    const cd_value_t *v = host->value_map_get(map, key);
    cd_type_t type = v ? host->value_type(v) : CD_TYPE_NULL;
    bool integer = type >= CD_TYPE_INT8 && type <= CD_TYPE_INT64;
    if (!v || (want == CD_TYPE_INT64 ? !integer : type != want)) {
        return NULL;
    }
    return v;
}

static char *get_string(const cd_host_api_t *host, const cd_value_t *map, const char *key)
{
    const cd_value_t *v = get(host, map, key, CD_TYPE_STRING);
    size_t len = 0;
    const char *s = v ? host->value_get_string(v, &len) : NULL;
    return s ? strndup(s, len) : NULL;
}

static int64_t get_int(const cd_host_api_t *host, const cd_value_t *map, const char *key)
{
    const cd_value_t *v = get(host, map, key, CD_TYPE_INT64);
    return v ? host->value_get_int(v) : 0;
}

static bool get_bool(const cd_host_api_t *host, const cd_value_t *map, const char *key)
{
    const cd_value_t *v = get(host, map, key, CD_TYPE_BOOLEAN);
    return v && host->value_get_bool(v);
}

int pg_snapshot_position_read(const cd_host_api_t *host, const cd_value_t *offset, pg_snapshot_position_t *pos,
                              char *errbuf, size_t errlen)
{
    memset(pos, 0, sizeof(*pos));
    if (!offset || host->value_type(offset) == CD_TYPE_NULL) {
        return 0;
    }
    const cd_value_t *lsn = host->value_type(offset) == CD_TYPE_MAP ? get(host, offset, "lsn_proc", CD_TYPE_INT64)
                                                                    : NULL;
    if (!lsn || host->value_get_int(lsn) < 0) {
        snprintf(errbuf, errlen, "the committed offset has no LSN in lsn_proc");
        return -1;
    }
    pos->present = true;
    pos->lsn_proc = (uint64_t)host->value_get_int(lsn);
    pos->snapshot = get_bool(host, offset, "snapshot");
    pos->completed = get_bool(host, offset, "last_snapshot_record");
    pos->schema = get_string(host, offset, "snapshot_schema");
    pos->table = get_string(host, offset, "snapshot_table");
    pos->table_index = get_int(host, offset, "snapshot_table_index");
    pos->last_key = get_string(host, offset, "snapshot_last_key");
    pos->key_columns = get_string(host, offset, "snapshot_key_columns");
    pos->table_rows = get_int(host, offset, "snapshot_table_rows");
    /* Anyone who can write the offsets topic can write these: a count
     * below zero (or one so large that counting on overflows) is read as
     * none, a place below the first table as the first. */
    if (pos->table_rows < 0 || pos->table_rows > INT64_MAX / 2) {
        pos->table_rows = 0;
    }
    if (pos->table_index < 0) {
        pos->table_index = 0;
    }
    return 0;
}

void pg_snapshot_position_clear(pg_snapshot_position_t *pos)
{
    free(pos->schema);
    free(pos->table);
    free(pos->last_key);
    free(pos->key_columns);
    memset(pos, 0, sizeof(*pos));
}

static void put_int(const cd_host_api_t *host, cd_value_t *map, const char *key, int64_t v)
{
    host->value_map_put(map, host->value_string(key, strlen(key)), host->value_int(CD_TYPE_INT64, v));
}

static void put_string(const cd_host_api_t *host, cd_value_t *map, const char *key, const char *s)
{
    host->value_map_put(map, host->value_string(key, strlen(key)), host->value_string(s, strlen(s)));
}

cd_value_t *pg_snapshot_offset_value(const cd_host_api_t *host, const pg_snapshot_record_offset_t *off)
{
    cd_value_t *map = host->value_map();
    host->value_map_put(map, host->value_string("snapshot", 8), host->value_bool(true));
    host->value_map_put(map, host->value_string("last_snapshot_record", 20), host->value_bool(off->last));
    put_int(host, map, "lsn", (int64_t)off->lsn);
    put_int(host, map, "lsn_proc", (int64_t)off->lsn);
    put_int(host, map, "txId", off->txid);
    put_int(host, map, "ts_usec", off->ts_us);
    put_string(host, map, "snapshot_schema", off->schema);
    put_string(host, map, "snapshot_table", off->table);
    put_int(host, map, "snapshot_table_index", off->table_index);
    if (off->last_key) {
        put_string(host, map, "snapshot_last_key", off->last_key);
    }
    if (off->last_key && off->key_columns) {
        put_string(host, map, "snapshot_key_columns", off->key_columns);
    }
    put_int(host, map, "snapshot_table_rows", off->table_rows);
    return map;
}

/* ---- the plan ------------------------------------------------------------------------ */

void pg_snapshot_plan(pg_snapshot_mode_t mode, const pg_snapshot_position_t *pos, bool slot_exists,
                      uint64_t slot_confirmed, pg_snapshot_plan_t *plan)
{
    memset(plan, 0, sizeof(*plan));
    bool in_progress = pg_snapshot_position_in_progress(pos);
    plan->stream = mode != PG_SNAPSHOT_INITIAL_ONLY;
    /* A slot only moves when the worker committed what it confirms, so one
     * ahead of the offset (or gone) was moved by someone else. */
    plan->changes_lost = plan->stream && pos->present && (!slot_exists || pos->lsn_proc < slot_confirmed);
    switch (mode) {
    case PG_SNAPSHOT_NO_DATA:
        plan->why = "snapshot.mode is no_data";
        break;
    case PG_SNAPSHOT_ALWAYS:
        plan->snapshot = true;
        plan->why = "a snapshot is taken at every start";
        break;
    case PG_SNAPSHOT_WHEN_NEEDED:
        if (plan->changes_lost && !in_progress) {
            plan->snapshot = true;
            plan->why = "the changes after the committed offset are no longer in the replication slot";
            break;
        }
        /* fall through */
    case PG_SNAPSHOT_INITIAL:
    case PG_SNAPSHOT_INITIAL_ONLY:
        plan->snapshot = !pos->present || in_progress;
        plan->why = !pos->present   ? "there is no committed offset"
                    : in_progress   ? "the snapshot of the committed offset did not complete"
                    : pos->snapshot ? "the snapshot of the committed offset is complete"
                                    : "the committed offset is a streaming position";
        break;
    }
    if (!plan->snapshot) {
        plan->stream_from = pos->present ? pos->lsn_proc : 0;
        return;
    }
    plan->resume = in_progress && !plan->changes_lost;
    if (in_progress && plan->changes_lost) {
        plan->why = "the snapshot of the committed offset did not complete, and the changes after it are no longer "
                    "in the replication slot: it starts over";
    }
    plan->export_slot = plan->stream && !slot_exists;
    if (plan->export_slot) {
        plan->stream_from = 0;
    } else if (pos->present && !plan->changes_lost) {
        plan->stream_from = pos->lsn_proc;
    } else {
        plan->stream_from = plan->stream ? slot_confirmed : 0;
    }
}

/* ---- markers and keys ------------------------------------------------------------------ */

const char *pg_snapshot_marker(bool first_table, bool last_table, bool first_in_table, bool last_in_table)
{
    if (last_in_table && last_table) {
        return "last";
    }
    if (first_in_table && first_table) {
        return "first";
    }
    if (last_in_table) {
        return "last_in_data_collection";
    }
    return first_in_table ? "first_in_data_collection" : "true";
}

char *pg_snapshot_key_encode(const char *const *vals, const size_t *lens, size_t n)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++) {
        cap += 6 * lens[i] + 3; /* every byte as \u00XX at worst, quotes and comma */
    }
    char *out = malloc(cap), *p = out;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            *p++ = ',';
        }
        *p++ = '"';
        for (size_t k = 0; k < lens[i]; k++) {
            unsigned char c = (unsigned char)vals[i][k];
            if (c == '"' || c == '\\') {
                *p++ = '\\';
                *p++ = (char)c;
            } else if (c < 0x20) {
                p += sprintf(p, "\\u%04x", c);
            } else {
                *p++ = (char)c;
            }
        }
        *p++ = '"';
    }
    *p++ = ']';
    *p = '\0';
    return out;
}

static int hex4(const char *s, unsigned *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        *out = *out * 16 + (unsigned)d;
    }
    return 0;
}

static char *utf8_put(char *p, unsigned cp)
{
    if (cp < 0x80) {
        *p++ = (char)cp;
    } else if (cp < 0x800) {
        *p++ = (char)(0xC0 | (cp >> 6));
        *p++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *p++ = (char)(0xE0 | (cp >> 12));
        *p++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *p++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *p++ = (char)(0xF0 | (cp >> 18));
        *p++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *p++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *p++ = (char)(0x80 | (cp & 0x3F));
    }
    return p;
}

/* One JSON string at *s (after blanks), decoded into a new string; *s
 * moves past it.  NULL when malformed. */
static char *json_string(const char **s)
{
    const char *p = *s;
    while (*p == ' ') {
        p++;
    }
    if (*p++ != '"') {
        return NULL;
    }
    char *out = malloc(strlen(p) + 1), *q = out; /* decoding never grows the text */
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"') {
            break;
        }
        if (c == '\0' || c < 0x20) {
            free(out);
            return NULL;
        }
        if (c != '\\') {
            *q++ = (char)c;
            continue;
        }
        char e = *p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            *q++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || hex4(p, &cp) < 0) {
            free(out);
            return NULL;
        }
        p += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) == 0 && lo >= 0xDC00 &&
            lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        }
        if (cp == 0) {
            free(out);
            return NULL; /* no NUL inside a C string */
        }
        q = utf8_put(q, cp);
    }
    *q = '\0';
    *s = p;
    return out;
}

int pg_snapshot_key_decode(const char *json, char ***vals, size_t *n)
{
    *vals = NULL;
    *n = 0;
    const char *p = json;
    while (*p == ' ') {
        p++;
    }
    if (*p++ != '[') {
        return -1;
    }
    while (*p == ' ') {
        p++;
    }
    bool first = true;
    while (*p != ']') {
        if (!first && *p++ != ',') {
            goto fail;
        }
        char *v = json_string(&p);
        if (!v) {
            goto fail;
        }
        *vals = realloc(*vals, (*n + 1) * sizeof(**vals));
        (*vals)[(*n)++] = v;
        first = false;
        while (*p == ' ') {
            p++;
        }
    }
    p++;
    while (*p == ' ') {
        p++;
    }
    if (*p == '\0') {
        return 0;
    }
fail:
    pg_snapshot_key_free(*vals, *n);
    *vals = NULL;
    *n = 0;
    return -1;
}

void pg_snapshot_key_free(char **vals, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(vals[i]);
    }
    free(vals);
}
