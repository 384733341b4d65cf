/*
 * prefilter_build.c - the supervisor half of the prefilter: sort every rule
 * onto a path, pick its fast pattern, group rules by protocol and port,
 * compile one Hyperscan literal database per distinct content group and
 * write everything into one blob (format in prefilter_int.h).
 *
 * Grouping works on port segments: for one protocol and side, every range
 * boundary of every placed rule's port set cuts 0..65535 into segments, each
 * segment gets the sorted list of rules placed on a port of it, and equal
 * lists become one group (so the 60 ports of $HTTP_PORTS share one database
 * unless some port also has rules of its own).  Content and header rules are
 * grouped separately, so a header rule on port 7 does not split the content
 * database of the ports around it.  Databases compile in parallel, one
 * group per job, on `threads` threads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hs/hs.h>

#include "detect/prefilter_int.h"

/* ---- blob writer ------------------------------------------------------- */

void det_pfw_bytes(det_pfw_t *w, const void *p, size_t n)
{
    if (w->oom || n == 0)
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *b = realloc(w->buf, cap);
        if (b == NULL) {
            w->oom = true;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void det_pfw_u32(det_pfw_t *w, uint32_t v) { det_pfw_bytes(w, &v, sizeof(v)); }
void det_pfw_u64(det_pfw_t *w, uint64_t v) { det_pfw_bytes(w, &v, sizeof(v)); }

void det_pfw_list(det_pfw_t *w, const uint32_t *v, uint32_t n)
{
    det_pfw_u32(w, n);
    det_pfw_bytes(w, v, (size_t)n * sizeof(*v));
}

/* ---- rule analysis ------------------------------------------------------ */

/* The fast pattern of a CONTENT rule. */
typedef struct fp {
    const uint8_t *pat;
    uint32_t len;
    bool nocase;
} fp_t;

static bool buf_is_pkt(rule_buffer_t b)
{
    return b == RULE_BUF_PKT || b == RULE_BUF_RAW;
}

/*
 * Decide the path of r and, for CONTENT, its fast pattern: the first
 * declared fast_pattern among the non-negated packet-buffer contents (a
 * declaration on an HTTP content does not count here), else the longest,
 * the first on a tie.  Every non-negated content must occur in its buffer
 * for the rule to match, so any of them is a sound fast pattern.
 */
static det_pf_path_t classify(const rule_t *r, fp_t *fp, det_prefilter_stats_t *st)
{
    const rule_content_t *decl = NULL, *longest = NULL;
    bool http = false;
    for (uint32_t i = 0; i < r->nopts; i++) {
        const rule_opt_t *o = &r->opts[i];
        if (o->kw != RULE_KW_CONTENT && o->kw != RULE_KW_URICONTENT)
            continue;
        const rule_content_t *c = &o->u.content;
        if (c->negated || c->len == 0)
            continue;
        if (!buf_is_pkt(c->buffer)) {
            http = true;
            continue;
        }
        if (c->fast_pattern && decl == NULL)
            decl = c;
        if (longest == NULL || c->len > longest->len)
            longest = c;
    }
    if (longest != NULL) {
        const rule_content_t *c = decl ? decl : longest;
        fp->pat = c->pat;
        fp->len = c->len;
        fp->nocase = c->nocase;
        if (decl)
            st->fp_declared++;
        if (decl && c->fp_part && c->fp_length > 0 &&
            (uint32_t)c->fp_offset + c->fp_length <= c->len) {
            fp->pat = c->pat + c->fp_offset;
            fp->len = c->fp_length;
            st->fp_sliced++;
        }
        if (fp->nocase)
            st->fp_nocase++;
        return DET_PF_CONTENT;
    }
    if (http)
        return DET_PF_HTTP;
    if (!r->sport.any || !r->dport.any)
        return DET_PF_HEADER;
    bool strict = true;
    for (uint32_t i = 0; i < r->nopts; i++)
        if (r->opts[i].kw != RULE_KW_FLOWBITS ||
            r->opts[i].u.flowbits.op == RULE_FB_ISSET ||
            r->opts[i].u.flowbits.op == RULE_FB_ISNOTSET)
            strict = false;
    if (strict) {
        st->iponly_strict++;
        return DET_PF_IPONLY;
    }
    /* header checks (flags:S, ...) on a rule that names addresses: the
     * address lookup is the selective index for it */
    if (!r->src.any || !r->dst.any)
        return DET_PF_IPONLY;
    return DET_PF_HEADER;
}

static uint32_t port_count(const rule_portset_t *ps)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ps->n; i++)
        n += (uint32_t)ps->r[i].hi - ps->r[i].lo + 1;
    return n;
}

/* itype:N (equality) of an icmp header rule, -1 when it has none. */
static int rule_itype(const rule_t *r)
{
    for (uint32_t i = 0; i < r->nopts; i++)
        if (r->opts[i].kw == RULE_KW_ITYPE &&
            r->opts[i].u.cmp.op == RULE_CMP_EQ && r->opts[i].u.cmp.lo < 256)
            return (int)r->opts[i].u.cmp.lo;
    return -1;
}

/* ---- growable lists and the group registry ------------------------------ */

typedef struct u32v {
    uint32_t *v;
    uint32_t n, cap;
} u32v_t;

static int u32v_push(u32v_t *a, uint32_t x)
{
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 16;
        uint32_t *v = realloc(a->v, (size_t)cap * sizeof(*v));
        if (v == NULL)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* Distinct rule lists; a list's index is its group id. */
typedef struct reg {
    u32v_t *lists;
    uint64_t *hash;
    uint32_t n, cap;
} reg_t;

static uint64_t list_hash(const uint32_t *v, uint32_t n)
{
    uint64_t h = 1469598103934665603ull ^ n;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ v[i]) * 1099511628211ull;
    return h;
}

/* The group id of list v (copied when new); DET_PF_NONE for an empty
 * list; -1 (as uint32) never: *oom is set instead. */
static uint32_t reg_add(reg_t *g, const uint32_t *v, uint32_t n, bool *oom)
{
    if (n == 0)
        return DET_PF_NONE;
    uint64_t h = list_hash(v, n);
    for (uint32_t i = 0; i < g->n; i++)
        if (g->hash[i] == h && g->lists[i].n == n &&
            memcmp(g->lists[i].v, v, n * sizeof(*v)) == 0)
            return i;
    if (g->n == g->cap) {
        uint32_t cap = g->cap ? g->cap * 2 : 64;
        u32v_t *l = realloc(g->lists, cap * sizeof(*l));
        if (l == NULL)
            goto oom;
        g->lists = l;
        uint64_t *hh = realloc(g->hash, cap * sizeof(*hh));
        if (hh == NULL)
            goto oom;
        g->hash = hh;
        g->cap = cap;
    }
    u32v_t *l = &g->lists[g->n];
    l->v = malloc(n * sizeof(*v));
    if (l->v == NULL)
        goto oom;
    memcpy(l->v, v, n * sizeof(*v));
    l->n = l->cap = n;
    g->hash[g->n] = h;
    return g->n++;
oom:
    *oom = true;
    return DET_PF_NONE;
}

static void reg_free(reg_t *g)
{
    for (uint32_t i = 0; i < g->n; i++)
        free(g->lists[i].v);
    free(g->lists);
    free(g->hash);
    memset(g, 0, sizeof(*g));
}

/* ---- port segments --------------------------------------------------------- */

/* One rule placed on one side with this port set. */
typedef struct place {
    uint32_t rule;
    const rule_portset_t *ps;
} place_t;

typedef struct placev {
    place_t *v;
    uint32_t n, cap;
} placev_t;

static int placev_push(placev_t *a, uint32_t rule, const rule_portset_t *ps)
{
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 64;
        place_t *v = realloc(a->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = (place_t){ rule, ps };
    return 0;
}

/*
 * Give every port of one side its group: gid[port] (65536 entries) is the
 * group in reg of the rules placed on that port, DET_PF_NONE when none.
 * Placements must come in ascending rule order (lists stay sorted).
 */
static int segments(const placev_t *pl, reg_t *reg, uint32_t *gid)
{
    uint8_t *cut = calloc(65537, 1);
    uint32_t *seg = malloc(65536 * sizeof(*seg));
    uint32_t *cnt = NULL, *start = NULL, *fill = NULL, *rules = NULL;
    bool oom = false;
    int rc = -1;
    if (cut == NULL || seg == NULL)
        goto out;
    cut[0] = 1;
    for (uint32_t i = 0; i < pl->n; i++)
        for (uint32_t k = 0; k < pl->v[i].ps->n; k++) {
            cut[pl->v[i].ps->r[k].lo] = 1;
            cut[pl->v[i].ps->r[k].hi + 1u] = 1;
        }
    uint32_t nseg = 0;
    for (uint32_t p = 0; p < 65536; p++) {
        nseg += cut[p];
        seg[p] = nseg - 1;
    }
    cnt = calloc(nseg, sizeof(*cnt));
    start = calloc(nseg + 1, sizeof(*start));
    fill = calloc(nseg, sizeof(*fill));
    if (cnt == NULL || start == NULL || fill == NULL)
        goto out;
    for (uint32_t i = 0; i < pl->n; i++)
        for (uint32_t k = 0; k < pl->v[i].ps->n; k++)
            for (uint32_t s = seg[pl->v[i].ps->r[k].lo];
                 s <= seg[pl->v[i].ps->r[k].hi]; s++)
                cnt[s]++;
    for (uint32_t s = 0; s < nseg; s++)
        start[s + 1] = start[s] + cnt[s];
    rules = malloc(((size_t)start[nseg] + 1) * sizeof(*rules));
    if (rules == NULL)
        goto out;
    for (uint32_t i = 0; i < pl->n; i++)
        for (uint32_t k = 0; k < pl->v[i].ps->n; k++)
            for (uint32_t s = seg[pl->v[i].ps->r[k].lo];
                 s <= seg[pl->v[i].ps->r[k].hi]; s++)
                rules[start[s] + fill[s]++] = pl->v[i].rule;
    /* cnt[] now holds each segment's group */
    for (uint32_t s = 0; s < nseg; s++)
        cnt[s] = reg_add(reg, rules + start[s], start[s + 1] - start[s], &oom);
    for (uint32_t p = 0; p < 65536; p++)
        gid[p] = cnt[seg[p]];
    rc = oom ? -1 : 0;
out:
    free(cut);
    free(seg);
    free(cnt);
    free(start);
    free(fill);
    free(rules);
    return rc;
}

/* ---- Hyperscan compile ------------------------------------------------------ */

typedef struct hs_job {
    const uint32_t *rules;   /* the group's rules */
    uint32_t n;
    /* results */
    char *db;                /* serialized (hs misc allocator: free()) */
    size_t dblen;
    uint32_t npat;
    uint32_t *pat_start;     /* npat + 1 */
    uint32_t *pat_rules;     /* n */
    char err[256];
} hs_job_t;

typedef struct hs_pool {
    hs_job_t *jobs;
    uint32_t *order;         /* job indexes, biggest first */
    uint32_t njobs;
    atomic_uint next;
    const fp_t *fp;
} hs_pool_t;

/* Order of fast patterns: case-sensitive first, then length, then bytes
 * (case-folded for nocase ones); equal keys compile to one pattern. */
static int fp_key_cmp(const fp_t *x, const fp_t *y)
{
    if (x->nocase != y->nocase)
        return x->nocase ? 1 : -1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    if (!x->nocase)
        return memcmp(x->pat, y->pat, x->len);
    for (uint32_t i = 0; i < x->len; i++) {
        int ca = x->pat[i], cb = y->pat[i];
        if (ca >= 'A' && ca <= 'Z')
            ca += 32;
        if (cb >= 'A' && cb <= 'Z')
            cb += 32;
        if (ca != cb)
            return ca - cb;
    }
    return 0;
}

/* qsort_r order of rule indexes: by key, then by rule. */
static int fp_cmp(const void *a, const void *b, void *arg)
{
    const fp_t *fp = arg;
    uint32_t ra = *(const uint32_t *)a, rb = *(const uint32_t *)b;
    int c = fp_key_cmp(&fp[ra], &fp[rb]);
    if (c != 0)
        return c;
    return ra < rb ? -1 : ra > rb;
}

static int hs_job_run(hs_job_t *j, const fp_t *fp)
{
    uint32_t *ord = malloc(j->n * sizeof(*ord));
    const char **expr = malloc(j->n * sizeof(*expr));
    size_t *lens = malloc(j->n * sizeof(*lens));
    unsigned *flags = malloc(j->n * sizeof(*flags));
    unsigned *ids = malloc(j->n * sizeof(*ids));
    j->pat_start = malloc((j->n + 1) * sizeof(*j->pat_start));
    j->pat_rules = malloc(j->n * sizeof(*j->pat_rules));
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    int rc = -1;
    if (!ord || !expr || !lens || !flags || !ids || !j->pat_start || !j->pat_rules) {
        snprintf(j->err, sizeof(j->err), "out of memory");
        goto out;
    }
    memcpy(ord, j->rules, j->n * sizeof(*ord));
    qsort_r(ord, j->n, sizeof(*ord), fp_cmp, (void *)fp);
    uint32_t np = 0;
    for (uint32_t i = 0; i < j->n; i++) {
        const fp_t *x = &fp[ord[i]];
        if (i == 0 || fp_key_cmp(&fp[ord[i - 1]], x) != 0) {
            j->pat_start[np] = i;
            expr[np] = (const char *)x->pat;
            lens[np] = x->len;
            flags[np] = HS_FLAG_SINGLEMATCH | (x->nocase ? HS_FLAG_CASELESS : 0);
            ids[np] = np;
            np++;
        }
        j->pat_rules[i] = ord[i];
    }
    j->pat_start[np] = j->n;
    j->npat = np;
    if (hs_compile_lit_multi(expr, flags, ids, lens, np, HS_MODE_BLOCK, NULL,
                             &db, &cerr) != HS_SUCCESS) {
        snprintf(j->err, sizeof(j->err), "hs_compile_lit_multi() failed: %s",
                 cerr && cerr->message ? cerr->message : "?");
        hs_free_compile_error(cerr);
        goto out;
    }
    if (hs_serialize_database(db, &j->db, &j->dblen) != HS_SUCCESS) {
        snprintf(j->err, sizeof(j->err), "hs_serialize_database() failed");
        goto out;
    }
    rc = 0;
out:
    hs_free_database(db);
    free(ord);
    free(expr);
    free(lens);
    free(flags);
    free(ids);
    return rc;
}

static void *hs_worker(void *arg)
{
    hs_pool_t *pool = arg;
    for (;;) {
        uint32_t i = atomic_fetch_add(&pool->next, 1);
        if (i >= pool->njobs)
            break;
        hs_job_run(&pool->jobs[pool->order[i]], pool->fp);
    }
    return NULL;
}

static double now_secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int job_cmp(const void *a, const void *b, void *arg)
{
    const hs_job_t *j = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (j[x].n != j[y].n)
        return j[x].n > j[y].n ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Compile every group of reg; jobs[i] holds group i's result. */
static int compile_all(const reg_t *reg, const fp_t *fp, unsigned threads,
                       hs_job_t **jobs_out, ws_err_t *err)
{
    hs_job_t *jobs = calloc(reg->n ? reg->n : 1, sizeof(*jobs));
    if (jobs == NULL)
        return ws_err_set(err, "prefilter: out of memory");
    *jobs_out = jobs;
    for (uint32_t i = 0; i < reg->n; i++) {
        jobs[i].rules = reg->lists[i].v;
        jobs[i].n = reg->lists[i].n;
    }
    /* biggest first, so no thread is left with a big one at the end */
    uint32_t *order = malloc((reg->n ? reg->n : 1) * sizeof(*order));
    if (order == NULL)
        return ws_err_set(err, "prefilter: out of memory");
    for (uint32_t i = 0; i < reg->n; i++)
        order[i] = i;
    qsort_r(order, reg->n, sizeof(*order), job_cmp, jobs);
    hs_pool_t pool = { .jobs = jobs, .order = order, .njobs = reg->n, .fp = fp };
    atomic_init(&pool.next, 0);
    if (threads == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        threads = c > 0 ? (unsigned)c : 1;
    }
    if (threads > 16)
        threads = 16;
    pthread_t tid[16];
    unsigned started = 0;
    for (unsigned t = 1; t < threads && t < reg->n; t++)
        if (pthread_create(&tid[started], NULL, hs_worker, &pool) == 0)
            started++;
    hs_worker(&pool);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(order);
    for (uint32_t i = 0; i < reg->n; i++)
        if (jobs[i].db == NULL)
            return ws_err_set(err, "prefilter: group %u (%u rules): %s", i,
                              jobs[i].n, jobs[i].err);
    return 0;
}

static void jobs_free(hs_job_t *jobs, uint32_t n)
{
    if (jobs == NULL)
        return;
    for (uint32_t i = 0; i < n; i++) {
        free(jobs[i].db);
        free(jobs[i].pat_start);
        free(jobs[i].pat_rules);
    }
    free(jobs);
}

/* ---- the build ------------------------------------------------------------------ */

uint64_t det_prefilter_rules_hash(const rule_set_t *rs)
{
    uint64_t h = 1469598103934665603ull;
    uint32_t v[4] = { rs->nrules, 0, 0, 0 };
    for (uint32_t i = 0; i <= rs->nrules; i++) {
        if (i > 0) {
            v[0] = rs->rules[i - 1]->gid;
            v[1] = rs->rules[i - 1]->sid;
            v[2] = rs->rules[i - 1]->rev;
            v[3] = i;
        }
        const uint8_t *b = (const uint8_t *)v;
        for (size_t k = 0; k < sizeof(v); k++)
            h = (h ^ b[k]) * 1099511628211ull;
    }
    return h;
}

typedef struct build {
    const rule_set_t *rs;
    uint8_t *path;
    fp_t *fp;
    u32v_t http;
    /* placements: [path CONTENT=0 / HEADER=1][tcp/udp][side] */
    placev_t pl[2][DET_PF_NPORTPROTO][2];
    u32v_t fix[2][DET_PF_NFIX];
    u32v_t itype[256];               /* header icmp rules by type */
    reg_t reg[2];                    /* content groups, header groups */
    uint32_t fix_gid[2][DET_PF_NFIX];
    uint32_t itype_gid[256];
    uint32_t *gid[2][DET_PF_NPORTPROTO][2]; /* per port */
} build_t;

static int place_rule(build_t *b, uint32_t i, int kind, det_prefilter_stats_t *st)
{
    const rule_t *r = b->rs->rules[i];
    int pi;
    switch (r->proto) {
    case RULE_PROTO_TCP: pi = DET_PF_TCP; break;
    case RULE_PROTO_UDP: pi = DET_PF_UDP; break;
    case RULE_PROTO_ICMP:
        if (kind == 1) {
            int t = rule_itype(r);
            if (t >= 0)
                return u32v_push(&b->itype[t], i);
        }
        return u32v_push(&b->fix[kind][DET_PF_FIX_ICMP], i);
    default:
        return u32v_push(&b->fix[kind][DET_PF_FIX_IP], i);
    }
    if (r->sport.negated || r->dport.negated)
        st->port_negated++;
    if (r->dir == RULE_DIR_BOTH)
        st->both_dir++;
    uint32_t ns = port_count(&r->sport), nd = port_count(&r->dport);
    bool swide = r->sport.any || ns > DET_PF_WIDE_PORTS;
    bool dwide = r->dport.any || nd > DET_PF_WIDE_PORTS;
    if (swide && dwide) {
        st->port_any++;
        return u32v_push(&b->fix[kind][pi == DET_PF_TCP ? DET_PF_FIX_TCP_ANY
                                                        : DET_PF_FIX_UDP_ANY], i);
    }
    int side;
    const rule_portset_t *ps;
    if (swide || (!dwide && nd <= ns)) {
        side = DET_PF_DST;
        ps = &r->dport;
    } else {
        side = DET_PF_SRC;
        ps = &r->sport;
    }
    if (placev_push(&b->pl[kind][pi][side], i, ps) != 0)
        return -1;
    /* <>: the reversed packet has this port set on the other side */
    if (r->dir == RULE_DIR_BOTH &&
        placev_push(&b->pl[kind][pi][!side], i, ps) != 0)
        return -1;
    return 0;
}

static void build_free(build_t *b)
{
    free(b->path);
    free(b->fp);
    free(b->http.v);
    for (int k = 0; k < 2; k++) {
        for (int p = 0; p < DET_PF_NPORTPROTO; p++)
            for (int s = 0; s < 2; s++) {
                free(b->pl[k][p][s].v);
                free(b->gid[k][p][s]);
            }
        for (int f = 0; f < DET_PF_NFIX; f++)
            free(b->fix[k][f].v);
        reg_free(&b->reg[k]);
    }
    for (int t = 0; t < 256; t++)
        free(b->itype[t].v);
}

/* Port map of one (protocol, side): segments where either group changes. */
static void write_ports(det_pfw_t *w, const uint32_t *hs, const uint32_t *hdr)
{
    uint32_t n = 0;
    for (uint32_t p = 0; p < 65536; p++)
        if (p == 0 || hs[p] != hs[p - 1] || hdr[p] != hdr[p - 1])
            n++;
    det_pfw_u32(w, n);
    for (uint32_t p = 0; p < 65536; p++)
        if (p == 0 || hs[p] != hs[p - 1] || hdr[p] != hdr[p - 1]) {
            det_pfw_u32(w, p);
            det_pfw_u32(w, hs[p]);
            det_pfw_u32(w, hdr[p]);
        }
}

int det_prefilter_build(const rule_set_t *rs, unsigned threads, void **blob,
                        size_t *len, det_prefilter_stats_t *st_out, ws_err_t *err)
{
    double t0 = now_secs();
    det_prefilter_stats_t st;
    memset(&st, 0, sizeof(st));
    build_t b;
    memset(&b, 0, sizeof(b));
    b.rs = rs;
    det_pfw_t w = { 0 };
    hs_job_t *jobs = NULL;
    bool oom = false;
    *blob = NULL;
    *len = 0;

    uint32_t n = rs->nrules;
    st.rules = n;
    b.path = calloc(n ? n : 1, 1);
    b.fp = calloc(n ? n : 1, sizeof(*b.fp));
    if (b.path == NULL || b.fp == NULL)
        goto oom;
    for (uint32_t i = 0; i < n; i++) {
        det_pf_path_t path = classify(rs->rules[i], &b.fp[i], &st);
        b.path[i] = (uint8_t)path;
        st.path[path]++;
        int rc = 0;
        if (path == DET_PF_CONTENT)
            rc = place_rule(&b, i, 0, &st);
        else if (path == DET_PF_HEADER)
            rc = place_rule(&b, i, 1, &st);
        else if (path == DET_PF_HTTP)
            rc = u32v_push(&b.http, i);
        if (rc != 0)
            goto oom;
    }
    /* groups: per-port segments, then the fixed ones */
    for (int k = 0; k < 2; k++) {
        for (int p = 0; p < DET_PF_NPORTPROTO; p++)
            for (int s = 0; s < 2; s++) {
                b.gid[k][p][s] = malloc(65536 * sizeof(uint32_t));
                if (b.gid[k][p][s] == NULL ||
                    segments(&b.pl[k][p][s], &b.reg[k], b.gid[k][p][s]) != 0)
                    goto oom;
            }
        for (int f = 0; f < DET_PF_NFIX; f++)
            b.fix_gid[k][f] = reg_add(&b.reg[k], b.fix[k][f].v, b.fix[k][f].n, &oom);
    }
    for (int t = 0; t < 256; t++)
        b.itype_gid[t] = reg_add(&b.reg[1], b.itype[t].v, b.itype[t].n, &oom);
    if (oom)
        goto oom;
    st.hs_groups = b.reg[0].n;
    st.hdr_groups = b.reg[1].n;

    double tc = now_secs();
    if (compile_all(&b.reg[0], b.fp, threads, &jobs, err) != 0)
        goto fail;
    st.compile_secs = now_secs() - tc;

    /* header, paths, http */
    det_pfw_u32(&w, DET_PF_MAGIC);
    det_pfw_u32(&w, DET_PF_VERSION);
    det_pfw_u32(&w, n);
    det_pfw_u64(&w, det_prefilter_rules_hash(rs));
    det_pfw_bytes(&w, b.path, n);
    det_pfw_list(&w, b.http.v, b.http.n);
    /* content groups */
    det_pfw_u32(&w, b.reg[0].n);
    for (uint32_t g = 0; g < b.reg[0].n; g++) {
        hs_job_t *j = &jobs[g];
        det_pfw_u32(&w, (uint32_t)j->dblen);
        det_pfw_bytes(&w, j->db, j->dblen);
        det_pfw_list(&w, j->pat_start, j->npat + 1);
        det_pfw_list(&w, j->pat_rules, j->n);
        st.hs_patterns += j->npat;
        st.hs_placements += j->n;
        st.hs_bytes += j->dblen;
    }
    /* header groups */
    det_pfw_u32(&w, b.reg[1].n);
    for (uint32_t g = 0; g < b.reg[1].n; g++)
        det_pfw_list(&w, b.reg[1].lists[g].v, b.reg[1].lists[g].n);
    for (int p = 0; p < DET_PF_NPORTPROTO; p++)
        for (int s = 0; s < 2; s++)
            write_ports(&w, b.gid[0][p][s], b.gid[1][p][s]);
    for (int f = 0; f < DET_PF_NFIX; f++) {
        det_pfw_u32(&w, b.fix_gid[0][f]);
        det_pfw_u32(&w, b.fix_gid[1][f]);
    }
    for (int t = 0; t < 256; t++)
        det_pfw_u32(&w, b.itype_gid[t]);
    if (det_pf_iponly_write(&w, rs, b.path, &st, err) != 0)
        goto fail;
    det_pfw_u32(&w, DET_PF_MAGIC);
    if (w.oom)
        goto oom;

    jobs_free(jobs, b.reg[0].n);
    build_free(&b);
    *blob = w.buf;
    *len = w.len;
    st.blob_len = w.len;
    st.build_secs = now_secs() - t0;
    if (st_out)
        *st_out = st;
    return 0;
oom:
    ws_err_set(err, "prefilter: out of memory");
fail:
    jobs_free(jobs, b.reg[0].n);
    build_free(&b);
    free(w.buf);
    return -1;
}
