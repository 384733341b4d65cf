/*
 * match_hdr.c - the header options: dsize; ttl, tos, id, ipopts, fragbits,
 * fragoffset, ip_proto, sameip (IP); flags, seq, ack, window (TCP); itype,
 * icode, icmp_id, icmp_seq (ICMP and ICMPv6).
 *
 * Each reads the innermost decoded layer, as Snort does for tunnelled
 * packets, and fails when the packet lacks that layer (a TCP option on a
 * UDP packet, an IP option on ARP).  Choices worth knowing:
 *   - IPv6: ttl is the hop limit, tos the traffic class, id and fragbits
 *     come from the fragment header (0 without one), ipopts never matches;
 *   - fragoffset compares the 13-bit field (8-byte units), like Snort 2;
 *   - flags and fragbits remove the ignore mask from the packet's bits, then
 *     compare: exact (==), + (all of), * (any of), ! (none of);
 *   - icmp_id and icmp_seq only match echo request/reply (ICMP 8/0, ICMPv6
 *     128/129), as in Snort;
 *   - dsize never matches reassembled data (Snort: rebuilt packets have
 *     meaningless sizes).
 */
#include "detect/match_int.h"

#include <string.h>

bool det_cmp(const rule_cmp_t *c, uint32_t v)
{
    switch (c->op) {
    case RULE_CMP_EQ:       return v == c->lo;
    case RULE_CMP_NE:       return v != c->lo;
    case RULE_CMP_LT:       return v < c->lo;
    case RULE_CMP_LE:       return v <= c->lo;
    case RULE_CMP_GT:       return v > c->lo;
    case RULE_CMP_GE:       return v >= c->lo;
    case RULE_CMP_RANGE_EX: return v > c->lo && v < c->hi;
    case RULE_CMP_RANGE_IN: return v >= c->lo && v <= c->hi;
    }
    return false;
}

static bool bits_match(const rule_bits_t *b, uint8_t have)
{
    have &= (uint8_t)~b->ignore;
    switch (b->mode) {
    case RULE_BITS_EXACT: return have == b->bits;
    case RULE_BITS_ALL:   return (have & b->bits) == b->bits;
    case RULE_BITS_ANY:   return (have & b->bits) != 0;
    case RULE_BITS_NOT:   return (have & b->bits) == 0;
    }
    return false;
}

bool det_kw_dsize(det_match_ctx_t *m, const rule_opt_t *o)
{
    if (m->rebuilt)
        return false;
    return det_cmp(&o->u.cmp, m->p->payload_len);
}

/* ---- IP ------------------------------------------------------------------ */

bool det_kw_ttl(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_ip_t *ip = det_ip_inner(m->p);
    return ip && det_cmp(&o->u.cmp, ip->ttl);
}

bool det_kw_tos(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_ip_t *ip = det_ip_inner(m->p);
    return ip && det_cmp(&o->u.cmp, ip->tos);
}

bool det_kw_id(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_ip_t *ip = det_ip_inner(m->p);
    return ip && det_cmp(&o->u.cmp, ip->id);
}

bool det_kw_fragoffset(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_ip_t *ip = det_ip_inner(m->p);
    return ip && det_cmp(&o->u.cmp, ip->frag_off);
}

bool det_kw_ip_proto(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_ip_t *ip = det_ip_inner(m->p);
    return ip && det_cmp(&o->u.cmp, ip->proto);
}

bool det_kw_fragbits(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_ip_t *ip = det_ip_inner(m->p);
    return ip && bits_match(&o->u.bits, ip->flags);
}

bool det_kw_sameip(det_match_ctx_t *m, const rule_opt_t *o)
{
    (void)o;
    const det_ip_t *ip = det_ip_inner(m->p);
    if (ip == NULL)
        return false;
    return memcmp(ip->src, ip->dst, ip->version == 4 ? 4 : 16) == 0;
}

bool det_kw_ipopts(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_ip_t *ip = det_ip_inner(m->p);
    uint16_t want;
    if (ip == NULL || ip->version != 4)
        return false;
    switch (o->u.ipopts.opt) {
    case RULE_IPOPT_ANY:   return ip->hlen > 20;
    case RULE_IPOPT_EOL:   want = DET_IPOPT_EOL; break;
    case RULE_IPOPT_NOP:   want = DET_IPOPT_NOP; break;
    case RULE_IPOPT_RR:    want = DET_IPOPT_RR; break;
    case RULE_IPOPT_TS:    want = DET_IPOPT_TS; break;
    case RULE_IPOPT_SEC:   want = DET_IPOPT_SEC; break;
    case RULE_IPOPT_ESEC:  want = DET_IPOPT_ESEC; break;
    case RULE_IPOPT_LSRR:  want = DET_IPOPT_LSRR; break;
    case RULE_IPOPT_LSRRE: want = DET_IPOPT_LSRRE; break;
    case RULE_IPOPT_SSRR:  want = DET_IPOPT_SSRR; break;
    case RULE_IPOPT_SATID: want = DET_IPOPT_SATID; break;
    default:               return false;
    }
    return (ip->ipopts & want) != 0;
}

/* ---- TCP ----------------------------------------------------------------- */

static inline const det_tcp_t *tcp_of(const det_match_ctx_t *m)
{
    return (m->p->layers & DET_L_TCP) ? &m->p->tcp : NULL;
}

bool det_kw_flags(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_tcp_t *t = tcp_of(m);
    return t && bits_match(&o->u.bits, t->flags);
}

bool det_kw_seq(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_tcp_t *t = tcp_of(m);
    return t && det_cmp(&o->u.cmp, t->seq);
}

bool det_kw_ack(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_tcp_t *t = tcp_of(m);
    return t && det_cmp(&o->u.cmp, t->ack);
}

bool det_kw_window(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_tcp_t *t = tcp_of(m);
    return t && det_cmp(&o->u.cmp, t->window);
}

/* ---- ICMP ---------------------------------------------------------------- */

static inline const det_icmp_t *icmp_of(const det_match_ctx_t *m)
{
    return (m->p->layers & (DET_L_ICMP | DET_L_ICMPV6)) ? &m->p->icmp : NULL;
}

static bool icmp_is_echo(const det_match_ctx_t *m, const det_icmp_t *ic)
{
    if (m->p->layers & DET_L_ICMPV6)
        return ic->type == 128 || ic->type == 129;
    return ic->type == 8 || ic->type == 0;
}

bool det_kw_itype(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_icmp_t *ic = icmp_of(m);
    return ic && det_cmp(&o->u.cmp, ic->type);
}

bool det_kw_icode(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_icmp_t *ic = icmp_of(m);
    return ic && det_cmp(&o->u.cmp, ic->code);
}

bool det_kw_icmp_id(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_icmp_t *ic = icmp_of(m);
    return ic && icmp_is_echo(m, ic) && det_cmp(&o->u.cmp, ic->id);
}

bool det_kw_icmp_seq(det_match_ctx_t *m, const rule_opt_t *o)
{
    const det_icmp_t *ic = icmp_of(m);
    return ic && icmp_is_echo(m, ic) && det_cmp(&o->u.cmp, ic->seq);
}
