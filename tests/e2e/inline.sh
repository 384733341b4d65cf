# inline.sh - inline mode on two tap ports in a network namespace: a
# generated capture goes in on one port and comes out on the other with
# exactly the packets no drop rule matched, byte-identical and in per-flow
# order; a drop rule blocks its packet and the rest of its flow (EVE action
# "blocked"); reject sends a TCP RST in place of the packet (an ICMP port
# unreachable back to the sender for UDP); a bypass filter
# forwards its traffic uninspected.
. "$(dirname "$0")/lib.sh"

NETNS="wsns$$"
IN="wsi$$"
OUT="wso$$"
ip netns add "$NETNS"
ip netns exec "$NETNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1

python3 - "$WORK" "$ROOT/tests/e2e" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from pktlib import TcpFlow, eth, interleave, ip4, udp, write_pcap
flows = []
def conn(n, payloads):
    f = TcpFlow("10.1.0.%d" % n, "10.2.0.%d" % n, 40000 + n, 80)
    fr = f.handshake()
    for p in payloads:
        fr.append(f.pkt(True, "PA", p))
        fr.append(f.pkt(False, "A"))
    return fr
for n in range(1, 9):
    flows.append(conn(n, [b"hello %d" % n, b"more %d" % n, b"bye %d" % n]))
flows.append(conn(20, [b"ok", b"xx BLOCKME xx", b"after the block"]))
flows.append(conn(21, [b"ok", b"xx REJECTME xx", b"after the reject"]))
# a rejected UDP datagram: an ICMP port unreachable goes back to its sender
flows.append([eth(ip4("10.4.0.1", "10.4.0.2", 17, udp("10.4.0.1", "10.4.0.2", 7001, 9999, b"xx REJECTME xx")))])
# bypassed: UDP to port 5353 carrying BLOCKME is forwarded uninspected
flows.append([eth(ip4("10.3.0.1", "10.3.0.2", 17, udp("10.3.0.1", "10.3.0.2", 7000, 5353, b"BLOCKME")))])
write_pcap(sys.argv[1] + "/in.pcap", interleave(flows), step=1000)
PY

cat > "$WORK/inline.rules" <<'RULES'
drop tcp any any -> any 80 (msg:"block it"; content:"BLOCKME"; sid:910001; rev:1;)
reject tcp any any -> any 80 (msg:"reject it"; content:"REJECTME"; sid:910002; rev:1;)
drop udp any any -> any any (msg:"would block udp"; content:"BLOCKME"; sid:910003; rev:1;)
reject udp any any -> any 9999 (msg:"reject udp"; content:"REJECTME"; sid:910004; rev:1;)
RULES
mkdir -p "$WORK/log"
ip netns exec "$NETNS" "$WS" --set eal.file_prefix="$PREFIX" \
    --set "sensors.[0].input=net_tap0,iface=$IN" --set "sensors.[0].output=net_tap1,iface=$OUT" \
    --set 'sensors.[0].bypass=["udp any any any 5353"]' \
    -q 1 -w 2 -S "$WORK/inline.rules" -l "$WORK/log" >"$WORK/out" 2>&1 &
SV=$!
PIDS="$SV"
for i in $(seq 1 200); do grep -q "polling port" "$WORK/out" && break; sleep 0.05; done
grep -q "polling port" "$WORK/out" || { cat "$WORK/out"; fail "capture did not start"; }
ip netns exec "$NETNS" tcpdump -i "$OUT" -w "$WORK/out.pcap" -U -n >/dev/null 2>&1 &
TD=$!
PIDS="$PIDS $TD"
sleep 1
ip netns exec "$NETNS" python3 - "$WORK/in.pcap" "$IN" <<'PY'
import socket, struct, sys, time
f = open(sys.argv[1], "rb"); f.read(24)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[2], 0))
n = 0
while True:
    h = f.read(16)
    if len(h) < 16: break
    fr = f.read(struct.unpack("<IIII", h)[2])
    s.send(fr); n += 1
    time.sleep(0.0005)
print("sent", n)
PY
sleep 1.5
kill -TERM "$SV"
set +e; wait "$SV"; RC=$?; set -e
sleep 0.5
kill -INT "$TD" 2>/dev/null || true
wait "$TD" 2>/dev/null || true
cat "$WORK/out" | grep -E "inline|error" || true
expect_eq "exit status" "$RC" 0

python3 - "$WORK/in.pcap" "$WORK/out.pcap" <<'PY' || fail "output port traffic"
import struct, sys
def frames(path):
    f = open(path, "rb"); hdr = f.read(24); out = []
    while True:
        h = f.read(16)
        if len(h) < 16: return out
        out.append(f.read(struct.unpack("<IIII", h)[2]))
inp, got = frames(sys.argv[1]), frames(sys.argv[2])
def key(fr):
    return fr[26:34] if fr[26:30] < fr[30:34] else fr[30:34] + fr[26:30]
blocked = {b"\x0a\x01\x00\x14", b"\x0a\x01\x00\x15", b"\x0a\x04\x00\x01"}  # flows 20, 21, the UDP one
want, cut = [], set()
for fr in inp:
    src = fr[26:30]
    if src in blocked and (b"BLOCKME" in fr or b"REJECTME" in fr):
        cut.add(key(fr))
        continue
    if key(fr) in cut and fr[23] == 6:
        continue                                           # the rest of a blocked flow
    want.append(fr)
rst = [fr for fr in got if fr[23] == 6 and fr[47] & 0x04]
unreach = [fr for fr in got if fr[23] == 1 and fr[34] == 3]
plain = [fr for fr in got if not (fr[23] == 6 and fr[47] & 0x04) and not (fr[23] == 1 and fr[34] == 3)]
assert len(unreach) == 1, f"{len(unreach)} ICMP unreachables"
u = unreach[0]
assert u[30:34] == b"\x0a\x04\x00\x01" and u[35] == 3, "unreachable not to the UDP sender / not port unreachable"
assert u[42 + 12:42 + 16] == b"\x0a\x04\x00\x01", "unreachable does not quote the datagram"
def csum(b):
    b = b + b"\0" * (len(b) % 2)
    t = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return t
assert csum(u[14:34]) == 0xffff, "bad IP checksum on the unreachable"
assert csum(u[34:14 + int.from_bytes(u[16:18], "big")]) == 0xffff, "bad ICMP checksum"
assert len(rst) == 1, f"{len(rst)} RSTs"
assert rst[0][26:30] == b"\x0a\x01\x00\x15", "RST not for the rejected flow"
# per flow, the forwarded packets are exactly the expected ones in order
from collections import defaultdict
w, g = defaultdict(list), defaultdict(list)
for fr in want: w[key(fr)].append(fr)
for fr in plain: g[key(fr)].append(fr)
assert set(w) == set(g), (len(w), len(g))
for k in w:
    assert w[k] == g[k], f"flow {k.hex()}: {len(g[k])} frames out, {len(w[k])} expected"
print(f"ok: {len(plain)} frames forwarded byte-identical in per-flow order, 1 RST, 1 ICMP unreachable")
PY
STATS=$WORK/log/stats.json
expect_eq "bypassed" "$(json 's["sensors"][0]["queues"][0]["bypassed"]')" 1
expect_eq "rejects sent" "$(json 's["sensors"][0]["queues"][0]["rejects_sent"]')" 2
grep -q '"signature_id":910001' "$WORK/log/eve.json" || fail "no drop alert"
grep '"signature_id":910001' "$WORK/log/eve.json" | grep -q '"action":"blocked"' || fail "drop alert not blocked"
ok "drop alert shows action blocked"
expect_clean
