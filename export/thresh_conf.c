/*
 * thresh_conf.c - threshold.conf: the line parser and the per-alert
 * decisions (thresh_conf.h).
 *
 * A line is "KIND item, item, ..." where each item is "key value"; the keys
 * a kind takes are rows of one table (bit masks of allowed and required
 * keys per kind), so the checks read as data rather than code.  Commas
 * inside [...] address lists do not split items.
 *
 * Decisions walk the entries that apply to the event's gid:sid; the
 * entries are few (ET Open ships none active; local tuning files hold tens
 * to hundreds), so a linear scan per alert is cheaper than any index at the
 * export process's alert rates.  Counting state lives in a fixed
 * set-associative table keyed by (entry, gid, sid, tracked address).
 */
#include "export/thresh_conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/thr_window.h"
#include "rules/sets.h"

enum {
    K_GEN = 1u << 0, K_SIG = 1u << 1, K_TRACK = 1u << 2, K_IP = 1u << 3,
    K_TYPE = 1u << 4, K_COUNT = 1u << 5, K_SECONDS = 1u << 6,
    K_ACTION = 1u << 7, K_TIMEOUT = 1u << 8, K_APPLY = 1u << 9,
};

static const struct {
    const char *name;
    unsigned bit;
} keys[] = {
    { "gen_id", K_GEN }, { "sig_id", K_SIG }, { "track", K_TRACK },
    { "ip", K_IP }, { "type", K_TYPE }, { "count", K_COUNT },
    { "seconds", K_SECONDS }, { "new_action", K_ACTION },
    { "timeout", K_TIMEOUT }, { "apply_to", K_APPLY },
};

static const struct {
    const char *word;
    ws_thr_kind_t kind;
    unsigned allowed, required;
} kinds[] = {
    { "suppress", WS_THR_SUPPRESS, K_GEN | K_SIG | K_TRACK | K_IP, K_GEN | K_SIG },
    { "event_filter", WS_THR_EVENT_FILTER,
      K_GEN | K_SIG | K_TYPE | K_TRACK | K_COUNT | K_SECONDS,
      K_GEN | K_SIG | K_TYPE | K_TRACK | K_COUNT | K_SECONDS },
    { "threshold", WS_THR_EVENT_FILTER,
      K_GEN | K_SIG | K_TYPE | K_TRACK | K_COUNT | K_SECONDS,
      K_GEN | K_SIG | K_TYPE | K_TRACK | K_COUNT | K_SECONDS },
    { "rate_filter", WS_THR_RATE_FILTER,
      K_GEN | K_SIG | K_TRACK | K_COUNT | K_SECONDS | K_ACTION | K_TIMEOUT | K_APPLY,
      K_GEN | K_SIG | K_TRACK | K_COUNT | K_SECONDS | K_ACTION | K_TIMEOUT },
};

static const char *const action_names[] = {
    [WS_THR_ACT_NONE] = "none",   [WS_THR_ACT_ALERT] = "alert",
    [WS_THR_ACT_DROP] = "drop",   [WS_THR_ACT_PASS] = "pass",
    [WS_THR_ACT_LOG] = "log",     [WS_THR_ACT_SDROP] = "sdrop",
    [WS_THR_ACT_REJECT] = "reject",
};

const char *ws_thr_action_name(ws_thr_action_t a)
{
    return (unsigned)a < sizeof(action_names) / sizeof(action_names[0])
        ? action_names[a] : "?";
}

/* ---- table ---------------------------------------------------------- */

int ws_thresh_init(ws_thresh_t *t, uint32_t capacity, ws_err_t *err)
{
    uint32_t nsets = 1;

    memset(t, 0, sizeof(*t));
    while ((uint64_t)nsets * WS_THR_WAYS < capacity && nsets < (1u << 24))
        nsets <<= 1;
    t->slots = calloc((size_t)nsets * WS_THR_WAYS, sizeof(*t->slots));
    if (t->slots == NULL)
        return ws_err_set(err, "threshold.conf: cannot allocate %u tracking entries",
                          nsets * WS_THR_WAYS);
    t->set_mask = nsets - 1;
    return 0;
}

void ws_thresh_free(ws_thresh_t *t)
{
    if (t == NULL)
        return;
    for (uint32_t i = 0; i < t->n; i++)
        rule_addrset_clear(&t->e[i].ips);
    free(t->e);
    free(t->slots);
    t->e = NULL;
    t->slots = NULL;
    t->n = t->cap = 0;
}

/* ---- parsing -------------------------------------------------------- */

/* Split at commas outside brackets; trims items.  Returns count or -1. */
static int split_items(char *s, char **items, int max)
{
    int n = 0, depth = 0;
    char *start = s;

    for (char *p = s;; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']' && depth > 0)
            depth--;
        if (*p == '\0' || (*p == ',' && depth == 0)) {
            bool end = *p == '\0';
            *p = '\0';
            if (n == max)
                return -1;
            items[n++] = start;
            if (end)
                break;
            start = p + 1;
        }
    }
    for (int i = 0; i < n; i++) {
        char *it = items[i];
        while (isspace((unsigned char)*it))
            it++;
        size_t len = strlen(it);
        while (len > 0 && isspace((unsigned char)it[len - 1]))
            it[--len] = '\0';
        items[i] = it;
    }
    return n;
}

static int parse_num(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long x;

    errno = 0;
    x = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

static int parse_track(const char *v, ws_thr_track_t *out)
{
    if (strcasecmp(v, "by_src") == 0)
        *out = WS_THR_TRACK_SRC;
    else if (strcasecmp(v, "by_dst") == 0)
        *out = WS_THR_TRACK_DST;
    else if (strcasecmp(v, "by_rule") == 0)
        *out = WS_THR_TRACK_RULE;
    else
        return -1;
    return 0;
}

static int parse_action(const char *v, ws_thr_action_t *out)
{
    for (unsigned a = WS_THR_ACT_ALERT; a <= WS_THR_ACT_REJECT; a++)
        if (strcasecmp(v, action_names[a]) == 0) {
            *out = (ws_thr_action_t)a;
            return 0;
        }
    return -1;
}

#define BAD(...) (ws_err_set(err, "%s:%u: ", file, line), \
                  bad_more(err, __VA_ARGS__))

static int bad_more(ws_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append to the "FILE:LINE: " prefix already in err. */
static int bad_more(ws_err_t *err, const char *fmt, ...)
{
    if (err != NULL) {
        size_t n = strlen(err->msg);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int parse_items(ws_thr_entry_t *e, unsigned allowed, unsigned required,
                       char **items, int nitems, const char *file, uint32_t line,
                       const rule_vars_t *vars, ws_err_t *err)
{
    unsigned seen = 0;
    ws_err_t sub;
    int64_t v;

    for (int i = 0; i < nitems; i++) {
        char *key = items[i], *val = key;
        unsigned bit = 0;
        const char *kname = NULL;

        if (*key == '\0')
            return BAD("empty item (two commas in a row?)");
        while (*val != '\0' && !isspace((unsigned char)*val))
            val++;
        if (*val != '\0')
            *val++ = '\0';
        while (isspace((unsigned char)*val))
            val++;
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            if (strcasecmp(key, keys[k].name) == 0) {
                bit = keys[k].bit;
                kname = keys[k].name;
            }
        if (bit == 0 || !(allowed & bit))
            return BAD("unknown or misplaced option \"%s\"", key);
        if (seen & bit)
            return BAD("%s given twice", kname);
        seen |= bit;
        if (*val == '\0')
            return BAD("%s needs a value", kname);
        switch (bit) {
        case K_GEN:
        case K_SIG:
            if (parse_num(val, 0, UINT32_MAX, &v) < 0)
                return BAD("%s \"%s\": expected a number 0..4294967295", kname, val);
            if (bit == K_GEN)
                e->gid = (uint32_t)v;
            else
                e->sid = (uint32_t)v;
            break;
        case K_TRACK:
            if (parse_track(val, &e->track) < 0)
                return BAD("track \"%s\": expected by_src, by_dst or by_rule", val);
            break;
        case K_TYPE:
            if (strcasecmp(val, "limit") == 0)
                e->type = WS_THR_LIMIT;
            else if (strcasecmp(val, "threshold") == 0)
                e->type = WS_THR_THRESHOLD;
            else if (strcasecmp(val, "both") == 0)
                e->type = WS_THR_BOTH;
            else
                return BAD("type \"%s\": expected limit, threshold or both", val);
            break;
        case K_COUNT:
            if (parse_num(val, -1, INT32_MAX, &v) < 0)
                return BAD("count \"%s\": expected -1 or a number >= 0", val);
            e->count = (int32_t)v;
            break;
        case K_SECONDS:
        case K_TIMEOUT:
            if (parse_num(val, 0, UINT32_MAX, &v) < 0)
                return BAD("%s \"%s\": expected a number of seconds", kname, val);
            if (bit == K_SECONDS)
                e->seconds = (uint32_t)v;
            else
                e->timeout = (uint32_t)v;
            break;
        case K_ACTION:
            if (parse_action(val, &e->new_action) < 0)
                return BAD("new_action \"%s\": expected alert, drop, pass, log, sdrop "
                           "or reject", val);
            break;
        case K_IP:
        case K_APPLY:
            if (rule_addrset_parse(&e->ips, val, vars, &sub) < 0)
                return BAD("%s \"%s\": %s", kname, val, sub.msg);
            e->has_ips = true;
            break;
        }
    }
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        if ((required & keys[k].bit) && !(seen & keys[k].bit))
            return BAD("missing %s", keys[k].name);
    if ((seen & K_TRACK) && e->kind == WS_THR_SUPPRESS && !(seen & K_IP))
        return BAD("suppress with track needs ip");
    if ((seen & K_IP) && !(seen & K_TRACK))
        return BAD("suppress with ip needs track by_src or by_dst");
    return 0;
}

static int add_entry(ws_thresh_t *t, const ws_thr_entry_t *e)
{
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        ws_thr_entry_t *ne = realloc(t->e, cap * sizeof(*ne));
        if (ne == NULL)
            return -1;
        t->e = ne;
        t->cap = cap;
    }
    t->e[t->n++] = *e;
    return 0;
}

static int parse_line(ws_thresh_t *t, char *s, const char *file, uint32_t line,
                      const rule_vars_t *vars, ws_err_t *err)
{
    char *items[32], *word = s, *hash;
    ws_thr_entry_t e;
    int nitems, k = -1;

    if ((hash = strchr(s, '#')) != NULL)
        *hash = '\0';
    while (isspace((unsigned char)*word))
        word++;
    if (*word == '\0')
        return 0;
    s = word;
    while (*s != '\0' && !isspace((unsigned char)*s))
        s++;
    if (*s != '\0')
        *s++ = '\0';
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcasecmp(word, kinds[i].word) == 0)
            k = (int)i;
    if (k < 0)
        return BAD("unknown command \"%s\" (suppress, event_filter, rate_filter)", word);
    if ((nitems = split_items(s, items, 32)) < 0)
        return BAD("too many items");
    memset(&e, 0, sizeof(e));
    e.kind = kinds[k].kind;
    e.line = line;
    if (parse_items(&e, kinds[k].allowed, kinds[k].required, items, nitems, file,
                    line, vars, err) < 0)
        goto fail;
    if (e.gid == 0 && e.sid != 0) {
        BAD("gen_id 0 needs sig_id 0 (gen_id 0 means every generator)");
        goto fail;
    }
    if (e.kind == WS_THR_SUPPRESS && e.track == WS_THR_TRACK_RULE) {
        BAD("suppress tracks by_src or by_dst");
        goto fail;
    }
    if (e.kind == WS_THR_EVENT_FILTER) {
        if (e.track == WS_THR_TRACK_RULE) {
            BAD("event_filter tracks by_src or by_dst");
            goto fail;
        }
        for (uint32_t i = 0; i < t->n; i++)
            if (t->e[i].kind == WS_THR_EVENT_FILTER && t->e[i].gid == e.gid
                && t->e[i].sid == e.sid) {
                BAD("second event_filter for %u:%u (first at line %u)", e.gid, e.sid,
                    t->e[i].line);
                goto fail;
            }
    }
    if (e.kind == WS_THR_RATE_FILTER) {
        if (e.count < 1) {
            BAD("rate_filter count must be at least 1");
            goto fail;
        }
        if (e.has_ips && e.track == WS_THR_TRACK_RULE) {
            BAD("apply_to needs track by_src or by_dst");
            goto fail;
        }
    }
    if (add_entry(t, &e) < 0) {
        BAD("out of memory");
        goto fail;
    }
    return 0;
fail:
    rule_addrset_clear(&e.ips);
    return -1;
}

int ws_thresh_parse_line(ws_thresh_t *t, const char *text, const char *file,
                         uint32_t line, const rule_vars_t *vars, ws_err_t *err)
{
    char *s = strdup(text);
    int rc;

    if (s == NULL)
        return ws_err_set(err, "%s:%u: out of memory", file, line);
    rc = parse_line(t, s, file, line, vars, err);
    free(s);
    if (rc < 0)
        t->errors++;
    return rc;
}

int ws_thresh_load(ws_thresh_t *t, const char *path, const rule_vars_t *vars,
                   ws_thr_report_fn report, void *ctx, ws_err_t *err)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL, *stmt = NULL;
    size_t cap = 0, slen = 0;
    uint32_t line = 0, first = 0;
    int bad = 0;
    ssize_t n;

    if (f == NULL)
        return ws_err_set(err, "cannot open %s: %s", path, strerror(errno));
    while ((n = getline(&buf, &cap, f)) >= 0) {
        bool cont;
        char *ns;

        line++;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        cont = n > 0 && buf[n - 1] == '\\';
        if (cont)
            buf[--n] = '\0';
        if (slen == 0)
            first = line;
        ns = realloc(stmt, slen + (size_t)n + 2);
        if (ns == NULL) {
            bad++;
            break;
        }
        stmt = ns;
        memcpy(stmt + slen, buf, (size_t)n);
        slen += (size_t)n;
        stmt[slen++] = ' ';
        stmt[slen] = '\0';
        if (cont)
            continue;
        ws_err_t e;
        if (ws_thresh_parse_line(t, stmt, path, first, vars, &e) < 0) {
            bad++;
            if (report != NULL)
                report(ctx, e.msg);
        }
        slen = 0;
    }
    if (slen > 0) {                           /* file ended after a '\' */
        ws_err_t e;
        if (ws_thresh_parse_line(t, stmt, path, first, vars, &e) < 0) {
            bad++;
            if (report != NULL)
                report(ctx, e.msg);
        }
    }
    free(buf);
    free(stmt);
    fclose(f);
    return bad;
}

/* ---- decisions ------------------------------------------------------ */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* Find or create the node of a key; *fresh says it was created. */
static ws_thr_node_t *node_get(ws_thresh_t *t, const ws_thr_node_t *key, bool *fresh)
{
    uint64_t h = mix((uint64_t)key->gid << 32 ^ key->sid ^ (uint64_t)key->entry << 20
                     ^ (uint64_t)key->family << 58);
    ws_thr_node_t *set, *victim = NULL;

    for (int i = 0; i < 16; i += 8) {
        uint64_t w;
        memcpy(&w, key->addr + i, 8);
        h = mix(h ^ w);
    }
    set = &t->slots[(h & t->set_mask) * WS_THR_WAYS];
    t->clock++;
    for (int w = 0; w < WS_THR_WAYS; w++) {
        ws_thr_node_t *n = &set[w];
        if (n->tick != 0 && n->entry == key->entry && n->gid == key->gid
            && n->sid == key->sid && n->family == key->family
            && memcmp(n->addr, key->addr, 16) == 0) {
            n->tick = t->clock;
            *fresh = false;
            return n;
        }
        if (victim == NULL || n->tick < victim->tick)
            victim = n;
    }
    if (victim->tick != 0)
        t->stats.evictions++;
    t->stats.inserts++;
    *victim = *key;
    victim->tick = t->clock;
    *fresh = true;
    return victim;
}

/* Does entry e apply to the event's gid:sid? */
static bool applies(const ws_thr_entry_t *e, const ws_thr_event_t *ev)
{
    if (e->gid == 0)
        return true;
    return e->gid == ev->gid && (e->sid == 0 || e->sid == ev->sid);
}

static const uint8_t *tracked(const ws_thr_entry_t *e, const ws_thr_event_t *ev)
{
    if (e->track == WS_THR_TRACK_SRC)
        return ev->src;
    if (e->track == WS_THR_TRACK_DST)
        return ev->dst;
    return NULL;
}

static bool ip_in(const rule_addrset_t *s, uint8_t family, const uint8_t *a)
{
    if (s->any)
        return true;
    if (family == 4)
        return rule_addrset_has4(s, (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16
                                 | (uint32_t)a[2] << 8 | a[3]);
    return rule_addrset_has6(s, a);
}

static ws_thr_node_t *state_of(ws_thresh_t *t, uint32_t idx, const ws_thr_event_t *ev,
                               uint64_t now, bool *fresh)
{
    const ws_thr_entry_t *e = &t->e[idx];
    const uint8_t *a = tracked(e, ev);
    ws_thr_node_t key;

    memset(&key, 0, sizeof(key));
    key.entry = idx;
    key.gid = ev->gid;
    key.sid = ev->sid;
    if (a != NULL) {
        key.family = ev->family;
        memcpy(key.addr, a, ev->family == 4 ? 4 : 16);
    }
    ws_thr_node_t *n = node_get(t, &key, fresh);
    if (*fresh)
        n->tstart = now;
    return n;
}

/* sfrf.c: count in windows of `seconds`; over count -> new_action for
 * `timeout` seconds (0: for good).  Returns the action or NONE. */
static ws_thr_action_t rate_test(ws_thresh_t *t, uint32_t idx,
                                 const ws_thr_event_t *ev, uint64_t now)
{
    const ws_thr_entry_t *e = &t->e[idx];
    bool fresh;
    ws_thr_node_t *n = state_of(t, idx, ev, now, &fresh);

    if (e->seconds != 0 && now - n->tstart >= e->seconds) {
        n->tstart = now;
        n->count = 0;
    }
    n->count++;
    if (n->on) {
        if (e->timeout == 0 || now - n->revert < e->timeout)
            return e->new_action;
        n->on = 0;
    }
    if (n->count <= (uint32_t)e->count)
        return WS_THR_ACT_NONE;
    n->on = 1;
    n->revert = now;
    return e->new_action;
}

/* sfthd.c's test for limit, threshold and both: true = log. */
static bool filter_test(ws_thresh_t *t, uint32_t idx, const ws_thr_event_t *ev,
                        uint64_t now)
{
    const ws_thr_entry_t *e = &t->e[idx];
    uint32_t count = (uint32_t)e->count;
    bool fresh;
    ws_thr_node_t *n;

    if (e->count < 0)
        return true;
    n = state_of(t, idx, ev, now, &fresh);
    n->count = fresh ? 1 : n->count + 1;
    switch (e->type) {
    case WS_THR_LIMIT:
        return ws_thr_window_test(WS_WIN_LIMIT, count, e->seconds, &n->count, &n->tstart,
                                  now, fresh);
    case WS_THR_THRESHOLD:
        return ws_thr_window_test(WS_WIN_THRESHOLD, count, e->seconds, &n->count,
                                  &n->tstart, now, fresh);
    case WS_THR_BOTH:
        return ws_thr_window_test(WS_WIN_BOTH, count, e->seconds, &n->count, &n->tstart,
                                  now, fresh);
    }
    return true;
}

ws_thr_verdict_t ws_thresh_check(ws_thresh_t *t, const ws_thr_event_t *ev,
                                 ws_thr_action_t *action)
{
    uint64_t now = ev->ts_ns / 1000000000ULL;
    ws_thr_action_t act = WS_THR_ACT_NONE;
    int ef[3] = { -1, -1, -1 };       /* event_filter: sid, gen-wide, global */

    if (action != NULL)
        *action = WS_THR_ACT_NONE;
    t->stats.checked++;
    if (t->n == 0)
        return WS_THR_LOG;
    for (uint32_t i = 0; i < t->n; i++) {
        const ws_thr_entry_t *e = &t->e[i];
        if (e->kind != WS_THR_RATE_FILTER || !applies(e, ev))
            continue;
        if (e->has_ips && !ip_in(&e->ips, ev->family, tracked(e, ev)))
            continue;
        ws_thr_action_t a = rate_test(t, i, ev, now);
        if (act == WS_THR_ACT_NONE)
            act = a;
    }
    if (act != WS_THR_ACT_NONE) {
        t->stats.rate_fired++;
        if (action != NULL)
            *action = act;
    }
    for (uint32_t i = 0; i < t->n; i++) {
        const ws_thr_entry_t *e = &t->e[i];
        if (!applies(e, ev))
            continue;
        if (e->kind == WS_THR_SUPPRESS) {
            if (!e->has_ips || ip_in(&e->ips, ev->family, tracked(e, ev))) {
                t->stats.suppressed++;
                return WS_THR_SUPPRESSED;
            }
        } else if (e->kind == WS_THR_EVENT_FILTER) {
            ef[e->gid == 0 ? 2 : e->sid == 0 ? 1 : 0] = (int)i;
        }
    }
    if (act == WS_THR_ACT_PASS || act == WS_THR_ACT_SDROP || act == WS_THR_ACT_LOG)
        return WS_THR_RATE_QUIET;
    for (int k = 0; k < 3; k++)
        if (ef[k] >= 0) {
            if (filter_test(t, (uint32_t)ef[k], ev, now))
                return WS_THR_LOG;
            t->stats.filtered++;
            return WS_THR_FILTERED;
        }
    return WS_THR_LOG;
}
