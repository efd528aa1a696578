#!/usr/bin/env python3
"""Sends tensors to trainscope's ingestion API from a training script that has no smdebug hook.

Python standard library only. NumPy arrays (or anything with ``dtype``, ``shape`` and ``tobytes``)
are sent as raw bytes without importing NumPy (a step's arrays as one .npz archive, as
``numpy.savez`` writes it; one array as a .npy body with ``put``); plain numbers, booleans, strings
and nested lists go as JSON.

    from trainscope_client import TrainScopeClient
    client = TrainScopeClient()                     # TRAINSCOPE_URL, else http://127.0.0.1:9478
    for step in range(steps):
        ...
        client.save(step, {"loss": loss, "fc.weight": weights}, mode="TRAIN")
    client.flush()

trainscope decides what to keep (DebugHookConfig: intervals, include_regex, reductions, histograms),
so a script can send every step. A tensor for an earlier step than the worker's last one is refused
(409). By default a failed request prints one warning and training goes on; pass
``errors="raise"`` to get a ``TrainScopeError`` instead.

Run as a script, it sends one tensor (a quick check that the sidecar listens):

    python3 trainscope_client.py --url http://127.0.0.1:9478 --step 0 --name loss --value 0.5
"""
import argparse
import base64
import http.client
import json
import os
import struct
import sys
import urllib.parse
import zlib

DEFAULT_URL = "http://127.0.0.1:9478"
MODES = ("TRAIN", "EVAL", "PREDICT", "GLOBAL")
# NumPy dtype.str (byte order + kind + size) -> the API's dtype names
_NUMPY_DTYPES = {
    "f2": "float16", "f4": "float32", "f8": "float64",
    "i1": "int8", "i2": "int16", "i4": "int32", "i8": "int64",
    "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64",
    "b1": "bool", "c8": "complex64", "c16": "complex128",
}


class TrainScopeError(Exception):
    """A request trainscope refused (status 400, 409, 413, ...) or could not be sent (status 0)."""

    def __init__(self, status, message, tensor=None):
        super().__init__(f"{status}: {message}" + (f" (tensor {tensor})" if tensor else ""))
        self.status = status
        self.message = message
        self.tensor = tensor


def _is_array_like(value):
    return all(hasattr(value, a) for a in ("dtype", "shape", "tobytes"))


def _array_dtype(value):
    """The API dtype name and whether the bytes are big-endian, for a NumPy-like array."""
    code = value.dtype.str  # e.g. '<f4', '|u1', '>i8'
    order, kind = code[0], code[1:]
    if kind not in _NUMPY_DTYPES:
        raise TypeError(f"unsupported dtype {code}")
    return _NUMPY_DTYPES[kind], order == ">"


def _json_value(value):
    """Plain JSON for numbers, booleans, strings and nested lists; NaN and infinities as strings."""
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if hasattr(value, "tolist") and not _is_array_like(value):  # array.array
        return [_json_value(v) for v in value.tolist()]
    return value


def tensor_entry(name, value, dtype=None, collections=None):
    """One element of the JSON batch's "tensors" list."""
    entry = {"name": name}
    if _is_array_like(value):
        kind, big_endian = _array_dtype(value)
        data = value.tobytes()  # C order
        if big_endian:
            size = value.dtype.itemsize // (2 if kind.startswith("complex") else 1)
            data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
        entry.update(dtype=kind, shape=list(value.shape), data_base64=base64.b64encode(data).decode("ascii"))
    else:
        entry["data"] = _json_value(value)
        if dtype is not None:
            entry["dtype"] = dtype
        elif isinstance(value, bool):
            entry["dtype"] = "bool"
    if collections:
        entry["collections"] = list(collections)
    return entry


def _npy_parts(value):
    """The .npy header and the array's bytes (a zero-copy view when the array is C-contiguous)."""
    _array_dtype(value)
    shape = tuple(value.shape)
    shape_text = "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(str(d) for d in shape) + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (value.dtype.str, shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    prefix = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1")
    try:
        data = memoryview(value).cast("B") if shape else memoryview(value.tobytes())
    except (TypeError, ValueError):  # not contiguous, or no buffer protocol
        data = memoryview(value.tobytes())
    return prefix, data


def npy_bytes(value):
    """A NumPy-like array as the bytes of a .npy file (format version 1.0), without NumPy."""
    prefix, data = _npy_parts(value)
    return prefix + data.tobytes()


def npz_parts(arrays):
    """A dict {name: NumPy-like array} as the pieces of an .npz archive (what numpy.savez writes:
    a ZIP of stored .npy members), without NumPy and without copying the arrays."""
    parts, central, offset = [], [], 0
    for name, value in arrays.items():
        prefix, data = _npy_parts(value)
        size = len(prefix) + data.nbytes
        crc = zlib.crc32(data, zlib.crc32(prefix))
        file_name = (name + ".npy").encode("utf-8")
        if offset + size > 0xFFFFFFF0 or len(arrays) > 0xFFFF:
            raise ValueError("batch too large for one .npz request; send fewer or smaller arrays")
        # local file header: stored, UTF-8 name (flag bit 11), no extra field
        parts.append(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, 0, 0, 0x21, crc, size, size,
                                 len(file_name), 0) + file_name + prefix)
        parts.append(data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, 0, 0, 0x21, crc, size, size,
                                   len(file_name), 0, 0, 0, 0, 0, offset) + file_name)
        offset += 30 + len(file_name) + size
    directory = b"".join(central)
    parts.append(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                                         len(directory), offset, 0))
    return parts


def npz_bytes(arrays):
    """The .npz archive as one bytes object."""
    return b"".join(bytes(p) for p in npz_parts(arrays))


class TrainScopeClient:
    def __init__(self, url=None, worker=None, timeout=30.0, errors="warn"):
        self.url = (url or os.environ.get("TRAINSCOPE_URL") or DEFAULT_URL).rstrip("/")
        self.worker = worker or os.environ.get("TRAINSCOPE_WORKER") or "worker_0"
        self.timeout = timeout
        if errors not in ("warn", "raise"):
            raise ValueError("errors must be 'warn' or 'raise'")
        self.errors = errors
        self._warned = False
        self._conn = None
        self._prefix = ""

    def save(self, step, tensors, mode="GLOBAL", mode_step=None, close_step=False, wall_time=None,
             collections=None):
        """Sends a dict {name: value} for one step in one request. Returns the server's answer
        ({"saved": [...], "skipped": [...], ...}), or None after a warned failure. When every value is
        a NumPy-like array the request is an .npz archive (raw bytes, no JSON); otherwise JSON."""
        if tensors and all(_is_array_like(v) for v in tensors.values()) and not collections:
            query = self._query(step, mode, mode_step, close_step)
            if wall_time is not None:
                query["wall_time"] = float(wall_time)
            return self._request("POST", "/v1/tensors?" + urllib.parse.urlencode(query), npz_parts(tensors),
                                 "application/x-npz")
        body = {"step": int(step), "mode": self._mode(mode), "worker": self.worker,
                "tensors": [tensor_entry(n, v, collections=(collections or {}).get(n)) for n, v in tensors.items()]}
        if mode_step is not None:
            body["mode_step"] = int(mode_step)
        if close_step:
            body["close_step"] = True
        if wall_time is not None:
            body["wall_time"] = float(wall_time)
        return self._request("POST", "/v1/tensors", json.dumps(body, allow_nan=False).encode("utf-8"),
                             "application/json")

    def put(self, name, array, step, mode="GLOBAL", mode_step=None, close_step=False, collections=None):
        """Sends one NumPy-like array as a .npy body (the fastest way for large tensors)."""
        query = self._query(step, mode, mode_step, close_step)
        if collections:
            query["collections"] = ",".join(collections)
        path = "/v1/tensors/" + urllib.parse.quote(name, safe="") + "?" + urllib.parse.urlencode(query)
        return self._request("PUT", path, list(_npy_parts(array)), "application/octet-stream")

    def flush(self):
        """Closes the open steps so that readers see them now."""
        return self._request("POST", "/v1/tensors/flush", b"", "application/json")

    def _query(self, step, mode, mode_step, close_step):
        query = {"step": int(step), "mode": self._mode(mode), "worker": self.worker}
        if mode_step is not None:
            query["mode_step"] = int(mode_step)
        if close_step:
            query["close_step"] = 1
        return query

    @staticmethod
    def _mode(mode):
        m = str(mode).upper()
        if m not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        return m

    def _connection(self):
        """One keep-alive connection, reused across requests (a new TCP connection per tensor
        would cost more than the tensor)."""
        if self._conn is None:
            parts = urllib.parse.urlsplit(self.url)
            cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(parts.hostname, parts.port, timeout=self.timeout)
            self._prefix = parts.path.rstrip("/")
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request(self, method, path, data, content_type):
        error = None
        for attempt in (0, 1):  # a kept-alive connection the server closed is retried once
            try:
                conn = self._connection()
                length = sum(memoryview(p).nbytes for p in data) if isinstance(data, list) else len(data)
                conn.request(method, self._prefix + path, body=data,
                             headers={"Content-Type": content_type, "Content-Length": str(length)})
                response = conn.getresponse()
                body = response.read()
                if response.status == 200:
                    return json.loads(body or b"{}")
                try:
                    detail = json.loads(body or b"{}")
                except ValueError:
                    detail = {}
                error = TrainScopeError(response.status, detail.get("error", response.reason), detail.get("tensor"))
                break
            except (http.client.HTTPException, OSError) as e:
                self.close()
                error = TrainScopeError(0, f"cannot reach {self.url}: {e}")
                if attempt == 1 or not isinstance(e, (http.client.RemoteDisconnected, BrokenPipeError,
                                                      ConnectionResetError)):
                    break
        if self.errors == "raise":
            raise error
        if not self._warned:
            sys.stderr.write(f"trainscope_client: {error} (further failures are not reported)\n")
            self._warned = True
        return None


def main():
    ap = argparse.ArgumentParser(description="Send one scalar tensor to trainscope.")
    ap.add_argument("--url", default=None)
    ap.add_argument("--worker", default=None)
    ap.add_argument("--step", type=int, required=True)
    ap.add_argument("--mode", default="GLOBAL")
    ap.add_argument("--name", required=True)
    ap.add_argument("--value", type=float, required=True)
    ap.add_argument("--close-step", action="store_true")
    args = ap.parse_args()
    client = TrainScopeClient(args.url, worker=args.worker, errors="raise")
    try:
        answer = client.save(args.step, {args.name: args.value}, mode=args.mode, close_step=args.close_step)
    except TrainScopeError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    print(json.dumps(answer, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
