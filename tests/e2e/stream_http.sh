# stream_http.sh - TCP reassembly and HTTP inspection end to end: signatures
# split across segments (in order, out of order, retransmitted) alert once
# per occurrence; no_stream and only_stream are honoured; each HTTP buffer
# (uri normalized and raw, method, header without cookies, cookie, client
# body, status code and message, file_data through chunked gzip and
# deflate, urilen, sticky buffers, pipelining, a header split across
# segments, HTTP on an odd port) decides by itself whether its rule alerts.
# Counts per sid are known by construction and must be the same for -w 1
# and -w 3.
. "$(dirname "$0")/lib.sh"

python3 "$ROOT/tests/e2e/mkstream.py" "$WORK"
for w in 1 3; do
    run_ws -r "$WORK/stream.pcap" -S "$WORK/stream.rules" -l "$WORK/log-$w" -w $w -q $w
    [ "$RC" = 0 ] || { cat "$WORK/out"; fail "-w $w: exit $RC"; }
    python3 - "$WORK/expected.tsv" "$WORK/log-$w/eve.json" <<'PY' || fail "alert counts (-w $w)"
import json, sys
from collections import Counter
want = {int(a): int(b) for a, b in (l.split() for l in open(sys.argv[1]))}
got = Counter(json.loads(l)["alert"]["signature_id"] for l in open(sys.argv[2]))
bad = [(s, got.get(s, 0), n) for s, n in sorted(want.items()) if got.get(s, 0) != n]
for s, g, n in bad:
    print(f"sid {s}: {g} alerts, want {n}")
sys.exit(1 if bad or set(got) - set(want) else 0)
PY
    ok "-w $w: every sid alerted exactly as expected ($(wc -l < "$WORK/log-$w/eve.json") alerts)"
done
STATS=$WORK/log-1/stats.json
[ "$(json 's["sensors"][0]["detectors"][0]["http"]["requests"]')" -gt 20 ] || fail "HTTP requests not counted"
[ "$(json 's["sensors"][0]["detectors"][0]["stream"]["bytes"]')" -gt 1000 ] || fail "stream bytes not counted"
ok "stream and HTTP counters in stats.json"
expect_clean
