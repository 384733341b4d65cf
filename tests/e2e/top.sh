# top.sh - the live view: `wiresift --top` attached to a running sensor in a
# tmux pane (a real terminal) shows per-queue and per-detector rows with
# rates that move, refreshes in place, and quits on `q`; the sensor goes on
# unharmed.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed (contrib/setup.sh installs it)"

"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 20000 -f 200 -s 91
echo 'alert udp any any -> any any (msg:"udp"; sid:500001; rev:1;)' > "$WORK/r.rules"
mkdir -p "$WORK/log"
"$WS" --set eal.file_prefix="$PREFIX" --set "sensors.[0].name=edge" \
    --set "sensors.[0].input=replay:$WORK/t.pcap" \
    --set "sensors.[0].replay.loops=0" --set "sensors.[0].replay.rate=20000" \
    -q 2 -w 2 -S "$WORK/r.rules" -l "$WORK/log" >"$WORK/out" 2>&1 &
SV=$!
PIDS="$SV"
for i in $(seq 1 100); do grep -q "replaying" "$WORK/out" && break; sleep 0.1; done
SESSION="wstop$$"
tmux new-session -d -s "$SESSION" -x 120 -y 40 \
    "$WS --top --set eal.file_prefix=$PREFIX 2>$WORK/top.err"
sleep 3.5
tmux capture-pane -p -t "$SESSION" > "$WORK/screen"
cat "$WORK/screen"
grep -q "wiresift top - instance $PREFIX" "$WORK/screen" || fail "no title"
grep -q "^sensor edge" "$WORK/screen" || fail "no sensor line"
grep -Eq "^  queue +pkt/s +Mbit/s +pool +hiwat +capture_drop +deliv_drop +offloaded" "$WORK/screen" || fail "no queue header"
grep -Eq "^  detect +pkt/s +backlog +flows +offl_in +alerts/s +restarts +p99_us" "$WORK/screen" || fail "no detector header"
python3 - "$WORK/screen" <<'PY' || fail "rates on screen do not add up to the replay rate"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
q = [l.split() for l in lines if re.match(r"^  [01] ", l)]
assert len(q) == 4, q                    # 2 queue rows, 2 detector rows
qpps = float(q[0][1]) + float(q[1][1])
assert 10000 < qpps < 30000, qpps        # replayed at 20000 packets/s
assert q[0][3].endswith("/64"), q[0]
PY
ok "screen shows both queues and both detectors with live rates"
tmux send-keys -t "$SESSION" q
for i in $(seq 1 30); do tmux has-session -t "$SESSION" 2>/dev/null || break; sleep 0.1; done
tmux has-session -t "$SESSION" 2>/dev/null && { tmux kill-session -t "$SESSION"; fail "q did not quit"; }
ok "q quits the live view"
kill -0 "$SV" || fail "the sensor died"
kill -TERM "$SV"
set +e; wait "$SV"; RC=$?; set -e
expect_eq "sensor exit status" "$RC" 0
expect_clean
