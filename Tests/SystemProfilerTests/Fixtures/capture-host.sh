#!/usr/bin/env bash
# capture-host.sh OUT — copies the kernel files the collectors read from this machine into
# OUT/t0 and OUT/t1, one second apart, with some CPU and disk work in between so the rates are
# not all zero. Used once to make host-2core/; kept to show where the bytes came from.
set -euo pipefail
out=$1
copy() {  # copy SRC DEST-ROOT
    mkdir -p "$2/$(dirname "$1")"
    cat "$1" > "$2/$1"
}
snapshot() {
    local root=$1
    for f in /proc/stat /proc/meminfo /proc/diskstats /proc/net/dev /proc/self/cgroup; do copy "$f" "$root"; done
    mv "$root/proc/self" "$root/proc/self.tmp" && mkdir -p "$root/proc/self" && mv "$root/proc/self.tmp/cgroup" "$root/proc/self/cgroup" && rmdir "$root/proc/self.tmp"
    local mem
    mem=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
    for f in /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpuacct/cpuacct.usage \
             "/sys/fs/cgroup/memory$mem/memory.usage_in_bytes" "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes" \
             "/sys/fs/cgroup/memory$mem/memory.stat"; do
        copy "$f" "$root"
    done
}
snapshot "$out/t0"
( end=$((SECONDS + 1)); while [ $SECONDS -lt $end ]; do :; done ) &
dd if=/dev/zero of=/var/tmp/capture-host.$$ bs=1M count=32 oflag=direct status=none
wait
rm -f /var/tmp/capture-host.$$
sleep 0.2
snapshot "$out/t1"
