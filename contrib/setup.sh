#!/bin/sh
# setup.sh - everything WireSift needs on a Debian 12 host, idempotent:
#   1. the Debian packages it builds and tests with (installed only if missing)
#   2. a mounted hugetlbfs and enough free 2 MiB hugepages (DPDK multi-process
#      cannot run without them)
# Run as root (`make setup`, `make run` and `make test` call it).
# WS_HUGEPAGES sets how many free 2 MiB pages to ensure (default 512 = 1 GiB).
set -eu

PKGS="build-essential pkg-config libdpdk-dev dpdk libhyperscan-dev libconfig-dev
libjemalloc-dev libcmocka-dev libpcap-dev libpcre2-dev zlib1g-dev iproute2 python3 util-linux
tcpdump rsyslog tmux systemd man-db groff-base"
NEED=${WS_HUGEPAGES:-512}
HP=/sys/kernel/mm/hugepages/hugepages-2048kB

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || die "packages missing:$missing; run as root, or: sudo apt-get install$missing"
    say "installing:$missing"
    apt-get update -qq || die "apt-get update failed (is a Debian mirror reachable?)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
        >/dev/null || die "apt-get install$missing failed"
fi

if ! grep -q ' hugetlbfs ' /proc/mounts; then
    [ "$(id -u)" = 0 ] || die "no hugetlbfs mounted; as root: mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages"
    mkdir -p /dev/hugepages
    mount -t hugetlbfs nodev /dev/hugepages || die "mount -t hugetlbfs nodev /dev/hugepages failed"
    say "mounted hugetlbfs on /dev/hugepages"
fi

[ -d "$HP" ] || die "this kernel has no 2 MiB hugepages ($HP missing); DPDK needs hugepages"
free=$(cat "$HP/free_hugepages")
if [ "$free" -lt "$NEED" ]; then
    [ "$(id -u)" = 0 ] || die "only $free free 2 MiB hugepages, need $NEED; as root: echo $NEED > /proc/sys/vm/nr_hugepages"
    total=$(cat "$HP/nr_hugepages")
    want=$((total + NEED - free))
    echo "$want" > /proc/sys/vm/nr_hugepages || true
    free=$(cat "$HP/free_hugepages")
    [ "$free" -ge "$NEED" ] || die "asked the kernel for $want hugepages but only $free are free (memory too fragmented or too small); free memory or reboot, then: echo $want > /proc/sys/vm/nr_hugepages"
    say "reserved hugepages: $free x 2 MiB free"
fi
say "ok: packages present, $free free 2 MiB hugepages"
