/*
 * kw_http.c - buffer selection (http_uri, http_header, ..., file_data,
 * pkt_data, raw_data) and the length checks urilen and bufferlen.
 *
 * Snort 2 and Snort 3 read the HTTP buffer keywords differently:
 *   Snort 2: content:"x"; http_uri;    the keyword modifies the content
 *                                      before it (a modifier)
 *   Snort 3: http_uri; content:"x";    the keyword selects the buffer for
 *                                      every later content/pcre/byte_*
 *                                      (a sticky buffer)
 * parse.c decides per rule which dialect it reads (rule_t.dialect).
 * file_data, pkt_data and raw_data are sticky in both dialects.  Only the
 * buffer is recorded here; the HTTP inspection itself comes later.
 */
#include "rules/kw.h"

#include <string.h>

static rule_buffer_t kw_to_buffer(rule_kw_t kw)
{
    switch (kw) {
    case RULE_KW_HTTP_URI: return RULE_BUF_HTTP_URI;
    case RULE_KW_HTTP_RAW_URI: return RULE_BUF_HTTP_RAW_URI;
    case RULE_KW_HTTP_HEADER: return RULE_BUF_HTTP_HEADER;
    case RULE_KW_HTTP_RAW_HEADER: return RULE_BUF_HTTP_RAW_HEADER;
    case RULE_KW_HTTP_METHOD: return RULE_BUF_HTTP_METHOD;
    case RULE_KW_HTTP_COOKIE: return RULE_BUF_HTTP_COOKIE;
    case RULE_KW_HTTP_RAW_COOKIE: return RULE_BUF_HTTP_RAW_COOKIE;
    case RULE_KW_HTTP_CLIENT_BODY: return RULE_BUF_HTTP_CLIENT_BODY;
    case RULE_KW_HTTP_RAW_BODY: return RULE_BUF_HTTP_RAW_BODY;
    case RULE_KW_HTTP_STAT_CODE: return RULE_BUF_HTTP_STAT_CODE;
    case RULE_KW_HTTP_STAT_MSG: return RULE_BUF_HTTP_STAT_MSG;
    case RULE_KW_HTTP_RAW_REQUEST: return RULE_BUF_HTTP_RAW_REQUEST;
    case RULE_KW_HTTP_RAW_STATUS: return RULE_BUF_HTTP_RAW_STATUS;
    case RULE_KW_HTTP_VERSION: return RULE_BUF_HTTP_VERSION;
    case RULE_KW_HTTP_TRUE_IP: return RULE_BUF_HTTP_TRUE_IP;
    case RULE_KW_FILE_DATA: return RULE_BUF_FILE_DATA;
    case RULE_KW_RAW_DATA: return RULE_BUF_RAW;
    default: return RULE_BUF_PKT;
    }
}

/* Keywords that exist only as Snort 3 sticky buffers. */
static bool kw_snort3_only(rule_kw_t kw)
{
    return kw == RULE_KW_HTTP_RAW_REQUEST || kw == RULE_KW_HTTP_RAW_STATUS ||
           kw == RULE_KW_HTTP_VERSION || kw == RULE_KW_HTTP_TRUE_IP ||
           kw == RULE_KW_HTTP_RAW_BODY;
}

bool kw_is_sticky_always(rule_kw_t kw)
{
    return kw == RULE_KW_FILE_DATA || kw == RULE_KW_PKT_DATA ||
           kw == RULE_KW_RAW_DATA;
}

int kw_buffer(kw_state_t *st, rule_kw_t kw, char *value)
{
    rule_buffer_t b = kw_to_buffer(kw);
    if (value != NULL && *value != '\0') {
        /* Snort 2.9 file_data:mime is file_data; Snort 3 field selection
         * (http_header:field x) would widen the match, so refuse it. */
        if (!(kw == RULE_KW_FILE_DATA && strcmp(value, "mime") == 0))
            return kw_fail(st, kw, "option '%s' is not supported", value);
    }
    if (kw_is_sticky_always(kw) || st->dialect == 3) {
        st->sticky = b;
        return 0;
    }
    if (kw_snort3_only(kw))
        return kw_fail(st, kw, "is a Snort 3 sticky buffer");
    rule_content_t *c = kw_last_content(st, kw);
    if (c == NULL)
        return -1;
    if (c->buffer != RULE_BUF_PKT && c->buffer != RULE_BUF_FILE_DATA &&
        c->buffer != b)
        return kw_fail(st, kw, "content already applies to %s",
                       rule_buffer_name(c->buffer));
    if (c->rawbytes)
        return kw_fail(st, kw, "cannot be used with rawbytes");
    c->buffer = b;
    return 0;
}

static int len_common(kw_state_t *st, rule_kw_t kw, char *value,
                      rule_buffer_t buffer)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *items[3];
    int n = rule_split(value, ',', items, 3);
    if (n < 0)
        return kw_fail(st, kw, "too many arguments");
    rule_len_t len;
    memset(&len, 0, sizeof(len));
    len.buffer = buffer;
    if (kw_parse_cmp(st, kw, items[0], 65535, false, &len.cmp) < 0)
        return -1;
    for (int i = 1; i < n; i++) {
        if (kw == RULE_KW_URILEN && strcmp(items[i], "raw") == 0) {
            len.raw = true;
            len.buffer = RULE_BUF_HTTP_RAW_URI;
        } else if (kw == RULE_KW_URILEN && strcmp(items[i], "norm") == 0) {
            len.raw = false;
        } else if (kw == RULE_KW_BUFFERLEN &&
                   strcmp(items[i], "relative") == 0) {
            len.relative = true;
        } else {
            return kw_fail(st, kw, "unknown option '%s'", items[i]);
        }
    }
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.len = len;
    return 0;
}

int kw_urilen(kw_state_t *st, rule_kw_t kw, char *value)
{
    return len_common(st, kw, value, RULE_BUF_HTTP_URI);
}

int kw_bufferlen(kw_state_t *st, rule_kw_t kw, char *value)
{
    return len_common(st, kw, value, st->sticky);
}
