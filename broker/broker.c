/*
 * broker.c - one broker node: wires configuration, topics, the network
 * server and the upkeep timer together, and routes requests to handlers.
 *
 * Identity: <first log.dir>/meta.properties holds the cluster id (22
 * characters of URL-safe base64, like Kafka's) and node id, written on first
 * start and reused after, so clients see a stable cluster.
 */
#include "broker.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock.h"
#include "protocol/api.h"
#include "base64.h"
#include "blog.h"
#include "broker_metrics.h"
#include "fsutil.h"
#include "xalloc.h"
#include "handlers/handlers.h"
#include "handlers/sasl.h"
#include "net/server.h"
#include "net/tls.h"
#include "quorum/quorum.h"
#include "replica/replica_fetcher.h"
#include "topics/topics.h"

#define UPKEEP_INTERVAL_MS 1000
/* Group deadlines (initial delay, session and rebalance timeouts) are
 * checked this often, so a rebalance completes within this much of its
 * deadline. */
#define GROUP_TICK_INTERVAL_MS 50
/* Kafka's log.flush.offset.checkpoint.interval.ms default. */
#define CHECKPOINT_INTERVAL_MS 60000

struct broker {
    uv_loop_t *loop;
    broker_config_t *cfg;
    broker_ctx_t ctx;
    uv_timer_t upkeep;
    uv_timer_t group_tick;
    int64_t last_retention_ms;
    int64_t last_checkpoint_ms;
    char cluster_id[32];
    char *bind_host;
    char *adv_host;
    tls_server_t *tls; /* the SSL listener's context; NULL on a PLAINTEXT one */
    broker_fatal_cb on_fatal;
    void *fatal_arg;
    replica_fetcher_t *fetcher; /* in a cluster */
    /* In a cluster, the topics of the image at the last sync (image_sync),
     * so that a topic the image no longer holds is deleted here only when
     * the image removed it, never because the image is still empty. */
    kuuid_t *synced_ids;
    char **synced_names;
    size_t n_synced;
};

/* Routes a request by the API table and the dispatch table, closing the
 * connection on a key or version they do not have, as Kafka's SocketServer
 * does.  On a SASL listener, SASL sees every request first (sasl.h). */
static req_result_t broker_dispatch(void *opaque, kreq_t *req)
{
    broker_ctx_t *ctx = opaque;
    req_result_t sasl_result;
    if (ctx->sasl && sasl_dispatch(ctx, req, &sasl_result)) {
        return sasl_result;
    }
    int16_t key = req->hdr.api_key, v = req->hdr.api_version;
    const api_t *api = api_find(key);
    handler_fn *fn = handler_find(key);
    if (!api || !fn) {
        blog_info("closing connection from %s: API key %d (%s) is not supported", server_conn_peer(req->conn),
                  key, api_name(key));
        return REQ_CLOSE;
    }
    /* ApiVersions answers any version itself (KIP-511). */
    if (key != API_API_VERSIONS && (v < api->min || v > api->max)) {
        blog_info("closing connection from %s: %s v%d is not supported (supported: v%d to v%d)",
                  server_conn_peer(req->conn), api->name, v, api->min, api->max);
        return REQ_CLOSE;
    }
    return fn(ctx, req);
}

static void broker_request_done(void *opaque, const kreq_t *req, int64_t elapsed_ns)
{
    broker_ctx_t *ctx = opaque;
    broker_metrics_request_done(ctx->stats, req->hdr.api_key, elapsed_ns);
}

/* ---- listeners ------------------------------------------------------------ */

/* The name of the listener connectd serves Kafka clients on, in `list`:
 * in KRaft mode the inter-broker listener (the controller listener is the
 * quorum's, broker_config_finish checked both are there); on a single node
 * the one named PLAINTEXT, else the first.  *name points into `list`. */
static void listener_served(const broker_config_t *cfg, const char *list, const char **name, size_t *name_len)
{
    if (cfg->roles) {
        *name = cfg->inter_broker_listener_name ? cfg->inter_broker_listener_name : "PLAINTEXT";
        *name_len = strlen(*name);
        return;
    }
    /* Entry by entry, the name compared whole: "PLAINTEXT://" is also in
     * "SASL_PLAINTEXT://", and which listener is served must not depend on
     * the order they are listed in. */
    *name = list;
    for (const char *entry = list; *entry;) {
        entry += strspn(entry, " ");
        size_t len = strcspn(entry, ":,");
        if (len == strlen("PLAINTEXT") && strncmp(entry, "PLAINTEXT", len) == 0 &&
            strncmp(entry + len, "://", 3) == 0) {
            *name = entry;
            break;
        }
        const char *comma = strchr(entry, ',');
        entry = comma ? comma + 1 : entry + strlen(entry);
    }
    *name_len = (size_t)(strstr(*name, "://") - *name);
}

/* Parses the entry of the served listener (listener_served) in a listener
 * list (listeners, advertised.listeners).  Other entries (a KRaft
 * CONTROLLER listener copied from Kafka's sample files) are reported and
 * ignored; listeners_security_check has refused ignoring a secured one.
 * host may be empty or a bracketed IPv6 address. */
static bool listener_parse(const broker_config_t *cfg, const char *list, char **host, int *port, char *errstr,
                           size_t errstr_size)
{
    const char *name;
    size_t name_len;
    listener_served(cfg, list, &name, &name_len);
    if (cfg->roles) {
        if (broker_config_listener_find(list, name, host, port)) {
            return true;
        }
        snprintf(errstr, errstr_size, "listener list '%s' has no %s listener", list, name);
        return false;
    }
    const char *chosen = name;
    if (strchr(list, ',')) {
        blog_warn("listeners '%s': serving only %.*s; connectd has one listener so far", list,
                  (int)strcspn(chosen, ","), chosen);
    }
    list = chosen;
    const char *sep = strstr(list, "://");
    if (!sep) {
        goto bad;
    }
    const char *h = sep + 3;
    const char *end = strchr(h, ',');
    size_t len = end ? (size_t)(end - h) : strlen(h);
    const char *colon = NULL;
    for (const char *c = h; c < h + len; c++) {
        if (*c == ':') {
            colon = c;
        }
    }
    if (!colon) {
        goto bad;
    }
    char *endp;
    long p = strtol(colon + 1, &endp, 10);
    if (endp != h + len || p < 0 || p > 65535 || colon + 1 == endp) {
        goto bad;
    }
    const char *hs = h, *he = colon;
    if (hs < he && *hs == '[' && he[-1] == ']') {
        hs++;
        he--;
    }
    *host = strndup(hs, (size_t)(he - hs));
    *port = (int)p;
    return true;
bad:
    snprintf(errstr, errstr_size, "listener '%s' is not of the form PLAINTEXT://host:port", list);
    return false;
}

/* Whether the comma-separated `list` (may be NULL) has the name of `len` bytes. */
static bool name_in_list(const char *list, const char *name, size_t len)
{
    for (const char *item = list; item && *item;) {
        size_t n = strcspn(item, ",");
        if (n == len && strncmp(item, name, len) == 0) {
            return true;
        }
        item += n + (item[n] == ',');
    }
    return false;
}

/*
 * Refuses, before anything binds, every listener whose security the broker
 * cannot honour, so that none is ever served as plaintext or left unserved
 * while the operator believes it secured: the served listener must have a
 * protocol the server speaks; the controller listeners of a cluster speak
 * the quorum's plaintext; a single node serves one listener, so another
 * secured one would silently not exist.  *proto is the served listener's.
 */
static bool listeners_security_check(const broker_config_t *cfg, broker_security_protocol_t *proto, char *errstr,
                                     size_t errstr_size)
{
    const char *served;
    size_t served_len;
    listener_served(cfg, cfg->listeners, &served, &served_len);
    for (const char *item = cfg->listeners; *item;) {
        size_t len = strcspn(item, ",");
        size_t name_len = (size_t)(strstr(item, "://") - item);
        broker_security_protocol_t p;
        bool found = broker_config_listener_protocol(cfg, item, name_len, &p);
        assert(found); /* broker_config_finish checked every listener */
        (void)found;
        bool is_served = name_len == served_len && strncmp(item, served, name_len) == 0;
        if (is_served) {
            *proto = p;
        }
        if (p == BROKER_SECURITY_PLAINTEXT) {
            /* as before: served, the quorum's, or ignored with a warning */
        } else if (is_served && cfg->roles) {
            snprintf(errstr, errstr_size, "listeners: %.*s is a %s listener, but the brokers of a cluster "
                     "speak only PLAINTEXT between themselves so far; secure a single node (docs/security.md)",
                     (int)len, item, broker_security_protocol_name(p));
            return false;
        } else if (is_served) {
            /* served over TLS (net/tls.h) and/or with SASL (handlers/sasl.h) */
        } else if (name_in_list(cfg->controller_listener_names, item, name_len)) {
            snprintf(errstr, errstr_size, "listener.security.protocol.map: the controller listener %.*s is %s, "
                     "but the metadata quorum speaks only PLAINTEXT so far (docs/security.md)", (int)name_len, item,
                     broker_security_protocol_name(p));
            return false;
        } else {
            snprintf(errstr, errstr_size, "listeners: %.*s would not be served: the broker serves one client "
                     "listener, %.*s; remove the %s listener or serve it alone", (int)len, item, (int)served_len,
                     served, broker_security_protocol_name(p));
            return false;
        }
        item += len + (item[len] == ',');
    }
    return true;
}

/* ---- identity ------------------------------------------------------------- */

static void cluster_id_new(char *out)
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof(raw), 0) != sizeof(raw)) {
        for (size_t i = 0; i < sizeof(raw); i++) {
            raw[i] = (unsigned char)rand();
        }
    }
    base64url_encode(raw, sizeof(raw), out); /* 22 characters, as Kafka's Uuid.toString() */
}

/* Reads or creates meta.properties in the first log dir. */
static bool cluster_id_load(broker_t *b, char *errstr, size_t errstr_size)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", b->cfg->log_dirs);
    dir[strcspn(dir, ",")] = '\0';
    char path[4200];
    snprintf(path, sizeof(path), "%s/meta.properties", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof(line), f)) {
            if (strncmp(line, "cluster.id=", 11) == 0) {
                snprintf(b->cluster_id, sizeof(b->cluster_id), "%.31s", line + 11);
                b->cluster_id[strcspn(b->cluster_id, "\r\n")] = '\0';
            }
        }
        fclose(f);
        if (b->cluster_id[0]) {
            return true;
        }
    }
    if (b->cfg->roles) {
        quorum_cluster_id_derive(b->cfg, b->cluster_id); /* the same on every node of the cluster */
    } else {
        cluster_id_new(b->cluster_id);
    }
    char text[160];
    int len = snprintf(text, sizeof(text), "#Written by connectd; do not edit.\nversion=1\ncluster.id=%s\nnode.id=%d\n",
                       b->cluster_id, b->cfg->node_id);
    if (fs_write_atomic(dir, "meta.properties", text, (size_t)len) < 0) {
        snprintf(errstr, errstr_size, "cannot write %s: %s; check that log.dirs is writable", path, strerror(errno));
        return false;
    }
    return true;
}

/* ---- cluster -------------------------------------------------------------- */

static void on_quorum_fatal(void *arg, const char *why)
{
    broker_t *b = arg;
    if (b->on_fatal) {
        b->on_fatal(b->fatal_arg, why);
    }
}

/* One topic of the image, copied out of the image lock. */
typedef struct image_topic {
    char *name;
    kuuid_t id;
    int32_t n_parts;
    topic_config_kv_t *configs;
    size_t n_configs;
} image_topic_t;

static kstr_t cstr_kstr(const char *s)
{
    return (kstr_t){s, (int32_t)strlen(s)};
}

static bool uuid_equal(const kuuid_t *a, const kuuid_t *b)
{
    return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* Whether a local topic's overrides are exactly `want`'s configs.
 * @locks the registry lock held */
static bool overrides_match(const topic_t *topic, const image_topic_t *want)
{
    if (topic->n_overrides != want->n_configs) {
        return false;
    }
    for (size_t c = 0; c < want->n_configs; c++) {
        bool found = false;
        for (size_t o = 0; o < topic->n_overrides && !found; o++) {
            found = strcmp(topic->overrides[o].key, want->configs[c].key) == 0 &&
                    strcmp(topic->overrides[o].value, want->configs[c].value) == 0;
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

/* Gives a local topic the image's configs when they differ (a ConfigRecord
 * applied since it was created). */
static void configs_sync(broker_t *b, const image_topic_t *want)
{
    kstr_t name = cstr_kstr(want->name);
    topics_read_lock(b->ctx.topics);
    topic_t *topic = topics_find(b->ctx.topics, name);
    bool same = !topic || overrides_match(topic, want);
    topics_read_unlock(b->ctx.topics);
    if (same) {
        return;
    }
    topic_config_change_t *changes = xcalloc(want->n_configs + 1, sizeof(*changes));
    for (size_t c = 0; c < want->n_configs; c++) {
        changes[c] = (topic_config_change_t){
            .key = want->configs[c].key, .op = TOPIC_CONFIG_SET, .value = want->configs[c].value};
    }
    char err[512];
    if (topics_alter_configs(b->ctx.topics, name, changes, want->n_configs, true, false, err, sizeof(err)) !=
        KERR_NONE) {
        blog_error("cannot give topic %s the configs of the metadata image: %s", want->name, err);
    }
    free(changes);
}

/*
 * Brings the local logs in line with the metadata image, as Kafka's brokers
 * do from theirs: a topic of the image without local logs gets them (with
 * the image's id and configs), a topic whose configs changed in the image
 * gets them, and a topic the image held at the last sync and no longer
 * holds loses them.  Every partition gets a local log, the
 * replicas of others' included, which replication fills next (docs/
 * cluster.md).  The image is copied first: nothing may be taken under its
 * lock, and creating a topic takes the registry's.
 */
static void image_sync(broker_t *b)
{
    quorum_t *q = b->ctx.quorum;
    quorum_read_lock(q);
    const meta_image_t *img = quorum_image(q);
    size_t n = meta_image_topic_count(img);
    image_topic_t *want = xcalloc(n + 1, sizeof(*want));
    for (size_t i = 0; i < n; i++) {
        const meta_topic_t *t = meta_image_topic_at(img, i);
        want[i].name = xstrdup(t->name);
        want[i].id = t->id;
        want[i].n_parts = t->n_parts;
        const char **names, **values;
        want[i].n_configs = meta_image_configs_of(img, META_CONFIG_TOPIC, t->name, &names, &values);
        want[i].configs = xcalloc(want[i].n_configs + 1, sizeof(*want[i].configs));
        for (size_t c = 0; c < want[i].n_configs; c++) {
            want[i].configs[c].key = xstrdup(names[c]);
            want[i].configs[c].value = xstrdup(values[c]);
        }
        free(names);
        free(values);
    }
    quorum_read_unlock(q);

    for (size_t s = 0; s < b->n_synced; s++) {
        bool kept = false;
        for (size_t i = 0; i < n && !kept; i++) {
            kept = uuid_equal(&want[i].id, &b->synced_ids[s]);
        }
        topics_read_lock(b->ctx.topics);
        topic_t *local = kept ? NULL : topics_find_by_id(b->ctx.topics, &b->synced_ids[s]);
        topics_read_unlock(b->ctx.topics);
        if (local) {
            blog_info("deleting the logs of topic %s: the metadata image removed it", b->synced_names[s]);
            topics_delete(b->ctx.topics, cstr_kstr(b->synced_names[s]));
        }
        free(b->synced_names[s]);
    }
    b->synced_ids = xrealloc(b->synced_ids, (n + 1) * sizeof(*b->synced_ids));
    b->synced_names = xrealloc(b->synced_names, (n + 1) * sizeof(*b->synced_names));
    b->n_synced = n;
    for (size_t i = 0; i < n; i++) {
        b->synced_ids[i] = want[i].id;
        b->synced_names[i] = xstrdup(want[i].name);
        topics_read_lock(b->ctx.topics);
        bool present = topics_find(b->ctx.topics, cstr_kstr(want[i].name)) != NULL;
        topics_read_unlock(b->ctx.topics);
        char err[512];
        if (!present &&
            topics_create_as(b->ctx.topics, cstr_kstr(want[i].name), &want[i].id, want[i].n_parts,
                             want[i].configs, want[i].n_configs, false, err, sizeof(err)) != KERR_NONE) {
            blog_error("cannot create the logs of topic %s from the metadata image: %s", want[i].name, err);
        } else if (present) {
            configs_sync(b, &want[i]);
        }
        for (size_t c = 0; c < want[i].n_configs; c++) {
            free((char *)want[i].configs[c].key);
            free((char *)want[i].configs[c].value);
        }
        free(want[i].configs);
        free(want[i].name);
    }
    free(want);
}

static void on_quorum_change(void *arg)
{
    broker_t *b = arg;
    image_sync(b);
    replica_fetcher_sync(b->fetcher); /* the new topics' logs exist now */
    /* CreateTopics and DeleteTopics wait on the image, and Produce and
     * Fetch on partitions' roles. */
    server_wake_all(b->ctx.server);
}

/* Starts the node's cluster roles; the endpoint it registers is the
 * inter-broker listener as advertised. */
static bool cluster_start(broker_t *b, int adv_port, char *errstr, size_t errstr_size)
{
    const broker_config_t *cfg = b->cfg;
    quorum_config_t qcfg = {
        .cfg = cfg,
        .cluster_id = b->cluster_id,
        .listener_name = cfg->inter_broker_listener_name ? cfg->inter_broker_listener_name : "PLAINTEXT",
        .host = b->adv_host ? b->adv_host : b->bind_host,
        .port = b->adv_host ? adv_port : server_port(b->ctx.server),
        .on_fatal = on_quorum_fatal,
        .on_change = on_quorum_change,
        .arg = b,
    };
    b->ctx.quorum = quorum_create(b->loop, &qcfg, errstr, errstr_size);
    if (b->ctx.quorum) {
        b->fetcher = replica_fetcher_create(b->loop, cfg, b->ctx.topics, b->ctx.quorum);
        image_sync(b); /* what raft restored at start */
        replica_fetcher_sync(b->fetcher);
    }
    return b->ctx.quorum != NULL;
}

void broker_on_fatal(broker_t *b, broker_fatal_cb cb, void *arg)
{
    b->on_fatal = cb;
    b->fatal_arg = arg;
}

/* ---- upkeep --------------------------------------------------------------- */

static void on_upkeep(uv_timer_t *timer)
{
    broker_t *b = timer->data;
    int64_t now = clock_wall_ms();
    bool retention_due = now - b->last_retention_ms >= b->cfg->log_retention_check_interval_ms;
    bool checkpoint_due = now - b->last_checkpoint_ms >= CHECKPOINT_INTERVAL_MS;
    if (retention_due) {
        b->last_retention_ms = now;
    }
    if (checkpoint_due) {
        b->last_checkpoint_ms = now;
    }
    topics_maintain(b->ctx.topics, now, retention_due, checkpoint_due);
    coordinator_maintain(b->ctx.coord, now);
}

static void on_group_tick(uv_timer_t *timer)
{
    broker_t *b = timer->data;
    if (coordinator_tick(b->ctx.coord, clock_wall_ms())) {
        server_wake_all(b->ctx.server); /* parked joins and syncs may be answerable now */
    }
}

/* ---- life cycle ----------------------------------------------------------- */

broker_t *broker_create(uv_loop_t *loop, broker_config_t *cfg, char *errstr, size_t errstr_size)
{
    broker_t *b = calloc(1, sizeof(*b));
    if (!b) {
        abort();
    }
    b->loop = loop;
    b->cfg = cfg;
    int port, adv_port = 0;
    broker_security_protocol_t proto = BROKER_SECURITY_PLAINTEXT;
    if (!listeners_security_check(cfg, &proto, errstr, errstr_size) ||
        !listener_parse(cfg, cfg->listeners, &b->bind_host, &port, errstr, errstr_size) ||
        (cfg->advertised_listeners &&
         !listener_parse(cfg, cfg->advertised_listeners, &b->adv_host, &adv_port, errstr, errstr_size))) {
        goto fail;
    }
    char name[128];
    const char *served;
    size_t served_len;
    listener_served(cfg, cfg->listeners, &served, &served_len);
    snprintf(name, sizeof(name), "%.*s", (int)served_len, served);
    if (proto == BROKER_SECURITY_SSL || proto == BROKER_SECURITY_SASL_SSL) {
        b->tls = tls_server_create(cfg, name, errstr, errstr_size);
        if (!b->tls) {
            goto fail;
        }
    }
    if (proto == BROKER_SECURITY_SASL_PLAINTEXT || proto == BROKER_SECURITY_SASL_SSL) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", cfg->log_dirs);
        dir[strcspn(dir, ",")] = '\0';
        if (fs_mkdir_p(dir) < 0) {
            snprintf(errstr, errstr_size, "cannot create %s: %s; check that log.dirs is writable", dir,
                     strerror(errno));
            goto fail;
        }
        b->ctx.sasl = sasl_server_create(cfg, name, dir, errstr, errstr_size);
        if (!b->ctx.sasl) {
            goto fail;
        }
    }
    if (b->adv_host && !b->adv_host[0]) {
        free(b->adv_host); /* "PLAINTEXT://:9092": advertise what clients reach */
        b->adv_host = NULL;
    }
    b->ctx.cfg = cfg;
    b->ctx.advertised_host = b->adv_host;
    b->ctx.advertised_port = adv_port;
    b->ctx.topics = topics_open(cfg, errstr, errstr_size);
    if (!b->ctx.topics || !cluster_id_load(b, errstr, errstr_size)) {
        goto fail;
    }
    b->ctx.cluster_id = b->cluster_id;
    b->ctx.coord = coordinator_open(b->ctx.topics, cfg);
    b->ctx.stats = broker_metrics_create();
    server_config_t scfg = {
        .host = b->bind_host,
        .port = port,
        .num_threads = cfg->num_network_threads,
        .max_request_bytes = cfg->socket_request_max_bytes,
        .max_unauthenticated_request_bytes = b->ctx.sasl ? cfg->sasl_server_max_receive_size : 0,
        .max_connections = cfg->max_connections,
        .max_connections_per_ip = cfg->max_connections_per_ip,
        .max_idle_ms = cfg->connections_max_idle_ms,
        .max_queued_bytes = cfg->queued_max_request_bytes,
        .tls = b->tls,
        .dispatch = broker_dispatch,
        .done = broker_request_done,
        .ctx = &b->ctx,
    };
    b->ctx.server = server_create(loop, &scfg, errstr, errstr_size);
    if (!b->ctx.server) {
        goto fail;
    }
    if (cfg->roles && !cluster_start(b, adv_port, errstr, errstr_size)) {
        goto fail;
    }
    b->last_retention_ms = b->last_checkpoint_ms = clock_wall_ms();
    uv_timer_init(loop, &b->upkeep);
    b->upkeep.data = b;
    uv_timer_start(&b->upkeep, on_upkeep, UPKEEP_INTERVAL_MS, UPKEEP_INTERVAL_MS);
    uv_timer_init(loop, &b->group_tick);
    b->group_tick.data = b;
    uv_timer_start(&b->group_tick, on_group_tick, GROUP_TICK_INTERVAL_MS, GROUP_TICK_INTERVAL_MS);
    blog_info("broker %d of cluster %s listening on %s:%d, data in %s", cfg->node_id, b->cluster_id,
              b->bind_host[0] ? b->bind_host : "0.0.0.0", server_port(b->ctx.server), cfg->log_dirs);
    if (!server_is_loopback(b->ctx.server) && !b->ctx.sasl && !(b->tls && tls_server_client_auth_required(b->tls))) {
        /* Without client certificates (mutual TLS) nothing stands between
         * another host and the topics, the worker's internal ones
         * (connector configs, offsets) included. */
        blog_warn("the broker is reachable from other hosts without authentication: anyone who reaches port %d "
                  "can read, write and delete every topic; set listeners=PLAINTEXT://127.0.0.1:%d "
                  "(broker.listeners in a worker's file) or firewall the port",
                  server_port(b->ctx.server), server_port(b->ctx.server));
    }
    return b;
fail:
    server_destroy(b->ctx.server);
    tls_server_destroy(b->tls);
    sasl_server_destroy(b->ctx.sasl);
    broker_metrics_destroy(b->ctx.stats);
    coordinator_close(b->ctx.coord);
    topics_close(b->ctx.topics);
    free(b->bind_host);
    free(b->adv_host);
    broker_config_destroy(cfg);
    free(b);
    return NULL;
}

int broker_port(const broker_t *b)
{
    return server_port(b->ctx.server);
}

void broker_write_metrics(broker_t *b, metrics_text_t *out)
{
    broker_metrics_write(&b->ctx, out);
}

static void on_group_tick_closed(uv_handle_t *handle)
{
    broker_t *b = handle->data;
    free(b);
}

/* The second timer closes after the first, then the broker is freed. */
static void on_upkeep_closed(uv_handle_t *handle)
{
    broker_t *b = handle->data;
    uv_close((uv_handle_t *)&b->group_tick, on_group_tick_closed);
}

void broker_destroy(broker_t *b)
{
    if (!b) {
        return;
    }
    server_destroy(b->ctx.server); /* joins the network threads: no handler runs after this */
    replica_fetcher_destroy(b->fetcher);
    tls_server_destroy(b->tls);    /* after the connections, freed on those threads */
    sasl_server_destroy(b->ctx.sasl);
    quorum_destroy(b->ctx.quorum);  /* after the handlers, which read its image */
    coordinator_close(b->ctx.coord);
    topics_close(b->ctx.topics);   /* flushes and checkpoints */
    broker_metrics_destroy(b->ctx.stats);
    blog_info("broker %d stopped cleanly", b->cfg->node_id);
    free(b->bind_host);
    free(b->adv_host);
    broker_config_destroy(b->cfg);
    for (size_t i = 0; i < b->n_synced; i++) {
        free(b->synced_names[i]);
    }
    free(b->synced_names);
    free(b->synced_ids);
    uv_timer_stop(&b->upkeep);
    uv_timer_stop(&b->group_tick);
    uv_close((uv_handle_t *)&b->upkeep, on_upkeep_closed);
}
