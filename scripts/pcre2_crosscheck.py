#!/usr/bin/env python3
"""Runs the reference semantics with libpcre2-8 (JIT, no UTF mode) instead of Python `re`.

Usage: pcre2_crosscheck.py DEFINITIONS.json LOG        -> same output as reference_extract.py
       pcre2_crosscheck.py --fixtures DIR              -> compares every DIR/<case>/expected.jsonl

The escaping and the value grammar come from reference_extract.py; only the regex engine
differs, so a difference in output means Python `re` and PCRE2 disagree on a definition.
"""
import ctypes
import ctypes.util
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_extract as ref  # noqa: E402

_lib = ctypes.CDLL(ctypes.util.find_library("pcre2-8") or "libpcre2-8.so.0")
_lib.pcre2_compile_8.restype = ctypes.c_void_p
_lib.pcre2_compile_8.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32,
                                 ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_size_t),
                                 ctypes.c_void_p]
_lib.pcre2_jit_compile_8.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
_lib.pcre2_match_data_create_from_pattern_8.restype = ctypes.c_void_p
_lib.pcre2_match_data_create_from_pattern_8.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_lib.pcre2_match_8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t,
                               ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p]
_lib.pcre2_get_ovector_pointer_8.restype = ctypes.POINTER(ctypes.c_size_t)
_lib.pcre2_get_ovector_pointer_8.argtypes = [ctypes.c_void_p]
_lib.pcre2_get_error_message_8.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]
_lib.pcre2_pattern_info_8.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p]

PCRE2_UNSET = ctypes.c_size_t(-1).value
PCRE2_JIT_COMPLETE = 1
PCRE2_INFO_CAPTURECOUNT = 4
PCRE2_ERROR_NOMATCH = -1


def error_message(code):
    buf = ctypes.create_string_buffer(256)
    _lib.pcre2_get_error_message_8(code, buf, len(buf))
    return buf.value.decode()


class Pattern:
    """Just enough of a compiled `re` pattern for ref.extract(): .search(line).group(1)."""

    def __init__(self, regex):
        raw = regex.encode("utf-8")
        err, off = ctypes.c_int(), ctypes.c_size_t()
        self.code = _lib.pcre2_compile_8(raw, len(raw), 0, ctypes.byref(err), ctypes.byref(off), None)
        if not self.code:
            raise ref.DefinitionError("PCRE2 rejects %r at offset %d: %s"
                                      % (regex, off.value, error_message(err.value)))
        count = ctypes.c_uint32()
        _lib.pcre2_pattern_info_8(self.code, PCRE2_INFO_CAPTURECOUNT, ctypes.byref(count))
        self.groups = count.value
        self.jit = _lib.pcre2_jit_compile_8(self.code, PCRE2_JIT_COMPLETE) == 0
        self.md = _lib.pcre2_match_data_create_from_pattern_8(self.code, None)

    def search(self, subject):
        rc = _lib.pcre2_match_8(self.code, subject, len(subject), 0, 0, self.md, None)
        if rc == PCRE2_ERROR_NOMATCH:
            return None
        if rc < 0:
            raise RuntimeError("PCRE2 match error %d: %s" % (rc, error_message(rc)))
        ov = _lib.pcre2_get_ovector_pointer_8(self.md)
        if rc < 2 or ov[2] == PCRE2_UNSET:
            return _Match(None)
        return _Match(subject[ov[2]:ov[3]])


class _Match:
    def __init__(self, text):
        self.text = text

    def group(self, index):
        return self.text


def load_definitions(path):
    """Like ref.load_definitions (which also proves Python accepts each regex), but PCRE2 patterns."""
    import json
    names = ref.load_definitions(path)
    with open(path, "rb") as f:
        doc = json.load(f)
    if isinstance(doc, dict):
        doc = doc["AlgorithmSpecification"]["MetricDefinitions"]
    out = []
    for (name, py), item in zip(names, doc):
        pattern = Pattern(item["Regex"])
        if pattern.groups != py.groups:
            raise ref.DefinitionError("%s: capture count differs: re %d, PCRE2 %d"
                                      % (name, py.groups, pattern.groups))
        out.append((name, pattern))
    return out


def render(definitions, data):
    records, failures = ref.extract(definitions, data)
    lines = [ref.format_record(n, definitions[i][0], v) + "\n" for n, i, v in records]
    return "".join(lines).encode("utf-8"), failures


def check_fixtures(root):
    bad = 0
    for case in sorted(os.listdir(root)):
        folder = os.path.join(root, case)
        if not os.path.isdir(folder):
            continue
        defs = load_definitions(os.path.join(folder, "definitions.json"))
        with open(os.path.join(folder, "input.log"), "rb") as f:
            data = f.read()
        with open(os.path.join(folder, "expected.jsonl"), "rb") as f:
            expected = f.read()
        got, _ = render(defs, data)
        status = "ok" if got == expected else "DIFFERS"
        bad += got != expected
        print("%-28s %s (%d values)" % (case, status, expected.count(b"\n")))
    return 1 if bad else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--fixtures":
        return check_fixtures(argv[2])
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    try:
        defs = load_definitions(argv[1])
    except (OSError, ValueError, ref.DefinitionError) as e:
        sys.stderr.write("error: %s\n" % e)
        return 2
    with open(argv[2], "rb") as f:
        data = f.read()
    out, failures = render(defs, data)
    sys.stdout.buffer.write(out)
    for (name, _), count in zip(defs, failures):
        if count:
            sys.stderr.write("parse failures: %s=%d\n" % (name, count))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
