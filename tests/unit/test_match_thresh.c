/*
 * test_match_thresh.c - threshold and detection_filter state
 * (detect/threshold.c): limit, threshold, both and detection_filter over
 * packet time, tracking by source, destination and rule, the interplay of a
 * rule with both options, and the fixed-size table's LRU eviction.
 *
 * Each row is one matched event: its packet time (seconds, plus an odd
 * fraction to show time is floored to whole seconds like Snort's), which
 * of two hosts sent it, and whether the event may be logged.  Rows of one
 * table run in order against one det_threshold_t.
 */
#include "test_match_util.h"

typedef struct ev {
    uint32_t sec;
    int host;               /* 0: 10.0.0.1 -> 10.0.0.2, 1: 10.0.0.7 -> 10.0.0.2,
                               2: 10.0.0.1 -> 10.0.0.9 */
    int allow;
} ev_t;

static void run_events(const char *opts, const ev_t *ev, size_t n,
                       uint32_t capacity, const char *name)
{
    char text[512];
    tset_t ts;
    det_threshold_t th;
    ws_err_t err;
    tframe_t f[3];
    static const tpkt_t hosts[3] = {
        { .src = "10.0.0.1", .dst = "10.0.0.2" },
        { .src = "10.0.0.7", .dst = "10.0.0.2" },
        { .src = "10.0.0.1", .dst = "10.0.0.9" },
    };

    t_rule_text(text, sizeof(text), opts, 7);
    t_load(&ts, text, 1);
    for (int i = 0; i < 3; i++)
        t_build(&hosts[i], &f[i]);
    assert_int_equal(det_threshold_init(&th, capacity, &err), 0);
    for (size_t i = 0; i < n; i++) {
        uint64_t ts_ns = (uint64_t)ev[i].sec * 1000000000ULL + 123456789ULL;
        bool ok = det_threshold_allow(&th, ts.set.rules[0], &f[ev[i].host].p,
                                      ts_ns);
        if ((int)ok != ev[i].allow)
            fail_msg("%s event %zu (t=%u host %d): got %d, want %d", name, i,
                     ev[i].sec, ev[i].host, ok, ev[i].allow);
    }
    det_threshold_free(&th);
    t_unload(&ts);
}

#define RUN_EV(opts, ev) run_events(opts, ev, sizeof(ev) / sizeof(ev[0]), 1024, #ev)

/* limit: the first 2 per 10 s interval, per source */
static const ev_t limit_ev[] = {
    { 0, 0, 1 }, { 1, 0, 1 }, { 2, 0, 0 }, { 2, 1, 1 }, { 3, 0, 0 },
    { 9, 0, 0 }, { 10, 0, 1 }, { 11, 0, 1 }, { 12, 0, 0 }, { 3, 1, 1 },
    { 4, 1, 0 },
};

/* threshold: every 3rd event within 60 s */
static const ev_t thresh_ev[] = {
    { 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 1 }, { 3, 0, 0 }, { 4, 0, 0 },
    { 5, 0, 1 }, { 100, 0, 0 }, { 101, 0, 0 }, { 102, 0, 1 },
    { 102, 1, 0 },
};

/* both, by destination: once per interval, at the 2nd event */
static const ev_t both_ev[] = {
    { 0, 0, 0 }, { 1, 1, 1 }, { 2, 0, 0 }, { 3, 0, 0 },
    { 4, 2, 0 },                              /* other destination */
    { 70, 0, 0 }, { 71, 1, 1 }, { 72, 0, 0 }, { 72, 2, 0 }, { 73, 2, 1 },
};

/* detection_filter: only after more than 2 events in 10 s */
static const ev_t df_ev[] = {
    { 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 1 }, { 3, 0, 1 }, { 3, 1, 0 },
    { 20, 0, 0 }, { 21, 0, 0 }, { 22, 0, 1 },
};

/* detection_filter: a busy previous interval carries over */
static const ev_t df_prev_ev[] = {
    { 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 1 }, { 3, 0, 1 }, { 4, 0, 1 },
    { 5, 0, 1 }, { 10, 0, 1 }, { 11, 0, 1 }, { 40, 0, 0 },
};

/* by_rule: one counter for every host */
static const ev_t byrule_ev[] = {
    { 0, 0, 1 }, { 0, 1, 0 }, { 1, 2, 0 }, { 61, 1, 1 },
};

/* detection_filter then threshold: the filter's rejects are not counted
 * by the threshold (count 1 per 60 s after 2 events) */
static const ev_t combo_ev[] = {
    { 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 1 }, { 3, 0, 0 }, { 4, 0, 0 },
};

/* no threshold at all */
static const ev_t none_ev[] = {
    { 0, 0, 1 }, { 0, 0, 1 }, { 0, 0, 1 },
};

/* seconds 0: every event starts a new interval */
static const ev_t zero_ev[] = {
    { 0, 0, 1 }, { 0, 0, 1 }, { 1, 0, 1 },
};

static void test_limit(void **s)
{
    (void)s;
    RUN_EV("content:\"x\"; threshold:type limit, track by_src, count 2, seconds 10",
           limit_ev);
}

static void test_threshold(void **s)
{
    (void)s;
    RUN_EV("threshold:type threshold, track by_src, count 3, seconds 60",
           thresh_ev);
}

static void test_both(void **s)
{
    (void)s;
    RUN_EV("threshold:type both, track by_dst, count 2, seconds 60", both_ev);
}

static void test_detection_filter(void **s)
{
    (void)s;
    RUN_EV("detection_filter:track by_src, count 2, seconds 10", df_ev);
    RUN_EV("detection_filter:track by_src, count 2, seconds 10", df_prev_ev);
}

static void test_by_rule(void **s)
{
    (void)s;
    RUN_EV("threshold:type limit, track by_rule, count 1, seconds 60", byrule_ev);
}

static void test_combo(void **s)
{
    (void)s;
    RUN_EV("detection_filter:track by_src, count 2, seconds 60; "
           "threshold:type limit, track by_src, count 1, seconds 60", combo_ev);
    RUN_EV("msg:\"plain\"", none_ev);
    RUN_EV("threshold:type limit, track by_src, count 1, seconds 0", zero_ev);
}

/* One set of 8 entries: a 9th source evicts the least recently used. */
static void test_eviction(void **s)
{
    (void)s;
    tset_t ts;
    det_threshold_t th;
    ws_err_t err;
    char ip[32];
    tframe_t f[10];

    t_load(&ts, "alert tcp any any -> any any (threshold:type limit, track "
                "by_src, count 1, seconds 60; sid:1;)", 1);
    for (int i = 0; i < 10; i++) {
        snprintf(ip, sizeof(ip), "192.0.2.%d", i + 1);
        tpkt_t pk = { .src = ip };
        t_build(&pk, &f[i]);
    }
    assert_int_equal(det_threshold_init(&th, 8, &err), 0);
    for (int i = 0; i < 8; i++)
        assert_true(det_threshold_allow(&th, ts.set.rules[0], &f[i].p, 0));
    assert_int_equal(th.used, 8);
    assert_int_equal(th.stats.evictions, 0);
    assert_false(det_threshold_allow(&th, ts.set.rules[0], &f[1].p, 0));
    /* host 9 evicts host 0 (least recently used) */
    assert_true(det_threshold_allow(&th, ts.set.rules[0], &f[8].p, 0));
    assert_int_equal(th.stats.evictions, 1);
    assert_int_equal(th.used, 8);
    /* host 0 forgot its count: allowed again (and evicts host 2) */
    assert_true(det_threshold_allow(&th, ts.set.rules[0], &f[0].p, 0));
    /* host 1 was used recently and is still limited */
    assert_false(det_threshold_allow(&th, ts.set.rules[0], &f[1].p, 0));
    assert_true(det_threshold_allow(&th, ts.set.rules[0], &f[2].p, 0));
    assert_int_equal(th.stats.evictions, 3);
    assert_int_equal(th.stats.filtered, 2);
    det_threshold_free(&th);
    t_unload(&ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_both),
        cmocka_unit_test(test_detection_filter),
        cmocka_unit_test(test_by_rule),
        cmocka_unit_test(test_combo),
        cmocka_unit_test(test_eviction),
    };
    size_t n = sizeof(limit_ev) + sizeof(thresh_ev) + sizeof(both_ev) +
               sizeof(df_ev) + sizeof(df_prev_ev) + sizeof(byrule_ev) +
               sizeof(combo_ev) + sizeof(none_ev) + sizeof(zero_ev);
    printf("threshold events: %zu\n", n / sizeof(ev_t));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
