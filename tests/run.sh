#!/bin/sh
# run.sh - runs WireSift's tests: every cmocka unit binary in build/tests and
# every end-to-end script in tests/e2e, each with a time limit, and ends with
# the line "N passed, M failed".  Usage: tests/run.sh [unit|e2e] [NAME...]
# BUILD (environment, default build) names the build directory whose unit
# binaries, sensor and tools are tested (build/asan: contrib/asan.sh).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD

kind=${1:-all}
[ $# -gt 0 ] && shift
only="$*"
passed=0; failed=0; failures=""
logdir=$BUILD/test-logs
mkdir -p "$logdir"

selected() {
    [ -z "$only" ] && return 0
    for o in $only; do [ "$o" = "$1" ] && return 0; done
    return 1
}

run_one() {   # name timeout command...
    name=$1; limit=$2; shift 2
    selected "$name" || return 0
    start=$(date +%s)
    if timeout -k 10 "$limit" "$@" >"$logdir/$name.log" 2>&1; then
        passed=$((passed + 1))
        echo "PASS $name ($(( $(date +%s) - start )) s)"
    else
        rc=$?
        failed=$((failed + 1))
        failures="$failures $name"
        echo "FAIL $name (exit $rc, $(( $(date +%s) - start )) s); last lines of $logdir/$name.log:"
        tail -n 30 "$logdir/$name.log" | sed 's/^/    /'
    fi
}

if [ "$kind" = all ] || [ "$kind" = unit ]; then
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        run_one "$(basename "$t")" 300 "$t"
    done
fi
if [ "$kind" = all ] || [ "$kind" = e2e ]; then
    for t in tests/e2e/*.sh; do
        case "$t" in */lib.sh|*_lib.sh) continue ;; esac
        run_one "$(basename "$t" .sh)" 300 sh "$t"
    done
fi
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
