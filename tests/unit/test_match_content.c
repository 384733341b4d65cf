/*
 * test_match_content.c - the payload options of the matcher
 * (detect/match_content.c through det_rule_match): content with
 * offset/depth/distance/within, negation, nocase and byte_extract
 * variables; Snort's backtracking to later occurrences; every pcre flag
 * (i s m x R B O, negation) and the cursor a pcre leaves; byte_test,
 * byte_jump, byte_extract; isdataat; bufferlen; options on HTTP buffers.
 *
 * Each table row is a rule's options, a payload (in a TCP packet 10.0.0.1:1234
 * -> 10.0.0.2:80) and whether the rule must match; expectations follow
 * Snort 2.9's arithmetic, worked out in the row comments where it is not
 * obvious.  The last tests check the retry budget, the PCRE match limit and
 * det_rule_needs_http.
 */
#include "test_match_util.h"

#define P(s) { .payload = (s) }
#define PB(s, n) { .payload = (s), .plen = (n) }

/* "abcdefghij": a=0 ... j=9 */
#define ALPHA P("abcdefghij")

static const trow_t content_rows[] = {
    { "content:\"abc\"", ALPHA, {0}, 1 },
    { "content:\"xyz\"", ALPHA, {0}, 0 },
    { "content:\"ABC\"", ALPHA, {0}, 0 },
    { "content:\"ABC\"; nocase", ALPHA, {0}, 1 },
    { "content:\"aBc\",nocase", ALPHA, {0}, 1 },
    { "content:\"|61 62|c\"", ALPHA, {0}, 1 },
    { "content:\"aB\"; nocase", P("xxAbxx"), {0}, 1 },
    { "content:\"aBz\"; nocase", P("xxAbxaBy"), {0}, 0 },
    { "content:\"|00|A\"; nocase", PB("x\x00" "a", 3), {0}, 1 },
    { "content:\"1a\"; nocase", P("11A"), {0}, 1 },
    { "content:\"cde\"; offset:2", ALPHA, {0}, 1 },
    { "content:\"cde\"; offset:3", ALPHA, {0}, 0 },
    { "content:\"cde\"; depth:5", ALPHA, {0}, 1 },
    { "content:\"cde\"; depth:4", ALPHA, {0}, 0 },
    { "content:\"def\"; offset:2; depth:4", ALPHA, {0}, 1 },   /* [2,6) */
    { "content:\"def\"; offset:2; depth:3", ALPHA, {0}, 0 },   /* [2,5) */
    { "content:\"abc\"; offset:20", ALPHA, {0}, 0 },
    { "content:\"abc\"; content:\"def\"; distance:0", ALPHA, {0}, 1 },
    { "content:\"abc\"; content:\"efg\"; distance:1", ALPHA, {0}, 1 },
    { "content:\"abc\"; content:\"efg\"; distance:2", ALPHA, {0}, 0 },
    { "content:\"abc\"; content:\"def\"; within:3", ALPHA, {0}, 1 },
    { "content:\"abc\"; content:\"efg\"; within:3", ALPHA, {0}, 0 },
    /* within counts from cursor + distance: [4,7) */
    { "content:\"abc\"; content:\"efg\"; distance:1; within:3", ALPHA, {0}, 1 },
    { "content:\"abc\"; content:\"efg\"; distance:0; within:3", ALPHA, {0}, 0 },
    /* an absolute content ignores the cursor ... */
    { "content:\"def\"; content:\"abc\"", ALPHA, {0}, 1 },
    /* ... a relative one does not */
    { "content:\"def\"; content:\"abc\"; distance:0", ALPHA, {0}, 0 },
    /* negative distance: cursor 6 - 6 = 0 */
    { "content:\"def\"; content:\"abc\"; distance:-6", ALPHA, {0}, 1 },
    { "content:\"def\"; content:\"bcd\"; distance:-5; within:3", ALPHA, {0}, 1 },
    /* before the buffer without within: Snort gives up */
    { "content:\"def\"; content:\"abc\"; distance:-7", ALPHA, {0}, 0 },
    /* before the buffer, clipped by within: [0, -1 + 4) */
    { "content:\"def\"; content:\"abc\"; distance:-7; within:4", ALPHA, {0}, 1 },
    { "content:\"def\"; content:\"abc\"; distance:-7; within:3", ALPHA, {0}, 0 },
    { "content:!\"xyz\"", ALPHA, {0}, 1 },
    { "content:!\"abc\"", ALPHA, {0}, 0 },
    { "content:!\"ABC\"; nocase", ALPHA, {0}, 0 },
    { "content:\"abc\"; content:!\"def\"; distance:0; within:3", ALPHA, {0}, 0 },
    { "content:\"abc\"; content:!\"xyz\"; distance:0; within:3", ALPHA, {0}, 1 },
    { "content:\"abc\"; content:!\"efg\"; distance:0; within:3", ALPHA, {0}, 1 },
    { "content:!\"ghij\"; depth:5", ALPHA, {0}, 1 },
    /* window smaller than the pattern: a negated content matches while
     * data remained or the cursor sits at the end ... */
    { "content:!\"abc\"; offset:8", ALPHA, {0}, 1 },
    { "content:\"hij\"; content:!\"a\"; distance:0", ALPHA, {0}, 1 },
    { "content:\"hij\"; content:\"a\"; distance:0", ALPHA, {0}, 0 },
    /* ... but not when the window is past the end */
    { "content:!\"abc\"; offset:10", ALPHA, {0}, 0 },
    { "content:!\"abc\"", { .payload = NULL }, {0}, 0 },
    /* byte_extract variables as offset / within / distance */
    { "byte_extract:1,0,off,string; content:\"abc\"; offset:off",
      P("3xxabcxx"), {0}, 1 },
    { "byte_extract:1,0,off,string; content:\"abc\"; offset:off",
      P("4xxabcxx"), {0}, 0 },
    { "byte_extract:1,0,len,string; content:\"ab\"; distance:0; within:len",
      P("5xxxab"), {0}, 1 },
    { "byte_extract:1,0,len,string; content:\"ab\"; distance:0; within:len",
      P("3xxxab"), {0}, 0 },
    { "byte_extract:1,0,d,string; content:\"ab\"; distance:d; within:2",
      P("3xxxab"), {0}, 1 },
    { "byte_extract:1,0,d,string; content:\"ab\"; depth:d",
      P("3ab"), {0}, 1 },
};

/* Backtracking: a failing relative option makes the previous content or
 * pcre try its next occurrence. */
static const trow_t retry_rows[] = {
    { "content:\"ab\"; content:\"X\"; distance:0; within:1", P("ab ab abX"), {0}, 1 },
    { "content:\"ab\"; content:\"X\"; distance:0; within:1", P("abXab"), {0}, 1 },
    { "content:\"ab\"; content:\"X\"; distance:0; within:1", P("ab ab ab"), {0}, 0 },
    /* overlapping repeats: ABA jumps by 2 (Snort's example, sid 1 fires) */
    { "content:\"ABA\"; content:\"C\"; distance:0; within:1", P("ABABACD"), {0}, 1 },
    /* pcre retries from its match end, so the overlap is missed (sid 2) */
    { "pcre:\"/ABA/\"; content:\"C\"; distance:0; within:1", P("ABABACD"), {0}, 0 },
    { "content:\"AA\"; content:\"B\"; distance:0; within:1", P("AAAB"), {0}, 1 },
    { "content:\"ab\"; nocase; content:\"X\"; distance:0; within:1", P("AB aB abX"), {0}, 1 },
    /* two levels */
    { "content:\"a\"; content:\"b\"; distance:0; within:1; content:\"c\"; "
      "distance:0; within:1", P("abxabyabc"), {0}, 1 },
    { "content:\"a\"; content:\"b\"; distance:0; within:1; content:\"c\"; "
      "distance:0; within:1", P("abxabyab"), {0}, 0 },
    /* a negated relative child also triggers the retry */
    { "content:\"a\"; content:!\"b\"; distance:0; within:1", P("abac"), {0}, 1 },
    { "content:\"a\"; content:!\"b\"; distance:0; within:1", P("abab"), {0}, 0 },
    { "content:\"ab\"; byte_test:1,=,88,0,relative", P("ab ab abX"), {0}, 1 },
    { "content:\"ab\"; isdataat:!1,relative", P("ab ab ab"), {0}, 1 },
    { "content:\"ab\"; pcre:\"/^X/R\"", P("ab abXab"), {0}, 1 },
    { "pcre:\"/o/\"; content:\"r\"; distance:0; within:1", P("Hello World"), {0}, 1 },
    /* the retry stays in the first window: depth 6 covers one "ab" only */
    { "content:\"ab\"; depth:6; content:\"X\"; distance:0; within:1",
      P("ab ab abX"), {0}, 0 },
    /* byte_extract values are restored between attempts */
    { "content:\"#\"; byte_extract:1,0,n,relative,string; content:\"ok\"; "
      "distance:n; within:2", P("#5abcde#0okxxxxx"), {0}, 1 },
    /* no retry when the next option is absolute */
    { "content:\"ab\"; content:\"X\"; offset:2; depth:1", P("ab abX"), {0}, 0 },
};

/* Payload with a newline for the s and m flags. */
#define LINES P("Hello World\nsecond line")

static const trow_t pcre_rows[] = {
    { "pcre:\"/World/\"", LINES, {0}, 1 },
    { "pcre:\"/hello/\"", LINES, {0}, 0 },
    { "pcre:\"/hello/i\"", LINES, {0}, 1 },
    { "pcre:\"/World.second/\"", LINES, {0}, 0 },
    { "pcre:\"/World.second/s\"", LINES, {0}, 1 },
    { "pcre:\"/^second/\"", LINES, {0}, 0 },
    { "pcre:\"/^second/m\"", LINES, {0}, 1 },
    { "pcre:\"/World$/\"", LINES, {0}, 0 },
    { "pcre:\"/World$/m\"", LINES, {0}, 1 },
    { "pcre:\"/W o r l d/\"", LINES, {0}, 0 },
    { "pcre:\"/W o r l d/x\"", LINES, {0}, 1 },
    { "pcre:\"/W o r # comment\\nl d/x\"", LINES, {0}, 1 },
    { "pcre:\"/World/B\"", LINES, {0}, 1 },
    { "pcre:\"/World/O\"", LINES, {0}, 1 },
    { "pcre:\"/ello/A\"", LINES, {0}, 0 },
    { "pcre:\"/Hello/A\"", LINES, {0}, 1 },
    { "pcre:!\"/xyz/\"", LINES, {0}, 1 },
    { "pcre:!\"/World/\"", LINES, {0}, 0 },
    { "pcre:!\"/world/i\"", LINES, {0}, 0 },
    /* R: the subject starts at the cursor, so ^ anchors there */
    { "content:\"World\"; pcre:\"/^\\nsecond/R\"", LINES, {0}, 1 },
    { "content:\"World\"; pcre:\"/^second/R\"", LINES, {0}, 0 },
    { "content:\"second\"; pcre:\"/Hello/R\"", LINES, {0}, 0 },
    { "content:\"second\"; pcre:\"/Hello/\"", LINES, {0}, 1 },
    { "pcre:\"/Hello/R\"", LINES, {0}, 1 },
    { "content:\"Hello\"; pcre:\"/^Hello/R\"", LINES, {0}, 0 },
    { "content:\"Hello\"; pcre:!\"/^ World/R\"", LINES, {0}, 0 },
    { "content:\"Hello\"; pcre:!\"/^World/R\"", LINES, {0}, 1 },
    { "content:\"line\"; pcre:!\"/./R\"", LINES, {0}, 1 },
    /* the cursor moves to the match end */
    { "pcre:\"/Wor/\"; content:\"ld\"; within:2", LINES, {0}, 1 },
    { "pcre:\"/Wor/\"; content:\"World\"; within:5", LINES, {0}, 0 },
    { "pcre:\"/Wor/\"; content:\"W\"; distance:-3; within:1", LINES, {0}, 1 },
    /* an empty match at 0 leaves the cursor alone */
    { "pcre:\"/x*/\"; content:\"H\"; within:1", LINES, {0}, 1 },
    { "pcre:\"/^Hello\\sWorld\\n[a-z]+\\s/\"", LINES, {0}, 1 },
    { "pcre:\"/line$/\"", LINES, {0}, 1 },
};

/* 00 10 01 00 ff fe */
#define BIN PB("\x00\x10\x01\x00\xff\xfe", 6)
/* 00 03 a b c X Y Z */
#define JMP PB("\x00\x03" "abcXYZ", 8)
#define STR P("len=123;hex=1f;oct=17;")

static const trow_t byte_rows[] = {
    { "byte_test:2,=,16,0", BIN, {0}, 1 },
    { "byte_test:2,=,16,0,little", BIN, {0}, 0 },
    { "byte_test:2,=,4096,0,little", BIN, {0}, 1 },
    { "byte_test:3,=,4097,0", BIN, {0}, 1 },
    { "byte_test:4,=,16842750,2", BIN, {0}, 1 },          /* 0x0100fffe */
    { "byte_test:1,>,15,1", BIN, {0}, 1 },
    { "byte_test:1,<,16,1", BIN, {0}, 0 },
    { "byte_test:1,<=,16,1", BIN, {0}, 1 },
    { "byte_test:1,>=,17,1", BIN, {0}, 0 },
    { "byte_test:1,=,255,4", BIN, {0}, 1 },
    { "byte_test:1,&,16,1", BIN, {0}, 1 },
    { "byte_test:1,&,1,1", BIN, {0}, 0 },
    { "byte_test:1,^,16,1", BIN, {0}, 0 },
    { "byte_test:1,^,17,1", BIN, {0}, 1 },
    { "byte_test:1,!=,16,1", BIN, {0}, 0 },
    { "byte_test:1,!,15,1", BIN, {0}, 1 },
    { "byte_test:1,!<,16,1", BIN, {0}, 1 },
    /* out of bounds fails, negated or not */
    { "byte_test:4,=,0,3", BIN, {0}, 0 },
    { "byte_test:4,!=,0,3", BIN, {0}, 0 },
    /* 0xfffe & 0xf000 = 0xf000, shifted by 12 */
    { "byte_test:2,=,15,4,bitmask 0xf000", BIN, {0}, 1 },
    { "byte_test:3,=,123,4,string,dec", STR, {0}, 1 },
    { "byte_test:3,>,122,4,string", STR, {0}, 1 },
    { "byte_test:3,=,12,4,string", STR, {0}, 0 },
    { "byte_test:4,=,123,4,string", STR, {0}, 1 },       /* "123;" */
    { "byte_test:2,=,31,12,string,hex", STR, {0}, 1 },
    { "byte_test:2,=,15,19,string,oct", STR, {0}, 1 },
    { "byte_test:3,=,0,0,string", STR, {0}, 0 },         /* "len": no digit */
    { "byte_test:3,!=,0,0,string", STR, {0}, 0 },
    { "content:\"len=\"; byte_test:3,=,123,0,relative,string", STR, {0}, 1 },
    { "content:\"hex=\"; byte_test:2,=,31,0,relative,string,hex", STR, {0}, 1 },
    { "content:\"hex=\"; byte_test:2,=,31,-1,relative,string,hex", STR, {0}, 0 },
    { "byte_test:6,=,4660,0,string,hex", P("0x1234"), {0}, 1 },
    { "byte_test:4,=,18,0,string,hex", P("0x1234"), {0}, 1 },
    { "byte_test:4,=,4660,0,dce", PB("\x34\x12\x00\x00", 4), {0}, 0 },
    /* byte_jump: value 3 at 0..1, jump from the end of the bytes read */
    { "byte_jump:2,0; content:\"XYZ\"; within:3", JMP, {0}, 1 },
    { "byte_jump:2,0; content:\"abc\"; within:3", JMP, {0}, 0 },
    { "byte_jump:2,0,from_beginning; content:\"bcX\"; within:3", JMP, {0}, 1 },
    { "byte_jump:2,0,post_offset -1; content:\"cXY\"; within:3", JMP, {0}, 1 },
    { "byte_jump:2,0,multiplier 2", JMP, {0}, 1 },            /* to the end */
    { "byte_jump:2,0,multiplier 2; isdataat:0,relative", JMP, {0}, 0 },
    { "byte_jump:2,0,multiplier 3", JMP, {0}, 0 },            /* past it */
    { "byte_jump:2,0,align; content:\"YZ\"; within:2", JMP, {0}, 1 },
    { "content:\"|00|\"; byte_jump:1,0,relative; content:\"XYZ\"; within:3", JMP, {0}, 1 },
    { "byte_jump:1,0,from_end,post_offset -3; content:\"XYZ\"; within:3", JMP, {0}, 1 },
    { "byte_jump:4,0,string,dec; content:\" wo\"; within:3", P("0005hello world"), {0}, 1 },
    { "byte_jump:2,7", JMP, {0}, 0 },
    /* byte_extract */
    { "byte_extract:1,1,n; content:\"XYZ\"; distance:n; within:3", JMP, {0}, 1 },
    { "byte_extract:1,1,n; byte_test:1,=,n,1", JMP, {0}, 1 },
    { "byte_extract:1,1,n,multiplier 2; byte_test:1,=,n,1", JMP, {0}, 0 },
    { "byte_extract:1,1,n,multiplier 2; byte_test:1,=,6,0,relative", PB("\x00\x03\x06", 3), {0}, 1 },
    { "byte_extract:1,1,n,align 4; byte_test:1,<,n,1", JMP, {0}, 1 },
    { "byte_extract:2,0,n,little; byte_test:2,=,n,0,little", JMP, {0}, 1 },
    { "byte_extract:2,0,n,little; byte_test:2,=,768,0,big", PB("\x03\x00", 2), {0}, 1 },
    { "byte_extract:1,20,n", JMP, {0}, 0 },
    { "byte_extract:1,1,n; content:\"abc\"; within:3", JMP, {0}, 1 },   /* cursor 2 */
    { "byte_extract:1,1,n,bitmask 2; byte_test:1,>,n,1", JMP, {0}, 1 },
    { "byte_extract:1,1,n; isdataat:n", JMP, {0}, 1 },
    { "byte_extract:1,1,n; byte_jump:1,1,from_beginning; byte_test:1,=,n,1", JMP, {0}, 1 },
};

static const trow_t misc_rows[] = {
    { "isdataat:9", ALPHA, {0}, 1 },
    { "isdataat:10", ALPHA, {0}, 0 },
    { "isdataat:!10", ALPHA, {0}, 1 },
    { "isdataat:!9", ALPHA, {0}, 0 },
    { "content:\"hij\"; isdataat:!1,relative", ALPHA, {0}, 1 },
    { "content:\"ghi\"; isdataat:1,relative", ALPHA, {0}, 0 },
    { "content:\"ghi\"; isdataat:0,relative", ALPHA, {0}, 1 },
    { "isdataat:0,rawbytes", ALPHA, {0}, 1 },
    { "isdataat:!0", { .payload = NULL }, {0}, 1 },
    { "bufferlen:10", ALPHA, {0}, 1 },
    { "bufferlen:>10", ALPHA, {0}, 0 },
    { "bufferlen:5<=>10", ALPHA, {0}, 1 },
    { "bufferlen:5<>10", ALPHA, {0}, 0 },
    { "content:\"abc\"; bufferlen:7,relative", ALPHA, {0}, 1 },
    /* HTTP buffers and file_data not supplied by the caller: never a match */
    { "content:\"abc\"; http_uri", ALPHA, {0}, 0 },
    { "uricontent:\"abc\"", ALPHA, {0}, 0 },
    { "file_data; content:\"abc\"", ALPHA, {0}, 0 },
    { "http_uri; content:!\"zzz\"", ALPHA, {0}, 0 },
    { "pcre:\"/abc/U\"", ALPHA, {0}, 0 },
    { "urilen:10", ALPHA, {0}, 0 },
    { "file_data; content:\"abc\"; pkt_data; content:\"abc\"", ALPHA, {0}, 0 },
    { "pkt_data; content:\"abc\"", ALPHA, {0}, 1 },
    { "raw_data; content:\"abc\"", ALPHA, {0}, 1 },
    { "content:\"abc\"; rawbytes", ALPHA, {0}, 1 },
};

static void test_content(void **state) { (void)state; T_RUN(content_rows); }
static void test_retry(void **state) { (void)state; T_RUN(retry_rows); }
static void test_pcre(void **state) { (void)state; T_RUN(pcre_rows); }
static void test_byte(void **state) { (void)state; T_RUN(byte_rows); }
static void test_misc(void **state) { (void)state; T_RUN(misc_rows); }

/* With the retry budget at 0 or 1, the third "ab" is out of reach. */
static void test_retry_budget(void **state)
{
    (void)state;
    static const char *rule =
        "alert tcp any any -> any any (content:\"ab\"; content:\"X\"; "
        "distance:0; within:1; sid:1;)";
    tpkt_t pk = P("ab ab abX");
    tframe_t f;
    tset_t ts;
    const uint32_t budgets[] = { 0, 1, 2, 256 };
    const det_verdict_t want[] = { DET_NO_MATCH, DET_NO_MATCH, DET_MATCH,
                                   DET_MATCH };
    t_build(&pk, &f);
    for (unsigned i = 0; i < 4; i++) {
        t_load(&ts, rule, 1);
        ts.mt.retry_budget = budgets[i];
        assert_int_equal(t_eval(&ts, 0, &f.p, NULL, false), want[i]);
        if (budgets[i] < 2)
            assert_int_equal(ts.mt.stats.retries, budgets[i]);
        else
            assert_int_equal(ts.mt.stats.retries, 2);
        t_unload(&ts);
    }
}

/* Catastrophic backtracking hits Snort's match limit: no match, even for
 * a negated pcre; O lifts the limit. */
static void test_pcre_limit(void **state)
{
    (void)state;
    tpkt_t pk = P("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
    tframe_t f;
    tset_t ts;
    t_build(&pk, &f);
    t_load(&ts, "alert tcp any any -> any any (pcre:!\"/(a|aa)+$/\"; sid:1;)\n"
                "alert tcp any any -> any any (pcre:!\"/(a|aa)+$/O\"; sid:2;)\n"
                "alert tcp any any -> any any (pcre:!\"/a+$/\"; sid:3;)", 3);
    assert_int_equal(t_eval(&ts, 0, &f.p, NULL, false), DET_NO_MATCH);
    assert_true(ts.mt.stats.pcre_errors >= 1);
    uint64_t errs = ts.mt.stats.pcre_errors;
    /* 2^25-ish paths without a limit: fine with O only if the JIT is fast;
     * use a shorter subject for the O rule */
    tpkt_t pk2 = P("aaaaaaaaaaaaaaaaaaaa!");
    tframe_t f2;
    t_build(&pk2, &f2);
    assert_int_equal(t_eval(&ts, 1, &f2.p, NULL, false), DET_MATCH);
    assert_int_equal(t_eval(&ts, 2, &f.p, NULL, false), DET_MATCH);
    assert_int_equal(ts.mt.stats.pcre_errors, errs);
    t_unload(&ts);
}

static void test_needs_http(void **state)
{
    (void)state;
    static const struct {
        const char *opts;
        bool http;
    } rows[] = {
        { "content:\"a\"", false },
        { "content:\"a\"; http_uri", true },
        { "uricontent:\"a\"", true },
        { "file_data; content:\"a\"", true },
        { "pcre:\"/a/H\"", true },
        { "pcre:\"/a/B\"", false },
        { "urilen:5", true },
        { "http_header; byte_test:1,=,1,0,relative", true },
        { "content:\"a\"; byte_test:1,=,1,0,relative", false },
        { "flow:established; dsize:>5", false },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char text[512];
        tset_t ts;
        t_rule_text(text, sizeof(text), rows[i].opts, 1);
        t_load(&ts, text, 1);
        if (det_rule_needs_http(ts.set.rules[0]) != rows[i].http)
            fail_msg("needs_http row %zu '%s'", i, rows[i].opts);
        t_unload(&ts);
    }
}

/* The matcher JIT-compiles pcres and reuses one ctx across rules. */
static void test_ctx_reuse(void **state)
{
    (void)state;
    tset_t ts;
    tframe_t f;
    tpkt_t pk = LINES;
    t_build(&pk, &f);
    t_load(&ts, "alert tcp any any -> any any (content:\"World\"; pcre:\"/^\\n/R\"; sid:1;)\n"
                "alert tcp any any -> any any (byte_extract:1,0,v; content:\"second\"; sid:2;)\n"
                "alert tcp any any -> any any (content:\"Hello\"; depth:5; sid:3;)", 3);
    det_match_ctx_t m;
    det_match_ctx_init(&m, &ts.mt, &f.p);
    for (int round = 0; round < 3; round++)
        for (unsigned i = 0; i < 3; i++)
            assert_int_equal(det_rule_match(ts.set.rules[i], &m), DET_MATCH);
    assert_int_equal(ts.mt.stats.evals, 9);
    assert_int_equal(ts.mt.stats.matches, 9);
    t_unload(&ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content),
        cmocka_unit_test(test_retry),
        cmocka_unit_test(test_pcre),
        cmocka_unit_test(test_byte),
        cmocka_unit_test(test_misc),
        cmocka_unit_test(test_retry_budget),
        cmocka_unit_test(test_pcre_limit),
        cmocka_unit_test(test_needs_http),
        cmocka_unit_test(test_ctx_reuse),
    };
    printf("payload rows: %zu\n", T_ROWS(content_rows) + T_ROWS(retry_rows) +
           T_ROWS(pcre_rows) + T_ROWS(byte_rows) + T_ROWS(misc_rows));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
