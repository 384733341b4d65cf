/*
 * flowkey.c - shallow parse of a packet into its canonical 5-tuple, and the
 * symmetric hash capture steers by.  See flowkey.h.
 *
 * Runs for every captured packet, so it does no allocation and no copies and
 * gives up early: anything it cannot parse is still delivered (family 0),
 * only not spread by flow.
 */
#include "capture/flowkey.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define ETH_HLEN        14
#define ETYPE_IPV4      0x0800
#define ETYPE_IPV6      0x86dd
#define ETYPE_VLAN      0x8100
#define ETYPE_QINQ      0x88a8
#define ETYPE_QINQ_OLD  0x9100
#define MAX_VLAN_TAGS   2
#define MAX_IP6_EXT     8

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Where the IP header starts for each link type, or -1 to read a field. */
static int link_ip_offset(const uint8_t *pkt, size_t len, int lt,
                          uint16_t *vlan)
{
    size_t off;
    uint16_t etype;
    int tags = 0;

    switch (lt) {
    case WS_LINK_RAW: case WS_LINK_RAW_ALT: case WS_LINK_IPV4: case WS_LINK_IPV6:
        return 0;
    case WS_LINK_NULL: case WS_LINK_LOOP:
        return len >= 4 ? 4 : -1;
    case WS_LINK_SLL:
        if (len < 16)
            return -1;
        etype = rd16(pkt + 14);
        return (etype == ETYPE_IPV4 || etype == ETYPE_IPV6) ? 16 : -1;
    case WS_LINK_SLL2:
        if (len < 20)
            return -1;
        etype = rd16(pkt);
        return (etype == ETYPE_IPV4 || etype == ETYPE_IPV6) ? 20 : -1;
    case WS_LINK_ETHERNET:
        break;
    default:
        return -1;
    }

    if (len < ETH_HLEN)
        return -1;
    off = 12;
    etype = rd16(pkt + off);
    while ((etype == ETYPE_VLAN || etype == ETYPE_QINQ || etype == ETYPE_QINQ_OLD)
           && tags < MAX_VLAN_TAGS) {
        if (len < off + 6)
            return -1;
        if (tags == 0)
            *vlan = rd16(pkt + off + 2) & 0x0fff;
        off += 4;
        etype = rd16(pkt + off);
        tags++;
    }
    if (etype != ETYPE_IPV4 && etype != ETYPE_IPV6)
        return -1;
    return (int)(off + 2);
}

/* Ports for protocols that have them at the start of their header. */
static int proto_has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

static int parse_ip4(const uint8_t *ip, size_t len, ws_flow_key_t *k,
                     uint8_t a[16], uint8_t b[16], uint16_t *pa, uint16_t *pb)
{
    size_t ihl;

    if (len < 20 || (ip[0] >> 4) != 4)
        return -1;
    ihl = (size_t)(ip[0] & 0x0f) * 4;
    if (ihl < 20 || len < ihl)
        return -1;
    k->family = 4;
    k->proto = ip[9];
    memcpy(a, ip + 12, 4);
    memcpy(b, ip + 16, 4);
    /* Only the first fragment carries ports; later ones hash on addresses. */
    if ((rd16(ip + 6) & 0x1fff) == 0 && proto_has_ports(k->proto)
        && len >= ihl + 4) {
        *pa = rd16(ip + ihl);
        *pb = rd16(ip + ihl + 2);
    }
    return 0;
}

static int parse_ip6(const uint8_t *ip, size_t len, ws_flow_key_t *k,
                     uint8_t a[16], uint8_t b[16], uint16_t *pa, uint16_t *pb)
{
    size_t off = 40;
    uint8_t nh;
    int i;

    if (len < 40 || (ip[0] >> 4) != 6)
        return -1;
    k->family = 6;
    memcpy(a, ip + 8, 16);
    memcpy(b, ip + 24, 16);
    nh = ip[6];
    for (i = 0; i < MAX_IP6_EXT; i++) {
        if (nh == 0 || nh == 43 || nh == 60) {          /* hop, routing, dstopts */
            if (len < off + 2)
                break;
            nh = ip[off];
            off += ((size_t)ip[off + 1] + 1) * 8;
        } else if (nh == 44) {                          /* fragment */
            if (len < off + 8)
                break;
            if ((rd16(ip + off + 2) & 0xfff8) != 0) {   /* not the first */
                k->proto = ip[off];
                return 0;
            }
            nh = ip[off];
            off += 8;
        } else if (nh == 51) {                          /* AH */
            if (len < off + 2)
                break;
            nh = ip[off];
            off += ((size_t)ip[off + 1] + 2) * 4;
        } else {
            break;
        }
    }
    k->proto = nh;
    if (proto_has_ports(nh) && len >= off + 4) {
        *pa = rd16(ip + off);
        *pb = rd16(ip + off + 2);
    }
    return 0;
}

int ws_flow_key(const uint8_t *pkt, size_t len, int lt, ws_flow_key_t *key)
{
    uint8_t a[16] = {0}, b[16] = {0};
    uint16_t pa = 0, pb = 0, vlan = 0;
    int off, rc, cmp;

    memset(key, 0, sizeof(*key));
    off = link_ip_offset(pkt, len, lt, &vlan);
    if (off < 0 || (size_t)off >= len)
        return -1;
    if ((pkt[off] >> 4) == 4)
        rc = parse_ip4(pkt + off, len - (size_t)off, key, a, b, &pa, &pb);
    else
        rc = parse_ip6(pkt + off, len - (size_t)off, key, a, b, &pa, &pb);
    if (rc < 0) {
        memset(key, 0, sizeof(*key));
        return -1;
    }
    key->vlan = vlan;
    cmp = memcmp(a, b, 16);
    if (cmp < 0 || (cmp == 0 && pa <= pb)) {
        memcpy(key->addr_lo, a, 16); key->port_lo = pa;
        memcpy(key->addr_hi, b, 16); key->port_hi = pb;
    } else {
        memcpy(key->addr_lo, b, 16); key->port_lo = pb;
        memcpy(key->addr_hi, a, 16); key->port_hi = pa;
    }
    return 0;
}

/* 64-bit mixer (splitmix64 finaliser): cheap, and every input bit matters. */
static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27; x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

uint64_t ws_flow_hash64(const ws_flow_key_t *k)
{
    uint64_t w[4], h;

    /* The key is already canonical, so hashing it in order is symmetric. */
    memcpy(&w[0], k->addr_lo, 8);
    memcpy(&w[1], k->addr_lo + 8, 8);
    memcpy(&w[2], k->addr_hi, 8);
    memcpy(&w[3], k->addr_hi + 8, 8);
    h = mix64(w[0] ^ 0x9e3779b97f4a7c15ULL);
    h = mix64(h ^ w[1]);
    h = mix64(h ^ w[2]);
    h = mix64(h ^ w[3]);
    h = mix64(h ^ ((uint64_t)k->port_lo << 32 | (uint64_t)k->port_hi << 16
                   | (uint64_t)k->proto << 8 | k->family));
    return h;
}

uint32_t ws_flow_hash(const ws_flow_key_t *k)
{
    uint64_t h = ws_flow_hash64(k);
    return (uint32_t)(h ^ (h >> 32));
}

int ws_flow_key_format(const ws_flow_key_t *k, char *buf, size_t size)
{
    char lo[INET6_ADDRSTRLEN] = "-", hi[INET6_ADDRSTRLEN] = "-";
    int af = k->family == 6 ? AF_INET6 : AF_INET;

    if (k->family != 0) {
        inet_ntop(af, k->addr_lo, lo, sizeof(lo));
        inet_ntop(af, k->addr_hi, hi, sizeof(hi));
    }
    return snprintf(buf, size, "%u %s %u %s %u", k->proto, lo, k->port_lo,
                    hi, k->port_hi);
}
