/*
 * decode_eth.c - link layers: Ethernet with up to DET_VLAN_MAX VLAN tags
 * (0x8100, 0x88a8, 0x9100), Linux cooked captures v1/v2, BSD null/loopback
 * headers and raw IP.  Each ends in det_decode_ethertype(), which strips the
 * tags and hands IPv4/IPv6 on; any other ethertype (ARP, LLDP, 802.3/LLC
 * frames...) is a valid link-only packet whose payload is the frame after
 * the link header.
 *
 * The same code decodes the Ethernet frame inside a GRE tunnel (0x6558),
 * writing to p->inner_link instead of p->link.
 */
#include "detect/decode_int.h"

#define SLL_HLEN       16
#define SLL2_HLEN      20
#define ARPHRD_ETHER   1

int det_decode_ethertype(det_packet_t *p, det_link_t *l, uint16_t etype,
                         const uint8_t *b, uint32_t len)
{
    while (etype == DET_ETYPE_VLAN || etype == DET_ETYPE_QINQ ||
           etype == DET_ETYPE_QINQ1) {
        uint16_t tci;

        if (det_unlikely(l->vlan_count == DET_VLAN_MAX))
            return det_malformed(p, DET_DECODE_VLAN_TOO_MANY);
        if (det_unlikely(len < 4))
            return det_malformed(p, DET_DECODE_VLAN_TRUNCATED);
        tci = det_rd16(b);
        l->vlan[l->vlan_count] = tci & 0x0fff;
        l->vlan_pcp[l->vlan_count] = (uint8_t)(tci >> 13);
        l->vlan_count++;
        p->layers |= l->vlan_count == 1 ? DET_L_VLAN : DET_L_QINQ;
        etype = det_rd16(b + 2);
        b += 4;
        len -= 4;
        l->hlen += 4;
    }

    l->ethertype = etype;
    p->payload = b;
    p->payload_len = len;
    switch (etype) {
    case DET_ETYPE_IPV4:
        return det_decode_ipv4(p, b, len);
    case DET_ETYPE_IPV6:
        return det_decode_ipv6(p, b, len);
    case DET_ETYPE_ARP:
        p->layers |= DET_L_ARP;
        return 0;
    default:
        p->layers |= DET_L_LINK_OTHER;
        return 0;
    }
}

/* l->hlen must be 14 on entry (the caller's det_link_t is otherwise reset). */
int det_decode_ethernet(det_packet_t *p, det_link_t *l, const uint8_t *b,
                        uint32_t len)
{
    if (det_unlikely(len < 14))
        return det_malformed(p, DET_DECODE_ETH_TRUNCATED);
    l->hdr = b;
    l->dst = b;
    l->src = b + 6;
    p->layers |= DET_L_ETH;
    return det_decode_ethertype(p, l, det_rd16(b + 12), b + 14, len - 14);
}

/*
 * Linux cooked v1: packet type(2) ARPHRD type(2) address length(2)
 * address(8) protocol(2).  Only the sender's address is known.
 */
int det_decode_sll(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    det_link_t *l = &p->link;

    if (det_unlikely(len < SLL_HLEN))
        return det_malformed(p, DET_DECODE_SLL_TRUNCATED);
    l->hdr = b;
    l->hlen = SLL_HLEN;
    if (det_rd16(b + 2) == ARPHRD_ETHER && det_rd16(b + 4) == 6)
        l->src = b + 6;
    p->layers |= DET_L_SLL;
    return det_decode_ethertype(p, l, det_rd16(b + 14), b + SLL_HLEN,
                                len - SLL_HLEN);
}

/*
 * Linux cooked v2: protocol(2) reserved(2) ifindex(4) ARPHRD type(2)
 * packet type(1) address length(1) address(8).
 */
int det_decode_sll2(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    det_link_t *l = &p->link;

    if (det_unlikely(len < SLL2_HLEN))
        return det_malformed(p, DET_DECODE_SLL2_TRUNCATED);
    l->hdr = b;
    l->hlen = SLL2_HLEN;
    if (det_rd16(b + 8) == ARPHRD_ETHER && b[11] == 6)
        l->src = b + 12;
    p->layers |= DET_L_SLL;
    return det_decode_ethertype(p, l, det_rd16(b), b + SLL2_HLEN,
                                len - SLL2_HLEN);
}

/*
 * BSD loopback: a 4-byte address family, in the capturing host's byte order
 * for DLT_NULL (swap = 1: a value above 0xffff was written little-endian)
 * and in network order for DLT_LOOP.  AF_INET is 2 everywhere; AF_INET6 is
 * 10 (Linux), 24 (Net/OpenBSD), 28 (FreeBSD) or 30 (macOS).
 */
int det_decode_null(det_packet_t *p, const uint8_t *b, uint32_t len, int swap)
{
    det_link_t *l = &p->link;
    uint32_t fam;
    uint16_t etype;

    if (det_unlikely(len < 4))
        return det_malformed(p, DET_DECODE_NULL_TRUNCATED);
    fam = det_rd32(b);
    if (swap && (fam & 0xffff0000u))
        fam = __builtin_bswap32(fam);
    switch (fam) {
    case 2:
        etype = DET_ETYPE_IPV4;
        break;
    case 10: case 24: case 28: case 30:
        etype = DET_ETYPE_IPV6;
        break;
    default:
        etype = 0;
        break;
    }
    l->hdr = b;
    l->hlen = 4;
    p->layers |= DET_L_LOOP;
    return det_decode_ethertype(p, l, etype, b + 4, len - 4);
}

/* Raw IP: the version nibble says which. */
int det_decode_raw(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    if (det_unlikely(len == 0))
        return det_malformed(p, DET_DECODE_RAW_TRUNCATED);
    switch (b[0] >> 4) {
    case 4:
        p->link.ethertype = DET_ETYPE_IPV4;
        return det_decode_ipv4(p, b, len);
    case 6:
        p->link.ethertype = DET_ETYPE_IPV6;
        return det_decode_ipv6(p, b, len);
    default:
        return det_malformed(p, DET_DECODE_RAW_BAD_VERSION);
    }
}
