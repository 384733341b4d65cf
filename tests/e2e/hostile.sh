# hostile.sh - hostile traffic stays within the configured limits, with
# every eviction counted: a SYN flood of random tuples against flow.max, a
# flood of tiny out-of-order segments against stream.memcap_mb, and a flood
# of alerting packets against a syslog server that is not there (bounded
# queue, every alert accounted for).
. "$(dirname "$0")/lib.sh"

python3 - "$WORK" "$ROOT/tests/e2e" <<'PY'
import random, sys
sys.path.insert(0, sys.argv[2])
from pktlib import TcpFlow, eth, interleave, ip4, tcp, udp, write_pcap
out = sys.argv[1]
rnd = random.Random(7)
# 1. SYN flood: 60000 random tuples
frames = []
for i in range(60000):
    s = "10.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
    d = "172.16.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255))
    sp, dp = rnd.randrange(1024, 65535), rnd.choice([80, 443, 22, 25])
    frames.append(eth(ip4(s, d, 6, tcp(s, d, sp, dp, 0x02, rnd.randrange(1 << 32), 0))))
write_pcap(out + "/synflood.pcap", frames, step=10)
# 2. tiny out-of-order segments: 400 connections at once, each 300 one-byte
#    segments in random order, interleaved, so thousands of pieces are held
#    out of order at the same time until the memcap bites
flows = []
for c in range(400):
    f = TcpFlow("10.9.%d.%d" % (c // 250, c % 250 + 1), "10.8.0.1", 40000 + c, 80)
    frames = f.handshake()
    base = f.cseq
    segs = []
    for k in range(300):
        f.cseq = base + k
        segs.append(f.pkt(True, "PA", bytes([65 + k % 26])))
    rnd.shuffle(segs)
    flows.append(frames + segs)
write_pcap(out + "/tiny.pcap", interleave(flows), step=10)
# 3. alerting flood: 30000 UDP packets that all alert
frames = [eth(ip4("10.7.0.1", "10.7.0.2", 17, udp("10.7.0.1", "10.7.0.2", 5000 + i % 1000, 9999, b"ALERTME")))
          for i in range(30000)]
write_pcap(out + "/alerts.pcap", frames, step=10)
PY

# 1. SYN flood against flow.max
run_ws -r "$WORK/synflood.pcap" -l "$WORK/l1" -q 1 -w 2 --set flow.max=5000
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "syn flood run"; }
STATS=$WORK/l1/stats.json
expect_eq "flows kept within flow.max" "$(json 'all(d["flows"] <= 5000 for d in s["sensors"][0]["detectors"])')" True
evicted=$(json 'sum(d["flows_evicted"] for d in s["sensors"][0]["detectors"])')
created=$(json 'sum(d["flows_total"] for d in s["sensors"][0]["detectors"])')
kept=$(json 'sum(d["flows"] for d in s["sensors"][0]["detectors"])')
expect_eq "flows created = kept + evicted" "$created" "$((kept + evicted))"
[ "$evicted" -gt 40000 ] || fail "only $evicted evictions for 60000 tuples"
ok "SYN flood: $created flows, $evicted evicted, $kept kept"

# 2. tiny out-of-order segments against the stream memcap
echo 'alert tcp any any -> any 80 (msg:"stream"; flow:established,to_server; content:"ABCDEFGHIJKLMNOP"; sid:800002; rev:1;)' > "$WORK/s.rules"
run_ws -r "$WORK/tiny.pcap" -S "$WORK/s.rules" -l "$WORK/l2" -q 1 -w 1 --set stream.memcap_mb=1
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "tiny segments run"; }
STATS=$WORK/l2/stats.json
expect_eq "stream memory within the memcap" "$(json 's["sensors"][0]["detectors"][0]["stream"]["mem"] <= 1 << 20')" True
[ "$(json 's["sensors"][0]["detectors"][0]["stream"]["memcap_reclaims"]')" -gt 0 ] \
    || fail "the memcap was never hit (test too gentle)"
ok "tiny segments: memcap reclaims $(json 's["sensors"][0]["detectors"][0]["stream"]["memcap_reclaims"]'), memory $(json 's["sensors"][0]["detectors"][0]["stream"]["mem"]') bytes"
expect_eq "packets inspected" "$(json 's["totals"]["inspected"]')" "$(json 's["totals"]["packets"]')"

# 3. alert flood, syslog server absent: bounded queue, every alert counted
echo 'alert udp any any -> any 9999 (msg:"flood"; content:"ALERTME"; sid:800001; rev:1;)' > "$WORK/a.rules"
dead=$(( 40000 + $$ % 20000 ))
run_ws -r "$WORK/alerts.pcap" -S "$WORK/a.rules" -l "$WORK/l3" -q 1 -w 2 \
    --set outputs.syslog.enabled=true --set "outputs.syslog.target=tcp://127.0.0.1:$dead" \
    --set outputs.syslog.queue=1000
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "alert flood run"; }
STATS=$WORK/l3/stats.json
expect_eq "alerts raised" "$(json 's["totals"]["alerts"]')" 30000
expect_eq "alerts written to eve.json" "$(wc -l < "$WORK/l3/eve.json")" 30000
expect_eq "syslog: sent + dropped = raised" \
    "$(json 's["export"]["syslog"]["sent"] + s["export"]["syslog"]["dropped"]')" 30000
expect_eq "syslog sent to nobody" "$(json 's["export"]["syslog"]["sent"]')" 0
expect_eq "delivery drops" "$(json 's["totals"]["delivery_drops"]')" 0
expect_clean
