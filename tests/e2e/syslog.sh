# syslog.sh - alerts over syslog to a real rsyslogd on loopback: over UDP
# and over TCP (RFC 6587 octet counting), RFC 5424 and RFC 3164 framing,
# every alert the sensor raised arrives exactly once with the right fields.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/syslog_lib.sh"

python3 "$ROOT/tests/e2e/mkdetect.py" "$WORK"
rs_start "$WORK/got.log"

# send PROTO PORT FORMAT LOGDIR: an offline run with syslog on
send() {
    run_ws -r "$WORK/detect.pcap" -S "$WORK/detect.rules" -l "$WORK/$4" -w 2 -q 2 \
        --set outputs.syslog.enabled=true --set "outputs.syslog.target=$1://127.0.0.1:$2" \
        --set "outputs.syslog.format=$3" --set outputs.syslog.facility=local5
    [ "$RC" = 0 ] || { cat "$WORK/out"; fail "$1 run: exit $RC"; }
}

for case in "udp $RS_UDP rfc5424" "tcp $RS_TCP rfc5424" "tcp $RS_TCP rfc3164"; do
    set -- $case
    : > "$WORK/got.log"
    send "$1" "$2" "$3" "log-$1-$3"
    n=$(wc -l < "$WORK/log-$1-$3/eve.json")
    [ "$n" -gt 100 ] || fail "only $n alerts raised"
    rs_wait "$WORK/got.log" "$n" || true
    rs_quiet "$WORK/got.log"      # anything beyond n would be a duplicate
    cp "$WORK/got.log" "$WORK/got-$1-$3.log"
    python3 "$ROOT/tests/e2e/check_syslog.py" "$WORK/log-$1-$3/eve.json" "$WORK/got-$1-$3.log" \
        --format "$3" || fail "$1 $3: syslog content"
    STATS=$WORK/log-$1-$3/stats.json
    expect_eq "$1 $3: syslog sent" "$(json 's["export"]["syslog"]["sent"]')" "$n"
    expect_eq "$1 $3: syslog dropped" "$(json 's["export"]["syslog"]["dropped"]')" 0
done
rs_stop
expect_clean
