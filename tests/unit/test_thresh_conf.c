/*
 * test_thresh_conf.c - threshold.conf (export/thresh_conf.c): which lines
 * are accepted, the exact "FILE:LINE: reason" of those rejected, loading a
 * file (bad lines skipped, continuation lines, the ET Open file as
 * shipped), and the decisions over packet time: suppress with and without
 * addresses, event_filter limit / threshold / both, the order sid ->
 * gen-wide -> global with the count -1 exemption, rate_filter with its
 * timeout, and the fixed table's counted eviction.
 *
 * Decision rows are (second of packet time, host, expected verdict); rows
 * of one table run in order against one ws_thresh_t loaded from the
 * table's lines.  Hosts: 0 = 10.0.0.1 -> 10.0.0.2, 1 = 10.0.0.7 ->
 * 10.0.0.2, 2 = 10.0.0.1 -> 10.0.0.9, 3 = 2001:db8::1 -> 2001:db8::2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "export/thresh_conf.h"

#define ET_THRESHOLD "../shared/rulesets/et-open-snort29/threshold.conf"

/* ---- parsing -------------------------------------------------------- */

typedef struct line_row {
    const char *text;
    const char *err;        /* NULL: accepted; else the whole message */
} line_row_t;

static const line_row_t lines[] = {
    { "suppress gen_id 1, sig_id 1852", NULL },
    { "suppress gen_id 1, sig_id 1852, track by_src, ip 10.1.1.54", NULL },
    { "suppress gen_id 1, sig_id 1852, track by_dst, ip 10.1.1.0/24", NULL },
    { "suppress gen_id 1, sig_id 1853, track by_src, ip [10.0.0.1, 192.168.0.0/16]", NULL },
    { "suppress gen_id 1, sig_id 1854, track by_src, ip ![10.0.0.0/8]", NULL },
    { "suppress gen_id 1, sig_id 1855, track by_dst, ip 2001:db8::/32", NULL },
    { "  suppress   gen_id 1 ,sig_id 9   # noisy rule", NULL },
    { "suppress sig_id 10, gen_id 1", NULL },
    { "event_filter gen_id 1, sig_id 1851, type limit, track by_src, count 1, seconds 60", NULL },
    { "event_filter gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60", NULL },
    { "event_filter gen_id 1, sig_id 0, type both, track by_dst, count 5, seconds 1", NULL },
    { "event_filter gen_id 1, sig_id 77, type threshold, track by_src, count -1, seconds 0", NULL },
    { "threshold gen_id 1, sig_id 78, type threshold, track by_dst, count 3, seconds 60", NULL },
    { "rate_filter gen_id 135, sig_id 1, track by_src, count 100, seconds 1, "
      "new_action drop, timeout 10", NULL },
    { "rate_filter gen_id 1, sig_id 2, track by_rule, count 1, seconds 0, "
      "new_action pass, timeout 0", NULL },
    { "rate_filter gen_id 1, sig_id 3, track by_dst, count 5, seconds 2, "
      "new_action reject, timeout 5, apply_to [10.1.2.0/24, 10.9.0.0/16]", NULL },
    { "# event_filter gen_id 0, sig_id 0, type limit", NULL },
    { "", NULL },
    { "   \t ", NULL },

    { "suppress gen_id 1", "t.conf:LINE: missing sig_id" },
    { "suppress gen_id 1, sig_id x", "t.conf:LINE: sig_id \"x\": expected a number "
      "0..4294967295" },
    { "suppress gen_id -1, sig_id 2", "t.conf:LINE: gen_id \"-1\": expected a number "
      "0..4294967295" },
    { "suppress gen_id 1, sig_id 4294967296", "t.conf:LINE: sig_id \"4294967296\": "
      "expected a number 0..4294967295" },
    { "suppress gen_id 1, sig_id 2, track by_src", "t.conf:LINE: suppress with track "
      "needs ip" },
    { "suppress gen_id 1, sig_id 2, ip 1.2.3.4", "t.conf:LINE: suppress with ip needs "
      "track by_src or by_dst" },
    { "suppress gen_id 1, sig_id 2, track by_rule, ip 1.2.3.4", "t.conf:LINE: suppress "
      "tracks by_src or by_dst" },
    { "suppress gen_id 1, sig_id 2, track by_src, ip", "t.conf:LINE: ip needs a value" },
    { "suppress gen_id 1, sig_id 2, count 5", "t.conf:LINE: unknown or misplaced option "
      "\"count\"" },
    { "suppress gen_id 1, sig_id 2, sig_id 3", "t.conf:LINE: sig_id given twice" },
    { "suppress gen_id 0, sig_id 5", "t.conf:LINE: gen_id 0 needs sig_id 0 (gen_id 0 "
      "means every generator)" },
    { "suppress gen_id 1,, sig_id 2", "t.conf:LINE: empty item (two commas in a row?)" },
    { "suppres gen_id 1, sig_id 2", "t.conf:LINE: unknown command \"suppres\" "
      "(suppress, event_filter, rate_filter)" },
    { "event_filter gen_id 1, sig_id 3, type sometimes, track by_src, count 1, seconds 60",
      "t.conf:LINE: type \"sometimes\": expected limit, threshold or both" },
    { "event_filter gen_id 1, sig_id 3, type limit, track by_rule, count 1, seconds 60",
      "t.conf:LINE: event_filter tracks by_src or by_dst" },
    { "event_filter gen_id 1, sig_id 3, type limit, track by_src, count 1",
      "t.conf:LINE: missing seconds" },
    { "event_filter gen_id 1, sig_id 3, type limit, track by_src, count -2, seconds 1",
      "t.conf:LINE: count \"-2\": expected -1 or a number >= 0" },
    { "event_filter gen_id 1, sig_id 3, type limit, track by_source, count 1, seconds 1",
      "t.conf:LINE: track \"by_source\": expected by_src, by_dst or by_rule" },
    { "event_filter gen_id 1, sig_id 1851, type both, track by_dst, count 2, seconds 5",
      "t.conf:LINE: second event_filter for 1:1851 (first at line 9)" },
    { "rate_filter gen_id 1, sig_id 4, track by_src, count 0, seconds 1, new_action drop, "
      "timeout 5", "t.conf:LINE: rate_filter count must be at least 1" },
    { "rate_filter gen_id 1, sig_id 4, track by_src, count 2, seconds 1, new_action "
      "explode, timeout 5", "t.conf:LINE: new_action \"explode\": expected alert, drop, "
      "pass, log, sdrop or reject" },
    { "rate_filter gen_id 1, sig_id 4, track by_src, count 2, seconds 1, new_action drop",
      "t.conf:LINE: missing timeout" },
    { "rate_filter gen_id 1, sig_id 4, track by_rule, count 2, seconds 1, new_action drop, "
      "timeout 1, apply_to 10.0.0.0/8", "t.conf:LINE: apply_to needs track by_src or by_dst" },
    { "rate_filter gen_id 1, sig_id 4, track by_src, count 2, seconds 1s, new_action drop, "
      "timeout 1", "t.conf:LINE: seconds \"1s\": expected a number of seconds" },
};

#define NLINES (sizeof(lines) / sizeof(lines[0]))

/* All rows go into one table in order (line numbers are row numbers), so
 * the duplicate check sees the earlier rows. */
static void test_lines(void **state)
{
    ws_thresh_t t;
    ws_err_t err;
    uint32_t accepted = 0, rejected = 0, blank = 0;
    (void)state;

    assert_int_equal(ws_thresh_init(&t, 64, &err), 0);
    for (size_t i = 0; i < NLINES; i++) {
        uint32_t before = t.n;
        char want[600];
        err.msg[0] = '\0';
        int rc = ws_thresh_parse_line(&t, lines[i].text, "t.conf", (uint32_t)i + 1,
                                      NULL, &err);
        if (lines[i].err == NULL) {
            if (rc != 0)
                fail_msg("line %zu \"%s\" rejected: %s", i + 1, lines[i].text, err.msg);
            if (t.n == before)
                blank++;
            else
                accepted++;
            continue;
        }
        /* the message with LINE replaced by the row's line number */
        const char *p = strstr(lines[i].err, "LINE");
        snprintf(want, sizeof(want), "%.*s%zu%s", (int)(p - lines[i].err), lines[i].err,
                 i + 1, p + 4);
        if (rc != -1 || strcmp(err.msg, want) != 0)
            fail_msg("line %zu \"%s\": rc %d, message\n  \"%s\", want\n  \"%s\"", i + 1,
                     lines[i].text, rc, err.msg, want);
        if (t.n != before)
            fail_msg("line %zu: rejected but added", i + 1);
        rejected++;
    }
    assert_int_equal(accepted, 16);
    assert_int_equal(blank, 3);
    assert_int_equal(rejected, NLINES - 19);
    assert_int_equal(t.errors, rejected);

    /* a few parsed fields */
    assert_int_equal(t.e[0].kind, WS_THR_SUPPRESS);
    assert_false(t.e[0].has_ips);
    assert_int_equal(t.e[1].track, WS_THR_TRACK_SRC);
    assert_true(t.e[1].has_ips);
    assert_int_equal(t.e[8].kind, WS_THR_EVENT_FILTER);
    assert_int_equal(t.e[8].type, WS_THR_LIMIT);
    assert_int_equal(t.e[8].count, 1);
    assert_int_equal(t.e[8].seconds, 60);
    assert_int_equal(t.e[11].count, -1);
    assert_int_equal(t.e[12].kind, WS_THR_EVENT_FILTER);   /* "threshold" */
    assert_int_equal(t.e[13].kind, WS_THR_RATE_FILTER);
    assert_int_equal(t.e[13].new_action, WS_THR_ACT_DROP);
    assert_int_equal(t.e[13].timeout, 10);
    assert_int_equal(t.e[15].new_action, WS_THR_ACT_REJECT);
    assert_true(t.e[15].has_ips);
    assert_string_equal(ws_thr_action_name(t.e[14].new_action), "pass");
    ws_thresh_free(&t);
}

/* ---- files ---------------------------------------------------------- */

typedef struct reports {
    char msg[8][512];
    int n;
} reports_t;

static void collect(void *ctx, const char *msg)
{
    reports_t *r = ctx;
    if (r->n < 8)
        snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", msg);
    r->n++;
}

static void test_load_file(void **state)
{
    char path[64];
    ws_thresh_t t;
    ws_err_t err;
    reports_t rep = { .n = 0 };
    rule_vars_t vars;
    char want[256];
    const char *text =
        "# local tuning\n"
        "suppress gen_id 1, sig_id 100\n"
        "event_filter gen_id 1, sig_id 101, \\\n"
        "    type limit, track by_src, \\\n"
        "    count 2, seconds 10\n"
        "bogus line here\n"
        "suppress gen_id 1, sig_id 102, track by_dst, ip $DNS_SERVERS\n"
        "suppress gen_id 1, sig_id 103, track by_dst, ip $NOPE\n"
        "\r\n"
        "rate_filter gen_id 1, sig_id 104, track by_rule, count 3, seconds 1, \\\n"
        "    new_action sdrop, timeout 2\r\n"
        "event_filter gen_id 1, sig_id 105, type limit, track by_src, \\\n"
        "    count x, seconds 1\n";
    (void)state;

    snprintf(path, sizeof(path), "/tmp/wiresift-thr-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);

    rule_vars_init_empty(&vars);
    assert_int_equal(rule_vars_set(&vars, "DNS_SERVERS", "[10.0.0.53,10.0.1.53]", &err), 0);
    assert_int_equal(ws_thresh_init(&t, 64, &err), 0);
    assert_int_equal(ws_thresh_load(&t, path, &vars, collect, &rep, &err), 3);
    assert_int_equal(rep.n, 3);
    snprintf(want, sizeof(want), "%s:6: unknown command \"bogus\" (suppress, "
             "event_filter, rate_filter)", path);
    assert_string_equal(rep.msg[0], want);
    snprintf(want, sizeof(want), "%s:8: ip \"$NOPE\": ", path);
    assert_memory_equal(rep.msg[1], want, strlen(want));
    snprintf(want, sizeof(want), "%s:12: count \"x\": expected -1 or a number >= 0", path);
    assert_string_equal(rep.msg[2], want);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.e[1].line, 3);                /* first line of the statement */
    assert_int_equal(t.e[1].count, 2);
    assert_int_equal(t.e[1].seconds, 10);
    assert_int_equal(t.e[2].ips.n4, 2);
    assert_int_equal(t.e[3].new_action, WS_THR_ACT_SDROP);
    assert_int_equal(t.e[3].line, 10);
    ws_thresh_free(&t);
    rule_vars_free(&vars);
    unlink(path);

    assert_int_equal(ws_thresh_init(&t, 64, &err), 0);
    assert_int_equal(ws_thresh_load(&t, "/nonexistent/threshold.conf", NULL, NULL, NULL,
                                    &err), -1);
    assert_string_equal(err.msg, "cannot open /nonexistent/threshold.conf: "
                        "No such file or directory");
    ws_thresh_free(&t);
}

static void test_et_open_file(void **state)
{
    ws_thresh_t t;
    ws_err_t err;
    reports_t rep = { .n = 0 };
    (void)state;

    if (access(ET_THRESHOLD, R_OK) != 0)
        skip();
    assert_int_equal(ws_thresh_init(&t, 64, &err), 0);
    assert_int_equal(ws_thresh_load(&t, ET_THRESHOLD, NULL, collect, &rep, &err), 0);
    assert_int_equal(rep.n, 0);
    assert_int_equal(t.n, 0);            /* every line of it is a comment */
    ws_thresh_free(&t);
}

/* ---- decisions ------------------------------------------------------ */

typedef struct ev {
    uint32_t sec;
    uint32_t sid;           /* 0: 7 */
    int host;
    ws_thr_verdict_t want;
    ws_thr_action_t act;    /* expected action (NONE unless a rate_filter fires) */
} ev_t;

#define L WS_THR_LOG
#define S WS_THR_SUPPRESSED
#define F WS_THR_FILTERED
#define Q WS_THR_RATE_QUIET

typedef struct dec_case {
    const char *name;
    const char *conf;       /* lines separated by '\n' */
    const ev_t *ev;
    size_t n;
    uint32_t capacity;      /* 0: 1024 */
    uint64_t evictions;     /* expected at the end */
} dec_case_t;

static void event_of(const ev_t *e, ws_thr_event_t *out)
{
    static const char *const hosts[4][2] = {
        { "10.0.0.1", "10.0.0.2" }, { "10.0.0.7", "10.0.0.2" },
        { "10.0.0.1", "10.0.0.9" }, { "2001:db8::1", "2001:db8::2" },
    };
    memset(out, 0, sizeof(*out));
    out->gid = 1;
    out->sid = e->sid ? e->sid : 7;
    out->ts_ns = (uint64_t)e->sec * 1000000000ull + 987654321ull;
    if (e->host == 3) {
        out->family = 6;
        inet_pton(AF_INET6, hosts[3][0], out->src);
        inet_pton(AF_INET6, hosts[3][1], out->dst);
    } else if (e->host >= 10) {          /* 10.0.1.N -> 10.0.0.2 */
        out->family = 4;
        inet_pton(AF_INET, "10.0.1.0", out->src);
        out->src[3] = (uint8_t)(e->host - 10);
        inet_pton(AF_INET, "10.0.0.2", out->dst);
    } else {
        out->family = 4;
        inet_pton(AF_INET, hosts[e->host][0], out->src);
        inet_pton(AF_INET, hosts[e->host][1], out->dst);
    }
}

static const ev_t suppress_ev[] = {
    { 0, 7, 0, L, 0 }, { 0, 7, 1, S, 0 }, { 1, 8, 0, S, 0 }, { 1, 8, 3, S, 0 },
    { 2, 9, 2, S, 0 }, { 2, 9, 0, L, 0 }, { 3, 10, 3, S, 0 }, { 3, 10, 0, L, 0 },
    { 4, 11, 1, L, 0 },
};

/* limit: the first 2 per 10 s, per source */
static const ev_t limit_ev[] = {
    { 0, 0, 0, L, 0 }, { 1, 0, 0, L, 0 }, { 2, 0, 0, F, 0 }, { 2, 0, 1, L, 0 },
    { 3, 0, 0, F, 0 }, { 9, 0, 0, F, 0 }, { 10, 0, 0, L, 0 }, { 11, 0, 0, L, 0 },
    { 12, 0, 0, F, 0 }, { 3, 0, 1, L, 0 }, { 4, 0, 1, F, 0 }, { 5, 0, 3, L, 0 },
};

/* threshold: every 3rd within 60 s */
static const ev_t thresh_ev[] = {
    { 0, 0, 0, F, 0 }, { 1, 0, 0, F, 0 }, { 2, 0, 0, L, 0 }, { 3, 0, 0, F, 0 },
    { 4, 0, 0, F, 0 }, { 5, 0, 0, L, 0 }, { 100, 0, 0, F, 0 }, { 101, 0, 0, F, 0 },
    { 102, 0, 0, L, 0 }, { 102, 0, 1, F, 0 },
};

/* both, by destination: once per 60 s, at the 2nd event */
static const ev_t both_ev[] = {
    { 0, 0, 0, F, 0 }, { 1, 0, 1, L, 0 }, { 2, 0, 0, F, 0 }, { 3, 0, 0, F, 0 },
    { 4, 0, 2, F, 0 }, { 70, 0, 0, F, 0 }, { 71, 0, 1, L, 0 }, { 72, 0, 0, F, 0 },
    { 72, 0, 2, F, 0 }, { 73, 0, 2, L, 0 },
};

/* global limit 1 / 60 s per source and sid; sid 8 exempt (count -1); gen 1
 * sid 0 filter overrides the global one for gen 1 (2 per 60 s) -- here
 * only gid 1 exists, so the gen-wide filter is the one in force */
static const ev_t order_ev[] = {
    { 0, 7, 0, L, 0 }, { 1, 7, 0, L, 0 }, { 2, 7, 0, F, 0 },      /* gen-wide: 2 */
    { 2, 9, 0, L, 0 }, { 3, 9, 0, L, 0 }, { 4, 9, 0, F, 0 },      /* per sid */
    { 5, 8, 0, L, 0 }, { 5, 8, 0, L, 0 }, { 5, 8, 0, L, 0 },      /* exempt */
    { 6, 12, 0, L, 0 }, { 7, 12, 0, F, 0 },                       /* own: limit 1 */
};

/* only the global one */
static const ev_t global_ev[] = {
    { 0, 7, 0, L, 0 }, { 1, 7, 0, F, 0 }, { 1, 9, 0, L, 0 }, { 2, 7, 1, L, 0 },
    { 61, 7, 0, L, 0 },
};

/* rate_filter count 2 / 10 s, new_action pass for 5 s, by source */
static const ev_t rate_ev[] = {
    { 0, 0, 0, L, 0 },
    { 1, 0, 0, L, 0 },
    { 2, 0, 0, Q, WS_THR_ACT_PASS },      /* 3rd in the window: on */
    { 4, 0, 0, Q, WS_THR_ACT_PASS },      /* still on */
    { 4, 0, 1, L, 0 },                    /* other source */
    { 7, 0, 0, Q, WS_THR_ACT_PASS },      /* timeout over, but 5 > 2: on again */
    { 10, 0, 0, Q, WS_THR_ACT_PASS },     /* new window (count 1), still on */
    { 12, 0, 0, L, 0 },                   /* timeout over, count 2 */
    { 13, 0, 0, Q, WS_THR_ACT_PASS },
};

/* rate_filter drop: the alert is still written, with the action;
 * apply_to limits it to 10.0.0.7 */
static const ev_t rate_drop_ev[] = {
    { 0, 0, 1, L, 0 }, { 0, 0, 1, L, WS_THR_ACT_DROP }, { 0, 0, 0, L, 0 },
    { 0, 0, 0, L, 0 }, { 1, 0, 1, L, WS_THR_ACT_DROP },
};

/* a suppressed event does not count for the event_filter */
static const ev_t mixed_ev[] = {
    { 0, 0, 1, S, 0 }, { 0, 0, 1, S, 0 }, { 0, 0, 0, L, 0 }, { 0, 0, 0, F, 0 },
};

/* 1 set of 8: the 9th source evicts the least recently used (source 0),
 * which then starts over */
static const ev_t evict_ev[] = {
    { 0, 0, 10, L, 0 }, { 0, 0, 10, F, 0 }, { 0, 0, 11, L, 0 }, { 0, 0, 12, L, 0 },
    { 0, 0, 13, L, 0 }, { 0, 0, 14, L, 0 }, { 0, 0, 15, L, 0 }, { 0, 0, 16, L, 0 },
    { 0, 0, 17, L, 0 }, { 0, 0, 18, L, 0 }, { 0, 0, 10, L, 0 }, { 0, 0, 10, F, 0 },
};

#define EV(a) a, sizeof(a) / sizeof(a[0])

static const dec_case_t dec_cases[] = {
    { "suppress",
      "suppress gen_id 1, sig_id 7, track by_src, ip 10.0.0.7\n"
      "suppress gen_id 1, sig_id 8\n"
      "suppress gen_id 1, sig_id 9, track by_dst, ip [10.0.0.8/29]\n"
      "suppress gen_id 1, sig_id 10, track by_src, ip 2001:db8::/32\n",
      EV(suppress_ev), 0, 0 },
    { "limit", "event_filter gen_id 1, sig_id 7, type limit, track by_src, count 2, "
      "seconds 10", EV(limit_ev), 0, 0 },
    { "threshold", "event_filter gen_id 1, sig_id 7, type threshold, track by_src, "
      "count 3, seconds 60", EV(thresh_ev), 0, 0 },
    { "both", "event_filter gen_id 1, sig_id 7, type both, track by_dst, count 2, "
      "seconds 60", EV(both_ev), 0, 0 },
    { "sid, gen-wide, global",
      "event_filter gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60\n"
      "event_filter gen_id 1, sig_id 0, type limit, track by_src, count 2, seconds 60\n"
      "event_filter gen_id 1, sig_id 8, type limit, track by_src, count -1, seconds 60\n"
      "event_filter gen_id 1, sig_id 12, type limit, track by_src, count 1, seconds 60\n",
      EV(order_ev), 0, 0 },
    { "global", "event_filter gen_id 0, sig_id 0, type limit, track by_src, count 1, "
      "seconds 60", EV(global_ev), 0, 0 },
    { "rate pass", "rate_filter gen_id 1, sig_id 7, track by_src, count 2, seconds 10, "
      "new_action pass, timeout 5", EV(rate_ev), 0, 0 },
    { "rate drop apply_to", "rate_filter gen_id 1, sig_id 7, track by_src, count 1, "
      "seconds 10, new_action drop, timeout 0, apply_to 10.0.0.7", EV(rate_drop_ev), 0, 0 },
    { "suppress before filter",
      "event_filter gen_id 1, sig_id 7, type limit, track by_dst, count 1, seconds 60\n"
      "suppress gen_id 1, sig_id 7, track by_src, ip 10.0.0.7\n", EV(mixed_ev), 0, 0 },
    { "eviction", "event_filter gen_id 1, sig_id 7, type limit, track by_src, count 1, "
      "seconds 60", EV(evict_ev), 8, 2 },
};

#define NDEC (sizeof(dec_cases) / sizeof(dec_cases[0]))

static void test_decisions(void **state)
{
    const dec_case_t *c = *state;
    ws_thresh_t t;
    ws_err_t err;
    char *conf = strdup(c->conf), *save = NULL;
    uint32_t line = 0;

    assert_non_null(conf);
    assert_int_equal(ws_thresh_init(&t, c->capacity ? c->capacity : 1024, &err), 0);
    for (char *l = strtok_r(conf, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save))
        if (ws_thresh_parse_line(&t, l, "case", ++line, NULL, &err) < 0)
            fail_msg("%s: %s", c->name, err.msg);
    free(conf);
    for (size_t i = 0; i < c->n; i++) {
        ws_thr_event_t ev;
        ws_thr_action_t act;
        event_of(&c->ev[i], &ev);
        ws_thr_verdict_t v = ws_thresh_check(&t, &ev, &act);
        if (v != c->ev[i].want || act != c->ev[i].act)
            fail_msg("%s event %zu (t=%u sid %u host %d): verdict %d action %s, "
                     "want %d %s", c->name, i, c->ev[i].sec, ev.sid, c->ev[i].host, v,
                     ws_thr_action_name(act), c->ev[i].want,
                     ws_thr_action_name(c->ev[i].act));
    }
    assert_int_equal(t.stats.evictions, c->evictions);
    assert_int_equal(t.stats.checked, c->n);
    ws_thresh_free(&t);
}

static void test_empty_logs_all(void **state)
{
    ws_thresh_t t;
    ws_err_t err;
    ws_thr_event_t ev;
    ws_thr_action_t act = WS_THR_ACT_DROP;
    ev_t e = { 0, 7, 0, L, 0 };
    (void)state;

    assert_int_equal(ws_thresh_init(&t, 1, &err), 0);
    event_of(&e, &ev);
    assert_int_equal(ws_thresh_check(&t, &ev, &act), WS_THR_LOG);
    assert_int_equal(act, WS_THR_ACT_NONE);
    assert_int_equal(ws_thresh_check(&t, &ev, NULL), WS_THR_LOG);
    ws_thresh_free(&t);
    ws_thresh_free(&t);                      /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_et_open_file),
        cmocka_unit_test(test_empty_logs_all),
    };
    static struct CMUnitTest dec[NDEC];
    int failed = 0;

    for (size_t i = 0; i < NDEC; i++)
        dec[i] = (struct CMUnitTest){ .name = dec_cases[i].name, .test_func = test_decisions,
                                      .initial_state = (void *)&dec_cases[i] };
    failed += cmocka_run_group_tests_name("threshold.conf", fixed, NULL, NULL);
    failed += _cmocka_run_group_tests("threshold.conf decisions", dec, NDEC, NULL, NULL);
    return failed != 0;
}
