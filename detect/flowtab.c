/*
 * flowtab.c - see flowtab.h.
 */
#include "detect/flowtab.h"

#include <stdlib.h>
#include <string.h>

int det_flowtab_init(det_flowtab_t *t, uint64_t capacity)
{
    uint64_t cap = 16;

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
        free(t->slots[i].bits);
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

det_flow_t *det_flowtab_get(det_flowtab_t *t, const ws_flow_key_t *key,
                            uint32_t hash, int *created)
{
    det_flow_t *f = probe(t->slots, t->mask, key, hash);

    *created = 0;
    if (f->used)
        return f;
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

int det_flowtab_dump(const det_flowtab_t *t, FILE *out)
{
    char key[160];
    uint64_t i;

    for (i = 0; i <= t->mask; i++) {
        const det_flow_t *f = &t->slots[i];
        if (!f->used)
            continue;
        ws_flow_key_format(&f->key, key, sizeof(key));
        if (fprintf(out, "%s %llu %llu\n", key, (unsigned long long)f->packets,
                    (unsigned long long)f->bytes) < 0)
            return -1;
    }
    return 0;
}
