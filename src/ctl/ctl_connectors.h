/*
 * ctl_connectors.h - the text output of `connectctl connectors`.
 *
 * Each function prints one REST answer (a jansson value, borrowed for the
 * call) for people: aligned columns with a header line as kcctl's tables,
 * or "Key:  value" blocks for one connector.  --json output does not come
 * through here: it is the worker's answer itself.
 */
#ifndef CONNECTD_CTL_CONNECTORS_H
#define CONNECTD_CTL_CONNECTORS_H

#include <jansson.h>

/* GET /connectors?expand=status&expand=info: NAME TYPE STATE TASKS. */
void connectors_print_list(json_t *expanded);

/* GET /connectors/N, its /status and the topics of its /topics (an array of
 * names, or NULL when the worker does not track them); "Topics:" only when
 * there is one. */
void connectors_print_describe(json_t *info, json_t *status, json_t *topics);

/* GET /connector-plugins: CLASS TYPE VERSION. */
void connectors_print_plugins(json_t *plugins);

/* GET /connectors/N/offsets: PARTITION OFFSET, each as compact JSON. */
void connectors_print_offsets(json_t *offsets);

/* The restart plan POST /connectors/N/restart answers with
 * ?includeTasks or ?onlyFailed: the connector's and each task's state. */
void connectors_print_restart_plan(json_t *plan);

/* PUT /connector-plugins/C/config/validate: one "KEY: error" line per error,
 * then a summary line. */
void connectors_print_validation(json_t *infos);

#endif
