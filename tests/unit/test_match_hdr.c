/*
 * test_match_hdr.c - header matching and the non-payload options of the
 * matcher: rule header (protocol, address and port sets, -> and <>), dsize,
 * the IP options (ttl tos id ipopts fragbits fragoffset ip_proto sameip),
 * the TCP options (flags with + * ! and ignore masks, seq ack window), the
 * ICMP options (itype icode icmp_id icmp_seq, ICMP and ICMPv6), flow, and
 * flowbits sequences over several packets of one flow.
 *
 * Rows are crafted packets (raw IPv4/IPv6, decoded by det_decode) with the
 * flow facts a flow table would give; the default packet is TCP
 * 10.0.0.1:1234 -> 10.0.0.2:80, TTL 64, flags PA, window 8192.
 */
#include "test_match_util.h"

#define TCP_F(f) { .tcpflags = (f) }
#define ICMP4(t, c) { .proto = 1, .itype = (t), .icode = (c) }
#define A "alert tcp "
#define O(x) " (" x "; sid:1;)"

/* RR option: type 7, length 7, pointer 4, one empty slot (+ EOL pad) */
#define RR_OPT "\x07\x07\x04\x00\x00\x00\x00"

static const trow_t header_rows[] = {
    { A "10.0.0.1 any -> 10.0.0.2 80" O("msg:\"x\""), {0}, {0}, 1 },
    { A "10.0.0.2 any -> 10.0.0.1 80" O("msg:\"x\""), {0}, {0}, 0 },
    { A "10.0.0.2 80 <> 10.0.0.1 any" O("msg:\"x\""), {0}, {0}, 1 },
    { A "10.0.0.2 81 <> 10.0.0.1 any" O("msg:\"x\""), {0}, {0}, 0 },
    { A "any any -> any 443" O("msg:\"x\""), {0}, {0}, 0 },
    { A "any any -> any !80" O("msg:\"x\""), {0}, {0}, 0 },
    { A "any any -> any 70:90" O("msg:\"x\""), {0}, {0}, 1 },
    { A "any 1234 -> any [22,80,443]" O("msg:\"x\""), {0}, {0}, 1 },
    { A "any !1234 -> any any" O("msg:\"x\""), {0}, {0}, 0 },
    { A "[10.0.0.0/8,!10.0.0.1] any -> any any" O("msg:\"x\""), {0}, {0}, 0 },
    { A "!192.168.0.0/16 any -> any any" O("msg:\"x\""), {0}, {0}, 1 },
    { A "any any -> 10.0.0.0/30 any" O("msg:\"x\""), {0}, {0}, 1 },
    { "alert udp any any -> any any" O("msg:\"x\""), {0}, {0}, 0 },
    { "alert udp any any -> any 53" O("msg:\"x\""), { .proto = 17 }, {0}, 1 },
    { "alert icmp any any -> any any" O("msg:\"x\""), {0}, {0}, 0 },
    { "alert icmp any any -> any any" O("msg:\"x\""), ICMP4(8, 0), {0}, 1 },
    { "alert ip any any -> any any" O("msg:\"x\""), { .proto = 17 }, {0}, 1 },
    { "alert ip any any -> any any" O("msg:\"x\""), ICMP4(0, 0), {0}, 1 },
    { A "2001:db8::/32 any -> any any" O("msg:\"x\""), { .v = 6 }, {0}, 1 },
    { A "10.0.0.0/8 any -> any any" O("msg:\"x\""), { .v = 6 }, {0}, 0 },
    { A "any any <> 2001:db8::1 1234" O("msg:\"x\""), { .v = 6 }, {0}, 1 },
    { "alert icmp any any -> any any" O("msg:\"x\""),
      { .v = 6, .proto = 58, .itype = 128 }, {0}, 1 },
};

static const trow_t ip_rows[] = {
    { "dsize:10", { .payload = "abcdefghij" }, {0}, 1 },
    { "dsize:>10", { .payload = "abcdefghij" }, {0}, 0 },
    { "dsize:5<>15", { .payload = "abcdefghij" }, {0}, 1 },
    { "dsize:0", {0}, {0}, 1 },
    { "dsize:10", { .payload = "abcdefghij" }, { .rebuilt = true }, 0 },
    { "ttl:64", {0}, {0}, 1 },
    { "ttl:<10", {0}, {0}, 0 },
    { "ttl:60-70", {0}, {0}, 1 },
    { "ttl:-63", {0}, {0}, 0 },
    { "ttl:>=64", {0}, {0}, 1 },
    { "ttl:1", { .ttl = 1 }, {0}, 1 },
    { "tos:16", { .tos = 16 }, {0}, 1 },
    { "tos:!16", { .tos = 16 }, {0}, 0 },
    { "id:4242", { .id = 4242 }, {0}, 1 },
    { "id:1", { .id = 4242 }, {0}, 0 },
    { "ipopts:rr", { .ipopts = RR_OPT, .ipoptlen = 7 }, {0}, 1 },
    { "ipopts:any", { .ipopts = RR_OPT, .ipoptlen = 7 }, {0}, 1 },
    { "ipopts:lsrr", { .ipopts = RR_OPT, .ipoptlen = 7 }, {0}, 0 },
    { "ipopts:any", {0}, {0}, 0 },
    { "ipopts:rr", { .v = 6 }, {0}, 0 },
    { "fragbits:D", { .ipflags = DET_IP_DF }, {0}, 1 },
    { "fragbits:M", { .ipflags = DET_IP_DF }, {0}, 0 },
    { "fragbits:D", { .ipflags = DET_IP_DF | DET_IP_MF }, {0}, 0 },
    { "fragbits:D+", { .ipflags = DET_IP_DF | DET_IP_MF }, {0}, 1 },
    { "fragbits:MR*", { .ipflags = DET_IP_MF }, {0}, 1 },
    { "fragbits:MR*", { .ipflags = DET_IP_DF }, {0}, 0 },
    { "fragbits:!D", { .ipflags = DET_IP_DF }, {0}, 0 },
    { "fragbits:!M", { .ipflags = DET_IP_DF }, {0}, 1 },
    { "fragbits:R", { .ipflags = DET_IP_RF }, {0}, 1 },
    { "fragoffset:0", {0}, {0}, 1 },
    { "alert ip any any -> any any (fragoffset:10; sid:1;)",
      { .fragoff = 10, .payload = "12345678" }, {0}, 1 },
    { "alert ip any any -> any any (fragoffset:>10; sid:1;)",
      { .fragoff = 10, .payload = "12345678" }, {0}, 0 },
    { "ip_proto:6", {0}, {0}, 1 },
    { "ip_proto:17", {0}, {0}, 0 },
    { "ip_proto:!6", {0}, {0}, 0 },
    { "alert ip any any -> any any (ip_proto:udp; sid:1;)", { .proto = 17 }, {0}, 1 },
    { "alert ip any any -> any any (ip_proto:icmp; sid:1;)", { .proto = 17 }, {0}, 0 },
    { "sameip", { .src = "10.0.0.9", .dst = "10.0.0.9" }, {0}, 1 },
    { "sameip", {0}, {0}, 0 },
    { "sameip", { .v = 6, .src = "2001:db8::5", .dst = "2001:db8::5" }, {0}, 1 },
    { "ttl:64; tos:32", { .v = 6, .tos = 32 }, {0}, 1 },
};

static const trow_t tcp_rows[] = {
    { "flags:S", TCP_F(DET_TCP_SYN), {0}, 1 },
    { "flags:S", TCP_F(DET_TCP_SYN | DET_TCP_ACK), {0}, 0 },
    { "flags:S+", TCP_F(DET_TCP_SYN | DET_TCP_ACK), {0}, 1 },
    { "flags:SA", TCP_F(DET_TCP_SYN | DET_TCP_ACK), {0}, 1 },
    { "flags:*SF", TCP_F(DET_TCP_FIN | DET_TCP_ACK), {0}, 1 },
    { "flags:*SR", TCP_F(DET_TCP_FIN | DET_TCP_ACK), {0}, 0 },
    { "flags:!S", TCP_F(DET_TCP_ACK), {0}, 1 },
    { "flags:!S", TCP_F(DET_TCP_SYN), {0}, 0 },
    { "flags:!SF", TCP_F(DET_TCP_FIN | DET_TCP_PSH), {0}, 0 },
    { "flags:0", { .notcpflags = true }, {0}, 1 },
    { "flags:0", TCP_F(DET_TCP_ACK), {0}, 0 },
    { "flags:S,CE", TCP_F(DET_TCP_SYN | DET_TCP_CWR | DET_TCP_ECE), {0}, 1 },
    { "flags:S", TCP_F(DET_TCP_SYN | DET_TCP_CWR), {0}, 0 },
    { "flags:SC", TCP_F(DET_TCP_SYN | DET_TCP_CWR), {0}, 1 },
    { "flags:S1", TCP_F(DET_TCP_SYN | DET_TCP_CWR), {0}, 1 },
    { "flags:S2", TCP_F(DET_TCP_SYN | DET_TCP_ECE), {0}, 1 },
    { "flags:A,12", TCP_F(DET_TCP_ACK | DET_TCP_CWR | DET_TCP_ECE), {0}, 1 },
    { "flags:FPU", TCP_F(DET_TCP_FIN | DET_TCP_PSH | DET_TCP_URG), {0}, 1 },
    { "alert udp any any -> any any (flags:S; sid:1;)", { .proto = 17 }, {0}, 0 },
    { "seq:100", { .seq = 100 }, {0}, 1 },
    { "seq:0", { .seq = 100 }, {0}, 0 },
    { "ack:0", {0}, {0}, 1 },
    { "ack:5", {0}, {0}, 0 },
    { "ack:>4000000000", { .ack = 4000000001u }, {0}, 1 },
    { "window:8192", {0}, {0}, 1 },
    { "window:<100", {0}, {0}, 0 },
    { "window:!0", {0}, {0}, 1 },
};

#define IC "alert icmp any any -> any any"
static const trow_t icmp_rows[] = {
    { IC O("itype:8"), ICMP4(8, 0), {0}, 1 },
    { IC O("itype:>5"), ICMP4(8, 0), {0}, 1 },
    { IC O("itype:0"), ICMP4(8, 0), {0}, 0 },
    { IC O("itype:3; icode:3"), ICMP4(3, 3), {0}, 1 },
    { IC O("icode:>1"), ICMP4(3, 1), {0}, 0 },
    { IC O("icmp_id:77"), { .proto = 1, .itype = 8, .icmp_id = 77 }, {0}, 1 },
    { IC O("icmp_id:77"), { .proto = 1, .itype = 8, .icmp_id = 78 }, {0}, 0 },
    /* a timestamp request carries an id too, but Snort only reads echo */
    { IC O("icmp_id:77"), { .proto = 1, .itype = 13, .icmp_id = 77 }, {0}, 0 },
    { IC O("icmp_seq:5"), { .proto = 1, .itype = 0, .icmp_seq = 5 }, {0}, 1 },
    { IC O("icmp_seq:5"), { .proto = 1, .itype = 3, .icmp_seq = 5 }, {0}, 0 },
    { IC O("itype:128"), { .v = 6, .proto = 58, .itype = 128 }, {0}, 1 },
    { IC O("icmp_id:9"), { .v = 6, .proto = 58, .itype = 129, .icmp_id = 9 }, {0}, 1 },
    { IC O("icmp_id:9"), { .v = 6, .proto = 58, .itype = 135, .icmp_id = 9 }, {0}, 0 },
    { "itype:8", {0}, {0}, 0 },           /* tcp rule: no ICMP header */
};

static const trow_t flow_rows[] = {
    { "flow:to_server", {0}, { .has_flow = true, .to_server = true }, 1 },
    { "flow:to_server", {0}, { .has_flow = true, .to_server = false }, 0 },
    { "flow:to_server", {0}, { .has_flow = false }, 0 },
    { "flow:from_client", {0}, { .has_flow = true, .to_server = true }, 1 },
    { "flow:to_client", {0}, { .has_flow = true, .to_server = false }, 1 },
    { "flow:from_server", {0}, { .has_flow = true, .to_server = true }, 0 },
    { "flow:established", {0}, { .has_flow = true, .established = true }, 1 },
    { "flow:established", {0}, { .has_flow = true }, 0 },
    { "flow:established", {0}, { .established = true }, 0 },
    { "flow:not_established", {0}, {0}, 1 },
    { "flow:not_established", {0}, { .has_flow = true, .established = true }, 0 },
    { "flow:stateless", {0}, {0}, 1 },
    { "flow:to_server,established", {0},
      { .has_flow = true, .to_server = true, .established = true }, 1 },
    { "flow:to_client,established", {0},
      { .has_flow = true, .to_server = true, .established = true }, 0 },
    { "flow:established,only_stream", {0},
      { .has_flow = true, .established = true }, 0 },
    { "flow:established,only_stream", {0},
      { .has_flow = true, .established = true, .rebuilt = true }, 1 },
    { "flow:established,no_stream", {0},
      { .has_flow = true, .established = true }, 1 },
    { "flow:established,no_stream", {0},
      { .has_flow = true, .established = true, .rebuilt = true }, 0 },
    { "flow:no_frag", {0}, {0}, 1 },
    { "flow:only_frag", {0}, {0}, 0 },
    { "flow:to_server; content:\"GET\"", { .payload = "GET /" },
      { .has_flow = true, .to_server = true }, 1 },
};

static void test_header(void **state) { (void)state; T_RUN(header_rows); }
static void test_ip(void **state) { (void)state; T_RUN(ip_rows); }
static void test_tcp(void **state) { (void)state; T_RUN(tcp_rows); }
static void test_icmp(void **state) { (void)state; T_RUN(icmp_rows); }
static void test_flow(void **state) { (void)state; T_RUN(flow_rows); }

/* ---- flowbits over a sequence of packets of one flow -------------------- */

static const char fb_rules[] =
    "alert tcp any any -> any any (content:\"LOGIN\"; flowbits:set,logged_in; flowbits:noalert; sid:1;)\n"
    "alert tcp any any -> any any (content:\"CMD\"; flowbits:isset,logged_in; sid:2;)\n"
    "alert tcp any any -> any any (content:\"CMD\"; flowbits:isnotset,logged_in; sid:3;)\n"
    "alert tcp any any -> any any (content:\"LOGOUT\"; flowbits:unset,logged_in; sid:4;)\n"
    "alert tcp any any -> any any (content:\"T\"; flowbits:toggle,t; sid:5;)\n"
    "alert tcp any any -> any any (content:\"Q\"; flowbits:isset,a&b; sid:6;)\n"
    "alert tcp any any -> any any (content:\"R\"; flowbits:isset,a|b; sid:7;)\n"
    "alert tcp any any -> any any (content:\"SA\"; flowbits:setx,a,grp; sid:8;)\n"
    "alert tcp any any -> any any (content:\"SB\"; flowbits:setx,b,grp; sid:9;)\n"
    "alert tcp any any -> any any (content:\"SETB\"; flowbits:set,b,grp; sid:10;)\n"
    "alert tcp any any -> any any (content:\"RST\"; flowbits:reset,grp; sid:11;)\n"
    "alert tcp any any -> any any (content:\"NOT\"; flowbits:isnotset,a&b; sid:12;)\n"
    "alert tcp any any -> any any (content:\"SELF\"; flowbits:set,self; flowbits:isset,self; sid:13;)\n"
    "alert tcp any any -> any any (content:\"GANY\"; flowbits:isset,any,grp; sid:14;)\n"
    "alert tcp any any -> any any (content:\"GALL\"; flowbits:isset,all,grp; sid:15;)\n"
    "alert tcp any any -> any any (content:\"FAIL\"; flowbits:set,x; content:\"nothere\"; sid:16;)\n"
    "alert tcp any any -> any any (content:\"X\"; flowbits:isset,x; sid:17;)\n"
    "alert tcp any any -> any any (content:\"TT\"; flowbits:isset,t; sid:18;)\n"
    "alert tcp any any -> any any (content:\"NA\"; flowbits:isnotset,a|b; sid:19;)\n"
    "alert tcp any any -> any any (content:\"ALL\"; flowbits:set,a&b; sid:20;)\n"
    "alert tcp any any -> any any (content:\"CLR\"; flowbits:reset; sid:21;)\n"
    "alert tcp any any -> any any (flowbits:isset,logged_in; flowbits:unset,logged_in; sid:22;)\n";

typedef struct fb_step {
    unsigned sid;           /* rule (sid n is rules[n - 1]) */
    const char *payload;
    det_verdict_t want;
} fb_step_t;

#define M DET_MATCH
#define N DET_NO_MATCH
#define NA DET_MATCH_NOALERT

static const fb_step_t fb_steps[] = {
    { 3, "CMD", M }, { 2, "CMD", N },                 /* nothing set yet */
    { 1, "LOGIN", NA },                               /* set, noalert */
    { 2, "CMD", M }, { 3, "CMD", N },
    { 4, "LOGOUT", M }, { 2, "CMD", N }, { 3, "CMD", M },
    { 5, "T", M }, { 18, "TT", M }, { 5, "T", M }, { 18, "TT", N },
    { 13, "SELF", N }, { 13, "SELF", N },             /* setters are deferred */
    { 6, "Q", N }, { 7, "R", N }, { 12, "NOT", M }, { 19, "NA", M },
    { 8, "SA", M },                                   /* a */
    { 7, "R", M }, { 6, "Q", N }, { 12, "NOT", N }, { 19, "NA", M },
    { 10, "SETB", M },                                /* a, b */
    { 6, "Q", M }, { 15, "GALL", M }, { 14, "GANY", M }, { 19, "NA", N },
    { 9, "SB", M },                                   /* setx: b only */
    { 6, "Q", N }, { 7, "R", M }, { 14, "GANY", M }, { 15, "GALL", N },
    { 11, "RST", M },                                 /* group cleared */
    { 14, "GANY", N }, { 7, "R", N }, { 12, "NOT", M },
    { 16, "FAIL", N }, { 17, "X", N },                /* failed rule sets nothing */
    { 20, "ALL", M }, { 6, "Q", M },
    { 1, "LOGIN", NA }, { 22, "", M }, { 22, "", N }, /* check, then unset */
    { 1, "LOGIN", NA }, { 5, "T", M }, { 21, "CLR", M },
    { 2, "CMD", N }, { 18, "TT", N }, { 7, "R", N },
};

static void test_flowbits_sequence(void **state)
{
    (void)state;
    tset_t ts;
    t_load(&ts, fb_rules, 22);
    tflow_t fl = { .has_flow = true, .to_server = true, .established = true };
    assert_true(ts.mt.nflowbits <= sizeof(ts.bits) * 8);
    for (size_t i = 0; i < sizeof(fb_steps) / sizeof(fb_steps[0]); i++) {
        tpkt_t pk = { .payload = fb_steps[i].payload };
        tframe_t f;
        t_build(&pk, &f);
        det_verdict_t v = t_eval(&ts, fb_steps[i].sid - 1, &f.p, &fl, true);
        if (v != fb_steps[i].want)
            fail_msg("flowbits step %zu (sid %u '%s'): got %d, want %d", i,
                     fb_steps[i].sid, fb_steps[i].payload, v, fb_steps[i].want);
    }
    t_unload(&ts);
}

/* Without flowbit storage (no session) every flowbits option fails; two
 * flows keep separate bits. */
static void test_flowbits_no_flow(void **state)
{
    (void)state;
    tset_t ts;
    tframe_t f;
    t_load(&ts, fb_rules, 22);
    tpkt_t pk = { .payload = "CMD LOGIN" };
    t_build(&pk, &f);
    assert_int_equal(t_eval(&ts, 2, &f.p, NULL, false), DET_NO_MATCH);
    assert_int_equal(t_eval(&ts, 0, &f.p, NULL, false), DET_NO_MATCH);

    uint8_t flow_a[64] = { 0 }, flow_b[64] = { 0 };
    det_match_ctx_t m;
    det_match_ctx_init(&m, &ts.mt, &f.p);
    m.has_flow = true;
    m.nflowbits = ts.mt.nflowbits;
    m.flowbits = flow_a;
    assert_int_equal(det_rule_match(ts.set.rules[0], &m), DET_MATCH_NOALERT);
    assert_int_equal(det_rule_match(ts.set.rules[1], &m), DET_MATCH);
    m.flowbits = flow_b;
    assert_int_equal(det_rule_match(ts.set.rules[1], &m), DET_NO_MATCH);
    assert_int_equal(det_rule_match(ts.set.rules[2], &m), DET_MATCH);
    t_unload(&ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_ip),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_icmp),
        cmocka_unit_test(test_flow),
        cmocka_unit_test(test_flowbits_sequence),
        cmocka_unit_test(test_flowbits_no_flow),
    };
    printf("header/option rows: %zu, flowbits steps: %zu\n",
           T_ROWS(header_rows) + T_ROWS(ip_rows) + T_ROWS(tcp_rows) +
               T_ROWS(icmp_rows) + T_ROWS(flow_rows),
           sizeof(fb_steps) / sizeof(fb_steps[0]));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
