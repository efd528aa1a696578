#!/usr/bin/env python3
"""Runs a debug rule through smdebug 1.0.34's own rule framework (Rule, invoke_rule,
RuleEvaluationConditionMet) over a trial, and prints the outcome as SageMaker reports it.

Adapted from shared/oracles/smdebug/run_rule.py (tensor mode). smdebug ships no built-in rule
implementations, so LossNotDecreasing and ExplodingTensor are written from the AWS parameter docs:
"what the documented algorithm says", checked here through smdebug's trial API and rule loop.

    python run_debug_rule.py DIR --rule LossNotDecreasing|ExplodingTensor [key=value ...]

Prints {"status": ..., "step": ..., "status_details": ...}.
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _smdebug_env  # noqa: E402  (before smdebug)

import numpy as np  # noqa: E402

from smdebug.core.modes import ModeKeys  # noqa: E402
from smdebug.exceptions import NoMoreData, RuleEvaluationConditionMet, TensorUnavailableForStep  # noqa: E402
from smdebug.rules import Rule, invoke_rule  # noqa: E402
from smdebug.trials import create_trial  # noqa: E402


def _bool(s):
    return str(s).strip().lower() in ("1", "true", "yes")


def _list(s):
    if s is None or s == "None" or s == "":
        return []
    return [x.strip() for x in str(s).split(",") if x.strip()]


def _select(trial, collection_names, tensor_regex):
    names = set()
    for c in collection_names:
        if c in trial.collections():
            names.update(trial.tensor_names(collection=c))
    if tensor_regex:
        names.update(trial.tensor_names(regex=tensor_regex))
    return sorted(names)


class LossNotDecreasing(Rule):
    def __init__(self, base_trial, collection_names=None, tensor_regex=None,
                 use_losses_collection="True", num_steps="10", diff_percent="0.0", mode=None):
        super().__init__(base_trial, action_str="")
        self.rule_name = "LossNotDecreasing"
        self.collection_names = _list(collection_names)
        self.tensor_regex = _list(tensor_regex)
        if _bool(use_losses_collection) and "losses" in base_trial.collections():
            self.collection_names.append("losses")
        self.num_steps = int(num_steps)
        self.diff_percent = float(diff_percent)
        if mode in (None, "", "None"):
            avail = [m for m in (ModeKeys.EVAL, ModeKeys.TRAIN) if base_trial.steps(mode=m)]
            self.mode = avail[0] if avail else ModeKeys.GLOBAL
        else:
            self.mode = ModeKeys[mode]
        self.last_checked = {}

    def invoke_at_step(self, step):
        mode, mode_step = self.base_trial.mode_modestep(step)
        if self.mode != ModeKeys.GLOBAL:
            if mode != self.mode:
                return False
        else:
            mode_step = step
        for name in _select(self.base_trial, self.collection_names, self.tensor_regex):
            t = self.base_trial.tensor(name)
            if mode_step not in t.steps(mode=self.mode):
                continue
            cur = t.value(mode_step, mode=self.mode)
            if np.asarray(cur).size != 1:
                continue
            last = self.last_checked.get(name)
            if last is not None and mode_step - last < self.num_steps:
                continue
            prev_candidates = [s for s in t.steps(mode=self.mode) if s <= mode_step - self.num_steps]
            self.last_checked[name] = mode_step if prev_candidates or last is None else last
            if not prev_candidates:
                continue
            prev = float(np.asarray(t.value(prev_candidates[-1], mode=self.mode)).reshape(()))
            cur = float(np.asarray(cur).reshape(()))
            decrease_pct = (prev - cur) / abs(prev) * 100.0 if prev != 0 else -math.inf
            if not decrease_pct > self.diff_percent:
                return True
        return False


class ExplodingTensor(Rule):
    def __init__(self, base_trial, collection_names=None, tensor_regex=None, only_nan="False"):
        super().__init__(base_trial, action_str="")
        self.rule_name = "ExplodingTensor"
        self.collection_names = _list(collection_names)
        self.tensor_regex = _list(tensor_regex)
        self.only_nan = _bool(only_nan)

    def invoke_at_step(self, step):
        names = _select(self.base_trial, self.collection_names, self.tensor_regex) \
            if (self.collection_names or self.tensor_regex) else self.base_trial.tensor_names()
        for name in names:
            try:
                v = np.asarray(self.base_trial.tensor(name).value(step))
            except TensorUnavailableForStep:
                continue
            if v.dtype.kind not in "fc":
                continue
            bad = np.isnan(v) if self.only_nan else ~np.isfinite(v)
            if bad.any():
                return True
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--rule", required=True, choices=["LossNotDecreasing", "ExplodingTensor"])
    ap.add_argument("params", nargs="*")
    args = ap.parse_intermixed_args()
    params = dict(p.split("=", 1) for p in args.params)
    _smdebug_env.install_timeout(120, f"rule {args.rule}")
    trial = create_trial(args.dir)
    rule = {"LossNotDecreasing": LossNotDecreasing, "ExplodingTensor": ExplodingTensor}[args.rule](trial, **params)
    try:
        invoke_rule(rule, start_step=0, end_step=None, raise_eval_cond=True)
        out = {"status": "NoIssuesFound", "step": None, "status_details": None}
    except RuleEvaluationConditionMet as e:
        out = {"status": "IssuesFound", "step": e.step, "status_details": f"RuleEvaluationConditionMet: {e}\n"}
    except NoMoreData:
        out = {"status": "NoIssuesFound", "step": None, "status_details": None}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
