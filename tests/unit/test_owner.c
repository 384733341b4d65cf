/*
 * test_owner.c - the buddy group's flow owner table (capture/owner.c): a
 * claimed slot keeps its owner, a second claimant gets the first one's
 * detector, an idle slot expires in packet time and can be re-homed, the
 * last-seen time is refreshed without a write per packet, and time stepping
 * back (reordered packets) does not expire anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "capture/owner.h"

#define SLOTS 1024
#define TIMEOUT 60000000ull   /* 60 s in microseconds */

static ws_owner_table_t *table(void)
{
    ws_owner_table_t *t = calloc(1, sizeof(*t) + SLOTS * sizeof(uint64_t));
    t->nslots = SLOTS;
    return t;
}

static void test_claim_and_keep(void **state)
{
    ws_owner_table_t *t = table();
    (void)state;

    assert_int_equal(ws_owner_get(t, 7, 1000, TIMEOUT), -1);
    assert_int_equal(ws_owner_claim(t, 7, 3, 1000, TIMEOUT), 3);
    assert_int_equal(ws_owner_get(t, 7, 2000, TIMEOUT), 3);
    /* a second capture racing for the same new flow gets the winner */
    assert_int_equal(ws_owner_claim(t, 7, 1, 2000, TIMEOUT), 3);
    /* slots are the hash's low bits: another hash in the same slot shares it */
    assert_int_equal(ws_owner_get(t, 7 + SLOTS, 2000, TIMEOUT), 3);
    assert_int_equal(ws_owner_get(t, 8, 2000, TIMEOUT), -1);
    /* detector 0 is a real owner, distinct from "free" */
    assert_int_equal(ws_owner_claim(t, 9, 0, 1, TIMEOUT), 0);
    assert_int_equal(ws_owner_get(t, 9, 2, TIMEOUT), 0);
    free(t);
}

static void test_expire_and_rehome(void **state)
{
    ws_owner_table_t *t = table();
    (void)state;

    ws_owner_claim(t, 5, 2, 1000000, TIMEOUT);
    assert_int_equal(ws_owner_get(t, 5, 1000000 + TIMEOUT, TIMEOUT), 2);
    /* refreshed above (more than timeout/8 later): alive a timeout after that */
    assert_int_equal(ws_owner_get(t, 5, 1000000 + 2 * TIMEOUT, TIMEOUT), 2);
    /* idle for more than the timeout: free, and the next claim re-homes it */
    assert_int_equal(ws_owner_get(t, 5, 1000000 + 3 * TIMEOUT + 1, TIMEOUT), -1);
    assert_int_equal(ws_owner_claim(t, 5, 4, 1000000 + 3 * TIMEOUT + 1, TIMEOUT), 4);
    assert_int_equal(ws_owner_get(t, 5, 1000000 + 3 * TIMEOUT + 2, TIMEOUT), 4);
    free(t);
}

static void test_refresh_is_sparse(void **state)
{
    ws_owner_table_t *t = table();
    uint64_t w;
    (void)state;

    ws_owner_claim(t, 11, 1, 1000, TIMEOUT);
    w = t->slot[11];
    /* within timeout/8 the word is not rewritten */
    assert_int_equal(ws_owner_get(t, 11, 1000 + TIMEOUT / 8, TIMEOUT), 1);
    assert_true(t->slot[11] == w);
    assert_int_equal(ws_owner_get(t, 11, 1000 + TIMEOUT / 8 + 1, TIMEOUT), 1);
    assert_true(t->slot[11] != w);
    free(t);
}

static void test_time_going_back(void **state)
{
    ws_owner_table_t *t = table();
    (void)state;

    ws_owner_claim(t, 3, 1, 5000000, TIMEOUT);
    assert_int_equal(ws_owner_get(t, 3, 1000, TIMEOUT), 1);
    assert_int_equal(ws_owner_claim(t, 3, 2, 1000, TIMEOUT), 1);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim_and_keep),
        cmocka_unit_test(test_expire_and_rehome),
        cmocka_unit_test(test_refresh_is_sparse),
        cmocka_unit_test(test_time_going_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
