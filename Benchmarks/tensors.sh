#!/usr/bin/env bash
# tensors.sh — ingestion and writing of a 100 MB stream of float32 tensors: trainscope's ingestion API
# (`trainscope tensors serve`, release build; Examples/trainscope_client.py sends each step's arrays
# as one .npz request over HTTP) against smdebug 1.0.34's own writer (FileWriter, in-process, no
# HTTP) on the same tensors, in the same run. The client's encoding is inside the timing.
#
#   bash Benchmarks/tensors.sh            # writes Benchmarks/out/tensors/results.json and prints a table
#
# Two tensor mixes, each about 100 MB per run:
#   layers: per step 1 MiB + 512 KiB + 256 KiB + 4 KiB + a scalar (a small MLP's weights, bias, loss)
#   small:  per step 64 tensors of 16 KiB (many small layers)
# Every tensor is saved raw (HookParameters save_all, save_interval 1, no histograms), so both sides
# write the same records. Throughput is MB of tensor data per wall-clock second; peak RSS is the
# writing process's VmHWM (trainscope's server; the Python process that runs smdebug's writer).
# ROUNDS rounds (default 5) each run both sides, one after the other; the table gives medians: MB/s
# from the median time, and the median of the per-round speedups.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH
python=$(pwd)/$(bash scripts/python-venv.sh)
repeat=${ROUNDS:-5}
out=Benchmarks/out/tensors
rm -rf "$out"
mkdir -p "$out"

swift build -c release --product trainscope >&2
bin=$(swift build -c release --show-bin-path)/trainscope

cat > "$out/hook.json" <<'JSON'
{"HookParameters": {"save_all": "true", "save_interval": "1"},
 "CollectionConfigurations": [{"CollectionName": "all", "CollectionParameters": {"save_histogram": "false"}}]}
JSON

"$python" - "$bin" "$out" "$repeat" <<'PY'
import json, os, re, shutil, signal, statistics, subprocess, sys, time

bin_path, out, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(os.getcwd(), "Examples"))
from trainscope_client import TrainScopeClient  # noqa: E402

MIXES = {
    "layers": [262144, 131072, 65536, 1024, 1],
    "small": [4096] * 64,
}
TARGET = 100_000_000

SMDEBUG = r'''
import os, resource, sys, time
os.environ["SMDEBUG_LOG_LEVEL"] = "error"
import numpy as np
from smdebug.core.modes import ModeKeys
from smdebug.core.writer import FileWriter
sizes, steps, trial = eval(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(0)
arrays = [rng.standard_normal(n).astype(np.float32) for n in sizes]
start = time.perf_counter()
for step in range(steps):
    writer = FileWriter(trial_dir=trial, step=step, worker="worker_0")
    for i, a in enumerate(arrays):
        writer.write_tensor(tdata=a, tname=f"layer{i}/weight", mode=ModeKeys.TRAIN, mode_step=step)
    writer.close()
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
'''


def tree_bytes(path):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


def run_smdebug(sizes, steps, trial):
    shutil.rmtree(trial, ignore_errors=True)
    r = subprocess.run([sys.executable, "-c", SMDEBUG, repr(sizes), str(steps), trial], check=True,
                       capture_output=True, text=True)
    seconds, rss = r.stdout.split()
    return float(seconds), int(rss), tree_bytes(trial)


def vm_hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) * 1024


def run_trainscope(sizes, steps, trial, hook):
    import numpy as np
    shutil.rmtree(trial, ignore_errors=True)
    server = subprocess.Popen([bin_path, "tensors", "serve", "--dir", trial, "--listen", "127.0.0.1:0",
                               "--hook-config", hook], stderr=subprocess.PIPE, text=True)
    port = None
    for line in server.stderr:
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    rng = np.random.default_rng(0)
    arrays = {f"layer{i}/weight": rng.standard_normal(n).astype(np.float32) for i, n in enumerate(sizes)}
    client = TrainScopeClient(f"http://127.0.0.1:{port}", errors="raise")
    start = time.perf_counter()
    for step in range(steps):
        # One request per step: the step's arrays as an .npz body, built by the client inside the timing.
        answer = client.save(step, arrays, mode="TRAIN")
        assert len(answer["saved"]) == len(sizes), answer
    client.flush()
    seconds = time.perf_counter() - start
    rss = vm_hwm(server.pid)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    return seconds, rss, tree_bytes(trial)


results = {"target_bytes": TARGET, "rounds": repeat, "cpus": os.cpu_count(), "mixes": {}}
for name, sizes in MIXES.items():
    per_step = 4 * sum(sizes)
    steps = -(-TARGET // per_step)
    data = per_step * steps
    runs = {"smdebug": [], "trainscope": []}
    # Interleaved rounds: a busy moment on this shared machine slows both sides of a round's ratio.
    for _ in range(repeat):
        runs["smdebug"].append(run_smdebug(sizes, steps, f"{out}/smdebug-{name}"))
        runs["trainscope"].append(run_trainscope(sizes, steps, f"{out}/trainscope-{name}", f"{out}/hook.json"))
    summary = {}
    for side, rs in runs.items():
        seconds = statistics.median(r[0] for r in rs)
        summary[side] = {"median_seconds": round(seconds, 4), "mb_per_s": round(data / 1e6 / seconds, 1),
                         "best_mb_per_s": round(data / 1e6 / min(r[0] for r in rs), 1),
                         "peak_rss_mb": round(max(r[1] for r in rs) / 1e6, 1), "bytes_on_disk": rs[-1][2],
                         "all_seconds": [round(r[0], 4) for r in rs]}
    ratios = [a[0] / b[0] for a, b in zip(runs["smdebug"], runs["trainscope"])]
    results["mixes"][name] = {"tensors_per_step": len(sizes), "steps": steps, "tensor_bytes": data, **summary,
                              "speedup_median": round(statistics.median(ratios), 2),
                              "speedup_per_round": [round(r, 2) for r in ratios]}
with open(f"{out}/results.json", "w") as f:
    json.dump(results, f, indent=2)
print(f"{'mix':8} {'tensors':>8} {'MB':>6} | {'smdebug MB/s':>12} {'RSS MB':>7} | {'trainscope MB/s':>15} {'RSS MB':>7} | speedup")
for name, r in results["mixes"].items():
    print(f"{name:8} {r['tensors_per_step'] * r['steps']:>8} {r['tensor_bytes'] / 1e6:>6.1f} | "
          f"{r['smdebug']['mb_per_s']:>12} {r['smdebug']['peak_rss_mb']:>7} | "
          f"{r['trainscope']['mb_per_s']:>15} {r['trainscope']['peak_rss_mb']:>7} | {r['speedup_median']}x")
PY
