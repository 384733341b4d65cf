/*
 * match_content.c - the payload options: content, pcre, isdataat,
 * byte_test, byte_jump, byte_extract, and the bufferlen/urilen length
 * checks.
 *
 * Each reads the buffer it names (det_buf_select: the packet payload or
 * stream, or an HTTP buffer the caller supplied; "no match" when absent)
 * through a cursor that content, pcre, byte_jump and byte_extract move and
 * that restarts when the buffer changes.  The arithmetic follows
 * Snort 2.9 (sp_pattern_match.c uniSearchReal, sp_byte_*.c, sp_isdata_at.c)
 * and Snort 3 where they agree:
 *   - content: offset/depth count from the buffer start, distance/within
 *     from the cursor; within is measured from cursor + distance; a window
 *     that starts before the buffer is clipped (within/depth shrink by the
 *     overhang); a window smaller than the pattern fails, except that a
 *     negated content then matches when some data remained; a hit moves the
 *     cursor to its end, a negated content never moves it;
 *   - pcre: relative (R) patterns see the buffer from the cursor on, so ^
 *     anchors there; a hit moves the cursor to the match end; PCRE2 errors
 *     (match limit, JIT stack) are "no match" even when negated;
 *   - byte_*: numbers are binary (big/little endian) or strtoul-parsed
 *     strings; a bitmask ANDs then shifts out its trailing zeros; reading
 *     out of bounds fails even when the test is negated.
 * Retries for backtracking use det_search_t: content continues in the same
 * window at the previous hit plus Snort's "max jump" (so overlapping
 * repeats are found), pcre continues at the previous match end.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect/match_int.h"

#include <ctype.h>
#include <string.h>

/* ---- content ---------------------------------------------------------- */

static inline uint8_t det_fold(uint8_t c)
{
    return (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/*
 * The window of a content: *base and *depth.  Returns 1 to search, 0 when
 * the window is too small but a negated content matches (data remained),
 * -1 when the content fails whatever its negation.
 */
static int content_window(const det_match_ctx_t *m, const rule_content_t *c,
                          int64_t *base_out, int64_t *depth_out)
{
    int64_t dlen = m->len, base = 0, depth = dlen, start = 0;
    bool relative = c->has_distance || c->has_within;

    if (relative) {
        int64_t dist = c->has_distance ? det_num(m, &c->distance) : 0;
        int64_t within = c->has_within ? det_num(m, &c->within) : 0;
        base = m->cursor;
        depth = dlen - base;
        if (dist > depth) {
            depth = 0;
        } else if (dist != 0) {
            start = base + dist;
            base += dist;
            depth -= dist;
        }
        if (start < 0) {
            int64_t delta = start + within;
            if (delta < 0)
                return -1;
            base = 0;
            depth = (!c->has_within || delta > dlen) ? dlen : delta;
        } else if (c->has_within && within < depth) {
            depth = within;
        }
    } else if (c->has_offset || c->has_depth) {
        int64_t off = c->has_offset ? det_num(m, &c->offset) : 0;
        int64_t dep = c->has_depth ? det_num(m, &c->depth) : 0;
        if (off > depth) {
            depth = 0;
        } else if (off != 0) {
            start = off;
            base = off;
            depth -= off;
        }
        if (start < 0) {
            int64_t delta = dep + start;
            if (delta < 0)
                return -1;
            base = 0;
            depth = (dep == 0 || delta > dlen) ? dlen : delta;
        } else if (dep != 0 && dep < depth) {
            depth = dep;
        }
    }
    if ((int64_t)c->len > depth) {
        if (c->negated && ((relative && m->cursor == dlen) || depth > 0))
            return 0;
        return -1;
    }
    *base_out = base;
    *depth_out = depth;
    return 1;
}

/* First occurrence of c's pattern in buf[from, end), or -1. */
static int64_t content_find(const uint8_t *buf, int64_t from, int64_t end,
                            const rule_content_t *c)
{
    if (from < 0 || end - from < (int64_t)c->len)
        return -1;
    if (!c->nocase) {
        const uint8_t *h = memmem(buf + from, (size_t)(end - from), c->pat,
                                  c->len);
        return h ? h - buf : -1;
    }
    /* candidates for the first byte come from memchr on both cases;
     * "none" (past the last start) is remembered so a missing case is not
     * searched again */
    uint8_t lo = det_fold(c->pat[0]);
    uint8_t up = (uint8_t)(lo >= 'a' && lo <= 'z' ? lo - 32 : lo);
    int64_t last = end - c->len;
    const uint8_t *none = buf + last + 1, *nl = NULL, *nu = up == lo ? none : NULL;
    for (int64_t i = from; i <= last; i++) {
        const uint8_t *at = buf + i;
        if (nl == NULL || nl < at)
            nl = memchr(at, lo, (size_t)(none - at));
        if (nl == NULL)
            nl = none;
        if (nu == NULL || nu < at)
            nu = memchr(at, up, (size_t)(none - at));
        if (nu == NULL)
            nu = none;
        const uint8_t *h = nl < nu ? nl : nu;
        if (h == none)
            return -1;
        i = h - buf;
        uint32_t k = 1;
        while (k < c->len && det_fold(buf[i + k]) == det_fold(c->pat[k]))
            k++;
        if (k == c->len)
            return i;
    }
    return -1;
}

/* Snort's "max jump size": how far past the start of a hit the next search
 * may begin without missing an overlapping occurrence of a repeating
 * pattern (ABAB -> 2, AAAA -> 1, ABC -> 3). */
static uint32_t content_jump(const rule_content_t *c)
{
    uint32_t j = 0;
    for (uint32_t i = 1; i < c->len; i++) {
        uint8_t a = c->pat[j], b = c->pat[i];
        if (c->nocase) {
            a = det_fold(a);
            b = det_fold(b);
        }
        if (a != b) {
            j = 0;
            continue;
        }
        if (i == c->len - 1)
            return c->len - j - 1;
        j++;
    }
    return c->len;
}

bool det_content_first(det_match_ctx_t *m, const rule_content_t *c,
                       det_search_t *s)
{
    if (DET_UNLIKELY(!det_buf_select(m, c->buffer)))
        return false;
    int64_t base = 0, depth = 0;
    int w = content_window(m, c, &base, &depth);
    if (w <= 0)
        return w == 0;
    int64_t at = content_find(m->buf, base, base + depth, c);
    if (c->negated)
        return at < 0;
    if (at < 0)
        return false;
    s->lo = (uint32_t)base;
    s->hi = (uint32_t)(base + depth);
    s->next = (uint32_t)at;
    m->cursor = (uint32_t)at + c->len;
    return true;
}

bool det_content_next(det_match_ctx_t *m, const rule_content_t *c,
                      det_search_t *s)
{
    if (!det_buf_select(m, c->buffer))
        return false;
    int64_t at = content_find(m->buf, (int64_t)s->next + content_jump(c),
                              s->hi, c);
    if (at < 0)
        return false;
    s->next = (uint32_t)at;
    m->cursor = (uint32_t)at + c->len;
    return true;
}

bool det_kw_content(det_match_ctx_t *m, const rule_opt_t *o)
{
    det_search_t s;
    return det_content_first(m, &o->u.content, &s);
}

/* ---- pcre ------------------------------------------------------------- */

/* Run pc on the subject [s->lo, s->hi) from offset start. */
static bool pcre_run(det_match_ctx_t *m, const rule_pcre_t *pc,
                     det_search_t *s, uint32_t start)
{
    det_matcher_t *mt = m->mt;
    pcre2_match_context *mctx =
        (pc->flags & RULE_PCRE_OVERRIDE) ? mt->mctx_o : mt->mctx;
    int rc = pcre2_match(pc->code, m->buf + s->lo, s->hi - s->lo, start, 0,
                         mt->md, mctx);
    bool matched;
    if (rc >= 0) {
        matched = true;      /* 0: ovector too small, still a match */
    } else if (rc == PCRE2_ERROR_NOMATCH) {
        matched = false;
    } else {
        mt->stats.pcre_errors++;
        return false;
    }
    if (pc->negated)
        return !matched;
    if (!matched)
        return false;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(mt->md);
    if (ov[1] > 0)
        m->cursor = s->lo + (uint32_t)ov[1];
    /* retry at the match end; an empty match must still make progress */
    s->next = (uint32_t)(ov[1] > ov[0] ? ov[1] : ov[1] + 1);
    return true;
}

bool det_pcre_first(det_match_ctx_t *m, const rule_pcre_t *pc,
                    det_search_t *s)
{
    if (DET_UNLIKELY(!det_buf_select(m, pc->buffer)))
        return false;
    s->lo = (pc->flags & RULE_PCRE_RELATIVE) ? m->cursor : 0;
    s->hi = m->len;
    return pcre_run(m, pc, s, 0);
}

bool det_pcre_next(det_match_ctx_t *m, const rule_pcre_t *pc,
                   det_search_t *s)
{
    if (s->next > s->hi - s->lo || !det_buf_select(m, pc->buffer))
        return false;
    return pcre_run(m, pc, s, s->next);
}

/* Snort does not retry a negated pcre nor one anchored to its start
 * (A flag or a leading ^ without m). */
bool det_pcre_retryable(const rule_pcre_t *pc)
{
    uint32_t opts = 0;
    if (pc->negated)
        return false;
    if (pcre2_pattern_info(pc->code, PCRE2_INFO_ALLOPTIONS, &opts) != 0)
        return false;
    return !((opts & PCRE2_ANCHORED) && !(opts & PCRE2_MULTILINE));
}

bool det_kw_pcre(det_match_ctx_t *m, const rule_opt_t *o)
{
    det_search_t s;
    return det_pcre_first(m, &o->u.pcre, &s);
}

/* ---- isdataat, bufferlen ----------------------------------------------- */

bool det_kw_isdataat(det_match_ctx_t *m, const rule_opt_t *o)
{
    const rule_isdataat_t *d = &o->u.isdataat;
    if (DET_UNLIKELY(!det_buf_select(m, d->buffer)))
        return false;
    int64_t pos = det_num(m, &d->size) + (d->relative ? m->cursor : 0);
    bool there = pos >= 0 && pos < (int64_t)m->len;
    return d->negated ? !there : there;
}

/* urilen: the length of the normalized (or, with raw, the raw) URI; it
 * neither selects the buffer nor moves the cursor.  bufferlen: the length
 * of its buffer, or what is left of it after the cursor (relative). */
bool det_kw_len(det_match_ctx_t *m, const rule_opt_t *o)
{
    const rule_len_t *l = &o->u.len;
    if (o->kw == RULE_KW_URILEN) {
        const uint8_t *p;
        uint32_t n;
        rule_buffer_t b = l->raw ? RULE_BUF_HTTP_RAW_URI : RULE_BUF_HTTP_URI;
        if (!det_buf_get(m, b, &p, &n)) {
            m->mt->stats.http_waiting++;
            return false;
        }
        return det_cmp(&l->cmp, n);
    }
    if (!det_buf_select(m, l->buffer))
        return false;
    uint32_t n = l->relative ? m->len - m->cursor : m->len;
    return det_cmp(&l->cmp, n);
}

/* ---- byte_test, byte_jump, byte_extract ---------------------------------- */

static int digit_of(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = det_fold(ch);
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 10;
    return 99;
}

/*
 * strtoul() over n bytes as a C string (an embedded NUL ends it): leading
 * white space, a sign, 0x for hex.  Returns the characters consumed, or -1
 * when no digit was read.  Overflow saturates to ULONG_MAX; the value is
 * then truncated to 32 bits, as Snort stores it.
 */
static int str_number(const uint8_t *s, uint32_t n, int base, uint32_t *out)
{
    uint32_t i = 0;
    bool neg = false, any = false, ovf = false;
    uint64_t v = 0;

    while (i < n && s[i] != '\0' && isspace(s[i]))
        i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (base == 16 && i + 2 < n && s[i] == '0' && det_fold(s[i + 1]) == 'x' &&
        digit_of(s[i + 2]) < 16)
        i += 2;
    for (; i < n; i++) {
        int d = digit_of(s[i]);
        if (d >= base)
            break;
        any = true;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            ovf = true;
        else
            v = v * (uint64_t)base + (uint64_t)d;
    }
    if (!any)
        return -1;
    if (ovf)
        v = UINT64_MAX;
    else if (neg)
        v = (uint64_t)0 - v;
    *out = (uint32_t)v;
    return (int)i;
}

/*
 * Read the number a byte_* option describes at absolute position pos.
 * Returns the bytes consumed (binary: nbytes; string: characters parsed)
 * or -1 when out of bounds, unparsable, or DCE byte order (no DCE/RPC
 * inspection: Snort fails such options without DCE state).
 */
static int byte_read(const det_match_ctx_t *m, const rule_byte_common_t *c,
                     int64_t pos, uint32_t *val)
{
    if (pos < 0 || pos + c->nbytes > (int64_t)m->len)
        return -1;
    const uint8_t *b = m->buf + pos;
    int got;
    if (c->base != RULE_BYTE_BINARY) {
        got = str_number(b, c->nbytes, (int)c->base, val);
        if (got < 0)
            return -1;
    } else {
        uint64_t v = 0;
        if (c->endian == RULE_ENDIAN_DCE)
            return -1;
        if (c->endian == RULE_ENDIAN_LITTLE)
            for (int i = c->nbytes - 1; i >= 0; i--)
                v = v << 8 | b[i];
        else
            for (int i = 0; i < c->nbytes; i++)
                v = v << 8 | b[i];
        *val = (uint32_t)v;
        got = c->nbytes;
    }
    if (c->bitmask != 0) {
        *val &= c->bitmask;
        if (*val != 0)
            *val >>= __builtin_ctz(c->bitmask);
    }
    return got;
}

static inline int64_t byte_pos(const det_match_ctx_t *m,
                               const rule_byte_common_t *c)
{
    return det_num(m, &c->offset) + (c->relative ? m->cursor : 0);
}

/* Select the option's buffer; true when it is missing (the option fails). */
static bool byte_http(det_match_ctx_t *m, const rule_byte_common_t *c)
{
    return !det_buf_select(m, c->buffer);
}

bool det_kw_byte_test(det_match_ctx_t *m, const rule_opt_t *o)
{
    const rule_byte_test_t *bt = &o->u.byte_test;
    uint32_t v;
    if (byte_http(m, &bt->c) || byte_read(m, &bt->c, byte_pos(m, &bt->c), &v) < 0)
        return false;
    uint32_t x = (uint32_t)det_num(m, &bt->value);
    bool ok;
    switch (bt->op) {
    case RULE_BYTE_LT:  ok = v < x; break;
    case RULE_BYTE_GT:  ok = v > x; break;
    case RULE_BYTE_EQ:  ok = v == x; break;
    case RULE_BYTE_LE:  ok = v <= x; break;
    case RULE_BYTE_GE:  ok = v >= x; break;
    case RULE_BYTE_AND: ok = (v & x) != 0; break;
    case RULE_BYTE_XOR: ok = (v ^ x) != 0; break;
    default:            ok = false; break;
    }
    return bt->negated ? !ok : ok;
}

bool det_kw_byte_jump(det_match_ctx_t *m, const rule_opt_t *o)
{
    const rule_byte_jump_t *bj = &o->u.byte_jump;
    if (byte_http(m, &bj->c))
        return false;
    int64_t pos = byte_pos(m, &bj->c);
    uint32_t v;
    int got = byte_read(m, &bj->c, pos, &v);
    if (got < 0)
        return false;
    uint32_t jump = v * bj->multiplier;   /* 32-bit, as in Snort */
    if (bj->align && (jump % 4) != 0)
        jump += 4 - jump % 4;
    int64_t to;
    if (bj->from_beginning)
        to = jump;
    else if (bj->from_end)
        to = (int64_t)m->len + jump;
    else
        to = pos + got + jump;
    to += bj->post_offset;
    if (to < 0 || to > (int64_t)m->len)   /* the end itself is allowed */
        return false;
    m->cursor = (uint32_t)to;
    return true;
}

bool det_kw_byte_extract(det_match_ctx_t *m, const rule_opt_t *o)
{
    const rule_byte_extract_t *be = &o->u.byte_extract;
    if (byte_http(m, &be->c))
        return false;
    int64_t pos = byte_pos(m, &be->c);
    uint32_t v;
    int got = byte_read(m, &be->c, pos, &v);
    if (got < 0)
        return false;
    v *= be->multiplier;
    if (be->align && (v % be->align) != 0)
        v += be->align - v % be->align;
    if (be->var >= 0 && be->var < RULE_MAX_BYTE_VARS)
        m->vars[be->var] = v;
    m->cursor = (uint32_t)(pos + got);
    return true;
}
