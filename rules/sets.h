/*
 * sets.h - parsing address and port sets from rule headers and variables.
 *
 * Grammar (Snort 2 and Snort 3; items separate with ',' or whitespace):
 *     set   := item ( sep item )*
 *     item  := '!'* elem
 *     elem  := '[' set ']' | 'any' | $VAR | atom
 *     atom  := CIDR (a.b.c.d[/len|/mask], IPv6[/len])  or  port, lo:hi, lo:, :hi
 * A list matches what any of its plain items matches (everything, when it
 * has none) minus what its negated items match, so nesting and negation
 * compose: [10.0.0.0/8,![10.1.0.0/16,10.2.0.0/16]].  Variables are
 * expanded first (rule_vars_expand).  The result is flattened into sorted
 * disjoint ranges; a set that matches nothing (!any) is an error.
 */
#ifndef RULE_SETS_H
#define RULE_SETS_H

#include "rules/rule.h"
#include "rules/vars.h"
#include "sensor/err.h"

int rule_addrset_parse(rule_addrset_t *out, const char *text,
                       const rule_vars_t *vars, ws_err_t *err);
int rule_portset_parse(rule_portset_t *out, const char *text,
                       const rule_vars_t *vars, ws_err_t *err);

/* Deep copy (the cache in the rule set hands out copies). */
int rule_addrset_copy(rule_addrset_t *dst, const rule_addrset_t *src);
int rule_portset_copy(rule_portset_t *dst, const rule_portset_t *src);

#endif
