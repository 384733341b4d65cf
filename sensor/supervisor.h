/*
 * supervisor.h - the supervisor role: one DPDK primary per instance that
 * creates every shared object, configures ports, spawns and respawns the
 * capture and detect processes, and drains and cleans up on exit.
 */
#ifndef WS_SUPERVISOR_H
#define WS_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sensor/config.h"
#include "sensor/rules_sv.h"
#include "sensor/shm.h"

enum sv_role { SV_ROLE_CAPTURE, SV_ROLE_OFFLINE, SV_ROLE_REPLAY, SV_ROLE_DETECT,
               SV_ROLE_EXPORT };

/* The three stages a stop goes through, in order. */
enum sv_stage { SV_STAGE_CAPTURE, SV_STAGE_DETECT, SV_STAGE_EXPORT };

/* One child process.  Owner: the supervisor's main loop. */
typedef struct sv_child {
    enum sv_role role;
    uint16_t     index;         /* global queue, sensor (offline) or detector */
    uint16_t     lcore;         /* unique lcore id in the instance */
    char         cpus[64];      /* cpu set for --lcores, "(0-1)" */
    pid_t        pid;           /* 0 = not running */
    unsigned     respawn:1;     /* start it again if it dies */
    unsigned     finished:1;    /* exited 0 after being told to stop */
    uint64_t     started_ms;
    uint64_t     next_spawn_ms; /* respawn not before this */
    uint64_t     backoff_ms;
    unsigned     quick_deaths;  /* deaths in a row within SV_STABLE_MS of starting */
} sv_child_t;

#define SV_MAX_CHILDREN (WS_MAX_QUEUES_ALL + WS_MAX_DETS_ALL)

/* What the command line asked for beyond the config. */
typedef struct sv_options {
    const char *input_file;     /* -r, NULL for live */
    int         checksum;       /* -k: enum ws_csum_mode */
} sv_options_t;

/* The supervisor's state.  Owner: sv_run(). */
typedef struct sv {
    const ws_config_t *cfg;
    sv_options_t       opt;
    ws_shm_t          *shm;
    char               prefix[64];
    char               exe[WS_PATH_LEN];
    char               cpus_all[64];       /* "(0-N)" */
    int                eal_argc;           /* arguments children share */
    char              *eal_argv[64];
    sv_rules_t         rules[WS_MAX_SENSORS];  /* generation rules_gen */
    uint32_t           rules_gen;
    uint32_t           old_gen[WS_MAX_SENSORS];  /* published generation still to free, 0 = none */
    sv_child_t         child[SV_MAX_CHILDREN];
    int                nchild;
    uint64_t           start_ms;
    uint64_t           end_ms;
    int                status;             /* exit status so far */
    uint64_t           line_ms[WS_MAX_SENSORS];   /* last periodic stats line */
    struct ws_metrics *metrics;                 /* NULL: no metrics server */
    uint64_t           start_unix;
    uint64_t           line_pkts[WS_MAX_SENSORS];
} sv_t;

/* Run an instance to its end; returns the process exit status. */
int sv_run(const ws_config_t *cfg, const sv_options_t *opt);

/* Supervisor-internal pieces, in their own files. */
int  sv_spawn(sv_t *sv, sv_child_t *c);              /* spawn.c */
const char *sv_role_name(enum sv_role r);            /* spawn.c */
int  sv_stats_write(const sv_t *sv, const char *path);   /* stats.c */
void sv_stats_summary(const sv_t *sv, FILE *out);         /* stats.c */
void sv_stats_line(sv_t *sv);                              /* stats.c: periodic log line */
int  sv_ports_setup(sv_t *sv, ws_err_t *err);        /* ports.c */
void sv_ports_poll(sv_t *sv);                         /* ports.c */
void sv_ports_stop(sv_t *sv);                         /* ports.c */

uint64_t sv_now_ms(void);

#endif
