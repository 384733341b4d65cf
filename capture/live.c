/*
 * live.c - the capture loop for one DPDK receive queue.
 *
 * rx_burst -> flow hash -> chunk of the flow's detector.  A packet that finds
 * no free chunk is a delivery drop: freed at once and counted, because a
 * live queue must keep draining the NIC (holding it would turn every
 * delivery drop into a capture drop, which we could no longer tell apart).
 * On stop: hand over the open chunks, wait until detectors have returned
 * all chunks, free their buffers, exit.
 */
#include "capture/capture.h"

#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "capture/cqueue.h"
#include "capture/flowkey.h"
#include "capture/inline.h"
#include "sensor/backoff.h"
#include "sensor/log.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int cap_live_main(ws_shm_t *shm, uint16_t q)
{
    cap_queue_t cq;
    static cap_inline_t inl;
    ws_err_t err;
    ws_backoff_t bo;
    struct rte_mbuf *pkts[WS_BURST];
    const ws_sensor_shm_t *s;
    uint16_t port, rxq, n, i;
    int lt;

    if (cap_queue_init(&cq, shm, q, &err) < 0) {
        ws_err("%s", err.msg);
        return 1;
    }
    if (cq.st->restarts > 0 && cap_recover(&cq) < 0) {
        ws_err("recovering queue %u: out of memory", q);
        return 1;
    }
    s = &shm->sensors[cq.st->sensor];
    port = s->port;
    rxq = cq.st->index;
    lt = s->linktype;
    if (cap_inline_init(&inl, shm, cq.st->sensor, &err) < 0) {
        ws_err("%s", err.msg);
        return 1;
    }
    if (inl.on) {
        cq.inl = &inl;
        cq.txq = rxq;
    }
    if (cq.st->restarts == 0)
        cap_wait_detectors(shm, cq.st->sensor, CAP_READY_TIMEOUT_S);
    ws_info("polling port %u rx queue %u (pool %u x %u)", port, rxq,
            cq.pool.R, cq.pool.M);
    ws_backoff_reset(&bo);

    while (!shm->run.stop_capture) {
        uint64_t tsc = rte_get_tsc_cycles();

        cq.st->heartbeat++;
        n = rte_eth_rx_burst(port, rxq, pkts, WS_BURST);
        if (n == 0) {
            cap_queue_reclaim(&cq);
            cap_queue_flush(&cq, tsc, 0);
            ws_backoff_idle(&bo);
            continue;
        }
        ws_backoff_reset(&bo);
        uint64_t ts = now_ns();
        for (i = 0; i < n; i++) {
            struct rte_mbuf *m = pkts[i];
            ws_flow_key_t key;

            ws_flow_key(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, lt, &key);
            cq.st->packets++;
            cq.st->bytes += m->pkt_len;
            if (inl.on && inl.nbypass > 0 && cap_inline_bypass(&inl, &key)) {
                cq.st->bypassed++;
                cq.st->forwarded_uninspected++;
                cap_inline_send_one(&inl, cq.st, cq.txq, m);
                continue;
            }
            if (cap_queue_put(&cq, m, ws_flow_hash(&key), ts, 0, m->pkt_len,
                              tsc) < 0) {
                cq.st->delivery_drops++;
                if (inl.on && inl.fail_open) {
                    cq.st->forwarded_uninspected++;   /* fail open */
                    cap_inline_send_one(&inl, cq.st, cq.txq, m);
                } else {
                    if (inl.on)
                        cq.st->dropped_policy++;      /* fail closed */
                    rte_pktmbuf_free(m);
                }
            }
        }
        cap_queue_flush(&cq, tsc, 0);
    }
    return cap_drain(&cq, CAP_DRAIN_TIMEOUT_S) == 0 ? 0 : 1;
}
