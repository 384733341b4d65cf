/*
 * reload.h - a detector's side of rule reload.
 *
 * The supervisor publishes a new rules generation (sensor/rules_sv.c) while
 * the old one keeps running.  Between chunks the detector notices the new
 * generation number and builds a complete new engine for it in a helper
 * thread (parsing the bundle, loading its own copy of the Hyperscan
 * databases, JIT-compiling the pcres: about half a second for ET Open), while
 * its main loop goes on inspecting with the old engine, so a reload stops no
 * packet.  When the new engine is ready the loop swaps it in between two
 * chunks and frees the old one.  Flowbits are cleared at the switch, since
 * flowbit numbers belong to a generation.  A generation that cannot be
 * loaded is reported and skipped: the old rules stay.
 */
#ifndef WS_DET_RELOAD_H
#define WS_DET_RELOAD_H

#include <pthread.h>
#include <stdint.h>

#include "detect/engine.h"
#include "detect/flowtab.h"
#include "sensor/shm.h"

enum det_reload_state { DET_RELOAD_IDLE, DET_RELOAD_BUILDING, DET_RELOAD_READY,
                        DET_RELOAD_FAILED };

typedef struct det_reload {
    ws_shm_t         *shm;
    uint16_t          sensor;
    uint16_t          gid;         /* the detector (global index) */
    pthread_t         thread;
    volatile int      state;       /* enum det_reload_state; thread sets READY/FAILED */
    uint32_t          want_gen;    /* generation being built */
    uint32_t          failed_gen;  /* last generation that failed: not retried */
    det_engine_t     *next;        /* built engine, READY */
    ws_err_t          err;         /* why FAILED */
} det_reload_t;

void det_reload_init(det_reload_t *r, ws_shm_t *shm, uint16_t gid);
/* Start building a newer generation, or swap a built one into *eng. */
void det_reload_poll(det_reload_t *r, det_engine_t **eng, det_flowtab_t *flows,
                     ws_det_shm_t *me);
/* Wait for a build in progress and drop its result. */
void det_reload_stop(det_reload_t *r);

#endif
