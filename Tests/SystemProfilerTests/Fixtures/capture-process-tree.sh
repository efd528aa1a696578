#!/usr/bin/env bash
# capture-process-tree.sh OUT — copies /proc/<pid>/stat and /proc/<pid>/status of a small process
# tree made for the purpose (a bash with a CPU-burning subshell, which has a sleep child, and a
# plain sleep), plus one unrelated process (this script's shell), into OUT/t0 and OUT/t1, 0.5 s
# apart, and writes OUT/root-pid. The pids are the real ones of the capture.
set -euo pipefail
out=$1
bash -c '( sleep 30 & end=$((SECONDS + 3)); while [ $SECONDS -lt $end ]; do :; done ) & sleep 30 & wait' &
root=$!
sleep 0.5
tree() {  # the root and its descendants
    local pids=($root) i=0
    while [ $i -lt ${#pids[@]} ]; do
        for c in $(cat /proc/${pids[$i]}/task/*/children 2>/dev/null); do pids+=($c); done
        i=$((i + 1))
    done
    echo "${pids[@]}" $$
}
snapshot() {
    for pid in $(tree); do
        mkdir -p "$1/proc/$pid"
        cat /proc/$pid/stat > "$1/proc/$pid/stat"
        cat /proc/$pid/status > "$1/proc/$pid/status"
    done
}
snapshot "$out/t0"
sleep 0.5
snapshot "$out/t1"
echo $root > "$out/root-pid"
pkill -P $root || true
kill $root 2>/dev/null || true
wait $root 2>/dev/null || true
