/*
 * test_syslog.c - syslog export (export/syslog.c, export/syslog_conn.c).
 *
 * The framing half is tables of exact bytes: RFC 5424 frames (PRI values,
 * NILVALUE, field limits and character filtering, structured data and its
 * escaping, the optional BOM, the length bound with UTF-8-safe cuts), RFC
 * 3164 and /dev/log frames (with TZ=UTC, as the test sets it), RFC 6587
 * octet counting, the facility table, the severity mapping and the Snort
 * alert_syslog text.  Each row of the frame table runs as its own test.
 *
 * The transport half talks to real sockets the test creates on 127.0.0.1
 * (and a unix socket in /tmp standing in for /dev/log): every frame sent
 * must arrive exactly once and in order; a TCP receiver that goes away
 * makes the sender queue, drop what exceeds the bound (counted exactly),
 * and deliver the queue once a new listener appears on the same port.
 * Waiting is poll() with timeouts and the clock is CLOCK_MONOTONIC; the
 * reconnect backoff is set to 1..4 ms, so nothing sleeps for long.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "export/syslog.h"

/* 2023-11-14T22:13:20.123456Z (plus 789 ns that must not show). */
#define TS_NS 1700000000123456789ull

/* ---- helpers -------------------------------------------------------- */

static void mk_alert(det_alert_t *a, uint32_t sid)
{
    memset(a, 0, sizeof(*a));
    a->ts_ns = TS_NS;
    a->flow_id = 77;
    a->gid = 1;
    a->sid = sid;
    a->rev = 3;
    a->priority = 2;
    a->family = 4;
    a->proto = 6;
    a->sport = 1234;
    a->dport = 80;
    inet_pton(AF_INET, "10.0.0.1", a->src);
    inet_pton(AF_INET, "10.0.0.2", a->dst);
    snprintf(a->msg, sizeof(a->msg), "ET TEST sid %u", sid);
    snprintf(a->category, sizeof(a->category), "Attempted Information Leak");
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static char *repeat(char ch, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, ch, n);
    s[n] = '\0';
    return s;
}

/* ---- facility, severity, message text -------------------------------- */

static void test_facilities(void **state)
{
    static const struct { const char *name; int code; } rows[] = {
        { "kern", 0 }, { "user", 1 }, { "daemon", 3 }, { "auth", 4 },
        { "authpriv", 10 }, { "local0", 16 }, { "local5", 21 }, { "local7", 23 },
        { "LOG_LOCAL3", 19 }, { "Daemon", 3 }, { "security", 13 },
        { "local8", -1 }, { "", -1 }, { "bogus", -1 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (ws_syslog_facility(rows[i].name) != rows[i].code)
            fail_msg("facility \"%s\": got %d, want %d", rows[i].name,
                     ws_syslog_facility(rows[i].name), rows[i].code);
    assert_null(ws_syslog_facility(NULL) == -1 ? NULL : "x");
    assert_string_equal(ws_syslog_facility_name(21), "local5");
    assert_string_equal(ws_syslog_facility_name(13), "security");
    assert_null(ws_syslog_facility_name(24));
}

static void test_severity(void **state)
{
    static const int want[] = { 3, 1, 2, 3, 4, 4, 4 };
    (void)state;
    for (uint32_t p = 0; p < 7; p++)
        assert_int_equal(ws_syslog_severity(p), want[p]);
    assert_int_equal(ws_syslog_severity(255), 4);
}

static void test_snort_text(void **state)
{
    det_alert_t a;
    char buf[1024];
    (void)state;

    mk_alert(&a, 2001);
    int n = ws_syslog_msg_snort(&a, buf, sizeof(buf));
    assert_int_equal(n, (int)strlen(buf));
    assert_string_equal(buf, "[1:2001:3] ET TEST sid 2001 [Classification: Attempted "
                        "Information Leak] [Priority: 2] {TCP} 10.0.0.1:1234 -> 10.0.0.2:80");

    /* no classtype, no priority (3 as in fast.log), ICMP: no ports */
    a.category[0] = '\0';
    a.priority = 0;
    a.proto = 1;
    ws_syslog_msg_snort(&a, buf, sizeof(buf));
    assert_string_equal(buf, "[1:2001:3] ET TEST sid 2001 [Priority: 3] {ICMP} "
                        "10.0.0.1 -> 10.0.0.2");

    /* IPv6 UDP: bracketed addresses; control characters become spaces */
    a.family = 6;
    a.proto = 17;
    inet_pton(AF_INET6, "2001:db8::1", a.src);
    inet_pton(AF_INET6, "2001:db8::2", a.dst);
    snprintf(a.msg, sizeof(a.msg), "two\nlines\tand\x7f");
    a.priority = 1;
    ws_syslog_msg_snort(&a, buf, sizeof(buf));
    assert_string_equal(buf, "[1:2001:3] two lines and  [Priority: 1] {UDP} "
                        "[2001:db8::1]:1234 -> [2001:db8::2]:80");

    /* too small a buffer */
    assert_int_equal(ws_syslog_msg_snort(&a, buf, 20), -1);
    assert_int_equal(ws_syslog_msg_snort(&a, buf, 0), -1);
}

static void test_eve_text(void **state)
{
    det_alert_t a;
    char buf[4096], line[4096];
    int n;
    (void)state;

    mk_alert(&a, 5);
    n = ws_syslog_msg_eve(&a, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(det_alert_format_eve(&a, line, sizeof(line)), n + 1);
    assert_memory_equal(buf, line, (size_t)n);
    assert_int_equal(buf[n - 1], '}');
    assert_null(strchr(buf, '\n'));
    assert_int_equal(ws_syslog_msg_eve(&a, buf, 30), -1);
}

static void test_sd(void **state)
{
    det_alert_t a;
    char buf[2048];
    static const struct { const char *in, *out; } esc[] = {
        { "plain", "plain" }, { "", "" },
        { "a\"b\\c]d", "a\\\"b\\\\c\\]d" },
        { "[x=y]", "[x=y\\]" },
        { "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },  /* UTF-8 passes as is */
    };
    (void)state;

    for (size_t i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
        assert_int_equal(ws_syslog_sd_escape(esc[i].in, buf, sizeof(buf)),
                         (int)strlen(esc[i].out));
        assert_string_equal(buf, esc[i].out);
    }
    assert_int_equal(ws_syslog_sd_escape("a\"b", buf, 4), -1);   /* needs 5 */
    assert_int_equal(ws_syslog_sd_escape("a\"b", buf, 5), 4);

    mk_alert(&a, 2001);
    snprintf(a.category, sizeof(a.category), "Bad \"stuff\" [x]\\");
    assert_true(ws_syslog_sd_alert(&a, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, "[wiresift@32473 gid=\"1\" sid=\"2001\" rev=\"3\" "
                        "priority=\"2\" class=\"Bad \\\"stuff\\\" [x\\]\\\\\" "
                        "proto=\"TCP\" src=\"10.0.0.1\" sport=\"1234\" dst=\"10.0.0.2\" "
                        "dport=\"80\" flow_id=\"77\"]");
    a.category[0] = '\0';
    a.proto = 1;
    a.priority = 0;
    ws_syslog_sd_alert(&a, buf, sizeof(buf));
    assert_string_equal(buf, "[wiresift@32473 gid=\"1\" sid=\"2001\" rev=\"3\" "
                        "priority=\"3\" proto=\"ICMP\" src=\"10.0.0.1\" "
                        "dst=\"10.0.0.2\" flow_id=\"77\"]");
    assert_int_equal(ws_syslog_sd_alert(&a, buf, 40), -1);
}

static void test_octet_prefix(void **state)
{
    char buf[32];
    (void)state;
    assert_int_equal(ws_syslog_octet_prefix(5, buf, sizeof(buf)), 2);
    assert_string_equal(buf, "5 ");
    assert_int_equal(ws_syslog_octet_prefix(0, buf, sizeof(buf)), 2);
    assert_string_equal(buf, "0 ");
    assert_int_equal(ws_syslog_octet_prefix(65507, buf, sizeof(buf)), 6);
    assert_string_equal(buf, "65507 ");
    assert_int_equal(ws_syslog_octet_prefix(65507, buf, 6), -1);
}

static void test_utf8_cut(void **state)
{
    static const struct { const char *s; size_t max, want; } rows[] = {
        { "abcdef", 10, 6 }, { "abcdef", 6, 6 }, { "abcdef", 3, 3 },
        { "ab\xc3\xa9", 3, 2 },              /* é would be split */
        { "ab\xc3\xa9", 4, 4 },
        { "a\xe2\x82\xac" "b", 2, 1 },      /* € (3 bytes) */
        { "a\xe2\x82\xac" "b", 3, 1 },
        { "a\xe2\x82\xac" "b", 4, 4 },
        { "\xf0\x9f\x98\x80z", 3, 0 },      /* 4-byte emoji at the start */
        { "ab\x80\x80" "cd", 3, 3 },        /* stray continuation bytes: bytes */
        { "a\x80" "b", 1, 1 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        size_t got = ws_syslog_utf8_cut(rows[i].s, strlen(rows[i].s), rows[i].max);
        if (got != rows[i].want)
            fail_msg("row %zu: cut to %zu, want %zu", i, got, rows[i].want);
    }
}

/* ---- frames --------------------------------------------------------- */

typedef struct frame_row {
    const char *name;
    ws_syslog_format_t fmt;
    int facility, severity;
    uint64_t ts_ns;
    const char *host, *app, *procid, *msgid, *sd, *msg;
    bool bom;
    size_t max;             /* 0: 8192 */
    const char *want;       /* exact frame */
    bool truncated;
} frame_row_t;

static const frame_row_t frames[] = {
    { "5424 basic", WS_SYSLOG_RFC5424, 21, 2, TS_NS, "sensor1", "wiresift", "4242",
      "alert", "[x@32473 a=\"1\"]", "hello", false, 0,
      "<170>1 2023-11-14T22:13:20.123456Z sensor1 wiresift 4242 alert "
      "[x@32473 a=\"1\"] hello", false },
    { "5424 nilvalues", WS_SYSLOG_RFC5424, 20, 5, 0, NULL, "", NULL, NULL, NULL, "m",
      false, 0, "<165>1 1970-01-01T00:00:00.000000Z - - - - - m", false },
    { "5424 no msg", WS_SYSLOG_RFC5424, 1, 6, TS_NS, "h", "a", "1", "i", NULL, NULL,
      false, 0, "<14>1 2023-11-14T22:13:20.123456Z h a 1 i -", false },
    { "5424 pri 0", WS_SYSLOG_RFC5424, 0, 0, TS_NS, "h", "a", "1", "-", NULL, "x",
      false, 0, "<0>1 2023-11-14T22:13:20.123456Z h a 1 - - x", false },
    { "5424 pri 191", WS_SYSLOG_RFC5424, 23, 7, TS_NS, "h", "a", "1", "-", NULL, "x",
      false, 0, "<191>1 2023-11-14T22:13:20.123456Z h a 1 - - x", false },
    { "5424 unprintable fields", WS_SYSLOG_RFC5424, 16, 1, TS_NS, "my host\t1",
      "wire\xc3\xa9sift", "4 2", "al ert", NULL, "x", false, 0,
      "<129>1 2023-11-14T22:13:20.123456Z my_host_1 wire__sift 4_2 al_ert - x", false },
    { "5424 bom", WS_SYSLOG_RFC5424, 21, 1, TS_NS, "h", "a", "1", "alert", NULL,
      "caf\xc3\xa9", true, 0,
      "<169>1 2023-11-14T22:13:20.123456Z h a 1 alert - \xef\xbb\xbf" "caf\xc3\xa9", false },
    { "5424 cut at bound", WS_SYSLOG_RFC5424, 21, 1, TS_NS, "h", "a", "1", "alert", NULL,
      "0123456789abcdef", false, 56,
      "<169>1 2023-11-14T22:13:20.123456Z h a 1 alert - 0123456", true },
    { "5424 cut before utf8", WS_SYSLOG_RFC5424, 21, 1, TS_NS, "h", "a", "1", "alert",
      NULL, "01234\xe2\x82\xac" "x", false, 56,
      "<169>1 2023-11-14T22:13:20.123456Z h a 1 alert - 01234", true },
    { "5424 exactly at bound", WS_SYSLOG_RFC5424, 21, 1, TS_NS, "h", "a", "1", "alert",
      NULL, "0123456789", false, 59,
      "<169>1 2023-11-14T22:13:20.123456Z h a 1 alert - 0123456789", false },
    { "3164 basic", WS_SYSLOG_RFC3164, 4, 2, TS_NS, "sensor1", "wiresift", "4242",
      "ignored", "[ignored]", "hello", true, 0,
      "<34>Nov 14 22:13:20 sensor1 wiresift[4242]: hello", false },
    { "3164 day padding", WS_SYSLOG_RFC3164, 21, 3, 1704424445000000000ull, "h",
      "wiresift", "1", NULL, NULL, "x", false, 0,
      "<171>Jan  5 03:14:05 h wiresift[1]: x", false },
    { "3164 no pid, nil host, tag chars", WS_SYSLOG_RFC3164, 21, 3, TS_NS, "",
      "a:b[c]", NULL, NULL, NULL, "x", false, 0,
      "<171>Nov 14 22:13:20 - a_b_c_: x", false },
    { "3164 cut at bound", WS_SYSLOG_RFC3164, 21, 3, TS_NS, "h", "t", "1", NULL, NULL,
      "abcdefghij", false, 35, "<171>Nov 14 22:13:20 h t[1]: abcdef", true },
    { "local form", WS_SYSLOG_LOCAL, 21, 2, TS_NS, "ignored", "wiresift", "4242",
      NULL, NULL, "hello", false, 0,
      "<170>Nov 14 22:13:20 wiresift[4242]: hello", false },
};

#define NFRAMES (sizeof(frames) / sizeof(frames[0]))

static void test_frame_row(void **state)
{
    const frame_row_t *r = *state;
    ws_syslog_hdr_t h = {
        .facility = r->facility, .severity = r->severity, .ts_ns = r->ts_ns,
        .hostname = r->host, .app = r->app, .procid = r->procid, .msgid = r->msgid,
        .sd = r->sd, .bom = r->bom,
    };
    static char buf[WS_SYSLOG_FRAME_MAX + 1];
    bool cut = !r->truncated;
    int n = ws_syslog_frame(r->fmt, &h, r->msg, r->max ? r->max : 8192, buf,
                            sizeof(buf), &cut);

    assert_int_equal(n, (int)strlen(r->want));
    assert_string_equal(buf, r->want);
    assert_int_equal(cut, r->truncated);
    if (r->max != 0)
        assert_true((size_t)n <= r->max);
}

/* Field limits: HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32. */
static void test_5424_field_limits(void **state)
{
    char *host = repeat('h', 300), *app = repeat('a', 60), *pid = repeat('p', 200);
    char *mid = repeat('m', 40), want[1024];
    static char buf[2048];
    ws_syslog_hdr_t h = { .facility = 21, .severity = 1, .ts_ns = TS_NS,
                          .hostname = host, .app = app, .procid = pid, .msgid = mid };
    (void)state;

    host[255] = app[48] = pid[128] = mid[32] = '\0';
    snprintf(want, sizeof(want), "<169>1 2023-11-14T22:13:20.123456Z %s %s %s %s - x",
             host, app, pid, mid);
    host[255] = 'h';
    app[48] = 'a';
    pid[128] = 'p';
    mid[32] = 'm';
    assert_int_equal(ws_syslog_frame(WS_SYSLOG_RFC5424, &h, "x", 8192, buf, sizeof(buf),
                                     NULL), (int)strlen(want));
    assert_string_equal(buf, want);
    free(host);
    free(app);
    free(pid);
    free(mid);
}

/* 3164: the whole frame is at most 1024 bytes whatever max says. */
static void test_3164_1024(void **state)
{
    char *msg = repeat('x', 3000);
    static char buf[WS_SYSLOG_FRAME_MAX + 1];
    ws_syslog_hdr_t h = { .facility = 21, .severity = 1, .ts_ns = TS_NS,
                          .hostname = "h", .app = "t", .procid = "1" };
    bool cut = false;
    (void)state;

    assert_int_equal(ws_syslog_frame(WS_SYSLOG_RFC3164, &h, msg, 8192, buf, sizeof(buf),
                                     &cut), 1024);
    assert_true(cut);
    assert_memory_equal(buf, "<169>Nov 14 22:13:20 h t[1]: xxx", 32);
    /* 5424 at its 8192 default bound */
    assert_int_equal(ws_syslog_frame(WS_SYSLOG_RFC5424, &h, msg, 2048, buf, sizeof(buf),
                                     &cut), 2048);
    assert_true(cut);
    /* a bound that cannot hold the header */
    assert_int_equal(ws_syslog_frame(WS_SYSLOG_RFC5424, &h, msg, 20, buf, sizeof(buf),
                                     &cut), -1);
    free(msg);
}

/* ---- transport ------------------------------------------------------ */

static ws_syslog_conn_t conn;        /* ~130 KiB: keep it off the stack */

static void test_opts(ws_syslog_opts_t *o)
{
    ws_syslog_opts_default(o);
    o->backoff_min_ms = 1;
    o->backoff_max_ms = 4;
    o->connect_timeout_ms = 1000;
}

static void conf_for(ws_syslog_conf_t *c, const char *target, const char *fmt,
                     const char *msg)
{
    memset(c, 0, sizeof(*c));
    c->enabled = true;
    snprintf(c->target, sizeof(c->target), "%s", target);
    snprintf(c->format, sizeof(c->format), "%s", fmt);
    snprintf(c->facility, sizeof(c->facility), "local5");
    snprintf(c->message, sizeof(c->message), "%s", msg);
}

/* Pump c until cond holds or 2 s pass; wait on the socket 1 ms at a time. */
#define PUMP_UNTIL(c, cond)                                                   \
    do {                                                                      \
        uint64_t t_end_ = now_ms() + 2000;                                    \
        while (ws_syslog_pump((c), now_ms()), !(cond)) {                      \
            if (now_ms() > t_end_)                                            \
                fail_msg("timed out waiting for " #cond);                     \
            poll(NULL, 0, 1);                                                 \
        }                                                                     \
    } while (0)

static void test_open_errors(void **state)
{
    static const struct { const char *target, *fmt, *fac, *msg, *err; } rows[] = {
        { "udp://127.0.0.1", "rfc5424", "local5", "snort", "missing :PORT" },
        { "http://x:1", "rfc5424", "local5", "snort", "expected \"local\"" },
        { "tcp://:514", "rfc5424", "local5", "snort", "missing host or port" },
        { "tcp://[::1:514", "rfc5424", "local5", "snort", "bad [IPv6]:PORT" },
        { "udp://127.0.0.1:514", "rfc5425", "local5", "snort", "unknown format" },
        { "udp://127.0.0.1:514", "rfc5424", "local9", "snort", "unknown facility" },
        { "udp://127.0.0.1:514", "rfc5424", "local5", "json", "unknown message" },
        { "udp://127.0.0.1:notaport", "rfc5424", "local5", "snort", "cannot resolve" },
    };
    ws_syslog_conf_t cf;
    ws_err_t err;
    (void)state;

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        conf_for(&cf, rows[i].target, rows[i].fmt, rows[i].msg);
        snprintf(cf.facility, sizeof(cf.facility), "%s", rows[i].fac);
        err.msg[0] = '\0';
        assert_int_equal(ws_syslog_open(&conn, &cf, "h", NULL, NULL, &err), -1);
        if (strstr(err.msg, rows[i].err) == NULL)
            fail_msg("%s: error \"%s\" lacks \"%s\"", rows[i].target, err.msg, rows[i].err);
        ws_syslog_close(&conn);
    }
    conf_for(&cf, "tcp://[::1]:514", "rfc3164", "eve");
    assert_int_equal(ws_syslog_open(&conn, &cf, "h", NULL, NULL, &err), 0);
    assert_int_equal(conn.kind, WS_SYSLOG_TO_TCP);
    assert_int_equal(conn.addr.family, AF_INET6);
    ws_syslog_close(&conn);
}

static int udp_receiver(uint16_t *port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t sl = sizeof(sin);
    int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 1 << 20;

    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
    *port = ntohs(sin.sin_port);
    return fd;
}

/* Expected frame of alert sid sent through conn (as ws_syslog_send builds it). */
static int expect_frame(const ws_syslog_conn_t *c, uint32_t sid, char *buf, size_t size)
{
    det_alert_t a;
    char body[2048], sd[2048];
    ws_syslog_hdr_t h = { .facility = c->facility, .severity = 2, .ts_ns = TS_NS,
                          .hostname = c->hostname, .app = c->app, .procid = c->procid,
                          .msgid = "alert" };

    mk_alert(&a, sid);
    if (c->msgkind == WS_SYSLOG_MSG_EVE)
        ws_syslog_msg_eve(&a, body, sizeof(body));
    else
        ws_syslog_msg_snort(&a, body, sizeof(body));
    if (c->format == WS_SYSLOG_RFC5424) {
        ws_syslog_sd_alert(&a, sd, sizeof(sd));
        h.sd = sd;
    }
    return ws_syslog_frame(c->format, &h, body, c->opts.max_len, buf, size, NULL);
}

static void test_udp(void **state)
{
    enum { N = 50 };
    ws_syslog_conf_t cf;
    ws_syslog_opts_t o;
    ws_err_t err;
    uint16_t port;
    char target[64], want[4096], got[8192];
    int fd = udp_receiver(&port);
    (void)state;

    snprintf(target, sizeof(target), "udp://127.0.0.1:%u", port);
    conf_for(&cf, target, "rfc5424", "snort");
    test_opts(&o);
    assert_int_equal(ws_syslog_open(&conn, &cf, "sensor1", "wiresift", &o, &err), 0);
    PUMP_UNTIL(&conn, conn.state == WS_SYSLOG_UP);
    for (uint32_t i = 0; i < N; i++) {
        det_alert_t a;
        mk_alert(&a, 1000 + i);
        assert_int_equal(ws_syslog_send(&conn, &a), 0);
    }
    ws_syslog_pump(&conn, now_ms());
    for (uint32_t i = 0; i < N; i++) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        assert_int_equal(poll(&p, 1, 2000), 1);
        ssize_t n = recv(fd, got, sizeof(got) - 1, 0);
        assert_true(n > 0);
        got[n] = '\0';
        int wn = expect_frame(&conn, 1000 + i, want, sizeof(want));
        assert_int_equal(n, wn);
        assert_string_equal(got, want);
    }
    assert_int_equal(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);   /* nothing more */
    assert_int_equal(conn.stats.sent, N);
    assert_int_equal(conn.stats.dropped, 0);
    assert_int_equal(ws_syslog_pending(&conn), 0);
    ws_syslog_close(&conn);
    assert_int_equal(conn.stats.dropped, 0);
    close(fd);
}

static int tcp_listener(uint16_t *port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t sl = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(*port);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
    *port = ntohs(sin.sin_port);
    return fd;
}

/* Accept while pumping the sender (its connect completes meanwhile). */
static int accept_pumping(int lfd)
{
    uint64_t end = now_ms() + 2000;

    for (;;) {
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        ws_syslog_pump(&conn, now_ms());
        if (poll(&p, 1, 1) == 1) {
            int fd = accept(lfd, NULL, NULL);
            assert_true(fd >= 0);
            return fd;
        }
        if (now_ms() > end)
            fail_msg("no connection from the sender");
    }
}

/* Octet-counted frames from a TCP peer. */
typedef struct rx {
    char buf[1 << 20];
    size_t len;
} rx_t;

static rx_t rx;

/* Read frames until n arrived (frame k checked against the expected frame
 * of sid sids[k], or first_sid + k when sids is NULL), pumping the sender
 * in between. */
static void read_frames_of(int fd, const uint32_t *sids, uint32_t first_sid, uint32_t n)
{
    char want[4096];
    uint32_t k = 0;
    uint64_t end = now_ms() + 3000;

    while (k < n) {
        /* parse what we have */
        char *sp = memchr(rx.buf, ' ', rx.len);
        if (sp != NULL) {
            size_t flen = strtoul(rx.buf, NULL, 10), plen = (size_t)(sp - rx.buf) + 1;
            if (rx.len >= plen + flen) {
                int wn = expect_frame(&conn, sids ? sids[k] : first_sid + k, want,
                                      sizeof(want));
                if ((size_t)wn != flen || memcmp(rx.buf + plen, want, flen) != 0)
                    fail_msg("frame %u: got \"%.*s\", want \"%s\"", k, (int)flen,
                             rx.buf + plen, want);
                memmove(rx.buf, rx.buf + plen + flen, rx.len - plen - flen);
                rx.len -= plen + flen;
                k++;
                continue;
            }
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ws_syslog_pump(&conn, now_ms());
        if (poll(&p, 1, 1) == 1) {
            ssize_t r = recv(fd, rx.buf + rx.len, sizeof(rx.buf) - rx.len, 0);
            assert_true(r > 0);
            rx.len += (size_t)r;
        }
        if (now_ms() > end)
            fail_msg("timed out after %u of %u frames", k, n);
    }
}

static void read_frames(int fd, uint32_t first_sid, uint32_t n)
{
    read_frames_of(fd, NULL, first_sid, n);
}

static void send_range(uint32_t first, uint32_t n, int want_rc)
{
    for (uint32_t i = 0; i < n; i++) {
        det_alert_t a;
        mk_alert(&a, first + i);
        assert_int_equal(ws_syslog_send(&conn, &a), want_rc);
    }
}

static void test_tcp_reconnect(void **state)
{
    enum { Q = 20 };
    ws_syslog_conf_t cf;
    ws_syslog_opts_t o;
    ws_err_t err;
    uint16_t port = 0;
    char target[64];
    int lfd = tcp_listener(&port), fd;
    (void)state;

    snprintf(target, sizeof(target), "tcp://127.0.0.1:%u", port);
    conf_for(&cf, target, "rfc5424", "snort");
    test_opts(&o);
    o.queue_msgs = Q;
    assert_int_equal(ws_syslog_open(&conn, &cf, "sensor1", "wiresift", &o, &err), 0);
    rx.len = 0;
    fd = accept_pumping(lfd);
    PUMP_UNTIL(&conn, conn.state == WS_SYSLOG_UP);

    /* 1. ten frames arrive exactly, and are acknowledged */
    send_range(0, 10, 0);
    read_frames(fd, 0, 10);
    PUMP_UNTIL(&conn, ws_syslog_pending(&conn) == 0);
    assert_int_equal(conn.stats.sent, 10);

    /* 2. the receiver goes away: the sender notices and starts retrying */
    close(fd);
    close(lfd);
    PUMP_UNTIL(&conn, conn.state != WS_SYSLOG_UP);
    assert_int_equal(conn.stats.disconnects, 1);
    PUMP_UNTIL(&conn, conn.stats.connect_failures >= 2);

    /* 3. Q frames queue, the next 7 are dropped and counted */
    send_range(10, Q, 0);
    send_range(10 + Q, 7, -1);
    assert_int_equal(conn.stats.dropped, 7);
    assert_int_equal(ws_syslog_pending(&conn), Q);
    assert_int_equal(conn.stats.queued, Q);
    assert_int_equal(conn.stats.queued_high, Q);

    /* 4. a new listener on the same port gets the queue, in order, once */
    lfd = tcp_listener(&port);
    fd = accept_pumping(lfd);
    read_frames(fd, 10, Q);
    PUMP_UNTIL(&conn, ws_syslog_pending(&conn) == 0);
    assert_int_equal(conn.stats.sent, 10 + Q);
    assert_int_equal(conn.stats.reconnects, 1);
    assert_int_equal(conn.stats.connects, 2);

    /* 5. and later frames follow on the same connection */
    send_range(100, 3, 0);
    read_frames(fd, 100, 3);
    PUMP_UNTIL(&conn, ws_syslog_pending(&conn) == 0);
    assert_int_equal(conn.stats.sent, 13 + Q);
    assert_int_equal(conn.stats.dropped, 7);
    assert_int_equal(conn.stats.lost, 0);
    ws_syslog_close(&conn);
    assert_int_equal(conn.stats.dropped, 7);
    assert_int_equal(recv(fd, rx.buf, 16, MSG_DONTWAIT), 0);         /* closed, no more */
    close(fd);
    close(lfd);
}

/*
 * Frames written after the receiver closed, before the sender noticed: the
 * peer never acknowledged them, so they are written again on the next
 * connection, and each arrives exactly once.
 */
static void test_tcp_resend(void **state)
{
    ws_syslog_conf_t cf;
    ws_syslog_opts_t o;
    ws_err_t err;
    uint16_t port = 0;
    char target[64];
    int lfd = tcp_listener(&port), fd;
    (void)state;

    snprintf(target, sizeof(target), "tcp://127.0.0.1:%u", port);
    conf_for(&cf, target, "rfc5424", "snort");
    test_opts(&o);
    assert_int_equal(ws_syslog_open(&conn, &cf, "sensor1", "wiresift", &o, &err), 0);
    rx.len = 0;
    fd = accept_pumping(lfd);
    PUMP_UNTIL(&conn, conn.state == WS_SYSLOG_UP);
    send_range(0, 5, 0);
    read_frames(fd, 0, 5);
    PUMP_UNTIL(&conn, ws_syslog_pending(&conn) == 0);

    close(fd);
    close(lfd);
    poll(NULL, 0, 2);                      /* let the FIN arrive */
    send_range(5, 5, 0);                   /* no pump: still "up" */
    PUMP_UNTIL(&conn, conn.state != WS_SYSLOG_UP);
    assert_int_equal(ws_syslog_pending(&conn), 5);
    assert_true(conn.stats.resent >= 1);

    lfd = tcp_listener(&port);
    fd = accept_pumping(lfd);
    read_frames(fd, 5, 5);
    PUMP_UNTIL(&conn, ws_syslog_pending(&conn) == 0);
    assert_int_equal(conn.stats.sent, 10);
    assert_int_equal(conn.stats.dropped, 0);
    ws_syslog_close(&conn);
    assert_int_equal(recv(fd, rx.buf, 16, MSG_DONTWAIT), 0);
    close(fd);
    close(lfd);
}

/*
 * A receiver that stops reading: the socket buffers fill, partial writes
 * happen, the queue fills and what does not fit is dropped (which frames
 * depends on how fast the peer's kernel acknowledges); once the receiver
 * reads again, every frame that was not counted as dropped arrives, whole
 * and in order.
 */
static void test_tcp_full(void **state)
{
    enum { N = 3000 };
    ws_syslog_conf_t cf;
    ws_syslog_opts_t o;
    ws_err_t err;
    uint16_t port = 0;
    char target[64];
    int lfd = tcp_listener(&port), fd, small = 4096;
    uint32_t accepted = 0, dropped = 0;
    static uint32_t sids[N];
    (void)state;

    snprintf(target, sizeof(target), "tcp://127.0.0.1:%u", port);
    conf_for(&cf, target, "rfc3164", "snort");
    test_opts(&o);
    o.queue_bytes = 64 * 1024;
    o.sndbuf = 4096;
    setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    assert_int_equal(ws_syslog_open(&conn, &cf, "sensor1", "wiresift", &o, &err), 0);
    rx.len = 0;
    fd = accept_pumping(lfd);
    PUMP_UNTIL(&conn, conn.state == WS_SYSLOG_UP);
    for (uint32_t i = 0; i < N; i++) {
        det_alert_t a;
        mk_alert(&a, i);
        if (ws_syslog_send(&conn, &a) == 0)
            sids[accepted++] = i;
        else
            dropped++;
    }
    assert_true(dropped > 0);
    assert_int_equal(conn.stats.dropped, dropped);
    assert_int_equal(accepted + dropped, N);
    read_frames_of(fd, sids, 0, accepted);
    PUMP_UNTIL(&conn, ws_syslog_pending(&conn) == 0);
    assert_int_equal(conn.stats.sent, accepted);
    assert_int_equal(rx.len, 0);
    ws_syslog_close(&conn);
    close(fd);
    close(lfd);
}

/* Nobody listens: frames queue up to the byte bound; close counts them. */
static void test_tcp_down_bound(void **state)
{
    ws_syslog_conf_t cf;
    ws_syslog_opts_t o;
    ws_err_t err;
    uint16_t port = 0;
    char target[64], want[4096];
    int lfd = tcp_listener(&port), wn;
    uint32_t fit;
    (void)state;

    close(lfd);                           /* a port where nothing listens */
    snprintf(target, sizeof(target), "tcp://127.0.0.1:%u", port);
    conf_for(&cf, target, "rfc5424", "eve");
    test_opts(&o);
    assert_int_equal(ws_syslog_open(&conn, &cf, "sensor1", "wiresift", &o, &err), 0);
    wn = expect_frame(&conn, 500, want, sizeof(want));
    assert_true(wn > 0);
    assert_non_null(strstr(want, "{\"timestamp\":\"2023-11-14T22:13:20.123456+0000\""));
    ws_syslog_close(&conn);

    o.queue_bytes = 10 * (size_t)(wn + 4) + 5;
    assert_int_equal(ws_syslog_open(&conn, &cf, "sensor1", "wiresift", &o, &err), 0);
    PUMP_UNTIL(&conn, conn.stats.connect_failures >= 3);
    assert_true(conn.backoff_ms <= 4);
    for (fit = 0; fit < 20; fit++) {
        det_alert_t a;
        mk_alert(&a, 500);
        if (ws_syslog_send(&conn, &a) < 0)
            break;
    }
    assert_int_equal(fit, 10);
    assert_int_equal(conn.stats.dropped, 1);
    assert_int_equal(conn.stats.queue_bytes, 10 * (size_t)(wn + 4));
    ws_syslog_close(&conn);
    assert_int_equal(conn.stats.dropped, 11);
    assert_int_equal(conn.stats.sent, 0);
}

/* A unix datagram socket standing in for /dev/log; then a stream one. */
static void test_local(void **state)
{
    ws_syslog_conf_t cf;
    ws_syslog_opts_t o;
    ws_err_t err;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    char path[64], got[4096], want[4096];
    int fd, lfd, wn;
    (void)state;

    snprintf(path, sizeof(path), "/tmp/wiresift-devlog-%d", (int)getpid());
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    unlink(path);
    conf_for(&cf, "local", "rfc5424", "snort");
    test_opts(&o);
    o.local_path = path;

    /* receiver absent: queued, then delivered when it appears */
    assert_int_equal(ws_syslog_open(&conn, &cf, "sensor1", "wiresift", &o, &err), 0);
    assert_int_equal(conn.format, WS_SYSLOG_LOCAL);
    PUMP_UNTIL(&conn, conn.stats.connect_failures >= 1);
    send_range(1, 2, 0);
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    PUMP_UNTIL(&conn, ws_syslog_pending(&conn) == 0);
    send_range(3, 1, 0);
    for (uint32_t sid = 1; sid <= 3; sid++) {
        ssize_t n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
        assert_true(n > 0);
        got[n] = '\0';
        wn = expect_frame(&conn, sid, want, sizeof(want));
        assert_int_equal(n, wn);
        assert_string_equal(got, want);
        assert_memory_equal(got, "<170>Nov 14 22:13:20 wiresift[", 30);
    }
    assert_int_equal(conn.stats.sent, 3);
    ws_syslog_close(&conn);
    close(fd);
    unlink(path);

    /* a stream receiver: NUL-terminated frames */
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    assert_int_equal(listen(lfd, 4), 0);
    assert_int_equal(ws_syslog_open(&conn, &cf, "sensor1", "wiresift", &o, &err), 0);
    fd = accept_pumping(lfd);
    PUMP_UNTIL(&conn, conn.state == WS_SYSLOG_UP);
    assert_int_equal(conn.socktype, SOCK_STREAM);
    send_range(7, 2, 0);
    PUMP_UNTIL(&conn, ws_syslog_pending(&conn) == 0);
    {
        size_t len = 0;
        char *p = got;
        while (len < 2 * 10) {
            struct pollfd pf = { .fd = fd, .events = POLLIN };
            assert_int_equal(poll(&pf, 1, 2000), 1);
            ssize_t n = recv(fd, got + len, sizeof(got) - len, MSG_DONTWAIT);
            assert_true(n > 0);
            len += (size_t)n;
            if (memchr(got, '\0', len) != NULL && len > (size_t)strlen(got) + 1
                && memchr(got + strlen(got) + 1, '\0', len - strlen(got) - 1) != NULL)
                break;
        }
        for (uint32_t sid = 7; sid <= 8; sid++) {
            wn = expect_frame(&conn, sid, want, sizeof(want));
            assert_string_equal(p, want);
            p += wn + 1;
        }
        assert_int_equal((size_t)(p - got), len);
    }
    ws_syslog_close(&conn);
    close(fd);
    close(lfd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_facilities),
        cmocka_unit_test(test_severity),
        cmocka_unit_test(test_snort_text),
        cmocka_unit_test(test_eve_text),
        cmocka_unit_test(test_sd),
        cmocka_unit_test(test_octet_prefix),
        cmocka_unit_test(test_utf8_cut),
        cmocka_unit_test(test_5424_field_limits),
        cmocka_unit_test(test_3164_1024),
    };
    const struct CMUnitTest transport[] = {
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_udp),
        cmocka_unit_test(test_tcp_reconnect),
        cmocka_unit_test(test_tcp_resend),
        cmocka_unit_test(test_tcp_full),
        cmocka_unit_test(test_tcp_down_bound),
        cmocka_unit_test(test_local),
    };
    static struct CMUnitTest rows[NFRAMES];
    int failed = 0;

    setenv("TZ", "UTC", 1);
    tzset();
    for (size_t i = 0; i < NFRAMES; i++)
        rows[i] = (struct CMUnitTest){ .name = frames[i].name, .test_func = test_frame_row,
                                       .initial_state = (void *)&frames[i] };
    failed += cmocka_run_group_tests_name("syslog text", fixed, NULL, NULL);
    failed += _cmocka_run_group_tests("syslog frames", rows, NFRAMES, NULL, NULL);
    failed += cmocka_run_group_tests_name("syslog transport", transport, NULL, NULL);
    return failed != 0;
}
