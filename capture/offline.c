/*
 * offline.c - read a pcap or pcapng file (libpcap) into a sensor's software
 * queues, losslessly.
 *
 * One process plays the NIC for all of the sensor's -q queues: it hashes each
 * packet's flow symmetrically, picks queue hash % Q (software RSS), copies
 * the packet into a buffer of that queue's pool and puts it into a chunk.
 * Where a live queue would drop, this reader waits: it hands over its open
 * chunks, takes back finished ones, and backs off until a buffer and a chunk
 * are free.  So an offline run never drops, however slow the detectors are.
 */
#include "capture/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "capture/cqueue.h"
#include "capture/flowkey.h"
#include "sensor/backoff.h"
#include "sensor/log.h"

typedef struct cap_offline {
    ws_shm_t   *shm;
    uint16_t    nq;
    cap_queue_t q[WS_MAX_QUEUES];
} cap_offline_t;

/* Copy len bytes into a (possibly chained) mbuf from mp, or NULL if the pool
 * is out of buffers. */
static struct rte_mbuf *copy_to_mbuf(struct rte_mempool *mp, const uint8_t *data,
                                     uint32_t len)
{
    struct rte_mbuf *head = rte_pktmbuf_alloc(mp), *last = head;
    uint32_t off = 0;

    if (head == NULL)
        return NULL;
    for (;;) {
        uint32_t room = rte_pktmbuf_tailroom(last);
        uint32_t take = len - off < room ? len - off : room;
        memcpy(rte_pktmbuf_append(last, (uint16_t)take) , data + off, take);
        if (last != head)
            head->pkt_len += take;
        off += take;
        if (off == len)
            return head;
        struct rte_mbuf *seg = rte_pktmbuf_alloc(mp);
        if (seg == NULL) {
            rte_pktmbuf_free(head);
            return NULL;
        }
        last->next = seg;
        last = seg;
        head->nb_segs++;
    }
}

/* The pool is empty: make progress possible, then wait a little. */
static void wait_for_pool(cap_offline_t *o, ws_backoff_t *bo)
{
    uint16_t i;
    unsigned got = 0;

    for (i = 0; i < o->nq; i++) {
        cap_queue_flush(&o->q[i], 0, 1);
        got += cap_pool_reclaim(&o->q[i].pool);
    }
    if (got > 0)
        ws_backoff_reset(bo);
    else
        ws_backoff_idle(bo);
}

static int deliver(cap_offline_t *o, const struct pcap_pkthdr *h,
                   const uint8_t *data, uint64_t pkt_no, int lt)
{
    ws_flow_key_t key;
    ws_backoff_t bo;
    uint32_t hash;
    cap_queue_t *cq;
    struct rte_mbuf *m;
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;

    ws_flow_key(data, h->caplen, lt, &key);
    hash = ws_flow_hash(&key);
    cq = &o->q[hash % o->nq];
    ws_backoff_reset(&bo);
    while ((m = copy_to_mbuf(cq->pool.mp, data, h->caplen)) == NULL) {
        if (o->shm->run.stop_capture)
            return -1;
        wait_for_pool(o, &bo);
    }
    while (cap_queue_put(cq, m, hash, ts, pkt_no, h->len,
                         rte_get_tsc_cycles()) < 0) {
        if (o->shm->run.stop_capture) {
            rte_pktmbuf_free(m);
            return -1;
        }
        wait_for_pool(o, &bo);
    }
    cq->st->packets++;
    cq->st->bytes += h->len;
    return 0;
}

/* Progress on stderr while reading a file, only when stderr is a terminal:
 * share of the file read, packets, rate, alerts so far. */
typedef struct cap_progress {
    int      on;
    long     size;
    uint64_t next_tsc, step_tsc, start_tsc;
} cap_progress_t;

static void progress_show(cap_progress_t *pr, pcap_t *pc, const ws_shm_t *shm,
                          uint64_t pkts, int last)
{
    uint64_t now = rte_get_tsc_cycles(), alerts = 0;
    FILE *f = pcap_file(pc);
    double secs = (double)(now - pr->start_tsc) / (double)rte_get_tsc_hz();
    long pos = f != NULL ? ftell(f) : -1;

    if (!pr->on || (!last && now < pr->next_tsc))
        return;
    pr->next_tsc = now + pr->step_tsc;
    for (uint16_t d = 0; d < shm->ndets; d++)
        alerts += shm->dets[d].alerts;
    fprintf(stderr, "\r%5.1f%%  %llu packets  %.0f packets/s  %llu alerts   ",
            last ? 100.0 : (pos >= 0 && pr->size > 0 ? 100.0 * (double)pos / (double)pr->size : 0),
            (unsigned long long)pkts, secs > 0 ? (double)pkts / secs : 0.0,
            (unsigned long long)alerts);
    if (last)
        fputc('\n', stderr);
}

int cap_offline_main(ws_shm_t *shm, uint16_t s)
{
    cap_progress_t pr = { 0 };
    static cap_offline_t o;
    const ws_sensor_shm_t *sn = &shm->sensors[s];
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    pcap_t *pc;
    uint64_t pkt_no = 0;
    ws_err_t err;
    uint16_t i;
    int rc, lt, status = 0;

    o.shm = shm;
    o.nq = sn->nq;
    for (i = 0; i < o.nq; i++) {
        if (cap_queue_init(&o.q[i], shm, (uint16_t)(sn->q_base + i), &err) < 0) {
            ws_err("%s", err.msg);
            return 1;
        }
    }
    cap_wait_detectors(shm, s, CAP_READY_TIMEOUT_S);
    pc = pcap_open_offline_with_tstamp_precision(shm->input_file,
                                                 PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pc == NULL) {
        ws_err("cannot read %s: %s", shm->input_file, errbuf);
        return 1;
    }
    lt = pcap_datalink(pc);
    ws_info("reading %s (link type %d) into %u queues", shm->input_file, lt, o.nq);
    if (isatty(STDERR_FILENO)) {
        struct stat st;
        pr.on = 1;
        pr.size = stat(shm->input_file, &st) == 0 ? (long)st.st_size : 0;
        pr.start_tsc = rte_get_tsc_cycles();
        pr.step_tsc = rte_get_tsc_hz() / 2;
    }

    while (!shm->run.stop_capture) {
        rc = pcap_next_ex(pc, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            break;
        if (rc != 1) {
            snprintf(shm->run.input_error_msg, sizeof(shm->run.input_error_msg),
                     "%s: after packet %llu: %s", shm->input_file,
                     (unsigned long long)pkt_no, pcap_geterr(pc));
            shm->run.input_error = 1;
            ws_warn("%s", shm->run.input_error_msg);
            break;
        }
        pkt_no++;
        if (deliver(&o, h, data, pkt_no, lt) < 0)
            break;
        if ((pkt_no & 255) == 0) {
            uint64_t tsc = rte_get_tsc_cycles();
            progress_show(&pr, pc, shm, pkt_no, 0);
            for (i = 0; i < o.nq; i++) {
                cap_queue_flush(&o.q[i], tsc, 0);
                o.q[i].st->heartbeat++;
            }
        }
    }
    progress_show(&pr, pc, shm, pkt_no, 1);
    pcap_close(pc);
    ws_info("read %llu packets; waiting for detectors to return all chunks",
            (unsigned long long)pkt_no);
    for (i = 0; i < o.nq; i++)
        if (cap_drain(&o.q[i], shm->run.stop_capture ? CAP_DRAIN_TIMEOUT_S : 0) < 0)
            status = 1;
    return status;
}
