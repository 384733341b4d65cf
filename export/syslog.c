/*
 * syslog.c - building syslog messages from alerts (syslog.h): the facility
 * table, the severity mapping, the Snort alert_syslog text, the structured
 * data element, and the RFC 5424 / RFC 3164 / syslog(3) frames with their
 * length limits.  Pure functions over caller buffers: no I/O, no state, so
 * every byte is checked by tests/unit/test_syslog.c.
 *
 * Frames are assembled header first; the message then gets whatever room is
 * left under the bound and is cut on a UTF-8 character boundary.  A frame
 * whose header alone exceeds the bound is an error (-1), which cannot
 * happen with the field limits and the bounds' minimum of 480 bytes.
 */
#include "export/syslog.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* RFC 5424 6.2.1 / RFC 3164 4.1.1, plus the names syslog.conf uses. */
static const struct {
    const char *name;
    int code;
} facilities[] = {
    { "kern", 0 },   { "user", 1 },     { "mail", 2 },    { "daemon", 3 },
    { "auth", 4 },   { "syslog", 5 },   { "lpr", 6 },     { "news", 7 },
    { "uucp", 8 },   { "cron", 9 },     { "authpriv", 10 }, { "ftp", 11 },
    { "ntp", 12 },   { "security", 13 }, { "console", 14 }, { "solaris-cron", 15 },
    { "local0", 16 }, { "local1", 17 }, { "local2", 18 }, { "local3", 19 },
    { "local4", 20 }, { "local5", 21 }, { "local6", 22 }, { "local7", 23 },
    { "audit", 13 }, { "clock", 15 },  /* aliases after the canonical names */
};

#define NFAC (sizeof(facilities) / sizeof(facilities[0]))

int ws_syslog_facility(const char *name)
{
    if (name == NULL)
        return -1;
    if (strncasecmp(name, "LOG_", 4) == 0)
        name += 4;
    for (size_t i = 0; i < NFAC; i++)
        if (strcasecmp(name, facilities[i].name) == 0)
            return facilities[i].code;
    return -1;
}

const char *ws_syslog_facility_name(int facility)
{
    for (size_t i = 0; i < NFAC; i++)
        if (facilities[i].code == facility)
            return facilities[i].name;
    return NULL;
}

int ws_syslog_severity(uint32_t priority)
{
    if (priority == 0)
        return 3;
    return priority >= 4 ? 4 : (int)priority;
}

int ws_syslog_parse_format(const char *s, ws_syslog_format_t *out)
{
    if (strcasecmp(s, "rfc5424") == 0)
        *out = WS_SYSLOG_RFC5424;
    else if (strcasecmp(s, "rfc3164") == 0)
        *out = WS_SYSLOG_RFC3164;
    else
        return -1;
    return 0;
}

int ws_syslog_parse_msgkind(const char *s, ws_syslog_msgkind_t *out)
{
    if (strcasecmp(s, "snort") == 0)
        *out = WS_SYSLOG_MSG_SNORT;
    else if (strcasecmp(s, "eve") == 0)
        *out = WS_SYSLOG_MSG_EVE;
    else
        return -1;
    return 0;
}

/* ---- message bodies ------------------------------------------------ */

static bool has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132;
}

/* Address, bracketed when it is IPv6 and a port follows (fast.log does). */
static void endpoint(const det_alert_t *a, const uint8_t *addr, uint16_t port,
                     char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN];

    inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, addr, ip, sizeof(ip));
    if (!has_ports(a->proto))
        snprintf(buf, size, "%s", ip);
    else if (a->family == 6)
        snprintf(buf, size, "[%s]:%u", ip, port);
    else
        snprintf(buf, size, "%s:%u", ip, port);
}

/* Copy s, replacing control characters by spaces; returns bytes or -1. */
static int put_text(char *buf, size_t size, size_t off, const char *s)
{
    size_t n = strlen(s);

    if (off + n >= size)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[off + i] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
    }
    buf[off + n] = '\0';
    return (int)n;
}

int ws_syslog_msg_snort(const det_alert_t *a, char *buf, size_t size)
{
    char src[INET6_ADDRSTRLEN + 10], dst[INET6_ADDRSTRLEN + 10], ptmp[8];
    size_t off;
    int n;

    if (size == 0)
        return -1;
    n = snprintf(buf, size, "[%u:%u:%u] ", a->gid, a->sid, a->rev);
    if (n < 0 || (size_t)n >= size)
        return -1;
    off = (size_t)n;
    if ((n = put_text(buf, size, off, a->msg)) < 0)
        return -1;
    off += (size_t)n;
    if (a->category[0] != '\0') {
        if ((n = put_text(buf, size, off, " [Classification: ")) < 0)
            return -1;
        off += (size_t)n;
        if ((n = put_text(buf, size, off, a->category)) < 0)
            return -1;
        off += (size_t)n;
        if ((n = put_text(buf, size, off, "]")) < 0)
            return -1;
        off += (size_t)n;
    }
    endpoint(a, a->src, a->sport, src, sizeof(src));
    endpoint(a, a->dst, a->dport, dst, sizeof(dst));
    n = snprintf(buf + off, size - off, " [Priority: %u] {%s} %s -> %s",
                 a->priority ? a->priority : 3,
                 det_alert_proto_name(a->proto, ptmp), src, dst);
    if (n < 0 || (size_t)n >= size - off)
        return -1;
    return (int)(off + (size_t)n);
}

int ws_syslog_msg_eve(const det_alert_t *a, char *buf, size_t size)
{
    int n = det_alert_format_eve(a, buf, size);

    if (n <= 0)
        return -1;
    if (buf[n - 1] == '\n')
        buf[--n] = '\0';
    return n;
}

int ws_syslog_sd_escape(const char *s, char *buf, size_t size)
{
    size_t o = 0;

    for (; *s != '\0'; s++) {
        bool esc = *s == '"' || *s == '\\' || *s == ']';
        if (o + 1 + esc >= size)
            return -1;
        if (esc)
            buf[o++] = '\\';
        buf[o++] = *s;
    }
    if (size == 0)
        return -1;
    buf[o] = '\0';
    return (int)o;
}

/* Append ` name="escaped value"`. */
static int sd_param(char *buf, size_t size, size_t *off, const char *name,
                    const char *value)
{
    int n = snprintf(buf + *off, size - *off, " %s=\"", name);

    if (n < 0 || (size_t)n >= size - *off)
        return -1;
    *off += (size_t)n;
    if ((n = ws_syslog_sd_escape(value, buf + *off, size - *off)) < 0)
        return -1;
    *off += (size_t)n;
    if (*off + 1 >= size)
        return -1;
    buf[(*off)++] = '"';
    buf[*off] = '\0';
    return 0;
}

int ws_syslog_sd_alert(const det_alert_t *a, char *buf, size_t size)
{
    char num[32], ip[INET6_ADDRSTRLEN], ptmp[8];
    size_t off;
    int af = a->family == 6 ? AF_INET6 : AF_INET;
    int n = snprintf(buf, size, "[" WS_SYSLOG_SD_ID);

    if (n < 0 || (size_t)n >= size)
        return -1;
    off = (size_t)n;
#define SDNUM(name, v) (snprintf(num, sizeof(num), "%llu", (unsigned long long)(v)), \
                        sd_param(buf, size, &off, name, num))
    if (SDNUM("gid", a->gid) < 0 || SDNUM("sid", a->sid) < 0
        || SDNUM("rev", a->rev) < 0 || SDNUM("priority", a->priority ? a->priority : 3) < 0)
        return -1;
    if (a->category[0] != '\0' && sd_param(buf, size, &off, "class", a->category) < 0)
        return -1;
    if (sd_param(buf, size, &off, "proto", det_alert_proto_name(a->proto, ptmp)) < 0)
        return -1;
    inet_ntop(af, a->src, ip, sizeof(ip));
    if (sd_param(buf, size, &off, "src", ip) < 0)
        return -1;
    if (has_ports(a->proto) && SDNUM("sport", a->sport) < 0)
        return -1;
    inet_ntop(af, a->dst, ip, sizeof(ip));
    if (sd_param(buf, size, &off, "dst", ip) < 0)
        return -1;
    if (has_ports(a->proto) && SDNUM("dport", a->dport) < 0)
        return -1;
    if (SDNUM("flow_id", a->flow_id) < 0)
        return -1;
#undef SDNUM
    if (off + 1 >= size)
        return -1;
    buf[off++] = ']';
    buf[off] = '\0';
    return (int)off;
}

/* ---- framing ------------------------------------------------------- */

size_t ws_syslog_utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i;

    if (len <= max)
        return len;
    i = max;
    /* u[i] is the first byte cut off; while it continues a sequence, the
     * cut is inside a character: move back to that character's lead. */
    for (size_t back = 0; i > 0 && back < 4 && (u[i] & 0xc0) == 0x80; back++)
        i--;
    if ((u[i] & 0xc0) == 0x80 || u[i] < 0xc0)
        return max;     /* stray continuation bytes: not UTF-8, cut bytes */
    size_t need = u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : 2;
    return i + need <= max ? max : i;
}

/* Header field: printable US-ASCII only (others become '_'), at most max
 * bytes; "-" when empty. */
static size_t put_field(char *out, const char *s, size_t max)
{
    size_t n = 0;

    if (s != NULL)
        for (; s[n] != '\0' && n < max; n++) {
            unsigned char ch = (unsigned char)s[n];
            out[n] = (ch >= 33 && ch <= 126) ? (char)ch : '_';
        }
    if (n == 0)
        out[n++] = '-';
    out[n] = '\0';
    return n;
}

/* RFC 3164 TAG: printable, and none of ':', '[', ']' which end it. */
static void put_tag(char *out, const char *s)
{
    size_t n = 0;

    if (s != NULL)
        for (; s[n] != '\0' && n < WS_SYSLOG_TAG_MAX; n++) {
            unsigned char ch = (unsigned char)s[n];
            out[n] = (ch >= 33 && ch <= 126 && ch != ':' && ch != '[' && ch != ']')
                ? (char)ch : '_';
        }
    if (n == 0)
        out[n++] = '-';
    out[n] = '\0';
}

static const char *const months[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

int ws_syslog_frame(ws_syslog_format_t fmt, const ws_syslog_hdr_t *h,
                    const char *msg, size_t max, char *buf, size_t size,
                    bool *truncated)
{
    char host[WS_SYSLOG_HOSTNAME_MAX + 1], app[WS_SYSLOG_APPNAME_MAX + 1];
    char procid[WS_SYSLOG_PROCID_MAX + 1], msgid[WS_SYSLOG_MSGID_MAX + 1];
    char tag[WS_SYSLOG_TAG_MAX + 1];
    time_t sec = (time_t)(h->ts_ns / 1000000000ull);
    unsigned pri = (unsigned)(h->facility & 0x1f) * 8 + (unsigned)(h->severity & 7);
    struct tm tm;
    size_t off, room, mlen, cut;
    int n;

    if (truncated != NULL)
        *truncated = false;
    if (fmt == WS_SYSLOG_RFC5424) {
        if (max > WS_SYSLOG_FRAME_MAX)
            max = WS_SYSLOG_FRAME_MAX;
    } else if (max > WS_SYSLOG_3164_MAX) {
        max = WS_SYSLOG_3164_MAX;
    }
    if (max + 1 > size)
        max = size - 1;
    if (size == 0)
        return -1;

    if (fmt == WS_SYSLOG_RFC5424) {
        put_field(host, h->hostname, WS_SYSLOG_HOSTNAME_MAX);
        put_field(app, h->app, WS_SYSLOG_APPNAME_MAX);
        put_field(procid, h->procid, WS_SYSLOG_PROCID_MAX);
        put_field(msgid, h->msgid, WS_SYSLOG_MSGID_MAX);
        gmtime_r(&sec, &tm);
        n = snprintf(buf, size, "<%u>1 %04d-%02d-%02dT%02d:%02d:%02d.%06uZ %s %s %s %s %s%s",
                     pri, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec,
                     (unsigned)(h->ts_ns % 1000000000ull / 1000), host, app, procid,
                     msgid, h->sd != NULL && h->sd[0] != '\0' ? h->sd : "-",
                     msg != NULL ? " " : "");
        if (n >= 0 && msg != NULL && h->bom && (size_t)n + 3 <= max) {
            memcpy(buf + n, "\xEF\xBB\xBF", 3);
            n += 3;
            buf[n] = '\0';
        }
    } else {
        localtime_r(&sec, &tm);
        put_tag(tag, h->app);
        n = snprintf(buf, size, "<%u>%s %2d %02d:%02d:%02d ", pri, months[tm.tm_mon % 12],
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        if (n >= 0 && fmt == WS_SYSLOG_RFC3164 && (size_t)n < size) {
            put_field(host, h->hostname, WS_SYSLOG_HOSTNAME_MAX);
            n += snprintf(buf + n, size - (size_t)n, "%s ", host);
        }
        if (n >= 0 && (size_t)n < size) {
            if (h->procid != NULL && h->procid[0] != '\0') {
                put_field(procid, h->procid, 20);
                n += snprintf(buf + n, size - (size_t)n, "%s[%s]: ", tag, procid);
            } else {
                n += snprintf(buf + n, size - (size_t)n, "%s: ", tag);
            }
        }
    }
    if (n < 0 || (size_t)n > max)
        return -1;
    off = (size_t)n;
    if (msg == NULL)
        return (int)off;
    room = max - off;
    mlen = strlen(msg);
    cut = ws_syslog_utf8_cut(msg, mlen, room);
    if (cut < mlen && truncated != NULL)
        *truncated = true;
    memcpy(buf + off, msg, cut);
    off += cut;
    buf[off] = '\0';
    return (int)off;
}

int ws_syslog_octet_prefix(size_t len, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%zu ", len);

    return n < 0 || (size_t)n >= size ? -1 : n;
}
