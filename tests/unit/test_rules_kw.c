/*
 * test_rules_kw.c - keyword families of the rule parser (rules/kw_*.c).
 *
 * One table of accepted and rejected option lists per family: each row is
 * the options of a rule (the header and sid are added), whether it loads,
 * and for rejects a piece of the expected reason.  Then targeted tests
 * check that accepted options land in the typed structs a matcher reads:
 * decoded content bytes and modifiers, pcre flags, flow and flowbits,
 * numeric comparisons, byte_* fields, buffers in Snort 2 and Snort 3 form,
 * and the meta fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules/ruleset.h"

typedef struct kw_case {
    const char *opts;   /* option text; " sid:1;" is appended unless present */
    const char *error;  /* NULL: must load; else substring of the reason */
} kw_case_t;

static rule_t *parse_opts(const char *opts, rule_dialect_t dialect,
                          ws_err_t *err)
{
    char text[4096];
    snprintf(text, sizeof(text), "alert tcp any any -> any any (%s%s)", opts,
             strstr(opts, "sid:") ? "" : " sid:1;");
    rule_parse_ctx_t ctx = { .dialect = dialect };
    rule_t *r = NULL;
    err->msg[0] = '\0';
    if (rule_parse(text, &ctx, &r, NULL, err) < 0)
        return NULL;
    return r;
}

static void run_table(const kw_case_t *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ws_err_t err;
        rule_t *r = parse_opts(t[i].opts, RULE_DIALECT_AUTO, &err);
        if (t[i].error == NULL) {
            if (r == NULL)
                fail_msg("row %zu '%s' rejected: %s", i, t[i].opts, err.msg);
        } else {
            if (r != NULL)
                fail_msg("row %zu '%s' loaded, expected '%s'", i, t[i].opts,
                         t[i].error);
            if (strstr(err.msg, t[i].error) == NULL)
                fail_msg("row %zu '%s': reason '%s' lacks '%s'", i,
                         t[i].opts, err.msg, t[i].error);
        }
        rule_free(r);
    }
}

#define RUN(table) run_table(table, sizeof(table) / sizeof(table[0]))

/* ---- tables ---------------------------------------------------------- */

static const kw_case_t content_cases[] = {
    { "content:\"abc\";", NULL },
    { "content:\"|41 42|C\";", NULL },
    { "content:\"|4142|\";", NULL },
    { "content:\"|3 a20|\";", NULL },
    { "content:!\"abc\";", NULL },
    { "content:! \"abc\";", NULL },
    { "content:\"a\\;b\\\"c\\\\d\\:\";", NULL },
    { "content:\"abc\"; nocase; offset:2; depth:10;", NULL },
    { "content:\"abc\"; content:\"d\"; distance:0; within:5;", NULL },
    { "content:\"abc\"; distance:-5;", NULL },
    { "content:\"abc\"; fast_pattern;", NULL },
    { "content:\"abc\"; fast_pattern:only;", NULL },
    { "content:\"abcdef\"; fast_pattern:1,3;", NULL },
    { "content:\"abc\"; rawbytes;", NULL },
    { "content:\"x\",nocase,depth 5,offset 1;", NULL },
    { "content:\"xyz\",fast_pattern,distance 0,within 10;", NULL },
    { "content:\"abcdef\",fast_pattern_offset 1,fast_pattern_length 2;", NULL },
    { "byte_extract:2,0,len; content:\"ab\"; within:len;", NULL },
    { "uricontent:\"/a.php\"; nocase;", NULL },
    { "content;", "needs an argument" },
    { "content:\"\";", "empty pattern" },
    { "content:abc;", "quoted string" },
    { "content:\"abc;", "unterminated" },
    { "content:\"|4|\";", "bad hex" },
    { "content:\"|41 4G|\";", "bad hex" },
    { "content:\"|41\";", "bad hex" },
    { "content:\"a\\qb\";", "bad escape" },
    { "nocase;", "nocase: needs a preceding content" },
    { "depth:5;", "depth: needs a preceding content" },
    { "content:\"abc\"; depth:2;", "less than the pattern length" },
    { "content:\"abc\"; within:1;", "less than the pattern length" },
    { "content:\"abc\"; depth:0;", "out of range" },
    { "content:\"abc\"; offset:70000;", "out of range" },
    { "content:\"abc\"; offset:x;", "not a number nor a byte_extract" },
    { "content:\"abc\"; offset:1; offset:2;", "given twice" },
    { "content:\"abc\"; nocase:1;", "takes no argument" },
    { "content:\"a\"; fast_pattern; content:\"b\"; fast_pattern;",
      "only one content" },
    { "content:\"abc\"; fast_pattern:2,5;", "bad argument" },
    { "content:!\"abc\"; fast_pattern:only;", "negated" },
    { "content:\"x\",bogus 3;", "unknown modifier 'bogus'" },
    { "content:\"x\" junk;", "unexpected text" },
};

static const kw_case_t pcre_cases[] = {
    { "pcre:\"/abc/\";", NULL },
    { "pcre:\"/a.c/ismxAEGRBO\";", NULL },
    { "pcre:\"/a/U\";", NULL },
    { "pcre:\"/a/IPHDMCKSY\";", "more than one buffer flag" },
    { "pcre:!\"/abc/i\";", NULL },
    { "pcre:\"/a\\;b\\\"c/\";", NULL },
    { "pcre:\"/image_file\"\\x3b[^(]/Rsi\";", NULL },
    { "pcre:\"/abc/Z\";", "unknown flag 'Z'" },
    { "pcre:\"/a(bc/\";", "bad pattern" },
    { "pcre:\"abc\";", "must start with '/'" },
    { "pcre:\"/abc\";", "no closing" },
    { "pcre:/abc/;", "quoted" },
};

static const kw_case_t flow_cases[] = {
    { "flow:to_server,established;", NULL },
    { "flow:from_server, established, only_stream;", NULL },
    { "flow:stateless;", NULL },
    { "flow:to_client,not_established,no_stream,no_frag;", NULL },
    { "flow:to_server,to_client;", "both directions" },
    { "flow:established,stateless;", "conflicting" },
    { "flow:only_stream,no_stream;", "only_stream with no_stream" },
    { "flow:sideways;", "unknown option 'sideways'" },
    { "flow;", "needs an argument" },
    { "flowbits:set,a;", NULL },
    { "flowbits:set,a&b;", NULL },
    { "flowbits:setx,a,grp;", NULL },
    { "flowbits:unset,a; flowbits:toggle,b;", NULL },
    { "flowbits:isset,a|b;", NULL },
    { "flowbits:isnotset,a&b;", NULL },
    { "flowbits:noalert;", NULL },
    { "flowbits:reset;", NULL },
    { "flowbits:set,a,grp;", NULL },
    { "flowbits:set,a|b;", "only allowed with isset" },
    { "flowbits:isset,a|b&c;", "cannot mix" },
    { "flowbits:isset;", "needs a bit name" },
    { "flowbits:setx,a;", "setx needs" },
    { "flowbits:noalert,a;", "noalert takes no bit" },
    { "flowbits:flip,a;", "unknown operation" },
    { "flowbits:set,a&;", "empty bit name" },
};

static const kw_case_t ip_cases[] = {
    { "ttl:64;", NULL },
    { "ttl:<5;", NULL },
    { "ttl:>=200;", NULL },
    { "ttl:3-5;", NULL },
    { "ttl:-5;", NULL },
    { "ttl:5-;", NULL },
    { "ttl:3<>9;", NULL },
    { "ttl:256;", "bad number" },
    { "ttl:9-3;", "low > high" },
    { "tos:!4;", NULL },
    { "tos:x;", "bad number" },
    { "id:31337;", NULL },
    { "id:70000;", "bad number" },
    { "ipopts:lsrr;", NULL },
    { "ipopts:any;", NULL },
    { "ipopts:foo;", "unknown option" },
    { "fragbits:M;", NULL },
    { "fragbits:MD+;", NULL },
    { "fragbits:!R;", NULL },
    { "fragbits:X;", "unknown flag" },
    { "fragbits:+*M;", "more than one" },
    { "fragoffset:>0;", NULL },
    { "fragoffset:9000;", "bad number" },
    { "ip_proto:igmp;", NULL },
    { "ip_proto:!47;", NULL },
    { "ip_proto:ah;", NULL },
    { "ip_proto:bogus;", "unknown protocol" },
    { "sameip;", NULL },
    { "sameip:1;", "takes no argument" },
    { "dsize:>100;", NULL },
    { "dsize:10<>20;", NULL },
    { "dsize:10<=>20;", NULL },
    { "dsize:20<>10;", "low > high" },
    { "dsize:;", "needs an argument" },
};

static const kw_case_t tcp_cases[] = {
    { "flags:S;", NULL },
    { "flags:SA,12;", NULL },
    { "flags:+SA;", NULL },
    { "flags:*FU;", NULL },
    { "flags:!R;", NULL },
    { "flags:0;", NULL },
    { "flags:FSRPAUEC;", NULL },
    { "flags:S,CE;", NULL },
    { "flags:Q;", "unknown flag 'Q'" },
    { "seq:0;", NULL },
    { "ack:4294967295;", NULL },
    { "ack:4294967296;", "bad number" },
    { "window:55808;", NULL },
    { "window:!512;", NULL },
    { "window:70000;", "bad number" },
};

static const kw_case_t icmp_cases[] = {
    { "itype:8;", NULL },
    { "itype:>30;", NULL },
    { "itype:5<>10;", NULL },
    { "icode:0;", NULL },
    { "icode:256;", "bad number" },
    { "icmp_id:0;", NULL },
    { "icmp_seq:65535;", NULL },
    { "icmp_seq:65536;", "bad number" },
    { "itype:abc;", "bad number" },
};

static const kw_case_t byte_cases[] = {
    { "byte_test:4,>,1000,0;", NULL },
    { "byte_test:2,!&,0x8000,2,relative,little;", NULL },
    { "byte_test:1,!,0,0;", NULL },
    { "byte_test:4,<=,10,0,string,dec;", NULL },
    { "byte_test:10,=,1234567890,0,string;", NULL },
    { "byte_test:2,=,1,0,bitmask 0x0f00;", NULL },
    { "byte_extract:1,0,v; byte_test:1,>,v,0;", NULL },
    { "byte_test:4,>,1000;", "needs bytes, operator, value, offset" },
    { "byte_test:5,>,1,0;", "binary bytes" },
    { "byte_test:11,>,1,0,string;", "not 1..10" },
    { "byte_test:4,~,1,0;", "unknown operator" },
    { "byte_test:4,>,1,0,hex;", "need 'string'" },
    { "byte_test:4,>,1,0,sideways;", "unknown option" },
    { "byte_jump:4,0;", NULL },
    { "byte_jump:4,12,relative,align,little,multiplier 2,post_offset -4;",
      NULL },
    { "byte_jump:2,0,from_beginning,string,hex;", NULL },
    { "byte_jump:4,0,from_end;", NULL },
    { "byte_jump:4;", "needs bytes, offset" },
    { "byte_jump:4,0,multiplier 0;", "bad multiplier" },
    { "byte_jump:4,0,from_beginning,from_end;", "from_beginning with" },
    { "byte_extract:2,0,len;", NULL },
    { "byte_extract:1,0,a.b,relative,multiplier 4,align 4;", NULL },
    { "byte_extract:2,0,len; byte_extract:2,2,len;", NULL },
    { "byte_extract:2,0;", "needs bytes, offset, name" },
    { "byte_extract:2,0,9x;", "must start with a letter" },
    { "byte_extract:2,0,v,align 3;", "align must be 2 or 4" },
    { "byte_extract:1,0,a; byte_extract:1,0,b; byte_extract:1,0,c;"
      "byte_extract:1,0,d; byte_extract:1,0,e; byte_extract:1,0,f;"
      "byte_extract:1,0,g; byte_extract:1,0,h; byte_extract:1,0,i;",
      "more than 8 variables" },
    { "isdataat:10;", NULL },
    { "isdataat:!1,relative;", NULL },
    { "isdataat:5,rawbytes;", NULL },
    { "byte_extract:1,0,n; isdataat:n,relative;", NULL },
    { "isdataat:5,bogus;", "unknown option" },
    { "isdataat:abc;", "not a number nor a byte_extract" },
};

static const kw_case_t http_cases[] = {
    { "content:\"GET\"; http_method; content:\"/x\"; http_uri;", NULL },
    { "uricontent:\"/x\"; urilen:<100;", NULL },
    { "urilen:10<>20,norm;", NULL },
    { "urilen:5,raw;", NULL },
    { "urilen:5,sideways;", "unknown option" },
    { "content:\"a\"; http_header; content:\"b\"; http_raw_header;", NULL },
    { "content:\"c\"; http_cookie; content:\"d\"; http_client_body;", NULL },
    { "content:\"200\"; http_stat_code; content:\"OK\"; http_stat_msg;", NULL },
    { "content:\"x\"; http_raw_uri;", NULL },
    { "file_data; content:\"MZ\"; pkt_data; content:\"y\";", NULL },
    { "file_data:mime; content:\"MZ\";", NULL },
    { "raw_data; content:\"r\";", NULL },
    { "http_uri; content:\"/a\"; bufferlen:>5;", NULL },
    { "http_header:field user-agent; content:\"x\";", "not supported" },
    { "content:\"a\"; rawbytes; http_uri;", "cannot be used with rawbytes" },
    { "content:\"a\"; http_uri; http_header;", "already applies to http_uri" },
};

static const kw_case_t meta_cases[] = {
    { "msg:\"hello; world\";", NULL },
    { "msg:\"a \\\"quoted\\\" word\";", NULL },
    { "msg:\"x\"; msg:\"y\";", "given twice" },
    { "gid:3; sid:5; rev:2;", NULL },
    { "sid:0;", "bad number" },
    { "sid:abc;", "bad number" },
    { "classtype:trojan-activity;", NULL },
    { "classtype:not-a-class;", "unknown classtype 'not-a-class'" },
    { "priority:2;", NULL },
    { "reference:cve,2014-0160; reference:url,example.com/a;", NULL },
    { "reference:cve;", "expected system,id" },
    { "metadata:impact_flag red,policy balanced-ips drop;", NULL },
    { "metadata:service http;", NULL },
    { "service:http,ssl;", NULL },
    { "service:ht tp;", "bad service name" },
    { "threshold:type limit, track by_src, count 1, seconds 60;", NULL },
    { "threshold:type both,track by_dst,count 5,seconds 30;", NULL },
    { "threshold:type limit, track by_src, count 1;", "needs track, count" },
    { "threshold:type sometimes, track by_src, count 1, seconds 1;",
      "unknown type" },
    { "threshold:track by_src, count 1, seconds 1;", "missing type" },
    { "detection_filter:track by_src, count 30, seconds 60;", NULL },
    { "detection_filter:track by_hand, count 30, seconds 60;",
      "unknown track" },
    { "tag:session,10,packets;", NULL },
    { "tag:session,packets 10;", NULL },
    { "tag:host,300,seconds,src;", NULL },
    { "tag:host,300,seconds;", "need src or dst" },
    { "tag:everything;", "unknown type" },
    { "rem:\"a comment\";", NULL },
    { "bogus_keyword:1;", "unknown keyword 'bogus_keyword'" },
    { "dce_iface:4b324fc8-1670-01d3-1278-5a47bf6ee188;",
      "unknown keyword 'dce_iface'" },
    { "msg \"x\";", "expected ':' or ';'" },
    { "sid:1", NULL }, /* last option may omit ';' */
};

static void test_content_table(void **state) { (void)state; RUN(content_cases); }
static void test_pcre_table(void **state) { (void)state; RUN(pcre_cases); }
static void test_flow_table(void **state) { (void)state; RUN(flow_cases); }
static void test_ip_table(void **state) { (void)state; RUN(ip_cases); }
static void test_tcp_table(void **state) { (void)state; RUN(tcp_cases); }
static void test_icmp_table(void **state) { (void)state; RUN(icmp_cases); }
static void test_byte_table(void **state) { (void)state; RUN(byte_cases); }
static void test_http_table(void **state) { (void)state; RUN(http_cases); }
static void test_meta_table(void **state) { (void)state; RUN(meta_cases); }

/* ---- typed results --------------------------------------------------- */

static rule_t *must_parse(const char *opts, rule_dialect_t d)
{
    ws_err_t err;
    rule_t *r = parse_opts(opts, d, &err);
    if (r == NULL)
        fail_msg("'%s' rejected: %s", opts, err.msg);
    return r;
}

static void test_content_fields(void **state)
{
    (void)state;
    rule_t *r = must_parse("content:\"A|42 43|\\;\\\"\\\\\"; nocase; "
                           "offset:1; depth:20; content:!\"zz\"; "
                           "distance:-2; within:8; content:\"q\"; "
                           "fast_pattern:only;",
                           RULE_DIALECT_AUTO);
    assert_int_equal(r->nopts, 3);
    const rule_content_t *c = &r->opts[0].u.content;
    assert_int_equal(r->opts[0].kw, RULE_KW_CONTENT);
    assert_int_equal(c->len, 6);
    assert_memory_equal(c->pat, "ABC;\"\\", 6);
    assert_true(c->nocase);
    assert_false(c->negated);
    assert_true(c->has_offset && c->has_depth);
    assert_int_equal(c->offset.value, 1);
    assert_int_equal(c->offset.var, -1);
    assert_int_equal(c->depth.value, 20);
    assert_false(c->has_distance);
    const rule_content_t *d = &r->opts[1].u.content;
    assert_true(d->negated);
    assert_int_equal(d->distance.value, -2);
    assert_int_equal(d->within.value, 8);
    assert_false(d->fast_pattern);
    assert_int_equal(d->buffer, RULE_BUF_PKT);
    assert_true(r->opts[2].u.content.fast_pattern);
    assert_true(r->opts[2].u.content.fp_only);
    rule_free(r);

    /* Snort 3 inline modifiers give the same struct. */
    r = must_parse("content:\"abcdef\",nocase,depth 6,fast_pattern,"
                   "fast_pattern_offset 1,fast_pattern_length 3;",
                   RULE_DIALECT_AUTO);
    c = &r->opts[0].u.content;
    assert_int_equal(r->dialect, 3);
    assert_true(c->nocase && c->has_depth && c->fast_pattern && c->fp_part);
    assert_int_equal(c->depth.value, 6);
    assert_int_equal(c->fp_offset, 1);
    assert_int_equal(c->fp_length, 3);
    rule_free(r);

    /* byte_extract variable as within */
    r = must_parse("byte_extract:2,0,len,relative; content:\"ab\"; within:len;",
                   RULE_DIALECT_AUTO);
    assert_int_equal(r->nbyte_vars, 1);
    assert_string_equal(r->byte_vars[0], "len");
    assert_int_equal(r->opts[1].u.content.within.var, 0);
    rule_free(r);
}

static void test_pcre_fields(void **state)
{
    (void)state;
    rule_t *r = must_parse("content:\"a\"; pcre:!\"/x.y/smiR\"; "
                           "pcre:\"/q/U\";", RULE_DIALECT_AUTO);
    const rule_pcre_t *p = &r->opts[1].u.pcre;
    assert_int_equal(r->opts[1].kw, RULE_KW_PCRE);
    assert_string_equal(p->pattern, "x.y");
    assert_true(p->negated);
    assert_int_equal(p->compile_opts,
                     PCRE2_DOTALL | PCRE2_MULTILINE | PCRE2_CASELESS);
    assert_int_equal(p->flags, RULE_PCRE_RELATIVE);
    assert_non_null(p->code);
    assert_int_equal(p->buffer, RULE_BUF_PKT);
    assert_int_equal(r->opts[2].u.pcre.buffer, RULE_BUF_HTTP_URI);

    /* the compiled code matches as the flags say */
    pcre2_match_data *md =
        pcre2_match_data_create_from_pattern((pcre2_code *)p->code, NULL);
    assert_true(pcre2_match((pcre2_code *)p->code, (PCRE2_SPTR) "aaX\nYbb", 7,
                            0, 0, md, NULL) >= 0);
    pcre2_match_data_free(md);
    rule_free(r);

    r = must_parse("http_header; pcre:\"/a/\";", RULE_DIALECT_SNORT3);
    assert_int_equal(r->opts[0].u.pcre.buffer, RULE_BUF_HTTP_HEADER);
    rule_free(r);
}

static void test_flow_fields(void **state)
{
    (void)state;
    rule_t *r = must_parse("flow:from_client,established,only_stream; "
                           "flowbits:isset,a&b&c; flowbits:setx,x,g; "
                           "flowbits:isnotset,p|q; flowbits:noalert;",
                           RULE_DIALECT_AUTO);
    assert_int_equal(r->opts[0].u.flow.flags,
                     RULE_FLOW_TO_SERVER | RULE_FLOW_ESTABLISHED |
                         RULE_FLOW_ONLY_STREAM);
    const rule_flowbits_t *fb = &r->opts[1].u.flowbits;
    assert_int_equal(fb->op, RULE_FB_ISSET);
    assert_int_equal(fb->join, RULE_FB_ALL);
    assert_int_equal(fb->n, 3);
    assert_string_equal(fb->names[2], "c");
    fb = &r->opts[2].u.flowbits;
    assert_int_equal(fb->op, RULE_FB_SETX);
    assert_string_equal(fb->group, "g");
    fb = &r->opts[3].u.flowbits;
    assert_int_equal(fb->join, RULE_FB_ANY);
    assert_int_equal(r->opts[4].u.flowbits.op, RULE_FB_NOALERT);
    assert_true(r->noalert);
    rule_free(r);
}

static void test_cmp_fields(void **state)
{
    (void)state;
    static const struct {
        const char *opts;
        rule_kw_t kw;
        rule_cmp_op_t op;
        uint32_t lo, hi;
    } rows[] = {
        { "ttl:64;", RULE_KW_TTL, RULE_CMP_EQ, 64, 0 },
        { "ttl:3-5;", RULE_KW_TTL, RULE_CMP_RANGE_IN, 3, 5 },
        { "ttl:-5;", RULE_KW_TTL, RULE_CMP_LE, 5, 0 },
        { "ttl:5-;", RULE_KW_TTL, RULE_CMP_GE, 5, 0 },
        { "dsize:>100;", RULE_KW_DSIZE, RULE_CMP_GT, 100, 0 },
        { "dsize:<=10;", RULE_KW_DSIZE, RULE_CMP_LE, 10, 0 },
        { "dsize:10<>20;", RULE_KW_DSIZE, RULE_CMP_RANGE_IN, 10, 20 },
        { "dsize:10<=>20;", RULE_KW_DSIZE, RULE_CMP_RANGE_IN, 10, 20 },
        { "tos:!4;", RULE_KW_TOS, RULE_CMP_NE, 4, 0 },
        { "ip_proto:igmp;", RULE_KW_IP_PROTO, RULE_CMP_EQ, 2, 0 },
        { "ip_proto:!gre;", RULE_KW_IP_PROTO, RULE_CMP_NE, 47, 0 },
        { "ip_proto:ah;", RULE_KW_IP_PROTO, RULE_CMP_EQ, 51, 0 },
        { "itype:>30;", RULE_KW_ITYPE, RULE_CMP_GT, 30, 0 },
        { "icode:0<>5;", RULE_KW_ICODE, RULE_CMP_RANGE_IN, 0, 5 },
        { "icmp_id:0x10;", RULE_KW_ICMP_ID, RULE_CMP_EQ, 16, 0 },
        { "ack:0;", RULE_KW_ACK, RULE_CMP_EQ, 0, 0 },
        { "window:!512;", RULE_KW_WINDOW, RULE_CMP_NE, 512, 0 },
        { "fragoffset:>0;", RULE_KW_FRAGOFFSET, RULE_CMP_GT, 0, 0 },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rule_t *r = must_parse(rows[i].opts, RULE_DIALECT_AUTO);
        assert_int_equal(r->nopts, 1);
        assert_int_equal(r->opts[0].kw, rows[i].kw);
        assert_int_equal(r->opts[0].u.cmp.op, rows[i].op);
        assert_int_equal(r->opts[0].u.cmp.lo, rows[i].lo);
        if (rows[i].op == RULE_CMP_RANGE_EX || rows[i].op == RULE_CMP_RANGE_IN)
            assert_int_equal(r->opts[0].u.cmp.hi, rows[i].hi);
        rule_free(r);
    }
    /* Snort 3 reads a<>b as exclusive */
    rule_t *r = must_parse("dsize:10<>20; icode:0<=>5;", RULE_DIALECT_SNORT3);
    assert_int_equal(r->opts[0].u.cmp.op, RULE_CMP_RANGE_EX);
    assert_int_equal(r->opts[1].u.cmp.op, RULE_CMP_RANGE_IN);
    rule_free(r);
}

static void test_bits_fields(void **state)
{
    (void)state;
    rule_t *r = must_parse("flags:+SA,12; fragbits:!D; flags:0; ipopts:rr;",
                           RULE_DIALECT_AUTO);
    assert_int_equal(r->opts[0].u.bits.mode, RULE_BITS_ALL);
    assert_int_equal(r->opts[0].u.bits.bits, 0x12);
    assert_int_equal(r->opts[0].u.bits.ignore, 0xc0);
    assert_int_equal(r->opts[1].u.bits.mode, RULE_BITS_NOT);
    assert_int_equal(r->opts[1].u.bits.bits, RULE_FRAG_DF);
    assert_int_equal(r->opts[2].u.bits.bits, 0);
    assert_int_equal(r->opts[2].u.bits.mode, RULE_BITS_EXACT);
    assert_int_equal(r->opts[3].u.ipopts.opt, RULE_IPOPT_RR);
    rule_free(r);
}

static void test_byte_fields(void **state)
{
    (void)state;
    rule_t *r = must_parse("byte_test:2,!&,0x8000,-2,relative,little; "
                           "byte_jump:4,12,relative,align,multiplier 2,"
                           "post_offset -4,from_beginning; "
                           "byte_extract:1,0,n,string,hex; "
                           "byte_test:1,>,n,n; isdataat:!n,relative;",
                           RULE_DIALECT_AUTO);
    const rule_byte_test_t *bt = &r->opts[0].u.byte_test;
    assert_int_equal(bt->c.nbytes, 2);
    assert_int_equal(bt->op, RULE_BYTE_AND);
    assert_true(bt->negated);
    assert_int_equal(bt->value.value, 0x8000);
    assert_int_equal(bt->c.offset.value, -2);
    assert_true(bt->c.relative);
    assert_int_equal(bt->c.endian, RULE_ENDIAN_LITTLE);
    const rule_byte_jump_t *bj = &r->opts[1].u.byte_jump;
    assert_int_equal(bj->c.nbytes, 4);
    assert_int_equal(bj->multiplier, 2);
    assert_int_equal(bj->post_offset, -4);
    assert_true(bj->align && bj->from_beginning && bj->c.relative);
    const rule_byte_extract_t *be = &r->opts[2].u.byte_extract;
    assert_int_equal(be->var, 0);
    assert_int_equal(be->c.base, RULE_BYTE_HEX);
    bt = &r->opts[3].u.byte_test;
    assert_int_equal(bt->value.var, 0);
    assert_int_equal(bt->c.offset.var, 0);
    const rule_isdataat_t *d = &r->opts[4].u.isdataat;
    assert_true(d->negated && d->relative);
    assert_int_equal(d->size.var, 0);
    rule_free(r);
}

/* The same HTTP rule in Snort 2 (modifier) and Snort 3 (sticky) form gives
 * the same buffers. */
static void test_buffers_both_dialects(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "content:\"GET\"; http_method; content:\"/a\"; http_uri; "
        "content:\"b\"; distance:0; http_uri; content:\"Host\"; http_header; "
        "file_data; content:\"MZ\"; pkt_data; content:\"raw\";",
        "http_method; content:\"GET\"; http_uri; content:\"/a\"; "
        "content:\"b\",distance 0; http_header; content:\"Host\"; "
        "file_data; content:\"MZ\"; pkt_data; content:\"raw\";",
    };
    static const rule_buffer_t want[] = {
        RULE_BUF_HTTP_METHOD, RULE_BUF_HTTP_URI, RULE_BUF_HTTP_URI,
        RULE_BUF_HTTP_HEADER, RULE_BUF_FILE_DATA, RULE_BUF_PKT,
    };
    for (int f = 0; f < 2; f++) {
        rule_t *r = must_parse(forms[f], RULE_DIALECT_AUTO);
        assert_int_equal(r->dialect, f == 0 ? 2 : 3);
        assert_int_equal(r->nopts, 6);
        for (int i = 0; i < 6; i++)
            assert_int_equal(r->opts[i].u.content.buffer, want[i]);
        assert_true(r->opts[2].u.content.has_distance);
        rule_free(r);
    }
    /* Snort 2 uricontent / urilen, Snort 3 bufferlen */
    rule_t *r = must_parse("uricontent:\"/x\"; urilen:<100,raw;",
                           RULE_DIALECT_AUTO);
    assert_int_equal(r->opts[0].u.content.buffer, RULE_BUF_HTTP_URI);
    assert_int_equal(r->opts[1].u.len.buffer, RULE_BUF_HTTP_RAW_URI);
    assert_int_equal(r->opts[1].u.len.cmp.op, RULE_CMP_LT);
    rule_free(r);
    /* Snort 2: a relative isdataat / byte_test follows the last match's
     * buffer; a non-relative one reads the packet */
    r = must_parse("content:\"/a\"; http_uri; isdataat:2,relative; "
                   "byte_test:1,>,1,0,relative; byte_jump:1,0;",
                   RULE_DIALECT_AUTO);
    assert_int_equal(r->opts[1].u.isdataat.buffer, RULE_BUF_HTTP_URI);
    assert_int_equal(r->opts[2].u.byte_test.c.buffer, RULE_BUF_HTTP_URI);
    assert_int_equal(r->opts[3].u.byte_jump.c.buffer, RULE_BUF_PKT);
    rule_free(r);
    r = must_parse("http_uri; bufferlen:>5,relative;", RULE_DIALECT_AUTO);
    assert_int_equal(r->opts[0].u.len.buffer, RULE_BUF_HTTP_URI);
    assert_true(r->opts[0].u.len.relative);
    rule_free(r);
    /* forced dialects */
    ws_err_t err;
    assert_null(parse_opts("http_uri; content:\"a\";", RULE_DIALECT_SNORT2,
                           &err));
    assert_non_null(strstr(err.msg, "needs a preceding content"));
    r = must_parse("content:\"a\"; http_uri; content:\"b\";",
                   RULE_DIALECT_SNORT3);
    assert_int_equal(r->opts[0].u.content.buffer, RULE_BUF_PKT);
    assert_int_equal(r->opts[1].u.content.buffer, RULE_BUF_HTTP_URI);
    rule_free(r);
}

static void test_meta_fields(void **state)
{
    (void)state;
    rule_t *r = must_parse(
        "msg:\"ET TEST \\\"x\\\"\\; y\"; gid:1; sid:2000001; rev:7; "
        "classtype:trojan-activity; reference:cve,2014-0160; "
        "reference:url,example.com/a,b; metadata:service http, ruleset "
        "community; service:ssl; threshold:type limit, track by_src, "
        "count 1, seconds 60; detection_filter:track by_dst, count 3, "
        "seconds 10; tag:host,300,seconds,src;",
        RULE_DIALECT_AUTO);
    assert_string_equal(r->msg, "ET TEST \"x\"; y");
    assert_int_equal(r->sid, 2000001);
    assert_int_equal(r->rev, 7);
    assert_string_equal(r->classtype, "trojan-activity");
    assert_string_equal(r->category, "A Network Trojan was Detected");
    assert_int_equal(r->priority, 1);
    assert_int_equal(r->nrefs, 2);
    assert_string_equal(r->refs[1].system, "url");
    assert_string_equal(r->refs[1].id, "example.com/a,b");
    assert_int_equal(r->nmeta, 2);
    assert_string_equal(r->meta[1].key, "ruleset");
    assert_string_equal(r->meta[1].value, "community");
    assert_int_equal(r->nservices, 2);
    assert_string_equal(r->services[0], "http");
    assert_string_equal(r->services[1], "ssl");
    assert_int_equal(r->threshold.type, RULE_THRESH_LIMIT);
    assert_int_equal(r->threshold.track, RULE_TRACK_SRC);
    assert_int_equal(r->threshold.seconds, 60);
    assert_int_equal(r->detection_filter.type, RULE_THRESH_DETECTION);
    assert_int_equal(r->detection_filter.count, 3);
    assert_int_equal(r->tag.type, RULE_TAG_HOST);
    assert_int_equal(r->tag.track, RULE_TRACK_SRC);
    assert_int_equal(r->tag.count, 300);
    assert_int_equal(r->nopts, 0);
    rule_free(r);

    /* explicit priority wins over the classtype's, in either order */
    r = must_parse("priority:4; classtype:trojan-activity;", RULE_DIALECT_AUTO);
    assert_int_equal(r->priority, 4);
    rule_free(r);
    r = must_parse("classtype:trojan-activity; priority:4;", RULE_DIALECT_AUTO);
    assert_int_equal(r->priority, 4);
    rule_free(r);
    r = must_parse("msg:\"m\";", RULE_DIALECT_AUTO);
    assert_int_equal(r->gid, 1);
    assert_int_equal(r->priority, 0);
    assert_null(r->classtype);
    rule_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_table),
        cmocka_unit_test(test_pcre_table),
        cmocka_unit_test(test_flow_table),
        cmocka_unit_test(test_ip_table),
        cmocka_unit_test(test_tcp_table),
        cmocka_unit_test(test_icmp_table),
        cmocka_unit_test(test_byte_table),
        cmocka_unit_test(test_http_table),
        cmocka_unit_test(test_meta_table),
        cmocka_unit_test(test_content_fields),
        cmocka_unit_test(test_pcre_fields),
        cmocka_unit_test(test_flow_fields),
        cmocka_unit_test(test_cmp_fields),
        cmocka_unit_test(test_bits_fields),
        cmocka_unit_test(test_byte_fields),
        cmocka_unit_test(test_buffers_both_dialects),
        cmocka_unit_test(test_meta_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
