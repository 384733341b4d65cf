/*
 * genpcap: writes a deterministic synthetic capture for WireSift's end-to-end
 * tests of the capture/detect pipeline.
 *
 * The same options and seed always give a byte-identical file, so a test can
 * generate its input on the fly instead of committing pcaps. The traffic is a
 * mix of flows, each seen in both directions: IPv4/IPv6 TCP (SYN, SYN-ACK,
 * ACK, data with consistent seq/ack numbers, FIN exchange), IPv4/IPv6 UDP and
 * a few ICMP/ICMPv6 echo flows; some flows carry an 802.1Q tag or a QinQ
 * (0x88a8 outer, 0x8100 inner) pair. IPv4, TCP, UDP and ICMP checksums are
 * correct. Packet counts per flow are heavy-tailed (elephants and mice) and
 * add up exactly to -n; --flows-out writes the ground truth a test compares
 * the sensor's flow accounting against. Packet i (0-based) is stamped
 * 2024-01-01T00:00:00Z + i * 10 us.
 *
 * Both file formats are written by hand (little-endian, microsecond
 * timestamps) because Debian 12's libpcap cannot write pcapng. See
 * tests/tools/README.md for the exact traffic model.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define GP_EPOCH_SEC    1704067200u     /* 2024-01-01T00:00:00Z */
#define GP_GAP_US       10u             /* time between consecutive packets */
#define GP_SNAPLEN      65535u
#define GP_MAX_PAYLOAD  1400u
#define GP_FRAME_MAX    2048u           /* >= 22 link + 40 IP + 24 TCP + 1400 */
#define GP_ETH_MIN      60u             /* Ethernet minimum without FCS */
#define GP_MAX_PACKETS  200000000ull    /* the schedule costs 16 bytes a packet */
#define GP_MAX_FLOWS    4000000u
#define GP_KEYSPACE     (1ull << 40)    /* schedule positions of all packets */

#define LINKTYPE_NULL       0
#define LINKTYPE_ETHERNET   1
#define LINKTYPE_RAW        101
#define LINKTYPE_LINUX_SLL  113

#define NULL_AF_INET    2
#define NULL_AF_INET6   24              /* the BSD value readers accept */

enum gp_kind { GP_TCP4, GP_UDP4, GP_TCP6, GP_UDP6, GP_ICMP4, GP_ICMP6 };
enum gp_encap { GP_ENC_NONE, GP_ENC_VLAN, GP_ENC_QINQ };
enum gp_link { GP_L_ETHER, GP_L_RAW, GP_L_NULL, GP_L_SLL };

/* One bidirectional flow. Side 0 is the client, side 1 the server. */
typedef struct {
    uint8_t  addr[2][16];   /* network order; IPv4 in the first 4 bytes */
    uint16_t port[2];       /* host order; 0 for ICMP */
    uint8_t  kind;          /* enum gp_kind */
    uint8_t  encap;         /* enum gp_encap (Ethernet output only) */
    uint16_t vid[2];        /* outer (QinQ) / only (802.1Q) VID, inner VID */
    uint32_t count;         /* packets planned */
    uint32_t sent;          /* packets emitted so far */
    uint64_t bytes;         /* frame bytes emitted */
    uint64_t rng;           /* private stream: the flow's packets do not
                               depend on how flows interleave */
    uint32_t nxt[2];        /* TCP: next sequence number of each side */
    uint32_t acked[2];      /* TCP: last acknowledgment number each side sent */
    uint16_t ipid[2];
    uint16_t icmp_id, icmp_seq, icmp_len;
    uint8_t  last_dir;
    uint8_t  closer;        /* TCP: side that sends the first FIN */
    uint32_t flowlabel;
} gp_flow_t;

typedef struct {
    uint64_t key;
    uint32_t flow;
    uint32_t pad;
} gp_slot_t;

typedef struct {
    const char *out;
    const char *flows_out;
    uint64_t    packets;
    uint32_t    flows;
    uint64_t    seed;
    int         link;
    bool        pcapng;
    bool        truncate;
    uint64_t    truncate_at;
} gp_opts_t;

/* ---- deterministic random numbers (splitmix64) ---- */

static uint64_t gp_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static uint64_t gp_below(uint64_t *s, uint64_t n)
{
    return gp_rand(s) % n;
}

static uint32_t gp_range(uint64_t *s, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)gp_below(s, (uint64_t)hi - lo + 1);
}

/* ---- byte helpers ---- */

static void put16be(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void put32be(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static void put16le(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static bool kind_is_v6(int kind)
{
    return kind == GP_TCP6 || kind == GP_UDP6 || kind == GP_ICMP6;
}

static uint8_t kind_proto(int kind)
{
    switch (kind) {
    case GP_TCP4: case GP_TCP6: return 6;
    case GP_UDP4: case GP_UDP6: return 17;
    case GP_ICMP4: return 1;
    default: return 58;
    }
}

/* ---- flow table construction ---- */

/* Ports that some decoders treat as tunnels (GTP, Teredo, VXLAN, GENEVE, ...);
 * random client ports avoid them so every flow decodes as plain UDP/TCP. */
static bool port_is_tunnel(uint16_t p)
{
    return p == 2152 || p == 3544 || p == 4789 || p == 4790 || p == 6081 ||
           p == 8472;
}

static const uint16_t tcp_services[] = { 443, 443, 443, 80, 22, 25, 8443,
                                         993, 3306, 5432, 6379, 8080 };
static const uint16_t udp_services[] = { 53, 53, 53, 123, 161, 443, 514,
                                         5060, 1194, 500, 69, 27015 };

/* Canonical key: (proto, lo addr, lo port, hi addr, hi port), lo < hi. */
static void flow_key(const gp_flow_t *f, uint8_t key[37])
{
    int lo = 0;
    int c = memcmp(f->addr[0], f->addr[1], 16);

    if (c > 0 || (c == 0 && f->port[0] > f->port[1]))
        lo = 1;
    key[0] = kind_proto(f->kind);
    memcpy(key + 1, f->addr[lo], 16);
    put16be(key + 17, f->port[lo]);
    memcpy(key + 19, f->addr[!lo], 16);
    put16be(key + 35, f->port[!lo]);
}

static uint64_t key_hash(const uint8_t *key)
{
    uint64_t h = 0xcbf29ce484222325ull;
    int i;

    for (i = 0; i < 37; i++)
        h = (h ^ key[i]) * 0x100000001b3ull;
    return h;
}

/* Inserts flow idx into the open-addressing set; false if its 5-tuple is
 * already taken (in either direction). */
static bool tuple_insert(uint32_t *set, uint64_t mask, const gp_flow_t *flows,
                         uint32_t idx)
{
    uint8_t key[37], other[37];
    uint64_t h;

    flow_key(&flows[idx], key);
    for (h = key_hash(key) & mask; set[h] != UINT32_MAX; h = (h + 1) & mask) {
        flow_key(&flows[set[h]], other);
        if (memcmp(key, other, sizeof(key)) == 0)
            return false;
    }
    set[h] = idx;
    return true;
}

/* Clients come from 10.0.0.0/8 and 2001:db8:c::/64, servers from
 * 172.16.0.0/16 and 2001:db8:5::/64, so a reversed tuple never equals
 * another flow's forward tuple. */
static void pick_tuple(gp_flow_t *f, uint64_t *rng, uint32_t nclients,
                       uint32_t nservers)
{
    uint32_t c = 1 + (uint32_t)gp_below(rng, nclients);
    uint32_t s = (uint32_t)gp_below(rng, nservers);
    bool v6 = kind_is_v6(f->kind);

    memset(f->addr, 0, sizeof(f->addr));
    if (!v6) {
        f->addr[0][0] = 10;
        f->addr[0][1] = c >> 16;
        f->addr[0][2] = c >> 8;
        f->addr[0][3] = c;
        f->addr[1][0] = 172;
        f->addr[1][1] = 16;
        f->addr[1][2] = s / 250;
        f->addr[1][3] = s % 250 + 1;
    } else {
        static const uint8_t cpre[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c, 0, 0 };
        static const uint8_t spre[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x05, 0, 0 };
        memcpy(f->addr[0], cpre, 8);
        put32be(f->addr[0] + 12, c);
        memcpy(f->addr[1], spre, 8);
        put32be(f->addr[1] + 12, s + 1);
    }
    switch (f->kind) {
    case GP_TCP4: case GP_TCP6:
        f->port[1] = tcp_services[gp_below(rng, sizeof(tcp_services) / sizeof(tcp_services[0]))];
        break;
    case GP_UDP4: case GP_UDP6:
        f->port[1] = udp_services[gp_below(rng, sizeof(udp_services) / sizeof(udp_services[0]))];
        break;
    default:
        f->port[0] = f->port[1] = 0;
        return;
    }
    do
        f->port[0] = gp_range(rng, 1024, 65535);
    while (port_is_tunnel(f->port[0]));
}

static int pick_kind(uint64_t *rng, uint32_t i, uint32_t nicmp)
{
    static const int first[4] = { GP_TCP4, GP_UDP4, GP_TCP6, GP_UDP6 };
    uint32_t r;

    /* The first flows cover every kind, so even tiny files are mixed. */
    if (i < 4)
        return first[i];
    if (i < 4 + nicmp)
        return (i & 1) ? GP_ICMP6 : GP_ICMP4;
    r = (uint32_t)gp_below(rng, 100);
    if (r < 45)
        return GP_TCP4;
    if (r < 70)
        return GP_UDP4;
    if (r < 88)
        return GP_TCP6;
    return GP_UDP6;
}

/* Integer cube root (floor), so weights need no libm and stay exact. */
static uint64_t icbrt(unsigned __int128 x)
{
    uint64_t lo = 0, hi = 1ull << 43;

    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;

        if ((unsigned __int128)mid * mid * mid <= x)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Packet-count weight in units of 1/65536: a tenth of the flows get weight 0
 * and so exactly 1 packet (scans, lone datagrams), four tenths are mice with a
 * small weight, and the rest follow a Pareto tail (alpha 1.5: y^(2/3) with y
 * = 1/uniform in 1..2^20), which yields the elephants. */
static uint64_t pick_weight(uint64_t *rng, int kind)
{
    uint32_t r = (uint32_t)gp_below(rng, 10);
    uint64_t y;

    if (kind == GP_ICMP4 || kind == GP_ICMP6)
        return 1u << 16;
    if (r == 0)
        return 0;
    if (r < 5)
        return gp_range(rng, 1u << 10, 1u << 14);
    y = (1ull << 36) / gp_range(rng, 1, 1u << 20);      /* 16.16 fixed point */
    return icbrt((unsigned __int128)y * y << 16);
}

static int build_flows(const gp_opts_t *o, gp_flow_t *flows)
{
    uint64_t rng = o->seed ^ 0x6a09e667f3bcc908ull;
    uint32_t nf = o->flows, i, j;
    uint32_t nicmp = nf >= 50 ? (nf / 50 < 8 ? nf / 50 : 8) : (nf >= 10);
    uint32_t nclients = nf / 3 + 1, nservers = nf / 8 + 1;
    uint64_t *w, wsum = 0, rest, given = 0, mask, cap;
    uint32_t *set;

    if (nservers > 250 * 200)
        nservers = 250 * 200;
    for (cap = 1; cap < 2ull * nf; cap <<= 1)
        ;
    mask = cap - 1;
    set = malloc(cap * sizeof(*set));
    w = calloc(nf, sizeof(*w));
    if (!set || !w) {
        free(set);
        free(w);
        fprintf(stderr, "genpcap: malloc() failed for %u flows\n", nf);
        return -1;
    }
    memset(set, 0xff, cap * sizeof(*set));

    for (i = 0; i < nf; i++) {
        gp_flow_t *f = &flows[i];

        memset(f, 0, sizeof(*f));
        f->kind = pick_kind(&rng, i, nicmp);
        for (j = 0; ; j++) {
            pick_tuple(f, &rng, nclients, nservers);
            if (tuple_insert(set, mask, flows, i))
                break;
            if (j == 1000) {
                fprintf(stderr, "genpcap: cannot find a free 5-tuple\n");
                free(set);
                free(w);
                return -1;
            }
        }
        f->rng = gp_rand(&rng);
        w[i] = pick_weight(&rng, f->kind);
        wsum += w[i];
    }
    free(set);

    /* Every flow gets one packet; the rest is shared by weight, and the
     * rounding remainder goes one by one to weighted flows. */
    rest = o->packets - nf;
    if (wsum == 0) {
        for (i = 0; i < nf; i++)
            w[i] = 1;
        wsum = nf;
    }
    for (i = 0; i < nf; i++) {
        uint64_t share = (uint64_t)((unsigned __int128)rest * w[i] / wsum);
        flows[i].count = 1 + (uint32_t)share;
        given += share;
    }
    for (i = (uint32_t)gp_below(&rng, nf); given < rest; i = (i + 1) % nf) {
        if (w[i]) {
            flows[i].count++;
            given++;
        }
    }
    free(w);

    /* Per-flow parameters from the flow's own stream. */
    for (i = 0; i < nf; i++) {
        gp_flow_t *f = &flows[i];
        uint32_t r = (uint32_t)gp_below(&f->rng, 100);

        f->encap = r < 70 ? GP_ENC_NONE : r < 88 ? GP_ENC_VLAN : GP_ENC_QINQ;
        f->vid[0] = f->encap == GP_ENC_QINQ ? gp_range(&f->rng, 100, 199)
                                            : gp_range(&f->rng, 2, 4094);
        f->vid[1] = gp_range(&f->rng, 2, 4094);
        f->nxt[0] = (uint32_t)gp_rand(&f->rng);
        f->nxt[1] = (uint32_t)gp_rand(&f->rng);
        f->ipid[0] = (uint16_t)gp_rand(&f->rng);
        f->ipid[1] = (uint16_t)gp_rand(&f->rng);
        f->icmp_id = (uint16_t)gp_rand(&f->rng);
        f->icmp_len = gp_below(&f->rng, 2) ? 56 : gp_range(&f->rng, 0, GP_MAX_PAYLOAD);
        f->closer = gp_below(&f->rng, 4) == 0;   /* server closes 1 in 4 */
        f->flowlabel = (uint32_t)gp_rand(&f->rng) & 0xfffff;
    }
    return 0;
}

/* ---- schedule: interleave the flows' packets ---- */

static int slot_cmp(const void *a, const void *b)
{
    const gp_slot_t *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->flow < y->flow ? -1 : x->flow > y->flow;
}

/* Each flow is active over a random window of the capture; elephants get a
 * long one. Its packets are spread evenly over the window and all packets
 * are then merged by position. */
static gp_slot_t *build_schedule(const gp_opts_t *o, const gp_flow_t *flows)
{
    uint64_t rng = o->seed ^ 0xbb67ae8584caa73bull;
    gp_slot_t *s = malloc(o->packets * sizeof(*s));
    uint64_t pos = 0;
    uint32_t i, j;

    if (!s) {
        fprintf(stderr, "genpcap: malloc() failed for %" PRIu64 " packets\n",
                o->packets);
        return NULL;
    }
    for (i = 0; i < o->flows; i++) {
        uint64_t c = flows[i].count;
        uint64_t span = GP_KEYSPACE / 500 + gp_below(&rng, GP_KEYSPACE / 20);
        uint64_t big = (uint64_t)((unsigned __int128)GP_KEYSPACE * 4 * c / o->packets);
        uint64_t start, step;

        if (big > span)
            span = big;
        if (span > GP_KEYSPACE)
            span = GP_KEYSPACE;
        start = gp_below(&rng, GP_KEYSPACE - span + 1);
        step = span / c;
        for (j = 0; j < c; j++, pos++) {
            s[pos].key = start + j * step;
            s[pos].flow = i;
            s[pos].pad = 0;
        }
    }
    qsort(s, o->packets, sizeof(*s), slot_cmp);
    return s;
}

/* ---- packet construction ---- */

/* Payload size 0..1400: many small, some large; servers send more. */
static uint32_t pick_paylen(uint64_t *rng, int dir, bool allow_zero)
{
    uint32_t r = (uint32_t)gp_below(rng, 100);

    if (dir == 1)
        r = r < 50 ? r + 50 : r;
    if (r < 20)
        return allow_zero ? 0 : gp_range(rng, 1, 64);
    if (r < 55)
        return gp_range(rng, 1, 128);
    if (r < 80)
        return gp_range(rng, 129, 700);
    if (r < 92)
        return gp_range(rng, 701, GP_MAX_PAYLOAD - 1);
    return GP_MAX_PAYLOAD;
}

static void fill_random(uint64_t *rng, uint8_t *p, uint32_t len)
{
    uint32_t i;

    for (i = 0; i < len; i += 8) {
        uint64_t v = gp_rand(rng);
        uint32_t k;

        for (k = 0; k < 8 && i + k < len; k++)
            p[i + k] = (uint8_t)(v >> (8 * k));
    }
}

/* Writes the transport header and payload of the flow's next packet at p;
 * returns its length and the direction in *dir. */
static uint32_t build_l4(gp_flow_t *f, uint8_t *p, int *dir)
{
    uint32_t j = f->sent, k = f->count, plen = 0, hl;
    int d;

    switch (f->kind) {
    case GP_TCP4:
    case GP_TCP6: {
        uint8_t flags = 0x10;   /* ACK */
        uint32_t seq, ack;
        bool fin_phase = k >= 6 && j >= k - 3;

        if (j < 3) {
            d = j == 1;
            flags = j == 0 ? 0x02 : j == 1 ? 0x12 : 0x10;
        } else if (fin_phase) {
            d = j == k - 2 ? !f->closer : f->closer;
            flags = j == k - 1 ? 0x10 : 0x11;
        } else {
            d = j == 3 ? 0 : gp_below(&f->rng, 100) < 35 ? !f->last_dir : f->last_dir;
            /* A bare ACK only when there is new data to acknowledge, so the
             * flow has no duplicate ACKs. */
            plen = pick_paylen(&f->rng, d, f->acked[d] != f->nxt[!d]);
            if (plen)
                flags |= 0x08;  /* PSH */
        }
        seq = f->nxt[d];
        ack = (flags & 0x10) ? f->nxt[!d] : 0;
        f->acked[d] = ack;
        hl = (flags & 0x02) ? 24 : 20;
        put16be(p, f->port[d]);
        put16be(p + 2, f->port[!d]);
        put32be(p + 4, seq);
        put32be(p + 8, ack);
        p[12] = (hl / 4) << 4;
        p[13] = flags;
        put16be(p + 14, d ? 65160 : 64240);
        put16be(p + 16, 0);
        put16be(p + 18, 0);
        if (hl == 24) {         /* MSS option on SYN and SYN-ACK */
            p[20] = 2;
            p[21] = 4;
            put16be(p + 22, kind_is_v6(f->kind) ? 1440 : 1460);
        }
        fill_random(&f->rng, p + hl, plen);
        f->nxt[d] += plen + ((flags & 0x03) ? 1 : 0);
        break;
    }
    case GP_UDP4:
    case GP_UDP6:
        d = j == 0 ? 0 : gp_below(&f->rng, 100) < 55 ? !f->last_dir : f->last_dir;
        plen = pick_paylen(&f->rng, d, true);
        hl = 8;
        put16be(p, f->port[d]);
        put16be(p + 2, f->port[!d]);
        put16be(p + 4, hl + plen);
        put16be(p + 6, 0);
        fill_random(&f->rng, p + hl, plen);
        break;
    default: {
        /* Echo: a reply follows its request except when "lost" (1 in 5). */
        bool v6 = f->kind == GP_ICMP6;
        uint32_t i;

        if (j == 0 || f->last_dir == 1 || gp_below(&f->rng, 5) == 0) {
            d = 0;
            if (j > 0)
                f->icmp_seq++;
        } else {
            d = 1;
        }
        hl = 8;
        plen = f->icmp_len;
        p[0] = d ? (v6 ? 129 : 0) : (v6 ? 128 : 8);
        p[1] = 0;
        put16be(p + 2, 0);
        put16be(p + 4, f->icmp_id);
        put16be(p + 6, f->icmp_seq);
        for (i = 0; i < plen; i++)   /* the reply echoes the request's data */
            p[hl + i] = (uint8_t)(i + f->icmp_seq);
        break;
    }
    }
    f->last_dir = d;
    *dir = d;
    return hl + plen;
}

static void mac_of(const uint8_t *addr, bool v6, uint8_t mac[6])
{
    mac[0] = 0x02;
    mac[1] = 0x00;
    memcpy(mac + 2, v6 ? addr + 12 : addr, 4);
}

/* Builds the flow's next frame into buf; returns its length. */
static uint32_t build_frame(gp_flow_t *f, int link, uint8_t *buf)
{
    bool v6 = kind_is_v6(f->kind);
    uint8_t proto = kind_proto(f->kind);
    uint32_t ll, iphl = v6 ? 40 : 20, l4len, len;
    uint8_t smac[6], dmac[6], *ip, *l4;
    uint16_t etype = v6 ? 0x86dd : 0x0800;
    uint32_t sum = 0;
    int d;

    switch (link) {
    case GP_L_ETHER:
        ll = 14 + (f->encap == GP_ENC_VLAN ? 4 : f->encap == GP_ENC_QINQ ? 8 : 0);
        break;
    case GP_L_RAW: ll = 0; break;
    case GP_L_NULL: ll = 4; break;
    default: ll = 16; break;
    }
    ip = buf + ll;
    l4 = ip + iphl;
    l4len = build_l4(f, l4, &d);

    /* Transport checksum over the pseudo-header (none for ICMPv4). */
    if (proto != 1) {
        sum = csum_add(sum, f->addr[d], v6 ? 16 : 4);
        sum = csum_add(sum, f->addr[!d], v6 ? 16 : 4);
        sum += proto + l4len;
    }
    sum = csum_add(sum, l4, l4len);
    {
        uint16_t c = csum_fold(sum);
        int off = proto == 6 ? 16 : proto == 17 ? 6 : 2;

        if (proto == 17 && c == 0)
            c = 0xffff;
        put16be(l4 + off, c);
    }

    if (!v6) {
        ip[0] = 0x45;
        ip[1] = 0;
        put16be(ip + 2, iphl + l4len);
        put16be(ip + 4, f->ipid[d]++);
        put16be(ip + 6, 0x4000);        /* DF */
        ip[8] = d ? 57 : 64;
        ip[9] = proto;
        put16be(ip + 10, 0);
        memcpy(ip + 12, f->addr[d], 4);
        memcpy(ip + 16, f->addr[!d], 4);
        put16be(ip + 10, csum_fold(csum_add(0, ip, 20)));
    } else {
        put32be(ip, 0x60000000u | f->flowlabel);
        put16be(ip + 4, l4len);
        ip[6] = proto;
        ip[7] = d ? 57 : 64;
        memcpy(ip + 8, f->addr[d], 16);
        memcpy(ip + 24, f->addr[!d], 16);
    }
    len = ll + iphl + l4len;

    mac_of(f->addr[d], v6, smac);
    mac_of(f->addr[!d], v6, dmac);
    switch (link) {
    case GP_L_ETHER: {
        uint8_t *e = buf + 12;

        memcpy(buf, dmac, 6);
        memcpy(buf + 6, smac, 6);
        if (f->encap == GP_ENC_QINQ) {
            put16be(e, 0x88a8);
            put16be(e + 2, f->vid[0]);
            e += 4;
        }
        if (f->encap != GP_ENC_NONE) {
            put16be(e, 0x8100);
            put16be(e + 2, f->encap == GP_ENC_QINQ ? f->vid[1] : f->vid[0]);
            e += 4;
        }
        put16be(e, etype);
        if (len < GP_ETH_MIN) {         /* on-the-wire padding */
            memset(buf + len, 0, GP_ETH_MIN - len);
            len = GP_ETH_MIN;
        }
        break;
    }
    case GP_L_NULL:     /* host order of the capturing host: the file's order */
        put32le(buf, v6 ? NULL_AF_INET6 : NULL_AF_INET);
        break;
    case GP_L_SLL:
        put16be(buf, d == 0 ? 4 : 0);   /* captured on the client: outgoing / to us */
        put16be(buf + 2, 1);            /* ARPHRD_ETHER */
        put16be(buf + 4, 6);
        memcpy(buf + 6, smac, 6);
        put16be(buf + 12, 0);
        put16be(buf + 14, etype);
        break;
    default:
        break;
    }
    f->sent++;
    f->bytes += len;
    return len;
}

/* ---- file writers ---- */

static int linktype_of(int link)
{
    switch (link) {
    case GP_L_RAW: return LINKTYPE_RAW;
    case GP_L_NULL: return LINKTYPE_NULL;
    case GP_L_SLL: return LINKTYPE_LINUX_SLL;
    default: return LINKTYPE_ETHERNET;
    }
}

static int write_header(FILE *fp, const gp_opts_t *o)
{
    uint8_t h[64];
    size_t n;

    if (!o->pcapng) {
        put32le(h, 0xa1b2c3d4);
        put16le(h + 4, 2);
        put16le(h + 6, 4);
        put32le(h + 8, 0);
        put32le(h + 12, 0);
        put32le(h + 16, GP_SNAPLEN);
        put32le(h + 20, linktype_of(o->link));
        n = 24;
    } else {
        /* Section Header Block, no options. */
        put32le(h, 0x0a0d0d0a);
        put32le(h + 4, 28);
        put32le(h + 8, 0x1a2b3c4d);
        put16le(h + 12, 1);
        put16le(h + 14, 0);
        put32le(h + 16, 0xffffffff);    /* section length unknown */
        put32le(h + 20, 0xffffffff);
        put32le(h + 24, 28);
        /* Interface Description Block with if_tsresol = 6 (microseconds). */
        put32le(h + 28, 1);
        put32le(h + 32, 32);
        put16le(h + 36, linktype_of(o->link));
        put16le(h + 38, 0);
        put32le(h + 40, GP_SNAPLEN);
        put16le(h + 44, 9);             /* if_tsresol */
        put16le(h + 46, 1);
        h[48] = 6; h[49] = h[50] = h[51] = 0;
        put32le(h + 52, 0);             /* opt_endofopt */
        put32le(h + 56, 32);
        n = 60;
    }
    return fwrite(h, 1, n, fp) == n ? 0 : -1;
}

static int write_packet(FILE *fp, const gp_opts_t *o, uint64_t ts_us,
                        const uint8_t *data, uint32_t len)
{
    static const uint8_t zero[4];
    uint8_t h[28];
    uint32_t pad = (4 - (len & 3)) & 3;

    if (!o->pcapng) {
        put32le(h, GP_EPOCH_SEC + (uint32_t)(ts_us / 1000000));
        put32le(h + 4, (uint32_t)(ts_us % 1000000));
        put32le(h + 8, len);
        put32le(h + 12, len);
        return fwrite(h, 1, 16, fp) == 16 && fwrite(data, 1, len, fp) == len
               ? 0 : -1;
    }
    /* Enhanced Packet Block, interface 0, no options. */
    ts_us += (uint64_t)GP_EPOCH_SEC * 1000000;
    put32le(h, 6);
    put32le(h + 4, 32 + len + pad);
    put32le(h + 8, 0);
    put32le(h + 12, (uint32_t)(ts_us >> 32));
    put32le(h + 16, (uint32_t)ts_us);
    put32le(h + 20, len);
    put32le(h + 24, len);
    if (fwrite(h, 1, 28, fp) != 28 || fwrite(data, 1, len, fp) != len ||
        fwrite(zero, 1, pad, fp) != pad)
        return -1;
    put32le(h, 32 + len + pad);
    return fwrite(h, 1, 4, fp) == 4 ? 0 : -1;
}

/* ---- --flows-out ---- */

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_flows(const char *path, const gp_flow_t *flows, uint32_t nf)
{
    char **lines = calloc(nf, sizeof(*lines));
    FILE *fp = NULL;
    int rc = -1;
    uint32_t i;

    if (!lines)
        goto fail;
    for (i = 0; i < nf; i++) {
        const gp_flow_t *f = &flows[i];
        bool v6 = kind_is_v6(f->kind);
        char a[2][INET6_ADDRSTRLEN];
        int c = memcmp(f->addr[0], f->addr[1], 16);
        int lo = (c > 0 || (c == 0 && f->port[0] > f->port[1]));

        inet_ntop(v6 ? AF_INET6 : AF_INET, f->addr[lo], a[0], sizeof(a[0]));
        inet_ntop(v6 ? AF_INET6 : AF_INET, f->addr[!lo], a[1], sizeof(a[1]));
        if (asprintf(&lines[i], "%u %s %u %s %u %u %" PRIu64 "\n",
                     kind_proto(f->kind), a[0], f->port[lo], a[1],
                     f->port[!lo], f->sent, f->bytes) < 0) {
            lines[i] = NULL;
            goto fail;
        }
    }
    qsort(lines, nf, sizeof(*lines), line_cmp);
    fp = fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "genpcap: fopen(%s) failed: %s\n", path, strerror(errno));
        goto out;
    }
    for (i = 0; i < nf; i++)
        if (fputs(lines[i], fp) == EOF)
            break;
    if (i < nf || fclose(fp) != 0) {
        if (i < nf)
            fclose(fp);
        fprintf(stderr, "genpcap: writing %s failed: %s\n", path, strerror(errno));
        goto out;
    }
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "genpcap: out of memory writing %s\n", path);
out:
    if (lines)
        for (i = 0; i < nf; i++)
            free(lines[i]);
    free(lines);
    return rc;
}

/* ---- command line ---- */

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: genpcap -o FILE [-n PACKETS] [-f FLOWS] [-s SEED] [-l LINKTYPE]\n"
        "               [--pcapng] [--flows-out FILE] [--truncate-at BYTES]\n"
        "  -o FILE             output capture (required)\n"
        "  -n PACKETS          total packets (default 100000, at most %llu)\n"
        "  -f FLOWS            distinct bidirectional flows (default 1000, <= -n)\n"
        "  -s SEED             seed; same options + seed = same bytes (default 1)\n"
        "  -l LINKTYPE         ether (default) | raw | null | sll\n"
        "  --pcapng            write pcapng instead of pcap\n"
        "  --flows-out FILE    ground truth, one line per flow:\n"
        "                      proto lo_addr lo_port hi_addr hi_port packets bytes\n"
        "  --truncate-at BYTES cut the finished file to BYTES (broken-file tests)\n",
        GP_MAX_PACKETS);
}

static int parse_u64(const char *s, const char *what, uint64_t *v)
{
    char *end;

    errno = 0;
    if (*s == '-' || *s == '\0')
        goto bad;
    *v = strtoull(s, &end, 0);
    if (errno || *end)
        goto bad;
    return 0;
bad:
    fprintf(stderr, "genpcap: bad %s '%s'\n", what, s);
    return -1;
}

static int parse_opts(int argc, char **argv, gp_opts_t *o)
{
    static const struct option longopts[] = {
        { "output",      required_argument, NULL, 'o' },
        { "packets",     required_argument, NULL, 'n' },
        { "flows",       required_argument, NULL, 'f' },
        { "seed",        required_argument, NULL, 's' },
        { "linktype",    required_argument, NULL, 'l' },
        { "pcapng",      no_argument,       NULL, 'P' },
        { "flows-out",   required_argument, NULL, 'F' },
        { "truncate-at", required_argument, NULL, 'T' },
        { "help",        no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    uint64_t v, flows = 1000;
    int c;

    memset(o, 0, sizeof(*o));
    o->packets = 100000;
    o->seed = 1;
    while ((c = getopt_long(argc, argv, "o:n:f:s:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'F': o->flows_out = optarg; break;
        case 'P': o->pcapng = true; break;
        case 'n':
            if (parse_u64(optarg, "packet count", &o->packets))
                return -1;
            break;
        case 'f':
            if (parse_u64(optarg, "flow count", &flows))
                return -1;
            break;
        case 's':
            if (parse_u64(optarg, "seed", &o->seed))
                return -1;
            break;
        case 'T':
            if (parse_u64(optarg, "truncate size", &v))
                return -1;
            o->truncate = true;
            o->truncate_at = v;
            break;
        case 'l':
            if (!strcmp(optarg, "ether") || !strcmp(optarg, "ethernet") ||
                !strcmp(optarg, "en10mb"))
                o->link = GP_L_ETHER;
            else if (!strcmp(optarg, "raw"))
                o->link = GP_L_RAW;
            else if (!strcmp(optarg, "null"))
                o->link = GP_L_NULL;
            else if (!strcmp(optarg, "sll"))
                o->link = GP_L_SLL;
            else {
                fprintf(stderr, "genpcap: unknown link type '%s' "
                        "(ether, raw, null, sll)\n", optarg);
                return -1;
            }
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "genpcap: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->out) {
        usage(stderr);
        return -1;
    }
    if (flows == 0 || flows > GP_MAX_FLOWS) {
        fprintf(stderr, "genpcap: -f must be 1..%u\n", GP_MAX_FLOWS);
        return -1;
    }
    o->flows = (uint32_t)flows;
    if (o->packets > GP_MAX_PACKETS) {
        fprintf(stderr, "genpcap: -n must be at most %llu\n", GP_MAX_PACKETS);
        return -1;
    }
    if (o->packets < o->flows) {
        fprintf(stderr, "genpcap: -n %" PRIu64 " is smaller than -f %u: every "
                "flow needs at least one packet\n", o->packets, o->flows);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static uint8_t frame[GP_FRAME_MAX];
    gp_opts_t o;
    gp_flow_t *flows = NULL;
    gp_slot_t *sched = NULL;
    FILE *fp = NULL;
    uint64_t i, total = 0;
    struct stat st;
    char note[64] = "";
    int rc = 1;

    if (parse_opts(argc, argv, &o))
        return 2;
    flows = calloc(o.flows, sizeof(*flows));
    if (!flows) {
        fprintf(stderr, "genpcap: malloc() failed for %u flows\n", o.flows);
        return 1;
    }
    if (build_flows(&o, flows))
        goto out;
    sched = build_schedule(&o, flows);
    if (!sched)
        goto out;

    fp = fopen(o.out, "wb");
    if (!fp) {
        fprintf(stderr, "genpcap: fopen(%s) failed: %s\n", o.out, strerror(errno));
        goto out;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    if (write_header(fp, &o))
        goto write_fail;
    for (i = 0; i < o.packets; i++) {
        uint32_t len = build_frame(&flows[sched[i].flow], o.link, frame);

        total += len;
        if (write_packet(fp, &o, i * GP_GAP_US, frame, len))
            goto write_fail;
    }
    if (fclose(fp) != 0) {
        fp = NULL;
        goto write_fail;
    }
    fp = NULL;

    if (o.flows_out && write_flows(o.flows_out, flows, o.flows))
        goto out;

    if (o.truncate) {
        if (stat(o.out, &st) != 0) {
            fprintf(stderr, "genpcap: stat(%s) failed: %s\n", o.out, strerror(errno));
            goto out;
        }
        if (o.truncate_at >= (uint64_t)st.st_size) {
            fprintf(stderr, "genpcap: --truncate-at %" PRIu64 " is not smaller "
                    "than the file (%lld bytes)\n", o.truncate_at,
                    (long long)st.st_size);
            rc = 2;
            goto out;
        }
        if (truncate(o.out, (off_t)o.truncate_at) != 0) {
            fprintf(stderr, "genpcap: truncate(%s) failed: %s\n", o.out,
                    strerror(errno));
            goto out;
        }
    }
    if (o.truncate)
        snprintf(note, sizeof(note), " (file truncated to %" PRIu64 " bytes)",
                 o.truncate_at);
    fprintf(stderr, "genpcap: %s: %" PRIu64 " packets, %u flows, %" PRIu64
            " bytes%s\n", o.out, o.packets, o.flows, total, note);
    rc = 0;
    goto out;

write_fail:
    fprintf(stderr, "genpcap: writing %s failed: %s\n", o.out, strerror(errno));
out:
    if (fp)
        fclose(fp);
    free(sched);
    free(flows);
    return rc;
}
