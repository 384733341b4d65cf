/*
 * flowstate.h - what a detector knows about a flow beyond its counters:
 * which side is the client, how far the TCP handshake got, which directions
 * have been seen, and the flow's flowbits.  This is what the rule options
 * flow:to_server/to_client/established and flowbits read.
 *
 * Time is packet time, so an offline run decides the same way every time:
 * a flow idle for longer than flow.timeout is over, and the next packet of
 * its 5-tuple starts a new one.
 */
#ifndef WS_DET_FLOWSTATE_H
#define WS_DET_FLOWSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/flowkey.h"
#include "detect/decode.h"
#include "detect/flowtab.h"

enum det_tcp_state {
    DET_TS_NONE = 0,      /* not TCP, or nothing seen yet */
    DET_TS_SYN_SENT,     /* client's SYN seen */
    DET_TS_SYN_RECV,     /* server's SYN-ACK seen */
    DET_TS_ESTABLISHED,  /* handshake completed (or picked up midstream) */
    DET_TS_CLOSED,        /* RST seen, or both FINs */
};

/* The packet's place in its flow, for the rule verifier. */
typedef struct det_pkt_flow {
    det_flow_t *flow;
    bool        to_server;    /* client -> server */
    bool        established;
} det_pkt_flow_t;

/* Canonical key of a decoded IP packet (innermost IP header).  *src_is_lo
 * says whether the packet's source is the key's lo side.  -1 if not IP. */
int det_flow_key_of(const det_packet_t *p, ws_flow_key_t *key, bool *src_is_lo);

/*
 * Update flow f (found or created for packet p at time ts_ns) and say where
 * p stands in it.  created: f is new.  midstream: a TCP flow first seen
 * without its SYN counts as established (stream.midstream).
 */
void det_flow_update(det_flow_t *f, int created, const det_packet_t *p,
                     bool src_is_lo, uint64_t ts_ns, uint64_t timeout_ns,
                     bool midstream, det_pkt_flow_t *out);

/* The flow's flowbits array of nbits bits, allocated on first use. */
uint8_t *det_flow_bits(det_flow_t *f, uint32_t nbits);

#endif
