/*
 * data_value.c - Connect values (plugin.h "values"): making, filling,
 * reading and freeing the tagged tree.  Copy and equality, which need only
 * the accessors, are in data_value_ops.c.
 *
 * A value is one node: a scalar (integers remember their width, FLOAT32 is
 * stored already rounded to float), a string or bytes buffer, or a
 * container owning its children.  A struct holds a reference to its schema
 * and one child per field, starting as null values, so struct_get of a
 * field that was never set reads as null rather than as "no such field".
 *
 * Maps keep insertion order and replace the value of an equal key, as the
 * Java Map a Connect map is.  Strings are valid UTF-8 from the moment they
 * are made (data.h), so every writer may pass them through unchecked.
 *
 * Plugins misuse values; nothing here crashes on it: a constructor given a
 * type it does not make returns NULL, a container operation on the wrong
 * kind of value frees what it was given, and a NULL child stands for null.
 */
#include "data.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct cd_value {
    cd_type_t type;
    union {
        int64_t i; /* INT8..INT64, already narrowed to the width */
        double f;  /* FLOAT32 (rounded to float) and FLOAT64 */
        bool b;
        struct {
            char *data; /* NUL-terminated too, for convenience */
            size_t len;
        } buf; /* STRING, BYTES */
        struct {
            cd_value_t **items; /* array items; map values */
            cd_value_t **keys;  /* map keys; NULL for arrays */
            size_t count, cap;
        } list;
        struct {
            cd_schema_t *schema; /* a reference */
            cd_value_t **fields; /* one per schema field, in its order */
            size_t count;
            size_t next; /* where a lookup by name starts: after the field found last */
        } st;
    } u;
};

static cd_value_t *value_alloc(cd_type_t type)
{
    cd_value_t *v = calloc(1, sizeof(*v));
    if (v) {
        v->type = type;
    }
    return v;
}

cd_value_t *data_value_null(void)
{
    return value_alloc(CD_TYPE_NULL);
}

cd_value_t *data_value_int(cd_type_t type, int64_t n)
{
    /* Narrowed as Java's (byte)/(short)/(int) casts narrow. */
    switch (type) {
    case CD_TYPE_INT8: n = (int8_t)n; break;
    case CD_TYPE_INT16: n = (int16_t)n; break;
    case CD_TYPE_INT32: n = (int32_t)n; break;
    case CD_TYPE_INT64: break;
    default: return NULL;
    }
    cd_value_t *v = value_alloc(type);
    if (v) {
        v->u.i = n;
    }
    return v;
}

cd_value_t *data_value_float(cd_type_t type, double d)
{
    if (type != CD_TYPE_FLOAT32 && type != CD_TYPE_FLOAT64) {
        return NULL;
    }
    if (type == CD_TYPE_FLOAT32) {
        /* Out of float's range is undefined in C; Java's (float) gives infinity. */
        if (isfinite(d) && fabs(d) > FLT_MAX) {
            d = d > 0 ? INFINITY : -INFINITY;
        }
        d = (float)d;
    }
    cd_value_t *v = value_alloc(type);
    if (v) {
        v->u.f = d;
    }
    return v;
}

cd_value_t *data_value_bool(bool b)
{
    cd_value_t *v = value_alloc(CD_TYPE_BOOLEAN);
    if (v) {
        v->u.b = b;
    }
    return v;
}

/* A string or bytes value holding a copy of data[0..len) (and a NUL) in
 * the same allocation as the node: a record's many short strings cost one
 * allocation each, not two.  data_value_free knows the buffer by where it
 * points. */
static cd_value_t *buf_inline(cd_type_t type, const void *data, size_t len)
{
    if (len > SIZE_MAX - sizeof(cd_value_t) - 1) {
        return NULL;
    }
    cd_value_t *v = malloc(sizeof(*v) + len + 1);
    if (!v) {
        return NULL;
    }
    memset(v, 0, sizeof(*v));
    v->type = type;
    v->u.buf.data = (char *)(v + 1);
    if (len) {
        memcpy(v->u.buf.data, data, len);
    }
    v->u.buf.data[len] = '\0';
    v->u.buf.len = len;
    return v;
}

static bool buf_is_inline(const cd_value_t *v)
{
    return v->u.buf.data == (const char *)(v + 1);
}

cd_value_t *data_value_string(const char *s, size_t len)
{
    if (!s && len > 0) {
        return NULL;
    }
    s = s ? s : "";
    if (utf8_valid_prefix((const unsigned char *)s, len) == len) {
        return buf_inline(CD_TYPE_STRING, s, len);
    }
    cd_value_t *v = value_alloc(CD_TYPE_STRING);
    char *text = v ? utf8_repair(s, len, &len) : NULL;
    if (!text) {
        free(v);
        return NULL;
    }
    v->u.buf.data = text;
    v->u.buf.len = len;
    return v;
}

cd_value_t *data_value_string_utf8(const char *s, size_t len)
{
    return buf_inline(CD_TYPE_STRING, s, len);
}

cd_value_t *data_value_bytes(const void *data, size_t len)
{
    return data || len == 0 ? buf_inline(CD_TYPE_BYTES, data, len) : NULL;
}

cd_value_t *data_value_array(void)
{
    return value_alloc(CD_TYPE_ARRAY);
}

cd_value_t *data_value_map(void)
{
    return value_alloc(CD_TYPE_MAP);
}

/* Makes room for one more child (and key, for maps). */
static bool list_grow(cd_value_t *list)
{
    if (list->u.list.count < list->u.list.cap) {
        return true;
    }
    size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 4;
    cd_value_t **items = realloc(list->u.list.items, cap * sizeof(*items));
    if (!items) {
        return false;
    }
    list->u.list.items = items;
    if (list->type == CD_TYPE_MAP) {
        cd_value_t **keys = realloc(list->u.list.keys, cap * sizeof(*keys));
        if (!keys) {
            return false;
        }
        list->u.list.keys = keys;
    }
    list->u.list.cap = cap;
    return true;
}

void data_value_array_push(cd_value_t *array, cd_value_t *item)
{
    if (!item) {
        item = data_value_null();
    }
    if (!array || array->type != CD_TYPE_ARRAY || !item || !list_grow(array)) {
        data_value_free(item);
        return;
    }
    array->u.list.items[array->u.list.count++] = item;
}

static void map_add(cd_value_t *map, cd_value_t *key, cd_value_t *val, bool unique)
{
    if (!key) {
        key = data_value_null();
    }
    if (!val) {
        val = data_value_null();
    }
    if (!map || map->type != CD_TYPE_MAP || !key || !val) {
        goto fail;
    }
    for (size_t i = 0; !unique && i < map->u.list.count; i++) {
        if (data_value_equal(map->u.list.keys[i], key)) {
            data_value_free(map->u.list.items[i]);
            map->u.list.items[i] = val;
            data_value_free(key);
            return;
        }
    }
    if (!list_grow(map)) {
        goto fail;
    }
    map->u.list.keys[map->u.list.count] = key;
    map->u.list.items[map->u.list.count++] = val;
    return;
fail:
    data_value_free(val);
    data_value_free(key);
}

void data_value_map_put(cd_value_t *map, cd_value_t *key, cd_value_t *val)
{
    map_add(map, key, val, false);
}

void data_value_map_append(cd_value_t *map, cd_value_t *key, cd_value_t *val)
{
    map_add(map, key, val, true);
}

cd_value_t *data_value_struct(const cd_schema_t *schema)
{
    if (data_schema_type(schema) != CD_TYPE_STRUCT) {
        return NULL;
    }
    cd_value_t *st = value_alloc(CD_TYPE_STRUCT);
    size_t n = (size_t)data_schema_field_count(schema);
    cd_value_t **fields = st ? calloc(n ? n : 1, sizeof(*fields)) : NULL;
    if (!fields) {
        free(st);
        return NULL;
    }
    st->u.st.fields = fields;
    st->u.st.count = n;
    /* The schema is const to the caller but counted: holding a reference
     * is what keeps it alive and, being shared, immutable. */
    st->u.st.schema = data_schema_ref((cd_schema_t *)schema);
    for (size_t i = 0; i < n; i++) {
        if (!(fields[i] = data_value_null())) {
            data_value_free(st);
            return NULL;
        }
    }
    return st;
}

/* The index of a field by name.  Connectors set and sinks read a struct's
 * fields mostly in the schema's order, so the search starts after the
 * field found last and goes round: one comparison per field instead of
 * half the fields'.  The start is a hint kept in the value even by the
 * const getters, which is safe as a value belongs to one thread at a time. */
static int struct_index(const cd_value_t *st, const char *field)
{
    if (!st || st->type != CD_TYPE_STRUCT || !field || st->u.st.count == 0) {
        return -1;
    }
    size_t n = st->u.st.count, start = st->u.st.next < n ? st->u.st.next : 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = start + k < n ? start + k : start + k - n;
        if (strcmp(data_schema_field_name(st->u.st.schema, (int)i), field) == 0) {
            ((cd_value_t *)st)->u.st.next = i + 1;
            return (int)i;
        }
    }
    return -1;
}

/* A value of the wrong type is refused here rather than at conversion,
 * where the error would no longer say which field; null is always
 * accepted, as Kafka checks required fields only when writing. */
cd_rc_t data_value_struct_set(cd_value_t *st, const char *field, cd_value_t *v)
{
    return data_value_struct_set_at(st, struct_index(st, field), v);
}

cd_rc_t data_value_struct_set_at(cd_value_t *st, int i, cd_value_t *v)
{
    if (!st || st->type != CD_TYPE_STRUCT || i >= (int)st->u.st.count) {
        i = -1;
    }
    if (!v) {
        v = data_value_null();
    }
    const cd_schema_t *want = i >= 0 ? data_schema_field_schema(st->u.st.schema, i) : NULL;
    bool fits = v && want &&
                (v->type == CD_TYPE_NULL ||
                 (v->type == data_schema_type(want) &&
                  (v->type != CD_TYPE_STRUCT || data_schema_equal(v->u.st.schema, want))));
    if (!fits) {
        data_value_free(v);
        return CD_CONFIG;
    }
    data_value_free(st->u.st.fields[i]);
    st->u.st.fields[i] = v;
    return CD_OK;
}

void data_value_free(cd_value_t *v)
{
    if (!v) {
        return;
    }
    switch (v->type) {
    case CD_TYPE_STRING:
    case CD_TYPE_BYTES:
        if (!buf_is_inline(v)) {
            free(v->u.buf.data);
        }
        break;
    case CD_TYPE_ARRAY:
    case CD_TYPE_MAP:
        for (size_t i = 0; i < v->u.list.count; i++) {
            data_value_free(v->u.list.items[i]);
            if (v->u.list.keys) {
                data_value_free(v->u.list.keys[i]);
            }
        }
        free(v->u.list.items);
        free(v->u.list.keys);
        break;
    case CD_TYPE_STRUCT:
        for (size_t i = 0; i < v->u.st.count; i++) {
            data_value_free(v->u.st.fields[i]);
        }
        free(v->u.st.fields);
        data_schema_unref(v->u.st.schema);
        break;
    default:
        break;
    }
    free(v);
}

cd_type_t data_value_type(const cd_value_t *v)
{
    return v ? v->type : CD_TYPE_NULL;
}

int64_t data_value_get_int(const cd_value_t *v)
{
    return v && v->type >= CD_TYPE_INT8 && v->type <= CD_TYPE_INT64 ? v->u.i : 0;
}

double data_value_get_float(const cd_value_t *v)
{
    return v && (v->type == CD_TYPE_FLOAT32 || v->type == CD_TYPE_FLOAT64) ? v->u.f : 0.0;
}

bool data_value_get_bool(const cd_value_t *v)
{
    return v && v->type == CD_TYPE_BOOLEAN && v->u.b;
}

static const char *buffer_of(const cd_value_t *v, cd_type_t type, size_t *len)
{
    bool ok = v && v->type == type;
    if (len) {
        *len = ok ? v->u.buf.len : 0;
    }
    return ok ? v->u.buf.data : NULL;
}

const char *data_value_get_string(const cd_value_t *v, size_t *len)
{
    return buffer_of(v, CD_TYPE_STRING, len);
}

const void *data_value_get_bytes(const cd_value_t *v, size_t *len)
{
    return buffer_of(v, CD_TYPE_BYTES, len);
}

size_t data_value_count(const cd_value_t *v)
{
    if (!v) {
        return 0;
    }
    if (v->type == CD_TYPE_ARRAY || v->type == CD_TYPE_MAP) {
        return v->u.list.count;
    }
    return v->type == CD_TYPE_STRUCT ? v->u.st.count : 0;
}

const cd_value_t *data_value_array_at(const cd_value_t *array, size_t i)
{
    return array && array->type == CD_TYPE_ARRAY && i < array->u.list.count ? array->u.list.items[i] : NULL;
}

const cd_value_t *data_value_map_key_at(const cd_value_t *map, size_t i)
{
    return map && map->type == CD_TYPE_MAP && i < map->u.list.count ? map->u.list.keys[i] : NULL;
}

const cd_value_t *data_value_map_value_at(const cd_value_t *map, size_t i)
{
    return map && map->type == CD_TYPE_MAP && i < map->u.list.count ? map->u.list.items[i] : NULL;
}

const cd_value_t *data_value_map_get(const cd_value_t *map, const char *key)
{
    size_t len = key ? strlen(key) : 0;
    for (size_t i = 0; key && i < data_value_count(map) && map->type == CD_TYPE_MAP; i++) {
        const cd_value_t *k = map->u.list.keys[i];
        if (k->type == CD_TYPE_STRING && k->u.buf.len == len && memcmp(k->u.buf.data, key, len) == 0) {
            return map->u.list.items[i];
        }
    }
    return NULL;
}

const cd_value_t *data_value_struct_get(const cd_value_t *st, const char *field)
{
    int i = struct_index(st, field);
    return i >= 0 ? st->u.st.fields[i] : NULL;
}

const cd_value_t *data_value_struct_at(const cd_value_t *st, size_t i)
{
    return st && st->type == CD_TYPE_STRUCT && i < st->u.st.count ? st->u.st.fields[i] : NULL;
}

const cd_schema_t *data_value_struct_schema(const cd_value_t *st)
{
    return st && st->type == CD_TYPE_STRUCT ? st->u.st.schema : NULL;
}
