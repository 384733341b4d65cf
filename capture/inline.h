/*
 * inline.h - the inline transmit path of a live capture process
 * (capture/inline.c).
 */
#ifndef WS_CAP_INLINE_H
#define WS_CAP_INLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/cqueue.h"
#include "capture/flowkey.h"
#include "rules/rule.h"
#include "sensor/err.h"
#include "sensor/shm.h"

#define CAP_MAX_BYPASS 16

/* One bypass filter: a rule header, matched in either direction. */
typedef struct cap_bypass {
    int            proto;            /* 0 = ip (any) */
    rule_addrset_t src, dst;
    rule_portset_t sport, dport;
} cap_bypass_t;

/* A capture process's view of its sensor's inline settings. */
typedef struct cap_inline {
    bool         on;                 /* the sensor has a paired output port */
    uint16_t     port;
    bool         fail_open;
    unsigned     nbypass;
    cap_bypass_t bypass[CAP_MAX_BYPASS];
} cap_inline_t;

int  cap_inline_init(cap_inline_t *in, const ws_shm_t *shm, uint16_t sensor, ws_err_t *err);
bool cap_inline_bypass(const cap_inline_t *in, const ws_flow_key_t *k);
/* Take back finished chunks: send what passed, RST for rejects, free the rest. */
unsigned cap_inline_reclaim(cap_inline_t *in, cap_queue_t *cq, uint16_t txq);
/* Send one packet uninspected (fail open, bypass). */
void cap_inline_send_one(cap_inline_t *in, ws_queue_shm_t *st, uint16_t txq,
                         struct rte_mbuf *m);

#endif
