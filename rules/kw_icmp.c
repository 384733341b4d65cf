/*
 * kw_icmp.c - ICMP header options: itype, icode (0..255, with < > and
 * A<>B ranges), icmp_id and icmp_seq (0..65535).
 */
#include "rules/kw.h"

static int icmp_cmp(kw_state_t *st, rule_kw_t kw, char *value, uint32_t max)
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

int kw_itype(kw_state_t *st, rule_kw_t kw, char *value)
{
    return icmp_cmp(st, kw, value, 255);
}

int kw_icode(kw_state_t *st, rule_kw_t kw, char *value)
{
    return icmp_cmp(st, kw, value, 255);
}

int kw_icmp_id(kw_state_t *st, rule_kw_t kw, char *value)
{
    return icmp_cmp(st, kw, value, 65535);
}

int kw_icmp_seq(kw_state_t *st, rule_kw_t kw, char *value)
{
    return icmp_cmp(st, kw, value, 65535);
}
