/*
 * owner.c - see owner.h.
 */
#include "capture/owner.h"

#include <stdio.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_errno.h>
#include <rte_memzone.h>

static inline uint64_t slot_word(int d, uint64_t now_us)
{
    return (uint64_t)(d + 1) << 56 | (now_us & WS_OWNER_TIME_MASK);
}

static inline int word_owner(uint64_t w)      { return (int)(w >> 56) - 1; }
static inline uint64_t word_time(uint64_t w)  { return w & WS_OWNER_TIME_MASK; }

static inline int word_live(uint64_t w, uint64_t now_us, uint64_t timeout_us)
{
    /* Packet time may step back a little (reordering): only an idle gap in
     * the forward direction expires a slot. */
    return w != 0 && !(now_us > word_time(w) && now_us - word_time(w) > timeout_us);
}

size_t ws_owner_bytes(void)
{
    return sizeof(ws_owner_table_t) + (size_t)WS_OWNER_SLOTS * sizeof(uint64_t);
}

ws_owner_table_t *ws_owner_create(uint16_t s, ws_err_t *err)
{
    char name[RTE_MEMZONE_NAMESIZE];
    const struct rte_memzone *mz;
    ws_owner_table_t *t;

    snprintf(name, sizeof(name), WS_NAME_OWNER, s);
    mz = rte_memzone_reserve(name, ws_owner_bytes(), SOCKET_ID_ANY, 0);
    if (mz == NULL) {
        ws_err_set(err, "rte_memzone_reserve(%s) failed: %s", name,
                   rte_strerror(rte_errno));
        return NULL;
    }
    t = mz->addr;
    memset(t, 0, ws_owner_bytes());
    t->nslots = WS_OWNER_SLOTS;
    return t;
}

ws_owner_table_t *ws_owner_lookup(uint16_t s)
{
    char name[RTE_MEMZONE_NAMESIZE];
    const struct rte_memzone *mz;

    snprintf(name, sizeof(name), WS_NAME_OWNER, s);
    mz = rte_memzone_lookup(name);
    return mz != NULL ? mz->addr : NULL;
}

int ws_owner_get(ws_owner_table_t *t, uint32_t hash, uint64_t now_us,
                 uint64_t timeout_us)
{
    volatile uint64_t *slot = &t->slot[hash & (t->nslots - 1)];
    uint64_t w = *slot;

    if (!word_live(w, now_us, timeout_us))
        return -1;
    if (now_us > word_time(w) && now_us - word_time(w) > timeout_us / 8)
        __atomic_compare_exchange_n(slot, &w, slot_word(word_owner(w), now_us), 0,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return word_owner(w);
}

int ws_owner_claim(ws_owner_table_t *t, uint32_t hash, int d, uint64_t now_us,
                   uint64_t timeout_us)
{
    volatile uint64_t *slot = &t->slot[hash & (t->nslots - 1)];
    uint64_t w = *slot;

    for (;;) {
        if (word_live(w, now_us, timeout_us))
            return word_owner(w);            /* someone else was first */
        if (__atomic_compare_exchange_n(slot, &w, slot_word(d, now_us), 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return d;
        /* w now holds the current word: look again */
    }
}
