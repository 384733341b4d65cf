/*
 * fuzz_stream.c - libFuzzer harness for TCP stream reassembly
 * (detect/stream.c).
 *
 * Input layout (all integers little-endian):
 *   header, 12 bytes:
 *     [0]     bit 0 midstream, bit 1 overlap "last", bit 2 free the manager
 *             before the flows, bit 3 use det_stream_take/consume
 *     [1]     window  = 1 + b * 97 bytes      (small: gaps and held pieces)
 *     [2]     depth   = b * 61 bytes, 0 = unlimited
 *     [3]     take_max = b * 37 bytes
 *     [4]     memcap  = 64 KiB + b * 1 KiB    (the minimum: reclaims happen)
 *     [5..7]  unused
 *     [8..11] client ISN; the server ISN is its bitwise complement
 *   then segments until the input ends, each a 6-byte header and its data:
 *     [0] bits 0-1 flow (three flows share the manager), bit 2 from client,
 *         bit 3 absolute sequence number, bits 4-5 consume action
 *         (0 all, 1 half, 2 none, 3 det_stream_ignore)
 *     [1] TCP flags (SYN FIN RST ... as on the wire)
 *     [2..3] relative sequence number: ISN + 1 + value (a SYN uses ISN),
 *         or with bit 3 the next 4 bytes are the absolute sequence number
 *     [4..5] payload length (clamped to the bytes left)
 * Checks: what det_stream_feed and det_stream_take return lies within the
 * stream's bytes (ASan checks the reads), new_off <= len and
 * <= DET_STREAM_LOOKBACK, mgr.mem never exceeds the memcap, and once every
 * flow is released the manager accounts for no memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/stream.h"

#define FZ_FLOWS 3

#define FZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "fuzz_stream: broken promise: %s (%s:%d)\n", \
                #cond, __FILE__, __LINE__); \
        abort(); \
    } } while (0)

static volatile uint8_t fz_sink;

static void fz_touch(const uint8_t *b, uint32_t n)
{
    uint8_t x = 0;
    for (uint32_t i = 0; i < n; i++)
        x ^= b[i];
    fz_sink = x;
}

static uint32_t fz_rd16(const uint8_t *b) { return b[0] | (uint32_t)b[1] << 8; }
static uint32_t fz_rd32(const uint8_t *b) { return fz_rd16(b) | fz_rd16(b + 2) << 16; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12)
        return 0;
    det_stream_cfg_t cfg;
    det_stream_cfg_default(&cfg);
    cfg.midstream = data[0] & 1;
    cfg.overlap = (data[0] & 2) ? DET_STREAM_LAST : DET_STREAM_FIRST;
    bool mgr_first = data[0] & 4, use_take = data[0] & 8;
    cfg.window = 1 + data[1] * 97u;
    cfg.depth = data[2] * 61u;
    cfg.take_max = data[3] * 37u;
    cfg.memcap = (64u << 10) + data[4] * 1024u;
    uint32_t isn[2];
    isn[0] = fz_rd32(data + 8);
    isn[1] = ~isn[0];

    det_stream_mgr_t m;
    ws_err_t err;
    FZ_CHECK(det_stream_mgr_init(&m, &cfg, &err) == 0);
    det_flow_t flows[FZ_FLOWS];
    memset(flows, 0, sizeof(flows));

    size_t pos = 12;
    while (pos + 6 <= size) {
        const uint8_t *h = data + pos;
        pos += 6;
        det_flow_t *f = &flows[(h[0] & 3) % FZ_FLOWS];
        bool from_client = h[0] & 4;
        uint32_t seq;
        if (h[0] & 8) {
            if (pos + 4 > size)
                break;
            seq = fz_rd32(data + pos);
            pos += 4;
        } else {
            seq = isn[from_client ? 0 : 1] + fz_rd16(h + 2)
                + ((h[1] & DET_TCP_SYN) ? 0 : 1);
        }
        uint32_t plen = fz_rd16(h + 4);
        if (plen > size - pos)
            plen = (uint32_t)(size - pos);
        /* the payload in its own allocation: reads past it are caught */
        uint8_t *pl = malloc(plen ? plen : 1);
        FZ_CHECK(pl != NULL);
        memcpy(pl, data + pos, plen);
        pos += plen;

        det_packet_t p;
        memset(&p, 0, sizeof(p));
        p.layers = DET_L_IPV4 | DET_L_TCP;
        p.l4_proto = 6;
        p.family = 4;
        p.tcp.flags = h[1];
        p.tcp.seq = seq;
        p.tcp.ack = isn[from_client ? 1 : 0] + 1;
        p.payload = plen ? pl : NULL;
        p.payload_len = plen;

        det_stream_out_t out;
        int rc = det_stream_feed(&m, f, &p, from_client, &out);
        FZ_CHECK(rc >= -1 && rc <= 1);
        if (rc == 1) {
            FZ_CHECK(out.buf != NULL && out.len > 0);
            FZ_CHECK(out.new_off <= out.len);
            FZ_CHECK(out.new_off <= DET_STREAM_LOOKBACK);
            FZ_CHECK(out.to_server == from_client);
            fz_touch(out.buf, out.len);
        }
        FZ_CHECK(m.mem <= cfg.memcap);
        int state = det_stream_state(f, from_client);
        FZ_CHECK(state >= DET_SD_NONE && state <= DET_SD_OFF);

        if (use_take) {
            unsigned action = (h[0] >> 4) & 3;
            det_stream_chunk_t c;
            if (action == 3) {
                det_stream_ignore(f, from_client);
            } else if (det_stream_take(f, from_client, &c) == 1) {
                FZ_CHECK(c.buf != NULL && c.len > 0);
                fz_touch(c.buf, c.len);
                det_stream_consume(f, from_client,
                                   action == 0 ? c.len : action == 1 ? c.len / 2 : 0);
            }
        }
        free(pl);
    }

    if (mgr_first)
        det_stream_mgr_free(&m);
    for (int i = 0; i < FZ_FLOWS; i++) {
        det_stream_release(flows[i].stream);
        flows[i].stream = NULL;
    }
    if (!mgr_first) {
        FZ_CHECK(m.mem == 0);
        det_stream_mgr_free(&m);
    }
    return 0;
}
