# no_hugepages.sh - without hugepages the sensor says so, says how to fix it,
# and exits 1 before DPDK starts; asking for more than is free does the same.
. "$(dirname "$0")/lib.sh"

"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 100 -f 10

# No hugetlbfs mounted: hide the mounts in a private mount namespace.
set +e
unshare -m sh -c '
    grep " hugetlbfs " /proc/mounts | while read -r _ dir _; do umount -l "$dir"; done
    exec "$0" "$@"' "$WS" --set eal.file_prefix="$PREFIX" -r "$WORK/t.pcap" -l "$WORK/log" \
    >"$WORK/out" 2>&1
RC=$?
set -e
cat "$WORK/out"
expect_eq "exit without hugetlbfs" "$RC" 1
grep -q "no hugetlbfs is mounted" "$WORK/out" || fail "message does not name the cause"
grep -q "make setup" "$WORK/out" || fail "message does not say how to fix it"
ok "missing hugetlbfs reported with the fix"

# More than the machine has free: a pool of 65536 x 4096 buffers.
run_ws -r "$WORK/t.pcap" -l "$WORK/log" --set pool.chunks=65536 --set pool.cells=4096
cat "$WORK/out"
expect_eq "exit with too few hugepages" "$RC" 1
grep -q "of hugepages are free, this instance needs" "$WORK/out" || fail "no clear message"
grep -q "nr_hugepages" "$WORK/out" || fail "message does not say how to fix it"
ok "too few hugepages reported with the fix"
expect_clean
