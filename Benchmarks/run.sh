#!/usr/bin/env bash
# run.sh — trainscope's throughput against the C + PCRE2-JIT reference, measured in the same run.
#
#   bash Benchmarks/run.sh                          # 2,000,000 lines, 5 rounds (~5 min after the build)
#   LINES=20000 bash Benchmarks/run.sh              # quick check
#   TRAINSCOPE=.build/debug/trainscope bash Benchmarks/run.sh   # another binary (default: release)
#   SHARED=/path/to/shared ROUNDS=7 bash Benchmarks/run.sh
#
# Each round runs, one after the other: (1) the C reference pcre2_extract, (2) `trainscope extract`,
# (3) `trainscope run -- cat LOG`. Ratios are taken within a round, so a busy machine slows both
# sides of a ratio alike; the table gives medians over the rounds. BENCHMARKS.md explains the method.
# Everything generated goes to Benchmarks/out/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH

LINES=${LINES:-2000000}
ROUNDS=${ROUNDS:-5}
SEED=${SEED:-20240501}
SHARED=${SHARED:-$root/../shared}
bench=$SHARED/bench
out=$root/Benchmarks/out
mkdir -p "$out"

for f in gen_log.py pcre2_extract.c metric_definitions.json; do
    [ -e "$bench/$f" ] || { echo "run.sh: $bench/$f not found (set SHARED=path/to/shared)" >&2; exit 2; }
done

bash scripts/install-deps.sh time gcc libc6-dev

if [ -n "${TRAINSCOPE:-}" ]; then
    ts=$TRAINSCOPE
else
    ts=.build/release/trainscope
    if [ ! -x "$ts" ]; then
        echo "== swift build -c release --product trainscope"
        swift build -c release --product trainscope
    fi
fi
ts=$(cd "$(dirname "$ts")" && pwd)/$(basename "$ts")
[ -x "$ts" ] || { echo "run.sh: $ts is not an executable" >&2; exit 2; }

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

echo "== build the C reference and the job"
# DEFS.tsv exactly as shared/bench/run_all.sh makes it.
python3 - "$bench/metric_definitions.json" >"$out/defs.tsv" <<'EOF'
import json, sys
for d in json.load(open(sys.argv[1])):
    assert "\t" not in d["Regex"] and "\n" not in d["Regex"]
    print(d["Name"] + "\t" + d["Regex"])
EOF
if [ ! -x "$out/pcre2_extract" ] || [ "$bench/pcre2_extract.c" -nt "$out/pcre2_extract" ]; then
    gcc -O2 -march=native -o "$out/pcre2_extract" "$bench/pcre2_extract.c" -lpcre2-8
fi
job=$out/job.json
python3 - "$bench/metric_definitions.json" >"$job" <<'EOF'
import json, sys
definitions = json.load(open(sys.argv[1]))
print(json.dumps({
    "TrainingJobName": "trainscope-bench",
    "AlgorithmSpecification": {"TrainingImage": "trainscope-bench:latest", "TrainingInputMode": "File",
                               "MetricDefinitions": definitions},
    "RoleArn": "arn:aws:iam::123456789012:role/trainscope-bench",
    "OutputDataConfig": {"S3OutputPath": "s3://trainscope-bench/output"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
}, indent=2))
EOF
"$ts" validate --job "$job" >/dev/null

echo "== untimed pass: value counts (also warms the page cache)"
c_summary=$("$out/pcre2_extract" "$out/defs.tsv" "$log" | sed -n 1p)
c_pairs=$(sed -n 's/.* pairs=\([0-9]*\).*/\1/p' <<<"$c_summary")
expected=$("$ts" extract --job "$job" "$log" 2>"$out/extract.stderr" | wc -l)
echo "  C reference: $c_summary"
echo "  trainscope extract: $expected values (its notes on captures that are not numbers: $out/extract.stderr)"

# timed OUTFILE CMD...: wall seconds and peak RSS (KiB) of CMD, as "%e %M" in OUTFILE.
timed() {
    local file=$1
    shift
    /usr/bin/time -q -f '%e %M' -o "$file" "$@"
}

rounds=$out/rounds.tsv
printf 'round\twhat\twall_s\tmaxrss_kib\n' >"$rounds"
ml=$out/run-ml-root
for r in $(seq 1 "$ROUNDS"); do
    echo "== round $r/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))"
    timed "$out/t" "$out/pcre2_extract" "$out/defs.tsv" "$log" >/dev/null
    printf '%s\tc_ref\t%s\n' "$r" "$(tr ' ' '\t' <"$out/t")" >>"$rounds"

    timed "$out/t" "$ts" extract --job "$job" "$log" >/dev/null 2>"$out/extract.stderr"
    printf '%s\textract\t%s\n' "$r" "$(tr ' ' '\t' <"$out/t")" >>"$rounds"

    rm -rf "$ml" "$out/run.stdout"
    if ! timed "$out/t" "$ts" run --job "$job" --ml-root "$ml" --listen 127.0.0.1:0 -- cat "$log" \
        >"$out/run.stdout" 2>"$out/run.stderr"; then
        echo "run.sh: trainscope run failed (see $out/run.stderr)" >&2
        exit 1
    fi
    printf '%s\trun\t%s\n' "$r" "$(tr ' ' '\t' <"$out/t")" >>"$rounds"
    cmp "$log" "$out/run.stdout" || { echo "run.sh: trainscope run did not forward the log byte for byte" >&2; exit 1; }
    stored=$("$ts" metrics --db "$ml/trainscope.db" --format csv | tail -n +2 | wc -l)
    if [ "$stored" != "$expected" ]; then
        echo "run.sh: trainscope run stored $stored values, trainscope extract found $expected" >&2
        exit 1
    fi
    echo "  forwarded byte for byte; $stored values stored"
done
rm -rf "$ml" "$out/run.stdout" "$out/t"

echo
echo "== results ($LINES lines, $bytes bytes, $ROUNDS rounds; medians; MB = 10^6 bytes)"
python3 - "$rounds" "$LINES" "$expected" "$c_pairs" <<'EOF' | tee "$out/results.md"
import csv, statistics, sys
path, lines, values, c_pairs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = list(csv.DictReader(open(path), delimiter="\t"))
by = {}
for row in rows:
    by.setdefault(row["what"], {})[int(row["round"])] = (float(row["wall_s"]), int(row["maxrss_kib"]))
c = by["c_ref"]
def ratio(what):
    # trainscope lines/s ÷ C lines/s within each round = C seconds ÷ trainscope seconds.
    return statistics.median(c[r][0] / max(by[what][r][0], 1e-3) for r in by[what])
names = {
    "c_ref": "C reference: `pcre2_extract` (PCRE2 JIT, per line)",
    "extract": "`trainscope extract --job JOB LOG > /dev/null`",
    "run": "`trainscope run --job JOB -- cat LOG > OUT` (forward, spool, extract, store)",
}
print("| measurement | median wall s | lines/s | ratio to C (median) | peak RSS MB (median) |")
print("|---|---:|---:|---:|---:|")
for what in ("c_ref", "extract", "run"):
    wall = statistics.median(v[0] for v in by[what].values())
    rss = statistics.median(v[1] for v in by[what].values()) * 1024 / 1e6
    rate = lines / max(wall, 1e-3)
    r = "1" if what == "c_ref" else "%.2f" % ratio(what)
    print("| %s | %.3f | %s | %s | %.1f |" % (names[what], wall, format(round(rate), ","), r, rss))
print()
print("Values: trainscope extract %s, stored by trainscope run %s (equal in every round); "
      "the C reference parsed %s (it does not escape control bytes, see BENCHMARKS.md)."
      % (format(values, ","), format(values, ","), format(c_pairs, ",")))
EOF
echo "(per-round figures: $rounds)"
