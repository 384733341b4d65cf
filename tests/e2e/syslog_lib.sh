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
# Direct queues: a message is written by the thread that received it, so what
# rsyslogd took off a socket is in the file (as far as rsyslogd can promise).
main_queue(queue.type="Direct")
module(load="imudp")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="ws") {
    action(type="omfile" file="$1" template="raw")
}
input(type="imudp" address="127.0.0.1" port="$RS_UDP" ruleset="ws" rcvbufSize="16m")
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

# rs_quiet FILE: until FILE stops growing (300 ms unchanged, at most 10 s)
rs_quiet() {
    last=-1
    for i in $(seq 1 100); do
        n=$(cat "$1" 2>/dev/null | wc -l)
        [ "$n" = "$last" ] && return 0
        last=$n
        sleep 0.3
    done
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
