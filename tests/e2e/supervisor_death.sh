# supervisor_death.sh - when the supervisor dies (SIGKILL, no chance to
# clean up), its children notice (parent-death signal) and exit instead of
# spinning on; starting the sensor again with the same file prefix needs no
# manual clean-up of hugepage files or runtime directories.
. "$(dirname "$0")/lib.sh"

"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 20000 -f 200 -s 71
mkdir -p "$WORK/log"
"$WS" --set eal.file_prefix="$PREFIX" --set "sensors.[0].input=replay:$WORK/t.pcap" \
    --set "sensors.[0].replay.loops=0" --set "sensors.[0].replay.rate=20000" \
    -q 2 -w 2 -l "$WORK/log" >"$WORK/out" 2>&1 &
SV=$!
PIDS="$SV"
for i in $(seq 1 100); do
    [ "$(pgrep -f -c -- "--file-prefix=$PREFIX")" -ge 4 ] && break
    sleep 0.1
done
children=$(pgrep -f -- "--role=.*--file-prefix=$PREFIX" | tr '\n' ' ')
[ -n "$children" ] || { cat "$WORK/out"; fail "children did not start"; }
PIDS="$PIDS $children"
sleep 1
kill -KILL "$SV"
ok "supervisor killed; children were: $children"
for i in $(seq 1 50); do
    left=$(pgrep -f -- "--role=.*--file-prefix=$PREFIX" || true)
    [ -z "$left" ] && break
    sleep 0.1
done
[ -z "$left" ] || fail "children still running 5 s after the supervisor died: $left"
ok "every child exited after the supervisor died"
ls /dev/hugepages/"$PREFIX"map_* >/dev/null 2>&1 && ok "stale hugepage files left by the dead instance (expected)"

# the same prefix again: the stale files are cleaned up, the run works
run_ws -r "$WORK/t.pcap" -l "$WORK/log2" -q 2 -w 2
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "restart with the same prefix failed"; }
STATS=$WORK/log2/stats.json
expect_eq "packets after the restart" "$(json 's["totals"]["inspected"]')" 20000
expect_clean
