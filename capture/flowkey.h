/*
 * flowkey.h - the canonical 5-tuple of a packet and its symmetric hash.
 *
 * Capture computes the key for every packet to steer it (both directions of
 * a flow must land on the same detector), and detectors use the same key as
 * their flow-table key.  The key is canonical: the (address, port) pair that
 * sorts lower is stored first, so A->B and B->A give identical keys and
 * hashes.  This is only a shallow parse (link layer, VLAN/QinQ, IPv4, IPv6
 * with extension headers, TCP/UDP/SCTP ports); the full decoder lives in
 * detect/.  It never reads past len.
 */
#ifndef WS_FLOWKEY_H
#define WS_FLOWKEY_H

#include <stddef.h>
#include <stdint.h>

/* pcap link types we accept (values are the DLT_ numbers libpcap uses). */
enum ws_linktype {
    WS_LINK_NULL     = 0,    /* BSD loopback: 4-byte host-order family */
    WS_LINK_ETHERNET = 1,
    WS_LINK_RAW      = 101,  /* raw IPv4/IPv6 (LINKTYPE_RAW) */
    WS_LINK_RAW_ALT  = 12,   /* DLT_RAW on some platforms */
    WS_LINK_LOOP     = 108,  /* OpenBSD loopback: network-order family */
    WS_LINK_SLL      = 113,  /* Linux cooked capture v1 */
    WS_LINK_SLL2     = 276,  /* Linux cooked capture v2 */
    WS_LINK_IPV4     = 228,
    WS_LINK_IPV6     = 229,
};

typedef struct ws_flow_key {
    uint8_t  addr_lo[16];   /* IPv4 addresses use the first 4 bytes, rest 0 */
    uint8_t  addr_hi[16];
    uint16_t port_lo;       /* host order; 0 for protocols without ports */
    uint16_t port_hi;
    uint8_t  proto;         /* IP protocol number; 0 = not IP */
    uint8_t  family;        /* 4, 6 or 0 (not IP: hashed on the link header) */
    uint16_t vlan;          /* outermost VLAN id, 0 = none */
} ws_flow_key_t;

/*
 * Parse pkt (len bytes, link type lt) into a canonical key.  Returns 0 for
 * an IP packet, -1 when the packet is not IP or is too short to parse; in
 * that case the key is zeroed except family = 0, so the packet still hashes
 * (to one fixed slot) and is still delivered and counted.
 */
int ws_flow_key(const uint8_t *pkt, size_t len, int lt, ws_flow_key_t *key);

/* Symmetric 32-bit hash of a canonical key (steering, tables). */
uint32_t ws_flow_hash(const ws_flow_key_t *key);
/* The 64-bit hash it folds; also the flow_id alerts carry (stable for a
 * 5-tuple, whatever detector or run saw it). */
uint64_t ws_flow_hash64(const ws_flow_key_t *key);

/* Format a key as "proto addr:port-addr:port" for logs and flow dumps. */
int ws_flow_key_format(const ws_flow_key_t *key, char *buf, size_t size);

#endif
