# install.sh - `make install` into a staging root (DESTDIR): every file in
# its place with its mode; the installed wiresift.conf names its rules under
# /etc/wiresift and passes -T; a second install keeps a modified
# configuration and puts the shipped one next to it as .new; the unit passes
# `systemd-analyze verify` (with its programs and man pages found in the
# staging root); both man pages render with `man -l` without warnings and
# cover every option and setting; the hugepage helper is idempotent.
# Needs no DPDK; skips what needs systemd-analyze or man when missing.
. "$(dirname "$0")/lib.sh"

D=$WORK/root

# inst DESTDIR [VAR=VALUE...]: make install of this build into DESTDIR
inst() {
    dest=$1
    shift
    # MAKEFLAGS from an outer `make test` must not leak its variables in
    if ! MAKEFLAGS='' MAKELEVEL='' make --no-print-directory -C "$ROOT" install \
            BUILD="$BUILD_DIR" DESTDIR="$dest" PREFIX=/usr "$@" >"$WORK/install.out" 2>&1; then
        cat "$WORK/install.out"
        fail "make install DESTDIR=$dest $* failed"
    fi
}

# expect_file PATH MODE: a regular file with that octal mode
expect_file() {
    [ -f "$1" ] || fail "not installed: ${1#"$D"}"
    expect_eq "mode of ${1#"$D"}" "$(stat -c %a "$1")" "$2"
}

# --- 1. the tree --------------------------------------------------------
inst "$D"
expect_file "$D/usr/sbin/wiresift" 755
expect_file "$D/usr/lib/wiresift/wiresift-hugepages" 755
expect_file "$D/etc/wiresift/wiresift.conf" 644
expect_file "$D/etc/wiresift/rules/local.rules" 644
expect_file "$D/lib/systemd/system/wiresift.service" 644
expect_file "$D/usr/share/man/man8/wiresift.8.gz" 644
expect_file "$D/usr/share/man/man5/wiresift.conf.5.gz" 644
expect_file "$D/usr/share/doc/wiresift/README.md" 644
expect_file "$D/usr/share/doc/wiresift/operating.md" 644
cmp -s "$BUILD_DIR/wiresift" "$D/usr/sbin/wiresift" || fail "installed binary differs from $BUILD_DIR/wiresift"
cmp -s "$ROOT/conf/rules/local.rules" "$D/etc/wiresift/rules/local.rules" || fail "local.rules differs"
for page in man8/wiresift.8 man5/wiresift.conf.5; do
    gzip -dc "$D/usr/share/man/$page.gz" | cmp -s - "$ROOT/man/${page#man?/}" \
        || fail "$page.gz is not man/${page#man?/} gzipped"
done
ok "binary, rules and man pages are the tree's"
stray=$(cd "$D" && find . ! -type d | grep -v -e '^\./usr/sbin/' -e '^\./usr/lib/wiresift/' \
        -e '^\./etc/wiresift/' -e '^\./lib/systemd/system/' -e '^\./usr/share/man/man[58]/' \
        -e '^\./usr/share/doc/wiresift/' || true)
[ -z "$stray" ] || fail "files outside the expected directories: $stray"
leftover=$(find "$D" -name '*.tmp' -o -name '*.new')
[ -z "$leftover" ] || fail "a first install left $leftover"
ok "nothing else installed, no temporary or .new files"

# --- 2. the installed configuration -------------------------------------
grep -q '"/etc/wiresift/rules/local.rules"' "$D/etc/wiresift/wiresift.conf" \
    || fail "installed wiresift.conf does not name /etc/wiresift/rules/local.rules"
grep -q '"conf/' "$D/etc/wiresift/wiresift.conf" && fail "installed wiresift.conf still has a conf/ path"
grep -q '"conf/rules/local.rules"' "$ROOT/conf/wiresift.conf" || fail "the repository's wiresift.conf was changed"
ok "installed wiresift.conf names its rules under /etc/wiresift; the repository copy is untouched"

# -T of the installed binary and configuration, the rule path pointed into
# the staging root; it must load what the repository's copy loads.
set +e
"$D/usr/sbin/wiresift" -c "$D/etc/wiresift/wiresift.conf" -T \
    --set "sensors.[0].rule_files=$D/etc/wiresift/rules/local.rules" >"$WORK/t.out" 2>&1
RC=$?
(cd "$ROOT" && "$BUILD_DIR/wiresift" -c conf/wiresift.conf -T) >"$WORK/t-repo.out" 2>&1
set -e
[ "$RC" = 0 ] || { cat "$WORK/t.out"; fail "installed configuration -T: exit $RC"; }
expect_eq "installed -T rules line" "$(grep '^rules:' "$WORK/t.out")" "$(grep '^rules:' "$WORK/t-repo.out")"
if [ ! -e /etc/wiresift/rules/local.rules ]; then
    # without the override it looks in the real /etc/wiresift
    set +e
    "$D/usr/sbin/wiresift" -c "$D/etc/wiresift/wiresift.conf" -T >"$WORK/t2.out" 2>&1
    RC=$?
    set -e
    expect_eq "-T without the rule file in /etc/wiresift" "$RC" 2
    grep -q "/etc/wiresift/rules/local.rules" "$WORK/t2.out" || { cat "$WORK/t2.out"; fail "no mention of /etc/wiresift/rules/local.rules"; }
fi

# --- 3. reinstall: unchanged files stay, modified ones are kept ----------
inst "$D"
leftover=$(find "$D" -name '*.tmp' -o -name '*.new')
[ -z "$leftover" ] || fail "reinstalling over unchanged files left $leftover"
grep -q "wiresift.conf (unchanged)" "$WORK/install.out" || { cat "$WORK/install.out"; fail "no 'unchanged' note"; }
ok "a second install over unchanged files writes no .new"
cp "$D/etc/wiresift/wiresift.conf" "$WORK/shipped.conf"
echo '# site change' >> "$D/etc/wiresift/wiresift.conf"
echo 'alert tcp any any -> any 23 (msg:"site telnet"; sid:1999999; rev:1;)' >> "$D/etc/wiresift/rules/local.rules"
cp "$D/etc/wiresift/wiresift.conf" "$WORK/mine.conf"
cp "$D/etc/wiresift/rules/local.rules" "$WORK/mine.rules"
inst "$D"
cmp -s "$WORK/mine.conf" "$D/etc/wiresift/wiresift.conf" || fail "a reinstall overwrote a modified wiresift.conf"
cmp -s "$WORK/mine.rules" "$D/etc/wiresift/rules/local.rules" || fail "a reinstall overwrote a modified local.rules"
cmp -s "$WORK/shipped.conf" "$D/etc/wiresift/wiresift.conf.new" || fail "wiresift.conf.new is not the shipped configuration"
cmp -s "$ROOT/conf/rules/local.rules" "$D/etc/wiresift/rules/local.rules.new" || fail "local.rules.new is not the shipped rules"
grep -q "kept your $D/etc/wiresift/wiresift.conf; the shipped version is $D/etc/wiresift/wiresift.conf.new" \
    "$WORK/install.out" || { cat "$WORK/install.out"; fail "the reinstall did not say it kept wiresift.conf"; }
ok "a reinstall keeps modified configuration files and writes the shipped ones as .new"

# --- 4. the unit --------------------------------------------------------
U=$D/lib/systemd/system/wiresift.service
for line in 'Type=simple' 'ExecStartPre=+/usr/lib/wiresift/wiresift-hugepages' \
        'ExecStart=/usr/sbin/wiresift -c /etc/wiresift/wiresift.conf' \
        'ExecReload=/bin/kill -HUP $MAINPID' 'KillMode=mixed' 'Restart=on-failure' \
        'LimitMEMLOCK=infinity'; do
    grep -qxF "$line" "$U" || fail "wiresift.service lacks '$line'"
done
grep -q '^MemoryDenyWriteExecute=\|^PrivateDevices=' "$U" && fail "the unit sets an option that breaks DPDK or PCRE2's JIT"
ok "unit: simple service, hugepage helper, reload by SIGHUP, mixed kill mode"
inst "$WORK/root-local" PREFIX=/usr/local
grep -qxF 'ExecStart=/usr/local/sbin/wiresift -c /etc/wiresift/wiresift.conf' \
    "$WORK/root-local/lib/systemd/system/wiresift.service" || fail "PREFIX=/usr/local: unit ExecStart not rewritten"
grep -qxF 'ExecStartPre=+/usr/local/lib/wiresift/wiresift-hugepages' \
    "$WORK/root-local/lib/systemd/system/wiresift.service" || fail "PREFIX=/usr/local: unit ExecStartPre not rewritten"
[ -x "$WORK/root-local/usr/local/sbin/wiresift" ] || fail "PREFIX=/usr/local: no usr/local/sbin/wiresift"
ok "PREFIX=/usr/local: unit names /usr/local/sbin/wiresift and /usr/local/lib/wiresift"

if command -v systemd-analyze >/dev/null 2>&1; then
    # Verify the installed unit with its programs pointed into the staging
    # root, so that verify checks they exist and are executable, and with
    # MANPATH there, so that its Documentation= man pages are checked too.
    mkdir -p "$WORK/verify" "$WORK/noman"
    sed -e "s#/usr/sbin/wiresift#$D/usr/sbin/wiresift#" \
        -e "s#/usr/lib/wiresift/#$D/usr/lib/wiresift/#" "$U" > "$WORK/verify/wiresift.service"
    set +e
    MANPATH=$D/usr/share/man systemd-analyze verify "$WORK/verify/wiresift.service" >"$WORK/verify.out" 2>&1
    RC=$?
    set -e
    [ "$RC" = 0 ] && [ ! -s "$WORK/verify.out" ] || { cat "$WORK/verify.out"; fail "systemd-analyze verify: exit $RC"; }
    ok "systemd-analyze verify: clean"
    # the check is real: without the man pages it complains
    if ! man -w 8 wiresift >/dev/null 2>&1; then
        set +e
        MANPATH=$WORK/noman systemd-analyze verify "$WORK/verify/wiresift.service" >"$WORK/verify2.out" 2>&1
        set -e
        grep -q "wiresift(8)" "$WORK/verify2.out" || { cat "$WORK/verify2.out"; fail "verify did not miss the man page"; }
        ok "systemd-analyze verify notices missing man pages (so it checked them)"
    fi
else
    echo "skip: systemd-analyze not installed; unit not verified"
fi

# --- 5. man pages -------------------------------------------------------
if command -v man >/dev/null 2>&1; then
    for page in man8/wiresift.8.gz man5/wiresift.conf.5.gz; do
        set +e
        MANWIDTH=80 man --warnings -l "$D/usr/share/man/$page" >/dev/null 2>"$WORK/man.err"
        RC=$?
        set -e
        [ "$RC" = 0 ] && [ ! -s "$WORK/man.err" ] || { cat "$WORK/man.err"; fail "man -l $page: exit $RC or warnings"; }
        ok "man --warnings -l $page: no warnings"
    done
    # Every option of the usage text is in wiresift(8) ...
    MANWIDTH=200 man --nh --nj -l "$D/usr/share/man/man8/wiresift.8.gz" 2>/dev/null > "$WORK/man8.txt"
    opts=$("$D/usr/sbin/wiresift" --help | sed -n 's/^  \(-[-a-zA-Z]*\).*/\1/p')
    [ -n "$opts" ] || fail "no options in wiresift --help"
    for o in $opts; do
        grep -qe "^ *$o\b" "$WORK/man8.txt" || fail "wiresift(8) does not document $o"
    done
    ok "wiresift(8) documents every option of --help:" $opts
    # ... and every setting of the loader's tables is in wiresift.conf(5).
    MANWIDTH=200 man --nh --nj -l "$D/usr/share/man/man5/wiresift.conf.5.gz" 2>/dev/null > "$WORK/man5.txt"
    settings=$( (sed -n 's/.*R_[A-Z]*(ws_config_t, "\([^"]*\)".*/\1/p' "$ROOT/sensor/config.c"
                 sed -n -e 's/.*R_[A-Z]*(ws_sensor_conf_t, "\([^"]*\)".*/sensors.[i].\1/p' \
                        -e 's/.*{ \.path = "\([^"]*\)".*/sensors.[i].\1/p' "$ROOT/sensor/config.c") )
    n=0
    for s in $settings; do
        grep -qF "$s" "$WORK/man5.txt" || fail "wiresift.conf(5) does not document setting $s"
        n=$((n + 1))
    done
    [ "$n" -gt 40 ] || fail "only $n settings found in sensor/config.c"
    ok "wiresift.conf(5) documents all $n settings of sensor/config.c"
else
    echo "skip: man not installed; man pages not rendered"
fi

# --- 6. the operating guide names every metric family ----------------------
fams=$(grep -o '"wiresift_[a-z0-9_]*"' "$ROOT/sensor/metrics.c" | tr -d '"' | sort -u)
n=0
for f in $fams; do
    grep -qF "\`$f\`" "$D/usr/share/doc/wiresift/operating.md" || fail "docs/operating.md does not list metric $f"
    n=$((n + 1))
done
ok "docs/operating.md lists all $n metric families of sensor/metrics.c"

# --- 7. the hugepage helper ---------------------------------------------
H=$D/usr/lib/wiresift/wiresift-hugepages
sh -n "$H" || fail "wiresift-hugepages: syntax error"
set +e
WIRESIFT_HUGEPAGES=lots "$H" >"$WORK/hp.out" 2>&1
RC=$?
set -e
expect_eq "helper with WIRESIFT_HUGEPAGES=lots" "$RC" 1
grep -q "not a number" "$WORK/hp.out" || { cat "$WORK/hp.out"; fail "helper: no message for a bad value"; }
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
if [ "$(id -u)" = 0 ] && grep -q ' hugetlbfs ' /proc/mounts && [ -r "$NR" ] && [ "$(cat "$NR")" -ge 1 ]; then
    # A reservation of 1 page is already met: two runs must change nothing.
    before=$(cat "$NR")
    WIRESIFT_HUGEPAGES=1 "$H" >"$WORK/hp.out" 2>&1 || { cat "$WORK/hp.out"; fail "helper failed"; }
    WIRESIFT_HUGEPAGES=1 "$H" >>"$WORK/hp.out" 2>&1 || { cat "$WORK/hp.out"; fail "helper failed the second time"; }
    expect_eq "hugepages reserved after two helper runs" "$(cat "$NR")" "$before"
    [ "$(grep -c 'ok: ' "$WORK/hp.out")" = 2 ] || { cat "$WORK/hp.out"; fail "helper did not report ok twice"; }
    ok "hugepage helper is idempotent"
else
    echo "skip: not root or no hugepages; hugepage helper not run"
fi
