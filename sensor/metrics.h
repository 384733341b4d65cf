/*
 * metrics.h - Prometheus text-format metrics (sensor/metrics.c).
 */
#ifndef WS_METRICS_H
#define WS_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "sensor/err.h"
#include "sensor/shm.h"

typedef struct ws_metrics {
    int      fd;          /* listening socket, -1 = none */
    uint64_t scrapes;
} ws_metrics_t;

int  ws_metrics_write(const ws_shm_t *shm, uint64_t start_s, FILE *f);
int  ws_metrics_listen(ws_metrics_t *m, const char *addr, ws_err_t *err);
/* Answer any scrapes waiting; never blocks for long (100 ms per client at most). */
void ws_metrics_poll(ws_metrics_t *m, const ws_shm_t *shm, uint64_t start_s);
int  ws_metrics_file(const ws_shm_t *shm, uint64_t start_s, const char *path);
void ws_metrics_close(ws_metrics_t *m);

#endif
