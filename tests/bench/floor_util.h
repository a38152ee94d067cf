/*
 * floor_util.h - what the benchmarks' stand-in servers (es_floor.c,
 * http_floor.c) share: the exit on a failed call and the loopback listener
 * whose port a run script reads from a file.  Header-only, so each builds
 * from one command line.
 */
#ifndef CONNECTD_FLOOR_UTIL_H
#define CONNECTD_FLOOR_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static inline void die(const char *what)
{
    perror(what);
    exit(1);
}

/* A non-blocking listener on 127.0.0.1 and a free port, written to
 * port_file once it listens. */
static inline int listen_loopback(const char *port_file)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 512) ||
        getsockname(fd, (struct sockaddr *)&addr, &alen)) {
        die("listen");
    }
    FILE *f = fopen(port_file, "w");
    if (!f) {
        die(port_file);
    }
    fprintf(f, "%d\n", ntohs(addr.sin_port));
    fclose(f);
    return fd;
}

#endif
