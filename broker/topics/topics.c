/*
 * topics.c - the topic registry and its on-disk metadata; see topics.h for
 * the layout and broker.h for the locks.
 */
#include "topics.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blog.h"
#include "clock.h"
#include "records/batch_recompress.h"
#include "records/records.h"
#include "storage/checkpoint.h"
#include "fsutil.h"
#include "xalloc.h"

#define META_DIR "__connectd_topics"
#define RECOVERY_CHECKPOINT "recovery-point-offset-checkpoint"
#define LOG_START_CHECKPOINT "log-start-offset-checkpoint"
/* Each partition's high watermark, as Kafka's ReplicaManager keeps it. */
#define HW_CHECKPOINT "replication-offset-checkpoint"
#define PRODUCER_ID_FILE "producer-id-block"
#define PRODUCER_ID_BLOCK 1000
#define LOCK_FILE ".lock"
/* Where new partitions are built before they are moved into place (topics.h).
 * '~' cannot be in a topic name, so this is never a topic or partition dir. */
#define STAGING_DIR "~creating"
/* Descriptors a partition may hold: its active segment's .log, and the
 * .index and .timeindex while entries are appended to them (segment.c). */
#define FDS_PER_PARTITION 3
/* Descriptors kept free for everything else: client connections, checkpoint
 * and metadata writes, segment rolls, the coordinator's log. */
#define FD_RESERVE 64

struct topics {
    pthread_rwlock_t lock;
    const broker_config_t *cfg;
    char **dirs;
    int n_dirs;
    int *lock_fds; /* per log dir: the open LOCK_FILE holding our flock, or -1 */
    topic_t **items;
    size_t count, cap;
    pthread_mutex_t pid_lock;
    pthread_mutex_t checkpoint_lock; /* one checkpoint writer at a time: they share temp files */
    int64_t next_pid;
    int64_t pid_block_end;
    checkpoint_t *hws; /* per log dir, the high watermarks read at start-up; NULL after */
};

/* ---- small helpers -------------------------------------------------------- */

bool topics_name_valid(kstr_t name, char *errstr, size_t errstr_size)
{
    if (name.len <= 0 || name.len > 249) {
        snprintf(errstr, errstr_size, "topic name must be 1 to 249 characters long");
        return false;
    }
    if (kstr_eq(name, ".") || kstr_eq(name, "..")) {
        snprintf(errstr, errstr_size, "topic name cannot be '.' or '..'");
        return false;
    }
    for (int32_t i = 0; i < name.len; i++) {
        char c = name.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            snprintf(errstr, errstr_size,
                     "topic name '%.*s' contains '%c'; legal characters are ASCII alphanumerics, "
                     "'.', '_' and '-'",
                     (int)name.len, name.ptr, c);
            return false;
        }
    }
    return true;
}

/* ---- partitions ----------------------------------------------------------- */

static void partition_on_batch(void *opaque, const batch_header_t *hdr)
{
    partition_t *part = opaque;
    producer_state_update(part->pstate, hdr, hdr->base_offset);
}

static void partition_dir_path(const topics_t *topics, int dir, const char *topic, int32_t index,
                               char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s-%d", topics->dirs[dir], topic, index);
}

/* Finds the log dir already holding this partition, or the least loaded;
 * `staged` (NULL, or one count per log dir) adds partitions being created. */
static int partition_pick_dir(const topics_t *topics, const char *topic, int32_t index,
                              const size_t *staged)
{
    int best = 0;
    size_t best_load = SIZE_MAX;
    for (int d = 0; d < topics->n_dirs; d++) {
        char path[4096];
        struct stat st;
        partition_dir_path(topics, d, topic, index, path, sizeof(path));
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            return d;
        }
        size_t load = staged ? staged[d] : 0;
        for (size_t t = 0; t < topics->count; t++) {
            for (int32_t p = 0; p < topics->items[t]->n_partitions; p++) {
                load += topics->items[t]->partitions[p]->dir == d;
            }
        }
        if (load < best_load) {
            best = d;
            best_load = load;
        }
    }
    return best;
}

static void partition_destroy(partition_t *part)
{
    if (!part) {
        return;
    }
    log_close(part->plog);
    producer_state_destroy(part->pstate);
    replica_state_free(&part->repl);
    pthread_mutex_destroy(&part->lock);
    free(part);
}

static partition_t *partition_new(topic_t *topic, int32_t index, int dir)
{
    partition_t *part = calloc(1, sizeof(*part));
    if (!part) {
        abort();
    }
    pthread_mutex_init(&part->lock, NULL);
    part->topic = topic;
    part->index = index;
    part->pstate = producer_state_create();
    part->dir = dir;
    part->last_flush_ms = clock_wall_ms();
    return part;
}

static partition_t *partition_open(topics_t *topics, topic_t *topic, int32_t index,
                                   const checkpoint_t *recovery, const checkpoint_t *starts,
                                   char *errstr, size_t errstr_size)
{
    partition_t *part = partition_new(topic, index, partition_pick_dir(topics, topic->name, index, NULL));
    char path[4096];
    partition_dir_path(topics, part->dir, topic->name, index, path, sizeof(path));
    int64_t recovery_point = recovery ? checkpoint_get(&recovery[part->dir], topic->name, index, 0) : 0;
    int64_t log_start = starts ? checkpoint_get(&starts[part->dir], topic->name, index, 0) : 0;
    part->plog = log_open(path, &topic->cfg.log, recovery_point, log_start, partition_on_batch, part,
                          errstr, errstr_size);
    if (!part->plog) {
        partition_destroy(part);
        return NULL;
    }
    int64_t hw = topics->hws ? checkpoint_get(&topics->hws[part->dir], topic->name, index, 0) : 0;
    replica_state_init(&part->repl, hw < log_end_offset(part->plog) ? hw : log_end_offset(part->plog));
    return part;
}

/* ---- topics --------------------------------------------------------------- */

static void topic_free(topic_t *topic)
{
    if (!topic) {
        return;
    }
    for (int32_t p = 0; p < topic->n_partitions; p++) {
        partition_destroy(topic->partitions[p]);
    }
    free(topic->partitions);
    for (size_t i = 0; i < topic->n_overrides; i++) {
        free(topic->overrides[i].key);
        free(topic->overrides[i].value);
    }
    free(topic->overrides);
    free(topic->name);
    free(topic);
}

static void topic_resolve_config(const topics_t *topics, topic_t *topic)
{
    topic_config_resolve(topics->cfg, topic->overrides, topic->n_overrides, &topic->cfg);
}

void topics_new_topic_id(kuuid_t *id)
{
    static const kuuid_t metadata_topic_id = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    static const kuuid_t zero;
    do {
        if (getrandom(id->b, sizeof(id->b), 0) != (ssize_t)sizeof(id->b)) {
            for (size_t i = 0; i < sizeof(id->b); i++) {
                id->b[i] = (uint8_t)rand();
            }
        }
    } while (memcmp(id, &zero, sizeof(*id)) == 0 || memcmp(id, &metadata_topic_id, sizeof(*id)) == 0 ||
             id->b[0] >> 2 == 62);
}

/* Parses the 32 hex digits of a topic.id= line; false for anything else or
 * an all-zero id. */
static bool topic_id_parse(const char *text, kuuid_t *id)
{
    if (strlen(text) != 2 * sizeof(id->b)) {
        return false;
    }
    bool nonzero = false;
    for (size_t i = 0; i < sizeof(id->b); i++) {
        unsigned byte;
        if (!isxdigit((unsigned char)text[2 * i]) || !isxdigit((unsigned char)text[2 * i + 1]) ||
            sscanf(text + 2 * i, "%2x", &byte) != 1) {
            return false;
        }
        id->b[i] = (uint8_t)byte;
        nonzero |= byte != 0;
    }
    return nonzero;
}

static topic_t *topic_new(const topics_t *topics, const char *name)
{
    topic_t *topic = calloc(1, sizeof(*topic));
    if (!topic) {
        abort();
    }
    topic->name = xstrdup(name);
    topics_new_topic_id(&topic->id);
    /* Kafka's Topic.isInternal: its own two, not every "__" name (Debezium's
     * heartbeats go to __debezium-heartbeat.<prefix>). */
    topic->internal = strcmp(name, "__consumer_offsets") == 0 || strcmp(name, "__transaction_state") == 0;
    return topic;
}

static void topic_add_override(topic_t *topic, const char *key, const char *value)
{
    topic_config_kv_t *kv = realloc(topic->overrides, (topic->n_overrides + 1) * sizeof(*kv));
    if (!kv) {
        abort();
    }
    topic->overrides = kv;
    kv[topic->n_overrides].key = xstrdup(key);
    kv[topic->n_overrides].value = xstrdup(value);
    topic->n_overrides++;
}

/* Grows the partition array to `count`, opening each new partition's log. */
static bool topic_open_partitions(topics_t *topics, topic_t *topic, int32_t count,
                                  const checkpoint_t *recovery, const checkpoint_t *starts,
                                  char *errstr, size_t errstr_size)
{
    partition_t **parts = realloc(topic->partitions, (size_t)count * sizeof(*parts));
    if (!parts) {
        abort();
    }
    topic->partitions = parts;
    for (int32_t p = topic->n_partitions; p < count; p++) {
        partition_t *part = partition_open(topics, topic, p, recovery, starts, errstr, errstr_size);
        if (!part) {
            return false;
        }
        topic->partitions[p] = part;
        topic->n_partitions = p + 1;
    }
    return true;
}

static int topic_write_meta(const topics_t *topics, const topic_t *topic, int32_t n_partitions)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/" META_DIR, topics->dirs[0]);
    if (fs_mkdir_p(dir) < 0) {
        return -1;
    }
    size_t cap = 128 + strlen(topic->name);
    for (size_t i = 0; i < topic->n_overrides; i++) {
        cap += strlen(topic->overrides[i].key) + strlen(topic->overrides[i].value) + 2;
    }
    char *text = malloc(cap);
    if (!text) {
        abort();
    }
    size_t len = (size_t)snprintf(text, cap, "partitions=%d\ntopic.id=", n_partitions);
    for (size_t i = 0; i < sizeof(topic->id.b); i++) {
        len += (size_t)snprintf(text + len, cap - len, "%02x", topic->id.b[i]);
    }
    text[len++] = '\n';
    text[len] = '\0';
    for (size_t i = 0; i < topic->n_overrides; i++) {
        len += (size_t)snprintf(text + len, cap - len, "%s=%s\n", topic->overrides[i].key,
                                topic->overrides[i].value);
    }
    char name[300];
    snprintf(name, sizeof(name), "%s.properties", topic->name);
    int rc = fs_write_atomic(dir, name, text, strlen(text));
    free(text);
    return rc;
}

/* ---- creating partitions ------------------------------------------------- */

/*
 * Refuses to create `n_new` partitions when the descriptors they may hold
 * would not fit under RLIMIT_NOFILE, counting what is open now and keeping
 * FD_RESERVE free.  Without this a large CreateTopics ran out of descriptors
 * half-way, and every connection and segment roll after it failed too.
 * When the numbers cannot be read (no /proc) the create is let through:
 * topic_grow still undoes a create that fails.
 */
static bool fd_budget_allows(int32_t n_new, char *errstr, size_t errstr_size)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY) {
        return true;
    }
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) {
        return true;
    }
    long open_fds = 0;
    struct dirent *ent;
    while ((ent = readdir(dir))) {
        open_fds += ent->d_name[0] != '.';
    }
    closedir(dir);
    long limit = lim.rlim_cur > (rlim_t)LONG_MAX ? LONG_MAX : (long)lim.rlim_cur;
    long room = limit - open_fds - FD_RESERVE;
    long needed = (long)n_new * FDS_PER_PARTITION;
    if (needed <= room) {
        return true;
    }
    snprintf(errstr, errstr_size,
             "%d partitions need up to %ld file descriptors, but the broker's limit of %ld open files "
             "leaves room for %ld (%ld open, %d kept free for connections), enough for %ld partitions; "
             "create fewer partitions or raise the limit (ulimit -n / LimitNOFILE) and restart the broker",
             n_new, needed, limit, room < 0 ? 0 : room, open_fds, FD_RESERVE,
             room < 0 ? 0 : room / FDS_PER_PARTITION);
    return false;
}

static void staging_path(const topics_t *topics, int dir, const char *topic, int32_t index, char *buf,
                         size_t size)
{
    snprintf(buf, size, "%s/" STAGING_DIR "/%s-%d", topics->dirs[dir], topic, index);
}

/*
 * Grows `topic` to `count` partitions all or nothing.  Each new partition's
 * log is built in <log.dir>/~creating/<topic>-<p>; only when every one is
 * built is the metadata file written (the commit point: from then on a
 * restart recreates any partition not yet in place) and each directory
 * renamed to <log.dir>/<topic>-<p>.  On any failure what was built or moved
 * is removed and the metadata restored, so neither a restart nor the
 * directory scan that adopts partition dirs brings the partitions back.  A
 * crash before the commit leaves only staging dirs, which topics_open removes.
 * Caller holds the registry write lock (or runs alone at start-up).
 */
static bool topic_grow(topics_t *topics, topic_t *topic, int32_t count, char *errstr, size_t errstr_size)
{
    int32_t first = topic->n_partitions, n = count - first, built = 0, moved = 0;
    partition_t **staged = calloc((size_t)n, sizeof(*staged));
    size_t *load = calloc((size_t)topics->n_dirs, sizeof(*load));
    if (!staged || !load) {
        abort();
    }
    char path[4096], tmp[4400];
    for (int d = 0; d < topics->n_dirs; d++) {
        snprintf(tmp, sizeof(tmp), "%s/" STAGING_DIR, topics->dirs[d]);
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
            snprintf(errstr, errstr_size, "cannot create %s: %s; check that log.dirs is writable", tmp,
                     strerror(errno));
            goto fail;
        }
    }
    for (; built < n; built++) {
        int32_t p = first + built;
        int d = partition_pick_dir(topics, topic->name, p, load);
        partition_t *part = partition_new(topic, p, d);
        staging_path(topics, d, topic->name, p, tmp, sizeof(tmp));
        part->plog = log_open(tmp, &topic->cfg.log, 0, 0, partition_on_batch, part, errstr, errstr_size);
        if (!part->plog) {
            partition_destroy(part);
            goto fail;
        }
        staged[built] = part;
        load[d]++;
    }
    if (topic_write_meta(topics, topic, count) < 0) {
        snprintf(errstr, errstr_size, "cannot write metadata of topic %s in %s: %s", topic->name,
                 topics->dirs[0], strerror(errno));
        goto fail_meta;
    }
    for (; moved < n; moved++) {
        partition_t *part = staged[moved];
        partition_dir_path(topics, part->dir, topic->name, part->index, path, sizeof(path));
        if (!log_move(part->plog, path, errstr, errstr_size)) {
            goto fail_meta;
        }
    }
    partition_t **parts = realloc(topic->partitions, (size_t)count * sizeof(*parts));
    if (!parts) {
        abort();
    }
    memcpy(parts + first, staged, (size_t)n * sizeof(*parts));
    topic->partitions = parts;
    topic->n_partitions = count;
    free(staged);
    free(load);
    for (int d = 0; d < topics->n_dirs; d++) {
        snprintf(tmp, sizeof(tmp), "%s/" STAGING_DIR, topics->dirs[d]);
        rmdir(tmp);
    }
    return true;

fail_meta:
    if (first == 0) {
        snprintf(tmp, sizeof(tmp), "%s/" META_DIR "/%s.properties", topics->dirs[0], topic->name);
        unlink(tmp);
    } else {
        topic_write_meta(topics, topic, first);
    }
fail:
    for (int32_t i = 0; i < built; i++) {
        partition_t *part = staged[i];
        if (i < moved) {
            partition_dir_path(topics, part->dir, topic->name, part->index, tmp, sizeof(tmp));
        } else {
            staging_path(topics, part->dir, topic->name, part->index, tmp, sizeof(tmp));
        }
        partition_destroy(part);
        if (fs_rm_rf(tmp) < 0) {
            blog_error("cannot remove %s: %s; delete it by hand", tmp, strerror(errno));
        }
    }
    if (built < n) {
        /* log_open may have made the directory before it failed. */
        int32_t p = first + built;
        for (int d = 0; d < topics->n_dirs; d++) {
            staging_path(topics, d, topic->name, p, tmp, sizeof(tmp));
            fs_rm_rf(tmp);
        }
    }
    for (int d = 0; d < topics->n_dirs; d++) {
        snprintf(tmp, sizeof(tmp), "%s/" STAGING_DIR, topics->dirs[d]);
        rmdir(tmp);
    }
    free(staged);
    free(load);
    return false;
}

static void registry_append(topics_t *topics, topic_t *topic)
{
    if (topics->count == topics->cap) {
        topics->cap = topics->cap ? topics->cap * 2 : 16;
        topic_t **items = realloc(topics->items, topics->cap * sizeof(*items));
        if (!items) {
            abort();
        }
        topics->items = items;
    }
    topics->items[topics->count++] = topic;
}

static topic_t *registry_find(const topics_t *topics, kstr_t name)
{
    /* A linear scan: a single node has tens of topics, not thousands, and
     * this keeps the registry trivially consistent under the rwlock. */
    for (size_t i = 0; i < topics->count; i++) {
        if (kstr_eq(name, topics->items[i]->name)) {
            return topics->items[i];
        }
    }
    return NULL;
}

/* ---- loading -------------------------------------------------------------- */

/*
 * Parses one "<topic>.properties" metadata file: partitions=N plus overrides.
 * The file is input like any other: a name that is not a legal topic or a
 * partition count that is not a number in range stops start-up with a
 * message naming the file, rather than creating a broken topic.  Returns
 * NULL with errstr set in that case (or if the file cannot be read).
 */
static topic_t *topic_load_meta(topics_t *topics, const char *dir, const char *file,
                                int32_t *n_partitions, bool *has_id, char *errstr, size_t errstr_size)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - strlen(".properties")), file);
    kstr_t kname = {name, (int32_t)strlen(name)};
    char why[256];
    if (!topics_name_valid(kname, why, sizeof(why))) {
        snprintf(errstr, errstr_size, "%s: %s; remove or rename the file", path, why);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    topic_t *topic = topic_new(topics, name);
    *n_partitions = -1;
    *has_id = false;
    char line[8192];
    int lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq || line[0] == '#') {
            continue;
        }
        *eq = '\0';
        if (strcmp(line, "partitions") == 0) {
            char *end;
            long n = strtol(eq + 1, &end, 10);
            *n_partitions = *end == '\0' && n >= 1 && n <= 100000 ? (int32_t)n : 0;
            if (*n_partitions == 0) {
                snprintf(errstr, errstr_size, "%s: line %d: partitions must be a number from 1 to 100000, got '%s'",
                         path, lineno, eq + 1);
                break;
            }
        } else if (strcmp(line, "topic.id") == 0) {
            *has_id = topic_id_parse(eq + 1, &topic->id);
            if (!*has_id) {
                snprintf(errstr, errstr_size, "%s: line %d: topic.id must be 32 hex digits, not all zero, got '%s'",
                         path, lineno, eq + 1);
                *n_partitions = 0;
                break;
            }
        } else if (!topic_config_validate(line, eq + 1, why, sizeof(why))) {
            blog_warn("%s: ignoring topic config %s: %s", path, line, why);
        } else {
            topic_add_override(topic, line, eq + 1);
        }
    }
    fclose(f);
    if (*n_partitions == -1) {
        snprintf(errstr, errstr_size, "%s: no partitions= line", path);
    }
    if (*n_partitions <= 0) {
        topic_free(topic);
        return NULL;
    }
    topic_resolve_config(topics, topic);
    return topic;
}

/* Splits "<topic>-<n>" into its parts; false for anything else. */
static bool parse_partition_dir(const char *entry, char *topic, size_t topic_size, int32_t *index)
{
    const char *dash = strrchr(entry, '-');
    if (!dash || dash == entry || !dash[1] || (size_t)(dash - entry) >= topic_size) {
        return false;
    }
    char *end;
    long n = strtol(dash + 1, &end, 10);
    if (*end || n < 0 || n > INT32_MAX) {
        return false;
    }
    memcpy(topic, entry, (size_t)(dash - entry));
    topic[dash - entry] = '\0';
    *index = (int32_t)n;
    kstr_t k = {topic, (int32_t)strlen(topic)};
    char err[256];
    return topics_name_valid(k, err, sizeof(err));
}

/* Removes "*.deleting" and "~creating" leftovers and adopts partition dirs of unknown topics. */
static void scan_log_dir(topics_t *topics, int d, int32_t **adopt_counts)
{
    DIR *dir = opendir(topics->dirs[d]);
    if (!dir) {
        return;
    }
    struct dirent *ent;
    while ((ent = readdir(dir))) {
        if (strcmp(ent->d_name, STAGING_DIR) == 0) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", topics->dirs[d], ent->d_name);
            blog_info("removing %s: partitions of a topic creation that did not finish", path);
            if (fs_rm_rf(path) < 0) {
                blog_error("cannot remove %s: %s; delete it by hand", path, strerror(errno));
            }
            continue;
        }
        const char *suffix = strstr(ent->d_name, ".deleting");
        if (suffix && suffix[strlen(".deleting")] == '\0') {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", topics->dirs[d], ent->d_name);
            fs_rm_rf(path);
            continue;
        }
        char name[256];
        int32_t index;
        /* A cluster node's metadata quorum keeps its raft log there
         * (quorum/quorum.h): no partition, as Kafka's log manager skips it. */
        if (strcmp(ent->d_name, "__cluster_metadata-0") == 0 ||
            !parse_partition_dir(ent->d_name, name, sizeof(name), &index)) {
            continue;
        }
        kstr_t k = {name, (int32_t)strlen(name)};
        topic_t *topic = registry_find(topics, k);
        if (!topic) {
            topic = topic_new(topics, name);
            topic_resolve_config(topics, topic);
            registry_append(topics, topic);
            *adopt_counts = realloc(*adopt_counts, topics->count * sizeof(int32_t));
            (*adopt_counts)[topics->count - 1] = 0;
            blog_info("adopting partition directories of topic %s found in %s", name,
                      topics->dirs[d]);
        }
        size_t t = 0;
        while (topics->items[t] != topic) {
            t++;
        }
        if ((*adopt_counts)[t] >= 0 && index + 1 > (*adopt_counts)[t]) {
            (*adopt_counts)[t] = index + 1;
        }
    }
    closedir(dir);
}

static bool load_all(topics_t *topics, checkpoint_t *recovery, checkpoint_t *starts, char *errstr,
                     size_t errstr_size)
{
    char meta[4096];
    snprintf(meta, sizeof(meta), "%s/" META_DIR, topics->dirs[0]);
    int32_t *counts = NULL;
    DIR *dir = opendir(meta);
    if (dir) {
        struct dirent *ent;
        while ((ent = readdir(dir))) {
            size_t len = strlen(ent->d_name);
            if (len <= strlen(".properties") ||
                strcmp(ent->d_name + len - strlen(".properties"), ".properties") != 0) {
                continue;
            }
            int32_t n;
            bool has_id;
            topic_t *topic = topic_load_meta(topics, meta, ent->d_name, &n, &has_id, errstr, errstr_size);
            if (!topic) {
                closedir(dir);
                free(counts);
                return false;
            }
            registry_append(topics, topic);
            counts = realloc(counts, topics->count * sizeof(int32_t));
            counts[topics->count - 1] = -n - 1; /* negative: from metadata, fixed */
            if (!has_id) {
                /* A file from before topic ids: keep the id just made. */
                topic_write_meta(topics, topic, n);
            }
        }
        closedir(dir);
    }
    for (int d = 0; d < topics->n_dirs; d++) {
        scan_log_dir(topics, d, &counts);
    }
    bool ok = true;
    for (size_t t = 0; t < topics->count && ok; t++) {
        topic_t *topic = topics->items[t];
        int32_t n = counts[t] < 0 ? -counts[t] - 1 : counts[t];
        ok = topic_open_partitions(topics, topic, n, recovery, starts, errstr, errstr_size);
        if (ok && counts[t] >= 0) {
            topic_write_meta(topics, topic, n);
        }
    }
    free(counts);
    return ok;
}

/* Takes the exclusive lock on <dir>/.lock that Kafka's LogManager takes, so a
 * second broker (another process, or a second broker in this one) pointed at
 * the same directory is refused instead of writing the same segments.  The
 * lock is flock(2): the kernel drops it when the descriptor closes, so a
 * killed broker never leaves a stale lock behind.  Returns the descriptor,
 * held until topics_close, or -1 with errstr set. */
static int log_dir_lock(const char *dir, char *errstr, size_t errstr_size)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/" LOCK_FILE, dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "cannot open lock file %s: %s; check that log.dirs is writable", path,
                 strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK) {
            snprintf(errstr, errstr_size,
                     "failed to acquire lock on file " LOCK_FILE " in %s: another process (or another broker "
                     "in this process) is using this directory; stop it or choose another log.dirs",
                     dir);
        } else {
            snprintf(errstr, errstr_size, "cannot lock %s: %s", path, strerror(err));
        }
        return -1;
    }
    return fd;
}

static char **split_dirs(const char *list, int *n)
{
    char **dirs = NULL;
    *n = 0;
    char *copy = xstrdup(list);
    for (char *save, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        if (!*tok) {
            continue;
        }
        dirs = realloc(dirs, (size_t)(*n + 1) * sizeof(char *));
        dirs[(*n)++] = xstrdup(tok);
    }
    free(copy);
    return dirs;
}

topics_t *topics_open(const broker_config_t *cfg, char *errstr, size_t errstr_size)
{
    topics_t *topics = calloc(1, sizeof(*topics));
    if (!topics) {
        abort();
    }
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* Writers (topic creation) must not starve behind a stream of produces. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&topics->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    pthread_mutex_init(&topics->pid_lock, NULL);
    pthread_mutex_init(&topics->checkpoint_lock, NULL);
    topics->cfg = cfg;
    topics->dirs = split_dirs(cfg->log_dirs, &topics->n_dirs);
    if (topics->n_dirs == 0) {
        snprintf(errstr, errstr_size, "log.dirs is empty: name at least one directory");
        topics_close(topics);
        return NULL;
    }
    topics->lock_fds = xmalloc((size_t)topics->n_dirs * sizeof(int));
    for (int d = 0; d < topics->n_dirs; d++) {
        topics->lock_fds[d] = -1;
    }
    checkpoint_t *recovery = calloc((size_t)topics->n_dirs, sizeof(checkpoint_t));
    checkpoint_t *starts = calloc((size_t)topics->n_dirs, sizeof(checkpoint_t));
    topics->hws = xcalloc((size_t)topics->n_dirs, sizeof(checkpoint_t));
    bool ok = true;
    for (int d = 0; d < topics->n_dirs && ok; d++) {
        if (fs_mkdir_p(topics->dirs[d]) < 0 || access(topics->dirs[d], W_OK) < 0) {
            snprintf(errstr, errstr_size, "log dir %s is not usable: %s (check log.dirs)",
                     topics->dirs[d], strerror(errno));
            ok = false;
            break;
        }
        /* Locked before anything in the dir is read, so recovery never runs
         * under a broker that is still writing. */
        topics->lock_fds[d] = log_dir_lock(topics->dirs[d], errstr, errstr_size);
        if (topics->lock_fds[d] < 0) {
            ok = false;
            break;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/" RECOVERY_CHECKPOINT, topics->dirs[d]);
        ok = checkpoint_read(path, &recovery[d], errstr, errstr_size) == 0;
        snprintf(path, sizeof(path), "%s/" LOG_START_CHECKPOINT, topics->dirs[d]);
        ok = ok && checkpoint_read(path, &starts[d], errstr, errstr_size) == 0;
        snprintf(path, sizeof(path), "%s/" HW_CHECKPOINT, topics->dirs[d]);
        ok = ok && checkpoint_read(path, &topics->hws[d], errstr, errstr_size) == 0;
    }
    ok = ok && load_all(topics, recovery, starts, errstr, errstr_size);
    for (int d = 0; d < topics->n_dirs; d++) {
        checkpoint_free(&recovery[d]);
        checkpoint_free(&starts[d]);
        checkpoint_free(&topics->hws[d]);
    }
    free(recovery);
    free(starts);
    free(topics->hws);
    topics->hws = NULL;
    if (!ok) {
        topics_close(topics);
        return NULL;
    }
    return topics;
}

/* ---- checkpoints ---------------------------------------------------------- */

/* Writes the checkpoint files of every log dir.  Caller holds the registry
 * lock (either mode), or no other thread runs (topics_close); takes the
 * checkpoint lock, and partition locks one at a time under it. */
static void write_checkpoints(topics_t *topics)
{
    pthread_mutex_lock(&topics->checkpoint_lock);
    for (int d = 0; d < topics->n_dirs; d++) {
        checkpoint_t recovery = {0}, starts = {0}, hws = {0};
        for (size_t t = 0; t < topics->count; t++) {
            topic_t *topic = topics->items[t];
            for (int32_t p = 0; p < topic->n_partitions; p++) {
                partition_t *part = topic->partitions[p];
                if (part->dir != d) {
                    continue;
                }
                pthread_mutex_lock(&part->lock);
                checkpoint_add(&recovery, topic->name, p, log_recovery_point(part->plog));
                checkpoint_add(&starts, topic->name, p, log_start_offset(part->plog));
                checkpoint_add(&hws, topic->name, p,
                               replica_state_high_watermark(&part->repl, log_end_offset(part->plog)));
                pthread_mutex_unlock(&part->lock);
            }
        }
        char path[4096], err[512];
        snprintf(path, sizeof(path), "%s/" RECOVERY_CHECKPOINT, topics->dirs[d]);
        if (checkpoint_write(path, &recovery, err, sizeof(err)) < 0) {
            blog_error("%s", err);
        }
        snprintf(path, sizeof(path), "%s/" LOG_START_CHECKPOINT, topics->dirs[d]);
        if (checkpoint_write(path, &starts, err, sizeof(err)) < 0) {
            blog_error("%s", err);
        }
        snprintf(path, sizeof(path), "%s/" HW_CHECKPOINT, topics->dirs[d]);
        if (checkpoint_write(path, &hws, err, sizeof(err)) < 0) {
            blog_error("%s", err);
        }
        checkpoint_free(&recovery);
        checkpoint_free(&starts);
        checkpoint_free(&hws);
    }
    pthread_mutex_unlock(&topics->checkpoint_lock);
}

void topics_close(topics_t *topics)
{
    if (!topics) {
        return;
    }
    for (size_t t = 0; t < topics->count; t++) {
        topic_t *topic = topics->items[t];
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            if (log_flush(topic->partitions[p]->plog) != KERR_NONE) {
                blog_error("flushing %s-%d at shutdown failed", topic->name, p);
            }
        }
    }
    if (topics->n_dirs > 0 && topics->count > 0) {
        write_checkpoints(topics);
    }
    for (size_t t = 0; t < topics->count; t++) {
        topic_free(topics->items[t]);
    }
    free(topics->items);
    for (int d = 0; d < topics->n_dirs; d++) {
        if (topics->lock_fds && topics->lock_fds[d] >= 0) {
            close(topics->lock_fds[d]); /* last: releases the dir once everything in it is written */
        }
        free(topics->dirs[d]);
    }
    free(topics->lock_fds);
    free(topics->dirs);
    pthread_rwlock_destroy(&topics->lock);
    pthread_mutex_destroy(&topics->pid_lock);
    pthread_mutex_destroy(&topics->checkpoint_lock);
    free(topics);
}

/* ---- queries -------------------------------------------------------------- */

void topics_read_lock(topics_t *topics)
{
    pthread_rwlock_rdlock(&topics->lock);
}

void topics_read_unlock(topics_t *topics)
{
    pthread_rwlock_unlock(&topics->lock);
}

topic_t *topics_find(topics_t *topics, kstr_t name)
{
    return registry_find(topics, name);
}

size_t topics_count(topics_t *topics)
{
    return topics->count;
}

topic_t *topics_at(topics_t *topics, size_t i)
{
    return topics->items[i];
}

topic_t *topics_find_by_id(topics_t *topics, const kuuid_t *id)
{
    for (size_t t = 0; t < topics->count; t++) {
        if (memcmp(&topics->items[t]->id, id, sizeof(*id)) == 0) {
            return topics->items[t];
        }
    }
    return NULL;
}

partition_t *topic_partition(topic_t *topic, int32_t index)
{
    return index >= 0 && index < topic->n_partitions ? topic->partitions[index] : NULL;
}

kerr_t topic_batch_recompress(const topic_t *topic, const uint8_t *batch, size_t len, const batch_header_t *hdr,
                              buf_writer_t *out, char *errstr, size_t errstr_size)
{
    int level;
    int codec = topic_config_codec(&topic->cfg, &level);
    if (codec < 0 || codec == (hdr->attributes & BATCH_ATTR_CODEC_MASK)) {
        return KERR_NONE;
    }
    buf_writer_init(out, len);
    kerr_t err = batch_recompress(batch, len, codec, level, out, errstr, errstr_size);
    if (err == KERR_NONE && out->len > (size_t)topic->cfg.max_message_bytes) {
        /* Kafka checks the size again after rewriting: a batch that fit
         * compressed may not fit recompressed (or uncompressed). */
        snprintf(errstr, errstr_size, "batch of %zu bytes as stored with compression.type exceeds "
                 "max.message.bytes %d", out->len, topic->cfg.max_message_bytes);
        err = KERR_MESSAGE_TOO_LARGE;
    }
    if (err != KERR_NONE) {
        out->len = 0;
    }
    return err;
}

/* A record whose timestamp is too far from the broker's clock, looked for
 * by topic_batch_timestamps. */
typedef struct timestamp_check {
    int64_t now_ms;
    int64_t max_diff_ms;
    int64_t found; /* its timestamp */
    bool out_of_range;
} timestamp_check_t;

static int timestamp_out_of_range(void *opaque, const record_t *rec)
{
    timestamp_check_t *tc = opaque;
    /* Kafka lets a record without a timestamp (-1) pass.  The distance is
     * taken unsigned: a hostile timestamp cannot overflow it. */
    uint64_t diff = rec->timestamp >= tc->now_ms ? (uint64_t)rec->timestamp - (uint64_t)tc->now_ms
                                                 : (uint64_t)tc->now_ms - (uint64_t)rec->timestamp;
    if (rec->timestamp != -1 && diff > (uint64_t)tc->max_diff_ms) {
        tc->found = rec->timestamp;
        tc->out_of_range = true;
        return 1;
    }
    return 0;
}

kerr_t topic_batch_timestamps(const topic_t *topic, uint8_t *batch, size_t len, int64_t now_ms,
                              int64_t *log_append_time, char *errstr, size_t errstr_size)
{
    *log_append_time = -1;
    if (topic->cfg.message_timestamp_type == TOPIC_TIMESTAMP_LOG_APPEND_TIME) {
        batch_set_log_append_time(batch, len, now_ms);
        *log_append_time = now_ms;
        return KERR_NONE;
    }
    if (topic->cfg.message_timestamp_difference_max_ms == INT64_MAX) {
        return KERR_NONE; /* Kafka's default: no record is looked at */
    }
    timestamp_check_t tc = {.now_ms = now_ms, .max_diff_ms = topic->cfg.message_timestamp_difference_max_ms};
    kerr_t err = records_foreach(batch, len, timestamp_out_of_range, &tc);
    if (err != KERR_NONE) {
        snprintf(errstr, errstr_size, "the records of the batch do not parse (%s)", kerr_name(err));
        return err;
    }
    if (tc.out_of_range) {
        snprintf(errstr, errstr_size, "timestamp %lld of a record is more than message.timestamp.difference.max.ms "
                 "%lld from the broker's clock (%lld)", (long long)tc.found,
                 (long long)topic->cfg.message_timestamp_difference_max_ms, (long long)now_ms);
        return KERR_INVALID_TIMESTAMP;
    }
    return KERR_NONE;
}

/* ---- changes -------------------------------------------------------------- */

kerr_t topics_create(topics_t *topics, kstr_t name, int32_t n_partitions,
                     const topic_config_kv_t *overrides, size_t n_overrides, bool validate_only,
                     char *errstr, size_t errstr_size)
{
    return topics_create_as(topics, name, NULL, n_partitions, overrides, n_overrides, validate_only, errstr,
                            errstr_size);
}

kerr_t topics_create_as(topics_t *topics, kstr_t name, const kuuid_t *id, int32_t n_partitions,
                        const topic_config_kv_t *overrides, size_t n_overrides, bool validate_only, char *errstr,
                        size_t errstr_size)
{
    if (!topics_name_valid(name, errstr, errstr_size)) {
        return KERR_INVALID_TOPIC_EXCEPTION;
    }
    if (n_partitions == -1) {
        n_partitions = topics->cfg->num_partitions;
    }
    if (n_partitions <= 0 || n_partitions > 100000) {
        snprintf(errstr, errstr_size, "number of partitions must be between 1 and 100000, got %d",
                 n_partitions);
        return KERR_INVALID_PARTITIONS;
    }
    for (size_t i = 0; i < n_overrides; i++) {
        if (!topic_config_validate(overrides[i].key, overrides[i].value, errstr, errstr_size)) {
            return KERR_INVALID_CONFIG;
        }
    }
    pthread_rwlock_wrlock(&topics->lock);
    kerr_t err = KERR_NONE;
    if (registry_find(topics, name)) {
        snprintf(errstr, errstr_size, "topic '%.*s' already exists", (int)name.len, name.ptr);
        err = KERR_TOPIC_ALREADY_EXISTS;
        goto done;
    }
    /* Kafka enforces limits on new topics with a CreateTopicPolicy, whose
     * refusals are POLICY_VIOLATION (not retriable: the same request fails
     * the same way); this is the broker's own such limit.  Checked under the
     * lock so two creates cannot both spend the same descriptors. */
    if (!fd_budget_allows(n_partitions, errstr, errstr_size)) {
        err = KERR_POLICY_VIOLATION;
        goto done;
    }
    if (validate_only) {
        goto done;
    }
    char *cname = buf_kstr_dup(name);
    topic_t *topic = topic_new(topics, cname);
    free(cname);
    if (id) {
        topic->id = *id;
    }
    for (size_t i = 0; i < n_overrides; i++) {
        topic_add_override(topic, overrides[i].key, overrides[i].value);
    }
    topic_resolve_config(topics, topic);
    if (!topic_grow(topics, topic, n_partitions, errstr, errstr_size)) {
        blog_error("creating topic %s failed: %s", topic->name, errstr);
        topic_free(topic);
        err = KERR_KAFKA_STORAGE_ERROR;
        goto done;
    }
    /* A topic of the metadata image: its partitions have no role until the
     * image gives them one (replica/replica_fetcher.h), and until then they
     * are offline, not the single node's, whose acks=all is answered at once
     * and whose consumers read to the log end. */
    for (int32_t p = 0; id && p < topic->n_partitions; p++) {
        topic->partitions[p]->repl.role = REPLICA_ROLE_OFFLINE;
    }
    registry_append(topics, topic);
    blog_info("created topic %s with %d partitions", topic->name, n_partitions);
done:
    pthread_rwlock_unlock(&topics->lock);
    return err;
}

kerr_t topics_delete(topics_t *topics, kstr_t name)
{
    pthread_rwlock_wrlock(&topics->lock);
    size_t t = 0;
    while (t < topics->count && !kstr_eq(name, topics->items[t]->name)) {
        t++;
    }
    if (t == topics->count) {
        pthread_rwlock_unlock(&topics->lock);
        return KERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    topic_t *topic = topics->items[t];
    memmove(&topics->items[t], &topics->items[t + 1], (topics->count - t - 1) * sizeof(topic_t *));
    topics->count--;
    /* Rename first so a crash mid-way cannot bring the topic back. */
    char **doomed = calloc((size_t)topic->n_partitions, sizeof(char *));
    for (int32_t p = 0; p < topic->n_partitions; p++) {
        partition_t *part = topic->partitions[p];
        char path[4096], moved[4200];
        partition_dir_path(topics, part->dir, topic->name, p, path, sizeof(path));
        snprintf(moved, sizeof(moved), "%s.deleting", path);
        log_close(part->plog);
        part->plog = NULL;
        if (rename(path, moved) == 0) {
            doomed[p] = xstrdup(moved);
        } else {
            fs_rm_rf(path); /* cannot rename: delete in place rather than leave it adoptable */
        }
    }
    char meta[4400];
    snprintf(meta, sizeof(meta), "%s/" META_DIR "/%s.properties", topics->dirs[0], topic->name);
    unlink(meta);
    for (int32_t p = 0; p < topic->n_partitions; p++) {
        if (doomed[p]) {
            fs_rm_rf(doomed[p]);
            free(doomed[p]);
        }
    }
    free(doomed);
    blog_info("deleted topic %s", topic->name);
    topic_free(topic);
    write_checkpoints(topics);
    pthread_rwlock_unlock(&topics->lock);
    return KERR_NONE;
}

kerr_t topics_add_partitions(topics_t *topics, kstr_t name, int32_t count, bool validate_only,
                             char *errstr, size_t errstr_size)
{
    pthread_rwlock_wrlock(&topics->lock);
    kerr_t err = KERR_NONE;
    topic_t *topic = registry_find(topics, name);
    if (!topic) {
        snprintf(errstr, errstr_size, "topic '%.*s' does not exist", (int)name.len, name.ptr);
        err = KERR_UNKNOWN_TOPIC_OR_PARTITION;
    } else if (count <= topic->n_partitions || count > 100000) {
        snprintf(errstr, errstr_size,
                 "topic currently has %d partitions, which is higher than or equal to the "
                 "requested %d; partitions can only be added",
                 topic->n_partitions, count);
        err = KERR_INVALID_PARTITIONS;
    } else if (!fd_budget_allows(count - topic->n_partitions, errstr, errstr_size)) {
        err = KERR_POLICY_VIOLATION;
    } else if (!validate_only) {
        if (!topic_grow(topics, topic, count, errstr, errstr_size)) {
            blog_error("adding partitions to topic %s failed: %s", topic->name, errstr);
            err = KERR_KAFKA_STORAGE_ERROR;
        } else {
            blog_info("topic %s now has %d partitions", topic->name, count);
        }
    }
    pthread_rwlock_unlock(&topics->lock);
    return err;
}

/* ---- config changes --------------------------------------------------------- */

/* An override list being edited: heap copies, freed by kvs_free. */
typedef struct kv_list {
    topic_config_kv_t *items;
    size_t n;
} kv_list_t;

static void kvs_free(kv_list_t *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].key);
        free(list->items[i].value);
    }
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

static topic_config_kv_t *kvs_find(kv_list_t *list, const char *key)
{
    for (size_t i = 0; i < list->n; i++) {
        if (strcmp(list->items[i].key, key) == 0) {
            return &list->items[i];
        }
    }
    return NULL;
}

/* Sets `key` to `value` (taken: a heap string), or removes it when NULL. */
static void kvs_put(kv_list_t *list, const char *key, char *value)
{
    topic_config_kv_t *kv = kvs_find(list, key);
    if (kv && value) {
        free(kv->value);
        kv->value = value;
    } else if (kv) {
        free(kv->key);
        free(kv->value);
        *kv = list->items[--list->n];
    } else if (value) {
        topic_config_kv_t *items = realloc(list->items, (list->n + 1) * sizeof(*items));
        if (!items) {
            abort();
        }
        list->items = items;
        list->items[list->n].key = xstrdup(key);
        list->items[list->n].value = value;
        list->n++;
    }
}

/* Whether the comma-separated `list` has `item` (items compared trimmed). */
static bool list_has(const char *list, const char *item, size_t item_len)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ') {
            p++;
        }
        size_t len = strcspn(p, ",");
        size_t trimmed = len;
        while (trimmed > 0 && p[trimmed - 1] == ' ') {
            trimmed--;
        }
        if (trimmed == item_len && memcmp(p, item, item_len) == 0) {
            return true;
        }
        p += len;
        p += *p == ',';
    }
    return false;
}

/* APPEND (the items of `arg` not in `base`, after it) or SUBTRACT (the items
 * of `base` not in `arg`), as Kafka's incremental list operations.  Heap. */
static char *list_combine(const char *base, const char *arg, bool append)
{
    size_t cap = strlen(base) + strlen(arg) + 2;
    char *out = calloc(1, cap);
    if (!out) {
        abort();
    }
    size_t len = 0;
    /* Pass 0 keeps base's items (for SUBTRACT those not in arg); pass 1
     * (APPEND) adds arg's items that are not there yet. */
    for (int pass = 0; pass < (append ? 2 : 1); pass++) {
        const char *p = pass == 0 ? base : arg;
        while (*p) {
            while (*p == ' ') {
                p++;
            }
            size_t n = strcspn(p, ",");
            size_t item = n;
            while (item > 0 && p[item - 1] == ' ') {
                item--;
            }
            bool keep = item > 0 && (pass == 0 ? append || !list_has(arg, p, item)
                                               : !list_has(base, p, item) && !list_has(out, p, item));
            if (keep) {
                len += (size_t)snprintf(out + len, cap - len, "%s%.*s", len ? "," : "", (int)item, p);
            }
            p += n;
            p += *p == ',';
        }
    }
    return out;
}

/* Applies one change to `list`; INVALID_CONFIG with errstr when it cannot. */
static kerr_t change_apply(kv_list_t *list, const topic_config_change_t *ch, char *errstr, size_t errstr_size)
{
    const config_def_t *def = config_def_find(topic_config_defs, ch->key);
    if (!def) {
        snprintf(errstr, errstr_size, "Unknown topic config name: %s", ch->key);
        return KERR_INVALID_CONFIG;
    }
    switch (ch->op) {
    case TOPIC_CONFIG_SET:
        kvs_put(list, ch->key, xstrdup(ch->value));
        return KERR_NONE;
    case TOPIC_CONFIG_DELETE:
        kvs_put(list, ch->key, NULL);
        return KERR_NONE;
    case TOPIC_CONFIG_APPEND:
    case TOPIC_CONFIG_SUBTRACT: {
        bool append = ch->op == TOPIC_CONFIG_APPEND;
        if (def->type != CONFIG_DEF_LIST) {
            snprintf(errstr, errstr_size, "Config value %s is not allowed for config key: %s",
                     append ? "append" : "subtract", ch->key);
            return KERR_INVALID_CONFIG;
        }
        topic_config_kv_t *kv = kvs_find(list, ch->key);
        const char *base = kv ? kv->value : def->default_value ? def->default_value : "";
        kvs_put(list, ch->key, list_combine(base, ch->value, append));
        return KERR_NONE;
    }
    }
    abort(); /* the handler passes only the four operations */
}

/* The overrides `topic` would have after the changes, checked; the
 * registry lock held. */
static kerr_t overrides_after(const topic_t *topic, const topic_config_change_t *changes, size_t n_changes,
                              bool replace, kv_list_t *list, char *errstr, size_t errstr_size)
{
    kerr_t err = KERR_NONE;
    for (size_t i = 0; i < topic->n_overrides && !replace; i++) {
        kvs_put(list, topic->overrides[i].key, xstrdup(topic->overrides[i].value));
    }
    for (size_t i = 0; i < n_changes && err == KERR_NONE; i++) {
        err = change_apply(list, &changes[i], errstr, errstr_size);
    }
    for (size_t i = 0; i < list->n && err == KERR_NONE; i++) {
        if (!topic_config_validate(list->items[i].key, list->items[i].value, errstr, errstr_size)) {
            err = KERR_INVALID_CONFIG;
        }
    }
    return err;
}

kerr_t topics_config_preview(topics_t *topics, kstr_t name, const topic_config_change_t *changes, size_t n_changes,
                             bool replace, topic_config_kv_t **overrides, size_t *n_overrides, char *errstr,
                             size_t errstr_size)
{
    pthread_rwlock_rdlock(&topics->lock);
    kv_list_t list = {0};
    kerr_t err = KERR_UNKNOWN_TOPIC_OR_PARTITION;
    topic_t *topic = registry_find(topics, name);
    if (!topic) {
        snprintf(errstr, errstr_size, "topic '%.*s' does not exist", (int)name.len, name.ptr);
    } else {
        err = overrides_after(topic, changes, n_changes, replace, &list, errstr, errstr_size);
    }
    pthread_rwlock_unlock(&topics->lock);
    if (err != KERR_NONE) {
        kvs_free(&list);
        list = (kv_list_t){0};
    }
    *overrides = list.items;
    *n_overrides = list.n;
    return err;
}

void topics_config_list_free(topic_config_kv_t *overrides, size_t n)
{
    kv_list_t list = {overrides, n};
    kvs_free(&list);
}

kerr_t topics_alter_configs(topics_t *topics, kstr_t name, const topic_config_change_t *changes, size_t n_changes,
                            bool replace, bool validate_only, char *errstr, size_t errstr_size)
{
    pthread_rwlock_wrlock(&topics->lock);
    kerr_t err = KERR_NONE;
    kv_list_t list = {0};
    topic_t *topic = registry_find(topics, name);
    if (!topic) {
        snprintf(errstr, errstr_size, "topic '%.*s' does not exist", (int)name.len, name.ptr);
        err = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        goto done;
    }
    err = overrides_after(topic, changes, n_changes, replace, &list, errstr, errstr_size);
    if (err != KERR_NONE || validate_only) {
        goto done;
    }
    kv_list_t old = {topic->overrides, topic->n_overrides};
    topic->overrides = list.items;
    topic->n_overrides = list.n;
    list = old; /* freed below: the old overrides, or the new ones if not kept */
    if (topic_write_meta(topics, topic, topic->n_partitions) < 0) {
        snprintf(errstr, errstr_size, "cannot write metadata of topic %s: %s", topic->name, strerror(errno));
        blog_error("changing the configs of topic %s failed: %s", topic->name, errstr);
        list = (kv_list_t){topic->overrides, topic->n_overrides};
        topic->overrides = old.items;
        topic->n_overrides = old.n;
        err = KERR_KAFKA_STORAGE_ERROR;
        goto done;
    }
    topic_resolve_config(topics, topic);
    for (int32_t p = 0; p < topic->n_partitions; p++) {
        partition_t *part = topic->partitions[p];
        pthread_mutex_lock(&part->lock);
        log_set_config(part->plog, &topic->cfg.log);
        pthread_mutex_unlock(&part->lock);
    }
    blog_info("changed the configs of topic %s (%zu overrides)", topic->name, topic->n_overrides);
done:
    pthread_rwlock_unlock(&topics->lock);
    kvs_free(&list);
    return err;
}

/* ---- upkeep --------------------------------------------------------------- */

void topics_maintain(topics_t *topics, int64_t now_ms, bool retention_due, bool checkpoint_due)
{
    pthread_rwlock_rdlock(&topics->lock);
    for (size_t t = 0; t < topics->count; t++) {
        topic_t *topic = topics->items[t];
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            partition_t *part = topic->partitions[p];
            pthread_mutex_lock(&part->lock);
            log_maybe_roll(part->plog, now_ms);
            if (retention_due) {
                int n = log_enforce_retention(part->plog, now_ms);
                if (n > 0) {
                    blog_info("retention deleted %d segment(s) of %s-%d; log start offset is now %lld",
                              n, topic->name, p, (long long)log_start_offset(part->plog));
                }
            }
            if (topic->cfg.flush_ms < INT64_MAX && now_ms - part->last_flush_ms >= topic->cfg.flush_ms) {
                log_flush(part->plog);
                part->last_flush_ms = now_ms;
            }
            pthread_mutex_unlock(&part->lock);
        }
    }
    if (checkpoint_due) {
        write_checkpoints(topics);
    }
    pthread_rwlock_unlock(&topics->lock);
}

void topics_write_checkpoints(topics_t *topics)
{
    pthread_rwlock_rdlock(&topics->lock);
    write_checkpoints(topics);
    pthread_rwlock_unlock(&topics->lock);
}

/* ---- producer ids --------------------------------------------------------- */

int64_t topics_next_producer_id(topics_t *topics)
{
    pthread_mutex_lock(&topics->pid_lock);
    if (topics->next_pid >= topics->pid_block_end) {
        /* Reserve the next block on disk before handing out any id in it. */
        char path[4096];
        snprintf(path, sizeof(path), "%s/" PRODUCER_ID_FILE, topics->dirs[0]);
        int64_t start = 0;
        FILE *f = fopen(path, "r");
        if (f) {
            long long v;
            if (fscanf(f, "%lld", &v) == 1 && v > 0) {
                start = v;
            }
            fclose(f);
        }
        if (start < topics->pid_block_end) {
            start = topics->pid_block_end;
        }
        char text[32];
        snprintf(text, sizeof(text), "%lld\n", (long long)(start + PRODUCER_ID_BLOCK));
        if (fs_write_atomic(topics->dirs[0], PRODUCER_ID_FILE, text, strlen(text)) < 0) {
            pthread_mutex_unlock(&topics->pid_lock);
            blog_error("cannot reserve producer ids in %s: %s", path, strerror(errno));
            return -1;
        }
        topics->next_pid = start;
        topics->pid_block_end = start + PRODUCER_ID_BLOCK;
    }
    int64_t pid = topics->next_pid++;
    pthread_mutex_unlock(&topics->pid_lock);
    return pid;
}
