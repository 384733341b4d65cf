/*
 * thresh_conf.h - Snort's threshold.conf (suppress, event_filter,
 * rate_filter) and the decisions it makes about each alert before the
 * export process writes it.
 *
 * Accepted lines (keywords in any order after the first, separated by
 * commas; '#' starts a comment; a trailing '\' continues the line):
 *   suppress gen_id G, sig_id S [, track by_src|by_dst, ip LIST]
 *   event_filter gen_id G, sig_id S, type limit|threshold|both,
 *       track by_src|by_dst, count C, seconds N
 *   rate_filter gen_id G, sig_id S, track by_src|by_dst|by_rule, count C,
 *       seconds N, new_action alert|drop|pass|log|sdrop|reject, timeout T
 *       [, apply_to LIST]
 *   threshold ...  (Snort's deprecated name of event_filter; same fields)
 * LIST is an address, a CIDR, a bracketed list with '!' negation, or a
 * $VARIABLE (rules/sets.h).  sig_id 0 means every sid of gen_id G; gen_id
 * 0 (with sig_id 0) every gen.  event_filter count -1 disables filtering
 * for that gid:sid (the Snort way to exempt a rule from a global filter).
 * At most one event_filter per gid:sid, as in Snort.  A bad line is
 * reported as "FILE:LINE: reason" and skipped; the others load.
 *
 * Decisions (ws_thresh_check), in Snort's order:
 *   1. rate_filter: events of a gid:sid counted per tracked address over
 *      `seconds` windows; once a window holds more than `count`, new_action
 *      applies for `timeout` seconds (sfrf.c).
 *   2. suppress: any matching suppress line (sid-specific or sid 0).
 *   3. event_filter: the sid-specific one, else the gen's sid 0 one, else
 *      the gen 0 one; limit = the first C per N s, threshold = every C-th
 *      within N s, both = once per N s, at the C-th event (sfthd.c, the
 *      same arithmetic as detect/threshold.c).  Global filters count each
 *      gid:sid separately, as Snort's do.
 * Time is whole seconds of packet time.  State is a fixed-size
 * set-associative table; a new key in a full set evicts the least recently
 * used entry (counted in stats.evictions), as Snort's memcap'd tables do.
 */
#ifndef WS_EXPORT_THRESH_CONF_H
#define WS_EXPORT_THRESH_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/rule.h"
#include "rules/vars.h"
#include "sensor/err.h"

#define WS_THR_WAYS 8

typedef enum ws_thr_kind {
    WS_THR_SUPPRESS,
    WS_THR_EVENT_FILTER,
    WS_THR_RATE_FILTER,
} ws_thr_kind_t;

typedef enum ws_thr_track {
    WS_THR_TRACK_NONE,
    WS_THR_TRACK_SRC,
    WS_THR_TRACK_DST,
    WS_THR_TRACK_RULE,
} ws_thr_track_t;

typedef enum ws_thr_type {
    WS_THR_LIMIT,
    WS_THR_THRESHOLD,
    WS_THR_BOTH,
} ws_thr_type_t;

typedef enum ws_thr_action {
    WS_THR_ACT_NONE,       /* no rate_filter fired: the rule's own action */
    WS_THR_ACT_ALERT,
    WS_THR_ACT_DROP,
    WS_THR_ACT_PASS,
    WS_THR_ACT_LOG,
    WS_THR_ACT_SDROP,
    WS_THR_ACT_REJECT,
} ws_thr_action_t;

/* One accepted line. */
typedef struct ws_thr_entry {
    ws_thr_kind_t  kind;
    ws_thr_track_t track;
    ws_thr_type_t  type;        /* event_filter */
    ws_thr_action_t new_action; /* rate_filter */
    uint32_t gid, sid;          /* 0 = all */
    int32_t  count;             /* -1: event_filter disabled */
    uint32_t seconds;
    uint32_t timeout;           /* rate_filter */
    bool     has_ips;
    rule_addrset_t ips;         /* suppress ip / rate_filter apply_to */
    uint32_t line;
} ws_thr_entry_t;

/* Tracking state of one (entry, gid, sid, address). */
typedef struct ws_thr_node {
    uint64_t tick;           /* LRU clock of the last use; 0 = empty */
    uint64_t tstart;         /* start of the current window (s) */
    uint64_t revert;         /* rate_filter: when new_action started (s) */
    uint32_t entry;          /* index in ws_thresh_t.e */
    uint32_t gid, sid;
    uint32_t count;
    uint8_t  family;         /* 0 untracked, 4, 6 */
    uint8_t  on;             /* rate_filter: new_action active */
    uint8_t  addr[16];
} ws_thr_node_t;

typedef struct ws_thr_stats {
    uint64_t checked;        /* ws_thresh_check calls */
    uint64_t suppressed;
    uint64_t filtered;       /* held back by an event_filter */
    uint64_t rate_fired;     /* events given a rate_filter's new_action */
    uint64_t inserts;
    uint64_t evictions;      /* entries recycled from a full set */
} ws_thr_stats_t;

typedef struct ws_thresh {
    ws_thr_entry_t *e;
    uint32_t n, cap;
    uint32_t errors;         /* lines rejected by the loads so far */
    ws_thr_node_t *slots;    /* nsets * WS_THR_WAYS */
    uint32_t set_mask;
    uint64_t clock;
    ws_thr_stats_t stats;
} ws_thresh_t;

/* The event a decision is about. */
typedef struct ws_thr_event {
    uint32_t gid, sid;
    uint8_t  family;         /* 4 or 6 */
    uint8_t  src[16], dst[16];
    uint64_t ts_ns;          /* packet time */
} ws_thr_event_t;

typedef enum ws_thr_verdict {
    WS_THR_LOG,              /* write the alert */
    WS_THR_SUPPRESSED,
    WS_THR_FILTERED,         /* an event_filter held it back */
    WS_THR_RATE_QUIET,       /* rate_filter new_action pass, sdrop or log:
                              * no alert output */
} ws_thr_verdict_t;

/* Reports one bad line ("FILE:LINE: reason"). */
typedef void (*ws_thr_report_fn)(void *ctx, const char *msg);

/* capacity: tracking entries (rounded up to a power of two, >= WAYS). */
int  ws_thresh_init(ws_thresh_t *t, uint32_t capacity, ws_err_t *err);
void ws_thresh_free(ws_thresh_t *t);

/*
 * Parse one line (file and line only name it in messages).  0 accepted or
 * blank/comment, -1 rejected with err = "FILE:LINE: reason" (also counted
 * in t->errors).  vars may be NULL (then $VARIABLES are errors).
 */
int ws_thresh_parse_line(ws_thresh_t *t, const char *text, const char *file,
                         uint32_t line, const rule_vars_t *vars, ws_err_t *err);

/*
 * Load a file: every bad line goes to report (may be NULL) and is skipped.
 * Returns the number of rejected lines (0 = all loaded), or -1 with err
 * when the file cannot be read.
 */
int ws_thresh_load(ws_thresh_t *t, const char *path, const rule_vars_t *vars,
                   ws_thr_report_fn report, void *ctx, ws_err_t *err);

/* Decide about one alert; *action (may be NULL) receives a rate_filter's
 * new_action, else WS_THR_ACT_NONE. */
ws_thr_verdict_t ws_thresh_check(ws_thresh_t *t, const ws_thr_event_t *ev,
                                 ws_thr_action_t *action);

const char *ws_thr_action_name(ws_thr_action_t a);

#endif
