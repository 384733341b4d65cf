/*
 * http_body.c - message bodies: the dechunked bytes kept up to the body
 * depth, and gzip / deflate response bodies inflated into file_data.
 *
 * A request body is http_client_body (and http_raw_body, the same bytes:
 * request bodies are not decompressed).  A response body is kept as
 * received (dechunked) in http_raw_body, and file_data is the same buffer
 * for an identity body or the inflated bytes for gzip / deflate.  Limits,
 * each counted once per message when hit: the depth of each buffer
 * (body_limit), decompress_max on the inflated bytes (decompress_limit),
 * decompress_ratio once DET_HTTP_RATIO_MIN_OUT bytes came out
 * (ratio_limit).  Inflating stops at the first limit, so a decompression
 * bomb costs at most decompress_max bytes of output and the time to
 * produce them; the rest of the body is only counted by the framing.
 * deflate is sniffed: zlib-wrapped (RFC 1950, as the RFC says) or raw
 * (RFC 1951, as many servers send it).  Corrupt data before any output
 * falls back to identity (file_data = the raw body), after some output
 * keeps what was inflated; both count decompress_errors.
 */
#include "detect/http_int.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t min32(uint64_t a, uint64_t b)
{
    return (uint32_t)(a < b ? a : b);
}

static uint32_t file_cap(const det_http_mgr_t *m)
{
    return min32(m->lim.resp_body_depth, m->lim.decompress_max);
}

void det_http_body_end(det_http_dir_t *d)
{
    if (d->z != NULL) {
        inflateEnd(d->z);
        free(d->z);
        d->z = NULL;
    }
}

/* Fall back to the raw body (no output yet) or keep what we have. */
static void z_fail(det_http_mgr_t *m, det_http_dir_t *d)
{
    m->st.decompress_errors++;
    det_http_body_end(d);
    d->z_done = true;
    if (d->z_out == 0 && !d->raw_cut) {
        d->coding = DET_HC_NONE;
        d->file.len = 0;
    }
}

static bool z_start(det_http_mgr_t *m, det_http_dir_t *d, bool raw_deflate)
{
    d->z = calloc(1, sizeof(*d->z));
    int wbits = d->coding == DET_HC_GZIP ? 15 + 32 : raw_deflate ? -15 : 15;
    if (d->z == NULL || inflateInit2(d->z, wbits) != Z_OK) {
        free(d->z);
        d->z = NULL;
        z_fail(m, d);
        return false;
    }
    if (d->coding == DET_HC_GZIP)
        m->st.gzip++;
    else
        m->st.deflate++;
    return true;
}

/* Stop inflating at a limit. */
static void z_stop(det_http_mgr_t *m, det_http_dir_t *d, uint64_t *counter)
{
    (*counter)++;
    det_http_body_end(d);
    d->z_done = true;
    d->body_cut = true;
    (void)m;
}

static void z_feed(det_http_mgr_t *m, det_http_dir_t *d, const uint8_t *p,
                   uint32_t n)
{
    uint32_t cap = file_cap(m);
    z_stream *z = d->z;
    z->next_in = (Bytef *)(uintptr_t)p;
    z->avail_in = n;
    while (z->avail_in > 0 && !d->z_done) {
        if (d->file.len >= cap) {
            if (cap < m->lim.resp_body_depth)
                z_stop(m, d, &m->st.decompress_limit);
            else if (d->raw_cut)      /* counted once per message */
                z_stop(m, d, &(uint64_t){ 0 });
            else
                z_stop(m, d, &m->st.body_limit);
            return;
        }
        uint32_t want = d->file.cap > d->file.len ? d->file.cap : d->file.len * 2;
        if (want < 4096)
            want = 4096;
        if (!det_hbuf_reserve(&d->file, want, cap) || d->file.cap <= d->file.len) {
            z_stop(m, d, &m->st.decompress_errors);
            return;
        }
        uint32_t room = d->file.cap - d->file.len, in0 = z->avail_in;
        z->next_out = d->file.p + d->file.len;
        z->avail_out = room;
        int rc = inflate(z, Z_NO_FLUSH);
        uint32_t out = room - z->avail_out;
        d->file.len += out;
        d->z_out += out;
        d->z_in += in0 - z->avail_in;
        if (rc == Z_STREAM_END) {
            det_http_body_end(d);
            d->z_done = true;
            return;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            z_fail(m, d);
            return;
        }
        if (d->z_out >= DET_HTTP_RATIO_MIN_OUT && m->lim.decompress_ratio &&
            d->z_out > (uint64_t)m->lim.decompress_ratio * d->z_in) {
            z_stop(m, d, &m->st.ratio_limit);
            return;
        }
        if (out == 0 && in0 == z->avail_in)
            return;                   /* no progress: wait for more input */
    }
}

/* Compressed body bytes: sniff deflate's wrapper, then inflate. */
static void z_data(det_http_mgr_t *m, det_http_dir_t *d, const uint8_t *p,
                   uint32_t n)
{
    if (d->z_done || n == 0)
        return;
    if (d->z == NULL) {
        bool raw = false;
        if (d->coding == DET_HC_DEFLATE) {
            while (d->zhead_n < 2 && n > 0) {
                d->zhead[d->zhead_n++] = *p++;
                n--;
            }
            if (d->zhead_n < 2)
                return;
            unsigned h = (unsigned)d->zhead[0] << 8 | d->zhead[1];
            raw = (d->zhead[0] & 0x0f) != 8 || h % 31 != 0;
        }
        if (!z_start(m, d, raw))
            return;
        if (d->coding == DET_HC_DEFLATE) {
            z_feed(m, d, d->zhead, 2);
            if (d->z_done)
                return;
        }
    }
    z_feed(m, d, p, n);
}

void det_http_body_data(det_http_mgr_t *m, det_http_dir_t *d,
                        const uint8_t *p, uint32_t n)
{
    if (!d->body_on || n == 0)
        return;
    uint32_t depth = d->to_server ? m->lim.req_body_depth
                                  : m->lim.resp_body_depth;
    if (!d->raw_cut) {
        uint32_t got = det_hbuf_put(&d->body, p, n, depth);
        if (got < n) {
            d->raw_cut = true;
            d->body_cut = true;
            m->st.body_limit++;
        }
    }
    bool inflating = !d->to_server && d->coding != DET_HC_NONE;
    if (inflating) {
        z_data(m, d, p, n);
        /* a failure before any output made it an identity body */
        inflating = d->coding != DET_HC_NONE && !d->z_done;
    }
    d->body_on = !d->raw_cut || inflating;
}

void det_http_body_bufs(const det_http_dir_t *d, det_http_tx_t *tx)
{
    static const uint8_t none[1];
    const uint8_t *b = d->body.p ? d->body.p : none;
    if (d->to_server) {
        tx->buf[RULE_BUF_HTTP_CLIENT_BODY] = b;
        tx->len[RULE_BUF_HTTP_CLIENT_BODY] = d->body.len;
    } else if (d->coding == DET_HC_NONE) {
        tx->buf[RULE_BUF_FILE_DATA] = b;
        tx->len[RULE_BUF_FILE_DATA] = d->body.len;
    } else {
        tx->buf[RULE_BUF_FILE_DATA] = d->file.p ? d->file.p : none;
        tx->len[RULE_BUF_FILE_DATA] = d->file.len;
    }
    tx->buf[RULE_BUF_HTTP_RAW_BODY] = b;
    tx->len[RULE_BUF_HTTP_RAW_BODY] = d->body.len;
}
