/*
 * replica_fetcher.c - roles from the metadata image, and the followers'
 * fetch sessions; see replica_fetcher.h.
 */
#include "replica_fetcher.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "blog.h"
#include "clock.h"
#include "protocol/buf.h"
#include "protocol/kerr.h"
#include "records/batch.h"
#include "xalloc.h"

#define TICK_MS 50
/* Kafka's replica.fetch.wait.max.ms, replica.fetch.max.bytes and
 * replica.fetch.response.max.bytes defaults. */
#define FETCH_WAIT_MS 500
#define FETCH_PARTITION_MAX_BYTES (1 << 20)
#define FETCH_MAX_BYTES (10 << 20)
/* A leader that has not answered in this long is dropped, as Kafka's
 * replica.socket.timeout.ms; and a dropped session waits this long
 * (replica.fetch.backoff.ms) before it connects again. */
#define REQUEST_TIMEOUT_MS 30000
#define BACKOFF_MS 1000
/* A connected session with nothing it can ask for yet waits this long. */
#define RETRY_MS 200
#define FETCH_VERSION 5
#define API_KEY_FETCH 1
#define EPOCH_VERSION 3
#define API_KEY_OFFSET_FOR_LEADER_EPOCH 23
#define MAX_FRAME (64 << 20)
/* How often a leader looks at its ISRs, and how long it waits for the
 * image to show an ISR change it asked for before asking again. */
#define ISR_CHECK_MS 500
#define ISR_CHANGE_RETRY_MS 5000

typedef struct fetch_part {
    char *topic;
    int32_t index;
    /* The leader refused it (the image may be behind): it is left out of
     * requests until then, and the session's other partitions go on. */
    int64_t retry_ms;
} fetch_part_t;

typedef struct fetch_session {
    replica_fetcher_t *f;
    int32_t leader;
    char *host;
    int port;
    fetch_part_t *parts; /* sorted by topic, so that a topic's partitions are together */
    size_t n_parts;
    uv_tcp_t *tcp; /* NULL: not connected; freed by its close callback */
    /* The pending connect, freed by its callback, which may come after the
     * session is gone: then its data is NULL. */
    uv_connect_t *connect_req;
    bool connected;
    bool in_flight;
    bool in_flight_epochs; /* the request out is OffsetForLeaderEpoch, not Fetch */
    int32_t correlation_id;
    int64_t sent_ms;
    int64_t next_ms;
    uint8_t *in;
    size_t in_len, in_cap;
    struct fetch_session *next;
} fetch_session_t;

/* A partition as the image had it at the last sync. */
typedef struct want_part {
    char *topic;
    kuuid_t topic_id;
    int32_t index;
    int32_t leader;
    int32_t leader_epoch;
    int32_t partition_epoch;
    int32_t *replicas;
    int32_t n_replicas;
    int32_t *isr;
    int32_t n_isr;
    /* The partition epoch of the ISR change this leader last asked for,
     * and when: not asked again until the image moves or it is stale. */
    int32_t alter_epoch;
    int64_t alter_ms;
} want_part_t;

struct replica_fetcher {
    uv_loop_t *loop;
    const broker_config_t *cfg;
    topics_t *topics;
    quorum_t *q;
    uv_timer_t tick;
    fetch_session_t *sessions;
    want_part_t *parts; /* the image's partitions at the last sync */
    size_t n_parts;
    int64_t last_isr_check_ms;
    int handles; /* the tick and each open connection; freed at 0 once closing */
    bool closing;
};

/* ---- the connection ------------------------------------------------------------ */

static void fetcher_maybe_free(replica_fetcher_t *f)
{
    if (f->closing && f->handles == 0) {
        free(f);
    }
}

static void session_tcp_closed(uv_handle_t *handle)
{
    replica_fetcher_t *f = handle->data;
    free(handle);
    f->handles--;
    fetcher_maybe_free(f);
}

/* Drops the connection (if any); the session connects again after a
 * back-off. */
static void session_disconnect(fetch_session_t *s)
{
    if (s->connect_req) {
        s->connect_req->data = NULL;
        s->connect_req = NULL;
    }
    if (s->tcp) {
        s->tcp->data = s->f;
        uv_close((uv_handle_t *)s->tcp, session_tcp_closed);
        s->tcp = NULL;
    }
    s->connected = false;
    s->in_flight = false;
    s->in_len = 0;
    s->next_ms = clock_mono_ms() + BACKOFF_MS;
}

static void session_free(fetch_session_t *s)
{
    session_disconnect(s);
    for (size_t i = 0; i < s->n_parts; i++) {
        free(s->parts[i].topic);
    }
    free(s->parts);
    free(s->host);
    free(s->in);
    free(s);
}

typedef struct session_write {
    uv_write_t req;
    uint8_t *data;
} session_write_t;

static void session_written(uv_write_t *req, int status)
{
    (void)status; /* a failed write shows up as a read error or the request timeout */
    session_write_t *w = req->data;
    free(w->data);
    free(w);
}

/* ---- the follower's side of a Fetch ---------------------------------------------- */

/* The session's partition `index` of `topic_name`; NULL when gone. */
static fetch_part_t *session_part(fetch_session_t *s, const char *topic_name, int32_t index)
{
    for (size_t i = 0; i < s->n_parts; i++) {
        if (s->parts[i].index == index && strcmp(s->parts[i].topic, topic_name) == 0) {
            return &s->parts[i];
        }
    }
    return NULL;
}

/* A partition the leader refused waits before it is asked for again. */
static void session_part_refused(fetch_session_t *s, const char *topic_name, int32_t index)
{
    fetch_part_t *fp = session_part(s, topic_name, index);
    if (fp) {
        fp->retry_ms = clock_mono_ms() + RETRY_MS;
    }
}

/* Appends what the leader sent for one partition and takes its high
 * watermark.  @locks takes the registry read lock and the partition lock */
static void session_apply(fetch_session_t *s, const char *topic_name, int32_t index, int16_t error, int64_t hw,
                          int64_t leader_log_start, const uint8_t *records, size_t len)
{
    replica_fetcher_t *f = s->f;
    topics_read_lock(f->topics);
    topic_t *topic = topics_find(f->topics, (kstr_t){topic_name, (int32_t)strlen(topic_name)});
    partition_t *part = topic ? topic_partition(topic, index) : NULL;
    if (!part) {
        topics_read_unlock(f->topics);
        return;
    }
    pthread_mutex_lock(&part->lock);
    if (part->repl.role != REPLICA_ROLE_FOLLOWER || part->repl.leader != s->leader) {
        /* The image moved on while the request was out. */
    } else if (error == KERR_OFFSET_OUT_OF_RANGE && leader_log_start > log_end_offset(part->plog)) {
        /* The leader deleted what this log needs next (retention or
         * DeleteRecords): start over at the leader's log start, as Kafka. */
        blog_warn("replica fetch of %s-%d from broker %d: the leader's log starts at %lld, past this log's end "
                  "%lld",
                  topic_name, index, s->leader, (long long)leader_log_start, (long long)log_end_offset(part->plog));
        if (log_restart_at(part->plog, leader_log_start) == KERR_NONE) {
            producer_state_truncate(part->pstate, 0);
            replica_state_leader_hw(&part->repl, hw, log_end_offset(part->plog));
        } else {
            session_part_refused(s, topic_name, index);
        }
    } else if (error == KERR_OFFSET_OUT_OF_RANGE) {
        /* This log ends past the leader's: find where they part again. */
        blog_info("replica fetch of %s-%d from broker %d: this log ends past the leader's; asking where they "
                  "diverge",
                  topic_name, index, s->leader);
        part->repl.truncate_pending = true;
    } else if (error != KERR_NONE) {
        blog_info("replica fetch of %s-%d from broker %d: %s", topic_name, index, s->leader, kerr_name((kerr_t)error));
        session_part_refused(s, topic_name, index);
    } else {
        int64_t now = clock_wall_ms();
        size_t at = 0;
        while (len - at >= BATCH_HEADER_SIZE) {
            batch_header_t hdr;
            int32_t length = buf_get_i32(records + at + 8);
            if (length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || batch_total_size(length) > len - at) {
                break; /* the partial batch a size limit cut */
            }
            size_t size = batch_total_size(length);
            if (!batch_is_intact(records + at, size, &hdr)) {
                blog_warn("replica fetch of %s-%d from broker %d: a corrupt batch at offset %lld; fetching "
                          "it again",
                          topic_name, index, s->leader, (long long)buf_get_i64(records + at));
                break;
            }
            int64_t leo = log_end_offset(part->plog);
            if (hdr.base_offset + hdr.last_offset_delta < leo) {
                at += size; /* already here */
                continue;
            }
            if (hdr.base_offset < leo && leo == log_start_offset(part->plog)) {
                /* An empty log started at the leader's log start, which lies
                 * inside this batch (DeleteRecords): it starts where the
                 * batch does, as Kafka's follower. */
                if (log_restart_at(part->plog, hdr.base_offset) != KERR_NONE) {
                    break;
                }
                leo = hdr.base_offset;
            }
            kerr_t err = log_append_replica(part->plog, records + at, size, now);
            if (err != KERR_NONE) {
                blog_warn("replica fetch of %s-%d from broker %d: cannot append the batch at offset %lld with "
                          "the log ending at %lld: %s",
                          topic_name, index, s->leader, (long long)hdr.base_offset, (long long)leo, kerr_name(err));
                break;
            }
            producer_state_update(part->pstate, &hdr, hdr.base_offset);
            at += size;
        }
        replica_state_leader_hw(&part->repl, hw, log_end_offset(part->plog));
    }
    pthread_mutex_unlock(&part->lock);
    topics_read_unlock(f->topics);
}

/*
 * Truncates a follower's divergent tail from the leader's answer to
 * OffsetForLeaderEpoch, as Kafka's AbstractFetcherThread does;
 * replica_state_truncation_offset decides where.
 * @locks takes the registry read lock and the partition lock
 */
static void session_truncate(fetch_session_t *s, const char *topic_name, int32_t index, int16_t error,
                             int32_t leader_epoch, int64_t end_offset)
{
    replica_fetcher_t *f = s->f;
    topics_read_lock(f->topics);
    topic_t *topic = topics_find(f->topics, (kstr_t){topic_name, (int32_t)strlen(topic_name)});
    partition_t *part = topic ? topic_partition(topic, index) : NULL;
    if (!part) {
        topics_read_unlock(f->topics);
        return;
    }
    pthread_mutex_lock(&part->lock);
    replica_state_t *repl = &part->repl;
    if (repl->role != REPLICA_ROLE_FOLLOWER || repl->leader != s->leader || !repl->truncate_pending) {
        /* The image moved on while the request was out. */
    } else if (error != KERR_NONE) {
        blog_info("replica fetcher: OffsetForLeaderEpoch of %s-%d from broker %d: %s; asking again", topic_name, index,
                  s->leader, kerr_name((kerr_t)error));
        session_part_refused(s, topic_name, index);
    } else {
        int64_t leo = log_end_offset(part->plog);
        int32_t mine = -1;
        int64_t my_end = end_offset < 0 ? -1 : log_end_offset_for_epoch(part->plog, leader_epoch, &mine);
        bool done;
        int64_t to = replica_state_truncation_offset(leader_epoch, end_offset, mine, my_end,
                                                     replica_state_high_watermark(repl, leo), &done);
        if (to < leo) {
            blog_warn("partition %s-%d: truncating the log from %lld to %lld, where the leader %d's log "
                      "diverges from it",
                      topic_name, index, (long long)leo, (long long)to, s->leader);
            if (log_truncate(part->plog, to) != KERR_NONE) {
                done = false;
            } else {
                producer_state_truncate(part->pstate, log_end_offset(part->plog));
            }
            replica_state_leader_hw(repl, repl->hw, log_end_offset(part->plog));
        }
        repl->truncate_pending = !done;
    }
    pthread_mutex_unlock(&part->lock);
    topics_read_unlock(f->topics);
}

/* Decodes an OffsetForLeaderEpoch v3 response frame and truncates. */
static bool session_on_epochs(fetch_session_t *s, const uint8_t *frame, size_t len)
{
    buf_reader_t r;
    buf_reader_init(&r, frame, len);
    int32_t correlation_id = buf_read_i32(&r);
    buf_read_i32(&r); /* throttle */
    if (r.err || correlation_id != s->correlation_id) {
        return false;
    }
    int32_t n_topics = buf_read_array_len(&r, false, 6);
    for (int32_t t = 0; t < n_topics && !r.err; t++) {
        char *topic = buf_kstr_dup(buf_read_str(&r, false));
        int32_t n_parts = buf_read_array_len(&r, false, 18);
        for (int32_t p = 0; p < n_parts && !r.err; p++) {
            int16_t error = buf_read_i16(&r);
            int32_t index = buf_read_i32(&r);
            int32_t epoch = buf_read_i32(&r);
            int64_t end_offset = buf_read_i64(&r);
            if (!r.err) {
                session_truncate(s, topic, index, error, epoch, end_offset);
            }
        }
        free(topic);
    }
    return !r.err;
}

/* Decodes a Fetch v5 response frame (after its size) and applies it. */
static bool session_on_response(fetch_session_t *s, const uint8_t *frame, size_t len)
{
    buf_reader_t r;
    buf_reader_init(&r, frame, len);
    int32_t correlation_id = buf_read_i32(&r);
    buf_read_i32(&r); /* throttle */
    if (r.err || correlation_id != s->correlation_id) {
        return false;
    }
    int32_t n_topics = buf_read_array_len(&r, false, 6);
    for (int32_t t = 0; t < n_topics && !r.err; t++) {
        kstr_t name = buf_read_str(&r, false);
        char *topic = buf_kstr_dup(name);
        int32_t n_parts = buf_read_array_len(&r, false, 30);
        for (int32_t p = 0; p < n_parts && !r.err; p++) {
            int32_t index = buf_read_i32(&r);
            int16_t error = buf_read_i16(&r);
            int64_t hw = buf_read_i64(&r);
            buf_read_i64(&r); /* last stable offset */
            int64_t log_start = buf_read_i64(&r);
            int32_t n_aborted = buf_read_i32(&r);
            for (int32_t a = 0; a < n_aborted && !r.err; a++) {
                buf_skip(&r, 16);
            }
            kstr_t records = buf_read_nbytes(&r, false);
            if (!r.err) {
                session_apply(s, topic, index, error, hw, log_start, (const uint8_t *)records.ptr,
                              records.len > 0 ? (size_t)records.len : 0);
            }
        }
        free(topic);
    }
    return !r.err;
}

/* One partition's part of the next request, read under its lock. */
typedef struct send_part {
    const fetch_part_t *fp;
    int64_t leo;
    int64_t log_start;
    int32_t latest_epoch;
    int32_t leader_epoch;
} send_part_t;

/* Writes the partitions of `sp` (sorted by topic) grouped by topic, each
 * by `one`. */
static void write_topics(buf_writer_t *w, const send_part_t *sp, size_t n,
                         void (*one)(buf_writer_t *w, const send_part_t *p))
{
    size_t n_topics = 0;
    for (size_t i = 0; i < n; i++) {
        n_topics += i == 0 || strcmp(sp[i].fp->topic, sp[i - 1].fp->topic) != 0;
    }
    buf_write_i32(w, (int32_t)n_topics);
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end < n && strcmp(sp[end].fp->topic, sp[i].fp->topic) == 0) {
            end++;
        }
        buf_write_str(w, sp[i].fp->topic, false);
        buf_write_i32(w, (int32_t)(end - i));
        for (; i < end; i++) {
            one(w, &sp[i]);
        }
    }
}

static void write_fetch_part(buf_writer_t *w, const send_part_t *p)
{
    buf_write_i32(w, p->fp->index);
    buf_write_i64(w, p->leo);
    buf_write_i64(w, p->log_start);
    buf_write_i32(w, FETCH_PARTITION_MAX_BYTES);
}

static void write_epoch_part(buf_writer_t *w, const send_part_t *p)
{
    buf_write_i32(w, p->fp->index);
    buf_write_i32(w, p->leader_epoch); /* CurrentLeaderEpoch, as the image says */
    buf_write_i32(w, p->latest_epoch);
}

/* Sends the next request: OffsetForLeaderEpoch for the partitions that
 * follow a new leader or epoch, or Fetch for the others at their log end
 * offsets, taking turns when there are both so that neither kind holds up
 * the other; partitions the leader refused a moment ago sit out.
 * @locks takes the registry read lock and partition locks */
static void session_send(fetch_session_t *s)
{
    replica_fetcher_t *f = s->f;
    send_part_t *fetch = xcalloc(s->n_parts + 1, sizeof(*fetch)), *epochs = xcalloc(s->n_parts + 1, sizeof(*epochs));
    size_t n_fetch = 0, n_epochs = 0;
    int64_t now = clock_mono_ms();
    topics_read_lock(f->topics);
    for (size_t i = 0; i < s->n_parts; i++) {
        if (s->parts[i].retry_ms > now) {
            continue;
        }
        topic_t *topic = topics_find(f->topics, (kstr_t){s->parts[i].topic, (int32_t)strlen(s->parts[i].topic)});
        partition_t *part = topic ? topic_partition(topic, s->parts[i].index) : NULL;
        if (!part) {
            continue;
        }
        pthread_mutex_lock(&part->lock);
        send_part_t sp = {.fp = &s->parts[i],
                          .leo = log_end_offset(part->plog),
                          .log_start = log_start_offset(part->plog),
                          .latest_epoch = log_latest_epoch(part->plog),
                          .leader_epoch = part->repl.leader_epoch};
        if (part->repl.truncate_pending && sp.latest_epoch < 0) {
            part->repl.truncate_pending = false; /* an empty log has nothing to cut */
        }
        if (part->repl.truncate_pending) {
            epochs[n_epochs++] = sp;
        } else {
            fetch[n_fetch++] = sp;
        }
        pthread_mutex_unlock(&part->lock);
    }
    topics_read_unlock(f->topics);
    bool ask_epochs = n_epochs > 0 && (n_fetch == 0 || !s->in_flight_epochs);
    if (!ask_epochs && n_fetch == 0) {
        free(fetch);
        free(epochs);
        s->next_ms = now + RETRY_MS; /* no local log yet, or all refused: the tick tries again */
        return;
    }
    buf_writer_t w;
    buf_writer_init(&w, 256);
    buf_write_i32(&w, 0); /* the size, patched below */
    buf_write_i16(&w, ask_epochs ? API_KEY_OFFSET_FOR_LEADER_EPOCH : API_KEY_FETCH);
    buf_write_i16(&w, ask_epochs ? EPOCH_VERSION : FETCH_VERSION);
    buf_write_i32(&w, ++s->correlation_id);
    char client_id[48];
    snprintf(client_id, sizeof(client_id), "connectd-replica-fetcher-%d", f->cfg->node_id);
    buf_write_str(&w, client_id, false);
    buf_write_i32(&w, f->cfg->node_id); /* ReplicaId: this is a follower */
    if (ask_epochs) {
        write_topics(&w, epochs, n_epochs, write_epoch_part);
    } else {
        buf_write_i32(&w, FETCH_WAIT_MS);
        buf_write_i32(&w, 1);
        buf_write_i32(&w, FETCH_MAX_BYTES);
        buf_write_i8(&w, 0);
        write_topics(&w, fetch, n_fetch, write_fetch_part);
    }
    free(fetch);
    free(epochs);
    s->in_flight_epochs = ask_epochs;
    size_t len;
    uint8_t *data = buf_writer_steal(&w, &len);
    buf_put_i32(data, (int32_t)(len - 4));
    session_write_t *sw = xcalloc(1, sizeof(*sw));
    sw->data = data;
    sw->req.data = sw;
    uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
    if (uv_write(&sw->req, (uv_stream_t *)s->tcp, &buf, 1, session_written) != 0) {
        free(data);
        free(sw);
        session_disconnect(s);
        return;
    }
    s->in_flight = true;
    s->sent_ms = clock_mono_ms();
}

static void session_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    fetch_session_t *s = handle->data;
    if (s->in_cap - s->in_len < 65536) {
        s->in_cap = s->in_cap ? s->in_cap * 2 : 65536 * 2;
        s->in = xrealloc(s->in, s->in_cap);
    }
    *buf = uv_buf_init((char *)s->in + s->in_len, (unsigned)(s->in_cap - s->in_len));
}

static void session_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    fetch_session_t *s = stream->data;
    if (nread < 0) {
        blog_info("replica fetcher: the connection to broker %d closed: %s", s->leader, uv_strerror((int)nread));
        session_disconnect(s);
        return;
    }
    s->in_len += (size_t)nread;
    if (s->in_len < 4) {
        return;
    }
    int32_t size = buf_get_i32(s->in);
    if (size < 0 || size > MAX_FRAME) {
        blog_warn("replica fetcher: broker %d sent a frame of %d bytes", s->leader, size);
        session_disconnect(s);
        return;
    }
    if (s->in_len < 4 + (size_t)size) {
        return;
    }
    /* One request is out at a time, so the frame is the whole input. */
    bool ok = s->in_flight_epochs ? session_on_epochs(s, s->in + 4, (size_t)size)
                                  : session_on_response(s, s->in + 4, (size_t)size);
    s->in_flight = false;
    s->in_len = 0;
    if (!ok) {
        blog_warn("replica fetcher: broker %d sent a malformed %s response", s->leader,
                  s->in_flight_epochs ? "OffsetForLeaderEpoch" : "Fetch");
        session_disconnect(s);
        return;
    }
    if (s->in_cap > (4u << 20)) {
        free(s->in); /* a large response's buffer is not kept */
        s->in = NULL;
        s->in_cap = 0;
    }
    session_send(s);
}

static void session_connected(uv_connect_t *req, int status)
{
    fetch_session_t *s = req->data;
    free(req);
    if (!s) {
        return; /* dropped meanwhile */
    }
    s->connect_req = NULL;
    if (status < 0) {
        blog_info("replica fetcher: cannot connect to broker %d at %s:%d: %s", s->leader, s->host, s->port,
                  uv_strerror(status));
        session_disconnect(s);
        return;
    }
    s->connected = true;
    uv_tcp_nodelay(s->tcp, 1);
    uv_read_start((uv_stream_t *)s->tcp, session_alloc, session_read);
    session_send(s);
}

static void session_connect(fetch_session_t *s)
{
    replica_fetcher_t *f = s->f;
    char port[16];
    snprintf(port, sizeof(port), "%d", s->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST}, *res;
    if (getaddrinfo(s->host[0] ? s->host : "127.0.0.1", port, &hints, &res) != 0) {
        blog_warn("replica fetcher: broker %d's address %s is not numeric; only numeric hosts are resolved "
                  "without blocking",
                  s->leader, s->host);
        s->next_ms = clock_mono_ms() + BACKOFF_MS;
        return;
    }
    s->tcp = xcalloc(1, sizeof(*s->tcp));
    uv_tcp_init(f->loop, s->tcp);
    f->handles++;
    s->tcp->data = s;
    uv_connect_t *req = xcalloc(1, sizeof(*req));
    req->data = s;
    int rc = uv_tcp_connect(req, s->tcp, res->ai_addr, session_connected);
    freeaddrinfo(res);
    if (rc != 0) {
        free(req);
        session_disconnect(s);
    } else {
        s->connect_req = req;
    }
}

static void isr_check(replica_fetcher_t *f, int64_t now);

static void on_tick(uv_timer_t *timer)
{
    replica_fetcher_t *f = timer->data;
    int64_t now = clock_mono_ms();
    if (now - f->last_isr_check_ms >= ISR_CHECK_MS) {
        f->last_isr_check_ms = now;
        isr_check(f, now);
    }
    for (fetch_session_t *s = f->sessions; s; s = s->next) {
        if (!s->tcp) {
            if (now >= s->next_ms) {
                session_connect(s);
            }
        } else if (s->connected && !s->in_flight && now >= s->next_ms) {
            session_send(s);
        } else if (s->in_flight && now - s->sent_ms > REQUEST_TIMEOUT_MS) {
            blog_warn("replica fetcher: no Fetch answer from broker %d in %d ms; connecting again", s->leader,
                      REQUEST_TIMEOUT_MS);
            session_disconnect(s);
        }
    }
}

/* ---- roles and sessions from the image -------------------------------------------- */

typedef struct want_leader {
    int32_t id;
    char *host;
    int port;
} want_leader_t;

static void parts_free(want_part_t *parts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(parts[i].topic);
        free(parts[i].replicas);
        free(parts[i].isr);
    }
    free(parts);
}

static bool ids_same_set(const int32_t *a, int32_t n_a, const int32_t *b, int32_t n_b)
{
    if (n_a != n_b) {
        return false;
    }
    for (int32_t i = 0; i < n_a; i++) {
        bool found = false;
        for (int32_t j = 0; j < n_b && !found; j++) {
            found = a[i] == b[j];
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

/*
 * The leader's side of ISR changes (Kafka's Partition.maybeShrinkIsr and
 * maybeExpandIsr): for each partition this node leads, the ISR its
 * followers' progress calls for (replica_state_isr_wanted), asked of the
 * controller when it differs from the image's.  A request is not repeated
 * while the image has not moved, for a few seconds.
 */
static void isr_check(replica_fetcher_t *f, int64_t now)
{
    int32_t self = f->cfg->node_id;
    topics_read_lock(f->topics);
    for (size_t i = 0; i < f->n_parts; i++) {
        want_part_t *w = &f->parts[i];
        if (w->leader != self || (w->alter_epoch == w->partition_epoch && now - w->alter_ms < ISR_CHANGE_RETRY_MS)) {
            continue;
        }
        topic_t *topic = topics_find(f->topics, (kstr_t){w->topic, (int32_t)strlen(w->topic)});
        partition_t *part = topic ? topic_partition(topic, w->index) : NULL;
        if (!part) {
            continue;
        }
        int32_t *isr = xcalloc((size_t)w->n_isr + (size_t)w->n_replicas + 1, sizeof(*isr));
        pthread_mutex_lock(&part->lock);
        int32_t n = part->repl.role == REPLICA_ROLE_LEADER && part->repl.leader_epoch == w->leader_epoch
                        ? replica_state_isr_wanted(&part->repl, self, w->isr, w->n_isr, log_end_offset(part->plog),
                                                   clock_wall_ms(), f->cfg->replica_lag_time_max_ms, isr)
                        : -1;
        pthread_mutex_unlock(&part->lock);
        if (n > 0 && !ids_same_set(isr, n, w->isr, w->n_isr)) {
            blog_info("partition %s-%d: asking the controller to change the ISR from %d to %d replica(s)", w->topic,
                      w->index, w->n_isr, n);
            quorum_alter_partition(f->q, &w->topic_id, w->index, w->leader_epoch, w->partition_epoch, isr, n);
            w->alter_epoch = w->partition_epoch;
            w->alter_ms = now;
        }
        free(isr);
    }
    topics_read_unlock(f->topics);
}

static int32_t *ids_dup(const int32_t *ids, int32_t n)
{
    int32_t *copy = xcalloc((size_t)n + 1, sizeof(*copy));
    memcpy(copy, ids, sizeof(*copy) * (size_t)n);
    return copy;
}

static int part_cmp(const void *a, const void *b)
{
    const fetch_part_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static fetch_session_t *session_find(replica_fetcher_t *f, int32_t leader)
{
    for (fetch_session_t *s = f->sessions; s; s = s->next) {
        if (s->leader == leader) {
            return s;
        }
    }
    return NULL;
}

bool replica_fetcher_sync(replica_fetcher_t *f)
{
    int32_t self = f->cfg->node_id;
    const char *listener = f->cfg->inter_broker_listener_name ? f->cfg->inter_broker_listener_name : "PLAINTEXT";
    /* The image is copied first: nothing may be taken under its lock. */
    want_part_t *parts = NULL;
    size_t n_parts = 0;
    want_leader_t *leaders = NULL;
    size_t n_leaders = 0;
    quorum_read_lock(f->q);
    const meta_image_t *img = quorum_image(f->q);
    for (size_t t = 0; t < meta_image_topic_count(img); t++) {
        const meta_topic_t *mt = meta_image_topic_at(img, t);
        for (int32_t p = 0; p < mt->n_parts; p++) {
            const meta_partition_t *mp = &mt->parts[p];
            if (mp->n_replicas == 0) {
                continue;
            }
            parts = xrealloc(parts, (n_parts + 1) * sizeof(*parts));
            parts[n_parts++] = (want_part_t){.topic = xstrdup(mt->name),
                                             .topic_id = mt->id,
                                             .index = p,
                                             .leader = mp->leader,
                                             .leader_epoch = mp->leader_epoch,
                                             .partition_epoch = mp->partition_epoch,
                                             .alter_epoch = -1,
                                             .replicas = ids_dup(mp->replicas, mp->n_replicas),
                                             .n_replicas = mp->n_replicas,
                                             .isr = ids_dup(mp->isr, mp->n_isr),
                                             .n_isr = mp->n_isr};
        }
    }
    for (size_t i = 0; i < meta_image_broker_count(img); i++) {
        const meta_broker_t *b = meta_image_broker_at(img, i);
        for (int32_t e = 0; e < b->n_endpoints && b->id != self; e++) {
            if (strcmp(b->endpoints[e].name, listener) == 0 || b->n_endpoints == 1) {
                leaders = xrealloc(leaders, (n_leaders + 1) * sizeof(*leaders));
                leaders[n_leaders++] = (want_leader_t){
                    .id = b->id, .host = xstrdup(b->endpoints[e].host), .port = b->endpoints[e].port};
                break;
            }
        }
    }
    quorum_read_unlock(f->q);

    /* Every local partition takes its role; a fenced node leads nothing. */
    bool fenced = quorum_is_fenced(f->q);
    bool changed = false;
    int64_t now = clock_wall_ms();
    bool *follows = xcalloc(n_parts + 1, sizeof(*follows));
    topics_read_lock(f->topics);
    for (size_t i = 0; i < n_parts; i++) {
        want_part_t *w = &parts[i];
        topic_t *topic = topics_find(f->topics, (kstr_t){w->topic, (int32_t)strlen(w->topic)});
        partition_t *part = topic ? topic_partition(topic, w->index) : NULL;
        if (!part) {
            continue;
        }
        pthread_mutex_lock(&part->lock);
        replica_role_t was = part->repl.role;
        int32_t was_leader = part->repl.leader, was_epoch = part->repl.leader_epoch, was_isr = part->repl.n_isr;
        replica_state_become(&part->repl, self, w->replicas, w->n_replicas, w->isr, w->n_isr,
                             fenced && w->leader == self ? -1 : w->leader, w->leader_epoch, log_end_offset(part->plog),
                             now);
        if (part->repl.role == REPLICA_ROLE_LEADER) {
            log_assign_epoch(part->plog, w->leader_epoch);
        }
        if (was != part->repl.role || was_leader != w->leader || was_epoch != w->leader_epoch || was_isr != w->n_isr) {
            changed = true;
            blog_info("partition %s-%d: %s, leader %d at epoch %d, ISR of %d", w->topic, w->index,
                      part->repl.role == REPLICA_ROLE_LEADER     ? "leader"
                      : part->repl.role == REPLICA_ROLE_FOLLOWER ? "follower"
                                                                 : "offline",
                      w->leader, w->leader_epoch, w->n_isr);
        }
        follows[i] = part->repl.role == REPLICA_ROLE_FOLLOWER;
        pthread_mutex_unlock(&part->lock);
    }
    topics_read_unlock(f->topics);

    /* The sessions: one per leader this node follows. */
    fetch_session_t *kept = NULL;
    for (size_t l = 0; l < n_leaders; l++) {
        size_t n = 0;
        fetch_part_t *fps = NULL;
        for (size_t i = 0; i < n_parts; i++) {
            if (follows[i] && parts[i].leader == leaders[l].id) {
                fps = xrealloc(fps, (n + 1) * sizeof(*fps));
                fps[n++] = (fetch_part_t){.topic = xstrdup(parts[i].topic), .index = parts[i].index};
            }
        }
        if (n == 0) {
            continue;
        }
        qsort(fps, n, sizeof(*fps), part_cmp);
        fetch_session_t *s = session_find(f, leaders[l].id);
        if (s) {
            /* Unlinked from the old list, into the new one. */
            fetch_session_t **pp = &f->sessions;
            while (*pp != s) {
                pp = &(*pp)->next;
            }
            *pp = s->next;
            if (strcmp(s->host, leaders[l].host) != 0 || s->port != leaders[l].port) {
                session_disconnect(s);
                s->next_ms = 0;
                free(s->host);
                s->host = xstrdup(leaders[l].host);
                s->port = leaders[l].port;
            }
            for (size_t i = 0; i < s->n_parts; i++) {
                free(s->parts[i].topic);
            }
            free(s->parts);
        } else {
            s = xcalloc(1, sizeof(*s));
            s->f = f;
            s->leader = leaders[l].id;
            s->host = xstrdup(leaders[l].host);
            s->port = leaders[l].port;
            blog_info("replica fetcher: fetching from broker %d at %s:%d", s->leader, s->host, s->port);
        }
        s->parts = fps;
        s->n_parts = n;
        s->next = kept;
        kept = s;
    }
    while (f->sessions) {
        fetch_session_t *s = f->sessions;
        f->sessions = s->next;
        blog_info("replica fetcher: no longer fetching from broker %d", s->leader);
        session_free(s);
    }
    f->sessions = kept;

    /* What was asked for, carried over to the partitions still there. */
    for (size_t i = 0; i < n_parts; i++) {
        for (size_t o = 0; o < f->n_parts; o++) {
            if (f->parts[o].index == parts[i].index && strcmp(f->parts[o].topic, parts[i].topic) == 0) {
                parts[i].alter_epoch = f->parts[o].alter_epoch;
                parts[i].alter_ms = f->parts[o].alter_ms;
            }
        }
    }
    parts_free(f->parts, f->n_parts);
    f->parts = parts;
    f->n_parts = n_parts;
    free(follows);
    for (size_t l = 0; l < n_leaders; l++) {
        free(leaders[l].host);
    }
    free(leaders);
    return changed;
}

/* ---- life cycle -------------------------------------------------------------------- */

replica_fetcher_t *replica_fetcher_create(uv_loop_t *loop, const broker_config_t *cfg, topics_t *topics, quorum_t *q)
{
    replica_fetcher_t *f = xcalloc(1, sizeof(*f));
    f->loop = loop;
    f->cfg = cfg;
    f->topics = topics;
    f->q = q;
    uv_timer_init(loop, &f->tick);
    f->tick.data = f;
    f->handles++;
    uv_timer_start(&f->tick, on_tick, TICK_MS, TICK_MS);
    return f;
}

static void tick_closed(uv_handle_t *handle)
{
    replica_fetcher_t *f = handle->data;
    f->handles--;
    fetcher_maybe_free(f);
}

void replica_fetcher_destroy(replica_fetcher_t *f)
{
    if (!f) {
        return;
    }
    f->closing = true;
    parts_free(f->parts, f->n_parts);
    f->parts = NULL;
    f->n_parts = 0;
    while (f->sessions) {
        fetch_session_t *s = f->sessions;
        f->sessions = s->next;
        session_free(s);
    }
    uv_timer_stop(&f->tick);
    uv_close((uv_handle_t *)&f->tick, tick_closed);
}
