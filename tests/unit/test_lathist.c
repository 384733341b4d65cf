/*
 * test_lathist.c - latency histogram buckets (sensor/lathist.h): every value
 * lands in a bucket whose upper bound is at least the value and less than a
 * third above it, buckets are monotonic, and percentiles over several
 * histograms come out right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sensor/lathist.h"

static void test_bucket_bounds(void **state)
{
    unsigned prev = 0;
    (void)state;

    for (uint64_t v = 0; v < 5000000; v = v < 100 ? v + 1 : v + v / 17) {
        unsigned b = ws_lat_bucket(v);
        assert_true(b >= prev);
        assert_true(ws_lat_bucket_top(b) >= v);
        assert_true(ws_lat_bucket_top(b) <= v + v / 3 + 1);
        if (b > 0)
            assert_true(ws_lat_bucket_top(b - 1) < v);
        prev = b;
    }
    assert_int_equal(ws_lat_bucket(UINT64_MAX), WS_LAT_BUCKETS - 1);
}

static void test_percentiles(void **state)
{
    static uint64_t a[WS_LAT_BUCKETS], b[WS_LAT_BUCKETS];
    const uint64_t *h[2] = { a, b };
    (void)state;

    assert_int_equal(ws_lat_percentile(h, 2, 0.99), 0);
    a[ws_lat_bucket(10)] += 98;     /* 98 chunks at 10 us */
    b[ws_lat_bucket(1000)] += 2;    /* 2 slow ones at 1 ms */
    assert_int_equal(ws_lat_percentile(h, 2, 0.50), ws_lat_bucket_top(ws_lat_bucket(10)));
    assert_int_equal(ws_lat_percentile(h, 2, 0.98), ws_lat_bucket_top(ws_lat_bucket(10)));
    assert_int_equal(ws_lat_percentile(h, 2, 0.99), ws_lat_bucket_top(ws_lat_bucket(1000)));
    assert_int_equal(ws_lat_percentile(h, 1, 0.99), ws_lat_bucket_top(ws_lat_bucket(10)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_bounds),
        cmocka_unit_test(test_percentiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
