/*
 * alert.h - alert records and their two file formats, eve.json (Suricata's
 * EVE alert schema) and fast.log (Snort's alert_fast line).
 *
 * An alert is a fixed-size record with copies of everything the outputs
 * need, so it can later travel through a shared-memory ring to the export
 * process without pointers into a detector's heap.  Until then each detector
 * writes its own alerts: lines are gathered per chunk and written with one
 * write(2) per file on O_APPEND descriptors, so lines of different
 * detectors never interleave.
 */
#ifndef WS_DET_ALERT_H
#define WS_DET_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/err.h"

#define DET_ALERT_MSG_LEN   256
#define DET_ALERT_CLASS_LEN 128

typedef struct det_alert {
    uint64_t ts_ns;        /* packet time */
    uint64_t pkt_no;       /* offline: 1-based packet number in the file, else 0 */
    uint64_t flow_id;      /* stable per flow (from the canonical 5-tuple) */
    uint32_t gid, sid, rev;
    uint32_t priority;     /* 0 = none given */
    uint8_t  family;       /* 4 or 6 */
    uint8_t  proto;        /* IP protocol */
    uint16_t sport, dport;
    uint8_t  src[16], dst[16];
    char     msg[DET_ALERT_MSG_LEN];
    char     category[DET_ALERT_CLASS_LEN]; /* "" when the rule has no classtype */
    char     sensor[32];   /* the sensor's name: EVE "host", the output tag */
} det_alert_t;

/* One line each, with the trailing newline; return the length, or -1 when
 * buf is too small. */
int det_alert_format_eve(const det_alert_t *a, char *buf, size_t size);
int det_alert_format_fast(const det_alert_t *a, char *buf, size_t size);

/* Name of an IP protocol as both formats print it ("TCP", "UDP", "ICMP",
 * "IPv6-ICMP", else the number). */
const char *det_alert_proto_name(uint8_t proto, char tmp[8]);

typedef struct det_alert_out {
    int    eve_fd, fast_fd;      /* -1 when that output is off */
    size_t eve_len, fast_len;
    char   eve_buf[32768];
    char   fast_buf[16384];
    uint64_t write_errors;
} det_alert_out_t;

int  det_alert_open(det_alert_out_t *o, const char *dir, bool eve, bool fast,
                    ws_err_t *err);
/* Add one alert to the pending lines (flushing first if they would not fit). */
void det_alert_add(det_alert_out_t *o, const det_alert_t *a);
/* Write the pending lines, one write per file. */
void det_alert_flush(det_alert_out_t *o);
void det_alert_close(det_alert_out_t *o);

#endif
