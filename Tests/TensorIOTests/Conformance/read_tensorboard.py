#!/usr/bin/env python3
"""Reads a TensorBoard log directory with TensorBoard's own EventAccumulator (the `tensorboard`
package; its reader checks every record's length and payload CRCs) and prints it as JSON:

    python read_tensorboard.py DIR
    {"file_version": 2.0 (EventAccumulator parses "brain.Event:2"), "files": [...],
     "scalars": {tag: [[step, value, wall_time], ...]},
     "tensor_scalars": {tag: [[step, value, plugin_name], ...]},
     "histograms": {tag: [{"step", "min", "max", "num", "sum", "sum_squares", "bucket_limit", "bucket"}]}}
"""
import json
import os
import sys

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util


def main():
    path = sys.argv[1]
    acc = event_accumulator.EventAccumulator(path, size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0, event_accumulator.HISTOGRAMS: 0})
    acc.Reload()
    tags = acc.Tags()
    out = {
        "file_version": acc.file_version,
        "files": sorted(f for f in os.listdir(path) if "tfevents" in f),
        "scalars": {t: [[e.step, e.value, e.wall_time] for e in acc.Scalars(t)] for t in tags["scalars"]},
        "tensor_scalars": {},
        "histograms": {},
    }
    for t in tags["tensors"]:
        plugin = acc.SummaryMetadata(t).plugin_data.plugin_name
        out["tensor_scalars"][t] = [[e.step, float(tensor_util.make_ndarray(e.tensor_proto)), plugin]
                                    for e in acc.Tensors(t)]
    for t in tags["histograms"]:
        out["histograms"][t] = [{
            "step": e.step, "min": e.histogram_value.min, "max": e.histogram_value.max,
            "num": e.histogram_value.num, "sum": e.histogram_value.sum,
            "sum_squares": e.histogram_value.sum_squares,
            "bucket_limit": list(e.histogram_value.bucket_limit), "bucket": list(e.histogram_value.bucket),
        } for e in acc.Histograms(t)]
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
