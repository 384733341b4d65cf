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
#include "sensor/csum_probe.h"
#include "sensor/log.h"

#define DET_THRESHOLD_ENTRIES 65536
#define DET_MAX_PKT_ALERTS    64     /* alerts held per packet until pass rules are known */

typedef struct pkt_alerts {
    const rule_t *r[DET_MAX_PKT_ALERTS];
    unsigned      n;
    bool          passed;
} pkt_alerts_t;

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
    e->csum_mode = (int)shm->checksum_mode;
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
        || det_threshold_init(&e->th, DET_THRESHOLD_ENTRIES, err) < 0) {
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
    det_threshold_free(&e->th);
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

/* The candidate callback's state: the engine and this packet's alerts. */
typedef struct cand_arg {
    det_engine_t *e;
    pkt_alerts_t  pa;
} cand_arg_t;

static int verify(uint32_t idx, void *arg)
{
    cand_arg_t *ca = arg;
    det_engine_t *e = ca->e;
    const rule_t *r = e->rules.set.rules[idx];

    e->st.candidates++;
    if (!det_rule_header_match(r, &e->pkt))
        return 0;
    if (det_rule_match(r, &e->mc) != DET_MATCH)
        return 0;
    if (r->action == RULE_ACTION_PASS) {
        ca->pa.passed = true;
        return 0;
    }
    if (!alerting_action(r->action))
        return 0;
    if (!det_threshold_allow(&e->th, r, &e->pkt, e->cell->ts_ns)) {
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
    a.pkt_wire_len = e->cell->wire_len;
    a.pkt_len = (uint16_t)(e->pkt_len < DET_ALERT_PKT_MAX ? e->pkt_len : DET_ALERT_PKT_MAX);
    memcpy(a.pkt, e->pkt_data, a.pkt_len);
    /* Never wait for the exporter: a full ring costs the alert, counted. */
    if (rte_ring_sp_enqueue_elem(e->alerts, &a, sizeof(a)) != 0)
        e->me->alerts_dropped++;
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

unsigned det_engine_packet(det_engine_t *e, det_flowtab_t *flows,
                           const ws_cell_t *cell, const uint8_t *data, uint32_t len,
                           uint64_t *new_flows)
{
    unsigned flags = e->csum_mode == WS_CSUM_NONE ? 0 : DET_DECODE_CSUM;
    det_pkt_flow_t pf = { 0 };
    ws_flow_key_t key;
    cand_arg_t ca;
    bool src_is_lo;
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
    e->flow = det_flowtab_get(flows, &key, ws_flow_hash(&key), &created);
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
    if (e->csum_mode == WS_CSUM_AUTO)
        csum_auto(e);
    if (e->pkt.csum_bad != 0 && e->csum_mode != WS_CSUM_NONE) {
        e->st.bad_checksum++;
        return 0;
    }
    det_match_ctx_init(&e->mc, &e->mt, &e->pkt);
    if (e->flow != NULL) {
        e->mc.has_flow = true;
        e->mc.to_server = pf.to_server;
        e->mc.established = pf.established;
        e->mc.flowbits = det_flow_bits(e->flow, e->mt.nflowbits);
        e->mc.nflowbits = e->mt.nflowbits;
    }
    ca.e = e;
    ca.pa.n = 0;
    ca.pa.passed = false;
    det_prefilter_candidates(e->pf, &e->pkt, e->pkt.payload, e->pkt.payload_len,
                             verify, &ca);
    if (ca.pa.passed)
        return 0;
    for (unsigned i = 0; i < ca.pa.n; i++)
        raise_alert(e, ca.pa.r[i], &key);
    return ca.pa.n;
}

void det_engine_flush(det_engine_t *e)
{
    (void)e;
}
