/*
 * engine.c - see engine.h.
 *
 * Rule actions in IDS mode: alert, drop, reject and sdrop raise an alert;
 * log and pass do not, and a matching pass rule cancels the alerts of the
 * same packet (Snort's default pass-first order).  Packets with a bad
 * checksum are kept out of inspection under -k all; -k auto on a live
 * sensor starts as all and switches to none when more than a tenth of the
 * first WS_CSUM_PROBE_PACKETS checked packets are bad (offline runs decide
 * once, in the supervisor).
 */
#include "detect/engine.h"

#include <stdlib.h>
#include <string.h>

#include <rte_memzone.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "capture/flowkey.h"
#include "detect/flowstate.h"
#include "sensor/backoff.h"
#include "sensor/csum_probe.h"
#include "sensor/log.h"

#define DET_MAX_PKT_ALERTS    64     /* alerts held per packet until pass rules are known */

typedef struct pkt_alerts {
    const rule_t *r[DET_MAX_PKT_ALERTS];
    unsigned      n;
    bool          passed;
} pkt_alerts_t;

/* A rule's payload options can be judged on reassembled data: TCP, reads
 * the packet buffer, and nothing in it is tied to one packet: no dsize or
 * no_stream, and no position counted from the start of the buffer (offset,
 * depth, an anchored pcre, absolute byte_ options and isdataat), since a reassembled
 * buffer starts with bytes of earlier segments.  Those rules stay on
 * packets, where their positions mean what the rule writer meant. */
static bool stream_side(const rule_t *r)
{
    bool payload = false;

    if (r->proto != RULE_PROTO_TCP && r->header_service == NULL)
        return false;
    for (uint32_t i = 0; i < r->nopts; i++) {
        const rule_opt_t *o = &r->opts[i];
        switch (o->kw) {
        case RULE_KW_CONTENT:
            if (o->u.content.buffer != RULE_BUF_PKT && o->u.content.buffer != RULE_BUF_RAW)
                break;
            if (o->u.content.has_offset || o->u.content.has_depth)
                return false;
            payload = true;
            break;
        case RULE_KW_PCRE:
            if (o->u.pcre.buffer != RULE_BUF_PKT && o->u.pcre.buffer != RULE_BUF_RAW)
                break;
            if (o->u.pcre.pattern[0] == '^' && !(o->u.pcre.flags & RULE_PCRE_RELATIVE))
                return false;
            payload = true;
            break;
        case RULE_KW_BYTE_TEST:
            if (!o->u.byte_test.c.relative)
                return false;
            break;
        case RULE_KW_BYTE_JUMP:
            if (!o->u.byte_jump.c.relative)
                return false;
            break;
        case RULE_KW_BYTE_EXTRACT:
            if (!o->u.byte_extract.c.relative)
                return false;
            break;
        case RULE_KW_ISDATAAT:
            if (!o->u.isdataat.relative)
                return false;
            break;
        case RULE_KW_DSIZE:
            return false;
        case RULE_KW_FLOW:
            if (o->u.flow.flags & RULE_FLOW_NO_STREAM)
                return false;
            break;
        default:
            break;
        }
    }
    return payload;
}

static int det_engine_classify(det_engine_t *e, ws_err_t *err)
{
    const rule_set_t *rs = &e->rules.set;

    e->cls = calloc(rs->nrules + 1, 1);
    e->maxlen = calloc(rs->nrules + 1, sizeof(uint16_t));
    if (e->cls == NULL || e->maxlen == NULL || det_http_index_build(&e->hx, rs) < 0)
        return ws_err_set(err, "out of memory classifying %u rules", rs->nrules);
    for (uint32_t i = 0; i < rs->nrules; i++) {
        const rule_t *r = rs->rules[i];
        for (uint32_t k = 0; k < r->nopts; k++)
            if (r->opts[k].kw == RULE_KW_CONTENT && r->opts[k].u.content.len > e->maxlen[i])
                e->maxlen[i] = (uint16_t)(r->opts[k].u.content.len > 65535 ? 65535
                                          : r->opts[k].u.content.len);
        e->cls[i] = (uint8_t)((det_rule_needs_http(r) ? DET_CLS_HTTP
                               : stream_side(r) ? DET_CLS_STREAM : 0));
    }
    return 0;
}

static const void *mz_data(const char *name, ws_err_t *err)
{
    const struct rte_memzone *mz = rte_memzone_lookup(name);
    if (mz == NULL)
        ws_err_set(err, "rules memzone %s not found", name);
    return mz != NULL ? mz->addr : NULL;
}

int det_engine_init(det_engine_t *e, ws_shm_t *shm, uint16_t gid, ws_err_t *err)
{
    uint16_t sensor = shm->dets[gid].sensor;
    const ws_sensor_shm_t *s = &shm->sensors[sensor];
    const void *bundle, *pf;
    char name[32];

    memset(e, 0, sizeof(*e));
    e->shm = shm;
    e->sensor = sensor;
    e->me = &shm->dets[gid];
    e->linktype = s->linktype;
    e->inline_mode = s->out_port != UINT16_MAX;
    e->csum_mode = (int)shm->checksum_mode;
    char thr_name[32];
    snprintf(thr_name, sizeof(thr_name), WS_NAME_THRESH, sensor);
    snprintf(name, sizeof(name), WS_NAME_ALERTS, gid);
    e->alerts = rte_ring_lookup(name);
    if (e->alerts == NULL)
        return ws_err_set(err, "alert ring %s not found", name);
    if (s->rules_gen == 0)
        return 0;                    /* no rules: count flows only */
    if ((bundle = mz_data(s->rules_bundle_mz, err)) == NULL
        || (pf = mz_data(s->rules_pf_mz, err)) == NULL)
        return -1;
    if (rule_bundle_load(&e->rules, bundle, s->rules_bundle_len, NULL, NULL, err) < 0)
        return -1;
    if (det_prefilter_load(&e->pf, pf, s->rules_pf_len, &e->rules.set, err) < 0
        || det_matcher_init(&e->mt, &e->rules.set, err) < 0
        || (e->thr = (det_thr_shared_t *)(uintptr_t)mz_data(thr_name, err)) == NULL
        || det_engine_classify(e, err) < 0) {
        det_engine_free(e);
        return -1;
    }
    e->gen = s->rules_gen;
    ws_info("rules generation %u: %u rules, prefilter loaded", e->gen,
            e->rules.set.nrules);
    return 0;
}

void det_engine_free(det_engine_t *e)
{
    if (e->gen == 0)
        return;
    det_http_index_free(&e->hx);
    free(e->cls);
    free(e->maxlen);
    e->cls = NULL;
    e->maxlen = NULL;
    det_matcher_free(&e->mt);
    det_prefilter_free(e->pf);
    rule_loaded_free(&e->rules);
    e->gen = 0;
}

det_engine_t *det_engine_new(ws_shm_t *shm, uint16_t gid, ws_err_t *err)
{
    det_engine_t *e = malloc(sizeof(*e));

    if (e == NULL) {
        ws_err_set(err, "out of memory for a detection engine");
        return NULL;
    }
    if (det_engine_init(e, shm, gid, err) < 0) {
        free(e);
        return NULL;
    }
    return e;
}

void det_engine_destroy(det_engine_t *e)
{
    if (e != NULL) {
        det_engine_free(e);
        free(e);
    }
}

static bool alerting_action(rule_action_t a)
{
    return a != RULE_ACTION_PASS && a != RULE_ACTION_LOG;
}

enum insp_mode { INSP_PACKET, INSP_STREAM, INSP_HTTP };

/* The candidate callback's state: the engine, how it is inspecting, and the
 * alerts of this packet so far (a pass rule cancels them all). */
typedef struct cand_arg {
    det_engine_t   *e;
    pkt_alerts_t    pa;
    enum insp_mode  mode;
    uint8_t         verdict;     /* inline: enum ws_verdict for this packet */
    bool            streamed;    /* packet mode: this direction is reassembled */
    const uint8_t  *old;         /* stream mode: bytes inspected before */
    uint32_t        old_len;
} cand_arg_t;

static bool skip_rule(const cand_arg_t *ca, uint8_t cls)
{
    switch (ca->mode) {
    case INSP_PACKET:
        return (cls & DET_CLS_HTTP) || (ca->streamed && (cls & DET_CLS_STREAM));
    case INSP_STREAM:
        return !(cls & DET_CLS_STREAM);
    default:
        return false;
    }
}

/* Stream mode, r matched the lookback and the new bytes together: is that
 * only a re-scan of bytes inspected before?  It is when r also matches the
 * old bytes alone, unless it matches again in a window that starts just
 * early enough to hold its longest content ending in the new bytes (a new
 * occurrence, possibly split across segments). */
static bool rescan(cand_arg_t *ca, const rule_t *r, uint32_t idx)
{
    det_engine_t *e = ca->e;
    const uint8_t *buf = e->mc.bufs[RULE_BUF_PKT];
    uint32_t len = e->mc.buf_lens[RULE_BUF_PKT], back, from;
    bool old, fresh;

    if (ca->old_len == 0)
        return false;
    e->mc.bufs[RULE_BUF_PKT] = e->mc.bufs[RULE_BUF_RAW] = ca->old;
    e->mc.buf_lens[RULE_BUF_PKT] = e->mc.buf_lens[RULE_BUF_RAW] = ca->old_len;
    old = det_rule_match(r, &e->mc) == DET_MATCH;
    fresh = !old;
    if (old) {
        back = e->maxlen[idx] > 0 ? e->maxlen[idx] - 1u : 0;
        from = ca->old_len > back ? ca->old_len - back : 0;
        e->mc.bufs[RULE_BUF_PKT] = e->mc.bufs[RULE_BUF_RAW] = buf + from;
        e->mc.buf_lens[RULE_BUF_PKT] = e->mc.buf_lens[RULE_BUF_RAW] = len - from;
        fresh = det_rule_match(r, &e->mc) == DET_MATCH;
    }
    e->mc.bufs[RULE_BUF_PKT] = e->mc.bufs[RULE_BUF_RAW] = buf;
    e->mc.buf_lens[RULE_BUF_PKT] = e->mc.buf_lens[RULE_BUF_RAW] = len;
    return !fresh;
}

static int verify(uint32_t idx, void *arg)
{
    cand_arg_t *ca = arg;
    det_engine_t *e = ca->e;
    const rule_t *r = e->rules.set.rules[idx];

    if (skip_rule(ca, e->cls[idx]))
        return 0;
    e->st.candidates++;
    if (!det_rule_header_match(r, &e->pkt))
        return 0;
    if (det_rule_match(r, &e->mc) != DET_MATCH)
        return 0;
    if (ca->mode == INSP_STREAM && rescan(ca, r, idx)) {
        e->st.rescans++;
        return 0;
    }
    if (r->action == RULE_ACTION_PASS) {
        ca->pa.passed = true;
        return 0;
    }
    if (e->inline_mode && (r->action == RULE_ACTION_DROP || r->action == RULE_ACTION_REJECT
                           || r->action == RULE_ACTION_SDROP)) {
        /* inline: block the packet and, from now on, its flow */
        ca->verdict = r->action == RULE_ACTION_REJECT ? WS_VERDICT_REJECT : WS_VERDICT_DROP;
        if (e->flow != NULL)
            e->flow->blocked = 1;
        if (r->action == RULE_ACTION_SDROP)
            return 0;                 /* silent */
    }
    if (!alerting_action(r->action))
        return 0;
    if ((r->threshold.type != RULE_THRESH_NONE || r->detection_filter.type != RULE_THRESH_NONE)
        && !det_thr_shared_allow(e->thr, r, &e->pkt, e->cell->ts_ns)) {
        e->st.suppressed++;
        return 0;
    }
    if (ca->pa.n < DET_MAX_PKT_ALERTS)
        ca->pa.r[ca->pa.n++] = r;
    return 0;
}

static void raise_alert(det_engine_t *e, const rule_t *r, const ws_flow_key_t *key)
{
    const det_ip_t *ip = det_ip_inner(&e->pkt);
    det_alert_t a;
    size_t alen = ip->version == 6 ? 16 : 4;

    memset(&a, 0, sizeof(a));
    a.ts_ns = e->cell->ts_ns;
    a.pkt_no = e->cell->pkt_no;
    a.flow_id = ws_flow_hash64(key) & 0x7fffffffffffffffull;
    a.gid = r->gid;
    a.sid = r->sid;
    a.rev = r->rev;
    a.priority = r->priority;
    a.family = ip->version;
    a.proto = e->pkt.l4_proto;
    a.sport = e->pkt.sport;
    a.dport = e->pkt.dport;
    memcpy(a.src, ip->src, alen);
    memcpy(a.dst, ip->dst, alen);
    snprintf(a.msg, sizeof(a.msg), "%s", r->msg ? r->msg : "");
    snprintf(a.category, sizeof(a.category), "%s", r->category ? r->category : "");
    snprintf(a.sensor, sizeof(a.sensor), "%s", e->shm->sensors[e->sensor].name);
    a.sensor_id = e->sensor;
    a.blocked = e->inline_mode && e->cur_verdict != WS_VERDICT_PASS;
    a.pkt_wire_len = e->cell->wire_len;
    a.pkt_len = (uint16_t)(e->pkt_len < DET_ALERT_PKT_MAX ? e->pkt_len : DET_ALERT_PKT_MAX);
    memcpy(a.pkt, e->pkt_data, a.pkt_len);
    /* Live, never wait for the exporter: a full ring costs the alert,
     * counted.  Offline runs are lossless: there the detector waits. */
    if (rte_ring_sp_enqueue_elem(e->alerts, &a, sizeof(a)) != 0) {
        if (e->shm->offline) {
            ws_backoff_t bo;
            ws_backoff_reset(&bo);
            while (rte_ring_sp_enqueue_elem(e->alerts, &a, sizeof(a)) != 0)
                ws_backoff_idle(&bo);
        } else {
            e->me->alerts_dropped++;
        }
    }
    e->st.alerts++;
}

/* -k auto on a live sensor: watch the first checked packets. */
static void csum_auto(det_engine_t *e)
{
    if (e->pkt.csum_checked == 0)
        return;
    e->csum_probe_checked++;
    e->csum_probe_bad += e->pkt.csum_bad != 0;
    if (e->csum_probe_checked < WS_CSUM_PROBE_PACKETS)
        return;
    if (e->csum_probe_bad * 10 > e->csum_probe_checked) {
        e->csum_mode = WS_CSUM_NONE;
        ws_info("checksums: %llu of the first %llu packets bad (checksum offload on "
                "the capture path?); no longer checking them (-k none)",
                (unsigned long long)e->csum_probe_bad,
                (unsigned long long)e->csum_probe_checked);
    } else {
        e->csum_mode = WS_CSUM_ALL;
    }
}

/* The match context for the current packet and its flow. */
static void ctx_for(det_engine_t *e, const det_pkt_flow_t *pf, bool to_server,
                    bool rebuilt)
{
    det_match_ctx_init(&e->mc, &e->mt, &e->pkt);
    e->mc.rebuilt = rebuilt;
    if (e->flow != NULL) {
        e->mc.has_flow = true;
        e->mc.to_server = to_server;
        e->mc.established = pf->established;
        e->mc.flowbits = det_flow_bits(e->flow, e->mt.nflowbits);
        e->mc.nflowbits = e->mt.nflowbits;
    }
}

/* Buffers a rule reads that a body event carries. */
#define BODY_BUFS (DET_BUF_BIT(RULE_BUF_HTTP_CLIENT_BODY) | DET_BUF_BIT(RULE_BUF_FILE_DATA) \
                   | DET_BUF_BIT(RULE_BUF_HTTP_RAW_BODY))

typedef struct http_arg {
    cand_arg_t            *ca;
    const det_pkt_flow_t  *pf;
} http_arg_t;

/* One HTTP event: each HTTP rule is judged once per message, at the event
 * that completes what it reads (headers, or the whole body). */
static void on_http(void *arg, const det_http_tx_t *tx)
{
    http_arg_t *ha = arg;
    cand_arg_t *ca = ha->ca;
    det_engine_t *e = ca->e;
    bool body = tx->ev == DET_HTTP_REQ_BODY || tx->ev == DET_HTTP_RESP_BODY;
    uint32_t avail = 0;

    if (body && !tx->body_last)
        return;
    for (uint32_t b = 0; b < RULE_BUF_COUNT; b++)
        if (tx->buf[b] != NULL)
            avail |= DET_BUF_BIT(b);
    e->st.http_events++;
    det_http_index_scan(&e->hx, tx->buf, tx->len, RULE_BUF_COUNT);
    ctx_for(e, ha->pf, tx->to_server, true);
    det_match_ctx_set_bufs(&e->mc, tx->buf, tx->len);
    ca->mode = INSP_HTTP;
    for (uint32_t i = 0; i < e->hx.ncand; i++) {
        uint32_t idx = e->hx.cand[i];
        uint32_t need = det_rule_buffers(e->rules.set.rules[idx])
                        & ~(DET_BUF_BIT(RULE_BUF_PKT) | DET_BUF_BIT(RULE_BUF_RAW));
        if ((need & ~avail) != 0 || (body != ((need & BODY_BUFS) != 0)))
            continue;
        verify(idx, ca);
    }
}

/* Reassembled data of the packet's direction: stream rules on it, then the
 * HTTP parser when the flow carries HTTP. */
static void inspect_stream(det_engine_t *e, det_session_t *ss, const det_pkt_flow_t *pf,
                           cand_arg_t *ca)
{
    det_stream_out_t out;
    det_stream_chunk_t ch;
    http_arg_t ha = { ca, pf };
    det_flow_t *f = e->flow;

    if (det_stream_feed(&ss->sm, f, &e->pkt, pf->to_server, &out) != 1)
        return;
    ctx_for(e, pf, pf->to_server, true);
    e->mc.bufs[RULE_BUF_PKT] = e->mc.bufs[RULE_BUF_RAW] = out.buf;
    e->mc.buf_lens[RULE_BUF_PKT] = e->mc.buf_lens[RULE_BUF_RAW] = out.len;
    ca->mode = INSP_STREAM;
    ca->old = out.buf;
    ca->old_len = out.new_off;
    det_prefilter_candidates(e->pf, &e->pkt, out.buf, out.len, verify, ca);

    if (f->app == DET_APP_OTHER || e->hx.nhttp == 0)
        return;
    if (det_stream_take(f, out.to_server, &ch) != 1)
        return;
    if (f->app == DET_APP_UNKNOWN) {
        det_http_kind_t k = det_http_detect(ch.buf, ch.len);
        if (k == DET_HTTP_MORE && !ch.end)
            return;                          /* wait for more bytes */
        if (k != DET_HTTP_REQUEST && k != DET_HTTP_RESPONSE) {
            f->app = DET_APP_OTHER;
            det_stream_ignore(f, true);
            det_stream_ignore(f, false);
            return;
        }
        f->app = DET_APP_HTTP;
    }
    det_http_feed(&ss->hm, f, out.to_server, ch.buf, ch.len, on_http, &ha);
    det_stream_consume(f, out.to_server, ch.len);
    if (ch.end)
        det_http_eof(&ss->hm, f, out.to_server, on_http, &ha);
}

unsigned det_engine_packet(det_engine_t *e, det_session_t *ss,
                           const ws_cell_t *cell, const uint8_t *data, uint32_t len,
                           uint64_t *new_flows)
{
    unsigned flags = e->csum_mode == WS_CSUM_NONE ? 0 : DET_DECODE_CSUM;
    det_pkt_flow_t pf = { 0 };
    ws_flow_key_t key;
    cand_arg_t ca;
    bool src_is_lo, tcp;
    int created = 0;

    e->cell = cell;
    e->pkt_data = data;
    e->pkt_len = len;
    if (det_decode(&e->pkt, data, len, e->linktype, flags, &e->dstats) != DET_DECODE_OK)
        e->st.malformed++;
    if (det_flow_key_of(&e->pkt, &key, &src_is_lo) < 0) {
        e->st.not_ip++;
        return 0;
    }
    e->flow = det_flowtab_get(&ss->flows, &key, ws_flow_hash(&key), &created);
    if (e->flow != NULL) {
        det_flow_update(e->flow, created, &e->pkt, src_is_lo, cell->ts_ns,
                        e->shm->flow_timeout_ns, e->shm->midstream, &pf);
        *new_flows += (uint64_t)created;
        if (created)
            e->flow->first_ns = cell->ts_ns;
        e->flow->packets++;
        e->flow->bytes += cell->wire_len;
        e->flow->last_ns = cell->ts_ns;
    }
    if (e->gen == 0)
        return 0;
    if (e->inline_mode && e->flow != NULL && e->flow->blocked) {
        ((ws_cell_t *)(uintptr_t)cell)->verdict = WS_VERDICT_DROP;
        return 0;                     /* the rest of a blocked flow */
    }
    if (e->csum_mode == WS_CSUM_AUTO)
        csum_auto(e);
    if (e->pkt.csum_bad != 0 && e->csum_mode != WS_CSUM_NONE) {
        e->st.bad_checksum++;
        return 0;
    }
    memset(&ca, 0, sizeof(ca));
    ca.e = e;
    tcp = e->flow != NULL && e->pkt.l4_proto == 6 && (e->pkt.layers & DET_L_TCP);
    /* 1. the packet itself; rules for reassembled data wait for the stream */
    ca.streamed = tcp && det_stream_state(e->flow, pf.to_server) == DET_SD_OPEN;
    ctx_for(e, &pf, pf.to_server, false);
    ca.mode = INSP_PACKET;
    det_prefilter_candidates(e->pf, &e->pkt, e->pkt.payload, e->pkt.payload_len,
                             verify, &ca);
    /* 2. the stream: new in-order bytes of this direction, then HTTP */
    if (tcp)
        inspect_stream(e, ss, &pf, &ca);
    if (ca.pa.passed) {
        if (e->flow != NULL && ca.verdict != WS_VERDICT_PASS)
            e->flow->blocked = 0;     /* a pass rule wins over a drop */
        return 0;                     /* pass: no alert, no block */
    }
    e->cur_verdict = ca.verdict;
    if (e->inline_mode && ca.verdict != WS_VERDICT_PASS)
        ((ws_cell_t *)(uintptr_t)cell)->verdict = ca.verdict;
    for (unsigned i = 0; i < ca.pa.n; i++)
        raise_alert(e, ca.pa.r[i], &key);
    return ca.pa.n;
}

void det_engine_flush(det_engine_t *e)
{
    (void)e;
}
