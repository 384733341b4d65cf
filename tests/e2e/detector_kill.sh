# detector_kill.sh - a detect process killed with SIGKILL in the middle of an
# offline run is respawned; the run completes with every packet inspected and
# counted exactly once, no drops, every chunk back on its free ring, and
# stats.json says what became of the dead process's chunks.
. "$(dirname "$0")/lib.sh"

"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 100000 -f 1000 -s 11 --flows-out "$WORK/t.flows"
mkdir -p "$WORK/log"
# Slow detectors (5 ms per chunk) keep chunks in flight long enough to kill one.
"$WS" --set eal.file_prefix="$PREFIX" -r "$WORK/t.pcap" -l "$WORK/log" -q 2 -w 2 \
    --set debug.chunk_delay_us=5000 --set debug.flow_log=true >"$WORK/out" 2>&1 &
SV=$!
PIDS="$SV"

victim=""
for i in $(seq 1 100); do
    victim=$(pgrep -f -- "--role=detect --id=0 .*--file-prefix=$PREFIX" || true)
    [ -n "$victim" ] && break
    sleep 0.05
done
[ -n "$victim" ] || fail "detector 0 never started"
sleep 0.5
kill -0 "$SV" 2>/dev/null || fail "run ended before the kill; make the input longer"
kill -KILL "$victim"
ok "killed detector 0 (pid $victim)"

set +e; wait "$SV"; RC=$?; set -e
cat "$WORK/out"
expect_eq "exit status" "$RC" 0
grep -q "detect 0 (pid $victim) was killed by signal 9" "$WORK/out" || fail "death not logged"
ok "death logged with its cause"

STATS=$WORK/log/stats.json
expect_eq "total packets" "$(json 's["totals"]["packets"]')" 100000
expect_eq "packets inspected, each once" "$(json 'sum(d["packets"] for d in s["sensors"][0]["detectors"])')" 100000
expect_eq "delivery drops" "$(json 's["totals"]["delivery_drops"]')" 0
expect_eq "detector 0 restarts" "$(json 's["sensors"][0]["detectors"][0]["restarts"]')" 1
expect_eq "detector 1 restarts" "$(json 's["sensors"][0]["detectors"][1]["restarts"]')" 0
expect_eq "chunks handed out = chunks finished" \
    "$(json 'sum(q["chunks"] for q in s["sensors"][0]["queues"]) == sum(d["chunks"] for d in s["sensors"][0]["detectors"])')" True
expect_eq "every chunk back on its free ring" \
    "$(json 'all(q["chunks_free"] == s["pool"]["chunks"] for q in s["sensors"][0]["queues"])')" True
recovered=$(json 's["sensors"][0]["detectors"][0]["chunks_redelivered"] + s["sensors"][0]["detectors"][0]["chunks_inbox_recovered"]')
[ "$recovered" -ge 1 ] || fail "stats.json shows no chunks taken over from the dead detector"
ok "chunks taken over by the successor: $recovered (redelivered + waiting in its inbox)"
# Flow affinity survives the restart: no flow reached both detectors.
dups=$(cat "$WORK"/log/flows-default-*.tsv | awk '{print $1,$2,$3,$4,$5}' | sort | uniq -d | wc -l)
expect_eq "flows seen by both detectors" "$dups" 0
expect_clean
