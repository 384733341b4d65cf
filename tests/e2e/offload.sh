# offload.sh - the buddy group: with offloading forced (threshold 0) new
# flows go to buddies, yet every flow keeps exactly one detector and the
# alerts are the same multiset as with one detector; two sensors in one
# configuration never exchange flows; an owner slot idle for longer than the
# flow timeout is re-homed.
. "$(dirname "$0")/lib.sh"

# 1. forced offload: same alerts as -w 1, flows owned once
python3 "$ROOT/tests/e2e/mkdetect.py" "$WORK"
run_ws -r "$WORK/detect.pcap" -S "$WORK/detect.rules" -l "$WORK/w1" -w 1 -q 1
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "-w 1 run"; }
run_ws -r "$WORK/detect.pcap" -S "$WORK/detect.rules" -l "$WORK/w3" -w 3 -q 1 \
    --set offload.threshold=0 --set debug.flow_log=true
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "forced offload run"; }
key() { python3 -c 'import json,sys; [print(j["alert"]["signature_id"], j["pcap_cnt"]) for j in map(json.loads, open(sys.argv[1]))]' "$1" | sort; }
key "$WORK/w1/eve.json" > "$WORK/a1"
key "$WORK/w3/eve.json" > "$WORK/a3"
[ -s "$WORK/a1" ] || fail "no alerts at all"
cmp -s "$WORK/a1" "$WORK/a3" || { diff "$WORK/a1" "$WORK/a3" | head; fail "offloaded run raised other alerts"; }
ok "forced offload (-q 1 -w 3, threshold 0): same $(wc -l < "$WORK/a1") alerts as -w 1"
STATS=$WORK/w3/stats.json
off=$(json 's["sensors"][0]["queues"][0]["flows_offloaded"]')
claimed=$(json 's["sensors"][0]["queues"][0]["flows_claimed"]')
[ "$off" -gt 0 ] && [ "$off" = "$claimed" ] || fail "flows offloaded $off of $claimed claimed"
expect_eq "flows offloaded in = out" \
    "$(json 'sum(d["flows_offloaded_in"] for d in s["sensors"][0]["detectors"])')" "$off"
expect_eq "home detector got no flows" "$(json 's["sensors"][0]["detectors"][0]["packets"]')" 0
dups=$(cat "$WORK"/w3/flows-default-*.tsv | awk '{print $1,$2,$3,$4,$5}' | sort | uniq -d | wc -l)
expect_eq "flows seen by two detectors" "$dups" 0

# 2. two sensors, each replaying its own capture, offloading forced
"$TOOLS/genpcap" -o "$WORK/ra.pcap" -n 20000 -f 200 -s 21 --flows-out "$WORK/ra.flows"
"$TOOLS/genpcap" -o "$WORK/rb.pcap" -n 20000 -f 200 -s 22 --flows-out "$WORK/rb.flows"
cat > "$WORK/two.conf" <<CONF
log_dir = "$WORK/two";
offload = { enabled = true; threshold = 0.0; };
debug = { flow_log = true; };
sensors = (
  { name = "a"; input = "replay:$WORK/ra.pcap"; queues = 2; workers = 2;
    replay = { rate = 50000; }; },
  { name = "b"; input = "replay:$WORK/rb.pcap"; queues = 1; workers = 3;
    replay = { rate = 50000; }; }
);
CONF
run_ws -c "$WORK/two.conf"
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "two-sensor run: exit $RC"; }
for s in a b; do
    cut -d' ' -f1-5 "$WORK/r$s.flows" | sort > "$WORK/want-$s"
    cat "$WORK"/two/flows-$s-*.tsv | cut -d' ' -f1-5 | sort > "$WORK/got-$s"
    # replay has live semantics: a flow whose every packet was dropped is
    # missing, so the check is "nothing but its own flows"
    foreign=$(sort -u "$WORK/got-$s" | comm -13 "$WORK/want-$s" - | wc -l)
    expect_eq "sensor $s: flows that are not its own" "$foreign" 0
    [ -z "$(uniq -d "$WORK/got-$s")" ] || fail "sensor $s: a flow reached two detectors"
    [ "$(wc -l < "$WORK/got-$s")" -gt 150 ] || fail "sensor $s: only $(wc -l < "$WORK/got-$s") flows inspected"
    ok "sensor $s: $(wc -l < "$WORK/got-$s") of its own flows, each on one detector"
done
STATS=$WORK/two/stats.json
expect_eq "replayed packets" "$(json 's["totals"]["packets"]')" 40000
expect_eq "packets inspected + dropped" \
    "$(json 'sum(d["packets"] for x in s["sensors"] for d in x["detectors"]) + s["totals"]["delivery_drops"]')" 40000

# 3. an idle slot is re-homed: one flow, silent for longer than the timeout
python3 - "$WORK/gap.pcap" <<'PY'
import struct, sys
def pkt(t):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    s = sum(struct.unpack("!10H", ip)); s = (s & 0xffff) + (s >> 16); s = ~s & 0xffff
    ip = ip[:10] + struct.pack("!H", s) + ip[12:]
    fr = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + struct.pack("!HHHH", 1000, 53, 8, 0)
    return struct.pack("<IIII", t, 0, len(fr), len(fr)) + fr
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for t in (100, 100, 101, 110, 110):   # 9 s of silence > flow.timeout 2 s
        f.write(pkt(t))
PY
run_ws -r "$WORK/gap.pcap" -l "$WORK/gap" -q 1 -w 3 --set offload.threshold=0 \
    --set flow.timeout=2 --set debug.flow_log=true
[ "$RC" = 0 ] || { cat "$WORK/out"; fail "gap run"; }
STATS=$WORK/gap/stats.json
expect_eq "slot claims for one flow with a long gap" "$(json 's["sensors"][0]["queues"][0]["flows_claimed"]')" 2
expect_eq "detectors that saw the flow" "$(cat "$WORK"/gap/flows-default-*.tsv | wc -l)" 2
expect_eq "packets before / after the gap" "$(cat "$WORK"/gap/flows-default-*.tsv | awk '{print $6}' | sort | tr '\n' ' ')" "2 3 "
expect_clean
