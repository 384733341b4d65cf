# live_tap.sh - live capture from a DPDK net_tap port with 2 rx queues, inside
# a network namespace this test creates: a known number of frames sent into
# the tap interface from the kernel side are all captured, inspected once,
# and counted per queue in stats.json.  Nothing leaves the namespace.
. "$(dirname "$0")/lib.sh"

N=20000
NETNS="wsns$$"
IF="wst$$"
ip netns add "$NETNS"
# No IPv6 autoconfiguration or other chatter: only our frames cross the tap.
ip netns exec "$NETNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1
mkdir -p "$WORK/log"
ip netns exec "$NETNS" "$WS" --set eal.file_prefix="$PREFIX" \
    --set "sensors.[0].input=net_tap0,iface=$IF" -q 2 -w 2 -l "$WORK/log" \
    --set outputs.stats.interval=1 >"$WORK/out" 2>&1 &
SV=$!
PIDS="$SV"

for i in $(seq 1 200); do
    [ "$(grep -c 'polling port' "$WORK/out")" = 2 ] && break
    kill -0 "$SV" 2>/dev/null || { cat "$WORK/out"; fail "sensor exited early"; }
    sleep 0.05
done
[ "$(grep -c 'polling port' "$WORK/out")" = 2 ] || { cat "$WORK/out"; fail "captures did not start"; }
ok "sensor up: two capture processes polling the tap's rx queues"

ip netns exec "$NETNS" "$TOOLS/sendpkts" -i "$IF" -n $N -f 64
STATS=$WORK/log/stats.json
for i in $(seq 1 100); do
    [ -f "$STATS" ] && [ "$(json 's["totals"]["packets"]')" -ge $N ] && break
    sleep 0.1
done
kill -TERM "$SV"
set +e; wait "$SV"; RC=$?; set -e
cat "$WORK/out" | tail -n 20
expect_eq "exit status after SIGTERM" "$RC" 0
grep -q "stopping: draining in-flight chunks" "$WORK/out" || fail "no drain logged"

expect_eq "packets captured" "$(json 's["totals"]["packets"]')" $N
expect_eq "packets inspected" "$(json 'sum(d["packets"] for d in s["sensors"][0]["detectors"])')" $N
expect_eq "queues in stats.json" "$(json 'len(s["sensors"][0]["queues"])')" 2
expect_eq "sum of per-queue counts" "$(json 'sum(q["packets"] for q in s["sensors"][0]["queues"])')" $N
expect_eq "both queues received" "$(json 'all(q["packets"] > 0 for q in s["sensors"][0]["queues"])')" True
echo "per queue: $(json '[q["packets"] for q in s["sensors"][0]["queues"]]')"
expect_eq "drops" "$(json 's["totals"]["capture_drops"] + s["totals"]["delivery_drops"]')" 0
expect_eq "every chunk back on its free ring" \
    "$(json 'all(q["chunks_free"] == s["pool"]["chunks"] for q in s["sensors"][0]["queues"])')" True
expect_eq "mode" "$(json 's["mode"]')" live
expect_clean
