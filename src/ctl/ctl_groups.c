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

static bool set_reset_to(groups_args_t *a, groups_reset_to_t to)
{
    if (a->reset_to != RESET_NONE) {
        fprintf(stderr, "connectctl groups: give only one of --to-earliest, --to-latest, --to-offset, "
                        "--shift-by, --to-datetime\n");
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
    if (a->op != GROUPS_LIST && !a->group) {
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
                        "--shift-by N, --to-datetime DATETIME\n");
        return false;
    }
    if ((a->n_topics > 0) == a->all_topics) {
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

static bool parse_args(int argc, char **argv, groups_args_t *a)
{
    static const struct {
        const char *flag;
        groups_op_t op;
    } ops[] = {{"--list", GROUPS_LIST},
               {"--describe", GROUPS_DESCRIBE},
               {"--reset-offsets", GROUPS_RESET},
               {"--delete", GROUPS_DELETE},
               {"--delete-offsets", GROUPS_DELETE_OFFSETS}};
    bool dry_run = false;
    for (int i = 0; i < argc; i++) {
        bool matched = false;
        for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
            if (strcmp(argv[i], ops[k].flag) == 0) {
                if (a->op != GROUPS_NONE) {
                    fprintf(stderr, "connectctl groups: give only one of --list, --describe, --reset-offsets, "
                                    "--delete, --delete-offsets\n");
                    return false;
                }
                a->op = ops[k].op;
                matched = true;
            }
        }
        if (matched || ctl_common_flag(&a->common, argc, argv, &i)) {
            continue;
        }
        const char *flag = argv[i];
        if (strcmp(flag, "--to-earliest") == 0 || strcmp(flag, "--to-latest") == 0) {
            if (!set_reset_to(a, strcmp(flag, "--to-earliest") == 0 ? RESET_EARLIEST : RESET_LATEST)) {
                return false;
            }
            continue;
        }
        if (strcmp(flag, "--dry-run") == 0) {
            dry_run = true;
            continue;
        }
        if (strcmp(flag, "--execute") == 0) {
            a->execute = true;
            continue;
        }
        if (strcmp(flag, "--all-topics") == 0) {
            a->all_topics = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "connectctl groups: unknown flag or missing value: '%s'\n", flag);
            return false;
        }
        const char *value = argv[++i];
        if (strcmp(flag, "--group") == 0) {
            a->group = value;
        } else if (strcmp(flag, "--topic") == 0) {
            if (a->n_topics == GROUPS_MAX_TOPICS) {
                fprintf(stderr, "connectctl groups: at most %d --topic flags\n", GROUPS_MAX_TOPICS);
                return false;
            }
            a->topics[a->n_topics++] = value;
        } else if (strcmp(flag, "--to-offset") == 0) {
            if (!set_reset_to(a, RESET_OFFSET) || !parse_int64(flag, value, 0, &a->reset_value)) {
                return false;
            }
        } else if (strcmp(flag, "--shift-by") == 0) {
            if (!set_reset_to(a, RESET_SHIFT) || !parse_int64(flag, value, INT64_MIN, &a->reset_value)) {
                return false;
            }
        } else if (strcmp(flag, "--to-datetime") == 0) {
            if (!set_reset_to(a, RESET_DATETIME)) {
                return false;
            }
            if (!parse_datetime(value, &a->reset_value)) {
                fprintf(stderr, "connectctl groups: --to-datetime expects YYYY-MM-DDTHH:mm:SS.sss, optionally "
                                "with Z or +hh:mm (e.g. 2026-11-21T10:00:00.000Z), got '%s'\n", value);
                return false;
            }
        } else {
            fprintf(stderr, "connectctl groups: unknown flag '%s'\n", flag);
            return false;
        }
    }
    return check_args(a, dry_run);
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

static int do_list(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a)
{
    rd_kafka_AdminOptions_t *opts = groups_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, a);
    rd_kafka_ListConsumerGroups(rk, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_event_t *ev = ctl_admin_await(q, &a->common);
    if (!ev) {
        return CTL_EXIT_FAIL;
    }
    const rd_kafka_ListConsumerGroups_result_t *res = rd_kafka_event_ListConsumerGroups_result(ev);
    size_t n, n_errors;
    const rd_kafka_ConsumerGroupListing_t **listings = rd_kafka_ListConsumerGroups_result_valid(res, &n);
    const rd_kafka_error_t **errors = rd_kafka_ListConsumerGroups_result_errors(res, &n_errors);
    int rc = 0;
    if (n_errors > 0) {
        /* One broker that cannot answer makes the list incomplete. */
        rc = groups_fail(a, "listing", rd_kafka_error_code(errors[0]), rd_kafka_error_string(errors[0]));
    } else {
        const char **ids = malloc(sizeof(*ids) * (n + 1));
        for (size_t i = 0; i < n; i++) {
            ids[i] = rd_kafka_ConsumerGroupListing_group_id(listings[i]);
        }
        if (n > 1) {
            qsort(ids, n, sizeof(*ids), cmp_str);
        }
        if (a->common.json) {
            rc = list_json(rk, q, a, ids, n);
        } else {
            for (size_t i = 0; i < n; i++) {
                printf("%s\n", ids[i]);
            }
        }
        free(ids);
    }
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

int ctl_groups(int argc, char **argv)
{
    groups_args_t a = {.common = {.bootstrap = "localhost:9092", .timeout_ms = 10000}};
    if (!parse_args(argc, argv, &a)) {
        return CTL_EXIT_USAGE;
    }
    int rc = CTL_EXIT_FAIL;
    rd_kafka_t *rk = ctl_admin_new(&a.common, &rc);
    if (rk) {
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
