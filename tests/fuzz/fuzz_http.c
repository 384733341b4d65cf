/*
 * fuzz_http.c - libFuzzer harness for the HTTP/1.x parser (detect/http*.c).
 *
 * Input layout:
 *   header, 8 bytes:
 *     [0]    limits: 0 = defaults; otherwise small limits derived from the
 *            next bytes, so the limit paths (header, body depth, chunk
 *            line, decompression) are reached with small inputs
 *     [1..2] length of the request stream (little-endian, modulo the rest)
 *     [3..6] seed of the generator that cuts the streams into pieces and
 *            interleaves the two directions
 *     [7]    largest piece - 1
 *   then the request stream (client to server) followed by the response
 *   stream (server to client).
 * The two streams are fed in pieces of 1..[7]+1 bytes, each piece in its own
 * allocation (so a read past a piece is caught), then each direction gets
 * det_http_eof.  det_http_detect and det_http_uri_normalize see the request
 * stream as well.  Every buffer of every event is read in full; body_new
 * must lie within the body buffer it indexes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/http.h"

#define FZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "fuzz_http: broken promise: %s (%s:%d)\n", \
                #cond, __FILE__, __LINE__); \
        abort(); \
    } } while (0)

static volatile uint8_t fz_sink;

static void fz_touch(const uint8_t *b, uint32_t n)
{
    uint8_t x = 0;
    for (uint32_t i = 0; i < n; i++)
        x ^= b[i];
    fz_sink = x;
}

static uint32_t fz_next(uint32_t *s)   /* xorshift32 */
{
    uint32_t x = *s ? *s : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static void fz_event(void *arg, const det_http_tx_t *tx)
{
    unsigned *events = arg;
    (*events)++;
    FZ_CHECK(tx->ev >= DET_HTTP_REQ_HEADERS && tx->ev <= DET_HTTP_RESP_BODY);
    FZ_CHECK(tx->to_server == (tx->ev == DET_HTTP_REQ_HEADERS
                               || tx->ev == DET_HTTP_REQ_BODY));
    FZ_CHECK(tx->buf[RULE_BUF_PKT] == NULL && tx->buf[RULE_BUF_RAW] == NULL);
    for (int i = 0; i < RULE_BUF_COUNT; i++) {
        if (tx->buf[i] != NULL)
            fz_touch(tx->buf[i], tx->len[i]);
    }
    if (tx->ev == DET_HTTP_REQ_BODY && tx->buf[RULE_BUF_HTTP_CLIENT_BODY])
        FZ_CHECK(tx->body_new <= tx->len[RULE_BUF_HTTP_CLIENT_BODY]);
    if (tx->ev == DET_HTTP_RESP_BODY && tx->buf[RULE_BUF_FILE_DATA])
        FZ_CHECK(tx->body_new <= tx->len[RULE_BUF_FILE_DATA]);
}

static void fz_feed(det_http_mgr_t *m, det_flow_t *f, bool to_server,
                    const uint8_t *b, uint32_t n, unsigned *events)
{
    uint8_t *copy = malloc(n ? n : 1);
    FZ_CHECK(copy != NULL);
    memcpy(copy, b, n);
    (void)det_http_feed(m, f, to_server, copy, n, fz_event, events);
    (void)det_http_active(f, to_server);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    det_http_mgr_t m;
    det_http_mgr_init(&m);
    if (data[0] != 0) {
        uint32_t k = data[0];
        m.lim.max_header_bytes = 64 + k * 8;
        m.lim.max_headers = 1 + k % 16;
        m.lim.req_body_depth = k * 4;
        m.lim.resp_body_depth = k * 5;
        m.lim.decompress_max = k * 16;
        m.lim.decompress_ratio = 1 + k % 8;
        m.lim.max_chunk_line = 4 + k % 32;
        m.lim.max_chunk_size = (uint64_t)k * 7;
    }
    const uint8_t *rest = data + 8;
    uint32_t nrest = (uint32_t)(size - 8);
    uint32_t nreq = (data[1] | (uint32_t)data[2] << 8) % (nrest + 1);
    const uint8_t *req = rest, *resp = rest + nreq;
    uint32_t nresp = nrest - nreq;
    uint32_t rng = data[3] | (uint32_t)data[4] << 8 | (uint32_t)data[5] << 16
                 | (uint32_t)data[6] << 24;
    uint32_t maxpiece = (uint32_t)data[7] + 1;

    /* detection and normalization on the raw request stream */
    (void)det_http_detect(req, nreq);
    (void)det_http_detect(resp, nresp);
    if (nreq > 0) {
        uint8_t *in = malloc(nreq), *out = malloc(nreq);
        FZ_CHECK(in != NULL && out != NULL);
        memcpy(in, req, nreq);
        uint32_t n = det_http_uri_normalize(in, nreq, out);
        FZ_CHECK(n <= nreq);
        fz_touch(out, n);
        free(in);
        free(out);
    }

    det_flow_t f;
    memset(&f, 0, sizeof(f));
    unsigned events = 0;
    uint32_t qpos = 0, spos = 0;
    while (qpos < nreq || spos < nresp) {
        uint32_t r = fz_next(&rng);
        bool to_server = (qpos < nreq) && (spos >= nresp || (r & 1));
        uint32_t piece = 1 + (r >> 8) % maxpiece;
        if (to_server) {
            if (piece > nreq - qpos)
                piece = nreq - qpos;
            fz_feed(&m, &f, true, req + qpos, piece, &events);
            qpos += piece;
        } else {
            if (piece > nresp - spos)
                piece = nresp - spos;
            fz_feed(&m, &f, false, resp + spos, piece, &events);
            spos += piece;
        }
    }
    bool first = fz_next(&rng) & 1;
    det_http_eof(&m, &f, first, fz_event, &events);
    det_http_eof(&m, &f, !first, fz_event, &events);
    det_http_free(f.http);
    f.http = NULL;
    FZ_CHECK(m.st.events == events);
    return 0;
}
