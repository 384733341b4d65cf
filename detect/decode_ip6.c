/*
 * decode_ip6.c - IPv6 and its extension headers.  The walk follows the next
 * header chain through hop-by-hop, routing, fragment, destination options
 * and AH, with a table saying which protocol numbers are extension headers
 * and how each one's length is coded.  It stops at the first other protocol
 * (ESP and "no next header" included: nothing after them is readable), and
 * at a fragment header with a non-zero offset, whose data is not a header.
 *
 * Every step is bounded by the payload length and by DET_IP6_EXT_MAX headers,
 * so a chain of crafted headers cannot keep the decoder busy.  A payload
 * length of 0 with a hop-by-hop header is taken for a jumbogram (RFC 2675)
 * and the IP payload runs to the end of the captured data.
 */
#include "detect/decode_int.h"

#define IPV6_HLEN 40

enum { X_NONE, X_HOP, X_RT, X_FRAG, X_DST, X_AH };

/* Protocol number -> extension header kind. */
static const uint8_t ext_kind[256] = {
    [DET_IPPROTO_HOP]  = X_HOP,
    [DET_IPPROTO_RT]   = X_RT,
    [DET_IPPROTO_FRAG] = X_FRAG,
    [DET_IPPROTO_DST]  = X_DST,
    [DET_IPPROTO_AH]   = X_AH,
};

static const uint8_t ext_bit[] = {
    [X_HOP] = DET_IP6X_HOP, [X_RT] = DET_IP6X_RT, [X_FRAG] = DET_IP6X_FRAG,
    [X_DST] = DET_IP6X_DST, [X_AH] = DET_IP6X_AH,
};

/* Length of the extension header at e (at least 8 bytes are readable). */
static inline uint32_t ext_len(unsigned kind, const uint8_t *e)
{
    switch (kind) {
    case X_FRAG:
        return 8;
    case X_AH:
        return ((uint32_t)e[1] + 2) * 4;   /* RFC 4302: 4-byte units - 2 */
    default:
        return ((uint32_t)e[1] + 1) * 8;   /* 8-byte units, not counting the first */
    }
}

int det_decode_ipv6(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    det_ip_t *ip;
    uint32_t tlen, off = IPV6_HLEN, plen;
    unsigned kind;
    uint8_t nh;
    int rc = 0;

    if (det_unlikely(p->ip_count == DET_IP_MAX))
        return det_malformed(p, DET_DECODE_TUNNEL_DEPTH);
    if (det_unlikely(len < IPV6_HLEN))
        return det_malformed(p, DET_DECODE_IPV6_TRUNCATED);
    if (det_unlikely((b[0] >> 4) != 6))
        return det_malformed(p, DET_DECODE_IPV6_BAD_VERSION);
    nh = b[6];
    tlen = IPV6_HLEN + det_rd16(b + 4);
    if (det_unlikely(tlen == IPV6_HLEN && nh == DET_IPPROTO_HOP))
        tlen = len;
    if (det_unlikely(tlen > len))
        return det_malformed(p, DET_DECODE_IPV6_PLEN_TRUNCATED);

    ip = &p->ip[p->ip_count++];
    ip->hdr = b;
    ip->src = b + 8;
    ip->dst = b + 24;
    ip->len = tlen;
    ip->id = 0;
    ip->flow = det_rd32(b) & 0xfffff;
    ip->frag_off = 0;
    ip->ipopts = 0;
    ip->csum = 0;
    ip->version = 6;
    ip->ttl = b[7];
    ip->tos = (uint8_t)(det_rd16(b) >> 4);
    ip->flags = 0;
    ip->is_frag = 0;
    ip->ext = 0;
    ip->ext_count = 0;
    ip->rh_type = 0;
    ip->rh_segleft = 0;
    ip->csum_bad = 0;
    p->layers |= DET_L_IPV6;
    p->family = 6;
    p->l4 = NULL;
    p->l4_len = 0;
    p->sport = p->dport = 0;

    while ((kind = ext_kind[nh]) != X_NONE) {
        const uint8_t *e = b + off;
        uint32_t elen;

        if (det_unlikely(ip->ext_count == DET_IP6_EXT_MAX)) {
            rc = det_malformed(p, DET_DECODE_IPV6_EXT_TOO_MANY);
            break;
        }
        if (det_unlikely(tlen - off < 8 || (elen = ext_len(kind, e)) > tlen - off)) {
            rc = det_malformed(p, DET_DECODE_IPV6_EXT_TRUNCATED);
            break;
        }
        if (kind == X_HOP && ip->ext_count != 0)
            det_malformed(p, DET_DECODE_IPV6_HOP_NOT_FIRST);
        ip->ext |= ext_bit[kind];
        ip->ext_count++;
        if (kind == X_RT) {
            ip->rh_type = e[2];
            ip->rh_segleft = e[3];
        } else if (kind == X_FRAG) {
            uint16_t fo = det_rd16(e + 2);
            ip->frag_off = fo >> 3;
            ip->flags = fo & 1 ? DET_IP_MF : 0;
            ip->id = det_rd32(e + 4);
            ip->is_frag = ip->frag_off != 0 || (fo & 1);
        }
        nh = e[0];
        off += elen;
        if (kind == X_FRAG && ip->frag_off != 0)
            break;
    }

    plen = tlen - off;
    ip->hlen = (uint16_t)off;
    ip->proto = nh;
    p->l4_proto = nh;
    p->payload = b + off;
    p->payload_len = plen;
    p->layers |= (ip->ext_count ? DET_L_IPV6_EXT : 0) |
                 (ip->is_frag ? DET_L_IPV6_FRAG : 0);
    if (det_unlikely(rc != 0))
        return rc;
    if (det_unlikely(ip->is_frag)) {
        if ((uint32_t)ip->frag_off * 8 + plen > 65535)
            det_malformed(p, DET_DECODE_IPV6_FRAG_TOO_LARGE);
        if (ip->frag_off != 0)
            return 0;
    }
    return det_decode_ip_next(p, ip, b + off, plen);
}
