/*
 * prefilter.h - candidate selection: which rules are worth verifying for
 * one packet.
 *
 * The supervisor builds the prefilter once per rule set generation
 * (det_prefilter_build) into one self-contained blob that it publishes;
 * each detect process loads its own copy (det_prefilter_load), because
 * Hyperscan databases are not relocatable and every process needs its own
 * scratch.  For each packet det_prefilter_candidates() calls back once per
 * candidate rule, in ascending rule index (the rule set's load order), each
 * rule at most once.  A candidate is only a hint: the verifier checks every
 * option.  The prefilter may over-select but never misses a rule that could
 * match the packet (with `payload` as its packet buffer).
 *
 * Every rule of the set takes exactly one of four paths:
 *   - CONTENT: it has a non-negated content in the packet buffer (pkt or
 *     raw).  Its fast pattern (the declared fast_pattern content, sliced by
 *     fast_pattern:offset,length, else the longest such content, the first
 *     on a tie) goes into a Hyperscan literal database of its group.
 *   - HEADER: no usable content (flags, dsize, icmp fields, pcre-only, ...).
 *     Listed in its group and returned for every packet of the group.
 *   - IPONLY: no usable content, ports `any` on both sides, and either
 *     only meta options (msg, sid, threshold, ...; flowbits that set but do
 *     not test count as meta) or an address set other than `any` on some
 *     side -- the reputation lists (ET botcc, ciarmy, compromised, dshield,
 *     drop, tor) add flags:S, which the verifier checks.  One address
 *     lookup structure (per family, one interval tree per direction)
 *     answers for all of them in two lookups.
 *   - HTTP: every non-negated content is in an HTTP or file_data buffer;
 *     these wait for HTTP inspection and are never returned here
 *     (det_prefilter_http_rules lists them).
 *
 * Groups: tcp and udp rules are placed by port on one side (the side whose
 * port set is narrower; a side with more than DET_PF_WIDE_PORTS ports counts
 * as `any`), `<>` rules on both sides; a rule `any` on both sides goes into
 * the protocol's any group.  The ports 0..65535 of each side are cut into
 * segments with identical rule lists, and identical lists share one group.
 * A packet scans the group of its source port (src side), of its destination
 * port (dst side) and the any group: at most three Hyperscan scans for tcp
 * or udp, plus the `ip` group (rules with protocol ip apply to every IP
 * packet).  icmp has one group; its header rules with `itype:N` are also
 * indexed by type.  The packet's innermost IP layer and L4 protocol decide.
 *
 * Threading: a det_prefilter_t holds its scratch space and candidate
 * buffers; use it from one thread.  The rule set passed to load must
 * outlive it (the IP-only path reads address sets from it).
 */
#ifndef DET_PREFILTER_H
#define DET_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "detect/decode.h"
#include "rules/ruleset.h"
#include "sensor/err.h"

/* A port set with more ports than this is treated as `any` for grouping. */
#define DET_PF_WIDE_PORTS 4096u

typedef enum det_pf_path {
    DET_PF_CONTENT,   /* Hyperscan fast pattern */
    DET_PF_HEADER,    /* no usable content: returned for its group */
    DET_PF_IPONLY,    /* address lookup */
    DET_PF_HTTP,      /* waits for HTTP inspection; never returned */
    DET_PF_PATH_COUNT
} det_pf_path_t;

/* What det_prefilter_build measured (all filled by the build). */
typedef struct det_prefilter_stats {
    uint32_t rules;                    /* rules in the set */
    uint32_t path[DET_PF_PATH_COUNT];  /* rules per path */
    uint32_t fp_declared;              /* CONTENT rules using fast_pattern */
    uint32_t fp_sliced;                /* ... with fast_pattern:offset,length */
    uint32_t fp_nocase;                /* caseless fast patterns */
    uint32_t iponly_strict;            /* IPONLY rules with meta options only
                                          (flowbits set/unset/... allowed) */
    uint32_t both_dir;                 /* tcp/udp rules with `<>` */
    uint32_t port_any;                 /* tcp/udp rules in an any group */
    uint32_t port_negated;             /* tcp/udp rules with a negated port set */
    uint32_t hs_groups;                /* Hyperscan databases compiled */
    uint32_t hs_patterns;              /* patterns over all databases */
    uint32_t hs_placements;            /* rule placements over all databases */
    uint32_t hdr_groups;               /* header-rule groups */
    uint32_t ip_entries;               /* IP-only entries (2 per `<>` rule) */
    uint32_t ip_nodes;                 /* interval tree nodes, all trees */
    double compile_secs;               /* Hyperscan compile, wall clock */
    double build_secs;                 /* whole build, wall clock */
    size_t blob_len;                   /* serialized size */
    size_t hs_bytes;                   /* serialized Hyperscan databases */
} det_prefilter_stats_t;

typedef struct det_prefilter det_prefilter_t;

/* Called once per candidate, in ascending rule index.  Return 0 to go on,
 * non-zero to stop (det_prefilter_candidates then returns that value). */
typedef int (*det_candidate_cb)(uint32_t rule_index, void *arg);

/*
 * Supervisor: build the prefilter of rs into a new blob (*blob, *len; free
 * with free()).  st may be NULL.  threads: Hyperscan compile threads, 0 for
 * the number of online CPUs.
 */
int det_prefilter_build(const rule_set_t *rs, unsigned threads, void **blob,
                        size_t *len, det_prefilter_stats_t *st, ws_err_t *err);

/*
 * Detector: load a private copy from blob (which may be freed afterwards).
 * Fails when the blob is damaged, was built by another Hyperscan version or
 * platform, or was built from a different rule set (count and a hash of
 * gid:sid:rev in load order must match rs).
 */
int det_prefilter_load(det_prefilter_t **pf, const void *blob, size_t len,
                       const rule_set_t *rs, ws_err_t *err);

void det_prefilter_free(det_prefilter_t *pf);

/*
 * Candidates for packet p with payload (len bytes) as the buffer to scan.
 * Returns the number of candidates reported, the callback's non-zero value
 * when it stopped early, or -1 when a Hyperscan scan failed.
 */
int det_prefilter_candidates(det_prefilter_t *pf, const det_packet_t *p,
                             const uint8_t *payload, uint32_t len,
                             det_candidate_cb cb, void *arg);

/* The path rule_index took; the HTTP rules in ascending index order. */
det_pf_path_t det_prefilter_path(const det_prefilter_t *pf, uint32_t rule_index);
const uint32_t *det_prefilter_http_rules(const det_prefilter_t *pf, uint32_t *n);

/* Hash of (count, gid:sid:rev of every rule in order) that ties a blob to a
 * rule set. */
uint64_t det_prefilter_rules_hash(const rule_set_t *rs);

const char *det_pf_path_name(det_pf_path_t path);

#endif
