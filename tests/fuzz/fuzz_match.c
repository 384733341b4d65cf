/*
 * fuzz_match.c - libFuzzer harness for candidate selection and rule
 * verification (detect/prefilter*.c, detect/match*.c).
 *
 * A fixed rule set covering the option families (content chains, pcre,
 * byte_*, isdataat, header options, ICMP, IP-only address lists, flowbits,
 * an HTTP rule) is parsed, its prefilter built (Hyperscan) and loaded, and
 * a matcher prepared once.  Each input is a frame in fuzz_decode.c's layout
 * (byte 0 picks the link type); it is decoded with checksums on, the
 * prefilter is asked for candidates, and then every rule of the set is
 * verified (det_rule_header_match + det_rule_match), so the matcher sees
 * every rule against every packet, not only the candidates.
 *
 * Differential check, from prefilter.h's promise: a rule that is not on
 * the HTTP path and matches the packet (header and options, packet payload
 * as the buffer, no flow) must have been a candidate.  A miss aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/decode.h"
#include "detect/match.h"
#include "detect/prefilter.h"
#include "rules/ruleset.h"

#define FZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "fuzz_match: broken promise: %s (%s:%d)\n", \
                #cond, __FILE__, __LINE__); \
        abort(); \
    } } while (0)

static const char fz_rules[] =
    "alert tcp any any -> any 10001 (msg:\"content\"; content:\"EVILSTRING\"; sid:1;)\n"
    "alert tcp any any -> any any (msg:\"nocase chain\"; content:\"GET\"; depth:3; nocase; "
        "content:\"HOST\"; distance:2; within:10; sid:2;)\n"
    "alert tcp any any -> any any (msg:\"negated\"; content:\"USER\"; content:!\"admin\"; distance:0; sid:3;)\n"
    "alert tcp any any -> any any (msg:\"hex\"; content:\"|DE AD BE EF|\"; content:\"|00|X\"; within:4; sid:4;)\n"
    "alert tcp any any -> any any (msg:\"backtrack\"; content:\"A=\"; content:\"OK\"; distance:0; within:3; sid:5;)\n"
    "alert tcp any any -> any any (msg:\"fast_pattern\"; content:\"pay\"; fast_pattern; content:\"load\"; distance:0; sid:6;)\n"
    "alert tcp any any -> any any (msg:\"pcre\"; pcre:\"/^cmd=[a-z]+;/\"; sid:7;)\n"
    "alert tcp any any -> any any (msg:\"pcre R\"; content:\"key\"; pcre:\"/^=\\w{3}/R\"; sid:8;)\n"
    "alert tcp any any -> any any (msg:\"pcre neg\"; content:\"X\"; pcre:!\"/X\\d/\"; sid:9;)\n"
    "alert tcp any any -> any any (msg:\"byte_test\"; byte_test:2,>,1000,0; sid:10;)\n"
    "alert tcp any any -> any any (msg:\"byte_test str\"; byte_test:4,=,1234,2,string,dec; sid:11;)\n"
    "alert tcp any any -> any any (msg:\"byte_jump\"; byte_jump:1,0; content:\"Z\"; within:1; sid:12;)\n"
    "alert tcp any any -> any any (msg:\"byte_extract\"; byte_extract:1,0,len; content:\"END\"; distance:len; within:3; sid:13;)\n"
    "alert tcp any any -> any any (msg:\"isdataat\"; content:\"HDR\"; isdataat:!4,relative; sid:14;)\n"
    "alert tcp any any -> any any (msg:\"dsize flags\"; dsize:3<>6; flags:PA; sid:15;)\n"
    "alert tcp any any -> any [80,443,10090:10099,!10093] (msg:\"ports\"; content:\"PORT\"; sid:16;)\n"
    "alert tcp any 10091 <> any any (msg:\"bidi\"; content:\"BIDI\"; sid:17;)\n"
    "alert udp any any -> any 53 (msg:\"dns\"; content:\"|00 01 00 00|\"; offset:4; depth:4; sid:18;)\n"
    "alert udp any any -> any any (msg:\"udp dsize\"; dsize:0; sid:19;)\n"
    "alert icmp any any -> any any (msg:\"icmp\"; itype:8; icode:0; icmp_id:16962; sid:20;)\n"
    "alert icmp any any -> any any (msg:\"icmp seq\"; itype:0; icmp_seq:99; sid:21;)\n"
    "alert ip any any -> any any (msg:\"ip hdr\"; ttl:<5; tos:16; sid:22;)\n"
    "alert ip any any -> any any (msg:\"fragbits\"; fragbits:D; ip_proto:17; sid:23;)\n"
    "alert udp any any -> any any (msg:\"sameip\"; sameip; sid:24;)\n"
    "alert ip [203.0.113.1,203.0.113.2,2001:db8::/32] any -> any any (msg:\"ip only\"; sid:25;)\n"
    "alert tcp 192.0.2.0/24 any -> !10.0.0.0/8 any (msg:\"addr\"; content:\"NET\"; sid:26;)\n"
    "alert tcp any any -> any any (msg:\"flowbits\"; content:\"cmd\"; flowbits:isnotset,ws.login; sid:27;)\n"
    "alert tcp any any -> any any (msg:\"flowbits set\"; content:\"LOGIN\"; flowbits:set,ws.login; flowbits:noalert; sid:28;)\n"
    "alert tcp any any -> any any (msg:\"http\"; content:\"/admin\"; http_uri; sid:29;)\n"
    "alert tcp any any -> any any (msg:\"raw\"; content:\"RAW\"; rawbytes; isdataat:2,relative; sid:30;)\n"
    "alert tcp any any -> any any (msg:\"seq ack win\"; flags:S; seq:0; window:8192; sid:31;)\n"
    "alert ip any any -> any any (msg:\"ipopts\"; ipopts:rr; sid:32;)\n";

static const int fz_links[] = {
    DET_LINK_ETHERNET, DET_LINK_RAW, DET_LINK_NULL, DET_LINK_LOOP,
    DET_LINK_SLL, DET_LINK_SLL2, DET_LINK_IPV4, DET_LINK_IPV6,
    DET_LINK_RAW_ALT, 9999,
};
#define FZ_NLINKS (sizeof(fz_links) / sizeof(fz_links[0]))

static rule_set_t fz_set;
static det_prefilter_t *fz_pf;
static det_matcher_t fz_mt;
static uint8_t *fz_cand;          /* fz_set.nrules flags */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ws_err_t err;
    void *blob = NULL;
    size_t len = 0;
    (void)argc; (void)argv;

    if (rule_set_init(&fz_set, NULL, NULL, &err) < 0
        || rule_set_load_text(&fz_set, "fuzz_match.rules", fz_rules, &err) < 0)
        goto fail;
    if (fz_set.nrejects > 0) {
        char buf[512];
        rule_reject_format(&fz_set.rejects[0], buf, sizeof(buf));
        fprintf(stderr, "fuzz_match: rule rejected: %s\n", buf);
        abort();
    }
    if (det_prefilter_build(&fz_set, 1, &blob, &len, NULL, &err) < 0
        || det_prefilter_load(&fz_pf, blob, len, &fz_set, &err) < 0)
        goto fail;
    free(blob);
    if (det_matcher_init(&fz_mt, &fz_set, &err) < 0)
        goto fail;
    fz_cand = calloc(fz_set.nrules, 1);
    FZ_CHECK(fz_cand != NULL);
    return 0;
fail:
    fprintf(stderr, "fuzz_match: setup failed: %s\n", err.msg);
    abort();
}

static int fz_on_candidate(uint32_t idx, void *arg)
{
    (void)arg;
    FZ_CHECK(idx < fz_set.nrules);
    FZ_CHECK(!fz_cand[idx]);         /* each rule at most once */
    fz_cand[idx] = 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int lt = fz_links[data[0] % FZ_NLINKS];
    uint32_t len = (uint32_t)(size - 1);
    uint8_t *pkt = malloc(len ? len : 1);
    FZ_CHECK(pkt != NULL);
    memcpy(pkt, data + 1, len);

    det_packet_t p;
    det_decode(&p, pkt, len, lt, DET_DECODE_CSUM, NULL);
    static const uint8_t empty[1];
    const uint8_t *pl = p.payload ? p.payload : empty;

    memset(fz_cand, 0, fz_set.nrules);
    int n = det_prefilter_candidates(fz_pf, &p, pl, p.payload_len,
                                     fz_on_candidate, NULL);
    FZ_CHECK(n >= 0);

    for (uint32_t i = 0; i < fz_set.nrules; i++) {
        const rule_t *r = fz_set.rules[i];
        det_match_ctx_t m;
        det_match_ctx_init(&m, &fz_mt, &p);
        if (!det_rule_header_match(r, &p))
            continue;
        det_verdict_t v = det_rule_match(r, &m);
        if (v != DET_NO_MATCH && det_prefilter_path(fz_pf, i) != DET_PF_HTTP
            && !fz_cand[i]) {
            fprintf(stderr, "fuzz_match: rule %u (sid %u) matches but was "
                    "not a candidate (path %s)\n", i, r->sid,
                    det_pf_path_name(det_prefilter_path(fz_pf, i)));
            abort();
        }
    }
    free(pkt);
    return 0;
}
