/*
 * alert.c - formatting and writing alerts (alert.h).
 */
#include "detect/alert.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *det_alert_proto_name(uint8_t proto, char tmp[8])
{
    switch (proto) {
    case 1:   return "ICMP";
    case 6:   return "TCP";
    case 17:  return "UDP";
    case 58:  return "IPv6-ICMP";
    case 132: return "SCTP";
    default:
        snprintf(tmp, 8, "%u", proto);
        return tmp;
    }
}

/* JSON string body (no quotes) of s into out; returns bytes written or -1. */
static int json_escape(const char *s, char *out, size_t size)
{
    size_t o = 0;

    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        const char *esc = NULL;
        char u[8];
        switch (ch) {
        case '"':  esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (ch < 0x20) {
                snprintf(u, sizeof(u), "\\u%04x", ch);
                esc = u;
            }
        }
        if (esc != NULL) {
            size_t n = strlen(esc);
            if (o + n >= size)
                return -1;
            memcpy(out + o, esc, n);
            o += n;
        } else {
            if (o + 1 >= size)
                return -1;
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
    return (int)o;
}

static void addr_str(const det_alert_t *a, const uint8_t *addr, char *buf, size_t n)
{
    inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)n);
}

int det_alert_format_eve(const det_alert_t *a, char *buf, size_t size)
{
    char ts[64], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    char msg[DET_ALERT_MSG_LEN * 6], cat[DET_ALERT_CLASS_LEN * 6], pcnt[48], ptmp[8];
    char host[32 * 6 + 16];
    time_t sec = (time_t)(a->ts_ns / 1000000000ull);
    struct tm tm;
    int n;

    gmtime_r(&sec, &tm);
    n = (int)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof(ts) - (size_t)n, ".%06u+0000",
             (unsigned)(a->ts_ns % 1000000000ull / 1000));
    addr_str(a, a->src, src, sizeof(src));
    addr_str(a, a->dst, dst, sizeof(dst));
    if (json_escape(a->msg, msg, sizeof(msg)) < 0
        || json_escape(a->category, cat, sizeof(cat)) < 0)
        return -1;
    host[0] = '\0';
    if (a->sensor[0] != '\0') {
        int k = snprintf(host, sizeof(host), "\"host\":\"");
        if (json_escape(a->sensor, host + k, sizeof(host) - (size_t)k - 3) < 0)
            return -1;
        strcat(host, "\",");
    }
    pcnt[0] = '\0';
    if (a->pkt_no != 0)
        snprintf(pcnt, sizeof(pcnt), "\"pcap_cnt\":%" PRIu64 ",", a->pkt_no);
    n = snprintf(buf, size,
                 "{\"timestamp\":\"%s\",%s\"flow_id\":%" PRIu64 ",%s"
                 "\"event_type\":\"alert\",\"src_ip\":\"%s\",\"src_port\":%u,"
                 "\"dest_ip\":\"%s\",\"dest_port\":%u,\"proto\":\"%s\","
                 "\"alert\":{\"action\":\"%s\",\"gid\":%u,\"signature_id\":%u,"
                 "\"rev\":%u,\"signature\":\"%s\",\"category\":\"%s\",\"severity\":%u}}\n",
                 ts, host, a->flow_id, pcnt, src, a->sport, dst, a->dport,
                 det_alert_proto_name(a->proto, ptmp), a->blocked ? "blocked" : "allowed",
                 a->gid, a->sid, a->rev, msg,
                 cat, a->priority ? a->priority : 3);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

int det_alert_format_fast(const det_alert_t *a, char *buf, size_t size)
{
    char ts[48], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], cls[DET_ALERT_CLASS_LEN + 24];
    char ptmp[8];
    time_t sec = (time_t)(a->ts_ns / 1000000000ull);
    struct tm tm;
    int n;

    gmtime_r(&sec, &tm);
    n = (int)strftime(ts, sizeof(ts), "%m/%d-%H:%M:%S", &tm);
    snprintf(ts + n, sizeof(ts) - (size_t)n, ".%06u",
             (unsigned)(a->ts_ns % 1000000000ull / 1000));
    addr_str(a, a->src, src, sizeof(src));
    addr_str(a, a->dst, dst, sizeof(dst));
    cls[0] = '\0';
    if (a->category[0] != '\0')
        snprintf(cls, sizeof(cls), "[Classification: %s] ", a->category);
    if (a->proto == 6 || a->proto == 17 || a->proto == 132)
        n = snprintf(buf, size, "%s  [**] [%u:%u:%u] %s [**] %s[Priority: %u] {%s} "
                     "%s%s%s:%u -> %s%s%s:%u\n", ts, a->gid, a->sid, a->rev, a->msg,
                     cls, a->priority ? a->priority : 3,
                     det_alert_proto_name(a->proto, ptmp),
                     a->family == 6 ? "[" : "", src, a->family == 6 ? "]" : "", a->sport,
                     a->family == 6 ? "[" : "", dst, a->family == 6 ? "]" : "", a->dport);
    else
        n = snprintf(buf, size, "%s  [**] [%u:%u:%u] %s [**] %s[Priority: %u] {%s} "
                     "%s -> %s\n", ts, a->gid, a->sid, a->rev, a->msg, cls,
                     a->priority ? a->priority : 3, det_alert_proto_name(a->proto, ptmp),
                     src, dst);
    return n < 0 || (size_t)n >= size ? -1 : n;
}
