/*
 * threshold.c - Snort's event thresholds (sfthd.c) over a fixed-size,
 * set-associative table with LRU eviction.
 *
 * Per key the table keeps a count, the start of the current interval and,
 * for detection_filter, the previous interval's count and the last event
 * time.  Each event increments the count (a new key starts at 1) and then:
 *   detection_filter: a new interval starts when seconds have passed; the
 *       event passes once count > N in this interval (or the previous
 *       interval, still running into this one, had more than N);
 *   limit:     a new interval resets count to 1; pass while count <= N;
 *   threshold: a new interval resets count to 1; pass when count >= N,
 *       which restarts the interval with count 0;
 *   both:      a new interval resets count to 1 and drops the event; pass
 *       exactly when count reaches N.
 * Time is whole seconds of packet time; a clock that goes backwards looks
 * like a long gap (unsigned difference), as in Snort.
 */
#include "detect/threshold.h"
#include "detect/thr_window.h"

#include <stdlib.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <rte_pause.h>

static uint64_t thr_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

int det_threshold_init(det_threshold_t *t, uint32_t capacity, ws_err_t *err)
{
    uint32_t nsets = 1;
    memset(t, 0, sizeof(*t));
    while ((uint64_t)nsets * DET_THR_WAYS < capacity && nsets < (1u << 26))
        nsets <<= 1;
    t->slots = calloc((size_t)nsets * DET_THR_WAYS, sizeof(*t->slots));
    if (t->slots == NULL)
        return ws_err_set(err, "threshold table: cannot allocate %u entries",
                          nsets * DET_THR_WAYS);
    t->set_mask = nsets - 1;
    return 0;
}

static uint32_t thr_nsets(uint32_t capacity)
{
    uint32_t nsets = 1;
    while ((uint64_t)nsets * DET_THR_WAYS < capacity && nsets < (1u << 26))
        nsets <<= 1;
    return nsets;
}

size_t det_thr_shared_bytes(uint32_t capacity)
{
    return sizeof(det_thr_shared_t)
           + (size_t)thr_nsets(capacity) * DET_THR_WAYS * sizeof(det_thr_node_t);
}

void det_thr_shared_init(det_thr_shared_t *s, uint32_t capacity)
{
    uint32_t nsets = thr_nsets(capacity);

    memset(s, 0, det_thr_shared_bytes(capacity));
    s->t.slots = (det_thr_node_t *)(void *)(s + 1);
    s->t.set_mask = nsets - 1;
}

static void thr_lock(det_thr_shared_t *s)
{
    int32_t me = (int32_t)getpid(), holder;
    unsigned spins = 0;

    for (;;) {
        holder = 0;
        if (__atomic_compare_exchange_n(&s->lock_pid, &holder, me, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return;
        if (++spins % 4096 == 0 && holder != 0 && kill(holder, 0) != 0 && errno == ESRCH)
            __atomic_compare_exchange_n(&s->lock_pid, &holder, 0, 0, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED);   /* the holder died inside */
        rte_pause();
    }
}

bool det_thr_shared_allow(det_thr_shared_t *s, const rule_t *r, const det_packet_t *p,
                          uint64_t ts_ns)
{
    bool ok;

    thr_lock(s);
    ok = det_threshold_allow(&s->t, r, p, ts_ns);
    __atomic_store_n(&s->lock_pid, 0, __ATOMIC_RELEASE);
    return ok;
}

void det_threshold_free(det_threshold_t *t)
{
    if (t == NULL)
        return;
    free(t->slots);
    t->slots = NULL;
}

/* Find or create the entry of a key; *fresh says it was created. */
static det_thr_node_t *thr_get(det_threshold_t *t, const det_thr_node_t *key,
                               bool *fresh)
{
    uint64_t h = (uint64_t)key->gid << 32 | key->sid;
    h = thr_mix(h ^ (uint64_t)key->kind << 62 ^ (uint64_t)key->family << 56);
    for (int i = 0; i < 16; i += 8) {
        uint64_t w;
        memcpy(&w, key->addr + i, 8);
        h = thr_mix(h ^ w);
    }
    det_thr_node_t *set = &t->slots[(h & t->set_mask) * DET_THR_WAYS];
    det_thr_node_t *victim = NULL;

    t->clock++;
    for (int w = 0; w < DET_THR_WAYS; w++) {
        det_thr_node_t *n = &set[w];
        if (n->tick != 0 && n->gid == key->gid && n->sid == key->sid &&
            n->kind == key->kind && n->family == key->family &&
            memcmp(n->addr, key->addr, 16) == 0) {
            n->tick = t->clock;
            *fresh = false;
            return n;
        }
        if (victim == NULL || n->tick < victim->tick)
            victim = n;
    }
    if (victim->tick != 0)
        t->stats.evictions++;
    else
        t->used++;
    t->stats.inserts++;
    *victim = *key;
    victim->tick = t->clock;
    *fresh = true;
    return victim;
}

/* sfthd_test_non_suppress: true = log the event. */
static bool thr_test(const rule_threshold_t *th, det_thr_node_t *n,
                     uint64_t now)
{
    uint64_t dt = now - n->tstart;   /* unsigned, as in Snort */
    uint32_t count = th->count;

    switch (th->type) {
    case RULE_THRESH_DETECTION:
        if (dt >= th->seconds) {
            n->tstart = now;
            n->prev = (now - n->tlast > th->seconds) ? 0 : n->count - 1;
            n->count = 1;
        }
        n->tlast = now;
        return n->count > count || n->prev > count;
    case RULE_THRESH_LIMIT:
        return ws_thr_window_test(WS_WIN_LIMIT, count, th->seconds, &n->count, &n->tstart,
                                  now, false);
    case RULE_THRESH_THRESHOLD:
        return ws_thr_window_test(WS_WIN_THRESHOLD, count, th->seconds, &n->count,
                                  &n->tstart, now, false);
    case RULE_THRESH_BOTH:
        return ws_thr_window_test(WS_WIN_BOTH, count, th->seconds, &n->count, &n->tstart,
                                  now, false);
    default:
        return true;
    }
}

static bool thr_check(det_threshold_t *t, const rule_t *r,
                      const rule_threshold_t *th, uint8_t kind,
                      const det_packet_t *p, uint64_t now)
{
    det_thr_node_t key;
    const det_ip_t *ip = det_ip_inner(p);
    bool fresh;

    memset(&key, 0, sizeof(key));
    key.gid = r->gid;
    key.sid = r->sid;
    key.kind = kind;
    if (ip != NULL && (th->track == RULE_TRACK_SRC || th->track == RULE_TRACK_DST)) {
        const uint8_t *a = th->track == RULE_TRACK_SRC ? ip->src : ip->dst;
        key.family = ip->version;
        memcpy(key.addr, a, ip->version == 4 ? 4 : 16);
    }
    t->stats.tested++;
    det_thr_node_t *n = thr_get(t, &key, &fresh);
    if (fresh) {
        n->count = 1;
        n->prev = 0;
        n->tstart = n->tlast = now;
    } else {
        n->count++;
    }
    if (thr_test(th, n, now))
        return true;
    t->stats.filtered++;
    return false;
}

bool det_threshold_allow(det_threshold_t *t, const rule_t *r,
                         const det_packet_t *p, uint64_t ts_ns)
{
    uint64_t now = ts_ns / 1000000000ULL;

    if (r->detection_filter.type == RULE_THRESH_DETECTION &&
        !thr_check(t, r, &r->detection_filter, 0, p, now))
        return false;
    if (r->threshold.type != RULE_THRESH_NONE &&
        r->threshold.type != RULE_THRESH_DETECTION &&
        !thr_check(t, r, &r->threshold, 1, p, now))
        return false;
    return true;
}
