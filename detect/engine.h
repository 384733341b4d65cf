/*
 * engine.h - one detector's detection engine: the rule set it parsed from the
 * supervisor's bundle, its own copy of the prefilter, the verifier's scratch,
 * threshold state, checksum policy and alert writer.
 *
 * Owner: one detect process.  Per packet: decode -> flow -> prefilter
 * candidates -> header check -> every option -> thresholds -> alert.
 */
#ifndef WS_DET_ENGINE_H
#define WS_DET_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/alert.h"
#include "detect/decode.h"
#include "detect/flowtab.h"
#include "detect/http.h"
#include "detect/http_index.h"
#include "detect/stream.h"
#include "detect/match.h"
#include "detect/prefilter.h"
#include "detect/threshold.h"
#include "rules/bundle.h"
#include "sensor/shm.h"

typedef struct det_engine_stats {
    uint64_t not_ip;           /* decoded, but no IP layer: counted, not inspected */
    uint64_t malformed;        /* decode stopped on a malformed header */
    uint64_t bad_checksum;     /* kept out of inspection (-k all) */
    uint64_t candidates;       /* prefilter candidates verified */
    uint64_t alerts;
    uint64_t suppressed;       /* matched, held back by threshold/detection_filter */
    uint64_t rescans;          /* stream matches that lay in already-inspected bytes */
    uint64_t http_events;      /* HTTP transaction events inspected */
} det_engine_stats_t;

/* What outlives a rules generation: flows with their stream and HTTP state.
 * Owner: the detect process (detect.c); engines borrow it per packet. */
typedef struct det_session {
    det_flowtab_t    flows;
    det_stream_mgr_t sm;
    det_http_mgr_t   hm;
} det_session_t;

/* How a rule is inspected (det_engine_t.cls, one byte per rule). */
#define DET_CLS_STREAM 0x1   /* TCP payload rule: on reassembled data when there is some */
#define DET_CLS_HTTP   0x2   /* reads an HTTP buffer: on HTTP transactions */

typedef struct det_engine {
    ws_shm_t          *shm;
    uint16_t           sensor;
    int                linktype;
    uint32_t           gen;          /* rules generation loaded; 0 = none */
    rule_loaded_t      rules;
    det_prefilter_t   *pf;
    det_http_index_t   hx;           /* candidates among the HTTP rules */
    uint8_t           *cls;          /* DET_CLS_* per rule */
    uint16_t          *maxlen;       /* longest content per rule (stream re-scan window) */
    det_matcher_t      mt;
    det_thr_shared_t  *thr;          /* the sensor's threshold table (shared memory) */
    struct rte_ring   *alerts;       /* this detector's alert ring to the exporter */
    ws_det_shm_t      *me;
    int                csum_mode;    /* enum ws_csum_mode as now in force */
    bool               inline_mode;  /* the sensor forwards: drop/reject/sdrop block */
    uint8_t            cur_verdict;  /* verdict of the packet being inspected */
    uint64_t           csum_probe_checked, csum_probe_bad;
    det_decode_stats_t dstats;
    det_engine_stats_t st;
    /* per packet */
    det_packet_t       pkt;
    det_match_ctx_t    mc;
    const ws_cell_t   *cell;
    const uint8_t     *pkt_data;    /* the packet's linear bytes */
    uint32_t           pkt_len;
    det_flow_t        *flow;
} det_engine_t;

int  det_engine_init(det_engine_t *e, ws_shm_t *shm, uint16_t gid, ws_err_t *err);
void det_engine_free(det_engine_t *e);
/* The same on the heap (engines are swapped whole on reload: a rule set
 * points into itself, so an engine never moves once built). */
det_engine_t *det_engine_new(ws_shm_t *shm, uint16_t gid, ws_err_t *err);
void det_engine_destroy(det_engine_t *e);

/* Inspect one packet (data: len linear bytes of cell's mbuf).  Returns the
 * number of alerts raised. */
unsigned det_engine_packet(det_engine_t *e, det_session_t *ss,
                           const ws_cell_t *cell, const uint8_t *data, uint32_t len,
                           uint64_t *new_flows);

/* End of a chunk (nothing to do today: alerts go to the ring at once). */
void det_engine_flush(det_engine_t *e);

#endif
