/*
 * top.c - `wiresift --top`: a live view of a running sensor.
 *
 * It joins the instance read-only as one more DPDK secondary (on the last
 * lcore id, which the supervisor never hands out), finds ws_main and
 * redraws one screen a second with plain ANSI cursor moves, so it works in
 * any terminal and over SSH: per queue the packet and bit rates, pool
 * occupancy and high-water mark, drops of each kind and flows offloaded;
 * per detector the inspection rate, backlog, flows owned and taken in from
 * buddies, alerts per second, restarts and chunk latency.  It writes
 * nothing to shared memory.  `q` or Ctrl-C quits; when standard output is
 * not a terminal it prints one screen and exits.
 */
#include "sensor/top.h"

#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memzone.h>

#include "sensor/shm.h"

static volatile sig_atomic_t top_quit;

static void on_sig(int sig)
{
    (void)sig;
    top_quit = 1;
}

typedef struct top_prev {
    uint64_t q_pkts[WS_MAX_QUEUES_ALL], q_bytes[WS_MAX_QUEUES_ALL];
    uint64_t d_pkts[WS_MAX_DETS_ALL], d_alerts[WS_MAX_DETS_ALL];
    double   t;
} top_prev_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(const ws_shm_t *shm, top_prev_t *pv, const char *prefix, int tty)
{
    double t = now_s(), dt = pv->t > 0 ? t - pv->t : 0;
    time_t wall = time(NULL);
    char ts[32];

    strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&wall));
    if (tty)
        fputs("\033[H\033[2J", stdout);
    printf("wiresift top - instance %s - %s%s\n", prefix, ts,
           shm->offline ? " - offline run" : "");
    for (uint16_t s = 0; s < shm->nsensors; s++) {
        const ws_sensor_shm_t *sn = &shm->sensors[s];
        printf("\nsensor %s  rules gen %u (%u loaded)  port drops %" PRIu64 "\n", sn->name,
               sn->rules_gen, sn->rules_loaded, sn->port_imissed + sn->port_nombuf);
        printf("  %-6s %12s %10s %11s %8s %12s %12s %10s\n", "queue", "pkt/s", "Mbit/s",
               "pool", "hiwat", "capture_drop", "deliv_drop", "offloaded");
        for (uint16_t k = 0; k < sn->nq; k++) {
            uint16_t g = (uint16_t)(sn->q_base + k);
            const ws_queue_shm_t *q = &shm->queues[g];
            double pps = dt > 0 ? (double)(q->packets - pv->q_pkts[g]) / dt : 0;
            double mbit = dt > 0 ? (double)(q->bytes - pv->q_bytes[g]) * 8 / dt / 1e6 : 0;
            char pool[32];
            snprintf(pool, sizeof(pool), "%" PRIu64 "/%u", q->chunks_in_use, shm->chunks);
            printf("  %-6u %12.0f %10.1f %11s %8" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10" PRIu64 "\n",
                   k, pps, mbit, pool, q->pool_high_water, q->capture_drops,
                   q->delivery_drops, q->flows_offloaded);
            pv->q_pkts[g] = q->packets;
            pv->q_bytes[g] = q->bytes;
        }
        printf("  %-6s %12s %8s %10s %10s %10s %9s %9s\n", "detect", "pkt/s", "backlog",
               "flows", "offl_in", "alerts/s", "restarts", "p99_us");
        for (uint16_t k = 0; k < sn->nd; k++) {
            uint16_t g = (uint16_t)(sn->d_base + k);
            const ws_det_shm_t *d = &shm->dets[g];
            const uint64_t *h = d->lat_hist;
            uint64_t in = 0;
            for (uint16_t j = 0; j < sn->nq; j++)
                in += shm->queues[sn->q_base + j].offloaded_to[k];
            double pps = dt > 0 ? (double)(d->packets - pv->d_pkts[g]) / dt : 0;
            double aps = dt > 0 ? (double)(d->alerts - pv->d_alerts[g]) / dt : 0;
            printf("  %-6u %12.0f %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10.1f %9" PRIu64
                   " %9" PRIu64 "\n", k, pps, d->backlog, d->flows, in, aps, d->restarts,
                   ws_lat_percentile(&h, 1, 0.99));
            pv->d_pkts[g] = d->packets;
            pv->d_alerts[g] = d->alerts;
        }
    }
    for (uint16_t s = 0; s < shm->nsensors; s++) {
        const ws_sensor_shm_t *sn = &shm->sensors[s];
        if (sn->out_port == UINT16_MAX)
            continue;
        printf("\ninline %s (fail %s)\n  %-6s %12s %12s %12s %12s %10s %9s\n", sn->name,
               sn->fail_open ? "open" : "closed", "queue", "forwarded", "uninspected",
               "drop_rule", "drop_policy", "rejects", "tx_err");
        for (uint16_t k = 0; k < sn->nq; k++) {
            const ws_queue_shm_t *q = &shm->queues[sn->q_base + k];
            printf("  %-6u %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10" PRIu64
                   " %9" PRIu64 "\n", k, q->forwarded, q->forwarded_uninspected, q->dropped_rule,
                   q->dropped_policy, q->rejects_sent, q->tx_errors);
        }
    }
    printf("\nexport: alerts %" PRIu64 "  suppressed %" PRIu64 "  syslog sent %" PRIu64
           " dropped %" PRIu64 "%s\n", shm->export.alerts_in, shm->export.suppressed,
           shm->export.syslog_sent, shm->export.syslog_dropped,
           tty ? "      (q quits)" : "");
    fflush(stdout);
    pv->t = t;
}

int ws_top_main(const ws_config_t *cfg)
{
    const char *prefix = cfg->eal.file_prefix[0] ? cfg->eal.file_prefix : "wiresift";
    char prefix_arg[96], lcores[32];
    char *argv[] = { "wiresift-top", "--proc-type=secondary", prefix_arg, lcores,
                     "--no-pci", "--log-level=1", "--no-telemetry", NULL };
    const struct rte_memzone *mz;
    struct termios saved, raw;
    top_prev_t pv;
    int tty = isatty(STDOUT_FILENO), raw_on = 0;

    snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", prefix);
    {
        /* the last lcore id (the supervisor never hands it out), on any CPU
         * this process may use */
        cpu_set_t set;
        int cpu = 0;
        if (sched_getaffinity(0, sizeof(set), &set) == 0)
            while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &set))
                cpu++;
        snprintf(lcores, sizeof(lcores), "--lcores=%u@%d", RTE_MAX_LCORE - 1, cpu);
    }
    if (access("/var/run/dpdk", F_OK) != 0 || rte_eal_init(7, argv) < 0) {
        fprintf(stderr, "wiresift: no running instance with file prefix '%s' to watch "
                "(start the sensor, or give its -c / --set eal.file_prefix=NAME)\n", prefix);
        return 1;
    }
    mz = rte_memzone_lookup(WS_MZ_MAIN);
    if (mz == NULL || ((const ws_shm_t *)mz->addr)->magic != WS_SHM_MAGIC) {
        fprintf(stderr, "wiresift: instance '%s' has no WireSift shared memory\n", prefix);
        rte_eal_cleanup();
        return 1;
    }
    memset(&pv, 0, sizeof(pv));
    signal(SIGINT, on_sig);
    signal(SIGTERM, on_sig);
    if (tty && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        raw.c_lflag &= (tcflag_t)~(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        raw_on = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    draw(mz->addr, &pv, prefix, tty);
    while (tty && !top_quit) {
        struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
        char ch;
        if (poll(&pfd, 1, 1000) > 0 && read(STDIN_FILENO, &ch, 1) == 1
            && (ch == 'q' || ch == 'Q'))
            break;
        draw(mz->addr, &pv, prefix, tty);
    }
    if (raw_on)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    rte_eal_cleanup();
    return 0;
}
