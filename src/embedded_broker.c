/* embedded_broker.c - the standalone worker's in-process broker; see embedded_broker.h. */
#include "embedded_broker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "broker.h"
#include "broker_props.h"
#include "metrics.h"

struct embedded_broker {
    uv_loop_t loop;
    uv_async_t stop;
    broker_t *broker;
    pthread_t thread;
    char data_dir[4096]; /* the first of log.dirs */
};

/* GET /metrics shows the embedded broker's families after the worker's. */
static void collect_metrics(void *opaque, metrics_text_t *out)
{
    embedded_broker_t *eb = opaque;
    broker_write_metrics(eb->broker, out);
}

static void on_stop(uv_async_t *async)
{
    embedded_broker_t *eb = async->data;
    broker_destroy(eb->broker);
    eb->broker = NULL;
    uv_close((uv_handle_t *)&eb->stop, NULL);
}

static void *broker_thread(void *arg)
{
    embedded_broker_t *eb = arg;
    uv_run(&eb->loop, UV_RUN_DEFAULT);
    return NULL;
}

/* The address clients on this host use to reach a listener "PLAINTEXT://host:port". */
static void bootstrap_of(const char *listeners, int port, char *out, size_t size)
{
    const char *host = strstr(listeners, "://");
    host = host ? host + 3 : listeners;
    size_t len = strcspn(host, ":,");
    if (len == 0 || (len == 7 && strncmp(host, "0.0.0.0", 7) == 0)) {
        snprintf(out, size, "127.0.0.1:%d", port);
    } else {
        snprintf(out, size, "%.*s:%d", (int)len, host, port);
    }
}

embedded_broker_t *embedded_broker_start(const properties_t *worker_props, char *bootstrap, size_t bootstrap_size,
                                         int *usage_error, char *errstr, size_t errstr_size)
{
    *usage_error = 0;
    /* A broker inside a worker serves that worker first: loopback unless
     * broker.listeners says otherwise, where `connectd broker` keeps Kafka's
     * every-interface default.  Its clients have no authentication to pass,
     * so reaching it from other hosts has to be asked for. */
    properties_t *defaults = properties_create();
    properties_set(defaults, "listeners", EMBEDDED_BROKER_LISTENERS);
    broker_config_t *cfg = broker_config_from_props(worker_props, "broker.", defaults, errstr, errstr_size);
    properties_destroy(defaults);
    if (!cfg) {
        *usage_error = 1;
        return NULL;
    }
    embedded_broker_t *eb = calloc(1, sizeof(*eb));
    if (!eb) {
        abort();
    }
    char listeners[256];
    snprintf(listeners, sizeof(listeners), "%s", cfg->listeners);
    snprintf(eb->data_dir, sizeof(eb->data_dir), "%.*s", (int)strcspn(cfg->log_dirs, ","), cfg->log_dirs);
    uv_loop_init(&eb->loop);
    eb->broker = broker_create(&eb->loop, cfg, errstr, errstr_size);
    if (!eb->broker) {
        uv_loop_close(&eb->loop);
        free(eb);
        return NULL;
    }
    bootstrap_of(listeners, broker_port(eb->broker), bootstrap, bootstrap_size);
    uv_async_init(&eb->loop, &eb->stop, on_stop);
    eb->stop.data = eb;
    pthread_create(&eb->thread, NULL, broker_thread, eb);
    metrics_collector_add(collect_metrics, eb);
    return eb;
}

const char *embedded_broker_data_dir(const embedded_broker_t *eb)
{
    return eb->data_dir;
}

void embedded_broker_stop(embedded_broker_t *eb)
{
    if (!eb) {
        return;
    }
    metrics_collector_remove(collect_metrics, eb); /* waits for a scrape under way */
    uv_async_send(&eb->stop);
    pthread_join(eb->thread, NULL);
    uv_run(&eb->loop, UV_RUN_DEFAULT); /* let the closed handles finish */
    uv_loop_close(&eb->loop);
    free(eb);
}
