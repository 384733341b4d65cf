/*
 * match_int.h - what the keyword families of the matcher share; internal to
 * detect/match*.c.
 *
 * Each family file (match_content.c, match_hdr.c, match_flow.c) exports
 * option evaluators of one shape, det_opt_fn, that match.c puts in its
 * table indexed by rule_kw_t.  content and pcre additionally expose a
 * "first / next occurrence" pair used by match.c's backtracking: a
 * det_search_t remembers the window a search ran in, so a retry continues
 * in the same window after the previous hit, whatever the cursor became
 * while later options were tried.
 */
#ifndef DET_MATCH_INT_H
#define DET_MATCH_INT_H

#include "detect/match.h"

#define DET_LIKELY(x)   __builtin_expect(!!(x), 1)
#define DET_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Evaluate one option against m; true when it matches. */
typedef bool (*det_opt_fn)(det_match_ctx_t *m, const rule_opt_t *o);

/* State of a content or pcre search that may be retried. */
typedef struct det_search {
    uint32_t lo, hi;         /* content: window [lo, hi); pcre: subject [lo, hi) */
    uint32_t next;           /* where a retry starts (content: absolute,
                                pcre: offset in the subject) */
} det_search_t;

/* A buffer that is not the packet payload (HTTP, file_data). */
static inline bool det_buffer_is_http(rule_buffer_t b)
{
    return b != RULE_BUF_PKT && b != RULE_BUF_RAW;
}

/* The bytes of buffer b for this evaluation (PKT: the payload unless the
 * caller gave other bytes; RAW: PKT unless given).  false when the caller
 * did not supply b. */
bool det_buf_get(const det_match_ctx_t *m, rule_buffer_t b,
                 const uint8_t **p, uint32_t *n);

/* Slow path of det_buf_select (match.c). */
bool det_buf_switch(det_match_ctx_t *m, rule_buffer_t b);

/* Make b the buffer the next option reads: m->buf/len point at it and the
 * cursor restarts at 0 when the buffer changes.  false (counted in
 * http_waiting) when b was not supplied. */
static inline bool det_buf_select(det_match_ctx_t *m, rule_buffer_t b)
{
    if (DET_LIKELY(b == m->cur))
        return true;
    return det_buf_switch(m, b);
}

/* A literal or byte_extract variable, as Snort reads it (int32). */
static inline int64_t det_num(const det_match_ctx_t *m, const rule_num_t *n)
{
    if (n->var >= 0)
        return (int32_t)m->vars[(uint8_t)n->var];
    return n->value;
}

bool det_cmp(const rule_cmp_t *c, uint32_t v);

/* ---- match_content.c ---- */
bool det_content_first(det_match_ctx_t *m, const rule_content_t *c,
                       det_search_t *s);
bool det_content_next(det_match_ctx_t *m, const rule_content_t *c,
                      det_search_t *s);
bool det_pcre_first(det_match_ctx_t *m, const rule_pcre_t *pc,
                    det_search_t *s);
bool det_pcre_next(det_match_ctx_t *m, const rule_pcre_t *pc,
                   det_search_t *s);
bool det_pcre_retryable(const rule_pcre_t *pc);
bool det_kw_content(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_pcre(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_isdataat(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_byte_test(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_byte_jump(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_byte_extract(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_len(det_match_ctx_t *m, const rule_opt_t *o);

/* ---- match_hdr.c ---- */
bool det_kw_dsize(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_ttl(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_tos(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_id(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_ipopts(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_fragbits(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_fragoffset(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_ip_proto(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_sameip(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_flags(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_seq(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_ack(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_window(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_itype(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_icode(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_icmp_id(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_icmp_seq(det_match_ctx_t *m, const rule_opt_t *o);

/* ---- match_flow.c ---- */
bool det_kw_flow(det_match_ctx_t *m, const rule_opt_t *o);
bool det_kw_flowbits(det_match_ctx_t *m, const rule_opt_t *o);
/* Apply the setters of r (set, setx, unset, toggle, reset) in order. */
void det_flowbits_apply(det_match_ctx_t *m, const rule_t *r);
/* Build / free the flowbit groups of a matcher. */
int det_fb_groups_build(det_matcher_t *mt, rule_t *const *rules,
                        uint32_t nrules, ws_err_t *err);
void det_fb_groups_free(det_matcher_t *mt);

#endif
