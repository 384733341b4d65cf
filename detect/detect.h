/*
 * detect.h - entry point of the detect role.
 */
#ifndef WS_DETECT_H
#define WS_DETECT_H

#include <stdint.h>

#include "sensor/shm.h"

/* Run detector gid (global index) until the supervisor says stop and its
 * inboxes are empty.  Returns the process's exit status. */
int det_main(ws_shm_t *shm, uint16_t gid);

#endif
