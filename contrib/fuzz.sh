#!/bin/sh
# fuzz.sh - builds the libFuzzer harnesses of tests/fuzz/ with clang into
# build/fuzz/ and runs each for SECONDS (default 60), starting from a copy of
# its seed corpus (build/fuzz/corpus-TARGET; tests/fuzz/corpus is never
# written).  Prints per target the executions, the coverage and whether a
# crash was found; exits 1 when any target found one (reproducers in
# build/fuzz/crashes/TARGET/, logs in build/fuzz/TARGET.log), 2 when a
# harness does not build.
#
# usage: contrib/fuzz.sh [SECONDS] [TARGET...]      (make fuzz FUZZ_SECONDS=600)
# environment:
#   FUZZ_JOBS   targets run at the same time (default 1)
#   FUZZ_ARGS   extra libFuzzer options for every run (e.g. -dict=..., -jobs=)
#   CLANG       the compiler (default clang)
#
# A target whose module sources are missing is skipped with a message (the
# stream and HTTP parsers were written at the same time as the harnesses);
# one whose sources exist but do not build is an error.
set -u
cd "$(dirname "$0")/.." || exit 2

# What libFuzzer needs: Debian 12's clang 14 and its compiler-rt (fuzzer,
# ASan and UBSan runtimes).  Kept apart from contrib/setup.sh: the sensor
# does not need them.
FUZZ_PKGS="clang libclang-rt-14-dev llvm"

SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-rule decode match stream http}
CLANG=${CLANG:-clang}
JOBS=${FUZZ_JOBS:-1}
OUT=build/fuzz
PKGS_CFLAGS=$(pkg-config --cflags libpcre2-8 libhs zlib 2>/dev/null)
CFLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
        -fno-sanitize-recover=all -D_GNU_SOURCE -I. $PKGS_CFLAGS"

case $SECONDS_EACH in
    ''|*[!0-9]*) echo "usage: contrib/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

# --- toolchain -------------------------------------------------------------
have_libfuzzer() {
    mkdir -p "$OUT"
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
        >"$OUT/probe.c"
    "$CLANG" -fsanitize=fuzzer,address,undefined -o "$OUT/probe" "$OUT/probe.c" \
        >/dev/null 2>&1
}
if ! have_libfuzzer; then
    echo "fuzz: clang with libFuzzer not found; installing $FUZZ_PKGS"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    # shellcheck disable=SC2086  # a package list
    $SUDO apt-get install -y $FUZZ_PKGS >/dev/null || {
        echo "fuzz: apt-get install $FUZZ_PKGS failed; install them and retry" >&2
        exit 2
    }
    have_libfuzzer || { echo "fuzz: $CLANG still cannot link -fsanitize=fuzzer" >&2; exit 2; }
fi

# --- targets ---------------------------------------------------------------
# target_info TARGET: sets SRCS (module sources, globs allowed), NEED (files
# that must exist), LIBS and MAXLEN (-max_len).
target_info() {
    case $1 in
    rule)   NEED="rules/ruleset.c rules/parse.c"
            SRCS="rules/*.c"; LIBS="-lpcre2-8"; MAXLEN=4096 ;;
    decode) NEED="detect/decode.c"
            SRCS="detect/decode*.c"; LIBS=""; MAXLEN=4096 ;;
    match)  NEED="detect/prefilter.c detect/match.c rules/ruleset.c detect/decode.c"
            SRCS="detect/decode*.c detect/match*.c detect/prefilter*.c rules/*.c"
            LIBS="-lhs -lpcre2-8 -lstdc++ -lm"; MAXLEN=2048 ;;
    stream) NEED="detect/stream.c detect/stream.h"
            SRCS="detect/stream.c"; LIBS=""; MAXLEN=16384 ;;
    http)   NEED="detect/http.c detect/http.h"
            # the parser's files; http_index.c maps rules to HTTP events
            # and needs the matcher, which this harness does not exercise
            SRCS=""
            for f in detect/http*.c; do
                [ "$f" = detect/http_index.c ] || SRCS="$SRCS $f"
            done
            LIBS="-lz"; MAXLEN=16384 ;;
    *)      return 1 ;;
    esac
}

mkdir -p "$OUT"
built=""; status=0
for t in $TARGETS; do
    if ! target_info "$t"; then
        echo "fuzz: unknown target '$t' (rule decode match stream http)" >&2
        exit 2
    fi
    missing=""
    for f in tests/fuzz/fuzz_$t.c $NEED; do [ -e "$f" ] || missing="$missing $f"; done
    if [ -n "$missing" ]; then
        echo "SKIP $t: missing$missing"
        continue
    fi
    # shellcheck disable=SC2086  # globs and flag lists are meant to split
    if ! "$CLANG" $CFLAGS -o "$OUT/fuzz_$t" "tests/fuzz/fuzz_$t.c" $SRCS $LIBS \
            >"$OUT/$t.build.log" 2>&1; then
        echo "BUILD FAILED $t (see $OUT/$t.build.log):"
        tail -n 15 "$OUT/$t.build.log" | sed 's/^/    /'
        status=2
        continue
    fi
    built="$built $t"
done
[ -z "$built" ] && { echo "fuzz: nothing to run"; exit "$status"; }

# --- runs ------------------------------------------------------------------
run_one() {   # TARGET: runs in the background; results in $OUT/TARGET.log
    t=$1
    target_info "$t"
    mkdir -p "$OUT/corpus-$t" "$OUT/crashes/$t"
    cp -n tests/fuzz/corpus/"$t"/* "$OUT/corpus-$t/" 2>/dev/null
    dict=""
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    # shellcheck disable=SC2086
    "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -max_len="$MAXLEN" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$OUT/crashes/$t/" $dict ${FUZZ_ARGS:-} \
        "$OUT/corpus-$t" >"$OUT/$t.log" 2>&1
    echo $? >"$OUT/$t.rc"
}

echo "fuzz: running$built for $SECONDS_EACH s each, $JOBS at a time"
running=0
for t in $built; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait
        running=0
    fi
done
wait

printf '%-8s %12s %8s %8s  %s\n' target executions cov ft result
for t in $built; do
    log=$OUT/$t.log
    rc=$(cat "$OUT/$t.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    if [ "$rc" -eq 0 ]; then
        result="no crash"
    else
        status=1
        art=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
        why=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz_[a-z]*: broken)' "$log")
        result="CRASH (exit $rc) ${art:-see $log}: $why"
    fi
    printf '%-8s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit "$status"
