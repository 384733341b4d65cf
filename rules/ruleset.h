/*
 * ruleset.h - the rule loader API.
 *
 * rule_parse turns the text of one rule into a rule_t.  A rule_set_t loads
 * whole rule files: it joins lines continued with a trailing backslash (and
 * Snort 3 rules whose parentheses span lines), skips comments, parses each
 * rule, rejects what it cannot load with a reason and keeps the rest.  Each
 * reject is recorded as {file, line, sid, reason} and passed to an optional
 * callback; rule_set_report prints them in the `-T` format
 *     file:line: sid N: reason        ("sid ?" when the sid is unknown)
 *     rules: N loaded, M rejected
 * A second rule with the same gid:sid is rejected as a duplicate.
 *
 * Lines `var|ipvar|portvar NAME VALUE` inside a rule file define variables
 * for the rest of the load, as Snort 2 allows.
 */
#ifndef RULE_RULESET_H
#define RULE_RULESET_H

#include <stdio.h>

#include "rules/classify.h"
#include "rules/rule.h"
#include "rules/vars.h"
#include "sensor/err.h"

typedef enum rule_dialect {
    RULE_DIALECT_AUTO = 0,   /* per rule: Snort 3 when it uses Snort 3 syntax */
    RULE_DIALECT_SNORT2 = 2,
    RULE_DIALECT_SNORT3 = 3,
} rule_dialect_t;

/* What a single parse needs besides the text. */
typedef struct rule_parse_ctx {
    const rule_vars_t *vars;       /* NULL: no variables allowed */
    const rule_classes_t *classes; /* NULL: built-in classification list */
    rule_dialect_t dialect;
} rule_parse_ctx_t;

/*
 * Parse one rule (header and options, no trailing newline needed).  On
 * success *out is a new rule (free with rule_free).  On failure err holds the
 * reason; *sid (if non-NULL) receives the sid when one could be read, else 0,
 * in both cases.
 */
int rule_parse(const char *text, const rule_parse_ctx_t *ctx, rule_t **out,
               uint32_t *sid, ws_err_t *err);

typedef struct rule_reject {
    char *file;
    uint32_t line;
    uint32_t gid, sid;      /* sid 0: unknown */
    char *reason;
} rule_reject_t;

typedef void (*rule_reject_fn)(const rule_reject_t *rej, void *arg);

typedef struct rule_set {
    rule_t **rules;          /* loaded rules, in load order */
    uint32_t nrules, cap;
    rule_reject_t *rejects;
    uint32_t nrejects, rcap;
    char **files;            /* names the rules' `file` fields point to */
    uint32_t nfiles;
    char **flowbits;         /* interned flowbit names; id = index */
    uint32_t nflowbits, fbcap;

    /* private: open-addressing indexes */
    uint64_t *sid_keys;      /* gid << 32 | sid, 0 = empty */
    uint32_t *sid_rule;      /* index into rules */
    uint32_t sid_cap;
    uint32_t *fb_slots;      /* flowbit id + 1, 0 = empty */
    uint32_t fb_cap;

    rule_vars_t vars;        /* copy of the caller's, grown by var lines */
    rule_parse_ctx_t ctx;
    rule_reject_fn on_reject;
    void *on_reject_arg;
} rule_set_t;

/* vars may be NULL (Snort defaults).  classes may be NULL (built-in). */
int rule_set_init(rule_set_t *set, const rule_vars_t *vars,
                  const rule_classes_t *classes, ws_err_t *err);
void rule_set_on_reject(rule_set_t *set, rule_reject_fn fn, void *arg);
void rule_set_free(rule_set_t *set);

/* Load one file; -1 only when the file cannot be read (err says why). */
int rule_set_load_file(rule_set_t *set, const char *path, ws_err_t *err);
/* Load several; stops at the first unreadable file. */
int rule_set_load_files(rule_set_t *set, const char *const *paths, size_t n,
                        ws_err_t *err);
/* Load rules from memory; name is used as the file name in reports. */
int rule_set_load_text(rule_set_t *set, const char *name, const char *text,
                       ws_err_t *err);

/* The -T report: every reject line, then "rules: N loaded, M rejected".
 * Returns 0 when nothing was rejected, 1 otherwise. */
int rule_set_report(const rule_set_t *set, FILE *out);
/* One reject line (no newline) into buf. */
void rule_reject_format(const rule_reject_t *rej, char *buf, size_t len);

#endif
