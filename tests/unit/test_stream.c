/*
 * test_stream.c - TCP reassembly (detect/stream.c): in-order, out-of-order,
 * overlap policies, retransmissions, gaps, depth, FIN/RST, midstream
 * pickup, sequence wrap-around and both directions as one table of
 * segment scripts, each checked for the exact reassembled bytes and the
 * counters; then the lookback offsets, a pattern split across segments,
 * the memcap reclaim, the take/consume API, release orders, and a seeded
 * shuffle test that compares long reassembled streams with their source.
 *
 * Every emission goes through check_out(): the lookback part must equal
 * the tail of what the direction emitted before (since its last gap), and
 * out.off must continue the previous emission, so each row also tests the
 * lookback bookkeeping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/decode.h"
#include "detect/flowstate.h"
#include "detect/stream.h"

#define ACK   DET_TCP_ACK
#define PSH   DET_TCP_PSH
#define FIN   DET_TCP_FIN
#define RST   DET_TCP_RST
#define SYN   DET_TCP_SYN
#define GOT_MAX (1u << 20)

/* ---- packets ---------------------------------------------------------- */

typedef struct tpk {
    uint8_t buf[40 + 65495];
    det_packet_t p;
} tpk_t;

static void wr16(uint8_t *b, unsigned v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
static void wr32(uint8_t *b, uint32_t v) { wr16(b, v >> 16); wr16(b + 2, v & 0xffff); }

/* IPv4/TCP 10.0.0.1:1234 <-> 10.0.0.2:80, decoded like a captured frame. */
static void mk(tpk_t *k, bool from_client, uint32_t seq, uint8_t flags,
               const void *data, uint32_t len)
{
    uint8_t *b = k->buf;
    static const uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 2 };

    memset(b, 0, 40);
    b[0] = 0x45;
    wr16(b + 2, 40 + len);
    b[8] = 64;
    b[9] = 6;
    memcpy(b + 12, from_client ? cli : srv, 4);
    memcpy(b + 16, from_client ? srv : cli, 4);
    wr16(b + 20, from_client ? 1234 : 80);
    wr16(b + 22, from_client ? 80 : 1234);
    wr32(b + 24, seq);
    b[32] = 5 << 4;
    b[33] = flags;
    wr16(b + 34, 65535);
    if (len)
        memcpy(b + 40, data, len);
    assert_int_equal(det_decode(&k->p, b, 40 + len, DET_LINK_RAW, 0, NULL), DET_DECODE_OK);
    assert_int_equal(k->p.payload_len, len);
}

/* ---- fixture: one flow, what each direction emitted ------------------- */

typedef struct tfix {
    det_stream_mgr_t m;
    det_flow_t f;
    tpk_t pk;
    uint8_t *got[2];          /* new bytes emitted, per direction (0 = to server) */
    size_t glen[2];
    size_t run_at[2];         /* where the run since the last gap starts in got */
    uint64_t next_off[2];     /* stream offset the next emission must continue */
    unsigned emits[2];
    det_stream_out_t last;
} tfix_t;

static void fix_init(tfix_t *x, const det_stream_cfg_t *cfg)
{
    ws_err_t err;
    memset(x, 0, sizeof(*x));
    assert_int_equal(det_stream_mgr_init(&x->m, cfg, &err), 0);
    for (int i = 0; i < 2; i++)
        x->got[i] = malloc(GOT_MAX);
}

static void fix_free(tfix_t *x)
{
    det_flow_release(&x->f);
    assert_null(x->f.stream);
    assert_int_equal(x->m.mem, 0);
    assert_int_equal(x->m.nstreams, 0);
    det_stream_mgr_free(&x->m);
    for (int i = 0; i < 2; i++)
        free(x->got[i]);
}

static void check_out(tfix_t *x, const det_stream_out_t *o)
{
    int di = o->to_server ? 0 : 1;
    size_t run = x->glen[di] - x->run_at[di];

    assert_true(o->len > o->new_off);
    assert_true(o->new_off <= DET_STREAM_LOOKBACK);
    if (o->gap) {
        assert_int_equal(o->new_off, 0);
        x->run_at[di] = x->glen[di];
    } else {
        assert_true(o->new_off <= run);
        assert_memory_equal(o->buf, x->got[di] + x->glen[di] - o->new_off, o->new_off);
        if (x->emits[di])
            assert_int_equal(o->off + o->new_off, x->next_off[di]);
        /* the lookback is as long as it can be */
        assert_int_equal(o->new_off, run < DET_STREAM_LOOKBACK ? run : DET_STREAM_LOOKBACK);
    }
    assert_true(x->glen[di] + (o->len - o->new_off) <= GOT_MAX);
    memcpy(x->got[di] + x->glen[di], o->buf + o->new_off, o->len - o->new_off);
    x->glen[di] += o->len - o->new_off;
    x->next_off[di] = o->off + o->len;
    x->emits[di]++;
}

static int feed_on(tfix_t *x, det_flow_t *f, bool c, uint32_t seq, uint8_t flags,
                   const void *data, uint32_t len)
{
    mk(&x->pk, c, seq, flags, data, len);
    int rc = det_stream_feed(&x->m, f, &x->pk.p, c, &x->last);
    assert_true(rc == 0 || rc == 1);
    assert_int_equal(x->last.to_server, c);
    if (rc == 1 && f == &x->f)
        check_out(x, &x->last);
    if (rc == 0)
        assert_int_equal(x->last.len, 0);
    return rc;
}

static int feed(tfix_t *x, bool c, uint32_t seq, uint8_t flags, const char *s)
{
    return feed_on(x, &x->f, c, seq, flags, s, s ? (uint32_t)strlen(s) : 0);
}

/* ---- the table -------------------------------------------------------- */

typedef struct tseg {
    char dir;                 /* 'c' client -> server, 's' back; 0 ends */
    int64_t off;              /* data offset from ISN + 1 */
    uint8_t flags;            /* 0: ACK|PSH */
    const char *data;
} tseg_t;

typedef struct texp {
    uint64_t retransmits, overlaps, overlap_bytes, out_of_order_held;
    uint64_t gaps_skipped, gap_bytes, depth_reached, depth_packets;
    uint64_t after_close, no_isn, bad_rst, bad_seq, skipped_bytes;
} texp_t;

typedef struct tcase {
    const char *name;
    uint32_t depth, window;   /* 0: unlimited depth / default window */
    uint8_t overlap;
    bool midstream, no_handshake;
    uint32_t isn_c, isn_s;    /* sequence numbers of the SYN and SYN-ACK */
    tseg_t segs[12];
    const char *want_c, *want_s;
    int state_c, state_s;     /* DET_SD_* */
    texp_t exp;
} tcase_t;

#define C(o, d)      { 'c', (o), 0, (d) }
#define S(o, d)      { 's', (o), 0, (d) }
#define CF(o, f, d)  { 'c', (o), (f), (d) }
#define SF(o, f, d)  { 's', (o), (f), (d) }
#define OPEN  DET_SD_OPEN

static const tcase_t cases[] = {
    { "in_order", .segs = { C(0, "Hel"), C(3, "lo "), C(6, "World") },
      .want_c = "Hello World", .state_c = OPEN, .state_s = OPEN },
    { "ooo_two", .segs = { C(3, "def"), C(0, "abc") },
      .want_c = "abcdef", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 1 } },
    { "ooo_three", .segs = { C(3, "def"), C(6, "ghi"), C(0, "abc") },
      .want_c = "abcdefghi", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2 } },
    { "ooo_three_middle_last", .segs = { C(6, "ghi"), C(0, "abc"), C(3, "def") },
      .want_c = "abcdefghi", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 1 } },
    { "reversed", .segs = { C(12, "mno"), C(9, "jkl"), C(6, "ghi"), C(3, "def"), C(0, "abc") },
      .want_c = "abcdefghijklmno", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 4 } },
    { "overlap_first", .segs = { C(0, "aaaa"), C(8, "cccc"), C(6, "XXXXXX"), C(4, "bb") },
      .want_c = "aaaabbXXcccc", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2, .overlaps = 1, .overlap_bytes = 4 } },
    { "overlap_last", .overlap = DET_STREAM_LAST,
      .segs = { C(0, "aaaa"), C(8, "cccc"), C(6, "XXXXXX"), C(4, "bb") },
      .want_c = "aaaabbXXXXXX", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2, .overlaps = 1, .overlap_bytes = 4 } },
    { "overlap_first_spanning",
      .segs = { C(0, "aaa"), C(4, "1111"), C(10, "2222"), C(3, "ZZZZZZZZZZZZ") },
      .want_c = "aaaZ1111ZZ2222Z", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2, .overlaps = 1, .overlap_bytes = 8 } },
    { "overlap_last_spanning", .overlap = DET_STREAM_LAST,
      .segs = { C(0, "aaa"), C(4, "1111"), C(10, "2222"), C(3, "ZZZZZZZZZZZZ") },
      .want_c = "aaaZZZZZZZZZZZZ", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2, .overlaps = 1, .overlap_bytes = 8 } },
    { "overlap_first_inside", .segs = { C(0, "ab"), C(10, "abcdef"), C(12, "XY"), C(2, "cdefghij") },
      .want_c = "abcdefghijabcdef", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2, .overlaps = 1, .overlap_bytes = 2 } },
    { "overlap_last_inside", .overlap = DET_STREAM_LAST,
      .segs = { C(0, "ab"), C(10, "abcdef"), C(12, "XY"), C(2, "cdefghij") },
      .want_c = "abcdefghijabXYef", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2, .overlaps = 1, .overlap_bytes = 2 } },
    { "overlap_last_head_and_tail", .overlap = DET_STREAM_LAST,
      .segs = { C(0, "a"), C(2, "1111"), C(8, "2222"), C(4, "XXXXXX"), C(1, "b") },
      .want_c = "ab11XXXXXX22", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 3, .overlaps = 1, .overlap_bytes = 4 } },
    { "overlap_delivered_first", .segs = { C(0, "hello"), C(3, "LOWORLD") },
      .want_c = "helloWORLD", .state_c = OPEN, .state_s = OPEN,
      .exp = { .overlaps = 1, .overlap_bytes = 2 } },
    { "overlap_delivered_last", .overlap = DET_STREAM_LAST,
      .segs = { C(0, "hello"), C(3, "LOWORLD") },
      .want_c = "helloWORLD", .state_c = OPEN, .state_s = OPEN,
      .exp = { .overlaps = 1, .overlap_bytes = 2 } },
    { "retransmit", .segs = { C(0, "abc"), C(0, "abc"), C(3, "def"), C(0, "abcdef"), C(1, "X") },
      .want_c = "abcdef", .state_c = OPEN, .state_s = OPEN,
      .exp = { .retransmits = 3 } },
    { "retransmit_of_held", .segs = { C(3, "def"), C(3, "def"), C(0, "abc") },
      .want_c = "abcdef", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2, .overlaps = 1, .overlap_bytes = 3 } },
    { "gap_skipped_to_held", .window = 16,
      .segs = { C(0, "aaaa"), C(8, "cccc"), C(20, "dddd"), C(12, "eeeeeeee") },
      .want_c = "aaaacccceeeeeeeedddd", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 2, .gaps_skipped = 1, .gap_bytes = 4 } },
    { "gap_skipped_nothing_held", .window = 16,
      .segs = { C(0, "aaaa"), C(30, "zzzz"), C(34, "y") },
      .want_c = "aaaazzzzy", .state_c = OPEN, .state_s = OPEN,
      .exp = { .gaps_skipped = 1, .gap_bytes = 26 } },
    { "gap_skipped_twice", .window = 16,
      .segs = { C(0, "a"), C(4, "bb"), C(10, "cc"), C(30, "dd") },
      .want_c = "add", .state_c = OPEN, .state_s = OPEN,   /* "bb", "cc" not shown */
      .exp = { .out_of_order_held = 2, .gaps_skipped = 3, .gap_bytes = 3 + 4 + 18,
               .skipped_bytes = 4 } },
    { "gap_late_fill_is_retransmit", .window = 16,
      .segs = { C(0, "aaaa"), C(30, "zzzz"), C(4, "bbbb") },
      .want_c = "aaaazzzz", .state_c = OPEN, .state_s = OPEN,
      .exp = { .gaps_skipped = 1, .gap_bytes = 26, .retransmits = 1 } },
    { "depth", .depth = 10, .segs = { C(0, "abcdef"), C(6, "ghijkl"), C(12, "mnop"), S(0, "srv") },
      .want_c = "abcdefghij", .want_s = "srv", .state_c = DET_SD_DEPTH, .state_s = OPEN,
      .exp = { .depth_reached = 1, .depth_packets = 1 } },
    { "depth_held_trimmed", .depth = 10, .segs = { C(8, "ijklmn"), C(0, "abcdefgh"), C(14, "zz") },
      .want_c = "abcdefghij", .state_c = DET_SD_DEPTH, .state_s = OPEN,
      .exp = { .out_of_order_held = 1, .depth_reached = 1, .depth_packets = 1 } },
    { "wrap", .isn_c = 0xfffffff8u,
      .segs = { C(0, "0123456789"), C(15, "FGHIJ"), C(10, "ABCDE") },
      .want_c = "0123456789ABCDEFGHIJ", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 1 } },
    { "wrap_syn_at_top", .isn_c = 0xffffffffu, .isn_s = 0xfffffffeu,
      .segs = { C(3, "def"), C(0, "abc"), S(0, "x"), S(1, "yz") },
      .want_c = "abcdef", .want_s = "xyz", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 1 } },
    { "both_directions",
      .segs = { C(0, "GET / HTTP/1.1\r\n"), S(17, "body"), C(16, "Host: x\r\n\r\n"),
                S(0, "HTTP/1.1 200 OK\r\n") },
      .want_c = "GET / HTTP/1.1\r\nHost: x\r\n\r\n", .want_s = "HTTP/1.1 200 OK\r\nbody",
      .state_c = OPEN, .state_s = OPEN, .exp = { .out_of_order_held = 1 } },
    { "midstream_off", .no_handshake = true, .segs = { C(0, "abc"), S(0, "xyz"), C(3, "def") },
      .want_c = "", .want_s = "", .state_c = DET_SD_NONE, .state_s = DET_SD_NONE,
      .exp = { .no_isn = 3 } },
    { "midstream_off_server_without_synack",
      .segs = { C(0, "abc") },   /* handshake rows below replaced: see runner */
      .want_c = "abc", .want_s = "", .state_c = OPEN, .state_s = DET_SD_NONE,
      .exp = { .no_isn = 1 } },
    { "midstream_on", .no_handshake = true, .midstream = true,
      .isn_c = 5000, .isn_s = 9000,
      .segs = { C(0, "abc"), C(6, "ghi"), S(0, "xyz"), C(3, "def"), C(-3, "ZZZabcdefghijk") },
      .want_c = "abcdefghijk", .want_s = "xyz", .state_c = OPEN, .state_s = OPEN,
      .exp = { .out_of_order_held = 1, .overlaps = 1, .overlap_bytes = 12 } },
    { "fin", .segs = { C(0, "abc"), CF(3, FIN | ACK, "def"), C(6, "ghi"), S(0, "ok") },
      .want_c = "abcdef", .want_s = "ok", .state_c = DET_SD_CLOSED, .state_s = OPEN,
      .exp = { .after_close = 1 } },
    { "fin_out_of_order", .segs = { CF(3, FIN | ACK | PSH, "def"), C(0, "abc"), C(6, "g") },
      .want_c = "abcdef", .state_c = DET_SD_CLOSED, .state_s = OPEN,
      .exp = { .out_of_order_held = 1, .after_close = 1 } },
    { "fin_bytes_after_fin_ignored",
      .segs = { CF(3, FIN | ACK, NULL), C(0, "abcXYZ") },
      .want_c = "abc", .state_c = DET_SD_CLOSED, .state_s = OPEN },
    { "rst", .segs = { C(0, "abc"), S(0, "xyz"), CF(3, RST | ACK, NULL), S(3, "more"), C(3, "d") },
      .want_c = "abc", .want_s = "xyz", .state_c = DET_SD_CLOSED, .state_s = DET_SD_CLOSED,
      .exp = { .after_close = 2 } },
    { "rst_out_of_window", .segs = { C(0, "abc"), CF(100000, RST, NULL), C(3, "def") },
      .want_c = "abcdef", .state_c = OPEN, .state_s = OPEN, .exp = { .bad_rst = 1 } },
    { "seq_far_ahead", .segs = { C(0, "abc"), C((1 << 30) + 100, "zzz"), C(3, "def") },
      .want_c = "abcdef", .state_c = OPEN, .state_s = OPEN, .exp = { .bad_seq = 1 } },
};

static void check_exp(const tcase_t *t, const det_stream_stats_t *st)
{
#define EXP(field) \
    if (st->field != t->exp.field) \
        fail_msg("%s: %s = %llu, expected %llu", t->name, #field, \
                 (unsigned long long)st->field, (unsigned long long)t->exp.field)
    EXP(retransmits); EXP(overlaps); EXP(overlap_bytes); EXP(out_of_order_held);
    EXP(gaps_skipped); EXP(gap_bytes); EXP(depth_reached); EXP(depth_packets);
    EXP(after_close); EXP(no_isn); EXP(bad_rst); EXP(bad_seq); EXP(skipped_bytes);
#undef EXP
}

static void check_got(const tcase_t *t, const tfix_t *x, int di, const char *want)
{
    want = want ? want : "";
    if (x->glen[di] != strlen(want) || memcmp(x->got[di], want, x->glen[di]) != 0)
        fail_msg("%s: %s got \"%.*s\", expected \"%s\"", t->name, di ? "server" : "client",
                 (int)x->glen[di], (const char *)x->got[di], want);
}

static void run_case(const tcase_t *t)
{
    det_stream_cfg_t cfg;
    tfix_t *x = malloc(sizeof(*x));
    uint32_t isn[2] = { t->isn_c ? t->isn_c : 1000, t->isn_s ? t->isn_s : 70000 };

    det_stream_cfg_default(&cfg);
    cfg.depth = t->depth;
    if (t->window)
        cfg.window = t->window;
    cfg.overlap = t->overlap;
    cfg.midstream = t->midstream;
    fix_init(x, &cfg);
    if (strcmp(t->name, "midstream_off_server_without_synack") == 0) {
        feed(x, true, isn[0], SYN, NULL);                /* the SYN-ACK was not captured */
        feed(x, false, isn[1] + 1, ACK, NULL);
    } else if (!t->no_handshake) {
        feed(x, true, isn[0], SYN, NULL);
        feed(x, false, isn[1], SYN | ACK, NULL);
        feed(x, true, isn[0] + 1, ACK, NULL);
    }
    for (const tseg_t *s = t->segs; s->dir; s++) {
        int di = s->dir == 'c' ? 0 : 1;
        uint8_t fl = s->flags ? s->flags : ACK | PSH;
        uint32_t seq = isn[di] + 1 + (uint32_t)s->off;
        if (t->no_handshake)
            seq--;           /* no SYN: off counts from the sequence number itself */
        feed(x, di == 0, seq, fl, s->data);
    }
    check_got(t, x, 0, t->want_c);
    check_got(t, x, 1, t->want_s);
    assert_int_equal(det_stream_state(&x->f, true), t->state_c);
    assert_int_equal(det_stream_state(&x->f, false), t->state_s);
    check_exp(t, &x->m.st);
    assert_true(x->m.st.mem_high_water <= cfg.memcap);
    fix_free(x);
    free(x);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i]);
}

/* ---- single scenarios ------------------------------------------------- */

static void handshake(tfix_t *x, uint32_t ic, uint32_t is)
{
    feed(x, true, ic, SYN, NULL);
    feed(x, false, is, SYN | ACK, NULL);
    feed(x, true, ic + 1, ACK, NULL);
}

static void test_lookback_offsets(void **state)
{
    static uint8_t src[3000];
    det_stream_cfg_t cfg;
    tfix_t *x = malloc(sizeof(*x));
    static const struct { uint32_t new_off, len; uint64_t off; } want[3] = {
        { 0, 1000, 0 }, { 1000, 2000, 0 }, { DET_STREAM_LOOKBACK, 1000 + DET_STREAM_LOOKBACK,
                                            2000 - DET_STREAM_LOOKBACK },
    };
    (void)state;

    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)(i * 7 + i / 251);
    det_stream_cfg_default(&cfg);
    fix_init(x, &cfg);
    handshake(x, 1, 100);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(feed_on(x, &x->f, true, 2 + 1000u * i, ACK, src + 1000 * i, 1000), 1);
        assert_int_equal(x->last.new_off, want[i].new_off);
        assert_int_equal(x->last.len, want[i].len);
        assert_int_equal(x->last.off, want[i].off);
        assert_memory_equal(x->last.buf, src + x->last.off, x->last.len);
        assert_false(x->last.gap);
        assert_false(x->last.end);
    }
    fix_free(x);
    free(x);
}

/* A signature split across segments is whole in one output; a match that
 * ends in the lookback part is recognisable as a re-scan. */
static void test_split_pattern(void **state)
{
    static const char *pat = "EVILPATTERN";
    det_stream_cfg_t cfg;
    tfix_t *x = malloc(sizeof(*x));
    const uint8_t *hit;
    (void)state;

    det_stream_cfg_default(&cfg);
    fix_init(x, &cfg);
    handshake(x, 10, 20);
    assert_int_equal(feed(x, true, 11, ACK, "xxxxEVILPA"), 1);
    assert_null(memmem(x->last.buf, x->last.len, pat, strlen(pat)));
    assert_int_equal(feed(x, true, 21, ACK, "TTERNyyyy"), 1);
    hit = memmem(x->last.buf, x->last.len, pat, strlen(pat));
    assert_non_null(hit);
    assert_true((uint32_t)(hit - x->last.buf) + strlen(pat) > x->last.new_off);   /* new */
    assert_true((uint32_t)(hit - x->last.buf) < x->last.new_off);   /* started before */
    /* the next segment re-scans the pattern in its lookback: the match ends
     * before new_off, so the caller does not alert twice */
    assert_int_equal(feed(x, true, 30, ACK, "zz"), 1);
    hit = memmem(x->last.buf, x->last.len, pat, strlen(pat));
    assert_non_null(hit);
    assert_true((uint32_t)(hit - x->last.buf) + strlen(pat) <= x->last.new_off);
    fix_free(x);

    /* split across out-of-order segments: one emission with all of it new */
    fix_init(x, &cfg);
    handshake(x, 10, 20);
    assert_int_equal(feed(x, true, 21, ACK, "TTERNyyyy"), 0);
    assert_int_equal(feed(x, true, 11, ACK, "xxxxEVILPA"), 1);
    hit = memmem(x->last.buf, x->last.len, pat, strlen(pat));
    assert_non_null(hit);
    assert_int_equal(x->last.new_off, 0);
    assert_int_equal(x->last.len, 19);
    fix_free(x);
    free(x);
}

/* Memcap: held data goes first, then the least recently fed flows stop;
 * mgr.mem never passes the cap and everything is given back on release. */
static void test_memcap_reclaim(void **state)
{
    enum { NF = 40 };
    static uint8_t data[8192];
    det_stream_cfg_t cfg;
    tfix_t *x = malloc(sizeof(*x));
    det_flow_t *fl = calloc(NF, sizeof(*fl));
    (void)state;

    memset(data, 'q', sizeof(data));
    det_stream_cfg_default(&cfg);
    cfg.memcap = 64 << 10;
    fix_init(x, &cfg);
    for (int i = 0; i < NF; i++) {
        feed_on(x, &fl[i], true, 100, SYN, NULL, 0);
        feed_on(x, &fl[i], true, 1101, ACK, data, 4000);    /* held: 1000 bytes missing */
        assert_true(x->m.mem <= cfg.memcap);
    }
    assert_true(x->m.st.memcap_reclaims > 0);
    assert_true(x->m.st.reclaim_held > 0);
    assert_int_equal(x->m.st.reclaim_flows, 0);
    assert_int_equal(x->m.st.memcap_drops, 0);
    uint64_t reclaims = x->m.st.memcap_reclaims;

    /* in-order data: 8 KiB per flow needs a 16 KiB buffer; only a few fit */
    for (int i = 0; i < NF; i++) {
        int rc = feed_on(x, &fl[i], true, 101, ACK, data, sizeof(data));
        assert_int_equal(rc, 1);
        assert_int_equal(x->last.len, sizeof(data));
        assert_true(x->m.mem <= cfg.memcap);
    }
    assert_true(x->m.st.memcap_reclaims > reclaims);
    assert_true(x->m.st.reclaim_flows > 0);
    assert_true(x->m.st.mem_high_water <= cfg.memcap);
    assert_int_equal(det_stream_state(&fl[0], true), DET_SD_OFF);   /* oldest stopped */
    assert_int_equal(det_stream_state(&fl[NF - 1], true), DET_SD_OPEN);
    /* a stopped flow costs nothing more */
    assert_int_equal(feed_on(x, &fl[0], true, 101 + 8192, ACK, data, 100), 0);
    /* the newest one keeps going */
    assert_int_equal(feed_on(x, &fl[NF - 1], true, 101 + 8192, ACK, data, 100), 1);
    assert_int_equal(x->last.new_off, DET_STREAM_LOOKBACK);
    for (int i = 0; i < NF; i++)
        det_flow_release(&fl[i]);
    free(fl);
    fix_free(x);
    free(x);
}

/* When even the flow itself does not fit, its direction stops. */
static void test_memcap_single_flow(void **state)
{
    static uint8_t data[40000];
    det_stream_cfg_t cfg;
    tfix_t *x = malloc(sizeof(*x));
    (void)state;

    memset(data, 'w', sizeof(data));
    det_stream_cfg_default(&cfg);
    cfg.memcap = 64 << 10;
    fix_init(x, &cfg);
    handshake(x, 0, 0);
    /* 40000 bytes need a 64 KiB buffer: more than the cap with the stream */
    assert_int_equal(feed_on(x, &x->f, true, 1, ACK, data, sizeof(data)), 0);
    assert_int_equal(det_stream_state(&x->f, true), DET_SD_OFF);
    assert_int_equal(x->m.st.memcap_drops, 1);
    assert_int_equal(x->m.st.memcap_reclaims, 1);
    /* an out-of-order piece that does not fit is dropped, the flow goes on */
    feed(x, false, 1 + 100, ACK, "later");
    assert_int_equal(x->m.st.out_of_order_held, 1);
    assert_int_equal(det_stream_state(&x->f, false), DET_SD_OPEN);
    assert_int_equal(feed(x, false, 1, ACK, "first"), 1);
    assert_true(x->m.mem <= cfg.memcap);
    fix_free(x);
    free(x);
}

/* A flood of tiny out-of-order pieces stops at DET_STREAM_MAX_HELD; the
 * stream still goes on when the hole is filled. */
static void test_held_limit(void **state)
{
    det_stream_cfg_t cfg;
    tfix_t *x = malloc(sizeof(*x));
    (void)state;

    det_stream_cfg_default(&cfg);
    fix_init(x, &cfg);
    handshake(x, 0, 0);
    for (uint32_t i = 0; i < DET_STREAM_MAX_HELD + 10; i++)
        feed(x, true, 1 + 2 + 2 * i, ACK, "h");          /* every other byte */
    assert_int_equal(x->m.st.held_limit, 10);
    assert_int_equal(x->m.st.out_of_order_held, DET_STREAM_MAX_HELD + 10);
    /* the holes fill with one segment: first-wins keeps the held bytes */
    static char fill[2 + 2 * DET_STREAM_MAX_HELD + 1];
    memset(fill, '.', sizeof(fill) - 1);
    assert_int_equal(feed(x, true, 1, ACK, fill), 1);
    assert_int_equal(x->glen[0], sizeof(fill) - 1);
    for (uint32_t i = 0; i < DET_STREAM_MAX_HELD; i++)
        assert_int_equal(x->got[0][2 + 2 * i], 'h');
    assert_int_equal(x->got[0][3], '.');
    fix_free(x);
    free(x);
}

/* take/consume: unconsumed bytes stay (up to take_max), a gap is reported. */
static void test_take(void **state)
{
    det_stream_cfg_t cfg;
    det_stream_chunk_t c;
    tfix_t *x = malloc(sizeof(*x));
    (void)state;

    det_stream_cfg_default(&cfg);
    cfg.take_max = 8;
    cfg.window = 32;
    fix_init(x, &cfg);
    assert_int_equal(det_stream_take(&x->f, true, &c), 0);      /* no stream yet */
    handshake(x, 0, 500);
    feed(x, true, 1, ACK, "GET /a");
    assert_int_equal(det_stream_take(&x->f, true, &c), 1);
    assert_int_equal(c.len, 6);
    assert_memory_equal(c.buf, "GET /a", 6);
    assert_int_equal(c.off, 0);
    assert_false(c.gap);
    assert_false(c.end);
    assert_false(c.midstream);
    det_stream_consume(&x->f, true, 4);                         /* "/a" left */
    feed(x, true, 7, ACK, "bc HTTP");
    assert_int_equal(det_stream_take(&x->f, true, &c), 1);
    assert_int_equal(c.len, 9);
    assert_memory_equal(c.buf, "/abc HTTP", 9);
    assert_int_equal(c.off, 4);
    /* nothing consumed: 9 unconsumed > take_max 8 -> the oldest byte goes */
    feed(x, true, 14, ACK, "/1.1");
    assert_int_equal(det_stream_take(&x->f, true, &c), 1);
    assert_true(c.gap);
    assert_int_equal(c.off, 5);
    assert_memory_equal(c.buf, "abc HTTP/1.1", 12);
    assert_int_equal(x->m.st.take_lost, 1);
    det_stream_consume(&x->f, true, 12);
    assert_int_equal(det_stream_take(&x->f, true, &c), 0);
    assert_false(c.gap);
    /* a skipped gap is reported to the consumer too */
    feed(x, true, 18 + 100, ACK, "X");                          /* beyond window 32 */
    assert_int_equal(det_stream_take(&x->f, true, &c), 1);
    assert_true(c.gap);
    assert_int_equal(c.off, 117);
    det_stream_consume(&x->f, true, 1);
    /* a direction never taken from shows the last feed only */
    feed(x, false, 501, ACK, "HTTP/1.1 ");
    feed(x, false, 510, ACK, "200");
    assert_int_equal(det_stream_take(&x->f, false, &c), 1);
    assert_int_equal(c.len, 3);
    assert_memory_equal(c.buf, "200", 3);
    det_stream_consume(&x->f, false, 3);
    /* the end of a direction */
    feed(x, false, 513, FIN | ACK, " OK");
    assert_int_equal(det_stream_take(&x->f, false, &c), 1);
    assert_true(c.end);
    assert_memory_equal(c.buf, " OK", 3);
    /* ignore: nothing kept, nothing shown */
    det_stream_ignore(&x->f, true);
    feed(x, true, 119, ACK, "YZ");
    assert_int_equal(det_stream_take(&x->f, true, &c), 0);
    fix_free(x);
    free(x);
}

/* A midstream pickup is flagged to the consumer. */
static void test_take_midstream(void **state)
{
    det_stream_cfg_t cfg;
    det_stream_chunk_t c;
    tfix_t *x = malloc(sizeof(*x));
    (void)state;

    det_stream_cfg_default(&cfg);
    cfg.midstream = true;
    fix_init(x, &cfg);
    feed(x, false, 777, ACK, "HTTP/1.1 200 OK\r\n");
    assert_int_equal(det_stream_take(&x->f, false, &c), 1);
    assert_true(c.midstream);
    assert_int_equal(det_stream_state(&x->f, true), DET_SD_NONE);
    fix_free(x);
    free(x);
}

/* The manager may go before the flows: their streams are detached. */
static void test_mgr_freed_first(void **state)
{
    det_stream_cfg_t cfg;
    tfix_t *x = malloc(sizeof(*x));
    det_flow_t f2;
    (void)state;

    memset(&f2, 0, sizeof(f2));
    det_stream_cfg_default(&cfg);
    fix_init(x, &cfg);
    handshake(x, 5, 6);
    feed(x, true, 6, ACK, "abc");
    feed(x, true, 20, ACK, "held");
    feed_on(x, &f2, true, 1, SYN, NULL, 0);
    det_stream_mgr_free(&x->m);
    assert_int_equal(x->m.mem, 0);
    det_flow_release(&x->f);
    det_flow_release(&f2);
    assert_null(x->f.stream);
    for (int i = 0; i < 2; i++)
        free(x->got[i]);
    free(x);
}

static void test_cfg_and_non_tcp(void **state)
{
    det_stream_cfg_t cfg;
    det_stream_mgr_t m;
    det_stream_out_t out;
    det_flow_t f;
    det_packet_t p;
    ws_err_t err;
    static const uint8_t udp[] = {
        0x45, 0, 0, 29, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x04, 0xd2, 0, 53, 0, 9, 0, 0, 'x',
    };
    (void)state;

    assert_int_equal(det_stream_overlap_parse("first"), DET_STREAM_FIRST);
    assert_int_equal(det_stream_overlap_parse("last"), DET_STREAM_LAST);
    assert_int_equal(det_stream_overlap_parse("bsd"), -1);
    assert_int_equal(det_stream_overlap_parse(NULL), -1);
    det_stream_cfg_default(&cfg);
    cfg.window = 0;
    assert_int_equal(det_stream_mgr_init(&m, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, "window"));
    det_stream_cfg_default(&cfg);
    cfg.memcap = 1000;
    assert_int_equal(det_stream_mgr_init(&m, &cfg, &err), -1);
    det_stream_cfg_default(&cfg);
    cfg.overlap = 7;
    assert_int_equal(det_stream_mgr_init(&m, &cfg, &err), -1);
    det_stream_cfg_default(&cfg);
    assert_int_equal(det_stream_mgr_init(&m, &cfg, &err), 0);
    memset(&f, 0, sizeof(f));
    assert_int_equal(det_decode(&p, udp, sizeof(udp), DET_LINK_RAW, 0, NULL), DET_DECODE_OK);
    assert_int_equal(det_stream_feed(&m, &f, &p, true, &out), 0);
    assert_null(f.stream);
    assert_int_equal(m.st.segments, 0);
    det_stream_mgr_free(&m);
}

/* ---- seeded shuffle: long streams, local reordering, duplicates ------- */

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

typedef struct tpiece { uint32_t off, len; } tpiece_t;

static void shuffle_run(uint64_t seed, uint32_t isn, uint8_t overlap)
{
    enum { LEN = 300000, MAXP = 4000 };
    det_stream_cfg_t cfg;
    tfix_t *x = malloc(sizeof(*x));
    uint8_t *src = malloc(LEN);
    tpiece_t *pc = malloc(MAXP * 2 * sizeof(*pc));
    uint32_t n = 0, off = 0;

    rng_state = seed;
    for (uint32_t i = 0; i < LEN; i++)
        src[i] = (uint8_t)rnd();
    while (off < LEN) {                      /* segments of 1..1460 bytes */
        uint32_t l = 1 + rnd() % 1460;
        if (off + l > LEN)
            l = LEN - off;
        pc[n].off = off;
        pc[n].len = l;
        n++;
        off += l;
    }
    for (uint32_t i = 0; i + 1 < n; i++)     /* swap with a near neighbour */
        if (rnd() % 3 == 0) {
            uint32_t j = i + 1 + rnd() % 8;
            if (j < n) {
                tpiece_t t = pc[i]; pc[i] = pc[j]; pc[j] = t;
            }
        }
    uint32_t m = n;
    for (uint32_t i = 0; i < m && m + 1 < 2 * MAXP; i++)   /* duplicates, shifted */
        if (rnd() % 5 == 0) {
            uint32_t k = i > 4 ? i - rnd() % 4 : i;
            uint32_t cut = pc[k].len > 2 ? rnd() % (pc[k].len / 2) : 0;
            tpiece_t dup = { pc[k].off + cut, pc[k].len - cut };
            /* insert it at position i (shift the tail) */
            memmove(&pc[i + 1], &pc[i], (m - i) * sizeof(*pc));
            pc[i] = dup;
            m++;
            i++;
        }
    det_stream_cfg_default(&cfg);
    cfg.depth = 0;
    cfg.overlap = overlap;
    fix_init(x, &cfg);
    handshake(x, isn, isn ^ 0x5555);
    for (uint32_t i = 0; i < m; i++)
        feed_on(x, &x->f, true, isn + 1 + pc[i].off, ACK, src + pc[i].off, pc[i].len);
    assert_int_equal(x->glen[0], LEN);
    assert_memory_equal(x->got[0], src, LEN);
    assert_int_equal(x->m.st.gaps_skipped, 0);
    assert_int_equal(x->m.st.bytes_in_order, LEN);
    assert_true(x->m.st.out_of_order_held > 0);
    assert_true(x->m.st.retransmits + x->m.st.overlaps > 0);
    fix_free(x);
    free(src);
    free(pc);
    free(x);
}

static void test_shuffle(void **state)
{
    (void)state;
    shuffle_run(0x1234567, 1000, DET_STREAM_FIRST);
    shuffle_run(0x89abcdef, 0xfffd0000u, DET_STREAM_FIRST);   /* wraps inside */
    shuffle_run(0x42, 0xffffff00u, DET_STREAM_LAST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_lookback_offsets),
        cmocka_unit_test(test_split_pattern),
        cmocka_unit_test(test_memcap_reclaim),
        cmocka_unit_test(test_memcap_single_flow),
        cmocka_unit_test(test_held_limit),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_take_midstream),
        cmocka_unit_test(test_mgr_freed_first),
        cmocka_unit_test(test_cfg_and_non_tcp),
        cmocka_unit_test(test_shuffle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
