/*
 * test_decode.c - unit tests for the packet decoder (detect/decode*.c).
 *
 * Packets are crafted by a small builder that prepends headers (innermost
 * first, so every length and checksum is known when its header is written)
 * and computes checksums with its own byte-wise reference code, independent
 * of the decoder's; a few frames are also given as literal byte arrays
 * (their checksums were cross-checked with tcpdump -vv).  One table lists
 * every case: how to build the frame, an optional cut or byte patch to break
 * it, and the expected result, layers and checksum verdicts; each row runs
 * as its own cmocka test.  The table must contain a case for every malformed
 * reason (test_every_reason_covered).
 *
 * The last two tests decode every truncation of every case and 100,000
 * random or mutated frames from a fixed-seed PRNG, each copied into a buffer
 * of exactly its length, and read every byte the decoder points at: run them
 * under valgrind or -fsanitize=address,undefined to prove the decoder never
 * reads out of bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/decode.h"

#define PKT_MAX 4096
#define ETH 14
#define IP4 20
#define IP6 40
#define CSUM DET_DECODE_CSUM

/* ---- builder ---------------------------------------------------------- */

typedef struct pkt {
    uint8_t mem[PKT_MAX];
    size_t  head;           /* the frame is mem[head .. PKT_MAX) */
} pkt_t;

typedef struct addrs {
    int     v;              /* 4 or 6 */
    uint8_t src[16], dst[16];
} addrs_t;

static const addrs_t A4  = { 4, { 192, 0, 2, 1 }, { 198, 51, 100, 2 } };
static const addrs_t A4I = { 4, { 10, 0, 0, 1 }, { 10, 0, 0, 2 } };
static const addrs_t A6  = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
                                { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
static const addrs_t A6I = { 6, { 0xfd, [15] = 1 }, { 0xfd, [15] = 2 } };

static const uint8_t MAC_DST[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t MAC_SRC[6] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };

static size_t plen(const pkt_t *k) { return PKT_MAX - k->head; }
static uint8_t *pdata(pkt_t *k) { return k->mem + k->head; }

static uint8_t *push(pkt_t *k, size_t n)
{
    if (n > k->head)
        abort();
    k->head -= n;
    memset(k->mem + k->head, 0, n);
    return k->mem + k->head;
}

static void wr16(uint8_t *b, unsigned v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
static void wr32(uint8_t *b, uint32_t v) { wr16(b, v >> 16); wr16(b + 2, v & 0xffff); }

/* Reference checksum: big-endian 16-bit words, byte by byte. */
static uint32_t ref_sum(uint32_t s, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)b[i] << 8 | b[i + 1];
    if (n & 1)
        s += (uint32_t)b[n - 1] << 8;
    return s;
}

static uint16_t ref_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static uint32_t ref_pseudo(const addrs_t *a, uint8_t proto, uint32_t len)
{
    size_t n = a->v == 4 ? 4 : 16;
    uint32_t s = ref_sum(0, a->src, n);
    s = ref_sum(s, a->dst, n);
    return s + (len >> 16) + (len & 0xffff) + proto;
}

static void push_data(pkt_t *k, const void *d, size_t n) { memcpy(push(k, n), d, n); }

static void push_fill(pkt_t *k, size_t n, unsigned seed)
{
    uint8_t *b = push(k, n);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7 + seed);
}

/* Header writers: one line per 32-bit row of the header where it fits. */
static void push_eth(pkt_t *k, unsigned etype)
{
    uint8_t *h = push(k, ETH);
    memcpy(h, MAC_DST, 6); memcpy(h + 6, MAC_SRC, 6); wr16(h + 12, etype);
}

/* A VLAN tag whose TPID the next push_eth/push_vlan gives. */
static void push_vlan(pkt_t *k, unsigned tci, unsigned inner_etype)
{
    uint8_t *h = push(k, 4);
    wr16(h, tci); wr16(h + 2, inner_etype);
}

static void push_sll(pkt_t *k, unsigned etype)
{
    uint8_t *h = push(k, 16);
    wr16(h + 2, 1); wr16(h + 4, 6); memcpy(h + 6, MAC_SRC, 6); wr16(h + 14, etype);
}

static void push_sll2(pkt_t *k, unsigned etype)
{
    uint8_t *h = push(k, 20);
    wr16(h, etype); wr32(h + 4, 3); wr16(h + 8, 1); h[11] = 6; memcpy(h + 12, MAC_SRC, 6);
}

static void push_null(pkt_t *k, uint8_t fam, int big_endian)
{ push(k, 4)[big_endian ? 3 : 0] = fam; }

typedef struct ip4p {
    uint8_t tos, ttl;
    uint16_t id, frag;          /* frag: flags << 13 | offset */
    const uint8_t *opt;
    size_t optlen;              /* multiple of 4 */
} ip4p_t;

static void push_ip4x(pkt_t *k, const addrs_t *a, uint8_t proto, const ip4p_t *o)
{
    size_t hl = IP4 + o->optlen, tlen = hl + plen(k);
    uint8_t *h = push(k, hl);

    h[0] = (uint8_t)(0x40 | hl / 4); h[1] = o->tos; wr16(h + 2, (unsigned)tlen);
    wr16(h + 4, o->id); wr16(h + 6, o->frag);
    h[8] = o->ttl; h[9] = proto;
    memcpy(h + 12, a->src, 4); memcpy(h + 16, a->dst, 4);
    if (o->optlen)
        memcpy(h + IP4, o->opt, o->optlen);
    wr16(h + 10, ref_fold(ref_sum(0, h, hl)));
}

static void push_ip4(pkt_t *k, const addrs_t *a, uint8_t proto)
{
    ip4p_t o = { .tos = 0x10, .ttl = 64, .id = 0x1234, .frag = 0x4000 };
    push_ip4x(k, a, proto, &o);
}

static void push_ip6(pkt_t *k, const addrs_t *a, uint8_t nh)
{
    size_t pl = plen(k);
    uint8_t *h = push(k, IP6);

    wr32(h, 6u << 28 | 0x0bu << 20 | 0x12345);
    wr16(h + 4, (unsigned)pl); h[6] = nh; h[7] = 64;
    memcpy(h + 8, a->src, 16); memcpy(h + 24, a->dst, 16);
}

/* Hop-by-hop (0) / destination (60) with a PadN, routing (43, type 4), AH (51). */
static void push_ext(pkt_t *k, uint8_t kind, uint8_t nh)
{
    uint8_t *h = push(k, kind == 51 ? 12 : 8);
    h[0] = nh;
    if (kind == 51) {
        h[1] = 1; wr32(h + 4, 0x1000);
    } else {
        h[2] = kind == 43 ? 4 : 1; h[3] = kind == 43 ? 0 : 4;
    }
}

static void push_frag6(pkt_t *k, uint8_t nh, unsigned off, unsigned m, uint32_t id)
{
    uint8_t *h = push(k, 8);
    h[0] = nh; wr16(h + 2, off << 3 | m); wr32(h + 4, id);
}

/* L4 checksum over the whole current frame with a's pseudo-header (a NULL: none). */
static uint16_t l4_csum(pkt_t *k, const addrs_t *a, uint8_t proto)
{
    uint32_t s = a ? ref_pseudo(a, proto, (uint32_t)plen(k)) : 0;
    return ref_fold(ref_sum(s, pdata(k), plen(k)));
}

static uint8_t *push_tcp(pkt_t *k, const addrs_t *a, unsigned sp, unsigned dp,
                         uint32_t seq, uint32_t ack, unsigned flags,
                         const uint8_t *opt, size_t optlen)
{
    size_t hl = 20 + optlen;
    uint8_t *h = push(k, hl);

    wr16(h, sp); wr16(h + 2, dp);
    wr32(h + 4, seq);
    wr32(h + 8, ack);
    h[12] = (uint8_t)(hl / 4 << 4 | (flags >> 8 & 1)); h[13] = (uint8_t)flags; wr16(h + 14, 8192);
    if (optlen)
        memcpy(h + 20, opt, optlen);
    wr16(h + 16, l4_csum(k, a, 6));
    return h;
}

static uint8_t *push_udp(pkt_t *k, const addrs_t *a, unsigned sp, unsigned dp)
{
    uint8_t *h = push(k, 8);
    uint16_t c;

    wr16(h, sp); wr16(h + 2, dp);
    wr16(h + 4, (unsigned)plen(k));
    c = l4_csum(k, a, 17);
    wr16(h + 6, c ? c : 0xffff);
    return h;
}

/* ICMP (a NULL) or ICMPv6 (a gives the pseudo-header). */
static void push_icmp6(pkt_t *k, const addrs_t *a, uint8_t type, uint8_t code, uint32_t rest)
{
    uint8_t *h = push(k, 8);
    h[0] = type; h[1] = code; wr32(h + 4, rest);
    wr16(h + 2, l4_csum(k, a, 58));
}

static void push_icmp(pkt_t *k, uint8_t type, uint8_t code, uint32_t rest)
{ push_icmp6(k, NULL, type, code, rest); }

static void push_gre(pkt_t *k, unsigned flags, unsigned proto, uint32_t key,
                     uint32_t seq, uint32_t ack)
{
    int c = !!(flags & 0x8000), kk = !!(flags & 0x2000), sq = !!(flags & 0x1000);
    int ak = (flags & 7) == 1 && (flags & 0x80);
    uint8_t *h = push(k, 4 + 4 * (size_t)(c + kk + sq + ak)), *f = h + 4 + 4 * c;

    wr16(h, flags); wr16(h + 2, proto);
    if (kk) { wr32(f, key); f += 4; }
    if (sq) { wr32(f, seq); f += 4; }
    if (ak)
        wr32(f, ack);
    if (c)
        wr16(h + 4, l4_csum(k, NULL, 0));
}

static const uint8_t SYN_OPTS[20] = {
    0x02, 0x04, 0x05, 0xb4,                    /* MSS 1460 */
    0x04, 0x02,                                /* SACK permitted */
    0x08, 0x0a, 0, 0, 0x30, 0x39, 0, 0, 0, 0,  /* TS 12345 0 */
    0x01,                                      /* NOP */
    0x03, 0x03, 0x07,                          /* window scale 7 */
};

/* ---- builders: each returns the link type ----------------------------- */

#define LK_ETH DET_LINK_ETHERNET
#define LK_RAW DET_LINK_RAW

static void tcp_data(pkt_t *k, const addrs_t *a)
{
    push_fill(k, 10, 1);
    push_tcp(k, a, 1234, 80, 1000, 2000, DET_TCP_ACK | DET_TCP_PSH, NULL, 0);
}

static void udp_data(pkt_t *k, const addrs_t *a)
{ push_fill(k, 12, 2); push_udp(k, a, 5353, 53); }

static int b_e4tcp(pkt_t *k)
{ tcp_data(k, &A4); push_ip4(k, &A4, 6); push_eth(k, 0x0800); return LK_ETH; }
static int b_e4udp(pkt_t *k)
{ udp_data(k, &A4); push_ip4(k, &A4, 17); push_eth(k, 0x0800); return LK_ETH; }
static int b_e6tcp(pkt_t *k)
{ tcp_data(k, &A6); push_ip6(k, &A6, 6); push_eth(k, 0x86dd); return LK_ETH; }
static int b_e6udp(pkt_t *k)
{ udp_data(k, &A6); push_ip6(k, &A6, 17); push_eth(k, 0x86dd); return LK_ETH; }
static int b_raw4(pkt_t *k) { tcp_data(k, &A4); push_ip4(k, &A4, 6); return LK_RAW; }
static int b_raw6(pkt_t *k) { udp_data(k, &A6); push_ip6(k, &A6, 17); return LK_RAW; }
static int b_rawalt4(pkt_t *k) { b_raw4(k); return DET_LINK_RAW_ALT; }
static int b_lt228(pkt_t *k) { b_raw4(k); return DET_LINK_IPV4; }
static int b_lt229(pkt_t *k) { b_raw6(k); return DET_LINK_IPV6; }
static int b_raw_empty(pkt_t *k) { (void)k; return LK_RAW; }
static int b_unknown_lt(pkt_t *k) { b_e4tcp(k); return 147; }

static int b_e4syn(pkt_t *k)
{
    push_tcp(k, &A4, 40000, 80, 0x01020304, 0, DET_TCP_SYN, SYN_OPTS, sizeof(SYN_OPTS));
    push_ip4(k, &A4, 6); push_eth(k, 0x0800); return LK_ETH;
}

static const char HTTP_REQ[] = "GET /x HTTP/1.1\r\n\r\n";   /* odd length */

static int b_e4http(pkt_t *k)
{
    push_data(k, HTTP_REQ, sizeof(HTTP_REQ) - 1);
    push_tcp(k, &A4, 1234, 80, 7, 9, DET_TCP_ACK | DET_TCP_PSH | DET_TCP_ECE | DET_TCP_CWR,
             NULL, 0);
    push_ip4(k, &A4, 6); push_eth(k, 0x0800); return LK_ETH;
}

static int b_tcp_allflags(pkt_t *k)
{
    push_fill(k, 3, 9); push_tcp(k, &A6, 1, 2, 3, 4, 0x1ff, NULL, 0); push_ip6(k, &A6, 6);
    return LK_RAW;
}

static int b_e4icmp(pkt_t *k)
{
    push_fill(k, 56, 3); push_icmp(k, 8, 0, 0x42420007); push_ip4(k, &A4, 1);
    push_eth(k, 0x0800); return LK_ETH;
}

static int b_icmp_unreach(pkt_t *k)
{
    push_fill(k, 8, 4);
    push_ip4(k, &A4I, 17);         /* the quoted packet */
    push_icmp(k, 3, 1, 0); push_ip4(k, &A4, 1); return LK_RAW;
}

static int b_icmp_ts(pkt_t *k)
{
    push_fill(k, 12, 5); push_icmp(k, 13, 0, 0x00010002); push_ip4(k, &A4, 1);
    return LK_RAW;
}

static int b_e6icmp6(pkt_t *k)
{
    push_fill(k, 33, 6); push_icmp6(k, &A6, 128, 0, 0x0abc0003); push_ip6(k, &A6, 58);
    push_eth(k, 0x86dd); return LK_ETH;
}

static int b_vlan_e4tcp(pkt_t *k)
{
    tcp_data(k, &A4); push_ip4(k, &A4, 6);
    push_vlan(k, 0x2064, 0x0800);       /* PCP 1, VID 100 */
    push_eth(k, 0x8100); return LK_ETH;
}

static int b_qinq_e6udp(pkt_t *k)
{
    udp_data(k, &A6); push_ip6(k, &A6, 17); push_vlan(k, 300, 0x86dd);
    push_vlan(k, 0xa0c8, 0x8100);       /* PCP 5, VID 200 */
    push_eth(k, 0x88a8); return LK_ETH;
}

static int b_qinq9100(pkt_t *k)
{
    udp_data(k, &A4); push_ip4(k, &A4, 17); push_vlan(k, 7, 0x0800);
    push_vlan(k, 4095, 0x8100); push_eth(k, 0x9100); return LK_ETH;
}

static int b_vlan3(pkt_t *k)
{
    udp_data(k, &A4); push_ip4(k, &A4, 17); push_vlan(k, 3, 0x0800);
    push_vlan(k, 2, 0x8100); push_vlan(k, 1, 0x8100); push_eth(k, 0x88a8);
    return LK_ETH;
}

static int b_ip6_ext_chain(pkt_t *k)
{
    udp_data(k, &A6); push_ext(k, 51, 17);
    push_frag6(k, 51, 0, 0, 0x01020304);   /* atomic fragment */
    push_ext(k, 43, 44); push_ext(k, 60, 43); push_ext(k, 0, 60); push_ip6(k, &A6, 0);
    push_eth(k, 0x86dd); return LK_ETH;
}

static int b_ip6_frag_first(pkt_t *k)
{
    uint8_t *u;

    push_fill(k, 24, 7); u = push_udp(k, &A6, 4000, 53);
    wr16(u + 4, 1000);                      /* the whole datagram */
    push_frag6(k, 17, 0, 1, 0xdeadbeef); push_ip6(k, &A6, 44); return LK_RAW;
}

static int b_ip6_frag_later(pkt_t *k)
{
    push_fill(k, 16, 8); push_frag6(k, 17, 100, 0, 0xdeadbeef); push_ip6(k, &A6, 44);
    return LK_RAW;
}

/* A later fragment whose next header is an extension header: data, not a header. */
static int b_ip6_frag_later_ext(pkt_t *k)
{
    push_fill(k, 16, 8); push_frag6(k, 60, 100, 1, 7); push_ip6(k, &A6, 44);
    return LK_RAW;
}

static int b_ip6_frag_big(pkt_t *k)
{
    push_fill(k, 16, 8); push_frag6(k, 17, 8191, 0, 1); push_ip6(k, &A6, 44);
    return LK_RAW;
}

static int b_ip4_frag(pkt_t *k, uint16_t frag, int with_tcp)
{
    ip4p_t o = { .ttl = 9, .id = 77, .frag = frag };

    push_fill(k, 24, 9);
    if (with_tcp)
        push_tcp(k, &A4, 1, 2, 3, 4, DET_TCP_ACK, NULL, 0);
    push_ip4x(k, &A4, 6, &o); push_eth(k, 0x0800); return LK_ETH;
}

static int b_ip4_frag_first(pkt_t *k) { return b_ip4_frag(k, 0x2000, 1); }
static int b_ip4_frag_later(pkt_t *k) { return b_ip4_frag(k, 185, 0); }
static int b_ip4_frag_big(pkt_t *k) { return b_ip4_frag(k, 8191, 0); }

static int b_ip6_dst(pkt_t *k)
{
    udp_data(k, &A6); push_ext(k, 60, 17); push_ip6(k, &A6, 60); push_eth(k, 0x86dd);
    return LK_ETH;
}

static int b_ip6_9dst(pkt_t *k)
{
    udp_data(k, &A6); push_ext(k, 60, 17);
    for (int i = 0; i < 8; i++)
        push_ext(k, 60, 60);
    push_ip6(k, &A6, 60); return LK_RAW;
}

static int b_ip6_hop_late(pkt_t *k)
{
    udp_data(k, &A6); push_ext(k, 0, 17); push_ext(k, 60, 0); push_ip6(k, &A6, 60);
    return LK_RAW;
}

static int b_ip6_jumbo(pkt_t *k)
{
    uint8_t *h;

    tcp_data(k, &A6);
    h = push(k, 8);                         /* hop-by-hop, jumbo payload */
    h[0] = 6; h[2] = 0xc2; h[3] = 4; wr32(h + 4, (uint32_t)plen(k)); push_ip6(k, &A6, 0);
    wr16(pdata(k) + 4, 0); return LK_RAW;
}

static int b_ip6_esp(pkt_t *k)
{ push_fill(k, 32, 10); push_ip6(k, &A6, 50); return LK_RAW; }
static int b_ip4_sctp(pkt_t *k)
{ push_fill(k, 28, 11); push_ip4(k, &A4, 132); return LK_RAW; }

static int b_eth_arp(pkt_t *k)
{
    uint8_t *a = push(k, 28);
    wr16(a, 1); wr16(a + 2, 0x0800); a[4] = 6; a[5] = 4; wr16(a + 6, 1);
    push_eth(k, 0x0806); return LK_ETH;
}

static int b_eth_llc(pkt_t *k) { push_fill(k, 38, 12); push_eth(k, 38); return LK_ETH; }

static int b_eth_padded(pkt_t *k)
{
    size_t n;
    uint8_t *f;

    push_tcp(k, &A4, 5, 6, 7, 8, DET_TCP_RST, NULL, 0); push_ip4(k, &A4, 6);
    push_eth(k, 0x0800);
    n = plen(k);                            /* append 6 bytes of padding */
    f = push(k, 6); memmove(f, f + 6, n); memset(f + n, 0xee, 6); return LK_ETH;
}

static int b_udp_trailing(pkt_t *k)
{
    uint8_t *u;

    push_fill(k, 10, 13); u = push_udp(k, &A4, 7, 8); wr16(u + 4, 12);
    wr16(u + 6, 0);                         /* no checksum */
    push_ip4(k, &A4, 17); return LK_RAW;
}

static int b_null_le4(pkt_t *k)
{ tcp_data(k, &A4); push_ip4(k, &A4, 6); push_null(k, 2, 0); return DET_LINK_NULL; }
static int b_null_be6(pkt_t *k)
{ udp_data(k, &A6); push_ip6(k, &A6, 17); push_null(k, 30, 1); return DET_LINK_NULL; }
static int b_null_le6(pkt_t *k)
{ udp_data(k, &A6); push_ip6(k, &A6, 17); push_null(k, 24, 0); return DET_LINK_NULL; }
static int b_loop4(pkt_t *k)
{ tcp_data(k, &A4); push_ip4(k, &A4, 6); push_null(k, 2, 1); return DET_LINK_LOOP; }
static int b_loop_other(pkt_t *k)
{ push_fill(k, 20, 14); push_null(k, 7, 1); return DET_LINK_LOOP; }
static int b_sll4(pkt_t *k)
{ tcp_data(k, &A4); push_ip4(k, &A4, 6); push_sll(k, 0x0800); return DET_LINK_SLL; }
static int b_sll2_6(pkt_t *k)
{ udp_data(k, &A6); push_ip6(k, &A6, 17); push_sll2(k, 0x86dd); return DET_LINK_SLL2; }

static int b_sll_vlan(pkt_t *k)
{
    udp_data(k, &A4); push_ip4(k, &A4, 17); push_vlan(k, 10, 0x0800); push_sll(k, 0x8100);
    return DET_LINK_SLL;
}

static int b_gre4(pkt_t *k)
{
    tcp_data(k, &A4I); push_ip4(k, &A4I, 6); push_gre(k, 0x3000, 0x0800, 0xabcd0001, 5, 0);
    push_ip4(k, &A4, 47); push_eth(k, 0x0800); return LK_ETH;
}

static int b_gre_csum6(pkt_t *k)
{
    udp_data(k, &A6I); push_ip6(k, &A6I, 17); push_gre(k, 0x8000, 0x86dd, 0, 0, 0);
    push_ip6(k, &A6, 47); return LK_RAW;
}

static int b_gre_teb(pkt_t *k)
{
    udp_data(k, &A4I); push_ip4(k, &A4I, 17); push_vlan(k, 42, 0x0800); push_eth(k, 0x8100);
    push_gre(k, 0x2000, 0x6558, 99, 0, 0); push_ip4(k, &A4, 47); return LK_RAW;
}

static int b_gre_pptp(pkt_t *k)
{
    static const uint8_t ppp[] = { 0xff, 0x03, 0x00, 0x21, 0x45 };
    push_data(k, ppp, sizeof(ppp));
    push_gre(k, 0x3081, 0x880b, sizeof(ppp) << 16 | 0x77, 11, 10); push_ip4(k, &A4, 47);
    push_eth(k, 0x0800); return LK_ETH;
}

static int b_gre_other(pkt_t *k)
{
    push_fill(k, 20, 15); push_gre(k, 0x1000, 0x88be, 0, 1, 0); push_ip4(k, &A4, 47);
    return LK_RAW;
}

static int b_gre3(pkt_t *k) { push_fill(k, 3, 0); push_ip4(k, &A4, 47); return LK_RAW; }

static int b_gre_nokey(pkt_t *k)
{
    uint8_t *h = push(k, 4);
    wr16(h, 0x2000); wr16(h + 2, 0x0800); push_ip4(k, &A4, 47); return LK_RAW;
}

static int b_ipip44(pkt_t *k)
{
    push_fill(k, 8, 16); push_icmp(k, 0, 0, 0x00050006); push_ip4(k, &A4I, 1);
    push_ip4(k, &A4, 4); return LK_RAW;
}

static int b_ipip64(pkt_t *k)
{ tcp_data(k, &A6I); push_ip6(k, &A6I, 6); push_ip4(k, &A4, 41); return LK_RAW; }
static int b_ipip46(pkt_t *k)
{ udp_data(k, &A4I); push_ip4(k, &A4I, 17); push_ip6(k, &A6, 4); return LK_RAW; }

static int b_ipip66(pkt_t *k)
{
    push_fill(k, 4, 17); push_icmp6(k, &A6I, 129, 0, 0x00010001); push_ip6(k, &A6I, 58);
    push_ip6(k, &A6, 41); return LK_RAW;
}

static int b_ipip_bad_inner(pkt_t *k)
{ udp_data(k, &A6I); push_ip6(k, &A6I, 17); push_ip4(k, &A4, 4); return LK_RAW; }

/* 3 IP layers (the most kept), then one more. */
static int b_tunnel3(pkt_t *k)
{
    udp_data(k, &A4I); push_ip4(k, &A4I, 17); push_ip4(k, &A4I, 4);
    push_gre(k, 0, 0x0800, 0, 0, 0); push_ip4(k, &A4, 47); return LK_RAW;
}

static int b_tunnel4(pkt_t *k) { b_tunnel3(k); push_ip4(k, &A4, 4); return LK_RAW; }

/* A raw IPv4 datagram with protocol proto and n filler bytes as payload. */
static int raw_short(pkt_t *k, uint8_t proto, size_t n)
{ push_fill(k, n, 18); push_ip4(k, &A4, proto); return LK_RAW; }
static int b_tcp19(pkt_t *k) { return raw_short(k, 6, 19); }
static int b_udp7(pkt_t *k) { return raw_short(k, 17, 7); }
static int b_icmp7(pkt_t *k) { return raw_short(k, 1, 7); }
static int b_icmp6_7(pkt_t *k) { push_fill(k, 7, 0); push_ip6(k, &A6, 58); return LK_RAW; }

static int tcp_opts(pkt_t *k, const uint8_t *opt, size_t n)
{
    push_tcp(k, &A4, 1, 2, 3, 4, DET_TCP_SYN, opt, n); push_ip4(k, &A4, 6);
    return LK_RAW;
}

static int b_tcp_badmss(pkt_t *k)
{ static const uint8_t o[] = { 2, 3, 5, 0 }; return tcp_opts(k, o, sizeof(o)); }
static int b_tcp_badsack(pkt_t *k)
{ static const uint8_t o[] = { 1, 1, 5, 6, 0, 0, 0, 0 }; return tcp_opts(k, o, sizeof(o)); }
static int b_tcp_optover(pkt_t *k)
{ static const uint8_t o[] = { 1, 1, 30, 9 }; return tcp_opts(k, o, sizeof(o)); }

/* NOP NOP, SACK with 2 blocks, MD5 signature, EOL EOL. */
static int b_tcp_sack(pkt_t *k)
{
    static const uint8_t o[40] = { 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
                                   0, 0, 0, 4, 19, 18 };
    return tcp_opts(k, o, sizeof(o));
}

/* An option type as the very last byte of the frame: no length byte to read. */
static int b_tcp_optlast(pkt_t *k)
{ static const uint8_t o[] = { 1, 1, 1, 2 }; return tcp_opts(k, o, 4); }

static int b_ip4_optlast(pkt_t *k)
{
    static const uint8_t opt[] = { 1, 1, 1, 0x07 };
    ip4p_t o = { .ttl = 1, .opt = opt, .optlen = 4 };
    push_ip4x(k, &A4, 253, &o);
    return LK_RAW;
}

static int ip4_opts(pkt_t *k, const uint8_t *opt, size_t n)
{
    ip4p_t o = { .ttl = 1, .opt = opt, .optlen = n };
    udp_data(k, &A4); push_ip4x(k, &A4, 17, &o); return LK_RAW;
}

static int b_ip4_badopt(pkt_t *k)
{
    static const uint8_t o[] = { 0x07, 0x01, 0, 0 };
    tcp_data(k, &A4);
    ip4p_t p = { .ttl = 1, .opt = o, .optlen = 4 };
    push_ip4x(k, &A4, 6, &p); push_eth(k, 0x0800); return LK_ETH;
}

/* Soft problems in two layers: both are recorded, the first is the result. */
static int b_two_soft(pkt_t *k)
{
    static const uint8_t bad_ip[] = { 0x44, 0x20, 0, 0 }, bad_tcp[] = { 3, 2, 0, 0 };
    ip4p_t p = { .ttl = 1, .opt = bad_ip, .optlen = 4 };
    push_tcp(k, &A4, 1, 2, 3, 4, DET_TCP_SYN, bad_tcp, 4); push_ip4x(k, &A4, 6, &p);
    return LK_RAW;
}

/* ---- per-case checks -------------------------------------------------- */

#define EQ(a, b) assert_int_equal(a, b)
#define MEMEQ(a, b, n) assert_memory_equal(a, b, n)

static void c_e4syn(const det_packet_t *p)
{
    const det_ip_t *ip = &p->ip[0];

    MEMEQ(p->link.dst, MAC_DST, 6); MEMEQ(p->link.src, MAC_SRC, 6);
    EQ(p->link.ethertype, 0x0800); EQ(p->link.hlen, 14); EQ(p->link.vlan_count, 0);
    EQ(p->ip_count, 1); EQ(ip->version, 4); EQ(ip->hlen, 20); EQ(ip->len, 60);
    EQ(ip->ttl, 64); EQ(ip->tos, 0x10); EQ(ip->id, 0x1234); EQ(ip->flags, DET_IP_DF);
    EQ(ip->is_frag, 0); EQ(ip->ipopts, 0); MEMEQ(ip->src, A4.src, 4);
    MEMEQ(ip->dst, A4.dst, 4); EQ(p->family, 4); EQ(p->l4_proto, 6);
    assert_ptr_equal(p->l4, p->pkt + 34); EQ(p->l4_len, 40); EQ(p->sport, 40000);
    EQ(p->dport, 80); EQ(p->tcp.seq, 0x01020304); EQ(p->tcp.ack, 0);
    EQ(p->tcp.flags, DET_TCP_SYN); EQ(p->tcp.hlen, 40); EQ(p->tcp.window, 8192);
    EQ(p->tcp.opts, DET_TCPOPT_MSS | DET_TCPOPT_SACKOK | DET_TCPOPT_TS | DET_TCPOPT_NOP |
                    DET_TCPOPT_WSCALE);
    EQ(p->tcp.mss, 1460); EQ(p->tcp.wscale, 7); EQ(p->tcp.ts_val, 12345);
    EQ(p->tcp.ts_ecr, 0); EQ(p->payload_len, 0);
}

static void c_e4http(const det_packet_t *p)
{
    EQ(p->tcp.flags, DET_TCP_ACK | DET_TCP_PSH | DET_TCP_ECE | DET_TCP_CWR);
    EQ(p->tcp.seq, 7); EQ(p->tcp.ack, 9); EQ(p->tcp.res, 0);
    EQ(p->payload_len, sizeof(HTTP_REQ) - 1);
    MEMEQ(p->payload, HTTP_REQ, sizeof(HTTP_REQ) - 1);
}

static void c_allflags(const det_packet_t *p)
{ EQ(p->tcp.flags, 0xff); EQ(p->tcp.res, 1); EQ(p->family, 6); EQ(p->payload_len, 3); }

static void c_udp(const det_packet_t *p)
{
    EQ(p->sport, 5353); EQ(p->dport, 53); EQ(p->udp.len, 20); EQ(p->payload_len, 12);
    EQ(p->payload[0], 2); EQ(p->l4_proto, 17);
}

static void c_tcp(const det_packet_t *p)
{
    EQ(p->sport, 1234); EQ(p->dport, 80); EQ(p->payload_len, 10); EQ(p->payload[0], 1);
    EQ(p->tcp.flags, DET_TCP_ACK | DET_TCP_PSH);
}

static void c_e4icmp(const det_packet_t *p)
{
    EQ(p->icmp.type, 8); EQ(p->icmp.code, 0); EQ(p->icmp.id, 0x4242); EQ(p->icmp.seq, 7);
    EQ(p->icmp.is_echo, 1); EQ(p->payload_len, 56); EQ(p->sport, 0);
}

static void c_unreach(const det_packet_t *p)
{
    EQ(p->icmp.type, 3); EQ(p->icmp.code, 1); EQ(p->icmp.is_echo, 0);
    EQ(p->payload_len, 28); EQ(p->ip_count, 1);
}

static void c_icmp_ts(const det_packet_t *p)
{ EQ(p->icmp.is_echo, 1); EQ(p->icmp.id, 1); EQ(p->icmp.seq, 2); }

static void c_icmp6(const det_packet_t *p)
{
    EQ(p->icmp.type, 128); EQ(p->icmp.id, 0x0abc); EQ(p->icmp.seq, 3);
    EQ(p->icmp.is_echo, 1); EQ(p->payload_len, 33); EQ(p->ip[0].version, 6);
    EQ(p->ip[0].flow, 0x12345); EQ(p->ip[0].tos, 0x0b); EQ(p->ip[0].ttl, 64);
    EQ(p->ip[0].hlen, 40); MEMEQ(p->ip[0].src, A6.src, 16); MEMEQ(p->ip[0].dst, A6.dst, 16);
}

static void c_vlan(const det_packet_t *p)
{
    EQ(p->link.vlan_count, 1); EQ(p->link.vlan[0], 100); EQ(p->link.vlan_pcp[0], 1);
    EQ(p->link.hlen, 18); EQ(p->link.ethertype, 0x0800); c_tcp(p);
}

static void c_qinq(const det_packet_t *p)
{
    EQ(p->link.vlan_count, 2); EQ(p->link.vlan[0], 200); EQ(p->link.vlan_pcp[0], 5);
    EQ(p->link.vlan[1], 300); EQ(p->link.hlen, 22); EQ(p->link.ethertype, 0x86dd); c_udp(p);
}

static void c_qinq9100(const det_packet_t *p)
{ EQ(p->link.vlan[0], 4095); EQ(p->link.vlan[1], 7); }

static void c_ext_chain(const det_packet_t *p)
{
    const det_ip_t *ip = &p->ip[0];
    EQ(ip->ext, DET_IP6X_HOP | DET_IP6X_DST | DET_IP6X_RT | DET_IP6X_FRAG | DET_IP6X_AH);
    EQ(ip->ext_count, 5); EQ(ip->hlen, 40 + 8 + 8 + 8 + 8 + 12); EQ(ip->proto, 17);
    EQ(ip->rh_type, 4); EQ(ip->is_frag, 0); EQ(ip->id, 0x01020304); c_udp(p);
}

static void c_frag6_first(const det_packet_t *p)
{
    const det_ip_t *ip = &p->ip[0];
    EQ(ip->is_frag, 1); EQ(ip->flags, DET_IP_MF); EQ(ip->frag_off, 0);
    EQ(ip->id, 0xdeadbeef); EQ(p->udp.len, 1000); EQ(p->payload_len, 24);
}

static void c_frag6_later(const det_packet_t *p)
{
    EQ(p->ip[0].frag_off, 100); EQ(p->ip[0].flags, 0); assert_null(p->l4);
    EQ(p->l4_proto, 17); EQ(p->payload_len, 16); EQ(p->sport, 0);
}

static void c_frag6_later_ext(const det_packet_t *p)
{
    EQ(p->ip[0].ext_count, 1); EQ(p->ip[0].proto, 60); EQ(p->ip[0].hlen, 48);
    EQ(p->payload_len, 16); assert_null(p->l4);
}

static void c_frag4_first(const det_packet_t *p)
{
    EQ(p->ip[0].flags, DET_IP_MF); EQ(p->ip[0].is_frag, 1); EQ(p->sport, 1);
    EQ(p->payload_len, 24);
}

static void c_frag4_later(const det_packet_t *p)
{
    EQ(p->ip[0].frag_off, 185); EQ(p->ip[0].id, 77); assert_null(p->l4);
    EQ(p->payload_len, 24);
}

static void c_jumbo(const det_packet_t *p)
{ EQ(p->ip[0].len, p->pkt_len); EQ(p->ip[0].hlen, 48); c_tcp(p); }

static void c_esp(const det_packet_t *p)
{ EQ(p->l4_proto, 50); assert_null(p->l4); EQ(p->payload_len, 32); }

static void c_arp(const det_packet_t *p)
{
    EQ(p->family, 0); EQ(p->ip_count, 0); EQ(p->l4_proto, 0); EQ(p->link.ethertype, 0x0806);
    assert_ptr_equal(p->payload, p->pkt + 14); EQ(p->payload_len, 28);
}

static void c_llc(const det_packet_t *p)
{ EQ(p->link.ethertype, 38); EQ(p->payload_len, 38); }

static void c_padded(const det_packet_t *p)
{
    EQ(p->pkt_len, 60); EQ(p->ip[0].len, 40); EQ(p->l4_len, 20); EQ(p->payload_len, 0);
    EQ(p->tcp.flags, DET_TCP_RST);
}

static void c_udp_trailing(const det_packet_t *p)
{ EQ(p->udp.len, 12); EQ(p->payload_len, 4); EQ(p->l4_len, 18); }

static void c_loop(const det_packet_t *p)
{
    EQ(p->link.hlen, 4); assert_null(p->link.src); assert_null(p->link.dst);
    EQ(p->link.ethertype, p->family == 4 ? 0x0800 : 0x86dd);
}

static void c_raw(const det_packet_t *p)
{
    assert_null(p->link.hdr); EQ(p->link.hlen, 0);
    EQ(p->link.ethertype, p->family == 4 ? 0x0800 : 0x86dd);
    assert_ptr_equal(p->ip[0].hdr, p->pkt);
}

static void c_sll(const det_packet_t *p)
{
    assert_ptr_equal(p->link.src, p->pkt + (p->linktype == DET_LINK_SLL ? 6 : 12));
    MEMEQ(p->link.src, MAC_SRC, 6); assert_null(p->link.dst);
    EQ(p->link.hlen, p->linktype == DET_LINK_SLL ? 16 : 20);
}

static void c_sll_vlan(const det_packet_t *p)
{ EQ(p->link.vlan_count, 1); EQ(p->link.vlan[0], 10); EQ(p->link.hlen, 20); c_udp(p); }

static void c_gre4(const det_packet_t *p)
{
    EQ(p->gre.version, 0); EQ(p->gre.flags, DET_GRE_K | DET_GRE_S);
    EQ(p->gre.key, 0xabcd0001); EQ(p->gre.seq, 5); EQ(p->gre.hlen, 12);
    EQ(p->gre.proto, 0x0800); EQ(p->ip_count, 2); EQ(p->ip[0].proto, 47);
    MEMEQ(p->ip[0].src, A4.src, 4); MEMEQ(p->ip[1].src, A4I.src, 4);
    MEMEQ(det_ip_inner(p)->dst, A4I.dst, 4); assert_ptr_equal(det_ip_outer(p), &p->ip[0]);
    c_tcp(p);
}

static void c_gre6(const det_packet_t *p)
{ EQ(p->gre.hlen, 8); EQ(p->ip_count, 2); MEMEQ(p->ip[1].src, A6I.src, 16); c_udp(p); }

static void c_teb(const det_packet_t *p)
{
    assert_null(p->link.hdr); EQ(p->inner_link.vlan_count, 1);
    EQ(p->inner_link.vlan[0], 42); EQ(p->inner_link.ethertype, 0x0800);
    MEMEQ(p->inner_link.src, MAC_SRC, 6); EQ(p->gre.key, 99); EQ(p->ip_count, 2); c_udp(p);
}

static void c_pptp(const det_packet_t *p)
{
    EQ(p->gre.version, 1); EQ(p->gre.key, 5u << 16 | 0x77); EQ(p->gre.seq, 11);
    EQ(p->gre.ack, 10); EQ(p->gre.hlen, 16); EQ(p->payload_len, 5); EQ(p->payload[3], 0x21);
    EQ(p->ip_count, 1); EQ(p->l4_proto, 47);
}

static void c_gre_other(const det_packet_t *p)
{ EQ(p->gre.proto, 0x88be); EQ(p->gre.seq, 1); EQ(p->payload_len, 20); }

static void c_ipip44(const det_packet_t *p)
{
    EQ(p->ip_count, 2); MEMEQ(p->ip[1].src, A4I.src, 4); EQ(p->icmp.type, 0);
    EQ(p->icmp.id, 5); EQ(p->icmp.seq, 6);
}

static void c_two_ip(const det_packet_t *p)
{ EQ(p->ip_count, 2); EQ(p->family, p->ip[1].version); EQ(p->l4_proto, p->ip[1].proto); }

static void c_three_ip(const det_packet_t *p)
{ EQ(p->ip_count, 3); EQ(p->sport, p->result == DET_DECODE_OK ? 5353 : 0); }

static void c_sack(const det_packet_t *p)
{
    EQ(p->tcp.opts, DET_TCPOPT_NOP | DET_TCPOPT_SACK | DET_TCPOPT_MD5 | DET_TCPOPT_EOL);
    EQ(p->tcp.sack_blocks, 2); EQ(p->tcp.hlen, 60);
}

static void c_badopt(const det_packet_t *p)
{ EQ(p->ip[0].ipopts, DET_IPOPT_RR); c_tcp(p); }

static void c_inner_csum(const det_packet_t *p)
{ EQ(p->ip[0].csum_bad, 0); EQ(p->ip[1].csum_bad, 1); }

/* ---- the case table --------------------------------------------------- */

#define FLIP (-1)   /* patch value: invert the byte */

typedef struct dcase {
    const char *name;
    int (*build)(pkt_t *k);         /* returns the link type ... */
    const uint8_t *bytes;           /* ... or a literal frame */
    size_t nbytes;
    int lt;                         /* link type of the literal frame */
    int cut;                        /* > 0: keep that many bytes; < 0: drop at the end */
    struct { int off, val; } patch[3];
    int npatch;
    int nocsum;                     /* decode without DET_DECODE_CSUM */
    int result;
    uint32_t layers;                /* exact DET_L_* set */
    uint64_t also;                  /* reasons expected besides result */
    uint8_t csum, csum_bad;         /* exact checked / bad sets */
    void (*check)(const det_packet_t *p);
} dcase_t;

#define ROW(n, b, r, lay, ...) \
    { .name = n, .build = b, .result = DET_DECODE_##r, .layers = (lay), __VA_ARGS__ }
#define LIT(n, arr, t, r, lay, ...) \
    { .name = n, .bytes = arr, .nbytes = sizeof(arr), .lt = t, .result = DET_DECODE_##r, \
      .layers = (lay), __VA_ARGS__ }
#define P1(o, v) .patch = { { o, v } }, .npatch = 1
#define P2(o1, v1, o2, v2) .patch = { { o1, v1 }, { o2, v2 } }, .npatch = 2

/* Short names for the table: layer sets and checksum sets. */
#define E4 (DET_L_ETH | DET_L_IPV4)
#define E6 (DET_L_ETH | DET_L_IPV6)
#define R4 DET_L_IPV4
#define R6 DET_L_IPV6
#define LT DET_L_TCP
#define LU DET_L_UDP
#define LI DET_L_ICMP
#define LI6 DET_L_ICMPV6
#define LV DET_L_VLAN
#define LQ DET_L_QINQ
#define LX DET_L_IPV6_EXT
#define LP DET_L_IPIP
#define LG DET_L_GRE
#define C4 DET_CSUM_F_IPV4
#define CT DET_CSUM_F_TCP
#define CU DET_CSUM_F_UDP
#define CI DET_CSUM_F_ICMP
#define C6 DET_CSUM_F_ICMPV6
#define R_ DET_DECODE_RESULT_COUNT
#define CK(c, b) .csum = (c), .csum_bad = (b)

/* ---- literal frames (checksums verified with tcpdump -vv) -------------- */

/* Ethernet / IPv4 / TCP SYN 192.0.2.1:40000 -> 198.51.100.2:80 with options. */
static const uint8_t LIT_SYN[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x08, 0x00, 0x45, 0x10, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06,
    0x3c, 0x41, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x40,
    0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
    0x20, 0x00, 0x6a, 0xf9, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
    0x08, 0x0a, 0x00, 0x00, 0x30, 0x39, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03,
    0x03, 0x07,
};

/* Ethernet / VLAN 5 / IPv6 / UDP 33333 -> 443, 5 bytes of data. */
static const uint8_t LIT_V6UDP[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x81, 0x00, 0x00, 0x05, 0x86, 0xdd, 0x60, 0xb1, 0x23, 0x45, 0x00, 0x0d,
    0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x82, 0x35,
    0x01, 0xbb, 0x00, 0x0d, 0xba, 0x2a, 0x14, 0x1b, 0x22, 0x29, 0x30,
};

/* Linux cooked v1 / IPv4 / ICMP echo request id 7213 seq 1, 9 bytes of data. */
static const uint8_t LIT_SLLICMP[] = {
    0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x00, 0x00, 0x08, 0x00, 0x45, 0x10, 0x00, 0x25, 0x12, 0x34, 0x40, 0x00,
    0x40, 0x01, 0x3c, 0x5d, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02,
    0x08, 0x00, 0xe6, 0x0c, 0x1c, 0x2d, 0x00, 0x01, 0x15, 0x1c, 0x23, 0x2a,
    0x31, 0x38, 0x3f, 0x46, 0x4d,
};

static const dcase_t cases[] = {
    /* each protocol and link type */
    ROW("eth ipv4 tcp syn options", b_e4syn, OK, E4 | LT, CK(C4 | CT, 0), .check = c_e4syn),
    ROW("eth ipv4 tcp http odd length", b_e4http, OK, E4 | LT, CK(C4 | CT, 0), .check = c_e4http),
    ROW("eth ipv4 tcp", b_e4tcp, OK, E4 | LT, CK(C4 | CT, 0), .check = c_tcp),
    ROW("raw ipv6 tcp all flags", b_tcp_allflags, OK, R6 | LT, CK(CT, 0), .check = c_allflags),
    ROW("tcp sack md5 eol", b_tcp_sack, OK, R4 | LT, CK(C4 | CT, 0), .check = c_sack),
    ROW("eth ipv4 udp", b_e4udp, OK, E4 | LU, CK(C4 | CU, 0), .check = c_udp),
    ROW("eth ipv6 tcp", b_e6tcp, OK, E6 | LT, CK(CT, 0), .check = c_tcp),
    ROW("eth ipv6 udp", b_e6udp, OK, E6 | LU, CK(CU, 0), .check = c_udp),
    ROW("eth ipv4 icmp echo", b_e4icmp, OK, E4 | LI, CK(C4 | CI, 0), .check = c_e4icmp),
    ROW("icmp unreachable", b_icmp_unreach, OK, R4 | LI, CK(C4 | CI, 0), .check = c_unreach),
    ROW("icmp timestamp", b_icmp_ts, OK, R4 | LI, CK(C4 | CI, 0), .check = c_icmp_ts),
    ROW("eth ipv6 icmpv6 echo", b_e6icmp6, OK, E6 | LI6, CK(C6, 0), .check = c_icmp6),
    ROW("vlan ipv4 tcp", b_vlan_e4tcp, OK, E4 | LV | LT, CK(C4 | CT, 0), .check = c_vlan),
    ROW("qinq 88a8 ipv6 udp", b_qinq_e6udp, OK, E6 | LV | LQ | LU, CK(CU, 0),
        .check = c_qinq),
    ROW("qinq 9100", b_qinq9100, OK, E4 | LV | LQ | LU, CK(C4 | CU, 0),
        .check = c_qinq9100),
    ROW("ipv6 ext chain", b_ip6_ext_chain, OK, E6 | LX | LU, CK(CU, 0),
        .check = c_ext_chain),
    ROW("ipv6 first fragment", b_ip6_frag_first, OK, R6 | LX | DET_L_IPV6_FRAG | LU,
        .check = c_frag6_first),
    ROW("ipv6 later fragment", b_ip6_frag_later, OK, R6 | LX | DET_L_IPV6_FRAG,
        .check = c_frag6_later),
    ROW("ipv6 later fragment of ext header", b_ip6_frag_later_ext, OK, R6 | LX | DET_L_IPV6_FRAG,
        .check = c_frag6_later_ext),
    ROW("ipv4 first fragment", b_ip4_frag_first, OK, E4 | DET_L_IPV4_FRAG | LT, CK(C4, 0),
        .check = c_frag4_first),
    ROW("ipv4 later fragment", b_ip4_frag_later, OK, E4 | DET_L_IPV4_FRAG, CK(C4, 0),
        .check = c_frag4_later),
    ROW("ipv6 jumbogram", b_ip6_jumbo, OK, R6 | LX | LT, CK(CT, 0), .check = c_jumbo),
    ROW("ipv6 esp", b_ip6_esp, OK, R6 | DET_L_L4_OTHER, .check = c_esp),
    ROW("ipv4 sctp", b_ip4_sctp, OK, R4 | DET_L_L4_OTHER, CK(C4, 0)),
    ROW("arp", b_eth_arp, OK, DET_L_ETH | DET_L_ARP, .check = c_arp),
    ROW("802.3 llc", b_eth_llc, OK, DET_L_ETH | DET_L_LINK_OTHER, .check = c_llc),
    ROW("ethernet padding", b_eth_padded, OK, E4 | LT, CK(C4 | CT, 0), .check = c_padded),
    ROW("udp shorter than ip", b_udp_trailing, OK, R4 | LU, CK(C4, 0), .check = c_udp_trailing),
    ROW("raw 101 ipv4", b_raw4, OK, R4 | LT, CK(C4 | CT, 0), .check = c_raw),
    ROW("raw 101 ipv6", b_raw6, OK, R6 | LU, CK(CU, 0), .check = c_raw),
    ROW("raw 12 ipv4", b_rawalt4, OK, R4 | LT, CK(C4 | CT, 0), .check = c_raw),
    ROW("linktype 228", b_lt228, OK, R4 | LT, CK(C4 | CT, 0), .check = c_raw),
    ROW("linktype 229", b_lt229, OK, R6 | LU, CK(CU, 0), .check = c_raw),
    ROW("null le ipv4", b_null_le4, OK, DET_L_LOOP | R4 | LT, CK(C4 | CT, 0), .check = c_loop),
    ROW("null be ipv6 30", b_null_be6, OK, DET_L_LOOP | R6 | LU, CK(CU, 0), .check = c_loop),
    ROW("null le ipv6 24", b_null_le6, OK, DET_L_LOOP | R6 | LU, CK(CU, 0), .check = c_loop),
    ROW("loop ipv4", b_loop4, OK, DET_L_LOOP | R4 | LT, CK(C4 | CT, 0), .check = c_loop),
    ROW("loop other family", b_loop_other, OK, DET_L_LOOP | DET_L_LINK_OTHER),
    ROW("sll ipv4 tcp", b_sll4, OK, DET_L_SLL | R4 | LT, CK(C4 | CT, 0), .check = c_sll),
    ROW("sll2 ipv6 udp", b_sll2_6, OK, DET_L_SLL | R6 | LU, CK(CU, 0), .check = c_sll),
    ROW("sll vlan", b_sll_vlan, OK, DET_L_SLL | LV | R4 | LU, CK(C4 | CU, 0),
        .check = c_sll_vlan),
    ROW("gre key seq ipv4", b_gre4, OK, E4 | LG | LT, CK(C4 | CT, 0), .check = c_gre4),
    ROW("gre csum ipv6", b_gre_csum6, OK, R6 | LG | LU, CK(CU, 0), .check = c_gre6),
    ROW("gre ethernet", b_gre_teb, OK, DET_L_ETH | R4 | LG | DET_L_TEB | LV | LU,
        CK(C4 | CU, 0), .check = c_teb),
    ROW("gre v1 pptp", b_gre_pptp, OK, E4 | LG, CK(C4, 0), .check = c_pptp),
    ROW("gre other payload", b_gre_other, OK, R4 | LG, CK(C4, 0), .check = c_gre_other),
    ROW("ipip 4in4", b_ipip44, OK, R4 | LP | LI, CK(C4 | CI, 0), .check = c_ipip44),
    ROW("ipip 6in4", b_ipip64, OK, R4 | R6 | LP | LT, CK(C4 | CT, 0), .check = c_two_ip),
    ROW("ipip 4in6", b_ipip46, OK, R4 | R6 | LP | LU, CK(C4 | CU, 0), .check = c_two_ip),
    ROW("ipip 6in6", b_ipip66, OK, R6 | LP | LI6, CK(C6, 0), .check = c_two_ip),
    ROW("three ip layers", b_tunnel3, OK, R4 | LG | LP | LU, CK(C4 | CU, 0),
        .check = c_three_ip),
    LIT("literal eth ipv4 tcp syn", LIT_SYN, DET_LINK_ETHERNET, OK, E4 | LT, CK(C4 | CT, 0),
        .check = c_e4syn),
    LIT("literal vlan ipv6 udp", LIT_V6UDP, DET_LINK_ETHERNET, OK, E6 | LV | LU,
        CK(CU, 0)),
    LIT("literal sll ipv4 icmp", LIT_SLLICMP, DET_LINK_SLL, OK, DET_L_SLL | R4 | LI,
        CK(C4 | CI, 0)),

    /* checksums: good ones above, broken ones here */
    ROW("ipv4 header csum bad", b_e4tcp, OK, E4 | LT, P1(24, FLIP), CK(C4 | CT, C4)),
    ROW("csum not asked", b_e4tcp, OK, E4 | LT, P1(24, FLIP), .nocsum = 1),
    ROW("tcp4 csum bad", b_e4tcp, OK, E4 | LT, P1(50, FLIP), CK(C4 | CT, CT)),
    ROW("tcp payload corrupted", b_e4http, OK, E4 | LT, P1(72, FLIP), CK(C4 | CT, CT)),
    ROW("tcp6 csum bad", b_e6tcp, OK, E6 | LT, P1(70, FLIP), CK(CT, CT)),
    ROW("udp4 csum bad", b_e4udp, OK, E4 | LU, P1(40, FLIP), CK(C4 | CU, CU)),
    ROW("udp4 csum zero", b_e4udp, OK, E4 | LU, P2(40, 0, 41, 0), CK(C4, 0)),
    ROW("udp6 csum bad", b_e6udp, OK, E6 | LU, P1(60, FLIP), CK(CU, CU)),
    ROW("udp6 csum zero", b_e6udp, OK, E6 | LU, P2(60, 0, 61, 0), CK(CU, CU)),
    ROW("icmp csum bad", b_e4icmp, OK, E4 | LI, P1(36, FLIP), CK(C4 | CI, CI)),
    ROW("icmpv6 csum bad", b_e6icmp6, OK, E6 | LI6, P1(56, FLIP), CK(C6, C6)),
    ROW("inner ipv4 csum bad", b_gre4, OK, E4 | LG | LT, P1(56, FLIP), CK(C4 | CT, C4),
        .check = c_inner_csum),

    /* one or more crafted packets per malformed reason */
    ROW("unknown link type", b_unknown_lt, UNKNOWN_LINKTYPE, 0),
    ROW("eth truncated", b_e4tcp, ETH_TRUNCATED, 0, .cut = 13),
    ROW("vlan truncated", b_vlan_e4tcp, VLAN_TRUNCATED, DET_L_ETH, .cut = 16),
    ROW("vlan too many", b_vlan3, VLAN_TOO_MANY, DET_L_ETH | LV | LQ),
    ROW("null truncated", b_null_le4, NULL_TRUNCATED, 0, .cut = 3),
    ROW("sll truncated", b_sll4, SLL_TRUNCATED, 0, .cut = 15),
    ROW("sll2 truncated", b_sll2_6, SLL2_TRUNCATED, 0, .cut = 19),
    ROW("raw empty", b_raw_empty, RAW_TRUNCATED, 0),
    ROW("raw bad version", b_raw4, RAW_BAD_VERSION, 0, P1(0, 0x55)),
    ROW("ipv4 truncated", b_e4tcp, IPV4_TRUNCATED, DET_L_ETH, .cut = 33),
    ROW("ipv4 bad version", b_e4tcp, IPV4_BAD_VERSION, DET_L_ETH, P1(14, 0x65)),
    ROW("ipv4 ihl < 5", b_e4tcp, IPV4_IHL_TOO_SMALL, DET_L_ETH, P1(14, 0x44)),
    ROW("ipv4 ihl past capture", b_raw4, IPV4_HLEN_TRUNCATED, 0, P1(0, 0x4f)),
    ROW("ipv4 total length < ihl", b_e4tcp, IPV4_TLEN_TOO_SMALL, DET_L_ETH, P2(16, 0, 17, 10)),
    ROW("ipv4 total length > captured", b_e4tcp, IPV4_TLEN_TRUNCATED, DET_L_ETH, .cut = -1),
    ROW("ipv4 option bad length", b_ip4_badopt, IPV4_OPT_BAD_LEN, E4 | LT, CK(C4 | CT, 0),
        .check = c_badopt),
    ROW("ipv4 option type last byte", b_ip4_optlast, IPV4_OPT_BAD_LEN, R4 | DET_L_L4_OTHER,
        CK(C4, 0)),
    ROW("ipv4 fragment too large", b_ip4_frag_big, IPV4_FRAG_TOO_LARGE, E4 | DET_L_IPV4_FRAG,
        CK(C4, 0)),
    ROW("ipv4-in-ipv4 carrying ipv6", b_ipip_bad_inner, IPV4_BAD_VERSION, R4 | LP,
        CK(C4, 0)),
    ROW("ipv6 truncated", b_e6tcp, IPV6_TRUNCATED, DET_L_ETH, .cut = 53),
    ROW("ipv6 bad version", b_e6tcp, IPV6_BAD_VERSION, DET_L_ETH, P1(14, 0x45)),
    ROW("ipv6 payload length > captured", b_e6tcp, IPV6_PLEN_TRUNCATED, DET_L_ETH, .cut = -1),
    ROW("ipv6 ext header past payload", b_ip6_dst, IPV6_EXT_TRUNCATED, E6, P1(55, 5)),
    ROW("ipv6 ext header cut", b_ip6_dst, IPV6_PLEN_TRUNCATED, DET_L_ETH, .cut = 60),
    ROW("ipv6 nine ext headers", b_ip6_9dst, IPV6_EXT_TOO_MANY, R6 | LX),
    ROW("ipv6 hop-by-hop not first", b_ip6_hop_late, IPV6_HOP_NOT_FIRST, R6 | LX | LU,
        CK(CU, 0)),
    ROW("ipv6 fragment too large", b_ip6_frag_big, IPV6_FRAG_TOO_LARGE,
        R6 | LX | DET_L_IPV6_FRAG),
    ROW("tcp 19 bytes", b_tcp19, TCP_TRUNCATED, R4, CK(C4, 0)),
    ROW("tcp data offset 4", b_e4tcp, TCP_DOFF_TOO_SMALL, E4, P1(46, 0x40), CK(C4, 0)),
    ROW("tcp data offset past segment", b_e4tcp, TCP_DOFF_TRUNCATED, E4, P1(46, 0xf0), CK(C4, 0)),
    ROW("tcp mss length 3", b_tcp_badmss, TCP_OPT_BAD_LEN, R4 | LT, CK(C4 | CT, 0)),
    ROW("tcp sack length 6", b_tcp_badsack, TCP_OPT_BAD_LEN, R4 | LT, CK(C4 | CT, 0)),
    ROW("tcp option past header", b_tcp_optover, TCP_OPT_BAD_LEN, R4 | LT, CK(C4 | CT, 0)),
    ROW("tcp option kind last byte", b_tcp_optlast, TCP_OPT_BAD_LEN, R4 | LT, CK(C4 | CT, 0)),
    ROW("two soft problems", b_two_soft, IPV4_OPT_BAD_LEN, R4 | LT,
        .also = 1ull << DET_DECODE_TCP_OPT_BAD_LEN, CK(C4 | CT, 0)),
    ROW("udp 7 bytes", b_udp7, UDP_TRUNCATED, R4, CK(C4, 0)),
    ROW("udp length 7", b_e4udp, UDP_LEN_BAD, E4, P2(38, 0, 39, 7), CK(C4, 0)),
    ROW("udp length > ip payload", b_e4udp, UDP_LEN_BAD, E4, P2(38, 0, 39, 200), CK(C4, 0)),
    ROW("icmp 7 bytes", b_icmp7, ICMP_TRUNCATED, R4, CK(C4, 0)),
    ROW("icmpv6 7 bytes", b_icmp6_7, ICMPV6_TRUNCATED, R6),
    ROW("gre 3 bytes", b_gre3, GRE_TRUNCATED, R4, CK(C4, 0)),
    ROW("gre key missing", b_gre_nokey, GRE_TRUNCATED, R4, CK(C4, 0)),
    ROW("gre version 2", b_gre4, GRE_BAD_VERSION, E4, P1(35, 2), CK(C4, 0)),
    ROW("gre routing bit", b_gre4, GRE_BAD_FLAGS, E4, P1(34, 0x70), CK(C4, 0)),
    ROW("gre v1 without key", b_gre_pptp, GRE_BAD_FLAGS, E4, P1(34, 0x10), CK(C4, 0)),
    ROW("four ip layers", b_tunnel4, TUNNEL_DEPTH, R4 | LG | LP, CK(C4, 0),
        .check = c_three_ip),
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Build the frame of case c into out (PKT_MAX bytes); returns its length. */
static size_t make_frame(const dcase_t *c, uint8_t *out, int *lt)
{
    pkt_t k;
    size_t n;

    if (c->bytes) {
        n = c->nbytes;
        memcpy(out, c->bytes, n);
        *lt = c->lt;
    } else {
        k.head = PKT_MAX;
        *lt = c->build(&k);
        n = plen(&k);
        memcpy(out, pdata(&k), n);
    }
    for (int i = 0; i < c->npatch; i++)
        out[c->patch[i].off] = c->patch[i].val == FLIP ? (uint8_t)~out[c->patch[i].off]
                                                       : (uint8_t)c->patch[i].val;
    if (c->cut > 0)
        n = (size_t)c->cut;
    else if (c->cut < 0)
        n -= (size_t)-c->cut;
    return n;
}

/* ---- invariants: everything the decoder points at is inside the frame -- */

static volatile unsigned sink;

static void in_frame(const uint8_t *buf, size_t len, const uint8_t *ptr, size_t n)
{
    unsigned s = 0;

    assert_true(ptr >= buf && (size_t)(ptr - buf) <= len);
    assert_true(n <= len - (size_t)(ptr - buf));
    for (size_t i = 0; i < n; i++)      /* read it: valgrind/ASan check the range */
        s += ptr[i];
    sink += s;
}

static void check_sane(const det_packet_t *p, const uint8_t *buf, size_t len)
{
    assert_true(p->result < DET_DECODE_RESULT_COUNT);
    assert_int_equal(p->result == DET_DECODE_OK, p->reasons == 0);
    if (p->result != DET_DECODE_OK)
        assert_true(p->reasons & 1ull << p->result);
    assert_true(p->ip_count <= DET_IP_MAX);
    assert_true(p->family == 0 || p->ip_count > 0);
    in_frame(buf, len, p->payload, p->payload_len);
    if (p->l4)
        in_frame(buf, len, p->l4, p->l4_len);
    if (p->link.hdr)
        in_frame(buf, len, p->link.hdr, p->link.hlen);
    if (p->link.src)
        in_frame(buf, len, p->link.src, 6);
    if (p->link.dst)
        in_frame(buf, len, p->link.dst, 6);
    for (int i = 0; i < p->ip_count; i++) {
        const det_ip_t *ip = &p->ip[i];
        in_frame(buf, len, ip->hdr, ip->len);
        assert_true(ip->hlen <= ip->len);
        in_frame(buf, len, ip->src, ip->version == 4 ? 4 : 16);
        in_frame(buf, len, ip->dst, ip->version == 4 ? 4 : 16);
    }
    if (p->layers & DET_L_TCP)
        in_frame(buf, len, p->tcp.hdr, p->tcp.hlen);
    if (p->layers & DET_L_UDP)
        in_frame(buf, len, p->udp.hdr, 8);
    if (p->layers & (DET_L_ICMP | DET_L_ICMPV6))
        in_frame(buf, len, p->icmp.hdr, 8);
    if (p->layers & DET_L_GRE)
        in_frame(buf, len, p->gre.hdr, p->gre.hlen);
    if (p->layers & DET_L_TEB && p->inner_link.src)
        in_frame(buf, len, p->inner_link.hdr, p->inner_link.hlen);
}

/* Decode len bytes of frame from an exactly-sized heap copy. */
static det_decode_result_t decode_exact(det_packet_t *p, const uint8_t *frame, size_t len,
                                        int lt, unsigned flags)
{
    uint8_t *buf = malloc(len);
    det_decode_result_t r;

    assert_non_null(buf);
    memcpy(buf, frame, len);
    r = det_decode(p, buf, (uint32_t)len, lt, flags, NULL);
    check_sane(p, buf, len);
    free(buf);
    return r;
}

/* ---- tests -------------------------------------------------------------- */

static void run_case(void **state)
{
    const dcase_t *c = *state;
    static uint8_t frame[PKT_MAX];
    det_packet_t p;
    int lt;
    size_t n = make_frame(c, frame, &lt);

    det_decode(&p, frame, (uint32_t)n, lt, c->nocsum ? 0 : CSUM, NULL);
    check_sane(&p, frame, n);
    if (p.result != c->result)
        fail_msg("result %s, expected %s", det_decode_result_name(p.result),
                 det_decode_result_name(c->result));
    assert_int_equal(p.reasons, c->result ? (1ull << c->result) | c->also : 0);
    assert_int_equal(p.layers, c->layers);
    assert_int_equal(p.csum_checked, c->csum);
    assert_int_equal(p.csum_bad, c->csum_bad);
    if (c->check)
        c->check(&p);
}

/* IPv4 options -> the ipopts bits (Snort's names). */
static void test_ipopts(void **state)
{
    static const struct {
        uint8_t opt[12];
        size_t len;
        unsigned bits;
    } t[] = {
        { { 0x07, 7, 4, 0, 0, 0, 0, 0 }, 8, DET_IPOPT_RR | DET_IPOPT_EOL },
        { { 1, 1, 1, 0 }, 4, DET_IPOPT_NOP | DET_IPOPT_EOL },
        { { 0x44, 8, 5, 0, 0, 0, 0, 0 }, 8, DET_IPOPT_TS },
        { { 0x82, 11, [11] = 0 }, 12, DET_IPOPT_SEC | DET_IPOPT_EOL },
        { { 0x83, 7, 4, [7] = 0 }, 8, DET_IPOPT_LSRR | DET_IPOPT_EOL },
        { { 0x84, 7, 4, [7] = 0 }, 8, DET_IPOPT_LSRRE | DET_IPOPT_EOL },
        { { 0x85, 3, 0, 0 }, 4, DET_IPOPT_ESEC | DET_IPOPT_EOL },
        { { 0x88, 4, 0, 1 }, 4, DET_IPOPT_SATID },
        { { 0x89, 7, 4, [7] = 1 }, 8, DET_IPOPT_SSRR | DET_IPOPT_NOP },
        { { 0x94, 4, 0, 0 }, 4, DET_IPOPT_RTRALT },
        { { 0x19, 4, 0, 0 }, 4, DET_IPOPT_OTHER },
        { { 0, 7, 0xff, 0xff }, 4, DET_IPOPT_EOL },            /* nothing after EOL */
        { { 1, 0x94, 4, 0, 0, 0x83, 3, 4 }, 8, DET_IPOPT_NOP | DET_IPOPT_RTRALT | DET_IPOPT_LSRR },
    };
    det_packet_t p;
    pkt_t k;

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int lt;
        k.head = PKT_MAX;
        lt = ip4_opts(&k, t[i].opt, t[i].len);
        assert_int_equal(det_decode(&p, pdata(&k), (uint32_t)plen(&k), lt, CSUM, NULL),
                         DET_DECODE_OK);
        assert_int_equal(p.ip[0].ipopts, t[i].bits);
        assert_int_equal(p.ip[0].hlen, 20 + t[i].len);
        assert_int_equal(p.csum_bad, 0);
        assert_int_equal(p.layers, R4 | LU);
    }
}

/* Every malformed reason has a crafted packet in the table. */
static void test_every_reason_covered(void **state)
{
    uint64_t seen = 1;

    (void)state;
    for (size_t i = 0; i < NCASES; i++)
        seen |= 1ull << cases[i].result | cases[i].also;
    for (int r = 0; r < DET_DECODE_RESULT_COUNT; r++)
        if (!(seen & 1ull << r))
            fail_msg("no test case for reason %s", det_decode_result_name(r));
}

static void test_names(void **state)
{
    (void)state;
    for (int i = 0; i < DET_DECODE_RESULT_COUNT; i++)
        for (int j = 0; j < i; j++)
            assert_string_not_equal(det_decode_result_name(i), det_decode_result_name(j));
    for (int i = 0; i < DET_LAYER_COUNT; i++)
        for (int j = 0; j < i; j++)
            assert_string_not_equal(det_layer_name(i), det_layer_name(j));
    for (int i = 0; i < DET_CSUM_COUNT; i++)
        assert_true(det_csum_name(i)[0] != '?');
    assert_string_equal(det_decode_result_name(DET_DECODE_OK), "ok");
    assert_string_equal(det_decode_result_name(DET_DECODE_TCP_TRUNCATED), "tcp_truncated");
    assert_string_equal(det_decode_result_name(DET_DECODE_TUNNEL_DEPTH), "tunnel_depth");
    assert_string_equal(det_decode_result_name(R_), "?");
    assert_string_equal(det_decode_result_name(-1), "?");
    assert_string_equal(det_layer_name(DET_LAYER_TEB), "gre_eth");
    assert_string_equal(det_layer_name(DET_LAYER_COUNT), "?");
    assert_string_equal(det_csum_name(DET_CSUM_ICMPV6), "icmpv6");
    assert_string_equal(det_csum_name(DET_CSUM_COUNT), "?");
}

/* Find a case by name (the stats test reuses table frames). */
static const dcase_t *find_case(const char *name)
{
    for (size_t i = 0; i < NCASES; i++)
        if (strcmp(cases[i].name, name) == 0)
            return &cases[i];
    fail_msg("no case %s", name);
    return NULL;
}

static void test_stats(void **state)
{
    static const char *const names[] = {
        "eth ipv4 tcp", "eth ipv6 udp", "tcp4 csum bad", "ipv4 truncated",
        "two soft problems", "arp", "gre key seq ipv4",
    };
    static uint8_t frame[PKT_MAX];
    det_decode_stats_t st, sum;
    det_packet_t p;
    uint64_t bytes = 0;

    (void)state;
    memset(&st, 0, sizeof(st));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const dcase_t *c = find_case(names[i]);
        int lt;
        size_t n = make_frame(c, frame, &lt);
        det_decode(&p, frame, (uint32_t)n, lt, CSUM, &st);
        bytes += n;
    }
    assert_int_equal(st.pkts, 7);
    assert_int_equal(st.bytes, bytes);
    assert_int_equal(st.reason[DET_DECODE_OK], 5);
    assert_int_equal(st.reason[DET_DECODE_IPV4_TRUNCATED], 1);
    assert_int_equal(st.reason[DET_DECODE_IPV4_OPT_BAD_LEN], 1);
    assert_int_equal(st.reason[DET_DECODE_TCP_OPT_BAD_LEN], 1);
    assert_int_equal(st.reason[DET_DECODE_UDP_LEN_BAD], 0);
    assert_int_equal(st.layer[DET_LAYER_ETH], 6);
    assert_int_equal(st.layer[DET_LAYER_IPV4], 4);
    assert_int_equal(st.layer[DET_LAYER_IPV6], 1);
    assert_int_equal(st.layer[DET_LAYER_TCP], 4);
    assert_int_equal(st.layer[DET_LAYER_UDP], 1);
    assert_int_equal(st.layer[DET_LAYER_ARP], 1);
    assert_int_equal(st.layer[DET_LAYER_GRE], 1);
    assert_int_equal(st.csum_checked[DET_CSUM_IPV4], 4);
    assert_int_equal(st.csum_checked[DET_CSUM_TCP], 4);
    assert_int_equal(st.csum_checked[DET_CSUM_UDP], 1);
    assert_int_equal(st.csum_bad[DET_CSUM_TCP], 1);
    assert_int_equal(st.csum_bad[DET_CSUM_IPV4], 0);

    memcpy(&sum, &st, sizeof(st));
    det_decode_stats_add(&sum, &st);
    assert_int_equal(sum.pkts, 14);
    assert_int_equal(sum.reason[DET_DECODE_OK], 10);
    assert_int_equal(sum.layer[DET_LAYER_TCP], 8);
    assert_int_equal(sum.csum_bad[DET_CSUM_TCP], 2);
}

/* Every always-valid field is reset: decode into a poisoned struct. */
static void test_reset(void **state)
{
    static uint8_t frame[PKT_MAX];
    det_packet_t p;
    int lt;
    size_t n = make_frame(find_case("arp"), frame, &lt);

    (void)state;
    memset(&p, 0xa5, sizeof(p));
    det_decode(&p, frame, (uint32_t)n, lt, CSUM, NULL);
    assert_ptr_equal(p.pkt, frame); assert_null(p.l4); assert_ptr_equal(p.payload, frame + 14);
    EQ(p.reasons, 0); EQ(p.pkt_len, n); EQ(p.l4_len, 0); EQ(p.payload_len, 28);
    EQ(p.layers, DET_L_ETH | DET_L_ARP); EQ(p.linktype, DET_LINK_ETHERNET);
    EQ(p.sport, 0); EQ(p.dport, 0); EQ(p.result, 0); EQ(p.decode_flags, CSUM);
    EQ(p.ip_count, 0); EQ(p.family, 0); EQ(p.l4_proto, 0);
    EQ(p.csum_checked, 0); EQ(p.csum_bad, 0);
    EQ(p.link.vlan_count, 0); EQ(p.link.vlan[0], 0); EQ(p.link.vlan_pcp[1], 0);
    EQ(p.link.hlen, 14); EQ(p.link.ethertype, 0x0806);

    memset(&p, 0xa5, sizeof(p));
    n = make_frame(find_case("raw 101 ipv6"), frame, &lt);
    det_decode(&p, frame, (uint32_t)n, lt, 0, NULL);
    assert_null(p.link.hdr); assert_null(p.link.src); assert_null(p.link.dst);
    EQ(p.link.hlen, 0); EQ(p.link.vlan_count, 0); EQ(p.link.ethertype, 0x86dd);
    EQ(p.ip[0].ext, 0); EQ(p.ip[0].ext_count, 0); EQ(p.ip[0].is_frag, 0); EQ(p.ip[0].id, 0);
    EQ(p.udp.csum != 0, 1); EQ(p.decode_flags, 0); EQ(p.csum_checked, 0);
}

/* Every prefix of every case, with and without checksums. */
static void test_truncations(void **state)
{
    static uint8_t frame[PKT_MAX];
    det_packet_t p;
    unsigned decodes = 0;

    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        int lt;
        size_t n = make_frame(&cases[i], frame, &lt);
        for (size_t len = 0; len <= n; len++) {
            decode_exact(&p, frame, len, lt, CSUM);
            decode_exact(&p, frame, len, lt, 0);
            decodes += 2;
        }
    }
    assert_true(decodes > 5000);
}

static uint64_t rng_state = 0x5eed5eed12345678ull;

static uint64_t rng(void)
{
    uint64_t x = rng_state;     /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* 100,000 random frames: pure noise, or a table frame with bytes changed. */
static void test_random(void **state)
{
    static const int lts[] = { 0, 1, 12, 101, 108, 113, 228, 229, 276, 147 };
    static uint8_t frame[PKT_MAX];
    det_packet_t p;
    unsigned ok = 0;

    (void)state;
    for (int it = 0; it < 100000; it++) {
        size_t n;
        int lt;

        if (it % 4 == 0) {
            n = rng() % 160;
            for (size_t i = 0; i < n; i++)
                frame[i] = (uint8_t)rng();
            lt = lts[rng() % (sizeof(lts) / sizeof(lts[0]))];
        } else {
            n = make_frame(&cases[rng() % NCASES], frame, &lt);
            for (int m = 1 + (int)(rng() % 4); m > 0 && n > 0; m--)
                frame[rng() % (n < 96 ? n : 96)] = (uint8_t)rng();
            if (rng() % 2 && n > 0)
                n -= rng() % n;
        }
        ok += decode_exact(&p, frame, n, lt, it % 2 ? CSUM : 0) == DET_DECODE_OK;
    }
    assert_true(ok > 0);
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_ipopts),
        cmocka_unit_test(test_every_reason_covered),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_random),
    };
    static struct CMUnitTest tests[NCASES + sizeof(fixed) / sizeof(fixed[0])];
    size_t n = 0;

    for (size_t i = 0; i < NCASES; i++)
        tests[n++] = (struct CMUnitTest){ .name = cases[i].name, .test_func = run_case,
                                          .initial_state = (void *)&cases[i] };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        tests[n++] = fixed[i];
    return _cmocka_run_group_tests("decode", tests, n, NULL, NULL);
}
