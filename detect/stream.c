/*
 * stream.c - TCP reassembly per flow and direction (see stream.h for the
 * policy).
 *
 * A direction keeps one contiguous buffer of in-order bytes and a sorted,
 * non-overlapping list of held out-of-order pieces.  Positions are 64-bit
 * offsets from the direction's first data byte; next_off/next_seq is the
 * next expected byte in both spaces, and the buffer always ends there
 * (buf_off + blen == next_off).  Three marks live in that space:
 *
 *     buf_off        take_off     insp_off                 next_off
 *        |  lookback   |  unconsumed |  new in this feed      |
 *        [=========================================================)
 *
 * insp_off is where the bytes not yet handed out for inspection start,
 * take_off is where the take consumer stands.  The buffer keeps everything
 * from min(take_off, insp_off - DET_STREAM_LOOKBACK) on and is compacted
 * (memmove to the front) only when an append does not fit, then grown by
 * doubling: an in-order segment with nothing held costs one memcpy.
 *
 * Held pieces are malloc'd one per piece (only out-of-order traffic pays
 * that); the overlap policy is applied when a piece is inserted, so the
 * list never overlaps and draining it is a walk from the head.
 */
#include "detect/stream.h"

#include <stdlib.h>
#include <string.h>

#define BUF_MIN     2048u           /* smallest buffer allocated */
#define BUF_SHRINK  (16u << 10)     /* buffers above this shrink when 3/4 idle */

typedef struct det_stream_seg {
    struct det_stream_seg *next;
    uint64_t off;                   /* stream offset of data[0] */
    uint32_t len;
    uint32_t size;                  /* bytes accounted for this piece */
    uint8_t *data;                  /* into mem[]; moves when the front is trimmed */
    uint8_t  mem[];
} seg_t;

typedef struct det_stream_dir {
    uint8_t  state;                 /* enum det_stream_state */
    uint8_t  fin_seen;              /* fin_off is valid */
    uint8_t  take_on;               /* 0 not asked yet, 1 kept, 2 ignored */
    uint8_t  take_gap;              /* bytes lost before take_off */
    uint8_t  midstream;             /* ISN taken from a non-SYN segment */
    uint32_t next_seq;              /* sequence number of next_off */
    uint32_t cap, blen;             /* buffer size and bytes used */
    uint32_t nheld;                 /* pieces in held */
    uint64_t next_off;              /* next expected byte */
    uint64_t fin_off;               /* offset of the FIN */
    uint64_t buf_off;               /* offset of buf[0] */
    uint64_t insp_off;              /* first byte not handed out yet */
    uint64_t take_off;              /* first byte not consumed */
    uint8_t *buf;
    seg_t   *held, *held_tail;      /* sorted by off, no overlaps */
} dir_t;

struct det_stream {
    det_stream_mgr_t  *mgr;         /* NULL once the manager was freed */
    struct det_stream *prev, *next; /* in mgr->live or mgr->idle */
    uint8_t            on_live;
    uint64_t           bytes;       /* buffers + held pieces accounted */
    dir_t              dir[2];      /* 0 client -> server, 1 server -> client */
};

/* ---- lists and memory ------------------------------------------------- */

static void list_del(det_stream_list_t *l, struct det_stream *s)
{
    if (s->prev) s->prev->next = s->next; else l->head = s->next;
    if (s->next) s->next->prev = s->prev; else l->tail = s->prev;
    s->prev = s->next = NULL;
}

static void list_add_tail(det_stream_list_t *l, struct det_stream *s)
{
    s->next = NULL;
    s->prev = l->tail;
    if (l->tail) l->tail->next = s; else l->head = s;
    l->tail = s;
}

/* Keep s on the live list exactly while it holds memory. */
static void relist(det_stream_mgr_t *m, struct det_stream *s)
{
    bool want = s->bytes > 0;

    if (m == NULL || want == (bool)s->on_live)
        return;
    list_del(s->on_live ? &m->live : &m->idle, s);
    list_add_tail(want ? &m->live : &m->idle, s);
    s->on_live = want;
}

/* Most recently fed goes last. */
static void touch(det_stream_mgr_t *m, struct det_stream *s)
{
    if (s->on_live && m->live.tail != s) {
        list_del(&m->live, s);
        list_add_tail(&m->live, s);
    }
}

static void mem_add(det_stream_mgr_t *m, struct det_stream *s, uint64_t n)
{
    if (s != NULL)
        s->bytes += n;
    m->mem += n;
    if (m->mem > m->st.mem_high_water)
        m->st.mem_high_water = m->mem;
}

static void mem_sub(struct det_stream *s, uint64_t n)
{
    s->bytes -= n;
    if (s->mgr != NULL)
        s->mgr->mem -= n;
}

static void seg_free(struct det_stream *s, dir_t *d, seg_t *g)
{
    d->nheld--;
    mem_sub(s, g->size);
    free(g);
}

/* Drop every held piece of d; returns the data bytes dropped. */
static uint64_t held_drop(struct det_stream *s, dir_t *d)
{
    uint64_t n = 0;
    seg_t *g, *nx;

    for (g = d->held; g != NULL; g = nx) {
        nx = g->next;
        n += g->len;
        seg_free(s, d, g);
    }
    d->held = d->held_tail = NULL;
    return n;
}

static void buf_drop(struct det_stream *s, dir_t *d)
{
    if (d->buf != NULL) {
        mem_sub(s, d->cap);
        free(d->buf);
    }
    d->buf = NULL;
    d->cap = d->blen = 0;
    d->buf_off = d->insp_off = d->take_off = d->next_off;
}

/* The direction stops being reassembled; its buffer stays until the next
 * feed (out.buf may point into it). */
static void dir_stop(struct det_stream *s, dir_t *d, uint8_t state)
{
    d->state = state;
    held_drop(s, d);
}

/* Free the buffers of directions that are over. */
static void gc(struct det_stream *s)
{
    for (int i = 0; i < 2; i++)
        if (s->dir[i].state >= DET_SD_CLOSED && s->dir[i].buf != NULL)
            buf_drop(s, &s->dir[i]);
}

static bool fits(const det_stream_mgr_t *m, uint64_t need)
{
    return m->mem + need <= m->cfg.memcap;
}

/*
 * Make room for need bytes: the other direction of cur (not direction
 * protect, whose held list the caller may be walking), then the held data
 * of the oldest flows, then the oldest flows altogether.  cur itself is
 * never stopped here.
 */
static void reclaim(det_stream_mgr_t *m, struct det_stream *cur, int protect, uint64_t need)
{
    struct det_stream *s, *nx;
    unsigned scanned = 0;

    m->st.memcap_reclaims++;
    if (cur != NULL)
        for (int i = 0; i < 2; i++)
            if (i != protect)
                m->st.reclaim_held += held_drop(cur, &cur->dir[i]);
    for (s = m->live.head; s != NULL && !fits(m, need)
                           && scanned < DET_STREAM_RECLAIM_SCAN; s = nx) {
        nx = s->next;
        if (s == cur)
            continue;
        scanned++;
        gc(s);
        for (int i = 0; i < 2; i++)
            m->st.reclaim_held += held_drop(s, &s->dir[i]);
        relist(m, s);
    }
    for (s = m->live.head; s != NULL && !fits(m, need); s = nx) {
        nx = s->next;
        if (s == cur)
            continue;
        bool stopped = false;
        for (int i = 0; i < 2; i++) {
            dir_t *d = &s->dir[i];
            if (d->state <= DET_SD_OPEN) {
                stopped = true;
                d->state = DET_SD_OFF;
            }
            held_drop(s, d);
            buf_drop(s, d);
        }
        m->st.reclaim_flows += stopped;
        relist(m, s);
    }
}

/* Account n more bytes to s (NULL: a new stream), reclaiming if needed;
 * -1 when the memcap cannot be met. */
static int mem_get(det_stream_mgr_t *m, struct det_stream *s, int protect, uint64_t n)
{
    if (!fits(m, n)) {
        reclaim(m, s, protect, n);
        if (!fits(m, n))
            return -1;
    }
    mem_add(m, s, n);
    return 0;
}

/* ---- manager ---------------------------------------------------------- */

void det_stream_cfg_default(det_stream_cfg_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->depth = DET_STREAM_DEPTH_DEFAULT;
    cfg->window = DET_STREAM_WINDOW_DEFAULT;
    cfg->take_max = DET_STREAM_TAKE_DEFAULT;
    cfg->memcap = DET_STREAM_MEMCAP_DEFAULT;
    cfg->midstream = false;
    cfg->overlap = DET_STREAM_FIRST;
}

int det_stream_overlap_parse(const char *s)
{
    if (s != NULL && strcmp(s, "first") == 0)
        return DET_STREAM_FIRST;
    if (s != NULL && strcmp(s, "last") == 0)
        return DET_STREAM_LAST;
    return -1;
}

int det_stream_mgr_init(det_stream_mgr_t *m, const det_stream_cfg_t *cfg, ws_err_t *err)
{
    memset(m, 0, sizeof(*m));
    if (cfg->window == 0 || cfg->window > DET_STREAM_MAX_JUMP)
        return ws_err_set(err, "stream window %u out of range 1..%u",
                          cfg->window, DET_STREAM_MAX_JUMP);
    if (cfg->memcap < (64u << 10))
        return ws_err_set(err, "stream memcap %llu too small (at least 65536)",
                          (unsigned long long)cfg->memcap);
    if (cfg->overlap != DET_STREAM_FIRST && cfg->overlap != DET_STREAM_LAST)
        return ws_err_set(err, "stream overlap policy %u unknown (first|last)",
                          cfg->overlap);
    m->cfg = *cfg;
    return 0;
}

static void detach_all(det_stream_list_t *l)
{
    struct det_stream *s, *nx;

    for (s = l->head; s != NULL; s = nx) {
        nx = s->next;
        for (int i = 0; i < 2; i++) {
            held_drop(s, &s->dir[i]);
            buf_drop(s, &s->dir[i]);
        }
        s->mgr = NULL;
        s->prev = s->next = NULL;
        s->on_live = 0;
    }
    l->head = l->tail = NULL;
}

void det_stream_mgr_free(det_stream_mgr_t *m)
{
    detach_all(&m->live);
    detach_all(&m->idle);
    m->mem = 0;
    m->nstreams = 0;
}

/* ---- streams ---------------------------------------------------------- */

/* 0 with *out set, 0 with *out NULL when over the memcap, -1 on malloc failure. */
static int stream_new(det_stream_mgr_t *m, struct det_stream **out)
{
    struct det_stream *s;

    *out = NULL;
    if (mem_get(m, NULL, -1, sizeof(*s)) < 0)
        return 0;
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        m->mem -= sizeof(*s);
        m->st.alloc_fail++;
        return -1;
    }
    s->mgr = m;
    list_add_tail(&m->idle, s);
    m->nstreams++;
    m->st.streams++;
    *out = s;
    return 0;
}

void det_stream_release(struct det_stream *s)
{
    det_stream_mgr_t *m;

    if (s == NULL)
        return;
    m = s->mgr;
    for (int i = 0; i < 2; i++) {
        held_drop(s, &s->dir[i]);
        buf_drop(s, &s->dir[i]);
    }
    if (m != NULL) {
        list_del(s->on_live ? &m->live : &m->idle, s);
        m->mem -= sizeof(*s);
        m->nstreams--;
    }
    free(s);
}

int det_stream_state(const det_flow_t *f, bool to_server)
{
    return f->stream != NULL ? f->stream->dir[to_server ? 0 : 1].state : DET_SD_NONE;
}

/* ---- the in-order buffer ---------------------------------------------- */

static uint32_t pow2_at_least(uint64_t n)
{
    uint32_t c = BUF_MIN;

    while (c < n)
        c <<= 1;
    return c;
}

/* Room for n more bytes at the end of direction di: 0, -1 no memory
 * (soft), -2 malloc failed. */
static int buf_room(det_stream_mgr_t *m, struct det_stream *s, int di, uint32_t n)
{
    dir_t *d = &s->dir[di];
    uint64_t keep, need;
    uint32_t ncap;
    uint8_t *nb;

    if ((uint64_t)d->blen + n <= d->cap)
        return 0;
    keep = d->insp_off > DET_STREAM_LOOKBACK ? d->insp_off - DET_STREAM_LOOKBACK : 0;
    if (d->take_on == 1 && d->take_off < keep)
        keep = d->take_off;
    if (keep > d->buf_off) {
        uint32_t drop = (uint32_t)(keep - d->buf_off);
        memmove(d->buf, d->buf + drop, d->blen - drop);
        d->blen -= drop;
        d->buf_off = keep;
    }
    need = (uint64_t)d->blen + n;
    if (need <= d->cap) {
        if (d->cap > BUF_SHRINK && need <= d->cap / 4) {
            ncap = pow2_at_least(need);
            if ((nb = realloc(d->buf, ncap)) != NULL) {
                mem_sub(s, d->cap - ncap);
                d->buf = nb;
                d->cap = ncap;
            }
        }
        return 0;
    }
    ncap = pow2_at_least(need);
    if (mem_get(m, s, di, ncap - d->cap) < 0)
        return -1;
    if ((nb = realloc(d->buf, ncap)) == NULL) {
        mem_sub(s, ncap - d->cap);
        m->st.alloc_fail++;
        return -2;
    }
    d->buf = nb;
    d->cap = ncap;
    return 0;
}

/* Append in-order bytes (clamped to the FIN and the depth).  0 ok, 1 the
 * direction stopped (depth, FIN or memcap), -1 malloc failed. */
static int append(det_stream_mgr_t *m, struct det_stream *s, int di,
                  const uint8_t *data, uint32_t n)
{
    dir_t *d = &s->dir[di];
    bool at_depth = false;
    int r;

    if (d->fin_seen && d->next_off + n > d->fin_off)
        n = d->fin_off > d->next_off ? (uint32_t)(d->fin_off - d->next_off) : 0;
    if (m->cfg.depth && d->next_off + n >= m->cfg.depth) {
        n = d->next_off < m->cfg.depth ? (uint32_t)(m->cfg.depth - d->next_off) : 0;
        at_depth = true;
    }
    if (n > 0) {
        if ((r = buf_room(m, s, di, n)) < 0) {
            if (r == -2)
                return -1;
            m->st.memcap_drops++;
            dir_stop(s, d, DET_SD_OFF);
            return 1;
        }
        memcpy(d->buf + d->blen, data, n);
        d->blen += n;
        d->next_off += n;
        d->next_seq += n;
        m->st.bytes_in_order += n;
    }
    if (at_depth) {
        m->st.depth_reached++;
        dir_stop(s, d, DET_SD_DEPTH);
        return 1;
    }
    if (d->fin_seen && d->next_off >= d->fin_off) {
        dir_stop(s, d, DET_SD_CLOSED);
        return 1;
    }
    return 0;
}

/* Deliver the held pieces that became in order. */
static int drain(det_stream_mgr_t *m, struct det_stream *s, int di)
{
    dir_t *d = &s->dir[di];
    seg_t *g;

    while (d->state == DET_SD_OPEN && (g = d->held) != NULL && g->off <= d->next_off) {
        uint64_t e = g->off + g->len;
        int r = 0;

        d->held = g->next;
        if (d->held == NULL)
            d->held_tail = NULL;
        if (e > d->next_off) {
            uint32_t k = (uint32_t)(d->next_off - g->off);
            r = append(m, s, di, g->data + k, g->len - k);
        }
        seg_free(s, d, g);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* Give up on the gap before target: the stream goes on from there with an
 * empty buffer (no lookback across a gap). */
static void skip_gap(det_stream_mgr_t *m, struct det_stream *s, dir_t *d, uint64_t target)
{
    uint64_t end = d->buf_off + d->blen;

    m->st.gaps_skipped++;
    m->st.gap_bytes += target - d->next_off;
    m->st.skipped_bytes += end - d->insp_off;       /* released this feed, never shown */
    if (d->take_on == 1 && d->take_off < end)
        m->st.take_lost += end - d->take_off;
    d->next_seq += (uint32_t)(target - d->next_off);
    d->next_off = target;
    d->blen = 0;
    d->buf_off = d->insp_off = d->take_off = target;
    d->take_gap = 1;
    if (m->cfg.depth && target >= m->cfg.depth) {
        m->st.depth_reached++;
        dir_stop(s, d, DET_SD_DEPTH);
    }
}

/* ---- held pieces ------------------------------------------------------ */

/* A new piece for [off, off + len) from data; NULL with *hard set on malloc
 * failure, NULL alone when over the memcap. */
static seg_t *seg_new(det_stream_mgr_t *m, struct det_stream *s, int di, uint64_t off,
                      const uint8_t *data, uint32_t len, bool *hard)
{
    uint32_t size = (uint32_t)sizeof(seg_t) + len;
    seg_t *g;

    if (mem_get(m, s, di, size) < 0) {
        m->st.memcap_drops++;
        return NULL;
    }
    if ((g = malloc(size)) == NULL) {
        mem_sub(s, size);
        m->st.alloc_fail++;
        *hard = true;
        return NULL;
    }
    g->next = NULL;
    g->off = off;
    g->len = len;
    g->size = size;
    g->data = g->mem;
    memcpy(g->mem, data, len);
    s->dir[di].nheld++;
    return g;
}

/* Link g at *pp, keeping held_tail. */
static void seg_link(dir_t *d, seg_t **pp, seg_t *g)
{
    g->next = *pp;
    *pp = g;
    if (g->next == NULL)
        d->held_tail = g;
}

/* First-wins insertion: only the bytes no held piece covers are added.
 * *ov gets the bytes already covered.  limit: DET_STREAM_MAX_HELD applies
 * (not for in-order bytes, which are drained at once).  0 or -1 (malloc). */
static int insert_first(det_stream_mgr_t *m, struct det_stream *s, int di, uint64_t rel,
                        const uint8_t *data, uint32_t len, bool limit, uint64_t *ov)
{
    dir_t *d = &s->dir[di];
    uint64_t pos = rel, end = rel + len;
    seg_t **pp = &d->held;
    bool hard = false;

    if (d->held_tail != NULL && d->held_tail->off + d->held_tail->len <= rel)
        pp = &d->held_tail->next;            /* the usual case: past the last piece */
    while (pos < end) {
        seg_t *cur = *pp, *g;
        if (cur != NULL && cur->off + cur->len <= pos) {
            pp = &cur->next;
            continue;
        }
        if (cur == NULL || cur->off > pos) {
            uint64_t stop = cur != NULL && cur->off < end ? cur->off : end;
            if (limit && d->nheld >= DET_STREAM_MAX_HELD) {
                m->st.held_limit++;
                return 0;
            }
            g = seg_new(m, s, di, pos, data + (pos - rel), (uint32_t)(stop - pos), &hard);
            if (g == NULL)
                return hard ? -1 : 0;
            seg_link(d, pp, g);
            pp = &g->next;
            pos = stop;
            continue;
        }
        /* cur covers pos: the held byte stays */
        uint64_t stop = cur->off + cur->len < end ? cur->off + cur->len : end;
        *ov += stop - pos;
        pos = stop;
        pp = &cur->next;
    }
    return 0;
}

/* Last-wins insertion: the new bytes replace whatever held piece covers
 * them.  *ov gets the bytes replaced; limit as for insert_first.  0 or -1. */
static int insert_last(det_stream_mgr_t *m, struct det_stream *s, int di, uint64_t rel,
                       const uint8_t *data, uint32_t len, bool limit, uint64_t *ov)
{
    dir_t *d = &s->dir[di];
    uint64_t end = rel + len;
    seg_t **pp = &d->held, *cur, *g;
    bool hard = false;

    if (d->held_tail != NULL && d->held_tail->off + d->held_tail->len <= rel)
        pp = &d->held_tail->next;
    while (*pp != NULL && (*pp)->off + (*pp)->len <= rel)
        pp = &(*pp)->next;
    cur = *pp;
    if (cur != NULL && cur->off <= rel && cur->off + cur->len >= end) {
        memcpy(cur->data + (rel - cur->off), data, len);   /* inside one piece */
        *ov += len;
        return 0;
    }
    if (limit && d->nheld >= DET_STREAM_MAX_HELD) {
        m->st.held_limit++;
        return 0;
    }
    if ((g = seg_new(m, s, di, rel, data, len, &hard)) == NULL)
        return hard ? -1 : 0;
    cur = *pp;
    if (cur != NULL && cur->off < rel) { /* ends inside: cut its tail */
        uint32_t k = (uint32_t)(cur->off + cur->len - rel);
        *ov += k;
        cur->len -= k;
        pp = &cur->next;
        cur = *pp;
    }
    while (cur != NULL && cur->off + cur->len <= end) {   /* wholly inside */
        *ov += cur->len;
        *pp = cur->next;
        seg_free(s, d, cur);
        cur = *pp;
    }
    if (cur != NULL && cur->off < end) {                  /* starts inside */
        uint32_t k = (uint32_t)(end - cur->off);
        *ov += k;
        cur->data += k;
        cur->off += k;
        cur->len -= k;
    }
    seg_link(d, pp, g);
    return 0;
}

/* ---- feeding ---------------------------------------------------------- */

static void isn_set(struct det_stream *s, dir_t *d, uint32_t seq, bool midstream)
{
    held_drop(s, d);
    d->state = DET_SD_OPEN;
    d->next_seq = seq;
    d->next_off = 0;
    d->fin_seen = 0;
    d->midstream = midstream;
    d->blen = 0;
    d->buf_off = d->insp_off = d->take_off = 0;
}

/* An RST ends both directions when it is near the sender's next byte. */
static void on_rst(det_stream_mgr_t *m, struct det_stream *s, dir_t *d, uint32_t seq)
{
    if (d->state == DET_SD_OPEN) {
        int64_t rel = (int64_t)d->next_off + (int32_t)(seq - d->next_seq);
        int64_t lo = (int64_t)d->next_off - m->cfg.window;
        int64_t hi = (int64_t)d->next_off + m->cfg.window;
        if (rel < lo || rel > hi) {
            m->st.bad_rst++;
            return;
        }
    }
    for (int i = 0; i < 2; i++)
        if (s->dir[i].state <= DET_SD_OPEN)
            dir_stop(s, &s->dir[i], DET_SD_CLOSED);
}

/* Place the payload [rel, rel + len) of direction di.  *gap is set when a
 * gap was skipped.  0 or -1 (malloc). */
static int seg_in(det_stream_mgr_t *m, struct det_stream *s, int di, int64_t rel,
                  const uint8_t *data, uint32_t len, bool *gap)
{
    dir_t *d = &s->dir[di];
    int64_t end = rel + len;
    uint64_t ov = 0;
    int r = 0;

    if (end <= (int64_t)d->next_off) {
        m->st.retransmits++;
        return 0;
    }
    if (d->fin_seen && end > (int64_t)d->fin_off) {
        if (rel >= (int64_t)d->fin_off) {
            m->st.after_close++;
            return 0;
        }
        end = (int64_t)d->fin_off;
    }
    if (m->cfg.depth && end > (int64_t)m->cfg.depth) {
        if (rel >= (int64_t)m->cfg.depth) {
            m->st.depth_packets++;
            return 0;
        }
        end = m->cfg.depth;
    }
    len = (uint32_t)(end - rel);
    if (rel > (int64_t)d->next_off) {
        /* ahead: make the window hold it, skipping gaps if it must */
        while (d->state == DET_SD_OPEN && (uint64_t)end - d->next_off > m->cfg.window) {
            *gap = true;
            if (d->held == NULL || d->held->off >= (uint64_t)rel) {
                skip_gap(m, s, d, (uint64_t)rel);   /* the segment comes first */
                break;
            }
            skip_gap(m, s, d, d->held->off);
            if (drain(m, s, di) < 0)
                return -1;
            if (rel <= (int64_t)d->next_off)
                break;
        }
        if (d->state != DET_SD_OPEN)
            return 0;
    }
    if (rel < (int64_t)d->next_off) {
        /* the front was delivered already: the delivered bytes stay */
        if (end <= (int64_t)d->next_off) {
            m->st.overlaps++;
            m->st.overlap_bytes += len;
            return 0;
        }
        uint32_t k = (uint32_t)((int64_t)d->next_off - rel);
        ov += k;
        data += k;
        len -= k;
        rel = (int64_t)d->next_off;
    }
    if (rel == (int64_t)d->next_off
        && (d->held == NULL || (uint64_t)end <= d->held->off)) {
        r = append(m, s, di, data, len);            /* the common case */
        if (r == 0)
            r = drain(m, s, di);
    } else {
        bool ahead = rel > (int64_t)d->next_off;
        if (ahead)
            m->st.out_of_order_held++;
        if (m->cfg.overlap == DET_STREAM_LAST)
            r = insert_last(m, s, di, (uint64_t)rel, data, len, ahead, &ov);
        else
            r = insert_first(m, s, di, (uint64_t)rel, data, len, ahead, &ov);
        if (r == 0)
            r = drain(m, s, di);
    }
    if (ov) {
        m->st.overlaps++;
        m->st.overlap_bytes += ov;
    }
    return r < 0 ? -1 : 0;
}

int det_stream_feed(det_stream_mgr_t *m, det_flow_t *f, const det_packet_t *p,
                    bool from_client, det_stream_out_t *out)
{
    struct det_stream *s = f->stream;
    int di = from_client ? 0 : 1, rc = 0;
    uint8_t fl;
    uint32_t seq;
    dir_t *d;
    bool gap = false;

    out->buf = NULL;
    out->len = out->new_off = 0;
    out->off = 0;
    out->to_server = from_client;
    out->gap = out->end = false;
    if (p->l4_proto != 6 || !(p->layers & DET_L_TCP))
        return 0;
    m->st.segments++;
    fl = p->tcp.flags;
    if (s == NULL) {
        if (fl & DET_TCP_RST)
            return 0;
        if (!(fl & DET_TCP_SYN) && !m->cfg.midstream) {
            m->st.no_isn++;
            return 0;
        }
        if (stream_new(m, &s) < 0)
            return -1;
        if (s == NULL) {
            m->st.memcap_drops++;
            return 0;
        }
        f->stream = s;
    }
    d = &s->dir[di];
    gc(s);
    if (d->state >= DET_SD_CLOSED) {
        if (d->state == DET_SD_DEPTH)
            m->st.depth_packets++;
        else if (d->state == DET_SD_CLOSED && p->payload_len > 0)
            m->st.after_close++;
        relist(m, s);
        return 0;
    }
    touch(m, s);
    seq = p->tcp.seq;
    if (fl & DET_TCP_RST) {
        on_rst(m, s, d, seq);
        relist(m, s);
        return 0;
    }
    if (fl & DET_TCP_SYN) {
        seq++;                                  /* data follows the SYN */
        if (d->state == DET_SD_NONE
            || (d->next_off == 0 && d->next_seq != seq && d->insp_off == 0))
            isn_set(s, d, seq, false);
    } else if (d->state == DET_SD_NONE) {
        if (!m->cfg.midstream) {
            m->st.no_isn++;
            return 0;
        }
        isn_set(s, d, seq, true);
    }

    /* what the take consumer keeps from earlier feeds */
    if (d->take_on == 1) {
        if (d->next_off - d->take_off > m->cfg.take_max) {
            uint64_t lost = d->next_off - d->take_off - m->cfg.take_max;
            m->st.take_lost += lost;
            d->take_off += lost;
            d->take_gap = 1;
        }
    } else {
        d->take_off = d->next_off;
        d->take_gap = 0;
    }

    int64_t rel = (int64_t)d->next_off + (int32_t)(seq - d->next_seq);
    if (rel > (int64_t)d->next_off + DET_STREAM_MAX_JUMP) {
        m->st.bad_seq++;
        relist(m, s);
        return 0;
    }
    if ((fl & DET_TCP_FIN) && !d->fin_seen
        && rel + (int64_t)p->payload_len >= (int64_t)d->next_off) {
        d->fin_seen = 1;
        d->fin_off = (uint64_t)(rel + p->payload_len);
    }
    if (p->payload_len > 0)
        rc = seg_in(m, s, di, rel, p->payload, p->payload_len, &gap);
    if (d->state == DET_SD_OPEN && d->fin_seen && d->next_off >= d->fin_off)
        dir_stop(s, d, DET_SD_CLOSED);
    relist(m, s);

    if (d->buf != NULL && d->buf_off + d->blen > d->insp_off) {
        uint64_t end = d->buf_off + d->blen;
        uint64_t start = d->insp_off > DET_STREAM_LOOKBACK
                       ? d->insp_off - DET_STREAM_LOOKBACK : 0;
        if (start < d->buf_off)
            start = d->buf_off;
        out->buf = d->buf + (start - d->buf_off);
        out->len = (uint32_t)(end - start);
        out->new_off = (uint32_t)(d->insp_off - start);
        out->off = start;
        out->gap = gap;
        out->end = d->state != DET_SD_OPEN;
        d->insp_off = end;
        if (rc == 0)
            rc = 1;
    }
    return rc;
}

/* ---- take ------------------------------------------------------------- */

int det_stream_take(det_flow_t *f, bool to_server, det_stream_chunk_t *c)
{
    struct det_stream *s = f->stream;
    dir_t *d;
    uint64_t end;

    memset(c, 0, sizeof(*c));
    if (s == NULL)
        return 0;
    d = &s->dir[to_server ? 0 : 1];
    c->end = d->state >= DET_SD_CLOSED;
    c->midstream = d->midstream;
    if (d->take_on == 2)
        return 0;
    d->take_on = 1;
    c->gap = d->take_gap;
    end = d->buf_off + d->blen;
    if (d->buf == NULL || end <= d->take_off)
        return 0;
    c->buf = d->buf + (d->take_off - d->buf_off);
    c->len = (uint32_t)(end - d->take_off);
    c->off = d->take_off;
    return 1;
}

void det_stream_consume(det_flow_t *f, bool to_server, uint32_t n)
{
    struct det_stream *s = f->stream;
    dir_t *d;
    uint64_t end;

    if (s == NULL)
        return;
    d = &s->dir[to_server ? 0 : 1];
    end = d->buf_off + d->blen;
    d->take_off = d->take_off + n < end ? d->take_off + n : end;
    d->take_gap = 0;
}

void det_stream_ignore(det_flow_t *f, bool to_server)
{
    struct det_stream *s = f->stream;

    if (s == NULL)
        return;
    s->dir[to_server ? 0 : 1].take_on = 2;
    s->dir[to_server ? 0 : 1].take_off = s->dir[to_server ? 0 : 1].next_off;
}
