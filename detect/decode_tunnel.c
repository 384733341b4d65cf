/*
 * decode_tunnel.c - GRE (RFC 2784/2890, and version 1 as PPTP uses it, RFC
 * 2637) and IP-in-IP (protocol 4: IPv4 inside, 41: IPv6 inside).
 *
 * A tunnel adds an IP layer to p->ip[]; det_decode_ipv4/ipv6 refuse to go
 * deeper than DET_IP_MAX layers (DET_DECODE_TUNNEL_DEPTH), which bounds the
 * recursion GRE-in-IP-in-GRE... could otherwise build.  GRE carrying IPv4,
 * IPv6 or Ethernet (0x6558, into p->inner_link) is decoded further; other
 * payloads (PPP in PPTP, ERSPAN, MPLS, ...) end the decode with the GRE
 * payload as the packet payload, which is not an error.
 */
#include "detect/decode_int.h"

/* Version 0: bits 1-5 other than K and S (RFC 2784 says drop). */
#define GRE_V0_BAD   0x4c00
/* Version 1: C, R, s, recursion and flag bits must be clear. */
#define GRE_V1_BAD   0xcf78

int det_decode_gre(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    det_gre_t *g = &p->gre;
    uint16_t fl, proto;
    uint32_t off;
    unsigned ver;

    if (det_unlikely(len < 4))
        return det_malformed(p, DET_DECODE_GRE_TRUNCATED);
    fl = det_rd16(b);
    proto = det_rd16(b + 2);
    ver = fl & 7;
    if (det_unlikely(ver > 1))
        return det_malformed(p, DET_DECODE_GRE_BAD_VERSION);
    if (det_unlikely(ver == 0 ? (fl & GRE_V0_BAD) != 0
                              : (fl & GRE_V1_BAD) != 0 || !(fl & DET_GRE_K) ||
                                proto != DET_ETYPE_PPTP))
        return det_malformed(p, DET_DECODE_GRE_BAD_FLAGS);

    off = 4 + 4 * (uint32_t)(!!(fl & DET_GRE_C) + !!(fl & DET_GRE_K) + !!(fl & DET_GRE_S) +
                             (ver == 1 && (fl & DET_GRE_A)));
    if (det_unlikely(off > len))
        return det_malformed(p, DET_DECODE_GRE_TRUNCATED);

    g->hdr = b;
    g->flags = fl;
    g->proto = proto;
    g->version = (uint8_t)ver;
    g->hlen = (uint8_t)off;
    off = (fl & DET_GRE_C) ? 8 : 4;
    g->key = (fl & DET_GRE_K) ? det_rd32(b + off) : 0;
    off += (fl & DET_GRE_K) ? 4 : 0;
    g->seq = (fl & DET_GRE_S) ? det_rd32(b + off) : 0;
    off += (fl & DET_GRE_S) ? 4 : 0;
    g->ack = (ver == 1 && (fl & DET_GRE_A)) ? det_rd32(b + off) : 0;

    p->layers |= DET_L_GRE;
    p->l4 = b;
    p->l4_len = len;
    p->payload = b + g->hlen;
    p->payload_len = len - g->hlen;
    if (ver != 0)
        return 0;

    b += g->hlen;
    len -= g->hlen;
    switch (proto) {
    case DET_ETYPE_IPV4:
        return det_decode_ipv4(p, b, len);
    case DET_ETYPE_IPV6:
        return det_decode_ipv6(p, b, len);
    case DET_ETYPE_TEB:
        memset(&p->inner_link, 0, sizeof(p->inner_link));
        p->inner_link.hlen = 14;
        p->layers |= DET_L_TEB;
        return det_decode_ethernet(p, &p->inner_link, b, len);
    default:
        return 0;
    }
}

int det_decode_ipip(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    p->layers |= DET_L_IPIP;
    return det_decode_ipv4(p, b, len);
}

int det_decode_ip6ip(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    p->layers |= DET_L_IPIP;
    return det_decode_ipv6(p, b, len);
}
