/* Unit tests for crash_guard.c's journal: the trace of the latest entry
 * naming a connector, torn and foreign lines, forget keeping the others,
 * and the handler's fd following the rewritten file.  The handler itself
 * ends the process: tests/integration/test_plugin_crash.py crashes one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "task/crash_guard.h"

static char dir[] = "/tmp/test_crash_guard.XXXXXX";
static char path[256];

static void write_journal(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_journal(void)
{
    static char text[8192];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static int setup(void **state)
{
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/connectd-crash.journal", dir);
    char err[512];
    assert_true(crash_guard_install(path, err, sizeof(err)));
    return 0;
}

static int teardown(void **state)
{
    crash_guard_uninstall();
    unlink(path);
    rmdir(dir);
    return 0;
}

static void test_find_latest_entry(void **state)
{
    write_journal("connectd-crash task=0 cause=SIGSEGV connector=a b\n"
                  "frame-1\n"
                  "connectd-crash-end\n"
                  "noise a foreign line\n"
                  "connectd-crash task=-1 cause=exit(3) connector=other\n"
                  "connectd-crash-end\n"
                  "connectd-crash task=2 cause=SIGABRT connector=a b\n"
                  "frame-\x01x\n"
                  "connectd-crash-end\n");
    char trace[4096];
    assert_true(crash_guard_find("a b", trace, sizeof(trace)));
    assert_non_null(strstr(trace, "crashed the worker with SIGABRT in task 2"));
    assert_non_null(strstr(trace, "POST /connectors/a b/restart"));
    assert_non_null(strstr(trace, "Backtrace:\nframe-?x\n")); /* not printable: '?' */
    assert_null(strstr(trace, "frame-1"));
    assert_true(crash_guard_find("other", trace, sizeof(trace)));
    assert_non_null(strstr(trace, "with exit(3) in the connector itself"));
    assert_false(crash_guard_find("a", trace, sizeof(trace))); /* names match whole */
    char tiny[16];
    assert_true(crash_guard_find("other", tiny, sizeof(tiny))); /* cut, terminated */
    assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

static void test_torn_entry_counts(void **state)
{
    write_journal("connectd-crash task=1 cause=SIGBUS connector=torn\nframe-1\nfra");
    char trace[4096];
    assert_true(crash_guard_find("torn", trace, sizeof(trace)));
    assert_non_null(strstr(trace, "SIGBUS in task 1"));
    assert_non_null(strstr(trace, "Backtrace:\nframe-1\nfra"));
}

static void test_forget_keeps_others(void **state)
{
    write_journal("connectd-crash task=0 cause=SIGSEGV connector=x\nf\nconnectd-crash-end\n"
                  "connectd-crash task=0 cause=SIGSEGV connector=y\nconnectd-crash-end\n"
                  "connectd-crash task=1 cause=SIGILL connector=x\nconnectd-crash-end\n");
    crash_guard_forget("x");
    char trace[4096];
    assert_false(crash_guard_find("x", trace, sizeof(trace)));
    assert_true(crash_guard_find("y", trace, sizeof(trace)));
    assert_string_equal(read_journal(), "connectd-crash task=0 cause=SIGSEGV connector=y\nconnectd-crash-end\n");
    crash_guard_forget("nobody"); /* nothing to drop: the file stays as it is */
    assert_string_equal(read_journal(), "connectd-crash task=0 cause=SIGSEGV connector=y\nconnectd-crash-end\n");
}

static void test_forget_moves_the_handler_fd(void **state)
{
    /* install's fd was opened on the first file; after a rewrite the
     * handler must append to the new one, not to an unlinked inode. */
    write_journal("connectd-crash task=0 cause=SIGSEGV connector=x\nconnectd-crash-end\n"
                  "connectd-crash task=0 cause=SIGSEGV connector=y\nconnectd-crash-end\n");
    char err[512];
    crash_guard_uninstall();
    assert_true(crash_guard_install(path, err, sizeof(err)));
    crash_guard_forget("x");
    /* The fd install opened is the lowest journal fd this process has:
     * find it by what it names. */
    char link[64], target[512];
    int found = -1;
    for (int fd = 3; fd < 256 && found < 0; fd++) {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = '\0';
            found = strcmp(target, path) == 0 ? fd : -1;
        }
    }
    assert_true(found >= 0);
    assert_int_equal(write(found, "z\n", 2), 2);
    assert_string_equal(read_journal(), "connectd-crash task=0 cause=SIGSEGV connector=y\nconnectd-crash-end\nz\n");
}

static void test_no_journal(void **state)
{
    crash_guard_uninstall();
    char trace[64];
    assert_false(crash_guard_find("x", trace, sizeof(trace)));
    crash_guard_forget("x");
    char err[512];
    assert_false(crash_guard_install("/nonexistent-dir/journal", err, sizeof(err)));
    assert_non_null(strstr(err, "cannot open the crash journal /nonexistent-dir/journal"));
    assert_true(crash_guard_install(path, err, sizeof(err)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_latest_entry),   cmocka_unit_test(test_torn_entry_counts),
        cmocka_unit_test(test_forget_keeps_others), cmocka_unit_test(test_forget_moves_the_handler_fd),
        cmocka_unit_test(test_no_journal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
