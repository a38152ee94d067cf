/*
 * ctl_connectors_print.c - `connectctl connectors` output for people.
 *
 * Lists are tables as kcctl prints them: a header of upper-case column
 * names, then one row per item, every column as wide as its widest cell and
 * two spaces between columns, the last column unpadded:
 *
 *   NAME  TYPE    STATE    TASKS
 *   sink  sink    PAUSED   0: PAUSED
 *   src   source  RUNNING  0: RUNNING, 1: FAILED
 *
 * Rows are sorted by their first column, so the output does not depend on
 * the order of the worker's JSON objects.  One connector (describe) is a
 * block of "Key:  value" lines, its config one key per line.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_connectors.h"
#include "xalloc.h"

#define TABLE_MAX_COLUMNS 4

/* Rows of cells, each cell owned by the table. */
typedef struct table {
    int n_columns;
    char **cells; /* row-major, n_rows * n_columns */
    size_t n_rows;
} table_t;

static void table_add(table_t *t, const char *const *row)
{
    t->cells = xrealloc(t->cells, (t->n_rows + 1) * (size_t)t->n_columns * sizeof(char *));
    for (int c = 0; c < t->n_columns; c++) {
        t->cells[t->n_rows * (size_t)t->n_columns + (size_t)c] = xstrdup(row[c] ? row[c] : "");
    }
    t->n_rows++;
}

static int compare_rows(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints and frees the table: the header row first, then the others,
 * sorted by their first column when `sort`. */
static void table_print(table_t *t, bool sort)
{
    size_t width[TABLE_MAX_COLUMNS] = {0};
    size_t n = (size_t)t->n_columns;
    /* qsort moves whole rows: each row's cells are contiguous. */
    if (sort && t->n_rows > 2) {
        qsort(t->cells + n, t->n_rows - 1, n * sizeof(char *), compare_rows);
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < n; c++) {
            size_t len = strlen(t->cells[r * n + c]);
            width[c] = len > width[c] ? len : width[c];
        }
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < n; c++) {
            const char *cell = t->cells[r * n + c];
            if (c + 1 < n) {
                printf("%-*s  ", (int)width[c], cell);
            } else {
                printf("%s\n", cell);
            }
            free(t->cells[r * n + c]);
        }
    }
    free(t->cells);
    t->cells = NULL;
    t->n_rows = 0;
}

/* `key` of object `obj` as a string: the string itself, "" when missing or
 * null, other JSON compact. */
static char *json_text(json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v)) {
        return xstrdup("");
    }
    if (json_is_string(v)) {
        return xstrdup(json_string_value(v));
    }
    char *dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    char *copy = xstrdup(dumped);
    free(dumped);
    return copy;
}

static const char *json_str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* "0: RUNNING, 1: FAILED" from a status's tasks; owned by the caller. */
static char *tasks_summary(json_t *tasks)
{
    size_t cap = 1, len = 0;
    char *out = xstrdup("");
    size_t i;
    json_t *task;
    json_array_foreach(tasks, i, task)
    {
        char item[128];
        int n = snprintf(item, sizeof(item), "%s%lld: %s", i ? ", " : "",
                         (long long)json_integer_value(json_object_get(task, "id")), json_str(task, "state"));
        cap = len + (size_t)n + 1;
        out = xrealloc(out, cap);
        memcpy(out + len, item, (size_t)n + 1);
        len += (size_t)n;
    }
    return out;
}

void connectors_print_list(json_t *expanded)
{
    table_t t = {4, NULL, 0};
    table_add(&t, (const char *const[]){"NAME", "TYPE", "STATE", "TASKS"});
    const char *name;
    json_t *entry;
    json_object_foreach(expanded, name, entry)
    {
        json_t *status = json_object_get(entry, "status");
        char *tasks = tasks_summary(json_object_get(status, "tasks"));
        const char *type = json_str(json_object_get(entry, "info"), "type");
        table_add(&t,
                  (const char *const[]){name, type, json_str(json_object_get(status, "connector"), "state"), tasks});
        free(tasks);
    }
    table_print(&t, true);
}

/* Prints `text` with every line after the first indented by `indent`
 * spaces (a stack trace under its key). */
static void print_indented(const char *text, int indent)
{
    for (const char *line = text, *end; *line; line = end) {
        end = strchr(line, '\n');
        end = end ? end + 1 : line + strlen(line);
        printf("%*s%.*s", line == text ? 0 : indent, "", (int)(end - line), line);
    }
    if (!*text || text[strlen(text) - 1] != '\n') {
        putchar('\n');
    }
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_config(json_t *config)
{
    size_t n = json_object_size(config), i = 0, width = 0;
    const char **keys = xcalloc(n ? n : 1, sizeof(char *));
    const char *key;
    json_t *value;
    json_object_foreach(config, key, value)
    {
        keys[i++] = key;
        width = strlen(key) > width ? strlen(key) : width;
    }
    qsort(keys, n, sizeof(char *), compare_strings);
    printf("Config:\n");
    for (i = 0; i < n; i++) {
        char *text = json_text(config, keys[i]);
        printf("  %s:%*s  %s\n", keys[i], (int)(width - strlen(keys[i])), "", text);
        free(text);
    }
    free(keys);
}

void connectors_print_describe(json_t *info, json_t *status, json_t *topics)
{
    json_t *connector = json_object_get(status, "connector");
    printf("Name:       %s\n", json_str(info, "name"));
    printf("Type:       %s\n", json_str(info, "type"));
    printf("State:      %s\n", json_str(connector, "state"));
    printf("Worker ID:  %s\n", json_str(connector, "worker_id"));
    if (json_object_get(connector, "trace")) {
        printf("Trace:      ");
        print_indented(json_str(connector, "trace"), 12);
    }
    print_config(json_object_get(info, "config"));
    printf("Tasks:\n");
    size_t i;
    json_t *task;
    json_array_foreach(json_object_get(status, "tasks"), i, task)
    {
        printf("  %lld:\n", (long long)json_integer_value(json_object_get(task, "id")));
        printf("    State:      %s\n", json_str(task, "state"));
        printf("    Worker ID:  %s\n", json_str(task, "worker_id"));
        if (json_object_get(task, "trace")) {
            printf("    Trace:      ");
            print_indented(json_str(task, "trace"), 16);
        }
    }
    /* No topics yet is no section: the connector has not produced or
     * consumed a record (or the worker does not track topics). */
    if (json_array_size(topics) > 0) {
        printf("Topics:\n");
        json_t *topic;
        json_array_foreach(topics, i, topic)
        {
            printf("  %s\n", json_string_value(topic));
        }
    }
}

void connectors_print_plugins(json_t *plugins)
{
    table_t t = {3, NULL, 0};
    table_add(&t, (const char *const[]){"CLASS", "TYPE", "VERSION"});
    size_t i;
    json_t *plugin;
    json_array_foreach(plugins, i, plugin)
    {
        table_add(&t, (const char *const[]){json_str(plugin, "class"), json_str(plugin, "type"),
                                            json_str(plugin, "version")});
    }
    table_print(&t, true);
}

void connectors_print_offsets(json_t *offsets)
{
    table_t t = {2, NULL, 0};
    table_add(&t, (const char *const[]){"PARTITION", "OFFSET"});
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(offsets, "offsets"), i, entry)
    {
        char *partition = json_text(entry, "partition"), *offset = json_text(entry, "offset");
        table_add(&t, (const char *const[]){partition, offset});
        free(partition);
        free(offset);
    }
    table_print(&t, true);
}

void connectors_print_restart_plan(json_t *plan)
{
    table_t t = {2, NULL, 0};
    table_add(&t, (const char *const[]){"INSTANCE", "STATE"});
    json_t *connector = json_object_get(plan, "connector");
    table_add(&t, (const char *const[]){"connector", json_str(connector, "state")});
    size_t i;
    json_t *task;
    json_array_foreach(json_object_get(plan, "tasks"), i, task)
    {
        char label[64];
        snprintf(label, sizeof(label), "task %lld", (long long)json_integer_value(json_object_get(task, "id")));
        table_add(&t, (const char *const[]){label, json_str(task, "state")});
    }
    table_print(&t, false);
}

void connectors_print_validation(json_t *infos)
{
    size_t i, j;
    json_t *config, *error;
    json_array_foreach(json_object_get(infos, "configs"), i, config)
    {
        json_t *value = json_object_get(config, "value");
        json_array_foreach(json_object_get(value, "errors"), j, error)
        {
            printf("%s: %s\n", json_str(value, "name"), json_string_value(error));
        }
    }
    long long errors = json_integer_value(json_object_get(infos, "error_count"));
    if (errors) {
        printf("%s: %lld error%s\n", json_str(infos, "name"), errors, errors == 1 ? "" : "s");
    } else {
        printf("%s: the config is valid\n", json_str(infos, "name"));
    }
}
