#!/usr/bin/env bash
# demo.sh — build trainscope (release) and run the demo training job, Examples/train.py, under it.
#
#   bash scripts/demo.sh
#   TRAINSCOPE_DEMO_PORT=9500 bash scripts/demo.sh              # serve /metrics on another port
#   TRAINSCOPE=.build/debug/trainscope bash scripts/demo.sh     # use this binary; no build
#
# Everything goes to demo-output/ (git-ignored), which is removed first. While the job runs, /metrics
# is scraped once and saved as demo-output/metrics.prom: what Prometheus would see.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH

port=${TRAINSCOPE_DEMO_PORT:-9478}
out=demo-output
url=http://127.0.0.1:$port/metrics

bash scripts/install-deps.sh

if [ -n "${TRAINSCOPE:-}" ]; then
    bin=$TRAINSCOPE
else
    echo "== swift build -c release --product trainscope (the first build takes a few minutes)"
    swift build -c release --product trainscope
    bin=.build/release/trainscope
fi

# Something already listening there would be scraped instead of this run (or make the run fail).
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: 127.0.0.1:$port is in use; pick another port: TRAINSCOPE_DEMO_PORT=9500 bash scripts/demo.sh" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out"

# One scrape a few seconds in, while the job trains (about 5 s). The port opens just after the
# start, so retry until it answers.
scrape() {
    sleep 3
    for _ in $(seq 1 40); do
        if curl -fsS --max-time 2 -o "$out/metrics.prom.part" "$url" 2>/dev/null; then
            mv "$out/metrics.prom.part" "$out/metrics.prom"
            return 0
        fi
        sleep 0.25
    done
    return 1
}
scrape &
scraper=$!

echo "== $bin run --job Examples/job.json --ml-root $out --listen 127.0.0.1:$port -- python3 Examples/train.py"
set +e
"$bin" run --job Examples/job.json --ml-root "$out" --listen "127.0.0.1:$port" -- python3 Examples/train.py
status=$?
set -e
# The endpoint closed with the run: a scraper still retrying has nothing left to scrape.
kill "$scraper" 2>/dev/null || true
wait "$scraper" 2>/dev/null || true
rm -f "$out/metrics.prom.part"

db=$out/trainscope.db
echo
echo "== where things are"
echo "  database         $db"
echo "  logs             $out/output/logs/stdout.log, $out/output/logs/stderr.log (each with a .idx time index)"
if [ -e "$out/metrics.prom" ]; then
    echo "  scraped metrics  $out/metrics.prom (GET $url during the run)"
else
    echo "  scraped metrics  none: $url did not answer during the run" >&2
fi
echo "  endpoint         $url (served while a run is going)"
echo "  time series      $out/metrics.csv (trainscope metrics --db $db)"
echo "  system profile   $out/output/profiler/system/incremental/ (smdebug's system-metric files)"
echo "  tensors          $out/output/tensors (smdebug trial: trainscope tensors dump $out/output/tensors)"
echo "  TensorBoard      $out/output/tensorboard (tensorboard --logdir $out/output/tensorboard)"
echo "  Grafana          Dashboards/trainscope-training-job.json (import it over a Prometheus that scrapes $url)"

if [ -e "$out/metrics.prom" ]; then
    echo
    echo "== last values as Prometheus saw them ($out/metrics.prom)"
    grep '^trainscope_training_metric{' "$out/metrics.prom" || true
    echo "   ... and the Debugger trial's scalars, as the hook saved them:"
    grep -E '^trainscope_trial_(scalar|last_step)\{' "$out/metrics.prom" || true
fi

echo
echo "== $bin tensors dump $out/output/tensors (first lines)"
"$bin" tensors dump "$out/output/tensors" | head -n 12 || true
echo
echo "== $bin describe --db $db"
"$bin" describe --db "$db"

echo
echo "== $bin metrics --db $db (first lines)"
"$bin" metrics --db "$db" >"$out/metrics.csv"
head -n 12 "$out/metrics.csv"
echo "... $(($(wc -l <"$out/metrics.csv") - 1)) values in all"

if [ "$status" != 0 ]; then
    echo "demo: the run exited with status $status" >&2
    exit "$status"
fi
if [ ! -e "$out/metrics.prom" ]; then
    echo "demo: the scrape of $url failed" >&2
    exit 1
fi
