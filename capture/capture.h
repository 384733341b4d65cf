/*
 * capture.h - entry points of the capture role.  Each returns the process's
 * exit status: 0 when it stopped as asked (or delivered the whole file), 1 on
 * a runtime failure it has already logged.
 */
#ifndef WS_CAPTURE_H
#define WS_CAPTURE_H

#include <stdint.h>

#include "sensor/shm.h"

/* Live: poll global queue q's DPDK rx queue until told to stop. */
int cap_live_main(ws_shm_t *shm, uint16_t q);

/* Offline: read shm->input_file into all of sensor s's software queues,
 * never dropping, then wait until every chunk has come back. */
int cap_offline_main(ws_shm_t *shm, uint16_t s);

/* Replay: play sensor s's replay file into its queues at its rate, with
 * live semantics (capture/replay.c). */
int cap_replay_main(ws_shm_t *shm, uint16_t s);

#endif
