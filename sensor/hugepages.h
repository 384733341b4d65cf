/*
 * hugepages.h - checks before DPDK starts and clean-up after it stops.
 *
 * DPDK multi-process needs hugepages (secondaries cannot attach to a primary
 * running with --no-huge), so the supervisor checks the reservation first and
 * says how to fix it, instead of letting EAL fail with a cryptic line.  It
 * also removes its hugepage files and runtime directory at exit, and those
 * of a dead earlier instance with the same file prefix at start, so a
 * restart never needs manual clean-up.
 */
#ifndef WS_HUGEPAGES_H
#define WS_HUGEPAGES_H

#include <stddef.h>

#include "sensor/err.h"

/* 0 when a hugetlbfs is mounted and at least need_bytes of hugepages are free. */
int sv_huge_check(size_t need_bytes, ws_err_t *err);

/* -1 (with err) when a live primary holds prefix; otherwise removes any files
 * a dead instance with this prefix left behind and returns 0. */
int sv_huge_claim_prefix(const char *prefix, ws_err_t *err);

/* Remove prefix's hugepage files and DPDK runtime directory. */
void sv_huge_cleanup(const char *prefix);

#endif
