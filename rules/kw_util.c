/*
 * kw_util.c - argument parsing shared by the keyword families: numbers that
 * may name a byte_extract variable, comparison expressions, quoted strings,
 * and appending options.
 */
#include "rules/kw.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kw_fail(kw_state_t *st, rule_kw_t kw, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ws_err_set(st->err, "%s: %s", rule_kw_name(kw), msg);
}

rule_opt_t *kw_new_opt(kw_state_t *st, rule_kw_t kw)
{
    rule_t *r = st->rule;
    /* capacity is implied by nopts: 4, 8, 16, ... */
    if (r->nopts == 0 || (r->nopts >= 4 && (r->nopts & (r->nopts - 1)) == 0)) {
        uint32_t cap = r->nopts ? r->nopts * 2 : 4;
        rule_opt_t *o = realloc(r->opts, cap * sizeof(*o));
        if (o == NULL) {
            ws_err_set(st->err, "out of memory");
            return NULL;
        }
        r->opts = o;
    }
    rule_opt_t *o = &r->opts[r->nopts++];
    memset(o, 0, sizeof(*o));
    o->kw = kw;
    return o;
}

rule_buffer_t kw_cur_buffer(const kw_state_t *st, bool relative)
{
    if (relative && st->dialect == 2 && st->last_pm >= 0) {
        const rule_opt_t *o = &st->rule->opts[st->last_pm];
        return o->kw == RULE_KW_PCRE ? o->u.pcre.buffer : o->u.content.buffer;
    }
    return st->sticky;
}

rule_content_t *kw_last_content(kw_state_t *st, rule_kw_t kw)
{
    if (st->last_content < 0) {
        kw_fail(st, kw, "needs a preceding content");
        return NULL;
    }
    return &st->rule->opts[st->last_content].u.content;
}

int kw_no_value(kw_state_t *st, rule_kw_t kw, const char *value)
{
    if (value != NULL && *value != '\0')
        return kw_fail(st, kw, "takes no argument");
    return 0;
}

int kw_need_value(kw_state_t *st, rule_kw_t kw, const char *value)
{
    if (value == NULL || *value == '\0')
        return kw_fail(st, kw, "needs an argument");
    return 0;
}

int kw_num_or_var(kw_state_t *st, rule_kw_t kw, const char *s, int64_t min,
                  int64_t max, rule_num_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    out->var = -1;
    if (isalpha((unsigned char)*s) || *s == '_') {
        for (uint32_t i = 0; i < st->rule->nbyte_vars; i++) {
            if (strcmp(st->rule->byte_vars[i], s) == 0) {
                out->var = (int8_t)i;
                out->value = 0;
                return 0;
            }
        }
        return kw_fail(st, kw, "'%s' is not a number nor a byte_extract "
                       "variable", s);
    }
    bool neg = *s == '-';
    uint64_t v;
    if (rule_parse_u64(neg || *s == '+' ? s + 1 : s, UINT32_MAX, &v) < 0)
        return kw_fail(st, kw, "bad number '%s'", s);
    int64_t x = neg ? -(int64_t)v : (int64_t)v;
    if (x < min || x > max)
        return kw_fail(st, kw, "%lld is out of range %lld..%lld",
                       (long long)x, (long long)min, (long long)max);
    out->value = x;
    return 0;
}

static int kw_cmp_num(kw_state_t *st, rule_kw_t kw, const char *s, size_t len,
                      uint32_t max, uint32_t *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf))
        return kw_fail(st, kw, "bad number '%.*s'", (int)len, s);
    memcpy(buf, s, len);
    buf[len] = '\0';
    uint64_t v;
    if (rule_parse_u64(buf, max, &v) < 0)
        return kw_fail(st, kw, "bad number '%s' (0..%u)", rule_trim(buf), max);
    *out = (uint32_t)v;
    return 0;
}

int kw_parse_cmp(kw_state_t *st, rule_kw_t kw, const char *s, uint32_t max,
                 bool dash, rule_cmp_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return kw_fail(st, kw, "needs an argument");
    memset(out, 0, sizeof(*out));

    const char *r = NULL;
    size_t rl = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '<' && s[i + 1] == '>') {
            r = s + i, rl = 2;
            out->op = RULE_CMP_RANGE_EX;
            break;
        }
        if (i + 2 < n && s[i] == '<' && s[i + 1] == '=' && s[i + 2] == '>') {
            r = s + i, rl = 3;
            out->op = RULE_CMP_RANGE_IN;
            break;
        }
    }
    if (r == NULL && dash) {
        const char *d = memchr(s, '-', n);
        if (d != NULL) {
            out->op = RULE_CMP_RANGE_IN;
            size_t l1 = (size_t)(d - s), l2 = n - l1 - 1;
            if (l1 == 0 && l2 == 0)
                return kw_fail(st, kw, "bad range '%.*s'", (int)n, s);
            if (l1 == 0) {
                out->op = RULE_CMP_LE;
                return kw_cmp_num(st, kw, d + 1, l2, max, &out->lo);
            }
            if (l2 == 0) {
                out->op = RULE_CMP_GE;
                return kw_cmp_num(st, kw, s, l1, max, &out->lo);
            }
            r = d, rl = 1;
        }
    }
    if (r != NULL) {
        if (kw_cmp_num(st, kw, s, (size_t)(r - s), max, &out->lo) < 0 ||
            kw_cmp_num(st, kw, r + rl, n - (size_t)(r - s) - rl, max,
                       &out->hi) < 0)
            return -1;
        if (out->lo > out->hi)
            return kw_fail(st, kw, "range '%.*s' has low > high", (int)n, s);
        /* Snort 2's A<>B includes its ends (snort2lua turns it into
         * Snort 3's A<=>B); Snort 3's A<>B excludes them. */
        if (out->op == RULE_CMP_RANGE_EX && st->dialect == 2)
            out->op = RULE_CMP_RANGE_IN;
        return 0;
    }
    size_t skip = 0;
    out->op = RULE_CMP_EQ;
    if (n >= 2 && s[0] == '<' && s[1] == '=')
        out->op = RULE_CMP_LE, skip = 2;
    else if (n >= 2 && s[0] == '>' && s[1] == '=')
        out->op = RULE_CMP_GE, skip = 2;
    else if (n >= 2 && s[0] == '!' && s[1] == '=')
        out->op = RULE_CMP_NE, skip = 2;
    else if (s[0] == '<')
        out->op = RULE_CMP_LT, skip = 1;
    else if (s[0] == '>')
        out->op = RULE_CMP_GT, skip = 1;
    else if (s[0] == '=')
        out->op = RULE_CMP_EQ, skip = 1;
    else if (s[0] == '!')
        out->op = RULE_CMP_NE, skip = 1;
    return kw_cmp_num(st, kw, s + skip, n - skip, max, &out->lo);
}

int kw_unquote(kw_state_t *st, rule_kw_t kw, const char *s, char **out)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    bool quoted = n >= 2 && s[0] == '"' && s[n - 1] == '"';
    if (quoted) {
        s++;
        n -= 2;
    }
    char *d = malloc(n + 1), *w = d;
    if (d == NULL)
        return ws_err_set(st->err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && strchr("\"\\;:", s[i + 1]) != NULL)
            i++;
        else if (quoted && s[i] == '"') {
            free(d);
            return kw_fail(st, kw, "unescaped '\"' inside a quoted string");
        }
        *w++ = s[i];
    }
    *w = '\0';
    *out = d;
    return 0;
}

int kw_add_service(kw_state_t *st, const char *s, size_t len)
{
    rule_t *r = st->rule;
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0)
        return ws_err_set(st->err, "empty service name");
    for (uint32_t i = 0; i < r->nservices; i++)
        if (strncasecmp(r->services[i], s, len) == 0 &&
            r->services[i][len] == '\0')
            return 0;
    char **v = realloc(r->services, (r->nservices + 1) * sizeof(*v));
    if (v == NULL)
        return ws_err_set(st->err, "out of memory");
    r->services = v;
    char *c = rule_strndup(s, len);
    if (c == NULL)
        return ws_err_set(st->err, "out of memory");
    for (char *p = c; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    r->services[r->nservices++] = c;
    return 0;
}

static int kw_bits_letters(kw_state_t *st, rule_kw_t kw, const char *s,
                           const char *chars, const uint8_t *vals,
                           uint8_t *bits, rule_bits_mode_t *mode, bool modes)
{
    for (; *s; s++) {
        if (isspace((unsigned char)*s))
            continue;
        if (modes && (*s == '+' || *s == '*' || *s == '!')) {
            if (*mode != RULE_BITS_EXACT)
                return kw_fail(st, kw, "more than one of + * !");
            *mode = *s == '+' ? RULE_BITS_ALL
                  : *s == '*' ? RULE_BITS_ANY : RULE_BITS_NOT;
            continue;
        }
        const char *c = strchr(chars, toupper((unsigned char)*s));
        if (c == NULL || *s == '\0')
            return kw_fail(st, kw, "unknown flag '%c'", *s);
        *bits |= vals[c - chars];
    }
    return 0;
}

int kw_parse_bits(kw_state_t *st, rule_kw_t kw, char *s, const char *chars,
                  const uint8_t *vals, rule_bits_t *out)
{
    memset(out, 0, sizeof(*out));
    char *comma = strchr(s, ',');
    if (comma != NULL)
        *comma++ = '\0';
    s = rule_trim(s);
    if (*s == '\0')
        return kw_fail(st, kw, "needs flags");
    if (kw_bits_letters(st, kw, s, chars, vals, &out->bits, &out->mode,
                        true) < 0)
        return -1;
    if (comma != NULL) {
        rule_bits_mode_t dummy = RULE_BITS_EXACT;
        if (kw_bits_letters(st, kw, comma, chars, vals, &out->ignore, &dummy,
                            false) < 0)
            return -1;
    }
    return 0;
}
