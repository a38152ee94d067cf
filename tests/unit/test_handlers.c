/* Unit tests for handlers.c: the dispatch table names a handler for exactly
 * the APIs of the API table (protocol/api.c), so a row added to one without
 * the other fails here rather than closing connections at run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "handlers/handlers.h"
#include "protocol/api.h"

static void test_dispatch_covers_api_table(void **state)
{
    for (int32_t key = INT16_MIN; key <= INT16_MAX; key++) {
        const api_t *api = api_find((int16_t)key);
        handler_fn *fn = handler_find((int16_t)key);
        if (api && !fn) {
            fail_msg("%s (key %d) is in the API table but has no handler in handlers.c", api->name, key);
        }
        if (!api && fn) {
            fail_msg("key %d has a handler in handlers.c but no row in the API table", key);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_covers_api_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
