# detect_rules.sh - detection end to end: 50 rules across the keyword
# families on a generated capture whose expected alert count per sid is
# known by construction; the alerts (eve.json and fast.log) must match those
# counts exactly, and be the same multiset with -w 1 and -w 4.
. "$(dirname "$0")/lib.sh"

python3 "$ROOT/tests/e2e/mkdetect.py" "$WORK"

run_w() {   # workers queues -> $WORK/log-W
    rm -rf "$WORK/log-$1"
    run_ws -r "$WORK/detect.pcap" -S "$WORK/detect.rules" -l "$WORK/log-$1" -w "$1" -q "$2"
    [ "$RC" = 0 ] || { cat "$WORK/out"; fail "-w $1 -q $2: exit $RC"; }
    grep -q "rules: 50 loaded, 0 rejected" "$WORK/out" || { cat "$WORK/out"; fail "rules not all loaded"; }
}

run_w 1 1
run_w 4 2

# sid counts from eve.json against the expectation
python3 - "$WORK/expected.tsv" "$WORK/log-1/eve.json" <<'PY' || fail "alert counts differ (-w 1)"
import json, sys
from collections import Counter
want = {int(a): int(b) for a, b in (l.split() for l in open(sys.argv[1]))}
got = Counter(json.loads(l)["alert"]["signature_id"] for l in open(sys.argv[2]))
bad = [(s, got.get(s, 0), n) for s, n in sorted(want.items()) if got.get(s, 0) != n]
extra = [s for s in got if s not in want]
for s, g, n in bad:
    print(f"sid {s}: {g} alerts, want {n}")
if extra:
    print("unexpected sids:", extra)
sys.exit(1 if bad or extra else 0)
PY
ok "every sid alerted exactly as often as expected ($(wc -l < "$WORK/log-1/eve.json") alerts)"

# same multiset of (sid, packet number) with 4 detectors
key() { python3 -c 'import json,sys; [print(j["alert"]["signature_id"], j["pcap_cnt"]) for j in map(json.loads, open(sys.argv[1]))]' "$1" | sort; }
key "$WORK/log-1/eve.json" > "$WORK/a1"
key "$WORK/log-4/eve.json" > "$WORK/a4"
cmp -s "$WORK/a1" "$WORK/a4" || { diff "$WORK/a1" "$WORK/a4" | head; fail "-w 4 alerts differ from -w 1"; }
ok "-w 4 -q 2 raised the same alerts as -w 1"

# fast.log carries the same alerts, one line each, in Snort's alert_fast form
expect_eq "fast.log lines" "$(wc -l < "$WORK/log-4/fast.log")" "$(wc -l < "$WORK/log-4/eve.json")"
grep -q '\[\*\*\] \[1:2001:1\] case 2001 \[\*\*\] \[Priority: 3\] {TCP} 10\.' "$WORK/log-1/fast.log" \
    || { head -3 "$WORK/log-1/fast.log"; fail "fast.log line format"; }
ok "fast.log lines in alert_fast form"
# EVE fields SIEM parsers rely on
python3 - "$WORK/log-4/eve.json" <<'PY' || fail "eve.json fields"
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    for k in ("timestamp", "flow_id", "pcap_cnt", "event_type", "src_ip", "src_port",
              "dest_ip", "dest_port", "proto"):
        assert k in j, k
    for k in ("action", "gid", "signature_id", "rev", "signature", "category", "severity"):
        assert k in j["alert"], k
    assert j["event_type"] == "alert"
PY
ok "eve.json objects carry the EVE alert fields"
STATS=$WORK/log-4/stats.json
expect_eq "alerts in stats.json" "$(json 's["totals"]["alerts"]')" "$(wc -l < "$WORK/log-4/eve.json")"
expect_clean
