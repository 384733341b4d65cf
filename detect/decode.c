/*
 * decode.c - entry point of the packet decoder: resets the per-packet part
 * of det_packet_t, picks the link-layer decoder for the pcap link type,
 * dispatches IP payloads by protocol number through a table, and keeps the
 * counters.  The layer decoders live in decode_<layer>.c; decode.h has the
 * contract (what is valid when, what each malformed reason means).
 *
 * The name tables come from the same X-macros as the enums, so adding a
 * reason, layer or checksum is a one-line change in decode.h.
 */
#include "detect/decode_int.h"

_Static_assert(DET_DECODE_RESULT_COUNT <= 64, "reasons must fit det_packet_t.reasons");
_Static_assert(DET_LAYER_COUNT <= 32, "layers must fit det_packet_t.layers");
_Static_assert(DET_CSUM_COUNT <= 8, "checksums must fit det_packet_t.csum_*");

static const char *const result_names[DET_DECODE_RESULT_COUNT] = {
#define DET_X_(name, str) [DET_DECODE_##name] = str,
    DET_DECODE_RESULTS(DET_X_)
#undef DET_X_
};

static const char *const layer_names[DET_LAYER_COUNT] = {
#define DET_X_(name, str) [DET_LAYER_##name] = str,
    DET_DECODE_LAYERS(DET_X_)
#undef DET_X_
};

static const char *const csum_names[DET_CSUM_COUNT] = {
#define DET_X_(name, str) [DET_CSUM_##name] = str,
    DET_DECODE_CSUMS(DET_X_)
#undef DET_X_
};

const char *det_decode_result_name(int r)
{
    return r >= 0 && r < DET_DECODE_RESULT_COUNT ? result_names[r] : "?";
}

const char *det_layer_name(int layer)
{
    return layer >= 0 && layer < DET_LAYER_COUNT ? layer_names[layer] : "?";
}

const char *det_csum_name(int csum)
{
    return csum >= 0 && csum < DET_CSUM_COUNT ? csum_names[csum] : "?";
}

/*
 * What follows an IP header, by protocol number.  A fragment that starts at
 * offset 0 still shows its L4 header, but a tunnel inside it would only be
 * half there, so first fragments use the second table.
 */
typedef int (*det_next_fn)(det_packet_t *p, const uint8_t *b, uint32_t len);

static const det_next_fn next_whole[256] = {
    [DET_IPPROTO_ICMP]   = det_decode_icmp,
    [DET_IPPROTO_IPIP]   = det_decode_ipip,
    [DET_IPPROTO_TCP]    = det_decode_tcp,
    [DET_IPPROTO_UDP]    = det_decode_udp,
    [DET_IPPROTO_IPV6]   = det_decode_ip6ip,
    [DET_IPPROTO_GRE]    = det_decode_gre,
    [DET_IPPROTO_ICMPV6] = det_decode_icmpv6,
};

static const det_next_fn next_first_frag[256] = {
    [DET_IPPROTO_ICMP]   = det_decode_icmp,
    [DET_IPPROTO_TCP]    = det_decode_tcp,
    [DET_IPPROTO_UDP]    = det_decode_udp,
    [DET_IPPROTO_ICMPV6] = det_decode_icmpv6,
};

int det_decode_ip_next(det_packet_t *p, const det_ip_t *ip, const uint8_t *b,
                       uint32_t len)
{
    det_next_fn fn = (ip->is_frag ? next_first_frag : next_whole)[ip->proto];

    if (fn == NULL) {
        p->layers |= DET_L_L4_OTHER;
        return 0;
    }
    return fn(p, b, len);
}

static void stats_update(det_decode_stats_t *st, const det_packet_t *p)
{
    uint64_t r = p->reasons;
    uint32_t l = p->layers;
    unsigned c = p->csum_checked;

    st->pkts++;
    st->bytes += p->pkt_len;
    if (det_likely(r == 0))
        st->reason[DET_DECODE_OK]++;
    for (; r; r &= r - 1)
        st->reason[__builtin_ctzll(r)]++;
    for (; l; l &= l - 1)
        st->layer[__builtin_ctz(l)]++;
    for (; c; c &= c - 1) {
        int i = __builtin_ctz(c);
        st->csum_checked[i]++;
        st->csum_bad[i] += (p->csum_bad >> i) & 1u;
    }
}

det_decode_result_t det_decode(det_packet_t *p, const uint8_t *pkt,
                               uint32_t len, int linktype, unsigned flags,
                               det_decode_stats_t *st)
{
    /*
     * Reset the always-valid head field by field (the rest is valid by layer
     * bit): gcc merges these into a few wide stores, where a memset becomes
     * `rep stos`, slow to start and stalling the loads that follow it.
     * test_decode.c's test_reset checks that no head field is forgotten.
     */
    p->pkt = pkt;
    p->l4 = NULL;
    p->payload = pkt;
    p->reasons = 0;
    p->pkt_len = len;
    p->l4_len = 0;
    p->payload_len = len;
    p->layers = 0;
    p->linktype = (uint16_t)linktype;
    p->sport = 0;
    p->dport = 0;
    p->result = DET_DECODE_OK;
    p->decode_flags = (uint8_t)flags;
    p->ip_count = 0;
    p->family = 0;
    p->l4_proto = 0;
    p->csum_checked = 0;
    p->csum_bad = 0;
    p->link = (det_link_t){ .hdr = NULL };

    switch (linktype) {
    case DET_LINK_ETHERNET:
        p->link.hlen = 14;
        det_decode_ethernet(p, &p->link, pkt, len);
        break;
    case DET_LINK_RAW:
    case DET_LINK_RAW_ALT:
        det_decode_raw(p, pkt, len);
        break;
    case DET_LINK_IPV4:
        p->link.ethertype = DET_ETYPE_IPV4;
        det_decode_ipv4(p, pkt, len);
        break;
    case DET_LINK_IPV6:
        p->link.ethertype = DET_ETYPE_IPV6;
        det_decode_ipv6(p, pkt, len);
        break;
    case DET_LINK_NULL:
        det_decode_null(p, pkt, len, 1);
        break;
    case DET_LINK_LOOP:
        det_decode_null(p, pkt, len, 0);
        break;
    case DET_LINK_SLL:
        det_decode_sll(p, pkt, len);
        break;
    case DET_LINK_SLL2:
        det_decode_sll2(p, pkt, len);
        break;
    default:
        det_malformed(p, DET_DECODE_UNKNOWN_LINKTYPE);
        break;
    }

    if (st != NULL)
        stats_update(st, p);
    return (det_decode_result_t)p->result;
}

void det_decode_stats_add(det_decode_stats_t *dst, const det_decode_stats_t *src)
{
    uint64_t *d = (uint64_t *)dst;
    const uint64_t *s = (const uint64_t *)src;

    _Static_assert(sizeof(*dst) % sizeof(uint64_t) == 0, "only counters");
    for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
        d[i] += s[i];
}
