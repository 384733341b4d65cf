/*
 * bundle.h - a sensor's rules as one self-contained blob: the rule variables,
 * the classification file's path and the full text of every rule file.
 *
 * The supervisor reads the files once and builds the bundle; it parses the
 * bundle itself (for -T, the reject report and the Hyperscan build) and
 * publishes it in shared memory, and every detect process parses the same
 * bytes with the same code.  So supervisor and detectors always hold the
 * identical rule set, in the identical order, even if a file changes on
 * disk meanwhile (a changed file takes effect on reload only).
 */
#ifndef RULE_BUNDLE_H
#define RULE_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "rules/classify.h"
#include "rules/ruleset.h"
#include "rules/vars.h"
#include "sensor/err.h"

typedef struct rule_bundle {
    uint8_t *data;
    size_t   len, cap;
} rule_bundle_t;

/* Read files and record them with the variables (names[i] = values[i]) and
 * the classification path ("" = built-in list).  A file that cannot be read
 * is an error naming it. */
int rule_bundle_build(rule_bundle_t *b, const char *const *files, size_t nfiles,
                      const char *const *names, const char *const *values,
                      size_t nvars, const char *classification, ws_err_t *err);
void rule_bundle_free(rule_bundle_t *b);

/* A parsed bundle: the rule set and what it points into. */
typedef struct rule_loaded {
    rule_vars_t    vars;
    rule_classes_t classes;
    int            have_classes;
    rule_set_t     set;
} rule_loaded_t;

/* Parse a bundle; rejects go to fn (may be NULL).  -1 only for a broken
 * bundle, an unreadable classification file or no memory. */
int rule_bundle_load(rule_loaded_t *out, const void *blob, size_t len,
                     rule_reject_fn fn, void *arg, ws_err_t *err);
void rule_loaded_free(rule_loaded_t *l);

#endif
