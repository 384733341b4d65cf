/*
 * thr_window.h - the counting window shared by the rule options threshold /
 * detection_filter (detect/threshold.c) and threshold.conf's event_filter
 * (export/thresh_conf.c): Snort's limit, threshold and both, one place.
 */
#ifndef WS_DET_THR_WINDOW_H
#define WS_DET_THR_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

enum ws_thr_window { WS_WIN_LIMIT, WS_WIN_THRESHOLD, WS_WIN_BOTH };

/*
 * The event was counted already (*count includes it) in a window that
 * started at *tstart (seconds of packet time).  Decide whether to log it:
 *   limit:     the first `limit` events of each window;
 *   threshold: every `limit`-th event, the window restarting after each;
 *   both:      once per window, on its `limit`-th event.
 * fresh: the entry was created by this event (a new window of `both` is not
 * cut short then).
 */
static inline bool ws_thr_window_test(enum ws_thr_window type, uint32_t limit,
                                      uint64_t seconds, uint32_t *count,
                                      uint64_t *tstart, uint64_t now, bool fresh)
{
    uint64_t dt = now - *tstart;          /* unsigned, as in Snort */

    switch (type) {
    case WS_WIN_LIMIT:
        if (dt >= seconds) {
            *tstart = now;
            *count = 1;
        }
        return *count <= limit;
    case WS_WIN_THRESHOLD:
        if (dt >= seconds) {
            *tstart = now;
            *count = 1;
        }
        if (*count >= limit) {
            *count = 0;
            *tstart = now;
            return true;
        }
        return false;
    case WS_WIN_BOTH:
        if (dt >= seconds && !fresh) {
            *tstart = now;
            *count = 1;
            return false;
        }
        return *count == limit;
    }
    return true;
}

#endif
