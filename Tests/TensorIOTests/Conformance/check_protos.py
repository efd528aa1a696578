#!/usr/bin/env python3
"""Checks protos/smdebug/*.proto and protos/tensorboard/*.proto against the descriptors compiled
into the real packages (smdebug 1.0.34, tensorboard): every field trainscope declares must exist
there with the same number, label and type, and every enum value must match.

    python check_protos.py PROTOS_DIR
Prints {"checked": N, "mismatches": [...]} and exits 1 when there are mismatches.
"""
import importlib
import json
import os
import re
import sys

from google.protobuf import descriptor

MODULES = {
    "smdebug": "smdebug.core.tfevent.proto.{}_pb2",
    "tensorboard": "tensorboard.compat.proto.{}_pb2",
}
SCALARS = {
    "double": descriptor.FieldDescriptor.TYPE_DOUBLE, "float": descriptor.FieldDescriptor.TYPE_FLOAT,
    "int64": descriptor.FieldDescriptor.TYPE_INT64, "uint64": descriptor.FieldDescriptor.TYPE_UINT64,
    "int32": descriptor.FieldDescriptor.TYPE_INT32, "uint32": descriptor.FieldDescriptor.TYPE_UINT32,
    "bool": descriptor.FieldDescriptor.TYPE_BOOL, "string": descriptor.FieldDescriptor.TYPE_STRING,
    "bytes": descriptor.FieldDescriptor.TYPE_BYTES,
}


def parse(path):
    """Tiny .proto reader for the files in protos/: messages (nested), fields, enums."""
    text = re.sub(r"//[^\n]*", "", open(path).read())
    text = re.sub(r"\[[^\]]*\]", "", text)  # field options ([packed = true])
    tokens = re.findall(r"[A-Za-z_][\w.]*|\d+|[{};=\[\]]", text)
    stack, messages, enums, i = [], {}, {}, 0
    while i < len(tokens):
        t = tokens[i]
        if t in ("message", "enum", "oneof") and i + 2 < len(tokens) and tokens[i + 2] == "{":
            stack.append((t, tokens[i + 1]))
            if t != "oneof":
                full = ".".join(n for k, n in stack if k != "oneof")
                (messages if t == "message" else enums)[full] = []
            i += 3
            continue
        if t == "}":
            stack.pop()
            i += 1
            continue
        if stack and t not in ("syntax", "package", "import", "option") and ";" in tokens[i:i + 8]:
            end = tokens.index(";", i)
            stmt = tokens[i:end]
            i = end + 1
            full = ".".join(n for k, n in stack if k != "oneof")
            kind = [k for k, _ in stack if k != "oneof"][-1]
            if kind == "enum" and len(stmt) >= 3 and stmt[1] == "=":
                enums[full].append((stmt[0], int(stmt[2])))
            elif kind == "message" and "=" in stmt:
                eq = stmt.index("=")
                repeated = stmt[0] == "repeated"
                type_name, name, number = stmt[eq - 2], stmt[eq - 1], int(stmt[eq + 1])
                messages[full].append((name, number, repeated, type_name))
            continue
        i += 1
    return messages, enums


def find(pool_file, dotted):
    parts = dotted.split(".")
    d = pool_file.message_types_by_name.get(parts[0]) or pool_file.enum_types_by_name.get(parts[0])
    for p in parts[1:]:
        if d is None:
            return None
        d = d.nested_types_by_name.get(p) or d.enum_types_by_name.get(p)
    return d


def main():
    root = sys.argv[1]
    checked, mismatches = 0, []
    for package, pattern in MODULES.items():
        for name in sorted(os.listdir(os.path.join(root, package))):
            stem = name[:-len(".proto")]
            mod = importlib.import_module(pattern.format(stem))
            messages, enums = parse(os.path.join(root, package, name))
            where = f"{package}/{name}"
            for full, fields in messages.items():
                d = find(mod.DESCRIPTOR, full)
                if d is None:
                    mismatches.append(f"{where}: message {full} not in {mod.__name__}")
                    continue
                for fname, number, repeated, type_name in fields:
                    checked += 1
                    f = d.fields_by_name.get(fname)
                    if f is None:
                        mismatches.append(f"{where}: {full}.{fname} does not exist")
                        continue
                    if f.number != number:
                        mismatches.append(f"{where}: {full}.{fname} is field {f.number}, not {number}")
                    if (f.label == f.LABEL_REPEATED) != repeated:
                        mismatches.append(f"{where}: {full}.{fname} repeated mismatch")
                    if type_name in SCALARS:
                        if f.type != SCALARS[type_name]:
                            mismatches.append(f"{where}: {full}.{fname} type {f.type} vs {type_name}")
                    else:
                        target = f.message_type or f.enum_type
                        if target is None or target.name != type_name.split(".")[-1]:
                            mismatches.append(f"{where}: {full}.{fname} type is not {type_name}")
            for full, values in enums.items():
                d = find(mod.DESCRIPTOR, full)
                if d is None:
                    mismatches.append(f"{where}: enum {full} not in {mod.__name__}")
                    continue
                for vname, number in values:
                    checked += 1
                    v = d.values_by_name.get(vname)
                    if v is None or v.number != number:
                        mismatches.append(f"{where}: {full}.{vname} = {number} does not match")
    json.dump({"checked": checked, "mismatches": mismatches}, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
