/*
 * pool.c - creation, lookup and the capture side of a queue's ring buffer
 * pool.  See pool.h and the lifecycle in sensor/shm.h.
 */
#include "capture/pool.h"

#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_ring_peek.h>

static void obj_name(char *buf, size_t n, const char *fmt, unsigned a, unsigned b)
{
    snprintf(buf, n, fmt, a, b);
}

static struct rte_ring *ring_make(const char *name, unsigned count, int socket,
                                  unsigned flags, ws_err_t *err)
{
    struct rte_ring *r = rte_ring_create(name, count, socket,
                                         flags | RING_F_EXACT_SZ);
    if (r == NULL)
        ws_err_set(err, "rte_ring_create(%s, %u) failed: %s", name, count,
                   rte_strerror(rte_errno));
    return r;
}

int cap_pool_create(cap_pool_t *p, const ws_shm_t *shm, uint16_t q,
                    uint16_t d_base, uint16_t nd, unsigned extra, int socket,
                    ws_err_t *err)
{
    char name[RTE_MEMZONE_NAMESIZE];
    const struct rte_memzone *mz;
    unsigned nmbufs;
    uint32_t i;
    uint16_t d;

    memset(p, 0, sizeof(*p));
    p->q = q;
    p->R = shm->chunks;
    p->M = shm->cells;
    p->nd = nd;
    p->d_base = d_base;
    p->stride = ws_chunk_size(p->M);

    nmbufs = p->R * p->M + extra + WS_BURST + CAP_POOL_CACHE * 2;
    obj_name(name, sizeof(name), WS_NAME_POOL, q, 0);
    p->mp = rte_pktmbuf_pool_create(name, nmbufs, CAP_POOL_CACHE, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, socket);
    if (p->mp == NULL)
        return ws_err_set(err, "rte_pktmbuf_pool_create(%s, %u mbufs) failed: %s"
                          " (reserve more hugepages, or lower pool.chunks/pool.cells)",
                          name, nmbufs, rte_strerror(rte_errno));

    obj_name(name, sizeof(name), WS_NAME_CHUNKS, q, 0);
    mz = rte_memzone_reserve(name, p->stride * p->R, socket, 0);
    if (mz == NULL)
        return ws_err_set(err, "rte_memzone_reserve(%s, %zu bytes) failed: %s",
                          name, p->stride * p->R, rte_strerror(rte_errno));
    p->chunks = mz->addr;
    memset(p->chunks, 0, p->stride * p->R);

    obj_name(name, sizeof(name), WS_NAME_FREE, q, 0);
    p->free = ring_make(name, p->R, socket, RING_F_SP_ENQ | RING_F_SC_DEQ, err);
    if (p->free == NULL)
        return -1;
    for (d = 0; d < nd; d++) {
        obj_name(name, sizeof(name), WS_NAME_INBOX, q, d_base + d);
        p->inbox[d] = ring_make(name, p->R, socket,
                                RING_F_SP_ENQ | RING_F_SC_DEQ, err);
        if (p->inbox[d] == NULL)
            return -1;
        obj_name(name, sizeof(name), WS_NAME_RECYCLE, q, d_base + d);
        p->recycle[d] = ring_make(name, p->R, socket,
                                  RING_F_SP_ENQ | RING_F_SC_DEQ, err);
        if (p->recycle[d] == NULL)
            return -1;
    }
    for (i = 0; i < p->R; i++) {
        ws_chunk_t *c = cap_pool_chunk(p, i);
        c->id = i;
        c->queue = q;
        c->state = WS_CHUNK_FREE;
        if (rte_ring_enqueue(p->free, c) != 0)
            return ws_err_set(err, "free ring of queue %u rejected chunk %u", q, i);
    }
    return 0;
}

int cap_pool_attach(cap_pool_t *p, const ws_shm_t *shm, uint16_t q, ws_err_t *err)
{
    char name[RTE_MEMZONE_NAMESIZE];
    const struct rte_memzone *mz;
    const ws_sensor_shm_t *s;
    uint16_t d;

    if (q >= shm->nqueues)
        return ws_err_set(err, "queue %u does not exist (instance has %u)", q,
                          shm->nqueues);
    s = &shm->sensors[shm->queues[q].sensor];
    memset(p, 0, sizeof(*p));
    p->q = q;
    p->R = shm->chunks;
    p->M = shm->cells;
    p->nd = s->nd;
    p->d_base = s->d_base;
    p->stride = ws_chunk_size(p->M);

    obj_name(name, sizeof(name), WS_NAME_POOL, q, 0);
    p->mp = rte_mempool_lookup(name);
    obj_name(name, sizeof(name), WS_NAME_CHUNKS, q, 0);
    mz = rte_memzone_lookup(name);
    obj_name(name, sizeof(name), WS_NAME_FREE, q, 0);
    p->free = rte_ring_lookup(name);
    if (p->mp == NULL || mz == NULL || p->free == NULL)
        return ws_err_set(err, "queue %u's pool objects not found in shared memory"
                          " - is the supervisor running with the same file prefix?", q);
    p->chunks = mz->addr;
    for (d = 0; d < p->nd; d++) {
        obj_name(name, sizeof(name), WS_NAME_INBOX, q, p->d_base + d);
        p->inbox[d] = rte_ring_lookup(name);
        obj_name(name, sizeof(name), WS_NAME_RECYCLE, q, p->d_base + d);
        p->recycle[d] = rte_ring_lookup(name);
        if (p->inbox[d] == NULL || p->recycle[d] == NULL)
            return ws_err_set(err, "rings of queue %u / detector %u not found", q,
                              p->d_base + d);
    }
    return 0;
}

ws_chunk_t *cap_pool_take(cap_pool_t *p, uint64_t now_tsc)
{
    void *obj;
    ws_chunk_t *c;

    if (rte_ring_sc_dequeue(p->free, &obj) != 0)
        return NULL;
    c = obj;
    c->count = 0;
    c->seq++;
    c->open_tsc = now_tsc;
    c->state = WS_CHUNK_OPEN;
    return c;
}

void cap_pool_queue(cap_pool_t *p, ws_chunk_t *c, uint16_t d)
{
    c->owner = (uint16_t)(p->d_base + d);
    c->state = WS_CHUNK_QUEUED;
    /* The inbox holds R entries and a queue has only R chunks, so this
     * cannot fail; if it ever did, losing the chunk would leak R*M mbufs. */
    if (unlikely(rte_ring_sp_enqueue(p->inbox[d], c) != 0))
        rte_panic("inbox %u/%u full with %u chunks: ring accounting broken\n",
                  p->q, p->d_base + d, p->R);
}

unsigned cap_pool_reclaim(cap_pool_t *p)
{
    void *objs[WS_BURST];
    struct rte_mbuf *mbufs[WS_MAX_CELLS];
    unsigned total = 0, n, i;
    uint32_t k;
    uint16_t d;

    /* Peek, free, then finish the dequeue: a capture killed half way leaves
     * the chunks on the recycle ring with count 0, so its successor
     * (cap_recover) reclaims them again without freeing an mbuf twice. */
    for (d = 0; d < p->nd; d++) {
        while ((n = rte_ring_dequeue_burst_start(p->recycle[d], objs, WS_BURST,
                                                 NULL)) > 0) {
            for (i = 0; i < n; i++) {
                ws_chunk_t *c = objs[i];
                for (k = 0; k < c->count; k++)
                    mbufs[k] = c->cells[k].mbuf;
                rte_pktmbuf_free_bulk(mbufs, c->count);
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
