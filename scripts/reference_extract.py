#!/usr/bin/env python3
"""Reference extractor for SageMaker MetricDefinitions, independent of the Swift code.

Usage: reference_extract.py DEFINITIONS.json LOG

DEFINITIONS.json is a MetricDefinitions list ``[{"Name": ..., "Regex": ...}]`` or a whole
CreateTrainingJob request (its ``AlgorithmSpecification.MetricDefinitions`` is used).
LOG is read as bytes (``/dev/stdin`` works).

Semantics, chosen to match what SageMaker does with a job's stdout/stderr:
  * lines are split on b"\\n" only; a last line without "\\n" counts, a trailing "\\n" adds no line;
    lines are numbered from 1;
  * every byte below 0x20 except "\\n" is replaced by "#" plus its 3-digit octal code
    (TAB -> "#011", CR -> "#015"), the way CloudWatch Logs shows them; DEL and bytes >= 0x80 stay;
  * each definition, in order, runs ``re.search`` with its regex compiled as a bytes pattern
    (no flags); only the first match counts; group 1 is the value text; an unset group 1 yields
    nothing, not even a failure;
  * the value text must fully match VALUE_GRAMMAR (Python float() without underscores, ASCII
    only); otherwise it counts as a parse failure of that definition.

Output: one JSON object per value on stdout, by line then definition order, e.g.
  {"line": 12, "name": "train:loss", "value": 0.25}
NaN and +-inf are written as the strings "NaN", "Infinity", "-Infinity". Parse failures go to
stderr as "parse failures: NAME=COUNT", one line per definition with a non-zero count.
Exit status: 0, or 2 for unusable arguments or definitions.
"""
import json
import math
import re
import sys

# float() grammar, ASCII only, no underscores, surrounding ASCII whitespace allowed.
VALUE_GRAMMAR = re.compile(
    rb"[ \t\n\r\f\v]*"
    rb"[+-]?"
    rb"(?:"
    rb"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    rb"|(?i:nan|inf|infinity)"
    rb")"
    rb"[ \t\n\r\f\v]*"
)

# Bytes 0x00-0x1f except "\n" -> b"#" + 3-digit octal.
_CONTROL = re.compile(rb"[\x00-\x09\x0b-\x1f]")


def _escape_control(match):
    return b"#%03o" % match.group()[0]


def escape_line(line):
    """Applies the CloudWatch-style control-byte escaping to one line (no b"\\n" inside)."""
    return _CONTROL.sub(_escape_control, line)


def split_lines(data):
    """Splits bytes on b"\\n" only: no line for empty input or after a trailing b"\\n"."""
    if not data:
        return []
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    return lines


def parse_value(text):
    """Returns the float for a captured value text, or None when it is not a value."""
    if VALUE_GRAMMAR.fullmatch(text) is None:
        return None
    return float(text.decode("ascii"))


def format_value(value):
    """The JSON text of a value: repr() for finite floats, strings for NaN and +-inf."""
    if math.isnan(value):
        return '"NaN"'
    if math.isinf(value):
        return '"Infinity"' if value > 0 else '"-Infinity"'
    return repr(value)


def format_record(line_number, name, value):
    return '{"line": %d, "name": %s, "value": %s}' % (
        line_number, json.dumps(name, ensure_ascii=False), format_value(value))


class DefinitionError(Exception):
    pass


def load_definitions(path):
    """Returns [(name, compiled bytes regex)] from a MetricDefinitions list or a job request."""
    with open(path, "rb") as f:
        doc = json.load(f)
    if isinstance(doc, dict):
        spec = doc.get("AlgorithmSpecification")
        if not isinstance(spec, dict) or "MetricDefinitions" not in spec:
            raise DefinitionError("%s: no AlgorithmSpecification.MetricDefinitions" % path)
        doc = spec["MetricDefinitions"]
        where = "AlgorithmSpecification.MetricDefinitions"
    else:
        where = "MetricDefinitions"
    if not isinstance(doc, list):
        raise DefinitionError("%s: %s is not a list" % (path, where))
    definitions = []
    for i, item in enumerate(doc):
        at = "%s: %s[%d]" % (path, where, i)
        if not isinstance(item, dict):
            raise DefinitionError("%s is not an object" % at)
        name, regex = item.get("Name"), item.get("Regex")
        if not isinstance(name, str) or not isinstance(regex, str):
            raise DefinitionError("%s needs string Name and Regex" % at)
        try:
            pattern = re.compile(regex.encode("utf-8"))
        except re.error as e:
            raise DefinitionError("%s.Regex does not compile: %s" % (at, e))
        if pattern.groups < 1:
            raise DefinitionError("%s.Regex has no capturing group" % at)
        definitions.append((name, pattern))
    return definitions


def extract(definitions, data):
    """Returns ([(line number, definition index, value)], per-definition parse-failure counts)."""
    failures = [0] * len(definitions)
    records = []
    for number, raw in enumerate(split_lines(data), start=1):
        line = escape_line(raw)
        for index, (_, pattern) in enumerate(definitions):
            match = pattern.search(line)
            if match is None:
                continue
            text = match.group(1)
            if text is None:
                continue
            value = parse_value(text)
            if value is None:
                failures[index] += 1
            else:
                records.append((number, index, value))
    return records, failures


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: %s DEFINITIONS.json LOG\n" % argv[0])
        return 2
    try:
        definitions = load_definitions(argv[1])
    except (OSError, ValueError, DefinitionError) as e:
        sys.stderr.write("error: %s\n" % e)
        return 2
    try:
        with open(argv[2], "rb") as f:
            data = f.read()
    except OSError as e:
        sys.stderr.write("error: %s\n" % e)
        return 2
    records, failures = extract(definitions, data)
    out = sys.stdout.buffer
    for number, index, value in records:
        out.write(format_record(number, definitions[index][0], value).encode("utf-8") + b"\n")
    out.flush()
    for (name, _), count in zip(definitions, failures):
        if count:
            sys.stderr.write("parse failures: %s=%d\n" % (name, count))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
