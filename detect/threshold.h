/*
 * threshold.h - threshold and detection_filter state of one detector.
 *
 * After det_rule_match says a rule matched, the caller asks
 * det_threshold_allow whether the event counts: detection_filter first (the
 * rule only "matches" once more than `count` events were seen within
 * `seconds`), then threshold (limit: the first `count` per interval;
 * threshold: every `count`-th; both: once per interval after `count`).
 * The arithmetic is Snort's sfthd.c, in whole seconds of packet time
 * (ts_ns / 1e9), keyed by gid:sid, kind (filter or threshold) and the
 * tracked address (by_src: the packet's source, by_dst: its destination,
 * by_rule: none).
 *
 * Memory is fixed at init: a set-associative table (DET_THR_WAYS per set);
 * a new key in a full set evicts the least recently used entry of that set
 * (counted), as Snort's memcap'd hash recycles its oldest nodes.  One
 * writer: the detector that owns it.
 */
#ifndef DET_THRESHOLD_H
#define DET_THRESHOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/decode.h"
#include "rules/rule.h"
#include "sensor/err.h"

#define DET_THR_WAYS 8

typedef struct det_thr_node {
    uint64_t tick;           /* last use (LRU clock); 0 = empty */
    uint64_t tstart, tlast;  /* seconds of packet time */
    uint32_t gid, sid;
    uint32_t count, prev;
    uint8_t kind;            /* 0 detection_filter, 1 threshold */
    uint8_t family;          /* 0 untracked, 4, 6 */
    uint8_t addr[16];
} det_thr_node_t;

typedef struct det_thr_stats {
    uint64_t tested;         /* det_threshold_allow calls with a filter */
    uint64_t filtered;       /* events not allowed */
    uint64_t inserts;        /* new entries */
    uint64_t evictions;      /* entries recycled from a full set */
} det_thr_stats_t;

typedef struct det_threshold {
    det_thr_node_t *slots;   /* nsets * DET_THR_WAYS */
    uint32_t set_mask;       /* nsets - 1 (power of two) */
    uint32_t used;           /* entries in use */
    uint64_t clock;
    det_thr_stats_t stats;
} det_threshold_t;

/* capacity: entries (rounded up to a power of two, at least DET_THR_WAYS). */
int det_threshold_init(det_threshold_t *t, uint32_t capacity, ws_err_t *err);

/*
 * The table a sensor's detectors share, in shared memory, so that a
 * threshold or detection_filter tracked by source or destination counts
 * every matching packet of the sensor, whichever detector owns its flow.
 * A lock word holds the pid of the detector inside; a waiter that finds the
 * holder dead takes the lock over, so a detector killed inside cannot stop
 * the others.  The critical section is a few table probes.
 */
typedef struct det_thr_shared {
    volatile int32_t lock_pid;   /* 0 = free */
    uint32_t         pad;
    det_threshold_t  t;          /* t.slots points into this block (same address in every process) */
} det_thr_shared_t;

/* Bytes a shared table of capacity entries needs. */
size_t det_thr_shared_bytes(uint32_t capacity);
/* Lay a shared table out in mem (det_thr_shared_bytes(capacity) bytes). */
void det_thr_shared_init(det_thr_shared_t *s, uint32_t capacity);
/* det_threshold_allow under the table's lock. */
bool det_thr_shared_allow(det_thr_shared_t *s, const rule_t *r, const det_packet_t *p,
                          uint64_t ts_ns);
void det_threshold_free(det_threshold_t *t);

/* Should the event of matched rule r on packet p at ts_ns be kept?  True
 * when r has neither threshold nor detection_filter. */
bool det_threshold_allow(det_threshold_t *t, const rule_t *r,
                         const det_packet_t *p, uint64_t ts_ns);

#endif
