#!/usr/bin/env bash
# test.sh — install what the tests need, build them, and run them all.
#
#   bash scripts/test.sh                    # every test
#   bash scripts/test.sh --filter StoreTests   # arguments go to `swift test`
#
# Tests run serially (no --parallel): the end-to-end tests start real processes and HTTP servers,
# and the machines this runs on have 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH

bash scripts/install-deps.sh
# The conformance tests read trainscope's files with the real readers (smdebug, tensorboard).
TRAINSCOPE_CONFORMANCE_PYTHON=$(pwd)/$(bash scripts/python-venv.sh)
export TRAINSCOPE_CONFORMANCE_PYTHON
swift build --build-tests
swift test --skip-build "$@"
