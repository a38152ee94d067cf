/*
 * cliopt.h - command-line flags read from one table per command.
 *
 * Every command of connectd and connectctl describes its flags as rows
 * (name, optional one-letter alias, value placeholder, one line of help), so
 * parsing, --help and the "did you mean" hint of an unknown flag all come
 * from the same rows and cannot disagree.  A value is given as the next
 * argument or after '=' ("--topic t", "--topic=t"); "--" ends the flags.
 * --help/-h and --version are built in: the parser prints the usage or the
 * version itself and says so, and the command returns 0.
 *
 *   static const cliopt_t opts[] = {
 *       {OPT_TOPIC, "--topic", 0, "TOPIC", "the topic to read"},
 *       {0},
 *   };
 *   cliopt_parser_t p;
 *   cliopt_parser_init(&p, "connectctl consume", "usage: ...", argc, argv);
 *   cliopt_parser_add(&p, opts);
 *   const char *value;
 *   int id;
 *   while ((id = cliopt_next(&p, &value)) > 0) { switch (id) { ... } }
 *   if (id == CLIOPT_HELP) return 0; if (id == CLIOPT_ERROR) return 2;
 */
#ifndef CONNECTD_CLIOPT_H
#define CONNECTD_CLIOPT_H

#include <stdbool.h>
#include <stdio.h>

/* One flag.  A table ends with a row whose name is NULL. */
typedef struct cliopt {
    int id;           /* > 0, what cliopt_next returns for this flag */
    const char *name; /* "--property" */
    char alias;       /* 'p' for "-p", or 0 */
    const char *arg;  /* placeholder of the value ("KEY=VALUE"), NULL for a switch; in brackets
                       * ("[CODEC]") the value may be left out, and is then NULL */
    const char *help; /* one line */
} cliopt_t;

/* What cliopt_next returns besides a row's id. */
#define CLIOPT_END 0         /* every argument was read */
#define CLIOPT_POSITIONAL -1 /* an argument that is not a flag; the value is the argument */
#define CLIOPT_HELP -2       /* --help or -h: the usage was printed to stdout */
#define CLIOPT_VERSION -3    /* --version: the version was printed to stdout */
#define CLIOPT_ERROR -4      /* an unknown flag or a missing value: printed to stderr */

#define CLIOPT_MAX_TABLES 4

typedef struct cliopt_parser {
    const char *prog;                          /* prefixes messages: "connectctl consume" */
    const char *usage;                         /* first lines of --help, before the flags */
    const char *version;                       /* printed by --version, NULL: no --version */
    const cliopt_t *tables[CLIOPT_MAX_TABLES]; /* searched in order */
    int n_tables;
    int argc;
    char **argv;     /* borrowed for the parser's life */
    int i;           /* next argument */
    bool flags_done; /* after "--" every argument is positional */
} cliopt_parser_t;

void cliopt_parser_init(cliopt_parser_t *p, const char *prog, const char *usage, int argc, char **argv);

/* Adds a table of flags (borrowed for the parser's life). */
void cliopt_parser_add(cliopt_parser_t *p, const cliopt_t *table);

/* The next flag's id (and its value, NULL for a switch), or one of the
 * CLIOPT_ codes above. */
int cliopt_next(cliopt_parser_t *p, const char **value);

/* Prints the usage and one line per flag of every table. */
void cliopt_print_help(const cliopt_parser_t *p, FILE *out);

/* The flag of the parser's tables closest to `flag` by edit distance, or
 * NULL when none is close enough to be the one meant. */
const char *cliopt_closest(const cliopt_parser_t *p, const char *flag);

/* The edit distance from a to b (insertions, deletions, substitutions and
 * swaps of neighbours), for hints about other words than flags. */
size_t cliopt_distance(const char *a, const char *b);

/* Prints "<prog>: unknown flag 'F'" with "; did you mean 'G'?" when a flag
 * is close, to stderr. */
void cliopt_print_unknown(const cliopt_parser_t *p, const char *flag);

#endif
