/*
 * prefilter_int.h - internals shared by the prefilter files: the blob
 * format, its writer and bounds-checked reader, and the loaded structures.
 *
 * prefilter_build.c writes the blob (supervisor), prefilter.c reads it and
 * selects candidates (detector), prefilter_iponly.c builds and queries the
 * address lookup of the IP-only rules.  The blob is a flat little sequence
 * of records written and read in the same order (det_pfw_* / det_pfr_*):
 * no pointers, no alignment assumptions, every read bounds-checked, so a
 * damaged blob fails the load instead of crashing a detector.  Layout:
 *
 *   header   magic, version, rule count, rules hash
 *   paths    u8 per rule (det_pf_path_t)
 *   http     list of HTTP rule indexes
 *   hs       per content group: Hyperscan bytes, pattern -> rules (CSR)
 *   hdr      per header group: rule list
 *   ports    per (tcp|udp, src|dst): segments {lo, content gid, header gid}
 *   fixed    any groups (tcp, udp), icmp, ip, icmp header groups by itype
 *   iponly   entries, per family: always list and two interval trees
 */
#ifndef DET_PREFILTER_INT_H
#define DET_PREFILTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/prefilter.h"
#include "rules/rule.h"

#define DET_PF_MAGIC   0x46505357u  /* "WSPF" */
#define DET_PF_VERSION 1u
#define DET_PF_NONE    0xffffffffu  /* no group */

/* Protocol slots of the port maps and fixed groups. */
enum { DET_PF_TCP, DET_PF_UDP, DET_PF_NPORTPROTO };
enum { DET_PF_SRC, DET_PF_DST };
/* Fixed groups: per protocol class, the group every such packet uses. */
enum { DET_PF_FIX_TCP_ANY, DET_PF_FIX_UDP_ANY, DET_PF_FIX_ICMP,
       DET_PF_FIX_IP, DET_PF_NFIX };

/* ---- blob writer / reader -------------------------------------------- */

typedef struct det_pfw {
    uint8_t *buf;
    size_t len, cap;
    bool oom;
} det_pfw_t;

void det_pfw_bytes(det_pfw_t *w, const void *p, size_t n);
void det_pfw_u32(det_pfw_t *w, uint32_t v);
void det_pfw_u64(det_pfw_t *w, uint64_t v);
/* n, then n u32 values */
void det_pfw_list(det_pfw_t *w, const uint32_t *v, uint32_t n);

typedef struct det_pfr {
    const uint8_t *p;
    size_t len, off;
    bool bad;                /* a read went past the end or was absurd */
} det_pfr_t;

uint32_t det_pfr_u32(det_pfr_t *r);
uint64_t det_pfr_u64(det_pfr_t *r);
/* A pointer to the next n bytes (inside the blob), NULL and bad if short. */
const uint8_t *det_pfr_bytes(det_pfr_t *r, size_t n);
/* Copy n elements of size sz into a new array (NULL when n == 0). */
void *det_pfr_array(det_pfr_t *r, size_t n, size_t sz);
/* Read a det_pfw_list into a new array; every value must be < limit. */
uint32_t *det_pfr_list(det_pfr_t *r, uint32_t *n, uint32_t limit);

/* ---- IP-only lookup ---------------------------------------------------- */

/*
 * An interval tree over one address family and one direction: the
 * elementary intervals [pts[k], pts[k+1]) of every range boundary are the
 * leaves of a complete binary tree (leaf k is node size + k); each range of
 * an entry is stored at its O(log n) canonical nodes, so an address is
 * looked up by one binary search and a walk from its leaf to the root.
 * `only` lists entries whose other side is `any` (direct candidates),
 * `both` entries that still need the other side checked.
 */
typedef struct det_pf_itree {
    uint32_t npts;
    rule_u128_t *pts;        /* sorted, pts[0] == 0 */
    uint32_t size;           /* power of two >= npts (0 when empty) */
    uint32_t *only_start;    /* 2 * size + 1 offsets, node-indexed */
    uint32_t *only;
    uint32_t *both_start;
    uint32_t *both;
} det_pf_itree_t;

typedef struct det_pf_iponly {
    uint32_t nent;
    uint32_t *ent_rule;      /* entry -> rule index */
    uint8_t *ent_flags;      /* DET_PF_ENT_* */
    uint32_t nalways[2];     /* per family (0: v4, 1: v6): both sides any */
    uint32_t *always[2];
    det_pf_itree_t tree[2][2]; /* [family][DET_PF_SRC / DET_PF_DST] */
} det_pf_iponly_t;

#define DET_PF_ENT_SWAP  0x01u  /* the `<>` mirror: src side is rule.dst */
#define DET_PF_ENT_TCP   0x02u  /* protocol filter; none of the three: ip */
#define DET_PF_ENT_UDP   0x04u
#define DET_PF_ENT_ICMP  0x08u

/* Build from the IP-only rules of rs (path[i] == DET_PF_IPONLY) into w. */
int det_pf_iponly_write(det_pfw_t *w, const rule_set_t *rs,
                        const uint8_t *path, det_prefilter_stats_t *st,
                        ws_err_t *err);
int det_pf_iponly_read(det_pf_iponly_t *ip, det_pfr_t *r, uint32_t nrules);
void det_pf_iponly_free(det_pf_iponly_t *ip);

/* Report the IP-only candidates of (src, dst) through add(rule, arg).
 * fam 0: v4 (addresses host order in the low 32 bits), 1: v6.  l4: the
 * packet's DET_PF_ENT_* protocol bit (0 for other protocols). */
void det_pf_iponly_lookup(const det_pf_iponly_t *ip, const rule_set_t *rs,
                          int fam, rule_u128_t src, rule_u128_t dst,
                          const uint8_t *src_b, const uint8_t *dst_b,
                          unsigned l4, void (*add)(uint32_t, void *),
                          void *arg);

/* ---- loaded groups ------------------------------------------------------ */

struct hs_database;

typedef struct det_pf_hsgroup {
    struct hs_database *db;  /* NULL when the group has no pattern */
    uint32_t npat;
    uint32_t *pat_start;     /* npat + 1 */
    uint32_t *pat_rules;
} det_pf_hsgroup_t;

typedef struct det_pf_hdrgroup {
    uint32_t n;
    uint32_t *rules;         /* ascending */
} det_pf_hdrgroup_t;

/* The two groups one port selects on one side. */
typedef struct det_pf_combo {
    uint32_t hs, hdr;        /* group ids or DET_PF_NONE */
} det_pf_combo_t;

struct det_prefilter {
    const rule_set_t *rs;
    uint32_t nrules;
    uint8_t *path;                  /* det_pf_path_t per rule */
    uint32_t nhttp;
    uint32_t *http;
    uint32_t nhs, nhdr;
    det_pf_hsgroup_t *hs;
    det_pf_hdrgroup_t *hdr;
    uint32_t ncombo;
    det_pf_combo_t *combo;
    uint16_t *portmap[DET_PF_NPORTPROTO][2]; /* port -> combo */
    uint32_t fix_hs[DET_PF_NFIX], fix_hdr[DET_PF_NFIX];
    uint32_t itype_hdr[256];        /* icmp header group by type */
    det_pf_iponly_t ip;
    struct hs_scratch *scratch;
    /* per packet */
    uint32_t gen;                   /* stamp of the current packet */
    uint32_t *stamp;                /* per rule: gen when already a candidate */
    uint32_t *cand;                 /* candidates of the current packet */
    uint32_t ncand;
    const det_pf_hsgroup_t *cur;    /* group being scanned */
};

#endif
