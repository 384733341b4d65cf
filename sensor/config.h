/*
 * config.h - the sensor's configuration, as loaded from a libconfig file
 * (conf/wiresift.conf) plus command-line overrides.
 *
 * Owner: the supervisor loads it once (and again on reload); children get
 * what they need through shared memory (sensor/shm.h), never by re-reading
 * the file, so every process of one instance agrees on the same values.
 *
 * Every setting is a row in one table in config.c (path, type, bounds, field);
 * the loader walks the parsed file and the --set overrides against that table,
 * so an unknown setting or a bad value is reported as
 *     FILE:LINE: setting 'pool.chunks': value 0 is below the minimum 2
 * and the caller exits with status 2.
 */
#ifndef WS_CONFIG_H
#define WS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define WS_MAX_SENSORS      8
#define WS_MAX_QUEUES       32   /* receive queues per sensor */
#define WS_MAX_DETECTORS    32   /* detect processes per sensor */
#define WS_MAX_RULE_FILES   128
#define WS_MAX_VARS         64
#define WS_MAX_CPUS         64
#define WS_NAME_LEN         32
#define WS_PATH_LEN         256
#define WS_VAR_VALUE_LEN    1024

/* A rule variable: HOME_NET = "[10.0.0.0/8,192.168.0.0/16]". */
typedef struct ws_var {
    char name[WS_NAME_LEN * 2];
    char value[WS_VAR_VALUE_LEN];
} ws_var_t;

/* A list of CPU numbers for placing processes; count 0 = let the kernel place. */
typedef struct ws_cpu_list {
    int      count;
    uint16_t cpu[WS_MAX_CPUS];
} ws_cpu_list_t;

/* A replayed capture (input "replay:FILE"): the file in a loop at a packet
 * rate, with live semantics (a packet with no free chunk is a delivery drop),
 * spread over the sensor's queues with an optional skew.  For experiments. */
typedef struct ws_replay_conf {
    int    rate;        /* sensors.[i].replay.rate: packets/s, 0 = as fast as possible */
    int    loops;       /* sensors.[i].replay.loops: passes over the file, 0 = until stopped */
    double skew;        /* sensors.[i].replay.skew: share of flows forced onto queue 0 */
    int    hot_flows;   /* sensors.[i].replay.hot_flows: the N largest flows forced onto queue 0 */
} ws_replay_conf_t;

/* One sensor: an input, its queues, its buddy group of detectors, its rules. */
typedef struct ws_sensor_conf {
    char          name[WS_NAME_LEN];       /* sensors.[i].name */
    /* sensors.[i].input: a DPDK vdev spec ("net_tap0,iface=ws0"), a PCI
     * address ("0000:3b:00.0"), "replay:FILE" (see ws_replay_conf_t) or ""
     * when the sensor only reads files (-r). */
    char          input[WS_PATH_LEN];
    int           queues;                  /* sensors.[i].queues, 1..WS_MAX_QUEUES */
    int           workers;                 /* sensors.[i].workers, 1..WS_MAX_DETECTORS */
    int           rule_file_count;
    char          rule_files[WS_MAX_RULE_FILES][WS_PATH_LEN]; /* sensors.[i].rule_files */
    int           var_count;
    ws_var_t      vars[WS_MAX_VARS];       /* sensors.[i].vars.NAME = "value" */
    ws_cpu_list_t capture_cpus;            /* sensors.[i].cpus.capture */
    ws_cpu_list_t detect_cpus;             /* sensors.[i].cpus.detect */
    ws_replay_conf_t replay;               /* sensors.[i].replay.* */
    /* inline mode (capture/inline.c): packets leave on the paired port */
    char          output[WS_PATH_LEN];     /* sensors.[i].output: paired output port, "" = IDS only */
    char          fail[8];                 /* sensors.[i].fail: "open" | "closed" when detectors fall behind */
    int           bypass_count;
    char          bypass[16][128];         /* sensors.[i].bypass: "proto src sport dst dport" forwarded uninspected */
} ws_sensor_conf_t;

typedef struct ws_pool_conf {
    int chunks;     /* pool.chunks: R, chunks per queue, 2..65536 */
    int cells;      /* pool.cells: M, packets per chunk, 1..4096 */
    int flush_us;   /* pool.flush_us: flush a partly filled chunk after this, 1..1000000 */
} ws_pool_conf_t;

typedef struct ws_offload_conf {
    bool   enabled;    /* offload.enabled */
    double threshold;  /* offload.threshold: backlog fraction 0..1 */
} ws_offload_conf_t;

typedef struct ws_syslog_conf {
    bool enabled;              /* outputs.syslog.enabled */
    char target[WS_PATH_LEN];  /* "local" | "udp://HOST:PORT" | "tcp://HOST:PORT" */
    char format[16];           /* "rfc5424" | "rfc3164" */
    char facility[16];         /* "local5", "daemon", ... */
    char message[16];          /* "snort" | "eve" */
    char app_name[48];         /* outputs.syslog.app_name: APP-NAME / TAG, default "wiresift" */
    char hostname[256];        /* outputs.syslog.hostname: "" = this host's name */
    int  queue;                /* outputs.syslog.queue: alerts held while the server is away */
    int  reconnect_max_ms;     /* outputs.syslog.reconnect_max_ms: backoff cap */
} ws_syslog_conf_t;

typedef struct ws_outputs_conf {
    bool             eve_enabled;    /* outputs.eve.enabled */
    bool             fast_enabled;   /* outputs.fast.enabled */
    int              eve_rotate_mb;  /* outputs.eve.rotate_mb: start a new file past this size, 0 = never */
    int              fast_rotate_mb; /* outputs.fast.rotate_mb */
    bool             pcap_enabled;   /* outputs.pcap.enabled: LOGDIR/alerts.pcap with every alerting packet */
    ws_syslog_conf_t syslog;         /* outputs.syslog.* */
    int              stats_interval; /* outputs.stats.interval: seconds between stats.json writes live, 0 = only at exit */
    char             metrics_listen[64];        /* outputs.metrics.listen: "127.0.0.1:9108", "" = off */
    char             metrics_file[WS_PATH_LEN]; /* outputs.metrics.file: textfile-collector path, "" = off */
} ws_outputs_conf_t;

typedef struct ws_stream_conf {
    bool midstream;  /* stream.midstream */
    int  depth;      /* stream.depth: bytes per direction, 0 = unlimited */
    int  memcap_mb;  /* stream.memcap_mb: reassembly memory per detector */
} ws_stream_conf_t;

typedef struct ws_flow_conf {
    int timeout_s;    /* flow.timeout: idle seconds (packet time) before a flow ends */
    int max;          /* flow.max: flows a detector keeps; beyond, the stalest are evicted */
} ws_flow_conf_t;

typedef struct ws_eal_conf {
    char file_prefix[64];   /* eal.file_prefix: "" = "wiresift" */
    int  supervisor_cpu;    /* eal.supervisor_cpu: -1 = any */
    int  hugepages_min;     /* eal.hugepages_min: free 2 MiB pages required before start */
    char extra[WS_PATH_LEN];/* eal.extra: extra EAL arguments, space separated (e.g. "--vdev=...") */
} ws_eal_conf_t;

typedef struct ws_debug_conf {
    bool flow_log;   /* debug.flow_log: detectors write LOGDIR/flows-<sensor>-<d>.tsv at exit */
    int  chunk_delay_us; /* debug.chunk_delay_us: detectors pause this long per chunk (tests of slow or dying detectors) */
    int  crash_packet;   /* debug.crash_packet: detectors abort() on this offline packet number (quarantine tests) */
} ws_debug_conf_t;

typedef struct ws_config {
    char              source[WS_PATH_LEN];  /* file it came from, "" for built-in defaults */
    char              log_dir[WS_PATH_LEN]; /* log_dir */
    char              classification[WS_PATH_LEN]; /* classification_config */
    char              reference[WS_PATH_LEN];      /* reference_config */
    char              threshold[WS_PATH_LEN];      /* threshold_config: Snort threshold.conf, "" = none */
    int               sensor_count;
    ws_sensor_conf_t  sensors[WS_MAX_SENSORS];
    ws_pool_conf_t    pool;
    ws_offload_conf_t offload;
    ws_outputs_conf_t outputs;
    ws_stream_conf_t  stream;
    ws_flow_conf_t    flow;
    ws_eal_conf_t     eal;
    ws_debug_conf_t   debug;
} ws_config_t;

/*
 * Fill c with built-in defaults: one sensor "default" with no input,
 * 1 queue, 1 worker, no rule files, HOME_NET/EXTERNAL_NET unset (the rule
 * front end supplies Snort's defaults), pool 64 x 256, flush 100 us, offload
 * on at 0.75, eve and fast on, syslog off (target "local", rfc5424, local5,
 * snort), stats every 10 s, stream depth 1 MiB, midstream off, flow timeout
 * 60 s, supervisor on any CPU, 128 free hugepages required, log_dir
 * "/var/log/wiresift".  classification_config / reference_config default
 * to the repository's "conf/classification.config" / "conf/reference.config"
 * (relative to cwd).
 */
void ws_config_defaults(ws_config_t *c);

/*
 * Load path (NULL: defaults only) and then apply the overrides in sets
 * ("pool.chunks=512", "sensors.[0].workers=4", "sensors.[0].rule_files=[\"a\",\"b\"]"
 * or "sensors.[0].vars.HOME_NET=10.0.0.0/8").  On error err says
 * "FILE:LINE: setting 'PATH': reason" (or "--set PATH: reason") and -1 is
 * returned; the caller exits 2.  c is only written on success, so a failed
 * reload leaves the running configuration intact.  Overrides are applied in
 * order; a value is parsed by the type of its setting (bool: true/false,
 * yes/no, on/off, 1/0; a string may be given with or without quotes; a
 * single string for rule_files is a one-element list); sensors.[N] with N
 * equal to the number of sensors adds a sensor.
 */
int ws_config_load(ws_config_t *c, const char *path,
                   const char *const *sets, int nsets, ws_err_t *err);

/* The input is "replay:FILE" (a replayed capture, not a DPDK port). */
#define WS_REPLAY_PREFIX "replay:"
static inline int ws_is_replay(const char *input)
{
    return input[0] == 'r' && __builtin_strncmp(input, WS_REPLAY_PREFIX, 7) == 0;
}

/* Return the value of variable name in sensor s, or NULL. */
const char *ws_config_var(const ws_sensor_conf_t *s, const char *name);

/*
 * The dotted path of the i-th known setting (i = 0, 1, ...), NULL past the
 * last; per-sensor ones read "sensors.[N].workers".  For --help style
 * listings and for the test that keeps conf/wiresift.conf complete.  The
 * string may be overwritten by the next call.
 */
const char *ws_config_setting_path(int i);

#endif
