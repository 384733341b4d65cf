/*
 * http.h - HTTP/1.x inspection on reassembled TCP streams: requests and
 * responses are parsed from successive in-order chunks of each direction and
 * turned into the rule inspection buffers (http_uri, http_header, file_data,
 * ...), handed to the caller through a callback per event.
 *
 * Ownership: one det_http_mgr_t per detector holds the limits and the
 * counters (one writer: that detector).  Per flow the parser state hangs off
 * det_flow_t.http, created by the first det_http_feed and released by
 * det_flow_release (det_http_free).  Every buffer a flow holds is bounded by
 * a limit below, so a direction never holds more than 4 x max_header_bytes
 * (section, URI, http_header, cookies) + 2 x the body depth + one zlib
 * inflate state (about 45 KiB, only while a compressed body is read);
 * buffers over 16 KiB are freed between messages; a limit that is hit
 * is counted, never fatal; malformed input is counted and, where framing is
 * lost, ends HTTP inspection of that direction (the stream is still
 * inspected as pkt_data by the caller).
 *
 * Events (det_http_tx_t.ev), per message:
 *   REQ_HEADERS / RESP_HEADERS  once the start line and header section are
 *                               complete: method, uri, raw_uri, header,
 *                               raw_header, cookie, raw_cookie, version,
 *                               raw_request / stat_code, stat_msg, raw_status;
 *   REQ_BODY / RESP_BODY        as body bytes arrive (at most once per feed
 *                               call and message), up to the body depth: the
 *                               header buffers again plus http_client_body
 *                               and http_raw_body (requests) or file_data
 *                               (dechunked, decompressed) and http_raw_body
 *                               (dechunked, still compressed) for responses;
 *                               each carries the body from its start, `body_new`
 *                               says where the bytes new since the previous
 *                               event begin and `body_last` marks the last
 *                               body event of the message.
 * Buffer pointers are valid only during the callback.
 *
 * Buffer semantics (Snort 2.9 http_inspect with the snort.conf defaults):
 *   http_method   the request method;
 *   http_raw_uri  the request target as on the wire;
 *   http_uri      the target normalized: %XX and %uXXXX decoded (twice:
 *                 double_decode), '\' -> '/', "//" collapsed, "/./" and
 *                 "/../" resolved in the path (not the query); an absolute
 *                 URI keeps its scheme://authority prefix;
 *   http_raw_header  header lines as on the wire, Cookie lines included,
 *                 each with its line end, without the final empty line;
 *   http_header   the same lines without Cookie (request) / Set-Cookie
 *                 (response) lines, folded lines unfolded;
 *   http_cookie, http_raw_cookie  the Cookie / Set-Cookie values, several
 *                 joined with "; ";
 *   http_stat_code, http_stat_msg, http_version, http_raw_request (request
 *                 line), http_raw_status (status line), http_true_ip
 *                 (X-Forwarded-For or True-Client-IP value).
 */
#ifndef DET_HTTP_H
#define DET_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/flowtab.h"
#include "rules/rule.h"

/* Limits; det_http_limits_default gives the values in brackets. */
typedef struct det_http_limits {
    uint32_t max_header_bytes;  /* start line + header section [65536] */
    uint32_t max_headers;       /* header lines put in the buffers [100] */
    uint32_t req_body_depth;    /* http_client_body bytes [65536] */
    uint32_t resp_body_depth;   /* file_data and http_raw_body bytes [65536] */
    uint32_t decompress_max;    /* decompressed bytes per body [65536] */
    uint32_t decompress_ratio;  /* max decompressed/compressed [100] */
    uint32_t max_chunk_line;    /* chunk size line with extensions [1024] */
    uint64_t max_chunk_size;    /* one chunk [0xffffffff] */
} det_http_limits_t;

/* Counters (one writer: the detector owning the manager). */
typedef struct det_http_stats {
    uint64_t flows;             /* flows that got HTTP state */
    uint64_t requests;          /* request headers parsed */
    uint64_t responses;         /* response headers parsed (1xx included) */
    uint64_t events;            /* callbacks made */
    uint64_t header_limit;      /* header section over max_header_bytes */
    uint64_t headers_limit;     /* messages with more than max_headers lines */
    uint64_t body_limit;        /* bodies cut at their depth */
    uint64_t decompress_limit;  /* decompressed output stopped at decompress_max */
    uint64_t ratio_limit;       /* decompression stopped by decompress_ratio */
    uint64_t decompress_errors; /* corrupt gzip/deflate data */
    uint64_t gzip;              /* bodies with gzip coding */
    uint64_t deflate;           /* bodies with deflate coding */
    uint64_t chunked;           /* chunked bodies */
    uint64_t chunk_limit;       /* chunk line or chunk size over its limit */
    uint64_t malformed;         /* bad start line, header, length, chunk */
    uint64_t pipeline_limit;    /* requests beyond DET_HTTP_PIPELINE pending */
    uint64_t truncated;         /* messages cut by the end of the stream */
    uint64_t upgrades;          /* 101 / CONNECT tunnels: inspection ends */
    uint64_t dead;              /* directions where HTTP inspection ended */
} det_http_stats_t;

typedef struct det_http_mgr {
    det_http_limits_t lim;
    det_http_stats_t st;
} det_http_mgr_t;

typedef enum det_http_ev {
    DET_HTTP_REQ_HEADERS,
    DET_HTTP_REQ_BODY,
    DET_HTTP_RESP_HEADERS,
    DET_HTTP_RESP_BODY,
} det_http_ev_t;

/* One event.  buf/len are indexed by rule_buffer_t (NULL = not available
 * in this event; RULE_BUF_PKT and RULE_BUF_RAW always NULL), shaped for
 * det_match_ctx_set_bufs (detect/match.h). */
typedef struct det_http_tx {
    det_http_ev_t ev;
    bool to_server;             /* request direction */
    uint32_t index;             /* message number in its direction, from 0:
                                   response n answers request n */
    uint32_t body_new;          /* body events: first new byte of the body
                                   buffers (client_body / file_data) */
    bool body_last;             /* body events: no more body events for
                                   this message */
    bool body_truncated;        /* a depth or decompression limit was hit */
    const uint8_t *buf[RULE_BUF_COUNT];
    uint32_t len[RULE_BUF_COUNT];
} det_http_tx_t;

typedef void (*det_http_tx_cb)(void *arg, const det_http_tx_t *tx);

/* det_http_detect results. */
typedef enum det_http_kind {
    DET_HTTP_NO,        /* not HTTP/1.x */
    DET_HTTP_MORE,      /* could be: give more bytes */
    DET_HTTP_REQUEST,   /* "METHOD SP target SP HTTP/1." */
    DET_HTTP_RESPONSE,  /* "HTTP/1.x SP ddd" */
} det_http_kind_t;

/* Bytes det_http_detect looks at before giving up on a request line. */
#define DET_HTTP_DETECT_MAX 4096

/* Requests that may await their response (pipelining); beyond, responses
 * are paired as if to GET and pipeline_limit counts. */
#define DET_HTTP_PIPELINE 32

void det_http_limits_default(det_http_limits_t *lim);

/* Zero the counters and set the default limits. */
void det_http_mgr_init(det_http_mgr_t *m);

/* Does this stream start (after optional empty lines) like HTTP/1.x?  Works
 * on any port; data is the first bytes of one direction. */
det_http_kind_t det_http_detect(const uint8_t *data, uint32_t len);

/*
 * Feed the next in-order bytes of one direction of flow f (to_server:
 * client -> server).  Creates f->http on first use.  cb sees every event
 * the bytes complete, in order.  Returns 0, or -1 when state could not be
 * allocated (nothing is kept; counted nowhere else).
 */
int det_http_feed(det_http_mgr_t *m, det_flow_t *f, bool to_server,
                  const uint8_t *data, uint32_t len, det_http_tx_cb cb,
                  void *arg);

/* The direction ended (FIN/RST/flow end): a body delimited by the close
 * is complete, anything else pending is counted as truncated. */
void det_http_eof(det_http_mgr_t *m, det_flow_t *f, bool to_server,
                  det_http_tx_cb cb, void *arg);

/* Is HTTP inspection still following this direction? */
bool det_http_active(const det_flow_t *f, bool to_server);

/* Free a flow's HTTP state (NULL-safe); det_flow_release calls it. */
void det_http_free(struct det_http *h);

/* Normalize a request target as http_uri (see above) into out (room for
 * at least len bytes); returns the normalized length. */
uint32_t det_http_uri_normalize(const uint8_t *uri, uint32_t len,
                                uint8_t *out);

#endif
