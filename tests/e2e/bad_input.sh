# bad_input.sh - bad configuration, bad command lines and bad capture files
# each give a clear error naming what is wrong (file:line where there is one)
# and a non-zero exit, never a crash; a truncated capture is read up to the
# damage, reported, and still summarised.
. "$(dirname "$0")/lib.sh"

# expect_fail WANT_RC PATTERN ARGS...: run, check exit status and message
expect_fail() {
    want=$1 pattern=$2
    shift 2
    run_ws "$@"
    [ "$RC" = "$want" ] || { cat "$WORK/out"; fail "wiresift $*: exit $RC, want $want"; }
    grep -q -- "$pattern" "$WORK/out" || { cat "$WORK/out"; fail "wiresift $*: no '$pattern' in the output"; }
    ok "exit $want with '$pattern': wiresift $*"
}

printf 'pool = {\n  chunks = 1;\n};\n' > "$WORK/low.conf"
printf 'pool = {\n  chunks = 64;\n  colour = "red";\n};\n' > "$WORK/unknown.conf"
printf 'pool = {\n  chunks = 64\n' > "$WORK/syntax.conf"
printf 'sensors = ( { name = "a"; workers = "two"; } );\n' > "$WORK/type.conf"

expect_fail 2 "low.conf:2: setting 'pool.chunks'" -c "$WORK/low.conf" -T
expect_fail 2 "unknown.conf:3: setting 'pool.colour'" -c "$WORK/unknown.conf" -T
expect_fail 2 "syntax.conf:.*syntax error" -c "$WORK/syntax.conf" -T
expect_fail 2 "type.conf:1: setting 'sensors.\[0\].workers'" -c "$WORK/type.conf" -T
expect_fail 2 "no such file\|No such file\|cannot" -c "$WORK/missing.conf" -T
expect_fail 2 "\-\-set pool.cells" --set pool.cells=0 -T
expect_fail 2 "\-\-set offload.threshold" --set offload.threshold=1.5 -T
expect_fail 2 "expected KEY=VALUE" --set pool.cells -T
expect_fail 2 "usage:" --no-such-option
expect_fail 2 "\-k bogus" -k bogus -T
expect_fail 2 "nothing to capture" -l "$WORK/log"

# The shipped configuration is valid.
run_ws -c "$ROOT/conf/wiresift.conf" -T
expect_eq "conf/wiresift.conf -T" "$RC" 0

# Capture files: missing, not a capture, truncated.
expect_fail 2 "cannot read $WORK/nope.pcap" -r "$WORK/nope.pcap" -l "$WORK/log"
head -c 3000 /dev/urandom > "$WORK/junk.pcap"
expect_fail 2 "cannot read $WORK/junk.pcap" -r "$WORK/junk.pcap" -l "$WORK/log"
"$TOOLS/genpcap" -o "$WORK/cut.pcap" -n 2000 -f 50 --truncate-at 200000
expect_fail 1 "cut.pcap: after packet" -r "$WORK/cut.pcap" -l "$WORK/log"
grep -q "^wiresift: " "$WORK/out" || fail "no summary after a truncated file"
STATS=$WORK/log/stats.json
read_n=$(json 's["totals"]["packets"]')
[ "$read_n" -gt 0 ] && [ "$read_n" -lt 2000 ] || fail "truncated file: $read_n packets read"
expect_eq "input_error recorded" "$(json 's["input_error"] != ""')" True
expect_eq "packets read = packets inspected" "$(json 's["totals"]["inspected"]')" "$read_n"
expect_clean
