/*
 * classify.c - classification.config and reference.config loaders, and the
 * built-in classification list used when no file is loaded.
 *
 * The built-in list is Snort 2.9's classification.config (which ET Open
 * repeats, minus the last four rows), so every classtype in the shipped
 * rule sets resolves without a config.
 */
#include "rules/classify.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/util.h"

static const rule_class_t builtin_classes[] = {
    { "not-suspicious", "Not Suspicious Traffic", 3 },
    { "unknown", "Unknown Traffic", 3 },
    { "bad-unknown", "Potentially Bad Traffic", 2 },
    { "attempted-recon", "Attempted Information Leak", 2 },
    { "successful-recon-limited", "Information Leak", 2 },
    { "successful-recon-largescale", "Large Scale Information Leak", 2 },
    { "attempted-dos", "Attempted Denial of Service", 2 },
    { "successful-dos", "Denial of Service", 2 },
    { "attempted-user", "Attempted User Privilege Gain", 1 },
    { "unsuccessful-user", "Unsuccessful User Privilege Gain", 1 },
    { "successful-user", "Successful User Privilege Gain", 1 },
    { "attempted-admin", "Attempted Administrator Privilege Gain", 1 },
    { "successful-admin", "Successful Administrator Privilege Gain", 1 },
    { "rpc-portmap-decode", "Decode of an RPC Query", 2 },
    { "shellcode-detect", "Executable Code was Detected", 1 },
    { "string-detect", "A Suspicious String was Detected", 3 },
    { "suspicious-filename-detect", "A Suspicious Filename was Detected", 2 },
    { "suspicious-login",
      "An Attempted Login Using a Suspicious Username was Detected", 2 },
    { "system-call-detect", "A System Call was Detected", 2 },
    { "tcp-connection", "A TCP Connection was Detected", 4 },
    { "trojan-activity", "A Network Trojan was Detected", 1 },
    { "unusual-client-port-connection", "A Client was Using an Unusual Port",
      2 },
    { "network-scan", "Detection of a Network Scan", 3 },
    { "denial-of-service", "Detection of a Denial of Service Attack", 2 },
    { "non-standard-protocol",
      "Detection of a Non-Standard Protocol or Event", 2 },
    { "protocol-command-decode", "Generic Protocol Command Decode", 3 },
    { "web-application-activity",
      "Access to a Potentially Vulnerable Web Application", 2 },
    { "web-application-attack", "Web Application Attack", 1 },
    { "misc-activity", "Misc activity", 3 },
    { "misc-attack", "Misc Attack", 2 },
    { "icmp-event", "Generic ICMP event", 3 },
    { "inappropriate-content", "Inappropriate Content was Detected", 1 },
    { "policy-violation", "Potential Corporate Privacy Violation", 1 },
    { "default-login-attempt",
      "Attempt to Login By a Default Username and Password", 2 },
    { "sdf", "Sensitive Data was Transmitted Across the Network", 2 },
    { "file-format", "Known malicious file or file based exploit", 1 },
    { "malware-cnc", "Known malware command and control traffic", 1 },
    { "client-side-exploit", "Known client side exploit attempt", 1 },
};

void rule_classes_init(rule_classes_t *c)
{
    c->v = NULL;
    c->n = c->cap = 0;
}

int rule_classes_init_default(rule_classes_t *c, ws_err_t *err)
{
    rule_classes_init(c);
    size_t n = sizeof(builtin_classes) / sizeof(builtin_classes[0]);
    for (size_t i = 0; i < n; i++) {
        if (rule_classes_add(c, builtin_classes[i].name,
                             builtin_classes[i].desc,
                             builtin_classes[i].priority, err) < 0) {
            rule_classes_free(c);
            return -1;
        }
    }
    return 0;
}

int rule_classes_add(rule_classes_t *c, const char *name, const char *desc,
                     uint32_t priority, ws_err_t *err)
{
    char *nd = rule_strdup(desc);
    if (nd == NULL)
        return ws_err_set(err, "out of memory");
    for (uint32_t i = 0; i < c->n; i++) {
        if (strcmp(c->v[i].name, name) == 0) {
            free(c->v[i].desc);
            c->v[i].desc = nd;
            c->v[i].priority = priority;
            return 0;
        }
    }
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 64;
        rule_class_t *v = realloc(c->v, cap * sizeof(*v));
        if (v == NULL) {
            free(nd);
            return ws_err_set(err, "out of memory");
        }
        c->v = v;
        c->cap = cap;
    }
    char *nn = rule_strdup(name);
    if (nn == NULL) {
        free(nd);
        return ws_err_set(err, "out of memory");
    }
    c->v[c->n].name = nn;
    c->v[c->n].desc = nd;
    c->v[c->n].priority = priority;
    c->n++;
    return 0;
}

const rule_class_t *rule_classes_find(const rule_classes_t *c, const char *name)
{
    if (c == NULL) {
        size_t n = sizeof(builtin_classes) / sizeof(builtin_classes[0]);
        for (size_t i = 0; i < n; i++)
            if (strcmp(builtin_classes[i].name, name) == 0)
                return &builtin_classes[i];
        return NULL;
    }
    for (uint32_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].name, name) == 0)
            return &c->v[i];
    return NULL;
}

void rule_classes_free(rule_classes_t *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        free(c->v[i].name);
        free(c->v[i].desc);
    }
    free(c->v);
    rule_classes_init(c);
}

/* Call fn(arg) for each "config KEYWORD: rest" line of path. */
typedef int (*config_line_fn)(void *arg, char *rest, ws_err_t *err);

static int config_each(const char *path, const char *keyword,
                       config_line_fn fn, void *arg, ws_err_t *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return ws_err_set(err, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int rc = 0;
    size_t kl = strlen(keyword);
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        char *s = rule_trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        if (strncmp(s, "config", 6) != 0 || !isspace((unsigned char)s[6]))
            goto bad;
        s = rule_trim(s + 6);
        if (strncmp(s, keyword, kl) != 0)
            goto bad;
        s = rule_trim(s + kl);
        if (*s != ':')
            goto bad;
        ws_err_t e;
        if (fn(arg, rule_trim(s + 1), &e) < 0) {
            rc = ws_err_set(err, "%s:%u: %s", path, lineno, e.msg);
            break;
        }
        continue;
bad:
        rc = ws_err_set(err, "%s:%u: expected 'config %s: ...'", path, lineno,
                        keyword);
        break;
    }
    free(line);
    fclose(f);
    return rc;
}

static int class_line(void *arg, char *rest, ws_err_t *err)
{
    char *items[3];
    uint32_t prio;
    if (rule_split(rest, ',', items, 3) != 3 || *items[0] == '\0' ||
        rule_parse_u32(items[2], &prio) < 0 || prio == 0)
        return ws_err_set(err, "expected name,description,priority");
    return rule_classes_add(arg, items[0], items[1], prio, err);
}

int rule_classes_load(rule_classes_t *c, const char *path, ws_err_t *err)
{
    return config_each(path, "classification", class_line, c, err);
}

void rule_refsys_init(rule_refsystems_t *r)
{
    r->v = NULL;
    r->n = r->cap = 0;
}

static int ref_line(void *arg, char *rest, ws_err_t *err)
{
    rule_refsystems_t *r = arg;
    char *url = rest;
    while (*url && !isspace((unsigned char)*url))
        url++;
    if (*url)
        *url++ = '\0';
    url = rule_trim(url);
    if (*rest == '\0')
        return ws_err_set(err, "expected name url");
    for (uint32_t i = 0; i < r->n; i++) {
        if (strcmp(r->v[i].name, rest) == 0) {
            char *u = rule_strdup(url);
            if (u == NULL)
                return ws_err_set(err, "out of memory");
            free(r->v[i].url);
            r->v[i].url = u;
            return 0;
        }
    }
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 32;
        rule_refsys_t *v = realloc(r->v, cap * sizeof(*v));
        if (v == NULL)
            return ws_err_set(err, "out of memory");
        r->v = v;
        r->cap = cap;
    }
    char *n = rule_strdup(rest), *u = rule_strdup(url);
    if (n == NULL || u == NULL) {
        free(n);
        free(u);
        return ws_err_set(err, "out of memory");
    }
    r->v[r->n].name = n;
    r->v[r->n].url = u;
    r->n++;
    return 0;
}

int rule_refsys_load(rule_refsystems_t *r, const char *path, ws_err_t *err)
{
    return config_each(path, "reference", ref_line, r, err);
}

const rule_refsys_t *rule_refsys_find(const rule_refsystems_t *r,
                                      const char *name)
{
    for (uint32_t i = 0; i < r->n; i++)
        if (strcasecmp(r->v[i].name, name) == 0)
            return &r->v[i];
    return NULL;
}

void rule_refsys_free(rule_refsystems_t *r)
{
    for (uint32_t i = 0; i < r->n; i++) {
        free(r->v[i].name);
        free(r->v[i].url);
    }
    free(r->v);
    rule_refsys_init(r);
}
