#!/usr/bin/env python3
"""check_run.py - checks one offline run for the lossless-delivery invariants.

usage: check_run.py STATS_JSON EXPECTED_FLOWS FLOW_LOG...

- every packet delivered exactly once: queue totals, detector totals and the
  file's packet count agree, with zero drops of either kind;
- every chunk back on its queue's free ring at exit;
- every flow seen by exactly one detector, with exactly the packets and bytes
  the generator put in it (the flow logs are the detectors' own tables).
"""
import json
import sys
from collections import Counter

stats_path, expected_path, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
s = json.load(open(stats_path))
expected = {}
for line in open(expected_path):
    f = line.split()
    expected[" ".join(f[:5])] = (int(f[5]), int(f[6]))
want_packets = sum(p for p, _ in expected.values())
errors = []

def check(what, got, want):
    if got != want:
        errors.append(f"{what}: got {got}, want {want}")

t = s["totals"]
check("totals.packets", t["packets"], want_packets)
check("totals.capture_drops", t["capture_drops"], 0)
check("totals.delivery_drops", t["delivery_drops"], 0)
for sn in s["sensors"]:
    R = s["pool"]["chunks"]
    qs, ds = sn["queues"], sn["detectors"]
    check("sum of queue packets", sum(q["packets"] for q in qs), want_packets)
    check("sum of detector packets", sum(d["packets"] for d in ds), want_packets)
    check("sum of queue chunks vs detector chunks",
          sum(q["chunks"] for q in qs), sum(d["chunks"] for d in ds))
    for q in qs:
        check(f"queue {q['id']} chunks_free at exit", q["chunks_free"], R)
        check(f"queue {q['id']} chunks_in_use at exit", q["chunks_in_use"], 0)
        if q["pool_high_water"] > R:
            errors.append(f"queue {q['id']} high water {q['pool_high_water']} > R={R}")

seen = Counter()
got = {}
for log in logs:
    for line in open(log):
        f = line.split()
        key = " ".join(f[:5])
        seen[key] += 1
        got[key] = (int(f[5]), int(f[6]))
dups = [k for k, n in seen.items() if n > 1]
if dups:
    errors.append(f"{len(dups)} flows seen by more than one detector, e.g. {dups[0]}")
check("flows seen", len(got), len(expected))
wrong = [k for k in expected if got.get(k) != expected[k]]
if wrong:
    k = wrong[0]
    errors.append(f"{len(wrong)} flows with wrong counts, e.g. {k}: got {got.get(k)}, want {expected[k]}")

if errors:
    print("\n".join("FAIL: " + e for e in errors))
    sys.exit(1)
print(f"ok: {want_packets} packets over {len(expected)} flows delivered exactly once, "
      f"each flow seen by one detector, zero drops, all chunks free")
