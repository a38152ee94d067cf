/*
 * ctl_groups_describe.c - `connectctl groups --describe --group G`, the
 * offsets view of kafka-consumer-groups.sh:
 *
 *   GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID
 *   billing         orders          0          5               8               3               rdkafka-1f0...  /127.0.0.1      rdkafka
 *   billing         orders          1          -               4               -               -               -               -
 *
 * One row per partition that is assigned to a member or has a committed
 * offset (and one with TOPIC "-" per member without partitions), sorted by
 * topic and partition; "-" marks what is unknown.  Three look-ups make it:
 * DescribeConsumerGroups (members and their assignments),
 * ListConsumerGroupOffsets (committed offsets) and the partitions' high
 * watermarks (log end offsets).  LAG = LOG-END-OFFSET - CURRENT-OFFSET.
 *
 * --members [--verbose] prints one line per member instead (GROUP,
 * CONSUMER-ID, HOST, CLIENT-ID, #PARTITIONS and with --verbose the
 * ASSIGNMENT, "t(0,1),u(2)"), and --state one line for the group (GROUP,
 * COORDINATOR (ID), ASSIGNMENT-STRATEGY, STATE, #MEMBERS), as Kafka.
 *
 * As in Kafka, a group without members is announced on stderr ("Consumer
 * group 'G' has no active members."), and so is a rebalance; a group that
 * does not exist is an error.  --json prints the rows as an array of
 * objects with numbers as numbers and null for unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_groups.h"

typedef struct describe_row {
    const char *topic; /* NULL for a member without partitions; borrowed */
    int32_t partition;
    int64_t current; /* committed offset, -1 when none */
    int64_t log_end; /* high watermark, -1 when unknown */
    const rd_kafka_MemberDescription_t *member; /* NULL: no member holds it */
} describe_row_t;

typedef struct describe_rows {
    describe_row_t *v;
    size_t n, cap;
} describe_rows_t;

static describe_row_t *rows_find(describe_rows_t *rows, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < rows->n; i++) {
        if (rows->v[i].topic && strcmp(rows->v[i].topic, topic) == 0 && rows->v[i].partition == partition) {
            return &rows->v[i];
        }
    }
    return NULL;
}

static void rows_add(describe_rows_t *rows, const char *topic, int32_t partition,
                     const rd_kafka_MemberDescription_t *member)
{
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? rows->cap * 2 : 16;
        rows->v = realloc(rows->v, rows->cap * sizeof(*rows->v));
    }
    rows->v[rows->n++] = (describe_row_t){topic, partition, -1, -1, member};
}

static int cmp_row(const void *x, const void *y)
{
    const describe_row_t *a = x, *b = y;
    if (!a->topic || !b->topic) {
        return (a->topic == NULL) - (b->topic == NULL);
    }
    int c = strcmp(a->topic, b->topic);
    return c ? c : (a->partition > b->partition) - (a->partition < b->partition);
}

/* Members' assignments first, then committed partitions nobody holds. */
static void rows_collect(describe_rows_t *rows, const rd_kafka_ConsumerGroupDescription_t *desc,
                         const rd_kafka_topic_partition_list_t *committed)
{
    size_t n_members = rd_kafka_ConsumerGroupDescription_member_count(desc);
    for (size_t m = 0; m < n_members; m++) {
        const rd_kafka_MemberDescription_t *member = rd_kafka_ConsumerGroupDescription_member(desc, m);
        const rd_kafka_MemberAssignment_t *asg = rd_kafka_MemberDescription_assignment(member);
        const rd_kafka_topic_partition_list_t *parts = asg ? rd_kafka_MemberAssignment_partitions(asg) : NULL;
        if (!parts || parts->cnt == 0) {
            rows_add(rows, NULL, -1, member);
        }
        for (int i = 0; parts && i < parts->cnt; i++) {
            rows_add(rows, parts->elems[i].topic, parts->elems[i].partition, member);
        }
    }
    for (int i = 0; i < committed->cnt; i++) {
        const rd_kafka_topic_partition_t *c = &committed->elems[i];
        describe_row_t *row = rows_find(rows, c->topic, c->partition);
        if (!row) {
            rows_add(rows, c->topic, c->partition, NULL);
            row = &rows->v[rows->n - 1];
        }
        row->current = c->offset;
    }
    if (rows->n > 1) {
        qsort(rows->v, rows->n, sizeof(*rows->v), cmp_row);
    }
}

static const char *num(char *buf, size_t size, int64_t v)
{
    if (v < 0) {
        return "-";
    }
    snprintf(buf, size, "%lld", (long long)v);
    return buf;
}

static size_t width(size_t w, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    return len > w ? len : w;
}

static const char *member_field(const describe_row_t *row, const char *(*get)(const rd_kafka_MemberDescription_t *))
{
    const char *s = row->member ? get(row->member) : NULL;
    return s && *s ? s : NULL;
}

static void print_table(const groups_args_t *a, const describe_rows_t *rows)
{
    size_t wg = width(15, a->group), wt = 15, wc = 15, wh = 15;
    for (size_t i = 0; i < rows->n; i++) {
        wt = width(wt, rows->v[i].topic);
        wc = width(wc, member_field(&rows->v[i], rd_kafka_MemberDescription_consumer_id));
        wh = width(wh, member_field(&rows->v[i], rd_kafka_MemberDescription_host));
    }
#define ROW_FMT "%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s\n"
    printf("\n");
    printf(ROW_FMT, (int)wg, "GROUP", (int)wt, "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
           (int)wc, "CONSUMER-ID", (int)wh, "HOST", "CLIENT-ID");
    for (size_t i = 0; i < rows->n; i++) {
        const describe_row_t *r = &rows->v[i];
        char part[16], cur[24], end[24], lag[24];
        const char *id = member_field(r, rd_kafka_MemberDescription_consumer_id);
        const char *host = member_field(r, rd_kafka_MemberDescription_host);
        const char *client = member_field(r, rd_kafka_MemberDescription_client_id);
        printf(ROW_FMT, (int)wg, a->group, (int)wt, r->topic ? r->topic : "-", num(part, sizeof(part), r->partition),
               num(cur, sizeof(cur), r->current), num(end, sizeof(end), r->log_end),
               num(lag, sizeof(lag), r->current >= 0 && r->log_end >= 0 ? r->log_end - r->current : -1),
               (int)wc, id ? id : "-", (int)wh, host ? host : "-", client ? client : "-");
    }
#undef ROW_FMT
}

static void json_number(const char *name, int64_t v)
{
    if (v < 0) {
        printf(",\"%s\":null", name);
    } else {
        printf(",\"%s\":%lld", name, (long long)v);
    }
}

static void json_field(const char *name, const char *s)
{
    printf(",\"%s\":", name);
    if (s) {
        ctl_json_string(s);
    } else {
        printf("null");
    }
}

static void print_json(const groups_args_t *a, const describe_rows_t *rows)
{
    printf("[");
    for (size_t i = 0; i < rows->n; i++) {
        const describe_row_t *r = &rows->v[i];
        printf("%s{\"group\":", i ? "," : "");
        ctl_json_string(a->group);
        json_field("topic", r->topic);
        json_number("partition", r->partition);
        json_number("current_offset", r->current);
        json_number("log_end_offset", r->log_end);
        json_number("lag", r->current >= 0 && r->log_end >= 0 ? r->log_end - r->current : -1);
        json_field("consumer_id", member_field(r, rd_kafka_MemberDescription_consumer_id));
        json_field("host", member_field(r, rd_kafka_MemberDescription_host));
        json_field("client_id", member_field(r, rd_kafka_MemberDescription_client_id));
        printf("}");
    }
    printf("]\n");
}

/* LOG-END-OFFSET of every row, in one lookup; left unknown (-1) if it fails. */
static void rows_log_ends(rd_kafka_t *rk, const groups_args_t *a, describe_rows_t *rows)
{
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new((int)rows->n + 1);
    for (size_t i = 0; i < rows->n; i++) {
        if (rows->v[i].topic) {
            rd_kafka_topic_partition_list_add(parts, rows->v[i].topic, rows->v[i].partition);
        }
    }
    rd_kafka_topic_partition_list_t *ends = groups_offsets_at(rk, a, parts, GROUPS_LATEST);
    for (int i = 0, r = 0; ends && i < ends->cnt; i++, r++) {
        while (!rows->v[r].topic) {
            r++; /* a member without partitions has no row in the lookup */
        }
        rows->v[r].log_end = ends->elems[i].offset;
    }
    if (ends) {
        rd_kafka_topic_partition_list_destroy(ends);
    }
    rd_kafka_topic_partition_list_destroy(parts);
}

/* --describe --state: kafka-consumer-groups' one line per group. */
static void print_state(const groups_args_t *a, const rd_kafka_ConsumerGroupDescription_t *desc)
{
    const rd_kafka_Node_t *node = rd_kafka_ConsumerGroupDescription_coordinator(desc);
    const char *assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(desc);
    const char *state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(desc));
    size_t members = rd_kafka_ConsumerGroupDescription_member_count(desc);
    char coordinator[300] = "-";
    if (node) {
        snprintf(coordinator, sizeof(coordinator), "%s:%u (%d)", rd_kafka_Node_host(node),
                 (unsigned)rd_kafka_Node_port(node), rd_kafka_Node_id(node));
    }
    if (!assignor || !*assignor) {
        assignor = NULL;
    }
    if (a->common.json) {
        printf("{\"group\":");
        ctl_json_string(a->group);
        printf(",\"coordinator\":");
        if (node) {
            printf("{\"id\":%d,\"host\":", rd_kafka_Node_id(node));
            ctl_json_string(rd_kafka_Node_host(node));
            printf(",\"port\":%u}", (unsigned)rd_kafka_Node_port(node));
        } else {
            printf("null");
        }
        json_field("assignment_strategy", assignor);
        printf(",\"state\":\"%s\",\"members\":%zu}\n", state, members);
        return;
    }
    int wg = (int)width(15, a->group), wc = (int)width(25, coordinator);
    printf("\n%-*s %-*s %-20s %-20s %s\n", wg, "GROUP", wc, "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE",
           "#MEMBERS");
    printf("%-*s %-*s %-20s %-20s %zu\n", wg, a->group, wc, coordinator, assignor ? assignor : "", state, members);
}

/* The "t(0,1),u(2)" of a member's assignment (--verbose), malloc'd; "-" for none. */
static char *assignment_text(const rd_kafka_topic_partition_list_t *parts)
{
    size_t cap = 64, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    for (int i = 0; parts && i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &parts->elems[i];
        bool same = i > 0 && strcmp(parts->elems[i - 1].topic, tp->topic) == 0;
        bool last = i + 1 == parts->cnt || strcmp(parts->elems[i + 1].topic, tp->topic) != 0;
        size_t need = strlen(tp->topic) + 16;
        if (len + need >= cap) {
            cap = (len + need) * 2;
            out = realloc(out, cap);
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%s%s%d%s", same || i == 0 ? "" : ",", same ? "" : tp->topic,
                                same ? "," : "(", (int)tp->partition, last ? ")" : "");
    }
    if (len == 0) {
        strcpy(out, "-");
    }
    return out;
}

/* --describe --members [--verbose]: one line per member. */
static void print_members(const groups_args_t *a, const rd_kafka_ConsumerGroupDescription_t *desc)
{
    size_t n = rd_kafka_ConsumerGroupDescription_member_count(desc);
    rd_kafka_topic_partition_list_t **parts = calloc(n + 1, sizeof(*parts));
    int wg = (int)width(15, a->group), wc = 15, wh = 15, wl = 15;
    for (size_t m = 0; m < n; m++) {
        const rd_kafka_MemberDescription_t *member = rd_kafka_ConsumerGroupDescription_member(desc, m);
        const rd_kafka_MemberAssignment_t *asg = rd_kafka_MemberDescription_assignment(member);
        parts[m] = asg ? rd_kafka_topic_partition_list_copy(rd_kafka_MemberAssignment_partitions(asg)) : NULL;
        if (parts[m]) {
            rd_kafka_topic_partition_list_sort(parts[m], NULL, NULL);
        }
        wc = (int)width((size_t)wc, rd_kafka_MemberDescription_consumer_id(member));
        wh = (int)width((size_t)wh, rd_kafka_MemberDescription_host(member));
        wl = (int)width((size_t)wl, rd_kafka_MemberDescription_client_id(member));
    }
    if (a->common.json) {
        printf("[");
    } else if (n > 0) {
        printf("\n%-*s %-*s %-*s %-*s %-12s%s\n", wg, "GROUP", wc, "CONSUMER-ID", wh, "HOST", wl, "CLIENT-ID",
               "#PARTITIONS", a->verbose ? " ASSIGNMENT" : "");
    }
    for (size_t m = 0; m < n; m++) {
        const rd_kafka_MemberDescription_t *member = rd_kafka_ConsumerGroupDescription_member(desc, m);
        int n_parts = parts[m] ? parts[m]->cnt : 0;
        if (a->common.json) {
            printf("%s{\"group\":", m ? "," : "");
            ctl_json_string(a->group);
            json_field("consumer_id", rd_kafka_MemberDescription_consumer_id(member));
            json_field("host", rd_kafka_MemberDescription_host(member));
            json_field("client_id", rd_kafka_MemberDescription_client_id(member));
            printf(",\"partitions\":%d,\"assignment\":[", n_parts);
            for (int i = 0; i < n_parts; i++) {
                printf("%s{\"topic\":", i ? "," : "");
                ctl_json_string(parts[m]->elems[i].topic);
                printf(",\"partition\":%d}", (int)parts[m]->elems[i].partition);
            }
            printf("]}");
        } else {
            char *assignment = a->verbose ? assignment_text(parts[m]) : NULL;
            printf("%-*s %-*s %-*s %-*s %-12d%s%s\n", wg, a->group, wc, rd_kafka_MemberDescription_consumer_id(member),
                   wh, rd_kafka_MemberDescription_host(member), wl, rd_kafka_MemberDescription_client_id(member),
                   n_parts, assignment ? " " : "", assignment ? assignment : "");
            free(assignment);
        }
        if (parts[m]) {
            rd_kafka_topic_partition_list_destroy(parts[m]);
        }
    }
    if (a->common.json) {
        printf("]\n");
    }
    free(parts);
}

int groups_describe(rd_kafka_t *rk, rd_kafka_queue_t *q, const groups_args_t *a)
{
    rd_kafka_event_t *ev;
    const rd_kafka_ConsumerGroupDescription_t *desc = groups_describe_one(rk, q, a, &ev);
    if (!desc) {
        return CTL_EXIT_FAIL;
    }
    rd_kafka_consumer_group_state_t state = rd_kafka_ConsumerGroupDescription_state(desc);
    if (state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD) {
        rd_kafka_event_destroy(ev);
        return groups_fail(a, "description", RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND, NULL);
    }
    if (a->state || a->members) {
        if (state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY && a->members) {
            fprintf(stderr, "\nConsumer group '%s' has no active members.\n", a->group);
        }
        if (a->state) {
            print_state(a, desc);
        } else {
            print_members(a, desc);
        }
        rd_kafka_event_destroy(ev);
        return 0;
    }
    rd_kafka_topic_partition_list_t *committed = groups_committed(rk, q, a);
    if (!committed) {
        rd_kafka_event_destroy(ev);
        return CTL_EXIT_FAIL;
    }
    describe_rows_t rows = {0};
    rows_collect(&rows, desc, committed);
    rows_log_ends(rk, a, &rows);
    if (state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY) {
        fprintf(stderr, "\nConsumer group '%s' has no active members.\n", a->group);
    } else if (state == RD_KAFKA_CONSUMER_GROUP_STATE_PREPARING_REBALANCE ||
               state == RD_KAFKA_CONSUMER_GROUP_STATE_COMPLETING_REBALANCE) {
        fprintf(stderr, "\nWarning: Consumer group '%s' is rebalancing.\n", a->group);
    }
    if (a->common.json) {
        print_json(a, &rows);
    } else if (rows.n > 0) {
        print_table(a, &rows);
    }
    free(rows.v);
    rd_kafka_topic_partition_list_destroy(committed);
    rd_kafka_event_destroy(ev);
    return 0;
}
