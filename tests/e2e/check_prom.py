#!/usr/bin/env python3
"""check_prom.py - a strict parser for the Prometheus text format 0.0.4, as
WireSift writes it.  usage: check_prom.py FILE  (prints NAME{LABELS} VALUE
lines it parsed as a dict repr on success, exits 1 on any violation).

Checks: every sample's family has one # HELP and one # TYPE before its first
sample; types are counter or gauge; counter names end in _total; metric and
label names are valid; label values are quoted; values are floats; no
family appears twice; no duplicate series."""
import re
import sys

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$')
LABEL = re.compile(r'^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"$')

help_, type_, series = {}, {}, {}
errors = []
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        name = line.split(" ", 3)[2]
        if name in help_:
            errors.append(f"{n}: second HELP for {name}")
        help_[name] = n
        continue
    if line.startswith("# TYPE "):
        _, _, name, t = line.split(" ", 3)
        if t not in ("counter", "gauge"):
            errors.append(f"{n}: type {t}")
        if name in type_:
            errors.append(f"{n}: second TYPE for {name}")
        if t == "counter" and not name.endswith("_total"):
            errors.append(f"{n}: counter {name} does not end in _total")
        type_[name] = t
        continue
    if not line or line.startswith("#"):
        errors.append(f"{n}: unexpected line {line!r}")
        continue
    m = SAMPLE.match(line)
    if not m:
        errors.append(f"{n}: bad sample {line!r}")
        continue
    name, labels, value = m.group(1), m.group(3) or "", m.group(4)
    if name not in type_ or name not in help_:
        errors.append(f"{n}: {name} has no HELP/TYPE before it")
    for lab in filter(None, labels.split(",")):
        if not LABEL.match(lab):
            errors.append(f"{n}: bad label {lab!r}")
    try:
        float(value)
    except ValueError:
        errors.append(f"{n}: value {value!r}")
    key = name + "{" + labels + "}"
    if key in series:
        errors.append(f"{n}: duplicate series {key}")
    series[key] = float(value)
if errors:
    print("\n".join(errors[:20]))
    sys.exit(1)
print(repr(series))
