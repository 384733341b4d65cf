/*
 * pfbench.c - measure the prefilter (detect/prefilter*.c) on real rules and
 * a real capture: build time, blob size, load time, and the candidate stage
 * alone (no verification) in packets/s with candidates per packet.
 *
 *   pfbench [-r PCAP] [-x SUBSTR]... [-V NAME=VALUE]... [-t THREADS]
 *           [-n REPEAT] [-v] RULES...
 *
 * RULES are .rules files or directories (every *.rules inside, sorted).
 * -x skips files whose name contains SUBSTR (repeatable; `-x iponly` is a
 * shorthand for ET Open's IP-only files: botcc, ciarmy, compromised,
 * dshield, drop, tor, but not botcc.portgrouped).  Packets are read and
 * decoded first; the timed loop runs det_prefilter_candidates over them
 * REPEAT times (default 3) with an empty callback.  -v prints a histogram
 * of candidates per packet by path.  -V sets a rule variable
 * (HOME_NET=[10.0.0.0/8]); without it HOME_NET and EXTERNAL_NET are `any`.
 * -c N checks every Nth packet against a brute-force oracle (every rule
 * whose header matches and whose positive packet contents all occur must
 * be a candidate) and reports misses.
 *
 * Build: make build/tools/pfbench (tools link every module's objects).
 */
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detect/decode.h"
#include "detect/prefilter.h"
#include "rules/ruleset.h"

#define MAX_FILES 512
#define MAX_EXCL 32

static const char *const iponly_files[] = {
    "emerging-botcc.rules", "emerging-ciarmy.rules", "emerging-compromised.rules",
    "emerging-dshield.rules", "emerging-drop.rules", "emerging-tor.rules",
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *files[MAX_FILES];
static int nfiles;
static const char *excl[MAX_EXCL];
static int nexcl;
static int excl_iponly;

static int excluded(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    for (int i = 0; i < nexcl; i++)
        if (strstr(base, excl[i]))
            return 1;
    if (excl_iponly)
        for (size_t i = 0; i < sizeof(iponly_files) / sizeof(iponly_files[0]); i++)
            if (strcmp(base, iponly_files[i]) == 0)
                return 1;
    return 0;
}

static void add_path(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        if (nfiles < MAX_FILES && !excluded(path))
            files[nfiles++] = strdup(path);
        return;
    }
    struct dirent *e;
    int first = nfiles;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 6, ".rules") != 0 || excluded(e->d_name))
            continue;
        if (nfiles < MAX_FILES) {
            char *p = malloc(strlen(path) + l + 2);
            sprintf(p, "%s/%s", path, e->d_name);
            files[nfiles++] = p;
        }
    }
    closedir(d);
    qsort(files + first, nfiles - first, sizeof(char *), str_cmp);
}

typedef struct pkt {
    uint8_t *data;
    det_packet_t p;
} pkt_t;

typedef struct count {
    const det_prefilter_t *pf;
    uint64_t n, by_path[DET_PF_PATH_COUNT];
} count_t;

/* ---- brute-force oracle (-c) ---- */

static int occurs(const uint8_t *h, uint32_t hl, const rule_content_t *c)
{
    for (uint32_t i = 0; i + c->len <= hl; i++) {
        uint32_t k = 0;
        for (; k < c->len; k++) {
            uint8_t a = h[i + k], b = c->pat[k];
            if (c->nocase) {
                if (a >= 'A' && a <= 'Z') a += 32;
                if (b >= 'A' && b <= 'Z') b += 32;
            }
            if (a != b)
                break;
        }
        if (k == c->len)
            return 1;
    }
    return 0;
}

static int addr_has(const rule_addrset_t *s, const det_ip_t *ip, int dst)
{
    const uint8_t *a = dst ? ip->dst : ip->src;
    if (ip->version == 4)
        return rule_addrset_has4(s, (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
                                    (uint32_t)a[2] << 8 | a[3]);
    return rule_addrset_has6(s, a);
}

static int oracle(const rule_t *r, const det_packet_t *p)
{
    const det_ip_t *ip = det_ip_inner(p);
    if (ip == NULL)
        return 0;
    switch (r->proto) {
    case RULE_PROTO_TCP: if (p->l4_proto != 6) return 0; break;
    case RULE_PROTO_UDP: if (p->l4_proto != 17) return 0; break;
    case RULE_PROTO_ICMP: if (p->l4_proto != 1 && p->l4_proto != 58) return 0; break;
    default: break;
    }
    int tu = p->l4_proto == 6 || p->l4_proto == 17;
    int fwd = addr_has(&r->src, ip, 0) && addr_has(&r->dst, ip, 1) &&
              (!tu || (rule_portset_has(&r->sport, p->sport) &&
                       rule_portset_has(&r->dport, p->dport)));
    int rev = r->dir == RULE_DIR_BOTH && addr_has(&r->src, ip, 1) &&
              addr_has(&r->dst, ip, 0) &&
              (!tu || (rule_portset_has(&r->sport, p->dport) &&
                       rule_portset_has(&r->dport, p->sport)));
    if (!fwd && !rev)
        return 0;
    int http = 0, pkt = 0;
    for (uint32_t i = 0; i < r->nopts; i++) {
        const rule_opt_t *o = &r->opts[i];
        if (o->kw == RULE_KW_ITYPE && o->u.cmp.op == RULE_CMP_EQ &&
            (p->layers & (DET_L_ICMP | DET_L_ICMPV6)) && p->icmp.type != o->u.cmp.lo)
            return 0;
        if ((o->kw != RULE_KW_CONTENT && o->kw != RULE_KW_URICONTENT) ||
            o->u.content.negated)
            continue;
        if (o->u.content.buffer != RULE_BUF_PKT && o->u.content.buffer != RULE_BUF_RAW) {
            http = 1;
            continue;
        }
        pkt = 1;
        if (!occurs(p->payload, p->payload_len, &o->u.content))
            return 0;
    }
    return pkt || !http;
}

typedef struct mark {
    uint8_t *hit;
} mark_t;

static int mark_cb(uint32_t rule, void *arg)
{
    ((mark_t *)arg)->hit[rule] = 1;
    return 0;
}

static int nop_cb(uint32_t rule, void *arg)
{
    (void)rule;
    (void)arg;
    return 0;
}

static int count_cb(uint32_t rule, void *arg)
{
    count_t *c = arg;
    c->n++;
    c->by_path[det_prefilter_path(c->pf, rule)]++;
    return 0;
}

int main(int argc, char **argv)
{
    const char *pcap_path = NULL;
    unsigned threads = 0;
    int repeat = 3, verbose = 0, check = 0, opt;
    ws_err_t err;
    rule_vars_t vars;
    if (rule_vars_init(&vars, &err) != 0) {
        fprintf(stderr, "pfbench: %s\n", err.msg);
        return 1;
    }
    while ((opt = getopt(argc, argv, "r:x:t:n:vV:c:")) != -1) {
        switch (opt) {
        case 'r': pcap_path = optarg; break;
        case 'x':
            if (strcmp(optarg, "iponly") == 0)
                excl_iponly = 1;
            else if (nexcl < MAX_EXCL)
                excl[nexcl++] = optarg;
            break;
        case 't': threads = (unsigned)atoi(optarg); break;
        case 'n': repeat = atoi(optarg); break;
        case 'v': verbose = 1; break;
        case 'c': check = atoi(optarg); break;
        case 'V':
            if (rule_vars_assign(&vars, optarg, &err) != 0) {
                fprintf(stderr, "pfbench: -V %s: %s\n", optarg, err.msg);
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: pfbench [-r PCAP] [-x SUBSTR|iponly]... "
                    "[-t THREADS] [-n REPEAT] [-v] RULES...\n");
            return 2;
        }
    }
    for (int i = optind; i < argc; i++)
        add_path(argv[i]);

    rule_set_t rs;
    double t0 = now();
    if (rule_set_init(&rs, &vars, NULL, &err) != 0 ||
        rule_set_load_files(&rs, (const char *const *)files, (size_t)nfiles, &err) != 0) {
        fprintf(stderr, "pfbench: %s\n", err.msg);
        return 1;
    }
    printf("rules: %u loaded, %u rejected from %d files in %.2f s\n",
           rs.nrules, rs.nrejects, nfiles, now() - t0);

    void *blob;
    size_t len;
    det_prefilter_stats_t st;
    if (det_prefilter_build(&rs, threads, &blob, &len, &st, &err) != 0) {
        fprintf(stderr, "pfbench: build: %s\n", err.msg);
        return 1;
    }
    printf("paths: content %u (declared fp %u, sliced %u, nocase %u), header %u, "
           "iponly %u, http (waiting) %u\n",
           st.path[DET_PF_CONTENT], st.fp_declared, st.fp_sliced, st.fp_nocase,
           st.path[DET_PF_HEADER], st.path[DET_PF_IPONLY], st.path[DET_PF_HTTP]);
    printf("ports: <> %u, any-group %u, negated %u\n", st.both_dir, st.port_any,
           st.port_negated);
    printf("groups: %u hyperscan (%u patterns, %u placements, %.1f MB), %u header; "
           "iponly %u entries, %u tree nodes\n",
           st.hs_groups, st.hs_patterns, st.hs_placements, st.hs_bytes / 1e6,
           st.hdr_groups, st.ip_entries, st.ip_nodes);
    printf("build: %.2f s (compile %.2f s), blob %.1f MB\n", st.build_secs,
           st.compile_secs, st.blob_len / 1e6);

    det_prefilter_t *pf;
    t0 = now();
    if (det_prefilter_load(&pf, blob, len, &rs, &err) != 0) {
        fprintf(stderr, "pfbench: load: %s\n", err.msg);
        return 1;
    }
    printf("load: %.3f s\n", now() - t0);
    free(blob);
    if (pcap_path == NULL)
        goto done;

    char ebuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(pcap_path, ebuf);
    if (pc == NULL) {
        fprintf(stderr, "pfbench: %s\n", ebuf);
        return 1;
    }
    int lt = pcap_datalink(pc);
    size_t n = 0, cap = 0;
    pkt_t *pk = NULL;
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t bytes = 0;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            pk = realloc(pk, cap * sizeof(*pk));
        }
        pk[n].data = malloc(h->caplen ? h->caplen : 1);
        memcpy(pk[n].data, data, h->caplen);
        det_decode(&pk[n].p, pk[n].data, h->caplen, lt, 0, NULL);
        bytes += h->caplen;
        n++;
    }
    pcap_close(pc);

    count_t c = { .pf = pf };
    uint64_t hist[8] = { 0 };
    uint32_t maxc = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t before = c.n;
        det_prefilter_candidates(pf, &pk[i].p, pk[i].p.payload, pk[i].p.payload_len,
                                 count_cb, &c);
        uint32_t k = (uint32_t)(c.n - before);
        if (k > maxc)
            maxc = k;
        hist[k == 0 ? 0 : k == 1 ? 1 : k <= 3 ? 2 : k <= 10 ? 3 : k <= 30 ? 4 :
             k <= 100 ? 5 : k <= 300 ? 6 : 7]++;
    }
    printf("candidates: %.2f per packet (content %.2f, header %.2f, iponly %.2f), max %u\n",
           (double)c.n / n, (double)c.by_path[DET_PF_CONTENT] / n,
           (double)c.by_path[DET_PF_HEADER] / n, (double)c.by_path[DET_PF_IPONLY] / n,
           maxc);
    if (verbose) {
        static const char *lbl[] = { "0", "1", "2-3", "4-10", "11-30", "31-100",
                                     "101-300", ">300" };
        for (int i = 0; i < 8; i++)
            printf("  %-8s %8llu packets\n", lbl[i], (unsigned long long)hist[i]);
    }
    if (check > 0) {
        mark_t m = { calloc(rs.nrules + 1, 1) };
        uint64_t checked = 0, required = 0, missed = 0;
        for (size_t i = 0; i < n; i += (size_t)check) {
            memset(m.hit, 0, rs.nrules);
            det_prefilter_candidates(pf, &pk[i].p, pk[i].p.payload,
                                     pk[i].p.payload_len, mark_cb, &m);
            checked++;
            for (uint32_t r = 0; r < rs.nrules; r++)
                if (det_prefilter_path(pf, r) != DET_PF_HTTP &&
                    oracle(rs.rules[r], &pk[i].p)) {
                    required++;
                    if (!m.hit[r]) {
                        if (missed++ < 10)
                            printf("MISS: packet %zu rule sid %u (%s)\n", i,
                                   rs.rules[r]->sid,
                                   det_pf_path_name(det_prefilter_path(pf, r)));
                    }
                }
        }
        printf("oracle: %llu packets checked, %llu required candidates, %llu missed\n",
               (unsigned long long)checked, (unsigned long long)required,
               (unsigned long long)missed);
        free(m.hit);
    }
    double best = 1e9;
    for (int r = 0; r < repeat; r++) {
        t0 = now();
        for (size_t i = 0; i < n; i++)
            det_prefilter_candidates(pf, &pk[i].p, pk[i].p.payload,
                                     pk[i].p.payload_len, nop_cb, NULL);
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    printf("candidate stage: %zu packets, %.0f packets/s, %.0f Mbit/s (best of %d)\n",
           n, n / best, bytes * 8 / best / 1e6, repeat);
    for (size_t i = 0; i < n; i++)
        free(pk[i].data);
    free(pk);
done:
    det_prefilter_free(pf);
    rule_set_free(&rs);
    rule_vars_free(&vars);
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    return 0;
}
