/*
 * stream.h - TCP stream reassembly of one detector, per flow and direction.
 *
 * Each detector owns one det_stream_mgr_t; each TCP flow it tracks gets a
 * struct det_stream (det_flow_t.stream) holding two directions, client to
 * server (to_server) and server to client.  det_stream_feed() takes one
 * decoded TCP segment of a flow and, when the sender's direction advanced,
 * hands back one contiguous buffer: up to DET_STREAM_LOOKBACK bytes that
 * were already inspected followed by the bytes that just became in order.
 * A pattern split across segments, or across out-of-order segments, is
 * therefore contiguous in that buffer; a match that ends at or before
 * out.new_off is a re-scan of old bytes and must not alert again.
 *
 * Sequence numbers: each direction's initial sequence number comes from its
 * SYN (or SYN-ACK); with cfg.midstream it may come from the first segment
 * seen instead, otherwise a direction without its SYN is not reassembled
 * (counted no_isn).  Positions are kept as 64-bit offsets from the
 * direction's first data byte, derived from the 32-bit sequence number by
 * serial arithmetic against the next expected byte, so sequence wrap-around
 * needs no special case.  A segment more than 1 GiB ahead is ignored
 * (bad_seq).
 *
 * Policy, in the order a segment meets it:
 *  - retransmission: a segment whose bytes were all delivered already is
 *    dropped (retransmits); the delivered bytes always win over a later copy
 *    that differs, whatever the overlap policy, as they were inspected;
 *  - out of order: a segment ahead of the next expected byte is held while
 *    it ends within cfg.window bytes of that byte; held pieces never overlap:
 *    cfg.overlap decides which copy of a byte is kept (DET_STREAM_FIRST, the
 *    default, keeps the byte that arrived first; DET_STREAM_LAST the byte that
 *    arrived last; either way counted in overlaps/overlap_bytes); at most
 *    DET_STREAM_MAX_HELD pieces are held per direction (held_limit);
 *  - gap: a segment that would end beyond the window gives up on the gap in
 *    front of the held data (gaps_skipped, gap_bytes): the stream jumps to the
 *    first held byte (or to the segment when nothing is held) and carries on.
 *    The output after a jump has no lookback (out.gap).  When one segment
 *    needs several jumps, the runs released before the last jump are not
 *    inspected (skipped_bytes);
 *  - depth: only the first cfg.depth bytes of a direction (sequence space
 *    from its first data byte; 0 = unlimited) are reassembled; then the
 *    direction stops (depth_reached) and its later segments cost one branch
 *    (depth_packets);
 *  - FIN: the direction ends once every byte before the FIN was delivered;
 *    bytes beyond the FIN are ignored.  RST (within cfg.window of the next
 *    expected byte, else ignored as bad_rst) ends both directions at once and
 *    drops held data; the payload of an RST is not reassembled (the caller
 *    still inspects the packet itself).  Later segments: after_close.
 *
 * Memory: every stream, buffer and held piece is accounted in mgr.mem and
 * bounded by cfg.memcap.  When an allocation would pass it (memcap_reclaims
 * counts each time): first the held out-of-order data of the same flow's
 * other direction is dropped, then the held data of up to
 * DET_STREAM_RECLAIM_SCAN least recently fed flows, then the least recently
 * fed flows stop being reassembled altogether (reclaim_flows), oldest first.
 * If that is still not enough the segment is dropped (held data) or the
 * direction stops (in-order data) (memcap_drops).  A buffer grows by
 * doubling and is compacted in place, so in-order segments with nothing held
 * cost one memcpy and no allocation once the flow is under way.
 *
 * Ownership: a stream keeps a back-pointer to its manager, which is how
 * det_stream_release() (called from det_flow_release(), which has no manager
 * argument) gives the memory back.  det_stream_mgr_free() may run before or
 * after the flow table is freed: streams still alive then are detached (their
 * buffers freed, the back-pointer cleared) and det_stream_release() later only
 * frees the struct.  One writer: the detector that owns the manager.
 *
 * Lifetimes: out.buf and the det_stream_take() chunk point into stream
 * buffers and stay valid until the next det_stream_feed() on the same
 * manager (any flow: a memcap reclaim may free another flow's buffers) or
 * the flow's release.
 */
#ifndef DET_STREAM_H
#define DET_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/decode.h"
#include "detect/flowtab.h"
#include "sensor/err.h"

/* Already-inspected bytes put before the new ones in det_stream_out_t: long
 * enough for the fast patterns and content chains of real rule sets (the
 * longest content in ET Open and the Snort community rules is a few hundred
 * bytes); a longer span is what the HTTP buffers are for. */
#define DET_STREAM_LOOKBACK     1024
#define DET_STREAM_MAX_HELD     1024        /* held pieces per direction */
#define DET_STREAM_RECLAIM_SCAN 32          /* flows whose held data a reclaim drops */
#define DET_STREAM_MAX_JUMP     (1u << 30)  /* further ahead than this: bad_seq */

/* Defaults of det_stream_cfg_default(). */
#define DET_STREAM_DEPTH_DEFAULT   (1u << 20)    /* stream.depth 1 MiB */
#define DET_STREAM_WINDOW_DEFAULT  (64u << 10)   /* 64 KiB */
#define DET_STREAM_TAKE_DEFAULT    (64u << 10)   /* unconsumed bytes kept for take */
#define DET_STREAM_MEMCAP_DEFAULT  (256ull << 20)

enum det_stream_overlap {
    DET_STREAM_FIRST = 0,    /* "first": the byte that arrived first stays */
    DET_STREAM_LAST  = 1,    /* "last": a later copy replaces a held byte */
};

/* State of one direction (det_stream_state()). */
enum det_stream_state {
    DET_SD_NONE = 0,   /* no initial sequence number yet (not reassembled) */
    DET_SD_OPEN,       /* being reassembled */
    DET_SD_CLOSED,     /* FIN reached or RST seen */
    DET_SD_DEPTH,      /* stream.depth reached */
    DET_SD_OFF,        /* stopped by a memcap reclaim */
};

typedef struct det_stream_cfg {
    uint32_t depth;      /* stream.depth: bytes per direction, 0 = unlimited */
    uint32_t window;     /* out-of-order bytes held ahead of the next expected byte */
    uint32_t take_max;   /* unconsumed in-order bytes kept per direction for
                            det_stream_take once it was called (0: only the
                            bytes of the last feed) */
    uint64_t memcap;     /* all streams, buffers and held data of the detector */
    bool     midstream;  /* stream.midstream: pick up a direction without SYN */
    uint8_t  overlap;    /* enum det_stream_overlap */
} det_stream_cfg_t;

/* Counters (monotonic, except mem_high_water, the peak of mgr.mem). */
#define DET_STREAM_STATS(X) \
    X(segments,        "segments")         /* TCP segments fed */ \
    X(bytes_in_order,  "bytes_in_order")   /* bytes delivered in order */ \
    X(retransmits,     "retransmits")      /* segments of delivered bytes only */ \
    X(overlaps,        "overlaps")         /* segments overlapping kept bytes in part */ \
    X(overlap_bytes,   "overlap_bytes")    /* bytes decided by the overlap policy */ \
    X(out_of_order_held, "out_of_order_held") /* segments ahead of the next byte */ \
    X(gaps_skipped,    "gaps_skipped")     /* gaps given up on (window exceeded) */ \
    X(gap_bytes,       "gap_bytes")        /* sequence space jumped over */ \
    X(skipped_bytes,   "skipped_bytes")    /* held bytes released but not inspected */ \
    X(depth_reached,   "depth_reached")    /* directions stopped at stream.depth */ \
    X(depth_packets,   "depth_packets")    /* segments after the depth */ \
    X(memcap_reclaims, "memcap_reclaims")  /* times memcap was hit */ \
    X(reclaim_held,    "reclaim_held")     /* held bytes dropped by reclaims */ \
    X(reclaim_flows,   "reclaim_flows")    /* flows stopped by reclaims */ \
    X(memcap_drops,    "memcap_drops")     /* segments/directions dropped: no memory */ \
    X(no_isn,          "no_isn")           /* segments of a direction without ISN */ \
    X(after_close,     "after_close")      /* data segments after FIN/RST */ \
    X(bad_seq,         "bad_seq")          /* segments too far ahead */ \
    X(bad_rst,         "bad_rst")          /* RSTs outside the window */ \
    X(held_limit,      "held_limit")       /* segments dropped: too many pieces */ \
    X(take_lost,       "take_lost")        /* unconsumed bytes dropped */ \
    X(streams,         "streams")          /* streams created */ \
    X(alloc_fail,      "alloc_fail")       /* malloc failures */ \
    X(mem_high_water,  "mem_high_water")   /* peak bytes accounted */

typedef struct det_stream_stats {
#define DET_X_(name, str) uint64_t name;
    DET_STREAM_STATS(DET_X_)
#undef DET_X_
} det_stream_stats_t;

struct det_stream;

typedef struct det_stream_list {
    struct det_stream *head, *tail;
} det_stream_list_t;

/* One per detector; only det_stream_* functions write it. */
typedef struct det_stream_mgr {
    det_stream_cfg_t   cfg;
    uint64_t           mem;      /* bytes accounted now (<= cfg.memcap) */
    det_stream_stats_t st;
    det_stream_list_t  live;     /* streams holding buffers, least recently fed first */
    det_stream_list_t  idle;     /* the other streams */
    uint64_t           nstreams;
} det_stream_mgr_t;

/* What a feed produced for the direction that advanced. */
typedef struct det_stream_out {
    const uint8_t *buf;      /* lookback bytes, then the new in-order bytes */
    uint32_t len;            /* bytes in buf */
    uint32_t new_off;        /* buf[new_off..len) is new; buf[0..new_off) was
                                inspected before (<= DET_STREAM_LOOKBACK) */
    uint64_t off;            /* stream offset of buf[0] (bytes from the
                                direction's first data byte, gaps included) */
    bool     to_server;      /* client -> server direction */
    bool     gap;            /* a gap was skipped right before the new bytes */
    bool     end;            /* the direction ended with these bytes (FIN,
                                depth or memcap): nothing more will follow */
} det_stream_out_t;

/* In-order bytes of a direction not yet consumed (det_stream_take). */
typedef struct det_stream_chunk {
    const uint8_t *buf;
    uint32_t len;
    uint64_t off;            /* stream offset of buf[0] */
    bool     gap;            /* bytes are missing between the last consumed
                                byte and buf (a skipped gap, take_max
                                overflow); reported until det_stream_consume */
    bool     end;            /* the direction is over: no byte will follow */
    bool     midstream;      /* the direction was picked up without its SYN */
} det_stream_chunk_t;

/* Defaults: depth 1 MiB, window 64 KiB, take_max 64 KiB, memcap 256 MiB,
 * midstream off, first-wins overlaps. */
void det_stream_cfg_default(det_stream_cfg_t *cfg);

/* "first" / "last" -> enum det_stream_overlap; -1 for anything else. */
int det_stream_overlap_parse(const char *s);

/* window 1..DET_STREAM_MAX_JUMP, memcap >= 64 KiB, overlap first|last. */
int  det_stream_mgr_init(det_stream_mgr_t *m, const det_stream_cfg_t *cfg, ws_err_t *err);
void det_stream_mgr_free(det_stream_mgr_t *m);

/*
 * Feed one decoded packet of flow f (from_client: its direction).  Packets
 * that are not TCP are ignored.  Returns 1 when out describes new in-order
 * bytes of that direction, 0 when nothing new became in order (out->len 0),
 * -1 when malloc failed (counted alloc_fail; the flow is left consistent).
 */
int det_stream_feed(det_stream_mgr_t *m, det_flow_t *f, const det_packet_t *p,
                    bool from_client, det_stream_out_t *out);

/* Free a stream (NULL-safe) and give its memory back to its manager.
 * Called by det_flow_release(); the caller clears f->stream. */
void det_stream_release(struct det_stream *s);

/* enum det_stream_state of a direction of f (DET_SD_NONE without a stream). */
int det_stream_state(const det_flow_t *f, bool to_server);

/*
 * The in-order bytes of a direction that were not consumed yet, for a
 * parser that needs whole units (HTTP).  The first call on a direction
 * makes the stream keep unconsumed bytes from then on (up to cfg.take_max;
 * older ones are dropped, counted take_lost, and reported as chunk.gap);
 * before it, take sees the bytes of the last feed.  Call it after
 * det_stream_feed() returned 1 for that direction, then det_stream_consume()
 * with what was used; what is left stays for the next take.  Returns 1 when
 * chunk has bytes, 0 otherwise (chunk.end says whether more can come).
 */
int  det_stream_take(det_flow_t *f, bool to_server, det_stream_chunk_t *c);
void det_stream_consume(det_flow_t *f, bool to_server, uint32_t n);

/* The consumer has no more use for the direction (not HTTP, say): keep no
 * unconsumed bytes for it from now on. */
void det_stream_ignore(det_flow_t *f, bool to_server);

#endif
