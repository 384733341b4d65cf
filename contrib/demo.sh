#!/bin/sh
# demo.sh - `make run`: the sensor on a bundled example.  Generates a small
# capture of an office network with a few attacks in it (contrib/mkdemo.py),
# reads it offline with the shipped configuration and conf/rules/local.rules,
# and shows the alerts, the alerts by rule and the sensor's summary.
set -eu
cd "$(dirname "$0")/.."
DEMO=build/demo
mkdir -p "$DEMO"
[ -f "$DEMO/demo.pcap" ] || python3 contrib/mkdemo.py "$DEMO/demo.pcap"
rm -rf "$DEMO/log"
echo "== wiresift -c conf/wiresift.conf --var HOME_NET=192.168.1.0/24 -r $DEMO/demo.pcap -l $DEMO/log -q 2 -w 2"
build/wiresift -c conf/wiresift.conf --var HOME_NET=192.168.1.0/24 -r "$DEMO/demo.pcap" \
    -l "$DEMO/log" -q 2 -w 2 --set eal.file_prefix=wiresift-demo \
    >"$DEMO/summary.txt" 2>"$DEMO/wiresift.log" || { cat "$DEMO/wiresift.log"; exit 1; }
echo
if [ -s "$DEMO/log/fast.log" ]; then
    echo "== alerts ($DEMO/log/fast.log)"
    cat "$DEMO/log/fast.log"
    echo
    echo "== alerts by rule"
    sed -n 's/.*\[\*\*\] \(\[[0-9:]*\] .*\) \[\*\*\].*/\1/p' "$DEMO/log/fast.log" | sort | uniq -c | sort -rn
else
    echo "== alerts: none raised on this capture"
fi
cat "$DEMO/summary.txt"
echo "== process log: $DEMO/wiresift.log, alerts as EVE JSON: $DEMO/log/eve.json"
