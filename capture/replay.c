/*
 * replay.c - the replay input: a capture file played in a loop, at a packet
 * rate, into a sensor's queues, with live semantics.
 *
 * This is how the buddy-group experiments run on a machine without a NIC
 * worth the name: the file is read into memory once; each pass sends every
 * packet, paced on the TSC, to queue (flow hash % Q), except that a chosen
 * share of the flows (skew) and the largest flows (hot_flows) all go to
 * queue 0, the overloaded queue.  Unlike -r, nothing waits: a packet that
 * finds no free buffer or chunk is a delivery drop, counted on its queue,
 * exactly as on a live port.  Packet times are wall-clock times, so flows
 * stay alive across passes.
 */
#include "capture/capture.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "capture/cqueue.h"
#include "capture/flowkey.h"
#include "sensor/backoff.h"
#include "sensor/log.h"

typedef struct rp_pkt {
    uint32_t off, len, wire_len, hash;
    uint16_t q;
} rp_pkt_t;

typedef struct rp_file {
    uint8_t  *data;
    size_t    size, cap;
    rp_pkt_t *pkt;
    uint32_t  n, pcap;
} rp_file_t;

static int rp_add(rp_file_t *f, const struct pcap_pkthdr *h, const uint8_t *d, int lt)
{
    ws_flow_key_t key;

    if (f->n == f->pcap) {
        f->pcap = f->pcap ? f->pcap * 2 : 4096;
        rp_pkt_t *p = realloc(f->pkt, f->pcap * sizeof(*p));
        if (p == NULL)
            return -1;
        f->pkt = p;
    }
    if (f->size + h->caplen > f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 1 << 20;
        while (cap < f->size + h->caplen)
            cap *= 2;
        uint8_t *nd = realloc(f->data, cap);
        if (nd == NULL)
            return -1;
        f->data = nd;
        f->cap = cap;
    }
    memcpy(f->data + f->size, d, h->caplen);
    ws_flow_key(d, h->caplen, lt, &key);
    f->pkt[f->n] = (rp_pkt_t){ .off = (uint32_t)f->size, .len = h->caplen,
                               .wire_len = h->len, .hash = ws_flow_hash(&key) };
    f->size += h->caplen;
    f->n++;
    return 0;
}

static int cmp_u64_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Queue of every packet: hash % nq, with skew and hot flows on queue 0.
 * Hot flows: the hot_flows hashes with the most packets. */
static void rp_assign(rp_file_t *f, uint16_t nq, const ws_replay_conf_t *rc)
{
    uint64_t *count = NULL;   /* packets << 32 | hash, one per distinct hash */
    uint32_t ncount = 0, hot_cut = UINT32_MAX, i, k;
    uint64_t skew_cut = (uint64_t)(rc->skew * 10000.0);

    if (rc->hot_flows > 0 && (count = calloc(f->n, sizeof(*count))) != NULL) {
        /* packets per hash: sort the hashes, count the runs (in place:
         * the run table never overtakes the sorted hashes it reads) */
        for (i = 0; i < f->n; i++)
            count[i] = f->pkt[i].hash;
        qsort(count, f->n, sizeof(*count), cmp_u64_desc);
        for (i = 0; i < f->n; i = k) {
            uint64_t h = count[i];
            for (k = i; k < f->n && count[k] == h; k++)
                ;
            count[ncount++] = (uint64_t)(k - i) << 32 | h;
        }
        qsort(count, ncount, sizeof(*count), cmp_u64_desc);
        hot_cut = (uint32_t)rc->hot_flows < ncount ? (uint32_t)rc->hot_flows : ncount;
    }
    for (i = 0; i < f->n; i++) {
        rp_pkt_t *p = &f->pkt[i];
        int hot = 0;
        for (k = 0; count != NULL && k < hot_cut && !hot; k++)
            hot = (uint32_t)count[k] == p->hash;
        p->q = (uint16_t)((hot || (p->hash >> 8) % 10000 < skew_cut) ? 0 : p->hash % nq);
    }
    free(count);
}

static int rp_load(const char *file, rp_file_t *f, int *lt)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *d;
    pcap_t *pc = pcap_open_offline(file, errbuf);
    int rc;

    memset(f, 0, sizeof(*f));
    if (pc == NULL) {
        ws_err("replay: cannot read %s: %s", file, errbuf);
        return -1;
    }
    *lt = pcap_datalink(pc);
    while ((rc = pcap_next_ex(pc, &h, &d)) == 1)
        if (rp_add(f, h, d, *lt) < 0) {
            ws_err("replay: out of memory loading %s", file);
            pcap_close(pc);
            return -1;
        }
    if (rc == PCAP_ERROR)
        ws_warn("replay: %s: stopped after %u packets: %s", file, f->n, pcap_geterr(pc));
    pcap_close(pc);
    return f->n > 0 ? 0 : -1;
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int cap_replay_main(ws_shm_t *shm, uint16_t s)
{
    static cap_queue_t q[WS_MAX_QUEUES];
    ws_sensor_shm_t *sn = &shm->sensors[s];
    const ws_replay_conf_t *rc = &sn->replay;
    rp_file_t f;
    ws_err_t err;
    uint64_t tsc0, sent = 0, per_pkt_tsc, loop;
    uint16_t i;
    int lt, status = 0;

    for (i = 0; i < sn->nq; i++)
        if (cap_queue_init(&q[i], shm, (uint16_t)(sn->q_base + i), &err) < 0) {
            ws_err("%s", err.msg);
            return 1;
        }
    if (rp_load(sn->replay_file, &f, &lt) < 0)
        return 1;
    rp_assign(&f, sn->nq, rc);
    cap_wait_detectors(shm, s, CAP_READY_TIMEOUT_S);
    per_pkt_tsc = rc->rate > 0 ? rte_get_tsc_hz() / (uint64_t)rc->rate : 0;
    sn->replay_start_ns = wall_ns();
    ws_info("replaying %s: %u packets, %s pps, %d loops, skew %.2f, %d hot flows, "
            "into %u queues", sn->replay_file, f.n,
            rc->rate ? "paced" : "unpaced", rc->loops, rc->skew, rc->hot_flows, sn->nq);
    tsc0 = rte_get_tsc_cycles();
    for (loop = 0; (rc->loops == 0 || loop < (uint64_t)rc->loops) && !shm->run.stop_capture;
         loop++) {
        for (uint32_t k = 0; k < f.n && !shm->run.stop_capture; k++, sent++) {
            const rp_pkt_t *p = &f.pkt[k];
            cap_queue_t *cq = &q[p->q];
            uint64_t now = rte_get_tsc_cycles();

            if (per_pkt_tsc) {
                /* Pace without burning a core the detectors need: sleep
                 * while the next packet is far off, spin only the last bit. */
                uint64_t due = tsc0 + sent * per_pkt_tsc, spin = rte_get_tsc_hz() / 50000;
                while ((now = rte_get_tsc_cycles()) + spin < due) {
                    for (i = 0; i < sn->nq; i++) {
                        cap_pool_reclaim(&q[i].pool);
                        cap_queue_flush(&q[i], now, 0);
                    }
                    struct timespec ts = { 0, 20000 };
                    nanosleep(&ts, NULL);
                }
                while ((now = rte_get_tsc_cycles()) < due)
                    rte_pause();
            }
            if ((sent & 63) == 0)
                for (i = 0; i < sn->nq; i++) {
                    cap_pool_reclaim(&q[i].pool);
                    cap_queue_flush(&q[i], now, 0);
                    q[i].st->heartbeat++;
                }
            cq->st->packets++;
            cq->st->bytes += p->wire_len;
            struct rte_mbuf *m = rte_pktmbuf_alloc(cq->pool.mp);
            if (m == NULL || p->len > rte_pktmbuf_tailroom(m)) {
                cq->st->delivery_drops++;
                if (m != NULL)
                    rte_pktmbuf_free(m);
                continue;
            }
            memcpy(rte_pktmbuf_append(m, (uint16_t)p->len), f.data + p->off, p->len);
            if (cap_queue_put(cq, m, p->hash, wall_ns(), 0, p->wire_len, now) < 0) {
                cq->st->delivery_drops++;
                rte_pktmbuf_free(m);
            }
        }
        sn->replay_loops_done = loop + 1;
    }
    sn->replay_end_ns = wall_ns();
    for (i = 0; i < sn->nq; i++)
        if (cap_drain(&q[i], CAP_DRAIN_TIMEOUT_S) < 0)
            status = 1;
    free(f.data);
    free(f.pkt);
    ws_info("replay done: %llu packets sent in %llu passes",
            (unsigned long long)sent, (unsigned long long)sn->replay_loops_done);
    return status;
}
