#!/usr/bin/env bash
# gen_protos.sh — regenerate Sources/TensorIO/Generated/*.pb.swift from protos/ (smdebug's and
# TensorBoard's event, summary and tensor messages). The output is committed; CI never runs this.
#
#   bash scripts/gen_protos.sh            # builds protoc-gen-swift 1.39.0 into $TMPDIR once
#
# Needs protoc (apt-get install protobuf-compiler) and the swift-protobuf sources: a clone of
# https://github.com/apple/swift-protobuf at 1.39.0 (the version Package.swift pins). Only the
# protoc-gen-swift product is built; the package's protoc product compiles protobuf's C++ sources.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

version=1.39.0
src="${TMPDIR:-/tmp}/swift-protobuf-$version"
plugin="$src/.build/release/protoc-gen-swift"
if [ ! -x "$plugin" ]; then
    [ -d "$src" ] || git clone --quiet --branch "$version" https://github.com/apple/swift-protobuf "$src"
    (cd "$src" && swift build -c release --product protoc-gen-swift >&2)
fi

out=Sources/TensorIO/Generated
rm -f "$out"/*.pb.swift
protoc --plugin=protoc-gen-swift="$plugin" \
    --swift_out="$out" --swift_opt=Visibility=Package --swift_opt=FileNaming=PathToUnderscores \
    -I protos protos/smdebug/*.proto protos/tensorboard/*.proto
ls "$out"
