/*
 * cqueue.h - the capture side of one receive queue: the open chunks (one per
 * destination detector), steering each packet to its flow's detector, the
 * flush timeout, and the queue's counters.  Used by both the live capture
 * loop (one queue per process) and the offline reader (all of a sensor's
 * software queues in one process).
 */
#ifndef WS_CAP_CQUEUE_H
#define WS_CAP_CQUEUE_H

#include <stdint.h>

#include "capture/owner.h"
#include "capture/pool.h"
#include "sensor/shm.h"

typedef struct cap_queue {
    cap_pool_t      pool;
    ws_queue_shm_t *st;                          /* this queue's counters */
    ws_chunk_t     *open[WS_MAX_DETECTORS];      /* open chunk per detector */
    uint16_t        home;                        /* home detector, within sensor */
    uint64_t        flush_tsc;                   /* flush timeout in TSC cycles */
    /* buddy-group steering (capture/owner.h) */
    ws_owner_table_t *owner;                     /* NULL: plain affinity to home */
    int             offload;                     /* offload.enabled, and buddies exist */
    uint32_t        offload_chunks;              /* backlog (chunks) at which home offloads */
    uint64_t        timeout_us;                  /* flow timeout: slot expiry */
    uint16_t        nq;                          /* queues of the sensor */
    uint16_t        rr;                          /* tie-breaker among equal buddies */
    struct rte_ring *inbox_all[WS_MAX_QUEUES][WS_MAX_DETECTORS]; /* every inbox of the sensor */
    struct cap_inline *inl;                      /* inline mode: transmit on reclaim; NULL = IDS */
    uint16_t        txq;                         /* tx queue on the paired port */
} cap_queue_t;

/* Take back finished chunks (inline: send what passed, capture/inline.c). */
unsigned cap_queue_reclaim(cap_queue_t *cq);

int cap_queue_init(cap_queue_t *cq, ws_shm_t *shm, uint16_t q, ws_err_t *err);

/* Put one packet into the open chunk of its detector.  Returns 0, or -1 when
 * the pool has no free chunk (the caller drops or waits; mbuf untouched). */
int cap_queue_put(cap_queue_t *cq, struct rte_mbuf *m, uint32_t hash,
                  uint64_t ts_ns, uint64_t pkt_no, uint32_t wire_len,
                  uint64_t now_tsc);

/* Hand over open chunks older than the flush timeout (all when force). */
void cap_queue_flush(cap_queue_t *cq, uint64_t now_tsc, int force);

/* Chunks still open in this process. */
unsigned cap_queue_open_count(const cap_queue_t *cq);

/* How long a stopping capture waits for detectors to return its chunks. */
#define CAP_DRAIN_TIMEOUT_S 10

/* Hand over all open chunks, then wait (reclaiming) until every chunk of the
 * queue is back on its free ring.  -1 after timeout_s seconds (0: no limit). */
int cap_drain(cap_queue_t *cq, unsigned timeout_s);

/* Before the first packet: wait (up to timeout_s) until every detector of
 * the sensor has loaded its rules, so start-up does not cost packets. */
#define CAP_READY_TIMEOUT_S 60
void cap_wait_detectors(ws_shm_t *shm, uint16_t sensor, unsigned timeout_s);

/* Live capture restarted after a crash: take the queue over (recover.c). */
int cap_recover(cap_queue_t *cq);

#endif
