#!/usr/bin/env bash
# tail.sh — `trainscope tail` on a fast-growing file against `trainscope extract` on the same log,
# and the CPU an idle `tail` uses with 10 quiet files.
#
#   bash Benchmarks/tail.sh                         # 2,000,000 lines, 3 rounds, 2 × 60 s idle (~4 min)
#   LINES=20000 IDLE_SECONDS=5 bash Benchmarks/tail.sh   # quick check of the script
#   TRAINSCOPE=.build/debug/trainscope bash Benchmarks/tail.sh
#
# (a) Throughput, per round: `trainscope extract --job JOB LOG > /dev/null` is timed; then `trainscope
#     tail` is started on an empty file, and once it follows the file, `cat LOG >> FILE` appends the
#     whole log as fast as the disk takes it; the time runs from the start of the append until the
#     store has committed every value (`trainscope_store_samples_total` on /metrics, scraped every
#     20 ms). The ratio, within each round, is extract seconds ÷ tail seconds (tail throughput as a
#     share of extract's); the table gives medians. After each round the store is checked: as many
#     values as `extract` printed.
# (b) Idle: `tail` follows 10 files that hold a few lines and get no more; after it has read them,
#     utime+stime from /proc/PID/stat is read, then again IDLE_SECONDS later: CPU seconds ÷ wall
#     seconds, as a share of one core. Twice: with the job's system profiler on (the default), and
#     with ProfilerConfig.DisableProfiler, which leaves tail's own cost.
# Everything generated goes to Benchmarks/out/ (git-ignored); the log is the one run.sh generates.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH

LINES=${LINES:-2000000}
ROUNDS=${ROUNDS:-3}
SEED=${SEED:-20240501}
IDLE_SECONDS=${IDLE_SECONDS:-60}
SHARED=${SHARED:-$root/../shared}
bench=$SHARED/bench
out=$root/Benchmarks/out
mkdir -p "$out"
[ -e "$bench/gen_log.py" ] || { echo "tail.sh: $bench/gen_log.py not found (set SHARED=path/to/shared)" >&2; exit 2; }
command -v curl >/dev/null || bash scripts/install-deps.sh curl

if [ -n "${TRAINSCOPE:-}" ]; then
    ts=$TRAINSCOPE
else
    ts=.build/release/trainscope
    echo "== swift build -c release --product trainscope"
    # Others may be building in the same tree: SwiftPM waits for its lock, and a failed build is retried.
    for attempt in 1 2 3; do
        if swift build -c release --product trainscope 2>&1 | tail -n 3; then break; fi
        [ "$attempt" = 3 ] && { echo "tail.sh: release build failed" >&2; exit 1; }
        sleep 30
    done
fi
ts=$(cd "$(dirname "$ts")" && pwd)/$(basename "$ts")
[ -x "$ts" ] || { echo "tail.sh: $ts is not an executable" >&2; exit 2; }

echo "== machine: nproc=$(nproc), cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== trainscope: $ts ($("$ts" --version))"

log=$out/train-$LINES-$SEED.log
if [ ! -s "$log" ]; then
    echo "== generate $LINES lines (seed $SEED)"
    python3 "$bench/gen_log.py" -n "$LINES" --seed "$SEED" -o "$log.part"
    mv "$log.part" "$log"
fi
bytes=$(stat -c %s "$log")
echo "== log: $log ($LINES lines, $bytes bytes)"

job=$out/tail-job.json
python3 - "$bench/metric_definitions.json" >"$job" <<'EOF'
import json, sys
print(json.dumps({
    "TrainingJobName": "trainscope-tail-bench",
    "AlgorithmSpecification": {"TrainingImage": "trainscope-bench:latest", "TrainingInputMode": "File",
                               "MetricDefinitions": json.load(open(sys.argv[1]))},
    "RoleArn": "arn:aws:iam::123456789012:role/trainscope-bench",
    "OutputDataConfig": {"S3OutputPath": "s3://trainscope-bench/output"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
}, indent=2))
EOF

echo "== untimed pass: value count (also warms the page cache)"
expected=$("$ts" extract --job "$job" "$log" 2>/dev/null | wc -l)
echo "  trainscope extract: $expected values"

now() { date +%s.%N; }
# port_of STDERR_FILE: the port from "metrics at http://HOST:PORT/metrics".
port_of() { sed -n 's|.*metrics at http://[^ ]*:\([0-9]*\)/metrics.*|\1|p' "$1" | head -n 1; }
# scrape PORT NAME: the value of the series NAME (one series) on /metrics, or empty.
scrape() { curl -s --max-time 2 "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 ~ "^"n"({|$)" { print $2; exit }'; }
wait_for() {  # wait_for SECONDS CMD...: until CMD succeeds
    local deadline=$(( $(date +%s) + $1 )); shift
    until "$@"; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.02
    done
}
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }   # utime+stime
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

work=$out/tail-bench
rounds=$out/tail-rounds.tsv
printf 'round\textract_s\ttail_s\tappend_s\ttail_peak_rss_kib\n' >"$rounds"
for r in $(seq 1 "$ROUNDS"); do
    echo "== round $r/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))"
    t0=$(now)
    "$ts" extract --job "$job" "$log" >/dev/null 2>&1
    t1=$(now)
    extract_s=$(echo "$t1 - $t0" | bc -l)

    rm -rf "$work"; mkdir -p "$work"
    : >"$work/train.log"
    "$ts" tail --job "$job" --db "$work/store.db" --listen 127.0.0.1:0 "$work/train.log" 2>"$work/tail.stderr" &
    pid=$!
    wait_for 30 grep -q 'train.log: following (' "$work/tail.stderr" || { echo "tail.sh: tail did not start:" >&2; cat "$work/tail.stderr" >&2; exit 1; }
    port=$(port_of "$work/tail.stderr")
    caught_up() { local n; n=$(scrape "$port" trainscope_store_samples_total); [ "${n:-0}" -ge "$expected" ]; }
    t0=$(now)
    cat "$log" >>"$work/train.log"
    t_append=$(now)
    wait_for 600 caught_up || { echo "tail.sh: tail stored $(scrape "$port" trainscope_store_samples_total) of $expected values" >&2; exit 1; }
    t1=$(now)
    rss=$(hwm_kib "$pid")
    kill -TERM "$pid"
    wait "$pid" || { echo "tail.sh: tail exited $? after SIGTERM" >&2; exit 1; }
    stored=$("$ts" metrics --db "$work/store.db" --format csv | tail -n +2 | wc -l)
    [ "$stored" = "$expected" ] || { echo "tail.sh: tail stored $stored values, extract printed $expected" >&2; exit 1; }
    tail_s=$(echo "$t1 - $t0" | bc -l)
    append_s=$(echo "$t_append - $t0" | bc -l)
    printf '%s\t%.3f\t%.3f\t%.3f\t%s\n' "$r" "$extract_s" "$tail_s" "$append_s" "$rss" >>"$rounds"
    printf '  extract %.2f s, tail %.2f s (append %.2f s), ratio %.2f; %s values stored\n' \
        "$extract_s" "$tail_s" "$append_s" "$(echo "$extract_s / $tail_s" | bc -l)" "$stored"
done

# The same job without the system profiler (ProfilerConfig.DisableProfiler), to tell tail's own
# idle cost from the profiler's sampling (every 500 ms by default, on in the job above).
job_quiet=$out/tail-job-no-profiler.json
python3 -c 'import json, sys; job = json.load(open(sys.argv[1])); job["ProfilerConfig"] = {"DisableProfiler": True}; print(json.dumps(job, indent=2))' \
    "$job" >"$job_quiet"

# idle JOB: follows 10 quiet files with JOB; prints "ticks wall_s threads".
idle() {
    rm -rf "$work"; mkdir -p "$work/logs"
    for i in $(seq 1 10); do
        printf 'epoch=1 step=%d loss=0.5\n' 1 2 3 >"$work/logs/worker-$i.log"
    done
    "$ts" tail --job "$1" --db "$work/store.db" --listen 127.0.0.1:0 "$work/logs/*.log" 2>"$work/tail.stderr" &
    local pid=$!
    wait_for 30 grep -q 'metrics at' "$work/tail.stderr" || { echo "tail.sh: tail did not start" >&2; cat "$work/tail.stderr" >&2; exit 1; }
    port=$(port_of "$work/tail.stderr")
    idle_expected=$(cat "$work"/logs/*.log | "$ts" extract --job "$1" - 2>/dev/null | wc -l)
    read_all() { [ "$(scrape "$port" trainscope_store_samples_total)" = "$idle_expected" ]; }
    wait_for 30 read_all || { echo "tail.sh: idle tail did not read the 10 files" >&2; exit 1; }
    sleep 2   # let start-up settle
    local c0 c1 w0 w1 threads
    c0=$(cpu_ticks "$pid"); w0=$(now)
    sleep "$IDLE_SECONDS"
    c1=$(cpu_ticks "$pid"); w1=$(now)
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
    kill -TERM "$pid"; wait "$pid" || true
    echo "$((c1 - c0)) $(echo "$w1 - $w0" | bc -l) $threads"
}
hz=$(getconf CLK_TCK)
idle_out=$out/tail-idle.txt
echo "== idle: 10 quiet files, ${IDLE_SECONDS} s, system profiler on (the default)"
idle "$job" >"$idle_out"
read -r idle_ticks idle_wall idle_threads <"$idle_out"
printf '  %d ticks (1/%s s) in %.1f s: %.3f%% of one core (%s threads)\n' "$idle_ticks" "$hz" "$idle_wall" \
    "$(echo "100 * $idle_ticks / $hz / $idle_wall" | bc -l)" "$idle_threads"
echo "== idle: 10 quiet files, ${IDLE_SECONDS} s, ProfilerConfig.DisableProfiler"
idle "$job_quiet" >"$idle_out"
read -r quiet_ticks quiet_wall quiet_threads <"$idle_out"
printf '  %d ticks (1/%s s) in %.1f s: %.3f%% of one core (%s threads)\n' "$quiet_ticks" "$hz" "$quiet_wall" \
    "$(echo "100 * $quiet_ticks / $hz / $quiet_wall" | bc -l)" "$quiet_threads"

echo
echo "== results ($LINES lines, $bytes bytes, $expected values, $ROUNDS rounds; medians)"
python3 - "$rounds" "$LINES" "$hz" "$idle_ticks" "$idle_wall" "$quiet_ticks" "$quiet_wall" <<'EOF' | tee "$out/tail-results.md"
import csv, statistics, sys
path, lines, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ticks, idle_wall, quiet_ticks, quiet_wall = int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
rows = list(csv.DictReader(open(path), delimiter="\t"))
ex = statistics.median(float(r["extract_s"]) for r in rows)
tl = statistics.median(float(r["tail_s"]) for r in rows)
ap = statistics.median(float(r["append_s"]) for r in rows)
ratio = statistics.median(float(r["extract_s"]) / float(r["tail_s"]) for r in rows)
rss = statistics.median(int(r["tail_peak_rss_kib"]) for r in rows) * 1024 / 1e6
print("| measurement | median wall s | lines/s | ratio to extract (median) |")
print("|---|---:|---:|---:|")
print("| `trainscope extract --job JOB LOG > /dev/null` | %.3f | %s | 1 |" % (ex, format(round(lines / ex), ",")))
print("| `trainscope tail` while `cat LOG >> FILE` appends, until every value is committed | %.3f | %s | **%.2f** |"
      % (tl, format(round(lines / tl), ","), ratio))
print()
print("The append itself took %.2f s (median); tail's peak RSS was %.1f MB (median)." % (ap, rss))
print()
for what, t, w in (("system profiler on (default)", ticks, idle_wall), ("ProfilerConfig.DisableProfiler", quiet_ticks, quiet_wall)):
    print("Idle `tail` with 10 quiet files, %s: %d clock ticks (1/%d s) of CPU in %.1f s = **%.3f%%** of one core."
          % (what, t, hz, w, 100 * t / hz / w))
EOF
echo "(per-round figures: $rounds)"
