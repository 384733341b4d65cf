#!/bin/sh
# wiresift-hugepages - ExecStartPre of wiresift.service (installed as
# LIBEXECDIR/wiresift-hugepages): make sure DPDK finds hugepages before the
# sensor starts.  Idempotent, POSIX sh, needs only grep, mount and /proc.
#   1. if no hugetlbfs is mounted anywhere, mount one on /dev/hugepages
#      (WIRESIFT_HUGEPAGE_DIR);
#   2. if the kernel has fewer than WIRESIFT_HUGEPAGES 2 MiB pages reserved
#      (default 512 = 1 GiB), raise the reservation to that number.  It never
#      lowers a reservation, so running it again changes nothing.
#      WIRESIFT_HUGEPAGES=0 leaves the reservation alone (pages reserved on
#      the kernel command line, or 1 GiB pages).
# The sensor itself checks at start that enough pages are free for its pool
# sizes and says how many it needs (docs/operating.md: sizing), so this
# script only warns when the kernel could not reserve them all (fragmented
# memory): the sensor's own message is the precise one.
# Exit status: 0 ready (or warned), 1 a bad setting or a failed mount.
set -eu

PAGES=${WIRESIFT_HUGEPAGES:-512}
DIR=${WIRESIFT_HUGEPAGE_DIR:-/dev/hugepages}
HP=/sys/kernel/mm/hugepages/hugepages-2048kB

say() { echo "wiresift-hugepages: $*"; }
die() { echo "wiresift-hugepages: error: $*" >&2; exit 1; }

case $PAGES in
    ''|*[!0-9]*) die "WIRESIFT_HUGEPAGES='$PAGES' is not a number of 2 MiB pages" ;;
esac

# 1. a hugetlbfs mount (systemd's dev-hugepages.mount normally provides it)
if grep -q ' hugetlbfs ' /proc/mounts; then
    where=$(grep ' hugetlbfs ' /proc/mounts | while read -r _ dir _; do printf '%s ' "$dir"; done)
    say "hugetlbfs mounted on ${where% }"
else
    mkdir -p "$DIR" || die "mkdir -p $DIR failed"
    mount -t hugetlbfs -o pagesize=2M nodev "$DIR" || die "mount -t hugetlbfs -o pagesize=2M nodev $DIR failed"
    say "mounted hugetlbfs on $DIR"
fi

# 2. the reservation
[ -d "$HP" ] || die "this kernel has no 2 MiB hugepages ($HP is missing); DPDK needs hugepages"
if [ "$PAGES" -eq 0 ]; then
    say "WIRESIFT_HUGEPAGES=0: reservation left alone ($(cat "$HP/nr_hugepages") x 2 MiB reserved, $(cat "$HP/free_hugepages") free)"
    exit 0
fi
have=$(cat "$HP/nr_hugepages")
if [ "$have" -lt "$PAGES" ]; then
    # the per-size file, not /proc/sys/vm/nr_hugepages: that one counts pages
    # of the default size, which is 1 GiB on hosts booted with
    # default_hugepagesz=1G
    echo "$PAGES" > "$HP/nr_hugepages" 2>/dev/null || die "cannot write $HP/nr_hugepages (not root?)"
    have=$(cat "$HP/nr_hugepages")
    if [ "$have" -lt "$PAGES" ]; then
        say "warning: asked the kernel for $PAGES x 2 MiB hugepages, it reserved $have (memory too fragmented or too small); reserve them at boot (hugepages=$PAGES on the kernel command line) or free memory"
    else
        say "reserved $have x 2 MiB hugepages"
    fi
fi
say "ok: $have x 2 MiB hugepages reserved, $(cat "$HP/free_hugepages") free"
