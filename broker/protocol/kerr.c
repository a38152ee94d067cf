/* kerr.c - names and messages of broker errors, generated from KERR_MAP. */
#include "kerr.h"

const char *kerr_name(kerr_t err)
{
    switch (err) {
#define KERR_NAME(name, code, retriable, msg) \
    case KERR_##name:                         \
        return #name;
        KERR_MAP(KERR_NAME)
#undef KERR_NAME
    }
    return "UNKNOWN_CODE";
}

const char *kerr_str(kerr_t err)
{
    switch (err) {
#define KERR_STR(name, code, retriable, msg) \
    case KERR_##name:                        \
        return msg;
        KERR_MAP(KERR_STR)
#undef KERR_STR
    }
    return "unknown error code";
}

bool kerr_is_retriable(kerr_t err)
{
    switch (err) {
#define KERR_RETRY(name, code, retriable, msg) \
    case KERR_##name:                          \
        return retriable;
        KERR_MAP(KERR_RETRY)
#undef KERR_RETRY
    }
    return false;
}
