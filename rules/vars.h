/*
 * vars.h - rule variables ($HOME_NET, $HTTP_PORTS, ...).
 *
 * A rule_vars_t is a small name -> value table.  rule_vars_init fills it
 * with Snort's defaults (HOME_NET and EXTERNAL_NET `any`, the *_SERVERS
 * variables `$HOME_NET`, the usual port lists from the snort.conf that ships
 * with the community rules); the config and --var override them with
 * rule_vars_set / rule_vars_assign.  Values are stored as written, untyped:
 * a value is read as an address list or a port list where a rule uses it.
 * Snort 3 style values whose items are separated by spaces ("80 81 8080")
 * are accepted as lists.
 *
 * rule_vars_expand substitutes $NAME and $(NAME) recursively, detects loops
 * ($A -> $B -> $A) and undefined names, and brackets multi-item values so
 * that "!$HTTP_PORTS" negates the whole list.
 */
#ifndef RULE_VARS_H
#define RULE_VARS_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/err.h"

typedef struct rule_var {
    char *name;
    char *value;
} rule_var_t;

typedef struct rule_vars {
    rule_var_t *v;
    uint32_t n, cap;
} rule_vars_t;

/* Fill vars with Snort's defaults.  0 / -1 (out of memory). */
int rule_vars_init(rule_vars_t *vars, ws_err_t *err);

/* An empty table (no defaults). */
void rule_vars_init_empty(rule_vars_t *vars);

void rule_vars_free(rule_vars_t *vars);

/* Define or replace NAME.  The name is [A-Za-z_][A-Za-z0-9_]*; a leading '$'
 * is accepted and dropped. */
int rule_vars_set(rule_vars_t *vars, const char *name, const char *value,
                  ws_err_t *err);

/* "NAME=VALUE" (the --var form). */
int rule_vars_assign(rule_vars_t *vars, const char *assignment, ws_err_t *err);

/* Value of the variable whose name is the namelen bytes at name, or NULL. */
const char *rule_vars_get(const rule_vars_t *vars, const char *name,
                          size_t namelen);

/* Expand every $NAME in text recursively into a malloc'd string (*out). */
int rule_vars_expand(const rule_vars_t *vars, const char *text, char **out,
                     ws_err_t *err);

#endif
