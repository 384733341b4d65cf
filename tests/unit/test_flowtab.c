/*
 * test_flowtab.c - the detector's flow table: insert, find, grow, and the
 * idle-flow sweep with backward-shift deletion (every remaining flow must
 * still be found, whatever probe runs the deletions cut through); plus the
 * flow direction and TCP handshake state the rule options read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/flowstate.h"
#include "detect/flowtab.h"

static ws_flow_key_t key_n(uint32_t n)
{
    ws_flow_key_t k;
    memset(&k, 0, sizeof(k));
    k.family = 4;
    k.proto = 17;
    memcpy(k.addr_lo, &n, 4);
    k.port_lo = (uint16_t)n;
    k.port_hi = 53;
    return k;
}

/* A hash with few distinct values forces long probe runs. */
static uint32_t bad_hash(uint32_t n) { return n % 7; }

static void test_insert_find_grow(void **state)
{
    det_flowtab_t t;
    int created;
    (void)state;

    assert_int_equal(det_flowtab_init(&t, 16), 0);
    for (uint32_t n = 0; n < 5000; n++) {
        ws_flow_key_t k = key_n(n);
        det_flow_t *f = det_flowtab_get(&t, &k, bad_hash(n) * 977 + n % 3, &created);
        assert_non_null(f);
        assert_int_equal(created, 1);
        f->packets = n;
    }
    assert_int_equal(t.count, 5000);
    for (uint32_t n = 0; n < 5000; n++) {
        ws_flow_key_t k = key_n(n);
        det_flow_t *f = det_flowtab_get(&t, &k, bad_hash(n) * 977 + n % 3, &created);
        assert_int_equal(created, 0);
        assert_int_equal(f->packets, n);
    }
    det_flowtab_free(&t);
}

static void test_expire_keeps_the_rest_findable(void **state)
{
    det_flowtab_t t;
    int created;
    uint64_t removed = 0;
    (void)state;

    assert_int_equal(det_flowtab_init(&t, 64), 0);
    for (uint32_t n = 0; n < 3000; n++) {
        ws_flow_key_t k = key_n(n);
        det_flow_t *f = det_flowtab_get(&t, &k, bad_hash(n), &created);
        f->last_ns = (n % 2) ? 1000 : 5000000000ull;   /* odd flows are idle */
        f->packets = n;
        if (n % 4 == 1)
            f->bits = calloc(1, 8);                     /* freed on expiry */
    }
    /* Sweep twice round the table at time 2 s with a 1 s timeout. */
    for (int i = 0; i < 16; i++)
        removed += det_flowtab_expire(&t, 2000000000ull, 1000000000ull, 1024, NULL, NULL);
    assert_int_equal(removed, 1500);
    assert_int_equal(t.count, 1500);
    assert_int_equal(t.expired, 1500);
    for (uint32_t n = 0; n < 3000; n++) {
        ws_flow_key_t k = key_n(n);
        det_flow_t *f = det_flowtab_get(&t, &k, bad_hash(n), &created);
        assert_int_equal(created, n % 2);     /* the idle ones are gone */
        if (!created)
            assert_int_equal(f->packets, n);
    }
    det_flowtab_free(&t);
}

static void test_limit_evicts_stalest(void **state)
{
    det_flowtab_t t;
    int created;
    (void)state;

    assert_int_equal(det_flowtab_init(&t, 16), 0);
    t.max = 1000;
    for (uint32_t n = 0; n < 50000; n++) {
        ws_flow_key_t k = key_n(n);
        det_flow_t *f = det_flowtab_get(&t, &k, n * 2654435761u, &created);
        assert_non_null(f);
        assert_int_equal(created, 1);
        f->last_ns = n;
        f->bits = malloc(4);                 /* released on eviction */
        assert_true(t.count <= 1000);
    }
    assert_int_equal(t.count, 1000);
    assert_int_equal(t.evicted, 49000);
    /* the table did not grow past what 1000 flows need */
    assert_true(t.mask + 1 <= 4096);
    /* the newest flow is still there */
    ws_flow_key_t k = key_n(49999);
    assert_non_null(det_flowtab_get(&t, &k, 49999u * 2654435761u, &created));
    assert_int_equal(created, 0);
    det_flowtab_free(&t);
}

static void test_direction_and_handshake(void **state)
{
    det_flow_t f;
    det_packet_t p;
    det_pkt_flow_t out;
    (void)state;

    memset(&f, 0, sizeof(f));
    memset(&p, 0, sizeof(p));
    p.l4_proto = 6;
    p.layers = DET_L_TCP;
    /* SYN from the lo side: lo is the client */
    p.tcp.flags = DET_TCP_SYN;
    det_flow_update(&f, 1, &p, true, 1, 60000000000ull, false, &out);
    assert_true(out.to_server);
    assert_false(out.established);
    p.tcp.flags = DET_TCP_SYN | DET_TCP_ACK;
    det_flow_update(&f, 0, &p, false, 2, 60000000000ull, false, &out);
    assert_false(out.to_server);
    assert_false(out.established);
    p.tcp.flags = DET_TCP_ACK;
    det_flow_update(&f, 0, &p, true, 3, 60000000000ull, false, &out);
    assert_true(out.to_server);
    assert_true(out.established);
    /* midstream pickup only when allowed */
    memset(&f, 0, sizeof(f));
    p.tcp.flags = DET_TCP_ACK | DET_TCP_PSH;
    det_flow_update(&f, 1, &p, false, 1, 60000000000ull, false, &out);
    assert_false(out.established);
    memset(&f, 0, sizeof(f));
    det_flow_update(&f, 1, &p, false, 1, 60000000000ull, true, &out);
    assert_true(out.established);
    assert_true(out.to_server);         /* first sender is the client */
    /* UDP: established once both directions were seen */
    memset(&f, 0, sizeof(f));
    p.l4_proto = 17;
    p.layers = DET_L_UDP;
    det_flow_update(&f, 1, &p, true, 1, 60000000000ull, false, &out);
    assert_false(out.established);
    det_flow_update(&f, 0, &p, false, 2, 60000000000ull, false, &out);
    assert_true(out.established);
    assert_false(out.to_server);
    free(f.bits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_find_grow),
        cmocka_unit_test(test_expire_keeps_the_rest_findable),
        cmocka_unit_test(test_limit_evicts_stalest),
        cmocka_unit_test(test_direction_and_handshake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
