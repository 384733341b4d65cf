/*
 * syslog_conn.c - the syslog sender (syslog.h): one socket to /dev/log, a
 * UDP or a TCP receiver, a bounded queue in front of it, and a pump the
 * export loop calls; nothing here ever blocks that loop.
 *
 * Every frame goes through the queue.  ws_syslog_send appends it and, when
 * the socket is up, writes what the socket takes right away; the rest waits
 * for ws_syslog_pump.  A frame that does not fit (queue_bytes, queue_msgs)
 * is dropped and counted, never lost without a count.
 *
 * TCP (RFC 6587 octet counting) keeps written frames in the queue until the
 * peer's TCP has acknowledged all of their bytes (SIOCOUTQ: bytes written
 * but not yet acknowledged).  When the connection breaks, the unacknowledged
 * frames are written again, whole, on the next connection: the receiver
 * threw away any partial frame with the old connection, so nothing is lost
 * that the sender could know about, and a frame is duplicated only when
 * an acknowledgement was still in flight at the break.  What a peer
 * acknowledged but its application never read (a receiver killed with
 * unread data) cannot be seen from here.
 *
 * Reconnects wait backoff_min_ms, doubling after each failure up to
 * backoff_max_ms; a successful connect resets the delay.  UDP and datagram
 * /dev/log frames leave the queue once the kernel took them; a datagram
 * socket reports an ICMP port unreachable on a later send, counted as lost.
 * /dev/log is a datagram socket, or a stream socket with NUL-terminated
 * frames (as glibc's syslog(3)) when the receiver listens on one.
 */
#include "export/syslog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define REC_HDR 4u   /* uint32 frame length before each queued frame */

void ws_syslog_opts_default(ws_syslog_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->queue_bytes = 4u << 20;
    o->queue_msgs = 65536;
    o->max_len = WS_SYSLOG_5424_MAX;
    o->backoff_min_ms = 100;
    o->backoff_max_ms = 30000;
    o->connect_timeout_ms = 5000;
    o->sndbuf = 262144;
    o->local_path = "/dev/log";
    o->sd = true;
    o->bom = false;
    o->sev[0] = 3;
    o->sev[1] = 1;
    o->sev[2] = 2;
    o->sev[3] = 3;
    o->sev[4] = 4;
}

/* ---- target --------------------------------------------------------- */

static int parse_target(ws_syslog_conn_t *c, const char *target, ws_err_t *err)
{
    char host[WS_PATH_LEN], *port;
    struct addrinfo hints, *res = NULL;
    const char *rest;
    int rc;

    if (strcmp(target, "local") == 0 || target[0] == '/') {
        struct sockaddr_un sun;
        const char *path = target[0] == '/' ? target : c->opts.local_path;
        if (strlen(path) >= sizeof(sun.sun_path))
            return ws_err_set(err, "syslog: socket path too long: %s", path);
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        strcpy(sun.sun_path, path);
        memcpy(c->addr.bytes, &sun, sizeof(sun));
        c->addr.len = (unsigned)sizeof(sun);
        c->addr.family = AF_UNIX;
        c->kind = WS_SYSLOG_TO_LOCAL;
        c->socktype = SOCK_DGRAM;
        return 0;
    }
    if (strncmp(target, "udp://", 6) == 0) {
        c->kind = WS_SYSLOG_TO_UDP;
        c->socktype = SOCK_DGRAM;
    } else if (strncmp(target, "tcp://", 6) == 0) {
        c->kind = WS_SYSLOG_TO_TCP;
        c->socktype = SOCK_STREAM;
    } else {
        return ws_err_set(err, "syslog: target \"%s\": expected \"local\", "
                          "\"udp://HOST:PORT\" or \"tcp://HOST:PORT\"", target);
    }
    rest = target + 6;
    snprintf(host, sizeof(host), "%s", rest);
    if (host[0] == '[') {                      /* [v6addr]:port */
        char *close = strchr(host, ']');
        if (close == NULL || close[1] != ':')
            return ws_err_set(err, "syslog: target \"%s\": bad [IPv6]:PORT", target);
        *close = '\0';
        port = close + 2;
        memmove(host, host + 1, strlen(host + 1) + 1);
    } else {
        port = strrchr(host, ':');
        if (port == NULL)
            return ws_err_set(err, "syslog: target \"%s\": missing :PORT", target);
        *port++ = '\0';
    }
    if (host[0] == '\0' || port[0] == '\0')
        return ws_err_set(err, "syslog: target \"%s\": missing host or port", target);
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = c->socktype;
    hints.ai_flags = AI_NUMERICSERV;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0)
        return ws_err_set(err, "syslog: cannot resolve \"%s\" port \"%s\": %s",
                          host, port, gai_strerror(rc));
    if (res->ai_addrlen > sizeof(c->addr.bytes)) {
        freeaddrinfo(res);
        return ws_err_set(err, "syslog: address of \"%s\" too long", host);
    }
    memcpy(c->addr.bytes, res->ai_addr, res->ai_addrlen);
    c->addr.len = (unsigned)res->ai_addrlen;
    c->addr.family = res->ai_family;
    freeaddrinfo(res);
    return 0;
}

int ws_syslog_open(ws_syslog_conn_t *c, const ws_syslog_conf_t *cfg,
                   const char *hostname, const char *app,
                   const ws_syslog_opts_t *opts, ws_err_t *err)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    if (opts != NULL)
        c->opts = *opts;
    else
        ws_syslog_opts_default(&c->opts);
    if (c->opts.local_path == NULL)
        c->opts.local_path = "/dev/log";
    if (c->opts.backoff_min_ms == 0)
        c->opts.backoff_min_ms = 1;
    if (c->opts.backoff_max_ms < c->opts.backoff_min_ms)
        c->opts.backoff_max_ms = c->opts.backoff_min_ms;
    if (c->opts.queue_msgs == 0)
        c->opts.queue_msgs = UINT32_MAX;
    if (c->opts.max_len < 480)        /* RFC 5424 6.1: receivers take 480 */
        c->opts.max_len = 480;
    if ((c->facility = ws_syslog_facility(cfg->facility)) < 0)
        return ws_err_set(err, "syslog: unknown facility \"%s\" (kern, user, daemon, "
                          "auth, local0..local7, ...)", cfg->facility);
    if (ws_syslog_parse_format(cfg->format, &c->format) < 0)
        return ws_err_set(err, "syslog: unknown format \"%s\" (rfc5424 or rfc3164)",
                          cfg->format);
    if (ws_syslog_parse_msgkind(cfg->message, &c->msgkind) < 0)
        return ws_err_set(err, "syslog: unknown message \"%s\" (snort or eve)",
                          cfg->message);
    snprintf(c->target, sizeof(c->target), "%s", cfg->target);
    if (parse_target(c, cfg->target, err) < 0)
        return -1;
    if (c->kind == WS_SYSLOG_TO_LOCAL)
        c->format = WS_SYSLOG_LOCAL;
    if (hostname != NULL)
        snprintf(c->hostname, sizeof(c->hostname), "%s", hostname);
    else if (gethostname(c->hostname, sizeof(c->hostname) - 1) < 0)
        c->hostname[0] = '\0';
    snprintf(c->app, sizeof(c->app), "%s", app != NULL ? app : "wiresift");
    snprintf(c->procid, sizeof(c->procid), "%ld", (long)getpid());
    c->q_cap = c->opts.queue_bytes;
    c->q = malloc(c->q_cap > 0 ? c->q_cap : 1);
    if (c->q == NULL)
        return ws_err_set(err, "syslog: cannot allocate a %zu-byte queue", c->q_cap);
    c->backoff_ms = c->opts.backoff_min_ms;
    c->state = WS_SYSLOG_DOWN;
    c->retry_at_ms = 0;
    return 0;
}

/* ---- queue ---------------------------------------------------------- */

static uint32_t rec_len(const ws_syslog_conn_t *c, size_t off)
{
    uint32_t n;
    memcpy(&n, c->q + off, sizeof(n));
    return n;
}

/* Bytes a frame takes on the wire: octet-counting prefix on TCP, a NUL
 * terminator on a /dev/log stream socket. */
static size_t wire_len(const ws_syslog_conn_t *c, uint32_t len, char *prefix,
                       size_t *plen)
{
    *plen = 0;
    if (c->kind == WS_SYSLOG_TO_TCP) {
        int n = ws_syslog_octet_prefix(len, prefix, 24);
        *plen = n > 0 ? (size_t)n : 0;
        return *plen + len;
    }
    if (c->socktype == SOCK_STREAM)
        return (size_t)len + 1;
    return len;
}

static void update_gauges(ws_syslog_conn_t *c)
{
    c->stats.queued = c->q_count;
    c->stats.queue_bytes = c->q_tail - c->q_head;
    if (c->q_count > c->stats.queued_high)
        c->stats.queued_high = c->q_count;
}

static int q_push(ws_syslog_conn_t *c, const char *frame, size_t len)
{
    size_t need = REC_HDR + len;
    uint32_t n32 = (uint32_t)len;

    if (c->q_count >= c->opts.queue_msgs || need > c->q_cap)
        return -1;
    if (c->q_tail + need > c->q_cap && c->q_head > 0) {
        memmove(c->q, c->q + c->q_head, c->q_tail - c->q_head);
        c->q_send -= c->q_head;
        c->q_tail -= c->q_head;
        c->q_head = 0;
    }
    if (c->q_tail + need > c->q_cap)
        return -1;
    memcpy(c->q + c->q_tail, &n32, REC_HDR);
    memcpy(c->q + c->q_tail + REC_HDR, frame, len);
    c->q_tail += need;
    c->q_count++;
    c->q_unsent++;
    update_gauges(c);
    return 0;
}

/* Remove the head record (delivered, or given up on). */
static void q_pop(ws_syslog_conn_t *c)
{
    bool was_send = c->q_send == c->q_head;

    c->q_head += REC_HDR + rec_len(c, c->q_head);
    if (was_send) {                  /* the head had not been written */
        c->q_send = c->q_head;
        c->send_done = 0;
        c->q_unsent--;
    }
    c->head_acked = 0;
    c->q_count--;
    if (c->q_head == c->q_tail)
        c->q_head = c->q_tail = c->q_send = 0;
    update_gauges(c);
}

/* ---- connection ----------------------------------------------------- */

static void schedule_retry(ws_syslog_conn_t *c)
{
    c->retry_at_ms = c->now_ms + c->backoff_ms;
    c->backoff_ms = c->backoff_ms >= c->opts.backoff_max_ms / 2
        ? c->opts.backoff_max_ms : c->backoff_ms * 2;
}

static void close_fd(ws_syslog_conn_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->state = WS_SYSLOG_DOWN;
}

static void connect_failed(ws_syslog_conn_t *c)
{
    close_fd(c);
    c->stats.connect_failures++;
    schedule_retry(c);
}

static void became_up(ws_syslog_conn_t *c)
{
    c->state = WS_SYSLOG_UP;
    c->stats.connects++;
    if (c->ever_up)
        c->stats.reconnects++;
    c->ever_up = true;
    c->backoff_ms = c->opts.backoff_min_ms;
    c->unacked = 0;
}

/* Peer-acknowledged bytes of a TCP connection leave the queue. */
static void collect_acks(ws_syslog_conn_t *c)
{
    int outq = 0;
    size_t acked;

    if (c->kind != WS_SYSLOG_TO_TCP || c->fd < 0 || c->unacked == 0)
        return;
    if (ioctl(c->fd, SIOCOUTQ, &outq) < 0 || outq < 0 || (size_t)outq >= c->unacked)
        return;
    acked = c->unacked - (size_t)outq;
    c->unacked = (size_t)outq;
    while (acked > 0 && c->q_count > 0) {
        char prefix[24];
        size_t plen, w = wire_len(c, rec_len(c, c->q_head), prefix, &plen);
        size_t rem = w - c->head_acked;
        if (acked < rem) {
            c->head_acked += acked;
            break;
        }
        acked -= rem;
        c->stats.sent++;
        q_pop(c);
    }
}

/*
 * The connection is gone: frames written but not acknowledged go back to
 * unsent, to be written whole on the next connection.  Retry at once; a
 * refused connect starts the backoff.
 */
static void disconnect(ws_syslog_conn_t *c)
{
    collect_acks(c);
    close_fd(c);
    c->stats.disconnects++;
    if (c->q_send != c->q_head || c->send_done > 0) {
        uint32_t inflight = 0;
        for (size_t off = c->q_head; off < c->q_send; off += REC_HDR + rec_len(c, off))
            inflight++;
        c->stats.resent += inflight + (c->send_done > 0);
        c->q_unsent += inflight;
        c->q_send = c->q_head;
        c->send_done = 0;
    }
    c->head_acked = 0;
    c->unacked = 0;
    c->retry_at_ms = c->now_ms;
}

static void try_connect(ws_syslog_conn_t *c)
{
    bool toggled = false;

    for (;;) {
        int fd = socket(c->addr.family, c->socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            connect_failed(c);
            return;
        }
        c->fd = fd;
        if (c->kind == WS_SYSLOG_TO_TCP) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            if (c->opts.sndbuf > 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &c->opts.sndbuf,
                           sizeof(c->opts.sndbuf));
        }
        if (connect(fd, (const struct sockaddr *)c->addr.bytes, c->addr.len) == 0) {
            became_up(c);
            return;
        }
        if (errno == EINPROGRESS && c->kind == WS_SYSLOG_TO_TCP) {
            c->state = WS_SYSLOG_CONNECTING;
            c->connect_started_ms = c->now_ms;
            return;
        }
        if (errno == EPROTOTYPE && c->kind == WS_SYSLOG_TO_LOCAL && !toggled) {
            /* the local receiver listens on the other socket type */
            close_fd(c);
            c->socktype = c->socktype == SOCK_DGRAM ? SOCK_STREAM : SOCK_DGRAM;
            toggled = true;
            continue;
        }
        connect_failed(c);
        return;
    }
}

static void check_connecting(ws_syslog_conn_t *c)
{
    struct pollfd p = { .fd = c->fd, .events = POLLOUT };
    int soerr = 0;
    socklen_t sl = sizeof(soerr);

    if (poll(&p, 1, 0) <= 0) {
        if (c->now_ms - c->connect_started_ms >= c->opts.connect_timeout_ms)
            connect_failed(c);
        return;
    }
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
        connect_failed(c);
        return;
    }
    became_up(c);
}

/* A stream peer that closed (or reset) is seen as EOF or an error here;
 * anything it sends is read and ignored. */
static void check_peer(ws_syslog_conn_t *c)
{
    char buf[512];

    if (c->socktype != SOCK_STREAM)
        return;
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        disconnect(c);
        return;
    }
}

/* Write the unsent frames until the socket would block. */
static void flush(ws_syslog_conn_t *c)
{
    while (c->state == WS_SYSLOG_UP && c->q_send != c->q_tail) {
        uint32_t len = rec_len(c, c->q_send);
        char prefix[24];
        size_t plen, w = wire_len(c, len, prefix, &plen), done = c->send_done;
        char *frame = (char *)c->q + c->q_send + REC_HDR;
        static char nul = '\0';
        struct iovec iov[2];
        struct msghdr mh;
        int niov = 0;
        ssize_t n;

        if (done < plen) {
            iov[niov].iov_base = prefix + done;
            iov[niov++].iov_len = plen - done;
            iov[niov].iov_base = frame;
            iov[niov++].iov_len = len;
        } else if (done < plen + len) {
            iov[niov].iov_base = frame + (done - plen);
            iov[niov++].iov_len = plen + len - done;
        }
        if (w > plen + len) {                  /* NUL after the frame */
            if (niov < 2) {
                iov[niov].iov_base = &nul;
                iov[niov++].iov_len = 1;
            }
        }
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = iov;
        mh.msg_iovlen = (size_t)niov;
        n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
                return;
            if (c->socktype == SOCK_DGRAM && errno == ECONNREFUSED
                && c->kind == WS_SYSLOG_TO_UDP) {
                c->stats.lost++;    /* an earlier datagram was refused */
                continue;
            }
            if (c->socktype == SOCK_DGRAM && errno == EMSGSIZE) {
                c->stats.lost++;
                q_pop(c);
                continue;
            }
            disconnect(c);
            return;
        }
        c->send_done += (size_t)n;
        if (c->kind == WS_SYSLOG_TO_TCP)
            c->unacked += (size_t)n;
        if (c->send_done < w && c->socktype == SOCK_STREAM)
            continue;                          /* partial write: go on */
        /* The whole frame is written (a datagram is all or nothing). */
        c->send_done = 0;
        if (c->kind == WS_SYSLOG_TO_TCP) {     /* kept until acknowledged */
            c->q_send += REC_HDR + len;
            c->q_unsent--;
        } else {
            c->stats.sent++;
            q_pop(c);                          /* q_send == q_head here */
        }
    }
}

void ws_syslog_pump(ws_syslog_conn_t *c, uint64_t now_ms)
{
    if (c->q == NULL)
        return;
    c->now_ms = now_ms;
    if (c->state == WS_SYSLOG_DOWN && now_ms >= c->retry_at_ms)
        try_connect(c);
    if (c->state == WS_SYSLOG_CONNECTING)
        check_connecting(c);
    if (c->state == WS_SYSLOG_UP) {
        collect_acks(c);
        check_peer(c);
        flush(c);
        collect_acks(c);
    }
    update_gauges(c);
}

/* ---- sending -------------------------------------------------------- */

int ws_syslog_send_frame(ws_syslog_conn_t *c, const char *frame, size_t len)
{
    if (c->q == NULL || len > WS_SYSLOG_FRAME_MAX) {
        c->stats.dropped++;
        return -1;
    }
    if (q_push(c, frame, len) < 0) {
        collect_acks(c);                       /* acknowledged bytes free room */
        if (q_push(c, frame, len) < 0) {
            c->stats.dropped++;
            return -1;
        }
    }
    if (c->state == WS_SYSLOG_UP)
        flush(c);
    return 0;
}

int ws_syslog_send(ws_syslog_conn_t *c, const det_alert_t *a)
{
    char sd[2048];
    ws_syslog_hdr_t h;
    bool cut = false;
    uint32_t p = a->priority > 4 ? 4 : a->priority;
    int n;

    if (c->q == NULL) {
        c->stats.dropped++;
        return -1;
    }
    n = c->msgkind == WS_SYSLOG_MSG_EVE
        ? ws_syslog_msg_eve(a, c->body, sizeof(c->body))
        : ws_syslog_msg_snort(a, c->body, sizeof(c->body));
    memset(&h, 0, sizeof(h));
    h.facility = c->facility;
    h.severity = c->opts.sev[p] & 7;
    h.ts_ns = a->ts_ns;
    h.hostname = c->hostname;
    h.app = c->app;
    h.procid = c->procid;
    h.msgid = "alert";
    h.bom = c->opts.bom;
    if (n >= 0 && c->format == WS_SYSLOG_RFC5424 && c->opts.sd
        && ws_syslog_sd_alert(a, sd, sizeof(sd)) > 0)
        h.sd = sd;
    if (n >= 0)
        n = ws_syslog_frame(c->format, &h, c->body, c->opts.max_len, c->scratch,
                            sizeof(c->scratch), &cut);
    if (n < 0) {
        c->stats.format_errors++;
        return -1;
    }
    if (cut)
        c->stats.truncated++;
    return ws_syslog_send_frame(c, c->scratch, (size_t)n);
}

/* ---- polling helpers and close -------------------------------------- */

int ws_syslog_fd(const ws_syslog_conn_t *c, short *events)
{
    short ev = 0;

    if (c->fd < 0 || c->state == WS_SYSLOG_DOWN) {
        *events = 0;
        return -1;
    }
    if (c->state == WS_SYSLOG_CONNECTING || c->q_send != c->q_tail)
        ev |= POLLOUT;
    if (c->socktype == SOCK_STREAM && c->state == WS_SYSLOG_UP)
        ev |= POLLIN;
    *events = ev;
    return c->fd;
}

uint64_t ws_syslog_next_ms(const ws_syslog_conn_t *c)
{
    switch (c->state) {
    case WS_SYSLOG_DOWN:
        return c->q_count > 0 || !c->ever_up ? c->retry_at_ms : UINT64_MAX;
    case WS_SYSLOG_CONNECTING:
        return c->connect_started_ms + c->opts.connect_timeout_ms;
    default:
        /* acknowledgements arrive without an event to wait for */
        return c->unacked > 0 ? c->now_ms + 10 : UINT64_MAX;
    }
}

uint32_t ws_syslog_pending(const ws_syslog_conn_t *c)
{
    return c->q_count;
}

void ws_syslog_close(ws_syslog_conn_t *c)
{
    if (c->q == NULL)
        return;
    collect_acks(c);
    c->stats.dropped += c->q_count;
    close_fd(c);
    free(c->q);
    c->q = NULL;
    c->q_count = c->q_unsent = 0;
    c->q_head = c->q_tail = c->q_send = 0;
    update_gauges(c);
}
