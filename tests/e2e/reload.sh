# reload.sh - rules reload while traffic flows: `wiresift --reload` (SIGHUP)
# makes a running sensor switch every detector to the new rules generation
# with no packet dropped; a reload that cannot read its rules leaves the
# running generation in place and says why.
. "$(dirname "$0")/lib.sh"

"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 20000 -f 200 -s 31
RULES=$WORK/site.rules
echo 'alert udp any any -> any any (msg:"generation A"; sid:100001; rev:1;)' > "$RULES"
mkdir -p "$WORK/log"
"$WS" --set eal.file_prefix="$PREFIX" --set "sensors.[0].input=replay:$WORK/t.pcap" \
    --set "sensors.[0].replay.loops=0" --set "sensors.[0].replay.rate=20000" --set pool.chunks=256 \
    -q 2 -w 2 -S "$RULES" -l "$WORK/log" --set outputs.stats.interval=1 \
    >"$WORK/out" 2>&1 &
SV=$!
PIDS="$SV"

# wait_for PATTERN FILE: up to 20 s
wait_for() {
    for i in $(seq 1 200); do
        grep -q "$1" "$2" 2>/dev/null && return 0
        kill -0 "$SV" 2>/dev/null || { cat "$WORK/out"; fail "sensor exited"; }
        sleep 0.1
    done
    cat "$WORK/out"; fail "timed out waiting for '$1' in $2"
}

wait_for '"signature_id":100001' "$WORK/log/eve.json"
ok "generation A alerting"
echo 'alert udp any any -> any any (msg:"generation B"; sid:100002; rev:1;)' > "$RULES"
"$WS" --reload --set eal.file_prefix="$PREFIX" || fail "--reload failed"
wait_for '"signature_id":100002' "$WORK/log/eve.json"
wait_for 'switched from rules generation 1 to 2' "$WORK/out"
ok "generation B alerting after --reload"

# a reload that cannot read its rule file keeps generation 2 running
mv "$RULES" "$RULES.away"
kill -HUP "$SV"
wait_for 'reload failed: .*cannot read rule file' "$WORK/out"
n1=$(grep -c '"signature_id":100002' "$WORK/log/eve.json")
sleep 1
n2=$(grep -c '"signature_id":100002' "$WORK/log/eve.json")
[ "$n2" -gt "$n1" ] || fail "generation B stopped alerting after a failed reload"
ok "failed reload reported, generation B still alerting ($n1 -> $n2 alerts)"

kill -TERM "$SV"
set +e; wait "$SV"; RC=$?; set -e
expect_eq "exit status" "$RC" 0
STATS=$WORK/log/stats.json
expect_eq "delivery drops across the reloads" "$(json 's["totals"]["delivery_drops"]')" 0
expect_eq "captured = inspected" "$(json 's["totals"]["packets"] == s["totals"]["inspected"]')" True
expect_eq "detectors on generation 2" "$(json '[d["rules_gen"] for d in s["sensors"][0]["detectors"]]')" "[2, 2]"
expect_eq "switches" "$(json '[d["reloads"] for d in s["sensors"][0]["detectors"]]')" "[1, 1]"
expect_clean
