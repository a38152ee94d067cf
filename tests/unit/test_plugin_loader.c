/*
 * Unit tests for plugin_loader.c: the fixture plugins of tests/plugins/
 * (built by make check under $TOP_BUILDDIR) are loaded for real, and each
 * refusal is checked by its exact log line.
 *
 * Built twice: test_plugin_loader is the host as it is, and
 * test_plugin_loader_next (NEXT_ABI_HOST) is the host of the next minor,
 * whose descriptor has one more field, so that the fixtures - all built
 * against today's header - are older-minor plugins to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blog.h"
#include "plugin/plugin_loader.h"

#define DESC_SIZE_1_0 (offsetof(cd_plugin_desc_t, stop) + sizeof(((cd_plugin_desc_t *)0)->stop))
#define DESC_SIZE_1_1 (offsetof(cd_plugin_desc_t, test) + sizeof(((cd_plugin_desc_t *)0)->test))

/* The minor of the real plugin.h, which the fixtures were built with. */
#ifdef NEXT_ABI_HOST
#define FIXTURE_ABI_MINOR (CD_ABI_MINOR - 1)
#else
#define FIXTURE_ABI_MINOR CD_ABI_MINOR
#endif

/* The loader only reads the version fields; the fixtures call nothing. */
static const cd_host_api_t host = {
    .struct_size = sizeof(cd_host_api_t),
    .abi_major = CD_ABI_MAJOR,
    .abi_minor = CD_ABI_MINOR,
};

static char builddir[1024]; /* short enough that built() never truncates */

/* $TOP_BUILDDIR/<rel>, in one of a few rotating buffers so that a test can
 * hold several at once. */
static const char *built(const char *rel)
{
    static char bufs[4][PATH_MAX];
    static int next;
    char *buf = bufs[next++ % 4];
    snprintf(buf, PATH_MAX, "%s/%s", builddir, rel);
    return buf;
}

/* Loads `plugin_path` with the log lines going to a temporary file; returns
 * the registry and sets *log to what was logged (freed by the caller). */
static plugin_registry_t *load_logged(const char *plugin_path, char **log)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    blog_set_output(tmp);
    plugin_registry_t *reg = plugin_registry_load(plugin_path, &host);
    blog_set_output(NULL);
    long len = ftell(tmp);
    *log = calloc(1, (size_t)len + 1);
    rewind(tmp);
    assert_int_equal(fread(*log, 1, (size_t)len, tmp), (size_t)len);
    fclose(tmp);
    return reg;
}

static size_t count_lines(const char *log, const char *needle)
{
    size_t n = 0;
    for (const char *line = log; *line; line = strchr(line, '\n') + 1) {
        size_t len = strcspn(line, "\n");
        char buf[2048];
        snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
        n += strstr(buf, needle) != NULL;
        if (!line[len]) {
            break;
        }
    }
    return n;
}

/* Asserts that `log` has the line "[time] LEVEL refused plugin PATH: REASON (LOGGER)". */
static void assert_refused(const char *log, const char *level, const char *path, const char *reason)
{
    char want[2048];
    snprintf(want, sizeof(want), "] %s refused plugin %s: %s (connectd.worker.plugin_loader)\n", level, path, reason);
    if (!strstr(log, want)) {
        fail_msg("expected log line\n  %s\nin\n%s", want, log);
    }
}

static int group_setup(void **state)
{
    const char *top = getenv("TOP_BUILDDIR");
    if (!top) {
        fprintf(stderr, "TOP_BUILDDIR is not set: run this test with make check\n");
        return -1;
    }
    snprintf(builddir, sizeof(builddir), "%s", top);
    return 0;
}

static void test_good_plugin_found_by_name_and_alias(void **state)
{
    const char *path = built("tests/plugins/good.so");
    char *log;
    plugin_registry_t *reg = load_logged(path, &log);
    assert_int_equal(plugin_registry_count(reg), 2);
    assert_int_equal(count_lines(log, "refused"), 0);
    assert_int_equal(count_lines(log, "INFO loaded connector"), 2);

    const plugin_info_t *src = plugin_registry_find(reg, "TestSource");
    assert_non_null(src);
    assert_ptr_equal(plugin_registry_find(reg, "org.example.TestSource"), src);
    assert_ptr_equal(plugin_registry_find(reg, "TestSourceConnector"), src);
    assert_null(plugin_registry_find(reg, "testsource")); /* exact, as connector.class */
    assert_null(plugin_registry_find(reg, "Nope"));
    assert_string_equal(src->path, path);
    assert_string_equal(src->desc->version, "1.2.3");
    assert_int_equal(src->desc->kind, CD_KIND_SOURCE);
    assert_non_null(src->desc->poll);
    assert_null(src->desc->put);
    assert_string_equal(src->desc->config[0].name, "topic");

    const plugin_info_t *sink = plugin_registry_find(reg, "TestSink");
    assert_non_null(sink);
    assert_int_equal(sink->desc->kind, CD_KIND_SINK);
    assert_ptr_equal(plugin_registry_at(reg, 0), src);
    assert_ptr_equal(plugin_registry_at(reg, 1), sink);
    assert_null(plugin_registry_at(reg, 2));
#ifdef NEXT_ABI_HOST
    assert_null(sink->desc->next_abi_field);
#endif
    plugin_registry_destroy(reg);
    free(log);
}

/* One fixture, every line it must produce, and nothing loads. */
static const struct {
    const char *file;
    const char *level;
    const char *reasons[8];
} refusals[] = {
    {"missing_callback.so", "WARN",
     {"connector \"NoPollSource\" lacks the required callback poll (a source needs start, poll and stop)",
      "connector \"NoFlushSink\" lacks the required callback flush (a sink needs start, put, flush and "
      "stop)"}},
    {"unknown_kind.so", "WARN", {"connector \"Transformer\" has unknown kind 7 (1 = source, 2 = sink, 3 = transform, 4 = predicate)"}},
    {"bad_config.so", "WARN",
     {"connector \"DupConfig\": config \"a\" is declared twice",
      "connector \"BadTypeConfig\": config \"a\" has unknown type 42",
      "connector \"OutOfRangeConfig\": config \"rate\": default \"0\" is outside [1, 100]",
      "connector \"NotANumberConfig\": config \"n\": default \"ten\" is not a whole number of type INT (32 "
      "bits)",
      "connector \"BadChoiceConfig\": config \"codec\": default \"gzip\" is not one of \"none\", \"snappy\"",
      "connector \"BadListConfig\": config \"codecs\": default \"zstd\" is not one of \"none\", \"snappy\"",
      "connector \"ValidatorConfig\": config \"dir\": default \"tmp\" is invalid: must be an absolute path"}},
    {"null_entry.so", "WARN", {"cd_plugin_entry returned NULL"}},
    /* INFO: a library a plugin ships may sit next to it. */
    {"no_entry.so", "INFO", {"not a plugin: undefined symbol: cd_plugin_entry"}},
};

static void test_refusals(void **state)
{
    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "tests/plugins/%s", refusals[i].file);
        const char *path = built(rel);
        char *log;
        plugin_registry_t *reg = load_logged(path, &log);
        size_t n = 0;
        for (; refusals[i].reasons[n]; n++) {
            assert_refused(log, refusals[i].level, path, refusals[i].reasons[n]);
        }
        assert_int_equal(count_lines(log, "refused plugin"), n);
        assert_int_equal(plugin_registry_count(reg), 0);
        plugin_registry_destroy(reg);
        free(log);
    }
}

static void test_bad_major_names_both_versions(void **state)
{
    const char *path = built("tests/plugins/bad_major.so");
    char *log, reason[256];
    plugin_registry_t *reg = load_logged(path, &log);
    snprintf(reason, sizeof(reason),
             "built for plugin ABI %d.0, this connectd speaks %d.%d; rebuild it against this connectd's "
             "connectd/plugin.h",
             CD_ABI_MAJOR + 1, CD_ABI_MAJOR, CD_ABI_MINOR);
    assert_refused(log, "WARN", path, reason);
    assert_int_equal(count_lines(log, "refused plugin"), 1);
    assert_int_equal(plugin_registry_count(reg), 0);
    plugin_registry_destroy(reg);
    free(log);
}

static void test_short_struct(void **state)
{
    const char *path = built("tests/plugins/short_struct.so");
    char *log, reason[256];
    plugin_registry_t *reg = load_logged(path, &log);
    snprintf(reason, sizeof(reason),
             "descriptor struct_size 16 is smaller than the plugin ABI %d.0 descriptor (%zu bytes); set it "
             "with CD_PLUGIN_DESC_HEADER",
             CD_ABI_MAJOR, DESC_SIZE_1_0);
    assert_refused(log, "WARN", path, reason);
    assert_int_equal(count_lines(log, "refused plugin"), 1);
    assert_int_equal(plugin_registry_count(reg), 0);
    plugin_registry_destroy(reg);
    free(log);
}

static void test_duplicates_name_the_other_file(void **state)
{
    const char *good = built("tests/plugins/good.so");
    const char *dup = built("tests/plugins/duplicate.so");
    char list[2 * PATH_MAX + 2], reason[PATH_MAX + 256];
    snprintf(list, sizeof(list), "%s,%s", good, dup);
    char *log;
    plugin_registry_t *reg = load_logged(list, &log);
    assert_int_equal(plugin_registry_count(reg), 2);
    snprintf(reason, sizeof(reason), "connector \"TestSource\" is already loaded from %s (as \"TestSource\")",
             good);
    assert_refused(log, "WARN", dup, reason);
    snprintf(reason, sizeof(reason),
             "connector \"org.example.TestSource\" is already loaded from %s (as \"TestSource\")", good);
    assert_refused(log, "WARN", dup, reason);
    snprintf(reason, sizeof(reason),
             "alias \"TestSourceConnector\" of connector \"DupAliasSource\" is already taken by "
             "\"TestSource\" from %s",
             good);
    assert_refused(log, "WARN", dup, reason);
    assert_int_equal(count_lines(log, "refused plugin"), 3);
    assert_string_equal(plugin_registry_find(reg, "TestSource")->path, good);
    assert_null(plugin_registry_find(reg, "MySource")); /* its other alias went with it */
    plugin_registry_destroy(reg);
    free(log);
}

static void test_text_file_named_so(void **state)
{
    char dir[] = "/tmp/test_plugin_loader.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/x.so", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* Longer than an ELF header, so the loader cannot say "file too short". */
    fputs("This is not a shared object, only text that happens to be called x.so.\n", f);
    fclose(f);
    char *log;
    plugin_registry_t *reg = load_logged(dir, &log);
    assert_refused(log, "WARN", path, "not a plugin: invalid ELF header");
    assert_int_equal(plugin_registry_count(reg), 0);
    plugin_registry_destroy(reg);
    free(log);
    unlink(path);
    rmdir(dir);
}

/* A plugin built before the host's minor: loads, and every field the host
 * has beyond the plugin's struct_size reads as zero - in the next-minor
 * build that is next_abi_field, which old_minor.so's memory has 0xa5 for. */
static void test_older_minor_loads_with_absent_fields_null(void **state)
{
    char *log;
    plugin_registry_t *reg = load_logged(built("tests/plugins/old_minor.so"), &log);
    assert_int_equal(count_lines(log, "refused"), 0);
    const plugin_info_t *info = plugin_registry_find(reg, "OldMinorSource");
    assert_non_null(info);
    assert_ptr_equal(plugin_registry_find(reg, "org.example.OldMinorSource"), info);
    assert_int_equal(info->desc->abi_minor, 0);
    assert_int_equal(info->desc->struct_size, DESC_SIZE_1_0);
    assert_non_null(info->desc->stop);
    assert_null(info->desc->alter_offsets);
#ifdef NEXT_ABI_HOST
    assert_true(sizeof(cd_plugin_desc_t) > DESC_SIZE_1_0); /* or this simulates nothing */
    assert_null(info->desc->next_abi_field);
#endif
    const unsigned char *bytes = (const unsigned char *)info->desc;
    for (size_t i = DESC_SIZE_1_0; i < sizeof(cd_plugin_desc_t); i++) {
        assert_int_equal(bytes[i], 0);
    }
    plugin_registry_destroy(reg);
    free(log);
}

/* A sink built against ABI 1.1, the minor before alter_offsets: loads,
 * and alter_offsets - where its memory has 0xa5 - reads as NULL, which the
 * herder takes as "any offsets are fine". */
static void test_previous_minor_loads_without_alter_offsets(void **state)
{
    char *log;
    plugin_registry_t *reg = load_logged(built("tests/plugins/prev_minor.so"), &log);
    assert_int_equal(count_lines(log, "refused"), 0);
    const plugin_info_t *info = plugin_registry_find(reg, "PrevMinorSink");
    assert_non_null(info);
    assert_int_equal(info->desc->abi_minor, 1);
    assert_int_equal(info->desc->struct_size, DESC_SIZE_1_1);
    assert_true(sizeof(cd_plugin_desc_t) > DESC_SIZE_1_1);
    assert_non_null(info->desc->flush);
    assert_null(info->desc->alter_offsets);
    const unsigned char *bytes = (const unsigned char *)info->desc;
    for (size_t i = DESC_SIZE_1_1; i < sizeof(cd_plugin_desc_t); i++) {
        assert_int_equal(bytes[i], 0);
    }
    plugin_registry_destroy(reg);
    free(log);
}

/* A plugin from a later minor: the host copies only what it knows. */
static void test_newer_minor_loads(void **state)
{
    char *log;
    plugin_registry_t *reg = load_logged(built("tests/plugins/newer_minor.so"), &log);
    assert_int_equal(count_lines(log, "refused"), 0);
    const plugin_info_t *info = plugin_registry_find(reg, "NewerMinorSink");
    assert_non_null(info);
    assert_int_equal(info->desc->abi_minor, FIXTURE_ABI_MINOR + 1);
    assert_true(info->desc->struct_size > DESC_SIZE_1_0);
    assert_non_null(info->desc->flush);
    plugin_registry_destroy(reg);
    free(log);
}

static void test_failing_and_example_load(void **state)
{
    char list[2 * PATH_MAX + 2];
    snprintf(list, sizeof(list), "%s,%s", built("tests/plugins/failing.so"),
             built("plugins/example/sequence-source.so"));
    char *log;
    plugin_registry_t *reg = load_logged(list, &log);
    assert_int_equal(count_lines(log, "refused"), 0);
    assert_non_null(plugin_registry_find(reg, "FailingSource"));
    assert_non_null(plugin_registry_find(reg, "FailingSink"));
    const plugin_info_t *seq = plugin_registry_find(reg, "connectd.example.SequenceSource");
    assert_non_null(seq);
    assert_string_equal(seq->desc->name, "SequenceSource");
    assert_int_equal(plugin_registry_count(reg), 3);
    plugin_registry_destroy(reg);
    free(log);
}

/* plugin.path: directories are scanned for *.so one level deep, files are
 * loaded as given, entries are trimmed, a missing one is reported, and a
 * file reached twice loads once. */
static void test_plugin_path_scan(void **state)
{
    char dir[] = "/tmp/test_plugin_loader.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[PATH_MAX], deeper[PATH_MAX], p[PATH_MAX];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    snprintf(deeper, sizeof(deeper), "%s/sub/deeper", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(mkdir(deeper, 0700), 0);
    static const struct {
        const char *link, *target;
    } links[] = {
        {"a.so", "tests/plugins/good.so"},
        {"sub/b.so", "tests/plugins/old_minor.so"},
        {"sub/deeper/c.so", "tests/plugins/newer_minor.so"}, /* too deep */
        {".hidden.so", "tests/plugins/failing.so"},          /* dot files are skipped */
        {"failing.so.txt", "tests/plugins/failing.so"},      /* not *.so */
    };
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, links[i].link);
        assert_int_equal(symlink(built(links[i].target), p), 0);
    }
    char list[3 * PATH_MAX];
    snprintf(list, sizeof(list), " %s , %s/a.so,,/nonexistent/plugins ", dir, dir);
    char *log;
    plugin_registry_t *reg = load_logged(list, &log);
    assert_int_equal(plugin_registry_count(reg), 3);
    assert_non_null(plugin_registry_find(reg, "TestSource"));
    assert_non_null(plugin_registry_find(reg, "TestSink"));
    assert_non_null(plugin_registry_find(reg, "OldMinorSource"));
    assert_null(plugin_registry_find(reg, "NewerMinorSink"));
    assert_null(plugin_registry_find(reg, "FailingSource"));
    assert_int_equal(count_lines(log, "refused"), 0);
    assert_int_equal(count_lines(log, "WARN plugin.path: /nonexistent/plugins: No such file or directory"), 1);
    plugin_registry_destroy(reg);
    free(log);
    for (size_t i = sizeof(links) / sizeof(links[0]); i-- > 0;) {
        snprintf(p, sizeof(p), "%s/%s", dir, links[i].link);
        unlink(p);
    }
    rmdir(deeper);
    rmdir(sub);
    rmdir(dir);
}

static void test_empty_plugin_path(void **state)
{
    char *log;
    plugin_registry_t *reg = load_logged(NULL, &log);
    assert_int_equal(plugin_registry_count(reg), 0);
    assert_string_equal(log, "");
    plugin_registry_destroy(reg);
    free(log);
    plugin_registry_destroy(NULL);
}

static void test_builtin_dir_in_build_tree(void **state)
{
    /* This test runs from the build tree, as connectd does under make check. */
    assert_string_equal(plugin_builtin_dir(), built("connectors"));
}

/* plugin_config_check, which the worker also uses on connector configs. */
static void test_config_check(void **state)
{
    static const char *const choices[] = {"a", "b", NULL};
    static const struct {
        cd_config_def_t def;
        const char *value;
        const char *error; /* NULL: accepted */
    } cases[] = {
        {{.name = "i", .type = CD_CFG_INT}, "-2147483648", NULL},
        {{.name = "i", .type = CD_CFG_INT}, "2147483648", "\"2147483648\" is not a whole number of type INT (32 bits)"},
        {{.name = "i", .type = CD_CFG_INT}, "12abc", "\"12abc\" is not a whole number of type INT (32 bits)"},
        {{.name = "i", .type = CD_CFG_INT}, "", "\"\" is not a whole number of type INT (32 bits)"},
        {{.name = "i", .type = CD_CFG_INT, .min = 1, .max = 10}, "10", NULL},
        {{.name = "i", .type = CD_CFG_INT, .min = 1, .max = 10}, "11", "\"11\" is outside [1, 10]"},
        {{.name = "l", .type = CD_CFG_LONG}, "9223372036854775807", NULL},
        {{.name = "l", .type = CD_CFG_LONG}, "9223372036854775808",
         "\"9223372036854775808\" is not a whole number of type LONG (64 bits)"},
        {{.name = "d", .type = CD_CFG_DOUBLE}, "1e3", NULL},
        {{.name = "d", .type = CD_CFG_DOUBLE}, "inf", "\"inf\" is not a number"},
        {{.name = "b", .type = CD_CFG_BOOLEAN}, "False", NULL},
        {{.name = "b", .type = CD_CFG_BOOLEAN}, "yes", "\"yes\" is not true or false"},
        {{.name = "s", .type = CD_CFG_STRING, .choices = choices}, "b", NULL},
        {{.name = "s", .type = CD_CFG_STRING, .choices = choices}, "a,b", "\"a,b\" is not one of \"a\", \"b\""},
        {{.name = "l", .type = CD_CFG_LIST, .choices = choices}, " a ,b", NULL},
        {{.name = "l", .type = CD_CFG_LIST, .choices = choices}, "", NULL},
        {{.name = "l", .type = CD_CFG_LIST, .choices = choices}, "a,,b", "\"\" is not one of \"a\", \"b\""},
        {{.name = "p", .type = CD_CFG_PASSWORD}, "anything", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[256] = "";
        int rc = plugin_config_check(&cases[i].def, cases[i].value, err, sizeof(err));
        if (cases[i].error) {
            assert_int_equal(rc, -1);
            assert_string_equal(err, cases[i].error);
        } else if (rc != 0) {
            fail_msg("case %zu: \"%s\" refused: %s", i, cases[i].value, err);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_plugin_found_by_name_and_alias),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_bad_major_names_both_versions),
        cmocka_unit_test(test_short_struct),
        cmocka_unit_test(test_duplicates_name_the_other_file),
        cmocka_unit_test(test_text_file_named_so),
        cmocka_unit_test(test_older_minor_loads_with_absent_fields_null),
        cmocka_unit_test(test_previous_minor_loads_without_alter_offsets),
        cmocka_unit_test(test_newer_minor_loads),
        cmocka_unit_test(test_failing_and_example_load),
        cmocka_unit_test(test_plugin_path_scan),
        cmocka_unit_test(test_empty_plugin_path),
        cmocka_unit_test(test_builtin_dir_in_build_tree),
        cmocka_unit_test(test_config_check),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
