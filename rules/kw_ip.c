/*
 * kw_ip.c - IP header and size options: ttl, tos, id, ipopts, fragbits,
 * fragoffset, ip_proto, sameip, dsize.
 *
 * Numeric ones parse into a rule_cmp_t (N, <N, >N, <=N, >=N, !N, A<>B
 * exclusive, A<=>B inclusive; ttl also takes Snort 2's A-B, -B, A-).
 */
#include "rules/kw.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int ip_cmp(kw_state_t *st, rule_kw_t kw, char *value, uint32_t max,
                  bool dash)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    rule_cmp_t cmp;
    if (kw_parse_cmp(st, kw, value, max, dash, &cmp) < 0)
        return -1;
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.cmp = cmp;
    return 0;
}

int kw_ttl(kw_state_t *st, rule_kw_t kw, char *value)
{
    return ip_cmp(st, kw, value, 255, true);
}

int kw_tos(kw_state_t *st, rule_kw_t kw, char *value)
{
    return ip_cmp(st, kw, value, 255, false);
}

int kw_id(kw_state_t *st, rule_kw_t kw, char *value)
{
    return ip_cmp(st, kw, value, 65535, false);
}

int kw_fragoffset(kw_state_t *st, rule_kw_t kw, char *value)
{
    return ip_cmp(st, kw, value, 8191, false);
}

int kw_dsize(kw_state_t *st, rule_kw_t kw, char *value)
{
    return ip_cmp(st, kw, value, 65535, false);
}

static const struct {
    const char *name;
    rule_ipopt_t opt;
} ipopt_names[] = {
    { "rr", RULE_IPOPT_RR },       { "eol", RULE_IPOPT_EOL },
    { "nop", RULE_IPOPT_NOP },     { "ts", RULE_IPOPT_TS },
    { "sec", RULE_IPOPT_SEC },     { "esec", RULE_IPOPT_ESEC },
    { "lsrr", RULE_IPOPT_LSRR },   { "lsrre", RULE_IPOPT_LSRRE },
    { "ssrr", RULE_IPOPT_SSRR },   { "satid", RULE_IPOPT_SATID },
    { "any", RULE_IPOPT_ANY },
};

int kw_ipopts(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    size_t i, n = sizeof(ipopt_names) / sizeof(ipopt_names[0]);
    for (i = 0; i < n; i++)
        if (rule_word_eq(value, ipopt_names[i].name))
            break;
    if (i == n)
        return kw_fail(st, kw, "unknown option '%s'", value);
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.ipopts.opt = ipopt_names[i].opt;
    return 0;
}

int kw_fragbits(kw_state_t *st, rule_kw_t kw, char *value)
{
    static const uint8_t vals[] = { RULE_FRAG_MF, RULE_FRAG_DF,
                                    RULE_FRAG_RESERVED };
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    rule_bits_t b;
    if (kw_parse_bits(st, kw, value, "MDR", vals, &b) < 0)
        return -1;
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.bits = b;
    return 0;
}

static const struct {
    const char *name;
    uint8_t num;
} proto_names[] = {
    { "ip", 0 },    { "hopopt", 0 }, { "icmp", 1 },  { "igmp", 2 },
    { "ggp", 3 },   { "ipip", 4 },   { "ipv4", 4 },  { "tcp", 6 },
    { "egp", 8 },   { "igp", 9 },    { "pup", 12 },  { "udp", 17 },
    { "idp", 22 },  { "ipv6", 41 },  { "ipv6-route", 43 },
    { "ipv6-frag", 44 }, { "rsvp", 46 }, { "gre", 47 }, { "esp", 50 },
    { "ah", 51 },   { "icmpv6", 58 }, { "ipv6-icmp", 58 },
    { "ipv6-nonxt", 59 }, { "ipv6-opts", 60 }, { "eigrp", 88 },
    { "ospf", 89 }, { "pim", 103 },  { "vrrp", 112 }, { "l2tp", 115 },
    { "sctp", 132 },
};

int kw_ip_proto(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *p = value;
    while (*p == '!' || *p == '<' || *p == '>' || *p == '=')
        p++;
    if (isalpha((unsigned char)*p)) {
        size_t i, n = sizeof(proto_names) / sizeof(proto_names[0]);
        for (i = 0; i < n; i++)
            if (rule_word_eq(p, proto_names[i].name))
                break;
        if (i == n)
            return kw_fail(st, kw, "unknown protocol '%s'", p);
        char num[8];
        snprintf(num, sizeof(num), "%u", proto_names[i].num);
        if (strlen(num) > strlen(p)) {
            /* "ah" -> "51": not enough room in place; build a copy */
            char buf[32];
            snprintf(buf, sizeof(buf), "%.*s%s", (int)(p - value), value, num);
            return ip_cmp(st, kw, buf, 255, false);
        }
        strcpy(p, num);
    }
    return ip_cmp(st, kw, value, 255, false);
}

int kw_sameip(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_no_value(st, kw, value) < 0)
        return -1;
    return kw_new_opt(st, kw) ? 0 : -1;
}
