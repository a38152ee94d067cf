/* test_blog.c - named loggers (lib/blog.h): names from call sites,
 * hierarchical levels, Kafka's set semantics, and lines filtered by them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "blog.h"
#include "blog_log4j.h"
#include "properties.h"

/* This file's lines belong to "connectd.unit.test_blog" (tests/unit/). */
#define SELF "connectd.unit.test_blog"

static FILE *out;

static int setup(void **state)
{
    out = tmpfile();
    blog_set_output(out);
    return out ? 0 : -1;
}

static int teardown(void **state)
{
    blog_set_output(NULL);
    fclose(out);
    return 0;
}

/* What was logged since the last call. */
static char *logged(void)
{
    static char buf[8192];
    fflush(out);
    long len = ftell(out);
    rewind(out);
    size_t n = fread(buf, 1, len < (long)sizeof(buf) - 1 ? (size_t)len : sizeof(buf) - 1, out);
    buf[n] = '\0';
    rewind(out);
    if (ftruncate(fileno(out), 0) != 0) {
        fail_msg("ftruncate");
    }
    return buf;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

/* Sets a level, forgetting the names it applied to. */
static void set_level(const char *name, const char *level)
{
    size_t n;
    char **names = blog_logger_set(name, level, &n);
    assert_non_null(names);
    free_names(names, n);
}

static void test_level_names(void **state)
{
    static const struct {
        const char *text;
        int level;
        const char *canonical;
    } cases[] = {
        {"TRACE", BLOG_DEBUG, "TRACE"}, {"debug", BLOG_DEBUG, "DEBUG"}, {"Info", BLOG_INFO, "INFO"},
        {"WARN", BLOG_WARN, "WARN"},    {"error", BLOG_ERROR, "ERROR"}, {"FATAL", BLOG_ERROR, "FATAL"},
        {"off", BLOG_OFF, "OFF"},       {"ALL", BLOG_DEBUG, "ALL"},     {"LOUD", -1, NULL},
        {"", -1, NULL},                 {"WARNING", -1, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char canonical[BLOG_LEVEL_NAME_MAX] = "";
        assert_int_equal(blog_level_parse(cases[i].text, canonical), cases[i].level);
        if (cases[i].canonical) {
            assert_string_equal(canonical, cases[i].canonical);
        }
    }
}

static void test_call_site_names_and_filtering(void **state)
{
    blog_info("first line");
    assert_non_null(strstr(logged(), "] INFO first line (" SELF ")\n"));
    blog_logger_info_t info;
    assert_true(blog_logger_get(SELF, &info));
    assert_string_equal(info.level, "INFO");
    assert_int_equal(info.last_modified, -1);
    /* Ancestors of a known logger are known; a prefix is not an ancestor. */
    assert_true(blog_logger_get("connectd.unit", &info));
    assert_true(blog_logger_get("connectd", &info));
    assert_false(blog_logger_get("connectd.un", &info));
    assert_false(blog_logger_get("nobody.logs.here", &info));

    blog_debug("hidden at INFO");
    assert_string_equal(logged(), "");

    size_t n;
    char **names = blog_logger_set(SELF, "debug", &n);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], SELF);
    free_names(names, n);
    blog_debug("shown at DEBUG %d", 42);
    assert_non_null(strstr(logged(), "] DEBUG shown at DEBUG 42 (" SELF ")\n"));
    assert_true(blog_logger_get(SELF, &info));
    assert_string_equal(info.level, "DEBUG");
    assert_true(info.last_modified > 0);

    /* ERROR on the parent reaches this known child; OFF hides even errors. */
    names = blog_logger_set("connectd.unit", "ERROR", &n);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "connectd.unit");
    assert_string_equal(names[1], SELF);
    free_names(names, n);
    blog_warn("hidden at ERROR");
    blog_error("shown at ERROR");
    char *text = logged();
    assert_null(strstr(text, "hidden"));
    assert_non_null(strstr(text, "] ERROR shown at ERROR (" SELF ")\n"));
    set_level(SELF, "OFF");
    blog_error("hidden at OFF");
    assert_string_equal(logged(), "");

    assert_null(blog_logger_set(SELF, "LOUD", &n));
    assert_int_equal(n, 0);
    set_level("root", "INFO");
    blog_info("back to INFO");
    assert_non_null(strstr(logged(), "back to INFO"));
}

static void test_named_loggers_inherit(void **state)
{
    set_level("connectd.connector", "WARN");
    /* First seen after the change: inherits, with no level of its own. */
    assert_false(blog_named_enabled("connectd.connector.P.quiet", BLOG_INFO));
    assert_true(blog_named_enabled("connectd.connector.P.quiet", BLOG_WARN));
    blog_logger_info_t info;
    assert_true(blog_logger_get("connectd.connector.P.quiet", &info));
    assert_string_equal(info.level, "WARN");
    assert_int_equal(info.last_modified, -1);
    /* A child's own level wins over its parent's. */
    set_level("connectd.connector.P.loud", "DEBUG");
    blog_named_write("connectd.connector.P.loud", BLOG_DEBUG, "loud %s", "line");
    blog_named_write("connectd.connector.P.quiet", BLOG_INFO, "quiet line");
    char *text = logged();
    assert_non_null(strstr(text, "] DEBUG loud line (connectd.connector.P.loud)\n"));
    assert_null(strstr(text, "quiet line"));
    /* Setting the parent again overrides the child, as log4j. */
    set_level("connectd.connector", "ERROR");
    assert_false(blog_named_enabled("connectd.connector.P.loud", BLOG_WARN));

    /* The list: loggers with a level of their own and root, sorted. */
    blog_logger_info_t *infos;
    size_t count = blog_loggers_set(&infos);
    assert_true(count >= 3);
    for (size_t i = 1; i < count; i++) {
        assert_true(strcmp(infos[i - 1].name, infos[i].name) < 0);
    }
    bool root = false, quiet = false;
    for (size_t i = 0; i < count; i++) {
        root |= strcmp(infos[i].name, "root") == 0;
        /* Known when its parent was set, so it got the level too. */
        if (strcmp(infos[i].name, "connectd.connector.P.quiet") == 0) {
            assert_string_equal(infos[i].level, "ERROR");
            quiet = true;
        }
    }
    assert_true(root && quiet);
    blog_logger_infos_free(infos, count);
}

static void test_logger_names_checked(void **state)
{
    char long_name[BLOG_NAME_MAX + 2];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    static const struct {
        const char *name;
        bool ok;
    } cases[] = {
        {"root", true}, {"connectd.worker.herder", true}, {"my.own", true},
        /* A plugin's logger holds its connector's name: spaces, non-ASCII. */
        {"connectd.connector.FileStreamSource.tab-free \u00fcn\u00efcode name", true},
        {"", false}, {"a..b", false}, {".a", false}, {"a.", false}, {"a\nb", false}, {"a\tb", false},
        {"a\x7f", false}, {"a\xc2\x85b", false}, {"a\xffb", false},
    };
    char why[128];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        why[0] = '\0';
        assert_int_equal(blog_logger_name_check(cases[i].name, why, sizeof(why)), cases[i].ok);
        assert_true(cases[i].ok == (why[0] == '\0'));
    }
    assert_false(blog_logger_name_check(long_name, why, sizeof(why)));
    long_name[BLOG_NAME_MAX] = '\0';
    assert_true(blog_logger_name_check(long_name, why, sizeof(why)));
}

static void test_configured_levels(void **state)
{
    /* As from a file: its own level, no modification time, inherited below. */
    assert_false(blog_logger_configure("connectd.conf", "LOUD"));
    assert_true(blog_logger_configure("connectd.conf", "debug"));
    blog_logger_info_t info;
    assert_true(blog_logger_get("connectd.conf", &info));
    assert_string_equal(info.level, "DEBUG");
    assert_int_equal(info.last_modified, -1);
    assert_true(blog_named_enabled("connectd.conf.child", BLOG_DEBUG));
    /* Its own even when it is what it would inherit: listed as set. */
    assert_true(blog_logger_configure("connectd.conf.same", "INFO"));
    blog_logger_info_t *infos;
    size_t count = blog_loggers_set(&infos);
    bool listed = false;
    for (size_t i = 0; i < count; i++) {
        listed |= strcmp(infos[i].name, "connectd.conf.same") == 0 && infos[i].last_modified == -1;
    }
    blog_logger_infos_free(infos, count);
    assert_true(listed);
    blog_named_write("connectd.conf.child", BLOG_DEBUG, "configured");
    assert_non_null(strstr(logged(), "] DEBUG configured (connectd.conf.child)\n"));
}

static void test_log4j_keys_checked(void **state)
{
    static const struct {
        const char *key, *value;
        const char *error; /* NULL: accepted */
    } cases[] = {
        {"log4j.rootLogger", "INFO", NULL},
        {"log4j.rootLogger", " warn , stdout", NULL},
        {"log4j.logger.connectd.broker", "DEBUG", NULL},
        {"log4j.logger.x", "off", NULL},
        {"log4j.appender.stdout", "org.apache.log4j.ConsoleAppender", NULL}, /* not a level key: the caller's */
        {"log4j.rootLogger", "LOUD, stdout", "log4j.rootLogger: 'LOUD, stdout' is not a level"},
        {"log4j.logger.connectd.worker", "LOUD", "log4j.logger.connectd.worker: 'LOUD' is not a level"},
        {"log4j.logger.connectd..worker", "DEBUG", "log4j.logger.<name>: a logger name has no empty part"},
        {"log4j.logger.", "DEBUG", "log4j.logger.<name>: "},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        properties_t *props = properties_create();
        properties_set(props, "log.dirs", "/tmp/x");
        properties_set(props, cases[i].key, cases[i].value);
        char err[256] = "";
        bool ok = blog_log4j_check(props, err, sizeof(err));
        if (cases[i].error) {
            assert_false(ok);
            assert_non_null(strstr(err, cases[i].error));
        } else if (!ok) {
            fail_msg("%s=%s refused: %s", cases[i].key, cases[i].value, err);
        }
        properties_destroy(props);
    }
    assert_true(blog_log4j_is_key("log4j.rootLogger") && blog_log4j_is_key("log4j.logger.a"));
    assert_false(blog_log4j_is_key("log4j.appender.stdout") || blog_log4j_is_key("log4j.rootlogger"));
}

static void test_log4j_levels_applied(void **state)
{
    /* A child before its parent in the file keeps its own level: parents
     * are applied first, as log4j does. */
    properties_t *props = properties_create();
    properties_set(props, "log4j.logger.connectd.l4j.a.b", "ERROR");
    properties_set(props, "log4j.logger.connectd.l4j.a", "DEBUG, stdout");
    properties_set(props, "log4j.rootLogger", "WARN, stdout");
    blog_log4j_apply(props);
    properties_destroy(props);
    blog_logger_info_t info;
    assert_true(blog_logger_get("connectd.l4j.a.b", &info));
    assert_string_equal(info.level, "ERROR");
    assert_true(blog_logger_get("connectd.l4j.a", &info));
    assert_string_equal(info.level, "DEBUG");
    assert_int_equal(info.last_modified, -1);
    assert_true(blog_logger_get(BLOG_ROOT, &info));
    assert_string_equal(info.level, "WARN");
    assert_true(blog_named_enabled("connectd.l4j.a.c", BLOG_DEBUG));
    assert_false(blog_named_enabled("connectd.l4j.a.b", BLOG_WARN));
    assert_false(blog_named_enabled("connectd.l4j.other", BLOG_INFO));
    assert_true(blog_logger_configure(BLOG_ROOT, "INFO"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_names),
        cmocka_unit_test(test_call_site_names_and_filtering),
        cmocka_unit_test(test_named_loggers_inherit),
        cmocka_unit_test(test_logger_names_checked),
        cmocka_unit_test(test_configured_levels),
        cmocka_unit_test(test_log4j_keys_checked),
        cmocka_unit_test(test_log4j_levels_applied),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
