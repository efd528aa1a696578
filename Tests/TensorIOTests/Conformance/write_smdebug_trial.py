#!/usr/bin/env python3
"""Writes a small trial directory with smdebug 1.0.34's OWN writer classes (FileWriter,
CollectionManager.export, training_has_ended), for trainscope's reader to read.

Adapted from shared/oracles/smdebug/write_tensors.py. Schedule (global step -> mode, mode step):
    0 TRAIN 0 | 1 TRAIN 1 | 2 TRAIN 2 | 3 EVAL 0 | 4 TRAIN 3 | 5 TRAIN 4

    python write_smdebug_trial.py OUT [--workers N] [--wall-time T] [--steps A:B]
                                      [--no-end-marker] [--no-collections] [--loss decreasing|increasing|nan]

--steps A:B writes only global steps A..B-1 (a second call adds more: a trial being written).
Prints {"expected_values": {tensor: {step: {worker: value}}}} as JSON.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _smdebug_env  # noqa: E402  (before smdebug)

import numpy as np  # noqa: E402

from smdebug.core.access_layer.utils import training_has_ended  # noqa: E402
from smdebug.core.collection import Collection  # noqa: E402
from smdebug.core.collection_manager import CollectionManager  # noqa: E402
from smdebug.core.modes import ModeKeys  # noqa: E402
from smdebug.core.reduction_config import ReductionConfig  # noqa: E402
from smdebug.core.reductions import get_numpy_reduction, get_reduction_tensor_name  # noqa: E402
from smdebug.core.save_config import SaveConfig  # noqa: E402
from smdebug.core.writer import FileWriter  # noqa: E402

SCHEDULE = [(0, ModeKeys.TRAIN, 0), (1, ModeKeys.TRAIN, 1), (2, ModeKeys.TRAIN, 2),
            (3, ModeKeys.EVAL, 0), (4, ModeKeys.TRAIN, 3), (5, ModeKeys.TRAIN, 4)]


LOSS = "decreasing"


def tensors_for(step, w, mode):
    loss = 0.75 + 0.01 * w if mode == ModeKeys.EVAL else 1.0 / (step + 1) + 0.01 * w
    if mode != ModeKeys.EVAL and LOSS == "increasing":
        loss = 1.0 + step + 0.01 * w
    elif mode != ModeKeys.EVAL and LOSS == "nan" and step == 4:
        loss = float("nan")
    return {
        "loss": np.array(loss, dtype=np.float32),  # 0-d
        "dense/weight": np.arange(6, dtype=np.float32).reshape(2, 3) * (step + 1) + w,
        "dense/bias": np.array([0.5, -0.5, 0.0], dtype=np.float64) * step,
        "gradients/dense/weight": np.full((2, 3), 1e-3 / (step + 1), dtype=np.float32),
        "labels": np.array([step % 3, (step + 1) % 3], dtype=np.int32),
        "global_step_counter": np.array([step], dtype=np.int64),
        "mask": np.array([[True, False], [step % 2 == 0, True]]),
        "half": np.array([0.5, -2.0, step], dtype=np.float16),
        "pixels": np.array([0, 255, step], dtype=np.uint8),
        "words": np.array(["alpha", "β", f"step{step}"]),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--wall-time", type=float, default=None)
    ap.add_argument("--steps", default=None, help="A:B, global steps A..B-1 only")
    ap.add_argument("--no-end-marker", action="store_true")
    ap.add_argument("--no-collections", action="store_true")
    ap.add_argument("--loss", choices=["decreasing", "increasing", "nan"], default="decreasing",
                    help="the TRAIN loss: 1/(step+1) (default), 1+step, or NaN at step 4 (rule inputs)")
    args = ap.parse_args()
    global LOSS
    LOSS = args.loss
    out_dir = os.path.abspath(args.out_dir)
    os.makedirs(out_dir, exist_ok=True)
    workers = [f"worker_{i}" for i in range(args.workers)]
    lo, hi = (0, len(SCHEDULE))
    if args.steps:
        lo, hi = (int(x) for x in args.steps.split(":"))

    expected = {}
    for w_idx, worker in enumerate(workers):
        for step, mode, mode_step in SCHEDULE:
            if not lo <= step < hi:
                continue
            writer = FileWriter(trial_dir=out_dir, step=step, worker=worker)
            tensors = tensors_for(step, w_idx, mode)
            for name, value in tensors.items():
                writer.write_tensor(tdata=value, tname=name, mode=mode, mode_step=mode_step,
                                    timestamp=args.wall_time)
                expected.setdefault(name, {}).setdefault(str(step), {})[worker] = \
                    _smdebug_env.to_jsonable(value)
            red_name = get_reduction_tensor_name("dense/weight", "mean", abs=True)
            red_val = np.array(get_numpy_reduction("mean", tensors["dense/weight"], abs=True), dtype=np.float32)
            writer.write_tensor(tdata=red_val, tname=red_name, mode=mode, mode_step=mode_step,
                                timestamp=args.wall_time)
            writer.write_shape("dense/activation", (4, 3), mode=mode, mode_step=mode_step)
            writer.close()

    if not args.no_collections:
        for worker in workers:
            cm = CollectionManager()
            losses = Collection("losses", include_regex=["loss"],
                                reduction_config=ReductionConfig(save_raw_tensor=True),
                                save_config=SaveConfig(save_interval=1))
            losses.add_tensor_name("loss")
            cm.add(losses)
            weights = Collection("weights", include_regex=[r"dense/weight$"],
                                 reduction_config=ReductionConfig(save_raw_tensor=True, abs_reductions=["mean"]))
            weights.add_tensor_name("dense/weight")
            cm.add(weights)
            cm.add(Collection("biases", include_regex=["bias"]))
            cm.add(Collection("labels", tensor_names=["labels"]))
            cm.set_num_workers(len(workers))
            cm.export(out_dir, f"{worker}_collections.json")

    if not args.no_end_marker:
        training_has_ended(out_dir)
    _smdebug_env.dump({"expected_values": expected})


if __name__ == "__main__":
    main()
