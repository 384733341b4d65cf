/*
 * alert.h - alert records and their two file formats, eve.json (Suricata's
 * EVE alert schema) and fast.log (Snort's alert_fast line).
 *
 * An alert is a fixed-size record with copies of everything the outputs
 * need (and the packet, for alerts.pcap), so it travels through a detector's
 * shared-memory alert ring to the export process (export/export.c) without
 * pointers into a detector's heap.
 */
#ifndef WS_DET_ALERT_H
#define WS_DET_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#define DET_ALERT_MSG_LEN   256
#define DET_ALERT_CLASS_LEN 128
#define DET_ALERT_PKT_MAX   1600   /* packet bytes carried for alerts.pcap */

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
    uint16_t sensor_id;
    uint8_t  blocked;      /* inline mode: the packet was dropped (EVE action "blocked") */
    uint16_t pkt_len;      /* bytes in pkt (the captured packet, cut at DET_ALERT_PKT_MAX) */
    uint32_t pkt_wire_len; /* its length on the wire */
    uint8_t  pkt[DET_ALERT_PKT_MAX];
} det_alert_t;

/* One line each, with the trailing newline; return the length, or -1 when
 * buf is too small. */
int det_alert_format_eve(const det_alert_t *a, char *buf, size_t size);
int det_alert_format_fast(const det_alert_t *a, char *buf, size_t size);

/* Name of an IP protocol as both formats print it ("TCP", "UDP", "ICMP",
 * "IPv6-ICMP", else the number). */
const char *det_alert_proto_name(uint8_t proto, char tmp[8]);

#endif
