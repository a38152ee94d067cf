/* Unit tests for cliopt.c: flags and values in every spelling, the built-in
 * --help/--version, optional values, and the "did you mean" hints, as a
 * table of command lines and what the parser returns for them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cliopt.h"

enum { OPT_TOPIC = 1, OPT_PROPERTY, OPT_FROM_BEGINNING, OPT_CODEC };

static const cliopt_t opts[] = {
    {OPT_TOPIC, "--topic", 't', "TOPIC", "the topic"},
    {OPT_PROPERTY, "--property", 0, "KEY=VALUE", "a property"},
    {OPT_FROM_BEGINNING, "--from-beginning", 0, NULL, "from the start"},
    {OPT_CODEC, "--compression-codec", 0, "[CODEC]", "optional value"},
    {0},
};

/* Every (id, value) cliopt_next returns for argv, up to and including the
 * first code <= 0, as "id:value id:value". */
static void parse(char **argv, int argc, char *out, size_t size)
{
    cliopt_parser_t p;
    cliopt_parser_init(&p, "prog", "usage: prog", argc, argv);
    p.version = "prog 1.0";
    cliopt_parser_add(&p, opts);
    size_t len = 0;
    out[0] = '\0';
    for (;;) {
        const char *value;
        int id = cliopt_next(&p, &value);
        len += (size_t)snprintf(out + len, size - len, "%s%d:%s", len ? " " : "", id, value ? value : "-");
        if (id <= 0 && id != CLIOPT_POSITIONAL) {
            return;
        }
    }
}

static const struct {
    const char *what;
    const char *args[6];
    const char *want;
} cases[] = {
    {"value after the flag", {"--topic", "t"}, "1:t 0:-"},
    {"value after =", {"--topic=t=u"}, "1:t=u 0:-"},
    {"alias", {"-t", "t"}, "1:t 0:-"},
    {"switch", {"--from-beginning", "--topic", "x"}, "3:- 1:x 0:-"},
    {"positional and --", {"a", "--", "--topic"}, "-1:a -1:--topic 0:-"},
    {"a lone dash is positional", {"-"}, "-1:- 0:-"},
    {"optional value given", {"--compression-codec", "lz4"}, "4:lz4 0:-"},
    {"optional value left out before a flag", {"--compression-codec", "--from-beginning"}, "4:- 3:- 0:-"},
    {"optional value left out at the end", {"--compression-codec"}, "4:- 0:-"},
    {"missing value", {"--topic"}, "-4:-"},
    {"switch with a value", {"--from-beginning=yes"}, "-4:-"},
    {"unknown flag", {"--propery", "x"}, "-4:-"},
    {"help", {"--topic", "t", "--help"}, "1:t -2:-"},
    {"short help", {"-h"}, "-2:-"},
    {"version", {"--version"}, "-3:-"},
};

static void test_cases(void **state)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *argv[6];
        int argc = 0;
        while (argc < 6 && cases[i].args[argc]) {
            argv[argc] = (char *)cases[i].args[argc];
            argc++;
        }
        char out[256];
        parse(argv, argc, out, sizeof(out));
        if (strcmp(out, cases[i].want) != 0) {
            fail_msg("%s: got '%s', want '%s'", cases[i].what, out, cases[i].want);
        }
    }
}

static void test_closest(void **state)
{
    cliopt_parser_t p;
    cliopt_parser_init(&p, "prog", "usage", 0, NULL);
    cliopt_parser_add(&p, opts);
    assert_string_equal(cliopt_closest(&p, "--propery"), "--property");
    assert_string_equal(cliopt_closest(&p, "--tpoic"), "--topic");
    assert_string_equal(cliopt_closest(&p, "--from-begining"), "--from-beginning");
    assert_string_equal(cliopt_closest(&p, "--hlep"), "--help");
    assert_null(cliopt_closest(&p, "--zzz"));
    assert_null(cliopt_closest(&p, "--version")); /* no version set: not a flag */
    assert_int_equal(cliopt_distance("list", "lsit"), 1);
    assert_int_equal(cliopt_distance("consum", "consume"), 1);
    assert_int_equal(cliopt_distance("", "abc"), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_closest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
