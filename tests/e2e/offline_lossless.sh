# offline_lossless.sh - an offline run delivers every packet exactly once,
# every flow to exactly one detector, with zero drops and every chunk back on
# its free ring, for several queue/detector shapes, pool sizes and formats.
. "$(dirname "$0")/lib.sh"

"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 100000 -f 1000 -s 7 --flows-out "$WORK/t.flows"
"$TOOLS/genpcap" -o "$WORK/t.pcapng" -n 20000 -f 300 -s 8 --pcapng --flows-out "$WORK/ng.flows"
"$TOOLS/genpcap" -o "$WORK/sll.pcap" -n 20000 -f 300 -s 9 -l sll --flows-out "$WORK/sll.flows"

# shape: file flows queues workers [extra --set ...]
check_shape() {
    file=$1 flows=$2 q=$3 w=$4
    shift 4
    rm -rf "$WORK/log"
    run_ws -r "$WORK/$file" -l "$WORK/log" -q "$q" -w "$w" --set debug.flow_log=true "$@"
    [ "$RC" = 0 ] || { cat "$WORK/out"; fail "$file -q $q -w $w $*: exit $RC"; }
    grep -q "^wiresift: " "$WORK/out" || fail "no summary printed"
    STATS=$WORK/log/stats.json
    python3 "$ROOT/tests/e2e/check_run.py" "$STATS" "$WORK/$flows" "$WORK"/log/flows-*.tsv \
        || fail "$file -q $q -w $w $*"
    ok "$file -q $q -w $w $*"
    expect_clean
}

check_shape t.pcap t.flows 2 2
check_shape t.pcap t.flows 1 1
check_shape t.pcap t.flows 4 2
# A tiny pool makes the reader wait for chunks all the time: still lossless.
check_shape t.pcap t.flows 2 2 --set pool.chunks=4 --set pool.cells=16
check_shape t.pcapng ng.flows 2 2
check_shape sll.pcap sll.flows 2 2
