/*
 * metrics.c - the sensor's counters in the Prometheus text exposition
 * format (version 0.0.4): served over HTTP on a loopback address
 * (outputs.metrics.listen, e.g. "127.0.0.1:9108") and/or written to a file
 * for node_exporter's textfile collector (outputs.metrics.file, replaced
 * atomically every outputs.stats.interval seconds).
 *
 * Names follow the Prometheus conventions: a wiresift_ prefix, the unit in
 * the name (_seconds, _bytes, _chunks), _total on counters, labels for the
 * sensor, queue and detector.  The server is a tiny non-blocking HTTP/1.0
 * responder polled from the supervisor's loop: any GET gets the page, one
 * connection at a time, never blocking the supervisor for long.
 */
#include "sensor/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sensor/log.h"

/* One metric family: # HELP, # TYPE, then the caller's samples. */
static void fam(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values are sensor names (letters, digits, '_', '-', '.') and
 * numbers, so they need no escaping. */
#define QL "{sensor=\"%s\",queue=\"%u\"}"
#define DL "{sensor=\"%s\",detector=\"%u\"}"
#define SL "{sensor=\"%s\"}"

typedef uint64_t (*q_get)(const ws_queue_shm_t *q);
typedef uint64_t (*d_get)(const ws_det_shm_t *d);

#define QF(field) static uint64_t q_##field(const ws_queue_shm_t *q) { return q->field; }
#define DF(field) static uint64_t d_##field(const ws_det_shm_t *d) { return d->field; }
QF(packets) QF(bytes) QF(capture_drops) QF(delivery_drops) QF(chunks) QF(chunks_in_use)
QF(pool_high_water) QF(flows_offloaded) QF(restarts)
DF(packets) DF(bytes) DF(alerts) DF(flows) DF(restarts) DF(chunks_redelivered)
DF(packets_quarantined) DF(backlog) DF(alerts_dropped) DF(flows_evicted)

static const struct qrow { const char *name, *type, *help; q_get get; } qrows[] = {
    { "wiresift_queue_packets_total", "counter", "Packets the queue's capture process took.", q_packets },
    { "wiresift_queue_bytes_total", "counter", "Bytes on the wire of those packets.", q_bytes },
    { "wiresift_queue_capture_drops_total", "counter", "Packets the NIC dropped on this queue before capture saw them.", q_capture_drops },
    { "wiresift_queue_delivery_drops_total", "counter", "Captured packets dropped because the ring buffer pool had no free chunk.", q_delivery_drops },
    { "wiresift_queue_chunks_total", "counter", "Chunks handed to detectors.", q_chunks },
    { "wiresift_queue_pool_in_use_chunks", "gauge", "Chunks of the pool not on its free ring now.", q_chunks_in_use },
    { "wiresift_queue_pool_high_water_chunks", "gauge", "Most chunks of the pool ever in use at once.", q_pool_high_water },
    { "wiresift_queue_flows_offloaded_total", "counter", "New flows sent to a buddy detector instead of the home detector.", q_flows_offloaded },
    { "wiresift_queue_capture_restarts_total", "counter", "Times the queue's capture process was respawned.", q_restarts },
};

static const struct drow { const char *name, *type, *help; d_get get; } drows[] = {
    { "wiresift_detector_packets_total", "counter", "Packets the detector finished inspecting.", d_packets },
    { "wiresift_detector_bytes_total", "counter", "Bytes on the wire of those packets.", d_bytes },
    { "wiresift_detector_alerts_total", "counter", "Alerts the detector raised.", d_alerts },
    { "wiresift_detector_alerts_dropped_total", "counter", "Alerts lost because the detector's alert ring was full.", d_alerts_dropped },
    { "wiresift_detector_flows", "gauge", "Flows in the detector's flow table now.", d_flows },
    { "wiresift_detector_flows_evicted_total", "counter", "Flows evicted at the flow.max limit.", d_flows_evicted },
    { "wiresift_detector_restarts_total", "counter", "Times the detector was respawned.", d_restarts },
    { "wiresift_detector_chunks_redelivered_total", "counter", "Chunks a dead predecessor held, inspected again.", d_chunks_redelivered },
    { "wiresift_detector_packets_quarantined_total", "counter", "Packets a detector died on, kept in quarantine.pcap and skipped.", d_packets_quarantined },
    { "wiresift_detector_backlog_chunks", "gauge", "Chunks waiting in the detector's inboxes.", d_backlog },
};

int ws_metrics_write(const ws_shm_t *shm, uint64_t start_s, FILE *f)
{
    uint16_t i, k;
    size_t r;

    fam(f, "wiresift_start_time_seconds", "gauge", "Unix time the sensor started.");
    fprintf(f, "wiresift_start_time_seconds %" PRIu64 "\n", start_s);
    fam(f, "wiresift_rules_loaded", "gauge", "Rules loaded in the current generation.");
    for (i = 0; i < shm->nsensors; i++)
        fprintf(f, "wiresift_rules_loaded" SL " %u\n", shm->sensors[i].name,
                shm->sensors[i].rules_loaded);
    fam(f, "wiresift_rules_generation", "gauge", "Rules generation published (1 + reloads).");
    for (i = 0; i < shm->nsensors; i++)
        fprintf(f, "wiresift_rules_generation" SL " %u\n", shm->sensors[i].name,
                shm->sensors[i].rules_gen);
    fam(f, "wiresift_port_missed_packets_total", "counter",
        "Packets the port dropped for lack of rx descriptors (imissed).");
    for (i = 0; i < shm->nsensors; i++)
        fprintf(f, "wiresift_port_missed_packets_total" SL " %" PRIu64 "\n",
                shm->sensors[i].name, shm->sensors[i].port_imissed);
    for (r = 0; r < sizeof(qrows) / sizeof(qrows[0]); r++) {
        fam(f, qrows[r].name, qrows[r].type, qrows[r].help);
        for (i = 0; i < shm->nsensors; i++)
            for (k = 0; k < shm->sensors[i].nq; k++)
                fprintf(f, "%s" QL " %" PRIu64 "\n", qrows[r].name, shm->sensors[i].name, k,
                        qrows[r].get(&shm->queues[shm->sensors[i].q_base + k]));
    }
    for (r = 0; r < sizeof(drows) / sizeof(drows[0]); r++) {
        fam(f, drows[r].name, drows[r].type, drows[r].help);
        for (i = 0; i < shm->nsensors; i++)
            for (k = 0; k < shm->sensors[i].nd; k++)
                fprintf(f, "%s" DL " %" PRIu64 "\n", drows[r].name, shm->sensors[i].name, k,
                        drows[r].get(&shm->dets[shm->sensors[i].d_base + k]));
    }
    fam(f, "wiresift_detector_busy_seconds_total", "counter", "Seconds the detector spent inspecting.");
    for (i = 0; i < shm->nsensors; i++)
        for (k = 0; k < shm->sensors[i].nd; k++)
            fprintf(f, "wiresift_detector_busy_seconds_total" DL " %.6f\n", shm->sensors[i].name,
                    k, (double)shm->dets[shm->sensors[i].d_base + k].busy_tsc / (double)shm->tsc_hz);
    fam(f, "wiresift_chunk_latency_p99_seconds", "gauge",
        "99th percentile of the time from capture opening a chunk to a detector finishing it.");
    for (i = 0; i < shm->nsensors; i++) {
        const uint64_t *h[WS_MAX_DETECTORS];
        for (k = 0; k < shm->sensors[i].nd; k++)
            h[k] = shm->dets[shm->sensors[i].d_base + k].lat_hist;
        fprintf(f, "wiresift_chunk_latency_p99_seconds" SL " %.6f\n", shm->sensors[i].name,
                (double)ws_lat_percentile(h, shm->sensors[i].nd, 0.99) / 1e6);
    }
    fam(f, "wiresift_export_alerts_total", "counter", "Alerts the export process took from the detectors.");
    fprintf(f, "wiresift_export_alerts_total %" PRIu64 "\n", shm->export.alerts_in);
    fam(f, "wiresift_export_suppressed_total", "counter", "Alerts threshold.conf suppressed.");
    fprintf(f, "wiresift_export_suppressed_total %" PRIu64 "\n", shm->export.suppressed);
    fam(f, "wiresift_export_filtered_total", "counter", "Alerts threshold.conf event or rate filters held back.");
    fprintf(f, "wiresift_export_filtered_total %" PRIu64 "\n", shm->export.filtered);
    fam(f, "wiresift_syslog_sent_total", "counter", "Alerts delivered to syslog.");
    fprintf(f, "wiresift_syslog_sent_total %" PRIu64 "\n", shm->export.syslog_sent);
    fam(f, "wiresift_syslog_dropped_total", "counter", "Alerts syslog could not take (queue full while the server was away).");
    fprintf(f, "wiresift_syslog_dropped_total %" PRIu64 "\n", shm->export.syslog_dropped);
    return ferror(f) ? -1 : 0;
}

int ws_metrics_listen(ws_metrics_t *m, const char *addr, ws_err_t *err)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    struct sockaddr_in sa;
    int one = 1;
    long port;

    m->fd = -1;
    if (colon == NULL || (size_t)(colon - addr) >= sizeof(host))
        return ws_err_set(err, "outputs.metrics.listen '%s': expected ADDRESS:PORT", addr);
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    port = strtol(colon + 1, NULL, 10);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (port < 1 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return ws_err_set(err, "outputs.metrics.listen '%s': expected an IPv4 ADDRESS:PORT", addr);
    m->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m->fd < 0)
        return ws_err_set(err, "socket() failed: %s", strerror(errno));
    setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(m->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(m->fd, 16) != 0) {
        ws_err_set(err, "metrics: cannot listen on %s: %s", addr, strerror(errno));
        close(m->fd);
        m->fd = -1;
        return -1;
    }
    return 0;
}

void ws_metrics_poll(ws_metrics_t *m, const ws_shm_t *shm, uint64_t start_s)
{
    char req[2048], *page = NULL;
    size_t len = 0;
    int c;

    if (m->fd < 0)
        return;
    while ((c = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
        struct pollfd pfd = { c, POLLIN, 0 };
        FILE *mf;
        /* the request itself does not matter: wait briefly for it, answer */
        if (poll(&pfd, 1, 100) > 0 && read(c, req, sizeof(req)) < 0) {
            close(c);
            continue;
        }
        mf = open_memstream(&page, &len);
        if (mf != NULL) {
            ws_metrics_write(shm, start_s, mf);
            fclose(mf);
            dprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
                       "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", len);
            for (size_t off = 0; off < len;) {
                ssize_t n = write(c, page + off, len - off);
                if (n <= 0)
                    break;
                off += (size_t)n;
            }
            free(page);
            page = NULL;
        }
        m->scrapes++;
        close(c);
    }
}

int ws_metrics_file(const ws_shm_t *shm, uint64_t start_s, const char *path)
{
    char tmp[WS_PATH_LEN + 8];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    if (ws_metrics_write(shm, start_s, f) < 0 || fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

void ws_metrics_close(ws_metrics_t *m)
{
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
}
