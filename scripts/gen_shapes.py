#!/usr/bin/env python3
"""Generate Sources/JobSpec/Generated/CreateTrainingJobShapes.swift from botocore's SageMaker model.

Rerun after upgrading botocore (the file is committed, so builds and CI never need botocore):

    python3 scripts/gen_shapes.py                 # rewrite the Swift file
    python3 scripts/gen_shapes.py --check         # exit 1 if the committed file is stale
    python3 scripts/gen_shapes.py --model PATH    # use another service-2.json(.gz)

By default the model is botocore/data/sagemaker/2017-07-24/service-2.json.gz next to the
installed `botocore` package.

What is emitted: every shape reachable from CreateTrainingJobRequest with its type, members
(in model order) and their target shapes, required members, min/max, pattern and enum.
Documentation is dropped. The result is one compact JSON document embedded as a Swift raw string
literal, one shape per line, which JobSpec parses once with its own JSON parser: large Swift
collection literals type-check slowly, a string does not.

Patterns are Java regexes (the service is Java). PCRE2 runs them, so Java-only or Java-specific
constructs are translated here and the original is kept as `modelPattern` for messages:
  - `\\p{Alnum}` and the other Java POSIX classes do not exist in PCRE2 (compile error);
    they become their US-ASCII ranges, as Java defines them.
  - `\\d`, `\\w`, `\\s`, `\\S` are ASCII-only in Java but Unicode-aware in PCRE2 with UCP, which
    JobSpec uses for `\\p{L}`; they become explicit ASCII classes.
  - `.` excludes \\n, \\r, U+0085, U+2028, U+2029 in Java but only \\n in PCRE2; it becomes that class.
"""

import argparse
import gzip
import json
import os
import sys

ROOT_SHAPE = "CreateTrainingJobRequest"
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "Sources", "JobSpec", "Generated", "CreateTrainingJobShapes.swift")

JAVA_SPACE = r" \t\n\x0B\f\r"
JAVA_DOT = r"[^\n\r\x{85}\x{2028}\x{2029}]"
# Java's POSIX character classes (US-ASCII only unless UNICODE_CHARACTER_CLASS, which the service does not set).
JAVA_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "Alpha": "a-zA-Z", "Digit": "0-9",
    "Alnum": "a-zA-Z0-9", "XDigit": "0-9a-fA-F", "Space": JAVA_SPACE,
}
ASCII_ESCAPES = {"d": "0-9", "w": "a-zA-Z0-9_", "s": JAVA_SPACE}


def translate_pattern(pattern):
    """Java regex -> PCRE2 regex with the same meaning (for the constructs in the model)."""
    out = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e == "p" and pattern.startswith("{", i + 2):
                end = pattern.index("}", i)
                name = pattern[i + 3:end]
                if name in JAVA_POSIX:
                    body = JAVA_POSIX[name]
                    out.append(body if in_class else "[" + body + "]")
                else:
                    out.append(pattern[i:end + 1])  # Unicode category/script: same in PCRE2
                i = end + 1
                continue
            if e in ASCII_ESCAPES:
                body = ASCII_ESCAPES[e]
                out.append(body if in_class else "[" + body + "]")
                i += 2
                continue
            if e in "DWbB":
                raise SystemExit("gen_shapes: no translation for \\%s in %r" % (e, pattern))
            if e == "S":
                if in_class:
                    raise SystemExit("gen_shapes: cannot translate \\S inside a class in %r" % pattern)
                out.append("[^" + JAVA_SPACE + "]")
                i += 2
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if not in_class and c == "[":
            rest = pattern[i:]
            if rest.startswith("[\\S\\s]") or rest.startswith("[\\s\\S]"):
                out.append("[\\s\\S]")  # everything, under either semantics
                i += 6
                continue
            if rest.startswith("[\\S]"):
                out.append("[^" + JAVA_SPACE + "]")
                i += 4
                continue
            in_class = True
            out.append(c)
            i += 1
            continue
        if in_class and c == "]":
            in_class = False
        elif not in_class and c == ".":
            out.append(JAVA_DOT)
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def reachable(shapes, root):
    seen, stack = set(), [root]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        s = shapes[name]
        for m in s.get("members", {}).values():
            stack.append(m["shape"])
        for k in ("member", "key", "value"):
            if k in s:
                stack.append(s[k]["shape"])
    return sorted(seen)


def number(v):
    return int(v) if float(v).is_integer() else v


def compact_shape(s):
    out = {"type": s["type"]}
    if "members" in s:
        out["members"] = {k: v["shape"] for k, v in s["members"].items()}
        unknown = {k2 for v in s["members"].values() for k2 in v} - {"shape", "documentation", "box"}
        if unknown:
            raise SystemExit("gen_shapes: unhandled member traits %s" % sorted(unknown))
    if s.get("required"):
        out["required"] = s["required"]
    for k in ("member", "key", "value"):
        if k in s:
            out[k] = s[k]["shape"]
    for k in ("min", "max"):
        if k in s:
            out[k] = number(s[k])
    if "pattern" in s:
        translated = translate_pattern(s["pattern"])
        out["pattern"] = translated
        if translated != s["pattern"]:
            out["modelPattern"] = s["pattern"]
    if "enum" in s:
        out["enum"] = s["enum"]
    return out


def render(model_path):
    opener = gzip.open if model_path.endswith(".gz") else open
    with opener(model_path, "rt", encoding="utf-8") as f:
        model = json.load(f)
    shapes = model["shapes"]
    names = reachable(shapes, ROOT_SHAPE)
    try:
        import botocore
        version = botocore.__version__
    except ImportError:
        version = "unknown"
    api = model["metadata"].get("apiVersion", "?")
    lines = []
    for i, name in enumerate(names):
        body = json.dumps(compact_shape(shapes[name]), separators=(",", ":"), ensure_ascii=False)
        lines.append(json.dumps(name) + ":" + body + ("," if i + 1 < len(names) else ""))
    head = json.dumps({"botocore": version, "apiVersion": api, "root": ROOT_SHAPE},
                      separators=(",", ":"))[:-1] + ',"shapes":{'
    literal = "\n".join([head] + lines + ["}}"])
    if '"""#' in literal:
        raise SystemExit("gen_shapes: literal contains the raw-string terminator")
    return (
        "// GENERATED by scripts/gen_shapes.py from botocore %s (sagemaker %s). Do not edit.\n"
        "// %d shapes reachable from %s; documentation dropped; patterns translated from Java\n"
        "// to PCRE2 where they differ (the original is kept as \"modelPattern\").\n"
        "\n"
        "extension ShapeSchema {\n"
        "    /// The model as compact JSON, parsed once by `ShapeSchema.createTrainingJob`.\n"
        "    static let createTrainingJobModelJSON = #\"\"\"\n"
        "%s\n"
        "\"\"\"#\n"
        "}\n" % (version, api, len(names), ROOT_SHAPE, literal)
    )


def default_model():
    import botocore
    return os.path.join(os.path.dirname(botocore.__file__), "data", "sagemaker", "2017-07-24",
                        "service-2.json.gz")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="path to service-2.json or service-2.json.gz")
    ap.add_argument("--check", action="store_true", help="fail if the committed file differs")
    args = ap.parse_args()
    text = render(args.model or default_model())
    path = os.path.normpath(OUTPUT)
    if args.check:
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                print("gen_shapes: %s is stale; rerun scripts/gen_shapes.py" % path, file=sys.stderr)
                return 1
        return 0
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
