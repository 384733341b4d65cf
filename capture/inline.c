/*
 * inline.c - the transmit path (DESIGN.md: Inline mode).
 *
 * With a paired output port, detectors write a verdict into each cell of a
 * chunk; when the chunk comes back, the capture process that owns it sends
 * the passed packets on the paired port with rte_eth_tx_burst, zero-copy,
 * in the order they arrived (a flow's packets share one detector and that
 * detector returns its chunks in order), frees the blocked ones, and for
 * reject sends a TCP RST toward the destination in place of the packet.
 * Packets that find no free chunk are forwarded uninspected (fail open) or
 * dropped (fail closed), and bypass filters forward matching traffic
 * without inspection; everything is counted per queue.
 */
#include "capture/inline.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring_peek.h>
#include <rte_tcp.h>

#include "capture/flowkey.h"
#include "rules/sets.h"
#include "sensor/log.h"

/* "proto src sport dst dport" -> filter; -1 with err on a bad one. */
static int parse_filter(cap_bypass_t *b, const char *text, ws_err_t *err)
{
    char proto[16], src[128], sport[64], dst[128], dport[64];

    memset(b, 0, sizeof(*b));
    if (sscanf(text, "%15s %127s %63s %127s %63s", proto, src, sport, dst, dport) != 5)
        return ws_err_set(err, "bypass '%s': expected \"proto src sport dst dport\"", text);
    b->proto = !strcmp(proto, "tcp") ? 6 : !strcmp(proto, "udp") ? 17
               : !strcmp(proto, "icmp") ? 1 : !strcmp(proto, "ip") ? 0 : -1;
    if (b->proto < 0)
        return ws_err_set(err, "bypass '%s': protocol must be ip, tcp, udp or icmp", text);
    if (rule_addrset_parse(&b->src, src, NULL, err) < 0
        || rule_addrset_parse(&b->dst, dst, NULL, err) < 0
        || rule_portset_parse(&b->sport, sport, NULL, err) < 0
        || rule_portset_parse(&b->dport, dport, NULL, err) < 0)
        return -1;
    return 0;
}

int cap_inline_init(cap_inline_t *in, const ws_shm_t *shm, uint16_t sensor, ws_err_t *err)
{
    const ws_sensor_shm_t *s = &shm->sensors[sensor];

    memset(in, 0, sizeof(*in));
    in->on = s->out_port != UINT16_MAX;
    in->port = s->out_port;
    in->fail_open = s->fail_open;
    for (uint16_t i = 0; i < s->nbypass && i < CAP_MAX_BYPASS; i++) {
        if (parse_filter(&in->bypass[i], s->bypass[i], err) < 0)
            return -1;
        in->nbypass++;
    }
    return 0;
}

static bool addr_in(const rule_addrset_t *set, const uint8_t *a, uint8_t family)
{
    if (family == 4) {
        uint32_t v;
        memcpy(&v, a, 4);
        return rule_addrset_has4(set, ntohl(v));
    }
    return rule_addrset_has6(set, a);
}

static bool one_way(const cap_bypass_t *b, const ws_flow_key_t *k, const uint8_t *sa,
                    uint16_t sp, const uint8_t *da, uint16_t dp)
{
    return addr_in(&b->src, sa, k->family) && addr_in(&b->dst, da, k->family)
           && rule_portset_has(&b->sport, sp) && rule_portset_has(&b->dport, dp);
}

bool cap_inline_bypass(const cap_inline_t *in, const ws_flow_key_t *k)
{
    for (unsigned i = 0; i < in->nbypass; i++) {
        const cap_bypass_t *b = &in->bypass[i];
        if (k->family == 0 || (b->proto != 0 && b->proto != k->proto))
            continue;
        if (one_way(b, k, k->addr_lo, k->port_lo, k->addr_hi, k->port_hi)
            || one_way(b, k, k->addr_hi, k->port_hi, k->addr_lo, k->port_lo))
            return true;
    }
    return false;
}

/* Send what tx_burst did not take again a few times, then count it. */
static void send_all(cap_inline_t *in, ws_queue_shm_t *st, uint16_t txq,
                     struct rte_mbuf **pkts, uint16_t n)
{
    uint16_t sent = 0;

    for (int tries = 0; sent < n && tries < 64; tries++)
        sent += rte_eth_tx_burst(in->port, txq, pkts + sent, (uint16_t)(n - sent));
    if (sent < n) {
        st->tx_errors += (uint64_t)(n - sent);
        rte_pktmbuf_free_bulk(pkts + sent, (unsigned)(n - sent));
    }
}

void cap_inline_send_one(cap_inline_t *in, ws_queue_shm_t *st, uint16_t txq,
                         struct rte_mbuf *m)
{
    send_all(in, st, txq, &m, 1);
}

/*
 * Turn a rejected packet into what Snort's reject sends, in place:
 *  - TCP: the RST the receiver would accept (same addresses and ports, the
 *    packet's sequence number, RST+ACK, no payload);
 *  - UDP and other IPv4: an ICMP port (or protocol) unreachable toward the
 *    sender, quoting the packet's IP header and first 8 bytes.
 * Only Ethernet + IPv4 without VLAN for now; anything else is just dropped.
 */
static bool make_rst(struct rte_mbuf *m)
{
    uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
    uint32_t len = rte_pktmbuf_data_len(m);
    struct rte_ipv4_hdr *ip;
    struct rte_tcp_hdr *tcp;
    uint32_t ihl;

    if (m->nb_segs != 1 || len < 14 + 20 + 8 || p[12] != 0x08 || p[13] != 0x00)
        return false;
    ip = (struct rte_ipv4_hdr *)(p + 14);
    ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
    if ((ip->version_ihl >> 4) != 4 || ihl < 20 || len < 14 + ihl + 8)
        return false;
    if (ip->next_proto_id != IPPROTO_TCP) {
        /* ICMP unreachable to the sender: MACs and addresses swapped */
        uint8_t quote[60 + 8], mac[6];
        uint32_t qlen = ihl + 8;
        struct rte_ipv4_hdr *nip;
        uint8_t *icmp;
        uint32_t saddr = ip->src_addr, daddr = ip->dst_addr;
        uint8_t code = ip->next_proto_id == IPPROTO_UDP ? 3 : 2;

        memcpy(quote, ip, qlen);
        memcpy(mac, p, 6);
        memcpy(p, p + 6, 6);
        memcpy(p + 6, mac, 6);
        if (rte_pktmbuf_data_len(m) < 14 + 20 + 8 + qlen
            && rte_pktmbuf_append(m, (uint16_t)(14 + 20 + 8 + qlen - rte_pktmbuf_data_len(m))) == NULL)
            return false;
        p = rte_pktmbuf_mtod(m, uint8_t *);
        nip = (struct rte_ipv4_hdr *)(p + 14);
        memset(nip, 0, 20);
        nip->version_ihl = 0x45;
        nip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 8 + qlen));
        nip->time_to_live = 64;
        nip->next_proto_id = IPPROTO_ICMP;
        nip->src_addr = daddr;
        nip->dst_addr = saddr;
        nip->hdr_checksum = rte_ipv4_cksum(nip);
        icmp = p + 14 + 20;
        memset(icmp, 0, 8);
        icmp[0] = 3;                  /* destination unreachable */
        icmp[1] = code;               /* port (UDP) or protocol unreachable */
        memcpy(icmp + 8, quote, qlen);
        uint16_t ck = rte_raw_cksum(icmp, 8 + qlen);
        ck = (uint16_t)~ck;
        memcpy(icmp + 2, &ck, 2);
        rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - (14 + 20 + 8 + qlen)));
        return true;
    }
    if (len < 14 + ihl + 20)
        return false;
    tcp = (struct rte_tcp_hdr *)(p + 14 + ihl);
    tcp->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
    tcp->data_off = 5 << 4;
    tcp->rx_win = 0;
    tcp->tcp_urp = 0;
    ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + 20));
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    tcp->cksum = 0;
    rte_pktmbuf_trim(m, (uint16_t)(len - (14 + ihl + 20)));
    tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
    return true;
}

unsigned cap_inline_reclaim(cap_inline_t *in, cap_queue_t *cq, uint16_t txq)
{
    cap_pool_t *p = &cq->pool;
    void *objs[WS_BURST];
    struct rte_mbuf *out[WS_MAX_CELLS], *drop[WS_MAX_CELLS];
    unsigned total = 0, n, i;
    uint16_t d;

    for (d = 0; d < p->nd; d++) {
        while ((n = rte_ring_dequeue_burst_start(p->recycle[d], objs, WS_BURST, NULL)) > 0) {
            for (i = 0; i < n; i++) {
                ws_chunk_t *c = objs[i];
                uint16_t nout = 0, ndrop = 0, npass = 0;
                for (uint32_t k = 0; k < c->count; k++) {
                    ws_cell_t *cell = &c->cells[k];
                    if (cell->verdict == WS_VERDICT_PASS) {
                        out[nout++] = cell->mbuf;
                        npass++;
                    } else if (cell->verdict == WS_VERDICT_REJECT && make_rst(cell->mbuf)) {
                        out[nout++] = cell->mbuf;
                        cq->st->rejects_sent++;
                        cq->st->dropped_rule++;
                    } else {
                        drop[ndrop++] = cell->mbuf;
                        cq->st->dropped_rule++;
                    }
                }
                cq->st->forwarded += npass;
                if (nout > 0)
                    send_all(in, cq->st, txq, out, nout);
                if (ndrop > 0)
                    rte_pktmbuf_free_bulk(drop, ndrop);
                c->count = 0;
                c->state = WS_CHUNK_FREE;
            }
            rte_ring_dequeue_finish(p->recycle[d], n);
            rte_ring_sp_enqueue_bulk(p->free, objs, n, NULL);
            total += n;
        }
    }
    return total;
}
