#!/usr/bin/env bash
# profiler.sh — what the system profiler costs: `trainscope profile` at 100 ms for 60 s.
#
#   bash Benchmarks/profiler.sh                     # 60 s at 100 ms, release build
#   SECONDS_TO_RUN=10 bash Benchmarks/profiler.sh   # quick check
#   TRAINSCOPE=.build/debug/trainscope bash Benchmarks/profiler.sh
#   SCRAPE=1 bash Benchmarks/profiler.sh            # also scrape /metrics once a second
#
# Reports, from one run:
# - the sampler thread's own CPU time (CLOCK_THREAD_CPUTIME_ID, printed by `profile` at the end) as
#   a share of one core over the run: the loop that reads /proc, /sys and the cgroup files, computes
#   the records, writes the smdebug lines and queues the rows;
# - the whole process's CPU time (user + system from /usr/bin/time), which adds start-up, the
#   SQLite writer thread (one commit a second) and the idle HTTP server;
# - samples taken and late ticks, and the process's peak RSS.
# Everything generated goes to Benchmarks/out/profiler/ (git-ignored); the table is also written to
# Benchmarks/out/profiler/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH

run_seconds=${SECONDS_TO_RUN:-60}
interval_ms=${INTERVAL_MS:-100}
out=$(pwd)/Benchmarks/out/profiler
rm -rf "$out"
mkdir -p "$out"

bash scripts/install-deps.sh time curl

if [ -n "${TRAINSCOPE:-}" ]; then
    ts=$TRAINSCOPE
else
    echo "== swift build -c release --product trainscope"
    swift build -c release --product trainscope 2>&1 | tail -1
    ts=.build/release/trainscope
fi
ts=$(cd "$(dirname "$ts")" && pwd)/$(basename "$ts")

cat >"$out/job.json" <<JSON
{"TrainingJobName": "profiler-bench", "RoleArn": "arn:aws:iam::111122223333:role/R",
 "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": "img"},
 "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
 "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
 "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
 "ProfilerConfig": {"ProfilingIntervalInMilliseconds": $interval_ms}}
JSON

cores=$(nproc)
echo "== machine: nproc=$cores, cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== trainscope profile every $interval_ms ms for $run_seconds s"
/usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" \
    "$ts" profile --job "$out/job.json" --ml-root "$out/ml" --listen 127.0.0.1:0 --duration "$run_seconds" \
    2>"$out/stderr.log" &
pid=$!
if [ "${SCRAPE:-0}" = 1 ]; then
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's|.*metrics at http://[^:]*:\([0-9]*\)/metrics.*|\1|p' "$out/stderr.log" | head -1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    while kill -0 $pid 2>/dev/null; do curl -s "http://127.0.0.1:$port/metrics" >/dev/null || true; sleep 1; done &
fi
wait $pid
read -r wall user sys rss_kb <"$out/time.txt"
line=$(grep 'profiled ' "$out/stderr.log")
samples=$(sed -n 's/.*profiled \([0-9]*\) samples.*/\1/p' <<<"$line")
late=$(sed -n 's/.* \([0-9]*\) late ticks.*/\1/p' <<<"$line")
thread_cpu=$(sed -n 's/.*late ticks, \([0-9.]*\) s of CPU.*/\1/p' <<<"$line")
records=$(cat "$out"/ml/output/profiler/system/incremental/*/*.json | wc -l)

python3 - "$run_seconds" "$interval_ms" "$wall" "$user" "$sys" "$rss_kb" "$samples" "$late" "$thread_cpu" "$records" "$cores" >"$out/results.md" <<'PY'
import sys
run, interval, wall, user, sys_, rss_kb, samples, late, thread, records, cores = sys.argv[1:]
run, wall, user, sys_, thread = float(run), float(wall), float(user), float(sys_), float(thread)
samples, late, records, rss_kb = int(samples), int(late), int(records), int(rss_kb)
expected = int(run * 1000 // int(interval))
print(f"| measure ({cores} cores, {interval} ms for {run:g} s) | value |")
print("| --- | --- |")
print(f"| samples taken / slots | {samples} / {expected} |")
print(f"| late ticks | {late} |")
print(f"| smdebug records written | {records} |")
print(f"| sampler thread CPU | {thread:.3f} s = **{thread / run * 100:.2f}% of one core** |")
print(f"| sampler thread CPU per sample | {thread / max(1, samples) * 1e3:.3f} ms |")
print(f"| whole process CPU (user + sys) | {user + sys_:.2f} s = {(user + sys_) / wall * 100:.2f}% of one core over {wall:.2f} s |")
print(f"| peak RSS | {rss_kb / 1000:.1f} MB |")
PY
cat "$out/results.md"
