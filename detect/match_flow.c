/*
 * match_flow.c - flow and flowbits.
 *
 * flow reads what the caller knows about the packet's flow
 * (det_match_ctx_t: has_flow, to_server, established, rebuilt):
 *   to_server / to_client   need a tracked flow and that direction;
 *   established             needs a tracked, established flow;
 *   not_established         matches anything else (also no flow);
 *   stateless               always matches;
 *   only_stream / no_stream rebuilt / not rebuilt data (rebuilt is false
 *                           until stream reassembly exists);
 *   only_frag / no_frag     there is no IP reassembly: only_frag never
 *                           matches, no_frag always does.
 *
 * flowbits: isset / isnotset are checks evaluated in order with the other
 * options (a&b: all set / none set; a|b: any set / any not set; with a
 * group, "any" and "all" test the group's bits).  set, setx, unset, toggle
 * and reset change nothing while the rule is evaluated; det_flowbits_apply
 * runs them in written order once the whole rule matched.  A packet
 * without flowbit storage fails every flowbits option, as Snort does when
 * a packet has no session.  Groups are built once per rule set: a group's
 * members are the bits named with it in set/setx/unset/toggle options.
 */
#include "detect/match_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- flow ---------------------------------------------------------------- */

bool det_kw_flow(det_match_ctx_t *m, const rule_opt_t *o)
{
    uint32_t f = o->u.flow.flags;
    bool est = m->has_flow && m->established;

    if ((f & RULE_FLOW_TO_SERVER) && !(m->has_flow && m->to_server))
        return false;
    if ((f & RULE_FLOW_TO_CLIENT) && !(m->has_flow && !m->to_server))
        return false;
    if ((f & RULE_FLOW_ESTABLISHED) && !est)
        return false;
    if ((f & RULE_FLOW_NOT_ESTABLISHED) && est)
        return false;
    if ((f & RULE_FLOW_ONLY_STREAM) && !m->rebuilt)
        return false;
    if ((f & RULE_FLOW_NO_STREAM) && m->rebuilt)
        return false;
    if (f & RULE_FLOW_ONLY_FRAG)
        return false;
    return true;
}

/* ---- flowbits: bit helpers ------------------------------------------------ */

static inline bool fb_get(const det_match_ctx_t *m, uint32_t id)
{
    return id < m->nflowbits && (m->flowbits[id >> 3] >> (id & 7) & 1);
}

static inline void fb_put(det_match_ctx_t *m, uint32_t id, int how)
{
    if (id >= m->nflowbits)
        return;
    uint8_t bit = (uint8_t)(1u << (id & 7));
    if (how > 0)
        m->flowbits[id >> 3] |= bit;
    else if (how < 0)
        m->flowbits[id >> 3] &= (uint8_t)~bit;
    else
        m->flowbits[id >> 3] ^= bit;
}

static const det_fb_group_t *fb_group(const det_matcher_t *mt,
                                      const char *name)
{
    for (uint32_t i = 0; i < mt->ngroups; i++)
        if (strcmp(mt->groups[i].name, name) == 0)
            return &mt->groups[i];
    return NULL;
}

/* isset/isnotset any|all,group: over the group's members. */
static bool fb_group_test(const det_match_ctx_t *m, const rule_flowbits_t *fb)
{
    const det_fb_group_t *g = fb_group(m->mt, fb->group);
    bool all = strcmp(fb->names[0], "all") == 0;
    uint32_t nset = 0, nmem = 0;
    if (g != NULL) {
        uint32_t n = m->nflowbits < m->mt->nflowbits ? m->nflowbits
                                                       : m->mt->nflowbits;
        for (uint32_t id = 0; id < n; id++) {
            if (!(g->bits[id >> 3] >> (id & 7) & 1))
                continue;
            nmem++;
            nset += fb_get(m, id);
        }
    }
    if (fb->op == RULE_FB_ISSET)
        return all ? nmem > 0 && nset == nmem : nset > 0;
    return all ? nset == 0 : nset < nmem;
}

bool det_kw_flowbits(det_match_ctx_t *m, const rule_opt_t *o)
{
    const rule_flowbits_t *fb = &o->u.flowbits;

    if (m->flowbits == NULL)
        return false;
    if (fb->op != RULE_FB_ISSET && fb->op != RULE_FB_ISNOTSET)
        return true;                 /* setters: applied after the match */
    if (fb->ids == NULL || fb->n == 0)
        return false;
    if (fb->group != NULL && fb->n == 1 &&
        (strcmp(fb->names[0], "any") == 0 || strcmp(fb->names[0], "all") == 0))
        return fb_group_test(m, fb);

    uint32_t nset = 0;
    for (uint32_t i = 0; i < fb->n; i++)
        nset += fb_get(m, fb->ids[i]);
    if (fb->op == RULE_FB_ISSET)
        return fb->join == RULE_FB_ANY ? nset > 0 : nset == fb->n;
    return fb->join == RULE_FB_ANY ? nset < fb->n : nset == 0;
}

static void fb_clear_group(det_match_ctx_t *m, const char *name)
{
    const det_fb_group_t *g = fb_group(m->mt, name);
    uint32_t n = m->nflowbits < m->mt->nflowbits ? m->nflowbits
                                                 : m->mt->nflowbits;
    if (g == NULL)
        return;
    for (uint32_t id = 0; id < n; id++)
        if (g->bits[id >> 3] >> (id & 7) & 1)
            fb_put(m, id, -1);
}

void det_flowbits_apply(det_match_ctx_t *m, const rule_t *r)
{
    if (m->flowbits == NULL)
        return;
    for (uint32_t i = 0; i < r->nopts; i++) {
        const rule_opt_t *o = &r->opts[i];
        if (o->kw != RULE_KW_FLOWBITS)
            continue;
        const rule_flowbits_t *fb = &o->u.flowbits;
        int how;
        switch (fb->op) {
        case RULE_FB_SET:    how = 1; break;
        case RULE_FB_UNSET:  how = -1; break;
        case RULE_FB_TOGGLE: how = 0; break;
        case RULE_FB_SETX:
            if (fb->group != NULL)
                fb_clear_group(m, fb->group);
            how = 1;
            break;
        case RULE_FB_RESET:
            if (fb->group != NULL)
                fb_clear_group(m, fb->group);
            else
                memset(m->flowbits, 0, (m->nflowbits + 7) / 8);
            continue;
        default:
            continue;
        }
        if (fb->ids == NULL)
            continue;
        for (uint32_t j = 0; j < fb->n; j++)
            fb_put(m, fb->ids[j], how);
    }
}

/* ---- groups ---------------------------------------------------------------- */

static det_fb_group_t *group_add(det_matcher_t *mt, const char *name,
                                 ws_err_t *err)
{
    for (uint32_t i = 0; i < mt->ngroups; i++)
        if (strcmp(mt->groups[i].name, name) == 0)
            return &mt->groups[i];
    det_fb_group_t *v = realloc(mt->groups, (mt->ngroups + 1) * sizeof(*v));
    if (v == NULL) {
        ws_err_set(err, "flowbit groups: out of memory");
        return NULL;
    }
    mt->groups = v;
    det_fb_group_t *g = &v[mt->ngroups];
    g->name = name;
    g->bits = calloc(1, (mt->nflowbits + 7) / 8 + 1);
    if (g->bits == NULL) {
        ws_err_set(err, "flowbit groups: out of memory");
        return NULL;
    }
    mt->ngroups++;
    return g;
}

int det_fb_groups_build(det_matcher_t *mt, rule_t *const *rules,
                        uint32_t nrules, ws_err_t *err)
{
    for (uint32_t r = 0; r < nrules; r++) {
        for (uint32_t i = 0; i < rules[r]->nopts; i++) {
            const rule_opt_t *o = &rules[r]->opts[i];
            if (o->kw != RULE_KW_FLOWBITS || o->u.flowbits.group == NULL)
                continue;
            const rule_flowbits_t *fb = &o->u.flowbits;
            det_fb_group_t *g = group_add(mt, fb->group, err);
            if (g == NULL)
                return -1;
            bool member = fb->op == RULE_FB_SET || fb->op == RULE_FB_SETX ||
                          fb->op == RULE_FB_UNSET || fb->op == RULE_FB_TOGGLE;
            if (!member || fb->ids == NULL)
                continue;
            for (uint32_t j = 0; j < fb->n; j++)
                if (fb->ids[j] < mt->nflowbits)
                    g->bits[fb->ids[j] >> 3] |= (uint8_t)(1u << (fb->ids[j] & 7));
        }
    }
    return 0;
}

void det_fb_groups_free(det_matcher_t *mt)
{
    for (uint32_t i = 0; i < mt->ngroups; i++)
        free(mt->groups[i].bits);
    free(mt->groups);
    mt->groups = NULL;
    mt->ngroups = 0;
}
