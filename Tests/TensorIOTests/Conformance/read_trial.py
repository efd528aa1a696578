#!/usr/bin/env python3
"""Loads a trial directory with the real smdebug 1.0.34 create_trial and prints it as JSON.

Adapted from shared/oracles/smdebug/read_trial.py.
    python read_trial.py DIR [--timeout S]
Output keys: num_workers, workers, loaded_all_steps, collections, steps, steps_by_mode,
global_to_mode, tensor_names, values_by_worker {tensor: {step: {worker: value}}},
dtypes {tensor: numpy dtype name}, reductions {tensor: {step: {"abs_mean": v}}},
shapes {tensor: {step: dims}}, value_unavailable {tensor: [steps]}.
Exit 2 when smdebug raised, 3 when it hung.
"""
import argparse
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _smdebug_env  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--timeout", type=int, default=60)
    args = ap.parse_args()
    _smdebug_env.install_timeout(args.timeout, f"create_trial({args.dir!r})")
    try:
        import logging

        from smdebug.core.modes import ModeKeys
        from smdebug.exceptions import ShapeUnavailableForStep, TensorUnavailableForStep
        from smdebug.trials import create_trial

        for name in ("smdebug", ""):
            logging.getLogger(name).setLevel(logging.ERROR)
        trial = create_trial(args.dir)
        steps = trial.steps()
        out = {
            "num_workers": trial.num_workers,
            "workers": sorted(trial.workers()),
            "loaded_all_steps": trial.loaded_all_steps,
            "collections": {
                name: {"tensor_names": sorted(c.tensor_names), "include_regex": list(c.include_regex),
                       "save_histogram": c.save_histogram}
                for name, c in sorted(trial.collections().items())
            },
            "steps": steps,
            "steps_by_mode": {m.name: trial.steps(mode=m) for m in ModeKeys
                              if m != ModeKeys.GLOBAL and trial.steps(mode=m)},
            "global_to_mode": {str(s): [trial.mode(s).name, trial.mode_step(s)] for s in steps},
            "tensor_names": trial.tensor_names(),
            "values_by_worker": {},
            "dtypes": {},
            "reductions": {},
            "shapes": {},
            "value_unavailable": {},
        }
        for name in out["tensor_names"]:
            t = trial.tensor(name)
            for step in t.steps():
                try:
                    per_worker = {}
                    for w in t.workers(step):
                        v = t.value(step, worker=w)
                        per_worker[w] = _smdebug_env.to_jsonable(v)
                        out["dtypes"][name] = str(v.dtype)
                    out["values_by_worker"].setdefault(name, {})[str(step)] = per_worker
                except TensorUnavailableForStep:
                    out["value_unavailable"].setdefault(name, []).append(step)
                reds = t.reduction_values(step)
                if reds:
                    out["reductions"].setdefault(name, {})[str(step)] = {
                        ("abs_" if is_abs else "") + red: _smdebug_env.to_jsonable(val)
                        for (red, is_abs), val in sorted(reds.items())
                    }
                try:
                    out["shapes"].setdefault(name, {})[str(step)] = list(t.shape(step))
                except ShapeUnavailableForStep:
                    pass
        _smdebug_env.dump(out)
        return 0
    except SystemExit:
        raise
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        return 2


if __name__ == "__main__":
    sys.exit(main())
