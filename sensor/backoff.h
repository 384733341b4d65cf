/*
 * backoff.h - how an idle polling loop waits.
 *
 * On a 2-core machine (and on any host where detectors outnumber cores)
 * busy-polling processes starve each other, so every loop that finds no work
 * spins briefly and then sleeps with a growing interval capped at about 1 ms
 * (DESIGN.md).  Finding work resets the interval.
 */
#ifndef WS_BACKOFF_H
#define WS_BACKOFF_H

#include <time.h>

#include <rte_pause.h>

#define WS_BACKOFF_SPINS   64
#define WS_BACKOFF_MAX_NS  1000000L

typedef struct ws_backoff {
    unsigned idle;     /* consecutive empty polls */
    long     sleep_ns; /* next sleep */
} ws_backoff_t;

static inline void ws_backoff_reset(ws_backoff_t *b)
{
    b->idle = 0;
    b->sleep_ns = 1000;
}

static inline void ws_backoff_idle(ws_backoff_t *b)
{
    if (++b->idle < WS_BACKOFF_SPINS) {
        rte_pause();
        return;
    }
    struct timespec ts = { 0, b->sleep_ns };
    nanosleep(&ts, NULL);
    if (b->sleep_ns < WS_BACKOFF_MAX_NS)
        b->sleep_ns *= 2;
    if (b->sleep_ns > WS_BACKOFF_MAX_NS)
        b->sleep_ns = WS_BACKOFF_MAX_NS;
}

#endif
