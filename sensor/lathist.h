/*
 * lathist.h - a fixed-size latency histogram in shared memory: buckets of
 * a quarter power of two (about 19% wide), so percentiles come out within a
 * fifth of the true value from 1 us up to an hour, in 128 counters.
 * Written by one process (a detector), read by the supervisor.
 */
#ifndef WS_LATHIST_H
#define WS_LATHIST_H

#include <stdint.h>

#define WS_LAT_BUCKETS 128

static inline unsigned ws_lat_bucket(uint64_t us)
{
    unsigned lg, sub;

    if (us < 4)
        return (unsigned)us;                    /* 0..3 exactly */
    lg = 63u - (unsigned)__builtin_clzll(us);   /* >= 2 */
    sub = (unsigned)(us >> (lg - 2)) & 3u;      /* next two bits */
    lg = 4 * (lg - 1) + sub;
    return lg < WS_LAT_BUCKETS ? lg : WS_LAT_BUCKETS - 1;
}

/* Upper bound (us) of bucket b. */
static inline uint64_t ws_lat_bucket_top(unsigned b)
{
    unsigned lg, sub;

    if (b < 4)
        return b;
    lg = b / 4 + 1;
    sub = b % 4;
    return ((4ull + sub + 1) << (lg - 2)) - 1;
}

/* The p-th percentile (0 < p <= 1) of n histograms added up, in us. */
static inline uint64_t ws_lat_percentile(const uint64_t *const *h, unsigned n, double p)
{
    uint64_t total = 0, seen = 0, want;
    unsigned b, i;

    for (i = 0; i < n; i++)
        for (b = 0; b < WS_LAT_BUCKETS; b++)
            total += h[i][b];
    if (total == 0)
        return 0;
    want = (uint64_t)(p * (double)total + 0.999999);
    for (b = 0; b < WS_LAT_BUCKETS; b++) {
        for (i = 0; i < n; i++)
            seen += h[i][b];
        if (seen >= want)
            return ws_lat_bucket_top(b);
    }
    return ws_lat_bucket_top(WS_LAT_BUCKETS - 1);
}

#endif
