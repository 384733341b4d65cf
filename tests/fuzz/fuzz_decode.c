/*
 * fuzz_decode.c - libFuzzer harness for the packet decoder (detect/decode*.c).
 *
 * Input: byte 0 picks the pcap link type (index into fz_links, modulo its
 * size), the rest is the captured frame.  The frame is decoded with
 * checksum verification on and off, into stats, and the decoder's promises
 * in decode.h are checked: every pointer it hands back lies inside the
 * frame (so a caller may read payload[0..payload_len) and l4[0..l4_len)),
 * and the counts stay within their arrays.  A broken promise aborts, which
 * libFuzzer reports like a sanitizer finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/decode.h"

static const int fz_links[] = {
    DET_LINK_ETHERNET, DET_LINK_RAW, DET_LINK_NULL, DET_LINK_LOOP,
    DET_LINK_SLL, DET_LINK_SLL2, DET_LINK_IPV4, DET_LINK_IPV6,
    DET_LINK_RAW_ALT, 9999 /* unknown */,
};
#define FZ_NLINKS (sizeof(fz_links) / sizeof(fz_links[0]))

#define FZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "fuzz_decode: broken promise: %s (%s:%d)\n", \
                #cond, __FILE__, __LINE__); \
        abort(); \
    } } while (0)

/* [ptr, ptr + n) inside [pkt, pkt + len); NULL only with n == 0. */
static int fz_inside(const uint8_t *ptr, uint64_t n, const uint8_t *pkt,
                     uint32_t len)
{
    if (ptr == NULL)
        return n == 0;
    return ptr >= pkt && ptr <= pkt + len && n <= (uint64_t)(pkt + len - ptr);
}

static volatile uint8_t fz_sink;

static void fz_touch(const uint8_t *b, uint32_t n)
{
    uint8_t x = 0;
    for (uint32_t i = 0; i < n; i++)
        x ^= b[i];
    fz_sink = x;
}

static void fz_check(const det_packet_t *p, const uint8_t *pkt, uint32_t len,
                     det_decode_result_t rc)
{
    FZ_CHECK(rc < DET_DECODE_RESULT_COUNT);
    FZ_CHECK(p->result == rc);
    FZ_CHECK(p->pkt == pkt && p->pkt_len == len);
    FZ_CHECK(rc == DET_DECODE_OK || (p->reasons & (1ull << rc)));
    FZ_CHECK(fz_inside(p->payload, p->payload_len, pkt, len));
    FZ_CHECK(fz_inside(p->l4, p->l4_len, pkt, len));
    FZ_CHECK(p->ip_count <= DET_IP_MAX);
    FZ_CHECK(p->link.vlan_count <= DET_VLAN_MAX);
    /* link.hlen alone is not checked: an Ethernet frame under 14 bytes
     * keeps hlen 14 with hdr NULL (decode.c presets it). */
    if (p->link.hdr != NULL)
        FZ_CHECK(fz_inside(p->link.hdr, p->link.hlen, pkt, len));
    for (unsigned i = 0; i < p->ip_count; i++) {
        const det_ip_t *ip = &p->ip[i];
        FZ_CHECK(ip->version == 4 || ip->version == 6);
        FZ_CHECK(fz_inside(ip->hdr, ip->version == 4 ? 20 : 40, pkt, len));
        FZ_CHECK(fz_inside(ip->src, ip->version == 4 ? 4 : 16, pkt, len));
        FZ_CHECK(fz_inside(ip->dst, ip->version == 4 ? 4 : 16, pkt, len));
        FZ_CHECK(fz_inside(ip->hdr, ip->hlen, pkt, len));
    }
    if (p->layers & DET_L_TCP)
        FZ_CHECK(fz_inside(p->tcp.hdr, p->tcp.hlen, pkt, len));
    if (p->layers & DET_L_UDP)
        FZ_CHECK(fz_inside(p->udp.hdr, 8, pkt, len));
    if (p->layers & (DET_L_ICMP | DET_L_ICMPV6))
        FZ_CHECK(fz_inside(p->icmp.hdr, 4, pkt, len));
    if (p->layers & DET_L_GRE)
        FZ_CHECK(fz_inside(p->gre.hdr, p->gre.hlen, pkt, len));
    FZ_CHECK((p->csum_bad & ~p->csum_checked) == 0);
    fz_touch(p->payload, p->payload_len);
    fz_touch(p->l4, p->l4_len);
    (void)det_decode_result_name(rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536 + 1)
        return 0;
    int lt = fz_links[data[0] % FZ_NLINKS];
    /* A private copy of exactly the frame's size, so a read past its end
     * hits the redzone even when libFuzzer's buffer would allow it. */
    uint32_t len = (uint32_t)(size - 1);
    uint8_t *pkt = malloc(len ? len : 1);
    if (pkt == NULL)
        return 0;
    memcpy(pkt, data + 1, len);

    static det_decode_stats_t st, total;
    det_packet_t p;
    det_decode_result_t rc;

    memset(&p, 0xa5, sizeof(p));   /* fields the decoder must not rely on */
    rc = det_decode(&p, pkt, len, lt, DET_DECODE_CSUM, &st);
    fz_check(&p, pkt, len, rc);

    memset(&p, 0x5a, sizeof(p));
    det_decode_result_t rc2 = det_decode(&p, pkt, len, lt, 0, NULL);
    fz_check(&p, pkt, len, rc2);
    FZ_CHECK(p.csum_checked == 0);

    det_decode_stats_add(&total, &st);
    free(pkt);
    return 0;
}
