/*
 * vars.c - the rule variable table and its recursive expansion.
 *
 * Defaults follow the snort.conf shipped with the Snort 2.9 community rules
 * (the reference list of names): with no configuration HOME_NET and
 * EXTERNAL_NET are `any`, every *_SERVERS variable is $HOME_NET, and the port
 * variables have Snort's values.  Expansion is textual and recursive so a
 * variable may refer to others ([$HTTP_PORTS,110,143]); a chain deeper than
 * RULE_VARS_MAX_DEPTH or one that revisits a name is reported as a loop.
 */
#include "rules/vars.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rules/util.h"

#define RULE_VARS_MAX_DEPTH 16

static const char *const rule_vars_defaults[][2] = {
    { "HOME_NET", "any" },
    { "EXTERNAL_NET", "any" },
    { "DNS_SERVERS", "$HOME_NET" },
    { "SMTP_SERVERS", "$HOME_NET" },
    { "HTTP_SERVERS", "$HOME_NET" },
    { "SQL_SERVERS", "$HOME_NET" },
    { "TELNET_SERVERS", "$HOME_NET" },
    { "SSH_SERVERS", "$HOME_NET" },
    { "FTP_SERVERS", "$HOME_NET" },
    { "SIP_SERVERS", "$HOME_NET" },
    { "HTTP_PORTS",
      "[36,80,81,82,83,84,85,86,87,88,89,90,311,323,383,443,444,555,591,593,"
      "623,631,664,801,808,818,901,972,1158,1220,1270,1414,1533,1581,1719,"
      "1720,1741,1801,1812,1830,1942,2231,2301,2375,2381,2578,2809,2869,2980,"
      "3000,3029,3037,3057,3128,3323,3443,3702,4000,4343,4444,4592,4848,5000,"
      "5054,5060,5061,5117,5222,5250,5416,5443,5450,5480,5555,5600,5814,5894,"
      "5984,5985,5986,6060,6080,6173,6988,7000,7001,7005,7070,7071,7080,7144,"
      "7145,7180,7181,7510,7770,7777,7778,7779,8000,8001,8008,8014,8015,8020,"
      "8028,8040,8080,8081,8082,8085,8088,8090,8095,8118,8123,8161,8180,8181,"
      "8182,8222,8243,8280,8300,8333,8344,8393,8400,8443,8484,8500,8509,8511,"
      "8694,8787,8800,8848,8852,8880,8888,8899,8983,9000,9001,9002,9050,9060,"
      "9080,9090,9091,9111,9200,9201,9290,9443,9447,9502,9700,9710,9788,9830,"
      "9850,9990,9999,10000,10080,10100,10250,10255,10297,10443,11371,12601,"
      "13014,14592,15489,16000,16992,16993,16994,16995,17000,18081,19980,"
      "20000,29991,30007,30018,30888,33300,34412,34443,34444,36099,37215,"
      "40007,41080,44449,49152,49153,50000,50002,50452,51423,53331,54444,"
      "55252,55555,56712]" },
    { "SHELLCODE_PORTS", "!80" },
    { "ORACLE_PORTS", "1024:" },
    { "SSH_PORTS", "22" },
    { "FTP_PORTS", "[21,2100,3535]" },
    { "SIP_PORTS", "[5060,5061,5600]" },
    { "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
    { "GTP_PORTS", "[2123,2152,3386]" },
    { "AIM_SERVERS",
      "[64.12.24.0/23,64.12.28.0/23,64.12.161.0/24,64.12.163.0/24,"
      "64.12.200.0/24,205.188.3.0/24,205.188.5.0/24,205.188.7.0/24,"
      "205.188.9.0/24,205.188.153.0/24,205.188.179.0/24,205.188.248.0/24]" },
};

void rule_vars_init_empty(rule_vars_t *vars)
{
    vars->v = NULL;
    vars->n = vars->cap = 0;
}

int rule_vars_init(rule_vars_t *vars, ws_err_t *err)
{
    rule_vars_init_empty(vars);
    size_t n = sizeof(rule_vars_defaults) / sizeof(rule_vars_defaults[0]);
    for (size_t i = 0; i < n; i++) {
        if (rule_vars_set(vars, rule_vars_defaults[i][0],
                          rule_vars_defaults[i][1], err) < 0) {
            rule_vars_free(vars);
            return -1;
        }
    }
    return 0;
}

void rule_vars_free(rule_vars_t *vars)
{
    for (uint32_t i = 0; i < vars->n; i++) {
        free(vars->v[i].name);
        free(vars->v[i].value);
    }
    free(vars->v);
    rule_vars_init_empty(vars);
}

static bool rule_var_char(int c, bool first)
{
    return isalpha(c) || c == '_' || (!first && isdigit(c));
}

const char *rule_vars_get(const rule_vars_t *vars, const char *name,
                          size_t namelen)
{
    for (uint32_t i = 0; i < vars->n; i++) {
        if (strncmp(vars->v[i].name, name, namelen) == 0 &&
            vars->v[i].name[namelen] == '\0')
            return vars->v[i].value;
    }
    return NULL;
}

int rule_vars_set(rule_vars_t *vars, const char *name, const char *value,
                  ws_err_t *err)
{
    if (*name == '$')
        name++;
    if (!rule_var_char((unsigned char)*name, true))
        return ws_err_set(err, "bad variable name '%s'", name);
    for (const char *p = name + 1; *p; p++)
        if (!rule_var_char((unsigned char)*p, false))
            return ws_err_set(err, "bad variable name '%s'", name);

    char *v = rule_strdup(value);
    if (v == NULL)
        return ws_err_set(err, "out of memory");
    char *tv = rule_trim(v);
    if (tv != v)
        memmove(v, tv, strlen(tv) + 1);
    /* Snort 3 values are often quoted: HOME_NET = '10.0.0.0/8' */
    size_t vl = strlen(v);
    if (vl >= 2 && (v[0] == '\'' || v[0] == '"') && v[vl - 1] == v[0]) {
        memmove(v, v + 1, vl - 2);
        v[vl - 2] = '\0';
    }
    if (*v == '\0') {
        free(v);
        return ws_err_set(err, "variable %s has an empty value", name);
    }

    for (uint32_t i = 0; i < vars->n; i++) {
        if (strcmp(vars->v[i].name, name) == 0) {
            free(vars->v[i].value);
            vars->v[i].value = v;
            return 0;
        }
    }
    if (vars->n == vars->cap) {
        uint32_t cap = vars->cap ? vars->cap * 2 : 32;
        rule_var_t *nv = realloc(vars->v, cap * sizeof(*nv));
        if (nv == NULL) {
            free(v);
            return ws_err_set(err, "out of memory");
        }
        vars->v = nv;
        vars->cap = cap;
    }
    char *nm = rule_strdup(name);
    if (nm == NULL) {
        free(v);
        return ws_err_set(err, "out of memory");
    }
    vars->v[vars->n].name = nm;
    vars->v[vars->n].value = v;
    vars->n++;
    return 0;
}

int rule_vars_assign(rule_vars_t *vars, const char *assignment, ws_err_t *err)
{
    const char *eq = strchr(assignment, '=');
    if (eq == NULL || eq == assignment)
        return ws_err_set(err, "variable assignment '%s' is not NAME=VALUE",
                          assignment);
    char *name = rule_strndup(assignment, (size_t)(eq - assignment));
    if (name == NULL)
        return ws_err_set(err, "out of memory");
    int rc = rule_vars_set(vars, rule_trim(name), eq + 1, err);
    free(name);
    return rc;
}

/* True when v holds more than one top-level item ("80 81", "1,2") and so
 * must be bracketed when substituted. */
static bool rule_vars_is_bare_list(const char *v)
{
    int depth = 0;
    for (const char *p = v; *p; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        else if (depth == 0 && (*p == ',' || isspace((unsigned char)*p)))
            return true;
    }
    return false;
}

static int rule_vars_expand_into(const rule_vars_t *vars, const char *text,
                                 rule_buf_t *out, const char **stack,
                                 size_t *stacklen, int depth, ws_err_t *err)
{
    const char *p = text;
    while (*p) {
        if (*p != '$') {
            const char *q = strchr(p, '$');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            if (rule_buf_append(out, p, n) < 0)
                return ws_err_set(err, "out of memory");
            p += n;
            continue;
        }
        const char *name = p + 1;
        bool paren = *name == '(';
        if (paren)
            name++;
        size_t nl = 0;
        while (rule_var_char((unsigned char)name[nl], nl == 0))
            nl++;
        if (nl == 0)
            return ws_err_set(err, "bad variable reference in '%s'", text);
        p = name + nl;
        if (paren) {
            if (*p != ')')
                return ws_err_set(err, "bad variable reference in '%s'", text);
            p++;
        }
        const char *val = rule_vars_get(vars, name, nl);
        if (val == NULL)
            return ws_err_set(err, "undefined variable $%.*s", (int)nl, name);
        for (size_t i = 0; i < *stacklen; i++) {
            if (strncmp(stack[i], name, nl) == 0 &&
                !rule_var_char((unsigned char)stack[i][nl], false))
                return ws_err_set(err, "variable loop: $%.*s refers to itself",
                                  (int)nl, name);
        }
        if (depth >= RULE_VARS_MAX_DEPTH)
            return ws_err_set(err, "variable $%.*s nests too deeply",
                              (int)nl, name);
        bool wrap = rule_vars_is_bare_list(val);
        if (wrap && rule_buf_putc(out, '[') < 0)
            return ws_err_set(err, "out of memory");
        stack[(*stacklen)++] = name;
        if (rule_vars_expand_into(vars, val, out, stack, stacklen, depth + 1,
                                  err) < 0)
            return -1;
        (*stacklen)--;
        if (wrap && rule_buf_putc(out, ']') < 0)
            return ws_err_set(err, "out of memory");
    }
    return 0;
}

int rule_vars_expand(const rule_vars_t *vars, const char *text, char **out,
                     ws_err_t *err)
{
    rule_buf_t b = { 0 };
    const char *stack[RULE_VARS_MAX_DEPTH + 1];
    size_t stacklen = 0;
    if (rule_buf_append(&b, "", 0) < 0)
        return ws_err_set(err, "out of memory");
    if (rule_vars_expand_into(vars, text, &b, stack, &stacklen, 0, err) < 0) {
        rule_buf_free(&b);
        return -1;
    }
    *out = b.data;
    return 0;
}
