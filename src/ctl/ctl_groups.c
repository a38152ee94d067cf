/*
 * ctl_groups.c - `connectctl groups`, after kafka-consumer-groups.sh:
 *
 *   --list
 *   --describe --group G
 *   --reset-offsets --group G (--topic T[:P[,P...]] ... | --all-topics)
 *       (--to-earliest | --to-latest | --to-offset N | --shift-by N
 *        | --to-datetime YYYY-MM-DDTHH:mm:SS.sss[Z|+hh:mm])
 *       [--dry-run | --execute]
 *   --delete --group G
 *   --delete-offsets --group G --topic T[:P[,P...]] ...
 *
 * This file parses the flags and does the two one-call actions (--list,
 * --delete); --describe, --reset-offsets and --delete-offsets have their
 * own files, and the
 * look-ups they share (a group's description, its committed offsets) are in
 * ctl_groups_lookup.c.  Everything goes to the group's coordinator through
 * librdkafka's admin API, so it works against connectd and Apache Kafka
 * alike.
 *
 * As in Kafka, --reset-offsets without --execute is a dry run (with a
 * warning unless --dry-run says so), and a group that does not exist is
 * described as state Dead: --describe and --delete report it missing,
 * --reset-offsets --execute creates its offsets.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_groups.h"

/* Parses Kafka's --to-datetime format, YYYY-MM-DDTHH:mm:SS.sss, with the
 * milliseconds optional and an optional zone: Z, +hh:mm, +hhmm or +hh (or
 * -).  Without a zone the time is local, as in Kafka. */
static bool parse_datetime(const char *s, int64_t *ms)
{
    static const char tmpl[] = "0000-00-00T00:00:00";
    for (size_t i = 0; i < sizeof(tmpl) - 1; i++) {
        bool ok = tmpl[i] == '0' ? isdigit((unsigned char)s[i]) != 0 : s[i] == tmpl[i];
        if (!ok) {
            return false;
        }
    }
    struct tm tm = {.tm_year = atoi(s) - 1900, .tm_mon = atoi(s + 5) - 1, .tm_mday = atoi(s + 8),
                    .tm_hour = atoi(s + 11), .tm_min = atoi(s + 14), .tm_sec = atoi(s + 17), .tm_isdst = -1};
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60) {
        return false;
    }
    const char *p = s + sizeof(tmpl) - 1;
    int millis = 0;
    if (*p == '.') {
        if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3])) {
            return false;
        }
        millis = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        p += 4;
    }
    time_t secs;
    if (*p == '\0') {
        secs = mktime(&tm);
    } else {
        int zone_min = 0;
        if (strcmp(p, "Z") != 0) {
            int hh, mm = 0;
            size_t len = strlen(p);
            bool ok = (*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]);
            if (ok && len == 6 && p[3] == ':') {
                ok = isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]);
                mm = atoi(p + 4);
            } else if (ok && len == 5) {
                ok = isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]);
                mm = atoi(p + 3);
            } else {
                ok = ok && len == 3;
            }
            hh = (p[1] - '0') * 10 + (p[2] - '0');
            if (!ok || hh > 18 || mm > 59) {
                return false;
            }
            zone_min = (*p == '-' ? -1 : 1) * (hh * 60 + mm);
        }
        secs = timegm(&tm) - (time_t)zone_min * 60;
    }
    *ms = (int64_t)secs * 1000 + millis;
    return true;
}

static bool parse_int64(const char *flag, const char *value, int64_t min, int64_t *out)
{
    char *end;
    long long v = strtoll(value, &end, 10);
    if (!*value || *end || v < min) {
        fprintf(stderr, "connectctl groups: %s expects a whole number%s, got '%s'\n", flag,
                min == 0 ? " >= 0" : "", value);
        return false;
    }
    *out = v;
    return true;
}

/* Parses an ISO-8601 duration as Java's Duration.parse takes it,
 * "PnDTnHnMn.nS" (e.g. PT30M, P1DT12H, PT0.5S), into milliseconds. */
static bool parse_duration(const char *s, int64_t *ms)
{
    static const struct {
        char unit;
        bool after_t;
        double ms;
    } units[] = {{'D', false, 86400000.0}, {'H', true, 3600000.0}, {'M', true, 60000.0}, {'S', true, 1000.0}};
    const char *p = s;
    if (*p != 'P' && *p != 'p') {
        return false;
    }
    p++;
    bool after_t = false, any = false;
    size_t next_unit = 0;
    double total = 0;
    while (*p) {
        if ((*p == 'T' || *p == 't') && !after_t) {
            after_t = true;
            p++;
            continue;
        }
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0) {
            return false;
        }
        char unit = (char)toupper((unsigned char)*end);
        size_t u = next_unit;
        while (u < sizeof(units) / sizeof(units[0]) && (units[u].unit != unit || units[u].after_t != after_t)) {
            u++;
        }
        if (u == sizeof(units) / sizeof(units[0])) {
            return false;
        }
        total += v * units[u].ms;
        next_unit = u + 1;
        any = true;
        p = end + 1;
    }
    if (!any || total > 9.2e18) {
        return false;
    }
    *ms = (int64_t)total;
    return true;
}

static bool set_reset_to(groups_args_t *a, groups_reset_to_t to)
{
    if (a->reset_to != RESET_NONE) {
        fprintf(stderr, "connectctl groups: give only one of --to-earliest, --to-latest, --to-offset, "
                        "--shift-by, --to-datetime, --by-duration, --to-current, --from-file\n");
        return false;
    }
    a->reset_to = to;
    return true;
}

/* Checks the combination of flags once all are read. */
static bool check_args(groups_args_t *a, bool dry_run)
{
    if (a->op == GROUPS_NONE) {
        fprintf(stderr, "connectctl groups: give one of --list, --describe, --reset-offsets, --delete, "
                        "--delete-offsets\n");
        return false;
    }
    if (a->op != GROUPS_LIST && !a->group && !a->all_groups) {
        fprintf(stderr, "connectctl groups: this action needs --group\n");
        return false;
    }
    if (a->op == GROUPS_DELETE_OFFSETS) {
        /* as kafka-consumer-groups: --topic is required, --all-topics refused */
        if (a->reset_to != RESET_NONE || a->all_topics || dry_run || a->execute || a->n_topics == 0) {
            fprintf(stderr, "connectctl groups: --delete-offsets takes --group G and one or more --topic "
                            "T[:P,...], nothing else\n");
            return false;
        }
        return true;
    }
    bool reset_flags = a->reset_to != RESET_NONE || a->n_topics || a->all_topics || dry_run || a->execute;
    if (a->op != GROUPS_RESET) {
        if (reset_flags) {
            fprintf(stderr, "connectctl groups: --topic, --all-topics, --to-*, --shift-by, --dry-run and --execute "
                            "only go with --reset-offsets (--topic also with --delete-offsets)\n");
            return false;
        }
        return true;
    }
    if (a->reset_to == RESET_NONE) {
        fprintf(stderr, "connectctl groups: --reset-offsets needs one of --to-earliest, --to-latest, --to-offset N, "
                        "--shift-by N, --to-datetime DATETIME, --by-duration DURATION, --to-current, "
                        "--from-file CSV\n");
        return false;
    }
    if (a->reset_to == RESET_FILE && (a->n_topics > 0 || a->all_topics)) {
        fprintf(stderr, "connectctl groups: --from-file names its partitions; leave out --topic and --all-topics\n");
        return false;
    }
    if (a->reset_to != RESET_FILE && (a->n_topics > 0) == a->all_topics) {
        fprintf(stderr, "connectctl groups: --reset-offsets needs --topic T[:P,...] or --all-topics (not both)\n");
        return false;
    }
    if (dry_run && a->execute) {
        fprintf(stderr, "connectctl groups: give only one of --dry-run and --execute\n");
        return false;
    }
    if (!dry_run && !a->execute) {
        fprintf(stderr, "connectctl: warning: no action is performed as --execute is missing (a dry run); "
                        "add --dry-run to say so, or --execute to reset\n");
    }
    return true;
}

enum { OPT_LIST = 1, OPT_DESCRIBE, OPT_RESET, OPT_DELETE, OPT_DELETE_OFFSETS, OPT_GROUP, OPT_TOPIC,
       OPT_ALL_TOPICS, OPT_TO_EARLIEST, OPT_TO_LATEST, OPT_TO_OFFSET, OPT_SHIFT_BY, OPT_TO_DATETIME, OPT_DRY_RUN,
       OPT_EXECUTE, OPT_BY_DURATION, OPT_TO_CURRENT, OPT_FROM_FILE, OPT_ALL_GROUPS, OPT_MEMBERS, OPT_STATE,
       OPT_OFFSETS, OPT_VERBOSE };

static const cliopt_t groups_opts[] = {
    {OPT_LIST, "--list", 0, NULL, "list the groups"},
    {OPT_DESCRIBE, "--describe", 0, NULL, "offsets, log-end offsets and lag of --group"},
    {OPT_RESET, "--reset-offsets", 0, NULL, "move the committed offsets of --group (a dry run unless --execute)"},
    {OPT_DELETE, "--delete", 0, NULL, "delete --group (it must be empty)"},
    {OPT_DELETE_OFFSETS, "--delete-offsets", 0, NULL, "delete the committed offsets of --group on --topic"},
    {OPT_GROUP, "--group", 0, "GROUP", "the group to act on"},
    {OPT_ALL_GROUPS, "--all-groups", 0, NULL, "--describe, --reset-offsets or --delete every group"},
    {OPT_OFFSETS, "--offsets", 0, NULL, "--describe: offsets and lag per partition (the default)"},
    {OPT_MEMBERS, "--members", 0, NULL, "--describe: the members and how many partitions each holds"},
    {OPT_VERBOSE, "--verbose", 0, NULL, "--members: with the partitions each member holds"},
    {OPT_STATE, "--state", 0, NULL, "--describe: coordinator, assignment strategy, state, member count"},
    {OPT_TOPIC, "--topic", 0, "T[:P,...]", "a topic, or some of its partitions (repeatable)"},
    {OPT_ALL_TOPICS, "--all-topics", 0, NULL, "every topic the group has offsets for"},
    {OPT_TO_EARLIEST, "--to-earliest", 0, NULL, "reset to the log start"},
    {OPT_TO_LATEST, "--to-latest", 0, NULL, "reset to the log end"},
    {OPT_TO_OFFSET, "--to-offset", 0, "N", "reset to offset N"},
    {OPT_SHIFT_BY, "--shift-by", 0, "N", "move the offsets by N (may be negative)"},
    {OPT_TO_DATETIME, "--to-datetime", 0, "DATETIME", "reset to the first record at or after YYYY-MM-DDTHH:mm:SS.sss"},
    {OPT_BY_DURATION, "--by-duration", 0, "DURATION", "reset to the first record at or after now minus PnDTnHnMnS"},
    {OPT_TO_CURRENT, "--to-current", 0, NULL, "reset to the committed offsets (the log end without one)"},
    {OPT_FROM_FILE, "--from-file", 0, "CSV", "reset to the offsets of topic,partition,offset lines"},
    {OPT_DRY_RUN, "--dry-run", 0, NULL, "show the new offsets only (the default)"},
    {OPT_EXECUTE, "--execute", 0, NULL, "commit the new offsets"},
    {0},
};

static const char groups_usage[] =
    "usage: connectctl groups --list | --describe --group G | --delete --group G\n"
    "                       | --reset-offsets --group G (--topic T[:P,...] | --all-topics)\n"
    "                           (--to-earliest | --to-latest | --to-offset N | --shift-by N\n"
    "                            | --to-datetime YYYY-MM-DDTHH:mm:SS.sss[Z|+hh:mm]) [--dry-run | --execute]\n"
    "                       | --delete-offsets --group G --topic T[:P,...] [--topic ...]\n"
    "\n"
    "Manages consumer groups, as kafka-consumer-groups.";

/* Returns -1 when the arguments are good, else the exit code. */
static int parse_args(int argc, char **argv, groups_args_t *a)
{
    cliopt_parser_t p;
    ctl_parser_init(&p, "groups", groups_usage, groups_opts, argc, argv);
    bool dry_run = false, offsets = false;
    const char *value;
    int id;
    while ((id = cliopt_next(&p, &value)) != CLIOPT_END) {
        bool ok = true;
        switch (id) {
        case OPT_LIST:
        case OPT_DESCRIBE:
        case OPT_RESET:
        case OPT_DELETE:
        case OPT_DELETE_OFFSETS:
            if (a->op != GROUPS_NONE) {
                fprintf(stderr, "connectctl groups: give only one of --list, --describe, --reset-offsets, "
                                "--delete, --delete-offsets\n");
                return CTL_EXIT_USAGE;
            }
            a->op = (groups_op_t)(GROUPS_LIST + (id - OPT_LIST));
            break;
        case OPT_TO_EARLIEST:
            ok = set_reset_to(a, RESET_EARLIEST);
            break;
        case OPT_TO_LATEST:
            ok = set_reset_to(a, RESET_LATEST);
            break;
        case OPT_DRY_RUN:
            dry_run = true;
            break;
        case OPT_EXECUTE:
            a->execute = true;
            break;
        case OPT_ALL_TOPICS:
            a->all_topics = true;
            break;
        case OPT_GROUP:
            a->group = value;
            break;
        case OPT_TOPIC:
            if (a->n_topics == GROUPS_MAX_TOPICS) {
                fprintf(stderr, "connectctl groups: at most %d --topic flags\n", GROUPS_MAX_TOPICS);
                return CTL_EXIT_USAGE;
            }
            a->topics[a->n_topics++] = value;
            break;
        case OPT_TO_OFFSET:
            ok = set_reset_to(a, RESET_OFFSET) && parse_int64("--to-offset", value, 0, &a->reset_value);
            break;
        case OPT_SHIFT_BY:
            ok = set_reset_to(a, RESET_SHIFT) && parse_int64("--shift-by", value, INT64_MIN, &a->reset_value);
            break;
        case OPT_TO_DATETIME:
            ok = set_reset_to(a, RESET_DATETIME);
            if (ok && !parse_datetime(value, &a->reset_value)) {
                fprintf(stderr, "connectctl groups: --to-datetime expects YYYY-MM-DDTHH:mm:SS.sss, optionally "
                                "with Z or +hh:mm (e.g. 2026-11-21T10:00:00.000Z), got '%s'\n", value);
                ok = false;
            }
            break;
        case OPT_BY_DURATION:
            ok = set_reset_to(a, RESET_DATETIME);
            if (ok && !parse_duration(value, &a->reset_value)) {
                fprintf(stderr, "connectctl groups: --by-duration expects an ISO-8601 duration PnDTnHnMnS (e.g. "
                                "PT30M, P1DT12H), got '%s'\n", value);
                ok = false;
            }
            if (ok) {
                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                a->reset_value = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - a->reset_value;
            }
            break;
        case OPT_TO_CURRENT:
            ok = set_reset_to(a, RESET_CURRENT);
            break;
        case OPT_ALL_GROUPS:
            a->all_groups = true;
            break;
        case OPT_OFFSETS:
            offsets = true;
            break;
        case OPT_MEMBERS:
            a->members = true;
            break;
        case OPT_VERBOSE:
            a->verbose = true;
            break;
        case OPT_STATE:
            a->state = true;
            break;
        case OPT_FROM_FILE:
            ok = set_reset_to(a, RESET_FILE);
            a->from_file = value;
            break;
        default: {
            int code = ctl_parse_other("groups", &a->common, id, value);
            if (code >= 0) {
                return code;
            }
        }
        }
        if (!ok) {
            return CTL_EXIT_USAGE;
        }
    }
    const char *error = NULL;
    if (offsets + a->members + a->state > 1) {
        error = "give only one of --offsets, --members, --state";
    } else if ((offsets || a->members || a->state) && a->op != GROUPS_DESCRIBE) {
        error = "--offsets, --members and --state go with --describe";
    } else if (a->verbose && !a->members) {
        error = "--verbose goes with --describe --members";
    } else if (a->all_groups && a->group) {
        error = "give only one of --group and --all-groups";
    } else if (a->all_groups && a->op != GROUPS_DESCRIBE && a->op != GROUPS_RESET && a->op != GROUPS_DELETE) {
        error = "--all-groups goes with --describe, --reset-offsets or --delete";
    }
    if (error) {
        fprintf(stderr, "connectctl groups: %s\n", error);
        return CTL_EXIT_USAGE;
    }
    return check_args(a, dry_run) ? -1 : CTL_EXIT_USAGE;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* --json of --list: every group with its state and member count (from
 * DescribeConsumerGroups, as ListGroups before v4 carries no state). */
static int list_json(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a, const char **ids, size_t n)
{
    rd_kafka_event_t *ev = NULL;
    size_t n_desc = 0;
    const rd_kafka_ConsumerGroupDescription_t **descs = NULL;
    if (n > 0) {
        rd_kafka_AdminOptions_t *opts = groups_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, a);
        rd_kafka_DescribeConsumerGroups(rk, ids, n, opts, q);
        rd_kafka_AdminOptions_destroy(opts);
        ev = ctl_admin_await(q, &a->common);
        if (!ev) {
            return CTL_EXIT_FAIL;
        }
        descs = rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev),
                                                              &n_desc);
    }
    printf("[");
    for (size_t i = 0; i < n_desc; i++) {
        const rd_kafka_ConsumerGroupDescription_t *d = descs[i];
        bool ok = !rd_kafka_ConsumerGroupDescription_error(d);
        printf("%s{\"group\":", i ? "," : "");
        ctl_json_string(rd_kafka_ConsumerGroupDescription_group_id(d));
        printf(",\"state\":");
        ctl_json_string(rd_kafka_consumer_group_state_name(ok ? rd_kafka_ConsumerGroupDescription_state(d)
                                                              : RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN));
        printf(",\"members\":%zu}", ok ? rd_kafka_ConsumerGroupDescription_member_count(d) : 0);
    }
    printf("]\n");
    if (ev) {
        rd_kafka_event_destroy(ev);
    }
    return 0;
}

/* The ids of every group, sorted, in *ids (freed by the caller; the
 * strings live until *evp is destroyed).  False after printing the error. */
static bool list_ids(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a, const char ***ids, size_t *n,
                     rd_kafka_event_t **evp)
{
    rd_kafka_AdminOptions_t *opts = groups_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, a);
    rd_kafka_ListConsumerGroups(rk, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    *evp = ctl_admin_await(q, &a->common);
    if (!*evp) {
        return false;
    }
    const rd_kafka_ListConsumerGroups_result_t *res = rd_kafka_event_ListConsumerGroups_result(*evp);
    size_t n_errors;
    const rd_kafka_ConsumerGroupListing_t **listings = rd_kafka_ListConsumerGroups_result_valid(res, n);
    const rd_kafka_error_t **errors = rd_kafka_ListConsumerGroups_result_errors(res, &n_errors);
    if (n_errors > 0) {
        /* One broker that cannot answer makes the list incomplete. */
        groups_fail(a, "listing", rd_kafka_error_code(errors[0]), rd_kafka_error_string(errors[0]));
        rd_kafka_event_destroy(*evp);
        return false;
    }
    *ids = malloc(sizeof(**ids) * (*n + 1));
    for (size_t i = 0; i < *n; i++) {
        (*ids)[i] = rd_kafka_ConsumerGroupListing_group_id(listings[i]);
    }
    if (*n > 1) {
        qsort(*ids, *n, sizeof(**ids), cmp_str);
    }
    return true;
}

static int do_list(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a)
{
    rd_kafka_event_t *ev;
    const char **ids;
    size_t n;
    if (!list_ids(rk, q, a, &ids, &n, &ev)) {
        return CTL_EXIT_FAIL;
    }
    int rc = 0;
    if (a->common.json) {
        rc = list_json(rk, q, a, ids, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            printf("%s\n", ids[i]);
        }
    }
    free(ids);
    rd_kafka_event_destroy(ev);
    return rc;
}

static int do_delete(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a)
{
    rd_kafka_DeleteGroup_t *dg = rd_kafka_DeleteGroup_new(a->group);
    rd_kafka_AdminOptions_t *opts = groups_options(rk, RD_KAFKA_ADMIN_OP_DELETEGROUPS, a);
    rd_kafka_DeleteGroups(rk, &dg, 1, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_DeleteGroup_destroy(dg);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    size_t n;
    const rd_kafka_group_result_t **res =
        rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &n);
    const rd_kafka_error_t *error = n == 1 ? rd_kafka_group_result_error(res[0]) : NULL;
    int rc = 0;
    if (n != 1) {
        rc = ctl_fail("unexpected answer deleting group '%s': %zu groups", a->group, n);
    } else if (error && rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP) {
        rc = ctl_fail("group '%s' is not empty: stop its consumers first", a->group);
    } else if (error) {
        rc = groups_fail(a, "deletion", rd_kafka_error_code(error), rd_kafka_error_string(error));
    } else if (a->common.json) {
        printf("{\"group\":");
        ctl_json_string(a->group);
        printf(",\"deleted\":true}\n");
    } else {
        printf("Deletion of requested consumer groups ('%s') was successful.\n", a->group);
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

/* --all-groups: the action on each group in turn, as Kafka's tool; the
 * exit code is the first failure's. */
static int all_groups(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a)
{
    rd_kafka_event_t *ev;
    const char **ids;
    size_t n;
    if (!list_ids(rk, q, a, &ids, &n, &ev)) {
        return CTL_EXIT_FAIL;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        groups_args_t one = *a;
        one.group = ids[i];
        int r = a->op == GROUPS_DESCRIBE ? groups_describe(rk, q, &one)
                : a->op == GROUPS_RESET  ? groups_reset(rk, q, &one)
                                         : do_delete(rk, q, &one);
        rc = rc ? rc : r;
    }
    free(ids);
    rd_kafka_event_destroy(ev);
    return rc;
}

int ctl_groups(int argc, char **argv)
{
    groups_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 10000}};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        return rc;
    }
    rc = CTL_EXIT_FAIL;
    rd_kafka_t *rk = ctl_admin_new(&a.common, &rc);
    if (rk && a.all_groups) {
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rc = all_groups(rk, q, &a);
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
    } else if (rk) {
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        switch (a.op) {
        case GROUPS_LIST:
            rc = do_list(rk, q, &a);
            break;
        case GROUPS_DESCRIBE:
            rc = groups_describe(rk, q, &a);
            break;
        case GROUPS_RESET:
            rc = groups_reset(rk, q, &a);
            break;
        case GROUPS_DELETE:
            rc = do_delete(rk, q, &a);
            break;
        case GROUPS_DELETE_OFFSETS:
            rc = groups_delete_offsets(rk, q, &a);
            break;
        case GROUPS_NONE:
            break;
        }
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
    }
    return rc;
}
