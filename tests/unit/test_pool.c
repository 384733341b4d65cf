/*
 * test_pool.c - the chunk lifecycle and ring accounting of a queue's ring
 * buffer pool (capture/pool.c, capture/cqueue.c), in one process with DPDK
 * started --no-huge --in-memory so the test needs no hugepages.
 *
 * It plays both sides: capture takes, fills and queues chunks; a "detector"
 * dequeues them from its inbox and returns them on its recycle ring; capture
 * reclaims them and frees their mbufs in bulk.  After every round trip the
 * pool must hold exactly what it started with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "capture/cqueue.h"
#include "capture/pool.h"
#include "sensor/hugepages.h"
#include "sensor/shm.h"

#define R 8
#define M 4
#define ND 2

static ws_shm_t shm;
static uint16_t next_q;   /* each test gets fresh objects: names are per queue */

/* A one-sensor layout with ND detectors and queue q. */
static uint16_t setup_queue(cap_pool_t *p)
{
    uint16_t q = next_q++;

    shm.chunks = R;
    shm.cells = M;
    shm.flush_us = 100;
    shm.tsc_hz = rte_get_tsc_hz();
    shm.nsensors = 1;
    shm.nqueues = next_q;
    shm.sensors[0].q_base = 0;
    shm.sensors[0].nq = next_q;
    shm.sensors[0].d_base = 0;
    shm.sensors[0].nd = ND;
    shm.queues[q].sensor = 0;
    shm.queues[q].index = q;
    shm.queues[q].home = 1;
    assert_int_equal(cap_pool_create(p, &shm, q, 0, ND, 0, SOCKET_ID_ANY, NULL), 0);
    return q;
}

/* The detector side: take every chunk from inbox d, return it. */
static unsigned detector_pass(cap_pool_t *p, uint16_t d)
{
    void *obj;
    unsigned n = 0;

    while (rte_ring_sc_dequeue(p->inbox[d], &obj) == 0) {
        ws_chunk_t *c = obj;
        assert_int_equal(c->state, WS_CHUNK_QUEUED);
        assert_int_equal(c->owner, p->d_base + d);
        c->state = WS_CHUNK_INSPECTING;
        c->state = WS_CHUNK_DONE;
        assert_int_equal(rte_ring_sp_enqueue(p->recycle[d], c), 0);
        n++;
    }
    return n;
}

static void fill(cap_pool_t *p, ws_chunk_t *c, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(p->mp);
        assert_non_null(m);
        c->cells[c->count++].mbuf = m;
    }
}

static void test_create_accounting(void **state)
{
    cap_pool_t p, a;
    uint16_t q;
    (void)state;

    q = setup_queue(&p);
    assert_int_equal(rte_ring_count(p.free), R);
    assert_int_equal(cap_pool_in_use(&p), 0);
    for (int d = 0; d < ND; d++) {
        assert_int_equal(rte_ring_count(p.inbox[d]), 0);
        assert_int_equal(rte_ring_count(p.recycle[d]), 0);
    }
    assert_true(rte_mempool_avail_count(p.mp) >= R * M);
    /* A second process attaching by name sees the same objects. */
    assert_int_equal(cap_pool_attach(&a, &shm, q, NULL), 0);
    assert_ptr_equal(a.free, p.free);
    assert_ptr_equal(a.chunks, p.chunks);
    assert_ptr_equal(a.mp, p.mp);
    for (uint32_t i = 0; i < R; i++) {
        assert_int_equal(cap_pool_chunk(&p, i)->id, i);
        assert_int_equal(cap_pool_chunk(&p, i)->queue, q);
    }
}

static void test_take_until_empty(void **state)
{
    cap_pool_t p;
    ws_chunk_t *got[R];
    (void)state;

    setup_queue(&p);
    for (int i = 0; i < R; i++) {
        got[i] = cap_pool_take(&p, 1);
        assert_non_null(got[i]);
        assert_int_equal(got[i]->state, WS_CHUNK_OPEN);
        assert_int_equal(got[i]->count, 0);
        assert_int_equal(cap_pool_in_use(&p), i + 1);
    }
    assert_null(cap_pool_take(&p, 1));
    /* Nothing queued, nothing to reclaim. */
    assert_int_equal(cap_pool_reclaim(&p), 0);
}

static void test_round_trip_frees_mbufs(void **state)
{
    cap_pool_t p;
    unsigned avail0;
    (void)state;

    setup_queue(&p);
    avail0 = rte_mempool_avail_count(p.mp);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < R; i++) {
            ws_chunk_t *c = cap_pool_take(&p, 1);
            uint64_t seq = c->seq;
            fill(&p, c, (uint32_t)(i % M) + 1);
            cap_pool_queue(&p, c, (uint16_t)(i % ND));
            assert_int_equal(c->seq, seq);
        }
        assert_int_equal(rte_ring_count(p.free), 0);
        assert_int_equal(rte_ring_count(p.inbox[0]) + rte_ring_count(p.inbox[1]), R);
        assert_true(rte_mempool_avail_count(p.mp) < avail0);
        assert_int_equal(detector_pass(&p, 0) + detector_pass(&p, 1), R);
        assert_int_equal(cap_pool_reclaim(&p), R);
        assert_int_equal(rte_ring_count(p.free), R);
        assert_int_equal(rte_mempool_avail_count(p.mp), avail0);
        for (uint32_t i = 0; i < R; i++) {
            assert_int_equal(cap_pool_chunk(&p, i)->state, WS_CHUNK_FREE);
            assert_int_equal(cap_pool_chunk(&p, i)->count, 0);
            assert_int_equal(cap_pool_chunk(&p, i)->seq, (uint64_t)round + 1);
        }
    }
}

static void test_cqueue_fill_and_flush(void **state)
{
    cap_queue_t cq;
    cap_pool_t p;
    uint16_t q;
    uint64_t t0 = 1000000;
    (void)state;

    q = setup_queue(&p);
    assert_int_equal(cap_queue_init(&cq, &shm, q, NULL), 0);
    /* M packets fill one chunk, which goes straight to the home detector. */
    for (int i = 0; i < M; i++) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(p.mp);
        assert_int_equal(cap_queue_put(&cq, m, 7, 0, (uint64_t)i + 1, 60, t0), 0);
    }
    assert_int_equal(rte_ring_count(p.inbox[1]), 1);
    assert_int_equal(shm.queues[q].chunks, 1);
    /* One more stays open until the flush timeout has passed. */
    assert_int_equal(cap_queue_put(&cq, rte_pktmbuf_alloc(p.mp), 7, 0, 9, 60, t0), 0);
    assert_int_equal(cap_queue_open_count(&cq), 1);
    cap_queue_flush(&cq, t0 + cq.flush_tsc - 1, 0);
    assert_int_equal(cap_queue_open_count(&cq), 1);
    cap_queue_flush(&cq, t0 + cq.flush_tsc, 0);
    assert_int_equal(cap_queue_open_count(&cq), 0);
    assert_int_equal(rte_ring_count(p.inbox[1]), 2);
    assert_int_equal(shm.queues[q].pool_high_water, 2);
    /* The cells carry what capture put in them. */
    {
        void *obj = NULL;
        assert_int_equal(rte_ring_sc_dequeue(p.inbox[1], &obj), 0);
        ws_chunk_t *c = obj;
        assert_int_equal(c->count, M);
        assert_int_equal(c->cells[2].pkt_no, 3);
        assert_int_equal(c->cells[2].hash, 7);
        assert_int_equal(c->cells[2].wire_len, 60);
        c->state = WS_CHUNK_DONE;
        rte_ring_sp_enqueue(p.recycle[1], c);
    }
    assert_int_equal(detector_pass(&p, 1), 1);
    assert_int_equal(cap_drain(&cq, 1), 0);
    assert_int_equal(rte_ring_count(p.free), R);
}

static void test_cqueue_full_pool_refuses(void **state)
{
    cap_queue_t cq;
    cap_pool_t p;
    uint16_t q;
    int accepted = 0;
    (void)state;

    q = setup_queue(&p);
    assert_int_equal(cap_queue_init(&cq, &shm, q, NULL), 0);
    /* R chunks of M packets fit; the next packet finds no chunk. */
    for (int i = 0; i < R * M + 1; i++) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(p.mp);
        assert_non_null(m);
        if (cap_queue_put(&cq, m, 1, 0, 0, 60, 1) == 0)
            accepted++;
        else
            rte_pktmbuf_free(m);
    }
    assert_int_equal(accepted, R * M);
    assert_int_equal(shm.queues[q].pool_high_water, R);
    /* Once the detector returns chunks, capture can go on. */
    assert_int_equal(detector_pass(&p, 1), R);
    struct rte_mbuf *m = rte_pktmbuf_alloc(p.mp);
    assert_int_equal(cap_queue_put(&cq, m, 1, 0, 0, 60, 1), 0);
    cap_queue_flush(&cq, 0, 1);
    assert_int_equal(detector_pass(&p, 1), 1);
    assert_int_equal(cap_drain(&cq, 1), 0);
    assert_int_equal(rte_ring_count(p.free), R);
}

int main(void)
{
    /* --no-huge --no-shconf: no hugepage files, no shared config to clean up. */
    char prefix[64], prefix_arg[80];
    char *argv[] = { "test_pool", "--no-huge", "--no-shconf", "-m", "256", "--no-pci",
                     "--lcores=0", "--log-level=4", prefix_arg, NULL };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_accounting),
        cmocka_unit_test(test_take_until_empty),
        cmocka_unit_test(test_round_trip_frees_mbufs),
        cmocka_unit_test(test_cqueue_fill_and_flush),
        cmocka_unit_test(test_cqueue_full_pool_refuses),
    };

    snprintf(prefix, sizeof(prefix), "wsunit-%d", (int)getpid());
    snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", prefix);
    if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
        fprintf(stderr, "rte_eal_init failed\n");
        return 1;
    }
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rte_eal_cleanup();
    sv_huge_cleanup(prefix);   /* the runtime directory EAL made */
    return rc;
}
