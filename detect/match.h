/*
 * match.h - the rule verifier: does one parsed rule (rules/rule.h) match one
 * decoded packet (detect/decode.h)?
 *
 * The prefilter (Hyperscan) only says a rule is a candidate; this module
 * decides, with Snort's semantics, option by option in written order:
 * content (offset/depth/distance/within, negation, nocase, byte_extract
 * variables), pcre (PCRE2, JIT-compiled once), isdataat, byte_test,
 * byte_jump, byte_extract, bufferlen, the IP/TCP/ICMP header options, dsize,
 * flow and flowbits.  A content or pcre whose next option is relative is
 * retried at its next occurrence when the rest of the rule fails (Snort's
 * backtracking), within a fixed retry budget per evaluation.
 *
 * Ownership: one det_matcher_t per detector per rule-set generation.  It
 * JIT-compiles the set's pcres (in place, in the rule's pcre2_code), builds
 * the flowbit groups, and owns the PCRE2 scratch, so det_rule_match never
 * allocates.  A det_match_ctx_t describes one packet; the caller fills the
 * public fields and reuses it for every candidate rule of that packet.
 *
 * Buffers: every content, pcre, isdataat, byte_* and bufferlen option reads
 * the buffer it names (rules/rule.h rule_buffer_t).  The caller supplies the
 * inspection buffers of the moment in det_match_ctx_t.bufs (HTTP buffers
 * from detect/http.h, a reassembled stream as RULE_BUF_PKT); a NULL entry
 * means "not available" and an option on it evaluates to "no match" (even
 * when negated; counted in http_waiting).  RULE_BUF_PKT defaults to the
 * packet payload and RULE_BUF_RAW to RULE_BUF_PKT.  As in Snort, the cursor
 * (distance/within, relative) restarts at 0 when an option reads another
 * buffer than the option before it; pkt_data and raw_data share one cursor
 * while they are the same bytes.  urilen reads the normalized or raw URI
 * without moving the cursor.  det_rule_buffers tells a caller which buffers
 * a rule needs.  Thresholds and detection_filter live in detect/threshold.h
 * and are applied by the caller after a match.
 */
#ifndef DET_MATCH_H
#define DET_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/decode.h"
#include "rules/rule.h"
#include "rules/ruleset.h"
#include "sensor/err.h"

/* Retries (next occurrence of a content or pcre after the rest of the rule
 * failed) allowed per det_rule_match call; Snort has no fixed bound, we
 * cap the work an adversarial packet can cause. */
#define DET_MATCH_RETRY_BUDGET 256

/* Snort's default pcre_match_limit / pcre_match_limit_recursion; the O
 * flag lifts them. */
#define DET_PCRE_MATCH_LIMIT   1500
#define DET_PCRE_DEPTH_LIMIT   1500

/* JIT stack per matcher (PCRE2's default is 32 KiB). */
#define DET_PCRE_JIT_STACK     (256 * 1024)

typedef enum det_verdict {
    DET_NO_MATCH,
    DET_MATCH,
    DET_MATCH_NOALERT,    /* matched, flowbits:noalert: apply, do not alert */
} det_verdict_t;

/* One flowbit group (setx / reset / isset any|all with a group name). */
typedef struct det_fb_group {
    const char *name;        /* points into a rule of the set */
    uint8_t *bits;           /* member bits, nflowbits wide */
} det_fb_group_t;

/* Counters a matcher keeps (one writer: its detector). */
typedef struct det_match_stats {
    uint64_t evals;          /* det_rule_match calls */
    uint64_t matches;        /* DET_MATCH or DET_MATCH_NOALERT */
    uint64_t retries;        /* next-occurrence retries done */
    uint64_t retry_exhausted;/* evaluations that hit DET_MATCH_RETRY_BUDGET */
    uint64_t pcre_errors;    /* match/depth limit, JIT stack: counted as no match */
    uint64_t http_waiting;   /* options failed: their buffer was not supplied */
} det_match_stats_t;

/* Per detector, per rule-set generation.  Opaque apart from stats and the
 * limits (which the caller may change after init). */
typedef struct det_matcher {
    struct pcre2_real_match_data_8 *md;      /* one ovector pair */
    struct pcre2_real_match_context_8 *mctx; /* Snort's match limits */
    struct pcre2_real_match_context_8 *mctx_o; /* O flag: no limits */
    struct pcre2_real_jit_stack_8 *jit_stack;
    det_fb_group_t *groups;
    uint32_t ngroups;
    uint32_t nflowbits;      /* the set's interned flowbit names */
    uint32_t retry_budget;   /* DET_MATCH_RETRY_BUDGET unless changed */
    uint32_t jit_failed;     /* pcres left to the interpreter */
    det_match_stats_t stats;
} det_matcher_t;

/*
 * One packet as the matcher sees it.  The caller fills the public block;
 * the private block is scratch owned by det_rule_match.
 */
typedef struct det_match_ctx {
    const det_packet_t *p;   /* decoded packet */
    det_matcher_t *mt;       /* scratch and counters */
    bool has_flow;           /* the packet belongs to a tracked flow */
    bool to_server;          /* client -> server (initiator -> responder) */
    bool established;        /* TCP handshake completed (caller decides) */
    bool rebuilt;            /* data is a reassembled stream */
    uint8_t *flowbits;       /* per-flow bits, NULL when no flow */
    uint32_t nflowbits;      /* bits in flowbits (det_matcher_t.nflowbits) */
    /* Inspection buffers by rule_buffer_t; NULL = not available.  PKT NULL:
     * the packet payload; RAW NULL: whatever PKT is.  Caller-owned; they
     * must stay valid while det_rule_match runs. */
    const uint8_t *bufs[RULE_BUF_COUNT];
    uint32_t buf_lens[RULE_BUF_COUNT];

    /* --- private: per evaluation --- */
    const uint8_t *buf;      /* the buffer the last option read */
    uint32_t len;
    rule_buffer_t cur;       /* which one it is */
    uint32_t cursor;         /* end of the last content/pcre/byte_jump */
    uint32_t retries_left;
    uint32_t vars[RULE_MAX_BYTE_VARS]; /* byte_extract values */
} det_match_ctx_t;

/* Prepare a matcher for every rule of set: JIT-compile each pcre (JIT
 * failure is not an error: the interpreter is used), build flowbit groups,
 * allocate PCRE2 scratch.  set must outlive the matcher.  -1 on allocation
 * failure (err says which). */
int det_matcher_init(det_matcher_t *mt, const rule_set_t *set, ws_err_t *err);

/* Same for a loose array of rules (tests, tools); nflowbits is the number
 * of interned flowbit ids the rules use. */
int det_matcher_init_rules(det_matcher_t *mt, rule_t *const *rules,
                           uint32_t nrules, uint32_t nflowbits, ws_err_t *err);

void det_matcher_free(det_matcher_t *mt);

/* Initialise a ctx for a packet (clears the flow fields and buffers; the
 * caller then sets has_flow, to_server, established, rebuilt, flowbits and
 * the buffers it has). */
void det_match_ctx_init(det_match_ctx_t *m, det_matcher_t *mt,
                        const det_packet_t *p);

/* Copy the buffers of bufs/lens into m, except RULE_BUF_PKT and
 * RULE_BUF_RAW (NULL entries clear m's: "not available").  Shaped for
 * det_http_tx_t (detect/http.h). */
void det_match_ctx_set_bufs(det_match_ctx_t *m,
                            const uint8_t *const bufs[RULE_BUF_COUNT],
                            const uint32_t lens[RULE_BUF_COUNT]);

/* Clear every buffer but RULE_BUF_PKT and RULE_BUF_RAW. */
void det_match_ctx_clear_bufs(det_match_ctx_t *m);

/* Protocol, address sets, port sets and direction (<> tries both ways). */
bool det_rule_header_match(const rule_t *r, const det_packet_t *p);

/* Every detection option, in written order.  Flowbits checks (isset,
 * isnotset) are options like the others; setters (set, setx, unset,
 * toggle, reset) are applied to m->flowbits only when the whole rule
 * matched.  Does not test the header (see det_rule_header_match) nor
 * thresholds (detect/threshold.h). */
det_verdict_t det_rule_match(const rule_t *r, det_match_ctx_t *m);

/* True when the rule has an option on an HTTP buffer or file_data (urilen
 * included): it can only match when the caller supplies those buffers. */
bool det_rule_needs_http(const rule_t *r);

/* The buffers the rule's options read, as bits (1u << rule_buffer_t);
 * urilen counts as its URI buffer.  A caller can skip a rule for an HTTP
 * event that does not carry one of them (DET_BUF_BIT). */
#define DET_BUF_BIT(b) (1u << (b))
uint32_t det_rule_buffers(const rule_t *r);

#endif
