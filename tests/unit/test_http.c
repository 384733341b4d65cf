/*
 * test_http.c - the HTTP/1.x parser (detect/http*.c) and the matcher's
 * buffer selection (detect/match*.c) on its buffers.
 *
 * Streams are fed through det_http_feed into a collector that copies every
 * event; tables then name the exact bytes each inspection buffer must hold
 * (or NULL: not available).  Covered: every buffer of a crafted request and
 * response, URI normalization, Content-Length, chunked coding (extensions,
 * trailers, size lines split across feeds), pipelining, HEAD / 1xx / 204 /
 * 304 / close-delimited responses, feeding at every split size giving the
 * same buffers as one feed, gzip / zlib / raw deflate bodies built here
 * with zlib, a decompression bomb stopped by each limit, huge headers and
 * endless chunks bounded, malformed inputs and a deterministic mutation
 * run, and rules (Snort 2 modifiers and Snort 3 sticky buffers, urilen,
 * file_data, http_cookie kept out of http_header) evaluated on the events.
 */
#include "test_match_util.h"

#include <zlib.h>

#include "detect/http.h"

/* ---- collector ------------------------------------------------------------ */

typedef struct rec {
    det_http_ev_t ev;
    bool to_server, last, trunc;
    uint32_t index, body_new;
    uint8_t *buf[RULE_BUF_COUNT];
    uint32_t len[RULE_BUF_COUNT];
} rec_t;

typedef struct coll {
    rec_t *r;
    size_t n, cap;
} coll_t;

static void coll_cb(void *arg, const det_http_tx_t *tx)
{
    coll_t *c = arg;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->r = realloc(c->r, c->cap * sizeof(*c->r));
        assert_non_null(c->r);
    }
    rec_t *r = &c->r[c->n++];
    memset(r, 0, sizeof(*r));
    r->ev = tx->ev;
    r->to_server = tx->to_server;
    r->last = tx->body_last;
    r->trunc = tx->body_truncated;
    r->index = tx->index;
    r->body_new = tx->body_new;
    assert_null(tx->buf[RULE_BUF_PKT]);
    for (int b = 0; b < RULE_BUF_COUNT; b++) {
        if (tx->buf[b] == NULL)
            continue;
        /* padded: PCRE2's JIT reads a few bytes past the subject (within
         * the page), which valgrind would report on a tight block */
        r->buf[b] = calloc(1, tx->len[b] + 64);
        memcpy(r->buf[b], tx->buf[b], tx->len[b]);
        r->len[b] = tx->len[b];
    }
}

static void coll_free(coll_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        for (int b = 0; b < RULE_BUF_COUNT; b++)
            free(c->r[i].buf[b]);
    free(c->r);
    memset(c, 0, sizeof(*c));
}

/* The last event of kind ev for message index (NULL if none). */
static const rec_t *find(const coll_t *c, det_http_ev_t ev, uint32_t index)
{
    const rec_t *got = NULL;
    for (size_t i = 0; i < c->n; i++)
        if (c->r[i].ev == ev && c->r[i].index == index)
            got = &c->r[i];
    return got;
}

/* Distinct (event, index) pairs: independent of how bodies were split. */
static size_t count_msgs(const coll_t *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += find(c, c->r[i].ev, c->r[i].index) == &c->r[i];
    return k;
}

static size_t count_ev(const coll_t *c, det_http_ev_t ev)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += c->r[i].ev == ev;
    return k;
}

/* One flow, its manager and what came out. */
typedef struct tfl {
    det_http_mgr_t m;
    det_flow_t f;
    coll_t c;
} tfl_t;

static void tfl_init(tfl_t *t)
{
    memset(t, 0, sizeof(*t));
    det_http_mgr_init(&t->m);
}

static void tfl_free(tfl_t *t)
{
    det_flow_release(&t->f);
    assert_null(t->f.http);
    coll_free(&t->c);
}

/* Feed n bytes in pieces of step (0: one piece). */
static void feed(tfl_t *t, bool to_server, const void *data, size_t n,
                 size_t step)
{
    const uint8_t *p = data;
    if (step == 0)
        step = n ? n : 1;
    for (size_t off = 0; off < n; off += step) {
        size_t k = n - off < step ? n - off : step;
        assert_int_equal(det_http_feed(&t->m, &t->f, to_server, p + off,
                                       (uint32_t)k, coll_cb, &t->c), 0);
    }
}

static void feeds(tfl_t *t, bool to_server, const char *s)
{
    feed(t, to_server, s, strlen(s), 0);
}

static void expect_buf(const rec_t *r, rule_buffer_t b, const char *want,
                       const char *what)
{
    if (r == NULL)
        fail_msg("%s: no such event", what);
    if (want == NULL) {
        if (r->buf[b] != NULL)
            fail_msg("%s: %s should be unavailable, has '%.*s'", what,
                     rule_buffer_name(b), (int)r->len[b], r->buf[b]);
        return;
    }
    if (r->buf[b] == NULL)
        fail_msg("%s: %s unavailable, expected '%s'", what,
                 rule_buffer_name(b), want);
    if (r->len[b] != strlen(want) || memcmp(r->buf[b], want, r->len[b]) != 0)
        fail_msg("%s: %s is '%.*s' (%u), expected '%s' (%zu)", what,
                 rule_buffer_name(b), (int)r->len[b], r->buf[b], r->len[b],
                 want, strlen(want));
}

/* ---- every buffer of a request and a response ----------------------------- */

#define REQ1 "GET /a/./b/../c//d%2Fe%41?q=%41+b HTTP/1.1\r\n" \
             "Host: example.com\r\n" \
             "Cookie: s=1; t=2\r\n" \
             "User-Agent: UA\r\n" \
             "  folded\r\n" \
             "X-Forwarded-For: 1.2.3.4\r\n" \
             "cookie: u=3\r\n" \
             "\r\n"

#define RESP1 "HTTP/1.1 200 OK\r\n" \
              "Content-Type: text/html\r\n" \
              "Set-Cookie: id=7\r\n" \
              "Content-Length: 11\r\n" \
              "\r\n" \
              "hello world"

typedef struct brow {
    rule_buffer_t b;
    const char *want;        /* NULL: not available */
} brow_t;

static const brow_t req1_rows[] = {
    { RULE_BUF_HTTP_METHOD, "GET" },
    { RULE_BUF_HTTP_RAW_URI, "/a/./b/../c//d%2Fe%41?q=%41+b" },
    { RULE_BUF_HTTP_URI, "/a/c/d/eA?q=A+b" },
    { RULE_BUF_HTTP_RAW_HEADER, "Host: example.com\r\nCookie: s=1; t=2\r\n"
      "User-Agent: UA\r\n  folded\r\nX-Forwarded-For: 1.2.3.4\r\n"
      "cookie: u=3\r\n" },
    { RULE_BUF_HTTP_HEADER, "Host: example.com\r\nUser-Agent: UA folded\r\n"
      "X-Forwarded-For: 1.2.3.4\r\n" },
    { RULE_BUF_HTTP_COOKIE, "s=1; t=2; u=3" },
    { RULE_BUF_HTTP_RAW_COOKIE, "s=1; t=2; u=3" },
    { RULE_BUF_HTTP_VERSION, "HTTP/1.1" },
    { RULE_BUF_HTTP_RAW_REQUEST, "GET /a/./b/../c//d%2Fe%41?q=%41+b HTTP/1.1" },
    { RULE_BUF_HTTP_TRUE_IP, "1.2.3.4" },
    { RULE_BUF_HTTP_STAT_CODE, NULL },
    { RULE_BUF_HTTP_STAT_MSG, NULL },
    { RULE_BUF_HTTP_RAW_STATUS, NULL },
    { RULE_BUF_HTTP_CLIENT_BODY, NULL },
    { RULE_BUF_FILE_DATA, NULL },
    { RULE_BUF_HTTP_RAW_BODY, NULL },
};

static const brow_t resp1_rows[] = {
    { RULE_BUF_HTTP_STAT_CODE, "200" },
    { RULE_BUF_HTTP_STAT_MSG, "OK" },
    { RULE_BUF_HTTP_RAW_STATUS, "HTTP/1.1 200 OK" },
    { RULE_BUF_HTTP_VERSION, "HTTP/1.1" },
    { RULE_BUF_HTTP_HEADER, "Content-Type: text/html\r\nContent-Length: 11\r\n" },
    { RULE_BUF_HTTP_RAW_HEADER, "Content-Type: text/html\r\nSet-Cookie: id=7\r\n"
      "Content-Length: 11\r\n" },
    { RULE_BUF_HTTP_COOKIE, "id=7" },
    { RULE_BUF_HTTP_METHOD, NULL },
    { RULE_BUF_HTTP_URI, NULL },
    { RULE_BUF_HTTP_TRUE_IP, NULL },
};

static const brow_t resp1_body_rows[] = {
    { RULE_BUF_FILE_DATA, "hello world" },
    { RULE_BUF_HTTP_RAW_BODY, "hello world" },
    { RULE_BUF_HTTP_CLIENT_BODY, NULL },
    { RULE_BUF_HTTP_STAT_CODE, "200" },
};

static void check_rows(const rec_t *r, const brow_t *rows, size_t n,
                       const char *what)
{
    for (size_t i = 0; i < n; i++)
        expect_buf(r, rows[i].b, rows[i].want, what);
}

#define CHECK(r, rows) check_rows(r, rows, T_ROWS(rows), #rows)

static void test_buffers(void **state)
{
    (void)state;
    tfl_t t;
    tfl_init(&t);
    feeds(&t, true, REQ1);
    feeds(&t, false, RESP1);
    CHECK(find(&t.c, DET_HTTP_REQ_HEADERS, 0), req1_rows);
    CHECK(find(&t.c, DET_HTTP_RESP_HEADERS, 0), resp1_rows);
    const rec_t *b = find(&t.c, DET_HTTP_RESP_BODY, 0);
    CHECK(b, resp1_body_rows);
    assert_true(b->last);
    assert_false(b->trunc);
    assert_int_equal(t.c.n, 3);
    assert_int_equal(t.m.st.requests, 1);
    assert_int_equal(t.m.st.responses, 1);
    assert_int_equal(t.m.st.malformed, 0);
    tfl_free(&t);
}

/* ---- URI normalization ------------------------------------------------------ */

static void test_uri_normalize(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } rows[] = {
        { "/", "/" },
        { "/a/b", "/a/b" },
        { "//a///b", "/a/b" },
        { "/a/./b", "/a/b" },
        { "/a/../b", "/b" },
        { "/../../a", "/a" },
        { "/a/b/..", "/a/" },
        { "/a/.", "/a/" },
        { "/a/...", "/a/..." },
        { "/a\\b\\..\\c", "/a/c" },
        { "/%2e%2e/etc/passwd", "/etc/passwd" },
        { "/%252e%252e/x", "/x" },            /* double decode */
        { "/a%2f..%2fb", "/b" },
        { "/a%u0041", "/aA" },
        { "/a%zz%4", "/a%zz%4" },             /* invalid escapes stay */
        { "/a%5cb", "/a/b" },                 /* decoded backslash */
        { "/a?x=/../y", "/a?x=/../y" },       /* query not simplified */
        { "/a?x=%2541&y=%41", "/a?x=A&y=A" },
        { "/a//b?c//d", "/a/b?c//d" },
        { "http://h.com//a/../b?c", "http://h.com/b?c" },
        { "HTTP://h.com", "HTTP://h.com" },
        { "*", "*" },
        { "example.com:443", "example.com:443" },
        { "/%00x", NULL },                    /* NULL: "/\0x" */
    };
    for (size_t i = 0; i < T_ROWS(rows); i++) {
        uint8_t out[256];
        size_t inlen = strlen(rows[i].in);
        const char *want = rows[i].out ? rows[i].out : "/\0x";
        size_t outlen = rows[i].out ? strlen(want) : 3;
        uint32_t n = det_http_uri_normalize((const uint8_t *)rows[i].in,
                                            (uint32_t)inlen, out);
        if (n != outlen || memcmp(out, want, n) != 0)
            fail_msg("uri row %zu: '%s' -> '%.*s', expected '%s'", i,
                     rows[i].in, (int)n, out, want);
        assert_true(n <= inlen);
    }
}

/* ---- recognition on any port ------------------------------------------------- */

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        det_http_kind_t want;
    } rows[] = {
        { "GET / HTTP/1.1\r\n", DET_HTTP_REQUEST },
        { "POST /x?y HTTP/1.0\r\n", DET_HTTP_REQUEST },
        { "\r\nGET / HTTP/1.1", DET_HTTP_REQUEST },
        { "PROPFIND /dav HTTP/1.1", DET_HTTP_REQUEST },
        { "GET / HTTP/1.", DET_HTTP_REQUEST },
        { "GET / HTTP/2.0", DET_HTTP_NO },
        { "GET / HTT", DET_HTTP_MORE },
        { "GE", DET_HTTP_MORE },
        { "", DET_HTTP_MORE },
        { "get / HTTP/1.1", DET_HTTP_NO },
        { "GET /\r\n", DET_HTTP_NO },            /* HTTP/0.9 */
        { "GET  HTTP/1.1", DET_HTTP_NO },
        { "SSH-2.0-OpenSSH_8.9\r\n", DET_HTTP_NO },
        { "\x16\x03\x01\x02\x00", DET_HTTP_NO },
        { "HTTP/1.1 200 OK\r\n", DET_HTTP_RESPONSE },
        { "HTTP/1.0 404", DET_HTTP_RESPONSE },
        { "HTTP/1.1 20", DET_HTTP_MORE },
        { "HTTP/", DET_HTTP_MORE },
        { "HTTP/2 200", DET_HTTP_NO },
        { "HTTP/1.1 2x0", DET_HTTP_NO },
    };
    for (size_t i = 0; i < T_ROWS(rows); i++) {
        det_http_kind_t k = det_http_detect((const uint8_t *)rows[i].in,
                                            (uint32_t)strlen(rows[i].in));
        if (k != rows[i].want)
            fail_msg("detect row %zu '%s': %d, expected %d", i, rows[i].in,
                     k, rows[i].want);
    }
    /* a 5000-byte URI gives up at DET_HTTP_DETECT_MAX */
    char big[6000];
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', sizeof(big) - 5);
    assert_int_equal(det_http_detect((uint8_t *)big, sizeof(big)), DET_HTTP_NO);
}

/* ---- framing -------------------------------------------------------------------- */

#define CHUNKED_RESP "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" \
                     "5;ext=1;q=\"a b\"\r\nhello\r\n6\r\n world\r\n" \
                     "0\r\nX-Trailer: t\r\n\r\n" \
                     "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

#define PIPELINED "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" \
                  "POST /2 HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde" \
                  "POST /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" \
                  "3\r\nxyz\r\n1\r\n!\r\n0\r\n\r\n" \
                  "\r\nGET /4 HTTP/1.0\r\n\r\n"

static void test_chunked(void **state)
{
    (void)state;
    tfl_t t;
    tfl_init(&t);
    feeds(&t, false, CHUNKED_RESP);
    const rec_t *b = find(&t.c, DET_HTTP_RESP_BODY, 0);
    expect_buf(b, RULE_BUF_FILE_DATA, "hello world", "chunked");
    expect_buf(b, RULE_BUF_HTTP_RAW_BODY, "hello world", "chunked");
    assert_true(b->last);
    expect_buf(find(&t.c, DET_HTTP_RESP_HEADERS, 1), RULE_BUF_HTTP_STAT_CODE,
               "404", "after trailer");
    assert_null(find(&t.c, DET_HTTP_RESP_BODY, 1));
    assert_int_equal(t.m.st.chunked, 1);
    assert_int_equal(t.m.st.responses, 2);
    assert_int_equal(t.m.st.malformed, 0);
    tfl_free(&t);

    /* the size line split at every byte: "1" "0" ";" ... */
    tfl_init(&t);
    feeds(&t, false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1");
    feeds(&t, false, "0");
    feeds(&t, false, ";x");
    feeds(&t, false, "\r");
    feeds(&t, false, "\n0123456789");
    feeds(&t, false, "abcdef");
    feeds(&t, false, "\r");
    feeds(&t, false, "\n0\r\n\r");
    feeds(&t, false, "\n");
    b = find(&t.c, DET_HTTP_RESP_BODY, 0);
    expect_buf(b, RULE_BUF_HTTP_RAW_BODY, "0123456789abcdef", "split size");
    assert_true(b->last);
    /* 10 bytes, 6 more, then the end with nothing new */
    assert_int_equal(count_ev(&t.c, DET_HTTP_RESP_BODY), 3);
    assert_int_equal(t.c.r[1].body_new, 0);
    assert_false(t.c.r[1].last);
    assert_int_equal(t.c.r[2].body_new, 10);
    assert_int_equal(t.c.r[3].body_new, 16);
    assert_true(t.c.r[3].last);
    assert_true(det_http_active(&t.f, false));
    tfl_free(&t);
}

static void test_pipelined(void **state)
{
    (void)state;
    tfl_t t;
    tfl_init(&t);
    feeds(&t, true, PIPELINED);
    assert_int_equal(count_ev(&t.c, DET_HTTP_REQ_HEADERS), 4);
    static const char *uris[] = { "/1", "/2", "/3", "/4" };
    for (uint32_t i = 0; i < 4; i++)
        expect_buf(find(&t.c, DET_HTTP_REQ_HEADERS, i), RULE_BUF_HTTP_URI,
                   uris[i], "pipelined uri");
    expect_buf(find(&t.c, DET_HTTP_REQ_HEADERS, 1), RULE_BUF_HTTP_METHOD,
               "POST", "pipelined method");
    const rec_t *b = find(&t.c, DET_HTTP_REQ_BODY, 1);
    expect_buf(b, RULE_BUF_HTTP_CLIENT_BODY, "abcde", "pipelined body");
    expect_buf(b, RULE_BUF_HTTP_URI, "/2", "body event keeps the headers");
    expect_buf(b, RULE_BUF_FILE_DATA, NULL, "no file_data in requests");
    expect_buf(find(&t.c, DET_HTTP_REQ_BODY, 2), RULE_BUF_HTTP_CLIENT_BODY,
               "xyz!", "chunked request");
    assert_null(find(&t.c, DET_HTTP_REQ_BODY, 0));
    assert_int_equal(t.m.st.requests, 4);
    assert_int_equal(t.m.st.malformed, 0);
    tfl_free(&t);
}

/* HEAD answers, 1xx, 204, 304: no body, the next response still parses. */
static void test_no_body(void **state)
{
    (void)state;
    tfl_t t;
    tfl_init(&t);
    feeds(&t, true, "HEAD /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n"
                    "GET /z HTTP/1.1\r\n\r\nGET /w HTTP/1.1\r\n\r\n");
    feeds(&t, false, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                     "HTTP/1.1 100 Continue\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                     "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n"
                     "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n");
    assert_int_equal(count_ev(&t.c, DET_HTTP_RESP_HEADERS), 5);
    assert_int_equal(count_ev(&t.c, DET_HTTP_RESP_BODY), 1);
    const rec_t *b = find(&t.c, DET_HTTP_RESP_BODY, 1);
    expect_buf(b, RULE_BUF_FILE_DATA, "abc", "after HEAD");
    expect_buf(b, RULE_BUF_HTTP_STAT_CODE, "200", "after 100");
    expect_buf(find(&t.c, DET_HTTP_RESP_HEADERS, 2), RULE_BUF_HTTP_STAT_CODE,
               "204", "204");
    expect_buf(find(&t.c, DET_HTTP_RESP_HEADERS, 3), RULE_BUF_HTTP_STAT_CODE,
               "304", "304");
    /* the 100 is numbered with the response it precedes */
    assert_int_equal(t.c.r[5].index, 1);
    expect_buf(&t.c.r[5], RULE_BUF_HTTP_STAT_MSG, "Continue", "100");
    assert_int_equal(t.m.st.responses, 5);
    tfl_free(&t);

    /* close-delimited */
    tfl_init(&t);
    feeds(&t, false, "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nsome ");
    feeds(&t, false, "data");
    det_http_eof(&t.m, &t.f, false, coll_cb, &t.c);
    b = find(&t.c, DET_HTTP_RESP_BODY, 0);
    expect_buf(b, RULE_BUF_FILE_DATA, "some data", "close-delimited");
    assert_true(b->last);
    assert_int_equal(t.m.st.truncated, 0);
    tfl_free(&t);

    /* a Content-Length body cut by the end is truncated */
    tfl_init(&t);
    feeds(&t, true, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    det_http_eof(&t.m, &t.f, true, coll_cb, &t.c);
    b = find(&t.c, DET_HTTP_REQ_BODY, 0);
    expect_buf(b, RULE_BUF_HTTP_CLIENT_BODY, "abc", "cut body");
    assert_true(b->last);
    assert_int_equal(t.m.st.truncated, 1);
    tfl_free(&t);

    /* 101 and CONNECT end the parsing */
    tfl_init(&t);
    feeds(&t, true, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
    feeds(&t, false, "HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x05hello");
    feeds(&t, true, "\x81\x85garbage");
    assert_false(det_http_active(&t.f, true));
    assert_false(det_http_active(&t.f, false));
    assert_int_equal(t.m.st.upgrades, 1);
    assert_int_equal(t.m.st.malformed, 0);
    tfl_free(&t);
    /* CONNECT refused with 407, retried, then the client talks TLS */
    tfl_init(&t);
    feeds(&t, true, "CONNECT h:443 HTTP/1.1\r\n\r\n");
    feeds(&t, false, "HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n");
    feeds(&t, true, "CONNECT h:443 HTTP/1.1\r\nProxy-Authorization: x\r\n\r\n");
    assert_int_equal(t.m.st.requests, 2);
    feeds(&t, true, "\x16\x03\x01");
    assert_false(det_http_active(&t.f, true));
    assert_int_equal(t.m.st.upgrades, 1);
    tfl_free(&t);
    tfl_init(&t);
    feeds(&t, true, "CONNECT h:443 HTTP/1.1\r\n\r\n\x16\x03\x01");
    feeds(&t, false, "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03");
    assert_false(det_http_active(&t.f, false));
    assert_int_equal(t.m.st.malformed, 0);
    expect_buf(find(&t.c, DET_HTTP_REQ_HEADERS, 0), RULE_BUF_HTTP_URI,
               "h:443", "CONNECT");
    tfl_free(&t);
}

/* ---- compressed bodies ----------------------------------------------------------- */

/* Compress src with zlib: wbits 31 gzip, 15 zlib, -15 raw deflate. */
static uint8_t *zip(const void *src, size_t n, int wbits, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 9,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, n) + 64;
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* A response with the given coding and body, chunked in pieces of
 * `chunk` bytes (0: Content-Length); malloc'd. */
static char *resp_with(const char *coding, const uint8_t *body, size_t n,
                       size_t chunk, size_t *outlen)
{
    size_t cap = n * 2 + 4096;
    char *s = malloc(cap);
    int k = snprintf(s, cap, "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\n", coding);
    if (chunk == 0) {
        k += snprintf(s + k, cap - k, "Content-Length: %zu\r\n\r\n", n);
        memcpy(s + k, body, n);
        k += (int)n;
    } else {
        k += snprintf(s + k, cap - k, "Transfer-Encoding: chunked\r\n\r\n");
        for (size_t off = 0; off < n; off += chunk) {
            size_t c = n - off < chunk ? n - off : chunk;
            k += snprintf(s + k, cap - k, "%zx\r\n", c);
            memcpy(s + k, body + off, c);
            k += (int)c;
            k += snprintf(s + k, cap - k, "\r\n");
        }
        k += snprintf(s + k, cap - k, "0\r\n\r\n");
    }
    *outlen = (size_t)k;
    return s;
}

static void test_gzip_deflate(void **state)
{
    (void)state;
    char text[3000];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = "The quick brown fox jumps over the lazy dog. "[i % 45];
    text[1234] = '#';
    static const struct {
        const char *coding;
        int wbits;
        size_t chunk;
    } rows[] = {
        { "gzip", 31, 0 }, { "gzip", 31, 100 }, { "x-gzip", 31, 7 },
        { "deflate", 15, 0 }, { "deflate", -15, 0 }, { "deflate", -15, 1 },
        { "Deflate", 15, 33 }, { "identity, gzip", 31, 0 },
    };
    for (size_t i = 0; i < T_ROWS(rows); i++) {
        size_t zn, rn;
        uint8_t *z = zip(text, sizeof(text), rows[i].wbits, &zn);
        char *r = resp_with(rows[i].coding, z, zn, rows[i].chunk, &rn);
        for (size_t step = 0; step <= 1; step++) {
            tfl_t t;
            tfl_init(&t);
            feed(&t, false, r, rn, step);
            const rec_t *b = find(&t.c, DET_HTTP_RESP_BODY, 0);
            assert_non_null(b);
            assert_true(b->last);
            bool stacked = strchr(rows[i].coding, ',') != NULL;
            if (stacked) {        /* stacked codings are not decoded */
                assert_int_equal(b->len[RULE_BUF_FILE_DATA], zn);
            } else {
                if (b->len[RULE_BUF_FILE_DATA] != sizeof(text) ||
                    memcmp(b->buf[RULE_BUF_FILE_DATA], text, sizeof(text)))
                    fail_msg("coding row %zu step %zu: file_data %u bytes", i,
                             step, b->len[RULE_BUF_FILE_DATA]);
                assert_int_equal(t.m.st.gzip + t.m.st.deflate, 1);
            }
            assert_int_equal(b->len[RULE_BUF_HTTP_RAW_BODY], zn);
            assert_memory_equal(b->buf[RULE_BUF_HTTP_RAW_BODY], z, zn);
            assert_int_equal(t.m.st.decompress_errors, 0);
            tfl_free(&t);
        }
        free(z);
        free(r);
    }
}

/* 16 MiB of zeros in ~16 KiB of gzip, behind a small second response. */
static void test_bomb(void **state)
{
    (void)state;
    size_t n = 16u << 20, zn, rn;
    uint8_t *zeros = calloc(1, n);
    uint8_t *z = zip(zeros, n, 31, &zn);
    free(zeros);
    char *r = resp_with("gzip", z, zn, 4096, &rn);
    static const char next[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    static const struct {
        uint32_t depth, dmax, ratio;
        uint32_t want_len;      /* file_data length; 0: only <= dmax */
        int which;              /* 0 decompress_limit, 1 ratio, 2 body_limit */
    } rows[] = {
        { 1u << 20, 65536, 0, 65536, 0 },
        { 1u << 20, 1u << 20, 100, 0, 1 },
        { 30000, 1u << 20, 0, 30000, 2 },
    };
    for (size_t i = 0; i < T_ROWS(rows); i++) {
        tfl_t t;
        tfl_init(&t);
        t.m.lim.resp_body_depth = rows[i].depth;
        t.m.lim.decompress_max = rows[i].dmax;
        t.m.lim.decompress_ratio = rows[i].ratio;
        feed(&t, false, r, rn, 1000);
        feeds(&t, false, next);
        const rec_t *b = find(&t.c, DET_HTTP_RESP_BODY, 0);
        assert_non_null(b);
        assert_true(b->last);
        assert_true(b->trunc);
        if (rows[i].want_len)
            assert_int_equal(b->len[RULE_BUF_FILE_DATA], rows[i].want_len);
        else
            assert_true(b->len[RULE_BUF_FILE_DATA] < (1u << 20));
        assert_int_equal(t.m.st.decompress_limit, rows[i].which == 0);
        assert_int_equal(t.m.st.ratio_limit, rows[i].which == 1);
        assert_int_equal(t.m.st.body_limit, rows[i].which == 2);
        /* the body events stopped at the limit; the framing did not */
        expect_buf(find(&t.c, DET_HTTP_RESP_BODY, 1), RULE_BUF_FILE_DATA, "ok",
                   "after the bomb");
        tfl_free(&t);
    }
    free(z);
    free(r);
}

/* ---- limits ----------------------------------------------------------------------- */

static void test_limits(void **state)
{
    (void)state;
    tfl_t t;
    char *s = malloc(1 << 20);

    /* header section over max_header_bytes: counted, direction given up */
    tfl_init(&t);
    t.m.lim.max_header_bytes = 4096;
    int k = sprintf(s, "GET / HTTP/1.1\r\nX-Big: ");
    memset(s + k, 'x', 10000);
    feed(&t, true, s, (size_t)k + 10000, 100);
    feeds(&t, true, "\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
    assert_int_equal(t.m.st.header_limit, 1);
    assert_int_equal(t.c.n, 0);
    assert_false(det_http_active(&t.f, true));
    assert_true(det_http_active(&t.f, false));
    tfl_free(&t);

    /* more than max_headers lines: the first 100 reach http_header */
    tfl_init(&t);
    k = sprintf(s, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 150; i++)
        k += sprintf(s + k, "H%d: v\r\n", i);
    k += sprintf(s + k, "Content-Length: 2\r\n\r\nok");
    feed(&t, true, s, (size_t)k, 0);
    const rec_t *h = find(&t.c, DET_HTTP_REQ_HEADERS, 0);
    assert_non_null(h);
    assert_non_null(memmem(h->buf[RULE_BUF_HTTP_HEADER], h->len[RULE_BUF_HTTP_HEADER], "H99: v", 6));
    assert_null(memmem(h->buf[RULE_BUF_HTTP_HEADER], h->len[RULE_BUF_HTTP_HEADER], "H100: v", 7));
    assert_int_equal(h->len[RULE_BUF_HTTP_RAW_HEADER], (uint32_t)k - 16 - 4);
    /* framing after the cut still counts */
    expect_buf(find(&t.c, DET_HTTP_REQ_BODY, 0), RULE_BUF_HTTP_CLIENT_BODY, "ok",
               "length after 150 headers");
    assert_int_equal(t.m.st.headers_limit, 1);
    tfl_free(&t);

    /* endless chunks: 10 MB of 1000-byte chunks, body kept to the depth */
    tfl_init(&t);
    feeds(&t, false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    k = 0;
    for (int i = 0; i < 100; i++) {
        k += sprintf(s + k, "3e8\r\n");
        memset(s + k, 'a' + i % 26, 1000);
        k += 1000;
        k += sprintf(s + k, "\r\n");
    }
    for (int rep = 0; rep < 100; rep++)
        feed(&t, false, s, (size_t)k, 4000);
    feeds(&t, false, "0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    const rec_t *b = find(&t.c, DET_HTTP_RESP_BODY, 0);
    assert_int_equal(b->len[RULE_BUF_FILE_DATA], 65536);
    assert_true(b->last && b->trunc);
    assert_int_equal(t.m.st.body_limit, 1);
    assert_int_equal(count_ev(&t.c, DET_HTTP_RESP_BODY), 17); /* 16 feeds + cut */
    expect_buf(find(&t.c, DET_HTTP_RESP_HEADERS, 1), RULE_BUF_HTTP_STAT_CODE,
               "204", "after endless chunks");
    tfl_free(&t);

    /* chunk line too long, chunk too big */
    static const char *bad_chunks[] = {
        "fffffffff\r\n",                       /* over 0xffffffff */
        "00000000000000000000000000000000000000000000000001\r\nx\r\n", /* ok */
        "5;",                                  /* + 2000 bytes of extension */
    };
    for (int i = 0; i < 3; i++) {
        tfl_init(&t);
        feeds(&t, false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        feeds(&t, false, bad_chunks[i]);
        if (i == 2) {
            memset(s, 'e', 2000);
            feed(&t, false, s, 2000, 0);
        }
        assert_int_equal(t.m.st.chunk_limit, i != 1);
        assert_int_equal(det_http_active(&t.f, false), i == 1);
        tfl_free(&t);
    }

    /* request body depth */
    tfl_init(&t);
    t.m.lim.req_body_depth = 10;
    feeds(&t, true, "POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij"
                    "GET /after HTTP/1.1\r\n\r\n");
    b = find(&t.c, DET_HTTP_REQ_BODY, 0);
    expect_buf(b, RULE_BUF_HTTP_CLIENT_BODY, "0123456789", "request depth");
    assert_true(b->trunc);
    assert_int_equal(t.m.st.body_limit, 1);
    expect_buf(find(&t.c, DET_HTTP_REQ_HEADERS, 1), RULE_BUF_HTTP_URI, "/after",
               "after the depth");
    tfl_free(&t);
    free(s);
}

/* ---- split feeds give the same buffers ------------------------------------------------ */

/* Serialize headers events and last body events: the result must not
 * depend on how the stream was cut. */
static char *signature(const coll_t *c, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    for (size_t i = 0; i < c->n; i++) {
        const rec_t *r = &c->r[i];
        bool body = r->ev == DET_HTTP_REQ_BODY || r->ev == DET_HTTP_RESP_BODY;
        if (body && !r->last)
            continue;
        for (int b = 0; b < RULE_BUF_COUNT; b++) {
            size_t need = n + 32 + r->len[b];
            if (need > cap) {
                cap = need * 2;
                s = realloc(s, cap);
            }
            n += (size_t)sprintf(s + n, "|%d.%u.%d.%d:", r->ev, r->index, b,
                                 r->buf[b] != NULL);
            if (r->buf[b] != NULL) {
                memcpy(s + n, r->buf[b], r->len[b]);
                n += r->len[b];
            }
        }
    }
    *len = n;
    return s;
}

static void test_split_feeds(void **state)
{
    (void)state;
    size_t zn, gn;
    char text[2000];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (char)('a' + (i * 7) % 26);
    uint8_t *z = zip(text, sizeof(text), 31, &zn);
    char *gz = resp_with("gzip", z, zn, 300, &gn);
    static const size_t steps[] = { 0, 1, 2, 3, 5, 7, 13, 64, 1000 };
    const struct {
        const char *data;
        size_t len;
        bool to_server;
    } streams[] = {
        { REQ1 PIPELINED, strlen(REQ1 PIPELINED), true },
        { CHUNKED_RESP RESP1, strlen(CHUNKED_RESP RESP1), false },
        { gz, gn, false },
    };
    for (size_t s = 0; s < T_ROWS(streams); s++) {
        char *want = NULL;
        size_t wlen = 0;
        for (size_t i = 0; i < T_ROWS(steps); i++) {
            tfl_t t;
            tfl_init(&t);
            feed(&t, streams[s].to_server, streams[s].data, streams[s].len,
                 steps[i]);
            size_t glen;
            char *got = signature(&t.c, &glen);
            assert_true(glen > 0);
            if (want == NULL) {
                want = got;
                wlen = glen;
            } else {
                if (glen != wlen || memcmp(got, want, wlen) != 0)
                    fail_msg("stream %zu: step %zu differs from one feed", s,
                             steps[i]);
                free(got);
            }
            assert_int_equal(t.m.st.malformed, 0);
            tfl_free(&t);
        }
        free(want);
    }
    free(z);
    free(gz);
}

/* ---- malformed input ------------------------------------------------------------------- */

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        bool to_server;
        const char *in;
        bool active;          /* still followed afterwards */
        uint32_t events;      /* events emitted */
    } rows[] = {
        { true, "GET\r\n\r\n", false, 0 },
        { true, "GET /\r\n\r\n", false, 0 },
        { true, "\x01\x02\x03 binary junk without a line end", false, 0 },
        { true, "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", false, 1 },
        { true, "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", false, 1 },
        { true, "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", false, 1 },
        { true, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, 1 },
        { true, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n", false, 1 },
        { true, "GET / HTTP/1.1\r\nno colon line\r\n: empty name\r\n\r\n", true, 1 },
        { true, " folded first\r\n", false, 0 },
        { false, "HTTP/1.1 2x0 OK\r\n\r\n", false, 0 },
        { false, "HTTP/1.1 200OK\r\n\r\n", false, 0 },
        { false, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nabc", true, 2 },
        { false, "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", true, 1 },
        { false, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello", true, 2 },
        { false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n", true, 2 },
    };
    for (size_t i = 0; i < T_ROWS(rows); i++) {
        for (size_t step = 0; step <= 1; step++) {
            tfl_t t;
            tfl_init(&t);
            feed(&t, rows[i].to_server, rows[i].in, strlen(rows[i].in), step);
            if (t.m.st.malformed + t.m.st.decompress_errors == 0)
                fail_msg("malformed row %zu: nothing counted", i);
            if (det_http_active(&t.f, rows[i].to_server) != rows[i].active ||
                count_msgs(&t.c) != rows[i].events)
                fail_msg("malformed row %zu step %zu: active %d events %zu", i,
                         step, det_http_active(&t.f, rows[i].to_server),
                         count_msgs(&t.c));
            tfl_free(&t);
        }
    }
    /* corrupt gzip before any output: file_data falls back to the raw body */
    tfl_t t;
    tfl_init(&t);
    feeds(&t, false, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                     "Content-Length: 5\r\n\r\nhello");
    expect_buf(find(&t.c, DET_HTTP_RESP_BODY, 0), RULE_BUF_FILE_DATA, "hello",
               "gzip fallback");
    assert_int_equal(t.m.st.decompress_errors, 1);
    tfl_free(&t);
}

static uint32_t rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* Mutated streams in random pieces: no crash, no leak (valgrind). */
static void test_mutations(void **state)
{
    (void)state;
    size_t zn, gn;
    uint8_t *z = zip(REQ1 RESP1, strlen(REQ1 RESP1), 31, &zn);
    char *gz = resp_with("gzip", z, zn, 50, &gn);
    const char *req = REQ1 PIPELINED;
    size_t rlen = strlen(req), blen = gn + strlen(CHUNKED_RESP);
    uint8_t *a = malloc(rlen), *b = malloc(blen);
    uint32_t seed = 12345;
#define RND() rnd(&seed)
    uint64_t events = 0;
    for (int iter = 0; iter < 400; iter++) {
        memcpy(a, req, rlen);
        memcpy(b, gz, gn);
        memcpy(b + gn, CHUNKED_RESP, blen - gn);
        for (int k = 0; k < 1 + iter % 8; k++) {
            uint32_t at = RND();
            a[at % rlen] = (uint8_t)RND();
            at = RND();
            b[at % blen] = (uint8_t)RND();
        }
        tfl_t t;
        tfl_init(&t);
        t.m.lim.max_header_bytes = 512 + RND() % 512;
        size_t ia = 0, ib = 0;
        while (ia < rlen || ib < blen) {
            size_t na = 1 + RND() % 40, nb = 1 + RND() % 90;
            na = rlen - ia < na ? rlen - ia : na;
            nb = blen - ib < nb ? blen - ib : nb;
            feed(&t, true, a + ia, na, 0);
            feed(&t, false, b + ib, nb, 0);
            ia += na;
            ib += nb;
        }
        det_http_eof(&t.m, &t.f, true, coll_cb, &t.c);
        det_http_eof(&t.m, &t.f, false, coll_cb, &t.c);
        events += t.c.n;
        tfl_free(&t);
    }
    assert_true(events > 400);
    free(a);
    free(b);
    free(z);
    free(gz);
}

/* ---- rules on the buffers -------------------------------------------------------------- */

#define MREQ "GET /x/../Index.php?id=1 HTTP/1.1\r\n" \
             "Host: www.example.com\r\n" \
             "Cookie: session=secret\r\n" \
             "User-Agent: Mozilla\r\n\r\n"
#define MPOST "POST /login HTTP/1.1\r\nContent-Length: 17\r\n\r\nuser=admin&pass=x"

enum { E_REQ, E_POST_HDR, E_POST_BODY, E_RESP, E_RESP_BODY };

typedef struct mrow {
    const char *opts;
    int event;
    int expect;
} mrow_t;

static const mrow_t mrows[] = {
    /* Snort 2 modifiers and Snort 3 sticky buffers pick the same buffer */
    { "content:\"Index.php\"; http_uri", E_REQ, 1 },
    { "http_uri; content:\"Index.php\"", E_REQ, 1 },
    { "content:\"Index.php\"; http_header", E_REQ, 0 },
    { "http_header; content:\"Index.php\"", E_REQ, 0 },
    { "content:\"Index.php\"", E_REQ, 0 },             /* packet bytes */
    { "content:\"/index.php\"; nocase; http_uri", E_REQ, 1 },
    { "content:\"/x/../\"; http_uri", E_REQ, 0 },
    { "content:\"/x/../\"; http_raw_uri", E_REQ, 1 },
    { "http_raw_uri; content:\"/x/../\"", E_REQ, 1 },
    { "uricontent:\"id=1\"", E_REQ, 1 },
    { "content:\"Index.php\"; http_uri", E_RESP, 0 },
    { "content:\"packet\"", E_REQ, 1 },
    /* cookies are not in http_header */
    { "content:\"session\"; http_header", E_REQ, 0 },
    { "http_header; content:\"Cookie\"", E_REQ, 0 },
    { "content:\"session=secret\"; http_cookie", E_REQ, 1 },
    { "http_cookie; content:\"session=secret\"; bufferlen:14", E_REQ, 1 },
    { "content:\"Cookie|3a| session\"; http_raw_header", E_REQ, 1 },
    { "content:\"Mozilla\"; http_header", E_REQ, 1 },
    { "http_header; content:\"Host|3a| www.example.com|0d 0a|\"", E_REQ, 1 },
    { "content:\"GET\"; http_method", E_REQ, 1 },
    { "content:\"POST\"; http_method", E_REQ, 0 },
    { "http_method; content:\"POST\"", E_POST_HDR, 1 },
    /* urilen: normalized "/Index.php?id=1" (15), raw 20 */
    { "urilen:15", E_REQ, 1 },
    { "urilen:>15", E_REQ, 0 },
    { "urilen:10<>20", E_REQ, 1 },
    { "urilen:20,raw", E_REQ, 1 },
    { "urilen:15,norm", E_REQ, 1 },
    { "urilen:15", E_RESP, 0 },
    /* urilen neither selects a buffer nor moves the cursor */
    { "content:\"pack\"; urilen:15; content:\"et\"; distance:0; within:2", E_REQ, 1 },
    /* the cursor restarts when the buffer changes */
    { "content:\"Index\"; http_uri; content:\"id\"; http_uri; distance:0; within:7", E_REQ, 1 },
    { "content:\"Index\"; http_uri; content:\"id\"; http_uri; distance:0; within:6", E_REQ, 0 },
    { "content:\"Index\"; http_uri; content:\"Mozilla\"; http_header; distance:0", E_REQ, 1 },
    { "http_uri; content:\"Index\"; http_header; content:\"Host\"; within:4", E_REQ, 1 },
    { "http_uri; content:\"Index\"; pkt_data; content:\"packet\"; within:6", E_REQ, 1 },
    /* other options on HTTP buffers */
    { "pcre:\"/id=\\d/U\"", E_REQ, 1 },
    { "pcre:\"/Mozilla/H\"", E_REQ, 1 },
    { "pcre:\"/Mozilla/U\"", E_REQ, 0 },
    { "pcre:\"/^GET$/M\"", E_REQ, 1 },
    { "http_uri; isdataat:14", E_REQ, 1 },
    { "http_uri; isdataat:15", E_REQ, 0 },
    { "http_uri; content:\"id=\"; byte_test:1,=,1,0,relative,string", E_REQ, 1 },
    { "http_uri; bufferlen:15", E_REQ, 1 },
    { "http_uri; content:!\"admin\"", E_REQ, 1 },
    { "http_uri; content:!\"admin\"", E_RESP, 0 },      /* no URI: no match */
    /* bodies */
    { "content:\"pass=\"; http_client_body", E_POST_BODY, 1 },
    { "content:\"pass=\"; http_client_body", E_POST_HDR, 0 },
    { "content:\"POST\"; http_method; content:\"user=admin\"; http_client_body", E_POST_BODY, 1 },
    { "file_data; content:\"pass=\"", E_POST_BODY, 0 },
    { "file_data; content:\"evil payload\"", E_RESP_BODY, 1 },
    { "file_data; content:\"evil payload\"", E_RESP, 0 },
    { "file_data; content:\"evil\"; pkt_data; content:\"packet\"", E_RESP_BODY, 1 },
    { "content:\"evil\"; http_raw_body", E_RESP_BODY, 0 },   /* still gzip */
    { "http_raw_body; content:\"|1f 8b|\"; depth:2", E_RESP_BODY, 1 },
    /* responses */
    { "content:\"404\"; http_stat_code", E_RESP, 1 },
    { "http_stat_msg; content:\"Not Found\"", E_RESP, 1 },
    { "content:\"tracker=1\"; http_cookie", E_RESP, 1 },
    { "content:\"tracker\"; http_header", E_RESP, 0 },
    { "content:\"404\"; http_stat_code; file_data; content:\"evil\"", E_RESP_BODY, 1 },
};

static void test_match(void **state)
{
    (void)state;
    tfl_t t;
    tfl_init(&t);
    feeds(&t, true, MREQ MPOST);
    static const char html[] = "<html>evil payload</html>";
    size_t zn, rn;
    uint8_t *z = zip(html, strlen(html), 31, &zn);
    char *r = malloc(zn + 256);
    int k = sprintf(r, "HTTP/1.1 404 Not Found\r\nContent-Encoding: gzip\r\n"
                       "Set-Cookie: tracker=1\r\nContent-Length: %zu\r\n\r\n", zn);
    memcpy(r + k, z, zn);
    rn = (size_t)k + zn;
    feed(&t, false, r, rn, 0);
    const rec_t *ev[] = {
        find(&t.c, DET_HTTP_REQ_HEADERS, 0), find(&t.c, DET_HTTP_REQ_HEADERS, 1),
        find(&t.c, DET_HTTP_REQ_BODY, 1), find(&t.c, DET_HTTP_RESP_HEADERS, 0),
        find(&t.c, DET_HTTP_RESP_BODY, 0),
    };
    for (int i = 0; i < 5; i++)
        assert_non_null(ev[i]);

    tpkt_t pk = { .payload = "packet bytes only" };
    tframe_t f;
    t_build(&pk, &f);
    for (size_t i = 0; i < T_ROWS(mrows); i++) {
        char text[1024];
        tset_t ts;
        t_rule_text(text, sizeof(text), mrows[i].opts, 1000 + (unsigned)i);
        t_load(&ts, text, 1);
        det_match_ctx_t m;
        det_match_ctx_init(&m, &ts.mt, &f.p);
        const rec_t *e = ev[mrows[i].event];
        det_match_ctx_set_bufs(&m, (const uint8_t *const *)e->buf, e->len);
        int got = det_rule_match(ts.set.rules[0], &m) != DET_NO_MATCH;
        if (got != mrows[i].expect)
            fail_msg("match row %zu '%s' on event %d: got %d", i, mrows[i].opts,
                     mrows[i].event, got);
        /* the rule names its buffers */
        assert_true(det_rule_buffers(ts.set.rules[0]) != 0);
        /* the same rule without HTTP buffers never matches on them */
        det_match_ctx_clear_bufs(&m);
        if (det_rule_needs_http(ts.set.rules[0]))
            assert_int_equal(det_rule_match(ts.set.rules[0], &m), DET_NO_MATCH);
        t_unload(&ts);
    }
    free(z);
    free(r);
    tfl_free(&t);
}

static void test_rule_buffers(void **state)
{
    (void)state;
    static const struct {
        const char *opts;
        uint32_t mask;
    } rows[] = {
        { "content:\"a\"", DET_BUF_BIT(RULE_BUF_PKT) },
        { "content:\"a\"; http_uri; content:\"b\"; http_header",
          DET_BUF_BIT(RULE_BUF_HTTP_URI) | DET_BUF_BIT(RULE_BUF_HTTP_HEADER) },
        { "urilen:5,raw", DET_BUF_BIT(RULE_BUF_HTTP_RAW_URI) },
        { "file_data; content:\"a\"; pkt_data; content:\"b\"",
          DET_BUF_BIT(RULE_BUF_FILE_DATA) | DET_BUF_BIT(RULE_BUF_PKT) },
        { "flow:established", 0 },
    };
    for (size_t i = 0; i < T_ROWS(rows); i++) {
        char text[512];
        tset_t ts;
        t_rule_text(text, sizeof(text), rows[i].opts, 1);
        t_load(&ts, text, 1);
        if (det_rule_buffers(ts.set.rules[0]) != rows[i].mask)
            fail_msg("buffers row %zu '%s': %#x", i, rows[i].opts,
                     det_rule_buffers(ts.set.rules[0]));
        t_unload(&ts);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffers),
        cmocka_unit_test(test_uri_normalize),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_no_body),
        cmocka_unit_test(test_gzip_deflate),
        cmocka_unit_test(test_bomb),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_split_feeds),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_rule_buffers),
    };
    printf("match rows: %zu\n", T_ROWS(mrows));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
