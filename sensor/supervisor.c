/*
 * supervisor.c - the supervisor's life: check, start DPDK as primary, lay out
 * shared memory, spawn children, watch them, drain, report, clean up.
 *
 * The main loop only reacts to flags the signal handlers set and otherwise
 * sleeps (nginx's master loop).  Stopping is a short state machine:
 *
 *   RUN --SIGTERM/SIGINT--> STOP_CAPTURE: captures hand over their open
 *       chunks and wait until detectors have returned every chunk, then exit
 *   RUN --offline file fully delivered--> (capture exits by itself)
 *   all captures gone --> STOP_DETECT: detectors finish their inboxes, exit
 *   all detectors gone --> write stats.json, print the summary, clean up.
 *
 * A second SIGTERM/SIGINT, or a drain that takes longer than SV_DRAIN_S,
 * kills what is left and exits 1.
 */
#include "sensor/supervisor.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memzone.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "capture/flowkey.h"
#include "capture/owner.h"
#include "detect/alert.h"
#include "detect/threshold.h"
#include "capture/pool.h"
#include "sensor/csum_probe.h"
#include "sensor/hugepages.h"
#include "sensor/log.h"
#include "sensor/metrics.h"

#define SV_DRAIN_S          60       /* longest a stop may take */
#define SV_TICK_MS          20
#define SV_PORT_POLL_MS     1000
#define SV_BACKOFF_MIN_MS   100
#define SV_BACKOFF_MAX_MS   10000
#define SV_STABLE_MS        10000    /* a child that lived this long resets its backoff */
#define SV_MAX_QUICK_DEATHS 8        /* quick deaths in a row before we give up */
#define SV_RX_DESC_EXTRA    2048     /* mbufs per queue beyond R x M: rx ring + slack */

enum sv_phase { SV_RUN, SV_STOP_CAPTURE, SV_STOP_DETECT, SV_STOP_EXPORT, SV_DONE };

static volatile sig_atomic_t sv_sig_child, sv_sig_stop, sv_sig_hup;

static void sv_on_signal(int sig)
{
    switch (sig) {
    case SIGCHLD: sv_sig_child = 1; break;
    case SIGHUP:  sv_sig_hup = 1; break;
    default:      sv_sig_stop++; break;
    }
}

static void sv_signals(void)
{
    struct sigaction sa;
    static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sv_on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* "(0,1,...)": the CPUs this process may run on, for children's --lcores. */
static void sv_cpu_set_all(char *buf, size_t n)
{
    cpu_set_t set;
    size_t off = 0;
    int cpu, first = 1;

    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        snprintf(buf, n, "(0)");
        return;
    }
    off += (size_t)snprintf(buf, n, "(");
    for (cpu = 0; cpu < CPU_SETSIZE && off + 8 < n; cpu++) {
        if (!CPU_ISSET(cpu, &set))
            continue;
        off += (size_t)snprintf(buf + off, n - off, "%s%d", first ? "" : ",", cpu);
        first = 0;
    }
    snprintf(buf + off, n - off, ")");
}

static void sv_cpu_pick(char *buf, size_t n, const ws_cpu_list_t *l, unsigned i,
                        const char *all)
{
    if (l->count > 0)
        snprintf(buf, n, "%u", l->cpu[i % (unsigned)l->count]);
    else
        snprintf(buf, n, "%s", all);
}

static int sv_is_pci(const char *input)
{
    unsigned a, b, c, d;
    return sscanf(input, "%x:%x:%x.%x", &a, &b, &c, &d) == 4
           || sscanf(input, "%x:%x.%x", &b, &c, &d) == 3;
}

/* Hugepage memory this instance will ask for, with slack for DPDK itself. */
static size_t sv_memory_need(const ws_config_t *cfg, unsigned nqueues)
{
    size_t per_mbuf = RTE_MBUF_DEFAULT_BUF_SIZE + sizeof(struct rte_mbuf) + 64;
    size_t per_q = ((size_t)cfg->pool.chunks * (size_t)cfg->pool.cells
                    + SV_RX_DESC_EXTRA) * per_mbuf
                   + (size_t)cfg->pool.chunks * ws_chunk_size((uint32_t)cfg->pool.cells);
    size_t dets = 0;
    for (int i = 0; i < cfg->sensor_count; i++)
        dets += (size_t)cfg->sensors[i].workers;
    size_t need = per_q * nqueues + (64u << 20)
                  + ws_owner_bytes() * (size_t)cfg->sensor_count
                  /* RING_F_EXACT_SZ rounds a ring up to the next power of two */
                  + dets * 2 * WS_ALERT_RING * sizeof(det_alert_t)
                  + (size_t)cfg->sensor_count * det_thr_shared_bytes(WS_THRESH_ENTRIES);
    size_t floor = (size_t)cfg->eal.hugepages_min << 21;
    return need > floor ? need : floor;
}

/* Build the EAL arguments: the primary's, and the part children share. */
static int sv_eal_args(sv_t *sv, char **pargv, int *pargc, ws_err_t *err)
{
    static char prefix_arg[96], lcores_arg[96], vdev_args[WS_MAX_SENSORS][WS_PATH_LEN + 8];
    static char pci_args[WS_MAX_SENSORS][WS_PATH_LEN];
    static char vdev_out[WS_MAX_SENSORS][WS_PATH_LEN + 8];
    static char extra[WS_PATH_LEN];
    const ws_config_t *cfg = sv->cfg;
    char sup_cpus[64];
    int n = 0, pci = 0, i;
    char *tok, *save;

    snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", sv->prefix);
    sv->eal_argv[sv->eal_argc++] = prefix_arg;
    sv->eal_argv[sv->eal_argc++] = (char *)"--log-level=5";
    for (i = 0; i < cfg->sensor_count && !sv->opt.input_file; i++) {
        const char *in = cfg->sensors[i].input;
        if (in[0] != '\0' && sv_is_pci(in)) {
            snprintf(pci_args[i], sizeof(pci_args[i]), "%s", in);
            sv->eal_argv[sv->eal_argc++] = (char *)"-a";
            sv->eal_argv[sv->eal_argc++] = pci_args[i];
            pci++;
        }
    }
    if (pci == 0)
        sv->eal_argv[sv->eal_argc++] = (char *)"--no-pci";

    if (cfg->eal.supervisor_cpu >= 0)
        snprintf(sup_cpus, sizeof(sup_cpus), "%d", cfg->eal.supervisor_cpu);
    else
        snprintf(sup_cpus, sizeof(sup_cpus), "%s", sv->cpus_all);
    snprintf(lcores_arg, sizeof(lcores_arg), "--lcores=0@%s", sup_cpus);

    pargv[n++] = (char *)"wiresift";
    pargv[n++] = (char *)"--proc-type=primary";
    pargv[n++] = lcores_arg;
    for (i = 0; i < sv->eal_argc; i++)
        pargv[n++] = sv->eal_argv[i];
    for (i = 0; i < cfg->sensor_count && !sv->opt.input_file; i++) {
        const char *in = cfg->sensors[i].input, *out = cfg->sensors[i].output;
        if (in[0] != '\0' && !sv_is_pci(in) && !ws_is_replay(in)) {
            snprintf(vdev_args[i], sizeof(vdev_args[i]), "--vdev=%s", in);
            pargv[n++] = vdev_args[i];
        }
        if (in[0] != '\0' && out[0] != '\0' && !sv_is_pci(out)) {
            snprintf(vdev_out[i], sizeof(vdev_out[i]), "--vdev=%s", out);
            pargv[n++] = vdev_out[i];
        }
    }
    snprintf(extra, sizeof(extra), "%s", cfg->eal.extra);
    for (tok = strtok_r(extra, " \t", &save); tok != NULL && n < 60;
         tok = strtok_r(NULL, " \t", &save))
        pargv[n++] = tok;
    if (n >= 60)
        return ws_err_set(err, "eal.extra: too many arguments");
    pargv[n] = NULL;
    *pargc = n;
    return 0;
}

static int sv_check_input(const char *file, int *linktype, ws_err_t *err);

/* Lay out ws_main and create every queue's pool and rings. */
static int sv_shm_setup(sv_t *sv, int linktype, ws_err_t *err)
{
    const ws_config_t *cfg = sv->cfg;
    const struct rte_memzone *mz;
    ws_shm_t *shm;
    uint16_t q = 0, d = 0;
    int i, nsensors = sv->opt.input_file ? 1 : cfg->sensor_count;

    mz = rte_memzone_reserve(WS_MZ_MAIN, sizeof(ws_shm_t), (int)rte_socket_id(), 0);
    if (mz == NULL)
        return ws_err_set(err, "rte_memzone_reserve(%s) failed: %s", WS_MZ_MAIN,
                          rte_strerror(rte_errno));
    shm = sv->shm = mz->addr;
    memset(shm, 0, sizeof(*shm));
    shm->magic = WS_SHM_MAGIC;
    shm->version = WS_SHM_VERSION;
    shm->chunks = (uint32_t)cfg->pool.chunks;
    shm->cells = (uint32_t)cfg->pool.cells;
    shm->flush_us = (uint32_t)cfg->pool.flush_us;
    shm->tsc_hz = rte_get_tsc_hz();
    shm->offline = sv->opt.input_file != NULL;
    shm->debug_flow_log = cfg->debug.flow_log;
    shm->debug_chunk_delay_us = (uint32_t)cfg->debug.chunk_delay_us;
    shm->debug_crash_pkt = (uint64_t)cfg->debug.crash_packet;
    shm->midstream = cfg->stream.midstream;
    shm->stream_depth = (uint32_t)cfg->stream.depth;
    shm->stream_memcap = (uint64_t)cfg->stream.memcap_mb << 20;
    shm->flow_timeout_ns = (uint64_t)cfg->flow.timeout_s * 1000000000ull;
    shm->flow_max = (uint64_t)cfg->flow.max;
    shm->checksum_mode = (uint32_t)sv->opt.checksum;
    shm->outputs = cfg->outputs;
    snprintf(shm->threshold_file, sizeof(shm->threshold_file), "%s", cfg->threshold);
    shm->offload_enabled = cfg->offload.enabled;
    shm->offload_threshold = cfg->offload.threshold;
    snprintf(shm->log_dir, sizeof(shm->log_dir), "%s", cfg->log_dir);
    if (sv->opt.input_file)
        snprintf(shm->input_file, sizeof(shm->input_file), "%s", sv->opt.input_file);

    for (i = 0; i < nsensors; i++) {
        const ws_sensor_conf_t *sc = &cfg->sensors[i];
        ws_sensor_shm_t *s = &shm->sensors[i];
        if (q + sc->queues > WS_MAX_QUEUES_ALL || d + sc->workers > WS_MAX_DETS_ALL)
            return ws_err_set(err, "too many queues or detectors in all sensors "
                              "together (at most %d and %d)", WS_MAX_QUEUES_ALL,
                              WS_MAX_DETS_ALL);
        snprintf(s->name, sizeof(s->name), "%s", sc->name);
        s->q_base = q;
        s->nq = (uint16_t)sc->queues;
        s->d_base = d;
        s->nd = (uint16_t)sc->workers;
        s->port = UINT16_MAX;
        s->linktype = linktype;
        s->out_port = UINT16_MAX;
        s->fail_open = strcmp(sc->fail, "closed") != 0;
        s->nbypass = (uint16_t)sc->bypass_count;
        for (int b = 0; b < sc->bypass_count && b < 16; b++)
            snprintf(s->bypass[b], sizeof(s->bypass[b]), "%s", sc->bypass[b]);
        if (!sv->opt.input_file && ws_is_replay(sc->input)) {
            snprintf(s->replay_file, sizeof(s->replay_file), "%s",
                     sc->input + strlen(WS_REPLAY_PREFIX));
            s->replay = sc->replay;
            if (sv_check_input(s->replay_file, &s->linktype, err) < 0)
                return -1;
        }
        for (int k = 0; k < sc->workers; k++, d++) {
            shm->dets[d].sensor = (uint16_t)i;
            shm->dets[d].index = (uint16_t)k;
        }
        for (int k = 0; k < sc->queues; k++, q++) {
            shm->queues[q].sensor = (uint16_t)i;
            shm->queues[q].index = (uint16_t)k;
            shm->queues[q].port = UINT16_MAX;
            shm->queues[q].home = (uint16_t)(s->d_base + k % sc->workers);
        }
    }
    shm->nsensors = (uint16_t)nsensors;
    shm->nqueues = q;
    shm->ndets = d;
    for (q = 0; q < shm->nqueues; q++) {
        const ws_sensor_shm_t *s = &shm->sensors[shm->queues[q].sensor];
        cap_pool_t pool;
        if (cap_pool_create(&pool, shm, q, s->d_base, s->nd, SV_RX_DESC_EXTRA,
                            (int)rte_socket_id(), err) < 0)
            return -1;
    }
    for (d = 0; d < shm->ndets; d++) {
        char name[RTE_RING_NAMESIZE];
        snprintf(name, sizeof(name), WS_NAME_ALERTS, d);
        if (rte_ring_create_elem(name, sizeof(det_alert_t), WS_ALERT_RING,
                                 (int)rte_socket_id(),
                                 RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ) == NULL)
            return ws_err_set(err, "rte_ring_create_elem(%s) failed: %s", name,
                              rte_strerror(rte_errno));
    }
    for (i = 0; i < nsensors; i++) {
        char name[32];
        const struct rte_memzone *tz;
        snprintf(name, sizeof(name), WS_NAME_THRESH, i);
        tz = rte_memzone_reserve(name, det_thr_shared_bytes(WS_THRESH_ENTRIES),
                                 (int)rte_socket_id(), 0);
        if (tz == NULL)
            return ws_err_set(err, "rte_memzone_reserve(%s) failed: %s", name,
                              rte_strerror(rte_errno));
        det_thr_shared_init(tz->addr, WS_THRESH_ENTRIES);
    }
    for (i = 0; i < nsensors; i++)
        if (sv_rules_publish(shm, i, &sv->rules[i], sv->rules_gen, err) < 0
            || ws_owner_create((uint16_t)i, err) == NULL)
            return -1;
    return 0;
}

/* The process table: captures first (they need detectors to drain to), then
 * detectors; lcore ids 1.. in table order, 0 is the supervisor's. */
static void sv_children_plan(sv_t *sv)
{
    const ws_shm_t *shm = sv->shm;
    uint16_t i, k;

    for (i = 0; i < shm->nsensors; i++) {
        const ws_sensor_shm_t *s = &shm->sensors[i];
        const ws_sensor_conf_t *sc = &sv->cfg->sensors[i];
        if (shm->offline || s->replay_file[0] != '\0') {
            sv_child_t *c = &sv->child[sv->nchild++];
            c->role = shm->offline ? SV_ROLE_OFFLINE : SV_ROLE_REPLAY;
            c->index = i;
            sv_cpu_pick(c->cpus, sizeof(c->cpus), &sc->capture_cpus, 0, sv->cpus_all);
        } else if (s->port != UINT16_MAX) {
            for (k = 0; k < s->nq; k++) {
                sv_child_t *c = &sv->child[sv->nchild++];
                c->role = SV_ROLE_CAPTURE;
                c->index = (uint16_t)(s->q_base + k);
                sv_cpu_pick(c->cpus, sizeof(c->cpus), &sc->capture_cpus, k, sv->cpus_all);
            }
        }
        for (k = 0; k < s->nd; k++) {
            sv_child_t *c = &sv->child[sv->nchild++];
            c->role = SV_ROLE_DETECT;
            c->index = (uint16_t)(s->d_base + k);
            sv_cpu_pick(c->cpus, sizeof(c->cpus), &sc->detect_cpus, k, sv->cpus_all);
        }
    }
    {
        sv_child_t *c = &sv->child[sv->nchild++];
        c->role = SV_ROLE_EXPORT;
        c->index = 0;
        snprintf(c->cpus, sizeof(c->cpus), "%s", sv->cpus_all);
    }
    for (int n = 0; n < sv->nchild; n++) {
        sv->child[n].lcore = (uint16_t)(n + 1);
        sv->child[n].respawn = 1;
        sv->child[n].backoff_ms = SV_BACKOFF_MIN_MS;
    }
}

static void sv_describe_exit(int st, char *buf, size_t n)
{
    if (WIFEXITED(st))
        snprintf(buf, n, "exited with status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, n, "was killed by signal %d (%s)%s", WTERMSIG(st),
                 strsignal(WTERMSIG(st)), WCOREDUMP(st) ? ", core dumped" : "");
    else
        snprintf(buf, n, "ended with wait status 0x%x", st);
}

static sv_child_t *sv_child_by_pid(sv_t *sv, pid_t pid)
{
    for (int i = 0; i < sv->nchild; i++)
        if (sv->child[i].pid == pid)
            return &sv->child[i];
    return NULL;
}

static void sv_reap(sv_t *sv, enum sv_phase phase)
{
    char why[128];
    pid_t pid;
    int st;

    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        sv_child_t *c = sv_child_by_pid(sv, pid);
        uint64_t now = sv_now_ms(), lived;
        if (c == NULL)
            continue;
        c->pid = 0;
        if (c->role == SV_ROLE_DETECT) {
            sv->shm->dets[c->index].pid = 0;
            sv->shm->dets[c->index].ready = 0;
            sv->shm->dets[c->index].last_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        }
        if (c->role == SV_ROLE_EXPORT)
            sv->shm->export.pid = 0;
        lived = now - c->started_ms;
        sv_describe_exit(st, why, sizeof(why));
        int is_file = c->role == SV_ROLE_OFFLINE || c->role == SV_ROLE_REPLAY;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && (phase != SV_RUN || is_file)) {
            c->finished = 1;
            c->respawn = 0;
            ws_info("%s %u (pid %d) finished", sv_role_name(c->role), c->index, (int)pid);
            continue;
        }
        if (is_file) {
            ws_err("%s capture (pid %d) %s; the file cannot be resumed, stopping",
                   sv_role_name(c->role), (int)pid, why);
            c->respawn = 0;
            c->finished = 1;
            sv->status = 1;
            continue;
        }
        if (phase == SV_STOP_EXPORT
            || (phase == SV_STOP_DETECT && c->role != SV_ROLE_EXPORT)
            || (phase == SV_STOP_CAPTURE && c->role == SV_ROLE_CAPTURE)) {
            ws_warn("%s %u (pid %d) %s while stopping", sv_role_name(c->role),
                    c->index, (int)pid, why);
            c->respawn = 0;
            c->finished = 1;
            sv->status = 1;
            continue;
        }
        if (lived >= SV_STABLE_MS)
            c->backoff_ms = SV_BACKOFF_MIN_MS;
        c->next_spawn_ms = now + c->backoff_ms;
        ws_warn("%s %u (pid %d) %s after %.1f s; respawning in %llu ms",
                sv_role_name(c->role), c->index, (int)pid, why, (double)lived / 1000.0,
                (unsigned long long)c->backoff_ms);
        c->quick_deaths = lived < SV_STABLE_MS ? c->quick_deaths + 1 : 0;
        if (c->quick_deaths >= SV_MAX_QUICK_DEATHS) {
            ws_err("%s %u died %u times in a row within %d s of starting; giving up "
                   "(the whole sensor stops, exit 1)", sv_role_name(c->role), c->index,
                   c->quick_deaths, SV_STABLE_MS / 1000);
            c->respawn = 0;
            c->finished = 1;
            sv->status = 1;
            continue;
        }
        c->backoff_ms *= 2;
        if (c->backoff_ms > SV_BACKOFF_MAX_MS)
            c->backoff_ms = SV_BACKOFF_MAX_MS;
    }
}

static void sv_respawn_due(sv_t *sv)
{
    uint64_t now = sv_now_ms();

    for (int i = 0; i < sv->nchild; i++) {
        sv_child_t *c = &sv->child[i];
        if (c->pid != 0 || !c->respawn || c->finished || now < c->next_spawn_ms)
            continue;
        if (c->role == SV_ROLE_DETECT && c->started_ms != 0)
            sv->shm->dets[c->index].restarts++;
        if (c->role == SV_ROLE_CAPTURE && c->started_ms != 0)
            sv->shm->queues[c->index].restarts++;
        if (sv_spawn(sv, c) < 0)
            c->next_spawn_ms = now + c->backoff_ms;
    }
}

static enum sv_stage sv_stage_of(enum sv_role r)
{
    return r == SV_ROLE_DETECT ? SV_STAGE_DETECT
           : r == SV_ROLE_EXPORT ? SV_STAGE_EXPORT : SV_STAGE_CAPTURE;
}

/* Children of a stage still running or due to be respawned. */
static int sv_running(const sv_t *sv, enum sv_stage stage)
{
    int n = 0;

    for (int i = 0; i < sv->nchild; i++) {
        const sv_child_t *c = &sv->child[i];
        if (sv_stage_of(c->role) == stage && (c->pid != 0 || (c->respawn && !c->finished)))
            n++;
    }
    return n;
}

static void sv_kill_all(sv_t *sv)
{
    for (int i = 0; i < sv->nchild; i++) {
        sv->child[i].respawn = 0;
        if (sv->child[i].pid != 0)
            kill(sv->child[i].pid, SIGKILL);
    }
    for (int i = 0; i < sv->nchild; i++)
        if (sv->child[i].pid != 0) {
            waitpid(sv->child[i].pid, NULL, 0);
            sv->child[i].pid = 0;
        }
}

/* SIGHUP: build the next rules generation of every sensor while the
 * current one runs; publish it only if every sensor's rules could be read
 * and compiled (rejected rules are reported and skipped, as at start). */
static void sv_reload(sv_t *sv)
{
    static sv_rules_t next[WS_MAX_SENSORS];
    int i, n = sv->shm->nsensors;
    uint32_t gen = sv->rules_gen + 1;
    ws_err_t err;

    ws_info("SIGHUP: reloading rules (generation %u)", gen);
    for (i = 0; i < n; i++) {
        if (sv_rules_prepare(sv->cfg, i, &next[i], 1, NULL, &err) < 0) {
            ws_err("reload failed: sensor '%s': %s; generation %u keeps running",
                   sv->shm->sensors[i].name, err.msg, sv->rules_gen);
            for (int k = 0; k <= i; k++)
                sv_rules_free(&next[k]);
            return;
        }
    }
    for (i = 0; i < n; i++) {
        uint32_t prev = sv->shm->sensors[i].rules_gen;
        if (sv_rules_publish(sv->shm, i, &next[i], gen, &err) < 0) {
            ws_err("reload: sensor '%s': %s; its generation %u keeps running",
                   sv->shm->sensors[i].name, err.msg, prev);
            sv_rules_free(&next[i]);
            continue;
        }
        if (prev != 0 && sv->old_gen[i] == 0)
            sv->old_gen[i] = prev;
        sv_rules_free(&sv->rules[i]);
        sv->rules[i] = next[i];
        memset(&next[i], 0, sizeof(next[i]));
        ws_info("sensor '%s': rules generation %u published: %u loaded, %u rejected",
                sv->shm->sensors[i].name, gen, sv->rules[i].loaded.set.nrules,
                sv->rules[i].loaded.set.nrejects);
    }
    sv->rules_gen = gen;
}

/* Free a superseded generation's shared memory once no detector uses it. */
static void sv_reload_reap(sv_t *sv)
{
    char name[32];

    for (int i = 0; i < sv->shm->nsensors; i++) {
        const ws_sensor_shm_t *s = &sv->shm->sensors[i];
        uint32_t old = sv->old_gen[i];
        int busy = 0;
        if (old == 0)
            continue;
        for (uint16_t k = 0; k < s->nd; k++) {
            const ws_det_shm_t *d = &sv->shm->dets[s->d_base + k];
            busy |= d->pid != 0 && d->rules_gen != s->rules_gen;
        }
        if (busy)
            continue;
        /* every generation from old up to the current one minus one */
        for (uint32_t g = old; g < s->rules_gen; g++) {
            snprintf(name, sizeof(name), "ws_rb_%d_%u", i, g);
            rte_memzone_free(rte_memzone_lookup(name));
            snprintf(name, sizeof(name), "ws_pf_%d_%u", i, g);
            rte_memzone_free(rte_memzone_lookup(name));
        }
        sv->old_gen[i] = 0;
    }
}

static void sv_stats_path(const sv_t *sv, char *buf, size_t n)
{
    snprintf(buf, n, "%s/stats.json", sv->cfg->log_dir);
}

static void sv_loop(sv_t *sv)
{
    enum sv_phase phase = SV_RUN;
    uint64_t last_poll = 0, last_stats = sv_now_ms(), stop_deadline = 0;
    uint64_t interval_ms = (uint64_t)sv->cfg->outputs.stats_interval * 1000;
    char path[WS_PATH_LEN + 16];

    sv_stats_path(sv, path, sizeof(path));
    while (phase != SV_DONE) {
        uint64_t now;

        if (sv_sig_child) {
            sv_sig_child = 0;
            sv_reap(sv, phase);
        }
        if (sv_sig_hup) {
            sv_sig_hup = 0;
            sv->shm->run.reopen_gen++;     /* the exporter reopens its files */
            if (phase == SV_RUN)
                sv_reload(sv);
        }
        sv_reload_reap(sv);
        if (sv_sig_stop > 1) {
            ws_err("second stop signal: killing all children");
            sv_kill_all(sv);
            sv->status = 1;
            break;
        }
        if (sv_sig_stop == 1 && phase == SV_RUN) {
            ws_info("stopping: draining in-flight chunks");
            phase = SV_STOP_CAPTURE;
        }
        if (phase == SV_RUN && sv->status != 0)
            phase = SV_STOP_CAPTURE;          /* a fatal child error */
        if (phase == SV_RUN && sv_running(sv, SV_STAGE_CAPTURE) == 0)
            phase = SV_STOP_CAPTURE;          /* the files are delivered */
        if (phase == SV_STOP_CAPTURE) {
            sv->shm->run.stop_capture = 1;
            if (stop_deadline == 0)
                stop_deadline = sv_now_ms() + SV_DRAIN_S * 1000;
            if (sv_running(sv, SV_STAGE_CAPTURE) == 0) {
                sv->shm->run.stop_detect = 1;
                phase = SV_STOP_DETECT;
            }
        }
        if (phase == SV_STOP_DETECT && sv_running(sv, SV_STAGE_DETECT) == 0) {
            sv->shm->run.stop_export = 1;
            phase = SV_STOP_EXPORT;
        }
        if (phase == SV_STOP_EXPORT && sv_running(sv, SV_STAGE_EXPORT) == 0)
            phase = SV_DONE;
        if (phase != SV_DONE)
            sv_respawn_due(sv);

        now = sv_now_ms();
        if (stop_deadline != 0 && now > stop_deadline && phase != SV_DONE) {
            ws_err("drain did not finish in %d s: killing what is left", SV_DRAIN_S);
            sv_kill_all(sv);
            sv->status = 1;
            break;
        }
        if (now - last_poll >= SV_PORT_POLL_MS) {
            sv_ports_poll(sv);
            last_poll = now;
        }
        if (interval_ms > 0 && !sv->shm->offline && now - last_stats >= interval_ms) {
            sv_stats_write(sv, path);
            sv_stats_line(sv);
            if (sv->cfg->outputs.metrics_file[0] != '\0'
                && ws_metrics_file(sv->shm, sv->start_unix, sv->cfg->outputs.metrics_file) < 0)
                ws_warn("cannot write %s: %s", sv->cfg->outputs.metrics_file, strerror(errno));
            last_stats = now;
        }
        if (sv->metrics != NULL)
            ws_metrics_poll(sv->metrics, sv->shm, sv->start_unix);
        if (phase != SV_DONE && !sv_sig_child && !sv_sig_stop) {
            struct timespec ts = { 0, SV_TICK_MS * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
}

/* Parse and compile every sensor's rules (generation 1); rejected rules
 * are logged and skipped.  *bytes: what publishing them will take. */
static int sv_prepare_rules(sv_t *sv, size_t *bytes)
{
    int i, n = sv->opt.input_file ? 1 : sv->cfg->sensor_count;
    ws_err_t err;

    sv->rules_gen = 1;
    for (i = 0; i < n; i++) {
        sv_rules_t *r = &sv->rules[i];
        if (sv_rules_prepare(sv->cfg, i, r, 1, NULL, &err) < 0) {
            ws_err("sensor '%s': %s", sv->cfg->sensors[i].name, err.msg);
            return -1;
        }
        *bytes += r->bundle.len + r->pf_len;
        if (sv->cfg->sensors[i].rule_file_count == 0)
            continue;
        ws_info("sensor '%s': rules: %u loaded, %u rejected (%u on HTTP buffers); "
                "parsed in %.2f s, prefilter (%u Hyperscan groups, %u "
                "patterns, %u IP-only, %u header-only) built in %.2f s",
                sv->cfg->sensors[i].name, r->loaded.set.nrules, r->loaded.set.nrejects,
                r->st.path[DET_PF_HTTP], r->parse_secs, r->st.hs_groups,
                r->st.hs_patterns, r->st.path[DET_PF_IPONLY], r->st.path[DET_PF_HEADER],
                r->st.build_secs);
    }
    return 0;
}

/* The supervisor's pid, for `wiresift --reload`, in the instance's DPDK
 * runtime directory (removed with it at exit). */
static void sv_write_pidfile(const sv_t *sv)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/wiresift.pid", rte_eal_get_runtime_dir());
    f = fopen(path, "w");
    if (f == NULL) {
        ws_warn("cannot write %s: %s (wiresift --reload will not find this instance)",
                path, strerror(errno));
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    (void)sv;
}

/* Open the offline file once up front: a missing or unreadable file is a
 * usage error reported before any DPDK start. */
static int sv_check_input(const char *file, int *linktype, ws_err_t *err)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(file, errbuf);

    if (pc == NULL)
        return ws_err_set(err, "cannot read %s: %s", file, errbuf);
    *linktype = pcap_datalink(pc);
    pcap_close(pc);
    switch (*linktype) {
    case WS_LINK_NULL: case WS_LINK_ETHERNET: case WS_LINK_RAW: case WS_LINK_RAW_ALT:
    case WS_LINK_LOOP: case WS_LINK_SLL: case WS_LINK_SLL2: case WS_LINK_IPV4:
    case WS_LINK_IPV6:
        return 0;
    default:
        return ws_err_set(err, "%s: link type %d (%s) is not supported; WireSift reads "
                          "Ethernet, raw IP, null/loopback and Linux SLL captures",
                          file, *linktype, pcap_datalink_val_to_name(*linktype)
                          ? pcap_datalink_val_to_name(*linktype) : "?");
    }
}

static int sv_mkdir_p(const char *dir, ws_err_t *err)
{
    char buf[WS_PATH_LEN];
    size_t i, n;

    n = (size_t)snprintf(buf, sizeof(buf), "%s", dir);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char ch = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return ws_err_set(err, "cannot create log directory %s: %s (set log_dir "
                              "or -l)", buf, strerror(errno));
        buf[i] = ch;
    }
    if (access(dir, W_OK) != 0)
        return ws_err_set(err, "log directory %s is not writable: %s", dir,
                          strerror(errno));
    return 0;
}

int sv_run(const ws_config_t *cfg, const sv_options_t *opt)
{
    static sv_t sv;
    char *eal_argv[64];
    char path[WS_PATH_LEN + 16];
    int eal_argc = 0, linktype = WS_LINK_ETHERNET, nqueues = 0, i;
    size_t rules_bytes = 0;
    ssize_t len;
    ws_err_t err;

    memset(&sv, 0, sizeof(sv));
    sv.cfg = cfg;
    sv.opt = *opt;
    ws_log_role("supervisor");

    if (sv_mkdir_p(cfg->log_dir, &err) < 0) {
        ws_err("%s", err.msg);
        return 2;
    }
    if (opt->input_file != NULL && sv_check_input(opt->input_file, &linktype, &err) < 0) {
        ws_err("%s", err.msg);
        return 2;
    }
    if (opt->input_file == NULL) {
        for (i = 0; i < cfg->sensor_count; i++)
            if (cfg->sensors[i].input[0] != '\0')
                nqueues += cfg->sensors[i].queues;
        if (nqueues == 0) {
            ws_err("nothing to capture: no sensor has an input (set sensors.[0].input "
                   "to a DPDK port or vdev, or read a file with -r)");
            return 2;
        }
    }
    if (sv_prepare_rules(&sv, &rules_bytes) < 0)
        return 2;
    if (opt->input_file != NULL && opt->checksum == WS_CSUM_AUTO) {
        uint64_t checked, bad;
        sv.opt.checksum = ws_csum_probe(opt->input_file, &checked, &bad);
        if (sv.opt.checksum == WS_CSUM_NONE)
            ws_info("checksums: %llu of the first %llu checked packets are bad (capture "
                    "taken with checksum offload?); not checking checksums (-k none)",
                    (unsigned long long)bad, (unsigned long long)checked);
    }
    for (i = 0, nqueues = 0; i < (opt->input_file ? 1 : cfg->sensor_count); i++)
        nqueues += cfg->sensors[i].queues;
    if (sv_huge_check(sv_memory_need(cfg, (unsigned)nqueues) + rules_bytes, &err) < 0) {
        ws_err("%s", err.msg);
        return 1;
    }
    if (cfg->eal.file_prefix[0] != '\0')
        snprintf(sv.prefix, sizeof(sv.prefix), "%s", cfg->eal.file_prefix);
    else
        snprintf(sv.prefix, sizeof(sv.prefix), "wiresift");
    if (sv_huge_claim_prefix(sv.prefix, &err) < 0) {
        ws_err("%s", err.msg);
        return 1;
    }
    len = readlink("/proc/self/exe", sv.exe, sizeof(sv.exe) - 1);
    if (len <= 0) {
        ws_err("readlink(/proc/self/exe) failed: %s", strerror(errno));
        return 1;
    }
    sv.exe[len] = '\0';
    sv_cpu_set_all(sv.cpus_all, sizeof(sv.cpus_all));
    if (sv_eal_args(&sv, eal_argv, &eal_argc, &err) < 0) {
        ws_err("%s", err.msg);
        return 2;
    }
    sv_signals();
    if (rte_eal_init(eal_argc, eal_argv) < 0) {
        ws_err("DPDK initialisation (rte_eal_init) failed: %s; check hugepages "
               "(make setup) and the EAL messages above", rte_strerror(rte_errno));
        sv_huge_cleanup(sv.prefix);
        return 1;
    }
    sv_write_pidfile(&sv);
    sv.start_ms = sv_now_ms();
    for (i = 0; i < WS_MAX_SENSORS; i++)
        sv.line_ms[i] = sv.start_ms;
    if (sv_shm_setup(&sv, linktype, &err) < 0 || sv_ports_setup(&sv, &err) < 0) {
        ws_err("%s", err.msg);
        sv.status = 1;
        goto out;
    }
    for (i = 0; i < sv.shm->nsensors; i++)
        if (sv.shm->sensors[i].port != UINT16_MAX)
            sv.shm->sensors[i].linktype = WS_LINK_ETHERNET;
    sv_children_plan(&sv);
    sv.start_unix = (uint64_t)time(NULL);
    if (cfg->outputs.metrics_listen[0] != '\0') {
        static ws_metrics_t metrics;
        if (ws_metrics_listen(&metrics, cfg->outputs.metrics_listen, &err) < 0) {
            ws_err("%s", err.msg);
            sv.status = 2;
            goto out;
        }
        sv.metrics = &metrics;
        ws_info("metrics on http://%s/metrics", cfg->outputs.metrics_listen);
    }
    ws_info("instance '%s': %u queues, %u detectors, pool %u x %u per queue",
            sv.prefix, sv.shm->nqueues, sv.shm->ndets, sv.shm->chunks, sv.shm->cells);
    sv_loop(&sv);
    sv.end_ms = sv_now_ms();
    sv_ports_stop(&sv);
    if (sv.metrics != NULL)
        ws_metrics_close(sv.metrics);
    if (cfg->outputs.metrics_file[0] != '\0')
        ws_metrics_file(sv.shm, sv.start_unix, cfg->outputs.metrics_file);
    sv_stats_path(&sv, path, sizeof(path));
    if (sv_stats_write(&sv, path) < 0)
        sv.status = 1;
    sv_stats_summary(&sv, stdout);
    printf("stats: %s\n", path);
    fflush(stdout);
    if (sv.shm->offline && sv.shm->run.input_error)
        sv.status = 1;
out:
    sv_kill_all(&sv);
    rte_eal_cleanup();
    sv_huge_cleanup(sv.prefix);
    for (i = 0; i < WS_MAX_SENSORS; i++)
        sv_rules_free(&sv.rules[i]);
    return sv.status;
}
