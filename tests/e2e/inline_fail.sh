# inline_fail.sh - inline mode when detectors fall behind: with the only
# detector stopped (SIGSTOP) the pool runs dry; fail open forwards the
# packets that find no chunk uninspected, fail closed drops them; either way
# every packet is accounted for in stats.json.
. "$(dirname "$0")/lib.sh"

NETNS="wsns$$"
ip netns add "$NETNS"
ip netns exec "$NETNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1

# run MODE: 2000 frames through a sensor whose detector is stopped
run() {
    mode=$1 in="wi$1$$" out="wo$1$$"
    mkdir -p "$WORK/$mode"
    ip netns exec "$NETNS" "$WS" --set eal.file_prefix="$PREFIX-$mode" \
        --set "sensors.[0].input=net_tap0,iface=$in" --set "sensors.[0].output=net_tap1,iface=$out" \
        --set "sensors.[0].fail=$mode" --set pool.chunks=2 --set pool.cells=16 \
        -q 1 -w 1 -l "$WORK/$mode" >"$WORK/$mode.out" 2>&1 &
    SV=$!
    PIDS="$PIDS $SV"
    for i in $(seq 1 200); do grep -q "polling port" "$WORK/$mode.out" && break; sleep 0.05; done
    det=$(pgrep -f -- "--role=detect --id=0 .*--file-prefix=$PREFIX-$mode")
    [ -n "$det" ] || { cat "$WORK/$mode.out"; fail "$mode: no detector"; }
    ip netns exec "$NETNS" tcpdump -i "$out" -w "$WORK/$mode.pcap" -U -n >/dev/null 2>&1 &
    TD=$!
    PIDS="$PIDS $TD"
    sleep 1
    kill -STOP "$det"
    ip netns exec "$NETNS" "$TOOLS/sendpkts" -i "$in" -n 2000 -f 50 --rate 20000 >/dev/null
    sleep 0.5
    kill -CONT "$det"
    sleep 0.5
    kill -TERM "$SV"
    set +e; wait "$SV"; RC=$?; set -e
    sleep 0.3
    kill -INT "$TD" 2>/dev/null || true
    wait "$TD" 2>/dev/null || true
    expect_eq "$mode: exit status" "$RC" 0
    STATS=$WORK/$mode/stats.json
    OUTN=$(tcpdump -r "$WORK/$mode.pcap" -n 2>/dev/null | wc -l)
    Q='s["sensors"][0]["queues"][0]'
    expect_eq "$mode: captured" "$(json "$Q[\"packets\"]")" 2000
    expect_eq "$mode: forwarded + uninspected + policy drops = captured" \
        "$(json "$Q[\"forwarded\"] + $Q[\"forwarded_uninspected\"] + $Q[\"dropped_policy\"]")" 2000
    expect_eq "$mode: frames out = forwarded + uninspected" "$OUTN" \
        "$(json "$Q[\"forwarded\"] + $Q[\"forwarded_uninspected\"]")"
}

run open
[ "$(json "$Q[\"forwarded_uninspected\"]")" -gt 0 ] || fail "open: nothing forwarded uninspected"
expect_eq "open: policy drops" "$(json "$Q[\"dropped_policy\"]")" 0
expect_eq "open: every frame came out" "$OUTN" 2000
run closed
[ "$(json "$Q[\"dropped_policy\"]")" -gt 0 ] || fail "closed: nothing dropped by policy"
expect_eq "closed: nothing uninspected" "$(json "$Q[\"forwarded_uninspected\"]")" 0
ok "fail open forwards, fail closed drops, every packet counted"
for m in open closed; do
    ls /dev/hugepages/"$PREFIX-$m"map_* >/dev/null 2>&1 && fail "hugepage files of $m left"
    [ -e "/var/run/dpdk/$PREFIX-$m" ] && fail "runtime dir of $m left"
done
ok "no hugepage files or runtime directories left"
