/*
 * syslog.h - alerts as syslog messages: the message text (Snort's
 * alert_syslog line or the EVE JSON object), RFC 5424 and RFC 3164 framing,
 * RFC 6587 octet counting (syslog.c), and a sender for local, UDP and TCP
 * targets that never blocks its caller (syslog_conn.c).
 *
 * Decisions, so that receivers and tests can rely on them:
 *  - Severity from the rule priority: 1 -> 1 alert, 2 -> 2 critical,
 *    3 -> 3 error, 4 and above -> 4 warning; no priority counts as 3, as in
 *    eve.json (det_alert_format_eve prints severity 3 then).  Overridable
 *    per connection (ws_syslog_opts_t.sev).  PRI = facility * 8 + severity.
 *  - TIMESTAMP is the alert's packet time (the event time, also in
 *    eve.json), not the time of sending: RFC 3339 in UTC with microseconds
 *    ("2024-01-02T03:04:05.678901Z") for RFC 5424; "Mmm dd hh:mm:ss" in
 *    local time (as RFC 3164 and syslog(3) do; TZ decides) for RFC 3164.
 *  - RFC 5424 header fields are cut to their length limits (HOSTNAME 255,
 *    APP-NAME 48, PROCID 128, MSGID 32); bytes outside printable US-ASCII
 *    (33..126) become '_'; an empty or missing field is the NILVALUE "-".
 *    MSGID is "alert".
 *  - Structured data: one element [wiresift@32473 ...] (32473 is the
 *    enterprise number RFC 5612 reserves for examples) with gid, sid, rev,
 *    priority, class (only when the rule has a classtype), proto, src,
 *    sport, dst, dport (ports only for TCP, UDP and SCTP) and flow_id;
 *    values escape '"', '\' and ']' with a backslash.  Optional: with
 *    ws_syslog_opts_t.sd false the SD is "-".
 *  - MSG is written without a BOM by default (RFC 5424 MSG-ANY): common
 *    receivers copy the three BOM bytes into their files.  opts.bom adds it.
 *  - Length limits: the whole RFC 5424 frame is cut to opts.max_len
 *    (default 8192, rsyslog's default maxMessageSize), an RFC 3164 frame to
 *    1024 bytes (RFC 3164 4.1).  Only the MSG part is cut, never inside a
 *    UTF-8 sequence (a cut lands before the lead byte of a multi-byte
 *    character); such frames are counted as truncated.  An EVE object cut
 *    this way is no longer valid JSON, hence the counter.
 *  - Control characters (< 0x20, 0x7f) in the Snort text become spaces, so
 *    a message is always one line.
 *  - Local target (/dev/log): always the syslog(3) form
 *    "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG" without hostname, whatever the
 *    format setting says, because journald and rsyslog's imuxsock both
 *    parse that form and mangle RFC 5424 on that socket.
 */
#ifndef WS_EXPORT_SYSLOG_H
#define WS_EXPORT_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/alert.h"
#include "sensor/config.h"
#include "sensor/err.h"

#define WS_SYSLOG_5424_MAX     8192   /* default frame bound for RFC 5424 */
#define WS_SYSLOG_3164_MAX     1024   /* RFC 3164 4.1: the whole packet */
#define WS_SYSLOG_FRAME_MAX    65507  /* largest UDP payload; hard cap */
#define WS_SYSLOG_HOSTNAME_MAX 255
#define WS_SYSLOG_APPNAME_MAX  48
#define WS_SYSLOG_PROCID_MAX   128
#define WS_SYSLOG_MSGID_MAX    32
#define WS_SYSLOG_TAG_MAX      32     /* RFC 3164 TAG */
#define WS_SYSLOG_SD_ID        "wiresift@32473"

typedef enum ws_syslog_format {
    WS_SYSLOG_RFC5424,
    WS_SYSLOG_RFC3164,
    WS_SYSLOG_LOCAL,       /* syslog(3)'s form for /dev/log */
} ws_syslog_format_t;

typedef enum ws_syslog_msgkind {
    WS_SYSLOG_MSG_SNORT,   /* alert_syslog line */
    WS_SYSLOG_MSG_EVE,     /* the eve.json object without its newline */
} ws_syslog_msgkind_t;

/* Header fields of one frame.  NULL or "" strings print as "-" (5424). */
typedef struct ws_syslog_hdr {
    int         facility;   /* 0..23 */
    int         severity;   /* 0..7 */
    uint64_t    ts_ns;      /* UNIX time in ns */
    const char *hostname;
    const char *app;        /* APP-NAME (5424) / TAG (3164, local) */
    const char *procid;     /* PROCID / the [PID] of the TAG */
    const char *msgid;      /* 5424 only */
    const char *sd;         /* 5424 only: complete SD ("[...]"), NULL = "-" */
    bool        bom;        /* 5424 only: BOM before MSG */
} ws_syslog_hdr_t;

/* Facility number of a name ("kern", "user", ..., "local0".."local7"), or
 * -1.  ws_syslog_facility_name is the reverse (NULL when out of range). */
int ws_syslog_facility(const char *name);
const char *ws_syslog_facility_name(int facility);

/* Severity of a rule priority with the default table above. */
int ws_syslog_severity(uint32_t priority);

/* Parse outputs.syslog.format / .message; -1 when unknown. */
int ws_syslog_parse_format(const char *s, ws_syslog_format_t *out);
int ws_syslog_parse_msgkind(const char *s, ws_syslog_msgkind_t *out);

/*
 * Message bodies.  Each writes a NUL-terminated string and returns its
 * length, or -1 when buf is too small.
 *   snort: "[1:2001:3] msg [Classification: X] [Priority: 2] {TCP}
 *           10.0.0.1:1234 -> 10.0.0.2:80"; IPv6 addresses with ports are
 *           bracketed ("[2001:db8::1]:1234") as in fast.log; the priority
 *           part always appears (3 when the rule has none, as fast.log).
 *   eve:   det_alert_format_eve without the trailing newline.
 *   sd:    the structured-data element described above.
 */
int ws_syslog_msg_snort(const det_alert_t *a, char *buf, size_t size);
int ws_syslog_msg_eve(const det_alert_t *a, char *buf, size_t size);
int ws_syslog_sd_alert(const det_alert_t *a, char *buf, size_t size);

/* SD-PARAM value escaping ('"', '\', ']'); returns length or -1. */
int ws_syslog_sd_escape(const char *s, char *buf, size_t size);

/*
 * Frames.  max is the bound on the frame (clamped to WS_SYSLOG_FRAME_MAX
 * for 5424, to WS_SYSLOG_3164_MAX for 3164 and local); buf must hold max+1
 * bytes.  Returns the frame length (no NUL counted, although one is
 * written), or -1 when even the header does not fit.  *truncated (may be
 * NULL) says MSG was cut.
 */
int ws_syslog_frame(ws_syslog_format_t fmt, const ws_syslog_hdr_t *h,
                    const char *msg, size_t max, char *buf, size_t size,
                    bool *truncated);

/* RFC 6587 octet counting: "LEN SP" prefix for a frame of len bytes into
 * buf; returns the prefix length, or -1 when buf is too small. */
int ws_syslog_octet_prefix(size_t len, char *buf, size_t size);

/* Longest prefix of s[0..len) that is at most max bytes and does not end
 * inside a UTF-8 sequence.  Invalid bytes count as single characters. */
size_t ws_syslog_utf8_cut(const char *s, size_t len, size_t max);

/* ---- sender (syslog_conn.c) ---------------------------------------- */

typedef enum ws_syslog_kind {
    WS_SYSLOG_TO_LOCAL,
    WS_SYSLOG_TO_UDP,
    WS_SYSLOG_TO_TCP,
} ws_syslog_kind_t;

typedef enum ws_syslog_state {
    WS_SYSLOG_DOWN,        /* no socket; reconnect at retry_at_ms */
    WS_SYSLOG_CONNECTING,  /* non-blocking connect in progress (TCP) */
    WS_SYSLOG_UP,
} ws_syslog_state_t;

/* Tunables; ws_syslog_opts_default fills the defaults named here. */
typedef struct ws_syslog_opts {
    size_t   queue_bytes;       /* frames waiting or in flight: 4 MiB */
    uint32_t queue_msgs;        /* and at most this many: 65536 */
    size_t   max_len;           /* RFC 5424 frame bound: 8192 */
    uint32_t backoff_min_ms;    /* first reconnect delay: 100 */
    uint32_t backoff_max_ms;    /* cap of the doubling delay: 30000 */
    uint32_t connect_timeout_ms;/* TCP connect: 5000 */
    int      sndbuf;            /* TCP SO_SNDBUF, 0 = kernel's: 262144 */
    const char *local_path;     /* "/dev/log" */
    bool     sd;                /* structured data in RFC 5424: true */
    bool     bom;               /* BOM before MSG in RFC 5424: false */
    uint8_t  sev[5];            /* severity for priority 0 (none), 1..4+ */
} ws_syslog_opts_t;

/* Counters; the caller reads them (stats.json, log lines). */
typedef struct ws_syslog_stats {
    uint64_t sent;         /* frames delivered: datagram accepted by the
                            * kernel, or TCP bytes acknowledged by the peer */
    uint64_t dropped;      /* frames that did not fit in the queue */
    uint64_t lost;         /* frames known lost after leaving the queue
                            * (UDP port unreachable, a datagram error) */
    uint64_t truncated;    /* frames whose MSG was cut to the length limit */
    uint64_t format_errors;/* alerts that could not be formatted at all */
    uint64_t connects;     /* successful connects (the first included) */
    uint64_t reconnects;   /* connects after a disconnect */
    uint64_t disconnects;  /* connections lost (errors, peer close) */
    uint64_t connect_failures;
    uint64_t resent;       /* frames written again after a reconnect
                            * because the peer had not acknowledged them */
    uint32_t queued;       /* gauge: frames in the queue (incl. in flight) */
    uint32_t queued_high;  /* high-water mark of queued */
    size_t   queue_bytes;  /* gauge: bytes in the queue */
} ws_syslog_stats_t;

typedef struct ws_syslog_conn {
    ws_syslog_kind_t   kind;
    ws_syslog_state_t  state;
    ws_syslog_format_t format;    /* WS_SYSLOG_LOCAL for the local target */
    ws_syslog_msgkind_t msgkind;
    int                facility;
    int                fd;        /* -1 when DOWN */
    int                socktype;  /* SOCK_DGRAM or SOCK_STREAM */
    bool               ever_up;
    struct {
        unsigned char  bytes[128];/* struct sockaddr_storage / sockaddr_un */
        unsigned       len;
        int            family;
    } addr;
    char     hostname[WS_SYSLOG_HOSTNAME_MAX + 1];
    char     app[WS_SYSLOG_APPNAME_MAX + 1];
    char     procid[24];
    char     target[WS_PATH_LEN];
    ws_syslog_opts_t opts;

    uint64_t now_ms;              /* last time the caller gave us */
    uint64_t retry_at_ms;         /* DOWN: next connect attempt */
    uint64_t connect_started_ms;  /* CONNECTING: deadline base */
    uint32_t backoff_ms;          /* next delay after a failure */

    /*
     * The queue: records [uint32 len][len frame bytes] in q[0..cap), live
     * between q_head and q_tail (compacted to the front when the tail
     * reaches the end).  For a stream socket the frame bytes include the
     * octet-counting prefix.  q_send is the record being written and
     * send_done its bytes written; records before q_send were written but
     * are kept until the peer acknowledged them (TCP: SIOCOUTQ), head_acked
     * bytes of the head record are already acknowledged, unacked the
     * written bytes the kernel still holds.
     */
    unsigned char *q;
    size_t   q_cap, q_head, q_tail, q_send;
    size_t   send_done, head_acked, unacked;
    uint32_t q_count, q_unsent;

    char     scratch[WS_SYSLOG_FRAME_MAX + 32];
    char     body[WS_SYSLOG_FRAME_MAX + 1];

    ws_syslog_stats_t stats;
} ws_syslog_conn_t;

void ws_syslog_opts_default(ws_syslog_opts_t *o);

/*
 * Parse cfg (target, format, facility, message), resolve the address (a
 * host name is resolved here, once; use numeric addresses to keep startup
 * free of DNS) and allocate the queue.  No connection is made yet: the
 * first ws_syslog_pump does that.  hostname NULL: gethostname(); app NULL:
 * "wiresift"; opts NULL: defaults.  0 / -1 with err.
 */
int ws_syslog_open(ws_syslog_conn_t *c, const ws_syslog_conf_t *cfg,
                   const char *hostname, const char *app,
                   const ws_syslog_opts_t *opts, ws_err_t *err);

/*
 * Format one alert and queue it; when the queue was empty and the socket
 * is up, the frame is also written right away.  0 queued or sent, -1
 * dropped (counted in stats.dropped, or stats.format_errors).  Never
 * blocks.
 */
int ws_syslog_send(ws_syslog_conn_t *c, const det_alert_t *a);

/* Queue one already formatted frame (no octet-counting prefix: the sender
 * adds it on stream sockets).  0 / -1 dropped. */
int ws_syslog_send_frame(ws_syslog_conn_t *c, const char *frame, size_t len);

/*
 * Make progress: finish a connect, reconnect when the backoff has passed,
 * notice a peer that closed, collect TCP acknowledgements, write queued
 * frames until the socket would block.  now_ms: any monotonic clock in ms
 * (the caller's; tests pass their own).  Never blocks.
 */
void ws_syslog_pump(ws_syslog_conn_t *c, uint64_t now_ms);

/* For poll(): the socket (-1 when there is none) and the events worth
 * waiting for (POLLOUT while connecting or with frames to write, POLLIN to
 * see a peer close).  The caller should also wake for ws_syslog_next_ms. */
int ws_syslog_fd(const ws_syslog_conn_t *c, short *events);

/* When the next timed action is due (reconnect, connect timeout), or
 * UINT64_MAX when nothing is pending on a timer. */
uint64_t ws_syslog_next_ms(const ws_syslog_conn_t *c);

/* Frames in the queue (written-but-unacknowledged included). */
uint32_t ws_syslog_pending(const ws_syslog_conn_t *c);

/*
 * Close: frames still queued are counted as dropped (a caller that wants
 * them out first pumps until ws_syslog_pending is 0, bounded by its own
 * deadline).  Safe on a zeroed or already closed conn.
 */
void ws_syslog_close(ws_syslog_conn_t *c);

#endif
