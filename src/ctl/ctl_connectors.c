/*
 * ctl_connectors.c - `connectctl connectors`, a worker's REST API from the
 * command line, after kcctl:
 *
 *   list                               NAME TYPE STATE TASKS of every connector
 *   describe NAME                      its config, state, tasks and topics
 *   apply -f FILE                      create or update (PUT /connectors/NAME/config)
 *   pause|resume|stop|delete NAME...   one call per connector named
 *   restart NAME [--include-tasks] [--only-failed]
 *   offsets get|reset NAME             GET or DELETE /connectors/NAME/offsets
 *   offsets alter NAME -f FILE         PATCH /connectors/NAME/offsets with FILE
 *   plugins [--all]                    CLASS TYPE VERSION of the installed plugins
 *   validate -f FILE                   the errors of a config, per key
 *
 * FILE is a connector file as `connectd standalone` takes (Java properties
 * with name= and connector.class=), or JSON: {"name": .., "config": {..}} as
 * POST /connectors takes, or the bare config object with "name" in it; "-"
 * reads standard input.  Output is a table or a block of lines for people;
 * --json prints the worker's answer instead (indented), for scripts.  Any
 * answer other than 2xx prints the "message" of the worker's error body and
 * exits 1, as does a config with errors under `validate`.
 *
 * The worker is --url (default $CONNECT_URL, else http://localhost:8083);
 * basic authentication is --user USER:PASSWORD or credentials in the URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "connectd-build.h"
#include "ctl.h"
#include "ctl_connectors.h"
#include "ctl_rest.h"
#include "properties.h"
#include "xalloc.h"

#define CONNECTORS_DEFAULT_URL "http://localhost:8083"
/* Kafka's REST calls that wait on the cluster time out after 90 s. */
#define CONNECTORS_DEFAULT_TIMEOUT_MS 90000
#define CONNECTORS_MAX_ARGS 32

typedef struct connectors_args {
    const char *url;
    const char *user;
    const char *file;
    int timeout_ms;
    bool json, include_tasks, only_failed, all;
    const char *action;
    const char *args[CONNECTORS_MAX_ARGS]; /* the positional arguments after the action */
    int n_args;
} connectors_args_t;

enum {
    OPT_URL = 1,
    OPT_USER,
    OPT_FILE,
    OPT_INCLUDE_TASKS,
    OPT_ONLY_FAILED,
    OPT_ALL,
    OPT_JSON,
    OPT_TIMEOUT,
};

static const cliopt_t connectors_opts[] = {
    {OPT_URL, "--url", 0, "URL", "the worker's REST API (default $CONNECT_URL, else http://localhost:8083)"},
    {OPT_USER, "--user", 0, "USER:PASSWORD", "basic authentication (or http://USER:PASSWORD@HOST in --url)"},
    {OPT_FILE, "--file", 'f', "FILE", "apply, validate: a connector file (properties or JSON); offsets alter: JSON"},
    {OPT_INCLUDE_TASKS, "--include-tasks", 0, NULL, "restart: the tasks too"},
    {OPT_ONLY_FAILED, "--only-failed", 0, NULL, "restart: only the instances that failed"},
    {OPT_ALL, "--all", 0, NULL, "plugins: converters, transforms and the like too"},
    {OPT_JSON, "--json", 0, NULL, "print the worker's JSON answer instead of text"},
    {OPT_TIMEOUT, "--timeout-ms", 0, "MS", "how long to wait for the worker's answer (default 90000)"},
    {0},
};

static const char connectors_usage[] =
    "usage: connectctl connectors list | describe NAME | apply -f FILE | validate -f FILE | plugins [--all]\n"
    "                           | pause|resume|stop|delete NAME... | restart NAME [--include-tasks] [--only-failed]\n"
    "                           | offsets get|reset NAME | offsets alter NAME -f FILE\n"
    "\n"
    "Manages the connectors of a worker through its REST API, as kcctl.";

/* ---- requests ---------------------------------------------------------- */

/* "/connectors/NAME<suffix>" with NAME escaped; owned by the caller. */
static char *connector_path(const char *name, const char *suffix)
{
    char *escaped = ctl_rest_escape(name);
    size_t len = strlen("/connectors/") + strlen(escaped) + strlen(suffix) + 1;
    char *path = xmalloc(len);
    snprintf(path, len, "/connectors/%s%s", escaped, suffix);
    free(escaped);
    return path;
}

/* Prints why a request failed: the worker's error message when its body
 * has one, else the status and what came back. */
static int report_failure(ctl_rest_t *rest, long status, const char *body)
{
    json_t *err = json_loads(body, JSON_DECODE_ANY, NULL);
    const char *message = json_string_value(json_object_get(err, "message"));
    const char *hint = status == 401 ? "; give --user USER:PASSWORD" : "";
    int rc;
    if (message) {
        rc = ctl_fail("%s (HTTP %ld%s)", message, status, hint);
    } else {
        rc = ctl_fail("HTTP %ld from %s%s%s%.200s", status, ctl_rest_url(rest), hint, *body ? ": " : "", body);
    }
    json_decref(err);
    return rc;
}

/* Sends a request whose answer must be 2xx.  Returns 0 with *out (when not
 * NULL) the parsed answer (NULL for an empty one; the caller decrefs) and
 * *status (when not NULL) the HTTP status; else prints why and returns the
 * exit code. */
static int call(ctl_rest_t *rest, const char *method, const char *path, json_t *body, json_t **out, long *status)
{
    char err[512], *response;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    long code = ctl_rest_request(rest, method, path, text, &response, err, sizeof(err));
    free(text);
    if (out) {
        *out = NULL;
    }
    if (code < 0) {
        return ctl_fail("%s", err);
    }
    if (code < 200 || code > 299) {
        int rc = report_failure(rest, code, response);
        free(response);
        return rc;
    }
    if (status) {
        *status = code;
    }
    if (out && *response) {
        json_error_t jerr;
        *out = json_loads(response, JSON_DECODE_ANY, &jerr);
        if (!*out) {
            int rc = ctl_fail("the worker at %s answered %s %s with invalid JSON: %s", ctl_rest_url(rest), method, path,
                              jerr.text);
            free(response);
            return rc;
        }
    }
    free(response);
    return 0;
}

static void print_json(json_t *value)
{
    json_dumpf(value, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
    putchar('\n');
}

/* ---- connector files --------------------------------------------------- */

/* All of `path` ("-": standard input) in a NUL-terminated buffer; NULL after
 * printing why. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        ctl_fail("%s: %m", path);
        return NULL;
    }
    size_t cap = 4096;
    char *data = xmalloc(cap);
    *len = 0;
    size_t n;
    while ((n = fread(data + *len, 1, cap - *len - 1, f)) > 0) {
        *len += n;
        if (cap - *len - 1 == 0) {
            cap *= 2;
            data = xrealloc(data, cap);
        }
    }
    bool failed = ferror(f);
    if (f != stdin) {
        fclose(f);
    }
    if (failed) {
        ctl_fail("%s: read error", path);
        free(data);
        return NULL;
    }
    data[*len] = '\0';
    return data;
}

/* The connector config of a JSON document: the "config" of {"name",
 * "config"} (its name filled in from the outer one), or the document itself.
 * A new reference, or NULL after printing why. */
static json_t *config_from_json(const char *path, json_t *doc)
{
    if (!json_is_object(doc)) {
        ctl_fail("%s: expected a JSON object (a connector's config, or {\"name\": .., \"config\": {..}})", path);
        return NULL;
    }
    json_t *config = json_object_get(doc, "config");
    if (!config) {
        return json_incref(doc);
    }
    if (!json_is_object(config)) {
        ctl_fail("%s: \"config\" must be an object of settings", path);
        return NULL;
    }
    config = json_deep_copy(config);
    json_t *name = json_object_get(doc, "name");
    if (name && !json_object_get(config, "name")) {
        json_object_set(config, "name", name);
    }
    return config;
}

/* The config of the connector file `path` (properties or JSON) as a JSON
 * object of strings with "name" in it; NULL after printing why. */
static json_t *load_connector_file(const char *path)
{
    size_t len;
    char *text = read_all(path, &len);
    if (!text) {
        return NULL;
    }
    json_t *config = NULL;
    size_t skip = strspn(text, " \t\r\n");
    if (text[skip] == '{') {
        json_error_t jerr;
        json_t *doc = json_loadb(text, len, 0, &jerr);
        if (!doc) {
            ctl_fail("%s: line %d: %s", path, jerr.line, jerr.text);
        } else {
            config = config_from_json(path, doc);
            json_decref(doc);
        }
    } else {
        char err[512];
        properties_t *props = properties_create();
        if (properties_parse(props, text, len, err, sizeof(err)) < 0) {
            ctl_fail("%s: %s", path, err);
        } else {
            config = json_object();
            for (size_t i = 0; i < properties_count(props); i++) {
                json_object_set_new(config, properties_key_at(props, i), json_string(properties_value_at(props, i)));
            }
        }
        properties_destroy(props);
    }
    free(text);
    if (config && !json_string_value(json_object_get(config, "name"))) {
        ctl_fail("%s: the connector needs a name (name=... or \"name\": ...)", path);
        json_decref(config);
        config = NULL;
    }
    return config;
}

/* ---- actions ----------------------------------------------------------- */

static int run_list(ctl_rest_t *rest, const connectors_args_t *a)
{
    json_t *expanded;
    int rc = call(rest, "GET", "/connectors?expand=status&expand=info", NULL, &expanded, NULL);
    if (rc == 0) {
        a->json ? print_json(expanded) : connectors_print_list(expanded);
        json_decref(expanded);
    }
    return rc;
}

static int run_describe(ctl_rest_t *rest, const connectors_args_t *a)
{
    char *info_path = connector_path(a->args[0], ""), *status_path = connector_path(a->args[0], "/status");
    char *topics_path = connector_path(a->args[0], "/topics");
    json_t *info = NULL, *status = NULL, *topics = NULL;
    int rc = call(rest, "GET", info_path, NULL, &info, NULL);
    if (rc == 0) {
        rc = call(rest, "GET", status_path, NULL, &status, NULL);
    }
    if (rc == 0) {
        /* A worker with topic.tracking.enable=false refuses /topics: the
         * description goes without them. */
        char err[512], *response;
        long code = ctl_rest_request(rest, "GET", topics_path, NULL, &response, err, sizeof(err));
        json_t *answer = code == 200 ? json_loads(response, 0, NULL) : NULL;
        topics = json_incref(json_object_get(json_object_get(answer, a->args[0]), "topics"));
        json_decref(answer);
        free(response);
    }
    if (rc == 0 && a->json) {
        json_t *doc = json_pack("{s:O, s:O}", "info", info, "status", status);
        if (topics) {
            json_object_set(doc, "topics", topics);
        }
        print_json(doc);
        json_decref(doc);
    } else if (rc == 0) {
        connectors_print_describe(info, status, topics);
    }
    json_decref(topics);
    json_decref(status);
    json_decref(info);
    free(topics_path);
    free(status_path);
    free(info_path);
    return rc;
}

static int run_apply(ctl_rest_t *rest, const connectors_args_t *a)
{
    json_t *config = load_connector_file(a->file);
    if (!config) {
        return CTL_EXIT_FAIL;
    }
    const char *name = json_string_value(json_object_get(config, "name"));
    char *path = connector_path(name, "/config");
    json_t *answer;
    long status = 0;
    int rc = call(rest, "PUT", path, config, &answer, &status);
    if (rc == 0) {
        if (a->json) {
            print_json(answer);
        } else {
            printf("%s connector %s\n", status == 201 ? "Created" : "Updated", name);
        }
        json_decref(answer);
    }
    free(path);
    json_decref(config);
    return rc;
}

/* pause, resume, stop, delete: one call per name, on through the names
 * after a failure (each is reported), exit 1 when any failed. */
static int run_lifecycle(ctl_rest_t *rest, const connectors_args_t *a)
{
    static const struct {
        const char *action, *method, *suffix, *done;
    } verbs[] = {
        {"pause", "PUT", "/pause", "Paused"},
        {"resume", "PUT", "/resume", "Resumed"},
        {"stop", "PUT", "/stop", "Stopped"},
        {"delete", "DELETE", "", "Deleted"},
    };
    size_t v = 0;
    while (strcmp(verbs[v].action, a->action) != 0) {
        v++;
    }
    int rc = 0;
    for (int i = 0; i < a->n_args; i++) {
        char *path = connector_path(a->args[i], verbs[v].suffix);
        if (call(rest, verbs[v].method, path, NULL, NULL, NULL) != 0) {
            rc = CTL_EXIT_FAIL;
        } else if (!a->json) {
            printf("%s connector %s\n", verbs[v].done, a->args[i]);
        }
        free(path);
    }
    return rc;
}

static int run_restart(ctl_rest_t *rest, const connectors_args_t *a)
{
    char suffix[64];
    snprintf(suffix, sizeof(suffix), "/restart%s%s%s", a->include_tasks || a->only_failed ? "?" : "",
             a->include_tasks ? "includeTasks=true" : "",
             a->only_failed ? (a->include_tasks ? "&onlyFailed=true" : "onlyFailed=true") : "");
    char *path = connector_path(a->args[0], suffix);
    json_t *plan;
    int rc = call(rest, "POST", path, NULL, &plan, NULL);
    if (rc == 0 && a->json) {
        if (plan) {
            print_json(plan);
        }
    } else if (rc == 0) {
        printf("Restarted connector %s\n", a->args[0]);
        /* With either flag Kafka answers the plan: what restarts. */
        if (plan) {
            connectors_print_restart_plan(plan);
        }
    }
    json_decref(plan);
    free(path);
    return rc;
}

static int run_offsets(ctl_rest_t *rest, const connectors_args_t *a)
{
    const char *op = a->args[0], *name = a->args[1];
    json_t *body = NULL, *answer = NULL;
    const char *method;
    if (strcmp(op, "get") == 0) {
        method = "GET";
    } else if (strcmp(op, "reset") == 0) {
        method = "DELETE";
    } else if (strcmp(op, "alter") == 0) {
        size_t len;
        char *text = read_all(a->file, &len);
        if (!text) {
            return CTL_EXIT_FAIL;
        }
        json_error_t jerr;
        body = json_loadb(text, len, 0, &jerr);
        free(text);
        if (!body) {
            return ctl_fail("%s: line %d: %s", a->file, jerr.line, jerr.text);
        }
        method = "PATCH";
    } else {
        fprintf(stderr, "connectctl connectors: offsets takes get, alter or reset, got '%s'\n", op);
        return CTL_EXIT_USAGE;
    }
    char *path = connector_path(name, "/offsets");
    int rc = call(rest, method, path, body, &answer, NULL);
    if (rc == 0 && a->json) {
        print_json(answer);
    } else if (rc == 0 && strcmp(op, "get") == 0) {
        connectors_print_offsets(answer);
    } else if (rc == 0) {
        printf("%s\n", json_string_value(json_object_get(answer, "message")));
    }
    json_decref(answer);
    json_decref(body);
    free(path);
    return rc;
}

static int run_plugins(ctl_rest_t *rest, const connectors_args_t *a)
{
    json_t *plugins;
    int rc = call(rest, "GET", a->all ? "/connector-plugins?connectorsOnly=false" : "/connector-plugins", NULL,
                  &plugins, NULL);
    if (rc == 0) {
        a->json ? print_json(plugins) : connectors_print_plugins(plugins);
        json_decref(plugins);
    }
    return rc;
}

static int run_validate(ctl_rest_t *rest, const connectors_args_t *a)
{
    json_t *config = load_connector_file(a->file);
    if (!config) {
        return CTL_EXIT_FAIL;
    }
    const char *class = json_string_value(json_object_get(config, "connector.class"));
    if (!class) {
        json_decref(config);
        return ctl_fail("%s: the connector needs connector.class", a->file);
    }
    char *escaped = ctl_rest_escape(class);
    size_t len = strlen(escaped) + 64;
    char *path = xmalloc(len);
    snprintf(path, len, "/connector-plugins/%s/config/validate", escaped);
    json_t *infos;
    int rc = call(rest, "PUT", path, config, &infos, NULL);
    if (rc == 0) {
        a->json ? print_json(infos) : connectors_print_validation(infos);
        rc = json_integer_value(json_object_get(infos, "error_count")) ? CTL_EXIT_FAIL : 0;
        json_decref(infos);
    }
    free(path);
    free(escaped);
    json_decref(config);
    return rc;
}

/* ---- arguments --------------------------------------------------------- */

static const struct {
    const char *name;
    int min_args, max_args; /* positional arguments after the action */
    bool needs_file;
    int (*run)(ctl_rest_t *rest, const connectors_args_t *a);
} actions[] = {
    {"list", 0, 0, false, run_list},
    {"describe", 1, 1, false, run_describe},
    {"apply", 0, 0, true, run_apply},
    {"pause", 1, CONNECTORS_MAX_ARGS, false, run_lifecycle},
    {"resume", 1, CONNECTORS_MAX_ARGS, false, run_lifecycle},
    {"stop", 1, CONNECTORS_MAX_ARGS, false, run_lifecycle},
    {"delete", 1, CONNECTORS_MAX_ARGS, false, run_lifecycle},
    {"restart", 1, 1, false, run_restart},
    {"offsets", 2, 2, false, run_offsets},
    {"plugins", 0, 0, false, run_plugins},
    {"validate", 0, 0, true, run_validate},
};

#define N_ACTIONS (sizeof(actions) / sizeof(actions[0]))

/* The index of action `name`, or -1 after printing the closest one. */
static int find_action(const char *name)
{
    const char *closest = NULL;
    size_t best = 3; /* as connectctl's commands: more than 2 edits is another word */
    for (size_t i = 0; i < N_ACTIONS; i++) {
        if (strcmp(actions[i].name, name) == 0) {
            return (int)i;
        }
        size_t d = cliopt_distance(name, actions[i].name);
        if (d < best) {
            best = d;
            closest = actions[i].name;
        }
    }
    if (closest) {
        fprintf(stderr, "connectctl connectors: unknown action '%s'; did you mean '%s'?\n", name, closest);
    } else {
        fprintf(stderr, "connectctl connectors: unknown action '%s'; see connectctl connectors --help\n", name);
    }
    return -1;
}

/* Returns -1 when the arguments are good (then *action is the index of
 * the action in actions[]), else the exit code. */
static int parse_args(int argc, char **argv, connectors_args_t *a, int *action)
{
    cliopt_parser_t p;
    cliopt_parser_init(&p, "connectctl connectors", connectors_usage, argc, argv);
    p.version = "connectctl " PACKAGE_VERSION;
    cliopt_parser_add(&p, connectors_opts);
    const char *value;
    int id;
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        switch (id) {
        case OPT_URL:
            a->url = value;
            break;
        case OPT_USER:
            if (!strchr(value, ':')) {
                fprintf(stderr, "connectctl connectors: --user expects USER:PASSWORD, got '%s'\n", value);
                return CTL_EXIT_USAGE;
            }
            a->user = value;
            break;
        case OPT_FILE:
            a->file = value;
            break;
        case OPT_INCLUDE_TASKS:
            a->include_tasks = true;
            break;
        case OPT_ONLY_FAILED:
            a->only_failed = true;
            break;
        case OPT_ALL:
            a->all = true;
            break;
        case OPT_JSON:
            a->json = true;
            break;
        case OPT_TIMEOUT: {
            char *end;
            long ms = strtol(value, &end, 10);
            if (!*value || *end || ms < 1 || ms > 3600000) {
                fprintf(stderr, "connectctl connectors: --timeout-ms expects milliseconds (1 to 3600000), got '%s'\n",
                        value);
                return CTL_EXIT_USAGE;
            }
            a->timeout_ms = (int)ms;
            break;
        }
        case CLIOPT_POSITIONAL:
            if (!a->action) {
                a->action = value;
            } else if (a->n_args == CONNECTORS_MAX_ARGS) {
                fprintf(stderr, "connectctl connectors: at most %d names at once\n", CONNECTORS_MAX_ARGS);
                return CTL_EXIT_USAGE;
            } else {
                a->args[a->n_args++] = value;
            }
            break;
        default:
            return ctl_parse_exit(id);
        }
    }
    if (!a->action) {
        cliopt_print_help(&p, stderr);
        return CTL_EXIT_USAGE;
    }
    int i = find_action(a->action);
    if (i < 0) {
        return CTL_EXIT_USAGE;
    }
    const char *error = NULL;
    if (a->n_args < actions[i].min_args || a->n_args > actions[i].max_args) {
        error = actions[i].min_args == 0   ? "takes no arguments"
                : actions[i].max_args == 1 ? "takes one connector name"
                : actions[i].max_args == 2 ? "takes get, alter or reset and a connector name"
                                           : "takes one or more connector names";
    } else if (actions[i].needs_file && !a->file) {
        error = "needs -f FILE";
    } else if (strcmp(a->action, "offsets") == 0 && (strcmp(a->args[0], "alter") == 0) != (a->file != NULL)) {
        error = a->file ? "takes -f FILE only with alter" : "alter needs -f FILE (the offsets as JSON)";
    } else if (a->file && !actions[i].needs_file && strcmp(a->action, "offsets") != 0) {
        error = "takes no -f FILE";
    } else if ((a->include_tasks || a->only_failed) && strcmp(a->action, "restart") != 0) {
        error = "takes no --include-tasks or --only-failed (they go with restart)";
    } else if (a->all && strcmp(a->action, "plugins") != 0) {
        error = "takes no --all (it goes with plugins)";
    }
    if (error) {
        fprintf(stderr, "connectctl connectors: %s %s\n", a->action, error);
        return CTL_EXIT_USAGE;
    }
    *action = i;
    return -1;
}

int ctl_connectors(int argc, char **argv)
{
    connectors_args_t a = {0};
    a.timeout_ms = CONNECTORS_DEFAULT_TIMEOUT_MS;
    int i;
    int rc = parse_args(argc, argv, &a, &i);
    if (rc >= 0) {
        return rc;
    }
    if (!a.url) {
        const char *env = getenv("CONNECT_URL");
        a.url = env && *env ? env : CONNECTORS_DEFAULT_URL;
    }
    char err[512];
    ctl_rest_t *rest = ctl_rest_create(a.url, a.user, a.timeout_ms, err, sizeof(err));
    if (!rest) {
        fprintf(stderr, "connectctl connectors: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    rc = actions[i].run(rest, &a);
    ctl_rest_destroy(rest);
    return rc;
}
