/*
 * flowstate.c - flow direction, TCP handshake state, flowbits (flowstate.h).
 *
 * The client is the side that sent the SYN; when the first packet seen is a
 * SYN-ACK it is the side that received it; otherwise (UDP, ICMP, or TCP
 * picked up midstream) it is the sender of the first packet.  A UDP or ICMP
 * flow counts as established once both directions have been seen, as
 * Snort's stream does.
 */
#include "detect/flowstate.h"
#include "detect/http.h"

#include <stdlib.h>
#include <string.h>

#include "detect/stream.h"

int det_flow_key_of(const det_packet_t *p, ws_flow_key_t *key, bool *src_is_lo)
{
    const det_ip_t *ip = det_ip_inner(p);
    uint8_t a[16] = {0}, b[16] = {0};
    size_t alen;
    int cmp;

    memset(key, 0, sizeof(*key));
    if (ip == NULL)
        return -1;
    alen = ip->version == 6 ? 16 : 4;
    memcpy(a, ip->src, alen);
    memcpy(b, ip->dst, alen);
    key->family = ip->version;
    key->proto = p->l4_proto;
    cmp = memcmp(a, b, 16);
    *src_is_lo = cmp < 0 || (cmp == 0 && p->sport <= p->dport);
    if (*src_is_lo) {
        memcpy(key->addr_lo, a, 16); key->port_lo = p->sport;
        memcpy(key->addr_hi, b, 16); key->port_hi = p->dport;
    } else {
        memcpy(key->addr_lo, b, 16); key->port_lo = p->dport;
        memcpy(key->addr_hi, a, 16); key->port_hi = p->sport;
    }
    return 0;
}

void det_flow_release(det_flow_t *f)
{
    free(f->bits);
    f->bits = NULL;
    det_http_free(f->http);
    f->http = NULL;
    det_stream_release(f->stream);
    f->stream = NULL;
    /* stream and http state are released here once those modules exist */
}

static void flow_reset(det_flow_t *f)
{
    det_flow_release(f);
    f->tcp_state = DET_TS_NONE;
    f->seen = 0;
    f->fins = 0;
    f->packets = 0;
    f->bytes = 0;
}

static void tcp_track(det_flow_t *f, uint8_t flags, bool from_client, bool midstream)
{
    bool syn = flags & DET_TCP_SYN, ack = flags & DET_TCP_ACK;

    if (flags & DET_TCP_RST) {
        f->tcp_state = DET_TS_CLOSED;
        return;
    }
    switch (f->tcp_state) {
    case DET_TS_NONE:
        if (syn && !ack)
            f->tcp_state = DET_TS_SYN_SENT;
        else if (syn && ack)
            f->tcp_state = DET_TS_SYN_RECV;
        else if (midstream)
            f->tcp_state = DET_TS_ESTABLISHED;
        break;
    case DET_TS_SYN_SENT:
        if (syn && ack && !from_client)
            f->tcp_state = DET_TS_SYN_RECV;
        break;
    case DET_TS_SYN_RECV:
        if (ack && !syn && from_client)
            f->tcp_state = DET_TS_ESTABLISHED;
        break;
    default:
        break;
    }
    if (flags & DET_TCP_FIN) {
        f->fins |= from_client ? 1 : 2;
        if (f->fins == 3 && f->tcp_state == DET_TS_ESTABLISHED)
            f->tcp_state = DET_TS_CLOSED;
    }
}

void det_flow_update(det_flow_t *f, int created, const det_packet_t *p,
                     bool src_is_lo, uint64_t ts_ns, uint64_t timeout_ns,
                     bool midstream, det_pkt_flow_t *out)
{
    bool is_tcp = p->l4_proto == 6 && (p->layers & DET_L_TCP);
    bool from_client;

    if (!created && ts_ns > f->last_ns + timeout_ns) {
        flow_reset(f);                 /* idle too long: a new flow */
        created = 1;
    }
    if (created) {
        bool client_is_src = true;
        if (is_tcp && (p->tcp.flags & (DET_TCP_SYN | DET_TCP_ACK))
                          == (DET_TCP_SYN | DET_TCP_ACK))
            client_is_src = false;     /* first packet seen is the SYN-ACK */
        f->client_is_lo = client_is_src ? src_is_lo : !src_is_lo;
        f->first_ns = ts_ns;
    }
    from_client = (src_is_lo == (bool)f->client_is_lo);
    f->seen |= from_client ? 1 : 2;
    if (is_tcp)
        tcp_track(f, p->tcp.flags, from_client, midstream);
    out->flow = f;
    out->to_server = from_client;
    out->established = is_tcp ? f->tcp_state == DET_TS_ESTABLISHED : f->seen == 3;
}

uint8_t *det_flow_bits(det_flow_t *f, uint32_t nbits)
{
    if (f->bits == NULL && nbits > 0)
        f->bits = calloc((nbits + 7) / 8, 1);
    return f->bits;
}
