/*
 * transform.h - single message transforms and predicates (Kafka's SMTs,
 * reference/connect-rest.md §4.2) as the worker runs them.
 *
 * A connector's `transforms=a,b` chain applies, in order, to every record:
 * on a source after poll() and before the converters, on a sink after the
 * converters and before put().  Each link is an instance of a
 * transform_def_t made from the settings under `transforms.<alias>.` (the
 * prefix removed), optionally guarded by a predicate
 * (`transforms.<alias>.predicate=<p>`, `.negate=true`) made from the
 * settings under `predicates.<p>.`.
 *
 * The built-ins live in src/transforms/ (one file per transform), each
 * exporting its transform_def_t, listed in registry.c; a transform from a
 * plugin (.so, ABI kind CD_KIND_TRANSFORM) is wrapped in a transform_def_t
 * by the loader, so the chain treats both alike.
 *
 * Records are the worker's data model (src/data/data.h).  Thread-safety: an
 * instance belongs to one task thread.
 */
#ifndef CONNECTD_TRANSFORM_H
#define CONNECTD_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include <connectd/plugin.h>

#include "properties.h"

/* Which part of the record a $Key / $Value variant works on. */
typedef enum transform_target {
    TRANSFORM_VALUE, /* "X$Value", and transforms without variants */
    TRANSFORM_KEY,   /* "X$Key" */
} transform_target_t;

typedef struct transform_def {
    /* Kafka's simple class name without the variant: "InsertField".  The
     * registry answers to it with "$Key" / "$Value" when has_variants,
     * and to the full "org.apache.kafka.connect.transforms.InsertField$Value"
     * (predicates: "org.apache.kafka.connect.transforms.predicates.X"). */
    const char *name;
    const char *package; /* "org.apache.kafka.connect.transforms" */
    bool has_variants;   /* $Key and $Value */
    bool is_predicate;
    const char *doc;     /* Kafka's OVERVIEW_DOC */
    const cd_config_def_t *config; /* the settings, NULL-name-terminated; NULL: none */

    /* Makes an instance from its settings (prefix removed; the config
     * table's checks have passed already).  NULL with errstr in Kafka's
     * words ("Invalid value x for configuration spec: ...") when the
     * settings make no sense together.  Required of built-ins (a stateless
     * one uses smt_create_stateless); a plugin's wrapper has none, the
     * chain makes those instances itself. */
    void *(*create)(const properties_t *config, transform_target_t target, char *errstr, size_t errstr_size);

    /* Transform: applies to `rec` (the caller's) and sets *out to the record
     * to pass on -- `rec` itself, changed or not, or a new record (then
     * the caller frees rec), or NULL to drop it (Filter).  Returns 0, or -1
     * with errstr (Kafka's DataException message, e.g. "Only Struct objects
     * supported for [field extraction], found: java.lang.String") -- a
     * failure the errors.tolerance of the connector applies to; rec is
     * left to the caller either way. */
    int (*apply)(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size);

    /* Predicate: whether `rec` matches. */
    bool (*test)(void *instance, const cd_record_t *rec);

    void (*destroy)(void *instance); /* NULL is fine */
} transform_def_t;

/* The built-in transforms and predicates, NULL-terminated. */
extern const transform_def_t *const transform_builtins[];

#endif
