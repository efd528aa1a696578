"""Environment for running the real smdebug 1.0.34 quietly in the conformance scripts.

Adapted from shared/oracles/smdebug/_common.py (kept here so the repository is self-contained).
Import it before smdebug.
"""
import json
import os
import signal
import sys

# smdebug logs INFO to stdout on import; keep stdout for the JSON result.
os.environ.setdefault("SMDEBUG_LOG_LEVEL", "error")
os.environ.setdefault("SMDEBUG_LOG_ALL_TO_STDOUT", "false")
# With TRAINING_JOB_NAME set, smdebug thinks it runs in SageMaker and will not write the end marker.
os.environ.pop("TRAINING_JOB_NAME", None)
# Do not retry a missing event file 100 times x 2 s.
os.environ.setdefault("SMDEBUG_MISSING_EVENT_FILE_RETRY_LIMIT", "2")


def install_timeout(seconds, what):
    """smdebug's LocalTrial polls forever for a missing collections file: exit 3 instead."""

    def _handler(signum, frame):
        sys.stderr.write(f"ERROR: {what} did not finish within {seconds}s\n")
        sys.exit(3)

    signal.signal(signal.SIGALRM, _handler)
    signal.alarm(seconds)


def to_jsonable(value):
    """numpy value -> plain JSON; NaN and infinities as "NaN", "Infinity", "-Infinity"."""
    import numpy as np

    if isinstance(value, np.ndarray):
        if value.dtype.kind in "US":
            return value.tolist()
        return [to_jsonable(v) for v in value.tolist()] if value.ndim > 0 else to_jsonable(value.item())
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, complex):
        return [to_jsonable(value.real), to_jsonable(value.imag)]
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value == float("inf"):
            return "Infinity"
        if value == float("-inf"):
            return "-Infinity"
    return value


def dump(obj):
    json.dump(obj, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
