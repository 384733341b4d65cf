#!/usr/bin/env python3
"""check_syslog.py - compare what a syslog server received with eve.json.

usage: check_syslog.py EVE_JSON RECEIVED... [--facility N] [--format rfc5424|rfc3164]

Every alert in eve.json must have arrived exactly once, as a frame with the
expected PRI, version, app-name, structured data and Snort alert_syslog
message carrying the same gid:sid:rev, protocol and endpoints.
"""
import json
import re
import sys
from collections import Counter

args = sys.argv[1:]
facility, fmt = 21, "rfc5424"
if "--facility" in args:
    i = args.index("--facility"); facility = int(args[i + 1]); del args[i:i + 2]
if "--format" in args:
    i = args.index("--format"); fmt = args[i + 1]; del args[i:i + 2]
eve, received = args[0], args[1:]

def ep(ip, port, proto):
    if proto in ("TCP", "UDP"):
        return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
    return ip

want = Counter()
for line in open(eve):
    j = json.loads(line)
    a = j["alert"]
    sev = {1: 1, 2: 2, 3: 3}.get(a["severity"], 4)
    want[(facility * 8 + sev, a["gid"], a["signature_id"], a["rev"], j["proto"],
          ep(j["src_ip"], j.get("src_port"), j["proto"]),
          ep(j["dest_ip"], j.get("dest_port"), j["proto"]), a["signature"])] += 1

pat5424 = re.compile(r'^<(\d+)>1 \S+ \S+ (\S+) \S+ \S+ \[wiresift@32473 [^\]]*sid="(\d+)"[^\]]*\] (.*)$')
pat3164 = re.compile(r'^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ (\S+?)\[\d+\]: (.*)$')
msgpat = re.compile(r'^\[(\d+):(\d+):(\d+)\] (.*?) (?:\[Classification: [^\]]*\] )?\[Priority: \d+\] \{(\S+)\} (\S+) -> (\S+)$')
got = Counter()
bad = []
for path in received:
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        m = (pat5424 if fmt == "rfc5424" else pat3164).match(line)
        if not m:
            bad.append(line); continue
        pri, app, msg = (int(m.group(1)), m.group(2), m.group(4)) if fmt == "rfc5424" \
            else (int(m.group(1)), m.group(2), m.group(3))
        mm = msgpat.match(msg)
        if app != "wiresift" or not mm:
            bad.append(line); continue
        if fmt == "rfc5424" and m.group(3) != mm.group(2):
            bad.append(line); continue
        got[(pri, int(mm.group(1)), int(mm.group(2)), int(mm.group(3)), mm.group(5),
             mm.group(6), mm.group(7), mm.group(4))] += 1

errors = []
if bad:
    errors.append(f"{len(bad)} frames not in the expected form, e.g. {bad[0]!r}")
missing = want - got
extra = got - want
if missing:
    errors.append(f"{sum(missing.values())} alerts never arrived, e.g. {next(iter(missing))}")
if extra:
    errors.append(f"{sum(extra.values())} frames arrived more often than raised, e.g. {next(iter(extra))}")
if errors:
    print("\n".join("FAIL: " + e for e in errors)); sys.exit(1)
print(f"ok: all {sum(want.values())} alerts arrived exactly once, fields intact")
