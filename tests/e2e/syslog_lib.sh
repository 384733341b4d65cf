# syslog_lib.sh - a private rsyslogd for the syslog tests: listens on
# loopback UDP and TCP ports of its own, writes every message it receives,
# as received, to a file.  Sourced after lib.sh.

RS_UDP=$(( 20000 + $$ % 20000 ))
RS_TCP=$(( RS_UDP + 1 ))
RSD=$WORK/rsyslog

# rs_start OUTFILE: start rsyslogd writing what it receives to OUTFILE
rs_start() {
    mkdir -p "$RSD"
    cat > "$RSD/rsyslog.conf" <<CONF
global(workDirectory="$RSD" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="ws") {
    action(type="omfile" file="$1" template="raw")
}
input(type="imudp" address="127.0.0.1" port="$RS_UDP" ruleset="ws")
input(type="imtcp" address="127.0.0.1" port="$RS_TCP" ruleset="ws")
CONF
    rsyslogd -n -f "$RSD/rsyslog.conf" -i "$RSD/pid" >"$RSD/stderr" 2>&1 &
    RS_PID=$!
    PIDS="$PIDS $RS_PID"
    for i in $(seq 1 100); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2).close()" \
            "$RS_TCP" 2>/dev/null && return 0
        sleep 0.05
    done
    cat "$RSD/stderr"; fail "rsyslogd did not start listening"
}

rs_stop() {
    kill -TERM "$RS_PID" 2>/dev/null || true
    wait "$RS_PID" 2>/dev/null || true
}

# rs_wait FILE N: until FILE has N lines (10 s)
rs_wait() {
    for i in $(seq 1 200); do
        [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}
