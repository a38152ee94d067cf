/*
 * pg_types.c - PostgreSQL column types as Debezium maps them (pg_types.h).
 *
 * Each conversion reproduces what Debezium's Java does to the same text,
 * down to the arithmetic where it shows in the output:
 *
 * - numeric: java.math.BigDecimal.  Decimal bytes are the unscaled value's
 *   minimal big-endian two's complement (BigInteger.toByteArray); an
 *   unconstrained numeric under "precise" strips trailing zeros first, and
 *   never keeps a negative scale (1.500 -> scale 1, 100 -> scale 0).
 * - interval: pgjdbc's PGInterval fields, then MicroDuration.durationMicros
 *   in doubles with 365.25 / 12 days a month, truncated to a long, so a
 *   result Debezium gets one microsecond short is one short here too.
 * - timestamp: micros (or millis, floored) since the epoch of the value
 *   read as UTC; +-infinity as pgjdbc's DATE_POSITIVE_INFINITY /
 *   DATE_NEGATIVE_INFINITY taken as micros (9223372036825200000 and
 *   -9223372036832400000).
 * - timestamptz: java.time's ISO_OFFSET_DATE_TIME of the instant in UTC with
 *   exactly `precision` fractional digits (6 without typmod), 'Z' for the
 *   offset; years beyond 9999 get a '+', years BC are negative
 *   (1 BC is 0000); 'infinity' and '-infinity' pass through.
 * - timetz: ISO_OFFSET_TIME in UTC, the fraction without trailing zeros.
 * - date: days since 1970-01-01; +-infinity as the LocalDate values
 *   Debezium uses for them (-5877611-06-21 and -5877611-06-22).
 * - bit strings: a java.util.BitSet of the digits, the last digit being
 *   bit 0, as BitSet.toByteArray (little-endian, no trailing zero bytes).
 */
#include "pg_types.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "pgc_tz.h"

/* Built-in type OIDs (src/include/catalog/pg_type.dat); fixed since
 * PostgreSQL 7, so they need no lookup. */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_CHAR = 18,
    OID_NAME = 19,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_JSON = 114,
    OID_XML = 142,
    OID_JSON_ARRAY = 199,
    OID_CIDR = 650,
    OID_CIDR_ARRAY = 651,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_MACADDR8 = 774,
    OID_MACADDR8_ARRAY = 775,
    OID_MONEY = 790,
    OID_MACADDR = 829,
    OID_INET = 869,
    OID_BOOL_ARRAY = 1000,
    OID_BYTEA_ARRAY = 1001,
    OID_CHAR_ARRAY = 1002,
    OID_INT2_ARRAY = 1005,
    OID_INT4_ARRAY = 1007,
    OID_TEXT_ARRAY = 1009,
    OID_BPCHAR_ARRAY = 1014,
    OID_VARCHAR_ARRAY = 1015,
    OID_INT8_ARRAY = 1016,
    OID_FLOAT4_ARRAY = 1021,
    OID_FLOAT8_ARRAY = 1022,
    OID_OID_ARRAY = 1028,
    OID_MACADDR_ARRAY = 1040,
    OID_INET_ARRAY = 1041,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_DATE = 1082,
    OID_TIME = 1083,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMP_ARRAY = 1115,
    OID_DATE_ARRAY = 1182,
    OID_TIME_ARRAY = 1183,
    OID_TIMESTAMPTZ = 1184,
    OID_TIMESTAMPTZ_ARRAY = 1185,
    OID_INTERVAL = 1186,
    OID_NUMERIC_ARRAY = 1231,
    OID_TIMETZ = 1266,
    OID_TIMETZ_ARRAY = 1270,
    OID_BIT = 1560,
    OID_VARBIT = 1562,
    OID_NUMERIC = 1700,
    OID_UUID = 2950,
    OID_UUID_ARRAY = 2951,
    OID_TSVECTOR = 3614,
    OID_JSONB = 3802,
    OID_JSONB_ARRAY = 3807,
    OID_INT4RANGE = 3904,
    OID_INT4RANGE_ARRAY = 3905,
    OID_NUMRANGE = 3906,
    OID_NUMRANGE_ARRAY = 3907,
    OID_TSRANGE = 3908,
    OID_TSRANGE_ARRAY = 3909,
    OID_TSTZRANGE = 3910,
    OID_TSTZRANGE_ARRAY = 3911,
    OID_DATERANGE = 3912,
    OID_DATERANGE_ARRAY = 3913,
    OID_INT8RANGE = 3926,
    OID_INT8RANGE_ARRAY = 3927,
    OID_FIRST_USER = 16384,
};

/* The element type of the built-in arrays Debezium maps; the others
 * (money[], name[], interval[], varbit[], xml[], point[], ...) it leaves
 * out of its events. */
static const struct {
    uint32_t array, elem;
} builtin_arrays[] = {
    {OID_INT2_ARRAY, OID_INT2},           {OID_INT4_ARRAY, OID_INT4},
    {OID_INT8_ARRAY, OID_INT8},           {OID_OID_ARRAY, OID_OID},
    {OID_CHAR_ARRAY, OID_CHAR},           {OID_VARCHAR_ARRAY, OID_VARCHAR},
    {OID_TEXT_ARRAY, OID_TEXT},           {OID_BPCHAR_ARRAY, OID_BPCHAR},
    {OID_INET_ARRAY, OID_INET},           {OID_CIDR_ARRAY, OID_CIDR},
    {OID_MACADDR_ARRAY, OID_MACADDR},     {OID_MACADDR8_ARRAY, OID_MACADDR8},
    {OID_TSRANGE_ARRAY, OID_TSRANGE},     {OID_TSTZRANGE_ARRAY, OID_TSTZRANGE},
    {OID_DATERANGE_ARRAY, OID_DATERANGE}, {OID_INT4RANGE_ARRAY, OID_INT4RANGE},
    {OID_NUMRANGE_ARRAY, OID_NUMRANGE},   {OID_INT8RANGE_ARRAY, OID_INT8RANGE},
    {OID_NUMERIC_ARRAY, OID_NUMERIC},     {OID_FLOAT4_ARRAY, OID_FLOAT4},
    {OID_FLOAT8_ARRAY, OID_FLOAT8},       {OID_BOOL_ARRAY, OID_BOOL},
    {OID_DATE_ARRAY, OID_DATE},           {OID_UUID_ARRAY, OID_UUID},
    {OID_JSONB_ARRAY, OID_JSONB},         {OID_JSON_ARRAY, OID_JSON},
    {OID_TIME_ARRAY, OID_TIME},           {OID_TIMETZ_ARRAY, OID_TIMETZ},
    {OID_TIMESTAMP_ARRAY, OID_TIMESTAMP}, {OID_TIMESTAMPTZ_ARRAY, OID_TIMESTAMPTZ},
    {OID_BYTEA_ARRAY, OID_BYTEA},
};

#define USECS_PER_DAY INT64_C(86400000000)
#define VARIABLE_LENGTH INT32_C(2147483647) /* varbit without a length */

const char *const pg_decimal_mode_names[] = {"precise", "double", "string", NULL};
const char *const pg_time_mode_names[] = {"adaptive", "adaptive_time_microseconds", "connect", NULL};
const char *const pg_binary_mode_names[] = {"bytes", "base64", "base64-url-safe", "hex", NULL};
const char *const pg_numeric_mapping_names[] = {"none", "precision_only", "best_fit", "best_fit_eager_double", NULL};
const char *const pg_ts_granularity_names[] = {"connect_logical",
                                               "micros_long",
                                               "micros_string",
                                               "micros_iso_datetime_string",
                                               "nanos_long",
                                               "nanos_string",
                                               "nanos_iso_datetime_string",
                                               NULL};

static const char default_placeholder[] = "__debezium_unavailable_value";

/* Confluent's flavour, at the end of the file. */
static int confluent_resolve(const pg_type_registry_t *reg, uint32_t oid, int32_t typmod, pg_type_t *out);
static cd_schema_t *confluent_schema(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                                     bool optional);
static cd_value_t *confluent_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                                   const char *text, size_t len, char *errbuf, size_t errlen);

void pg_types_config_init(pg_types_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->money_fraction_digits = 2;
    cfg->placeholder_len = sizeof(default_placeholder) - 1;
    memcpy(cfg->placeholder, default_placeholder, cfg->placeholder_len);
}

/* Debezium reads these settings case-insensitively (EnumeratedValue.parse). */
static int mode_parse(const char *const *names, const char *value)
{
    for (int i = 0; names[i] != NULL; i++) {
        if (strcasecmp(names[i], value) == 0) {
            return i;
        }
    }
    return -1;
}

int pg_types_config_set(pg_types_config_t *cfg, const char *decimal, const char *time, const char *binary, char *errbuf,
                        size_t errlen)
{
    const struct {
        const char *name, *value;
        const char *const *names;
        int *out;
    } settings[] = {
        {"decimal.handling.mode", decimal, pg_decimal_mode_names, (int *)&cfg->decimal_mode},
        {"time.precision.mode", time, pg_time_mode_names, (int *)&cfg->time_mode},
        {"binary.handling.mode", binary, pg_binary_mode_names, (int *)&cfg->binary_mode},
    };
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        if (settings[i].value == NULL) {
            continue;
        }
        int mode = mode_parse(settings[i].names, settings[i].value);
        if (mode < 0) {
            snprintf(errbuf, errlen, "%s '%s' is not one this connector knows", settings[i].name, settings[i].value);
            return -1;
        }
        *settings[i].out = mode;
    }
    return 0;
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int pg_types_config_placeholder(pg_types_config_t *cfg, const char *value, char *errbuf, size_t errlen)
{
    if (strncmp(value, "hex:", 4) != 0) {
        size_t len = strlen(value);
        if (len > sizeof(cfg->placeholder) - 1) {
            snprintf(errbuf, errlen, "unavailable.value.placeholder is longer than %zu bytes",
                     sizeof(cfg->placeholder) - 1);
            return -1;
        }
        memcpy(cfg->placeholder, value, len);
        cfg->placeholder_len = len;
        return 0;
    }
    const char *hex = value + 4;
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > sizeof(cfg->placeholder) - 1) {
        snprintf(errbuf, errlen, "unavailable.value.placeholder '%s' is not an even number of hex digits (at most %zu)",
                 value, (sizeof(cfg->placeholder) - 1) * 2);
        return -1;
    }
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_digit((unsigned char)hex[i]), lo = hex_digit((unsigned char)hex[i + 1]);
        if (hi < 0 || lo < 0) {
            snprintf(errbuf, errlen, "unavailable.value.placeholder '%s' has a character that is not a hex digit",
                     value);
            return -1;
        }
        cfg->placeholder[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    cfg->placeholder_len = n / 2;
    return 0;
}

/* ---- the registry: a small open-addressing table by OID --------------------- */

typedef struct registry_entry {
    uint32_t oid; /* 0: free */
    char typtype, category;
    uint32_t base_oid, elem_oid;
    int32_t base_typmod;
    char *name, *enum_labels;
} registry_entry_t;

struct pg_type_registry {
    registry_entry_t *slots;
    size_t cap, count; /* cap a power of two */
};

pg_type_registry_t *pg_type_registry_create(void)
{
    pg_type_registry_t *reg = calloc(1, sizeof(*reg));
    if (reg == NULL) {
        return NULL;
    }
    reg->cap = 64;
    reg->slots = calloc(reg->cap, sizeof(*reg->slots));
    if (reg->slots == NULL) {
        free(reg);
        return NULL;
    }
    return reg;
}

void pg_type_registry_destroy(pg_type_registry_t *reg)
{
    if (reg == NULL) {
        return;
    }
    for (size_t i = 0; i < reg->cap; i++) {
        free(reg->slots[i].name);
        free(reg->slots[i].enum_labels);
    }
    free(reg->slots);
    free(reg);
}

static registry_entry_t *registry_slot(registry_entry_t *slots, size_t cap, uint32_t oid)
{
    size_t i = (oid * UINT32_C(2654435761)) & (cap - 1);
    while (slots[i].oid != 0 && slots[i].oid != oid) {
        i = (i + 1) & (cap - 1);
    }
    return &slots[i];
}

static const registry_entry_t *registry_get(const pg_type_registry_t *reg, uint32_t oid)
{
    if (reg == NULL || oid == 0) {
        return NULL;
    }
    const registry_entry_t *e = registry_slot(reg->slots, reg->cap, oid);
    return e->oid == oid ? e : NULL;
}

int pg_type_registry_add(pg_type_registry_t *reg, const pg_type_desc_t *desc)
{
    if (desc->oid == 0) {
        return 0;
    }
    if ((reg->count + 1) * 2 > reg->cap) {
        size_t cap = reg->cap * 2;
        registry_entry_t *slots = calloc(cap, sizeof(*slots));
        if (slots == NULL) {
            return -1;
        }
        for (size_t i = 0; i < reg->cap; i++) {
            if (reg->slots[i].oid != 0) {
                *registry_slot(slots, cap, reg->slots[i].oid) = reg->slots[i];
            }
        }
        free(reg->slots);
        reg->slots = slots;
        reg->cap = cap;
    }
    char *name = strdup(desc->name ? desc->name : "");
    char *labels = desc->enum_labels ? strdup(desc->enum_labels) : NULL;
    if (name == NULL || (desc->enum_labels && labels == NULL)) {
        free(name);
        free(labels);
        return -1;
    }
    registry_entry_t *e = registry_slot(reg->slots, reg->cap, desc->oid);
    if (e->oid == 0) {
        reg->count++;
    }
    free(e->name);
    free(e->enum_labels);
    *e = (registry_entry_t){.oid = desc->oid,
                            .typtype = desc->typtype,
                            .category = desc->category,
                            .base_oid = desc->base_oid,
                            .elem_oid = desc->elem_oid,
                            .base_typmod = desc->base_typmod,
                            .name = name,
                            .enum_labels = labels};
    return 0;
}

/* ---- resolving a column ----------------------------------------------------- */

/* Precision of the temporal types: typmod is the fractional digits, and
 * pgjdbc's TypeInfoCache.getScale reports 6 without one. */
static int32_t temporal_precision(int32_t typmod)
{
    return typmod < 0 ? 6 : typmod;
}

/* A built-in scalar type, or 0 when Debezium has no mapping for it. */
static pg_kind_t builtin_kind(uint32_t oid)
{
    switch (oid) {
    case OID_BOOL:
        return PG_KIND_BOOL;
    case OID_INT2:
        return PG_KIND_INT16;
    case OID_INT4:
        return PG_KIND_INT32;
    case OID_INT8:
    case OID_OID:
        return PG_KIND_INT64;
    case OID_FLOAT4:
        return PG_KIND_FLOAT32;
    case OID_FLOAT8:
        return PG_KIND_FLOAT64;
    case OID_NUMERIC:
        return PG_KIND_NUMERIC;
    case OID_MONEY:
        return PG_KIND_MONEY;
    case OID_CHAR:
    case OID_NAME:
    case OID_TEXT:
    case OID_BPCHAR:
    case OID_VARCHAR:
    case OID_INET:
    case OID_CIDR:
    case OID_MACADDR:
    case OID_MACADDR8:
    case OID_INT4RANGE:
    case OID_NUMRANGE:
    case OID_TSRANGE:
    case OID_TSTZRANGE:
    case OID_DATERANGE:
    case OID_INT8RANGE:
        return PG_KIND_STRING;
    case OID_JSON:
    case OID_JSONB:
        return PG_KIND_JSON;
    case OID_XML:
        return PG_KIND_XML;
    case OID_UUID:
        return PG_KIND_UUID;
    case OID_TSVECTOR:
        return PG_KIND_TSVECTOR;
    case OID_BYTEA:
        return PG_KIND_BYTEA;
    case OID_BIT:
    case OID_VARBIT:
        return PG_KIND_BITS;
    case OID_DATE:
        return PG_KIND_DATE;
    case OID_TIME:
        return PG_KIND_TIME;
    case OID_TIMETZ:
        return PG_KIND_TIMETZ;
    case OID_TIMESTAMP:
        return PG_KIND_TIMESTAMP;
    case OID_TIMESTAMPTZ:
        return PG_KIND_TIMESTAMPTZ;
    case OID_INTERVAL:
        return PG_KIND_INTERVAL;
    default:
        return 0;
    }
}

/* Fills precision and scale of a scalar `kind` from typmod. */
static void resolve_modifiers(pg_type_t *out, uint32_t oid, int32_t typmod)
{
    switch (out->kind) {
    case PG_KIND_NUMERIC:
        /* numeric's typmod is ((precision << 16) | scale) + 4; none means
         * unconstrained (Debezium's variable scale). */
        if (typmod >= 4) {
            out->precision = ((typmod - 4) >> 16) & 0xffff;
            out->scale = (typmod - 4) & 0xffff;
        }
        break;
    case PG_KIND_BITS:
        /* bit without a length is bit(1); varbit without one is unbounded. */
        out->precision = typmod > 0 ? typmod : oid == OID_BIT ? 1 : VARIABLE_LENGTH;
        break;
    case PG_KIND_TIME:
    case PG_KIND_TIMETZ:
    case PG_KIND_TIMESTAMP:
    case PG_KIND_TIMESTAMPTZ:
        out->precision = temporal_precision(typmod);
        break;
    default:
        break;
    }
}

/* Follows domains down to their base type, keeping the first typmod a
 * level has (the column's, else the domain's). */
static uint32_t resolve_domain(const pg_type_registry_t *reg, uint32_t oid, int32_t *typmod)
{
    for (int depth = 0; depth < 32; depth++) {
        const registry_entry_t *e = registry_get(reg, oid);
        if (e == NULL || e->typtype != 'd' || e->base_oid == 0) {
            return oid;
        }
        if (*typmod < 0) {
            *typmod = e->base_typmod;
        }
        oid = e->base_oid;
    }
    return oid;
}

/* Scalars a database defines that Debezium knows by name: extension types
 * (citext, ltree, isbn) and enums. */
static int resolve_user_scalar(const registry_entry_t *e, pg_type_t *out)
{
    if (e->typtype == 'e') {
        out->kind = PG_KIND_ENUM;
        out->allowed = e->enum_labels ? e->enum_labels : "";
        return 0;
    }
    if (strcmp(e->name, "citext") == 0 || strcmp(e->name, "isbn") == 0) {
        out->kind = PG_KIND_STRING;
        return 0;
    }
    if (strcmp(e->name, "ltree") == 0) {
        out->kind = PG_KIND_LTREE;
        return 0;
    }
    return -1;
}

int pg_types_resolve(const pg_types_config_t *cfg, const pg_type_registry_t *reg, uint32_t oid, int32_t typmod,
                     pg_type_t *out)
{
    memset(out, 0, sizeof(*out));
    out->oid = oid;
    if (cfg->flavour == PG_TYPES_CONFLUENT) {
        return confluent_resolve(reg, oid, typmod, out);
    }
    oid = resolve_domain(reg, oid, &typmod);

    pg_kind_t kind = builtin_kind(oid);
    if (kind != 0) {
        out->kind = kind;
        resolve_modifiers(out, oid, typmod);
        return 0;
    }
    for (size_t i = 0; i < sizeof(builtin_arrays) / sizeof(builtin_arrays[0]); i++) {
        if (builtin_arrays[i].array == oid) {
            out->kind = builtin_kind(builtin_arrays[i].elem);
            out->array = true;
            resolve_modifiers(out, builtin_arrays[i].elem, typmod);
            return 0;
        }
    }
    const registry_entry_t *e = oid >= OID_FIRST_USER ? registry_get(reg, oid) : NULL;
    if (e != NULL && e->category == 'A') {
        /* Arrays of enums and of citext/ltree; Debezium cannot map arrays
         * of domains (PostgresValueConverter says so) and leaves them out. */
        const registry_entry_t *elem = registry_get(reg, e->elem_oid);
        if (elem != NULL && resolve_user_scalar(elem, out) == 0) {
            out->array = true;
            return 0;
        }
    } else if (e != NULL && resolve_user_scalar(e, out) == 0) {
        return 0;
    }
    if (cfg->include_unknown) {
        memset(out, 0, sizeof(*out));
        out->oid = oid;
        out->kind = PG_KIND_UNKNOWN;
        return 0;
    }
    return -1;
}

/* ---- schemas -------------------------------------------------------------------- */

static cd_schema_t *named(const cd_host_api_t *host, cd_type_t type, const char *name, bool optional)
{
    cd_schema_t *s = host->schema_new(type, optional);
    if (s != NULL) {
        host->schema_set_name(s, name);
        host->schema_set_version(s, 1);
    }
    return s;
}

static cd_schema_t *binary_schema(const cd_host_api_t *host, const pg_types_config_t *cfg, bool optional)
{
    return host->schema_new(cfg->binary_mode == PG_BINARY_BYTES ? CD_TYPE_BYTES : CD_TYPE_STRING, optional);
}

static cd_schema_t *decimal_schema(const cd_host_api_t *host, int32_t scale, int32_t precision, bool optional)
{
    cd_schema_t *s = named(host, CD_TYPE_BYTES, "org.apache.kafka.connect.data.Decimal", optional);
    if (s != NULL) {
        char num[16];
        snprintf(num, sizeof(num), "%" PRId32, scale);
        host->schema_set_parameter(s, "scale", num);
        if (precision >= 0) {
            snprintf(num, sizeof(num), "%" PRId32, precision);
            host->schema_set_parameter(s, "connect.decimal.precision", num);
        }
    }
    return s;
}

static cd_schema_t *scalar_schema(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                                  bool optional)
{
    switch (t->kind) {
    case PG_KIND_BOOL:
        return host->schema_new(CD_TYPE_BOOLEAN, optional);
    case PG_KIND_INT16:
        return host->schema_new(CD_TYPE_INT16, optional);
    case PG_KIND_INT32:
        return host->schema_new(CD_TYPE_INT32, optional);
    case PG_KIND_INT64:
        return host->schema_new(CD_TYPE_INT64, optional);
    case PG_KIND_FLOAT32:
        return host->schema_new(CD_TYPE_FLOAT32, optional);
    case PG_KIND_FLOAT64:
        return host->schema_new(CD_TYPE_FLOAT64, optional);
    case PG_KIND_NUMERIC:
    case PG_KIND_MONEY:
        if (cfg->decimal_mode == PG_DECIMAL_DOUBLE) {
            return host->schema_new(CD_TYPE_FLOAT64, optional);
        }
        if (cfg->decimal_mode == PG_DECIMAL_STRING) {
            return host->schema_new(CD_TYPE_STRING, optional);
        }
        if (t->kind == PG_KIND_MONEY) {
            return decimal_schema(host, cfg->money_fraction_digits, -1, optional);
        }
        if (t->precision == 0) {
            cd_schema_t *s = named(host, CD_TYPE_STRUCT, "io.debezium.data.VariableScaleDecimal", optional);
            cd_schema_t *scale = host->schema_new(CD_TYPE_INT32, false);
            cd_schema_t *value = host->schema_new(CD_TYPE_BYTES, false);
            if (s == NULL || scale == NULL || value == NULL) {
                host->schema_unref(s);
                host->schema_unref(scale);
                host->schema_unref(value);
                return NULL;
            }
            host->schema_set_doc(s, "Variable scaled decimal");
            host->schema_add_field(s, "scale", scale);
            host->schema_add_field(s, "value", value);
            return s;
        }
        return decimal_schema(host, t->scale, t->precision, optional);
    case PG_KIND_STRING:
        return host->schema_new(CD_TYPE_STRING, optional);
    case PG_KIND_JSON:
        return named(host, CD_TYPE_STRING, "io.debezium.data.Json", optional);
    case PG_KIND_XML:
        return named(host, CD_TYPE_STRING, "io.debezium.data.Xml", optional);
    case PG_KIND_UUID:
        return named(host, CD_TYPE_STRING, "io.debezium.data.Uuid", optional);
    case PG_KIND_TSVECTOR:
        return named(host, CD_TYPE_STRING, "io.debezium.data.Tsvector", optional);
    case PG_KIND_LTREE:
        return named(host, CD_TYPE_STRING, "io.debezium.data.Ltree", optional);
    case PG_KIND_ENUM: {
        cd_schema_t *s = named(host, CD_TYPE_STRING, "io.debezium.data.Enum", optional);
        if (s != NULL) {
            host->schema_set_parameter(s, "allowed", t->allowed);
        }
        return s;
    }
    case PG_KIND_BYTEA:
    case PG_KIND_UNKNOWN:
        return binary_schema(host, cfg, optional);
    case PG_KIND_BITS: {
        if (t->precision <= 1) {
            return host->schema_new(CD_TYPE_BOOLEAN, optional);
        }
        cd_schema_t *s = named(host, CD_TYPE_BYTES, "io.debezium.data.Bits", optional);
        if (s != NULL) {
            char num[16];
            snprintf(num, sizeof(num), "%" PRId32, t->precision);
            host->schema_set_parameter(s, "length", num);
        }
        return s;
    }
    case PG_KIND_DATE:
        return named(host, CD_TYPE_INT32,
                     cfg->time_mode == PG_TIME_CONNECT ? "org.apache.kafka.connect.data.Date" : "io.debezium.time.Date",
                     optional);
    case PG_KIND_TIME:
        if (cfg->time_mode == PG_TIME_CONNECT) {
            return named(host, CD_TYPE_INT32, "org.apache.kafka.connect.data.Time", optional);
        }
        if (cfg->time_mode == PG_TIME_ADAPTIVE && t->precision <= 3) {
            return named(host, CD_TYPE_INT32, "io.debezium.time.Time", optional);
        }
        return named(host, CD_TYPE_INT64, "io.debezium.time.MicroTime", optional);
    case PG_KIND_TIMESTAMP:
        if (cfg->time_mode == PG_TIME_CONNECT) {
            return named(host, CD_TYPE_INT64, "org.apache.kafka.connect.data.Timestamp", optional);
        }
        return named(host, CD_TYPE_INT64,
                     t->precision <= 3 ? "io.debezium.time.Timestamp" : "io.debezium.time.MicroTimestamp", optional);
    case PG_KIND_TIMETZ:
        return named(host, CD_TYPE_STRING, "io.debezium.time.ZonedTime", optional);
    case PG_KIND_TIMESTAMPTZ:
        return named(host, CD_TYPE_STRING, "io.debezium.time.ZonedTimestamp", optional);
    case PG_KIND_INTERVAL:
        return named(host, CD_TYPE_INT64, "io.debezium.time.MicroDuration", optional);
    }
    return NULL;
}

cd_schema_t *pg_types_schema(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *type,
                             bool optional)
{
    if (cfg->flavour == PG_TYPES_CONFLUENT) {
        return confluent_schema(host, cfg, type, optional);
    }
    if (!type->array) {
        return scalar_schema(host, cfg, type, optional);
    }
    /* Debezium's built-in arrays have optional elements; its enum arrays
     * do not (SchemaBuilder.array(Enum.builder(...))). */
    cd_schema_t *items = scalar_schema(host, cfg, type, type->kind != PG_KIND_ENUM);
    return items ? host->schema_array(items, optional) : NULL;
}

/* ---- reading text: numbers ------------------------------------------------------ */

static void set_err(char *errbuf, size_t errlen, const char *what, const char *text, size_t len)
{
    snprintf(errbuf, errlen, "cannot read '%.*s' as %s", (int)(len > 64 ? 64 : len), text, what);
}

static bool parse_int64(const char *text, size_t len, int64_t min, int64_t max, int64_t *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* A decimal number as BigDecimal holds it: sign, the unscaled digits
 * (no leading zeros; "0" for zero) and the scale.  `special` is 'N' (NaN),
 * '+' or '-' (infinities) instead. */
typedef struct decimal {
    bool negative;
    char special;
    int32_t scale;
    size_t ndigits;
    char *digits; /* malloc'd, NUL-terminated */
} decimal_t;

static void decimal_free(decimal_t *d)
{
    free(d->digits);
    d->digits = NULL;
}

/* Parses [-+]digits[.digits] (and NaN, Infinity, -Infinity).  Returns
 * false for anything else or when out of memory. */
static bool decimal_parse(const char *text, size_t len, decimal_t *d)
{
    memset(d, 0, sizeof(*d));
    if (len == 3 && memcmp(text, "NaN", 3) == 0) {
        d->special = 'N';
        return true;
    }
    if ((len == 8 && memcmp(text, "Infinity", 8) == 0) || (len == 9 && memcmp(text, "+Infinity", 9) == 0)) {
        d->special = '+';
        return true;
    }
    if (len == 9 && memcmp(text, "-Infinity", 9) == 0) {
        d->special = '-';
        return true;
    }
    size_t i = 0;
    if (i < len && (text[i] == '-' || text[i] == '+')) {
        d->negative = text[i] == '-';
        i++;
    }
    d->digits = malloc(len + 2);
    if (d->digits == NULL) {
        return false;
    }
    bool point = false, any = false;
    for (; i < len; i++) {
        char c = text[i];
        if (c == '.' && !point) {
            point = true;
        } else if (c >= '0' && c <= '9') {
            any = true;
            if (point) {
                d->scale++;
            }
            if (d->ndigits > 0 || c != '0') {
                d->digits[d->ndigits++] = c;
            }
        } else {
            decimal_free(d);
            return false;
        }
    }
    if (!any) {
        decimal_free(d);
        return false;
    }
    if (d->ndigits == 0) {
        d->digits[d->ndigits++] = '0';
        d->negative = false;
    }
    d->digits[d->ndigits] = '\0';
    return true;
}

static bool decimal_is_zero(const decimal_t *d)
{
    return d->ndigits == 1 && d->digits[0] == '0';
}

/* BigDecimal.setScale(scale, HALF_UP).  False when out of memory. */
static bool decimal_set_scale(decimal_t *d, int32_t scale)
{
    if (scale > d->scale) {
        size_t add = (size_t)(scale - d->scale);
        if (decimal_is_zero(d)) {
            d->scale = scale;
            return true;
        }
        char *p = realloc(d->digits, d->ndigits + add + 1);
        if (p == NULL) {
            return false;
        }
        memset(p + d->ndigits, '0', add);
        d->digits = p;
        d->ndigits += add;
        d->digits[d->ndigits] = '\0';
    } else if (scale < d->scale) {
        size_t drop = (size_t)(d->scale - scale);
        bool round_up = false;
        if (drop <= d->ndigits) {
            round_up = d->digits[d->ndigits - drop] >= '5';
            d->ndigits -= drop;
        } else {
            d->ndigits = 0;
        }
        if (round_up) {
            /* Add one to the remaining digits, carrying leftwards. */
            size_t i = d->ndigits;
            while (i > 0 && d->digits[i - 1] == '9') {
                d->digits[--i] = '0';
            }
            if (i > 0) {
                d->digits[i - 1]++;
            } else {
                memmove(d->digits + 1, d->digits, d->ndigits);
                d->digits[0] = '1';
                d->ndigits++;
            }
        }
        if (d->ndigits == 0) {
            d->digits[d->ndigits++] = '0';
            d->negative = false;
        }
        d->digits[d->ndigits] = '\0';
    }
    d->scale = scale;
    return true;
}

/* BigDecimal.stripTrailingZeros, then a negative scale set back to 0. */
static void decimal_strip(decimal_t *d)
{
    if (decimal_is_zero(d)) {
        d->scale = 0;
        return;
    }
    while (d->scale > 0 && d->ndigits > 1 && d->digits[d->ndigits - 1] == '0') {
        d->digits[--d->ndigits] = '\0';
        d->scale--;
    }
}

/* BigDecimal.toPlainString. */
static char *decimal_plain(const decimal_t *d)
{
    size_t n = d->ndigits + (size_t)(d->scale > 0 ? d->scale : 0) + 4;
    char *s = malloc(n), *p = s;
    if (s == NULL) {
        return NULL;
    }
    if (d->negative) {
        *p++ = '-';
    }
    if (d->scale <= 0) {
        memcpy(p, d->digits, d->ndigits);
        p += d->ndigits;
    } else if ((size_t)d->scale >= d->ndigits) {
        *p++ = '0';
        *p++ = '.';
        for (size_t i = d->ndigits; i < (size_t)d->scale; i++) {
            *p++ = '0';
        }
        memcpy(p, d->digits, d->ndigits);
        p += d->ndigits;
    } else {
        size_t whole = d->ndigits - (size_t)d->scale;
        memcpy(p, d->digits, whole);
        p += whole;
        *p++ = '.';
        memcpy(p, d->digits + whole, (size_t)d->scale);
        p += d->scale;
    }
    *p = '\0';
    return s;
}

/* The unscaled value as BigInteger.toByteArray: big-endian two's
 * complement in the fewest bytes that keep the sign. */
static cd_value_t *decimal_bytes(const cd_host_api_t *host, const decimal_t *d)
{
    /* Magnitude, little-endian base 256, by multiply-and-add per digit. */
    size_t cap = d->ndigits / 2 + 2, n = 1;
    unsigned char *mag = calloc(cap, 1);
    if (mag == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < d->ndigits; i++) {
        unsigned carry = (unsigned)(d->digits[i] - '0');
        for (size_t j = 0; j < n; j++) {
            unsigned v = mag[j] * 10u + carry;
            mag[j] = (unsigned char)v;
            carry = v >> 8;
        }
        if (carry) {
            mag[n++] = (unsigned char)carry;
        }
    }
    if (d->negative) {
        /* Two's complement: invert and add one. */
        unsigned carry = 1;
        for (size_t j = 0; j < n; j++) {
            unsigned v = (unsigned char)~mag[j] + carry;
            mag[j] = (unsigned char)v;
            carry = v >> 8;
        }
    }
    /* Add a sign byte when the top bit says otherwise, then drop redundant
     * sign bytes (0x00 before a byte < 0x80, 0xff before one >= 0x80). */
    unsigned char sign = d->negative ? 0xff : 0x00;
    if ((mag[n - 1] & 0x80) != (sign & 0x80)) {
        mag[n++] = sign;
    }
    while (n > 1 && mag[n - 1] == sign && (mag[n - 2] & 0x80) == (sign & 0x80)) {
        n--;
    }
    unsigned char *be = malloc(n);
    cd_value_t *v = NULL;
    if (be != NULL) {
        for (size_t j = 0; j < n; j++) {
            be[j] = mag[n - 1 - j];
        }
        v = host->value_bytes(be, n);
    }
    free(be);
    free(mag);
    return v;
}

static cd_value_t *decimal_double(const cd_host_api_t *host, const decimal_t *d)
{
    if (d->special) {
        return host->value_float(CD_TYPE_FLOAT64, d->special == 'N' ? NAN : d->special == '+' ? INFINITY : -INFINITY);
    }
    char *plain = decimal_plain(d);
    if (plain == NULL) {
        return NULL;
    }
    double v = strtod(plain, NULL);
    free(plain);
    return host->value_float(CD_TYPE_FLOAT64, v);
}

static cd_value_t *decimal_string(const cd_host_api_t *host, const decimal_t *d)
{
    if (d->special) {
        /* SpecialValueDecimal.toString: the enum constant's name. */
        const char *name = d->special == 'N' ? "NAN" : d->special == '+' ? "POSITIVE_INFINITY" : "NEGATIVE_INFINITY";
        return host->value_string(name, strlen(name));
    }
    char *plain = decimal_plain(d);
    if (plain == NULL) {
        return NULL;
    }
    cd_value_t *v = host->value_string(plain, strlen(plain));
    free(plain);
    return v;
}

static cd_value_t *variable_scale_decimal(const cd_host_api_t *host, const cd_schema_t *schema, const decimal_t *d)
{
    /* value_struct_set takes the value also when it fails; an allocation
     * that failed leaves a null the converter then refuses. */
    cd_value_t *st = host->value_struct(schema);
    if (st != NULL && (host->value_struct_set(st, "scale", host->value_int(CD_TYPE_INT32, d->scale)) != CD_OK ||
                       host->value_struct_set(st, "value", decimal_bytes(host, d)) != CD_OK)) {
        host->value_free(st);
        return NULL;
    }
    return st;
}

static cd_value_t *numeric_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                                 const cd_schema_t *schema, const char *text, size_t len, char *errbuf, size_t errlen)
{
    decimal_t d;
    if (!decimal_parse(text, len, &d)) {
        set_err(errbuf, errlen, "numeric", text, len);
        return NULL;
    }
    cd_value_t *v = NULL;
    if (d.special && cfg->decimal_mode == PG_DECIMAL_PRECISE) {
        snprintf(errbuf, errlen,
                 "numeric value '%.*s' cannot be written under decimal.handling.mode=precise; set it to 'string' or "
                 "'double' to capture NaN and infinities",
                 (int)len, text);
    } else if (d.special) {
        v = cfg->decimal_mode == PG_DECIMAL_DOUBLE ? decimal_double(host, &d) : decimal_string(host, &d);
    } else if (t->precision > 0 && !decimal_set_scale(&d, t->scale)) {
        snprintf(errbuf, errlen, "out of memory");
    } else if (cfg->decimal_mode == PG_DECIMAL_DOUBLE) {
        v = decimal_double(host, &d);
    } else if (cfg->decimal_mode == PG_DECIMAL_STRING) {
        v = decimal_string(host, &d);
    } else if (t->precision == 0) {
        decimal_strip(&d);
        v = variable_scale_decimal(host, schema, &d);
    } else {
        v = decimal_bytes(host, &d);
    }
    decimal_free(&d);
    return v;
}

/* PostgresMoney.parse: a leading '-' or enclosing parentheses make it
 * negative, one leading currency symbol and the thousands separators go;
 * the rest is a BigDecimal. */
static cd_value_t *money_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const char *text, size_t len,
                               char *errbuf, size_t errlen)
{
    char *buf = malloc(len + 2);
    if (buf == NULL) {
        return NULL;
    }
    size_t i = 0, n = 0;
    bool negative = len > 0 && (text[0] == '-' || text[0] == '(');
    size_t end = len;
    if (negative) {
        i = 1;
        if (text[0] == '(' && end > 1 && text[end - 1] == ')') {
            end--;
        }
    }
    if (i < end && !isdigit((unsigned char)text[i]) && text[i] != '.') {
        i++;
    }
    if (negative) {
        buf[n++] = '-';
    }
    for (; i < end; i++) {
        if (text[i] != ',') {
            buf[n++] = text[i];
        }
    }
    decimal_t d;
    bool ok = decimal_parse(buf, n, &d) && !d.special;
    free(buf);
    if (!ok) {
        if (d.special) {
            decimal_free(&d);
        }
        set_err(errbuf, errlen, "money", text, len);
        return NULL;
    }
    cd_value_t *v = NULL;
    if (cfg->decimal_mode == PG_DECIMAL_DOUBLE) {
        v = decimal_double(host, &d);
    } else if (cfg->decimal_mode == PG_DECIMAL_STRING) {
        v = decimal_string(host, &d);
    } else if (decimal_set_scale(&d, cfg->money_fraction_digits)) {
        v = decimal_bytes(host, &d);
    }
    decimal_free(&d);
    return v;
}

static cd_value_t *float_value(const cd_host_api_t *host, cd_type_t type, const char *text, size_t len, char *errbuf,
                               size_t errlen)
{
    char buf[64];
    if (len == 0 || len >= sizeof(buf)) {
        set_err(errbuf, errlen, type == CD_TYPE_FLOAT32 ? "float4" : "float8", text, len);
        return NULL;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end;
    double v = type == CD_TYPE_FLOAT32 ? (double)strtof(buf, &end) : strtod(buf, &end);
    if (*end != '\0') {
        set_err(errbuf, errlen, type == CD_TYPE_FLOAT32 ? "float4" : "float8", text, len);
        return NULL;
    }
    return host->value_float(type, v);
}

/* ---- reading text: binary ---------------------------------------------------------- */

/* The bytes in the representation binary.handling.mode asks for. */
static cd_value_t *binary_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const unsigned char *data,
                                size_t len)
{
    if (cfg->binary_mode == PG_BINARY_BYTES) {
        return host->value_bytes(data, len);
    }
    size_t cap = cfg->binary_mode == PG_BINARY_HEX ? len * 2 + 1 : base64_encoded_len(len) + 1;
    char *out = malloc(cap);
    if (out == NULL) {
        return NULL;
    }
    size_t n;
    if (cfg->binary_mode == PG_BINARY_HEX) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < len; i++) {
            out[2 * i] = digits[data[i] >> 4];
            out[2 * i + 1] = digits[data[i] & 15];
        }
        n = len * 2;
    } else {
        /* java.util.Base64's URL-safe encoder pads, unlike Kafka's ids. */
        n = base64_encode(data, len, out);
        if (cfg->binary_mode == PG_BINARY_BASE64_URL_SAFE) {
            for (size_t i = 0; i < n; i++) {
                out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
            }
        }
    }
    cd_value_t *v = host->value_string(out, n);
    free(out);
    return v;
}

static cd_value_t *bytea_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const char *text, size_t len,
                               char *errbuf, size_t errlen)
{
    if (len < 2 || text[0] != '\\' || text[1] != 'x' || len % 2 != 0) {
        snprintf(errbuf, errlen, "cannot read bytea value '%.*s': only bytea_output=hex is supported",
                 (int)(len > 32 ? 32 : len), text);
        return NULL;
    }
    size_t n = (len - 2) / 2;
    unsigned char *data = malloc(n + 1);
    if (data == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit((unsigned char)text[2 + 2 * i]), lo = hex_digit((unsigned char)text[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            free(data);
            set_err(errbuf, errlen, "bytea", text, len);
            return NULL;
        }
        data[i] = (unsigned char)(hi << 4 | lo);
    }
    cd_value_t *v = binary_value(host, cfg, data, n);
    free(data);
    return v;
}

static cd_value_t *bits_value(const cd_host_api_t *host, const pg_type_t *t, const char *text, size_t len, char *errbuf,
                              size_t errlen)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '0' && text[i] != '1') {
            set_err(errbuf, errlen, "bit string", text, len);
            return NULL;
        }
    }
    if (t->precision <= 1) {
        return host->value_bool(memchr(text, '1', len) != NULL);
    }
    /* Bit i of the BitSet is the i-th digit from the right. */
    size_t highest = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[len - 1 - i] == '1') {
            highest = i + 1;
        }
    }
    size_t n = (highest + 7) / 8;
    unsigned char *bytes = calloc(n + 1, 1);
    if (bytes == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < highest; i++) {
        if (text[len - 1 - i] == '1') {
            bytes[i / 8] |= (unsigned char)(1u << (i % 8));
        }
    }
    cd_value_t *v = host->value_bytes(bytes, n);
    free(bytes);
    return v;
}

/* ---- reading text: dates and times -------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), any year. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* A cursor over a value's text. */
typedef struct scan {
    const char *p, *end;
} scan_t;

static bool scan_digits(scan_t *s, int min, int max, int64_t *out)
{
    int n = 0;
    int64_t v = 0;
    while (s->p < s->end && n < max && isdigit((unsigned char)*s->p)) {
        v = v * 10 + (*s->p++ - '0');
        n++;
    }
    *out = v;
    return n >= min;
}

static bool scan_char(scan_t *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

/* YYYY-MM-DD: days since the epoch, the year as written (BC comes later). */
static bool scan_date(scan_t *s, int64_t *year, int *month, int *day)
{
    int64_t y, m, d;
    if (!scan_digits(s, 4, 10, &y) || !scan_char(s, '-') || !scan_digits(s, 2, 2, &m) || !scan_char(s, '-') ||
        !scan_digits(s, 2, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31) {
        return false;
    }
    *year = y;
    *month = (int)m;
    *day = (int)d;
    return true;
}

/* HH:MM:SS[.ffffff]: microseconds since midnight (24:00:00 allowed). */
static bool scan_time(scan_t *s, int64_t *micros)
{
    int64_t h, m, sec, frac = 0;
    if (!scan_digits(s, 2, 2, &h) || !scan_char(s, ':') || !scan_digits(s, 2, 2, &m) || !scan_char(s, ':') ||
        !scan_digits(s, 2, 2, &sec) || h > 24 || m > 59 || sec > 60) {
        return false;
    }
    if (scan_char(s, '.')) {
        int n = 0;
        while (s->p < s->end && isdigit((unsigned char)*s->p)) {
            if (n < 6) {
                frac = frac * 10 + (*s->p - '0');
                n++;
            }
            s->p++;
        }
        if (n == 0) {
            return false;
        }
        while (n++ < 6) {
            frac *= 10;
        }
    }
    *micros = ((h * 60 + m) * 60 + sec) * 1000000 + frac;
    return true;
}

/* +HH[:MM[:SS]] or -...: the offset east of UTC in seconds. */
static bool scan_offset(scan_t *s, int64_t *seconds)
{
    if (s->p >= s->end || (*s->p != '+' && *s->p != '-')) {
        return false;
    }
    int sign = *s->p++ == '-' ? -1 : 1;
    int64_t h, m = 0, sec = 0;
    if (!scan_digits(s, 2, 2, &h)) {
        return false;
    }
    if (scan_char(s, ':') && !scan_digits(s, 2, 2, &m)) {
        return false;
    }
    if (scan_char(s, ':') && !scan_digits(s, 2, 2, &sec)) {
        return false;
    }
    *seconds = sign * ((h * 60 + m) * 60 + sec);
    return true;
}

/* A trailing " BC" turns year y into the proleptic year 1 - y. */
static void scan_era(scan_t *s, int64_t *year)
{
    if (s->end - s->p == 3 && memcmp(s->p, " BC", 3) == 0) {
        *year = 1 - *year;
        s->p += 3;
    }
}

static bool text_is(const char *text, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(text, word, len) == 0;
}

/* pgjdbc's DATE_POSITIVE_INFINITY and DATE_NEGATIVE_INFINITY, which
 * Debezium reads as microseconds since the epoch. */
#define TIMESTAMP_POS_INFINITY_MICROS INT64_C(9223372036825200000)
#define TIMESTAMP_NEG_INFINITY_MICROS (-INT64_C(9223372036832400000))

static bool parse_date(const char *text, size_t len, int64_t *days)
{
    if (text_is(text, len, "infinity")) {
        *days = days_from_civil(-5877611, 6, 21);
        return true;
    }
    if (text_is(text, len, "-infinity")) {
        *days = days_from_civil(-5877611, 6, 22);
        return true;
    }
    scan_t s = {text, text + len};
    int64_t y;
    int m, d;
    if (!scan_date(&s, &y, &m, &d)) {
        return false;
    }
    scan_era(&s, &y);
    *days = days_from_civil(y, m, d);
    return s.p == s.end;
}

/* timestamp [without time zone] as micros since the epoch, read as UTC. */
static bool parse_timestamp(const char *text, size_t len, int64_t *micros)
{
    if (text_is(text, len, "infinity")) {
        *micros = TIMESTAMP_POS_INFINITY_MICROS;
        return true;
    }
    if (text_is(text, len, "-infinity")) {
        *micros = TIMESTAMP_NEG_INFINITY_MICROS;
        return true;
    }
    scan_t s = {text, text + len};
    int64_t y, t;
    int m, d;
    if (!scan_date(&s, &y, &m, &d) || !scan_char(&s, ' ') || !scan_time(&s, &t)) {
        return false;
    }
    scan_era(&s, &y);
    *micros = days_from_civil(y, m, d) * USECS_PER_DAY + t;
    return s.p == s.end;
}

/* The fraction of `micros` (0..999999) as java.time prints it: `width`
 * digits when 1..9, else as few as it takes (none for 0). */
static int format_fraction(char *out, size_t cap, int64_t micros, int width)
{
    char digits[16];
    snprintf(digits, sizeof(digits), "%06" PRId64 "000", micros);
    if (width >= 1 && width <= 9) {
        return snprintf(out, cap, ".%.*s", width, digits);
    }
    int n = 9;
    while (n > 0 && digits[n - 1] == '0') {
        n--;
    }
    return n ? snprintf(out, cap, ".%.*s", n, digits) : snprintf(out, cap, "%s", "");
}

/* java.time's ISO year: 4 digits at least, '+' beyond 9999, '-' before 0. */
static int format_year(char *out, size_t cap, int64_t y)
{
    if (y > 9999) {
        return snprintf(out, cap, "+%" PRId64, y);
    }
    if (y < 0) {
        return snprintf(out, cap, "-%04" PRId64, -y);
    }
    return snprintf(out, cap, "%04" PRId64, y);
}

static cd_value_t *timestamptz_value(const cd_host_api_t *host, const pg_type_t *t, const char *text, size_t len,
                                     char *errbuf, size_t errlen)
{
    if (text_is(text, len, "infinity") || text_is(text, len, "-infinity")) {
        return host->value_string(text, len);
    }
    scan_t s = {text, text + len};
    int64_t y, tod, offset;
    int m, d;
    if (!scan_date(&s, &y, &m, &d) || !scan_char(&s, ' ') || !scan_time(&s, &tod) || !scan_offset(&s, &offset)) {
        set_err(errbuf, errlen, "timestamptz", text, len);
        return NULL;
    }
    scan_era(&s, &y);
    if (s.p != s.end) {
        set_err(errbuf, errlen, "timestamptz", text, len);
        return NULL;
    }
    int64_t utc = days_from_civil(y, m, d) * USECS_PER_DAY + tod - offset * 1000000;
    int64_t days = floor_div(utc, USECS_PER_DAY), rem = utc - days * USECS_PER_DAY;
    civil_from_days(days, &y, &m, &d);
    char out[96];
    int n = format_year(out, sizeof(out), y);
    int64_t sec = rem / 1000000;
    n += snprintf(out + n, sizeof(out) - (size_t)n, "-%02d-%02dT%02d:%02d:%02d", m, d, (int)(sec / 3600),
                  (int)(sec / 60 % 60), (int)(sec % 60));
    n += format_fraction(out + n, sizeof(out) - (size_t)n, rem % 1000000, t->precision);
    n += snprintf(out + n, sizeof(out) - (size_t)n, "Z");
    return host->value_string(out, (size_t)n);
}

static cd_value_t *timetz_value(const cd_host_api_t *host, const char *text, size_t len, char *errbuf, size_t errlen)
{
    scan_t s = {text, text + len};
    int64_t tod, offset;
    if (!scan_time(&s, &tod) || !scan_offset(&s, &offset) || s.p != s.end) {
        set_err(errbuf, errlen, "timetz", text, len);
        return NULL;
    }
    /* PostgresTimeBoundary: 24:00:00 at UTC stays the end of the day. */
    if (tod == USECS_PER_DAY && offset == 0) {
        return host->value_string("24:00:00Z", 9);
    }
    int64_t utc = tod - offset * 1000000;
    utc -= floor_div(utc, USECS_PER_DAY) * USECS_PER_DAY;
    int64_t sec = utc / 1000000;
    char out[48];
    int n = snprintf(out, sizeof(out), "%02d:%02d:%02d", (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
    n += format_fraction(out + n, sizeof(out) - (size_t)n, utc % 1000000, 0);
    n += snprintf(out + n, sizeof(out) - (size_t)n, "Z");
    return host->value_string(out, (size_t)n);
}

/* IntervalStyle postgres ("1 year 2 mons -3 days +04:05:06.5") into
 * pgjdbc's PGInterval fields, then MicroDuration.durationMicros. */
static bool parse_interval(const char *text, size_t len, int64_t *micros)
{
    int64_t years = 0, months = 0, days = 0, hours = 0, minutes = 0, whole = 0, frac = 0;
    scan_t s = {text, text + len};
    while (s.p < s.end) {
        while (s.p < s.end && *s.p == ' ') {
            s.p++;
        }
        const char *tok = s.p;
        while (s.p < s.end && *s.p != ' ') {
            s.p++;
        }
        size_t n = (size_t)(s.p - tok);
        if (n == 0) {
            break;
        }
        if (memchr(tok, ':', n) != NULL) {
            scan_t ts = {tok, tok + n};
            int sign = 1;
            if (*ts.p == '-' || *ts.p == '+') {
                sign = *ts.p++ == '-' ? -1 : 1;
            }
            int64_t h, m, sec, f = 0;
            if (!scan_digits(&ts, 1, 18, &h) || !scan_char(&ts, ':') || !scan_digits(&ts, 2, 2, &m) ||
                !scan_char(&ts, ':') || !scan_digits(&ts, 2, 2, &sec)) {
                return false;
            }
            if (scan_char(&ts, '.')) {
                int nd = 0;
                while (ts.p < ts.end && isdigit((unsigned char)*ts.p) && nd < 6) {
                    f = f * 10 + (*ts.p++ - '0');
                    nd++;
                }
                while (nd++ < 6) {
                    f *= 10;
                }
            }
            if (ts.p != ts.end) {
                return false;
            }
            hours = sign * h;
            minutes = sign * m;
            whole = sign * sec;
            frac = sign * f;
            continue;
        }
        int64_t v;
        if (!parse_int64(tok, n, INT32_MIN, INT32_MAX, &v)) {
            return false;
        }
        while (s.p < s.end && *s.p == ' ') {
            s.p++;
        }
        const char *unit = s.p;
        while (s.p < s.end && *s.p != ' ') {
            s.p++;
        }
        size_t un = (size_t)(s.p - unit);
        if (un >= 4 && memcmp(unit, "year", 4) == 0) {
            years = v;
        } else if (un >= 3 && memcmp(unit, "mon", 3) == 0) {
            months = v;
        } else if (un >= 3 && memcmp(unit, "day", 3) == 0) {
            days = v;
        } else {
            return false;
        }
    }
    double seconds = (double)whole + (double)frac / 1000000.0;
    double number_of_days = (double)(years * 12 + months) * (365.25 / 12.0) + (double)days;
    double number_of_seconds = (((number_of_days * 24 + (double)hours) * 60) + (double)minutes) * 60 + seconds;
    *micros = (int64_t)(number_of_seconds * 1e6);
    return true;
}

/* ---- values ---------------------------------------------------------------------- */

static cd_value_t *scalar_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                                const cd_schema_t *schema, const char *text, size_t len, char *errbuf, size_t errlen)
{
    int64_t v;
    switch (t->kind) {
    case PG_KIND_BOOL:
        if (text_is(text, len, "t") || text_is(text, len, "f")) {
            return host->value_bool(text[0] == 't');
        }
        set_err(errbuf, errlen, "boolean", text, len);
        return NULL;
    case PG_KIND_INT16:
        if (parse_int64(text, len, INT16_MIN, INT16_MAX, &v)) {
            return host->value_int(CD_TYPE_INT16, v);
        }
        set_err(errbuf, errlen, "int2", text, len);
        return NULL;
    case PG_KIND_INT32:
        if (parse_int64(text, len, INT32_MIN, INT32_MAX, &v)) {
            return host->value_int(CD_TYPE_INT32, v);
        }
        set_err(errbuf, errlen, "int4", text, len);
        return NULL;
    case PG_KIND_INT64:
        if (parse_int64(text, len, INT64_MIN, INT64_MAX, &v)) {
            return host->value_int(CD_TYPE_INT64, v);
        }
        set_err(errbuf, errlen, "int8", text, len);
        return NULL;
    case PG_KIND_FLOAT32:
        return float_value(host, CD_TYPE_FLOAT32, text, len, errbuf, errlen);
    case PG_KIND_FLOAT64:
        return float_value(host, CD_TYPE_FLOAT64, text, len, errbuf, errlen);
    case PG_KIND_NUMERIC:
        return numeric_value(host, cfg, t, schema, text, len, errbuf, errlen);
    case PG_KIND_MONEY:
        return money_value(host, cfg, text, len, errbuf, errlen);
    case PG_KIND_STRING:
    case PG_KIND_JSON:
    case PG_KIND_XML:
    case PG_KIND_UUID:
    case PG_KIND_TSVECTOR:
    case PG_KIND_LTREE:
    case PG_KIND_ENUM:
        return host->value_string(text, len);
    case PG_KIND_BYTEA:
        return bytea_value(host, cfg, text, len, errbuf, errlen);
    case PG_KIND_UNKNOWN:
        return binary_value(host, cfg, (const unsigned char *)text, len);
    case PG_KIND_BITS:
        return bits_value(host, t, text, len, errbuf, errlen);
    case PG_KIND_DATE:
        if (parse_date(text, len, &v)) {
            return host->value_int(CD_TYPE_INT32, (int32_t)v);
        }
        set_err(errbuf, errlen, "date", text, len);
        return NULL;
    case PG_KIND_TIME: {
        scan_t s = {text, text + len};
        if (!scan_time(&s, &v) || s.p != s.end) {
            set_err(errbuf, errlen, "time", text, len);
            return NULL;
        }
        if (cfg->time_mode == PG_TIME_CONNECT || (cfg->time_mode == PG_TIME_ADAPTIVE && t->precision <= 3)) {
            return host->value_int(CD_TYPE_INT32, v / 1000);
        }
        return host->value_int(CD_TYPE_INT64, v);
    }
    case PG_KIND_TIMESTAMP:
        if (!parse_timestamp(text, len, &v)) {
            set_err(errbuf, errlen, "timestamp", text, len);
            return NULL;
        }
        if (cfg->time_mode == PG_TIME_CONNECT || t->precision <= 3) {
            v = floor_div(v, 1000);
        }
        return host->value_int(CD_TYPE_INT64, v);
    case PG_KIND_TIMETZ:
        return timetz_value(host, text, len, errbuf, errlen);
    case PG_KIND_TIMESTAMPTZ:
        return timestamptz_value(host, t, text, len, errbuf, errlen);
    case PG_KIND_INTERVAL:
        if (parse_interval(text, len, &v)) {
            return host->value_int(CD_TYPE_INT64, v);
        }
        set_err(errbuf, errlen, "interval", text, len);
        return NULL;
    }
    snprintf(errbuf, errlen, "no mapping for type %" PRIu32, t->oid);
    return NULL;
}

/*
 * PostgreSQL's array text (array_out): {a,b,"c d",NULL}, optionally after
 * a dimension decoration "[0:2]=".  Quoted elements use backslash escapes;
 * an unquoted NULL is null.  Only one dimension maps to a Connect array.
 */
static cd_value_t *array_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                               const cd_schema_t *schema, const char *text, size_t len, char *errbuf, size_t errlen)
{
    const char *p = text, *end = text + len;
    if (p < end && *p == '[') {
        const char *eq = memchr(p, '=', len);
        p = eq ? eq + 1 : end;
    }
    if (p >= end || *p != '{' || end[-1] != '}') {
        set_err(errbuf, errlen, "array", text, len);
        return NULL;
    }
    p++;
    end--;
    const cd_schema_t *items = host->schema_items(schema);
    cd_value_t *array = host->value_array();
    char *buf = malloc(len + 1);
    if (array == NULL || buf == NULL) {
        free(buf);
        host->value_free(array);
        return NULL;
    }
    while (p < end) {
        size_t n = 0;
        bool quoted = false;
        if (*p == '{') {
            snprintf(errbuf, errlen, "cannot map the multi-dimensional array '%.*s' to a Connect array",
                     (int)(len > 64 ? 64 : len), text);
            goto fail;
        }
        if (*p == '"') {
            quoted = true;
            p++;
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end) {
                    p++;
                }
                buf[n++] = *p++;
            }
            if (p >= end) {
                set_err(errbuf, errlen, "array", text, len);
                goto fail;
            }
            p++;
        } else {
            while (p < end && *p != ',') {
                buf[n++] = *p++;
            }
        }
        cd_value_t *item;
        if (!quoted && n == 4 && strncasecmp(buf, "NULL", 4) == 0) {
            item = host->value_null();
        } else {
            item = scalar_value(host, cfg, t, items, buf, n, errbuf, errlen);
        }
        if (item == NULL) {
            goto fail;
        }
        host->value_array_push(array, item);
        if (p < end && *p != ',') {
            set_err(errbuf, errlen, "array", text, len);
            goto fail;
        }
        p += p < end;
    }
    free(buf);
    return array;
fail:
    free(buf);
    host->value_free(array);
    return NULL;
}

cd_value_t *pg_types_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *type,
                           const cd_schema_t *schema, const char *text, size_t len, char *errbuf, size_t errlen)
{
    if (cfg->flavour == PG_TYPES_CONFLUENT) {
        return confluent_value(host, cfg, type, text, len, errbuf, errlen);
    }
    if (type->array) {
        return array_value(host, cfg, type, schema, text, len, errbuf, errlen);
    }
    return scalar_value(host, cfg, type, schema, text, len, errbuf, errlen);
}

cd_value_t *pg_types_placeholder(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *type,
                                 char *errbuf, size_t errlen)
{
    const char *ph = (const char *)cfg->placeholder;
    size_t len = cfg->placeholder_len;
    if (type->array) {
        /* UnchangedToastedReplicationMessageColumn's array types; the
         * others (uuid[] among them) have no placeholder. */
        cd_value_t *array = host->value_array();
        if (array == NULL) {
            return NULL;
        }
        switch (type->oid) {
        case OID_TEXT_ARRAY:
        case OID_VARCHAR_ARRAY:
        case OID_BPCHAR_ARRAY:
        case OID_JSON_ARRAY:
        case OID_JSONB_ARRAY:
            host->value_array_push(array, host->value_string(ph, len));
            return array;
        case OID_BYTEA_ARRAY:
            host->value_array_push(array, cfg->binary_mode == PG_BINARY_BYTES ? host->value_bytes(ph, len)
                                                                              : host->value_string(ph, len));
            return array;
        case OID_INT4_ARRAY:
        case OID_DATE_ARRAY:
        case OID_INT8_ARRAY:
            /* The placeholder's bytes as numbers (Java's signed bytes). */
            for (size_t i = 0; i < len; i++) {
                host->value_array_push(array,
                                       host->value_int(type->oid == OID_INT8_ARRAY ? CD_TYPE_INT64 : CD_TYPE_INT32,
                                                       (int8_t)cfg->placeholder[i]));
            }
            return array;
        default:
            break;
        }
        host->value_free(array);
    } else {
        switch (type->kind) {
        case PG_KIND_BYTEA:
        case PG_KIND_UNKNOWN:
            if (cfg->binary_mode == PG_BINARY_BYTES) {
                return host->value_bytes(ph, len);
            }
            return host->value_string(ph, len);
        case PG_KIND_STRING:
        case PG_KIND_JSON:
        case PG_KIND_XML:
        case PG_KIND_TSVECTOR:
        case PG_KIND_LTREE:
        case PG_KIND_ENUM:
            return host->value_string(ph, len);
        default:
            break;
        }
    }
    snprintf(errbuf, errlen, "an unchanged TOASTed value of type %" PRIu32 " has no placeholder in Debezium's format",
             type->oid);
    return NULL;
}

cd_value_t *pg_types_fallback(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *type,
                              const cd_schema_t *schema)
{
    if (type->array) {
        return host->value_array();
    }
    switch (type->kind) {
    case PG_KIND_BOOL:
        return host->value_bool(false);
    case PG_KIND_INT16:
        return host->value_int(CD_TYPE_INT16, 0);
    case PG_KIND_INT32:
    case PG_KIND_DATE:
        return host->value_int(CD_TYPE_INT32, 0);
    case PG_KIND_INT64:
    case PG_KIND_TIMESTAMP:
    case PG_KIND_INTERVAL:
        return host->value_int(CD_TYPE_INT64, 0);
    case PG_KIND_TIME:
        return host->value_int(host->schema_type(schema), 0);
    case PG_KIND_FLOAT32:
        return host->value_float(CD_TYPE_FLOAT32, 0);
    case PG_KIND_FLOAT64:
        return host->value_float(CD_TYPE_FLOAT64, 0);
    case PG_KIND_NUMERIC:
    case PG_KIND_MONEY: {
        /* BigDecimal.ZERO at the column's scale (money's fraction digits). */
        char zero[48] = "0";
        int scale = type->kind == PG_KIND_MONEY ? cfg->money_fraction_digits : type->scale;
        if (scale > 0 && scale < 40) {
            snprintf(zero, sizeof(zero), "0.%0*d", scale, 0);
        }
        char err[8];
        return pg_types_value(host, cfg, type, schema, zero, strlen(zero), err, sizeof(err));
    }
    case PG_KIND_BITS:
        return type->precision <= 1 ? host->value_bool(false) : host->value_bytes("", 0);
    case PG_KIND_BYTEA:
    case PG_KIND_UNKNOWN:
        return binary_value(host, cfg, (const unsigned char *)"", 0);
    case PG_KIND_TIMETZ:
        return host->value_string("00:00:00Z", 9);
    case PG_KIND_TIMESTAMPTZ:
        return host->value_string("1970-01-01T00:00:00Z", 20);
    default:
        return host->value_string("", 0);
    }
}

/* ---- Confluent's JDBC mapping ---------------------------------------------------------
 *
 * What kafka-connect-jdbc's GenericDatabaseDialect and
 * PostgreSqlDatabaseDialect make of the java.sql.Types pgJDBC reports:
 * bool BIT(1) -> BOOLEAN; bit(2..8) -> INT8, longer BYTES; int2, int4, int8
 * and oid -> INT16, INT32, INT64; float4 REAL -> FLOAT32; float8 -> FLOAT64;
 * money DOUBLE -> FLOAT64; numeric as numeric.mapping says; text, varchar,
 * bpchar, name, xml, enums, and json, jsonb, uuid (OTHER, the dialect's
 * own cases) -> STRING; bytea -> BYTES; date -> Date; time and timetz ->
 * Time; timestamp and timestamptz -> Timestamp (or as
 * timestamp.granularity says).  Every other OTHER (inet, intervals,
 * ranges, tsvector, ...) and ARRAY column is one Confluent leaves out of
 * the record ("JDBC type ... not currently supported"): resolving it
 * fails. */

static bool confluent_unsupported_oid(uint32_t oid)
{
    switch (oid) {
    case OID_INET:
    case OID_CIDR:
    case OID_MACADDR:
    case OID_MACADDR8:
    case OID_INT4RANGE:
    case OID_NUMRANGE:
    case OID_TSRANGE:
    case OID_TSTZRANGE:
    case OID_DATERANGE:
    case OID_INT8RANGE:
        return true;
    default:
        return false;
    }
}

static int confluent_resolve(const pg_type_registry_t *reg, uint32_t oid, int32_t typmod, pg_type_t *out)
{
    pg_types_config_t dbz;
    pg_types_config_init(&dbz);
    uint32_t base = resolve_domain(reg, oid, &(int32_t){typmod});
    if (confluent_unsupported_oid(base) || pg_types_resolve(&dbz, reg, oid, typmod, out) != 0 || out->array) {
        return -1;
    }
    switch (out->kind) {
    case PG_KIND_INTERVAL:
    case PG_KIND_TSVECTOR:
    case PG_KIND_UNKNOWN:
        return -1;
    default:
        return 0;
    }
}

/* The NUMERIC column's schema type under numeric.mapping, or
 * CD_TYPE_BYTES for Connect's Decimal.  pgJDBC reports an unconstrained
 * numeric as precision 0, scale 0; best_fit makes it a FLOAT64 here, where
 * Confluent's INT8 would truncate every value. */
static cd_type_t confluent_numeric_type(const pg_types_config_t *cfg, const pg_type_t *t)
{
    int32_t p = t->precision, s = t->scale;
    if (cfg->numeric_mapping == PG_NUMERIC_NONE) {
        return CD_TYPE_BYTES;
    }
    if (p == 0) {
        return cfg->numeric_mapping == PG_NUMERIC_PRECISION_ONLY ? CD_TYPE_BYTES : CD_TYPE_FLOAT64;
    }
    bool integral = cfg->numeric_mapping == PG_NUMERIC_PRECISION_ONLY ? s == 0 && p < 19 : s < 1 && p < 19;
    if (integral) {
        return p > 9 ? CD_TYPE_INT64 : p > 4 ? CD_TYPE_INT32 : p > 2 ? CD_TYPE_INT16 : CD_TYPE_INT8;
    }
    if (cfg->numeric_mapping == PG_NUMERIC_BEST_FIT_EAGER_DOUBLE && s > 0) {
        return CD_TYPE_FLOAT64;
    }
    if (cfg->numeric_mapping != PG_NUMERIC_PRECISION_ONLY && s > 0 && p < 19) {
        return CD_TYPE_FLOAT64;
    }
    return CD_TYPE_BYTES;
}

static cd_schema_t *confluent_schema(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                                     bool optional)
{
    switch (t->kind) {
    case PG_KIND_BOOL:
        return host->schema_new(CD_TYPE_BOOLEAN, optional);
    case PG_KIND_BITS:
        return host->schema_new(t->precision <= 1   ? CD_TYPE_BOOLEAN
                                : t->precision <= 8 ? CD_TYPE_INT8
                                                    : CD_TYPE_BYTES,
                                optional);
    case PG_KIND_INT16:
        return host->schema_new(CD_TYPE_INT16, optional);
    case PG_KIND_INT32:
        return host->schema_new(CD_TYPE_INT32, optional);
    case PG_KIND_INT64:
        return host->schema_new(CD_TYPE_INT64, optional);
    case PG_KIND_FLOAT32:
        return host->schema_new(CD_TYPE_FLOAT32, optional);
    case PG_KIND_FLOAT64:
    case PG_KIND_MONEY:
        return host->schema_new(CD_TYPE_FLOAT64, optional);
    case PG_KIND_NUMERIC: {
        cd_type_t type = confluent_numeric_type(cfg, t);
        /* Confluent's Decimal carries its scale only, no connect.decimal.precision. */
        return type == CD_TYPE_BYTES ? decimal_schema(host, t->scale, -1, optional) : host->schema_new(type, optional);
    }
    case PG_KIND_BYTEA:
        return host->schema_new(CD_TYPE_BYTES, optional);
    case PG_KIND_DATE:
        return named(host, CD_TYPE_INT32, "org.apache.kafka.connect.data.Date", optional);
    case PG_KIND_TIME:
    case PG_KIND_TIMETZ:
        return named(host, CD_TYPE_INT32, "org.apache.kafka.connect.data.Time", optional);
    case PG_KIND_TIMESTAMP:
    case PG_KIND_TIMESTAMPTZ:
        switch (cfg->ts_granularity) {
        case PG_TS_CONNECT_LOGICAL:
            return named(host, CD_TYPE_INT64, "org.apache.kafka.connect.data.Timestamp", optional);
        case PG_TS_MICROS_LONG:
        case PG_TS_NANOS_LONG:
            return host->schema_new(CD_TYPE_INT64, optional);
        default:
            return host->schema_new(CD_TYPE_STRING, optional);
        }
    default:
        return host->schema_new(CD_TYPE_STRING, optional);
    }
}

/* Wall-clock micros (a timestamp's text read as UTC) as an instant in
 * `zone` (NULL: UTC). */
static int64_t confluent_local_to_utc(const pgc_tz_t *zone, int64_t local)
{
    if (zone == NULL || pgc_tz_is_utc(zone)) {
        return local;
    }
    int64_t sec = floor_div(local, 1000000);
    return pgc_tz_local_to_utc(zone, sec) * 1000000 + (local - sec * 1000000);
}

int pg_types_instant(const pg_types_config_t *cfg, const pg_type_t *type, const char *text, size_t len, int64_t *micros,
                     char *errbuf, size_t errlen)
{
    if (text_is(text, len, "infinity") || text_is(text, len, "-infinity")) {
        snprintf(errbuf, errlen, "'%.*s' has no instant", (int)len, text);
        return -1;
    }
    scan_t s = {text, text + len};
    int64_t y, tod = 0, offset = 0;
    int m, d;
    bool ok = scan_date(&s, &y, &m, &d);
    if (ok && type->kind != PG_KIND_DATE) {
        ok = scan_char(&s, ' ') && scan_time(&s, &tod);
        if (ok && type->kind == PG_KIND_TIMESTAMPTZ) {
            ok = scan_offset(&s, &offset);
        }
    }
    if (ok) {
        scan_era(&s, &y);
    }
    if (!ok || s.p != s.end ||
        (type->kind != PG_KIND_DATE && type->kind != PG_KIND_TIMESTAMP && type->kind != PG_KIND_TIMESTAMPTZ)) {
        set_err(errbuf, errlen, "a date or timestamp", text, len);
        return -1;
    }
    int64_t wall = days_from_civil(y, m, d) * USECS_PER_DAY + tod;
    if (type->kind == PG_KIND_TIMESTAMPTZ) {
        *micros = wall - offset * 1000000;
    } else if (type->kind == PG_KIND_TIMESTAMP) {
        *micros = confluent_local_to_utc(cfg->zone, wall);
    } else {
        *micros = wall;
    }
    return 0;
}

int pg_types_instant_text(const pg_types_config_t *cfg, int64_t micros, char *out, size_t cap)
{
    int32_t offset = cfg->zone ? pgc_tz_offset_at(cfg->zone, floor_div(micros, 1000000)) : 0;
    int64_t wall = micros + (int64_t)offset * 1000000;
    int64_t days = floor_div(wall, USECS_PER_DAY), rem = wall - days * USECS_PER_DAY, y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t sec = rem / 1000000;
    int32_t off = offset < 0 ? -offset : offset;
    /* PostgreSQL reads a year before 1 only with "BC". */
    return snprintf(out, cap, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d.%06" PRId64 "%c%02d:%02d:%02d%s",
                    y > 0 ? y : 1 - y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), rem % 1000000,
                    offset < 0 ? '-' : '+', (int)(off / 3600), (int)(off / 60 % 60), (int)(off % 60),
                    y > 0 ? "" : " BC");
}

/* A timestamp's instant as timestamp.granularity writes it. */
static cd_value_t *confluent_timestamp(const cd_host_api_t *host, const pg_types_config_t *cfg, int64_t micros)
{
    char buf[64];
    int n;
    switch (cfg->ts_granularity) {
    case PG_TS_CONNECT_LOGICAL:
        return host->value_int(CD_TYPE_INT64, floor_div(micros, 1000));
    case PG_TS_MICROS_LONG:
        return host->value_int(CD_TYPE_INT64, micros);
    case PG_TS_NANOS_LONG:
        return host->value_int(CD_TYPE_INT64, micros * 1000);
    case PG_TS_MICROS_STRING:
        n = snprintf(buf, sizeof(buf), "%" PRId64, micros);
        return host->value_string(buf, (size_t)n);
    case PG_TS_NANOS_STRING:
        n = snprintf(buf, sizeof(buf), "%" PRId64 "000", micros);
        return host->value_string(buf, (size_t)n);
    default: {
        /* DateTimeUtils.toIsoDateTimeString: the wall-clock time in
         * db.timezone, with 6 or 9 fractional digits and no offset. */
        int32_t offset = cfg->zone ? pgc_tz_offset_at(cfg->zone, floor_div(micros, 1000000)) : 0;
        int64_t wall = micros + (int64_t)offset * 1000000;
        int64_t days = floor_div(wall, USECS_PER_DAY), rem = wall - days * USECS_PER_DAY, y;
        int m, d;
        civil_from_days(days, &y, &m, &d);
        int64_t sec = rem / 1000000;
        n = format_year(buf, sizeof(buf), y);
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "-%02d-%02dT%02d:%02d:%02d.%06" PRId64 "%s", m, d,
                      (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), rem % 1000000,
                      cfg->ts_granularity == PG_TS_NANOS_ISO_DATETIME_STRING ? "000" : "");
        return host->value_string(buf, (size_t)n);
    }
    }
}

/* Whether a digit after the point is not 0. */
static bool decimal_has_fraction(const decimal_t *d)
{
    size_t frac = d->scale > 0 ? (size_t)d->scale : 0;
    frac = frac < d->ndigits ? frac : d->ndigits;
    for (size_t i = d->ndigits - frac; i < d->ndigits; i++) {
        if (d->digits[i] != '0') {
            return true;
        }
    }
    return false;
}

static cd_value_t *confluent_numeric(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                                     const char *text, size_t len, char *errbuf, size_t errlen)
{
    decimal_t d;
    if (!decimal_parse(text, len, &d)) {
        set_err(errbuf, errlen, "numeric", text, len);
        return NULL;
    }
    cd_type_t type = confluent_numeric_type(cfg, t);
    cd_value_t *v = NULL;
    if (type == CD_TYPE_FLOAT64) {
        v = decimal_double(host, &d);
    } else if (d.special) {
        snprintf(errbuf, errlen, "numeric value '%.*s' has no %s form; cast the column to float8 in a query", (int)len,
                 text, type == CD_TYPE_BYTES ? "Decimal" : "integer");
    } else if (type == CD_TYPE_BYTES && t->precision == 0 && decimal_has_fraction(&d)) {
        /* Confluent's Decimal.fromLogical refuses a scale other than the
         * schema's; rounding would change the value without a word. */
        snprintf(errbuf, errlen,
                 "numeric value '%.*s' of a numeric column without a scale has a fraction, which Connect's Decimal of "
                 "scale 0 cannot hold: set numeric.mapping=best_fit, or give the column a scale",
                 (int)len, text);
    } else if (!decimal_set_scale(&d, type == CD_TYPE_BYTES ? t->scale : 0)) {
        snprintf(errbuf, errlen, "out of memory");
    } else if (type == CD_TYPE_BYTES) {
        v = decimal_bytes(host, &d);
    } else {
        int64_t iv;
        char *plain = decimal_plain(&d);
        if (plain && parse_int64(plain, strlen(plain), INT64_MIN, INT64_MAX, &iv)) {
            v = host->value_int(type, iv);
        } else {
            set_err(errbuf, errlen, "numeric", text, len);
        }
        free(plain);
    }
    decimal_free(&d);
    return v;
}

static cd_value_t *confluent_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *t,
                                   const char *text, size_t len, char *errbuf, size_t errlen)
{
    int64_t v;
    switch (t->kind) {
    case PG_KIND_BITS:
        if (t->precision > 1 && t->precision <= 8) {
            /* rs.getByte of the bit string's text, as pgJDBC reads it. */
            int64_t b = 0;
            for (size_t i = 0; i < len; i++) {
                if (text[i] != '0' && text[i] != '1') {
                    set_err(errbuf, errlen, "bit string", text, len);
                    return NULL;
                }
                b = b << 1 | (text[i] - '0');
            }
            return host->value_int(CD_TYPE_INT8, (int8_t)b);
        }
        return bits_value(host, t, text, len, errbuf, errlen);
    case PG_KIND_NUMERIC:
        return confluent_numeric(host, cfg, t, text, len, errbuf, errlen);
    case PG_KIND_MONEY: {
        pg_types_config_t dbl = *cfg;
        dbl.decimal_mode = PG_DECIMAL_DOUBLE;
        return money_value(host, &dbl, text, len, errbuf, errlen);
    }
    case PG_KIND_BYTEA: {
        pg_types_config_t raw = *cfg;
        raw.binary_mode = PG_BINARY_BYTES;
        return bytea_value(host, &raw, text, len, errbuf, errlen);
    }
    case PG_KIND_TIME:
    case PG_KIND_TIMETZ: {
        /* rs.getTime(col, db.timezone's calendar): the time on 1970-01-01
         * in that zone, as milliseconds since the epoch. */
        scan_t s = {text, text + len};
        int64_t offset = 0;
        if (!scan_time(&s, &v) || (t->kind == PG_KIND_TIMETZ && !scan_offset(&s, &offset)) || s.p != s.end) {
            set_err(errbuf, errlen, t->kind == PG_KIND_TIME ? "time" : "timetz", text, len);
            return NULL;
        }
        v = t->kind == PG_KIND_TIME ? confluent_local_to_utc(cfg->zone, v) : v - offset * 1000000;
        return host->value_int(CD_TYPE_INT32, floor_div(v, 1000));
    }
    case PG_KIND_DATE:
    case PG_KIND_TIMESTAMP:
    case PG_KIND_TIMESTAMPTZ:
        if (pg_types_instant(cfg, t, text, len, &v, errbuf, errlen) != 0) {
            return NULL;
        }
        if (t->kind == PG_KIND_DATE) {
            return host->value_int(CD_TYPE_INT32, floor_div(v, USECS_PER_DAY));
        }
        return confluent_timestamp(host, cfg, v);
    default: {
        pg_types_config_t dbz = *cfg;
        dbz.flavour = PG_TYPES_DEBEZIUM;
        return scalar_value(host, &dbz, t, NULL, text, len, errbuf, errlen);
    }
    }
}
