/*
 * pool.h - a receive queue's ring buffer pool: its packet-buffer mempool,
 * its R chunk descriptors and the free / inbox / recycle rings that move
 * chunks between capture and detectors (lifecycle in sensor/shm.h).
 *
 * The supervisor creates a pool (cap_pool_create); capture and detect
 * processes attach to it by name (cap_pool_attach).  A cap_pool_t is a
 * process-local view: plain pointers into shared memory, which DPDK maps at
 * the same address in every process of the instance.
 */
#ifndef WS_CAP_POOL_H
#define WS_CAP_POOL_H

#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "sensor/err.h"
#include "sensor/shm.h"

typedef struct cap_pool {
    uint16_t            q;            /* global queue index */
    uint16_t            nd;           /* detectors in the sensor's buddy group */
    uint16_t            d_base;       /* global index of the sensor's detector 0 */
    uint32_t            R, M;
    size_t              stride;       /* bytes per chunk descriptor */
    uint8_t            *chunks;       /* R descriptors, stride apart */
    struct rte_mempool *mp;
    struct rte_ring    *free;
    struct rte_ring    *inbox[WS_MAX_DETECTORS];   /* by detector within sensor */
    struct rte_ring    *recycle[WS_MAX_DETECTORS];
} cap_pool_t;

/* Packet buffers a queue's mempool needs beyond R x M: rx descriptors plus
 * one burst in flight and the per-lcore cache. */
#define CAP_POOL_CACHE   256

/* Primary: create queue q's objects for a sensor with nd detectors starting
 * at global detector d_base.  extra = mbufs beyond R x M (rx descriptors). */
int cap_pool_create(cap_pool_t *p, const ws_shm_t *shm, uint16_t q,
                    uint16_t d_base, uint16_t nd, unsigned extra, int socket,
                    ws_err_t *err);

/* Secondary: look queue q's objects up by name. */
int cap_pool_attach(cap_pool_t *p, const ws_shm_t *shm, uint16_t q,
                    ws_err_t *err);

static inline ws_chunk_t *cap_pool_chunk(const cap_pool_t *p, uint32_t i)
{
    return (ws_chunk_t *)(p->chunks + (size_t)i * p->stride);
}

/* Capture: take a free chunk and open it, or NULL when the pool is empty. */
ws_chunk_t *cap_pool_take(cap_pool_t *p, uint64_t now_tsc);

/* Capture: hand an open chunk to detector d (index within the sensor). */
void cap_pool_queue(cap_pool_t *p, ws_chunk_t *c, uint16_t d);

/* Capture: take back finished chunks, free their mbufs in bulk, put them on
 * the free ring.  Returns how many came back. */
unsigned cap_pool_reclaim(cap_pool_t *p);

/* Chunks currently not on the free ring. */
static inline unsigned cap_pool_in_use(const cap_pool_t *p)
{
    return p->R - rte_ring_count(p->free);
}

/* Chunks waiting in detector d's inbox from this queue. */
static inline unsigned cap_pool_backlog(const cap_pool_t *p, uint16_t d)
{
    return rte_ring_count(p->inbox[d]);
}

#endif
