/*
 * http_uri.c - the http_uri normalizer and the "is this HTTP?" test.
 *
 * Normalization follows Snort 2.9 http_inspect as configured by the stock
 * snort.conf (ascii, double_decode, u_encode, iis_backslash, multi_slash,
 * directory all on): the request target is split at its first raw '?';
 * the path is percent-decoded twice (%XX, and %uXXXX below 0x100), '\'
 * becomes '/', runs of '/' collapse, and "." / ".." segments are resolved
 * (".." never climbs above the root); the query is only percent-decoded
 * twice.  An absolute URI (scheme://authority/path) keeps its prefix as
 * written and has its path normalized.  Invalid escapes stay as written.
 * Every step shrinks or keeps the length, so the result fits in the input's
 * length and is computed in one output buffer without allocation.
 */
#include "detect/http.h"

#include <string.h>

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* One percent-decoding pass; out may equal in (it never runs ahead). */
static uint32_t pct_decode(const uint8_t *in, uint32_t n, uint8_t *out)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = in[i];
        if (c == '%' && i + 2 < n && hexval(in[i + 1]) >= 0 &&
            hexval(in[i + 2]) >= 0) {
            out[w++] = (uint8_t)(hexval(in[i + 1]) << 4 | hexval(in[i + 2]));
            i += 2;
            continue;
        }
        if (c == '%' && i + 5 < n && (in[i + 1] | 0x20) == 'u' &&
            hexval(in[i + 2]) == 0 && hexval(in[i + 3]) == 0 &&
            hexval(in[i + 4]) >= 0 && hexval(in[i + 5]) >= 0) {
            out[w++] = (uint8_t)(hexval(in[i + 4]) << 4 | hexval(in[i + 5]));
            i += 5;
            continue;
        }
        out[w++] = c;
    }
    return w;
}

/* Collapse "//", resolve "/./" and "/../" in p[0, n) in place. */
static uint32_t simplify_path(uint8_t *p, uint32_t n)
{
    uint32_t w = 0, i = 0;
    while (i < n) {
        if (p[i] != '/') {
            p[w++] = p[i++];
            continue;
        }
        while (i + 1 < n && p[i + 1] == '/')
            i++;
        uint32_t s = i + 1, j = s;
        while (j < n && p[j] != '/')
            j++;
        uint32_t seglen = j - s;
        if ((seglen == 1 && p[s] == '.') ||
            (seglen == 2 && p[s] == '.' && p[s + 1] == '.')) {
            if (seglen == 2) {          /* drop the last output segment */
                while (w > 0 && p[w - 1] != '/')
                    w--;
                if (w > 0)
                    w--;
            }
            i = j;
            if (j == n)
                p[w++] = '/';           /* "/a/.." -> "/" + nothing */
            continue;
        }
        p[w++] = '/';
        memmove(p + w, p + s, seglen);
        w += seglen;
        i = j;
    }
    return w;
}

/* Length of "scheme://authority" at the start of uri, 0 if none. */
static uint32_t absolute_prefix(const uint8_t *uri, uint32_t len)
{
    uint32_t i = 0;
    while (i < len && ((uri[i] | 0x20) >= 'a' && (uri[i] | 0x20) <= 'z'))
        i++;
    if (i == 0 || i + 3 > len || memcmp(uri + i, "://", 3) != 0)
        return 0;
    i += 3;
    while (i < len && uri[i] != '/' && uri[i] != '?')
        i++;
    return i;
}

uint32_t det_http_uri_normalize(const uint8_t *uri, uint32_t len,
                                uint8_t *out)
{
    uint32_t pre = absolute_prefix(uri, len);
    memcpy(out, uri, pre);
    const uint8_t *q = memchr(uri + pre, '?', len - pre);
    uint32_t plen = q != NULL ? (uint32_t)(q - uri) - pre : len - pre;

    uint8_t *path = out + pre;
    uint32_t n = pct_decode(uri + pre, plen, path);
    n = pct_decode(path, n, path);
    for (uint32_t i = 0; i < n; i++)
        if (path[i] == '\\')
            path[i] = '/';
    n = simplify_path(path, n);

    uint32_t w = pre + n;
    if (q != NULL) {
        uint32_t qlen = len - pre - plen;
        /* the query is decoded from the input, after the path's output,
         * which is never longer than the path's input */
        memmove(out + w, q, qlen);
        uint32_t k = pct_decode(out + w, qlen, out + w);
        w += pct_decode(out + w, k, out + w);
    }
    return w;
}

/* ---- detection ---------------------------------------------------------- */

static bool is_method_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Compare data with the literal lit as far as data goes: 1 all of lit
 * matched, 0 a prefix of lit matched and data ended, -1 mismatch. */
static int lit_prefix(const uint8_t *d, uint32_t n, const char *lit)
{
    uint32_t l = (uint32_t)strlen(lit);
    uint32_t k = n < l ? n : l;
    if (memcmp(d, lit, k) != 0)
        return -1;
    return k == l ? 1 : 0;
}

static det_http_kind_t detect_response(const uint8_t *d, uint32_t n)
{
    /* HTTP/1.x SP ddd */
    static const char *const shape = "HTTP/1.# ###";
    for (uint32_t i = 0; shape[i] != '\0'; i++) {
        if (i >= n)
            return DET_HTTP_MORE;
        if (shape[i] == '#' ? !(d[i] >= '0' && d[i] <= '9') : d[i] != shape[i])
            return DET_HTTP_NO;
    }
    return DET_HTTP_RESPONSE;
}

det_http_kind_t det_http_detect(const uint8_t *data, uint32_t len)
{
    uint32_t i = 0;
    while (i < len && i < 8 && (data[i] == '\r' || data[i] == '\n'))
        i++;
    const uint8_t *d = data + i;
    uint32_t n = len - i;
    if (n == 0)
        return i < 8 ? DET_HTTP_MORE : DET_HTTP_NO;
    int r = lit_prefix(d, n, "HTTP/");
    if (r >= 0)
        return r == 0 ? DET_HTTP_MORE : detect_response(d, n);

    uint32_t k = 0;
    while (k < n && k <= 24 && is_method_char(d[k]))
        k++;
    if (k == n)
        return k <= 24 ? DET_HTTP_MORE : DET_HTTP_NO;
    if (k == 0 || k > 24 || d[k] != ' ')
        return DET_HTTP_NO;
    uint32_t u = ++k;
    while (k < n && k < DET_HTTP_DETECT_MAX && d[k] > ' ' && d[k] != 0x7f)
        k++;
    if (k == n)
        return k < DET_HTTP_DETECT_MAX ? DET_HTTP_MORE : DET_HTTP_NO;
    if (k == u || d[k] != ' ')
        return DET_HTTP_NO;
    while (k < n && d[k] == ' ')
        k++;
    r = lit_prefix(d + k, n - k, "HTTP/1.");
    if (r < 0)
        return DET_HTTP_NO;
    return r == 0 ? DET_HTTP_MORE : DET_HTTP_REQUEST;
}
