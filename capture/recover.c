/*
 * recover.c - a live capture process taking over its queue after its
 * predecessor died.
 *
 * The predecessor was the only producer of the queue's inbox rings and the
 * only consumer of its recycle rings and both ends of its free ring, so the
 * successor first resets those ring heads to their tails (an operation the
 * dead process left half done is undone).  Then it reconciles the R chunk
 * descriptors against what the rings hold:
 *   - OPEN: the predecessor was filling it; its counted cells are captured
 *     packets, so the chunk goes to the detector it was meant for;
 *   - QUEUED but on no inbox: handed over to its detector;
 *   - FREE but on no ring: back on the free ring.
 * Chunks a detector holds (INSPECTING, or DONE on their way back) are left
 * alone; the normal reclaim takes them.  The mempool cache of the dead
 * process's lcore lives in shared memory and is inherited by the successor,
 * which runs on the same lcore id, so no buffer is lost there either.  What
 * the NIC dropped while no process polled the queue shows in the port's
 * imissed counter.
 */
#include "capture/cqueue.h"

#include <stdlib.h>
#include <string.h>

#include "sensor/log.h"

/* Mark the chunks on ring r (entries between its consumer and producer tails). */
static void mark_ring(const struct rte_ring *r, const cap_pool_t *p, uint8_t *on_ring)
{
    void *const *slots = (void *const *)(const void *)&r[1];
    uint32_t i;

    for (i = r->cons.tail; i != r->prod.tail; i++) {
        const ws_chunk_t *c = slots[i & r->mask];
        if (c != NULL && c->queue == p->q && c->id < p->R)
            on_ring[c->id] = 1;
    }
}

int cap_recover(cap_queue_t *cq)
{
    cap_pool_t *p = &cq->pool;
    uint8_t *on_ring = calloc(p->R, 1);
    unsigned handed = 0, freed = 0;
    uint16_t d;

    if (on_ring == NULL)
        return -1;
    p->free->prod.head = p->free->prod.tail;
    p->free->cons.head = p->free->cons.tail;
    for (d = 0; d < p->nd; d++) {
        p->inbox[d]->prod.head = p->inbox[d]->prod.tail;
        p->recycle[d]->cons.head = p->recycle[d]->cons.tail;
    }
    mark_ring(p->free, p, on_ring);
    for (d = 0; d < p->nd; d++) {
        mark_ring(p->inbox[d], p, on_ring);
        mark_ring(p->recycle[d], p, on_ring);
    }
    for (uint32_t i = 0; i < p->R; i++) {
        ws_chunk_t *c = cap_pool_chunk(p, i);
        uint16_t dl = (uint16_t)(c->owner - p->d_base);

        if (on_ring[i])
            continue;
        if ((c->state == WS_CHUNK_OPEN || c->state == WS_CHUNK_QUEUED) && dl < p->nd) {
            if (c->count == 0) {
                c->state = WS_CHUNK_FREE;
                rte_ring_sp_enqueue(p->free, c);
                freed++;
            } else {
                cap_pool_queue(p, c, dl);
                cq->st->chunks++;
                handed++;
            }
        } else if (c->state == WS_CHUNK_FREE) {
            c->count = 0;
            rte_ring_sp_enqueue(p->free, c);
            freed++;
        }
    }
    free(on_ring);
    cq->st->chunks_recovered += handed;
    ws_info("recovered queue %u after a crash: %u chunks handed to their detectors, "
            "%u put back on the free ring", p->q, handed, freed);
    return 0;
}
