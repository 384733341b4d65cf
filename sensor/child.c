/*
 * child.c - what a capture or detect process does before and after its loop:
 * join the instance as a DPDK secondary, find ws_main, run the role, flush
 * its mempool caches (DESIGN.md: a process flushes its cache before it exits,
 * or those buffers are lost to the pool), leave.
 */
#include "sensor/child.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memzone.h>
#include <rte_mempool.h>

#include "capture/capture.h"
#include "detect/detect.h"
#include "export/export.h"
#include "sensor/log.h"
#include "sensor/shm.h"

typedef int (*child_fn)(ws_shm_t *shm, uint16_t id);

static const struct child_role {
    const char *name;
    child_fn    run;
} child_roles[] = {
    { "capture", cap_live_main },
    { "offline", cap_offline_main },
    { "replay",  cap_replay_main },
    { "detect",  det_main },
    { "export",  exp_main },
};

static void flush_cache(struct rte_mempool *mp, void *arg)
{
    struct rte_mempool_cache *cache = rte_mempool_default_cache(mp, rte_lcore_id());
    (void)arg;
    if (cache != NULL)
        rte_mempool_cache_flush(cache, mp);
}

int ws_child_main(int argc, char **argv)
{
    const struct child_role *role = NULL;
    const struct rte_memzone *mz;
    ws_shm_t *shm;
    char label[48], comm[16];
    unsigned long id;
    char *end;
    int status;
    size_t i;

    if (argc < 3 || strncmp(argv[2], "--id=", 5) != 0) {
        fprintf(stderr, "wiresift: --role needs --id=N as the next argument\n");
        return 2;
    }
    for (i = 0; i < sizeof(child_roles) / sizeof(child_roles[0]); i++)
        if (strcmp(argv[1] + 7, child_roles[i].name) == 0)
            role = &child_roles[i];
    id = strtoul(argv[2] + 5, &end, 10);
    if (role == NULL || *end != '\0' || id >= WS_MAX_QUEUES_ALL + WS_MAX_DETS_ALL) {
        fprintf(stderr, "wiresift: bad child arguments %s %s\n", argv[1], argv[2]);
        return 2;
    }
    snprintf(label, sizeof(label), "%s %lu", role->name, id);
    ws_log_role(label);
    /* exec of /proc/self/exe would show as "exe" in ps and top. */
    snprintf(comm, sizeof(comm), "ws-%s-%lu", role->name, id);
    prctl(PR_SET_NAME, comm);
    /* Ctrl-C reaches the whole process group; only the supervisor decides
     * how to stop, so the children leave SIGINT to it. */
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);

    /* argv[2] ("--id=N") stands in for the program name EAL skips. */
    if (rte_eal_init(argc - 2, argv + 2) < 0) {
        ws_err("joining the instance as DPDK secondary failed: %s",
               rte_strerror(rte_errno));
        return 1;
    }
    mz = rte_memzone_lookup(WS_MZ_MAIN);
    if (mz == NULL) {
        ws_err("shared memory %s not found - is the supervisor running?", WS_MZ_MAIN);
        rte_eal_cleanup();
        return 1;
    }
    shm = mz->addr;
    if (shm->magic != WS_SHM_MAGIC || shm->version != WS_SHM_VERSION) {
        ws_err("shared memory layout %08x v%u, this binary expects %08x v%u: "
               "supervisor and child are different builds", shm->magic,
               shm->version, WS_SHM_MAGIC, WS_SHM_VERSION);
        rte_eal_cleanup();
        return 1;
    }
    status = role->run(shm, (uint16_t)id);
    rte_mempool_walk(flush_cache, NULL);
    rte_eal_cleanup();
    return status;
}
