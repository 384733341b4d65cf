#!/bin/sh
# bench_imbalance.sh - WireCAP's imbalance experiment on this machine, with
# the replay input: a capture replayed at a fixed packet rate into Q software
# queues, a share of its flows forced onto queue 0, and the buddy group's
# offloading off or on.  Appends a table to BENCHMARKS.md (called by
# contrib/bench.sh; `make bench`).  Nothing here asserts on a number.
#
# Inspection cost: ET Open when ../shared is present (real detectors),
# otherwise no rules.  The offered load is a fraction of the aggregate
# capacity measured first for each Q (unpaced replay, offload on, no skew).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WS=$ROOT/build/wiresift
OUT=${1:-$ROOT/BENCHMARKS.md}
SECS=${IMB_SECS:-3}
RULESETS=${RULESETS:-$ROOT/../shared/rulesets}
ET=$RULESETS/et-open-snort29
MIXED=${BENCH_PCAP:-$ROOT/../shared/pcaps/mixed.pcap}
WORK=$(mktemp -d /tmp/wsimb.XXXXXX)
PREFIX=wsimb$$
trap 'rm -rf "$WORK" /var/run/dpdk/$PREFIX* /dev/hugepages/$PREFIX*' EXIT

if [ -f "$MIXED" ]; then
    PCAP=$MIXED
else
    PCAP=$WORK/imb.pcap
    "$ROOT/build/tools/genpcap" -o "$PCAP" -n 100000 -f 5000 -s 5 2>/dev/null
fi
NPKT=$(python3 -c "
import struct,sys
f=open(sys.argv[1],'rb'); f.read(24); n=0
while True:
    h=f.read(16)
    if len(h)<16: break
    f.seek(struct.unpack('<IIII',h)[2],1); n+=1
print(n)" "$PCAP")
RULEARGS=""
RULENAME="no rules"
if [ -d "$ET" ]; then
    RULEARGS="--set classification_config=$ET/classification.config"
    for f in "$ET"/*.rules; do RULEARGS="$RULEARGS -S $f"; done
    RULENAME="ET Open"
fi

# run Q RATE SKEW OFFLOAD CHUNKS CELLS -> prints "pkts dlv_drops p99 offloaded inspected elapsed"
run() {
    q=$1 rate=$2 skew=$3 off=$4 chunks=$5 cells=$6
    if [ "$rate" = 0 ]; then loops=3; else loops=$(( (rate * SECS + NPKT - 1) / NPKT )); fi
    rm -rf "$WORK/log"
    # shellcheck disable=SC2086
    "$WS" --set eal.file_prefix=$PREFIX --set "sensors.[0].input=replay:$PCAP" \
        --set "sensors.[0].queues=$q" --set "sensors.[0].workers=$q" \
        --set "sensors.[0].replay.rate=$rate" --set "sensors.[0].replay.loops=$loops" \
        --set "sensors.[0].replay.skew=$skew" --set offload.enabled=$off \
        --set pool.chunks=$chunks --set pool.cells=$cells -l "$WORK/log" $RULEARGS \
        >"$WORK/run.out" 2>&1 || true
    if [ ! -f "$WORK/log/stats.json" ]; then
        echo "imbalance: run failed:" >&2; tail -5 "$WORK/run.out" >&2; exit 1
    fi
    python3 - "$WORK/log/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); sn = s["sensors"][0]; t = s["totals"]
insp = sum(d["packets"] for d in sn["detectors"])
# capacity runs: packets inspected over the time from the first packet sent
# to the last one inspected (detectors drain their backlog after the replay)
secs = sn.get("replay", {}).get("until_now") or s["elapsed_s"]
print(t["packets"], t["delivery_drops"], sn["chunk_latency_p99_us"],
      sum(q["flows_offloaded"] for q in sn["queues"]), insp, secs)
PY
}

rows=$WORK/rows
: > "$rows"
row() {   # label q load skew off chunks cells capacity
    rate=$(python3 -c "print(int($8 * $3))")
    set -- "$@" "$rate"
    r=$(run "$2" "$9" "$4" "$5" "$6" "$7")
    set -- "$@" $r
    python3 - "$@" >> "$rows" <<'PY'
import sys
a = sys.argv[1:]
label, q, load, skew, off, chunks, cells, cap, rate, pkts, dd, p99, offl, insp, el = a
pkts, dd = int(pkts), int(dd)
print(f"| {label} | {q} | {float(load):.0%} ({int(rate)} pkt/s) | {float(skew):.0%} | "
      f"{'on' if off == 'true' else 'off'} | {chunks} x {cells} | "
      f"{dd / pkts if pkts else 0:.4%} | 0 (software input) | {p99} us | {offl} |")
PY
}

for q in 2 4; do
    echo "imbalance: measuring capacity with $q queues ..."
    set -- $(run "$q" 0 0 true 64 256)
    cap=$(python3 -c "print(int($5 / $6))")
    echo "capacity q=$q: $cap pkt/s" >> "$WORK/caps"
    for skew in 0 0.5 0.9; do
        for load in 0.5 0.8 0.95; do
            for off in false true; do
                echo "imbalance: q=$q skew=$skew load=$load offload=$off"
                row default "$q" "$load" "$skew" "$off" 64 256 "$cap"
            done
        done
    done
    if [ "$q" = 2 ]; then
        for pool in "8 64" "64 256" "256 256"; do
            set -- $pool
            for off in false true; do
                row "pool" 2 0.8 0.9 "$off" "$1" "$2" "$cap"
            done
        done
    fi
done

cat >> "$OUT" <<EOF

## Imbalance experiment (buddy-group offloading)

The replay input plays \`$(basename "$PCAP")\` ($NPKT packets) in a loop at a fixed rate into
Q software queues with Q detectors, $RULENAME loaded, for about ${SECS} s a run.  A share of
the flows (skew) is forced onto queue 0; "load" is the offered rate as a share of
the aggregate capacity measured first (unpaced replay, offload on, no skew;
packets inspected over the time from the first packet sent to the last one
inspected; captures start only once every detector has its rules loaded):
$(sed 's/^/- /' "$WORK/caps")

Columns: delivery-drop rate (captured packets that found no free chunk),
capture-drop rate (none: a software input cannot overrun), p99 chunk latency
(capture opening a chunk to the detector finishing it), flows offloaded to a
buddy.  Pool = chunks x cells per queue (R x M).  On this 2-core machine the
replay process and all detectors share two CPUs, so "capacity" is the whole
machine's, and detectors compete for cores as well as for flows.

| run | queues | load | skew | offload | pool | delivery drops | capture drops | p99 chunk latency | flows offloaded |
|---|---|---|---|---|---|---|---|---|---|
$(cat "$rows")

Command: \`make bench\` (contrib/bench_imbalance.sh), e.g. one run:
\`wiresift --set 'sensors.[0].input=replay:FILE' -q 2 -w 2 --set sensors.[0].replay.rate=R --set sensors.[0].replay.skew=0.9 --set offload.enabled=true -S ...\`
EOF
echo "imbalance: appended to $OUT"
