/*
 * cqueue.c - filling and steering chunks for one receive queue (cqueue.h).
 *
 * Steering goes through the sensor's owner table (capture/owner.h): a flow
 * keeps the detector that first claimed it; a new flow goes to the queue's
 * home detector unless home's backlog has reached the offload threshold, in
 * which case it goes to the buddy with the smallest backlog.
 */
#include "capture/cqueue.h"

#include <string.h>

#include <rte_cycles.h>

#include "capture/inline.h"
#include "sensor/backoff.h"
#include "sensor/log.h"

int cap_queue_init(cap_queue_t *cq, ws_shm_t *shm, uint16_t q, ws_err_t *err)
{
    const ws_sensor_shm_t *s;
    cap_pool_t other;
    uint16_t i, d;

    memset(cq, 0, sizeof(*cq));
    if (cap_pool_attach(&cq->pool, shm, q, err) < 0)
        return -1;
    cq->st = &shm->queues[q];
    cq->home = (uint16_t)(cq->st->home - cq->pool.d_base);
    cq->flush_tsc = shm->tsc_hz / 1000000 * shm->flush_us;
    if (cq->flush_tsc == 0)
        cq->flush_tsc = 1;
    s = &shm->sensors[cq->st->sensor];
    cq->nq = s->nq;
    cq->owner = ws_owner_lookup(cq->st->sensor);
    cq->offload = shm->offload_enabled && cq->pool.nd > 1;
    cq->offload_chunks = (uint32_t)(shm->offload_threshold * cq->pool.R);
    cq->timeout_us = shm->flow_timeout_ns / 1000;
    for (i = 0; i < cq->nq; i++) {
        if (cap_pool_attach(&other, shm, (uint16_t)(s->q_base + i), err) < 0)
            return -1;
        for (d = 0; d < cq->pool.nd; d++)
            cq->inbox_all[i][d] = other.inbox[d];
    }
    return 0;
}

unsigned cap_queue_reclaim(cap_queue_t *cq)
{
    if (cq->inl != NULL && cq->inl->on)
        return cap_inline_reclaim(cq->inl, cq, cq->txq);
    return cap_pool_reclaim(&cq->pool);
}

/* Chunks waiting for detector d from every queue of the sensor. */
static unsigned cap_backlog(const cap_queue_t *cq, uint16_t d)
{
    unsigned n = 0;

    for (uint16_t i = 0; i < cq->nq; i++)
        n += rte_ring_count(cq->inbox_all[i][d]);
    return n;
}

/* Detector for a flow nobody owns yet: home while home's backlog is under
 * the threshold; else the least-loaded buddy (ties rotate), but only if it
 * is less loaded than home, since moving a flow costs its affinity.
 * Threshold 0 forces every new flow onto a buddy (tests, experiments). */
static uint16_t cap_place(cap_queue_t *cq)
{
    uint16_t nd = cq->pool.nd, best = cq->home, d, k;
    unsigned best_load = UINT32_MAX, home_load;

    if (!cq->offload)
        return cq->home;
    home_load = cap_backlog(cq, cq->home);
    if (home_load < cq->offload_chunks)
        return cq->home;
    cq->rr++;
    for (k = 0; k < nd; k++) {
        d = (uint16_t)((cq->rr + k) % nd);
        if (d == cq->home)
            continue;
        unsigned load = cap_backlog(cq, d);
        if (load < best_load) {
            best_load = load;
            best = d;
        }
    }
    if (cq->offload_chunks > 0 && best_load >= home_load)
        return cq->home;
    return best;
}

static inline uint16_t cap_steer(cap_queue_t *cq, uint32_t hash, uint64_t ts_ns)
{
    uint64_t now_us = ts_ns / 1000;
    int d;

    if (cq->owner == NULL)
        return cq->home;
    d = ws_owner_get(cq->owner, hash, now_us, cq->timeout_us);
    if (d >= 0)
        return (uint16_t)d;
    d = ws_owner_claim(cq->owner, hash, cap_place(cq), now_us, cq->timeout_us);
    cq->st->flows_claimed++;
    if (d != cq->home) {
        cq->st->flows_offloaded++;
        cq->st->offloaded_to[d]++;
    }
    return (uint16_t)d;
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
    uint16_t d = cap_steer(cq, hash, ts_ns);
    ws_chunk_t *c = cq->open[d];
    ws_cell_t *cell;

    if (c == NULL) {
        c = cap_pool_take(&cq->pool, now_tsc);
        if (c == NULL && cap_queue_reclaim(cq) > 0)
            c = cap_pool_take(&cq->pool, now_tsc);
        if (c == NULL)
            return -1;
        c->owner = (uint16_t)(cq->pool.d_base + d);   /* where it goes (recovery) */
        cq->open[d] = c;
        uint64_t used = cap_pool_in_use(&cq->pool);
        cq->st->chunks_in_use = used;
        if (used > cq->st->pool_high_water)
            cq->st->pool_high_water = used;
    }
    /* Fill the cell, then count it: a successor recovering this chunk after
     * a crash (cap_recover) trusts exactly count cells. */
    cell = &c->cells[c->count];
    cell->mbuf = m;
    cell->ts_ns = ts_ns;
    cell->pkt_no = pkt_no;
    cell->hash = hash;
    cell->wire_len = wire_len;
    cell->verdict = WS_VERDICT_PASS;
    rte_compiler_barrier();
    c->count++;
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
        if (cap_queue_reclaim(cq) > 0) {
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

void cap_wait_detectors(ws_shm_t *shm, uint16_t sensor, unsigned timeout_s)
{
    const ws_sensor_shm_t *s = &shm->sensors[sensor];
    uint64_t deadline = rte_get_tsc_cycles() + rte_get_tsc_hz() * timeout_s;
    ws_backoff_t bo;

    ws_backoff_reset(&bo);
    for (;;) {
        uint16_t ready = 0;
        for (uint16_t k = 0; k < s->nd; k++)
            ready += shm->dets[s->d_base + k].ready != 0;
        if (ready == s->nd || shm->run.stop_capture)
            return;
        if (rte_get_tsc_cycles() > deadline) {
            ws_warn("starting with %u of %u detectors ready after %u s", ready, s->nd,
                    timeout_s);
            return;
        }
        ws_backoff_idle(&bo);
    }
}
