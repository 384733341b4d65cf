/*
 * stats.c - stats.json and the end-of-run summary, both read from the
 * counters in shared memory (sensor/shm.h).
 *
 * stats.json keeps DESIGN.md's field names, which tools read; fields added
 * here come after them.  It is written to a temporary file and renamed, so a
 * reader never sees half a file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_ring.h>

#include "sensor/log.h"
#include "sensor/supervisor.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

typedef struct sv_totals {
    uint64_t packets, bytes, capture_drops, delivery_drops, alerts;
    uint64_t inspected, chunks_in_use;
} sv_totals_t;

static uint64_t sensor_port_drops(const ws_sensor_shm_t *s)
{
    return s->port_imissed + s->port_nombuf;
}

static void totals(const ws_shm_t *shm, sv_totals_t *t)
{
    uint16_t i;

    memset(t, 0, sizeof(*t));
    for (i = 0; i < shm->nqueues; i++) {
        const ws_queue_shm_t *q = &shm->queues[i];
        t->packets += q->packets;
        t->bytes += q->bytes;
        t->capture_drops += q->capture_drops;
        t->delivery_drops += q->delivery_drops;
        t->chunks_in_use += q->chunks_in_use;
    }
    for (i = 0; i < shm->nsensors; i++)
        t->capture_drops += sensor_port_drops(&shm->sensors[i]);
    for (i = 0; i < shm->ndets; i++) {
        t->alerts += shm->dets[i].alerts;
        t->inspected += shm->dets[i].packets;
    }
}

/* Chunks on queue g's free ring, counted by the supervisor itself: at exit
 * this is the check that no chunk leaked. */
static unsigned chunks_free(uint16_t g)
{
    char name[64];
    struct rte_ring *r;

    snprintf(name, sizeof(name), WS_NAME_FREE, g);
    r = rte_ring_lookup(name);
    return r != NULL ? rte_ring_count(r) : 0;
}

static void write_queue(FILE *f, const ws_shm_t *shm, uint16_t g, int last)
{
    const ws_queue_shm_t *q = &shm->queues[g];

    fprintf(f, "        { \"id\": %u, \"packets\": %" PRIu64 ", \"bytes\": %" PRIu64
            ", \"capture_drops\": %" PRIu64 ", \"delivery_drops\": %" PRIu64
            ", \"chunks\": %" PRIu64 ", \"pool_high_water\": %" PRIu64
            ", \"flows_offloaded\": %" PRIu64 ", \"pool_chunks\": %u"
            ", \"chunks_in_use\": %" PRIu64 ", \"chunks_free\": %u"
            ", \"flows_claimed\": %" PRIu64 ", \"restarts\": %" PRIu64
            ", \"chunks_recovered\": %" PRIu64 ", \"forwarded\": %" PRIu64
            ", \"dropped_rule\": %" PRIu64 ", \"dropped_policy\": %" PRIu64
            ", \"forwarded_uninspected\": %" PRIu64 ", \"bypassed\": %" PRIu64
            ", \"rejects_sent\": %" PRIu64 ", \"tx_errors\": %" PRIu64 " }%s\n",
            q->index, q->packets, q->bytes, q->capture_drops, q->delivery_drops,
            q->chunks, q->pool_high_water, q->flows_offloaded, shm->chunks,
            q->chunks_in_use, chunks_free(g), q->flows_claimed, q->restarts,
            q->chunks_recovered, q->forwarded, q->dropped_rule, q->dropped_policy,
            q->forwarded_uninspected, q->bypassed, q->rejects_sent, q->tx_errors,
            last ? "" : ",");
}

/* Flows the sensor's captures sent to detector g as a buddy. */
static uint64_t offloaded_in(const ws_shm_t *shm, uint16_t g)
{
    const ws_sensor_shm_t *s = &shm->sensors[shm->dets[g].sensor];
    uint64_t n = 0;

    for (uint16_t k = 0; k < s->nq; k++)
        n += shm->queues[s->q_base + k].offloaded_to[g - s->d_base];
    return n;
}

static void write_detector(FILE *f, const ws_shm_t *shm, uint16_t g, int last)
{
    const ws_det_shm_t *d = &shm->dets[g];
    const uint64_t *hist = d->lat_hist;

    fprintf(f, "        { \"id\": %u, \"packets\": %" PRIu64 ", \"bytes\": %" PRIu64
            ", \"alerts\": %" PRIu64 ", \"flows\": %" PRIu64
            ", \"flows_offloaded_in\": %" PRIu64 ", \"restarts\": %" PRIu64
            ", \"chunks_redelivered\": %" PRIu64 ", \"packets_quarantined\": %" PRIu64
            ", \"chunks\": %" PRIu64 ", \"chunks_inbox_recovered\": %" PRIu64
            ", \"flows_total\": %" PRIu64 ", \"flows_expired\": %" PRIu64
            ", \"flows_evicted\": %" PRIu64 ", \"undecodable\": %" PRIu64
            ", \"backlog\": %" PRIu64 ", \"busy_s\": %.3f, \"max_rss_kb\": %" PRIu64
            ", \"chunk_latency_p50_us\": %" PRIu64 ", \"chunk_latency_p99_us\": %" PRIu64
            ", \"rules_gen\": %u, \"reloads\": %u, \"reload_failures\": %u"
            ", \"alerts_dropped\": %" PRIu64 ",\n          \"stream\": { \"bytes\": %" PRIu64
            ", \"gaps\": %" PRIu64 ", \"memcap_reclaims\": %" PRIu64 ", \"depth_reached\": %"
            PRIu64 ", \"mem\": %" PRIu64 " }, \"http\": { \"requests\": %" PRIu64
            ", \"responses\": %" PRIu64 ", \"limits\": %" PRIu64 ", \"malformed\": %" PRIu64
            " } }%s\n",
            d->index, d->packets, d->bytes, d->alerts, d->flows,
            offloaded_in(shm, g), d->restarts, d->chunks_redelivered,
            d->packets_quarantined, d->chunks, d->chunks_inbox_recovered,
            d->flows_total, d->flows_expired, d->flows_evicted, d->undecodable, d->backlog,
            (double)d->busy_tsc / (double)shm->tsc_hz, d->max_rss_kb,
            ws_lat_percentile(&hist, 1, 0.50), ws_lat_percentile(&hist, 1, 0.99),
            d->rules_gen, d->reloads, d->reload_failures, d->alerts_dropped,
            d->stream_bytes, d->stream_gaps, d->stream_reclaims, d->stream_depth_reached,
            d->stream_mem, d->http_requests, d->http_responses, d->http_limits,
            d->http_malformed, last ? "" : ",");
}

int sv_stats_write(const sv_t *sv, const char *path)
{
    const ws_shm_t *shm = sv->shm;
    char tmp[WS_PATH_LEN + 16];
    sv_totals_t t;
    uint64_t end = sv->end_ms ? sv->end_ms : sv_now_ms();
    FILE *f;
    uint16_t i, k;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL) {
        ws_err("cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    totals(shm, &t);
    fprintf(f, "{ \"version\": 1,\n  \"mode\": \"%s\",\n",
            shm->offline ? "offline" : "live");
    if (shm->offline) {
        fprintf(f, "  \"input\": ");
        json_str(f, shm->input_file);
        fprintf(f, ",\n  \"input_error\": ");
        json_str(f, shm->run.input_error ? shm->run.input_error_msg : "");
        fprintf(f, ",\n");
    }
    fprintf(f, "  \"elapsed_s\": %.3f,\n  \"pool\": { \"chunks\": %u, \"cells\": %u, "
            "\"flush_us\": %u },\n  \"sensors\": [\n",
            (double)(end - sv->start_ms) / 1000.0, shm->chunks, shm->cells,
            shm->flush_us);
    for (i = 0; i < shm->nsensors; i++) {
        const ws_sensor_shm_t *s = &shm->sensors[i];
        fprintf(f, "    { \"name\": ");
        json_str(f, s->name);
        const uint64_t *hists[WS_MAX_DETECTORS];
        for (k = 0; k < s->nd; k++)
            hists[k] = shm->dets[s->d_base + k].lat_hist;
        fprintf(f, ",\n      \"chunk_latency_p99_us\": %" PRIu64,
                ws_lat_percentile(hists, s->nd, 0.99));
        if (s->replay_file[0] != '\0') {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            uint64_t now_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
            /* seconds: sending; until_now: from the first packet sent to this
             * write (at exit: until the last chunk was inspected) */
            fprintf(f, ",\n      \"replay\": { \"loops\": %" PRIu64 ", \"seconds\": %.3f"
                    ", \"until_now\": %.3f }", s->replay_loops_done,
                    s->replay_end_ns > s->replay_start_ns
                        ? (double)(s->replay_end_ns - s->replay_start_ns) / 1e9 : 0.0,
                    s->replay_start_ns && now_ns > s->replay_start_ns
                        ? (double)(now_ns - s->replay_start_ns) / 1e9 : 0.0);
        }
        fprintf(f, ",\n      \"port\": { \"imissed\": %" PRIu64 ", \"rx_nombuf\": %"
                PRIu64 ", \"ierrors\": %" PRIu64 " },\n      \"queues\": [\n",
                s->port_imissed, s->port_nombuf, s->port_ierrors);
        for (k = 0; k < s->nq; k++)
            write_queue(f, shm, (uint16_t)(s->q_base + k), k + 1 == s->nq);
        fprintf(f, "      ],\n      \"detectors\": [\n");
        for (k = 0; k < s->nd; k++)
            write_detector(f, shm, (uint16_t)(s->d_base + k), k + 1 == s->nd);
        fprintf(f, "      ] }%s\n", i + 1 == shm->nsensors ? "" : ",");
    }
    {
        const ws_export_shm_t *x = &shm->export;
        uint64_t ring_drops = 0;
        for (i = 0; i < shm->ndets; i++)
            ring_drops += shm->dets[i].alerts_dropped;
        fprintf(f, "  ],\n  \"export\": { \"alerts_in\": %" PRIu64 ", \"alerts_dropped\": %"
                PRIu64 ", \"eve_lines\": %" PRIu64 ", \"fast_lines\": %" PRIu64
                ", \"pcap_packets\": %" PRIu64 ", \"suppressed\": %" PRIu64
                ", \"filtered\": %" PRIu64 ", \"threshold_lines_rejected\": %u"
                ", \"write_errors\": %" PRIu64 ", \"reopens\": %" PRIu64
                ", \"rotations\": %" PRIu64 ",\n    \"syslog\": { \"sent\": %" PRIu64
                ", \"dropped\": %" PRIu64 ", \"lost\": %" PRIu64 ", \"queued\": %" PRIu64
                ", \"reconnects\": %" PRIu64 ", \"truncated\": %" PRIu64 " } },\n",
                x->alerts_in, ring_drops, x->eve_lines, x->fast_lines, x->pcap_packets,
                x->suppressed, x->filtered, x->threshold_lines_rejected, x->write_errors,
                x->reopens, x->rotations, x->syslog_sent, x->syslog_dropped, x->syslog_lost,
                x->syslog_queued, x->syslog_reconnects, x->syslog_truncated);
    }
    fprintf(f, "  \"totals\": { \"packets\": %" PRIu64 ", \"bytes\": %" PRIu64
            ", \"capture_drops\": %" PRIu64 ", \"delivery_drops\": %" PRIu64
            ", \"alerts\": %" PRIu64 ", \"inspected\": %" PRIu64
            ", \"chunks_in_use\": %" PRIu64 " }\n}\n",
            t.packets, t.bytes, t.capture_drops, t.delivery_drops, t.alerts,
            t.inspected, t.chunks_in_use);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        ws_err("cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

void sv_stats_summary(const sv_t *sv, FILE *out)
{
    const ws_shm_t *shm = sv->shm;
    uint64_t end = sv->end_ms ? sv->end_ms : sv_now_ms();
    double secs = (double)(end - sv->start_ms) / 1000.0;
    sv_totals_t t;
    uint16_t i, k;

    totals(shm, &t);
    if (secs <= 0)
        secs = 0.001;
    fprintf(out, "\nwiresift: %" PRIu64 " packets, %" PRIu64 " bytes in %.2f s "
            "(%.0f packets/s, %.1f Mbit/s)\n", t.packets, t.bytes, secs,
            (double)t.packets / secs, (double)t.bytes * 8 / secs / 1e6);
    for (i = 0; i < shm->nsensors; i++) {
        const ws_sensor_shm_t *s = &shm->sensors[i];
        fprintf(out, "sensor %s\n  %-8s %12s %14s %10s %10s %9s %6s %9s\n", s->name,
                "queue", "packets", "bytes", "cap_drop", "dlv_drop", "chunks", "hiwat",
                "offloaded");
        for (k = 0; k < s->nq; k++) {
            const ws_queue_shm_t *q = &shm->queues[s->q_base + k];
            fprintf(out, "  %-8u %12" PRIu64 " %14" PRIu64 " %10" PRIu64 " %10" PRIu64
                    " %9" PRIu64 " %6" PRIu64 " %9" PRIu64 "\n", k, q->packets, q->bytes,
                    q->capture_drops, q->delivery_drops, q->chunks, q->pool_high_water,
                    q->flows_offloaded);
        }
        fprintf(out, "  %-8s %12s %14s %10s %10s %9s %6s\n", "detector", "packets",
                "bytes", "flows", "alerts", "restarts", "redlv");
        for (k = 0; k < s->nd; k++) {
            const ws_det_shm_t *d = &shm->dets[s->d_base + k];
            fprintf(out, "  %-8u %12" PRIu64 " %14" PRIu64 " %10" PRIu64 " %10" PRIu64
                    " %9" PRIu64 " %6" PRIu64 "\n", k, d->packets, d->bytes,
                    d->flows_total, d->alerts, d->restarts, d->chunks_redelivered);
        }
    }
    fprintf(out, "totals: capture drops %" PRIu64 ", delivery drops %" PRIu64
            ", alerts %" PRIu64 " (written %" PRIu64 ", suppressed %" PRIu64 ", filtered %"
            PRIu64 ")\n", t.capture_drops, t.delivery_drops, t.alerts,
            shm->export.eve_lines > shm->export.fast_lines ? shm->export.eve_lines
                                                           : shm->export.fast_lines,
            shm->export.suppressed, shm->export.filtered);
    if (shm->offline && shm->run.input_error)
        fprintf(out, "input: %s\n", shm->run.input_error_msg);
}

void sv_stats_line(sv_t *sv)
{
    const ws_shm_t *shm = sv->shm;
    uint64_t now = sv_now_ms();
    char line[2048];

    for (uint16_t i = 0; i < shm->nsensors; i++) {
        const ws_sensor_shm_t *s = &shm->sensors[i];
        uint64_t pkts = 0, cdrop = s->port_imissed + s->port_nombuf, ddrop = 0;
        size_t off = 0;
        uint16_t k;

        for (k = 0; k < s->nq; k++) {
            const ws_queue_shm_t *q = &shm->queues[s->q_base + k];
            pkts += q->packets;
            cdrop += q->capture_drops;
            ddrop += q->delivery_drops;
        }
        double secs = (double)(now - sv->line_ms[i]) / 1000.0;
        off += (size_t)snprintf(line + off, sizeof(line) - off,
                                "stats '%s': %.0f pkt/s, drops capture %" PRIu64
                                " delivery %" PRIu64 ";", s->name,
                                secs > 0 ? (double)(pkts - sv->line_pkts[i]) / secs : 0.0,
                                cdrop, ddrop);
        for (k = 0; k < s->nq && off < sizeof(line); k++) {
            const ws_queue_shm_t *q = &shm->queues[s->q_base + k];
            off += (size_t)snprintf(line + off, sizeof(line) - off,
                                    " q%u in-use %" PRIu64 "/%u hiwat %" PRIu64
                                    " offloaded %" PRIu64 ";", k, q->chunks_in_use,
                                    shm->chunks, q->pool_high_water, q->flows_offloaded);
        }
        for (k = 0; k < s->nd && off < sizeof(line); k++) {
            uint16_t g = (uint16_t)(s->d_base + k);
            const ws_det_shm_t *d = &shm->dets[g];
            off += (size_t)snprintf(line + off, sizeof(line) - off,
                                    " d%u backlog %" PRIu64 " flows %" PRIu64 " in %" PRIu64
                                    " chunks %" PRIu64 " alerts %" PRIu64 ";", k, d->backlog,
                                    d->flows, offloaded_in(shm, g), d->chunks, d->alerts);
        }
        ws_info("%s", line);
        sv->line_pkts[i] = pkts;
        sv->line_ms[i] = now;
    }
}
