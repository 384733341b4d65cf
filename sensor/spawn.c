/*
 * spawn.c - starting a child: fork, then exec this same binary with --role.
 *
 * Children are DPDK secondaries and must not inherit a forked copy of the
 * primary's EAL state, so the child execs /proc/self/exe straight away
 * (DESIGN.md: never fork alone after DPDK is initialised).  Arguments:
 *   wiresift --role=ROLE --id=N --proc-type=secondary --file-prefix=P
 *            --lcores=L@CPUS [the primary's device arguments]
 * The child gives everything from --id on to rte_eal_init, with "--id=N" in
 * the place of argv[0].
 */
#include "sensor/supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "sensor/log.h"

static const char *const role_names[] = {
    [SV_ROLE_CAPTURE] = "capture",
    [SV_ROLE_OFFLINE] = "offline",
    [SV_ROLE_REPLAY]  = "replay",
    [SV_ROLE_DETECT]  = "detect",
    [SV_ROLE_EXPORT]  = "export",
};

const char *sv_role_name(enum sv_role r)
{
    return role_names[r];
}

uint64_t sv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int sv_spawn(sv_t *sv, sv_child_t *c)
{
    char role[32], id[32], lcores[96];
    char *argv[80];
    int argc = 0, i;
    pid_t pid;

    snprintf(role, sizeof(role), "--role=%s", sv_role_name(c->role));
    snprintf(id, sizeof(id), "--id=%u", c->index);
    snprintf(lcores, sizeof(lcores), "--lcores=%u@%s", c->lcore, c->cpus);
    argv[argc++] = sv->exe;
    argv[argc++] = role;
    argv[argc++] = id;
    argv[argc++] = (char *)"--proc-type=secondary";
    argv[argc++] = lcores;
    for (i = 0; i < sv->eal_argc && argc < 79; i++)
        argv[argc++] = sv->eal_argv[i];
    argv[argc] = NULL;

    pid_t parent = getpid();

    pid = fork();
    if (pid < 0) {
        ws_err("fork() failed for %s %u: %s", sv_role_name(c->role), c->index,
               strerror(errno));
        return -1;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGCHLD, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        /* Die with the supervisor instead of spinning on without it. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        execv("/proc/self/exe", argv);
        fprintf(stderr, "wiresift: execv(/proc/self/exe) failed: %s\n", strerror(errno));
        _exit(127);
    }
    c->pid = pid;
    c->started_ms = sv_now_ms();
    c->finished = 0;
    if (c->role == SV_ROLE_DETECT)
        sv->shm->dets[c->index].pid = pid;
    if (c->role == SV_ROLE_EXPORT)
        sv->shm->export.pid = pid;
    ws_info("started %s %u as pid %d on lcore %u", sv_role_name(c->role), c->index,
            (int)pid, c->lcore);
    return 0;
}
