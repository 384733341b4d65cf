/*
 * decode_tcp.c - TCP header, options and checksum.
 *
 * The fixed header and the data offset decide whether the segment is sound;
 * the options are walked afterwards with a table giving each known kind its
 * DET_TCPOPT_* bit and required length (0 = variable).  An option with a bad
 * length is a soft problem: the data offset still delimits the payload, so
 * the segment stays inspectable, but the walk stops there.
 */
#include "detect/decode_int.h"

#define TCP_HLEN_MIN 20

static const struct {
    uint16_t bit;
    uint8_t  len;    /* exact length the option must have, 0 = variable */
} tcpopt[256] = {
    [2]  = { DET_TCPOPT_MSS,    4 },
    [3]  = { DET_TCPOPT_WSCALE, 3 },
    [4]  = { DET_TCPOPT_SACKOK, 2 },
    [5]  = { DET_TCPOPT_SACK,   0 },
    [8]  = { DET_TCPOPT_TS,     10 },
    [19] = { DET_TCPOPT_MD5,    18 },
    [29] = { DET_TCPOPT_AO,     0 },
    [30] = { DET_TCPOPT_MPTCP,  0 },
    [34] = { DET_TCPOPT_TFO,    0 },
};

static void tcp_options(det_packet_t *p, det_tcp_t *t, const uint8_t *o,
                        uint32_t n)
{
    unsigned seen = 0;
    uint32_t i = 0;

    while (i < n) {
        uint8_t kind = o[i], olen;

        if (kind == 0) {
            seen |= DET_TCPOPT_EOL;
            break;
        }
        if (kind == 1) {
            seen |= DET_TCPOPT_NOP;
            i++;
            continue;
        }
        if (n - i < 2 || (olen = o[i + 1]) < 2 || olen > n - i ||
            (tcpopt[kind].len && olen != tcpopt[kind].len)) {
            det_malformed(p, DET_DECODE_TCP_OPT_BAD_LEN);
            break;
        }
        seen |= tcpopt[kind].bit ? tcpopt[kind].bit : DET_TCPOPT_OTHER;
        switch (kind) {
        case 2:
            t->mss = det_rd16(o + i + 2);
            break;
        case 3:
            t->wscale = o[i + 2];
            break;
        case 5:
            if (olen < 10 || (olen - 2) % 8 != 0) {
                det_malformed(p, DET_DECODE_TCP_OPT_BAD_LEN);
                goto out;
            }
            t->sack_blocks = (uint8_t)((olen - 2) / 8);
            break;
        case 8:
            t->ts_val = det_rd32(o + i + 2);
            t->ts_ecr = det_rd32(o + i + 6);
            break;
        default:
            break;
        }
        i += olen;
    }
out:
    t->opts = (uint16_t)seen;
}

int det_decode_tcp(det_packet_t *p, const uint8_t *b, uint32_t len)
{
    det_tcp_t *t = &p->tcp;
    uint32_t hlen;

    if (det_unlikely(len < TCP_HLEN_MIN))
        return det_malformed(p, DET_DECODE_TCP_TRUNCATED);
    hlen = (uint32_t)(b[12] >> 4) * 4;
    if (det_unlikely(hlen < TCP_HLEN_MIN))
        return det_malformed(p, DET_DECODE_TCP_DOFF_TOO_SMALL);
    if (det_unlikely(hlen > len))
        return det_malformed(p, DET_DECODE_TCP_DOFF_TRUNCATED);

    t->hdr = b;
    t->seq = det_rd32(b + 4);
    t->ack = det_rd32(b + 8);
    t->ts_val = 0;
    t->ts_ecr = 0;
    t->window = det_rd16(b + 14);
    t->urg = det_rd16(b + 18);
    t->csum = det_rd16(b + 16);
    t->opts = 0;
    t->mss = 0;
    t->wscale = 0;
    t->sack_blocks = 0;
    t->flags = b[13];
    t->res = b[12] & 0x0f;
    t->hlen = (uint8_t)hlen;

    p->layers |= DET_L_TCP;
    p->l4 = b;
    p->l4_len = len;
    p->sport = det_rd16(b);
    p->dport = det_rd16(b + 2);
    p->payload = b + hlen;
    p->payload_len = len - hlen;

    if (hlen > TCP_HLEN_MIN)
        tcp_options(p, t, b + TCP_HLEN_MIN, hlen - TCP_HLEN_MIN);
    if (det_csum_wanted(p)) {
        const det_ip_t *ip = &p->ip[p->ip_count - 1];
        uint64_t sum = det_csum_pseudo(ip, DET_IPPROTO_TCP, len);
        det_csum_result(p, DET_CSUM_F_TCP,
                        det_csum_fold(det_csum_add(sum, b, len)) == 0xffff);
    }
    return 0;
}
