/*
 * http_index.h - candidate selection for rules that read HTTP buffers.
 *
 * The Hyperscan prefilter scans the packet and stream buffers; rules whose
 * contents live in http_uri, http_header, file_data, ... need their own
 * index over the HTTP buffers of a transaction.  Each such rule contributes
 * its longest non-negated content in an HTTP buffer; the index keys the
 * pattern's first four bytes (case-folded) into a hash table, so scanning a
 * buffer is one table probe per byte and the candidates are the rules whose
 * key occurs.  Rules with no content of four bytes or more in an HTTP buffer
 * are candidates for every transaction (few in practice: counted in
 * `always`).  Over-selection is fine: the verifier checks every option.
 *
 * Built per rules generation by each detector (it takes milliseconds), read
 * only afterwards.
 */
#ifndef WS_DET_HTTP_INDEX_H
#define WS_DET_HTTP_INDEX_H

#include <stdint.h>

#include "rules/ruleset.h"

typedef struct det_http_index {
    uint32_t  nrules;         /* rules in the set */
    uint32_t *http_rules;     /* indexes of rules that read an HTTP buffer */
    uint32_t  nhttp;
    uint32_t *always;         /* of those, rules without a usable key */
    uint32_t  nalways;
    /* hash table: slot -> first entry; entries chained */
    uint32_t *slot;           /* 1 + entry index, 0 = empty */
    uint32_t  mask;
    struct det_http_key {
        uint32_t key;         /* first four bytes, lower-cased */
        uint32_t rule;
        uint32_t next;        /* 1 + entry index, 0 = end */
    } *ent;
    uint32_t  nent;
    uint8_t  *mark;           /* per rule: seen in this scan */
    uint32_t *cand;           /* candidates of this scan */
    uint32_t  ncand;
} det_http_index_t;

int  det_http_index_build(det_http_index_t *x, const rule_set_t *rs);
void det_http_index_free(det_http_index_t *x);

/* Candidates for one transaction event: scan the given buffers (indexed by
 * rule_buffer_t, NULL = absent); x->cand[0..ncand) sorted ascending. */
void det_http_index_scan(det_http_index_t *x, const uint8_t *const *bufs,
                         const uint32_t *lens, uint32_t nbufs);

#endif
