/*
 * export.c - the export role: the only process that writes alerts anywhere.
 *
 * Detectors put fixed-size det_alert_t records into their own alert ring
 * (one producer each) and never touch a file or a socket, so a slow disk or
 * a dead syslog server can never stall inspection: when a ring is full the
 * detector counts the alert as dropped and goes on.  This process drains
 * every ring, applies threshold.conf (suppress, event_filter, rate_filter:
 * here, because their counts must span all detectors), and writes each
 * alert to every configured output: eve.json, fast.log, alerts.pcap and
 * syslog (local or remote; the syslog connection queues with a bound and
 * reconnects with backoff, never blocking this loop either).
 *
 * SIGHUP (forwarded by the supervisor through run.reopen_gen) reopens the
 * files for logrotate.  At stop, the supervisor raises stop_export after the
 * detectors have gone; the exporter drains the rings, gives syslog a moment
 * to deliver what it queued, and exits.
 */
#include "export/export.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "detect/alert.h"
#include "export/logfile.h"
#include "export/syslog.h"
#include "export/thresh_conf.h"
#include "sensor/backoff.h"
#include "sensor/log.h"

#define EXP_BURST          64
#define EXP_SYSLOG_DRAIN_MS 3000   /* at stop: how long queued syslog frames may take */
#define EXP_THRESH_ENTRIES 65536

typedef struct exp_ctx {
    ws_shm_t         *shm;
    ws_export_shm_t  *me;
    struct rte_ring  *ring[WS_MAX_DETS_ALL];
    uint16_t          nrings;
    exp_file_t        eve, fast, pcap;
    int               syslog_on;
    int               thresh_on;
    ws_thresh_t       thresh;
    uint32_t          reopen_seen;
} exp_ctx_t;

static ws_syslog_conn_t exp_syslog;          /* ~130 KiB: not on the stack */
static det_alert_t exp_batch[EXP_BURST];

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void thresh_report(void *ctx, const char *msg)
{
    (void)ctx;
    ws_warn("threshold_config: %s (line skipped)", msg);
}

static int exp_open(exp_ctx_t *x, ws_err_t *err)
{
    const ws_outputs_conf_t *o = &x->shm->outputs;
    const char *dir = x->shm->log_dir;

    x->eve.fd = x->fast.fd = x->pcap.fd = -1;
    if (o->eve_enabled && exp_file_open(&x->eve, dir, "eve.json", o->eve_rotate_mb, -1,
                                        err) < 0)
        return -1;
    if (o->fast_enabled && exp_file_open(&x->fast, dir, "fast.log", o->fast_rotate_mb, -1,
                                         err) < 0)
        return -1;
    if (o->pcap_enabled && exp_file_open(&x->pcap, dir, "alerts.pcap", 0,
                                         x->shm->sensors[0].linktype, err) < 0)
        return -1;
    if (o->syslog.enabled) {
        ws_syslog_opts_t opts;
        ws_syslog_opts_default(&opts);
        opts.queue_msgs = (uint32_t)o->syslog.queue;
        opts.queue_bytes = (size_t)o->syslog.queue * 2048;
        opts.backoff_max_ms = (uint32_t)o->syslog.reconnect_max_ms;
        if (opts.backoff_min_ms > opts.backoff_max_ms)
            opts.backoff_min_ms = opts.backoff_max_ms;
        if (ws_syslog_open(&exp_syslog, &o->syslog,
                           o->syslog.hostname[0] ? o->syslog.hostname : NULL,
                           o->syslog.app_name[0] ? o->syslog.app_name : NULL, &opts, err) < 0)
            return -1;
        x->syslog_on = 1;
    }
    if (x->shm->threshold_file[0] != '\0') {
        int bad;
        if (ws_thresh_init(&x->thresh, EXP_THRESH_ENTRIES, err) < 0)
            return -1;
        bad = ws_thresh_load(&x->thresh, x->shm->threshold_file, NULL, thresh_report,
                             NULL, err);
        if (bad < 0)
            return -1;
        x->me->threshold_lines_rejected = (uint32_t)bad;
        x->thresh_on = 1;
    }
    return 0;
}

static void exp_pcap(exp_ctx_t *x, const det_alert_t *a)
{
    struct { uint32_t sec, usec, caplen, len; } rh = {
        (uint32_t)(a->ts_ns / 1000000000ull), (uint32_t)(a->ts_ns % 1000000000ull / 1000),
        a->pkt_len, a->pkt_wire_len };

    if (a->pkt_len == 0 || x->shm->sensors[a->sensor_id].linktype != x->pcap.pcap_linktype)
        return;
    exp_file_add(&x->pcap, &rh, sizeof(rh));
    exp_file_add(&x->pcap, a->pkt, a->pkt_len);
    x->me->pcap_packets++;
}

static void exp_one(exp_ctx_t *x, const det_alert_t *a)
{
    char line[4096];
    int n;

    x->me->alerts_in++;
    if (x->thresh_on) {
        ws_thr_event_t ev = { .gid = a->gid, .sid = a->sid, .family = a->family,
                              .ts_ns = a->ts_ns };
        memcpy(ev.src, a->src, 16);
        memcpy(ev.dst, a->dst, 16);
        switch (ws_thresh_check(&x->thresh, &ev, NULL)) {
        case WS_THR_LOG:
            break;
        case WS_THR_SUPPRESSED:
            x->me->suppressed++;
            return;
        default:
            x->me->filtered++;
            return;
        }
    }
    if (x->eve.fd >= 0 && (n = det_alert_format_eve(a, line, sizeof(line))) > 0) {
        exp_file_add(&x->eve, line, (size_t)n);
        x->me->eve_lines++;
    }
    if (x->fast.fd >= 0 && (n = det_alert_format_fast(a, line, sizeof(line))) > 0) {
        exp_file_add(&x->fast, line, (size_t)n);
        x->me->fast_lines++;
    }
    if (x->pcap.fd >= 0)
        exp_pcap(x, a);
    if (x->syslog_on)
        ws_syslog_send(&exp_syslog, a);
}

static void exp_flush(exp_ctx_t *x)
{
    exp_file_flush(&x->eve);
    exp_file_flush(&x->fast);
    exp_file_flush(&x->pcap);
    x->me->write_errors = x->eve.write_errors + x->fast.write_errors + x->pcap.write_errors;
    x->me->rotations = x->eve.rotations + x->fast.rotations;
    if (x->syslog_on) {
        const ws_syslog_stats_t *st = &exp_syslog.stats;
        ws_syslog_pump(&exp_syslog, mono_ms());
        x->me->syslog_sent = st->sent;
        x->me->syslog_dropped = st->dropped + st->format_errors;
        x->me->syslog_lost = st->lost;
        x->me->syslog_queued = st->queued;
        x->me->syslog_reconnects = st->reconnects;
        x->me->syslog_truncated = st->truncated;
    }
}

static void exp_reopen(exp_ctx_t *x)
{
    ws_err_t err;
    exp_file_t *files[] = { &x->eve, &x->fast, &x->pcap };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (exp_file_reopen(files[i], &err) < 0)
            ws_err("reopening: %s", err.msg);
    x->me->reopens++;
    ws_info("reopened the alert files");
}

/* Take what the detectors queued; returns how many records. */
static unsigned exp_drain(exp_ctx_t *x)
{
    unsigned total = 0, n, i;

    for (uint16_t r = 0; r < x->nrings; r++) {
        while ((n = rte_ring_sc_dequeue_burst_elem(x->ring[r], exp_batch,
                                                   sizeof(det_alert_t), EXP_BURST,
                                                   NULL)) > 0) {
            for (i = 0; i < n; i++)
                exp_one(x, &exp_batch[i]);
            total += n;
        }
    }
    return total;
}

static int exp_rings_empty(const exp_ctx_t *x)
{
    for (uint16_t r = 0; r < x->nrings; r++)
        if (rte_ring_count(x->ring[r]) > 0)
            return 0;
    return 1;
}

int exp_main(ws_shm_t *shm, uint16_t id)
{
    static exp_ctx_t x;
    ws_backoff_t bo;
    ws_err_t err;
    char name[64];

    (void)id;
    x.shm = shm;
    x.me = &shm->export;
    x.nrings = shm->ndets;
    for (uint16_t d = 0; d < x.nrings; d++) {
        snprintf(name, sizeof(name), WS_NAME_ALERTS, d);
        x.ring[d] = rte_ring_lookup(name);
        if (x.ring[d] == NULL) {
            ws_err("alert ring %s not found - is the supervisor running?", name);
            return 1;
        }
        /* a predecessor killed inside a dequeue: it was the only consumer */
        x.ring[d]->cons.head = x.ring[d]->cons.tail;
    }
    if (exp_open(&x, &err) < 0) {
        ws_err("outputs: %s", err.msg);
        return 1;
    }
    x.reopen_seen = shm->run.reopen_gen;
    ws_backoff_reset(&bo);
    for (;;) {
        unsigned n = exp_drain(&x);

        x.me->heartbeat++;
        exp_flush(&x);
        if (shm->run.reopen_gen != x.reopen_seen) {
            x.reopen_seen = shm->run.reopen_gen;
            exp_reopen(&x);
        }
        if (n > 0) {
            ws_backoff_reset(&bo);
            continue;
        }
        if (shm->run.stop_export && exp_rings_empty(&x))
            break;
        ws_backoff_idle(&bo);
    }
    if (x.syslog_on) {
        uint64_t until = mono_ms() + EXP_SYSLOG_DRAIN_MS;
        while (ws_syslog_pending(&exp_syslog) > 0 && mono_ms() < until) {
            struct timespec ts = { 0, 2000000 };
            ws_syslog_pump(&exp_syslog, mono_ms());
            nanosleep(&ts, NULL);
        }
        exp_flush(&x);
        if (ws_syslog_pending(&exp_syslog) > 0)
            ws_warn("syslog: %u alerts still queued at exit, counted as dropped",
                    ws_syslog_pending(&exp_syslog));
        ws_syslog_close(&exp_syslog);
        x.me->syslog_dropped = exp_syslog.stats.dropped + exp_syslog.stats.format_errors;
    }
    exp_file_close(&x.eve);
    exp_file_close(&x.fast);
    exp_file_close(&x.pcap);
    if (x.thresh_on)
        ws_thresh_free(&x.thresh);
    ws_info("done: %llu alerts exported (%llu suppressed, %llu filtered)",
            (unsigned long long)x.me->alerts_in, (unsigned long long)x.me->suppressed,
            (unsigned long long)x.me->filtered);
    return 0;
}
