/*
 * owner.h - the sensor-wide flow owner table of a buddy group.
 *
 * One table per sensor in shared memory maps a slot (the low bits of the
 * symmetric flow hash) to the detector that owns it and the packet time it
 * was last seen.  Every capture process of the sensor steers through it, so
 * both directions of a flow, even if the NIC put them on different queues,
 * and every packet of it go to one detector while the flow lives:
 *
 *   - a claimed, unexpired slot goes to its owner, always;
 *   - an unclaimed (or expired) slot goes to the receiving queue's home
 *     detector, unless that detector's backlog is at or above the offload
 *     threshold T (a fraction of its pool of R chunks): then it goes to the
 *     buddy with the smallest backlog (offload);
 *   - a slot is claimed with one compare-and-swap of a 64-bit word (owner in
 *     the top byte, last-seen microseconds below), so two captures racing
 *     for a new flow agree on the winner;
 *   - a slot idle for longer than the flow timeout (packet time: offline runs
 *     stay deterministic) is free again and is re-homed by the next packet.
 * Flows that share a slot share an owner; that only coarsens affinity.
 * Buddy groups never cross sensors: each sensor has its own table.
 */
#ifndef WS_CAP_OWNER_H
#define WS_CAP_OWNER_H

#include <stdint.h>

#include "sensor/err.h"
#include "sensor/shm.h"

#define WS_NAME_OWNER   "ws_owner_%u"
#define WS_OWNER_SLOTS  (1u << 20)        /* per sensor: 8 MiB */
#define WS_OWNER_TIME_MASK ((1ull << 56) - 1)

typedef struct ws_owner_table {
    uint32_t          nslots;             /* power of two (fixed) */
    uint32_t          pad;
    volatile uint64_t slot[];             /* writers: the sensor's captures, by CAS */
} ws_owner_table_t;

/* Supervisor: create sensor s's table.  Secondary: look it up. */
ws_owner_table_t *ws_owner_create(uint16_t s, ws_err_t *err);
ws_owner_table_t *ws_owner_lookup(uint16_t s);
size_t ws_owner_bytes(void);

/*
 * The owner (detector index within the sensor) of hash's slot at packet time
 * now_us, or -1 when the slot is free or expired.  Refreshes the slot's
 * last-seen time now and then (every timeout/8) rather than per packet, so a
 * busy flow does not write shared memory for every packet.
 */
int ws_owner_get(ws_owner_table_t *t, uint32_t hash, uint64_t now_us,
                 uint64_t timeout_us);

/* Claim hash's slot for detector d; returns the owner that won (d, or the
 * detector another capture claimed it for a moment earlier). */
int ws_owner_claim(ws_owner_table_t *t, uint32_t hash, int d, uint64_t now_us,
                   uint64_t timeout_us);

#endif
