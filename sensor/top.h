/*
 * top.h - `wiresift --top`, the live view (sensor/top.c).
 */
#ifndef WS_TOP_H
#define WS_TOP_H

#include "sensor/config.h"

int ws_top_main(const ws_config_t *cfg);

#endif
