/*
 * flowtab.h - a detector's private flow table: canonical 5-tuple -> flow.
 *
 * Owner: one detect process; never shared, so no locks.  Open addressing
 * with linear probing on the capture hash, grown (x2) at 50% load, memory
 * from malloc (jemalloc in the binary).  The detection issue adds TCP state
 * and timeouts live in detect/flowstate.c.
 */
#ifndef WS_DET_FLOWTAB_H
#define WS_DET_FLOWTAB_H

#include <stdint.h>
#include <stdio.h>

#include "capture/flowkey.h"

typedef struct det_flow {
    ws_flow_key_t key;
    uint32_t      hash;
    uint32_t      used;        /* 0 = empty slot */
    uint64_t      packets;
    uint64_t      bytes;
    uint64_t      first_ns;    /* packet time of the first and last packet */
    uint64_t      last_ns;
    /* state (detect/flowstate.c) */
    uint8_t       client_is_lo;  /* the client is the key's lo side */
    uint8_t       tcp_state;     /* enum det_tcp_state */
    uint8_t       seen;          /* 1: client->server seen, 2: server->client seen */
    uint8_t       fins;          /* 1: client FIN, 2: server FIN */
    uint8_t      *bits;          /* flowbits, malloc'd on first use; NULL = all clear */
    struct det_stream *stream;   /* TCP reassembly state (detect/stream.h), NULL = none */
    struct det_http   *http;     /* HTTP/1.x parser state (detect/http.h), NULL = none */
    uint8_t       app;           /* enum det_flow_app: what its stream turned out to carry */
    uint8_t       blocked;       /* inline: a drop/reject rule matched; its packets are dropped */
} det_flow_t;

enum det_flow_app { DET_APP_UNKNOWN = 0, DET_APP_HTTP, DET_APP_OTHER };

/* Free everything a flow owns (flowbits, stream, HTTP state) and clear the
 * pointers; the flow's key and counters stay.  Defined in flowstate.c,
 * which knows the owners' release functions. */
void det_flow_release(det_flow_t *f);

typedef struct det_flowtab {
    det_flow_t *slots;
    uint64_t    mask;          /* capacity - 1; capacity is a power of two */
    uint64_t    count;
    uint64_t    sweep;         /* next slot the expiry sweep looks at */
    uint64_t    expired;       /* flows removed for being idle */
    uint64_t    max;           /* most flows kept (flow.max), 0 = no limit */
    uint64_t    evicted;       /* flows removed to make room at the limit */
} det_flowtab_t;

/* Called with each flow the sweep removes, before it goes. */
typedef void (*det_flow_gone_fn)(const det_flow_t *f, void *arg);

int  det_flowtab_init(det_flowtab_t *t, uint64_t capacity);
void det_flowtab_free(det_flowtab_t *t);

/* Find the flow of key (hash = ws_flow_hash(key)), creating it if new;
 * *created says which.  At the flow limit the least recently seen of a few
 * flows near the sweep position is evicted first (counted), so a flood of
 * new tuples costs old flows, never unbounded memory.  NULL only when memory
 * ran out. */
det_flow_t *det_flowtab_get(det_flowtab_t *t, const ws_flow_key_t *key,
                            uint32_t hash, int *created);

/* Look at up to budget slots from where the last sweep stopped and remove
 * the flows idle for more than timeout_ns at packet time now_ns (gone, if
 * not NULL, sees each first).  Pointers to flows are invalid afterwards.
 * Returns the flows removed. */
uint64_t det_flowtab_expire(det_flowtab_t *t, uint64_t now_ns, uint64_t timeout_ns,
                            uint64_t budget, det_flow_gone_fn gone, void *arg);

/* One flow as a line: "proto lo port hi port packets bytes". */
int det_flow_dump(const det_flow_t *f, FILE *out);

/* Write one line per flow: "proto lo port hi port packets bytes". */
int det_flowtab_dump(const det_flowtab_t *t, FILE *f);

#endif
