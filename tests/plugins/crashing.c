/*
 * crashing.so - a source whose poll() takes the whole worker down, for the
 * crash guard's tests (tests/integration/test_plugin_crash.py): a C plugin
 * cannot be contained, so the worker must name it, journal it and not run
 * it again at the next start.
 *
 *   connector.class=CrashingSource
 *   crash.mode=segv     poll() writes through a NULL pointer
 *   crash.mode=abort    poll() calls abort()
 *   crash.mode=exit     poll() calls exit(42)
 *   crash.mode=none     poll() produces nothing, as a harmless source
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <connectd/plugin.h>

#include "stubs.h"

#define CRASH_EXIT_CODE 42

static const cd_host_api_t *host;

/* A real fault, as a plugin's bug makes one: not instrumented, so a
 * sanitizer build does not report the NULL store itself and stop there. */
__attribute__((noinline, no_sanitize("address", "undefined"))) static void write_through_null(void)
{
    volatile uintptr_t address = 0;
    *(volatile int *)address = 1;
}

static cd_rc_t crashing_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms)
{
    *n = 0;
    const char *mode = host->config_get(task, "crash.mode");
    if (strcmp(mode, "segv") == 0) {
        write_through_null();
    } else if (strcmp(mode, "abort") == 0) {
        abort();
    } else if (strcmp(mode, "exit") == 0) {
        exit(CRASH_EXIT_CODE);
    }
    /* none: nothing to produce; wait as the contract asks, so the worker does not spin. */
    int ms = timeout_ms < 100 ? timeout_ms : 100;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
    nanosleep(&ts, NULL);
    return CD_OK;
}

static const char *const modes[] = {"segv", "abort", "exit", "none", NULL};

static const cd_config_def_t config[] = {
    {.name = "crash.mode",
     .type = CD_CFG_STRING,
     .required = true,
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "How poll() ends the process: segv, abort, exit (status 42), or none.",
     .choices = modes},
    {.name = NULL},
};

static const cd_plugin_desc_t source = {
    CD_PLUGIN_DESC_HEADER,  .name = "CrashingSource",
    .version = "1.0.0",     .description = "A source whose poll() crashes the worker as crash.mode says.",
    .kind = CD_KIND_SOURCE, .config = config,
    .start = stub_start,    .poll = crashing_poll,
    .stop = stub_stop,
};

static const cd_plugin_desc_t *const all[] = {&source, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *h)
{
    host = h;
    return all;
}
