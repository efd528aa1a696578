#!/usr/bin/env bash
# Runs the demo job (Examples/train.py) and checks Examples/job.json against its stdout:
#   - every MetricDefinition yields at least one value, and no capture fails to parse;
#   - the training loss falls (mean of the last 10 train:loss values < mean of the first 10);
#   - where libpcre2-8 is installed, PCRE2 extracts exactly what Python `re` does.
# Usage: scripts/check_example.sh        (from anywhere; needs python3 only)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 Examples/train.py --step-delay 0 2>/dev/null | tee "$tmp/stdout.log" \
    | python3 scripts/reference_extract.py Examples/job.json /dev/stdin >"$tmp/values.jsonl" 2>"$tmp/failures.txt"

python3 - Examples/job.json "$tmp/values.jsonl" "$tmp/failures.txt" <<'PY'
import json, sys
job, values, failures = sys.argv[1:]
names = [d["Name"] for d in json.load(open(job))["AlgorithmSpecification"]["MetricDefinitions"]]
records = [json.loads(line) for line in open(values)]
counts = {n: 0 for n in names}
for r in records:
    counts[r["name"]] += 1
problems = ["%s: no value" % n for n, c in counts.items() if c == 0]
problems += ["reference_extract: " + line.strip() for line in open(failures) if line.strip()]
loss = [r["value"] for r in records if r["name"] == "train:loss"]
if len(loss) >= 20 and not sum(loss[-10:]) < sum(loss[:10]):
    problems.append("train:loss does not fall: first 10 %s, last 10 %s" % (loss[:10], loss[-10:]))
for n in names:
    print("%-22s %4d values" % (n, counts[n]))
if problems:
    print("\n".join("FAIL " + p for p in problems))
    sys.exit(1)
PY

if python3 -c 'import ctypes.util, sys; sys.exit(ctypes.util.find_library("pcre2-8") is None)'; then
    python3 scripts/pcre2_crosscheck.py Examples/job.json "$tmp/stdout.log" >"$tmp/pcre2.jsonl"
    cmp "$tmp/values.jsonl" "$tmp/pcre2.jsonl"
    echo "PCRE2 extracts the same $(wc -l <"$tmp/values.jsonl") values as Python re"
else
    echo "libpcre2-8 not found: PCRE2 cross-check skipped"
fi
echo "check_example: ok"
