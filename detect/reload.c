/*
 * reload.c - see reload.h.
 */
#include "detect/reload.h"

#include <stdlib.h>
#include <string.h>

#include "sensor/log.h"

void det_reload_init(det_reload_t *r, ws_shm_t *shm, uint16_t gid)
{
    memset(r, 0, sizeof(*r));
    r->shm = shm;
    r->gid = gid;
    r->sensor = shm->dets[gid].sensor;
}

static void *build(void *arg)
{
    det_reload_t *r = arg;

    r->next = det_engine_new(r->shm, r->gid, &r->err);
    __atomic_store_n(&r->state, r->next != NULL ? DET_RELOAD_READY : DET_RELOAD_FAILED,
                     __ATOMIC_RELEASE);
    return NULL;
}

/* Flowbit ids are per generation: forget every flow's bits. */
static void clear_flowbits(det_flowtab_t *flows)
{
    for (uint64_t i = 0; i <= flows->mask; i++) {
        det_flow_t *f = &flows->slots[i];
        if (f->used && f->bits != NULL) {
            free(f->bits);
            f->bits = NULL;
        }
    }
}

void det_reload_poll(det_reload_t *r, det_engine_t **eng, det_flowtab_t *flows,
                     ws_det_shm_t *me)
{
    int state = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
    uint32_t gen = r->shm->sensors[r->sensor].rules_gen;

    if (state == DET_RELOAD_IDLE) {
        if (gen == (*eng)->gen || gen == r->failed_gen)
            return;
        r->want_gen = gen;
        r->state = DET_RELOAD_BUILDING;
        if (pthread_create(&r->thread, NULL, build, r) != 0) {
            ws_err("reload: cannot start the loader thread; keeping generation %u",
                   (*eng)->gen);
            r->state = DET_RELOAD_IDLE;
            r->failed_gen = gen;
        }
        return;
    }
    if (state == DET_RELOAD_BUILDING)
        return;
    pthread_join(r->thread, NULL);
    if (state == DET_RELOAD_READY) {
        det_engine_t *old = *eng;
        det_engine_flush(old);
        *eng = r->next;
        r->next = NULL;
        clear_flowbits(flows);
        me->rules_gen = (*eng)->gen;
        me->reloads++;
        ws_info("switched from rules generation %u to %u", old->gen, (*eng)->gen);
        det_engine_destroy(old);
    } else {
        me->reload_failures++;
        r->failed_gen = r->want_gen;
        ws_err("reload: cannot load rules generation %u (%s); keeping generation %u",
               r->want_gen, r->err.msg, (*eng)->gen);
    }
    r->state = DET_RELOAD_IDLE;
}

void det_reload_stop(det_reload_t *r)
{
    if (r->state == DET_RELOAD_IDLE)
        return;
    pthread_join(r->thread, NULL);
    det_engine_destroy(r->next);
    r->next = NULL;
    r->state = DET_RELOAD_IDLE;
}
