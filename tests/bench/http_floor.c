/*
 * http_floor.c - the baseline of run-rest-bench.sh: the least an HTTP
 * server can do for `GET /connectors/{c}/status`.  One thread, epoll,
 * keep-alive, and a response fixed at start-up (the status body the worker
 * returned), so a request costs one read and one write.  Whatever latency
 * and pipeline slowdown wrk still sees against this server on the same
 * cores is the floor the machine sets; connectd's REST is measured against
 * it.
 *
 *   http_floor PORT_FILE BODY_FILE
 *
 * Listens on an ephemeral loopback port, writes the port to PORT_FILE and
 * serves until killed.  Only what wrk sends is understood: requests
 * without a body, at most one in flight per connection.
 */
#define _GNU_SOURCE /* accept4, memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "floor_util.h"

#define MAX_EVENTS 64
#define REQ_BUF 8192

/* "HTTP/1.1 200 OK" with the body of BODY_FILE, built once. */
static char *load_response(const char *body_file, size_t *len)
{
    FILE *f = fopen(body_file, "rb");
    if (!f) {
        die(body_file);
    }
    static char body[65536];
    size_t n = fread(body, 1, sizeof(body), f);
    fclose(f);
    char *resp = malloc(n + 256);
    int head = snprintf(resp, 256, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", n);
    memcpy(resp + head, body, n);
    *len = (size_t)head + n;
    return resp;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: http_floor PORT_FILE BODY_FILE\n");
        return 2;
    }
    size_t resp_len;
    char *resp = load_response(argv[2], &resp_len);
    int lfd = listen_loopback(argv[1]);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    char buf[REQ_BUF];
    for (;;) {
        struct epoll_event events[MAX_EVENTS];
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int one = 1;
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            ssize_t got = read(fd, buf, sizeof(buf));
            if (got <= 0) {
                if (got < 0 && errno == EAGAIN) {
                    continue;
                }
                close(fd);
                continue;
            }
            /* One response per request head in what was read. */
            for (char *p = buf; (p = memmem(p, (size_t)(buf + got - p), "\r\n\r\n", 4)); p += 4) {
                if (write(fd, resp, resp_len) != (ssize_t)resp_len) {
                    close(fd);
                    break;
                }
            }
        }
    }
}
