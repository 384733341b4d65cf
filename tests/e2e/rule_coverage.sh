# rule_coverage.sh - `wiresift -T` over the shared rule sets: at least 95% of
# ET Open (Snort 2.9) and of the Snort 2.9 community rules load, at least 90%
# of the Snort 3 community rules; every reject is a `file:line: sid N: reason`
# line and the last line counts them.  Skips when ../shared is absent.
. "$(dirname "$0")/lib.sh"

SETS=${RULESETS:-$ROOT/../shared/rulesets}
if [ ! -d "$SETS/et-open-snort29" ]; then
    echo "skip: no rule sets at $SETS"
    exit 0
fi

# check NAME MIN_PERCENT FILES...
check() {
    name=$1 min=$2
    shift 2
    args=""
    for f in "$@"; do args="$args -S $f"; done
    set +e
    # shellcheck disable=SC2086
    "$WS" -T $args >"$WORK/$name.txt" 2>&1
    rc=$?
    set -e
    last=$(tail -n 1 "$WORK/$name.txt")
    loaded=$(echo "$last" | sed -n 's/^rules: \([0-9]*\) loaded, \([0-9]*\) rejected$/\1/p')
    rejected=$(echo "$last" | sed -n 's/^rules: \([0-9]*\) loaded, \([0-9]*\) rejected$/\2/p')
    [ -n "$loaded" ] || { tail -5 "$WORK/$name.txt"; fail "$name: no summary line"; }
    if [ "$rejected" -gt 0 ]; then
        [ "$rc" != 0 ] || fail "$name: rejects but exit 0"
        n=$(grep -c '^[^ ]*:[0-9]*: sid [0-9?]*: ' "$WORK/$name.txt")
        expect_eq "$name reject lines" "$n" "$rejected"
    fi
    pct=$(python3 -c "print(f'{100 * $loaded / ($loaded + $rejected):.2f}')")
    python3 -c "import sys; sys.exit(0 if $pct >= $min else 1)" || fail "$name: $pct% loaded, want >= $min%"
    ok "$name: $loaded loaded, $rejected rejected ($pct%)"
}

check et-open 95 "$SETS"/et-open-snort29/*.rules
check snort2-community 95 "$SETS/snort2-community/community.enabled.rules"
check snort3-community 90 "$SETS/snort3-community/snort3-community.rules"
