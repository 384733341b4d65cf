/*
 * csum_probe.h - `-k auto` for offline runs: decide once, before any packet
 * is inspected, whether the capture's checksums can be trusted.
 *
 * A capture taken on the sending host with checksum offload has wrong
 * TCP/UDP checksums on most outgoing packets; inspecting only packets with
 * good checksums would then miss most of the traffic.  Like Suricata's pcap
 * `auto`, we look at the first packets: when more than a tenth of those that
 * carry checksums are bad, checksums are not checked (mode none), and we say
 * so in the log.  Deciding in the supervisor keeps the decision the same for
 * every detector and every -w, so offline results do not depend on it.
 */
#ifndef WS_CSUM_PROBE_H
#define WS_CSUM_PROBE_H

#include <stdint.h>

enum ws_csum_mode { WS_CSUM_ALL = 0, WS_CSUM_NONE = 1, WS_CSUM_AUTO = 2 };

#define WS_CSUM_PROBE_PACKETS 1000

/* Checksum mode for file: WS_CSUM_ALL or WS_CSUM_NONE.  checked/bad: the
 * counts it saw (for the log line). */
int ws_csum_probe(const char *file, uint64_t *checked, uint64_t *bad);

#endif
