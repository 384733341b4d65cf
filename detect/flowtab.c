/*
 * flowtab.c - see flowtab.h.
 */
#include "detect/flowtab.h"

#include <stdlib.h>
#include <string.h>

int det_flowtab_init(det_flowtab_t *t, uint64_t capacity)
{
    uint64_t cap = 16;

    memset(t, 0, sizeof(*t));
    while (cap < capacity)
        cap <<= 1;
    t->slots = calloc(cap, sizeof(*t->slots));
    if (t->slots == NULL)
        return -1;
    t->mask = cap - 1;
    t->count = 0;
    return 0;
}

void det_flowtab_free(det_flowtab_t *t)
{
    for (uint64_t i = 0; t->slots != NULL && i <= t->mask; i++)
        if (t->slots[i].used)
            det_flow_release(&t->slots[i]);
    free(t->slots);
    t->slots = NULL;
    t->count = 0;
}

static det_flow_t *probe(det_flow_t *slots, uint64_t mask,
                         const ws_flow_key_t *key, uint32_t hash)
{
    uint64_t i = hash & mask;

    for (;;) {
        det_flow_t *f = &slots[i];
        if (!f->used || (f->hash == hash && memcmp(&f->key, key, sizeof(*key)) == 0))
            return f;
        i = (i + 1) & mask;
    }
}

static int grow(det_flowtab_t *t)
{
    uint64_t cap = (t->mask + 1) * 2, i;
    det_flow_t *slots = calloc(cap, sizeof(*slots));

    if (slots == NULL)
        return -1;
    for (i = 0; i <= t->mask; i++) {
        det_flow_t *f = &t->slots[i];
        if (f->used)
            *probe(slots, cap - 1, &f->key, f->hash) = *f;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = cap - 1;
    return 0;
}

static void remove_at(det_flowtab_t *t, uint64_t i);

/* Make room at the limit: the stalest of the next few flows goes. */
static void evict_one(det_flowtab_t *t)
{
    uint64_t i = t->sweep & t->mask, victim = UINT64_MAX, seen = 0, n;

    for (n = 0; n <= t->mask && seen < 16; n++, i = (i + 1) & t->mask) {
        if (!t->slots[i].used)
            continue;
        seen++;
        if (victim == UINT64_MAX || t->slots[i].last_ns < t->slots[victim].last_ns)
            victim = i;
    }
    if (victim != UINT64_MAX) {
        remove_at(t, victim);
        t->evicted++;
        t->sweep = (victim + 1) & t->mask;
    }
}

det_flow_t *det_flowtab_get(det_flowtab_t *t, const ws_flow_key_t *key,
                            uint32_t hash, int *created)
{
    det_flow_t *f = probe(t->slots, t->mask, key, hash);

    *created = 0;
    if (f->used)
        return f;
    if (t->max > 0 && t->count >= t->max) {
        evict_one(t);
        f = probe(t->slots, t->mask, key, hash);
    }
    if ((t->count + 1) * 2 > t->mask + 1) {
        if (grow(t) < 0)
            return NULL;
        f = probe(t->slots, t->mask, key, hash);
    }
    memset(f, 0, sizeof(*f));
    f->key = *key;
    f->hash = hash;
    f->used = 1;
    t->count++;
    *created = 1;
    return f;
}

int det_flow_dump(const det_flow_t *f, FILE *out)
{
    char key[160];

    ws_flow_key_format(&f->key, key, sizeof(key));
    return fprintf(out, "%s %llu %llu\n", key, (unsigned long long)f->packets,
                   (unsigned long long)f->bytes) < 0 ? -1 : 0;
}

int det_flowtab_dump(const det_flowtab_t *t, FILE *out)
{
    for (uint64_t i = 0; i <= t->mask; i++)
        if (t->slots[i].used && det_flow_dump(&t->slots[i], out) < 0)
            return -1;
    return 0;
}

/* Remove slot i by shifting later members of its probe run back, so lookups
 * never need tombstones (linear probing's backward-shift delete). */
static void remove_at(det_flowtab_t *t, uint64_t i)
{
    uint64_t j = i, k;

    det_flow_release(&t->slots[i]);
    for (;;) {
        t->slots[i].used = 0;
        t->slots[i].bits = NULL;     /* released above, or moved to another slot */
        t->slots[i].stream = NULL;
        t->slots[i].http = NULL;
        for (;;) {
            j = (j + 1) & t->mask;
            if (!t->slots[j].used)
                goto done;
            k = t->slots[j].hash & t->mask;    /* home slot of j's flow */
            /* j's flow may move to i unless its home lies cyclically in (i, j]. */
            if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
                continue;
            break;
        }
        t->slots[i] = t->slots[j];
        i = j;
    }
done:
    t->count--;
}

uint64_t det_flowtab_expire(det_flowtab_t *t, uint64_t now_ns, uint64_t timeout_ns,
                            uint64_t budget, det_flow_gone_fn gone, void *arg)
{
    uint64_t removed = 0;

    if (budget > t->mask + 1)
        budget = t->mask + 1;
    while (budget-- > 0) {
        uint64_t i = t->sweep & t->mask;
        det_flow_t *f = &t->slots[i];
        if (f->used && f->last_ns + timeout_ns < now_ns) {
            if (gone != NULL)
                gone(f, arg);
            remove_at(t, i);      /* slot i may now hold a shifted flow: look again */
            removed++;
            continue;
        }
        t->sweep = (i + 1) & t->mask;
    }
    t->expired += removed;
    return removed;
}
