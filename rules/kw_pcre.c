/*
 * kw_pcre.c - the pcre keyword: pcre:[!]"/pattern/flags".
 *
 * The pattern is compiled here with PCRE2 (8-bit, no UTF) so a bad regex
 * rejects the rule at load time with PCRE2's message; the compiled code is
 * kept in the option for the matcher to JIT.  Flags:
 *   i s m x A E G      PCRE2 compile options (caseless, dotall, multiline,
 *                      extended, anchored, dollar_endonly, ungreedy)
 *   R                  relative to the end of the previous match
 *   B                  raw bytes;  O  override match limits
 *   U I P H D M C K S Y  Snort 2 buffers: uri, raw uri, client body,
 *                      header, raw header, method, cookie, raw cookie,
 *                      stat code, stat msg
 * Without a buffer flag the pattern applies to the current sticky buffer.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules/kw.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int kw_pcre(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *p = value;
    bool negated = false;
    if (*p == '!') {
        negated = true;
        p = rule_trim(p + 1);
    }
    size_t n = strlen(p);
    if (n < 2 || p[0] != '"' || p[n - 1] != '"')
        return kw_fail(st, kw, "expected a quoted \"/pattern/flags\"");
    p[n - 1] = '\0';
    p++;
    if (*p == 'm' && p[1] != '\0' && !isalnum((unsigned char)p[1]) &&
        p[1] != '/')
        return kw_fail(st, kw, "only /.../ delimiters are supported");
    if (*p == 'm')
        p++;
    if (*p != '/')
        return kw_fail(st, kw, "pattern must start with '/'");
    char *end = strrchr(p, '/');
    if (end == p)
        return kw_fail(st, kw, "pattern has no closing '/'");
    *end = '\0';
    const char *pat = p + 1, *flags = end + 1;

    uint32_t copts = 0, xflags = 0;
    rule_buffer_t buf = st->sticky;
    bool has_buf = false;
    for (const char *f = flags; *f; f++) {
        rule_buffer_t b = RULE_BUF_COUNT;
        switch (*f) {
        case 'i': copts |= PCRE2_CASELESS; break;
        case 's': copts |= PCRE2_DOTALL; break;
        case 'm': copts |= PCRE2_MULTILINE; break;
        case 'x': copts |= PCRE2_EXTENDED; break;
        case 'A': copts |= PCRE2_ANCHORED; break;
        case 'E': copts |= PCRE2_DOLLAR_ENDONLY; break;
        case 'G': copts |= PCRE2_UNGREEDY; break;
        case 'R': xflags |= RULE_PCRE_RELATIVE; break;
        case 'O': xflags |= RULE_PCRE_OVERRIDE; break;
        case 'B': xflags |= RULE_PCRE_RAWBYTES; b = RULE_BUF_RAW; break;
        case 'U': b = RULE_BUF_HTTP_URI; break;
        case 'I': b = RULE_BUF_HTTP_RAW_URI; break;
        case 'P': b = RULE_BUF_HTTP_CLIENT_BODY; break;
        case 'H': b = RULE_BUF_HTTP_HEADER; break;
        case 'D': b = RULE_BUF_HTTP_RAW_HEADER; break;
        case 'M': b = RULE_BUF_HTTP_METHOD; break;
        case 'C': b = RULE_BUF_HTTP_COOKIE; break;
        case 'K': b = RULE_BUF_HTTP_RAW_COOKIE; break;
        case 'S': b = RULE_BUF_HTTP_STAT_CODE; break;
        case 'Y': b = RULE_BUF_HTTP_STAT_MSG; break;
        case ' ': case '\t': continue;
        default:
            return kw_fail(st, kw, "unknown flag '%c'", *f);
        }
        if (b != RULE_BUF_COUNT) {
            if (has_buf && b != buf)
                return kw_fail(st, kw, "more than one buffer flag");
            buf = b;
            has_buf = true;
        }
    }

    int ec;
    PCRE2_SIZE eoff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                     copts, &ec, &eoff, NULL);
    if (code == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof(msg));
        return kw_fail(st, kw, "bad pattern at offset %zu: %s", (size_t)eoff,
                       (const char *)msg);
    }
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL) {
        pcre2_code_free(code);
        return -1;
    }
    rule_pcre_t *pc = &o->u.pcre;
    pc->code = code;
    pc->compile_opts = copts;
    pc->flags = xflags;
    pc->buffer = buf;
    pc->negated = negated;
    pc->pattern = rule_strdup(pat);
    if (pc->pattern == NULL)
        return ws_err_set(st->err, "out of memory");
    st->last_pm = (int)st->rule->nopts - 1;
    return 0;
}
