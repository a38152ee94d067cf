/*
 * cliopt.c - command-line flags read from one table per command (cliopt.h).
 *
 * The hint for an unknown flag is the table's flag at the smallest edit
 * distance (with swaps of neighbours as one edit, on the name without its
 * dashes), offered only when
 * that distance is at most a third of the name's length (at least 1): a typo
 * such as "--propery" finds "--property", while an unrelated word finds
 * nothing rather than a misleading guess.
 */
#include "cliopt.h"

#include <string.h>

static const cliopt_t builtin_opts[] = {
    {CLIOPT_HELP, "--help", 'h', NULL, "print this help and exit"},
    {CLIOPT_VERSION, "--version", 0, NULL, "print the version and exit"},
    {0},
};

void cliopt_parser_init(cliopt_parser_t *p, const char *prog, const char *usage, int argc, char **argv)
{
    memset(p, 0, sizeof(*p));
    p->prog = prog;
    p->usage = usage;
    p->argc = argc;
    p->argv = argv;
}

void cliopt_parser_add(cliopt_parser_t *p, const cliopt_t *table)
{
    if (p->n_tables < CLIOPT_MAX_TABLES) {
        p->tables[p->n_tables++] = table;
    }
}

/* The row named `name` (len bytes) or aliased by "-c", else NULL. */
static const cliopt_t *find(const cliopt_parser_t *p, const char *name, size_t len)
{
    for (int t = -1; t < p->n_tables; t++) {
        const cliopt_t *table = t < 0 ? builtin_opts : p->tables[t];
        for (const cliopt_t *o = table; o->name; o++) {
            if (o->id == CLIOPT_VERSION && !p->version) {
                continue;
            }
            if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
                return o;
            }
            if (o->alias && len == 2 && name[0] == '-' && name[1] == o->alias) {
                return o;
            }
        }
    }
    return NULL;
}

int cliopt_next(cliopt_parser_t *p, const char **value)
{
    *value = NULL;
    if (p->i >= p->argc) {
        return CLIOPT_END;
    }
    const char *arg = p->argv[p->i++];
    if (p->flags_done || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return CLIOPT_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0) {
        p->flags_done = true;
        return cliopt_next(p, value);
    }
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const cliopt_t *o = find(p, arg, len);
    if (!o) {
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)len, arg);
        cliopt_print_unknown(p, name);
        return CLIOPT_ERROR;
    }
    if (o->id == CLIOPT_HELP) {
        cliopt_print_help(p, stdout);
        return CLIOPT_HELP;
    }
    if (o->id == CLIOPT_VERSION) {
        printf("%s\n", p->version);
        return CLIOPT_VERSION;
    }
    if (!o->arg) {
        if (eq) {
            fprintf(stderr, "%s: %s takes no value\n", p->prog, o->name);
            return CLIOPT_ERROR;
        }
        return o->id;
    }
    bool optional = o->arg[0] == '[';
    if (eq) {
        *value = eq + 1;
    } else if (optional) {
        /* An optional value is the next argument only if that is no flag. */
        if (p->i < p->argc && p->argv[p->i][0] != '-') {
            *value = p->argv[p->i++];
        }
    } else if (p->i < p->argc) {
        *value = p->argv[p->i++];
    } else {
        fprintf(stderr, "%s: %s needs a value (%s)\n", p->prog, o->name, o->arg);
        return CLIOPT_ERROR;
    }
    return o->id;
}

static void print_row(const cliopt_t *o, FILE *out)
{
    char alias[8] = "    ", left[96];
    if (o->alias) {
        snprintf(alias, sizeof(alias), "-%c, ", o->alias);
    }
    snprintf(left, sizeof(left), "%s%s%s%s", alias, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    fprintf(out, "  %-38s %s\n", left, o->help);
}

void cliopt_print_help(const cliopt_parser_t *p, FILE *out)
{
    fprintf(out, "%s\n\nflags:\n", p->usage);
    for (int t = 0; t < p->n_tables; t++) {
        for (const cliopt_t *o = p->tables[t]; o->name; o++) {
            print_row(o, out);
        }
    }
    for (const cliopt_t *o = builtin_opts; o->name; o++) {
        if (o->id != CLIOPT_VERSION || p->version) {
            print_row(o, out);
        }
    }
}

/* Edits (insert, delete, substitute, swap two neighbours) from a to b:
 * the optimal string alignment distance, so "--lsit" is one edit from
 * "--list". */
size_t cliopt_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    size_t la = strlen(a), lb = strlen(b);
    size_t d[MAX + 1][MAX + 1];
    if (la > MAX || lb > MAX) {
        return (size_t)-1;
    }
    for (size_t i = 0; i <= la; i++) {
        for (size_t j = 0; j <= lb; j++) {
            if (i == 0 || j == 0) {
                d[i][j] = i + j;
                continue;
            }
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) {
                best = d[i - 1][j] + 1;
            }
            if (d[i][j - 1] + 1 < best) {
                best = d[i][j - 1] + 1;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best) {
                best = d[i - 2][j - 2] + 1;
            }
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *cliopt_closest(const cliopt_parser_t *p, const char *flag)
{
    const char *bare = flag + strspn(flag, "-");
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (int t = -1; t < p->n_tables; t++) {
        const cliopt_t *table = t < 0 ? builtin_opts : p->tables[t];
        for (const cliopt_t *o = table; o->name; o++) {
            if (o->id == CLIOPT_VERSION && !p->version) {
                continue;
            }
            size_t d = cliopt_distance(bare, o->name + strspn(o->name, "-"));
            if (d < best_d) {
                best_d = d;
                best = o->name;
            }
        }
    }
    size_t limit = strlen(bare) / 3;
    return best && best_d <= (limit ? limit : 1) ? best : NULL;
}

void cliopt_print_unknown(const cliopt_parser_t *p, const char *flag)
{
    const char *hint = cliopt_closest(p, flag);
    if (hint) {
        fprintf(stderr, "%s: unknown flag '%s'; did you mean '%s'?\n", p->prog, flag, hint);
    } else {
        fprintf(stderr, "%s: unknown flag '%s'; see %s --help\n", p->prog, flag, p->prog);
    }
}
