/* registry.c - the built-in transforms and predicates (transform.h): one
 * row per transform_def_t of src/transforms/. */
#include "transform.h"

const transform_def_t *const transform_builtins[] = {
    NULL,
};
