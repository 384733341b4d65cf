#!/bin/sh
# demo.sh - `make run`: the sensor on a bundled example.  Generates a small
# capture (build/demo/demo.pcap, mixed TCP/UDP/ICMP over IPv4 and IPv6), reads
# it offline with the shipped configuration, and shows the summary, the
# alerts (fast.log) and where stats.json is.
set -eu
cd "$(dirname "$0")/.."
DEMO=build/demo
mkdir -p "$DEMO"
[ -f "$DEMO/demo.pcap" ] || build/tools/genpcap -o "$DEMO/demo.pcap" -n 20000 -f 200 -s 1
rm -rf "$DEMO/log"
echo "== wiresift -c conf/wiresift.conf -r $DEMO/demo.pcap -l $DEMO/log -q 2 -w 2"
build/wiresift -c conf/wiresift.conf -r "$DEMO/demo.pcap" -l "$DEMO/log" -q 2 -w 2 \
    --set eal.file_prefix=wiresift-demo 2>"$DEMO/wiresift.log"
echo
if [ -s "$DEMO/log/fast.log" ]; then
    echo "== alerts ($DEMO/log/fast.log)"
    cat "$DEMO/log/fast.log"
else
    echo "== alerts: none raised on this capture"
fi
echo "== process log: $DEMO/wiresift.log, counters: $DEMO/log/stats.json"
