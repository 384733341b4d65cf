/*
 * decode.h - the packet decoder of the detect processes.
 *
 * det_decode() turns one captured frame (a linear buffer and its pcap link
 * type) into a det_packet_t: pointers into the buffer plus the decoded header
 * values the flow table and the rule options need (link layer and VLANs, up
 * to DET_IP_MAX IP layers when tunnelled through GRE or IP-in-IP, IPv4
 * options and fragments, IPv6 extension headers, TCP/UDP/ICMP/ICMPv6, the
 * payload).  It runs for every packet, so it never allocates, copies or makes
 * a system call, and it never reads outside [pkt, pkt + len).
 *
 * A malformed packet is decoded as far as it is sound and reported: the
 * return value is the first problem found (DET_DECODE_OK when none), every
 * problem found sets a bit in det_packet_t.reasons, and det_decode_stats_t
 * counts packets per reason, per protocol layer and per bad checksum.  The
 * reasons, layers and checksums are X-macro tables, so each enum and its
 * name table are generated from one list and cannot drift.
 *
 * Field validity: the block up to and including `link` is reset for every
 * packet; every other member is valid only while its DET_L_* bit is set in
 * `layers` (ip[i] for i < ip_count), so the decoder does not pay to clear
 * what it does not decode.  Multi-byte values are in host byte order;
 * addresses and MACs are pointers into the packet (network order).
 */
#ifndef DET_DECODE_H
#define DET_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* pcap link types (the LINKTYPE_/DLT_ numbers; same as capture/flowkey.h). */
enum det_linktype {
    DET_LINK_NULL     = 0,    /* BSD loopback: 4-byte family, capturer's order */
    DET_LINK_ETHERNET = 1,
    DET_LINK_RAW_ALT  = 12,   /* DLT_RAW on some BSDs: raw IPv4/IPv6 */
    DET_LINK_RAW      = 101,  /* LINKTYPE_RAW: raw IPv4/IPv6 */
    DET_LINK_LOOP     = 108,  /* OpenBSD loopback: 4-byte family, network order */
    DET_LINK_SLL      = 113,  /* Linux cooked capture v1 (16-byte header) */
    DET_LINK_IPV4     = 228,
    DET_LINK_IPV6     = 229,
    DET_LINK_SLL2     = 276,  /* Linux cooked capture v2 (20-byte header) */
};

#define DET_VLAN_MAX     2   /* tags kept (802.1Q / QinQ); a third is malformed */
#define DET_IP_MAX       3   /* IP layers: outer + 2 tunnelled; a 4th is malformed */
#define DET_IP6_EXT_MAX  8   /* IPv6 extension headers walked per IP layer */

/* det_decode() flags. */
#define DET_DECODE_CSUM  0x1u   /* verify checksums (off for `-k none`) */

/*
 * Decode results: OK, then one malformed reason per row.  Rows marked
 * "(soft)" are recorded but decoding continues past them (the header they
 * concern was still delimited); every other reason stops the decode at the
 * layer it names, leaving the outer layers valid.
 */
#define DET_DECODE_RESULTS(X) \
    X(OK,                  "ok")                   /* nothing wrong */ \
    X(UNKNOWN_LINKTYPE,    "unknown_linktype")     /* link type not decoded */ \
    X(ETH_TRUNCATED,       "eth_truncated")        /* < 14 bytes */ \
    X(VLAN_TRUNCATED,      "vlan_truncated")       /* tag cut short */ \
    X(VLAN_TOO_MANY,       "vlan_too_many")        /* more than DET_VLAN_MAX */ \
    X(NULL_TRUNCATED,      "null_truncated")       /* < 4-byte family */ \
    X(SLL_TRUNCATED,       "sll_truncated")        /* < 16 bytes */ \
    X(SLL2_TRUNCATED,      "sll2_truncated")       /* < 20 bytes */ \
    X(RAW_TRUNCATED,       "raw_truncated")        /* raw IP, 0 bytes */ \
    X(RAW_BAD_VERSION,     "raw_bad_version")      /* raw IP, version not 4/6 */ \
    X(IPV4_TRUNCATED,      "ipv4_truncated")       /* < 20 bytes */ \
    X(IPV4_BAD_VERSION,    "ipv4_bad_version")     /* version != 4 */ \
    X(IPV4_IHL_TOO_SMALL,  "ipv4_ihl_too_small")   /* IHL < 5 */ \
    X(IPV4_HLEN_TRUNCATED, "ipv4_hlen_truncated")  /* IHL*4 > captured */ \
    X(IPV4_TLEN_TOO_SMALL, "ipv4_tlen_too_small")  /* total length < IHL*4 */ \
    X(IPV4_TLEN_TRUNCATED, "ipv4_tlen_truncated")  /* total length > captured */ \
    X(IPV4_OPT_BAD_LEN,    "ipv4_opt_bad_len")     /* (soft) option length */ \
    X(IPV4_FRAG_TOO_LARGE, "ipv4_frag_too_large")  /* (soft) offset+len > 65535 */ \
    X(IPV6_TRUNCATED,      "ipv6_truncated")       /* < 40 bytes */ \
    X(IPV6_BAD_VERSION,    "ipv6_bad_version")     /* version != 6 */ \
    X(IPV6_PLEN_TRUNCATED, "ipv6_plen_truncated")  /* payload length > captured */ \
    X(IPV6_EXT_TRUNCATED,  "ipv6_ext_truncated")   /* ext header past payload */ \
    X(IPV6_EXT_TOO_MANY,   "ipv6_ext_too_many")    /* > DET_IP6_EXT_MAX (loop) */ \
    X(IPV6_HOP_NOT_FIRST,  "ipv6_hop_not_first")   /* (soft) hop-by-hop later */ \
    X(IPV6_FRAG_TOO_LARGE, "ipv6_frag_too_large")  /* (soft) offset+len > 65535 */ \
    X(TCP_TRUNCATED,       "tcp_truncated")        /* < 20 bytes */ \
    X(TCP_DOFF_TOO_SMALL,  "tcp_doff_too_small")   /* data offset < 5 */ \
    X(TCP_DOFF_TRUNCATED,  "tcp_doff_truncated")   /* data offset*4 > segment */ \
    X(TCP_OPT_BAD_LEN,     "tcp_opt_bad_len")      /* (soft) option length */ \
    X(UDP_TRUNCATED,       "udp_truncated")        /* < 8 bytes */ \
    X(UDP_LEN_BAD,         "udp_len_bad")          /* length < 8 or > IP payload */ \
    X(ICMP_TRUNCATED,      "icmp_truncated")       /* < 8 bytes */ \
    X(ICMPV6_TRUNCATED,    "icmpv6_truncated")     /* < 8 bytes */ \
    X(GRE_TRUNCATED,       "gre_truncated")        /* header or its fields cut */ \
    X(GRE_BAD_VERSION,     "gre_bad_version")      /* version not 0 or 1 */ \
    X(GRE_BAD_FLAGS,       "gre_bad_flags")        /* RFC 2784/2637 forbidden bits */ \
    X(TUNNEL_DEPTH,        "tunnel_depth")         /* > DET_IP_MAX IP layers */

typedef enum det_decode_result {
#define DET_X_(name, str) DET_DECODE_##name,
    DET_DECODE_RESULTS(DET_X_)
#undef DET_X_
    DET_DECODE_RESULT_COUNT
} det_decode_result_t;

/*
 * Layers: one bit per protocol seen in det_packet_t.layers, one counter per
 * protocol in det_decode_stats_t (a packet counts once per layer kind, so an
 * IPv4-in-IPv4 packet adds 1 to "ipv4" and 1 to "ipip").
 */
#define DET_DECODE_LAYERS(X) \
    X(ETH,        "eth")         /* Ethernet II / 802.3 header */ \
    X(VLAN,       "vlan")        /* at least one VLAN tag */ \
    X(QINQ,       "qinq")        /* two VLAN tags */ \
    X(LOOP,       "loop")        /* null / loopback header (0, 108) */ \
    X(SLL,        "sll")         /* Linux cooked v1 or v2 */ \
    X(ARP,        "arp")         /* ARP frame (link-only) */ \
    X(LINK_OTHER, "link_other")  /* other non-IP frame (link-only) */ \
    X(IPV4,       "ipv4") \
    X(IPV6,       "ipv6") \
    X(IPV4_FRAG,  "ipv4_frag")   /* an IPv4 layer is a fragment */ \
    X(IPV6_FRAG,  "ipv6_frag")   /* an IPv6 layer is a fragment */ \
    X(IPV6_EXT,   "ipv6_ext")    /* an IPv6 layer has extension headers */ \
    X(GRE,        "gre") \
    X(IPIP,       "ipip")        /* IP-in-IP (protocol 4 or 41) */ \
    X(TEB,        "gre_eth")     /* Ethernet inside GRE (0x6558) */ \
    X(TCP,        "tcp") \
    X(UDP,        "udp") \
    X(ICMP,       "icmp") \
    X(ICMPV6,     "icmpv6") \
    X(L4_OTHER,   "ip_other")    /* innermost IP protocol not decoded */

enum det_layer {
#define DET_X_(name, str) DET_LAYER_##name,
    DET_DECODE_LAYERS(DET_X_)
#undef DET_X_
    DET_LAYER_COUNT
};

enum det_layer_bit {
#define DET_X_(name, str) DET_L_##name = 1u << DET_LAYER_##name,
    DET_DECODE_LAYERS(DET_X_)
#undef DET_X_
};

/* Checksums det_decode() can verify (DET_DECODE_CSUM). */
#define DET_DECODE_CSUMS(X) \
    X(IPV4,   "ipv4")   /* any IPv4 header of the packet */ \
    X(TCP,    "tcp") \
    X(UDP,    "udp")    /* not checked when an IPv4 UDP checksum is 0 */ \
    X(ICMP,   "icmp") \
    X(ICMPV6, "icmpv6")

enum det_csum {
#define DET_X_(name, str) DET_CSUM_##name,
    DET_DECODE_CSUMS(DET_X_)
#undef DET_X_
    DET_CSUM_COUNT
};

enum det_csum_bit {
#define DET_X_(name, str) DET_CSUM_F_##name = 1u << DET_CSUM_##name,
    DET_DECODE_CSUMS(DET_X_)
#undef DET_X_
};

/* IPv4 options seen (det_ip_t.ipopts), Snort's ipopts names. */
enum det_ipopt {
    DET_IPOPT_EOL    = 1u << 0,   /* 0x00 end of list */
    DET_IPOPT_NOP    = 1u << 1,   /* 0x01 */
    DET_IPOPT_RR     = 1u << 2,   /* 0x07 record route */
    DET_IPOPT_TS     = 1u << 3,   /* 0x44 timestamp */
    DET_IPOPT_SEC    = 1u << 4,   /* 0x82 security */
    DET_IPOPT_LSRR   = 1u << 5,   /* 0x83 loose source route */
    DET_IPOPT_LSRRE  = 1u << 6,   /* 0x84 loose source route (extended) */
    DET_IPOPT_ESEC   = 1u << 7,   /* 0x85 extended security */
    DET_IPOPT_SATID  = 1u << 8,   /* 0x88 stream id */
    DET_IPOPT_SSRR   = 1u << 9,   /* 0x89 strict source route */
    DET_IPOPT_RTRALT = 1u << 10,  /* 0x94 router alert */
    DET_IPOPT_OTHER  = 1u << 11,  /* any other option type */
};                                /* "any": det_ip_t.hlen > 20 */

/* IPv6 extension headers seen (det_ip_t.ext). */
enum det_ip6_ext {
    DET_IP6X_HOP  = 1u << 0,   /* 0 hop-by-hop options */
    DET_IP6X_RT   = 1u << 1,   /* 43 routing */
    DET_IP6X_FRAG = 1u << 2,   /* 44 fragment */
    DET_IP6X_DST  = 1u << 3,   /* 60 destination options */
    DET_IP6X_AH   = 1u << 4,   /* 51 authentication header */
};

/* det_ip_t.flags: the IPv4 flag bits; IPv6 fragment header M maps to MF. */
#define DET_IP_RF  0x4   /* reserved ("evil") bit */
#define DET_IP_DF  0x2
#define DET_IP_MF  0x1

/* TCP flags (det_tcp_t.flags is header byte 13). */
#define DET_TCP_FIN 0x01
#define DET_TCP_SYN 0x02
#define DET_TCP_RST 0x04
#define DET_TCP_PSH 0x08
#define DET_TCP_ACK 0x10
#define DET_TCP_URG 0x20
#define DET_TCP_ECE 0x40
#define DET_TCP_CWR 0x80

/* TCP options seen (det_tcp_t.opts). */
enum det_tcpopt {
    DET_TCPOPT_EOL    = 1u << 0,   /* 0 */
    DET_TCPOPT_NOP    = 1u << 1,   /* 1 */
    DET_TCPOPT_MSS    = 1u << 2,   /* 2, len 4 */
    DET_TCPOPT_WSCALE = 1u << 3,   /* 3, len 3 */
    DET_TCPOPT_SACKOK = 1u << 4,   /* 4, len 2 */
    DET_TCPOPT_SACK   = 1u << 5,   /* 5, len 2 + 8n */
    DET_TCPOPT_TS     = 1u << 6,   /* 8, len 10 */
    DET_TCPOPT_MD5    = 1u << 7,   /* 19, len 18 */
    DET_TCPOPT_AO     = 1u << 8,   /* 29 */
    DET_TCPOPT_MPTCP  = 1u << 9,   /* 30 */
    DET_TCPOPT_TFO    = 1u << 10,  /* 34 fast open cookie */
    DET_TCPOPT_OTHER  = 1u << 11,
};

/* GRE header flag bits (det_gre_t.flags is the first 16 bits). */
#define DET_GRE_C    0x8000   /* checksum present */
#define DET_GRE_R    0x4000   /* routing present (RFC 1701; rejected) */
#define DET_GRE_K    0x2000   /* key present (v1: payload length + call id) */
#define DET_GRE_S    0x1000   /* sequence number present */
#define DET_GRE_A    0x0080   /* v1 (PPTP): acknowledgment present */

/* Link layer: Ethernet, cooked or loopback header, and VLAN tags. */
typedef struct det_link {
    const uint8_t *hdr;      /* first byte of the link header; NULL for raw IP */
    const uint8_t *src;      /* source MAC (6 bytes) or NULL when not known */
    const uint8_t *dst;      /* destination MAC or NULL (SLL, loopback, raw) */
    uint16_t hlen;           /* link header length including VLAN tags */
    uint16_t ethertype;      /* after the tags; loopback family mapped to
                                0x0800/0x86dd (0 if neither); < 0x600 = 802.3 */
    uint16_t vlan[DET_VLAN_MAX]; /* VLAN ids (low 12 bits), outermost first */
    uint8_t  vlan_pcp[DET_VLAN_MAX]; /* priority code points */
    uint8_t  vlan_count;     /* tags in vlan[] */
} det_link_t;

/* One IPv4 or IPv6 layer; ip[0] is the outermost. */
typedef struct det_ip {
    const uint8_t *hdr;      /* version byte */
    const uint8_t *src;      /* 4 or 16 bytes, network order, in the header */
    const uint8_t *dst;
    uint32_t len;            /* v4 total length / v6 40 + payload length
                                (captured length for a jumbogram) */
    uint32_t id;             /* v4 identification; v6 fragment header id */
    uint32_t flow;           /* v6 flow label (20 bits); 0 for v4 */
    uint16_t hlen;           /* v4 IHL*4; v6 40 + extension headers walked */
    uint16_t frag_off;       /* fragment offset in 8-byte units (13 bits) */
    uint16_t ipopts;         /* v4: DET_IPOPT_* seen */
    uint16_t csum;           /* v4 header checksum as sent */
    uint8_t  version;        /* 4 or 6 */
    uint8_t  proto;          /* protocol after v6 extension headers */
    uint8_t  ttl;            /* TTL / hop limit */
    uint8_t  tos;            /* TOS / traffic class */
    uint8_t  flags;          /* DET_IP_RF/DF/MF */
    uint8_t  is_frag;        /* 1 if MF or offset != 0 (v6: frag header so) */
    uint8_t  ext;            /* v6: DET_IP6X_* seen */
    uint8_t  ext_count;      /* v6: extension headers walked */
    uint8_t  rh_type;        /* v6 routing header type (valid with IP6X_RT) */
    uint8_t  rh_segleft;     /* v6 routing header segments left */
    uint8_t  csum_bad;       /* v4 header checksum wrong (when checked) */
} det_ip_t;

/* GRE (the innermost one when GRE is nested). */
typedef struct det_gre {
    const uint8_t *hdr;
    uint16_t flags;          /* DET_GRE_* bits and version (low 3 bits) */
    uint16_t proto;          /* ethertype of the payload */
    uint32_t key;            /* valid with DET_GRE_K */
    uint32_t seq;            /* valid with DET_GRE_S */
    uint32_t ack;            /* v1 with DET_GRE_A */
    uint8_t  version;        /* 0 or 1 (PPTP) */
    uint8_t  hlen;           /* 4..20 */
} det_gre_t;

typedef struct det_tcp {
    const uint8_t *hdr;
    uint32_t seq;
    uint32_t ack;
    uint32_t ts_val;         /* valid with DET_TCPOPT_TS */
    uint32_t ts_ecr;
    uint16_t window;         /* unscaled */
    uint16_t urg;            /* urgent pointer */
    uint16_t csum;           /* as sent */
    uint16_t opts;           /* DET_TCPOPT_* seen */
    uint16_t mss;            /* valid with DET_TCPOPT_MSS */
    uint8_t  wscale;         /* valid with DET_TCPOPT_WSCALE */
    uint8_t  sack_blocks;    /* blocks in the SACK option */
    uint8_t  flags;          /* byte 13: CWR ECE URG ACK PSH RST SYN FIN */
    uint8_t  res;            /* byte 12 low nibble: 3 reserved bits + NS (0x1) */
    uint8_t  hlen;           /* data offset * 4 */
} det_tcp_t;

typedef struct det_udp {
    const uint8_t *hdr;
    uint16_t len;            /* UDP length field */
    uint16_t csum;           /* as sent; 0 = none (IPv4) */
} det_udp_t;

/* ICMP or ICMPv6 (which one: layers / l4_proto). */
typedef struct det_icmp {
    const uint8_t *hdr;
    uint8_t  type;
    uint8_t  code;
    uint16_t csum;           /* as sent */
    uint16_t id;             /* echo/timestamp/info/mask types (is_echo) */
    uint16_t seq;
    uint8_t  is_echo;        /* id and seq are meaningful */
} det_icmp_t;

typedef struct det_packet {
    /* --- reset for every packet --- */
    const uint8_t *pkt;      /* the frame as captured */
    const uint8_t *l4;       /* innermost L4 header (TCP/UDP/ICMP/GRE), or NULL */
    const uint8_t *payload;  /* data after the innermost header decoded: TCP/UDP
                                data, ICMP body after 8 bytes, the IP payload of
                                an undecoded protocol or non-first fragment, the
                                frame after the link header when not IP */
    uint64_t reasons;        /* 1 << det_decode_result_t for every problem */
    uint32_t pkt_len;        /* captured length */
    uint32_t l4_len;         /* bytes from l4 to the end of the IP payload */
    uint32_t payload_len;
    uint32_t layers;         /* DET_L_* */
    uint16_t linktype;
    uint16_t sport;          /* TCP/UDP ports, 0 otherwise */
    uint16_t dport;
    uint8_t  result;         /* det_decode_result_t: first problem, or OK */
    uint8_t  decode_flags;   /* DET_DECODE_* as passed */
    uint8_t  ip_count;       /* valid entries of ip[] */
    uint8_t  family;         /* innermost IP version: 4, 6, or 0 (not IP) */
    uint8_t  l4_proto;       /* innermost IP protocol (0 when not IP) */
    uint8_t  csum_checked;   /* DET_CSUM_F_* verified */
    uint8_t  csum_bad;       /* DET_CSUM_F_* found wrong */
    det_link_t link;         /* outer link layer (hdr NULL for raw IP) */
    /* --- valid by layers bit --- */
    det_link_t inner_link;   /* DET_L_TEB: Ethernet inside GRE */
    det_ip_t ip[DET_IP_MAX]; /* ip[0] outer .. ip[ip_count - 1] innermost */
    det_gre_t gre;           /* DET_L_GRE */
    union {                  /* the innermost L4 header */
        det_tcp_t  tcp;      /* DET_L_TCP */
        det_udp_t  udp;      /* DET_L_UDP */
        det_icmp_t icmp;     /* DET_L_ICMP or DET_L_ICMPV6 */
    };
} det_packet_t;

/* Counters one decoding thread owns; add them up with det_decode_stats_add. */
typedef struct det_decode_stats {
    uint64_t pkts;
    uint64_t bytes;                           /* captured bytes */
    uint64_t reason[DET_DECODE_RESULT_COUNT]; /* [OK] = clean packets, others
                                                 = packets with that problem */
    uint64_t layer[DET_LAYER_COUNT];          /* packets per protocol layer */
    uint64_t csum_checked[DET_CSUM_COUNT];
    uint64_t csum_bad[DET_CSUM_COUNT];
} det_decode_stats_t;

/*
 * Decode pkt (len captured bytes, pcap link type linktype) into *p, pointing
 * into pkt, which must outlive the use of *p.  flags: DET_DECODE_CSUM to
 * verify checksums.  st may be NULL; otherwise its counters are updated.
 * Returns DET_DECODE_OK or the first malformed reason (also in p->result).
 */
det_decode_result_t det_decode(det_packet_t *p, const uint8_t *pkt,
                               uint32_t len, int linktype, unsigned flags,
                               det_decode_stats_t *st);

/* Stats-name of a result / layer / checksum, "?" when out of range. */
const char *det_decode_result_name(int r);
const char *det_layer_name(int layer);
const char *det_csum_name(int csum);

/* dst += src, counter by counter. */
void det_decode_stats_add(det_decode_stats_t *dst, const det_decode_stats_t *src);

/* The innermost and outermost IP layers, or NULL when the packet is not IP. */
static inline const det_ip_t *det_ip_inner(const det_packet_t *p)
{
    return p->ip_count ? &p->ip[p->ip_count - 1] : NULL;
}

static inline const det_ip_t *det_ip_outer(const det_packet_t *p)
{
    return p->ip_count ? &p->ip[0] : NULL;
}

#endif
