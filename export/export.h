/*
 * export.h - entry point of the export role (export/export.c).
 */
#ifndef WS_EXPORT_H
#define WS_EXPORT_H

#include <stdint.h>

#include "sensor/shm.h"

/* Drain every detector's alert ring into the configured outputs until the
 * supervisor says stop.  Returns the process's exit status. */
int exp_main(ws_shm_t *shm, uint16_t id);

#endif
