/*
 * sets.c - address and port sets: parse, flatten, test membership.
 *
 * Both kinds are evaluated by one small recursive-descent engine over
 * interval lists of 128-bit numbers (an IPv4 address, an IPv6 address and
 * a port all fit), with one interval list per family: addresses have two
 * (v4, v6), ports one.  Set algebra on sorted interval lists is linear, so
 * even ET's botcc lists of hundreds of addresses flatten quickly.  The
 * flattened result is what a matcher reads (see rule.h).
 */
#include "rules/sets.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "rules/util.h"

/* ---- interval lists -------------------------------------------------- */

typedef struct ivl {
    rule_u128_t lo, hi;
} ivl_t;

typedef struct ivls {
    ivl_t *v;
    uint32_t n, cap;
} ivls_t;

#define IVL_MAX_FAM 2

static int ivls_add(ivls_t *s, rule_u128_t lo, rule_u128_t hi)
{
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 8;
        ivl_t *v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].lo = lo;
    s->v[s->n].hi = hi;
    s->n++;
    return 0;
}

static void ivls_free(ivls_t *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static int ivl_cmp(const void *a, const void *b)
{
    const ivl_t *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge overlapping or adjacent intervals. */
static void ivls_normalize(ivls_t *s)
{
    if (s->n < 2)
        return;
    qsort(s->v, s->n, sizeof(ivl_t), ivl_cmp);
    uint32_t w = 0;
    for (uint32_t i = 1; i < s->n; i++) {
        ivl_t *cur = &s->v[w];
        if (s->v[i].lo <= cur->hi || s->v[i].lo - 1 == cur->hi) {
            if (s->v[i].hi > cur->hi)
                cur->hi = s->v[i].hi;
        } else {
            s->v[++w] = s->v[i];
        }
    }
    s->n = w + 1;
}

/* out = a - b; a and b normalized, out empty on entry. */
static int ivls_subtract(const ivls_t *a, const ivls_t *b, ivls_t *out)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        rule_u128_t lo = a->v[i].lo, hi = a->v[i].hi;
        bool alive = true;
        while (j < b->n && b->v[j].hi < lo)
            j++;
        for (uint32_t k = j; k < b->n && b->v[k].lo <= hi; k++) {
            if (b->v[k].lo > lo && ivls_add(out, lo, b->v[k].lo - 1) < 0)
                return -1;
            if (b->v[k].hi >= hi) {
                alive = false;
                break;
            }
            lo = b->v[k].hi + 1;
        }
        if (alive && ivls_add(out, lo, hi) < 0)
            return -1;
    }
    return 0;
}

/* ---- the list engine ------------------------------------------------- */

typedef int (*set_atom_fn)(const char *tok, size_t len, ivls_t *out,
                           ws_err_t *err);

typedef struct set_kind {
    int nfam;
    rule_u128_t max[IVL_MAX_FAM];
    set_atom_fn atom;
    const char *what;
} set_kind_t;

static int set_list(const set_kind_t *k, const char **pp, char end,
                    ivls_t *out, int depth, ws_err_t *err);

#define SET_MAX_NESTING 32

static bool set_sep(char c)
{
    return c == ',' || isspace((unsigned char)c);
}

static int set_elem(const set_kind_t *k, const char **pp, ivls_t *out,
                    int depth, ws_err_t *err)
{
    const char *p = *pp;
    if (*p == '[') {
        if (depth >= SET_MAX_NESTING)
            return ws_err_set(err, "%s list nests too deeply", k->what);
        p++;
        if (set_list(k, &p, ']', out, depth + 1, err) < 0)
            return -1;
        *pp = p + 1; /* past ']' */
        return 0;
    }
    const char *s = p;
    while (*p && !set_sep(*p) && *p != ']' && *p != '[')
        p++;
    size_t len = (size_t)(p - s);
    *pp = p;
    if (len == 0)
        return ws_err_set(err, "bad %s list near '%s'", k->what, s);
    if (len == 3 && strncasecmp(s, "any", 3) == 0) {
        for (int f = 0; f < k->nfam; f++)
            if (ivls_add(&out[f], 0, k->max[f]) < 0)
                return ws_err_set(err, "out of memory");
        return 0;
    }
    return k->atom(s, len, out, err);
}

static int set_list(const set_kind_t *k, const char **pp, char end,
                    ivls_t *out, int depth, ws_err_t *err)
{
    ivls_t pos[IVL_MAX_FAM] = { { 0 } }, neg[IVL_MAX_FAM] = { { 0 } };
    int npos = 0, nitems = 0, rc = -1;
    const char *p = *pp;
    for (;;) {
        while (set_sep(*p))
            p++;
        if (*p == end)
            break;
        if (*p == '\0' || *p == ']') {
            ws_err_set(err, "unbalanced brackets in %s list", k->what);
            goto done;
        }
        bool negate = false;
        while (*p == '!') {
            negate = !negate;
            p++;
        }
        ivls_t *dst = negate ? neg : pos;
        if (set_elem(k, &p, dst, depth, err) < 0)
            goto done;
        npos += !negate;
        nitems++;
    }
    if (nitems == 0) {
        ws_err_set(err, "empty %s list", k->what);
        goto done;
    }
    for (int f = 0; f < k->nfam; f++) {
        if (npos == 0 && ivls_add(&pos[f], 0, k->max[f]) < 0)
            goto oom;
        ivls_normalize(&pos[f]);
        ivls_normalize(&neg[f]);
        if (ivls_subtract(&pos[f], &neg[f], &out[f]) < 0)
            goto oom;
    }
    *pp = p;
    rc = 0;
    goto done;
oom:
    ws_err_set(err, "out of memory");
done:
    for (int f = 0; f < k->nfam; f++) {
        ivls_free(&pos[f]);
        ivls_free(&neg[f]);
    }
    return rc;
}

/* Expand variables, evaluate, normalize: out[] receives the result. */
static int set_eval(const set_kind_t *k, const char *text,
                    const rule_vars_t *vars, ivls_t *out, ws_err_t *err)
{
    char *exp = NULL;
    if (strchr(text, '$') != NULL) {
        if (vars == NULL)
            return ws_err_set(err, "variable in '%s' but no variables", text);
        if (rule_vars_expand(vars, text, &exp, err) < 0)
            return -1;
        text = exp;
    }
    const char *p = text;
    int rc = set_list(k, &p, '\0', out, 0, err);
    free(exp);
    if (rc < 0)
        return -1;
    for (int f = 0; f < k->nfam; f++)
        ivls_normalize(&out[f]);
    return 0;
}

/* ---- addresses ------------------------------------------------------- */

static int addr_atom(const char *tok, size_t len, ivls_t *out, ws_err_t *err)
{
    char buf[128];
    if (len >= sizeof(buf))
        return ws_err_set(err, "bad address '%.*s'", (int)len, tok);
    memcpy(buf, tok, len);
    buf[len] = '\0';
    char *slash = strchr(buf, '/');
    if (slash != NULL)
        *slash++ = '\0';
    bool v6 = strchr(buf, ':') != NULL;
    unsigned char a[16];
    if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, a) != 1)
        return ws_err_set(err, "bad address '%.*s'", (int)len, tok);

    unsigned bits = v6 ? 128 : 32;
    unsigned plen = bits;
    if (slash != NULL) {
        uint32_t n;
        unsigned char m[4];
        if (!v6 && strchr(slash, '.') != NULL &&
            inet_pton(AF_INET, slash, m) == 1) {
            uint32_t mask = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
                            (uint32_t)m[2] << 8 | m[3];
            if (mask != 0 && ((~mask + 1) & ~mask) != 0)
                return ws_err_set(err, "bad netmask in '%.*s'", (int)len, tok);
            plen = (unsigned)__builtin_popcount(mask);
        } else if (rule_parse_u32(slash, &n) < 0 || n > bits) {
            return ws_err_set(err, "bad prefix length in '%.*s'", (int)len, tok);
        } else {
            plen = n;
        }
    }
    rule_u128_t v = 0;
    for (unsigned i = 0; i < bits / 8; i++)
        v = v << 8 | a[i];
    rule_u128_t hostmask;
    if (plen == bits)
        hostmask = 0;
    else if (bits - plen == 128)
        hostmask = ~(rule_u128_t)0;
    else
        hostmask = ((rule_u128_t)1 << (bits - plen)) - 1;
    if (ivls_add(&out[v6 ? 1 : 0], v & ~hostmask, v | hostmask) < 0)
        return ws_err_set(err, "out of memory");
    return 0;
}

static const set_kind_t addr_kind = {
    .nfam = 2,
    .max = { 0xffffffffu, ~(rule_u128_t)0 },
    .atom = addr_atom,
    .what = "address",
};

int rule_addrset_parse(rule_addrset_t *out, const char *text,
                       const rule_vars_t *vars, ws_err_t *err)
{
    ivls_t r[2] = { { 0 } };
    memset(out, 0, sizeof(*out));
    if (set_eval(&addr_kind, text, vars, r, err) < 0)
        goto fail;
    if (r[0].n == 0 && r[1].n == 0) {
        ws_err_set(err, "address set '%s' matches nothing", text);
        goto fail;
    }
    if (r[0].n) {
        out->v4 = malloc(r[0].n * sizeof(*out->v4));
        if (out->v4 == NULL)
            goto oom;
        for (uint32_t i = 0; i < r[0].n; i++) {
            out->v4[i].lo = (uint32_t)r[0].v[i].lo;
            out->v4[i].hi = (uint32_t)r[0].v[i].hi;
        }
        out->n4 = r[0].n;
    }
    if (r[1].n) {
        out->v6 = malloc(r[1].n * sizeof(*out->v6));
        if (out->v6 == NULL)
            goto oom;
        for (uint32_t i = 0; i < r[1].n; i++) {
            out->v6[i].lo = r[1].v[i].lo;
            out->v6[i].hi = r[1].v[i].hi;
        }
        out->n6 = r[1].n;
    }
    out->any = out->n4 == 1 && out->v4[0].lo == 0 &&
               out->v4[0].hi == 0xffffffffu && out->n6 == 1 &&
               out->v6[0].lo == 0 && out->v6[0].hi == ~(rule_u128_t)0;
    while (isspace((unsigned char)*text))
        text++;
    out->negated = *text == '!';
    ivls_free(&r[0]);
    ivls_free(&r[1]);
    return 0;
oom:
    ws_err_set(err, "out of memory");
fail:
    ivls_free(&r[0]);
    ivls_free(&r[1]);
    rule_addrset_clear(out);
    return -1;
}

void rule_addrset_clear(rule_addrset_t *s)
{
    free(s->v4);
    free(s->v6);
    memset(s, 0, sizeof(*s));
}

int rule_addrset_copy(rule_addrset_t *dst, const rule_addrset_t *src)
{
    *dst = *src;
    dst->v4 = NULL;
    dst->v6 = NULL;
    if (src->n4) {
        dst->v4 = malloc(src->n4 * sizeof(*dst->v4));
        if (dst->v4 == NULL)
            goto fail;
        memcpy(dst->v4, src->v4, src->n4 * sizeof(*dst->v4));
    }
    if (src->n6) {
        dst->v6 = malloc(src->n6 * sizeof(*dst->v6));
        if (dst->v6 == NULL)
            goto fail;
        memcpy(dst->v6, src->v6, src->n6 * sizeof(*dst->v6));
    }
    return 0;
fail:
    rule_addrset_clear(dst);
    return -1;
}

bool rule_addrset_has4(const rule_addrset_t *s, uint32_t addr)
{
    uint32_t lo = 0, hi = s->n4;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (addr < s->v4[mid].lo)
            hi = mid;
        else if (addr > s->v4[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

bool rule_addrset_has6(const rule_addrset_t *s, const uint8_t addr[16])
{
    rule_u128_t a = 0;
    for (int i = 0; i < 16; i++)
        a = a << 8 | addr[i];
    uint32_t lo = 0, hi = s->n6;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a < s->v6[mid].lo)
            hi = mid;
        else if (a > s->v6[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* ---- ports ----------------------------------------------------------- */

static int port_num(const char *s, size_t len, uint32_t *out)
{
    char buf[16];
    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)buf[i]))
            return -1;
    if (rule_parse_u32(buf, out) < 0 || *out > 65535)
        return -1;
    return 0;
}

static int port_atom(const char *tok, size_t len, ivls_t *out, ws_err_t *err)
{
    const char *colon = memchr(tok, ':', len);
    uint32_t lo = 0, hi = 65535;
    if (colon == NULL) {
        if (port_num(tok, len, &lo) < 0)
            goto bad;
        hi = lo;
    } else {
        size_t l1 = (size_t)(colon - tok), l2 = len - l1 - 1;
        if (l1 == 0 && l2 == 0)
            goto bad;
        if (l1 && port_num(tok, l1, &lo) < 0)
            goto bad;
        if (l2 && port_num(colon + 1, l2, &hi) < 0)
            goto bad;
        if (lo > hi)
            return ws_err_set(err, "bad port range '%.*s' (low > high)",
                              (int)len, tok);
    }
    if (ivls_add(&out[0], lo, hi) < 0)
        return ws_err_set(err, "out of memory");
    return 0;
bad:
    return ws_err_set(err, "bad port '%.*s'", (int)len, tok);
}

static const set_kind_t port_kind = {
    .nfam = 1,
    .max = { 65535 },
    .atom = port_atom,
    .what = "port",
};

int rule_portset_parse(rule_portset_t *out, const char *text,
                       const rule_vars_t *vars, ws_err_t *err)
{
    ivls_t r[1] = { { 0 } };
    memset(out, 0, sizeof(*out));
    if (set_eval(&port_kind, text, vars, r, err) < 0)
        goto fail;
    if (r[0].n == 0) {
        ws_err_set(err, "port set '%s' matches nothing", text);
        goto fail;
    }
    out->r = malloc(r[0].n * sizeof(*out->r));
    if (out->r == NULL) {
        ws_err_set(err, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < r[0].n; i++) {
        out->r[i].lo = (uint16_t)r[0].v[i].lo;
        out->r[i].hi = (uint16_t)r[0].v[i].hi;
    }
    out->n = r[0].n;
    out->any = out->n == 1 && out->r[0].lo == 0 && out->r[0].hi == 65535;
    while (isspace((unsigned char)*text))
        text++;
    out->negated = *text == '!';
    ivls_free(&r[0]);
    return 0;
fail:
    ivls_free(&r[0]);
    rule_portset_clear(out);
    return -1;
}

void rule_portset_clear(rule_portset_t *s)
{
    free(s->r);
    memset(s, 0, sizeof(*s));
}

int rule_portset_copy(rule_portset_t *dst, const rule_portset_t *src)
{
    *dst = *src;
    dst->r = NULL;
    if (src->n) {
        dst->r = malloc(src->n * sizeof(*dst->r));
        if (dst->r == NULL)
            return -1;
        memcpy(dst->r, src->r, src->n * sizeof(*dst->r));
    }
    return 0;
}

bool rule_portset_has(const rule_portset_t *s, uint16_t port)
{
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (port < s->r[mid].lo)
            hi = mid;
        else if (port > s->r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}
