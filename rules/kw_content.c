/*
 * kw_content.c - content, uricontent and their modifiers: nocase, rawbytes,
 * offset, depth, distance, within, fast_pattern.
 *
 * The pattern is decoded once into bytes: text between |pipes| is hex
 * (spaces allowed between bytes), and outside them \" \\ \; \: are the only
 * escapes, as in Snort.  Modifiers come either as separate options after
 * the content (Snort 2: content:"x"; nocase; depth:5;) or inline after the
 * string (Snort 3: content:"x",nocase,depth 5;); both paths end in
 * content_apply so the checks are the same.  offset/depth/distance/within
 * may name a byte_extract variable.
 */
#include "rules/kw.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CONTENT_MAX_POS 65535

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode the quoted pattern at *pp into c->pat; *pp ends past the quote. */
static int content_decode(kw_state_t *st, rule_kw_t kw, const char **pp,
                          rule_content_t *c)
{
    const char *p = *pp;
    if (*p != '"')
        return kw_fail(st, kw, "pattern must be a quoted string");
    p++;
    size_t cap = strlen(p);
    uint8_t *out = malloc(cap ? cap : 1);
    if (out == NULL)
        return ws_err_set(st->err, "out of memory");
    size_t n = 0;
    bool hex = false;
    int nib = -1;
    for (;; p++) {
        if (*p == '\0') {
            free(out);
            return kw_fail(st, kw, "unterminated string");
        }
        if (hex) {
            if (*p == '|') {
                if (nib >= 0)
                    goto badhex;
                hex = false;
            } else if (isspace((unsigned char)*p)) {
                continue; /* Snort 2 accepts "|3 a20|": spaces anywhere */
            } else {
                int v = hexval((unsigned char)*p);
                if (v < 0)
                    goto badhex;
                if (nib < 0) {
                    nib = v;
                } else {
                    out[n++] = (uint8_t)(nib << 4 | v);
                    nib = -1;
                }
            }
            continue;
        }
        if (*p == '"')
            break;
        if (*p == '|') {
            hex = true;
            continue;
        }
        if (*p == '\\') {
            if (p[1] == '\0' || strchr("\"\\;:", p[1]) == NULL) {
                free(out);
                return kw_fail(st, kw, "bad escape sequence '\\%c'",
                               p[1] ? p[1] : ' ');
            }
            p++;
        }
        out[n++] = (uint8_t)*p;
    }
    if (hex)
        goto badhex;
    *pp = p + 1;
    if (n == 0) {
        free(out);
        return kw_fail(st, kw, "empty pattern");
    }
    c->pat = out;
    c->len = (uint32_t)n;
    return 0;
badhex:
    free(out);
    return kw_fail(st, kw, "bad hex in pattern");
}

/* Apply modifier kw with argument arg (may be NULL) to content c. */
static int content_apply(kw_state_t *st, rule_content_t *c, rule_kw_t kw,
                         char *arg)
{
    rule_num_t *num = NULL;
    bool *has = NULL;
    int64_t min = -CONTENT_MAX_POS;
    switch (kw) {
    case RULE_KW_NOCASE:
        if (kw_no_value(st, kw, arg) < 0)
            return -1;
        c->nocase = true;
        return 0;
    case RULE_KW_RAWBYTES:
        if (kw_no_value(st, kw, arg) < 0)
            return -1;
        c->rawbytes = true;
        return 0;
    case RULE_KW_FAST_PATTERN:
        if (st->seen_fast_pattern)
            return kw_fail(st, kw, "only one content may be the fast pattern");
        st->seen_fast_pattern = true;
        c->fast_pattern = true;
        if (arg == NULL || *arg == '\0')
            return 0;
        if (rule_word_eq(arg, "only")) {
            if (c->negated)
                return kw_fail(st, kw, "'only' on a negated content");
            c->fp_only = true;
            return 0;
        }
        {
            char *items[3];
            uint32_t o, l;
            if (rule_split(arg, ',', items, 2) != 2 ||
                rule_parse_u32(items[0], &o) < 0 ||
                rule_parse_u32(items[1], &l) < 0 || l == 0 ||
                (uint64_t)o + l > c->len)
                return kw_fail(st, kw, "bad argument (only, or offset,length "
                               "within the pattern)");
            c->fp_part = true;
            c->fp_offset = (uint16_t)o;
            c->fp_length = (uint16_t)l;
        }
        return 0;
    case RULE_KW_OFFSET:
        num = &c->offset, has = &c->has_offset;
        break;
    case RULE_KW_DEPTH:
        num = &c->depth, has = &c->has_depth, min = 1;
        break;
    case RULE_KW_DISTANCE:
        num = &c->distance, has = &c->has_distance;
        break;
    case RULE_KW_WITHIN:
        num = &c->within, has = &c->has_within, min = 1;
        break;
    default:
        return kw_fail(st, kw, "is not a content modifier");
    }
    if (kw_need_value(st, kw, arg) < 0)
        return -1;
    if (*has)
        return kw_fail(st, kw, "given twice for one content");
    if (kw_num_or_var(st, kw, arg, min, CONTENT_MAX_POS, num) < 0)
        return -1;
    if (num->var < 0 && (kw == RULE_KW_DEPTH || kw == RULE_KW_WITHIN) &&
        num->value < (int64_t)c->len)
        return kw_fail(st, kw, "%lld is less than the pattern length %u",
                       (long long)num->value, c->len);
    *has = true;
    return 0;
}

/* Snort 3 inline modifiers: ",nocase,depth 5,fast_pattern". */
static int content_inline(kw_state_t *st, rule_content_t *c, char *rest)
{
    char *items[32];
    int n = rule_split(rest, ',', items, 32);
    if (n < 0)
        return kw_fail(st, RULE_KW_CONTENT, "too many modifiers");
    for (int i = 1; i < n; i++) { /* items[0] is what preceded the comma */
        char *name = items[i], *arg = name;
        while (*arg && !isspace((unsigned char)*arg))
            arg++;
        if (*arg)
            *arg++ = '\0';
        arg = rule_trim(arg);
        if (*arg == '\0')
            arg = NULL;
        if (strcmp(name, "fast_pattern_offset") == 0 ||
            strcmp(name, "fast_pattern_length") == 0) {
            uint32_t v;
            if (arg == NULL || rule_parse_u32(arg, &v) < 0 || v > 65535)
                return kw_fail(st, RULE_KW_CONTENT, "bad %s", name);
            c->fp_part = true;
            if (name[13] == 'o')
                c->fp_offset = (uint16_t)v;
            else
                c->fp_length = (uint16_t)v;
            continue;
        }
        int k = kw_lookup(name, strlen(name));
        if (k != RULE_KW_NOCASE && k != RULE_KW_OFFSET && k != RULE_KW_DEPTH &&
            k != RULE_KW_DISTANCE && k != RULE_KW_WITHIN &&
            k != RULE_KW_FAST_PATTERN && k != RULE_KW_RAWBYTES)
            return kw_fail(st, RULE_KW_CONTENT, "unknown modifier '%s'", name);
        if (content_apply(st, c, (rule_kw_t)k, arg) < 0)
            return -1;
    }
    if (c->fp_part &&
        (c->fp_length == 0 || (uint32_t)c->fp_offset + c->fp_length > c->len))
        return kw_fail(st, RULE_KW_CONTENT, "fast pattern part outside the "
                       "pattern");
    return 0;
}

static int content_common(kw_state_t *st, rule_kw_t kw, char *value,
                          rule_buffer_t buffer)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    rule_content_t *c = &o->u.content;
    c->buffer = buffer;
    c->offset.var = c->depth.var = c->distance.var = c->within.var = -1;
    const char *p = value;
    if (*p == '!') {
        c->negated = true;
        p++;
        while (isspace((unsigned char)*p))
            p++;
    }
    if (content_decode(st, kw, &p, c) < 0)
        return -1;
    st->last_content = (int)st->rule->nopts - 1;
    st->last_pm = st->last_content;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0')
        return 0;
    if (*p != ',')
        return kw_fail(st, kw, "unexpected text after the pattern: '%s'", p);
    char *rest = value + (p - value);
    rest[-1] = ' '; /* rule_split needs an item before the first comma */
    return content_inline(st, c, rest - 1);
}

int kw_content(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_common(st, kw, value, st->sticky);
}

int kw_uricontent(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_common(st, kw, value, RULE_BUF_HTTP_URI);
}

static int content_modifier(kw_state_t *st, rule_kw_t kw, char *value)
{
    rule_content_t *c = kw_last_content(st, kw);
    if (c == NULL)
        return -1;
    return content_apply(st, c, kw, value);
}

int kw_nocase(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_modifier(st, kw, value);
}

int kw_rawbytes(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_modifier(st, kw, value);
}

int kw_offset(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_modifier(st, kw, value);
}

int kw_depth(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_modifier(st, kw, value);
}

int kw_distance(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_modifier(st, kw, value);
}

int kw_within(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_modifier(st, kw, value);
}

int kw_fast_pattern(kw_state_t *st, rule_kw_t kw, char *value)
{
    return content_modifier(st, kw, value);
}
