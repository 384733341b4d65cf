/*
 * match.c - the rule verifier's driver: header test, the option table, the
 * backtracking walk over a rule's options, matcher setup.
 *
 * det_rule_match walks r->opts in written order through one table of
 * evaluators indexed by keyword (filled from the family files:
 * match_content.c, match_hdr.c, match_flow.c).  Snort retries a content or
 * pcre at its next occurrence when the option after it is relative and the
 * rest of the rule failed (content:"A"; content:"B"; distance:0; within:1;
 * must find the A that a B follows, not just the first A).  That is a
 * recursion: at such an option the walk calls itself for the remaining
 * options, and on failure asks the option for its next hit.  Cursor and
 * byte_extract variables are restored between attempts.  Retries share one
 * budget per evaluation (det_matcher_t.retry_budget), so a hostile payload
 * cannot make the search explode; exhausting it counts as no match and is
 * counted in the stats.
 *
 * Flowbit setters run only after every option matched (det_flowbits_apply);
 * nothing here allocates or locks.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect/match_int.h"

#include <stdlib.h>
#include <string.h>

static const det_opt_fn det_opt_table[RULE_KW_COUNT] = {
    [RULE_KW_CONTENT]      = det_kw_content,
    [RULE_KW_URICONTENT]   = det_kw_content,
    [RULE_KW_PCRE]         = det_kw_pcre,
    [RULE_KW_FLOW]         = det_kw_flow,
    [RULE_KW_FLOWBITS]     = det_kw_flowbits,
    [RULE_KW_TTL]          = det_kw_ttl,
    [RULE_KW_TOS]          = det_kw_tos,
    [RULE_KW_ID]           = det_kw_id,
    [RULE_KW_IPOPTS]       = det_kw_ipopts,
    [RULE_KW_FRAGBITS]     = det_kw_fragbits,
    [RULE_KW_FRAGOFFSET]   = det_kw_fragoffset,
    [RULE_KW_IP_PROTO]     = det_kw_ip_proto,
    [RULE_KW_SAMEIP]       = det_kw_sameip,
    [RULE_KW_DSIZE]        = det_kw_dsize,
    [RULE_KW_FLAGS]        = det_kw_flags,
    [RULE_KW_SEQ]          = det_kw_seq,
    [RULE_KW_ACK]          = det_kw_ack,
    [RULE_KW_WINDOW]       = det_kw_window,
    [RULE_KW_ITYPE]        = det_kw_itype,
    [RULE_KW_ICODE]        = det_kw_icode,
    [RULE_KW_ICMP_ID]      = det_kw_icmp_id,
    [RULE_KW_ICMP_SEQ]     = det_kw_icmp_seq,
    [RULE_KW_BYTE_TEST]    = det_kw_byte_test,
    [RULE_KW_BYTE_JUMP]    = det_kw_byte_jump,
    [RULE_KW_BYTE_EXTRACT] = det_kw_byte_extract,
    [RULE_KW_ISDATAAT]     = det_kw_isdataat,
    [RULE_KW_URILEN]       = det_kw_len,
    [RULE_KW_BUFFERLEN]    = det_kw_len,
};

static const uint8_t det_empty[1];

_Static_assert(RULE_BUF_COUNT <= 32, "det_rule_buffers returns 32 bits");

/* ---- buffers ----------------------------------------------------------------- */

bool det_buf_get(const det_match_ctx_t *m, rule_buffer_t b,
                 const uint8_t **p, uint32_t *n)
{
    if ((unsigned)b >= RULE_BUF_COUNT)
        return false;
    if (b == RULE_BUF_RAW && m->bufs[RULE_BUF_RAW] == NULL)
        b = RULE_BUF_PKT;
    if (m->bufs[b] != NULL) {
        *p = m->bufs[b];
        *n = m->buf_lens[b];
        return true;
    }
    if (b != RULE_BUF_PKT)
        return false;
    *p = m->p->payload != NULL ? m->p->payload : det_empty;
    *n = m->p->payload != NULL ? m->p->payload_len : 0;
    return true;
}

bool det_buf_switch(det_match_ctx_t *m, rule_buffer_t b)
{
    const uint8_t *p;
    uint32_t n;
    if (!det_buf_get(m, b, &p, &n)) {
        m->mt->stats.http_waiting++;
        return false;
    }
    /* pkt_data and raw_data keep one cursor while they are one buffer */
    bool same = !det_buffer_is_http(b) && !det_buffer_is_http(m->cur) &&
                p == m->buf && n == m->len;
    if (!same)
        m->cursor = 0;
    m->buf = p;
    m->len = n;
    m->cur = b;
    return true;
}

/* ---- header ---------------------------------------------------------------- */

static inline uint32_t rd32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

static bool addr_has(const rule_addrset_t *s, const det_ip_t *ip,
                     const uint8_t *a)
{
    if (s->any)
        return true;
    if (ip->version == 4)
        return s->n4 != 0 && rule_addrset_has4(s, rd32(a));
    return s->n6 != 0 && rule_addrset_has6(s, a);
}

static inline bool port_has(const rule_portset_t *s, uint16_t port)
{
    return s->any || rule_portset_has(s, port);
}

/* src/sport of the rule against (a, pa), dst/dport against (b, pb). */
static bool one_way(const rule_t *r, const det_ip_t *ip, const uint8_t *a,
                    uint16_t pa, const uint8_t *b, uint16_t pb, bool ports)
{
    if (ports && (!port_has(&r->sport, pa) || !port_has(&r->dport, pb)))
        return false;
    return addr_has(&r->src, ip, a) && addr_has(&r->dst, ip, b);
}

bool det_rule_header_match(const rule_t *r, const det_packet_t *p)
{
    const det_ip_t *ip = det_ip_inner(p);
    bool ports = false;

    if (ip == NULL)
        return false;
    switch (r->proto) {
    case RULE_PROTO_IP:
        break;
    case RULE_PROTO_TCP:
        if (!(p->layers & DET_L_TCP))
            return false;
        ports = true;
        break;
    case RULE_PROTO_UDP:
        if (!(p->layers & DET_L_UDP))
            return false;
        ports = true;
        break;
    case RULE_PROTO_ICMP:
        if (!(p->layers & (DET_L_ICMP | DET_L_ICMPV6)))
            return false;
        break;
    default:
        return false;
    }
    if (one_way(r, ip, ip->src, p->sport, ip->dst, p->dport, ports))
        return true;
    return r->dir == RULE_DIR_BOTH &&
           one_way(r, ip, ip->dst, p->dport, ip->src, p->sport, ports);
}

/* ---- options ----------------------------------------------------------------- */

/* Does o read relative to the cursor (Snort's "relative child")? */
static bool opt_is_relative(const rule_opt_t *o)
{
    switch (o->kw) {
    case RULE_KW_CONTENT:
    case RULE_KW_URICONTENT:
        return o->u.content.has_distance || o->u.content.has_within;
    case RULE_KW_PCRE:
        return (o->u.pcre.flags & RULE_PCRE_RELATIVE) != 0;
    case RULE_KW_BYTE_TEST:
        return o->u.byte_test.c.relative;
    case RULE_KW_BYTE_JUMP:
        return o->u.byte_jump.c.relative;
    case RULE_KW_BYTE_EXTRACT:
        return o->u.byte_extract.c.relative;
    case RULE_KW_ISDATAAT:
        return o->u.isdataat.relative;
    case RULE_KW_BUFFERLEN:
        return o->u.len.relative;
    default:
        return false;
    }
}

static bool eval_from(det_match_ctx_t *m, const rule_t *r, uint32_t i);

/* Budget check between attempts; restores the byte_extract variables. */
static bool may_retry(det_match_ctx_t *m, const uint32_t *vars)
{
    if (m->retries_left == 0)
        return false;
    m->retries_left--;
    m->mt->stats.retries++;
    memcpy(m->vars, vars, sizeof(m->vars));
    return true;
}

static bool search_content(det_match_ctx_t *m, const rule_t *r, uint32_t i)
{
    const rule_content_t *c = &r->opts[i].u.content;
    uint32_t vars[RULE_MAX_BYTE_VARS];
    det_search_t s;

    if (!det_content_first(m, c, &s))
        return false;
    memcpy(vars, m->vars, sizeof(vars));
    while (!eval_from(m, r, i + 1)) {
        if (!may_retry(m, vars) || !det_content_next(m, c, &s))
            return false;
    }
    return true;
}

static bool search_pcre(det_match_ctx_t *m, const rule_t *r, uint32_t i)
{
    const rule_pcre_t *pc = &r->opts[i].u.pcre;
    uint32_t vars[RULE_MAX_BYTE_VARS];
    det_search_t s;

    if (!det_pcre_first(m, pc, &s))
        return false;
    memcpy(vars, m->vars, sizeof(vars));
    while (!eval_from(m, r, i + 1)) {
        if (!may_retry(m, vars) || !det_pcre_next(m, pc, &s))
            return false;
    }
    return true;
}

static bool eval_from(det_match_ctx_t *m, const rule_t *r, uint32_t i)
{
    for (; i < r->nopts; i++) {
        const rule_opt_t *o = &r->opts[i];
        bool next_rel = i + 1 < r->nopts && opt_is_relative(&r->opts[i + 1]);

        if (next_rel && (o->kw == RULE_KW_CONTENT ||
                         o->kw == RULE_KW_URICONTENT) &&
            !o->u.content.negated)
            return search_content(m, r, i);
        if (next_rel && o->kw == RULE_KW_PCRE && det_pcre_retryable(&o->u.pcre))
            return search_pcre(m, r, i);

        det_opt_fn fn = (unsigned)o->kw < RULE_KW_COUNT ? det_opt_table[o->kw]
                                                        : NULL;
        if (fn == NULL || !fn(m, o))
            return false;
    }
    return true;
}

void det_match_ctx_init(det_match_ctx_t *m, det_matcher_t *mt,
                        const det_packet_t *p)
{
    memset(m, 0, sizeof(*m));
    m->p = p;
    m->mt = mt;
}

void det_match_ctx_set_bufs(det_match_ctx_t *m,
                            const uint8_t *const bufs[RULE_BUF_COUNT],
                            const uint32_t lens[RULE_BUF_COUNT])
{
    for (unsigned b = 0; b < RULE_BUF_COUNT; b++) {
        if (b == RULE_BUF_PKT || b == RULE_BUF_RAW)
            continue;
        m->bufs[b] = bufs[b];
        m->buf_lens[b] = bufs[b] != NULL ? lens[b] : 0;
    }
}

void det_match_ctx_clear_bufs(det_match_ctx_t *m)
{
    for (unsigned b = 0; b < RULE_BUF_COUNT; b++) {
        if (b == RULE_BUF_PKT || b == RULE_BUF_RAW)
            continue;
        m->bufs[b] = NULL;
        m->buf_lens[b] = 0;
    }
}

det_verdict_t det_rule_match(const rule_t *r, det_match_ctx_t *m)
{
    det_matcher_t *mt = m->mt;

    /* every rule starts on the packet (stream) data, cursor 0 */
    det_buf_get(m, RULE_BUF_PKT, &m->buf, &m->len);
    m->cur = RULE_BUF_PKT;
    m->cursor = 0;
    m->retries_left = mt->retry_budget;
    memset(m->vars, 0, sizeof(m->vars));
    mt->stats.evals++;

    bool ok = eval_from(m, r, 0);
    if (m->retries_left == 0 && mt->retry_budget != 0)
        mt->stats.retry_exhausted++;
    if (!ok)
        return DET_NO_MATCH;
    det_flowbits_apply(m, r);
    mt->stats.matches++;
    return r->noalert ? DET_MATCH_NOALERT : DET_MATCH;
}

uint32_t det_rule_buffers(const rule_t *r)
{
    uint32_t mask = 0;
    for (uint32_t i = 0; i < r->nopts; i++) {
        const rule_opt_t *o = &r->opts[i];
        rule_buffer_t b;
        switch (o->kw) {
        case RULE_KW_CONTENT:
        case RULE_KW_URICONTENT:   b = o->u.content.buffer; break;
        case RULE_KW_PCRE:         b = o->u.pcre.buffer; break;
        case RULE_KW_BYTE_TEST:    b = o->u.byte_test.c.buffer; break;
        case RULE_KW_BYTE_JUMP:    b = o->u.byte_jump.c.buffer; break;
        case RULE_KW_BYTE_EXTRACT: b = o->u.byte_extract.c.buffer; break;
        case RULE_KW_ISDATAAT:     b = o->u.isdataat.buffer; break;
        case RULE_KW_URILEN:
            b = o->u.len.raw ? RULE_BUF_HTTP_RAW_URI : RULE_BUF_HTTP_URI;
            break;
        case RULE_KW_BUFFERLEN:    b = o->u.len.buffer; break;
        default:                   continue;
        }
        if ((unsigned)b < RULE_BUF_COUNT)
            mask |= DET_BUF_BIT(b);
    }
    return mask;
}

bool det_rule_needs_http(const rule_t *r)
{
    return (det_rule_buffers(r) &
            ~(DET_BUF_BIT(RULE_BUF_PKT) | DET_BUF_BIT(RULE_BUF_RAW))) != 0;
}

/* ---- matcher ------------------------------------------------------------------- */

int det_matcher_init_rules(det_matcher_t *mt, rule_t *const *rules,
                           uint32_t nrules, uint32_t nflowbits, ws_err_t *err)
{
    memset(mt, 0, sizeof(*mt));
    mt->nflowbits = nflowbits;
    mt->retry_budget = DET_MATCH_RETRY_BUDGET;
    mt->md = pcre2_match_data_create(1, NULL);
    mt->mctx = pcre2_match_context_create(NULL);
    mt->mctx_o = pcre2_match_context_create(NULL);
    mt->jit_stack = pcre2_jit_stack_create(32 * 1024, DET_PCRE_JIT_STACK, NULL);
    if (mt->md == NULL || mt->mctx == NULL || mt->mctx_o == NULL ||
        mt->jit_stack == NULL) {
        ws_err_set(err, "pcre2 scratch allocation failed");
        goto fail;
    }
    pcre2_set_match_limit(mt->mctx, DET_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(mt->mctx, DET_PCRE_DEPTH_LIMIT);
    pcre2_jit_stack_assign(mt->mctx, NULL, mt->jit_stack);
    pcre2_jit_stack_assign(mt->mctx_o, NULL, mt->jit_stack);

    for (uint32_t r = 0; r < nrules; r++) {
        for (uint32_t i = 0; i < rules[r]->nopts; i++) {
            const rule_opt_t *o = &rules[r]->opts[i];
            if (o->kw != RULE_KW_PCRE || o->u.pcre.code == NULL)
                continue;
            if (pcre2_jit_compile(o->u.pcre.code, PCRE2_JIT_COMPLETE) != 0)
                mt->jit_failed++;
        }
    }
    if (det_fb_groups_build(mt, rules, nrules, err) < 0)
        goto fail;
    return 0;
fail:
    det_matcher_free(mt);
    return -1;
}

int det_matcher_init(det_matcher_t *mt, const rule_set_t *set, ws_err_t *err)
{
    return det_matcher_init_rules(mt, set->rules, set->nrules, set->nflowbits,
                                  err);
}

void det_matcher_free(det_matcher_t *mt)
{
    if (mt == NULL)
        return;
    pcre2_match_data_free(mt->md);
    pcre2_match_context_free(mt->mctx);
    pcre2_match_context_free(mt->mctx_o);
    pcre2_jit_stack_free(mt->jit_stack);
    det_fb_groups_free(mt);
    mt->md = NULL;
    mt->mctx = mt->mctx_o = NULL;
    mt->jit_stack = NULL;
}
