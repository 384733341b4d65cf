/*
 * http_int.h - what the HTTP parser's files share; internal to
 * detect/http*.c.
 *
 * http.c drives the per-direction state machine (start line, header
 * section, Content-Length / chunked / close-delimited bodies, pipelining,
 * events); http_hdr.c turns a complete header section into the header
 * buffers and the framing facts; http_body.c stores body bytes up to the
 * depth and inflates gzip/deflate bodies within their limits; http_uri.c
 * normalizes the URI.  Every buffer is a det_hbuf_t with a hard capacity
 * given by the caller, so no path can grow memory past a limit.
 */
#ifndef DET_HTTP_INT_H
#define DET_HTTP_INT_H

#include "detect/http.h"

struct z_stream_s;

/* A growable byte buffer; never grows past the cap given to each call. */
typedef struct det_hbuf {
    uint8_t *p;
    uint32_t len, cap;
} det_hbuf_t;

/* A piece of the header buffer (offset and length in det_http_dir_t.hdr). */
typedef struct det_slice {
    uint32_t off, len;
    bool set;
} det_slice_t;

enum det_http_state {
    DET_HS_START,       /* before a start line (empty lines are skipped) */
    DET_HS_HEADERS,     /* start line + header section accumulate in hdr */
    DET_HS_BODY_LEN,    /* Content-Length body: `left` bytes to go */
    DET_HS_BODY_CLOSE,  /* body until the direction ends */
    DET_HS_CHUNK_SIZE,  /* hex digits of a chunk size (value in `left`) */
    DET_HS_CHUNK_EXT,   /* rest of the chunk size line, up to LF */
    DET_HS_CHUNK_DATA,  /* `left` bytes of chunk data */
    DET_HS_CHUNK_END,   /* the CRLF after chunk data */
    DET_HS_TRAILER,     /* trailer lines until an empty one */
    DET_HS_TUNNEL,      /* after 101 or CONNECT 2xx: not HTTP any more */
    DET_HS_DEAD,        /* framing lost or a limit hit: not followed */
};

enum det_http_coding { DET_HC_NONE, DET_HC_GZIP, DET_HC_DEFLATE };

/* Flags of a pending request (det_http.pend). */
#define DET_HP_HEAD    0x01u
#define DET_HP_CONNECT 0x02u

/* Buffers above this capacity are freed between messages. */
#define DET_HTTP_KEEP_CAP 16384u

/* Decompression ratio is checked once this much was produced. */
#define DET_HTTP_RATIO_MIN_OUT 16384u

/* Framing facts read from a header section. */
typedef struct det_http_frame {
    uint64_t cl;            /* Content-Length value */
    bool has_cl;
    bool bad_cl;            /* not digits, too long, or two different ones */
    bool chunked;           /* Transfer-Encoding ends with chunked */
    bool te_other;          /* Transfer-Encoding without chunked last */
    bool anomaly;           /* a header line without ':' and the like */
    bool too_many;          /* more than max_headers lines */
    uint8_t coding;         /* enum det_http_coding of Content-Encoding */
    uint16_t status;        /* responses */
} det_http_frame_t;

/* One direction of a flow. */
typedef struct det_http_dir {
    uint8_t state;          /* enum det_http_state */
    uint8_t coding;         /* enum det_http_coding of the current body */
    bool to_server;
    bool in_body;           /* a body is being read (events may follow) */
    bool body_on;           /* body bytes still reach a buffer */
    bool body_cut;          /* a limit stopped the body buffers */
    bool body_last_sent;    /* the last body event went out */
    bool raw_cut;           /* raw body stopped at its depth */
    bool z_done;            /* decompression finished or stopped */
    bool chunk_bad;         /* CHUNK_END saw junk (counted once) */
    bool cookie_set;
    bool chunk_digit;       /* the chunk size line had a hex digit */
    bool after_connect;     /* requests: the last one was CONNECT */        /* the message had a Cookie / Set-Cookie line */
    uint8_t zhead_n;        /* deflate: bytes held to sniff the header */
    uint8_t zhead[2];
    uint32_t line_len;      /* chunk line / trailer line bytes so far */
    uint32_t trailer_bytes;
    uint32_t hdr_line;      /* start of the current line in hdr */
    uint32_t nlines;        /* lines in hdr */
    uint32_t next_index;    /* messages numbered so far */
    uint32_t index;         /* number of the current message */
    uint64_t left;          /* body or chunk bytes to go / chunk size */
    uint64_t z_in, z_out;   /* compressed in, decompressed out */
    uint32_t ev_body;       /* body lengths at the last body event */
    uint32_t ev_file;
    det_hbuf_t hdr;         /* start line + header section, as received */
    det_hbuf_t uri;         /* normalized URI */
    det_hbuf_t hnorm;       /* http_header */
    det_hbuf_t cookie;      /* http_cookie */
    det_hbuf_t body;        /* dechunked body (client body / raw body) */
    det_hbuf_t file;        /* decompressed response body */
    det_slice_t method, target, version, code, msg, start, raw_header,
                true_ip;
    struct z_stream_s *z;
} det_http_dir_t;

struct det_http {
    det_http_dir_t d[2];    /* [0] client -> server, [1] server -> client */
    uint8_t pend[DET_HTTP_PIPELINE]; /* DET_HP_* of requests awaiting answers */
    uint8_t pend_head, pend_n;
};

/* ---- http.c ---- */
/* Append at most cap - b->len bytes of d; returns the bytes appended
 * (fewer on allocation failure too). */
uint32_t det_hbuf_put(det_hbuf_t *b, const void *d, uint32_t n, uint32_t cap);
/* Make room for want bytes in total (bounded by cap); false on failure. */
bool det_hbuf_reserve(det_hbuf_t *b, uint32_t want, uint32_t cap);
void det_hbuf_free(det_hbuf_t *b);

/* ---- http_hdr.c ---- */
/* Parse the complete header section in d->hdr: slices, uri, hnorm, cookie
 * and the framing facts.  -1 when the start line is not HTTP/1.x (or
 * memory ran out). */
int det_http_parse_head(det_http_dir_t *d, const det_http_limits_t *lim,
                        det_http_frame_t *fr);
/* Put the header buffers of d into tx. */
void det_http_head_bufs(const det_http_dir_t *d, det_http_tx_t *tx);

/* ---- http_body.c ---- */
/* Body bytes of the current message (dechunked). */
void det_http_body_data(det_http_mgr_t *m, det_http_dir_t *d,
                        const uint8_t *p, uint32_t n);
/* Put the body buffers of d into tx. */
void det_http_body_bufs(const det_http_dir_t *d, det_http_tx_t *tx);
/* End the decompressor, if any. */
void det_http_body_end(det_http_dir_t *d);

#endif
