/*
 * detect.c - the detect role: take chunks from this detector's inboxes,
 * inspect every packet, return the chunk to its queue's capture process.
 *
 * Inspection today decodes the flow key and counts packets and bytes per flow
 * (the detection engine plugs in at det_inspect_packet).  What this file
 * guarantees is the chunk protocol that makes a detector crash harmless:
 *
 *   1. peek the chunk at the inbox's tail (rte_ring_dequeue_bulk_start):
 *      the ring's consumer tail does not move yet; record cur/cur_seq and
 *      phase INSPECT in shared memory;
 *   2. inspect; counters are kept locally;
 *   3. add the counters to shared memory, phase RETURN, chunk DONE;
 *   4. finish the dequeue (the consumer tail moves past the chunk);
 *   5. enqueue the chunk on the recycle ring; phase IDLE.
 *
 * A successor started by the supervisor after a crash (det_recover) resets
 * the consumer head of each inbox and the producer head of each recycle ring
 * to their tails (the dead process was their only consumer / producer), so a
 * chunk caught in steps 1-3 is simply inspected again from the inbox
 * (chunks_redelivered), and one caught between 3 and 5 is finished and
 * returned without being counted twice.  Detectors never free mbufs, so a
 * dead one holds none.
 */
#include "detect/detect.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ring.h>
#include <rte_ring_peek.h>

#include "capture/flowkey.h"
#include "capture/pool.h"
#include "detect/engine.h"
#include "detect/reload.h"
#include "export/logfile.h"
#include "detect/flowtab.h"
#include "sensor/backoff.h"
#include "sensor/log.h"

/* Flow-table slots the idle-flow sweep looks at after each chunk: enough to
 * go round a table of a million flows every few thousand chunks. */
#define DET_SWEEP_SLOTS 1024

/* How long a successor waits for capture to drain a recycle ring. */
#define DET_RECOVER_WAIT_S 5

typedef struct det_ctx {
    ws_shm_t        *shm;
    ws_det_shm_t    *me;
    uint16_t         gid;                      /* global detector index */
    uint16_t         local;                    /* index within the sensor */
    uint16_t         nq;
    int              linktype;
    struct rte_ring *inbox[WS_MAX_QUEUES];     /* by queue within the sensor */
    struct rte_ring *recycle[WS_MAX_QUEUES];
    det_session_t    sess;                     /* flows, streams, HTTP state */
    det_engine_t    *eng;                      /* rules in use (detect/reload.c swaps it) */
    det_reload_t     reload;
    FILE            *flow_log;                 /* debug.flow_log */
    uint8_t          linear[65536];            /* for chained mbufs */
} det_ctx_t;

/* Counters of one chunk, added to shared memory in one place (step 3). */
typedef struct det_chunk_count {
    uint64_t packets, bytes, new_flows, undecodable, alerts, tsc, latency_us;
} det_chunk_count_t;

static void det_inspect_packet(det_ctx_t *dc, const ws_cell_t *cell,
                               det_chunk_count_t *cnt)
{
    const struct rte_mbuf *m = cell->mbuf;
    const uint8_t *data = rte_pktmbuf_read(m, 0, m->pkt_len, dc->linear);
    uint64_t not_ip = dc->eng->st.not_ip;

    cnt->packets++;
    cnt->bytes += cell->wire_len;
    if (data == NULL) {
        cnt->undecodable++;
        return;
    }
    cnt->alerts += det_engine_packet(dc->eng, &dc->sess, cell, data, m->pkt_len,
                                     &cnt->new_flows);
    cnt->undecodable += dc->eng->st.not_ip - not_ip;
}

static void det_commit(det_ctx_t *dc, const det_chunk_count_t *cnt)
{
    ws_det_shm_t *me = dc->me;

    me->packets += cnt->packets;
    me->bytes += cnt->bytes;
    me->undecodable += cnt->undecodable;
    me->flows_total += cnt->new_flows;
    me->alerts += cnt->alerts;
    me->busy_tsc += cnt->tsc;
    me->flows_expired = dc->sess.flows.expired;
    me->flows_evicted = dc->sess.flows.evicted;
    me->stream_bytes = dc->sess.sm.st.bytes_in_order;
    me->stream_gaps = dc->sess.sm.st.gaps_skipped;
    me->stream_reclaims = dc->sess.sm.st.memcap_reclaims;
    me->stream_depth_reached = dc->sess.sm.st.depth_reached;
    me->stream_mem = dc->sess.sm.mem;
    me->http_requests = dc->sess.hm.st.requests;
    me->http_responses = dc->sess.hm.st.responses;
    me->http_limits = dc->sess.hm.st.header_limit + dc->sess.hm.st.body_limit
                      + dc->sess.hm.st.decompress_limit + dc->sess.hm.st.ratio_limit
                      + dc->sess.hm.st.chunk_limit + dc->sess.hm.st.pipeline_limit;
    me->http_malformed = dc->sess.hm.st.malformed;
    me->lat_hist[ws_lat_bucket(cnt->latency_us)]++;
    me->flows = dc->sess.flows.count;
    me->chunks++;
}

/* Steps 3 to 5 of the protocol, for a chunk whose counters are added. */
static void det_return(det_ctx_t *dc, ws_chunk_t *c, uint16_t qi, int in_inbox)
{
    ws_det_shm_t *me = dc->me;

    me->phase = WS_PHASE_RETURN;
    c->state = WS_CHUNK_DONE;
    rte_smp_wmb();
    if (in_inbox)
        rte_ring_dequeue_finish(dc->inbox[qi], 1);
    if (rte_ring_sp_enqueue(dc->recycle[qi], c) != 0)
        ws_err("recycle ring of queue %u full: chunk %u not returned", c->queue, c->id);
    rte_smp_wmb();
    me->phase = WS_PHASE_IDLE;
    me->cur = NULL;
}

static void det_flow_gone(const det_flow_t *f, void *arg);

static void det_process(det_ctx_t *dc, ws_chunk_t *c, uint16_t qi)
{
    det_chunk_count_t cnt = {0};
    ws_det_shm_t *me = dc->me;
    uint32_t i;

    me->cur_seq = c->seq;
    me->cur = c;
    rte_smp_wmb();
    me->phase = WS_PHASE_INSPECT;
    c->state = WS_CHUNK_INSPECTING;
    cnt.tsc = rte_get_tsc_cycles();
    for (i = 0; i < c->count; i++) {
        me->cur_cell = i;
        if (unlikely(c == me->skip_chunk) && c->seq == me->skip_seq && i == me->skip_cell) {
            me->packets_quarantined++;        /* its predecessor died on it */
            me->skip_chunk = NULL;
            continue;
        }
        if (unlikely(dc->shm->debug_crash_pkt != 0)
            && c->cells[i].pkt_no == dc->shm->debug_crash_pkt)
            abort();
        det_inspect_packet(dc, &c->cells[i], &cnt);
    }
    me->cur_cell = UINT32_MAX;
    det_engine_flush(dc->eng);
    if (c->count > 0)
        det_flowtab_expire(&dc->sess.flows, c->cells[c->count - 1].ts_ns,
                           dc->shm->flow_timeout_ns, DET_SWEEP_SLOTS, det_flow_gone, dc);
    {
        uint64_t end = rte_get_tsc_cycles();
        cnt.latency_us = (end - c->open_tsc) * 1000000 / dc->shm->tsc_hz;
        cnt.tsc = end - cnt.tsc;
    }
    if (unlikely(dc->shm->debug_chunk_delay_us > 0))
        rte_delay_us_sleep(dc->shm->debug_chunk_delay_us);
    det_commit(dc, &cnt);
    det_return(dc, c, qi, 1);
}

/* Index within the sensor of the queue a chunk belongs to. */
static uint16_t det_queue_of(const det_ctx_t *dc, const ws_chunk_t *c)
{
    return (uint16_t)(c->queue - dc->shm->sensors[dc->me->sensor].q_base);
}

/* Wait until capture has drained recycle ring r; 0 when it did. */
static int det_wait_drained(struct rte_ring *r)
{
    ws_backoff_t bo;
    uint64_t deadline = rte_get_tsc_cycles() + rte_get_tsc_hz() * DET_RECOVER_WAIT_S;

    ws_backoff_reset(&bo);
    while (rte_ring_count(r) > 0) {
        if (rte_get_tsc_cycles() > deadline)
            return -1;
        ws_backoff_idle(&bo);
    }
    return 0;
}

/* Signals that mean the process crashed by itself (not killed from outside). */
static bool det_crashed(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGFPE
           || sig == SIGILL || sig == SIGSYS;
}

/* The predecessor crashed inspecting cell k of c: keep that packet in
 * LOGDIR/quarantine.pcap (with a line in quarantine.log naming the rules
 * generation) and skip it when the chunk is inspected again, so one
 * poisonous packet cannot crash-loop the sensor. */
static void det_quarantine(det_ctx_t *dc, ws_chunk_t *c, uint32_t k)
{
    const ws_cell_t *cell = &c->cells[k];
    const struct rte_mbuf *m = cell->mbuf;
    const uint8_t *data = rte_pktmbuf_read(m, 0, m->pkt_len, dc->linear);
    struct { uint32_t sec, usec, caplen, len; } rh = {
        (uint32_t)(cell->ts_ns / 1000000000ull), (uint32_t)(cell->ts_ns % 1000000000ull / 1000),
        m->pkt_len, cell->wire_len };
    exp_file_t f;
    ws_err_t err;
    char line[256];
    int n;

    dc->me->skip_chunk = c;
    dc->me->skip_seq = c->seq;
    dc->me->skip_cell = k;
    if (exp_file_open(&f, dc->shm->log_dir, "quarantine.pcap", 0,
                      dc->shm->sensors[dc->me->sensor].linktype, &err) < 0) {
        ws_err("quarantine: %s", err.msg);
        return;
    }
    if (data != NULL) {
        exp_file_add(&f, &rh, sizeof(rh));
        exp_file_add(&f, data, m->pkt_len);
    }
    exp_file_close(&f);
    if (exp_file_open(&f, dc->shm->log_dir, "quarantine.log", 0, -1, &err) == 0) {
        n = snprintf(line, sizeof(line), "detector %u (sensor %s) died of signal %d on packet "
                     "%llu (time %llu ns) with rules generation %u\n", dc->local,
                     dc->shm->sensors[dc->me->sensor].name, dc->me->last_signal,
                     (unsigned long long)cell->pkt_no, (unsigned long long)cell->ts_ns,
                     dc->shm->sensors[dc->me->sensor].rules_gen);
        exp_file_add(&f, line, (size_t)n);
        exp_file_close(&f);
    }
    ws_warn("quarantined packet %llu of chunk %u/queue %u: the previous detector died "
            "of signal %d inspecting it", (unsigned long long)cell->pkt_no, c->id, c->queue,
            dc->me->last_signal);
}

/* Take over from a predecessor that died (see the protocol at the top). */
static void det_recover(det_ctx_t *dc)
{
    ws_det_shm_t *me = dc->me;
    ws_chunk_t *c = me->cur;
    uint64_t waiting = 0;
    uint16_t qi;

    if (dc->eng->alerts != NULL)
        dc->eng->alerts->prod.head = dc->eng->alerts->prod.tail;
    for (qi = 0; qi < dc->nq; qi++) {
        dc->inbox[qi]->cons.head = dc->inbox[qi]->cons.tail;
        dc->recycle[qi]->prod.head = dc->recycle[qi]->prod.tail;
        waiting += rte_ring_count(dc->inbox[qi]);
    }
    if (c != NULL && me->phase == WS_PHASE_INSPECT) {
        /* Still at its inbox's tail: it comes round again. */
        me->chunks_redelivered++;
        waiting--;
        if (det_crashed(me->last_signal) && me->cur_cell < c->count)
            det_quarantine(dc, c, me->cur_cell);
        ws_info("recovered: chunk %u of queue %u was being inspected; inspecting it again",
                c->id, c->queue);
    } else if (c != NULL && me->phase == WS_PHASE_RETURN && c->seq == me->cur_seq) {
        void *head = NULL;
        qi = det_queue_of(dc, c);
        if (rte_ring_dequeue_bulk_start(dc->inbox[qi], &head, 1, NULL) == 1
            && head == c) {
            rte_ring_dequeue_finish(dc->inbox[qi], 1);   /* step 4 was missing */
        } else {
            if (head != NULL)
                rte_ring_dequeue_finish(dc->inbox[qi], 0);
            if (det_wait_drained(dc->recycle[qi]) < 0)
                ws_warn("recovering chunk %u of queue %u: capture did not drain its "
                        "recycle ring in %d s", c->id, c->queue, DET_RECOVER_WAIT_S);
        }
        if (c->seq == me->cur_seq && c->state == WS_CHUNK_DONE) {
            ws_info("recovered: returning chunk %u of queue %u (already counted)",
                    c->id, c->queue);
            det_return(dc, c, qi, 0);
        }
    }
    me->phase = WS_PHASE_IDLE;
    me->cur = NULL;
    me->chunks_inbox_recovered += waiting;
    if (waiting > 0)
        ws_info("recovered: %llu chunks were waiting in the inbox",
                (unsigned long long)waiting);
}

static int det_attach(det_ctx_t *dc, ws_shm_t *shm, uint16_t gid)
{
    const ws_sensor_shm_t *s;
    cap_pool_t pool;
    ws_err_t err;
    uint16_t qi;

    dc->shm = shm;
    dc->gid = gid;
    dc->me = &shm->dets[gid];
    s = &shm->sensors[dc->me->sensor];
    dc->local = (uint16_t)(gid - s->d_base);
    dc->nq = s->nq;
    dc->linktype = s->linktype;
    for (qi = 0; qi < dc->nq; qi++) {
        if (cap_pool_attach(&pool, shm, (uint16_t)(s->q_base + qi), &err) < 0) {
            ws_err("%s", err.msg);
            return -1;
        }
        dc->inbox[qi] = pool.inbox[dc->local];
        dc->recycle[qi] = pool.recycle[dc->local];
    }
    if (det_flowtab_init(&dc->sess.flows, 1024) < 0) {
        ws_err("cannot allocate the flow table: out of memory");
        return -1;
    }
    {
        det_stream_cfg_t sc;
        det_stream_cfg_default(&sc);
        sc.depth = shm->stream_depth;
        sc.midstream = shm->midstream;
        if (shm->stream_memcap > 0)
            sc.memcap = shm->stream_memcap;
        if (det_stream_mgr_init(&dc->sess.sm, &sc, &err) < 0) {
            ws_err("stream reassembly: %s", err.msg);
            return -1;
        }
        det_http_mgr_init(&dc->sess.hm);
    }
    dc->sess.flows.max = shm->flow_max;
    dc->eng = det_engine_new(shm, gid, &err);
    if (dc->eng == NULL) {
        ws_err("loading the rules: %s", err.msg);
        return -1;
    }
    dc->me->rules_gen = dc->eng->gen;
    det_reload_init(&dc->reload, shm, gid);
    return 0;
}

/* debug.flow_log: flows go to the log when they expire and at exit. */
static void det_open_flow_log(det_ctx_t *dc)
{
    char path[WS_PATH_LEN + 64];

    snprintf(path, sizeof(path), "%s/flows-%s-%u.tsv", dc->shm->log_dir,
             dc->shm->sensors[dc->me->sensor].name, dc->local);
    dc->flow_log = fopen(path, "w");
    if (dc->flow_log == NULL)
        ws_err("cannot write %s: %s", path, strerror(errno));
}

static void det_flow_gone(const det_flow_t *f, void *arg)
{
    det_ctx_t *dc = arg;

    if (dc->flow_log != NULL)
        det_flow_dump(f, dc->flow_log);
}

static void det_write_flow_log(det_ctx_t *dc)
{
    if (dc->flow_log == NULL)
        return;
    if (det_flowtab_dump(&dc->sess.flows, dc->flow_log) < 0 || fclose(dc->flow_log) != 0)
        ws_err("writing the flow log failed: %s", strerror(errno));
    dc->flow_log = NULL;
}

int det_main(ws_shm_t *shm, uint16_t gid)
{
    static det_ctx_t dc;
    ws_backoff_t bo;
    uint16_t qi;

    if (det_attach(&dc, shm, gid) < 0)
        return 1;
    if (shm->debug_flow_log)
        det_open_flow_log(&dc);
    if (dc.me->restarts > 0)
        det_recover(&dc);
    dc.me->cur_cell = UINT32_MAX;
    dc.me->ready = 1;
    ws_backoff_reset(&bo);

    for (;;) {
        unsigned got = 0;
        uint64_t backlog = 0;

        dc.me->heartbeat++;
        for (qi = 0; qi < dc.nq; qi++) {
            void *obj;
            /* A bounded number per queue per round keeps queues fair. */
            for (int k = 0; k < 4; k++) {
                if (rte_ring_dequeue_bulk_start(dc.inbox[qi], &obj, 1, NULL) == 0)
                    break;
                det_process(&dc, obj, qi);
                got++;
            }
            backlog += rte_ring_count(dc.inbox[qi]);
        }
        dc.me->backlog = backlog;
        /* Between chunks: switch to a new rules generation once it is built. */
        det_reload_poll(&dc.reload, &dc.eng, &dc.sess.flows, dc.me);
        if (got > 0) {
            ws_backoff_reset(&bo);
            continue;
        }
        if (shm->run.stop_detect)
            break;
        ws_backoff_idle(&bo);
    }
    det_write_flow_log(&dc);
    {
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0)
            dc.me->max_rss_kb = (uint64_t)ru.ru_maxrss;
    }
    ws_info("done: %llu packets in %llu chunks, %llu flows",
            (unsigned long long)dc.me->packets, (unsigned long long)dc.me->chunks,
            (unsigned long long)dc.me->flows_total);
    det_reload_stop(&dc.reload);
    det_engine_destroy(dc.eng);
    det_flowtab_free(&dc.sess.flows);
    det_stream_mgr_free(&dc.sess.sm);
    return 0;
}
