# metrics.sh - Prometheus metrics: scraped over HTTP from a running sensor
# and read from the textfile-collector file, both parsed strictly (HELP and
# TYPE for every family, _total counters, valid names and labels), with the
# numbers agreeing with stats.json.
. "$(dirname "$0")/lib.sh"

PORT=$(( 30000 + $$ % 20000 ))
"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 20000 -f 200 -s 81
echo 'alert udp any any -> any any (msg:"udp"; sid:600001; rev:1;)' > "$WORK/r.rules"
mkdir -p "$WORK/log"
"$WS" --set eal.file_prefix="$PREFIX" --set "sensors.[0].input=replay:$WORK/t.pcap" \
    --set "sensors.[0].replay.loops=3" --set "sensors.[0].replay.rate=20000" \
    -q 2 -w 2 -S "$WORK/r.rules" -l "$WORK/log" --set outputs.stats.interval=1 \
    --set "outputs.metrics.listen=127.0.0.1:$PORT" --set "outputs.metrics.file=$WORK/ws.prom" \
    >"$WORK/out" 2>&1 &
SV=$!
PIDS="$SV"
scrape() {
    python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$PORT/metrics', timeout=5).read().decode())"
}
for i in $(seq 1 100); do scrape > "$WORK/m1" 2>/dev/null && break; sleep 0.1; done
[ -s "$WORK/m1" ] || { cat "$WORK/out"; fail "no metrics on 127.0.0.1:$PORT"; }
python3 "$ROOT/tests/e2e/check_prom.py" "$WORK/m1" > "$WORK/s1" || { cat "$WORK/s1"; fail "scrape 1 is not valid exposition format"; }
ok "scrape 1 parses strictly ($(grep -c '^# TYPE' "$WORK/m1") families)"
sleep 1.5
scrape > "$WORK/m2"
python3 "$ROOT/tests/e2e/check_prom.py" "$WORK/m2" > "$WORK/s2" || fail "scrape 2 invalid"
python3 - "$WORK/s1" "$WORK/s2" <<'PY' || fail "counters did not advance"
import ast, sys
a, b = (ast.literal_eval(open(p).read()) for p in sys.argv[1:])
key = lambda s, n: sum(v for k, v in s.items() if k.startswith(n + "{"))
assert key(b, "wiresift_queue_packets_total") > key(a, "wiresift_queue_packets_total")
assert b['wiresift_rules_loaded{sensor="default"}'] == 1
PY
ok "counters advance between scrapes; rules_loaded = 1"
set +e; wait "$SV"; RC=$?; set -e
expect_eq "exit status" "$RC" 0
[ -f "$WORK/ws.prom" ] || fail "no metrics file"
python3 "$ROOT/tests/e2e/check_prom.py" "$WORK/ws.prom" > "$WORK/sf" || fail "metrics file invalid"
STATS=$WORK/log/stats.json
python3 - "$WORK/sf" "$STATS" <<'PY' || fail "metrics file disagrees with stats.json"
import ast, json, sys
m = ast.literal_eval(open(sys.argv[1]).read()); s = json.load(open(sys.argv[2]))
tot = lambda n: sum(v for k, v in m.items() if k.startswith(n + "{"))
assert tot("wiresift_queue_packets_total") == s["totals"]["packets"] == 60000, tot("wiresift_queue_packets_total")
assert tot("wiresift_detector_packets_total") == s["totals"]["inspected"]
assert tot("wiresift_detector_alerts_total") == s["totals"]["alerts"]
assert m["wiresift_export_alerts_total{}"] == s["export"]["alerts_in"]
PY
ok "metrics file at exit agrees with stats.json"
expect_clean
