/*
 * prefilter_iponly.c - the address lookup of the IP-only rules (addresses
 * and nothing else: ET Open's botcc, ciarmy, compromised, dshield, drop and
 * tor sets, thousands of rules with long address lists).
 *
 * Every such rule is an entry (a `<>` rule is two: itself and its mirror
 * with source and destination swapped).  Per address family an entry is
 *   - `always` when both sides are `any` for that family,
 *   - in the source tree's `only` lists when just its source is specific,
 *   - in the destination tree's `only` lists when just its destination is,
 *   - when both sides are specific, in the `both` lists of the tree of its
 *     narrower side only (the side covering fewer addresses: the
 *     reputation list, not $HOME_NET).
 * The trees are interval trees (prefilter_int.h): a lookup is one binary
 * search over the range boundaries and a walk of ~log2(boundaries) nodes,
 * however many rules there are.  `only` hits are candidates at once; a
 * `both` hit has its other side checked with the rule's own sorted ranges
 * (one binary search).  So a packet pays for the rules whose narrow side
 * names its source or destination, not for the thousands whose wide side
 * ($HOME_NET) contains it.  A rule reached through two entries is reported
 * twice; the caller de-duplicates.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/prefilter_int.h"

#define MAX4 ((rule_u128_t)0xffffffffu)
#define MAX6 (~(rule_u128_t)0)
#define TREE_MAX_LEAVES (1u << 26)

/* One range of one entry to insert. */
typedef struct item {
    uint32_t ent;
    rule_u128_t lo, hi;
    bool both;
} item_t;

typedef struct itemv {
    item_t *v;
    size_t n, cap;
} itemv_t;

static int itemv_push(itemv_t *a, uint32_t ent, rule_u128_t lo, rule_u128_t hi,
                      bool both)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        item_t *v = realloc(a->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = (item_t){ ent, lo, hi, both };
    return 0;
}

static uint32_t set_count(const rule_addrset_t *s, int fam)
{
    return fam ? s->n6 : s->n4;
}

static bool set_full(const rule_addrset_t *s, int fam)
{
    if (fam == 0)
        return s->n4 == 1 && s->v4[0].lo == 0 && s->v4[0].hi == 0xffffffffu;
    return s->n6 == 1 && s->v6[0].lo == 0 && s->v6[0].hi == MAX6;
}

/* How many addresses of the family s covers (a double: v6 overflows). */
static double coverage(const rule_addrset_t *s, int fam)
{
    double n = 0;
    for (uint32_t i = 0; i < set_count(s, fam); i++)
        n += fam ? (double)(s->v6[i].hi - s->v6[i].lo) + 1
                 : (double)s->v4[i].hi - s->v4[i].lo + 1;
    return n;
}

static int push_set(itemv_t *a, uint32_t ent, const rule_addrset_t *s, int fam,
                    bool both)
{
    for (uint32_t i = 0; i < set_count(s, fam); i++) {
        rule_u128_t lo = fam ? s->v6[i].lo : s->v4[i].lo;
        rule_u128_t hi = fam ? s->v6[i].hi : s->v4[i].hi;
        if (itemv_push(a, ent, lo, hi, both) != 0)
            return -1;
    }
    return 0;
}

static int u128_cmp(const void *a, const void *b)
{
    rule_u128_t x, y;
    memcpy(&x, a, sizeof(x));
    memcpy(&y, b, sizeof(y));
    return x < y ? -1 : x > y;
}

/* Index of the last point <= x (pts[0] == 0, so always valid). */
static uint32_t pt_find(const rule_u128_t *pts, uint32_t n, rule_u128_t x)
{
    uint32_t lo = 0, hi = n;   /* answer in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pts[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Visit the canonical nodes of leaves [a, b). */
#define CANON(size, a, b, NODE_DO)                                     \
    do {                                                               \
        uint32_t l_ = (a) + (size), r_ = (b) + (size);                 \
        while (l_ < r_) {                                              \
            if (l_ & 1) { uint32_t node = l_++; NODE_DO; }             \
            if (r_ & 1) { uint32_t node = --r_; NODE_DO; }             \
            l_ >>= 1;                                                  \
            r_ >>= 1;                                                  \
        }                                                              \
    } while (0)

/* Build one tree from its items and write it. */
static int tree_write(det_pfw_t *w, const itemv_t *it, rule_u128_t max,
                      det_prefilter_stats_t *st)
{
    rule_u128_t *pts = malloc((2 * it->n + 1) * sizeof(*pts));
    uint32_t *cnt[2] = { NULL, NULL }, *start[2] = { NULL, NULL };
    uint32_t *list[2] = { NULL, NULL };
    int rc = -1;
    if (pts == NULL)
        return -1;
    size_t np = 0;
    pts[np++] = 0;
    for (size_t i = 0; i < it->n; i++) {
        pts[np++] = it->v[i].lo;
        if (it->v[i].hi < max)
            pts[np++] = it->v[i].hi + 1;
    }
    qsort(pts, np, sizeof(*pts), u128_cmp);
    size_t u = 0;
    for (size_t i = 0; i < np; i++)
        if (u == 0 || pts[i] != pts[u - 1])
            pts[u++] = pts[i];
    uint32_t npts = (uint32_t)u, size = 1;
    while (size < npts)
        size <<= 1;
    if (size > TREE_MAX_LEAVES)
        goto out;
    if (it->n == 0) {
        npts = 0;
        size = 0;
    }
    uint32_t nn = 2 * size + 1;
    for (int k = 0; k < 2; k++) {
        cnt[k] = calloc(nn, sizeof(uint32_t));
        start[k] = calloc(nn + 1, sizeof(uint32_t));
        if (cnt[k] == NULL || start[k] == NULL)
            goto out;
    }
    for (size_t i = 0; i < it->n; i++) {
        const item_t *x = &it->v[i];
        uint32_t a = pt_find(pts, npts, x->lo);
        uint32_t b = x->hi < max ? pt_find(pts, npts, x->hi + 1) : npts;
        CANON(size, a, b, cnt[x->both][node]++);
    }
    for (int k = 0; k < 2; k++) {
        for (uint32_t i = 0; i < nn; i++)
            start[k][i + 1] = start[k][i] + cnt[k][i];
        list[k] = malloc(((size_t)start[k][nn] + 1) * sizeof(uint32_t));
        if (list[k] == NULL)
            goto out;
        memset(cnt[k], 0, nn * sizeof(uint32_t));
    }
    for (size_t i = 0; i < it->n; i++) {
        const item_t *x = &it->v[i];
        uint32_t a = pt_find(pts, npts, x->lo);
        uint32_t b = x->hi < max ? pt_find(pts, npts, x->hi + 1) : npts;
        int k = x->both;
        CANON(size, a, b, list[k][start[k][node] + cnt[k][node]++] = x->ent);
    }
    det_pfw_u32(w, npts);
    det_pfw_bytes(w, pts, npts * sizeof(*pts));
    det_pfw_u32(w, size);
    for (int k = 0; k < 2; k++) {
        det_pfw_list(w, start[k], nn);   /* start[nn - 1] .. is the total */
        det_pfw_list(w, list[k], start[k][nn - 1]);
    }
    st->ip_nodes += size ? 2 * size - 1 : 0;
    rc = 0;
out:
    free(pts);
    for (int k = 0; k < 2; k++) {
        free(cnt[k]);
        free(start[k]);
        free(list[k]);
    }
    return rc;
}

int det_pf_iponly_write(det_pfw_t *w, const rule_set_t *rs,
                        const uint8_t *path, det_prefilter_stats_t *st,
                        ws_err_t *err)
{
    uint32_t nent = 0;
    for (uint32_t i = 0; i < rs->nrules; i++)
        if (path[i] == DET_PF_IPONLY)
            nent += rs->rules[i]->dir == RULE_DIR_BOTH ? 2 : 1;
    uint32_t *ent_rule = malloc((nent + 1) * sizeof(*ent_rule));
    uint8_t *ent_flags = malloc(nent + 1);
    uint32_t *always = malloc((nent + 1) * sizeof(*always));
    itemv_t it[2] = { { 0 }, { 0 } };
    int rc = -1;
    if (ent_rule == NULL || ent_flags == NULL || always == NULL)
        goto out;
    uint32_t e = 0;
    for (uint32_t i = 0; i < rs->nrules; i++) {
        if (path[i] != DET_PF_IPONLY)
            continue;
        const rule_t *r = rs->rules[i];
        uint8_t f = r->proto == RULE_PROTO_TCP ? DET_PF_ENT_TCP
                  : r->proto == RULE_PROTO_UDP ? DET_PF_ENT_UDP
                  : r->proto == RULE_PROTO_ICMP ? DET_PF_ENT_ICMP : 0;
        ent_rule[e] = i;
        ent_flags[e++] = f;
        if (r->dir == RULE_DIR_BOTH) {
            ent_rule[e] = i;
            ent_flags[e++] = f | DET_PF_ENT_SWAP;
        }
    }
    st->ip_entries = nent;
    det_pfw_list(w, ent_rule, nent);
    det_pfw_bytes(w, ent_flags, nent);
    for (int fam = 0; fam < 2; fam++) {
        uint32_t na = 0;
        it[0].n = it[1].n = 0;
        for (e = 0; e < nent; e++) {
            const rule_t *r = rs->rules[ent_rule[e]];
            bool swap = ent_flags[e] & DET_PF_ENT_SWAP;
            const rule_addrset_t *s = swap ? &r->dst : &r->src;
            const rule_addrset_t *d = swap ? &r->src : &r->dst;
            if (set_count(s, fam) == 0 || set_count(d, fam) == 0)
                continue;   /* cannot match this family */
            bool sf = set_full(s, fam), df = set_full(d, fam);
            int bad = 0;
            if (sf && df)
                always[na++] = e;
            else if (df)
                bad = push_set(&it[DET_PF_SRC], e, s, fam, false);
            else if (sf)
                bad = push_set(&it[DET_PF_DST], e, d, fam, false);
            else if (coverage(s, fam) <= coverage(d, fam))
                bad = push_set(&it[DET_PF_SRC], e, s, fam, true);
            else
                bad = push_set(&it[DET_PF_DST], e, d, fam, true);
            if (bad)
                goto out;
        }
        det_pfw_list(w, always, na);
        for (int side = 0; side < 2; side++)
            if (tree_write(w, &it[side], fam ? MAX6 : MAX4, st) != 0)
                goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        ws_err_set(err, "prefilter: IP-only lookup: out of memory or too many ranges");
    free(ent_rule);
    free(ent_flags);
    free(always);
    free(it[0].v);
    free(it[1].v);
    return rc;
}

/* ---- load ------------------------------------------------------------------- */

static uint32_t *read_csr(det_pfr_t *r, uint32_t nn, uint32_t **list, uint32_t nent)
{
    uint32_t n;
    uint32_t *start = det_pfr_list(r, &n, UINT32_MAX);
    if (r->bad || n != nn) {
        r->bad = true;
        free(start);
        return NULL;
    }
    for (uint32_t i = 0; i + 1 < nn; i++)
        if (start[i] > start[i + 1])
            r->bad = true;
    uint32_t total;
    *list = det_pfr_list(r, &total, nent);
    if (r->bad || total != start[nn - 1])
        r->bad = true;
    return start;
}

static int tree_read(det_pf_itree_t *t, det_pfr_t *r, uint32_t nent)
{
    t->npts = det_pfr_u32(r);
    if (t->npts > TREE_MAX_LEAVES)
        r->bad = true;
    if (r->bad)
        return -1;
    t->pts = det_pfr_array(r, t->npts, sizeof(*t->pts));
    t->size = det_pfr_u32(r);
    if (r->bad || t->size > TREE_MAX_LEAVES || t->size < t->npts ||
        (t->size & (t->size - 1)) != 0 || (t->npts == 0) != (t->size == 0) ||
        (t->npts && t->pts[0] != 0)) {
        r->bad = true;
        return -1;
    }
    uint32_t nn = 2 * t->size + 1;
    t->only_start = read_csr(r, nn, &t->only, nent);
    if (r->bad)
        return -1;
    t->both_start = read_csr(r, nn, &t->both, nent);
    return r->bad ? -1 : 0;
}

int det_pf_iponly_read(det_pf_iponly_t *ip, det_pfr_t *r, uint32_t nrules)
{
    memset(ip, 0, sizeof(*ip));
    ip->ent_rule = det_pfr_list(r, &ip->nent, nrules);
    if (r->bad)
        return -1;
    ip->ent_flags = det_pfr_array(r, ip->nent, 1);
    for (int fam = 0; fam < 2 && !r->bad; fam++) {
        ip->always[fam] = det_pfr_list(r, &ip->nalways[fam], ip->nent);
        for (int side = 0; side < 2 && !r->bad; side++)
            tree_read(&ip->tree[fam][side], r, ip->nent);
    }
    return r->bad ? -1 : 0;
}

void det_pf_iponly_free(det_pf_iponly_t *ip)
{
    free(ip->ent_rule);
    free(ip->ent_flags);
    for (int fam = 0; fam < 2; fam++) {
        free(ip->always[fam]);
        for (int side = 0; side < 2; side++) {
            det_pf_itree_t *t = &ip->tree[fam][side];
            free(t->pts);
            free(t->only_start);
            free(t->only);
            free(t->both_start);
            free(t->both);
        }
    }
    memset(ip, 0, sizeof(*ip));
}

/* ---- lookup ------------------------------------------------------------------- */

static bool proto_ok(uint8_t f, unsigned l4)
{
    unsigned want = f & (DET_PF_ENT_TCP | DET_PF_ENT_UDP | DET_PF_ENT_ICMP);
    return want == 0 || (want & l4) != 0;
}

/* Leaf node of addr in t, 0 when the tree is empty. */
static uint32_t leaf(const det_pf_itree_t *t, rule_u128_t addr)
{
    if (t->size == 0)
        return 0;
    return t->size + pt_find(t->pts, t->npts, addr);
}

void det_pf_iponly_lookup(const det_pf_iponly_t *ip, const rule_set_t *rs,
                          int fam, rule_u128_t src, rule_u128_t dst,
                          const uint8_t *src_b, const uint8_t *dst_b,
                          unsigned l4, void (*add)(uint32_t, void *),
                          void *arg)
{
    for (uint32_t i = 0; i < ip->nalways[fam]; i++) {
        uint32_t e = ip->always[fam][i];
        if (proto_ok(ip->ent_flags[e], l4))
            add(ip->ent_rule[e], arg);
    }
    const det_pf_itree_t *ts = &ip->tree[fam][DET_PF_SRC];
    const det_pf_itree_t *td = &ip->tree[fam][DET_PF_DST];
    uint32_t ls = leaf(ts, src), ld = leaf(td, dst);
    for (uint32_t node = ls; node; node >>= 1)
        for (uint32_t k = ts->only_start[node]; k < ts->only_start[node + 1]; k++)
            if (proto_ok(ip->ent_flags[ts->only[k]], l4))
                add(ip->ent_rule[ts->only[k]], arg);
    for (uint32_t node = ld; node; node >>= 1)
        for (uint32_t k = td->only_start[node]; k < td->only_start[node + 1]; k++)
            if (proto_ok(ip->ent_flags[td->only[k]], l4))
                add(ip->ent_rule[td->only[k]], arg);
    /* both sides specific: this side matched, check the other one */
    for (int side = 0; side < 2; side++) {
        const det_pf_itree_t *t = side == DET_PF_SRC ? ts : td;
        bool want_dst = side == DET_PF_SRC;
        for (uint32_t node = side == DET_PF_SRC ? ls : ld; node; node >>= 1)
            for (uint32_t k = t->both_start[node]; k < t->both_start[node + 1]; k++) {
                uint32_t e = t->both[k];
                uint8_t f = ip->ent_flags[e];
                if (!proto_ok(f, l4))
                    continue;
                const rule_t *r = rs->rules[ip->ent_rule[e]];
                /* the entry's dst side is rule.dst unless mirrored */
                bool swap = f & DET_PF_ENT_SWAP;
                const rule_addrset_t *o = want_dst != swap ? &r->dst : &r->src;
                bool hit = fam == 0
                    ? rule_addrset_has4(o, (uint32_t)(want_dst ? dst : src))
                    : rule_addrset_has6(o, want_dst ? dst_b : src_b);
                if (hit)
                    add(ip->ent_rule[e], arg);
            }
    }
}
