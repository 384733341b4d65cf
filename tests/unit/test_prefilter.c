/*
 * test_prefilter.c - unit tests for candidate selection (detect/prefilter*.c).
 *
 * Rules are parsed from text with the rules/ front end; packets are raw IP
 * frames (LINKTYPE_RAW) built by a small builder and decoded with
 * det_decode, so the prefilter sees exactly what a detector would.  Tables
 * cover fast pattern choice (declared, longest, first on a tie,
 * offset/length slice, nocase, negated and HTTP contents), port grouping
 * (src, dst, any, ranges, narrow negations, `<>`, protocol), header-only
 * rules, the IP-only address lookup (v4, v6, negated sets, `any` on one
 * side, `<>`, protocol filter), de-duplication and order, and the blob
 * round trip (foreign rule set, damaged and truncated blobs).
 *
 * The property test generates random rules and packets from a fixed-seed
 * PRNG over small alphabets (so contents and addresses collide often) and
 * checks no false negative: every rule whose header matches the packet and
 * all of whose positive packet contents occur in the payload is a
 * candidate.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/decode.h"
#include "detect/prefilter.h"
#include "rules/ruleset.h"

/* ---- packets ------------------------------------------------------------- */

typedef struct pktspec {
    const char *src, *dst;   /* IPv4 or IPv6 text */
    int proto;               /* 6, 17, 1 (icmp / icmpv6 by family), other */
    uint16_t sport, dport;   /* or icmp type in sport */
    const char *payload;     /* NUL-terminated, may be NULL */
} pktspec_t;

typedef struct pkt {
    uint8_t buf[2048];
    det_packet_t p;
} pkt_t;

static void wr16(uint8_t *b, unsigned v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }

/* Build and decode; payload of plen bytes. */
static void mkpkt_raw(pkt_t *k, const char *src, const char *dst, int proto,
                      uint16_t sport, uint16_t dport, const uint8_t *pl, size_t plen)
{
    uint8_t *b = k->buf;
    memset(b, 0, sizeof(k->buf));
    int v6 = strchr(src, ':') != NULL;
    size_t ih = v6 ? 40 : 20;
    int wire = proto == 1 && v6 ? 58 : proto;
    size_t l4 = proto == 6 ? 20 : proto == 17 || proto == 1 ? 8 : 0;
    size_t tot = ih + l4 + plen;
    assert_true(tot <= sizeof(k->buf));
    if (v6) {
        b[0] = 0x60;
        wr16(b + 4, (unsigned)(l4 + plen));
        b[6] = (uint8_t)wire;
        b[7] = 64;
        assert_int_equal(inet_pton(AF_INET6, src, b + 8), 1);
        assert_int_equal(inet_pton(AF_INET6, dst, b + 24), 1);
    } else {
        b[0] = 0x45;
        wr16(b + 2, (unsigned)tot);
        b[8] = 64;
        b[9] = (uint8_t)wire;
        assert_int_equal(inet_pton(AF_INET, src, b + 12), 1);
        assert_int_equal(inet_pton(AF_INET, dst, b + 16), 1);
    }
    uint8_t *h = b + ih;
    if (proto == 6) {
        wr16(h, sport);
        wr16(h + 2, dport);
        h[12] = 0x50;
        h[13] = 0x02;
        wr16(h + 14, 1024);
    } else if (proto == 17) {
        wr16(h, sport);
        wr16(h + 2, dport);
        wr16(h + 4, (unsigned)(8 + plen));
    } else if (proto == 1) {
        h[0] = (uint8_t)sport;   /* type */
    }
    if (plen)
        memcpy(h + l4, pl, plen);
    det_decode(&k->p, k->buf, (uint32_t)tot, DET_LINK_RAW, 0, NULL);
    assert_int_equal(k->p.result, DET_DECODE_OK);
}

static void mkpkt(pkt_t *k, const pktspec_t *s)
{
    const char *pl = s->payload ? s->payload : "";
    mkpkt_raw(k, s->src, s->dst, s->proto, s->sport, s->dport,
              (const uint8_t *)pl, strlen(pl));
}

/* ---- rules and candidates --------------------------------------------------- */

typedef struct fixture {
    rule_set_t rs;
    det_prefilter_t *pf;
    det_prefilter_stats_t st;
} fixture_t;

static void fx_load(fixture_t *fx, const char *text)
{
    ws_err_t err;
    assert_int_equal(rule_set_init(&fx->rs, NULL, NULL, &err), 0);
    assert_int_equal(rule_set_load_text(&fx->rs, "test", text, &err), 0);
    for (uint32_t i = 0; i < fx->rs.nrejects; i++)
        fail_msg("rule rejected: line %u: %s", fx->rs.rejects[i].line,
                 fx->rs.rejects[i].reason);
    void *blob;
    size_t len;
    if (det_prefilter_build(&fx->rs, 1, &blob, &len, &fx->st, &err) != 0)
        fail_msg("build: %s", err.msg);
    if (det_prefilter_load(&fx->pf, blob, len, &fx->rs, &err) != 0)
        fail_msg("load: %s", err.msg);
    free(blob);
}

static void fx_free(fixture_t *fx)
{
    det_prefilter_free(fx->pf);
    rule_set_free(&fx->rs);
}

typedef struct cands {
    uint32_t v[4096];
    uint32_t n;
    int stop_after;          /* > 0: return 7 after this many */
} cands_t;

static int collect(uint32_t rule, void *arg)
{
    cands_t *c = arg;
    if (c->n > 0 && rule <= c->v[c->n - 1])
        fail_msg("candidate %u after %u: not ascending / duplicate", rule,
                 c->v[c->n - 1]);
    c->v[c->n++] = rule;
    return c->stop_after > 0 && (int)c->n >= c->stop_after ? 7 : 0;
}

static bool has(const cands_t *c, uint32_t rule)
{
    for (uint32_t i = 0; i < c->n; i++)
        if (c->v[i] == rule)
            return true;
    return false;
}

static void run(fixture_t *fx, const pktspec_t *s, cands_t *c)
{
    pkt_t k;
    mkpkt(&k, s);
    memset(c, 0, sizeof(*c));
    int rc = det_prefilter_candidates(fx->pf, &k.p, k.p.payload, k.p.payload_len,
                                      collect, c);
    assert_int_equal(rc, (int)c->n);
}

/* Is the single rule of fx (index 0) a candidate for s? */
static bool selected(fixture_t *fx, const pktspec_t *s)
{
    cands_t c;
    run(fx, s, &c);
    return has(&c, 0);
}

#define TCP(sp, dp, pl) { "192.0.2.1", "198.51.100.2", 6, sp, dp, pl }

/* ---- fast pattern ---------------------------------------------------------------- */

typedef struct fp_case {
    const char *opts;        /* options of `alert tcp any any -> any any (...)` */
    det_pf_path_t path;
    const char *yes;         /* a payload that must select the rule */
    const char *no;          /* a payload that must not (NULL: skip) */
} fp_case_t;

static const fp_case_t fp_cases[] = {
    /* longest wins */
    { "content:\"abc\"; content:\"longerpattern\";", DET_PF_CONTENT,
      "xx longerpattern", "xx abc xx" },
    /* tie: the first */
    { "content:\"aaaa\"; content:\"bbbb\";", DET_PF_CONTENT, "aaaa", "bbbb" },
    /* declared fast_pattern beats longest */
    { "content:\"longerpattern\"; content:\"xy\"; fast_pattern;", DET_PF_CONTENT,
      "__xy__", "longerpattern" },
    /* fast_pattern:only */
    { "content:\"qq\"; content:\"zzzz\"; fast_pattern:only;", DET_PF_CONTENT,
      "zzzz", "qq" },
    /* offset,length slice: "234" of "0123456789" */
    { "content:\"0123456789\"; fast_pattern:2,3;", DET_PF_CONTENT, "--234--", "0123" },
    /* Snort 3 inline slice */
    { "content:\"0123456789\",fast_pattern,fast_pattern_offset 5,fast_pattern_length 3;",
      DET_PF_CONTENT, "567", "0123" },
    /* nocase */
    { "content:\"AbCd\"; nocase;", DET_PF_CONTENT, "xaBcDx", "abc" },
    /* case-sensitive */
    { "content:\"AbCd\";", DET_PF_CONTENT, "AbCd", "abcd" },
    /* negated contents never give the fast pattern */
    { "content:!\"zzzzzzzzzz\"; content:\"ab\";", DET_PF_CONTENT, "ab", "zzzzzzzzzz" },
    /* binary */
    { "content:\"|00 01 02 ff|\";", DET_PF_CONTENT, NULL, "abc" },
    /* HTTP contents are skipped when a packet content exists */
    { "content:\"verylonguri\"; http_uri; content:\"pk\";", DET_PF_CONTENT,
      "pk", "verylonguri" },
    /* ... even a declared fast_pattern on them */
    { "content:\"verylonguri\"; http_uri; fast_pattern; content:\"pk\";",
      DET_PF_CONTENT, "pk", "verylonguri" },
    /* rawbytes is the packet */
    { "content:\"rawr\"; rawbytes;", DET_PF_CONTENT, "rawr", "raw" },
    /* only HTTP contents: waits for HTTP, never a candidate */
    { "content:\"GET\"; http_method; content:\"/x\"; http_uri;", DET_PF_HTTP,
      NULL, "GET /x" },
    { "file_data; content:\"MZ\";", DET_PF_HTTP, NULL, "MZ" },
    /* no positive content: header rule, returned for its group */
    { "content:!\"abc\"; flags:S;", DET_PF_HEADER, "abc", NULL },
    { "pcre:\"/foo/i\";", DET_PF_HEADER, "", NULL },
    { "dsize:>5;", DET_PF_HEADER, "", NULL },
};

static void test_fast_pattern(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fp_cases) / sizeof(fp_cases[0]); i++) {
        const fp_case_t *c = &fp_cases[i];
        char text[512];
        snprintf(text, sizeof(text), "alert tcp any any -> any any (msg:\"t\"; %s sid:1;)\n",
                 c->opts);
        fixture_t fx;
        fx_load(&fx, text);
        if (det_prefilter_path(fx.pf, 0) != c->path)
            fail_msg("row %zu: path %s, want %s", i,
                     det_pf_path_name(det_prefilter_path(fx.pf, 0)),
                     det_pf_path_name(c->path));
        pktspec_t s = TCP(1234, 80, c->yes);
        if (c->yes && !selected(&fx, &s))
            fail_msg("row %zu: '%s' not selected", i, c->yes);
        s.payload = c->no;
        if (c->no && selected(&fx, &s))
            fail_msg("row %zu: '%s' selected", i, c->no);
        uint32_t nh;
        det_prefilter_http_rules(fx.pf, &nh);
        assert_int_equal(nh, c->path == DET_PF_HTTP);
        fx_free(&fx);
    }
}

/* binary fast pattern (NUL bytes inside) */
static void test_fast_pattern_binary(void **state)
{
    (void)state;
    fixture_t fx;
    fx_load(&fx, "alert udp any any -> any any (content:\"|00 01 02 ff|\"; sid:1;)\n");
    static const uint8_t pl[] = { 'x', 0, 1, 2, 0xff, 'y' };
    pkt_t k;
    mkpkt_raw(&k, "192.0.2.1", "192.0.2.2", 17, 5, 6, pl, sizeof(pl));
    cands_t c = { .n = 0 };
    det_prefilter_candidates(fx.pf, &k.p, k.p.payload, k.p.payload_len, collect, &c);
    assert_true(has(&c, 0));
    static const uint8_t pl2[] = { 0, 1, 2, 0xfe };
    mkpkt_raw(&k, "192.0.2.1", "192.0.2.2", 17, 5, 6, pl2, sizeof(pl2));
    c.n = 0;
    det_prefilter_candidates(fx.pf, &k.p, k.p.payload, k.p.payload_len, collect, &c);
    assert_false(has(&c, 0));
    fx_free(&fx);
}

/* ---- port and protocol grouping ------------------------------------------------------ */

typedef struct port_case {
    const char *hdr;         /* header: "tcp any any -> any 80" */
    pktspec_t pkt;
    bool want;               /* must (true) / must not (false) be selected */
} port_case_t;

#define P4(proto, sp, dp) { "192.0.2.1", "198.51.100.2", proto, sp, dp, "needle" }

static const port_case_t port_cases[] = {
    { "tcp any any -> any 80", P4(6, 1234, 80), true },
    { "tcp any any -> any 80", P4(6, 80, 1234), false },
    { "tcp any any -> any 80", P4(17, 1234, 80), false },
    { "tcp any 80 -> any any", P4(6, 80, 1234), true },
    { "tcp any 80 -> any any", P4(6, 1234, 80), false },
    { "tcp any any -> any any", P4(6, 1, 2), true },
    { "tcp any any -> any any", P4(17, 1, 2), false },
    { "tcp any any -> any any", P4(1, 8, 0), false },
    /* both sides specific: the narrower (dst 80) indexes it */
    { "tcp any 1024: -> any 80", P4(6, 2000, 80), true },
    { "tcp any 1024: -> any 80", P4(6, 80, 2000), false },
    { "tcp any [1000:1010] -> any [2000:3000]", P4(6, 1005, 2500), true },
    { "tcp any [1000:1010] -> any [2000:3000]", P4(6, 1011, 2500), false },
    /* ranges and lists */
    { "tcp any any -> any 8000:8100", P4(6, 9, 8000), true },
    { "tcp any any -> any 8000:8100", P4(6, 9, 8100), true },
    { "tcp any any -> any 8000:8100", P4(6, 9, 7999), false },
    { "tcp any any -> any 8000:8100", P4(6, 9, 8101), false },
    { "tcp any any -> any [80,443,8080]", P4(6, 9, 443), true },
    { "tcp any any -> any [80,443,8080]", P4(6, 9, 444), false },
    { "tcp any any -> any :10", P4(6, 9, 0), true },
    { "tcp any any -> any 65535", P4(6, 9, 65535), true },
    { "tcp any any -> any 65535", P4(6, 9, 65534), false },
    /* negations: narrow stays grouped, wide counts as any */
    { "tcp any any -> any [1000:2000,!1500]", P4(6, 9, 1499), true },
    { "tcp any any -> any [1000:2000,!1500]", P4(6, 9, 1500), false },
    { "tcp any any -> any !80", P4(6, 9, 81), true },
    { "tcp any !80 -> any any", P4(6, 0, 9), true },
    { "tcp any any -> any ![1:1000]", P4(6, 9, 1001), true },
    /* <>: either orientation */
    { "tcp any any <> any 80", P4(6, 1234, 80), true },
    { "tcp any any <> any 80", P4(6, 80, 1234), true },
    { "tcp any any <> any 80", P4(6, 1234, 81), false },
    { "udp any 53 <> any 1000:1100", P4(17, 53, 1050), true },
    { "udp any 53 <> any 1000:1100", P4(17, 1050, 53), true },
    { "udp any 53 <> any 1000:1100", P4(17, 1050, 54), false },
    /* udp */
    { "udp any any -> any 53", P4(17, 9, 53), true },
    { "udp any any -> any 53", P4(6, 9, 53), false },
    { "udp any any -> any any", P4(17, 9, 9), true },
    /* ip: every IP packet */
    { "ip any any -> any any", P4(6, 1, 2), true },
    { "ip any any -> any any", P4(17, 1, 2), true },
    { "ip any any -> any any", P4(1, 8, 0), true },
    { "ip any any -> any any", P4(132, 0, 0), true },
    /* icmp */
    { "icmp any any -> any any", P4(1, 8, 0), true },
    { "icmp any any -> any any", P4(6, 8, 0), false },
    { "icmp any any -> any any", { "2001:db8::1", "2001:db8::2", 1, 128, 0, "needle" }, true },
};

static void test_ports(void **state)
{
    (void)state;
    static const char *const kinds[] = {
        "content:\"needle\";",            /* content path */
        "flags:S;",                        /* header path (tcp) */
        "dsize:>0;",                       /* header path (any proto) */
    };
    for (size_t i = 0; i < sizeof(port_cases) / sizeof(port_cases[0]); i++)
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            const port_case_t *c = &port_cases[i];
            if (k == 1 && strncmp(c->hdr, "tcp", 3) != 0)
                continue;
            char text[512];
            snprintf(text, sizeof(text), "alert %s (msg:\"p\"; %s sid:1;)\n",
                     c->hdr, kinds[k]);
            fixture_t fx;
            fx_load(&fx, text);
            assert_int_equal(det_prefilter_path(fx.pf, 0),
                             k == 0 ? DET_PF_CONTENT : DET_PF_HEADER);
            if (selected(&fx, &c->pkt) != c->want)
                fail_msg("row %zu kind %zu: '%s' proto %d %u->%u: want %d", i, k,
                         text, c->pkt.proto, c->pkt.sport, c->pkt.dport, c->want);
            fx_free(&fx);
        }
}

/* Many rules at once: each packet gets exactly the rules of its groups. */
static void test_groups_mixed(void **state)
{
    (void)state;
    fixture_t fx;
    fx_load(&fx,
            "alert tcp any any -> any 80 (content:\"aa\"; sid:1;)\n"      /* 0 */
            "alert tcp any any -> any 8080 (content:\"aa\"; sid:2;)\n"    /* 1 */
            "alert tcp any 80 -> any any (content:\"aa\"; sid:3;)\n"      /* 2 */
            "alert tcp any any -> any any (content:\"aa\"; sid:4;)\n"     /* 3 */
            "alert udp any any -> any 80 (content:\"aa\"; sid:5;)\n"      /* 4 */
            "alert tcp any any -> any 80 (flags:S; sid:6;)\n"             /* 5 */
            "alert tcp any any -> any 443 (flags:S; sid:7;)\n"            /* 6 */
            "alert ip any any -> any any (content:\"aa\"; sid:8;)\n"      /* 7 */
            "alert tcp any any -> any 80 (content:\"bb\"; sid:9;)\n"      /* 8 */
            "alert icmp any any -> any any (itype:8; sid:10;)\n"          /* 9 */
            "alert icmp any any -> any any (itype:0; sid:11;)\n"          /* 10 */
            "alert icmp any any -> any any (icode:0; sid:12;)\n");        /* 11 */
    static const struct {
        pktspec_t pkt;
        uint32_t want[8];
        uint32_t n;
    } rows[] = {
        { { "10.0.0.1", "10.0.0.2", 6, 1234, 80, "xaax" }, { 0, 3, 5, 7 }, 4 },
        { { "10.0.0.1", "10.0.0.2", 6, 80, 8080, "xaax" }, { 1, 2, 3, 7 }, 4 },
        { { "10.0.0.1", "10.0.0.2", 6, 80, 80, "aabb" }, { 0, 2, 3, 5, 7, 8 }, 6 },
        { { "10.0.0.1", "10.0.0.2", 6, 1, 443, "" }, { 6 }, 1 },
        { { "10.0.0.1", "10.0.0.2", 17, 1, 80, "aa" }, { 4, 7 }, 2 },
        { { "10.0.0.1", "10.0.0.2", 1, 8, 0, "aa" }, { 7, 9, 11 }, 3 },
        { { "10.0.0.1", "10.0.0.2", 1, 0, 0, "" }, { 10, 11 }, 2 },
        { { "10.0.0.1", "10.0.0.2", 1, 3, 0, "" }, { 11 }, 1 },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        cands_t c;
        run(&fx, &rows[i].pkt, &c);
        if (c.n != rows[i].n || memcmp(c.v, rows[i].want, c.n * sizeof(uint32_t)) != 0) {
            char got[256] = "";
            for (uint32_t k = 0; k < c.n; k++)
                snprintf(got + strlen(got), sizeof(got) - strlen(got), " %u", c.v[k]);
            fail_msg("row %zu: got [%s ]", i, got);
        }
    }
    assert_int_equal(fx.st.path[DET_PF_CONTENT], 7);
    assert_int_equal(fx.st.path[DET_PF_HEADER], 5);
    fx_free(&fx);
}

/* Overlapping port ranges make more groups than rules; every port of every
 * side gets exactly the rules whose (narrower) side contains it. */
static void test_overlapping_ranges(void **state)
{
    (void)state;
    char text[8192];
    size_t len = 0;
    for (int i = 0; i < 30; i++) {
        int lo = 100 + i * 7, hi = lo + 20 + i;
        if (i % 3 == 0)
            len += (size_t)snprintf(text + len, sizeof(text) - len,
                                    "alert udp any %d:%d -> any any (content:\"o\"; sid:%d;)\n",
                                    lo, hi, i + 1);
        else if (i % 3 == 1)
            len += (size_t)snprintf(text + len, sizeof(text) - len,
                                    "alert udp any any -> any [%d:%d,%d] (dsize:>0; sid:%d;)\n",
                                    lo, hi, 60000 + i, i + 1);
        else
            len += (size_t)snprintf(text + len, sizeof(text) - len,
                                    "alert udp any any <> any %d:%d (content:\"o\"; sid:%d;)\n",
                                    lo, hi, i + 1);
    }
    fixture_t fx;
    fx_load(&fx, text);
    assert_true(fx.st.hs_groups + fx.st.hdr_groups > 30);
    for (uint32_t port = 90; port < 400; port += 1)
        for (int side = 0; side < 2; side++) {
            pktspec_t s = { "10.0.0.1", "10.0.0.2", 17, side ? 7 : (uint16_t)port,
                            side ? (uint16_t)port : 7, "o" };
            cands_t c;
            run(&fx, &s, &c);
            uint32_t want = 0;
            for (uint32_t r = 0; r < fx.rs.nrules; r++) {
                const rule_t *ru = fx.rs.rules[r];
                bool m = (rule_portset_has(&ru->sport, s.sport) &&
                          rule_portset_has(&ru->dport, s.dport)) ||
                         (ru->dir == RULE_DIR_BOTH &&
                          rule_portset_has(&ru->sport, s.dport) &&
                          rule_portset_has(&ru->dport, s.sport));
                if (m != has(&c, r))
                    fail_msg("port %u side %d rule %u: want %d", port, side, r, m);
                want += m;
            }
            assert_int_equal(want, c.n);
        }
    fx_free(&fx);
}

/* ---- IP-only ----------------------------------------------------------------------------- */

typedef struct ip_case {
    const char *rule;
    det_pf_path_t path;
    pktspec_t pkt;
    bool want;
} ip_case_t;

#define IPP(s, d) { s, d, 6, 1234, 80, "" }

static const ip_case_t ip_cases[] = {
    { "ip [192.0.2.0/24,198.51.100.7] any -> any any", DET_PF_IPONLY,
      IPP("192.0.2.5", "10.0.0.1"), true },
    { "ip [192.0.2.0/24,198.51.100.7] any -> any any", DET_PF_IPONLY,
      IPP("198.51.100.7", "10.0.0.1"), true },
    { "ip [192.0.2.0/24,198.51.100.7] any -> any any", DET_PF_IPONLY,
      IPP("198.51.100.8", "10.0.0.1"), false },
    { "ip [192.0.2.0/24,198.51.100.7] any -> any any", DET_PF_IPONLY,
      IPP("10.0.0.1", "192.0.2.5"), false },
    { "ip [192.0.2.0/24,198.51.100.7] any -> any any", DET_PF_IPONLY,
      IPP("2001:db8::1", "2001:db8::2"), false },
    /* v6, destination side */
    { "ip any any -> [2001:db8::/32,2001:db9::5] any", DET_PF_IPONLY,
      IPP("::1", "2001:db8:ffff::1"), true },
    { "ip any any -> [2001:db8::/32,2001:db9::5] any", DET_PF_IPONLY,
      IPP("::1", "2001:db9::5"), true },
    { "ip any any -> [2001:db8::/32,2001:db9::5] any", DET_PF_IPONLY,
      IPP("::1", "2001:db9::6"), false },
    { "ip any any -> [2001:db8::/32,2001:db9::5] any", DET_PF_IPONLY,
      IPP("10.0.0.1", "10.0.0.2"), false },
    { "ip any any -> [2001:db8::/32,10.0.0.0/8] any", DET_PF_IPONLY,
      IPP("1.1.1.1", "10.0.0.2"), true },
    { "ip any any -> [ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124] any", DET_PF_IPONLY,
      IPP("::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), true },
    { "ip any any -> [255.255.255.255] any", DET_PF_IPONLY,
      IPP("1.1.1.1", "255.255.255.255"), true },
    { "ip [0.0.0.0] any -> any any", DET_PF_IPONLY, IPP("0.0.0.0", "1.1.1.1"), true },
    /* negated sets, both sides specific */
    { "ip ![10.0.0.0/8] any -> 10.1.2.3 any", DET_PF_IPONLY,
      IPP("11.0.0.1", "10.1.2.3"), true },
    { "ip ![10.0.0.0/8] any -> 10.1.2.3 any", DET_PF_IPONLY,
      IPP("10.0.0.5", "10.1.2.3"), false },
    { "ip ![10.0.0.0/8] any -> 10.1.2.3 any", DET_PF_IPONLY,
      IPP("11.0.0.1", "10.1.2.4"), false },
    { "ip ![10.0.0.0/8] any -> 10.1.2.3 any", DET_PF_IPONLY,
      IPP("2001:db8::1", "2001:db8::2"), false },
    { "ip ![2001:db8::/32] any -> 2001:db8::5 any", DET_PF_IPONLY,
      IPP("2001:db9::1", "2001:db8::5"), true },
    { "ip ![2001:db8::/32] any -> 2001:db8::5 any", DET_PF_IPONLY,
      IPP("2001:db8::1", "2001:db8::5"), false },
    { "ip [9.9.9.9] any -> [10.0.0.0/8] any", DET_PF_IPONLY,
      IPP("9.9.9.9", "10.200.1.1"), true },
    { "ip [9.9.9.9] any -> [10.0.0.0/8] any", DET_PF_IPONLY,
      IPP("9.9.9.9", "11.0.0.1"), false },
    { "ip [9.9.9.9] any -> [10.0.0.0/8] any", DET_PF_IPONLY,
      IPP("8.8.8.8", "10.0.0.1"), false },
    /* <> */
    { "ip 1.2.3.4 any <> 5.6.7.8 any", DET_PF_IPONLY, IPP("1.2.3.4", "5.6.7.8"), true },
    { "ip 1.2.3.4 any <> 5.6.7.8 any", DET_PF_IPONLY, IPP("5.6.7.8", "1.2.3.4"), true },
    { "ip 1.2.3.4 any <> 5.6.7.8 any", DET_PF_IPONLY, IPP("1.2.3.4", "5.6.7.9"), false },
    { "ip 1.2.3.4 any <> any any", DET_PF_IPONLY, IPP("7.7.7.7", "1.2.3.4"), true },
    { "ip 1.2.3.4 any <> any any", DET_PF_IPONLY, IPP("7.7.7.7", "1.2.3.5"), false },
    /* any on both sides: every packet */
    { "ip any any -> any any", DET_PF_IPONLY, IPP("7.7.7.7", "1.2.3.5"), true },
    { "ip any any -> any any", DET_PF_IPONLY, IPP("::7", "::8"), true },
    /* protocol filter; header options on an address rule */
    { "tcp [1.2.3.0/24] any -> any any (flags:S;", DET_PF_IPONLY,
      IPP("1.2.3.9", "7.7.7.7"), true },
    { "tcp [1.2.3.0/24] any -> any any (flags:S;", DET_PF_IPONLY,
      { "1.2.3.9", "7.7.7.7", 17, 1, 2, "" }, false },
    { "udp [1.2.3.0/24] any -> any any", DET_PF_IPONLY,
      { "1.2.3.9", "7.7.7.7", 17, 1, 2, "" }, true },
    { "icmp any any -> [1.2.3.0/24] any", DET_PF_IPONLY,
      { "7.7.7.7", "1.2.3.9", 1, 8, 0, "" }, true },
    { "icmp any any -> [1.2.3.0/24] any", DET_PF_IPONLY,
      IPP("7.7.7.7", "1.2.3.9"), false },
    /* flowbits that only set are meta; a test is not */
    { "ip [1.2.3.4] any -> any any (flowbits:set,x; flowbits:noalert;", DET_PF_IPONLY,
      IPP("1.2.3.4", "7.7.7.7"), true },
    { "ip any any -> any any (flowbits:isset,x;", DET_PF_HEADER,
      IPP("1.2.3.4", "7.7.7.7"), true },
    /* ports not any: header path */
    { "ip [1.2.3.4] any -> any 80", DET_PF_HEADER, IPP("1.2.3.4", "7.7.7.7"), true },
};

static void test_iponly(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ip_cases) / sizeof(ip_cases[0]); i++) {
        const ip_case_t *c = &ip_cases[i];
        char text[512];
        /* a rule string ending in '(' already opened its option list */
        if (c->rule[strlen(c->rule) - 1] == ';')
            snprintf(text, sizeof(text), "alert %s msg:\"i\"; sid:1;)\n", c->rule);
        else
            snprintf(text, sizeof(text), "alert %s (msg:\"i\"; threshold:type limit, "
                     "track by_src, seconds 60, count 1; classtype:misc-attack; sid:1;)\n",
                     c->rule);
        fixture_t fx;
        fx_load(&fx, text);
        if (det_prefilter_path(fx.pf, 0) != c->path)
            fail_msg("row %zu: path %s", i, det_pf_path_name(det_prefilter_path(fx.pf, 0)));
        if (selected(&fx, &c->pkt) != c->want)
            fail_msg("row %zu: '%s' %s -> %s: want %d", i, c->rule, c->pkt.src,
                     c->pkt.dst, c->want);
        fx_free(&fx);
    }
}

static uint64_t prng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    prng ^= prng << 13;
    prng ^= prng >> 7;
    prng ^= prng << 17;
    return (uint32_t)(prng % n);
}

/* Many IP-only rules with overlapping lists: the lookup equals brute force. */
static void test_iponly_many(void **state)
{
    (void)state;
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    for (int r = 0; r < 300; r++) {
        len += (size_t)snprintf(text + len, cap - len, "alert ip ");
        for (int side = 0; side < 2; side++) {
            int kind = (int)rnd(5);
            if (kind == 0) {
                len += (size_t)snprintf(text + len, cap - len, "any");
            } else {
                len += (size_t)snprintf(text + len, cap - len, "%s[", kind == 4 ? "!" : "");
                int n = 1 + (int)rnd(6);
                for (int k = 0; k < n; k++) {
                    uint32_t a = rnd(4), b = rnd(8), m = 16 + rnd(9);
                    len += (size_t)snprintf(text + len, cap - len, "%s10.%u.%u.0/%u",
                                            k ? "," : "", a, b, m);
                }
                len += (size_t)snprintf(text + len, cap - len, "]");
            }
            len += (size_t)snprintf(text + len, cap - len, side ? " any" : " any %s ",
                                    rnd(8) == 0 ? "<>" : "->");
        }
        len += (size_t)snprintf(text + len, cap - len, " (msg:\"m\"; sid:%d;)\n", r + 1);
    }
    fixture_t fx;
    fx_load(&fx, text);
    assert_int_equal(fx.st.path[DET_PF_IPONLY], 300);
    for (int i = 0; i < 3000; i++) {
        char s[32], d[32];
        uint32_t a = rnd(5), b = rnd(9), x = rnd(256);
        snprintf(s, sizeof(s), "10.%u.%u.%u", a, b, x);
        a = rnd(5), b = rnd(9), x = rnd(256);
        snprintf(d, sizeof(d), "10.%u.%u.%u", a, b, x);
        pktspec_t ps = IPP(s, d);
        cands_t c;
        run(&fx, &ps, &c);
        uint32_t sa = ntohl(inet_addr(s)), da = ntohl(inet_addr(d));
        uint32_t n = 0;
        for (uint32_t r = 0; r < fx.rs.nrules; r++) {
            const rule_t *ru = fx.rs.rules[r];
            bool m = (rule_addrset_has4(&ru->src, sa) && rule_addrset_has4(&ru->dst, da)) ||
                     (ru->dir == RULE_DIR_BOTH && rule_addrset_has4(&ru->src, da) &&
                      rule_addrset_has4(&ru->dst, sa));
            if (m != has(&c, r))
                fail_msg("packet %s -> %s rule %u: want %d", s, d, r, m);
            n += m;
        }
        assert_int_equal(n, c.n);
    }
    fx_free(&fx);
    free(text);
}

/* ---- dedup, order, early stop ------------------------------------------------------------- */

static void test_dedup_order(void **state)
{
    (void)state;
    fixture_t fx;
    fx_load(&fx,
            "alert tcp any any <> any 80 (content:\"dup\"; content:\"dup\"; sid:1;)\n"
            "alert tcp any 80 -> any 80 (content:\"dup\"; sid:2;)\n"
            "alert ip 1.1.1.1 any <> 1.1.1.1 any (msg:\"self\"; sid:3;)\n"
            "alert tcp any any -> any any (content:\"DUP\"; nocase; sid:4;)\n"
            "alert tcp any any <> any 80 (flags:S; sid:5;)\n"
            "alert tcp any any -> any any (content:\"dup\"; sid:6;)\n");
    pktspec_t s = { "1.1.1.1", "1.1.1.1", 6, 80, 80, "dup dup dup" };
    cands_t c;
    run(&fx, &s, &c);   /* collect() fails on duplicates or disorder */
    static const uint32_t want[] = { 0, 1, 2, 3, 4, 5 };
    assert_int_equal(c.n, 6);
    assert_memory_equal(c.v, want, sizeof(want));
    /* early stop returns the callback's value */
    pkt_t k;
    mkpkt(&k, &s);
    memset(&c, 0, sizeof(c));
    c.stop_after = 2;
    assert_int_equal(det_prefilter_candidates(fx.pf, &k.p, k.p.payload,
                                              k.p.payload_len, collect, &c), 7);
    assert_int_equal(c.n, 2);
    /* the next packet starts clean */
    memset(&c, 0, sizeof(c));
    assert_int_equal(det_prefilter_candidates(fx.pf, &k.p, k.p.payload,
                                              k.p.payload_len, collect, &c), 6);
    /* not IP: nothing */
    det_packet_t np;
    memset(&np, 0, sizeof(np));
    assert_int_equal(det_prefilter_candidates(fx.pf, &np, NULL, 0, collect, &c), 0);
    fx_free(&fx);
}

/* ---- blob round trip ------------------------------------------------------------------------ */

static const char *const rt_rules =
    "alert tcp any any -> any 80 (content:\"abc\"; sid:1;)\n"
    "alert tcp any any -> any any (flags:S; sid:2;)\n"
    "alert ip [1.2.3.4] any -> any any (msg:\"x\"; sid:3;)\n"
    "alert tcp any any -> any any (content:\"x\"; http_uri; sid:4;)\n";

static void test_roundtrip(void **state)
{
    (void)state;
    ws_err_t err;
    rule_set_t rs, other;
    assert_int_equal(rule_set_init(&rs, NULL, NULL, &err), 0);
    assert_int_equal(rule_set_load_text(&rs, "t", rt_rules, &err), 0);
    void *blob;
    size_t len;
    det_prefilter_stats_t st;
    assert_int_equal(det_prefilter_build(&rs, 0, &blob, &len, &st, &err), 0);
    assert_int_equal(st.blob_len, len);
    assert_int_equal(st.rules, 4);
    assert_int_equal(st.path[DET_PF_CONTENT], 1);
    assert_int_equal(st.path[DET_PF_HEADER], 1);
    assert_int_equal(st.path[DET_PF_IPONLY], 1);
    assert_int_equal(st.path[DET_PF_HTTP], 1);
    assert_int_equal(st.hs_groups, 1);

    /* two loads from one blob are independent */
    det_prefilter_t *a, *b;
    assert_int_equal(det_prefilter_load(&a, blob, len, &rs, &err), 0);
    assert_int_equal(det_prefilter_load(&b, blob, len, &rs, &err), 0);
    pkt_t k;
    pktspec_t s = { "1.2.3.4", "5.6.7.8", 6, 9, 80, "abc" };
    mkpkt(&k, &s);
    cands_t c = { .n = 0 };
    assert_int_equal(det_prefilter_candidates(a, &k.p, k.p.payload, k.p.payload_len,
                                              collect, &c), 3);
    det_prefilter_free(a);
    c.n = 0;
    assert_int_equal(det_prefilter_candidates(b, &k.p, k.p.payload, k.p.payload_len,
                                              collect, &c), 3);
    uint32_t nh;
    const uint32_t *h = det_prefilter_http_rules(b, &nh);
    assert_int_equal(nh, 1);
    assert_int_equal(h[0], 3);
    det_prefilter_free(b);

    /* another rule set: same count, one rev differs */
    assert_int_equal(rule_set_init(&other, NULL, NULL, &err), 0);
    char *t2 = strdup(rt_rules);
    *strstr(t2, "sid:2;") = '\0';
    char t3[1024];
    snprintf(t3, sizeof(t3), "%ssid:2; rev:2;)%s", t2,
             strstr(rt_rules, "sid:2;)") + strlen("sid:2;)"));
    assert_int_equal(rule_set_load_text(&other, "t", t3, &err), 0);
    assert_int_equal(other.nrules, 4);
    assert_int_equal(det_prefilter_load(&a, blob, len, &other, &err), -1);
    assert_non_null(strstr(err.msg, "another rule set"));
    free(t2);
    rule_set_free(&other);

    /* damaged: bad magic, every truncation, flipped bytes */
    uint8_t *copy = malloc(len);
    memcpy(copy, blob, len);
    copy[0] ^= 0xff;
    assert_int_equal(det_prefilter_load(&a, copy, len, &rs, &err), -1);
    for (size_t cut = 0; cut < len; cut += 1 + cut / 64)
        assert_int_equal(det_prefilter_load(&a, blob, cut, &rs, &err), -1);
    uint32_t seed = 7;
    for (int i = 0; i < 300; i++) {
        memcpy(copy, blob, len);
        seed = seed * 1103515245u + 12345u;
        copy[(seed >> 4) % len] ^= (uint8_t)(1u << (seed % 8));
        /* must not crash; may load when the flip hit a harmless byte */
        if (det_prefilter_load(&a, copy, len, &rs, &err) == 0) {
            c.n = 0;
            det_prefilter_candidates(a, &k.p, k.p.payload, k.p.payload_len, collect, &c);
            det_prefilter_free(a);
        }
    }
    free(copy);
    free(blob);
    rule_set_free(&rs);
}

/* ---- property: no false negatives ----------------------------------------------------------- */

static const char *const words[] = { "ab", "abc", "Cd", "xyz", "QQ", "hello",
                                     "a", "zz", "HELLO", "abcdef" };
#define NWORDS (sizeof(words) / sizeof(words[0]))
static const uint16_t port_pool[] = { 0, 1, 53, 80, 81, 443, 1000, 1024, 8080, 65535 };
#define NPORTS (sizeof(port_pool) / sizeof(port_pool[0]))

static int gen_ports(char *out, size_t n)
{
    uint16_t p = port_pool[rnd(NPORTS)];
    uint16_t q = port_pool[rnd(NPORTS)];
    if (q < p) {
        uint16_t t = p; p = q; q = t;
    }
    switch (rnd(7)) {
    case 0: case 1: return snprintf(out, n, "any");
    case 2: return snprintf(out, n, "%u", p);
    case 3: return snprintf(out, n, "%u:%u", p, q);
    case 4: return snprintf(out, n, "[%u,%u]", p, q);
    case 5: return p == 0 && q == 65535 ? snprintf(out, n, "any")
                                        : snprintf(out, n, "!%u", p);
    default: return snprintf(out, n, "%u:", p);
    }
}

static int gen_addr(char *out, size_t n)
{
    switch (rnd(5)) {
    case 0: case 1: return snprintf(out, n, "any");
    case 2: return snprintf(out, n, "10.0.0.%u", rnd(4));
    case 3: return snprintf(out, n, "[10.0.0.0/31,2001:db8::%u]", rnd(3));
    default: return snprintf(out, n, "!10.0.0.%u", rnd(4));
    }
}

static bool occurs(const uint8_t *hay, uint32_t hl, const rule_content_t *c)
{
    for (uint32_t i = 0; i + c->len <= hl; i++) {
        uint32_t k = 0;
        for (; k < c->len; k++) {
            uint8_t a = hay[i + k], b = c->pat[k];
            if (c->nocase) {
                if (a >= 'A' && a <= 'Z') a += 32;
                if (b >= 'A' && b <= 'Z') b += 32;
            }
            if (a != b)
                break;
        }
        if (k == c->len)
            return true;
    }
    return false;
}

static bool addr_has(const rule_addrset_t *s, const det_ip_t *ip, bool dst)
{
    const uint8_t *a = dst ? ip->dst : ip->src;
    if (ip->version == 4)
        return rule_addrset_has4(s, (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
                                    (uint32_t)a[2] << 8 | a[3]);
    return rule_addrset_has6(s, a);
}

/* Could r match p (header, and every positive packet content present)? */
static bool oracle(const rule_t *r, const det_packet_t *p)
{
    switch (r->proto) {
    case RULE_PROTO_TCP: if (p->l4_proto != 6) return false; break;
    case RULE_PROTO_UDP: if (p->l4_proto != 17) return false; break;
    case RULE_PROTO_ICMP: if (p->l4_proto != 1 && p->l4_proto != 58) return false; break;
    default: break;
    }
    const det_ip_t *ip = det_ip_inner(p);
    bool tu = p->l4_proto == 6 || p->l4_proto == 17;
    bool fwd = addr_has(&r->src, ip, false) && addr_has(&r->dst, ip, true) &&
               (!tu || (rule_portset_has(&r->sport, p->sport) &&
                        rule_portset_has(&r->dport, p->dport)));
    bool rev = r->dir == RULE_DIR_BOTH &&
               addr_has(&r->src, ip, true) && addr_has(&r->dst, ip, false) &&
               (!tu || (rule_portset_has(&r->sport, p->dport) &&
                        rule_portset_has(&r->dport, p->sport)));
    if (!fwd && !rev)
        return false;
    bool http = false, pkt = false;
    for (uint32_t i = 0; i < r->nopts; i++) {
        const rule_opt_t *o = &r->opts[i];
        if (o->kw != RULE_KW_CONTENT || o->u.content.negated)
            continue;
        if (o->u.content.buffer != RULE_BUF_PKT && o->u.content.buffer != RULE_BUF_RAW) {
            http = true;
            continue;
        }
        pkt = true;
        if (!occurs(p->payload, p->payload_len, &o->u.content))
            return false;
    }
    return pkt || !http;
}

static void test_no_false_negatives(void **state)
{
    (void)state;
    static const char *const protos[] = { "tcp", "udp", "icmp", "ip" };
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    for (int r = 0; r < 400; r++) {
        char sa[64], da[64], sp[32], dp[32];
        gen_addr(sa, sizeof(sa));
        gen_addr(da, sizeof(da));
        gen_ports(sp, sizeof(sp));
        gen_ports(dp, sizeof(dp));
        const char *proto = protos[rnd(4)];
        bool ports = proto[0] == 't' || proto[0] == 'u';
        const char *dir = rnd(6) ? "->" : "<>";
        len += (size_t)snprintf(text + len, cap - len, "alert %s %s %s %s %s %s (",
                                proto, sa, ports ? sp : "any", dir, da,
                                ports ? dp : "any");
        int nc = (int)rnd(4), fp_done = 0;
        for (int c = 0; c < nc; c++) {
            const char *w = words[rnd(NWORDS)];
            len += (size_t)snprintf(text + len, cap - len, "content:%s\"%s\";",
                                    rnd(6) == 0 ? "!" : "", w);
            if (rnd(3) == 0)
                len += (size_t)snprintf(text + len, cap - len, " nocase;");
            if (rnd(8) == 0)
                len += (size_t)snprintf(text + len, cap - len, " http_uri;");
            else if (!fp_done && rnd(4) == 0 && text[len - 2] != '!') {
                size_t wl = strlen(w);
                fp_done = 1;
                if (wl > 2 && rnd(2))
                    len += (size_t)snprintf(text + len, cap - len, " fast_pattern:1,%zu;",
                                            wl - 2);
                else
                    len += (size_t)snprintf(text + len, cap - len, " fast_pattern;");
            }
        }
        if (nc == 0 && rnd(2))
            len += (size_t)snprintf(text + len, cap - len, "dsize:>1;");
        len += (size_t)snprintf(text + len, cap - len, " sid:%d;)\n", r + 1);
    }
    fixture_t fx;
    ws_err_t err;
    assert_int_equal(rule_set_init(&fx.rs, NULL, NULL, &err), 0);
    assert_int_equal(rule_set_load_text(&fx.rs, "gen", text, &err), 0);
    /* a negated content on an fast_pattern line may reject a few; fine */
    assert_true(fx.rs.nrules > 350);
    void *blob;
    size_t blen;
    assert_int_equal(det_prefilter_build(&fx.rs, 2, &blob, &blen, &fx.st, &err), 0);
    assert_int_equal(det_prefilter_load(&fx.pf, blob, blen, &fx.rs, &err), 0);
    free(blob);
    static const char *const addrs4[] = { "10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3",
                                          "192.0.2.1" };
    static const char *const addrs6[] = { "2001:db8::", "2001:db8::1", "2001:db8::2",
                                          "::1" };
    static const int pprotos[] = { 6, 17, 1, 132 };
    uint64_t total = 0, must = 0;
    for (int i = 0; i < 20000; i++) {
        uint8_t pl[64];
        size_t pn = 0;
        int nw = (int)rnd(5);
        for (int w = 0; w < nw; w++) {
            const char *x = words[rnd(NWORDS)];
            size_t xl = strlen(x);
            if (pn + xl + 1 > sizeof(pl))
                break;
            for (size_t q = 0; q < xl; q++)   /* random case flips */
                pl[pn + q] = rnd(4) ? (uint8_t)x[q] : (uint8_t)(x[q] ^ 0x20);
            pn += xl;
            pl[pn++] = (uint8_t)rnd(256);
        }
        bool v6 = rnd(4) == 0;
        const char *s = v6 ? addrs6[rnd(4)] : addrs4[rnd(5)];
        const char *d = v6 ? addrs6[rnd(4)] : addrs4[rnd(5)];
        int proto = pprotos[rnd(4)];
        pkt_t k;
        uint16_t sp = port_pool[rnd(NPORTS)], dp = port_pool[rnd(NPORTS)];
        mkpkt_raw(&k, s, d, proto, sp, dp, pl, pn);
        cands_t c;
        memset(&c, 0, sizeof(c));
        det_prefilter_candidates(fx.pf, &k.p, k.p.payload, k.p.payload_len, collect, &c);
        total += c.n;
        for (uint32_t r = 0; r < fx.rs.nrules; r++)
            if (oracle(fx.rs.rules[r], &k.p)) {
                must++;
                if (!has(&c, r))
                    fail_msg("packet %d (%s -> %s proto %d %u->%u): rule sid %u "
                             "(path %s) missed", i, s, d, proto, k.p.sport, k.p.dport,
                             fx.rs.rules[r]->sid,
                             det_pf_path_name(det_prefilter_path(fx.pf, r)));
            }
    }
    print_message("property: %llu required hits, %llu candidates over %u rules\n",
                  (unsigned long long)must, (unsigned long long)total, fx.rs.nrules);
    /* the test means something: many required hits, not everything selected */
    assert_true(must > 20000);
    assert_true(total < 20000ull * fx.rs.nrules / 4);
    fx_free(&fx);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_pattern),
        cmocka_unit_test(test_fast_pattern_binary),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_groups_mixed),
        cmocka_unit_test(test_overlapping_ranges),
        cmocka_unit_test(test_iponly),
        cmocka_unit_test(test_iponly_many),
        cmocka_unit_test(test_dedup_order),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_no_false_negatives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
