/*
 * sendpkts: sends a known number of synthetic Ethernet frames on a Linux
 * interface through an AF_PACKET raw socket, for WireSift's live-capture
 * tests (typically into a DPDK net_tap interface inside a test network
 * namespace).
 *
 * Frames are IPv4 UDP (even flows) and TCP (odd flows) from
 * 02:00:00:00:00:01 to 02:00:00:00:00:02, clients in 198.18.0.0/16 and
 * servers in 198.19.0.0/16 (the RFC 2544 benchmark range), packet i going to
 * flow i mod FLOWS. Checksums are correct; TCP segments are mid-stream
 * (ACK|PSH, no handshake) with sequence numbers that advance per flow.
 * Every payload starts with the ASCII text "WSPKT flow=F pkt=I " so a content
 * rule can match each frame. The same seed gives the same frames.
 *
 * Each sendto() is checked; ENOBUFS/EAGAIN are retried after a short sleep.
 * The program prints "sent N" and exits 1 if it could not send them all.
 * As a guard against hitting a real NIC, it refuses to run in the host's
 * network namespace (the initial one, or PID 1's) unless --any-netns is given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SP_FRAME_MAX      1600
#define SP_PAYLOAD_MIN    32        /* frames never need Ethernet padding */
#define SP_PAYLOAD_MAX    1024
#define SP_MAX_FLOWS      1000000u
#define SP_CLIENTS        64000u    /* distinct client addresses */
#define SP_BATCH          64        /* unpaced: pause after this many frames */
#define SP_BATCH_PAUSE_NS 100000L   /* ... for this long, so a tap reader keeps up */
#define SP_RETRY_NS       200000L   /* sleep before retrying ENOBUFS/EAGAIN */
#define SP_RETRY_MAX      10000     /* consecutive retries of one frame (~2 s) */

static const uint8_t sp_src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t sp_dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

typedef struct {
    const char *ifname;
    uint64_t    packets;
    uint32_t    flows;
    uint64_t    seed;
    uint64_t    rate;       /* packets per second, 0 = unpaced */
    bool        any_netns;
} sp_opts_t;

/* Per-flow state the frames depend on. */
typedef struct {
    uint32_t seq;           /* TCP: next sequence number */
    uint32_t ack;           /* TCP: constant acknowledgment number */
    uint16_t ipid;
} sp_flow_t;

static uint64_t sp_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
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

/* Flow f's addresses and ports; distinct for every f < SP_MAX_FLOWS. */
static void flow_tuple(const sp_opts_t *o, uint32_t f, uint8_t src[4],
                       uint8_t dst[4], uint16_t *sport, uint16_t *dport)
{
    static const uint16_t udp_ports[] = { 53, 123, 514, 5060 };
    static const uint16_t tcp_ports[] = { 80, 443, 8080, 25 };
    uint32_t h = f % SP_CLIENTS;
    uint32_t srv = (uint32_t)((o->seed + f) % 16);

    src[0] = 198; src[1] = 18; src[2] = h / 250; src[3] = h % 250 + 1;
    dst[0] = 198; dst[1] = 19; dst[2] = 0; dst[3] = srv + 1;
    *sport = 1024 + (uint16_t)((o->seed % 50000 + f / SP_CLIENTS) % 60000);
    *dport = (f & 1) ? tcp_ports[(f / 2) % 4] : udp_ports[(f / 2) % 4];
}

/* Builds frame i into buf; returns its length. */
static uint32_t build_frame(const sp_opts_t *o, sp_flow_t *flows, uint64_t i,
                            uint64_t *rng, uint8_t *buf)
{
    uint32_t f = (uint32_t)(i % o->flows);
    sp_flow_t *fl = &flows[f];
    bool tcp = f & 1;
    uint8_t *ip = buf + 14, *l4 = ip + 20, *pl;
    uint32_t hl = tcp ? 20 : 8, plen, l4len, sum, k;
    uint16_t sport, dport, c;
    int n;

    flow_tuple(o, f, ip + 12, ip + 16, &sport, &dport);
    plen = SP_PAYLOAD_MIN + (uint32_t)(sp_rand(rng) %
                                       (SP_PAYLOAD_MAX - SP_PAYLOAD_MIN + 1));
    pl = l4 + hl;
    n = snprintf((char *)pl, plen + 1, "WSPKT flow=%u pkt=%" PRIu64 " ", f, i);
    for (k = n < (int)plen ? (uint32_t)n : plen; k < plen; k++)
        pl[k] = 'a' + (uint8_t)((k + i) % 26);
    l4len = hl + plen;

    memcpy(buf, sp_dst_mac, 6);
    memcpy(buf + 6, sp_src_mac, 6);
    put16(buf + 12, ETHERTYPE_IP);

    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, 20 + l4len);
    put16(ip + 4, fl->ipid++);
    put16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = tcp ? 6 : 17;
    put16(ip + 10, 0);
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

    put16(l4, sport);
    put16(l4 + 2, dport);
    if (tcp) {
        put32(l4 + 4, fl->seq);
        put32(l4 + 8, fl->ack);
        l4[12] = 5 << 4;
        l4[13] = 0x18;                  /* PSH|ACK */
        put16(l4 + 14, 64240);
        put16(l4 + 16, 0);
        put16(l4 + 18, 0);
        fl->seq += plen;
    } else {
        put16(l4 + 4, l4len);
        put16(l4 + 6, 0);
    }
    sum = csum_add(0, ip + 12, 8);
    sum += ip[9] + l4len;
    c = csum_fold(csum_add(sum, l4, l4len));
    if (!tcp && c == 0)
        c = 0xffff;
    put16(l4 + (tcp ? 16 : 6), c);
    return 14 + 20 + l4len;
}

static void sleep_ns(long ns)
{
    struct timespec ts = { 0, ns };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Paced mode: wait until frame i's slot, t0 + i / rate. */
static void pace(uint64_t t0, uint64_t i, uint64_t rate)
{
    uint64_t due = t0 + (uint64_t)((unsigned __int128)i * 1000000000ull / rate);
    struct timespec ts = { (time_t)(due / 1000000000ull), (long)(due % 1000000000ull) };

    if (now_ns() < due)
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
}

/* Reads /sys/class/net/IF/statistics/tx_dropped; -1 if unavailable. */
static int64_t tx_dropped(const char *ifname)
{
    char path[128];
    long long v = -1;
    FILE *fp;

    snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_dropped", ifname);
    fp = fopen(path, "r");
    if (!fp)
        return -1;
    if (fscanf(fp, "%lld", &v) != 1)
        v = -1;
    fclose(fp);
    return v;
}

/* The kernel's fixed inode number of the initial network namespace
 * (PROC_NET_INIT_INO in include/linux/proc_ns.h). */
#define SP_INIT_NETNS_INO 0xEFFFFFF9u

/* True when we run in the host's network namespace: the kernel's initial one,
 * or PID 1's (a container's own) when /proc/1 is readable. */
static bool in_init_netns(void)
{
    struct stat self, init;

    if (stat("/proc/self/ns/net", &self) != 0)
        return true;
    if (self.st_ino == SP_INIT_NETNS_INO)
        return true;
    if (stat("/proc/1/ns/net", &init) == 0)
        return self.st_ino == init.st_ino && self.st_dev == init.st_dev;
    return false;
}

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: sendpkts -i IFNAME [-n PACKETS] [-f FLOWS] [-s SEED] [--rate PPS]\n"
        "                [--any-netns]\n"
        "  -i IFNAME      interface to send on (required)\n"
        "  -n PACKETS     frames to send (default 1000)\n"
        "  -f FLOWS       flows, round-robin; even UDP, odd TCP (default 64, <= %u)\n"
        "  -s SEED        seed for ports and payload sizes (default 1)\n"
        "  --rate PPS     pace to PPS frames per second (default: unpaced, with a\n"
        "                 %ld us pause every %d frames)\n"
        "  --any-netns    allow sending from the host's network namespace\n",
        SP_MAX_FLOWS, SP_BATCH_PAUSE_NS / 1000, SP_BATCH);
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
    fprintf(stderr, "sendpkts: bad %s '%s'\n", what, s);
    return -1;
}

static int parse_opts(int argc, char **argv, sp_opts_t *o)
{
    static const struct option longopts[] = {
        { "interface", required_argument, NULL, 'i' },
        { "packets",   required_argument, NULL, 'n' },
        { "flows",     required_argument, NULL, 'f' },
        { "seed",      required_argument, NULL, 's' },
        { "rate",      required_argument, NULL, 'r' },
        { "any-netns", no_argument,       NULL, 'A' },
        { "help",      no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    uint64_t flows = 64;
    int c;

    memset(o, 0, sizeof(*o));
    o->packets = 1000;
    o->seed = 1;
    while ((c = getopt_long(argc, argv, "i:n:f:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'i': o->ifname = optarg; break;
        case 'A': o->any_netns = true; break;
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
        case 'r':
            if (parse_u64(optarg, "rate", &o->rate) || o->rate == 0) {
                fprintf(stderr, "sendpkts: --rate must be a positive number\n");
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
        fprintf(stderr, "sendpkts: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->ifname) {
        usage(stderr);
        return -1;
    }
    if (flows == 0 || flows > SP_MAX_FLOWS) {
        fprintf(stderr, "sendpkts: -f must be 1..%u\n", SP_MAX_FLOWS);
        return -1;
    }
    o->flows = (uint32_t)flows;
    return 0;
}

int main(int argc, char **argv)
{
    static uint8_t frame[SP_FRAME_MAX];
    struct sockaddr_ll sll;
    sp_opts_t o;
    sp_flow_t *flows;
    uint64_t rng, i, sent = 0, t0;
    int64_t drop0, drop1;
    unsigned ifindex;
    int fd, rc = 1, retries = 0;
    uint32_t f, len = 0;

    if (parse_opts(argc, argv, &o))
        return 2;
    if (!o.any_netns && in_init_netns()) {
        fprintf(stderr, "sendpkts: refusing to send from the host's network "
                "namespace (run inside a test namespace: ip netns exec NAME "
                "sendpkts ..., or pass --any-netns)\n");
        return 2;
    }
    ifindex = if_nametoindex(o.ifname);
    if (ifindex == 0) {
        fprintf(stderr, "sendpkts: if_nametoindex(%s) failed: %s\n", o.ifname,
                strerror(errno));
        return 2;
    }
    flows = calloc(o.flows, sizeof(*flows));
    if (!flows) {
        fprintf(stderr, "sendpkts: calloc() failed for %u flows\n", o.flows);
        return 1;
    }
    rng = o.seed ^ 0x5be0cd19137e2179ull;
    for (f = 0; f < o.flows; f++) {
        flows[f].seq = (uint32_t)sp_rand(&rng);
        flows[f].ack = (uint32_t)sp_rand(&rng);
        flows[f].ipid = (uint16_t)sp_rand(&rng);
    }

    /* Protocol 0: the socket only sends and never queues received frames. */
    fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) {
        fprintf(stderr, "sendpkts: socket(AF_PACKET) failed: %s\n", strerror(errno));
        goto out;
    }
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = (int)ifindex;
    sll.sll_halen = ETH_ALEN;
    memcpy(sll.sll_addr, sp_dst_mac, ETH_ALEN);
    if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
        fprintf(stderr, "sendpkts: bind(%s) failed: %s\n", o.ifname, strerror(errno));
        goto out_close;
    }

    drop0 = tx_dropped(o.ifname);
    t0 = now_ns();
    for (i = 0; i < o.packets; ) {
        ssize_t n;

        if (retries == 0) {
            if (o.rate)
                pace(t0, i, o.rate);
            else if (i && i % SP_BATCH == 0)
                sleep_ns(SP_BATCH_PAUSE_NS);
        }
        /* Built once: a retry resends the same frame (flow state advanced). */
        if (retries == 0)
            len = build_frame(&o, flows, i, &rng, frame);
        n = sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll));
        if (n == (ssize_t)len) {
            sent++;
            i++;
            retries = 0;
            continue;
        }
        if (n < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) &&
            retries < SP_RETRY_MAX) {
            retries++;
            sleep_ns(SP_RETRY_NS);
            continue;
        }
        if (n < 0)
            fprintf(stderr, "sendpkts: sendto(%s) failed at frame %" PRIu64
                    ": %s%s\n", o.ifname, i, strerror(errno),
                    retries >= SP_RETRY_MAX ? " (gave up retrying)" : "");
        else
            fprintf(stderr, "sendpkts: sendto(%s) sent %zd of %u bytes at "
                    "frame %" PRIu64 "\n", o.ifname, n, len, i);
        break;
    }
    drop1 = tx_dropped(o.ifname);
    if (drop0 >= 0 && drop1 > drop0)
        fprintf(stderr, "sendpkts: warning: %s dropped %" PRId64 " frames after "
                "sendto() accepted them (tx_dropped); is the reader keeping up?\n",
                o.ifname, drop1 - drop0);
    printf("sent %" PRIu64 "\n", sent);
    if (sent == o.packets)
        rc = 0;
out_close:
    close(fd);
out:
    free(flows);
    return rc;
}
