/*
 * http.c - the HTTP/1.x message state machine of one flow direction, fed
 * with in-order stream bytes in chunks of any size (http.h).
 *
 * Each direction walks START -> HEADERS -> (body) -> START ... : empty
 * lines before a start line are skipped; the start line and header section
 * accumulate in one bounded buffer until the empty line (so a message split
 * at any byte parses exactly as if it came whole); http_hdr.c then builds
 * the header buffers and the framing, and the headers event goes out.  The
 * body is read by Content-Length, by chunked coding (size line with
 * extensions, data, CRLF, trailer lines), or until the direction ends
 * (responses without a length); requests without a length have no body,
 * and HEAD answers, 1xx, 204 and 304 have none either.  Responses are
 * paired with requests through a small ring of pending request flags
 * (HEAD, CONNECT), which is what pipelining needs.  101, a 2xx answer to
 * CONNECT, or non-HTTP bytes from the client right after a CONNECT turn the
 * flow into a tunnel that is no longer parsed (a new request after CONNECT
 * is a retry, as after a 407).  Whatever
 * loses the framing (a bad start line, an unusable length, a broken chunk
 * line, a header section or chunk line past its limit) ends HTTP inspection
 * of the direction ("dead"), counted; nothing grows past a limit.
 */
#include "detect/http_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void det_http_limits_default(det_http_limits_t *lim)
{
    lim->max_header_bytes = 65536;
    lim->max_headers = 100;
    lim->req_body_depth = 65536;
    lim->resp_body_depth = 65536;
    lim->decompress_max = 65536;
    lim->decompress_ratio = 100;
    lim->max_chunk_line = 1024;
    lim->max_chunk_size = 0xffffffffu;
}

void det_http_mgr_init(det_http_mgr_t *m)
{
    memset(m, 0, sizeof(*m));
    det_http_limits_default(&m->lim);
}

/* ---- bounded buffers ----------------------------------------------------- */

bool det_hbuf_reserve(det_hbuf_t *b, uint32_t want, uint32_t cap)
{
    if (want > cap)
        want = cap;
    if (want <= b->cap && (b->p != NULL || want == 0))
        return true;
    uint64_t n = (uint64_t)b->cap * 2;
    if (n < 256)
        n = 256;
    if (n < want)
        n = want;
    if (n > cap)
        n = cap;
    uint8_t *p = realloc(b->p, n);
    if (p == NULL)
        return false;
    b->p = p;
    b->cap = (uint32_t)n;
    return true;
}

uint32_t det_hbuf_put(det_hbuf_t *b, const void *d, uint32_t n, uint32_t cap)
{
    if (b->len >= cap || n == 0)
        return 0;
    uint32_t take = n < cap - b->len ? n : cap - b->len;
    if (!det_hbuf_reserve(b, b->len + take, cap))
        return 0;
    memcpy(b->p + b->len, d, take);
    b->len += take;
    return take;
}

void det_hbuf_free(det_hbuf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static void hbuf_reset(det_hbuf_t *b)
{
    if (b->cap > DET_HTTP_KEEP_CAP)
        det_hbuf_free(b);
    b->len = 0;
}

/* ---- per-call context ------------------------------------------------------- */

typedef struct det_http_run {
    det_http_mgr_t *m;
    struct det_http *h;
    det_http_dir_t *d;
    det_http_tx_cb cb;
    void *arg;
} det_http_run_t;

static void emit(det_http_run_t *r, const det_http_tx_t *tx)
{
    r->m->st.events++;
    if (r->cb != NULL)
        r->cb(r->arg, tx);
}

static void tx_init(det_http_run_t *r, det_http_tx_t *tx, det_http_ev_t ev)
{
    memset(tx, 0, sizeof(*tx));
    tx->ev = ev;
    tx->to_server = r->d->to_server;
    tx->index = r->d->index;
    det_http_head_bufs(r->d, tx);
}

static uint32_t file_len(const det_http_dir_t *d)
{
    return !d->to_server && d->coding != DET_HC_NONE ? d->file.len
                                                     : d->body.len;
}

/* A body event when there is something new, or the last one. */
static void emit_body(det_http_run_t *r, bool last)
{
    det_http_dir_t *d = r->d;
    if (!d->in_body || d->body_last_sent)
        return;
    uint32_t blen = d->body.len, flen = file_len(d);
    if (blen == d->ev_body && flen == d->ev_file && !last)
        return;
    if (!d->body_on)
        last = true;
    if (last)
        d->body_last_sent = true;
    if (blen == 0 && flen == 0)
        return;
    det_http_tx_t tx;
    tx_init(r, &tx, d->to_server ? DET_HTTP_REQ_BODY : DET_HTTP_RESP_BODY);
    det_http_body_bufs(d, &tx);
    tx.body_new = d->to_server ? d->ev_body : d->ev_file;
    tx.body_last = last;
    tx.body_truncated = d->body_cut;
    d->ev_body = blen;
    d->ev_file = flen;
    emit(r, &tx);
}

static void free_dir(det_http_dir_t *d)
{
    det_http_body_end(d);
    det_hbuf_free(&d->hdr);
    det_hbuf_free(&d->uri);
    det_hbuf_free(&d->hnorm);
    det_hbuf_free(&d->cookie);
    det_hbuf_free(&d->body);
    det_hbuf_free(&d->file);
}

/* Inspection of this direction ends (state DEAD or TUNNEL). */
static void stop_dir(det_http_run_t *r, det_http_dir_t *d, uint8_t state)
{
    if (d->state == DET_HS_DEAD || d->state == DET_HS_TUNNEL)
        return;
    if (state == DET_HS_DEAD)
        r->m->st.dead++;
    free_dir(d);
    d->in_body = false;
    d->state = state;
}

static void dead(det_http_run_t *r)
{
    stop_dir(r, r->d, DET_HS_DEAD);
}

static void tunnel(det_http_run_t *r)
{
    r->m->st.upgrades++;
    stop_dir(r, &r->h->d[0], DET_HS_TUNNEL);
    stop_dir(r, &r->h->d[1], DET_HS_TUNNEL);
}

/* The message of r->d is over (complete or cut by the end). */
static void message_done(det_http_run_t *r)
{
    det_http_dir_t *d = r->d;
    emit_body(r, true);
    det_http_body_end(d);
    d->in_body = false;
    d->body_on = false;
    hbuf_reset(&d->hdr);
    hbuf_reset(&d->uri);
    hbuf_reset(&d->hnorm);
    hbuf_reset(&d->cookie);
    hbuf_reset(&d->body);
    hbuf_reset(&d->file);
    d->hdr_line = 0;
    d->nlines = 0;
    d->state = DET_HS_START;
}

static void start_body(det_http_dir_t *d, uint8_t state, uint64_t left)
{
    d->state = state;
    d->left = left;
    d->in_body = true;
    d->body_on = true;
    d->body_cut = d->raw_cut = d->z_done = false;
    d->body_last_sent = false;
    d->chunk_bad = d->chunk_digit = false;
    d->zhead_n = 0;
    d->line_len = 0;
    d->ev_body = d->ev_file = 0;
    d->z_in = d->z_out = 0;
    d->body.len = d->file.len = 0;
}

/* ---- pending requests (pipelining) -------------------------------------- */

static void pend_push(det_http_run_t *r, uint8_t fl)
{
    struct det_http *h = r->h;
    if (h->pend_n == DET_HTTP_PIPELINE) {
        r->m->st.pipeline_limit++;
        return;
    }
    h->pend[(h->pend_head + h->pend_n) % DET_HTTP_PIPELINE] = fl;
    h->pend_n++;
}

static uint8_t pend_take(struct det_http *h, bool pop)
{
    if (h->pend_n == 0)
        return 0;                      /* unknown request: as if GET */
    uint8_t fl = h->pend[h->pend_head];
    if (pop) {
        h->pend_head = (uint8_t)((h->pend_head + 1) % DET_HTTP_PIPELINE);
        h->pend_n--;
    }
    return fl;
}

/* ---- header section complete -------------------------------------------- */

static uint8_t method_flags(const det_http_dir_t *d)
{
    const char *m = (const char *)d->hdr.p + d->method.off;
    if (d->method.len == 4 && memcmp(m, "HEAD", 4) == 0)
        return DET_HP_HEAD;
    if (d->method.len == 7 && memcmp(m, "CONNECT", 7) == 0)
        return DET_HP_CONNECT;
    return 0;
}

static void request_head(det_http_run_t *r, const det_http_frame_t *fr)
{
    det_http_dir_t *d = r->d;
    det_http_tx_t tx;
    uint8_t fl = method_flags(d);

    r->m->st.requests++;
    d->index = d->next_index++;
    pend_push(r, fl);
    tx_init(r, &tx, DET_HTTP_REQ_HEADERS);
    emit(r, &tx);
    d->coding = DET_HC_NONE;          /* request bodies are not inflated */
    if (fr->chunked) {
        r->m->st.chunked++;
        start_body(d, DET_HS_CHUNK_SIZE, 0);
    } else if (fr->te_other || fr->bad_cl) {
        r->m->st.malformed++;
        dead(r);
    } else if (fr->has_cl && fr->cl > 0) {
        start_body(d, DET_HS_BODY_LEN, fr->cl);
    } else {
        message_done(r);
    }
    /* bytes after CONNECT that are not a request are the tunnel (the
     * client need not wait for the 200); a request is a retry (after 407) */
    d->after_connect = (fl & DET_HP_CONNECT) != 0;
}

static void response_head(det_http_run_t *r, const det_http_frame_t *fr)
{
    det_http_dir_t *d = r->d;
    det_http_tx_t tx;
    bool interim = fr->status >= 100 && fr->status < 200;
    uint8_t fl = pend_take(r->h, !interim);

    r->m->st.responses++;
    d->index = d->next_index;
    if (!interim)
        d->next_index++;
    tx_init(r, &tx, DET_HTTP_RESP_HEADERS);
    emit(r, &tx);
    if (fr->status == 101 || ((fl & DET_HP_CONNECT) && fr->status / 100 == 2)) {
        tunnel(r);
        return;
    }
    if (!interim)
        r->h->d[0].after_connect = false;
    if (interim || (fl & DET_HP_HEAD) || fr->status == 204 ||
        fr->status == 304) {
        message_done(r);
        return;
    }
    if (fr->chunked) {
        r->m->st.chunked++;
        start_body(d, DET_HS_CHUNK_SIZE, 0);
    } else if (fr->te_other || fr->bad_cl || !fr->has_cl) {
        if (fr->bad_cl)
            r->m->st.malformed++;
        start_body(d, DET_HS_BODY_CLOSE, 0);
    } else if (fr->cl > 0) {
        start_body(d, DET_HS_BODY_LEN, fr->cl);
    } else {
        message_done(r);
        return;
    }
    d->coding = fr->coding;
}

static void headers_done(det_http_run_t *r)
{
    det_http_frame_t fr;
    if (det_http_parse_head(r->d, &r->m->lim, &fr) < 0) {
        r->m->st.malformed++;
        dead(r);
        return;
    }
    if (fr.anomaly)
        r->m->st.malformed++;
    if (fr.too_many)
        r->m->st.headers_limit++;
    if (r->d->to_server)
        request_head(r, &fr);
    else
        response_head(r, &fr);
}

/* ---- steps: each consumes bytes of one state ----------------------------- */

static bool start_line_ok(const det_http_dir_t *d)
{
    det_http_kind_t k = det_http_detect(d->hdr.p, d->hdr.len);
    if (d->to_server)
        return k == DET_HTTP_REQUEST || k == DET_HTTP_MORE;
    return k == DET_HTTP_RESPONSE || k == DET_HTTP_MORE;
}

static uint32_t step_headers(det_http_run_t *r, const uint8_t *p, uint32_t n)
{
    det_http_dir_t *d = r->d;
    const uint8_t *lf = memchr(p, '\n', n);
    uint32_t take = lf != NULL ? (uint32_t)(lf - p) + 1 : n;
    uint32_t before = d->hdr.len;

    if ((uint64_t)d->hdr.len + take > r->m->lim.max_header_bytes) {
        r->m->st.header_limit++;
        dead(r);
        return n;
    }
    if (det_hbuf_put(&d->hdr, p, take, r->m->lim.max_header_bytes) != take) {
        dead(r);
        return n;
    }
    /* a start line that cannot be HTTP ends parsing early: at its end or
     * while its first 64 bytes come in */
    if (d->nlines == 0 && (lf != NULL || before < 64) &&
        !start_line_ok(d)) {
        if (d->after_connect) {
            tunnel(r);
            return n;
        }
        r->m->st.malformed++;
        dead(r);
        return n;
    }
    if (lf == NULL)
        return take;
    uint32_t ll = d->hdr.len - d->hdr_line;
    bool empty = ll == 1 || (ll == 2 && d->hdr.p[d->hdr_line] == '\r');
    if (empty && d->nlines > 0) {
        headers_done(r);
    } else {
        d->nlines++;
        d->hdr_line = d->hdr.len;
    }
    return take;
}

static void body(det_http_run_t *r, const uint8_t *p, uint32_t n)
{
    det_http_dir_t *d = r->d;
    det_http_body_data(r->m, d, p, n);
    if (!d->body_on && !d->body_last_sent)
        emit_body(r, true);           /* nothing more will be kept */
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void chunk_line_end(det_http_dir_t *d)
{
    d->line_len = 0;
    d->chunk_digit = false;
    if (d->left == 0) {
        d->state = DET_HS_TRAILER;
        d->trailer_bytes = 0;
    } else {
        d->state = DET_HS_CHUNK_DATA;
    }
}

static bool chunk_line_long(det_http_run_t *r, uint32_t add)
{
    det_http_dir_t *d = r->d;
    d->line_len += add;
    if (d->line_len <= r->m->lim.max_chunk_line)
        return false;
    r->m->st.chunk_limit++;
    dead(r);
    return true;
}

static uint32_t step_chunk_size(det_http_run_t *r, const uint8_t *p, uint32_t n)
{
    det_http_dir_t *d = r->d;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        int v = hexval(c);
        if (chunk_line_long(r, 1))
            return n;
        if (v >= 0) {
            if (d->left > (UINT64_MAX >> 4) ||
                (d->left = d->left << 4 | (uint64_t)v) > r->m->lim.max_chunk_size) {
                r->m->st.chunk_limit++;
                dead(r);
                return n;
            }
            d->chunk_digit = true;
            continue;
        }
        if (!d->chunk_digit) {
            if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
                continue;             /* stray line ends before a size */
            goto bad;
        }
        if (c == '\n') {
            chunk_line_end(d);
            return i + 1;
        }
        if (c == ';' || c == ' ' || c == '\t' || c == '\r') {
            d->state = DET_HS_CHUNK_EXT;
            return i + 1;
        }
        goto bad;
    }
    return n;                          /* digits so far */
bad:
    r->m->st.malformed++;
    dead(r);
    return n;
}

static uint32_t step_chunk_ext(det_http_run_t *r, const uint8_t *p, uint32_t n)
{
    const uint8_t *lf = memchr(p, '\n', n);
    uint32_t take = lf != NULL ? (uint32_t)(lf - p) + 1 : n;
    if (chunk_line_long(r, take))
        return n;
    if (lf != NULL)
        chunk_line_end(r->d);
    return take;
}

static uint32_t step_chunk_end(det_http_run_t *r, const uint8_t *p)
{
    det_http_dir_t *d = r->d;
    if (p[0] == '\r' && d->line_len == 0) {
        d->line_len = 1;
        return 1;
    }
    bool lf = p[0] == '\n';
    if (!lf && !d->chunk_bad) {
        r->m->st.malformed++;          /* data longer than its size */
        d->chunk_bad = true;
    }
    d->state = DET_HS_CHUNK_SIZE;
    d->left = 0;
    d->line_len = 0;
    d->chunk_digit = false;
    return lf ? 1 : 0;
}

static uint32_t step_trailer(det_http_run_t *r, const uint8_t *p, uint32_t n)
{
    det_http_dir_t *d = r->d;
    const uint8_t *lf = memchr(p, '\n', n);
    uint32_t take = lf != NULL ? (uint32_t)(lf - p) + 1 : n;
    d->trailer_bytes += take;
    if (d->trailer_bytes > r->m->lim.max_header_bytes) {
        r->m->st.header_limit++;
        dead(r);
        return n;
    }
    for (uint32_t i = 0; i < take; i++)
        if (p[i] != '\r' && p[i] != '\n')
            d->line_len++;
    if (lf != NULL) {
        if (d->line_len == 0)
            message_done(r);
        d->line_len = 0;
    }
    return take;
}

static uint32_t step(det_http_run_t *r, const uint8_t *p, uint32_t n)
{
    det_http_dir_t *d = r->d;
    uint32_t i = 0, take;
    switch (d->state) {
    case DET_HS_START:
        while (i < n && (p[i] == '\r' || p[i] == '\n'))
            i++;
        if (i < n)
            d->state = DET_HS_HEADERS;
        return i;
    case DET_HS_HEADERS:
        return step_headers(r, p, n);
    case DET_HS_BODY_LEN:
        take = d->left < n ? (uint32_t)d->left : n;
        body(r, p, take);
        d->left -= take;
        if (d->left == 0)
            message_done(r);
        return take;
    case DET_HS_BODY_CLOSE:
        body(r, p, n);
        return n;
    case DET_HS_CHUNK_SIZE:
        return step_chunk_size(r, p, n);
    case DET_HS_CHUNK_EXT:
        return step_chunk_ext(r, p, n);
    case DET_HS_CHUNK_DATA:
        take = d->left < n ? (uint32_t)d->left : n;
        body(r, p, take);
        d->left -= take;
        if (d->left == 0) {
            d->state = DET_HS_CHUNK_END;
            d->line_len = 0;
        }
        return take;
    case DET_HS_CHUNK_END:
        return step_chunk_end(r, p);
    case DET_HS_TRAILER:
        return step_trailer(r, p, n);
    default:
        return n;                      /* TUNNEL, DEAD */
    }
}

static struct det_http *http_of(det_http_mgr_t *m, det_flow_t *f)
{
    if (f->http != NULL)
        return f->http;
    struct det_http *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->d[0].to_server = true;
    h->d[1].to_server = false;
    f->http = h;
    m->st.flows++;
    return h;
}

int det_http_feed(det_http_mgr_t *m, det_flow_t *f, bool to_server,
                  const uint8_t *data, uint32_t len, det_http_tx_cb cb,
                  void *arg)
{
    struct det_http *h = http_of(m, f);
    if (h == NULL)
        return -1;
    det_http_run_t r = { m, h, &h->d[to_server ? 0 : 1], cb, arg };
    det_http_dir_t *d = r.d;
    while (len > 0 && d->state != DET_HS_DEAD && d->state != DET_HS_TUNNEL) {
        uint32_t used = step(&r, data, len);
        data += used;
        len -= used;
    }
    emit_body(&r, false);
    return 0;
}

void det_http_eof(det_http_mgr_t *m, det_flow_t *f, bool to_server,
                  det_http_tx_cb cb, void *arg)
{
    struct det_http *h = f->http;
    if (h == NULL)
        return;
    det_http_run_t r = { m, h, &h->d[to_server ? 0 : 1], cb, arg };
    switch (r.d->state) {
    case DET_HS_START:
    case DET_HS_DEAD:
    case DET_HS_TUNNEL:
        return;
    case DET_HS_BODY_CLOSE:
        message_done(&r);
        return;
    default:
        m->st.truncated++;
        message_done(&r);
        return;
    }
}

bool det_http_active(const det_flow_t *f, bool to_server)
{
    if (f->http == NULL)
        return true;
    uint8_t s = f->http->d[to_server ? 0 : 1].state;
    return s != DET_HS_DEAD && s != DET_HS_TUNNEL;
}

void det_http_free(struct det_http *h)
{
    if (h == NULL)
        return;
    free_dir(&h->d[0]);
    free_dir(&h->d[1]);
    free(h);
}
