# quarantine.sh - a packet that crashes a detector is quarantined: the
# detector dies (abort on a chosen packet, the test hook debug.crash_packet),
# the supervisor respawns it, the successor writes that one packet to
# LOGDIR/quarantine.pcap with a line naming the rules generation, skips it
# and inspects the rest of the chunk: no crash loop, every other packet
# inspected exactly once.
. "$(dirname "$0")/lib.sh"
ulimit -c 0

"$TOOLS/genpcap" -o "$WORK/t.pcap" -n 20000 -f 200 -s 61
echo 'alert udp any any -> any any (msg:"udp"; sid:700001; rev:1;)' > "$WORK/r.rules"
run_ws -r "$WORK/t.pcap" -S "$WORK/r.rules" -l "$WORK/log" -q 1 -w 2 --set debug.crash_packet=5000
cat "$WORK/out" | grep -E "killed|quarantin|finished|respawn" || true
expect_eq "exit status" "$RC" 0
grep -q "was killed by signal 6" "$WORK/out" || fail "no detector died"
STATS=$WORK/log/stats.json
expect_eq "restarts" "$(json 'sum(d["restarts"] for d in s["sensors"][0]["detectors"])')" 1
expect_eq "packets quarantined" "$(json 'sum(d["packets_quarantined"] for d in s["sensors"][0]["detectors"])')" 1
expect_eq "packets inspected" "$(json 's["totals"]["inspected"]')" 19999
expect_eq "delivery drops" "$(json 's["totals"]["delivery_drops"]')" 0
expect_eq "chunks back" "$(json 'all(q["chunks_free"] == s["pool"]["chunks"] for q in s["sensors"][0]["queues"])')" True
python3 - "$WORK/t.pcap" "$WORK/log/quarantine.pcap" <<'PY' || fail "quarantine.pcap does not hold packet 5000"
import struct, sys
def packets(path):
    f = open(path, "rb"); f.read(24); out = []
    while True:
        h = f.read(16)
        if len(h) < 16: return out
        n = struct.unpack("<IIII", h)[2]; out.append(f.read(n))
src, q = packets(sys.argv[1]), packets(sys.argv[2])
assert len(q) == 1, f"{len(q)} packets in quarantine"
assert q[0] == src[4999], "quarantined bytes differ from packet 5000"
PY
ok "quarantine.pcap holds exactly packet 5000"
grep -q "died of signal 6 on packet 5000 .*rules generation 1" "$WORK/log/quarantine.log" \
    || { cat "$WORK/log/quarantine.log"; fail "quarantine.log line"; }
ok "quarantine.log names the packet and the rules generation"
expect_clean
