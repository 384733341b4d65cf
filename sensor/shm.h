/*
 * shm.h - the one definition of WireSift's shared-memory layout.
 *
 * The supervisor (DPDK primary) creates everything named here before it
 * spawns a child; capture and detect processes (DPDK secondaries) look the
 * objects up by the same names.  Every field says which process writes it;
 * fields written by different processes sit on separate cache lines.
 *
 * Objects, per instance (names are per --file-prefix, so they can be fixed):
 *   memzone "ws_main"            ws_shm_t: layout, run flags, all counters
 *   memzone "ws_chunks_Q"        R chunk descriptors of global queue Q
 *   mempool "ws_pool_Q"          R x M packet buffers (+ rx descriptors) of queue Q
 *   ring    "ws_free_Q"          free chunks of queue Q         (SP/SC: capture only)
 *   ring    "ws_in_Q_D"          inbox of detector D from queue Q (SP capture, SC detector)
 *   ring    "ws_rec_Q_D"         chunks detector D returns to queue Q (SP detector, SC capture)
 *
 * Chunk lifecycle (DESIGN.md):
 *   FREE (free ring) -> OPEN (capture fills) -> QUEUED (inbox) ->
 *   INSPECTING (detector) -> DONE (recycle ring) -> capture frees the mbufs
 *   in bulk -> FREE.
 * Recycle rings are per (queue, detector) single-producer rings rather than
 * one multi-producer ring per queue: a producer killed in the middle of a
 * multi-producer enqueue would stall every other producer forever, and
 * detectors are the processes we expect to crash.
 */
#ifndef WS_SHM_H
#define WS_SHM_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "sensor/config.h"
#include "sensor/lathist.h"

#define WS_SHM_MAGIC        0x57534946u   /* "WSIF" */
#define WS_SHM_VERSION      1u
#define WS_MZ_MAIN          "ws_main"
#define WS_MAX_QUEUES_ALL   64            /* all sensors together */
#define WS_MAX_DETS_ALL     64
#define WS_MAX_CELLS        4096
#define WS_BURST            32

/* Names of per-queue objects; one helper so creator and looker agree. */
#define WS_NAME_CHUNKS  "ws_chunks_%u"
#define WS_NAME_POOL    "ws_pool_%u"
#define WS_NAME_FREE    "ws_free_%u"
#define WS_NAME_INBOX   "ws_in_%u_%u"
#define WS_NAME_RECYCLE "ws_rec_%u_%u"
#define WS_NAME_ALERTS  "ws_alert_%u"     /* detector's alert ring (SP detector, SC export) */
#define WS_ALERT_RING   4096               /* alert records per detector ring */
#define WS_NAME_THRESH  "ws_thr_%u"       /* a sensor's shared threshold table (detect/threshold.h) */
#define WS_THRESH_ENTRIES 65536

enum ws_chunk_state {
    WS_CHUNK_FREE = 0,
    WS_CHUNK_OPEN,
    WS_CHUNK_QUEUED,
    WS_CHUNK_INSPECTING,
    WS_CHUNK_DONE,
};

/* One packet in a chunk.  Written by capture while the chunk is OPEN. */
typedef struct ws_cell {
    struct rte_mbuf *mbuf;
    uint64_t         ts_ns;     /* capture time (offline: pcap time), ns since epoch */
    uint64_t         pkt_no;    /* offline: 1-based packet number in the file; live: 0 */
    uint32_t         hash;      /* symmetric flow hash */
    uint32_t         wire_len;  /* original length on the wire (pcap len) */
    uint8_t          verdict;   /* inline: enum ws_verdict, capture sets PASS, detector may change it */
} ws_cell_t;

/* What happens to an inspected packet in inline mode. */
enum ws_verdict { WS_VERDICT_PASS = 0, WS_VERDICT_DROP, WS_VERDICT_REJECT };

/*
 * A chunk descriptor.  Fixed fields are set once by the supervisor; the
 * rest is written by whoever holds the chunk in the lifecycle above, so there
 * is never more than one writer at a time.
 */
typedef struct ws_chunk {
    uint32_t          id;        /* index in its queue (fixed) */
    uint16_t          queue;     /* global queue index (fixed) */
    volatile uint16_t state;     /* enum ws_chunk_state; holder writes */
    volatile uint16_t owner;     /* global detector index; capture writes when queueing */
    uint16_t          pad;
    uint32_t          count;     /* cells in use; capture writes while OPEN */
    volatile uint64_t seq;       /* per-queue use counter; capture bumps when opening */
    uint64_t          open_tsc;  /* when capture opened it, for the flush timeout */
    ws_cell_t         cells[];   /* M cells */
} ws_chunk_t;

/* Size of one chunk descriptor with m cells, rounded to a cache line. */
static inline size_t ws_chunk_size(uint32_t m)
{
    return RTE_ALIGN_CEIL(sizeof(ws_chunk_t) + m * sizeof(ws_cell_t),
                          RTE_CACHE_LINE_SIZE);
}

/* Counters of one receive queue.  Writer: the capture process of that queue. */
typedef struct ws_queue_shm {
    uint16_t sensor;           /* supervisor (fixed) */
    uint16_t index;            /* queue number within its sensor (fixed) */
    uint16_t port;             /* DPDK port id, UINT16_MAX offline (fixed) */
    uint16_t home;             /* global index of its home detector (fixed) */
    uint64_t packets;          /* packets captured (delivered + delivery drops) */
    uint64_t bytes;
    uint64_t capture_drops;    /* supervisor: the queue's rx drops (rte_eth_stats q_errors) */
    uint64_t delivery_drops;   /* captured, but no free chunk */
    uint64_t chunks;           /* chunks handed to detectors */
    uint64_t pool_high_water;  /* most chunks ever in use at once */
    uint64_t flows_offloaded;  /* new flows sent to a buddy instead of home */
    uint64_t flows_claimed;    /* new flows (owner slots) this queue claimed, home or buddy */
    uint64_t offloaded_to[WS_MAX_DETECTORS]; /* flows_offloaded by buddy (within the sensor) */
    uint64_t chunks_in_use;    /* now: R - free */
    uint64_t restarts;         /* supervisor: times its capture process was respawned */
    /* inline mode (capture/inline.c) */
    uint64_t forwarded;        /* packets sent on the paired port after inspection */
    uint64_t dropped_rule;     /* packets a drop / reject / sdrop rule blocked */
    uint64_t dropped_policy;   /* fail closed: no chunk free, packet dropped */
    uint64_t forwarded_uninspected; /* fail open and bypass: sent without inspection */
    uint64_t bypassed;         /* of those, matched a bypass filter */
    uint64_t rejects_sent;     /* TCP RSTs / ICMP unreachables sent for reject rules */
    uint64_t tx_errors;        /* packets the paired port did not take */
    uint64_t chunks_recovered; /* chunks a dead predecessor held, handed on by its successor */
    volatile uint64_t heartbeat; /* capture loop iterations, for liveness */
} __rte_cache_aligned ws_queue_shm_t;

/* Where a detector is in returning its current chunk (for crash recovery). */
enum ws_det_phase {
    WS_PHASE_IDLE = 0,     /* holds no chunk */
    WS_PHASE_INSPECT,      /* inspecting cur; its counters are not yet added */
    WS_PHASE_RETURN,       /* counters added; enqueueing cur to its recycle ring */
};

/* Counters and state of one detect process.  Writer: that detector, except
 * where a field says supervisor. */
typedef struct ws_det_shm {
    uint16_t sensor;              /* supervisor (fixed) */
    uint16_t index;               /* detector number within its sensor (fixed) */
    volatile int32_t pid;         /* supervisor */
    uint64_t packets;             /* packets finished (a re-delivered one counts once) */
    uint64_t bytes;
    uint64_t alerts;
    uint64_t flows;               /* flows in its table now */
    uint64_t flows_total;         /* flows it has ever created */
    uint64_t flows_expired;       /* removed after flow.timeout of silence */
    uint64_t flows_evicted;       /* removed at flow.max to make room */
    uint64_t chunks;              /* chunks finished */
    uint64_t restarts;            /* supervisor */
    uint64_t chunks_redelivered;  /* chunks a predecessor held, inspected again */
    uint64_t chunks_inbox_recovered; /* chunks waiting in its inbox when it started after a crash */
    uint64_t packets_quarantined;
    uint64_t undecodable;         /* packets without an IP flow key */
    uint64_t busy_tsc;            /* TSC cycles spent inspecting chunks */
    uint64_t max_rss_kb;          /* peak resident memory, written at exit */
    uint64_t alerts_dropped;      /* alerts that found its alert ring full (export too slow) */
    /* stream reassembly and HTTP (copied from its managers after each chunk) */
    uint64_t stream_bytes, stream_gaps, stream_reclaims, stream_depth_reached, stream_mem;
    uint64_t http_requests, http_responses, http_limits, http_malformed;
    volatile uint32_t rules_gen;  /* rules generation it inspects with */
    volatile uint32_t ready;      /* 1 once its rules are loaded and it polls its inboxes */
    uint32_t reloads;             /* generations it switched to */
    uint32_t reload_failures;     /* generations it could not load (kept the old) */
    uint64_t lat_hist[WS_LAT_BUCKETS]; /* chunk latency: capture opened it -> inspected, us */
    volatile uint64_t backlog;    /* chunks waiting in its inboxes, as last seen */
    volatile uint64_t heartbeat;
    /* crash recovery: the chunk it holds and where it is */
    ws_chunk_t *volatile cur;
    volatile uint64_t cur_seq;
    volatile uint32_t phase;      /* enum ws_det_phase */
    volatile uint32_t cur_cell;   /* cell being inspected; UINT32_MAX between packets */
    int32_t  last_signal;         /* supervisor: signal that ended its predecessor, 0 = none */
    /* the packet a crashed predecessor died on: skipped when its chunk comes round */
    ws_chunk_t *skip_chunk;
    uint64_t skip_seq;
    uint32_t skip_cell;
} __rte_cache_aligned ws_det_shm_t;

/* A sensor's place in the global queue/detector arrays.  Writer: supervisor. */
typedef struct ws_sensor_shm {
    char     name[WS_NAME_LEN];
    uint16_t q_base, nq;          /* global queue indexes [q_base, q_base+nq) */
    uint16_t d_base, nd;          /* global detector indexes */
    uint16_t port;                /* DPDK port id, UINT16_MAX when offline */
    int32_t  linktype;            /* pcap link type of what capture delivers */
    /* the port's own drop counters (supervisor, from rte_eth_stats_get) */
    uint64_t port_imissed;        /* dropped by the NIC: rx descriptors full */
    uint64_t port_nombuf;         /* dropped: no mbuf to refill the rx ring */
    uint64_t port_ierrors;        /* erroneous frames the NIC discarded */
    /* the sensor's rules (supervisor; see sensor/rules_sv.c) */
    uint32_t rules_gen;           /* generation; 0 = no rules */
    uint32_t rules_loaded;
    uint32_t rules_rejected;
    uint32_t rules_http_waiting;  /* loaded, but need HTTP inspection (not yet) */
    char     rules_bundle_mz[32]; /* memzone with the rule bundle (rules/bundle.h) */
    char     rules_pf_mz[32];     /* memzone with the prefilter blob */
    uint64_t rules_bundle_len, rules_pf_len;
    /* inline mode (supervisor) */
    uint16_t out_port;            /* paired output port, UINT16_MAX = IDS only */
    uint16_t fail_open;
    uint16_t nbypass;
    char     bypass[16][128];
    /* replay input (supervisor) */
    char     replay_file[WS_PATH_LEN]; /* "" unless input is replay:FILE */
    ws_replay_conf_t replay;
    uint64_t replay_loops_done;   /* replay process */
    uint64_t replay_start_ns, replay_end_ns; /* replay process: when it sent its first and last packet */
} ws_sensor_shm_t;

/* The export process's counters.  Writer: the export process. */
typedef struct ws_export_shm {
    volatile int32_t pid;         /* supervisor */
    uint64_t alerts_in;           /* records taken from the detectors' rings */
    uint64_t eve_lines, fast_lines, pcap_packets;
    uint64_t suppressed;          /* threshold.conf suppress */
    uint64_t filtered;            /* threshold.conf event_filter / rate_filter quiet */
    uint64_t write_errors;
    uint64_t reopens;             /* SIGHUP reopenings */
    uint64_t rotations;           /* size rotations */
    uint64_t syslog_sent, syslog_dropped, syslog_lost, syslog_queued;
    uint64_t syslog_reconnects, syslog_truncated;
    uint32_t threshold_lines_rejected;
    volatile uint64_t heartbeat;
} __rte_cache_aligned ws_export_shm_t;

/* Run-control flags.  Writer: supervisor, except input_error*. */
typedef struct ws_run_shm {
    volatile uint32_t stop_capture;  /* 1: captures flush, wait for their chunks, exit */
    volatile uint32_t stop_detect;   /* 1: detectors exit once their inboxes are empty */
    volatile uint32_t stop_export;   /* 1: the exporter exits once every alert ring is empty */
    volatile uint32_t reopen_gen;    /* bumped on SIGHUP: the exporter reopens its files */
    volatile int32_t  input_error;   /* capture: nonzero when the file ended in an error */
    char     input_error_msg[256];   /* capture */
} __rte_cache_aligned ws_run_shm_t;

typedef struct ws_shm {
    uint32_t magic;                  /* WS_SHM_MAGIC */
    uint32_t version;                /* WS_SHM_VERSION */
    /* layout, written by the supervisor before the first child starts */
    uint32_t chunks;                 /* R */
    uint32_t cells;                  /* M */
    uint32_t flush_us;
    uint16_t nsensors;
    uint16_t nqueues;                /* all sensors */
    uint16_t ndets;
    uint16_t offline;                /* 1 when reading a file (-r) */
    uint64_t tsc_hz;
    uint32_t debug_flow_log;
    uint32_t debug_chunk_delay_us;
    uint64_t debug_crash_pkt;        /* debug.crash_packet: detectors abort() on this offline packet */
    uint32_t checksum_mode;          /* enum ws_csum_mode, resolved (auto only live) */
    uint32_t offload_enabled;        /* offload.enabled */
    double   offload_threshold;      /* offload.threshold: fraction of R */
    uint32_t midstream;              /* stream.midstream */
    uint32_t stream_depth;           /* stream.depth */
    uint64_t stream_memcap;          /* stream.memcap_mb in bytes */
    uint64_t flow_timeout_ns;        /* flow.timeout */
    uint64_t flow_max;               /* flow.max */
    ws_outputs_conf_t outputs;       /* outputs.* (the export process's settings) */
    char     threshold_file[WS_PATH_LEN];
    char     log_dir[WS_PATH_LEN];
    char     input_file[WS_PATH_LEN]; /* offline */
    ws_sensor_shm_t sensors[WS_MAX_SENSORS];

    ws_run_shm_t   run;
    ws_export_shm_t export;
    ws_queue_shm_t queues[WS_MAX_QUEUES_ALL];
    ws_det_shm_t   dets[WS_MAX_DETS_ALL];
} ws_shm_t;

#endif
