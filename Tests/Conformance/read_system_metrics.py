#!/usr/bin/env python3
"""Reads a profiler directory written by `trainscope profile` with the real smdebug (1.0.34) and
prints what smdebug found, as JSON on stdout. Run it with the conformance venv's python
(scripts/python-venv.sh; the tests get it from TRAINSCOPE_CONFORMANCE_PYTHON).

    python read_system_metrics.py DIR [--via-profiler-trial] [--db FILE]

DIR is the profiler LocalPath (system/incremental/<YYYYMMDDHH>/<ts>.algo-<n>.json inside).
Default: smdebug.profiler.system_metrics_reader.LocalSystemMetricsReader(DIR).get_events over
every file; --via-profiler-trial: create_trial(DIR, profiler=True).get_system_metrics, the API
smdebug's profiler rules use (it always sleeps 10 s once), which also reports job_finished().

Output keys: files (as smdebug keyed them), events_total, counts_by_type_name_dimension
("Type|Name|Dimension": n), counts_by_node, min_timestamp, max_timestamp, trial_job_finished; with
--db, db_counts_by_type_name_dimension: the rows of trainscope's SQLite table system_sample per
series (Python's own sqlite3, read-only), to check that every sample was also stored.
Exit 0 ok, 2 when smdebug raised, 3 on timeout.

Adapted from shared/oracles/smdebug/read_system_metrics.py so the repository needs nothing beside it.
"""
import argparse
import json
import logging
import os
import signal
import sys
import tempfile
import traceback
from collections import Counter

# smdebug logs INFO to stdout on import; keep stdout for the JSON.
os.environ.setdefault("SMDEBUG_LOG_LEVEL", "error")
os.environ.setdefault("SMDEBUG_LOG_ALL_TO_STDOUT", "false")
# With TRAINING_JOB_NAME set, smdebug believes it runs inside SageMaker.
os.environ.pop("TRAINING_JOB_NAME", None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--via-profiler-trial", action="store_true")
    ap.add_argument("--db")
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()

    def on_alarm(signum, frame):
        sys.stderr.write(f"smdebug did not finish reading {args.dir} within {args.timeout} s\n")
        sys.exit(3)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.timeout)
    try:
        from smdebug.profiler.system_metrics_reader import LocalSystemMetricsReader
        from smdebug.profiler.utils import TimeUnits

        for name in ("smdebug", "smdebug.core", ""):
            logging.getLogger(name).setLevel(logging.ERROR)
        root = os.path.abspath(args.dir)
        out = {"dir": root}
        if args.via_profiler_trial:
            from smdebug.trials import create_trial

            trial = create_trial(root, profiler=True, output_dir=tempfile.mkdtemp(prefix="smdebug-rule-out-"))
            reader = trial.system_metrics_reader
            start = trial.first_timestamp
            end = reader.get_timestamp_of_latest_available_file() + 86400 * 10**6
            events = trial.get_system_metrics(start, end)
            out["trial_job_finished"] = bool(trial.job_finished())
        else:
            reader = LocalSystemMetricsReader(root)
            start = reader.get_timestamp_of_first_available_file()
            end = reader.get_timestamp_of_latest_available_file() + 86400 * 10**6
            events = reader.get_events(start, end, unit=TimeUnits.MICROSECONDS)
        out["files"] = [
            {"file": os.path.relpath(f, root), "file_timestamp_us": ts}
            for ts in sorted(reader._timestamp_to_filename)
            for f in reader._timestamp_to_filename[ts]
        ]
        by_key, by_node = Counter(), Counter()
        for e in events:
            by_key[f"{e.type}|{e.name}|{e.dimension}"] += 1
            by_node[e.node_id] += 1
        out["events_total"] = len(events)
        out["counts_by_type_name_dimension"] = dict(sorted(by_key.items()))
        out["counts_by_node"] = dict(sorted(by_node.items()))
        out["min_timestamp"] = min((e.timestamp for e in events), default=None)
        out["max_timestamp"] = max((e.timestamp for e in events), default=None)
        if args.db:
            import sqlite3

            db = sqlite3.connect(f"file:{os.path.abspath(args.db)}?mode=ro", uri=True)
            rows = db.execute(
                "SELECT r.type, r.name, r.dimension, COUNT(*) FROM system_series r "
                "JOIN system_sample s ON s.series_id = r.id GROUP BY r.id"
            ).fetchall()
            out["db_counts_by_type_name_dimension"] = dict(sorted((f"{t}|{n}|{d}", c) for t, n, d, c in rows))
        json.dump(out, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    except SystemExit:
        raise
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        return 2


if __name__ == "__main__":
    sys.exit(main())
