# lib.sh - shared by the end-to-end tests: a private work directory, a unique
# DPDK --file-prefix, clean-up of everything a test started, and checks.
# Each test is a POSIX sh script that sources this file.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# BUILD (environment, default build): the build directory under test, e.g.
# build/asan for the sanitizer build.  WS_BIN (environment, optional): the
# sensor command to run instead of $BUILD_DIR/wiresift (contrib/asan.sh
# points it at a wrapper that adds the EAL option ASan needs).
case ${BUILD:-build} in
    /*) BUILD_DIR=$BUILD ;;
    *)  BUILD_DIR=$ROOT/${BUILD:-build} ;;
esac
WS=${WS_BIN:-$BUILD_DIR/wiresift}
TOOLS=$BUILD_DIR/tools
TEST=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/ws-$TEST.XXXXXX")
PREFIX="wst-$TEST-$$"
PIDS=""
NETNS=""

cleanup() {
    for p in $PIDS; do kill -9 "$p" 2>/dev/null || true; done
    [ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null || true
    # $PREFIX and the $PREFIX-* instances a test may start (inline_fail.sh)
    rm -f /dev/hugepages/"$PREFIX"map_* /dev/hugepages/"$PREFIX"-*map_* 2>/dev/null || true
    rm -rf "/var/run/dpdk/$PREFIX" "/var/run/dpdk/$PREFIX"-* 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
ok()   { echo "ok: $*"; }

# run_ws ARGS...: the sensor with this test's prefix; sets RC, output in $WORK/out
run_ws() {
    set +e
    "$WS" --set eal.file_prefix="$PREFIX" "$@" >"$WORK/out" 2>&1
    RC=$?
    set -e
}

# json EXPR: evaluate a Python expression over stats.json (bound to s)
json() {
    python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$STATS"
}

# expect_eq WHAT GOT WANT
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
    ok "$1 = $3"
}

# Nothing of this instance may be left behind.
expect_clean() {
    ls /dev/hugepages/"$PREFIX"map_* >/dev/null 2>&1 && fail "hugepage files of $PREFIX left behind"
    [ -e "/var/run/dpdk/$PREFIX" ] && fail "runtime directory /var/run/dpdk/$PREFIX left behind"
    ok "no hugepage files or runtime directory left"
}
