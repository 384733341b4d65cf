/*
 * http_hdr.c - a complete HTTP/1.x header section (start line, header
 * lines, empty line; held in det_http_dir_t.hdr exactly as received) turned
 * into the header inspection buffers and the facts that frame the body.
 *
 * Slices point into hdr for everything kept as on the wire (method, raw
 * URI, version, status code and message, raw request/status line, raw
 * header section); the normalized URI, http_header (Cookie / Set-Cookie
 * lines left out, obsolete line folding joined with one space) and
 * http_cookie (the values, joined with "; ") are built in their own
 * buffers, each bounded by the header section's size.  Lines end at LF; a
 * CR before it is part of the line end.  Framing follows RFC 7230 3.3.3:
 * Transfer-Encoding wins over Content-Length; two different Content-Length
 * values are an error.  Header lines past max_headers stay in
 * http_raw_header but not in http_header or http_cookie; framing headers
 * are honoured wherever they are, so padding cannot desynchronise us.
 */
#include "detect/http_int.h"

#include <string.h>
#include <strings.h>

/* A line of hdr: [off, off + len) without its line end, next = after LF. */
typedef struct hline {
    uint32_t off, len, next;
} hline_t;

static bool next_line(const det_hbuf_t *h, uint32_t from, hline_t *l)
{
    if (from >= h->len)
        return false;
    const uint8_t *lf = memchr(h->p + from, '\n', h->len - from);
    uint32_t end = lf != NULL ? (uint32_t)(lf - h->p) : h->len;
    l->off = from;
    l->next = lf != NULL ? end + 1 : end;
    if (end > from && h->p[end - 1] == '\r')
        end--;
    l->len = end - from;
    return true;
}

static inline bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static void trim(const uint8_t *p, uint32_t *off, uint32_t *len)
{
    while (*len > 0 && is_ows(p[*off])) {
        (*off)++;
        (*len)--;
    }
    while (*len > 0 && is_ows(p[*off + *len - 1]))
        (*len)--;
}

static det_slice_t slice(uint32_t off, uint32_t len)
{
    return (det_slice_t){ .off = off, .len = len, .set = true };
}

/* The last comma-separated token of v[0, n), trimmed. */
static void last_token(const uint8_t *v, uint32_t n, uint32_t *off,
                       uint32_t *len, bool *several)
{
    uint32_t start = 0;
    *several = false;
    for (uint32_t i = 0; i < n; i++)
        if (v[i] == ',') {
            start = i + 1;
            *several = true;
        }
    *off = start;
    *len = n - start;
    trim(v, off, len);
}

static bool tok_is(const uint8_t *p, uint32_t n, const char *s)
{
    return strlen(s) == n && strncasecmp((const char *)p, s, n) == 0;
}

/* ---- start lines ---------------------------------------------------------- */

static int parse_request_line(det_http_dir_t *d, const hline_t *l,
                              const det_http_limits_t *lim)
{
    const uint8_t *p = d->hdr.p + l->off;
    uint32_t n = l->len, i = 0;
    while (i < n && p[i] > ' ' && p[i] < 0x7f)
        i++;
    if (i == 0 || i == n || p[i] != ' ')
        return -1;
    d->method = slice(l->off, i);
    uint32_t t = i;
    while (t < n && is_ows(p[t]))
        t++;
    uint32_t v = n;                       /* the version follows the last SP */
    while (v > t && p[v - 1] != ' ')
        v--;
    if (v <= t || n - v < 8 || memcmp(p + v, "HTTP/", 5) != 0)
        return -1;                        /* HTTP/0.9 or garbage */
    uint32_t te = v - 1;
    while (te > t && is_ows(p[te - 1]))
        te--;
    if (te == t)
        return -1;
    d->target = slice(l->off + t, te - t);
    d->version = slice(l->off + v, n - v);
    d->start = slice(l->off, n);
    if (!det_hbuf_reserve(&d->uri, d->target.len, lim->max_header_bytes))
        return -1;
    d->uri.len = det_http_uri_normalize(d->hdr.p + d->target.off,
                                        d->target.len, d->uri.p);
    return 0;
}

static int parse_status_line(det_http_dir_t *d, const hline_t *l,
                             det_http_frame_t *fr)
{
    const uint8_t *p = d->hdr.p + l->off;
    uint32_t n = l->len, i = 0;
    if (n < 12 || memcmp(p, "HTTP/", 5) != 0)
        return -1;
    while (i < n && p[i] != ' ')
        i++;
    d->version = slice(l->off, i);
    while (i < n && p[i] == ' ')
        i++;
    if (i + 3 > n)
        return -1;
    uint16_t code = 0;
    for (uint32_t k = 0; k < 3; k++) {
        if (p[i + k] < '0' || p[i + k] > '9')
            return -1;
        code = (uint16_t)(code * 10 + (p[i + k] - '0'));
    }
    if (i + 3 < n && p[i + 3] != ' ')
        return -1;
    d->code = slice(l->off + i, 3);
    uint32_t m = i + 3 < n ? i + 4 : n;
    d->msg = slice(l->off + m, n - m);
    d->start = slice(l->off, n);
    fr->status = code;
    return 0;
}

/* ---- header lines ------------------------------------------------------- */

static void content_length(const uint8_t *v, uint32_t n, det_http_frame_t *fr)
{
    uint64_t x = 0;
    if (n == 0 || n > 18) {
        fr->bad_cl = true;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') {
            fr->bad_cl = true;
            return;
        }
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    if (fr->has_cl && fr->cl != x)
        fr->bad_cl = true;
    fr->has_cl = true;
    fr->cl = x;
}

static void framing_header(det_http_dir_t *d, const uint8_t *name,
                           uint32_t nlen, uint32_t voff, uint32_t vlen,
                           det_http_frame_t *fr)
{
    const uint8_t *v = d->hdr.p + voff;
    uint32_t to, tl;
    bool several;
    if (tok_is(name, nlen, "content-length")) {
        content_length(v, vlen, fr);
    } else if (tok_is(name, nlen, "transfer-encoding")) {
        last_token(v, vlen, &to, &tl, &several);
        fr->chunked = tok_is(v + to, tl, "chunked");
        fr->te_other = !fr->chunked && vlen > 0;
    } else if (tok_is(name, nlen, "content-encoding")) {
        last_token(v, vlen, &to, &tl, &several);
        fr->coding = DET_HC_NONE;
        if (several)
            return;                       /* stacked codings: not decoded */
        if (tok_is(v + to, tl, "gzip") || tok_is(v + to, tl, "x-gzip"))
            fr->coding = DET_HC_GZIP;
        else if (tok_is(v + to, tl, "deflate"))
            fr->coding = DET_HC_DEFLATE;
    } else if ((tok_is(name, nlen, "x-forwarded-for") ||
                tok_is(name, nlen, "true-client-ip")) && !d->true_ip.set) {
        d->true_ip = slice(voff, vlen);
    }
}

static bool put(det_hbuf_t *b, const void *p, uint32_t n, uint32_t cap)
{
    return det_hbuf_put(b, p, n, cap) == n;
}

/*
 * Header lines from `from` to the empty line.  `cookie_name` is Cookie or
 * Set-Cookie.  Continuation lines (leading SP/HT) join the line before them
 * in http_header / http_cookie.
 */
static int parse_fields(det_http_dir_t *d, uint32_t from,
                        const det_http_limits_t *lim, det_http_frame_t *fr)
{
    const char *cookie_name = d->to_server ? "cookie" : "set-cookie";
    uint32_t cap = lim->max_header_bytes, nfields = 0;
    enum { PREV_NONE, PREV_HEADER, PREV_COOKIE, PREV_DROPPED } prev = PREV_NONE;
    hline_t l;
    uint32_t raw_end = from;

    while (next_line(&d->hdr, from, &l) && l.len > 0) {
        const uint8_t *p = d->hdr.p + l.off;
        uint32_t eol = l.next - (l.off + l.len);     /* CRLF or LF */
        from = l.next;
        raw_end = l.next;
        if (is_ows(p[0])) {                           /* obs-fold */
            uint32_t o = l.off, n = l.len;
            trim(d->hdr.p, &o, &n);
            if (prev == PREV_HEADER) {
                /* replace the previous line end with one space */
                while (d->hnorm.len > 0 &&
                       (d->hnorm.p[d->hnorm.len - 1] == '\n' ||
                        d->hnorm.p[d->hnorm.len - 1] == '\r'))
                    d->hnorm.len--;
                if (!put(&d->hnorm, " ", 1, cap) ||
                    !put(&d->hnorm, d->hdr.p + o, n, cap) ||
                    !put(&d->hnorm, p + l.len, eol, cap))
                    return -1;
            } else if (prev == PREV_COOKIE) {
                if (!put(&d->cookie, " ", 1, cap) ||
                    !put(&d->cookie, d->hdr.p + o, n, cap))
                    return -1;
            } else if (prev == PREV_NONE) {
                fr->anomaly = true;
            }
            continue;
        }
        const uint8_t *colon = memchr(p, ':', l.len);
        uint32_t nlen = colon != NULL ? (uint32_t)(colon - p) : 0;
        while (nlen > 0 && is_ows(p[nlen - 1]))
            nlen--;
        uint32_t voff = 0, vlen = 0;
        if (colon == NULL || nlen == 0) {
            fr->anomaly = true;
        } else {
            voff = l.off + (uint32_t)(colon - p) + 1;
            vlen = l.off + l.len - voff;
            trim(d->hdr.p, &voff, &vlen);
            framing_header(d, p, nlen, voff, vlen, fr);
        }
        if (++nfields > lim->max_headers) {
            fr->too_many = true;
            prev = PREV_DROPPED;
            continue;
        }
        if (colon != NULL && tok_is(p, nlen, cookie_name)) {
            if (d->cookie_set && !put(&d->cookie, "; ", 2, cap))
                return -1;
            if (!det_hbuf_reserve(&d->cookie, d->cookie.len + vlen + 1, cap) ||
                !put(&d->cookie, d->hdr.p + voff, vlen, cap))
                return -1;
            d->cookie_set = true;
            prev = PREV_COOKIE;
            continue;
        }
        if (!put(&d->hnorm, p, l.len + eol, cap))
            return -1;
        prev = PREV_HEADER;
    }
    return (int)raw_end;
}

int det_http_parse_head(det_http_dir_t *d, const det_http_limits_t *lim,
                        det_http_frame_t *fr)
{
    hline_t l;
    memset(fr, 0, sizeof(*fr));
    d->method = d->target = d->version = d->code = d->msg = d->start =
        d->raw_header = d->true_ip = (det_slice_t){ 0, 0, false };
    d->uri.len = d->hnorm.len = d->cookie.len = 0;
    d->cookie_set = false;
    if (!next_line(&d->hdr, 0, &l))
        return -1;
    int rc = d->to_server ? parse_request_line(d, &l, lim)
                          : parse_status_line(d, &l, fr);
    if (rc < 0)
        return -1;
    /* hnorm is never longer than the section; reserve it once */
    if (!det_hbuf_reserve(&d->hnorm, d->hdr.len, lim->max_header_bytes))
        return -1;
    if (d->hnorm.p == NULL && !det_hbuf_reserve(&d->hnorm, 1, 1))
        return -1;
    int end = parse_fields(d, l.next, lim, fr);
    if (end < 0)
        return -1;
    d->raw_header = slice(l.next, (uint32_t)end - l.next);
    return 0;
}

static void set_buf(det_http_tx_t *tx, rule_buffer_t b, const uint8_t *p,
                    uint32_t n)
{
    tx->buf[b] = p;
    tx->len[b] = n;
}

static void set_slice(det_http_tx_t *tx, rule_buffer_t b,
                      const det_http_dir_t *d, det_slice_t s)
{
    if (s.set)
        set_buf(tx, b, d->hdr.p + s.off, s.len);
}

void det_http_head_bufs(const det_http_dir_t *d, det_http_tx_t *tx)
{
    static const uint8_t none[1];
    set_buf(tx, RULE_BUF_HTTP_HEADER, d->hnorm.p ? d->hnorm.p : none,
            d->hnorm.len);
    set_slice(tx, RULE_BUF_HTTP_RAW_HEADER, d, d->raw_header);
    set_slice(tx, RULE_BUF_HTTP_VERSION, d, d->version);
    set_slice(tx, RULE_BUF_HTTP_TRUE_IP, d, d->true_ip);
    if (d->cookie_set) {
        set_buf(tx, RULE_BUF_HTTP_COOKIE, d->cookie.p, d->cookie.len);
        set_buf(tx, RULE_BUF_HTTP_RAW_COOKIE, d->cookie.p, d->cookie.len);
    }
    if (d->to_server) {
        set_slice(tx, RULE_BUF_HTTP_METHOD, d, d->method);
        set_slice(tx, RULE_BUF_HTTP_RAW_URI, d, d->target);
        set_buf(tx, RULE_BUF_HTTP_URI, d->uri.p ? d->uri.p : none, d->uri.len);
        set_slice(tx, RULE_BUF_HTTP_RAW_REQUEST, d, d->start);
    } else {
        set_slice(tx, RULE_BUF_HTTP_STAT_CODE, d, d->code);
        set_slice(tx, RULE_BUF_HTTP_STAT_MSG, d, d->msg);
        set_slice(tx, RULE_BUF_HTTP_RAW_STATUS, d, d->start);
    }
}
