#!/bin/sh
# bench.sh - `make bench`: capture-path throughput, written to BENCHMARKS.md.
#
# Measures packets/s through capture -> chunk -> ring -> a detect process that
# only decodes the flow key and counts per flow, and sets it beside
# dpdk-testpmd --forward-mode=rxonly on the same vdev in the same run (the
# ceiling: receive and free, nothing else).  Benchmarks are not tests: nothing
# here asserts on a number.
#
# Variables: BENCH_SECS (default 8), BENCH_PCAP (an extra capture file to read
# offline, default ../shared/pcaps/mixed.pcap when present).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WS=$ROOT/build/wiresift
SECS=${BENCH_SECS:-8}
MIXED=${BENCH_PCAP:-$ROOT/../shared/pcaps/mixed.pcap}
WORK=$(mktemp -d /tmp/wsbench.XXXXXX)
OUT=$ROOT/BENCHMARKS.md
PREFIX=wsbench$$
trap 'rm -rf "$WORK" /var/run/dpdk/$PREFIX* /dev/hugepages/$PREFIX*' EXIT

command -v dpdk-testpmd >/dev/null || apt-get install -y -qq dpdk-dev >/dev/null
"$ROOT/build/tools/genpcap" -o "$WORK/b.pcap" -n 200000 -f 2000 -s 3 2>/dev/null

py() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$2"; }

# testpmd VDEV: received packets/s over SECS seconds
testpmd_pps() {
    timeout -s INT $((SECS + 2)) dpdk-testpmd --no-pci --vdev="$1" \
        --file-prefix=${PREFIX}t -l 0-1 --log-level=5 -- --forward-mode=rxonly \
        --auto-start --stats-period 1 >"$WORK/tpm.out" 2>&1 || true
    # the last per-second Rx-pps lines are steady state; average the last 3
    grep -o 'Rx-pps: *[0-9]*' "$WORK/tpm.out" | awk '{v[NR]=$2} END {
        n=0; s=0; for (i=NR-2; i<=NR; i++) if (i>1) { s+=v[i]; n++ }
        if (n) printf "%d", s/n; else print 0 }'
    rm -rf /var/run/dpdk/${PREFIX}t
}

# wiresift live on VDEV with Q queues, W workers for SECS seconds
ws_live() {
    rm -rf "$WORK/log"
    timeout -s TERM "$SECS" "$WS" --set eal.file_prefix=$PREFIX --set "sensors.[0].input=$1" \
        -q "$2" -w "$3" -l "$WORK/log" >"$WORK/ws.out" 2>&1 || true
    S=$WORK/log/stats.json
    if [ ! -f "$S" ]; then
        echo "bench: wiresift on $1 failed:" >&2; tail -5 "$WORK/ws.out" >&2
        echo "n/a n/a n/a n/a"; return
    fi
    el=$(py 's["elapsed_s"]' "$S")
    cap=$(py "int(s['totals']['packets'] / $el)" "$S")
    insp=$(py "int(s['totals']['inspected'] / $el)" "$S")
    dd=$(py 's["totals"]["delivery_drops"]' "$S")
    tot=$(py 's["totals"]["packets"]' "$S")
    echo "$cap $insp $dd $tot"
}

ws_offline() {
    rm -rf "$WORK/log"
    /usr/bin/time -f '%M' -o "$WORK/mem" "$WS" --set eal.file_prefix=$PREFIX -r "$1" \
        -q "$2" -w "$3" -l "$WORK/log" >"$WORK/ws.out" 2>&1
    S=$WORK/log/stats.json
    el=$(py 's["elapsed_s"]' "$S")
    echo "$(py "int(s['totals']['packets'] / $el)" "$S") \
$(python3 -c "import os; print(round(os.path.getsize('$1') * 8 / $el / 1e6, 1))") $(py 's["totals"]["packets"]' "$S") $el"
}

ratio() { python3 -c "print(f'{$1 / $2:.3f}' if $2 else 'n/a')" 2>/dev/null || echo n/a; }

echo "bench: net_null, testpmd rxonly ..."
tp_null=$(testpmd_pps net_null0)
echo "bench: net_null, wiresift -q 1 -w 1 ..."
set -- $(ws_live net_null0 1 1); null_cap=$1 null_insp=$2 null_dd=$3
echo "bench: offline generated file ..."
set -- $(ws_offline "$WORK/b.pcap" 1 1); off1=$1 off1m=$2 off1n=$3
set -- $(ws_offline "$WORK/b.pcap" 2 2); off2=$1 off2m=$2
mixed_rows=""
if [ -f "$MIXED" ]; then
    echo "bench: offline $MIXED ..."
    set -- $(ws_offline "$MIXED" 1 1); m1=$1 m1m=$2 m1n=$3
    set -- $(ws_offline "$MIXED" 2 2); m2=$1 m2m=$2
    mixed_rows="| offline \`-r mixed.pcap\` ($m1n packets) | -q 1 -w 1 | $m1 | $m1m Mbit/s | $(ratio "$m1" "$tp_null") |
| offline \`-r mixed.pcap\` | -q 2 -w 2 | $m2 | $m2m Mbit/s | $(ratio "$m2" "$tp_null") |"
fi

cat > "$OUT" <<EOF
# WireSift benchmarks

Written by \`make bench\` (contrib/bench.sh) on $(date -u +%Y-%m-%d), $(nproc) cores
($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), DPDK $(pkg-config --modversion libdpdk).
Each live run lasts ${SECS} s; rates are packets over the run's whole elapsed time
(start-up included, so they slightly understate steady state).

## Capture path: capture -> chunk -> ring -> detect (counting only)

With no rules loaded, the detect process decodes each packet and keeps its flow
(state, counters); this isolates the capture path.  testpmd is the ceiling on the same vdev: \`dpdk-testpmd
--forward-mode=rxonly\` receives and frees, nothing else, on one forwarding core.
On this 2-core machine wiresift's capture and detect processes share the two cores
with the supervisor, and testpmd has one core to itself.

| input | wiresift | captured pkt/s | inspected pkt/s | delivery drops | testpmd rxonly pkt/s | ratio (inspected / testpmd) |
|---|---|---|---|---|---|---|
| net_null0 (64 B, no payload copy) | -q 1 -w 1 | $null_cap | $null_insp | $null_dd | $tp_null | $(ratio "$null_insp" "$tp_null") |

Delivery drops on a live vdev that never runs dry are expected: the vdev
produces packets faster than one detector inspects them, so the pool fills and
capture drops what finds no free chunk (counted, never silent).

## Offline (-r): lossless file reading

| input | wiresift | pkt/s | file read rate | ratio to testpmd rxonly on net_null |
|---|---|---|---|---|
| generated pcap ($off1n packets, 2,000 flows) | -q 1 -w 1 | $off1 | $off1m Mbit/s | $(ratio "$off1" "$tp_null") of testpmd's net_null rate |
| generated pcap | -q 2 -w 2 | $off2 | $off2m Mbit/s | $(ratio "$off2" "$tp_null") |
$mixed_rows

Offline mode never drops: the reader waits for free chunks.  "File read rate" is the
capture file's size over the run time (the packets' original lengths can be far
larger in captures taken with a short snap length).  With -q 2 -w 2 on two cores
the reader, two detectors and the supervisor share two CPUs, so it is not
faster than -q 1 -w 1 here; on a machine with a core per process it scales.

Commands:

\`\`\`
dpdk-testpmd --no-pci --vdev=VDEV -l 0-1 -- --forward-mode=rxonly --auto-start --stats-period 1
wiresift --set 'sensors.[0].input=VDEV' -q 1 -w 1 -l LOGDIR      # stopped with SIGTERM after ${SECS} s
wiresift -r FILE -q Q -w W -l LOGDIR
\`\`\`
EOF
echo "bench: wrote $OUT"
cat "$OUT"

# ---------------------------------------------------------------------------
# Detection: one detect process on mixed.pcap with ET Open.
RULESETS=${RULESETS:-$ROOT/../shared/rulesets}
ET=$RULESETS/et-open-snort29
if [ -f "$MIXED" ] && [ -d "$ET" ]; then
    det_run() {   # name, then -S arguments
        name=$1; shift
        rm -rf "$WORK/log"
        "$WS" --set eal.file_prefix=$PREFIX -r "$MIXED" -q 1 -w 1 -l "$WORK/log" \
            --set classification_config="$ET/classification.config" "$@" >"$WORK/det.out" 2>&1
        S=$WORK/log/stats.json
        ld=$(sed -n 's/.*parsed in \([0-9.]*\) s, prefilter .* built in \([0-9.]*\) s.*/\1 \2/p' "$WORK/det.out")
        [ -n "$ld" ] || ld="- -"
        set -- $ld
        python3 - "$S" "$MIXED" "$name" "$1" "$2" <<'PY' >> "$WORK/det.rows"
import json, os, sys
s = json.load(open(sys.argv[1])); d = s["sensors"][0]["detectors"][0]
busy = d["busy_s"] or 1e-9
mbit = os.path.getsize(sys.argv[2]) * 8 / busy / 1e6
print(f"| {sys.argv[3]} | {d['packets']} | {int(d['packets'] / busy)} | {mbit:.0f} | "
      f"{sys.argv[4]} s + {sys.argv[5]} s | {d['max_rss_kb'] // 1024} MiB | {d['alerts']} |")
PY
    }
    : > "$WORK/det.rows"
    all=""; noip=""
    for f in "$ET"/*.rules; do
        all="$all -S $f"
        case "$f" in *botcc*|*ciarmy*|*compromised*|*dshield*|*emerging-drop*|*emerging-tor*) ;;
                     *) noip="$noip -S $f" ;; esac
    done
    echo "bench: detection on mixed.pcap ..."
    det_run "ET Open, all 47 files" $all
    det_run "ET Open without its IP-only files" $noip
    det_run "no rules" -S /dev/null
    cat >> "$OUT" <<EOF2

## Detection: one detect process on mixed.pcap

\`wiresift -r mixed.pcap -q 1 -w 1 -S ...\` (one reader, one detector).
Packets/s is the detector's own rate: packets over the time it spent inspecting
chunks (\`busy_s\` in stats.json), so the reader and start-up are not counted.
Load = rule parsing + prefilter build (Hyperscan compile) in the supervisor.
Memory is the detect process's peak resident size.  Of ET Open's 20,182 loaded
rules, about 11,300 read HTTP buffers: they are evaluated on the HTTP
transactions the detector parses from the reassembled TCP streams, so these
figures include stream reassembly and HTTP parsing.  Snort 3 measured on this
machine runs ET Open on mixed.pcap at about 11k packets/s.

| rules | packets | packets/s | Mbit/s (file bytes) | load (parse + build) | memory | alerts |
|---|---|---|---|---|---|---|
$(cat "$WORK/det.rows")
EOF2
    echo "bench: wrote detection figures"
fi

# The buddy-group imbalance experiment appends its own table.
sh "$ROOT/contrib/bench_imbalance.sh" "$OUT"

# ---------------------------------------------------------------------------
# Inline forwarding: net_null in, net_null out, with and without rules.
fwd() {   # label, then extra arguments
    label=$1; shift
    rm -rf "$WORK/log"
    timeout -s TERM "$SECS" "$WS" --set eal.file_prefix=$PREFIX --set "sensors.[0].input=net_null0" \
        --set "sensors.[0].output=net_null1" -q 1 -w 1 -l "$WORK/log" "$@" >"$WORK/fwd.out" 2>&1 || true
    python3 - "$WORK/log/stats.json" "$label" <<'PY' >> "$WORK/fwd.rows"
import json, sys
s = json.load(open(sys.argv[1])); q = s["sensors"][0]["queues"][0]; d = s["sensors"][0]["detectors"][0]
el = s["elapsed_s"] or 1
print(f"| {sys.argv[2]} | {int(q['forwarded'] / el)} | {int(q['dropped_policy'] / el)} | "
      f"{q['dropped_rule']} | {q['tx_errors']} | {d['chunk_latency_p50_us']} us | {d['chunk_latency_p99_us']} us |")
PY
}
: > "$WORK/fwd.rows"
echo "bench: inline forwarding ..."
fwd "no rules" --set sensors.[0].fail=closed
if [ -d "$ET" ]; then
    # shellcheck disable=SC2086
    fwd "ET Open (net_null packets carry no payload)" --set sensors.[0].fail=closed ${all:-}
fi
cat >> "$OUT" <<EOF2

## Inline forwarding (net_null in, net_null out)

\`wiresift --set 'sensors.[0].input=net_null0' --set 'sensors.[0].output=net_null1' -q 1 -w 1
--set sensors.[0].fail=closed\`, ${SECS} s.  Forwarded = packets inspected and sent on the
paired port per second; net_null never runs dry, so the pool runs full and fail
closed drops the excess (policy drops).  Latency is the chunk latency (capture opening the chunk to the detector
finishing it); the capture sends a finished chunk's packets at its next reclaim, within
the flush timeout (100 us) plus one poll.  net_null's packets are 64 bytes of zeros, so
with rules this measures the per-packet cost of the path, not of matching.

| rules | forwarded pkt/s | policy drops pkt/s | dropped by rule | tx errors | p50 latency | p99 latency |
|---|---|---|---|---|---|---|
$(cat "$WORK/fwd.rows")
EOF2
