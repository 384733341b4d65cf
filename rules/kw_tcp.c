/*
 * kw_tcp.c - TCP header options: flags, seq, ack, window.
 *
 * flags letters are F S R P A U C E (1 and 2 are Snort's old names for C
 * and E) and 0 for "no flags"; + * ! select all/any/not, and ",mask" lists
 * flags to ignore (flags:S,CE).
 */
#include "rules/kw.h"

#include <stdio.h>

int kw_flags(kw_state_t *st, rule_kw_t kw, char *value)
{
    static const uint8_t vals[] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20,
                                    0x40, 0x80, 0x80, 0x40, 0x00 };
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    rule_bits_t b;
    if (kw_parse_bits(st, kw, value, "FSRPAUEC120", vals, &b) < 0)
        return -1;
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.bits = b;
    return 0;
}

static int tcp_cmp(kw_state_t *st, rule_kw_t kw, char *value, uint32_t max)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    rule_cmp_t cmp;
    if (kw_parse_cmp(st, kw, value, max, false, &cmp) < 0)
        return -1;
    rule_opt_t *o = kw_new_opt(st, kw);
    if (o == NULL)
        return -1;
    o->u.cmp = cmp;
    return 0;
}

int kw_seq(kw_state_t *st, rule_kw_t kw, char *value)
{
    return tcp_cmp(st, kw, value, UINT32_MAX);
}

int kw_ack(kw_state_t *st, rule_kw_t kw, char *value)
{
    return tcp_cmp(st, kw, value, UINT32_MAX);
}

int kw_window(kw_state_t *st, rule_kw_t kw, char *value)
{
    return tcp_cmp(st, kw, value, 65535);
}
