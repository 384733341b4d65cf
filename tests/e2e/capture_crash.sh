# capture_crash.sh - a live capture process killed with SIGKILL is
# respawned and takes its queue over: the packets waiting in the chunk it was
# filling reach their detector, every chunk is back on the free ring at the
# end, and every packet sent was captured and inspected exactly once.
. "$(dirname "$0")/lib.sh"

NETNS="wsns$$"
IF="wsc$$"
ip netns add "$NETNS"
ip netns exec "$NETNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1
mkdir -p "$WORK/log"
# A long flush timeout keeps packets waiting in open chunks when the kill lands.
ip netns exec "$NETNS" "$WS" --set eal.file_prefix="$PREFIX" \
    --set "sensors.[0].input=net_tap0,iface=$IF" -q 2 -w 2 -l "$WORK/log" \
    --set pool.flush_us=1000000 >"$WORK/out" 2>&1 &
SV=$!
PIDS="$SV"
for i in $(seq 1 200); do
    [ "$(grep -c 'polling port' "$WORK/out")" = 2 ] && break
    sleep 0.05
done
[ "$(grep -c 'polling port' "$WORK/out")" = 2 ] || { cat "$WORK/out"; fail "captures did not start"; }

ip netns exec "$NETNS" "$TOOLS/sendpkts" -i "$IF" -n 3000 -f 64 -s 1
sleep 0.2      # well inside the 1 s flush timeout: the last chunks are still open
victim=$(pgrep -f -- "--role=capture --id=0 .*--file-prefix=$PREFIX")
[ -n "$victim" ] || fail "no capture 0"
kill -KILL "$victim"
for i in $(seq 1 100); do
    grep -q "recovered queue 0 after a crash" "$WORK/out" && break
    sleep 0.05
done
grep -q "recovered queue 0 after a crash" "$WORK/out" || { cat "$WORK/out"; fail "capture 0 not recovered"; }
ok "capture 0 killed and respawned: $(grep -o 'recovered queue 0.*' "$WORK/out")"
sleep 0.3
ip netns exec "$NETNS" "$TOOLS/sendpkts" -i "$IF" -n 2000 -f 64 -s 2
sleep 0.5
kill -TERM "$SV"
set +e; wait "$SV"; RC=$?; set -e
expect_eq "exit status" "$RC" 0
STATS=$WORK/log/stats.json
expect_eq "queue 0 restarts" "$(json 's["sensors"][0]["queues"][0]["restarts"]')" 1
[ "$(json 's["sensors"][0]["queues"][0]["chunks_recovered"]')" -ge 1 ] || fail "no open chunk was recovered"
expect_eq "packets captured" "$(json 's["totals"]["packets"]')" 5000
expect_eq "packets inspected" "$(json 's["totals"]["inspected"]')" 5000
expect_eq "every chunk back on its free ring" \
    "$(json 'all(q["chunks_free"] == s["pool"]["chunks"] for q in s["sensors"][0]["queues"])')" True
expect_clean
