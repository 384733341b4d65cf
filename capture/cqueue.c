/*
 * cqueue.c - filling and steering chunks for one receive queue (cqueue.h).
 *
 * Steering today is flow affinity to the queue's home detector: the capture
 * hash is symmetric, so both directions of a flow share a queue and hence a
 * detector.  The buddy group's owner table (offload to the least-loaded
 * buddy) plugs in at cap_steer().
 */
#include "capture/cqueue.h"

#include <string.h>

#include <rte_cycles.h>

#include "sensor/backoff.h"
#include "sensor/log.h"

int cap_queue_init(cap_queue_t *cq, ws_shm_t *shm, uint16_t q, ws_err_t *err)
{
    memset(cq, 0, sizeof(*cq));
    if (cap_pool_attach(&cq->pool, shm, q, err) < 0)
        return -1;
    cq->st = &shm->queues[q];
    cq->home = (uint16_t)(cq->st->home - cq->pool.d_base);
    cq->flush_tsc = shm->tsc_hz / 1000000 * shm->flush_us;
    if (cq->flush_tsc == 0)
        cq->flush_tsc = 1;
    return 0;
}

static inline uint16_t cap_steer(const cap_queue_t *cq, uint32_t hash)
{
    (void)hash;
    return cq->home;
}

static inline void cap_hand_over(cap_queue_t *cq, uint16_t d)
{
    cap_pool_queue(&cq->pool, cq->open[d], d);
    cq->open[d] = NULL;
    cq->st->chunks++;
}

int cap_queue_put(cap_queue_t *cq, struct rte_mbuf *m, uint32_t hash,
                  uint64_t ts_ns, uint64_t pkt_no, uint32_t wire_len,
                  uint64_t now_tsc)
{
    uint16_t d = cap_steer(cq, hash);
    ws_chunk_t *c = cq->open[d];
    ws_cell_t *cell;

    if (c == NULL) {
        c = cap_pool_take(&cq->pool, now_tsc);
        if (c == NULL && cap_pool_reclaim(&cq->pool) > 0)
            c = cap_pool_take(&cq->pool, now_tsc);
        if (c == NULL)
            return -1;
        cq->open[d] = c;
        uint64_t used = cap_pool_in_use(&cq->pool);
        cq->st->chunks_in_use = used;
        if (used > cq->st->pool_high_water)
            cq->st->pool_high_water = used;
    }
    cell = &c->cells[c->count++];
    cell->mbuf = m;
    cell->ts_ns = ts_ns;
    cell->pkt_no = pkt_no;
    cell->hash = hash;
    cell->wire_len = wire_len;
    if (c->count == cq->pool.M)
        cap_hand_over(cq, d);
    return 0;
}

void cap_queue_flush(cap_queue_t *cq, uint64_t now_tsc, int force)
{
    uint16_t d;

    for (d = 0; d < cq->pool.nd; d++) {
        ws_chunk_t *c = cq->open[d];
        if (c != NULL && (force || now_tsc - c->open_tsc >= cq->flush_tsc))
            cap_hand_over(cq, d);
    }
    cq->st->chunks_in_use = cap_pool_in_use(&cq->pool);
}

unsigned cap_queue_open_count(const cap_queue_t *cq)
{
    unsigned n = 0;
    uint16_t d;

    for (d = 0; d < cq->pool.nd; d++)
        n += cq->open[d] != NULL;
    return n;
}

/* Wait until every chunk of the queue is back on its free ring. */
int cap_drain(cap_queue_t *cq, unsigned timeout_s)
{
    ws_backoff_t bo;
    uint64_t deadline = rte_get_tsc_cycles() + rte_get_tsc_hz() * timeout_s;

    ws_backoff_reset(&bo);
    cap_queue_flush(cq, 0, 1);
    while (cap_pool_in_use(&cq->pool) > 0) {
        if (cap_pool_reclaim(&cq->pool) > 0) {
            ws_backoff_reset(&bo);
            continue;
        }
        if (timeout_s > 0 && rte_get_tsc_cycles() > deadline) {
            ws_warn("queue %u: %u chunks still held by detectors after %u s",
                    cq->pool.q, cap_pool_in_use(&cq->pool), timeout_s);
            return -1;
        }
        ws_backoff_idle(&bo);
    }
    cq->st->chunks_in_use = 0;
    return 0;
}
