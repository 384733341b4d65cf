/*
 * kw_flow.c - flow and flowbits.
 *
 * flow takes a comma list of direction and state words; conflicting words
 * (to_server with to_client, established with stateless, ...) reject the
 * rule, as in Snort.  flowbits takes an operation and, for most operations,
 * one or more bit names joined with & (all) or | (any; only for the tests
 * isset/isnotset), plus an optional group name.  Names are kept as text
 * here; the rule set interns them into ids for the matcher.
 */
#include "rules/kw.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *word;
    uint32_t bit;
} flow_words[] = {
    { "to_server", RULE_FLOW_TO_SERVER },
    { "from_client", RULE_FLOW_TO_SERVER },
    { "to_client", RULE_FLOW_TO_CLIENT },
    { "from_server", RULE_FLOW_TO_CLIENT },
    { "established", RULE_FLOW_ESTABLISHED },
    { "not_established", RULE_FLOW_NOT_ESTABLISHED },
    { "stateless", RULE_FLOW_STATELESS },
    { "only_stream", RULE_FLOW_ONLY_STREAM },
    { "no_stream", RULE_FLOW_NO_STREAM },
    { "only_frag", RULE_FLOW_ONLY_FRAG },
    { "no_frag", RULE_FLOW_NO_FRAG },
};

static bool two_of(uint32_t f, uint32_t set)
{
    f &= set;
    return (f & (f - 1)) != 0;
}

int kw_flow(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *items[16];
    int n = rule_split(value, ',', items, 16);
    if (n < 0)
        return kw_fail(st, kw, "too many options");
    uint32_t flags = 0;
    for (int i = 0; i < n; i++) {
        size_t j, nw = sizeof(flow_words) / sizeof(flow_words[0]);
        for (j = 0; j < nw; j++)
            if (rule_word_eq(items[i], flow_words[j].word))
                break;
        if (j == nw)
            return kw_fail(st, kw, "unknown option '%s'", items[i]);
        flags |= flow_words[j].bit;
    }
    if (two_of(flags, RULE_FLOW_TO_SERVER | RULE_FLOW_TO_CLIENT))
        return kw_fail(st, kw, "both directions given");
    if (two_of(flags, RULE_FLOW_ESTABLISHED | RULE_FLOW_NOT_ESTABLISHED |
                          RULE_FLOW_STATELESS))
        return kw_fail(st, kw, "conflicting state options");
    if (two_of(flags, RULE_FLOW_ONLY_STREAM | RULE_FLOW_NO_STREAM))
        return kw_fail(st, kw, "only_stream with no_stream");
    if (two_of(flags, RULE_FLOW_ONLY_FRAG | RULE_FLOW_NO_FRAG))
        return kw_fail(st, kw, "only_frag with no_frag");
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.flow.flags = flags;
    return 0;
}

static const struct {
    const char *word;
    rule_fb_op_t op;
} fb_ops[] = {
    { "set", RULE_FB_SET },         { "setx", RULE_FB_SETX },
    { "unset", RULE_FB_UNSET },     { "toggle", RULE_FB_TOGGLE },
    { "isset", RULE_FB_ISSET },     { "isnotset", RULE_FB_ISNOTSET },
    { "noalert", RULE_FB_NOALERT }, { "reset", RULE_FB_RESET },
};

static bool fb_name_ok(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (isspace((unsigned char)*s) || *s == ',' || *s == '"')
            return false;
    return true;
}

/* Split "a&b&c" or "a|b" into fb->names. */
static int fb_names(kw_state_t *st, rule_kw_t kw, rule_flowbits_t *fb,
                    char *s)
{
    bool has_and = strchr(s, '&') != NULL, has_or = strchr(s, '|') != NULL;
    if (has_and && has_or)
        return kw_fail(st, kw, "cannot mix '&' and '|'");
    char sep = has_or ? '|' : '&';
    fb->join = has_and ? RULE_FB_ALL : has_or ? RULE_FB_ANY : RULE_FB_ONE;
    if (has_or && fb->op != RULE_FB_ISSET && fb->op != RULE_FB_ISNOTSET)
        return kw_fail(st, kw, "'|' is only allowed with isset/isnotset");
    uint32_t cnt = 1;
    for (char *p = s; *p; p++)
        cnt += *p == sep;
    fb->names = calloc(cnt, sizeof(*fb->names));
    if (fb->names == NULL)
        return ws_err_set(st->err, "out of memory");
    char *save = NULL;
    char seps[2] = { sep, '\0' };
    for (char *t = strtok_r(s, seps, &save); t; t = strtok_r(NULL, seps, &save)) {
        t = rule_trim(t);
        if (!fb_name_ok(t))
            return kw_fail(st, kw, "bad bit name '%s'", t);
        if ((fb->names[fb->n++] = rule_strdup(t)) == NULL)
            return ws_err_set(st->err, "out of memory");
    }
    if (fb->n != cnt)
        return kw_fail(st, kw, "empty bit name");
    return 0;
}

int kw_flowbits(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *items[4];
    int n = rule_split(value, ',', items, 3);
    if (n < 0)
        return kw_fail(st, kw, "too many arguments");
    size_t i, nops = sizeof(fb_ops) / sizeof(fb_ops[0]);
    for (i = 0; i < nops; i++)
        if (rule_word_eq(items[0], fb_ops[i].word))
            break;
    if (i == nops)
        return kw_fail(st, kw, "unknown operation '%s'", items[0]);
    rule_fb_op_t op = fb_ops[i].op;

    if (op == RULE_FB_NOALERT) {
        if (n != 1)
            return kw_fail(st, kw, "noalert takes no bit name");
        st->rule->noalert = true;
    } else if (op == RULE_FB_RESET) {
        if (n > 2)
            return kw_fail(st, kw, "reset takes at most a group name");
    } else if (n < 2 || *items[1] == '\0') {
        return kw_fail(st, kw, "%s needs a bit name", fb_ops[i].word);
    } else if (op == RULE_FB_SETX && n != 3) {
        return kw_fail(st, kw, "setx needs a bit name and a group");
    }

    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    rule_flowbits_t *fb = &o->u.flowbits;
    fb->op = op;
    if (op == RULE_FB_RESET) {
        if (n == 2 && (fb->group = rule_strdup(items[1])) == NULL)
            return ws_err_set(st->err, "out of memory");
        return 0;
    }
    if (op == RULE_FB_NOALERT)
        return 0;
    if (fb_names(st, kw, fb, items[1]) < 0)
        return -1;
    if (n == 3) {
        if (!fb_name_ok(items[2]))
            return kw_fail(st, kw, "bad group name '%s'", items[2]);
        if ((fb->group = rule_strdup(items[2])) == NULL)
            return ws_err_set(st->err, "out of memory");
    }
    return 0;
}
