/*
 * prefilter.c - the detector half of the prefilter: load a private copy of
 * the blob the supervisor built (prefilter_build.c) and, per packet, select
 * the candidate rules.
 *
 * A packet's candidates come from at most three Hyperscan scans for tcp or
 * udp (the group of the source port on the source side, of the destination
 * port on the destination side, and the protocol's any group; icmp has one
 * group), one more for the rules of protocol ip, the header-rule lists of
 * the same groups, and two address lookups for the IP-only rules.  Each hit
 * is stamped with the packet's generation number in a per-rule array, so a
 * rule reached twice is reported once; the few candidates are then sorted
 * so the verifier sees them, and alerts come out, in rule order.
 */
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "detect/prefilter_int.h"

/* ---- blob reader -------------------------------------------------------- */

const uint8_t *det_pfr_bytes(det_pfr_t *r, size_t n)
{
    if (r->bad || n > r->len - r->off) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

uint32_t det_pfr_u32(det_pfr_t *r)
{
    uint32_t v = 0;
    const uint8_t *p = det_pfr_bytes(r, sizeof(v));
    if (p)
        memcpy(&v, p, sizeof(v));
    return v;
}

uint64_t det_pfr_u64(det_pfr_t *r)
{
    uint64_t v = 0;
    const uint8_t *p = det_pfr_bytes(r, sizeof(v));
    if (p)
        memcpy(&v, p, sizeof(v));
    return v;
}

void *det_pfr_array(det_pfr_t *r, size_t n, size_t sz)
{
    if (r->bad || n == 0)
        return NULL;
    if (n > (r->len - r->off) / sz) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = det_pfr_bytes(r, n * sz);
    void *a = malloc(n * sz);
    if (a == NULL) {
        r->bad = true;
        return NULL;
    }
    memcpy(a, p, n * sz);
    return a;
}

uint32_t *det_pfr_list(det_pfr_t *r, uint32_t *n, uint32_t limit)
{
    *n = det_pfr_u32(r);
    uint32_t *v = det_pfr_array(r, *n, sizeof(uint32_t));
    if (r->bad) {
        free(v);
        *n = 0;
        return NULL;
    }
    for (uint32_t i = 0; i < *n; i++)
        if (v[i] >= limit && limit != UINT32_MAX) {
            r->bad = true;
            free(v);
            *n = 0;
            return NULL;
        }
    return v;
}

/* ---- load ------------------------------------------------------------------- */

static bool gid_ok(uint32_t g, uint32_t n) { return g == DET_PF_NONE || g < n; }

static int read_groups(det_prefilter_t *pf, det_pfr_t *r, ws_err_t *err)
{
    /* a group takes at least 12 bytes: bound the counts by what is left */
    pf->nhs = det_pfr_u32(r);
    if (r->bad || pf->nhs > (r->len - r->off) / 12)
        return ws_err_set(err, "prefilter blob: bad group count");
    pf->hs = calloc(pf->nhs + 1, sizeof(*pf->hs));
    if (pf->hs == NULL)
        return ws_err_set(err, "prefilter: out of memory");
    for (uint32_t g = 0; g < pf->nhs; g++) {
        det_pf_hsgroup_t *h = &pf->hs[g];
        uint32_t dblen = det_pfr_u32(r);
        const uint8_t *db = det_pfr_bytes(r, dblen);
        if (r->bad)
            return ws_err_set(err, "prefilter blob: truncated database %u", g);
        hs_error_t e = hs_deserialize_database((const char *)db, dblen, &h->db);
        if (e != HS_SUCCESS)
            return ws_err_set(err, "hs_deserialize_database() failed (%d): "
                              "blob from another Hyperscan version or CPU?", e);
        uint32_t nstart, nrules;
        h->pat_start = det_pfr_list(r, &nstart, UINT32_MAX);
        h->pat_rules = det_pfr_list(r, &nrules, pf->nrules);
        if (r->bad || nstart == 0 || h->pat_start[0] != 0 ||
            h->pat_start[nstart - 1] != nrules)
            return ws_err_set(err, "prefilter blob: bad pattern table %u", g);
        for (uint32_t i = 0; i + 1 < nstart; i++)
            if (h->pat_start[i] > h->pat_start[i + 1])
                return ws_err_set(err, "prefilter blob: bad pattern table %u", g);
        h->npat = nstart - 1;
        if (hs_alloc_scratch(h->db, &pf->scratch) != HS_SUCCESS)
            return ws_err_set(err, "hs_alloc_scratch() failed");
    }
    pf->nhdr = det_pfr_u32(r);
    if (r->bad || pf->nhdr > (r->len - r->off) / 4)
        return ws_err_set(err, "prefilter blob: bad header group count");
    pf->hdr = calloc(pf->nhdr + 1, sizeof(*pf->hdr));
    if (pf->hdr == NULL)
        return ws_err_set(err, "prefilter: out of memory");
    for (uint32_t g = 0; g < pf->nhdr; g++)
        pf->hdr[g].rules = det_pfr_list(r, &pf->hdr[g].n, pf->nrules);
    return r->bad ? ws_err_set(err, "prefilter blob: truncated header groups") : 0;
}

/* Port segments -> one combo table and a flat map per (protocol, side). */
static int read_ports(det_prefilter_t *pf, det_pfr_t *r, ws_err_t *err)
{
    for (int p = 0; p < DET_PF_NPORTPROTO; p++)
        for (int s = 0; s < 2; s++) {
            uint32_t nseg = det_pfr_u32(r);
            uint16_t *map = malloc(65536 * sizeof(*map));
            pf->portmap[p][s] = map;
            if (map == NULL)
                return ws_err_set(err, "prefilter: out of memory");
            if (r->bad || nseg == 0 || nseg > 65536)
                return ws_err_set(err, "prefilter blob: bad port map");
            uint32_t prev = 0;
            for (uint32_t i = 0; i < nseg; i++) {
                uint32_t lo = det_pfr_u32(r), hs = det_pfr_u32(r),
                         hdr = det_pfr_u32(r);
                if (r->bad || (i == 0) != (lo == 0) || (i && lo <= prev) ||
                    lo > 65535 || !gid_ok(hs, pf->nhs) || !gid_ok(hdr, pf->nhdr))
                    return ws_err_set(err, "prefilter blob: bad port segment");
                uint32_t c;
                for (c = 0; c < pf->ncombo; c++)
                    if (pf->combo[c].hs == hs && pf->combo[c].hdr == hdr)
                        break;
                if (c == pf->ncombo) {
                    if (c >= 65535)
                        return ws_err_set(err, "prefilter blob: too many port groups");
                    det_pf_combo_t *v = realloc(pf->combo, (c + 1) * sizeof(*v));
                    if (v == NULL)
                        return ws_err_set(err, "prefilter: out of memory");
                    pf->combo = v;
                    pf->combo[pf->ncombo++] = (det_pf_combo_t){ hs, hdr };
                }
                /* fill from lo to the end; the next segment overwrites */
                for (uint32_t port = lo; port < 65536; port++)
                    map[port] = (uint16_t)c;
                prev = lo;
            }
        }
    return 0;
}

int det_prefilter_load(det_prefilter_t **out, const void *blob, size_t len,
                       const rule_set_t *rs, ws_err_t *err)
{
    *out = NULL;
    det_prefilter_t *pf = calloc(1, sizeof(*pf));
    if (pf == NULL)
        return ws_err_set(err, "prefilter: out of memory");
    det_pfr_t r = { .p = blob, .len = len };
    pf->rs = rs;
    if (det_pfr_u32(&r) != DET_PF_MAGIC || det_pfr_u32(&r) != DET_PF_VERSION) {
        ws_err_set(err, "prefilter blob: bad magic or version");
        goto fail;
    }
    pf->nrules = det_pfr_u32(&r);
    uint64_t hash = det_pfr_u64(&r);
    if (r.bad || pf->nrules != rs->nrules || hash != det_prefilter_rules_hash(rs)) {
        ws_err_set(err, "prefilter blob: built from another rule set "
                   "(%u rules, this set has %u)", pf->nrules, rs->nrules);
        goto fail;
    }
    pf->path = det_pfr_array(&r, pf->nrules, 1);
    for (uint32_t i = 0; i < pf->nrules && !r.bad; i++)
        if (pf->path[i] >= DET_PF_PATH_COUNT)
            r.bad = true;
    pf->http = det_pfr_list(&r, &pf->nhttp, pf->nrules);
    if (r.bad) {
        ws_err_set(err, "prefilter blob: bad rule paths");
        goto fail;
    }
    if (read_groups(pf, &r, err) != 0 || read_ports(pf, &r, err) != 0)
        goto fail;
    for (int f = 0; f < DET_PF_NFIX; f++) {
        pf->fix_hs[f] = det_pfr_u32(&r);
        pf->fix_hdr[f] = det_pfr_u32(&r);
        if (!gid_ok(pf->fix_hs[f], pf->nhs) || !gid_ok(pf->fix_hdr[f], pf->nhdr))
            r.bad = true;
    }
    for (int t = 0; t < 256; t++) {
        pf->itype_hdr[t] = det_pfr_u32(&r);
        if (!gid_ok(pf->itype_hdr[t], pf->nhdr))
            r.bad = true;
    }
    if (r.bad || det_pf_iponly_read(&pf->ip, &r, pf->nrules) != 0 ||
        det_pfr_u32(&r) != DET_PF_MAGIC || r.off != r.len) {
        ws_err_set(err, "prefilter blob: damaged (offset %zu of %zu)", r.off, r.len);
        goto fail;
    }
    pf->stamp = calloc(pf->nrules + 1, sizeof(*pf->stamp));
    pf->cand = malloc((pf->nrules + 1) * sizeof(*pf->cand));
    if (pf->stamp == NULL || pf->cand == NULL) {
        ws_err_set(err, "prefilter: out of memory");
        goto fail;
    }
    *out = pf;
    return 0;
fail:
    det_prefilter_free(pf);
    return -1;
}

void det_prefilter_free(det_prefilter_t *pf)
{
    if (pf == NULL)
        return;
    for (uint32_t g = 0; g < pf->nhs && pf->hs; g++) {
        hs_free_database(pf->hs[g].db);
        free(pf->hs[g].pat_start);
        free(pf->hs[g].pat_rules);
    }
    free(pf->hs);
    for (uint32_t g = 0; g < pf->nhdr && pf->hdr; g++)
        free(pf->hdr[g].rules);
    free(pf->hdr);
    free(pf->combo);
    for (int p = 0; p < DET_PF_NPORTPROTO; p++)
        for (int s = 0; s < 2; s++)
            free(pf->portmap[p][s]);
    det_pf_iponly_free(&pf->ip);
    hs_free_scratch(pf->scratch);
    free(pf->path);
    free(pf->http);
    free(pf->stamp);
    free(pf->cand);
    free(pf);
}

/* ---- per packet ------------------------------------------------------------- */

static inline void add(det_prefilter_t *pf, uint32_t rule)
{
    if (pf->stamp[rule] != pf->gen) {
        pf->stamp[rule] = pf->gen;
        pf->cand[pf->ncand++] = rule;
    }
}

static void add_cb(uint32_t rule, void *arg) { add(arg, rule); }

static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    det_prefilter_t *pf = ctx;
    const det_pf_hsgroup_t *g = pf->cur;
    if (id < g->npat)
        for (uint32_t k = g->pat_start[id]; k < g->pat_start[id + 1]; k++)
            add(pf, g->pat_rules[k]);
    return 0;
}

static int scan(det_prefilter_t *pf, uint32_t gid, const uint8_t *buf, uint32_t len)
{
    if (gid == DET_PF_NONE || len == 0 || pf->hs[gid].db == NULL)
        return 0;
    pf->cur = &pf->hs[gid];
    hs_error_t e = hs_scan(pf->hs[gid].db, (const char *)buf, len, 0,
                           pf->scratch, on_match, pf);
    return e == HS_SUCCESS ? 0 : -1;
}

static void add_hdr(det_prefilter_t *pf, uint32_t gid)
{
    if (gid == DET_PF_NONE)
        return;
    const det_pf_hdrgroup_t *h = &pf->hdr[gid];
    for (uint32_t i = 0; i < h->n; i++)
        add(pf, h->rules[i]);
}

static void sort_u32(uint32_t *v, uint32_t n)
{
    /* candidates are few; insertion sort, shell gaps for the odd big set */
    static const uint32_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
        uint32_t gap = gaps[g];
        for (uint32_t i = gap; i < n; i++) {
            uint32_t x = v[i], j = i;
            while (j >= gap && v[j - gap] > x) {
                v[j] = v[j - gap];
                j -= gap;
            }
            v[j] = x;
        }
    }
}

static rule_u128_t addr_num(const uint8_t *a, int n)
{
    rule_u128_t x = 0;
    for (int i = 0; i < n; i++)
        x = x << 8 | a[i];
    return x;
}

int det_prefilter_candidates(det_prefilter_t *pf, const det_packet_t *p,
                             const uint8_t *payload, uint32_t len,
                             det_candidate_cb cb, void *arg)
{
    const det_ip_t *ip = det_ip_inner(p);
    if (ip == NULL)
        return 0;
    if (++pf->gen == 0) {
        memset(pf->stamp, 0, pf->nrules * sizeof(*pf->stamp));
        pf->gen = 1;
    }
    pf->ncand = 0;
    int rc = 0;
    unsigned l4 = 0;
    int pi = -1;
    switch (p->l4_proto) {
    case 6:  pi = DET_PF_TCP; l4 = DET_PF_ENT_TCP; break;
    case 17: pi = DET_PF_UDP; l4 = DET_PF_ENT_UDP; break;
    case 1:
    case 58: l4 = DET_PF_ENT_ICMP; break;
    default: break;
    }
    if (pi >= 0) {
        const det_pf_combo_t *cs = &pf->combo[pf->portmap[pi][DET_PF_SRC][p->sport]];
        const det_pf_combo_t *cd = &pf->combo[pf->portmap[pi][DET_PF_DST][p->dport]];
        uint32_t any = pi == DET_PF_TCP ? DET_PF_FIX_TCP_ANY : DET_PF_FIX_UDP_ANY;
        rc |= scan(pf, cs->hs, payload, len);
        if (cd->hs != cs->hs)
            rc |= scan(pf, cd->hs, payload, len);
        rc |= scan(pf, pf->fix_hs[any], payload, len);
        add_hdr(pf, cs->hdr);
        if (cd->hdr != cs->hdr)
            add_hdr(pf, cd->hdr);
        add_hdr(pf, pf->fix_hdr[any]);
    } else if (l4 == DET_PF_ENT_ICMP) {
        rc |= scan(pf, pf->fix_hs[DET_PF_FIX_ICMP], payload, len);
        add_hdr(pf, pf->fix_hdr[DET_PF_FIX_ICMP]);
        if (p->layers & (DET_L_ICMP | DET_L_ICMPV6))
            add_hdr(pf, pf->itype_hdr[p->icmp.type]);
        else   /* type unknown (truncated): any type may match */
            for (int t = 0; t < 256; t++)
                add_hdr(pf, pf->itype_hdr[t]);
    }
    rc |= scan(pf, pf->fix_hs[DET_PF_FIX_IP], payload, len);
    add_hdr(pf, pf->fix_hdr[DET_PF_FIX_IP]);
    if (pf->ip.nent) {
        int fam = ip->version == 6;
        int n = fam ? 16 : 4;
        det_pf_iponly_lookup(&pf->ip, pf->rs, fam, addr_num(ip->src, n),
                             addr_num(ip->dst, n), ip->src, ip->dst, l4,
                             add_cb, pf);
    }
    if (rc != 0)
        return -1;
    sort_u32(pf->cand, pf->ncand);
    for (uint32_t i = 0; i < pf->ncand; i++) {
        int r = cb(pf->cand[i], arg);
        if (r != 0)
            return r;
    }
    return (int)pf->ncand;
}

det_pf_path_t det_prefilter_path(const det_prefilter_t *pf, uint32_t rule_index)
{
    return rule_index < pf->nrules ? (det_pf_path_t)pf->path[rule_index]
                                   : DET_PF_PATH_COUNT;
}

const uint32_t *det_prefilter_http_rules(const det_prefilter_t *pf, uint32_t *n)
{
    *n = pf->nhttp;
    return pf->http;
}

const char *det_pf_path_name(det_pf_path_t path)
{
    static const char *const names[] = { "content", "header", "iponly", "http" };
    return (unsigned)path < DET_PF_PATH_COUNT ? names[path] : "?";
}
