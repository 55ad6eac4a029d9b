/*
 * The media benchmark's far end in C (bench/media.ts compiles it with the system's cc when there is one): one UDP
 * socket per call that sends every RTP packet straight back to where it came from, as bench/media-far-end.ts does,
 * at a fraction of its CPU. On a two-core machine the Node far end took 70% of a core for 1,000 calls (50,000
 * packets a second each way), and its scheduling, not our engine, decided the send timers' lateness; a carrier's
 * media server is not on the dialer's cores.
 *
 * Commands, one per line on stdin, each answered by one line on stdout:
 *   open N                -> opened P1 ... PN      binds N sockets on 127.0.0.1 (ports chosen by the kernel)
 *   connect Q1 ... QN     -> connected             socket i echoes to 127.0.0.1:Qi from now on
 * End of input (or "close") ends the process.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SOCKETS 20000
#define MAX_LINE (MAX_SOCKETS * 7 + 64)

static int sockets[MAX_SOCKETS];
static int socket_count;
static int epoll_fd;
static char line[MAX_LINE];
static size_t line_length;

static void fail(const char *what) {
  perror(what);
  exit(1);
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

static void open_sockets(int count) {
  if (count < 0 || count > MAX_SOCKETS) {
    fprintf(stderr, "media far end: cannot open %d sockets (at most %d)\n", count, MAX_SOCKETS);
    exit(1);
  }
  printf("opened");
  for (int i = 0; i < count; i++) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) fail("socket");
    int buffer_bytes = 1024 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
    struct sockaddr_in address = loopback(0);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) fail("bind");
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) < 0) fail("getsockname");
    sockets[socket_count++] = fd;
    printf(" %d", ntohs(address.sin_port));
  }
  printf("\n");
  fflush(stdout);
}

static void connect_sockets(char *ports) {
  for (int i = 0; i < socket_count; i++) {
    char *end;
    long port = strtol(ports, &end, 10);
    if (end == ports || port <= 0 || port > 65535) {
      fprintf(stderr, "media far end: connect needs %d ports\n", socket_count);
      exit(1);
    }
    ports = end;
    struct sockaddr_in address = loopback((int)port);
    if (connect(sockets[i], (struct sockaddr *)&address, sizeof address) < 0) fail("connect");
    struct epoll_event event = {.events = EPOLLIN, .data = {.fd = sockets[i]}};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, sockets[i], &event) < 0) fail("epoll_ctl");
  }
  printf("connected\n");
  fflush(stdout);
}

/* Runs the complete lines read so far; returns 0 when the input says to stop. */
static int run_commands(void) {
  char *newline;
  while ((newline = memchr(line, '\n', line_length)) != NULL) {
    *newline = '\0';
    int keep_going = 1;
    if (strncmp(line, "open ", 5) == 0) open_sockets(atoi(line + 5));
    else if (strncmp(line, "connect", 7) == 0) connect_sockets(line + 7);
    else if (strcmp(line, "close") == 0) keep_going = 0;
    size_t used = (size_t)(newline - line) + 1;
    memmove(line, newline + 1, line_length - used);
    line_length -= used;
    if (!keep_going) return 0;
  }
  return 1;
}

static void echo(int fd) {
  unsigned char packet[2048];
  for (;;) {
    ssize_t length = recv(fd, packet, sizeof packet, 0);
    if (length < 0) return; /* EAGAIN: drained; ECONNREFUSED: our side closed its port */
    (void)send(fd, packet, (size_t)length, 0);
  }
}

int main(void) {
  epoll_fd = epoll_create1(0);
  if (epoll_fd < 0) fail("epoll_create1");
  struct epoll_event input = {.events = EPOLLIN, .data = {.fd = STDIN_FILENO}};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, STDIN_FILENO, &input) < 0) fail("epoll_ctl stdin");
  struct epoll_event events[256];
  for (;;) {
    int ready = epoll_wait(epoll_fd, events, 256, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait");
    }
    for (int i = 0; i < ready; i++) {
      int fd = events[i].data.fd;
      if (fd != STDIN_FILENO) {
        echo(fd);
        continue;
      }
      if (line_length == sizeof line) {
        fprintf(stderr, "media far end: command line too long\n");
        return 1;
      }
      ssize_t got = read(STDIN_FILENO, line + line_length, sizeof line - line_length);
      if (got <= 0) return 0;
      line_length += (size_t)got;
      if (!run_commands()) return 0;
    }
  }
}
