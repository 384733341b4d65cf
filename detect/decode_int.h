/*
 * decode_int.h - what the decoder's per-layer files share and nobody else
 * needs: unaligned big-endian reads, the one's-complement checksum, how a
 * malformed reason is recorded, and the prototypes of the layer decoders.
 *
 * Every layer decoder has the same shape: it gets the packet, the first byte
 * of its header and the number of bytes from there to the end of what the
 * enclosing layer says is its payload (never past the captured data), checks
 * lengths before reading, fills its part of det_packet_t, points p->payload
 * at what follows and hands over to the next layer.  It returns 0 when the
 * decode may go on and -1 when it stopped at a malformed header (the reason
 * is already recorded).
 */
#ifndef DET_DECODE_INT_H
#define DET_DECODE_INT_H

#include "detect/decode.h"

#include <string.h>

#define det_likely(x)   __builtin_expect(!!(x), 1)
#define det_unlikely(x) __builtin_expect(!!(x), 0)

#define DET_ETYPE_IPV4  0x0800
#define DET_ETYPE_ARP   0x0806
#define DET_ETYPE_VLAN  0x8100
#define DET_ETYPE_QINQ  0x88a8
#define DET_ETYPE_QINQ1 0x9100   /* pre-standard QinQ */
#define DET_ETYPE_TEB   0x6558   /* transparent Ethernet bridging (GRE) */
#define DET_ETYPE_IPV6  0x86dd
#define DET_ETYPE_PPTP  0x880b   /* PPP in GRE v1 */

#define DET_IPPROTO_HOP     0
#define DET_IPPROTO_ICMP    1
#define DET_IPPROTO_IPIP    4
#define DET_IPPROTO_TCP     6
#define DET_IPPROTO_UDP     17
#define DET_IPPROTO_IPV6    41
#define DET_IPPROTO_RT      43
#define DET_IPPROTO_FRAG    44
#define DET_IPPROTO_GRE     47
#define DET_IPPROTO_AH      51
#define DET_IPPROTO_ICMPV6  58
#define DET_IPPROTO_DST     60

static inline uint16_t det_rd16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t det_rd32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
           (uint32_t)b[2] << 8 | b[3];
}

/* Record a problem: the first one becomes the result, all are in reasons. */
static inline int det_malformed(det_packet_t *p, det_decode_result_t r)
{
    if (p->result == DET_DECODE_OK)
        p->result = (uint8_t)r;
    p->reasons |= 1ull << r;
    return -1;
}

/*
 * One's-complement sum (RFC 1071) in native byte order: words are loaded as
 * they lie in memory, which gives the byte-swapped sum on a little-endian
 * host, and a correct checksum folds to 0xffff in either order.  Only the
 * last buffer summed may have an odd length.
 */
static inline uint64_t det_csum_add(uint64_t sum, const uint8_t *b, uint32_t n)
{
    uint64_t v8;
    uint32_t v4;
    uint16_t v2;

    while (n >= 8) {
        memcpy(&v8, b, 8);
        sum += (v8 & 0xffffffffu) + (v8 >> 32);
        b += 8;
        n -= 8;
    }
    if (n >= 4) {
        memcpy(&v4, b, 4);
        sum += v4;
        b += 4;
        n -= 4;
    }
    if (n >= 2) {
        memcpy(&v2, b, 2);
        sum += v2;
        b += 2;
        n -= 2;
    }
    if (n) {
        uint8_t last[2] = { b[0], 0 };
        memcpy(&v2, last, 2);
        sum += v2;
    }
    return sum;
}

/* Add a host-order value as the big-endian 16/32-bit word it would be. */
static inline uint64_t det_csum_add16(uint64_t sum, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    uint16_t w;
    memcpy(&w, b, 2);
    return sum + w;
}

static inline uint16_t det_csum_fold(uint64_t sum)
{
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* Pseudo-header sum of ip for an upper-layer message of len bytes. */
static inline uint64_t det_csum_pseudo(const det_ip_t *ip, uint8_t proto,
                                       uint32_t len)
{
    uint64_t sum = det_csum_add(0, ip->src, ip->version == 4 ? 8 : 32);

    sum = det_csum_add16(sum, (uint16_t)(len >> 16));
    sum = det_csum_add16(sum, (uint16_t)len);
    return det_csum_add16(sum, proto);
}

/*
 * Whether the innermost IP layer carries the whole upper-layer message, so
 * that its checksum can be verified (not for fragments).
 */
static inline int det_csum_wanted(const det_packet_t *p)
{
    return (p->decode_flags & DET_DECODE_CSUM) &&
           !p->ip[p->ip_count - 1].is_frag;
}

/* Record the outcome of one checksum verification. */
static inline void det_csum_result(det_packet_t *p, unsigned bit, int ok)
{
    p->csum_checked |= (uint8_t)bit;
    if (!ok)
        p->csum_bad |= (uint8_t)bit;
}

/* Layer decoders (see the top of this file for their contract). */
int det_decode_ethernet(det_packet_t *p, det_link_t *l, const uint8_t *b,
                        uint32_t len);
int det_decode_ethertype(det_packet_t *p, det_link_t *l, uint16_t etype,
                         const uint8_t *b, uint32_t len);
int det_decode_null(det_packet_t *p, const uint8_t *b, uint32_t len, int swap);
int det_decode_sll(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_sll2(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_raw(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_ipv4(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_ipv6(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_ip_next(det_packet_t *p, const det_ip_t *ip, const uint8_t *b,
                       uint32_t len);
int det_decode_tcp(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_udp(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_icmp(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_icmpv6(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_gre(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_ipip(det_packet_t *p, const uint8_t *b, uint32_t len);
int det_decode_ip6ip(det_packet_t *p, const uint8_t *b, uint32_t len);

#endif
