#!/usr/bin/env python3
"""Drives Examples/trainscope_client.py against a running trainscope (the Swift test's server).

    python client_session.py URL [--numpy]
Sends steps 0-2 (TRAIN) and step 3 (EVAL) with plain Python values; with --numpy also NumPy arrays
(little- and big-endian, non-contiguous) by save() and put(); then the errors a client sees.
Prints {"answers": [...], "errors": [...]}.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "Examples"))
from trainscope_client import TrainScopeClient, TrainScopeError  # noqa: E402


def main():
    url = sys.argv[1]
    use_numpy = "--numpy" in sys.argv
    client = TrainScopeClient(url, worker="worker_0", errors="raise")
    answers, errors = [], []
    for step in range(3):
        answers.append(client.save(step, {"loss": 1.0 / (step + 1), "grid": [[step, 1], [2, 3]], "ok": True,
                                          "nan": float("nan")}, mode="TRAIN"))
    answers.append(client.save(3, {"loss": 0.5}, mode="EVAL", close_step=True))
    if use_numpy:
        import numpy as np
        w = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
        answers.append(client.save(4, {"np/w": w, "np/t": w.transpose(2, 0, 1), "np/be": np.array([1, 2], dtype=">i4"),
                                        "np/c": np.array([1 + 2j], dtype=np.complex64)}, mode="TRAIN"))
        answers.append(client.put("np/put", np.array([[1.5, -2.5]], dtype=np.float64), 4, mode="TRAIN"))
        answers.append(client.put("np/put_be", np.array([7, 8, 9], dtype=">i8"), 4, mode="TRAIN"))
    for bad in (lambda: client.save(1, {"late": 1.0}, mode="TRAIN"),
                lambda: client.save(9, {"x": [[1, 2], [3]]})):
        try:
            bad()
        except TrainScopeError as e:
            errors.append({"status": e.status, "message": e.message, "tensor": e.tensor})
    quiet = TrainScopeClient("http://127.0.0.1:9", timeout=2)   # nothing listens: warns once, returns None
    errors.append({"warned": quiet.save(0, {"x": 1.0}) is None})
    answers.append(client.flush())
    json.dump({"answers": answers, "errors": errors}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
