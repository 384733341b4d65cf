/*
 * decode_ip4.c - IPv4: header checks in the order a reader would do them
 * (captured length, version, IHL, total length), header fields, options
 * (recorded as DET_IPOPT_* bits for the ipopts keyword), fragments (recorded,
 * not reassembled: a fragment at offset 0 still shows its L4 header, later
 * ones only their payload) and the header checksum when asked for.
 *
 * The IP payload ends at the total length, not at the captured length, so
 * Ethernet padding never reaches the L4 decoders.
 */
#include "detect/decode_int.h"

#define IPV4_HLEN_MIN 20

/* Option type -> DET_IPOPT_* bit; 0 = not one Snort names. */
static const uint16_t ipopt_bit[256] = {
    [0x00] = DET_IPOPT_EOL,
    [0x01] = DET_IPOPT_NOP,
    [0x07] = DET_IPOPT_RR,
    [0x44] = DET_IPOPT_TS,
    [0x82] = DET_IPOPT_SEC,
    [0x83] = DET_IPOPT_LSRR,
    [0x84] = DET_IPOPT_LSRRE,
    [0x85] = DET_IPOPT_ESEC,
    [0x88] = DET_IPOPT_SATID,
    [0x89] = DET_IPOPT_SSRR,
    [0x94] = DET_IPOPT_RTRALT,
};

/*
 * Walk the n option bytes at o.  EOL ends the list; NOP is one byte; every
 * other option has a length byte covering itself (>= 2) that must stay
 * inside the options.  A bad length ends the walk (soft: the header itself
 * was delimited by IHL, so the layers above are still sound).
 */
static void ipv4_options(det_packet_t *p, det_ip_t *ip, const uint8_t *o,
                         uint32_t n)
{
    unsigned seen = 0;
    uint32_t i = 0;

    while (i < n) {
        uint8_t type = o[i];
        unsigned bit = ipopt_bit[type];

        seen |= bit ? bit : DET_IPOPT_OTHER;
        if (type == 0x00)
            break;
        if (type == 0x01) {
            i++;
            continue;
        }
        if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i) {
            det_malformed(p, DET_DECODE_IPV4_OPT_BAD_LEN);
            break;
        }
        i += o[i + 1];
    }
    ip->ipopts = (uint16_t)seen;
}

int det_decode_ipv4(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    det_ip_t *ip;
    uint32_t hlen, tlen, plen;
    uint16_t fo;

    if (det_unlikely(p->ip_count == DET_IP_MAX))
        return det_malformed(p, DET_DECODE_TUNNEL_DEPTH);
    if (det_unlikely(len < IPV4_HLEN_MIN))
        return det_malformed(p, DET_DECODE_IPV4_TRUNCATED);
    if (det_unlikely((b[0] >> 4) != 4))
        return det_malformed(p, DET_DECODE_IPV4_BAD_VERSION);
    hlen = (uint32_t)(b[0] & 0x0f) * 4;
    if (det_unlikely(hlen < IPV4_HLEN_MIN))
        return det_malformed(p, DET_DECODE_IPV4_IHL_TOO_SMALL);
    if (det_unlikely(hlen > len))
        return det_malformed(p, DET_DECODE_IPV4_HLEN_TRUNCATED);
    tlen = det_rd16(b + 2);
    if (det_unlikely(tlen < hlen))
        return det_malformed(p, DET_DECODE_IPV4_TLEN_TOO_SMALL);
    if (det_unlikely(tlen > len))
        return det_malformed(p, DET_DECODE_IPV4_TLEN_TRUNCATED);

    ip = &p->ip[p->ip_count++];
    fo = det_rd16(b + 6);
    plen = tlen - hlen;
    ip->hdr = b;
    ip->src = b + 12;
    ip->dst = b + 16;
    ip->len = tlen;
    ip->id = det_rd16(b + 4);
    ip->flow = 0;
    ip->hlen = (uint16_t)hlen;
    ip->frag_off = fo & 0x1fff;
    ip->ipopts = 0;
    ip->csum = det_rd16(b + 10);
    ip->version = 4;
    ip->proto = b[9];
    ip->ttl = b[8];
    ip->tos = b[1];
    ip->flags = (uint8_t)(fo >> 13);
    ip->is_frag = (fo & 0x3fff) != 0;
    ip->ext = 0;
    ip->ext_count = 0;
    ip->rh_type = 0;
    ip->rh_segleft = 0;
    ip->csum_bad = 0;

    p->layers |= DET_L_IPV4 | (ip->is_frag ? DET_L_IPV4_FRAG : 0);
    p->family = 4;
    p->l4_proto = ip->proto;
    p->l4 = NULL;
    p->l4_len = 0;
    p->sport = p->dport = 0;
    p->payload = b + hlen;
    p->payload_len = plen;

    if (det_unlikely(hlen > IPV4_HLEN_MIN))
        ipv4_options(p, ip, b + IPV4_HLEN_MIN, hlen - IPV4_HLEN_MIN);
    if (p->decode_flags & DET_DECODE_CSUM) {
        int ok = det_csum_fold(det_csum_add(0, b, hlen)) == 0xffff;
        ip->csum_bad = !ok;
        det_csum_result(p, DET_CSUM_F_IPV4, ok);
    }
    if (det_unlikely(ip->is_frag)) {
        if ((uint32_t)ip->frag_off * 8 + tlen > 65535)
            det_malformed(p, DET_DECODE_IPV4_FRAG_TOO_LARGE);
        if (ip->frag_off != 0)
            return 0;
    }
    return det_decode_ip_next(p, ip, b + hlen, plen);
}
