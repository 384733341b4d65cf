/*
 * classify.h - classification.config and reference.config tables.
 *
 * classtype:NAME in a rule is resolved through a rule_classes_t to a
 * category text (the "Classification:" of an alert) and a default priority.
 * When no table is loaded the parser uses a built-in copy of the standard
 * Snort / ET list, so `-T` works without a config.  reference.config maps a
 * reference system (cve, url, ...) to a URL prefix for output.
 *
 * Lines are `config classification: name,description,priority` and
 * `config reference: name url`; '#' starts a comment.  A bad line makes the
 * load fail with "file:line: reason".
 */
#ifndef RULE_CLASSIFY_H
#define RULE_CLASSIFY_H

#include <stdint.h>

#include "sensor/err.h"

typedef struct rule_class {
    char *name;         /* short name used by classtype: */
    char *desc;         /* category text */
    uint32_t priority;  /* 1 = highest */
} rule_class_t;

typedef struct rule_classes {
    rule_class_t *v;
    uint32_t n, cap;
} rule_classes_t;

typedef struct rule_refsys {
    char *name;
    char *url;          /* prefix the reference id is appended to */
} rule_refsys_t;

typedef struct rule_refsystems {
    rule_refsys_t *v;
    uint32_t n, cap;
} rule_refsystems_t;

void rule_classes_init(rule_classes_t *c);           /* empty table */
int rule_classes_init_default(rule_classes_t *c, ws_err_t *err);
int rule_classes_add(rule_classes_t *c, const char *name, const char *desc,
                     uint32_t priority, ws_err_t *err);
/* Add (or replace) every classification in path. */
int rule_classes_load(rule_classes_t *c, const char *path, ws_err_t *err);
/* Look name up in c, or in the built-in list when c is NULL. */
const rule_class_t *rule_classes_find(const rule_classes_t *c, const char *name);
void rule_classes_free(rule_classes_t *c);

void rule_refsys_init(rule_refsystems_t *r);
int rule_refsys_load(rule_refsystems_t *r, const char *path, ws_err_t *err);
const rule_refsys_t *rule_refsys_find(const rule_refsystems_t *r,
                                      const char *name);
void rule_refsys_free(rule_refsystems_t *r);

#endif
