/*
 * rules_sv.h - the supervisor's side of rules: read each sensor's rule files
 * into a bundle, parse it (reporting every rejected rule as
 * `file:line: sid N: reason`), build the Hyperscan prefilter, and publish
 * both in shared memory for the detectors.  Also the -T check.
 */
#ifndef WS_RULES_SV_H
#define WS_RULES_SV_H

#include <stdio.h>

#include "detect/prefilter.h"
#include "rules/bundle.h"
#include "sensor/config.h"
#include "sensor/shm.h"

/* One sensor's prepared rules.  Owner: the supervisor. */
typedef struct sv_rules {
    rule_bundle_t         bundle;
    rule_loaded_t         loaded;
    void                 *pf_blob;
    size_t                pf_len;
    det_prefilter_stats_t st;
    double                parse_secs;
} sv_rules_t;

/* Prepare sensor s's rules; each reject is written to report (as a warning
 * line when log is set, else bare, as -T prints it).  -1: files unreadable
 * or the prefilter could not be built (err says which). */
int sv_rules_prepare(const ws_config_t *cfg, int s, sv_rules_t *r, int log,
                     FILE *report, ws_err_t *err);
void sv_rules_free(sv_rules_t *r);

/* Copy r into memzones for sensor s, generation gen; fill shm's fields. */
int sv_rules_publish(ws_shm_t *shm, int s, const sv_rules_t *r, uint32_t gen,
                     ws_err_t *err);

/* -T: check every sensor's rules, print the rejects and the last line
 * `rules: N loaded, M rejected`.  Returns M, or -1 on a fatal error. */
int sv_rules_check(const ws_config_t *cfg, int nsensors, FILE *out);

#endif
