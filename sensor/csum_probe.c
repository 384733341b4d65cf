/*
 * csum_probe.c - see csum_probe.h.
 */
#include "sensor/csum_probe.h"

#include <pcap/pcap.h>

#include "detect/decode.h"

int ws_csum_probe(const char *file, uint64_t *checked, uint64_t *bad)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    det_packet_t p;
    pcap_t *pc;
    int lt, n = 0;

    *checked = *bad = 0;
    pc = pcap_open_offline(file, errbuf);
    if (pc == NULL)
        return WS_CSUM_ALL;
    lt = pcap_datalink(pc);
    while (n < WS_CSUM_PROBE_PACKETS && pcap_next_ex(pc, &h, &data) == 1) {
        n++;
        if (h->caplen < h->len)
            continue;          /* a cut packet's checksum cannot be checked */
        det_decode(&p, data, h->caplen, lt, DET_DECODE_CSUM, NULL);
        if (p.csum_checked == 0)
            continue;
        (*checked)++;
        if (p.csum_bad != 0)
            (*bad)++;
    }
    pcap_close(pc);
    return *checked > 0 && *bad * 10 > *checked ? WS_CSUM_NONE : WS_CSUM_ALL;
}
