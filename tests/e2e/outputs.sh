# outputs.sh - the export process's files: threshold.conf (suppress and
# event_filter) applied across detectors, alerts.pcap holding exactly the
# alerting packets, and eve.json / fast.log reopened on SIGHUP after
# logrotate moved them, without losing a line.
. "$(dirname "$0")/lib.sh"

python3 "$ROOT/tests/e2e/mkdetect.py" "$WORK"
cat > "$WORK/threshold.conf" <<'CONF'
# suppress one sid, limit another to one alert per source per minute
suppress gen_id 1, sig_id 2001
event_filter gen_id 1, sig_id 2097, type limit, track by_src, count 1, seconds 60
this line is wrong
CONF
run_ws -r "$WORK/detect.pcap" -S "$WORK/detect.rules" -l "$WORK/log" -w 2 -q 2 \
    --set threshold_config="$WORK/threshold.conf" --set outputs.pcap.enabled=true
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "run: exit $RC"; }
grep -q "threshold.conf:4: " "$WORK/out" || { cat "$WORK/out"; fail "bad threshold.conf line not reported with file:line"; }
STATS=$WORK/log/stats.json
expect_eq "suppressed (sid 2001, 3 alerts)" "$(json 's["export"]["suppressed"]')" 3
expect_eq "sid 2001 in eve.json" "$(grep -c '"signature_id":2001,' "$WORK/log/eve.json" || true)" 0
expect_eq "threshold lines rejected" "$(json 's["export"]["threshold_lines_rejected"]')" 1
n=$(wc -l < "$WORK/log/eve.json")
expect_eq "alerts in = written + suppressed + filtered" \
    "$(json 's["export"]["alerts_in"] - s["export"]["suppressed"] - s["export"]["filtered"]')" "$n"
pk=$(tcpdump -r "$WORK/log/alerts.pcap" -nn 2>/dev/null | wc -l)
expect_eq "alerts.pcap packets" "$pk" "$(json 's["export"]["pcap_packets"]')"
expect_eq "alerts.pcap holds one packet per written alert" "$pk" "$n"

# logrotate: move the files away, SIGHUP, new files appear and fill
"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 20000 -f 200 -s 51
echo 'alert udp any any -> any any (msg:"udp"; sid:900002; rev:1;)' > "$WORK/r.rules"
mkdir -p "$WORK/live"
"$WS" --set eal.file_prefix="$PREFIX" --set "sensors.[0].input=replay:$WORK/t.pcap" \
    --set "sensors.[0].replay.loops=0" --set "sensors.[0].replay.rate=10000" \
    -S "$WORK/r.rules" -l "$WORK/live" >"$WORK/live.out" 2>&1 &
SV=$!
PIDS="$SV"
for i in $(seq 1 100); do [ -s "$WORK/live/eve.json" ] && break; sleep 0.1; done
[ -s "$WORK/live/eve.json" ] || { cat "$WORK/live.out"; fail "no alerts"; }
mv "$WORK/live/eve.json" "$WORK/live/eve.json.1"
mv "$WORK/live/fast.log" "$WORK/live/fast.log.1"
kill -HUP "$SV"
for i in $(seq 1 100); do [ -s "$WORK/live/eve.json" ] && break; sleep 0.1; done
[ -s "$WORK/live/eve.json" ] || fail "eve.json not reopened after SIGHUP"
[ -s "$WORK/live/fast.log" ] || fail "fast.log not reopened after SIGHUP"
kill -TERM "$SV"
set +e; wait "$SV"; RC=$?; set -e
expect_eq "exit status" "$RC" 0
STATS=$WORK/live/stats.json
expect_eq "reopens" "$(json 's["export"]["reopens"]')" 1
total=$(cat "$WORK/live/eve.json.1" "$WORK/live/eve.json" | wc -l)
expect_eq "eve lines across the rotation" "$total" "$(json 's["export"]["eve_lines"]')"
expect_eq "fast lines across the rotation" "$(cat "$WORK/live/fast.log.1" "$WORK/live/fast.log" | wc -l)" "$total"

# rotation by size: 30000 alerts make well over 1 MiB of eve.json
python3 - "$WORK/flood.pcap" "$ROOT/tests/e2e" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from pktlib import eth, ip4, udp, write_pcap
write_pcap(sys.argv[1], [eth(ip4("10.7.0.1", "10.7.0.2", 17, udp("10.7.0.1", "10.7.0.2", 5000 + i % 999, 9999, b"x")))
                         for i in range(30000)], step=10)
PY
run_ws -r "$WORK/flood.pcap" -S "$WORK/r.rules" -l "$WORK/rot" --set outputs.eve.rotate_mb=1
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "rotation run"; }
STATS=$WORK/rot/stats.json
[ "$(json 's["export"]["rotations"]')" -ge 2 ] || fail "eve.json not rotated by size"
for f in "$WORK"/rot/eve.json.*; do
    [ "$(stat -c %s "$f")" -ge 1048576 ] || fail "$f rotated before 1 MiB"
    [ "$(stat -c %s "$f")" -lt 1200000 ] || fail "$f grew far past 1 MiB"
done
expect_eq "eve lines across the size rotations" "$(cat "$WORK"/rot/eve.json* | wc -l)" 30000
expect_clean
