/*
 * decode_icmp.c - ICMP and ICMPv6: type, code, checksum, and identifier and
 * sequence number for the query types that carry them (echo, and for ICMP
 * also timestamp, information and address mask).  Both headers are 8 bytes;
 * the payload is what follows (for error messages: the quoted packet, which
 * is not decoded further).  The ICMPv6 checksum covers a pseudo-header, the
 * ICMP one does not.
 */
#include "detect/decode_int.h"

#define ICMP_HLEN 8

/* Types whose bytes 4..7 are identifier and sequence number. */
static const uint8_t icmp_query[256] = {
    [0] = 1, [8] = 1, [13] = 1, [14] = 1, [15] = 1, [16] = 1, [17] = 1, [18] = 1,
};

static const uint8_t icmpv6_query[256] = {
    [128] = 1, [129] = 1,
};

static void icmp_fill(det_packet_t *p, const uint8_t *b, uint32_t len,
                      const uint8_t *query)
{
    det_icmp_t *ic = &p->icmp;

    ic->hdr = b;
    ic->type = b[0];
    ic->code = b[1];
    ic->csum = det_rd16(b + 2);
    ic->id = det_rd16(b + 4);
    ic->seq = det_rd16(b + 6);
    ic->is_echo = query[b[0]];
    p->l4 = b;
    p->l4_len = len;
    p->payload = b + ICMP_HLEN;
    p->payload_len = len - ICMP_HLEN;
}

int det_decode_icmp(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    if (det_unlikely(len < ICMP_HLEN))
        return det_malformed(p, DET_DECODE_ICMP_TRUNCATED);
    icmp_fill(p, b, len, icmp_query);
    p->layers |= DET_L_ICMP;
    if (det_csum_wanted(p))
        det_csum_result(p, DET_CSUM_F_ICMP,
                        det_csum_fold(det_csum_add(0, b, len)) == 0xffff);
    return 0;
}

int det_decode_icmpv6(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    if (det_unlikely(len < ICMP_HLEN))
        return det_malformed(p, DET_DECODE_ICMPV6_TRUNCATED);
    icmp_fill(p, b, len, icmpv6_query);
    p->layers |= DET_L_ICMPV6;
    if (det_csum_wanted(p)) {
        uint64_t sum = det_csum_pseudo(&p->ip[p->ip_count - 1],
                                       DET_IPPROTO_ICMPV6, len);
        det_csum_result(p, DET_CSUM_F_ICMPV6,
                        det_csum_fold(det_csum_add(sum, b, len)) == 0xffff);
    }
    return 0;
}
