/*
 * decode_udp.c - UDP header and checksum.
 *
 * The UDP length must cover the 8-byte header and stay inside the IP payload
 * (in a first fragment it describes the whole datagram, so there only the
 * lower bound holds); bytes after it inside the IP payload are ignored.  An
 * IPv4 checksum of 0 means "not computed" and is not checked; over IPv6 it
 * is mandatory, so 0 counts as bad.
 */
#include "detect/decode_int.h"

#define UDP_HLEN 8

int det_decode_udp(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    const det_ip_t *ip = &p->ip[p->ip_count - 1];
    det_udp_t *u = &p->udp;
    uint32_t ulen, n;

    if (det_unlikely(len < UDP_HLEN))
        return det_malformed(p, DET_DECODE_UDP_TRUNCATED);
    ulen = det_rd16(b + 4);
    if (det_unlikely(ulen < UDP_HLEN || (ulen > len && !ip->is_frag)))
        return det_malformed(p, DET_DECODE_UDP_LEN_BAD);

    n = ulen < len ? ulen : len;
    u->hdr = b;
    u->len = (uint16_t)ulen;
    u->csum = det_rd16(b + 6);
    p->layers |= DET_L_UDP;
    p->l4 = b;
    p->l4_len = len;
    p->sport = det_rd16(b);
    p->dport = det_rd16(b + 2);
    p->payload = b + UDP_HLEN;
    p->payload_len = n - UDP_HLEN;

    if (det_csum_wanted(p)) {
        if (u->csum == 0) {
            if (ip->version == 6)
                det_csum_result(p, DET_CSUM_F_UDP, 0);
        } else {
            uint64_t sum = det_csum_pseudo(ip, DET_IPPROTO_UDP, ulen);
            det_csum_result(p, DET_CSUM_F_UDP,
                            det_csum_fold(det_csum_add(sum, b, ulen)) == 0xffff);
        }
    }
    return 0;
}
