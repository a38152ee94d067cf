/*
 * herder_claim.c - one running worker per worker.id.
 *
 * Workers that share a cluster keep their records apart by worker.id
 * (herder.c, "the records of one worker"); two running with the same id
 * would restore and run the same connectors, the very thing worker.id
 * prevents.  That happens by mistake: the same worker file on two hosts,
 * or two hosts with one host name (containers) and the same REST port, the
 * default id being <host name>:<REST port>.  So a worker with a worker.id
 * writes a claim to the config topic at start and tombstones it at a clean
 * stop:
 *
 *   "host:8083/worker" -> {"host":"host","boot_id":"4f1e...","pid":4242,
 *                          "start_time":123456,"since":1700000000000}
 *
 * A claim left by a worker that is still running on this host (same host
 * name and boot id, its pid running with the same start time, so a reused
 * pid is not taken for it) refuses the start.  A claim from another host,
 * or from before a reboot, cannot be judged from here (its worker may
 * have crashed): the start goes on with a warning naming it.  A claim of a
 * worker that died on this host (kill -9) is taken over quietly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "blog.h"
#include "clock.h"
#include "herder_internal.h"

/* The start time of process `pid` in clock ticks after boot (field 22 of
 * /proc/<pid>/stat), or -1 when there is no such process. */
static long long process_start_time(long pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: count
     * from the last ')', after which field 3 starts. */
    const char *p = strrchr(text, ')');
    for (int field = 2; p && field < 22; field++) {
        p = strchr(p + 1, ' ');
    }
    return p ? strtoll(p + 1, NULL, 10) : -1;
}

/* This kernel's boot id (changes at every boot), or "". */
static void boot_id(char *id, size_t id_size)
{
    id[0] = '\0';
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (f) {
        if (fgets(id, (int)id_size, f)) {
            id[strcspn(id, "\n")] = '\0';
        }
        fclose(f);
    }
}

static void host_name(char *host, size_t host_size)
{
    if (gethostname(host, host_size) < 0) {
        snprintf(host, host_size, "localhost");
    }
    host[host_size - 1] = '\0';
}

/* The worker.id without the '/' that ends the scope, for messages. */
static int id_len(const herder_t *h)
{
    return (int)strlen(h->scope) - 1;
}

int herder_claim_check(herder_t *h, const char *stored, size_t stored_len, char *errstr, size_t errstr_size)
{
    json_t *doc = stored ? json_loadb(stored, stored_len, 0, NULL) : NULL;
    if (!doc) {
        return 0; /* never taken, or released by a clean stop */
    }
    const char *host = json_string_value(json_object_get(doc, "host"));
    for (const char *c = host; c && *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            /* Any broker client can write the config topic: a claim whose
             * host would forge log lines is not believed. */
            host = NULL;
            break;
        }
    }
    const char *boot = json_string_value(json_object_get(doc, "boot_id"));
    long pid = (long)json_integer_value(json_object_get(doc, "pid"));
    long long start = json_integer_value(json_object_get(doc, "start_time"));
    char my_host[256], my_boot[64];
    host_name(my_host, sizeof(my_host));
    boot_id(my_boot, sizeof(my_boot));
    int rc = 0;
    if (host && boot && strcmp(host, my_host) == 0 && strcmp(boot, my_boot) == 0) {
        if (pid != (long)getpid() && pid > 0 && process_start_time(pid) == start) {
            snprintf(errstr, errstr_size,
                     "worker.id %.*s is in use by another worker on this host (pid %ld): two workers with one "
                     "worker.id on one cluster would run each other's connectors; give this worker its own "
                     "worker.id (unset, with bootstrap.servers, it is <host name>:<REST port>)",
                     id_len(h), h->scope, pid);
            rc = -1;
        } else {
            blog_info("worker.id %.*s: the previous worker with this id (pid %ld) did not stop cleanly; taking "
                      "over its connectors",
                      id_len(h), h->scope, pid);
        }
    } else {
        blog_warn("worker.id %.*s was taken by a worker on host %s (pid %ld) that has not stopped cleanly: if it "
                  "still runs, both workers run the same connectors; give each worker its own worker.id",
                  id_len(h), h->scope, host ? host : "?", pid);
    }
    json_decref(doc);
    return rc;
}

void herder_claim_write(herder_t *h)
{
    char host[256], boot[64], key[512], err[512];
    host_name(host, sizeof(host));
    boot_id(boot, sizeof(boot));
    json_t *doc = json_pack("{sssssIsIsI}", "host", host, "boot_id", boot, "pid", (json_int_t)getpid(), "start_time",
                            (json_int_t)process_start_time((long)getpid()), "since", (json_int_t)clock_wall_ms());
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    herder_key(h, key, sizeof(key), "worker");
    if (kvtopic_write(h->configs, key, strlen(key), text, strlen(text), err, sizeof(err)) < 0) {
        blog_warn("cannot record that this worker runs with worker.id %.*s: %s", id_len(h), h->scope, err);
    } else {
        h->claimed = true;
    }
    free(text);
}

void herder_claim_release(herder_t *h)
{
    if (!h->claimed) {
        return;
    }
    char key[512], err[512];
    herder_key(h, key, sizeof(key), "worker");
    if (kvtopic_write(h->configs, key, strlen(key), NULL, 0, err, sizeof(err)) < 0) {
        blog_warn("cannot release worker.id %.*s: %s", id_len(h), h->scope, err);
    }
    h->claimed = false;
}
