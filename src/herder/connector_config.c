/*
 * connector_config.c - the framework's connector settings and the whole
 * judgement of a connector config; see connector_config.h.
 *
 * The rows are Kafka's ConnectorConfig.configDef() and
 * SinkConnectorConfig's additions, with Kafka's documentation, groups,
 * positions (orderInGroup: one counter for Common, Transforms and
 * Predicates, another for Error Handling), widths and display names, so a
 * UI built for Kafka Connect lays them out the same.  connectd departs
 * from them in two places: tasks.max has an upper bound (each task is a
 * thread, and a typo like 1000000 must be refused as invalid, not a
 * worker brought down), and the restart.* settings of restart_policy.h are added.
 * Source-only settings Kafka has (topic.creation.*, exactly.once.support,
 * transaction.boundary, offsets.storage.topic) are not listed: connectd
 * does not implement them, and listing them would promise it does.
 *
 * The rows of error handling and the dead letter queue are
 * error_handler.c's and the restart.* rows restart_policy.c's: each part
 * fills its own settings with its rows, and the tables here lay them out
 * among the others.
 */
#include "connector_config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/converter.h"
#include "herder.h"
#include "plugin_catalog.h"
#include "plugin/task_context.h"
#include "restart_policy.h"
#include "task/crash_guard.h"
#include "task/error_handler.h"
#include "transforms/transform_chain.h"

/* The most tasks one connector may ask for. */
#define TASKS_MAX_LIMIT 1000

/* ---- checks of single settings ----------------------------------------------------- */

/* Kafka's NonEmptyStringWithoutControlChars, and the name being usable in
 * internal topic keys and REST paths (herder.h). */
static config_def_problem_t check_name(const config_def_t *key, const char *name, const char *value,
                                       const char **shown, char *why, size_t why_size)
{
    if (!*value) {
        snprintf(why, why_size, "String may not be empty");
        return CONFIG_DEF_REFUSED;
    }
    char found[512] = "";
    size_t len = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        int cp = -1;
        if (*p < 0x20 || *p == 0x7f) {
            cp = *p;
        } else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            cp = *++p; /* U+0080..U+009F, the C1 controls */
        }
        if (cp >= 0 && len < sizeof(found)) {
            len += (size_t)snprintf(found + len, sizeof(found) - len, "%s%d", len ? ", " : "", cp);
        }
    }
    if (len) {
        snprintf(why, why_size, "String may not contain control sequences but had the following ASCII chars: %s",
                 found);
        return CONFIG_DEF_REFUSED;
    }
    if (strlen(value) > HERDER_NAME_MAX || strchr(value, '/')) {
        snprintf(why, why_size, "Connector name must be at most %d bytes and contain no '/'", HERDER_NAME_MAX);
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

/* A converter class of the kind the setting wants; shows Kafka's class
 * name for a short one. */
static config_def_problem_t check_converter(const config_def_t *key, const char *name, const char *value,
                                            const char **shown, char *why, size_t why_size)
{
    bool header = strcmp(key->name, "header.converter") == 0;
    const catalog_plugin_t *plugin = catalog_find(value, header ? CATALOG_HEADER_CONVERTER : CATALOG_CONVERTER);
    if (plugin) {
        *shown = plugin->class_name;
        return CONFIG_DEF_OK;
    }
    if (catalog_find_any(value)) {
        snprintf(why, why_size, "Class %s does not implement the %s interface", value,
                 header ? "HeaderConverter" : "Converter");
        return CONFIG_DEF_REFUSED_MESSAGE;
    }
    snprintf(why, why_size, "Class %s could not be found.", value);
    return CONFIG_DEF_REFUSED;
}

/* Kafka's aliasValidator: no alias twice, in its words, which show the
 * list as Java prints one. */
static config_def_problem_t check_aliases(const config_def_t *key, const char *name, const char *value,
                                          const char **shown, char *why, size_t why_size)
{
    /* `value` is the parsed list, items joined by ",". */
    char *copy = strdup(value), *save = NULL;
    char *items[256];
    size_t n = 0;
    bool dup = false;
    for (char *item = copy ? strtok_r(copy, ",", &save) : NULL; item && n < 256; item = strtok_r(NULL, ",", &save)) {
        for (size_t i = 0; i < n; i++) {
            dup |= strcmp(items[i], item) == 0;
        }
        items[n++] = item;
    }
    if (dup) {
        size_t len = (size_t)snprintf(why, why_size, "Invalid value [");
        for (size_t i = 0; i < n && len < why_size; i++) {
            len += (size_t)snprintf(why + len, why_size - len, "%s%s", i ? ", " : "", items[i]);
        }
        if (len < why_size) {
            snprintf(why + len, why_size - len, "] for configuration %s: Duplicate alias provided.", name);
        }
    }
    free(copy);
    return dup ? CONFIG_DEF_REFUSED_MESSAGE : CONFIG_DEF_OK;
}

/* ---- the rows -------------------------------------------------------------------------- */

static const char *const reload_actions[] = {"none", "restart", NULL};

#define KEY_CONVERTER_DOC                                                                                        \
    "Converter class used to convert between Kafka Connect format and the serialized form that is written to "   \
    "Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is "  \
    "independent of connectors it allows any connector to work with any serialization format. Examples of "      \
    "common formats include JSON and Avro."
#define VALUE_CONVERTER_DOC                                                                                      \
    "Converter class used to convert between Kafka Connect format and the serialized form that is written to "   \
    "Kafka. This controls the format of the values in messages written to or read from Kafka, and since this "   \
    "is independent of connectors it allows any connector to work with any serialization format. Examples of "   \
    "common formats include JSON and Avro."
#define HEADER_CONVERTER_DOC                                                                                     \
    "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is "        \
    "written to Kafka. This controls the format of the header values in messages written to or read from "       \
    "Kafka, and since this is independent of connectors it allows any connector to work with any "               \
    "serialization format. Examples of common formats include JSON and Avro. By default, the "                   \
    "SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring "     \
    "the schemas."

/* ConnectorConfig.configDef(). */
static const config_def_t common_keys[] = {
    {.name = "name", .type = CONFIG_DEF_STRING, .flags = CONFIG_DEF_REQUIRED, .importance = CONFIG_DEF_HIGH,
     .doc = "Globally unique name to use for this connector.", .group = "Common", .order = 1,
     .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Connector name", .validate = check_name},
    {.name = "connector.class", .type = CONFIG_DEF_STRING, .flags = CONFIG_DEF_REQUIRED,
     .importance = CONFIG_DEF_HIGH,
     .doc = "Name or alias of the class for this connector. Must be a subclass of "
            "org.apache.kafka.connect.connector.Connector. If the connector is "
            "org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or "
            "use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter",
     .group = "Common", .order = 2, .width = CONFIG_DEF_WIDTH_LONG, .display_name = "Connector class"},
    {.name = "tasks.max", .type = CONFIG_DEF_INT, .default_value = "1", .importance = CONFIG_DEF_HIGH,
     .doc = "Maximum number of tasks to use for this connector.", .group = "Common", .order = 3,
     .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Tasks max", .has_min = true, .min = 1, .has_max = true,
     .max = TASKS_MAX_LIMIT},
    {.name = "tasks.max.enforce", .type = CONFIG_DEF_BOOLEAN, .default_value = "true",
     .importance = CONFIG_DEF_LOW,
     .doc = "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By "
            "default, connectors that generate too many tasks will fail, and existing sets of tasks that "
            "exceed the tasks.max property will also be failed. If this property is set to false, then "
            "connectors will be allowed to generate more than the maximum number of tasks, and existing sets "
            "of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated "
            "and will be removed in an upcoming major release.",
     .group = "Common", .order = 4, .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Enforce tasks max"},
    {.name = "key.converter", .type = CONFIG_DEF_CLASS, .importance = CONFIG_DEF_LOW, .doc = KEY_CONVERTER_DOC,
     .group = "Common", .order = 5, .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Key converter class",
     .validate = check_converter},
    {.name = "value.converter", .type = CONFIG_DEF_CLASS, .importance = CONFIG_DEF_LOW,
     .doc = VALUE_CONVERTER_DOC,
     .group = "Common", .order = 6, .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Value converter class",
     .validate = check_converter},
    {.name = "header.converter", .type = CONFIG_DEF_CLASS, .importance = CONFIG_DEF_LOW,
     .doc = HEADER_CONVERTER_DOC,
     .group = "Common", .order = 7, .width = CONFIG_DEF_WIDTH_SHORT, .display_name = "Header converter class",
     .validate = check_converter},
    {.name = "transforms", .type = CONFIG_DEF_LIST, .default_value = "", .importance = CONFIG_DEF_LOW,
     .doc = "Aliases for the transformations to be applied to records.", .group = "Transforms", .order = 8,
     .width = CONFIG_DEF_WIDTH_LONG, .display_name = "Transforms", .validate = check_aliases},
    {.name = "predicates", .type = CONFIG_DEF_LIST, .default_value = "", .importance = CONFIG_DEF_LOW,
     .doc = "Aliases for the predicates used by transformations.", .group = "Predicates", .order = 9,
     .width = CONFIG_DEF_WIDTH_LONG, .display_name = "Predicates", .validate = check_aliases},
    {.name = "config.action.reload", .type = CONFIG_DEF_STRING, .default_value = "restart",
     .importance = CONFIG_DEF_LOW,
     .doc = "The action that Connect should take on the connector when changes in external configuration "
            "providers result in a change in the connector's configuration properties. A value of 'none' "
            "indicates that Connect will do nothing. A value of 'restart' indicates that Connect should "
            "restart/reload the connector with the updated configuration properties.The restart may actually "
            "be scheduled in the future if the external configuration provider indicates that a configuration "
            "value will expire in the future.",
     .group = "Common", .order = 10, .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Reload Action",
     .choices = reload_actions},
    {.name = NULL},
};

/* SinkConnectorConfig's additions. */
static const config_def_t sink_only_keys[] = {
    {.name = "topics", .type = CONFIG_DEF_LIST, .default_value = "", .importance = CONFIG_DEF_HIGH,
     .doc = "List of topics to consume, separated by commas", .group = "Common", .order = 4,
     .width = CONFIG_DEF_WIDTH_LONG, .display_name = "Topics"},
    {.name = "topics.regex", .type = CONFIG_DEF_STRING, .default_value = "", .importance = CONFIG_DEF_HIGH,
     .doc = "Regular expression giving topics to consume. Under the hood, the regex is compiled to a "
            "<code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified.",
     .group = "Common", .order = 4, .width = CONFIG_DEF_WIDTH_LONG, .display_name = "Topics regex"},
    {.name = NULL},
};

/* The two tables in Kafka's order: ConnectorConfig's settings and its
 * error handling, SinkConnectorConfig's for a sink, the dead letter
 * queue's, then connectd's restart.* settings.  The error handler and the
 * restart policy own their rows and fill their structs with them; the
 * copies here are for checking and showing only, so they fill nothing. */
#define KEYS_MAX 64
static config_def_t source_keys[KEYS_MAX], sink_keys[KEYS_MAX];
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static void keys_init(void)
{
    for (int sink = 0; sink < 2; sink++) {
        config_def_t *to = sink ? sink_keys : source_keys;
        config_def_append(to, KEYS_MAX, common_keys);
        config_def_append(to, KEYS_MAX, error_handler_defs);
        if (sink) {
            config_def_append(to, KEYS_MAX, sink_only_keys);
        }
        config_def_append(to, KEYS_MAX, error_handler_dlq_defs);
        config_def_append(to, KEYS_MAX, restart_policy_defs);
    }
}

const config_def_t *connector_config_keys(cd_kind_t kind)
{
    pthread_once(&keys_once, keys_init);
    return kind == CD_KIND_SINK ? sink_keys : source_keys;
}

/* ---- transforms and predicates ---------------------------------------------------------- */

static char *kept_printf(cv_result_t *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *kept_printf(cv_result_t *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        abort();
    }
    va_end(ap);
    return cv_result_keep(res, s);
}

static config_def_problem_t check_transformation(const config_def_t *key, const char *name, const char *value,
                                                 const char **shown, char *why, size_t why_size)
{
    const catalog_plugin_t *plugin = catalog_find(value, CATALOG_TRANSFORMATION);
    if (!plugin) {
        snprintf(why, why_size, "Class %s could not be found.", value);
        return CONFIG_DEF_REFUSED;
    }
    *shown = plugin->class_name;
    return CONFIG_DEF_OK;
}

static config_def_problem_t check_predicate(const config_def_t *key, const char *name, const char *value,
                                            const char **shown, char *why, size_t why_size)
{
    const catalog_plugin_t *plugin = catalog_find(value, CATALOG_PREDICATE);
    if (!plugin) {
        snprintf(why, why_size, "Class %s could not be found.", value);
        return CONFIG_DEF_REFUSED;
    }
    *shown = plugin->class_name;
    return CONFIG_DEF_OK;
}

/* Whether `alias` is an item of the comma list `list`. */
static bool alias_listed(const char *list, const char *alias)
{
    char *copy = strdup(list ? list : ""), *save = NULL;
    bool found = false;
    for (char *item = strtok_r(copy, ",", &save); item && !found; item = strtok_r(NULL, ",", &save)) {
        size_t skip = strspn(item, " \t"), len = strlen(item + skip);
        while (len > 0 && strchr(" \t", item[skip + len - 1])) {
            len--;
        }
        found = strlen(alias) == len && strncmp(item + skip, alias, len) == 0;
    }
    free(copy);
    return found;
}

/* What the settings' rows cannot say about one alias: that the predicate
 * a transformation names is listed in `predicates`, and (when its settings
 * passed) that the transform can be made with them (transform_chain.h). */
static void check_alias(cv_result_t *res, const properties_t *config, const char *list, const char *alias,
                        const char *prefix, int errors_before)
{
    char key[600], why[1024] = "";
    if (strcmp(list, "transforms") == 0) {
        snprintf(key, sizeof(key), "%spredicate", prefix);
        cv_entry_t *pred = cv_result_find(res, key);
        if (pred && pred->value && *pred->value && !alias_listed(properties_get(config, "predicates"), pred->value)) {
            cv_result_add_error(res, key, pred->value,
                                "Invalid value %s for configuration %s: the predicate alias is not listed in "
                                "'predicates'",
                                pred->value, key);
            return;
        }
    }
    if (cv_result_error_count(res) > errors_before) {
        return;
    }
    snprintf(key, sizeof(key), "%stype", prefix);
    if (transform_alias_check(config, list, alias, why, sizeof(why)) < 0) {
        cv_result_add_error(res, key, NULL, "%s", why);
    }
}

/*
 * Kafka's ConnectorConfig.enrich for one of transforms / predicates: per
 * alias, "<list>.<alias>.type" (the class) in group "<Group>: <alias>",
 * and when the class is known its settings under the same prefix (for a
 * transformation first the implicit predicate and negate).
 */
static void enrich(cv_result_t *res, const properties_t *config, bool transforms)
{
    const char *list = transforms ? "transforms" : "predicates";
    cv_entry_t *aliases = cv_result_find(res, list);
    if (!aliases || aliases->n_errors || !aliases->value || !*aliases->value) {
        return;
    }
    char *copy = strdup(aliases->value), *save = NULL;
    char *seen[256];
    size_t n_seen = 0;
    for (char *alias = strtok_r(copy, ",", &save); alias && n_seen < 256; alias = strtok_r(NULL, ",", &save)) {
        bool again = false;
        for (size_t i = 0; i < n_seen; i++) {
            again |= strcmp(seen[i], alias) == 0;
        }
        if (again) {
            continue;
        }
        seen[n_seen++] = alias;
        const char *group = kept_printf(res, "%s: %s", transforms ? "Transforms" : "Predicates", alias);
        const char *prefix = kept_printf(res, "%s.%s.", list, alias);
        config_def_t *type = cv_result_keep(res, calloc(2, sizeof(*type)));
        *type = (config_def_t){
            .name = "type",
            .type = CONFIG_DEF_CLASS,
            .flags = CONFIG_DEF_REQUIRED,
            .importance = CONFIG_DEF_HIGH,
            .doc = kept_printf(res, "Class for the '%s' %s.", alias, transforms ? "transformation" : "predicate"),
            .group = group,
            .order = 0,
            .width = CONFIG_DEF_WIDTH_LONG,
            .display_name = kept_printf(res, "%s type for %s", transforms ? "Transformation" : "Predicate", alias),
            .validate = transforms ? check_transformation : check_predicate,
        };
        cv_validate_keys(res, type, config, prefix, NULL);
        char type_name[512];
        snprintf(type_name, sizeof(type_name), "%stype", prefix);
        cv_entry_t *entry = cv_result_find(res, type_name);
        for (size_t i = 0; i < catalog_count(); i++) {
            if (catalog_at(i)->type == (transforms ? CATALOG_TRANSFORMATION : CATALOG_PREDICATE)) {
                cv_entry_add_recommended(entry, catalog_at(i)->class_name);
            }
        }
        if (transforms) {
            char negate[512], predicate[512];
            snprintf(negate, sizeof(negate), "%snegate", prefix);
            snprintf(predicate, sizeof(predicate), "%spredicate", prefix);
            if (properties_get(config, negate) && !properties_get(config, predicate)) {
                cv_result_add_error(res, type_name, NULL,
                                    "Config '%s' was provided but there is no config '%s' defining a predicate to "
                                    "be negated.",
                                    negate, predicate);
            }
        }
        const catalog_plugin_t *plugin =
            entry->n_errors ? NULL
                            : catalog_find(entry->value, transforms ? CATALOG_TRANSFORMATION : CATALOG_PREDICATE);
        if (!plugin) {
            continue;
        }
        /* ConfigDef.embed: the class's settings, in the alias's group. */
        size_t n = 0;
        while (plugin->config && plugin->config[n].name) {
            n++;
        }
        config_def_t *rows = cv_result_keep(res, calloc(n + 3, sizeof(*rows)));
        size_t r = 0;
        for (const config_def_t *link = transforms ? transform_link_defs : NULL; link && link->name; link++) {
            rows[r] = *link;
            rows[r].group = group;
            rows[r].order = (int)r + 1;
            r++;
        }
        for (size_t i = 0; i < n; i++) {
            const config_def_t *own = &plugin->config[i];
            if (transforms && config_def_find(transform_link_defs, own->name)) {
                continue; /* the implicit ones mask them, as in Kafka */
            }
            rows[r] = *own;
            rows[r].group = own->group ? kept_printf(res, "%s: %s", group, own->group) : group;
            rows[r].order = (int)r + 1;
            r++;
        }
        int errors_before = cv_result_error_count(res);
        cv_validate_keys(res, rows, config, prefix, NULL);
        check_alias(res, config, list, alias, prefix, errors_before);
    }
    free(copy);
}

/* ---- whole configs -------------------------------------------------------------------- */

static bool blank(const char *s)
{
    return !s || !s[strspn(s, " \t\r\n\f\v")];
}

/* SinkConnectorConfig.validate: the checks that span settings. */
static void check_sink(cv_result_t *res, const properties_t *config)
{
    const char *topics = properties_get(config, "topics"), *regex = properties_get(config, "topics.regex");
    const char *dlq = properties_get(config, "errors.deadletterqueue.topic.name");
    if (!blank(topics) && !blank(regex)) {
        const char *msg = "topics and topics.regex are mutually exclusive options, but both are set.";
        cv_result_add_error(res, "topics", topics, "%s", msg);
        cv_result_add_error(res, "topics.regex", regex, "%s", msg);
    }
    if (blank(topics) && blank(regex)) {
        const char *msg = "Must configure one of topics or topics.regex";
        cv_result_add_error(res, "topics", topics, "%s", msg);
        cv_result_add_error(res, "topics.regex", regex, "%s", msg);
    }
    cv_entry_t *parsed = cv_result_find(res, "topics");
    if (blank(dlq) || blank(topics) || !parsed || !parsed->value) {
        return;
    }
    /* parseTopicsList: the items without empty ones and repeats, shown as
     * Java prints a list. */
    char *copy = strdup(parsed->value), *save = NULL, *items[256];
    size_t n = 0;
    for (char *t = strtok_r(copy, ",", &save); t && n < 256; t = strtok_r(NULL, ",", &save)) {
        bool again = false;
        for (size_t i = 0; i < n; i++) {
            again |= strcmp(items[i], t) == 0;
        }
        if (!again) {
            items[n++] = t;
        }
    }
    char name[512];
    size_t skip = strspn(dlq, " \t\r\n"), len = strlen(dlq + skip);
    while (len > 0 && strchr(" \t\r\n", dlq[skip + len - 1])) {
        len--;
    }
    snprintf(name, sizeof(name), "%.*s", (int)len, dlq + skip);
    bool included = false;
    char list[2048] = "[";
    size_t used = 1;
    for (size_t i = 0; i < n; i++) {
        included |= strcmp(items[i], name) == 0;
        if (used < sizeof(list)) {
            used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", items[i]);
        }
    }
    if (used < sizeof(list)) {
        snprintf(list + used, sizeof(list) - used, "]");
    }
    free(copy);
    if (included) {
        cv_result_add_error(res, "topics", topics,
                            "The DLQ topic '%s' may not be included in the list of topics ('topics=%s') consumed by "
                            "the connector",
                            name, list);
    }
}

/* restart_policy.c's one check across settings. */
static void check_restart(cv_result_t *res)
{
    cv_entry_t *backoff = cv_result_find(res, "restart.backoff.ms");
    cv_entry_t *max = cv_result_find(res, "restart.backoff.max.ms");
    if (backoff && max && backoff->value && max->value && !backoff->n_errors && !max->n_errors &&
        strtoll(max->value, NULL, 10) < strtoll(backoff->value, NULL, 10)) {
        cv_result_add_error(res, "restart.backoff.max.ms", max->value,
                            "Invalid value %s for configuration restart.backoff.max.ms: must not be less than "
                            "restart.backoff.ms (%s)",
                            max->value, backoff->value);
    }
}

/* Whether `word` occurs in `text` as a whole word (setting names are made
 * of letters, digits, '.', '_' and '-'). */
static bool has_word(const char *text, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        bool before = p == text || !(isalnum((unsigned char)p[-1]) || strchr("._-", p[-1]));
        bool after = !(isalnum((unsigned char)p[len]) || (p[len] && strchr("_-", p[len])) ||
                       (p[len] == '.' && isalnum((unsigned char)p[len + 1])));
        if (before && after) {
            return true;
        }
    }
    return false;
}

/* The plugin's validate(): its one message, on the setting it names. */
static void run_plugin_validate(cv_result_t *res, const properties_t *config, const cd_plugin_desc_t *desc,
                                const char *name)
{
    cd_task_t *conn = task_context_new(name ? name : "", -1, desc, config, NULL);
    char why[1024] = "";
    /* An unnamed validation (PUT .../config/validate without "name") is
     * still marked, so a crash is logged as a config validation's. */
    crash_scope_t outer = crash_guard_enter(name ? name : "", -1);
    cd_rc_t rc = desc->validate(conn, why, sizeof(why));
    crash_guard_leave(outer);
    why[sizeof(why) - 1] = '\0'; /* whatever the plugin wrote there */
    if (rc < 0) {
        const char *msg = why[0] ? why : task_context_error(conn);
        msg = msg && *msg ? msg : "the connector refused its config";
        const char *target = "connector.class";
        size_t best = 0;
        for (size_t i = 0; i < cv_result_count(res); i++) {
            /* "name" is too common a word to mean the setting. */
            const char *setting = cv_result_at(res, i)->name;
            if (strcmp(setting, "name") != 0 && strlen(setting) > best && has_word(msg, setting)) {
                target = setting;
                best = strlen(setting);
            }
        }
        cv_result_add_error(res, target, NULL, "%s", msg);
    }
    task_context_free(conn);
}

/* The settings of the converter `setting` names, if the config sets one
 * (AbstractHerder.validateConverterConfig), then the converter itself. */
static void validate_converter(cv_result_t *res, const properties_t *config, const char *setting,
                               const char *type)
{
    cv_entry_t *entry = cv_result_find(res, setting);
    const char *cls = properties_get(config, setting);
    if (!cls || !entry || entry->n_errors || !entry->value) {
        return;
    }
    bool header = strcmp(type, "header") == 0;
    const catalog_plugin_t *plugin =
        catalog_find(entry->value, header ? CATALOG_HEADER_CONVERTER : CATALOG_CONVERTER);
    if (!plugin) {
        return;
    }
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%s.", setting);
    properties_t *defaults = properties_create();
    char type_key[96];
    snprintf(type_key, sizeof(type_key), "%sconverter.type", prefix);
    properties_set(defaults, type_key, type);
    int errors_before = cv_result_error_count(res);
    cv_validate_keys(res, plugin->config, config, prefix, defaults);
    properties_destroy(defaults);
    if (cv_result_error_count(res) > errors_before) {
        return;
    }
    /* What the task will do with them (task_runner.c): the converter's own
     * checks may refuse more than its rows say. */
    properties_t *settings = properties_create();
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i);
        if (strncmp(key, prefix, strlen(prefix)) == 0) {
            properties_set(settings, key + strlen(prefix), properties_value_at(config, i));
        }
    }
    char err[1024] = "";
    converter_t *conv = converter_create(cls, strcmp(type, "key") == 0, settings, err, sizeof(err));
    if (!conv) {
        cv_result_add_error(res, setting, NULL, "%s", err);
    }
    converter_destroy(conv);
    properties_destroy(settings);
}

cv_result_t *connector_config_validate(const properties_t *config, const plugin_info_t *plugin, const char *name,
                                       const char *const *null_keys, bool plugin_validate)
{
    const cd_plugin_desc_t *desc = plugin->desc;
    cv_result_t *res = cv_result_new();
    properties_t *named = NULL;
    if (name && !properties_get(config, "name")) {
        named = properties_create();
        for (size_t i = 0; i < properties_count(config); i++) {
            properties_set(named, properties_key_at(config, i), properties_value_at(config, i));
        }
        properties_set(named, "name", name);
        config = named;
    }
    cv_validate_keys(res, connector_config_keys(desc->kind), config, NULL, NULL);
    enrich(res, config, true);
    enrich(res, config, false);
    if (desc->kind == CD_KIND_SINK) {
        check_sink(res, config);
    }
    check_restart(res);
    cv_validate_keys(res, plugin->config, config, NULL, NULL);
    for (const char *const *k = null_keys; k && *k; k++) {
        cv_entry_t *e = cv_result_find(res, *k);
        if (e) {
            cv_entry_reset(e);
        }
        cv_result_add_error(res, *k, NULL, "Null value can not be supplied as the configuration value.");
    }
    if (plugin_validate && desc->validate && cv_result_error_count(res) == 0) {
        run_plugin_validate(res, config, desc, properties_get(config, "name"));
    }
    cv_result_undefined_first(res);
    validate_converter(res, config, "header.converter", "header");
    validate_converter(res, config, "key.converter", "key");
    validate_converter(res, config, "value.converter", "value");
    properties_destroy(named);
    return res;
}

int connector_config_check(const properties_t *config, const plugin_info_t *plugin, char *errstr,
                           size_t errstr_size)
{
    /* The herder has checked the name it was given; any stands in here. */
    cv_result_t *res = connector_config_validate(config, plugin, "connector", NULL, false);
    int n = cv_result_error_count(res);
    cv_result_messages(res, errstr, errstr_size);
    cv_result_free(res);
    return n;
}

int connector_config_tasks_max(const properties_t *config)
{
    char *shown, detail[256];
    const config_def_t *row = config_def_find(connector_config_keys(CD_KIND_SOURCE), "tasks.max");
    bool ok = config_def_read(row, row->name, properties_get(config, row->name), &shown, detail, sizeof(detail)) ==
              CONFIG_DEF_OK;
    int n = ok ? (int)strtol(shown, NULL, 10) : 1;
    free(shown);
    return n;
}
