/*
 * kw_byte.c - byte_test, byte_jump, byte_extract and isdataat.
 *
 *   byte_test:N, [!]op, value, offset [, relative] [, big|little]
 *             [, string, hex|dec|oct] [, dce] [, bitmask M]
 *   byte_jump:N, offset [, relative] [, multiplier M] [, big|little]
 *             [, string, hex|dec|oct] [, align] [, from_beginning]
 *             [, from_end] [, post_offset P] [, dce] [, bitmask M]
 *   byte_extract:N, offset, name [, relative] [, multiplier M]
 *             [, big|little] [, string, hex|dec|oct] [, align 2|4]
 *             [, dce] [, bitmask M]
 *   isdataat:[!]N [, relative] [, rawbytes]
 * op is one of < > = <= >= & ^ (a lone ! means !=).  Offsets and values may
 * name a byte_extract variable defined earlier in the rule; byte_extract
 * defines one (at most RULE_MAX_BYTE_VARS per rule).
 */
#include "rules/kw.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define BYTE_MAX_OFFSET 65535

/* Parse the shared flags from items[first..n); returns -1 on an unknown
 * word.  Keyword-specific words are offered to extra() first. */
typedef int (*byte_extra_fn)(kw_state_t *st, rule_kw_t kw, void *opt,
                             const char *word, const char *arg, bool *used);

static int byte_flags(kw_state_t *st, rule_kw_t kw, rule_byte_common_t *c,
                      char **items, int first, int n, byte_extra_fn extra,
                      void *opt)
{
    bool string = false;
    for (int i = first; i < n; i++) {
        char *word = items[i], *arg = word;
        while (*arg && !isspace((unsigned char)*arg))
            arg++;
        if (*arg)
            *arg++ = '\0';
        arg = rule_trim(arg);
        bool used = false;
        if (extra != NULL && extra(st, kw, opt, word, arg, &used) < 0)
            return -1;
        if (used)
            continue;
        if (*arg != '\0' && strcmp(word, "bitmask") != 0)
            return kw_fail(st, kw, "unexpected '%s %s'", word, arg);
        if (strcmp(word, "relative") == 0)
            c->relative = true;
        else if (strcmp(word, "big") == 0)
            c->endian = RULE_ENDIAN_BIG;
        else if (strcmp(word, "little") == 0)
            c->endian = RULE_ENDIAN_LITTLE;
        else if (strcmp(word, "dce") == 0)
            c->endian = RULE_ENDIAN_DCE;
        else if (strcmp(word, "string") == 0)
            string = true;
        else if (strcmp(word, "hex") == 0)
            c->base = RULE_BYTE_HEX;
        else if (strcmp(word, "dec") == 0)
            c->base = RULE_BYTE_DEC;
        else if (strcmp(word, "oct") == 0)
            c->base = RULE_BYTE_OCT;
        else if (strcmp(word, "bitmask") == 0) {
            uint32_t m;
            if (rule_parse_u32(arg, &m) < 0 || m == 0)
                return kw_fail(st, kw, "bad bitmask '%s'", arg);
            c->bitmask = m;
        } else
            return kw_fail(st, kw, "unknown option '%s'", word);
    }
    if (string && c->base == RULE_BYTE_BINARY)
        c->base = RULE_BYTE_DEC;
    if (!string && c->base != RULE_BYTE_BINARY)
        return kw_fail(st, kw, "hex/dec/oct need 'string'");
    if (string && c->nbytes > 10)
        return kw_fail(st, kw, "a string number has at most 10 bytes");
    if (!string && c->nbytes > 4 && !(c->nbytes == 8 && st->dialect == 3))
        return kw_fail(st, kw, "cannot convert %u binary bytes (1..4)",
                       c->nbytes);
    c->buffer = kw_cur_buffer(st, c->relative);
    return 0;
}

static int byte_nbytes(kw_state_t *st, rule_kw_t kw, const char *s,
                       rule_byte_common_t *c)
{
    uint32_t n;
    if (rule_parse_u32(s, &n) < 0 || n < 1 || n > 10)
        return kw_fail(st, kw, "byte count '%s' is not 1..10", s);
    c->nbytes = (uint8_t)n;
    return 0;
}

static int byte_test_op(kw_state_t *st, rule_kw_t kw, const char *s,
                        rule_byte_test_t *bt)
{
    if (*s == '!') {
        bt->negated = true;
        s++;
        if (*s == '\0') { /* a lone ! is "not equal" */
            bt->op = RULE_BYTE_EQ;
            return 0;
        }
    }
    if (strcmp(s, "<") == 0)
        bt->op = RULE_BYTE_LT;
    else if (strcmp(s, ">") == 0)
        bt->op = RULE_BYTE_GT;
    else if (strcmp(s, "=") == 0)
        bt->op = RULE_BYTE_EQ;
    else if (strcmp(s, "<=") == 0)
        bt->op = RULE_BYTE_LE;
    else if (strcmp(s, ">=") == 0)
        bt->op = RULE_BYTE_GE;
    else if (strcmp(s, "&") == 0)
        bt->op = RULE_BYTE_AND;
    else if (strcmp(s, "^") == 0)
        bt->op = RULE_BYTE_XOR;
    else if (strcmp(s, "!=") == 0 && !bt->negated) {
        bt->op = RULE_BYTE_EQ;
        bt->negated = true;
    } else
        return kw_fail(st, kw, "unknown operator '%s'", s);
    return 0;
}

int kw_byte_test(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *items[16];
    int n = rule_split(value, ',', items, 16);
    if (n < 4)
        return kw_fail(st, kw, "needs bytes, operator, value, offset");
    rule_byte_test_t bt;
    memset(&bt, 0, sizeof(bt));
    if (byte_nbytes(st, kw, items[0], &bt.c) < 0 ||
        byte_test_op(st, kw, items[1], &bt) < 0 ||
        kw_num_or_var(st, kw, items[2], 0, UINT32_MAX, &bt.value) < 0 ||
        kw_num_or_var(st, kw, items[3], -BYTE_MAX_OFFSET, BYTE_MAX_OFFSET,
                      &bt.c.offset) < 0 ||
        byte_flags(st, kw, &bt.c, items, 4, n, NULL, NULL) < 0)
        return -1;
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.byte_test = bt;
    return 0;
}

static int byte_jump_extra(kw_state_t *st, rule_kw_t kw, void *opt,
                           const char *word, const char *arg, bool *used)
{
    rule_byte_jump_t *bj = opt;
    *used = true;
    if (strcmp(word, "multiplier") == 0) {
        if (rule_parse_u32(arg, &bj->multiplier) < 0 || bj->multiplier == 0 ||
            bj->multiplier > 65535)
            return kw_fail(st, kw, "bad multiplier '%s'", arg);
    } else if (strcmp(word, "post_offset") == 0) {
        if (rule_parse_i32(arg, &bj->post_offset) < 0 ||
            bj->post_offset < -BYTE_MAX_OFFSET ||
            bj->post_offset > BYTE_MAX_OFFSET)
            return kw_fail(st, kw, "bad post_offset '%s'", arg);
    } else if (*arg != '\0') {
        *used = false;
    } else if (strcmp(word, "align") == 0) {
        bj->align = true;
    } else if (strcmp(word, "from_beginning") == 0) {
        bj->from_beginning = true;
    } else if (strcmp(word, "from_end") == 0) {
        bj->from_end = true;
    } else {
        *used = false;
    }
    return 0;
}

int kw_byte_jump(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *items[16];
    int n = rule_split(value, ',', items, 16);
    if (n < 2)
        return kw_fail(st, kw, "needs bytes, offset");
    rule_byte_jump_t bj;
    memset(&bj, 0, sizeof(bj));
    bj.multiplier = 1;
    if (byte_nbytes(st, kw, items[0], &bj.c) < 0 ||
        kw_num_or_var(st, kw, items[1], -BYTE_MAX_OFFSET, BYTE_MAX_OFFSET,
                      &bj.c.offset) < 0 ||
        byte_flags(st, kw, &bj.c, items, 2, n, byte_jump_extra, &bj) < 0)
        return -1;
    if (bj.from_beginning && bj.from_end)
        return kw_fail(st, kw, "from_beginning with from_end");
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.byte_jump = bj;
    return 0;
}

static int byte_extract_extra(kw_state_t *st, rule_kw_t kw, void *opt,
                              const char *word, const char *arg, bool *used)
{
    rule_byte_extract_t *be = opt;
    *used = true;
    if (strcmp(word, "multiplier") == 0) {
        if (rule_parse_u32(arg, &be->multiplier) < 0 || be->multiplier == 0 ||
            be->multiplier > 65535)
            return kw_fail(st, kw, "bad multiplier '%s'", arg);
    } else if (strcmp(word, "align") == 0) {
        uint32_t a;
        if (rule_parse_u32(arg, &a) < 0 || (a != 2 && a != 4))
            return kw_fail(st, kw, "align must be 2 or 4");
        be->align = (uint8_t)a;
    } else {
        *used = false;
    }
    return 0;
}

int kw_byte_extract(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *items[16];
    int n = rule_split(value, ',', items, 16);
    if (n < 3)
        return kw_fail(st, kw, "needs bytes, offset, name");
    rule_byte_extract_t be;
    memset(&be, 0, sizeof(be));
    be.multiplier = 1;
    if (byte_nbytes(st, kw, items[0], &be.c) < 0 ||
        kw_num_or_var(st, kw, items[1], -BYTE_MAX_OFFSET, BYTE_MAX_OFFSET,
                      &be.c.offset) < 0 ||
        byte_flags(st, kw, &be.c, items, 3, n, byte_extract_extra, &be) < 0)
        return -1;
    const char *name = items[2];
    if (!isalpha((unsigned char)*name) && *name != '_')
        return kw_fail(st, kw, "variable name '%s' must start with a letter",
                       name);
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
            return kw_fail(st, kw, "bad variable name '%s'", name);
    rule_t *r = st->rule;
    /* Redefinition reuses the slot: the later extraction overwrites the
     * value at match time, as in Snort. */
    for (uint32_t i = 0; i < r->nbyte_vars; i++) {
        if (strcmp(r->byte_vars[i], name) == 0) {
            be.var = (int8_t)i;
            goto add;
        }
    }
    if (r->nbyte_vars == RULE_MAX_BYTE_VARS)
        return kw_fail(st, kw, "more than %d variables", RULE_MAX_BYTE_VARS);
    if ((r->byte_vars[r->nbyte_vars] = rule_strdup(name)) == NULL)
        return ws_err_set(st->err, "out of memory");
    be.var = (int8_t)r->nbyte_vars++;
add:;
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.byte_extract = be;
    return 0;
}

int kw_isdataat(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *items[4];
    int n = rule_split(value, ',', items, 4);
    if (n < 0)
        return kw_fail(st, kw, "too many arguments");
    rule_isdataat_t d;
    memset(&d, 0, sizeof(d));
    char *sz = items[0];
    if (*sz == '!') {
        d.negated = true;
        sz = rule_trim(sz + 1);
    }
    if (kw_num_or_var(st, kw, sz, 0, BYTE_MAX_OFFSET, &d.size) < 0)
        return -1;
    for (int i = 1; i < n; i++) {
        if (strcmp(items[i], "relative") == 0)
            d.relative = true;
        else if (strcmp(items[i], "rawbytes") == 0)
            d.rawbytes = true;
        else
            return kw_fail(st, kw, "unknown option '%s'", items[i]);
    }
    d.buffer = d.rawbytes ? RULE_BUF_RAW : kw_cur_buffer(st, d.relative);
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.isdataat = d;
    return 0;
}
