/*
 * http_index.c - see http_index.h.
 */
#include "detect/http_index.h"

#include <stdlib.h>
#include <string.h>

#include "detect/match.h"

static inline uint32_t fold4(const uint8_t *p)
{
    uint32_t k = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        k = k << 8 | c;
    }
    return k;
}

static inline uint32_t hash4(uint32_t k, uint32_t mask)
{
    return (uint32_t)((k * 2654435761u) >> 8) & mask;
}

static int is_http_buf(rule_buffer_t b)
{
    return b != RULE_BUF_PKT && b != RULE_BUF_RAW;
}

/* The rule's longest non-negated content in an HTTP buffer, or NULL. */
static const rule_content_t *key_content(const rule_t *r)
{
    const rule_content_t *best = NULL;

    for (uint32_t i = 0; i < r->nopts; i++) {
        const rule_opt_t *o = &r->opts[i];
        if (o->kw != RULE_KW_CONTENT && o->kw != RULE_KW_URICONTENT)
            continue;
        const rule_content_t *c = &o->u.content;
        if (c->negated || !is_http_buf(c->buffer))
            continue;
        if (best == NULL || c->len > best->len)
            best = c;
    }
    return best;
}

int det_http_index_build(det_http_index_t *x, const rule_set_t *rs)
{
    uint32_t i, n = rs->nrules, cap = 1024;

    memset(x, 0, sizeof(*x));
    x->nrules = n;
    x->http_rules = calloc(n + 1, sizeof(uint32_t));
    x->always = calloc(n + 1, sizeof(uint32_t));
    x->ent = calloc(n + 1, sizeof(*x->ent));
    x->mark = calloc(n + 1, 1);
    x->cand = calloc(n + 1, sizeof(uint32_t));
    while (cap < n * 2)
        cap <<= 1;
    x->slot = calloc(cap, sizeof(uint32_t));
    x->mask = cap - 1;
    if (!x->http_rules || !x->always || !x->ent || !x->mark || !x->cand || !x->slot) {
        det_http_index_free(x);
        return -1;
    }
    for (i = 0; i < n; i++) {
        const rule_t *r = rs->rules[i];
        if (!det_rule_needs_http(r))
            continue;
        x->http_rules[x->nhttp++] = i;
        const rule_content_t *c = key_content(r);
        if (c == NULL || c->len < 4) {
            x->always[x->nalways++] = i;
            continue;
        }
        uint32_t k = fold4(c->pat), h = hash4(k, x->mask);
        x->ent[x->nent] = (struct det_http_key){ k, i, x->slot[h] };
        x->slot[h] = ++x->nent;
    }
    return 0;
}

void det_http_index_free(det_http_index_t *x)
{
    free(x->http_rules);
    free(x->always);
    free(x->ent);
    free(x->mark);
    free(x->cand);
    free(x->slot);
    memset(x, 0, sizeof(*x));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void det_http_index_scan(det_http_index_t *x, const uint8_t *const *bufs,
                         const uint32_t *lens, uint32_t nbufs)
{
    uint32_t i, b;

    x->ncand = 0;
    for (i = 0; i < x->nalways; i++) {
        x->mark[x->always[i]] = 1;
        x->cand[x->ncand++] = x->always[i];
    }
    for (b = 0; b < nbufs; b++) {
        const uint8_t *p = bufs[b];
        if (p == NULL || lens[b] < 4 || b == RULE_BUF_PKT || b == RULE_BUF_RAW)
            continue;
        for (uint32_t off = 0; off + 4 <= lens[b]; off++) {
            uint32_t k = fold4(p + off);
            for (uint32_t e = x->slot[hash4(k, x->mask)]; e != 0; e = x->ent[e - 1].next) {
                const struct det_http_key *ke = &x->ent[e - 1];
                if (ke->key == k && !x->mark[ke->rule]) {
                    x->mark[ke->rule] = 1;
                    x->cand[x->ncand++] = ke->rule;
                }
            }
        }
    }
    for (i = 0; i < x->ncand; i++)
        x->mark[x->cand[i]] = 0;
    qsort(x->cand, x->ncand, sizeof(uint32_t), cmp_u32);
}
