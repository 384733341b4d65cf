/*
 * test_match_util.h - shared helpers of the matcher tests (test_match_*.c):
 * a packet builder (raw IPv4/IPv6 + TCP/UDP/ICMP, decoded with det_decode
 * like any captured frame), a loader that parses rule text through the
 * rules/ front end into a rule set (so flowbit names are interned), and a
 * one-row runner: parse, prepare a matcher, build the packet, test the
 * header and every option, compare with the expected verdict.
 *
 * Header-only and static: each test binary includes it once.
 */
#ifndef TEST_MATCH_UTIL_H
#define TEST_MATCH_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "detect/decode.h"
#include "detect/match.h"
#include "detect/threshold.h"
#include "rules/ruleset.h"

/* ---- packets ---------------------------------------------------------- */

typedef struct tpkt {
    int v;                  /* 4 (default) or 6 */
    uint8_t proto;          /* 6 (default), 17, 1, 58 */
    const char *src, *dst;  /* default 10.0.0.1 -> 10.0.0.2 / 2001:db8::1 -> ::2 */
    uint16_t sport, dport;  /* default 1234 -> 80 */
    uint8_t ttl, tos;       /* ttl default 64 */
    uint16_t id;
    uint8_t ipflags;        /* DET_IP_RF/DF/MF */
    uint16_t fragoff;       /* 8-byte units */
    const char *ipopts;     /* raw option bytes (padded to 4 by the builder) */
    uint8_t ipoptlen;
    uint8_t tcpflags;       /* default PSH|ACK; set notcpflags for 0 */
    bool notcpflags;
    uint32_t seq, ack;
    uint16_t win;           /* default 8192 */
    uint8_t itype, icode;
    uint16_t icmp_id, icmp_seq;
    const char *payload;
    uint32_t plen;          /* 0: strlen(payload) */
} tpkt_t;

typedef struct tframe {
    uint8_t buf[2048];
    uint32_t len;
    det_packet_t p;
} tframe_t;

static void t_wr16(uint8_t *b, unsigned v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static void t_wr32(uint8_t *b, uint32_t v)
{
    t_wr16(b, v >> 16);
    t_wr16(b + 2, v & 0xffff);
}

static uint32_t t_plen(const tpkt_t *s)
{
    if (s->payload == NULL)
        return 0;
    return s->plen ? s->plen : (uint32_t)strlen(s->payload);
}

/* Build and decode s into f; fails the test when the decoder complains. */
static void t_build(const tpkt_t *s, tframe_t *f)
{
    int v = s->v ? s->v : 4;
    uint8_t proto = s->proto ? s->proto : 6;
    uint32_t plen = t_plen(s);
    uint8_t l4[2048];
    uint32_t l4len = 0;

    memset(f, 0, sizeof(*f));
    memset(l4, 0, sizeof(l4));
    if (proto == 6) {
        t_wr16(l4, s->sport ? s->sport : 1234);
        t_wr16(l4 + 2, s->dport ? s->dport : 80);
        t_wr32(l4 + 4, s->seq);
        t_wr32(l4 + 8, s->ack);
        l4[12] = 5 << 4;
        l4[13] = s->notcpflags ? 0 : (s->tcpflags ? s->tcpflags : 0x18);
        t_wr16(l4 + 14, s->win ? s->win : 8192);
        l4len = 20;
    } else if (proto == 17) {
        t_wr16(l4, s->sport ? s->sport : 1234);
        t_wr16(l4 + 2, s->dport ? s->dport : 53);
        t_wr16(l4 + 4, 8 + plen);
        l4len = 8;
    } else if (proto == 1 || proto == 58) {
        l4[0] = s->itype;
        l4[1] = s->icode;
        t_wr16(l4 + 4, s->icmp_id);
        t_wr16(l4 + 6, s->icmp_seq);
        l4len = 8;
    }
    if (plen)
        memcpy(l4 + l4len, s->payload, plen);
    l4len += plen;

    uint8_t *b = f->buf;
    if (v == 4) {
        uint32_t ol = (s->ipoptlen + 3u) & ~3u, hl = 20 + ol;
        b[0] = (uint8_t)(0x40 | hl / 4);
        b[1] = s->tos;
        t_wr16(b + 2, hl + l4len);
        t_wr16(b + 4, s->id);
        t_wr16(b + 6, (unsigned)s->ipflags << 13 | s->fragoff);
        b[8] = s->ttl ? s->ttl : 64;
        b[9] = proto;
        inet_pton(AF_INET, s->src ? s->src : "10.0.0.1", b + 12);
        inet_pton(AF_INET, s->dst ? s->dst : "10.0.0.2", b + 16);
        if (s->ipoptlen)
            memcpy(b + 20, s->ipopts, s->ipoptlen);
        memcpy(b + hl, l4, l4len);
        f->len = hl + l4len;
    } else {
        b[0] = (uint8_t)(0x60 | s->tos >> 4);
        b[1] = (uint8_t)(s->tos << 4);
        t_wr16(b + 4, l4len);
        b[6] = proto;
        b[7] = s->ttl ? s->ttl : 64;
        inet_pton(AF_INET6, s->src ? s->src : "2001:db8::1", b + 8);
        inet_pton(AF_INET6, s->dst ? s->dst : "2001:db8::2", b + 24);
        memcpy(b + 40, l4, l4len);
        f->len = 40 + l4len;
    }
    det_decode_result_t rc = det_decode(&f->p, f->buf, f->len, DET_LINK_RAW,
                                        0, NULL);
    if (rc != DET_DECODE_OK)
        fail_msg("test packet does not decode: %s", det_decode_result_name(rc));
}

/* ---- rules ------------------------------------------------------------ */

typedef struct tset {
    rule_set_t set;
    det_matcher_t mt;
    uint8_t bits[64];       /* flowbits of one flow */
} tset_t;

/* "alert tcp any any -> any any (" OPTS " sid:N;)" unless opts is a whole
 * rule (starts with a letter and contains "("). */
static void t_rule_text(char *out, size_t n, const char *opts, unsigned sid)
{
    if (strchr(opts, '(') != NULL && opts[0] >= 'a' && opts[0] <= 'z')
        snprintf(out, n, "%s", opts);
    else
        snprintf(out, n, "alert tcp any any -> any any (%s%s sid:%u;)", opts,
                 opts[0] && opts[strlen(opts) - 1] != ';' ? ";" : "", sid);
}

/* Load rule lines (each line one rule) and prepare the matcher. */
static void t_load(tset_t *ts, const char *text, unsigned expect_rules)
{
    ws_err_t err = { { 0 } };
    memset(ts, 0, sizeof(*ts));
    if (rule_set_init(&ts->set, NULL, NULL, &err) < 0)
        fail_msg("rule_set_init: %s", err.msg);
    if (rule_set_load_text(&ts->set, "test.rules", text, &err) < 0)
        fail_msg("load: %s", err.msg);
    if (ts->set.nrejects) {
        char line[600];
        rule_reject_format(&ts->set.rejects[0], line, sizeof(line));
        fail_msg("rule rejected: %s\n  text: %s", line, text);
    }
    if (ts->set.nrules != expect_rules)
        fail_msg("%u rules loaded, expected %u", ts->set.nrules, expect_rules);
    if (det_matcher_init(&ts->mt, &ts->set, &err) < 0)
        fail_msg("det_matcher_init: %s", err.msg);
}

static void t_unload(tset_t *ts)
{
    det_matcher_free(&ts->mt);
    rule_set_free(&ts->set);
}

/* Flow facts a row can give the matcher. */
typedef struct tflow {
    bool has_flow, to_server, established, rebuilt;
} tflow_t;

static det_verdict_t t_eval(tset_t *ts, unsigned idx, const det_packet_t *p,
                            const tflow_t *fl, bool with_bits)
{
    det_match_ctx_t m;
    det_match_ctx_init(&m, &ts->mt, p);
    if (fl != NULL) {
        m.has_flow = fl->has_flow;
        m.to_server = fl->to_server;
        m.established = fl->established;
        m.rebuilt = fl->rebuilt;
    }
    if (with_bits) {
        m.flowbits = ts->bits;
        m.nflowbits = ts->mt.nflowbits;
    }
    const rule_t *r = ts->set.rules[idx];
    if (!det_rule_header_match(r, p))
        return DET_NO_MATCH;
    return det_rule_match(r, &m);
}

/* A table row: options (or a whole rule), packet, flow, expected match. */
typedef struct trow {
    const char *opts;
    tpkt_t pkt;
    tflow_t flow;
    int expect;             /* 1 match (alerting or not), 0 no match */
} trow_t;

__attribute__((unused)) static void t_run_rows(const trow_t *rows, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        char text[2048];
        tset_t ts;
        tframe_t f;
        t_rule_text(text, sizeof(text), rows[i].opts, 1000 + (unsigned)i);
        t_load(&ts, text, 1);
        t_build(&rows[i].pkt, &f);
        det_verdict_t v = t_eval(&ts, 0, &f.p, &rows[i].flow, true);
        int got = v != DET_NO_MATCH;
        if (got != rows[i].expect)
            fail_msg("%s row %zu: '%s' on '%.*s': got %s, expected %s", name,
                     i, rows[i].opts, (int)t_plen(&rows[i].pkt),
                     rows[i].pkt.payload ? rows[i].pkt.payload : "",
                     got ? "match" : "no match",
                     rows[i].expect ? "match" : "no match");
        t_unload(&ts);
    }
}

#define T_RUN(rows) t_run_rows(rows, sizeof(rows) / sizeof(rows[0]), #rows)
#define T_ROWS(rows) (sizeof(rows) / sizeof(rows[0]))

#endif
