/*
 * stubs.h - do-nothing callbacks for the loader's fixture plugins, which
 * are about what the loader accepts and refuses, never about running.
 * Each fixture is its own .so, so these are private to it; inline only so
 * that a fixture which leaves some out does not warn.
 */
#ifndef TEST_PLUGIN_STUBS_H
#define TEST_PLUGIN_STUBS_H

#include <connectd/plugin.h>

static inline cd_rc_t stub_start(cd_task_t *task, void **state)
{
    *state = NULL;
    return CD_OK;
}

static inline cd_rc_t stub_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n,
                         int timeout_ms)
{
    *n = 0;
    return CD_OK;
}

static inline cd_rc_t stub_put(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n)
{
    return CD_OK;
}

static inline cd_rc_t stub_flush(cd_task_t *task, void *state)
{
    return CD_OK;
}

static inline void stub_stop(cd_task_t *task, void *state)
{
}

#endif
